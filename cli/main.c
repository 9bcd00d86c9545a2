/* main.c - the `sigma` command: convert, check, list. */
#define _DEFAULT_SOURCE /* struct dirent d_type */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigma.h"

#define EXIT_RULES 1
#define EXIT_USAGE 2

static const char *prog = "sigma";

static const char usage_main[] =
    "Usage: sigma COMMAND [OPTIONS] ...\n"
    "\n"
    "Convert Sigma detection rules into Athena (Trino) SQL.\n"
    "\n"
    "Commands:\n"
    "  convert  Convert Sigma rules into queries\n"
    "  check    Load and validate Sigma rules\n"
    "  list     List targets, formats, pipelines, modifiers, correlation methods,\n"
    "           transformations, conditions and schemas\n"
    "\n"
    "Options:\n"
    "  --version  Print the version and exit\n"
    "  --help     Show this message and exit\n";

static const char usage_convert[] =
    "Usage: sigma convert [OPTIONS] INPUT...\n"
    "\n"
    "Convert Sigma rules into Athena (Trino) SQL queries. INPUT is a rule file, a\n"
    "directory (searched recursively for files matching -P, in sorted path order)\n"
    "or - for standard input.\n"
    "\n"
    "Options:\n"
    "  -t, --target athena           Target query language (only athena)\n"
    "  -p, --pipeline NAME|FILE|DIR  Processing pipeline (repeatable)\n"
    "  -O, --backend-option KEY=VALUE\n"
    "                                Backend option (repeatable): table,\n"
    "                                time_field, element_at_fields,\n"
    "                                keyword_fields, cidr=like|native,\n"
    "                                schema=PATH[,PATH...], or a pipeline\n"
    "                                variable\n"
    "  -f, --format default|json     Output format (default: default)\n"
    "  -o, --output FILE             Write output to FILE (default: stdout)\n"
    "  -s, --skip-unsupported        Exit 0 even if some rules fail (errors are\n"
    "                                still reported on stderr)\n"
    "      --fail-unsupported        Exit 1 if any rule fails (default)\n"
    "  -c, --correlation-method default\n"
    "                                Correlation method (only default)\n"
    "  -P, --file-pattern GLOB       File pattern for directories (default: *.yml)\n"
    "      --filter PATH             Sigma filter file or directory (repeatable)\n"
    "  -e, --encoding utf-8          Output encoding (only utf-8)\n"
    "      --without-pipeline, --pipeline-check, --disable-pipeline-check\n"
    "                                Accepted for compatibility; no effect\n"
    "  -h, --help                    Show this message and exit\n"
    "\n"
    "Exit status: 0 success (also with -s when rules failed), 1 some rule\n"
    "failed, 2 usage error.\n";

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "Usage: %s %s [OPTIONS] ...\nTry '%s %s --help' for help.\n\nError: ", prog, cmd, prog, cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* ------------------------------------------------------------ inputs */

typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static void sv_push(strvec *s, char *p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        char **nv = realloc(s->v, s->cap * sizeof *nv);
        if (!nv) {
            fputs("sigma: out of memory\n", stderr);
            exit(EXIT_USAGE);
        }
        s->v = nv;
    }
    s->v[s->n++] = p;
}

static void sv_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fnmatch(pattern, name, 0), with a fast path for the usual "*.yml": a
 * star and a literal suffix is a suffix test. */
static bool name_matches(const char *pattern, const char *name)
{
    if (pattern[0] == '*' && !strpbrk(pattern + 1, "*?[\\")) {
        size_t pl = strlen(pattern + 1), nl = strlen(name);
        return nl >= pl && memcmp(name + nl - pl, pattern + 1, pl) == 0;
    }
    return fnmatch(pattern, name, 0) == 0;
}

