/* modifier.c - Sigma value modifiers: typing of the raw YAML values and the
 * modifier chain `field|mod|mod` applied left to right (reference §3). */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../util/ascii.h"
#include "../util/limits.h"
#include "../util/sbuf.h"
#include "../util/utf8.h"
#include "modifier.h"
#include "regex.h"

typedef enum {
#define MODIFIER(name, id, accepts) id,
#include "modifiers.def"
} mod_id;

/* the kinds of value each modifier takes */
#define STR (1u << SV_STR)
#define NUM (1u << SV_NUM)
#define BOOL (1u << SV_BOOL)
#define RE (1u << SV_RE)
#define FIELDREF (1u << SV_FIELDREF)
#define CMP (1u << SV_CMP)
#define ANY (~0u)
static const unsigned mod_accepts[] = {
#define MODIFIER(name, id, accepts) [id] = accepts,
#include "modifiers.def"
};
#undef STR
#undef NUM
#undef BOOL
#undef RE
#undef FIELDREF
#undef CMP
#undef ANY

/* every name, aliases included, with its modifier */
static const struct {
    const char *name;
    mod_id id;
} mod_table[] = {
#define MODIFIER(name, id, accepts) {#name, id},
#define ALIAS(name, id) {#name, id},
#include "modifiers.def"
};
#define NMODS (sizeof mod_table / sizeof mod_table[0])

/* NULL-terminated, in the order of the table above. */
const char *const modifier_names[] = {
#define MODIFIER(name, id, accepts) #name,
#define ALIAS(name, id) #name,
#include "modifiers.def"
    NULL,
};
_Static_assert(sizeof modifier_names / sizeof *modifier_names == NMODS + 1, "one name per table row");

static int mod_lookup(const char *name)
{
    for (size_t i = 0; i < NMODS; i++)
        if (strcmp(mod_table[i].name, name) == 0)
            return (int)mod_table[i].id;
    return -1;
}

bool modifier_known(const char *name)
{
    return name && mod_lookup(name) >= 0;
}

/* ---- context and messages ----------------------------------------------- */

typedef struct mctx {
    arena *a;
    sdiag *err;
    const char *mod; /* modifier name as written */
    spos pos;        /* position for the current error (value or item) */
} mctx;

static bool fail(mctx *c, const char *fmt, ...) SIGMA_PRINTF(2, 3);

static bool fail(mctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->err->pos = c->pos;
    c->err->message = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    return false;
}

static bool u8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp);

/* Bytes as printable text for a message: control bytes and bytes that are
 * not valid UTF-8 become \xNN. */
static const char *printable(arena *a, const char *s, size_t n)
{
    sbuf b = SBUF_INIT;
    size_t i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        size_t k = i;
        uint32_t cp;
        if (ch < 0x20 || ch == 0x7f) {
            sb_printf(&b, "\\x%02x", ch);
            i++;
        } else if (u8_next((const unsigned char *)s, n, &k, &cp)) {
            sb_putn(&b, s + i, k - i);
            i = k;
        } else {
            sb_printf(&b, "\\x%02x", ch);
            i++;
        }
    }
    const char *r = arena_strndup(a, sb_cstr(&b), b.len);
    sb_free(&b);
    return r;
}

static const char *vtext(arena *a, const svalue *v)
{
    switch (v->kind) {
    case SV_STR: {
        bool has_nul = false;
        for (size_t i = 0; i < v->str.n; i++)
            if (v->str.parts[i].kind == SP_TEXT && memchr(v->str.parts[i].s, 0, v->str.parts[i].n))
                has_nul = true;
        if (!has_nul) {
            const char *t = sstr_sigma(a, &v->str);
            return printable(a, t, strlen(t));
        }
        /* sstr_sigma would stop at the NUL: render the parts byte-wise */
        sbuf b = SBUF_INIT;
        for (size_t i = 0; i < v->str.n; i++) {
            const spart *p = &v->str.parts[i];
            if (p->kind == SP_TEXT)
                sb_puts(&b, printable(a, p->s, p->n));
            else if (p->kind == SP_STAR)
                sb_putc(&b, '*');
            else if (p->kind == SP_QMARK)
                sb_putc(&b, '?');
            else
                sb_printf(&b, "%%%.*s%%", (int)p->n, p->s);
        }
        const char *r = arena_strdup(a, sb_cstr(&b));
        sb_free(&b);
        return r;
    }
    case SV_NUM:
    case SV_CMP:
    case SV_TIMEPART: return v->num.text ? v->num.text : "";
    case SV_BOOL:
    case SV_EXISTS: return v->b ? "true" : "false";
    case SV_NULL: return "null";
    case SV_RE:
    case SV_QUERY: return printable(a, v->re, v->re_len);
    case SV_CIDR: return v->cidr.text ? v->cidr.text : "";
    case SV_FIELDREF: return v->ref ? v->ref : "";
    case SV_EXPANSION: return "(expansion)";
    }
    return "";
}

