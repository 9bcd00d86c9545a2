SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(api.operation) = 'stoplogging'
