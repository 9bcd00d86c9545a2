-- Process rule [5e1c1f5e-0000-4000-8000-000000000001] win
SELECT * FROM <TABLE> WHERE lower(Image) = 'x'

{"name": "-- File rule [None] win\n/* SELECT * FROM <TABLE> WHERE lower(TargetFilename) = '\u00fc' */", "enabled": true, "n": [1, 2.5, null]}
