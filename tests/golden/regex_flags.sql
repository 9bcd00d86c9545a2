SELECT * FROM <TABLE> WHERE REGEXP_LIKE(A, '(?i)abc') OR REGEXP_LIKE(B, '(?ims)^x.y$') OR REGEXP_LIKE(C, '(?is)q.r') OR REGEXP_LIKE(D, '(?m)^z')
