/* builtin.c - the built-in pipelines (`-p NAME`, `sigma list pipelines`).
 *
 * athena_security_lake_table_name: pySigma-backend-athena's pipeline of the
 * same name: the state table_name of each AWS log source's Security Lake
 * table, amazon_security_lake_table_<region>_<source>_<version>, from
 * -O aws_table_region (required) and -O aws_table_version (default 2_0),
 * dashes written as underscores.
 *
 * Every other built-in is a pipeline file of the repository's pipelines/
 * folder, compiled into the library (src/util/embed.h): -p NAME loads
 * pipelines/NAME.yml exactly as -p would load the file, so a copy of the
 * file behaves as the built-in does. Its `sigma list pipelines` line is
 * "priority P, athena: <the file's name:> (-O <each backend_<option>
 * variable the file uses or defines>)". */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../util/embed.h"

/* ---- athena_security_lake_table_name ----------------------------------------- */

static const struct {
    const char *service, *suffix;
} sl_tables[] = {
    {"cloudtrail", "cloud_trail_mgmt"},
    {"cloudtrail_s3", "s3_data"},
    {"cloudtrail_lambda", "lambda_execution"},
    {"route53", "route53"},
    {"security_hub", "sh_findings"},
    {"vpc_flow_logs", "vpc_flow"},
    {"waf", "waf"},
    {"eks_audit", "eks_audit"},
};

#define TABLE_NAME_PIPELINE "athena_security_lake_table_name"

static pipeline *table_name_pipeline(pipeline_set *ps)
{
    arena *a = ps->a;
    pipeline *p = arena_alloc(a, sizeof *p);
    p->name = "athena map source to table name pipeline";
    p->sortkey = TABLE_NAME_PIPELINE;
    p->priority = 20;
    p->builtin = true;
    size_t n = sizeof sl_tables / sizeof sl_tables[0];
    p->items = arena_alloc(a, sizeof *p->items * n);
    pvar *defs = arena_alloc(a, sizeof *defs);
    defs[0].name = "backend_aws_table_version";
    defs[0].text = "2_0";
    for (size_t i = 0; i < n; i++) {
        pitem *it = arena_alloc(a, sizeof *it);
        it->type = T_SET_STATE;
        it->file = TABLE_NAME_PIPELINE;
        it->id = arena_printf(a, TABLE_NAME_PIPELINE "_%s", sl_tables[i].service);
        pcond *c = arena_alloc(a, sizeof *c);
        c->type = C_LOGSOURCE;
        c->kind = CK_RULE;
        c->ls.product = "aws";
        c->ls.service = sl_tables[i].service;
        it->rc.c = arena_alloc(a, sizeof *it->rc.c);
        it->rc.c[0] = c;
        it->rc.n = 1;
        it->key = "table_name";
        ynode *v = arena_alloc(a, sizeof *v);
        v->kind = YN_SCALAR;
        v->u.s.type = YT_STR;
        v->u.s.text = arena_printf(a, "amazon_security_lake_table_{backend_aws_table_region}_%s_{backend_aws_table_version}",
                                   sl_tables[i].suffix);
        v->u.s.len = strlen(v->u.s.text);
        it->val = v;
        it->defaults = defs;
        it->ndefaults = 1;
        it->dash_to_underscore = true;
        it->hint = TABLE_NAME_PIPELINE " needs the AWS region of the Security Lake tables";
        p->items[p->nitems++] = it;
    }
    return p;
}

/* ---- pipelines/ files ----------------------------------------------------------- */

