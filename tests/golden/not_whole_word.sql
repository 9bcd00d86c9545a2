SELECT * FROM <TABLE> WHERE LOWER(Image) = 'notepad.exe' AND LOWER(A) = 'x' OR LOWER(B) = 'y'
