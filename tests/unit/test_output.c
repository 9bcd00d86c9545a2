/* test_output.c - the output formats and rule metadata through the public
 * API (sigma_render, the metadata of sigma_result), exact texts: the string
 * escaping of every format (JSON, YAML, HCL), names made unique, parts,
 * per-rule files and the errors of sigma_render. Uses only sigma.h. */
#include <sigma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

/* A compiler with the rules of text compiled and the options given as
 * "key", "value", ..., NULL. */
static sigma_compiler *compile(const char *name, const char *text, ...)
{
    sigma_compiler *c = sigma_compiler_new();
    va_list ap;
    va_start(ap, text);
    for (const char *k; (k = va_arg(ap, const char *));)
        sigma_set_option(c, k, va_arg(ap, const char *));
    va_end(ap);
    sigma_add_source(c, name, text, strlen(text));
    sigma_compile(c);
    return c;
}

/* The whole output of one format (the first text), "" on failure. */
static const char *whole(sigma_compiler *c, const char *format)
{
    const sigma_output_file *f;
    size_t n;
    if (sigma_render(c, format, 0, &f, &n) != SIGMA_OK || n < 1)
        return "";
    return f[0].text;
}

static const char RULE[] = "title: 'A \"b\" c\\d ${e} %{f}'\n"
                           "id: 5013332f-8a70-4e04-bcc1-06a98a2cca2e\n"
                           "status: test\nlevel: high\nauthor: \"x\\ty\"\n"
                           "description: \"line\\nnext \\x01 \\u2028 é\"\n"
                           "date: 2024-05-01\nmodified: 2024/06/02\n"
                           "tags: [attack.execution, attack.t1059.001, attack.defense_evasion, attack.T1003]\n"
                           "references: [https://x]\nfalsepositives: [a, 3]\n"
                           "logsource: {category: process_creation, product: windows}\n"
                           "detection: {sel: {a: 1}, condition: sel}\n";

static void test_metadata(void)
{
    sigma_compiler *c = compile("r.yml", RULE, NULL);
    const sigma_result *r = sigma_result_get(c, 0);
    CHECK_STR(r->level, "high");
    CHECK_STR(r->status, "test");
    CHECK_STR(r->author, "x\ty");
    CHECK_STR(r->date, "2024-05-01");
    CHECK_STR(r->modified, "2024/06/02");
    CHECK(r->ntags == 4 && r->nreferences == 1 && r->nfalsepositives == 2);
    CHECK_STR(r->falsepositives[1], "3");
    CHECK(r->logsource && !r->logsource->service);
    CHECK_STR(r->logsource ? r->logsource->category : NULL, "process_creation");
    CHECK(r->nattack_techniques == 2);
    CHECK_STR(r->attack_techniques[0], "T1059.001");
    CHECK_STR(r->attack_techniques[1], "T1003");
    CHECK(r->nattack_tactics == 2);
    CHECK_STR(r->attack_tactics[0].id, "TA0002");
    CHECK_STR(r->attack_tactics[1].id, "TA0005");
    CHECK_STR(r->attack_tactics[1].name, "Stealth");
    sigma_compiler_free(&c);
    /* a document that is not a mapping: nothing */
    c = compile("l.yml", "- a\n", NULL);
    r = sigma_result_get(c, 0);
    CHECK(r->error && !r->level && !r->ntags && !r->logsource && !r->nattack_tactics);
    sigma_compiler_free(&c);
}

