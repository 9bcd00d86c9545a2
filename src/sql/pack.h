/* pack.h - rule packs: one query per table for all the rules that read it
 * (pack.c).
 *
 * N rules on one table are N scans of it; a pack is one:
 *
 *   SELECT * FROM (SELECT <columns>, filter(ARRAY[CASE WHEN <rule 1> THEN
 *   '<label 1>' END, ...], sigma_rule -> sigma_rule IS NOT NULL) AS
 *   sigma_rules FROM <table> [WHERE <window>]) WHERE cardinality(sigma_rules)
 *   > 0
 *
 * Each rule's condition is written once (in its CASE), so a pack holds
 * about twice as many rules as `WHERE <window> AND (<rule 1> OR ...)` with
 * the same list would; a row comes back once, with the labels of every rule
 * it matches (the rows are those of the rules' own queries). Rules are
 * packed in input order; a pack is closed before a rule that would take its
 * text over Athena's 262,144 bytes (a rule too large on its own is a pack of
 * its own, over the limit).
 *
 * Columns: the union over the pack's rules of what each needs: a rule's
 * `fields`, or, for a rule without `fields`, the fields its conditions read
 * (keyword rules: the -O keyword_fields columns); always the table's window
 * column (when a window is set or the table's schema has it) and the
 * -O pack_fields. A field that is not a plain column is named by its Sigma
 * field name (`api.operation AS "api.operation"`). A rule with `fields: ['*']`
 * makes its pack select every column. */
#ifndef SIGMA_PACK_H
#define SIGMA_PACK_H

#include "sql.h"

typedef struct sql_pack {
    const char *table;    /* NULL: <TABLE> */
    const char *query;
    const srule **rules;  /* the rules it covers, in input order */
    size_t nrules;
} sql_pack;

/* A rule's label in sigma_rules: its id, else its name, else its title,
 * else its file. */
const char *sql_pack_label(const srule *r);

/* The packs of rules[0..n) (converted plain rules; their tables are set),
 * grouped by table in order of each table's first rule. Memory from c->a.
 * False with c->err set (and *failed the rule) if a rule cannot be
 * written. */
bool sql_packs(sql_ctx *c, const sql_dialect *d, const srule *const *rules, size_t n, sql_pack **out, size_t *nout,
               const srule **failed);

#endif
