/* pipeline.c - the pipeline set: -p resolution (built-in, file, folder),
 * ordering by (priority, name/path), backend options, and the entry points
 * (vars.c builds the merged view, apply.c applies it). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sigma.h"

#include "../util/file.h"
#include "../util/limits.h"

pipeline_set *pipeline_set_new(arena *a)
{
    pipeline_set *ps = arena_alloc(a, sizeof *ps);
    ps->a = a;
    ps->dirty = true;
    return ps;
}

static void add_pipeline(pipeline_set *ps, pipeline *p)
{
    ps->p = arena_grow(ps->a, ps->p, sizeof *ps->p, ps->n, ps->n + 1);
    /* stable insertion by (priority, sortkey) */
    size_t i = ps->n;
    while (i > 0 && (ps->p[i - 1]->priority > p->priority ||
                     (ps->p[i - 1]->priority == p->priority && strcmp(ps->p[i - 1]->sortkey, p->sortkey) > 0))) {
        ps->p[i] = ps->p[i - 1];
        i--;
    }
    ps->p[i] = p;
    ps->n++;
    ps->dirty = true;
}

bool pipeline_set_add_text(pipeline_set *ps, const char *name, const char *text, size_t len, char *err,
                           size_t errlen)
{
    pipeline *p;
    if (!pl_load_text(ps, name, name, text, len, &p, err, errlen))
        return false;
    add_pipeline(ps, p);
    return true;
}

/* A pipeline file. The message for a missing file is pySigma's (for -p
 * SPEC, which may also have been meant as a built-in name); any other read
 * error names the file and the reason. */
static bool add_file(pipeline_set *ps, const char *path, const char *spec, char *err, size_t errlen)
{
    file_buf buf = {0};
    int e = file_read(path, SIGMA_MAX_FILE_SIZE, &buf);
    bool ok = false;
    if (e == FILE_ETOOBIG) {
        snprintf(err, errlen, "%s: pipeline file too large (limit %u bytes)", path, SIGMA_MAX_FILE_SIZE);
    } else if (e == ENOENT || e == ENOTDIR) {
        snprintf(err, errlen, "The pipeline '%s' was not found.", spec);
    } else if (e) {
        snprintf(err, errlen, "%s: %s", path, file_strerror(e));
    } else {
        pipeline *p;
        ok = pl_load_text(ps, path, path, buf.p, buf.len, &p, err, errlen);
        if (ok)
            add_pipeline(ps, p);
    }
    file_buf_free(&buf);
    return ok;
}

/* The first entry of a folder that could not be read. */
typedef struct walk_error {
    char *err;
    size_t errlen;
    bool failed;
} walk_error;

static void on_walk_error(void *ctx, const char *path, int e)
{
    walk_error *w = ctx;
    if (!w->failed)
        snprintf(w->err, w->errlen, "%s: %s", path, file_strerror(e));
    w->failed = true;
}

bool pipeline_set_add(pipeline_set *ps, const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        snprintf(err, errlen, "The pipeline '' was not found.");
        return false;
    }
    /* a folder: every *.yml below it (pySigma strips a trailing slash or
     * slash-star), hidden files and folders skipped, read whole or not at
     * all: an entry that cannot be read (a dangling link, a link loop, a
     * folder without permission) is an error */
    size_t sl = strlen(spec);
    char *dir = arena_strdup(ps->a, spec);
    while (sl > 1 && (dir[sl - 1] == '/' || dir[sl - 1] == '*'))
        dir[--sl] = 0;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        file_list files = {0};
        walk_error we = {err, errlen, false};
        file_walk(dir, "*.yml", FILE_WALK_SKIP_HIDDEN, &files, on_walk_error, &we);
        bool ok = !we.failed;
        for (size_t i = 0; ok && i < files.n; i++)
            ok = add_file(ps, files.v[i], files.v[i], err, errlen);
        file_list_free(&files);
        return ok;
    }
    pipeline *b;
    int rc = pl_builtin(ps, spec, &b, err, errlen);
    if (rc) {
        if (rc > 0)
            add_pipeline(ps, b);
        return rc > 0;
    }
    return add_file(ps, spec, spec, err, errlen);
}

