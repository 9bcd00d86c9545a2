/* post.c - what happens to finished queries: postprocessing of each query
 * (embed, simple_template, replace, json, nest; pySigma's
 * QueryPostprocessingTransformation) under the item's rule conditions, and
 * finalizers over all queries of the run (concat, json, nested). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

/* ---- postprocessing -------------------------------------------------------------- */

static void json_node(arena *a, sbuf *b, const ynode *n, const char *query, int depth)
{
    if (depth > SIGMA_MAX_YAML_DEPTH) {
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
            pl_json_str(b, ks, strlen(ks));
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
                pl_json_str(b, query, strlen(query));
            else
                pl_json_str(b, n->u.s.text, n->u.s.len);
            return;
        }
    }
}

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
    return pl_expand(ps->a, tmpl, lookup_post, &pc, msg);
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
                pl_json_str(&b, q[k], strlen(q[k]));
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
