/* test_sql.c - the field-resolution seam of the SQL layer: every place a
 * Sigma field becomes SQL goes through the dialect's `column` slot, with
 * the table of its query and the position of the field in the rule. A test
 * dialect wraps Athena with a resolver that writes `T.<field>` (T standing
 * for the table), wraps predicates in `any(` ... `)` (except on fields
 * named Flat...), and fails on the field `Unknown`; the queries must show
 * it everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "rule/rule.h"
#include "schema/schema.h"
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
    bool wrap = use == SQL_USE_MATCH && strncmp(f, "Flat", 4) != 0;
    out->open = wrap ? "any(" : "";
    out->close = wrap ? ")" : "";
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

/* Sigma's NOT: NOT COALESCE(x, FALSE) wherever x may be NULL, judged from
 * the value and the column the slot resolves: an IS [NOT] NULL test on an
 * unwrapped column never is; on a wrapped one (any(...)) Athena's leaf is
 * two-valued itself (COALESCE), so the NOT stays bare. */
static void test_not(void)
{
    const char *head = "title: t\nlogsource: {product: p}\ndetection:\n";
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: x}\n  condition: not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT COALESCE(LOWER(T.FlatA) = 'x', FALSE)");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: null}\n  condition: not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT T.FlatA IS NULL");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA|exists: true}\n  condition: not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT T.FlatA IS NOT NULL");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {A: null}\n  condition: not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT NOT COALESCE(any(T.A IS NOT NULL), FALSE)");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: null, FlatB|exists: false}\n  condition: not s\n", head),
                       NULL),
              "SELECT * FROM <TABLE> WHERE NOT (T.FlatA IS NULL AND T.FlatB IS NULL)");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: null, FlatB: 1}\n  condition: not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT COALESCE(T.FlatA IS NULL AND T.FlatB = 1, FALSE)");
    /* a NOT is two-valued: a NOT over it needs no COALESCE */
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: x}\n  condition: not not s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT (NOT COALESCE(LOWER(T.FlatA) = 'x', FALSE))");
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA: x}\n  t: {FlatB: null}\n  condition: not (t or not s)\n",
                                    head),
                       NULL),
              "SELECT * FROM <TABLE> WHERE NOT (T.FlatB IS NULL OR NOT COALESCE(LOWER(T.FlatA) = 'x', FALSE))");
    /* neq, and a keyword search */
    CHECK_STR(rule_sql(arena_printf(A, "%s  s: {FlatA|neq: [x, y]}\n  condition: s\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT COALESCE(LOWER(T.FlatA) IN ('x', 'y'), FALSE)");
    CHECK_STR(rule_sql(arena_printf(A, "%s  k: [evil]\n  condition: not k\n", head), NULL),
              "SELECT * FROM <TABLE> WHERE NOT COALESCE((any(LOWER(T.raw) LIKE '%evil%' ESCAPE '\\') OR "
              "any(LOWER(T.msg) LIKE '%evil%' ESCAPE '\\')), FALSE)");
    /* the resolver's error, met while judging a NULL test, is the rule's error */
    CHECK_STR(rule_sql(arena_printf(A, "%s  s:\n    Unknown: null\n  condition: not s\n", head), NULL),
              "ERR 5:5 unknown field 'Unknown'");
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
    const char **q = NULL;
    size_t nq = 0;
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
    sql_pack *p = NULL;
    size_t np = 0;
    const srule *failed = NULL;
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

/* ---- the Athena dialect against a table schema ---------------------------- */

static char notes[2048]; /* "E|W line:col message; " per note of the last schema_sql */

/* The first query of the first rule of text against table `t` of the DDL
 * text, with the real Athena dialect; "ERR line:col message" on failure. */
static const char *schema_sql(const char *ddl, const char *text, bool warn, bool collect)
{
    notes[0] = 0;
    schema_set *ss = schema_set_new(A);
    char err[512];
    if (!schema_set_add_text(ss, "t.ddl", ddl, strlen(ddl), SCHEMA_DDL, err, sizeof err))
        return arena_printf(A, "SCHEMA %s", err);
    rule_list l = load(text);
    if (!l.n || l.v[0]->error)
        return "(load error)";
    sql_options o = {.time_field = "time", .schemas = ss, .unknown_fields_warn = warn};
    sql_ctx c = {.a = A, .opt = &o, .rule = l.v[0], .collect = collect};
    const char **q;
    size_t nq;
    bool ok = sql_rule_queries(&c, &sql_athena, "t", &q, &nq);
    for (size_t i = 0; i < c.nnotes; i++) {
        size_t n = strlen(notes);
        snprintf(notes + n, sizeof notes - n, "%s %u:%u %s; ", c.notes[i].error ? "E" : "W", c.notes[i].pos.line,
                 c.notes[i].pos.col, c.notes[i].message);
    }
    if (!ok)
        return arena_printf(A, "ERR %u:%u %s", c.err.pos.line, c.err.pos.col, c.err.message);
    return nq ? q[0] : "(none)";
}

/* the table of test_schema_dialect */
static const char DIALECT_DDL[] = "CREATE TABLE t (x string, x_ string, arr array<struct<v:string>>, tiny tinyint, "
                                  "big bigint, d double, m map<string,int>, doc string, s struct<Name:string>)";

/* a rule with one item `item` (YAML text of one mapping entry) against
 * DIALECT_DDL */
static const char *item_sql(const char *item)
{
    return schema_sql(DIALECT_DDL,
                      arena_printf(A, "title: t\nlogsource: {product: p}\ndetection:\n  s:\n    %s\n  condition: s\n",
                                   item),
                      false, false);
}

static void test_schema_dialect(void)
{
    static const t_case items[] = {
        /* a lambda variable never takes a column's name */
        {"arr.v: a", "SELECT * FROM t WHERE any_match(arr, x__ -> LOWER(x__.v) = 'a')"},
        /* names as the schema spells them */
        {"S.NAME: a", "SELECT * FROM t WHERE LOWER(s.Name) = 'a'"},
        /* integer bounds of each type; the literal written plainly */
        {"tiny: [-128, 127]", "SELECT * FROM t WHERE tiny IN (-128, 127)"},
        {"tiny: '-0007'", "SELECT * FROM t WHERE tiny = -7"},
        {"tiny: '+5'", "SELECT * FROM t WHERE tiny = 5"},
        {"tiny: '-0'", "SELECT * FROM t WHERE tiny = 0"},
        {"tiny: -129", "ERR 5:5 the number -129 can never equal tiny (tinyint) of table t"},
        {"tiny: '128'", "ERR 5:5 '128' can never equal tiny (tinyint) of table t"},
        {"big: ['-9223372036854775808', '9223372036854775807']",
         "SELECT * FROM t WHERE big IN (-9223372036854775808, 9223372036854775807)"},
        {"big: 9223372036854775808", "ERR 5:5 the number 9223372036854775808 can never equal big (bigint) of table t"},
        /* decimal text against a double */
        {"d: ['+1.5', '2e-3', '7']", "SELECT * FROM t WHERE d IN (1.5, 2e-3, 7)"},
        {"d: '1.'", "ERR 5:5 '1.' can never equal d (double) of table t"},
        {"d: '.5'", "ERR 5:5 '.5' can never equal d (double) of table t"},
        /* a map's values have the map's value type */
        {"m.a.b: '3'", "SELECT * FROM t WHERE element_at(m, 'a.b') = 3"},
        {"m.k: abc", "ERR 5:5 'abc' can never equal m.k (int) of table t"},
        /* JSON keys: " and \ escaped in the JSON path, ' doubled in the literal */
        {"'doc.a\"b\\c''d': 1",
         "SELECT * FROM t WHERE any_match(COALESCE(TRY_CAST(json_extract(doc, '$[\"a\\\"b\\\\c''d\"]') AS "
         "ARRAY(JSON)), ARRAY[json_extract(doc, '$[\"a\\\"b\\\\c''d\"]')]), x__ -> "
         "json_extract_scalar(x__, '$') = '1')"},
    };
    CHECK_CASES(item_sql, items);
    /* collecting: every problem once, rendering goes on */
    const char *many = "title: t\nlogsource: {product: p}\ndetection:\n  s:\n    nope: 1\n    tiny: abc\n"
                       "  f:\n    nope: 1\n  condition: s and not f\n";
    CHECK(strncmp(schema_sql(DIALECT_DDL, many, false, true), "SELECT", 6) == 0);
    CHECK_STR(notes, "E 5:5 unknown field 'nope' in table t: no column 'nope'; "
                     "E 6:5 'abc' can never equal tiny (tinyint) of table t; "
                     "E 8:5 unknown field 'nope' in table t: no column 'nope'; ");
    /* warnings: the name kept as written */
    CHECK_STR(schema_sql(DIALECT_DDL, "title: t\nlogsource: {product: p}\ndetection:\n  s:\n    Nope.A: 1\n"
                                      "  condition: s\n", true, false),
              "SELECT * FROM t WHERE Nope.A = 1");
    CHECK_STR(notes, "W 5:5 unknown field 'Nope.A' in table t: no column 'Nope'; the name is kept as written "
                     "(-O unknown_fields=warn); ");
    /* a table defined in two databases is ambiguous without a database */
    CHECK_STR(schema_sql("CREATE TABLE a.t (x string); CREATE TABLE b.t (x string)",
                         "title: t\nlogsource: {product: p}\ndetection:\n  s:\n    x: 1\n  condition: s\n", false,
                         false),
              "ERR 5:5 table 't' has a schema in several databases (one is a.t): write the database in the table name");
}

int main(void)
{
    A = arena_new();
    D = sql_athena;
    D.column = test_column;
    test_leaves();
    test_not();
    test_correlations();
    test_query_expression();
    test_schema_dialect();
    test_windows_packs();
    arena_free(A);
    return t_done("sql");
}
