/* yaml.c - YAML documents to ynode trees via libyaml's event API.
 *
 * The tree is built iteratively: open collections live on an explicit frame
 * stack (bounded by SIGMA_MAX_YAML_DEPTH) and their children on one shared
 * item stack; a closing collection copies its slice of the item stack into
 * the arena. The item stack and the key table of merges are the only
 * malloc'd memory (scratch, freed when yaml_load returns, so it does not
 * stay in the arena once per file); everything else comes from the arena.
 *
 * The result is what PyYAML's SafeLoader (YAML 1.1) constructs, since that
 * is what pySigma reads: scalar typing by its implicit resolvers (the
 * regular expressions are implemented by hand below), its constructors for
 * explicit tags, and merge keys ("<<") resolved when a mapping closes, in
 * the key order PyYAML's flatten_mapping and dict give. What SafeLoader
 * refuses is an error here too, with its message and position; the
 * differences are listed in docs/yaml.md.
 */
#include "ynode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../util/ascii.h"
#include "../util/base.h"
#include "../util/hash.h"
#include "../util/limits.h"

/* ------------------------------------------------------------------------ */
/* Scalar resolution                                                        */
/* ------------------------------------------------------------------------ */

static bool is_dig(char c) { return c >= '0' && c <= '9'; }
static bool is_oct(char c) { return c >= '0' && c <= '7'; }
static bool is_hex(char c) { return ascii_hex_value(c) >= 0; }

static bool text_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n == m && memcmp(s, lit, m) == 0;
}

/* ~ | null | Null | NULL | (empty) */
static bool match_null(const char *s, size_t n)
{
    return n == 0 || text_eq(s, n, "~") || text_eq(s, n, "null") || text_eq(s, n, "Null") ||
           text_eq(s, n, "NULL");
}

/* Returns 1 (true), 0 (false) or -1 (not a PyYAML bool). */
static int match_bool(const char *s, size_t n)
{
    static const char *const yes[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const no[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    if (n < 2 || n > 5)
        return -1;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (text_eq(s, n, yes[i]))
            return 1;
        if (text_eq(s, n, no[i]))
            return 0;
    }
    return -1;
}

/* strtod() of s[0..n) with every '_' removed. The text has already been
 * validated by a matcher, so it only holds digits, sign, '.', e/E. */
static double strtod_clean(const char *s, size_t n)
{
    char small[128];
    char *buf = small;
    if (n + 1 > sizeof small) {
        buf = malloc(n + 1);
        if (!buf)
            sigma_oom();
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            buf[k++] = s[i];
    buf[k] = 0;
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return d;
}

typedef struct numval {
    bool big;
    int64_t i;
    double d;
} numval;

/* Accumulates one digit into a magnitude that saturates into *ovf. */
static void acc_digit(uint64_t *mag, bool *ovf, double *d, unsigned base, unsigned digit)
{
    if (!*ovf) {
        if (*mag > (UINT64_MAX - digit) / base)
            *ovf = true;
        else
            *mag = *mag * base + digit;
    }
    *d = *d * base + digit;
}

/* Finishes an integer: sign, int64 range check, value as a double. */
static void int_finish(numval *out, bool neg, uint64_t mag, bool ovf, double d)
{
    uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (ovf || mag > lim) {
        out->big = true;
        out->i = 0;
        out->d = neg ? -d : d;
        return;
    }
    out->big = false;
    if (neg)
        out->i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        out->i = (int64_t)mag;
    out->d = (double)out->i;
}

/* Checks (:[0-5]?[0-9])+ starting at s[*i] (which must be ':'); on success
 * advances *i past the last group and feeds each group to the accumulators
 * as a base-60 digit. */
static bool sexa_groups(const char *s, size_t n, size_t *i, uint64_t *mag, bool *ovf, double *d)
{
    size_t k = *i;
    if (k >= n || s[k] != ':')
        return false;
    while (k < n && s[k] == ':') {
        k++;
        size_t st = k;
        while (k < n && is_dig(s[k]) && k - st < 3)
            k++;
        size_t nd = k - st;
        if (nd == 0 || nd > 2 || (nd == 2 && s[st] > '5'))
            return false;
        unsigned g = nd == 1 ? (unsigned)(s[st] - '0') : (unsigned)((s[st] - '0') * 10 + (s[st + 1] - '0'));
        acc_digit(mag, ovf, d, 60, g);
    }
    *i = k;
    return true;
}

/* PyYAML int:
 *   [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*)
 *   | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
 * A match without any digit after the prefix ("0b_", "0x_") would make
 * PyYAML itself fail; it is reported as no match (a string). */
static bool parse_int(const char *s, size_t n, numval *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (i >= n)
        return false;
    uint64_t mag = 0;
    bool ovf = false;
    double d = 0;
    size_t ndig = 0;
    if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'b' || s[i + 1] == 'x')) {
        bool hex = s[i + 1] == 'x';
        i += 2;
        if (i >= n)
            return false;
        for (; i < n; i++) {
            if (s[i] == '_')
                continue;
            if (hex ? !is_hex(s[i]) : (s[i] != '0' && s[i] != '1'))
                return false;
            acc_digit(&mag, &ovf, &d, hex ? 16 : 2, (unsigned)ascii_hex_value(s[i]));
            ndig++;
        }
        if (!ndig)
            return false;
        int_finish(out, neg, mag, ovf, d);
        return true;
    }
    if (s[i] == '0') {
        /* "0" alone, or octal 0[0-7_]+ */
        for (i++; i < n; i++) {
            if (s[i] == '_')
                continue;
            if (!is_oct(s[i]))
                return false;
            acc_digit(&mag, &ovf, &d, 8, (unsigned)(s[i] - '0'));
        }
        int_finish(out, neg, mag, ovf, d);
        return true;
    }
    if (s[i] < '1' || s[i] > '9')
        return false;
    size_t start = i;
    for (; i < n && (is_dig(s[i]) || s[i] == '_'); i++)
        if (s[i] != '_')
            acc_digit(&mag, &ovf, &d, 10, (unsigned)(s[i] - '0'));
    if (i == n) {
        int_finish(out, neg, mag, ovf, d);
        if (out->big) /* correctly rounded double for big decimals */
            out->d = (neg ? -1 : 1) * strtod_clean(s + start, n - start);
        return true;
    }
    if (!sexa_groups(s, n, &i, &mag, &ovf, &d) || i != n)
        return false;
    int_finish(out, neg, mag, ovf, d);
    return true;
}

/* Optional exponent [eE][-+][0-9]+ at s[*i]; false if malformed. */
static bool opt_exponent(const char *s, size_t n, size_t *i)
{
    size_t k = *i;
    if (k >= n || (s[k] != 'e' && s[k] != 'E'))
        return true;
    k++;
    if (k >= n || (s[k] != '-' && s[k] != '+'))
        return false;
    k++;
    size_t st = k;
    while (k < n && is_dig(s[k]))
        k++;
    if (k == st)
        return false;
    *i = k;
    return true;
}

