/* regex.c - Sigma regular expressions (PCRE) rewritten for Athena (Trino).
 *
 * Trino's regexp_like(s, p) compiles p with Joni, the Java port of
 * Oniguruma, as `new Regex(p, 0, len, Option.NONE, NonStrictUTF8Encoding,
 * Syntax.Java)` (io.trino.operator.scalar.JoniRegexpCasts, Trino 483, joni
 * 2.1.5.3) and searches the whole value. Joni's Java syntax is not PCRE:
 * unknown escapes such as \K, \h, \R, \X or \o{..} are literal letters,
 * \v is only VT, \b and [[:alpha:]] are Unicode while PCRE's are ASCII,
 * [ and && are set syntax inside a class, an option like (?i) in the middle
 * of a branch swallows the following alternatives, (?i) folds ss with ß,
 * and branch reset, recursion, conditionals, verbs, (?U), (?P<n>...) do not
 * exist.
 *
 * The rewriter walks the PCRE pattern once per element and writes each one in
 * a Joni form with the same meaning for a search (whether a match exists):
 * literals escaped canonically, classes rebuilt with every member explicit,
 * ASCII forms of \b and the POSIX classes, options scoped the PCRE way, \K
 * dropped (it only moves the start of the match), (?U) applied to each
 * quantifier, (?x) spacing removed, back-references numbered \k<n>. What has
 * no Joni equivalent is an error. The result is then compiled by the C
 * Oniguruma under a syntax with exactly Joni's Java flags (read from joni's
 * Syntax.Java: op 0x7FF7FF56, op2 0x4161F7 less its \pL bit, behaviour
 * 0x80A0004B, option SINGLELINE), so that nothing Trino refuses is emitted.
 * docs/regex.md lists every rewrite and refusal; tests/trino proves them. */
#include <oniguruma.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../util/ascii.h"
#include "../util/sbuf.h"
#include "../util/utf8.h"
#include "regex.h"
#include "value.h"

#define MAX_DEPTH 250

typedef struct { bool i, m, s; } jopt;         /* options Joni applies */
typedef struct { bool i, m, s, x, U, n; } popt; /* options PCRE applies */

typedef struct {
    popt saved;      /* PCRE options outside the group */
    jopt saved_cur;  /* Joni options outside the group */
    jopt branch;     /* Joni options at the start of the group's next branch */
    int wrappers;    /* (?flags: groups opened inside the current branch */
    bool fresh;      /* nothing written yet in the current branch */
    size_t open_at;  /* output offset of the group's '(' */
} grp;

typedef struct {
    const char *p;
    size_t n, i;
    sbuf o;
    popt opt;
    jopt cur;
    grp g[MAX_DEPTH + 1];
    int depth;
    size_t atom;      /* output offset of the last quantifiable item */
    bool have_atom, atom_q;
    bool prev_lit;    /* the last item written is one unquantified literal */
    uint32_t prev_cp;
    int groups;       /* capturing groups opened so far */
    int total_groups; /* all of them (first pass) */
    bool backrefs;    /* the pattern has a back-reference (first pass) */
    bool pass2;
    bool start;       /* still at the start of the pattern (verbs allowed) */
    char *msg;
    size_t msglen;
    bool failed;
} rx;

static bool bad(rx *r, const char *fmt, ...)
{
    if (!r->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg, r->msglen, fmt, ap);
        va_end(ap);
        r->failed = true;
    }
    return false;
}

/* ---- code points -------------------------------------------------------- */

static uint32_t cp_at(const rx *r, size_t i, size_t *len)
{
    int32_t c;
    size_t k = utf8_decode(r->p + i, r->n - i, &c);
    *len = k ? k : 1;
    return k ? (uint32_t)c : 0xFFFD;
}

static void put_utf8(sbuf *b, uint32_t cp)
{
    utf8proc_uint8_t u[4];
    utf8proc_ssize_t k = utf8proc_encode_char((utf8proc_int32_t)cp, u);
    sb_putn(b, (const char *)u, (size_t)k);
}

/* Code points whose full case folding is several characters (Unicode
 * CaseFolding.txt, status F): Joni's (?i) matches them with that sequence
 * (ß with ss), PCRE's does not. */
static bool multi_fold(uint32_t c)
{
    static const uint32_t ranges[][2] = {
        {0xDF, 0xDF},     {0x130, 0x130},   {0x149, 0x149},   {0x1F0, 0x1F0},   {0x390, 0x390},
        {0x3B0, 0x3B0},   {0x587, 0x587},   {0x1E96, 0x1E9A}, {0x1E9E, 0x1E9E}, {0x1F50, 0x1F56},
        {0x1F80, 0x1FAF}, {0x1FB2, 0x1FB7}, {0x1FBC, 0x1FBC}, {0x1FC2, 0x1FC7}, {0x1FCC, 0x1FCC},
        {0x1FD2, 0x1FD7}, {0x1FE2, 0x1FE7}, {0x1FF2, 0x1FF7}, {0x1FFC, 0x1FFC}, {0xFB00, 0xFB06},
        {0xFB13, 0xFB17},
    };
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++)
        if (c >= ranges[k][0] && c <= ranges[k][1])
            return true;
    return false;
}

static bool range_has_multi_fold(uint32_t lo, uint32_t hi)
{
    static const uint32_t firsts[] = {0xDF,   0x130,  0x149,  0x1F0,  0x390,  0x3B0,  0x587,
                                      0x1E96, 0x1E9E, 0x1F50, 0x1F80, 0x1FB2, 0x1FBC, 0x1FC2,
                                      0x1FCC, 0x1FD2, 0x1FE2, 0x1FF2, 0x1FFC, 0xFB00, 0xFB13};
    for (size_t k = 0; k < sizeof firsts / sizeof firsts[0]; k++)
        if (firsts[k] >= lo && firsts[k] <= hi)
            return true;
    return multi_fold(lo) || multi_fold(hi);
}

/* Two literal characters that Joni's (?i) may read together as the folding
 * of one character (ss ß, st ﬆ, ff ﬀ, fi ﬁ, fl ﬂ; Greek, Armenian and
 * combining sequences): written apart, they match only themselves. */
