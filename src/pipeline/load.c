/* load.c - pipeline YAML -> pipeline structures, validated up front.
 *
 * Every problem is reported once, as "path:line:col: message" at the
 * offending node of the pipeline file, so that a bad pipeline stops the run
 * before any rule is converted (pySigma raises SigmaConfigurationError when
 * the pipeline is built). Parameters are checked per transformation type. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sql/quote.h"
#include "../util/sbuf.h"

/* ---- errors ------------------------------------------------------------- */

typedef struct lctx {
    pipeline_set *ps;
    arena *a;
    const char *file;
    char *err;
    size_t errlen;
    bool failed;
} lctx;

static bool lerr(lctx *l, const ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static bool lerr(lctx *l, const ynode *n, const char *fmt, ...)
{
    if (l->failed)
        return false;
    l->failed = true;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(l->err, l->errlen, "%s:%u:%u: %s", l->file, (unsigned)n->line, (unsigned)n->col, msg);
    else
        snprintf(l->err, l->errlen, "%s: %s", l->file, msg);
    return false;
}

/* ---- scalars ------------------------------------------------------------- */

static bool is_null(const ynode *n)
{
    return !n || (n->kind == YN_SCALAR && n->u.s.type == YT_NULL);
}

/* a scalar usable as text: strings, numbers, dates (not null, not bool) */
static bool is_text(const ynode *n)
{
    return n && n->kind == YN_SCALAR && n->u.s.type != YT_NULL && n->u.s.type != YT_BOOL;
}

static const char *kind_name(const ynode *n)
{
    if (!n)
        return "nothing";
    if (n->kind == YN_SEQ)
        return "a list";
    if (n->kind == YN_MAP)
        return "a mapping";
    switch (n->u.s.type) {
    case YT_STR: return "a string";
    case YT_NULL: return "null";
    case YT_BOOL: return "a boolean";
    case YT_INT: return "an integer";
    case YT_FLOAT: return "a number";
    case YT_DATE: return "a date";
    }
    return "a scalar";
}

const char *pl_scalar_str(arena *a, const ynode *n)
{
    if (!n || n->kind != YN_SCALAR)
        return NULL;
    switch (n->u.s.type) {
    case YT_NULL: return "None";
    case YT_BOOL: return n->u.s.bval ? "True" : "False";
    case YT_INT:
        if (!n->u.s.int_big)
            return arena_printf(a, "%lld", (long long)n->u.s.ival);
        return n->u.s.text;
    case YT_FLOAT: return snum_repr(a, n->u.s.fval);
    case YT_STR:
    case YT_DATE: return n->u.s.text;
    }
    return n->u.s.text;
}

/* ---- pcre2 from the arena --------------------------------------------- */

static void *px_malloc(PCRE2_SIZE n, void *data)
{
    return arena_alloc((arena *)data, n ? n : 1);
}

static void px_free(void *p, void *data)
{
    (void)p, (void)data;
}

pcre2_code *pl_compile(pipeline_set *ps, const char *pat, size_t len, char *msg, size_t msglen)
{
    if (!ps->gctx)
        ps->gctx = pcre2_general_context_create(px_malloc, px_free, ps->a);
    pcre2_compile_context *cc = pcre2_compile_context_create(ps->gctx);
    uint32_t opts = PCRE2_UCP | PCRE2_ALT_BSUX;
    if (utf8_valid(pat, len))
        opts |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int e;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(len ? pat : ""), len, opts, &e, &off, cc);
    if (!code && msg) {
        PCRE2_UCHAR m[256];
        if (pcre2_get_error_message(e, m, sizeof m) < 0)
            snprintf((char *)m, sizeof m, "error %d", e);
        snprintf(msg, msglen, "%s at offset %zu", (const char *)m, (size_t)off);
    }
    return code;
}

/* ---- parameter specs ---------------------------------------------------- */

typedef enum {
    K_STR,      /* text */
    K_STR_NULL, /* text or null */
    K_BOOL,
    K_INT_NULL,
    K_LIST,     /* list of text */
    K_STRLIST,  /* text or list of text */
    K_FMAP,     /* field -> field or list; null key allowed */
    K_PMAP,     /* text -> text or list (no null key) */
    K_SMAP,     /* text -> text */
    K_SCALAR,   /* any scalar */
    K_ANY,
    K_DMAP,     /* detection: field|mods -> value(s) */
    K_ITEMS,    /* list of items */
} pkind;

typedef struct pspec {
    const char *name;
    pkind kind;
    bool required;
} pspec;

#define MAXP 6

typedef struct tspec {
    const char *name;
    int type;             /* ptype, or -1 for known but unsupported */
    const char *why;      /* unsupported: reason */
    pspec p[MAXP];
} tspec;

static const tspec trans_specs[] = {
    {"field_name_mapping", T_FIELD_NAME_MAPPING, NULL, {{"mapping", K_FMAP, true}}},
    {"field_name_prefix_mapping", T_FIELD_NAME_PREFIX_MAPPING, NULL, {{"mapping", K_PMAP, true}}},
    {"field_name_prefix", T_FIELD_NAME_PREFIX, NULL, {{"prefix", K_STR, true}}},
    {"field_name_suffix", T_FIELD_NAME_SUFFIX, NULL, {{"suffix", K_STR, true}}},
    {"drop_detection_item", T_DROP_DETECTION_ITEM, NULL, {{NULL, 0, 0}}},
    {"hashes_fields",
     T_HASHES_FIELDS,
     NULL,
     {{"valid_hash_algos", K_LIST, true},
      {"field_prefix", K_STR_NULL, false},
      {"drop_algo_prefix", K_BOOL, false},
      {"field_to_parse", K_STRLIST, false}}},
    {"wildcard_placeholders", T_WILDCARD_PLACEHOLDERS, NULL, {{"include", K_LIST, false}, {"exclude", K_LIST, false}}},
    {"value_placeholders", T_VALUE_PLACEHOLDERS, NULL, {{"include", K_LIST, false}, {"exclude", K_LIST, false}}},
    {"query_expression_placeholders",
     T_QUERY_EXPRESSION_PLACEHOLDERS,
     NULL,
     {{"expression", K_STR, true}, {"mapping", K_SMAP, false}, {"include", K_LIST, false}, {"exclude", K_LIST, false}}},
    {"add_condition",
     T_ADD_CONDITION,
     NULL,
     {{"conditions", K_DMAP, true}, {"name", K_STR, false}, {"template", K_BOOL, false}, {"negated", K_BOOL, false}}},
    {"change_logsource",
     T_CHANGE_LOGSOURCE,
     NULL,
     {{"category", K_STR_NULL, false}, {"product", K_STR_NULL, false}, {"service", K_STR_NULL, false}}},
    {"add_field", T_ADD_FIELD, NULL, {{"field", K_STRLIST, true}}},
    {"remove_field", T_REMOVE_FIELD, NULL, {{"field", K_STRLIST, true}}},
    {"set_field", T_SET_FIELD, NULL, {{"fields", K_LIST, true}}},
    {"replace_string",
     T_REPLACE_STRING,
     NULL,
     {{"regex", K_STR, true},
      {"replacement", K_STR_NULL, true},
      {"skip_special", K_BOOL, false},
      {"interpret_special", K_BOOL, false}}},
    {"map_string", T_MAP_STRING, NULL, {{"mapping", K_PMAP, true}}},
    {"set_state", T_SET_STATE, NULL, {{"key", K_STR, true}, {"val", K_ANY, true}}},
    {"regex", T_REGEX, NULL, {{"method", K_STR, false}}},
    {"set_value", T_SET_VALUE, NULL, {{"value", K_SCALAR, true}, {"force_type", K_STR_NULL, false}}},
    {"convert_type", T_CONVERT_TYPE, NULL, {{"target_type", K_STR, true}}},
    {"rule_failure", T_RULE_FAILURE, NULL, {{"message", K_STR, true}}},
    {"detection_item_failure", T_DETECTION_ITEM_FAILURE, NULL, {{"message", K_STR, true}}},
    {"strict_field_mapping_failure", T_STRICT_FIELD_MAPPING_FAILURE, NULL, {{NULL, 0, 0}}},
    {"set_custom_attribute", T_SET_CUSTOM_ATTRIBUTE, NULL, {{"attribute", K_STR, true}, {"value", K_ANY, true}}},
    {"nest", T_NEST, NULL, {{"items", K_ITEMS, true}}},
    {"case", T_CASE, NULL, {{"method", K_STR, false}}},
    {"field_name_transform", -1, "it needs a Python function (transform_func); use field_name_mapping", {{NULL, 0, 0}}},
    {"extract_fields", -1, "use replace_string or field_name_mapping", {{NULL, 0, 0}}},
    {"file_placeholders", -1, "external sources are disabled (as in pySigma by default); use value_placeholders",
     {{NULL, 0, 0}}},
    {"http_placeholders", -1, "external sources are disabled (as in pySigma by default); use value_placeholders",
     {{NULL, 0, 0}}},
    {"command_placeholders", -1,
     "external sources are disabled (as in pySigma by default); use value_placeholders", {{NULL, 0, 0}}},
};

