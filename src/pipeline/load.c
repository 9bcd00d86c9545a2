/* load.c - pipeline YAML -> pipeline structures, validated up front.
 *
 * Every problem is reported once, as "path:line:col: message" at the
 * offending node of the pipeline file, so that a bad pipeline stops the run
 * before any rule is converted (pySigma raises SigmaConfigurationError when
 * the pipeline is built). Item and condition types and their parameters
 * come from the registries (items.def, conditions.def): a generic step
 * checks each parameter's kind, then the type's parse callback reads the
 * values into the pitem / pcond. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/hash.h"
#include "../util/limits.h"

/* ---- errors ------------------------------------------------------------- */

typedef struct lctx {
    pipeline_set *ps;
    arena *a;
    const char *file;
    char *err;
    size_t errlen;
    bool failed;
} lctx;

/* The first error of the file: "path:line:col: message" (or "path:
 * message" without a position). Returns false. */
static bool vlerr(lctx *l, const spos *at, const char *fmt, va_list ap) SIGMA_PRINTF(3, 0);
static bool vlerr(lctx *l, const spos *at, const char *fmt, va_list ap)
{
    if (l->failed)
        return false;
    l->failed = true;
    const char *msg = arena_vprintf(l->a, fmt, ap);
    if (at)
        snprintf(l->err, l->errlen, "%s:%u:%u: %s", l->file, at->line, at->col, msg);
    else
        snprintf(l->err, l->errlen, "%s: %s", l->file, msg);
    return false;
}

static bool lerr(lctx *l, const ynode *n, const char *fmt, ...) SIGMA_PRINTF(3, 4);
static bool lerr(lctx *l, const ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spos at = node_pos(n);
    vlerr(l, n ? &at : NULL, fmt, ap);
    va_end(ap);
    return false;
}

