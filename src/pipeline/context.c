/* context.c - what every transformation shares while one rule goes through
 * the items (actx): failing the rule, string lists, and the record of which
 * items were applied to a detection item (processing_item_applied). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <stdarg.h>
#include <string.h>


bool pl_fail(actx *c, spos pos, const char *fmt, ...)
{
    c->failed = true;
    if (c->r->error)
        return false;
    va_list ap;
    va_start(ap, fmt);
    const char *m = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    rule_fail(c->a, c->r, pos, "%s", m);
    return false;
}

void pl_push_str(arena *a, const char ***arr, size_t *n, const char *s)
{
    const char **v = arena_grow(a, (void *)*arr, sizeof **arr, *n, *n + 1);
    v[*n] = s;
    *arr = v;
    (*n)++;
}

bool pl_has_str(const char *const *arr, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (arr[i] && s && strcmp(arr[i], s) == 0)
            return true;
    return false;
}

void pl_mark_item(actx *c, ditem *d, const pitem *it)
{
    if (it->id && !pl_has_str(d->applied, d->napplied, it->id))
        pl_push_str(c->a, &d->applied, &d->napplied, it->id);
}
