SELECT dst.Ip, Other FROM <TABLE> WHERE dst.Port = 445 AND (LOWER(src.Ip) LIKE '10.%' ESCAPE '\' OR LOWER(origin.Ip) LIKE '10.%' ESCAPE '\') AND TargetPort = 1
