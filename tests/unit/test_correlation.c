/* test_correlation.c - correlation parsing, reference resolution, the SQL of
 * every correlation type, and filter application. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma.h"
#include "rule/rule.h"
#include "sql/correlation.h"
#include "util/arena.h"
#include "yaml/ynode.h"

#include "t.h"

static const char BASE[] = "title: a\n"
                           "name: rule_a\n"
                           "logsource: {product: test}\n"
                           "detection:\n"
                           "  sel: {action: a}\n"
                           "  condition: sel\n"
                           "---\n"
                           "title: b\n"
                           "id: 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f\n"
                           "logsource: {product: test}\n"
                           "detection:\n"
                           "  sel: {action: b}\n"
                           "  condition: sel\n";

static sigma_compiler *compile2(const char *first, const char *second, const char *time_field)
{
    sigma_compiler *c = sigma_compiler_new();
    if (time_field)
        sigma_set_option(c, "time_field", time_field);
    sigma_add_source(c, "one.yml", first, strlen(first));
    if (second)
        sigma_add_source(c, "two.yml", second, strlen(second));
    sigma_compile(c);
    return c;
}

/* The only query of the last result, or its error message prefixed "ERR ". */
static char last[65536];

static const char *last_result(sigma_compiler *c)
{
    size_t n = sigma_result_count(c);
    const sigma_result *r = n ? sigma_result_get(c, n - 1) : NULL;
    if (!r)
        return "(none)";
    if (r->error)
        snprintf(last, sizeof last, "ERR %u:%u %s", r->error->line, r->error->column, r->error->message);
    else if (r->nqueries == 1)
        snprintf(last, sizeof last, "%s", r->queries[0]);
    else
        snprintf(last, sizeof last, "(%zu queries)", r->nqueries);
    return last;
}

static const char *corr(const char *body)
{
    static char doc[4096];
    snprintf(doc, sizeof doc, "%s---\ntitle: c\ncorrelation:\n%s", BASE, body);
    sigma_compiler *c = compile2(doc, NULL, NULL);
    const char *s = last_result(c);
    sigma_compiler_free(&c);
    return s;
}

