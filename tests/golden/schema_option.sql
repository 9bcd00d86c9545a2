SELECT * FROM default.cloudtrail_logs WHERE LOWER(eventname) = 'consolelogin' AND LOWER(useridentity.type) = 'root'
