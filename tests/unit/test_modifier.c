/* test_modifier.c - Sigma strings, numbers, CIDR patterns and the modifier chain. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule/modifier.h"
#include "rule/rule.h"
#include "rule/value.h"
#include "util/limits.h"
#include "util/sbuf.h"
#include "yaml/ynode.h"

#include "t.h"

static arena *A;

/* ---- rendering for comparisons ---------------------------------------- */

static void render_str(sbuf *b, const sstr *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const spart *p = &s->parts[i];
        switch (p->kind) {
        case SP_TEXT:
            for (size_t j = 0; j < p->n; j++) {
                unsigned char c = (unsigned char)p->s[j];
                if (c == '*' || c == '?' || c == '\\')
                    sb_printf(b, "\\%c", c);
                else if (c < 0x20 || c == 0x7f || c >= 0x80)
                    sb_printf(b, "\\x%02x", c);
                else
                    sb_putc(b, (char)c);
            }
            break;
        case SP_STAR: sb_putc(b, '*'); break;
        case SP_QMARK: sb_putc(b, '?'); break;
        case SP_PH: sb_printf(b, "{%.*s}", (int)p->n, p->s); break;
        }
    }
}

static void render(sbuf *b, const svalue *v)
{
    static const char *const cmp[] = {"lt", "lte", "gt", "gte"};
    static const char *const tp[] = {"minute", "hour", "day", "week", "month", "year"};
    switch (v->kind) {
    case SV_STR:
        if (v->cased)
            sb_puts(b, "cased:");
        render_str(b, &v->str);
        break;
    case SV_NUM: sb_printf(b, "num:%s%s", v->num.text, v->num.is_int ? "" : "(f)"); break;
    case SV_BOOL: sb_printf(b, "bool:%s", v->b ? "true" : "false"); break;
    case SV_NULL: sb_puts(b, "null"); break;
    case SV_RE:
        sb_puts(b, "re:");
        sb_putn(b, v->re, v->re_len);
        if (v->re_flags)
            sb_printf(b, "/%s%s%s", v->re_flags & RE_I ? "i" : "", v->re_flags & RE_M ? "m" : "",
                      v->re_flags & RE_S ? "s" : "");
        break;
    case SV_CIDR: sb_printf(b, "cidr%d:%s/%d", v->cidr.family, v->cidr.text, v->cidr.prefix); break;
    case SV_FIELDREF:
        sb_printf(b, "ref:%s%s%s%s", v->cased ? "cased:" : "", v->ref_starts ? "*" : "", v->ref,
                  v->ref_ends ? "*" : "");
        break;
    case SV_EXISTS: sb_printf(b, "exists:%s", v->b ? "true" : "false"); break;
    case SV_CMP: sb_printf(b, "%s:%s", cmp[v->cmp], v->num.text); break;
    case SV_TIMEPART: sb_printf(b, "%s:%s", tp[v->tpart], v->num.text); break;
    case SV_EXPANSION:
        sb_putc(b, '[');
        for (size_t i = 0; i < v->nitems; i++) {
            if (i)
                sb_putc(b, '|');
            render(b, v->items[i]);
        }
        sb_putc(b, ']');
        break;
    case SV_QUERY: sb_puts(b, "query"); break;
    }
}

static const char *R(const svalue *v)
{
    sbuf b = SBUF_INIT;
    render(&b, v);
    const char *s = arena_strdup(A, sb_cstr(&b));
    sb_free(&b);
    return s;
}

static const char *RS(sstr s)
{
    sbuf b = SBUF_INIT;
    render_str(&b, &s);
    const char *r = arena_strdup(A, sb_cstr(&b));
    sb_free(&b);
    return r;
}

/* ---- running one `key: value` item ------------------------------------ */

static const char *err;      /* last error message, NULL if none */
static spos errpos;
static ditem *item;

/* Parses the YAML mapping `yml` (one key), splits its key like rule.c and
 * applies the chain. Returns the rendered values joined with " ; ", or
 * "ERR: <message>". */
static const char *run(const char *yml)
{
    ydoc *docs;
    size_t nd;
    yerror ye;
    err = NULL;
    item = NULL;
    if (!yaml_load(A, yml, strlen(yml), &docs, &nd, &ye) || nd != 1 || !docs[0].root ||
        docs[0].root->kind != YN_MAP) {
        fprintf(stderr, "bad test YAML: %s\n", yml);
        return "BAD YAML";
    }
    ypair *p = &docs[0].root->u.map.pairs[0];
    ditem *it = arena_alloc(A, sizeof *it);
    it->pos = node_pos(p->key);
    const char *k = p->key->u.s.text;
    const char *bar = strchr(k, '|');
    size_t fl = bar ? (size_t)(bar - k) : strlen(k);
    it->field = fl ? arena_strndup(A, k, fl) : NULL;
    it->mods = arena_alloc(A, 64 * sizeof *it->mods);
    while (bar) {
        const char *q = strchr(bar + 1, '|');
        size_t l = q ? (size_t)(q - bar - 1) : strlen(bar + 1);
        it->mods[it->nmods++] = arena_strndup(A, bar + 1, l);
        bar = q;
    }
    ynode *one[1];
    ynode **raw;
    size_t nraw;
    if (p->value->kind == YN_SEQ) {
        raw = p->value->u.seq.items;
        nraw = p->value->u.seq.n;
    } else {
        one[0] = p->value;
        raw = one;
        nraw = 1;
    }
    sdiag e = {{0, 0}, NULL};
    bool ok = modifiers_apply(A, it, raw, nraw, node_pos(p->value), &e);
    if (!ok) {
        if (!e.message)
            return "ERR: (no message)";
        err = e.message;
        errpos = e.pos;
        return arena_printf(A, "ERR: %s", err);
    }
    item = it;
    sbuf b = SBUF_INIT;
    for (size_t i = 0; i < it->nvals; i++) {
        if (i)
            sb_puts(&b, " ; ");
        render(&b, it->vals[i]);
    }
    const char *s = arena_strdup(A, sb_cstr(&b));
    sb_free(&b);
    return s;
}

