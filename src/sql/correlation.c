/* correlation.c - correlation rules as window SQL.
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
 * Windows (-c): sliding (default): for each row, the rows of its group
 * (PARTITION BY the group-by columns) whose time lies in [time - timespan,
 * time] (RANGE ... PRECEDING AND CURRENT ROW, both ends inclusive, ties
 * included); tumbling: the rows of its group in the same fixed window of
 * timespan seconds (aligned to the Unix epoch) up to this row.
 *
 * The time column's type (a table schema) chooses the frame: a timestamp
 * (or no schema) RANGE BETWEEN INTERVAL 'N' SECOND PRECEDING; an integer
 * (epoch milliseconds) RANGE BETWEEN N*1000 PRECEDING; ISO-8601 text and a
 * date are ordered by the timestamp they hold. Branches whose tables give
 * the time different types each select it as a timestamp with time zone.
 *
 * Output (-O correlation_output): events (default) returns the rows whose
 * window satisfies the condition; alerts returns one row per group and
 * alert: the firing rows of a group merged while each is within timespan of
 * the previous one (one per fixed window for tumbling), with the group-by
 * values, the first and last event time, the number of events and the
 * type's value over the alert's events. With a time window (window.h) the
 * branches read window + timespan and only rows / alerts ending inside the
 * window are returned.
 *
 * Chaining: a referenced correlation is computed as alerts in CTEs of its
 * own (names prefixed chainN_), whose rows are events of this one: their
 * time is the alert's last event time, their columns the alert's.
 *
 * The fields (time, group-by, aliases, value) go through the dialect's
 * column slot like every field; the window text itself is Trino's, the one
 * dialect there is (a second would move these templates behind
 * sql_dialect). docs/correlations.md has every type's SQL and semantics. */
#include "correlation.h"

#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "athena.h"
#include "quote.h"
#include "window.h"

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

typedef struct ccol {
    const char *name;  /* column name in combined_events */
    spos pos;          /* where the correlation names it */
    const char **src;  /* per reference: that rule's field for the column */
    spos *srcpos;
    const char *sql;   /* the column as the CTEs after combined_events name it */
} ccol;

typedef struct cplan cplan;
struct cplan {
    sql_ctx *c;
    const sql_dialect *d;
    const srule *r;
    const correlation *co;
    const corr_ref *refs; /* co->refs, resolved by correlation_resolve */
    size_t nrefs;
    ccol *cols; /* [0] the time field, then group-by names, then the value field */
    size_t ncols;
    size_t *group; /* indices into cols, one per group-by entry (deduplicated) */
    size_t ngroup;
    size_t value;  /* index into cols, or (size_t)-1 */
    bool star;     /* branches select * */
    bool rule_col; /* branches carry correlation_rule */
    sql_time_kind *tk; /* per reference: how its table holds the time */
    sql_time_kind time; /* the same for every reference, else a timestamp: */
    bool mixed;         /* the references differ, each branch selects its time as one */
    const char *order; /* the time as the windows order by it */
    const char *span;  /* the frame's extent: INTERVAL 'N' SECOND, or N*1000 */
    bool tumbling;     /* -c tumbling */
    /* chaining and time windows */
    const char *prefix; /* of the CTE names: "" for the query's correlation, chainN_ for one it references */
    long long extend;   /* seconds the scans reach back before the window's start */
    cplan **inner;      /* per reference: the plan of a referenced correlation, else NULL */
    int depth;
    int *chains;        /* numbers the referenced correlations of one query */
    const char *last;   /* the last window CTE, and */
    const char *fire;   /* the condition its rows fire on */
};

static long ref_index(const cplan *P, const char *key)
{
    return correlation_ref_index(P->co, key);
}

/* True if the condition is a plain conjunction of identifiers. */
static bool ext_is_conjunction(const cnode *n)
{
    if (n->kind == CN_ID)
        return true;
    return n->kind == CN_AND && ext_is_conjunction(n->l) && ext_is_conjunction(n->r);
}

/* A CTE name of this plan. */
static const char *cte(const cplan *P, const char *name)
{
    return arena_printf(P->c->a, "%s%s", P->prefix, name);
}

/* ------------------------------------------------------------ alert columns */

/* The value column of a type's alerts (NULL for event_count). */
static const char *value_column(corr_type t)
{
    switch (t) {
    case CT_VALUE_COUNT: return "correlation_value_count";
    case CT_VALUE_SUM: return "correlation_value_sum";
    case CT_VALUE_AVG: return "correlation_value_avg";
    case CT_VALUE_PERCENTILE: return "correlation_value_percentile";
    case CT_VALUE_MEDIAN: return "correlation_value_median";
    case CT_TEMPORAL:
    case CT_TEMPORAL_ORDERED: return "correlation_rule_count";
    case CT_EVENT_COUNT: break;
    }
    return NULL;
}

/* The name under which the alerts of plan Q have a column: one of its
 * group-by names or its own columns; NULL if it has none of that name. */
