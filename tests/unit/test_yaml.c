/* test_yaml.c - src/yaml: libyaml events to ynode trees, PyYAML typing,
 * positions, documents, duplicate keys, aliases and the safety limits. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "util/file.h"
#include "util/limits.h"
#include "util/sbuf.h"
#include "yaml/ynode.h"

static arena *A;
static ydoc *D;
static size_t ND;
static yerror E;

static bool load_n(const char *s, size_t n)
{
    return yaml_load(A, s, n, &D, &ND, &E);
}

static bool load(const char *s)
{
    return load_n(s, strlen(s));
}

/* Root of the single document of s (NULL on any failure). */
static ynode *root_of(const char *s)
{
    if (!load(s) || ND != 1)
        return NULL;
    return D[0].root;
}

/* Resolves text as a plain scalar through yaml_resolve_plain. */
static ynode *res(const char *text)
{
    ynode *n = arena_alloc(A, sizeof *n);
    n->kind = YN_SCALAR;
    n->u.s.text = arena_strdup(A, text);
    n->u.s.len = strlen(text);
    n->u.s.plain = true;
    yaml_resolve_plain(n);
    return n;
}

static int type_of(const char *text)
{
    return (int)res(text)->u.s.type;
}

static bool is_int(const char *text, int64_t v)
{
    ynode *n = res(text);
    return n->u.s.type == YT_INT && !n->u.s.int_big && n->u.s.ival == v && n->u.s.fval == (double)v;
}

static bool is_float(const char *text, double v)
{
    ynode *n = res(text);
    return n->u.s.type == YT_FLOAT && n->u.s.fval == v;
}

static bool is_bool(const char *text, bool v)
{
    ynode *n = res(text);
    return n->u.s.type == YT_BOOL && n->u.s.bval == v;
}

