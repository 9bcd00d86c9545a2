/* check.c - `sigma check`: load and validate rules without converting them.
 *
 * Errors: everything that makes a conversion fail before SQL is written
 * (rule attributes, modifiers, condition syntax, unknown detections), and
 * every metadata defect (rule_defect: a warning of a conversion, but a
 * rule to fix); a rule with any error gets no validator.
 * Warnings: validators users know from sigma-cli, each named so it can be
 * excluded. Validators read the rule model and, for the text of values as
 * written, the YAML detection section.
 *
 * Schemas: a rule whose table (-O table, a pipeline's table_name, or the one
 * table of the -O schema files) has a schema is rendered once more, in the
 * mode that collects problems instead of stopping at the first: every
 * unknown field and every value its column can never hold is an error at
 * its position (warnings with -O unknown_fields=warn).
 *
 * Every validator is one entry of VALIDATORS (name, description, hooks).
 * The driver (sigma_check) walks each rule once and calls, at each step,
 * the hooks of the validators that are not excluded, in table order; the
 * name in a warning comes from the table, so it cannot drift from the code
 * that finds it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../compiler.h"
#include "../condition/cond.h"
#include "../sql/correlation.h"
#include "../sql/quote.h"
#include "../sql/sql.h"
#include "../util/hash.h"

typedef struct vctx {
    sigma_compiler *c;
    size_t errors, warnings;
    const char *name;  /* the validator whose hook runs: warn() names it */
    const bool *used;  /* the rule's detections used by a condition */
    const srule **ids, **titles; /* identifier_uniqueness, duplicate_title */
    size_t cap;
} vctx;

/* The steps of the walk, each a hook a validator may have (NULL: none). */
typedef struct vhooks {
    /* each condition that parsed and built, with its syntax tree */
    void (*condition)(vctx *v, const srule *r, const rcond *cond, const cnode *ast);
    /* the rule, after its conditions (v->used is filled) */
    void (*rule)(vctx *v, const srule *r);
    /* each detection item of the rule model, in order */
    void (*item)(vctx *v, const srule *r, const ditem *it);
    /* each string value of a YAML detection item, as written */
    void (*value)(vctx *v, const srule *r, const ynode *key, const ynode *value);
    /* each YAML detection item (key: value or list), after its values */
    void (*yaml_item)(vctx *v, const srule *r, const ynode *key, const ynode *val);
    /* every valid rule again once all were checked (across rules) */
    void (*across)(vctx *v, const srule *r);
} vhooks;

static void push(vctx *v, sigma_severity sev, const char *file, spos pos, const char *msg)
{
    sigma_compiler *c = v->c;
    c->diags = arena_grow(c->a, c->diags, sizeof *c->diags, c->ndiags, c->ndiags + 1);
    sigma_diag *d = &c->diags[c->ndiags++];
    d->severity = sev;
    d->file = file;
    d->line = pos.line;
    d->column = pos.col;
    d->message = msg;
    if (sev == SIGMA_ERROR)
        v->errors++;
    else
        v->warnings++;
}

/* A finding of the running validator, at pos (the rule's if pos has no line). */
static void warn(vctx *v, const srule *r, spos pos, const char *msg)
{
    push(v, SIGMA_WARNING, r->file, pos.line ? pos : r->pos, arena_printf(v->c->a, "%s [%s]", msg, v->name));
}

static bool has_mod(const ditem *it, const char *m)
{
    for (size_t i = 0; i < it->nmods; i++)
        if (strcmp(it->mods[i], m) == 0)
            return true;
    return false;
}

/* ---- detection names referenced by the conditions ---- */

static void mark_refs(arena *a, const srule *r, const cnode *n, bool *used, int depth)
{
    if (!n || depth > 200)
        return;
    switch (n->kind) {
    case CN_AND:
    case CN_OR: {
        const cnode **ops;
        size_t cnt = cond_flatten(a, n, &ops);
        for (size_t i = 0; i < cnt; i++)
            mark_refs(a, r, ops[i], used, depth + 1);
        return;
    }
    case CN_NOT:
        mark_refs(a, r, n->l, used, depth + 1);
        return;
    case CN_ID:
        for (size_t i = 0; i < r->ndets; i++)
            if (strcmp(r->dets[i].name, n->name) == 0)
                used[i] = true;
        return;
    case CN_SEL:
        for (size_t i = 0; i < r->ndets; i++)
            if (cond_selects(n, r->dets[i].name))
                used[i] = true;
        return;
    }
}