/* ---- sstr -------------------------------------------------------------- */

static void test_sstr(void)
{
    sstr s = sstr_parse(A, "a\\\\*", 4); /* a\\* */
    CHECK(s.n == 2 && s.parts[0].kind == SP_TEXT && s.parts[0].n == 2 &&
          memcmp(s.parts[0].s, "a\\", 2) == 0 && s.parts[1].kind == SP_STAR);
    s = sstr_parse(A, "a\\\\\\*", 5); /* a\\\* */
    CHECK(s.n == 1 && s.parts[0].n == 3 && memcmp(s.parts[0].s, "a\\*", 3) == 0);
    CHECK(!sstr_has_wildcard(&s));
    s = sstr_parse(A, "\\*", 2);
    CHECK(s.n == 1 && s.parts[0].n == 1 && s.parts[0].s[0] == '*');
    s = sstr_parse(A, "a\\b", 3);
    CHECK(s.n == 1 && s.parts[0].n == 3 && memcmp(s.parts[0].s, "a\\b", 3) == 0);
    s = sstr_parse(A, "a\\\\\\\\", 5); /* a\\\\ -> a\\ */
    CHECK(s.n == 1 && s.parts[0].n == 3 && memcmp(s.parts[0].s, "a\\\\", 3) == 0);
    s = sstr_parse(A, "ab\\", 3); /* trailing lone backslash kept */
    CHECK(s.n == 1 && s.parts[0].n == 3 && memcmp(s.parts[0].s, "ab\\", 3) == 0);
    s = sstr_parse(A, "\\?x?", 4);
    CHECK(s.n == 2 && s.parts[0].n == 2 && memcmp(s.parts[0].s, "?x", 2) == 0 &&
          s.parts[1].kind == SP_QMARK);
    s = sstr_parse(A, "*a*?b", 5);
    CHECK(s.n == 5 && s.parts[0].kind == SP_STAR && s.parts[2].kind == SP_STAR &&
          s.parts[3].kind == SP_QMARK && s.parts[4].n == 1);
    CHECK(sstr_has_wildcard(&s) && !sstr_has_placeholder(&s));
    CHECK(sstr_starts_star(&s) && !sstr_ends_star(&s));
    s = sstr_parse(A, "", 0);
    CHECK(s.n == 0 && !sstr_starts_star(&s));
    s = sstr_parse(A, "a\0b", 3); /* NUL bytes kept */
    CHECK(s.n == 1 && s.parts[0].n == 3 && s.parts[0].s[1] == 0);

    /* sstr_sigma round-trips */
    static const char *const rt[] = {"a\\\\*", "a\\\\\\*", "\\*", "a\\b", "ab\\", "*x?\\?",
                                     "a\\\\\\\\", "C:\\Windows\\*", "\\\\?"};
    for (size_t i = 0; i < sizeof rt / sizeof rt[0]; i++) {
        sstr x = sstr_parse(A, rt[i], strlen(rt[i]));
        const char *back = sstr_sigma(A, &x);
        sstr y = sstr_parse(A, back, strlen(back));
        CHECK_STR(RS(y), RS(x));
    }
    s = sstr_parse(A, "a\\b", 3);
    CHECK_STR(sstr_sigma(A, &s), "a\\b");
    s = sstr_parse(A, "a\\\\*", 4);
    CHECK_STR(sstr_sigma(A, &s), "a\\\\*");
    s = sstr_parse(A, "x\\*y", 4);
    CHECK_STR(sstr_sigma(A, &s), "x\\*y");

    /* text, plain, concat, normalize, star */
    size_t n;
    s = sstr_parse(A, "a\\*b", 4);
    CHECK_STR(sstr_text(A, &s, &n), "a*b");
    CHECK(n == 3);
    s = sstr_plain(A, "x*y", 3);
    CHECK(s.n == 1 && !sstr_has_wildcard(&s));
    CHECK_STR(RS(s), "x\\*y");
    sstr st = sstr_star();
    CHECK(st.n == 1 && st.parts[0].kind == SP_STAR);
    sstr c = sstr_concat(A, &st, &s);
    c = sstr_concat(A, &c, &st);
    CHECK_STR(RS(c), "*x\\*y*");
    sstr ab = sstr_plain(A, "ab", 2), cd = sstr_plain(A, "cd", 2);
    c = sstr_concat(A, &ab, &cd);
    CHECK(c.n == 1 && c.parts[0].n == 4 && memcmp(c.parts[0].s, "abcd", 4) == 0);
    spart ps[4] = {{SP_TEXT, "", 0}, {SP_TEXT, "a", 1}, {SP_TEXT, "b", 1}, {SP_STAR, NULL, 0}};
    sstr raw = {ps, 4};
    c = sstr_normalize(A, raw);
    CHECK(c.n == 2 && c.parts[0].n == 2 && c.parts[1].kind == SP_STAR);
    spart pe[1] = {{SP_TEXT, "", 0}};
    sstr e = {pe, 1};
    CHECK(sstr_normalize(A, e).n == 0);

    svalue *v = sv_str(A, sstr_plain(A, "q", 1));
    CHECK(v->kind == SV_STR && v->str.n == 1 && !v->cased);
    CHECK(sv_new(A, SV_NULL)->kind == SV_NULL);
}

