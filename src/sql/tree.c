/* tree.c - condition tree + detections -> boolean tree (xnode).
 *
 * Mirrors pySigma's condition tree: a detection with one element collapses
 * to it, an item with one value is a single leaf, several values are an OR
 * (AND with `all`), `neq` wraps the item in NOT, and an expansion (windash,
 * base64offset, CIDR) is an OR group that is never turned into an IN list.
 * Same-operator chains (`a or b or c`) become one n-ary node. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/limits.h"
#include "sql.h"

bool sql_fail(sql_ctx *c, spos pos, const char *fmt, ...)
{
    if (c->err.message)
        return false;
    va_list ap;
    va_start(ap, fmt);
    c->err.pos = pos;
    c->err.message = arena_vprintf(c->a, fmt, ap); /* the rule's message is cut, not this one */
    va_end(ap);
    return false;
}

static xnode *xnew(sql_ctx *c, xkind k, size_t n, spos pos)
{
    xnode *x = arena_alloc(c->a, sizeof *x);
    x->kind = k;
    x->pos = pos;
    if (n)
        x->kids = arena_alloc(c->a, sizeof *x->kids * n);
    return x;
}

static xnode *leaf(sql_ctx *c, const char *field, const svalue *v, spos pos)
{
    if (++c->leaves > SIGMA_MAX_LEAVES) {
        sql_fail(c, pos, "query too large (more than %d comparisons)", SIGMA_MAX_LEAVES);
        return NULL;
    }
    xnode *x = xnew(c, X_LEAF, 0, pos);
    x->field = field;
    x->val = v;
    return x;
}

static xnode *value_node(sql_ctx *c, const char *field, const svalue *v, spos pos)
{
    if (v->kind == SV_EXPANSION) {
        if (v->nitems == 1)
            return value_node(c, field, v->items[0], pos);
        xnode *g = xnew(c, X_OR, v->nitems, pos);
        g->group = true;
        for (size_t i = 0; i < v->nitems; i++) {
            xnode *k = value_node(c, field, v->items[i], pos);
            if (!k)
                return NULL;
            g->kids[g->n++] = k;
        }
        return g;
    }
    if (v->kind == SV_CIDR && field && !c->opt->cidr_native) {
        sstr *pats;
        size_t n;
        if (!cidr_patterns(c->a, v, &pats, &n)) {
            sql_fail(c, pos, "CIDR expansion of '%s' too large (limit %d patterns)", v->cidr.text, SIGMA_MAX_EXPANSION);
            return NULL;
        }
        xnode *g = xnew(c, X_OR, n, pos);
        g->group = true;
        for (size_t i = 0; i < n; i++) {
            svalue *s = sv_str(c->a, pats[i]);
            xnode *k = leaf(c, field, s, pos);
            if (!k)
                return NULL;
            g->kids[g->n++] = k;
        }
        /* CIDR patterns form a plain OR, so exact addresses become an IN list
         * (a single one too: LOWER(f) IN ('10.1.2.3')), as in the reference */
        g->group = false;
        return n == 1 && sstr_has_wildcard(&pats[0]) ? g->kids[0] : g;
    }
    return leaf(c, field, v, pos);
}

static xnode *item_node(sql_ctx *c, const ditem *it)
{
    xnode *x;
    if (it->nvals == 0) {
        if (!it->field) {
            sql_fail(c, it->pos, "Null value must be bound to a field");
            return NULL;
        }
        svalue *nv = sv_new(c->a, SV_NULL);
        x = leaf(c, it->field, nv, it->pos);
    } else if (it->nvals == 1) {
        x = value_node(c, it->field, it->vals[0], it->pos);
    } else {
        x = xnew(c, it->all ? X_AND : X_OR, it->nvals, it->pos);
        for (size_t i = 0; i < it->nvals; i++) {
            xnode *k = value_node(c, it->field, it->vals[i], it->pos);
            if (!k)
                return NULL;
            x->kids[x->n++] = k;
        }
    }
    if (!x)
        return NULL;
    if (it->neg) {
        xnode *n = xnew(c, X_NOT, 1, it->pos);
        n->kids[n->n++] = x;
        x = n;
    }
    return x;
}