static const char *vtype(svkind k)
{
    switch (k) {
    case SV_STR: return "a string";
    case SV_NUM: return "a number";
    case SV_BOOL: return "a boolean";
    case SV_NULL: return "a null";
    case SV_RE: return "a regular expression";
    case SV_CIDR: return "a CIDR network";
    case SV_FIELDREF: return "a field reference";
    case SV_EXISTS: return "an exists";
    case SV_CMP: return "a comparison";
    case SV_TIMEPART: return "a timestamp part";
    case SV_EXPANSION: return "an expansion";
    case SV_QUERY: return "a query expression";
    }
    return "an unknown";
}

static bool not_applicable(mctx *c, const svalue *v)
{
    return fail(c, "modifier '%s' is not applicable to %s value '%s'", c->mod, vtype(v->kind),
                vtext(c->a, v));
}

static svalue *sv_copy(arena *a, const svalue *v)
{
    svalue *n = sv_new(a, v->kind);
    *n = *v;
    return n;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* The code point at s[*i] (util/utf8.h: strict UTF-8), *i moved past it;
 * false if the bytes there are not valid UTF-8. */
static bool u8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
    int32_t c;
    size_t k = utf8_decode((const char *)s + *i, n - *i, &c);
    if (!k)
        return false;
    *cp = (uint32_t)c;
    *i += k;
    return true;
}

/* ---- regular expressions ------------------------------------------------ */

static bool re_check(mctx *c, const svalue *v)
{
    uint32_t opts = 0;
    if (utf8_valid(v->re, v->re_len))
        opts |= PCRE2_UTF;
    if (v->re_flags & RE_I)
        opts |= PCRE2_CASELESS;
    if (v->re_flags & RE_M)
        opts |= PCRE2_MULTILINE;
    if (v->re_flags & RE_S)
        opts |= PCRE2_DOTALL;
    const char *re = v->re_len ? v->re : "";
    /* the pattern as Athena's engine runs it (NULL: not yet made, or
     * refused with the reason in why) */
    const char *athena = NULL;
    char why[256];
    size_t n;
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, v->re_len, opts, &err, &off, NULL);
    if (!code && err == PCRE2_ERROR_QUANTIFIER_INVALID) {
        /* a{2}{3}: PCRE refuses a quantified item quantified again, Trino
         * (like Java) reads it as (?:a{2}){3}, which is what we write */
        athena = re_trino(c->a, re, v->re_len, (unsigned)v->re_flags, &n, why, sizeof why);
        if (athena)
            code = pcre2_compile((PCRE2_SPTR)athena, n, opts, &err, &off, NULL);
    }
    if (code) {
        pcre2_code_free(code);
        if (!athena && !re_trino(c->a, re, v->re_len, (unsigned)v->re_flags, &n, why, sizeof why))
            return fail(c, "regular expression '%s' cannot run on Athena: %s", vtext(c->a, v), why);
        return true;
    }
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
        snprintf((char *)msg, sizeof msg, "error %d", err);
    return fail(c, "invalid regular expression '%s': %s at offset %zu", vtext(c->a, v),
                (const char *)msg, (size_t)off);
}

/* ---- string helpers ----------------------------------------------------- */

static sstr str_add_star(arena *a, const sstr *s, bool lead, bool trail)
{
    sstr st = sstr_star(), r = *s;
    if (lead && !sstr_starts_star(&r))
        r = sstr_concat(a, &st, &r);
    if (trail && !sstr_ends_star(&r))
        r = sstr_concat(a, &r, &st);
    return r;
}

static bool re_starts(const svalue *v, const char *p)
{
    size_t n = strlen(p);
    return v->re_len >= n && memcmp(v->re, p, n) == 0;
}

static bool re_ends(const svalue *v, const char *p)
{
    size_t n = strlen(p);
    return v->re_len >= n && memcmp(v->re + v->re_len - n, p, n) == 0;
}