static const tspec post_specs[] = {
    {"embed", P_EMBED, NULL, {{"prefix", K_STR_NULL, false}, {"suffix", K_STR_NULL, false}}},
    {"simple_template", P_SIMPLE_TEMPLATE, NULL, {{"template", K_STR, true}}},
    {"replace", P_REPLACE, NULL, {{"pattern", K_STR, true}, {"replacement", K_STR_NULL, true}}},
    {"json", P_JSON, NULL, {{"json_template", K_STR, true}}},
    {"nest", P_NEST, NULL, {{"items", K_ITEMS, true}}},
    {"template", -1, "Jinja2 templates are not supported; use simple_template, embed or replace", {{NULL, 0, 0}}},
};

static const tspec fin_specs[] = {
    {"concat",
     F_CONCAT,
     NULL,
     {{"separator", K_STR_NULL, false}, {"prefix", K_STR_NULL, false}, {"suffix", K_STR_NULL, false}}},
    {"json", F_JSON, NULL, {{"indent", K_INT_NULL, false}}},
    {"nested", F_NESTED, NULL, {{"finalizers", K_ITEMS, true}}},
    {"yaml", -1, "use the json or concat finalizer", {{NULL, 0, 0}}},
    {"template", -1, "Jinja2 templates are not supported; use the concat finalizer", {{NULL, 0, 0}}},
};

#define NSPECS(x) (sizeof(x) / sizeof(x)[0])

const char *const pipeline_transformation_names[] = {
    "field_name_mapping", "field_name_prefix_mapping", "field_name_prefix", "field_name_suffix",
    "drop_detection_item", "hashes_fields", "wildcard_placeholders", "value_placeholders",
    "query_expression_placeholders", "add_condition", "change_logsource", "add_field", "remove_field",
    "set_field", "replace_string", "map_string", "set_state", "regex", "set_value", "convert_type",
    "rule_failure", "detection_item_failure", "strict_field_mapping_failure", "set_custom_attribute",
    "nest", "case", NULL,
};
const char *const pipeline_postprocessing_names[] = {"embed", "simple_template", "replace", "json", "nest", NULL};
const char *const pipeline_finalizer_names[] = {"concat", "json", "nested", NULL};

/* ---- condition specs ------------------------------------------------------ */

typedef struct cspec {
    const char *name;
    pcond_type type;
    unsigned kinds; /* bit per pcond_kind */
    pspec p[MAXP];
} cspec;

#define KR (1u << CK_RULE)
#define KD (1u << CK_DET)
#define KF (1u << CK_FIELD)

static const cspec cond_specs[] = {
    {"logsource",
     C_LOGSOURCE,
     KR,
     {{"category", K_STR_NULL, false}, {"product", K_STR_NULL, false}, {"service", K_STR_NULL, false}}},
    {"contains_detection_item",
     C_CONTAINS_DETECTION_ITEM,
     KR,
     {{"field", K_STR_NULL, true}, {"value", K_SCALAR, true}}},
    {"contains_field", C_CONTAINS_FIELD, KR, {{"field", K_STR_NULL, true}}},
    {"processing_item_applied", C_PROCESSING_ITEM_APPLIED, KR | KD | KF, {{"processing_item_id", K_STR, true}}},
    {"processing_state",
     C_PROCESSING_STATE,
     KR | KD | KF,
     {{"key", K_STR, true}, {"val", K_SCALAR, true}, {"op", K_STR, false}}},
    {"is_sigma_rule", C_IS_SIGMA_RULE, KR, {{NULL, 0, 0}}},
    {"is_sigma_correlation_rule", C_IS_SIGMA_CORRELATION_RULE, KR, {{NULL, 0, 0}}},
    {"rule_attribute",
     C_RULE_ATTRIBUTE,
     KR,
     {{"attribute", K_STR, true}, {"value", K_SCALAR, true}, {"op", K_STR, false}}},
    {"tag", C_TAG, KR, {{"tag", K_STR, true}}},
    {"match_string",
     C_MATCH_STRING,
     KD,
     {{"cond", K_STR, true}, {"pattern", K_STR, true}, {"negate", K_BOOL, false}}},
    {"match_value", C_MATCH_VALUE, KD, {{"cond", K_STR, true}, {"value", K_SCALAR, true}}},
    {"contains_wildcard", C_CONTAINS_WILDCARD, KD, {{"cond", K_STR, true}}},
    {"is_null", C_IS_NULL, KD, {{"cond", K_STR, true}}},
    {"include_fields", C_INCLUDE_FIELDS, KF, {{"fields", K_STRLIST, true}, {"mode", K_STR, false}}},
    {"exclude_fields", C_EXCLUDE_FIELDS, KF, {{"fields", K_STRLIST, true}, {"mode", K_STR, false}}},
};

const char *const pipeline_condition_names[] = {
    "logsource", "contains_detection_item", "contains_field", "processing_item_applied",
    "processing_state", "is_sigma_rule", "is_sigma_correlation_rule", "rule_attribute", "tag",
    "match_string", "match_value", "contains_wildcard", "is_null", "include_fields", "exclude_fields", NULL,
};

