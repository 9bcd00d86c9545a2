/* schema.h - table schemas: Glue/Hive types, loaders, lookup, field resolution.
 *
 * What a table looks like, so that a Sigma field can be checked and turned
 * into the right access on the user's real table. docs/schemas.md describes
 * the formats and rules for users; this header is the contract for code.
 *
 * Types (stype) are the Glue/Hive types Athena tables use: string,
 * varchar(n), char(n), boolean, tinyint, smallint, int (also spelled
 * integer), bigint, float, double, decimal(p,s), date, timestamp, binary,
 * array<T>, map<K,V> (K primitive), struct<name:T,...>. Type keywords are
 * case-insensitive; names keep their spelling.
 *
 * Tables (stable) come from
 *   - AWS Glue table JSON as `aws glue get-table` / `get-tables` print it
 *     ({"Table": {...}} or {"TableList": [...]}): Name, DatabaseName,
 *     Description, StorageDescriptor.Columns, PartitionKeys;
 *   - Athena/Hive DDL as `SHOW CREATE TABLE` prints it, one or more
 *     CREATE [EXTERNAL] TABLE statements separated by `;`;
 *   - the built-in schemas (schemas/ *.ddl, embedded at build time): the
 *     Security Lake v2 tables of every region and cloudtrail_logs.
 * A table's columns are one struct type (`row`): data columns first, then
 * partition keys, in the order of the source. Column and member names are
 * unique within their struct, compared ASCII case-insensitively.
 *
 * Errors: loaders stop at the first problem and write "path:line:col:
 * message" (1-based line; column counted in characters, as jansson and
 * libyaml count them). Nothing is added to a set from a file that fails.
 *
 * Memory: everything lives in the arena the set (or caller) gives; nothing
 * needs freeing. A loaded set is read-only: lookups and resolution may run
 * on several threads at once (the built-ins are parsed once per process). */
#ifndef SIGMA_SCHEMA_H
#define SIGMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/arena.h"
#include "../util/sbuf.h"

/* ------------------------------------------------------------------ types */

typedef enum {
    ST_STRING,
    ST_VARCHAR, /* len */
    ST_CHAR,    /* len */
    ST_BOOLEAN,
    ST_TINYINT,
    ST_SMALLINT,
    ST_INT,
    ST_BIGINT,
    ST_FLOAT,
    ST_DOUBLE,
    ST_DECIMAL, /* precision, scale */
    ST_DATE,
    ST_TIMESTAMP,
    ST_BINARY,
    ST_ARRAY,  /* elem */
    ST_MAP,    /* key, elem (the value type) */
    ST_STRUCT, /* members, nmembers */
} stype_kind;

typedef struct stype stype;

typedef struct smember {
    const char *name; /* as the schema spells it */
    const stype *type;
} smember;

struct stype {
    stype_kind kind;
    unsigned len;              /* varchar/char length */
    unsigned precision, scale; /* decimal */
    const stype *key;          /* map */
    const stype *elem;         /* array element, map value */
    const smember *members;    /* struct */
    size_t nmembers;
};

/* string, varchar, char: text that a JSON path may read into */
bool stype_is_text(const stype *t);
/* tinyint .. decimal */
bool stype_is_numeric(const stype *t);
/* not array, map or struct */
bool stype_is_primitive(const stype *t);

/* Parses one type at s[0..n): whitespace is allowed between tokens, member
 * names are a run of characters other than `:,<>()` and white space, or
 * back-quoted (`` ` `` doubled inside). Stops after the type and sets *end
 * to the offset after it (trailing white space not consumed). On error
 * returns NULL, *end is the offset of the problem and *msg the message. */
const stype *stype_parse(arena *a, const char *s, size_t n, size_t *end, const char **msg);
/* A whole Glue type string: like stype_parse but the type must be all of s
 * (surrounding white space allowed). */
const stype *stype_parse_all(arena *a, const char *s, size_t n, size_t *errpos, const char **msg);
/* Canonical Glue spelling: lower-case keywords, no spaces, members as
 * spelled (back-quoted when they would not parse bare). Parses back to an
 * equal type. */
void stype_format(sbuf *b, const stype *t);
/* Same structure, kinds, parameters and member names (names compared
 * exactly; case_fold compares them ASCII case-insensitively). */
bool stype_equal(const stype *x, const stype *y, bool case_fold);
/* The member named name[0..n) (ASCII case-insensitive), or NULL. */
const smember *stype_member(const stype *t, const char *name, size_t n);

/* ----------------------------------------------------------------- tables */

typedef struct stable {
    const char *database; /* NULL when the source names none */
    const char *name;
    const char *comment;  /* DDL COMMENT / Glue Description, or NULL */
    const stype *row;     /* ST_STRUCT: every column, partition keys last */
    size_t npartition;    /* the last npartition members of row are partition keys */
    const char *file;     /* where it was defined */
    unsigned line, col;
} stable;

typedef enum { SCHEMA_GLUE_JSON, SCHEMA_DDL } schema_format;

/* The tables of one file's text, appended to *out (grown in a). false with
 * "name:line:col: message" in err on the first problem. */
bool schema_load_glue(arena *a, const char *name, const char *text, size_t len, stable ***out, size_t *n,
                      char *err, size_t errlen);
bool schema_load_ddl(arena *a, const char *name, const char *text, size_t len, stable ***out, size_t *n,
                     char *err, size_t errlen);

/* One table as text: "db.name\n" then "  column type" lines, partition keys
 * marked " (partition)". For tests and for comparing two sources. */
void stable_format(sbuf *b, const stable *t);

/* ------------------------------------------------------------- schema set */

typedef struct schema_set schema_set;

