SELECT * FROM <TABLE> WHERE LOWER(Host) IN ('a.example', 'b.example') AND NOT (LOWER(Src) LIKE '10.%' ESCAPE '\' OR LOWER(Src) LIKE '192.168.%' ESCAPE '\')

SELECT * FROM <TABLE> WHERE LOWER(Host) = 'c.example' AND NOT (LOWER(Src) LIKE '10.%' ESCAPE '\' OR LOWER(Src) LIKE '192.168.%' ESCAPE '\')

SELECT * FROM <TABLE> WHERE LOWER(Host) = 'd.example'
