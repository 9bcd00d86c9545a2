/* correlation.c - correlation rules as sliding-window SQL, and filters.
 *
 * Every correlation type is one query over the events its rules match:
 *
 *   WITH combined_events AS (<branch> UNION ALL <branch> ...),
 *        <window CTEs>
 *   SELECT * FROM <last CTE> WHERE <condition>
 *
 * A branch is one condition of one referenced rule, read from that rule's
 * own table. When every branch reads the same table and no alias renames a
 * field, branches select `*` (the reference's shape); otherwise each selects
 * the same named columns (time field, group-by names, value field), so the
 * UNION ALL is column-compatible whatever the tables. Temporal types add a
 * `correlation_rule` column naming the rule each row came from.
 *
 * Windows are sliding: for each row, the rows of its group (PARTITION BY the
 * group-by columns) whose time lies in [time - timespan, time] (RANGE ...
 * PRECEDING AND CURRENT ROW, both ends inclusive, ties included). See
 * docs/correlations.md for every type's SQL and semantics. */
#include "correlation.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../condition/cond.h"
#include "../util/limits.h"
#include "quote.h"

/* ------------------------------------------------------------ helpers */

static bool id_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* The node under the correlation map for `key` (positions for errors). */
static const ynode *corr_node(const srule *r, const char *key)
{
    const ynode *c = r->doc ? ymap_get(r->doc, "correlation") : NULL;
    return c ? ymap_get(c, key) : NULL;
}

static spos corr_pos(const srule *r, const char *key)
{
    const ynode *n = corr_node(r, key);
    if (n)
        return node_pos(n);
    const ynode *c = r->doc ? ymap_get(r->doc, "correlation") : NULL;
    return c ? node_pos(c) : r->pos;
}

/* Position of item i of a list-or-scalar node (group-by, rules). */
static spos item_pos(const srule *r, const char *key, size_t i)
{
    const ynode *n = corr_node(r, key);
    if (n && n->kind == YN_SEQ && i < n->u.seq.n)
        return node_pos(n->u.seq.items[i]);
    return corr_pos(r, key);
}

/* Position of the key of rule mapping j inside alias i. */
static spos alias_key_pos(const srule *r, size_t i, size_t j)
{
    const ynode *n = corr_node(r, "aliases");
    if (n && n->kind == YN_MAP && i < n->u.map.n) {
        const ynode *m = n->u.map.pairs[i].value;
        if (m && m->kind == YN_MAP && j < m->u.map.n)
            return node_pos(m->u.map.pairs[j].key);
        return node_pos(n->u.map.pairs[i].key);
    }
    return corr_pos(r, "aliases");
}

/* ------------------------------------------------------------ resolution */

/* By id first (UUIDs compare case-insensitively), then by name. Filters are
 * not rules that can be referenced. */
static srule *find_rule(const rule_list *all, const char *ref)
{
    for (size_t i = 0; i < all->n; i++) {
        srule *x = all->v[i];
        if (x->type != RT_FILTER && x->id && id_eq(x->id, ref))
            return x;
    }
    for (size_t i = 0; i < all->n; i++) {
        srule *x = all->v[i];
        if (x->type != RT_FILTER && x->name && strcmp(x->name, ref) == 0)
            return x;
    }
    return NULL;
}

typedef struct cref {
    const char *ref; /* as written */
    spos pos;
    srule *rule;
} cref;

typedef struct ccol {
    const char *name; /* column name in combined_events */
    const char **src; /* per reference: that rule's field for the column */
} ccol;

typedef struct cplan {
    sql_ctx *c;
    const sql_dialect *d;
    const srule *r;
    const correlation *co;
    cref *refs;
    size_t nrefs;
    ccol *cols; /* [0] the time field, then group-by names, then the value field */
    size_t ncols;
    size_t *group; /* indices into cols, one per group-by entry (deduplicated) */
    size_t ngroup;
    size_t value;  /* index into cols, or (size_t)-1 */
    bool star;     /* branches select * */
    bool rule_col; /* branches carry correlation_rule */
    cnode *ext;    /* parsed extended condition (temporal types) */
} cplan;

/* Index of the reference an alias key or condition identifier names: the
 * reference text itself, else a reference resolving to a rule with that id
 * or name. */
