#include "quote.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

char *sql_lower(arena *a, const char *s, size_t n, size_t *outlen)
{
    /* lower-casing never needs more than 4 bytes per code point; the simple
     * mapping of any 1..4-byte code point fits in at most 4 bytes, and the
     * only growth is U+023A/U+023E (2 bytes) -> 3 bytes. Reserve 3/2 + 4. */
    char *out = arena_alloc(a, n + n / 2 + 8);
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    size_t o = 0;
    while (p < e) {
        if (*p < 0x80) {
            unsigned char c = *p++;
            out[o++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, e - p, &cp);
        if (k <= 0) {
            out[o++] = (char)*p++;
            continue;
        }
        utf8proc_int32_t lc = utf8proc_tolower(cp);
        o += (size_t)utf8proc_encode_char(lc, (utf8proc_uint8_t *)out + o);
        p += k;
    }
    out[o] = 0;
    if (outlen)
        *outlen = o;
    return out;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

void sql_str(sbuf *b, const char *s, size_t n)
{
    bool ctl = false;
    for (size_t i = 0; i < n; i++)
        if (is_ctl((unsigned char)s[i])) {
            ctl = true;
            break;
        }
    if (!ctl) {
        sb_reserve(b, n + 2);
        sb_putc(b, '\'');
        const char *p = s, *e = s + n;
        while (p < e) {
            const char *q = memchr(p, '\'', (size_t)(e - p));
            if (!q) {
                sb_putn(b, p, (size_t)(e - p));
                break;
            }
            sb_putn(b, p, (size_t)(q - p) + 1);
            sb_putc(b, '\'');
            p = q + 1;
        }
        sb_putc(b, '\'');
        return;
    }
    /* ('a' || chr(0) || 'b') */
    sb_putc(b, '(');
    bool first = true, open = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ctl(c)) {
            if (open) {
                sb_putc(b, '\'');
                open = false;
            }
            sb_printf(b, "%schr(%u)", first ? "" : " || ", c);
            first = false;
            continue;
        }
        if (!open) {
            sb_puts(b, first ? "'" : " || '");
            open = true;
            first = false;
        }
        if (c == '\'')
            sb_putc(b, '\'');
        sb_putc(b, (char)c);
    }
    if (open)
        sb_putc(b, '\'');
    sb_putc(b, ')');
}

void sql_like(arena *a, sbuf *b, const sstr *s, bool lower)
{
    /* the pattern is built in the arena: a text byte escapes to at most two
     * bytes, after lower-casing, which grows text by at most half plus 7 */
    size_t cap = 1;
    for (size_t i = 0; i < s->n; i++)
        cap += s->parts[i].kind == SP_TEXT ? 2 * (s->parts[i].n + s->parts[i].n / 2 + 8) : 1;
    char *t = arena_alloc(a, cap);
    size_t tl = 0;
    bool prev_star = false;
    for (size_t i = 0; i < s->n; i++) {
        const spart *p = &s->parts[i];
        switch (p->kind) {
        case SP_STAR:
            if (!prev_star)
                t[tl++] = '%';
            prev_star = true;
            continue;
        case SP_QMARK:
            t[tl++] = '_';
            break;
        case SP_PH: /* unresolved placeholders never reach here */
            break;
        case SP_TEXT: {
            const char *txt = p->s;
            size_t n = p->n;
            if (lower)
                txt = sql_lower(a, p->s, p->n, &n);
            for (size_t k = 0; k < n; k++) {
                char c = txt[k];
                if (c == '%' || c == '_' || c == '\\')
                    t[tl++] = '\\';
                t[tl++] = c;
            }
            if (n == 0)
                continue;
            break;
        }
        }
        prev_star = false;
    }
    sql_str(b, t, tl);
}

static const char *const reserved[] = {
    "ALTER", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CONSTRAINT", "CREATE", "CROSS", "CUBE",
    "CURRENT_CATALOG", "CURRENT_DATE", "CURRENT_PATH", "CURRENT_ROLE", "CURRENT_SCHEMA", "CURRENT_TIME",
    "CURRENT_TIMESTAMP", "CURRENT_USER", "DEALLOCATE", "DELETE", "DESCRIBE", "DISTINCT", "DROP", "ELSE", "END",
    "ESCAPE", "EXCEPT", "EXECUTE", "EXISTS", "EXTRACT", "FALSE", "FOR", "FROM", "FULL", "GROUP", "GROUPING",
    "HAVING", "IN", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "JSON_ARRAY", "JSON_EXISTS",
    "JSON_OBJECT", "JSON_QUERY", "JSON_TABLE", "JSON_VALUE", "LEFT", "LIKE", "LISTAGG", "LOCALTIME",
    "LOCALTIMESTAMP", "NATURAL", "NORMALIZE", "NOT", "NULL", "ON", "OR", "ORDER", "OUTER", "PREPARE",
    "RECURSIVE", "RIGHT", "ROLLUP", "SELECT", "SKIP", "TABLE", "THEN", "TRIM", "TRUE", "UESCAPE", "UNION",
    "UNNEST", "USING", "VALUES", "WHEN", "WHERE", "WITH"};