static bool fold_pair(uint32_t a, uint32_t b)
{
    if (a < 0x80 && b < 0x80) {
        char x = (char)(a | 0x20), y = (char)(b | 0x20);
        return (x == 's' && (y == 's' || y == 't')) || (x == 'f' && (y == 'f' || y == 'i' || y == 'l'));
    }
    uint32_t c[2] = {a, b};
    for (int k = 0; k < 2; k++)
        if ((c[k] >= 0x2B0 && c[k] <= 0x3FF) || (c[k] >= 0x530 && c[k] <= 0x58F) || (c[k] >= 0x1F00 && c[k] <= 0x1FFF))
            return true;
    return false;
}

/* ---- output ------------------------------------------------------------- */

static void atom_begin(rx *r)
{
    r->atom = r->o.len;
    r->have_atom = true;
    r->atom_q = false;
    r->prev_lit = false;
    r->g[r->depth].fresh = false;
}

static void no_atom(rx *r)
{
    r->have_atom = false;
    r->prev_lit = false;
    r->g[r->depth].fresh = false;
}

static void hex(sbuf *b, uint32_t cp)
{
    sb_printf(b, "\\x{%X}", (unsigned)cp);
}

/* one literal character outside a class */
static void emit_char(sbuf *b, uint32_t cp)
{
    if (cp == '\t')
        sb_puts(b, "\\t");
    else if (cp == '\n')
        sb_puts(b, "\\n");
    else if (cp == '\r')
        sb_puts(b, "\\r");
    else if (cp < 0x20 || cp == 0x7F)
        hex(b, cp);
    else if (cp < 0x80 && strchr("\\^$.|?*+()[{", (int)cp))
        sb_printf(b, "\\%c", (char)cp);
    else
        put_utf8(b, cp); /* ] and } alone are text in both engines */
}

/* one literal character inside a class: the set syntax characters escaped */
static void emit_class_char(sbuf *b, uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F)
        hex(b, cp);
    else if (cp < 0x80 && strchr("\\]^-[&", (int)cp))
        sb_printf(b, "\\%c", (char)cp);
    else
        put_utf8(b, cp);
}

/* A lone class member as the rule wrote it where both engines read it the
 * same: escaped punctuation kept escaped, `-` first or last and `^` after
 * the first member kept bare; the rest as emit_class_char writes it. */
static void emit_member(sbuf *b, uint32_t cp, bool escaped, bool first, bool last, bool amp_next)
{
    if (escaped && cp > 0x20 && cp < 0x7F)
        sb_printf(b, "\\%c", (char)cp);
    else if ((cp == '-' && (first || last)) || (cp == '^' && !first) || (cp == '&' && !amp_next))
        sb_putc(b, (char)cp);
    else
        emit_class_char(b, cp);
}

static bool lit(rx *r, uint32_t cp)
{
    if (r->cur.i) {
        if (cp == 0xDF || cp == 0x1E9E) {
            /* PCRE folds ß only with ẞ; Joni also with ss */
            atom_begin(r);
            sb_puts(&r->o, "(?-i:[\xC3\x9F\xE1\xBA\x9E])");
            return true;
        }
        if (multi_fold(cp))
            return bad(r, "case-insensitive U+%04X: Athena's regex engine also matches it with the several "
                          "characters of its case folding, PCRE does not",
                       (unsigned)cp);
        if (r->prev_lit && fold_pair(r->prev_cp, cp))
            sb_puts(&r->o, "(?:)");
    }
    atom_begin(r);
    emit_char(&r->o, cp);
    r->prev_lit = true;
    r->prev_cp = cp;
    return true;
}

static void emit_opts(rx *r, jopt from, jopt to, char end)
{
    sb_puts(&r->o, "(?");
    if (to.i && !from.i)
        sb_putc(&r->o, 'i');
    if (to.m && !from.m)
        sb_putc(&r->o, 'm');
    if (to.s && !from.s)
        sb_putc(&r->o, 's');
    if ((from.i && !to.i) || (from.m && !to.m) || (from.s && !to.s)) {
        sb_putc(&r->o, '-');
        if (from.i && !to.i)
            sb_putc(&r->o, 'i');
        if (from.m && !to.m)
            sb_putc(&r->o, 'm');
        if (from.s && !to.s)
            sb_putc(&r->o, 's');
    }
    sb_putc(&r->o, end);
}

static bool jeq(jopt a, jopt b)
{
    return a.i == b.i && a.m == b.m && a.s == b.s;
}

static jopt want(const rx *r)
{
    jopt j = {r->opt.i, r->opt.m, r->opt.s};
    return j;
}

/* make Joni's options those PCRE applies from here to the end of the branch */
static void sync_opts(rx *r)
{
    jopt w = want(r);
    if (jeq(w, r->cur))
        return;
    grp *g = &r->g[r->depth];
    if (g->fresh) {
        /* at the start of a branch Joni's scope (rest of the group, later
         * branches included) is PCRE's */
        emit_opts(r, r->cur, w, ')');
        g->branch = w;
    } else {
        emit_opts(r, r->cur, w, ':');
        g->wrappers++;
    }
    r->cur = w;
}

static void close_wrappers(rx *r)
{
    grp *g = &r->g[r->depth];
    for (; g->wrappers > 0; g->wrappers--)
        sb_putc(&r->o, ')');
}

/* ---- small scanners ----------------------------------------------------- */

static bool valid_cp(rx *r, uint32_t cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return bad(r, "character code point 0x%X is not a Unicode character", (unsigned)cp);
    return true;
}

/* \x.., \o{..}, \0.., \c., \N{U+..} at r->i (after the backslash and the
 * letter has been seen); *cp gets the value; false if not such an escape */