static void re_wrap(arena *a, svalue *v, bool lead, bool trail)
{
    bool pre = lead && !re_starts(v, ".*") && !re_starts(v, "^");
    bool post = trail && !re_ends(v, ".*") && !re_ends(v, "$");
    size_t n = v->re_len + (pre ? 2 : 0) + (post ? 2 : 0);
    char *p = arena_alloc(a, n + 1);
    size_t k = 0;
    if (pre) {
        memcpy(p, ".*", 2);
        k = 2;
    }
    if (v->re_len)
        memcpy(p + k, v->re, v->re_len);
    k += v->re_len;
    if (post)
        memcpy(p + k, ".*", 2);
    v->re = p;
    v->re_len = n;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(arena *a, const unsigned char *s, size_t n, size_t *outlen)
{
    size_t m = (n + 2) / 3 * 4;
    char *o = arena_alloc(a, m + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        o[k++] = b64chars[(v >> 18) & 63];
        o[k++] = b64chars[(v >> 12) & 63];
        o[k++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        o[k++] = i + 2 < n ? b64chars[v & 63] : '=';
    }
    o[k] = 0;
    *outlen = k;
    return o;
}

/* ---- windash ------------------------------------------------------------ */

static const char *const dashes[5] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};

/* Python's `\w` on str: alphanumeric (categories L*, N*) or `_`; an invalid
 * UTF-8 byte counts as a word character. */
static bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    if (cp > 0x10ffff)
        return true;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return true;
    default: return false;
    }
}

/* Word-ness of the character before byte offset i of s (false at the start). */
static bool word_before(const unsigned char *s, size_t i)
{
    if (i == 0)
        return false;
    size_t st = i - 1;
    while (st > 0 && i - st < 4 && (s[st] & 0xc0) == 0x80)
        st--;
    size_t k = st;
    uint32_t cp;
    if (u8_next(s, i, &k, &cp) && k == i)
        return word_cp(cp);
    return s[i - 1] >= 0x80;
}

static bool word_at(const unsigned char *s, size_t n, size_t i)
{
    if (i >= n)
        return false;
    size_t k = i;
    uint32_t cp;
    if (u8_next(s, n, &k, &cp))
        return word_cp(cp);
    return true; /* invalid byte (>= 0x80) */
}

/* Positions (part index, byte offset) of windash matches in s. */
typedef struct wpos {
    size_t part, off;
} wpos;

static size_t windash_find(const sstr *s, wpos *out)
{
    size_t k = 0;
    for (size_t p = 0; p < s->n; p++) {
        if (s->parts[p].kind != SP_TEXT)
            continue;
        const unsigned char *t = (const unsigned char *)s->parts[p].s;
        size_t n = s->parts[p].n;
        for (size_t i = 0; i < n; i++) {
            if ((t[i] == '-' || t[i] == '/') && !word_before(t, i) && word_at(t, n, i + 1)) {
                if (out) {
                    out[k].part = p;
                    out[k].off = i;
                }
                k++;
            }
        }
    }
    return k;
}

/* 5^k saturated at SIZE_MAX. */
static size_t pow5(size_t k)
{
    size_t r = 1;
    for (size_t i = 0; i < k; i++) {
        if (r > SIZE_MAX / 5)
            return SIZE_MAX;
        r *= 5;
    }
    return r;
}

/* ---- per-value modifiers ------------------------------------------------ */

typedef struct vlist {
    svalue **v;
    size_t n, cap;
} vlist;

static void vl_push(arena *a, vlist *l, svalue *v)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        l->v = arena_grow(a, l->v, sizeof *l->v, l->cap, nc);
        l->cap = nc;
    }
    l->v[l->n++] = v;
}

static svalue *make_expansion(arena *a, vlist *l)
{
    svalue *e = sv_new(a, SV_EXPANSION);
    e->items = l->v;
    e->nitems = l->n;
    return e;
}

