/* fields.c - field name transformations (pySigma's
 * FieldMappingTransformationBase and friends): field_name_mapping,
 * field_name_prefix_mapping, field_name_prefix, field_name_suffix on
 * detection items, field references, the rule's `fields` and a
 * correlation's group-by, alias and condition fields; hashes_fields; and
 * strict_field_mapping_failure, which needs to know what was mapped.
 *
 * A mapping to a list of fields turns the item into an OR of one copy per
 * field (pySigma does the same). Which item mapped which field is tracked
 * for field_name conditions of type processing_item_applied. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <ctype.h>
#include <string.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

/* ---- field names ---------------------------------------------------------------------- */

static bool streq_n(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* pySigma's field_name_applied_ids: the new names dst inherit the ids that
 * produced src, plus id (not for a name mapped to itself). */
static void track_fields(actx *c, const char *src, const char *const *dst, size_t n, const char *id)
{
    if (n == 1 && streq_n(src, dst[0]))
        return;
    const char **ids = NULL;
    size_t nids = 0;
    size_t k = 0;
    for (size_t i = 0; i < c->nt; i++) {
        if (src && strcmp(c->tf[i], src) == 0) {
            pl_push_str(c->a, &ids, &nids, c->tid[i]);
            continue;
        }
        c->tf[k] = c->tf[i];
        c->tid[k] = c->tid[i];
        k++;
    }
    c->nt = k;
    if (id && !pl_has_str(ids, nids, id))
        pl_push_str(c->a, &ids, &nids, id);
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < nids; i++) {
            if (c->nt == c->capt) {
                size_t nc = c->capt ? c->capt * 2 : 32;
                c->tf = arena_grow(c->a, (void *)c->tf, sizeof *c->tf, c->capt, nc);
                c->tid = arena_grow(c->a, (void *)c->tid, sizeof *c->tid, c->capt, nc);
                c->capt = nc;
            }
            c->tf[c->nt] = dst[j];
            c->tid[c->nt] = ids[i];
            c->nt++;
        }
    }
}

/* The transformation's own mapping of a field: NULL when it does not map it. */
static const char **map_field(actx *c, const pitem *it, const char *field, size_t *n, bool *is_list)
{
    *is_list = false;
    switch (it->type) {
    case T_FIELD_NAME_MAPPING:
        for (size_t i = 0; i < it->map.n; i++)
            if (streq_n(it->map.keys[i], field)) {
                *n = it->map.nvals[i];
                *is_list = it->map.is_list[i];
                return it->map.vals[i];
            }
        return NULL;
    case T_FIELD_NAME_PREFIX_MAPPING:
        if (!field)
            return NULL;
        for (size_t i = 0; i < it->map.n; i++) {
            size_t pl = strlen(it->map.keys[i]);
            if (strncmp(field, it->map.keys[i], pl) == 0) {
                const char **r = arena_alloc(c->a, sizeof *r * it->map.nvals[i]);
                for (size_t j = 0; j < it->map.nvals[i]; j++)
                    r[j] = arena_printf(c->a, "%s%s", it->map.vals[i][j], field + pl);
                *n = it->map.nvals[i];
                *is_list = it->map.is_list[i];
                return r;
            }
        }
        return NULL;
    case T_FIELD_NAME_PREFIX:
    case T_FIELD_NAME_SUFFIX: {
        if (!field)
            return NULL;
        const char **r = arena_alloc(c->a, sizeof *r);
        r[0] = it->type == T_FIELD_NAME_PREFIX ? arena_printf(c->a, "%s%s", it->prefix, field)
                                               : arena_printf(c->a, "%s%s", field, it->suffix);
        *n = 1;
        return r;
    }
    default:
        return NULL;
    }
}

/* FieldMappingTransformationBase._apply_field_name */
static const char **apply_field_name(actx *c, const pitem *it, const char *field, size_t *n)
{
    bool lst;
    const char **m = map_field(c, it, field, n, &lst);
    if (m && pl_field_match(c, it, field)) {
        track_fields(c, field, m, *n, it->id);
        return m;
    }
    const char **r = arena_alloc(c->a, sizeof *r);
    r[0] = field;
    *n = 1;
    return r;
}

/* Remembers mapped names and their targets for strict_field_mapping_failure. */
static void note_mapping(actx *c, const char *src, const char *const *dst, size_t n)
{
    if (src && !pl_has_str(c->msrc, c->nmsrc, src))
        pl_push_str(c->a, &c->msrc, &c->nmsrc, src);
    for (size_t i = 0; i < n; i++)
        if (!pl_has_str(c->mtgt, c->nmtgt, dst[i]))
            pl_push_str(c->a, &c->mtgt, &c->nmtgt, dst[i]);
}

/* A correlation alias or condition field: one name must stay one name. */
static bool map_one_field(actx *c, const pitem *it, const char *in, const char **out, spos pos, const char *what)
{
    size_t n;
    const char **m = apply_field_name(c, it, in, &n);
    if (n != 1)
        return pl_fail(c, pos,
                     "field name mapping of '%s' gives several fields, which the correlation %s cannot use", in,
                     what);
    *out = m[0];
    return true;
}

