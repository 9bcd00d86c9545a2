/* apply.c - processing items applied to one rule: conditions, then the
 * transformation, in pipeline order (pySigma's ProcessingPipeline.apply).
 *
 * The rule is edited in place. Its detections, conditions and field lists
 * are copied first, so that parts shared with other rules (global/repeat
 * documents, filters) are never changed twice. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

struct actx {
    pipeline_set *ps;
    arena *a;
    srule *r;
    pstate *st;
    /* field name tracking (pySigma field_name_applied_ids): pairs */
    const char **tf, **tid;
    size_t nt, capt;
    /* field mappings (strict_field_mapping_failure): sources and targets */
    const char **msrc, **mtgt;
    size_t nmsrc, nmtgt;
    /* set_custom_attribute */
    const char **ck;
    const ynode **cv;
    size_t nc;
    bool dropped;
    bool failed;
    /* the value transformation fn_values runs */
    bool (*val_fn)(struct actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
};

/* ---- small helpers ---------------------------------------------------------- */

static bool afail(actx *c, spos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static bool afail(actx *c, spos pos, const char *fmt, ...)
{
    c->failed = true;
    if (c->r->error)
        return false;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    rule_fail(c->a, c->r, pos, "%s", buf);
    return false;
}

static void push_str(arena *a, const char ***arr, size_t *n, const char *s)
{
    const char **v = arena_grow(a, (void *)*arr, sizeof **arr, *n, *n + 1);
    v[*n] = s;
    *arr = v;
    (*n)++;
}

static bool has_str(const char *const *arr, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (arr[i] && s && strcmp(arr[i], s) == 0)
            return true;
    return false;
}

static bool streq_n(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

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

/* ---- state ------------------------------------------------------------------------ */

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

static bool parse_num(const char *s, double *d)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    return *end == 0 && isfinite(*d);
}

static bool op_result(pop op, int c)
{
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_GTE: return c >= 0;
    case OP_GT: return c > 0;
    case OP_LTE: return c <= 0;
    case OP_LT: return c < 0;
    default: return false;
    }
}

static bool match_state(actx *c, const pstate *st, const pcond *pc)
{
    const char *v = NULL;
    bool found = false;
    for (size_t i = 0; st && i < st->n; i++)
        if (strcmp(st->keys[i], pc->name) == 0) {
            v = st->vals[i];
            found = true;
        }
    if (!found)
        return false;
    const ynode *want = pc->value;
    if (!v || want->u.s.type == YT_NULL) {
        bool eq = !v && want->u.s.type == YT_NULL;
        return pc->op == OP_EQ ? eq : pc->op == OP_NE ? !eq : false;
    }
    if (want->u.s.type == YT_INT || want->u.s.type == YT_FLOAT || want->u.s.type == YT_BOOL) {
        double a, b = want->u.s.type == YT_BOOL ? (want->u.s.bval ? 1 : 0) : want->u.s.fval;
        if (want->u.s.type == YT_INT && !want->u.s.int_big)
            b = (double)want->u.s.ival;
        if (!parse_num(v, &a)) {
            if (want->u.s.type == YT_BOOL && (strcmp(v, "True") == 0 || strcmp(v, "False") == 0))
                a = v[0] == 'T';
            else
                return pc->op == OP_NE;
        }
        return op_result(pc->op, a < b ? -1 : a > b ? 1 : 0);
    }
    (void)c;
    return op_result(pc->op, strcmp(v, want->u.s.text));
}

/* ---- value comparison --------------------------------------------------------------- */

static bool sstr_equal(const sstr *x, const sstr *y)
{
    if (x->n != y->n)
        return false;
    for (size_t i = 0; i < x->n; i++) {
        if (x->parts[i].kind != y->parts[i].kind || x->parts[i].n != y->parts[i].n)
            return false;
        if (x->parts[i].n && memcmp(x->parts[i].s, y->parts[i].s, x->parts[i].n) != 0)
            return false;
    }
    return true;
}

/* pySigma: value == sigma_type(yaml value) */
static bool value_equals(arena *a, const svalue *v, const ynode *want)
{
    switch (want->u.s.type) {
    case YT_STR:
    case YT_DATE: {
        if (v->kind != SV_STR)
            return false;
        sstr w = sstr_normalize(a, sstr_parse(a, want->u.s.text, want->u.s.len));
        sstr x = sstr_normalize(a, v->str);
        return sstr_equal(&x, &w);
    }
    case YT_INT:
    case YT_FLOAT: {
        if (v->kind != SV_NUM)
            return false;
        double d = want->u.s.type == YT_INT && !want->u.s.int_big ? (double)want->u.s.ival : want->u.s.fval;
        return v->num.d == d;
    }
    case YT_BOOL:
        return v->kind == SV_BOOL && v->b == want->u.s.bval;
    case YT_NULL:
        return v->kind == SV_NULL;
    }
    return false;
}

/* ---- regex helpers ---------------------------------------------------------------- */

static bool re_match_start(pcre2_code *re, const char *s, size_t n)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re, (PCRE2_SPTR)(n ? s : ""), n, 0, PCRE2_ANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ---- condition evaluation ------------------------------------------------------- */

/* The rules a correlation refers to: every rule of the run when the
 * caller gave them (pipeline_set_rules), else those applied so far. */
static const srule *find_ref(const pipeline_set *ps, const char *ref)
{
    return rule_list_find(ps->all ? ps->all : &ps->seen, ref);
}

static bool logsource_rule(const pipeline_set *ps, const pcond *pc, const srule *r, int depth)
{
    if (r->type != RT_CORRELATION)
        return logsource_matches(&pc->ls, &r->ls);
    if (!r->corr || depth > 16)
        return false;
    for (size_t i = 0; i < r->corr->nrules; i++) {
        const srule *ref = find_ref(ps, r->corr->rules[i]);
        if (ref && ref != r && logsource_rule(ps, pc, ref, depth + 1))
            return true;
    }
    return false;
}

static bool det_find(arena *a, const detection *d, const pcond *pc, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            if (depth < 512 && det_find(a, d->elems[i].sub, pc, depth + 1))
                return true;
            continue;
        }
        const ditem *it = d->elems[i].item;
        if (!it->field || !pc->field || strcmp(it->field, pc->field) != 0)
            continue;
        if (pc->type == C_CONTAINS_FIELD)
            return true;
        for (size_t k = 0; k < it->nvals; k++)
            if (value_equals(a, it->vals[k], pc->value))
                return true;
    }
    return false;
}

static int level_rank(const char *s)
{
    static const char *const lv[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; i++)
        if (s && strcasecmp(s, lv[i]) == 0)
            return i;
    return -1;
}

static int status_rank(const char *s)
{
    static const char *const st[] = {"unsupported", "deprecated", "experimental", "test", "stable"};
    for (int i = 0; i < 5; i++)
        if (s && strcasecmp(s, st[i]) == 0)
            return i;
    return -1;
}

static bool parse_date(const char *s, long *out)
{
    int y, m, d;
    char sep1, sep2;
    if (!s || sscanf(s, "%4d%c%2d%c%2d", &y, &sep1, &m, &sep2, &d) != 5)
        return false;
    if ((sep1 != '-' && sep1 != '/') || sep1 != sep2)
        return false;
    *out = (long)y * 10000 + m * 100 + d;
    return true;
}

