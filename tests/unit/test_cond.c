/* test_cond.c - condition parser and selector pattern matching. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "condition/cond.h"
#include "util/arena.h"
#include "util/limits.h"

#include "t.h"

static arena *A;

/* ---- printers ---------------------------------------------------------- */

typedef struct {
    char b[4096];
    size_t n;
    int overflow;
} out;

static void put(out *o, const char *s)
{
    size_t k = strlen(s);
    if (o->n + k >= sizeof o->b) {
        o->overflow = 1;
        return;
    }
    memcpy(o->b + o->n, s, k + 1);
    o->n += k;
}

/* S-expression: (or (and a (not b)) (any sel*)), (all them). */
static void sx(out *o, const cnode *n)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        put(o, n->kind == CN_AND ? "(and " : "(or ");
        sx(o, n->l);
        put(o, " ");
        sx(o, n->r);
        put(o, ")");
        break;
    case CN_NOT:
        put(o, "(not ");
        sx(o, n->l);
        put(o, ")");
        break;
    case CN_ID:
        put(o, n->name);
        break;
    case CN_SEL:
        put(o, n->quant == CQ_ALL ? "(all " : "(any ");
        put(o, n->name);
        put(o, ")");
        break;
    }
}

/* Back to condition syntax, binary nodes fully parenthesised. */
static void to_cond(out *o, const cnode *n)
{
    switch (n->kind) {
    case CN_AND:
    case CN_OR:
        put(o, "(");
        to_cond(o, n->l);
        put(o, n->kind == CN_AND ? " and " : " or ");
        to_cond(o, n->r);
        put(o, ")");
        break;
    case CN_NOT:
        put(o, "not ");
        to_cond(o, n->l);
        break;
    case CN_ID:
        put(o, n->name);
        break;
    case CN_SEL:
        put(o, n->quant == CQ_ALL ? "all of " : "1 of ");
        put(o, n->name);
        break;
    }
}

/* Parse s and render the tree, or "ERR@pos: message". */
static char result[4][4200];
static int result_i;

static const char *P_n(const char *s, size_t len)
{
    char *r = result[result_i++ % 4];
    cerror e;
    memset(&e, 0x55, sizeof e);
    cnode *n = cond_parse(A, s, len, &e);
    if (!n) {
        snprintf(r, sizeof result[0], "ERR@%zu: %s", e.pos, e.message);
        return r;
    }
    out o = {{0}, 0, 0};
    sx(&o, n);
    snprintf(r, sizeof result[0], "%s", o.overflow ? "(overflow)" : o.b);
    return r;
}

static const char *P(const char *s)
{
    return P_n(s, strlen(s));
}

