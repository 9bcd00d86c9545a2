/* ynode.h - YAML documents as an immutable node tree with source positions.
 *
 * Built from libyaml's event API. The tree is what PyYAML's safe loader
 * constructs (YAML 1.1), because rule authors test their rules against
 * pySigma: scalars typed by its implicit resolvers and explicit tags, merge
 * keys ("<<: *a", "<<: [*a, *b]") already merged, so no merge key is left in
 * the tree (a quoted "<<" is an ordinary key). Every node remembers its
 * 1-based line and column. Aliases resolve to the anchored node itself
 * (shared, never copied), and merged pairs share their keys and values; a
 * node budget counted over the *expanded* tree stops alias bombs, merges
 * included.
 */
#ifndef SIGMA_YNODE_H
#define SIGMA_YNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } ynode_kind;

/* Type of a scalar after PyYAML-compatible resolution. */
typedef enum {
    YT_STR,   /* any quoted/block scalar, explicit !!str, or unresolved plain */
    YT_NULL,  /* ~ null Null NULL or empty plain scalar */
    YT_BOOL,  /* yes/no/on/off/true/false in PyYAML's spellings */
    YT_INT,   /* decimal, 0x, 0b, 0 (octal), sexagesimal, with _ separators */
    YT_FLOAT, /* PyYAML float regex incl. .inf/.nan and sexagesimal floats */
    YT_DATE,  /* YYYY-MM-DD or a full timestamp; text kept verbatim */
} yscalar_type;

typedef struct ynode ynode;
typedef struct ypair {
    ynode *key, *value;
} ypair;

struct ynode {
    ynode_kind kind;
    uint32_t line, col; /* 1-based position of the node's first character */
    union {
        struct {
            const char *text; /* NUL-terminated; may contain NUL bytes (see len) */
            size_t len;
            yscalar_type type;
            bool plain;       /* plain (unquoted) style */
            bool bval;        /* YT_BOOL */
            bool int_big;     /* YT_INT that does not fit in int64 */
            int64_t ival;     /* YT_INT when !int_big */
            double fval;      /* YT_FLOAT; also YT_INT's value as a double */
        } s;
        struct {
            ynode **items;
            size_t n;
        } seq;
        struct {
            ypair *pairs; /* in document order */
            size_t n;
        } map;
    } u;
};

typedef struct ydoc {
    ynode *root;        /* NULL for an empty document (e.g. a trailing ---) */
    uint32_t line, col; /* position of the document start */
} ydoc;

typedef struct yerror {
    uint32_t line, col;
    char message[256];
} yerror;

/* Parses every document of buf[0..len). All memory comes from `a`.
 * On success returns true and sets *docs and *ndocs (a completely empty input
 * gives zero documents). On failure returns false and fills *err with the
 * first problem: a libyaml syntax error (its message and position),
 * "duplicate key 'k'" (at the second key), "unknown alias 'x'",
 * "too many YAML nodes (limit N)" (limits.h: SIGMA_MAX_YAML_NODES counted
 * with alias expansion), "YAML nesting too deep (limit N)", or, once a
 * document is parsed, what PyYAML's SafeLoader fails on, at the offending
 * node: "expected a mapping or list of mappings for merging, but found
 * scalar", "expected a mapping for merging, but found sequence", "could not
 * determine a constructor for the tag '!x'", "found unhashable key", "expected
 * a scalar node, but found mapping" (a tag on the wrong kind of node),
 * "invalid value 'x' for the tag '...'" and "the tag '...' is not supported"
 * (binary, set, omap, pairs). */
bool yaml_load(arena *a, const char *buf, size_t len, ydoc **docs, size_t *ndocs, yerror *err);


/* Lookup of a string key in a mapping node (NULL if absent / not a map). */
ynode *ymap_get(const ynode *map, const char *key);
/* True if n is a scalar whose text equals s exactly. */
bool yscalar_is(const ynode *n, const char *s);

/* Resolve a plain scalar the way PyYAML does. Exposed for tests. Sets the
 * type and numeric/bool members of n->u.s from n->u.s.text/len. */
void yaml_resolve_plain(ynode *n);

#endif
