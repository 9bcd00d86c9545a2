a(b(SELECT * FROM from_a_y WHERE LOWER(a_after_b) = 'x'))
