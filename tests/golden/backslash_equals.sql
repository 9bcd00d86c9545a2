SELECT * FROM <TABLE> WHERE LOWER(Image) = 'c:\windows\cmd.exe' AND LOWER(ShareName) LIKE '\\%\\ipc$' ESCAPE '\'