static void walk(const char *dir, const char *pattern, strvec *out, int depth)
{
    if (depth > 64)
        return;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: error: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    size_t dl = strlen(dir);
    if (dl && dir[dl - 1] == '/')
        dl--;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        /* the entry type saves a stat() per file; links and unknown types
         * are stat()ed (followed) as before */
        bool is_dir = false, is_reg = false;
#if defined(DT_DIR) && defined(DT_REG)
        if (e->d_type == DT_DIR)
            is_dir = true;
        else if (e->d_type == DT_REG)
            is_reg = true;
        if (is_reg && !name_matches(pattern, e->d_name))
            continue;
#endif
        size_t nl = strlen(e->d_name);
        char *p = malloc(dl + nl + 2);
        if (!p)
            continue;
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, e->d_name, nl + 1);
        if (!is_dir && !is_reg) {
            struct stat st;
            if (stat(p, &st) != 0) {
                free(p);
                continue;
            }
            is_dir = S_ISDIR(st.st_mode);
            is_reg = S_ISREG(st.st_mode);
        }
        if (is_dir) {
            walk(p, pattern, out, depth + 1);
            free(p);
        } else if (is_reg && name_matches(pattern, e->d_name)) {
            sv_push(out, p);
        } else {
            free(p);
        }
    }
    closedir(d);
}

/* Expands INPUT arguments: files as given, directories walked and sorted. */
static int expand_inputs(char **args, size_t n, const char *pattern, strvec *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(args[i], "-") == 0) {
            sv_push(out, strdup("-"));
            continue;
        }
        struct stat st;
        if (stat(args[i], &st) != 0)
            return usage_error("convert", "Invalid value for 'INPUT...': Path '%s' does not exist.", args[i]);
        if (S_ISDIR(st.st_mode)) {
            size_t first = out->n;
            walk(args[i], pattern, out, 0);
            qsort(out->v + first, out->n - first, sizeof *out->v, cmp_str);
        } else {
            sv_push(out, strdup(args[i]));
        }
    }
    return 0;
}

static char *read_stdin(size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, cap - n, stdin);
        n += k;
        if (k == 0)
            break;
    }
    *len = n;
    return buf;
}

/* ------------------------------------------------------------ output */

