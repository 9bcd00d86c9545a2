/* filter.c - Sigma filters (meta filters): documents that add conditions
 * to the rules they name, by logsource and `rules`, before any pipeline or
 * SQL sees those rules (pySigma's SigmaFilter).
 *
 * A filter's detections are added to each matching rule as `_filtN_<name>`
 * (N counts the filters of the run) and each of the rule's conditions
 * becomes `(condition) and (filter condition)`, the filter condition's
 * names prefixed the same way. The `_` prefix keeps the added detections
 * out of the rule's own `1 of them` / `1 of sel*` (cond_selects), and the
 * prefixed filter selectors (`1 of _filt1_*`) choose only the filter's. */
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* ------------------------------------------------------------ documents */

void parse_filter(arena *a, srule *r, const ynode *doc)
{
    if (!rule_check_common(a, r, doc))
        return;
    if (!rule_parse_logsource(a, r, doc, "filter"))
        return;
    const ynode *f = ymap_get(doc, "filter");
    if (!f || is_null(f)) {
        rule_fail(a, r, r->pos, "Sigma filter must have a filter defined");
        return;
    }
    if (f->kind != YN_MAP) {
        rule_fail(a, r, node_pos(f), "Sigma filter must be a dictionary");
        return;
    }
    filter_def *fd = arena_alloc(a, sizeof *fd);
    r->filter = fd;
    const ynode *rl = ymap_get(f, "rules");
    if (!rl) {
        rule_fail(a, r, node_pos(f),
                  "Sigma filter must have a 'rules' field (use 'any' to apply to all rules matching the logsource)");
        return;
    }
    if (rl->kind == YN_SCALAR && rl->u.s.type == YT_STR) {
        if (strcmp(rl->u.s.text, "any") != 0) {
            fd->rules = arena_alloc(a, sizeof *fd->rules);
            fd->rules[0] = rl->u.s.text;
            fd->nrules = 1;
        }
    } else if (rl->kind == YN_SEQ && all_scalars(rl)) {
        fd->rules = arena_alloc(a, sizeof *fd->rules * (rl->u.seq.n + 1));
        for (size_t i = 0; i < rl->u.seq.n; i++)
            fd->rules[i] = rl->u.seq.items[i]->u.s.text;
        fd->nrules = rl->u.seq.n;
    } else {
        rule_fail(a, r, node_pos(rl), "Sigma filter rules field must be 'any', a rule ID/name, or a list of rule IDs/names");
        return;
    }
    const ynode *c = ymap_get(f, "condition");
    if (!c) {
        rule_fail(a, r, node_pos(f), "Sigma filter must contain exactly one condition");
        return;
    }
    if (c->kind != YN_SCALAR || c->u.s.type != YT_STR) {
        rule_fail(a, r, node_pos(c), "Sigma filter condition must be a string");
        return;
    }
    rule_parse_condition(a, &fd->cond, c->u.s.text, c->u.s.len, node_pos(c));
    parse_detections(a, r, f, true);
}


/* ------------------------------------------------------------ checks */

/* The filter's detection names with the prefix it gets in a rule. */
static const char **prefixed_names(arena *a, const srule *f, const char *prefix)
{
    const char **v = arena_alloc(a, sizeof *v * (f->ndets ? f->ndets : 1));
    for (size_t i = 0; i < f->ndets; i++)
        v[i] = arena_printf(a, "%s%s", prefix, f->dets[i].name);
    return v;
}

/* Every identifier and selector of the filter condition must choose a
 * detection of the filter, judged as they will be inside a rule: prefixed.
 * Returns the first offending node (right operands first) or NULL. */
static const cnode *filter_bad_ref(arena *a, const srule *f, const char *const *names, const char *prefix,
                                   const cnode *n)
{
    while (n->kind == CN_AND || n->kind == CN_OR || n->kind == CN_NOT) {
        if (n->kind != CN_NOT) {
            const cnode *bad = filter_bad_ref(a, f, names, prefix, n->r);
            if (bad)
                return bad;
        }
        n = n->l;
    }
    if (n->kind == CN_ID) {
        for (size_t i = 0; i < f->ndets; i++)
            if (strcmp(f->dets[i].name, n->name) == 0)
                return NULL;
        return n;
    }
    const cnode *sel = cond_new_sel(a, n->quant, arena_printf(a, "%s%s", prefix, cond_sel_pattern(n)));
    for (size_t i = 0; i < f->ndets; i++)
        if (cond_selects(sel, names[i]))
            return NULL;
    return n;
}

/* ------------------------------------------------------------ the filter condition in a rule */

/* Operands of the same-operator group n belongs to, in order: every
 * descendant reached through nodes of n's operator (both sides). */
static void same_op_operands(arena *a, const cnode *n, cnode_kind kind, const cnode ***ops, size_t *cnt, size_t *cap)
{
    const cnode **chain;
    size_t k = cond_flatten(a, n, &chain);
    for (size_t i = 0; i < k; i++) {
        if (chain[i]->kind == kind) {
            same_op_operands(a, chain[i], kind, ops, cnt, cap);
            continue;
        }
        if (*cnt == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            *ops = arena_grow(a, (void *)*ops, sizeof **ops, *cap, nc);
            *cap = nc;
        }
        (*ops)[(*cnt)++] = chain[i];
    }
}

/* The filter condition with every name prefixed. Same-operator groups
 * become one left-leaning chain, `a or (b or c)` as `a or b or c`, so that
 * a group of values of one field renders as one IN list. */
