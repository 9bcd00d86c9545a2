/* pipeline.c - the pipeline set: -p resolution (built-in, file, folder),
 * merging by (priority, name/path), variables and backend options, and the
 * per-rule entry point. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/limits.h"
#include "../util/sbuf.h"
#include "sigma.h"

pipeline_set *pipeline_set_new(arena *a)
{
    pipeline_set *ps = arena_alloc(a, sizeof *ps);
    ps->a = a;
    ps->dirty = true;
    return ps;
}

static void add_pipeline(pipeline_set *ps, pipeline *p)
{
    ps->p = arena_grow(ps->a, ps->p, sizeof *ps->p, ps->n, ps->n + 1);
    /* stable insertion by (priority, sortkey) */
    size_t i = ps->n;
    while (i > 0 && (ps->p[i - 1]->priority > p->priority ||
                     (ps->p[i - 1]->priority == p->priority && strcmp(ps->p[i - 1]->sortkey, p->sortkey) > 0))) {
        ps->p[i] = ps->p[i - 1];
        i--;
    }
    ps->p[i] = p;
    ps->n++;
    ps->dirty = true;
}

bool pipeline_set_add_text(pipeline_set *ps, const char *name, const char *text, size_t len, char *err,
                           size_t errlen)
{
    pipeline *p;
    if (!pl_load_text(ps, name, name, text, len, &p, err, errlen))
        return false;
    add_pipeline(ps, p);
    return true;
}

static char *read_file(const char *path, size_t *len, bool *too_big)
{
    *too_big = false;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    if ((size_t)st.st_size > SIGMA_MAX_FILE_SIZE) {
        close(fd);
        *too_big = true;
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return NULL;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    buf[got] = 0;
    *len = got;
    return buf;
}

static bool add_file(pipeline_set *ps, const char *path, const char *spec, char *err, size_t errlen)
{
    size_t len;
    bool big;
    char *buf = read_file(path, &len, &big);
    if (!buf) {
        if (big)
            snprintf(err, errlen, "%s: pipeline file too large (limit %u bytes)", path, SIGMA_MAX_FILE_SIZE);
        else
            snprintf(err, errlen, "The pipeline '%s' was not found.", spec);
        return false;
    }
    pipeline *p;
    bool ok = pl_load_text(ps, path, path, buf, len, &p, err, errlen);
    free(buf);
    if (ok)
        add_pipeline(ps, p);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every *.yml below dir, sorted by path */
static void walk(const char *dir, char ***out, size_t *n, size_t *cap, int depth)
{
    if (depth > 32)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(l);
        if (!p)
            break;
        snprintf(p, l, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            free(p);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            walk(p, out, n, cap, depth + 1);
            free(p);
            continue;
        }
        size_t nl = strlen(e->d_name);
        if (!S_ISREG(st.st_mode) || nl < 4 || strcmp(e->d_name + nl - 4, ".yml") != 0) {
            free(p);
            continue;
        }
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            char **nv = realloc(*out, *cap * sizeof *nv);
            if (!nv) {
                free(p);
                break;
            }
            *out = nv;
        }
        (*out)[(*n)++] = p;
    }
    closedir(d);
}

bool pipeline_set_add(pipeline_set *ps, const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        snprintf(err, errlen, "The pipeline '' was not found.");
        return false;
    }
    /* a folder: every *.yml below it (pySigma strips a trailing slash or slash-star) */
    size_t sl = strlen(spec);
    char *dir = arena_strdup(ps->a, spec);
    while (sl > 1 && (dir[sl - 1] == '/' || dir[sl - 1] == '*'))
        dir[--sl] = 0;
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        char **files = NULL;
        size_t n = 0, cap = 0;
        walk(dir, &files, &n, &cap, 0);
        if (n)
            qsort(files, n, sizeof *files, cmp_str);
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
            if (ok && !add_file(ps, files[i], files[i], err, errlen))
                ok = false;
            free(files[i]);
        }
        free(files);
        return ok;
    }
    pipeline *b = pl_builtin(ps, spec);
    if (b) {
        b->sortkey = arena_strdup(ps->a, spec);
        add_pipeline(ps, b);
        return true;
    }
    return add_file(ps, spec, spec, err, errlen);
}

