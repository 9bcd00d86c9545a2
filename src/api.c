/* api.c - the public API (include/sigma.h): options and sources in,
 * results out. The parallel phases, the backend option registry and the
 * name lists of sigma_list_entries live here; the stages themselves are in
 * src/rule, src/pipeline and src/sql. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sigma.h"
#include "compiler.h"
#include "rule/modifier.h"
#include "sql/correlation.h"
#include "sql/pack.h"
#include "sql/quote.h"
#include "sql/window.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/sbuf.h"

const char *sigma_version(void)
{
    return SIGMA_VERSION_STRING;
}

const char *sigma_status_string(sigma_status st)
{
    switch (st) {
    case SIGMA_OK: return "ok";
    case SIGMA_ERULE: return "a rule failed";
    case SIGMA_EUSAGE: return "usage error";
    case SIGMA_EIO: return "input/output error";
    }
    return "unknown status";
}

const char *sigma_result_type_name(sigma_result_type t)
{
    switch (t) {
    case SIGMA_RULE: return "rule";
    case SIGMA_CORRELATION: return "correlation";
    case SIGMA_FILTER: return "filter";
    case SIGMA_PACK: return "pack";
    }
    return "unknown";
}

size_t sigma_diag_format(const sigma_diag *d, char *buf, size_t size)
{
    const char *sev = d->severity == SIGMA_ERROR ? "error" : "warning";
    int n = d->line ? snprintf(buf, size, "%s:%u:%u: %s: %s", d->file, d->line, d->column, sev, d->message)
                    : snprintf(buf, size, "%s: %s: %s", d->file, sev, d->message);
    return n < 0 ? 0 : (size_t)n;
}

static void set_err(sigma_compiler *c, const char *fmt, ...) SIGMA_PRINTF(2, 3);
static void set_err(sigma_compiler *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->lasterr = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
}

#define MAX_THREADS 64

/* The number of threads of the parallel phases: sigma_set_threads(), or
 * the number of online CPUs; 1 to MAX_THREADS. */