/* PyYAML float:
 *   [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
 *   | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
 *   | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
 *   | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)   (PyYAML 6) */
static bool parse_float(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool sign = false, neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        sign = true;
        neg = s[i] == '-';
        i++;
    }
    if (i >= n)
        return false;
    if (s[i] == '.') {
        const char *r = s + i + 1;
        size_t rn = n - i - 1;
        if (text_eq(r, rn, "inf") || text_eq(r, rn, "Inf") || text_eq(r, rn, "INF")) {
            *out = neg ? -INFINITY : INFINITY;
            return true;
        }
        if (sign)
            return false;
        if (text_eq(r, rn, "nan") || text_eq(r, rn, "NaN") || text_eq(r, rn, "NAN")) {
            *out = NAN;
            return true;
        }
        /* PyYAML >= 5.1: \.[0-9][0-9_]* (older: \.[0-9_]+, which let
         * "._" through to a ValueError) */
        size_t k = i + 1;
        if (k >= n || !is_dig(s[k]))
            return false;
        while (k < n && (is_dig(s[k]) || s[k] == '_'))
            k++;
        if (!opt_exponent(s, n, &k) || k != n)
            return false;
        *out = strtod_clean(s, n);
        return true;
    }
    if (!is_dig(s[i]))
        return false;
    size_t k = i;
    uint64_t mag = 0;
    bool ovf = false;
    double d = 0;
    for (; k < n && (is_dig(s[k]) || s[k] == '_'); k++)
        if (s[k] != '_')
            acc_digit(&mag, &ovf, &d, 10, (unsigned)(s[k] - '0'));
    if (k < n && s[k] == '.') {
        k++;
        while (k < n && (is_dig(s[k]) || s[k] == '_'))
            k++;
        if (!opt_exponent(s, n, &k) || k != n)
            return false;
        *out = strtod_clean(s, n);
        return true;
    }
    if (k >= n || s[k] != ':')
        return false;
    if (!sexa_groups(s, n, &k, &mag, &ovf, &d) || k >= n || s[k] != '.')
        return false;
    size_t dot = k;
    for (k++; k < n && (is_dig(s[k]) || s[k] == '_'); k++)
        ;
    if (k != n)
        return false;
    /* the fraction belongs to the last (units) group */
    char frac[64];
    size_t fl = 0;
    frac[fl++] = '0';
    frac[fl++] = '.';
    for (size_t j = dot + 1; j < n && fl < sizeof frac - 1; j++)
        if (s[j] != '_')
            frac[fl++] = s[j];
    frac[fl] = 0;
    d += strtod(frac, NULL);
    *out = neg ? -d : d;
    return true;
}

/* Up to max digits at s[*i] (at least min); advances *i. */
static bool digits(const char *s, size_t n, size_t *i, size_t min, size_t max)
{
    size_t k = *i;
    while (k < n && is_dig(s[k]) && k - *i < max)
        k++;
    if (k - *i < min || (k < n && is_dig(s[k])))
        return false;
    *i = k;
    return true;
}

/* PyYAML timestamp (the implicit resolver's pattern):
 *   [0-9]{4}-[0-9]{2}-[0-9]{2}
 *   | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}
 *     (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?
 * With short_date, a date alone may also have one-digit month and day, as
 * the pattern of PyYAML's !!timestamp constructor allows. */
static bool match_date(const char *s, size_t n, bool short_date)
{
    if (n < 8 || !is_dig(s[0]))
        return false;
    if (n == 10 && s[4] == '-' && s[7] == '-') {
        bool ok = true;
        for (size_t j = 0; j < 10; j++)
            if (j != 4 && j != 7 && !is_dig(s[j]))
                ok = false;
        if (ok)
            return true;
    }
    size_t i = 0;
    if (!digits(s, n, &i, 4, 4) || i >= n || s[i++] != '-')
        return false;
    if (!digits(s, n, &i, 1, 2) || i >= n || s[i++] != '-')
        return false;
    if (!digits(s, n, &i, 1, 2))
        return false;
    if (i == n)
        return short_date;
    if (s[i] == 'T' || s[i] == 't') {
        i++;
    } else if (s[i] == ' ' || s[i] == '\t') {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
    } else {
        return false;
    }
    if (!digits(s, n, &i, 1, 2) || i >= n || s[i++] != ':')
        return false;
    if (!digits(s, n, &i, 2, 2) || i >= n || s[i++] != ':')
        return false;
    if (!digits(s, n, &i, 2, 2))
        return false;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_dig(s[i]))
            i++;
    }
    if (i == n)
        return true;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n)
        return false;
    if (s[i] == 'Z')
        return i + 1 == n;
    if (s[i] != '-' && s[i] != '+')
        return false;
    i++;
    if (!digits(s, n, &i, 1, 2))
        return false;
    if (i == n)
        return true;
    if (s[i++] != ':')
        return false;
    return digits(s, n, &i, 2, 2) && i == n;
}

static void scalar_clear_value(ynode *n)
{
    n->u.s.type = YT_STR;
    n->u.s.bval = false;
    n->u.s.int_big = false;
    n->u.s.ival = 0;
    n->u.s.fval = 0;
}

static bool set_int(ynode *n)
{
    numval v;
    if (!parse_int(n->u.s.text, n->u.s.len, &v))
        return false;
    n->u.s.type = YT_INT;
    n->u.s.int_big = v.big;
    n->u.s.ival = v.i;
    n->u.s.fval = v.d;
    return true;
}

static bool set_float(ynode *n)
{
    double d;
    if (!parse_float(n->u.s.text, n->u.s.len, &d))
        return false;
    n->u.s.type = YT_FLOAT;
    n->u.s.fval = d;
    return true;
}

void yaml_resolve_plain(ynode *n)
{
    const char *s = n->u.s.text;
    size_t len = n->u.s.len;
    int b;
    scalar_clear_value(n);
    if (match_null(s, len)) {
        n->u.s.type = YT_NULL;
    } else if ((b = match_bool(s, len)) >= 0) {
        n->u.s.type = YT_BOOL;
        n->u.s.bval = b == 1;
    } else if (set_int(n) || set_float(n)) {
        /* typed */
    } else if (match_date(s, len, false)) {
        n->u.s.type = YT_DATE;
    }
}

/* ------------------------------------------------------------------------ */
/* Explicit tags (PyYAML's SafeConstructor)                                 */
/* ------------------------------------------------------------------------ */

/* What SafeLoader does with a tag. */
typedef enum {
    TG_IMPLICIT, /* no tag, or the non-specific "!": resolved from the text */
    TG_STR,
    TG_NULL,
    TG_BOOL,
    TG_INT,
    TG_FLOAT,
    TG_TIMESTAMP,
    TG_BINARY, /* bytes in PyYAML: refused here */
    TG_SET,    /* a Python set: refused here */
    TG_OMAP,   /* a list of pairs: refused here */
    TG_PAIRS,  /* a list of pairs: refused here */
    TG_SEQ,
    TG_MAP,
    TG_MERGE, /* "<<": a merge key; nothing can be constructed from it */
    TG_VALUE, /* "=": a string as a mapping key; nothing elsewhere */
    TG_OTHER, /* any other tag: SafeLoader has no constructor for it */
} tagkind;