/* UTF-16 re-encoding of the text parts: mode 0 LE, 1 BE, 2 BOM + LE. */
static bool utf16_encode(mctx *c, const svalue *v, int mode, svalue **out)
{
    arena *a = c->a;
    sstr s = v->str;
    sstr r;
    r.n = s.n + (mode == 2 ? 1 : 0);
    r.parts = arena_alloc(a, (r.n ? r.n : 1) * sizeof *r.parts);
    size_t k = 0;
    if (mode == 2) {
        r.parts[k].kind = SP_TEXT;
        r.parts[k].s = "\xff\xfe";
        r.parts[k].n = 2;
        k++;
    }
    for (size_t i = 0; i < s.n; i++) {
        const spart *p = &s.parts[i];
        if (p->kind != SP_TEXT) {
            r.parts[k++] = *p;
            continue;
        }
        const unsigned char *t = (const unsigned char *)p->s;
        char *o = arena_alloc(a, p->n * 4 + 1);
        size_t j = 0, on = 0;
        while (j < p->n) {
            uint32_t cp;
            if (!u8_next(t, p->n, &j, &cp))
                return fail(c, "modifier '%s' needs valid UTF-8 text, got '%s'", c->mod,
                            vtext(a, v));
            uint16_t u[2];
            int nu = 1;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                u[0] = (uint16_t)(0xd800 | (cp >> 10));
                u[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
                nu = 2;
            } else {
                u[0] = (uint16_t)cp;
            }
            for (int q = 0; q < nu; q++) {
                if (mode == 1) {
                    o[on++] = (char)(u[q] >> 8);
                    o[on++] = (char)(u[q] & 0xff);
                } else {
                    o[on++] = (char)(u[q] & 0xff);
                    o[on++] = (char)(u[q] >> 8);
                }
            }
        }
        r.parts[k].kind = SP_TEXT;
        r.parts[k].s = o;
        r.parts[k].n = on;
        k++;
    }
    r.n = k;
    svalue *nv = sv_copy(a, v);
    nv->str = sstr_normalize(a, r);
    *out = nv;
    return true;
}

static bool do_windash(mctx *c, const svalue *v, vlist *res)
{
    arena *a = c->a;
    sstr s = sstr_normalize(a, v->str);
    size_t k = windash_find(&s, NULL);
    if (k == 0) {
        vl_push(a, res, (svalue *)v);
        return true;
    }
    wpos *pos = arena_alloc(a, k * sizeof *pos);
    windash_find(&s, pos);
    size_t total = pow5(k); /* checked against the limit by the caller */
    for (size_t idx = 0; idx < total; idx++) {
        sstr r;
        r.n = s.n;
        r.parts = arena_alloc(a, s.n * sizeof *r.parts);
        memcpy(r.parts, s.parts, s.n * sizeof *r.parts);
        size_t m = 0; /* next match */
        for (size_t p = 0; p < s.n; p++) {
            if (m >= k || pos[m].part != p)
                continue;
            const spart *sp = &s.parts[p];
            char *o = arena_alloc(a, sp->n * 3 + 1);
            size_t on = 0, last = 0;
            for (; m < k && pos[m].part == p; m++) {
                size_t off = pos[m].off;
                memcpy(o + on, sp->s + last, off - last);
                on += off - last;
                size_t digit = (idx / pow5(k - 1 - m)) % 5;
                size_t dl = strlen(dashes[digit]);
                memcpy(o + on, dashes[digit], dl);
                on += dl;
                last = off + 1;
            }
            memcpy(o + on, sp->s + last, sp->n - last);
            on += sp->n - last;
            r.parts[p].s = o;
            r.parts[p].n = on;
        }
        svalue *nv = sv_copy(a, v);
        nv->str = r;
        vl_push(a, res, nv);
    }
    return true;
}

static bool do_expand(mctx *c, const svalue *v, svalue **out)
{
    arena *a = c->a;
    const sstr *s = &v->str;
    size_t cap = 0;
    for (size_t i = 0; i < s->n; i++)
        cap += s->parts[i].kind == SP_TEXT ? s->parts[i].n + 1 : 1;
    sstr r;
    r.parts = arena_alloc(a, (cap ? cap : 1) * sizeof *r.parts);
    r.n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const spart *p = &s->parts[i];
        if (p->kind != SP_TEXT) {
            r.parts[r.n++] = *p;
            continue;
        }
        char *buf = arena_alloc(a, p->n + 1);
        size_t bl = 0, tstart = 0;
        for (size_t j = 0; j < p->n;) {
            char ch = p->s[j];
            if (ch == '\\' && j + 1 < p->n && p->s[j + 1] == '%') {
                buf[bl++] = '%';
                j += 2;
                continue;
            }
            if (ch == '%') {
                const char *e = memchr(p->s + j + 1, '%', p->n - j - 1);
                if (e && e > p->s + j + 1) {
                    if (bl > tstart) {
                        r.parts[r.n].kind = SP_TEXT;
                        r.parts[r.n].s = buf + tstart;
                        r.parts[r.n].n = bl - tstart;
                        r.n++;
                    }
                    tstart = bl;
                    size_t nl = (size_t)(e - (p->s + j + 1));
                    r.parts[r.n].kind = SP_PH;
                    r.parts[r.n].s = arena_strndup(a, p->s + j + 1, nl);
                    r.parts[r.n].n = nl;
                    r.n++;
                    j += nl + 2;
                    continue;
                }
            }
            buf[bl++] = ch;
            j++;
        }
        if (bl > tstart) {
            r.parts[r.n].kind = SP_TEXT;
            r.parts[r.n].s = buf + tstart;
            r.parts[r.n].n = bl - tstart;
            r.n++;
        }
    }
    svalue *nv = sv_copy(a, v);
    nv->str = sstr_normalize(a, r);
    *out = nv;
    return true;
}

