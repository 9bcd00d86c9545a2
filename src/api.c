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
#include "sql/correlation.h"
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
    c->pipes = pipeline_set_new(c->a);
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
    pipeline_set_option(c->pipes, key, value);
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

static void add_diag(sigma_compiler *c, sigma_severity sev, const char *msg)
{
    c->diags = arena_grow(c->a, c->diags, sizeof *c->diags, c->ndiags, c->ndiags + 1);
    c->diags[c->ndiags++] = *mkdiag(c, sev, "sigma", 0, 0, msg);
}

static void size_warnings(sigma_compiler *c, sigma_result *res, const srule *r)
{
    for (size_t k = 0; k < res->nqueries; k++) {
        size_t len = strlen(res->queries[k]);
        if (len <= SIGMA_ATHENA_QUERY_LIMIT)
            continue;
        sigma_diag *w = arena_grow(c->a, (void *)res->warnings, sizeof *w, res->nwarnings, res->nwarnings + 1);
        w[res->nwarnings] = *mkdiag(c, SIGMA_WARNING, r->file, r->pos.line, r->pos.col,
                                    arena_printf(c->a, "query %zu is %zu bytes, over Athena's limit of %d bytes",
                                                 k + 1, len, SIGMA_ATHENA_QUERY_LIMIT));
        res->warnings = w;
        res->nwarnings++;
    }
}

/* pipeline state -> table: state table_name, else -O table */
static bool rule_table(sigma_compiler *c, srule *r, const pstate *st)
{
    const char *t = st ? pstate_get(st, "table_name") : NULL;
    if (t && *t) {
        if (!sql_valid_table(t))
            return rule_fail(c->a, r, r->pos, "invalid table name '%s' from the pipeline state", t);
        r->table = t;
    } else {
        r->table = c->opt.table;
    }
    return true;
}

static const char *const known_options[] = {"table", "time_field", "element_at_fields", "keyword_fields", "cidr",
                                            NULL};

static void check_options(sigma_compiler *c)
{
    for (size_t i = 0; i < c->nopts; i++) {
        const char *k = c->opts[i].key;
        bool known = false;
        for (size_t j = 0; known_options[j]; j++)
            if (strcmp(k, known_options[j]) == 0)
                known = true;
        if (!known && !pipeline_set_uses_var(c->pipes, arena_printf(c->a, "backend_%s", k)))
            add_diag(c, SIGMA_WARNING,
                     arena_printf(c->a,
                                  "backend option '%s' is not used by the backend or any pipeline (known options: "
                                  "table, time_field, element_at_fields, keyword_fields, cidr)",
                                  k));
    }
}

static bool convert_rule(sigma_compiler *c, srule *r)
{
    pstate *st = arena_alloc(c->a, sizeof *st);
    r->pstate = st;
    if (!pipeline_apply(c->pipes, r, st))
        return false;
    if (!rule_table(c, r, st))
        return false;
    if (r->type == RT_CORRELATION)
        return true; /* converted once every rule is */
    sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
    if (!sql_rule_queries(&sc, &sql_athena, r->table, &r->queries, &r->nqueries))
        return rule_fail(c->a, r, sc.err.pos, "%s", sc.err.message);
    return true;
}

static bool convert_correlation(sigma_compiler *c, srule *r)
{
    sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
    if (!sql_correlation_queries(&sc, &sql_athena, r, &c->rules, &r->queries, &r->nqueries))
        return rule_fail(c->a, r, sc.err.pos, "%s", sc.err.message);
    return true;
}

sigma_status sigma_compile(sigma_compiler *c)
{
    bool failed = false;
    if (!c->options_checked) {
        check_options(c);
        c->options_checked = true;
    }
    size_t first = c->ncompiled;
    /* filters first: they change the rules they match */
    filters_apply(c->a, &c->rules);
    for (size_t i = first; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        r->index = (int)i;
        if (!r->error && r->type != RT_FILTER)
            convert_rule(c, r);
    }
    for (size_t i = first; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (!r->error && r->type == RT_CORRELATION)
            convert_correlation(c, r);
    }
    for (size_t i = first; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (r->type == RT_FILTER && !r->error)
            continue;
        sigma_result *res = new_result(c);
        fill_from_rule(c, res, r);
        if (!r->error && !r->suppress) {
            const char **q = arena_alloc(c->a, sizeof *q * (r->nqueries ? r->nqueries : 1));
            size_t nq = 0;
            for (size_t k = 0; k < r->nqueries; k++) {
                const char *pq = pipeline_postprocess(c->pipes, r, r->pstate, r->queries[k]);
                if (!pq)
                    break;
                q[nq++] = pq;
            }
            if (!r->error) {
                res->queries = q;
                res->nqueries = nq;
                size_warnings(c, res, r);
            }
        }
        if (r->error) {
            res->error = mkdiag(c, SIGMA_ERROR, r->file, r->error->pos.line, r->error->pos.col, r->error->message);
            failed = true;
        }
    }
    c->ncompiled = c->rules.n;
    /* finalizers see every query in output order */
    size_t total = 0;
    for (size_t i = 0; i < c->nres; i++)
        total += c->res[i].nqueries;
    const char **all = arena_alloc(c->a, sizeof *all * (total ? total : 1));
    size_t n = 0;
    for (size_t i = 0; i < c->nres; i++)
        for (size_t k = 0; k < c->res[i].nqueries; k++)
            all[n++] = c->res[i].queries[k];
    c->final_output = pipeline_finalize(c->pipes, all, n);
    return failed ? SIGMA_ERULE : SIGMA_OK;
}

sigma_status sigma_add_pipeline(sigma_compiler *c, const char *spec)
{
    if (!pipeline_set_add(c->pipes, spec, c->lasterr, sizeof c->lasterr))
        return SIGMA_EUSAGE;
    return SIGMA_OK;
}

const char *sigma_output(const sigma_compiler *c)
{
    return c->final_output;
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
