/* detections.c - transformations that change a rule's detections and
 * conditions: add_condition (pySigma's AddConditionTransformation: a new
 * detection ANDed to every condition), drop_detection_item (the items go,
 * and so do the detections and condition parts they empty) and
 * detection_item_failure. Conditions are edited as trees. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <ctype.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

/* ---- add_condition -------------------------------------------------------------- */

/* Python's string.Template.safe_substitute with category, product and
 * service (None when unset); other $names and lone $ stay. */
static const char *tmpl_subst(arena *a, const char *s, const logsource *ls)
{
    sbuf b = SBUF_INIT;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] != '$') {
            sb_putc(&b, s[i]);
            continue;
        }
        if (s[i + 1] == '$') {
            sb_putc(&b, '$');
            i++;
            continue;
        }
        bool brace = s[i + 1] == '{';
        size_t st = i + 1 + brace, e = st;
        while (s[e] && (isalnum((unsigned char)s[e]) || s[e] == '_'))
            e++;
        if (e == st || isdigit((unsigned char)s[st]) || (brace && s[e] != '}')) {
            sb_putc(&b, '$');
            continue;
        }
        size_t nl = e - st;
        const char *val = NULL;
        bool known = true;
        if (nl == 8 && memcmp(s + st, "category", 8) == 0)
            val = ls->category;
        else if (nl == 7 && memcmp(s + st, "product", 7) == 0)
            val = ls->product;
        else if (nl == 7 && memcmp(s + st, "service", 7) == 0)
            val = ls->service;
        else
            known = false;
        if (!known) {
            sb_putc(&b, '$');
            continue;
        }
        sb_puts(&b, val ? val : "None");
        i = e - 1 + brace;
    }
    const char *r = arena_strdup(a, b.p ? b.p : "");
    sb_free(&b);
    return r;
}

/* add_condition with template: $category, $product, $service in string
 * values become the rule's log source. */
static const ynode *subst_node(arena *a, const ynode *n, void *ctx)
{
    const logsource *ls = ctx;
    if (n->kind != YN_SCALAR || n->u.s.type != YT_STR)
        return n;
    ynode *x = arena_alloc(a, sizeof *x);
    *x = *n;
    x->u.s.text = tmpl_subst(a, n->u.s.text, ls);
    x->u.s.len = strlen(x->u.s.text);
    return x;
}

static void mark_det(actx *c, detection *d, const pitem *it)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].item)
            pl_mark_item(c, d->elems[i].item, it);
        else
            mark_det(c, d->elems[i].sub, it);
    }
}

/* The detection (replacing one of the same name) and every condition
 * becoming `[not] name and (condition)`. Only plain rules. */
bool pl_add_condition(actx *c, const pitem *it)
{
    srule *r = c->r;
    if (r->type != RT_RULE)
        return true;
    sdiag err;
    detection *d = detection_from_map(c->a, it->conditions, r->pos, it->template_ ? subst_node : NULL, &r->ls, &err);
    if (!d) {
        rule_fail(c->a, r, err.pos, "%s", err.message);
        c->failed = true;
        return false;
    }
    mark_det(c, d, it);
    size_t k;
    for (k = 0; k < r->ndets; k++)
        if (strcmp(r->dets[k].name, it->name) == 0)
            break;
    if (k == r->ndets) {
        named_det *nd = arena_grow(c->a, r->dets, sizeof *nd, r->ndets, r->ndets + 1);
        r->dets = nd;
        r->ndets++;
        nd[k].name = it->name;
        nd[k].pos = r->pos;
    }
    r->dets[k].det = d;
    /* every condition becomes `[not] name and (condition)` */
    const cnode *added = cond_new_id(c->a, it->name);
    if (it->negated)
        added = cond_new(c->a, CN_NOT, added, NULL);
    for (size_t i = 0; i < r->nconds; i++)
        if (r->conds[i].ast)
            r->conds[i].ast = cond_new(c->a, CN_AND, added, r->conds[i].ast);
    return true;
}

/* ---- drop_detection_item -------------------------------------------------------- */

/* The item goes (the element becomes empty; prune removes it). */
int pl_drop_item(actx *c, const pitem *it, delem *e)
{
    (void)it;
    e->item = NULL;
    e->sub = NULL; /* removed by prune() */
    c->dropped = true;
    return 1;
}

/* Removes empty elements; false when nothing is left of d. */
static bool prune(detection *d, int depth)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        delem *e = &d->elems[i];
        if (e->sub && depth < SIGMA_MAX_DET_DEPTH && !prune(e->sub, depth + 1))
            continue; /* empty sub-detection vanishes */
        if (!e->item && !e->sub)
            continue;
        d->elems[k++] = *e;
    }
    d->n = k;
    return k > 0;
}

static bool name_empty(const srule *r, const char *name)
{
    for (size_t i = 0; i < r->ndets; i++)
        if (strcmp(r->dets[i].name, name) == 0)
            return r->dets[i].det->n == 0;
    return false;
}

/* The condition without the detections that became empty; NULL when
 * nothing is left. A selector that chooses some detection becomes the
 * chain of the non-empty ones it chooses (`1 of sel*` -> `sel1 or sel2`);
 * one that chooses none is kept for the SQL layer to report. Unchanged
 * subtrees are shared. */
static const cnode *cond_drop(arena *a, const srule *r, const cnode *n)
{
    switch (n->kind) {
    case CN_ID:
        return name_empty(r, n->name) ? NULL : n;
    case CN_NOT: {
        const cnode *k = cond_drop(a, r, n->l);
        return !k ? NULL : k == n->l ? n : cond_new(a, CN_NOT, k, NULL);
    }
    case CN_AND:
    case CN_OR: {
        const cnode *l = cond_drop(a, r, n->l), *rr = cond_drop(a, r, n->r);
        if (l && rr)
            return l == n->l && rr == n->r ? n : cond_new(a, n->kind, l, rr);
        return l ? l : rr;
    }
    case CN_SEL: {
        const cnode *acc = NULL;
        bool any = false;
        for (size_t i = 0; i < r->ndets; i++) {
            if (!cond_selects(n, r->dets[i].name))
                continue;
            any = true;
            if (r->dets[i].det->n == 0)
                continue;
            const cnode *id = cond_new_id(a, r->dets[i].name);
            acc = acc ? cond_new(a, n->quant == CQ_ALL ? CN_AND : CN_OR, acc, id) : id;
        }
        return any ? acc : n;
    }
    }
    return n;
}

bool pl_drop_cleanup(actx *c, const pitem *it)
{
    (void)it;
    if (!c->dropped)
        return true;
    srule *r = c->r;
    bool empty = false;
    for (size_t i = 0; i < r->ndets; i++)
        if (!prune(r->dets[i].det, 0))
            empty = true;
    if (!empty)
        return true;
    for (size_t i = 0; i < r->nconds; i++) {
        rcond *rc = &r->conds[i];
        if (!rc->ast)
            continue; /* the SQL layer reports the syntax error */
        const cnode *kept = cond_drop(c->a, r, rc->ast);
        if (!kept)
            return pl_fail(c, rc->pos, "condition is empty: drop_detection_item removed every detection it uses");
        rc->ast = kept;
    }
    /* the empty detections themselves go */
    size_t k = 0;
    for (size_t i = 0; i < r->ndets; i++)
        if (r->dets[i].det->n)
            r->dets[k++] = r->dets[i];
    r->ndets = k;
    return true;
}

/* ---- detection_item_failure ------------------------------------------------------ */

int pl_item_failure(actx *c, const pitem *it, delem *e)
{
    pl_fail(c, e->item->pos, "%s", it->message);
    return -1;
}
