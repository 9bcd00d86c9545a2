/* athena.c - the Athena (Trino) dialect: the text of every comparison.
 *
 * Strings match case-insensitively by default: LOWER(field) against the
 * value lowered the way Trino's lower() does. Literals are Trino literals
 * (quote doubled, backslash plain); LIKE patterns are escaped only in LIKE.
 *
 * A column of known type (a table schema, columns.c) chooses how a value
 * is compared with it (docs/schemas.md, "Values and types"):
 *   text              strings lowered (LOWER(col) = 'x'), numbers as text
 *                     (col = '4625'), booleans as text (LOWER(col) = 'true');
 *                     gt/lt on TRY_CAST(col AS DOUBLE); timestamp parts of
 *                     ISO-8601 text (TRY(from_iso8601_timestamp(col)))
 *   integer, number   numbers bare (col = 4625), strings that are numbers
 *                     too; other values can never equal it: an error
 *   boolean           true/false, 'true'/'false'; others an error
 *   timestamp, date,  strings as text (CAST(col AS VARCHAR)); numbers an
 *   binary            error except in gt/lt (epoch milliseconds)
 *   struct, map       an error: compare one of its members or keys
 * Wildcards, contains/startswith/endswith, re and cidr read any primitive
 * column as text (CAST(col AS VARCHAR), from_utf8(col) for binary); integer
 * columns are epoch
 * milliseconds for timestamp parts (from_unixtime(col / 1000.0)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../rule/regex.h"
#include "athena.h"
#include "quote.h"

/* ------------------------------------------------------------ fields */

/* A leaf's column, through the dialect's slot (a caller may wrap this
 * dialect with its own resolution), at the position of the item. */
