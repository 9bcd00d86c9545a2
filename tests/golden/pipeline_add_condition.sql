SELECT * FROM <TABLE> WHERE EventID = 1 AND (LOWER(Image) LIKE '%\\a.exe' ESCAPE '\' OR LOWER(Image) LIKE '%\\b.exe' ESCAPE '\')

SELECT * FROM <TABLE> WHERE EventID = 1 AND (LOWER(Image) LIKE '%\\a.exe' ESCAPE '\' OR LOWER(Image) LIKE '%\\b.exe' ESCAPE '\')

SELECT * FROM <TABLE> WHERE NOT COALESCE(LOWER(Initiated) = 'false' AND DestinationPort < 1024, FALSE) AND LOWER(DestinationHostname) LIKE '%.onion' ESCAPE '\'

SELECT * FROM <TABLE> WHERE LOWER(Channel) = 'linux/process_creation' AND LOWER(Image) = '/bin/sh'

SELECT * FROM <TABLE> WHERE LOWER(TargetFilename) LIKE '%.lnk' ESCAPE '\'
