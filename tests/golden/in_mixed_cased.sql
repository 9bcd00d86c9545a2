SELECT * FROM <TABLE> WHERE A IN ('X', 'Y') OR LOWER(A) IN ('p', 'q') OR B = 'Up' OR LOWER(B) = 'down'
