/* render.c - the shared SQL driver: precedence, parentheses, IN lists and
 * the query frame. Everything dialect-specific is behind sql_dialect. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "../util/limits.h"
#include "quote.h"
#include "sql.h"
#include "window.h"

enum { P_OR = 1, P_AND = 2, P_NOT = 3, P_LEAF = 4 };

static int in_groups(const xnode *x);

static int prec(const xnode *x)
{
    switch (x->kind) {
    case X_OR:
        /* an OR that renders as one IN list is a single predicate */
        return in_groups(x) == 1 ? P_LEAF : P_OR;
    case X_AND:
        return P_AND;
    case X_NOT:
        return P_NOT;
    default:
        return P_LEAF;
    }
}

static bool render(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, int parent);

/* Kind of a leaf for IN grouping: 0 none, 1 lowered string, 2 cased string,
 * 3 number, 4 + part: a timestamp part. */
static int in_kind(const xnode *x)
{
    if (x->kind != X_LEAF || !x->field)
        return 0;
    const svalue *v = x->val;
    if (v->kind == SV_NUM)
        return 3;
    if (v->kind == SV_TIMEPART)
        return 4 + (int)v->tpart;
    if (v->kind == SV_STR && !sstr_has_wildcard(&v->str) && !sstr_has_placeholder(&v->str))
        return v->cased ? 2 : 1;
    return 0;
}

/* Number of IN groups an OR renders as (0: not an IN list at all). */
static int in_groups(const xnode *x)
{
    if (x->kind != X_OR || x->group || x->n < 1)
        return 0;
    const char *field = NULL;
    int kinds = 0; /* bit set */
    for (size_t i = 0; i < x->n; i++) {
        int k = in_kind(x->kids[i]);
        if (!k)
            return 0;
        if (field && strcmp(field, x->kids[i]->field) != 0)
            return 0;
        field = x->kids[i]->field;
        kinds |= 1 << k;
    }
    int n = 0;
    for (; kinds; kinds &= kinds - 1)
        n++;
    return n;
}

static bool try_in(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, bool *done)
{
    *done = false;
    if (!in_groups(x))
        return true;
    const char *field = x->kids[0]->field;
    *done = true;
    const svalue **vals = arena_alloc(c->a, sizeof *vals * x->n);
    int order[16], norder = 0;
    for (size_t i = 0; i < x->n; i++) {
        int k = in_kind(x->kids[i]);
        int j;
        for (j = 0; j < norder; j++)
            if (order[j] == k)
                break;
        if (j == norder)
            order[norder++] = k;
    }
    for (int j = 0; j < norder; j++) {
        size_t nv = 0;
        for (size_t i = 0; i < x->n; i++)
            if (in_kind(x->kids[i]) == order[j])
                vals[nv++] = x->kids[i]->val;
        if (j)
            sb_puts(b, " OR ");
        c->at = x->kids[0]->pos;
        if (nv == 1 && x->n > 1) {
            if (!d->leaf(c, b, field, vals[0]))
                return false;
        } else if (!d->in_list(c, b, field, vals, nv)) {
            return false;
        }
    }
    return true;
}

/* ---- NOT over absent fields ---------------------------------------------
 * Sigma evaluates a comparison on an absent field as false, so `not f` holds
 * for an event without f. SQL's comparison on a NULL column is NULL, and
 * NOT NULL is NULL: the event would be dropped. A NOT whose operand can be
 * NULL is therefore written NOT COALESCE(operand, FALSE).
 *
 * That is exact: below the NOT there are only AND, OR, leaves and other
 * (already two-valued) NOTs, and for such a monotone formula Kleene's logic
 * gives TRUE exactly when reading every NULL leaf as FALSE gives TRUE; the
 * COALESCE turns the rest (FALSE or NULL) into FALSE. Under AND and OR
 * alone a NULL needs no care: WHERE keeps only TRUE rows.
 *
 * A leaf is NULL-free only if it is a null / exists test the dialect
 * writes two-valued (sql_dialect.null_tests_two_valued: Athena's is, on any
 * column), or else an IS [NOT] NULL test on a column resolved without
 * wrapping (any wrapping, an any_match over an array, say, may be NULL). Everything else, every
 * comparison, keyword search or IN list, may be NULL. Deciding this from
 * the value kind and the column slot's sql_col keeps it right for whatever
 * expressions the column slot resolves fields to. */
