[
  "SELECT * FROM <TABLE> WHERE LOWER(Image) = 'it''s \"q\" \u00e9'",
  "SELECT * FROM <TABLE> WHERE LOWER(Image) = 'y'"
]
