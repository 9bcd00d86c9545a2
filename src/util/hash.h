/* hash.h - FNV-1a, the one hash function of the project (hash tables of
 * YAML keys and anchors, rule ids and titles; generated names). Not for
 * anything an attacker could exploit beyond slowing one table down: every
 * table that uses it also has a size limit. */
#ifndef SIGMA_HASH_H
#define SIGMA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FNV64_INIT UINT64_C(14695981039346656037)
#define FNV32_INIT UINT32_C(2166136261)

/* Adds the bytes s[0..n) to the 64-bit hash h (start from FNV64_INIT). */
static inline uint64_t fnv64_add(uint64_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

static inline uint64_t fnv64(const void *s, size_t n)
{
    return fnv64_add(FNV64_INIT, s, n);
}

/* 32-bit variant, one step per byte; fnv32_word mixes a whole 32-bit value
 * in one step (for positions). Start from FNV32_INIT. */
static inline uint32_t fnv32_add(uint32_t h, const void *s, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static inline uint32_t fnv32_word(uint32_t h, uint32_t w)
{
    return (h ^ w) * 16777619u;
}

#endif
