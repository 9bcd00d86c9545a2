/* base.h - what every module of the library may need: the printf-format
 * attribute and the out-of-memory policy.
 *
 * Out of memory: the library has one policy, sigma_oom(). It writes
 * "sigma: out of memory" to standard error and calls abort(). Allocation
 * failures are not reported as errors because every caller would need a
 * recovery path that no test can reach; a compiler that cannot allocate has
 * no useful state to return. The only exception is sigma_compiler_new(),
 * which returns NULL when its first allocation fails (include/sigma.h). */
#ifndef SIGMA_BASE_H
#define SIGMA_BASE_H

#include <stddef.h>

/* SIGMA_PRINTF(f, a): argument f is a printf format for the arguments from
 * a on (a = 0 for a va_list function): the compiler checks every call. */
#if defined(__GNUC__) || defined(__clang__)
#define SIGMA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIGMA_PRINTF(f, a)
#endif

/* Prints "sigma: out of memory" on stderr and aborts. */
_Noreturn void sigma_oom(void);

/* A byte buffer p of capacity *cap grown to hold at least need bytes: the
 * capacity doubles from first (when *cap is 0) until it does; p itself when
 * it already does. sigma_oom() when realloc fails. */
char *sigma_grow(char *p, size_t *cap, size_t need, size_t first);

#endif
