/* test_pipeline.c - pipeline loading, merging, vars, conditions,
 * transformations, postprocessing and finalizers, through the internal
 * interface and through the public API. Run from the repository root. */
#define SIGMA_PIPELINE_INTERNAL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "sigma.h"
#include "sql/sql.h"
#include "util/arena.h"
#include "util/embed.h"
#include "util/file.h"

#include "t.h"

static arena *A;

/* ---- helpers -------------------------------------------------------------------- */

static pipeline_set *set_of(const char *const *texts, size_t n, char *err, size_t errlen)
{
    pipeline_set *ps = pipeline_set_new(A);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "p%zu.yml", i);
        if (!pipeline_set_add_text(ps, name, texts[i], strlen(texts[i]), err, errlen))
            return NULL;
    }
    return ps;
}

static const char *load_error(const char *text)
{
    static char err[1024];
    err[0] = 0;
    pipeline_set *ps = pipeline_set_new(A);
    if (pipeline_set_add_text(ps, "p.yml", text, strlen(text), err, sizeof err))
        return "(loaded)";
    return err;
}

static srule *rule_of(const char *text)
{
    ydoc *docs;
    size_t nd;
    yerror ye;
    if (!yaml_load(A, text, strlen(text), &docs, &nd, &ye))
        return NULL;
    rule_list l = {0};
    rules_from_docs(A, "r.yml", docs, nd, &l);
    return l.n ? l.v[0] : NULL;
}

/* first query of a rule after the pipelines, or the error message */
static const char *convert(pipeline_set *ps, const char *rule_text)
{
    srule *r = rule_of(rule_text);
    if (!r)
        return "(no rule)";
    if (r->error)
        return r->error->message;
    pstate *st = arena_alloc(A, sizeof *st);
    if (!pipeline_apply(ps, r, st))
        return r->error ? r->error->message : "(apply failed)";
    sql_options opt = {0};
    opt.time_field = "time";
    sql_ctx sc = {.a = A, .opt = &opt, .rule = r};
    const char **q;
    size_t nq;
    const char *table = pstate_get(st, "table_name");
    if (!sql_rule_queries(&sc, &sql_athena, table, &q, &nq))
        return sc.err.message;
    const char *pq = pipeline_postprocess(ps, r, st, q[0]);
    return pq ? pq : r->error->message;
}

static const char *RULE =
    "title: t\n"
    "level: high\n"
    "tags: [attack.t1059]\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "  sel:\n"
    "    Image|endswith: '\\cmd.exe'\n"
    "    User: admin\n"
    "  condition: sel\n";

/* ---- loading ------------------------------------------------------------------------- */