static bool rule_attribute(actx *c, const pcond *pc, const srule *r, bool *res)
{
    const char *attr = pc->name;
    const ynode *v = NULL;
    for (size_t i = c->nc; i-- > 0;)
        if (strcmp(c->ck[i], attr) == 0) {
            v = c->cv[i];
            break;
        }
    if (!v)
        v = r->doc ? ymap_get(r->doc, attr) : NULL;
    const ynode *want = pc->value;
    const char *wtext = pl_scalar_str(c->a, want);
    *res = false;
    if (strcmp(attr, "tags") == 0 && r->ntags) {
        bool in = has_str(r->tags, r->ntags, wtext);
        *res = pc->op == OP_IN ? in : pc->op == OP_NOT_IN ? !in : pc->op == OP_NE;
        return true;
    }
    if (!v || (v->kind == YN_SCALAR && v->u.s.type == YT_NULL))
        return true; /* absent attribute: no match */
    if (v->kind == YN_SEQ) {
        bool in = false;
        for (size_t i = 0; i < v->u.seq.n; i++) {
            const ynode *e = v->u.seq.items[i];
            if (e->kind == YN_SCALAR && wtext && strcmp(pl_scalar_str(c->a, e), wtext) == 0)
                in = true;
        }
        *res = pc->op == OP_IN ? in : pc->op == OP_NOT_IN ? !in : pc->op == OP_NE;
        return true;
    }
    if (v->kind == YN_MAP)
        return afail(c, r->pos, "rule_attribute condition: attribute '%s' is a mapping, which cannot be compared",
                     attr);
    if (pc->op == OP_IN || pc->op == OP_NOT_IN)
        return afail(c, r->pos, "rule_attribute condition: op '%s' needs a list attribute, but '%s' is a single value",
                     pc->op == OP_IN ? "in" : "not_in", attr);
    int cmp;
    if (strcmp(attr, "level") == 0 || strcmp(attr, "status") == 0) {
        bool lvl = attr[0] == 'l';
        int a = lvl ? level_rank(v->u.s.text) : status_rank(v->u.s.text);
        int b = lvl ? level_rank(wtext) : status_rank(wtext);
        if (b < 0)
            return afail(c, r->pos, "rule_attribute condition: invalid Sigma %s '%s'", lvl ? "severity level" : "status",
                         wtext ? wtext : "");
        cmp = a < b ? -1 : a > b;
    } else if (strcmp(attr, "date") == 0 || strcmp(attr, "modified") == 0 || v->u.s.type == YT_DATE) {
        long a, b;
        if (want->u.s.type != YT_STR && want->u.s.type != YT_DATE)
            return afail(c, r->pos, "rule_attribute condition: '%s' must be a date (YYYY-MM-DD)", wtext);
        if (!parse_date(want->u.s.text, &b))
            return afail(c, r->pos, "rule_attribute condition: invalid date format '%s'", want->u.s.text);
        if (!parse_date(v->u.s.text, &a))
            return true;
        cmp = a < b ? -1 : a > b;
    } else if (v->u.s.type == YT_INT || v->u.s.type == YT_FLOAT || v->u.s.type == YT_BOOL) {
        double a = v->u.s.type == YT_BOOL ? v->u.s.bval : v->u.s.type == YT_INT && !v->u.s.int_big ? (double)v->u.s.ival : v->u.s.fval;
        double b;
        if (!parse_num(wtext, &b))
            return afail(c, r->pos, "rule_attribute condition: invalid number format '%s'", wtext ? wtext : "");
        cmp = a < b ? -1 : a > b;
    } else {
        if (pc->op != OP_EQ && pc->op != OP_NE)
            return afail(c, r->pos, "rule_attribute condition: only eq and ne compare strings (attribute '%s')", attr);
        bool eq = (want->u.s.type == YT_STR || want->u.s.type == YT_DATE) && strcmp(v->u.s.text, want->u.s.text) == 0;
        cmp = eq ? 0 : 1;
    }
    *res = op_result(pc->op, cmp);
    return true;
}

static bool rule_cond(actx *c, const pcond *pc, const srule *r, const pstate *st, bool *res)
{
    *res = false;
    switch (pc->type) {
    case C_LOGSOURCE:
        *res = logsource_rule(c->ps, pc, r, 0);
        return true;
    case C_CONTAINS_DETECTION_ITEM:
    case C_CONTAINS_FIELD:
        if (r->type == RT_RULE)
            for (size_t i = 0; i < r->ndets && !*res; i++)
                *res = det_find(c->a, r->dets[i].det, pc, 0);
        return true;
    case C_PROCESSING_ITEM_APPLIED:
        *res = has_str(r->applied, r->napplied, pc->name);
        return true;
    case C_PROCESSING_STATE:
        *res = match_state(c, st, pc);
        return true;
    case C_IS_SIGMA_RULE:
        *res = r->type == RT_RULE;
        return true;
    case C_IS_SIGMA_CORRELATION_RULE:
        *res = r->type == RT_CORRELATION;
        return true;
    case C_RULE_ATTRIBUTE:
        return rule_attribute(c, pc, r, res);
    case C_TAG:
        *res = has_str(r->tags, r->ntags, pc->name);
        return true;
    default:
        return true;
    }
}

static bool value_cond(actx *c, const pcond *pc, const svalue *v)
{
    switch (pc->type) {
    case C_MATCH_STRING: {
        bool m = false;
        if (v->kind == SV_STR) {
            const char *t = sstr_sigma(c->a, &v->str);
            m = re_match_start(pc->re, t, strlen(t));
        }
        return pc->negate ? !m : m;
    }
    case C_MATCH_VALUE:
        return value_equals(c->a, v, pc->value);
    case C_CONTAINS_WILDCARD:
        return v->kind == SV_STR && sstr_has_wildcard(&v->str);
    case C_IS_NULL:
        return v->kind == SV_NULL;
    default:
        return false;
    }
}

static bool det_cond(actx *c, const pcond *pc, const ditem *it)
{
    switch (pc->type) {
    case C_PROCESSING_ITEM_APPLIED:
        return has_str(it->applied, it->napplied, pc->name);
    case C_PROCESSING_STATE:
        return match_state(c, c->st, pc);
    default: {
        bool acc = pc->all;
        for (size_t i = 0; i < it->nvals; i++) {
            bool m = value_cond(c, pc, it->vals[i]);
            if (pc->all && !m)
                return false;
            if (!pc->all && m)
                return true;
        }
        return acc;
    }
    }
}

static bool field_tracked(const actx *c, const char *field, const char *id)
{
    if (!field)
        return false;
    for (size_t i = 0; i < c->nt; i++)
        if (strcmp(c->tf[i], field) == 0 && strcmp(c->tid[i], id) == 0)
            return true;
    return false;
}

static bool field_name_cond(actx *c, const pcond *pc, const char *field)
{
    switch (pc->type) {
    case C_INCLUDE_FIELDS:
    case C_EXCLUDE_FIELDS: {
        bool m = false;
        if (field) {
            for (size_t i = 0; i < pc->nfields && !m; i++)
                m = pc->res ? re_match_start(pc->res[i], field, strlen(field)) : strcmp(pc->fields[i], field) == 0;
        }
        return pc->type == C_INCLUDE_FIELDS ? m : !m;
    }
    case C_PROCESSING_ITEM_APPLIED:
        return field_tracked(c, field, pc->name);
    case C_PROCESSING_STATE:
        return match_state(c, c->st, pc);
    default:
        return false;
    }
}