/* The rule's `fields` and, for a correlation, its alias, group-by (except
 * aliases) and condition fields (pySigma maps the latter since 0.11). */
bool pl_map_rule_fields(actx *c, const pitem *it)
{
    srule *r = c->r;
    const char **nf = NULL;
    size_t nn = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        size_t n;
        const char **m = apply_field_name(c, it, r->fields[i], &n);
        for (size_t j = 0; j < n; j++)
            pl_push_str(c->a, &nf, &nn, m[j]);
    }
    r->fields = nf;
    r->nfields = nn;
    correlation *k = r->corr;
    if (r->type != RT_CORRELATION || !k)
        return true;
    if (k->ngroup_by) {
        for (size_t i = 0; i < k->naliases; i++)
            for (size_t j = 0; j < k->aliases[i].n; j++)
                if (!map_one_field(c, it, k->aliases[i].e[j].field, &k->aliases[i].e[j].field, r->pos, "alias"))
                    return false;
        cfield *g = NULL;
        size_t ng = 0;
        for (size_t i = 0; i < k->ngroup_by; i++) {
            bool alias = false;
            for (size_t j = 0; j < k->naliases; j++)
                if (strcmp(k->aliases[j].alias, k->group_by[i].name) == 0)
                    alias = true;
            size_t n = 1;
            const char **m = alias ? &k->group_by[i].name : apply_field_name(c, it, k->group_by[i].name, &n);
            g = arena_grow(c->a, g, sizeof *g, ng, ng + n);
            for (size_t j = 0; j < n; j++)
                g[ng++] = (cfield){m[j], k->group_by[i].pos};
        }
        k->group_by = g;
        k->ngroup_by = ng;
    }
    for (size_t i = 0; i < k->cond.nfields; i++)
        if (!map_one_field(c, it, k->cond.fields[i], &k->cond.fields[i], r->pos, "condition"))
            return false;
    return true;
}

/* ---- detection items ----------------------------------------------------------------- */

