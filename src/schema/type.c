/* type.c - Glue/Hive types: parser, canonical printer, comparison, and the
 * small helpers the loaders share (positions, names, duplicates). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "schema.h"
#include "../util/limits.h"

/* ---------------------------------------------------------------- helpers */

void text_linecol(const char *text, size_t len, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void schema_verrf(char *err, size_t errlen, const char *name, const char *text, size_t len, size_t off,
                  const char *fmt, va_list ap)
{
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    unsigned line, col;
    text_linecol(text, len, off, &line, &col);
    snprintf(err, errlen, "%s:%u:%u: %s", name, line, col, msg);
}

bool name_eq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

static int name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || !x)
            return x - y;
    }
}

typedef struct named {
    const char *name;
    size_t index;
} named;

static int named_cmp(const void *x, const void *y)
{
    const named *a = x, *b = y;
    int c = name_cmp(a->name, b->name);
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

size_t names_first_dup(const char *const *names, size_t n, size_t *earlier)
{
    if (n < 2)
        return n;
    if (n <= 16) { /* the usual struct: no allocation */
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (name_cmp(names[i], names[j]) == 0) {
                    *earlier = j;
                    return i;
                }
        return n;
    }
    named *v = malloc(n * sizeof *v);
    if (!v)
        sigma_oom();
    for (size_t i = 0; i < n; i++)
        v[i] = (named){names[i], i};
    qsort(v, n, sizeof *v, named_cmp);
    /* in each run of equal names the first (sorted by index) is the
     * original; the second is a duplicate: keep the earliest such */
    size_t best = n;
    for (size_t i = 1; i < n; i++)
        if (name_cmp(v[i].name, v[i - 1].name) == 0 && (i < 2 || name_cmp(v[i - 1].name, v[i - 2].name) != 0) &&
            v[i].index < best) {
            best = v[i].index;
            *earlier = v[i - 1].index;
        }
    free(v);
    return best;
}

size_t members_first_dup(arena *a, const smember *m, size_t n)
{
    const char **names = arena_alloc(a, n * sizeof *names);
    for (size_t k = 0; k < n; k++)
        names[k] = m[k].name;
    size_t earlier;
    return names_first_dup(names, n, &earlier);
}

const stype *stype_struct(arena *a, const smember *members, size_t n)
{
    stype *t = arena_alloc(a, sizeof *t);
    t->kind = ST_STRUCT;
    t->members = members;
    t->nmembers = n;
    return t;
}

const char *shown(arena *a, const char *s)
{
    size_t n = strlen(s);
    if (n <= 60)
        return s;
    size_t k = 60;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) /* not inside a character */
        k--;
    return arena_printf(a, "%.*s...", (int)k, s);
}

