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
 * sigma_compiler_free(); lists of names (sigma_list_entries and the like)
 * are static. Strings passed in are copied; the caller keeps ownership of
 * them. The library never prints and never exits, with one exception:
 *
 * Out of memory: the library writes "sigma: out of memory" to standard
 * error and calls abort(). No function reports an allocation failure,
 * except sigma_compiler_new(), which returns NULL when it cannot allocate
 * the compiler itself. A program that must survive memory exhaustion runs
 * the conversion in a child process.
 *
 * Threads: a compiler is not thread-safe; use one per thread (nothing
 * global is written, so separate compilers run in parallel). Inside one
 * call, sigma_add_files() and sigma_compile() spread their work over
 * sigma_set_threads() threads; the results do not depend on that number.
 * The library reads no environment variable.
 *
 * Versions: SIGMA_VERSION_MAJOR/MINOR/PATCH, SIGMA_VERSION_STRING and
 * SIGMA_VERSION_NUMBER (sigma_version.h) are those of these headers;
 * sigma_version() is that of the library linked. Only the functions below
 * are exported from the shared library (all named sigma_*).
 */
#ifndef SIGMA_H
#define SIGMA_H

#include <stdbool.h>
#include <stddef.h>

#include "sigma_version.h"

#if defined(_WIN32)
#define SIGMA_API
#elif defined(__GNUC__) || defined(__clang__)
#define SIGMA_API __attribute__((visibility("default")))
#else
#define SIGMA_API
#endif

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

/* "ok", "a rule failed", "usage error", "input/output error"; "unknown
 * status" for any other value. */
SIGMA_API const char *sigma_status_string(sigma_status st);

typedef enum { SIGMA_ERROR, SIGMA_WARNING } sigma_severity;

typedef struct sigma_diag {
    sigma_severity severity;
    const char *file;    /* the path as given (or the source name) */
    unsigned line;       /* 1-based; 0 when the problem has no position */
    unsigned column;     /* 1-based; 0 when the problem has no position */
    const char *message; /* no trailing newline */
} sigma_diag;

/* Writes d as the command prints it, "file:line:col: error: message" (or
 * "file: warning: message" without a position), with no newline, into
 * buf[0..size) like snprintf: always NUL-terminated when size > 0, and
 * returns the length of the whole text, so a return value >= size means
 * the text was cut (call again with a buffer of return + 1 bytes). */
SIGMA_API size_t sigma_diag_format(const sigma_diag *d, char *buf, size_t size);

/* What a result comes from. */
typedef enum {
    SIGMA_RULE = 0,        /* a detection rule */
    SIGMA_CORRELATION = 1, /* a correlation rule */
    SIGMA_FILTER = 2,      /* a filter that failed to load (a valid filter has no result) */
    SIGMA_PACK = 3,        /* a rule pack (sigma_packs): one query for several rules */
} sigma_result_type;

/* "rule", "correlation", "filter", "pack" (the "type" of `sigma convert -f json`);
 * "unknown" for any other value. */
SIGMA_API const char *sigma_result_type_name(sigma_result_type t);

/* The log source a rule names (each NULL when the rule does not give it). */
typedef struct sigma_logsource {
    const char *category, *product, *service, *definition;
} sigma_logsource;

/* A MITRE ATT&CK tactic named by an attack.<tactic> tag: "TA0002",
 * "Execution". */
typedef struct sigma_attack_tactic {
    const char *id, *name;
} sigma_attack_tactic;

/* Results are only ever read through the pointers sigma_result_get()
 * returns: members are added at the end (the struct's size may grow
 * between versions), never removed or moved. */
