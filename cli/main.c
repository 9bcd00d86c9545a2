/* main.c - the `sigma` command: convert, check, list.
 *
 * A client of the library (include/sigma.h) that also uses its internal
 * utilities (src/util: reading files, walking directories). The output
 * formats are the library's (sigma_render); write.c puts their texts into
 * files atomically. Each
 * command parses its arguments with the one table-driven parser below
 * (parse_args) into a struct, then runs. The library reads no environment;
 * this command passes SIGMA_THREADS on (sigma_set_threads). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sigma.h"
#include "util/base.h"
#include "util/file.h"
#include "write.h"

static const char *prog = "sigma";

static const char usage_main[] =
    "Usage: sigma COMMAND [OPTIONS] ...\n"
    "\n"
    "Convert Sigma detection rules into Athena (Trino) SQL.\n"
    "\n"
    "Commands:\n"
    "  convert  Convert Sigma rules into queries\n"
    "  check    Load and validate Sigma rules\n"
    "  list     List targets, formats, pipelines, modifiers, validators,\n"
    "           correlation methods, transformations, conditions, backend\n"
    "           options and schemas\n"
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
    "                                schema=PATH[,PATH...],\n"
    "                                unknown_fields=error|warn, athena_database,\n"
    "                                athena_workgroup, view_prefix,\n"
    "                                window=15m|params, since=ISO8601,\n"
    "                                until=ISO8601, correlation_output=\n"
    "                                events|alerts, pack_fields, or a pipeline\n"
    "                                variable\n"
    "  -f, --format FORMAT           Output format: default, json, jsonl,\n"
    "                                cloudformation, terraform, views, pack\n"
    "                                (default: default; see sigma list formats)\n"
    "      --pack                    Rule packs: one query per table for all its\n"
    "                                rules, in the format of -f (-f pack is\n"
    "                                -f default --pack)\n"
    "  -o, --output FILE|DIR/        Write output to FILE (default: stdout), or\n"
    "                                one file per rule into DIR (a path ending\n"
    "                                in / or an existing directory)\n"
    "      --force                   Overwrite existing files of a DIR/ output\n"
    "  -s, --skip-unsupported        Exit 0 even if some rules fail (errors are\n"
    "                                still reported on stderr)\n"
    "      --fail-unsupported        Exit 1 if any rule fails (default)\n"
    "      --strict                  Refuse rules with metadata defects (a malformed\n"
    "                                id, title, status, level, tag, date, ...), as\n"
    "                                pySigma does; without it they are warnings\n"
    "  -c, --correlation-method sliding|tumbling\n"
    "                                Correlation windows: sliding (default) or\n"
    "                                tumbling (see sigma list correlation-methods)\n"
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

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        sigma_oom();
    return p;
}

/* ------------------------------------------------------------ arguments */

/* One option of a command. The parser stores what it reads into the
 * command's argument struct at `offset`: a bool for OPT_FLAG (set to
 * `flag`), a const char * for OPT_VALUE (the last one given), a file_list
 * for OPT_LIST (each one given, in order). NO_FIELD: accepted and ignored.
 * Long options take their value as "--name=value" or as the next argument,
 * short ones as the next argument. */
typedef enum { OPT_FLAG, OPT_VALUE, OPT_LIST, OPT_HELP } opt_kind;

#define NO_FIELD ((size_t)-1)

typedef struct opt {
    const char *short_name; /* "-p", or NULL */
    const char *long_name;  /* "--pipeline", or NULL */
    opt_kind kind;
    size_t offset;
    bool flag;
    /* NULL, or a check of the value: NULL if valid, else the usage error
     * (a format with one %s, the value) */
    const char *(*check)(const char *value);
} opt;

typedef struct command {
    const char *name;
    const char *usage;
    const opt *opts;
    size_t nopts;
} command;

/* The option a names (with its "=value" part for a long option), or NULL. */
static const opt *find_opt(const command *cmd, const char *a, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < cmd->nopts; i++) {
        const opt *o = &cmd->opts[i];
        if (o->short_name && strcmp(a, o->short_name) == 0)
            return o;
        if (!o->long_name)
            continue;
        size_t ll = strlen(o->long_name);
        if (strncmp(a, o->long_name, ll) == 0 && (a[ll] == 0 || a[ll] == '=')) {
            if (a[ll] == '=')
                *inline_value = a + ll + 1;
            return o;
        }
    }
    return NULL;
}

