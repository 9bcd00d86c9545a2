/* match.c - processing conditions (pySigma's processing conditions and
 * ProcessingItem.match_*): whether an item applies to a rule, to one of its
 * detection items, or to a field name, and the three ways to combine a
 * condition set (all / any by *_cond_op, negation by *_cond_not, or a
 * boolean *_cond_expr over named conditions). Evaluation only reads the
 * rule; a condition that cannot be evaluated (a rule_attribute compared
 * with the wrong kind of value) fails the rule. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"

/* condition results of one set live on the stack up to this many */
#define RESULTS_ON_STACK 16

/* ---- pipeline state (processing_state) ------------------------------------------ */

/* A state value as a number (the whole text, finite). */
static bool parse_num(const char *s, double *d)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    return *end == 0 && isfinite(*d);
}

/* op applied to a three-way comparison result (<0, 0, >0). */
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

/* ProcessingStateCondition: the state key (set by an earlier set_state)
 * compared with `val` by `op`. A missing key never matches. Values are
 * kept as text: a YAML number or boolean `val` compares numerically with a
 * state value that reads as one (True/False as 1/0) and otherwise only
 * `ne` holds; a string `val` compares as text; a null `val` only with
 * eq/ne against a null state value. */
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

/* ---- value comparison (contains_detection_item, match_value) -------------------- */

/* Same parts (kinds and bytes): wildcards equal only wildcards. */
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

/* Python re.match: anchored at the start, not at the end. */
static bool re_match_start(pcre2_code *re, const char *s, size_t n)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md)
        return false;
    int rc = pcre2_match(re, (PCRE2_SPTR)(n ? s : ""), n, 0, PCRE2_ANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ---- rule conditions --------------------------------------------------------------- */

/* The rules a correlation refers to: every rule of the run when the
 * caller gave them (pipeline_set_rules), else those applied so far. */
static const srule *find_ref(const pipeline_set *ps, const char *ref)
{
    return rule_list_find(ps->all ? ps->all : &ps->seen, ref);
}

/* LogsourceCondition: a plain rule's log source; a correlation matches
 * when one of the rules it refers to does (pySigma looks at the referenced
 * rules the same way). */
static bool logsource_rule(const pipeline_set *ps, const pcond *pc, const srule *r, int depth)
{
    if (r->type != RT_CORRELATION)
        return logsource_matches(&pc->ls, &r->ls);
    if (!r->corr || depth > SIGMA_MAX_REF_DEPTH)
        return false;
    for (size_t i = 0; i < r->corr->nrules; i++) {
        const srule *ref = find_ref(ps, r->corr->rules[i]);
        if (ref && ref != r && logsource_rule(ps, pc, ref, depth + 1))
            return true;
    }
    return false;
}

/* contains_field: an item on the field; contains_detection_item: one on
 * the field with a value equal to the condition's (value_equals). */
static bool det_find(arena *a, const detection *d, const pcond *pc, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            if (depth < SIGMA_MAX_DET_DEPTH && det_find(a, d->elems[i].sub, pc, depth + 1))
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

/* YYYY-MM-DD or YYYY/MM/DD as the number YYYYMMDD (for comparisons). */
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

/* RuleAttributeCondition: the attribute (a set_custom_attribute value,
 * else the rule document's) compared with `value`: level and status by
 * their order (informational < ... < critical), dates as dates, numbers as
 * numbers, other text only with eq/ne; `in` / `not_in` test membership in a
 * list attribute (tags always are one). An absent or null attribute does
 * not match, nor a level or status that is not one of Sigma's.
 * Comparisons pySigma would raise on fail the rule. */
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
        bool in = pl_has_str(r->tags, r->ntags, wtext);
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
        return pl_fail(c, r->pos, "rule_attribute condition: attribute '%s' is a mapping, which cannot be compared",
                     attr);
    if (pc->op == OP_IN || pc->op == OP_NOT_IN)
        return pl_fail(c, r->pos, "rule_attribute condition: op '%s' needs a list attribute, but '%s' is a single value",
                     pc->op == OP_IN ? "in" : "not_in", attr);
    int cmp;
    if (strcmp(attr, "level") == 0 || strcmp(attr, "status") == 0) {
        bool lvl = attr[0] == 'l';
        int a = lvl ? rule_level_rank(v->u.s.text) : rule_status_rank(v->u.s.text);
        int b = lvl ? rule_level_rank(wtext) : rule_status_rank(wtext);
        if (b < 0)
            return pl_fail(c, r->pos, "rule_attribute condition: invalid Sigma %s '%s'", lvl ? "severity level" : "status",
                         wtext ? wtext : "");
        if (a < 0)
            return true; /* the rule's value is not one (a metadata defect): as if absent */
        cmp = a < b ? -1 : a > b;
    } else if (strcmp(attr, "date") == 0 || strcmp(attr, "modified") == 0 || v->u.s.type == YT_DATE) {
        long a, b;
        if (want->u.s.type != YT_STR && want->u.s.type != YT_DATE)
            return pl_fail(c, r->pos, "rule_attribute condition: '%s' must be a date (YYYY-MM-DD)", wtext);
        if (!parse_date(want->u.s.text, &b))
            return pl_fail(c, r->pos, "rule_attribute condition: invalid date format '%s'", want->u.s.text);
        if (!parse_date(v->u.s.text, &a))
            return true;
        cmp = a < b ? -1 : a > b;
    } else if (v->u.s.type == YT_INT || v->u.s.type == YT_FLOAT || v->u.s.type == YT_BOOL) {
        double a = v->u.s.type == YT_BOOL ? v->u.s.bval : v->u.s.type == YT_INT && !v->u.s.int_big ? (double)v->u.s.ival : v->u.s.fval;
        double b;
        if (!parse_num(wtext, &b))
            return pl_fail(c, r->pos, "rule_attribute condition: invalid number format '%s'", wtext ? wtext : "");
        cmp = a < b ? -1 : a > b;
    } else {
        if (pc->op != OP_EQ && pc->op != OP_NE)
            return pl_fail(c, r->pos, "rule_attribute condition: only eq and ne compare strings (attribute '%s')", attr);
        bool eq = (want->u.s.type == YT_STR || want->u.s.type == YT_DATE) && strcmp(v->u.s.text, want->u.s.text) == 0;
        cmp = eq ? 0 : 1;
    }
    *res = op_result(pc->op, cmp);
    return true;
}

/* One rule condition; false (rule failed) when it cannot be evaluated. */
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
        *res = pl_has_str(r->applied, r->napplied, pc->name);
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
        *res = pl_has_str(r->tags, r->ntags, pc->name);
        return true;
    default:
        return true;
    }
}