static const char *const kind_label[] = {"rule", "detection item", "field name"};
static const char *const kind_key[] = {"rule", "detection_item", "field_name"};

/* ---- parameter checking --------------------------------------------------- */

static const char *param_list(arena *a, const pspec *p)
{
    sbuf b = SBUF_INIT;
    for (int i = 0; i < MAXP && p[i].name; i++) {
        if (i)
            sb_puts(&b, ", ");
        sb_puts(&b, p[i].name);
    }
    const char *r = b.len ? arena_strdup(a, b.p) : "none";
    sb_free(&b);
    return r;
}

static bool text_list(lctx *l, const ynode *n, const char *what, bool allow_scalar, const char ***out, size_t *nout)
{
    if (allow_scalar && is_text(n)) {
        const char **v = arena_alloc(l->a, sizeof *v);
        v[0] = n->u.s.text;
        *out = v;
        *nout = 1;
        return true;
    }
    if (!n || n->kind != YN_SEQ)
        return lerr(l, n, "'%s' must be %s, not %s", what,
                    allow_scalar ? "a string or a list of strings" : "a list of strings", kind_name(n));
    const char **v = arena_alloc(l->a, sizeof *v * (n->u.seq.n ? n->u.seq.n : 1));
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *e = n->u.seq.items[i];
        if (!is_text(e))
            return lerr(l, e, "'%s' must be a list of strings; this item is %s", what, kind_name(e));
        v[i] = e->u.s.text;
    }
    *out = v;
    *nout = n->u.seq.n;
    return true;
}

static bool check_kind(lctx *l, const pspec *p, const ynode *v)
{
    switch (p->kind) {
    case K_STR:
        if (!is_text(v))
            return lerr(l, v, "'%s' must be a string, not %s", p->name, kind_name(v));
        return true;
    case K_STR_NULL:
        if (!is_null(v) && !is_text(v))
            return lerr(l, v, "'%s' must be a string or null, not %s", p->name, kind_name(v));
        return true;
    case K_BOOL:
        if (!v || v->kind != YN_SCALAR || v->u.s.type != YT_BOOL)
            return lerr(l, v, "'%s' must be true or false, not %s", p->name, kind_name(v));
        return true;
    case K_INT_NULL:
        if (!is_null(v) && (v->kind != YN_SCALAR || v->u.s.type != YT_INT || v->u.s.int_big))
            return lerr(l, v, "'%s' must be an integer or null, not %s", p->name, kind_name(v));
        return true;
    case K_LIST:
    case K_STRLIST: {
        const char **x;
        size_t n;
        return text_list(l, v, p->name, p->kind == K_STRLIST, &x, &n);
    }
    case K_FMAP:
    case K_PMAP:
    case K_SMAP:
        if (!v || v->kind != YN_MAP)
            return lerr(l, v, "'%s' must be a mapping, not %s", p->name, kind_name(v));
        for (size_t i = 0; i < v->u.map.n; i++) {
            const ynode *k = v->u.map.pairs[i].key, *t = v->u.map.pairs[i].value;
            if (!(is_text(k) || (p->kind == K_FMAP && is_null(k))))
                return lerr(l, k, "'%s' keys must be strings%s, not %s", p->name,
                            p->kind == K_FMAP ? " (or null for keywords)" : "", kind_name(k));
            if (p->kind == K_SMAP) {
                if (!is_text(t))
                    return lerr(l, t, "'%s' values must be strings, not %s", p->name, kind_name(t));
                continue;
            }
            if (is_text(t))
                continue;
            if (!t || t->kind != YN_SEQ)
                return lerr(l, t, "'%s' values must be a string or a list of strings, not %s", p->name,
                            kind_name(t));
            if (t->u.seq.n == 0)
                return lerr(l, t, "'%s' maps '%s' to an empty list", p->name, is_null(k) ? "null" : k->u.s.text);
            for (size_t j = 0; j < t->u.seq.n; j++)
                if (!is_text(t->u.seq.items[j]))
                    return lerr(l, t->u.seq.items[j], "'%s' values must be a string or a list of strings; this item is %s",
                                p->name, kind_name(t->u.seq.items[j]));
        }
        return true;
    case K_SCALAR:
        if (!v || v->kind != YN_SCALAR)
            return lerr(l, v, "'%s' must be a single value, not %s", p->name, kind_name(v));
        return true;
    case K_ANY:
        return true;
    case K_DMAP:
        if (!v || v->kind != YN_MAP || v->u.map.n == 0)
            return lerr(l, v, "'%s' must be a non-empty mapping of fields to values", p->name);
        return true;
    case K_ITEMS:
        if (!v || v->kind != YN_SEQ)
            return lerr(l, v, "'%s' must be a list, not %s", p->name, kind_name(v));
        return true;
    }
    return true;
}

static fmap make_fmap(arena *a, const ynode *v)
{
    fmap m = {0};
    size_t n = v->u.map.n;
    m.keys = arena_alloc(a, sizeof *m.keys * (n ? n : 1));
    m.vals = arena_alloc(a, sizeof *m.vals * (n ? n : 1));
    m.nvals = arena_alloc(a, sizeof *m.nvals * (n ? n : 1));
    m.is_list = arena_alloc(a, sizeof *m.is_list * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        const ynode *k = v->u.map.pairs[i].key, *t = v->u.map.pairs[i].value;
        m.keys[i] = is_null(k) ? NULL : k->u.s.text;
        if (t->kind == YN_SEQ) {
            m.is_list[i] = true;
            m.nvals[i] = t->u.seq.n;
            m.vals[i] = arena_alloc(a, sizeof **m.vals * t->u.seq.n);
            for (size_t j = 0; j < t->u.seq.n; j++)
                m.vals[i][j] = t->u.seq.items[j]->u.s.text;
        } else {
            m.nvals[i] = 1;
            m.vals[i] = arena_alloc(a, sizeof **m.vals);
            m.vals[i][0] = t->u.s.text;
        }
    }
    m.n = n;
    return m;
}

/* Looks up params of a map against a spec. vals[i] = node of spec param i. */
static bool take_params(lctx *l, const ynode *map, const pspec *spec, const char *what, const char *tname,
                        const char *const *skip, const ynode **vals)
{
    for (size_t i = 0; i < map->u.map.n; i++) {
        const ynode *k = map->u.map.pairs[i].key;
        if (!is_text(k))
            return lerr(l, k, "keys of a %s must be strings, not %s", what, kind_name(k));
        const char *ks = k->u.s.text;
        bool skipped = false;
        for (size_t j = 0; skip[j]; j++)
            if (strcmp(skip[j], ks) == 0)
                skipped = true;
        if (skipped)
            continue;
        int found = -1;
        for (int j = 0; j < MAXP && spec[j].name; j++)
            if (strcmp(spec[j].name, ks) == 0)
                found = j;
        if (found < 0)
            return lerr(l, k, "unknown parameter '%s' for %s '%s' (parameters: %s)", ks, what, tname,
                        param_list(l->a, spec));
        if (!check_kind(l, &spec[found], map->u.map.pairs[i].value))
            return false;
        vals[found] = map->u.map.pairs[i].value;
    }
    for (int j = 0; j < MAXP && spec[j].name; j++)
        if (spec[j].required && !vals[j])
            return lerr(l, map, "%s '%s' needs parameter '%s'", what, tname, spec[j].name);
    return true;
}

