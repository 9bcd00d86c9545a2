/* pack.c - rule packs (pack.h). */
#include "pack.h"

#include <string.h>

#include "../util/limits.h"
#include "quote.h"
#include "window.h"

const char *sql_pack_label(const srule *r)
{
    return r->id ? r->id : r->name ? r->name : r->title ? r->title : r->file ? r->file : "";
}

/* A list of distinct strings (SELECT items) and the length of their text
 * joined with ", ". */
typedef struct items {
    const char **v;
    size_t n, cap;
    size_t len;
    bool star; /* every column */
} items;

static bool items_has(const items *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

static void items_add(arena *a, items *l, const char *s)
{
    if (items_has(l, s))
        return;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        l->v = arena_grow(a, l->v, sizeof *l->v, l->cap, nc);
        l->cap = nc;
    }
    l->len += (l->n ? 2 : 0) + strlen(s);
    l->v[l->n++] = s;
}

/* One rule of a pack: its CASE and the columns it needs. */
typedef struct prule {
    const srule *r;
    const char *when; /* CASE WHEN <condition> THEN '<label>' END */
    items cols;
} prule;

/* Names the value e of a field by its Sigma name: ` AS "field"` added
 * when e is not that name. */
static void name_as(sbuf *e, const char *field)
{
    sbuf name = SBUF_INIT;
    sql_ident_part(&name, field, strlen(field));
    if (strcmp(sb_cstr(e), sb_cstr(&name)) != 0)
        sb_printf(e, " AS %s", sb_cstr(&name));
    sb_free(&name);
}

/* A field as a SELECT item named by its Sigma name: `expr`, or
 * `expr AS "field"` when expr is not that name. */
static bool field_item(sql_ctx *c, const sql_dialect *d, const char *field, spos pos, const char **out)
{
    sbuf e = SBUF_INIT;
    bool ok = sql_put_value(c, d, &e, field, pos);
    if (ok) {
        name_as(&e, field);
        *out = arena_strndup(c->a, sb_cstr(&e), e.len);
    }
    sb_free(&e);
    return ok;
}

/* Adds field as a SELECT item to cols. */
static bool add_field(sql_ctx *c, const sql_dialect *d, const char *field, spos pos, items *cols)
{
    const char *it;
    if (!field_item(c, d, field, pos, &it))
        return false;
    items_add(c->a, cols, it);
    return true;
}

/* The fields a condition tree reads (leaves, field references, the
 * keyword columns). */
static bool tree_fields(sql_ctx *c, const sql_dialect *d, const xnode *x, items *cols)
{
    if (x->kind != X_LEAF) {
        for (size_t i = 0; i < x->n; i++)
            if (!tree_fields(c, d, x->kids[i], cols))
                return false;
        return true;
    }
    if (x->field && !add_field(c, d, x->field, x->pos, cols))
        return false;
    if (x->val && x->val->kind == SV_FIELDREF && !add_field(c, d, x->val->ref, x->pos, cols))
        return false;
    if (!x->field)
        for (size_t i = 0; i < c->opt->n_keyword_fields; i++)
            if (!add_field(c, d, c->opt->keyword_fields[i], x->pos, cols))
                return false;
    return true;
}

static bool prepare(sql_ctx *c, const sql_dialect *d, const srule *r, prule *p)
{
    c->rule = r;
    c->table = r->table;
    c->leaves = 0;
    p->r = r;
    xnode *t = sql_rule_tree(c, r);
    if (!t)
        return c->err.message ? false : sql_fail(c, r->pos, "the rule has no condition");
    sbuf b = SBUF_INIT;
    sb_puts(&b, "CASE WHEN ");
    bool ok = sql_render_expr(c, d, &b, t);
    if (ok) {
        const char *label = sql_pack_label(r);
        sb_puts(&b, " THEN ");
        sql_str(&b, label, strlen(label));
        sb_puts(&b, " END");
        p->when = arena_strndup(c->a, sb_cstr(&b), b.len);
    }
    sb_free(&b);
    if (!ok)
        return false;
    spos fpos = r->fields_pos.line ? r->fields_pos : r->pos;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *f = r->fields[i];
        if (strcmp(f, "*") == 0) {
            p->cols.star = true;
            continue;
        }
        sbuf e = SBUF_INIT;
        bool plain;
        ok = sql_select_item(c, d, &e, f, fpos, &plain);
        if (ok && plain) /* a field: named by its Sigma name */
            name_as(&e, f);
        if (ok)
            items_add(c->a, &p->cols, arena_strndup(c->a, sb_cstr(&e), e.len));
        sb_free(&e);
        if (!ok)
            return false;
    }
    return r->nfields || tree_fields(c, d, t, &p->cols);
}

/* What every pack of a table has: its window and its common columns. */
typedef struct ptable {
    const char *table;
    const char *where; /* the window predicate, "" for none */
    items cols;        /* the window column, -O pack_fields */
} ptable;

