SELECT * FROM <TABLE> WHERE EventID = 1 AND LOWER(Image) = 'a.exe'

SELECT * FROM <TABLE> WHERE EventID = 1 AND LOWER(TargetFilename) = 'b.txt'