static bool char_escape(rx *r, char e, uint32_t *cp)
{
    const char *p = r->p;
    size_t n = r->n, i = r->i + 2;
    uint32_t v = 0;
    switch (e) {
    case 'a': *cp = 7; break;
    case 'e': *cp = 27; break;
    case 'f': *cp = 12; break;
    case 'n': *cp = 10; break;
    case 'r': *cp = 13; break;
    case 't': *cp = 9; break;
    case 'x':
        if (i < n && p[i] == '{') {
            size_t j = i + 1;
            while (j < n && ascii_hex_value(p[j]) >= 0 && v <= 0x10FFFF)
                v = v * 16 + (uint32_t)ascii_hex_value(p[j++]);
            if (j >= n || p[j] != '}' || j == i + 1)
                return bad(r, "malformed \\x{...} escape");
            i = j + 1;
        } else {
            for (int k = 0; k < 2 && i < n && ascii_hex_value(p[i]) >= 0; k++)
                v = v * 16 + (uint32_t)ascii_hex_value(p[i++]);
        }
        *cp = v;
        break;
    case 'o': {
        if (i >= n || p[i] != '{')
            return bad(r, "malformed \\o{...} escape");
        size_t j = i + 1;
        while (j < n && p[j] >= '0' && p[j] <= '7' && v <= 0x10FFFF)
            v = v * 8 + (uint32_t)(p[j++] - '0');
        if (j >= n || p[j] != '}' || j == i + 1)
            return bad(r, "malformed \\o{...} escape");
        i = j + 1;
        *cp = v;
        break;
    }
    case '0':
        for (int k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
            v = v * 8 + (uint32_t)(p[i++] - '0');
        *cp = v;
        break;
    case 'c': {
        if (i >= n || (unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7E)
            return bad(r, "\\c must be followed by a printable ASCII character");
        char x = p[i++];
        if (x >= 'a' && x <= 'z')
            x = (char)(x - 32);
        *cp = (uint32_t)(unsigned char)x ^ 0x40;
        break;
    }
    case 'N': {
        if (i + 2 >= n || p[i] != '{' || p[i + 1] != 'U' || p[i + 2] != '+')
            return false;
        size_t j = i + 3;
        while (j < n && ascii_hex_value(p[j]) >= 0 && v <= 0x10FFFF)
            v = v * 16 + (uint32_t)ascii_hex_value(p[j++]);
        if (j >= n || p[j] != '}' || j == i + 3)
            return bad(r, "malformed \\N{U+...} escape");
        i = j + 1;
        *cp = v;
        break;
    }
    default:
        return false;
    }
    if (!valid_cp(r, *cp))
        return false;
    r->i = i;
    return true;
}

/* \p{..} \P{..} \pL: writes \p{name} or \P{name} */
static bool property(rx *r, sbuf *b)
{
    const char *p = r->p;
    bool neg = p[r->i + 1] == 'P';
    size_t i = r->i + 2, s, e;
    if (i >= r->n)
        return bad(r, "malformed \\p escape");
    if (p[i] == '{') {
        s = i + 1;
        e = s;
        while (e < r->n && p[e] != '}')
            e++;
        if (e >= r->n)
            return bad(r, "malformed \\p{...} escape");
        r->i = e + 1;
        if (s < e && p[s] == '^') {
            neg = !neg;
            s++;
        }
    } else {
        s = i;
        e = i + 1;
        r->i = e;
    }
    for (size_t k = s; k < e; k++)
        if (!((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') ||
              p[k] == '_' || p[k] == ' ' || p[k] == '-' || p[k] == '&'))
            return bad(r, "malformed Unicode property name in \\p");
    sb_printf(b, "\\%c{%.*s}", neg ? 'P' : 'p', (int)(e - s), p + s);
    return true;
}

/* ASCII sets of PCRE (no UCP), as class members */
static const char H_SET[] = "\\t\\x{20}\\x{A0}\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}";
static const char V_SET[] = "\\n\\x{B}\\f\\r\\x{85}\\x{2028}\\x{2029}";

static const char *posix_set(const char *name, size_t len)
{
    static const char *const tab[][2] = {
        {"alpha", "a-zA-Z"},
        {"digit", "0-9"},
        {"alnum", "a-zA-Z0-9"},
        {"upper", "A-Z"},
        {"lower", "a-z"},
        {"space", "\\t\\n\\x{B}\\f\\r\\x{20}"},
        {"blank", "\\t\\x{20}"},
        {"cntrl", "\\x{0}-\\x{1F}\\x{7F}"},
        {"graph", "\\x{21}-\\x{7E}"},
        {"print", "\\x{20}-\\x{7E}"},
        {"punct", "\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}"},
        {"xdigit", "0-9A-Fa-f"},
        {"word", "\\w"},
        {"ascii", "\\x{0}-\\x{7F}"},
    };
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (strlen(tab[k][0]) == len && memcmp(tab[k][0], name, len) == 0)
            return tab[k][1];
    return NULL;
}

/* ---- character classes -------------------------------------------------- */

typedef struct {
    bool is_char;
    bool escaped; /* written \c for ASCII punctuation c */
    uint32_t cp;
} cls_elem;

/* One class member at r->i: a character (is_char) or a set written to b. */
static bool class_elem(rx *r, sbuf *b, cls_elem *el)
{
    const char *p = r->p;
    size_t i = r->i;
    el->is_char = false;
    el->escaped = false;
    if (p[i] == '[' && i + 1 < r->n && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
        char kind = p[i + 1];
        size_t j = i + 2;
        while (j + 1 < r->n && !(p[j] == kind && p[j + 1] == ']'))
            j++;
        if (j + 1 < r->n) {
            if (kind != ':')
                return bad(r, "POSIX collating elements are not supported");
            size_t s = i + 2;
            bool neg = s < j && p[s] == '^';
            if (neg)
                s++;
            const char *set = posix_set(p + s, j - s);
            if (!set)
                return bad(r, "unknown POSIX class name");
            sb_printf(b, neg ? "[^%s]" : "%s", set);
            r->i = j + 2;
            return true;
        }
    }
    if (p[i] != '\\') {
        size_t len;
        el->is_char = true;
        el->cp = cp_at(r, i, &len);
        r->i = i + len;
        return true;
    }
    if (i + 1 >= r->n)
        return bad(r, "\\ at end of pattern");
    char e = p[i + 1];
    switch (e) {
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
        sb_printf(b, "\\%c", e);
        r->i = i + 2;
        return true;
    case 'h': case 'H': case 'v': case 'V':
        sb_printf(b, e == 'H' || e == 'V' ? "[^%s]" : "%s", e == 'h' || e == 'H' ? H_SET : V_SET);
        r->i = i + 2;
        return true;
    case 'p': case 'P':
        r->i = i;
        return property(r, b);
    case 'b':
        el->is_char = true;
        el->cp = 8;
        r->i = i + 2;
        return true;
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        uint32_t v = 0;
        size_t j = i + 1;
        for (int k = 0; k < 3 && j < r->n && p[j] >= '0' && p[j] <= '7'; k++)
            v = v * 8 + (uint32_t)(p[j++] - '0');
        el->is_char = true;
        el->cp = v;
        r->i = j;
        return true;
    }
    case '8': case '9':
        el->is_char = true;
        el->cp = (uint32_t)e;
        r->i = i + 2;
        return true;
    default:
        break;
    }
    r->i = i;
    if (char_escape(r, e, &el->cp)) {
        el->is_char = true;
        return true;
    }
    if (r->failed)
        return false;
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
        return bad(r, "escape \\%c is not allowed in a character class", e);
    size_t len;
    el->is_char = true;
    el->escaped = true;
    el->cp = cp_at(r, i + 1, &len);
    r->i = i + 1 + len;
    return true;
}

static bool check_fold(rx *r, uint32_t lo, uint32_t hi)
{
    if (r->cur.i && range_has_multi_fold(lo, hi))
        return bad(r, "case-insensitive character class with a character that folds to several "
                      "(such as U+00DF): Athena's regex engine matches the several, PCRE does not");
    return true;
}

static bool char_class(rx *r)
{
    const char *p = r->p;
    atom_begin(r);
    sbuf *b = &r->o;
    sb_putc(b, '[');
    r->i++;
    if (r->i < r->n && p[r->i] == '^') {
        sb_putc(b, '^');
        r->i++;
    }
    size_t open_len = b->len;
    bool prev_amp = false;
    bool first = true;
    for (;;) {
        if (r->i >= r->n)
            return bad(r, "missing terminating ] for character class");
        if (p[r->i] == ']' && !first) {
            r->i++;
            break;
        }
        first = false;
        /* \Q...\E: literal members */
        if (p[r->i] == '\\' && r->i + 1 < r->n && (p[r->i + 1] == 'Q' || p[r->i + 1] == 'E')) {
            bool q = p[r->i + 1] == 'Q';
            r->i += 2;
            while (q && r->i < r->n && !(p[r->i] == '\\' && r->i + 1 < r->n && p[r->i + 1] == 'E')) {
                size_t len;
                uint32_t cp = cp_at(r, r->i, &len);
                if (!check_fold(r, cp, cp))
                    return false;
                emit_class_char(b, cp);
                r->i += len;
            }
            if (q && r->i < r->n)
                r->i += 2;
            continue;
        }
        cls_elem lo;
        if (!class_elem(r, b, &lo))
            return false;
        if (!lo.is_char) {
            prev_amp = false;
            continue;
        }
        if (r->i + 1 < r->n && p[r->i] == '-' && p[r->i + 1] != ']') {
            size_t save = r->i;
            r->i++;
            sbuf tmp = SBUF_INIT;
            cls_elem hi;
            bool ok = class_elem(r, &tmp, &hi);
            sb_free(&tmp);
            if (!ok)
                return false;
            if (!hi.is_char) {
                (void)save;
                return bad(r, "invalid range in character class");
            }
            if (hi.cp < lo.cp)
                return bad(r, "range out of order in character class");
            if (!check_fold(r, lo.cp, hi.cp))
                return false;
            emit_class_char(b, lo.cp);
            sb_putc(b, '-');
            emit_class_char(b, hi.cp);
            prev_amp = false;
            continue;
        }
        if (!check_fold(r, lo.cp, lo.cp))
            return false;
        bool last = r->i < r->n && p[r->i] == ']';
        bool amp = r->i < r->n && p[r->i] == '&';
        emit_member(b, lo.cp, lo.escaped, b->len == open_len, last, amp || prev_amp);
        prev_amp = lo.cp == '&';
        continue;
    }
    sb_putc(b, ']');
    return true;
}

/* ---- escapes outside classes -------------------------------------------- */

static bool backref(rx *r, int num)
{
    if (r->pass2 && (num < 1 || num > r->total_groups))
        return bad(r, "reference to non-existent subpattern %d", num);
    r->backrefs = true;
    atom_begin(r);
    sb_printf(&r->o, "\\k<%d>", num);
    return true;
}

static bool name_ref(rx *r, const char *s, size_t len)
{
    if (!len || len > 32)
        return bad(r, "malformed group name");
    for (size_t k = 0; k < len; k++)
        if (!((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= '0' && s[k] <= '9') ||
              s[k] == '_'))
            return bad(r, "malformed group name");
    r->backrefs = true;
    atom_begin(r);
    sb_printf(&r->o, "\\k<%.*s>", (int)len, s);
    return true;
}

/* the text up to the delimiter `end` starting at i; false if absent */
static bool until(const rx *r, size_t i, char end, size_t *e)
{
    size_t j = i;
    while (j < r->n && r->p[j] != end)
        j++;
    if (j >= r->n)
        return false;
    *e = j;
    return true;
}

static bool number_ref(rx *r, const char *s, size_t len)
{
    bool rel = len && (s[0] == '-' || s[0] == '+');
    size_t k = rel ? 1 : 0;
    if (k >= len)
        return false;
    int v = 0;
    for (; k < len; k++) {
        if (s[k] < '0' || s[k] > '9' || v > 100000)
            return false;
        v = v * 10 + (s[k] - '0');
    }
    if (rel) {
        if (s[0] == '+')
            return bad(r, "forward relative back-reference is not supported");
        v = r->groups + 1 - v;
    }
    return backref(r, v);
}

static bool escape(rx *r)
{
    const char *p = r->p;
    size_t i = r->i;
    if (i + 1 >= r->n)
        return bad(r, "\\ at end of pattern");
    char e = p[i + 1];
    uint32_t cp;
    switch (e) {
    case 'Q':
        r->i = i + 2;
        while (r->i < r->n && !(p[r->i] == '\\' && r->i + 1 < r->n && p[r->i + 1] == 'E')) {
            size_t len;
            cp = cp_at(r, r->i, &len);
            r->i += len;
            if (!lit(r, cp))
                return false;
        }
        if (r->i < r->n)
            r->i += 2;
        return true;
    case 'E':
        r->i = i + 2;
        return true;
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
        atom_begin(r);
        sb_printf(&r->o, "\\%c", e);
        r->i = i + 2;
        return true;
    case 'h': case 'H': case 'v': case 'V':
        atom_begin(r);
        sb_printf(&r->o, "[%s%s]", e == 'H' || e == 'V' ? "^" : "", e == 'h' || e == 'H' ? H_SET : V_SET);
        r->i = i + 2;
        return true;
    case 'R':
        atom_begin(r);
        sb_printf(&r->o, "(?>\\r\\n|[%s])", V_SET);
        r->i = i + 2;
        return true;
    case 'b':
        /* PCRE's word boundary is ASCII, Joni's Unicode; Joni's \w is ASCII */
        sb_puts(&r->o, "(?:(?<=\\w)(?!\\w)|(?<!\\w)(?=\\w))");
        no_atom(r);
        r->i = i + 2;
        return true;
    case 'B':
        sb_puts(&r->o, "(?:(?<=\\w)(?=\\w)|(?<!\\w)(?!\\w))");
        no_atom(r);
        r->i = i + 2;
        return true;
    case 'A': case 'z': case 'Z': case 'G':
        sb_printf(&r->o, "\\%c", e);
        no_atom(r);
        r->i = i + 2;
        return true;
    case 'K':
        /* resets the start of the match: whether there is one is the same */
        r->i = i + 2;
        no_atom(r);
        return true;
    case 'X':
        return bad(r, "\\X (an extended grapheme cluster) has no equivalent in Athena's regex engine");
    case 'C':
        return bad(r, "\\C (one code unit) has no equivalent in Athena's regex engine");
    case 'p': case 'P':
        atom_begin(r);
        r->i = i;
        if (r->cur.i) {
            /* PCRE's \p ignores caseless matching */
            sb_puts(&r->o, "(?-i:");
            if (!property(r, &r->o))
                return false;
            sb_putc(&r->o, ')');
            return true;
        }
        return property(r, &r->o);
    case 'N':
        if (!(i + 2 < r->n && p[i + 2] == '{')) {
            atom_begin(r);
            sb_puts(&r->o, "[^\\n]");
            r->i = i + 2;
            return true;
        }
        break;
    case 'g': {
        size_t e2, s = i + 2;
        if (s < r->n && (p[s] == '<' || p[s] == '\''))
            return bad(r, "subroutine call \\g<...> (recursion) is not supported by Athena's regex engine");
        if (s < r->n && p[s] == '{') {
            if (!until(r, s + 1, '}', &e2))
                return bad(r, "malformed \\g{...} reference");
            r->i = e2 + 1;
            if (number_ref(r, p + s + 1, e2 - s - 1) || r->failed)
                return !r->failed;
            return name_ref(r, p + s + 1, e2 - s - 1);
        }
        e2 = s;
        if (e2 < r->n && (p[e2] == '-' || p[e2] == '+'))
            e2++;
        while (e2 < r->n && p[e2] >= '0' && p[e2] <= '9')
            e2++;
        r->i = e2;
        if (!number_ref(r, p + s, e2 - s) && !r->failed)
            return bad(r, "malformed \\g reference");
        return !r->failed;
    }
    case 'k': {
        size_t s = i + 2, e2;
        char close = 0;
        if (s < r->n)
            close = p[s] == '<' ? '>' : p[s] == '\'' ? '\'' : p[s] == '{' ? '}' : 0;
        if (!close || !until(r, s + 1, close, &e2))
            return bad(r, "malformed \\k reference");
        r->i = e2 + 1;
        return name_ref(r, p + s + 1, e2 - s - 1);
    }
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
        size_t j = i + 1;
        int v = 0;
        while (j < r->n && p[j] >= '0' && p[j] <= '9' && v < 100000)
            v = v * 10 + (p[j++] - '0');
        if (v < 10 || e == '8' || e == '9' || v <= r->groups || !r->pass2) {
            r->i = j;
            return backref(r, v);
        }
        /* octal: up to three octal digits, the rest are literal digits */
        uint32_t o = 0;
        j = i + 1;
        for (int k = 0; k < 3 && j < r->n && p[j] >= '0' && p[j] <= '7'; k++)
            o = o * 8 + (uint32_t)(p[j++] - '0');
        r->i = j;
        return lit(r, o);
    }
    default:
        break;
    }
    if (char_escape(r, e, &cp))
        return lit(r, cp);
    if (r->failed)
        return false;
    if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
        return bad(r, "unrecognized escape \\%c", e);
    if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7F) {
        /* escaped ASCII punctuation is the character in both engines: kept
         * as the rule writes it */
        atom_begin(r);
        sb_printf(&r->o, "\\%c", e);
        r->prev_lit = true;
        r->prev_cp = (uint32_t)(unsigned char)e;
        r->i = i + 2;
        return true;
    }
    size_t len;
    cp = cp_at(r, i + 1, &len);
    r->i = i + 1 + len;
    return lit(r, cp);
}