static xnode *det_node(sql_ctx *c, const detection *d)
{
    if (d->n == 1)
        return d->elems[0].item ? item_node(c, d->elems[0].item) : det_node(c, d->elems[0].sub);
    xnode *x = xnew(c, d->and_link ? X_AND : X_OR, d->n, d->pos);
    for (size_t i = 0; i < d->n; i++) {
        xnode *k = d->elems[i].item ? item_node(c, d->elems[i].item) : det_node(c, d->elems[i].sub);
        if (!k)
            return NULL;
        x->kids[x->n++] = k;
    }
    return x;
}

static const named_det *find_det(const srule *r, const char *name)
{
    for (size_t i = 0; i < r->ndets; i++)
        if (strcmp(r->dets[i].name, name) == 0)
            return &r->dets[i];
    return NULL;
}

static xnode *cond_node(sql_ctx *c, const cnode *n, const rcond *rc);

static xnode *chain(sql_ctx *c, const cnode *n, const rcond *rc)
{
    const cnode **ops;
    size_t cnt = cond_flatten(c->a, n, &ops);
    xnode *x = xnew(c, n->kind == CN_AND ? X_AND : X_OR, cnt, rc->pos);
    for (size_t i = 0; i < cnt; i++) {
        xnode *kid = cond_node(c, ops[i], rc);
        if (!kid)
            return NULL;
        x->kids[x->n++] = kid;
    }
    return x;
}

static xnode *cond_node(sql_ctx *c, const cnode *n, const rcond *rc)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        return chain(c, n, rc);
    case CN_NOT: {
        xnode *k = cond_node(c, n->l, rc);
        if (!k)
            return NULL;
        xnode *x = xnew(c, X_NOT, 1, rc->pos);
        x->kids[x->n++] = k;
        return x;
    }
    case CN_ID: {
        const named_det *d = find_det(c->rule, n->name);
        if (!d) {
            sql_fail(c, rc->pos, "Detection '%s' not defined in detections", n->name);
            return NULL;
        }
        return det_node(c, d->det);
    }
    case CN_SEL: {
        const srule *r = c->rule;
        size_t cnt = 0;
        for (size_t i = 0; i < r->ndets; i++)
            if (cond_selects(n, r->dets[i].name))
                cnt++;
        if (!cnt) {
            sql_fail(c, rc->pos, "'%s of %s' matches no detection", n->quant == CQ_ALL ? "all" : "1",
                     n->is_them ? "them" : n->name);
            return NULL;
        }
        xnode *x = xnew(c, n->quant == CQ_ALL ? X_AND : X_OR, cnt, rc->pos);
        for (size_t i = 0; i < r->ndets; i++) {
            if (cond_selects(n, r->dets[i].name)) {
                xnode *k = det_node(c, r->dets[i].det);
                if (!k)
                    return NULL;
                x->kids[x->n++] = k;
            }
        }
        return cnt == 1 ? x->kids[0] : x;
    }
    }
    return NULL;
}

xnode *sql_build_tree(sql_ctx *c, const rcond *rc)
{
    if (!rc->ast) {
        sql_fail(c, rc->pos, "invalid condition: %s (at character %zu)", rc->err->message, rc->err->pos + 1);
        return NULL;
    }
    return cond_node(c, rc->ast, rc);
}

xnode *sql_rule_tree(sql_ctx *c, const srule *r)
{
    if (r->nconds == 1)
        return sql_build_tree(c, &r->conds[0]);
    if (!r->nconds)
        return NULL;
    xnode *t = arena_alloc(c->a, sizeof *t);
    t->kind = X_OR;
    t->group = true;
    t->kids = arena_alloc(c->a, sizeof *t->kids * r->nconds);
    t->pos = r->conds[0].pos;
    for (size_t k = 0; k < r->nconds; k++) {
        xnode *kid = sql_build_tree(c, &r->conds[k]);
        if (!kid)
            return NULL;
        t->kids[t->n++] = kid;
    }
    return t;
}
