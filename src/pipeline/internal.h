/* internal.h - shared by the files of src/pipeline (and their tests).
 *
 * The files, each depending only on those above it (no link-level cycle):
 *
 *   registry.c    names and `sigma list` lines of transformations and
 *                 conditions, from items.def/conditions.def
 *   text.c        Python str() of YAML scalars, regexes from the arena,
 *                 re.sub, {name} templates, JSON strings
 *   vars.c        the merged view of the set: items in order, variables
 *   load.c        pipeline YAML -> pitems, every parameter checked up front
 *   builtin.c     the built-in pipelines (one in C, the files of pipelines/)
 *                 and their `sigma list` lines
 *   context.c     the per-rule application context: errors, id tracking
 *   match.c       processing conditions: rule, detection item, field name
 *   fields.c      field name transformations (mapping, prefix, hashes, strict)
 *   values.c      value transformations (placeholders, replace, map, ...)
 *   detections.c  add_condition, drop_detection_item, detection_item_failure
 *   apply.c       one rule through every item: copy, dispatch table, state
 *   post.c        postprocessing of queries and finalizers
 *   pipeline.c    the pipeline set: -p resolution, options, entry points,
 *                 `sigma list` lines
 */
#ifndef SIGMA_PIPELINE_INTERNAL_H
#define SIGMA_PIPELINE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../condition/cond.h"
#include "../rule/rule.h"
#include "../util/sbuf.h"
#include "pipeline.h"

/* ---- registries --------------------------------------------------------- */

/* condition types, from conditions.def */
typedef enum {
#define CONDITION(name, type, ...) type,
#include "conditions.def"
} pcond_type;

/* processing item types, from items.def: transformations first (their
 * value indexes pipeline_transformation_names), then postprocessing items,
 * then finalizers */
typedef enum {
#define TRANSFORMATION(name, type, ...) type,
#define POSTPROCESSING(name, type, ...) type,
#define FINALIZER(name, type, ...) type,
#include "items.def"
    PT_COUNT
} ptype;

/* number of transformation types */
enum {
    PT_NTRANSFORMATIONS = 0
#define TRANSFORMATION(...) +1
#include "items.def"
};

/* ---- conditions ----------------------------------------------------------- */

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

/* ---- items ---------------------------------------------------------------- */

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

typedef enum { RX_PLAIN, RX_IGNORE_CASE_FLAG, RX_IGNORE_CASE_BRACKETS } regex_method;
typedef enum { CASE_LOWER, CASE_UPPER, CASE_SNAKE } case_method;
typedef enum { TO_ANY, TO_STR, TO_NUM } value_type; /* convert_type, set_value force_type */

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
    logsource ls;             /* change_logsource */
    regex_method rx;          /* regex */
    case_method cm;           /* case */
    value_type target;        /* convert_type, set_value */
    int indent;               /* json finalizer: -1 none */
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
    sstr qexpr;              /* query expression: text parts and {field} as the placeholder `field` */
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

/* ---- registry.c ---------------------------------------------------------------- */

/* "name\tdescription" lines of `sigma list transformations|conditions`, else NULL. */
const char *const *pl_registry_lines(const char *what);

/* ---- text.c ------------------------------------------------------------------ */

/* Python's str() of a YAML scalar (str as is, ints in decimal, floats as
 * repr, True/False, None). */
const char *pl_scalar_str(arena *a, const ynode *n);
/* A regular expression compiled with memory from the set's arena (UTF mode
 * when the pattern is valid UTF-8). NULL with a message on a syntax error. */
pcre2_code *pl_compile(pipeline_set *ps, const char *pat, size_t len, char *msg, size_t msglen);
/* re.sub with Python replacement syntax (\1, \g<name>); NULL + msg on a bad
 * replacement. *changed set if anything was replaced. */
char *pl_resub(arena *a, pcre2_code *re, const char *s, size_t n, const char *repl, size_t *outlen,
               bool *changed, const char **msg);

/* Python str.format-style templates, the one scanner for all of them
 * (set_state values, simple_template, query expressions): "{{" and "}}"
 * are braces, "{name}" a field up to the next '}' (possibly empty). fn gets
 * each piece: literal text (field false) or a field name; a nonzero return
 * stops the scan and is returned. */
enum { BRACES_OK, BRACES_LONE_CLOSE, BRACES_UNCLOSED };
typedef int (*brace_fn)(void *ctx, bool field, const char *s, size_t n);
/* BRACES_OK, fn's nonzero result, BRACES_UNCLOSED for a '{' without '}', or
 * (strict) BRACES_LONE_CLOSE for a '}' that is not part of "}}"; not
 * strict, such a '}' is literal text. */
int pl_braces(const char *tmpl, bool strict, brace_fn fn, void *ctx);
/* A template filled in: each {name} replaced by lookup(ctx, name). NULL with
 * *msg on a '{' without '}' or a failed lookup (which sets *msg). */
typedef const char *(*brace_lookup)(void *ctx, const char *name, const char **msg);
const char *pl_expand(arena *a, const char *tmpl, brace_lookup lookup, void *ctx, const char **msg);

