/* rule.c - YAML documents -> validated rules, correlations and filters.
 *
 * Validation follows pySigma's SigmaRuleBase/SigmaRule checks (attribute by
 * attribute, same wording) but every error carries the offending node's
 * position and never aborts the run: the rule is kept with ->error set. */
#include "rule.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"

void rule_list_push(arena *a, rule_list *l, srule *r)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        l->v = arena_grow(a, l->v, sizeof *l->v, l->cap, nc);
        l->cap = nc;
    }
    l->v[l->n++] = r;
}

static const char *vfmt(arena *a, const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf) {
        buf[sizeof buf - 4] = '.';
        buf[sizeof buf - 3] = '.';
        buf[sizeof buf - 2] = '.';
        n = sizeof buf - 1;
    }
    return arena_strndup(a, buf, (size_t)n);
}

bool rule_fail(arena *a, srule *r, spos pos, const char *fmt, ...)
{
    if (r->error)
        return false;
    va_list ap;
    va_start(ap, fmt);
    sdiag *d = arena_alloc(a, sizeof *d);
    d->pos = pos.line ? pos : r->pos;
    d->message = vfmt(a, fmt, ap);
    va_end(ap);
    r->error = d;
    return false;
}

void rule_warn(arena *a, srule *r, spos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sdiag *w = arena_grow(a, r->warnings, sizeof *w, r->nwarnings, r->nwarnings + 1);
    w[r->nwarnings].pos = pos.line ? pos : r->pos;
    w[r->nwarnings].message = vfmt(a, fmt, ap);
    va_end(ap);
    r->warnings = w;
    r->nwarnings++;
}

/* ------------------------------------------------------------ helpers */

static bool is_str(const ynode *n)
{
    return n && n->kind == YN_SCALAR && n->u.s.type == YT_STR;
}

static bool is_null(const ynode *n)
{
    return !n || (n->kind == YN_SCALAR && n->u.s.type == YT_NULL);
}

/* Text of any scalar (numbers, dates and booleans as written). */
static const char *scalar_text(const ynode *n)
{
    return n->u.s.text;
}

static bool is_truthy(const ynode *n)
{
    if (!n)
        return false;
    if (n->kind == YN_SEQ)
        return n->u.seq.n > 0;
    if (n->kind == YN_MAP)
        return n->u.map.n > 0;
    switch (n->u.s.type) {
    case YT_NULL:
        return false;
    case YT_BOOL:
        return n->u.s.bval;
    case YT_INT:
    case YT_FLOAT:
        return n->u.s.fval != 0;
    default:
        return n->u.s.len > 0;
    }
}

static const char *kind_name(const ynode *n)
{
    if (n->kind == YN_SEQ)
        return "list";
    if (n->kind == YN_MAP)
        return "map";
    switch (n->u.s.type) {
    case YT_NULL:
        return "null";
    case YT_BOOL:
        return "boolean";
    case YT_INT:
        return "integer";
    case YT_FLOAT:
        return "number";
    case YT_DATE:
        return "date";
    default:
        return "string";
    }
}

static bool lower_eq(const char *s, const char *t)
{
    for (; *s && *t; s++, t++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*t))
            return false;
    return *s == *t;
}

static bool is_uuid(const char *s)
{
    /* Python's UUID(): strip "urn:" and "uuid:", braces, hyphens; 32 hex digits */
    size_t n = 0;
    const char *p = s;
    if (strncmp(p, "urn:", 4) == 0)
        p += 4;
    if (strncmp(p, "uuid:", 5) == 0)
        p += 5;
    size_t len = strlen(p);
    while (len && *p == '{')
        p++, len--;
    while (len && p[len - 1] == '}')
        len--;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '-')
            continue;
        if (!isxdigit((unsigned char)p[i]) || n >= 32)
            return false;
        n++;
    }
    return n == 32;
}