static void test_load_errors(void)
{
    CHECK_STR(load_error("name: x\nfoo: 1\n"),
              "p.yml:2:1: unknown key 'foo' in pipeline (known keys: name, priority, allowed_backends, vars, "
              "transformations, postprocessing, finalizers)");
    CHECK_STR(load_error("priority: high\n"), "p.yml:1:11: 'priority' must be an integer, not a string");
    CHECK_STR(load_error("transformations:\n  - prefix: x\n"), "p.yml:2:5: transformation has no 'type'");
    CHECK_STR(load_error("transformations:\n  - type: nope\n"), "p.yml:2:11: unknown transformation type 'nope'");
    CHECK_STR(load_error("transformations:\n  - type: field_name_prefix\n    prefix: a\n    bogus: 1\n"),
              "p.yml:4:5: unknown parameter 'bogus' for transformation 'field_name_prefix' (parameters: prefix)");
    CHECK_STR(load_error("transformations:\n  - type: field_name_prefix\n"),
              "p.yml:2:5: transformation 'field_name_prefix' needs parameter 'prefix'");
    CHECK_STR(load_error("transformations:\n  - type: field_name_prefix\n    prefix: [a]\n"),
              "p.yml:3:13: 'prefix' must be a string, not a list");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    rule_conditions:\n"
                         "      - type: nope\n"),
              "p.yml:4:15: unknown rule condition type 'nope'");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    field_name_conditions:\n"
                         "      - type: is_null\n        cond: any\n"),
              "p.yml:4:15: 'is_null' is a detection item condition: put it under detection_item_conditions, not "
              "field_name_conditions");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    detection_item_conditions:\n"
                         "      - type: is_null\n        cond: some\n"),
              "p.yml:5:15: 'cond' must be 'any' or 'all', not 'some'");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    rule_cond_op: xor\n"),
              "p.yml:3:19: 'rule_cond_op' must be 'and' or 'or'");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    rule_conditions:\n"
                         "      - type: is_sigma_rule\n    rule_cond_expr: a\n"),
              "p.yml:5:21: 'rule_cond_expr' needs 'rule_conditions' as a mapping of ids to conditions");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    rule_conditions:\n"
                         "      a: {type: is_sigma_rule}\n    rule_cond_op: or\n    rule_cond_expr: a\n"),
              "p.yml:6:21: 'rule_cond_expr' and 'rule_cond_op' cannot be used together");
    CHECK_STR(load_error("transformations:\n  - type: drop_detection_item\n    rule_conditions:\n"
                         "      a: {type: is_sigma_rule}\n    rule_cond_expr: 'a and ('\n"),
              "p.yml:5:21: invalid rule_cond_expr: unexpected end of condition, expected an identifier, "
              "'not', '(' or 'N of' (at character 8)");
    CHECK_STR(load_error("transformations:\n  - type: replace_string\n    regex: x\n    replacement: '\\q'\n"),
              "p.yml:4:18: invalid replacement '\\q': bad escape \\q");
    CHECK_STR(load_error("transformations:\n  - type: replace_string\n    regex: '(a)'\n    replacement: '\\2'\n"),
              "p.yml:4:18: invalid replacement '\\2': invalid group reference 2");
    CHECK_STR(load_error("transformations:\n  - type: value_placeholders\n    include: [a]\n    exclude: [b]\n"),
              "p.yml:4:14: placeholder transformations take 'include' or 'exclude', not both");
    CHECK_STR(load_error("transformations:\n  - type: change_logsource\n"),
              "p.yml:2:5: change_logsource needs at least one of category, product, service");
    CHECK_STR(load_error("transformations:\n  - type: set_state\n    key: k\n    val: 'a{b'\n"),
              "p.yml:4:10: set_state val: '{' must start a {variable} (write '{{' for a brace)");
    CHECK_STR(load_error("transformations:\n  - type: field_name_transform\n"),
              "p.yml:2:11: transformation type 'field_name_transform' is not supported: it needs a Python function "
              "(transform_func); use field_name_mapping");
    CHECK_STR(load_error("postprocessing:\n  - type: embed\n    field_name_conditions: []\n"),
              "p.yml:3:5: postprocessing items take only rule conditions, not 'field_name_conditions'");
    CHECK_STR(load_error("postprocessing:\n  - type: simple_template\n    template: '{rule!r}'\n"),
              "p.yml:3:15: simple_template: unsupported field '{rule!r}' (supported: {query}, {rule.<attribute>}, "
              "{pipeline.state[<key>]}, {pipeline.vars[<name>]})");
    CHECK_STR(load_error("finalizers:\n  - type: yaml\n"),
              "p.yml:2:11: finalizer type 'yaml' is not supported: use the json or concat finalizer");
    CHECK_STR(load_error("transformations:\n  - type: add_condition\n    conditions:\n      A|contains|re: x\n"),
              "p.yml:4:7: add_condition: the re modifier must come first");
    CHECK_STR(load_error(""), "p.yml:1:1: empty pipeline file");
    CHECK_STR(load_error("a: 1\n---\nb: 2\n"), "p.yml:2:1: a pipeline file holds one YAML document");
    CHECK_STR(load_error("name: ok\ntransformations: []\npostprocessing:\nfinalizers: []\nvars: {a: 1}\n"),
              "(loaded)");
}

/* ---- merging and vars ------------------------------------------------------------- */

