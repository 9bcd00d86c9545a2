/* pipeline.h - pySigma processing pipelines: loading, merging, applying.
 *
 * A pipeline set holds every pipeline given with -p (built-in names, YAML
 * files, directories), merged by (priority, name/path) as pySigma does, plus
 * the variables (pipeline vars and backend options as backend_<key>).
 *
 * All memory comes from the arena given to pipeline_set_new (the compiler's
 * arena); nothing needs freeing. docs/pipelines.md describes the format and
 * every difference from pySigma. */
#ifndef SIGMA_PIPELINE_H
#define SIGMA_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../rule/rule.h"
#include "../util/arena.h"

typedef struct pipeline_set pipeline_set;

/* Per-rule processing state (pySigma's pipeline.state), reset per rule.
 * A value is NULL when set_state stored a YAML null. */
typedef struct pstate {
    const char **keys, **vals;
    size_t n;
} pstate;

pipeline_set *pipeline_set_new(arena *a);
/* -p SPEC: a built-in name, a YAML file or a directory of *.yml files.
 * false with a message in err (e.g. "The pipeline 'x' was not found.", or
 * "path:line:col: message" for a bad pipeline file). */
bool pipeline_set_add(pipeline_set *ps, const char *spec, char *err, size_t errlen);
/* Same for pipeline YAML text in memory; name is used in messages and as the
 * merge key. */
bool pipeline_set_add_text(pipeline_set *ps, const char *name, const char *text, size_t len, char *err,
                           size_t errlen);
/* Backend option -O key=value: becomes var backend_<key>. */
void pipeline_set_option(pipeline_set *ps, const char *key, const char *value);
/* True if any loaded pipeline refers to variable `name` (unused-option check). */
bool pipeline_set_uses_var(const pipeline_set *ps, const char *name);
/* True if no pipeline was added. */
bool pipeline_set_empty(const pipeline_set *ps);

/* Optional: every rule of the run, so that a logsource condition on a
 * correlation rule finds the rules it references wherever they are in the
 * input. Without it, only rules applied before the correlation are seen. */
void pipeline_set_rules(pipeline_set *ps, const rule_list *all);

/* Applies every transformation to a rule or correlation rule in place.
 * On failure sets r->error and returns false. *st receives the state. */
bool pipeline_apply(pipeline_set *ps, srule *r, pstate *st);
/* State lookup ("table_name"), NULL if unset. */
const char *pstate_get(const pstate *st, const char *key);

/* Postprocessing of one finished query (embed, simple_template, replace,
 * json, nest). Returns the query unchanged when there is none. NULL and
 * r->error set on failure. */
const char *pipeline_postprocess(pipeline_set *ps, srule *r, const pstate *st, const char *query);

/* Finalizers over all queries in output order (concat, json, nested). NULL
 * when the pipelines have no finalizer: the caller prints queries as usual. */
const char *pipeline_finalize(pipeline_set *ps, const char *const *queries, size_t n);

/* For `sigma list`: NULL-terminated names. The built-in pipelines:
 * athena_security_lake_table_name and one per file of pipelines/. */
const char *const *pipeline_builtin_names(void);
extern const char *const pipeline_transformation_names[];  /* transformations: */
extern const char *const pipeline_postprocessing_names[];  /* postprocessing: */
extern const char *const pipeline_finalizer_names[];       /* finalizers: */
extern const char *const pipeline_condition_names[];       /* every condition type */
/* "name\tdescription" lines for `sigma list pipelines|transformations|
 * conditions`; NULL for anything else. */
const char *const *pipeline_list_lines(const char *what);

/* The internal interface, for the files of src/pipeline and their tests. */
#ifdef SIGMA_PIPELINE_INTERNAL
#include "internal.h"
#endif

#endif
