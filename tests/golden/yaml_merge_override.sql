SELECT * FROM <TABLE> WHERE EventID = 4688 AND LOWER(Image) LIKE '%\\powershell.exe' ESCAPE '\' AND LOWER(User) = 'admin' AND LOWER(CommandLine) LIKE '%whoami%' ESCAPE '\'
