/* rule.c - what every rule document shares: the attributes (id, name,
 * title, level, status, tags, dates, fields, ...) and the log source,
 * validated; errors; lookups by reference; condition parsing.
 *
 * Validation follows pySigma's SigmaRuleBase/SigmaRule checks (attribute by
 * attribute, same wording) but every error carries the offending node's
 * position and never aborts the run: the rule is kept with ->error set.
 * Metadata defects (see rule_defect) do not fail the rule at all. */
#include "rule.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/limits.h"
#include "internal.h"

void rule_list_push(arena *a, rule_list *l, srule *r)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        l->v = arena_grow(a, l->v, sizeof *l->v, l->cap, nc);
        l->cap = nc;
    }
    l->v[l->n++] = r;
}

/* Every message of a rule is made here: formatted (arena_vprintf) and cut
 * to SIGMA_MAX_RULE_MESSAGE - 1 bytes, "..." marking the cut. */
static const char *vfmt(arena *a, const char *fmt, va_list ap)
{
    char *m = arena_vprintf(a, fmt, ap);
    size_t n = strlen(m);
    if (n >= SIGMA_MAX_RULE_MESSAGE) {
        memcpy(m + SIGMA_MAX_RULE_MESSAGE - 4, "...", 3);
        m[SIGMA_MAX_RULE_MESSAGE - 1] = 0;
    }
    return m;
}

bool rule_fail(arena *a, srule *r, spos pos, const char *fmt, ...)
{
    if (r->error)
        return false;
    va_list ap;
    va_start(ap, fmt);
    sdiag *d = arena_alloc(a, sizeof *d);
    d->pos = pos.line ? pos : r->pos;
    d->message = vfmt(a, fmt, ap);
    va_end(ap);
    r->error = d;
    return false;
}

/* ------------------------------------------------------------ helpers */

static bool is_truthy(const ynode *n)
{
    if (!n)
        return false;
    if (n->kind == YN_SEQ)
        return n->u.seq.n > 0;
    if (n->kind == YN_MAP)
        return n->u.map.n > 0;
    switch (n->u.s.type) {
    case YT_NULL:
        return false;
    case YT_BOOL:
        return n->u.s.bval;
    case YT_INT:
    case YT_FLOAT:
        return n->u.s.fval != 0;
    default:
        return n->u.s.len > 0;
    }
}

static bool is_uuid(const char *s)
{
    /* Python's UUID(): strip "urn:" and "uuid:", braces, hyphens; 32 hex digits */
    size_t n = 0;
    const char *p = s;
    if (strncmp(p, "urn:", 4) == 0)
        p += 4;
    if (strncmp(p, "uuid:", 5) == 0)
        p += 5;
    size_t len = strlen(p);
    while (len && *p == '{')
        p++, len--;
    while (len && p[len - 1] == '}')
        len--;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '-')
            continue;
        if (!isxdigit((unsigned char)p[i]) || n >= 32)
            return false;
        n++;
    }
    return n == 32;
}

static bool valid_date(const char *s)
{
    /* [1-3]ddd-[01]d-[0-3]d or [1-3]ddd/[01]?d/[0-3]?d, a real calendar date */
    int y = 0, m = 0, d = 0;
    size_t i = 0;
    if (!(s[0] >= '1' && s[0] <= '3'))
        return false;
    for (i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        y = y * 10 + (s[i] - '0');
    }
    char sep = s[4];
    if (sep != '-' && sep != '/')
        return false;
    i = 5;
    int nd = 0;
    while (isdigit((unsigned char)s[i]) && nd < 2)
        m = m * 10 + (s[i++] - '0'), nd++;
    if (nd == 0 || (sep == '-' && nd != 2) || s[i] != sep)
        return false;
    i++;
    nd = 0;
    while (isdigit((unsigned char)s[i]) && nd < 2)
        d = d * 10 + (s[i++] - '0'), nd++;
    if (nd == 0 || (sep == '-' && nd != 2) || s[i])
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

static bool valid_date_node(const ynode *n)
{
    if (n->kind != YN_SCALAR)
        return false;
    if (n->u.s.type == YT_DATE) {
        /* a timestamp or date PyYAML accepted: check the date part */
        char buf[16];
        size_t k = 0;
        while (k < 10 && k < n->u.s.len)
            buf[k] = n->u.s.text[k], k++;
        buf[k] = 0;
        if (n->u.s.len >= 10 && valid_date(buf))
            return true;
        /* YYYY-M-D timestamps */
        return valid_date(n->u.s.text);
    }
    return valid_date(n->u.s.text);
}

/* ------------------------------------------------------------ attributes */

static bool str_list(arena *a, srule *r, const ynode *n, const char ***out, size_t *nout, const char *what)
{
    if (n->kind != YN_SEQ)
        return rule_fail(a, r, node_pos(n), "Sigma rule %s must be a list", what);
    const char **v = arena_alloc(a, sizeof *v * (n->u.seq.n + 1));
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *it = n->u.seq.items[i];
        if (it->kind != YN_SCALAR)
            return rule_fail(a, r, node_pos(it), "Sigma rule %s must be a list of strings", what);
        v[i] = it->u.s.text;
    }
    *out = v;
    *nout = n->u.seq.n;
    return true;
}