static tagkind tag_kind(const char *tag)
{
    static const char pre[] = "tag:yaml.org,2002:";
    static const struct {
        const char *name;
        tagkind kind;
    } std[] = {
        {"str", TG_STR},         {"null", TG_NULL},   {"bool", TG_BOOL},   {"int", TG_INT},
        {"float", TG_FLOAT},     {"binary", TG_BINARY}, {"set", TG_SET},   {"omap", TG_OMAP},
        {"pairs", TG_PAIRS},     {"seq", TG_SEQ},     {"map", TG_MAP},     {"merge", TG_MERGE},
        {"value", TG_VALUE},     {"timestamp", TG_TIMESTAMP},
    };
    if (!tag || strcmp(tag, "!") == 0)
        return TG_IMPLICIT;
    if (strncmp(tag, pre, sizeof pre - 1) != 0)
        return TG_OTHER;
    for (size_t i = 0; i < sizeof std / sizeof std[0]; i++)
        if (strcmp(tag + sizeof pre - 1, std[i].name) == 0)
            return std[i].kind;
    return TG_OTHER;
}

/* Python's str.isspace() on ASCII: what int() and float() strip. */
static bool py_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static void py_strip(const char **s, size_t *n)
{
    while (*n && py_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && py_space((*s)[*n - 1]))
        (*n)--;
}

static unsigned digit_val(char c)
{
    if (is_dig(c))
        return (unsigned)(c - '0');
    char l = (char)(c | 0x20);
    return (l >= 'a' && l <= 'z') ? (unsigned)(l - 'a' + 10) : 99;
}

/* Python's int(s, base) on ASCII text (its '_' already removed by PyYAML):
 * blanks around, one sign, for base 2, 8 and 16 an optional matching
 * prefix (0b, 0o, 0x in any case), then at least one digit. The result is
 * negated when neg is set (PyYAML's own sign). */
static bool py_int(const char *s, size_t n, unsigned base, bool neg, numval *out)
{
    py_strip(&s, &n);
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = neg != (s[i] == '-');
        i++;
    }
    if (base != 10 && n - i >= 2 && s[i] == '0') {
        char p = (char)(s[i + 1] | 0x20);
        if ((base == 2 && p == 'b') || (base == 8 && p == 'o') || (base == 16 && p == 'x'))
            i += 2;
    }
    if (i >= n)
        return false;
    size_t start = i;
    uint64_t mag = 0;
    bool ovf = false;
    double d = 0;
    for (; i < n; i++) {
        unsigned v = digit_val(s[i]);
        if (v >= base)
            return false;
        acc_digit(&mag, &ovf, &d, base, v);
    }
    int_finish(out, neg, mag, ovf, d);
    if (out->big && base == 10)
        out->d = (neg ? -1 : 1) * strtod_clean(s + start, n - start);
    return true;
}

/* "1:30:15" under !!int: every part is Python's int() of it. */
static bool sexa_int(const char *v, size_t m, bool neg, numval *out)
{
    int64_t acc = 0;
    bool big = false;
    double d = 0;
    for (size_t i = 0;;) {
        size_t j = i;
        while (j < m && v[j] != ':')
            j++;
        numval p;
        if (!py_int(v + i, j - i, 10, neg, &p))
            return false;
        if (p.big || __builtin_mul_overflow(acc, 60, &acc) || __builtin_add_overflow(acc, p.i, &acc))
            big = true;
        d = d * 60 + p.d;
        if (j == m)
            break;
        i = j + 1;
    }
    out->big = big;
    out->i = big ? 0 : acc;
    out->d = big ? d : (double)acc;
    return true;
}

/* PyYAML's construct_yaml_int on text whose '_' are removed. */
static bool int_text(const char *v, size_t m, numval *out)
{
    if (m == 0)
        return false;
    bool neg = v[0] == '-';
    if (v[0] == '-' || v[0] == '+') {
        v++;
        m--;
    }
    if (m == 1 && v[0] == '0') {
        out->big = false;
        out->i = 0;
        out->d = 0;
        return true;
    }
    if (m >= 2 && v[0] == '0' && v[1] == 'b')
        return py_int(v + 2, m - 2, 2, neg, out);
    if (m >= 2 && v[0] == '0' && v[1] == 'x')
        return py_int(v + 2, m - 2, 16, neg, out);
    if (m >= 1 && v[0] == '0')
        return py_int(v, m, 8, neg, out);
    if (m >= 1 && memchr(v, ':', m))
        return sexa_int(v, m, neg, out);
    return m >= 1 && py_int(v, m, 10, neg, out);
}

/* Python's float(s) on ASCII lower-case text: blanks around, one sign, then
 * inf, infinity, nan or a decimal number with an optional exponent. */
