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

/* For `sigma list`: NULL-terminated names. */
extern const char *const pipeline_builtin_names[];
extern const char *const pipeline_transformation_names[];  /* transformations: */
extern const char *const pipeline_postprocessing_names[];  /* postprocessing: */
extern const char *const pipeline_finalizer_names[];       /* finalizers: */
extern const char *const pipeline_condition_names[];       /* every condition type */
/* "name\tdescription" lines for `sigma list pipelines|transformations|
 * conditions`; NULL for anything else. */
const char *const *pipeline_list_lines(const char *what);

/* ======================================================================
 * Internal: shared by the files of src/pipeline only.
 * ====================================================================== */
#ifdef SIGMA_PIPELINE_INTERNAL

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../condition/cond.h"

/* condition types */
typedef enum {
    C_LOGSOURCE,
    C_CONTAINS_DETECTION_ITEM,
    C_CONTAINS_FIELD,
    C_PROCESSING_ITEM_APPLIED,
    C_PROCESSING_STATE,
    C_IS_SIGMA_RULE,
    C_IS_SIGMA_CORRELATION_RULE,
    C_RULE_ATTRIBUTE,
    C_TAG,
    C_MATCH_STRING,
    C_MATCH_VALUE,
    C_CONTAINS_WILDCARD,
    C_IS_NULL,
    C_INCLUDE_FIELDS,
    C_EXCLUDE_FIELDS,
} pcond_type;

typedef enum { CK_RULE, CK_DET, CK_FIELD } pcond_kind;

typedef enum { OP_EQ, OP_NE, OP_GTE, OP_GT, OP_LTE, OP_LT, OP_IN, OP_NOT_IN } pop;

typedef struct pcond {
    pcond_type type;
    pcond_kind kind;
    spos pos;
    logsource ls;                             /* logsource */
    const char *field;                        /* contains_*: may be NULL */
    const ynode *value;                       /* contains_detection_item, match_value, rule_attribute,
                                                 processing_state (val) */
    const char *name;                         /* processing_item_applied id, processing_state key,
                                                 rule_attribute attribute, tag */
    pop op;
    bool all;                                 /* value conditions: cond all (else any) */
    bool negate;                              /* match_string */
    pcre2_code *re;                           /* match_string */
    const char **fields;                      /* include/exclude_fields */
    size_t nfields;
    pcre2_code **res;                         /* mode: re */
} pcond;

/* A condition list (and/or, not) or a map with a boolean expression. */
typedef struct condset {
    pcond **c;
    const char **names; /* map form: the ids; NULL for the list form */
    size_t n;
    bool or_link;
    bool neg;
    const cnode *expr;  /* *_cond_expr, NULL if none */
} condset;

typedef enum {
    /* transformations */
    T_FIELD_NAME_MAPPING,
    T_FIELD_NAME_PREFIX_MAPPING,
    T_FIELD_NAME_PREFIX,
    T_FIELD_NAME_SUFFIX,
    T_DROP_DETECTION_ITEM,
    T_HASHES_FIELDS,
    T_WILDCARD_PLACEHOLDERS,
    T_VALUE_PLACEHOLDERS,
    T_QUERY_EXPRESSION_PLACEHOLDERS,
    T_ADD_CONDITION,
    T_CHANGE_LOGSOURCE,
    T_ADD_FIELD,
    T_REMOVE_FIELD,
    T_SET_FIELD,
    T_REPLACE_STRING,
    T_MAP_STRING,
    T_SET_STATE,
    T_REGEX,
    T_SET_VALUE,
    T_CONVERT_TYPE,
    T_RULE_FAILURE,
    T_DETECTION_ITEM_FAILURE,
    T_STRICT_FIELD_MAPPING_FAILURE,
    T_SET_CUSTOM_ATTRIBUTE,
    T_NEST,
    T_CASE,
    /* postprocessing */
    P_EMBED,
    P_SIMPLE_TEMPLATE,
    P_REPLACE,
    P_JSON,
    P_NEST,
    /* finalizers */
    F_CONCAT,
    F_JSON,
    F_NESTED,
} ptype;

/* field name -> one or several targets (map order kept); key NULL: keywords */
typedef struct fmap {
    const char **keys;
    const char ***vals;
    size_t *nvals;
    bool *is_list; /* target written as a list */
    size_t n;
} fmap;

