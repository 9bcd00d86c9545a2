SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\whoami.exe' ESCAPE '\' AND NOT COALESCE(LOWER(User) LIKE 'adm\_%' ESCAPE '\', FALSE) AND NOT COALESCE(LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe'), FALSE)

SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\net.exe' ESCAPE '\' AND NOT COALESCE(LOWER(User) LIKE 'adm\_%' ESCAPE '\', FALSE) AND NOT COALESCE(LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe'), FALSE)

SELECT * FROM <TABLE> WHERE LOWER(CommandLine) LIKE '% user %' ESCAPE '\' AND NOT COALESCE(LOWER(User) LIKE 'adm\_%' ESCAPE '\', FALSE) AND NOT COALESCE(LOWER(ParentImage) IN ('c:\x.exe', 'c:\y.exe'), FALSE)

SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%/whoami' ESCAPE '\'