static const char *opt_text(const ynode *n)
{
    return is_text(n) ? n->u.s.text : NULL;
}

/* ---- conditions ------------------------------------------------------------ */

static bool parse_op(lctx *l, const ynode *n, bool allow_in, pop *out)
{
    static const char *const names[] = {"eq", "ne", "gte", "gt", "lte", "lt", "in", "not_in"};
    *out = OP_EQ;
    if (!n)
        return true;
    for (int i = 0; i < (allow_in ? 8 : 6); i++)
        if (strcmp(n->u.s.text, names[i]) == 0) {
            *out = (pop)i;
            return true;
        }
    return lerr(l, n, "invalid op '%s' (expected %s)", n->u.s.text,
                allow_in ? "eq, ne, gte, gt, lte, lt, in or not_in" : "eq, ne, gte, gt, lte or lt");
}

static bool parse_cond_value_mode(lctx *l, const ynode *n, pcond *c)
{
    if (strcmp(n->u.s.text, "any") == 0)
        c->all = false;
    else if (strcmp(n->u.s.text, "all") == 0)
        c->all = true;
    else
        return lerr(l, n, "'cond' must be 'any' or 'all', not '%s'", n->u.s.text);
    return true;
}

static pcond *parse_cond(lctx *l, const ynode *n, pcond_kind kind)
{
    if (!n || n->kind != YN_MAP) {
        lerr(l, n, "a %s condition must be a mapping with a 'type', not %s", kind_label[kind], kind_name(n));
        return NULL;
    }
    const ynode *t = ymap_get(n, "type");
    if (!t) {
        lerr(l, n, "%s condition has no 'type'", kind_label[kind]);
        return NULL;
    }
    if (!is_text(t)) {
        lerr(l, t, "condition 'type' must be a string, not %s", kind_name(t));
        return NULL;
    }
    const cspec *cs = NULL;
    for (size_t i = 0; i < NSPECS(cond_specs); i++)
        if (strcmp(cond_specs[i].name, t->u.s.text) == 0)
            cs = &cond_specs[i];
    if (!cs) {
        lerr(l, t, "unknown %s condition type '%s'", kind_label[kind], t->u.s.text);
        return NULL;
    }
    if (!(cs->kinds & (1u << kind))) {
        int other = cs->kinds & KR ? CK_RULE : cs->kinds & KD ? CK_DET : CK_FIELD;
        lerr(l, t, "'%s' is a %s condition: put it under %s_conditions, not %s_conditions", cs->name,
             kind_label[other], kind_key[other], kind_key[kind]);
        return NULL;
    }
    static const char *const skip[] = {"type", NULL};
    const ynode *v[MAXP] = {0};
    if (!take_params(l, n, cs->p, "condition", cs->name, skip, v))
        return NULL;
    pcond *c = arena_alloc(l->a, sizeof *c);
    c->type = cs->type;
    c->kind = kind;
    c->pos = node_pos(n);
    switch (cs->type) {
    case C_LOGSOURCE:
        c->ls.category = opt_text(v[0]);
        c->ls.product = opt_text(v[1]);
        c->ls.service = opt_text(v[2]);
        break;
    case C_CONTAINS_DETECTION_ITEM:
        c->field = opt_text(v[0]);
        c->value = v[1];
        break;
    case C_CONTAINS_FIELD:
        c->field = opt_text(v[0]);
        break;
    case C_PROCESSING_ITEM_APPLIED:
        c->name = v[0]->u.s.text;
        break;
    case C_PROCESSING_STATE:
        c->name = v[0]->u.s.text;
        c->value = v[1];
        if (!parse_op(l, v[2], false, &c->op))
            return NULL;
        break;
    case C_IS_SIGMA_RULE:
    case C_IS_SIGMA_CORRELATION_RULE:
        break;
    case C_RULE_ATTRIBUTE:
        c->name = v[0]->u.s.text;
        c->value = v[1];
        if (!parse_op(l, v[2], true, &c->op))
            return NULL;
        break;
    case C_TAG:
        c->name = v[0]->u.s.text;
        if (!strchr(c->name, '.')) {
            lerr(l, v[0], "tag '%s' must be namespace.name", c->name);
            return NULL;
        }
        break;
    case C_MATCH_STRING: {
        if (!parse_cond_value_mode(l, v[0], c))
            return NULL;
        c->negate = v[2] && v[2]->u.s.bval;
        char msg[300];
        c->re = pl_compile(l->ps, v[1]->u.s.text, v[1]->u.s.len, msg, sizeof msg);
        if (!c->re) {
            lerr(l, v[1], "invalid regular expression '%s': %s", v[1]->u.s.text, msg);
            return NULL;
        }
        break;
    }
    case C_MATCH_VALUE:
        if (!parse_cond_value_mode(l, v[0], c))
            return NULL;
        c->value = v[1];
        break;
    case C_CONTAINS_WILDCARD:
    case C_IS_NULL:
        if (!parse_cond_value_mode(l, v[0], c))
            return NULL;
        break;
    case C_INCLUDE_FIELDS:
    case C_EXCLUDE_FIELDS: {
        if (!text_list(l, v[0], "fields", true, &c->fields, &c->nfields))
            return NULL;
        const char *mode = v[1] ? v[1]->u.s.text : "plain";
        if (strcmp(mode, "re") == 0) {
            c->res = arena_alloc(l->a, sizeof *c->res * (c->nfields ? c->nfields : 1));
            for (size_t i = 0; i < c->nfields; i++) {
                char msg[300];
                c->res[i] = pl_compile(l->ps, c->fields[i], strlen(c->fields[i]), msg, sizeof msg);
                if (!c->res[i]) {
                    const ynode *at = v[0]->kind == YN_SEQ ? v[0]->u.seq.items[i] : v[0];
                    lerr(l, at, "invalid regular expression '%s': %s", c->fields[i], msg);
                    return NULL;
                }
            }
        } else if (strcmp(mode, "plain") != 0) {
            lerr(l, v[1], "invalid field name matching mode '%s' (expected 'plain' or 're')", mode);
            return NULL;
        }
        break;
    }
    }
    return c;
}

/* Checks that an expression only uses known ids; marks the ids used. */
static bool expr_check(lctx *l, const ynode *at, const cnode *e, const condset *cs, bool *used, const char *key)
{
    switch (e->kind) {
    case CN_AND:
    case CN_OR:
        return expr_check(l, at, e->l, cs, used, key) && expr_check(l, at, e->r, cs, used, key);
    case CN_NOT:
        return expr_check(l, at, e->l, cs, used, key);
    case CN_ID:
        for (size_t i = 0; i < cs->n; i++)
            if (strcmp(cs->names[i], e->name) == 0) {
                used[i] = true;
                return true;
            }
        return lerr(l, at, "%s_cond_expr refers to '%s', which is not in %s_conditions", key, e->name, key);
    case CN_SEL:
        return lerr(l, at, "%s_cond_expr: 'of' selectors are not allowed; name the conditions", key);
    }
    return true;
}

