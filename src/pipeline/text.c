/* text.c - text work shared by the pipeline files: Python's str() of YAML
 * scalars, regular expressions with arena memory, Python's re.sub, the
 * {name} template scanner and the {variable|filter} fields of set_state,
 * JSON string literals. Nothing here knows about
 * rules or items. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/utf8.h"

/* ---- scalars ------------------------------------------------------------- */

const char *pl_scalar_str(arena *a, const ynode *n)
{
    if (!n || n->kind != YN_SCALAR)
        return NULL;
    switch (n->u.s.type) {
    case YT_NULL: return "None";
    case YT_BOOL: return n->u.s.bval ? "True" : "False";
    case YT_INT:
        if (!n->u.s.int_big)
            return arena_printf(a, "%lld", (long long)n->u.s.ival);
        return n->u.s.text;
    case YT_FLOAT: return snum_repr(a, n->u.s.fval);
    case YT_STR:
    case YT_DATE: return n->u.s.text;
    }
    return n->u.s.text;
}

/* ---- pcre2 from the arena --------------------------------------------- */

static void *px_malloc(PCRE2_SIZE n, void *data)
{
    return arena_alloc((arena *)data, n ? n : 1);
}

static void px_free(void *p, void *data)
{
    (void)p, (void)data;
}

pcre2_code *pl_compile(pipeline_set *ps, const char *pat, size_t len, char *msg, size_t msglen)
{
    if (!ps->gctx)
        ps->gctx = pcre2_general_context_create(px_malloc, px_free, ps->a);
    pcre2_compile_context *cc = pcre2_compile_context_create(ps->gctx);
    uint32_t opts = PCRE2_UCP | PCRE2_ALT_BSUX;
    if (utf8_valid(pat, len))
        opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int e;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(len ? pat : ""), len, opts, &e, &off, cc);
    if (!code && msg) {
        PCRE2_UCHAR m[256];
        if (pcre2_get_error_message(e, m, sizeof m) < 0)
            snprintf((char *)m, sizeof m, "error %d", e);
        snprintf(msg, msglen, "%s at offset %zu", (const char *)m, (size_t)off);
    }
    return code;
}

/* ---- re.sub ---------------------------------------------------------------------------- */

/* Python replacement template -> pieces: literal text or a group number/name */
typedef struct rpiece {
    const char *lit;
    size_t len;
    int group; /* -1: literal */
} rpiece;

static bool parse_repl(arena *a, pcre2_code *re, const char *repl, rpiece **out, size_t *nout, const char **msg)
{
    uint32_t ngroups = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
    size_t n = strlen(repl);
    rpiece *p = arena_alloc(a, sizeof *p * (n + 1));
    size_t np = 0;
    sbuf lit = SBUF_INIT;
#define FLUSH()                                                                    \
    do {                                                                           \
        if (lit.len) {                                                             \
            p[np].lit = arena_strndup(a, lit.p, lit.len);                          \
            p[np].len = lit.len;                                                   \
            p[np].group = -1;                                                      \
            np++;                                                                  \
            sb_clear(&lit);                                                        \
        }                                                                          \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        char ch = repl[i];
        if (ch != '\\' || i + 1 >= n) {
            if (ch == '\\') {
                sb_free(&lit);
                *msg = "bad escape (end of pattern)";
                return false;
            }
            sb_putc(&lit, ch);
            continue;
        }
        char d = repl[++i];
        int g = -1;
        if (d == 'g') {
            if (repl[i + 1] != '<') {
                sb_free(&lit);
                *msg = "missing < in \\g<...>";
                return false;
            }
            const char *e = strchr(repl + i + 2, '>');
            if (!e || e == repl + i + 2) {
                sb_free(&lit);
                *msg = "missing group name in \\g<...>";
                return false;
            }
            size_t gl = (size_t)(e - (repl + i + 2));
            const char *gn = arena_strndup(a, repl + i + 2, gl);
            bool digits = true;
            for (size_t k = 0; k < gl; k++)
                if (gn[k] < '0' || gn[k] > '9')
                    digits = false;
            if (digits) {
                g = atoi(gn);
            } else {
                int num = pcre2_substring_number_from_name(re, (PCRE2_SPTR)gn);
                if (num < 0) {
                    sb_free(&lit);
                    *msg = arena_printf(a, "unknown group name '%s'", gn);
                    return false;
                }
                g = num;
            }
            i += gl + 2;
        } else if (d >= '1' && d <= '9') {
            g = d - '0';
            if (repl[i + 1] >= '0' && repl[i + 1] <= '9') {
                g = g * 10 + (repl[i + 1] - '0');
                i++;
            }
        } else if (d == '0') {
            /* octal escape \0, \0o, \0oo */
            int v = 0, k = 0;
            while (k < 2 && repl[i + 1] >= '0' && repl[i + 1] <= '7') {
                v = v * 8 + (repl[++i] - '0');
                k++;
            }
            sb_putc(&lit, (char)v);
            continue;
        } else {
            const char *esc = "n\nt\tr\rf\fv\va\a\\\\";
            const char *f = NULL;
            for (const char *q = esc; *q; q += 2)
                if (*q == d)
                    f = q;
            if (f) {
                sb_putc(&lit, f[1]);
            } else if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) {
                sb_free(&lit);
                *msg = arena_printf(a, "bad escape \\%c", d);
                return false;
            } else {
                sb_putc(&lit, '\\');
                sb_putc(&lit, d);
            }
            continue;
        }
        if (g > (int)ngroups) {
            sb_free(&lit);
            *msg = arena_printf(a, "invalid group reference %d", g);
            return false;
        }
        FLUSH();
        p[np].group = g;
        np++;
    }
    FLUSH();
