/* test_api.c - the public API of include/sigma.h beyond converting: version
 * macros, status and type names, sigma_diag_format, the name lists, the
 * backend option registry, thread counts, element_at_fields and strict
 * mode. Uses only sigma.h. */
#include <sigma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

static void test_version(void)
{
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", SIGMA_VERSION_MAJOR, SIGMA_VERSION_MINOR, SIGMA_VERSION_PATCH);
    CHECK_STR(v, SIGMA_VERSION_STRING);
    CHECK_STR(sigma_version(), SIGMA_VERSION_STRING);
    CHECK(SIGMA_VERSION_NUMBER == ((SIGMA_VERSION_MAJOR << 16) | (SIGMA_VERSION_MINOR << 8) | SIGMA_VERSION_PATCH));
    /* the VERSION file the build generated the macros from */
    FILE *f = fopen("VERSION", "r");
    char line[32] = "";
    CHECK(f && fgets(line, sizeof line, f));
    if (f)
        fclose(f);
    line[strcspn(line, "\n")] = 0;
    CHECK_STR(line, SIGMA_VERSION_STRING);
}

static void test_names(void)
{
    CHECK_STR(sigma_status_string(SIGMA_OK), "ok");
    CHECK_STR(sigma_status_string(SIGMA_ERULE), "a rule failed");
    CHECK_STR(sigma_status_string(SIGMA_EUSAGE), "usage error");
    CHECK_STR(sigma_status_string(SIGMA_EIO), "input/output error");
    CHECK_STR(sigma_status_string((sigma_status)42), "unknown status");
    CHECK_STR(sigma_result_type_name(SIGMA_RULE), "rule");
    CHECK_STR(sigma_result_type_name(SIGMA_CORRELATION), "correlation");
    CHECK_STR(sigma_result_type_name(SIGMA_FILTER), "filter");
    CHECK_STR(sigma_result_type_name((sigma_result_type)7), "unknown");
}

static void test_diag_format(void)
{
    sigma_diag d = {SIGMA_ERROR, "r.yml", 3, 14, "Detection 'x' not defined"};
    char buf[128];
    CHECK(sigma_diag_format(&d, buf, sizeof buf) == strlen("r.yml:3:14: error: Detection 'x' not defined"));
    CHECK_STR(buf, "r.yml:3:14: error: Detection 'x' not defined");
    sigma_diag w = {SIGMA_WARNING, "sigma", 0, 0, "unused"};
    sigma_diag_format(&w, buf, sizeof buf);
    CHECK_STR(buf, "sigma: warning: unused");
    /* like snprintf: cut to the buffer, NUL-terminated, full length returned */
    char small[8];
    CHECK(sigma_diag_format(&d, small, sizeof small) == 44);
    CHECK_STR(small, "r.yml:3");
    CHECK(sigma_diag_format(&d, NULL, 0) == 44);
}

static bool has_name(const sigma_entry *e, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].name, name) == 0)
            return true;
    return false;
}

static void test_lists(void)
{
    size_t n;
    /* validators: the entries and sigma_validators() are the same names */
    const sigma_entry *e = sigma_list_entries("validators", &n);
    const char *const *v = sigma_validators();
    size_t k = 0;
    while (v[k] && k < n && strcmp(v[k], e[k].name) == 0 && *e[k].description)
        k++;
    CHECK(k == n && v[k] == NULL && n == 10);
    CHECK(has_name(e, n, "dangling_detection") && has_name(e, n, "all_of_them_condition"));

    /* modifiers: the same names as sigma_modifiers() */
    e = sigma_list_entries("modifiers", &n);
    const char *const *m = sigma_modifiers();
    for (k = 0; m[k] && k < n && strcmp(m[k], e[k].name) == 0;)
        k++;
    CHECK(k == n && m[k] == NULL && has_name(e, n, "contains") && has_name(e, n, "windash"));

    e = sigma_list_entries("backend-options", &n);
    static const char *const opts[] = {"table", "time_field", "element_at_fields", "keyword_fields", "cidr",
                                       "schema", "unknown_fields", "athena_database", "athena_workgroup",
                                       "view_prefix", "window", "since", "until", "correlation_method",
                                       "correlation_output", "pack_fields"};
    CHECK(n == 16);
    for (k = 0; k < n && k < 16; k++) {
        CHECK_STR(e[k].name, opts[k]);
        CHECK(*e[k].description);
    }
    CHECK(sigma_list_entries("transformations", &n) && n > 0);
    e = sigma_list_entries("schemas", &n);
    CHECK(n == 9 && has_name(e, n, "cloudtrail_logs"));
    e = sigma_list_entries("correlation-methods", &n);
    CHECK(n == 2 && strcmp(e[0].name, "sliding") == 0 && strcmp(e[1].name, "tumbling") == 0);
    CHECK(sigma_list_entries("targets", &n) == NULL && n == 0);
    CHECK(sigma_list_entries(NULL, &n) == NULL && n == 0);
}

