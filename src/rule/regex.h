/* regex.h - Sigma regular expressions as Athena (Trino) runs them.
 *
 * Sigma's `re` values are PCRE. Trino's regexp_like() compiles its pattern
 * with Joni (the Java port of Oniguruma, io.airlift.joni) in Joni's Java
 * syntax, option SINGLELINE, UTF-8, and searches the whole value for a
 * match. re_trino() rewrites a PCRE pattern into a Joni pattern that accepts
 * exactly the same values, and checks the result with the C Oniguruma
 * (libonig) under a syntax with exactly Joni's Java flags; a construct
 * that Trino cannot run with the same meaning is an error naming it.
 * docs/regex.md lists every rewrite and every refusal. */
#ifndef SIGMA_REGEX_H
#define SIGMA_REGEX_H

#include <stddef.h>

#include "../util/arena.h"

/* re/n: the PCRE pattern; flags: RE_I | RE_M | RE_S (value.h), written as
 * an inline (?ims) prefix. Returns the Trino pattern (arena memory,
 * NUL-terminated, length in *outlen), or NULL with a message in msg. */
const char *re_trino(arena *a, const char *re, size_t n, unsigned flags, size_t *outlen, char *msg,
                     size_t msglen);

#endif