static void test_typing(void)
{
    /* null */
    CHECK(type_of("~") == YT_NULL);
    CHECK(type_of("null") == YT_NULL);
    CHECK(type_of("Null") == YT_NULL);
    CHECK(type_of("NULL") == YT_NULL);
    CHECK(type_of("") == YT_NULL);
    CHECK(type_of("nULL") == YT_STR);
    CHECK(type_of("none") == YT_STR);
    CHECK(type_of("~~") == YT_STR);

    /* bool */
    const char *t[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    const char *f[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    for (size_t i = 0; i < 9; i++) {
        CHECK(is_bool(t[i], true));
        CHECK(is_bool(f[i], false));
    }
    CHECK(type_of("y") == YT_STR);
    CHECK(type_of("n") == YT_STR);
    CHECK(type_of("yEs") == YT_STR);
    CHECK(type_of("oN") == YT_STR);
    CHECK(type_of("tRUE") == YT_STR);
    CHECK(type_of("offf") == YT_STR);

    /* int */
    CHECK(is_int("0", 0));
    CHECK(is_int("-0", 0));
    CHECK(is_int("+0", 0));
    CHECK(is_int("12", 12));
    CHECK(is_int("+12", 12));
    CHECK(is_int("-12", -12));
    CHECK(is_int("1_000", 1000));
    CHECK(is_int("1__0_", 10));
    CHECK(is_int("0x1F", 31));
    CHECK(is_int("0x1f", 31));
    CHECK(is_int("-0x_1F", -31));
    CHECK(is_int("0b101", 5));
    CHECK(is_int("+0b1_01", 5));
    CHECK(is_int("010", 8));
    CHECK(is_int("0_10", 8));
    CHECK(is_int("00", 0));
    CHECK(is_int("0_", 0));
    CHECK(is_int("190:20:30", 685230));
    CHECK(is_int("-1:30", -90));
    CHECK(is_int("1:0", 60));
    CHECK(is_int("1_0:05", 605));
    CHECK(is_int("9223372036854775807", INT64_MAX));
    CHECK(is_int("-9223372036854775808", INT64_MIN));
    CHECK(type_of("0o17") == YT_STR);
    CHECK(type_of("08") == YT_STR);
    CHECK(type_of("019") == YT_STR);
    CHECK(type_of("0x") == YT_STR);
    CHECK(type_of("0xG") == YT_STR);
    CHECK(type_of("0b") == YT_STR);
    CHECK(type_of("0b102") == YT_STR);
    CHECK(type_of("0b_") == YT_STR);
    CHECK(type_of("0X1F") == YT_STR);
    CHECK(type_of("1_000x") == YT_STR);
    CHECK(type_of("_1") == YT_STR);
    CHECK(type_of("-") == YT_STR);
    CHECK(type_of("+") == YT_STR);
    CHECK(type_of("1:60") == YT_STR);
    CHECK(type_of("1:123") == YT_STR);
    CHECK(type_of("1:") == YT_STR);
    CHECK(type_of("0:30") == YT_STR);
    CHECK(type_of("1,000") == YT_STR);
    CHECK(type_of("12 ") == YT_STR);
    CHECK(type_of(" 12") == YT_STR);
    {
        ynode *n = res("9223372036854775808");
        CHECK(n->u.s.type == YT_INT && n->u.s.int_big && n->u.s.fval == 9223372036854775808.0);
        n = res("-9223372036854775809");
        CHECK(n->u.s.type == YT_INT && n->u.s.int_big && n->u.s.fval == -9223372036854775808.0);
        n = res("0x1_0000_0000_0000_0000");
        CHECK(n->u.s.type == YT_INT && n->u.s.int_big && n->u.s.fval == 18446744073709551616.0);
        n = res("100000000000000000000000");
        CHECK(n->u.s.type == YT_INT && n->u.s.int_big && n->u.s.fval == 1e23);
    }

    /* float */
    CHECK(is_float("1.5", 1.5));
    CHECK(is_float("-1.5", -1.5));
    CHECK(is_float("+1.5", 1.5));
    CHECK(is_float("1.", 1.0));
    CHECK(is_float("1_0.2_5", 10.25));
    CHECK(is_float("1.0e+20", 1e20));
    CHECK(is_float("1.0E-2", 0.01));
    CHECK(is_float("1.e+3", 1000.0));
    CHECK(is_float(".5", 0.5));
    CHECK(is_float(".5e+1", 5.0));
    CHECK(is_float("09.5", 9.5));
    CHECK(is_float("190:20:30.15", 685230.15));
    CHECK(is_float("-1:30.5", -90.5));
    CHECK(is_float("1:30.", 90.0));
    CHECK(is_float(".inf", INFINITY));
    CHECK(is_float(".Inf", INFINITY));
    CHECK(is_float("+.INF", INFINITY));
    CHECK(is_float("-.inf", -INFINITY));
    {
        ynode *n = res(".nan");
        CHECK(n->u.s.type == YT_FLOAT && isnan(n->u.s.fval));
        CHECK(type_of(".NaN") == YT_FLOAT);
        CHECK(type_of(".NAN") == YT_FLOAT);
    }
    CHECK(type_of("1.5e3") == YT_STR);
    CHECK(type_of("1.0e3") == YT_STR);
    CHECK(type_of("1e3") == YT_STR);
    CHECK(type_of("1.0e+") == YT_STR);
    CHECK(type_of("-.5") == YT_STR);
    CHECK(type_of("+.5") == YT_STR);
    CHECK(type_of(".") == YT_STR);
    CHECK(type_of("._") == YT_STR);
    CHECK(type_of("._5") == YT_STR); /* PyYAML 6: \.[0-9][0-9_]* */
    CHECK(is_float(".5_5", 0.55));
    CHECK(type_of("-.nan") == YT_STR);
    CHECK(type_of(".infinity") == YT_STR);
    CHECK(type_of("inf") == YT_STR);
    CHECK(type_of("nan") == YT_STR);
    CHECK(type_of(".iNf") == YT_STR);
    CHECK(type_of("1.2.3") == YT_STR);
    CHECK(type_of("1:60.5") == YT_STR);
    CHECK(type_of("1_.5") == YT_FLOAT);
    CHECK(type_of("10.0.0.1") == YT_STR);

    /* date / timestamp */
    CHECK(type_of("2024-01-01") == YT_DATE);
    CHECK(type_of("2001-12-14t21:59:43.10-05:00") == YT_DATE);
    CHECK(type_of("2001-12-14 21:59:43.10 -5") == YT_DATE);
    CHECK(type_of("2001-12-15T02:59:43.1Z") == YT_DATE);
    CHECK(type_of("2001-12-15 2:59:43.10") == YT_DATE);
    CHECK(type_of("2002-12-14") == YT_DATE);
    CHECK(type_of("2001-1-5T02:59:43") == YT_DATE);
    CHECK(type_of("2001-12-14 \t 21:59:43 Z") == YT_DATE);
    CHECK(type_of("2001-12-14T21:59:43+01") == YT_DATE);
    CHECK(type_of("2001-12-14T21:59:43.") == YT_DATE);
    CHECK(type_of("2024/01/01") == YT_STR);
    CHECK(type_of("2024-1-01") == YT_STR);
    CHECK(type_of("24-01-01") == YT_STR);
    CHECK(type_of("2024-01-011") == YT_STR);
    CHECK(type_of("2024-01-01T") == YT_STR);
    CHECK(type_of("2024-01-01T10:00") == YT_STR);
    CHECK(type_of("2024-01-01T10:00:0") == YT_STR);
    CHECK(type_of("2024-01-01T100:00:00") == YT_STR);
    CHECK(type_of("2024-01-01T10:00:00+") == YT_STR);
    CHECK(type_of("2024-01-01T10:00:00+1:3") == YT_STR);
    CHECK(type_of("2024-01-01T10:00:00 X") == YT_STR);
    CHECK(type_of("2024-01-01T10:00:00ZZ") == YT_STR);
    CHECK(strcmp(res("2024-01-01")->u.s.text, "2024-01-01") == 0);

    /* other strings */
    CHECK(type_of("hello") == YT_STR);
    CHECK(type_of("<<") == YT_STR);
    CHECK(type_of("=") == YT_STR);
}

/* Types through the loader: style and explicit tags. */
static void test_styles_and_tags(void)
{
    ynode *r = root_of("- yes\n- 'yes'\n- \"12\"\n- |\n  12\n- >\n  null\n- 12\n- !!str 12\n"
                       "- !!str yes\n- !!int \"12\"\n- !!float 3\n- !!float '1.5'\n"
                       "- !!bool 'Yes'\n- !!null ''\n- !!null x\n"
                       "- ! 12\n- !!map {}\n- !!float 1e3\n- ! '12'\n- ! yes\n");
    CHECK(r && r->kind == YN_SEQ && r->u.seq.n == 19);
    if (!r || r->u.seq.n != 19)
        return;
    ynode **it = r->u.seq.items;
    CHECK(it[0]->u.s.type == YT_BOOL && it[0]->u.s.bval && it[0]->u.s.plain);
    CHECK(it[1]->u.s.type == YT_STR && !it[1]->u.s.plain);
    CHECK_STR(it[1]->u.s.text, "yes");
    CHECK(it[2]->u.s.type == YT_STR && !it[2]->u.s.plain);
    CHECK(it[3]->u.s.type == YT_STR && !it[3]->u.s.plain);
    CHECK_STR(it[3]->u.s.text, "12\n");
    CHECK(it[4]->u.s.type == YT_STR);
    CHECK(it[5]->u.s.type == YT_INT && it[5]->u.s.ival == 12);
    CHECK(it[6]->u.s.type == YT_STR && it[6]->u.s.plain);
    CHECK(it[7]->u.s.type == YT_STR);
    CHECK(it[8]->u.s.type == YT_INT && it[8]->u.s.ival == 12);
    CHECK(it[9]->u.s.type == YT_FLOAT && it[9]->u.s.fval == 3.0);
    CHECK(it[10]->u.s.type == YT_FLOAT && it[10]->u.s.fval == 1.5);
    CHECK(it[11]->u.s.type == YT_BOOL && it[11]->u.s.bval);
    CHECK(it[12]->u.s.type == YT_NULL);
    CHECK(it[13]->u.s.type == YT_NULL); /* !!null: whatever the text */
    CHECK_STR(it[13]->u.s.text, "x");
    CHECK(it[14]->u.s.type == YT_INT && it[14]->u.s.ival == 12); /* "!": as plain */
    CHECK(it[15]->kind == YN_MAP && it[15]->u.map.n == 0);
    CHECK(it[16]->u.s.type == YT_FLOAT && it[16]->u.s.fval == 1000.0);
    CHECK(it[17]->u.s.type == YT_INT && it[17]->u.s.ival == 12 && !it[17]->u.s.plain);
    CHECK(it[18]->u.s.type == YT_BOOL && it[18]->u.s.bval);

    /* empty values are null; keys map in order */
    r = root_of("a:\nb: ~\nc: ''\n");
    CHECK(r && r->kind == YN_MAP && r->u.map.n == 3);
    if (r && r->u.map.n == 3) {
        CHECK(r->u.map.pairs[0].value->u.s.type == YT_NULL);
        CHECK(r->u.map.pairs[0].value->u.s.len == 0);
        CHECK(r->u.map.pairs[1].value->u.s.type == YT_NULL);
        CHECK(r->u.map.pairs[2].value->u.s.type == YT_STR);
        CHECK_STR(r->u.map.pairs[2].key->u.s.text, "c");
    }

    /* NUL inside a double-quoted scalar: kept, with the length */
    r = root_of("k: \"a\\0b\"\n");
    ynode *v = ymap_get(r, "k");
    CHECK(v && v->u.s.len == 3 && memcmp(v->u.s.text, "a\0b", 4) == 0);
    CHECK(v && v->u.s.type == YT_STR);
    CHECK(!yscalar_is(v, "a"));

}

/* Explicit tags where PyYAML raises a plain Python exception (no position)
 * or builds a value no Sigma field can hold: errors at the tagged node. */
static void test_tag_errors(void)
{
    static const struct {
        const char *src, *msg;
    } bad[] = {
        {"a: !!int abc\n", "invalid value 'abc' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int 1.5\n", "invalid value '1.5' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int ''\n", "invalid value '' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int 09\n", "invalid value '09' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int 0x\n", "invalid value '0x' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int 1::2\n", "invalid value '1::2' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!int '-'\n", "invalid value '-' for the tag 'tag:yaml.org,2002:int'"},
        {"a: !!float 0x1F\n", "invalid value '0x1F' for the tag 'tag:yaml.org,2002:float'"},
        {"a: !!float abc\n", "invalid value 'abc' for the tag 'tag:yaml.org,2002:float'"},
        {"a: !!float 1e\n", "invalid value '1e' for the tag 'tag:yaml.org,2002:float'"},
        {"a: !!bool maybe\n", "invalid value 'maybe' for the tag 'tag:yaml.org,2002:bool'"},
        {"a: !!bool y\n", "invalid value 'y' for the tag 'tag:yaml.org,2002:bool'"},
        {"a: !!timestamp now\n", "invalid value 'now' for the tag 'tag:yaml.org,2002:timestamp'"},
        {"a: !!timestamp 2024-01-02T10:00\n",
         "invalid value '2024-01-02T10:00' for the tag 'tag:yaml.org,2002:timestamp'"},
        {"a: !!binary aGVsbG8=\n", "the tag 'tag:yaml.org,2002:binary' is not supported"},
        {"a: !!set {x, y}\n", "the tag 'tag:yaml.org,2002:set' is not supported"},
        {"a: !!omap [{x: 1}]\n", "the tag 'tag:yaml.org,2002:omap' is not supported"},
        {"a: !!pairs [{x: 1}, {x: 2}]\n", "the tag 'tag:yaml.org,2002:pairs' is not supported"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool ok = load(bad[i].src);
        CHECK(!ok);
        CHECK_STR(E.message, bad[i].msg);
        CHECK(E.line == 1 && E.col == 4);
    }
    /* forms only PyYAML's constructors accept, never the implicit resolvers */
    ynode *r = root_of("- !!timestamp 2024-1-2\n- !!timestamp 2001-12-14 21:59:43.10 -5\n"
                       "- !!int 0o17\n- !!int ' 12 '\n- !!int 1:-30\n- !!int 99999999999999999999\n"
                       "- !!int -0x8000000000000000\n- !!float ' 1E3'\n- !!float -Infinity\n- !!float 1:-30\n");
    CHECK(r && r->u.seq.n == 10);
    if (r && r->u.seq.n == 10) {
        ynode **it = r->u.seq.items;
        CHECK(it[0]->u.s.type == YT_DATE);
        CHECK_STR(it[0]->u.s.text, "2024-1-2");
        CHECK(it[1]->u.s.type == YT_DATE);
        CHECK(it[2]->u.s.type == YT_INT && it[2]->u.s.ival == 15);
        CHECK(it[3]->u.s.type == YT_INT && it[3]->u.s.ival == 12);
        CHECK(it[4]->u.s.type == YT_INT && it[4]->u.s.ival == 30);
        CHECK(it[5]->u.s.type == YT_INT && it[5]->u.s.int_big && it[5]->u.s.fval == 1e20);
        CHECK(it[6]->u.s.type == YT_INT && !it[6]->u.s.int_big && it[6]->u.s.ival == INT64_MIN);
        CHECK(it[7]->u.s.type == YT_FLOAT && it[7]->u.s.fval == 1000.0);
        CHECK(it[8]->u.s.type == YT_FLOAT && it[8]->u.s.fval == -INFINITY);
        CHECK(it[9]->u.s.type == YT_FLOAT && it[9]->u.s.fval == 30.0);
    }
    /* a document's tag errors wait for its end: a syntax error later in the
     * same document comes first, as in PyYAML */
    CHECK(!load("a: !x 1\nb: [\n"));
    CHECK(strstr(E.message, "!x") == NULL && E.line >= 2);
    /* long tags are shortened */
    {
        char buf[700];
        memcpy(buf, "a: !", 4);
        memset(buf + 4, 't', 600);
        memcpy(buf + 604, " x\n", 4);
        CHECK(!load(buf) && strlen(E.message) < 256 && strstr(E.message, "...'"));
    }
}

/* Merge keys: what the golden cases cannot show (sharing, positions,
 * duplicates, limits). */
static void test_merges(void)
{
    ynode *r = root_of("base: &b {x: [1], y: 2}\nm:\n  <<: *b\n  y: 3\n  z: 4\n");
    ynode *b = ymap_get(r, "base"), *m = ymap_get(r, "m");
    CHECK(b && m && m->u.map.n == 3 && b->u.map.n == 2);
    if (b && m && m->u.map.n == 3) {
        CHECK(ymap_get(m, "x") == ymap_get(b, "x")); /* shared, not copied */
        CHECK(m->u.map.pairs[0].key == b->u.map.pairs[0].key);
        /* an overriding pair keeps the merged key's place, with its own
         * key and value (positions point at what was written) */
        CHECK(m->u.map.pairs[1].key->line == 4 && m->u.map.pairs[1].key->col == 3);
        CHECK(m->u.map.pairs[1].value->u.s.ival == 3);
        CHECK(ymap_get(m, "<<") == NULL);
    }
    /* the merged pairs are not duplicates; written duplicates still are */
    CHECK(load("a: &a {x: 1}\nm: {<<: *a, x: 2, <<: {x: 3}}\n"));
    CHECK(!load("a: &a {x: 1}\nm: {<<: *a, y: 2, y: 3}\n"));
    CHECK_STR(E.message, "duplicate key 'y'");
    CHECK(E.line == 2 && E.col == 19);
    CHECK(!load("m: {<<: {a: 1}, \"<<\": 2, '<<': 3}\n"));
    CHECK_STR(E.message, "duplicate key '<<'");
    /* many written keys (hashed duplicate check) beside merge keys */
    {
        sbuf src = SBUF_INIT;
        sb_puts(&src, "a: &a {k5: x, q: y}\nm:\n");
        for (int i = 0; i < 40; i++) {
            sb_printf(&src, "  k%d: %d\n", i, i);
            if (i % 10 == 0)
                sb_puts(&src, "  <<: *a\n");
        }
        r = root_of(sb_cstr(&src));
        m = ymap_get(r, "m");
        CHECK(m && m->u.map.n == 41);
        CHECK(m && yscalar_is(m->u.map.pairs[0].key, "k5") && yscalar_is(m->u.map.pairs[0].value, "5"));
        CHECK(m && yscalar_is(m->u.map.pairs[1].key, "q"));
        sb_puts(&src, "  k7: again\n");
        CHECK(!load(sb_cstr(&src)));
        CHECK_STR(E.message, "duplicate key 'k7'");
        sb_free(&src);
    }
    /* keys are compared by their text: PyYAML compares values, and would
     * keep 1 and '1' apart and take 1 and 0x1 as one key */
    r = root_of("a: &a {1: x, 0x1: y}\nm: {<<: *a, '1': z}\n");
    m = ymap_get(r, "m");
    CHECK(m && m->u.map.n == 2 && m->u.map.pairs[0].value->u.s.text[0] == 'z');

    /* a merge bomb: each level merges the one before nine times */
    {
        sbuf src = SBUF_INIT;
        sb_puts(&src, "l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
        for (int i = 1; i <= 9; i++)
            sb_printf(&src, "l%d: &l%d {<<: [*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d], x%d: 0}\n", i, i, i - 1,
                      i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i);
        CHECK(!load(sb_cstr(&src)));
        char want[64];
        snprintf(want, sizeof want, "too many YAML nodes (limit %d)", SIGMA_MAX_YAML_NODES);
        CHECK_STR(E.message, want);
        CHECK(E.line >= 6 && E.line <= 8);
        sb_free(&src);
    }
    /* one long key merged many times: hashed once, not once per merge */
    {
        size_t klen = 1 << 20, n = 200000;
        sbuf src = SBUF_INIT;
        sb_puts(&src, "a: &a\n  ? "); /* explicit keys: implicit ones end at 1024 */
        sb_reserve(&src, klen);
        for (size_t i = 0; i < klen; i++)
            sb_putc(&src, 'k');
        sb_puts(&src, "\n  : 1\nb: &b\n  ? ");
        for (size_t i = 0; i < klen; i++)
            sb_putc(&src, 'k');
        sb_puts(&src, "\n  : 2\nm: {<<: [");
        for (size_t i = 0; i < n; i++)
            sb_puts(&src, i % 2 ? "*a," : "*b,");
        sb_puts(&src, "*a]}\n");
        r = root_of(sb_cstr(&src));
        m = ymap_get(r, "m");
        CHECK(m && m->u.map.n == 1 && yscalar_is(m->u.map.pairs[0].value, "2")); /* the first wins */
        sb_free(&src);
    }
}

static void test_positions(void)
{
    const char *src = "title: Test\n"          /* 1 */
                      "detection:\n"           /* 2 */
                      "    sel:\n"             /* 3 */
                      "        - 'a'\n"        /* 4 */
                      "        -   b\n"        /* 5 */
                      "    condition: sel\n"   /* 6 */
                      "tags: [x,  y]\n";       /* 7 */
    ynode *r = root_of(src);
    CHECK(r && r->kind == YN_MAP && r->line == 1 && r->col == 1);
    if (!r)
        return;
    CHECK(ND == 1 && D[0].line == 1 && D[0].col == 1);
    ypair *p = r->u.map.pairs;
    CHECK(r->u.map.n == 3);
    CHECK(p[0].key->line == 1 && p[0].key->col == 1);
    CHECK(p[0].value->line == 1 && p[0].value->col == 8);
    CHECK(p[1].key->line == 2 && p[1].key->col == 1);
    ynode *det = p[1].value;
    CHECK(det->kind == YN_MAP && det->line == 3 && det->col == 5);
    ynode *sel = ymap_get(det, "sel");
    CHECK(sel && sel->kind == YN_SEQ && sel->line == 4 && sel->col == 9);
    if (sel && sel->u.seq.n == 2) {
        CHECK(sel->u.seq.items[0]->line == 4 && sel->u.seq.items[0]->col == 11);
        CHECK(sel->u.seq.items[1]->line == 5 && sel->u.seq.items[1]->col == 13);
    }
    CHECK(det->u.map.pairs[1].key->line == 6 && det->u.map.pairs[1].key->col == 5);
    ynode *c = ymap_get(det, "condition");
    CHECK(c && c->line == 6 && c->col == 16);
    ynode *tags = ymap_get(r, "tags");
    CHECK(tags && tags->line == 7 && tags->col == 7);
    if (tags && tags->u.seq.n == 2) {
        CHECK(tags->u.seq.items[0]->col == 8);
        CHECK(tags->u.seq.items[1]->col == 12);
    }
}

static void test_documents(void)
{
    CHECK(load("") && ND == 0 && D == NULL);
    CHECK(load("# only a comment\n\n") && ND == 0);
    CHECK(load_n(NULL, 0) && ND == 0);

    CHECK(load("a: 1\n---\nb: 2\n") && ND == 2);
    CHECK(ND == 2 && ymap_get(D[0].root, "a") && ymap_get(D[1].root, "b"));
    CHECK(ND == 2 && D[1].line == 2 && D[1].col == 1);

    /* a trailing --- is an empty document with a NULL root */
    CHECK(load("a: 1\n---\n") && ND == 2 && D[0].root && D[1].root == NULL);
    CHECK(load("---\n# nothing\n...\n---\nx\n") && ND == 2 && D[0].root == NULL && D[1].root);
    CHECK(load("---") && ND == 1 && D[0].root == NULL);
    /* explicit nulls are not empty documents */
    CHECK(load("--- ~\n") && ND == 1 && D[0].root && D[0].root->u.s.type == YT_NULL);
    CHECK(load("--- !!null\n") && ND == 1 && D[0].root && D[0].root->u.s.type == YT_NULL);
    CHECK(load("--- ''\n") && ND == 1 && D[0].root && D[0].root->u.s.type == YT_STR);
    CHECK(load("--- |\n---\n") && ND == 2 && D[0].root && D[0].root->u.s.len == 0 && !D[1].root);

    /* many documents */
    {
        size_t n = 5000;
        char *buf = malloc(n * 9 + 1);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            memcpy(buf + k, "---\nx: 1\n", 9);
            k += 9;
        }
        CHECK(load_n(buf, k) && ND == n);
        CHECK(ND == n && yscalar_is(ymap_get(D[n - 1].root, "x"), "1"));
        free(buf);
    }

    /* anchors do not cross documents */
    CHECK(!load("a: &x 1\n---\nb: *x\n"));
    CHECK_STR(E.message, "unknown alias 'x'");
    CHECK(E.line == 3 && E.col == 4);
}

static void test_dup_keys(void)
{
    CHECK(!load("a: 1\nb: 2\na: 3\n"));
    CHECK_STR(E.message, "duplicate key 'a'");
    CHECK(E.line == 3 && E.col == 1);

    CHECK(!load("x:\n  k: 1\n  'k': 2\n"));
    CHECK_STR(E.message, "duplicate key 'k'");
    CHECK(E.line == 3 && E.col == 3);

    CHECK(!load("{a: 1, \"a\": 2}"));
    CHECK(E.line == 1 && E.col == 8);

    /* same key in different maps is fine; a collection cannot be a key
     * (unhashable in PyYAML) */
    CHECK(load("a: {a: 1}\nb: {a: 2}\n"));
    CHECK(!load("a: 1\n? [1]\n: x\n"));
    CHECK_STR(E.message, "found unhashable key");
    CHECK(E.line == 2 && E.col == 3);
    CHECK(load("a: 1\nA: 2\n'a ': 3\n"));
    /* NUL bytes take part in the comparison */
    CHECK(load("\"a\\0b\": 1\n\"a\\0c\": 2\n"));
    CHECK(!load("\"a\\0b\": 1\n\"a\\0b\": 2\n"));

    /* big maps use a hash */
    {
        size_t n = 20000;
        char *buf = malloc(n * 16 + 64);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            k += (size_t)sprintf(buf + k, "k%zu: %zu\n", i, i);
        buf[k] = 0;
        clock_t t0 = clock();
        CHECK(load(buf) && ND == 1 && D[0].root->u.map.n == n);
        CHECK(yscalar_is(ymap_get(D[0].root, "k19999"), "19999"));
        CHECK(D[0].root->u.map.pairs[12345].value->u.s.ival == 12345);
        k += (size_t)sprintf(buf + k, "k777: dup\n");
        CHECK(!load(buf));
        CHECK_STR(E.message, "duplicate key 'k777'");
        CHECK(E.line == n + 1 && E.col == 1);
        CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
        free(buf);
    }
    /* duplicate at key 17 (first hashed key) and at key 16 (linear) */
    {
        char buf[512];
        size_t k = 0;
        for (int i = 0; i < 16; i++)
            k += (size_t)sprintf(buf + k, "k%d: 1\n", i);
        sprintf(buf + k, "k3: 2\n");
        CHECK(!load(buf) && E.line == 17);
        sprintf(buf + k, "k16: 2\nk0: 3\n");
        CHECK(!load(buf) && E.line == 18);
        sprintf(buf + k, "k16: 2\nk16: 3\n");
        CHECK(!load(buf) && E.line == 18);
    }
    /* long keys are shortened in the message */
    {
        char buf[1200];
        memset(buf, 'q', 500);
        memcpy(buf + 500, ": 1\n", 4);
        memcpy(buf + 504, buf, 504);
        buf[1008] = 0;
        CHECK(!load(buf) && strlen(E.message) < 200 && strstr(E.message, "...'"));
    }
}

static void test_aliases(void)
{
    ynode *r = root_of("a: &A {x: 1, y: [1, 2]}\nb: *A\nc: &s hello\nd: *s\n");
    CHECK(r != NULL);
    ynode *a = ymap_get(r, "a"), *b = ymap_get(r, "b");
    CHECK(a && a == b && a->kind == YN_MAP);
    CHECK(ymap_get(r, "c") == ymap_get(r, "d"));
    CHECK(yscalar_is(ymap_get(r, "d"), "hello"));

    /* redefinition: the latest wins */
    r = root_of("- &a 1\n- &a 2\n- *a\n");
    CHECK(r && r->u.seq.n == 3 && r->u.seq.items[2] == r->u.seq.items[1]);

    CHECK(!load("a: *nope\n"));
    CHECK_STR(E.message, "unknown alias 'nope'");
    CHECK(E.line == 1 && E.col == 4);

    /* an alias inside its own anchored node cannot make a cycle */
    CHECK(!load("a: &r [1, *r]\n"));
    CHECK_STR(E.message, "unknown alias 'r'");

    /* alias as a mapping key: compared by text for duplicates */
    CHECK(!load("- &k a\n- {a: 1, *k : 2}\n"));
    CHECK_STR(E.message, "duplicate key 'a'");
}

static void test_limits(void)
{
    /* billion laughs: stopped by the expanded node count, instantly */
    {
        const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                           "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                           "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                           "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                           "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                           "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                           "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                           "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                           "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        clock_t t0 = clock();
        CHECK(!load(bomb));
        CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
        char want[64];
        snprintf(want, sizeof want, "too many YAML nodes (limit %d)", SIGMA_MAX_YAML_NODES);
        CHECK_STR(E.message, want);
        CHECK(E.line == 7);
        /* the first levels alone are fine */
        CHECK(load("a: &a [1,2,3]\nb: &b [*a,*a,*a]\nc: [*b,*b]\n"));
    }
    /* plain node count */
    {
        size_t n = SIGMA_MAX_YAML_NODES;
        char *buf = malloc(n * 2 + 8);
        buf[0] = '[';
        size_t k = 1;
        for (size_t i = 0; i < n; i++) {
            buf[k++] = '1';
            buf[k++] = ',';
        }
        buf[k - 1] = ']';
        CHECK(!load_n(buf, k)); /* n scalars + the sequence */
        CHECK(strstr(E.message, "too many YAML nodes") != NULL);
        buf[k - 3] = ']'; /* drop the last element: n nodes in all */
        CHECK(load_n(buf, k - 2) && D[0].root->u.seq.n == n - 1);
        free(buf);
    }

    char want[64];
    snprintf(want, sizeof want, "YAML nesting too deep (limit %d)", SIGMA_MAX_YAML_DEPTH);
    /* 100000 '[' */
    {
        size_t n = 100000;
        char *buf = malloc(n);
        memset(buf, '[', n);
        CHECK(!load_n(buf, n));
        CHECK_STR(E.message, want);
        CHECK(E.line == 1 && E.col == SIGMA_MAX_YAML_DEPTH + 1);
        memset(buf, '{', n);
        CHECK(!load_n(buf, n));
        CHECK_STR(E.message, want);
        /* block sequences: "- - - - ..." */
        for (size_t i = 0; i < n; i += 2) {
            buf[i] = '-';
            buf[i + 1] = ' ';
        }
        CHECK(!load_n(buf, n));
        CHECK_STR(E.message, want);
        free(buf);
    }
    /* exactly at the limit is fine */
    {
        int d = SIGMA_MAX_YAML_DEPTH;
        char *buf = malloc((size_t)d * 2 + 2);
        memset(buf, '[', (size_t)d);
        memset(buf + d, ']', (size_t)d);
        CHECK(load_n(buf, (size_t)d * 2));
        ynode *n = ND == 1 ? D[0].root : NULL;
        int depth = 0;
        while (n && n->kind == YN_SEQ) {
            depth++;
            n = n->u.seq.n ? n->u.seq.items[0] : NULL;
        }
        CHECK(depth == d);
        memset(buf, '[', (size_t)d + 1);
        memset(buf + d + 1, ']', (size_t)d + 1);
        CHECK(!load_n(buf, (size_t)d * 2 + 2));
        free(buf);
    }
}

static void test_syntax_errors(void)
{
    CHECK(!load("a: 1\n b: 2\nc\n"));
    CHECK(E.message[0] != 0 && E.line >= 1);

    CHECK(!load("key: value\n- item\n"));
    CHECK_STR(E.message, "while parsing a block mapping: did not find expected key");
    CHECK(E.line == 2 && E.col == 1);

    CHECK(!load("a: [1, 2\n"));
    CHECK(E.message[0] != 0);
    CHECK(!load("a: \"abc\n"));
    CHECK(strstr(E.message, "unexpected end of stream") != NULL);
    CHECK(!load("a: b: c\n"));
    CHECK_STR(E.message, "mapping values are not allowed in this context");
    CHECK(E.line == 1 && E.col == 5);
    CHECK(!load("\ta: 1\n"));

    /* invalid UTF-8 */
    CHECK(!load("a: ok\nb: \xff\xfe\n"));
    CHECK(strstr(E.message, "UTF-8") != NULL);
    CHECK(E.line == 2 && E.col == 4);
    CHECK(!load("a: \xc3\n"));
    CHECK(strstr(E.message, "UTF-8") != NULL);
    CHECK(!load("\xe2\x82"));
    /* raw NUL bytes in the input */
    CHECK(!load_n("a: b\0c\n", 7));
    CHECK(strstr(E.message, "control characters") != NULL);
    CHECK(E.line == 1 && E.col == 5);
    CHECK(!load_n("\0", 1));

    /* valid UTF-8 passes through unchanged */
    ynode *r = root_of("k: \xc3\xa9t\xc3\xa9\n");
    CHECK(yscalar_is(ymap_get(r, "k"), "\xc3\xa9t\xc3\xa9"));
}

/* Every prefix and many mutations of a document: never a crash or a leak
 * (meaningful under ASan), always a definite answer. */
static void test_robustness(void)
{
    const char *src = "title: x\nlogsource: {product: windows}\n"
                      "detection:\n  sel: &s\n    - \"a\\0b\"\n    - 'c'\n    - |\n      lit\n"
                      "  other: *s\n  condition: sel and not other\n---\n? [k]\n: !!int 0x1F\n";
    size_t n = strlen(src);
    int answered = 0;
    for (size_t i = 0; i <= n; i++) {
        bool ok = load_n(src, i);
        answered += ok || E.message[0] != 0;
        arena_reset(A);
    }
    CHECK(answered == (int)n + 1);
    char buf[512];
    unsigned seed = 12345;
    const char junk[] = "[]{}:-?&*!|>'\"#%@`, \n\t\\\xff\xc3\x80\0";
    answered = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, src, n);
        for (int m = 0; m < 3; m++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            buf[at] = junk[(seed >> 8) % (sizeof junk - 1)];
        }
        bool ok = load_n(buf, n);
        answered += ok || E.message[0] != 0;
        arena_reset(A);
    }
    CHECK(answered == 3000);
}

/* ---- cases checked against PyYAML's own output (tests/yaml) ---- */

/* One node in the canonical form of tools/pyyaml-expect.py. */
static void dump(sbuf *b, const ynode *n)
{
    if (n->kind == YN_SEQ) {
        sb_putc(b, '[');
        for (size_t i = 0; i < n->u.seq.n; i++) {
            if (i)
                sb_puts(b, ", ");
            dump(b, n->u.seq.items[i]);
        }
        sb_putc(b, ']');
        return;
    }
    if (n->kind == YN_MAP) {
        sb_putc(b, '{');
        for (size_t i = 0; i < n->u.map.n; i++) {
            if (i)
                sb_puts(b, ", ");
            dump(b, n->u.map.pairs[i].key);
            sb_puts(b, ": ");
            dump(b, n->u.map.pairs[i].value);
        }
        sb_putc(b, '}');
        return;
    }
    switch (n->u.s.type) {
    case YT_NULL:
        sb_puts(b, "null");
        return;
    case YT_BOOL:
        sb_puts(b, n->u.s.bval ? "true" : "false");
        return;
    case YT_INT:
        if (n->u.s.int_big)
            sb_printf(b, "int~%.17g", n->u.s.fval);
        else
            sb_printf(b, "%lld", (long long)n->u.s.ival);
        return;
    case YT_FLOAT:
        if (isnan(n->u.s.fval))
            sb_puts(b, "float:nan");
        else
            sb_printf(b, "float:%.17g", n->u.s.fval);
        return;
    case YT_DATE:
        sb_puts(b, "date:");
        sb_putn(b, n->u.s.text, n->u.s.len);
        return;
    case YT_STR:
        break;
    }
    sb_putc(b, '"');
    for (size_t i = 0; i < n->u.s.len; i++) {
        unsigned char c = (unsigned char)n->u.s.text[i];
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7F)
            sb_printf(b, "\\x%02x", c);
        else
            sb_putc(b, (char)c);
    }
    sb_putc(b, '"');
}

