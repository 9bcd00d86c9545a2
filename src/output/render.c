/* render.c - sigma_render(): the driver of the output formats.
 *
 * 1. Every result gets a file key from its rule's file name: the base name
 *    without its extension, kept as it is when it holds only A-Z a-z 0-9 _ .
 *    and - (and starts with none of ". -"), else with each run of other
 *    bytes written _; at most 200 bytes; "rule" when nothing is left. A key
 *    already taken by an earlier result (compared case-insensitively, for
 *    case-insensitive file systems and for Trino, which folds identifiers)
 *    gets _2, _3 ... (the first free one). Keys are given to every result in
 *    input order, converted or not, so a name depends only on the inputs
 *    and their order.
 * 2. Every query of a format with identifiers gets one: the format's
 *    ident() of the key, made unique the same way with the format's
 *    separator.
 * 3. The pieces are written into texts: the whole output (split into parts
 *    where the format has limits: a part is closed before an item that
 *    would take it over them), or one file per result that has queries.
 *
 * Everything returned lives in c->render and c->render_bufs, freed at the
 * next call and by sigma_compiler_free (out_render_free). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "../compiler.h"
#include "../util/hash.h"

const out_format *const out_formats[] = {
    &out_default, &out_json, &out_jsonl, &out_cloudformation, &out_terraform, &out_views, &out_pack, NULL,
};

#define KEY_MAX 200

/* ------------------------------------------------------------ options */

const char *out_check_database(const char *v)
{
    size_t n = strlen(v);
    if (!n || out_prefix_len(v, 255) < n)
        return "athena_database must be 1 to 255 characters";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "athena_database must not contain control characters";
    return NULL;
}

const char *out_check_workgroup(const char *v)
{
    size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    if (!n || n > 128 || v[n])
        return "athena_workgroup must be an Athena workgroup name: 1 to 128 of A-Z a-z 0-9 . _ -";
    return NULL;
}

/* ------------------------------------------------------------ names */

/* A set of names compared case-insensitively (ASCII): open addressing over
 * lower-cased copies. */
typedef struct name_set {
    arena *a;
    const char **slot;
    size_t cap, n;
} name_set;

