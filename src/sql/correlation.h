/* correlation.h - correlation rules as window SQL (sliding or tumbling
 * windows; event rows or alerts; correlations of correlations). */
#ifndef SIGMA_CORRELATION_H
#define SIGMA_CORRELATION_H

#include "../rule/rule.h"
#include "sql.h"

/* Renders the query of correlation rule r, whose references have been
 * resolved (correlation_resolve, which also resolves the correlations it
 * references) and whose referenced rules have been through pipelines
 * (their ->table is set). c->opt gives the windows (-c), the output and the
 * time window. On failure sets c->err. */
bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const char ***out, size_t *nout);

#endif
