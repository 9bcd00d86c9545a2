/* apply.c - one rule through every processing item, in pipeline order
 * (pySigma's ProcessingPipeline.apply): for each item whose rule conditions
 * match, its transformation, found in a dispatch table by type. A
 * transformation acts on the whole rule, on each detection item its
 * detection item and field name conditions match, or on each value of
 * those items (fields.c, values.c, detections.c; the rule-level ones that
 * need nothing else are here).
 *
 * The rule is edited in place. Its detections, conditions and field lists
 * are copied first, so that parts shared with other rules (global/repeat
 * documents, filters) are never changed twice. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <string.h>

#include "../util/limits.h"

/* ---- copying the parts of a rule we edit -------------------------------------- */

static const char **copy_strs(arena *a, const char *const *v, size_t n)
{
    const char **r = arena_alloc(a, sizeof *r * (n ? n : 1));
    if (n)
        memcpy(r, v, sizeof *r * n);
    return r;
}

static void copy_corr(arena *a, srule *r)
{
    correlation *k = arena_alloc(a, sizeof *k);
    *k = *r->corr;
    k->group_by = arena_alloc(a, sizeof *k->group_by * (k->ngroup_by ? k->ngroup_by : 1));
    if (k->ngroup_by)
        memcpy(k->group_by, r->corr->group_by, sizeof *k->group_by * k->ngroup_by);
    k->cond.fields = copy_strs(a, k->cond.fields, k->cond.nfields);
    if (k->naliases) {
        k->aliases = arena_alloc(a, sizeof *k->aliases * k->naliases);
        for (size_t i = 0; i < k->naliases; i++) {
            corr_alias *al = &k->aliases[i];
            *al = r->corr->aliases[i];
            al->e = arena_alloc(a, sizeof *al->e * (al->n ? al->n : 1));
            if (al->n)
                memcpy(al->e, r->corr->aliases[i].e, sizeof *al->e * al->n);
        }
    }
    r->corr = k;
}

static void copy_rule(arena *a, srule *r)
{
    if (r->ndets) {
        named_det *d = arena_alloc(a, sizeof *d * r->ndets);
        for (size_t i = 0; i < r->ndets; i++) {
            d[i] = r->dets[i];
            d[i].det = detection_copy(a, r->dets[i].det, false);
        }
        r->dets = d;
    }
    if (r->nconds) {
        rcond *c = arena_alloc(a, sizeof *c * r->nconds);
        memcpy(c, r->conds, sizeof *c * r->nconds);
        r->conds = c;
    }
    if (r->nfields)
        r->fields = copy_strs(a, r->fields, r->nfields);
    if (r->napplied)
        r->applied = copy_strs(a, r->applied, r->napplied);
    if (r->corr)
        copy_corr(a, r);
}

/* ---- state (set_state) ------------------------------------------------------------ */

static void state_set(actx *c, const char *key, const char *val)
{
    pstate *st = c->st;
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->keys[i], key) == 0) {
            st->vals[i] = val;
            return;
        }
    st->keys = arena_grow(c->a, (void *)st->keys, sizeof *st->keys, st->n, st->n + 1);
    st->vals = arena_grow(c->a, (void *)st->vals, sizeof *st->vals, st->n, st->n + 1);
    st->keys[st->n] = key;
    st->vals[st->n] = val;
    st->n++;
}

static bool set_state(actx *c, const pitem *it)
{
    const ynode *v = it->val;
    const char *val;
    if (v->u.s.type == YT_STR) {
        const char *msg = NULL;
        val = pl_format_vars(c->ps, it, v->u.s.text, &msg);
        if (!val)
            return pl_fail(c, c->r->pos, "set_state '%s': %s", it->key, msg);
        if (it->dash_to_underscore) {
            char *t = arena_strdup(c->a, val);
            for (char *p = t; *p; p++)
                if (*p == '-')
                    *p = '_';
            val = t;
        }
    } else if (v->u.s.type == YT_NULL) {
        val = NULL;
    } else {
        val = pl_scalar_str(c->a, v);
    }
    state_set(c, it->key, val);
    return true;
}

/* ---- rule-level transformations --------------------------------------------------- */

static bool rule_failure(actx *c, const pitem *it)
{
    return pl_fail(c, c->r->pos, "%s", it->message);
}

static bool change_logsource(actx *c, const pitem *it)
{
    c->r->ls.category = it->ls.category;
    c->r->ls.product = it->ls.product;
    c->r->ls.service = it->ls.service;
    c->r->ls.definition = NULL;
    return true;
}

static bool add_field(actx *c, const pitem *it)
{
    for (size_t i = 0; i < it->nlist; i++)
        pl_push_str(c->a, &c->r->fields, &c->r->nfields, it->list[i]);
    return true;
}

static bool remove_field(actx *c, const pitem *it)
{
    srule *r = c->r;
    for (size_t i = 0; i < it->nlist; i++)
        for (size_t j = 0; j < r->nfields; j++)
            if (strcmp(r->fields[j], it->list[i]) == 0) {
                memmove(&r->fields[j], &r->fields[j + 1], sizeof *r->fields * (r->nfields - j - 1));
                r->nfields--;
                break;
            }
    return true;
}

static bool set_field(actx *c, const pitem *it)
{
    c->r->fields = copy_strs(c->a, it->list, it->nlist);
    c->r->nfields = it->nlist;
    return true;
}