static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        const unsigned char *run = p; /* printable ASCII needing no escape: one write */
        while (*run >= 0x20 && *run < 0x7f && *run != '"' && *run != '\\')
            run++;
        if (run > p) {
            fwrite(p, 1, (size_t)(run - p), f);
            p = run;
            continue;
        }
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\t': fputs("\\t", f); break;
            case '\r': fputs("\\r", f); break;
            default: fprintf(f, "\\u%04x", c); break;
            }
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
            p++;
        } else {
            /* copy a valid UTF-8 sequence, replace an invalid byte */
            int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            bool ok = len > 0 && c >= 0xC2 && c <= 0xF4;
            for (int k = 1; ok && k < len; k++)
                if ((p[k] & 0xC0) != 0x80)
                    ok = false;
            if (ok && len == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
                ok = false;
            if (ok && len == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
                ok = false;
            if (ok) {
                fwrite(p, 1, (size_t)len, f);
                p += len;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

static void print_diag(const sigma_diag *d)
{
    const char *sev = d->severity == SIGMA_ERROR ? "error" : "warning";
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s: %s\n", d->file, d->line, d->column, sev, d->message);
    else
        fprintf(stderr, "%s: %s: %s\n", d->file, sev, d->message);
}

static void write_json(FILE *f, const sigma_compiler *c)
{
    size_t n = sigma_result_count(c);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        const sigma_result *r = sigma_result_get(c, i);
        fputs(i ? ",\n" : "\n", f);
        fputs("{\"file\": ", f);
        json_str(f, r->file);
        fputs(", \"id\": ", f);
        json_str(f, r->id);
        fputs(", \"title\": ", f);
        json_str(f, r->title);
        fputs(", \"type\": ", f);
        json_str(f, r->type);
        if (r->error) {
            fputs(", \"error\": {\"message\": ", f);
            json_str(f, r->error->message);
            fprintf(f, ", \"line\": %u, \"column\": %u}", r->error->line, r->error->column);
        } else {
            fputs(", \"queries\": [", f);
            for (size_t k = 0; k < r->nqueries; k++) {
                if (k)
                    fputs(", ", f);
                json_str(f, r->queries[k]);
            }
            fputc(']', f);
        }
        if (r->nwarnings) {
            fputs(", \"warnings\": [", f);
            for (size_t k = 0; k < r->nwarnings; k++) {
                if (k)
                    fputs(", ", f);
                fputs("{\"message\": ", f);
                json_str(f, r->warnings[k].message);
                fprintf(f, ", \"line\": %u, \"column\": %u}", r->warnings[k].line, r->warnings[k].column);
            }
            fputc(']', f);
        }
        fputc('}', f);
    }
    fputs(n ? "\n]\n" : "]\n", f);
}

static void write_default(FILE *f, const sigma_compiler *c)
{
    size_t n = sigma_result_count(c);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const sigma_result *r = sigma_result_get(c, i);
        for (size_t k = 0; k < r->nqueries; k++) {
            if (!first)
                fputs("\n\n", f);
            fputs(r->queries[k], f);
            first = false;
        }
    }
    if (!first)
        fputc('\n', f);
}

/* Adds every input to the compiler: "-" is standard input, and each run of
 * files between two "-" is read and parsed in parallel. Problems reading a
 * file are printed to errout; returns false if there was any. */
static bool load_inputs(sigma_compiler *c, const strvec *files, FILE *errout)
{
    bool io_error = false;
    const char **errs = calloc(files->n + 1, sizeof *errs);
    if (!errs) {
        fputs("sigma: out of memory\n", stderr);
        exit(EXIT_USAGE);
    }
    for (size_t i = 0; i < files->n;) {
        if (strcmp(files->v[i], "-") == 0) {
            size_t len;
            char *buf = read_stdin(&len);
            i++;
            if (!buf) {
                fputs("<stdin>: error: cannot read standard input\n", errout);
                io_error = true;
                continue;
            }
            sigma_add_source(c, "<stdin>", buf, len);
            free(buf);
            continue;
        }
        /* the files up to the next "-" in one batch: read in parallel */
        size_t k = i;
        while (k < files->n && strcmp(files->v[k], "-") != 0)
            k++;
        if (sigma_add_files(c, (const char *const *)files->v + i, k - i, errs + i) != SIGMA_OK)
            io_error = true;
        for (; i < k; i++)
            if (errs[i])
                fprintf(errout, "%s: error: %s\n", files->v[i], errs[i]);
    }
    free(errs);
    return !io_error;
}

/* ------------------------------------------------------------ convert */

static const char *need_arg(int argc, char **argv, int *i, const char *opt)
{
    const char *a = argv[*i];
    size_t ol = strlen(opt);
    if (strncmp(a, opt, ol) == 0 && a[ol] == '=')
        return a + ol + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool is_opt(const char *a, const char *s, const char *l)
{
    size_t ll = l ? strlen(l) : 0;
    return (s && strcmp(a, s) == 0) || (l && (strcmp(a, l) == 0 || (strncmp(a, l, ll) == 0 && a[ll] == '=')));
}

static int cmd_convert(int argc, char **argv)
{
    const char *format = "default", *output = NULL, *pattern = "*.yml", *target = "athena", *method = "default";
    bool skip = false;
    strvec inputs = {0}, pipelines = {0}, options = {0}, filters = {0};
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_convert, stdout);
            rc = -1;
            goto done;
        }
#define ARG(s, l)                                                                            \
    (is_opt(a, s, l) && ((v = need_arg(argc, argv, &i, (l && strncmp(a, "--", 2) == 0) ? l : s)) || \
                         (rc = usage_error("convert", "Option '%s' requires an argument.", a), 0)))
        if (is_opt(a, "-t", "--target")) {
            if (!ARG("-t", "--target"))
                goto done;
            target = v;
        } else if (is_opt(a, "-p", "--pipeline")) {
            if (!ARG("-p", "--pipeline"))
                goto done;
            sv_push(&pipelines, strdup(v));
        } else if (is_opt(a, "-O", "--backend-option")) {
            if (!ARG("-O", "--backend-option"))
                goto done;
            sv_push(&options, strdup(v));
        } else if (is_opt(a, "-f", "--format")) {
            if (!ARG("-f", "--format"))
                goto done;
            format = v;
        } else if (is_opt(a, "-o", "--output")) {
            if (!ARG("-o", "--output"))
                goto done;
            output = v;
        } else if (is_opt(a, "-P", "--file-pattern")) {
            if (!ARG("-P", "--file-pattern"))
                goto done;
            pattern = v;
        } else if (is_opt(a, "-c", "--correlation-method")) {
            if (!ARG("-c", "--correlation-method"))
                goto done;
            method = v;
        } else if (is_opt(a, NULL, "--filter")) {
            if (!ARG(NULL, "--filter"))
                goto done;
            sv_push(&filters, strdup(v));
        } else if (is_opt(a, "-e", "--encoding")) {
            if (!ARG("-e", "--encoding"))
                goto done;
            if (strcmp(v, "utf-8") != 0 && strcmp(v, "utf8") != 0 && strcmp(v, "UTF-8") != 0) {
                rc = usage_error("convert", "Invalid value for '--encoding': '%s' (only utf-8 is supported).", v);
                goto done;
            }
        } else if (is_opt(a, "-j", "--json-indent")) {
            if (!ARG("-j", "--json-indent"))
                goto done;
        } else if (strcmp(a, "-s") == 0 || strcmp(a, "--skip-unsupported") == 0) {
            skip = true;
        } else if (strcmp(a, "--fail-unsupported") == 0) {
            skip = false;
        } else if (strcmp(a, "--without-pipeline") == 0 || strcmp(a, "--pipeline-check") == 0 ||
                   strcmp(a, "--disable-pipeline-check") == 0) {
            /* accepted for compatibility */
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                sv_push(&inputs, strdup(argv[i]));
        } else if (a[0] == '-' && a[1]) {
            rc = usage_error("convert", "No such option: %s", a);
            goto done;
        } else {
            sv_push(&inputs, strdup(a));
        }
#undef ARG
    }
    if (strcmp(target, "athena") != 0) {
        rc = usage_error("convert", "Invalid value for '--target' / '-t': '%s' is not 'athena'.", target);
        goto done;
    }
    if (strcmp(format, "default") != 0 && strcmp(format, "json") != 0) {
        rc = usage_error("convert", "Invalid value for '--format' / '-f': '%s' is not one of 'default', 'json'.",
                         format);
        goto done;
    }
    if (strcmp(method, "default") != 0) {
        rc = usage_error("convert", "Invalid value for '--correlation-method' / '-c': '%s' is not 'default'.",
                         method);
        goto done;
    }
    for (size_t i = 0; i < filters.n; i++)
        sv_push(&inputs, strdup(filters.v[i]));
    if (!inputs.n) {
        rc = usage_error("convert", "%s", "Missing argument 'INPUT...'.");
        goto done;
    }

    sigma_compiler *c = sigma_compiler_new();
    if (!c) {
        fputs("sigma: out of memory\n", stderr);
        rc = EXIT_USAGE;
        goto done;
    }
    for (size_t i = 0; i < options.n; i++) {
        char *eq = strchr(options.v[i], '=');
        if (!eq) {
            rc = usage_error("convert", "Invalid backend option '%s': expected KEY=VALUE.", options.v[i]);
            sigma_compiler_free(&c);
            goto done;
        }
        *eq = 0;
        if (sigma_set_option(c, options.v[i], eq + 1) != SIGMA_OK) {
            rc = usage_error("convert", "%s", sigma_last_error(c));
            sigma_compiler_free(&c);
            goto done;
        }
    }
    for (size_t i = 0; i < pipelines.n; i++) {
        if (sigma_add_pipeline(c, pipelines.v[i]) != SIGMA_OK) {
            rc = usage_error("convert", "%s", sigma_last_error(c));
            sigma_compiler_free(&c);
            goto done;
        }
    }
    strvec files = {0};
    if ((rc = expand_inputs(inputs.v, inputs.n, pattern, &files)) != 0) {
        sv_free(&files);
        sigma_compiler_free(&c);
        goto done;
    }
    bool io_error = !load_inputs(c, &files, stderr);
    sv_free(&files);
    sigma_status st = sigma_compile(c);
    for (size_t i = 0; i < sigma_diag_count(c); i++)
        print_diag(sigma_diag_get(c, i));
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        if (r->error)
            print_diag(r->error);
        for (size_t k = 0; k < r->nwarnings; k++)
            print_diag(&r->warnings[k]);
    }
    /* write to a temporary file and rename: never a partial output file */
    FILE *f = stdout;
    char *tmp = NULL;
    struct stat ost;
    bool special = output && stat(output, &ost) == 0 && !S_ISREG(ost.st_mode);
    if (output && strcmp(output, "-") != 0 && special) {
        /* a device or pipe (e.g. /dev/null): write to it directly */
        if (!(f = fopen(output, "w"))) {
            fprintf(stderr, "%s: error: cannot write: %s\n", output, strerror(errno));
            sigma_compiler_free(&c);
            rc = EXIT_RULES;
            goto done;
        }
    } else if (output && strcmp(output, "-") != 0) {
        size_t n = strlen(output) + 16;
        tmp = malloc(n);
        snprintf(tmp, n, "%s.tmpXXXXXX", output);
        int fd = mkstemp(tmp);
        if (fd >= 0) {
            mode_t um = umask(0);
            umask(um);
            if (fchmod(fd, 0666 & ~um) != 0) { /* mkstemp creates 0600 */
            }
        }
        if (fd < 0 || !(f = fdopen(fd, "w"))) {
            fprintf(stderr, "%s: error: cannot write: %s\n", output, strerror(errno));
            if (fd >= 0)
                close(fd);
            free(tmp);
            sigma_compiler_free(&c);
            rc = EXIT_RULES;
            goto done;
        }
    }
    if (sigma_output(c)) {
        fputs(sigma_output(c), f);
        fputc('\n', f);
    } else if (strcmp(format, "json") == 0)
        write_json(f, c);
    else
        write_default(f, c);
    if (f != stdout && !tmp) {
        if (fclose(f) != 0) {
            fprintf(stderr, "%s: error: cannot write: %s\n", output, strerror(errno));
            rc = EXIT_RULES;
        }
    } else if (tmp) {
        bool bad = ferror(f) != 0;
        if (fclose(f) != 0)
            bad = true;
        if (bad || rename(tmp, output) != 0) {
            fprintf(stderr, "%s: error: cannot write: %s\n", output, strerror(errno));
            unlink(tmp);
            rc = EXIT_RULES;
        }
        free(tmp);
    } else if (fflush(stdout) != 0) {
        fprintf(stderr, "sigma: error writing output: %s\n", strerror(errno));
        rc = EXIT_RULES;
    }
    sigma_compiler_free(&c);
    if (!rc && (io_error || (st != SIGMA_OK && !skip)))
        rc = EXIT_RULES;
