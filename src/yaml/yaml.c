/* yaml.c - YAML documents to ynode trees via libyaml's event API.
 *
 * The tree is built iteratively: open collections live on an explicit frame
 * stack (bounded by SIGMA_MAX_YAML_DEPTH) and their children on one shared
 * item stack; a closing collection copies its slice of the item stack into
 * the arena. The item stack is the only malloc'd memory (scratch, freed
 * when yaml_load returns, so it does not stay in the arena once per file);
 * everything else comes from the arena.
 *
 * Scalar typing follows PyYAML's SafeLoader (YAML 1.1 implicit resolvers);
 * the regular expressions are implemented by hand below.
 */
#include "ynode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../util/base.h"
#include "../util/hash.h"
#include "../util/limits.h"

/* ------------------------------------------------------------------------ */
/* Scalar resolution                                                        */
/* ------------------------------------------------------------------------ */

static bool is_dig(char c) { return c >= '0' && c <= '9'; }
static bool is_oct(char c) { return c >= '0' && c <= '7'; }
static bool is_hex(char c)
{
    return is_dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int hex_val(char c)
{
    if (is_dig(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

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
            acc_digit(&mag, &ovf, &d, hex ? 16 : 2, (unsigned)hex_val(s[i]));
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

/* [-+]?[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+ : the exponent forms the
 * implicit float pattern misses, accepted under an explicit !!float tag. */
static bool match_exp_float(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (i >= n || !is_dig(s[i]))
        return false;
    while (i < n && (is_dig(s[i]) || s[i] == '_'))
        i++;
    if (i < n && s[i] == '.')
        for (i++; i < n && (is_dig(s[i]) || s[i] == '_'); i++)
            ;
    if (i >= n || (s[i] != 'e' && s[i] != 'E'))
        return false;
    i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t st = i;
    while (i < n && is_dig(s[i]))
        i++;
    return i > st && i == n;
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

/* PyYAML timestamp:
 *   [0-9]{4}-[0-9]{2}-[0-9]{2}
 *   | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}
 *     (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?  */
static bool match_date(const char *s, size_t n)
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
    if (!digits(s, n, &i, 1, 2) || i >= n)
        return false;
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
    } else if (match_date(s, len)) {
        n->u.s.type = YT_DATE;
    }
}

/* Explicit tag on a scalar. Returns false when the tag is not one we act on
 * (the scalar is then resolved by its style). */
static bool resolve_tagged(ynode *n, const char *tag)
{
    static const char pre[] = "tag:yaml.org,2002:";
    const char *s = n->u.s.text;
    size_t len = n->u.s.len;
    scalar_clear_value(n);
    if (strcmp(tag, "!") == 0) {
        /* the non-specific tag: PyYAML resolves the text as if it were a
         * plain scalar, whatever its style ("! '12'" is the int 12) */
        yaml_resolve_plain(n);
        return true;
    }
    if (strncmp(tag, pre, sizeof pre - 1) != 0)
        return false;
    tag += sizeof pre - 1;
    if (strcmp(tag, "str") == 0) {
        return true;
    } else if (strcmp(tag, "null") == 0) {
        if (match_null(s, len))
            n->u.s.type = YT_NULL;
        return true;
    } else if (strcmp(tag, "bool") == 0) {
        /* PyYAML looks the lower-cased text up */
        char low[6];
        if (len >= 2 && len <= 5) {
            for (size_t i = 0; i < len; i++)
                low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
            int b = match_bool(low, len);
            if (b >= 0) {
                n->u.s.type = YT_BOOL;
                n->u.s.bval = b == 1;
            }
        }
        return true;
    } else if (strcmp(tag, "int") == 0) {
        set_int(n);
        return true;
    } else if (strcmp(tag, "float") == 0) {
        /* PyYAML converts with Python's float(): also "12" and "1e3" */
        if (set_float(n))
            return true;
        if (set_int(n)) {
            n->u.s.type = YT_FLOAT;
            n->u.s.int_big = false;
            n->u.s.ival = 0;
        } else if (match_exp_float(s, len)) {
            n->u.s.type = YT_FLOAT;
            n->u.s.fval = strtod_clean(s, len);
        }
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* Tree building                                                            */
/* ------------------------------------------------------------------------ */

#define LINEAR_KEYS 16 /* maps with fewer scalar keys use a linear dup check */

typedef struct anchor_ent {
    const char *name; /* NULL: free slot */
    size_t nlen;
    ynode *node;
    size_t size; /* node count of the subtree, aliases expanded */
} anchor_ent;

typedef struct frame {
    ynode *node;
    size_t base;         /* first child on the item stack */
    size_t count_before; /* L->count before this node was created */
    const char *anchor;  /* arena copy, or NULL */
    size_t anchor_len;
    ynode **ht; /* duplicate-key hash (maps with many keys), NULL before */
    size_t htcap, htn;
} frame;

typedef struct loader {
    arena *a;
    yerror *err;
    ynode **items;
    size_t nitems, capitems;
    frame frames[SIGMA_MAX_YAML_DEPTH];
    size_t depth;
    size_t count; /* nodes so far, aliases expanded */
    anchor_ent *anchors;
    size_t acap, an;
    ydoc *docs;
    size_t ndocs, capdocs;
    ydoc cur;
    bool root_empty;
} loader;

static uint32_t pos32(size_t v)
{
    return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)(v + 1);
}

/* One parser event as the tree builder sees it, from libyaml or from the
 * (libyaml). Positions are 1-based. */
typedef struct yev {
    yaml_event_type_t type;
    uint32_t line, col;
    const char *value; /* scalar text (len bytes) */
    size_t len;
    bool plain;         /* plain scalar style */
    const char *tag;    /* scalar tag, or NULL */
    const char *anchor; /* anchor of a scalar or collection, alias name */
} yev;

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

/* Duplicate check for a new mapping key (scalar keys only, by text). */
static bool check_key(loader *L, frame *f, ynode *key, uint32_t line, uint32_t col)
{
    if (key->kind != YN_SCALAR)
        return true;
    size_t nk = (L->nitems - f->base) / 2;
    bool dup = false;
    if (!f->ht && nk < LINEAR_KEYS) {
        for (size_t j = 0; j < nk && !dup; j++) {
            ynode *k = L->items[f->base + 2 * j];
            dup = k->kind == YN_SCALAR && same_text(k, key);
        }
    } else {
        if (!f->ht) /* switch to hashing: enter the (unique) keys so far */
            for (size_t j = 0; j < nk; j++) {
                ynode *k = L->items[f->base + 2 * j];
                if (k->kind == YN_SCALAR)
                    ht_insert(L, f, k);
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
static bool add_node(loader *L, ynode *n, uint32_t line, uint32_t col)
{
    if (L->depth == 0) {
        L->cur.root = n;
        return true;
    }
    frame *f = &L->frames[L->depth - 1];
    if (f->node->kind == YN_MAP && ((L->nitems - f->base) & 1) == 0 && !check_key(L, f, n, line, col))
        return false;
    if (L->nitems == L->capitems) {
        size_t ncap = L->capitems ? L->capitems * 2 : 64;
        ynode **ni = realloc(L->items, ncap * sizeof *ni);
        if (!ni)
            sigma_oom();
        L->items = ni;
        L->capitems = ncap;
    }
    L->items[L->nitems++] = n;
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
static void anchor_set(loader *L, const char *name, size_t nlen, ynode *node, size_t size)
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
    e->node = node;
    e->size = size;
}

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
    if (!(tag && resolve_tagged(n, tag))) {
        if (n->u.s.plain)
            yaml_resolve_plain(n);
        else
            scalar_clear_value(n);
    }
    const char *anchor = ev->anchor;
    if (anchor) {
        size_t al = strlen(anchor);
        anchor_set(L, arena_strndup(L->a, anchor, al), al, n, 1);
    }
    /* libyaml represents an empty document (a bare "---") by an empty
     * plain scalar; such a document gets a NULL root */
    if (L->depth == 0)
        L->root_empty = n->u.s.plain && n->u.s.len == 0 && !tag && !anchor;
    return add_node(L, n, line, col);
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
    return add_node(L, e->node, line, col);
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
    if (anchor) {
        f->anchor_len = strlen(anchor);
        f->anchor = arena_strndup(L->a, anchor, f->anchor_len);
    }
    if (L->depth == 1)
        L->root_empty = false;
    return true;
}

static bool on_end(loader *L)
{
    frame *f = &L->frames[--L->depth];
    ynode *n = f->node;
    size_t k = L->nitems - f->base;
    ynode **kids = k ? L->items + f->base : NULL; /* items may be NULL */
    if (n->kind == YN_SEQ) {
        n->u.seq.n = k;
        if (k) {
            n->u.seq.items = arena_alloc(L->a, k * sizeof *n->u.seq.items);
            memcpy(n->u.seq.items, kids, k * sizeof *kids);
        }
    } else {
        size_t np = k / 2; /* libyaml always closes a pair */
        n->u.map.n = np;
        if (np) {
            ypair *p = arena_alloc(L->a, np * sizeof *p);
            for (size_t i = 0; i < np; i++) {
                p[i].key = kids[2 * i];
                p[i].value = kids[2 * i + 1];
            }
            n->u.map.pairs = p;
        }
    }
    L->nitems = f->base;
    /* the anchor becomes visible only now: an alias inside its own node
     * is unknown (no cycles in the tree) */
    if (f->anchor)
        anchor_set(L, f->anchor, f->anchor_len, n, L->count - f->count_before);
    return add_node(L, n, n->line, n->col);
}

static void on_doc_start(loader *L, const yev *ev)
{
    L->cur.root = NULL;
    L->cur.line = ev->line;
    L->cur.col = ev->col;
    L->root_empty = false;
    /* anchors are scoped to their document */
    L->anchors = NULL;
    L->acap = L->an = 0;
}

static void on_doc_end(loader *L)
{
    if (L->root_empty)
        L->cur.root = NULL;
    if (L->ndocs == L->capdocs) {
        size_t ncap = L->capdocs ? L->capdocs * 2 : 4;
        L->docs = arena_grow(L->a, L->docs, sizeof *L->docs, L->capdocs, ncap);
        L->capdocs = ncap;
    }
    L->docs[L->ndocs++] = L->cur;
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
        on_doc_end(L);
        return true;
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
        v.anchor = (const char *)e->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
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
    L->root_empty = false;
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
