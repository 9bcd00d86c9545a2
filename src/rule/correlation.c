/* correlation.c - correlation documents (pySigma's SigmaCorrelationRule):
 * the `correlation` mapping validated into the model, and the references
 * to other rules resolved once every rule of the run is converted.
 *
 * Checks run in the order pySigma runs them (type, rules, generate,
 * group-by, timespan, aliases, condition, then what needs several of
 * them), so that the first error reported is the same. Every field name
 * keeps its position for later errors (unknown field, time field clash). */
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "internal.h"

/* ------------------------------------------------------------ values */

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
    if (v > SIGMA_MAX_TIMESPAN / mul)
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
        if (!digits || i != n || en - st > SIGMA_MAX_NUMBER_TEXT)
            return false;
        char buf[SIGMA_MAX_NUMBER_TEXT + 1];
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

/* A scalar or a list of scalars as strings with their positions. False
 * with *bad set to the offending node (a non-scalar item, or n itself when
 * it is neither). */
static bool scalar_list(arena *a, const ynode *n, const char ***out, spos **pos, size_t *nout, const ynode **bad)
{
    if (n->kind == YN_SCALAR) {
        *out = arena_alloc(a, sizeof **out);
        *pos = arena_alloc(a, sizeof **pos);
        (*out)[0] = n->u.s.text;
        (*pos)[0] = node_pos(n);
        *nout = 1;
        return true;
    }
    if (n->kind != YN_SEQ) {
        *bad = n;
        return false;
    }
    *out = arena_alloc(a, sizeof **out * (n->u.seq.n + 1));
    *pos = arena_alloc(a, sizeof **pos * (n->u.seq.n + 1));
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *it = n->u.seq.items[i];
        if (it->kind != YN_SCALAR) {
            *bad = it;
            return false;
        }
        (*out)[i] = it->u.s.text;
        (*pos)[i] = node_pos(it);
    }
    *nout = n->u.seq.n;
    return true;
}

/* Position of key's node in the correlation mapping c, else of c. */
static spos key_pos(const ynode *c, const char *key)
{
    const ynode *n = ymap_get(c, key);
    return node_pos(n ? n : c);
}

/* ------------------------------------------------------------ parts */

static bool corr_type_of(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "type");
    if (!n || is_null(n))
        return rule_fail(a, r, node_pos(c), "Sigma correlation rule without type");
    size_t t;
    for (t = 0; t < 8; t++)
        if (n->kind == YN_SCALAR && lower_eq(n->u.s.text, corr_type_names[t]))
            break;
    if (t == 8)
        return rule_fail(a, r, node_pos(n), "'%s' is no valid Sigma correlation type", scalar_or_kind(n));
    co->type = (corr_type)t;
    return true;
}

static bool corr_rules(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "rules"), *bad = NULL;
    if (!n || is_null(n))
        return true;
    if (!scalar_list(a, n, &co->rules, &co->rule_pos, &co->nrules, &bad))
        return rule_fail(a, r, node_pos(bad), "Rule reference must be plain string or list.");
    return true;
}

static bool corr_generate(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "generate");
    if (!n || is_null(n))
        return true;
    if (n->kind != YN_SCALAR || n->u.s.type != YT_BOOL)
        return rule_fail(a, r, node_pos(n), "Sigma correlation generate definition must be a boolean");
    co->generate = n->u.s.bval;
    return true;
}

static bool corr_group_by(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "group-by"), *bad = NULL;
    if (!n || is_null(n))
        return true;
    const char **names;
    spos *pos;
    size_t cnt;
    if (!scalar_list(a, n, &names, &pos, &cnt, &bad))
        return rule_fail(a, r, node_pos(bad), "Sigma correlation group-by definition must be string or list");
    co->group_by = arena_alloc(a, sizeof *co->group_by * (cnt + 1));
    for (size_t i = 0; i < cnt; i++) {
        co->group_by[i].name = names[i];
        co->group_by[i].pos = pos[i];
    }
    co->ngroup_by = cnt;
    return true;
}

