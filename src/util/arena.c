/* arena.c - bump allocator over zero-filled blocks.
 *
 * Blocks come straight from mmap (or calloc where there is no anonymous
 * mmap), so they arrive zeroed and arena_alloc never has to clear memory:
 * the bytes of a block past its `used` mark are always zero. Pages nobody
 * touches are never faulted in. arena_reset restores that invariant by
 * clearing what was used of the block it keeps.
 *
 * The first block is small (ARENA_MIN_BLOCK), so a small run stays small;
 * every later one is ARENA_MAX_BLOCK, aligned to and advised as a
 * transparent huge page where the system has them: one page fault per
 * 2 MiB instead of 512, which matters because page faults, not clearing
 * memory, are what costs (on virtual machines especially). Small mappings
 * are pre-faulted in one go (MAP_POPULATE) for the same reason.
 *
 * Strings are packed with byte alignment; everything else is 16-aligned.
 * arena_grow extends the most recent allocation in place when it can.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_MIN_BLOCK ((size_t)64 * 1024)
#define ARENA_MAX_BLOCK ((size_t)2 * 1024 * 1024)
#define HUGE_PAGE ARENA_MAX_BLOCK
#define ALIGN 16

struct block {
    struct block *next;
    size_t size; /* bytes of data after the header */
    size_t used;
    size_t map_size; /* whole mapping (header included); 0 if calloc'd */
    void *map;       /* start of the mapping */
};

#define HDR ((sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

struct arena {
    struct block *head; /* current block; full and big blocks follow */
    size_t next_size; /* data size of the next standard block */
    char *last;       /* most recent aligned allocation, for arena_grow */
    size_t last_n;
};

static char *data(struct block *b)
{
    return (char *)b + HDR;
}

#if defined(MAP_ANONYMOUS)
static struct block *block_new(size_t size)
{
    size_t want = HDR + size;
    size_t page = 4096;
    want = (want + page - 1) & ~(page - 1);
    bool huge = want >= HUGE_PAGE && want % HUGE_PAGE == 0;
    size_t map_size = huge ? want + HUGE_PAGE : want;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#if defined(MAP_POPULATE)
    if (!huge)
        flags |= MAP_POPULATE;
#endif
    char *m = mmap(NULL, map_size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (m == MAP_FAILED)
        sigma_oom();
    char *start = m;
    if (huge) {
        /* keep the 2 MiB-aligned part so the kernel can back it by huge pages */
        start = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        if (start > m)
            munmap(m, (size_t)(start - m));
        size_t tail = (size_t)(m + map_size - (start + want));
        if (tail)
            munmap(start + want, tail);
        map_size = want;
#if defined(MADV_HUGEPAGE)
        madvise(start, want, MADV_HUGEPAGE);
#endif
    }
    struct block *b = (struct block *)start;
    b->next = NULL;
    b->size = want - HDR;
    b->used = 0;
    b->map_size = map_size;
    b->map = start;
    return b;
}

static void block_free(struct block *b)
{
    munmap(b->map, b->map_size);
}
#else
static struct block *block_new(size_t size)
{
    struct block *b = calloc(1, HDR + size);
    if (!b)
        sigma_oom();
    b->size = size;
    return b;
}

static void block_free(struct block *b)
{
    free(b);
}
#endif

arena *arena_new(void)
{
    arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->next_size = ARENA_MIN_BLOCK - HDR;
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        block_free(b);
        b = n;
    }
    free(a);
}

void arena_reset(arena *a)
{
    if (!a->head)
        return;
    struct block *keep = a->head, *b = keep->next;
    while (b) {
        struct block *n = b->next;
        block_free(b);
        b = n;
    }
    memset(data(keep), 0, keep->used); /* the zero invariant */
    keep->next = NULL;
    keep->used = 0;
    a->last = NULL;
}

/* Room for n bytes at alignment `align` (1 or ALIGN) in a block. */
static char *alloc_slow(arena *a, size_t n)
{
    struct block *cur = a->head;
    if (n > a->next_size / 4) {
        /* big allocation: own block, linked behind the current one */
        struct block *big = block_new(n);
        big->used = n;
        if (cur) {
            big->next = cur->next;
            cur->next = big;
        } else {
            a->head = big;
        }
        return data(big);
    }
    struct block *b = block_new(a->next_size);
    a->next_size = ARENA_MAX_BLOCK - HDR;
    b->next = cur;
    a->head = b;
    b->used = n;
    return data(b);
}

static inline char *bump(arena *a, size_t n, size_t align)
{
    struct block *b = a->head;
    if (b) {
        size_t at = (b->used + align - 1) & ~(align - 1);
        if (at <= b->size && b->size - at >= n) {
            b->used = at + n;
            return data(b) + at;
        }
    }
    return alloc_slow(a, n);
}

void *arena_alloc(arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    char *p = bump(a, n, ALIGN);
    a->last = p;
    a->last_n = n;
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = bump(a, n + 1, 1);
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

/* Formats straight into the arena when the current block has room (the
 * usual case: one vsnprintf); otherwise measures, then formats into an
 * allocation of the exact size. */
char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    struct block *b = a->head;
    size_t room = b ? b->size - b->used : 0;
    char *at = b ? data(b) + b->used : NULL;
    int n = room ? vsnprintf(at, room, fmt, ap) : vsnprintf(NULL, 0, fmt, ap);
    char *p;
    if (n >= 0 && (size_t)n < room) {
        b->used += (size_t)n + 1; /* formatted in place */
        p = at;
    } else {
        if (room) /* undo the partial text: the zero invariant */
            memset(at, 0, n < 0 ? room : (size_t)n < room ? (size_t)n + 1 : room);
        if (n < 0) {
            p = arena_strndup(a, "", 0); /* an invalid format: nothing to print */
        } else {
            p = bump(a, (size_t)n + 1, 1);
            vsnprintf(p, (size_t)n + 1, fmt, again);
        }
    }
    va_end(again);
    return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void *arena_grow(arena *a, void *old, size_t elem, size_t oldcap, size_t newcap)
{
    size_t oldn = elem * oldcap, newn = elem * newcap;
    struct block *b = a->head;
    if (old && old == a->last && a->last_n == oldn && newn >= oldn && b &&
        (char *)old + oldn == data(b) + b->used && b->size - b->used >= newn - oldn) {
        /* the latest allocation, with room behind it: extend in place (the
         * bytes behind it are still zero) */
        b->used += newn - oldn;
        a->last_n = newn;
        return old;
    }
    void *p = arena_alloc(a, newn);
    if (old && oldcap)
        memcpy(p, old, oldn < newn ? oldn : newn);
    return p;
}

void arena_split_list(arena *a, const char *list, const char ***out, size_t *n)
{
    const char *p = list;
    while (*p) {
        const char *q = strchr(p, ',');
        const char *e = q ? q : p + strlen(p);
        const char *s = p;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        const char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > s) {
            const char **nv = arena_grow(a, (void *)*out, sizeof **out, *n, *n + 1);
            nv[*n] = arena_strndup(a, s, (size_t)(t - s));
            *out = nv;
            (*n)++;
        }
        if (!q)
            break;
        p = q + 1;
    }
}
