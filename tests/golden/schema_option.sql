SELECT * FROM default.cloudtrail_logs WHERE LOWER(eventName) = 'consolelogin' AND LOWER(userIdentity.type) = 'root'