static bool corr_timespan(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "timespan");
    if (!n || is_null(n))
        return rule_fail(a, r, node_pos(c), "Sigma correlation rule without timespan");
    int ts = n->kind == YN_SCALAR ? parse_timespan(n->u.s.text, n->u.s.len, &co->timespan) : 1;
    const char *txt = scalar_or_kind(n);
    if (ts == 2)
        return rule_fail(a, r, node_pos(n), "Timespan '%s' must be greater than zero.", txt);
    if (ts == 3)
        return rule_fail(a, r, node_pos(n), "Timespan '%s' is too long (limit 100 years).", txt);
    if (ts)
        return rule_fail(a, r, node_pos(n),
                         "Timespan '%s' is invalid: expected a count and a unit s, m, h, d, w, M or y (e.g. 5m).",
                         txt);
    co->timespan_text = n->u.s.text;
    return true;
}

static bool corr_aliases(arena *a, srule *r, correlation *co, const ynode *c)
{
    const ynode *n = ymap_get(c, "aliases");
    if (!n || is_null(n))
        return true;
    if (n->kind != YN_MAP)
        return rule_fail(a, r, node_pos(n), "Sigma correlation aliases definition must be a dict");
    co->aliases = arena_alloc(a, sizeof *co->aliases * (n->u.map.n + 1));
    for (size_t i = 0; i < n->u.map.n; i++) {
        const ynode *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
        if (v->kind != YN_MAP || k->kind != YN_SCALAR)
            return rule_fail(a, r, node_pos(v), "Sigma correlation alias mapping must be a dict");
        corr_alias *al = &co->aliases[co->naliases++];
        al->alias = k->u.s.text;
        al->pos = node_pos(k);
        al->e = arena_alloc(a, sizeof *al->e * (v->u.map.n + 1));
        for (size_t j = 0; j < v->u.map.n; j++) {
            const ynode *rk = v->u.map.pairs[j].key, *rv = v->u.map.pairs[j].value;
            if (rk->kind != YN_SCALAR || rv->kind != YN_SCALAR)
                return rule_fail(a, r, node_pos(rv),
                                 "Sigma correlation alias mapping must map rule names to field names");
            al->e[j] = (alias_entry){rk->u.s.text, node_pos(rk), rv->u.s.text, node_pos(rv)};
        }
        al->n = v->u.map.n;
    }
    return true;
}

/* The extended condition (temporal types): parsed now, its error kept for
 * correlation_resolve, which reports it where pySigma does. */
static void corr_ext_condition(arena *a, correlation *co, const char *text)
{
    co->ext_cond = text;
    size_t len = strlen(text);
    if (len > SIGMA_MAX_EXT_COND_LEN) {
        co->ext_error = arena_printf(a, "extended correlation condition too long (limit %d bytes)",
                                     SIGMA_MAX_EXT_COND_LEN);
        return;
    }
    cerror ce;
    co->ext = cond_parse(a, text, len, &ce);
    if (!co->ext)
        co->ext_error = arena_printf(a, "Failed to parse extended condition expression: %s (at character %zu)",
                                     ce.message, ce.pos + 1);
}

static const char *const cond_ops[] = {"gt", "gte", "lt", "lte", "eq", "neq"};