void pipeline_set_option(pipeline_set *ps, const char *key, const char *value)
{
    arena *a = ps->a;
    const char *name = arena_printf(a, "backend_%s", key);
    const char *val = arena_strdup(a, value);
    for (size_t i = 0; i < ps->nopts; i++)
        if (strcmp(ps->opts[i].name, name) == 0) {
            ps->opts[i].text = val;
            ps->dirty = true;
            return;
        }
    ps->opts = arena_grow(a, ps->opts, sizeof *ps->opts, ps->nopts, ps->nopts + 1);
    ps->opts[ps->nopts].name = name;
    ps->opts[ps->nopts].text = val;
    ps->nopts++;
    ps->dirty = true;
}

static bool text_uses(const char *s, const char *open, const char *name, const char *close)
{
    size_t ol = strlen(open), nl = strlen(name), cl = strlen(close);
    for (const char *p = s; (p = strstr(p, open)); p += ol)
        if (strncmp(p + ol, name, nl) == 0 && strncmp(p + ol + nl, close, cl) == 0)
            return true;
    return false;
}

static bool items_use(pitem *const *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const pitem *it = items[i];
        if (it->type == T_VALUE_PLACEHOLDERS)
            return true;
        if (it->type == T_SET_STATE && it->val->kind == YN_SCALAR && it->val->u.s.type == YT_STR &&
            text_uses(it->val->u.s.text, "{", name, "}"))
            return true;
        if (it->type == P_SIMPLE_TEMPLATE && text_uses(it->tmpl, "pipeline.vars[", name, "]"))
            return true;
        for (size_t k = 0; k < it->ndefaults; k++)
            if (strcmp(it->defaults[k].name, name) == 0)
                return true;
        if ((it->type == T_NEST || it->type == P_NEST) && items_use(it->items, it->nitems, name))
            return true;
    }
    return false;
}

bool pipeline_set_uses_var(const pipeline_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++) {
        const pipeline *p = ps->p[i];
        if (items_use(p->items, p->nitems, name) || items_use(p->post, p->npost, name))
            return true;
    }
    return false;
}

bool pipeline_set_empty(const pipeline_set *ps)
{
    return ps->n == 0;
}

static void set_var(pipeline_set *ps, size_t *cap, const pvar *v, bool override)
{
    for (size_t i = 0; i < ps->nvars; i++)
        if (strcmp(ps->vars[i].name, v->name) == 0) {
            if (override)
                ps->vars[i] = *v;
            return;
        }
    if (ps->nvars == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ps->vars = arena_grow(ps->a, ps->vars, sizeof *ps->vars, *cap, nc);
        *cap = nc;
    }
    ps->vars[ps->nvars++] = *v;
}

static void concat(arena *a, pitem ***dst, size_t *n, pitem *const *src, size_t k)
{
    if (!k)
        return;
    *dst = arena_grow(a, *dst, sizeof **dst, *n, *n + k);
    memcpy(*dst + *n, src, sizeof **dst * k);
    *n += k;
}

void pl_merge(pipeline_set *ps)
{
    if (!ps->dirty)
        return;
    ps->items = ps->post = ps->fin = NULL;
    ps->nitems = ps->npost = ps->nfin = 0;
    ps->vars = NULL;
    ps->nvars = 0;
    size_t cap = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const pipeline *p = ps->p[i];
        concat(ps->a, &ps->items, &ps->nitems, p->items, p->nitems);
        concat(ps->a, &ps->post, &ps->npost, p->post, p->npost);
        concat(ps->a, &ps->fin, &ps->nfin, p->fin, p->nfin);
        for (size_t k = 0; k < p->nvars; k++)
            set_var(ps, &cap, &p->vars[k], true);
    }
    for (size_t i = 0; i < ps->nopts; i++)
        set_var(ps, &cap, &ps->opts[i], true);
    pvar be = {"backend", NULL, "athena backend"}, of = {"output_format", NULL, "default"};
    set_var(ps, &cap, &be, false);
    set_var(ps, &cap, &of, false);
    ps->dirty = false;
}

bool pl_var_get(pipeline_set *ps, const char *name, pvar *out)
{
    pl_merge(ps);
    for (size_t i = 0; i < ps->nvars; i++)
        if (strcmp(ps->vars[i].name, name) == 0) {
            *out = ps->vars[i];
            return true;
        }
    return false;
}

void pipeline_set_rules(pipeline_set *ps, const rule_list *all)
{
    ps->all = all;
}

