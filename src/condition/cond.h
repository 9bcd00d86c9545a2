/* cond.h - Sigma condition expressions: lexer + recursive-descent parser.
 *
 * Grammar (precedence low -> high):  or  <  and  <  not  <  x of  <  ( )
 *   expr   := and ('or' and)*
 *   and    := unary ('and' unary)*
 *   unary  := 'not' unary | primary
 *   primary:= '(' expr ')' | quant 'of' pattern | IDENT
 *   quant  := '1' | 'any' | 'all'
 * Operators are lower-case whole words: `notepad` is an identifier, not
 * `not epad`. IDENT is [A-Za-z0-9_-]+; a selector pattern is [A-Za-z0-9_*]+
 * or `them`. Binary operators are left-associative. Any whitespace separates
 * tokens.
 */
#ifndef SIGMA_COND_H
#define SIGMA_COND_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/arena.h"

typedef enum {
    CN_AND, /* l and r */
    CN_OR,  /* l or r */
    CN_NOT, /* not l */
    CN_ID,  /* name */
    CN_SEL, /* quant of pattern ("them" is stored as pattern "them", is_them) */
} cnode_kind;

typedef enum { CQ_ANY, CQ_ALL } cquant; /* "1 of" and "any of" are CQ_ANY */

typedef struct cnode cnode;
struct cnode {
    cnode_kind kind;
    size_t pos;        /* byte offset of the node's first token in the condition */
    cnode *l, *r;      /* CN_AND/CN_OR: both; CN_NOT: l */
    const char *name;  /* CN_ID: identifier; CN_SEL: pattern (NUL-terminated) */
    cquant quant;      /* CN_SEL */
    bool is_them;      /* CN_SEL with "them" */
};

typedef struct cerror {
    size_t pos; /* byte offset of the offending token (len for end of text) */
    char message[200];
} cerror;

/* Parses s[0..len). Returns NULL and fills *err on a syntax error, e.g.
 *   "unexpected end of condition, expected an identifier, 'not', '(' or 'N of'"
 *   "unexpected ')'", "missing ')'", "unexpected 'AND' (operators are lower-case)",
 *   "unexpected character '$'",
 *   "the pipe syntax in conditions was replaced by correlation rules"  (any '|'),
 *   "condition nested too deeply (limit N)"  (SIGMA_MAX_COND_DEPTH).
 * Never recurses deeper than SIGMA_MAX_COND_DEPTH. */
cnode *cond_parse(arena *a, const char *s, size_t len, cerror *err);

/* True if `name` matches selector pattern `pat` (`*` matches any run,
 * full match, case-sensitive). */
bool cond_pattern_match(const char *pat, const char *name);

#endif
