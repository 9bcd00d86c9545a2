SELECT * FROM was_nested WHERE LOWER(host) = 'dc1' AND LOWER(win.image) = 'x'

SELECT * FROM was_nested WHERE LOWER(win.image) = 'x'

SELECT * FROM <TABLE> WHERE LOWER(Image) = 'x'
