SELECT * FROM <TABLE> WHERE EventID = 4688 AND Level = 1.5 AND Offset = -3 AND Mask = 31 AND LOWER(Quoted) = '4688'
