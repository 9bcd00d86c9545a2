/* pipeline.c - placeholder until pipelines land: no pipeline can be added. */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>

struct pipeline_set {
    arena *a;
};

const char *const pipeline_builtin_names[] = {NULL};
const char *const pipeline_transformation_names[] = {NULL};
const char *const pipeline_condition_names[] = {NULL};

pipeline_set *pipeline_set_new(arena *a)
{
    pipeline_set *ps = arena_alloc(a, sizeof *ps);
    ps->a = a;
    return ps;
}

bool pipeline_set_add(pipeline_set *ps, const char *spec, char *err, size_t errlen)
{
    (void)ps;
    snprintf(err, errlen, "The pipeline '%s' was not found.", spec);
    return false;
}

void pipeline_set_option(pipeline_set *ps, const char *key, const char *value)
{
    (void)ps, (void)key, (void)value;
}

bool pipeline_set_uses_var(const pipeline_set *ps, const char *name)
{
    (void)ps, (void)name;
    return false;
}

bool pipeline_set_empty(const pipeline_set *ps)
{
    (void)ps;
    return true;
}

bool pipeline_apply(pipeline_set *ps, srule *r, pstate *st)
{
    (void)ps, (void)r;
    memset(st, 0, sizeof *st);
    return true;
}

const char *pstate_get(const pstate *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

const char *pipeline_postprocess(pipeline_set *ps, srule *r, const pstate *st, const char *query)
{
    (void)ps, (void)r, (void)st;
    return query;
}

const char *pipeline_finalize(pipeline_set *ps, const char *const *queries, size_t n)
{
    (void)ps, (void)queries, (void)n;
    return NULL;
}