typedef struct sigma_result {
    const char *file;             /* input path as walked */
    const char *id;               /* rule id, or NULL */
    const char *title;            /* rule title, or NULL */
    sigma_result_type type;
    const char *const *queries;   /* nqueries SQL queries, one per condition */
    size_t nqueries;
    const sigma_diag *error;      /* NULL when the rule converted */
    const sigma_diag *warnings;   /* nwarnings entries */
    size_t nwarnings;
    /* Added in 0.2.0: the rule's metadata as its document gives it (after
     * `action: global`/`repeat` merging, before any pipeline), also for a
     * rule that failed. Scalars keep the text as written (dates such as
     * "2024-05-01" included); NULL or 0 entries when absent. */
    const char *level, *status, *description, *author, *date, *modified;
    const char *const *tags;      /* ntags tags, as written */
    size_t ntags;
    const char *const *references;
    size_t nreferences;
    const char *const *falsepositives;
    size_t nfalsepositives;
    const sigma_logsource *logsource; /* NULL when the document has none */
    /* From the attack.* tags, in tag order, each once: technique ids
     * ("attack.t1059.001" -> "T1059.001") and tactics (attack.execution ->
     * TA0002 "Execution"; the tactics of MITRE ATT&CK Enterprise v19). */
    const char *const *attack_techniques;
    size_t nattack_techniques;
    const sigma_attack_tactic *attack_tactics;
    size_t nattack_tactics;
    /* Added in 0.2.0, for results of type SIGMA_PACK (NULL / 0 for the
     * others): the table the pack reads (NULL: <TABLE>) and the labels of
     * the rules it covers (each rule's id, else name, else title), in the
     * order of its sigma_rules. */
    const char *table;
    const char *const *rules;
    size_t nrules;
} sigma_result;

/* NULL only when out of memory. */
SIGMA_API sigma_compiler *sigma_compiler_new(void);
/* Frees the compiler and everything it returned; sets *c to NULL. */
SIGMA_API void sigma_compiler_free(sigma_compiler **c);

/* Backend option (`-O key=value`): one of sigma_list_entries("backend-
 * options") (table, time_field, element_at_fields, keyword_fields, cidr),
 * or any pipeline variable. Every option is also available to pipelines
 * as the variable backend_<key>; setting a key again replaces its value,
 * except that element_at_fields and keyword_fields add to their lists,
 * each name once (every column uses the whole element_at_fields list, the {field} of a
 * pipeline's query_expression_placeholders too; the pipeline variable
 * backend_element_at_fields holds the last value).
 * An option that neither the backend nor a loaded pipeline uses gets a
 * warning from sigma_compile(). SIGMA_EUSAGE for an invalid value.
 * schema=PATH[,PATH...] loads table schemas: AWS Glue table JSON (*.json,
 * as `aws glue get-table` / `get-tables` print it) or Athena/Hive DDL
 * (*.sql, *.ddl, as `SHOW CREATE TABLE` prints it); a folder loads every
 * such file below it. Each call adds to the schemas; `none` turns the
 * built-in schemas off. A file that cannot be read or is malformed gives
 * SIGMA_EUSAGE with "path:line:col: message" (or "path: message") in
 * sigma_last_error(). See docs/schemas.md.
 * The output options of sigma_render(): athena_database (the Glue database
 * of the named queries: 1 to 255 characters, no control characters),
 * athena_workgroup (an Athena workgroup name, [A-Za-z0-9._-]{1,128}) and
 * view_prefix (the start of every view name: [A-Za-z0-9_]*, optionally
 * after catalog/schema parts such as "detections." or "awsdatacatalog.db.";
 * default "sigma_").
 * The time window of every query (docs/windows.md): window (a length back
 * from current_timestamp, "15m", "2h", "1d", "1w", or "params" for ?
 * prepared-statement parameters), or since / until (ISO-8601 instants, a
 * fixed window [since, until)); window and since/until exclude each other,
 * since must be earlier than until. correlation_method ("sliding", the
 * default, or "tumbling"), correlation_output ("events", the default, or
 * "alerts"), pack_fields (fields every pack query selects; adds to the
 * list). */
SIGMA_API sigma_status sigma_set_option(sigma_compiler *c, const char *key, const char *value);

/* Threads for the parallel phases (reading and parsing files, writing SQL):
 * 1 to 64 (more is 64), 0 for one per online CPU (the default). Takes
 * effect from the next call; the output does not depend on it. */
SIGMA_API sigma_status sigma_set_threads(sigma_compiler *c, unsigned n);

/* Metadata defects (a malformed id, name, title, status, level, tag, date,
 * references, falsepositives, ...: attributes that do not change what a
 * rule detects) are warnings of the rule's result by default, and the rule
 * is converted. strict = true makes the first defect the rule's error
 * instead, refusing the rule as pySigma does. Takes effect from the next
 * sigma_compile(); sigma_check() always reports defects as errors. */
