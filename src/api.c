/* api.c - the public API: sources in, results out. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigma.h"
#include "compiler.h"
#include "rule/modifier.h"
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

/* SIGMA_THREADS=N (1..64) if set and valid, else the number of online CPUs. */
static unsigned thread_count(void)
{
    const char *e = getenv("SIGMA_THREADS");
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (!*end && v >= 1)
            return v > 64 ? 64 : (unsigned)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
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
    if (c->workers) {
        for (unsigned k = 0; k < c->nthreads; k++) {
            arena_free(c->workers[k].a);
            arena_free(c->workers[k].scratch);
            free(c->workers[k].buf);
        }
        free(c->workers);
    }
    arena_free(c->a);
    free(c);
    *cp = NULL;
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
        arena_split_list(a, value, &c->opt.element_at, &c->opt.n_element_at);
    } else if (strcmp(key, "keyword_fields") == 0) {
        arena_split_list(a, value, &c->opt.keyword_fields, &c->opt.n_keyword_fields);
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

/* ------------------------------------------------------------------------ */
/* Parallel phases                                                          */
/* ------------------------------------------------------------------------ */

/* par_for runs fn(c, w, ctx, i) for every i < n on up to c->nthreads
 * threads: the calling thread plus helpers, each taking the next index from
 * a shared counter. Each thread has its own worker (arenas, buffer), so fn
 * must only write to its worker and to what belongs to index i. Results
 * are placed by index, which keeps them in input order. */
typedef void (*job_fn)(sigma_compiler *c, worker *w, void *ctx, size_t i);

typedef struct par_job {
    sigma_compiler *c;
    job_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
} par_job;

typedef struct par_arg {
    par_job *job;
    worker *w;
} par_arg;

static void run_jobs(par_job *j, worker *w)
{
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (i >= j->n)
            return;
        j->fn(j->c, w, j->ctx, i);
    }
}

static void *par_thread(void *p)
{
    par_arg *a = p;
    run_jobs(a->job, a->w);
    return NULL;
}

static void oom(void)
{
    fputs("sigma: out of memory\n", stderr);
    abort();
}

/* The workers are made on first use, with the thread count (a small run
 * never asks the system how many CPUs it has). */
static void make_workers(sigma_compiler *c)
{
    if (c->workers)
        return;
    c->nthreads = thread_count();
    c->workers = calloc(c->nthreads, sizeof *c->workers);
    if (!c->workers)
        oom();
    for (unsigned k = 0; k < c->nthreads; k++) {
        c->workers[k].a = arena_new();
        c->workers[k].scratch = arena_new();
        if (!c->workers[k].a || !c->workers[k].scratch)
            oom();
    }
}