static const char *alert_column(const cplan *Q, const char *name)
{
    static const char *const fixed[] = {"sigma_rule", "correlation_first_time", "correlation_last_time",
                                        "correlation_event_count"};
    for (size_t j = 0; j < Q->ngroup; j++)
        if (strcmp(Q->cols[Q->group[j]].name, name) == 0)
            return name;
    for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
        if (strcmp(fixed[j], name) == 0)
            return name;
    const char *v = value_column(Q->co->type);
    return v && strcmp(v, name) == 0 ? name : NULL;
}

static bool no_alert_column(cplan *P, size_t i, const char *name, spos pos)
{
    const cplan *Q = P->inner[i];
    sbuf have = SBUF_INIT;
    sb_puts(&have, "sigma_rule");
    for (size_t j = 0; j < Q->ngroup; j++)
        sb_printf(&have, ", %s", Q->cols[Q->group[j]].name);
    sb_puts(&have, ", correlation_first_time, correlation_last_time, correlation_event_count");
    if (value_column(Q->co->type))
        sb_printf(&have, ", %s", value_column(Q->co->type));
    bool ok = sql_fail(P->c, pos, "'%s' is not a column of the alerts of correlation '%s' (they have %s)", name,
                       P->refs[i].ref, sb_cstr(&have));
    sb_free(&have);
    return ok;
}

/* ------------------------------------------------------------ columns */

static size_t add_col(cplan *P, const char *name, spos pos)
{
    for (size_t i = 0; i < P->ncols; i++)
        if (strcmp(P->cols[i].name, name) == 0)
            return i;
    P->cols[P->ncols].name = name;
    P->cols[P->ncols].pos = pos;
    return P->ncols++;
}

/* A field of a referenced rule's table as a value (its resolution). */
static bool table_col(cplan *P, const char *table, const char *field, spos pos, sql_col *out)
{
    sql_ctx *c = P->c;
    const char *keep = c->table;
    c->table = table;
    bool ok = sql_column(c, P->d, field, SQL_USE_VALUE, pos, out);
    c->table = keep;
    return ok;
}

static const char *table_value(cplan *P, const char *table, const char *field, spos pos)
{
    sql_col col;
    return table_col(P, table, field, pos, &col) ? col.expr : NULL;
}

/* A name as an SQL identifier. */
static const char *ident(const cplan *P, const char *name)
{
    sbuf t = SBUF_INIT;
    sql_ident_part(&t, name, strlen(name));
    return sb_to_arena(&t, P->c->a);
}

/* Column k as branch i selects it: a field of the rule's table, or a
 * column of the referenced correlation's alerts. */
static const char *branch_value(cplan *P, size_t i, size_t k)
{
    const ccol *col = &P->cols[k];
    if (!P->inner[i])
        return table_value(P, P->refs[i].rule->table, col->src[i], col->srcpos[i]);
    const char *name = k == 0 ? "correlation_last_time" : alert_column(P->inner[i], col->src[i]);
    if (!name) {
        no_alert_column(P, i, col->src[i], col->srcpos[i]);
        return NULL;
    }
    return ident(P, name);
}

/* The time field on each reference: its kind (the column slot's type of
 * the field in the rule's table; a referenced correlation's alerts hold the
 * time the way its own window orders it), and the window's order
 * expression and extent. */
static bool plan_time(cplan *P)
{
    sql_ctx *c = P->c;
    const ccol *tc = &P->cols[0];
    P->tk = arena_alloc(c->a, sizeof *P->tk * P->nrefs);
    for (size_t i = 0; i < P->nrefs; i++) {
        sql_time_kind k = SQL_TIME_TIMESTAMP;
        if (P->inner[i]) {
            k = P->inner[i]->time == SQL_TIME_MILLIS ? SQL_TIME_MILLIS : SQL_TIME_TIMESTAMP;
        } else {
            const char *table = P->refs[i].rule->table;
            sql_col col;
            if (!table_col(P, table, tc->src[i], tc->srcpos[i], &col))
                return false;
            if (!sql_col_time_kind(&col, &k))
                return sql_fail(c, tc->srcpos[i],
                                "time field '%s' of table %s is %s: a correlation window needs a timestamp, an "
                                "epoch-milliseconds integer or ISO-8601 text (-O time_field)",
                                tc->src[i], table ? table : "<TABLE>",
                                col.many ? "inside an array" : athena_type_name(c->a, &col));
        }
        P->tk[i] = k;
        P->mixed = P->mixed || (i && k != P->time);
        P->time = P->mixed ? SQL_TIME_TIMESTAMP : k;
    }
    if (P->mixed)
        P->star = false;
    return true;
}

static const char *correlation_type_name(corr_type t)
{
    static const char *const names[] = {"event_count", "value_count",      "temporal",     "temporal_ordered",
                                        "value_sum",   "value_avg",        "value_percentile", "value_median"};
    return (size_t)t < sizeof names / sizeof *names ? names[t] : "this correlation";
}

