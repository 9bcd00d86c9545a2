SELECT process.path, process.cmd_line, process.args, User FROM <TABLE> WHERE LOWER(process.path) LIKE '%\\cmd.exe' ESCAPE '\' AND (LOWER(process.cmd_line) LIKE '%whoami%' ESCAPE '\' OR LOWER(process.args) LIKE '%whoami%' ESCAPE '\') AND NOT COALESCE(LOWER(actor.process.path) = LOWER(process.path), FALSE)

SELECT * FROM <TABLE> WHERE LOWER(raw_message) LIKE '%mimikatz%' ESCAPE '\' OR LOWER(raw_message) LIKE '%sekurlsa::%' ESCAPE '\'

SELECT Image FROM <TABLE> WHERE LOWER(Image) LIKE '%\\cmd.exe' ESCAPE '\'