/* The result of loading text, one line per document or one error line. */
static void dump_load(sbuf *b, const char *text, size_t len)
{
    if (!load_n(text, len)) {
        sb_printf(b, "error %u:%u: %s\n", E.line, E.col, E.message);
        return;
    }
    for (size_t i = 0; i < ND; i++) {
        sb_puts(b, "--- ");
        if (D[i].root)
            dump(b, D[i].root);
        else
            sb_puts(b, "null");
        sb_putc(b, '\n');
    }
}

/* The file at path (malloc'd, NUL-terminated, its length in *len), or NULL. */
static char *read_file(const char *path, size_t *len)
{
    file_buf fb = {0};
    if (file_read(path, SIZE_MAX, &fb) != 0 || !fb.p) {
        file_buf_free(&fb);
        return NULL;
    }
    *len = fb.len;
    return fb.p;
}

/* The next "=== title" section of s[*at..len): its title and body. */
static bool next_section(const char *s, size_t len, size_t *at, const char **title, size_t *tlen,
                         const char **body, size_t *blen)
{
    size_t i = *at;
    while (i < len && !(len - i >= 4 && memcmp(s + i, "=== ", 4) == 0 && (i == 0 || s[i - 1] == '\n'))) {
        const char *nl = memchr(s + i, '\n', len - i);
        i = nl ? (size_t)(nl - s) + 1 : len;
    }
    if (i >= len)
        return false;
    const char *nl = memchr(s + i, '\n', len - i);
    size_t eol = nl ? (size_t)(nl - s) : len;
    *title = s + i + 4;
    *tlen = eol - i - 4;
    size_t j = eol < len ? eol + 1 : len, start = j;
    while (j < len && !(len - j >= 4 && memcmp(s + j, "=== ", 4) == 0)) {
        nl = memchr(s + j, '\n', len - j);
        j = nl ? (size_t)(nl - s) + 1 : len;
    }
    *body = s + start;
    *blen = j - start;
    *at = j;
    return true;
}