static bool may_be_null(sql_ctx *c, const sql_dialect *d, const xnode *x, bool *out)
{
    *out = false;
    switch (x->kind) {
    case X_NOT:
        return true;
    case X_AND:
    case X_OR:
        for (size_t i = 0; i < x->n && !*out; i++)
            if (!may_be_null(c, d, x->kids[i], out))
                return false;
        return true;
    case X_LEAF:
        break;
    }
    svkind k = x->val->kind;
    if (!x->field || (k != SV_NULL && k != SV_EXISTS)) {
        *out = true;
        return true;
    }
    if (d->null_tests_two_valued)
        return true;
    sql_col col;
    if (!sql_column(c, d, x->field, SQL_USE_MATCH, x->pos, &col))
        return false;
    *out = col.open[0] != 0 || col.close[0] != 0;
    return true;
}

static bool render(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, int parent)
{
    if (b->len > SIGMA_MAX_QUERY_SIZE)
        return sql_fail(c, x->pos, "query too large (limit %u bytes)", SIGMA_MAX_QUERY_SIZE);
    int p = prec(x);
    bool paren = p < parent;
    if (paren)
        sb_putc(b, '(');
    switch (x->kind) {
    case X_LEAF:
        c->at = x->pos;
        if (!x->field) {
            if (!d->keyword(c, b, x->val))
                return false;
        } else if (!d->leaf(c, b, x->field, x->val)) {
            return false;
        }
        break;
    case X_NOT: {
        /* Sigma's NOT: two-valued, true where the operand is NULL */
        bool nullable;
        if (!may_be_null(c, d, x->kids[0], &nullable))
            return false;
        sb_puts(b, nullable ? "NOT COALESCE(" : "NOT ");
        /* NOT wraps anything but a leaf; inside COALESCE nothing needs it */
        if (!render(c, d, b, x->kids[0], nullable ? 0 : P_LEAF))
            return false;
        if (nullable)
            sb_puts(b, ", FALSE)");
        break;
    }
    case X_AND:
    case X_OR: {
        if (x->kind == X_OR) {
            bool done;
            if (!try_in(c, d, b, x, &done))
                return false;
            if (done)
                break;
        }
        const char *op = x->kind == X_AND ? " AND " : " OR ";
        for (size_t i = 0; i < x->n; i++) {
            if (i)
                sb_puts(b, op);
            if (!render(c, d, b, x->kids[i], p))
                return false;
        }
        break;
    }
    }
    if (paren)
        sb_putc(b, ')');
    return true;
}

/* ---- one type per column ------------------------------------------------
 * Trino types every comparison: a column compared with text (=, LIKE,
 * REGEXP_LIKE, a field reference) cannot also be compared with a number in
 * the same query ("Cannot apply operator: varchar = integer"). A number
 * compared with such a column is compared as its text, like the strings.
 * A column whose type a table schema gives is left to the dialect, which
 * compares by that type. */

static bool text_leaf(const xnode *x)
{
    if (x->kind != X_LEAF || !x->field)
        return false;
    svkind k = x->val->kind;
    return k == SV_STR || k == SV_RE || k == SV_FIELDREF;
}

static void collect_text_fields(const xnode *x, const char ***f, size_t *n, size_t *cap, arena *a)
{
    if (x->kind != X_LEAF) {
        for (size_t i = 0; i < x->n; i++)
            collect_text_fields(x->kids[i], f, n, cap, a);
        return;
    }
    if (!text_leaf(x))
        return;
    for (int side = 0; side < 2; side++) {
        const char *name = side ? (x->val->kind == SV_FIELDREF ? x->val->ref : NULL) : x->field;
        if (!name)
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            *f = arena_grow(a, (void *)*f, sizeof **f, *cap, nc);
            *cap = nc;
        }
        (*f)[(*n)++] = name;
    }
}

/* Only columns of unknown type follow the field name: a number compared
 * with an int column stays a number (with a string column it is text in
 * either case). */
static bool numbers_as_text(sql_ctx *c, xnode *x, const char **f, size_t n)
{
    if (x->kind != X_LEAF) {
        for (size_t i = 0; i < x->n; i++)
            if (!numbers_as_text(c, x->kids[i], f, n))
                return false;
        return true;
    }
    if (!x->field || x->val->kind != SV_NUM)
        return true;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(f[i], x->field) == 0) {
            sql_col col;
            c->at = x->pos;
            if (!sql_column(c, c->d, x->field, SQL_USE_MATCH, x->pos, &col))
                return false;
            if (col.type != SQL_T_UNKNOWN && col.type != SQL_T_TEXT)
                return true;
            const char *t = x->val->num.text;
            x->val = sv_str(c->a, sstr_plain(c->a, t, strlen(t)));
            return true;
        }
    }
    return true;
}

