/* fuzz_schema.c - the schema loaders (Glue JSON and DDL), the type parser,
 * table lookup and the field resolver.
 *
 * Input: a first line, then the rest. The rest is loaded as Glue JSON and
 * as DDL and parsed as one type; the first line is resolved as a Sigma
 * field against every table that loaded and against a built-in Security
 * Lake table, and looked up as a FROM table name. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "schema/schema.h"
#include "util/arena.h"
#include "util/sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void use_table(arena *a, const stable *t, const char *field)
{
    sresolved r = schema_resolve(a, t, field);
    if (r.status == SR_UNKNOWN && !r.message)
        __builtin_trap();
    sbuf b = SBUF_INIT;
    stable_format(&b, t);
    sb_free(&b);
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