static long ref_index(const cplan *P, const char *key)
{
    for (size_t i = 0; i < P->nrefs; i++)
        if (strcmp(P->refs[i].ref, key) == 0)
            return (long)i;
    for (size_t i = 0; i < P->nrefs; i++) {
        const srule *x = P->refs[i].rule;
        if (x && ((x->id && id_eq(x->id, key)) || (x->name && strcmp(x->name, key) == 0)))
            return (long)i;
    }
    return -1;
}

static void add_ref(sql_ctx *c, cplan *P, const char *ref, spos pos)
{
    cref *v = arena_grow(c->a, P->refs, sizeof *v, P->nrefs, P->nrefs + 1);
    v[P->nrefs].ref = ref;
    v[P->nrefs].pos = pos;
    v[P->nrefs].rule = NULL;
    P->refs = v;
    P->nrefs++;
}

/* Identifiers of an extended condition, in order of first appearance. */
static bool ext_collect(sql_ctx *c, cplan *P, const cnode *n, spos pos, bool add)
{
    /* recursion depth: and/or chains of a correlation condition are short
     * (one identifier per referenced rule); the parser bounds nesting */
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        return ext_collect(c, P, n->l, pos, add) && ext_collect(c, P, n->r, pos, add);
    case CN_NOT:
        return ext_collect(c, P, n->l, pos, add);
    case CN_SEL:
        return sql_fail(c, pos, "'%s of %s' is not allowed in a correlation condition: name each rule",
                        n->quant == CQ_ALL ? "all" : "1", n->is_them ? "them" : n->name);
    case CN_ID:
        if (add) {
            for (size_t i = 0; i < P->nrefs; i++)
                if (strcmp(P->refs[i].ref, n->name) == 0)
                    return true;
            add_ref(c, P, n->name, pos);
            return true;
        }
        if (ref_index(P, n->name) < 0)
            return sql_fail(c, pos, "Rules referenced in extended condition but not defined in rules list: %s",
                            n->name);
        return true;
    }
    return true;
}

static bool ext_mentions(const cplan *P, const cnode *n, size_t k)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        return ext_mentions(P, n->l, k) || ext_mentions(P, n->r, k);
    case CN_NOT:
        return ext_mentions(P, n->l, k);
    case CN_ID:
        return ref_index(P, n->name) == (long)k;
    default:
        return false;
    }
}

/* True if the condition is a plain conjunction of identifiers. */
static bool ext_is_conjunction(const cnode *n)
{
    if (n->kind == CN_ID)
        return true;
    return n->kind == CN_AND && ext_is_conjunction(n->l) && ext_is_conjunction(n->r);
}

static bool resolve(sql_ctx *c, cplan *P, const rule_list *all)
{
    const correlation *co = P->co;
    const srule *r = P->r;
    for (size_t i = 0; i < co->nrules; i++)
        add_ref(c, P, co->rules[i], co->rule_pos[i]);
    if (co->ext_cond) {
        spos cpos = corr_pos(r, "condition");
        if (strlen(co->ext_cond) > 4096)
            return sql_fail(c, cpos, "extended correlation condition too long (limit 4096 bytes)");
        cerror ce;
        P->ext = cond_parse(c->a, co->ext_cond, strlen(co->ext_cond), &ce);
        if (!P->ext)
            return sql_fail(c, cpos, "Failed to parse extended condition expression: %s (at character %zu)",
                            ce.message, ce.pos + 1);
        if (!co->nrules && !ext_collect(c, P, P->ext, cpos, true))
            return false;
    }
    if (!P->nrefs)
        return sql_fail(c, corr_pos(r, "rules"), "Sigma correlation rule without rule references");
    for (size_t i = 0; i < P->nrefs; i++) {
        cref *f = &P->refs[i];
        f->rule = find_rule(all, f->ref);
        /* referenced rules are not output on their own unless generate: true
         * (also when another reference of this correlation is wrong) */
        if (f->rule && !co->generate && f->rule->type == RT_RULE)
            f->rule->suppress = true;
    }
    for (size_t i = 0; i < P->nrefs; i++) {
        cref *f = &P->refs[i];
        if (!f->rule)
            return sql_fail(c, f->pos, "Rule '%s' not found in rule collection", f->ref);
        for (size_t j = 0; j < i; j++)
            if (P->refs[j].rule == f->rule)
                return sql_fail(c, f->pos, "rule '%s' is referenced twice (also as '%s')", f->ref, P->refs[j].ref);
    }
    for (size_t i = 0; i < P->nrefs; i++) {
        const cref *f = &P->refs[i];
        if (f->rule == r)
            return sql_fail(c, f->pos, "a correlation rule cannot reference itself ('%s')", f->ref);
        if (f->rule->type == RT_CORRELATION)
            return sql_fail(c, f->pos,
                            "'%s' is a correlation rule: correlations of correlations (chaining) are not supported "
                            "by this backend; reference the base rules instead",
                            f->ref);
        if (f->rule->error)
            return sql_fail(c, f->pos, "referenced rule '%s' has errors (%s:%u:%u: %s)", f->ref, f->rule->file,
                            f->rule->error->pos.line, f->rule->error->pos.col, f->rule->error->message);
    }
    if (P->ext && co->nrules) {
        spos cpos = corr_pos(r, "condition");
        if (!ext_collect(c, P, P->ext, cpos, false))
            return false;
        for (size_t k = 0; k < P->nrefs; k++)
            if (!ext_mentions(P, P->ext, k))
                return sql_fail(c, cpos, "Rules defined but not referenced in extended condition: %s",
                                P->refs[k].ref);
    }
    return true;
}

