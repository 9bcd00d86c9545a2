SELECT * FROM <TABLE> WHERE LOWER(EventID) = '4688' AND Port = 31 AND Ratio = 2.5 AND Enabled = true AND Missing IS NULL AND Name = 12 AND LOWER(Image) = 'yes'
