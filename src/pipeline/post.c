/* post.c - text work: {var} templates, Python-style re.sub, query
 * postprocessing (embed, simple_template, replace, json, nest) and
 * finalizers (concat, json, nested). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/sbuf.h"

/* ---- variables -------------------------------------------------------------------- */

static const char *var_text(arena *a, const pvar *v, const char **msg)
{
    if (v->text)
        return v->text;
    if (!v->node || v->node->kind != YN_SCALAR) {
        *msg = arena_printf(a, "variable '%s' is not a single value", v->name);
        return NULL;
    }
    return pl_scalar_str(a, v->node);
}

/* Python str.format-style text: "{{" and "}}" are braces, "{field}" is
 * replaced by lookup(ctx, field). NULL with *msg set on a '{' without '}' or a
 * failed lookup. */
typedef const char *(*brace_lookup)(void *ctx, const char *field, const char **msg);

static const char *expand_braces(arena *a, const char *tmpl, brace_lookup lookup, void *ctx, const char **msg)
{
    sbuf b = SBUF_INIT;
    for (size_t i = 0; tmpl[i]; i++) {
        char ch = tmpl[i];
        if ((ch == '{' || ch == '}') && tmpl[i + 1] == ch) {
            sb_putc(&b, ch);
            i++;
            continue;
        }
        if (ch != '{') {
            sb_putc(&b, ch);
            continue;
        }
        const char *e = strchr(tmpl + i, '}');
        if (!e) {
            sb_free(&b);
            *msg = "'{' without '}' in template";
            return NULL;
        }
        const char *t = lookup(ctx, arena_strndup(a, tmpl + i + 1, (size_t)(e - tmpl - i - 1)), msg);
        if (!t) {
            sb_free(&b);
            return NULL;
        }
        sb_puts(&b, t);
        i = (size_t)(e - tmpl);
    }
    const char *r = arena_strndup(a, b.p ? b.p : "", b.len);
    sb_free(&b);
    return r;
}

typedef struct var_ctx {
    pipeline_set *ps;
    const pitem *it;
    const char *tmpl;
} var_ctx;

/* {name}: a pipeline variable (or backend_<option>), else the item's default */
static const char *lookup_var(void *ctx, const char *name, const char **msg)
{
    const var_ctx *vc = ctx;
    arena *a = vc->ps->a;
    const pitem *it = vc->it;
    pvar v;
    bool found = pl_var_get(vc->ps, name, &v);
    for (size_t k = 0; !found && it && k < it->ndefaults; k++)
        if (strcmp(it->defaults[k].name, name) == 0) {
            v = it->defaults[k];
            found = true;
        }
    if (!found) {
        sbuf m = SBUF_INIT;
        if (it && it->hint)
            sb_printf(&m, "missing variable '%s' (%s)", name, it->hint);
        else
            sb_printf(&m, "missing variable '%s' in '%s'", name, vc->tmpl);
        if (strncmp(name, "backend_", 8) == 0 && name[8])
            sb_printf(&m, "; set it with -O %s=VALUE", name + 8);
        else
            sb_puts(&m, "; define it under vars: in a pipeline");
        *msg = arena_strdup(a, m.p);
        sb_free(&m);
        return NULL;
    }
    return var_text(a, &v, msg);
}

const char *pl_format_vars(pipeline_set *ps, const pitem *it, const char *tmpl, const char **msg)
{
    var_ctx vc = {ps, it, tmpl};
    return expand_braces(ps->a, tmpl, lookup_var, &vc, msg);
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

/* ---- JSON (Python json.dumps, ensure_ascii) ---------------------------------------- */

static void json_str(sbuf *b, const char *s, size_t n)
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
            /* decode UTF-8; invalid bytes are written as \u00XX */
            unsigned cp = 0;
            size_t k = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 0;
            bool ok = k && i + k <= n;
            if (ok) {
                cp = ch & (0xFF >> (k + 1));
                for (size_t j = 1; j < k; j++) {
                    unsigned char cc = (unsigned char)s[i + j];
                    if ((cc & 0xC0) != 0x80)
                        ok = false;
                    cp = (cp << 6) | (cc & 0x3F);
                }
            }
            if (!ok) {
                sb_printf(b, "\\u%04x", ch);
                i++;
                continue;
            }
            if (cp >= 0x10000) {
                cp -= 0x10000;
                sb_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                sb_printf(b, "\\u%04x", cp);
            }
            i += k;
        }
    }
    sb_putc(b, '"');
}