static bool do_base64offset(mctx *c, const svalue *v, vlist *res)
{
    arena *a = c->a;
    size_t n;
    const char *t = sstr_text(a, &v->str, &n);
    static const size_t start_cut[3] = {0, 2, 3};
    static const size_t end_cut[3] = {0, 3, 2};
    for (size_t i = 0; i < 3; i++) {
        unsigned char *buf = arena_alloc(a, n + i + 1);
        memset(buf, ' ', i);
        if (n)
            memcpy(buf + i, t, n);
        size_t bl;
        char *e = b64(a, buf, n + i, &bl);
        size_t st = start_cut[i], en = end_cut[(n + i) % 3];
        size_t len = bl > st + en ? bl - st - en : 0;
        svalue *nv = sv_copy(a, v);
        nv->str = sstr_plain(a, e + st, len);
        vl_push(a, res, nv);
    }
    return true;
}

/* Applies one modifier to a non-expansion value; results appended to res. */
static bool apply_elem(mctx *c, mod_id id, svalue *v, vlist *res)
{
    arena *a = c->a;
    svalue *nv = NULL;
    if (!(mod_accepts[id] & (1u << v->kind)))
        return not_applicable(c, v);
    switch (id) {
    case M_CONTAINS:
    case M_STARTSWITH:
    case M_ENDSWITH: {
        bool lead = id != M_STARTSWITH, trail = id != M_ENDSWITH;
        nv = sv_copy(a, v);
        if (v->kind == SV_STR)
            nv->str = str_add_star(a, &v->str, lead, trail);
        else if (v->kind == SV_RE)
            re_wrap(a, nv, lead, trail);
        else {
            nv->ref_starts = nv->ref_starts || lead;
            nv->ref_ends = nv->ref_ends || trail;
        }
        break;
    }
    case M_BASE64:
    case M_BASE64OFFSET:
        if (sstr_has_wildcard(&v->str))
            return fail(c, "%s encoding of strings with wildcards is not allowed", c->mod);
        if (sstr_has_placeholder(&v->str))
            return fail(c, "%s encoding of strings with placeholders is not allowed", c->mod);
        if (id == M_BASE64OFFSET)
            return do_base64offset(c, v, res);
        {
            size_t n, bl;
            const char *t = sstr_text(a, &v->str, &n);
            char *e = b64(a, (const unsigned char *)t, n, &bl);
            nv = sv_copy(a, v);
            nv->str = sstr_plain(a, e, bl);
        }
        break;
    case M_WIDE:
    case M_UTF16LE:
    case M_UTF16BE:
    case M_UTF16:
        if (!utf16_encode(c, v, id == M_UTF16BE ? 1 : id == M_UTF16 ? 2 : 0, &nv))
            return false;
        break;
    case M_WINDASH:
        return do_windash(c, v, res);
    case M_RE:
        if (!re_check(c, v))
            return false;
        nv = v;
        break;
    case M_I:
    case M_M:
    case M_S:
        nv = sv_copy(a, v);
        nv->re_flags |= id == M_I ? RE_I : id == M_M ? RE_M : RE_S;
        break;
    case M_CASED:
        nv = sv_copy(a, v);
        nv->cased = true;
        break;
    case M_CIDR: {
        if (sstr_has_wildcard(&v->str) || sstr_has_placeholder(&v->str))
            return fail(c, "invalid CIDR '%s'", vtext(a, v));
        size_t n;
        const char *t = sstr_text(a, &v->str, &n);
        nv = sv_new(a, SV_CIDR);
        int rc = cidr_parse(t, n, nv);
        if (rc == 1)
            return fail(c, "invalid CIDR '%s'", vtext(a, v));
        if (rc == 2)
            return fail(c, "invalid CIDR '%s': host bits set", vtext(a, v));
        nv->cidr.text = t;
        break;
    }
    case M_EXPAND:
        if (!do_expand(c, v, &nv))
            return false;
        break;
    case M_FIELDREF:
        if (sstr_has_wildcard(&v->str))
            return fail(c, "field references must not contain wildcards");
        if (sstr_has_placeholder(&v->str))
            return fail(c, "field references must not contain placeholders");
        nv = sv_new(a, SV_FIELDREF);
        nv->cased = v->cased;
        nv->ref = sstr_text(a, &v->str, NULL);
        break;
    case M_EXISTS:
        nv = sv_copy(a, v);
        nv->kind = SV_EXISTS;
        break;
    case M_GT:
    case M_GTE:
    case M_LT:
    case M_LTE:
        if (v->kind != SV_NUM && v->kind != SV_TIMEPART) {
            const char *ty = vtype(v->kind);
            ty += ty[1] == 'n' ? 3 : 2; /* drop the article */
            return fail(c, "modifier '%s' needs a number, got %s '%s'", c->mod, ty, vtext(a, v));
        }
        nv = sv_copy(a, v);
        nv->cmp_tpart = v->kind == SV_TIMEPART; /* hour|gt: compare the part */
        nv->kind = SV_CMP;
        nv->cmp = id == M_GT ? CMP_GT : id == M_GTE ? CMP_GTE : id == M_LT ? CMP_LT : CMP_LTE;
        break;
    case M_MINUTE:
    case M_HOUR:
    case M_DAY:
    case M_WEEK:
    case M_MONTH:
    case M_YEAR:
        if (v->kind == SV_CMP && v->cmp_tpart)
            return fail(c, "only one timestamp part modifier may be used");
        nv = sv_copy(a, v);
        if (v->kind == SV_CMP)
            nv->cmp_tpart = true; /* gt|hour: compare the part */
        else
            nv->kind = SV_TIMEPART;
        nv->tpart = (tpart_kind)(id - M_MINUTE);
        if (!nv->num.is_int) {
            /* Python int(): truncation toward zero */
            double t = nv->num.d;
            if (!(t > -9223372036854775808.0 && t < 9223372036854775808.0))
                return fail(c, "timestamp part value '%s' is out of range", vtext(a, v));
            nv->num.is_int = true;
            nv->num.i = (int64_t)t;
            nv->num.d = (double)nv->num.i;
            nv->num.text = arena_printf(a, "%lld", (long long)nv->num.i);
        }
        break;
    case M_ALL:
    case M_NEQ:
        nv = v;
        break;
    }
    vl_push(a, res, nv);
    return true;
}