static cnode *parse(const char *s, cerror *e)
{
    return cond_parse(A, s, strlen(s), e);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *repeat(const char *pre, size_t n, const char *mid, const char *post, size_t m)
{
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    char *s = malloc(lp * n + lm + lq * m + 1);
    char *q = s;
    for (size_t i = 0; i < n; i++, q += lp)
        memcpy(q, pre, lp);
    memcpy(q, mid, lm);
    q += lm;
    for (size_t i = 0; i < m; i++, q += lq)
        memcpy(q, post, lq);
    *q = '\0';
    return s;
}

/* ---- tests ------------------------------------------------------------- */

static void test_basic(void)
{
    CHECK_STR(P("a"), "a");
    CHECK_STR(P("  sel  "), "sel");
    CHECK_STR(P("a and b"), "(and a b)");
    CHECK_STR(P("a or b"), "(or a b)");
    CHECK_STR(P("not a"), "(not a)");
    CHECK_STR(P("a and not b or 1 of sel*"), "(or (and a (not b)) (any sel*))");
}

static void test_precedence(void)
{
    CHECK_STR(P("a or b and c"), "(or a (and b c))");
    CHECK_STR(P("a and b or c"), "(or (and a b) c)");
    CHECK_STR(P("a and b or c and d"), "(or (and a b) (and c d))");
    CHECK_STR(P("not a and b"), "(and (not a) b)");
    CHECK_STR(P("not a or b"), "(or (not a) b)");
    CHECK_STR(P("a or not b and c"), "(or a (and (not b) c))");
    CHECK_STR(P("(a or b) and c"), "(and (or a b) c)");
    CHECK_STR(P("not (a or b)"), "(not (or a b))");
    CHECK_STR(P("a and 1 of sel*"), "(and a (any sel*))");
    CHECK_STR(P("not 1 of sel*"), "(not (any sel*))");
    CHECK_STR(P("not all of them or x"), "(or (not (all them)) x)");
    CHECK_STR(P("1 of a* and all of b* or not c"), "(or (and (any a*) (all b*)) (not c))");
}

static void test_assoc_parens(void)
{
    CHECK_STR(P("a or b or c"), "(or (or a b) c)");
    CHECK_STR(P("a and b and c"), "(and (and a b) c)");
    CHECK_STR(P("a and b and c and d"), "(and (and (and a b) c) d)");
    CHECK_STR(P("a and (b and c)"), "(and a (and b c))");
    CHECK_STR(P("a or (b or c)"), "(or a (or b c))");
    CHECK_STR(P("((a))"), "a");
    CHECK_STR(P("( a )"), "a");
    CHECK_STR(P("(a)and(b)"), "(and a b)");
    CHECK_STR(P("(a)or(b)"), "(or a b)");
    CHECK_STR(P("not(a)"), "(not a)");
    CHECK_STR(P("not(not(a))"), "(not (not a))");
    CHECK_STR(P("\t(a\r\nor\nb)\n"), "(or a b)");
    CHECK_STR(P("(1 of sel*)and(all of them)"), "(and (any sel*) (all them))");
    CHECK_STR(P("((a or b) and (c or d)) or e"), "(or (and (or a b) (or c d)) e)");
}

static void test_not(void)
{
    CHECK_STR(P("not not a"), "(not (not a))");
    CHECK_STR(P("not not not a"), "(not (not (not a)))");
    CHECK_STR(P("a and not not b"), "(and a (not (not b)))");
    CHECK_STR(P("not not a or b"), "(or (not (not a)) b)");
}

static void test_whole_words(void)
{
    CHECK_STR(P("notepad"), "notepad");
    CHECK_STR(P("nots1"), "nots1");
    CHECK_STR(P("not notepad"), "(not notepad)");
    CHECK_STR(P("s1 or order"), "(or s1 order)");
    CHECK_STR(P("android and notify"), "(and android notify)");
    CHECK_STR(P("nota or orb and andy"), "(or nota (and orb andy))");
    CHECK_STR(P("and_x or or-y"), "(or and_x or-y)");
    CHECK_STR(P("not_a"), "not_a");
    CHECK_STR(P("anyof"), "anyof");
    CHECK_STR(P("all_of_them"), "all_of_them");
    CHECK_STR(P("AND"), "AND"); /* alone it is just an (unknown) detection name */
}

static void test_selectors(void)
{
    CHECK_STR(P("1 of sel*"), "(any sel*)");
    CHECK_STR(P("any of sel*"), "(any sel*)");
    CHECK_STR(P("all of sel*"), "(all sel*)");
    CHECK_STR(P("1 of them"), "(any them)");
    CHECK_STR(P("any of them"), "(any them)");
    CHECK_STR(P("all of them"), "(all them)");
    CHECK_STR(P("1 of *"), "(any *)");
    CHECK_STR(P("all of sel_1*_x*"), "(all sel_1*_x*)");
    CHECK_STR(P("1 of sel"), "(any sel)");
    CHECK_STR(P("1   of\tsel_*"), "(any sel_*)");
    CHECK_STR(P("1 of 1"), "(any 1)");

    cerror e;
    cnode *n = parse("all of them", &e);
    CHECK(n && n->kind == CN_SEL && n->quant == CQ_ALL && n->is_them);
    n = parse("1 of them", &e);
    CHECK(n && n->kind == CN_SEL && n->quant == CQ_ANY && n->is_them);
    n = parse("any of them", &e);
    CHECK(n && n->kind == CN_SEL && n->quant == CQ_ANY && n->is_them);
    n = parse("1 of them_x", &e);
    CHECK(n && n->kind == CN_SEL && !n->is_them && strcmp(n->name, "them_x") == 0);
    n = parse("1 of Them", &e);
    CHECK(n && n->kind == CN_SEL && !n->is_them);
    n = parse("1 of them*", &e);
    CHECK(n && n->kind == CN_SEL && !n->is_them);
    n = parse("1 of sel*", &e);
    CHECK(n && n->kind == CN_SEL && !n->is_them && strcmp(n->name, "sel*") == 0);

    /* quantifier words without `of` are identifiers */
    CHECK_STR(P("1"), "1");
    CHECK_STR(P("any"), "any");
    CHECK_STR(P("all"), "all");
    CHECK_STR(P("of"), "of");
    CHECK_STR(P("them"), "them");
    CHECK_STR(P("1 and all"), "(and 1 all)");
    CHECK_STR(P("1 or of"), "(or 1 of)");
    CHECK_STR(P("not any"), "(not any)");
    CHECK_STR(P("(1)"), "1");
    CHECK_STR(P("1of"), "1of");
    CHECK_STR(P("10 of x"), "ERR@3: unexpected identifier 'of'");
    CHECK_STR(P("ALL of x"), "ERR@4: unexpected identifier 'of'");
}

static void test_identifiers(void)
{
    CHECK_STR(P("sel-1"), "sel-1");
    CHECK_STR(P("1sel"), "1sel");
    CHECK_STR(P("123"), "123");
    CHECK_STR(P("-a"), "-a");
    CHECK_STR(P("selection_img-2 and not filter-main"),
              "(and selection_img-2 (not filter-main))");
    CHECK_STR(P("Sel_X9"), "Sel_X9");
}

static void test_positions(void)
{
    cerror e;
    cnode *n = parse("a and b", &e);
    CHECK(n && n->kind == CN_AND && n->pos == 0 && n->l->pos == 0 && n->r->pos == 6);
    n = parse("  not x", &e);
    CHECK(n && n->kind == CN_NOT && n->pos == 2 && n->l->pos == 6);
    n = parse("(a) or b", &e);
    CHECK(n && n->kind == CN_OR && n->pos == 1 && n->r->pos == 7);
    n = parse("x and 1 of y", &e);
    CHECK(n && n->r->kind == CN_SEL && n->r->pos == 6);
    n = parse(" b or c and d", &e);
    CHECK(n && n->pos == 1 && n->r->kind == CN_AND && n->r->pos == 6 && n->r->r->pos == 12);
    n = parse("a", &e);
    CHECK(n && n->l == NULL && n->r == NULL);
}

static void test_errors(void)
{
    /* empty */
    CHECK_STR(P(""), "ERR@0: empty condition");
    CHECK_STR(P("   \t\r\n"), "ERR@0: empty condition");
    CHECK_STR(P_n(NULL, 0), "ERR@0: empty condition");

    /* pipe, anywhere, before any other error */
    CHECK_STR(P("a |"), "ERR@2: the pipe syntax in conditions was replaced by correlation rules");
    CHECK_STR(P("| count() > 5"),
              "ERR@0: the pipe syntax in conditions was replaced by correlation rules");
    CHECK_STR(P("sel | count() by x > 3"),
              "ERR@4: the pipe syntax in conditions was replaced by correlation rules");
    CHECK_STR(P("$ (|"), "ERR@3: the pipe syntax in conditions was replaced by correlation rules");
    CHECK_STR(P("a||b"), "ERR@1: the pipe syntax in conditions was replaced by correlation rules");

    /* bad characters */
    CHECK_STR(P("a $"), "ERR@2: unexpected character '$'");
    CHECK_STR(P("a and b > 3"), "ERR@8: unexpected character '>'");
    CHECK_STR(P("a\x01"), "ERR@1: unexpected character '\\x01'");
    CHECK_STR(P("a \xff"), "ERR@2: unexpected character '\\xff'");
    CHECK_STR(P_n("a\0b", 3), "ERR@1: unexpected character '\\x00'");
    CHECK_STR(P("\va"), "ERR@0: unexpected character '\\x0b'");
    CHECK_STR(P("a.b"), "ERR@1: unexpected character '.'");
    CHECK_STR(P("'a'"), "ERR@0: unexpected character '''");
    CHECK_STR(P("1 of sel?"), "ERR@8: unexpected character '?'");

    /* upper-case operators */
    CHECK_STR(P("a AND b"), "ERR@2: unexpected 'AND' (operators are lower-case: and, or, not)");
    CHECK_STR(P("a Or b"), "ERR@2: unexpected 'Or' (operators are lower-case: and, or, not)");
    CHECK_STR(P("a NOT b"), "ERR@2: unexpected 'NOT' (operators are lower-case: and, or, not)");
    CHECK_STR(P("a and NOT b"), "ERR@6: unexpected 'NOT' (operators are lower-case: and, or, not)");
    CHECK_STR(P("NOT a"), "ERR@0: unexpected 'NOT' (operators are lower-case: and, or, not)");
    CHECK_STR(P("(a) AND (b)"), "ERR@4: unexpected 'AND' (operators are lower-case: and, or, not)");
    CHECK_STR(P("a AND"), "ERR@2: unexpected 'AND' (operators are lower-case: and, or, not)");

    /* operator position */
    CHECK_STR(P("a b"), "ERR@2: unexpected identifier 'b'");
    CHECK_STR(P("(a b)"), "ERR@3: unexpected identifier 'b'");
    CHECK_STR(P("a sel*"), "ERR@2: unexpected identifier 'sel*'");
    CHECK_STR(P("a not b"), "ERR@2: unexpected 'not' (write 'and not' or 'or not')");
    CHECK_STR(P("a (b)"), "ERR@2: unexpected '(', expected 'and' or 'or'");
    CHECK_STR(P("a 1 of x"), "ERR@2: unexpected identifier '1'");
    {
        char s[200];
        memset(s, 'x', sizeof s);
        s[0] = 'a';
        s[1] = ' ';
        s[sizeof s - 1] = '\0';
        const char *r = P(s);
        CHECK(strncmp(r, "ERR@2: unexpected identifier 'xxx", 33) == 0);
        CHECK(strstr(r, "...'") != NULL);
    }

    /* wildcards outside selectors */
    CHECK_STR(P("sel*"), "ERR@3: wildcard '*' is only allowed after '1 of', 'any of' or 'all of'");
    CHECK_STR(P("a and sel*x"),
              "ERR@9: wildcard '*' is only allowed after '1 of', 'any of' or 'all of'");
    CHECK_STR(P("*"), "ERR@0: wildcard '*' is only allowed after '1 of', 'any of' or 'all of'");
    CHECK_STR(P("not 1*"), "ERR@5: wildcard '*' is only allowed after '1 of', 'any of' or 'all of'");

    /* selector patterns */
    CHECK_STR(P("1 of"), "ERR@4: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("all of "), "ERR@7: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("(1 of )"), "ERR@6: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("1 of and"), "ERR@5: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("any of not"), "ERR@7: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("1 of (a)"), "ERR@5: expected a detection name pattern or 'them' after 'of'");
    CHECK_STR(P("1 of sel-*"), "ERR@8: '-' is not allowed in a detection name pattern after 'of'");
    CHECK_STR(P("1 of -"), "ERR@5: '-' is not allowed in a detection name pattern after 'of'");
    CHECK_STR(P("1 of them x"), "ERR@10: unexpected identifier 'x'");

    /* end of text where an operand is expected */
    CHECK_STR(P("a and"),
              "ERR@5: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("a or "),
              "ERR@5: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("not"),
              "ERR@3: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("not not "),
              "ERR@8: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("("),
              "ERR@1: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");

    /* operators where an operand is expected */
    CHECK_STR(P("a or or b"),
              "ERR@5: unexpected 'or', expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("and a"), "ERR@0: unexpected 'and', expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("not and"),
              "ERR@4: unexpected 'and', expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("()"), "ERR@1: unexpected ')', expected an identifier, 'not', '(' or 'N of'");
    CHECK_STR(P("a and )"), "ERR@6: unexpected ')', expected an identifier, 'not', '(' or 'N of'");

    /* parentheses */
    CHECK_STR(P("(a"), "ERR@2: missing ')'");
    CHECK_STR(P("((a)"), "ERR@4: missing ')'");
    CHECK_STR(P("(a or b  "), "ERR@9: missing ')'");
    CHECK_STR(P("(1 of them"), "ERR@10: missing ')'");
    CHECK_STR(P("a)"), "ERR@1: unexpected ')'");
    CHECK_STR(P("(a))"), "ERR@3: unexpected ')'");
    CHECK_STR(P(")"), "ERR@0: unexpected ')', expected an identifier, 'not', '(' or 'N of'");

    /* err may be NULL */
    CHECK(cond_parse(A, "a and", 5, NULL) == NULL);
    CHECK(cond_parse(A, "a and b", 7, NULL) != NULL);
    /* len is honoured: the text after len is not read */
    CHECK_STR(P_n("a and b $$$", 7), "(and a b)");
    CHECK_STR(P_n("a and b", 5),
              "ERR@5: unexpected end of condition, expected an identifier, 'not', '(' or 'N of'");
}

static void test_limits(void)
{
    char want[200];

    /* length */
    char *s = repeat("a", SIGMA_MAX_COND_LEN, "", "", 0);
    cerror e;
    cnode *n = cond_parse(A, s, strlen(s), &e);
    CHECK(n && n->kind == CN_ID && strlen(n->name) == SIGMA_MAX_COND_LEN);
    free(s);
    s = repeat("a", SIGMA_MAX_COND_LEN + 1, "", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition too long (limit %d bytes)", SIGMA_MAX_COND_LEN,
             SIGMA_MAX_COND_LEN);
    CHECK_STR(P(s), want);
    free(s);

    /* depth: exactly the limit passes, one more fails at the offending token */
    int D = SIGMA_MAX_COND_DEPTH;
    s = repeat("(", (size_t)D, "a", ")", (size_t)D);
    CHECK_STR(P(s), "a");
    free(s);
    s = repeat("(", (size_t)D + 1, "a", ")", (size_t)D + 1);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", D, D);
    CHECK_STR(P(s), want);
    free(s);

    s = repeat("not ", (size_t)D, "a", "", 0);
    n = parse(s, &e);
    int k = 0;
    for (const cnode *c = n; c && c->kind == CN_NOT; c = c->l)
        k++;
    CHECK(n && k == D);
    free(s);
    s = repeat("not ", (size_t)D + 1, "a", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", 4 * D, D);
    CHECK_STR(P(s), want);
    free(s);

    /* parentheses and not share the budget */
    s = repeat("not (", (size_t)D / 2, "a", ")", (size_t)D / 2);
    CHECK(strncmp(P(s), "ERR", 3) != 0);
    free(s);
    s = repeat("not (", (size_t)D / 2, "not a", ")", (size_t)D / 2);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", 5 * (D / 2), D);
    CHECK_STR(P(s), want);
    free(s);
    /* depth is per path, not per condition */
    s = repeat("(not a) and ", 200, "a", "", 0);
    CHECK(strncmp(P(s), "ERR", 3) != 0);
    free(s);

    /* pathological inputs fail fast without deep recursion */
    double t0 = now();
    s = repeat("(", 1000000, "", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition too long (limit %d bytes)", SIGMA_MAX_COND_LEN,
             SIGMA_MAX_COND_LEN);
    CHECK_STR(P(s), want);
    free(s);
    s = repeat("not ", 1000000, "a", "", 0);
    CHECK_STR(P(s), want);
    free(s);
    s = repeat("(", 60000, "", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", D, D);
    CHECK_STR(P(s), want);
    free(s);
    s = repeat("not ", 16000, "a", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", 4 * D, D);
    CHECK_STR(P(s), want);
    free(s);
    s = repeat("not (", 13000, "", "", 0);
    snprintf(want, sizeof want, "ERR@%d: condition nested too deeply (limit %d)", 5 * (D / 2),
             D);
    CHECK_STR(P(s), want);
    free(s);
    double dt = now() - t0;
    CHECK(dt < 1.0);

    /* a flat chain as long as the length limit allows: a left-leaning tree, linear time */
    size_t terms = (SIGMA_MAX_COND_LEN - 1) / 5 + 1; /* "a or " * (terms-1) + "a" */
    s = repeat("a or ", terms - 1, "a", "", 0);
    CHECK(strlen(s) <= SIGMA_MAX_COND_LEN);
    t0 = now();
    n = parse(s, &e);
    dt = now() - t0;
    size_t ors = 0;
    const cnode *c = n;
    while (c && c->kind == CN_OR) {
        if (c->r->kind != CN_ID)
            break;
        ors++;
        c = c->l;
    }
    CHECK(n && c && c->kind == CN_ID && ors == terms - 1);
    CHECK(dt < 0.5);
    free(s);
    s = repeat("a and ", (SIGMA_MAX_COND_LEN - 1) / 6, "a", "", 0);
    n = parse(s, &e);
    CHECK(n && n->kind == CN_AND);
    free(s);
    /* 100000 terms is more than the length limit */
    s = repeat("a or ", 99999, "a", "", 0);
    CHECK(strstr(P(s), "condition too long") != NULL);
    free(s);
}

static void test_patterns(void)
{
    CHECK(cond_pattern_match("*", "sel"));
    CHECK(cond_pattern_match("*", ""));
    CHECK(cond_pattern_match("", ""));
    CHECK(!cond_pattern_match("", "a"));
    CHECK(cond_pattern_match("sel*", "sel"));
    CHECK(cond_pattern_match("sel*", "selection"));
    CHECK(cond_pattern_match("sel*", "sel_1"));
    CHECK(!cond_pattern_match("sel*", "se"));
    CHECK(!cond_pattern_match("sel*", "xsel"));
    CHECK(!cond_pattern_match("sel*", "Sel_1"));
    CHECK(cond_pattern_match("*_x", "a_x"));
    CHECK(cond_pattern_match("*_x", "_x"));
    CHECK(cond_pattern_match("*_x", "a_x_x"));
    CHECK(!cond_pattern_match("*_x", "a_xy"));
    CHECK(!cond_pattern_match("*_x", "a_X"));
    CHECK(cond_pattern_match("a*b*c", "abc"));
    CHECK(cond_pattern_match("a*b*c", "aXbYc"));
    CHECK(cond_pattern_match("a*b*c", "abbbcbc"));
    CHECK(!cond_pattern_match("a*b*c", "abcd"));
    CHECK(!cond_pattern_match("a*b*c", "acb"));
    CHECK(!cond_pattern_match("a*b*c", "ab"));
    CHECK(cond_pattern_match("sel", "sel"));
    CHECK(!cond_pattern_match("sel", "sel1"));
    CHECK(!cond_pattern_match("sel", "se"));
    CHECK(cond_pattern_match("**", "x"));
    CHECK(cond_pattern_match("a**", "a"));
    CHECK(cond_pattern_match("*a*", "bab"));
    CHECK(!cond_pattern_match("*a*", "bbb"));
    CHECK(!cond_pattern_match(NULL, "a"));
    CHECK(!cond_pattern_match("a", NULL));

    /* pathological: a*a*a*...*b against aaaa...a (exponential with naive backtracking) */
    char pat[201], name[100001];
    for (int i = 0; i < 100; i++) {
        pat[2 * i] = 'a';
        pat[2 * i + 1] = '*';
    }
    pat[199] = 'b';
    pat[200] = '\0';
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    double t0 = now();
    CHECK(!cond_pattern_match(pat, name));
    name[sizeof name - 2] = 'b';
    CHECK(cond_pattern_match(pat, name));
    CHECK(now() - t0 < 2.0);
}

/* ---- fuzz-ish ---------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static bool naive_match(const char *p, const char *n)
{
    if (*p == '\0')
        return *n == '\0';
    if (*p == '*')
        return naive_match(p + 1, n) || (*n && naive_match(p, n + 1));
    return *n == *p && naive_match(p + 1, n + 1);
}

static void test_fuzz(void)
{
    static const char *const words[] = {"and", "or", "not", "1", "any", "all", "of", "them",
                                        "a", "b", "sel*", "x-y", "(", ")", " ", " ", "AND",
                                        "notx", "|", "$", "\n"};
    int bad = 0, roundtrip_bad = 0, ok = 0;
    char s[200];
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0;
        size_t want = rnd() % 40;
        bool tokens = iter % 2 == 0;
        while (len < want) {
            if (tokens) {
                const char *w = words[rnd() % (sizeof words / sizeof words[0])];
                size_t k = strlen(w);
                if (len + k + 1 >= sizeof s)
                    break;
                memcpy(s + len, w, k);
                len += k;
                if (rnd() % 3)
                    s[len++] = ' ';
            } else {
                s[len++] = (char)(rnd() % 256);
            }
        }
        s[len] = '\0';
        cerror e;
        memset(&e, 0x55, sizeof e);
        cnode *n = cond_parse(A, s, len, &e);
        if (!n) {
            if (e.pos > len || !e.message || e.message[0] == '\0')
                bad++;
            continue;
        }
        ok++;
        out o1 = {{0}, 0, 0}, c = {{0}, 0, 0}, o2 = {{0}, 0, 0};
        sx(&o1, n);
        to_cond(&c, n);
        cnode *m = cond_parse(A, c.b, c.n, &e);
        if (!m) {
            roundtrip_bad++;
            continue;
        }
        sx(&o2, m);
        if (strcmp(o1.b, o2.b) != 0)
            roundtrip_bad++;
        if (iter % 1000 == 0)
            arena_reset(A);
    }
    CHECK(bad == 0);
    CHECK(roundtrip_bad == 0);
    CHECK(ok > 1000);

    /* pattern matcher against a naive reference */
    int mismatch = 0;
    for (int iter = 0; iter < 200000; iter++) {
        char p[12], n[12];
        size_t lp = rnd() % 8, ln = rnd() % 10;
        for (size_t i = 0; i < lp; i++)
            p[i] = "ab*"[rnd() % 3];
        for (size_t i = 0; i < ln; i++)
            n[i] = "ab"[rnd() % 2];
        p[lp] = n[ln] = '\0';
        if (cond_pattern_match(p, n) != naive_match(p, n))
            mismatch++;
    }
    CHECK(mismatch == 0);
}

/* the helpers later stages use: selection, flattening, building, text */
static void test_helpers(void)
{
    cerror e;
    const cnode *n = parse("1 of them", &e);
    CHECK(n && cond_selects(n, "sel") && !cond_selects(n, "_filt1_x") && strcmp(cond_sel_pattern(n), "*") == 0);
    n = parse("all of _filt1_*", &e);
    CHECK(n && cond_selects(n, "_filt1_x") && !cond_selects(n, "sel") && !cond_selects(n, "_filt2_x"));
    n = parse("1 of s*", &e);
    CHECK(n && cond_selects(n, "sel") && !cond_selects(n, "_sel") && !cond_selects(n, "x"));

    const cnode **ops;
    n = parse("a or b or (c or d) or e", &e);
    CHECK(n && cond_flatten(A, n, &ops) == 4 && ops[0]->kind == CN_ID && ops[2]->kind == CN_OR &&
          strcmp(ops[3]->name, "e") == 0);
    n = parse("a and not b", &e);
    CHECK(n && cond_flatten(A, n, &ops) == 2 && ops[1]->kind == CN_NOT);

    CHECK_STR(cond_text(A, parse("a or b and not (c or d)", &e)), "a or b and not (c or d)");
    CHECK_STR(cond_text(A, parse("((a and b)) and (c and d)", &e)), "a and b and c and d");
    CHECK_STR(cond_text(A, parse("(a or b) and 1 of them", &e)), "(a or b) and 1 of them");
    CHECK_STR(cond_text(A, parse("not (any of x* or all of y)", &e)), "not (1 of x* or all of y)");

    const cnode *x = cond_new(A, CN_AND, cond_new(A, CN_NOT, cond_new_id(A, "f"), NULL),
                              cond_new(A, CN_OR, cond_new_sel(A, CQ_ALL, "them"), cond_new_id(A, "b")));
    CHECK_STR(cond_text(A, x), "not f and (all of them or b)");
    CHECK(x->r->l->is_them && x->l->pos == 0);
}

int main(void)
{
    A = arena_new();
    test_basic();
    test_precedence();
    test_assoc_parens();
    test_not();
    test_whole_words();
    test_selectors();
    test_identifiers();
    test_positions();
    test_errors();
    test_limits();
    test_patterns();
    test_fuzz();
    test_helpers();
    arena_free(A);
    return t_done("cond");
}