static bool parse_condset(lctx *l, const ynode *item, pcond_kind kind, condset *cs)
{
    char k1[64], k2[64], k3[64], k4[64];
    snprintf(k1, sizeof k1, "%s_conditions", kind_key[kind]);
    snprintf(k2, sizeof k2, "%s_cond_op", kind_key[kind]);
    snprintf(k3, sizeof k3, "%s_cond_not", kind_key[kind]);
    snprintf(k4, sizeof k4, "%s_cond_expr", kind_key[kind]);
    const ynode *conds = ymap_get(item, k1), *op = ymap_get(item, k2), *neg = ymap_get(item, k3),
                *expr = ymap_get(item, k4);
    memset(cs, 0, sizeof *cs);
    if (op) {
        if (!is_text(op) || (strcmp(op->u.s.text, "and") != 0 && strcmp(op->u.s.text, "or") != 0))
            return lerr(l, op, "'%s' must be 'and' or 'or'", k2);
        cs->or_link = strcmp(op->u.s.text, "or") == 0;
    }
    if (neg) {
        if (neg->kind != YN_SCALAR || neg->u.s.type != YT_BOOL)
            return lerr(l, neg, "'%s' must be true or false, not %s", k3, kind_name(neg));
        cs->neg = neg->u.s.bval;
    }
    if (conds && !is_null(conds)) {
        if (conds->kind == YN_SEQ) {
            cs->c = arena_alloc(l->a, sizeof *cs->c * (conds->u.seq.n ? conds->u.seq.n : 1));
            for (size_t i = 0; i < conds->u.seq.n; i++)
                if (!(cs->c[cs->n++] = parse_cond(l, conds->u.seq.items[i], kind)))
                    return false;
        } else if (conds->kind == YN_MAP) {
            size_t n = conds->u.map.n;
            cs->c = arena_alloc(l->a, sizeof *cs->c * (n ? n : 1));
            cs->names = arena_alloc(l->a, sizeof *cs->names * (n ? n : 1));
            for (size_t i = 0; i < n; i++) {
                const ynode *k = conds->u.map.pairs[i].key;
                if (!is_text(k))
                    return lerr(l, k, "condition ids in '%s' must be strings, not %s", k1, kind_name(k));
                cs->names[i] = k->u.s.text;
                if (!(cs->c[cs->n++] = parse_cond(l, conds->u.map.pairs[i].value, kind)))
                    return false;
            }
        } else {
            return lerr(l, conds, "'%s' must be a list or a mapping of ids to conditions, not %s", k1,
                        kind_name(conds));
        }
    }
    if (expr) {
        if (!is_text(expr))
            return lerr(l, expr, "'%s' must be a string, not %s", k4, kind_name(expr));
        if (op)
            return lerr(l, expr, "'%s' and '%s' cannot be used together", k4, k2);
        if (!cs->names)
            return lerr(l, expr, "'%s' needs '%s' as a mapping of ids to conditions", k4, k1);
        cerror ce;
        cnode *e = cond_parse(l->a, expr->u.s.text, expr->u.s.len, &ce);
        if (!e)
            return lerr(l, expr, "invalid %s: %s (at character %zu)", k4, ce.message, ce.pos + 1);
        bool *used = arena_alloc(l->a, sizeof *used * (cs->n ? cs->n : 1));
        if (!expr_check(l, expr, e, cs, used, kind_key[kind]))
            return false;
        for (size_t i = 0; i < cs->n; i++)
            if (!used[i])
                return lerr(l, expr, "'%s' does not use condition '%s' of '%s'", k4, cs->names[i], k1);
        cs->expr = e;
    }
    return true;
}

/* ---- simple_template ------------------------------------------------------ */

static bool check_simple_template(lctx *l, const ynode *n)
{
    const char *s = n->u.s.text;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '{' && s[i + 1] == '{') {
            i++;
            continue;
        }
        if (s[i] == '}') {
            if (s[i + 1] == '}') {
                i++;
                continue;
            }
            return lerr(l, n, "simple_template: single '}' (write '}}' for a brace)");
        }
        if (s[i] != '{')
            continue;
        const char *e = strchr(s + i, '}');
        if (!e)
            return lerr(l, n, "simple_template: '{' without '}' (write '{{' for a brace)");
        size_t fl = (size_t)(e - (s + i + 1));
        const char *f = s + i + 1;
        bool ok = (fl == 5 && memcmp(f, "query", 5) == 0) ||
                  (fl > 5 && memcmp(f, "rule.", 5) == 0 && !memchr(f, '[', fl) && !memchr(f, ':', fl) &&
                   !memchr(f, '!', fl)) ||
                  (fl > 16 && memcmp(f, "pipeline.state[", 15) == 0 && f[fl - 1] == ']') ||
                  (fl > 15 && memcmp(f, "pipeline.vars[", 14) == 0 && f[fl - 1] == ']');
        if (!ok)
            return lerr(l, n,
                        "simple_template: unsupported field '{%.*s}' (supported: {query}, {rule.<attribute>}, "
                        "{pipeline.state[<key>]}, {pipeline.vars[<name>]})",
                        (int)fl, f);
        i += fl + 1;
    }
    return true;
}

/* ---- items ----------------------------------------------------------------- */

static const char *const common_keys[] = {
    "type", "id", "rule_conditions", "rule_cond_op", "rule_cond_not", "rule_cond_expr",
    "detection_item_conditions", "detection_item_cond_op", "detection_item_cond_not", "detection_item_cond_expr",
    "field_name_conditions", "field_name_cond_op", "field_name_cond_not", "field_name_cond_expr", NULL,
};
static const char *const post_keys[] = {"type", "id", "rule_conditions", "rule_cond_op", "rule_cond_not",
                                        "rule_cond_expr", NULL};
static const char *const fin_keys[] = {"type", NULL};

typedef enum { IK_TRANS, IK_POST, IK_FIN } ikind;

static pitem *parse_item(lctx *l, const ynode *n, ikind ik);

static bool parse_item_list(lctx *l, const ynode *list, ikind ik, pitem ***out, size_t *nout)
{
    size_t n = list->u.seq.n;
    pitem **v = arena_alloc(l->a, sizeof *v * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = parse_item(l, list->u.seq.items[i], ik)))
            return false;
    *out = v;
    *nout = n;
    return true;
}