/* A sub-detection: OR of the items. */
static detection *or_of_items(actx *c, ditem **items, size_t n, spos pos)
{
    detection *d = arena_alloc(c->a, sizeof *d);
    d->and_link = false;
    d->pos = pos;
    d->elems = arena_alloc(c->a, sizeof *d->elems * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        d->elems[i].item = items[i];
    d->n = n;
    return d;
}

/* One detection item: its field references, then its field (a keyword
 * mapped to a field keeps its substring meaning; several targets make an
 * OR of copies). */
int pl_map_item_fields(actx *c, const pitem *it, delem *e)
{
    ditem *d = e->item;
    const char *src = d->field;
    bool ref_match = false;
    /* field references in values */
    svalue **nv = NULL;
    size_t nnv = 0;
    for (size_t i = 0; i < d->nvals; i++) {
        svalue *v = d->vals[i];
        if (v->kind == SV_FIELDREF && pl_field_value_match(c, it, v)) {
            size_t n;
            const char **m = apply_field_name(c, it, v->ref, &n);
            for (size_t j = 0; j < n; j++) {
                svalue *x = sv_new(c->a, SV_FIELDREF);
                *x = *v;
                x->ref = m[j];
                nv = arena_grow(c->a, nv, sizeof *nv, nnv, nnv + 1);
                nv[nnv++] = x;
            }
            ref_match = true;
        } else {
            nv = arena_grow(c->a, nv, sizeof *nv, nnv, nnv + 1);
            nv[nnv++] = v;
        }
    }
    if (ref_match) {
        d->vals = nv;
        d->nvals = nnv;
    }
    size_t n;
    bool is_list;
    const char **m = map_field(c, it, src, &n, &is_list);
    bool fmatch = m && pl_field_match(c, it, src);
    if (fmatch) {
        if (!src) {
            /* keyword -> field: keep the keyword meaning (substring match) */
            sstr star = sstr_star();
            for (size_t i = 0; i < d->nvals; i++) {
                svalue *v = d->vals[i];
                if (v->kind != SV_STR)
                    continue;
                svalue *x = sv_new(c->a, SV_STR);
                *x = *v;
                if (!sstr_starts_star(&x->str))
                    x->str = sstr_concat(c->a, &star, &x->str);
                if (!sstr_ends_star(&x->str))
                    x->str = sstr_concat(c->a, &x->str, &star);
                d->vals[i] = x;
            }
            d->keyword_from_map = true;
        }
        if (!is_list) {
            d->field = m[0];
            pl_mark_item(c, d, it);
        } else {
            ditem **copies = arena_alloc(c->a, sizeof *copies * n);
            for (size_t j = 0; j < n; j++) {
                copies[j] = ditem_copy(c->a, d);
                copies[j]->field = m[j];
                pl_mark_item(c, copies[j], it);
            }
            e->item = NULL;
            e->sub = or_of_items(c, copies, n, d->pos);
        }
    } else if (ref_match) {
        pl_mark_item(c, d, it);
    }
    if (!fmatch && !ref_match)
        return 0;
    if (m)
        note_mapping(c, src, m, n);
    return 1;
}

/* hashes_fields: Hashes: 'SHA1=...' -> SHA1: '...' (OR of one item per algorithm) */
int pl_split_hashes(actx *c, const pitem *it, delem *e)
{
    ditem *d = e->item;
    if (!d->field || !pl_has_str(it->parse_fields, it->nparse_fields, d->field))
        return 0;
    for (size_t i = 0; i < d->nvals; i++)
        if (d->vals[i]->kind != SV_STR)
            return 0;
    const char **names = NULL;
    size_t nn = 0;
    svalue ***vals = NULL;
    size_t *nv = NULL;
    for (size_t i = 0; i < d->nvals; i++) {
        size_t len;
        char *t = sstr_text(c->a, &d->vals[i]->str, &len);
        char *sep = strchr(t, '|');
        if (!sep)
            sep = strchr(t, '=');
        const char *algo, *hv;
        char *second = sep ? strchr(sep + 1, *sep) : NULL;
        if (sep && !second) {
            *sep = 0;
            char *al = t;
            while (*al == '*')
                al++;
            for (char *p = al; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            algo = al;
            hv = sep + 1;
        } else if (!sep) {
            size_t hl = strlen(t);
            algo = hl == 32 ? "MD5" : hl == 40 ? "SHA1" : hl == 64 ? "SHA256" : hl == 128 ? "SHA512" : "";
            hv = t;
        } else {
            continue; /* more than two parts */
        }
        if (!*algo || !pl_has_str(it->list, it->nlist, algo))
            continue;
        const char *fname = it->drop_algo_prefix ? it->prefix : arena_printf(c->a, "%s%s", it->prefix, algo);
        if (!*fname)
            continue;
        size_t k;
        for (k = 0; k < nn; k++)
            if (strcmp(names[k], fname) == 0)
                break;
        if (k == nn) {
            pl_push_str(c->a, &names, &nn, fname);
            vals = arena_grow(c->a, vals, sizeof *vals, nn - 1, nn);
            nv = arena_grow(c->a, nv, sizeof *nv, nn - 1, nn);
        }
        vals[k] = arena_grow(c->a, vals[k], sizeof **vals, nv[k], nv[k] + 1);
        vals[k][nv[k]++] = sv_str(c->a, sstr_normalize(c->a, sstr_parse(c->a, hv, strlen(hv))));
    }
    if (!nn) {
        sbuf b = SBUF_INIT;
        for (size_t i = 0; i < it->nlist; i++)
            sb_printf(&b, "%s%s", i ? ", " : "", it->list[i]);
        pl_fail(c, d->pos, "No valid hash algorithm found in %s field. Please use one of the following: %s", d->field,
              sb_cstr(&b));
        sb_free(&b);
        return -1;
    }
    ditem **items = arena_alloc(c->a, sizeof *items * nn);
    for (size_t k = 0; k < nn; k++) {
        ditem *x = arena_alloc(c->a, sizeof *x);
        x->field = names[k];
        x->vals = vals[k];
        x->nvals = nv[k];
        x->neg = d->neg;
        x->pos = d->pos;
        pl_mark_item(c, x, it);
        items[k] = x;
    }
    e->item = NULL;
    e->sub = or_of_items(c, items, nn, d->pos);
    return 1;
}

/* ---- strict_field_mapping_failure ------------------------------------------------- */

static void collect_fields(arena *a, const detection *d, const char ***out, size_t *n, int depth)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->elems[i].sub) {
            if (depth < SIGMA_MAX_DET_DEPTH)
                collect_fields(a, d->elems[i].sub, out, n, depth + 1);
        } else if (d->elems[i].item->field && !pl_has_str(*out, *n, d->elems[i].item->field)) {
            pl_push_str(a, out, n, d->elems[i].item->field);
        }
    }
}

/* StrictFieldMappingFailure: every field of the rule was mapped (or is a mapping target). */
bool pl_strict_mapping(actx *c, const pitem *it)
{
    (void)it;
    srule *r = c->r;
    if (r->type != RT_RULE)
        return true;
    const char **f = NULL;
    size_t nf = 0;
    for (size_t i = 0; i < r->ndets; i++)
        collect_fields(c->a, r->dets[i].det, &f, &nf, 0);
    sbuf b = SBUF_INIT;
    size_t bad = 0;
    for (size_t i = 0; i < nf; i++)
        if (!pl_has_str(c->msrc, c->nmsrc, f[i]) && !pl_has_str(c->mtgt, c->nmtgt, f[i]))
            sb_printf(&b, "%s%s", bad++ ? ", " : "", f[i]);
    bool ok = true;
    if (bad)
        ok = pl_fail(c, r->pos, "The following fields are not mapped: %s", b.p);
    sb_free(&b);
    return ok;
}
