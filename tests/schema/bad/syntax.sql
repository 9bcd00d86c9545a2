-- a column list with a missing comma
CREATE EXTERNAL TABLE events (
  id bigint
  name string)
LOCATION 's3://bucket/';