static pitem *parse_item(lctx *l, const ynode *n, ikind ik)
{
    static const char *const what[] = {"transformation", "postprocessing item", "finalizer"};
    const tspec *specs = ik == IK_TRANS ? trans_specs : ik == IK_POST ? post_specs : fin_specs;
    size_t nspecs = ik == IK_TRANS ? NSPECS(trans_specs) : ik == IK_POST ? NSPECS(post_specs) : NSPECS(fin_specs);
    if (!n || n->kind != YN_MAP) {
        lerr(l, n, "a %s must be a mapping with a 'type', not %s", what[ik], kind_name(n));
        return NULL;
    }
    const ynode *t = ymap_get(n, "type");
    if (!t) {
        lerr(l, n, "%s has no 'type'", what[ik]);
        return NULL;
    }
    if (!is_text(t)) {
        lerr(l, t, "'type' must be a string, not %s", kind_name(t));
        return NULL;
    }
    const tspec *ts = NULL;
    for (size_t i = 0; i < nspecs; i++)
        if (strcmp(specs[i].name, t->u.s.text) == 0)
            ts = &specs[i];
    if (!ts) {
        lerr(l, t, "unknown %s type '%s'", what[ik], t->u.s.text);
        return NULL;
    }
    if (ts->type < 0) {
        lerr(l, t, "%s type '%s' is not supported: %s", what[ik], ts->name, ts->why);
        return NULL;
    }
    if (ik == IK_POST) {
        for (size_t i = 0; i < n->u.map.n; i++) {
            const ynode *k = n->u.map.pairs[i].key;
            if (is_text(k) && (strncmp(k->u.s.text, "detection_item_", 15) == 0 ||
                               strncmp(k->u.s.text, "field_name_", 11) == 0)) {
                lerr(l, k, "postprocessing items take only rule conditions, not '%s'", k->u.s.text);
                return NULL;
            }
        }
    }
    const ynode *v[MAXP] = {0};
    if (!take_params(l, n, ts->p, what[ik], ts->name, ik == IK_TRANS ? common_keys : ik == IK_POST ? post_keys : fin_keys,
                     v))
        return NULL;
    pitem *it = arena_alloc(l->a, sizeof *it);
    it->type = (ptype)ts->type;
    it->file = l->file;
    it->pos = node_pos(n);
    it->indent = -1;
    if (ik != IK_FIN) {
        const ynode *id = ymap_get(n, "id");
        if (id && !is_null(id)) {
            if (!is_text(id)) {
                lerr(l, id, "'id' must be a string, not %s", kind_name(id));
                return NULL;
            }
            if (id->u.s.len)
                it->id = id->u.s.text;
        }
        if (!parse_condset(l, n, CK_RULE, &it->rc))
            return NULL;
        if (ik == IK_TRANS && (!parse_condset(l, n, CK_DET, &it->dc) || !parse_condset(l, n, CK_FIELD, &it->fc)))
            return NULL;
    }
    switch (it->type) {
    case T_FIELD_NAME_MAPPING:
    case T_FIELD_NAME_PREFIX_MAPPING:
    case T_MAP_STRING:
        it->map = make_fmap(l->a, v[0]);
        break;
    case T_FIELD_NAME_PREFIX:
        it->prefix = v[0]->u.s.text;
        break;
    case T_FIELD_NAME_SUFFIX:
        it->suffix = v[0]->u.s.text;
        break;
    case T_DROP_DETECTION_ITEM:
    case T_STRICT_FIELD_MAPPING_FAILURE:
        break;
    case T_HASHES_FIELDS:
        text_list(l, v[0], "valid_hash_algos", false, &it->list, &it->nlist);
        it->prefix = opt_text(v[1]) ? opt_text(v[1]) : "";
        it->drop_algo_prefix = v[2] && v[2]->u.s.bval;
        if (v[3]) {
            text_list(l, v[3], "field_to_parse", true, &it->parse_fields, &it->nparse_fields);
        } else {
            static const char *const def[] = {"Hashes", "Hash"};
            it->parse_fields = (const char **)def;
            it->nparse_fields = 2;
        }
        break;
    case T_QUERY_EXPRESSION_PLACEHOLDERS:
        it->expression = v[0]->u.s.text;
        if (v[1])
            it->map = make_fmap(l->a, v[1]);
        for (const char *p = it->expression; *p; p++) {
            if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
                p++;
                continue;
            }
            if (*p == '}') {
                lerr(l, v[0], "expression: single '}' (write '}}' for a brace)");
                return NULL;
            }
            if (*p != '{')
                continue;
            if (strncmp(p, "{field}", 7) == 0 || strncmp(p, "{id}", 4) == 0) {
                p += p[1] == 'f' ? 6 : 3;
                continue;
            }
            lerr(l, v[0], "expression: only {field} and {id} can be used (write '{{' for a brace)");
            return NULL;
        }
        /* fall through: include / exclude */
        v[0] = v[2];
        v[1] = v[3];
        /* FALLTHROUGH */
    case T_WILDCARD_PLACEHOLDERS:
    case T_VALUE_PLACEHOLDERS:
        if (v[0] && v[1]) {
            lerr(l, v[1], "placeholder transformations take 'include' or 'exclude', not both");
            return NULL;
        }
        if (v[0]) {
            it->has_incl = true;
            text_list(l, v[0], "include", false, &it->incl, &it->nincl);
        }
        if (v[1]) {
            it->has_excl = true;
            text_list(l, v[1], "exclude", false, &it->excl, &it->nexcl);
        }
        break;
    case T_ADD_CONDITION: {
        it->conditions = v[0];
        it->name = opt_text(v[1]);
        it->template_ = v[2] && v[2]->u.s.bval;
        it->negated = v[3] && v[3]->u.s.bval;
        if (it->name) {
            cerror ce;
            cnode *cn = cond_parse(l->a, it->name, strlen(it->name), &ce);
            if (!cn || cn->kind != CN_ID || strcmp(cn->name, it->name) != 0) {
                lerr(l, v[1], "add_condition name '%s' is not a valid detection name ([A-Za-z0-9_-]+)", it->name);
                return NULL;
            }
        } else {
            /* pySigma picks 10 random letters; ours are derived from the position */
            char nm[32];
            unsigned h = 2166136261u;
            for (const char *p = l->file; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
            h = (h ^ n->line) * 16777619u;
            h = (h ^ n->col) * 16777619u;
            memcpy(nm, "_cond_", 6);
            for (int i = 0; i < 10; i++) {
                nm[6 + i] = (char)('a' + h % 26);
                h = h / 26 + (h % 7) * 2654435761u;
            }
            nm[16] = 0;
            it->name = arena_strdup(l->a, nm);
        }
        /* build once to report modifier / value errors now */
        for (size_t i = 0; i < it->conditions->u.map.n; i++) {
            const ynode *k = it->conditions->u.map.pairs[i].key, *val = it->conditions->u.map.pairs[i].value;
            if (!is_text(k) && !is_null(k)) {
                lerr(l, k, "add_condition field names must be strings, not %s", kind_name(k));
                return NULL;
            }
            if (val->kind == YN_MAP) {
                lerr(l, val, "add_condition values must be a value or a list of values, not a mapping");
                return NULL;
            }
            if (val->kind == YN_SEQ)
                for (size_t j = 0; j < val->u.seq.n; j++)
                    if (val->u.seq.items[j]->kind != YN_SCALAR) {
                        lerr(l, val->u.seq.items[j], "add_condition values must be scalars, not %s",
                             kind_name(val->u.seq.items[j]));
                        return NULL;
                    }
        }
        sdiag derr;
        if (!detection_from_map(l->a, it->conditions, node_pos(it->conditions), NULL, NULL, &derr)) {
            ynode at = {0};
            at.line = derr.pos.line;
            at.col = derr.pos.col;
            lerr(l, &at, "add_condition: %s", derr.message);
            return NULL;
        }
        break;
    }
    case T_CHANGE_LOGSOURCE:
        it->category = opt_text(v[0]);
        it->product = opt_text(v[1]);
        it->service = opt_text(v[2]);
        if (!it->category && !it->product && !it->service) {
            lerr(l, n, "change_logsource needs at least one of category, product, service");
            return NULL;
        }
        break;
    case T_ADD_FIELD:
    case T_REMOVE_FIELD:
        text_list(l, v[0], "field", true, &it->list, &it->nlist);
        break;
    case T_SET_FIELD:
        text_list(l, v[0], "fields", false, &it->list, &it->nlist);
        break;
    case T_REPLACE_STRING:
    case P_REPLACE: {
        char msg[300];
        it->re = pl_compile(l->ps, v[0]->u.s.text, v[0]->u.s.len, msg, sizeof msg);
        if (!it->re) {
            lerr(l, v[0], "invalid regular expression '%s': %s", v[0]->u.s.text, msg);
            return NULL;
        }
        it->replacement = opt_text(v[1]) ? opt_text(v[1]) : "";
        if (it->type == T_REPLACE_STRING) {
            it->skip_special = v[2] && v[2]->u.s.bval;
            it->interpret_special = v[3] && v[3]->u.s.bval;
        }
        /* check the replacement once */
        const char *m = NULL;
        size_t ol;
        bool ch;
        if (!pl_resub(l->a, it->re, "", 0, it->replacement, &ol, &ch, &m) && m) {
            lerr(l, v[1], "invalid replacement '%s': %s", it->replacement, m);
            return NULL;
        }
        break;
    }
    case T_SET_STATE:
        it->key = v[0]->u.s.text;
        it->val = v[1];
        if (v[1]->kind == YN_SCALAR && v[1]->u.s.type == YT_STR) {
            /* check the {var} syntax now; the values come per rule */
            const char *s = v[1]->u.s.text;
            for (size_t i = 0; s[i]; i++) {
                if ((s[i] == '{' && s[i + 1] == '{') || (s[i] == '}' && s[i + 1] == '}')) {
                    i++;
                    continue;
                }
                if (s[i] == '}') {
                    lerr(l, v[1], "set_state val: single '}' (write '}}' for a brace)");
                    return NULL;
                }
                if (s[i] == '{') {
                    const char *e = strchr(s + i, '}');
                    if (!e || e == s + i + 1) {
                        lerr(l, v[1], "set_state val: '{' must start a {variable} (write '{{' for a brace)");
                        return NULL;
                    }
                    i = (size_t)(e - s);
                }
            }
        } else if (v[1]->kind != YN_SCALAR) {
            lerr(l, v[1], "set_state val must be a single value, not %s", kind_name(v[1]));
            return NULL;
        }
        break;
    case T_REGEX:
    case T_CASE: {
        const char *m = v[0] ? v[0]->u.s.text : (it->type == T_REGEX ? "ignore_case_brackets" : "lower");
        static const char *const rm[] = {"plain", "ignore_case_flag", "ignore_case_brackets"};
        static const char *const cm[] = {"lower", "upper", "snake_case"};
        const char *const *ms = it->type == T_REGEX ? rm : cm;
        it->method = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(ms[i], m) == 0)
                it->method = i;
        if (it->method < 0) {
            lerr(l, v[0], "invalid method '%s' (expected %s, %s or %s)", m, ms[0], ms[1], ms[2]);
            return NULL;
        }
        break;
    }
    case T_SET_VALUE: {
        it->val = v[0];
        const char *ft = opt_text(v[1]);
        if (ft) {
            if (strcmp(ft, "str") == 0)
                it->target_type = 1;
            else if (strcmp(ft, "num") == 0)
                it->target_type = 2;
            else {
                lerr(l, v[1], "invalid force_type '%s' (expected 'str' or 'num')", ft);
                return NULL;
            }
            if (!is_text(v[0])) {
                lerr(l, v[0], "force_type '%s' needs a string or number value", ft);
                return NULL;
            }
            if (it->target_type == 2 && v[0]->u.s.type != YT_INT && v[0]->u.s.type != YT_FLOAT) {
                char *end;
                strtod(v[0]->u.s.text, &end);
                if (!v[0]->u.s.len || *end) {
                    lerr(l, v[0], "value '%s' can't be converted to a number", v[0]->u.s.text);
                    return NULL;
                }
            }
        }
        break;
    }
    case T_CONVERT_TYPE:
        if (strcmp(v[0]->u.s.text, "str") == 0)
            it->target_type = 1;
        else if (strcmp(v[0]->u.s.text, "num") == 0)
            it->target_type = 2;
        else {
            lerr(l, v[0], "invalid target_type '%s' (expected 'str' or 'num')", v[0]->u.s.text);
            return NULL;
        }
        break;
    case T_RULE_FAILURE:
    case T_DETECTION_ITEM_FAILURE:
        it->message = v[0]->u.s.text;
        break;
    case T_SET_CUSTOM_ATTRIBUTE:
        it->key = v[0]->u.s.text;
        it->val = v[1];
        break;
    case T_NEST:
    case P_NEST:
    case F_NESTED:
        if (!parse_item_list(l, v[0], ik, &it->items, &it->nitems))
            return NULL;
        break;
    case P_EMBED:
        it->prefix = opt_text(v[0]) ? opt_text(v[0]) : "";
        it->suffix = opt_text(v[1]) ? opt_text(v[1]) : "";
        break;
    case P_SIMPLE_TEMPLATE:
        if (!check_simple_template(l, v[0]))
            return NULL;
        it->tmpl = v[0]->u.s.text;
        break;
    case P_JSON: {
        ydoc *docs;
        size_t nd;
        yerror ye;
        if (!yaml_load(l->a, v[0]->u.s.text, v[0]->u.s.len, &docs, &nd, &ye) || nd != 1 || !docs[0].root) {
            lerr(l, v[0], "json_template is not valid JSON");
            return NULL;
        }
        it->json = docs[0].root;
        break;
    }
    case F_CONCAT:
        it->separator = v[0] ? (opt_text(v[0]) ? opt_text(v[0]) : "") : "\n";
        it->prefix = opt_text(v[1]) ? opt_text(v[1]) : "";
        it->suffix = opt_text(v[2]) ? opt_text(v[2]) : "";
        break;
    case F_JSON:
        it->indent = is_null(v[0]) ? -1 : (int)(v[0]->u.s.ival < 0 ? 0 : v[0]->u.s.ival > 64 ? 64 : v[0]->u.s.ival);
        break;
    }
    if (l->failed)
        return NULL;
    return it;
}

