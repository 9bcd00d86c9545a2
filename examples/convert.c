/* convert.c - the smallest complete use of the sigma library.
 *
 *     convert [-O key=value]... FILE
 *
 * Converts one rule file and prints what `sigma convert -t athena` prints:
 * queries on stdout separated by a blank line, diagnostics on stderr as
 * path:line:col: error: message (sigma_diag_format). Exit 0 when every rule converted, 1 when a
 * rule failed, 2 for bad usage. */
#include <sigma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One diagnostic on stderr, formatted by the library. */
static void print_diag(const sigma_diag *d)
{
    char line[1024];
    size_t n = sigma_diag_format(d, line, sizeof line);
    char *big = n < sizeof line ? NULL : malloc(n + 1);
    if (big)
        sigma_diag_format(d, big, n + 1);
    fprintf(stderr, "%s\n", big ? big : line); /* cut only if out of memory */
    free(big);
}

int main(int argc, char **argv)
{
    sigma_compiler *c = sigma_compiler_new();
    if (!c)
        return 2;
    const char *file = NULL;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-O") == 0 && i + 1 < argc) {
            char *key = argv[++i], *eq = strchr(key, '=');
            if (eq)
                *eq = 0; /* key=value -> key, value */
            if (!eq || sigma_set_option(c, key, eq + 1) != SIGMA_OK) {
                if (eq)
                    *eq = '=';
                fprintf(stderr, "convert: bad option '%s': %s\n", argv[i], sigma_last_error(c));
                rc = 2;
                goto out;
            }
        } else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
            if (sigma_add_pipeline(c, argv[++i]) != SIGMA_OK) {
                fprintf(stderr, "convert: %s\n", sigma_last_error(c));
                rc = 2;
                goto out;
            }
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fputs("usage: convert [-O key=value]... [-p pipeline]... FILE\n", stderr);
        rc = 2;
        goto out;
    }
    if (sigma_add_file(c, file) != SIGMA_OK) {
        fprintf(stderr, "%s: error: %s\n", file, sigma_last_error(c));
        rc = 1;
        goto out;
    }
    if (sigma_compile(c) != SIGMA_OK)
        rc = 1;

    /* Everything below points into the compiler: valid until it is freed.
     * With pipeline finalizers (concat, json) the output is one text. */
    int first = 1;
    if (sigma_output(c)) {
        puts(sigma_output(c));
        first = -1;
    }
    for (size_t i = 0; first >= 0 && i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        for (size_t k = 0; k < r->nqueries; k++) {
            printf("%s%s", first ? "" : "\n\n", r->queries[k]);
            first = 0;
        }
    }
    if (first == 0)
        putchar('\n');
    for (size_t i = 0; i < sigma_diag_count(c); i++)
        print_diag(sigma_diag_get(c, i));
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        if (r->error)
            print_diag(r->error);
        for (size_t k = 0; k < r->nwarnings; k++)
            print_diag(&r->warnings[k]);
    }
out:
    sigma_compiler_free(&c);
    return rc;
}