/* ---- numbers ----------------------------------------------------------- */

static void test_numbers(void)
{
    CHECK_STR(snum_format(A, 1e-05), "1e-05");
    CHECK_STR(snum_format(A, 1.5), "1.5");
    CHECK_STR(snum_format(A, -0.5), "-0.5");
    CHECK_STR(snum_format(A, 123456789012.5), "123456789012.5");
    CHECK_STR(snum_format(A, 1e20), "100000000000000000000");
    CHECK_STR(snum_format(A, 0.1), "0.1");
    CHECK_STR(snum_format(A, 100.0), "100");
    CHECK_STR(snum_format(A, 1.0), "1");
    CHECK_STR(snum_format(A, 0.0), "0");
    CHECK_STR(snum_format(A, -0.0), "0");
    CHECK_STR(snum_format(A, -3.0), "-3");
    CHECK_STR(snum_format(A, 1.5e-07), "1.5e-07");
    CHECK_STR(snum_format(A, 0.0001), "0.0001");
    CHECK_STR(snum_format(A, 0.3), "0.3");
    CHECK_STR(snum_format(A, 1.0 / 3), "0.3333333333333333");
    CHECK_STR(snum_format(A, 2.5e-300), "2.5e-300");
    CHECK_STR(snum_format(A, 1234567890123456.5), "1234567890123456.5");
    CHECK_STR(snum_format(A, INFINITY), "inf");
    /* Python repr() without the integral rule */
    CHECK_STR(snum_repr(A, 1.2345678901234567e19), "1.2345678901234567e+19");
    CHECK_STR(snum_repr(A, 1e16), "1e+16");
    CHECK_STR(snum_repr(A, 1e15), "1000000000000000.0");
    CHECK_STR(snum_repr(A, 100.0), "100.0");
    CHECK_STR(snum_repr(A, 1e22), "1e+22");
    CHECK_STR(snum_repr(A, -1.5e-05), "-1.5e-05");

    /* numbers from YAML */
    CHECK_STR(run("A: 4688"), "num:4688");
    CHECK_STR(run("A: -3"), "num:-3");
    CHECK_STR(run("A: 1.0"), "num:1");
    CHECK(item && item->vals[0]->num.is_int && item->vals[0]->num.i == 1);
    CHECK_STR(run("A: 1.5"), "num:1.5(f)");
    CHECK_STR(run("A: 1.0e+20"), "num:100000000000000000000(f)");
    CHECK_STR(run("A: 0x10"), "num:16");
    CHECK_STR(run("A: 12345678901234567890"), "num:12345678901234567890(f)");
    CHECK_STR(run("A: 18446744073709551616"), "num:18446744073709551616(f)");
    CHECK_STR(run("A: -18446744073709551616"), "num:-18446744073709551616(f)");
    CHECK_STR(run("A: 0x10000000000000000"), "num:18446744073709551616(f)");
    CHECK_STR(run("A: 1.0e-5"), "num:1e-05(f)");
    CHECK_STR(run("A: 1e-5"), "1e-5"); /* PyYAML 1.1: no dot, a string */
    CHECK_STR(run("A: .inf"), "ERR: Invalid number");
    CHECK_STR(run("A: .nan"), "ERR: Invalid number");
    CHECK_STR(run("A: [1, 2.5]"), "num:1 ; num:2.5(f)");
    CHECK_STR(run("A: true"), "bool:true");
    CHECK_STR(run("A: ~"), "null");
    CHECK_STR(run("A: 2024-01-02"), "2024-01-02");
    CHECK_STR(run("A: [a, [b]]"), "ERR: Unsupported type: list");
    CHECK(errpos.line == 1 && errpos.col == 8);
    CHECK_STR(run("A: {b: c}"), "ERR: Unsupported type: map");
    CHECK_STR(run("A: []"), "");
    CHECK(item && item->nvals == 0);
}

/* ---- CIDR -------------------------------------------------------------- */

static const char *pats(const char *net)
{
    svalue v;
    memset(&v, 0, sizeof v);
    int rc = cidr_parse(net, strlen(net), &v);
    if (rc)
        return rc == 1 ? "malformed" : "host bits";
    sstr *ps;
    size_t n;
    if (!cidr_patterns(A, &v, &ps, &n))
        return "too many";
    sbuf b = SBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(&b, ' ');
        render_str(&b, &ps[i]);
    }
    const char *r = arena_strdup(A, sb_cstr(&b));
    sb_free(&b);
    return r;
}

static const char *compress(const char *addr)
{
    svalue v;
    memset(&v, 0, sizeof v);
    if (cidr_parse(addr, strlen(addr), &v) || v.cidr.family != 6)
        return "bad";
    char buf[64];
    ip6_compress(v.cidr.addr, buf);
    return arena_strdup(A, buf);
}

