/* sigma.h - compile Sigma detection rules into Athena (Trino) SQL.
 *
 * Usage:
 *     sigma_compiler *c = sigma_compiler_new();
 *     sigma_set_option(c, "table", "security_events");   // optional, -O k=v
 *     sigma_add_file(c, "rules/proc_creation.yml");      // or sigma_add_source
 *     sigma_compile(c);
 *     for (size_t i = 0; i < sigma_result_count(c); i++) {
 *         const sigma_result *r = sigma_result_get(c, i);
 *         ...r->queries / r->error...
 *     }
 *     sigma_compiler_free(&c);
 *
 * Ownership: every pointer the library returns (results, queries, messages,
 * diagnostics) is owned by the compiler and stays valid until
 * sigma_compiler_free(). Strings passed in are copied; the caller keeps
 * ownership of them. The library never prints and never exits; the only
 * failure it does not report is running out of memory, which aborts.
 * A compiler is not thread-safe; use one per thread.
 */
#ifndef SIGMA_H
#define SIGMA_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sigma_compiler sigma_compiler;

typedef enum {
    SIGMA_OK = 0,
    SIGMA_ERULE = 1,  /* at least one rule failed (see its result's error) */
    SIGMA_EUSAGE = 2, /* bad option, pipeline or call; see sigma_last_error() */
    SIGMA_EIO = 3,    /* a file could not be read; see sigma_last_error() */
} sigma_status;

typedef enum { SIGMA_ERROR, SIGMA_WARNING } sigma_severity;

typedef struct sigma_diag {
    sigma_severity severity;
    const char *file;    /* the path as given (or the source name) */
    unsigned line;       /* 1-based; 0 when the problem has no position */
    unsigned column;     /* 1-based; 0 when the problem has no position */
    const char *message; /* no trailing newline */
} sigma_diag;

typedef struct sigma_result {
    const char *file;             /* input path as walked */
    const char *id;               /* rule id, or NULL */
    const char *title;            /* rule title, or NULL */
    const char *type;             /* "rule", "correlation" or "filter" */
    const char *const *queries;   /* nqueries SQL queries, one per condition */
    size_t nqueries;
    const sigma_diag *error;      /* NULL when the rule converted */
    const sigma_diag *warnings;   /* nwarnings entries */
    size_t nwarnings;
} sigma_result;

/* NULL only when out of memory. */
sigma_compiler *sigma_compiler_new(void);
/* Frees the compiler and everything it returned; sets *c to NULL. */
void sigma_compiler_free(sigma_compiler **c);

/* Backend option (`-O key=value`): table, time_field, element_at_fields,
 * keyword_fields, cidr (like|native), schema, and any pipeline variable
 * (available to pipelines as backend_<key>). SIGMA_EUSAGE for an invalid
 * value.
 * schema=PATH[,PATH...] loads table schemas: AWS Glue table JSON (*.json,
 * as `aws glue get-table` / `get-tables` print it) or Athena/Hive DDL
 * (*.sql, *.ddl, as `SHOW CREATE TABLE` prints it); a folder loads every
 * such file below it. Each call adds to the schemas; `none` turns the
 * built-in schemas off. A file that cannot be read or is malformed gives
 * SIGMA_EUSAGE with "path:line:col: message" (or "path: message") in
 * sigma_last_error(). See docs/schemas.md. */
sigma_status sigma_set_option(sigma_compiler *c, const char *key, const char *value);

/* Adds a processing pipeline: a built-in name, a YAML file or a directory of
 * *.yml files. SIGMA_EUSAGE if not found or invalid (sigma_last_error()). */
sigma_status sigma_add_pipeline(sigma_compiler *c, const char *spec);

/* Adds the rules of one file (all YAML documents). A file that cannot be
 * read gives SIGMA_EIO; a file with YAML or rule errors is accepted and
 * its rules report the errors after sigma_compile(). */
sigma_status sigma_add_file(sigma_compiler *c, const char *path);
/* Same for text in memory; name is used as the file in diagnostics. */
sigma_status sigma_add_source(sigma_compiler *c, const char *name, const char *text, size_t len);
/* Same as sigma_add_file on each path, in order, but the files are read
 * and parsed on several threads (environment SIGMA_THREADS=N, default: the
 * number of online CPUs); the rules keep the order of `paths`. If errors is
 * not NULL, errors[i] is NULL or the message of a file that could not be
 * read (owned by the compiler). SIGMA_EIO if any could not be read (the
 * last message is also in sigma_last_error()). */
sigma_status sigma_add_files(sigma_compiler *c, const char *const *paths, size_t n, const char **errors);

/* Converts everything added so far. SIGMA_OK if every rule converted,
 * SIGMA_ERULE if any failed (the others are still converted). */
sigma_status sigma_compile(sigma_compiler *c);

/* Validates every rule added so far without converting it (`sigma check`):
 * rule errors, modifier and condition errors, unknown detections become
 * SIGMA_ERROR diagnostics; validator findings become SIGMA_WARNING
 * diagnostics whose message ends in " [validator_name]". Validators named in
 * exclude[0..nexclude) are skipped. Read them with sigma_diag_count/get.
 * SIGMA_ERULE if there is any error. */
sigma_status sigma_check(sigma_compiler *c, const char *const *exclude, size_t nexclude);
/* NULL-terminated names of the validators sigma_check runs. */
extern const char *const sigma_validator_names[];

size_t sigma_result_count(const sigma_compiler *c);
/* i < sigma_result_count(); results are in input order. */
const sigma_result *sigma_result_get(const sigma_compiler *c, size_t i);

/* When the pipelines have finalizers (concat, json), the whole output as
 * one text after sigma_compile(); NULL otherwise (print the queries). */
const char *sigma_output(const sigma_compiler *c);

/* Diagnostics that belong to no rule (e.g. unused options). */
size_t sigma_diag_count(const sigma_compiler *c);
const sigma_diag *sigma_diag_get(const sigma_compiler *c, size_t i);

/* Text of the last SIGMA_EUSAGE / SIGMA_EIO error ("" if none). */
const char *sigma_last_error(const sigma_compiler *c);

/* NULL-terminated list of the value modifier ids the compiler knows. */
const char *const *sigma_modifiers(void);

/* For `sigma list`: NULL-terminated "name\tdescription" lines of what =
 * "pipelines" (built-in), "transformations" or "conditions"; NULL for
 * anything else. */
const char *const *sigma_list(const char *what);

/* For `sigma list schemas`: NULL-terminated "name\tdescription" lines of
 * the built-in table schemas. `{region}` in a name stands for any AWS
 * region written with underscores (eu_west_2). */
const char *const *sigma_builtin_schemas(void);

/* "0.1.0" */
const char *sigma_version(void);

#ifdef __cplusplus
}
#endif

#endif