static bool py_float(const char *s, size_t n, double *out)
{
    py_strip(&s, &n);
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    if (text_eq(s + i, n - i, "inf") || text_eq(s + i, n - i, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (text_eq(s + i, n - i, "nan")) {
        *out = NAN;
        return true;
    }
    size_t nd = 0;
    for (; i < n && is_dig(s[i]); i++)
        nd++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_dig(s[i]); i++)
            nd++;
    if (!nd)
        return false;
    if (i < n && s[i] == 'e') {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t st = i;
        while (i < n && is_dig(s[i]))
            i++;
        if (i == st)
            return false;
    }
    if (i != n)
        return false;
    *out = strtod_clean(s, n);
    return true;
}

/* PyYAML's construct_yaml_float on lower-cased text whose '_' are removed. */
static bool float_text(const char *v, size_t m, double *out)
{
    if (m == 0)
        return false;
    double sign = v[0] == '-' ? -1.0 : 1.0;
    if (v[0] == '-' || v[0] == '+') {
        v++;
        m--;
    }
    if (text_eq(v, m, ".inf")) {
        *out = sign * INFINITY;
        return true;
    }
    if (text_eq(v, m, ".nan")) {
        *out = NAN;
        return true;
    }
    double d;
    if (!memchr(v, ':', m)) {
        if (!py_float(v, m, &d))
            return false;
        *out = sign * d;
        return true;
    }
    /* sexagesimal: Python adds the parts up from the last one */
    double value = 0, base = 1;
    for (size_t end = m;;) {
        size_t st = end;
        while (st > 0 && v[st - 1] != ':')
            st--;
        if (!py_float(v + st, end - st, &d))
            return false;
        value += d * base;
        base *= 60;
        if (st == 0)
            break;
        end = st - 1;
    }
    *out = sign * value;
    return true;
}

/* Copy of s[0..n) without '_' (lower-cased ASCII if lower) in small when it
 * fits, else malloc'd (the caller frees it if it is not small). */
static char *without_underscores(const char *s, size_t n, bool lower, char *small, size_t cap, size_t *m)
{
    char *buf = small;
    if (n + 1 > cap) {
        buf = malloc(n + 1);
        if (!buf)
            sigma_oom();
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '_')
            continue;
        buf[k++] = (lower && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[k] = 0;
    *m = k;
    return buf;
}

/* Gives n the value SafeLoader constructs from it under the scalar tag tk
 * (TG_STR, TG_NULL, TG_BOOL, TG_INT, TG_FLOAT or TG_TIMESTAMP). False when
 * PyYAML fails on the text (a KeyError or ValueError there). */
static bool construct_scalar(ynode *n, tagkind tk)
{
    const char *s = n->u.s.text;
    size_t len = n->u.s.len;
    scalar_clear_value(n);
    switch (tk) {
    case TG_STR:
        return true;
    case TG_NULL: /* whatever the text */
        n->u.s.type = YT_NULL;
        return true;
    case TG_BOOL: { /* the lower-cased text is looked up */
        char low[6];
        if (len < 2 || len > 5)
            return false;
        for (size_t i = 0; i < len; i++)
            low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
        int b = match_bool(low, len);
        n->u.s.type = YT_BOOL;
        n->u.s.bval = b == 1;
        return b >= 0;
    }
    case TG_INT:
    case TG_FLOAT: {
        char small[128];
        size_t m;
        char *v = without_underscores(s, len, tk == TG_FLOAT, small, sizeof small, &m);
        bool ok;
        if (tk == TG_INT) {
            numval iv = {.big = false};
            ok = int_text(v, m, &iv);
            n->u.s.type = YT_INT;
            n->u.s.int_big = iv.big;
            n->u.s.ival = iv.i;
            n->u.s.fval = iv.d;
        } else {
            ok = float_text(v, m, &n->u.s.fval);
            n->u.s.type = YT_FLOAT;
        }
        if (v != small)
            free(v);
        if (!ok)
            scalar_clear_value(n);
        return ok;
    }
    case TG_TIMESTAMP:
        n->u.s.type = YT_DATE;
        return match_date(s, len, true);
    default:
        return false;
    }
}

/* ------------------------------------------------------------------------ */
/* Tree building                                                            */
/* ------------------------------------------------------------------------ */

#define LINEAR_KEYS 16 /* maps with fewer scalar keys use a linear dup check */

/* Why constructing a node the way SafeLoader does would fail. PyYAML
 * constructs a document once it is parsed, and not every node: a merge key,
 * the mapping or list that follows it and that list's mappings are not
 * constructed themselves (only the pairs they lend). So the problems are
 * kept beside the tree while it is built, and the first one the document's
 * root leads to is reported at the end of the document. */
typedef struct ybad {
    uint32_t line, col;
    const char *msg;
} ybad;

typedef struct ycheck ycheck;
struct ycheck {
    const ybad *self;    /* the node's own tag */
    const ybad *merge;   /* mappings: resolving their merge keys */
    const ybad *inner;   /* items, or keys and values once merged */
    const ycheck **kids; /* sequences: each item's check (merge lists) */
};

/* A node on the item stack, in an anchor or as a document root. */
enum {
    YF_MERGE = 1, /* tag:yaml.org,2002:merge ("<<"): a merge key */
    YF_VALUE = 2, /* tag:yaml.org,2002:value ("="): a string as a key */
};
typedef struct yitem {
    ynode *n;
    const ycheck *chk; /* NULL: the node and all below it construct */
    unsigned flags;    /* YF_* */
} yitem;

typedef struct anchor_ent {
    const char *name; /* NULL: free slot */
    size_t nlen;
    yitem it;
    size_t size; /* node count of the subtree, aliases expanded */
} anchor_ent;

typedef struct frame {
    ynode *node;
    size_t base;         /* first child on the item stack */
    size_t count_before; /* L->count before this node was created */
    const char *anchor;  /* arena copy, or NULL */
    size_t anchor_len;
    const ybad *self;    /* the collection's tag cannot be constructed */
    unsigned flags;      /* YF_* of the collection itself */
    bool has_merge;      /* maps: a merge key among the keys */
    ynode **ht; /* duplicate-key hash (maps with many keys), NULL before */
    size_t htcap, htn;
} frame;

/* Key identity while merging mappings: one id per distinct key text of the
 * document, remembered per key node, so a key merged many times is hashed
 * and compared once (the work stays within the node budget). */
typedef struct keymemo {
    const ynode *node; /* NULL: free slot */
    uint32_t id;
} keymemo;

typedef struct keyids {
    keymemo *memo; /* by node address */
    size_t mcap, mn;
    uint32_t *byhash; /* by text hash: id + 1, 0 for a free slot */
    size_t hcap;
    const ynode **canon; /* per id: the first key node with that text */
    uint64_t *hash;      /* per id: hash of the text */
    uint32_t *stamp;     /* per id: merge in which it was last seen */
    uint32_t *slot;      /* per id: its pair in that merge's result */
    size_t nids, icap;
    uint32_t gen; /* current merge */
} keyids;

typedef struct loader {
    arena *a;
    yerror *err;
    yitem *items;
    size_t nitems, capitems;
    frame frames[SIGMA_MAX_YAML_DEPTH];
    size_t depth;
    size_t count; /* nodes so far, aliases expanded */
    anchor_ent *anchors;
    size_t acap, an;
    ydoc *docs;
    size_t ndocs, capdocs;
    ydoc cur;
    const ycheck *root_chk;
    bool root_empty;
    keyids keys;
} loader;

static uint32_t pos32(size_t v)
{
    return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)(v + 1);
}

/* One parser event as the tree builder sees it. Positions are 1-based. */
typedef struct yev {
    yaml_event_type_t type;
    uint32_t line, col;
    const char *value; /* scalar text (len bytes) */
    size_t len;
    bool plain;         /* plain scalar style */
    const char *tag;    /* tag of a scalar or collection, or NULL */
    const char *anchor; /* anchor of a scalar or collection, alias name */
} yev;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q)
        sigma_oom();
    return q;
}

static bool fail(loader *L, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static bool fail(loader *L, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->err->message, sizeof L->err->message, fmt, ap);
    va_end(ap);
    L->err->line = line;
    L->err->col = col;
    return false;
}

/* Printable, bounded copy of a key or anchor name for an error message. */
static void quote_text(char *out, size_t cap, const char *s, size_t n)
{
    size_t max = cap - 4, k = 0;
    bool cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* UTF-8 boundary */
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    if (cut) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
}

/* A tag as Python's repr() shows it in PyYAML's messages: in single quotes,
 * or in double quotes when it holds a single quote but no double quote. */
static void tag_repr(char *out, size_t cap, const char *tag)
{
    char q[160];
    quote_text(q, sizeof q, tag, strlen(tag));
    bool dq = strchr(q, '\'') && !strchr(q, '"');
    snprintf(out, cap, dq ? "\"%s\"" : "'%s'", q);
}

static const ybad *bad_new(loader *L, const ynode *at, const char *fmt, ...) SIGMA_PRINTF(3, 4);

static const ybad *bad_new(loader *L, const ynode *at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ybad *b = arena_alloc(L->a, sizeof *b);
    b->line = at->line;
    b->col = at->col;
    b->msg = arena_strdup(L->a, msg);
    return b;
}

