SELECT * FROM <TABLE> WHERE LOWER(A) IN ('x', '3', 'y', '4') AND LOWER(B) = 'z'