static bool prepare_table(sql_ctx *c, const sql_dialect *d, const char *table, spos pos, ptable *t)
{
    c->table = table;
    t->table = table;
    sbuf w = SBUF_INIT;
    bool ok = sql_window_scan(c, &w, table, 0, pos);
    t->where = sb_to_arena(&w, c->a);
    if (!ok)
        return false;
    bool known;
    const char *tf = sql_window_field(c, table, &known);
    if ((known || sql_window_set(c->opt)) && !add_field(c, d, tf, pos, &t->cols))
        return false;
    for (size_t i = 0; i < c->opt->n_pack_fields; i++)
        if (!add_field(c, d, c->opt->pack_fields[i], pos, &t->cols))
            return false;
    return true;
}

static const char *const HEAD = "SELECT * FROM (SELECT ";
static const char *const ARRAY = ", filter(ARRAY[";
static const char *const FROM = "], sigma_rule -> sigma_rule IS NOT NULL) AS sigma_rules FROM ";
static const char *const TAIL = ") WHERE cardinality(sigma_rules) > 0";

/* The text of one pack: rules p[0..n) of table t. */
static const char *pack_text(arena *a, const ptable *t, const prule *p, size_t n, const items *cols)
{
    sbuf b = SBUF_INIT;
    sb_puts(&b, HEAD);
    if (cols->star) {
        sb_putc(&b, '*');
    } else {
        for (size_t i = 0; i < cols->n; i++) {
            if (i)
                sb_puts(&b, ", ");
            sb_puts(&b, cols->v[i]);
        }
    }
    sb_puts(&b, ARRAY);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(&b, ", ");
        sb_puts(&b, p[i].when);
    }
    sb_puts(&b, FROM);
    sb_puts(&b, t->table ? t->table : "<TABLE>");
    if (*t->where) {
        sb_puts(&b, " WHERE ");
        sb_puts(&b, t->where);
    }
    sb_puts(&b, TAIL);
    return sb_to_arena(&b, a);
}

/* The length pack_text would have. */
static size_t pack_len(const ptable *t, size_t whens, size_t nwhens, const items *cols)
{
    size_t n = strlen(HEAD) + (cols->star ? 1 : cols->len) + strlen(ARRAY) + whens + (nwhens ? 2 * (nwhens - 1) : 0) +
               strlen(FROM) + strlen(t->table ? t->table : "<TABLE>") + strlen(TAIL);
    if (*t->where)
        n += strlen(" WHERE ") + strlen(t->where);
    return n;
}

/* The length the items of add would add to cols. */
static size_t added_len(const items *cols, const items *add)
{
    size_t n = 0, k = cols->n;
    for (size_t i = 0; i < add->n; i++)
        if (!items_has(cols, add->v[i])) {
            n += (k++ ? 2 : 0) + strlen(add->v[i]);
        }
    return n;
}

/* Adds the packs of one table's rules p[0..n) to *out. */
static void split(arena *a, const ptable *t, const prule *p, size_t n, sql_pack **out, size_t *nout, size_t *cap)
{
    size_t start = 0;
    while (start < n) {
        items cols = {0};
        for (size_t i = 0; i < t->cols.n; i++)
            items_add(a, &cols, t->cols.v[i]);
        size_t end = start, whens = 0;
        while (end < n) {
            items grown = cols;
            grown.len += added_len(&cols, &p[end].cols);
            grown.star = cols.star || p[end].cols.star;
            size_t w = whens + strlen(p[end].when);
            if (end > start && pack_len(t, w, end - start + 1, &grown) > SIGMA_ATHENA_QUERY_LIMIT)
                break;
            for (size_t i = 0; i < p[end].cols.n; i++)
                items_add(a, &cols, p[end].cols.v[i]);
            cols.star = grown.star;
            whens = w;
            end++;
        }
        if (*nout == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            *out = arena_grow(a, *out, sizeof **out, *cap, nc);
            *cap = nc;
        }
        sql_pack *k = &(*out)[(*nout)++];
        k->table = t->table;
        k->query = pack_text(a, t, p + start, end - start, &cols);
        k->nrules = end - start;
        k->rules = arena_alloc(a, sizeof *k->rules * k->nrules);
        for (size_t i = start; i < end; i++)
            k->rules[i - start] = p[i].r;
        start = end;
    }
}

static bool same_table(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

bool sql_packs(sql_ctx *c, const sql_dialect *d, const srule *const *rules, size_t n, sql_pack **out, size_t *nout,
               const srule **failed)
{
    c->d = d;
    *out = NULL;
    *nout = 0;
    size_t cap = 0;
    bool *done = arena_alloc(c->a, sizeof *done * (n ? n : 1));
    prule *p = arena_alloc(c->a, sizeof *p * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        const char *table = rules[i]->table;
        ptable t = {0};
        *failed = rules[i];
        if (!prepare_table(c, d, table, rules[i]->pos, &t))
            return false;
        size_t np = 0;
        for (size_t j = i; j < n; j++) {
            if (done[j] || !same_table(rules[j]->table, table))
                continue;
            done[j] = true;
            *failed = rules[j];
            memset(&p[np], 0, sizeof p[np]);
            if (!prepare(c, d, rules[j], &p[np]))
                return false;
            np++;
        }
        split(c->a, &t, p, np, out, nout, &cap);
    }
    *failed = NULL;
    return true;
}