static void test_merge(void)
{
    char err[512];
    const char *t[] = {
        "name: late\npriority: 30\nvars: {v: late, only_late: 1}\n"
        "transformations:\n  - id: late\n    type: field_name_suffix\n    suffix: _l\n",
        "name: early\npriority: -1\nvars: {v: early, only_early: 2}\n"
        "transformations:\n  - id: early\n    type: field_name_suffix\n    suffix: _e\n",
        "name: zero\nvars: {v: zero}\n"
        "transformations:\n  - id: zero\n    type: field_name_suffix\n    suffix: _z\n",
    };
    pipeline_set *ps = set_of(t, 3, err, sizeof err);
    CHECK(ps != NULL);
    if (!ps)
        return;
    CHECK(!pipeline_set_empty(ps));
    pl_merge(ps);
    CHECK(ps->nitems == 3);
    CHECK_STR(ps->items[0]->id, "early");
    CHECK_STR(ps->items[1]->id, "zero");
    CHECK_STR(ps->items[2]->id, "late");
    pvar v;
    CHECK(pl_var_get(ps, "v", &v) && v.node && strcmp(v.node->u.s.text, "late") == 0);
    CHECK(pl_var_get(ps, "only_early", &v));
    CHECK(pl_var_get(ps, "backend", &v) && strcmp(v.text, "athena backend") == 0);
    CHECK(!pl_var_get(ps, "backend_region", &v));
    pipeline_set_option(ps, "region", "eu-west-1");
    CHECK(pl_var_get(ps, "backend_region", &v) && strcmp(v.text, "eu-west-1") == 0);
    pipeline_set_option(ps, "region", "us-east-2");
    CHECK(pl_var_get(ps, "backend_region", &v) && strcmp(v.text, "us-east-2") == 0);
    CHECK_STR(convert(ps, RULE), "SELECT * FROM <TABLE> WHERE LOWER(Image_e_z_l) LIKE '%\\\\cmd.exe' ESCAPE '\\' AND "
                                 "LOWER(User_e_z_l) = 'admin'");

    /* same priority: by name/path, whatever the order of -p */
    pipeline_set *p2 = pipeline_set_new(A);
    CHECK(pipeline_set_add_text(p2, "b.yml", "transformations:\n  - {id: b, type: add_field, field: b}\n", 56, err,
                                sizeof err));
    CHECK(pipeline_set_add_text(p2, "a.yml", "transformations:\n  - {id: a, type: add_field, field: a}\n", 56, err,
                                sizeof err));
    pl_merge(p2);
    CHECK(p2->nitems == 2 && strcmp(p2->items[0]->id, "a") == 0);

    /* an empty set changes nothing */
    pipeline_set *p3 = pipeline_set_new(A);
    CHECK(pipeline_set_empty(p3));
    CHECK_STR(convert(p3, RULE),
              "SELECT * FROM <TABLE> WHERE LOWER(Image) LIKE '%\\\\cmd.exe' ESCAPE '\\' AND LOWER(User) = 'admin'");
    CHECK(pipeline_finalize(p3, NULL, 0) == NULL);
}

static void test_uses_var(void)
{
    char err[512];
    pipeline_set *ps = pipeline_set_new(A);
    CHECK(pipeline_set_add(ps, "athena_security_lake_table_name", err, sizeof err));
    CHECK(pipeline_set_uses_var(ps, "backend_aws_table_region"));
    CHECK(pipeline_set_uses_var(ps, "backend_aws_table_version"));
    CHECK(!pipeline_set_uses_var(ps, "backend_aws_table_regio"));
    const char *t[] = {"transformations:\n  - {type: set_state, key: table_name, val: 'x_{backend_env}'}\n"};
    pipeline_set *p2 = set_of(t, 1, err, sizeof err);
    CHECK(p2 && pipeline_set_uses_var(p2, "backend_env") && !pipeline_set_uses_var(p2, "backend_other"));
    CHECK(!pipeline_set_add(ps, "no-such-pipeline", err, sizeof err));
    CHECK_STR(err, "The pipeline 'no-such-pipeline' was not found.");
}

static void test_templates(void)
{
    char err[512];
    const char *t[] = {"vars: {a: A, n: 5, f: 1.5, b: true, l: [1, 2]}\n"};
    pipeline_set *ps = set_of(t, 1, err, sizeof err);
    const char *msg = NULL;
    CHECK_STR(pl_format_vars(ps, NULL, "{a}-{n}-{f}-{b}", &msg), "A-5-1.5-True");
    CHECK_STR(pl_format_vars(ps, NULL, "{{a}} {{{a}}}", &msg), "{a} {A}");
    CHECK(pl_format_vars(ps, NULL, "{l}", &msg) == NULL);
    CHECK_STR(msg, "variable 'l' is not a single value");
    CHECK(pl_format_vars(ps, NULL, "x{nope}", &msg) == NULL);
    CHECK_STR(msg, "missing variable 'nope' in 'x{nope}'; define it under vars: in a pipeline");
    CHECK(pl_format_vars(ps, NULL, "{backend_zone}", &msg) == NULL);
    CHECK_STR(msg, "missing variable 'backend_zone' in '{backend_zone}'; set it with -O zone=VALUE");
    /* filters: every occurrence, in order, white space around the parts */
    const char *t2[] = {"vars: {r: eu-west-2--x}\n"};
    ps = set_of(t2, 1, err, sizeof err);
    CHECK_STR(pl_format_vars(ps, NULL, "t_{r|replace('-', '_')}", &msg), "t_eu_west_2__x");
    CHECK_STR(pl_format_vars(ps, NULL, "{ r | replace( \"--\" , '' ) | replace('-','.') }", &msg), "eu.west.2x");
    CHECK(pl_format_vars(ps, NULL, "{r|upper}", &msg) == NULL);
    CHECK_STR(msg, "unknown filter 'upper' after 'r' (the filter there is: replace('old', 'new'))");
    CHECK_STR(load_error("transformations:\n  - {type: set_state, key: k, val: \"{r|replace('', 'x')}\"}\n"),
              "p.yml:2:36: set_state val: filter of 'r': expected replace('old', 'new') with quoted text, the first "
              "not empty");
    CHECK_STR(load_error("transformations:\n  - {type: set_state, key: k, val: \"{r|replace('a', 'b') x}\"}\n"),
              "p.yml:2:36: set_state val: filter of 'r': unexpected 'x' after replace('old', 'new')");
    CHECK_STR(load_error("transformations:\n  - {type: set_state, key: k, val: \"{|replace('a', 'b')}\"}\n"),
              "p.yml:2:36: set_state val: '{' must start a {variable} (write '{{' for a brace)");
}