/* ------------------------------------------------------------ columns */

static size_t add_col(cplan *P, const char *name)
{
    for (size_t i = 0; i < P->ncols; i++)
        if (strcmp(P->cols[i].name, name) == 0)
            return i;
    P->cols[P->ncols].name = name;
    return P->ncols++;
}

static bool plan_columns(sql_ctx *c, cplan *P)
{
    const correlation *co = P->co;
    const srule *r = P->r;
    /* every alias key must name a referenced rule */
    for (size_t i = 0; i < co->naliases; i++) {
        const corr_alias *al = &co->aliases[i];
        for (size_t j = 0; j < al->n; j++)
            if (ref_index(P, al->rules[j]) < 0)
                return sql_fail(c, alias_key_pos(r, i, j),
                                "alias '%s' maps rule '%s', which this correlation does not reference", al->alias,
                                al->rules[j]);
    }
    P->cols = arena_alloc(c->a, sizeof *P->cols * (co->ngroup_by + 2));
    P->group = arena_alloc(c->a, sizeof *P->group * (co->ngroup_by + 1));
    add_col(P, c->opt->time_field);
    for (size_t i = 0; i < co->ngroup_by; i++) {
        const char *g = co->group_by[i];
        if (!*g)
            return sql_fail(c, item_pos(r, "group-by", i), "empty group-by field name");
        if (strcmp(g, c->opt->time_field) == 0)
            return sql_fail(c, item_pos(r, "group-by", i),
                            "group-by field '%s' is the time field of the window (-O time_field)", g);
        size_t k = add_col(P, g), j;
        for (j = 0; j < P->ngroup; j++)
            if (P->group[j] == k)
                break;
        if (j == P->ngroup)
            P->group[P->ngroup++] = k;
    }
    P->value = (size_t)-1;
    if (co->cond.nfields) {
        const char *f = co->cond.fields[0];
        const ynode *cn = corr_node(r, "condition");
        spos fpos = cn ? node_pos(ymap_get(cn, "field")) : corr_pos(r, "condition");
        if (!*f)
            return sql_fail(c, fpos, "empty condition field name");
        if (strcmp(f, c->opt->time_field) == 0)
            return sql_fail(c, fpos, "condition field '%s' is the time field of the window (-O time_field)", f);
        P->value = add_col(P, f);
    }
    /* sources per reference: aliases apply to group-by and value columns */
    P->star = true;
    for (size_t k = 0; k < P->ncols; k++) {
        ccol *col = &P->cols[k];
        col->src = arena_alloc(c->a, sizeof *col->src * P->nrefs);
        const corr_alias *al = NULL;
        if (k > 0)
            for (size_t i = 0; i < co->naliases; i++)
                if (strcmp(co->aliases[i].alias, col->name) == 0)
                    al = &co->aliases[i];
        for (size_t i = 0; i < P->nrefs; i++) {
            col->src[i] = col->name;
            if (al)
                for (size_t j = 0; j < al->n; j++)
                    if (ref_index(P, al->rules[j]) == (long)i)
                        col->src[i] = al->fields[j];
            if (!*col->src[i])
                return sql_fail(c, corr_pos(r, "aliases"), "alias '%s' maps rule '%s' to an empty field name",
                                col->name, P->refs[i].ref);
            if (strcmp(col->src[i], col->name) != 0)
                P->star = false;
        }
    }
    for (size_t i = 1; i < P->nrefs; i++)
        if (!str_eq(P->refs[i].rule->table, P->refs[0].rule->table))
            P->star = false;
    P->rule_col = co->type == CT_TEMPORAL || co->type == CT_TEMPORAL_ORDERED;
    return true;
}

