SELECT * FROM <TABLE> WHERE NOT (LOWER(CommandLine) = '-x' OR LOWER(CommandLine) = '/x' OR LOWER(CommandLine) = '–x' OR LOWER(CommandLine) = '—x' OR LOWER(CommandLine) = '―x') AND LOWER(Image) = 'a'
