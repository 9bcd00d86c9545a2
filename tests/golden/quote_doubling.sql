SELECT * FROM <TABLE> WHERE LOWER(Image) = 'it''s' AND LOWER(CommandLine) LIKE '%''x:0:''%' ESCAPE '\' AND LOWER(User) IN ('o''brien', 'd''e')
