/* ascii.h - ASCII character classes the parsers share, independent of the
 * C locale (unlike <ctype.h>). */
#ifndef SIGMA_ASCII_H
#define SIGMA_ASCII_H

/* The value of hexadecimal digit c (0-9, a-f, A-F), or -1 for any other
 * character. */
static inline int ascii_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
