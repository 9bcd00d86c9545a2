CREATE EXTERNAL TABLE `logs`.`dns` (
  `query` struct<hostname:string,type:string>,
  `answers` array<struct<rdata:string>>)
PARTITIONED BY (`dt` string);