/* Whether -p can name a built-in so: 1 to 64 of [a-z0-9_]. */
static bool builtin_name(const char *name)
{
    size_t n = strlen(name);
    return n && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* The embedded file of a built-in name: NAME.yml. */
static const embed_file *builtin_file(const char *name)
{
    if (!builtin_name(name))
        return NULL;
    char file[72];
    snprintf(file, sizeof file, "%s.yml", name);
    return embed_find(&embed_pipelines, file);
}

static bool load_file(pipeline_set *ps, const embed_file *f, const char *name, pipeline **out, char *err,
                      size_t errlen)
{
    const char *path = arena_printf(ps->a, "<built-in>/%s", f->name);
    if (!pl_load_text(ps, path, name, f->data, f->len, out, err, errlen))
        return false;
    (*out)->builtin = true;
    return true;
}

int pl_builtin(pipeline_set *ps, const char *name, pipeline **out, char *err, size_t errlen)
{
    if (strcmp(name, TABLE_NAME_PIPELINE) == 0) {
        *out = table_name_pipeline(ps);
        return 1;
    }
    const embed_file *f = builtin_file(name);
    if (!f)
        return 0;
    return load_file(ps, f, name, out, err, errlen) ? 1 : -1;
}

/* ---- names and `sigma list pipelines` lines (built once per process) ------------- */

static pthread_once_t list_once = PTHREAD_ONCE_INIT;
static arena *list_arena; /* kept for the rest of the process */
static const char **list_names, **list_lines;
static const char *const no_lines[] = {NULL};

/* The backend options a pipeline follows: backend_<option> in its
 * set_state templates and its vars, each once, in order. */
typedef struct opt_list {
    arena *a;
    sbuf *b; /* "-O x, -O y" */
} opt_list;

static void add_opt(opt_list *o, const char *var)
{
    if (strncmp(var, "backend_", 8) != 0 || !var[8])
        return;
    const char *item = arena_printf(o->a, "-O %s", var + 8);
    size_t il = strlen(item);
    for (const char *p = sb_cstr(o->b); (p = strstr(p, item)); p += il)
        if (p[il] == ',' || !p[il])
            return;
    sb_printf(o->b, "%s%s", o->b->len ? ", " : "", item);
}

static int opt_piece(void *ctx, bool field, const char *s, size_t n)
{
    opt_list *o = ctx;
    tfield tf;
    const char *msg;
    if (field && pl_template_field(o->a, s, n, &tf, &msg))
        add_opt(o, tf.name);
    return 0;
}

static const char *describe(arena *a, const pipeline *p, const char *name)
{
    sbuf b = SBUF_INIT, opts = SBUF_INIT;
    opt_list o = {a, &opts};
    for (size_t i = 0; i < p->nitems; i++) {
        const pitem *it = p->items[i];
        if (it->type == T_SET_STATE && it->val->kind == YN_SCALAR && it->val->u.s.type == YT_STR)
            pl_braces(it->val->u.s.text, false, opt_piece, &o);
    }
    for (size_t i = 0; i < p->nvars; i++)
        add_opt(&o, p->vars[i].name);
    sb_printf(&b, "%s\tpriority %lld, athena: %s", name, p->priority, p->name ? p->name : name);
    if (opts.len)
        sb_printf(&b, " (%s)", sb_cstr(&opts));
    const char *line = arena_strndup(a, sb_cstr(&b), b.len);
    sb_free(&b);
    sb_free(&opts);
    return line;
}

static void build_lists(void)
{
    arena *a = arena_new();
    if (!a)
        return;
    pipeline_set *ps = pipeline_set_new(a);
    size_t n = embed_pipelines.n + 1, k = 0;
    const char **names = arena_alloc(a, sizeof *names * (n + 1));
    const char **lines = arena_alloc(a, sizeof *lines * (n + 1));
    names[k] = TABLE_NAME_PIPELINE;
    lines[k++] = TABLE_NAME_PIPELINE "\tpriority 20, athena: table name of AWS Security Lake (-O aws_table_region, "
                                     "-O aws_table_version)";
    for (size_t i = 0; i < embed_pipelines.n; i++) {
        const embed_file *f = &embed_pipelines.files[i];
        size_t len = strlen(f->name);
        if (len < 5 || strcmp(f->name + len - 4, ".yml") != 0)
            continue;
        const char *name = arena_strndup(a, f->name, len - 4);
        pipeline *p;
        char err[512];
        if (!builtin_name(name) || !load_file(ps, f, name, &p, err, sizeof err))
            continue; /* the unit tests load every file */
        names[k] = name;
        lines[k++] = describe(a, p, name);
    }
    list_arena = a;
    list_names = names;
    list_lines = lines;
}

const char *const *pipeline_builtin_names(void)
{
    pthread_once(&list_once, build_lists);
    return list_arena ? list_names : no_lines;
}

const char *const *pl_builtin_lines(void)
{
    pthread_once(&list_once, build_lists);
    return list_arena ? list_lines : no_lines;
}
