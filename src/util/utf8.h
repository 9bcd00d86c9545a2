/* utf8.h - UTF-8 decoding and validation (through utf8proc), the one
 * definition of "valid UTF-8" in the project: shortest form only, no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF (RFC 3629). */
#ifndef SIGMA_UTF8_H
#define SIGMA_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the character at s[0..n): returns its length in bytes (1 to 4)
 * and stores the code point in *cp, or returns 0 when the bytes at s are
 * not a valid character (or n is 0); *cp is then left alone. A NUL byte is
 * a valid character of length 1. */
size_t utf8_decode(const char *s, size_t n, int32_t *cp);

/* True if s[0..n) is valid UTF-8 as a whole. */
bool utf8_valid(const char *s, size_t n);

#endif
