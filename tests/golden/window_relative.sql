SELECT * FROM <TABLE> WHERE time >= current_timestamp - INTERVAL '15' MINUTE AND (LOWER(action) = 'login' OR LOWER(user) = 'admin')