/* Group-by and value fields need one value per event; aggregated values
 * (sum, avg, percentile, median) a number. (A referenced correlation's
 * alerts have one value per alert: their columns are checked by name.) */
static bool plan_values(cplan *P)
{
    sql_ctx *c = P->c;
    bool numeric = P->co->type == CT_VALUE_SUM || P->co->type == CT_VALUE_AVG ||
                   P->co->type == CT_VALUE_PERCENTILE || P->co->type == CT_VALUE_MEDIAN;
    for (size_t k = 1; k < P->ncols; k++) {
        const ccol *col = &P->cols[k];
        for (size_t i = 0; i < P->nrefs; i++) {
            if (P->inner[i])
                continue;
            const char *table = P->refs[i].rule->table;
            sql_col v;
            if (!table_col(P, table, col->src[i], col->srcpos[i], &v))
                return false;
            if (v.many || v.type == SQL_T_COMPLEX)
                return sql_fail(c, col->srcpos[i],
                                "field '%s' of table %s has no single value per event (%s): it cannot be a "
                                "group-by or value field",
                                col->src[i], table ? table : "<TABLE>",
                                v.many ? "it is inside an array" : "a struct or map");
            if (numeric && k == P->value && v.type != SQL_T_UNKNOWN && v.type != SQL_T_INTEGER &&
                v.type != SQL_T_NUMBER)
                return sql_fail(c, col->srcpos[i], "value field '%s' of table %s is %s: %s needs a number",
                                col->src[i], table ? table : "<TABLE>", athena_type_name(c->a, &v),
                                correlation_type_name(P->co->type));
        }
    }
    return true;
}

/* The order expression and frame extent, once the columns are named. */
static void plan_order(cplan *P)
{
    arena *a = P->c->a;
    const char *t = P->cols[0].sql;
    long long span = P->co->timespan;
    P->order = P->time == SQL_TIME_ISO    ? arena_printf(a, "TRY(from_iso8601_timestamp(%s))", t)
               : P->time == SQL_TIME_DATE ? arena_printf(a, "CAST(%s AS TIMESTAMP)", t)
                                          : t;
    P->span = P->time == SQL_TIME_MILLIS ? arena_printf(a, "%lld", span * 1000) : arena_printf(a, "INTERVAL '%lld' SECOND", span);
}

/* How the window's time (P->order) is compared with a window's bounds. */
static sql_time_kind order_kind(const cplan *P)
{
    return P->time == SQL_TIME_MILLIS ? SQL_TIME_MILLIS : SQL_TIME_TIMESTAMP;
}

/* A branch's time value: as its table holds it, or (mixed kinds) as a
 * timestamp with time zone. */
static const char *branch_time(const cplan *P, size_t i, const char *e)
{
    arena *a = P->c->a;
    if (!P->mixed)
        return e;
    switch (P->tk[i]) {
    case SQL_TIME_MILLIS:
        return arena_printf(a, "from_unixtime(%s / 1000.0)", e);
    case SQL_TIME_ISO:
        return arena_printf(a, "TRY(from_iso8601_timestamp(%s))", e);
    case SQL_TIME_DATE:
        return arena_printf(a, "CAST(CAST(%s AS TIMESTAMP) AS TIMESTAMP WITH TIME ZONE)", e);
    case SQL_TIME_TIMESTAMP:
        break;
    }
    return arena_printf(a, "CAST(%s AS TIMESTAMP WITH TIME ZONE)", e);
}

/* How the CTEs after combined_events name each column: the table's own
 * column when every branch selects `*` from one table, else the name the
 * branches give it. */
static bool col_names(cplan *P)
{
    for (size_t k = 0; k < P->ncols; k++) {
        ccol *col = &P->cols[k];
        if (P->star) {
            col->sql = table_value(P, P->refs[0].rule->table, col->name, col->pos);
            if (!col->sql)
                return false;
        } else {
            col->sql = ident(P, col->name);
        }
    }
    return true;
}

static bool plan_correlation(sql_ctx *c, cplan *P);

/* Plans of the referenced correlations (chaining), each with CTE names of
 * its own and scans reaching back its timespan further. */
static bool plan_inner(cplan *P)
{
    sql_ctx *c = P->c;
    P->inner = arena_alloc(c->a, sizeof *P->inner * P->nrefs);
    for (size_t i = 0; i < P->nrefs; i++) {
        const srule *x = P->refs[i].rule;
        if (x->type != RT_CORRELATION)
            continue;
        if (P->depth >= SIGMA_MAX_REF_DEPTH)
            return sql_fail(c, P->refs[i].pos, "correlations chained more than %d deep", SIGMA_MAX_REF_DEPTH);
        cplan *Q = arena_alloc(c->a, sizeof *Q);
        *Q = (cplan){.c = c, .d = P->d, .r = x, .co = x->corr, .refs = x->corr->refs, .nrefs = x->corr->nrefs,
                     .depth = P->depth + 1, .chains = P->chains, .extend = P->extend + x->corr->timespan,
                     .tumbling = P->tumbling};
        Q->prefix = arena_printf(c->a, "chain%d_", ++*P->chains);
        if (!plan_correlation(c, Q)) {
            if (P->depth == 0) { /* at the reference of the query's own correlation */
                c->err.message = arena_printf(c->a, "referenced correlation '%s': %s", P->refs[i].ref, c->err.message);
                c->err.pos = P->refs[i].pos;
            }
            return false;
        }
        P->inner[i] = Q;
        P->star = false;
    }
    return true;
}

