/* test_window.c - scheduled queries: the window options (lengths, ISO-8601
 * instants, the calendar behind them, conflicts), rule packs through the
 * API (labels, columns, the split at Athena's query limit, the formats),
 * and chained correlations' limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma.h"
#include "sql/window.h"
#include "util/sbuf.h"

#include "t.h"

static long long length(const char *s)
{
    long long v = -1;
    return sql_window_parse_length(s, &v) ? -1 : v;
}

/* the instant as "YYYY-MM-DD HH:MM:SS[.mmm]" UTC, or "ERR <message>" */
static char out[256];

static const char *instant(const char *s)
{
    long long ms;
    const char *why = sql_window_parse_instant(s, &ms);
    if (why) {
        snprintf(out, sizeof out, "ERR %s", why);
        return out;
    }
    sbuf b = SBUF_INIT;
    sql_window_put_utc(&b, ms);
    snprintf(out, sizeof out, "%s", sb_cstr(&b));
    sb_free(&b);
    return out;
}

static void test_lengths(void)
{
    CHECK(length("15m") == 900);
    CHECK(length("1s") == 1);
    CHECK(length("2h") == 7200);
    CHECK(length("1d") == 86400);
    CHECK(length("1w") == 604800);
    CHECK(length("36524d") == 36524LL * 86400);
    CHECK(length("36525d") == -1); /* over 100 years */
    CHECK(length("999999999999w") == -1);
    CHECK(length("0m") == -1);
    CHECK(length("") == -1);
    CHECK(length("m") == -1);
    CHECK(length("15") == -1);
    CHECK(length("15mm") == -1);
    CHECK(length("15M") == -1);
    CHECK(length("-5m") == -1);
    CHECK(length(" 5m") == -1);
    CHECK(length("1234567890123s") == -1);
}

static void test_instants(void)
{
    CHECK_STR(instant("2024-05-01"), "2024-05-01 00:00:00");
    CHECK_STR(instant("2024-05-01T10:15:30Z"), "2024-05-01 10:15:30");
    CHECK_STR(instant("2024-05-01 10:15"), "2024-05-01 10:15:00");
    CHECK_STR(instant("2024-05-01t10:15:30z"), "2024-05-01 10:15:30");
    CHECK_STR(instant("2024-05-01T10:15:30.5+02:00"), "2024-05-01 08:15:30.500");
    CHECK_STR(instant("2024-05-01T10:15:30,123456789-0130"), "2024-05-01 11:45:30.123");
    CHECK_STR(instant("2024-05-01T00:30:00+01"), "2024-04-30 23:30:00");
    CHECK_STR(instant("2024-02-29T23:59:59.999Z"), "2024-02-29 23:59:59.999");
    CHECK_STR(instant("2000-02-29"), "2000-02-29 00:00:00");
    CHECK_STR(instant("1969-12-31T23:59:59.999Z"), "1969-12-31 23:59:59.999");
    CHECK_STR(instant("1900-01-01T00:30:00+01:00"), "1899-12-31 23:30:00");
    CHECK_STR(instant("9999-12-31T23:59:59Z"), "9999-12-31 23:59:59");
    CHECK(strncmp(instant("2023-02-29"), "ERR no such date", 16) == 0);
    CHECK(strncmp(instant("1900-02-29"), "ERR no such date", 16) == 0);
    CHECK(strncmp(instant("2024-13-01"), "ERR no such date", 16) == 0);
    CHECK(strncmp(instant("2024-04-31"), "ERR no such date", 16) == 0);
    CHECK(strncmp(instant("2024-05-01T24:00"), "ERR no such time of day", 23) == 0);
    CHECK(strncmp(instant("2024-05-01T10:60"), "ERR no such time of day", 23) == 0);
    CHECK(strncmp(instant("2024-05-01T10:00:00+24:00"), "ERR no such time zone", 21) == 0);
    CHECK(strncmp(instant("1899-12-31"), "ERR the year must be 1900", 25) == 0);
    CHECK(strncmp(instant("2024-05-01T10:00:00Z junk"), "ERR expected an ISO-8601", 24) == 0);
    CHECK(strncmp(instant("2024-5-1"), "ERR expected an ISO-8601", 24) == 0);
    CHECK(strncmp(instant("2024-05-01T10"), "ERR expected an ISO-8601", 24) == 0);
    CHECK(strncmp(instant("2024-05-01T10:00:00."), "ERR expected an ISO-8601", 24) == 0);
    CHECK(strncmp(instant(""), "ERR expected an ISO-8601", 24) == 0);
}