/* ---- detection item and field name conditions ----------------------------------- */

/* A value condition on one value (match_string matches Sigma text, wildcards as written). */
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

/* A detection item condition: value conditions over the item's values,
 * any or all of them by `cond` (all of none is true, as Python's all()). */
static bool det_cond(actx *c, const pcond *pc, const ditem *it)
{
    switch (pc->type) {
    case C_PROCESSING_ITEM_APPLIED:
        return pl_has_str(it->applied, it->napplied, pc->name);
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

/* Was `field` produced by the item with this id (field_name_applied_ids)? */
static bool field_tracked(const actx *c, const char *field, const char *id)
{
    if (!field)
        return false;
    for (size_t i = 0; i < c->nt; i++)
        if (strcmp(c->tf[i], field) == 0 && strcmp(c->tid[i], id) == 0)
            return true;
    return false;
}

/* A field name condition on one name (NULL for a keyword: never included). */
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

/* A field name condition on an item: its field or a field it references. */
static bool field_item_cond(actx *c, const pcond *pc, const ditem *it)
{
    if (pc->type == C_PROCESSING_ITEM_APPLIED)
        return pl_has_str(it->applied, it->napplied, pc->name);
    if (field_name_cond(c, pc, it->field))
        return true;
    for (size_t i = 0; i < it->nvals; i++)
        if (field_value_cond(c, pc, it->vals[i]))
            return true;
    return false;
}

/* ---- combining a condition set (and/or, not, *_cond_expr) ------------------------- */

/* A *_cond_expr over the named results (load.c checked every name). */
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

/* ---- the questions the transformations ask -------------------------------------- */

/* ProcessingItem.match_rule (no rule conditions: always) */
bool pl_rule_conds_match(actx *c, const pitem *it, srule *r, const pstate *st, bool *ok)
{
    *ok = true;
    const condset *cs = &it->rc;
    if (!cs->n)
        return true;
    bool stack[RESULTS_ON_STACK];
    bool *res = cs->n <= RESULTS_ON_STACK ? stack : arena_alloc(c->a, sizeof *res * cs->n);
    for (size_t i = 0; i < cs->n; i++)
        if (!rule_cond(c, cs->c[i], r, st, &res[i])) {
            *ok = false;
            return false;
        }
    return combine(cs, res);
}

/* ProcessingItem.match_detection_item: detection item and field name conditions */
bool pl_item_match(actx *c, const pitem *it, const ditem *d)
{
    bool stack[RESULTS_ON_STACK];
    const condset *dc = &it->dc, *fc = &it->fc;
    bool *res = dc->n <= RESULTS_ON_STACK ? stack : arena_alloc(c->a, sizeof *res * dc->n);
    for (size_t i = 0; i < dc->n; i++)
        res[i] = det_cond(c, dc->c[i], d);
    if (!combine(dc, res))
        return false;
    res = fc->n <= RESULTS_ON_STACK ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = field_item_cond(c, fc->c[i], d);
    return combine(fc, res);
}

/* ProcessingItem.match_field_name */
bool pl_field_match(actx *c, const pitem *it, const char *field)
{
    bool stack[RESULTS_ON_STACK];
    const condset *fc = &it->fc;
    bool *res = fc->n <= RESULTS_ON_STACK ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = field_name_cond(c, fc->c[i], field);
    return combine(fc, res);
}

/* ProcessingItem.match_field_in_value (field references) */
bool pl_field_value_match(actx *c, const pitem *it, const svalue *v)
{
    if (v->kind != SV_FIELDREF)
        return false;
    bool stack[RESULTS_ON_STACK];
    const condset *fc = &it->fc;
    bool *res = fc->n <= RESULTS_ON_STACK ? stack : arena_alloc(c->a, sizeof *res * fc->n);
    for (size_t i = 0; i < fc->n; i++)
        res[i] = fc->expr ? field_name_cond(c, fc->c[i], v->ref) : field_value_cond(c, fc->c[i], v);
    return combine(fc, res);
}

bool pl_rule_conds(pipeline_set *ps, const pitem *it, srule *r, const pstate *st, bool *ok)
{
    actx c = {0};
    c.ps = ps;
    c.a = ps->a;
    c.r = r;
    c.st = (pstate *)st;
    return pl_rule_conds_match(&c, it, r, st, ok);
}