/* ------------------------------------------------------------ SQL pieces */

/* A column of combined_events as later CTEs refer to it. */
static void put_col(const cplan *P, sbuf *b, size_t k)
{
    const char *name = P->cols[k].name;
    if (P->star)
        sql_ident(b, name, P->c->opt->element_at, P->c->opt->n_element_at);
    else
        sql_ident_part(b, name, strlen(name));
}

static void put_window(const cplan *P, sbuf *b)
{
    sb_puts(b, "OVER (");
    if (P->ngroup) {
        sb_puts(b, "PARTITION BY ");
        for (size_t i = 0; i < P->ngroup; i++) {
            if (i)
                sb_puts(b, ", ");
            put_col(P, b, P->group[i]);
        }
        sb_putc(b, ' ');
    }
    sb_puts(b, "ORDER BY ");
    put_col(P, b, 0);
    sb_printf(b, " RANGE BETWEEN INTERVAL '%lld' SECOND PRECEDING AND CURRENT ROW)", P->co->timespan);
}

static const char *op_sql(const char *op)
{
    static const char *const names[] = {"gt", "gte", "lt", "lte", "eq", "neq"};
    static const char *const sql[] = {">", ">=", "<", "<=", "=", "<>"};
    for (int i = 0; i < 6; i++)
        if (strcmp(op, names[i]) == 0)
            return sql[i];
    return "=";
}

static void put_cond(const cplan *P, sbuf *b, const char *col)
{
    const corr_cond *cc = &P->co->cond;
    for (int i = 0; i < cc->nops; i++) {
        if (i)
            sb_puts(b, " AND ");
        sb_printf(b, "%s %s %s", col, op_sql(cc->op[i]), cc->num[i]);
    }
}

static bool cond_holds(const corr_cond *cc, double x)
{
    for (int i = 0; i < cc->nops; i++) {
        const char *op = cc->op[i];
        double v = cc->val[i];
        bool ok = strcmp(op, "gt") == 0    ? x > v
                  : strcmp(op, "gte") == 0 ? x >= v
                  : strcmp(op, "lt") == 0  ? x < v
                  : strcmp(op, "lte") == 0 ? x <= v
                  : strcmp(op, "eq") == 0  ? x == v
                                           : x != v;
        if (!ok)
            return false;
    }
    return true;
}

/* One branch per referenced rule. A rule with a condition list matches an
 * event if any of its conditions does: the conditions are OR-ed, so that an
 * event is one row per rule however many conditions it satisfies. */
static bool put_branches(cplan *P, sbuf *b)
{
    sql_ctx *c = P->c;
    for (size_t i = 0; i < P->nrefs; i++) {
        const cref *f = &P->refs[i];
        const srule *x = f->rule;
        sql_ctx sub = {.a = c->a, .opt = c->opt, .rule = x};
        if (i)
            sb_puts(b, " UNION ALL ");
        sb_puts(b, "SELECT ");
        if (P->star) {
            sb_putc(b, '*');
        } else {
            for (size_t j = 0; j < P->ncols; j++) {
                if (j)
                    sb_puts(b, ", ");
                sbuf e = SBUF_INIT, n = SBUF_INIT;
                sql_ident(&e, P->cols[j].src[i], c->opt->element_at, c->opt->n_element_at);
                sql_ident_part(&n, P->cols[j].name, strlen(P->cols[j].name));
                sb_puts(b, sb_cstr(&e));
                if (strcmp(sb_cstr(&e), sb_cstr(&n)) != 0) {
                    sb_puts(b, " AS ");
                    sb_puts(b, sb_cstr(&n));
                }
                sb_free(&e);
                sb_free(&n);
            }
        }
        if (P->rule_col) {
            sb_puts(b, ", ");
            sql_str(b, f->ref, strlen(f->ref));
            sb_puts(b, " AS correlation_rule");
        }
        sb_puts(b, " FROM ");
        sb_puts(b, x->table ? x->table : "<TABLE>");
        sb_puts(b, " WHERE ");
        xnode *t = NULL;
        if (x->nconds == 1) {
            t = sql_build_tree(&sub, &x->conds[0]);
        } else if (x->nconds > 1) {
            t = arena_alloc(c->a, sizeof *t);
            t->kind = X_OR;
            t->group = true;
            t->kids = arena_alloc(c->a, sizeof *t->kids * x->nconds);
            t->pos = x->conds[0].pos;
            for (size_t k = 0; k < x->nconds && t; k++) {
                xnode *kid = sql_build_tree(&sub, &x->conds[k]);
                if (!kid)
                    t = NULL;
                else
                    t->kids[t->n++] = kid;
            }
        }
        if (!t || !sql_render_expr(&sub, P->d, b, t))
            return sql_fail(c, f->pos, "referenced rule '%s': %s", f->ref,
                            sub.err.message ? sub.err.message : "the rule has no condition");
        if (b->len > SIGMA_MAX_QUERY_SIZE)
            return sql_fail(c, f->pos, "query too large (limit %u bytes)", SIGMA_MAX_QUERY_SIZE);
    }
    return true;
}