/* ---- groups, options, verbs --------------------------------------------- */

static bool push(rx *r, const char *open, size_t at)
{
    if (r->depth >= MAX_DEPTH)
        return bad(r, "parentheses nested too deeply");
    r->g[r->depth].fresh = false;
    grp *g = &r->g[++r->depth];
    g->saved = r->opt;
    g->saved_cur = r->cur;
    g->branch = r->cur;
    g->wrappers = 0;
    g->fresh = true;
    g->open_at = at;
    sb_puts(&r->o, open);
    r->have_atom = false;
    r->prev_lit = false;
    return true;
}

static bool pop(rx *r)
{
    if (r->depth == 0)
        return bad(r, "unmatched closing parenthesis");
    close_wrappers(r);
    sb_putc(&r->o, ')');
    grp *g = &r->g[r->depth--];
    r->opt = g->saved;
    r->cur = g->saved_cur;
    r->atom = g->open_at;
    r->have_atom = true;
    r->atom_q = false;
    r->prev_lit = false;
    return true;
}

static bool alternative(rx *r)
{
    close_wrappers(r);
    sb_putc(&r->o, '|');
    grp *g = &r->g[r->depth];
    g->fresh = true;
    r->cur = g->branch;
    r->have_atom = false;
    r->prev_lit = false;
    sync_opts(r);
    return true;
}

