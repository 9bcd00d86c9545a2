/* value.c - Sigma strings (parts), values and number formatting. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Sigma strings ------------------------------------------------------ */

sstr sstr_parse(arena *a, const char *s, size_t n)
{
    sstr r = {NULL, 0};
    if (n == 0)
        return r;
    /* one wildcard part per * or ?, and at most one text part around each */
    size_t maxp = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*' || s[i] == '?')
            maxp += 2;
        else if (s[i] == '\\' && i + 1 < n)
            i++;
    }
    spart *parts = arena_alloc(a, maxp * sizeof *parts);
    char *buf = arena_alloc(a, n + 1);
    size_t np = 0, bl = 0, tstart = 0;
#define FLUSH_TEXT()                                                  \
    do {                                                              \
        if (bl > tstart) {                                            \
            parts[np].kind = SP_TEXT;                                 \
            parts[np].s = buf + tstart;                               \
            parts[np].n = bl - tstart;                                \
            np++;                                                     \
        }                                                             \
        tstart = bl;                                                  \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '*' || c == '?') {
            FLUSH_TEXT();
            parts[np].kind = c == '*' ? SP_STAR : SP_QMARK;
            parts[np].s = NULL;
            parts[np].n = 0;
            np++;
        } else if (c == '\\' && i + 1 < n) {
            char d = s[i + 1];
            if (d == '*' || d == '?' || d == '\\') {
                buf[bl++] = d;
            } else {
                buf[bl++] = '\\';
                buf[bl++] = d;
            }
            i++;
        } else {
            buf[bl++] = c;
        }
    }
    FLUSH_TEXT();
#undef FLUSH_TEXT
    r.parts = parts;
    r.n = np;
    return r;
}

sstr sstr_plain(arena *a, const char *s, size_t n)
{
    sstr r = {NULL, 0};
    if (n == 0)
        return r;
    r.parts = arena_alloc(a, sizeof *r.parts);
    r.parts[0].kind = SP_TEXT;
    r.parts[0].s = arena_strndup(a, s, n);
    r.parts[0].n = n;
    r.n = 1;
    return r;
}

bool sstr_has_wildcard(const sstr *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->parts[i].kind == SP_STAR || s->parts[i].kind == SP_QMARK)
            return true;
    return false;
}

bool sstr_has_placeholder(const sstr *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->parts[i].kind == SP_PH)
            return true;
    return false;
}

/* Wildcards render as `*`/`?` and placeholders as `%name%` (only meaningful
 * for wildcard-free strings, but never fails). */
char *sstr_text(arena *a, const sstr *s, size_t *len)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->parts[i].kind == SP_TEXT ? s->parts[i].n
             : s->parts[i].kind == SP_PH ? s->parts[i].n + 2
                                          : 1;
    char *p = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const spart *pt = &s->parts[i];
        switch (pt->kind) {
        case SP_TEXT:
            if (pt->n)
                memcpy(p + k, pt->s, pt->n);
            k += pt->n;
            break;
        case SP_STAR: p[k++] = '*'; break;
        case SP_QMARK: p[k++] = '?'; break;
        case SP_PH:
            p[k++] = '%';
            if (pt->n)
                memcpy(p + k, pt->s, pt->n);
            k += pt->n;
            p[k++] = '%';
            break;
        }
    }
    p[k] = 0;
    if (len)
        *len = k;
    return p;
}

/* Literal `*`, `?` are escaped; a literal backslash is escaped only where
 * leaving it bare would change the parse (before a wildcard, a literal `*`,
 * `?` or another backslash), so `a\b` renders as written and the output
 * always parses back to the same string. Placeholders render as %name%. */
char *sstr_sigma(arena *a, const sstr *s)
{
    size_t cap = 1;
    for (size_t i = 0; i < s->n; i++)
        cap += 2 * s->parts[i].n + 2;
    char *p = arena_alloc(a, cap);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const spart *pt = &s->parts[i];
        switch (pt->kind) {
        case SP_TEXT:
            for (size_t j = 0; j < pt->n; j++) {
                char c = pt->s[j];
                if (c == '*' || c == '?') {
                    p[k++] = '\\';
                    p[k++] = c;
                } else if (c == '\\') {
                    bool esc;
                    if (j + 1 < pt->n) {
                        char d = pt->s[j + 1];
                        esc = d == '*' || d == '?' || d == '\\';
                    } else {
                        /* next part (empty text parts are skipped) */
                        size_t q = i + 1;
                        while (q < s->n && s->parts[q].kind == SP_TEXT && s->parts[q].n == 0)
                            q++;
                        if (q >= s->n || s->parts[q].kind == SP_PH)
                            esc = false;
                        else if (s->parts[q].kind == SP_TEXT) {
                            char d = s->parts[q].s[0];
                            esc = d == '*' || d == '?' || d == '\\';
                        } else
                            esc = true;
                    }
                    if (esc)
                        p[k++] = '\\';
                    p[k++] = c;
                } else {
                    p[k++] = c;
                }
            }
            break;
        case SP_STAR: p[k++] = '*'; break;
        case SP_QMARK: p[k++] = '?'; break;
        case SP_PH:
            p[k++] = '%';
            if (pt->n)
                memcpy(p + k, pt->s, pt->n);
            k += pt->n;
            p[k++] = '%';
            break;
        }
    }
    p[k] = 0;
    return p;
}