/* The first problem constructing the node leads to, or NULL. */
static const ybad *chk_err(const ycheck *c)
{
    if (!c)
        return NULL;
    return c->self ? c->self : c->merge ? c->merge : c->inner;
}

static const ycheck *chk_new(loader *L, const ybad *self, const ybad *merge, const ybad *inner,
                             const ycheck **kids)
{
    if (!self && !merge && !inner && !kids)
        return NULL;
    ycheck *c = arena_alloc(L->a, sizeof *c);
    c->self = self;
    c->merge = merge;
    c->inner = inner;
    c->kids = kids;
    return c;
}

static void first_bad(const ybad **dst, const ybad *b)
{
    if (!*dst)
        *dst = b;
}

/* "the tag 'T' is not supported" and the like, T shown as PyYAML shows it. */
static const ybad *bad_tag(loader *L, const ynode *at, const char *fmt, const char *tag)
{
    char tr[176];
    tag_repr(tr, sizeof tr, tag ? tag : "");
    return bad_new(L, at, fmt, tr);
}

/* What SafeLoader makes of a node with the tag tk: NULL, or why it fails.
 * Scalars with a value tag get their value here. */
static const ybad *tag_error(loader *L, ynode *n, tagkind tk, const char *tag)
{
    static const char *const kind_name[] = {"scalar", "sequence", "mapping"};
    const char *found = kind_name[n->kind];
    switch (tk) {
    case TG_IMPLICIT:
        return NULL;
    case TG_STR:
    case TG_NULL:
    case TG_BOOL:
    case TG_INT:
    case TG_FLOAT:
    case TG_TIMESTAMP:
        if (n->kind != YN_SCALAR)
            return bad_new(L, n, "expected a scalar node, but found %s", found);
        if (!construct_scalar(n, tk)) {
            scalar_clear_value(n);
            char q[64], tr[176];
            quote_text(q, sizeof q, n->u.s.text, n->u.s.len);
            tag_repr(tr, sizeof tr, tag);
            return bad_new(L, n, "invalid value '%s' for the tag %s", q, tr);
        }
        return NULL;
    case TG_BINARY:
        if (n->kind != YN_SCALAR)
            return bad_new(L, n, "expected a scalar node, but found %s", found);
        return bad_tag(L, n, "the tag %s is not supported", tag);
    case TG_SET:
    case TG_MAP:
        if (n->kind != YN_MAP)
            return bad_new(L, n, "expected a mapping node, but found %s", found);
        return tk == TG_SET ? bad_tag(L, n, "the tag %s is not supported", tag) : NULL;
    case TG_SEQ:
        if (n->kind != YN_SEQ)
            return bad_new(L, n, "expected a sequence node, but found %s", found);
        return NULL;
    case TG_OMAP:
    case TG_PAIRS:
        if (n->kind != YN_SEQ)
            return bad_new(L, n, "expected a sequence, but found %s", found);
        return bad_tag(L, n, "the tag %s is not supported", tag);
    default: /* merge, value, any other tag */
        return bad_tag(L, n, "could not determine a constructor for the tag %s", tag);
    }
}

static bool same_text(const ynode *x, const ynode *y)
{
    return x->u.s.len == y->u.s.len && memcmp(x->u.s.text, y->u.s.text, x->u.s.len) == 0;
}

/* Inserts key into f's hash; returns the equal key already present, if any. */
static ynode *ht_insert(loader *L, frame *f, ynode *key)
{
    if ((f->htn + 1) * 2 > f->htcap) {
        size_t ncap = f->htcap ? f->htcap * 2 : 64;
        ynode **nt = arena_alloc(L->a, ncap * sizeof *nt);
        for (size_t i = 0; i < f->htcap; i++) {
            ynode *k = f->ht[i];
            if (!k)
                continue;
            size_t j = (size_t)fnv64(k->u.s.text, k->u.s.len) & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = k;
        }
        f->ht = nt;
        f->htcap = ncap;
    }
    size_t j = (size_t)fnv64(key->u.s.text, key->u.s.len) & (f->htcap - 1);
    while (f->ht[j]) {
        if (same_text(f->ht[j], key))
            return f->ht[j];
        j = (j + 1) & (f->htcap - 1);
    }
    f->ht[j] = key;
    f->htn++;
    return NULL;
}

/* A scalar key taking part in the duplicate check (merge keys do not). */
static bool is_written_key(const yitem *it)
{
    return it->n->kind == YN_SCALAR && !(it->flags & YF_MERGE);
}

/* Duplicate check for a new mapping key (scalar keys only, by text). */
static bool check_key(loader *L, frame *f, ynode *key, uint32_t line, uint32_t col)
{
    size_t nk = (L->nitems - f->base) / 2;
    bool dup = false;
    if (!f->ht && nk < LINEAR_KEYS) {
        for (size_t j = 0; j < nk && !dup; j++) {
            const yitem *k = &L->items[f->base + 2 * j];
            dup = is_written_key(k) && same_text(k->n, key);
        }
    } else {
        if (!f->ht) /* switch to hashing: enter the (unique) keys so far */
            for (size_t j = 0; j < nk; j++) {
                const yitem *k = &L->items[f->base + 2 * j];
                if (is_written_key(k))
                    ht_insert(L, f, k->n);
            }
        dup = ht_insert(L, f, key) != NULL;
    }
    if (dup) {
        char q[160];
        quote_text(q, sizeof q, key->u.s.text, key->u.s.len);
        return fail(L, line, col, "duplicate key '%s'", q);
    }
    return true;
}

/* Hands a finished node to its parent (or makes it the document root). */
static bool add_node(loader *L, yitem it, uint32_t line, uint32_t col)
{
    if (L->depth == 0) {
        L->cur.root = it.n;
        L->root_chk = it.chk;
        return true;
    }
    frame *f = &L->frames[L->depth - 1];
    if (f->node->kind == YN_MAP && ((L->nitems - f->base) & 1) == 0) {
        if (it.flags & YF_MERGE)
            f->has_merge = true;
        else if (it.n->kind == YN_SCALAR && !check_key(L, f, it.n, line, col))
            return false;
    }
    if (L->nitems == L->capitems) {
        size_t ncap = L->capitems ? L->capitems * 2 : 64;
        L->items = xrealloc(L->items, ncap * sizeof *L->items);
        L->capitems = ncap;
    }
    L->items[L->nitems++] = it;
    return true;
}

static bool count_nodes(loader *L, size_t k, uint32_t line, uint32_t col)
{
    L->count += k;
    if (L->count > SIGMA_MAX_YAML_NODES)
        return fail(L, line, col, "too many YAML nodes (limit %d)", SIGMA_MAX_YAML_NODES);
    return true;
}

static anchor_ent *anchor_slot(loader *L, const char *name, size_t nlen)
{
    size_t j = (size_t)fnv64(name, nlen) & (L->acap - 1);
    while (L->anchors[j].name) {
        if (L->anchors[j].nlen == nlen && memcmp(L->anchors[j].name, name, nlen) == 0)
            return &L->anchors[j];
        j = (j + 1) & (L->acap - 1);
    }
    return &L->anchors[j];
}