/* FieldNameProcessingCondition.match_value: only field references match */
static bool field_value_cond(actx *c, const pcond *pc, const svalue *v)
{
    if (pc->type == C_PROCESSING_STATE)
        return match_state(c, c->st, pc);
    return v->kind == SV_FIELDREF && field_name_cond(c, pc, v->ref);
}

static bool field_item_cond(actx *c, const pcond *pc, const ditem *it)
{
    if (pc->type == C_PROCESSING_ITEM_APPLIED)
        return has_str(it->applied, it->napplied, pc->name);
    if (field_name_cond(c, pc, it->field))
        return true;
    for (size_t i = 0; i < it->nvals; i++)
        if (field_value_cond(c, pc, it->vals[i]))
            return true;
    return false;
}

static bool eval_expr(const cnode *e, const condset *cs, const bool *res)
{
    switch (e->kind) {
    case CN_AND: return eval_expr(e->l, cs, res) && eval_expr(e->r, cs, res);
    case CN_OR: return eval_expr(e->l, cs, res) || eval_expr(e->r, cs, res);
    case CN_NOT: return !eval_expr(e->l, cs, res);
    case CN_ID:
        for (size_t i = 0; i < cs->n; i++)
            if (strcmp(cs->names[i], e->name) == 0)
                return res[i];
        return false;
    default: return false;
    }
}

/* Combines per-condition results (and/or or the expression), then `not`. */
static bool combine(const condset *cs, const bool *res)
{
    bool v;
    if (cs->expr) {
        v = eval_expr(cs->expr, cs, res);
    } else {
        v = !cs->or_link;
        for (size_t i = 0; i < cs->n; i++) {
            if (cs->or_link && res[i]) {
                v = true;
                break;
            }
            if (!cs->or_link && !res[i]) {
                v = false;
                break;
            }
        }
    }
    return cs->neg ? !v : v;
}

static bool rule_conds_match(actx *c, const pitem *it, srule *r, const pstate *st, bool *ok)
{
    *ok = true;
    const condset *cs = &it->rc;
    if (!cs->n)
        return true;
    bool stack[16];
    bool *res = cs->n <= 16 ? stack : arena_alloc(c->a, sizeof *res * cs->n);
    for (size_t i = 0; i < cs->n; i++)
        if (!rule_cond(c, cs->c[i], r, st, &res[i])) {
            *ok = false;
            return false;
        }
    return combine(cs, res);
}

/* ProcessingItem.match_detection_item: detection item and field name conditions */
static bool item_match(actx *c, const pitem *it, const ditem *d)
{
    bool stack[16];
    const condset *dc = &it->dc, *fc = &it->fc;
    bool *res = dc->n <= 16 ? stack : arena_alloc(c->a, sizeof *res * dc->n);
    for (size_t i = 0; i < dc->n; i++)
        res[i] = det_cond(c, dc->c[i], d);
    if (!combine(dc, res))
        return false;
    res = fc->n <= 16 ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = field_item_cond(c, fc->c[i], d);
    return combine(fc, res);
}

/* ProcessingItem.match_field_name */
static bool field_match(actx *c, const pitem *it, const char *field)
{
    bool stack[16];
    const condset *fc = &it->fc;
    bool *res = fc->n <= 16 ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = field_name_cond(c, fc->c[i], field);
    return combine(fc, res);
}

/* ProcessingItem.match_field_in_value (field references) */
static bool field_value_match(actx *c, const pitem *it, const svalue *v)
{
    if (v->kind != SV_FIELDREF)
        return false;
    bool stack[16];
    const condset *fc = &it->fc;
    bool *res = fc->n <= 16 ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = fc->expr ? field_name_cond(c, fc->c[i], v->ref) : field_value_cond(c, fc->c[i], v);
    return combine(fc, res);
}

/* ---- field names ---------------------------------------------------------------------- */

static void mark_item(actx *c, ditem *d, const pitem *it)
{
    if (it->id && !has_str(d->applied, d->napplied, it->id))
        push_str(c->a, &d->applied, &d->napplied, it->id);
}

static void track_fields(actx *c, const char *src, const char *const *dst, size_t n, const char *id)
{
    if (n == 1 && streq_n(src, dst[0]))
        return;
    const char **ids = NULL;
    size_t nids = 0;
    size_t k = 0;
    for (size_t i = 0; i < c->nt; i++) {
        if (src && strcmp(c->tf[i], src) == 0) {
            push_str(c->a, &ids, &nids, c->tid[i]);
            continue;
        }
        c->tf[k] = c->tf[i];
        c->tid[k] = c->tid[i];
        k++;
    }
    c->nt = k;
    if (id && !has_str(ids, nids, id))
        push_str(c->a, &ids, &nids, id);
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < nids; i++) {
            if (c->nt == c->capt) {
                size_t nc = c->capt ? c->capt * 2 : 32;
                c->tf = arena_grow(c->a, (void *)c->tf, sizeof *c->tf, c->capt, nc);
                c->tid = arena_grow(c->a, (void *)c->tid, sizeof *c->tid, c->capt, nc);
                c->capt = nc;
            }
            c->tf[c->nt] = dst[j];
            c->tid[c->nt] = ids[i];
            c->nt++;
        }
    }
}

/* The transformation's own mapping of a field: NULL when it does not map it. */
static const char **map_field(actx *c, const pitem *it, const char *field, size_t *n, bool *is_list)
{
    *is_list = false;
    switch (it->type) {
    case T_FIELD_NAME_MAPPING:
        for (size_t i = 0; i < it->map.n; i++)
            if (streq_n(it->map.keys[i], field)) {
                *n = it->map.nvals[i];
                *is_list = it->map.is_list[i];
                return it->map.vals[i];
            }
        return NULL;
    case T_FIELD_NAME_PREFIX_MAPPING:
        if (!field)
            return NULL;
        for (size_t i = 0; i < it->map.n; i++) {
            size_t pl = strlen(it->map.keys[i]);
            if (strncmp(field, it->map.keys[i], pl) == 0) {
                const char **r = arena_alloc(c->a, sizeof *r * it->map.nvals[i]);
                for (size_t j = 0; j < it->map.nvals[i]; j++)
                    r[j] = arena_printf(c->a, "%s%s", it->map.vals[i][j], field + pl);
                *n = it->map.nvals[i];
                *is_list = it->map.is_list[i];
                return r;
            }
        }
        return NULL;
    case T_FIELD_NAME_PREFIX:
    case T_FIELD_NAME_SUFFIX: {
        if (!field)
            return NULL;
        const char **r = arena_alloc(c->a, sizeof *r);
        r[0] = it->type == T_FIELD_NAME_PREFIX ? arena_printf(c->a, "%s%s", it->prefix, field)
                                               : arena_printf(c->a, "%s%s", field, it->suffix);
        *n = 1;
        return r;
    }
    default:
        return NULL;
    }
}