static int rank_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (lower_eq(s, names[i]))
            return i;
    return -1;
}

int rule_level_rank(const char *level)
{
    static const char *const lv[] = {"informational", "low", "medium", "high", "critical"};
    return rank_of(level, lv, 5);
}

int rule_status_rank(const char *status)
{
    static const char *const st[] = {"unsupported", "deprecated", "experimental", "test", "stable"};
    return rank_of(status, st, 5);
}

/* ---- metadata --------------------------------------------------------
 * Attributes that describe a rule without changing what it detects: id,
 * name, taxonomy, related, level, status, tags, date, modified,
 * falsepositives, author, description, references, title, scope, license.
 * A malformed one is a defect (rule_defect): loading goes on, the attribute
 * is kept as far as it can be (a scalar as its text; a level or status
 * that is not one of Sigma's, or a value of the wrong shape, as absent),
 * and the defect is reported: a warning from sigma_compile, an error from
 * sigma_check and, with sigma_set_strict, the rule's error (pySigma's
 * refusal). Messages are pySigma's. `fields` changes the query (its SELECT
 * list) and stays an error. */

bool rule_defect(arena *a, srule *r, spos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->defects = arena_grow(a, r->defects, sizeof *r->defects, r->ndefects, r->ndefects + 1);
    sdiag *d = &r->defects[r->ndefects++];
    d->pos = pos.line ? pos : r->pos;
    d->message = vfmt(a, fmt, ap);
    va_end(ap);
    return true;
}

/* The text of a scalar that is not null, else NULL. */
static const char *scalar_text(const ynode *n)
{
    return n && n->kind == YN_SCALAR && n->u.s.type != YT_NULL ? n->u.s.text : NULL;
}

/* A string attribute: its text; a defect (what: "name", ...) if it is not
 * a string, and then the text of a scalar, else NULL. */
static const char *meta_string(arena *a, srule *r, const ynode *n, const char *what)
{
    if (!is_str(n))
        rule_defect(a, r, node_pos(n), "Sigma rule %s must be a string", what);
    return scalar_text(n);
}

static void check_related(arena *a, srule *r, const ynode *n)
{
    static const char *const types[] = {"derived", "obsolete", "merged", "renamed", "similar", "correlation"};
    if (n->kind != YN_SEQ) {
        rule_defect(a, r, node_pos(n), "Sigma rule related must be a list");
        return;
    }
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *it = n->u.seq.items[i];
        if (it->kind != YN_MAP) {
            rule_defect(a, r, node_pos(it), "Sigma related items must be maps with an id and type field");
            continue;
        }
        const ynode *rid = ymap_get(it, "id"), *rt = ymap_get(it, "type");
        if (!rid) {
            rule_defect(a, r, node_pos(it), "Sigma related must have an id field");
        } else if (!rt) {
            rule_defect(a, r, node_pos(it), "Sigma related must have a type field");
        } else if (!is_str(rid)) {
            rule_defect(a, r, node_pos(rid), "Sigma related identifier must be a string UUID");
        } else if (!is_uuid(rid->u.s.text)) {
            rule_defect(a, r, node_pos(rid), "Sigma related identifier must be an UUID");
        } else if (!is_str(rt)) {
            rule_defect(a, r, node_pos(rt), "Sigma related type must be a string");
        } else {
            size_t k = 0;
            while (k < sizeof types / sizeof *types && !lower_eq(rt->u.s.text, types[k]))
                k++;
            if (k == sizeof types / sizeof *types)
                rule_defect(a, r, node_pos(rt), "%s is not a Sigma related valid type", rt->u.s.text);
        }
    }
}

