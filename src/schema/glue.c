/* glue.c - AWS Glue table JSON (aws glue get-table / get-tables) -> tables.
 *
 * jansson parses and validates the text (its errors carry line and column).
 * It keeps no positions for values, so a semantic error (a missing key, a bad
 * type string) is placed by walking the raw text to the value along the
 * path the loader took: jansson keeps object members in the order of the
 * text and duplicate keys are rejected, so the k-th member in jansson is the
 * k-th member in the text. Only valid JSON is ever walked, and only when
 * there is an error to place (or once per table, for its position). An
 * error inside a type string is placed on the character itself, escapes
 * (\u00e9, \") taken into account. */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "schema.h"
#include "../util/ascii.h"

#define GLUE_MAX_PATH 16

typedef struct gctx {
    arena *a;
    const char *name;
    const char *text; /* after a byte-order mark */
    size_t len;
    size_t path[GLUE_MAX_PATH]; /* member/element indexes from the root */
    int depth;
    char *err;
    size_t errlen;
} gctx;

/* ------------------------------------------------------ raw text walking */

static size_t skip_ws(const char *t, size_t len, size_t i)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote: the offset after the closing one. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return len;
}

static size_t skip_value(const char *t, size_t len, size_t i)
{
    if (i >= len)
        return len;
    if (t[i] == '"')
        return skip_string(t, len, i);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        while (i < len) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, len, i);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return len;
    }
    while (i < len && !strchr(",]} \t\r\n", t[i]))
        i++;
    return i;
}

/* Offset of the value at path[0..depth) from the root. */
static size_t locate(const char *t, size_t len, const size_t *path, int depth)
{
    size_t i = skip_ws(t, len, 0);
    for (int d = 0; d < depth && i < len; d++) {
        char open = t[i];
        if (open != '{' && open != '[')
            return i;
        i = skip_ws(t, len, i + 1);
        for (size_t k = 0; i < len; k++) {
            if (open == '{') {
                i = skip_ws(t, len, skip_string(t, len, i));
                i = skip_ws(t, len, i + 1); /* ':' */
            }
            if (k == path[d])
                break;
            i = skip_ws(t, len, skip_value(t, len, i));
            i = skip_ws(t, len, i + 1); /* ',' */
        }
    }
    return i < len ? i : len;
}

static unsigned hex4(const char *s, size_t avail)
{
    unsigned v = 0;
    for (size_t k = 0; k < 4; k++) {
        if (k >= avail)
            return 0;
        int d = ascii_hex_value(s[k]);
        v <<= 4;
        if (d >= 0)
            v |= (unsigned)d;
    }
    return v;
}

/* q at a string's opening quote: the raw offset of decoded byte k. */
static size_t string_byte(const char *t, size_t len, size_t q, size_t k)
{
    size_t i = q + 1, dec = 0;
    while (i < len && t[i] != '"') {
        size_t raw = 1, step = 1;
        if (t[i] == '\\' && i + 1 < len) {
            raw = 2;
            if (t[i + 1] == 'u') {
                unsigned cp = hex4(t + i + 2, len - i - 2);
                raw = 6;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 7 < len && t[i + 6] == '\\' && t[i + 7] == 'u') {
                    raw = 12;
                    step = 4;
                } else {
                    step = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
                }
            }
        }
        if (dec + step > k)
            return i;
        dec += step;
        i += raw;
    }
    return i < len ? i : len;
}

/* ---------------------------------------------------------------- errors */

/* An error at the value path[0..depth) + [last] (last == SIZE_MAX: the
 * value at path itself); byte k of it when it is a string (SIZE_MAX: its
 * start). Always returns false. */
static bool gfail_at(gctx *g, size_t last, size_t k, const char *fmt, ...)
{
    size_t path[GLUE_MAX_PATH + 1];
    int depth = g->depth;
    memcpy(path, g->path, (size_t)depth * sizeof *path);
    if (last != SIZE_MAX)
        path[depth++] = last;
    size_t off = locate(g->text, g->len, path, depth);
    if (k != SIZE_MAX && off < g->len && g->text[off] == '"')
        off = string_byte(g->text, g->len, off, k);
    va_list ap;
    va_start(ap, fmt);
    schema_verrf(g->err, g->errlen, g->name, g->text, g->len, off, fmt, ap);
    va_end(ap);
    return false;
}

static void push(gctx *g, size_t i)
{
    g->path[g->depth++] = i;
}

static void pop(gctx *g)
{
    g->depth--;
}

/* The member `key` of object obj, with its index among the members. */
static json_t *member(json_t *obj, const char *key, size_t *idx)
{
    size_t i = 0;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
        if (strcmp(json_object_iter_key(it), key) == 0) {
            *idx = i;
            return json_object_iter_value(it);
        }
    return NULL;
}

