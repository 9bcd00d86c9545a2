/* sql.h - from a rule to SQL queries: the shared driver.
 *
 * tree.c builds a boolean tree (xnode) from a condition and the rule's
 * detections; render.c walks it (precedence, IN grouping) and asks the
 * dialect (athena.c) for the text of every leaf and of the query frame;
 * correlation.c writes the window queries of correlation rules.
 *
 * Every Sigma field name becomes SQL in one place: the dialect's `column`
 * slot (called through sql_column), which resolves the name against the
 * table of the query (sql_ctx table) and its schema, if it has one, into a
 * sql_col. Leaves compose their predicate with it; SELECT lists,
 * correlation group-by, aliases, time and value fields take its
 * expression. Nothing else turns a field name into SQL text. A field the
 * schema lacks, or a value its column can never hold, is a problem
 * (sql_problem): the rule's error, a warning (-O unknown_fields=warn), or,
 * while collecting (sigma check), a note after which rendering goes on. */
#ifndef SIGMA_SQL_H
#define SIGMA_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "../condition/cond.h"
#include "../rule/rule.h"
#include "../schema/schema.h"
#include "../util/sbuf.h"

/* The time window of scheduled queries (-O window=, since=, until=;
 * window.c): every query reads only the events of the window. */
typedef enum {
    SQL_WIN_NONE,
    SQL_WIN_RELATIVE, /* -O window=15m: since current_timestamp - length */
    SQL_WIN_ABSOLUTE, /* -O since=ISO8601 and/or until=ISO8601: [since, until) */
    SQL_WIN_PARAMS,   /* -O window=params: ? parameters, start and end */
} sql_win_kind;

typedef struct sql_window {
    sql_win_kind kind;
    long long length;          /* RELATIVE: seconds */
    bool has_since, has_until; /* ABSOLUTE: which ends are given */
    long long since, until;    /* ABSOLUTE: epoch milliseconds, UTC */
} sql_window;

/* -c: how correlations cut time into windows (correlation.c). */
typedef enum {
    SQL_CORR_SLIDING,  /* the events of [t - timespan, t] for each event t */
    SQL_CORR_TUMBLING, /* fixed windows of timespan aligned to the epoch */
} sql_corr_method;

/* -O correlation_output: what a correlation query returns. */
typedef enum {
    SQL_CORR_EVENTS, /* every event row whose window satisfies the condition */
    SQL_CORR_ALERTS, /* one row per group and firing window */
} sql_corr_output;