/* ---- the validators ---- */

/* Inserts r under key; returns an earlier rule with the same key (for
 * titles: from another file, since a multi-document file shares its title). */
static const srule *seen(const srule **tab, size_t cap, const srule *r, const char *key, bool is_id)
{
    uint64_t h = fnv64(key, strlen(key));
    for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        const srule *q = tab[i];
        if (!q) {
            tab[i] = r;
            return NULL;
        }
        const char *qk = is_id ? q->id : q->title;
        if (strcmp(qk, key) == 0 && (is_id || q->file != r->file))
            return q;
    }
}


static void v_identifier_uniqueness(vctx *v, const srule *r)
{
    const srule *q;
    if (r->id && (q = seen(v->ids, v->cap, r, r->id, true)))
        warn(v, r, node_pos(ymap_get(r->doc, "id")),
             arena_printf(v->c->a, "identifier '%s' is also used by %s", r->id, q->file));
}

static void v_duplicate_title(vctx *v, const srule *r)
{
    const srule *q;
    if (r->title && (q = seen(v->titles, v->cap, r, r->title, false)))
        warn(v, r, node_pos(ymap_get(r->doc, "title")),
             arena_printf(v->c->a, "title '%s' is also used by %s", r->title, q->file));
}

static void v_dangling_detection(vctx *v, const srule *r)
{
    for (size_t i = 0; i < r->ndets; i++)
        if (!v->used[i])
            warn(v, r, r->dets[i].pos,
                 arena_printf(v->c->a, "detection '%s' is not used by any condition", r->dets[i].name));
}

static void v_all_without_contains(vctx *v, const srule *r, const ditem *it)
{
    if (it->field && has_mod(it, "all") && !has_mod(it, "contains") && !has_mod(it, "startswith") &&
        !has_mod(it, "endswith") && !has_mod(it, "re") && !has_mod(it, "cidr"))
        warn(v, r, it->pos, "the 'all' modifier without 'contains'");
}

static void v_base64offset_without_contains(vctx *v, const srule *r, const ditem *it)
{
    if (has_mod(it, "base64offset") && !has_mod(it, "contains"))
        warn(v, r, it->pos, "the 'base64offset' modifier without 'contains'");
}

static void v_windash_with_all(vctx *v, const srule *r, const ditem *it)
{
    if (has_mod(it, "windash") && has_mod(it, "all"))
        warn(v, r, it->pos, "the 'windash' modifier together with 'all'");
}

/* A YAML detection key with a field and no modifiers ("Image", not
 * "Image|contains" or a keyword list). */
static bool plain_field_key(const ynode *key)
{
    const char *k = key->kind == YN_SCALAR ? key->u.s.text : "";
    return *k && !strchr(k, '|');
}

static bool plain_wildcard_shape(const char *s, size_t n, int *shape)
{
    /* *x*, x*, *x with no other unescaped wildcard; shape 3/1/2 */
    if (n < 2)
        return false;
    bool lead = s[0] == '*', trail = s[n - 1] == '*' && !(n >= 2 && s[n - 2] == '\\');
    if (!lead && !trail)
        return false;
    size_t from = lead ? 1 : 0, to = trail ? n - 1 : n;
    if (to <= from)
        return false;
    for (size_t i = from; i < to; i++) {
        if (s[i] == '\\' && i + 1 < to) {
            i++;
            continue;
        }
        if (s[i] == '*' || s[i] == '?')
            return false;
    }
    *shape = (lead ? 2 : 0) | (trail ? 1 : 0);
    return true;
}

/* Every value of a plain field written with the same leading/trailing
 * wildcard shape. */