SIGMA_API sigma_status sigma_set_strict(sigma_compiler *c, bool strict);

/* Adds a processing pipeline: a built-in name, a YAML file or a directory of
 * *.yml files. SIGMA_EUSAGE if not found or invalid (sigma_last_error()). */
SIGMA_API sigma_status sigma_add_pipeline(sigma_compiler *c, const char *spec);

/* Adds the rules of one file (all YAML documents). A file that cannot be
 * read gives SIGMA_EIO; a file with YAML or rule errors is accepted and
 * its rules report the errors after sigma_compile(). */
SIGMA_API sigma_status sigma_add_file(sigma_compiler *c, const char *path);
/* Same for text in memory; name is used as the file in diagnostics. */
SIGMA_API sigma_status sigma_add_source(sigma_compiler *c, const char *name, const char *text, size_t len);
/* Same as sigma_add_file on each path, in order, but the files are read
 * and parsed on several threads (sigma_set_threads); the rules keep the
 * order of `paths`. If errors is not NULL, errors[i] is NULL or the message
 * of a file that could not be read (owned by the compiler). SIGMA_EIO if
 * any could not be read (the last message is also in sigma_last_error()). */
SIGMA_API sigma_status sigma_add_files(sigma_compiler *c, const char *const *paths, size_t n, const char **errors);

/* Converts everything added so far. SIGMA_OK if every rule converted,
 * SIGMA_ERULE if any failed (the others are still converted). */
SIGMA_API sigma_status sigma_compile(sigma_compiler *c);

/* Validates every rule added so far without converting it (`sigma check`):
 * rule errors, modifier and condition errors, unknown detections become
 * SIGMA_ERROR diagnostics; validator findings become SIGMA_WARNING
 * diagnostics whose message ends in " [validator_name]". Validators named in
 * exclude[0..nexclude) are skipped. Read them with sigma_diag_count/get.
 * SIGMA_ERULE if there is any error. */
SIGMA_API sigma_status sigma_check(sigma_compiler *c, const char *const *exclude, size_t nexclude);
/* NULL-terminated names of the validators sigma_check runs. */
SIGMA_API const char *const *sigma_validators(void);

SIGMA_API size_t sigma_result_count(const sigma_compiler *c);
/* i < sigma_result_count(); results are in input order. */
SIGMA_API const sigma_result *sigma_result_get(const sigma_compiler *c, size_t i);

/* When the pipelines have finalizers (concat, json), the whole output as
 * one text after sigma_compile(); NULL otherwise (print the queries). */
SIGMA_API const char *sigma_output(const sigma_compiler *c);

/* One text of sigma_render(). */
typedef struct sigma_output_file {
    const char *name; /* file name (SIGMA_RENDER_PER_RULE), else NULL */
    const char *text; /* len bytes, NUL-terminated */
    size_t len;
} sigma_output_file;

/* sigma_render() flags. */
#define SIGMA_RENDER_PER_RULE 1u /* one file per rule instead of the whole output */
#define SIGMA_RENDER_PACK 2u     /* the results of sigma_packs() instead of one per rule */

/* Rule packs (`sigma convert --pack`), after sigma_compile(): the converted
 * plain rules of each table in as few queries as Athena's 262,144-byte
 * limit allows, each
 *
 *   SELECT * FROM (SELECT <columns>, <labels of the rules the row matches>
 *   AS sigma_rules FROM <table> [WHERE <time window>]) WHERE
 *   cardinality(sigma_rules) > 0
 *
 * as a result of type SIGMA_PACK (one query; `table` and `rules` set;
 * `file` is "pack_<N>", `title` names the table and the number of rules).
 * After the packs come, unchanged, the results that cannot be packed and
 * have queries: correlations, and rules whose pipelines postprocess their
 * queries. The columns are those the rules need (docs/output.md). A rule
 * that failed is in no pack (its error is in its own result). *results
 * stays valid until the next sigma_compile() or sigma_compiler_free();
 * SIGMA_EUSAGE when the pipelines have finalizers (their output is one
 * text of the queries of every rule). */
SIGMA_API sigma_status sigma_packs(sigma_compiler *c, const sigma_result **results, size_t *n);

