/* oom.c - the one out-of-memory handler (policy: util/base.h) and the
 * growth of byte buffers (sbuf, file_buf). */
#include "base.h"

#include <stdlib.h>
#include <unistd.h>

void sigma_oom(void)
{
    /* write(2), not stdio: nothing here may need memory */
    static const char msg[] = "sigma: out of memory\n";
    ssize_t k = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)k;
    abort();
}

char *sigma_grow(char *p, size_t *cap, size_t need, size_t first)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : first;
    while (c < need)
        c *= 2;
    char *q = realloc(p, c);
    if (!q)
        sigma_oom();
    *cap = c;
    return q;
}
