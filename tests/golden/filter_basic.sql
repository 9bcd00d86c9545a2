SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\whoami.exe' ESCAPE '\' AND NOT LOWER(User) LIKE 'adm\_%' ESCAPE '\' AND NOT LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe')

SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\net.exe' ESCAPE '\' AND NOT LOWER(User) LIKE 'adm\_%' ESCAPE '\' AND NOT LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe')

SELECT * FROM <TABLE> WHERE LOWER(CommandLine) LIKE '% user %' ESCAPE '\' AND NOT LOWER(User) LIKE 'adm\_%' ESCAPE '\' AND NOT LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe')

SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%/whoami' ESCAPE '\'
