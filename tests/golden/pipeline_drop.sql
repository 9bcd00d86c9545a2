SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\a.exe' ESCAPE '\' AND NOT LOWER(User) = 'system'

SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE 'c:\\temp%' ESCAPE '\' OR LOWER(Image) LIKE 'd:\\%' ESCAPE '\'
