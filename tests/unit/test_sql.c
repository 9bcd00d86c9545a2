/* test_sql.c - the field-resolution seam of the SQL layer: every place a
 * Sigma field becomes SQL goes through the dialect's `column` slot, with
 * the table of its query and the position of the field in the rule. A test
 * dialect wraps Athena with a resolver that writes `T.<field>` (T standing
 * for the table), wraps predicates in `any(` ... `)`, and fails on the
 * field `Unknown`; the queries must show it everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "rule/rule.h"
#include "sql/correlation.h"
#include "sql/pack.h"
#include "sql/quote.h"
#include "sql/sql.h"
#include "util/arena.h"
#include "yaml/ynode.h"

#include "t.h"

static arena *A;
static sql_dialect D;
static char seen[4096]; /* "use:field@table:line " per resolution */

static bool test_column(sql_ctx *c, const char *f, sql_use use, spos pos, sql_col *out)
{
    size_t n = strlen(seen);
    snprintf(seen + n, sizeof seen - n, "%s:%s@%s:%u ", use == SQL_USE_MATCH ? "m" : "v", f,
             c->table ? c->table : "-", pos.line);
    if (strcmp(f, "Unknown") == 0)
        return sql_fail(c, pos, "unknown field '%s'", f);
    const char *t = c->table ? c->table : "T";
    out->field = f;
    out->expr = arena_printf(c->a, "%s.%s", t, f);
    out->open = use == SQL_USE_MATCH ? "any(" : "";
    out->close = use == SQL_USE_MATCH ? ")" : "";
    out->type = SQL_T_UNKNOWN;
    return true;
}

static rule_list load(const char *text)
{
    ydoc *docs;
    size_t nd;
    yerror e;
    rule_list l = {0};
    if (yaml_load(A, text, strlen(text), &docs, &nd, &e))
        rules_from_docs(A, "r.yml", docs, nd, &l);
    return l;
}

static sql_options opts(void)
{
    static const char *kw[] = {"raw", "msg"};
    sql_options o = {.time_field = "time", .keyword_fields = kw, .n_keyword_fields = 2};
    return o;
}

/* The first query of the first rule with the test dialect, or "ERR line:col message". */
static const char *rule_sql(const char *text, const char *table)
{
    seen[0] = 0;
    rule_list l = load(text);
    if (!l.n || l.v[0]->error)
        return "(load error)";
    sql_options o = opts();
    sql_ctx c = {.a = A, .opt = &o, .rule = l.v[0]};
    const char **q;
    size_t nq;
    if (!sql_rule_queries(&c, &D, table, &q, &nq))
        return arena_printf(A, "ERR %u:%u %s", c.err.pos.line, c.err.pos.col, c.err.message);
    return nq ? q[0] : "(none)";
}

static void test_leaves(void)
{
    CHECK_STR(rule_sql("title: t\nlogsource: {product: p}\ndetection:\n  s:\n    A: x\n    B: [1, 2]\n"
                       "    C|fieldref: D\n  condition: s\n",
                       "db.events"),
              "SELECT * FROM db.events WHERE any(LOWER(db.events.A) = 'x') AND any(db.events.B IN (1, 2)) AND "
              "any(LOWER(db.events.C) = LOWER(db.events.D))");
    CHECK_STR(seen, "m:A@db.events:5 m:B@db.events:6 m:C@db.events:7 v:D@db.events:7 ");
    /* keyword columns are fields of the table too */
    CHECK_STR(rule_sql("title: t\nlogsource: {product: p}\ndetection:\n  k: [evil]\n  condition: k\n", NULL),
              "SELECT * FROM <TABLE> WHERE (any(LOWER(T.raw) LIKE '%evil%' ESCAPE '\\') OR "
              "any(LOWER(T.msg) LIKE '%evil%' ESCAPE '\\'))");
    /* the SELECT list: fields and the left side of `AS`; expressions as written */
    CHECK_STR(rule_sql("title: t\nlogsource: {product: p}\nfields: [A, B as b2, count(x)]\ndetection:\n"
                       "  s: {A: 1}\n  condition: s\n",
                       "e"),
              "SELECT e.A, e.B as b2, count(x) FROM e WHERE any(e.A = 1)");
    CHECK(strstr(seen, "v:A@e:3 v:B@e:3 ") != NULL);
    /* an error of the resolver is the rule's error, at the field */
    CHECK_STR(rule_sql("title: t\nlogsource: {product: p}\ndetection:\n  s:\n    A: 1\n    Unknown: 2\n"
                       "  condition: s\n",
                       NULL),
              "ERR 6:5 unknown field 'Unknown'");
    CHECK_STR(rule_sql("title: t\nlogsource: {product: p}\nfields: [Unknown]\ndetection:\n  s: {A: 1}\n"
                       "  condition: s\n",
                       NULL),
              "ERR 3:9 unknown field 'Unknown'");
}

