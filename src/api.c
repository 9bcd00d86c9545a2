/* api.c - the public API: sources in, results out. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigma.h"
#include "compiler.h"
#include "sql/quote.h"
#include "util/limits.h"

const char *sigma_version(void)
{
    return SIGMA_VERSION;
}

static void set_err(sigma_compiler *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->lasterr, sizeof c->lasterr, fmt, ap);
    va_end(ap);
}

const char *const *sigma_modifiers(void)
{
    return modifier_names;
}

sigma_compiler *sigma_compiler_new(void)
{
    sigma_compiler *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->a = arena_new();
    if (!c->a) {
        free(c);
        return NULL;
    }
    c->opt.time_field = "time";
    return c;
}

void sigma_compiler_free(sigma_compiler **cp)
{
    if (!cp || !*cp)
        return;
    sigma_compiler *c = *cp;
    arena_free(c->a);
    free(c);
    *cp = NULL;
}

/* comma-separated list, items trimmed, empty items dropped; appended */
static void split_list(arena *a, const char *v, const char ***out, size_t *n)
{
    const char *p = v;
    while (*p) {
        const char *q = strchr(p, ',');
        const char *e = q ? q : p + strlen(p);
        const char *s = p;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        const char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > s) {
            const char **nv = arena_grow(a, (void *)*out, sizeof **out, *n, *n + 1);
            nv[*n] = arena_strndup(a, s, (size_t)(t - s));
            *out = nv;
            (*n)++;
        }
        if (!q)
            break;
        p = q + 1;
    }
}

sigma_status sigma_set_option(sigma_compiler *c, const char *key, const char *value)
{
    if (!key || !*key || !value) {
        set_err(c, "backend option needs a key and a value (-O key=value)");
        return SIGMA_EUSAGE;
    }
    arena *a = c->a;
    if (strcmp(key, "table") == 0) {
        if (!sql_valid_table(value)) {
            set_err(c, "invalid table name '%s': expected a dotted identifier such as db.events or \"my-db\".events",
                    value);
            return SIGMA_EUSAGE;
        }
        c->opt.table = arena_strdup(a, value);
    } else if (strcmp(key, "time_field") == 0) {
        if (!*value) {
            set_err(c, "time_field must not be empty");
            return SIGMA_EUSAGE;
        }
        c->opt.time_field = arena_strdup(a, value);
    } else if (strcmp(key, "element_at_fields") == 0) {
        split_list(a, value, &c->opt.element_at, &c->opt.n_element_at);
    } else if (strcmp(key, "keyword_fields") == 0) {
        split_list(a, value, &c->opt.keyword_fields, &c->opt.n_keyword_fields);
    } else if (strcmp(key, "cidr") == 0) {
        if (strcmp(value, "native") == 0)
            c->opt.cidr_native = true;
        else if (strcmp(value, "like") == 0)
            c->opt.cidr_native = false;
        else {
            set_err(c, "invalid value '%s' for option cidr: expected 'like' or 'native'", value);
            return SIGMA_EUSAGE;
        }
    }
    /* every option is also a pipeline variable backend_<key> */
    for (size_t i = 0; i < c->nopts; i++) {
        if (strcmp(c->opts[i].key, key) == 0) {
            c->opts[i].value = arena_strdup(a, value);
            return SIGMA_OK;
        }
    }
    c->opts = arena_grow(a, c->opts, sizeof *c->opts, c->nopts, c->nopts + 1);
    c->opts[c->nopts].key = arena_strdup(a, key);
    c->opts[c->nopts].value = arena_strdup(a, value);
    c->nopts++;
    return SIGMA_OK;
}

static sigma_diag *mkdiag(sigma_compiler *c, sigma_severity sev, const char *file, unsigned line, unsigned col,
                          const char *msg)
{
    sigma_diag *d = arena_alloc(c->a, sizeof *d);
    d->severity = sev;
    d->file = file;
    d->line = line;
    d->column = col;
    d->message = msg;
    return d;
}

static sigma_result *new_result(sigma_compiler *c)
{
    if (c->nres == c->capres) {
        size_t nc = c->capres ? c->capres * 2 : 256;
        c->res = arena_grow(c->a, c->res, sizeof *c->res, c->capres, nc);
        c->capres = nc;
    }
    sigma_result *r = &c->res[c->nres++];
    memset(r, 0, sizeof *r);
    r->type = "rule";
    return r;
}

sigma_status sigma_add_source(sigma_compiler *c, const char *name, const char *text, size_t len)
{
    arena *a = c->a;
    const char *file = arena_strdup(a, name ? name : "<stdin>");
    if (len > SIGMA_MAX_FILE_SIZE) {
        srule *r = arena_alloc(a, sizeof *r);
        r->file = file;
        rule_fail(a, r, (spos){0, 0}, "file too large (%zu bytes, limit %u)", len, SIGMA_MAX_FILE_SIZE);
        rule_list_push(a, &c->rules, r);
        return SIGMA_OK;
    }
    ydoc *docs;
    size_t ndocs;
    yerror ye;
    if (!yaml_load(a, text, len, &docs, &ndocs, &ye)) {
        srule *r = arena_alloc(a, sizeof *r);
        r->file = file;
        rule_fail(a, r, (spos){ye.line, ye.col}, "%s", ye.message);
        rule_list_push(a, &c->rules, r);
        return SIGMA_OK;
    }
    rules_from_docs(a, file, docs, ndocs, &c->rules);
    return SIGMA_OK;
}

