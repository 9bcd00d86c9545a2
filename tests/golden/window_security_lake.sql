SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE time_dt >= current_timestamp - INTERVAL '15' MINUTE AND LOWER(api.operation) = 'consolelogin'