/* correlation_resolve + the query of the last rule, tables set per rule */
static const char *corr_sql(const char *text, const char *const *tables)
{
    seen[0] = 0;
    rule_list l = load(text);
    for (size_t i = 0; i < l.n; i++) {
        if (l.v[i]->error)
            return "(load error)";
        l.v[i]->table = tables[i];
    }
    srule *r = l.v[l.n - 1];
    if (!correlation_resolve(A, r, &l))
        return r->error->message;
    sql_options o = opts();
    sql_ctx c = {.a = A, .opt = &o, .rule = r};
    const char **q;
    size_t nq;
    if (!sql_correlation_queries(&c, &D, r, &q, &nq))
        return arena_printf(A, "ERR %u:%u %s", c.err.pos.line, c.err.pos.col, c.err.message);
    return q[0];
}

static const char BASE[] = "title: a\nname: a\nlogsource: {product: p}\ndetection:\n  s: {A: 1}\n  condition: s\n"
                           "---\n"
                           "title: b\nname: b\nlogsource: {product: p}\ndetection:\n  s: {B: 1}\n  condition: s\n"
                           "---\n";

static void test_correlations(void)
{
    static const char *const one[] = {"ev", "ev", NULL};
    static const char *const two[] = {"ea", "eb", NULL};
    char doc[1024];
    /* one table, no alias: branches select *, the window names the table's columns */
    snprintf(doc, sizeof doc, "%stitle: c\ncorrelation:\n  type: value_count\n  rules: [a, b]\n"
                              "  group-by: [User]\n  timespan: 1m\n  condition: {field: Host, gte: 2}\n", BASE);
    const char *q = corr_sql(doc, one);
    CHECK(strstr(q, "OVER (PARTITION BY ev.User ORDER BY ev.time RANGE") != NULL);
    CHECK(strstr(q, "array_agg(ev.Host)") != NULL);
    CHECK(strstr(q, "SELECT * FROM ev WHERE any(ev.A = 1)") != NULL);
    CHECK(strstr(seen, "v:time@ev:15 v:User@ev:19 v:Host@ev:21 ") != NULL);
    /* aliases and two tables: each branch selects its rule's fields from its table */
    snprintf(doc, sizeof doc, "%stitle: c\ncorrelation:\n  type: temporal\n  rules: [a, b]\n"
                              "  aliases:\n    u:\n      a: UserA\n      b: UserB\n  group-by: [u]\n  timespan: 1m\n",
             BASE);
    q = corr_sql(doc, two);
    CHECK(strstr(q, "SELECT ea.time AS time, ea.UserA AS u, 'a' AS correlation_rule FROM ea WHERE any(ea.A = 1)") !=
          NULL);
    CHECK(strstr(q, "SELECT eb.time AS time, eb.UserB AS u, 'b' AS correlation_rule FROM eb") != NULL);
    CHECK(strstr(q, "PARTITION BY u ORDER BY time RANGE") != NULL);
    CHECK(strstr(seen, "v:UserA@ea:21 ") != NULL && strstr(seen, "v:UserB@eb:22 ") != NULL);
    /* an unknown group-by field is reported at its entry */
    snprintf(doc, sizeof doc, "%stitle: c\ncorrelation:\n  type: event_count\n  rules: [a]\n"
                              "  group-by:\n    - Host\n    - Unknown\n  timespan: 1m\n  condition: {gte: 2}\n",
             BASE);
    CHECK_STR(corr_sql(doc, one), "ERR 21:7 unknown field 'Unknown'");
}

/* The time window's column, the pack's columns and the alerts' group-by
 * and value columns come from the same slot. */