/* Writes the results of sigma_compile() in an output format, one of
 * sigma_list_entries("formats"): "default" (the queries, separated by a
 * blank line), "json" (an array with an object per result), "jsonl" (one
 * object per line), "cloudformation" (a template of AWS::Athena::NamedQuery
 * resources), "terraform" (aws_athena_named_query resources), "views"
 * (CREATE OR REPLACE VIEW statements) or "pack" ("default" of the packs of
 * sigma_packs()). The options athena_database
 * (required by cloudformation and terraform), athena_workgroup and
 * view_prefix (default "sigma_") of sigma_set_option() apply.
 *
 * Without flags, *files is the whole output: one text, or for
 * cloudformation one template per part when the queries do not fit in one
 * stack (at most 400 resources and 800,000 bytes each). With
 * SIGMA_RENDER_PACK, the results are those of sigma_packs(). With
 * SIGMA_RENDER_PER_RULE, one file per result that has queries, in input
 * order, each named from the rule's file name plus the format's extension
 * ("proc_creation_win_x.sql"), unique in the run (case-insensitively: a
 * name taken by an earlier result gets "_2", "_3", ...). Resource and view
 * names are unique and depend only on the inputs and their order.
 *
 * cloudformation and terraform leave out a query over Athena's 262,144-byte
 * limit (Athena would refuse to create it) and add a warning to the run's
 * diagnostics (sigma_diag_count/get; the next call replaces them). When the pipelines have finalizers
 * (sigma_output() is not NULL), the whole output of "default" and "json" is
 * that text plus a newline, and any other format or flag is SIGMA_EUSAGE.
 * SIGMA_EUSAGE (sigma_last_error()) for an unknown format or a missing
 * option. The files stay valid until the next sigma_render() call or
 * sigma_compiler_free(). */
SIGMA_API sigma_status sigma_render(sigma_compiler *c, const char *format, unsigned flags,
                                    const sigma_output_file **files, size_t *nfiles);

/* Receives the text of sigma_render_stream() piece by piece: len bytes
 * (not NUL-terminated). Returns 0, or anything else to report a failed
 * write (the rest is not written). */
typedef int (*sigma_write_fn)(void *ctx, const char *text, size_t len);

/* The whole output of a format (as sigma_render without flags), given to
 * write as it is produced, in pieces, instead of held in memory. When the
 * output needs several parts (cloudformation over one stack), nothing is
 * written and the result is SIGMA_EUSAGE; SIGMA_EIO when write failed. */
SIGMA_API sigma_status sigma_render_stream(sigma_compiler *c, const char *format, sigma_write_fn write, void *ctx);

/* Diagnostics that belong to no rule (e.g. unused options). */
SIGMA_API size_t sigma_diag_count(const sigma_compiler *c);
SIGMA_API const sigma_diag *sigma_diag_get(const sigma_compiler *c, size_t i);

/* Text of the last SIGMA_EUSAGE / SIGMA_EIO error ("" if none). */
SIGMA_API const char *sigma_last_error(const sigma_compiler *c);

/* NULL-terminated list of the value modifier ids the compiler knows. */
SIGMA_API const char *const *sigma_modifiers(void);

/* One name the compiler knows, with a one-line description ("" if none). */
typedef struct sigma_entry {
    const char *name;
    const char *description;
} sigma_entry;

/* What `sigma list WHAT` prints: WHAT is "formats" (of sigma_render),
 * "pipelines" (built-in),
 * "transformations" (with postprocessing and finalizers), "conditions",
 * "modifiers", "validators", "backend-options", "correlation-methods"
 * (sliding, tumbling) or "schemas" (the built-in
 * table schemas; `{region}` in a name stands for any AWS region written
 * with underscores, eu_west_2). Sets *n to the number of
 * entries and returns them, or returns NULL (and *n = 0) for anything else. */
SIGMA_API const sigma_entry *sigma_list_entries(const char *what, size_t *n);

/* The same lists as NULL-terminated "name\tdescription" lines, for
 * "pipelines", "transformations" and "conditions"; NULL for anything else.
 * Kept for existing callers: prefer sigma_list_entries. */
SIGMA_API const char *const *sigma_list(const char *what);

/* The library's version, "0.2.0" (SIGMA_VERSION_STRING of its build). */
SIGMA_API const char *sigma_version(void);

#ifdef __cplusplus
}
#endif

#endif