sstr sstr_concat(arena *a, const sstr *x, const sstr *y)
{
    sstr r = {NULL, 0};
    size_t n = x->n + y->n;
    if (n == 0)
        return r;
    r.parts = arena_alloc(a, n * sizeof *r.parts);
    if (x->n)
        memcpy(r.parts, x->parts, x->n * sizeof *r.parts);
    if (y->n)
        memcpy(r.parts + x->n, y->parts, y->n * sizeof *r.parts);
    r.n = n;
    return sstr_normalize(a, r);
}

static const spart *first_nonempty(const sstr *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->parts[i].kind != SP_TEXT || s->parts[i].n)
            return &s->parts[i];
    return NULL;
}

static const spart *last_nonempty(const sstr *s)
{
    for (size_t i = s->n; i-- > 0;)
        if (s->parts[i].kind != SP_TEXT || s->parts[i].n)
            return &s->parts[i];
    return NULL;
}

bool sstr_starts_star(const sstr *s)
{
    const spart *p = first_nonempty(s);
    return p && p->kind == SP_STAR;
}

bool sstr_ends_star(const sstr *s)
{
    const spart *p = last_nonempty(s);
    return p && p->kind == SP_STAR;
}

static spart star_part = {SP_STAR, NULL, 0};

sstr sstr_star(void)
{
    sstr r = {&star_part, 1};
    return r;
}

sstr sstr_normalize(arena *a, sstr s)
{
    sstr r = {NULL, 0};
    if (s.n == 0)
        return r;
    r.parts = arena_alloc(a, s.n * sizeof *r.parts);
    for (size_t i = 0; i < s.n;) {
        const spart *p = &s.parts[i];
        if (p->kind != SP_TEXT) {
            r.parts[r.n++] = *p;
            i++;
            continue;
        }
        size_t j = i, len = 0, cnt = 0;
        for (; j < s.n && s.parts[j].kind == SP_TEXT; j++) {
            len += s.parts[j].n;
            if (s.parts[j].n)
                cnt++;
        }
        if (cnt == 1) {
            for (size_t q = i; q < j; q++)
                if (s.parts[q].n)
                    r.parts[r.n++] = s.parts[q];
        } else if (cnt > 1) {
            char *buf = arena_alloc(a, len + 1);
            size_t k = 0;
            for (size_t q = i; q < j; q++) {
                if (s.parts[q].n)
                    memcpy(buf + k, s.parts[q].s, s.parts[q].n);
                k += s.parts[q].n;
            }
            r.parts[r.n].kind = SP_TEXT;
            r.parts[r.n].s = buf;
            r.parts[r.n].n = len;
            r.n++;
        }
        i = j;
    }
    if (r.n == 0)
        r.parts = NULL;
    return r;
}

/* ---- values ------------------------------------------------------------- */

svalue *sv_new(arena *a, svkind k)
{
    svalue *v = arena_alloc(a, sizeof *v);
    v->kind = k;
    return v;
}

svalue *sv_str(arena *a, sstr s)
{
    svalue *v = sv_new(a, SV_STR);
    v->str = s;
    return v;
}

/* ---- numbers ------------------------------------------------------------ */

/* Shortest round-trip digits of a finite non-zero |d|: digits (no dot, no
 * trailing zeros) and the decimal exponent of the first digit. */
static void shortest_digits(double d, char *digits, int *exp10)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* buf: [-]D[.DDD]e[+-]XX */
    const char *p = buf;
    if (*p == '-')
        p++;
    size_t k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = 0;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
}

const char *snum_repr(arena *a, double d)
{
    if (isnan(d))
        return "nan";
    if (isinf(d))
        return d < 0 ? "-inf" : "inf";
    if (d == 0)
        return signbit(d) ? "-0.0" : "0.0";
    char digits[40], out[400];
    int e;
    shortest_digits(d, digits, &e);
    size_t nd = strlen(digits), k = 0;
    if (d < 0)
        out[k++] = '-';
    if (e < -4 || e >= 16) {
        out[k++] = digits[0];
        if (nd > 1) {
            out[k++] = '.';
            memcpy(out + k, digits + 1, nd - 1);
            k += nd - 1;
        }
        snprintf(out + k, sizeof out - k, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        return arena_strdup(a, out);
    }
    if (e < 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -e - 1; i++)
            out[k++] = '0';
        memcpy(out + k, digits, nd);
        k += nd;
    } else {
        size_t intlen = (size_t)e + 1;
        for (size_t i = 0; i < intlen; i++)
            out[k++] = i < nd ? digits[i] : '0';
        out[k++] = '.';
        if (nd > intlen) {
            memcpy(out + k, digits + intlen, nd - intlen);
            k += nd - intlen;
        } else {
            out[k++] = '0';
        }
    }
    out[k] = 0;
    return arena_strdup(a, out);
}

/* Integral and finite, without libm: every double >= 2^52 is integral. */
bool snum_integral(double d)
{
    if (isnan(d) || isinf(d))
        return false;
    double m = d < 0 ? -d : d;
    if (m >= 4503599627370496.0)
        return true;
    return (double)(int64_t)d == d;
}

const char *snum_format(arena *a, double d)
{
    if (snum_integral(d)) {
        if (d == 0)
            return "0";
        return arena_printf(a, "%.0f", d);
    }
    return snum_repr(a, d);
}