static void test_escaping(void)
{
    sigma_compiler *c = compile("dir/r.yml", RULE, "athena_database", "db", NULL);
    CHECK_STR(whole(c, "jsonl"),
              "{\"file\": \"dir/r.yml\", \"id\": \"5013332f-8a70-4e04-bcc1-06a98a2cca2e\", \"title\": \"A \\\"b\\\" c\\\\d "
              "${e} %{f}\", \"type\": \"rule\", \"queries\": [\"SELECT * FROM <TABLE> WHERE a = 1\"], \"level\": "
              "\"high\", \"status\": \"test\", \"description\": \"line\\nnext \\u0001 \u2028 é\", \"author\": "
              "\"x\\ty\", \"date\": \"2024-05-01\", \"modified\": \"2024/06/02\", \"tags\": [\"attack.execution\", "
              "\"attack.t1059.001\", \"attack.defense_evasion\", \"attack.T1003\"], \"attack\": {\"techniques\": "
              "[\"T1059.001\", \"T1003\"], \"tactics\": [{\"id\": \"TA0002\", \"name\": \"Execution\"}, {\"id\": "
              "\"TA0005\", \"name\": \"Stealth\"}]}, \"logsource\": {\"category\": \"process_creation\", "
              "\"product\": \"windows\", \"service\": null, \"definition\": null}, \"references\": [\"https://x\"], "
              "\"falsepositives\": [\"a\", \"3\"]}\n");
    CHECK_STR(whole(c, "cloudformation"),
              "AWSTemplateFormatVersion: \"2010-09-09\"\n"
              "Description: \"Sigma rules as Athena named queries\"\n"
              "Resources:\n"
              "  R:\n"
              "    Type: \"AWS::Athena::NamedQuery\"\n"
              "    Properties:\n"
              "      Name: \"A \\\"b\\\" c\\\\d ${e} %{f}\"\n"
              "      Description: \"line\\nnext \\x01 \\u2028 é\"\n"
              "      Database: \"db\"\n"
              "      QueryString: \"SELECT * FROM <TABLE> WHERE a = 1\"\n");
    CHECK_STR(whole(c, "terraform"),
              "resource \"aws_athena_named_query\" \"r\" {\n"
              "  name        = \"A \\\"b\\\" c\\\\d \\u0024{e} \\u0025{f}\"\n"
              "  description = \"line\\nnext \\u0001 \\u2028 é\"\n"
              "  database    = \"db\"\n"
              "  query       = \"SELECT * FROM <TABLE> WHERE a = 1\"\n"
              "}\n");
    CHECK_STR(whole(c, "views"), "CREATE OR REPLACE VIEW sigma_r AS SELECT * FROM <TABLE> WHERE a = 1;\n");
    CHECK_STR(whole(c, "default"), "SELECT * FROM <TABLE> WHERE a = 1\n");
    sigma_compiler_free(&c);
}

/* Two documents in one file, a second file of the same name, one query too
 * many for Athena. */
static void test_names_and_files(void)
{
    sigma_compiler *c = sigma_compiler_new();
    sigma_set_option(c, "athena_database", "db");
    sigma_set_option(c, "athena_workgroup", "wg");
    sigma_set_option(c, "view_prefix", "det.v_");
    const char *two = "title: T1\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: [sel, 'not sel']}\n"
                      "---\ntitle: T2\nlogsource: {category: x}\ndetection: {sel: {a: 2}, condition: sel}\n";
    const char *other = "title: T3\nlogsource: {category: x}\ndetection: {sel: {a: 3}, condition: sel}\n";
    sigma_add_source(c, "a/My-Rule.yml", two, strlen(two));
    sigma_add_source(c, "b/my-rule.yaml", other, strlen(other));
    CHECK(sigma_compile(c) == SIGMA_OK);
    const sigma_output_file *f;
    size_t n;
    CHECK(sigma_render(c, "default", SIGMA_RENDER_PER_RULE, &f, &n) == SIGMA_OK && n == 3);
    if (n == 3) {
        CHECK_STR(f[0].name, "My-Rule.sql");
        CHECK_STR(f[0].text, "SELECT * FROM <TABLE> WHERE a = 1\n\nSELECT * FROM <TABLE> WHERE NOT COALESCE(a = 1, FALSE)\n");
        CHECK_STR(f[1].name, "My-Rule_2.sql");
        CHECK_STR(f[2].name, "my-rule_3.sql");
        CHECK(f[2].len == strlen(f[2].text));
    }
    CHECK_STR(whole(c, "views"), "CREATE OR REPLACE VIEW det.v_my_rule AS SELECT * FROM <TABLE> WHERE a = 1;\n\n"
                                 "CREATE OR REPLACE VIEW det.v_my_rule_2 AS SELECT * FROM <TABLE> WHERE NOT COALESCE(a = 1, FALSE);\n\n"
                                 "CREATE OR REPLACE VIEW det.v_my_rule_2_2 AS SELECT * FROM <TABLE> WHERE a = 2;\n\n"
                                 "CREATE OR REPLACE VIEW det.v_my_rule_3 AS SELECT * FROM <TABLE> WHERE a = 3;\n");
    const char *tf = whole(c, "terraform");
    CHECK(strstr(tf, "\"My-Rule\" {\n  name        = \"T1\"\n  database    = \"db\"\n  workgroup   = \"wg\"\n"));
    CHECK(strstr(tf, "\"My-Rule_2\" {\n  name        = \"T1 #2\"\n"));
    CHECK(strstr(tf, "\"My-Rule_2_2\" {\n  name        = \"T2\"\n"));
    CHECK(strstr(tf, "\"my-rule_3\" {\n  name        = \"T3\"\n"));
    const char *cfn = whole(c, "cloudformation");
    CHECK(strstr(cfn, "\n  MyRule:\n") && strstr(cfn, "\n  MyRule2:\n") && strstr(cfn, "\n  MyRule22:\n") &&
          strstr(cfn, "\n  MyRule3:\n") && strstr(cfn, "      WorkGroup: \"wg\"\n"));
    sigma_compiler_free(&c);
}

