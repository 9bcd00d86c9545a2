SELECT * FROM <TABLE> WHERE Enabled = true AND Disabled = false AND (Flag = true OR Flag = false)
