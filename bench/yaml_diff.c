/* yaml_diff.c - checks the YAML fast path against libyaml.
 *
 *     yaml_diff [-v] [-m N] PATH...
 *
 * Loads every *.yml file under PATH (files or directories) twice, with
 * libyaml and with the fast path (src/yaml/yaml.c), and compares the
 * resulting trees node by node: kind, position, text, style and type of
 * every scalar, or the error. A file the fast path declines is counted,
 * not compared. With -m N, N mutated copies of every file (a byte deleted,
 * inserted or replaced, a multi-byte character inserted, a line duplicated
 * or re-indented, at random but reproducibly) are compared too. -v lists the declined inputs. Exit 1 on
 * any difference.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yaml/ynode.h"

static unsigned long nfiles, naccepted, ndiff;
static int mutations, verbose;
static unsigned long long rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Describes the first difference of two trees in why; false if any. */
static bool same_node(const ynode *x, const ynode *y, char *why, size_t wn)
{
    if (!x || !y) {
        if (x != y)
            snprintf(why, wn, "one node is missing");
        return x == y;
    }
    if (x->kind != y->kind || x->line != y->line || x->col != y->col) {
        snprintf(why, wn, "node at %u:%u (kind %d) vs %u:%u (kind %d)", x->line, x->col, x->kind, y->line,
                 y->col, y->kind);
        return false;
    }
    switch (x->kind) {
    case YN_SCALAR: {
        size_t la = x->u.s.len, lb = y->u.s.len;
        bool fsame = x->u.s.fval == y->u.s.fval || (isnan(x->u.s.fval) && isnan(y->u.s.fval));
        if (la != lb || memcmp(x->u.s.text, y->u.s.text, la) != 0 || x->u.s.type != y->u.s.type ||
            x->u.s.plain != y->u.s.plain || x->u.s.bval != y->u.s.bval || x->u.s.int_big != y->u.s.int_big ||
            x->u.s.ival != y->u.s.ival || !fsame) {
            snprintf(why, wn, "scalar at %u:%u: '%.*s' (plain %d) vs '%.*s' (plain %d)", x->line, x->col,
                     (int)(la < 60 ? la : 60), x->u.s.text, x->u.s.plain, (int)(lb < 60 ? lb : 60), y->u.s.text,
                     y->u.s.plain);
            return false;
        }
        return true;
    }
    case YN_SEQ:
        if (x->u.seq.n != y->u.seq.n) {
            snprintf(why, wn, "sequence at %u:%u: %zu vs %zu items", x->line, x->col, x->u.seq.n, y->u.seq.n);
            return false;
        }
        for (size_t i = 0; i < x->u.seq.n; i++)
            if (!same_node(x->u.seq.items[i], y->u.seq.items[i], why, wn))
                return false;
        return true;
    case YN_MAP:
        if (x->u.map.n != y->u.map.n) {
            snprintf(why, wn, "mapping at %u:%u: %zu vs %zu pairs", x->line, x->col, x->u.map.n, y->u.map.n);
            return false;
        }
        for (size_t i = 0; i < x->u.map.n; i++)
            if (!same_node(x->u.map.pairs[i].key, y->u.map.pairs[i].key, why, wn) ||
                !same_node(x->u.map.pairs[i].value, y->u.map.pairs[i].value, why, wn))
                return false;
        return true;
    }
    return true;
}

static void compare(const char *name, const char *buf, size_t len)
{
    arena *a = arena_new();
    ydoc *d1, *d2;
    size_t n1, n2;
    yerror e1, e2;
    bool ok1 = yaml_load_with(a, buf, len, &d1, &n1, &e1, YAML_USE_LIBYAML);
    bool ok2 = yaml_load_with(a, buf, len, &d2, &n2, &e2, YAML_USE_FAST);
    nfiles++;
    if (!ok2 && strcmp(e2.message, "not in the fast parser's subset") == 0) {
        if (verbose)
            printf("declined: %s\n", name);
        arena_free(a);
        return;
    }
    naccepted++;
    char why[1024] = "";
    if (ok1 != ok2)
        snprintf(why, sizeof why, "libyaml %s, fast path %s", ok1 ? "accepts" : e1.message,
                 ok2 ? "accepts" : e2.message);
    else if (!ok1 && (strcmp(e1.message, e2.message) != 0 || e1.line != e2.line || e1.col != e2.col))
        snprintf(why, sizeof why, "errors differ: %u:%u %s / %u:%u %s", e1.line, e1.col, e1.message, e2.line,
                 e2.col, e2.message);
    else if (ok1 && n1 != n2)
        snprintf(why, sizeof why, "%zu vs %zu documents", n1, n2);
    else if (ok1) {
        for (size_t i = 0; i < n1 && !why[0]; i++) {
            if (d1[i].line != d2[i].line || d1[i].col != d2[i].col)
                snprintf(why, sizeof why, "document %zu starts at %u:%u vs %u:%u", i, d1[i].line, d1[i].col,
                         d2[i].line, d2[i].col);
            else
                same_node(d1[i].root, d2[i].root, why, sizeof why);
        }
    }
    if (why[0]) {
        ndiff++;
        fprintf(stderr, "%s: %s\n", name, why);
    }
    arena_free(a);
}

