/* correlation.h - correlation rules as sliding-window SQL, and filters. */
#ifndef SIGMA_CORRELATION_H
#define SIGMA_CORRELATION_H

#include "../rule/rule.h"
#include "sql.h"

/* Resolves r->corr->rules against all rules of the run (by id, then name)
 * and renders the correlation's queries. Referenced rules have already been
 * through pipelines (their ->table is set). On failure sets c->err. */
bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const rule_list *all,
                             const char ***out, size_t *nout);

/* Applies the filter documents among `all` to the plain rules they match
 * (logsource + rules), once each. Filters with errors are skipped. */
void filters_apply(arena *a, rule_list *all);

#endif
