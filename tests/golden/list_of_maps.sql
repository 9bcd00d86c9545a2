SELECT * FROM <TABLE> WHERE (LOWER(A) = 'x' AND LOWER(B) = 'y' OR LOWER(C) = 'z') AND NOT (LOWER(D) = '-q' OR LOWER(D) = '/q' OR LOWER(D) = '–q' OR LOWER(D) = '—q' OR LOWER(D) = '―q')