static bool valid_date(const char *s)
{
    /* [1-3]ddd-[01]d-[0-3]d or [1-3]ddd/[01]?d/[0-3]?d, a real calendar date */
    int y = 0, m = 0, d = 0;
    size_t i = 0;
    if (!(s[0] >= '1' && s[0] <= '3'))
        return false;
    for (i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        y = y * 10 + (s[i] - '0');
    }
    char sep = s[4];
    if (sep != '-' && sep != '/')
        return false;
    i = 5;
    int nd = 0;
    while (isdigit((unsigned char)s[i]) && nd < 2)
        m = m * 10 + (s[i++] - '0'), nd++;
    if (nd == 0 || (sep == '-' && nd != 2) || s[i] != sep)
        return false;
    i++;
    nd = 0;
    while (isdigit((unsigned char)s[i]) && nd < 2)
        d = d * 10 + (s[i++] - '0'), nd++;
    if (nd == 0 || (sep == '-' && nd != 2) || s[i])
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

static bool valid_date_node(const ynode *n)
{
    if (n->kind != YN_SCALAR)
        return false;
    if (n->u.s.type == YT_DATE) {
        /* a timestamp or date PyYAML accepted: check the date part */
        char buf[16];
        size_t k = 0;
        while (k < 10 && k < n->u.s.len)
            buf[k] = n->u.s.text[k], k++;
        buf[k] = 0;
        if (n->u.s.len >= 10 && valid_date(buf))
            return true;
        /* YYYY-M-D timestamps */
        return valid_date(n->u.s.text);
    }
    return valid_date(n->u.s.text);
}

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

/* ------------------------------------------------------------ attributes */

static bool str_list(arena *a, srule *r, const ynode *n, const char ***out, size_t *nout, const char *what)
{
    if (n->kind != YN_SEQ)
        return rule_fail(a, r, node_pos(n), "Sigma rule %s must be a list", what);
    const char **v = arena_alloc(a, sizeof *v * (n->u.seq.n + 1));
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *it = n->u.seq.items[i];
        if (it->kind != YN_SCALAR)
            return rule_fail(a, r, node_pos(it), "Sigma rule %s must be a list of strings", what);
        v[i] = scalar_text(it);
    }
    *out = v;
    *nout = n->u.seq.n;
    return true;
}

