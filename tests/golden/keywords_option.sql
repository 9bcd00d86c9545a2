SELECT * FROM <TABLE> WHERE ((LOWER(raw_data) LIKE '%evil.exe%' ESCAPE '\') OR (LOWER(raw_data) LIKE '%100\%%' ESCAPE '\') OR (LOWER(raw_data) LIKE '%a%b%' ESCAPE '\')) AND LOWER(User) = 'root'
