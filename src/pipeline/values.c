/* values.c - value transformations (pySigma's ValueTransformation
 * subclasses): each runs over every value of the detection items its
 * conditions match and keeps the value or replaces it by zero or more new
 * ones: wildcard/value/query_expression placeholders, replace_string,
 * map_string, set_value, convert_type, regex and case. */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../util/limits.h"
#include "../util/sbuf.h"

/* ---- the walk over one item's values ---------------------------------------------- */

/* Runs a value transformation over every value of a matching item. A value
 * transformation leaves *out NULL to keep the value, or gives the values
 * that replace it (pySigma's ValueTransformation). */
int pl_map_values(actx *c, const pitem *it, delem *e, value_fn fn)
{
    ditem *d = e->item;
    svalue **res = NULL;
    size_t nres = 0, cap = 0;
    bool modified = false;
    for (size_t i = 0; i < d->nvals; i++) {
        svalue **out = NULL;
        size_t nout = 0;
        if (!fn(c, it, d, d->vals[i], &out, &nout))
            return -1;
        if (!out) {
            out = &d->vals[i];
            nout = 1;
        } else {
            modified = true;
        }
        if (nres + nout > SIGMA_MAX_VALUES) {
            pl_fail(c, d->pos, "too many values after %s (limit %d)", pipeline_transformation_names[it->type],
                  SIGMA_MAX_VALUES);
            return -1;
        }
        if (nres + nout > cap) {
            size_t nc = (nres + nout) * 2;
            res = arena_grow(c->a, res, sizeof *res, cap, nc);
            cap = nc;
        }
        for (size_t j = 0; j < nout; j++)
            res[nres++] = out[j];
    }
    if (!modified)
        return 0;
    d->vals = res;
    d->nvals = nres;
    pl_mark_item(c, d, it);
    return 1;
}

/* The value is replaced by v. */
static bool one(actx *c, svalue *v, svalue ***out, size_t *nout)
{
    svalue **r = arena_alloc(c->a, sizeof *r);
    r[0] = v;
    *out = r;
    *nout = 1;
    return true;
}

/* ---- placeholders ------------------------------------------------------------------ */

/* Does the item handle placeholder `name` (include / exclude lists)? */
static bool ph_handled(const pitem *it, const char *name)
{
    if (it->has_incl)
        return pl_has_str(it->incl, it->nincl, name);
    if (it->has_excl)
        return !pl_has_str(it->excl, it->nexcl, name);
    return true;
}

static bool has_handled_ph(const pitem *it, const svalue *v)
{
    if (v->kind != SV_STR)
        return false;
    for (size_t i = 0; i < v->str.n; i++)
        if (v->str.parts[i].kind == SP_PH && ph_handled(it, v->str.parts[i].s))
            return true;
    return false;
}

/* WildcardPlaceholderTransformation: %name% becomes `*` (`**` collapses). */
bool pl_wildcard_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (!has_handled_ph(it, v))
        return true;
    sstr s;
    s.n = v->str.n;
    s.parts = arena_alloc(c->a, sizeof *s.parts * s.n);
    for (size_t i = 0; i < s.n; i++) {
        s.parts[i] = v->str.parts[i];
        if (s.parts[i].kind == SP_PH && ph_handled(it, s.parts[i].s)) {
            s.parts[i].kind = SP_STAR;
            s.parts[i].s = NULL;
            s.parts[i].n = 0;
        }
    }
    svalue *x = sv_new(c->a, SV_STR);
    *x = *v;
    x->str = sstr_normalize(c->a, s);
    /* `**` is one wildcard */
    size_t k = 0;
    for (size_t i = 0; i < x->str.n; i++) {
        if (k && x->str.parts[i].kind == SP_STAR && x->str.parts[k - 1].kind == SP_STAR)
            continue;
        x->str.parts[k++] = x->str.parts[i];
    }
    x->str.n = k;
    return one(c, x, out, nout);
}