static bool render_top(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, int parent)
{
    c->d = d;
    const char **f = NULL;
    size_t n = 0, cap = 0;
    collect_text_fields(x, &f, &n, &cap, c->a);
    if (n && !numbers_as_text(c, (xnode *)x, f, n))
        return false;
    return render(c, d, b, x, parent);
}

bool sql_render_expr(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x)
{
    return render_top(c, d, b, x, 0);
}

bool sql_render_where(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, const char *table, long long extend,
                      spos pos)
{
    c->d = d;
    size_t start = b->len;
    if (!sql_window_scan(c, b, table, extend, pos))
        return false;
    if (b->len == start)
        return render_top(c, d, b, x, 0);
    sb_puts(b, " AND ");
    return render_top(c, d, b, x, P_AND);
}

/* `x as y` with whitespace around a case-insensitive "as" */
static const char *find_as(const char *s, size_t *seplen)
{
    for (const char *p = s; *p; p++) {
        if (isspace((unsigned char)p[0]) && (p[1] == 'a' || p[1] == 'A') && (p[2] == 's' || p[2] == 'S') &&
            p[3] && isspace((unsigned char)p[3])) {
            *seplen = 4;
            return p;
        }
    }
    return NULL;
}

bool sql_column(sql_ctx *c, const sql_dialect *d, const char *field, sql_use use, spos pos, sql_col *out)
{
    memset(out, 0, sizeof *out);
    if (!d->column(c, field, use, pos, out))
        return false;
    if (!out->open)
        out->open = "";
    if (!out->close)
        out->close = "";
    if (!out->exists_expr) {
        out->exists_expr = out->expr;
        out->exists_open = out->open;
        out->exists_close = out->close;
    }
    return true;
}

bool sql_put_value(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *field, spos pos)
{
    sql_col col;
    if (!sql_column(c, d, field, SQL_USE_VALUE, pos, &col))
        return false;
    sb_puts(b, col.expr);
    return true;
}

bool sql_select_item(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *f, spos pos, bool *plain)
{
    size_t seplen;
    const char *as;
    *plain = false;
    if (strcmp(f, "*") == 0) {
        sb_putc(b, '*');
    } else if (strchr(f, '(') && strchr(f, ')')) {
        sb_puts(b, f);
    } else if ((as = find_as(f, &seplen))) {
        char *left = arena_strndup(c->a, f, (size_t)(as - f));
        if (!sql_put_value(c, d, b, left, pos))
            return false;
        sb_putn(b, as, seplen);
        sql_ident(b, as + seplen, NULL, 0); /* the alias names an output column */
    } else {
        *plain = true;
        return sql_put_value(c, d, b, f, pos);
    }
    return true;
}

/* Items of a rule's `fields`: `*`, an SQL expression written as is (it has
 * parentheses), `field AS alias`, or a field. */
bool sql_select_list(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *const *fields, size_t nfields,
                     spos pos)
{
    if (!nfields) {
        sb_putc(b, '*');
        return true;
    }
    for (size_t i = 0; i < nfields; i++) {
        bool plain;
        if (i)
            sb_puts(b, ", ");
        if (!sql_select_item(c, d, b, fields[i], pos, &plain))
            return false;
    }
    return true;
}

bool sql_rule_queries(sql_ctx *c, const sql_dialect *d, const char *table, const char ***out, size_t *nout)
{
    const srule *r = c->rule;
    const char **q = arena_alloc(c->a, sizeof *q * (r->nconds ? r->nconds : 1));
    sbuf b = SBUF_INIT;
    c->d = d;
    c->table = table;
    for (size_t i = 0; i < r->nconds; i++) {
        c->leaves = 0;
        xnode *x = sql_build_tree(c, &r->conds[i]);
        if (!x) {
            sb_free(&b);
            return false;
        }
        sb_clear(&b);
        sb_puts(&b, "SELECT ");
        if (!sql_select_list(c, d, &b, r->fields, r->nfields, r->fields_pos.line ? r->fields_pos : r->pos)) {
            sb_free(&b);
            return false;
        }
        sb_puts(&b, " FROM ");
        sb_puts(&b, table ? table : "<TABLE>");
        sb_puts(&b, " WHERE ");
        if (!sql_render_where(c, d, &b, x, table, 0, r->pos)) {
            sb_free(&b);
            return false;
        }
        q[i] = arena_strndup(c->a, b.p, b.len);
    }
    sb_free(&b);
    *out = q;
    *nout = r->nconds;
    return true;
}
