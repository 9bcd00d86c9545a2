/* compiler.h - the state behind the opaque sigma_compiler handle. */
#ifndef SIGMA_COMPILER_H
#define SIGMA_COMPILER_H

#include "sigma.h"
#include "rule/rule.h"
#include "output/output.h"
#include "pipeline/pipeline.h"
#include "schema/schema.h"
#include "sql/sql.h"
#include "util/arena.h"
#include "util/file.h"

/* One thread's share of a parallel phase (api.c: par_for). Worker 0 is the
 * calling thread. What a worker builds lives in its arena until the
 * compiler is freed; `scratch` is reset after each rule it converts. */
typedef struct worker {
    arena *a;
    arena *scratch;
    file_buf buf; /* file read buffer, reused from file to file */
} worker;

typedef struct option_kv {
    const char *key, *value;
} option_kv;

struct sigma_compiler {
    arena *a;
    sql_options opt;
    option_kv *opts; /* every -O option, for pipeline vars backend_<key> */
    size_t nopts;
    rule_list rules;
    size_t ncompiled;
    sigma_result *res;
    size_t nres, capres;
    const srule **res_rule;   /* per result: the rule it is of */
    sigma_result *packs;      /* sigma_packs(), built once per compilation, */
    size_t npacks;
    bool packs_built;         /* (false again after each sigma_compile) */
    sigma_diag *diags;
    size_t ndiags;
    const char *lasterr; /* sigma_last_error(), NULL if none */
    pipeline_set *pipes;
    schema_set *schemas;      /* -O schema, and the built-in schemas */
    bool options_checked;
    const char *final_output; /* finalizer result, NULL if none */
    unsigned threads;         /* sigma_set_threads(); 0: online CPUs */
    bool strict;              /* sigma_set_strict(): metadata defects fail rules */
    worker *workers;          /* nworkers of them, made on first use */
    unsigned nworkers;
    out_options out;          /* -O athena_database, athena_workgroup, view_prefix */
    arena *render;            /* what the last sigma_render() returned, or NULL, */
    struct text_buf *render_bufs; /* and its texts (src/output/render.c); */
    size_t render_diags_from, render_diags_end; /* the diags it added */
};

/* api.c: the pipelines and the effective table of rule r, as sigma_compile
 * does before writing SQL; false with r->error set. */
bool compiler_prepare_rule(sigma_compiler *c, srule *r);
/* api.c: the options rule r is converted with (after compiler_prepare_rule):
 * the backend's, or a copy in *buf with the time field its pipeline state
 * names (state time_field). */
const sql_options *compiler_rule_options(const sigma_compiler *c, const srule *r, sql_options *buf);

/* check.c: the validators as sigma_list_entries("validators") shows them. */
const sigma_entry *validator_entries(size_t *n);

#endif