/* Extended temporal condition over correlation_seen_<k> flags. */
static void put_ext(const cplan *P, sbuf *b, const cnode *n, int parent)
{
    int prec = n->kind == CN_OR ? 1 : n->kind == CN_AND ? 2 : n->kind == CN_NOT ? 3 : 4;
    bool paren = prec < parent;
    if (paren)
        sb_putc(b, '(');
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        put_ext(P, b, n->l, prec);
        sb_puts(b, n->kind == CN_AND ? " AND " : " OR ");
        put_ext(P, b, n->r, prec);
        break;
    case CN_NOT:
        if (n->l->kind == CN_ID) {
            sb_printf(b, "correlation_seen_%ld = 0", ref_index(P, n->l->name) + 1);
            break;
        }
        sb_puts(b, "NOT ");
        put_ext(P, b, n->l, 4);
        break;
    default:
        sb_printf(b, "correlation_seen_%ld = 1", ref_index(P, n->name) + 1);
        break;
    }
    if (paren)
        sb_putc(b, ')');
}

/* ------------------------------------------------------------ per type */

static bool build(cplan *P, sbuf *b)
{
    sql_ctx *c = P->c;
    const correlation *co = P->co;
    sb_puts(b, "WITH combined_events AS (");
    if (!put_branches(P, b))
        return false;
    sb_puts(b, "), ");
    sbuf v = SBUF_INIT; /* the value column as CTEs refer to it */
    if (P->value != (size_t)-1)
        put_col(P, &v, P->value);
    const char *val = sb_cstr(&v);
    switch (co->type) {
    case CT_EVENT_COUNT:
        sb_puts(b, "event_counts AS (SELECT *, COUNT(*) ");
        put_window(P, b);
        sb_puts(b, " as correlation_event_count FROM combined_events) SELECT * FROM event_counts WHERE ");
        put_cond(P, b, "correlation_event_count");
        break;
    case CT_VALUE_COUNT:
        sb_printf(b, "value_counts AS (SELECT *, cardinality(array_distinct(array_agg(%s) ", val);
        put_window(P, b);
        sb_printf(b, ")) as correlation_value_count FROM combined_events WHERE %s IS NOT NULL) "
                     "SELECT * FROM value_counts WHERE ",
                  val);
        put_cond(P, b, "correlation_value_count");
        break;
    case CT_VALUE_SUM:
    case CT_VALUE_AVG: {
        bool sum = co->type == CT_VALUE_SUM;
        sb_printf(b, "%s AS (SELECT *, %s(%s) ", sum ? "value_sums" : "value_averages", sum ? "SUM" : "AVG", val);
        put_window(P, b);
        sb_printf(b, " as %s FROM combined_events WHERE %s IS NOT NULL) SELECT * FROM %s WHERE ",
                  sum ? "correlation_value_sum" : "correlation_value_avg", val, sum ? "value_sums" : "value_averages");
        put_cond(P, b, sum ? "correlation_value_sum" : "correlation_value_avg");
        break;
    }
    case CT_VALUE_PERCENTILE:
    case CT_VALUE_MEDIAN: {
        sb_printf(b, "value_windows AS (SELECT *, array_sort(array_agg(%s) ", val);
        put_window(P, b);
        sb_printf(b, ") as correlation_values FROM combined_events WHERE %s IS NOT NULL), ", val);
        if (co->type == CT_VALUE_PERCENTILE) {
            /* nearest rank: the smallest value with at least p% of the values <= it */
            sb_printf(b,
                      "value_percentiles AS (SELECT *, correlation_values[greatest(1, CAST(ceiling("
                      "cardinality(correlation_values) * %s / 100.0) AS INTEGER))] as correlation_value_percentile "
                      "FROM value_windows) SELECT * FROM value_percentiles WHERE ",
                      co->cond.percentile);
            put_cond(P, b, "correlation_value_percentile");
        } else {
            sb_puts(b, "value_medians AS (SELECT *, (correlation_values[CAST(floor((cardinality(correlation_values) "
                       "+ 1) / 2.0) AS INTEGER)] + correlation_values[CAST(ceiling((cardinality(correlation_values) "
                       "+ 1) / 2.0) AS INTEGER)]) / 2.0 as correlation_value_median FROM value_windows) "
                       "SELECT * FROM value_medians WHERE ");
            put_cond(P, b, "correlation_value_median");
        }
        break;
    }
    case CT_TEMPORAL:
        if (P->ext) {
            sb_puts(b, "rule_matches AS (SELECT *");
            for (size_t k = 0; k < P->nrefs; k++) {
                sb_puts(b, ", max(CASE WHEN correlation_rule = ");
                sql_str(b, P->refs[k].ref, strlen(P->refs[k].ref));
                sb_puts(b, " THEN 1 ELSE 0 END) ");
                put_window(P, b);
                sb_printf(b, " as correlation_seen_%zu", k + 1);
            }
            sb_puts(b, " FROM combined_events) SELECT * FROM rule_matches WHERE ");
            put_ext(P, b, P->ext, 0);
        } else {
            sb_puts(b, "rule_counts AS (SELECT *, cardinality(array_distinct(array_agg(correlation_rule) ");
            put_window(P, b);
            sb_puts(b, ")) as correlation_rule_count FROM combined_events) SELECT * FROM rule_counts WHERE ");
            if (co->has_cond)
                put_cond(P, b, "correlation_rule_count");
            else
                sb_printf(b, "correlation_rule_count >= %zu", P->nrefs);
        }
        break;
    case CT_TEMPORAL_ORDERED: {
        /* correlation_chain_k, on rows of rule k: the latest start time of a
         * chain rule1 <= rule2 <= ... <= rule k ending at this row, whose
         * elements all lie in this row's window; NULL if there is none. */
        sbuf t = SBUF_INIT;
        put_col(P, &t, 0);
        for (size_t k = 0; k < P->nrefs; k++) {
            if (k)
                sb_puts(b, ", ");
            sb_printf(b, "ordered_%zu AS (SELECT *, CASE WHEN correlation_rule = ", k + 1);
            sql_str(b, P->refs[k].ref, strlen(P->refs[k].ref));
            sb_puts(b, " THEN ");
            if (k == 0) {
                sb_puts(b, sb_cstr(&t));
            } else {
                sb_printf(b, "max(correlation_chain_%zu) ", k);
                put_window(P, b);
            }
            sb_printf(b, " END as correlation_chain_%zu FROM ", k + 1);
            if (k == 0)
                sb_puts(b, "combined_events)");
            else
                sb_printf(b, "ordered_%zu)", k);
        }
        sb_printf(b, " SELECT * FROM ordered_%zu WHERE correlation_chain_%zu >= %s - INTERVAL '%lld' SECOND",
                  P->nrefs, P->nrefs, sb_cstr(&t), co->timespan);
        sb_free(&t);
        break;
    }
    }
    sb_free(&v);
    if (b->len > SIGMA_MAX_QUERY_SIZE)
        return sql_fail(c, P->r->pos, "query too large (limit %u bytes)", SIGMA_MAX_QUERY_SIZE);
    return true;
}

