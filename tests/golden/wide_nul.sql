SELECT * FROM <TABLE> WHERE LOWER(A) = ('a' || chr(0) || 'b' || chr(0)) AND LOWER(B) LIKE ('%c' || chr(0) || 'd' || chr(0) || '%') ESCAPE '\' AND LOWER(C) = (chr(0) || 'e') AND LOWER(D) = 'yqbiaa=='
