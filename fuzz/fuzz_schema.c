/* fuzz_schema.c - the schema loaders (Glue JSON and DDL), the type parser,
 * table lookup, the field resolver and the SQL written from it.
 *
 * Input: a first line, then the rest. The rest is loaded as Glue JSON and
 * as DDL and parsed as one type; the first line is resolved as a Sigma
 * field against every table that loaded and against a built-in Security
 * Lake table, and looked up as a FROM table name. A rule comparing that
 * field every way (values of each kind, modifiers, exists, fieldref, the
 * fields list) is then rendered against each table, stopping at the first
 * problem and collecting all of them: an error must come with a message,
 * a success with a query. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rule/rule.h"
#include "schema/schema.h"
#include "sql/quote.h"
#include "sql/sql.h"
#include "util/arena.h"
#include "util/sbuf.h"
#include "yaml/ynode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(arena *a, const stable *t, const char *field);

static void use_table(arena *a, const stable *t, const char *field)
{
    sresolved r = schema_resolve(a, t, field);
    if (r.status == SR_UNKNOWN && !r.message)
        __builtin_trap();
    sbuf b = SBUF_INIT;
    stable_format(&b, t);
    sb_free(&b);
    render(a, t, field);
}

/* field as a YAML double-quoted scalar */
static void put_yaml_key(sbuf *b, const char *field, const char *suffix)
{
    sb_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)field; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            sb_printf(b, "\\x%02x", *p);
        else
            sb_putc(b, (char)*p);
    }
    sb_printf(b, "%s\"", suffix);
}

/* The rule comparing field every way, rendered against table t. */
static void render(arena *a, const stable *t, const char *field)
{
    static const char *const items[] = {
        ": [a, 'B*', 5, -3, 1.5, true, null]", "|contains: x", "|startswith|cased: Y", "|re: 'a.*b'",
        "|gt: 5",  "|hour: 3", "|day|lte: 9",   "|exists: true", "|cidr: 10.0.0.0/8", "|fieldref: id",
    };
    sbuf y = SBUF_INIT;
    sb_puts(&y, "title: f\nlogsource: {product: p}\nfields: [");
    put_yaml_key(&y, field, "");
    sb_puts(&y, "]\ndetection:\n  s:\n");
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        const char *colon = strchr(items[i], ':');
        sb_puts(&y, "    ");
        put_yaml_key(&y, field, arena_strndup(a, items[i], (size_t)(colon - items[i])));
        sb_printf(&y, "%s\n", colon);
    }
    sb_puts(&y, "  n:\n    ");
    put_yaml_key(&y, field, "");
    sb_puts(&y, ": null\n  condition: s and not n\n");
    ydoc *docs;
    size_t nd;
    yerror e;
    rule_list l = {0};
    if (yaml_load(a, y.p, y.len, &docs, &nd, &e))
        rules_from_docs(a, "f.yml", docs, nd, &l);
    sb_free(&y);
    if (l.n != 1 || l.v[0]->error)
        return;
    sbuf name = SBUF_INIT;
    sql_ident_part(&name, t->name, strlen(t->name));
    /* 0: stop at the first problem, 1: collect them, 2: unknown fields warn */
    for (int mode = 0; mode < 3; mode++) {
        sql_options o = {.time_field = "time", .unknown_fields_warn = mode == 2};
        sql_ctx c = {.a = a, .opt = &o, .rule = l.v[0], .collect = mode == 1};
        /* t is the schema of the query's table (lookup is fuzzed above) */
        c.schema = t;
        c.schema_of = sb_cstr(&name);
        c.schema_known = true;
        const char **q;
        size_t nq;
        bool ok = sql_rule_queries(&c, &sql_athena, c.schema_of, &q, &nq);
        if (ok ? nq != 1 || !q[0][0] : !c.err.message)
            __builtin_trap();
        for (size_t i = 0; i < c.nnotes; i++)
            if (!c.notes[i].message)
                __builtin_trap();
    }
    sb_free(&name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t flen = nl ? (size_t)(nl - text) : size;
    size_t rest = nl ? size - flen - 1 : 0;
    const char *body = nl ? nl + 1 : text + size;

    arena *a = arena_new();
    if (!a)
        return 0;
    char *field = arena_strndup(a, text, flen);
    char err[512];

    /* one type, and its canonical form parsed back to the same type */
    size_t at;
    const char *msg;
    const stype *ty = stype_parse_all(a, body, rest, &at, &msg);
    if (ty) {
        sbuf b = SBUF_INIT;
        stype_format(&b, ty);
        const stype *back = stype_parse_all(a, b.p, b.len, &at, &msg);
        if (!back || !stype_equal(ty, back, false))
            __builtin_trap();
        sb_free(&b);
    } else if (at > rest) {
        __builtin_trap();
    }

    schema_set *s = schema_set_new(a);
    schema_set_add_text(s, "fuzz.json", body, rest, SCHEMA_GLUE_JSON, err, sizeof err);
    schema_set_add_text(s, "fuzz.ddl", body, rest, SCHEMA_DDL, err, sizeof err);
    const stable *t;
    if (schema_set_find(s, field, &t) != SCHEMA_NOT_FOUND)
        use_table(a, t, field);

    stable **v = NULL;
    size_t n = 0;
    if (schema_load_ddl(a, "fuzz.ddl", body, rest, &v, &n, err, sizeof err) ||
        schema_load_glue(a, "fuzz.json", body, rest, &v, &n, err, sizeof err))
        for (size_t i = 0; i < n; i++)
            use_table(a, v[i], field);

    if (schema_set_find(s, "amazon_security_lake_table_eu_west_2_eks_audit_2_0", &t) == SCHEMA_FOUND)
        use_table(a, t, field);
    arena_free(a);
    return 0;
}