/* FieldMappingTransformationBase._apply_field_name */
static const char **apply_field_name(actx *c, const pitem *it, const char *field, size_t *n)
{
    bool lst;
    const char **m = map_field(c, it, field, n, &lst);
    if (m && field_match(c, it, field)) {
        track_fields(c, field, m, *n, it->id);
        return m;
    }
    const char **r = arena_alloc(c->a, sizeof *r);
    r[0] = field;
    *n = 1;
    return r;
}

static void note_mapping(actx *c, const char *src, const char *const *dst, size_t n)
{
    if (src && !has_str(c->msrc, c->nmsrc, src))
        push_str(c->a, &c->msrc, &c->nmsrc, src);
    for (size_t i = 0; i < n; i++)
        if (!has_str(c->mtgt, c->nmtgt, dst[i]))
            push_str(c->a, &c->mtgt, &c->nmtgt, dst[i]);
}

static bool map_one_field(actx *c, const pitem *it, const char *in, const char **out, spos pos, const char *what)
{
    size_t n;
    const char **m = apply_field_name(c, it, in, &n);
    if (n != 1)
        return afail(c, pos,
                     "field name mapping of '%s' gives several fields, which the correlation %s cannot use", in,
                     what);
    *out = m[0];
    return true;
}

static bool map_rule_fields(actx *c, const pitem *it)
{
    srule *r = c->r;
    const char **nf = NULL;
    size_t nn = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        size_t n;
        const char **m = apply_field_name(c, it, r->fields[i], &n);
        for (size_t j = 0; j < n; j++)
            push_str(c->a, &nf, &nn, m[j]);
    }
    r->fields = nf;
    r->nfields = nn;
    correlation *k = r->corr;
    if (r->type != RT_CORRELATION || !k)
        return true;
    if (k->ngroup_by) {
        for (size_t i = 0; i < k->naliases; i++)
            for (size_t j = 0; j < k->aliases[i].n; j++)
                if (!map_one_field(c, it, k->aliases[i].e[j].field, &k->aliases[i].e[j].field, r->pos, "alias"))
                    return false;
        cfield *g = NULL;
        size_t ng = 0;
        for (size_t i = 0; i < k->ngroup_by; i++) {
            bool alias = false;
            for (size_t j = 0; j < k->naliases; j++)
                if (strcmp(k->aliases[j].alias, k->group_by[i].name) == 0)
                    alias = true;
            size_t n = 1;
            const char **m = alias ? &k->group_by[i].name : apply_field_name(c, it, k->group_by[i].name, &n);
            g = arena_grow(c->a, g, sizeof *g, ng, ng + n);
            for (size_t j = 0; j < n; j++)
                g[ng++] = (cfield){m[j], k->group_by[i].pos};
        }
        k->group_by = g;
        k->ngroup_by = ng;
    }
    for (size_t i = 0; i < k->cond.nfields; i++)
        if (!map_one_field(c, it, k->cond.fields[i], &k->cond.fields[i], r->pos, "condition"))
            return false;
    return true;
}

/* ---- detection item walking ------------------------------------------------------------ */

/* Called for every matching item; may replace the element. <0 error, 0 no
 * change, >0 changed (the transformation marks what it changed). */
typedef int (*item_fn)(actx *c, const pitem *it, delem *e);

static bool walk_det(actx *c, const pitem *it, detection *d, item_fn fn, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        delem *e = &d->elems[i];
        if (e->sub) {
            if (depth < 512 && !walk_det(c, it, e->sub, fn, depth + 1))
                return false;
            continue;
        }
        if (!item_match(c, it, e->item))
            continue;
        if (fn(c, it, e) < 0)
            return false;
    }
    return true;
}

static bool walk_rule(actx *c, const pitem *it, item_fn fn)
{
    if (c->r->type != RT_RULE)
        return true;
    for (size_t i = 0; i < c->r->ndets; i++)
        if (!walk_det(c, it, c->r->dets[i].det, fn, 0))
            return false;
    return true;
}