static void v_wildcards_instead_of_modifiers(vctx *v, const srule *r, const ynode *key, const ynode *val)
{
    if (!plain_field_key(key))
        return;
    size_t n = val->kind == YN_SEQ ? val->u.seq.n : 1;
    int shape0 = -1;
    for (size_t i = 0; i < n; i++) {
        const ynode *x = val->kind == YN_SEQ ? val->u.seq.items[i] : val;
        int shape;
        if (x->kind != YN_SCALAR || x->u.s.type != YT_STR || !plain_wildcard_shape(x->u.s.text, x->u.s.len, &shape) ||
            (shape0 >= 0 && shape != shape0))
            return;
        shape0 = shape;
    }
    if (shape0 < 0)
        return;
    static const char *const mod[] = {"", "startswith", "endswith", "contains"};
    warn(v, r, node_pos(key), arena_printf(v->c->a, "wildcards used instead of the '%s' modifier", mod[shape0]));
}

static void v_number_as_string(vctx *v, const srule *r, const ynode *key, const ynode *x)
{
    const char *s = x->u.s.text;
    size_t len = x->u.s.len;
    if (!plain_field_key(key) || len == 0 || len >= 19)
        return;
    for (size_t j = 0; j < len; j++)
        if (s[j] < '0' || s[j] > '9')
            return;
    warn(v, r, node_pos(x), arena_printf(v->c->a, "number '%s' written as a string", s));
}

static void v_escaped_wildcard(vctx *v, const srule *r, const ynode *key, const ynode *x)
{
    (void)key;
    const char *s = x->u.s.text;
    for (size_t j = 0; j + 1 < x->u.s.len; j++) {
        if (s[j] == '\\' && (s[j + 1] == '*' || s[j + 1] == '?') && !(j > 0 && s[j - 1] == '\\')) {
            warn(v, r, node_pos(x), arena_printf(v->c->a, "value '%s' contains an escaped wildcard", s));
            return;
        }
    }
}

static void v_all_of_them_condition(vctx *v, const srule *r, const rcond *cond, const cnode *ast)
{
    if (ast && ast->kind == CN_SEL && ast->quant == CQ_ALL && ast->is_them)
        warn(v, r, cond->pos, "'all of them' condition: name the detections to combine");
}

/* ---- the registry ---- */

/* X(name, description, condition, rule, item, value, yaml_item, across):
 * the order is the order of `sigma list validators` and, within one step of
 * the walk, the order of the warnings. */
#define VALIDATORS(X)                                                                                         \
    X(identifier_uniqueness, "a rule id used by another rule", 0, 0, 0, 0, 0, v_identifier_uniqueness)        \
    X(duplicate_title, "a title used by a rule of another file", 0, 0, 0, 0, 0, v_duplicate_title)           \
    X(dangling_detection, "a detection that no condition uses", 0, v_dangling_detection, 0, 0, 0, 0)          \
    X(all_without_contains, "the 'all' modifier without contains, startswith, endswith, re or cidr", 0, 0,    \
      v_all_without_contains, 0, 0, 0)                                                                        \
    X(base64offset_without_contains, "the 'base64offset' modifier without 'contains'", 0, 0,                  \
      v_base64offset_without_contains, 0, 0, 0)                                                               \
    X(windash_with_all, "the 'windash' modifier together with 'all'", 0, 0, v_windash_with_all, 0, 0, 0)      \
    X(wildcards_instead_of_modifiers, "*x*, x* or *x values where contains, startswith or endswith says it",  \
      0, 0, 0, 0, v_wildcards_instead_of_modifiers, 0)                                                        \
    X(number_as_string, "a number written as a string ('4688')", 0, 0, 0, v_number_as_string, 0, 0)          \
    X(escaped_wildcard, "a value with an escaped wildcard (\\* or \\?)", 0, 0, 0, v_escaped_wildcard, 0, 0)   \
    X(all_of_them_condition, "the condition 'all of them'", v_all_of_them_condition, 0, 0, 0, 0, 0)

