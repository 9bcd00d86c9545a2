SELECT * FROM <TABLE> WHERE time >= ? AND time < ? AND LOWER(action) = 'login'
