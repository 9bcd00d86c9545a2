SELECT * FROM <TABLE> WHERE LOWER(A) = 'straße' AND LOWER(B) = 'istanbul' AND LOWER(C) = 'σασ' AND LOWER(D) = 'àéî' AND LOWER(E) LIKE '%ǆ%' ESCAPE '\'
