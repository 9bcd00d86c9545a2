/* resolve.c - a Sigma field path against a table: access steps, or "unknown
 * field" with the closest field paths (schema.h has the contract). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "schema.h"

/* The parts of a field: split on dots not preceded by a backslash; `\.` is
 * a literal dot, any other backslash stays. */
static const char **split_field(arena *a, const char *f, size_t *np)
{
    size_t cap = 1;
    for (const char *p = f; *p; p++)
        if (*p == '.')
            cap++;
    const char **parts = arena_alloc(a, cap * sizeof *parts);
    char *buf = arena_alloc(a, strlen(f) + 1);
    size_t n = 0;
    char *w = buf;
    const char *p = f;
    for (;;) {
        char *start = w;
        while (*p && *p != '.') {
            if (*p == '\\' && p[1] == '.') {
                *w++ = '.';
                p += 2;
                continue;
            }
            *w++ = *p++;
        }
        *w++ = 0;
        parts[n++] = start;
        if (!*p)
            break;
        p++;
    }
    *np = n;
    return parts;
}

/* parts[i..j) joined with '.' */
static char *join(arena *a, const char *const *parts, size_t i, size_t j)
{
    size_t len = 0;
    for (size_t k = i; k < j; k++)
        len += strlen(parts[k]) + 1;
    char *s = arena_alloc(a, len + 1), *w = s;
    for (size_t k = i; k < j; k++) {
        if (k > i)
            *w++ = '.';
        size_t l = strlen(parts[k]);
        memcpy(w, parts[k], l);
        w += l;
    }
    *w = 0;
    return s;
}

/* A name as a field path part: dots written `\.`. */
static void put_part(sbuf *b, const char *name)
{
    for (const char *p = name; *p; p++) {
        if (*p == '.')
            sb_putc(b, '\\');
        sb_putc(b, *p);
    }
}

/* ------------------------------------------------------------ candidates */

typedef struct pathvec {
    const char **v;
    size_t n, cap;
} pathvec;

static void pv_push(arena *a, pathvec *pv, const char *s)
{
    if (pv->n == pv->cap) {
        size_t nc = pv->cap ? 2 * pv->cap : 64;
        pv->v = arena_grow(a, pv->v, sizeof *pv->v, pv->cap, nc);
        pv->cap = nc;
    }
    pv->v[pv->n++] = s;
}

static void collect(arena *a, pathvec *pv, sbuf *b, const stype *t)
{
    while (t->kind == ST_ARRAY)
        t = t->elem;
    if (t->kind != ST_STRUCT)
        return;
    size_t keep = b->len;
    for (size_t i = 0; i < t->nmembers; i++) {
        b->len = keep;
        b->p[keep] = 0;
        if (keep)
            sb_putc(b, '.');
        put_part(b, t->members[i].name);
        pv_push(a, pv, arena_strndup(a, b->p, b->len));
        collect(a, pv, b, t->members[i].type);
    }
    b->len = keep;
    b->p[keep] = 0;
}

const char *const *schema_field_paths(arena *a, const stable *t, size_t *n)
{
    pathvec pv = {0};
    sbuf b = SBUF_INIT;
    sb_reserve(&b, 64);
    collect(a, &pv, &b, t->row);
    sb_free(&b);
    *n = pv.n;
    return pv.v;
}

/* Levenshtein distance, ASCII case-insensitive; stops early (returns
 * limit + 1) once it exceeds limit. */
static size_t distance(const char *x, const char *y, size_t limit, size_t *row)
{
    size_t xn = strlen(x), yn = strlen(y);
    if ((xn > yn ? xn - yn : yn - xn) > limit)
        return limit + 1;
    for (size_t j = 0; j <= yn; j++)
        row[j] = j;
    for (size_t i = 1; i <= xn; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= yn; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)x[i - 1]) == tolower((unsigned char)y[j - 1]) ? 0 : 1;
            size_t v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[yn];
}

#define MAX_SUGGEST 3
#define MAX_SUGGEST_LEN 256 /* longer fields get no suggestion */

/* The paths closest to field: at the smallest distance found, which must be
 * at most max(2, len/4); at most MAX_SUGGEST of them, in schema order. A
 * path the field continues (`time` for `time.x`) is not a suggestion. */
static size_t suggest(arena *a, const stable *t, const char *field, const char **out)
{
    size_t flen = strlen(field);
    if (flen > MAX_SUGGEST_LEN)
        return 0;
    size_t limit = flen / 4 > 2 ? flen / 4 : 2;
    size_t np;
    const char *const *paths = schema_field_paths(a, t, &np);
    size_t k = 0, best = limit;
    size_t *row = NULL, rowcap = 0;
    for (size_t i = 0; i < np; i++) {
        size_t pl = strlen(paths[i]);
        if (pl < flen && field[pl] == '.' && name_eq(paths[i], pl, field, pl))
            continue;
        if (pl + 1 > rowcap) {
            rowcap = pl + 1 > 64 ? pl + 1 : 64;
            row = arena_alloc(a, rowcap * sizeof *row);
        }
        size_t d = distance(field, paths[i], best, row);
        if (d > best)
            continue;
        if (d < best || k == 0) {
            best = d;
            k = 0;
        }
        if (k < MAX_SUGGEST)
            out[k++] = paths[i];
    }
    return k;
}