size_t bom_len(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

bool schema_text_start(const char *name, const char **text, size_t *len, char *err, size_t errlen)
{
    if (*len > SIGMA_MAX_FILE_SIZE) {
        snprintf(err, errlen, "%s: file too large (%zu bytes, limit %u)", name, *len, SIGMA_MAX_FILE_SIZE);
        return false;
    }
    size_t bom = bom_len(*text, *len);
    *text += bom;
    *len -= bom;
    return true;
}

stable *table_new(arena *a, const char *db, const char *name, const char *comment, const smember *columns, size_t n,
                  size_t npartition, const char *file)
{
    stable *t = arena_alloc(a, sizeof *t);
    t->database = db;
    t->name = name;
    t->comment = comment;
    t->row = stype_struct(a, columns, n);
    t->npartition = npartition;
    t->file = file;
    return t;
}

void table_push(arena *a, stable ***v, size_t *n, stable *t)
{
    size_t k = *n;
    if (k == 0 || (k >= 4 && (k & (k - 1)) == 0))
        *v = arena_grow(a, *v, sizeof **v, k, k ? 2 * k : 4);
    (*v)[(*n)++] = t;
}

/* ---------------------------------------------------------------- queries */

bool stype_is_text(const stype *t)
{
    return t && (t->kind == ST_STRING || t->kind == ST_VARCHAR || t->kind == ST_CHAR);
}

bool stype_is_numeric(const stype *t)
{
    return t && t->kind >= ST_TINYINT && t->kind <= ST_DECIMAL;
}

bool stype_is_primitive(const stype *t)
{
    return t && t->kind != ST_ARRAY && t->kind != ST_MAP && t->kind != ST_STRUCT;
}

const smember *stype_member(const stype *t, const char *name, size_t n)
{
    if (!t || t->kind != ST_STRUCT)
        return NULL;
    for (size_t i = 0; i < t->nmembers; i++)
        if (name_eq(t->members[i].name, strlen(t->members[i].name), name, n))
            return &t->members[i];
    return NULL;
}

/* ----------------------------------------------------------------- parser */

typedef struct tparser {
    arena *a;
    const char *s;
    size_t n, i;
    size_t errpos;
    const char *msg;
} tparser;

static const stype *tfail(tparser *p, size_t at, const char *msg)
{
    if (!p->msg) {
        p->errpos = at;
        p->msg = msg;
    }
    return NULL;
}

static void tws(tparser *p)
{
    while (p->i < p->n && isspace((unsigned char)p->s[p->i]))
        p->i++;
}

/* What is at the parser's position, for messages. */
static const char *found(tparser *p)
{
    if (p->i >= p->n)
        return "the end";
    unsigned char c = (unsigned char)p->s[p->i];
    if (c >= 0x21 && c < 0x7f)
        return arena_printf(p->a, "'%c'", c);
    return arena_printf(p->a, "byte 0x%02X", c);
}

static bool texpect(tparser *p, char c, const char *what)
{
    tws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    tfail(p, p->i, arena_printf(p->a, "expected '%c' %s, found %s", c, what, found(p)));
    return false;
}

/* An unsigned number in [lo, hi] at the position; what names it. */
static bool tnumber(tparser *p, unsigned lo, unsigned hi, const char *what, unsigned *out)
{
    tws(p);
    size_t start = p->i;
    unsigned long v = 0;
    while (p->i < p->n && isdigit((unsigned char)p->s[p->i])) {
        if (v < 1000000)
            v = v * 10 + (unsigned)(p->s[p->i] - '0');
        p->i++;
    }
    if (p->i == start) {
        tfail(p, start, arena_printf(p->a, "expected %s (a number), found %s", what, found(p)));
        return false;
    }
    if (v < lo || v > hi) {
        tfail(p, start, arena_printf(p->a, "%s must be %u to %u", what, lo, hi));
        return false;
    }
    *out = (unsigned)v;
    return true;
}

typedef struct tname {
    const char *word;
    stype_kind kind;
} tname;

static const tname tnames[] = {
    {"string", ST_STRING},     {"varchar", ST_VARCHAR}, {"char", ST_CHAR},       {"boolean", ST_BOOLEAN},
    {"tinyint", ST_TINYINT},   {"smallint", ST_SMALLINT}, {"int", ST_INT},       {"integer", ST_INT},
    {"bigint", ST_BIGINT},     {"float", ST_FLOAT},     {"double", ST_DOUBLE},   {"decimal", ST_DECIMAL},
    {"date", ST_DATE},         {"timestamp", ST_TIMESTAMP}, {"binary", ST_BINARY}, {"array", ST_ARRAY},
    {"map", ST_MAP},           {"struct", ST_STRUCT},
};

static const stype *tparse(tparser *p, int depth);

/* A struct member name: back-quoted, or a run of characters other than
 * `:,<>()`, back quote and white space. */
static bool is_name_char(unsigned char c)
{
    return !isspace(c) && !strchr(":,<>()`", c) && c != 0;
}

static const char *tmember_name(tparser *p, size_t *pos)
{
    tws(p);
    *pos = p->i;
    if (p->i < p->n && p->s[p->i] == '`') {
        sbuf b = SBUF_INIT;
        size_t open = p->i++;
        for (;;) {
            if (p->i >= p->n) {
                sb_free(&b);
                tfail(p, open, "unterminated `-quoted name");
                return NULL;
            }
            char c = p->s[p->i++];
            if (c == '`') {
                if (p->i < p->n && p->s[p->i] == '`') {
                    sb_putc(&b, '`');
                    p->i++;
                    continue;
                }
                break;
            }
            sb_putc(&b, c);
        }
        if (!b.len) {
            tfail(p, open, "empty struct member name");
            return NULL;
        }
        char *name = arena_strndup(p->a, b.p, b.len);
        sb_free(&b);
        return name;
    }
    size_t start = p->i;
    while (p->i < p->n && is_name_char((unsigned char)p->s[p->i]))
        p->i++;
    if (p->i == start) {
        tfail(p, start, arena_printf(p->a, "expected a struct member name, found %s", found(p)));
        return NULL;
    }
    return arena_strndup(p->a, p->s + start, p->i - start);
}

static const stype *tstruct(tparser *p, stype *t, int depth)
{
    if (!texpect(p, '<', "after struct"))
        return NULL;
    smember *m = NULL;
    size_t *pos = NULL;
    size_t n = 0, cap = 0;
    tws(p);
    if (p->i < p->n && p->s[p->i] == '>') {
        p->i++;
        return t; /* struct<>: no members */
    }
    for (;;) {
        size_t at;
        const char *name = tmember_name(p, &at);
        if (!name || !texpect(p, ':', arena_printf(p->a, "after struct member name '%s'", shown(p->a, name))))
            return NULL;
        const stype *mt = tparse(p, depth + 1);
        if (!mt)
            return NULL;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            m = arena_grow(p->a, m, sizeof *m, cap, nc);
            pos = arena_grow(p->a, pos, sizeof *pos, cap, nc);
            cap = nc;
        }
        m[n].name = name;
        m[n].type = mt;
        pos[n++] = at;
        tws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == '>') {
            p->i++;
            break;
        }
        return tfail(p, p->i, arena_printf(p->a, "expected ',' or '>' in struct<...>, found %s", found(p)));
    }
    size_t dup = members_first_dup(p->a, m, n);
    if (dup < n)
        return tfail(p, pos[dup], arena_printf(p->a, "struct member '%s' is defined twice", shown(p->a, m[dup].name)));
    t->members = m;
    t->nmembers = n;
    return t;
}