static void json_node(arena *a, sbuf *b, const ynode *n, const char *query, int depth)
{
    if (depth > 256) {
        sb_puts(b, "null");
        return;
    }
    switch (n->kind) {
    case YN_MAP:
        sb_putc(b, '{');
        for (size_t i = 0; i < n->u.map.n; i++) {
            if (i)
                sb_puts(b, ", ");
            const ynode *k = n->u.map.pairs[i].key;
            const char *ks = k->kind == YN_SCALAR ? pl_scalar_str(a, k) : "";
            if (k->kind == YN_SCALAR && k->u.s.type == YT_BOOL)
                ks = k->u.s.bval ? "true" : "false";
            else if (k->kind == YN_SCALAR && k->u.s.type == YT_NULL)
                ks = "null";
            json_str(b, ks, strlen(ks));
            sb_puts(b, ": ");
            json_node(a, b, n->u.map.pairs[i].value, query, depth + 1);
        }
        sb_putc(b, '}');
        return;
    case YN_SEQ:
        sb_putc(b, '[');
        for (size_t i = 0; i < n->u.seq.n; i++) {
            if (i)
                sb_puts(b, ", ");
            json_node(a, b, n->u.seq.items[i], query, depth + 1);
        }
        sb_putc(b, ']');
        return;
    case YN_SCALAR:
        switch (n->u.s.type) {
        case YT_NULL: sb_puts(b, "null"); return;
        case YT_BOOL: sb_puts(b, n->u.s.bval ? "true" : "false"); return;
        case YT_INT:
        case YT_FLOAT: sb_puts(b, pl_scalar_str(a, n)); return;
        default:
            if (strcmp(n->u.s.text, "%QUERY%") == 0)
                json_str(b, query, strlen(query));
            else
                json_str(b, n->u.s.text, n->u.s.len);
            return;
        }
    }
}

/* ---- postprocessing -------------------------------------------------------------- */

static const char *rule_attr(arena *a, const srule *r, const char *name)
{
    if (strcmp(name, "title") == 0)
        return r->title;
    if (strcmp(name, "id") == 0)
        return r->id;
    if (strcmp(name, "name") == 0)
        return r->name;
    if (strcmp(name, "level") == 0)
        return r->level;
    if (strcmp(name, "status") == 0)
        return r->status;
    if (strcmp(name, "description") == 0)
        return r->description;
    if (strcmp(name, "author") == 0)
        return r->author;
    if (strcmp(name, "source") == 0)
        return r->file;
    const ynode *n = r->doc ? ymap_get(r->doc, name) : NULL;
    if (n && n->kind == YN_SCALAR)
        return n->u.s.type == YT_NULL ? NULL : pl_scalar_str(a, n);
    return NULL;
}

typedef struct post_ctx {
    pipeline_set *ps;
    const srule *r;
    const pstate *st;
    const char *query;
} post_ctx;

/* {query}, {rule.<attribute>}, {pipeline.state[key]}, {pipeline.vars[name]}
 * (load.c has checked that every field is one of these) */
static const char *lookup_post(void *ctx, const char *f, const char **msg)
{
    const post_ctx *pc = ctx;
    arena *a = pc->ps->a;
    if (strcmp(f, "query") == 0)
        return pc->query;
    if (strncmp(f, "rule.", 5) == 0) {
        const char *v = rule_attr(a, pc->r, f + 5);
        return v ? v : "None";
    }
    size_t fl = strlen(f);
    bool state = strncmp(f, "pipeline.state[", 15) == 0;
    const char *key = arena_strndup(a, f + (state ? 15 : 14), fl - (state ? 16 : 15));
    const char *v = NULL;
    bool found = false;
    if (state) {
        for (size_t k = 0; pc->st && k < pc->st->n; k++)
            if (strcmp(pc->st->keys[k], key) == 0) {
                v = pc->st->vals[k] ? pc->st->vals[k] : "None";
                found = true;
            }
    } else {
        pvar pv;
        if ((found = pl_var_get(pc->ps, key, &pv)))
            v = pv.text ? pv.text : pv.node->kind == YN_SCALAR ? pl_scalar_str(a, pv.node) : NULL;
    }
    if (!found || !v) {
        *msg = arena_printf(a, "simple_template: no %s '%s'", state ? "pipeline state" : "pipeline variable", key);
        return NULL;
    }
    return v;
}

