/* rule.h - the rule model: rules, correlations and filters as loaded from
 * YAML, validated, with every node's source position. Pipelines edit this
 * model in place; the SQL layer reads it. */
#ifndef SIGMA_RULE_H
#define SIGMA_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/arena.h"
#include "../yaml/ynode.h"
#include "value.h"

typedef struct spos {
    unsigned line, col;
} spos;

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

typedef struct rcond {
    const char *text;
    size_t len;
    spos pos;
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

typedef struct corr_cond {
    int nops;          /* 1 or 2 */
    const char *op[2]; /* "gt", "gte", "lt", "lte", "eq", "neq" */
    const char *num[2];/* number text */
    double val[2];
    const char **fields; /* condition field(s) for value_* */
    size_t nfields;
    const char *percentile;
} corr_cond;

typedef struct corr_alias {
    const char *alias;
    const char **rules; /* rule reference */
    const char **fields;
    size_t n;
} corr_alias;

typedef struct correlation {
    corr_type type;
    const char **rules; /* references by id or name */
    spos *rule_pos;
    size_t nrules;
    const char **group_by;
    size_t ngroup_by;
    long long timespan; /* seconds */
    const char *timespan_text;
    corr_cond cond;
    bool has_cond;
    corr_alias *aliases;
    size_t naliases;
    bool generate;
    const char *ext_cond; /* extended (string) condition for temporal types */
} correlation;

typedef struct filter_def {
    const char **rules; /* empty: any */
    size_t nrules;
    rcond cond;
} filter_def;

typedef struct sdiag {
    spos pos;
    const char *message;
} sdiag;

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
    correlation *corr;
    filter_def *filter;
    /* the first error makes the rule fail; warnings are kept */
    sdiag *error;
    sdiag *warnings;
    size_t nwarnings;
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

/* Loads every document of a file into rules (action: global/reset/repeat,
 * correlations, filters). A document that fails validation still produces
 * an srule with ->error set (so the run reports it and goes on).
 * Returns the number of rules appended to *out (an arena array grown here). */
typedef struct rule_list {
    srule **v;
    size_t n, cap;
} rule_list;

void rule_list_push(arena *a, rule_list *l, srule *r);

void rules_from_docs(arena *a, const char *file, ydoc *docs, size_t ndocs, rule_list *out);

/* Sets r->error (first error wins). Returns false for convenience. */
bool rule_fail(arena *a, srule *r, spos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void rule_warn(arena *a, srule *r, spos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static inline spos node_pos(const ynode *n)
{
    spos p = {n ? n->line : 0, n ? n->col : 0};
    return p;
}

/* Applies the modifier chain of `item` (item->mods) to raw YAML values.
 * Fills item->vals, ->all, ->neg. On error sets r->error at the item. */
bool modifiers_apply(arena *a, srule *r, ditem *item, ynode **raw, size_t nraw, spos pos);

/* True if `name` is a known modifier id. */
bool modifier_known(const char *name);
extern const char *const modifier_names[];

#endif