static void test_windows_packs(void)
{
    static const char *const one[] = {"ev", "ev", NULL};
    char doc[1024];
    seen[0] = 0;
    rule_list l = load("title: t\nlogsource: {product: p}\ndetection:\n  s: {A: 1}\n  condition: s\n");
    sql_options o = opts();
    o.window = (sql_window){.kind = SQL_WIN_RELATIVE, .length = 900};
    sql_ctx c = {.a = A, .opt = &o, .rule = l.v[0]};
    const char **q;
    size_t nq;
    CHECK(l.n == 1 && sql_rule_queries(&c, &D, "e", &q, &nq) && nq == 1);
    CHECK_STR(nq ? q[0] : "",
              "SELECT * FROM e WHERE e.time >= current_timestamp - INTERVAL '15' MINUTE AND any(e.A = 1)");
    CHECK_STR(seen, "v:time@e:1 m:A@e:4 ");
    /* a pack: the window column, the rules' fields and conditions */
    seen[0] = 0;
    l = load("title: t\nname: x1\nlogsource: {product: p}\ndetection:\n  s: {A: 1}\n  condition: s\n---\n"
             "title: u\nlogsource: {product: p}\nfields: [B]\ndetection:\n  s: {C: 2}\n  condition: s\n");
    CHECK(l.n == 2);
    l.v[0]->table = l.v[1]->table = "e";
    sql_ctx pc = {.a = A, .opt = &o};
    sql_pack *p;
    size_t np;
    const srule *failed;
    CHECK(!l.v[0]->error && !l.v[1]->error);
    CHECK(sql_packs(&pc, &D, (const srule *const *)l.v, 2, &p, &np, &failed) && np == 1);
    CHECK_STR(np ? p[0].query : "",
              "SELECT * FROM (SELECT e.time AS time, e.A AS A, e.B AS B, filter(ARRAY[CASE WHEN any(e.A = 1) THEN 'x1' "
              "END, CASE WHEN any(e.C = 2) THEN 'u' END], sigma_rule -> sigma_rule IS NOT NULL) AS sigma_rules FROM e "
              "WHERE e.time >= current_timestamp - INTERVAL '15' MINUTE) WHERE cardinality(sigma_rules) > 0");
    CHECK(strstr(seen, "v:time@e:") && strstr(seen, "v:A@e:5") && strstr(seen, "v:B@e:10") && strstr(seen, "m:C@e:12"));
    /* a pack with a field the resolver refuses names that rule */
    l = load("title: t\nlogsource: {product: p}\nfields: [Unknown]\ndetection:\n  s: {A: 1}\n  condition: s\n");
    CHECK(l.n == 1);
    sql_ctx bc = {.a = A, .opt = &o};
    CHECK(!sql_packs(&bc, &D, (const srule *const *)l.v, 1, &p, &np, &failed) && failed == l.v[0] &&
          bc.err.message && strcmp(bc.err.message, "unknown field 'Unknown'") == 0);
    /* alerts: the group-by and value fields as the table names them */
    snprintf(doc, sizeof doc, "%stitle: c\ncorrelation:\n  type: value_sum\n  rules: [a, b]\n"
                              "  group-by: [User]\n  timespan: 1m\n  condition: {field: Bytes, gte: 2}\n", BASE);
    seen[0] = 0;
    rule_list cl = load(doc);
    for (size_t i = 0; i < cl.n; i++)
        cl.v[i]->table = one[i < 2 ? i : 0];
    srule *r = cl.v[cl.n - 1];
    CHECK(correlation_resolve(A, r, &cl));
    sql_options ao = opts();
    ao.corr_output = SQL_CORR_ALERTS;
    sql_ctx ac = {.a = A, .opt = &ao, .rule = r};
    CHECK(sql_correlation_queries(&ac, &D, r, &q, &nq) && nq == 1);
    CHECK(nq && strstr(q[0], "ev.User AS correlation_group_1, ev.time AS correlation_time, ev.Bytes AS "
                             "correlation_value FROM value_sums"));
    CHECK(nq && strstr(q[0], "s.correlation_group_1 AS User,"));
}

/* a query_expression_placeholders expression gets the item's final
 * column (after a later field mapping) from the same slot */
static void test_query_expression(void)
{
    const char *pipe = "transformations:\n"
                       "  - type: query_expression_placeholders\n    expression: \"{field} IN (SELECT v FROM {id})\"\n"
                       "  - type: field_name_mapping\n    mapping: {A: Mapped}\n";
    char err[512];
    pipeline_set *ps = pipeline_set_new(A);
    CHECK(pipeline_set_add_text(ps, "p.yml", pipe, strlen(pipe), err, sizeof err));
    rule_list l = load("title: t\nlogsource: {product: p}\ndetection:\n  s:\n    A|expand: '%grp%'\n"
                       "  condition: s\n");
    pstate st;
    CHECK(l.n == 1 && pipeline_apply(ps, l.v[0], &st));
    seen[0] = 0;
    sql_options o = opts();
    sql_ctx c = {.a = A, .opt = &o, .rule = l.v[0]};
    const char **q;
    size_t nq;
    CHECK(sql_rule_queries(&c, &D, "e", &q, &nq) && nq == 1);
    CHECK_STR(nq ? q[0] : "", "SELECT * FROM e WHERE any(e.Mapped IN (SELECT v FROM grp))");
    CHECK_STR(seen, "m:Mapped@e:5 ");
}

int main(void)
{
    A = arena_new();
    D = sql_athena;
    D.column = test_column;
    test_leaves();
    test_correlations();
    test_query_expression();
    test_windows_packs();
    arena_free(A);
    return t_done("sql");
}
