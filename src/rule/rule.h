/* rule.h - the rule model: rules, correlations and filters as loaded from
 * YAML, validated, with every node's source position.
 *
 * The rule stage owns everything that is about rules themselves, whatever
 * the target: loading documents (document.c), attributes and lookups
 * (rule.c), detections (detection.c), modifiers (modifier.h), correlation
 * definitions and their references (correlation.c), and filters, which
 * rewrite other rules (filter.c). Conditions are parsed once, at load, into
 * trees (condition/cond.h); later stages edit the trees, never the text.
 * Pipelines edit this model in place; the SQL layer only reads it. */
#ifndef SIGMA_RULE_H
#define SIGMA_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "../condition/cond.h"
#include "../util/arena.h"
#include "../yaml/ynode.h"
#include "value.h"

typedef struct spos {
    unsigned line, col;
} spos;

/* A diagnostic: the first error of a rule, or a warning. */
typedef struct sdiag {
    spos pos;
    const char *message;
} sdiag;

/* One `field|mod|mod: values` entry. field == NULL: keyword (value-only). */
typedef struct ditem {
    const char *field;
    const char **mods; /* modifier names as written */
    size_t nmods;
    svalue **vals;
    size_t nvals;
    bool all;     /* values AND-linked (`all`) */
    bool neg;     /* `neq`: whole item negated */
    bool keyword_from_map; /* keyword turned into a field by mapping: wrap in * */
    spos pos;
    const char **applied; /* ids of pipeline items applied to this item */
    size_t napplied;
} ditem;

typedef struct detection detection;
typedef struct delem {
    ditem *item;    /* exactly one of item / sub */
    detection *sub;
} delem;

struct detection {
    delem *elems;
    size_t n;
    bool and_link; /* map form: AND; list-of-maps form: OR */
    spos pos;
};

typedef struct named_det {
    const char *name;
    detection *det;
    spos pos;
} named_det;

/* One condition of a rule. `ast` is what every later stage uses: filters
 * and pipelines (add_condition, drop_detection_item) replace it with an
 * edited tree. A condition that does not parse keeps ast NULL and its
 * error, reported when the rule is converted (as a condition error, after
 * the errors of earlier stages). */
typedef struct rcond {
    const char *text; /* as written */
    size_t len;
    spos pos;
    const cnode *ast;
    const cerror *err; /* ast == NULL: the syntax error */
} rcond;

typedef struct logsource {
    const char *category, *product, *service, *definition;
} logsource;

typedef enum { RT_RULE, RT_CORRELATION, RT_FILTER } rule_type;

typedef enum {
    CT_EVENT_COUNT,
    CT_VALUE_COUNT,
    CT_TEMPORAL,
    CT_TEMPORAL_ORDERED,
    CT_VALUE_SUM,
    CT_VALUE_AVG,
    CT_VALUE_PERCENTILE,
    CT_VALUE_MEDIAN,
} corr_type;

/* A field name a correlation names, with where it is written (a pipeline
 * that maps one field to several gives each the position of its source). */
typedef struct cfield {
    const char *name;
    spos pos;
} cfield;

typedef struct corr_cond {
    int nops;          /* 1 or 2 */
    const char *op[2]; /* "gt", "gte", "lt", "lte", "eq", "neq" */
    const char *num[2];/* number text */
    double val[2];
    const char **fields; /* condition field(s) for value_* */
    size_t nfields;
    spos field_pos;    /* the `field` node */
    const char *percentile;
} corr_cond;

/* One `rule: field` line of an alias. */
typedef struct alias_entry {
    const char *rule;  /* rule reference */
    spos rule_pos;     /* the key */
    const char *field;
    spos field_pos;
} alias_entry;

typedef struct corr_alias {
    const char *alias;
    spos pos;
    alias_entry *e;
    size_t n;
} corr_alias;

/* A rule a correlation refers to, once resolved (correlation_resolve). */
typedef struct corr_ref {
    const char *ref; /* as written */
    spos pos;
    struct srule *rule;
} corr_ref;

typedef struct correlation {
    corr_type type;
    spos pos;           /* the correlation mapping */
    const char **rules; /* references by id or name */
    spos *rule_pos;
    size_t nrules;
    spos rules_pos;     /* the `rules` node (else pos) */
    cfield *group_by;
    size_t ngroup_by;
    long long timespan; /* seconds */
    const char *timespan_text;
    corr_cond cond;
    bool has_cond;
    spos cond_pos;      /* the `condition` node (else pos) */
    corr_alias *aliases;
    size_t naliases;
    spos aliases_pos;   /* the `aliases` node (else pos) */
    bool generate;
    /* extended (string) condition of the temporal types, parsed at load */
    const char *ext_cond;
    const cnode *ext;      /* NULL if it does not parse or is too long */
    const char *ext_error; /* then: the message */
    /* filled by correlation_resolve */
    corr_ref *refs;
    size_t nrefs;
    int resolve_state; /* 0 not yet, 1 being resolved (a reference cycle if met again), 2 done */
} correlation;

typedef struct filter_def {
    const char **rules; /* empty: any */
    size_t nrules;
    rcond cond;
} filter_def;