/* a variable: from a pipeline's vars (node) or a backend option (text) */
typedef struct pvar {
    const char *name;
    const ynode *node;
    const char *text;
} pvar;

typedef struct pitem pitem;
struct pitem {
    ptype type;
    const char *id; /* NULL: not tracked */
    const char *file;
    spos pos;
    condset rc, dc, fc;
    fmap map;
    /* string parameters (which ones depends on the type) */
    const char *prefix, *suffix, *message, *key, *expression, *replacement, *name, *tmpl, *separator;
    const char *category, *product, *service;
    int method;      /* regex: 0 plain, 1 ignore_case_flag, 2 ignore_case_brackets;
                        case: 0 lower, 1 upper, 2 snake_case */
    int target_type; /* convert_type / set_value force_type: 0 none, 1 str, 2 num */
    int indent;      /* json finalizer: -1 none */
    const char **list; /* add/remove/set_field, valid_hash_algos */
    size_t nlist;
    const char **incl, **excl; /* placeholders */
    size_t nincl, nexcl;
    bool has_incl, has_excl;
    const char **parse_fields; /* hashes_fields field_to_parse */
    size_t nparse_fields;
    const ynode *val;        /* set_state val, set_value value, set_custom_attribute value */
    const ynode *conditions; /* add_condition */
    const ynode *json;       /* json postprocessing template (parsed) */
    bool skip_special, interpret_special, template_, negated, drop_algo_prefix;
    pcre2_code *re;          /* replace_string / replace */
    pitem **items;           /* nest */
    size_t nitems;
    /* built-in set_state: defaults under the vars, '-' -> '_' afterwards */
    const pvar *defaults;
    size_t ndefaults;
    bool dash_to_underscore;
    const char *hint; /* extra text for a missing variable */
};

typedef struct pipeline {
    const char *name;     /* `name:` or NULL */
    const char *sortkey;  /* spec string / file path (merge order after priority) */
    long long priority;
    bool builtin;
    pitem **items, **post, **fin;
    size_t nitems, npost, nfin;
    pvar *vars;
    size_t nvars;
} pipeline;

struct pipeline_set {
    arena *a;
    pipeline **p; /* sorted by (priority, sortkey), stable */
    size_t n;
    pvar *opts;   /* backend options (name = backend_<key>) */
    size_t nopts;
    /* merged view, rebuilt when dirty */
    bool dirty;
    pitem **items, **post, **fin;
    size_t nitems, npost, nfin;
    pvar *vars;
    size_t nvars;
    /* rules seen by pipeline_apply (for logsource conditions on correlations) */
    rule_list seen;
    const rule_list *all; /* pipeline_set_rules */
    pcre2_general_context *gctx; /* pcre2 memory from the arena */
};

/* load.c */
bool pl_load_text(pipeline_set *ps, const char *file, const char *sortkey, const char *text, size_t len,
                  pipeline **out, char *err, size_t errlen);
pipeline *pl_builtin(pipeline_set *ps, const char *name);
pcre2_code *pl_compile(pipeline_set *ps, const char *pat, size_t len, char *msg, size_t msglen);
/* Python's str() of a YAML scalar (str as is, ints in decimal, floats as
 * repr, True/False, None). */
const char *pl_scalar_str(arena *a, const ynode *n);

/* apply.c */
typedef struct actx actx;
bool pl_apply_rule(pipeline_set *ps, srule *r, pstate *st);
bool pl_rule_conds(pipeline_set *ps, const pitem *it, srule *r, const pstate *st, bool *ok);

/* post.c */
/* Fills a {var} template from the merged vars (and extra defaults).
 * NULL on a missing var or a bad template, with a message in *msg. */
const char *pl_format_vars(pipeline_set *ps, const pitem *it, const char *tmpl, const char **msg);
/* re.sub with Python replacement syntax (\1, \g<name>); NULL + msg on a bad
 * replacement. *changed set if anything was replaced. */
char *pl_resub(arena *a, pcre2_code *re, const char *s, size_t n, const char *repl, size_t *outlen,
               bool *changed, const char **msg);
bool pl_var_get(pipeline_set *ps, const char *name, pvar *out);
void pl_merge(pipeline_set *ps);

#endif /* SIGMA_PIPELINE_INTERNAL */

#endif
