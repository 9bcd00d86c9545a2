SELECT * FROM <TABLE> WHERE LOWER(element_at(unmapped, 'Some.Key')) = 'x' AND LOWER(element_at(unmapped, 'it''s')) = 'y' AND LOWER(mapped.field) = 'z'
