/* utf8.c - UTF-8 decoding and validation (utf8.h). */
#include "utf8.h"

#include <string.h>
#include <utf8proc.h>

size_t utf8_decode(const char *s, size_t n, int32_t *cp)
{
    if (!n)
        return 0;
    utf8proc_int32_t c;
    /* utf8proc reads at most 4 bytes and never past the length given */
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, n > 4 ? 4 : (utf8proc_ssize_t)n, &c);
    if (k <= 0)
        return 0;
    *cp = c;
    return (size_t)k;
}

bool utf8_valid(const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    while (p < e) {
        uint64_t w;
        if (e - p >= 8 && (memcpy(&w, p, 8), (w & UINT64_C(0x8080808080808080)) == 0)) {
            p += 8; /* eight ASCII bytes */
            continue;
        }
        if ((unsigned char)*p < 0x80) {
            p++;
            continue;
        }
        int32_t cp;
        size_t k = utf8_decode(p, (size_t)(e - p), &cp);
        if (!k)
            return false;
        p += k;
    }
    return true;
}
