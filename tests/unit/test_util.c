/* test_util.c - src/util: arena_printf (never truncated, the zero invariant
 * kept), sbuf, UTF-8 decoding against the RFC 3629 definition, FNV-1a
 * reference values, the file reader and the directory walker. */
#define _DEFAULT_SOURCE /* mkdtemp, symlink */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/sbuf.h"
#include "util/utf8.h"

static bool all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void test_printf(void)
{
    arena *a = arena_new();
    CHECK_STR(arena_printf(a, "%s:%d", "x", 42), "x:42");
    CHECK_STR(arena_printf(a, "%s", ""), "");
    /* longer than any buffer the old formatters had, and than a block */
    size_t big = 3 * 1024 * 1024;
    char *s = malloc(big + 1);
    memset(s, 'q', big);
    s[big] = 0;
    char *p = arena_printf(a, "<%s>", s);
    CHECK(strlen(p) == big + 2 && p[0] == '<' && p[big + 1] == '>' && p[big] == 'q');
    free(s);
    /* fill the current block until a message no longer fits in place: the
     * text is complete and the memory after it still reads as zero */
    for (int i = 0; i < 5000; i++) {
        char *m = arena_printf(a, "message %d %0200d", i, i);
        if (strlen(m) != 8 + (i < 10 ? 1 : i < 100 ? 2 : i < 1000 ? 3 : 4) + 1 + 200) {
            CHECK(!"arena_printf length");
            break;
        }
        char *z = arena_alloc(a, 512);
        if (!all_zero(z, 512)) {
            CHECK(!"arena_alloc after arena_printf is zeroed");
            break;
        }
    }
    CHECK(1);
    arena_reset(a);
    CHECK(all_zero(arena_alloc(a, 4096), 4096));
    arena_free(a);
}

static const char *vfmt(arena *a, const char *fmt, ...) SIGMA_PRINTF(2, 3);
static const char *vfmt(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

static void test_sbuf(void)
{
    arena *a = arena_new();
    CHECK_STR(vfmt(a, "%u-%s", 7u, "seven"), "7-seven");
    sbuf b = SBUF_INIT;
    sb_puts(&b, "ab");
    sb_putc(&b, 0);
    sb_printf(&b, "%d", 12);
    char *p = sb_to_arena(&b, a);
    CHECK(memcmp(p, "ab\0" "12", 6) == 0);
    CHECK(b.p == NULL && b.len == 0);
    arena_free(a);
}

/* RFC 3629 section 4, written out independently of utf8proc: the length of
 * the well-formed sequence at s, or 0. */
static size_t ref_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

static void test_utf8(void)
{
    /* every 1-, 2- and 3-byte sequence, and every 4-byte sequence whose
     * last two bytes are continuation bytes or one other byte */
    unsigned long bad = 0;
    unsigned char s[4];
    for (unsigned x = 0; x < 256; x++)
        for (unsigned y = 0; y < 256; y++)
            for (unsigned z = 0; z < 256; z++) {
                s[0] = (unsigned char)x, s[1] = (unsigned char)y, s[2] = (unsigned char)z, s[3] = 0x80;
                int32_t cp = -1;
                for (size_t n = 1; n <= 4; n++) {
                    size_t got = utf8_decode((const char *)s, n, &cp);
                    if (got != ref_len(s, n))
                        bad++;
                }
                if (x >= 0xF0 && x <= 0xF4) {
                    s[3] = 0x41;
                    if (utf8_decode((const char *)s, 4, &cp) != 0)
                        bad++;
                }
            }
    CHECK(bad == 0);
    int32_t cp = 0;
    CHECK(utf8_decode("\xC3\xA9", 2, &cp) == 2 && cp == 0xE9);
    CHECK(utf8_decode("\xF0\x9F\x98\x80", 4, &cp) == 4 && cp == 0x1F600);
    CHECK(utf8_decode("", 0, &cp) == 0);
    CHECK(utf8_decode("\0", 1, &cp) == 1 && cp == 0);
    CHECK(utf8_valid("plain ascii, longer than eight bytes", 36));
    CHECK(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14));
    CHECK(!utf8_valid("abcdefgh\xC3", 9));       /* cut after the ASCII run */
    CHECK(!utf8_valid("\xED\xA0\x80", 3));       /* a surrogate */
    CHECK(!utf8_valid("\xC0\xAF", 2));           /* overlong '/' */
    CHECK(!utf8_valid("\xF4\x90\x80\x80", 4));   /* above U+10FFFF */
    CHECK(utf8_valid("", 0));
}