/* One `op: number` of a condition map; o0 is the first operator's index. */
static bool corr_cond_op(arena *a, srule *r, corr_cond *cc, const ynode *k, const ynode *v, size_t o, size_t *o0)
{
    if (cc->nops == 2)
        return rule_fail(a, r, node_pos(k), "Sigma correlation condition must have one or two operators");
    double d;
    if (!corr_number(v, &d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
        return rule_fail(a, r, node_pos(v), "'%s' is no valid Sigma correlation condition count", scalar_or_kind(v));
    if (cc->nops == 1) {
        /* a range: one lower bound (gt/gte) and one upper bound (lt/lte) */
        bool lo0 = *o0 == 0 || *o0 == 1, hi0 = *o0 == 2 || *o0 == 3;
        bool lo1 = o == 0 || o == 1, hi1 = o == 2 || o == 3;
        if (!((lo0 && hi1) || (hi0 && lo1)))
            return rule_fail(a, r, node_pos(k),
                             "Sigma correlation condition with two operators must be a range: one of gt/gte "
                             "and one of lt/lte");
    }
    *o0 = o;
    cc->op[cc->nops] = cond_ops[o];
    cc->val[cc->nops] = d;
    cc->num[cc->nops] = snum_format(a, d);
    cc->nops++;
    return true;
}

/* The condition map: one or two operators, `field`, `percentile`. */
static bool corr_cond_map(arena *a, srule *r, correlation *co, const ynode *n)
{
    corr_cond *cc = &co->cond;
    co->has_cond = true;
    size_t o0 = 0;
    for (size_t i = 0; i < n->u.map.n; i++) {
        const ynode *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
        size_t o;
        for (o = 0; o < 6; o++)
            if (yscalar_is(k, cond_ops[o]))
                break;
        if (o < 6) {
            if (!corr_cond_op(a, r, cc, k, v, o, &o0))
                return false;
        } else if (yscalar_is(k, "field")) {
            spos *pos;
            const ynode *bad = NULL;
            if ((v->kind != YN_SCALAR && (v->kind != YN_SEQ || !all_scalars(v))) ||
                !scalar_list(a, v, &cc->fields, &pos, &cc->nfields, &bad))
                return rule_fail(a, r, node_pos(v), "Sigma correlation condition field must be a string or list");
        } else if (yscalar_is(k, "percentile")) {
            double d;
            if (!corr_number(v, &d) || d < 0 || d > 100)
                return rule_fail(a, r, node_pos(v),
                                 "'%s' is no valid Sigma correlation condition percentile "
                                 "(expected a number from 0 to 100)",
                                 scalar_or_kind(v));
            cc->percentile = snum_format(a, d);
        } else {
            return rule_fail(a, r, node_pos(k), "Sigma correlation condition contains invalid items: %s",
                             scalar_or_kind(k));
        }
    }
    if (cc->nops == 0)
        return rule_fail(a, r, node_pos(n),
                         "Sigma correlation condition must have one condition item (gt, gte, lt, lte, eq or neq) "
                         "or a range of two");
    return true;
}

static bool corr_condition(arena *a, srule *r, correlation *co, const ynode *c)
{
    bool temporal = co->type == CT_TEMPORAL || co->type == CT_TEMPORAL_ORDERED;
    const ynode *n = ymap_get(c, "condition");
    co->cond.field_pos = n ? node_pos(ymap_get(n, "field")) : node_pos(c);
    if (!n || is_null(n)) {
        if (!temporal)
            return rule_fail(a, r, node_pos(c), "Non-temporal Sigma correlation rule without condition");
        return true;
    }
    if (n->kind == YN_SCALAR && n->u.s.type == YT_STR) {
        if (!temporal)
            return rule_fail(a, r, node_pos(n),
                             "Extended conditions (string) can only be used with temporal or temporal_ordered "
                             "correlation types");
        corr_ext_condition(a, co, n->u.s.text);
        return true;
    }
    if (n->kind != YN_MAP)
        return rule_fail(a, r, node_pos(n), "Sigma correlation condition must be a map");
    return corr_cond_map(a, r, co, n);
}

/* What needs several parts: references, the value field, the percentile. */
static bool corr_complete(arena *a, srule *r, const correlation *co, const ynode *c)
{
    if (!co->nrules && !co->ext_cond)
        return rule_fail(a, r, node_pos(c), "Sigma correlation rule without rule references");
    static const char *const nofield[] = {
        NULL, "Value count correlation rule without field reference", NULL, NULL,
        "Value sum correlation rule without field reference", "Value average correlation rule without field reference",
        "Value percentile correlation rule without field reference",
        "Value median correlation rule without field reference"};
    const ynode *cn = ymap_get(c, "condition");
    if (nofield[co->type] && co->cond.nfields == 0)
        return rule_fail(a, r, node_pos(cn), "%s", nofield[co->type]);
    if (nofield[co->type] && co->cond.nfields > 1)
        return rule_fail(a, r, node_pos(ymap_get(cn, "field")),
                         "Sigma correlation condition field must name one field (%zu given)", co->cond.nfields);
    if (co->type == CT_VALUE_PERCENTILE && !co->cond.percentile)
        return rule_fail(a, r, node_pos(cn), "Value percentile correlation rule without percentile (e.g. percentile: 95)");
    return true;
}

void parse_correlation(arena *a, srule *r, const ynode *doc)
{
    if (!rule_check_common(a, r, doc))
        return;
    const ynode *c = ymap_get(doc, "correlation");
    if (!c || c->kind != YN_MAP) {
        rule_fail(a, r, node_pos(c), "Sigma correlation rule must have a correlation map");
        return;
    }
    correlation *co = arena_alloc(a, sizeof *co);
    r->corr = co;
    co->pos = node_pos(c);
    co->rules_pos = key_pos(c, "rules");
    co->cond_pos = key_pos(c, "condition");
    co->aliases_pos = key_pos(c, "aliases");
    if (corr_type_of(a, r, co, c) && corr_rules(a, r, co, c) && corr_generate(a, r, co, c) &&
        corr_group_by(a, r, co, c) && corr_timespan(a, r, co, c) && corr_aliases(a, r, co, c) &&
        corr_condition(a, r, co, c))
        corr_complete(a, r, co, c);
}

/* ------------------------------------------------------------ references */

long correlation_ref_index(const correlation *co, const char *key)
{
    for (size_t i = 0; i < co->nrefs; i++)
        if (strcmp(co->refs[i].ref, key) == 0)
            return (long)i;
    for (size_t i = 0; i < co->nrefs; i++)
        if (co->refs[i].rule && rule_is_ref(co->refs[i].rule, key))
            return (long)i;
    return -1;
}

static void add_ref(arena *a, correlation *co, const char *ref, spos pos)
{
    corr_ref *v = arena_grow(a, co->refs, sizeof *v, co->nrefs, co->nrefs + 1);
    v[co->nrefs] = (corr_ref){ref, pos, NULL};
    co->refs = v;
    co->nrefs++;
}

/* The identifiers of an extended condition: with add, each becomes a
 * reference (first appearance order); else each must name one. */
static bool ext_collect(arena *a, srule *r, const cnode *n, bool add)
{
    correlation *co = r->corr;
    /* recursion depth: and/or chains of a correlation condition are short
     * (one identifier per referenced rule); the parser bounds nesting */
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        return ext_collect(a, r, n->l, add) && ext_collect(a, r, n->r, add);
    case CN_NOT:
        return ext_collect(a, r, n->l, add);
    case CN_SEL:
        return rule_fail(a, r, co->cond_pos, "'%s of %s' is not allowed in a correlation condition: name each rule",
                         n->quant == CQ_ALL ? "all" : "1", n->is_them ? "them" : n->name);
    case CN_ID:
        if (add) {
            for (size_t i = 0; i < co->nrefs; i++)
                if (strcmp(co->refs[i].ref, n->name) == 0)
                    return true;
            add_ref(a, co, n->name, co->cond_pos);
            return true;
        }
        if (correlation_ref_index(co, n->name) < 0)
            return rule_fail(a, r, co->cond_pos,
                             "Rules referenced in extended condition but not defined in rules list: %s", n->name);
        return true;
    }
    return true;
}

static bool ext_mentions(const correlation *co, const cnode *n, size_t k)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        return ext_mentions(co, n->l, k) || ext_mentions(co, n->r, k);
    case CN_NOT:
        return ext_mentions(co, n->l, k);
    case CN_ID:
        return correlation_ref_index(co, n->name) == (long)k;
    default:
        return false;
    }
}