/* A non-empty string member; NULL (and *ok false after the error) if it is
 * something else; NULL with *ok true if it is absent and optional. */
static const char *str_member(gctx *g, json_t *obj, const char *key, bool required, const char *owner, bool *ok)
{
    size_t i;
    json_t *v = member(obj, key, &i);
    *ok = true;
    if (!v) {
        if (required)
            *ok = gfail_at(g, SIZE_MAX, SIZE_MAX, "%s has no \"%s\"", owner, key);
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        *ok = gfail_at(g, i, SIZE_MAX, "\"%s\" must be a non-empty string", key);
        return NULL;
    }
    return arena_strndup(g->a, json_string_value(v), json_string_length(v));
}

/* ---------------------------------------------------------------- tables */

typedef struct gcols {
    smember *m;
    size_t n, cap;
    size_t (*where)[3]; /* per column: array's index in its parent, element index, "Name" index */
    bool *in_sd;        /* the array is StorageDescriptor.Columns (else PartitionKeys) */
} gcols;

/* The columns of array arr (at path + [arr_idx]) appended to cols. */
static bool load_columns(gctx *g, json_t *arr, size_t arr_idx, bool in_sd, const char *table, gcols *cols)
{
    push(g, arr_idx);
    for (size_t e = 0; e < json_array_size(arr); e++) {
        json_t *c = json_array_get(arr, e);
        if (!json_is_object(c))
            return gfail_at(g, e, SIZE_MAX, "a column must be an object with \"Name\" and \"Type\"");
        push(g, e);
        bool ok;
        const char *name = str_member(g, c, "Name", true, "column", &ok);
        if (!ok)
            return false;
        size_t ti, ni;
        member(c, "Name", &ni);
        json_t *tv = member(c, "Type", &ti);
        if (!tv)
            return gfail_at(g, SIZE_MAX, SIZE_MAX, "column '%s' of table '%s' has no \"Type\"", shown(g->a, name),
                            shown(g->a, table));
        if (!json_is_string(tv))
            return gfail_at(g, ti, SIZE_MAX, "\"Type\" must be a string");
        size_t at;
        const char *msg;
        const stype *t = stype_parse_all(g->a, json_string_value(tv), json_string_length(tv), &at, &msg);
        if (!t)
            return gfail_at(g, ti, at, "column '%s': %s", shown(g->a, name), msg);
        pop(g);
        if (cols->n == cols->cap) {
            size_t nc = cols->cap ? 2 * cols->cap : 32;
            cols->m = arena_grow(g->a, cols->m, sizeof *cols->m, cols->cap, nc);
            cols->where = arena_grow(g->a, cols->where, sizeof *cols->where, cols->cap, nc);
            cols->in_sd = arena_grow(g->a, cols->in_sd, sizeof *cols->in_sd, cols->cap, nc);
            cols->cap = nc;
        }
        cols->m[cols->n] = (smember){name, t};
        cols->where[cols->n][0] = arr_idx;
        cols->where[cols->n][1] = e;
        cols->where[cols->n][2] = ni;
        cols->in_sd[cols->n] = in_sd;
        cols->n++;
    }
    pop(g);
    return true;
}