/* An empty set that also finds the built-in schemas. */
schema_set *schema_set_new(arena *a);
/* -O schema=SPEC: a comma-separated list of files and folders (a folder:
 * every *.json, *.sql and *.ddl file below it, in sorted path order), or
 * `none` (no built-in schemas for this set). A file's format is its
 * extension (.json: Glue JSON; .sql, .ddl: DDL), else its first character
 * (`{` or `[`: Glue JSON). Each call adds to the set. false with a message
 * in err: "path:line:col: message" for a malformed file, "path: message"
 * when it cannot be read. A table defined twice (same name and database,
 * case-insensitive) is an error at the second definition. */
bool schema_set_add(schema_set *s, const char *spec, char *err, size_t errlen);
/* The tables of text in memory (name is used in messages). */
bool schema_set_add_text(schema_set *s, const char *name, const char *text, size_t len, schema_format fmt,
                         char *err, size_t errlen);
/* Whether the built-in schemas are consulted (default true). */
void schema_set_builtins(schema_set *s, bool on);
/* Number of tables loaded from files (built-ins not counted). */
size_t schema_set_count(const schema_set *s);
/* The i-th table loaded from files (i < schema_set_count). */
const stable *schema_set_table(const schema_set *s, size_t i);

typedef enum {
    SCHEMA_NOT_FOUND, /* no schema: the table is used as today */
    SCHEMA_FOUND,
    SCHEMA_AMBIGUOUS, /* no database given and several databases have it */
} schema_lookup;

/* The table a query's FROM names: `t`, `db.t`, `"db"."t"`, `catalog.db.t`
 * (the catalog is ignored). Names compare ASCII case-insensitively. Tables
 * loaded into the set come first: one with the same name whose database
 * matches (or that names no database; an exact database match wins); then
 * the built-ins. *out is the table (FOUND) or one of the candidates
 * (AMBIGUOUS). */
schema_lookup schema_set_find(const schema_set *s, const char *from, const stable **out);

/* The table `from` (a FROM reference, compared as written, ASCII
 * case-insensitively) has the schema of the table `schema` (looked up as
 * schema_set_find does): the pipeline state table_schema. A table that has
 * a schema of its own keeps it. NULL when done (or kept), else why not: no
 * schema of that name (with the built-ins turned off, such a name is
 * ignored), or the table was given another one before. Not thread-safe:
 * call before the lookups of a conversion start. */
const char *schema_set_alias(schema_set *s, const char *from, const char *schema);
/* True for a built-in table (schema_builtin_tables). */
bool stable_is_builtin(const stable *t);

/* The built-in tables (parsed once per process from the embedded files;
 * NULL if that failed, which the unit tests rule out). Names holding
 * `{region}` stand for any region: see schema_set_find. */
const stable *const *schema_builtin_tables(size_t *n);
/* NULL-terminated "name\tdescription" lines for `sigma list schemas`. */
const char *const *schema_builtin_list(void);

/* -------------------------------------------------------------- resolver */

/* How a Sigma field reaches a value, step by step from the table's row.
 * The resolver writes no SQL: the dialect turns the steps into text. */
typedef enum {
    SA_COLUMN,  /* a top-level column: name */
    SA_MEMBER,  /* a struct member: name */
    SA_MAP_KEY, /* element of a map: key (the rest of the path, one key) */
    SA_JSON,    /* JSON path into a text value: keys[0..nkeys) */
    SA_ANY,     /* any element of an array: the following steps apply to it */
} saccess_kind;

typedef struct sstep {
    saccess_kind kind;
    const char *name;        /* COLUMN, MEMBER: as the schema spells it; MAP_KEY: the key */
    const char *const *keys; /* JSON: the path's remaining parts, escapes removed */
    size_t nkeys;
    const stype *type;       /* the value after this step (JSON: NULL, text in JSON) */
} sstep;

typedef enum { SR_OK, SR_UNKNOWN } sresolve_status;

typedef struct sresolved {
    sresolve_status status;
    const sstep *steps;
    size_t nsteps;
    /* SR_OK: */
    const stype *leaf;    /* type of the value reached; NULL when it is JSON */
    bool json;            /* the value is read from JSON text (last step SA_JSON) */
    size_t trailing_any;  /* SA_ANY steps at the end (a path that ends on an
                             array compares its elements; exists/null drop them) */
    /* SR_UNKNOWN: steps resolved before the failure, and */
    const char *message;  /* "unknown field 'x': <detail>" */
    const char *detail;   /* where it stopped, with suggestions: "no column 'x'
                             (did you mean y?)" */
    const char *const *candidates; /* closest field paths, best first (at most 3) */
    size_t ncandidates;
} sresolved;

/* Resolves a Sigma field path against a table. The path is split on dots
 * not preceded by a backslash (`\.` is a literal dot); each part names a
 * column or member (ASCII case-insensitive; a part may also match a name
 * that holds dots, `a.b` as one column). Then:
 *   - past a map the rest of the path is one key (dots kept): SA_MAP_KEY;
 *   - past a text column/member the rest is a JSON path: SA_JSON;
 *   - through an array: SA_ANY, then the rest applies to the element
 *     (arrays of arrays nest); a path ending on an array gets SA_ANY steps
 *     down to a non-array element;
 *   - past any other type, or a name that is not there: SR_UNKNOWN with the
 *     closest field paths of the table by edit distance.
 * Memory from a. */
sresolved schema_resolve(arena *a, const stable *t, const char *field);

/* Every field path of a table (columns, members through arrays and
 * structs), spelled as the schema does with `\.` for dots in names, in
 * schema order; for suggestions and `sigma list`. */
const char *const *schema_field_paths(arena *a, const stable *t, size_t *n);

#endif