/* Parses argv into args (options) and inputs (the other arguments, all of
 * them after "--"). Returns 0, -1 when --help was printed, or EXIT_USAGE
 * after printing the usage error. */
static int parse_args(const command *cmd, int argc, char **argv, void *args, file_list *inputs)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *value;
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                file_list_push(inputs, xstrdup(argv[i]));
            break;
        }
        const opt *o = a[0] == '-' && a[1] ? find_opt(cmd, a, &value) : NULL;
        if (!o) {
            if (a[0] == '-' && a[1])
                return usage_error(cmd->name, "No such option: %s", a);
            file_list_push(inputs, xstrdup(a));
            continue;
        }
        if ((o->kind == OPT_HELP || o->kind == OPT_FLAG) && value)
            return usage_error(cmd->name, "Option '%s' does not take a value.", o->long_name);
        if (o->kind == OPT_HELP) {
            fputs(cmd->usage, stdout);
            return -1;
        }
        if (o->kind == OPT_FLAG) {
            if (o->offset != NO_FIELD)
                *(bool *)((char *)args + o->offset) = o->flag;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return usage_error(cmd->name, "Option '%s' requires an argument.", a);
            value = argv[++i];
        }
        const char *why = o->check ? o->check(value) : NULL;
        if (why)
            return usage_error(cmd->name, why, value);
        if (o->offset == NO_FIELD)
            continue;
        if (o->kind == OPT_VALUE)
            *(const char **)((char *)args + o->offset) = value;
        else
            file_list_push((file_list *)((char *)args + o->offset), xstrdup(value));
    }
    return 0;
}

/* ------------------------------------------------------------ inputs */

/* Directories that cannot be walked are reported; the run goes on and
 * ends with exit status 1 (*ctx is set). */
static void walk_error(void *ctx, const char *path, int err)
{
    *(bool *)ctx = true;
    fprintf(stderr, "%s: error: %s\n", path, strerror(err));
}

/* Expands INPUT arguments: files as given, directories walked and sorted.
 * *walk_failed is set when part of a directory could not be walked. */
static int expand_inputs(const char *cmd, const file_list *args, const char *pattern, file_list *out,
                         bool *walk_failed)
{
    for (size_t i = 0; i < args->n; i++) {
        const char *a = args->v[i];
        if (strcmp(a, "-") == 0) {
            file_list_push(out, xstrdup("-"));
            continue;
        }
        struct stat st;
        if (stat(a, &st) != 0)
            return usage_error(cmd, "Invalid value for 'INPUT...': Path '%s' does not exist.", a);
        if (S_ISDIR(st.st_mode))
            file_walk(a, pattern, 0, out, walk_error, walk_failed);
        else
            file_list_push(out, xstrdup(a));
    }
    return 0;
}

/* A compiler with the thread count of SIGMA_THREADS=N (1..64; anything
 * else: the library's default, one thread per online CPU). */
static sigma_compiler *new_compiler(void)
{
    sigma_compiler *c = sigma_compiler_new();
    if (!c)
        sigma_oom();
    const char *e = getenv("SIGMA_THREADS");
    if (e && *e) {
        char *end;
        long v = strtol(e, &end, 10);
        if (!*end && v >= 1)
            sigma_set_threads(c, v > 64 ? 64 : (unsigned)v);
    }
    return c;
}

/* Adds every input to the compiler: "-" is standard input, and each run of
 * files between two "-" is read and parsed in parallel. Problems reading a
 * file are printed to errout; returns false if there was any. */
