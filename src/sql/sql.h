/* sql.h - from a rule to SQL queries: the shared driver.
 *
 * tree.c builds a boolean tree (xnode) from a condition and the rule's
 * detections; render.c walks it (precedence, IN grouping) and asks the
 * dialect (athena.c) for the text of every leaf and of the query frame. */
#ifndef SIGMA_SQL_H
#define SIGMA_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "../condition/cond.h"
#include "../rule/rule.h"
#include "../util/sbuf.h"

typedef struct sql_options {
    const char *table;           /* -O table, NULL: <TABLE> */
    const char *time_field;      /* -O time_field (correlations), default "time" */
    const char **element_at;     /* -O element_at_fields */
    size_t n_element_at;
    const char **keyword_fields; /* -O keyword_fields */
    size_t n_keyword_fields;
    bool cidr_native;            /* -O cidr=native */
} sql_options;

typedef enum { X_AND, X_OR, X_NOT, X_LEAF } xkind;

typedef struct xnode xnode;
struct xnode {
    xkind kind;
    bool group;         /* X_OR standing for one value (expansion): never an IN list */
    xnode **kids;
    size_t n;
    const char *field;  /* X_LEAF: NULL for a keyword */
    const svalue *val;  /* X_LEAF */
    spos pos;
};

typedef struct sql_error {
    spos pos;
    const char *message;
} sql_error;

typedef struct sql_ctx {
    arena *a;
    const sql_options *opt;
    const srule *rule;
    sql_error err; /* first error; message NULL if none */
    size_t leaves;
    spos at;       /* position of the item being rendered (for errors) */
} sql_ctx;

/* A condition (its parsed tree) -> boolean tree over the rule's
 * detections. NULL on error (also for a condition that did not parse). */
xnode *sql_build_tree(sql_ctx *c, const rcond *cond);

/* A dialect renders leaves and the query frame; the driver does the rest. */
typedef struct sql_dialect {
    const char *name;
    /* One comparison `field <op> value`; returns false and sets c->err. */
    bool (*leaf)(sql_ctx *c, sbuf *b, const char *field, const svalue *v);
    /* `field IN (v1, v2, ...)` for plain strings (all cased or all uncased)
     * or numbers; the driver only calls it with >= 2 values of one kind. */
    bool (*in_list)(sql_ctx *c, sbuf *b, const char *field, const svalue *const *v, size_t n);
    /* A value-only (keyword) search; always a self-contained group. */
    bool (*keyword)(sql_ctx *c, sbuf *b, const svalue *v);
    /* A column reference. */
    void (*field)(sql_ctx *c, sbuf *b, const char *field);
} sql_dialect;

extern const sql_dialect sql_athena;

/* Renders a tree as a WHERE expression. */
bool sql_render_expr(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x);

/* SELECT <fields> FROM <table> WHERE <expr> for every condition of the rule.
 * table: the effective table (pipeline state or option), NULL for <TABLE>.
 * On success returns true with queries in *out (arena strings). */
bool sql_rule_queries(sql_ctx *c, const sql_dialect *d, const char *table, const char ***out, size_t *nout);
/* The SELECT list for a rule's `fields` (or `*`). */
void sql_select_list(sql_ctx *c, sbuf *b, const char *const *fields, size_t nfields);

bool sql_fail(sql_ctx *c, spos pos, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