sigma_status sigma_add_file(sigma_compiler *c, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        set_err(c, "%s: %s", path, strerror(errno));
        return SIGMA_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        set_err(c, "%s: not a regular file", path);
        close(fd);
        return SIGMA_EIO;
    }
    size_t size = (size_t)st.st_size;
    if (size > SIGMA_MAX_FILE_SIZE) {
        close(fd);
        srule *r = arena_alloc(c->a, sizeof *r);
        r->file = arena_strdup(c->a, path);
        rule_fail(c->a, r, (spos){0, 0}, "file too large (%zu bytes, limit %u)", size, SIGMA_MAX_FILE_SIZE);
        rule_list_push(c->a, &c->rules, r);
        return SIGMA_OK;
    }
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        set_err(c, "%s: out of memory", path);
        return SIGMA_EIO;
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
    if (got != size) {
        free(buf);
        set_err(c, "%s: read error", path);
        return SIGMA_EIO;
    }
    buf[size] = 0;
    sigma_status st2 = sigma_add_source(c, path, buf, size);
    free(buf);
    return st2;
}

static void fill_from_rule(sigma_compiler *c, sigma_result *res, const srule *r)
{
    res->file = r->file;
    res->id = r->id;
    res->title = r->title;
    res->type = r->type == RT_CORRELATION ? "correlation" : r->type == RT_FILTER ? "filter" : "rule";
    if (r->nwarnings) {
        sigma_diag *w = arena_alloc(c->a, sizeof *w * r->nwarnings);
        for (size_t i = 0; i < r->nwarnings; i++) {
            w[i].severity = SIGMA_WARNING;
            w[i].file = r->file;
            w[i].line = r->warnings[i].pos.line;
            w[i].column = r->warnings[i].pos.col;
            w[i].message = r->warnings[i].message;
        }
        res->warnings = w;
        res->nwarnings = r->nwarnings;
    }
}

static bool fail_result(sigma_compiler *c, sigma_result *res, const char *file, spos pos, const char *msg)
{
    res->error = mkdiag(c, SIGMA_ERROR, file, pos.line, pos.col, msg);
    res->queries = NULL;
    res->nqueries = 0;
    return false;
}

const char *compiler_table(sigma_compiler *c, const srule *r)
{
    (void)r;
    return c->opt.table;
}

sigma_status sigma_compile(sigma_compiler *c)
{
    bool failed = false;
    for (size_t i = c->ncompiled; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (r->type == RT_FILTER && !r->error)
            continue;
        sigma_result *res = new_result(c);
        fill_from_rule(c, res, r);
        if (r->error) {
            failed |= !fail_result(c, res, r->file, r->error->pos, r->error->message);
            continue;
        }
        if (r->type == RT_CORRELATION) {
            failed |= !fail_result(c, res, r->file, r->pos, "correlation rules are not supported yet");
            continue;
        }
        sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
        const char **q;
        size_t nq;
        if (!sql_rule_queries(&sc, &sql_athena, compiler_table(c, r), &q, &nq)) {
            failed |= !fail_result(c, res, r->file, sc.err.pos, sc.err.message);
            continue;
        }
        res->queries = q;
        res->nqueries = nq;
        for (size_t k = 0; k < nq; k++) {
            if (strlen(q[k]) > SIGMA_ATHENA_QUERY_LIMIT) {
                sigma_diag *w = arena_grow(c->a, (void *)res->warnings, sizeof *w, res->nwarnings, res->nwarnings + 1);
                w[res->nwarnings] = *mkdiag(c, SIGMA_WARNING, r->file, r->pos.line, r->pos.col,
                                            arena_printf(c->a, "query %zu is %zu bytes, over Athena's limit of %d",
                                                         k + 1, strlen(q[k]), SIGMA_ATHENA_QUERY_LIMIT));
                res->warnings = w;
                res->nwarnings++;
            }
        }
    }
    c->ncompiled = c->rules.n;
    return failed ? SIGMA_ERULE : SIGMA_OK;
}

sigma_status sigma_add_pipeline(sigma_compiler *c, const char *spec)
{
    set_err(c, "The pipeline '%s' was not found.", spec);
    return SIGMA_EUSAGE;
}

size_t sigma_result_count(const sigma_compiler *c)
{
    return c->nres;
}

const sigma_result *sigma_result_get(const sigma_compiler *c, size_t i)
{
    return i < c->nres ? &c->res[i] : NULL;
}

size_t sigma_diag_count(const sigma_compiler *c)
{
    return c->ndiags;
}

const sigma_diag *sigma_diag_get(const sigma_compiler *c, size_t i)
{
    return i < c->ndiags ? &c->diags[i] : NULL;
}

const char *sigma_last_error(const sigma_compiler *c)
{
    return c->lasterr;
}
