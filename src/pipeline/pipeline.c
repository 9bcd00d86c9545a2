/* pipeline.c - the pipeline set: -p resolution (built-in, file, folder),
 * ordering by (priority, name/path), backend options, and the entry points
 * (vars.c builds the merged view, apply.c applies it). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/limits.h"
#include "../util/sbuf.h"
#include "sigma.h"

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

static char *read_file(const char *path, size_t *len, bool *too_big)
{
    *too_big = false;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    if ((size_t)st.st_size > SIGMA_MAX_FILE_SIZE) {
        close(fd);
        *too_big = true;
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return NULL;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    buf[got] = 0;
    *len = got;
    return buf;
}

static bool add_file(pipeline_set *ps, const char *path, const char *spec, char *err, size_t errlen)
{
    size_t len;
    bool big;
    char *buf = read_file(path, &len, &big);
    if (!buf) {
        if (big)
            snprintf(err, errlen, "%s: pipeline file too large (limit %u bytes)", path, SIGMA_MAX_FILE_SIZE);
        else
            snprintf(err, errlen, "The pipeline '%s' was not found.", spec);
        return false;
    }
    pipeline *p;
    bool ok = pl_load_text(ps, path, path, buf, len, &p, err, errlen);
    free(buf);
    if (ok)
        add_pipeline(ps, p);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct file_list {
    const char **v;
    size_t n, cap;
} file_list;

/* Every *.yml below dir (hidden files and folders, whose names start with
 * a dot, skipped). A folder or entry that cannot be read is an error, not
 * a silently smaller pipeline. Memory from the arena. */
static bool walk(arena *a, const char *dir, file_list *out, int depth, char *err, size_t errlen)
{
    if (depth > SIGMA_MAX_DIR_DEPTH) {
        snprintf(err, errlen, "%s: pipeline folder nested too deeply (limit %d levels)", dir, SIGMA_MAX_DIR_DEPTH);
        return false;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *p = arena_printf(a, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            ok = walk(a, p, out, depth + 1, err, errlen);
        } else {
            size_t nl = strlen(e->d_name);
            if (!S_ISREG(st.st_mode) || nl < 4 || strcmp(e->d_name + nl - 4, ".yml") != 0)
                continue;
            if (out->n == out->cap) {
                size_t nc = out->cap ? out->cap * 2 : 16;
                out->v = arena_grow(a, (void *)out->v, sizeof *out->v, out->cap, nc);
                out->cap = nc;
            }
            out->v[out->n++] = p;
        }
    }
    closedir(d);
    return ok;
}

bool pipeline_set_add(pipeline_set *ps, const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        snprintf(err, errlen, "The pipeline '' was not found.");
        return false;
    }
    /* a folder: every *.yml below it (pySigma strips a trailing slash or slash-star) */
    size_t sl = strlen(spec);
    char *dir = arena_strdup(ps->a, spec);
    while (sl > 1 && (dir[sl - 1] == '/' || dir[sl - 1] == '*'))
        dir[--sl] = 0;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        file_list files = {0};
        if (!walk(ps->a, dir, &files, 0, err, errlen))
            return false;
        if (files.n)
            qsort((void *)files.v, files.n, sizeof *files.v, cmp_str);
        for (size_t i = 0; i < files.n; i++)
            if (!add_file(ps, files.v[i], files.v[i], err, errlen))
                return false;
        return true;
    }
    pipeline *b = pl_builtin(ps, spec);
    if (b) {
        b->sortkey = arena_strdup(ps->a, spec);
        add_pipeline(ps, b);
        return true;
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

static bool items_use(pitem *const *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const pitem *it = items[i];
        if (it->type == T_VALUE_PLACEHOLDERS)
            return true;
        if (it->type == T_SET_STATE && it->val->kind == YN_SCALAR && it->val->u.s.type == YT_STR &&
            text_uses(it->val->u.s.text, "{", name, "}"))
            return true;
        if (it->type == P_SIMPLE_TEMPLATE && text_uses(it->tmpl, "pipeline.vars[", name, "]"))
            return true;
        for (size_t k = 0; k < it->ndefaults; k++)
            if (strcmp(it->defaults[k].name, name) == 0)
                return true;
        if ((it->type == T_NEST || it->type == P_NEST) && items_use(it->items, it->nitems, name))
            return true;
    }
    return false;
}

bool pipeline_set_uses_var(const pipeline_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++) {
        const pipeline *p = ps->p[i];
        if (items_use(p->items, p->nitems, name) || items_use(p->post, p->npost, name))
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
