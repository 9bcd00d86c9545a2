/* fuzz_rule.c - the whole convert path: YAML text -> rules -> SQL -> every
 * output format (whole, per rule and as packs). The first byte picks
 * backend options, a time window, the correlation methods and the Security
 * Lake pipeline, so that their paths are covered too. */
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
    static const char *const windows[][2] = {{NULL, NULL}, {"window", "15m"}, {"window", "params"}, {"since", NULL}};
    unsigned w = size ? (data[0] >> 3) & 3 : 0;
    if (w == 3) {
        sigma_set_option(c, "since", "2024-05-01T00:00:00Z");
        sigma_set_option(c, "until", "2024-05-01T00:15:00.5+01:00");
    } else if (windows[w][0]) {
        sigma_set_option(c, windows[w][0], windows[w][1]);
    }
    if (size && (data[0] & 32)) {
        sigma_set_option(c, "correlation_output", "alerts");
        sigma_set_option(c, "correlation_method", "tumbling");
    }
    if (size && (data[0] & 64)) {
        sigma_set_option(c, "aws_table_region", "eu-west-2");
        sigma_add_pipeline(c, "athena_security_lake");
    }
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
    const sigma_result *packs;
    size_t npacks;
    if (sigma_packs(c, &packs, &npacks) == SIGMA_OK)
        for (size_t i = 0; i < npacks; i++)
            for (size_t k = 0; k < packs[i].nqueries; k++)
                (void)packs[i].queries[k][0];
    static const unsigned flags[] = {0, SIGMA_RENDER_PER_RULE, SIGMA_RENDER_PACK};
    for (size_t i = 0; i < 3 * nformats; i++) {
        const sigma_output_file *f;
        size_t n;
        if (sigma_render(c, formats[i / 3].name, flags[i % 3], &f, &n) != SIGMA_OK)
            continue;
        for (size_t k = 0; k < n; k++)
            (void)f[k].text[f[k].len];
    }
    sigma_compiler_free(&c);
    return 0;
}
