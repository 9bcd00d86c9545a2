/* output.h - the output formats of converted rules.
 *
 * render.c is the shared driver behind sigma_render(): it names every
 * result (a file key from the rule's file name, unique in the run) and every
 * query (an identifier in the format's own namespace: CloudFormation logical
 * id, Terraform resource name, view name), leaves out what a format cannot
 * hold, and groups the pieces into texts: the whole output (split into parts
 * where the format has limits) or one file per result. Each format is one
 * file (default.c, json.c, cloudformation.c, terraform.c, views.c) that only
 * writes the pieces the driver hands it. escape.c is the one place where rule
 * text becomes JSON, YAML or HCL text; meta.c reads a rule's metadata into
 * its result.
 */
#ifndef SIGMA_OUTPUT_H
#define SIGMA_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "sigma.h"
#include "../rule/rule.h"
#include "../util/arena.h"
#include "../util/sbuf.h"

/* Athena's limit on a query string, in bytes (also util/limits.h). */
#define OUT_ATHENA_QUERY_LIMIT 262144

/* The options of the formats (sigma_set_option keys athena_database,
 * athena_workgroup, view_prefix). */
typedef struct out_options {
    const char *database;    /* NULL: not given */
    const char *workgroup;   /* NULL: not given */
    const char *view_prefix; /* NULL: the default, "sigma_" */
} out_options;

/* Checks of the option values: NULL when valid, else why not (a message
 * with no format directives). */
const char *out_check_database(const char *v);
const char *out_check_workgroup(const char *v);
const char *out_check_view_prefix(const char *v);

/* What a format writes at a time: one query of a result (res->queries[k]),
 * or a whole result for a format with per_result. */
typedef struct out_item {
    const sigma_result *res;
    size_t k;         /* the query (0 for a whole result) */
    const char *name; /* the query's unique identifier (NULL if the format has none) */
    size_t index;     /* position in the text being written, from 0 */
} out_item;

typedef struct out_format {
    const char *name, *ext, *description;
    bool per_result; /* items are results, not queries */
    bool pack;       /* writes the rule packs (sigma_packs) */
    bool deploy;     /* Athena named queries: needs athena_database, leaves out queries over Athena's limit */
    /* the whole output is split into parts of at most max_items items and
     * max_bytes bytes (0: no limit) */
    size_t max_items, max_bytes;
    /* Writes the identifier of query k (from 0) of the result whose file
     * key is `key`, before it is made unique; NULL for a format without
     * identifiers. ident_sep goes between an identifier and the number that
     * makes it unique. */
    void (*ident)(sbuf *b, const char *key, size_t k, const out_options *o);
    const char *ident_sep;
    /* One text: begin (may be NULL), each item, end (may be NULL) with the
     * number of items written. */
    void (*begin)(sbuf *b, const out_options *o);
    void (*item)(sbuf *b, const out_item *it, const out_options *o);
    void (*end)(sbuf *b, size_t nitems, const out_options *o);
} out_format;

extern const out_format out_default, out_json, out_jsonl, out_cloudformation, out_terraform, out_views, out_pack;

/* The formats in the order `sigma list formats` shows them; NULL-terminated. */
extern const out_format *const out_formats[];
/* The same as sigma_list_entries("formats") returns them. */
const sigma_entry *out_format_entries(size_t *n);
/* Frees what the last sigma_render() returned (sigma_compiler_free). */
void out_render_free(sigma_compiler *c);

/* ------------------------------------------------------------ escape.c */

/* A JSON string: "..." with ", \ and control characters escaped, valid
 * UTF-8 copied, an invalid byte written \ufffd; NULL is null. */
void out_json_str(sbuf *b, const char *s);
/* A YAML double-quoted scalar that YAML 1.1 and 1.2 parsers read back as
 * exactly s[0..n): ", \ and everything outside YAML's printable set (control
 * characters, C1, U+2028/U+2029 line separators, U+FEFF, U+FFFE/U+FFFF)
 * escaped; an invalid UTF-8 byte becomes U+FFFD. */
void out_yaml_str(sbuf *b, const char *s, size_t n);
/* An HCL quoted template string that reads back as exactly s[0..n): ", \ and
 * control characters escaped, the $ of ${ and the % of %{ written \u0024
 * and \u0025 (never an interpolation or a directive); an invalid UTF-8
 * byte becomes U+FFFD. */
void out_hcl_str(sbuf *b, const char *s, size_t n);
/* The length in bytes of the longest start of s with at most max code
 * points (never cutting a UTF-8 sequence). */
size_t out_prefix_len(const char *s, size_t max);

/* A string writer of the formats: out_yaml_str, out_hcl_str. */
typedef void (*out_str_fn)(sbuf *b, const char *s, size_t n);

/* ------------------------------------------------------------ render.c */

/* The labels of a named query's fields, each written just before its
 * value (so a label also ends the field before it). */
typedef struct out_query_labels {
    const char *name, *description, *database, *workgroup, *query;
} out_query_labels;

/* The fields of a named query, each label followed by its value written
 * with put: Name, the rule's title (or the query's identifier when the rule
 * has none) with " #2", " #3" ... for a rule's later queries, cut to
 * Athena's 128 characters; Description, the rule's description cut to
 * 1,024 characters (only when it has one, not empty); Database; WorkGroup
 * (only when given); and the query. Nothing after the query's value. */
void out_named_query(sbuf *b, const out_item *it, const out_options *o, const out_query_labels *l, out_str_fn put);

/* The end of a text of SQL statements separated by blank lines (default,
 * pack, views): a newline after the last, nothing when there is none. */
void out_end_newline(sbuf *b, size_t nitems, const out_options *o);

/* ------------------------------------------------------------ meta.c */

/* Sets res's metadata (level ... attack_tactics) from the rule's document,
 * with memory from a. */
void out_meta_fill(arena *a, sigma_result *res, const srule *r);

/* ------------------------------------------------------------ json.c */

/* The JSON object of one result, as `-f json` writes it (no newline). */
void out_json_object(sbuf *b, const sigma_result *r);

#endif
