SELECT Image, CommandLine, "Some-Field", "Group", x as y, count(*) as n FROM <TABLE> WHERE LOWER(A) = 'x'
