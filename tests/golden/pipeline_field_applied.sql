SELECT img_mapped, unmapped.User FROM <TABLE> WHERE LOWER(img) = 'x' AND LOWER(unmapped.User) = 'y'
