SELECT * FROM db.events WHERE LOWER(A) = 'x'
