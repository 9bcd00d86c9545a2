/* correlation.c - placeholder until correlations land. */
#include "correlation.h"

bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const rule_list *all,
                             const char ***out, size_t *nout)
{
    (void)d, (void)all, (void)out, (void)nout;
    return sql_fail(c, r->pos, "correlation rules are not supported yet");
}

void filters_apply(arena *a, rule_list *all)
{
    (void)a, (void)all;
}
