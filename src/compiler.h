/* compiler.h - the state behind the opaque sigma_compiler handle. */
#ifndef SIGMA_COMPILER_H
#define SIGMA_COMPILER_H

#include "sigma.h"
#include "rule/rule.h"
#include "pipeline/pipeline.h"
#include "schema/schema.h"
#include "sql/sql.h"
#include "util/arena.h"

/* One thread's share of a parallel phase (api.c: par_for). Worker 0 is the
 * calling thread. What a worker builds lives in its arena until the
 * compiler is freed; `scratch` is reset after each rule it converts. */
typedef struct worker {
    arena *a;
    arena *scratch;
    char *buf; /* file read buffer, reused from file to file */
    size_t cap;
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
    sigma_diag *diags;
    size_t ndiags;
    char lasterr[512];
    pipeline_set *pipes;
    schema_set *schemas;      /* -O schema, and the built-in schemas */
    bool options_checked;
    const char *final_output; /* finalizer result, NULL if none */
    unsigned nthreads;        /* SIGMA_THREADS, default: online CPUs */
    worker *workers;          /* nthreads of them, made on first use */
};

#endif
