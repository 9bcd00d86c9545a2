/* arena.h - bump allocators: nodes never move, all freed at once. */
#ifndef SIGMA_ARENA_H
#define SIGMA_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* Returns NULL only when malloc fails. */
arena *arena_new(void);
/* Frees every block; NULL is accepted. */
void arena_free(arena *a);
/* Drops every allocation but keeps the current block (cleared) for reuse. */
void arena_reset(arena *a);

/* Zeroed, 16-byte aligned memory. Aborts the process on out-of-memory:
 * every caller would otherwise need a path that cannot be tested. */
void *arena_alloc(arena *a, size_t n);
/* Copy of s[0..n) plus a terminating NUL (byte-aligned: strings pack). */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Grows an array of elem-sized items from cap to newcap elements: in place
 * when it is the latest allocation and there is room, else by copying. */
void *arena_grow(arena *a, void *old, size_t elem, size_t oldcap, size_t newcap);

/* Appends the items of a comma-separated list to (*out, *n): items trimmed
 * of spaces and tabs, empty items dropped. */
void arena_split_list(arena *a, const char *list, const char ***out, size_t *n);

/* Bytes handed out so far (for limits and statistics). */
size_t arena_used(const arena *a);

#endif