static bool check_common(arena *a, srule *r, const ynode *doc)
{
    const ynode *n;
    if ((n = ymap_get(doc, "id")) && !is_null(n)) {
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule identifier must be a string UUID");
        if (!is_uuid(n->u.s.text))
            return rule_fail(a, r, node_pos(n), "Sigma rule identifier must be an UUID");
        r->id = n->u.s.text;
    }
    if ((n = ymap_get(doc, "name")) && !is_null(n)) {
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule name must be a string");
        if (!n->u.s.len)
            return rule_fail(a, r, node_pos(n), "Sigma rule name must not be empty");
        r->name = n->u.s.text;
    }
    if ((n = ymap_get(doc, "taxonomy")) && !is_null(n)) {
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule taxonomy must be a string");
        if (!n->u.s.len)
            return rule_fail(a, r, node_pos(n), "Sigma rule taxonomy must not be empty");
    }
    if ((n = ymap_get(doc, "related")) && !is_null(n)) {
        static const char *const types[] = {"derived", "obsolete", "merged", "renamed", "similar", "correlation"};
        if (n->kind != YN_SEQ)
            return rule_fail(a, r, node_pos(n), "Sigma rule related must be a list");
        for (size_t i = 0; i < n->u.seq.n; i++) {
            const ynode *it = n->u.seq.items[i];
            if (it->kind != YN_MAP)
                return rule_fail(a, r, node_pos(it), "Sigma related items must be maps with an id and type field");
            const ynode *rid = ymap_get(it, "id"), *rt = ymap_get(it, "type");
            if (!rid)
                return rule_fail(a, r, node_pos(it), "Sigma related must have an id field");
            if (!rt)
                return rule_fail(a, r, node_pos(it), "Sigma related must have a type field");
            if (!is_str(rid))
                return rule_fail(a, r, node_pos(rid), "Sigma related identifier must be a string UUID");
            if (!is_uuid(rid->u.s.text))
                return rule_fail(a, r, node_pos(rid), "Sigma related identifier must be an UUID");
            if (!is_str(rt))
                return rule_fail(a, r, node_pos(rt), "Sigma related type must be a string");
            size_t k;
            for (k = 0; k < sizeof types / sizeof *types; k++)
                if (lower_eq(rt->u.s.text, types[k]))
                    break;
            if (k == sizeof types / sizeof *types)
                return rule_fail(a, r, node_pos(rt), "%s is not a Sigma related valid type", rt->u.s.text);
        }
    }
    if ((n = ymap_get(doc, "level")) && !is_null(n)) {
        static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule level must be a string");
        size_t k;
        for (k = 0; k < 5; k++)
            if (lower_eq(n->u.s.text, levels[k]))
                break;
        if (k == 5)
            return rule_fail(a, r, node_pos(n), "'%s' is not a valid Sigma rule level", n->u.s.text);
        r->level = n->u.s.text;
    }
    if ((n = ymap_get(doc, "status")) && !is_null(n)) {
        static const char *const st[] = {"unsupported", "deprecated", "experimental", "test", "stable"};
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule status must be a string");
        size_t k;
        for (k = 0; k < 5; k++)
            if (lower_eq(n->u.s.text, st[k]))
                break;
        if (k == 5)
            return rule_fail(a, r, node_pos(n), "'%s' is not a valid Sigma rule status", n->u.s.text);
        r->status = n->u.s.text;
    }
    if ((n = ymap_get(doc, "tags")) && !is_null(n)) {
        if (n->kind != YN_SEQ)
            return rule_fail(a, r, node_pos(n), "Sigma tags fields must be a list");
        const char **v = arena_alloc(a, sizeof *v * (n->u.seq.n + 1));
        for (size_t i = 0; i < n->u.seq.n; i++) {
            const ynode *t = n->u.seq.items[i];
            if (!is_str(t))
                return rule_fail(a, r, node_pos(t), "Sigma rule tags must be a list of strings");
            if (!strchr(t->u.s.text, '.'))
                return rule_fail(a, r, node_pos(t),
                                 "Sigma tag must start with namespace separated with dot from remaining tag.");
            v[i] = t->u.s.text;
        }
        r->tags = v;
        r->ntags = n->u.seq.n;
    }
    if ((n = ymap_get(doc, "date")) && !is_null(n) && !valid_date_node(n))
        return rule_fail(a, r, node_pos(n), "Rule date '%s' is invalid, use yyyy-mm-dd",
                         n->kind == YN_SCALAR ? n->u.s.text : kind_name(n));
    if ((n = ymap_get(doc, "modified")) && !is_null(n) && !valid_date_node(n))
        return rule_fail(a, r, node_pos(n), "Rule modified '%s' is invalid, use yyyy-mm-dd",
                         n->kind == YN_SCALAR ? n->u.s.text : kind_name(n));
    if ((n = ymap_get(doc, "fields")) && !is_null(n)) {
        if (!str_list(a, r, n, &r->fields, &r->nfields, "fields"))
            return false;
    }
    if ((n = ymap_get(doc, "falsepositives")) && !is_null(n) && n->kind != YN_SEQ)
        return rule_fail(a, r, node_pos(n), "Sigma rule falsepositives must be a list");
    if ((n = ymap_get(doc, "author")) && !is_null(n)) {
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule author must be a string");
        r->author = n->u.s.text;
    }
    if ((n = ymap_get(doc, "description")) && !is_null(n)) {
        if (!is_str(n))
            return rule_fail(a, r, node_pos(n), "Sigma rule description must be a string");
        r->description = n->u.s.text;
    }
    if ((n = ymap_get(doc, "references")) && !is_null(n) && n->kind != YN_SEQ)
        return rule_fail(a, r, node_pos(n), "Sigma rule references must be a list");
    n = ymap_get(doc, "title");
    if (!n || is_null(n))
        return rule_fail(a, r, node_pos(n ? n : doc), "Sigma rule must have a title");
    if (!is_str(n))
        return rule_fail(a, r, node_pos(n), "Sigma rule title must be a string");
    if (n->u.s.len > 256)
        return rule_fail(a, r, node_pos(n), "Sigma rule title length must not exceed 256 characters");
    r->title = n->u.s.text;
    if ((n = ymap_get(doc, "scope")) && !is_null(n) && n->kind != YN_SEQ)
        return rule_fail(a, r, node_pos(n), "Sigma rule scope must be a list");
    if ((n = ymap_get(doc, "license")) && !is_null(n) && !is_str(n))
        return rule_fail(a, r, node_pos(n), "Sigma rule license must be a string");
    return true;
}