static bool check_type(sql_ctx *c, cplan *P)
{
    const correlation *co = P->co;
    const srule *r = P->r;
    if (co->type == CT_TEMPORAL_ORDERED) {
        if (P->ext) {
            if (!ext_is_conjunction(P->ext))
                return sql_fail(c, corr_pos(r, "condition"),
                                "temporal_ordered supports only conditions that require every rule in order "
                                "('a and b and c'), not or/not");
        } else if (co->has_cond) {
            /* the condition must mean "all rules" */
            bool ok = cond_holds(&co->cond, (double)P->nrefs);
            for (size_t k = 0; ok && k < P->nrefs; k++)
                if (cond_holds(&co->cond, (double)k))
                    ok = false;
            if (!ok)
                return sql_fail(c, corr_pos(r, "condition"),
                                "temporal_ordered matches when all %zu rules occur in order; its condition must "
                                "mean that (e.g. gte: %zu)",
                                P->nrefs, P->nrefs);
        }
    }
    return true;
}

bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const rule_list *all,
                             const char ***out, size_t *nout)
{
    const correlation *co = r->corr;
    if (!co)
        return sql_fail(c, r->pos, "correlation rule without a correlation definition");
    cplan P = {.c = c, .d = d, .r = r, .co = co};
    if (!resolve(c, &P, all) || !check_type(c, &P) || !plan_columns(c, &P))
        return false;
    sbuf b = SBUF_INIT;
    if (!build(&P, &b)) {
        sb_free(&b);
        return false;
    }
    const char **q = arena_alloc(c->a, sizeof *q);
    q[0] = arena_strndup(c->a, b.p, b.len);
    sb_free(&b);
    *out = q;
    *nout = 1;
    return true;
}