static anchor_ent *anchor_find(loader *L, const char *name)
{
    if (!L->an)
        return NULL;
    anchor_ent *e = anchor_slot(L, name, strlen(name));
    return e->name ? e : NULL;
}

/* Defines (or redefines: the latest definition wins) an anchor. name must
 * live in the arena. */
static void anchor_set(loader *L, const char *name, size_t nlen, yitem it, size_t size)
{
    if ((L->an + 1) * 2 > L->acap) {
        size_t ncap = L->acap ? L->acap * 2 : 16;
        anchor_ent *nt = arena_alloc(L->a, ncap * sizeof *nt);
        for (size_t i = 0; i < L->acap; i++) {
            if (!L->anchors[i].name)
                continue;
            size_t j = (size_t)fnv64(L->anchors[i].name, L->anchors[i].nlen) & (ncap - 1);
            while (nt[j].name)
                j = (j + 1) & (ncap - 1);
            nt[j] = L->anchors[i];
        }
        L->anchors = nt;
        L->acap = ncap;
    }
    anchor_ent *e = anchor_slot(L, name, nlen);
    if (!e->name) {
        e->name = name;
        e->nlen = nlen;
        L->an++;
    }
    e->it = it;
    e->size = size;
}

/* ---- key identity for merges ---- */

static size_t ptr_hash(const void *p)
{
    return (size_t)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u) >> 17);
}

static void keys_reset(keyids *K)
{
    if (K->memo)
        memset(K->memo, 0, K->mcap * sizeof *K->memo);
    if (K->byhash)
        memset(K->byhash, 0, K->hcap * sizeof *K->byhash);
    K->mn = K->nids = 0;
    K->gen = 0;
}

static void keys_free(keyids *K)
{
    free(K->memo);
    free(K->byhash);
    free(K->canon);
    free(K->hash);
    free(K->stamp);
    free(K->slot);
}

/* The id of a scalar key's text. */
static uint32_t key_id(keyids *K, const ynode *k)
{
    if ((K->mn + 1) * 2 > K->mcap) {
        size_t ncap = K->mcap ? K->mcap * 2 : 64;
        keymemo *nm = xrealloc(NULL, ncap * sizeof *nm);
        memset(nm, 0, ncap * sizeof *nm);
        for (size_t i = 0; i < K->mcap; i++) {
            if (!K->memo[i].node)
                continue;
            size_t j = ptr_hash(K->memo[i].node) & (ncap - 1);
            while (nm[j].node)
                j = (j + 1) & (ncap - 1);
            nm[j] = K->memo[i];
        }
        free(K->memo);
        K->memo = nm;
        K->mcap = ncap;
    }
    size_t j = ptr_hash(k) & (K->mcap - 1);
    while (K->memo[j].node) {
        if (K->memo[j].node == k)
            return K->memo[j].id;
        j = (j + 1) & (K->mcap - 1);
    }
    /* a key node not seen before: find its text */
    if ((K->nids + 1) * 2 > K->hcap) {
        size_t ncap = K->hcap ? K->hcap * 2 : 64;
        uint32_t *nb = xrealloc(NULL, ncap * sizeof *nb);
        memset(nb, 0, ncap * sizeof *nb);
        for (size_t id = 0; id < K->nids; id++) {
            size_t t = (size_t)K->hash[id] & (ncap - 1);
            while (nb[t])
                t = (t + 1) & (ncap - 1);
            nb[t] = (uint32_t)id + 1;
        }
        free(K->byhash);
        K->byhash = nb;
        K->hcap = ncap;
    }
    uint64_t h = fnv64(k->u.s.text, k->u.s.len);
    size_t t = (size_t)h & (K->hcap - 1);
    uint32_t id = UINT32_MAX;
    for (; K->byhash[t]; t = (t + 1) & (K->hcap - 1)) {
        uint32_t c = K->byhash[t] - 1;
        if (K->hash[c] == h && same_text(K->canon[c], k)) {
            id = c;
            break;
        }
    }
    if (id == UINT32_MAX) {
        if (K->nids == K->icap) {
            size_t ncap = K->icap ? K->icap * 2 : 64;
            K->canon = xrealloc(K->canon, ncap * sizeof *K->canon);
            K->hash = xrealloc(K->hash, ncap * sizeof *K->hash);
            K->stamp = xrealloc(K->stamp, ncap * sizeof *K->stamp);
            K->slot = xrealloc(K->slot, ncap * sizeof *K->slot);
            K->icap = ncap;
        }
        id = (uint32_t)K->nids++;
        K->canon[id] = k;
        K->hash[id] = h;
        K->stamp[id] = 0;
        K->byhash[t] = id + 1;
    }
    K->memo[j].node = k;
    K->memo[j].id = id;
    K->mn++;
    return id;
}

/* ---- closing collections ---- */

/* What constructing one written pair of a mapping runs into: its key (a
 * value key is retagged as a string; a collection cannot be a key in
 * Python), then its value. */
static const ybad *pair_error(loader *L, const yitem *k, const yitem *v)
{
    if (k->flags & YF_VALUE) {
        if (k->n->kind != YN_SCALAR)
            return bad_new(L, k->n, "expected a scalar node, but found %s",
                           k->n->kind == YN_SEQ ? "sequence" : "mapping");
    } else if (k->n->kind != YN_SCALAR) {
        return k->chk && k->chk->self ? k->chk->self : bad_new(L, k->n, "found unhashable key");
    } else if (k->chk) {
        return chk_err(k->chk);
    }
    return chk_err(v->chk);
}

/* Appends a pair to the merged result: a key seen before in this merge keeps
 * its place and takes the new pair (the later value wins). */
static void merge_put(keyids *K, ypair *out, size_t *no, ypair p)
{
    if (p.key->kind == YN_SCALAR) {
        uint32_t id = key_id(K, p.key);
        if (K->stamp[id] == K->gen) {
            out[K->slot[id]] = p;
            return;
        }
        K->stamp[id] = K->gen;
        K->slot[id] = (uint32_t)*no;
    }
    out[(*no)++] = p;
}

/* The item check of a merge list's j-th mapping. */
static const ycheck *kid_chk(const yitem *v, size_t j)
{
    return v->chk && v->chk->kids ? v->chk->kids[j] : NULL;
}

/* A mapping with merge keys, as PyYAML's flatten_mapping and dict build it:
 * the pairs of the merged mappings first (a list's mappings from the last
 * to the first), then the written pairs; a key keeps its first place and
 * takes its last value. So written keys win over merged ones and earlier
 * mappings of a list over later ones. Merged mappings are already merged
 * themselves (they are closed before they can be aliased or used). */