static bool parse_logsource(arena *a, srule *r, const ynode *doc, const char *what)
{
    const ynode *ls = ymap_get(doc, "logsource");
    if (!ls)
        return rule_fail(a, r, r->pos, "Sigma %s must have a log source", what);
    if (ls->kind != YN_MAP)
        return rule_fail(a, r, node_pos(ls), "Sigma logsource must be a valid YAML map");
    static const char *const keys[] = {"category", "product", "service", "definition"};
    const char **dst[] = {&r->ls.category, &r->ls.product, &r->ls.service, &r->ls.definition};
    for (int k = 0; k < 4; k++) {
        const ynode *v = ymap_get(ls, keys[k]);
        if (!v || !is_truthy(v))
            continue;
        if (v->kind != YN_SCALAR || v->u.s.type != YT_STR)
            return rule_fail(a, r, node_pos(v), "Sigma log source %s must be string", keys[k]);
        *dst[k] = v->u.s.text;
    }
    if (!r->ls.category && !r->ls.product && !r->ls.service)
        return rule_fail(a, r, node_pos(ls), "Sigma log source can't be empty");
    r->has_ls = true;
    return true;
}

/* ------------------------------------------------------------ detections */

static detection *parse_detection(arena *a, srule *r, const ynode *n, int depth);

static bool parse_item(arena *a, srule *r, detection *d, const ynode *key, const ynode *val)
{
    if (!key || key->kind != YN_SCALAR || (key->u.s.type != YT_STR && key->u.s.type != YT_NULL))
        return rule_fail(a, r, node_pos(key), "detection field name must be a string, got %s",
                         key ? kind_name(key) : "nothing");
    ditem *it = arena_alloc(a, sizeof *it);
    it->pos = node_pos(key);
    if (key->u.s.type == YT_STR) {
        /* split field|mod|mod */
        const char *s = key->u.s.text;
        const char *bar = memchr(s, '|', key->u.s.len);
        size_t flen = bar ? (size_t)(bar - s) : key->u.s.len;
        it->field = flen ? arena_strndup(a, s, flen) : NULL;
        if (bar) {
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
    }
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
    if (!modifiers_apply(a, r, it, raw, nraw, node_pos(val)))
        return false;
    delem *e = arena_grow(a, d->elems, sizeof *e, d->n, d->n + 1);
    e[d->n].item = it;
    e[d->n].sub = NULL;
    d->elems = e;
    d->n++;
    return true;
}

static bool all_scalars(const ynode *n)
{
    for (size_t i = 0; i < n->u.seq.n; i++)
        if (n->u.seq.items[i]->kind != YN_SCALAR)
            return false;
    return true;
}

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
        ynode key = {.kind = YN_SCALAR};
        key.u.s.type = YT_NULL;
        key.u.s.text = "";
        key.line = n->line;
        key.col = n->col;
        d->and_link = true;
        if (!parse_item(a, r, d, &key, n))
            return NULL;
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

static bool parse_conditions(arena *a, srule *r, const ynode *c, const char *missing)
{
    if (!c || (c->kind == YN_SEQ && c->u.seq.n == 0) || is_null(c))
        return rule_fail(a, r, node_pos(c), "%s", missing);
    if (c->kind == YN_MAP)
        return rule_fail(a, r, node_pos(c), "Sigma rule condition must be a string or a list of strings");
    size_t n = c->kind == YN_SEQ ? c->u.seq.n : 1;
    r->conds = arena_alloc(a, sizeof *r->conds * n);
    for (size_t i = 0; i < n; i++) {
        const ynode *s = c->kind == YN_SEQ ? c->u.seq.items[i] : c;
        if (s->kind != YN_SCALAR || s->u.s.type != YT_STR)
            return rule_fail(a, r, node_pos(s), "Sigma rule condition must be a string, got %s", kind_name(s));
        r->conds[i].text = s->u.s.text;
        r->conds[i].len = s->u.s.len;
        r->conds[i].pos = node_pos(s);
    }
    r->nconds = n;
    return true;
}

static bool parse_detections(arena *a, srule *r, const ynode *det, bool is_filter)
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
        if (v->kind == YN_SCALAR && v->u.s.type == YT_NULL) {
            /* `sel:` with nothing: a keyword null, error at conversion like pySigma */
        }
        nd->det = parse_detection(a, r, v, 0);
        if (!nd->det)
            return false;
        r->ndets++;
    }
    if (!r->ndets)
        return rule_fail(a, r, node_pos(det), "No detections defined in Sigma rule");
    return true;
}