static bool plan_columns(sql_ctx *c, cplan *P)
{
    const correlation *co = P->co;
    /* every alias key must name a referenced rule */
    for (size_t i = 0; i < co->naliases; i++) {
        const corr_alias *al = &co->aliases[i];
        for (size_t j = 0; j < al->n; j++)
            if (ref_index(P, al->e[j].rule) < 0)
                return sql_fail(c, al->e[j].rule_pos,
                                "alias '%s' maps rule '%s', which this correlation does not reference", al->alias,
                                al->e[j].rule);
    }
    P->cols = arena_alloc(c->a, sizeof *P->cols * (co->ngroup_by + 2));
    P->group = arena_alloc(c->a, sizeof *P->group * (co->ngroup_by + 1));
    add_col(P, c->opt->time_field, P->r->pos);
    for (size_t i = 0; i < co->ngroup_by; i++) {
        const char *g = co->group_by[i].name;
        if (!*g)
            return sql_fail(c, co->group_by[i].pos, "empty group-by field name");
        if (strcmp(g, c->opt->time_field) == 0)
            return sql_fail(c, co->group_by[i].pos,
                            "group-by field '%s' is the time field of the window (-O time_field)", g);
        size_t k = add_col(P, g, co->group_by[i].pos), j;
        for (j = 0; j < P->ngroup; j++)
            if (P->group[j] == k)
                break;
        if (j == P->ngroup)
            P->group[P->ngroup++] = k;
    }
    P->value = (size_t)-1;
    if (co->cond.nfields) {
        const char *f = co->cond.fields[0];
        spos fpos = co->cond.field_pos;
        if (!*f)
            return sql_fail(c, fpos, "empty condition field name");
        if (strcmp(f, c->opt->time_field) == 0)
            return sql_fail(c, fpos, "condition field '%s' is the time field of the window (-O time_field)", f);
        P->value = add_col(P, f, fpos);
    }
    /* sources per reference: aliases apply to group-by and value columns */
    P->star = true;
    for (size_t k = 0; k < P->ncols; k++) {
        ccol *col = &P->cols[k];
        col->src = arena_alloc(c->a, sizeof *col->src * P->nrefs);
        col->srcpos = arena_alloc(c->a, sizeof *col->srcpos * P->nrefs);
        const corr_alias *al = NULL;
        if (k > 0)
            for (size_t i = 0; i < co->naliases; i++)
                if (strcmp(co->aliases[i].alias, col->name) == 0)
                    al = &co->aliases[i];
        for (size_t i = 0; i < P->nrefs; i++) {
            col->src[i] = col->name;
            col->srcpos[i] = col->pos;
            if (al)
                for (size_t j = 0; j < al->n; j++)
                    if (ref_index(P, al->e[j].rule) == (long)i) {
                        col->src[i] = al->e[j].field;
                        col->srcpos[i] = al->e[j].field_pos;
                    }
            if (!*col->src[i])
                return sql_fail(c, co->aliases_pos, "alias '%s' maps rule '%s' to an empty field name",
                                col->name, P->refs[i].ref);
            if (strcmp(col->src[i], col->name) != 0)
                P->star = false;
        }
    }
    for (size_t i = 1; i < P->nrefs; i++)
        if (!str_eq(P->refs[i].rule->table, P->refs[0].rule->table))
            P->star = false;
    P->rule_col = co->type == CT_TEMPORAL || co->type == CT_TEMPORAL_ORDERED;
    if (!plan_inner(P))
        return false;
    /* the columns a referenced correlation's alerts must have */
    for (size_t i = 0; i < P->nrefs; i++)
        for (size_t k = 1; P->inner[i] && k < P->ncols; k++)
            if (!alert_column(P->inner[i], P->cols[k].src[i]))
                return no_alert_column(P, i, P->cols[k].src[i], P->cols[k].srcpos[i]);
    if (!plan_time(P) || !plan_values(P) || !col_names(P))
        return false;
    plan_order(P);
    return true;
}

/* ------------------------------------------------------------ SQL pieces */

/* A column of combined_events as later CTEs refer to it. */
static void put_col(const cplan *P, sbuf *b, size_t k)
{
    sb_puts(b, P->cols[k].sql);
}