static const stype *tparse(tparser *p, int depth)
{
    tws(p);
    size_t start = p->i;
    if (depth > SIGMA_MAX_TYPE_DEPTH)
        return tfail(p, start, arena_printf(p->a, "type nested too deeply (limit %d levels)", SIGMA_MAX_TYPE_DEPTH));
    while (p->i < p->n && (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_'))
        p->i++;
    if (p->i == start)
        return tfail(p, start, arena_printf(p->a, "expected a type, found %s", found(p)));
    size_t wl = p->i - start;
    const tname *tn = NULL;
    for (size_t k = 0; k < sizeof tnames / sizeof *tnames; k++)
        if (name_eq(tnames[k].word, strlen(tnames[k].word), p->s + start, wl))
            tn = &tnames[k];
    if (!tn)
        return tfail(p, start, arena_printf(p->a, "unknown type '%s'", shown(p->a, arena_strndup(p->a, p->s + start, wl))));
    stype *t = arena_alloc(p->a, sizeof *t);
    t->kind = tn->kind;
    switch (t->kind) {
    case ST_VARCHAR:
    case ST_CHAR: {
        bool vc = t->kind == ST_VARCHAR;
        if (!texpect(p, '(', vc ? "after varchar (varchar(n))" : "after char (char(n))") ||
            !tnumber(p, 1, vc ? 65535 : 255, vc ? "varchar length" : "char length", &t->len) ||
            !texpect(p, ')', vc ? "after the varchar length" : "after the char length"))
            return NULL;
        return t;
    }
    case ST_DECIMAL: {
        t->precision = 10; /* Hive: decimal is decimal(10,0) */
        size_t save = p->i;
        tws(p);
        if (p->i >= p->n || p->s[p->i] != '(') {
            p->i = save;
            return t;
        }
        p->i++;
        if (!tnumber(p, 1, 38, "decimal precision", &t->precision))
            return NULL;
        tws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            if (!tnumber(p, 0, t->precision, "decimal scale", &t->scale))
                return NULL;
        }
        if (!texpect(p, ')', "after the decimal precision and scale"))
            return NULL;
        return t;
    }
    case ST_ARRAY:
        if (!texpect(p, '<', "after array") || !(t->elem = tparse(p, depth + 1)) ||
            !texpect(p, '>', "after the array element type"))
            return NULL;
        return t;
    case ST_MAP: {
        if (!texpect(p, '<', "after map"))
            return NULL;
        tws(p);
        size_t kat = p->i;
        if (!(t->key = tparse(p, depth + 1)))
            return NULL;
        if (!stype_is_primitive(t->key))
            return tfail(p, kat, "a map key must be a primitive type");
        if (!texpect(p, ',', "after the map key type") || !(t->elem = tparse(p, depth + 1)) ||
            !texpect(p, '>', "after the map value type"))
            return NULL;
        return t;
    }
    case ST_STRUCT:
        return tstruct(p, t, depth);
    default:
        return t;
    }
}

const stype *stype_parse(arena *a, const char *s, size_t n, size_t *end, const char **msg)
{
    tparser p = {.a = a, .s = s, .n = n};
    const stype *t = tparse(&p, 1);
    if (!t) {
        *end = p.errpos;
        *msg = p.msg;
        return NULL;
    }
    *end = p.i;
    return t;
}

const stype *stype_parse_all(arena *a, const char *s, size_t n, size_t *errpos, const char **msg)
{
    tparser p = {.a = a, .s = s, .n = n};
    tws(&p);
    if (p.i == n) {
        *errpos = p.i;
        *msg = "empty type";
        return NULL;
    }
    const stype *t = tparse(&p, 1);
    if (t) {
        tws(&p);
        if (p.i < n) {
            *errpos = p.i;
            *msg = arena_printf(a, "unexpected %s after the type", found(&p));
            return NULL;
        }
        return t;
    }
    *errpos = p.errpos;
    *msg = p.msg;
    return NULL;
}

/* -------------------------------------------------------------- printing */

static const char *kind_word(stype_kind k)
{
    switch (k) {
    case ST_STRING: return "string";
    case ST_VARCHAR: return "varchar";
    case ST_CHAR: return "char";
    case ST_BOOLEAN: return "boolean";
    case ST_TINYINT: return "tinyint";
    case ST_SMALLINT: return "smallint";
    case ST_INT: return "int";
    case ST_BIGINT: return "bigint";
    case ST_FLOAT: return "float";
    case ST_DOUBLE: return "double";
    case ST_DECIMAL: return "decimal";
    case ST_DATE: return "date";
    case ST_TIMESTAMP: return "timestamp";
    case ST_BINARY: return "binary";
    case ST_ARRAY: return "array";
    case ST_MAP: return "map";
    case ST_STRUCT: return "struct";
    }
    return "?";
}

static void member_name(sbuf *b, const char *name)
{
    bool bare = *name != 0;
    for (const char *q = name; *q; q++)
        if (!is_name_char((unsigned char)*q))
            bare = false;
    if (bare) {
        sb_puts(b, name);
        return;
    }
    sb_putc(b, '`');
    for (const char *q = name; *q; q++) {
        if (*q == '`')
            sb_putc(b, '`');
        sb_putc(b, *q);
    }
    sb_putc(b, '`');
}

void stype_format(sbuf *b, const stype *t)
{
    sb_puts(b, kind_word(t->kind));
    switch (t->kind) {
    case ST_VARCHAR:
    case ST_CHAR:
        sb_printf(b, "(%u)", t->len);
        break;
    case ST_DECIMAL:
        sb_printf(b, "(%u,%u)", t->precision, t->scale);
        break;
    case ST_ARRAY:
        sb_putc(b, '<');
        stype_format(b, t->elem);
        sb_putc(b, '>');
        break;
    case ST_MAP:
        sb_putc(b, '<');
        stype_format(b, t->key);
        sb_putc(b, ',');
        stype_format(b, t->elem);
        sb_putc(b, '>');
        break;
    case ST_STRUCT:
        sb_putc(b, '<');
        for (size_t i = 0; i < t->nmembers; i++) {
            if (i)
                sb_putc(b, ',');
            member_name(b, t->members[i].name);
            sb_putc(b, ':');
            stype_format(b, t->members[i].type);
        }
        sb_putc(b, '>');
        break;
    default:
        break;
    }
}

bool stype_equal(const stype *x, const stype *y, bool case_fold)
{
    if (x == y)
        return true;
    if (!x || !y || x->kind != y->kind || x->len != y->len || x->precision != y->precision || x->scale != y->scale)
        return false;
    if (!stype_equal(x->key, y->key, case_fold) || !stype_equal(x->elem, y->elem, case_fold))
        return false;
    if (x->nmembers != y->nmembers)
        return false;
    for (size_t i = 0; i < x->nmembers; i++) {
        const char *a = x->members[i].name, *b = y->members[i].name;
        if (case_fold ? !name_eq(a, strlen(a), b, strlen(b)) : strcmp(a, b) != 0)
            return false;
        if (!stype_equal(x->members[i].type, y->members[i].type, case_fold))
            return false;
    }
    return true;
}

void stable_format(sbuf *b, const stable *t)
{
    if (t->database)
        sb_printf(b, "%s.", t->database);
    sb_printf(b, "%s\n", t->name);
    for (size_t i = 0; i < t->row->nmembers; i++) {
        sb_puts(b, "  ");
        member_name(b, t->row->members[i].name);
        sb_putc(b, ' ');
        stype_format(b, t->row->members[i].type);
        if (i >= t->row->nmembers - t->npartition)
            sb_puts(b, " (partition)");
        sb_putc(b, '\n');
    }
}
