-- {security.events_prod} Option var (high)
SELECT * FROM security.events_prod WHERE LOWER(Image) = 'x'