static detection *or_of_items(actx *c, ditem **items, size_t n, spos pos)
{
    detection *d = arena_alloc(c->a, sizeof *d);
    d->and_link = false;
    d->pos = pos;
    d->elems = arena_alloc(c->a, sizeof *d->elems * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        d->elems[i].item = items[i];
    d->n = n;
    return d;
}

static int fn_field_mapping(actx *c, const pitem *it, delem *e)
{
    ditem *d = e->item;
    const char *src = d->field;
    bool ref_match = false;
    /* field references in values */
    svalue **nv = NULL;
    size_t nnv = 0;
    for (size_t i = 0; i < d->nvals; i++) {
        svalue *v = d->vals[i];
        if (v->kind == SV_FIELDREF && field_value_match(c, it, v)) {
            size_t n;
            const char **m = apply_field_name(c, it, v->ref, &n);
            for (size_t j = 0; j < n; j++) {
                svalue *x = sv_new(c->a, SV_FIELDREF);
                *x = *v;
                x->ref = m[j];
                nv = arena_grow(c->a, nv, sizeof *nv, nnv, nnv + 1);
                nv[nnv++] = x;
            }
            ref_match = true;
        } else {
            nv = arena_grow(c->a, nv, sizeof *nv, nnv, nnv + 1);
            nv[nnv++] = v;
        }
    }
    if (ref_match) {
        d->vals = nv;
        d->nvals = nnv;
    }
    size_t n;
    bool is_list;
    const char **m = map_field(c, it, src, &n, &is_list);
    bool fmatch = m && field_match(c, it, src);
    if (fmatch) {
        if (!src) {
            /* keyword -> field: keep the keyword meaning (substring match) */
            sstr star = sstr_star();
            for (size_t i = 0; i < d->nvals; i++) {
                svalue *v = d->vals[i];
                if (v->kind != SV_STR)
                    continue;
                svalue *x = sv_new(c->a, SV_STR);
                *x = *v;
                if (!sstr_starts_star(&x->str))
                    x->str = sstr_concat(c->a, &star, &x->str);
                if (!sstr_ends_star(&x->str))
                    x->str = sstr_concat(c->a, &x->str, &star);
                d->vals[i] = x;
            }
            d->keyword_from_map = true;
        }
        if (!is_list) {
            d->field = m[0];
            mark_item(c, d, it);
        } else {
            ditem **copies = arena_alloc(c->a, sizeof *copies * n);
            for (size_t j = 0; j < n; j++) {
                copies[j] = ditem_copy(c->a, d);
                copies[j]->field = m[j];
                mark_item(c, copies[j], it);
            }
            e->item = NULL;
            e->sub = or_of_items(c, copies, n, d->pos);
        }
    } else if (ref_match) {
        mark_item(c, d, it);
    }
    if (!fmatch && !ref_match)
        return 0;
    if (m)
        note_mapping(c, src, m, n);
    return 1;
}

static int fn_drop(actx *c, const pitem *it, delem *e)
{
    (void)it;
    e->item = NULL;
    e->sub = NULL; /* removed by prune() */
    c->dropped = true;
    return 1;
}

static int fn_failure(actx *c, const pitem *it, delem *e)
{
    afail(c, e->item->pos, "%s", it->message);
    return -1;
}

/* hashes_fields: Hashes: 'SHA1=...' -> SHA1: '...' (OR of one item per algorithm) */
static int fn_hashes(actx *c, const pitem *it, delem *e)
{
    ditem *d = e->item;
    if (!d->field || !has_str(it->parse_fields, it->nparse_fields, d->field))
        return 0;
    for (size_t i = 0; i < d->nvals; i++)
        if (d->vals[i]->kind != SV_STR)
            return 0;
    const char **names = NULL;
    size_t nn = 0;
    svalue ***vals = NULL;
    size_t *nv = NULL;
    for (size_t i = 0; i < d->nvals; i++) {
        size_t len;
        char *t = sstr_text(c->a, &d->vals[i]->str, &len);
        char *sep = strchr(t, '|');
        if (!sep)
            sep = strchr(t, '=');
        const char *algo, *hv;
        char *second = sep ? strchr(sep + 1, *sep) : NULL;
        if (sep && !second) {
            *sep = 0;
            char *al = t;
            while (*al == '*')
                al++;
            for (char *p = al; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            algo = al;
            hv = sep + 1;
        } else if (!sep) {
            size_t hl = strlen(t);
            algo = hl == 32 ? "MD5" : hl == 40 ? "SHA1" : hl == 64 ? "SHA256" : hl == 128 ? "SHA512" : "";
            hv = t;
        } else {
            continue; /* more than two parts */
        }
        if (!*algo || !has_str(it->list, it->nlist, algo))
            continue;
        const char *fname = it->drop_algo_prefix ? it->prefix : arena_printf(c->a, "%s%s", it->prefix, algo);
        if (!*fname)
            continue;
        size_t k;
        for (k = 0; k < nn; k++)
            if (strcmp(names[k], fname) == 0)
                break;
        if (k == nn) {
            push_str(c->a, &names, &nn, fname);
            vals = arena_grow(c->a, vals, sizeof *vals, nn - 1, nn);
            nv = arena_grow(c->a, nv, sizeof *nv, nn - 1, nn);
        }
        vals[k] = arena_grow(c->a, vals[k], sizeof **vals, nv[k], nv[k] + 1);
        vals[k][nv[k]++] = sv_str(c->a, sstr_normalize(c->a, sstr_parse(c->a, hv, strlen(hv))));
    }
    if (!nn) {
        sbuf b = SBUF_INIT;
        for (size_t i = 0; i < it->nlist; i++)
            sb_printf(&b, "%s%s", i ? ", " : "", it->list[i]);
        afail(c, d->pos, "No valid hash algorithm found in %s field. Please use one of the following: %s", d->field,
              sb_cstr(&b));
        sb_free(&b);
        return -1;
    }
    ditem **items = arena_alloc(c->a, sizeof *items * nn);
    for (size_t k = 0; k < nn; k++) {
        ditem *x = arena_alloc(c->a, sizeof *x);
        x->field = names[k];
        x->vals = vals[k];
        x->nvals = nv[k];
        x->neg = d->neg;
        x->pos = d->pos;
        mark_item(c, x, it);
        items[k] = x;
    }
    e->item = NULL;
    e->sub = or_of_items(c, items, nn, d->pos);
    return 1;
}

/* ---- value transformations ---------------------------------------------------------- */

/* A value transformation returns NULL (keep), or a list of replacement values. */
static int fn_values(actx *c, const pitem *it, delem *e)
{
    ditem *d = e->item;
    svalue **res = NULL;
    size_t nres = 0, cap = 0;
    bool modified = false;
    for (size_t i = 0; i < d->nvals; i++) {
        svalue **out = NULL;
        size_t nout = 0;
        if (!c->val_fn(c, it, d, d->vals[i], &out, &nout))
            return -1;
        if (!out) {
            out = &d->vals[i];
            nout = 1;
        } else {
            modified = true;
        }
        if (nres + nout > SIGMA_MAX_VALUES) {
            afail(c, d->pos, "too many values after %s (limit %d)", pipeline_transformation_names[it->type],
                  SIGMA_MAX_VALUES);
            return -1;
        }
        if (nres + nout > cap) {
            size_t nc = (nres + nout) * 2;
            res = arena_grow(c->a, res, sizeof *res, cap, nc);
            cap = nc;
        }
        for (size_t j = 0; j < nout; j++)
            res[nres++] = out[j];
    }
    if (!modified)
        return 0;
    d->vals = res;
    d->nvals = nres;
    mark_item(c, d, it);
    return 1;
}

static bool one(actx *c, svalue *v, svalue ***out, size_t *nout)
{
    svalue **r = arena_alloc(c->a, sizeof *r);
    r[0] = v;
    *out = r;
    *nout = 1;
    return true;
}

static bool ph_handled(const pitem *it, const char *name)
{
    if (it->has_incl)
        return has_str(it->incl, it->nincl, name);
    if (it->has_excl)
        return !has_str(it->excl, it->nexcl, name);
    return true;
}

static bool has_handled_ph(const pitem *it, const svalue *v)
{
    if (v->kind != SV_STR)
        return false;
    for (size_t i = 0; i < v->str.n; i++)
        if (v->str.parts[i].kind == SP_PH && ph_handled(it, v->str.parts[i].s))
            return true;
    return false;
}

static bool vf_wildcard_ph(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (!has_handled_ph(it, v))
        return true;
    sstr s;
    s.n = v->str.n;
    s.parts = arena_alloc(c->a, sizeof *s.parts * s.n);
    for (size_t i = 0; i < s.n; i++) {
        s.parts[i] = v->str.parts[i];
        if (s.parts[i].kind == SP_PH && ph_handled(it, s.parts[i].s)) {
            s.parts[i].kind = SP_STAR;
            s.parts[i].s = NULL;
            s.parts[i].n = 0;
        }
    }
    svalue *x = sv_new(c->a, SV_STR);
    *x = *v;
    x->str = sstr_normalize(c->a, s);
    /* `**` is one wildcard */
    size_t k = 0;
    for (size_t i = 0; i < x->str.n; i++) {
        if (k && x->str.parts[i].kind == SP_STAR && x->str.parts[k - 1].kind == SP_STAR)
            continue;
        x->str.parts[k++] = x->str.parts[i];
    }
    x->str.n = k;
    return one(c, x, out, nout);
}

/* value list of a var for placeholder `name` (Python str() of each item) */
static bool var_values(actx *c, const ditem *d, const char *name, const char ***vals, size_t *n)
{
    pvar pv;
    if (!pl_var_get(c->ps, name, &pv))
        return afail(c, d->pos, "value_placeholders: no variable '%s' for placeholder %%%s%% (define it under vars:)",
                     name, name);
    if (pv.text) {
        const char **r = arena_alloc(c->a, sizeof *r);
        r[0] = pv.text;
        *vals = r;
        *n = 1;
        return true;
    }
    const ynode *y = pv.node;
    size_t cnt = y->kind == YN_SEQ ? y->u.seq.n : 1;
    const char **r = arena_alloc(c->a, sizeof *r * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++) {
        const ynode *e = y->kind == YN_SEQ ? y->u.seq.items[i] : y;
        if (e->kind != YN_SCALAR || e->u.s.type == YT_NULL)
            return afail(c, d->pos, "Replacement variable '%s' contains value which is not a string or number.", name);
        r[i] = pl_scalar_str(c->a, e);
    }
    *vals = r;
    *n = cnt;
    return true;
}

static bool vf_value_ph(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (!has_handled_ph(it, v))
        return true;
    /* cartesian product over the handled placeholders, first one slowest */
    size_t np = v->str.n;
    const char ***alts = arena_alloc(c->a, sizeof *alts * np);
    size_t *nalt = arena_alloc(c->a, sizeof *nalt * np);
    size_t total = 1;
    for (size_t i = 0; i < np; i++) {
        const spart *p = &v->str.parts[i];
        if (p->kind == SP_PH && ph_handled(it, p->s)) {
            if (!var_values(c, d, p->s, &alts[i], &nalt[i]))
                return false;
            if (nalt[i] == 0)
                total = 0;
            else if (total > SIGMA_MAX_EXPANSION / nalt[i] + 1)
                total = SIZE_MAX / 2;
            else
                total *= nalt[i];
        } else {
            nalt[i] = 1;
        }
    }
    if (total > SIGMA_MAX_EXPANSION)
        return afail(c, d->pos, "value_placeholders: too many combinations (limit %d)", SIGMA_MAX_EXPANSION);
    svalue **r = arena_alloc(c->a, sizeof *r * (total ? total : 1));
    size_t *idx = arena_alloc(c->a, sizeof *idx * np);
    for (size_t k = 0; k < total; k++) {
        /* mixed-radix counter, last placeholder fastest */
        size_t rem = k;
        for (size_t i = np; i-- > 0;) {
            idx[i] = rem % nalt[i];
            rem /= nalt[i];
        }
        sstr acc = {NULL, 0};
        for (size_t i = 0; i < np; i++) {
            const spart *p = &v->str.parts[i];
            sstr piece;
            if (p->kind == SP_PH && ph_handled(it, p->s)) {
                const char *t = alts[i][idx[i]];
                piece = sstr_parse(c->a, t, strlen(t));
            } else {
                piece.parts = (spart *)p;
                piece.n = 1;
            }
            acc = sstr_concat(c->a, &acc, &piece);
        }
        svalue *x = sv_new(c->a, SV_STR);
        *x = *v;
        x->str = sstr_normalize(c->a, acc);
        r[k] = x;
    }
    *out = r;
    *nout = total;
    return true;
}

static bool vf_query_ph(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind != SV_STR || !sstr_has_placeholder(&v->str))
        return true;
    if (v->str.n != 1)
        return afail(c, d->pos, "Placeholder query expression transformation only allows placeholder-only strings.");
    const char *name = v->str.parts[0].s;
    if (!ph_handled(it, name))
        return true;
    if (!d->field)
        return afail(c, d->pos, "query_expression_placeholders: placeholder %%%s%% needs a field, not a keyword", name);
    const char *id = name;
    for (size_t i = 0; i < it->map.n; i++)
        if (it->map.keys[i] && strcmp(it->map.keys[i], name) == 0 && it->map.vals[i][0][0])
            id = it->map.vals[i][0];
    /* the SQL layer fills in {field} with the item's final field, resolved
     * like every other column, and {id} */
    svalue *x = sv_new(c->a, SV_QUERY);
    x->re = it->expression;
    x->re_len = strlen(it->expression);
    x->ref = id;
    return one(c, x, out, nout);
}

/* %name% in text parts -> placeholders (after a replace_string) */
static sstr reinsert_placeholders(arena *a, sstr s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s.n; i++)
        cap += s.parts[i].kind == SP_TEXT ? s.parts[i].n + 1 : 1;
    sstr r;
    r.parts = arena_alloc(a, sizeof *r.parts * (cap ? cap : 1));
    r.n = 0;
    for (size_t i = 0; i < s.n; i++) {
        const spart *p = &s.parts[i];
        if (p->kind != SP_TEXT) {
            r.parts[r.n++] = *p;
            continue;
        }
        size_t start = 0;
        for (size_t j = 0; j < p->n; j++) {
            if (p->s[j] != '%')
                continue;
            const char *e = memchr(p->s + j + 1, '%', p->n - j - 1);
            if (!e || e == p->s + j + 1)
                continue;
            if (j > start)
                r.parts[r.n++] = (spart){SP_TEXT, p->s + start, j - start};
            size_t nl = (size_t)(e - (p->s + j + 1));
            r.parts[r.n++] = (spart){SP_PH, arena_strndup(a, p->s + j + 1, nl), nl};
            j += nl + 1;
            start = j + 1;
        }
        if (p->n > start)
            r.parts[r.n++] = (spart){SP_TEXT, p->s + start, p->n - start};
    }
    return sstr_normalize(a, r);
}