typedef struct sql_options {
    const char *table;           /* -O table, NULL: <TABLE> */
    const char *time_field;      /* -O time_field (correlations), default "time" */
    const char **element_at;     /* -O element_at_fields */
    size_t n_element_at;
    const char **keyword_fields; /* -O keyword_fields */
    size_t n_keyword_fields;
    bool cidr_native;            /* -O cidr=native */
    const schema_set *schemas;   /* -O schema and the built-ins; NULL: none */
    bool time_field_set;         /* -O time_field was given */
    sql_window window;           /* -O window, since, until */
    sql_corr_method corr_method; /* -c / -O correlation_method */
    sql_corr_output corr_output; /* -O correlation_output */
    const char **pack_fields;    /* -O pack_fields: columns every pack query selects */
    size_t n_pack_fields;
    bool unknown_fields_warn;    /* -O unknown_fields=warn */
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

/* How a query uses a field. A predicate on it (a leaf, an IN list, a
 * keyword column) may be wrapped as a whole, e.g. `any_match(arr, x ->
 * <predicate on x.rest>)` for a path through an array; a value (SELECT
 * list, PARTITION BY, window order, aggregated value, the other side of
 * fieldref) must be one expression. */
typedef enum { SQL_USE_MATCH, SQL_USE_VALUE } sql_use;

/* The type of a resolved column, which chooses literals, LOWER() and
 * casts. Without a schema every column is SQL_T_UNKNOWN and compared as
 * the rule's values say (strings lowered, numbers bare). */
typedef enum {
    SQL_T_UNKNOWN,   /* no schema for the table */
    SQL_T_TEXT,      /* string, varchar, char; text read from JSON */
    SQL_T_INTEGER,   /* tinyint, smallint, int, bigint (stype says which) */
    SQL_T_NUMBER,    /* float, double, decimal */
    SQL_T_BOOLEAN,
    SQL_T_TIMESTAMP,
    SQL_T_DATE,
    SQL_T_BINARY,
    SQL_T_COMPLEX,   /* struct or map: no single value to compare */
} sql_type;

/* A Sigma field resolved against the table of the query. */
typedef struct sql_col {
    const char *field;  /* the name as the rule (after pipelines) has it */
    const char *expr;   /* SQL of its value: a column, a struct path, element_at(m, 'k'), ... */
    const char *open;   /* written before the whole predicate ("" for none) */
    const char *close;  /* written after it ("" for none) */
    sql_type type;
    spos pos;           /* where the rule names the field (for errors) */
    /* With a schema (else NULL / false): */
    const char *path;   /* the field as the schema spells it, for messages */
    const stype *stype; /* the schema type of the value (NULL: text read from JSON) */
    bool json;          /* the value is read from JSON text */
    bool many;          /* SQL_USE_VALUE through an array: expr is an array of the values */
    /* SQL_USE_MATCH: the test for `exists` / `null`, which looks at the
     * value itself rather than at the elements of an array it ends on:
     * exists_open exists_expr IS NOT NULL exists_close; a JSON value
     * (exists_json) exists unless it is JSON null:
     * exists_open json_format(exists_expr) <> 'null' exists_close. */
    const char *exists_expr, *exists_open, *exists_close;
    bool exists_json;
} sql_col;

/* A warning, or (collecting) a problem the rendering went on after. */
typedef struct sql_note {
    spos pos;
    const char *message;
    bool error;
} sql_note;

typedef struct sql_dialect sql_dialect;

typedef struct sql_ctx {
    arena *a;
    const sql_options *opt;
    const srule *rule;
    const sql_dialect *d; /* the dialect rendering (set by the sql_* entry points) */
    const char *table; /* FROM table of the query being rendered; NULL: <TABLE> */
    sql_error err;     /* first error; message NULL if none */
    size_t leaves;
    spos at;           /* position of the item being rendered (for errors) */
    sql_col last;      /* the column resolved last (leaves of one item share it) */
    sql_use last_use;
    const char *last_table;
    /* the schema of `table`, looked up once per table */
    const char *schema_of;
    const stable *schema;
    bool schema_known;
    /* warnings for the rule; with `collect` (sigma check) also every schema
     * problem (unknown field, impossible value), after which rendering goes
     * on as if the field had no schema */
    bool collect;
    sql_note *notes;
    size_t nnotes;
} sql_ctx;

/* A condition (its parsed tree) -> boolean tree over the rule's
 * detections. NULL on error (also for a condition that did not parse). */
xnode *sql_build_tree(sql_ctx *c, const rcond *cond);
/* The tree of a whole rule: its conditions OR-ed (an event matches if any
 * condition does). NULL on error, and without c->err for a rule with no
 * condition. */
xnode *sql_rule_tree(sql_ctx *c, const srule *r);

/* A dialect renders leaves and resolves fields; the driver does the rest.
 * Fields are Sigma names: the dialect resolves each through `column`. */
struct sql_dialect {
    /* One comparison `field <op> value`; returns false and sets c->err. */
    bool (*leaf)(sql_ctx *c, sbuf *b, const char *field, const svalue *v);
    /* `field IN (v1, v2, ...)` for plain strings (all cased or all uncased)
     * or numbers; the driver only calls it with >= 2 values of one kind. */
    bool (*in_list)(sql_ctx *c, sbuf *b, const char *field, const svalue *const *v, size_t n);
    /* A value-only (keyword) search; always a self-contained group. */
    bool (*keyword)(sql_ctx *c, sbuf *b, const svalue *v);
    /* THE field resolution: `field` against c->table for `use`. pos is
     * where the rule names the field, for errors (an unknown field). False
     * with c->err set. *out stays valid while c->a lives; it is cleared
     * before the call and sql_column fills what the slot leaves unset. */
    bool (*column)(sql_ctx *c, const char *field, sql_use use, spos pos, sql_col *out);
    /* True if the leaf of a `null` / `exists` value is two-valued (never
     * NULL) whatever the column resolves to; false: it is NULL-free only on
     * an unwrapped column, and the driver judges Sigma's NOT by that. */
    bool null_tests_two_valued;
};

extern const sql_dialect sql_athena;

/* Renders a tree as a WHERE expression. */
bool sql_render_expr(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x);
/* The WHERE expression of a scan of `table`: the time window (reaching
 * `extend` seconds further back; window.h), AND the tree, or the tree alone
 * without a window. pos: where errors about the window column go. */
bool sql_render_where(sql_ctx *c, const sql_dialect *d, sbuf *b, const xnode *x, const char *table, long long extend,
                      spos pos);

/* SELECT <fields> FROM <table> WHERE <expr> for every condition of the rule.
 * table: the effective table (pipeline state or option), NULL for <TABLE>;
 * it becomes c->table. On success returns true with queries in *out
 * (arena strings). */
bool sql_rule_queries(sql_ctx *c, const sql_dialect *d, const char *table, const char ***out, size_t *nout);
/* The SELECT list for a rule's `fields` (or `*`); pos: the `fields` node. */
bool sql_select_list(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *const *fields, size_t nfields,
                     spos pos);
/* One item of `fields`: `*`, an SQL expression written as is (it has
 * parentheses), `field AS alias`, or a field (*plain set). */
bool sql_select_item(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *item, spos pos, bool *plain);
/* THE way to resolve a field: the dialect's column slot (d->column) on a
 * cleared *out; what the slot leaves unset gets its default (no schema
 * facts; exists/null test the value and wrapping of the comparisons). */
bool sql_column(sql_ctx *c, const sql_dialect *d, const char *field, sql_use use, spos pos, sql_col *out);
/* A field as a value (SQL_USE_VALUE) written into b. */
bool sql_put_value(sql_ctx *c, const sql_dialect *d, sbuf *b, const char *field, spos pos);

bool sql_fail(sql_ctx *c, spos pos, const char *fmt, ...) SIGMA_PRINTF(3, 4);
/* A problem of the rule against its table's schema (unknown field,
 * impossible value): an error (false, c->err) unless the context collects
 * problems or `warning` is set; then a note, and true (go on). Notes at the
 * same position with the same text are kept once. */
bool sql_problem(sql_ctx *c, spos pos, bool warning, const char *fmt, ...) SIGMA_PRINTF(4, 5);
/* Appends the notes of sub (a referenced rule's context) to c. */
void sql_take_notes(sql_ctx *c, const sql_ctx *sub);

#endif
