SELECT * FROM <TABLE> WHERE LOWER(process.path) = 'x' AND LOWER(actor.user.name) = 'y'

SELECT * FROM <TABLE> WHERE LOWER(CommandLine) LIKE '%net%' ESCAPE '\'