static bool load_inputs(sigma_compiler *c, const file_list *files, FILE *errout)
{
    bool io_error = false;
    const char **errs = calloc(files->n + 1, sizeof *errs);
    if (!errs)
        sigma_oom();
    for (size_t i = 0; i < files->n;) {
        if (strcmp(files->v[i], "-") == 0) {
            file_buf in = {0};
            i++;
            if (file_read_stream(stdin, &in) != 0) {
                fputs("<stdin>: error: cannot read standard input\n", errout);
                io_error = true;
            } else {
                sigma_add_source(c, "<stdin>", in.p, in.len);
            }
            file_buf_free(&in);
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

/* ------------------------------------------------------------ output */

/* One diagnostic line, as sigma_diag_format writes it. */
static void print_diag(FILE *f, const sigma_diag *d)
{
    char small[1024];
    size_t n = sigma_diag_format(d, small, sizeof small);
    if (n < sizeof small) {
        fprintf(f, "%s\n", small);
        return;
    }
    char *big = malloc(n + 1);
    if (!big)
        sigma_oom();
    sigma_diag_format(d, big, n + 1);
    fprintf(f, "%s\n", big);
    free(big);
}

/* The run's diagnostics, then each rule's error and warnings. */
static void print_diags(const sigma_compiler *c)
{
    for (size_t i = 0; i < sigma_diag_count(c); i++)
        print_diag(stderr, sigma_diag_get(c, i));
    for (size_t i = 0; i < sigma_result_count(c); i++) {
        const sigma_result *r = sigma_result_get(c, i);
        if (r->error)
            print_diag(stderr, r->error);
        for (size_t k = 0; k < r->nwarnings; k++)
            print_diag(stderr, &r->warnings[k]);
    }
}

/* ------------------------------------------------------------ convert */

typedef struct convert_args {
    const char *target, *format, *output, *pattern, *method;
    bool skip, force, strict, pack;
    file_list pipelines, options, filters, inputs;
} convert_args;

static const char *check_encoding(const char *v)
{
    if (strcmp(v, "utf-8") == 0 || strcmp(v, "utf8") == 0 || strcmp(v, "UTF-8") == 0)
        return NULL;
    return "Invalid value for '--encoding': '%s' (only utf-8 is supported).";
}

#define CONVERT(field) offsetof(convert_args, field)
static const opt convert_opts[] = {
    {"-h", "--help", OPT_HELP, NO_FIELD, false, NULL},
    {"-t", "--target", OPT_VALUE, CONVERT(target), false, NULL},
    {"-p", "--pipeline", OPT_LIST, CONVERT(pipelines), false, NULL},
    {"-O", "--backend-option", OPT_LIST, CONVERT(options), false, NULL},
    {"-f", "--format", OPT_VALUE, CONVERT(format), false, NULL},
    {"-o", "--output", OPT_VALUE, CONVERT(output), false, NULL},
    {"-P", "--file-pattern", OPT_VALUE, CONVERT(pattern), false, NULL},
    {"-c", "--correlation-method", OPT_VALUE, CONVERT(method), false, NULL},
    {NULL, "--filter", OPT_LIST, CONVERT(filters), false, NULL},
    {"-e", "--encoding", OPT_VALUE, NO_FIELD, false, check_encoding},
    {"-j", "--json-indent", OPT_VALUE, NO_FIELD, false, NULL},
    {"-s", "--skip-unsupported", OPT_FLAG, CONVERT(skip), true, NULL},
    {NULL, "--fail-unsupported", OPT_FLAG, CONVERT(skip), false, NULL},
    {NULL, "--force", OPT_FLAG, CONVERT(force), true, NULL},
    {NULL, "--strict", OPT_FLAG, CONVERT(strict), true, NULL},
    {NULL, "--pack", OPT_FLAG, CONVERT(pack), true, NULL},
    {NULL, "--without-pipeline", OPT_FLAG, NO_FIELD, false, NULL},
    {NULL, "--pipeline-check", OPT_FLAG, NO_FIELD, false, NULL},
    {NULL, "--disable-pipeline-check", OPT_FLAG, NO_FIELD, false, NULL},
};

static const command convert_cmd = {"convert", usage_convert, convert_opts, sizeof convert_opts / sizeof *convert_opts};

/* The values only known after all options are read. */
static int check_convert_args(convert_args *a)
{
    if (strcmp(a->target, "athena") != 0)
        return usage_error("convert", "Invalid value for '--target' / '-t': '%s' is not 'athena'.", a->target);
    size_t nformats;
    const sigma_entry *formats = sigma_list_entries("formats", &nformats);
    size_t k = 0;
    while (k < nformats && strcmp(formats[k].name, a->format) != 0)
        k++;
    if (k == nformats)
        return usage_error("convert",
                           "Invalid value for '--format' / '-f': '%s' is not one of 'default', 'json', 'jsonl', "
                           "'cloudformation', 'terraform', 'views', 'pack'.",
                           a->format);
    size_t nmethods;
    const sigma_entry *methods = sigma_list_entries("correlation-methods", &nmethods);
    k = 0;
    while (k < nmethods && strcmp(methods[k].name, a->method) != 0)
        k++;
    if (k == nmethods && strcmp(a->method, "default") != 0)
        return usage_error("convert",
                           "Invalid value for '--correlation-method' / '-c': '%s' is not 'sliding' or 'tumbling'.",
                           a->method);
    for (size_t i = 0; i < a->filters.n; i++)
        file_list_push(&a->inputs, xstrdup(a->filters.v[i]));
    if (!a->inputs.n)
        return usage_error("convert", "%s", "Missing argument 'INPUT...'.");
    return 0;
}

/* -O KEY=VALUE and -p into the compiler (cmd: the command, for messages). */
static int configure(sigma_compiler *c, const char *cmd, const file_list *options, const file_list *pipelines)
{
    for (size_t i = 0; i < options->n; i++) {
        const char *kv = options->v[i], *eq = strchr(kv, '=');
        if (!eq)
            return usage_error(cmd, "Invalid backend option '%s': expected KEY=VALUE.", kv);
        char *key = xstrdup(kv);
        key[eq - kv] = 0;
        sigma_status st = sigma_set_option(c, key, eq + 1);
        free(key);
        if (st != SIGMA_OK)
            return usage_error(cmd, "%s", sigma_last_error(c));
    }
    for (size_t i = 0; i < pipelines->n; i++)
        if (sigma_add_pipeline(c, pipelines->v[i]) != SIGMA_OK)
            return usage_error(cmd, "%s", sigma_last_error(c));
    return 0;
}

/* Several parts of one output (cloudformation over one stack): -o FILE
 * writes FILE-1, FILE-2 ...; standard output or a device cannot take them. */
static int write_output_parts(const convert_args *a, const sigma_output_file *files, size_t n)
{
    struct stat st;
    if (!a->output || strcmp(a->output, "-") == 0 || (stat(a->output, &st) == 0 && !S_ISREG(st.st_mode))) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The %%s output needs %zu files (one template per stack): give -o FILE (written as FILE-1 ... "
                 "FILE-%zu) or -o DIR/.",
                 n, n);
        return usage_error("convert", msg, a->format);
    }
    return write_parts(a->output, files, n) ? 0 : EXIT_RULES;
}

/* Renders and writes the output: -o DIR/ one file per rule; otherwise the
 * whole output streamed to standard output or -o FILE, or, for a format
 * that needs several parts, written as parts. The run's diagnostics are
 * printed once the output is rendered (it may add warnings). Returns 0,
 * EXIT_USAGE or EXIT_RULES. */
static int render_output(sigma_compiler *c, const convert_args *a)
{
    const sigma_output_file *files;
    size_t n;
    unsigned pack = a->pack ? SIGMA_RENDER_PACK : 0;
    if (a->output && strcmp(a->output, "-") != 0 && output_is_dir(a->output)) {
        if (sigma_render(c, a->format, SIGMA_RENDER_PER_RULE | pack, &files, &n) != SIGMA_OK)
            return usage_error("convert", "%s.", sigma_last_error(c));
        print_diags(c);
        return write_dir(a->output, files, n, a->force);
    }
    if (pack) { /* a few queries: rendered whole, then written */
        if (sigma_render(c, a->format, pack, &files, &n) != SIGMA_OK)
            return usage_error("convert", "%s.", sigma_last_error(c));
        print_diags(c);
        if (n > 1)
            return write_output_parts(a, files, n);
        return write_text(a->output, n ? files[0].text : "", n ? files[0].len : 0) ? 0 : EXIT_RULES;
    }
    stream_out o;
    if (!stream_open(&o, a->output))
        return EXIT_RULES;
    sigma_status st = sigma_render_stream(c, a->format, stream_write, &o);
    int err = errno; /* of a failed write */
    if (st == SIGMA_OK) {
        print_diags(c);
        return stream_commit(&o) ? 0 : EXIT_RULES;
    }
    stream_abort(&o);
    if (st == SIGMA_EIO) {
        print_diags(c);
        if (o.path)
            fprintf(stderr, "%s: error: cannot write: %s\n", o.path, strerror(err));
        else
            fprintf(stderr, "sigma: error writing output: %s\n", strerror(err));
        return EXIT_RULES;
    }
    /* a usage error, or parts (nothing was written): render them whole */
    if (sigma_render(c, a->format, 0, &files, &n) != SIGMA_OK || n < 2)
        return usage_error("convert", "%s.", sigma_last_error(c));
    print_diags(c);
    return write_output_parts(a, files, n);
}

static int run_convert(const convert_args *a)
{
    sigma_compiler *c = new_compiler();
    file_list files = {0};
    bool walk_failed = false;
    sigma_set_strict(c, a->strict);
    int rc = 0;
    /* -c, before -O: a later -O correlation_method wins */
    if (sigma_set_option(c, "correlation_method", a->method) != SIGMA_OK)
        rc = usage_error("convert", "%s", sigma_last_error(c));
    if (!rc)
        rc = configure(c, "convert", &a->options, &a->pipelines);
    if (!rc)
        rc = expand_inputs("convert", &a->inputs, a->pattern, &files, &walk_failed);
    if (rc) {
        file_list_free(&files);
        sigma_compiler_free(&c);
        return rc;
    }
    bool io_error = !load_inputs(c, &files, stderr) || walk_failed;
    file_list_free(&files);
    sigma_status st = sigma_compile(c);
    rc = render_output(c, a);
    sigma_compiler_free(&c);
    if (rc)
        return rc;
    return io_error || (st != SIGMA_OK && !a->skip) ? EXIT_RULES : 0;
}

static int cmd_convert(int argc, char **argv)
{
    convert_args a = {.target = "athena", .format = "default", .pattern = "*.yml", .method = "default"};
    int rc = parse_args(&convert_cmd, argc, argv, &a, &a.inputs);
    if (!rc)
        rc = check_convert_args(&a);
    if (!rc)
        rc = run_convert(&a);
    file_list_free(&a.inputs);
    file_list_free(&a.pipelines);
    file_list_free(&a.options);
    file_list_free(&a.filters);
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
    "  -p, --pipeline PIPELINE   Apply a processing pipeline before checking fields\n"
    "                            against table schemas (repeatable)\n"
    "  -O, --backend-option KEY=VALUE\n"
    "                            Backend option, as for convert (repeatable); with\n"
    "                            table=NAME and schema=PATH every field a rule\n"
    "                            names is checked against the table's schema\n"
    "  -h, --help                Show this message and exit\n"
    "\n"
    "Exit status: 0 no failure, 1 failure (see -e/-i), 2 usage error.\n";

typedef struct check_args {
    const char *pattern;
    bool fail_on_error, fail_on_issues;
    file_list exclude, inputs, options, pipelines;
} check_args;

static const char *check_validator(const char *name)
{
    const char *const *v = sigma_validators();
    for (size_t k = 0; v[k]; k++)
        if (strcmp(v[k], name) == 0)
            return NULL;
    return "Unknown validator '%s' (see: sigma list validators).";
}

#define CHECK(field) offsetof(check_args, field)
static const opt check_opts[] = {
    {"-h", "--help", OPT_HELP, NO_FIELD, false, NULL},
    {"-P", "--file-pattern", OPT_VALUE, CHECK(pattern), false, NULL},
    {"-e", "--fail-on-error", OPT_FLAG, CHECK(fail_on_error), true, NULL},
    {"-E", "--pass-on-error", OPT_FLAG, CHECK(fail_on_error), false, NULL},
    {"-i", "--fail-on-issues", OPT_FLAG, CHECK(fail_on_issues), true, NULL},
    {"-I", "--pass-on-issues", OPT_FLAG, CHECK(fail_on_issues), false, NULL},
    {"-x", "--exclude", OPT_LIST, CHECK(exclude), false, check_validator},
    {"-p", "--pipeline", OPT_LIST, CHECK(pipelines), false, NULL},
    {"-O", "--backend-option", OPT_LIST, CHECK(options), false, NULL},
};

static const command check_cmd = {"check", usage_check, check_opts, sizeof check_opts / sizeof *check_opts};

static int run_check(const check_args *a)
{
    file_list files = {0};
    bool walk_failed = false;
    int rc = expand_inputs("check", &a->inputs, a->pattern, &files, &walk_failed);
    if (rc) {
        file_list_free(&files);
        return rc;
    }
    sigma_compiler *c = new_compiler();
    rc = configure(c, "check", &a->options, &a->pipelines);
    if (rc) {
        file_list_free(&files);
        sigma_compiler_free(&c);
        return rc;
    }
    bool io_error = !load_inputs(c, &files, stdout) || walk_failed;
    sigma_check(c, (const char *const *)a->exclude.v, a->exclude.n);
    size_t nerr = io_error ? 1 : 0, nwarn = 0;
    for (size_t i = 0; i < sigma_diag_count(c); i++) {
        const sigma_diag *d = sigma_diag_get(c, i);
        if (d->severity == SIGMA_ERROR)
            nerr++;
        else
            nwarn++;
        print_diag(stdout, d);
    }
    printf("%zu file%s checked: %zu error%s, %zu warning%s\n", files.n, files.n == 1 ? "" : "s", nerr,
           nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s");
    file_list_free(&files);
    sigma_compiler_free(&c);
    return (a->fail_on_error && nerr) || (a->fail_on_issues && nwarn) ? EXIT_RULES : 0;
}

static int cmd_check(int argc, char **argv)
{
    check_args a = {.pattern = "*.yml", .fail_on_error = true};
    int rc = parse_args(&check_cmd, argc, argv, &a, &a.inputs);
    if (!rc && !a.inputs.n)
        rc = usage_error("check", "%s", "Missing argument 'INPUT...'.");
    if (!rc)
        rc = run_check(&a);
    file_list_free(&a.inputs);
    file_list_free(&a.exclude);
    file_list_free(&a.options);
    file_list_free(&a.pipelines);
    return rc < 0 ? 0 : rc;
}

/* ------------------------------------------------------------ list */

/* The lists of the command itself; the others come from the library. */
static const sigma_entry targets[] = {{"athena", "AWS Athena (Trino) SQL"}};

/* How a list is printed: names only, "name<TAB>description", or the name in
 * a column of 32. */
typedef enum { SHOW_NAMES, SHOW_TAB, SHOW_COLUMNS } list_style;

static const struct {
    const char *what;
    list_style style;
    const sigma_entry *entries; /* NULL: sigma_list_entries(what) */
    size_t n;
} lists[] = {
    {"targets", SHOW_TAB, targets, 1},
    {"formats", SHOW_TAB, NULL, 0},
    {"pipelines", SHOW_COLUMNS, NULL, 0},
    {"modifiers", SHOW_NAMES, NULL, 0},
    {"validators", SHOW_NAMES, NULL, 0},
    {"correlation-methods", SHOW_TAB, NULL, 0},
    {"transformations", SHOW_COLUMNS, NULL, 0},
    {"conditions", SHOW_COLUMNS, NULL, 0},
    {"backend-options", SHOW_COLUMNS, NULL, 0},
    {"schemas", SHOW_COLUMNS, NULL, 0},
};

static int cmd_list(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        fputs("Usage: sigma list targets|formats|pipelines|modifiers|validators|correlation-methods|\n"
              "                  transformations|conditions|backend-options|schemas\n",
              argc < 1 ? stderr : stdout);
        return argc < 1 ? EXIT_USAGE : 0;
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (strcmp(argv[0], lists[i].what) != 0)
            continue;
        size_t n = lists[i].n;
        const sigma_entry *e = lists[i].entries ? lists[i].entries : sigma_list_entries(argv[0], &n);
        for (size_t k = 0; k < n; k++) {
            if (lists[i].style == SHOW_NAMES)
                puts(e[k].name);
            else if (lists[i].style == SHOW_TAB)
                printf("%s\t%s\n", e[k].name, e[k].description);
            else
                printf("%-32s %s\n", e[k].name, e[k].description);
        }
        return 0;
    }
    fprintf(stderr, "Error: unknown list '%s'\n", argv[0]);
    return EXIT_USAGE;
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