static bool vf_replace(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    sstr src;
    bool was_num = v->kind == SV_NUM;
    if (v->kind == SV_STR)
        src = v->str;
    else if (was_num)
        src = sstr_plain(c->a, v->num.text, strlen(v->num.text));
    else
        return true;
    const char *msg = NULL;
    bool changed = false;
    sstr res;
    if (it->skip_special) {
        sstr acc = {NULL, 0};
        for (size_t i = 0; i < src.n; i++) {
            const spart *p = &src.parts[i];
            sstr piece = {(spart *)p, 1};
            if (p->kind == SP_TEXT) {
                size_t ol;
                bool ch = false;
                char *t = pl_resub(c->a, it->re, p->s, p->n, it->replacement, &ol, &ch, &msg);
                if (!t)
                    return afail(c, d->pos, "replace_string: %s", msg ? msg : "replacement failed");
                changed = changed || ch;
                piece = it->interpret_special ? sstr_parse(c->a, t, ol) : sstr_plain(c->a, t, ol);
            }
            acc = sstr_concat(c->a, &acc, &piece);
        }
        res = acc;
    } else {
        const char *t = sstr_sigma(c->a, &src);
        size_t ol;
        char *o = pl_resub(c->a, it->re, t, strlen(t), it->replacement, &ol, &changed, &msg);
        if (!o)
            return afail(c, d->pos, "replace_string: %s", msg ? msg : "replacement failed");
        res = sstr_parse(c->a, o, ol);
        if (sstr_has_placeholder(&src))
            res = reinsert_placeholders(c->a, res);
    }
    if (!changed)
        return true;
    svalue *x = sv_new(c->a, SV_STR);
    if (!was_num)
        *x = *v;
    x->kind = SV_STR;
    x->str = sstr_normalize(c->a, res);
    return one(c, x, out, nout);
}

static bool vf_map_string(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (v->kind != SV_STR)
        return true;
    const char *key = sstr_sigma(c->a, &v->str);
    for (size_t i = 0; i < it->map.n; i++) {
        if (strcmp(it->map.keys[i], key) != 0)
            continue;
        svalue **r = arena_alloc(c->a, sizeof *r * it->map.nvals[i]);
        for (size_t j = 0; j < it->map.nvals[i]; j++) {
            svalue *x = sv_new(c->a, SV_STR);
            *x = *v;
            x->str = sstr_normalize(c->a, sstr_parse(c->a, it->map.vals[i][j], strlen(it->map.vals[i][j])));
            r[j] = x;
        }
        *out = r;
        *nout = it->map.nvals[i];
        return true;
    }
    return true;
}