done:
    sv_free(&inputs);
    sv_free(&pipelines);
    sv_free(&options);
    sv_free(&filters);
    return rc < 0 ? 0 : rc;
}

/* ------------------------------------------------------------ check */

static const char usage_check[] =
    "Usage: sigma check [OPTIONS] INPUT...\n"
    "\n"
    "Load and validate Sigma rules without converting them. Every problem is\n"
    "printed as path:line:col: error|warning: message; warnings name the\n"
    "validator that found them, e.g. [dangling_detection].\n"
    "\n"
    "Options:\n"
    "  -P, --file-pattern GLOB   File pattern for directories (default: *.yml)\n"
    "  -e, --fail-on-error       Exit 1 if any rule has an error (default)\n"
    "  -E, --pass-on-error       Exit 0 even if rules have errors\n"
    "  -i, --fail-on-issues      Exit 1 if any validator reports an issue\n"
    "  -I, --pass-on-issues      Exit 0 whatever the validators report (default)\n"
    "  -x, --exclude VALIDATOR   Skip a validator (repeatable; see sigma list validators)\n"
    "  -h, --help                Show this message and exit\n"
    "\n"
    "Exit status: 0 no failure, 1 failure (see -e/-i), 2 usage error.\n";

static int cmd_check(int argc, char **argv)
{
    const char *pattern = "*.yml";
    bool fail_err = true, fail_issues = false;
    strvec inputs = {0}, excl = {0};
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_check, stdout);
            goto done;
        } else if (strcmp(a, "-P") == 0 || strcmp(a, "--file-pattern") == 0) {
            if (i + 1 >= argc) {
                rc = usage_error("check", "Option '%s' requires an argument.", a);
                goto done;
            }
            pattern = argv[++i];
        } else if (strcmp(a, "-x") == 0 || strcmp(a, "--exclude") == 0) {
            if (i + 1 >= argc) {
                rc = usage_error("check", "Option '%s' requires an argument.", a);
                goto done;
            }
            const char *name = argv[++i];
            bool known = false;
            for (size_t k = 0; sigma_validator_names[k]; k++)
                if (strcmp(sigma_validator_names[k], name) == 0)
                    known = true;
            if (!known) {
                rc = usage_error("check", "Unknown validator '%s' (see: sigma list validators).", name);
                goto done;
            }
            sv_push(&excl, strdup(name));
        } else if (strcmp(a, "-e") == 0 || strcmp(a, "--fail-on-error") == 0) {
            fail_err = true;
        } else if (strcmp(a, "-E") == 0 || strcmp(a, "--pass-on-error") == 0) {
            fail_err = false;
        } else if (strcmp(a, "-i") == 0 || strcmp(a, "--fail-on-issues") == 0) {
            fail_issues = true;
        } else if (strcmp(a, "-I") == 0 || strcmp(a, "--pass-on-issues") == 0) {
            fail_issues = false;
        } else if (a[0] == '-' && a[1]) {
            rc = usage_error("check", "No such option: %s", a);
            goto done;
        } else {
            sv_push(&inputs, strdup(a));
        }
    }
    if (!inputs.n) {
        rc = usage_error("check", "%s", "Missing argument 'INPUT...'.");
        goto done;
    }
    strvec files = {0};
    if ((rc = expand_inputs(inputs.v, inputs.n, pattern, &files)) != 0) {
        sv_free(&files);
        goto done;
    }
    sigma_compiler *c = sigma_compiler_new();
    bool io_error = false;
    if (!load_inputs(c, &files, stdout))
        io_error = true;
    sigma_check(c, (const char *const *)excl.v, excl.n);
    size_t nerr = io_error ? 1 : 0, nwarn = 0;
    for (size_t i = 0; i < sigma_diag_count(c); i++) {
        const sigma_diag *d = sigma_diag_get(c, i);
        if (d->severity == SIGMA_ERROR)
            nerr++;
        else
            nwarn++;
        if (d->line)
            printf("%s:%u:%u: %s: %s\n", d->file, d->line, d->column,
                   d->severity == SIGMA_ERROR ? "error" : "warning", d->message);
        else
            printf("%s: %s: %s\n", d->file, d->severity == SIGMA_ERROR ? "error" : "warning", d->message);
    }
    printf("%zu file%s checked: %zu error%s, %zu warning%s\n", files.n, files.n == 1 ? "" : "s", nerr,
           nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
    sv_free(&files);
    sigma_compiler_free(&c);
    if ((fail_err && nerr) || (fail_issues && nwarn))
        rc = EXIT_RULES;
done:
    sv_free(&inputs);
    sv_free(&excl);
    return rc;
}

