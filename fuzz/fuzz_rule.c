/* fuzz_rule.c - the whole convert path: YAML text -> rules -> SQL. */
#include <sigma.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigma_compiler *c = sigma_compiler_new();
    if (!c)
        return 0;
    /* the first byte picks a few backend options so their paths are covered */
    if (size && (data[0] & 1))
        sigma_set_option(c, "keyword_fields", "raw_data,message");
    if (size && (data[0] & 2))
        sigma_set_option(c, "cidr", "native");
    if (size && (data[0] & 4))
        sigma_set_option(c, "element_at_fields", "unmapped,data");
    sigma_add_source(c, "fuzz.yml", (const char *)data, size);
    sigma_compile(c);
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        for (size_t k = 0; k < r->nqueries; k++)
            (void)r->queries[k][0];
    }
    sigma_compiler_free(&c);
    return 0;
}