/* A {field} of a set_state template: a variable name, then filters (an
 * extension of pySigma's format, docs/pipelines.md), each
 * `|replace('old', 'new')` (quotes ' or ", no escapes; white space around
 * the parts allowed): every occurrence of old in the value becomes new. */
typedef struct tfilter {
    const char *from, *to;
} tfilter;
typedef struct tfield {
    const char *name;
    tfilter *f;
    size_t nf;
} tfield;
/* Parses the text between the braces. false with *msg on bad syntax. */
bool pl_template_field(arena *a, const char *s, size_t n, tfield *out, const char **msg);
/* value with the field's filters applied in order. */
const char *pl_template_filter(arena *a, const tfield *f, const char *value);

/* A JSON string literal (Python json.dumps with ensure_ascii). */
void pl_json_str(sbuf *b, const char *s, size_t n);

/* ---- vars.c ------------------------------------------------------------------ */

/* Rebuilds the merged items and variables when pipelines or options were
 * added since the last call. */
void pl_merge(pipeline_set *ps);
/* A variable of the merged view (pipeline vars, then backend options). */
bool pl_var_get(pipeline_set *ps, const char *name, pvar *out);
/* Fills a {var} template from the merged vars (and the item's defaults).
 * NULL on a missing var or a bad template, with a message in *msg. */
const char *pl_format_vars(pipeline_set *ps, const pitem *it, const char *tmpl, const char **msg);

/* ---- load.c, builtin.c --------------------------------------------------------- */

bool pl_load_text(pipeline_set *ps, const char *file, const char *sortkey, const char *text, size_t len,
                  pipeline **out, char *err, size_t errlen);
/* -p NAME of a built-in: 1 with *out, 0 when NAME is none, -1 with a
 * message in err (a pipelines/ file that does not load: the tests rule it
 * out). */
int pl_builtin(pipeline_set *ps, const char *name, pipeline **out, char *err, size_t errlen);
/* `sigma list pipelines`: "name\tdescription" lines, NULL-terminated. */
const char *const *pl_builtin_lines(void);

/* ---- context.c: one rule going through the items ------------------------------ */

typedef struct actx {
    pipeline_set *ps;
    arena *a;
    srule *r;
    pstate *st;
    /* field name tracking (pySigma field_name_applied_ids): pairs */
    const char **tf, **tid;
    size_t nt, capt;
    /* field mappings (strict_field_mapping_failure): sources and targets */
    const char **msrc, **mtgt;
    size_t nmsrc, nmtgt;
    /* set_custom_attribute */
    const char **ck;
    const ynode **cv;
    size_t nc;
    bool dropped; /* drop_detection_item removed something */
    bool failed;
} actx;

/* Fails the rule (first error wins) and the application. Returns false. */
bool pl_fail(actx *c, spos pos, const char *fmt, ...) SIGMA_PRINTF(3, 4);
void pl_push_str(arena *a, const char ***arr, size_t *n, const char *s);
bool pl_has_str(const char *const *arr, size_t n, const char *s);
/* Records that item `it` (if it has an id) was applied to d. */
void pl_mark_item(actx *c, ditem *d, const pitem *it);

/* ---- match.c ------------------------------------------------------------------ */

/* rule_conditions of it on r; *ok false (rule failed) on a condition error. */
bool pl_rule_conds_match(actx *c, const pitem *it, srule *r, const pstate *st, bool *ok);
/* ProcessingItem.match_detection_item: detection item and field name conditions. */
bool pl_item_match(actx *c, const pitem *it, const ditem *d);
/* ProcessingItem.match_field_name */
bool pl_field_match(actx *c, const pitem *it, const char *field);
/* ProcessingItem.match_field_in_value (field references) */
bool pl_field_value_match(actx *c, const pitem *it, const svalue *v);
/* rule_conditions outside an application (postprocessing). */
bool pl_rule_conds(pipeline_set *ps, const pitem *it, srule *r, const pstate *st, bool *ok);

/* ---- fields.c, values.c, detections.c: the handlers of apply.c's table -------- */

/* per matching detection item: <0 error, 0 unchanged, >0 changed */
typedef int (*item_fn)(actx *c, const pitem *it, delem *e);
/* per value of a matching item: *out NULL keeps it, else its replacements */
typedef bool (*value_fn)(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);

bool pl_map_rule_fields(actx *c, const pitem *it);
int pl_map_item_fields(actx *c, const pitem *it, delem *e);
int pl_split_hashes(actx *c, const pitem *it, delem *e);
bool pl_strict_mapping(actx *c, const pitem *it);

int pl_map_values(actx *c, const pitem *it, delem *e, value_fn fn);
bool pl_wildcard_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_value_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_query_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_replace_string(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_map_string(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_set_value(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_convert_type(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_to_regex(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);
bool pl_change_case(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout);

bool pl_add_condition(actx *c, const pitem *it);
int pl_drop_item(actx *c, const pitem *it, delem *e);
bool pl_drop_cleanup(actx *c, const pitem *it);
int pl_item_failure(actx *c, const pitem *it, delem *e);

/* ---- apply.c ------------------------------------------------------------------ */

bool pl_apply_rule(pipeline_set *ps, srule *r, pstate *st);

#endif