/* ---- pipelines ---------------------------------------------------------- */

static const char *const top_keys[] = {"name", "priority", "allowed_backends", "vars", "transformations",
                                       "postprocessing", "finalizers", NULL};

bool pl_load_text(pipeline_set *ps, const char *file, const char *sortkey, const char *text, size_t len,
                  pipeline **out, char *err, size_t errlen)
{
    lctx l = {ps, ps->a, arena_strdup(ps->a, file), err, errlen, false};
    ydoc *docs;
    size_t nd;
    yerror ye;
    if (!yaml_load(ps->a, text, len, &docs, &nd, &ye)) {
        ynode at = {0};
        at.line = ye.line;
        at.col = ye.col;
        return lerr(&l, &at, "%s", ye.message);
    }
    if (nd == 0 || !docs[0].root) {
        ynode at = {0};
        at.line = nd ? docs[0].line : 1;
        at.col = nd ? docs[0].col : 1;
        return lerr(&l, &at, "empty pipeline file");
    }
    if (nd > 1) {
        for (size_t i = 1; i < nd; i++)
            if (docs[i].root) {
                ynode at = {0};
                at.line = docs[i].line;
                at.col = docs[i].col;
                return lerr(&l, &at, "a pipeline file holds one YAML document");
            }
    }
    const ynode *root = docs[0].root;
    if (root->kind != YN_MAP)
        return lerr(&l, root, "a pipeline must be a mapping, not %s", kind_name(root));
    for (size_t i = 0; i < root->u.map.n; i++) {
        const ynode *k = root->u.map.pairs[i].key;
        bool known = false;
        for (size_t j = 0; top_keys[j]; j++)
            if (is_text(k) && strcmp(k->u.s.text, top_keys[j]) == 0)
                known = true;
        if (!known)
            return lerr(&l, k,
                        "unknown key '%s' in pipeline (known keys: name, priority, allowed_backends, vars, "
                        "transformations, postprocessing, finalizers)",
                        is_text(k) ? k->u.s.text : kind_name(k));
    }
    pipeline *p = arena_alloc(ps->a, sizeof *p);
    p->sortkey = arena_strdup(ps->a, sortkey);
    const ynode *n;
    if ((n = ymap_get(root, "name")) && !is_null(n)) {
        if (!is_text(n))
            return lerr(&l, n, "'name' must be a string, not %s", kind_name(n));
        p->name = n->u.s.text;
    }
    if ((n = ymap_get(root, "priority")) && !is_null(n)) {
        if (n->kind != YN_SCALAR || n->u.s.type != YT_INT || n->u.s.int_big)
            return lerr(&l, n, "'priority' must be an integer, not %s", kind_name(n));
        p->priority = n->u.s.ival;
    }
    if ((n = ymap_get(root, "allowed_backends")) && !is_null(n)) {
        const char **x;
        size_t nx;
        if (!text_list(&l, n, "allowed_backends", false, &x, &nx))
            return false;
    }
    if ((n = ymap_get(root, "vars")) && !is_null(n)) {
        if (n->kind != YN_MAP)
            return lerr(&l, n, "'vars' must be a mapping, not %s", kind_name(n));
        p->vars = arena_alloc(ps->a, sizeof *p->vars * (n->u.map.n ? n->u.map.n : 1));
        for (size_t i = 0; i < n->u.map.n; i++) {
            const ynode *k = n->u.map.pairs[i].key;
            if (!is_text(k))
                return lerr(&l, k, "variable names must be strings, not %s", kind_name(k));
            p->vars[p->nvars].name = k->u.s.text;
            p->vars[p->nvars].node = n->u.map.pairs[i].value;
            p->nvars++;
        }
    }
    static const char *const lists[] = {"transformations", "postprocessing", "finalizers"};
    for (int li = 0; li < 3; li++) {
        if (!(n = ymap_get(root, lists[li])) || is_null(n))
            continue;
        if (n->kind != YN_SEQ)
            return lerr(&l, n, "'%s' must be a list, not %s", lists[li], kind_name(n));
        pitem ***dst = li == 0 ? &p->items : li == 1 ? &p->post : &p->fin;
        size_t *nd2 = li == 0 ? &p->nitems : li == 1 ? &p->npost : &p->nfin;
        if (!parse_item_list(&l, n, (ikind)li, dst, nd2))
            return false;
    }
    *out = p;
    return true;
}

