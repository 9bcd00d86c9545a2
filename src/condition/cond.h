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
 * tokens (space, tab, CR, LF; optional around parentheses).
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
    const cnode *l, *r; /* CN_AND/CN_OR: both; CN_NOT: l */
    const char *name;  /* CN_ID: identifier; CN_SEL: pattern (NUL-terminated) */
    cquant quant;      /* CN_SEL */
    bool is_them;      /* CN_SEL with "them" */
};

typedef struct cerror {
    size_t pos;          /* byte offset of the offending token (len for end of text) */
    const char *message; /* from the parser's arena */
} cerror;

/* Parses s[0..len) (NUL bytes inside are errors; s may be NULL when len is 0).
 * Returns NULL and fills *err (if err is non-NULL) on a syntax error. Node
 * positions: a binary node takes its left operand's pos; a parenthesised
 * expression is its inner node (the '(' is not part of it).
 * Messages, with err->pos:
 *   "condition too long (limit N bytes)"            SIGMA_MAX_COND_LEN; pos = that limit
 *   "the pipe syntax in conditions was replaced by correlation rules"
 *                                                   any '|', checked first; pos = the '|'
 *   "empty condition"                               empty/whitespace only; pos 0
 *   "unexpected character 'c'"                      non-printable bytes as '\xNN'
 *   "unexpected end of condition, expected an identifier, 'not', '(' or 'N of'"
 *                                                   pos = len
 *   "unexpected 'and', expected an identifier, 'not', '(' or 'N of'"  (or 'or', ')')
 *   "unexpected identifier 'x'"                     where an operator was expected
 *                                                   (long names cut to 60 bytes + "...")
 *   "unexpected 'AND' (operators are lower-case: and, or, not)"
 *                                                   an and/or/not in the wrong case where
 *                                                   an operator was expected, or used as
 *                                                   an operand right before one (`NOT a`)
 *   "unexpected 'not' (write 'and not' or 'or not')"
 *   "unexpected '(', expected 'and' or 'or'"
 *   "unexpected ')'"                                stray ')'
 *   "missing ')'"                                   pos = len
 *   "wildcard '*' is only allowed after '1 of', 'any of' or 'all of'"
 *                                                   pos = the '*'
 *   "expected a detection name pattern or 'them' after 'of'"
 *   "'-' is not allowed in a detection name pattern after 'of'"   pos = the '-'
 *   "condition nested too deeply (limit N)"         more than SIGMA_MAX_COND_DEPTH
 *                                                   nested '(' / 'not'; pos = that token
 * Never recurses deeper than SIGMA_MAX_COND_DEPTH levels; `and`/`or` chains
 * are loops and build left-leaning trees. All memory comes from `a`. */
cnode *cond_parse(arena *a, const char *s, size_t len, cerror *err);

/* True if `name` matches selector pattern `pat` (`*` matches any run,
 * full match, case-sensitive). Iterative, O(len(pat) * len(name)) worst
 * case. False if either is NULL. */
bool cond_pattern_match(const char *pat, const char *name);

/* Sigma's selector rule: does the `1 of` / `all of` node sel (CN_SEL) choose
 * the detection called `name`? `them` is the pattern `*`. A name that
 * starts with `_` is chosen only by a pattern that starts with `_` too
 * (pySigma's rule: helper detections, such as the `_filtN_` ones filters
 * add, stay out of `1 of them` and `1 of sel*`). */
bool cond_selects(const cnode *sel, const char *name);

/* The pattern of a CN_SEL node: its text, or `*` for `them`. */
const char *cond_sel_pattern(const cnode *sel);

/* Operands of the same-operator chain rooted at n (CN_AND or CN_OR), left
 * to right. The parser builds `a and b and c` as ((a and b) and c): this
 * walks that left spine without recursion. A right operand of the same
 * operator (from parentheses, `a and (b and c)`) stays one operand. Returns
 * the count; the array comes from `a`. */
size_t cond_flatten(arena *a, const cnode *n, const cnode ***out);

/* Condition trees are values: stages that edit a condition (filters,
 * pipelines) build new nodes over shared subtrees and never change a node
 * in place. New nodes have pos 0. */
cnode *cond_new(arena *a, cnode_kind kind, const cnode *l, const cnode *r);
cnode *cond_new_id(arena *a, const char *name);
cnode *cond_new_sel(arena *a, cquant quant, const char *pattern);

/* The condition as text with the fewest parentheses that keep its meaning
 * (same-operator chains written flat); parsing the text again gives the
 * tree with its same-operator chains left-leaning. For messages and tests.
 * Recursion depth is the tree's nesting, bounded at parse time. */
char *cond_text(arena *a, const cnode *n);

#endif
