/* default.c - the format default: every query, separated by a blank line,
 * with a newline after the last (nothing at all when there is no query);
 * and pack, the same for the rule packs (sigma_packs). */
#include "output.h"

static void default_item(sbuf *b, const out_item *it, const out_options *o)
{
    (void)o;
    if (it->index)
        sb_puts(b, "\n\n");
    sb_puts(b, it->res->queries[it->k]);
}

const out_format out_default = {
    .name = "default",
    .ext = ".sql",
    .description = "queries separated by a blank line",
    .item = default_item,
    .end = out_end_newline,
};

const out_format out_pack = {
    .name = "pack",
    .ext = ".sql",
    .description = "rule packs: one query per table for all its rules (each row with the rules it matches)",
    .pack = true,
    .item = default_item,
    .end = out_end_newline,
};