static bool resolve(arena *a, srule *r, const rule_list *all, int depth);

/* The references, found; referenced rules suppressed unless generate. A
 * referenced correlation is resolved first (chaining). */
static bool find_refs(arena *a, srule *r, const rule_list *all, int depth)
{
    correlation *co = r->corr;
    for (size_t i = 0; i < co->nrefs; i++) {
        corr_ref *f = &co->refs[i];
        f->rule = rule_list_find(all, f->ref);
        /* referenced rules are not output on their own unless generate: true
         * (also when another reference of this correlation is wrong) */
        if (f->rule && f->rule != r && !co->generate && f->rule->type != RT_FILTER)
            f->rule->suppress = true;
    }
    for (size_t i = 0; i < co->nrefs; i++) {
        const corr_ref *f = &co->refs[i];
        if (!f->rule)
            return rule_fail(a, r, f->pos, "Rule '%s' not found in rule collection", f->ref);
        for (size_t j = 0; j < i; j++)
            if (co->refs[j].rule == f->rule)
                return rule_fail(a, r, f->pos, "rule '%s' is referenced twice (also as '%s')", f->ref,
                                 co->refs[j].ref);
    }
    for (size_t i = 0; i < co->nrefs; i++) {
        const corr_ref *f = &co->refs[i];
        if (f->rule == r)
            return rule_fail(a, r, f->pos, "a correlation rule cannot reference itself ('%s')", f->ref);
        if (f->rule->type == RT_CORRELATION && f->rule->corr && !f->rule->error) {
            if (f->rule->corr->resolve_state == 1)
                return rule_fail(a, r, f->pos, "correlation '%s' refers back to this one: a reference cycle",
                                 f->ref);
            if (depth >= SIGMA_MAX_REF_DEPTH)
                return rule_fail(a, r, f->pos, "correlations chained more than %d deep", SIGMA_MAX_REF_DEPTH);
            resolve(a, f->rule, all, depth + 1);
        }
        if (f->rule->error)
            return rule_fail(a, r, f->pos, "referenced rule '%s' has errors (%s:%u:%u: %s)", f->ref,
                             f->rule->file, f->rule->error->pos.line, f->rule->error->pos.col,
                             f->rule->error->message);
    }
    return true;
}