static bool apply_value(mctx *c, mod_id id, svalue *v, svalue **out)
{
    vlist res = {NULL, 0, 0};
    if (v->kind != SV_EXPANSION) {
        if (!apply_elem(c, id, v, &res))
            return false;
        *out = res.n == 1 ? res.v[0] : make_expansion(c->a, &res);
        return true;
    }
    for (size_t i = 0; i < v->nitems; i++) {
        vlist one = {NULL, 0, 0};
        if (!apply_elem(c, id, v->items[i], &one))
            return false;
        for (size_t j = 0; j < one.n; j++) {
            if (one.v[j]->kind == SV_EXPANSION)
                for (size_t q = 0; q < one.v[j]->nitems; q++)
                    vl_push(c->a, &res, one.v[j]->items[q]);
            else
                vl_push(c->a, &res, one.v[j]);
        }
    }
    svalue *e = sv_copy(c->a, v);
    e->items = res.v;
    e->nitems = res.n;
    *out = e;
    return true;
}

/* Number of comparisons a value stands for (for the expansion limit). */
static size_t value_weight(const svalue *v)
{
    if (v->kind == SV_EXPANSION) {
        size_t n = 0;
        for (size_t i = 0; i < v->nitems; i++)
            n += value_weight(v->items[i]);
        return n;
    }
    if (v->kind == SV_CIDR) {
        int step = v->cidr.family == 4 ? 8 : 4;
        int q = (v->cidr.prefix + step - 1) / step * step;
        return (size_t)1 << (q - v->cidr.prefix);
    }
    return 1;
}

static size_t windash_weight(const svalue *v)
{
    if (v->kind == SV_EXPANSION) {
        size_t n = 0;
        for (size_t i = 0; i < v->nitems; i++) {
            size_t w = windash_weight(v->items[i]);
            n = n > SIZE_MAX - w ? SIZE_MAX : n + w;
        }
        return n;
    }
    if (v->kind != SV_STR)
        return 1;
    return pow5(windash_find(&v->str, NULL));
}

static void re_collect(const svalue *v, const svalue **out, size_t *n)
{
    if (v->kind == SV_EXPANSION) {
        for (size_t i = 0; i < v->nitems; i++)
            re_collect(v->items[i], out, n);
    } else if (v->kind == SV_RE) {
        out[(*n)++] = v;
    }
}