static void test_hash(void)
{
    /* reference values of FNV-1a (draft-eastlake-fnv) */
    CHECK(fnv64("", 0) == UINT64_C(0xcbf29ce484222325));
    CHECK(fnv64("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    CHECK(fnv64("foobar", 6) == UINT64_C(0x85944171f73967e8));
    CHECK(fnv32_add(FNV32_INIT, "a", 1) == UINT32_C(0xe40c292c));
    CHECK(fnv32_add(FNV32_INIT, "foobar", 6) == UINT32_C(0xbf9cf968));
    CHECK(fnv64_add(fnv64("foo", 3), "bar", 3) == fnv64("foobar", 6));
    CHECK(fnv32_word(FNV32_INIT, 0x61) == fnv32_add(FNV32_INIT, "a", 1));
}

static char dir[64];

static char *path_of(const char *rel)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    return buf;
}

static void write_file(const char *rel, const char *text)
{
    FILE *f = fopen(path_of(rel), "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_read(void)
{
    file_buf b = {0};
    write_file("a.yml", "title: a\n");
    CHECK(file_read(path_of("a.yml"), 100, &b) == 0);
    CHECK(b.len == 9 && strcmp(b.p, "title: a\n") == 0);
    write_file("empty.yml", "");
    CHECK(file_read(path_of("empty.yml"), 100, &b) == 0 && b.len == 0 && b.p[0] == 0);
    CHECK(file_read(path_of("a.yml"), 8, &b) == FILE_ETOOBIG && b.len == 9);
    CHECK(file_read(path_of("missing.yml"), 100, &b) == ENOENT);
    CHECK_STR(file_strerror(ENOENT), strerror(ENOENT));
    CHECK(file_read(dir, 100, &b) == FILE_ENOTREG);
    CHECK_STR(file_strerror(FILE_ENOTREG), "not a regular file");
    /* a file bigger than the first buffer */
    FILE *f = fopen(path_of("big.txt"), "w");
    for (int i = 0; f && i < 20000; i++)
        fprintf(f, "line %05d\n", i);
    if (f)
        fclose(f);
    CHECK(file_read(path_of("big.txt"), SIGMA_MAX_FILE_SIZE, &b) == 0 && b.len == 220000 &&
          memcmp(b.p + 219989, "line 19999\n", 11) == 0);
    f = fopen(path_of("big.txt"), "r");
    CHECK(f && file_read_stream(f, &b) == 0 && b.len == 220000 && b.p[b.len] == 0);
    if (f)
        fclose(f);
    file_buf_free(&b);
    CHECK(b.p == NULL);
}

static int nerrors;
static char last_error[4096];

static void on_error(void *ctx, const char *path, int err)
{
    (void)ctx;
    nerrors++;
    snprintf(last_error, sizeof last_error, "%s: %s", path, strerror(err));
}

static void test_walk(void)
{
    mkdir(path_of("t"), 0755);
    mkdir(path_of("t/sub"), 0755);
    mkdir(path_of("t/.hidden"), 0755);
    write_file("t/b.yml", "");
    write_file("t/a.yml", "");
    write_file("t/c.txt", "");
    write_file("t/sub/z.yml", "");
    write_file("t/.hidden/h.yml", "");
    write_file("t/.dot.yml", "");
    CHECK(symlink("nowhere", path_of("t/dangling.yml")) == 0);
    CHECK(symlink("sub", path_of("t/link")) == 0);

    file_list l = {0};
    file_walk(path_of("t"), "*.yml", 0, &l, on_error, NULL);
    const char *want[] = {"t/.dot.yml", "t/.hidden/h.yml", "t/a.yml", "t/b.yml", "t/link/z.yml", "t/sub/z.yml"};
    CHECK(l.n == 6);
    for (size_t i = 0; i < l.n && i < 6; i++)
        CHECK_STR(l.v[i] + strlen(dir) + 1, want[i]);
    CHECK(nerrors == 1);
    char exp[256];
    snprintf(exp, sizeof exp, "%s/t/dangling.yml: %s", dir, strerror(ENOENT));
    CHECK_STR(last_error, exp);
    file_list_free(&l);

    file_walk(path_of("t"), "*.yml", FILE_WALK_SKIP_HIDDEN, &l, NULL, NULL);
    CHECK(l.n == 4);
    file_list_free(&l);
    file_walk(path_of("t/"), "[ab].y?l", 0, &l, NULL, NULL);
    CHECK(l.n == 2 && l.n == 2 && strcmp(l.v[0] + strlen(dir) + 1, "t/a.yml") == 0);
    file_list_free(&l);

    /* a link to its own directory: walked until the system's limit on
     * links in a path (or SIGMA_MAX_DIR_DEPTH), then reported */
    nerrors = 0;
    CHECK(symlink(".", path_of("t/sub/loop")) == 0);
    file_walk(path_of("t/sub"), "*.yml", 0, &l, on_error, NULL);
    CHECK(l.n > 2 && l.n <= SIGMA_MAX_DIR_DEPTH + 1 && nerrors == 1 && strstr(last_error, strerror(ELOOP)));
    file_list_free(&l);

    nerrors = 0;
    file_walk(path_of("none"), "*", 0, &l, on_error, NULL);
    CHECK(l.n == 0 && nerrors == 1);
    file_list_free(&l);
}

int main(void)
{
    test_printf();
    test_sbuf();
    test_utf8();
    test_hash();
    snprintf(dir, sizeof dir, "%s/sigma-util.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_read();
    test_walk();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        CHECK(!"removing the temporary directory");
    return t_done("util");
}
