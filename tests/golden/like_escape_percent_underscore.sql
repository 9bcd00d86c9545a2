SELECT * FROM <TABLE> WHERE LOWER(CommandLine) LIKE '%100\%\_done%' ESCAPE '\' AND LOWER(Image) = 'a%b_c' AND LOWER(Foo) IN ('a%b', 'c_d', 'e\f')