/* ---- initial typing ----------------------------------------------------- */

static void big_muladd(uint32_t *l, size_t *nl, unsigned mul, unsigned add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < *nl; i++) {
        uint64_t x = (uint64_t)l[i] * mul + carry;
        l[i] = (uint32_t)(x % 1000000000u);
        carry = x / 1000000000u;
    }
    while (carry) {
        l[(*nl)++] = (uint32_t)(carry % 1000000000u);
        carry /= 1000000000u;
    }
}

/* Exact decimal digits (no sign) of a PyYAML int text (decimal, 0b, 0x,
 * 0 octal, sexagesimal; `_` ignored); NULL if not parsable. */
static char *int_exact(arena *a, const char *t, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] != '_')
            s[k++] = t[i];
    s[k] = 0;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    unsigned base = 10;
    if (p[0] == '0' && p[1] == 'b') {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && p[1] == 'x') {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p++;
    }
    if (!*p)
        return NULL;
    uint32_t *l = arena_alloc(a, (strlen(p) + 2) * sizeof *l);
    size_t nl = 1;
    bool first = true;
    unsigned group = 0;
    for (; *p; p++) {
        if (base == 10 && *p == ':') {
            if (!first)
                big_muladd(l, &nl, 60, group);
            first = false;
            group = 0;
            continue;
        }
        int d = ascii_hex_value(*p);
        if (d < 0 || (unsigned)d >= base)
            return NULL;
        if (first) {
            big_muladd(l, &nl, base, (unsigned)d);
        } else {
            group = group * 10 + (unsigned)d;
            if (group > 59)
                return NULL;
        }
    }
    if (!first)
        big_muladd(l, &nl, 60, group);
    sbuf b = SBUF_INIT;
    size_t top = nl;
    while (top > 1 && l[top - 1] == 0)
        top--;
    sb_printf(&b, "%u", l[top - 1]);
    for (size_t i = top - 1; i-- > 0;)
        sb_printf(&b, "%09u", l[i]);
    char *r = arena_strdup(a, sb_cstr(&b));
    sb_free(&b);
    return r;
}

