/* check.c - `sigma check`: load and validate rules without converting them.
 *
 * Errors: everything that makes a conversion fail before SQL is written
 * (rule attributes, modifiers, condition syntax, unknown detections).
 * Warnings: validators users know from sigma-cli, each named so it can be
 * excluded. Validators read the rule model and, for the text of values as
 * written, the YAML detection section. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../compiler.h"
#include "../condition/cond.h"
#include "../sql/sql.h"

typedef struct vctx {
    sigma_compiler *c;
    const char *const *exclude;
    size_t nexclude;
    size_t errors, warnings;
} vctx;

const char *const sigma_validator_names[] = {
    "identifier_uniqueness", "duplicate_title",       "dangling_detection",
    "all_without_contains",  "base64offset_without_contains", "windash_with_all",
    "wildcards_instead_of_modifiers", "number_as_string", "escaped_wildcard",
    "all_of_them_condition", NULL,
};

static void push(vctx *v, sigma_severity sev, const char *file, spos pos, const char *msg)
{
    sigma_compiler *c = v->c;
    c->diags = arena_grow(c->a, c->diags, sizeof *c->diags, c->ndiags, c->ndiags + 1);
    sigma_diag *d = &c->diags[c->ndiags++];
    d->severity = sev;
    d->file = file;
    d->line = pos.line;
    d->column = pos.col;
    d->message = msg;
    if (sev == SIGMA_ERROR)
        v->errors++;
    else
        v->warnings++;
}

static bool enabled(const vctx *v, const char *name)
{
    for (size_t i = 0; i < v->nexclude; i++)
        if (strcmp(v->exclude[i], name) == 0)
            return false;
    return true;
}

static void warn(vctx *v, const char *validator, const srule *r, spos pos, const char *msg)
{
    if (!enabled(v, validator))
        return;
    push(v, SIGMA_WARNING, r->file, pos.line ? pos : r->pos,
         arena_printf(v->c->a, "%s [%s]", msg, validator));
}

static bool has_mod(const ditem *it, const char *m)
{
    for (size_t i = 0; i < it->nmods; i++)
        if (strcmp(it->mods[i], m) == 0)
            return true;
    return false;
}

/* ---- detection names referenced by the conditions ---- */

static void mark_refs(arena *a, const srule *r, const cnode *n, bool *used, int depth)
{
    if (!n || depth > 200)
        return;
    switch (n->kind) {
    case CN_AND:
    case CN_OR: {
        const cnode **ops;
        size_t cnt = cond_flatten(a, n, &ops);
        for (size_t i = 0; i < cnt; i++)
            mark_refs(a, r, ops[i], used, depth + 1);
        return;
    }
    case CN_NOT:
        mark_refs(a, r, n->l, used, depth + 1);
        return;
    case CN_ID:
        for (size_t i = 0; i < r->ndets; i++)
            if (strcmp(r->dets[i].name, n->name) == 0)
                used[i] = true;
        return;
    case CN_SEL:
        for (size_t i = 0; i < r->ndets; i++)
            if (cond_selects(n, r->dets[i].name))
                used[i] = true;
        return;
    }
}

/* ---- value-level validators over the YAML detection section ---- */

static bool plain_wildcard_shape(const char *s, size_t n, int *shape)
{
    /* *x*, x*, *x with no other unescaped wildcard; shape 3/1/2 */
    if (n < 2)
        return false;
    bool lead = s[0] == '*', trail = s[n - 1] == '*' && !(n >= 2 && s[n - 2] == '\\');
    if (!lead && !trail)
        return false;
    size_t from = lead ? 1 : 0, to = trail ? n - 1 : n;
    if (to <= from)
        return false;
    for (size_t i = from; i < to; i++) {
        if (s[i] == '\\' && i + 1 < to) {
            i++;
            continue;
        }
        if (s[i] == '*' || s[i] == '?')
            return false;
    }
    *shape = (lead ? 2 : 0) | (trail ? 1 : 0);
    return true;
}

static void check_item_values(vctx *v, const srule *r, const ynode *key, const ynode *val)
{
    const char *k = key->kind == YN_SCALAR ? key->u.s.text : "";
    const char *bar = strchr(k, '|');
    bool has_field = bar ? bar != k : *k != 0;
    bool plain_mods = bar == NULL;
    size_t n = val->kind == YN_SEQ ? val->u.seq.n : 1;
    int nshape = 0, shape0 = -1;
    bool same_shape = true;
    for (size_t i = 0; i < n; i++) {
        const ynode *x = val->kind == YN_SEQ ? val->u.seq.items[i] : val;
        if (x->kind != YN_SCALAR || x->u.s.type != YT_STR)
            continue;
        const char *s = x->u.s.text;
        size_t len = x->u.s.len;
        if (has_field && plain_mods && len > 0) {
            bool digits = true;
            for (size_t j = 0; j < len; j++)
                if (s[j] < '0' || s[j] > '9')
                    digits = false;
            if (digits && len < 19)
                warn(v, "number_as_string", r, node_pos(x),
                     arena_printf(v->c->a, "number '%s' written as a string", s));
        }
        for (size_t j = 0; j + 1 < len; j++) {
            if (s[j] == '\\' && (s[j + 1] == '*' || s[j + 1] == '?')) {
                if (!(j > 0 && s[j - 1] == '\\')) {
                    warn(v, "escaped_wildcard", r, node_pos(x),
                         arena_printf(v->c->a, "value '%s' contains an escaped wildcard", s));
                    break;
                }
            }
        }
        int shape;
        if (has_field && plain_mods && plain_wildcard_shape(s, len, &shape)) {
            nshape++;
            if (shape0 < 0)
                shape0 = shape;
            else if (shape != shape0)
                same_shape = false;
        } else {
            same_shape = false;
        }
    }
    if (nshape == (int)n && n > 0 && same_shape) {
        static const char *const mod[] = {"", "startswith", "endswith", "contains"};
        warn(v, "wildcards_instead_of_modifiers", r, node_pos(key),
             arena_printf(v->c->a, "wildcards used instead of the '%s' modifier", mod[shape0]));
    }
}

