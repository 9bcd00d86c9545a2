SELECT status_at_least_test FROM <TABLE> WHERE LOWER(Image) = 'x'

SELECT blue_team FROM <TABLE> WHERE LOWER(Image) = 'x'