/* Every day from 1900 to 2400: the instant of YYYY-MM-DD is one day after
 * the previous one, and is written back as the same date (the calendar,
 * leap years included, both ways). */
static void test_calendar(void)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long prev = 0;
    int bad = 0, days = 0;
    for (int y = 1900; y <= 2400 && bad < 5; y++) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= mdays[m - 1] + (m == 2 && leap); d++) {
                char text[48], want[64];
                snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
                snprintf(want, sizeof want, "%s 00:00:00", text);
                long long ms;
                if (sql_window_parse_instant(text, &ms) || (days && ms - prev != 86400000) ||
                    strcmp(instant(text), want) != 0) {
                    if (bad++ < 5)
                        fprintf(stderr, "calendar: %s\n", text);
                }
                prev = ms;
                days++;
            }
        }
    }
    CHECK(bad == 0 && days == 182987);
    long long ms;
    CHECK(!sql_window_parse_instant("1970-01-01", &ms) && ms == 0);
    CHECK(!sql_window_parse_instant("2024-05-01T10:00:00Z", &ms) && ms == 1714557600000LL);
}

static sigma_status opt(sigma_compiler *c, const char *k, const char *v)
{
    return sigma_set_option(c, k, v);
}

static void test_options(void)
{
    sigma_compiler *c = sigma_compiler_new();
    CHECK(opt(c, "window", "15m") == SIGMA_OK);
    CHECK(opt(c, "window", "params") == SIGMA_OK);
    CHECK(opt(c, "since", "2024-05-01") == SIGMA_EUSAGE);
    CHECK_STR(sigma_last_error(c), "the options window and since/until exclude each other");
    CHECK(opt(c, "window", "15") == SIGMA_EUSAGE);
    CHECK(strstr(sigma_last_error(c), "invalid value '15' for option window") != NULL);
    sigma_compiler_free(&c);
    c = sigma_compiler_new();
    CHECK(opt(c, "until", "2024-05-01T10:00:00Z") == SIGMA_OK);
    CHECK(opt(c, "since", "2024-05-01T10:00:00Z") == SIGMA_EUSAGE);
    CHECK_STR(sigma_last_error(c), "the window is empty: since must be earlier than until");
    CHECK(opt(c, "since", "2024-05-01T09:00:00Z") == SIGMA_OK);
    CHECK(opt(c, "window", "1h") == SIGMA_EUSAGE);
    CHECK(opt(c, "correlation_method", "hopping") == SIGMA_EUSAGE);
    CHECK(opt(c, "correlation_method", "tumbling") == SIGMA_OK);
    CHECK(opt(c, "correlation_output", "alert") == SIGMA_EUSAGE);
    CHECK(opt(c, "correlation_output", "alerts") == SIGMA_OK);
    sigma_compiler_free(&c);
}

/* ------------------------------------------------------------ packs */

static sigma_compiler *compiled(const char *text, const char *const *kv)
{
    sigma_compiler *c = sigma_compiler_new();
    for (size_t i = 0; kv && kv[i]; i += 2)
        sigma_set_option(c, kv[i], kv[i + 1]);
    sigma_add_source(c, "r.yml", text, strlen(text));
    sigma_compile(c);
    return c;
}

