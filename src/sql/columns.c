/* columns.c - the Athena dialect's field resolution (sql_dialect.column):
 * the one place where a Sigma field becomes SQL.
 *
 * A table without a schema: the field is a column path as the rule writes
 * it (dotted parts quoted where needed, or element_at(map, 'rest.of.path')
 * for a -O element_at_fields map), of unknown type.
 *
 * A table with a schema (-O schema, or a built-in one): schema_resolve
 * gives the steps, which become Trino SQL here:
 *
 *   column, struct member   the name as the schema spells it (quoted where
 *                           needed): actor.user.uid
 *   map key                 element_at(unmapped, 'rest.of.path')
 *   any array element       a predicate:  any_match(resources, x -> <on x.uid>)
 *                           a value:      transform(resources, x -> x.uid)
 *   JSON path into text     a predicate:  any_match(<the values>, x -> <on
 *                           json_extract_scalar(x, '$')>), where the values
 *                           are every JSON value found along the path,
 *                           looking into JSON arrays at every key (a rule
 *                           on requestParameters.layers matches when any
 *                           layer does): for $.a.b
 *                             flatten(transform(
 *                               COALESCE(TRY_CAST(json_extract(c, '$.a') AS ARRAY(JSON)),
 *                                        ARRAY[json_extract(c, '$.a')]),
 *                               j -> COALESCE(TRY_CAST(json_extract(j, '$.b') AS ARRAY(JSON)),
 *                                             ARRAY[json_extract(j, '$.b')])))
 *                           a value:      json_extract_scalar(c, '$.a.b')
 *
 * Lambda variables (x, x2, ...; j) never take the name of a column of the
 * table, which they would hide from a field reference inside the lambda.
 *
 * A field the schema does not have is the rule's error at the field (with
 * the closest names), or with -O unknown_fields=warn a warning and the
 * field as written. */
#include <string.h>

#include "athena.h"
#include "quote.h"

/* ------------------------------------------------------------ no schema */

static bool plain_col(sql_ctx *c, const char *f, spos pos, sql_col *out)
{
    sbuf t = SBUF_INIT;
    sql_ident(&t, f, c->opt->element_at, c->opt->n_element_at);
    memset(out, 0, sizeof *out);
    out->field = f;
    out->expr = arena_strndup(c->a, sb_cstr(&t), t.len);
    out->open = out->close = "";
    out->exists_expr = out->expr;
    out->exists_open = out->exists_close = "";
    out->type = SQL_T_UNKNOWN;
    out->pos = pos;
    sb_free(&t);
    return true;
}

/* ------------------------------------------------------------ types */

static sql_type type_of(const stype *t)
{
    switch (t->kind) {
    case ST_STRING:
    case ST_VARCHAR:
    case ST_CHAR:
        return SQL_T_TEXT;
    case ST_BOOLEAN:
        return SQL_T_BOOLEAN;
    case ST_TINYINT:
    case ST_SMALLINT:
    case ST_INT:
    case ST_BIGINT:
        return SQL_T_INTEGER;
    case ST_FLOAT:
    case ST_DOUBLE:
    case ST_DECIMAL:
        return SQL_T_NUMBER;
    case ST_DATE:
        return SQL_T_DATE;
    case ST_TIMESTAMP:
        return SQL_T_TIMESTAMP;
    case ST_BINARY:
        return SQL_T_BINARY;
    case ST_ARRAY:
    case ST_MAP:
    case ST_STRUCT:
        break;
    }
    return SQL_T_COMPLEX;
}

const char *athena_type_name(arena *a, const sql_col *col)
{
    if (col->json)
        return "JSON text";
    if (!col->stype)
        return "of unknown type";
    sbuf b = SBUF_INIT;
    stype_format(&b, col->stype);
    const char *s = b.len > 60 ? arena_printf(a, "%.40s...", b.p) : arena_strndup(a, b.p, b.len);
    sb_free(&b);
    return s;
}

/* ------------------------------------------------------------ schema */

/* The schema of c->table (looked up once per table). false with c->err set
 * when the name is ambiguous. */
static bool table_schema(sql_ctx *c, spos pos, const stable **out)
{
    if (!c->schema_known || c->schema_of != c->table) {
        const stable *t = NULL;
        schema_lookup r = c->opt->schemas ? schema_set_find(c->opt->schemas, c->table, &t) : SCHEMA_NOT_FOUND;
        if (r == SCHEMA_AMBIGUOUS)
            return sql_fail(c, pos,
                            "table '%s' has a schema in several databases (one is %s.%s): write the database in "
                            "the table name",
                            c->table, t->database ? t->database : "?", t->name);
        c->schema = r == SCHEMA_FOUND ? t : NULL;
        c->schema_of = c->table;
        c->schema_known = true;
    }
    *out = c->schema;
    return true;
}