/* value list of a var for placeholder `name` (Python str() of each item) */
static bool var_values(actx *c, const ditem *d, const char *name, const char ***vals, size_t *n)
{
    pvar pv;
    if (!pl_var_get(c->ps, name, &pv))
        return pl_fail(c, d->pos, "value_placeholders: no variable '%s' for placeholder %%%s%% (define it under vars:)",
                     name, name);
    if (pv.text) {
        const char **r = arena_alloc(c->a, sizeof *r);
        r[0] = pv.text;
        *vals = r;
        *n = 1;
        return true;
    }
    const ynode *y = pv.node;
    size_t cnt = y->kind == YN_SEQ ? y->u.seq.n : 1;
    const char **r = arena_alloc(c->a, sizeof *r * (cnt ? cnt : 1));
    for (size_t i = 0; i < cnt; i++) {
        const ynode *e = y->kind == YN_SEQ ? y->u.seq.items[i] : y;
        if (e->kind != YN_SCALAR || e->u.s.type == YT_NULL)
            return pl_fail(c, d->pos, "Replacement variable '%s' contains value which is not a string or number.", name);
        r[i] = pl_scalar_str(c->a, e);
    }
    *vals = r;
    *n = cnt;
    return true;
}

/* ValueListPlaceholderTransformation: %name% becomes each value of the
 * variable `name`; several placeholders in one value give every
 * combination, in order (the first placeholder varies slowest). */
bool pl_value_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (!has_handled_ph(it, v))
        return true;
    /* cartesian product over the handled placeholders, first one slowest */
    size_t np = v->str.n;
    const char ***alts = arena_alloc(c->a, sizeof *alts * np);
    size_t *nalt = arena_alloc(c->a, sizeof *nalt * np);
    size_t total = 1;
    for (size_t i = 0; i < np; i++) {
        const spart *p = &v->str.parts[i];
        if (p->kind == SP_PH && ph_handled(it, p->s)) {
            if (!var_values(c, d, p->s, &alts[i], &nalt[i]))
                return false;
            if (nalt[i] == 0)
                total = 0;
            else if (total > SIGMA_MAX_EXPANSION / nalt[i] + 1)
                total = SIZE_MAX / 2;
            else
                total *= nalt[i];
        } else {
            nalt[i] = 1;
        }
    }
    if (total > SIGMA_MAX_EXPANSION)
        return pl_fail(c, d->pos, "value_placeholders: too many combinations (limit %d)", SIGMA_MAX_EXPANSION);
    svalue **r = arena_alloc(c->a, sizeof *r * (total ? total : 1));
    size_t *idx = arena_alloc(c->a, sizeof *idx * np);
    for (size_t k = 0; k < total; k++) {
        /* mixed-radix counter, last placeholder fastest */
        size_t rem = k;
        for (size_t i = np; i-- > 0;) {
            idx[i] = rem % nalt[i];
            rem /= nalt[i];
        }
        sstr acc = {NULL, 0};
        for (size_t i = 0; i < np; i++) {
            const spart *p = &v->str.parts[i];
            sstr piece;
            if (p->kind == SP_PH && ph_handled(it, p->s)) {
                const char *t = alts[i][idx[i]];
                piece = sstr_parse(c->a, t, strlen(t));
            } else {
                piece.parts = (spart *)p;
                piece.n = 1;
            }
            acc = sstr_concat(c->a, &acc, &piece);
        }
        svalue *x = sv_new(c->a, SV_STR);
        *x = *v;
        x->str = sstr_normalize(c->a, acc);
        r[k] = x;
    }
    *out = r;
    *nout = total;
    return true;
}

/* QueryExpressionPlaceholderTransformation: a value that is one handled
 * placeholder becomes the item's SQL expression, {id} being the
 * placeholder's name or its `mapping`. */
bool pl_query_placeholders(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind != SV_STR || !sstr_has_placeholder(&v->str))
        return true;
    if (v->str.n != 1)
        return pl_fail(c, d->pos, "Placeholder query expression transformation only allows placeholder-only strings.");
    const char *name = v->str.parts[0].s;
    if (!ph_handled(it, name))
        return true;
    if (!d->field)
        return pl_fail(c, d->pos, "query_expression_placeholders: placeholder %%%s%% needs a field, not a keyword", name);
    const char *id = name;
    for (size_t i = 0; i < it->map.n; i++)
        if (it->map.keys[i] && strcmp(it->map.keys[i], name) == 0 && it->map.vals[i][0][0])
            id = it->map.vals[i][0];
    /* the expression's {id} is filled in now; {field} stays a placeholder
     * that the SQL layer fills with the item's final column */
    svalue *x = sv_new(c->a, SV_QUERY);
    x->str.n = it->qexpr.n;
    x->str.parts = arena_alloc(c->a, sizeof *x->str.parts * (x->str.n ? x->str.n : 1));
    for (size_t i = 0; i < x->str.n; i++) {
        spart p = it->qexpr.parts[i];
        if (p.kind == SP_PH && strcmp(p.s, "id") == 0)
            p = (spart){SP_TEXT, id, strlen(id)};
        x->str.parts[i] = p;
    }
    return one(c, x, out, nout);
}

