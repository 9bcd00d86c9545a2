SELECT * FROM <TABLE> WHERE EventID = 1 AND LOWER(process.cmd_line) LIKE '%whoami%' ESCAPE '\'
