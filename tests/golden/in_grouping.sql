SELECT * FROM <TABLE> WHERE LOWER(Image) IN ('c:\a.exe', 'b.exe') AND LOWER(User) = 'x'