/* level or status: the value if it is one of Sigma's, else a defect and NULL */
static const char *meta_rank(arena *a, srule *r, const ynode *n, const char *what, int (*rank)(const char *))
{
    if (!is_str(n)) {
        rule_defect(a, r, node_pos(n), "Sigma rule %s must be a string", what);
        return NULL;
    }
    if (rank(n->u.s.text) < 0) {
        rule_defect(a, r, node_pos(n), "'%s' is not a valid Sigma rule %s", n->u.s.text, what);
        return NULL;
    }
    return n->u.s.text;
}

static void check_tags(arena *a, srule *r, const ynode *n)
{
    if (n->kind != YN_SEQ) {
        rule_defect(a, r, node_pos(n), "Sigma tags fields must be a list");
        return;
    }
    const char **v = arena_alloc(a, sizeof *v * (n->u.seq.n + 1));
    size_t k = 0;
    for (size_t i = 0; i < n->u.seq.n; i++) {
        const ynode *t = n->u.seq.items[i];
        if (!is_str(t))
            rule_defect(a, r, node_pos(t), "Sigma rule tags must be a list of strings");
        else if (!strchr(t->u.s.text, '.'))
            rule_defect(a, r, node_pos(t), "Sigma tag must start with namespace separated with dot from remaining tag.");
        const char *text = scalar_text(t);
        if (text)
            v[k++] = text;
    }
    r->tags = v;
    r->ntags = k;
}

/* The attributes every document has. Metadata defects are recorded and
 * loading goes on; false (r->error set) only for `fields`. */
bool rule_check_common(arena *a, srule *r, const ynode *doc)
{
    const ynode *n;
    if ((n = ymap_get(doc, "id")) && !is_null(n)) {
        if (!is_str(n))
            rule_defect(a, r, node_pos(n), "Sigma rule identifier must be a string UUID");
        else if (!is_uuid(n->u.s.text))
            rule_defect(a, r, node_pos(n), "Sigma rule identifier must be an UUID");
        r->id = scalar_text(n);
    }
    if ((n = ymap_get(doc, "name")) && !is_null(n)) {
        const char *name = meta_string(a, r, n, "name");
        if (is_str(n) && !n->u.s.len)
            rule_defect(a, r, node_pos(n), "Sigma rule name must not be empty");
        r->name = name && *name ? name : NULL;
    }
    if ((n = ymap_get(doc, "taxonomy")) && !is_null(n)) {
        meta_string(a, r, n, "taxonomy");
        if (is_str(n) && !n->u.s.len)
            rule_defect(a, r, node_pos(n), "Sigma rule taxonomy must not be empty");
    }
    if ((n = ymap_get(doc, "related")) && !is_null(n))
        check_related(a, r, n);
    if ((n = ymap_get(doc, "level")) && !is_null(n))
        r->level = meta_rank(a, r, n, "level", rule_level_rank);
    if ((n = ymap_get(doc, "status")) && !is_null(n))
        r->status = meta_rank(a, r, n, "status", rule_status_rank);
    if ((n = ymap_get(doc, "tags")) && !is_null(n))
        check_tags(a, r, n);
    if ((n = ymap_get(doc, "date")) && !is_null(n) && !valid_date_node(n))
        rule_defect(a, r, node_pos(n), "Rule date '%s' is invalid, use yyyy-mm-dd", scalar_or_kind(n));
    if ((n = ymap_get(doc, "modified")) && !is_null(n) && !valid_date_node(n))
        rule_defect(a, r, node_pos(n), "Rule modified '%s' is invalid, use yyyy-mm-dd", scalar_or_kind(n));
    if ((n = ymap_get(doc, "fields")) && !is_null(n)) {
        if (!str_list(a, r, n, &r->fields, &r->nfields, "fields"))
            return false;
        r->fields_pos = node_pos(n);
    }
    if ((n = ymap_get(doc, "falsepositives")) && !is_null(n) && n->kind != YN_SEQ)
        rule_defect(a, r, node_pos(n), "Sigma rule falsepositives must be a list");
    if ((n = ymap_get(doc, "author")) && !is_null(n))
        r->author = meta_string(a, r, n, "author");
    if ((n = ymap_get(doc, "description")) && !is_null(n))
        r->description = meta_string(a, r, n, "description");
    if ((n = ymap_get(doc, "references")) && !is_null(n) && n->kind != YN_SEQ)
        rule_defect(a, r, node_pos(n), "Sigma rule references must be a list");
    n = ymap_get(doc, "title");
    if (!n || is_null(n)) {
        rule_defect(a, r, node_pos(n ? n : doc), "Sigma rule must have a title");
    } else {
        r->title = meta_string(a, r, n, "title");
        if (is_str(n) && n->u.s.len > 256)
            rule_defect(a, r, node_pos(n), "Sigma rule title length must not exceed 256 characters");
    }
    if ((n = ymap_get(doc, "scope")) && !is_null(n) && n->kind != YN_SEQ)
        rule_defect(a, r, node_pos(n), "Sigma rule scope must be a list");
    if ((n = ymap_get(doc, "license")) && !is_null(n) && !is_str(n))
        rule_defect(a, r, node_pos(n), "Sigma rule license must be a string");
    return true;
}

