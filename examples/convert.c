/* convert.c - the smallest complete use of the sigma library.
 *
 *     convert [-O key=value]... FILE
 *
 * Converts one rule file and prints what `sigma convert -t athena` prints:
 * queries on stdout separated by a blank line, diagnostics on stderr as
 * path:line:col: error: message. Exit 0 when every rule converted, 1 when a
 * rule failed, 2 for bad usage. */
#include <sigma.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    sigma_compiler *c = sigma_compiler_new();
    if (!c)
        return 2;
    const char *file = NULL;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-O") == 0 && i + 1 < argc) {
            char opt[4096];
            snprintf(opt, sizeof opt, "%s", argv[++i]);
            char *eq = strchr(opt, '=');
            if (!eq || sigma_set_option(c, (*eq = 0, opt), eq + 1) != SIGMA_OK) {
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
    for (size_t i = 0; i < sigma_diag_count(c); i++) {
        const sigma_diag *d = sigma_diag_get(c, i);
        fprintf(stderr, "%s: warning: %s\n", d->file, d->message);
    }
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        if (r->error && r->error->line)
            fprintf(stderr, "%s:%u:%u: error: %s\n", r->error->file, r->error->line, r->error->column,
                    r->error->message);
        else if (r->error)
            fprintf(stderr, "%s: error: %s\n", r->error->file, r->error->message);
        for (size_t k = 0; k < r->nwarnings; k++)
            fprintf(stderr, "%s:%u:%u: warning: %s\n", r->warnings[k].file, r->warnings[k].line,
                    r->warnings[k].column, r->warnings[k].message);
    }
out:
    sigma_compiler_free(&c);
    return rc;
}