static void par_for(sigma_compiler *c, size_t n, job_fn fn, void *ctx)
{
    if (!n)
        return;
    make_workers(c);
    unsigned nt = c->nthreads < n ? c->nthreads : (unsigned)n;
    par_job j = {.c = c, .fn = fn, .ctx = ctx, .n = n};
    atomic_init(&j.next, 0);
    pthread_t tid[64];
    par_arg args[64];
    unsigned started = 0;
    for (unsigned k = 1; k < nt; k++) {
        args[started] = (par_arg){&j, &c->workers[k]};
        if (pthread_create(&tid[started], NULL, par_thread, &args[started]) != 0)
            break; /* fewer threads: the others take up the work */
        started++;
    }
    run_jobs(&j, &c->workers[0]);
    for (unsigned k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */
/* ------------------------------------------------------------------------ */

/* A rule that stands for a file that could not be loaded. */
static srule *file_error_rule(arena *a, const char *file, spos pos, const char *msg)
{
    srule *r = arena_alloc(a, sizeof *r);
    r->file = file;
    rule_fail(a, r, pos, "%s", msg);
    return r;
}

/* YAML text -> rules appended to *out, all memory from a. */
static void load_source(arena *a, const char *name, const char *text, size_t len, rule_list *out)
{
    const char *file = arena_strdup(a, name ? name : "<stdin>");
    if (len > SIGMA_MAX_FILE_SIZE) {
        char msg[128];
        snprintf(msg, sizeof msg, "file too large (%zu bytes, limit %u)", len, SIGMA_MAX_FILE_SIZE);
        rule_list_push(a, out, file_error_rule(a, file, (spos){0, 0}, msg));
        return;
    }
    ydoc *docs;
    size_t ndocs;
    yerror ye;
    if (!yaml_load(a, text, len, &docs, &ndocs, &ye)) {
        rule_list_push(a, out, file_error_rule(a, file, (spos){ye.line, ye.col}, ye.message));
        return;
    }
    rules_from_docs(a, file, docs, ndocs, out);
}

sigma_status sigma_add_source(sigma_compiler *c, const char *name, const char *text, size_t len)
{
    load_source(c->a, name, text, len, &c->rules);
    return SIGMA_OK;
}

/* Reads a whole regular file with one read() into *buf (grown as needed,
 * kept for the next file) and loads its rules into *out. SIGMA_EIO with a
 * message in err when the file cannot be read. */
static sigma_status load_file(arena *a, char **buf, size_t *cap, const char *path, rule_list *out, char *err,
                              size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return SIGMA_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return SIGMA_EIO;
    }
    size_t size = (size_t)st.st_size;
    if (size > SIGMA_MAX_FILE_SIZE) {
        close(fd);
        char msg[128];
        snprintf(msg, sizeof msg, "file too large (%zu bytes, limit %u)", size, SIGMA_MAX_FILE_SIZE);
        rule_list_push(a, out, file_error_rule(a, arena_strdup(a, path), (spos){0, 0}, msg));
        return SIGMA_OK;
    }
    if (size + 1 > *cap) {
        size_t ncap = *cap ? *cap : 64 * 1024;
        while (ncap < size + 1)
            ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (!nb) {
            close(fd);
            snprintf(err, errlen, "%s: out of memory", path);
            return SIGMA_EIO;
        }
        *buf = nb;
        *cap = ncap;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, *buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != size) {
        snprintf(err, errlen, "%s: read error", path);
        return SIGMA_EIO;
    }
    (*buf)[size] = 0;
    load_source(a, path, *buf, size, out);
    return SIGMA_OK;
}

sigma_status sigma_add_file(sigma_compiler *c, const char *path)
{
    make_workers(c);
    worker *w = &c->workers[0];
    return load_file(c->a, &w->buf, &w->cap, path, &c->rules, c->lasterr, sizeof c->lasterr);
}

/* One input file of sigma_add_files: its rules, or why it was not read. */
typedef struct file_slot {
    const char *path;
    rule_list rules;
    const char *err;
} file_slot;

static void load_job(sigma_compiler *c, worker *w, void *ctx, size_t i)
{
    (void)c;
    file_slot *s = &((file_slot *)ctx)[i];
    char err[512];
    /* most files hold one rule: start the list small */
    s->rules.v = arena_alloc(w->a, 2 * sizeof *s->rules.v);
    s->rules.cap = 2;
    if (load_file(w->a, &w->buf, &w->cap, s->path, &s->rules, err, sizeof err) != SIGMA_OK)
        s->err = arena_strdup(w->a, err);
}

sigma_status sigma_add_files(sigma_compiler *c, const char *const *paths, size_t n, const char **errors)
{
    file_slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots)
        oom();
    for (size_t i = 0; i < n; i++)
        slots[i].path = paths[i];
    par_for(c, n, load_job, slots);
    sigma_status st = SIGMA_OK;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < slots[i].rules.n; k++)
            rule_list_push(c->a, &c->rules, slots[i].rules.v[k]);
        if (errors)
            errors[i] = slots[i].err;
        if (slots[i].err) {
            snprintf(c->lasterr, sizeof c->lasterr, "%s", slots[i].err);
            st = SIGMA_EIO;
        }
    }
    free(slots);
    return st;
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
                                    arena_printf(c->a,
                                                 "query %zu of rule '%s' is %zu bytes, over Athena's limit of %d bytes",
                                                 k + 1, r->title ? r->title : "", len, SIGMA_ATHENA_QUERY_LIMIT));
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

/* Pipelines and the effective table, rule by rule in input order. Returns
 * true if the rule goes on to rule_queries (plain rules that did not fail). */
static bool convert_rule(sigma_compiler *c, srule *r)
{
    pstate *st = arena_alloc(c->a, sizeof *st);
    r->pstate = st;
    if (!pipeline_apply(c->pipes, r, st))
        return false;
    if (!rule_table(c, r, st))
        return false;
    return r->type != RT_CORRELATION; /* correlations: once every rule is converted */
}

/* The SQL of a plain rule. Reads only the rule and the options, so rules
 * convert in parallel: the work happens in the worker's scratch arena and
 * the queries (or the error) are copied to its arena. */
static void rule_queries(sigma_compiler *c, worker *w, srule *r)
{
    sql_ctx sc = {.a = w->scratch, .opt = &c->opt, .rule = r};
    const char **q;
    size_t nq;
    if (!sql_rule_queries(&sc, &sql_athena, r->table, &q, &nq)) {
        rule_fail(w->a, r, sc.err.pos, "%s", sc.err.message);
    } else {
        const char **keep = arena_alloc(w->a, sizeof *keep * (nq ? nq : 1));
        for (size_t k = 0; k < nq; k++)
            keep[k] = arena_strdup(w->a, q[k]);
        r->queries = keep;
        r->nqueries = nq;
    }
    arena_reset(w->scratch);
}

static void sql_job(sigma_compiler *c, worker *w, void *ctx, size_t i)
{
    rule_queries(c, w, ((srule **)ctx)[i]);
}

static bool convert_correlation(sigma_compiler *c, srule *r)
{
    if (!correlation_resolve(c->a, r, &c->rules))
        return false;
    sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
    if (!sql_correlation_queries(&sc, &sql_athena, r, &r->queries, &r->nqueries))
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
    /* pipelines may look up the rules a correlation refers to, in any order */
    pipeline_set_rules(c->pipes, &c->rules);
    srule **todo = malloc(sizeof *todo * (c->rules.n - first + 1));
    if (!todo)
        oom();
    size_t ntodo = 0;
    for (size_t i = first; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        r->index = (int)i;
        if (!r->error && r->type != RT_FILTER && convert_rule(c, r))
            todo[ntodo++] = r;
    }
    par_for(c, ntodo, sql_job, todo);
    free(todo);
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