/* Every case of tests/yaml/NAME.cases loads to what NAME.pyyaml (written
 * by PyYAML) says: one check per case. */
static void test_pyyaml_cases(const char *name)
{
    char cpath[256], epath[256];
    snprintf(cpath, sizeof cpath, "tests/yaml/%s.cases", name);
    snprintf(epath, sizeof epath, "tests/yaml/%s.pyyaml", name);
    size_t clen = 0, elen = 0;
    char *cases = read_file(cpath, &clen), *exp = read_file(epath, &elen);
    CHECK(cases && exp);
    if (!cases || !exp) {
        fprintf(stderr, "cannot read %s or %s (run from the repository root)\n", cpath, epath);
        free(cases);
        free(exp);
        return;
    }
    size_t at = 0, eat = 0, ncases = 0;
    const char *t, *b, *et, *eb;
    size_t tl, bl, etl, ebl;
    while (next_section(cases, clen, &at, &t, &tl, &b, &bl)) {
        ncases++;
        bool have = next_section(exp, elen, &eat, &et, &etl, &eb, &ebl);
        if (!have || tl != etl || memcmp(t, et, tl) != 0) {
            CHECK(!"case titles of .cases and .pyyaml agree");
            fprintf(stderr, "%s: case '%.*s' has no expectation in order\n", cpath, (int)tl, t);
            break;
        }
        sbuf got = SBUF_INIT;
        dump_load(&got, b, bl);
        bool same = got.len == ebl && memcmp(got.p, eb, ebl) == 0;
        CHECK(same);
        if (!same)
            fprintf(stderr, "%s: case '%.*s'\n  PyYAML: %.*s  ours:   %s", cpath, (int)tl, t, (int)ebl, eb,
                    sb_cstr(&got));
        sb_free(&got);
        arena_reset(A);
    }
    CHECK(ncases > 0 && !next_section(exp, elen, &eat, &et, &etl, &eb, &ebl));
    free(cases);
    free(exp);
}