static void test_cidr(void)
{
    CHECK_STR(pats("10.0.0.0/23"), "10.0.0.* 10.0.1.*");
    CHECK_STR(pats("172.16.0.0/12"),
              "172.16.* 172.17.* 172.18.* 172.19.* 172.20.* 172.21.* 172.22.* 172.23.* "
              "172.24.* 172.25.* 172.26.* 172.27.* 172.28.* 172.29.* 172.30.* 172.31.*");
    CHECK_STR(pats("10.0.0.0/8"), "10.*");
    CHECK_STR(pats("192.168.1.0/24"), "192.168.1.*");
    CHECK_STR(pats("10.1.2.3/32"), "10.1.2.3");
    CHECK_STR(pats("10.1.2.3"), "10.1.2.3");
    CHECK_STR(pats("0.0.0.0/0"), "*");
    CHECK_STR(pats("10.1.2.2/31"), "10.1.2.2 10.1.2.3");
    CHECK_STR(pats("128.0.0.0/1"), "128.* 129.* 130.* 131.* 132.* 133.* 134.* 135.* 136.* 137.* "
                                   "138.* 139.* 140.* 141.* 142.* 143.* 144.* 145.* 146.* 147.* "
                                   "148.* 149.* 150.* 151.* 152.* 153.* 154.* 155.* 156.* 157.* "
                                   "158.* 159.* 160.* 161.* 162.* 163.* 164.* 165.* 166.* 167.* "
                                   "168.* 169.* 170.* 171.* 172.* 173.* 174.* 175.* 176.* 177.* "
                                   "178.* 179.* 180.* 181.* 182.* 183.* 184.* 185.* 186.* 187.* "
                                   "188.* 189.* 190.* 191.* 192.* 193.* 194.* 195.* 196.* 197.* "
                                   "198.* 199.* 200.* 201.* 202.* 203.* 204.* 205.* 206.* 207.* "
                                   "208.* 209.* 210.* 211.* 212.* 213.* 214.* 215.* 216.* 217.* "
                                   "218.* 219.* 220.* 221.* 222.* 223.* 224.* 225.* 226.* 227.* "
                                   "228.* 229.* 230.* 231.* 232.* 233.* 234.* 235.* 236.* 237.* "
                                   "238.* 239.* 240.* 241.* 242.* 243.* 244.* 245.* 246.* 247.* "
                                   "248.* 249.* 250.* 251.* 252.* 253.* 254.* 255.*");
    CHECK_STR(pats("10.0.0.0/255.255.254.0"), "10.0.0.* 10.0.1.*");
    CHECK_STR(pats("10.0.0.0/0.0.1.255"), "10.0.0.* 10.0.1.*");
    CHECK_STR(pats("10.0.0.1/8"), "host bits");
    CHECK_STR(pats("10.0.0.0/33"), "malformed");
    CHECK_STR(pats("10.0.0/8"), "malformed");
    CHECK_STR(pats("010.0.0.0/8"), "malformed");
    CHECK_STR(pats("256.0.0.0/8"), "malformed");
    CHECK_STR(pats("10.0.0.0/"), "malformed");
    CHECK_STR(pats("10.0.0.0/8/8"), "malformed");
    CHECK_STR(pats("10.0.0.0/ 8"), "malformed");
    CHECK_STR(pats("10.0.0.0/255.0.255.0"), "malformed");

    CHECK_STR(pats("fe80::/10"), "fe8* fe9* fea* feb*");
    CHECK_STR(pats("fc00::/7"), "fc* fd*");
    CHECK_STR(pats("::1/128"), "::1");
    CHECK_STR(pats("::1"), "::1");
    CHECK_STR(pats("2001:db8::/32"), "2001:db8:*");
    CHECK_STR(pats("2001:DB8::/33"), "2001:db8:* 2001:db8:1* 2001:db8:2* 2001:db8:3* 2001:db8:4* "
                                     "2001:db8:5* 2001:db8:6* 2001:db8:7*");
    CHECK_STR(pats("::/0"), "*");
    CHECK_STR(pats("2001:db8::/126"), "2001:db8:: 2001:db8::1 2001:db8::2 2001:db8::3");
    CHECK_STR(pats("2001:db8::/124"), "2001:db8::*");
    CHECK_STR(pats("2001:db8::10/124"), "2001:db8::1*");
    CHECK_STR(pats("2001:db8::/127"), "2001:db8:: 2001:db8::1");
    CHECK_STR(pats("::ffff:10.0.0.0/120"), "::ffff:a00:*");
    CHECK_STR(pats("fe80::1/10"), "host bits");
    CHECK_STR(pats("fe80::/129"), "malformed");
    CHECK_STR(pats("fe80:::/10"), "malformed");
    CHECK_STR(pats("1::2::3/128"), "malformed");
    CHECK_STR(pats("12345::/16"), "malformed");
    CHECK_STR(pats("fe80::/255.0.0.0"), "malformed");
    CHECK_STR(pats(":1::/16"), "malformed");
    CHECK_STR(pats("1:2:3:4:5:6:7:8:9"), "malformed");
    CHECK_STR(pats("1:2:3:4:5:6:7"), "malformed");
    CHECK_STR(pats("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
    CHECK_STR(pats("fe80::1%eth0"), "malformed");

    CHECK_STR(compress("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
    CHECK_STR(compress("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
    CHECK_STR(compress("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
    CHECK_STR(compress("0:0:0:0:0:0:0:0"), "::");
    CHECK_STR(compress("1::"), "1::");
    CHECK_STR(compress("::1.2.3.4"), "::102:304");
    CHECK_STR(compress("ABCD:EF01::0001"), "abcd:ef01::1");
    CHECK_STR(compress("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4:5:6:102:304");

    CHECK_STR(run("A|cidr: 10.0.0.0/23"), "cidr4:10.0.0.0/23/23");
    CHECK_STR(run("A|cidr: [10.0.0.0/8, 'fe80::/10']"), "cidr4:10.0.0.0/8/8 ; cidr6:fe80::/10/10");
    CHECK_STR(run("A|cidr: 10.0.0.1/8"), "ERR: invalid CIDR '10.0.0.1/8': host bits set");
    CHECK_STR(run("A|cidr: 10.0.0.x/8"), "ERR: invalid CIDR '10.0.0.x/8'");
    CHECK_STR(run("A|cidr: 10.*"), "ERR: invalid CIDR '10.*'");
    CHECK_STR(run("A|cidr: 5"), "ERR: modifier 'cidr' is not applicable to a number value '5'");
    CHECK_STR(run("A|contains|cidr: 10.0.0.0/8"), "ERR: the cidr modifier must come first");
    CHECK_STR(run("A|cidr|contains: 10.0.0.0/8"),
              "ERR: modifier 'contains' is not applicable to a CIDR network value '10.0.0.0/8'");
    CHECK_STR(run("A|cidr|neq|all: 10.0.0.0/8"), "cidr4:10.0.0.0/8/8");
    CHECK(item && item->neg && item->all);
}

/* ---- modifiers ---------------------------------------------------------- */

static void test_basic(void)
{
    CHECK_STR(run("A: 'C:\\Windows\\*'"), "C:\\\\Windows\\*");
    CHECK_STR(run("A|contains: abc"), "*abc*");
    CHECK_STR(run("A|contains: '*abc'"), "*abc*");
    CHECK_STR(run("A|contains: 'abc*'"), "*abc*");
    CHECK_STR(run("A|contains: ''"), "*");
    CHECK_STR(run("A|startswith: abc"), "abc*");
    CHECK_STR(run("A|startswith: 'abc*'"), "abc*");
    CHECK_STR(run("A|endswith: abc"), "*abc");
    CHECK_STR(run("A|endswith: 'a\\*b'"), "*a\\*b");
    CHECK_STR(run("A|contains: [a, b]"), "*a* ; *b*");
    CHECK_STR(run("A|contains: 5"),
              "ERR: modifier 'contains' is not applicable to a number value '5'");
    CHECK_STR(run("A|startswith: true"),
              "ERR: modifier 'startswith' is not applicable to a boolean value 'true'");
    CHECK_STR(run("A|endswith: null"),
              "ERR: modifier 'endswith' is not applicable to a null value 'null'");
    CHECK_STR(run("A|contains: [x, 1]"),
              "ERR: modifier 'contains' is not applicable to a number value '1'");
    CHECK(errpos.line == 1 && errpos.col == 17); /* at the offending value */

    CHECK_STR(run("A|all: [a, b]"), "a ; b");
    CHECK(item && item->all && !item->neg);
    CHECK_STR(run("A|neq: a"), "a");
    CHECK(item && item->neg && !item->all);
    CHECK_STR(run("A|neq: null"), "null");

    CHECK_STR(run("A|foo: a"), "ERR: unknown modifier 'foo'");
    CHECK(errpos.line == 1 && errpos.col == 1); /* at the key */
    CHECK_STR(run("A|Contains: a"), "ERR: unknown modifier 'Contains'");
    CHECK_STR(run("A|: a"), "ERR: unknown modifier ''");
    CHECK(modifier_known("contains") && modifier_known("utf16le") && !modifier_known("CONTAINS"));
    /* every listed name is a modifier, listed once; aliases act alike */
    size_t n = 0;
    bool known = true, unique = true;
    for (; modifier_names[n]; n++) {
        known = known && modifier_known(modifier_names[n]);
        for (size_t j = 0; j < n; j++)
            unique = unique && strcmp(modifier_names[j], modifier_names[n]) != 0;
    }
    CHECK(known && unique && n > 30);
    CHECK_STR(run("A|re|ignorecase: a"), run("A|re|i: a"));
    CHECK_STR(run("A|re|multiline: a"), run("A|re|m: a"));
    CHECK_STR(run("A|re|dotall: a"), run("A|re|s: a"));

    CHECK_STR(run("A|cased: AbC"), "cased:AbC");
    CHECK_STR(run("A|cased|contains: AbC"), "cased:*AbC*");
    CHECK_STR(run("A|contains|cased: AbC"), "cased:*AbC*");
    CHECK_STR(run("A|cased: 1"), "ERR: modifier 'cased' is not applicable to a number value '1'");
    CHECK_STR(run("A|re|cased: a"),
              "ERR: modifier 'cased' is not applicable to a regular expression value 'a'");
}

static void test_encodings(void)
{
    CHECK_STR(run("A|base64: abc"), "YWJj");
    CHECK_STR(run("A|base64: ab"), "YWI=");
    CHECK_STR(run("A|base64: a"), "YQ==");
    CHECK_STR(run("A|base64: ''"), "");
    CHECK_STR(run("A|base64|contains: 'a\\*'"), "*YSo=*");
    CHECK_STR(run("A|base64: 'a*'"), "ERR: base64 encoding of strings with wildcards is not allowed");
    CHECK_STR(run("A|contains|base64offset: abc"),
              "ERR: base64offset encoding of strings with wildcards is not allowed");
    CHECK_STR(run("A|base64: 1"), "ERR: modifier 'base64' is not applicable to a number value '1'");
    CHECK_STR(run("A|base64offset|contains: abc"), "[*YWJj*|*FiY*|*hYm*]");
    CHECK_STR(run("A|base64offset: abc"), "[YWJj|FiY|hYm]");
    CHECK_STR(run("A|base64offset: a"), "[Y||h]");
    CHECK_STR(run("A|base64offset: ab"), "[YW|Fi|hY]");
    CHECK_STR(run("A|base64offset: abcd"), "[YWJjZ|FiY2|hYmNk]");
    CHECK_STR(run("A|base64offset|contains: [abc, xyz]"),
              "[*YWJj*|*FiY*|*hYm*] ; [*eHl6*|*h5e*|*4eX*]");
    CHECK_STR(run("A|expand|base64: '%x%'"),
              "ERR: base64 encoding of strings with placeholders is not allowed");

    CHECK_STR(run("A|wide: ab"), "a\\x00b\\x00");
    CHECK_STR(run("A|utf16le: ab"), "a\\x00b\\x00");
    CHECK_STR(run("A|utf16be: ab"), "\\x00a\\x00b");
    CHECK_STR(run("A|utf16: ab"), "\\xff\\xfea\\x00b\\x00");
    CHECK_STR(run("A|wide: 'a*b'"), "a\\x00*b\\x00");
    CHECK_STR(run("A|wide: \"\\u00e9\""), "\\xe9\\x00");
    CHECK_STR(run("A|utf16be: \"\\u20ac\""), " \\xac");
    CHECK_STR(run("A|wide: \"\\U0001F600\""), "=\\xd8\\x00\\xde"); /* D83D DE00 */
    CHECK_STR(run("A|wide|base64: ab"), "YQBiAA==");
    CHECK_STR(run("A|utf16|base64: ab"), "//5hAGIA");
    CHECK_STR(run("A|utf16be|base64: ab"), "AGEAYg==");
    CHECK_STR(run("A|wide|base64offset|contains: ab"), "[*YQBiA*|*EAYg*|*hAGIA*]");
    CHECK_STR(run("A|wide|wide: \"\\u00e9\""),
              "ERR: modifier 'wide' needs valid UTF-8 text, got '\\xe9\\x00'");
    CHECK_STR(run("A|wide: 1"), "ERR: modifier 'wide' is not applicable to a number value '1'");
}

static void test_windash(void)
{
    CHECK_STR(run("A|windash: '-a'"),
              "[-a|/a|\\xe2\\x80\\x93a|\\xe2\\x80\\x94a|\\xe2\\x80\\x95a]");
    CHECK_STR(run("A|windash: 'x'"), "x");
    CHECK_STR(run("A|windash: 'a-b'"), "a-b");       /* preceded by a word char */
    CHECK_STR(run("A|windash: '- a'"), "- a");       /* followed by a non-word char */
    CHECK_STR(run("A|windash: '-*'"), "-*");         /* a wildcard is not a word char */
    CHECK_STR(run("A|windash: '*-a'"), "[*-a|*/a|*\\xe2\\x80\\x93a|*\\xe2\\x80\\x94a|*\\xe2\\x80\\x95a]");
    CHECK_STR(run("A|windash: ' /_'"), "[ -_| /_| \\xe2\\x80\\x93_| \\xe2\\x80\\x94_| \\xe2\\x80\\x95_]");
    CHECK_STR(run("A|windash: \"-\\u00e9\""),
              "[-\\xc3\\xa9|/\\xc3\\xa9|\\xe2\\x80\\x93\\xc3\\xa9|\\xe2\\x80\\x94\\xc3\\xa9|"
              "\\xe2\\x80\\x95\\xc3\\xa9]");
    CHECK_STR(run("A|windash: \"-\\u2013\""), "-\\xe2\\x80\\x93"); /* en dash is not a word char */
    CHECK_STR(run("A|windash: \"\\u00e9-a\""), "\\xc3\\xa9-a");    /* é before: word */
    CHECK_STR(run("A|windash: '--a'"),
              "[--a|-/a|-\\xe2\\x80\\x93a|-\\xe2\\x80\\x94a|-\\xe2\\x80\\x95a]");

    /* 25 values, first occurrence varies slowest */
    run("A|windash: '-a /b'");
    CHECK(item && item->nvals == 1 && item->vals[0]->kind == SV_EXPANSION &&
          item->vals[0]->nitems == 25);
    if (item && item->vals[0]->kind == SV_EXPANSION && item->vals[0]->nitems == 25) {
        svalue **it = item->vals[0]->items;
        CHECK_STR(R(it[0]), "-a -b");
        CHECK_STR(R(it[1]), "-a /b");
        CHECK_STR(R(it[2]), "-a \\xe2\\x80\\x93b");
        CHECK_STR(R(it[4]), "-a \\xe2\\x80\\x95b");
        CHECK_STR(R(it[5]), "/a -b");
        CHECK_STR(R(it[24]), "\\xe2\\x80\\x95a \\xe2\\x80\\x95b");
    }
    CHECK_STR(run("A|windash|contains: '-a'"),
              "[*-a*|*/a*|*\\xe2\\x80\\x93a*|*\\xe2\\x80\\x94a*|*\\xe2\\x80\\x95a*]");
    CHECK_STR(run("A|windash|cased: '-A'"),
              "[cased:-A|cased:/A|cased:\\xe2\\x80\\x93A|cased:\\xe2\\x80\\x94A|cased:\\xe2\\x80\\x95A]");
    CHECK_STR(run("A|windash|all: ['-a', b]"),
              "[-a|/a|\\xe2\\x80\\x93a|\\xe2\\x80\\x94a|\\xe2\\x80\\x95a] ; b");
    CHECK(item && item->all);
    /* windash then base64offset: flattened into one expansion of 15 */
    run("A|windash|base64offset: '-a'");
    CHECK(item && item->vals[0]->kind == SV_EXPANSION && item->vals[0]->nitems == 15);
    CHECK_STR(run("A|windash: 5"), "ERR: modifier 'windash' is not applicable to a number value '5'");

    /* limits: 5^5 = 3125 fits, 5^6 = 15625 does not */
    run("A|windash: '-a -b -c -d -e'");
    CHECK(item && item->vals[0]->nitems == 3125);
    CHECK_STR(run("A|windash: '-a -b -c -d -e -f'"),
              "ERR: windash expansion too large (15625 values, limit 4096)");
    run("A|windash: ['-a -b -c -d -e', '-a -b -c -d']"); /* 3125 + 625 */
    CHECK(item && item->nvals == 2 && item->vals[1]->nitems == 625);
    run("A|windash: ['-a -b -c -d -e', '-a -b -c -d -e']"); /* each value within the limit */
    CHECK(item && item->nvals == 2 && item->vals[1]->nitems == 3125);
    CHECK_STR(run("A|windash: '-a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a "
                  "-a -a -a -a -a -a -a -a -a -a'"),
              "ERR: windash expansion too large (more than 18446744073709551614 values, limit 4096)");
    /* one value expanded over modifiers: 3125 windash values x 3 (base64offset) */
    CHECK_STR(run("A|windash|base64offset: '-a -b -c -d -e'"),
              "ERR: expansion of one value too large after modifier 'base64offset' (9375 values, limit 4096)");
}

static void test_regex(void)
{
    CHECK_STR(run("A|re: 'a.*b'"), "re:a.*b");
    CHECK_STR(run("A|re: 'a*\\d'"), "re:a*\\d");
    CHECK_STR(run("A|re: 123"), "re:123");
    CHECK_STR(run("A|re: 1.50"), "re:1.5");
    CHECK_STR(run("A|re: 2024-01-02"), "re:2024-01-02");
    CHECK_STR(run("A|re: true"),
              "ERR: modifier 're' is not applicable to a boolean value 'true'");
    CHECK_STR(run("A|re|i: abc"), "re:abc/i");
    CHECK_STR(run("A|re|ignorecase|m|s: abc"), "re:abc/ims");
    CHECK_STR(run("A|re|multiline|dotall: abc"), "re:abc/ms");
    CHECK_STR(run("A|re|contains: abc"), "re:.*abc.*");
    CHECK_STR(run("A|re|contains: '^abc$'"), "re:^abc$");
    CHECK_STR(run("A|re|contains: '.*abc.*'"), "re:.*abc.*");
    CHECK_STR(run("A|re|startswith: abc"), "re:abc.*");
    CHECK_STR(run("A|re|endswith: abc"), "re:.*abc");
    CHECK_STR(run("A|re|startswith: 'abc$'"), "re:abc$");
    CHECK_STR(run("A|re|endswith: '^abc'"), "re:^abc");
    CHECK_STR(run("A|contains|re: abc"), "ERR: the re modifier must come first");
    CHECK_STR(run("A|re: 'a(b'"),
              "ERR: invalid regular expression 'a(b': missing closing parenthesis at offset 3");
    CHECK(errpos.line == 1 && errpos.col == 7);
    CHECK_STR(run("A|re: '[z-a]'"),
              "ERR: invalid regular expression '[z-a]': range out of order in character class at offset 3");
    CHECK_STR(run("A|re: \"\\xff\""), "re:\xc3\xbf");
    CHECK_STR(run("A|i: abc"),
              "ERR: modifier 'i' is not applicable to a string value 'abc'");
    CHECK_STR(run("A|s: 1"), "ERR: modifier 's' is not applicable to a number value '1'");
    CHECK_STR(run("A|re|expand: '%x%'"),
              "ERR: modifier 'expand' is not applicable to a regular expression value '%x%'");
    CHECK_STR(run("'|re': 'a.*b'"), "re:a.*b");
    CHECK(item && item->field == NULL);
}

static void test_expand_fieldref(void)
{
    CHECK_STR(run("A|expand: '%admins%'"), "{admins}");
    CHECK_STR(run("A|expand: 'pre-%pats%-post'"), "pre-{pats}-post");
    CHECK_STR(run("A|expand: '%a%%b%'"), "{a}{b}");
    CHECK_STR(run("A|expand: '\\%one%'"), "%one%");
    CHECK_STR(run("A|expand: '\\%a%b%'"), "%a{b}");
    CHECK_STR(run("A|expand: '%a\\%b%'"), "{a\\}b%");
    CHECK_STR(run("A|expand: '%%x'"), "%%x");
    CHECK_STR(run("A|expand: 'a%*%b'"), "a%*%b");
    CHECK_STR(run("A|expand|contains: '%x%'"), "*{x}*");
    run("A|expand: '%x%'");
    CHECK(item && sstr_has_placeholder(&item->vals[0]->str) && !sstr_has_wildcard(&item->vals[0]->str));
    CHECK_STR(run("A|expand: 5"), "ERR: modifier 'expand' is not applicable to a number value '5'");

    CHECK_STR(run("A|fieldref: B"), "ref:B");
    CHECK_STR(run("A|fieldref: [B, C]"), "ref:B ; ref:C");
    CHECK_STR(run("A|fieldref|contains: B"), "ref:*B*");
    CHECK_STR(run("A|fieldref|startswith: B"), "ref:B*");
    CHECK(item && !item->vals[0]->ref_starts && item->vals[0]->ref_ends);
    CHECK_STR(run("A|fieldref|endswith: B"), "ref:*B");
    CHECK(item && item->vals[0]->ref_starts && !item->vals[0]->ref_ends);
    CHECK_STR(run("A|fieldref|cased: B"), "ref:cased:B");
    CHECK_STR(run("A|cased|fieldref: B"), "ref:cased:B");
    CHECK_STR(run("A|fieldref: 'B*'"), "ERR: field references must not contain wildcards");
    CHECK_STR(run("A|contains|fieldref: B"), "ERR: field references must not contain wildcards");
    CHECK_STR(run("A|fieldref: 1"),
              "ERR: modifier 'fieldref' is not applicable to a number value '1'");
}

static void test_exists_cmp(void)
{
    CHECK_STR(run("A|exists: true"), "exists:true");
    CHECK_STR(run("A|exists: false"), "exists:false");
    CHECK_STR(run("A|exists|neq: false"), "exists:false");
    CHECK(item && item->neg);
    CHECK_STR(run("A|exists: 'true'"),
              "ERR: modifier 'exists' is not applicable to a string value 'true'");
    CHECK_STR(run("'|exists': true"), "ERR: the exists modifier needs a field");

    CHECK_STR(run("A|gt: 5"), "gt:5");
    CHECK_STR(run("A|gte: 1.5"), "gte:1.5");
    CHECK_STR(run("A|lt: -3"), "lt:-3");
    CHECK_STR(run("A|lte: 0"), "lte:0");
    CHECK_STR(run("A|gt: [1, 2]"), "gt:1 ; gt:2");
    CHECK_STR(run("A|gt: '5'"), "ERR: modifier 'gt' needs a number, got string '5'");
    CHECK_STR(run("A|lte: true"), "ERR: modifier 'lte' needs a number, got boolean 'true'");
    CHECK_STR(run("A|gt|lt: 5"), "ERR: modifier 'lt' needs a number, got comparison '5'");

    CHECK_STR(run("A|minute: 5"), "minute:5");
    CHECK_STR(run("A|hour: [1, 2]"), "hour:1 ; hour:2");
    CHECK_STR(run("A|day: 3"), "day:3");
    CHECK_STR(run("A|week: 3"), "week:3");
    CHECK_STR(run("A|month: 12"), "month:12");
    CHECK_STR(run("A|year: 2024"), "year:2024");
    CHECK_STR(run("A|hour: 5.7"), "hour:5");
    CHECK_STR(run("A|hour: '5'"), "ERR: modifier 'hour' is not applicable to a string value '5'");
    /* a part compared with gt/gte/lt/lte, in either order */
    CHECK_STR(run("A|hour|gt: 5"), "gt:5");
    CHECK(item && item->vals[0]->cmp_tpart && item->vals[0]->tpart == TP_HOUR);
    CHECK_STR(run("A|gt|hour: 5"), "gt:5");
    CHECK(item && item->vals[0]->cmp_tpart && item->vals[0]->tpart == TP_HOUR);
    CHECK_STR(run("A|year|hour|gt: 5"), "ERR: modifier 'hour' is not applicable to a timestamp part value '5'");
    CHECK_STR(run("A|gt|year|hour: 5"), "ERR: only one timestamp part modifier may be used");
}

static void test_limits(void)
{
    sbuf b = SBUF_INIT;
    sb_puts(&b, "A: [");
    for (int i = 0; i <= SIGMA_MAX_VALUES; i++)
        sb_printf(&b, "%s%d", i ? "," : "", i);
    sb_puts(&b, "]");
    CHECK_STR(run(sb_cstr(&b)), "ERR: too many values (100001, limit 100000)");
    sb_clear(&b);
    sb_puts(&b, "A|base64offset: [");
    for (int i = 0; i < 33334; i++)
        sb_printf(&b, "%sx%d", i ? "," : "", i);
    sb_puts(&b, "]");
    CHECK_STR(run(sb_cstr(&b)), "ERR: too many values after modifier 'base64offset' (100002, limit 100000)");
    sb_clear(&b);
    /* /1 -> 128 patterns each: 782 networks exceed the limit */
    sb_puts(&b, "A|cidr: [");
    for (int i = 0; i < 782; i++)
        sb_printf(&b, "%s128.0.0.0/1", i ? "," : "");
    sb_puts(&b, "]");
    CHECK_STR(run(sb_cstr(&b)), "ERR: too many values after modifier 'cidr' (100096, limit 100000)");
    sb_free(&b);
}

int main(void)
{
    A = arena_new();
    test_sstr();
    test_numbers();
    test_cidr();
    test_basic();
    test_encodings();
    test_windash();
    test_regex();
    test_expand_fieldref();
    test_exists_cmp();
    test_limits();
    arena_free(A);
    return t_done("modifier");
}