/* The fixed window (tumbling) of a time t: its number since the epoch. */
static void put_bucket(const cplan *P, sbuf *b, const char *t)
{
    if (P->time == SQL_TIME_MILLIS)
        sb_printf(b, "floor(%s / %lld.0)", t, P->co->timespan * 1000);
    else
        sb_printf(b, "floor(to_unixtime(%s) / %lld)", t, P->co->timespan);
}

/* PARTITION BY the group (and, tumbling, the fixed window of `t`) */
static void put_partition(const cplan *P, sbuf *b, const char *const *group, const char *t)
{
    if (!P->ngroup && !P->tumbling)
        return;
    sb_puts(b, "PARTITION BY ");
    for (size_t i = 0; i < P->ngroup; i++) {
        if (i)
            sb_puts(b, ", ");
        if (group)
            sb_puts(b, group[i]);
        else
            put_col(P, b, P->group[i]);
    }
    if (P->tumbling) {
        if (P->ngroup)
            sb_puts(b, ", ");
        put_bucket(P, b, t);
    }
    sb_putc(b, ' ');
}

static void put_window(const cplan *P, sbuf *b)
{
    sb_puts(b, "OVER (");
    put_partition(P, b, NULL, P->order);
    if (P->tumbling)
        sb_printf(b, "ORDER BY %s RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)", P->order);
    else
        sb_printf(b, "ORDER BY %s RANGE BETWEEN %s PRECEDING AND CURRENT ROW)", P->order, P->span);
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

/* The WHERE of a referenced rule's branch: its conditions (OR-ed), after
 * the time window reaching back P->extend seconds. */
static bool put_rule_where(cplan *P, sbuf *b, size_t i)
{
    sql_ctx *c = P->c;
    const corr_ref *f = &P->refs[i];
    const srule *x = f->rule;
    sql_ctx sub = {.a = c->a, .opt = c->opt, .rule = x, .d = P->d, .table = x->table, .collect = c->collect};
    xnode *t = sql_rule_tree(&sub, x);
    bool ok = t && sql_render_where(&sub, P->d, b, t, x->table, P->extend, x->pos);
    sql_take_notes(c, &sub);
    if (!ok)
        return sql_fail(c, f->pos, "referenced rule '%s': %s", f->ref,
                        sub.err.message ? sub.err.message : "the rule has no condition");
    return true;
}

/* One branch per referenced rule. A rule with a condition list matches an
 * event if any of its conditions does: the conditions are OR-ed, so that an
 * event is one row per rule however many conditions it satisfies. A
 * referenced correlation's branch reads its alerts. */
static bool put_branches(cplan *P, sbuf *b)
{
    sql_ctx *c = P->c;
    for (size_t i = 0; i < P->nrefs; i++) {
        const corr_ref *f = &P->refs[i];
        const srule *x = f->rule;
        if (i)
            sb_puts(b, " UNION ALL ");
        sb_puts(b, "SELECT ");
        if (P->star) {
            sb_putc(b, '*');
        } else {
            for (size_t j = 0; j < P->ncols; j++) {
                const ccol *col = &P->cols[j];
                if (j)
                    sb_puts(b, ", ");
                const char *e = branch_value(P, i, j);
                if (!e)
                    return false;
                if (j == 0)
                    e = branch_time(P, i, e);
                sb_puts(b, e);
                if (strcmp(e, col->sql) != 0) {
                    sb_puts(b, " AS ");
                    sb_puts(b, col->sql);
                }
            }
        }
        if (P->rule_col) {
            sb_puts(b, ", ");
            sql_str(b, f->ref, strlen(f->ref));
            sb_puts(b, " AS correlation_rule");
        }
        sb_puts(b, " FROM ");
        if (P->inner[i]) {
            sb_puts(b, cte(P->inner[i], "alerts"));
        } else {
            sb_puts(b, x->table ? x->table : "<TABLE>");
            sb_puts(b, " WHERE ");
            if (!put_rule_where(P, b, i))
                return false;
        }
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

/* The condition text of put_cond on a column, as a string. */
static const char *cond_sql(const cplan *P, const char *col)
{
    sbuf t = SBUF_INIT;
    put_cond(P, &t, col);
    return sb_to_arena(&t, P->c->a);
}

/* The window CTEs of the type, after combined_events: sets P->last (the
 * last CTE) and P->fire (the condition on its rows). */
static void put_type_ctes(cplan *P, sbuf *b)
{
    const correlation *co = P->co;
    arena *a = P->c->a;
    const char *events = cte(P, "combined_events");
    sbuf v = SBUF_INIT; /* the value column as CTEs refer to it */
    if (P->value != (size_t)-1)
        put_col(P, &v, P->value);
    const char *val = sb_cstr(&v);
    switch (co->type) {
    case CT_EVENT_COUNT:
        P->last = cte(P, "event_counts");
        sb_printf(b, "%s AS (SELECT *, COUNT(*) ", P->last);
        put_window(P, b);
        sb_printf(b, " as correlation_event_count FROM %s)", events);
        P->fire = cond_sql(P, "correlation_event_count");
        break;
    case CT_VALUE_COUNT:
        P->last = cte(P, "value_counts");
        sb_printf(b, "%s AS (SELECT *, cardinality(array_distinct(array_agg(%s) ", P->last, val);
        put_window(P, b);
        sb_printf(b, ")) as correlation_value_count FROM %s WHERE %s IS NOT NULL)", events, val);
        P->fire = cond_sql(P, "correlation_value_count");
        break;
    case CT_VALUE_SUM:
    case CT_VALUE_AVG: {
        bool sum = co->type == CT_VALUE_SUM;
        P->last = cte(P, sum ? "value_sums" : "value_averages");
        sb_printf(b, "%s AS (SELECT *, %s(%s) ", P->last, sum ? "SUM" : "AVG", val);
        put_window(P, b);
        sb_printf(b, " as %s FROM %s WHERE %s IS NOT NULL)", sum ? "correlation_value_sum" : "correlation_value_avg",
                  events, val);
        P->fire = cond_sql(P, sum ? "correlation_value_sum" : "correlation_value_avg");
        break;
    }
    case CT_VALUE_PERCENTILE:
    case CT_VALUE_MEDIAN: {
        const char *windows = cte(P, "value_windows");
        sb_printf(b, "%s AS (SELECT *, array_sort(array_agg(%s) ", windows, val);
        put_window(P, b);
        sb_printf(b, ") as correlation_values FROM %s WHERE %s IS NOT NULL), ", events, val);
        if (co->type == CT_VALUE_PERCENTILE) {
            /* nearest rank: the smallest value with at least p% of the values <= it */
            P->last = cte(P, "value_percentiles");
            sb_printf(b,
                      "%s AS (SELECT *, correlation_values[greatest(1, CAST(ceiling("
                      "cardinality(correlation_values) * %s / 100.0) AS INTEGER))] as correlation_value_percentile "
                      "FROM %s)",
                      P->last, co->cond.percentile, windows);
            P->fire = cond_sql(P, "correlation_value_percentile");
        } else {
            P->last = cte(P, "value_medians");
            sb_printf(b,
                      "%s AS (SELECT *, (correlation_values[CAST(floor((cardinality(correlation_values) "
                      "+ 1) / 2.0) AS INTEGER)] + correlation_values[CAST(ceiling((cardinality(correlation_values) "
                      "+ 1) / 2.0) AS INTEGER)]) / 2.0 as correlation_value_median FROM %s)",
                      P->last, windows);
            P->fire = cond_sql(P, "correlation_value_median");
        }
        break;
    }
    case CT_TEMPORAL:
        if (co->ext) {
            P->last = cte(P, "rule_matches");
            sb_printf(b, "%s AS (SELECT *", P->last);
            for (size_t k = 0; k < P->nrefs; k++) {
                sb_puts(b, ", max(CASE WHEN correlation_rule = ");
                sql_str(b, P->refs[k].ref, strlen(P->refs[k].ref));
                sb_puts(b, " THEN 1 ELSE 0 END) ");
                put_window(P, b);
                sb_printf(b, " as correlation_seen_%zu", k + 1);
            }
            sb_printf(b, " FROM %s)", events);
            sbuf t = SBUF_INIT;
            put_ext(P, &t, co->ext, 0);
            P->fire = sb_to_arena(&t, a);
        } else {
            P->last = cte(P, "rule_counts");
            sb_printf(b, "%s AS (SELECT *, cardinality(array_distinct(array_agg(correlation_rule) ", P->last);
            put_window(P, b);
            sb_printf(b, ")) as correlation_rule_count FROM %s)", events);
            P->fire = co->has_cond ? cond_sql(P, "correlation_rule_count")
                                   : arena_printf(a, "correlation_rule_count >= %zu", P->nrefs);
        }
        break;
    case CT_TEMPORAL_ORDERED: {
        /* correlation_chain_k, on rows of rule k: the latest start time of a
         * chain rule1 <= rule2 <= ... <= rule k ending at this row, whose
         * elements all lie in this row's window; NULL if there is none. */
        for (size_t k = 0; k < P->nrefs; k++) {
            if (k)
                sb_puts(b, ", ");
            sb_printf(b, "%s AS (SELECT *, CASE WHEN correlation_rule = ", cte(P, arena_printf(a, "ordered_%zu", k + 1)));
            sql_str(b, P->refs[k].ref, strlen(P->refs[k].ref));
            sb_puts(b, " THEN ");
            if (k == 0) {
                sb_puts(b, P->order);
            } else {
                sb_printf(b, "max(correlation_chain_%zu) ", k);
                put_window(P, b);
            }
            sb_printf(b, " END as correlation_chain_%zu FROM %s)", k + 1,
                      k == 0 ? events : cte(P, arena_printf(a, "ordered_%zu", k)));
        }
        P->last = cte(P, arena_printf(a, "ordered_%zu", P->nrefs));
        /* a tumbling window holds the whole chain by construction */
        P->fire = P->tumbling ? arena_printf(a, "correlation_chain_%zu IS NOT NULL", P->nrefs)
                              : arena_printf(a, "correlation_chain_%zu >= %s - %s", P->nrefs, P->order, P->span);
        break;
    }
    }
    sb_free(&v);
}

/* ------------------------------------------------------------ alerts */

/* correlation_group_1, ... */
static const char *const *group_names(const cplan *P)
{
    const char **g = arena_alloc(P->c->a, sizeof *g * (P->ngroup + 1));
    for (size_t i = 0; i < P->ngroup; i++)
        g[i] = arena_printf(P->c->a, "correlation_group_%zu", i + 1);
    return g;
}

/* The type's value over an alert's events e (NULL for event_count). */
static const char *alert_value(const cplan *P)
{
    arena *a = P->c->a;
    const char *v = "e.correlation_value", *sorted = "(array_sort(array_agg(e.correlation_value)))";
    switch (P->co->type) {
    case CT_VALUE_COUNT: return arena_printf(a, "cardinality(array_distinct(array_agg(%s)))", v);
    case CT_VALUE_SUM: return arena_printf(a, "sum(%s)", v);
    case CT_VALUE_AVG: return arena_printf(a, "avg(%s)", v);
    case CT_VALUE_PERCENTILE:
        return arena_printf(a, "%s[greatest(1, CAST(ceiling(count(*) * %s / 100.0) AS INTEGER))]", sorted,
                            P->co->cond.percentile);
    case CT_VALUE_MEDIAN:
        return arena_printf(a,
                            "(%s[CAST(floor((count(*) + 1) / 2.0) AS INTEGER)] + %s[CAST(ceiling((count(*) + 1) "
                            "/ 2.0) AS INTEGER)]) / 2.0",
                            sorted, sorted);
    case CT_TEMPORAL:
    case CT_TEMPORAL_ORDERED: return "cardinality(array_distinct(array_agg(e.correlation_rule)))";
    case CT_EVENT_COUNT: break;
    }
    return NULL;
}

/* The rule's name in its alerts: id, else name, else title. */
static const char *rule_label(const srule *r)
{
    return r->id ? r->id : r->name ? r->name : r->title ? r->title : "";
}

/* The CTEs that turn firing rows into alerts, after the type's CTEs. */
static void put_alert_ctes(cplan *P, sbuf *b)
{
    const char *const *g = group_names(P);
    const char *windows = cte(P, "correlation_windows"), *fired = cte(P, "correlation_fired");
    const char *ids = cte(P, "correlation_alert_ids"), *spans = cte(P, "correlation_spans");
    /* every row of the frames, with its frame's first time and the group,
     * time and value under fixed names */
    sb_printf(b, ", %s AS (SELECT *, min(%s) ", windows, P->order);
    put_window(P, b);
    sb_puts(b, " AS correlation_window_start");
    for (size_t i = 0; i < P->ngroup; i++) {
        sb_puts(b, ", ");
        put_col(P, b, P->group[i]);
        sb_printf(b, " AS %s", g[i]);
    }
    sb_printf(b, ", %s AS correlation_time", P->order);
    if (P->value != (size_t)-1) {
        sb_puts(b, ", ");
        put_col(P, b, P->value);
        sb_puts(b, " AS correlation_value");
    }
    sb_printf(b, " FROM %s)", P->last);
    /* the firing rows; a row starts a new alert unless the group's previous
     * firing row is within timespan (sliding) or in the same fixed window */
    sb_printf(b, ", %s AS (SELECT *, CASE WHEN lag(correlation_time) OVER (", fired);
    put_partition(P, b, g, "correlation_time");
    sb_printf(b, "ORDER BY correlation_time) >= correlation_time - %s THEN 0 ELSE 1 END AS correlation_new FROM %s "
                 "WHERE %s)",
              P->span, windows, P->fire);
    sb_printf(b, ", %s AS (SELECT *, sum(correlation_new) OVER (", ids);
    put_partition(P, b, g, "correlation_time");
    sb_printf(b, "ORDER BY correlation_time RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS correlation_alert "
                 "FROM %s)",
              fired);
    sb_puts(b, ", ");
    sb_printf(b, "%s AS (SELECT ", spans);
    for (size_t i = 0; i < P->ngroup; i++)
        sb_printf(b, "%s, ", g[i]);
    sb_printf(b, "min(correlation_window_start) AS correlation_first_time, max(correlation_time) AS "
                 "correlation_last_time FROM %s GROUP BY ",
              ids);
    for (size_t i = 0; i < P->ngroup; i++)
        sb_printf(b, "%s, ", g[i]);
    if (P->tumbling) {
        put_bucket(P, b, "correlation_time");
        sb_puts(b, ", ");
    }
    sb_puts(b, "correlation_alert)");
}

/* SELECT of the alerts: one row per alert, its events joined back from
 * correlation_windows by group and time. with_window: only alerts ending
 * inside the time window. */
static void put_alert_select(cplan *P, sbuf *b, bool with_window)
{
    const char *const *g = group_names(P);
    sb_puts(b, "SELECT ");
    const char *label = rule_label(P->r);
    sql_str(b, label, strlen(label));
    sb_puts(b, " AS sigma_rule");
    for (size_t i = 0; i < P->ngroup; i++) {
        const char *name = P->cols[P->group[i]].name;
        sb_printf(b, ", s.%s AS ", g[i]);
        sql_ident_part(b, name, strlen(name));
    }
    sb_puts(b, ", s.correlation_first_time, s.correlation_last_time, count(*) AS correlation_event_count");
    const char *v = alert_value(P);
    if (v)
        sb_printf(b, ", %s AS %s", v, value_column(P->co->type));
    sb_printf(b, " FROM %s s JOIN %s e ON ", cte(P, "correlation_spans"), cte(P, "correlation_windows"));
    for (size_t i = 0; i < P->ngroup; i++)
        sb_printf(b, "s.%s IS NOT DISTINCT FROM e.%s AND ", g[i], g[i]);
    sb_puts(b, "e.correlation_time BETWEEN s.correlation_first_time AND s.correlation_last_time");
    if (with_window && sql_window_set(P->c->opt)) {
        sb_puts(b, " WHERE ");
        sql_window_value(b, P->c->opt, order_kind(P), "s.correlation_last_time");
    }
    sb_puts(b, " GROUP BY ");
    for (size_t i = 0; i < P->ngroup; i++)
        sb_printf(b, "s.%s, ", g[i]);
    sb_puts(b, "s.correlation_first_time, s.correlation_last_time");
}

/* The CTEs of a plan: those of the correlations it references (each ending
 * in its alerts), then combined_events and the window CTEs. */
static bool put_ctes(cplan *P, sbuf *b)
{
    for (size_t i = 0; i < P->nrefs; i++) {
        cplan *Q = P->inner[i];
        if (!Q)
            continue;
        if (!put_ctes(Q, b))
            return false;
        put_alert_ctes(Q, b);
        sb_printf(b, ", %s AS (", cte(Q, "alerts"));
        put_alert_select(Q, b, false);
        sb_puts(b, "), ");
    }
    sb_printf(b, "%s AS (", cte(P, "combined_events"));
    if (!put_branches(P, b))
        return false;
    sb_puts(b, "), ");
    put_type_ctes(P, b);
    return true;
}

static bool build(cplan *P, sbuf *b)
{
    sql_ctx *c = P->c;
    sb_puts(b, "WITH ");
    if (!put_ctes(P, b))
        return false;
    if (c->opt->corr_output == SQL_CORR_ALERTS) {
        put_alert_ctes(P, b);
        sb_putc(b, ' ');
        put_alert_select(P, b, true);
    } else {
        sb_printf(b, " SELECT * FROM %s WHERE %s", P->last, P->fire);
        if (sql_window_set(c->opt)) {
            sb_puts(b, " AND ");
            sql_window_value(b, c->opt, order_kind(P), P->order);
        }
    }
    if (b->len > SIGMA_MAX_QUERY_SIZE)
        return sql_fail(c, P->r->pos, "query too large (limit %u bytes)", SIGMA_MAX_QUERY_SIZE);
    return true;
}

static bool check_type(sql_ctx *c, cplan *P)
{
    const correlation *co = P->co;
    if (co->type == CT_TEMPORAL_ORDERED) {
        if (co->ext) {
            if (!ext_is_conjunction(co->ext))
                return sql_fail(c, co->cond_pos,
                                "temporal_ordered supports only conditions that require every rule in order "
                                "('a and b and c'), not or/not");
        } else if (co->has_cond) {
            /* the condition must mean "all rules" */
            bool ok = cond_holds(&co->cond, (double)P->nrefs);
            for (size_t k = 0; ok && k < P->nrefs; k++)
                if (cond_holds(&co->cond, (double)k))
                    ok = false;
            if (!ok)
                return sql_fail(c, co->cond_pos,
                                "temporal_ordered matches when all %zu rules occur in order; its condition must "
                                "mean that (e.g. gte: %zu)",
                                P->nrefs, P->nrefs);
        }
    }
    return true;
}

static bool plan_correlation(sql_ctx *c, cplan *P)
{
    return check_type(c, P) && plan_columns(c, P);
}

bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const char ***out, size_t *nout)
{
    const correlation *co = r->corr;
    int chains = 0;
    cplan P = {.c = c, .d = d, .r = r, .co = co, .refs = co->refs, .nrefs = co->nrefs, .prefix = "",
               .extend = co->timespan, .chains = &chains, .tumbling = c->opt->corr_method == SQL_CORR_TUMBLING};
    c->d = d;
    if (!plan_correlation(c, &P))
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