/* ---- replace_string, map_string ------------------------------------------------------ */

/* %name% in text parts -> placeholders (after a replace_string) */
static sstr reinsert_placeholders(arena *a, sstr s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s.n; i++)
        cap += s.parts[i].kind == SP_TEXT ? s.parts[i].n + 1 : 1;
    sstr r;
    r.parts = arena_alloc(a, sizeof *r.parts * (cap ? cap : 1));
    r.n = 0;
    for (size_t i = 0; i < s.n; i++) {
        const spart *p = &s.parts[i];
        if (p->kind != SP_TEXT) {
            r.parts[r.n++] = *p;
            continue;
        }
        size_t start = 0;
        for (size_t j = 0; j < p->n; j++) {
            if (p->s[j] != '%')
                continue;
            const char *e = memchr(p->s + j + 1, '%', p->n - j - 1);
            if (!e || e == p->s + j + 1)
                continue;
            if (j > start)
                r.parts[r.n++] = (spart){SP_TEXT, p->s + start, j - start};
            size_t nl = (size_t)(e - (p->s + j + 1));
            r.parts[r.n++] = (spart){SP_PH, arena_strndup(a, p->s + j + 1, nl), nl};
            j += nl + 1;
            start = j + 1;
        }
        if (p->n > start)
            r.parts[r.n++] = (spart){SP_TEXT, p->s + start, p->n - start};
    }
    return sstr_normalize(a, r);
}

/* ReplaceStringTransformation: re.sub over the value's Sigma text (numbers
 * as their text); with skip_special only over its literal parts, whose
 * result is plain text unless interpret_special. */
bool pl_replace_string(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    sstr src;
    bool was_num = v->kind == SV_NUM;
    if (v->kind == SV_STR)
        src = v->str;
    else if (was_num)
        src = sstr_plain(c->a, v->num.text, strlen(v->num.text));
    else
        return true;
    const char *msg = NULL;
    bool changed = false;
    sstr res;
    if (it->skip_special) {
        sstr acc = {NULL, 0};
        for (size_t i = 0; i < src.n; i++) {
            const spart *p = &src.parts[i];
            sstr piece = {(spart *)p, 1};
            if (p->kind == SP_TEXT) {
                size_t ol;
                bool ch = false;
                char *t = pl_resub(c->a, it->re, p->s, p->n, it->replacement, &ol, &ch, &msg);
                if (!t)
                    return pl_fail(c, d->pos, "replace_string: %s", msg ? msg : "replacement failed");
                changed = changed || ch;
                piece = it->interpret_special ? sstr_parse(c->a, t, ol) : sstr_plain(c->a, t, ol);
            }
            acc = sstr_concat(c->a, &acc, &piece);
        }
        res = acc;
    } else {
        const char *t = sstr_sigma(c->a, &src);
        size_t ol;
        char *o = pl_resub(c->a, it->re, t, strlen(t), it->replacement, &ol, &changed, &msg);
        if (!o)
            return pl_fail(c, d->pos, "replace_string: %s", msg ? msg : "replacement failed");
        res = sstr_parse(c->a, o, ol);
        if (sstr_has_placeholder(&src))
            res = reinsert_placeholders(c->a, res);
    }
    if (!changed)
        return true;
    svalue *x = sv_new(c->a, SV_STR);
    if (!was_num)
        *x = *v;
    x->kind = SV_STR;
    x->str = sstr_normalize(c->a, res);
    return one(c, x, out, nout);
}

/* MapStringTransformation: a string equal to a key becomes its value(s). */
bool pl_map_string(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (v->kind != SV_STR)
        return true;
    const char *key = sstr_sigma(c->a, &v->str);
    for (size_t i = 0; i < it->map.n; i++) {
        if (strcmp(it->map.keys[i], key) != 0)
            continue;
        svalue **r = arena_alloc(c->a, sizeof *r * it->map.nvals[i]);
        for (size_t j = 0; j < it->map.nvals[i]; j++) {
            svalue *x = sv_new(c->a, SV_STR);
            *x = *v;
            x->str = sstr_normalize(c->a, sstr_parse(c->a, it->map.vals[i][j], strlen(it->map.vals[i][j])));
            r[j] = x;
        }
        *out = r;
        *nout = it->map.nvals[i];
        return true;
    }
    return true;
}