static bool lerr_at(lctx *l, spos at, const char *fmt, ...) SIGMA_PRINTF(3, 4);
static bool lerr_at(lctx *l, spos at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlerr(l, &at, fmt, ap);
    va_end(ap);
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

/* Parameters of one type, in registry order; v[i] is the node of spec
 * param i (NULL when absent). */
#define MAXP 6

/* P(...) of the registries */
#define P(name, kind, required) {#name, kind, required}
#define NOPARAMS {NULL, 0, false}

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

typedef bool (*cond_reader)(lctx *l, pcond *c, const ynode *const *v);

typedef struct cspec {
    const char *name;
    pcond_type type;
    unsigned kinds; /* bit per pcond_kind */
    cond_reader parse;
    pspec p[MAXP];
} cspec;

#define KINDS_RULE (1u << CK_RULE)
#define KINDS_DET (1u << CK_DET)
#define KINDS_FIELD (1u << CK_FIELD)
#define KINDS_ANY (KINDS_RULE | KINDS_DET | KINDS_FIELD)

static const char *const kind_label[] = {"rule", "detection item", "field name"};
static const char *const kind_key[] = {"rule", "detection_item", "field_name"};

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

static bool parse_logsource_cond(lctx *l, pcond *c, const ynode *const *v)
{
    (void)l;
    c->ls.category = opt_text(v[0]);
    c->ls.product = opt_text(v[1]);
    c->ls.service = opt_text(v[2]);
    return true;
}

/* contains_detection_item, contains_field */
static bool parse_field_value_cond(lctx *l, pcond *c, const ynode *const *v)
{
    (void)l;
    c->field = opt_text(v[0]);
    c->value = v[1];
    return true;
}

static bool parse_applied_cond(lctx *l, pcond *c, const ynode *const *v)
{
    (void)l;
    c->name = v[0]->u.s.text;
    return true;
}

static bool parse_state_cond(lctx *l, pcond *c, const ynode *const *v)
{
    c->name = v[0]->u.s.text;
    c->value = v[1];
    return parse_op(l, v[2], false, &c->op);
}

static bool parse_attribute_cond(lctx *l, pcond *c, const ynode *const *v)
{
    c->name = v[0]->u.s.text;
    c->value = v[1];
    return parse_op(l, v[2], true, &c->op);
}

static bool parse_tag_cond(lctx *l, pcond *c, const ynode *const *v)
{
    c->name = v[0]->u.s.text;
    if (!strchr(c->name, '.'))
        return lerr(l, v[0], "tag '%s' must be namespace.name", c->name);
    return true;
}

/* A regular expression parameter, compiled now. */
static pcre2_code *regex_param(lctx *l, const ynode *at, const char *pat, size_t len)
{
    char msg[300]; /* a PCRE2 message (at most 255 bytes) and its offset */
    pcre2_code *re = pl_compile(l->ps, pat, len, msg, sizeof msg);
    if (!re)
        lerr(l, at, "invalid regular expression '%s': %s", pat, msg);
    return re;
}

static bool parse_match_string_cond(lctx *l, pcond *c, const ynode *const *v)
{
    if (!parse_cond_value_mode(l, v[0], c))
        return false;
    c->negate = v[2] && v[2]->u.s.bval;
    c->re = regex_param(l, v[1], v[1]->u.s.text, v[1]->u.s.len);
    return c->re != NULL;
}

/* match_value, contains_wildcard, is_null */
static bool parse_value_mode_cond(lctx *l, pcond *c, const ynode *const *v)
{
    c->value = v[1];
    return parse_cond_value_mode(l, v[0], c);
}

/* include_fields, exclude_fields */
static bool parse_fields_cond(lctx *l, pcond *c, const ynode *const *v)
{
    if (!text_list(l, v[0], "fields", true, &c->fields, &c->nfields))
        return false;
    const char *mode = v[1] ? v[1]->u.s.text : "plain";
    if (strcmp(mode, "plain") == 0)
        return true;
    if (strcmp(mode, "re") != 0)
        return lerr(l, v[1], "invalid field name matching mode '%s' (expected 'plain' or 're')", mode);
    c->res = arena_alloc(l->a, sizeof *c->res * (c->nfields ? c->nfields : 1));
    for (size_t i = 0; i < c->nfields; i++) {
        const ynode *at = v[0]->kind == YN_SEQ ? v[0]->u.seq.items[i] : v[0];
        if (!(c->res[i] = regex_param(l, at, c->fields[i], strlen(c->fields[i]))))
            return false;
    }
    return true;
}

static const cspec cond_specs[] = {
#define CONDITION(name, type, kinds, parse, desc, ...) {#name, type, KINDS_##kinds, parse, {__VA_ARGS__}},
#include "conditions.def"
};

#define NSPECS(x) (sizeof(x) / sizeof(x)[0])

/* The `type` node of an item or condition mapping, else NULL (error set).
 * what: "transformation", "rule condition", ...; tname: how a bad type
 * value is called ("'type'", "condition 'type'"). */
static const ynode *type_of(lctx *l, const ynode *n, const char *what, const char *tname)
{
    if (!n || n->kind != YN_MAP) {
        lerr(l, n, "a %s must be a mapping with a 'type', not %s", what, kind_name(n));
        return NULL;
    }
    const ynode *t = ymap_get(n, "type");
    if (!t) {
        lerr(l, n, "%s has no 'type'", what);
        return NULL;
    }
    if (!is_text(t)) {
        lerr(l, t, "%s must be a string, not %s", tname, kind_name(t));
        return NULL;
    }
    return t;
}

static pcond *parse_cond(lctx *l, const ynode *n, pcond_kind kind)
{
    static const char *const what[] = {"rule condition", "detection item condition", "field name condition"};
    const ynode *t = type_of(l, n, what[kind], "condition 'type'");
    if (!t)
        return NULL;
    const cspec *cs = NULL;
    for (size_t i = 0; i < NSPECS(cond_specs); i++)
        if (strcmp(cond_specs[i].name, t->u.s.text) == 0)
            cs = &cond_specs[i];
    if (!cs) {
        lerr(l, t, "unknown %s condition type '%s'", kind_label[kind], t->u.s.text);
        return NULL;
    }
    if (!(cs->kinds & (1u << kind))) {
        int other = cs->kinds & KINDS_RULE ? CK_RULE : cs->kinds & KINDS_DET ? CK_DET : CK_FIELD;
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
    if (cs->parse && !cs->parse(l, c, v))
        return NULL;
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

/* Reads the checked parameters v (registry order) into it. */
typedef bool (*item_parse_fn)(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik);

typedef struct tspec {
    const char *name;
    int type;        /* ptype, or -1 for known but unsupported */
    const char *why; /* unsupported: reason */
    item_parse_fn parse;
    pspec p[MAXP];
} tspec;

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

/* field_name_mapping, field_name_prefix_mapping, map_string */
static bool parse_map(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    it->map = make_fmap(l->a, v[0]);
    return true;
}

static bool parse_prefix(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->prefix = v[0]->u.s.text;
    return true;
}

static bool parse_suffix(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->suffix = v[0]->u.s.text;
    return true;
}

static bool parse_hashes(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    if (!text_list(l, v[0], "valid_hash_algos", false, &it->list, &it->nlist))
        return false;
    it->prefix = opt_text(v[1]) ? opt_text(v[1]) : "";
    it->drop_algo_prefix = v[2] && v[2]->u.s.bval;
    if (v[3])
        return text_list(l, v[3], "field_to_parse", true, &it->parse_fields, &it->nparse_fields);
    static const char *const def[] = {"Hashes", "Hash"};
    it->parse_fields = (const char **)def;
    it->nparse_fields = 2;
    return true;
}

/* wildcard_placeholders, value_placeholders: include (v[0]) or exclude (v[1]) */
static bool parse_placeholders(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    if (v[0] && v[1])
        return lerr(l, v[1], "placeholder transformations take 'include' or 'exclude', not both");
    if (v[0]) {
        it->has_incl = true;
        if (!text_list(l, v[0], "include", false, &it->incl, &it->nincl))
            return false;
    }
    if (v[1]) {
        it->has_excl = true;
        if (!text_list(l, v[1], "exclude", false, &it->excl, &it->nexcl))
            return false;
    }
    return true;
}

/* A query expression's pieces: text, and {field} / {id} as placeholders. */
typedef struct qpieces {
    arena *a;
    sstr s;
} qpieces;

static int query_piece(void *ctx, bool field, const char *s, size_t n)
{
    qpieces *q = ctx;
    if (field && !((n == 5 && memcmp(s, "field", 5) == 0) || (n == 2 && memcmp(s, "id", 2) == 0)))
        return -1;
    spart p = {field ? SP_PH : SP_TEXT, arena_strndup(q->a, s, n), n};
    sstr one = {&p, 1};
    q->s = sstr_concat(q->a, &q->s, &one);
    return 0;
}

static bool parse_query_expression(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    it->expression = v[0]->u.s.text;
    if (v[1])
        it->map = make_fmap(l->a, v[1]);
    qpieces q = {l->a, {NULL, 0}};
    int rc = pl_braces(it->expression, true, query_piece, &q);
    if (rc == BRACES_LONE_CLOSE)
        return lerr(l, v[0], "expression: single '}' (write '}}' for a brace)");
    if (rc)
        return lerr(l, v[0], "expression: only {field} and {id} can be used (write '{{' for a brace)");
    it->qexpr = q.s;
    const ynode *iv[2] = {v[2], v[3]};
    return parse_placeholders(l, it, n, iv, ik);
}

/* The detection name add_condition adds: as given (one identifier), else
 * ten letters derived from the item's position (pySigma picks random ones). */
static bool add_condition_name(lctx *l, pitem *it, const ynode *n, const ynode *name)
{
    if (it->name) {
        cerror ce;
        const cnode *cn = cond_parse(l->a, it->name, strlen(it->name), &ce);
        if (!cn || cn->kind != CN_ID || strcmp(cn->name, it->name) != 0)
            return lerr(l, name, "add_condition name '%s' is not a valid detection name ([A-Za-z0-9_-]+)", it->name);
        return true;
    }
    char nm[17];
    uint32_t h = fnv32_add(FNV32_INIT, l->file, strlen(l->file)); /* the file and the position */
    h = fnv32_word(fnv32_word(h, n->line), n->col);
    memcpy(nm, "_cond_", 6);
    for (int i = 0; i < 10; i++) {
        nm[6 + i] = (char)('a' + h % 26);
        h = h / 26 + (h % 7) * 2654435761u;
    }
    nm[16] = 0;
    it->name = arena_strdup(l->a, nm);
    return true;
}

static bool parse_add_condition(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)ik;
    it->conditions = v[0];
    it->name = opt_text(v[1]);
    it->template_ = v[2] && v[2]->u.s.bval;
    it->negated = v[3] && v[3]->u.s.bval;
    if (!add_condition_name(l, it, n, v[1]))
        return false;
    for (size_t i = 0; i < it->conditions->u.map.n; i++) {
        const ynode *k = it->conditions->u.map.pairs[i].key, *val = it->conditions->u.map.pairs[i].value;
        if (!is_text(k) && !is_null(k))
            return lerr(l, k, "add_condition field names must be strings, not %s", kind_name(k));
        if (val->kind == YN_MAP)
            return lerr(l, val, "add_condition values must be a value or a list of values, not a mapping");
        if (val->kind == YN_SEQ)
            for (size_t j = 0; j < val->u.seq.n; j++)
                if (val->u.seq.items[j]->kind != YN_SCALAR)
                    return lerr(l, val->u.seq.items[j], "add_condition values must be scalars, not %s",
                                kind_name(val->u.seq.items[j]));
    }
    /* build it once to report modifier and value errors now */
    sdiag derr;
    if (!detection_from_map(l->a, it->conditions, node_pos(it->conditions), NULL, NULL, &derr))
        return lerr_at(l, derr.pos, "add_condition: %s", derr.message);
    return true;
}

static bool parse_change_logsource(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)ik;
    it->ls.category = opt_text(v[0]);
    it->ls.product = opt_text(v[1]);
    it->ls.service = opt_text(v[2]);
    if (!it->ls.category && !it->ls.product && !it->ls.service)
        return lerr(l, n, "change_logsource needs at least one of category, product, service");
    return true;
}

/* add_field, remove_field */
static bool parse_field_list(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    return text_list(l, v[0], "field", true, &it->list, &it->nlist);
}

static bool parse_set_field(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    return text_list(l, v[0], "fields", false, &it->list, &it->nlist);
}

/* replace_string (regex, replacement, skip_special, interpret_special) and
 * replace postprocessing (pattern, replacement) */
static bool parse_replace(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n;
    if (!(it->re = regex_param(l, v[0], v[0]->u.s.text, v[0]->u.s.len)))
        return false;
    it->replacement = opt_text(v[1]) ? opt_text(v[1]) : "";
    if (ik == IK_TRANS) {
        it->skip_special = v[2] && v[2]->u.s.bval;
        it->interpret_special = v[3] && v[3]->u.s.bval;
    }
    /* check the replacement once */
    const char *m = NULL;
    size_t ol;
    bool ch;
    if (!pl_resub(l->a, it->re, "", 0, it->replacement, &ol, &ch, &m) && m)
        return lerr(l, v[1], "invalid replacement '%s': %s", it->replacement, m);
    return true;
}

/* A {field} of a set_state value: a variable, possibly with filters; the
 * first bad one's message in ctx (lctx's arena). */
typedef struct var_check {
    arena *a;
    const char *msg;
} var_check;

static int var_piece(void *ctx, bool field, const char *s, size_t n)
{
    var_check *vc = ctx;
    tfield tf;
    return field && !pl_template_field(vc->a, s, n, &tf, &vc->msg) ? -1 : 0;
}

static bool parse_set_state(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    it->key = v[0]->u.s.text;
    it->val = v[1];
    if (v[1]->kind != YN_SCALAR)
        return lerr(l, v[1], "set_state val must be a single value, not %s", kind_name(v[1]));
    if (v[1]->u.s.type != YT_STR)
        return true;
    /* check the {var} syntax now; the values come per rule */
    var_check vc = {l->a, NULL};
    int rc = pl_braces(v[1]->u.s.text, true, var_piece, &vc);
    if (rc == BRACES_LONE_CLOSE)
        return lerr(l, v[1], "set_state val: single '}' (write '}}' for a brace)");
    if (rc == BRACES_UNCLOSED)
        return lerr(l, v[1], "set_state val: '{' must start a {variable} (write '{{' for a brace)");
    if (rc)
        return lerr(l, v[1], "set_state val: %s", vc.msg);
    return true;
}

/* regex (method plain / ignore_case_flag / ignore_case_brackets) and case
 * (lower / upper / snake_case) */
static bool parse_method(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    static const char *const rm[] = {"plain", "ignore_case_flag", "ignore_case_brackets"};
    static const char *const cm[] = {"lower", "upper", "snake_case"};
    bool regex = it->type == T_REGEX;
    const char *const *ms = regex ? rm : cm;
    const char *m = v[0] ? v[0]->u.s.text : ms[regex ? RX_IGNORE_CASE_BRACKETS : CASE_LOWER];
    for (int i = 0; i < 3; i++)
        if (strcmp(ms[i], m) == 0) {
            it->rx = (regex_method)i;
            it->cm = (case_method)i;
            return true;
        }
    return lerr(l, v[0], "invalid method '%s' (expected %s, %s or %s)", m, ms[0], ms[1], ms[2]);
}

/* str / num */
static bool value_type_of(const char *s, value_type *out)
{
    *out = strcmp(s, "str") == 0 ? TO_STR : strcmp(s, "num") == 0 ? TO_NUM : TO_ANY;
    return *out != TO_ANY;
}

static bool parse_set_value(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    it->val = v[0];
    const char *ft = opt_text(v[1]);
    if (!ft)
        return true;
    if (!value_type_of(ft, &it->target))
        return lerr(l, v[1], "invalid force_type '%s' (expected 'str' or 'num')", ft);
    if (!is_text(v[0]))
        return lerr(l, v[0], "force_type '%s' needs a string or number value", ft);
    if (it->target == TO_NUM && v[0]->u.s.type != YT_INT && v[0]->u.s.type != YT_FLOAT) {
        char *end;
        strtod(v[0]->u.s.text, &end);
        if (!v[0]->u.s.len || *end)
            return lerr(l, v[0], "value '%s' can't be converted to a number", v[0]->u.s.text);
    }
    return true;
}

static bool parse_convert_type(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    if (!value_type_of(v[0]->u.s.text, &it->target))
        return lerr(l, v[0], "invalid target_type '%s' (expected 'str' or 'num')", v[0]->u.s.text);
    return true;
}

/* rule_failure, detection_item_failure */
static bool parse_message(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->message = v[0]->u.s.text;
    return true;
}

static bool parse_custom_attribute(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->key = v[0]->u.s.text;
    it->val = v[1];
    return true;
}

/* nest (transformation, postprocessing), nested (finalizer) */
static bool parse_nest(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n;
    return parse_item_list(l, v[0], ik, &it->items, &it->nitems);
}

static bool parse_embed(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->prefix = opt_text(v[0]) ? opt_text(v[0]) : "";
    it->suffix = opt_text(v[1]) ? opt_text(v[1]) : "";
    return true;
}

/* {query}, {rule.<attribute>}, {pipeline.state[<key>]}, {pipeline.vars[<name>]} */
static int template_piece(void *ctx, bool field, const char *f, size_t fl)
{
    (void)ctx;
    if (!field)
        return 0;
    bool ok = (fl == 5 && memcmp(f, "query", 5) == 0) ||
              (fl > 5 && memcmp(f, "rule.", 5) == 0 && !memchr(f, '[', fl) && !memchr(f, ':', fl) &&
               !memchr(f, '!', fl)) ||
              (fl > 16 && memcmp(f, "pipeline.state[", 15) == 0 && f[fl - 1] == ']') ||
              (fl > 15 && memcmp(f, "pipeline.vars[", 14) == 0 && f[fl - 1] == ']');
    return ok ? 0 : -1;
}

/* the first field template_piece refuses */
static int first_bad(void *ctx, bool field, const char *f, size_t fl)
{
    if (template_piece(NULL, field, f, fl) == 0)
        return 0;
    *(const char **)ctx = arena_strndup((arena *)((void **)ctx)[1], f, fl);
    return -1;
}

static bool parse_simple_template(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    void *bad[2] = {NULL, l->a};
    int rc = pl_braces(v[0]->u.s.text, true, first_bad, bad);
    if (rc == BRACES_LONE_CLOSE)
        return lerr(l, v[0], "simple_template: single '}' (write '}}' for a brace)");
    if (rc == BRACES_UNCLOSED)
        return lerr(l, v[0], "simple_template: '{' without '}' (write '{{' for a brace)");
    if (rc)
        return lerr(l, v[0],
                    "simple_template: unsupported field '{%s}' (supported: {query}, {rule.<attribute>}, "
                    "{pipeline.state[<key>]}, {pipeline.vars[<name>]})",
                    (const char *)bad[0]);
    it->tmpl = v[0]->u.s.text;
    return true;
}

static bool parse_json_template(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)n, (void)ik;
    ydoc *docs;
    size_t nd;
    yerror ye;
    if (!yaml_load(l->a, v[0]->u.s.text, v[0]->u.s.len, &docs, &nd, &ye) || nd != 1 || !docs[0].root)
        return lerr(l, v[0], "json_template is not valid JSON");
    it->json = docs[0].root;
    return true;
}