/* A lambda variable: base for the outermost level, base2, base3, ...
 * inside; never the name of a column of t. */
static const char *lambda_var(arena *a, const stable *t, const char *base, int depth)
{
    const char *v = depth ? arena_printf(a, "%s%d", base, depth + 1) : base;
    for (;;) {
        if (!stype_member(t->row, v, strlen(v)))
            return v;
        v = arena_printf(a, "%s_", v);
    }
}

/* Every JSON value found along keys[0..n) in the JSON text src, looking
 * into arrays at every key: an ARRAY(JSON) expression (see the header). */
static char *json_values(arena *a, const stable *t, const char *src, const char *const *keys, size_t n)
{
    const char *j = lambda_var(a, t, "j", 0);
    sbuf l = SBUF_INIT;
    for (size_t k = 0; k < n; k++) {
        sbuf p = SBUF_INIT;
        sql_json_path(&p, keys + k, 1);
        const char *item = k ? j : src;
        char *step = arena_printf(a,
                                  "COALESCE(TRY_CAST(json_extract(%s, %s) AS ARRAY(JSON)), "
                                  "ARRAY[json_extract(%s, %s)])",
                                  item, sb_cstr(&p), item, sb_cstr(&p));
        sb_free(&p);
        if (!k) {
            sb_puts(&l, step);
        } else {
            char *prev = arena_strndup(a, l.p, l.len);
            sb_clear(&l);
            sb_printf(&l, "flatten(transform(%s, %s -> %s))", prev, j, step);
        }
    }
    return sb_to_arena(&l, a);
}

/* The path as the schema spells it (map keys and JSON keys as written). */
static const char *schema_path(arena *a, const sresolved *r)
{
    sbuf b = SBUF_INIT;
    for (size_t i = 0; i < r->nsteps; i++) {
        const sstep *s = &r->steps[i];
        if (s->kind == SA_ANY)
            continue;
        if (b.len)
            sb_putc(&b, '.');
        if (s->kind == SA_JSON) {
            for (size_t k = 0; k < s->nkeys; k++)
                sb_printf(&b, "%s%s", k ? "." : "", s->keys[k]);
        } else {
            sb_puts(&b, s->name);
        }
    }
    return sb_to_arena(&b, a);
}

/* One step applied to the value cur (COLUMN, MEMBER, MAP_KEY). */
static void put_step(sbuf *cur, const sstep *s)
{
    switch (s->kind) {
    case SA_COLUMN:
        sb_clear(cur);
        sql_ident_part(cur, s->name, strlen(s->name));
        break;
    case SA_MEMBER:
        sb_putc(cur, '.');
        sql_ident_part(cur, s->name, strlen(s->name));
        break;
    case SA_MAP_KEY: {
        sbuf m = SBUF_INIT;
        sb_printf(&m, "element_at(%s, ", sb_cstr(cur));
        sql_str(&m, s->name, strlen(s->name));
        sb_putc(&m, ')');
        sb_clear(cur);
        sb_putn(cur, m.p, m.len);
        sb_free(&m);
        break;
    }
    default:
        break;
    }
}

static const char *closes(arena *a, int n)
{
    char *s = arena_alloc(a, (size_t)n + 1);
    memset(s, ')', (size_t)n);
    s[n] = 0;
    return s;
}

/* SQL_USE_MATCH: the value inside any_match() levels for arrays and JSON
 * values; `exists` looks at the value the path reaches (not into an array
 * it ends on, and at JSON values that are not null). */
static void match_col(sql_ctx *c, const stable *t, const sresolved *r, sql_col *out)
{
    arena *a = c->a;
    sbuf open = SBUF_INIT, cur = SBUF_INIT;
    int levels = 0;
    size_t ex = r->nsteps - r->trailing_any;
    for (size_t i = 0; i < r->nsteps; i++) {
        const sstep *s = &r->steps[i];
        if (i == ex) {
            out->exists_open = arena_strndup(a, sb_cstr(&open), open.len);
            out->exists_expr = arena_strndup(a, sb_cstr(&cur), cur.len);
            out->exists_close = closes(a, levels);
        }
        if (s->kind == SA_ANY || s->kind == SA_JSON) {
            const char *var = lambda_var(a, t, "x", levels);
            const char *over = s->kind == SA_ANY ? arena_strndup(a, sb_cstr(&cur), cur.len)
                                                 : json_values(a, t, sb_cstr(&cur), s->keys, s->nkeys);
            sb_printf(&open, "any_match(%s, %s -> ", over, var);
            levels++;
            sb_clear(&cur);
            if (s->kind == SA_ANY) {
                sb_puts(&cur, var);
            } else {
                sb_printf(&cur, "json_extract_scalar(%s, '$')", var);
                out->exists_open = arena_strndup(a, sb_cstr(&open), open.len);
                out->exists_expr = var;
                out->exists_json = true;
                out->exists_close = closes(a, levels);
            }
        } else {
            put_step(&cur, s);
        }
    }
    out->open = arena_strndup(a, sb_cstr(&open), open.len);
    out->expr = arena_strndup(a, sb_cstr(&cur), cur.len);
    out->close = closes(a, levels);
    if (!out->exists_expr) {
        out->exists_open = out->open;
        out->exists_expr = out->expr;
        out->exists_close = out->close;
    }
    sb_free(&open);
    sb_free(&cur);
}