static const char *simple_template(pipeline_set *ps, srule *r, const pstate *st, const char *tmpl, const char *query,
                                   const char **msg)
{
    post_ctx pc = {ps, r, st, query};
    return expand_braces(ps->a, tmpl, lookup_post, &pc, msg);
}

static const char *post_items(pipeline_set *ps, srule *r, const pstate *st, pitem *const *items, size_t n,
                              const char *q)
{
    arena *a = ps->a;
    for (size_t i = 0; i < n && q; i++) {
        const pitem *it = items[i];
        bool ok;
        bool m = pl_rule_conds(ps, it, r, st, &ok);
        if (!ok)
            return NULL;
        if (!m)
            continue;
        const char *msg = NULL;
        switch (it->type) {
        case P_EMBED:
            q = arena_printf(a, "%s%s%s", it->prefix, q, it->suffix);
            break;
        case P_SIMPLE_TEMPLATE:
            q = simple_template(ps, r, st, it->tmpl, q, &msg);
            break;
        case P_REPLACE: {
            size_t ol;
            bool ch;
            q = pl_resub(a, it->re, q, strlen(q), it->replacement, &ol, &ch, &msg);
            break;
        }
        case P_JSON: {
            sbuf b = SBUF_INIT;
            json_node(a, &b, it->json, q, 0);
            q = arena_strndup(a, b.p ? b.p : "", b.len);
            sb_free(&b);
            break;
        }
        case P_NEST:
            q = post_items(ps, r, st, it->items, it->nitems, q);
            if (!q)
                return NULL;
            break;
        default:
            break;
        }
        if (!q) {
            rule_fail(a, r, r->pos, "%s", msg ? msg : "postprocessing failed");
            return NULL;
        }
    }
    return q;
}

const char *pipeline_postprocess(pipeline_set *ps, srule *r, const pstate *st, const char *query)
{
    if (!ps->n)
        return query;
    pl_merge(ps);
    if (!ps->npost)
        return query;
    return post_items(ps, r, st, ps->post, ps->npost, query);
}

/* ---- finalizers -------------------------------------------------------------------------- */

static const char *fin_items(pipeline_set *ps, pitem *const *items, size_t nitems, const char *const *q, size_t n)
{
    arena *a = ps->a;
    const char *out = NULL;
    for (size_t i = 0; i < nitems; i++) {
        const pitem *it = items[i];
        sbuf b = SBUF_INIT;
        switch (it->type) {
        case F_CONCAT:
            sb_puts(&b, it->prefix);
            for (size_t k = 0; k < n; k++) {
                if (k)
                    sb_puts(&b, it->separator);
                sb_puts(&b, q[k]);
            }
            sb_puts(&b, it->suffix);
            break;
        case F_JSON:
            if (!n) {
                sb_puts(&b, "[]");
                break;
            }
            sb_putc(&b, '[');
            for (size_t k = 0; k < n; k++) {
                if (it->indent >= 0)
                    sb_printf(&b, "%s\n%*s", k ? "," : "", it->indent, "");
                else if (k)
                    sb_puts(&b, ", ");
                json_str(&b, q[k], strlen(q[k]));
            }
            if (it->indent >= 0)
                sb_putc(&b, '\n');
            sb_putc(&b, ']');
            break;
        case F_NESTED: {
            const char *r = fin_items(ps, it->items, it->nitems, q, n);
            sb_puts(&b, r ? r : "");
            break;
        }
        default:
            break;
        }
        out = arena_strndup(a, b.p ? b.p : "", b.len);
        sb_free(&b);
        /* the next finalizer sees the result as a single item */
        const char **one = arena_alloc(a, sizeof *one);
        one[0] = out;
        q = one;
        n = 1;
    }
    return out;
}

const char *pipeline_finalize(pipeline_set *ps, const char *const *queries, size_t n)
{
    if (!ps->n)
        return NULL;
    pl_merge(ps);
    if (!ps->nfin)
        return NULL;
    return fin_items(ps, ps->fin, ps->nfin, queries, n);
}
