SELECT * FROM amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2 WHERE LOWER(eventName) = 'x'

SELECT * FROM other.events WHERE LOWER(eventName) = 'x'
