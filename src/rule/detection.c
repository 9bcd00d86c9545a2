/* detection.c - detections: YAML -> items with typed, modified values
 * (pySigma's SigmaDetections/SigmaDetectionItem), and copies for the
 * stages that edit them.
 *
 * A map is an AND of items, a list of maps (or lists) an OR of
 * sub-detections, a scalar or a list of scalars one keyword item. Each
 * item's key `field|mod|mod` is split here and its values go through the
 * modifier chain (modifier.c). */
#include <string.h>

#include "../util/limits.h"
#include "internal.h"
#include "modifier.h"

/* ------------------------------------------------------------ items */

/* Splits `field|mod|mod` (key[0..len), NULL for a keyword) into it->field
 * and it->mods. An empty field is a keyword with modifiers. Modifier names
 * end at a NUL byte, as YAML keys written with \0 would. */
static void split_key(arena *a, ditem *it, const char *key, size_t len)
{
    if (!key)
        return;
    const char *bar = memchr(key, '|', len);
    size_t flen = bar ? (size_t)(bar - key) : len;
    it->field = flen ? arena_strndup(a, key, flen) : NULL;
    if (!bar)
        return;
    size_t nm = 1;
    for (const char *p = bar + 1; *p; p++)
        if (*p == '|')
            nm++;
    it->mods = arena_alloc(a, sizeof *it->mods * nm);
    const char *p = bar + 1;
    for (;;) {
        const char *q = strchr(p, '|');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        it->mods[it->nmods++] = arena_strndup(a, p, l);
        if (!q)
            break;
        p = q + 1;
    }
}

/* One item: key split, values (val, or each item of a list val) through
 * the modifiers. subst, if set, rewrites each value node first. NULL with
 * *err set on a modifier or value error. */
static ditem *make_item(arena *a, const char *key, size_t klen, spos kpos, const ynode *val, ynode_subst subst,
                        void *ctx, sdiag *err)
{
    ditem *it = arena_alloc(a, sizeof *it);
    it->pos = kpos;
    split_key(a, it, key, klen);
    ynode **raw;
    size_t nraw;
    ynode *one[1];
    if (val->kind == YN_SEQ) {
        raw = val->u.seq.items;
        nraw = val->u.seq.n;
    } else {
        one[0] = (ynode *)val;
        raw = one;
        nraw = 1;
    }
    if (subst) {
        ynode **s = arena_alloc(a, sizeof *s * (nraw ? nraw : 1));
        for (size_t j = 0; j < nraw; j++)
            s[j] = (ynode *)subst(a, raw[j], ctx);
        raw = s;
    }
    if (!modifiers_apply(a, it, raw, nraw, node_pos(val), err))
        return NULL;
    return it;
}

static void add_item(arena *a, detection *d, ditem *it)
{
    delem *e = arena_grow(a, d->elems, sizeof *e, d->n, d->n + 1);
    e[d->n].item = it;
    e[d->n].sub = NULL;
    d->elems = e;
    d->n++;
}

/* An item of a rule's detection map: keys are strings (or null). */
static bool parse_item(arena *a, srule *r, detection *d, const ynode *key, const ynode *val)
{
    if (!key || key->kind != YN_SCALAR || (key->u.s.type != YT_STR && key->u.s.type != YT_NULL))
        return rule_fail(a, r, node_pos(key), "detection field name must be a string, got %s",
                         key ? kind_name(key) : "nothing");
    bool named = key->u.s.type == YT_STR;
    sdiag err;
    ditem *it = make_item(a, named ? key->u.s.text : NULL, named ? key->u.s.len : 0, node_pos(key), val, NULL,
                          NULL, &err);
    if (!it)
        return rule_fail(a, r, err.pos, "%s", err.message);
    add_item(a, d, it);
    return true;
}

/* ------------------------------------------------------------ detections */

static detection *parse_detection(arena *a, srule *r, const ynode *n, int depth)
{
    if (depth > SIGMA_MAX_YAML_DEPTH) {
        rule_fail(a, r, node_pos(n), "detection nested too deeply");
        return NULL;
    }
    detection *d = arena_alloc(a, sizeof *d);
    d->pos = node_pos(n);
    if (n->kind == YN_MAP) {
        if (n->u.map.n == 0) {
            rule_fail(a, r, node_pos(n), "Detection is empty");
            return NULL;
        }
        d->and_link = true;
        for (size_t i = 0; i < n->u.map.n; i++)
            if (!parse_item(a, r, d, n->u.map.pairs[i].key, n->u.map.pairs[i].value))
                return NULL;
        return d;
    }
    if (n->kind == YN_SCALAR || all_scalars(n)) {
        /* keyword item (one value or an OR list of values) */
        d->and_link = true;
        sdiag err;
        ditem *it = make_item(a, NULL, 0, node_pos(n), n, NULL, NULL, &err);
        if (!it) {
            rule_fail(a, r, err.pos, "%s", err.message);
            return NULL;
        }
        add_item(a, d, it);
        return d;
    }
    /* list with maps or lists: each element a nested detection, OR-linked */
    d->and_link = false;
    d->elems = arena_alloc(a, sizeof *d->elems * n->u.seq.n);
    for (size_t i = 0; i < n->u.seq.n; i++) {
        detection *sub = parse_detection(a, r, n->u.seq.items[i], depth + 1);
        if (!sub)
            return NULL;
        d->elems[d->n].sub = sub;
        d->elems[d->n].item = NULL;
        d->n++;
    }
    return d;
}

