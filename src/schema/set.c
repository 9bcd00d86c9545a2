/* set.c - schema sets: files and folders in, tables found by FROM name; the
 * built-in schemas. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "schema.h"
#include "../util/embed.h"
#include "../util/file.h"
#include "../util/limits.h"

/* A table that a pipeline gave the schema of another (schema_set_alias). */
typedef struct salias {
    const char *from;
    const stable *t;
} salias;

struct schema_set {
    arena *a;
    stable **v;
    size_t n;
    bool no_builtins;
    salias *aliases;
    size_t naliases;
};

schema_set *schema_set_new(arena *a)
{
    schema_set *s = arena_alloc(a, sizeof *s);
    s->a = a;
    return s;
}

void schema_set_builtins(schema_set *s, bool on)
{
    s->no_builtins = !on;
}

size_t schema_set_count(const schema_set *s)
{
    return s->n;
}

const stable *schema_set_table(const schema_set *s, size_t i)
{
    return i < s->n ? s->v[i] : NULL;
}

/* ---------------------------------------------------------------- loading */

static bool opt_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return name_eq(a, strlen(a), b, strlen(b));
}

/* Adds the tables of one file (new[0..n)) unless one is already in the
 * set; text is the file's text, for positions. */
static bool commit(schema_set *s, stable **nv, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const stable *t = nv[i];
        for (size_t j = 0; j < s->n + i; j++) {
            const stable *o = j < s->n ? s->v[j] : nv[j - s->n];
            if (opt_eq(o->database, t->database) && opt_eq(o->name, t->name)) {
                snprintf(err, errlen, "%s:%u:%u: table '%s%s%s' is already defined at %s:%u:%u", t->file, t->line,
                         t->col, t->database ? t->database : "", t->database ? "." : "", t->name, o->file, o->line,
                         o->col);
                return false;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        table_push(s->a, &s->v, &s->n, nv[i]);
    return true;
}

bool schema_set_add_text(schema_set *s, const char *name, const char *text, size_t len, schema_format fmt,
                         char *err, size_t errlen)
{
    stable **nv = NULL;
    size_t n = 0;
    const char *file = arena_strdup(s->a, name);
    bool ok = fmt == SCHEMA_GLUE_JSON ? schema_load_glue(s->a, file, text, len, &nv, &n, err, errlen)
                                      : schema_load_ddl(s->a, file, text, len, &nv, &n, err, errlen);
    return ok && commit(s, nv, n, err, errlen);
}

static bool has_ext(const char *path, const char *ext)
{
    size_t pl = strlen(path), el = strlen(ext);
    return pl > el && strcmp(path + pl - el, ext) == 0;
}

static bool is_schema_file(const char *path)
{
    return has_ext(path, ".json") || has_ext(path, ".sql") || has_ext(path, ".ddl");
}

static bool add_file(schema_set *s, const char *path, char *err, size_t errlen)
{
    file_buf fb = {0};
    int e = file_read(path, SIGMA_MAX_FILE_SIZE, &fb);
    if (e) {
        if (e == FILE_ETOOBIG)
            snprintf(err, errlen, "%s: file too large (%zu bytes, limit %u)", path, fb.len, SIGMA_MAX_FILE_SIZE);
        else
            snprintf(err, errlen, "%s: %s", path, file_strerror(e));
        file_buf_free(&fb);
        return false;
    }
    char *buf = fb.p;
    size_t size = fb.len;
    schema_format fmt;
    if (has_ext(path, ".json")) {
        fmt = SCHEMA_GLUE_JSON;
    } else if (has_ext(path, ".sql") || has_ext(path, ".ddl")) {
        fmt = SCHEMA_DDL;
    } else { /* by content: JSON starts with { or [ */
        size_t i = bom_len(buf, size);
        while (i < size && strchr(" \t\r\n", buf[i]))
            i++;
        fmt = i < size && (buf[i] == '{' || buf[i] == '[') ? SCHEMA_GLUE_JSON : SCHEMA_DDL;
    }
    bool ok = schema_set_add_text(s, path, buf, size, fmt, err, errlen);
    file_buf_free(&fb);
    return ok;
}

/* Every schema file below dir (hidden entries skipped). */
static void walk(const char *dir, file_list *out, int depth)
{
    if (depth > 32)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(l);
        if (!p)
            sigma_oom();
        snprintf(p, l, "%s/%s", dir, e->d_name);
        struct stat st;
        bool found = stat(p, &st) == 0;
        if (found && S_ISDIR(st.st_mode)) {
            walk(p, out, depth + 1);
            free(p);
        } else if (found && S_ISREG(st.st_mode) && is_schema_file(p)) {
            file_list_push(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool add_dir(schema_set *s, const char *dir, char *err, size_t errlen)
{
    file_list l = {0};
    walk(dir, &l, 0);
    if (!l.n) {
        snprintf(err, errlen, "%s: no *.json, *.sql or *.ddl file in this folder", dir);
        return false;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    bool ok = true;
    for (size_t i = 0; ok && i < l.n; i++)
        ok = add_file(s, l.v[i], err, errlen);
    file_list_free(&l);
    return ok;
}

bool schema_set_add(schema_set *s, const char *spec, char *err, size_t errlen)
{
    const char **items = NULL;
    size_t n = 0;
    arena_split_list(s->a, spec, &items, &n);
    if (!n) {
        snprintf(err, errlen, "schema option needs a file or folder (-O schema=PATH[,PATH...]) or 'none'");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *p = items[i];
        if (strcmp(p, "none") == 0) {
            s->no_builtins = true;
            continue;
        }
        /* a folder may be written with a trailing slash */
        size_t pl = strlen(p);
        char *path = arena_strdup(s->a, p);
        while (pl > 1 && path[pl - 1] == '/')
            path[--pl] = 0;
        struct stat st;
        if (stat(path, &st) != 0) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            return false;
        }
        if (!(S_ISDIR(st.st_mode) ? add_dir(s, path, err, errlen) : add_file(s, p, err, errlen)))
            return false;
    }
    return true;
}

/* --------------------------------------------------------------- built-in */

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static arena *builtin_arena;
static stable **builtin_v;
static size_t builtin_n;
static const char **builtin_lines;

static void builtin_load(void)
{
    arena *a = arena_new();
    if (!a)
        return;
    stable **v = NULL;
    size_t n = 0;
    char err[512];
    for (size_t i = 0; i < embed_schemas.n; i++) {
        const embed_file *f = &embed_schemas.files[i];
        const char *name = arena_printf(a, "<built-in>/%s", f->name);
        bool json = has_ext(f->name, ".json");
        if (!(json ? schema_load_glue(a, name, f->data, f->len, &v, &n, err, sizeof err)
                   : schema_load_ddl(a, name, f->data, f->len, &v, &n, err, sizeof err))) {
            arena_free(a); /* cannot happen with the files the tests load */
            return;
        }
    }
    const char **lines = arena_alloc(a, (n + 1) * sizeof *lines);
    for (size_t i = 0; i < n; i++) {
        const stable *t = v[i];
        size_t ncols = t->row->nmembers - t->npartition;
        const char *parts =
            t->npartition ? arena_printf(a, ", %zu partition key%s", t->npartition, t->npartition == 1 ? "" : "s")
                          : "";
        const char *db = t->database ? arena_printf(a, "; database %s", t->database) : "";
        lines[i] = arena_printf(a, "%s\t%s (%zu columns%s%s)", t->name, t->comment ? t->comment : "", ncols, parts,
                                db);
    }
    builtin_arena = a;
    builtin_v = v;
    builtin_n = n;
    builtin_lines = lines;
}

bool stable_is_builtin(const stable *t)
{
    return t->file && strncmp(t->file, "<built-in>/", 11) == 0;
}

const stable *const *schema_builtin_tables(size_t *n)
{
    pthread_once(&builtin_once, builtin_load);
    *n = builtin_arena ? builtin_n : 0;
    return builtin_arena ? (const stable *const *)builtin_v : NULL;
}

const char *const *schema_builtin_list(void)
{
    static const char *const none[] = {NULL};
    pthread_once(&builtin_once, builtin_load);
    return builtin_arena ? builtin_lines : none;
}

/* ----------------------------------------------------------------- lookup */

typedef struct ref {
    const char *s;
    size_t n;
} ref;

/* Splits a FROM reference into its last two parts (database, name),
 * decoding it in place in buf (a copy of it: a quoted part has "" for ").
 * false if it is not a dotted identifier. */
static bool split_ref(char *buf, ref *db, ref *name)
{
    ref parts[3] = {{0}};
    size_t np = 0;
    const char *p = buf;
    char *w = buf;
    for (;;) {
        ref r = {w, 0};
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p)
                    return false;
                if (*p == '"') {
                    if (p[1] != '"')
                        break;
                    p++;
                }
                *w++ = *p;
            }
            p++;
        } else {
            while (*p && *p != '.')
                *w++ = *p++;
        }
        r.n = (size_t)(w - r.s);
        if (!r.n)
            return false;
        if (np == 3) /* keep the last three */
            memmove(parts, parts + 1, 2 * sizeof *parts);
        parts[np < 3 ? np++ : 2] = r;
        if (!*p)
            break;
        if (*p != '.')
            return false;
        p++;
    }
    *name = parts[np - 1];
    *db = np >= 2 ? parts[np - 2] : (ref){NULL, 0};
    return true;
}

/* `{region}` in a built-in name: a run of [A-Za-z0-9_] that neither starts
 * nor ends with `_`. Matches s against tmpl; the region found (if any) in
 * *reg. */
static bool tmpl_match(const char *tmpl, ref s, ref *reg)
{
    const char *ph = strstr(tmpl, "{region}");
    if (!ph)
        return name_eq(tmpl, strlen(tmpl), s.s, s.n);
    size_t pre = (size_t)(ph - tmpl), suf = strlen(ph + 8);
    if (s.n <= pre + suf || !name_eq(tmpl, pre, s.s, pre) || !name_eq(ph + 8, suf, s.s + s.n - suf, suf))
        return false;
    ref r = {s.s + pre, s.n - pre - suf};
    if (r.s[0] == '_' || r.s[r.n - 1] == '_')
        return false;
    for (size_t i = 0; i < r.n; i++) {
        unsigned char c = (unsigned char)r.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    if (reg->s && !name_eq(reg->s, reg->n, r.s, r.n))
        return false; /* a different region than the other part's */
    *reg = r;
    return true;
}

/* How well table t fits (db, name): 0 not at all, 1 the reference names a
 * database and the table none, 2 exactly (or no database given). */
static int fit(const stable *t, ref db, ref name)
{
    ref reg = {0};
    if (!tmpl_match(t->name, name, &reg))
        return 0;
    if (!db.s)
        return 2;
    if (!t->database)
        return 1;
    return tmpl_match(t->database, db, &reg) ? 2 : 0;
}

static schema_lookup find_in(const stable *const *v, size_t n, ref db, ref name, const stable **out)
{
    int best = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        int f = fit(v[i], db, name);
        if (!f || f < best)
            continue;
        if (f > best) {
            best = f;
            count = 0;
        }
        if (!count)
            *out = v[i];
        count++;
    }
    return !count ? SCHEMA_NOT_FOUND : count == 1 ? SCHEMA_FOUND : SCHEMA_AMBIGUOUS;
}

schema_lookup schema_set_find(const schema_set *s, const char *from, const stable **out)
{
    *out = NULL;
    if (!from || !*from)
        return SCHEMA_NOT_FOUND;
    char *buf = strdup(from);
    if (!buf)
        sigma_oom();
    ref db, name;
    schema_lookup r = SCHEMA_NOT_FOUND;
    if (split_ref(buf, &db, &name)) {
        r = find_in((const stable *const *)s->v, s->n, db, name, out);
        if (r == SCHEMA_NOT_FOUND && !s->no_builtins) {
            size_t bn;
            const stable *const *bv = schema_builtin_tables(&bn);
            if (bv)
                r = find_in(bv, bn, db, name, out);
        }
    }
    free(buf);
    for (size_t i = 0; r == SCHEMA_NOT_FOUND && i < s->naliases; i++)
        if (name_eq(s->aliases[i].from, strlen(s->aliases[i].from), from, strlen(from))) {
            *out = s->aliases[i].t;
            r = SCHEMA_FOUND;
        }
    return r;
}

const char *schema_set_alias(schema_set *s, const char *from, const char *schema)
{
    const stable *own, *t;
    size_t nal = s->naliases;
    s->naliases = 0; /* the table's own schema, then the schema called `schema` */
    schema_lookup mine = schema_set_find(s, from, &own), r = schema_set_find(s, schema, &t);
    s->naliases = nal;
    if (mine != SCHEMA_NOT_FOUND)
        return NULL;
    if (r == SCHEMA_AMBIGUOUS)
        return arena_printf(s->a, "the schema '%s' is in several databases (one is %s.%s): write the database", schema,
                            t->database ? t->database : "?", t->name);
    if (r == SCHEMA_NOT_FOUND)
        return s->no_builtins ? NULL
                              : arena_printf(s->a,
                                             "no table schema is called '%s' (the built-in ones: sigma list schemas; "
                                             "files of your own: -O schema=PATH)",
                                             schema);
    for (size_t i = 0; i < s->naliases; i++)
        if (name_eq(s->aliases[i].from, strlen(s->aliases[i].from), from, strlen(from))) {
            if (s->aliases[i].t == t)
                return NULL;
            return arena_printf(s->a, "table %s already has the schema of %s (from the pipeline of another rule); "
                                      "this rule's pipeline names %s", from, s->aliases[i].t->name, t->name);
        }
    s->aliases = arena_grow(s->a, s->aliases, sizeof *s->aliases, s->naliases, s->naliases + 1);
    s->aliases[s->naliases++] = (salias){arena_strdup(s->a, from), t};
    return NULL;
}
