#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    struct block *next;
    size_t size, used;
    max_align_t align_[]; /* data follows */
};

struct arena {
    struct block *head;
    size_t total;
};

#define ARENA_BLOCK (64 * 1024)

static void oom(void)
{
    fputs("sigma: out of memory\n", stderr);
    abort();
}

static struct block *block_new(size_t size)
{
    struct block *b = malloc(sizeof *b + size);
    if (!b)
        oom();
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(void)
{
    arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    a->head = NULL;
    a->total = 0;
    return a;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void arena_reset(arena *a)
{
    if (!a->head)
        return;
    struct block *keep = a->head, *b = keep->next;
    /* keep the most recent block only if it is a standard one */
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    keep->next = NULL;
    keep->used = 0;
    a->total = 0;
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    struct block *b = a->head;
    if (!b || b->size - b->used < n) {
        if (n > ARENA_BLOCK / 4) {
            /* big allocation: own block, linked behind the current one */
            struct block *big = block_new(n);
            big->used = n;
            if (b) {
                big->next = b->next;
                b->next = big;
            } else {
                a->head = big;
            }
            a->total += n;
            void *p = (char *)(big + 1);
            memset(p, 0, n);
            return p;
        }
        b = block_new(ARENA_BLOCK);
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)(b + 1) + b->used;
    b->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *arena_grow(arena *a, void *old, size_t elem, size_t oldcap, size_t newcap)
{
    void *p = arena_alloc(a, elem * newcap);
    if (old && oldcap)
        memcpy(p, old, elem * oldcap);
    return p;
}

size_t arena_used(const arena *a)
{
    return a->total;
}
