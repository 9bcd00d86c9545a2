SELECT * FROM <TABLE> WHERE (LOWER(raw_data) LIKE '%it''s%' ESCAPE '\' OR LOWER(message) LIKE '%it''s%' ESCAPE '\')