static bool make_num(actx *c, const char *t, snum *num)
{
    memset(num, 0, sizeof *num);
    while (*t == ' ' || *t == '\t')
        t++;
    char *end;
    errno = 0;
    long long i = strtoll(t, &end, 10);
    if (end != t && errno == 0) {
        const char *e = end;
        while (*e == ' ' || *e == '\t')
            e++;
        if (!*e) {
            num->is_int = true;
            num->i = i;
            num->d = (double)i;
            num->text = arena_printf(c->a, "%lld", i);
            return true;
        }
    }
    double d = strtod(t, &end);
    const char *e = end;
    while (*e == ' ' || *e == '\t')
        e++;
    if (end == t || *e || !isfinite(d))
        return false;
    num->d = d;
    num->text = snum_format(c->a, d);
    if (snum_integral(d) && fabs(d) < 9.2e18) {
        num->is_int = true;
        num->i = (long long)d;
    }
    return true;
}

/* force: 0 by YAML type, 1 string, 2 number */
static svalue *value_from_node(actx *c, const ynode *n, int force)
{
    bool is_s = n->u.s.type == YT_STR || n->u.s.type == YT_DATE;
    const char *t = is_s ? n->u.s.text : pl_scalar_str(c->a, n);
    if (force == 1 || (!force && is_s))
        return sv_str(c->a, sstr_normalize(c->a, sstr_parse(c->a, t, strlen(t))));
    if (force == 2 || n->u.s.type == YT_INT || n->u.s.type == YT_FLOAT) {
        svalue *x = sv_new(c->a, SV_NUM);
        return make_num(c, t, &x->num) ? x : NULL;
    }
    if (n->u.s.type == YT_BOOL) {
        svalue *x = sv_new(c->a, SV_BOOL);
        x->b = n->u.s.bval;
        return x;
    }
    return sv_new(c->a, SV_NULL);
}

static bool vf_set_value(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)v;
    svalue *x = value_from_node(c, it->val, it->target_type);
    if (!x)
        return afail(c, d->pos, "set_value: '%s' can't be converted to a number", it->val->u.s.text);
    return one(c, x, out, nout);
}

static bool convert_one(actx *c, const pitem *it, const ditem *d, svalue *v, svalue **res)
{
    *res = NULL;
    if (v->kind == SV_NULL)
        return true;
    if (it->target_type == 1) {
        if (v->kind == SV_NUM || v->kind == SV_BOOL) {
            const char *t = v->kind == SV_NUM ? v->num.text : v->b ? "true" : "false";
            *res = sv_str(c->a, sstr_plain(c->a, t, strlen(t)));
        }
        return true;
    }
    if (v->kind == SV_STR) {
        svalue *x = sv_new(c->a, SV_NUM);
        size_t n;
        const char *t = sstr_text(c->a, &v->str, &n);
        if (sstr_has_wildcard(&v->str) || sstr_has_placeholder(&v->str) || !make_num(c, t, &x->num))
            return afail(c, d->pos, "Value '%s' can't be converted to number", sstr_sigma(c->a, &v->str));
        *res = x;
    } else if (v->kind == SV_BOOL) {
        return afail(c, d->pos, "Value '%s' can't be converted to number", v->b ? "true" : "false");
    }
    return true;
}

static bool vf_convert(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind == SV_EXPANSION) {
        svalue *e = sv_new(c->a, SV_EXPANSION);
        *e = *v;
        e->items = arena_alloc(c->a, sizeof *e->items * (v->nitems ? v->nitems : 1));
        bool any = false;
        for (size_t i = 0; i < v->nitems; i++) {
            svalue *r;
            if (!convert_one(c, it, d, v->items[i], &r))
                return false;
            e->items[i] = r ? r : v->items[i];
            any = any || r;
        }
        return any ? one(c, e, out, nout) : true;
    }
    svalue *r;
    if (!convert_one(c, it, d, v, &r))
        return false;
    return r ? one(c, r, out, nout) : true;
}

/* Python re.escape (3.7+): only regex-special characters */
static void re_escape(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch && strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", ch))
            sb_putc(b, '\\');
        sb_putc(b, (char)ch);
    }
}

static void put_cp(sbuf *b, utf8proc_int32_t cp)
{
    utf8proc_uint8_t buf[8];
    utf8proc_ssize_t k = utf8proc_encode_char(cp, buf);
    sb_putn(b, (const char *)buf, (size_t)k);
}

static bool vf_regex(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind != SV_STR || v->str.n == 0)
        return true;
    sbuf b = SBUF_INIT;
    sb_putc(&b, '^');
    for (size_t i = 0; i < v->str.n; i++) {
        const spart *p = &v->str.parts[i];
        if (p->kind == SP_STAR) {
            sb_puts(&b, ".*");
        } else if (p->kind == SP_QMARK) {
            sb_putc(&b, '.');
        } else if (p->kind == SP_PH) {
            sb_free(&b);
            return afail(c, d->pos,
                         "Placeholder '%s' can't be converted to a regular expression. Please use a placeholder "
                         "resolution transformation before.",
                         p->s);
        } else if (it->method != 2) {
            re_escape(&b, p->s, p->n);
        } else {
            const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)p->s;
            utf8proc_ssize_t off = 0, n = (utf8proc_ssize_t)p->n;
            while (off < n) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate(s + off, n - off, &cp);
                if (k <= 0) {
                    re_escape(&b, (const char *)s + off, 1);
                    off++;
                    continue;
                }
                utf8proc_category_t cat = utf8proc_category(cp);
                bool alpha = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
                utf8proc_int32_t lo = utf8proc_tolower(cp), up = utf8proc_toupper(cp);
                if (alpha && lo != up) {
                    sb_putc(&b, '[');
                    put_cp(&b, lo);
                    put_cp(&b, up);
                    sb_putc(&b, ']');
                } else {
                    re_escape(&b, (const char *)s + off, (size_t)k);
                }
                off += k;
            }
        }
    }
    sb_putc(&b, '$');
    svalue *x = sv_new(c->a, SV_RE);
    x->re = arena_strndup(c->a, b.p, b.len);
    x->re_len = b.len;
    x->re_flags = it->method == 1 ? RE_I : 0;
    sb_free(&b);
    return one(c, x, out, nout);
}

static char *case_text(arena *a, const char *s, size_t n, int method, size_t *outlen)
{
    sbuf b = SBUF_INIT;
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t off = 0, len = (utf8proc_ssize_t)n;
    while (off < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(u + off, len - off, &cp);
        if (k <= 0) {
            sb_putc(&b, s[off]);
            off++;
            continue;
        }
        if (method == 2 && off > 0 && cp >= 'A' && cp <= 'Z')
            sb_putc(&b, '_');
        put_cp(&b, method == 1 ? utf8proc_toupper(cp) : utf8proc_tolower(cp));
        off += k;
    }
    char *r = arena_strndup(a, b.p ? b.p : "", b.len);
    *outlen = b.len;
    sb_free(&b);
    return r;
}

static bool vf_case(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (v->kind != SV_STR)
        return true;
    sstr s;
    s.n = v->str.n;
    s.parts = arena_alloc(c->a, sizeof *s.parts * (s.n ? s.n : 1));
    for (size_t i = 0; i < s.n; i++) {
        s.parts[i] = v->str.parts[i];
        if (s.parts[i].kind == SP_TEXT)
            s.parts[i].s = case_text(c->a, s.parts[i].s, s.parts[i].n, it->method, &s.parts[i].n);
    }
    svalue *x = sv_new(c->a, SV_STR);
    *x = *v;
    x->str = sstr_normalize(c->a, s);
    return one(c, x, out, nout);
}