#define V_ENTRY(name, text, ...) {#name, text},
#define V_NAME(name, ...) #name,
#define V_HOOKS(name, text, cond, rule, item, value, yitem, across) {cond, rule, item, value, yitem, across},
static const sigma_entry entries[] = {VALIDATORS(V_ENTRY)};
static const char *const names[] = {VALIDATORS(V_NAME) NULL};
static const vhooks hooks[] = {VALIDATORS(V_HOOKS)};
#define NVALIDATORS (sizeof entries / sizeof entries[0])

const sigma_entry *validator_entries(size_t *n)
{
    *n = NVALIDATORS;
    return entries;
}

const char *const *sigma_validators(void)
{
    return names;
}

/* ---- the driver ---- */

/* Calls HOOK(v, args...) of every validator that is on, in table order. */
#define RUN(v, on, HOOK, ...)                                 \
    for (size_t k_ = 0; k_ < NVALIDATORS; k_++)               \
        if ((on)[k_] && hooks[k_].HOOK) {                     \
            (v)->name = entries[k_].name;                     \
            hooks[k_].HOOK((v), __VA_ARGS__);                 \
        }

static void walk_detection_yaml(vctx *v, const bool *on, const srule *r, const ynode *n, int depth)
{
    if (!n || depth > 64)
        return;
    if (n->kind == YN_MAP) {
        for (size_t i = 0; i < n->u.map.n; i++) {
            const ynode *key = n->u.map.pairs[i].key, *val = n->u.map.pairs[i].value;
            size_t nv = val->kind == YN_SEQ ? val->u.seq.n : 1;
            for (size_t j = 0; j < nv; j++) {
                const ynode *x = val->kind == YN_SEQ ? val->u.seq.items[j] : val;
                if (x->kind == YN_SCALAR && x->u.s.type == YT_STR)
                    RUN(v, on, value, r, key, x);
            }
            RUN(v, on, yaml_item, r, key, val);
        }
    } else if (n->kind == YN_SEQ) {
        for (size_t i = 0; i < n->u.seq.n; i++)
            if (n->u.seq.items[i]->kind != YN_SCALAR)
                walk_detection_yaml(v, on, r, n->u.seq.items[i], depth + 1);
    }
}

static void walk_items(vctx *v, const bool *on, const srule *r, const detection *d, int depth)
{
    if (depth > 64)
        return;
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub)
            walk_items(v, on, r, d->elems[i].sub, depth + 1);
        else
            RUN(v, on, item, r, d->elems[i].item);
    }
}

static void check_rule(vctx *v, const bool *on, srule *r)
{
    sigma_compiler *c = v->c;
    /* metadata defects are errors here (each one), as under --strict */
    for (size_t i = 0; i < r->ndefects; i++)
        push(v, SIGMA_ERROR, r->file, r->defects[i].pos, r->defects[i].message);
    if (r->error) {
        push(v, SIGMA_ERROR, r->file, r->error->pos, r->error->message);
        return;
    }
    if (r->ndefects)
        return;
    if (r->type != RT_RULE)
        return;
    bool *used = arena_alloc(c->a, sizeof *used * (r->ndets + 1));
    for (size_t i = 0; i < r->nconds; i++) {
        const cnode *ast = r->conds[i].ast;
        mark_refs(c->a, r, ast, used, 0);
        sql_ctx sc = {.a = c->a, .opt = &c->opt, .rule = r};
        if (!sql_build_tree(&sc, &r->conds[i])) {
            push(v, SIGMA_ERROR, r->file, sc.err.pos, sc.err.message);
            continue;
        }
        RUN(v, on, condition, r, &r->conds[i], ast);
    }
    v->used = used;
    RUN(v, on, rule, r);
    for (size_t i = 0; i < r->ndets; i++)
        walk_items(v, on, r, r->dets[i].det, 0);
    const ynode *det = ymap_get(r->doc, "detection");
    for (size_t i = 0; det && i < det->u.map.n; i++) {
        if (yscalar_is(det->u.map.pairs[i].key, "condition"))
            continue;
        walk_detection_yaml(v, on, r, det->u.map.pairs[i].value, 0);
    }
}

