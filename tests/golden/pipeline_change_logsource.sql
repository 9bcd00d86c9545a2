SELECT * FROM sysmon_events WHERE LOWER(Image) = 'x'

SELECT * FROM <TABLE> WHERE LOWER(Image) = 'x'
