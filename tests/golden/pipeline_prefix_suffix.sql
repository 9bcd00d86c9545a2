SELECT event.Image, EventID, CommandLine_s FROM <TABLE> WHERE LOWER(event.Image) LIKE '%\\a.exe' ESCAPE '\' AND LOWER(event.User) = 'admin' AND EventID = 1 AND LOWER(CommandLine_s) = 'x'