typedef struct srule srule;
struct srule {
    rule_type type;
    const char *file;
    spos pos;          /* document start */
    const ynode *doc;  /* the (merged) document mapping */
    const char *id, *name, *title, *level, *status, *description, *author;
    const char **tags;
    size_t ntags;
    logsource ls;
    bool has_ls;
    named_det *dets;
    size_t ndets;
    rcond *conds;
    size_t nconds;
    const char **fields; /* rule `fields`, NULL/0 for none */
    size_t nfields;
    spos fields_pos;     /* the `fields` node (else pos) */
    correlation *corr;
    filter_def *filter;
    /* the first error makes the rule fail; warnings are kept */
    sdiag *error;
    sdiag *warnings;
    size_t nwarnings;
    /* metadata defects (rule_defect), in document order: warnings of a
     * conversion, errors of sigma check, the first one the rule's error
     * under sigma_set_strict */
    sdiag *defects;
    size_t ndefects;
    const char **applied; /* pipeline item ids applied to the rule */
    size_t napplied;
    int index;            /* position among all rules of the run */
    /* set during compilation */
    const char *table;    /* effective table (pipeline state, -O table or NULL) */
    void *pstate;         /* pipeline state (pipeline.h pstate) */
    const char **queries; /* converted queries (before postprocessing) */
    size_t nqueries;
    bool suppress;        /* referenced by a correlation without generate */
};

/* ---- rule lists (rule.c) ----------------------------------------------- */

typedef struct rule_list {
    srule **v;
    size_t n, cap;
} rule_list;

void rule_list_push(arena *a, rule_list *l, srule *r);

/* True if `ref` names rule r: its id (UUIDs compare case-insensitively) or
 * its name (exactly). */
bool rule_is_ref(const srule *r, const char *ref);

/* The rule `ref` names among l, by id first, then by name (rule_is_ref).
 * Filters are not rules that can be referenced. NULL if none. */
srule *rule_list_find(const rule_list *l, const char *ref);

/* ---- loading (document.c) ---------------------------------------------- */

/* Loads every document of a file into rules appended to *out (action:
 * global/reset/repeat, correlations, filters). A document that fails
 * validation still produces an srule with ->error set, so that the run
 * reports it and goes on. */
void rules_from_docs(arena *a, const char *file, ydoc *docs, size_t ndocs, rule_list *out);

/* ---- errors and shared checks (rule.c) --------------------------------- */

/* Sets r->error (first error wins; a position of line 0 means the rule's).
 * Returns false for convenience. */
bool rule_fail(arena *a, srule *r, spos pos, const char *fmt, ...) SIGMA_PRINTF(4, 5);

/* Records a metadata defect of r (an attribute that does not change what
 * the rule detects is malformed) in r->defects; loading goes on. Returns
 * true. rule.c lists which attributes these are. */
bool rule_defect(arena *a, srule *r, spos pos, const char *fmt, ...) SIGMA_PRINTF(4, 5);

static inline spos node_pos(const ynode *n)
{
    spos p = {n ? n->line : 0, n ? n->col : 0};
    return p;
}

/* True if every field a filter or pipeline condition sets (category,
 * product, service; NULL is "any") equals the rule's. `definition` is not
 * compared (pySigma's LogsourceCondition and filters do the same). */
bool logsource_matches(const logsource *want, const logsource *have);

/* Sigma's levels (informational .. critical) and statuses (unsupported ..
 * stable) in order, case-insensitively: 0.., or -1 if not one. */
int rule_level_rank(const char *level);
int rule_status_rank(const char *status);

/* Parses condition text into c (text, pos, ast or err). */
void rule_parse_condition(arena *a, rcond *c, const char *text, size_t len, spos pos);

/* ---- detections (detection.c) ------------------------------------------ */

/* A copy of d whose structure (sub-detections, items, value and id lists)
 * can be edited without touching d. deep: the values themselves are copied
 * too (filters, whose detections are added to many rules). */
detection *detection_copy(arena *a, const detection *d, bool deep);
/* A copy of one item (value and id lists copied, values shared). */
ditem *ditem_copy(arena *a, const ditem *it);

/* A detection from a mapping of `field|mod: value(s)` (pipeline
 * add_condition): AND of its items, every item at `pos`. Keys are strings
 * or null (a keyword); values scalars or lists of scalars. `subst`, if not
 * NULL, rewrites each string value node first. NULL with *err set on a
 * modifier or value error. */
typedef const ynode *(*ynode_subst)(arena *a, const ynode *n, void *ctx);
detection *detection_from_map(arena *a, const ynode *map, spos pos, ynode_subst subst, void *ctx, sdiag *err);

/* ---- correlations (correlation.c) -------------------------------------- */

/* Resolves the references of correlation rule r (its `rules`, or the
 * identifiers of an extended condition) against every rule of the run into
 * r->corr->refs, and checks them (each found once, no self reference, no
 * failed rule, the extended condition naming exactly them). A referenced
 * correlation (chaining) is resolved first, at most SIGMA_MAX_REF_DEPTH
 * deep; a reference cycle is an error. Referenced rules and correlations
 * are marked `suppress` unless the correlation generates them, also when
 * another of its references fails. Runs after the referenced plain rules
 * are converted (their errors count); resolving a rule again returns the
 * first outcome. False with r->error set on failure. */
bool correlation_resolve(arena *a, srule *r, const rule_list *all);

/* Index of the reference an alias key or extended-condition identifier
 * names: the reference text itself, else a reference that resolved to a
 * rule with that id or name. -1 if none. */
long correlation_ref_index(const correlation *co, const char *key);

/* ---- filters (filter.c) ------------------------------------------------ */

/* Applies the filter documents among `all` to the plain rules they match
 * (logsource and `rules`), once each: the filter's detections are added as
 * `_filtN_<name>` and every condition becomes `(condition) and (filter
 * condition)`. A filter with an error is skipped; one whose condition is
 * invalid or names no detection of its own fails. */
void filters_apply(arena *a, rule_list *all);

#endif