static void parse_rule(arena *a, srule *r, const ynode *doc)
{
    if (!check_common(a, r, doc))
        return;
    if (!parse_logsource(a, r, doc, "rule"))
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
    if (!parse_conditions(a, r, ymap_get(det, "condition"), "Sigma rule must contain at least one condition"))
        return;
    parse_detections(a, r, det, false);
}

/* ------------------------------------------------------------ correlations */

/* `<count><unit>`, count > 0, units s m h d w M y (pySigma's table).
 * Returns 0 on success, 1 if malformed, 2 if zero, 3 if over the limit. */
static int parse_timespan(const char *s, size_t len, long long *out)
{
    long long v = 0;
    size_t i = 0;
    if (!len || !isdigit((unsigned char)s[0]))
        return 1;
    while (i < len && isdigit((unsigned char)s[i])) {
        if (v < 1000000000000LL)
            v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i + 1 != len)
        return 1;
    long long mul;
    switch (s[i]) {
    case 's': mul = 1; break;
    case 'm': mul = 60; break;
    case 'h': mul = 3600; break;
    case 'd': mul = 86400; break;
    case 'w': mul = 604800; break;
    case 'M': mul = 2629746; break;
    case 'y': mul = 31556952; break;
    default: return 1;
    }
    if (v == 0)
        return 2;
    const long long max_seconds = 100LL * 31556952; /* 100 years */
    if (v > max_seconds / mul)
        return 3;
    *out = v * mul;
    return 0;
}

/* A correlation threshold: a YAML number, or a string holding one (pySigma
 * converts with int()/float()). Finite only. */