static const char *resub(const char *re, const char *s, const char *repl)
{
    pipeline_set *ps = pipeline_set_new(A);
    char msg[200];
    pcre2_code *c = pl_compile(ps, re, strlen(re), msg, sizeof msg);
    if (!c)
        return "(bad regex)";
    size_t ol;
    bool ch;
    const char *m = NULL;
    char *r = pl_resub(A, c, s, strlen(s), repl, &ol, &ch, &m);
    return r ? r : m;
}

static void test_resub(void)
{
    /* Python 3.7+ re.sub semantics, empty matches included */
    CHECK_STR(resub("x*", "abxd", "-"), "-a-b--d-");
    CHECK_STR(resub("|a", "a", "-"), "---");
    CHECK_STR(resub("(\\w+)@(\\w+)", "joe@site x", "\\2 at \\1"), "site at joe x");
    CHECK_STR(resub("(?P<user>\\w+)@", "joe@site", "<\\g<user>>\\g<0>"), "<joe>joe@site");
    CHECK_STR(resub("a", "banana", "\\\\"), "b\\n\\n\\");
    CHECK_STR(resub("a", "banana", "\\t"), "b\tn\tn\t");
    CHECK_STR(resub("(a)|(b)", "ab", "[\\2]"), "[][b]");
    CHECK_STR(resub("é", "café é", "e"), "cafe e");
    CHECK_STR(resub("a", "aaa", "\\q"), "bad escape \\q");
    CHECK_STR(resub("zzz", "abc", "y"), "abc");
}

/* ---- conditions ---------------------------------------------------------------------- */

/* SELECT list of RULE after one transformation `add_field: m` under the given
 * conditions (text of the YAML lines after the item's type). */
static const char *marker(const char *conds, const char *rule)
{
    char err[1024], text[4096];
    snprintf(text, sizeof text, "transformations:\n  - type: add_field\n    field: m\n%s", conds);
    pipeline_set *ps = pipeline_set_new(A);
    if (!pipeline_set_add_text(ps, "c.yml", text, strlen(text), err, sizeof err))
        return arena_strdup(A, err);
    const char *q = convert(ps, rule ? rule : RULE);
    return strncmp(q, "SELECT m FROM", 13) == 0 ? "match" : strncmp(q, "SELECT * FROM", 13) == 0 ? "no" : q;
}

static void test_rule_conditions(void)
{
    CHECK_STR(marker("", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: logsource, product: windows}\n", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: logsource, product: windows, service: sysmon}\n", NULL),
              "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: logsource, category: process_creation}\n", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: contains_field, field: User}\n", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: contains_field, field: Hashes}\n", NULL), "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: contains_detection_item, field: User, value: admin}\n",
                     NULL),
              "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: contains_detection_item, field: User, value: root}\n",
                     NULL),
              "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: is_sigma_rule}\n", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: is_sigma_correlation_rule}\n", NULL), "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: tag, tag: attack.t1059}\n", NULL), "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: tag, tag: attack.t1000}\n", NULL), "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: level, value: medium, op: gt}\n",
                     NULL),
              "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: level, value: critical}\n",
                     NULL),
              "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: title, value: t}\n", NULL),
              "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: title, value: t, op: gt}\n",
                     NULL),
              "rule_attribute condition: only eq and ne compare strings (attribute 'title')");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: nothere, value: t}\n", NULL),
              "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: rule_attribute, attribute: tags, value: attack.t1059, "
                     "op: not_in}\n",
                     NULL),
              "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: processing_state, key: k, val: v}\n", NULL), "no");
    CHECK_STR(marker("    rule_conditions:\n      - {type: processing_item_applied, processing_item_id: x}\n", NULL),
              "no");
    /* linking, negation, expressions */
    CHECK_STR(marker("    rule_cond_op: or\n    rule_conditions:\n      - {type: tag, tag: a.b}\n"
                     "      - {type: is_sigma_rule}\n",
                     NULL),
              "match");
    CHECK_STR(marker("    rule_conditions:\n      - {type: tag, tag: a.b}\n      - {type: is_sigma_rule}\n", NULL),
              "no");
    CHECK_STR(marker("    rule_cond_not: true\n    rule_conditions:\n      - {type: tag, tag: a.b}\n", NULL),
              "match");
    CHECK_STR(marker("    rule_cond_not: true\n", NULL), "match"); /* no conditions: always applies */
    CHECK_STR(marker("    rule_conditions:\n      x: {type: tag, tag: a.b}\n      y: {type: is_sigma_rule}\n"
                     "    rule_cond_expr: not x and (y or x)\n",
                     NULL),
              "match");
    CHECK_STR(marker("    rule_conditions:\n      x: {type: tag, tag: a.b}\n      y: {type: is_sigma_rule}\n"
                     "    rule_cond_expr: x or not y\n",
                     NULL),
              "no");
}