/* ---- built-in pipelines ----------------------------------------------------- */

static const struct {
    const char *service, *suffix;
} sl_tables[] = {
    {"cloudtrail", "cloud_trail_mgmt"},
    {"cloudtrail_s3", "s3_data"},
    {"cloudtrail_lambda", "lambda_execution"},
    {"route53", "route53"},
    {"security_hub", "sh_findings"},
    {"vpc_flow_logs", "vpc_flow"},
    {"waf", "waf"},
    {"eks_audit", "eks_audit"},
};

const char *const pipeline_builtin_names[] = {"athena_security_lake_table_name", NULL};

pipeline *pl_builtin(pipeline_set *ps, const char *name)
{
    if (strcmp(name, "athena_security_lake_table_name") != 0)
        return NULL;
    arena *a = ps->a;
    pipeline *p = arena_alloc(a, sizeof *p);
    p->name = "athena map source to table name pipeline";
    p->sortkey = "athena_security_lake_table_name";
    p->priority = 20;
    p->builtin = true;
    size_t n = sizeof sl_tables / sizeof sl_tables[0];
    p->items = arena_alloc(a, sizeof *p->items * n);
    pvar *defs = arena_alloc(a, sizeof *defs);
    defs[0].name = "backend_aws_table_version";
    defs[0].text = "2_0";
    for (size_t i = 0; i < n; i++) {
        pitem *it = arena_alloc(a, sizeof *it);
        it->type = T_SET_STATE;
        it->file = "athena_security_lake_table_name";
        it->id = arena_printf(a, "athena_security_lake_table_name_%s", sl_tables[i].service);
        pcond *c = arena_alloc(a, sizeof *c);
        c->type = C_LOGSOURCE;
        c->kind = CK_RULE;
        c->ls.product = "aws";
        c->ls.service = sl_tables[i].service;
        it->rc.c = arena_alloc(a, sizeof *it->rc.c);
        it->rc.c[0] = c;
        it->rc.n = 1;
        it->key = "table_name";
        ynode *v = arena_alloc(a, sizeof *v);
        v->kind = YN_SCALAR;
        v->u.s.type = YT_STR;
        v->u.s.text = arena_printf(a, "amazon_security_lake_table_{backend_aws_table_region}_%s_{backend_aws_table_version}",
                                   sl_tables[i].suffix);
        v->u.s.len = strlen(v->u.s.text);
        it->val = v;
        it->defaults = defs;
        it->ndefaults = 1;
        it->dash_to_underscore = true;
        it->hint = "athena_security_lake_table_name needs the AWS region of the Security Lake tables";
        p->items[p->nitems++] = it;
    }
    return p;
}