/* (?imnsxJU-imnsx) / (?^...) option letters from r->i; stops at ')' or ':' */
static bool options(rx *r, popt *o)
{
    const char *p = r->p;
    bool neg = false;
    if (r->i < r->n && p[r->i] == '^') {
        o->i = o->m = o->s = o->x = o->n = false;
        r->i++;
    }
    for (; r->i < r->n && p[r->i] != ')' && p[r->i] != ':'; r->i++) {
        bool on = !neg;
        switch (p[r->i]) {
        case '-':
            if (neg)
                return bad(r, "malformed option group");
            neg = true;
            break;
        case 'i': o->i = on; break;
        case 'm': o->m = on; break;
        case 's': o->s = on; break;
        case 'n': o->n = on; break;
        case 'U': o->U = on; break;
        case 'x':
            if (r->i + 1 < r->n && p[r->i + 1] == 'x')
                return bad(r, "option (?xx) is not supported");
            o->x = on;
            break;
        case 'J':
            return bad(r, "option (?J) (duplicate group names) is not supported by Athena's regex engine");
        default:
            return bad(r, "unknown option letter '%c'", p[r->i]);
        }
    }
    if (r->i >= r->n)
        return bad(r, "missing ) after option group");
    return true;
}

static bool verb(rx *r)
{
    const char *p = r->p;
    size_t s = r->i + 2, e = s;
    while (e < r->n && p[e] != ')' && p[e] != ':')
        e++;
    if (e >= r->n)
        return bad(r, "missing ) after (*");
    size_t len = e - s;
#define IS(w) (len == sizeof(w) - 1 && memcmp(p + s, w, len) == 0)
    if (p[e] == ':') {
        const char *open = NULL;
        if (IS("pla") || IS("positive_lookahead"))
            open = "(?=";
        else if (IS("nla") || IS("negative_lookahead"))
            open = "(?!";
        else if (IS("plb") || IS("positive_lookbehind"))
            open = "(?<=";
        else if (IS("nlb") || IS("negative_lookbehind"))
            open = "(?<!";
        else if (IS("atomic"))
            open = "(?>";
        if (open) {
            size_t at = r->o.len;
            r->i = e + 1;
            r->start = false;
            return push(r, open, at);
        }
        return bad(r, "(*%.*s:...) is not supported by Athena's regex engine", (int)len, p + s);
    }
    r->i = e + 1;
    if (IS("F") || IS("FAIL")) {
        sb_puts(&r->o, "(?!)");
        no_atom(r);
        r->start = false;
        return true;
    }
    if (r->start && (IS("UTF") || IS("UTF8") || IS("LF") || IS("BSR_UNICODE") || IS("NO_AUTO_POSSESS") ||
                     IS("NO_DOTSTAR_ANCHOR") || IS("NO_JIT") || IS("NO_START_OPT")))
        return true; /* what Trino does anyway, or only an optimisation */
    if (r->start && len > 6 && memcmp(p + s, "LIMIT_", 6) == 0)
        return true; /* a resource limit, not a meaning */
#undef IS
    return bad(r, "(*%.*s) is not supported by Athena's regex engine", (int)len, p + s);
}

