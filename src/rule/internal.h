/* internal.h - shared by the files of src/rule only: YAML node tests and
 * the document parsers each file contributes (document.c dispatches). */
#ifndef SIGMA_RULE_INTERNAL_H
#define SIGMA_RULE_INTERNAL_H

#include <ctype.h>

#include "rule.h"

static inline bool is_str(const ynode *n)
{
    return n && n->kind == YN_SCALAR && n->u.s.type == YT_STR;
}

static inline bool is_null(const ynode *n)
{
    return !n || (n->kind == YN_SCALAR && n->u.s.type == YT_NULL);
}

static inline bool all_scalars(const ynode *n)
{
    for (size_t i = 0; i < n->u.seq.n; i++)
        if (n->u.seq.items[i]->kind != YN_SCALAR)
            return false;
    return true;
}

/* The word pySigma's messages use for a node's type. */
static inline const char *kind_name(const ynode *n)
{
    if (n->kind == YN_SEQ)
        return "list";
    if (n->kind == YN_MAP)
        return "map";
    switch (n->u.s.type) {
    case YT_NULL:
        return "null";
    case YT_BOOL:
        return "boolean";
    case YT_INT:
        return "integer";
    case YT_FLOAT:
        return "number";
    case YT_DATE:
        return "date";
    default:
        return "string";
    }
}

/* The text of a scalar for a message, else its kind. */
static inline const char *scalar_or_kind(const ynode *n)
{
    return n->kind == YN_SCALAR ? n->u.s.text : kind_name(n);
}

/* ASCII case-insensitive equality (ids, enum-like attribute values). */
static inline bool lower_eq(const char *s, const char *t)
{
    for (; *s && *t; s++, t++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*t))
            return false;
    return *s == *t;
}

/* rule.c: the attributes every document has (id, name, title, level,
 * status, tags, dates, fields, ...) and the log source. */
bool rule_check_common(arena *a, srule *r, const ynode *doc);
bool rule_parse_logsource(arena *a, srule *r, const ynode *doc, const char *what);

/* detection.c: every named detection of the mapping `det` (skipping
 * `condition`, and `rules` for a filter). */
bool parse_detections(arena *a, srule *r, const ynode *det, bool is_filter);

/* correlation.c, filter.c: the documents that are not plain rules. */
void parse_correlation(arena *a, srule *r, const ynode *doc);
void parse_filter(arena *a, srule *r, const ynode *doc);

#endif