/* ---- set_value, convert_type ---------------------------------------------------------- */

/* Text as a number the way Python int(), then float(), read it. */
static bool make_num(actx *c, const char *t, snum *num)
{
    memset(num, 0, sizeof *num);
    while (*t == ' ' || *t == '\t')
        t++;
    char *end;
    errno = 0;
    long long i = strtoll(t, &end, 10);
    if (end != t && errno == 0) {
        const char *e = end;
        while (*e == ' ' || *e == '\t')
            e++;
        if (!*e) {
            num->is_int = true;
            num->i = i;
            num->d = (double)i;
            num->text = arena_printf(c->a, "%lld", i);
            return true;
        }
    }
    double d = strtod(t, &end);
    const char *e = end;
    while (*e == ' ' || *e == '\t')
        e++;
    if (end == t || *e || !isfinite(d))
        return false;
    num->d = d;
    num->text = snum_format(c->a, d);
    if (snum_integral(d) && fabs(d) < 9.2e18) {
        num->is_int = true;
        num->i = (long long)d;
    }
    return true;
}

/* A value from a YAML scalar: typed as YAML types it, or forced. */
static svalue *value_from_node(actx *c, const ynode *n, value_type force)
{
    bool is_s = n->u.s.type == YT_STR || n->u.s.type == YT_DATE;
    const char *t = is_s ? n->u.s.text : pl_scalar_str(c->a, n);
    if (force == TO_STR || (force == TO_ANY && is_s))
        return sv_str(c->a, sstr_normalize(c->a, sstr_parse(c->a, t, strlen(t))));
    if (force == TO_NUM || n->u.s.type == YT_INT || n->u.s.type == YT_FLOAT) {
        svalue *x = sv_new(c->a, SV_NUM);
        return make_num(c, t, &x->num) ? x : NULL;
    }
    if (n->u.s.type == YT_BOOL) {
        svalue *x = sv_new(c->a, SV_BOOL);
        x->b = n->u.s.bval;
        return x;
    }
    return sv_new(c->a, SV_NULL);
}

/* SetValueTransformation: every value becomes `value` (force_type: str or num). */
bool pl_set_value(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)v;
    svalue *x = value_from_node(c, it->val, it->target);
    if (!x)
        return pl_fail(c, d->pos, "set_value: '%s' can't be converted to a number", it->val->u.s.text);
    return one(c, x, out, nout);
}

/* One value to str or num; *res NULL when it stays (nulls, already that type). */
static bool convert_one(actx *c, const pitem *it, const ditem *d, svalue *v, svalue **res)
{
    *res = NULL;
    if (v->kind == SV_NULL)
        return true;
    if (it->target == TO_STR) {
        if (v->kind == SV_NUM || v->kind == SV_BOOL) {
            const char *t = v->kind == SV_NUM ? v->num.text : v->b ? "true" : "false";
            *res = sv_str(c->a, sstr_plain(c->a, t, strlen(t)));
        }
        return true;
    }
    if (v->kind == SV_STR) {
        svalue *x = sv_new(c->a, SV_NUM);
        size_t n;
        const char *t = sstr_text(c->a, &v->str, &n);
        if (sstr_has_wildcard(&v->str) || sstr_has_placeholder(&v->str) || !make_num(c, t, &x->num))
            return pl_fail(c, d->pos, "Value '%s' can't be converted to number", sstr_sigma(c->a, &v->str));
        *res = x;
    } else if (v->kind == SV_BOOL) {
        return pl_fail(c, d->pos, "Value '%s' can't be converted to number", v->b ? "true" : "false");
    }
    return true;
}

/* ConvertTypeTransformation, also inside expansions. */
bool pl_convert_type(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind == SV_EXPANSION) {
        svalue *e = sv_new(c->a, SV_EXPANSION);
        *e = *v;
        e->items = arena_alloc(c->a, sizeof *e->items * (v->nitems ? v->nitems : 1));
        bool any = false;
        for (size_t i = 0; i < v->nitems; i++) {
            svalue *r;
            if (!convert_one(c, it, d, v->items[i], &r))
                return false;
            e->items[i] = r ? r : v->items[i];
            any = any || r;
        }
        return any ? one(c, e, out, nout) : true;
    }
    svalue *r;
    if (!convert_one(c, it, d, v, &r))
        return false;
    return r ? one(c, r, out, nout) : true;
}

/* ---- regex, case ---------------------------------------------------------------------- */