/* (?<name>...), (?'name'...), (?P<name>...): the name from s up to close */
static bool named_group(rx *r, size_t s, char close, size_t at)
{
    const char *p = r->p;
    size_t e;
    if (!until(r, s, close, &e) || e == s)
        return bad(r, "malformed group name");
    for (size_t k = s; k < e; k++)
        if (!((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') ||
              p[k] == '_'))
            return bad(r, "malformed group name");
    r->i = e + 1;
    r->groups++;
    if (!push(r, "(?<", at))
        return false;
    sb_putn(&r->o, p + s, e - s);
    sb_putc(&r->o, '>');
    return true;
}

static bool group(rx *r)
{
    const char *p = r->p;
    size_t at = r->o.len, i = r->i;
    if (i + 1 < r->n && p[i + 1] == '*')
        return verb(r);
    r->start = false;
    if (!(i + 1 < r->n && p[i + 1] == '?')) {
        r->i = i + 1;
        if (r->opt.n)
            return push(r, "(?:", at);
        r->groups++;
        return push(r, "(", at);
    }
    if (i + 2 >= r->n)
        return bad(r, "malformed group");
    char c = p[i + 2];
    size_t e;
    switch (c) {
    case '#':
        if (!until(r, i + 3, ')', &e))
            return bad(r, "missing ) after (?# comment");
        r->i = e + 1;
        return true;
    case ':': case '>': case '=': case '!': {
        char open[4] = {'(', '?', c, 0};
        r->i = i + 3;
        return push(r, open, at);
    }
    case '|':
        if (r->backrefs)
            return bad(r, "branch reset (?|...) with back-references: Athena's regex engine has no branch reset");
        r->i = i + 3;
        return push(r, "(?:", at);
    case '<':
        if (i + 3 < r->n && (p[i + 3] == '=' || p[i + 3] == '!')) {
            char open[5] = {'(', '?', '<', p[i + 3], 0};
            r->i = i + 4;
            return push(r, open, at);
        }
        if (i + 3 < r->n && p[i + 3] == '*')
            return bad(r, "non-atomic lookbehind (?<*...) is not supported by Athena's regex engine");
        return named_group(r, i + 3, '>', at);
    case '\'':
        return named_group(r, i + 3, '\'', at);
    case 'P': {
        size_t s = i + 3;
        if (s < r->n && p[s] == '=') {
            if (!until(r, s + 1, ')', &e))
                return bad(r, "malformed (?P=name)");
            r->i = e + 1;
            return name_ref(r, p + s + 1, e - s - 1);
        }
        if (s < r->n && p[s] == '>')
            return bad(r, "subroutine call (?P>name) (recursion) is not supported by Athena's regex engine");
        if (!(s < r->n && p[s] == '<'))
            return bad(r, "malformed (?P group");
        return named_group(r, s + 1, '>', at);
    }
    case 'R': case '&': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': case '+':
        return bad(r, "recursion or subroutine call (?%c...) is not supported by Athena's regex engine", c);
    case '(':
        return bad(r, "conditional group (?(...)...) is not supported by Athena's regex engine");
    case 'C':
        return bad(r, "callout (?C...) is not supported by Athena's regex engine");
    case '*':
        return bad(r, "non-atomic lookahead (?*...) is not supported by Athena's regex engine");
    case '-':
        if (i + 3 < r->n && p[i + 3] >= '0' && p[i + 3] <= '9')
            return bad(r, "recursion or subroutine call (?-n) is not supported by Athena's regex engine");
        break;
    default:
        break;
    }
    r->i = i + 2;
    popt o = r->opt;
    if (!options(r, &o))
        return false;
    if (p[r->i] == ')') {
        /* (?flags): to the end of the group, later branches included */
        r->i++;
        r->opt = o;
        sync_opts(r);
        r->have_atom = false;
        r->prev_lit = false;
        return true;
    }
    /* (?flags:...) */
    r->i++;
    if (!push(r, "", at))
        return false;
    r->opt = o;
    jopt w = want(r);
    if (jeq(w, r->cur))
        sb_puts(&r->o, "(?:");
    else
        emit_opts(r, r->cur, w, ':');
    r->cur = w;
    r->g[r->depth].branch = w;
    return true;
}

/* ---- quantifiers -------------------------------------------------------- */

/* {n}, {n,}, {n,m} at r->i: true and the bounds; false if not one */
static bool brace(rx *r, long *lo, long *hi)
{
    const char *p = r->p;
    size_t j = r->i + 1;
    long a = 0, b = -1;
    if (j >= r->n || p[j] < '0' || p[j] > '9')
        return false;
    while (j < r->n && p[j] >= '0' && p[j] <= '9' && a < 1000000)
        a = a * 10 + (p[j++] - '0');
    if (j < r->n && p[j] == '}') {
        b = a;
    } else if (j < r->n && p[j] == ',') {
        j++;
        if (j < r->n && p[j] >= '0' && p[j] <= '9') {
            b = 0;
            while (j < r->n && p[j] >= '0' && p[j] <= '9' && b < 1000000)
                b = b * 10 + (p[j++] - '0');
        }
        if (j >= r->n || p[j] != '}')
            return false;
    } else {
        return false;
    }
    *lo = a;
    *hi = b;
    r->i = j + 1;
    return true;
}

static bool quantifier(rx *r)
{
    const char *p = r->p;
    char c = p[r->i];
    long lo = 0, hi = -1;
    if (c == '{') {
        if (r->i + 1 < r->n && p[r->i + 1] == ',') {
            size_t j = r->i + 2;
            while (j < r->n && p[j] >= '0' && p[j] <= '9')
                j++;
            if (j > r->i + 2 && j < r->n && p[j] == '}')
                return bad(r, "quantifier {,n} is {0,n} in Perl, Python and PCRE2 10.43 but literal text in "
                              "Athena's regex engine: write {0,n}, or \\{ for the text");
        }
        if (!brace(r, &lo, &hi))
            return lit(r, '{') && (r->i++, true);
    } else {
        r->i++;
    }
    if (!r->have_atom)
        return bad(r, "quantifier does not follow a repeatable item");
    bool lazy = false, possessive = false;
    if (r->i < r->n && p[r->i] == '?') {
        lazy = true;
        r->i++;
    } else if (r->i < r->n && p[r->i] == '+') {
        possessive = true;
        r->i++;
    }
    if (r->opt.U && !possessive)
        lazy = !lazy;
    if (r->atom_q) {
        /* a quantified item quantified again: group it, as PCRE reads it */
        sb_reserve(&r->o, 3);
        memmove(r->o.p + r->atom + 3, r->o.p + r->atom, r->o.len - r->atom + 1);
        memcpy(r->o.p + r->atom, "(?:", 3);
        r->o.len += 3;
        sb_putc(&r->o, ')');
    }
    if (c == '{') {
        if (hi == lo)
            sb_printf(&r->o, "{%ld}", lo);
        else if (hi < 0)
            sb_printf(&r->o, "{%ld,}", lo);
        else
            sb_printf(&r->o, "{%ld,%ld}", lo, hi);
    } else {
        sb_putc(&r->o, c);
    }
    if (lazy)
        sb_putc(&r->o, '?');
    if (possessive)
        sb_putc(&r->o, '+');
    r->atom_q = true;
    r->prev_lit = false;
    return true;
}

/* ---- the walk ------------------------------------------------------------ */

/* (?x): white space and # comments between items are not part of the pattern */
static bool x_skip(rx *r)
{
    const char *p = r->p;
    size_t len;
    uint32_t cp = cp_at(r, r->i, &len);
    if (cp == ' ' || (cp >= 9 && cp <= 13) || cp == 0x85 || cp == 0x200E || cp == 0x200F || cp == 0x2028 ||
        cp == 0x2029) {
        r->i += len;
        return true;
    }
    if (cp == '#') {
        while (r->i < r->n && p[r->i] != '\n')
            r->i++;
        return true;
    }
    return false;
}

static bool walk(rx *r)
{
    const char *p = r->p;
    while (r->i < r->n && !r->failed) {
        if (r->opt.x && x_skip(r))
            continue;
        char c = p[r->i];
        if (c != '(')
            r->start = false;
        switch (c) {
        case '\\':
            escape(r);
            break;
        case '[':
            char_class(r);
            break;
        case '(':
            group(r);
            break;
        case ')':
            r->i++;
            pop(r);
            break;
        case '|':
            r->i++;
            alternative(r);
            break;
        case '*': case '+': case '?': case '{':
            quantifier(r);
            break;
        case '.':
            r->i++;
            atom_begin(r);
            sb_putc(&r->o, '.');
            break;
        case '^': case '$':
            r->i++;
            sb_putc(&r->o, c);
            no_atom(r);
            break;
        default: {
            size_t len;
            uint32_t cp = cp_at(r, r->i, &len);
            r->i += len;
            lit(r, cp);
            break;
        }
        }
    }
    if (r->failed)
        return false;
    if (r->depth)
        return bad(r, "missing closing parenthesis");
    close_wrappers(r);
    return true;
}

static bool run(rx *r, const char *re, size_t n, unsigned flags)
{
    sb_free(&r->o);
    int total = r->groups;
    bool refs = r->backrefs;
    bool pass2 = r->pass2;
    char *msg = r->msg;
    size_t msglen = r->msglen;
    memset(r, 0, sizeof *r);
    r->p = re;
    r->n = n;
    r->msg = msg;
    r->msglen = msglen;
    r->pass2 = pass2;
    r->total_groups = total;
    r->backrefs = pass2 ? refs : false;
    r->start = true;
    r->opt.i = (flags & RE_I) != 0;
    r->opt.m = (flags & RE_M) != 0;
    r->opt.s = (flags & RE_S) != 0;
    r->g[0].fresh = true;
    sb_putc(&r->o, 0);
    r->o.len = 0;
    sync_opts(r);
    return walk(r);
}

/* ---- the engine check ---------------------------------------------------- */

static OnigSyntaxType joni_java;
static pthread_once_t joni_once = PTHREAD_ONCE_INIT;

static void joni_init(void)
{
    OnigEncoding enc[] = {ONIG_ENCODING_UTF8};
    onig_initialize(enc, 1);
    onig_copy_syntax(&joni_java, ONIG_SYNTAX_JAVA);
    /* joni 2.1.5.3 Syntax.Java, flag by flag */
    onig_set_syntax_op(&joni_java,
                       ONIG_SYN_OP_DOT_ANYCHAR | ONIG_SYN_OP_ASTERISK_ZERO_INF | ONIG_SYN_OP_PLUS_ONE_INF |
                           ONIG_SYN_OP_QMARK_ZERO_ONE | ONIG_SYN_OP_BRACE_INTERVAL | ONIG_SYN_OP_VBAR_ALT |
                           ONIG_SYN_OP_LPAREN_SUBEXP | ONIG_SYN_OP_ESC_AZ_BUF_ANCHOR |
                           ONIG_SYN_OP_ESC_CAPITAL_G_BEGIN_ANCHOR | ONIG_SYN_OP_DECIMAL_BACKREF |
                           ONIG_SYN_OP_BRACKET_CC | ONIG_SYN_OP_ESC_W_WORD | ONIG_SYN_OP_ESC_B_WORD_BOUND |
                           ONIG_SYN_OP_ESC_S_WHITE_SPACE | ONIG_SYN_OP_ESC_D_DIGIT | ONIG_SYN_OP_LINE_ANCHOR |
                           ONIG_SYN_OP_POSIX_BRACKET | ONIG_SYN_OP_QMARK_NON_GREEDY |
                           ONIG_SYN_OP_ESC_CONTROL_CHARS | ONIG_SYN_OP_ESC_C_CONTROL | ONIG_SYN_OP_ESC_OCTAL3 |
                           ONIG_SYN_OP_ESC_X_HEX2 | ONIG_SYN_OP_ESC_X_BRACE_HEX8);
    /* (joni's \pL single-letter property bit has no C counterpart: the
     * rewriter always writes \p{L}) */
    onig_set_syntax_op2(&joni_java,
                        ONIG_SYN_OP2_ESC_CAPITAL_Q_QUOTE | ONIG_SYN_OP2_QMARK_GROUP_EFFECT |
                            ONIG_SYN_OP2_OPTION_PERL | ONIG_SYN_OP2_PLUS_POSSESSIVE_REPEAT |
                            ONIG_SYN_OP2_PLUS_POSSESSIVE_INTERVAL | ONIG_SYN_OP2_CCLASS_SET_OP |
                            ONIG_SYN_OP2_QMARK_LT_NAMED_GROUP | ONIG_SYN_OP2_ESC_K_NAMED_BACKREF |
                            ONIG_SYN_OP2_ESC_V_VTAB | ONIG_SYN_OP2_ESC_U_HEX4 |
                            ONIG_SYN_OP2_ESC_P_BRACE_CHAR_PROPERTY);
    onig_set_syntax_behavior(&joni_java,
                             ONIG_SYN_CONTEXT_INDEP_ANCHORS | ONIG_SYN_CONTEXT_INDEP_REPEAT_OPS |
                                 ONIG_SYN_CONTEXT_INVALID_REPEAT_OPS | ONIG_SYN_ALLOW_INVALID_INTERVAL |
                                 ONIG_SYN_DIFFERENT_LEN_ALT_LOOK_BEHIND | ONIG_SYN_BACKSLASH_ESCAPE_IN_CC |
                                 ONIG_SYN_ALLOW_DOUBLE_RANGE_OP_IN_CC);
    onig_set_syntax_options(&joni_java, ONIG_OPTION_SINGLELINE);
}

static bool engine_check(const char *pat, size_t len, char *msg, size_t msglen)
{
    pthread_once(&joni_once, joni_init);
    regex_t *reg = NULL;
    OnigErrorInfo einfo;
    int rc = onig_new(&reg, (const OnigUChar *)pat, (const OnigUChar *)pat + len, ONIG_OPTION_NONE,
                      ONIG_ENCODING_UTF8, &joni_java, &einfo);
    if (rc == ONIG_NORMAL) {
        onig_free(reg);
        return true;
    }
    OnigUChar s[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(s, rc, &einfo);
    snprintf(msg, msglen, "Athena's regex engine rejects it: %s", (const char *)s);
    return false;
}

const char *re_trino(arena *a, const char *re, size_t n, unsigned flags, size_t *outlen, char *msg, size_t msglen)
{
    if (!utf8_valid(re, n)) {
        snprintf(msg, msglen, "the regular expression is not valid UTF-8 text");
        return NULL;
    }
    rx *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    r->msg = msg;
    r->msglen = msglen;
    /* the first pass counts groups and back-references, the second writes */
    bool ok = run(r, re, n, flags);
    if (ok) {
        r->pass2 = true;
        ok = run(r, re, n, flags);
    }
    const char *out = NULL;
    if (ok && engine_check(r->o.p ? r->o.p : "", r->o.len, msg, msglen)) {
        out = arena_strndup(a, r->o.p ? r->o.p : "", r->o.len);
        *outlen = r->o.len;
    }
    sb_free(&r->o);
    free(r);
    return out;
}