#undef FLUSH
    sb_free(&lit);
    *out = p;
    *nout = np;
    return true;
}

static size_t char_len(const char *s, size_t n, size_t i, bool utf)
{
    if (!utf)
        return 1;
    size_t k = 1;
    while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return k;
}

char *pl_resub(arena *a, pcre2_code *re, const char *s, size_t n, const char *repl, size_t *outlen, bool *changed,
               const char **msg)
{
    *changed = false;
    *msg = NULL;
    rpiece *pc;
    size_t npc;
    if (!parse_repl(a, re, repl, &pc, &npc, msg))
        return NULL;
    uint32_t opts = 0;
    pcre2_pattern_info(re, PCRE2_INFO_ALLOPTIONS, &opts);
    bool utf = (opts & PCRE2_UTF) != 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
        *msg = "out of memory";
        return NULL;
    }
    PCRE2_SPTR subj = (PCRE2_SPTR)(n ? s : "");
    sbuf b = SBUF_INIT;
    size_t last = 0, pos = 0;
    uint32_t flags = 0;
    while (pos <= n) {
        int rc = pcre2_match(re, subj, n, pos, flags, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (!flags)
                break;
            /* no non-empty match here: step one character */
            flags = 0;
            pos += char_len(s, n, pos, utf);
            continue;
        }
        if (rc < 0) {
            PCRE2_UCHAR m[200];
            pcre2_get_error_message(rc, m, sizeof m);
            *msg = arena_printf(a, "regular expression failed: %s", (const char *)m);
            pcre2_match_data_free(md);
            sb_free(&b);
            return NULL;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        sb_putn(&b, s + last, ms - last);
        for (size_t k = 0; k < npc; k++) {
            if (pc[k].group < 0) {
                sb_putn(&b, pc[k].lit, pc[k].len);
            } else if (pc[k].group < rc && ov[2 * pc[k].group] != PCRE2_UNSET) {
                size_t gs = ov[2 * pc[k].group], ge = ov[2 * pc[k].group + 1];
                sb_putn(&b, s + gs, ge - gs);
            }
        }
        *changed = true;
        last = me;
        pos = me;
        flags = ms == me ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
        if (flags && pos >= n)
            break;
    }
    pcre2_match_data_free(md);
    if (last < n)
        sb_putn(&b, s + last, n - last);
    char *r = arena_strndup(a, b.p ? b.p : "", b.len);
    *outlen = b.len;
    sb_free(&b);
    return r;
}

/* ---- {name} templates -------------------------------------------------------------------- */

int pl_braces(const char *tmpl, bool strict, brace_fn fn, void *ctx)
{
    size_t lit = 0; /* start of the pending literal text */
    int rc;
    for (size_t i = 0; tmpl[i]; i++) {
        char ch = tmpl[i];
        if ((ch == '{' || ch == '}') && tmpl[i + 1] == ch) {
            /* a doubled brace: the text so far, then one brace */
            if ((rc = fn(ctx, false, tmpl + lit, i + 1 - lit)))
                return rc;
            lit = ++i + 1;
            continue;
        }
        if (ch == '}' && strict)
            return BRACES_LONE_CLOSE;
        if (ch != '{')
            continue;
        const char *e = strchr(tmpl + i, '}');
        if (!e)
            return BRACES_UNCLOSED;
        if (i > lit && (rc = fn(ctx, false, tmpl + lit, i - lit)))
            return rc;
        if ((rc = fn(ctx, true, tmpl + i + 1, (size_t)(e - tmpl - i - 1))))
            return rc;
        i = (size_t)(e - tmpl);
        lit = i + 1;
    }
    size_t n = strlen(tmpl + lit);
    return n ? fn(ctx, false, tmpl + lit, n) : BRACES_OK;
}

typedef struct expand_ctx {
    arena *a;
    sbuf b;
    brace_lookup lookup;
    void *ctx;
    const char **msg;
} expand_ctx;

static int expand_piece(void *ctx, bool field, const char *s, size_t n)
{
    expand_ctx *x = ctx;
    if (!field) {
        sb_putn(&x->b, s, n);
        return 0;
    }
    const char *t = x->lookup(x->ctx, arena_strndup(x->a, s, n), x->msg);
    if (!t)
        return -1;
    sb_puts(&x->b, t);
    return 0;
}