static bool corr_number(const ynode *v, double *out)
{
    if (v->kind != YN_SCALAR)
        return false;
    if (v->u.s.type == YT_INT || v->u.s.type == YT_FLOAT) {
        *out = v->u.s.fval;
    } else if (v->u.s.type == YT_STR) {
        const char *t = v->u.s.text;
        size_t n = v->u.s.len, i = 0;
        bool digits = false;
        while (i < n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        size_t st = i;
        if (i < n && (t[i] == '-' || t[i] == '+'))
            i++;
        while (i < n && isdigit((unsigned char)t[i]))
            i++, digits = true;
        if (i < n && t[i] == '.') {
            i++;
            while (i < n && isdigit((unsigned char)t[i]))
                i++, digits = true;
        }
        size_t en = i;
        while (i < n && (t[i] == ' ' || t[i] == '\t'))
            i++;
        if (!digits || i != n || en - st > 60)
            return false;
        char buf[64];
        memcpy(buf, t + st, en - st);
        buf[en - st] = 0;
        *out = strtod(buf, NULL);
    } else {
        return false;
    }
    return *out == *out && *out - *out == 0; /* finite */
}

static const char *const corr_type_names[] = {"event_count", "value_count",  "temporal",
                                               "temporal_ordered", "value_sum", "value_avg",
                                               "value_percentile", "value_median"};

static void parse_correlation(arena *a, srule *r, const ynode *doc)
{
    if (!check_common(a, r, doc))
        return;
    const ynode *c = ymap_get(doc, "correlation");
    if (!c || c->kind != YN_MAP) {
        rule_fail(a, r, node_pos(c), "Sigma correlation rule must have a correlation map");
        return;
    }
    correlation *co = arena_alloc(a, sizeof *co);
    r->corr = co;
    const ynode *n = ymap_get(c, "type");
    if (!n || is_null(n)) {
        rule_fail(a, r, node_pos(c), "Sigma correlation rule without type");
        return;
    }
    size_t t;
    for (t = 0; t < 8; t++)
        if (n->kind == YN_SCALAR && lower_eq(n->u.s.text, corr_type_names[t]))
            break;
    if (t == 8) {
        rule_fail(a, r, node_pos(n), "'%s' is no valid Sigma correlation type",
                  n->kind == YN_SCALAR ? n->u.s.text : kind_name(n));
        return;
    }
    co->type = (corr_type)t;
    bool temporal = co->type == CT_TEMPORAL || co->type == CT_TEMPORAL_ORDERED;
    n = ymap_get(c, "rules");
    if (n && !is_null(n)) {
        if (n->kind == YN_SCALAR) {
            co->rules = arena_alloc(a, sizeof *co->rules);
            co->rule_pos = arena_alloc(a, sizeof *co->rule_pos);
            co->rules[0] = n->u.s.text;
            co->rule_pos[0] = node_pos(n);
            co->nrules = 1;
        } else if (n->kind == YN_SEQ) {
            co->rules = arena_alloc(a, sizeof *co->rules * (n->u.seq.n + 1));
            co->rule_pos = arena_alloc(a, sizeof *co->rule_pos * (n->u.seq.n + 1));
            for (size_t i = 0; i < n->u.seq.n; i++) {
                const ynode *it = n->u.seq.items[i];
                if (it->kind != YN_SCALAR) {
                    rule_fail(a, r, node_pos(it), "Rule reference must be plain string or list.");
                    return;
                }
                co->rules[i] = it->u.s.text;
                co->rule_pos[i] = node_pos(it);
            }
            co->nrules = n->u.seq.n;
        } else {
            rule_fail(a, r, node_pos(n), "Rule reference must be plain string or list.");
            return;
        }
    }
    n = ymap_get(c, "generate");
    if (n && !is_null(n)) {
        if (n->kind != YN_SCALAR || n->u.s.type != YT_BOOL) {
            rule_fail(a, r, node_pos(n), "Sigma correlation generate definition must be a boolean");
            return;
        }
        co->generate = n->u.s.bval;
    }
    n = ymap_get(c, "group-by");
    if (n && !is_null(n)) {
        if (n->kind == YN_SCALAR) {
            co->group_by = arena_alloc(a, sizeof *co->group_by);
            co->group_by[0] = n->u.s.text;
            co->ngroup_by = 1;
        } else if (n->kind == YN_SEQ) {
            co->group_by = arena_alloc(a, sizeof *co->group_by * (n->u.seq.n + 1));
            for (size_t i = 0; i < n->u.seq.n; i++) {
                if (n->u.seq.items[i]->kind != YN_SCALAR) {
                    rule_fail(a, r, node_pos(n->u.seq.items[i]), "Sigma correlation group-by definition must be string or list");
                    return;
                }
                co->group_by[i] = n->u.seq.items[i]->u.s.text;
            }
            co->ngroup_by = n->u.seq.n;
        } else {
            rule_fail(a, r, node_pos(n), "Sigma correlation group-by definition must be string or list");
            return;
        }
    }
    n = ymap_get(c, "timespan");
    if (!n || is_null(n)) {
        rule_fail(a, r, node_pos(c), "Sigma correlation rule without timespan");
        return;
    }
    int ts = n->kind == YN_SCALAR ? parse_timespan(n->u.s.text, n->u.s.len, &co->timespan) : 1;
    if (ts) {
        const char *txt = n->kind == YN_SCALAR ? n->u.s.text : kind_name(n);
        if (ts == 2)
            rule_fail(a, r, node_pos(n), "Timespan '%s' must be greater than zero.", txt);
        else if (ts == 3)
            rule_fail(a, r, node_pos(n), "Timespan '%s' is too long (limit 100 years).", txt);
        else
            rule_fail(a, r, node_pos(n),
                      "Timespan '%s' is invalid: expected a count and a unit s, m, h, d, w, M or y (e.g. 5m).",
                      txt);
        return;
    }
    co->timespan_text = n->u.s.text;
    n = ymap_get(c, "aliases");
    if (n && !is_null(n)) {
        if (n->kind != YN_MAP) {
            rule_fail(a, r, node_pos(n), "Sigma correlation aliases definition must be a dict");
            return;
        }
        co->aliases = arena_alloc(a, sizeof *co->aliases * (n->u.map.n + 1));
        for (size_t i = 0; i < n->u.map.n; i++) {
            const ynode *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
            if (v->kind != YN_MAP || k->kind != YN_SCALAR) {
                rule_fail(a, r, node_pos(v), "Sigma correlation alias mapping must be a dict");
                return;
            }
            corr_alias *al = &co->aliases[co->naliases++];
            al->alias = k->u.s.text;
            al->rules = arena_alloc(a, sizeof *al->rules * (v->u.map.n + 1));
            al->fields = arena_alloc(a, sizeof *al->fields * (v->u.map.n + 1));
            for (size_t j = 0; j < v->u.map.n; j++) {
                const ynode *rk = v->u.map.pairs[j].key, *rv = v->u.map.pairs[j].value;
                if (rk->kind != YN_SCALAR || rv->kind != YN_SCALAR) {
                    rule_fail(a, r, node_pos(rv), "Sigma correlation alias mapping must map rule names to field names");
                    return;
                }
                al->rules[j] = rk->u.s.text;
                al->fields[j] = rv->u.s.text;
            }
            al->n = v->u.map.n;
        }
    }
    n = ymap_get(c, "condition");
    if (n && !is_null(n)) {
        if (n->kind == YN_SCALAR && n->u.s.type == YT_STR) {
            if (!temporal) {
                rule_fail(a, r, node_pos(n),
                          "Extended conditions (string) can only be used with temporal or temporal_ordered correlation types");
                return;
            }
            co->ext_cond = n->u.s.text;
        } else if (n->kind != YN_MAP) {
            rule_fail(a, r, node_pos(n), "Sigma correlation condition must be a map");
            return;
        } else {
            co->has_cond = true;
            size_t o0 = 0;
            for (size_t i = 0; i < n->u.map.n; i++) {
                const ynode *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
                static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
                size_t o;
                for (o = 0; o < 6; o++)
                    if (yscalar_is(k, ops[o]))
                        break;
                if (o < 6) {
                    if (co->cond.nops == 2) {
                        rule_fail(a, r, node_pos(k), "Sigma correlation condition must have one or two operators");
                        return;
                    }
                    double d;
                    if (!corr_number(v, &d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
                        rule_fail(a, r, node_pos(v), "'%s' is no valid Sigma correlation condition count",
                                  v->kind == YN_SCALAR ? v->u.s.text : kind_name(v));
                        return;
                    }
                    if (co->cond.nops == 1) {
                        /* a range: one lower bound (gt/gte) and one upper bound (lt/lte) */
                        bool lo0 = o0 == 0 || o0 == 1, hi0 = o0 == 2 || o0 == 3;
                        bool lo1 = o == 0 || o == 1, hi1 = o == 2 || o == 3;
                        if (!((lo0 && hi1) || (hi0 && lo1))) {
                            rule_fail(a, r, node_pos(k),
                                      "Sigma correlation condition with two operators must be a range: one of gt/gte "
                                      "and one of lt/lte");
                            return;
                        }
                    }
                    o0 = o;
                    co->cond.op[co->cond.nops] = ops[o];
                    co->cond.val[co->cond.nops] = d;
                    co->cond.num[co->cond.nops] = snum_format(a, d);
                    co->cond.nops++;
                } else if (yscalar_is(k, "field")) {
                    if (v->kind == YN_SCALAR) {
                        co->cond.fields = arena_alloc(a, sizeof *co->cond.fields);
                        co->cond.fields[0] = v->u.s.text;
                        co->cond.nfields = 1;
                    } else if (v->kind == YN_SEQ && all_scalars(v)) {
                        co->cond.fields = arena_alloc(a, sizeof *co->cond.fields * (v->u.seq.n + 1));
                        for (size_t j = 0; j < v->u.seq.n; j++)
                            co->cond.fields[j] = v->u.seq.items[j]->u.s.text;
                        co->cond.nfields = v->u.seq.n;
                    } else {
                        rule_fail(a, r, node_pos(v), "Sigma correlation condition field must be a string or list");
                        return;
                    }
                } else if (yscalar_is(k, "percentile")) {
                    double d;
                    if (!corr_number(v, &d) || d < 0 || d > 100) {
                        rule_fail(a, r, node_pos(v), "'%s' is no valid Sigma correlation condition percentile "
                                  "(expected a number from 0 to 100)",
                                  v->kind == YN_SCALAR ? v->u.s.text : kind_name(v));
                        return;
                    }
                    co->cond.percentile = snum_format(a, d);
                } else {
                    rule_fail(a, r, node_pos(k), "Sigma correlation condition contains invalid items: %s",
                              k->kind == YN_SCALAR ? k->u.s.text : kind_name(k));
                    return;
                }
            }
            if (co->cond.nops == 0) {
                rule_fail(a, r, node_pos(n),
                          "Sigma correlation condition must have one condition item (gt, gte, lt, lte, eq or neq) "
                          "or a range of two");
                return;
            }
        }
    } else if (!temporal) {
        rule_fail(a, r, node_pos(c), "Non-temporal Sigma correlation rule without condition");
        return;
    }
    if (!co->nrules && !co->ext_cond) {
        rule_fail(a, r, node_pos(c), "Sigma correlation rule without rule references");
        return;
    }
    static const char *const nofield[] = {
        NULL, "Value count correlation rule without field reference", NULL, NULL,
        "Value sum correlation rule without field reference", "Value average correlation rule without field reference",
        "Value percentile correlation rule without field reference", "Value median correlation rule without field reference"};
    if (nofield[co->type] && co->cond.nfields == 0) {
        rule_fail(a, r, node_pos(ymap_get(c, "condition")), "%s", nofield[co->type]);
        return;
    }
    if (nofield[co->type] && co->cond.nfields > 1) {
        const ynode *f = ymap_get(ymap_get(c, "condition"), "field");
        rule_fail(a, r, node_pos(f), "Sigma correlation condition field must name one field (%zu given)",
                  co->cond.nfields);
        return;
    }
    if (co->type == CT_VALUE_PERCENTILE && !co->cond.percentile) {
        rule_fail(a, r, node_pos(ymap_get(c, "condition")),
                  "Value percentile correlation rule without percentile (e.g. percentile: 95)");
        return;
    }
}

/* ------------------------------------------------------------ filters */

static void parse_filter(arena *a, srule *r, const ynode *doc)
{
    if (!check_common(a, r, doc))
        return;
    if (!parse_logsource(a, r, doc, "filter"))
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
    fd->cond.text = c->u.s.text;
    fd->cond.len = c->u.s.len;
    fd->cond.pos = node_pos(c);
    parse_detections(a, r, f, true);
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