static const cnode *prefix_cond(arena *a, const cnode *n, const char *prefix)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR: {
        const cnode **ops = NULL;
        size_t cnt = 0, cap = 0;
        same_op_operands(a, n, n->kind, &ops, &cnt, &cap);
        const cnode *acc = prefix_cond(a, ops[0], prefix);
        for (size_t i = 1; i < cnt; i++)
            acc = cond_new(a, n->kind, acc, prefix_cond(a, ops[i], prefix));
        return acc;
    }
    case CN_NOT:
        return cond_new(a, CN_NOT, prefix_cond(a, n->l, prefix), NULL);
    case CN_ID:
        return cond_new_id(a, arena_printf(a, "%s%s", prefix, n->name));
    case CN_SEL:
        return cond_new_sel(a, n->quant, arena_printf(a, "%s%s", prefix, cond_sel_pattern(n)));
    }
    return n;
}

/* ------------------------------------------------------------ applying */

static bool rules_match(const filter_def *fd, const srule *r)
{
    if (!fd->nrules)
        return true;
    for (size_t i = 0; i < fd->nrules; i++)
        if (rule_is_ref(r, fd->rules[i]))
            return true;
    return false;
}

static bool same_file(const char *x, const char *y)
{
    if (!x || !y)
        return x == y;
    if (strcmp(x, y) == 0)
        return true;
    struct stat sx, sy;
    return stat(x, &sx) == 0 && stat(y, &sy) == 0 && sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

/* Same filter document loaded twice (a directory input and --filter)? */
static bool same_doc(const srule *x, const srule *y)
{
    return x->pos.line == y->pos.line && x->pos.col == y->pos.col && same_file(x->file, y->file);
}

static bool applied_already(const srule *r, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < r->ndets; i++)
        if (strncmp(r->dets[i].name, prefix, n) == 0)
            return true;
    return false;
}

/* One filter, ready to apply: its prefixed names and condition. */
typedef struct ready {
    const srule *f;
    const char *prefix;
    const char **names;
    const cnode *cond;
} ready;

static void apply_filter(arena *a, srule *r, const ready *k)
{
    const srule *f = k->f;
    named_det *dets = arena_alloc(a, sizeof *dets * (r->ndets + f->ndets));
    memcpy(dets, r->dets, sizeof *dets * r->ndets);
    for (size_t i = 0; i < f->ndets; i++) {
        named_det *nd = &dets[r->ndets + i];
        nd->name = k->names[i];
        nd->det = detection_copy(a, f->dets[i].det, true);
        nd->pos = f->dets[i].pos;
    }
    rcond *conds = arena_alloc(a, sizeof *conds * (r->nconds ? r->nconds : 1));
    for (size_t i = 0; i < r->nconds; i++) {
        conds[i] = r->conds[i];
        /* a condition that does not parse is left alone: it fails as written */
        if (conds[i].ast)
            conds[i].ast = cond_new(a, CN_AND, conds[i].ast, k->cond);
    }
    r->dets = dets;
    r->ndets += f->ndets;
    r->conds = conds;
}

/* Checks filter f (the nth distinct one); false with f->error set. */
static bool make_ready(arena *a, srule *f, size_t nth, ready *out)
{
    const rcond *c = &f->filter->cond;
    if (!c->ast)
        return rule_fail(a, f, c->pos, "invalid condition: %s (at character %zu)", c->err->message, c->err->pos + 1);
    out->f = f;
    out->prefix = arena_printf(a, "_filt%zu_", nth);
    out->names = prefixed_names(a, f, out->prefix);
    const cnode *bad = filter_bad_ref(a, f, out->names, out->prefix, c->ast);
    if (bad && bad->kind == CN_ID)
        return rule_fail(a, f, c->pos, "Detection '%s' not defined in the filter's detections", bad->name);
    if (bad)
        return rule_fail(a, f, c->pos, "'%s of %s' matches no detection of the filter",
                         bad->quant == CQ_ALL ? "all" : "1", bad->is_them ? "them" : bad->name);
    out->cond = prefix_cond(a, c->ast, out->prefix);
    return true;
}

void filters_apply(arena *a, rule_list *all)
{
    srule **uf = arena_alloc(a, sizeof *uf * (all->n ? all->n : 1));
    ready *rd = arena_alloc(a, sizeof *rd * (all->n ? all->n : 1));
    size_t nf = 0, nready = 0;
    for (size_t i = 0; i < all->n; i++) {
        srule *f = all->v[i];
        if (f->type != RT_FILTER || !f->filter)
            continue;
        size_t j;
        for (j = 0; j < nf; j++)
            if (same_doc(uf[j], f))
                break;
        if (j < nf)
            continue; /* the same document given twice: applied once */
        if (f->error)
            continue;
        uf[nf] = f;
        if (make_ready(a, f, nready + 1, &rd[nready])) {
            nf++;
            nready++;
        }
    }
    for (size_t k = 0; k < nready; k++) {
        for (size_t i = 0; i < all->n; i++) {
            srule *r = all->v[i];
            if (r->type != RT_RULE || r->error || !r->has_ls)
                continue;
            if (!logsource_matches(&rd[k].f->ls, &r->ls) || !rules_match(rd[k].f->filter, r) ||
                applied_already(r, rd[k].prefix))
                continue;
            apply_filter(a, r, &rd[k]);
        }
    }
}