/* Python re.escape (3.7+): only regex-special characters */
static void re_escape(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch && strchr("()[]{}?*+-|^$\\.&~# \t\n\r\v\f", ch))
            sb_putc(b, '\\');
        sb_putc(b, (char)ch);
    }
}

static void put_cp(sbuf *b, utf8proc_int32_t cp)
{
    utf8proc_uint8_t buf[8];
    utf8proc_ssize_t k = utf8proc_encode_char(cp, buf);
    sb_putn(b, (const char *)buf, (size_t)k);
}

/* RegexTransformation: a string becomes an anchored regex (`*` -> .*, `?`
 * -> .); ignore_case_brackets writes letters as [aA], ignore_case_flag
 * sets the i flag. */
bool pl_to_regex(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    if (v->kind != SV_STR || v->str.n == 0)
        return true;
    sbuf b = SBUF_INIT;
    sb_putc(&b, '^');
    for (size_t i = 0; i < v->str.n; i++) {
        const spart *p = &v->str.parts[i];
        if (p->kind == SP_STAR) {
            sb_puts(&b, ".*");
        } else if (p->kind == SP_QMARK) {
            sb_putc(&b, '.');
        } else if (p->kind == SP_PH) {
            sb_free(&b);
            return pl_fail(c, d->pos,
                         "Placeholder '%s' can't be converted to a regular expression. Please use a placeholder "
                         "resolution transformation before.",
                         p->s);
        } else if (it->rx != RX_IGNORE_CASE_BRACKETS) {
            re_escape(&b, p->s, p->n);
        } else {
            const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)p->s;
            utf8proc_ssize_t off = 0, n = (utf8proc_ssize_t)p->n;
            while (off < n) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate(s + off, n - off, &cp);
                if (k <= 0) {
                    re_escape(&b, (const char *)s + off, 1);
                    off++;
                    continue;
                }
                utf8proc_category_t cat = utf8proc_category(cp);
                bool alpha = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
                utf8proc_int32_t lo = utf8proc_tolower(cp), up = utf8proc_toupper(cp);
                if (alpha && lo != up) {
                    sb_putc(&b, '[');
                    put_cp(&b, lo);
                    put_cp(&b, up);
                    sb_putc(&b, ']');
                } else {
                    re_escape(&b, (const char *)s + off, (size_t)k);
                }
                off += k;
            }
        }
    }
    sb_putc(&b, '$');
    svalue *x = sv_new(c->a, SV_RE);
    x->re = arena_strndup(c->a, b.p, b.len);
    x->re_len = b.len;
    x->re_flags = it->rx == RX_IGNORE_CASE_FLAG ? RE_I : 0;
    sb_free(&b);
    return one(c, x, out, nout);
}

/* Text lowered, uppered or snake_cased (an _ before each inner A-Z). */
static char *case_text(arena *a, const char *s, size_t n, case_method method, size_t *outlen)
{
    sbuf b = SBUF_INIT;
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t off = 0, len = (utf8proc_ssize_t)n;
    while (off < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(u + off, len - off, &cp);
        if (k <= 0) {
            sb_putc(&b, s[off]);
            off++;
            continue;
        }
        if (method == CASE_SNAKE && off > 0 && cp >= 'A' && cp <= 'Z')
            sb_putc(&b, '_');
        put_cp(&b, method == CASE_UPPER ? utf8proc_toupper(cp) : utf8proc_tolower(cp));
        off += k;
    }
    char *r = arena_strndup(a, b.p ? b.p : "", b.len);
    *outlen = b.len;
    sb_free(&b);
    return r;
}

/* CaseTransformation on the literal parts of a string. */
bool pl_change_case(actx *c, const pitem *it, const ditem *d, svalue *v, svalue ***out, size_t *nout)
{
    (void)d;
    if (v->kind != SV_STR)
        return true;
    sstr s;
    s.n = v->str.n;
    s.parts = arena_alloc(c->a, sizeof *s.parts * (s.n ? s.n : 1));
    for (size_t i = 0; i < s.n; i++) {
        s.parts[i] = v->str.parts[i];
        if (s.parts[i].kind == SP_TEXT)
            s.parts[i].s = case_text(c->a, s.parts[i].s, s.parts[i].n, it->cm, &s.parts[i].n);
    }
    svalue *x = sv_new(c->a, SV_STR);
    *x = *v;
    x->str = sstr_normalize(c->a, s);
    return one(c, x, out, nout);
}

