/* fuzz_yaml.c - the YAML loader alone. */
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "yaml/ynode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    if (!a)
        return 0;
    ydoc *docs;
    size_t n;
    yerror err;
    yaml_load(a, (const char *)data, size, &docs, &n, &err);
    arena_free(a);
    return 0;
}