/* ------------------------------------------------------------ filters */

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

static detection *copy_detection(arena *a, const detection *d)
{
    detection *n = arena_alloc(a, sizeof *n);
    *n = *d;
    n->elems = arena_alloc(a, sizeof *n->elems * (d->n ? d->n : 1));
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            n->elems[i].sub = copy_detection(a, d->elems[i].sub);
            continue;
        }
        const ditem *it = d->elems[i].item;
        ditem *ni = arena_alloc(a, sizeof *ni);
        *ni = *it;
        if (it->nmods) {
            ni->mods = arena_alloc(a, sizeof *ni->mods * it->nmods);
            memcpy(ni->mods, it->mods, sizeof *ni->mods * it->nmods);
        }
        if (it->nvals) {
            ni->vals = arena_alloc(a, sizeof *ni->vals * it->nvals);
            for (size_t k = 0; k < it->nvals; k++)
                ni->vals[k] = copy_value(a, it->vals[k]);
        }
        if (it->napplied) {
            ni->applied = arena_alloc(a, sizeof *ni->applied * it->napplied);
            memcpy(ni->applied, it->applied, sizeof *ni->applied * it->napplied);
        }
        n->elems[i].item = ni;
    }
    return n;
}

static int cprec(const cnode *n)
{
    return n->kind == CN_OR ? 1 : n->kind == CN_AND ? 2 : n->kind == CN_NOT ? 3 : 4;
}

/* Writes a filter condition with every detection name prefixed. Same-operator
 * chains are written flat (no recursion along them). */
static void emit_cond(arena *a, sbuf *b, const cnode *n, const char *prefix, int parent)
{
    int p = cprec(n);
    bool paren = p < parent;
    if (paren)
        sb_putc(b, '(');
    switch (n->kind) {
    case CN_AND:
    case CN_OR: {
        size_t cnt = 1;
        const cnode *q = n;
        while (q->kind == n->kind)
            cnt++, q = q->l;
        const cnode **ops = arena_alloc(a, sizeof *ops * cnt);
        size_t k = cnt;
        q = n;
        while (q->kind == n->kind) {
            ops[--k] = q->r;
            q = q->l;
        }
        ops[--k] = q;
        for (size_t i = 0; i < cnt; i++) {
            if (i)
                sb_puts(b, n->kind == CN_AND ? " and " : " or ");
            emit_cond(a, b, ops[i], prefix, p);
        }
        break;
    }
    case CN_NOT:
        sb_puts(b, "not ");
        emit_cond(a, b, n->l, prefix, p);
        break;
    case CN_ID:
        sb_printf(b, "%s%s", prefix, n->name);
        break;
    case CN_SEL:
        sb_printf(b, "%s of %s%s", n->quant == CQ_ALL ? "all" : "1", prefix, n->is_them ? "*" : n->name);
        break;
    }
    if (paren)
        sb_putc(b, ')');
}

/* Every identifier and selector of the filter condition must name filter
 * detections. Returns the offending node or NULL. */
