/* athena.c - the Athena (Trino) dialect: the text of every comparison.
 *
 * Strings match case-insensitively by default: LOWER(field) against the
 * value lowered the way Trino's lower() does. Literals are Trino literals
 * (quote doubled, backslash plain); LIKE patterns are escaped only in LIKE. */
#include <string.h>

#include "../rule/regex.h"
#include "quote.h"
#include "sql.h"

/* ------------------------------------------------------------ fields */

/* The field resolution of this dialect (sql_dialect.column). Without a
 * schema a field is a column path: dotted parts quoted where needed, or
 * element_at(map, 'rest.of.path') for a -O element_at_fields map. */
static bool column(sql_ctx *c, const char *f, sql_use use, spos pos, sql_col *out)
{
    (void)pos;
    if (c->last.field == f && c->last_use == use && c->last_table == c->table) {
        *out = c->last;
        return true;
    }
    sbuf t = SBUF_INIT;
    sql_ident(&t, f, c->opt->element_at, c->opt->n_element_at);
    out->field = f;
    out->expr = arena_strndup(c->a, sb_cstr(&t), t.len);
    out->open = out->close = "";
    out->type = SQL_T_UNKNOWN;
    sb_free(&t);
    c->last = *out;
    c->last_use = use;
    c->last_table = c->table;
    return true;
}

/* A leaf's column, through the dialect's slot (a caller may wrap this
 * dialect with its own resolution), at the position of the item. */
static bool match_col(sql_ctx *c, const char *f, sql_col *col)
{
    return c->d->column(c, f, SQL_USE_MATCH, c->at, col);
}

/* ------------------------------------------------------------ leaves */

static bool check_text(sql_ctx *c, const sstr *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->parts[i].kind == SP_PH)
            return sql_fail(c, c->at,
                            "unresolved placeholder '%%%.*s%%': use a pipeline with value_placeholders, "
                            "wildcard_placeholders or query_expression_placeholders",
                            (int)s->parts[i].n, s->parts[i].s);
        if (s->parts[i].kind == SP_TEXT && !utf8_valid(s->parts[i].s, s->parts[i].n))
            return sql_fail(c, c->at,
                            "value is not valid UTF-8 text (wide/utf16 values need base64 to be matched)");
    }
    return true;
}

/* string comparison: = for plain values, LIKE for wildcards */
static bool str_cmp(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    const sstr *s = &v->str;
    if (!check_text(c, s))
        return false;
    bool lower = !v->cased;
    if (lower)
        sb_puts(b, "LOWER(");
    sb_puts(b, col->expr);
    if (lower)
        sb_putc(b, ')');
    if (!sstr_has_wildcard(s)) {
        size_t n;
        char *t = sstr_text(c->a, s, &n);
        if (lower)
            t = sql_lower(c->a, t, n, &n);
        sb_puts(b, " = ");
        sql_str(b, t, n);
        return true;
    }
    sb_puts(b, " LIKE ");
    sql_like(c->a, b, s, lower);
    sb_puts(b, " ESCAPE '\\'");
    return true;
}

/* The regex as Trino's engine (Joni) reads it, flags as an inline prefix
 * (src/rule/regex.c). */
static bool regex_lit(sql_ctx *c, sbuf *b, const svalue *v)
{
    char msg[256];
    size_t n;
    const char *t = re_trino(c->a, v->re ? v->re : "", v->re_len, (unsigned)v->re_flags, &n, msg, sizeof msg);
    if (!t)
        return sql_fail(c, c->at, "regular expression cannot run on Athena: %s", msg);
    sql_str(b, t, n);
    return true;
}

/* A number as a Trino literal. An integer beyond BIGINT is not a valid
 * integer literal in Trino ("Invalid numeric literal"): it is an exact
 * DECIMAL literal (up to 38 digits), never a rounded DOUBLE. */