/* field of the first item after a suffix under detection item / field conditions */
static const char *suffixed(const char *conds, const char *det)
{
    char err[1024], text[4096], rule[2048];
    snprintf(text, sizeof text, "transformations:\n  - type: field_name_suffix\n    suffix: _S\n%s", conds);
    snprintf(rule, sizeof rule,
             "title: t\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n%s"
             "  condition: sel\n",
             det);
    pipeline_set *ps = pipeline_set_new(A);
    if (!pipeline_set_add_text(ps, "c.yml", text, strlen(text), err, sizeof err))
        return arena_strdup(A, err);
    return convert(ps, rule);
}

static void test_item_conditions(void)
{
    const char *D = "    A: [abc, 'x*']\n    B: null\n    C: 5\n";
    CHECK_STR(suffixed("", D), "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') "
                               "AND B_S IS NULL AND C_S = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: match_string, cond: any, pattern: ab}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: match_string, cond: all, pattern: ab}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A) = 'abc' OR LOWER(A) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: contains_wildcard, cond: any}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: is_null, cond: all}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A) = 'abc' OR LOWER(A) LIKE 'x%' ESCAPE '\\') AND B_S IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: match_value, cond: any, value: 5}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A) = 'abc' OR LOWER(A) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C_S = 5");
    CHECK_STR(suffixed("    detection_item_conditions:\n      - {type: match_value, cond: any, value: 'x*'}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    detection_item_cond_not: true\n    detection_item_conditions:\n"
                       "      - {type: match_value, cond: any, value: 5}\n",
                       D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B_S IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    field_name_conditions:\n      - {type: include_fields, fields: [A, C]}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B IS NULL "
              "AND C_S = 5");
    CHECK_STR(suffixed("    field_name_conditions:\n      - {type: exclude_fields, fields: [A, C]}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A) = 'abc' OR LOWER(A) LIKE 'x%' ESCAPE '\\') AND B_S IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    field_name_conditions:\n      - {type: include_fields, mode: re, fields: ['[AB]']}\n", D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B_S IS NULL "
              "AND C = 5");
    CHECK_STR(suffixed("    field_name_cond_op: or\n    field_name_conditions:\n"
                       "      - {type: include_fields, fields: [A]}\n      - {type: include_fields, fields: [B]}\n",
                       D),
              "SELECT * FROM <TABLE> WHERE (LOWER(A_S) = 'abc' OR LOWER(A_S) LIKE 'x%' ESCAPE '\\') AND B_S IS NULL "
              "AND C = 5");
}

/* ---- transformations through the public API ------------------------------------------- */

static const char *api_convert(const char *const *pipes, size_t np, const char *const *opts, size_t no,
                               const char *rule, int *status)
{
    sigma_compiler *c = sigma_compiler_new();
    static char out[8192];
    out[0] = 0;
    *status = 0;
    for (size_t i = 0; i < np; i++)
        if (sigma_add_pipeline(c, pipes[i]) != SIGMA_OK) {
            snprintf(out, sizeof out, "%s", sigma_last_error(c));
            *status = 2;
            sigma_compiler_free(&c);
            return out;
        }
    for (size_t i = 0; i + 1 < no; i += 2)
        sigma_set_option(c, opts[i], opts[i + 1]);
    sigma_add_source(c, "r.yml", rule, strlen(rule));
    *status = sigma_compile(c);
    const sigma_result *r = sigma_result_get(c, 0);
    if (sigma_output(c))
        snprintf(out, sizeof out, "%s", sigma_output(c));
    else if (r && r->error)
        snprintf(out, sizeof out, "%u:%u: %s", r->error->line, r->error->column, r->error->message);
    else if (r && r->nqueries)
        snprintf(out, sizeof out, "%s", r->queries[0]);
    sigma_compiler_free(&c);
    return out;
}

static void test_api(void)
{
    int st;
    const char *aws = "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n"
                      "    eventName: ConsoleLogin\n  condition: sel\n";
    /* the README's Security Lake example: option set after the pipeline; the
     * table has the built-in OCSF schema, which has no raw CloudTrail names */
    const char *p1[] = {"athena_security_lake_table_name"};
    const char *o1[] = {"aws_table_region", "eu-west-2", "unknown_fields", "warn"};
    CHECK_STR(api_convert(p1, 1, o1, 2, aws, &st),
              "5:5: unknown field 'eventName' in table amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0: no "
              "column 'eventName'; Security Lake tables hold OCSF fields: map Sigma's AWS field names to them with -p "
              "athena_security_lake, or keep the names as written with -O unknown_fields=warn");
    CHECK(st == SIGMA_ERULE);
    CHECK_STR(api_convert(p1, 1, o1, 4, aws, &st),
              "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(eventName) = "
              "'consolelogin'");
    CHECK(st == SIGMA_OK);
    CHECK_STR(api_convert(p1, 1, NULL, 0, aws, &st),
              "1:1: set_state 'table_name': missing variable 'backend_aws_table_region' "
              "(athena_security_lake_table_name needs the AWS region of the Security Lake tables); set it with -O "
              "aws_table_region=VALUE");
    CHECK(st == SIGMA_ERULE);
    /* the README's YAML example with {region} */
    const char *p2[] = {"tests/golden/pipelines/readme_table.yml"};
    CHECK_STR(api_convert(p2, 1, o1 + 2, 2, aws, &st),
              "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(eventName) = "
              "'consolelogin'");
    /* a folder */
    const char *p3[] = {"tests/golden/pipelines/dir"};
    CHECK_STR(api_convert(p3, 1, NULL, 0, aws, &st),
              "SELECT * FROM <TABLE> WHERE LOWER(high.low.eventName_m_x) = 'consolelogin'");
    /* a bad file is a usage error with the position */
    const char *p4[] = {"tests/golden/pipelines/bad/unknown_type.yml"};
    CHECK_STR(api_convert(p4, 1, NULL, 0, aws, &st),
              "tests/golden/pipelines/bad/unknown_type.yml:5:11: unknown transformation type 'field_name_rename'");
    CHECK(st == 2);
    /* finalizers give one output text */
    const char *p5[] = {"tests/golden/pipelines/finalize_json.yml"};
    CHECK_STR(api_convert(p5, 1, NULL, 0, aws, &st),
              "[\n  \"SELECT * FROM <TABLE> WHERE LOWER(eventName) = 'consolelogin'\"\n]");
    /* all 8 Security Lake services */
    static const char *const svc[][2] = {
        {"cloudtrail", "cloud_trail_mgmt"}, {"cloudtrail_s3", "s3_data"},  {"cloudtrail_lambda", "lambda_execution"},
        {"route53", "route53"},             {"security_hub", "sh_findings"}, {"vpc_flow_logs", "vpc_flow"},
        {"waf", "waf"},                     {"eks_audit", "eks_audit"},
    };
    const char *o2[] = {"aws_table_region", "ap-south-1", "aws_table_version", "3-1"};
    for (size_t i = 0; i < 8; i++) {
        char rule[512], want[512];
        snprintf(rule, sizeof rule,
                 "title: t\nlogsource: {product: aws, service: %s}\ndetection:\n  sel:\n    a: 1\n  condition: sel\n",
                 svc[i][0]);
        snprintf(want, sizeof want, "SELECT * FROM amazon_security_lake_table_ap_south_1_%s_3_1 WHERE a = 1",
                 svc[i][1]);
        CHECK_STR(api_convert(p1, 1, o2, 4, rule, &st), want);
    }
    const char *gd = "title: t\nlogsource: {product: aws, service: guardduty}\ndetection:\n  sel:\n    a: 1\n"
                     "  condition: sel\n";
    CHECK_STR(api_convert(p1, 1, NULL, 0, gd, &st), "SELECT * FROM <TABLE> WHERE a = 1");
}

/* Every file of pipelines/ is built in under its name: it loads, it is
 * listed, the embedded text is the file's, and -p NAME converts as -p FILE. */
static void test_builtin_files(void)
{
    CHECK(embed_pipelines.n >= 2);
    const char *const *names = pipeline_builtin_names();
    for (size_t i = 0; i < embed_pipelines.n; i++) {
        const embed_file *f = &embed_pipelines.files[i];
        size_t len = strlen(f->name);
        CHECK(len > 4 && strcmp(f->name + len - 4, ".yml") == 0);
        char name[128], path[160], err[1024];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), f->name);
        snprintf(path, sizeof path, "pipelines/%s", f->name);
        bool listed = false;
        for (size_t k = 0; names[k]; k++)
            listed |= strcmp(names[k], name) == 0;
        if (!listed)
            fprintf(stderr, "pipelines/%s is not listed\n", f->name);
        CHECK(listed);
        pipeline_set *ps = pipeline_set_new(A);
        err[0] = 0;
        bool ok = pipeline_set_add(ps, name, err, sizeof err);
        if (!ok)
            fprintf(stderr, "built-in %s: %s\n", name, err);
        CHECK(ok && !pipeline_set_empty(ps));
        file_buf b = {0};
        CHECK(file_read(path, 1 << 20, &b) == 0 && b.len == f->len && memcmp(b.p, f->data, b.len) == 0);
        file_buf_free(&b);
        pipeline_set *pf = pipeline_set_new(A);
        CHECK(pipeline_set_add(pf, path, err, sizeof err));
    }
    /* -p NAME and -p FILE: the same SQL, the same errors */
    const char *aws = "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n"
                      "    eventName: ConsoleLogin\n    additionalEventData.MFAUsed: 'No'\n  condition: sel\n";
    const char *o[] = {"aws_table_region", "eu-west-2"};
    static const char *const by[][2] = {{"athena_security_lake", "pipelines/athena_security_lake.yml"},
                                        {"athena_cloudtrail_table", "pipelines/athena_cloudtrail_table.yml"}};
    int st;
    for (size_t i = 0; i < 2; i++) {
        char want[8192];
        snprintf(want, sizeof want, "%s", api_convert(by[i] + 1, 1, o, 2, aws, &st));
        CHECK_STR(api_convert(by[i], 1, o, 2, aws, &st), want);
    }
    CHECK_STR(api_convert(by[0], 1, o, 2, aws, &st),
              "SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(api.operation) = "
              "'consolelogin' AND is_mfa = false");
    /* a name that is no file and not a built-in, names that are never files */
    pipeline_set *ps = pipeline_set_new(A);
    char err[512];
    CHECK(!pipeline_set_add(ps, "athena_no_such", err, sizeof err));
    CHECK(!pipeline_set_add(ps, "../pipelines/athena_security_lake", err, sizeof err));
}