const char *pl_expand(arena *a, const char *tmpl, brace_lookup lookup, void *ctx, const char **msg)
{
    expand_ctx x = {a, SBUF_INIT, lookup, ctx, msg};
    int rc = pl_braces(tmpl, false, expand_piece, &x);
    if (rc == BRACES_UNCLOSED)
        *msg = "'{' without '}' in template";
    const char *r = rc ? NULL : arena_strndup(a, sb_cstr(&x.b), x.b.len);
    sb_free(&x.b);
    return r;
}

/* ---- {variable|filter} fields of set_state templates ---------------------------------- */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* A quoted argument ('...' or "...", no escapes) at s[*i]. */
static const char *filter_arg(arena *a, const char *s, size_t n, size_t *i)
{
    size_t k = skip_ws(s, n, *i);
    if (k >= n || (s[k] != '\'' && s[k] != '"'))
        return NULL;
    const char *e = memchr(s + k + 1, s[k], n - k - 1);
    if (!e)
        return NULL;
    *i = (size_t)(e - s) + 1;
    return arena_strndup(a, s + k + 1, (size_t)(e - s) - k - 1);
}

bool pl_template_field(arena *a, const char *s, size_t n, tfield *out, const char **msg)
{
    memset(out, 0, sizeof *out);
    const char *bar = memchr(s, '|', n);
    size_t nl = bar ? (size_t)(bar - s) : n, b = skip_ws(s, nl, 0);
    while (nl > b && (s[nl - 1] == ' ' || s[nl - 1] == '\t'))
        nl--;
    if (nl == b) {
        *msg = "'{' must start a {variable} (write '{{' for a brace)";
        return false;
    }
    out->name = arena_strndup(a, s + b, nl - b);
    size_t i = bar ? (size_t)(bar - s) : n;
    static const char usage[] = "replace('old', 'new')";
    while (i < n) { /* at a '|' */
        size_t k = skip_ws(s, n, i + 1), f = k;
        while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || s[k] == '_'))
            k++;
        if (k - f != 7 || memcmp(s + f, "replace", 7) != 0) {
            *msg = arena_printf(a, "unknown filter '%.*s' after '%s' (the filter there is: %s)", (int)(k - f), s + f,
                                out->name, usage);
            return false;
        }
        k = skip_ws(s, n, k);
        const char *from = NULL, *to = NULL;
        if (k < n && s[k] == '(') {
            k++;
            from = filter_arg(a, s, n, &k);
            k = skip_ws(s, n, k);
            if (from && k < n && s[k] == ',') {
                k++;
                to = filter_arg(a, s, n, &k);
            }
            k = skip_ws(s, n, k);
        }
        if (!from || !to || k >= n || s[k] != ')' || !*from) {
            *msg = arena_printf(a, "filter of '%s': expected %s with quoted text, the first not empty", out->name,
                                usage);
            return false;
        }
        k = skip_ws(s, n, k + 1);
        if (k < n && s[k] != '|') {
            *msg = arena_printf(a, "filter of '%s': unexpected '%.*s' after %s", out->name, (int)(n - k), s + k,
                                usage);
            return false;
        }
        out->f = arena_grow(a, out->f, sizeof *out->f, out->nf, out->nf + 1);
        out->f[out->nf++] = (tfilter){from, to};
        i = k;
    }
    return true;
}

const char *pl_template_filter(arena *a, const tfield *f, const char *value)
{
    for (size_t k = 0; k < f->nf; k++) {
        sbuf b = SBUF_INIT;
        size_t ol = strlen(f->f[k].from);
        for (const char *p = value, *q; *p; p = q + ol) {
            q = strstr(p, f->f[k].from);
            if (!q) {
                sb_puts(&b, p);
                break;
            }
            sb_putn(&b, p, (size_t)(q - p));
            sb_puts(&b, f->f[k].to);
        }
        value = arena_strndup(a, sb_cstr(&b), b.len);
        sb_free(&b);
    }
    return value;
}

/* ---- JSON (Python json.dumps, ensure_ascii) ---------------------------------------- */

void pl_json_str(sbuf *b, const char *s, size_t n)
{
    sb_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            sb_putc(b, '\\');
            sb_putc(b, (char)ch);
            i++;
        } else if (ch < 0x20 || ch == 0x7f) {
            switch (ch) {
            case '\n': sb_puts(b, "\\n"); break;
            case '\r': sb_puts(b, "\\r"); break;
            case '\t': sb_puts(b, "\\t"); break;
            case '\b': sb_puts(b, "\\b"); break;
            case '\f': sb_puts(b, "\\f"); break;
            default: sb_printf(b, "\\u%04x", ch); break;
            }
            i++;
        } else if (ch < 0x80) {
            sb_putc(b, (char)ch);
            i++;
        } else {
            /* a character as \uXXXX (a surrogate pair above U+FFFF); a byte
             * that is not valid UTF-8 as \u00XX */
            int32_t cp;
            size_t k = utf8_decode(s + i, n - i, &cp);
            if (!k) {
                sb_printf(b, "\\u%04x", ch);
                i++;
                continue;
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                sb_printf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)), (unsigned)(0xDC00 + (cp & 0x3FF)));
            } else {
                sb_printf(b, "\\u%04x", (unsigned)cp);
            }
            i += k;
        }
    }
    sb_putc(b, '"');
}
