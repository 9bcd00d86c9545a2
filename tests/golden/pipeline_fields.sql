SELECT Image, User, Secret, EventID, Computer FROM <TABLE> WHERE LOWER(Image) = 'x'

SELECT eventTime, count(*) as n, extra FROM <TABLE> WHERE LOWER(eventName) = 'x'

SELECT * FROM <TABLE> WHERE LOWER(Image) = 'x'