/* SQL_USE_VALUE from step i on, starting at the value cur: one expression;
 * through an array it is the array of the values (*many). */
static char *value_from(sql_ctx *c, const stable *t, const sresolved *r, size_t i, size_t n, const char *start,
                        int depth, bool *many)
{
    arena *a = c->a;
    sbuf cur = SBUF_INIT;
    sb_puts(&cur, start);
    for (; i < n; i++) {
        const sstep *s = &r->steps[i];
        if (s->kind == SA_ANY) {
            const char *var = lambda_var(a, t, "x", depth);
            bool inner_many = false;
            char *inner = value_from(c, t, r, i + 1, n, var, depth + 1, &inner_many);
            char *v = arena_printf(a, "%stransform(%s, %s -> %s)%s", inner_many ? "flatten(" : "", sb_cstr(&cur), var,
                                   inner, inner_many ? ")" : "");
            sb_free(&cur);
            *many = true;
            return v;
        }
        if (s->kind == SA_JSON) {
            sbuf p = SBUF_INIT;
            sql_json_path(&p, s->keys, s->nkeys);
            char *v = arena_printf(a, "json_extract_scalar(%s, %s)", sb_cstr(&cur), sb_cstr(&p));
            sb_free(&p);
            sb_clear(&cur);
            sb_puts(&cur, v);
            continue;
        }
        put_step(&cur, s);
    }
    return sb_to_arena(&cur, a);
}

/* Whether no pipeline changed the rule but the one that only names the
 * Security Lake table (athena_security_lake_table_name, whose items' ids
 * start with its name): then its raw field names are the likely cause. */
static bool fields_unmapped(const srule *r)
{
    for (size_t i = 0; r && i < r->napplied; i++)
        if (strncmp(r->applied[i], "athena_security_lake_table_name", 31) != 0)
            return false;
    return true;
}

static bool unknown_field(sql_ctx *c, const stable *t, const char *f, spos pos, const sresolved *r, sql_col *out)
{
    bool warn = c->opt->unknown_fields_warn;
    const char *hint = "";
    if (warn)
        hint = "; the name is kept as written (-O unknown_fields=warn)";
    else if (stable_is_builtin(t) && strncmp(t->name, "amazon_security_lake_table_", 27) == 0 &&
             fields_unmapped(c->rule))
        hint = "; Security Lake tables hold OCSF fields: map Sigma's AWS field names to them with "
               "-p athena_security_lake, or keep the names as written with -O unknown_fields=warn";
    if (!sql_problem(c, pos, warn, "unknown field '%.200s' in table %s: %s%s", f, c->table, r->detail, hint))
        return false;
    return plain_col(c, f, pos, out);
}

static bool schema_col(sql_ctx *c, const stable *t, const char *f, sql_use use, spos pos, sql_col *out)
{
    sresolved r = schema_resolve(c->a, t, f);
    if (r.status != SR_OK)
        return unknown_field(c, t, f, pos, &r, out);
    memset(out, 0, sizeof *out);
    out->field = f;
    out->pos = pos;
    out->path = schema_path(c->a, &r);
    out->json = r.json;
    out->stype = r.leaf;
    out->type = r.json ? SQL_T_TEXT : type_of(r.leaf);
    if (use == SQL_USE_MATCH) {
        match_col(c, t, &r, out);
        return true;
    }
    /* a value: a path ending on an array is that array */
    size_t n = r.nsteps - r.trailing_any;
    out->many = r.trailing_any > 0;
    out->expr = value_from(c, t, &r, 0, n, "", 0, &out->many);
    out->open = out->close = "";
    out->exists_expr = out->expr;
    out->exists_open = out->exists_close = "";
    if (r.trailing_any)
        out->type = SQL_T_COMPLEX;
    return true;
}

bool athena_column(sql_ctx *c, const char *f, sql_use use, spos pos, sql_col *out)
{
    if (c->last.field == f && c->last_use == use && c->last_table == c->table && c->schema_known &&
        c->schema_of == c->table) {
        *out = c->last;
        out->pos = pos;
        return true;
    }
    const stable *t = NULL;
    if (!table_schema(c, pos, &t))
        return false;
    if (!(t ? schema_col(c, t, f, use, pos, out) : plain_col(c, f, pos, out)))
        return false;
    c->last = *out;
    c->last_use = use;
    c->last_table = c->table;
    return true;
}