/* remembered for rule_attribute conditions of later items */
static bool set_custom_attribute(actx *c, const pitem *it)
{
    pl_push_str(c->a, &c->ck, &c->nc, it->key);
    c->cv = arena_grow(c->a, (void *)c->cv, sizeof *c->cv, c->nc - 1, c->nc);
    c->cv[c->nc - 1] = it->val;
    return true;
}

static bool apply_items(actx *c, pitem *const *items, size_t n);

static bool nest(actx *c, const pitem *it)
{
    return apply_items(c, it->items, it->nitems);
}

/* ---- the dispatch table ------------------------------------------------------------ */

/* What a transformation does, in this order: to the whole rule, to each
 * matching detection item (item) or to each value of each matching item
 * (value), then once more to the whole rule (after). */
typedef struct handler {
    bool (*rule)(actx *c, const pitem *it);
    item_fn item;
    value_fn value;
    bool (*after)(actx *c, const pitem *it);
} handler;

static const handler handlers[PT_COUNT] = {
    [T_FIELD_NAME_MAPPING] = {.rule = pl_map_rule_fields, .item = pl_map_item_fields},
    [T_FIELD_NAME_PREFIX_MAPPING] = {.rule = pl_map_rule_fields, .item = pl_map_item_fields},
    [T_FIELD_NAME_PREFIX] = {.rule = pl_map_rule_fields, .item = pl_map_item_fields},
    [T_FIELD_NAME_SUFFIX] = {.rule = pl_map_rule_fields, .item = pl_map_item_fields},
    [T_DROP_DETECTION_ITEM] = {.item = pl_drop_item, .after = pl_drop_cleanup},
    [T_HASHES_FIELDS] = {.item = pl_split_hashes},
    [T_WILDCARD_PLACEHOLDERS] = {.value = pl_wildcard_placeholders},
    [T_VALUE_PLACEHOLDERS] = {.value = pl_value_placeholders},
    [T_QUERY_EXPRESSION_PLACEHOLDERS] = {.value = pl_query_placeholders},
    [T_ADD_CONDITION] = {.rule = pl_add_condition},
    [T_CHANGE_LOGSOURCE] = {.rule = change_logsource},
    [T_ADD_FIELD] = {.rule = add_field},
    [T_REMOVE_FIELD] = {.rule = remove_field},
    [T_SET_FIELD] = {.rule = set_field},
    [T_REPLACE_STRING] = {.value = pl_replace_string},
    [T_MAP_STRING] = {.value = pl_map_string},
    [T_SET_STATE] = {.rule = set_state},
    [T_REGEX] = {.value = pl_to_regex},
    [T_SET_VALUE] = {.value = pl_set_value},
    [T_CONVERT_TYPE] = {.value = pl_convert_type},
    [T_RULE_FAILURE] = {.rule = rule_failure},
    [T_DETECTION_ITEM_FAILURE] = {.item = pl_item_failure},
    [T_STRICT_FIELD_MAPPING_FAILURE] = {.rule = pl_strict_mapping},
    [T_SET_CUSTOM_ATTRIBUTE] = {.rule = set_custom_attribute},
    [T_NEST] = {.rule = nest},
    [T_CASE] = {.value = pl_change_case},
};

/* ---- detection items ----------------------------------------------------------------- */

/* Every detection item the item's detection item and field name conditions
 * match, in order, depth first. Only plain rules have detection items. */
static bool walk_det(actx *c, const pitem *it, const handler *h, detection *d, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        delem *e = &d->elems[i];
        if (e->sub) {
            if (depth < SIGMA_MAX_DET_DEPTH && !walk_det(c, it, h, e->sub, depth + 1))
                return false;
            continue;
        }
        if (!pl_item_match(c, it, e->item))
            continue;
        if ((h->item ? h->item(c, it, e) : pl_map_values(c, it, e, h->value)) < 0)
            return false;
    }
    return true;
}

static bool walk_rule(actx *c, const pitem *it, const handler *h)
{
    if (c->r->type != RT_RULE)
        return true;
    for (size_t i = 0; i < c->r->ndets; i++)
        if (!walk_det(c, it, h, c->r->dets[i].det, 0))
            return false;
    return true;
}

/* ---- one item ------------------------------------------------------------------------- */

static bool apply_item(actx *c, const pitem *it)
{
    srule *r = c->r;
    bool ok;
    if (!pl_rule_conds_match(c, it, r, c->st, &ok))
        return ok;
    if (it->id)
        pl_push_str(c->a, &r->applied, &r->napplied, it->id);
    const handler *h = &handlers[it->type];
    if (h->rule && !h->rule(c, it))
        return false;
    if ((h->item || h->value) && !walk_rule(c, it, h))
        return false;
    return !h->after || h->after(c, it);
}

static bool apply_items(actx *c, pitem *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!apply_item(c, items[i]))
            return false;
    return true;
}

/* ---- entry point ----------------------------------------------------------------------- */

bool pl_apply_rule(pipeline_set *ps, srule *r, pstate *st)
{
    actx c = {0};
    c.ps = ps;
    c.a = ps->a;
    c.r = r;
    c.st = st;
    copy_rule(ps->a, r);
    if (!apply_items(&c, ps->items, ps->nitems))
        return false;
    return !c.failed && !r->error;
}