static bool resolve_refs(arena *a, srule *r, const rule_list *all, int depth)
{
    correlation *co = r->corr;
    co->refs = NULL;
    co->nrefs = 0;
    for (size_t i = 0; i < co->nrules; i++)
        add_ref(a, co, co->rules[i], co->rule_pos[i]);
    if (co->ext_cond) {
        if (!co->ext)
            return rule_fail(a, r, co->cond_pos, "%s", co->ext_error);
        if (!co->nrules && !ext_collect(a, r, co->ext, true))
            return false;
    }
    if (!co->nrefs)
        return rule_fail(a, r, co->rules_pos, "Sigma correlation rule without rule references");
    if (!find_refs(a, r, all, depth))
        return false;
    if (co->ext && co->nrules) {
        if (!ext_collect(a, r, co->ext, false))
            return false;
        for (size_t k = 0; k < co->nrefs; k++)
            if (!ext_mentions(co, co->ext, k))
                return rule_fail(a, r, co->cond_pos, "Rules defined but not referenced in extended condition: %s",
                                 co->refs[k].ref);
    }
    return true;
}

static bool resolve(arena *a, srule *r, const rule_list *all, int depth)
{
    correlation *co = r->corr;
    if (!co)
        return rule_fail(a, r, r->pos, "correlation rule without a correlation definition");
    if (co->resolve_state == 2 || r->error)
        return !r->error;
    co->resolve_state = 1;
    bool ok = resolve_refs(a, r, all, depth);
    co->resolve_state = 2;
    return ok;
}

bool correlation_resolve(arena *a, srule *r, const rule_list *all)
{
    return resolve(a, r, all, 0);
}
