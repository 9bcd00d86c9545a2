/* correlation.h - correlation rules as sliding-window SQL. */
#ifndef SIGMA_CORRELATION_H
#define SIGMA_CORRELATION_H

#include "../rule/rule.h"
#include "sql.h"

/* Renders the query of correlation rule r, whose references have been
 * resolved (correlation_resolve) and whose referenced rules have been
 * through pipelines (their ->table is set). On failure sets c->err. */
bool sql_correlation_queries(sql_ctx *c, const sql_dialect *d, const srule *r, const char ***out, size_t *nout);

#endif