/* ---- add_condition -------------------------------------------------------------- */

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
            mark_item(c, d->elems[i].item, it);
        else
            mark_det(c, d->elems[i].sub, it);
    }
}

static bool add_condition(actx *c, const pitem *it)
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

/* ---- detections that became empty (drop_detection_item) ------------------------- */

static bool prune(detection *d, int depth)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        delem *e = &d->elems[i];
        if (e->sub && depth < 512 && !prune(e->sub, depth + 1))
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

static bool drop_cleanup(actx *c)
{
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
        rc->ast = cond_drop(c->a, r, rc->ast);
        if (!rc->ast)
            return afail(c, rc->pos, "condition is empty: drop_detection_item removed every detection it uses");
    }
    /* the empty detections themselves go */
    size_t k = 0;
    for (size_t i = 0; i < r->ndets; i++)
        if (r->dets[i].det->n)
            r->dets[k++] = r->dets[i];
    r->ndets = k;
    return true;
}

/* ---- strict_field_mapping_failure ------------------------------------------------- */

static void collect_fields(arena *a, const detection *d, const char ***out, size_t *n, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            if (depth < 512)
                collect_fields(a, d->elems[i].sub, out, n, depth + 1);
        } else if (d->elems[i].item->field && !has_str(*out, *n, d->elems[i].item->field)) {
            push_str(a, out, n, d->elems[i].item->field);
        }
    }
}

static bool strict_check(actx *c)
{
    srule *r = c->r;
    if (r->type != RT_RULE)
        return true;
    const char **f = NULL;
    size_t nf = 0;
    for (size_t i = 0; i < r->ndets; i++)
        collect_fields(c->a, r->dets[i].det, &f, &nf, 0);
    sbuf b = SBUF_INIT;
    size_t bad = 0;
    for (size_t i = 0; i < nf; i++)
        if (!has_str(c->msrc, c->nmsrc, f[i]) && !has_str(c->mtgt, c->nmtgt, f[i]))
            sb_printf(&b, "%s%s", bad++ ? ", " : "", f[i]);
    bool ok = true;
    if (bad)
        ok = afail(c, r->pos, "The following fields are not mapped: %s", b.p);
    sb_free(&b);
    return ok;
}

/* ---- set_state ------------------------------------------------------------------------- */

static bool set_state(actx *c, const pitem *it)
{
    const ynode *v = it->val;
    const char *val;
    if (v->u.s.type == YT_STR) {
        const char *msg = NULL;
        val = pl_format_vars(c->ps, it, v->u.s.text, &msg);
        if (!val)
            return afail(c, c->r->pos, "set_state '%s': %s", it->key, msg);
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

/* ---- one item ------------------------------------------------------------------------- */

static bool apply_item(actx *c, const pitem *it);

static bool apply_items(actx *c, pitem *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!apply_item(c, items[i]))
            return false;
    return true;
}

static bool apply_item(actx *c, const pitem *it)
{
    srule *r = c->r;
    bool ok;
    if (!rule_conds_match(c, it, r, c->st, &ok))
        return ok;
    if (it->type == T_RULE_FAILURE)
        return afail(c, r->pos, "%s", it->message);
    if (it->id)
        push_str(c->a, &r->applied, &r->napplied, it->id);
    switch (it->type) {
    case T_FIELD_NAME_MAPPING:
    case T_FIELD_NAME_PREFIX_MAPPING:
    case T_FIELD_NAME_PREFIX:
    case T_FIELD_NAME_SUFFIX:
        if (!map_rule_fields(c, it))
            return false;
        return walk_rule(c, it, fn_field_mapping);
    case T_DROP_DETECTION_ITEM:
        if (!walk_rule(c, it, fn_drop))
            return false;
        return c->dropped ? drop_cleanup(c) : true;
    case T_HASHES_FIELDS:
        return walk_rule(c, it, fn_hashes);
    case T_DETECTION_ITEM_FAILURE:
        return walk_rule(c, it, fn_failure);
    case T_WILDCARD_PLACEHOLDERS:
        c->val_fn = vf_wildcard_ph;
        return walk_rule(c, it, fn_values);
    case T_VALUE_PLACEHOLDERS:
        c->val_fn = vf_value_ph;
        return walk_rule(c, it, fn_values);
    case T_QUERY_EXPRESSION_PLACEHOLDERS:
        c->val_fn = vf_query_ph;
        return walk_rule(c, it, fn_values);
    case T_REPLACE_STRING:
        c->val_fn = vf_replace;
        return walk_rule(c, it, fn_values);
    case T_MAP_STRING:
        c->val_fn = vf_map_string;
        return walk_rule(c, it, fn_values);
    case T_SET_VALUE:
        c->val_fn = vf_set_value;
        return walk_rule(c, it, fn_values);
    case T_CONVERT_TYPE:
        c->val_fn = vf_convert;
        return walk_rule(c, it, fn_values);
    case T_REGEX:
        c->val_fn = vf_regex;
        return walk_rule(c, it, fn_values);
    case T_CASE:
        c->val_fn = vf_case;
        return walk_rule(c, it, fn_values);
    case T_ADD_CONDITION:
        return add_condition(c, it);
    case T_CHANGE_LOGSOURCE:
        r->ls.category = it->category;
        r->ls.product = it->product;
        r->ls.service = it->service;
        r->ls.definition = NULL;
        return true;
    case T_ADD_FIELD:
        for (size_t i = 0; i < it->nlist; i++)
            push_str(c->a, &r->fields, &r->nfields, it->list[i]);
        return true;
    case T_REMOVE_FIELD:
        for (size_t i = 0; i < it->nlist; i++)
            for (size_t j = 0; j < r->nfields; j++)
                if (strcmp(r->fields[j], it->list[i]) == 0) {
                    memmove(&r->fields[j], &r->fields[j + 1], sizeof *r->fields * (r->nfields - j - 1));
                    r->nfields--;
                    break;
                }
        return true;
    case T_SET_FIELD:
        r->fields = copy_strs(c->a, it->list, it->nlist);
        r->nfields = it->nlist;
        return true;
    case T_SET_STATE:
        return set_state(c, it);
    case T_STRICT_FIELD_MAPPING_FAILURE:
        return strict_check(c);
    case T_SET_CUSTOM_ATTRIBUTE:
        push_str(c->a, &c->ck, &c->nc, it->key);
        c->cv = arena_grow(c->a, (void *)c->cv, sizeof *c->cv, c->nc - 1, c->nc);
        c->cv[c->nc - 1] = it->val;
        return true;
    case T_NEST:
        return apply_items(c, it->items, it->nitems);
    default:
        return true;
    }
}

/* ---- entry points ---------------------------------------------------------------------- */

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

bool pl_rule_conds(pipeline_set *ps, const pitem *it, srule *r, const pstate *st, bool *ok)
{
    actx c = {0};
    c.ps = ps;
    c.a = ps->a;
    c.r = r;
    c.st = (pstate *)st;
    return rule_conds_match(&c, it, r, st, ok);
}