/* ------------------------------------------------------------ list */

static int cmd_list(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs("Usage: sigma list targets|formats|pipelines|modifiers|validators|correlation-methods|\n"
              "                  transformations|conditions|schemas\n",
              argc < 1 ? stderr : stdout);
        return argc < 1 ? EXIT_USAGE : 0;
    }
    const char *what = argv[0];
    if (strcmp(what, "targets") == 0) {
        puts("athena\tAWS Athena (Trino) SQL");
    } else if (strcmp(what, "formats") == 0) {
        puts("default\tqueries separated by a blank line");
        puts("json\tone JSON array, an object per rule with its queries or error");
    } else if (strcmp(what, "validators") == 0) {
        for (size_t i = 0; sigma_validator_names[i]; i++)
            puts(sigma_validator_names[i]);
    } else if (strcmp(what, "correlation-methods") == 0) {
        puts("default\tsliding window over time_field");
    } else if (strcmp(what, "modifiers") == 0) {
        const char *const *mods = sigma_modifiers();
        for (size_t i = 0; mods[i]; i++)
            puts(mods[i]);
    } else if (strcmp(what, "pipelines") == 0 || strcmp(what, "transformations") == 0 ||
               strcmp(what, "conditions") == 0 || strcmp(what, "schemas") == 0) {
        /* filled in by the pipeline and schema modules */
        const char *const *lines = strcmp(what, "schemas") == 0 ? sigma_builtin_schemas() : sigma_list(what);
        for (size_t i = 0; lines && lines[i]; i++) {
            const char *tab = strchr(lines[i], '\t');
            if (tab)
                printf("%-32.*s %s\n", (int)(tab - lines[i]), lines[i], tab + 1);
            else
                puts(lines[i]);
        }
    } else {
        fprintf(stderr, "Error: unknown list '%s'\n", what);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("sigma %s\n", sigma_version());
        return 0;
    }
    if (strcmp(cmd, "convert") == 0)
        return cmd_convert(argc - 2, argv + 2);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    fprintf(stderr, "%s", usage_main);
    fprintf(stderr, "\nError: No such command '%s'.\n", cmd);
    return EXIT_USAGE;
}
