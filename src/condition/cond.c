/* cond.c - Sigma condition expressions: lexer + recursive-descent parser.
 *
 * The lexer yields four token kinds: end of text, '(', ')' and WORD, a
 * maximal run of [A-Za-z0-9_*-]. Whether a WORD is an operator (and, or,
 * not), a quantifier (1, any, all followed by the word `of`), a selector
 * pattern or an identifier is decided by the parser, so operators are
 * always whole words. The parser recurses only through '(' and 'not', both
 * of which count against SIGMA_MAX_COND_DEPTH before recursing; chains of
 * `and` / `or` are loops.
 */
#include "cond.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

enum { T_END, T_LP, T_RP, T_WORD };

typedef struct {
    int type;
    size_t pos, len;
} tok;

typedef struct {
    arena *a;
    const char *s;
    size_t len;
    size_t i; /* lexer position: first byte after the current token */
    tok t;    /* current (lookahead) token */
    int depth;
    cerror *err;
    bool failed;
    /* The operand just parsed was an identifier at [id_pos, id_pos+id_len):
     * used to blame `NOT` in `a and NOT b` rather than the `b` after it. */
    bool last_id;
    size_t id_pos, id_len;
} parser;

#define EXPECTED_OPERAND "expected an identifier, 'not', '(' or 'N of'"
#define MAX_SHOWN 60 /* bytes of a word quoted in a message */

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum_(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_word(unsigned char c)
{
    return is_alnum_(c) || c == '*' || c == '-';
}

static void *fail(parser *p, size_t pos, const char *fmt, ...) SIGMA_PRINTF(3, 4);

static void *fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (!p->failed) {
        p->failed = true;
        p->err->pos = pos;
        va_list ap;
        va_start(ap, fmt);
        p->err->message = arena_vprintf(p->a, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

/* Shown form of a word: at most MAX_SHOWN bytes, "..." when cut. Words hold
 * only printable ASCII, so no escaping is needed. */
static int shown_len(size_t n)
{
    return (int)(n > MAX_SHOWN ? MAX_SHOWN : n);
}

static const char *shown_tail(size_t n)
{
    return n > MAX_SHOWN ? "..." : "";
}

static bool tok_is(const parser *p, const tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->type == T_WORD && t->len == n && memcmp(p->s + t->pos, w, n) == 0;
}

static bool cur_is(const parser *p, const char *w)
{
    return tok_is(p, &p->t, w);
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* True if s[0..n) equals and/or/not ignoring case. */
static bool is_operator_ci(const char *s, size_t n)
{
    static const char *const ops[] = {"and", "or", "not"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        if (strlen(ops[k]) != n)
            continue;
        size_t j = 0;
        while (j < n && lower(s[j]) == ops[k][j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* Reads the next token into p->t. False (with the error set) on a byte that
 * cannot start a token. */
static bool advance(parser *p)
{
    size_t i = p->i;
    while (i < p->len && is_ws((unsigned char)p->s[i]))
        i++;
    p->t.pos = i;
    if (i >= p->len) {
        p->t.type = T_END;
        p->t.pos = p->len;
        p->t.len = 0;
        p->i = p->len;
        return true;
    }
    unsigned char c = (unsigned char)p->s[i];
    if (c == '(' || c == ')') {
        p->t.type = c == '(' ? T_LP : T_RP;
        p->t.len = 1;
        p->i = i + 1;
        return true;
    }
    if (is_word(c)) {
        size_t j = i;
        while (j < p->len && is_word((unsigned char)p->s[j]))
            j++;
        p->t.type = T_WORD;
        p->t.len = j - i;
        p->i = j;
        return true;
    }
    if (c == '|')
        fail(p, i, "the pipe syntax in conditions was replaced by correlation rules");
    else if (c >= 0x20 && c < 0x7f)
        fail(p, i, "unexpected character '%c'", (char)c);
    else
        fail(p, i, "unexpected character '\\x%02x'", (unsigned)c);
    return false;
}

static cnode *mk(parser *p, cnode_kind kind, size_t pos, cnode *l, cnode *r)
{
    cnode *n = cond_new(p->a, kind, l, r);
    n->pos = pos;
    return n;
}

/* Error for the current token where an operand was expected. */
static void *operand_error(parser *p)
{
    const tok *t = &p->t;
    switch (t->type) {
    case T_END:
        return fail(p, t->pos, "unexpected end of condition, " EXPECTED_OPERAND);
    case T_RP:
        return fail(p, t->pos, "unexpected ')', " EXPECTED_OPERAND);
    default: /* only `and` / `or` reach here */
        return fail(p, t->pos, "unexpected '%.*s', " EXPECTED_OPERAND, (int)t->len, p->s + t->pos);
    }
}

/* Error for the current token where an operator or the end of the enclosing
 * group was expected. End of text only reaches here inside parentheses. */
static void *operator_error(parser *p)
{
    const tok *t = &p->t;
    if (t->type == T_END)
        return fail(p, p->len, "missing ')'");
    if (p->last_id && is_operator_ci(p->s + p->id_pos, p->id_len))
        return fail(p, p->id_pos, "unexpected '%.*s' (operators are lower-case: and, or, not)",
                    (int)p->id_len, p->s + p->id_pos);
    if (t->type == T_RP)
        return fail(p, t->pos, "unexpected ')'");
    if (t->type == T_LP)
        return fail(p, t->pos, "unexpected '(', expected 'and' or 'or'");
    const char *w = p->s + t->pos;
    if (cur_is(p, "not"))
        return fail(p, t->pos, "unexpected 'not' (write 'and not' or 'or not')");
    if (is_operator_ci(w, t->len))
        return fail(p, t->pos, "unexpected '%.*s' (operators are lower-case: and, or, not)",
                    (int)t->len, w);
    return fail(p, t->pos, "unexpected identifier '%.*s%s'", shown_len(t->len), w,
                shown_tail(t->len));
}

static cnode *parse_or(parser *p);

/* Current token is `of` after a quantifier at qpos. */
static cnode *parse_selector(parser *p, size_t qpos, cquant q)
{
    if (!advance(p))
        return NULL;
    const tok t = p->t;
    if (t.type != T_WORD || cur_is(p, "and") || cur_is(p, "or") || cur_is(p, "not"))
        return fail(p, t.pos, "expected a detection name pattern or 'them' after 'of'");
    const char *w = p->s + t.pos;
    const char *dash = memchr(w, '-', t.len);
    if (dash)
        return fail(p, t.pos + (size_t)(dash - w),
                    "'-' is not allowed in a detection name pattern after 'of'");
    cnode *n = mk(p, CN_SEL, qpos, NULL, NULL);
    n->quant = q;
    n->name = arena_strndup(p->a, w, t.len);
    n->is_them = cur_is(p, "them");
    if (!advance(p))
        return NULL;
    return n;
}

static cnode *parse_primary(parser *p)
{
    p->last_id = false;
    tok t = p->t;
    if (t.type == T_LP) {
        if (++p->depth > SIGMA_MAX_COND_DEPTH)
            return fail(p, t.pos, "condition nested too deeply (limit %d)", SIGMA_MAX_COND_DEPTH);
        if (!advance(p))
            return NULL;
        cnode *e = parse_or(p);
        if (!e)
            return NULL;
        if (p->t.type != T_RP)
            return operator_error(p);
        p->depth--;
        p->last_id = false;
        if (!advance(p))
            return NULL;
        return e;
    }
    if (t.type != T_WORD || cur_is(p, "and") || cur_is(p, "or"))
        return operand_error(p);
    /* `not` is handled by parse_unary */

    bool q1 = cur_is(p, "1"), qany = cur_is(p, "any"), qall = cur_is(p, "all");
    if (!advance(p))
        return NULL;
    if ((q1 || qany || qall) && cur_is(p, "of"))
        return parse_selector(p, t.pos, qall ? CQ_ALL : CQ_ANY);

    const char *w = p->s + t.pos;
    const char *star = memchr(w, '*', t.len);
    if (star)
        return fail(p, t.pos + (size_t)(star - w),
                    "wildcard '*' is only allowed after '1 of', 'any of' or 'all of'");
    cnode *n = mk(p, CN_ID, t.pos, NULL, NULL);
    n->name = arena_strndup(p->a, w, t.len);
    p->last_id = true;
    p->id_pos = t.pos;
    p->id_len = t.len;
    return n;
}

static cnode *parse_unary(parser *p)
{
    if (!cur_is(p, "not"))
        return parse_primary(p);
    size_t pos = p->t.pos;
    if (++p->depth > SIGMA_MAX_COND_DEPTH)
        return fail(p, pos, "condition nested too deeply (limit %d)", SIGMA_MAX_COND_DEPTH);
    if (!advance(p))
        return NULL;
    cnode *c = parse_unary(p);
    if (!c)
        return NULL;
    p->depth--;
    return mk(p, CN_NOT, pos, c, NULL);
}

static cnode *parse_and(parser *p)
{
    cnode *l = parse_unary(p);
    while (l && cur_is(p, "and")) {
        if (!advance(p))
            return NULL;
        cnode *r = parse_unary(p);
        if (!r)
            return NULL;
        l = mk(p, CN_AND, l->pos, l, r);
    }
    return l;
}

static cnode *parse_or(parser *p)
{
    cnode *l = parse_and(p);
    while (l && cur_is(p, "or")) {
        if (!advance(p))
            return NULL;
        cnode *r = parse_and(p);
        if (!r)
            return NULL;
        l = mk(p, CN_OR, l->pos, l, r);
    }
    return l;
}

cnode *cond_parse(arena *a, const char *s, size_t len, cerror *err)
{
    cerror dummy;
    parser p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.s = s ? s : "";
    p.len = s ? len : 0;
    p.err = err ? err : &dummy;
    p.err->pos = 0;
    p.err->message = "";

    if (p.len > SIGMA_MAX_COND_LEN)
        return fail(&p, SIGMA_MAX_COND_LEN, "condition too long (limit %d bytes)",
                    SIGMA_MAX_COND_LEN);
    const char *pipe = memchr(p.s, '|', p.len);
    if (pipe)
        return fail(&p, (size_t)(pipe - p.s),
                    "the pipe syntax in conditions was replaced by correlation rules");
    if (!advance(&p))
        return NULL;
    if (p.t.type == T_END)
        return fail(&p, 0, "empty condition");
    cnode *e = parse_or(&p);
    if (!e)
        return NULL;
    if (p.t.type != T_END)
        return operator_error(&p);
    return e;
}

bool cond_pattern_match(const char *pat, const char *name)
{
    if (!pat || !name)
        return false;
    const char *p = pat, *n = name;
    const char *star = NULL, *mark = NULL;
    while (*n) {
        if (*p == '*') {
            star = p++;
            mark = n;
        } else if (*p == *n) {
            p++;
            n++;
        } else if (star) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

const char *cond_sel_pattern(const cnode *sel)
{
    return sel->is_them ? "*" : sel->name;
}

bool cond_selects(const cnode *sel, const char *name)
{
    const char *pat = cond_sel_pattern(sel);
    if (name[0] == '_' && pat[0] != '_')
        return false;
    return cond_pattern_match(pat, name);
}

size_t cond_flatten(arena *a, const cnode *n, const cnode ***out)
{
    size_t cnt = 1;
    const cnode *p = n;
    while (p->kind == n->kind) {
        cnt++;
        p = p->l;
    }
    const cnode **ops = arena_alloc(a, sizeof *ops * cnt);
    size_t k = cnt;
    p = n;
    while (p->kind == n->kind) {
        ops[--k] = p->r;
        p = p->l;
    }
    ops[--k] = p;
    *out = ops;
    return cnt;
}

cnode *cond_new(arena *a, cnode_kind kind, const cnode *l, const cnode *r)
{
    cnode *n = arena_alloc(a, sizeof *n);
    n->kind = kind;
    n->l = l;
    n->r = r;
    return n;
}

cnode *cond_new_id(arena *a, const char *name)
{
    cnode *n = cond_new(a, CN_ID, NULL, NULL);
    n->name = name;
    return n;
}

cnode *cond_new_sel(arena *a, cquant quant, const char *pattern)
{
    cnode *n = cond_new(a, CN_SEL, NULL, NULL);
    n->quant = quant;
    n->name = pattern;
    n->is_them = strcmp(pattern, "them") == 0;
    return n;
}

/* Binding strength: or < and < not < operand. */
static int text_prec(const cnode *n)
{
    return n->kind == CN_OR ? 1 : n->kind == CN_AND ? 2 : n->kind == CN_NOT ? 3 : 4;
}

static void put_text(arena *a, sbuf *b, const cnode *n, int parent)
{
    int p = text_prec(n);
    bool paren = p < parent;
    if (paren)
        sb_putc(b, '(');
    switch (n->kind) {
    case CN_AND:
    case CN_OR: {
        const cnode **ops;
        size_t cnt = cond_flatten(a, n, &ops);
        for (size_t i = 0; i < cnt; i++) {
            if (i)
                sb_puts(b, n->kind == CN_AND ? " and " : " or ");
            put_text(a, b, ops[i], p);
        }
        break;
    }
    case CN_NOT:
        sb_puts(b, "not ");
        put_text(a, b, n->l, p);
        break;
    case CN_ID:
        sb_puts(b, n->name);
        break;
    case CN_SEL:
        sb_printf(b, "%s of %s", n->quant == CQ_ALL ? "all" : "1", n->name);
        break;
    }
    if (paren)
        sb_putc(b, ')');
}

char *cond_text(arena *a, const cnode *n)
{
    sbuf b = SBUF_INIT;
    put_text(a, &b, n, 0);
    char *r = arena_strndup(a, sb_cstr(&b), b.len);
    sb_free(&b);
    return r;
}
