/* sbuf.h - growable byte buffer (malloc-backed). Always NUL-terminated. */
#ifndef SIGMA_SBUF_H
#define SIGMA_SBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "arena.h"
#include "base.h"

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

#define SBUF_INIT {NULL, 0, 0}

void sb_reserve(sbuf *b, size_t extra); /* out of memory: sigma_oom() */
void sb_putn(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_putc_slow(sbuf *b, char c);

/* One byte; inline because the SQL writer calls it per character. */
static inline void sb_putc(sbuf *b, char c)
{
    if (b->len + 2 <= b->cap) {
        b->p[b->len++] = c;
        b->p[b->len] = 0;
    } else {
        sb_putc_slow(b, c);
    }
}
void sb_printf(sbuf *b, const char *fmt, ...) SIGMA_PRINTF(2, 3);
void sb_vprintf(sbuf *b, const char *fmt, va_list ap) SIGMA_PRINTF(2, 0);
void sb_clear(sbuf *b);         /* len = 0, keeps memory */
void sb_free(sbuf *b);          /* releases memory */
const char *sb_cstr(sbuf *b);   /* never NULL */
/* Copy of the text (NUL bytes included) in arena a; frees the buffer. */
char *sb_to_arena(sbuf *b, arena *a);

#endif
