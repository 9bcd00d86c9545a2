/* oom.c - the one out-of-memory handler (policy: util/base.h). */
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