/* --------------------------------------------------------------- resolver */

typedef struct steps {
    sstep *v;
    size_t n, cap;
} steps;

static sstep *step(arena *a, steps *s, saccess_kind kind, const stype *type)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 8;
        s->v = arena_grow(a, s->v, sizeof *s->v, s->cap, nc);
        s->cap = nc;
    }
    sstep *st = &s->v[s->n++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->type = type;
    return st;
}

static const char *kind_name(const stype *t, arena *a)
{
    sbuf b = SBUF_INIT;
    stype_format(&b, t);
    const char *s = shown(a, arena_strndup(a, b.p, b.len));
    sb_free(&b);
    return s;
}

static sresolved unknown(arena *a, const stable *t, const char *field, steps *st, const char *why)
{
    sresolved r = {.status = SR_UNKNOWN, .steps = st->v, .nsteps = st->n};
    const char **c = arena_alloc(a, MAX_SUGGEST * sizeof *c);
    size_t nc = suggest(a, t, field, c);
    sbuf b = SBUF_INIT;
    sb_puts(&b, why);
    for (size_t i = 0; i < nc; i++)
        sb_printf(&b, "%s%s", i == 0 ? " (did you mean " : i + 1 == nc ? " or " : ", ", c[i]);
    if (nc)
        sb_puts(&b, "?)");
    r.detail = arena_strndup(a, b.p, b.len);
    r.message = arena_printf(a, "unknown field '%s': %s", shown(a, field), r.detail);
    sb_free(&b);
    r.candidates = c;
    r.ncandidates = nc;
    return r;
}

/* The prefix parts[0..i) as a field path, for messages. */
static const char *prefix(arena *a, const char *const *parts, size_t i)
{
    sbuf b = SBUF_INIT;
    for (size_t k = 0; k < i; k++) {
        if (k)
            sb_putc(&b, '.');
        put_part(&b, parts[k]);
    }
    const char *s = arena_strndup(a, b.p ? b.p : "", b.len);
    sb_free(&b);
    return s;
}

/* The member of struct t named by parts[i], or else a member whose name
 * holds dots and equals parts[i..j) joined with dots (the shortest such);
 * *j is the end. */
static const smember *match_member(const stype *t, const char *const *parts, size_t np, size_t i, size_t *j)
{
    const smember *m = stype_member(t, parts[i], strlen(parts[i]));
    if (m) {
        *j = i + 1;
        return m;
    }
    const smember *best = NULL;
    for (size_t k = 0; k < t->nmembers; k++) {
        const char *p = t->members[k].name;
        if (!strchr(p, '.'))
            continue;
        for (size_t e = i; e < np; e++) {
            size_t pl = strlen(parts[e]);
            if (strlen(p) < pl || !name_eq(p, pl, parts[e], pl))
                break;
            p += pl;
            if (!*p) {
                if (e > i && (!best || e + 1 < *j)) {
                    best = &t->members[k];
                    *j = e + 1;
                }
                break;
            }
            if (*p++ != '.')
                break;
        }
    }
    return best;
}

sresolved schema_resolve(arena *a, const stable *tb, const char *field)
{
    size_t np;
    const char **parts = split_field(a, field, &np);
    steps st = {0};
    const stype *t = tb->row;
    size_t i = 0;
    while (i < np) {
        if (t->kind == ST_STRUCT) {
            size_t j = 0;
            const smember *m = match_member(t, parts, np, i, &j);
            if (!m) {
                const char *why = i == 0 ? arena_printf(a, "no column '%s'", shown(a, parts[0]))
                                         : arena_printf(a, "%s has no member '%s'", prefix(a, parts, i),
                                                        shown(a, parts[i]));
                return unknown(a, tb, field, &st, why);
            }
            step(a, &st, i == 0 ? SA_COLUMN : SA_MEMBER, m->type)->name = m->name;
            t = m->type;
            i = j;
        } else if (t->kind == ST_ARRAY) {
            t = t->elem;
            step(a, &st, SA_ANY, t);
        } else if (t->kind == ST_MAP) {
            t = t->elem;
            step(a, &st, SA_MAP_KEY, t)->name = join(a, parts, i, np);
            i = np;
        } else if (stype_is_text(t)) {
            sstep *s = step(a, &st, SA_JSON, NULL);
            s->keys = parts + i;
            s->nkeys = np - i;
            return (sresolved){.status = SR_OK, .steps = st.v, .nsteps = st.n, .json = true};
        } else {
            return unknown(a, tb, field, &st,
                           arena_printf(a, "%s is %s, which has no members", prefix(a, parts, i), kind_name(t, a)));
        }
    }
    size_t trailing = 0;
    while (t->kind == ST_ARRAY) {
        t = t->elem;
        step(a, &st, SA_ANY, t);
        trailing++;
    }
    return (sresolved){.status = SR_OK, .steps = st.v, .nsteps = st.n, .leaf = t, .trailing_any = trailing};
}
