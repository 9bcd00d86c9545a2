/* vars.c - the merged view of a pipeline set (pySigma merges pipelines by
 * priority): the items, postprocessing items and finalizers in order, and
 * the variables, where a later pipeline's var wins and backend options
 * (-O key=value) are the vars backend_<key>; and {var} templates filled
 * from them ({var|replace('-', '_')}: with filters, text.c). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <string.h>

/* ---- merging --------------------------------------------------------------- */

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

/* ---- {var} templates ---------------------------------------------------------- */

static const char *var_text(arena *a, const pvar *v, const char **msg)
{
    if (v->text)
        return v->text;
    if (!v->node || v->node->kind != YN_SCALAR) {
        *msg = arena_printf(a, "variable '%s' is not a single value", v->name);
        return NULL;
    }
    return pl_scalar_str(a, v->node);
}

typedef struct var_ctx {
    pipeline_set *ps;
    const pitem *it;
    const char *tmpl;
} var_ctx;

/* {name} or {name|filter...}: a pipeline variable (or backend_<option>),
 * else the item's default, then the filters */
static const char *lookup_var(void *ctx, const char *field, const char **msg)
{
    const var_ctx *vc = ctx;
    arena *a = vc->ps->a;
    const pitem *it = vc->it;
    tfield tf;
    if (!pl_template_field(a, field, strlen(field), &tf, msg))
        return NULL;
    const char *name = tf.name;
    pvar v;
    bool found = pl_var_get(vc->ps, name, &v);
    for (size_t k = 0; !found && it && k < it->ndefaults; k++)
        if (strcmp(it->defaults[k].name, name) == 0) {
            v = it->defaults[k];
            found = true;
        }
    if (!found) {
        sbuf m = SBUF_INIT;
        if (it && it->hint)
            sb_printf(&m, "missing variable '%s' (%s)", name, it->hint);
        else
            sb_printf(&m, "missing variable '%s' in '%s'", name, vc->tmpl);
        if (strncmp(name, "backend_", 8) == 0 && name[8])
            sb_printf(&m, "; set it with -O %s=VALUE", name + 8);
        else
            sb_puts(&m, "; define it under vars: in a pipeline");
        *msg = arena_strdup(a, m.p);
        sb_free(&m);
        return NULL;
    }
    const char *t = var_text(a, &v, msg);
    return t ? pl_template_filter(a, &tf, t) : NULL;
}

const char *pl_format_vars(pipeline_set *ps, const pitem *it, const char *tmpl, const char **msg)
{
    var_ctx vc = {ps, it, tmpl};
    return pl_expand(ps->a, tmpl, lookup_var, &vc, msg);
}