static void map_merge(loader *L, frame *f, const yitem *kids, size_t np, const ybad **merge,
                      const ybad **inner)
{
    ynode *n = f->node;
    size_t total = 0;
    for (size_t i = 0; i < np; i++) {
        const yitem *k = &kids[2 * i], *v = &kids[2 * i + 1];
        if (!(k->flags & YF_MERGE)) {
            total++;
        } else if (v->n->kind == YN_MAP) {
            total += v->n->u.map.n;
            first_bad(merge, v->chk ? v->chk->merge : NULL);
        } else if (v->n->kind == YN_SEQ) {
            for (size_t j = 0; j < v->n->u.seq.n; j++) {
                const ynode *it = v->n->u.seq.items[j];
                if (it->kind != YN_MAP) { /* PyYAML stops at the first one */
                    if (!*merge)
                        *merge = bad_new(L, it, "expected a mapping for merging, but found %s",
                                         it->kind == YN_SEQ ? "sequence" : "scalar");
                    continue;
                }
                total += it->u.map.n;
                const ycheck *c = kid_chk(v, j);
                first_bad(merge, c ? c->merge : NULL);
            }
        } else if (!*merge) {
            *merge = bad_new(L, v->n, "expected a mapping or list of mappings for merging, but found scalar");
        }
    }
    keyids *K = &L->keys;
    K->gen++;
    ypair *out = total ? arena_alloc(L->a, total * sizeof *out) : NULL;
    size_t no = 0;
    for (size_t i = 0; i < np; i++) {
        const yitem *k = &kids[2 * i], *v = &kids[2 * i + 1];
        if (!(k->flags & YF_MERGE))
            continue;
        if (v->n->kind == YN_MAP) {
            for (size_t p = 0; p < v->n->u.map.n; p++)
                merge_put(K, out, &no, v->n->u.map.pairs[p]);
            first_bad(inner, v->chk ? v->chk->inner : NULL);
        } else if (v->n->kind == YN_SEQ) {
            for (size_t j = v->n->u.seq.n; j-- > 0;) {
                const ynode *it = v->n->u.seq.items[j];
                if (it->kind != YN_MAP) /* a merge error already: the result is not used */
                    continue;
                for (size_t p = 0; p < it->u.map.n; p++)
                    merge_put(K, out, &no, it->u.map.pairs[p]);
                const ycheck *c = kid_chk(v, j);
                first_bad(inner, c ? c->inner : NULL);
            }
        }
    }
    for (size_t i = 0; i < np; i++) {
        const yitem *k = &kids[2 * i], *v = &kids[2 * i + 1];
        if (k->flags & YF_MERGE)
            continue;
        merge_put(K, out, &no, (ypair){k->n, v->n});
        if (!*inner && (k->chk || v->chk || k->n->kind != YN_SCALAR))
            *inner = pair_error(L, k, v);
    }
    n->u.map.n = no;
    n->u.map.pairs = no ? out : NULL;
}

static bool on_end(loader *L)
{
    frame *f = &L->frames[--L->depth];
    ynode *n = f->node;
    size_t k = L->nitems - f->base;
    const yitem *kids = k ? L->items + f->base : NULL; /* items may be NULL */
    const ybad *merge = NULL, *inner = NULL;
    const ycheck **kchk = NULL;
    if (n->kind == YN_SEQ) {
        n->u.seq.n = k;
        if (k)
            n->u.seq.items = arena_alloc(L->a, k * sizeof *n->u.seq.items);
        for (size_t i = 0; i < k; i++) {
            n->u.seq.items[i] = kids[i].n;
            if (kids[i].chk) {
                if (!kchk)
                    kchk = arena_alloc(L->a, k * sizeof *kchk);
                kchk[i] = kids[i].chk;
                first_bad(&inner, chk_err(kids[i].chk));
            }
        }
    } else if (f->has_merge) {
        map_merge(L, f, kids, k / 2, &merge, &inner);
    } else {
        size_t np = k / 2; /* libyaml always closes a pair */
        n->u.map.n = np;
        if (np) {
            ypair *p = arena_alloc(L->a, np * sizeof *p);
            for (size_t i = 0; i < np; i++) {
                const yitem *ki = &kids[2 * i], *vi = &kids[2 * i + 1];
                p[i].key = ki->n;
                p[i].value = vi->n;
                if (!inner && (ki->chk || vi->chk || ki->n->kind != YN_SCALAR))
                    inner = pair_error(L, ki, vi);
            }
            n->u.map.pairs = p;
        }
    }
    L->nitems = f->base;
    yitem it = {n, chk_new(L, f->self, merge, inner, kchk), f->flags};
    /* the anchor becomes visible only now: an alias inside its own node
     * is unknown (no cycles in the tree) */
    if (f->anchor)
        anchor_set(L, f->anchor, f->anchor_len, it, L->count - f->count_before);
    return add_node(L, it, n->line, n->col);
}

/* ---- events ---- */

static bool on_scalar(loader *L, const yev *ev)
{
    uint32_t line = ev->line, col = ev->col;
    if (!count_nodes(L, 1, line, col))
        return false;
    ynode *n = arena_alloc(L->a, sizeof *n);
    n->kind = YN_SCALAR;
    n->line = line;
    n->col = col;
    n->u.s.len = ev->len;
    n->u.s.text = arena_strndup(L->a, ev->value, ev->len);
    n->u.s.plain = ev->plain;
    const char *tag = ev->tag;
    tagkind tk = tag_kind(tag);
    if (tk == TG_IMPLICIT && !(tag || n->u.s.plain)) {
        scalar_clear_value(n); /* quoted or block: a string */
    } else if (tk == TG_IMPLICIT) {
        /* plain, or the non-specific tag "!" whatever the style ("! '12'"
         * is the int 12): PyYAML's implicit resolvers */
        yaml_resolve_plain(n);
        if (text_eq(n->u.s.text, n->u.s.len, "<<")) {
            tk = TG_MERGE;
            tag = "tag:yaml.org,2002:merge";
        } else if (text_eq(n->u.s.text, n->u.s.len, "=")) {
            tk = TG_VALUE;
            tag = "tag:yaml.org,2002:value";
        }
    }
    yitem it = {n, NULL, tk == TG_MERGE ? YF_MERGE : tk == TG_VALUE ? YF_VALUE : 0};
    it.chk = chk_new(L, tag_error(L, n, tk, tag), NULL, NULL, NULL);
    const char *anchor = ev->anchor;
    if (anchor) {
        size_t al = strlen(anchor);
        anchor_set(L, arena_strndup(L->a, anchor, al), al, it, 1);
    }
    /* libyaml represents an empty document (a bare "---") by an empty
     * plain scalar; such a document gets a NULL root */
    if (L->depth == 0)
        L->root_empty = n->u.s.plain && n->u.s.len == 0 && !ev->tag && !anchor;
    return add_node(L, it, line, col);
}

static bool on_alias(loader *L, const yev *ev)
{
    uint32_t line = ev->line, col = ev->col;
    const char *name = ev->anchor;
    anchor_ent *e = name ? anchor_find(L, name) : NULL;
    if (!e) {
        char q[160];
        quote_text(q, sizeof q, name ? name : "", name ? strlen(name) : 0);
        return fail(L, line, col, "unknown alias '%s'", q);
    }
    if (!count_nodes(L, e->size, line, col))
        return false;
    if (L->depth == 0)
        L->root_empty = false;
    return add_node(L, e->it, line, col);
}