static unsigned thread_count(const sigma_compiler *c)
{
    if (c->threads)
        return c->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

sigma_status sigma_set_threads(sigma_compiler *c, unsigned n)
{
    c->threads = n > MAX_THREADS ? MAX_THREADS : n;
    return SIGMA_OK;
}

sigma_status sigma_set_strict(sigma_compiler *c, bool strict)
{
    c->strict = strict;
    return SIGMA_OK;
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
    c->schemas = schema_set_new(c->a);
    c->opt.schemas = c->schemas;
    return c;
}

void sigma_compiler_free(sigma_compiler **cp)
{
    if (!cp || !*cp)
        return;
    sigma_compiler *c = *cp;
    if (c->workers) {
        for (unsigned k = 0; k < c->nworkers; k++) {
            arena_free(c->workers[k].a);
            arena_free(c->workers[k].scratch);
            file_buf_free(&c->workers[k].buf);
        }
        free(c->workers);
    }
    out_render_free(c);
    arena_free(c->a);
    free(c);
    *cp = NULL;
}

/* ------------------------------------------------------------------------ */
/* Backend options                                                          */
/* ------------------------------------------------------------------------ */

/* The backend options, written once: BACKEND_OPTIONS generates the setter
 * table, the entries of sigma_list_entries("backend-options") and the list
 * in the unused-option warning. Each setter validates the value (SIGMA_EUSAGE
 * and sigma_last_error() when it is invalid) and stores it in c->opt. */
#define BACKEND_OPTIONS(X)                                                                                  \
    X(table, "table in FROM (default <TABLE>): a dotted identifier such as db.events or \"my-db\".events")   \
    X(time_field, "timestamp column of correlation windows (default time)")                                 \
    X(element_at_fields, "comma-separated MAP columns: a field a.b under column a is element_at(a, 'b')")  \
    X(keyword_fields, "comma-separated columns that keyword (value-only) detections search")               \
    X(cidr, "like (default): CIDR as LIKE prefixes; native: contains() on TRY_CAST(... AS IPADDRESS)")      \
    X(schema, "comma-separated table schema files or folders (Glue JSON, DDL); none: no built-in schemas")    \
    X(unknown_fields, "error (default): a field the table's schema lacks fails the rule; warn: a warning, the name kept") \
    X(athena_database, "database of the named queries of -f cloudformation and terraform (required there)") \
    X(athena_workgroup, "Athena workgroup of the named queries (default: the primary workgroup)")         \
    X(view_prefix, "start of the view names of -f views (default sigma_; may begin with a schema: db.)")         \
    X(window, "time window of every query: a length (15m, 2h, 1d) back from now, or params (? parameters)")    \
    X(since, "start of a fixed time window (ISO-8601, inclusive; UTC unless a zone is given)")                \
    X(until, "end of a fixed time window (ISO-8601, exclusive)")                                              \
    X(correlation_method, "sliding (default): a window ending at each event; tumbling: fixed windows")        \
    X(correlation_output, "events (default): the events of firing windows; alerts: one row per alert")        \
    X(pack_fields, "comma-separated fields every pack query selects besides those its rules need")

static sigma_status set_table(sigma_compiler *c, const char *value)
{
    if (!sql_valid_table(value)) {
        set_err(c, "invalid table name '%s': expected a dotted identifier such as db.events or \"my-db\".events",
                value);
        return SIGMA_EUSAGE;
    }
    c->opt.table = arena_strdup(c->a, value);
    return SIGMA_OK;
}

static sigma_status set_time_field(sigma_compiler *c, const char *value)
{
    if (!*value) {
        set_err(c, "time_field must not be empty");
        return SIGMA_EUSAGE;
    }
    c->opt.time_field = arena_strdup(c->a, value);
    c->opt.time_field_set = true;
    return SIGMA_OK;
}

/* The comma-separated names of value added to *list, each name once: one
 * already in the list (from this value or an earlier one) is dropped. */
static void add_names(arena *a, const char *value, const char ***list, size_t *n)
{
    const char **names = NULL;
    size_t k = 0;
    arena_split_list(a, value, &names, &k);
    *list = arena_grow(a, (void *)*list, sizeof *names, *n, *n + k);
    for (size_t i = 0; i < k; i++) {
        size_t j = 0;
        while (j < *n && strcmp((*list)[j], names[i]) != 0)
            j++;
        if (j == *n)
            (*list)[(*n)++] = names[i];
    }
}

/* Parsed once, here. Repeating the option adds to the list; the SQL
 * writer uses it for every column (query_expression_placeholders' {field}
 * too). */
static sigma_status set_element_at_fields(sigma_compiler *c, const char *value)
{
    add_names(c->a, value, &c->opt.element_at, &c->opt.n_element_at);
    return SIGMA_OK;
}

static sigma_status set_keyword_fields(sigma_compiler *c, const char *value)
{
    add_names(c->a, value, &c->opt.keyword_fields, &c->opt.n_keyword_fields);
    return SIGMA_OK;
}

/* An option of two values: 0 for value first, 1 for second; -1 (the
 * error set) for any other. */
static int two_choice(sigma_compiler *c, const char *key, const char *value, const char *first, const char *second)
{
    if (strcmp(value, first) == 0)
        return 0;
    if (strcmp(value, second) == 0)
        return 1;
    set_err(c, "invalid value '%s' for option %s: expected '%s' or '%s'", value, key, first, second);
    return -1;
}

static sigma_status set_cidr(sigma_compiler *c, const char *value)
{
    int k = two_choice(c, "cidr", value, "like", "native");
    if (k < 0)
        return SIGMA_EUSAGE;
    c->opt.cidr_native = k == 1;
    return SIGMA_OK;
}

/* Each call adds to the schema set; a malformed file is a usage error whose
 * message is "path:line:col: message". */
static sigma_status set_schema(sigma_compiler *c, const char *value)
{
    char err[1024];
    if (!schema_set_add(c->schemas, value, err, sizeof err)) {
        set_err(c, "%s", err);
        return SIGMA_EUSAGE;
    }
    return SIGMA_OK;
}

/* -O window=LENGTH|params, -O since=, -O until=: one window, relative,
 * parameters or fixed (src/sql/window.h). */
static sigma_status set_window(sigma_compiler *c, const char *value)
{
    sql_window *w = &c->opt.window;
    if (w->kind == SQL_WIN_ABSOLUTE) {
        set_err(c, "the options window and since/until exclude each other");
        return SIGMA_EUSAGE;
    }
    if (strcmp(value, "params") == 0) {
        w->kind = SQL_WIN_PARAMS;
        return SIGMA_OK;
    }
    long long s;
    const char *why = sql_window_parse_length(value, &s);
    if (why) {
        set_err(c, "invalid value '%s' for option window: %s, or params", value, why);
        return SIGMA_EUSAGE;
    }
    w->kind = SQL_WIN_RELATIVE;
    w->length = s;
    return SIGMA_OK;
}

static sigma_status set_bound(sigma_compiler *c, const char *key, const char *value, bool until)
{
    sql_window *w = &c->opt.window;
    if (w->kind == SQL_WIN_RELATIVE || w->kind == SQL_WIN_PARAMS) {
        set_err(c, "the options window and since/until exclude each other");
        return SIGMA_EUSAGE;
    }
    long long ms;
    const char *why = sql_window_parse_instant(value, &ms);
    if (why) {
        set_err(c, "invalid value '%s' for option %s: %s", value, key, why);
        return SIGMA_EUSAGE;
    }
    long long since = until ? w->since : ms, end = until ? ms : w->until;
    if ((until ? w->has_since : w->has_until) && since >= end) {
        set_err(c, "the window is empty: since must be earlier than until");
        return SIGMA_EUSAGE;
    }
    w->kind = SQL_WIN_ABSOLUTE;
    if (until) {
        w->until = ms;
        w->has_until = true;
    } else {
        w->since = ms;
        w->has_since = true;
    }
    return SIGMA_OK;
}

static sigma_status set_since(sigma_compiler *c, const char *value)
{
    return set_bound(c, "since", value, false);
}

static sigma_status set_until(sigma_compiler *c, const char *value)
{
    return set_bound(c, "until", value, true);
}

static sigma_status set_correlation_method(sigma_compiler *c, const char *value)
{
    /* "default" is sliding too */
    int k = strcmp(value, "default") == 0 ? 0 : two_choice(c, "correlation_method", value, "sliding", "tumbling");
    if (k < 0)
        return SIGMA_EUSAGE;
    c->opt.corr_method = k == 1 ? SQL_CORR_TUMBLING : SQL_CORR_SLIDING;
    return SIGMA_OK;
}

static sigma_status set_correlation_output(sigma_compiler *c, const char *value)
{
    int k = two_choice(c, "correlation_output", value, "events", "alerts");
    if (k < 0)
        return SIGMA_EUSAGE;
    c->opt.corr_output = k == 1 ? SQL_CORR_ALERTS : SQL_CORR_EVENTS;
    return SIGMA_OK;
}

static sigma_status set_pack_fields(sigma_compiler *c, const char *value)
{
    add_names(c->a, value, &c->opt.pack_fields, &c->opt.n_pack_fields);
    return SIGMA_OK;
}

/* The options of the output formats (src/output): checked, then kept. */
static sigma_status set_output_option(sigma_compiler *c, const char *why, const char **dst, const char *value)
{
    if (why) {
        set_err(c, "invalid value '%s': %s", value, why);
        return SIGMA_EUSAGE;
    }
    *dst = arena_strdup(c->a, value);
    return SIGMA_OK;
}

static sigma_status set_athena_database(sigma_compiler *c, const char *value)
{
    return set_output_option(c, out_check_database(value), &c->out.database, value);
}

static sigma_status set_athena_workgroup(sigma_compiler *c, const char *value)
{
    return set_output_option(c, out_check_workgroup(value), &c->out.workgroup, value);
}

static sigma_status set_view_prefix(sigma_compiler *c, const char *value)
{
    return set_output_option(c, out_check_view_prefix(value), &c->out.view_prefix, value);
}

static sigma_status set_unknown_fields(sigma_compiler *c, const char *value)
{
    int k = two_choice(c, "unknown_fields", value, "error", "warn");
    if (k < 0)
        return SIGMA_EUSAGE;
    c->opt.unknown_fields_warn = k == 1;
    return SIGMA_OK;
}

typedef sigma_status (*option_setter)(sigma_compiler *c, const char *value);

#define OPTION_ENTRY(name, text) {#name, text},
#define OPTION_SETTER(name, text) set_##name,
static const sigma_entry backend_option_entries[] = {BACKEND_OPTIONS(OPTION_ENTRY)};
static const option_setter backend_option_setters[] = {BACKEND_OPTIONS(OPTION_SETTER)};
#define NOPTIONS (sizeof backend_option_entries / sizeof backend_option_entries[0])

/* Index of the backend option called key, or NOPTIONS. */
static size_t backend_option(const char *key)
{
    size_t i = 0;
    while (i < NOPTIONS && strcmp(backend_option_entries[i].name, key) != 0)
        i++;
    return i;
}

sigma_status sigma_set_option(sigma_compiler *c, const char *key, const char *value)
{
    if (!key || !*key || !value) {
        set_err(c, "backend option needs a key and a value (-O key=value)");
        return SIGMA_EUSAGE;
    }
    arena *a = c->a;
    size_t k = backend_option(key);
    if (k < NOPTIONS && backend_option_setters[k](c, value) != SIGMA_OK)
        return SIGMA_EUSAGE;
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

static sigma_result *new_result(sigma_compiler *c, const srule *rule)
{
    if (c->nres == c->capres) {
        size_t nc = c->capres ? c->capres * 2 : 256;
        c->res = arena_grow(c->a, c->res, sizeof *c->res, c->capres, nc);
        c->res_rule = arena_grow(c->a, c->res_rule, sizeof *c->res_rule, c->capres, nc);
        c->capres = nc;
    }
    c->res_rule[c->nres] = rule;
    sigma_result *r = &c->res[c->nres++];
    memset(r, 0, sizeof *r);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Parallel phases                                                          */
/* ------------------------------------------------------------------------ */

/* par_for runs fn(c, w, ctx, i) for every i < n on up to thread_count(c)
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

/* At least `want` workers, made on first use (a small run never asks the
 * system how many CPUs it has). Their arenas hold what they built, so they
 * live until the compiler is freed, even if the thread count goes down. */
static void ensure_workers(sigma_compiler *c, unsigned want)
{
    if (want <= c->nworkers)
        return;
    worker *w = realloc(c->workers, want * sizeof *w);
    if (!w)
        sigma_oom();
    for (unsigned k = c->nworkers; k < want; k++) {
        w[k] = (worker){.a = arena_new(), .scratch = arena_new()};
        if (!w[k].a || !w[k].scratch)
            sigma_oom();
    }
    c->workers = w;
    c->nworkers = want;
}

static void par_for(sigma_compiler *c, size_t n, job_fn fn, void *ctx)
{
    if (!n)
        return;
    unsigned nt = n == 1 ? 1 : thread_count(c);
    if (nt > n)
        nt = (unsigned)n;
    ensure_workers(c, nt);
    par_job j = {.c = c, .fn = fn, .ctx = ctx, .n = n};
    atomic_init(&j.next, 0);
    pthread_t tid[MAX_THREADS];
    par_arg args[MAX_THREADS];
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

static void too_large(arena *a, const char *file, size_t size, rule_list *out)
{
    const char *msg = arena_printf(a, "file too large (%zu bytes, limit %u)", size, SIGMA_MAX_FILE_SIZE);
    rule_list_push(a, out, file_error_rule(a, file, (spos){0, 0}, msg));
}

/* YAML text -> rules appended to *out, all memory from a. */
static void load_source(arena *a, const char *name, const char *text, size_t len, rule_list *out)
{
    const char *file = arena_strdup(a, name ? name : "<stdin>");
    if (len > SIGMA_MAX_FILE_SIZE) {
        too_large(a, file, len, out);
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

/* Reads a whole file into buf (kept for the next file) and loads its rules
 * into *out. A file over the size limit becomes a rule error; a file that
 * cannot be read is SIGMA_EIO with "path: reason" in *err. */
static sigma_status load_file(arena *a, file_buf *buf, const char *path, rule_list *out, const char **err)
{
    int e = file_read(path, SIGMA_MAX_FILE_SIZE, buf);
    if (e == FILE_ETOOBIG) {
        too_large(a, arena_strdup(a, path), buf->len, out);
        return SIGMA_OK;
    }
    if (e) {
        *err = arena_printf(a, "%s: %s", path, file_strerror(e));
        return SIGMA_EIO;
    }
    load_source(a, path, buf->p, buf->len, out);
    return SIGMA_OK;
}

sigma_status sigma_add_file(sigma_compiler *c, const char *path)
{
    ensure_workers(c, 1);
    return load_file(c->a, &c->workers[0].buf, path, &c->rules, &c->lasterr);
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
    /* most files hold one rule: start the list small */
    s->rules.v = arena_alloc(w->a, 2 * sizeof *s->rules.v);
    s->rules.cap = 2;
    load_file(w->a, &w->buf, s->path, &s->rules, &s->err);
}

sigma_status sigma_add_files(sigma_compiler *c, const char *const *paths, size_t n, const char **errors)
{
    file_slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots)
        sigma_oom();
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
            c->lasterr = slots[i].err;
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
    res->type = r->type == RT_CORRELATION ? SIGMA_CORRELATION : r->type == RT_FILTER ? SIGMA_FILTER : SIGMA_RULE;
    out_meta_fill(c->a, res, r);
    /* metadata defects first (they come from loading), then the warnings */
    size_t n = r->ndefects + r->nwarnings;
    if (n) {
        sigma_diag *w = arena_alloc(c->a, sizeof *w * n);
        for (size_t i = 0; i < n; i++) {
            const sdiag *d = i < r->ndefects ? &r->defects[i] : &r->warnings[i - r->ndefects];
            w[i] = *mkdiag(c, SIGMA_WARNING, r->file, d->pos.line, d->pos.col, d->message);
        }
        res->warnings = w;
        res->nwarnings = n;
    }
}

static void add_diag_at(sigma_compiler *c, sigma_severity sev, const char *file, spos pos, const char *msg)
{
    c->diags = arena_grow(c->a, c->diags, sizeof *c->diags, c->ndiags, c->ndiags + 1);
    c->diags[c->ndiags++] = *mkdiag(c, sev, file, pos.line, pos.col, msg);
}

static void add_diag(sigma_compiler *c, sigma_severity sev, const char *msg)
{
    add_diag_at(c, sev, "sigma", (spos){0, 0}, msg);
}

/* Metadata defects before anything reads the rules: with sigma_set_strict
 * the first one is the rule's error (it comes before any other error the
 * loader found, which stopped at that error); without, they stay warnings.
 * A filter without error has no result: its warnings go to the
 * diagnostics of the run. */
static void metadata_defects(sigma_compiler *c, size_t first)
{
    for (size_t i = first; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (!r->ndefects)
            continue;
        if (c->strict) {
            r->error = &r->defects[0];
            r->ndefects = 0;
        } else if (r->type == RT_FILTER && !r->error) {
            for (size_t k = 0; k < r->ndefects; k++)
                add_diag_at(c, SIGMA_WARNING, r->file, r->defects[k].pos, r->defects[k].message);
        }
    }
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

/* pipeline state -> table: state table_name, else -O table; the state
 * table_schema gives that table the schema of another (a renamed copy of a
 * table with a built-in schema) */
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
    const char *sch = st ? pstate_get(st, "table_schema") : NULL;
    if (!sch || !*sch || r->type != RT_RULE)
        return true;
    if (!r->table)
        return rule_fail(c->a, r, r->pos,
                         "the pipeline names the schema '%s' of the rule's table (state table_schema), but the rule "
                         "has no table: give one with -O table",
                         sch);
    const char *why = schema_set_alias(c->schemas, r->table, sch);
    return !why || rule_fail(c->a, r, r->pos, "the schema of table %s (pipeline state table_schema): %s", r->table, why);
}

const sql_options *compiler_rule_options(const sigma_compiler *c, const srule *r, sql_options *buf)
{
    const char *tf = r->pstate ? pstate_get(r->pstate, "time_field") : NULL;
    if (!tf || !*tf)
        return &c->opt;
    *buf = c->opt;
    buf->time_field = tf;
    return buf;
}

/* A warning for each option that neither the backend nor a pipeline uses. */
static void check_options(sigma_compiler *c)
{
    for (size_t i = 0; i < c->nopts; i++) {
        const char *k = c->opts[i].key;
        if (backend_option(k) < NOPTIONS || pipeline_set_uses_var(c->pipes, arena_printf(c->a, "backend_%s", k)))
            continue;
        sbuf known = SBUF_INIT;
        for (size_t j = 0; j < NOPTIONS; j++)
            sb_printf(&known, "%s%s", j ? ", " : "", backend_option_entries[j].name);
        add_diag(c, SIGMA_WARNING,
                 arena_printf(c->a, "backend option '%s' is not used by the backend or any pipeline (known options: %s)",
                              k, sb_cstr(&known)));
        sb_free(&known);
    }
}

/* Pipelines and the effective table, rule by rule in input order. Returns
 * true if the rule goes on to rule_queries (plain rules that did not fail). */
bool compiler_prepare_rule(sigma_compiler *c, srule *r)
{
    pstate *st = arena_alloc(c->a, sizeof *st);
    r->pstate = st;
    return pipeline_apply(c->pipes, r, st) && rule_table(c, r, st);
}

static bool convert_rule(sigma_compiler *c, srule *r)
{
    if (!compiler_prepare_rule(c, r))
        return false;
    return r->type != RT_CORRELATION; /* correlations: once every rule is converted */
}

/* The notes of a conversion (schema warnings) become warnings of the rule,
 * in a (the arena the rule's results live in). */
static void keep_notes(arena *a, srule *r, const sql_ctx *sc)
{
    if (!sc->nnotes)
        return;
    r->warnings = arena_grow(a, r->warnings, sizeof *r->warnings, r->nwarnings, r->nwarnings + sc->nnotes);
    for (size_t i = 0; i < sc->nnotes; i++)
        r->warnings[r->nwarnings++] = (sdiag){sc->notes[i].pos, arena_strdup(a, sc->notes[i].message)};
}

/* The SQL of a plain rule. Reads only the rule and the options, so rules
 * convert in parallel: the work happens in the worker's scratch arena and
 * the queries (or the error) are copied to its arena. */
static void rule_queries(sigma_compiler *c, worker *w, srule *r)
{
    sql_options o;
    sql_ctx sc = {.a = w->scratch, .opt = compiler_rule_options(c, r, &o), .rule = r};
    const char **q;
    size_t nq;
    if (!sql_rule_queries(&sc, &sql_athena, r->table, &q, &nq)) {
        rule_fail(w->a, r, sc.err.pos, "%s", sc.err.message);
    } else {
        keep_notes(w->a, r, &sc);
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
    sql_options o;
    sql_ctx sc = {.a = c->a, .opt = compiler_rule_options(c, r, &o), .rule = r};
    if (!sql_correlation_queries(&sc, &sql_athena, r, &r->queries, &r->nqueries))
        return rule_fail(c->a, r, sc.err.pos, "%s", sc.err.message);
    keep_notes(c->a, r, &sc);
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
    metadata_defects(c, first);
    /* filters first: they change the rules they match */
    filters_apply(c->a, &c->rules);
    /* pipelines may look up the rules a correlation refers to, in any order */
    pipeline_set_rules(c->pipes, &c->rules);
    srule **todo = malloc(sizeof *todo * (c->rules.n - first + 1));
    if (!todo)
        sigma_oom();
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
        sigma_result *res = new_result(c, r);
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
    c->packs_built = false;
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

/* ------------------------------------------------------------------------ */
/* Rule packs                                                               */
/* ------------------------------------------------------------------------ */

/* Whether a result is one query per condition of its rule, as written by
 * the SQL layer (no pipeline postprocessing): a rule that can be packed. */
static bool packable(const sigma_result *res, const srule *r)
{
    if (!r || r->type != RT_RULE || res->error || !res->nqueries || res->nqueries != r->nqueries)
        return false;
    for (size_t k = 0; k < res->nqueries; k++)
        if (strcmp(res->queries[k], r->queries[k]) != 0)
            return false;
    return true;
}

static void pack_result(sigma_compiler *c, sigma_result *res, const sql_pack *p, size_t n)
{
    memset(res, 0, sizeof *res);
    res->type = SIGMA_PACK;
    res->file = arena_printf(c->a, "pack_%zu", n);
    res->title = arena_printf(c->a, "Sigma rule pack %zu: %s (%zu rule%s)", n, p->table ? p->table : "<TABLE>",
                              p->nrules, p->nrules == 1 ? "" : "s");
    const char **q = arena_alloc(c->a, sizeof *q);
    q[0] = p->query;
    res->queries = q;
    res->nqueries = 1;
    res->table = p->table;
    const char **labels = arena_alloc(c->a, sizeof *labels * p->nrules);
    for (size_t k = 0; k < p->nrules; k++)
        labels[k] = sql_pack_label(p->rules[k]);
    res->rules = labels;
    res->nrules = p->nrules;
}

sigma_status sigma_packs(sigma_compiler *c, const sigma_result **results, size_t *n)
{
    *results = NULL;
    *n = 0;
    if (c->final_output) {
        set_err(c, "the pipelines' finalizers make one text of the whole output: it cannot be written as packs");
        return SIGMA_EUSAGE;
    }
    if (!c->packs_built) {
        const srule **rules = arena_alloc(c->a, sizeof *rules * (c->nres + 1));
        size_t *rest = arena_alloc(c->a, sizeof *rest * (c->nres + 1)); /* results kept as they are */
        size_t nrules = 0, nrest = 0;
        for (size_t i = 0; i < c->nres; i++) {
            if (packable(&c->res[i], c->res_rule[i]))
                rules[nrules++] = c->res_rule[i];
            else if (c->res[i].nqueries)
                rest[nrest++] = i;
        }
        sql_ctx sc = {.a = c->a, .opt = &c->opt};
        sql_pack *p;
        size_t np;
        const srule *failed;
        if (!sql_packs(&sc, &sql_athena, rules, nrules, &p, &np, &failed)) {
            /* the rules converted: the same SQL cannot fail here */
            set_err(c, "%s: cannot pack rule '%s': %s", failed && failed->file ? failed->file : "sigma",
                    failed && failed->title ? failed->title : "", sc.err.message ? sc.err.message : "");
            return SIGMA_EUSAGE;
        }
        c->packs = arena_alloc(c->a, sizeof *c->packs * (np + nrest + 1));
        c->npacks = 0;
        for (size_t k = 0; k < np; k++, c->npacks++)
            pack_result(c, &c->packs[c->npacks], &p[k], k + 1);
        for (size_t k = 0; k < nrest; k++)
            c->packs[c->npacks++] = c->res[rest[k]];
        c->packs_built = true;
    }
    *results = c->packs;
    *n = c->npacks;
    return SIGMA_OK;
}

sigma_status sigma_add_pipeline(sigma_compiler *c, const char *spec)
{
    /* the pipeline loader still writes its message into a buffer */
    char err[4096];
    if (!pipeline_set_add(c->pipes, spec, err, sizeof err)) {
        c->lasterr = arena_strdup(c->a, err);
        return SIGMA_EUSAGE;
    }
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
    return c->lasterr ? c->lasterr : "";
}

/* ------------------------------------------------------------------------ */
/* Name lists                                                               */
/* ------------------------------------------------------------------------ */

const char *const *sigma_modifiers(void)
{
    return modifier_names;
}

/* The lists other modules keep as names or "name\tdescription" lines,
 * turned into entries once (on first use, by whichever thread comes first)
 * and kept until the process ends. */
typedef struct entry_list {
    sigma_entry *v;
    size_t n;
} entry_list;

enum { L_PIPELINES, L_TRANSFORMATIONS, L_CONDITIONS, L_MODIFIERS, L_SCHEMAS, NLAZY };
static entry_list lazy[NLAZY];
static pthread_once_t lazy_once = PTHREAD_ONCE_INIT;

/* One malloc'd block: the entries, then their names. */
static entry_list entries_of(const char *const *lines)
{
    entry_list l = {0};
    size_t bytes = 0;
    while (lines && lines[l.n]) {
        const char *tab = strchr(lines[l.n], '\t');
        bytes += (tab ? (size_t)(tab - lines[l.n]) : strlen(lines[l.n])) + 1;
        l.n++;
    }
    l.v = malloc(sizeof *l.v * l.n + bytes + 1);
    if (!l.v)
        sigma_oom();
    char *names = (char *)(l.v + l.n);
    for (size_t i = 0; i < l.n; i++) {
        const char *tab = strchr(lines[i], '\t');
        size_t len = tab ? (size_t)(tab - lines[i]) : strlen(lines[i]);
        memcpy(names, lines[i], len);
        names[len] = 0;
        l.v[i].name = names;
        l.v[i].description = tab ? tab + 1 : "";
        names += len + 1;
    }
    return l;
}

/* Never freed: the lists are static data for the rest of the process. */
static void make_lazy_lists(void)
{
    lazy[L_PIPELINES] = entries_of(pipeline_list_lines("pipelines"));
    lazy[L_TRANSFORMATIONS] = entries_of(pipeline_list_lines("transformations"));
    lazy[L_CONDITIONS] = entries_of(pipeline_list_lines("conditions"));
    lazy[L_MODIFIERS] = entries_of(modifier_names);
    lazy[L_SCHEMAS] = entries_of(schema_builtin_list());
}

static const sigma_entry *lazy_list(int k, size_t *n)
{
    pthread_once(&lazy_once, make_lazy_lists);
    *n = lazy[k].n;
    return lazy[k].v;
}

static const sigma_entry *list_pipelines(size_t *n)
{
    return lazy_list(L_PIPELINES, n);
}

static const sigma_entry *list_transformations(size_t *n)
{
    return lazy_list(L_TRANSFORMATIONS, n);
}

static const sigma_entry *list_conditions(size_t *n)
{
    return lazy_list(L_CONDITIONS, n);
}

static const sigma_entry *list_modifiers(size_t *n)
{
    return lazy_list(L_MODIFIERS, n);
}

static const sigma_entry *list_schemas(size_t *n)
{
    return lazy_list(L_SCHEMAS, n);
}

static const sigma_entry *list_correlation_methods(size_t *n)
{
    static const sigma_entry methods[] = {
        {"sliding", "for each event, the window of timespan ending at it (default)"},
        {"tumbling", "fixed windows of timespan, aligned to the Unix epoch (UTC)"},
    };
    *n = sizeof methods / sizeof methods[0];
    return methods;
}

static const sigma_entry *list_backend_options(size_t *n)
{
    *n = NOPTIONS;
    return backend_option_entries;
}

const sigma_entry *sigma_list_entries(const char *what, size_t *n)
{
    static const struct {
        const char *what;
        const sigma_entry *(*get)(size_t *n);
    } lists[] = {
        {"pipelines", list_pipelines}, {"transformations", list_transformations},
        {"conditions", list_conditions}, {"modifiers", list_modifiers},
        {"validators", validator_entries}, {"backend-options", list_backend_options},
        {"schemas", list_schemas}, {"formats", out_format_entries},
        {"correlation-methods", list_correlation_methods},
    };
    *n = 0;
    for (size_t i = 0; what && i < sizeof lists / sizeof lists[0]; i++)
        if (strcmp(what, lists[i].what) == 0)
            return lists[i].get(n);
    return NULL;
}