static void walk_detection_yaml(vctx *v, const srule *r, const ynode *n, int depth)
{
    if (!n || depth > 64)
        return;
    if (n->kind == YN_MAP) {
        for (size_t i = 0; i < n->u.map.n; i++)
            check_item_values(v, r, n->u.map.pairs[i].key, n->u.map.pairs[i].value);
    } else if (n->kind == YN_SEQ) {
        for (size_t i = 0; i < n->u.seq.n; i++)
            if (n->u.seq.items[i]->kind != YN_SCALAR)
                walk_detection_yaml(v, r, n->u.seq.items[i], depth + 1);
    }
}

static void check_items(vctx *v, const srule *r, const detection *d, int depth)
{
    if (depth > 64)
        return;
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            check_items(v, r, d->elems[i].sub, depth + 1);
            continue;
        }
        const ditem *it = d->elems[i].item;
        bool contains = has_mod(it, "contains");
        if (it->field && has_mod(it, "all") && !contains && !has_mod(it, "startswith") &&
            !has_mod(it, "endswith") && !has_mod(it, "re") && !has_mod(it, "cidr"))
            warn(v, "all_without_contains", r, it->pos, "the 'all' modifier without 'contains'");
        if (has_mod(it, "base64offset") && !contains)
            warn(v, "base64offset_without_contains", r, it->pos, "the 'base64offset' modifier without 'contains'");
        if (has_mod(it, "windash") && has_mod(it, "all"))
            warn(v, "windash_with_all", r, it->pos, "the 'windash' modifier together with 'all'");
    }
}

static void check_rule(vctx *v, srule *r)
{
    sigma_compiler *c = v->c;
    if (r->error) {
        push(v, SIGMA_ERROR, r->file, r->error->pos, r->error->message);
        return;
    }
    if (r->type != RT_RULE)
        return;
    bool *used = arena_alloc(c->a, sizeof *used * (r->ndets + 1));
    for (size_t i = 0; i < r->nconds; i++) {
        const cnode *ast = r->conds[i].ast;
        mark_refs(c->a, r, ast, used, 0);
        sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
        if (!sql_build_tree(&sc, &r->conds[i])) {
            push(v, SIGMA_ERROR, r->file, sc.err.pos, sc.err.message);
            continue;
        }
        if (ast && ast->kind == CN_SEL && ast->quant == CQ_ALL && ast->is_them)
            warn(v, "all_of_them_condition", r, r->conds[i].pos,
                 "'all of them' condition: name the detections to combine");
    }
    for (size_t i = 0; i < r->ndets; i++)
        if (!used[i])
            warn(v, "dangling_detection", r, r->dets[i].pos,
                 arena_printf(c->a, "detection '%s' is not used by any condition", r->dets[i].name));
    for (size_t i = 0; i < r->ndets; i++)
        check_items(v, r, r->dets[i].det, 0);
    const ynode *det = ymap_get(r->doc, "detection");
    for (size_t i = 0; det && i < det->u.map.n; i++) {
        if (yscalar_is(det->u.map.pairs[i].key, "condition"))
            continue;
        walk_detection_yaml(v, r, det->u.map.pairs[i].value, 0);
    }
}

/* Inserts r under key; returns an earlier rule with the same key (for
 * titles: from another file, since a multi-document file shares its title). */
static const srule *seen(const srule **tab, size_t cap, const srule *r, const char *key, bool is_id)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        const srule *q = tab[i];
        if (!q) {
            tab[i] = r;
            return NULL;
        }
        const char *qk = is_id ? q->id : q->title;
        if (strcmp(qk, key) == 0 && (is_id || q->file != r->file))
            return q;
    }
}

sigma_status sigma_check(sigma_compiler *c, const char *const *exclude, size_t nexclude)
{
    vctx v = {.c = c, .exclude = exclude, .nexclude = nexclude};
    for (size_t i = 0; i < c->rules.n; i++)
        check_rule(&v, c->rules.v[i]);
    /* identifiers and titles used more than once: one hash table each */
    size_t cap = 16;
    while (cap < c->rules.n * 2 + 1)
        cap *= 2;
    const srule **ids = arena_alloc(c->a, sizeof *ids * cap);
    const srule **titles = arena_alloc(c->a, sizeof *titles * cap);
    for (size_t i = 0; i < c->rules.n; i++) {
        const srule *r = c->rules.v[i];
        if (r->error || r->type == RT_FILTER)
            continue;
        const srule *q;
        if (r->id && (q = seen(ids, cap, r, r->id, true)))
            warn(&v, "identifier_uniqueness", r, node_pos(ymap_get(r->doc, "id")),
                 arena_printf(c->a, "identifier '%s' is also used by %s", r->id, q->file));
        if (r->title && (q = seen(titles, cap, r, r->title, false)))
            warn(&v, "duplicate_title", r, node_pos(ymap_get(r->doc, "title")),
                 arena_printf(c->a, "title '%s' is also used by %s", r->title, q->file));
    }
    return v.errors ? SIGMA_ERULE : SIGMA_OK;
}