static bool num_lit(sql_ctx *c, sbuf *b, const char *t)
{
    const char *d = t + (*t == '-');
    size_t n = strlen(d);
    bool integer = n > 0 && strspn(d, "0123456789") == n;
    /* 9223372036854775807 and -9223372036854775808 are the BIGINT bounds */
    bool big = integer && (n > 19 || (n == 19 && strcmp(d, *t == '-' ? "9223372036854775808" : "9223372036854775807") > 0));
    if (!big) {
        sb_puts(b, t);
        return true;
    }
    if (n > 38)
        return sql_fail(c, c->at, "number %s has more than 38 digits: no Athena (Trino) type holds it exactly", t);
    sb_printf(b, "DECIMAL '%s'", t);
    return true;
}

static const char *const tpart_sql[] = {"MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"};
static const char *const cmp_sql[] = {"<", "<=", ">", ">="};

/* LIKE-escape a column's lowered value: replace(replace(replace(x, '\', '\\'), '%', '\%'), '_', '\_') */
static void escaped_ref(sbuf *b, const sql_col *ref, bool lower)
{
    sb_puts(b, "replace(replace(replace(");
    if (lower)
        sb_puts(b, "LOWER(");
    sb_puts(b, ref->expr);
    if (lower)
        sb_putc(b, ')');
    sb_puts(b, ", '\\', '\\\\'), '%', '\\%'), '_', '\\_')");
}

/* fieldref: the field against another field of the same event */
static bool fieldref_cmp(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    sql_col ref;
    if (!c->d->column(c, v->ref, SQL_USE_VALUE, c->at, &ref))
        return false;
    bool lower = !v->cased;
    if (lower)
        sb_puts(b, "LOWER(");
    sb_puts(b, col->expr);
    if (lower)
        sb_putc(b, ')');
    if (!v->ref_starts && !v->ref_ends) {
        sb_puts(b, " = ");
        if (lower)
            sb_puts(b, "LOWER(");
        sb_puts(b, ref.expr);
        if (lower)
            sb_putc(b, ')');
        return true;
    }
    sb_puts(b, " LIKE (");
    if (v->ref_starts)
        sb_puts(b, "'%' || ");
    escaped_ref(b, &ref, lower);
    if (v->ref_ends)
        sb_puts(b, " || '%'");
    sb_puts(b, ") ESCAPE '\\'");
    return true;
}

/* A query_expression_placeholders expression: text, and the placeholder
 * `field` for the column. */
static void query_expr(sbuf *b, const sql_col *col, const svalue *v)
{
    for (size_t i = 0; i < v->str.n; i++) {
        if (v->str.parts[i].kind == SP_PH)
            sb_puts(b, col->expr);
        else
            sb_putn(b, v->str.parts[i].s, v->str.parts[i].n);
    }
}

/* The predicate of one value on a resolved column. */
static bool predicate(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    const char *e = col->expr;
    switch (v->kind) {
    case SV_STR:
        return str_cmp(c, b, col, v);
    case SV_NUM:
        sb_puts(b, e);
        sb_puts(b, " = ");
        return num_lit(c, b, v->num.text);
    case SV_BOOL:
        sb_puts(b, e);
        sb_puts(b, v->b ? " = true" : " = false");
        return true;
    case SV_NULL:
        sb_puts(b, e);
        sb_puts(b, " IS NULL");
        return true;
    case SV_EXISTS:
        sb_puts(b, e);
        sb_puts(b, v->b ? " IS NOT NULL" : " IS NULL");
        return true;
    case SV_RE:
        sb_puts(b, "REGEXP_LIKE(");
        sb_puts(b, e);
        sb_puts(b, ", ");
        if (!regex_lit(c, b, v))
            return false;
        sb_putc(b, ')');
        return true;
    case SV_CMP:
        if (v->cmp_tpart)
            sb_printf(b, "EXTRACT(%s FROM %s)", tpart_sql[v->tpart], e);
        else
            sb_puts(b, e);
        sb_printf(b, " %s ", cmp_sql[v->cmp]);
        return num_lit(c, b, v->num.text);
    case SV_TIMEPART:
        sb_printf(b, "EXTRACT(%s FROM %s) = ", tpart_sql[v->tpart], e);
        return num_lit(c, b, v->num.text);
    case SV_FIELDREF:
        return fieldref_cmp(c, b, col, v);
    case SV_CIDR:
        /* only reached with -O cidr=native */
        sb_puts(b, "contains(");
        sql_str(b, v->cidr.text, strlen(v->cidr.text));
        sb_printf(b, ", TRY_CAST(%s AS IPADDRESS))", e);
        return true;
    case SV_QUERY:
        query_expr(b, col, v);
        return true;
    case SV_EXPANSION:
        break;
    }
    return sql_fail(c, c->at, "internal error: unexpected value kind");
}