static void test_pack_api(void)
{
    static const char rules[] = "title: a\nid: 00000000-0000-4000-8000-000000000001\nlogsource: {product: p}\n"
                                "detection:\n  s: {A: 1}\n  condition: s\n---\n"
                                "title: b\nname: bee\nlogsource: {product: p}\ndetection:\n  s: {B: 1}\n  condition: s\n"
                                "---\n"
                                "title: broken\nlogsource: {product: p}\ndetection:\n  s: {C: 1}\n  condition: nothing\n"
                                "---\n"
                                "title: c\nlogsource: {product: p}\ndetection:\n  s: {C: 1}\n  condition: s\n---\n"
                                "title: count\ncorrelation:\n  type: event_count\n  rules: bee\n  timespan: 1m\n"
                                "  condition: {gte: 2}\n  generate: true\n";
    static const char *const kv[] = {"table", "db.t", NULL};
    sigma_compiler *c = compiled(rules, kv);
    const sigma_result *p;
    size_t n;
    CHECK(sigma_packs(c, &p, &n) == SIGMA_OK && n == 2);
    if (n == 2) {
        CHECK(p[0].type == SIGMA_PACK && p[0].nqueries == 1 && p[0].nrules == 3);
        CHECK_STR(p[0].table, "db.t");
        CHECK_STR(p[0].file, "pack_1");
        CHECK_STR(p[0].title, "Sigma rule pack 1: db.t (3 rules)");
        CHECK(p[0].nrules == 3 && strcmp(p[0].rules[0], "00000000-0000-4000-8000-000000000001") == 0 &&
              strcmp(p[0].rules[1], "bee") == 0 && strcmp(p[0].rules[2], "c") == 0);
        CHECK_STR(p[0].queries[0],
                  "SELECT * FROM (SELECT A, B, C, filter(ARRAY[CASE WHEN A = 1 THEN "
                  "'00000000-0000-4000-8000-000000000001' END, CASE WHEN B = 1 THEN 'bee' END, CASE WHEN C = 1 THEN "
                  "'c' END], sigma_rule -> sigma_rule IS NOT NULL) AS sigma_rules FROM db.t) WHERE "
                  "cardinality(sigma_rules) > 0");
        CHECK(p[1].type == SIGMA_CORRELATION && p[1].nqueries == 1 && strncmp(p[1].queries[0], "WITH ", 5) == 0);
        CHECK_STR(sigma_result_type_name(p[0].type), "pack");
    }
    /* the same array on a second call */
    const sigma_result *again;
    CHECK(sigma_packs(c, &again, &n) == SIGMA_OK && again == p);
    /* formats: json objects, views named after the packs, one file per pack */
    const sigma_output_file *f;
    size_t nf;
    CHECK(sigma_render(c, "json", SIGMA_RENDER_PACK, &f, &nf) == SIGMA_OK && nf == 1);
    CHECK(nf && strstr(f[0].text, "{\"file\": \"pack_1\", \"title\": \"Sigma rule pack 1: db.t (3 rules)\", \"type\": "
                                  "\"pack\", \"table\": \"db.t\", \"rules\": [\"00000000-0000-4000-8000-000000000001\", "
                                  "\"bee\", \"c\"], \"queries\": [\"SELECT * FROM (SELECT A, B, C, filter(") != NULL);
    CHECK(sigma_render(c, "views", SIGMA_RENDER_PACK, &f, &nf) == SIGMA_OK && nf == 1);
    CHECK(nf && strstr(f[0].text, "CREATE OR REPLACE VIEW sigma_pack_1 AS SELECT * FROM (SELECT A, B, C,") == f[0].text);
    CHECK(sigma_render(c, "pack", SIGMA_RENDER_PER_RULE, &f, &nf) == SIGMA_OK && nf == 2);
    CHECK(nf == 2 && strcmp(f[0].name, "pack_1.sql") == 0 && strcmp(f[1].name, "r.sql") == 0);
    CHECK(sigma_render(c, "default", 4u, &f, &nf) == SIGMA_EUSAGE);
    sigma_compiler_free(&c);

    /* pipelines with finalizers: their output is one text, no packs (the
     * unit tests run from the repository root) */
    c = sigma_compiler_new();
    CHECK(sigma_add_pipeline(c, "tests/golden/pipelines/finalize_concat.yml") == SIGMA_OK);
    sigma_add_source(c, "r.yml", rules, strlen(rules));
    sigma_compile(c);
    CHECK(sigma_packs(c, &p, &n) == SIGMA_EUSAGE && n == 0);
    CHECK(strstr(sigma_last_error(c), "finalizers") != NULL);
    CHECK(sigma_render(c, "pack", 0, &f, &nf) == SIGMA_EUSAGE);
    sigma_compiler_free(&c);
}