/* The table object at the current path. */
static bool load_table(gctx *g, json_t *t, stable **out)
{
    if (!json_is_object(t))
        return gfail_at(g, SIZE_MAX, SIZE_MAX, "a table must be an object");
    bool ok;
    const char *name = str_member(g, t, "Name", true, "table", &ok);
    if (!ok)
        return false;
    const char *db = str_member(g, t, "DatabaseName", false, "table", &ok);
    if (!ok)
        return false;
    const char *desc = NULL;
    size_t di;
    json_t *dv = member(t, "Description", &di);
    if (dv && !json_is_string(dv))
        return gfail_at(g, di, SIZE_MAX, "\"Description\" must be a string");
    if (dv)
        desc = arena_strndup(g->a, json_string_value(dv), json_string_length(dv));
    size_t si, ci, pi;
    json_t *sd = member(t, "StorageDescriptor", &si);
    if (!sd)
        return gfail_at(g, SIZE_MAX, SIZE_MAX, "table '%s' has no \"StorageDescriptor\"", shown(g->a, name));
    if (!json_is_object(sd))
        return gfail_at(g, si, SIZE_MAX, "\"StorageDescriptor\" must be an object");
    json_t *cv = member(sd, "Columns", &ci);
    push(g, si);
    if (!cv)
        return gfail_at(g, SIZE_MAX, SIZE_MAX, "table '%s' has no \"StorageDescriptor\".\"Columns\"",
                        shown(g->a, name));
    if (!json_is_array(cv))
        return gfail_at(g, ci, SIZE_MAX, "\"Columns\" must be an array of columns");
    gcols cols = {0};
    if (!load_columns(g, cv, ci, true, name, &cols))
        return false;
    pop(g);
    size_t nparts = 0;
    json_t *pv = member(t, "PartitionKeys", &pi);
    if (pv) {
        if (!json_is_array(pv))
            return gfail_at(g, pi, SIZE_MAX, "\"PartitionKeys\" must be an array of columns");
        size_t before = cols.n;
        if (!load_columns(g, pv, pi, false, name, &cols))
            return false;
        nparts = cols.n - before;
    }
    if (!cols.n)
        return gfail_at(g, SIZE_MAX, SIZE_MAX, "table '%s' has no columns", shown(g->a, name));
    size_t dup = members_first_dup(g->a, cols.m, cols.n);
    if (dup < cols.n) {
        if (cols.in_sd[dup])
            push(g, si);
        push(g, cols.where[dup][0]);
        push(g, cols.where[dup][1]);
        return gfail_at(g, cols.where[dup][2], SIZE_MAX, "column '%s' is defined twice in table '%s'",
                        shown(g->a, cols.m[dup].name), shown(g->a, name));
    }
    *out = table_new(g->a, db, name, desc, cols.m, cols.n, nparts, g->name);
    return true;
}

/* The tables of a list (array at the current path), positions filled in
 * one pass over the text. */
static bool load_list(gctx *g, json_t *arr, stable ***out, size_t *n)
{
    if (!json_array_size(arr))
        return gfail_at(g, SIZE_MAX, SIZE_MAX, "no table in this file (the list is empty)");
    size_t i = locate(g->text, g->len, g->path, g->depth);
    i = skip_ws(g->text, g->len, i + 1); /* after '[' */
    size_t off = 0;
    unsigned line = 1, col = 1;
    for (size_t e = 0; e < json_array_size(arr); e++) {
        push(g, e);
        stable *t;
        if (!load_table(g, json_array_get(arr, e), &t))
            return false;
        pop(g);
        unsigned dl, dc;
        text_linecol(g->text + off, i - off, i - off, &dl, &dc);
        col = dl > 1 ? dc : col + dc - 1;
        line += dl - 1;
        off = i;
        t->line = line;
        t->col = col;
        table_push(g->a, out, n, t);
        i = skip_ws(g->text, g->len, skip_value(g->text, g->len, i));
        i = skip_ws(g->text, g->len, i + 1); /* ',' */
    }
    return true;
}

static bool load_root(gctx *g, json_t *root, stable ***out, size_t *n)
{
    size_t i;
    json_t *v;
    if (json_is_array(root))
        return load_list(g, root, out, n);
    if ((v = member(root, "Table", &i)) != NULL) {
        push(g, i);
        stable *t;
        if (!load_table(g, v, &t))
            return false;
        text_linecol(g->text, g->len, locate(g->text, g->len, g->path, g->depth), &t->line, &t->col);
        table_push(g->a, out, n, t);
        return true;
    }
    if ((v = member(root, "TableList", &i)) != NULL) {
        if (!json_is_array(v))
            return gfail_at(g, i, SIZE_MAX, "\"TableList\" must be an array of tables");
        push(g, i);
        return load_list(g, v, out, n);
    }
    if (member(root, "Name", &i)) { /* a bare table: get-table --query Table */
        stable *t;
        if (!load_table(g, root, &t))
            return false;
        text_linecol(g->text, g->len, locate(g->text, g->len, NULL, 0), &t->line, &t->col);
        table_push(g->a, out, n, t);
        return true;
    }
    return gfail_at(g, SIZE_MAX, SIZE_MAX,
                    "expected a Glue table: {\"Table\": {...}} (aws glue get-table) or {\"TableList\": [...]} "
                    "(aws glue get-tables)");
}

bool schema_load_glue(arena *a, const char *name, const char *text, size_t len, stable ***out, size_t *n,
                      char *err, size_t errlen)
{
    if (!schema_text_start(name, &text, &len, err, errlen))
        return false;
    gctx g = {.a = a, .name = name, .text = text, .len = len, .err = err, .errlen = errlen};
    json_error_t je;
    json_t *root = json_loadb(g.text, g.len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", name, je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1,
                 je.text);
        return false;
    }
    size_t n0 = *n;
    bool ok = load_root(&g, root, out, n);
    json_decref(root);
    if (!ok)
        *n = n0;
    return ok;
}
