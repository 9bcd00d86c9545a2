/* fuzz_condition.c - the condition parser and selector matching. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "condition/cond.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    cerror err;
    cond_parse(a, (const char *)data, size, &err);
    /* pattern matching on a split of the input */
    char *s = arena_strndup(a, (const char *)data, size);
    size_t half = strlen(s) / 2;
    char *t = arena_strdup(a, s + half);
    s[half] = 0;
    cond_pattern_match(s, t);
    arena_free(a);
    return 0;
}