static const cnode *filter_bad_ref(const srule *f, const cnode *n)
{
    while (n->kind == CN_AND || n->kind == CN_OR || n->kind == CN_NOT) {
        if (n->kind != CN_NOT) {
            const cnode *bad = filter_bad_ref(f, n->r);
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
    const char *pat = n->is_them ? "*" : n->name;
    for (size_t i = 0; i < f->ndets; i++)
        if (cond_pattern_match(pat, f->dets[i].name))
            return NULL;
    return n;
}

static bool ls_match(const logsource *f, const logsource *r)
{
    if (f->category && !str_eq(f->category, r->category))
        return false;
    if (f->product && !str_eq(f->product, r->product))
        return false;
    if (f->service && !str_eq(f->service, r->service))
        return false;
    return true;
}

static bool rules_match(const filter_def *fd, const srule *r)
{
    if (!fd->nrules)
        return true;
    for (size_t i = 0; i < fd->nrules; i++)
        if ((r->id && id_eq(r->id, fd->rules[i])) || (r->name && strcmp(r->name, fd->rules[i]) == 0))
            return true;
    return false;
}

/* Same filter document loaded twice (a directory input and --filter)? */
static bool same_doc(const srule *x, const srule *y)
{
    if (x->pos.line != y->pos.line || x->pos.col != y->pos.col)
        return false;
    if (str_eq(x->file, y->file))
        return true;
    if (!x->file || !y->file)
        return false;
    struct stat sx, sy;
    return stat(x->file, &sx) == 0 && stat(y->file, &sy) == 0 && sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

static bool applied_already(const srule *r, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < r->ndets; i++)
        if (strncmp(r->dets[i].name, prefix, n) == 0)
            return true;
    return false;
}

static void apply_filter(arena *a, srule *r, const srule *f, const cnode *fast, const char *prefix)
{
    named_det *dets = arena_alloc(a, sizeof *dets * (r->ndets + f->ndets));
    memcpy(dets, r->dets, sizeof *dets * r->ndets);
    for (size_t i = 0; i < f->ndets; i++) {
        named_det *nd = &dets[r->ndets + i];
        nd->name = arena_printf(a, "%s%s", prefix, f->dets[i].name);
        nd->det = copy_detection(a, f->dets[i].det);
        nd->pos = f->dets[i].pos;
    }
    sbuf fc = SBUF_INIT;
    emit_cond(a, &fc, fast, prefix, 0);
    rcond *conds = arena_alloc(a, sizeof *conds * (r->nconds ? r->nconds : 1));
    for (size_t i = 0; i < r->nconds; i++) {
        conds[i] = r->conds[i];
        /* a condition that does not parse is left alone: it fails as written */
        if (!cond_parse(a, r->conds[i].text, r->conds[i].len, NULL))
            continue;
        sbuf b = SBUF_INIT;
        sb_putc(&b, '(');
        sb_putn(&b, r->conds[i].text, r->conds[i].len);
        sb_puts(&b, ") and (");
        sb_puts(&b, sb_cstr(&fc));
        sb_putc(&b, ')');
        conds[i].text = arena_strndup(a, b.p, b.len);
        conds[i].len = b.len;
        sb_free(&b);
    }
    sb_free(&fc);
    r->dets = dets;
    r->ndets += f->ndets;
    r->conds = conds;
}

void filters_apply(arena *a, rule_list *all)
{
    srule **uf = arena_alloc(a, sizeof *uf * (all->n ? all->n : 1));
    cnode **ast = arena_alloc(a, sizeof *ast * (all->n ? all->n : 1));
    size_t nf = 0;
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
        cerror ce;
        cnode *n = cond_parse(a, f->filter->cond.text, f->filter->cond.len, &ce);
        if (!n) {
            rule_fail(a, f, f->filter->cond.pos, "invalid condition: %s (at character %zu)", ce.message,
                      ce.pos + 1);
            continue;
        }
        const cnode *bad = filter_bad_ref(f, n);
        if (bad) {
            if (bad->kind == CN_ID)
                rule_fail(a, f, f->filter->cond.pos, "Detection '%s' not defined in the filter's detections",
                          bad->name);
            else
                rule_fail(a, f, f->filter->cond.pos, "'%s of %s' matches no detection of the filter",
                          bad->quant == CQ_ALL ? "all" : "1", bad->is_them ? "them" : bad->name);
            continue;
        }
        ast[nf] = n;
        uf[nf++] = f;
    }
    for (size_t k = 0; k < nf; k++) {
        const srule *f = uf[k];
        const char *prefix = arena_printf(a, "_filt%zu_", k + 1);
        for (size_t i = 0; i < all->n; i++) {
            srule *r = all->v[i];
            if (r->type != RT_RULE || r->error || !r->has_ls)
                continue;
            if (!ls_match(&f->ls, &r->ls) || !rules_match(f->filter, r) || applied_already(r, prefix))
                continue;
            apply_filter(a, r, f, ast[k], prefix);
        }
    }
}