bool rule_parse_logsource(arena *a, srule *r, const ynode *doc, const char *what)
{
    const ynode *ls = ymap_get(doc, "logsource");
    if (!ls)
        return rule_fail(a, r, r->pos, "Sigma %s must have a log source", what);
    if (ls->kind != YN_MAP)
        return rule_fail(a, r, node_pos(ls), "Sigma logsource must be a valid YAML map");
    static const char *const keys[] = {"category", "product", "service", "definition"};
    const char **dst[] = {&r->ls.category, &r->ls.product, &r->ls.service, &r->ls.definition};
    for (int k = 0; k < 4; k++) {
        const ynode *v = ymap_get(ls, keys[k]);
        if (!v || !is_truthy(v))
            continue;
        if (v->kind != YN_SCALAR || v->u.s.type != YT_STR)
            return rule_fail(a, r, node_pos(v), "Sigma log source %s must be string", keys[k]);
        *dst[k] = v->u.s.text;
    }
    if (!r->ls.category && !r->ls.product && !r->ls.service)
        return rule_fail(a, r, node_pos(ls), "Sigma log source can't be empty");
    r->has_ls = true;
    return true;
}

/* ------------------------------------------------------------ lookups */

bool rule_is_ref(const srule *r, const char *ref)
{
    return (r->id && lower_eq(r->id, ref)) || (r->name && strcmp(r->name, ref) == 0);
}

srule *rule_list_find(const rule_list *l, const char *ref)
{
    for (size_t i = 0; i < l->n; i++) {
        srule *x = l->v[i];
        if (x->type != RT_FILTER && x->id && lower_eq(x->id, ref))
            return x;
    }
    for (size_t i = 0; i < l->n; i++) {
        srule *x = l->v[i];
        if (x->type != RT_FILTER && x->name && strcmp(x->name, ref) == 0)
            return x;
    }
    return NULL;
}

static bool field_is(const char *want, const char *have)
{
    return !want || (have && strcmp(want, have) == 0);
}

bool logsource_matches(const logsource *want, const logsource *have)
{
    return field_is(want->category, have->category) && field_is(want->product, have->product) &&
           field_is(want->service, have->service);
}

/* ------------------------------------------------------------ conditions */

void rule_parse_condition(arena *a, rcond *c, const char *text, size_t len, spos pos)
{
    c->text = text;
    c->len = len;
    c->pos = pos;
    cerror e;
    c->ast = cond_parse(a, text, len, &e);
    c->err = NULL;
    if (!c->ast) {
        cerror *k = arena_alloc(a, sizeof *k);
        *k = e;
        c->err = k;
    }
}
