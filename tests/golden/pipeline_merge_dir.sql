SELECT * FROM <TABLE> WHERE LOWER(high.low.Image_m_x) = 'x'