/* Rules whose packs pass Athena's limit are split; every query stays under
 * it unless one rule alone is larger. */
static void test_pack_split(void)
{
    sbuf b = SBUF_INIT;
    int nrules = 300;
    for (int i = 0; i < nrules; i++) {
        sb_printf(&b, "%stitle: r%d\nlogsource: {product: p}\ndetection:\n  s:\n    F%d:\n", i ? "---\n" : "", i, i % 7);
        for (int k = 0; k < 100; k++)
            sb_printf(&b, "      - value-%d-%d-abcdefghij\n", i, k);
        sb_puts(&b, "  condition: s\n");
    }
    /* one rule alone over the limit */
    sb_puts(&b, "---\ntitle: huge\nlogsource: {product: p}\ndetection:\n  s:\n    G:\n");
    for (int k = 0; k < 12000; k++)
        sb_printf(&b, "      - a-rather-long-value-number-%d\n", k);
    sb_puts(&b, "  condition: s\n");
    sigma_compiler *c = sigma_compiler_new();
    sigma_add_source(c, "many.yml", sb_cstr(&b), b.len);
    CHECK(sigma_compile(c) == SIGMA_OK);
    const sigma_result *p;
    size_t n;
    CHECK(sigma_packs(c, &p, &n) == SIGMA_OK && n >= 4);
    size_t covered = 0, over = 0;
    int order_ok = 1;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(p[i].queries[0]);
        if (len > 262144)
            over++;
        for (size_t k = 0; k < p[i].nrules; k++) {
            char want[32];
            snprintf(want, sizeof want, covered < (size_t)nrules ? "r%zu" : "huge", covered);
            if (strcmp(p[i].rules[k], want) != 0)
                order_ok = 0;
            covered++;
        }
        /* a CASE per rule of the pack */
        size_t cases = 0;
        for (const char *s = p[i].queries[0]; (s = strstr(s, "CASE WHEN ")); s++)
            cases++;
        if (cases != p[i].nrules)
            order_ok = 0;
    }
    CHECK(covered == (size_t)nrules + 1 && order_ok);
    CHECK(over == 1 && p[n - 1].nrules == 1 && strcmp(p[n - 1].rules[0], "huge") == 0);
    /* the packs before the huge rule are full: adding the next rule would pass the limit */
    CHECK(n >= 3 && strlen(p[0].queries[0]) > 200000);
    sigma_compiler_free(&c);
    sb_free(&b);
}

/* A chain of correlations deeper than the limit is an error, not a crash. */
static void test_chain_depth(void)
{
    sbuf b = SBUF_INIT;
    sb_puts(&b, "title: base\nname: c0\nlogsource: {product: p}\ndetection:\n  s: {A: 1}\n  condition: s\n");
    for (int i = 1; i <= 40; i++)
        sb_printf(&b, "---\ntitle: c%d\nname: c%d\ncorrelation:\n  type: event_count\n  rules: c%d\n  timespan: 1m\n"
                      "  condition: {gte: 1}\n  generate: true\n",
                  i, i, i - 1);
    sigma_compiler *c = sigma_compiler_new();
    sigma_add_source(c, "chain.yml", sb_cstr(&b), b.len);
    CHECK(sigma_compile(c) == SIGMA_ERULE);
    /* c1 .. c17 convert (c17 reads 16 correlations, c16 down to c1); c18
     * is the first that fails */
    size_t n = sigma_result_count(c), bad = 0;
    for (size_t i = 1; i < n && !bad; i++)
        if (sigma_result_get(c, i)->error)
            bad = i;
    CHECK(bad == 18);
    const sigma_result *r = sigma_result_get(c, bad);
    CHECK(r && r->error && strcmp(r->error->message, "referenced correlation 'c17': correlations chained more than 16 "
                                                     "deep") == 0);
    sigma_compiler_free(&c);
    sb_free(&b);
}

int main(void)
{
    test_lengths();
    test_instants();
    test_calendar();
    test_options();
    test_pack_api();
    test_pack_split();
    test_chain_depth();
    return t_done("window");
}