static char *lower_copy(arena *a, const char *s)
{
    char *l = arena_strdup(a, s);
    for (char *p = l; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return l;
}

/* The slot of the lower-cased name l: where it is, or the empty one where
 * it would go. */
static size_t set_find(const name_set *s, const char *l)
{
    size_t i = (size_t)fnv64(l, strlen(l)) & (s->cap - 1);
    while (s->slot[i] && strcmp(s->slot[i], l) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

/* Adds name; false if it was already there. */
static bool set_add(name_set *s, const char *name)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t oldcap = s->cap;
        const char **old = s->slot;
        s->cap = oldcap ? oldcap * 2 : 256;
        s->slot = arena_alloc(s->a, sizeof *s->slot * s->cap);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                s->slot[set_find(s, old[i])] = old[i];
    }
    const char *l = lower_copy(s->a, name);
    size_t i = set_find(s, l);
    if (s->slot[i])
        return false;
    s->slot[i] = l;
    s->n++;
    return true;
}

/* base itself if free, else base + sep + 2, 3 ... (the first free one). */
static const char *set_unique(name_set *s, const char *base, const char *sep)
{
    if (set_add(s, base))
        return arena_strdup(s->a, base);
    for (size_t i = 2;; i++) {
        const char *t = arena_printf(s->a, "%s%s%zu", base, sep, i);
        if (set_add(s, t))
            return t;
    }
}

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

/* The file key of a result, before it is made unique (see the top). */
static const char *file_key(arena *a, const char *file)
{
    if (!file)
        return "rule";
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    size_t safe = 0;
    while (safe < n && key_char(base[safe]))
        safe++;
    sbuf b = SBUF_INIT;
    if (safe == n && n && base[0] != '.' && base[0] != '-') {
        sb_putn(&b, base, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (key_char(base[i]))
                sb_putc(&b, base[i]);
            else if (!b.len || b.p[b.len - 1] != '_')
                sb_putc(&b, '_');
        }
        size_t start = strspn(sb_cstr(&b), "._-");
        while (b.len > start && b.p[b.len - 1] == '_')
            b.len--;
        memmove(b.p, b.p + start, b.len - start);
        b.len -= start;
        if (b.p)
            b.p[b.len] = 0;
    }
    if (b.len > KEY_MAX)
        b.len = KEY_MAX;
    const char *key = b.len ? arena_strndup(a, b.p, b.len) : "rule";
    sb_free(&b);
    return key;
}

/* ------------------------------------------------------------ named queries */

/* The Name: the rule's title (or the query's identifier when the rule has
 * none), with " #2", " #3" ... for a rule's later queries, cut to Athena's
 * 128 characters. */
static void query_name(sbuf *b, const out_item *it, out_str_fn put)
{
    const char *t = it->res->title && *it->res->title ? it->res->title : it->name ? it->name : "query";
    char suffix[32] = "";
    if (it->k)
        snprintf(suffix, sizeof suffix, " #%zu", it->k + 1);
    sbuf name = SBUF_INIT;
    sb_putn(&name, t, out_prefix_len(t, 128 - strlen(suffix)));
    sb_puts(&name, suffix);
    put(b, name.p, name.len);
    sb_free(&name);
}

static void put_field(sbuf *b, const char *label, const char *s, size_t n, out_str_fn put)
{
    sb_puts(b, label);
    put(b, s, n);
}

void out_named_query(sbuf *b, const out_item *it, const out_options *o, const out_query_labels *l, out_str_fn put)
{
    sb_puts(b, l->name);
    query_name(b, it, put);
    const char *d = it->res->description;
    if (d && *d)
        put_field(b, l->description, d, out_prefix_len(d, 1024), put);
    put_field(b, l->database, o->database, strlen(o->database), put);
    if (o->workgroup)
        put_field(b, l->workgroup, o->workgroup, strlen(o->workgroup), put);
    const char *q = it->res->queries[it->k];
    put_field(b, l->query, q, strlen(q), put);
}

void out_end_newline(sbuf *b, size_t nitems, const out_options *o)
{
    (void)o;
    if (nitems)
        sb_putc(b, '\n');
}

/* ------------------------------------------------------------ driver */

/* One run of sigma_render. */
typedef struct render {
    sigma_compiler *c;
    const out_format *f;
    const sigma_result *res; /* what is written: the results, or the packs */
    size_t nres;
    const char **keys;    /* per result */
    const char ***idents; /* per result, per query (NULL: no identifiers) */
    sigma_output_file *files;
    size_t nfiles, capfiles;
    /* sigma_render_stream: the whole output goes to sink as it is written
     * (formats without limits), instead of into files */
    sigma_write_fn sink;
    void *sink_ctx;
    bool sink_failed;
} render;

static void set_error(sigma_compiler *c, const char *msg)
{
    c->lasterr = arena_strdup(c->a, msg);
}

/* A warning about a result's output, among the run's diagnostics. */
static void warn(sigma_compiler *c, const sigma_result *res, const char *msg)
{
    c->diags = arena_grow(c->a, c->diags, sizeof *c->diags, c->ndiags, c->ndiags + 1);
    c->diags[c->ndiags++] = (sigma_diag){SIGMA_WARNING, res->file ? res->file : "<input>", 0, 0, msg};
}

/* The text buffers of the last sigma_render(): malloc'd (a whole output is
 * megabytes, and copying it into the arena would hold it twice), in a list
 * kept in c->render and freed by out_render_free. */
typedef struct text_buf {
    char *p;
    struct text_buf *next;
} text_buf;

void out_render_free(sigma_compiler *c)
{
    for (text_buf *t = c->render_bufs; t; t = t->next)
        free(t->p);
    c->render_bufs = NULL;
    arena_free(c->render);
    c->render = NULL;
}

/* Adds a file whose text is the buffer (which the file takes over). */
static void add_file(render *r, const char *name, sbuf *text)
{
    if (r->nfiles == r->capfiles) {
        size_t nc = r->capfiles ? r->capfiles * 2 : 16;
        r->files = arena_grow(r->c->render, r->files, sizeof *r->files, r->capfiles, nc);
        r->capfiles = nc;
    }
    const char *p = "";
    if (text->len) {
        text_buf *t = arena_alloc(r->c->render, sizeof *t);
        t->p = text->p;
        t->next = r->c->render_bufs;
        r->c->render_bufs = t;
        p = text->p;
    } else {
        sb_free(text);
    }
    r->files[r->nfiles++] = (sigma_output_file){name, p, text->len};
    *text = (sbuf)SBUF_INIT;
}

static void name_everything(render *r)
{
    sigma_compiler *c = r->c;
    arena *a = c->render;
    name_set keys = {.a = a}, ids = {.a = a};
    r->keys = arena_alloc(a, sizeof *r->keys * (r->nres + 1));
    r->idents = r->f->ident ? arena_alloc(a, sizeof *r->idents * (r->nres + 1)) : NULL;
    sbuf b = SBUF_INIT;
    for (size_t i = 0; i < r->nres; i++) {
        const sigma_result *res = &r->res[i];
        r->keys[i] = set_unique(&keys, file_key(a, res->file), "_");
        if (!r->idents)
            continue;
        r->idents[i] = arena_alloc(a, sizeof **r->idents * (res->nqueries + 1));
        for (size_t k = 0; k < res->nqueries; k++) {
            sb_clear(&b);
            r->f->ident(&b, r->keys[i], k, &c->out);
            r->idents[i][k] = set_unique(&ids, sb_cstr(&b), r->f->ident_sep);
        }
    }
    sb_free(&b);
}

/* Whether query k of result i goes into the output; a deploy format leaves
 * out a query Athena would refuse, with a warning. */
static bool query_fits(render *r, size_t i, size_t k)
{
    const sigma_result *res = &r->res[i];
    size_t len = strlen(res->queries[k]);
    if (!r->f->deploy || len <= OUT_ATHENA_QUERY_LIMIT)
        return true;
    warn(r->c, res,
         arena_printf(r->c->a, "query %zu of rule '%s' is left out of the %s output: %zu bytes, over Athena's limit of %d bytes",
                      k + 1, res->title ? res->title : "", r->f->name, len, OUT_ATHENA_QUERY_LIMIT));
    return false;
}

/* A text being written: its buffer and how many items it has. */
typedef struct text {
    sbuf b;
    size_t n;
} text;

/* How much of a streamed text is kept before it goes to the sink. */
#define STREAM_CHUNK 65536

/* Whether t goes to the sink as it grows (else it becomes a file). */
static bool streamed(const render *r)
{
    return r->sink && !r->f->max_items && !r->f->max_bytes;
}

static void flush(render *r, text *t)
{
    if (t->b.len && !r->sink_failed && r->sink(r->sink_ctx, t->b.p, t->b.len) != 0)
        r->sink_failed = true;
    sb_clear(&t->b);
}

static void text_begin(render *r, text *t)
{
    t->b = (sbuf)SBUF_INIT;
    t->n = 0;
    if (r->f->begin)
        r->f->begin(&t->b, &r->c->out);
}

/* Ends t and adds it as a file; a text without items is empty, except for
 * a format with per_result (json's "[]"). */
static void text_end(render *r, text *t, const char *name)
{
    if (!t->n && !r->f->per_result)
        sb_clear(&t->b);
    else if (r->f->end)
        r->f->end(&t->b, t->n, &r->c->out);
    if (streamed(r)) {
        flush(r, t);
        sb_free(&t->b);
        return;
    }
    add_file(r, name, &t->b);
}

/* Appends item (i, k) to t; in the whole output (split), a text over the
 * format's limits is ended first and a new one begun. */
static void text_item(render *r, text *t, size_t i, size_t k, bool split)
{
    const out_format *f = r->f;
    out_item it = {&r->res[i], k, r->idents ? r->idents[i][k] : NULL, t->n};
    if (!split || (!f->max_items && !f->max_bytes)) { /* no limit: straight into the text */
        f->item(&t->b, &it, &r->c->out);
        t->n++;
        if (streamed(r) && t->b.len >= STREAM_CHUNK)
            flush(r, t);
        return;
    }
    sbuf piece = SBUF_INIT;
    f->item(&piece, &it, &r->c->out);
    bool full = t->n && ((f->max_items && t->n >= f->max_items) || (f->max_bytes && t->b.len + piece.len > f->max_bytes));
    if (full) {
        text_end(r, t, NULL);
        text_begin(r, t);
        it.index = 0;
        sb_clear(&piece);
        f->item(&piece, &it, &r->c->out);
    }
    sb_putn(&t->b, piece.p ? piece.p : "", piece.len);
    sb_free(&piece);
    t->n++;
}

static void render_whole(render *r)
{
    text t;
    text_begin(r, &t);
    for (size_t i = 0; i < r->nres; i++) {
        const sigma_result *res = &r->res[i];
        if (r->f->per_result) {
            text_item(r, &t, i, 0, true);
            continue;
        }
        for (size_t k = 0; k < res->nqueries; k++)
            if (query_fits(r, i, k))
                text_item(r, &t, i, k, true);
    }
    text_end(r, &t, NULL);
}

static void render_per_rule(render *r)
{
    const out_format *f = r->f;
    for (size_t i = 0; i < r->nres; i++) {
        const sigma_result *res = &r->res[i];
        if (!res->nqueries)
            continue;
        text t;
        text_begin(r, &t);
        if (f->per_result) {
            text_item(r, &t, i, 0, false);
        } else {
            for (size_t k = 0; k < res->nqueries; k++)
                if (query_fits(r, i, k))
                    text_item(r, &t, i, k, false);
        }
        if (!t.n) {
            sb_free(&t.b);
            continue;
        }
        if ((f->max_items && t.n > f->max_items) || (f->max_bytes && t.b.len > f->max_bytes))
            warn(r->c, res,
                 arena_printf(r->c->a, "the %s output of rule '%s' has %zu resources and %zu bytes, over the %zu and %zu of one part",
                              f->name, res->title ? res->title : "", t.n, t.b.len, f->max_items, f->max_bytes));
        text_end(r, &t, arena_printf(r->c->render, "%s%s", r->keys[i], f->ext));
    }
}

static const out_format *find_format(const char *name)
{
    for (size_t i = 0; name && out_formats[i]; i++)
        if (strcmp(out_formats[i]->name, name) == 0)
            return out_formats[i];
    return NULL;
}

/* What sigma_render and sigma_render_stream share: checks, then r's texts
 * (files, or the sink). */
static sigma_status run_render(sigma_compiler *c, const char *format, unsigned flags, render *r)
{
    /* the warnings of the previous call are replaced by this call's (when
     * they are still the last diagnostics) */
    if (c->render_diags_end && c->ndiags == c->render_diags_end)
        c->ndiags = c->render_diags_from;
    c->render_diags_from = c->ndiags;
    out_render_free(c);
    c->render = arena_new();
    if (!c->render)
        sigma_oom();
    const out_format *f = find_format(format);
    bool per_rule = flags & SIGMA_RENDER_PER_RULE;
    if (!f) {
        sbuf known = SBUF_INIT;
        for (size_t i = 0; out_formats[i]; i++)
            sb_printf(&known, "%s%s", i ? ", " : "", out_formats[i]->name);
        set_error(c, arena_printf(c->a, "unknown output format '%s' (formats: %s)", format ? format : "",
                                  sb_cstr(&known)));
        sb_free(&known);
        return SIGMA_EUSAGE;
    }
    if (flags & ~(SIGMA_RENDER_PER_RULE | SIGMA_RENDER_PACK)) {
        set_error(c, "unknown sigma_render flags");
        return SIGMA_EUSAGE;
    }
    r->c = c;
    r->f = f;
    r->res = c->res;
    r->nres = c->nres;
    if ((f->pack || (flags & SIGMA_RENDER_PACK)) && sigma_packs(c, &r->res, &r->nres) != SIGMA_OK)
        return SIGMA_EUSAGE;
    if (c->final_output) {
        if (per_rule || (f != &out_default && f != &out_json)) {
            set_error(c, arena_printf(c->a,
                                      "the pipelines' finalizers make one text of the whole output: it cannot be "
                                      "written %s",
                                      per_rule ? "as one file per rule" : arena_printf(c->a, "as %s", f->name)));
            return SIGMA_EUSAGE;
        }
        sbuf b = SBUF_INIT;
        sb_puts(&b, c->final_output);
        sb_putc(&b, '\n');
        add_file(r, NULL, &b);
        return SIGMA_OK;
    }
    if (f->deploy && !c->out.database) {
        set_error(c, arena_printf(c->a,
                                  "the %s format needs the option athena_database (-O athena_database=NAME: "
                                  "the database of the named queries)",
                                  f->name));
        return SIGMA_EUSAGE;
    }
    if (per_rule || f->ident) /* the whole output of default, json, jsonl names nothing */
        name_everything(r);
    if (per_rule)
        render_per_rule(r);
    else
        render_whole(r);
    return SIGMA_OK;
}

sigma_status sigma_render(sigma_compiler *c, const char *format, unsigned flags, const sigma_output_file **files,
                          size_t *nfiles)
{
    render r = {0};
    *files = NULL;
    *nfiles = 0;
    sigma_status st = run_render(c, format, flags, &r);
    c->render_diags_end = c->ndiags;
    if (st == SIGMA_OK) {
        *files = r.files;
        *nfiles = r.nfiles;
    }
    return st;
}

sigma_status sigma_render_stream(sigma_compiler *c, const char *format, sigma_write_fn write, void *ctx)
{
    render r = {.sink = write, .sink_ctx = ctx};
    sigma_status st = run_render(c, format, 0, &r);
    c->render_diags_end = c->ndiags;
    if (st != SIGMA_OK)
        return st;
    if (r.nfiles > 1) { /* a format with limits that needed parts */
        set_error(c, arena_printf(c->a,
                                  "the %s output needs %zu parts (at most %zu resources and %zu bytes each): it "
                                  "cannot be written as one text",
                                  r.f->name, r.nfiles, r.f->max_items, r.f->max_bytes));
        return SIGMA_EUSAGE;
    }
    if (r.nfiles == 1 && r.files[0].len && write(ctx, r.files[0].text, r.files[0].len) != 0)
        r.sink_failed = true;
    if (r.sink_failed) {
        set_error(c, "the output could not be written");
        return SIGMA_EIO;
    }
    return SIGMA_OK;
}

static sigma_entry format_entries[sizeof out_formats / sizeof out_formats[0]];
static size_t nformat_entries;

static void make_format_entries(void)
{
    for (; out_formats[nformat_entries]; nformat_entries++)
        format_entries[nformat_entries] =
            (sigma_entry){out_formats[nformat_entries]->name, out_formats[nformat_entries]->description};
}

const sigma_entry *out_format_entries(size_t *n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_format_entries);
    *n = nformat_entries;
    return format_entries;
}
