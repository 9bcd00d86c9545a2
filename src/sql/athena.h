/* athena.h - the parts of the Athena (Trino) dialect (athena.c: leaves;
 * columns.c: field resolution). Not for other modules: they use the
 * dialect through sql_athena (sql.h). */
#ifndef SIGMA_ATHENA_H
#define SIGMA_ATHENA_H

#include "sql.h"

/* The dialect's column slot: `field` against the schema of c->table (or as
 * a plain column path when the table has none). */
bool athena_column(sql_ctx *c, const char *field, sql_use use, spos pos, sql_col *out);

/* The column's type for messages: "int", "string", "JSON text", ... */
const char *athena_type_name(arena *a, const sql_col *col);

#endif