/* A predicate inside the column's wrapping (any_match(...) and the like). */
static bool wrapped(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    sb_puts(b, col->open);
    if (!predicate(c, b, col, v))
        return false;
    sb_puts(b, col->close);
    return true;
}

static bool leaf(sql_ctx *c, sbuf *b, const char *f, const svalue *v)
{
    sql_col col;
    return match_col(c, f, &col) && wrapped(c, b, &col, v);
}

static bool in_list(sql_ctx *c, sbuf *b, const char *f, const svalue *const *v, size_t n)
{
    sql_col col;
    if (!match_col(c, f, &col))
        return false;
    sb_puts(b, col.open);
    bool lower = v[0]->kind == SV_STR && !v[0]->cased;
    if (lower)
        sb_puts(b, "LOWER(");
    if (v[0]->kind == SV_TIMEPART)
        sb_printf(b, "EXTRACT(%s FROM ", tpart_sql[v[0]->tpart]);
    sb_puts(b, col.expr);
    if (lower || v[0]->kind == SV_TIMEPART)
        sb_putc(b, ')');
    sb_puts(b, " IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(b, ", ");
        if (v[i]->kind == SV_NUM || v[i]->kind == SV_TIMEPART) {
            if (!num_lit(c, b, v[i]->num.text))
                return false;
            continue;
        }
        if (!check_text(c, &v[i]->str))
            return false;
        size_t len;
        char *t = sstr_text(c->a, &v[i]->str, &len);
        if (lower)
            t = sql_lower(c->a, t, len, &len);
        sql_str(b, t, len);
    }
    sb_putc(b, ')');
    sb_puts(b, col.close);
    return true;
}

static bool keyword(sql_ctx *c, sbuf *b, const svalue *v)
{
    const sql_options *o = c->opt;
    switch (v->kind) {
    case SV_BOOL:
        return sql_fail(c, c->at, "Boolean values can't appear as standalone value without a field name.");
    case SV_CIDR:
        return sql_fail(c, c->at, "CIDR values can't appear as standalone value without a field name.");
    case SV_NULL:
        return sql_fail(c, c->at, "Null values can't appear as standalone value without a field name.");
    case SV_STR:
    case SV_NUM:
    case SV_RE:
        break;
    default:
        return sql_fail(c, c->at, "this value type can't appear as standalone value without a field name.");
    }
    if (!o->n_keyword_fields)
        return sql_fail(c, c->at,
                        "Value-only %s expressions (i.e Full Text Search or 'keywords' search) are not supported "
                        "by the backend; use -O keyword_fields=COLUMN[,COLUMN...] to search columns",
                        v->kind == SV_NUM ? "number" : "string");
    svalue sv;
    if (v->kind == SV_NUM) {
        sv = *v;
        sv.kind = SV_STR;
        sv.cased = false;
        sv.str = sstr_plain(c->a, v->num.text, strlen(v->num.text));
        v = &sv;
    }
    svalue pat;
    if (v->kind == SV_STR) {
        pat = *v;
        sstr star = sstr_star();
        if (!sstr_starts_star(&pat.str))
            pat.str = sstr_concat(c->a, &star, &pat.str);
        if (!sstr_ends_star(&pat.str))
            pat.str = sstr_concat(c->a, &pat.str, &star);
        v = &pat;
    }
    sb_putc(b, '(');
    for (size_t i = 0; i < o->n_keyword_fields; i++) {
        if (i)
            sb_puts(b, " OR ");
        sql_col col;
        if (!match_col(c, o->keyword_fields[i], &col) || !wrapped(c, b, &col, v))
            return false;
    }
    sb_putc(b, ')');
    return true;
}

const sql_dialect sql_athena = {
    .leaf = leaf,
    .in_list = in_list,
    .keyword = keyword,
    .column = column,
};