bool parse_detections(arena *a, srule *r, const ynode *det, bool is_filter)
{
    r->dets = arena_alloc(a, sizeof *r->dets * (det->u.map.n ? det->u.map.n : 1));
    for (size_t i = 0; i < det->u.map.n; i++) {
        const ynode *k = det->u.map.pairs[i].key, *v = det->u.map.pairs[i].value;
        if (is_filter && (yscalar_is(k, "rules") || yscalar_is(k, "condition")))
            continue;
        if (!is_filter && yscalar_is(k, "condition"))
            continue;
        if (k->kind != YN_SCALAR)
            return rule_fail(a, r, node_pos(k), "detection name must be a string");
        named_det *nd = &r->dets[r->ndets];
        nd->name = k->u.s.text;
        nd->pos = node_pos(k);
        /* `sel:` with nothing is a keyword null: an error at conversion, as in pySigma */
        nd->det = parse_detection(a, r, v, 0);
        if (!nd->det)
            return false;
        r->ndets++;
    }
    if (!r->ndets)
        return rule_fail(a, r, node_pos(det), "No detections defined in Sigma rule");
    return true;
}

detection *detection_from_map(arena *a, const ynode *map, spos pos, ynode_subst subst, void *ctx, sdiag *err)
{
    detection *d = arena_alloc(a, sizeof *d);
    d->and_link = true;
    d->pos = pos;
    d->elems = arena_alloc(a, sizeof *d->elems * (map->u.map.n ? map->u.map.n : 1));
    for (size_t i = 0; i < map->u.map.n; i++) {
        const ynode *k = map->u.map.pairs[i].key, *v = map->u.map.pairs[i].value;
        bool named = k->u.s.type != YT_NULL;
        ditem *it = make_item(a, named ? k->u.s.text : NULL, named ? k->u.s.len : 0, node_pos(k), v, subst, ctx,
                              err);
        if (!it)
            return NULL;
        it->pos = pos;
        d->elems[d->n++].item = it;
    }
    return d;
}

/* ------------------------------------------------------------ copies */

static svalue *copy_value(arena *a, const svalue *v)
{
    svalue *n = arena_alloc(a, sizeof *n);
    *n = *v;
    if (v->str.n) {
        n->str.parts = arena_alloc(a, sizeof *n->str.parts * v->str.n);
        memcpy(n->str.parts, v->str.parts, sizeof *n->str.parts * v->str.n);
    }
    if (v->nitems) {
        n->items = arena_alloc(a, sizeof *n->items * v->nitems);
        for (size_t i = 0; i < v->nitems; i++)
            n->items[i] = copy_value(a, v->items[i]);
    }
    return n;
}

static const char **copy_strs(arena *a, const char *const *v, size_t n)
{
    const char **r = arena_alloc(a, sizeof *r * n);
    memcpy(r, v, sizeof *r * n);
    return r;
}

static ditem *copy_item(arena *a, const ditem *it, bool deep)
{
    ditem *n = arena_alloc(a, sizeof *n);
    *n = *it;
    if (deep && it->nmods)
        n->mods = copy_strs(a, it->mods, it->nmods);
    if (it->nvals) {
        n->vals = arena_alloc(a, sizeof *n->vals * it->nvals);
        for (size_t k = 0; k < it->nvals; k++)
            n->vals[k] = deep ? copy_value(a, it->vals[k]) : it->vals[k];
    }
    if (it->napplied)
        n->applied = copy_strs(a, it->applied, it->napplied);
    return n;
}

/* Sub-detections nest at most SIGMA_MAX_YAML_DEPTH deep from YAML; each
 * pipeline mapping to several fields adds one level. Past the bound (which
 * no rule reaches) the rest is shared, not copied. */
static detection *copy_det(arena *a, const detection *d, bool deep, int depth)
{
    detection *n = arena_alloc(a, sizeof *n);
    *n = *d;
    n->elems = arena_alloc(a, sizeof *n->elems * (d->n ? d->n : 1));
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].item)
            n->elems[i].item = copy_item(a, d->elems[i].item, deep);
        else if (depth < SIGMA_MAX_YAML_DEPTH + 8)
            n->elems[i].sub = copy_det(a, d->elems[i].sub, deep, depth + 1);
        else
            n->elems[i].sub = d->elems[i].sub;
    }
    return n;
}

detection *detection_copy(arena *a, const detection *d, bool deep)
{
    return copy_det(a, d, deep, 0);
}

ditem *ditem_copy(arena *a, const ditem *it)
{
    return copy_item(a, it, false);
}
