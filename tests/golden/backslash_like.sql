SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\cmd.exe' ESCAPE '\' AND LOWER(ParentImage) LIKE 'c:\\windows\\%' ESCAPE '\' AND LOWER(CommandLine) LIKE '%\\server\\share%' ESCAPE '\'
