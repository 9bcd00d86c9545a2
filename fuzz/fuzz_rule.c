/* fuzz_rule.c - the whole convert path: YAML text -> rules -> SQL -> every
 * output format (whole and per rule). */
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
    sigma_set_option(c, "athena_database", "db");
    sigma_add_source(c, "fuzz.yml", (const char *)data, size);
    sigma_compile(c);
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        for (size_t k = 0; k < r->nqueries; k++)
            (void)r->queries[k][0];
    }
    size_t nformats;
    const sigma_entry *formats = sigma_list_entries("formats", &nformats);
    for (size_t i = 0; i < 2 * nformats; i++) {
        const sigma_output_file *f;
        size_t n;
        if (sigma_render(c, formats[i / 2].name, i % 2 ? SIGMA_RENDER_PER_RULE : 0, &f, &n) != SIGMA_OK)
            continue;
        for (size_t k = 0; k < n; k++)
            (void)f[k].text[f[k].len];
    }
    sigma_compiler_free(&c);
    return 0;
}
