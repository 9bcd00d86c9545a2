SELECT * FROM events WHERE LOWER(Id) = 'ok'