/* The rule-free diagnostics of a compile with option key=value, joined. */
static const char *option_warning(const char *key, const char *value)
{
    static char out[1024];
    out[0] = 0;
    sigma_compiler *c = sigma_compiler_new();
    if (sigma_set_option(c, key, value) != SIGMA_OK)
        snprintf(out, sizeof out, "EUSAGE %s", sigma_last_error(c));
    sigma_compile(c);
    for (size_t i = 0; i < sigma_diag_count(c); i++)
        sigma_diag_format(sigma_diag_get(c, i), out + strlen(out), sizeof out - strlen(out));
    sigma_compiler_free(&c);
    return out;
}

static void test_options(void)
{
    CHECK_STR(option_warning("tabel", "x"), "sigma: warning: backend option 'tabel' is not used by the backend or any "
                                            "pipeline (known options: table, time_field, element_at_fields, "
                                            "keyword_fields, cidr, schema, unknown_fields, athena_database, "
                                            "athena_workgroup, view_prefix, window, since, until, "
                                            "correlation_method, correlation_output, pack_fields)");
    CHECK_STR(option_warning("table", "db.events"), "");
    CHECK_STR(option_warning("table", "a b"), "EUSAGE invalid table name 'a b': expected a dotted identifier such as "
                                              "db.events or \"my-db\".events");
    CHECK_STR(option_warning("cidr", "wide"), "EUSAGE invalid value 'wide' for option cidr: expected 'like' or "
                                              "'native'");
    CHECK_STR(option_warning("time_field", ""), "EUSAGE time_field must not be empty");
    CHECK_STR(option_warning("cidr", "native"), "");
}

static const char *rule_text = "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    data.user.name: x\n"
                               "    other.k|expand: '%p%'\n  condition: sel\n";

/* The one query of rule_text after the given options (pairs) and the
 * pipeline text, or the rule's error. */
static char *query_with(const char *const *kv, size_t n, const char *pipeline)
{
    sigma_compiler *c = sigma_compiler_new();
    for (size_t i = 0; i + 1 < n; i += 2)
        sigma_set_option(c, kv[i], kv[i + 1]);
    FILE *f = fopen("build-test-api-pipeline.yml", "w");
    if (f) {
        fputs(pipeline, f);
        fclose(f);
    }
    if (sigma_add_pipeline(c, "build-test-api-pipeline.yml") != SIGMA_OK)
        fprintf(stderr, "pipeline: %s\n", sigma_last_error(c));
    remove("build-test-api-pipeline.yml");
    sigma_add_source(c, "r.yml", rule_text, strlen(rule_text));
    sigma_compile(c);
    const sigma_result *r = sigma_result_get(c, 0);
    char *q = strdup(r && r->nqueries ? r->queries[0] : r && r->error ? r->error->message : "");
    sigma_compiler_free(&c);
    return q;
}

/* element_at_fields repeated: every column the SQL writer writes uses every
 * list given, a pipeline's {field} too (sigma.h, README). */
static void test_element_at(void)
{
    const char *pipeline = "transformations:\n  - type: query_expression_placeholders\n    expression: \"{field} = 1\"\n";
    const char *both[] = {"element_at_fields", "data", "element_at_fields", "other"};
    char *q = query_with(both, 4, pipeline);
    CHECK_STR(q, "SELECT * FROM <TABLE> WHERE LOWER(element_at(data, 'user.name')) = 'x' AND "
                 "element_at(other, 'k') = 1");
    free(q);
    const char *swapped[] = {"element_at_fields", "other", "element_at_fields", "data"};
    q = query_with(swapped, 4, pipeline);
    CHECK_STR(q, "SELECT * FROM <TABLE> WHERE LOWER(element_at(data, 'user.name')) = 'x' AND "
                 "element_at(other, 'k') = 1");
    free(q);
}