/* names[] (NULL-terminated lists, one after the other) are exactly the
 * names of sigma_list_entries(what), in order. */
static void same_names(const char *what, const char *const *const *names, size_t nlists)
{
    size_t n, k = 0;
    const sigma_entry *e = sigma_list_entries(what, &n);
    CHECK(e != NULL && n > 0);
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; names[l][i]; i++, k++) {
            if (k >= n || strcmp(e[k].name, names[l][i]) != 0) {
                fprintf(stderr, "sigma list %s: entry %zu is '%s', the registry says '%s'\n", what, k,
                        k < n ? e[k].name : "(none)", names[l][i]);
                CHECK(!"list and registry agree");
                return;
            }
            CHECK(e[k].description && *e[k].description);
        }
    CHECK(k == n);
}

/* A pipeline whose only item has type `name` under `section` loads, or
 * fails for any reason but an unknown type. */
static bool type_known(const char *section, const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "%s:\n  - type: %s\n", section, name);
    const char *err = load_error(text);
    return !strstr(err, "unknown") || strstr(err, "unknown parameter");
}

static bool condition_known(const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "transformations:\n  - type: add_field\n    field: x\n    rule_conditions:\n"
                                "      - type: %s\n", name);
    return !strstr(load_error(text), "condition type");
}