/* Number of a YAML int/float scalar, the way pySigma's SigmaNumber keeps it. */
static bool make_number(mctx *c, const ynode *y, snum *num)
{
    arena *a = c->a;
    memset(num, 0, sizeof *num);
    if (y->u.s.type == YT_INT && !y->u.s.int_big) {
        num->is_int = true;
        num->i = y->u.s.ival;
        num->d = (double)y->u.s.ival;
        num->text = arena_printf(a, "%lld", (long long)y->u.s.ival);
        return true;
    }
    double d = y->u.s.fval;
    if (y->u.s.type == YT_INT) {
        /* beyond int64: an int stays an int only if a float holds it exactly */
        const char *ex = int_exact(a, y->u.s.text, y->u.s.len);
        bool neg = y->u.s.len && y->u.s.text[0] == '-';
        if (ex) {
            d = strtod(ex, NULL);
            if (neg)
                d = -d;
        }
        if (!isfinite(d))
            return fail(c, "Invalid number");
        num->d = d;
        /* the text keeps every digit: SQL renders it exactly (a DECIMAL
         * literal in Athena), never as a rounded float */
        num->text = ex ? arena_printf(a, "%s%s", neg ? "-" : "", ex) : snum_repr(a, d);
        return true;
    }
    if (!isfinite(d))
        return fail(c, "Invalid number");
    num->d = d;
    num->text = snum_format(a, d);
    if (snum_integral(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        num->is_int = true;
        num->i = (int64_t)d;
    }
    return true;
}

static bool initial_value(mctx *c, const ynode *y, bool re, svalue **out)
{
    arena *a = c->a;
    if (y->kind != YN_SCALAR)
        return fail(c, "Unsupported type: %s", y->kind == YN_SEQ ? "list" : "map");
    svalue *v = NULL;
    switch (y->u.s.type) {
    case YT_STR:
    case YT_DATE:
        if (re) {
            v = sv_new(a, SV_RE);
            v->re = arena_strndup(a, y->u.s.text, y->u.s.len);
            v->re_len = y->u.s.len;
        } else {
            v = sv_str(a, sstr_parse(a, y->u.s.text, y->u.s.len));
        }
        break;
    case YT_INT:
    case YT_FLOAT: {
        snum num;
        if (!make_number(c, y, &num))
            return false;
        if (re) {
            v = sv_new(a, SV_RE);
            v->re = num.text;
            v->re_len = strlen(num.text);
        } else {
            v = sv_new(a, SV_NUM);
            v->num = num;
        }
        break;
    }
    case YT_BOOL:
        v = sv_new(a, SV_BOOL);
        v->b = y->u.s.bval;
        break;
    case YT_NULL: v = sv_new(a, SV_NULL); break;
    }
    *out = v;
    return true;
}

/* ---- the chain ---------------------------------------------------------- */

bool modifiers_apply(arena *a, ditem *item, ynode **raw, size_t nraw, spos pos, sdiag *err)
{
    /* errors about the chain itself point at the key, value errors at the value */
    spos ipos = item->pos.line ? item->pos : pos;
    mctx c = {a, err, NULL, ipos};
    int *ids = arena_alloc(a, (item->nmods ? item->nmods : 1) * sizeof *ids);
    bool re = false;
    for (size_t i = 0; i < item->nmods; i++) {
        const char *m = item->mods[i];
        ids[i] = m ? mod_lookup(m) : -1;
        if (ids[i] < 0)
            return fail(&c, "unknown modifier '%s'", m ? m : "");
    }
    for (size_t i = 0; i < item->nmods; i++) {
        if (ids[i] == M_RE && i > 0)
            return fail(&c, "the re modifier must come first");
        if (ids[i] == M_CIDR && i > 0)
            return fail(&c, "the cidr modifier must come first");
        if (ids[i] == M_EXISTS && !item->field)
            return fail(&c, "the exists modifier needs a field");
        if (ids[i] == M_RE)
            re = true;
    }
    if (nraw > SIGMA_MAX_VALUES)
        return fail(&c, "too many values (%zu, limit %d)", nraw, SIGMA_MAX_VALUES);

    svalue **vals = arena_alloc(a, (nraw ? nraw : 1) * sizeof *vals);
    for (size_t k = 0; k < nraw; k++) {
        c.pos = raw[k] ? node_pos(raw[k]) : pos;
        if (!raw[k])
            return fail(&c, "missing value");
        if (!initial_value(&c, raw[k], re, &vals[k]))
            return false;
    }
    for (size_t i = 0; i < item->nmods; i++) {
        mod_id id = (mod_id)ids[i];
        c.mod = item->mods[i];
        c.pos = ipos;
        if (id == M_ALL) {
            item->all = true;
            continue;
        }
        if (id == M_NEQ) {
            item->neg = true;
            continue;
        }
        if (id == M_WINDASH) {
            size_t total = 0;
            for (size_t k = 0; k < nraw; k++) {
                size_t w = windash_weight(vals[k]);
                if (w > SIGMA_MAX_EXPANSION) {
                    if (w == SIZE_MAX)
                        return fail(&c, "windash expansion too large (more than %zu values, limit %d)",
                                    (size_t)SIZE_MAX - 1, SIGMA_MAX_EXPANSION);
                    return fail(&c, "windash expansion too large (%zu values, limit %d)", w,
                                SIGMA_MAX_EXPANSION);
                }
                total = total > SIZE_MAX - w ? SIZE_MAX : total + w;
            }
            if (total > SIGMA_MAX_VALUES)
                return fail(&c, "windash expansion too large (%zu values, limit %d)", total, SIGMA_MAX_VALUES);
        }
        size_t total = 0;
        for (size_t k = 0; k < nraw; k++) {
            c.pos = node_pos(raw[k]);
            if (!apply_value(&c, id, vals[k], &vals[k]))
                return false;
            size_t w = value_weight(vals[k]);
            if (w > SIGMA_MAX_EXPANSION)
                return fail(&c, "expansion of one value too large after modifier '%s' (%zu values, limit %d)",
                            c.mod, w, SIGMA_MAX_EXPANSION);
            total += w;
        }
        c.pos = ipos;
        if (total > SIGMA_MAX_VALUES)
            return fail(&c, "too many values after modifier '%s' (%zu, limit %d)", c.mod, total,
                        SIGMA_MAX_VALUES);
    }
    /* regexes are checked once more with their final text and flags */
    for (size_t k = 0; k < nraw; k++) {
        c.pos = node_pos(raw[k]);
        size_t n = 0;
        const svalue **res = arena_alloc(a, (value_weight(vals[k]) + 1) * sizeof *res);
        re_collect(vals[k], res, &n);
        for (size_t j = 0; j < n; j++)
            if (!re_check(&c, res[j]))
                return false;
    }
    item->vals = vals;
    item->nvals = nraw;
    return true;
}
