/* document.c - the documents of one YAML file -> rules, correlations and
 * filters, with Sigma's collection actions (pySigma's SigmaCollection):
 * `action: global` sets a base merged into each following rule, `reset`
 * drops it, `repeat` merges its document into the previous rule's. */
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------ merging */

static ynode *deep_merge(arena *a, const ynode *base, const ynode *over)
{
    /* base updated with over; over wins on conflicts; maps merge recursively */
    if (!base || base->kind != YN_MAP || !over || over->kind != YN_MAP)
        return (ynode *)over;
    ynode *m = arena_alloc(a, sizeof *m);
    *m = *base;
    size_t cap = base->u.map.n + over->u.map.n;
    ypair *pairs = arena_alloc(a, sizeof *pairs * (cap ? cap : 1));
    size_t n = 0;
    for (size_t i = 0; i < base->u.map.n; i++)
        pairs[n++] = base->u.map.pairs[i];
    for (size_t j = 0; j < over->u.map.n; j++) {
        const ypair *op = &over->u.map.pairs[j];
        size_t i;
        for (i = 0; i < n; i++) {
            const ynode *k = pairs[i].key;
            if (k->kind == YN_SCALAR && op->key->kind == YN_SCALAR && k->u.s.len == op->key->u.s.len &&
                memcmp(k->u.s.text, op->key->u.s.text, k->u.s.len) == 0)
                break;
        }
        if (i < n) {
            pairs[i].value = deep_merge(a, pairs[i].value, op->value);
        } else {
            pairs[n++] = *op;
        }
    }
    m->u.map.pairs = pairs;
    m->u.map.n = n;
    return m;
}

static ynode *map_without(arena *a, const ynode *map, const char *key)
{
    ynode *m = arena_alloc(a, sizeof *m);
    *m = *map;
    ypair *pairs = arena_alloc(a, sizeof *pairs * (map->u.map.n ? map->u.map.n : 1));
    size_t n = 0;
    for (size_t i = 0; i < map->u.map.n; i++)
        if (!yscalar_is(map->u.map.pairs[i].key, key))
            pairs[n++] = map->u.map.pairs[i];
    m->u.map.pairs = pairs;
    m->u.map.n = n;
    return m;
}


/* ------------------------------------------------------------ rules */

/* The conditions of a detection: `at` is where a missing one is reported. */
static bool parse_conditions(arena *a, srule *r, const ynode *c, spos at, const char *missing)
{
    if (!c)
        return rule_fail(a, r, at, "%s", missing);
    if ((c->kind == YN_SEQ && c->u.seq.n == 0) || is_null(c))
        return rule_fail(a, r, node_pos(c), "%s", missing);
    if (c->kind == YN_MAP)
        return rule_fail(a, r, node_pos(c), "Sigma rule condition must be a string or a list of strings");
    size_t n = c->kind == YN_SEQ ? c->u.seq.n : 1;
    r->conds = arena_alloc(a, sizeof *r->conds * n);
    for (size_t i = 0; i < n; i++) {
        const ynode *s = c->kind == YN_SEQ ? c->u.seq.items[i] : c;
        if (s->kind != YN_SCALAR || s->u.s.type != YT_STR)
            return rule_fail(a, r, node_pos(s), "Sigma rule condition must be a string, got %s", kind_name(s));
        rule_parse_condition(a, &r->conds[i], s->u.s.text, s->u.s.len, node_pos(s));
    }
    r->nconds = n;
    return true;
}


/* Where the key `key` of a mapping is written (the map's position if absent). */
static spos key_pos(const ynode *map, const char *key)
{
    for (size_t i = 0; i < map->u.map.n; i++)
        if (yscalar_is(map->u.map.pairs[i].key, key))
            return node_pos(map->u.map.pairs[i].key);
    return node_pos(map);
}

static void parse_rule(arena *a, srule *r, const ynode *doc)
{
    if (!rule_check_common(a, r, doc))
        return;
    if (!rule_parse_logsource(a, r, doc, "rule"))
        return;
    const ynode *det = ymap_get(doc, "detection");
    if (!det) {
        rule_fail(a, r, r->pos, "Sigma rule must have a detection definitions");
        return;
    }
    if (det->kind != YN_MAP) {
        rule_fail(a, r, node_pos(det), "Sigma detection must be a valid YAML map");
        return;
    }
    if (!parse_conditions(a, r, ymap_get(det, "condition"), key_pos(doc, "detection"),
                          "Sigma rule must contain at least one condition"))
        return;
    parse_detections(a, r, det, false);
}


/* ------------------------------------------------------------ documents */

static srule *new_rule(arena *a, const char *file, const ynode *doc, spos pos)
{
    srule *r = arena_alloc(a, sizeof *r);
    r->file = file;
    r->doc = doc;
    r->pos = pos;
    return r;
}

void rules_from_docs(arena *a, const char *file, ydoc *docs, size_t ndocs, rule_list *out)
{
    const ynode *global = NULL;
    const ynode *prev = NULL;
    for (size_t i = 0; i < ndocs; i++) {
        const ynode *doc = docs[i].root;
        spos dpos = {docs[i].line, docs[i].col};
        if (!doc)
            continue; /* empty document, e.g. a trailing --- */
        dpos = node_pos(doc);
        if (doc->kind != YN_MAP) {
            srule *r = new_rule(a, file, doc, dpos);
            rule_fail(a, r, dpos, "a Sigma document must be a mapping, not a %s", kind_name(doc));
            rule_list_push(a, out, r);
            continue;
        }
        const ynode *act = ymap_get(doc, "action");
        if (act) {
            if (yscalar_is(act, "global")) {
                global = map_without(a, doc, "action");
                continue;
            }
            if (yscalar_is(act, "reset")) {
                global = NULL;
                continue;
            }
            if (yscalar_is(act, "repeat")) {
                if (!prev) {
                    srule *r = new_rule(a, file, doc, dpos);
                    rule_fail(a, r, node_pos(act), "action 'repeat' without a previous rule");
                    rule_list_push(a, out, r);
                    continue;
                }
                const ynode *merged = deep_merge(a, prev, map_without(a, doc, "action"));
                srule *r = new_rule(a, file, merged, dpos);
                parse_rule(a, r, merged);
                prev = merged;
                rule_list_push(a, out, r);
                continue;
            }
            srule *r = new_rule(a, file, doc, dpos);
            rule_fail(a, r, node_pos(act), "Unknown Sigma collection action '%s' in rule %zu",
                      act->kind == YN_SCALAR ? act->u.s.text : kind_name(act), i + 1);
            rule_list_push(a, out, r);
            continue;
        }
        srule *r;
        if (ymap_get(doc, "correlation")) {
            r = new_rule(a, file, doc, dpos);
            r->type = RT_CORRELATION;
            parse_correlation(a, r, doc);
        } else if (ymap_get(doc, "filter")) {
            r = new_rule(a, file, doc, dpos);
            r->type = RT_FILTER;
            parse_filter(a, r, doc);
        } else {
            const ynode *merged = global ? deep_merge(a, doc, global) : doc;
            r = new_rule(a, file, merged, dpos);
            parse_rule(a, r, merged);
            prev = merged;
        }
        rule_list_push(a, out, r);
    }
}