static void test_helpers(void)
{
    ynode *r = root_of("a: 1\n? x\n: 2\nbb: 3\n");
    CHECK(r != NULL);
    CHECK(yscalar_is(ymap_get(r, "a"), "1"));
    CHECK(yscalar_is(ymap_get(r, "bb"), "3"));
    CHECK(ymap_get(r, "b") == NULL);
    CHECK(yscalar_is(ymap_get(r, "x"), "2"));
    CHECK(ymap_get(r, "xx") == NULL);
    CHECK(ymap_get(NULL, "a") == NULL);
    CHECK(ymap_get(ymap_get(r, "a"), "a") == NULL);
    CHECK(!yscalar_is(NULL, "a"));
    CHECK(!yscalar_is(r, "a"));
    CHECK(yscalar_is(ymap_get(r, "a"), "1") && !yscalar_is(ymap_get(r, "a"), "12"));
    CHECK(!yscalar_is(ymap_get(r, "a"), ""));
}

int main(void)
{
    A = arena_new();
    test_typing();
    test_styles_and_tags();
    test_tag_errors();
    test_merges();
    test_positions();
    test_documents();
    test_dup_keys();
    test_aliases();
    test_limits();
    test_syntax_errors();
    test_robustness();
    test_helpers();
    test_pyyaml_cases("merge");
    test_pyyaml_cases("tags");
    arena_free(A);
    return t_done("yaml");
}