static bool parse_concat(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    it->separator = v[0] ? (opt_text(v[0]) ? opt_text(v[0]) : "") : "\n";
    it->prefix = opt_text(v[1]) ? opt_text(v[1]) : "";
    it->suffix = opt_text(v[2]) ? opt_text(v[2]) : "";
    return true;
}

static bool parse_json_indent(lctx *l, pitem *it, const ynode *n, const ynode **v, ikind ik)
{
    (void)l, (void)n, (void)ik;
    long long in = is_null(v[0]) ? -1 : v[0]->u.s.ival;
    it->indent = in < 0 && !is_null(v[0]) ? 0 : in > SIGMA_MAX_JSON_INDENT ? SIGMA_MAX_JSON_INDENT : (int)in;
    return true;
}

#define UNSUPPORTED_SPEC(name, why) {#name, -1, why, NULL, {NOPARAMS}},
static const tspec trans_specs[] = {
#define TRANSFORMATION(name, type, parse, desc, ...) {#name, type, NULL, parse, {__VA_ARGS__}},
#define UNSUPPORTED(kind, name, why) UNSUPPORTED_IF_##kind(name, why)
#define UNSUPPORTED_IF_IK_TRANS(name, why) UNSUPPORTED_SPEC(name, why)
#define UNSUPPORTED_IF_IK_POST(name, why)
#define UNSUPPORTED_IF_IK_FIN(name, why)
#include "items.def"
};
static const tspec post_specs[] = {
#define POSTPROCESSING(name, type, parse, desc, ...) {#name, type, NULL, parse, {__VA_ARGS__}},
#define UNSUPPORTED(kind, name, why) UNSUPPORTED_IF_##kind(name, why)
#undef UNSUPPORTED_IF_IK_TRANS
#undef UNSUPPORTED_IF_IK_POST
#define UNSUPPORTED_IF_IK_TRANS(name, why)
#define UNSUPPORTED_IF_IK_POST(name, why) UNSUPPORTED_SPEC(name, why)
#include "items.def"
};
static const tspec fin_specs[] = {
#define FINALIZER(name, type, parse, desc, ...) {#name, type, NULL, parse, {__VA_ARGS__}},
#define UNSUPPORTED(kind, name, why) UNSUPPORTED_IF_##kind(name, why)
#undef UNSUPPORTED_IF_IK_POST
#undef UNSUPPORTED_IF_IK_FIN
#define UNSUPPORTED_IF_IK_POST(name, why)
#define UNSUPPORTED_IF_IK_FIN(name, why) UNSUPPORTED_SPEC(name, why)
#include "items.def"
};