void pipeline_set_option(pipeline_set *ps, const char *key, const char *value)
{
    arena *a = ps->a;
    const char *name = arena_printf(a, "backend_%s", key);
    const char *val = arena_strdup(a, value);
    for (size_t i = 0; i < ps->nopts; i++)
        if (strcmp(ps->opts[i].name, name) == 0) {
            ps->opts[i].text = val;
            ps->dirty = true;
            return;
        }
    ps->opts = arena_grow(a, ps->opts, sizeof *ps->opts, ps->nopts, ps->nopts + 1);
    ps->opts[ps->nopts].name = name;
    ps->opts[ps->nopts].text = val;
    ps->nopts++;
    ps->dirty = true;
}

static bool text_uses(const char *s, const char *open, const char *name, const char *close)
{
    size_t ol = strlen(open), nl = strlen(name), cl = strlen(close);
    for (const char *p = s; (p = strstr(p, open)); p += ol)
        if (strncmp(p + ol, name, nl) == 0 && strncmp(p + ol + nl, close, cl) == 0)
            return true;
    return false;
}

/* Whether a set_state template names the variable (with or without filters). */
typedef struct uses_ctx {
    arena *a;
    const char *name;
} uses_ctx;

static int uses_piece(void *ctx, bool field, const char *s, size_t n)
{
    const uses_ctx *u = ctx;
    tfield tf;
    const char *msg;
    return field && pl_template_field(u->a, s, n, &tf, &msg) && strcmp(tf.name, u->name) == 0;
}

static bool items_use(arena *a, pitem *const *items, size_t n, const char *name)
{
    uses_ctx u = {a, name};
    for (size_t i = 0; i < n; i++) {
        const pitem *it = items[i];
        if (it->type == T_VALUE_PLACEHOLDERS)
            return true;
        if (it->type == T_SET_STATE && it->val->kind == YN_SCALAR && it->val->u.s.type == YT_STR &&
            pl_braces(it->val->u.s.text, false, uses_piece, &u) == 1)
            return true;
        if (it->type == P_SIMPLE_TEMPLATE && text_uses(it->tmpl, "pipeline.vars[", name, "]"))
            return true;
        for (size_t k = 0; k < it->ndefaults; k++)
            if (strcmp(it->defaults[k].name, name) == 0)
                return true;
        if ((it->type == T_NEST || it->type == P_NEST) && items_use(a, it->items, it->nitems, name))
            return true;
    }
    return false;
}

bool pipeline_set_uses_var(const pipeline_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++) {
        const pipeline *p = ps->p[i];
        if (items_use(ps->a, p->items, p->nitems, name) || items_use(ps->a, p->post, p->npost, name))
            return true;
    }
    return false;
}

bool pipeline_set_empty(const pipeline_set *ps)
{
    return ps->n == 0;
}

void pipeline_set_rules(pipeline_set *ps, const rule_list *all)
{
    ps->all = all;
}

bool pipeline_apply(pipeline_set *ps, srule *r, pstate *st)
{
    memset(st, 0, sizeof *st);
    if (r->type == RT_RULE || r->type == RT_CORRELATION)
        rule_list_push(ps->a, &ps->seen, r);
    if (!ps->n)
        return true;
    pl_merge(ps);
    if (!ps->nitems)
        return true;
    return pl_apply_rule(ps, r, st);
}

const char *pstate_get(const pstate *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

const char *const *pipeline_list_lines(const char *what)
{
    if (!what)
        return NULL;
    if (strcmp(what, "pipelines") == 0)
        return pl_builtin_lines();
    return pl_registry_lines(what);
}

const char *const *sigma_list(const char *what)
{
    return pipeline_list_lines(what);
}