bool sql_is_reserved(const char *s, size_t n)
{
    if (n < 2 || n > 17)
        return false;
    char up[20];
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[n] = 0;
    size_t lo = 0, hi = sizeof reserved / sizeof *reserved;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(up, reserved[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

static bool plain_ident(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

void sql_ident_part(sbuf *b, const char *s, size_t n)
{
    if (plain_ident(s, n) && !sql_is_reserved(s, n)) {
        sb_putn(b, s, n);
        return;
    }
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            sb_putc(b, '"');
        sb_putc(b, s[i]);
    }
    sb_putc(b, '"');
}

/* Splits field into parts at dots not preceded by a backslash; `\.` becomes
 * a literal dot. Calls fn for each part. */
static size_t next_part(const char *f, char *buf, size_t cap, const char **rest)
{
    size_t n = 0;
    const char *p = f;
    while (*p) {
        if (*p == '\\' && p[1] == '.') {
            if (n < cap)
                buf[n] = '.';
            n++;
            p += 2;
            continue;
        }
        if (*p == '.')
            break;
        if (n < cap)
            buf[n] = *p;
        n++;
        p++;
    }
    *rest = *p == '.' ? p + 1 : NULL;
    return n;
}

void sql_ident(sbuf *b, const char *field, const char *const *element_at, size_t n_element_at)
{
    char stack[256];
    size_t cap = strlen(field) + 1;
    char *buf = cap <= sizeof stack ? stack : NULL;
    sbuf heap = SBUF_INIT;
    if (!buf) {
        sb_reserve(&heap, cap);
        buf = heap.p;
    }
    const char *rest;
    size_t n = next_part(field, buf, cap, &rest);
    if (n_element_at) {
        for (size_t i = 0; i < n_element_at; i++) {
            if (strlen(element_at[i]) == n && memcmp(element_at[i], buf, n) == 0) {
                sb_puts(b, "element_at(");
                sql_ident_part(b, buf, n);
                sb_puts(b, ", ");
                /* the rest of the path, dots as written */
                sbuf r = SBUF_INIT;
                while (rest) {
                    size_t m = next_part(rest, buf, cap, &rest);
                    if (r.len)
                        sb_putc(&r, '.');
                    sb_putn(&r, buf, m);
                }
                sql_str(b, r.p ? r.p : "", r.len);
                sb_free(&r);
                sb_putc(b, ')');
                sb_free(&heap);
                return;
            }
        }
    }
    sql_ident_part(b, buf, n);
    while (rest) {
        n = next_part(rest, buf, cap, &rest);
        sb_putc(b, '.');
        sql_ident_part(b, buf, n);
    }
    sb_free(&heap);
}

void sql_json_path(sbuf *b, const char *const *keys, size_t n)
{
    sbuf p = SBUF_INIT;
    sb_putc(&p, '$');
    for (size_t i = 0; i < n; i++) {
        const char *k = keys[i];
        size_t kn = strlen(k);
        /* a key starting with a digit reads as an index in some engines */
        if (plain_ident(k, kn) && !isdigit((unsigned char)k[0])) {
            sb_putc(&p, '.');
            sb_putn(&p, k, kn);
            continue;
        }
        sb_puts(&p, "[\"");
        for (size_t j = 0; j < kn; j++) {
            if (k[j] == '"' || k[j] == '\\')
                sb_putc(&p, '\\');
            sb_putc(&p, k[j]);
        }
        sb_puts(&p, "\"]");
    }
    sql_str(b, p.p, p.len);
    sb_free(&p);
}

bool sql_valid_table(const char *s)
{
    const char *p = s;
    if (!*p)
        return false;
    for (;;) {
        if (*p == '"') {
            p++;
            size_t n = 0;
            for (;;) {
                if (!*p)
                    return false;
                if (*p == '"') {
                    if (p[1] == '"') {
                        p += 2;
                        n++;
                        continue;
                    }
                    break;
                }
                if ((unsigned char)*p < 0x20)
                    return false;
                p++;
                n++;
            }
            if (!n)
                return false;
            p++;
        } else {
            if (!(isalpha((unsigned char)*p) || *p == '_'))
                return false;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
        }
        if (!*p)
            return true;
        if (*p != '.')
            return false;
        p++;
    }
}
