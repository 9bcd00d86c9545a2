SELECT * FROM <TABLE> WHERE LOWER(Image) = 'a.exe' OR LOWER(Image) LIKE '%b.exe' ESCAPE '\' OR LOWER(Image) = 'c.exe'
