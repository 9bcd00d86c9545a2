/* escape.c - rule text into JSON, YAML and HCL string literals: the one
 * place where the output formats quote text (SQL quoting is src/sql/quote.c).
 * Each writer walks the text character by character, copies what its syntax
 * takes literally and escapes everything else, so that the format's own
 * parser reads back exactly the original text. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "../util/utf8.h"

/* The character at p (at most 4 bytes, never past a NUL or end): its
 * length and code point, or length 1 and U+FFFD for a byte that starts no
 * valid UTF-8 character. */
static size_t next_char(const unsigned char *p, const unsigned char *end, int32_t *cp)
{
    if (*p < 0x80) {
        *cp = *p;
        return 1;
    }
    size_t avail = 1;
    while (avail < 4 && p + avail < end && p[avail])
        avail++;
    size_t len = utf8_decode((const char *)p, avail, cp);
    if (!len) {
        *cp = 0xfffd;
        return 1;
    }
    return len;
}

static void put_u4(sbuf *b, const char *fmt, int32_t cp)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, fmt, (unsigned)cp);
    sb_puts(b, tmp);
}

/* The escapes JSON, YAML and HCL share: \" \\ \n \t \r. Writes the one of
 * cp and returns true, or writes nothing and returns false. */
static bool short_escape(sbuf *b, int32_t cp)
{
    switch (cp) {
    case '"':
    case '\\': sb_putc(b, '\\'); sb_putc(b, (char)cp); return true;
    case '\n': sb_puts(b, "\\n"); return true;
    case '\t': sb_puts(b, "\\t"); return true;
    case '\r': sb_puts(b, "\\r"); return true;
    default: return false;
    }
}

void out_json_str(sbuf *b, const char *s)
{
    if (!s) {
        sb_puts(b, "null");
        return;
    }
    sb_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        const unsigned char *run = p; /* printable ASCII needing no escape: one copy */
        while (*run >= 0x20 && *run < 0x7f && *run != '"' && *run != '\\')
            run++;
        if (run > p) {
            sb_putn(b, (const char *)p, (size_t)(run - p));
            p = run;
            continue;
        }
        if (short_escape(b, c)) {
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            put_u4(b, "\\u%04x", c);
            p++;
        } else {
            int32_t cp;
            size_t len = next_char(p, p + 4, &cp);
            if (cp == 0xfffd && len == 1)
                sb_puts(b, "\\ufffd");
            else
                sb_putn(b, (const char *)p, len);
            p += len;
        }
    }
    sb_putc(b, '"');
}

/* YAML's printable set (YAML 1.1 and 1.2, section "Character Set"): tab,
 * LF, CR, 0x20-0x7E, NEL, 0xA0-0xD7FF, 0xE000-0xFFFD, 0x10000 and up. In a
 * double-quoted scalar the line breaks (LF, CR, NEL, and YAML 1.1's U+2028
 * and U+2029) would be folded, and a BOM is better seen than kept: those
 * are escaped too. */
static bool yaml_literal(int32_t cp)
{
    if (cp >= 0x20 && cp <= 0x7e)
        return true;
    if (cp < 0xa0)
        return false;
    if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
        return false;
    return cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
}

/* The character at p[0..len) (code point cp, U+FFFD with len 1 for an
 * invalid byte) that is not one of the short escapes, as one format writes
 * it; end is the end of the text. */
typedef void (*char_fn)(sbuf *b, const unsigned char *p, const unsigned char *end, size_t len, int32_t cp);

/* A double-quoted string of s[0..n): the short escapes, every other
 * character written by put. */
static void quoted(sbuf *b, const char *s, size_t n, char_fn put)
{
    sb_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        int32_t cp;
        size_t len = next_char(p, end, &cp);
        if (!short_escape(b, cp))
            put(b, p, end, len, cp);
        p += len;
    }
    sb_putc(b, '"');
}

static void yaml_char(sbuf *b, const unsigned char *p, const unsigned char *end, size_t len, int32_t cp)
{
    (void)end;
    if (yaml_literal(cp) && !(cp == 0xfffd && len == 1))
        sb_putn(b, (const char *)p, len);
    else if (cp < 0x100)
        put_u4(b, "\\x%02X", cp);
    else
        put_u4(b, "\\u%04X", cp);
}

void out_yaml_str(sbuf *b, const char *s, size_t n)
{
    quoted(b, s, n, yaml_char);
}

static void hcl_char(sbuf *b, const unsigned char *p, const unsigned char *end, size_t len, int32_t cp)
{
    if ((cp == '$' || cp == '%') && p + 1 < end && p[1] == '{') {
        /* a literal "${" or "%{": the $ or % as a Unicode escape, which
         * HCL's scanner never takes for the start of a template
         * sequence (HCL's "$${" and "%%{" mean the same, but some
         * parsers other than Terraform's mishandle them) */
        put_u4(b, "\\u%04X", cp);
    } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff) {
        put_u4(b, "\\u%04X", cp);
    } else if (cp == 0xfffd && len == 1) {
        sb_puts(b, "\\uFFFD");
    } else {
        sb_putn(b, (const char *)p, len);
    }
}

void out_hcl_str(sbuf *b, const char *s, size_t n)
{
    quoted(b, s, n, hcl_char);
}

size_t out_prefix_len(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max) {
        int32_t cp;
        p += next_char(p, p + 4, &cp);
        n++;
    }
    return (size_t)((const char *)p - s);
}