static void test_long_names_and_limits(void)
{
    /* a title of 130 characters, two of them two bytes long: Name keeps 128 characters */
    char title[300] = "é";
    for (int i = 0; i < 128; i++)
        strcat(title, "x");
    strcat(title, "é");
    char *rule = malloc(300000);
    snprintf(rule, 300000, "title: %s\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: sel}\n", title);
    sigma_compiler *c = compile("t.yml", rule, "athena_database", "db", NULL);
    char want[300] = "      Name: \"é"; /* é and 127 x */
    for (int i = 0; i < 127; i++)
        strcat(want, "x");
    strcat(want, "\"\n");
    CHECK(strstr(whole(c, "cloudformation"), want) != NULL);
    sigma_compiler_free(&c);
    /* a query over Athena's limit: left out of cloudformation, with a warning */
    char *p = rule + snprintf(rule, 300000, "title: Big\nlogsource: {category: x}\ndetection: {sel: {a: '");
    memset(p, 'z', 270000);
    strcpy(p + 270000, "'}, condition: sel}\n");
    c = compile("big.yml", rule, "athena_database", "db", NULL);
    size_t before = sigma_diag_count(c);
    CHECK_STR(whole(c, "cloudformation"), "");
    CHECK(sigma_diag_count(c) == before + 1);
    const sigma_diag *d = sigma_diag_get(c, before);
    CHECK(d && d->severity == SIGMA_WARNING && strstr(d->message, "left out of the cloudformation output"));
    CHECK_STR(d ? d->file : NULL, "big.yml");
    CHECK_STR(whole(c, "terraform"), ""); /* its warning replaces the previous call's */
    CHECK(sigma_diag_count(c) == before + 1 && strstr(sigma_diag_get(c, before)->message, "terraform"));
    CHECK(strlen(whole(c, "views")) > 270000);
    CHECK(sigma_diag_count(c) == before);
    sigma_compiler_free(&c);
    free(rule);
}

