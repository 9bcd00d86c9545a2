SELECT * FROM cloudtrail_logs WHERE LOWER(eventname) = 'deletesamlprovider' AND LOWER(status) = 'success' AND LOWER(userIdentity.sessionContext.sessionIssuer.typ) = 'role'