static void test_threads(void)
{
    /* the same output on 1 and on 8 threads, through sigma_add_files */
    const char *paths[] = {"tests/golden/quote_doubling.yml", "tests/golden/cidr_like.yml", "tests/golden/regex.yml",
                           "tests/golden/missing_file.yml"};
    char *out[2];
    for (int t = 0; t < 2; t++) {
        sigma_compiler *c = sigma_compiler_new();
        CHECK(sigma_set_threads(c, t ? 8 : 1) == SIGMA_OK);
        const char *errs[4];
        CHECK(sigma_add_files(c, paths, 4, errs) == SIGMA_EIO);
        CHECK(errs[0] == NULL && errs[3] != NULL && strstr(errs[3], "missing_file.yml: No such file"));
        CHECK(strstr(sigma_last_error(c), "missing_file.yml"));
        sigma_compile(c);
        size_t len = 0;
        for (size_t i = 0; i < sigma_result_count(c); i++)
            for (size_t k = 0; k < sigma_result_get(c, i)->nqueries; k++)
                len += strlen(sigma_result_get(c, i)->queries[k]) + 1;
        out[t] = calloc(len + 1, 1);
        for (size_t i = 0; i < sigma_result_count(c); i++)
            for (size_t k = 0; k < sigma_result_get(c, i)->nqueries; k++) {
                strcat(out[t], sigma_result_get(c, i)->queries[k]);
                strcat(out[t], "\n");
            }
        /* more threads later on the same compiler, and fewer */
        CHECK(sigma_set_threads(c, 1000) == SIGMA_OK);
        sigma_add_files(c, paths, 3, NULL);
        CHECK(sigma_set_threads(c, 0) == SIGMA_OK);
        sigma_add_files(c, paths, 3, NULL);
        CHECK(sigma_compile(c) == SIGMA_OK && sigma_result_count(c) == 9);
        sigma_compiler_free(&c);
        CHECK(c == NULL);
    }
    CHECK(strlen(out[0]) > 100);
    CHECK_STR(out[0], out[1]);
    free(out[0]);
    free(out[1]);
}

static void test_result_type(void)
{
    const char *text = "title: base\nid: 0e95725d-7320-415d-80f7-004da920fc11\nname: base\nlogsource: {product: x}\n"
                       "detection:\n  sel:\n    a: 1\n  condition: sel\n---\ntitle: c\ncorrelation:\n"
                       "  type: event_count\n  rules: base\n  timespan: 5m\n  condition: {gte: 2}\n";
    sigma_compiler *c = sigma_compiler_new();
    sigma_add_source(c, "c.yml", text, strlen(text));
    sigma_compile(c);
    CHECK(sigma_result_count(c) == 2);
    CHECK(sigma_result_get(c, 0)->type == SIGMA_RULE);
    CHECK(sigma_result_get(c, 1)->type == SIGMA_CORRELATION);
    sigma_compiler_free(&c);
}

/* A metadata defect: a warning of the converted rule, or with
 * sigma_set_strict the rule's error; switching back applies to the next
 * sigma_compile. */
static void test_strict(void)
{
    const char *text = "title: t\nid: 42\ntags: [sysmon]\nlogsource: {product: x}\n"
                       "detection:\n  sel: {a: 1}\n  condition: sel\n";
    for (int strict = 0; strict < 2; strict++) {
        sigma_compiler *c = sigma_compiler_new();
        CHECK(sigma_set_strict(c, strict) == SIGMA_OK);
        sigma_add_source(c, "m.yml", text, strlen(text));
        CHECK(sigma_compile(c) == (strict ? SIGMA_ERULE : SIGMA_OK));
        const sigma_result *r = sigma_result_get(c, 0);
        CHECK(r != NULL);
        if (!r) {
            sigma_compiler_free(&c);
            continue;
        }
        if (strict) {
            CHECK(r->nqueries == 0 && r->error && r->nwarnings == 0);
            CHECK(r->error && r->error->line == 2 && r->error->column == 5);
            CHECK_STR(r->error ? r->error->message : "", "Sigma rule identifier must be a string UUID");
        } else {
            CHECK(r->nqueries == 1 && !r->error && r->nwarnings == 2);
            CHECK_STR(r->nqueries ? r->queries[0] : "", "SELECT * FROM <TABLE> WHERE a = 1");
            CHECK_STR(r->id ? r->id : "", "42");
            CHECK(r->nwarnings == 2 && r->warnings[1].severity == SIGMA_WARNING && r->warnings[1].line == 3 &&
                  r->warnings[1].column == 8);
        }
        /* the setting is read by sigma_compile: the next rule converts */
        CHECK(sigma_set_strict(c, false) == SIGMA_OK);
        sigma_add_source(c, "m2.yml", text, strlen(text));
        CHECK(sigma_compile(c) == SIGMA_OK);
        CHECK(sigma_result_count(c) == 2 && sigma_result_get(c, 1)->nqueries == 1);
        sigma_compiler_free(&c);
    }
}

int main(void)
{
    test_version();
    test_names();
    test_diag_format();
    test_lists();
    test_options();
    test_element_at();
    test_threads();
    test_result_type();
    test_strict();
    return t_done("api");
}
