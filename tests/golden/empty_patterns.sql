SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%' ESCAPE '\' AND LOWER(CommandLine) LIKE '%' ESCAPE '\' AND LOWER(ParentImage) LIKE '%' ESCAPE '\' AND LOWER(Description) = ''
