SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%a*b' ESCAPE '\' AND LOWER(CommandLine) = 'x*y?z' AND LOWER(ParentImage) LIKE 'a\\%' ESCAPE '\' AND LOWER(Description) LIKE '%100*\%%' ESCAPE '\'