static void test_lists(void)
{
    const char *const *transformations[] = {pipeline_transformation_names, pipeline_postprocessing_names,
                                            pipeline_finalizer_names};
    same_names("transformations", transformations, 3);
    const char *const *conditions[] = {pipeline_condition_names};
    same_names("conditions", conditions, 1);
    const char *const *builtin[] = {pipeline_builtin_names()};
    same_names("pipelines", builtin, 1);
    /* every listed name is one the loader knows, and a made-up one is not */
    static const char *const sections[] = {"transformations", "postprocessing", "finalizers"};
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; transformations[l][i]; i++)
            if (!type_known(sections[l], transformations[l][i])) {
                fprintf(stderr, "%s type '%s' is listed but unknown to the loader\n", sections[l],
                        transformations[l][i]);
                CHECK(!"listed transformation loads");
            }
    CHECK(!type_known("transformations", "no_such_transformation"));
    for (size_t i = 0; pipeline_condition_names[i]; i++)
        if (!condition_known(pipeline_condition_names[i])) {
            fprintf(stderr, "condition type '%s' is listed but unknown to the loader\n", pipeline_condition_names[i]);
            CHECK(!"listed condition loads");
        }
    CHECK(!condition_known("no_such_condition"));
    /* the older interface: the same lists as "name\tdescription" lines */
    size_t n;
    const sigma_entry *e = sigma_list_entries("conditions", &n);
    const char *const *lines = sigma_list("conditions");
    for (size_t i = 0; i < n; i++)
        CHECK(lines && lines[i] && strncmp(lines[i], e[i].name, strlen(e[i].name)) == 0 &&
              lines[i][strlen(e[i].name)] == '\t' && strcmp(lines[i] + strlen(e[i].name) + 1, e[i].description) == 0);
    CHECK(lines && !lines[n]);
    CHECK(sigma_list("modifiers") == NULL);
}