/* The spec of a `type` node, else NULL (error set). */
static const tspec *item_spec(lctx *l, const ynode *t, ikind ik, const char *what)
{
    const tspec *specs = ik == IK_TRANS ? trans_specs : ik == IK_POST ? post_specs : fin_specs;
    size_t nspecs = ik == IK_TRANS ? NSPECS(trans_specs) : ik == IK_POST ? NSPECS(post_specs) : NSPECS(fin_specs);
    for (size_t i = 0; i < nspecs; i++) {
        if (strcmp(specs[i].name, t->u.s.text) != 0)
            continue;
        if (specs[i].type < 0) {
            lerr(l, t, "%s type '%s' is not supported: %s", what, specs[i].name, specs[i].why);
            return NULL;
        }
        return &specs[i];
    }
    lerr(l, t, "unknown %s type '%s'", what, t->u.s.text);
    return NULL;
}

/* id and the rule (and for transformations detection item and field name)
 * conditions */
static bool item_conditions(lctx *l, pitem *it, const ynode *n, ikind ik)
{
    if (ik == IK_FIN)
        return true;
    const ynode *id = ymap_get(n, "id");
    if (id && !is_null(id)) {
        if (!is_text(id))
            return lerr(l, id, "'id' must be a string, not %s", kind_name(id));
        if (id->u.s.len)
            it->id = id->u.s.text;
    }
    if (!parse_condset(l, n, CK_RULE, &it->rc))
        return false;
    return ik != IK_TRANS || (parse_condset(l, n, CK_DET, &it->dc) && parse_condset(l, n, CK_FIELD, &it->fc));
}

static pitem *parse_item(lctx *l, const ynode *n, ikind ik)
{
    static const char *const what[] = {"transformation", "postprocessing item", "finalizer"};
    const ynode *t = type_of(l, n, what[ik], "'type'");
    const tspec *ts = t ? item_spec(l, t, ik, what[ik]) : NULL;
    if (!ts)
        return NULL;
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
    if (!item_conditions(l, it, n, ik))
        return NULL;
    if (ts->parse && !ts->parse(l, it, n, v, ik))
        return NULL;
    return l->failed ? NULL : it;
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
    if (!yaml_load(ps->a, text, len, &docs, &nd, &ye))
        return lerr_at(&l, (spos){ye.line, ye.col}, "%s", ye.message);
    if (nd == 0 || !docs[0].root)
        return lerr_at(&l, nd ? (spos){docs[0].line, docs[0].col} : (spos){1, 1}, "empty pipeline file");
    for (size_t i = 1; i < nd; i++)
        if (docs[i].root)
            return lerr_at(&l, (spos){docs[i].line, docs[i].col}, "a pipeline file holds one YAML document");
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