bool pipeline_apply(pipeline_set *ps, srule *r, pstate *st)
{
    memset(st, 0, sizeof *st);
    if (r->type == RT_RULE || r->type == RT_CORRELATION)
        rule_list_push(ps->a, &ps->seen, r);
    if (!ps->n)
        return true;
    pl_merge(ps);
    if (!ps->nitems)
        return true;
    return pl_apply_rule(ps, r, st);
}

const char *pstate_get(const pstate *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->keys[i], key) == 0)
            return st->vals[i];
    return NULL;
}

/* ---- sigma list ------------------------------------------------------------------------ */

static const char *const list_pipelines[] = {
    "athena_security_lake_table_name\tpriority 20, athena: table name of AWS Security Lake (-O aws_table_region, "
    "-O aws_table_version)",
    NULL,
};

static const char *const list_transformations[] = {
    "field_name_mapping\trename fields (one or several targets)",
    "field_name_prefix_mapping\treplace a field name prefix",
    "field_name_prefix\tadd a prefix to field names",
    "field_name_suffix\tadd a suffix to field names",
    "drop_detection_item\tdelete detection items",
    "hashes_fields\tsplit Hashes values into one field per algorithm",
    "wildcard_placeholders\tplaceholders become *",
    "value_placeholders\tplaceholders become values of vars",
    "query_expression_placeholders\tplaceholders become an SQL expression",
    "add_condition\tadd a detection ANDed to every condition",
    "change_logsource\treplace the log source",
    "add_field\tadd to the rule's fields",
    "remove_field\tremove from the rule's fields",
    "set_field\tset the rule's fields",
    "replace_string\tregular expression replacement in values",
    "map_string\treplace whole values",
    "set_state\tset a pipeline state key (table_name), with {var} templates",
    "regex\tturn values into regular expressions",
    "set_value\treplace values by a fixed value",
    "convert_type\tconvert values to str or num",
    "rule_failure\tfail the rule with a message",
    "detection_item_failure\tfail the rule at a detection item",
    "strict_field_mapping_failure\tfail rules with unmapped fields",
    "set_custom_attribute\tset a rule attribute (for rule_attribute conditions)",
    "nest\ta list of items under common conditions",
    "case\tlower, upper or snake_case values",
    "embed\tpostprocessing: prefix and suffix around the query",
    "simple_template\tpostprocessing: {query}, {rule.title}, {pipeline.state[key]}",
    "replace\tpostprocessing: regular expression replacement in the query",
    "json\tpostprocessing: embed the query in a JSON template (%QUERY%)",
    "nest\tpostprocessing: a list of postprocessing items",
    "concat\tfinalizer: join all queries (separator, prefix, suffix)",
    "json\tfinalizer: all queries as a JSON list (indent)",
    "nested\tfinalizer: a list of finalizers",
    NULL,
};

static const char *const list_conditions[] = {
    "logsource\trule: category, product, service",
    "contains_detection_item\trule: a detection item with field and value",
    "contains_field\trule: a detection item with field",
    "processing_item_applied\trule, detection item, field name: item with id was applied",
    "processing_state\trule, detection item, field name: state key compared with val (op)",
    "is_sigma_rule\trule: a plain rule",
    "is_sigma_correlation_rule\trule: a correlation rule",
    "rule_attribute\trule: attribute compared with value (op eq, ne, gte, gt, lte, lt, in, not_in)",
    "tag\trule: has the tag",
    "match_string\tdetection item: string values match a regular expression (cond any/all)",
    "match_value\tdetection item: values equal value (cond any/all)",
    "contains_wildcard\tdetection item: string values with wildcards (cond any/all)",
    "is_null\tdetection item: null values (cond any/all)",
    "include_fields\tfield name: in fields (mode plain/re)",
    "exclude_fields\tfield name: not in fields (mode plain/re)",
    NULL,
};

const char *const *pipeline_list_lines(const char *what)
{
    if (!what)
        return NULL;
    if (strcmp(what, "pipelines") == 0)
        return list_pipelines;
    if (strcmp(what, "transformations") == 0)
        return list_transformations;
    if (strcmp(what, "conditions") == 0)
        return list_conditions;
    return NULL;
}

const char *const *sigma_list(const char *what)
{
    return pipeline_list_lines(what);
}