static bool match_col(sql_ctx *c, const char *f, sql_col *col)
{
    return sql_column(c, c->d, f, SQL_USE_MATCH, c->at, col);
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
static const char *const cmp_name[] = {"lt", "lte", "gt", "gte"};

/* ---- typed columns ------------------------------------------------------ */

static bool is_text(const sql_col *col)
{
    return col->type == SQL_T_UNKNOWN || col->type == SQL_T_TEXT;
}

/* A problem of the value against the column's type (sql_problem at the
 * item); collecting, the predicate becomes FALSE and rendering goes on. */
static bool type_problem(sql_ctx *c, sbuf *b, const sql_col *col, const char *what)
{
    if (!sql_problem(c, c->at, false, "%s %s (%s) of table %s", what, col->path ? col->path : col->field,
                     athena_type_name(c->a, col), c->table ? c->table : "<TABLE>"))
        return false;
    sb_puts(b, "FALSE");
    return true;
}

/* A struct or map has no value to compare (true: the column is fine). */
static bool comparable(sql_ctx *c, const sql_col *col, bool *ok)
{
    *ok = col->type != SQL_T_COMPLEX;
    if (*ok)
        return true;
    return sql_problem(c, c->at, false,
                       "field '%s' is %s in table %s: compare one of its members or keys",
                       col->path ? col->path : col->field, athena_type_name(c->a, col),
                       c->table ? c->table : "<TABLE>");
}

/* The column read as text: LOWER() if lower; a column of another type is
 * CAST to VARCHAR first (binary is decoded as UTF-8: Trino has no cast). */
static void put_text(sbuf *b, const sql_col *col, bool lower)
{
    bool cast = !is_text(col), bin = col->type == SQL_T_BINARY;
    if (lower)
        sb_puts(b, "LOWER(");
    if (cast)
        sb_puts(b, bin ? "from_utf8(" : "CAST(");
    sb_puts(b, col->expr);
    if (cast)
        sb_puts(b, bin ? ")" : " AS VARCHAR)");
    if (lower)
        sb_putc(b, ')');
}

/* How the column is written before `=` or IN. */
typedef enum { OP_BARE, OP_TEXT, OP_TEXT_LOWER } operand;

static void put_operand(sbuf *b, const sql_col *col, operand op)
{
    if (op == OP_BARE)
        sb_puts(b, col->expr);
    else
        put_text(b, col, op == OP_TEXT_LOWER);
}

/* Decimal integer text s[0..n) ([+-]digits) that an integer column of type
 * t can hold: its literal (no sign for +, no leading zeros) into out. */
static bool int_literal(const char *s, size_t n, const stype *t, sbuf *out)
{
    bool neg = n && s[0] == '-';
    size_t i = n && (s[0] == '-' || s[0] == '+');
    if (i == n || strspn(s + i, "0123456789") != n - i)
        return false;
    while (i + 1 < n && s[i] == '0')
        i++;
    if (n - i > 19)
        return false;
    char buf[24];
    memcpy(buf, s + i, n - i);
    buf[n - i] = 0;
    errno = 0;
    unsigned long long u = strtoull(buf, NULL, 10);
    if (errno)
        return false;
    unsigned long long max = 9223372036854775807ULL; /* bigint */
    if (t && t->kind == ST_TINYINT)
        max = 127;
    else if (t && t->kind == ST_SMALLINT)
        max = 32767;
    else if (t && t->kind == ST_INT)
        max = 2147483647;
    if (u > max + (neg ? 1 : 0))
        return false;
    if (neg && u)
        sb_putc(out, '-');
    sb_puts(out, buf);
    return true;
}

/* Decimal number text: [+-]digits[.digits][(e|E)[+-]digits], as its
 * literal (a leading + dropped). */
static bool dec_literal(const char *s, size_t n, sbuf *out)
{
    size_t i = n && (s[0] == '-' || s[0] == '+'), start = i;
    size_t d = strspn(s + i, "0123456789");
    if (!d)
        return false;
    i += d;
    if (i < n && s[i] == '.') {
        d = strspn(s + i + 1, "0123456789");
        if (!d)
            return false;
        i += 1 + d;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        i += i < n && (s[i] == '-' || s[i] == '+');
        d = strspn(s + i, "0123456789");
        if (!d)
            return false;
        i += d;
    }
    if (i != n)
        return false;
    if (s[0] == '-')
        sb_putc(out, '-');
    sb_putn(out, s + start, n - start);
    return true;
}

/* A value for messages: 'text', a number, true. */
static const char *shown_value(arena *a, const svalue *v)
{
    if (v->kind == SV_NUM)
        return arena_printf(a, "the number %s", v->num.text);
    if (v->kind == SV_BOOL)
        return v->b ? "true" : "false";
    size_t n;
    const char *t = sstr_text(a, &v->str, &n);
    return arena_printf(a, "'%.*s%s'", n > 60 ? 60 : (int)n, t, n > 60 ? "..." : "");
}

/* The literal that equality with the column compares v with (a plain
 * string, a number or a boolean), and how the column is written. 1: done;
 * 0: error (c->err); -1: a problem noted while collecting. */
static int eq_literal(sql_ctx *c, const sql_col *col, const svalue *v, sbuf *lit, operand *op)
{
    bool ok;
    if (!comparable(c, col, &ok))
        return 0;
    if (!ok)
        return -1;
    sql_type t = col->type;
    *op = OP_BARE;
    if (v->kind == SV_STR) {
        if (!check_text(c, &v->str))
            return 0;
        size_t n;
        char *s = sstr_text(c->a, &v->str, &n);
        bool fits = true;
        if (t == SQL_T_INTEGER)
            fits = memchr(s, 0, n) == NULL && int_literal(s, n, col->stype, lit);
        else if (t == SQL_T_NUMBER)
            fits = memchr(s, 0, n) == NULL && dec_literal(s, n, lit);
        else if (t == SQL_T_BOOLEAN) {
            fits = (n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 5 && strncasecmp(s, "false", 5) == 0);
            if (fits)
                sb_puts(lit, n == 4 ? "true" : "false");
        } else {
            if (!v->cased)
                s = sql_lower(c->a, s, n, &n);
            sql_str(lit, s, n);
            *op = v->cased ? OP_TEXT : OP_TEXT_LOWER;
        }
        if (fits)
            return 1;
    } else if (v->kind == SV_NUM) {
        if (t == SQL_T_UNKNOWN || t == SQL_T_NUMBER)
            return num_lit(c, lit, v->num.text) ? 1 : 0;
        if (t == SQL_T_INTEGER && int_literal(v->num.text, strlen(v->num.text), col->stype, lit))
            return 1;
        if (t == SQL_T_TEXT) {
            sql_str(lit, v->num.text, strlen(v->num.text));
            *op = OP_TEXT;
            return 1;
        }
    } else if (v->kind == SV_BOOL) {
        if (t == SQL_T_UNKNOWN || t == SQL_T_BOOLEAN) {
            sb_puts(lit, v->b ? "true" : "false");
            return 1;
        }
        if (t == SQL_T_TEXT) {
            sb_puts(lit, v->b ? "'true'" : "'false'");
            *op = OP_TEXT_LOWER;
            return 1;
        }
    }
    sbuf ignore = SBUF_INIT;
    bool r = type_problem(c, &ignore, col, arena_printf(c->a, "%s can never equal", shown_value(c->a, v)));
    sb_free(&ignore);
    return r ? -1 : 0;
}

/* col = <value> */
static bool eq_cmp(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    sbuf lit = SBUF_INIT;
    operand op;
    int r = eq_literal(c, col, v, &lit, &op);
    if (r > 0) {
        put_operand(b, col, op);
        sb_puts(b, " = ");
        sb_putn(b, lit.p, lit.len);
    } else if (r < 0) {
        sb_puts(b, "FALSE");
    }
    sb_free(&lit);
    return r != 0;
}

/* A string value: = for plain values, LIKE for wildcards (on the column
 * read as text). */
static bool str_cmp(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    const sstr *s = &v->str;
    if (!check_text(c, s))
        return false;
    if (!sstr_has_wildcard(s))
        return eq_cmp(c, b, col, v);
    bool ok;
    if (!comparable(c, col, &ok))
        return false;
    if (!ok) {
        sb_puts(b, "FALSE");
        return true;
    }
    bool lower = !v->cased;
    put_text(b, col, lower);
    sb_puts(b, " LIKE ");
    sql_like(c->a, b, s, lower);
    sb_puts(b, " ESCAPE '\\'");
    return true;
}

/* The column as a timestamp, for timestamp parts: a timestamp as it is, a
 * date as a timestamp, ISO-8601 text parsed (NULL where it is not), an
 * integer as epoch milliseconds. NULL (and a problem) for other types. */
static const char *time_of(sql_ctx *c, sbuf *b, const sql_col *col, bool *ok)
{
    *ok = true;
    switch (col->type) {
    case SQL_T_UNKNOWN:
    case SQL_T_TIMESTAMP:
        return col->expr;
    case SQL_T_DATE:
        return arena_printf(c->a, "CAST(%s AS TIMESTAMP)", col->expr);
    case SQL_T_TEXT:
        return arena_printf(c->a, "TRY(from_iso8601_timestamp(%s))", col->expr);
    case SQL_T_INTEGER:
        return arena_printf(c->a, "from_unixtime(%s / 1000.0)", col->expr);
    default:
        break;
    }
    *ok = type_problem(c, b, col, "timestamp parts need a timestamp, date, ISO-8601 text or epoch-milliseconds "
                                  "column, not");
    return NULL;
}

/* gt/gte/lt/lte against a number: numbers as they are, text as a number
 * (NULL where it is not one), a timestamp or date against the number as
 * epoch milliseconds. */
static bool cmp_value(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    const char *op = cmp_sql[v->cmp];
    if (v->cmp_tpart) {
        bool ok;
        const char *t = time_of(c, b, col, &ok);
        if (!t)
            return ok;
        sb_printf(b, "EXTRACT(%s FROM %s) %s ", tpart_sql[v->tpart], t, op);
        return num_lit(c, b, v->num.text);
    }
    switch (col->type) {
    case SQL_T_UNKNOWN:
    case SQL_T_INTEGER:
    case SQL_T_NUMBER:
        sb_printf(b, "%s %s ", col->expr, op);
        return num_lit(c, b, v->num.text);
    case SQL_T_TEXT:
        sb_printf(b, "TRY_CAST(%s AS DOUBLE) %s ", col->expr, op);
        return num_lit(c, b, v->num.text);
    case SQL_T_TIMESTAMP:
    case SQL_T_DATE:
        sb_printf(b, "%s %s from_unixtime(", col->expr, op);
        if (!num_lit(c, b, v->num.text))
            return false;
        sb_puts(b, " / 1000.0)");
        return true;
    default:
        break;
    }
    return type_problem(c, b, col, arena_printf(c->a, "%s cannot compare a number with", cmp_name[v->cmp]));
}

/* LIKE-escape a column's value read as text: replace(replace(replace(x, '\', '\\'), '%', '\%'), '_', '\_') */
static void escaped_ref(sbuf *b, const sql_col *ref, bool lower)
{
    sb_puts(b, "replace(replace(replace(");
    put_text(b, ref, lower);
    sb_puts(b, ", '\\', '\\\\'), '%', '\\%'), '_', '\\_')");
}

/* Two typed columns compared as values (no text): both numbers, or both
 * of the same other type. */
static bool same_kind(const sql_col *x, const sql_col *y)
{
    bool xn = x->type == SQL_T_INTEGER || x->type == SQL_T_NUMBER;
    bool yn = y->type == SQL_T_INTEGER || y->type == SQL_T_NUMBER;
    if (xn || yn)
        return xn && yn;
    return x->type == y->type && !is_text(x);
}

/* fieldref: the field against another field of the same event */
static bool fieldref_cmp(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    sql_col ref;
    if (!sql_column(c, c->d, v->ref, SQL_USE_VALUE, c->at, &ref))
        return false;
    bool ok1, ok2;
    if (!comparable(c, col, &ok1) || !comparable(c, &ref, &ok2))
        return false;
    if (ref.many && !sql_problem(c, c->at, false,
                                 "field reference to '%s': it is inside an array of table %s, which has no single "
                                 "value to compare with",
                                 v->ref, c->table ? c->table : "<TABLE>"))
        return false;
    if (!ok1 || !ok2 || ref.many) {
        sb_puts(b, "FALSE");
        return true;
    }
    bool plain = !v->ref_starts && !v->ref_ends;
    if (plain && same_kind(col, &ref)) {
        sb_printf(b, "%s = %s", col->expr, ref.expr);
        return true;
    }
    bool lower = !v->cased;
    put_text(b, col, lower);
    if (plain) {
        sb_puts(b, " = ");
        put_text(b, &ref, lower);
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

/* exists / null: on the value the path reaches, any element of an array
 * it goes through; `null` is "no such value". Both are true or false,
 * never NULL, as IS [NOT] NULL is. */
static void null_test(sbuf *b, const sql_col *col, bool want_null)
{
    if (!*col->exists_open && !col->exists_json) {
        sb_printf(b, "%s IS %sNULL", col->exists_expr, want_null ? "" : "NOT ");
        return;
    }
    /* two-valued like IS NULL: an absent array or JSON value is "no value" */
    sb_puts(b, want_null ? "NOT COALESCE(" : "COALESCE(");
    if (col->exists_json)
        sb_printf(b, "%sjson_format(%s) <> 'null'%s", col->exists_open, col->exists_expr, col->exists_close);
    else
        sb_printf(b, "%s%s IS NOT NULL%s", col->exists_open, col->exists_expr, col->exists_close);
    sb_puts(b, ", FALSE)");
}

/* The predicate of one value on a resolved column (inside its wrapping). */
static bool predicate(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    bool ok;
    switch (v->kind) {
    case SV_STR:
        return str_cmp(c, b, col, v);
    case SV_NUM:
    case SV_BOOL:
        return eq_cmp(c, b, col, v);
    case SV_RE:
        if (!comparable(c, col, &ok))
            return false;
        if (!ok) {
            sb_puts(b, "FALSE");
            return true;
        }
        sb_puts(b, "REGEXP_LIKE(");
        put_text(b, col, false);
        sb_puts(b, ", ");
        if (!regex_lit(c, b, v))
            return false;
        sb_putc(b, ')');
        return true;
    case SV_CMP:
        return cmp_value(c, b, col, v);
    case SV_TIMEPART: {
        const char *t = time_of(c, b, col, &ok);
        if (!t)
            return ok;
        sb_printf(b, "EXTRACT(%s FROM %s) = ", tpart_sql[v->tpart], t);
        return num_lit(c, b, v->num.text);
    }
    case SV_FIELDREF:
        return fieldref_cmp(c, b, col, v);
    case SV_CIDR:
        /* only reached with -O cidr=native */
        if (!comparable(c, col, &ok))
            return false;
        if (!ok) {
            sb_puts(b, "FALSE");
            return true;
        }
        sb_puts(b, "contains(");
        sql_str(b, v->cidr.text, strlen(v->cidr.text));
        sb_puts(b, ", TRY_CAST(");
        put_text(b, col, false);
        sb_puts(b, " AS IPADDRESS))");
        return true;
    case SV_QUERY:
        query_expr(b, col, v);
        return true;
    case SV_NULL:
    case SV_EXISTS:
    case SV_EXPANSION:
        break;
    }
    return sql_fail(c, c->at, "internal error: unexpected value kind");
}

/* A predicate inside the column's wrapping (any_match(...) and the like);
 * exists and null have their own. */
static bool wrapped(sql_ctx *c, sbuf *b, const sql_col *col, const svalue *v)
{
    if (v->kind == SV_NULL || v->kind == SV_EXISTS) {
        null_test(b, col, v->kind == SV_NULL || !v->b);
        return true;
    }
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
    sbuf lits = SBUF_INIT;
    bool ok = true;
    if (v[0]->kind == SV_TIMEPART) {
        const char *t = time_of(c, b, &col, &ok);
        if (!t) {
            sb_free(&lits);
            return ok;
        }
        sb_printf(b, "%sEXTRACT(%s FROM %s) IN (", col.open, tpart_sql[v[0]->tpart], t);
        for (size_t i = 0; ok && i < n; i++) {
            if (i)
                sb_puts(b, ", ");
            ok = num_lit(c, b, v[i]->num.text);
        }
    } else {
        operand op = OP_BARE;
        for (size_t i = 0; ok && i < n; i++) {
            if (i)
                sb_puts(&lits, ", ");
            int r = eq_literal(c, &col, v[i], &lits, &op);
            if (r < 0)
                sb_puts(&lits, "NULL");
            ok = r != 0;
        }
        if (ok) {
            sb_puts(b, col.open);
            put_operand(b, &col, op);
            sb_puts(b, " IN (");
            sb_putn(b, lits.p, lits.len);
        }
    }
    sb_free(&lits);
    if (!ok)
        return false;
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
        if (!leaf(c, b, o->keyword_fields[i], v))
            return false;
    }
    sb_putc(b, ')');
    return true;
}

const sql_dialect sql_athena = {
    .leaf = leaf,
    .in_list = in_list,
    .keyword = keyword,
    .column = athena_column,
    .null_tests_two_valued = true, /* null_test() */
};
