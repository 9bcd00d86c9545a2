/* compiler.h - the state behind the opaque sigma_compiler handle. */
#ifndef SIGMA_COMPILER_H
#define SIGMA_COMPILER_H

#include "sigma.h"
#include "rule/rule.h"
#include "pipeline/pipeline.h"
#include "sql/sql.h"
#include "util/arena.h"

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
    bool options_checked;
    const char *final_output; /* finalizer result, NULL if none */
};

#endif