/* ---- fields against table schemas ---- */

/* The table rule r is checked against: its own, else the only table of the
 * schema files (NULL: none). */
static const char *check_table(sigma_compiler *c, const srule *r)
{
    if (r->table)
        return r->table;
    if (schema_set_count(c->schemas) != 1)
        return NULL;
    const stable *t = schema_set_table(c->schemas, 0);
    sbuf b = SBUF_INIT;
    if (t->database) {
        sql_ident_part(&b, t->database, strlen(t->database));
        sb_putc(&b, '.');
    }
    sql_ident_part(&b, t->name, strlen(t->name));
    const char *name = arena_strndup(c->a, b.p, b.len);
    sb_free(&b);
    return name;
}

static void push_notes(vctx *v, const srule *r, const sql_ctx *sc)
{
    for (size_t i = 0; i < sc->nnotes; i++) {
        const sql_note *n = &sc->notes[i];
        push(v, n->error ? SIGMA_ERROR : SIGMA_WARNING, r->file, n->pos.line ? n->pos : r->pos, n->message);
    }
}

/* Pipelines, then every rule with a table rendered collecting problems.
 * Rules without a table (no -O table, pipeline or single schema table) are
 * not looked at. */
static void check_schemas(vctx *v)
{
    sigma_compiler *c = v->c;
    pipeline_set_rules(c->pipes, &c->rules);
    for (size_t i = 0; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (r->error || r->type == RT_FILTER)
            continue;
        if (!compiler_prepare_rule(c, r)) {
            push(v, SIGMA_ERROR, r->file, r->error->pos.line ? r->error->pos : r->pos, r->error->message);
            continue;
        }
        r->table = check_table(c, r);
    }
    for (size_t i = 0; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (r->error || r->type != RT_RULE || !r->table)
            continue;
        sql_options o;
        sql_ctx sc = {.a = c->a, .opt = compiler_rule_options(c, r, &o), .rule = r, .collect = true};
        const char **q;
        size_t nq;
        sql_rule_queries(&sc, &sql_athena, r->table, &q, &nq);
        push_notes(v, r, &sc);
    }
    for (size_t i = 0; i < c->rules.n; i++) {
        srule *r = c->rules.v[i];
        if (r->error || r->type != RT_CORRELATION || !correlation_resolve(c->a, r, &c->rules))
            continue;
        bool tables = false;
        for (size_t k = 0; k < r->corr->nrefs; k++)
            tables |= r->corr->refs[k].rule->table != NULL;
        if (!tables)
            continue;
        sql_options o;
        sql_ctx sc = {.a = c->a, .opt = compiler_rule_options(c, r, &o), .rule = r, .collect = true};
        const char **q;
        size_t nq;
        sql_correlation_queries(&sc, &sql_athena, r, &q, &nq);
        push_notes(v, r, &sc);
    }
}

sigma_status sigma_check(sigma_compiler *c, const char *const *exclude, size_t nexclude)
{
    bool on[NVALIDATORS];
    for (size_t k = 0; k < NVALIDATORS; k++) {
        on[k] = true;
        for (size_t i = 0; i < nexclude; i++)
            if (strcmp(exclude[i], entries[k].name) == 0)
                on[k] = false;
    }
    vctx v = {.c = c};
    for (size_t i = 0; i < c->rules.n; i++)
        check_rule(&v, on, c->rules.v[i]);
    /* across rules: one hash table each for identifiers and titles */
    v.cap = 16;
    while (v.cap < c->rules.n * 2 + 1)
        v.cap *= 2;
    v.ids = arena_alloc(c->a, sizeof *v.ids * v.cap);
    v.titles = arena_alloc(c->a, sizeof *v.titles * v.cap);
    for (size_t i = 0; i < c->rules.n; i++) {
        const srule *r = c->rules.v[i];
        if (!r->error && !r->ndefects && r->type != RT_FILTER)
            RUN(&v, on, across, r);
    }
    check_schemas(&v);
    return v.errors ? SIGMA_ERULE : SIGMA_OK;
}