static bool on_start(loader *L, const yev *ev, ynode_kind kind)
{
    uint32_t line = ev->line, col = ev->col;
    if (L->depth >= SIGMA_MAX_YAML_DEPTH)
        return fail(L, line, col, "YAML nesting too deep (limit %d)", SIGMA_MAX_YAML_DEPTH);
    if (!count_nodes(L, 1, line, col))
        return false;
    ynode *n = arena_alloc(L->a, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->col = col;
    const char *anchor = ev->anchor;
    frame *f = &L->frames[L->depth++];
    memset(f, 0, sizeof *f);
    f->node = n;
    f->base = L->nitems;
    f->count_before = L->count - 1;
    tagkind tk = tag_kind(ev->tag);
    f->self = tag_error(L, n, tk, ev->tag);
    f->flags = tk == TG_MERGE ? YF_MERGE : tk == TG_VALUE ? YF_VALUE : 0;
    if (anchor) {
        f->anchor_len = strlen(anchor);
        f->anchor = arena_strndup(L->a, anchor, f->anchor_len);
    }
    if (L->depth == 1)
        L->root_empty = false;
    return true;
}

static void on_doc_start(loader *L, const yev *ev)
{
    L->cur.root = NULL;
    L->cur.line = ev->line;
    L->cur.col = ev->col;
    L->root_chk = NULL;
    L->root_empty = false;
    /* anchors are scoped to their document */
    L->anchors = NULL;
    L->acap = L->an = 0;
    keys_reset(&L->keys);
}

/* A document is constructed once it is parsed, as PyYAML does: its first
 * construction problem is reported now. */
static bool on_doc_end(loader *L)
{
    if (L->root_empty)
        L->cur.root = NULL;
    const ybad *b = L->cur.root ? chk_err(L->root_chk) : NULL;
    if (b)
        return fail(L, b->line, b->col, "%s", b->msg);
    if (L->ndocs == L->capdocs) {
        size_t ncap = L->capdocs ? L->capdocs * 2 : 4;
        L->docs = arena_grow(L->a, L->docs, sizeof *L->docs, L->capdocs, ncap);
        L->capdocs = ncap;
    }
    L->docs[L->ndocs++] = L->cur;
    return true;
}

static void libyaml_error(loader *L, const yaml_parser_t *p, const char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "unknown YAML error";
    if (p->error == YAML_MEMORY_ERROR) {
        fail(L, 1, 1, "out of memory while parsing YAML");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* reader errors carry a byte offset, not a mark */
        size_t off = p->problem_offset < len ? p->problem_offset : len;
        uint32_t line = 1, col = 1;
        for (size_t i = 0; i < off; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))) {
                line++;
                col = 1;
            } else if ((c & 0xC0) != 0x80 && c != '\r') {
                col++;
            }
        }
        if (p->problem_value >= 0)
            fail(L, line, col, "%s (#x%X)", problem, (unsigned)p->problem_value);
        else
            fail(L, line, col, "%s", problem);
        return;
    }
    uint32_t line = pos32(p->problem_mark.line), col = pos32(p->problem_mark.column);
    if (p->context)
        fail(L, line, col, "%s: %s", p->context, problem);
    else
        fail(L, line, col, "%s", problem);
}

/* Feeds one event to the tree builder; *done is set at the stream end. */
static bool dispatch(loader *L, const yev *ev, bool *done)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return true;
    case YAML_DOCUMENT_START_EVENT:
        on_doc_start(L, ev);
        return true;
    case YAML_DOCUMENT_END_EVENT:
        return on_doc_end(L);
    case YAML_SCALAR_EVENT:
        return on_scalar(L, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(L, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(L, ev, YN_SEQ);
    case YAML_MAPPING_START_EVENT:
        return on_start(L, ev, YN_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return L->depth > 0 ? on_end(L) : fail(L, ev->line, ev->col, "unbalanced YAML events");
    default: /* STREAM_START, NO_EVENT */
        return true;
    }
}

/* libyaml's event -> yev (pointers into the event, valid until it is deleted) */
static yev from_libyaml(const yaml_event_t *e)
{
    yev v = {.type = e->type, .line = pos32(e->start_mark.line), .col = pos32(e->start_mark.column)};
    switch (e->type) {
    case YAML_SCALAR_EVENT:
        v.value = (const char *)e->data.scalar.value;
        v.len = e->data.scalar.length;
        v.plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        v.tag = (const char *)e->data.scalar.tag;
        v.anchor = (const char *)e->data.scalar.anchor;
        break;
    case YAML_ALIAS_EVENT:
        v.anchor = (const char *)e->data.alias.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        v.tag = (const char *)e->data.sequence_start.tag;
        v.anchor = (const char *)e->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        v.tag = (const char *)e->data.mapping_start.tag;
        v.anchor = (const char *)e->data.mapping_start.anchor;
        break;
    default:
        break;
    }
    return v;
}

static bool load_libyaml(loader *L, const char *buf, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return fail(L, 1, 1, "out of memory while parsing YAML");
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            libyaml_error(L, &p, buf, len);
            ok = false;
            break;
        }
        yev v = from_libyaml(&ev);
        ok = dispatch(L, &v, &done);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return ok;
}

static void loader_init(loader *L, arena *a, yerror *err)
{
    L->a = a;
    L->err = err;
    L->items = NULL;
    L->nitems = L->capitems = 0;
    L->depth = 0;
    L->count = 0;
    L->anchors = NULL;
    L->acap = L->an = 0;
    L->docs = NULL;
    L->ndocs = L->capdocs = 0;
    L->cur.root = NULL;
    L->cur.line = L->cur.col = 1;
    L->root_chk = NULL;
    L->root_empty = false;
    memset(&L->keys, 0, sizeof L->keys);
}

bool yaml_load(arena *a, const char *buf, size_t len, ydoc **docs, size_t *ndocs, yerror *err)
{
    loader L;
    loader_init(&L, a, err);
    err->line = err->col = 0;
    err->message[0] = 0;
    *docs = NULL;
    *ndocs = 0;
    if (!buf)
        buf = "", len = 0;
    bool ok = load_libyaml(&L, buf, len);
    free(L.items);
    keys_free(&L.keys);
    if (!ok)
        return false;
    *docs = L.docs;
    *ndocs = L.ndocs;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

ynode *ymap_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YN_MAP || !key)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < map->u.map.n; i++) {
        const ynode *k = map->u.map.pairs[i].key;
        if (k->kind == YN_SCALAR && k->u.s.len == kl && memcmp(k->u.s.text, key, kl) == 0)
            return map->u.map.pairs[i].value;
    }
    return NULL;
}

bool yscalar_is(const ynode *n, const char *s)
{
    if (!n || n->kind != YN_SCALAR || !s)
        return false;
    size_t l = strlen(s);
    return n->u.s.len == l && memcmp(n->u.s.text, s, l) == 0;
}