static bool contains(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

static void test_event_count(void)
{
    CHECK_STR(corr("  type: event_count\n  rules: rule_a\n  group-by: [user, host]\n  timespan: 10m\n"
                   "  condition: {gte: 5}\n"),
              "WITH combined_events AS (SELECT * FROM <TABLE> WHERE LOWER(action) = 'a'), event_counts AS "
              "(SELECT *, COUNT(*) OVER (PARTITION BY user, host ORDER BY time RANGE BETWEEN INTERVAL '600' SECOND "
              "PRECEDING AND CURRENT ROW) as correlation_event_count FROM combined_events) SELECT * FROM "
              "event_counts WHERE correlation_event_count >= 5");
    /* no group-by: no PARTITION BY; eq is =, neq is <> */
    const char *s = corr("  type: event_count\n  rules: rule_a\n  timespan: 1s\n  condition: {eq: 2}\n");
    CHECK(contains(s, "OVER (ORDER BY time RANGE BETWEEN INTERVAL '1' SECOND"));
    CHECK(contains(s, "correlation_event_count = 2"));
    CHECK(!contains(s, "PARTITION"));
    s = corr("  type: event_count\n  rules: rule_a\n  timespan: 1s\n  condition: {neq: 2}\n");
    CHECK(contains(s, "correlation_event_count <> 2"));
    /* range: both bounds */
    s = corr("  type: event_count\n  rules: rule_a\n  timespan: 1d\n  condition: {lte: 9, gt: 2}\n");
    CHECK(contains(s, "WHERE correlation_event_count <= 9 AND correlation_event_count > 2"));
    CHECK(contains(s, "INTERVAL '86400' SECOND"));
    /* units */
    s = corr("  type: event_count\n  rules: rule_a\n  timespan: 2w\n  condition: {gt: 1}\n");
    CHECK(contains(s, "INTERVAL '1209600' SECOND"));
    s = corr("  type: event_count\n  rules: rule_a\n  timespan: 1M\n  condition: {gt: 1}\n");
    CHECK(contains(s, "INTERVAL '2629746' SECOND"));
    s = corr("  type: event_count\n  rules: rule_a\n  timespan: 2y\n  condition: {gt: 1}\n");
    CHECK(contains(s, "INTERVAL '63113904' SECOND"));
    /* two rules from one table: SELECT * branches */
    s = corr("  type: event_count\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n  timespan: 1m\n"
             "  condition: {gt: 1}\n");
    CHECK(contains(s, "(SELECT * FROM <TABLE> WHERE LOWER(action) = 'a' UNION ALL SELECT * FROM <TABLE> WHERE "
                      "LOWER(action) = 'b')"));
}

static void test_value_types(void)
{
    const char *s = corr("  type: value_count\n  rules: rule_a\n  group-by: ip\n  timespan: 1h\n"
                         "  condition: {gte: 3, field: user}\n");
    CHECK(contains(s, "cardinality(array_distinct(array_agg(user) OVER (PARTITION BY ip ORDER BY time RANGE "
                      "BETWEEN INTERVAL '3600' SECOND PRECEDING AND CURRENT ROW))) as correlation_value_count"));
    CHECK(contains(s, "WHERE user IS NOT NULL"));
    CHECK(!contains(s, "DISTINCT)") && !contains(s, "COUNT(DISTINCT"));
    s = corr("  type: value_sum\n  rules: rule_a\n  timespan: 1h\n  condition: {gt: 100, field: bytes}\n");
    CHECK(contains(s, "SUM(bytes) OVER (ORDER BY time"));
    CHECK(contains(s, "WHERE correlation_value_sum > 100"));
    s = corr("  type: value_avg\n  rules: rule_a\n  timespan: 1h\n  condition: {gt: 2.5, field: bytes}\n");
    CHECK(contains(s, "AVG(bytes) OVER (ORDER BY time"));
    CHECK(contains(s, "WHERE correlation_value_avg > 2.5"));
    s = corr("  type: value_percentile\n  rules: rule_a\n  timespan: 1h\n"
             "  condition: {gt: 1, field: bytes, percentile: 90}\n");
    CHECK(contains(s, "array_sort(array_agg(bytes) OVER (ORDER BY time"));
    CHECK(contains(s, "cardinality(correlation_values) * 90 / 100.0"));
    CHECK(contains(s, "WHERE correlation_value_percentile > 1"));
    s = corr("  type: value_median\n  rules: rule_a\n  timespan: 1h\n  condition: {lt: 7, field: bytes}\n");
    CHECK(contains(s, "/ 2.0 as correlation_value_median"));
    CHECK(contains(s, "WHERE correlation_value_median < 7"));
}

static void test_temporal(void)
{
    const char *s = corr("  type: temporal\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n"
                         "  group-by: host\n  timespan: 5m\n");
    CHECK(contains(s, "SELECT *, 'rule_a' AS correlation_rule FROM <TABLE>"));
    CHECK(contains(s, "array_agg(correlation_rule) OVER (PARTITION BY host"));
    CHECK(contains(s, "WHERE correlation_rule_count >= 2"));
    s = corr("  type: temporal_ordered\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n"
             "  timespan: 5m\n");
    CHECK(contains(s, "ordered_1 AS (SELECT *, CASE WHEN correlation_rule = 'rule_a' THEN time END as "
                      "correlation_chain_1 FROM combined_events)"));
    CHECK(contains(s, "THEN max(correlation_chain_1) OVER (ORDER BY time"));
    CHECK(contains(s, "WHERE correlation_chain_2 >= time - INTERVAL '300' SECOND"));
    /* extended condition; rules taken from it */
    s = corr("  type: temporal\n  timespan: 5m\n  condition: rule_a and not rule_b_missing\n");
    CHECK_STR(s, "ERR 19:14 Rule 'rule_b_missing' not found in rule collection");
    s = corr("  type: temporal\n  timespan: 5m\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n"
             "  condition: rule_a and not 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f\n");
    CHECK(contains(s, "WHERE correlation_seen_1 = 1 AND correlation_seen_2 = 0"));
    s = corr("  type: temporal_ordered\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n  timespan: 5m\n"
             "  condition: {gte: 1}\n");
    CHECK(contains(s, "ERR") && contains(s, "its condition must mean that"));
    s = corr("  type: temporal_ordered\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n  timespan: 5m\n"
             "  condition: {gt: 1}\n");
    CHECK(!contains(s, "ERR"));
}

static void test_aliases_and_tables(void)
{
    const char *s = corr("  type: value_count\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n"
                         "  group-by: user\n"
                         "  aliases:\n    user: {rule_a: src.user, b: dst_user}\n"
                         "  timespan: 5m\n  condition: {gte: 2, field: ip}\n");
    /* alias key `b` is rule b's title, not a reference: an error at the key */
    CHECK_STR(s, "ERR 21:30 alias 'user' maps rule 'b', which this correlation does not reference");
    s = corr("  type: value_count\n  rules: [rule_a, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f]\n"
             "  group-by: user\n"
             "  aliases:\n    user: {rule_a: src.user, 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f: dst_user}\n"
             "  timespan: 5m\n  condition: {gte: 2, field: ip}\n");
    CHECK(contains(s, "(SELECT time, src.user AS user, ip FROM <TABLE> WHERE LOWER(action) = 'a' UNION ALL "
                      "SELECT time, dst_user AS user, ip FROM <TABLE> WHERE LOWER(action) = 'b')"));
    CHECK(contains(s, "array_agg(ip) OVER (PARTITION BY user ORDER BY time"));
}

static rule_list load(const char *text);

static void test_resolution(void)
{
    /* correlation first, rules in a later input */
    const char *cdoc = "title: c\ncorrelation:\n  type: event_count\n  rules: rule_a\n  timespan: 5m\n"
                       "  condition: {gte: 2}\n";
    sigma_compiler *c = compile2(cdoc, BASE, "ts");
    const sigma_result *r0 = sigma_result_get(c, 0);
    CHECK(r0 && !r0->error && r0->nqueries == 1);
    if (r0 && r0->nqueries)
        CHECK(contains(r0->queries[0], "ORDER BY ts RANGE"));
    /* rule_a suppressed (generate: false), rule b kept */
    const sigma_result *ra = sigma_result_get(c, 1), *rb = sigma_result_get(c, 2);
    CHECK(ra && !ra->error && ra->nqueries == 0);
    CHECK(rb && !rb->error && rb->nqueries == 1);
    sigma_compiler_free(&c);
    /* generate: true keeps it */
    const char *gdoc = "title: c\ncorrelation:\n  type: event_count\n  rules: rule_a\n  generate: true\n"
                       "  timespan: 5m\n  condition: {gte: 2}\n";
    c = compile2(BASE, gdoc, NULL);
    ra = sigma_result_get(c, 0);
    CHECK(ra && ra->nqueries == 1);
    sigma_compiler_free(&c);
    /* id matching is case-insensitive, names are not */
    CHECK(!contains(corr("  type: event_count\n  rules: 6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F\n  timespan: 5m\n"
                         "  condition: {gte: 2}\n"),
                    "ERR"));
    CHECK_STR(corr("  type: event_count\n  rules: RULE_A\n  timespan: 5m\n  condition: {gte: 2}\n"),
              "ERR 18:10 Rule 'RULE_A' not found in rule collection");

    /* the one lookup every stage uses: id first (any case), then name;
     * filters are never found */
    rule_list l = load("title: a\nname: 6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F\nlogsource: {product: t}\n"
                       "detection:\n  s: {A: 1}\n  condition: s\n"
                       "---\ntitle: b\nid: 6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f\nlogsource: {product: t}\n"
                       "detection:\n  s: {A: 1}\n  condition: s\n"
                       "---\ntitle: f\nname: flt\nlogsource: {product: t}\nfilter:\n  rules: any\n"
                       "  x: {X: 1}\n  condition: not x\n");
    CHECK(l.n == 3 && rule_list_find(&l, "6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F") == l.v[1]);
    CHECK(l.n == 3 && rule_list_find(&l, "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4F") == l.v[1]);
    CHECK(l.n == 3 && rule_list_find(&l, "flt") == NULL && rule_list_find(&l, "A") == NULL);
    CHECK(l.n == 3 && rule_is_ref(l.v[0], "6F1C2D3E-4A5B-4C6D-8E7F-9A0B1C2D3E4F") &&
          !rule_is_ref(l.v[0], "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"));
}

static void test_parse_errors(void)
{
    CHECK_STR(corr("  type: event_count\n  rules: rule_a\n  timespan: 0s\n  condition: {gte: 2}\n"),
              "ERR 19:13 Timespan '0s' must be greater than zero.");
    CHECK_STR(corr("  type: event_count\n  rules: rule_a\n  timespan: 101y\n  condition: {gte: 2}\n"),
              "ERR 19:13 Timespan '101y' is too long (limit 100 years).");
    CHECK(contains(corr("  type: event_count\n  rules: rule_a\n  timespan: 99999999999999999999s\n"
                        "  condition: {gte: 2}\n"),
                   "too long"));
    CHECK(contains(corr("  type: event_count\n  rules: rule_a\n  timespan: 5mm\n  condition: {gte: 2}\n"),
                   "is invalid"));
    CHECK(!contains(corr("  type: event_count\n  rules: rule_a\n  timespan: 100y\n  condition: {gte: 2}\n"),
                    "ERR"));
    CHECK_STR(corr("  type: event_count\n  rules: rule_a\n  timespan: 1m\n  condition: {gte: .inf}\n"),
              "ERR 20:20 '.inf' is no valid Sigma correlation condition count");
    CHECK(contains(corr("  type: event_count\n  rules: rule_a\n  timespan: 1m\n  condition: {gte: ' 4 '}\n"),
                   ">= 4"));
    CHECK(contains(corr("  type: event_count\n  rules: rule_a\n  timespan: 1m\n  condition: {lt: 2, lte: 3}\n"),
                   "ERR 20:22 Sigma correlation condition with two operators must be a range"));
    CHECK(contains(corr("  type: value_percentile\n  rules: rule_a\n  timespan: 1m\n"
                        "  condition: {lt: 2, field: f, percentile: -1}\n"),
                   "no valid Sigma correlation condition percentile"));
}

/* ------------------------------------------------------------ filters */

static arena *A;

static rule_list load(const char *text)
{
    ydoc *docs;
    size_t nd;
    yerror e;
    rule_list l = {0};
    if (!yaml_load(A, text, strlen(text), &docs, &nd, &e)) {
        fprintf(stderr, "yaml: %s\n", e.message);
        return l;
    }
    rules_from_docs(A, "f.yml", docs, nd, &l);
    return l;
}

static void test_filters(void)
{
    rule_list l = load("title: r\nname: r\nlogsource: {product: w, category: p}\n"
                       "detection:\n  a: {A: 1}\n  b: {B: 1}\n  condition: [a or b, 1 of them]\n"
                       "---\ntitle: other\nlogsource: {product: x}\ndetection:\n  a: {A: 1}\n  condition: a\n"
                       "---\ntitle: f\nlogsource: {product: w}\nfilter:\n  rules: [r]\n"
                       "  x: {X: 1}\n  y: {Y: 1}\n  condition: not x and not (y or 1 of x*) or all of them\n");
    CHECK(l.n == 3);
    if (l.n != 3)
        return;
    filters_apply(A, &l);
    srule *r = l.v[0];
    CHECK(r->ndets == 4);
    CHECK_STR(r->dets[2].name, "_filt1_x");
    CHECK_STR(r->dets[3].name, "_filt1_y");
    CHECK(r->dets[2].det != l.v[2]->dets[0].det); /* a copy per rule */
    CHECK_STR(cond_text(A, r->conds[0].ast),
              "(a or b) and (not _filt1_x and not (_filt1_y or 1 of _filt1_x*) or all of _filt1_*)");
    CHECK_STR(cond_text(A, r->conds[1].ast),
              "1 of them and (not _filt1_x and not (_filt1_y or 1 of _filt1_x*) or all of _filt1_*)");
    CHECK_STR(r->conds[0].text, "a or b"); /* the text stays as written */
    CHECK(l.v[1]->ndets == 1);
    CHECK_STR(cond_text(A, l.v[1]->conds[0].ast), "a");
    /* applying again changes nothing */
    filters_apply(A, &l);
    CHECK(r->ndets == 4);
    CHECK_STR(cond_text(A, r->conds[0].ast),
              "(a or b) and (not _filt1_x and not (_filt1_y or 1 of _filt1_x*) or all of _filt1_*)");

    /* same-operator groups of the filter condition become one chain, so
     * that `x or (y or z)` renders like `x or y or z` (one IN list) */
    l = load("title: r\nlogsource: {product: w}\ndetection:\n  a: {A: 1}\n  condition: a\n"
             "---\ntitle: f\nlogsource: {product: w}\nfilter:\n  rules: any\n  x: {X: 1}\n  y: {Y: 1}\n"
             "  condition: x or (y or (x and (y and x)))\n");
    filters_apply(A, &l);
    if (l.n == 2 && l.v[0]->conds[0].ast) {
        const cnode *f = l.v[0]->conds[0].ast->r;
        const cnode **ops;
        CHECK(f->kind == CN_OR && cond_flatten(A, f, &ops) == 3 && ops[2]->kind == CN_AND &&
              cond_flatten(A, ops[2], &ops) == 3);
    } else {
        CHECK(0);
    }

    /* a long and-chain is written flat (no nesting limit problem) */
    char cond[8192] = "";
    for (int i = 0; i < 300; i++)
        strcat(cond, i ? " and not x" : "not x");
    char doc[10000];
    snprintf(doc, sizeof doc,
             "title: r\nlogsource: {product: w}\ndetection:\n  a: {A: 1}\n  condition: a\n"
             "---\ntitle: f\nlogsource: {product: w}\nfilter:\n  rules: any\n  x: {X: 1}\n  condition: %s\n",
             cond);
    l = load(doc);
    filters_apply(A, &l);
    if (l.n == 2 && l.v[0]->conds[0].ast) {
        const cnode **ops;
        const cnode *f = l.v[0]->conds[0].ast->r;
        CHECK(f->kind == CN_AND && cond_flatten(A, f, &ops) == 300 && ops[299]->kind == CN_NOT);
        const char *t = cond_text(A, l.v[0]->conds[0].ast);
        CHECK(strncmp(t, "a and not _filt1_x and not _filt1_x and ", 40) == 0 && !strchr(t, '('));
    } else {
        CHECK(0);
    }

    /* an invalid filter condition fails the filter, not the rules */
    l = load("title: r\nlogsource: {product: w}\ndetection:\n  a: {A: 1}\n  condition: a\n"
             "---\ntitle: f\nlogsource: {product: w}\nfilter:\n  rules: any\n  x: {X: 1}\n  condition: not y\n");
    filters_apply(A, &l);
    CHECK(l.n == 2 && l.v[1]->error && !l.v[0]->error);
    CHECK(l.n == 2 && strcmp(cond_text(A, l.v[0]->conds[0].ast), "a") == 0);
    CHECK(l.n == 2 && l.v[1]->error && l.v[1]->error->pos.line == 12);
}

static void test_filter_twice(void)
{
    const char *rule = "title: r\nlogsource: {product: w}\ndetection:\n  a: {A: 1}\n  condition: a\n";
    const char *filt = "title: f\nlogsource: {product: w}\nfilter:\n  rules: any\n  x: {X: 1}\n"
                       "  condition: not x\n";
    sigma_compiler *c = sigma_compiler_new();
    sigma_add_source(c, "one.yml", rule, strlen(rule));
    sigma_add_source(c, "two.yml", filt, strlen(filt));
    sigma_add_source(c, "two.yml", filt, strlen(filt)); /* the same file read a second time */
    sigma_compile(c);
    /* compiling again (more inputs) does not apply it again */
    sigma_compile(c);
    const sigma_result *r = sigma_result_get(c, 0);
    CHECK(r && r->nqueries == 1);
    if (r && r->nqueries == 1)
        CHECK_STR(r->queries[0], "SELECT * FROM <TABLE> WHERE A = 1 AND NOT COALESCE(X = 1, FALSE)");
    CHECK(sigma_result_count(c) == 1); /* filters without errors have no result */
    sigma_compiler_free(&c);
}

int main(void)
{
    A = arena_new();
    test_event_count();
    test_value_types();
    test_temporal();
    test_aliases_and_tables();
    test_resolution();
    test_parse_errors();
    test_filters();
    test_filter_twice();
    arena_free(A);
    return t_done("correlation");
}
