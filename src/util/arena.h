/* arena.h - bump allocators: nodes never move, all freed at once. */
#ifndef SIGMA_ARENA_H
#define SIGMA_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "base.h"

typedef struct arena arena;

/* Returns NULL only when malloc fails. */
arena *arena_new(void);
/* Frees every block; NULL is accepted. */
void arena_free(arena *a);
/* Drops every allocation but keeps the current block (cleared) for reuse. */
void arena_reset(arena *a);

/* Zeroed, 16-byte aligned memory. Out of memory: sigma_oom() (base.h). */
void *arena_alloc(arena *a, size_t n);
/* Copy of s[0..n) plus a terminating NUL (byte-aligned: strings pack). */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena: the whole text, never truncated. This is the one
 * way messages are formatted (errors, warnings, diagnostics). */
char *arena_printf(arena *a, const char *fmt, ...) SIGMA_PRINTF(2, 3);
char *arena_vprintf(arena *a, const char *fmt, va_list ap) SIGMA_PRINTF(2, 0);
/* Grows an array of elem-sized items from cap to newcap elements: in place
 * when it is the latest allocation and there is room, else by copying. */
void *arena_grow(arena *a, void *old, size_t elem, size_t oldcap, size_t newcap);

/* Appends the items of a comma-separated list to (*out, *n): items trimmed
 * of spaces and tabs, empty items dropped. */
void arena_split_list(arena *a, const char *list, const char ***out, size_t *n);

#endif
