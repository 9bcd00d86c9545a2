SELECT * FROM <TABLE> WHERE REGEXP_LIKE(CommandLine, '\d+\s\.exe') AND REGEXP_LIKE(Image, 'it''s') AND REGEXP_LIKE(Path, 'C:\\Windows\\.*')