static void test_state(void)
{
    char err[512];
    const char *t[] = {"transformations:\n  - {type: set_state, key: a, val: 1}\n  - {type: set_state, key: a, val: 2}\n"
                       "  - {type: set_state, key: n, val: null}\n  - {type: set_state, key: b, val: true}\n"};
    pipeline_set *ps = set_of(t, 1, err, sizeof err);
    srule *r = rule_of(RULE);
    pstate st;
    CHECK(pipeline_apply(ps, r, &st));
    CHECK(st.n == 3);
    CHECK_STR(pstate_get(&st, "a"), "2");
    CHECK_STR(pstate_get(&st, "b"), "True");
    CHECK(pstate_get(&st, "n") == NULL && pstate_get(&st, "zzz") == NULL);
    /* state is reset for every rule */
    srule *r2 = rule_of(RULE);
    pstate st2;
    pipeline_set *empty = pipeline_set_new(A);
    CHECK(pipeline_apply(empty, r2, &st2) && st2.n == 0);
}

static void test_correlation(void)
{
    const char *text = "title: corr\ncorrelation:\n  type: event_count\n  rules: [base]\n"
                       "  group-by: [User, Host]\n  timespan: 5m\n  condition: {gte: 2}\n---\n"
                       "title: base\nname: base\nlogsource: {product: aws, service: cloudtrail}\n"
                       "detection:\n  sel:\n    User: x\n  condition: sel\n";
    const char *pipe = "transformations:\n"
                       "  - type: field_name_mapping\n    mapping: {User: user_name}\n"
                       "  - type: add_field\n    field: m\n    rule_conditions:\n"
                       "      - {type: logsource, service: cloudtrail}\n";
    for (int with_all = 0; with_all < 2; with_all++) {
        char err[512];
        pipeline_set *ps = pipeline_set_new(A);
        CHECK(pipeline_set_add_text(ps, "p.yml", pipe, strlen(pipe), err, sizeof err));
        ydoc *docs;
        size_t nd;
        yerror ye;
        CHECK(yaml_load(A, text, strlen(text), &docs, &nd, &ye));
        rule_list l = {0};
        rules_from_docs(A, "r.yml", docs, nd, &l);
        CHECK(l.n == 2);
        if (with_all)
            pipeline_set_rules(ps, &l);
        pstate st;
        CHECK(pipeline_apply(ps, l.v[0], &st));
        CHECK(pipeline_apply(ps, l.v[1], &st));
        const correlation *k = l.v[0]->corr;
        CHECK(k && k->ngroup_by == 2 && strcmp(k->group_by[0].name, "user_name") == 0 &&
              strcmp(k->group_by[1].name, "Host") == 0);
        /* the correlation comes first: only with the whole rule list does
         * its logsource condition see the referenced rule */
        CHECK(l.v[0]->nfields == (size_t)with_all);
        CHECK(l.v[1]->nfields == 1);
    }
}

/* A pipeline folder is read whole or not at all: an entry that cannot be
 * read (a dangling link) or a link loop is an error naming it. */
static void test_folder(void)
{
    char dir[] = "/tmp/sigma-pipes.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/a.yml", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("name: a\ntransformations:\n  - type: field_name_prefix\n    prefix: x_\n", f);
        fclose(f);
    }
    pipeline_set *ps = pipeline_set_new(A);
    CHECK(pipeline_set_add(ps, dir, err, sizeof err) && !pipeline_set_empty(ps));
    char link[512];
    snprintf(link, sizeof link, "%s/gone.yml", dir);
    CHECK(symlink("/nonexistent/sigma-pipe.yml", link) == 0);
    ps = pipeline_set_new(A);
    CHECK(!pipeline_set_add(ps, dir, err, sizeof err) && strstr(err, "gone.yml: No such file or directory"));
    unlink(link);
    snprintf(link, sizeof link, "%s/loop", dir);
    CHECK(symlink(".", link) == 0);
    ps = pipeline_set_new(A);
    CHECK(!pipeline_set_add(ps, dir, err, sizeof err) && strstr(err, "Too many levels of symbolic links"));
    unlink(link);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    A = arena_new();
    test_load_errors();
    test_merge();
    test_uses_var();
    test_templates();
    test_resub();
    test_rule_conditions();
    test_item_conditions();
    test_api();
    test_builtin_files();
    test_lists();
    test_state();
    test_correlation();
    test_folder();
    arena_free(A);
    return t_done("test_pipeline");
}
