SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_s3_data_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_lambda_execution_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_route53_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_sh_findings_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_vpc_flow_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_waf_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM amazon_security_lake_table_eu_west_2_eks_audit_2_0 WHERE LOWER(eventName) = 'x'

SELECT * FROM <TABLE> WHERE LOWER(eventName) = 'x'

SELECT * FROM <TABLE> WHERE LOWER(eventName) = 'x'
