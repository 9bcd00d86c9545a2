SELECT * FROM <TABLE> WHERE (LOWER(DestinationIp) LIKE '10.0.0.%' ESCAPE '\' OR LOWER(DestinationIp) LIKE '10.0.1.%' ESCAPE '\') AND LOWER(User) = 'x'