static void mutate_and_compare(const char *path, const char *buf, size_t len)
{
    static const char chars[] = " \n:-#'\"|>\t&*![]{}a\\";
    char *m = malloc(2 * len + 64);
    if (!m)
        exit(2);
    for (int k = 0; k < mutations; k++) {
        size_t ml = len, at = len ? rnd((unsigned)len) : 0;
        memcpy(m, buf, len);
        switch (rnd(6)) {
        case 0: /* delete a byte */
            if (ml) {
                memmove(m + at, m + at + 1, ml - at - 1);
                ml--;
            }
            break;
        case 1: /* insert a byte */
            memmove(m + at + 1, m + at, ml - at);
            m[at] = chars[rnd(sizeof chars - 1)];
            ml++;
            break;
        case 2: /* replace a byte */
            if (ml)
                m[at] = chars[rnd(sizeof chars - 1)];
            break;
        case 3: { /* duplicate the line at `at` */
            size_t s = at, e = at;
            while (s > 0 && m[s - 1] != '\n')
                s--;
            while (e < ml && m[e] != '\n')
                e++;
            if (e < ml)
                e++;
            memmove(m + e + (e - s), m + e, ml - e);
            memcpy(m + e, m + s, e - s);
            ml += e - s;
            break;
        }
        case 4: { /* insert a multi-byte character: printable, NBSP, NEL, LS, BOM,
                   * a surrogate, bad lead bytes, overlong, beyond U+10FFFF */
            static const char *const mb[] = {"\xc3\xa9",         "\xc2\xa0",         "\xc2\x85",
                                             "\xe2\x80\xa8",     "\xef\xbb\xbf",     "\xf0\x9f\x98\x80",
                                             "\xed\xa0\x80",     "\xf9\x8b\x8b\xb6", "\xc0\xaf",
                                             "\xf4\x90\x80\x80", "\xe0\x80\xaf",     "\xff"};
            const char *c = mb[rnd(sizeof mb / sizeof *mb)];
            size_t cl = strlen(c);
            memmove(m + at + cl, m + at, ml - at);
            memcpy(m + at, c, cl);
            ml += cl;
            break;
        }
        default: { /* indent or dedent the line at `at` by one or two spaces */
            size_t s = at;
            while (s > 0 && m[s - 1] != '\n')
                s--;
            size_t d = 1 + rnd(2);
            if (rnd(2)) {
                memmove(m + s + d, m + s, ml - s);
                memset(m + s, ' ', d);
                ml += d;
            } else {
                size_t sp = 0;
                while (sp < d && s + sp < ml && m[s + sp] == ' ')
                    sp++;
                memmove(m + s, m + s + sp, ml - s - sp);
                ml -= sp;
            }
            break;
        }
        }
        char name[4096];
        snprintf(name, sizeof name, "%s (mutation %d)", path, k);
        compare(name, m, ml);
    }
    free(m);
}

static void check_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        exit(2);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
        perror(path);
        exit(2);
    }
    close(fd);
    compare(path, buf, (size_t)st.st_size);
    if (mutations)
        mutate_and_compare(path, buf, (size_t)st.st_size);
    free(buf);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    if (type == FTW_F && fnmatch("*.yml", path + ftw->base, 0) == 0)
        check_file(path);
    return 0;
}

#ifdef YAML_DIFF_FUZZ
/* As a libFuzzer target: any difference aborts.
 *   clang -fsanitize=fuzzer,address,undefined -DYAML_DIFF_FUZZ -Isrc -Iinclude \
 *       bench/yaml_diff.c src/yaml/yaml.c src/util/arena.c -lyaml -lm */
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    compare("input", (const char *)data, size);
    if (ndiff)
        abort();
    return 0;
}
#else
int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
            mutations = atoi(argv[++i]);
        else
            break;
    }
    if (i >= argc) {
        fputs("usage: yaml_diff [-v] [-m N] PATH...\n", stderr);
        return 2;
    }
    for (; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            nftw(argv[i], visit, 32, FTW_PHYS);
        else
            check_file(argv[i]);
    }
    printf("yaml_diff: %lu inputs, %lu taken by the fast path, %lu differences\n", nfiles, naccepted, ndiff);
    return ndiff ? 1 : 0;
}
#endif