static void test_errors(void)
{
    sigma_compiler *c = compile("r.yml", "title: T\nlogsource: {category: x}\ndetection: {sel: {a: 1}, condition: sel}\n",
                                NULL);
    const sigma_output_file *f = (const sigma_output_file *)1;
    size_t n = 7;
    CHECK(sigma_render(c, "xml", 0, &f, &n) == SIGMA_EUSAGE && !f && !n);
    CHECK(strstr(sigma_last_error(c), "unknown output format 'xml'"));
    CHECK(sigma_render(c, "terraform", 0, &f, &n) == SIGMA_EUSAGE);
    CHECK(strstr(sigma_last_error(c), "athena_database"));
    CHECK(sigma_render(c, "json", 4, &f, &n) == SIGMA_EUSAGE);
    CHECK(sigma_set_option(c, "athena_workgroup", "a b") == SIGMA_EUSAGE);
    CHECK(sigma_set_option(c, "view_prefix", "x.") == SIGMA_OK);
    CHECK(sigma_set_option(c, "view_prefix", "1.x") == SIGMA_EUSAGE);
    CHECK(sigma_set_option(c, "athena_database", "") == SIGMA_EUSAGE);
    /* an empty run: json is "[]", the others nothing */
    sigma_compiler *e = sigma_compiler_new();
    sigma_set_option(e, "athena_database", "db");
    sigma_compile(e);
    CHECK_STR(whole(e, "json"), "[]\n");
    CHECK_STR(whole(e, "cloudformation"), "");
    CHECK(sigma_render(e, "default", SIGMA_RENDER_PER_RULE, &f, &n) == SIGMA_OK && n == 0);
    sigma_compiler_free(&e);
    /* the formats, listed */
    size_t nf;
    const sigma_entry *fm = sigma_list_entries("formats", &nf);
    CHECK(nf == 7 && strcmp(fm[0].name, "default") == 0 && strcmp(fm[5].name, "views") == 0 &&
          strcmp(fm[6].name, "pack") == 0);
    sigma_compiler_free(&c);
}

/* A sigma_write_fn collecting the text; fails after `budget` calls. */
typedef struct sink {
    char buf[1 << 20];
    size_t len;
    int calls, budget;
} sink;

static int collect(void *ctx, const char *text, size_t len)
{
    sink *k = ctx;
    if (++k->calls > k->budget)
        return -1;
    if (k->len + len < sizeof k->buf) {
        memcpy(k->buf + k->len, text, len);
        k->len += len;
    }
    return 0;
}

static void test_stream(void)
{
    static sink k;
    sigma_compiler *c = compile("dir/r.yml", RULE, "athena_database", "db", NULL);
    const char *formats[] = {"default", "json", "jsonl", "cloudformation", "terraform", "views"};
    for (size_t i = 0; i < 6; i++) {
        k = (sink){.budget = 100};
        CHECK(sigma_render_stream(c, formats[i], collect, &k) == SIGMA_OK);
        k.buf[k.len] = 0;
        CHECK_STR(k.buf, whole(c, formats[i]));
    }
    k = (sink){.budget = 0};
    CHECK(sigma_render_stream(c, "json", collect, &k) == SIGMA_EIO);
    CHECK(sigma_render_stream(c, "xml", collect, &k) == SIGMA_EUSAGE);
    sigma_compiler_free(&c);
    /* 1000 queries: three cloudformation parts, which a stream cannot take */
    c = sigma_compiler_new();
    sigma_set_option(c, "athena_database", "db");
    char rule[200];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(rule, sizeof rule, "title: R%d\nlogsource: {category: x}\ndetection: {s: {a: %d}, condition: s}\n",
                         i, i);
        sigma_add_source(c, "many.yml", rule, (size_t)n);
    }
    sigma_compile(c);
    k = (sink){.budget = 100};
    CHECK(sigma_render_stream(c, "cloudformation", collect, &k) == SIGMA_EUSAGE && k.calls == 0);
    CHECK(strstr(sigma_last_error(c), "needs 3 parts"));
    const sigma_output_file *f;
    size_t n;
    CHECK(sigma_render(c, "cloudformation", 0, &f, &n) == SIGMA_OK && n == 3);
    /* a stream of many pieces (over 64 KiB) is the same text */
    k = (sink){.budget = 1000};
    CHECK(sigma_render_stream(c, "views", collect, &k) == SIGMA_OK && k.calls > 1);
    k.buf[k.len] = 0;
    CHECK(k.len < sizeof k.buf - 1 && strcmp(k.buf, whole(c, "views")) == 0);
    sigma_compiler_free(&c);
}

int main(void)
{
    test_metadata();
    test_escaping();
    test_names_and_files();
    test_long_names_and_limits();
    test_errors();
    test_stream();
    return t_done("output");
}
