/* views.c - the format views: one statement per query,
 *
 *     CREATE OR REPLACE VIEW <prefix><name> AS <query>;
 *
 * separated by a blank line like the queries of the default format. The
 * name is the result's file key, lower-cased with every character other
 * than a-z, 0-9 and _ written _, and _2, _3 ... for a rule's second and
 * later queries; the prefix (option view_prefix, default "sigma_") may
 * start with catalog and schema parts ("detections.sigma_"). The last part
 * is an identifier as src/sql/quote.c writes one: bare when it is a plain,
 * unreserved identifier, else double-quoted. */
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "../sql/quote.h"

#define DEFAULT_PREFIX "sigma_"

static void views_ident(sbuf *b, const char *key, size_t k, const out_options *o)
{
    const char *prefix = o->view_prefix ? o->view_prefix : DEFAULT_PREFIX;
    const char *dot = strrchr(prefix, '.');
    sb_puts(b, dot ? dot + 1 : prefix);
    for (const char *p = key; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '_';
        sb_putc(b, c);
    }
    if (k)
        sb_printf(b, "_%zu", k + 1);
}

static void views_item(sbuf *b, const out_item *it, const out_options *o)
{
    const char *prefix = o->view_prefix ? o->view_prefix : DEFAULT_PREFIX;
    const char *dot = strrchr(prefix, '.');
    if (it->index)
        sb_puts(b, "\n\n");
    sb_puts(b, "CREATE OR REPLACE VIEW ");
    if (dot)
        sb_putn(b, prefix, (size_t)(dot - prefix) + 1);
    sql_ident_part(b, it->name, strlen(it->name));
    sb_puts(b, " AS ");
    sb_puts(b, it->res->queries[it->k]);
    sb_putc(b, ';');
}

const out_format out_views = {
    .name = "views",
    .ext = ".sql",
    .description = "CREATE OR REPLACE VIEW statements, one per query (option view_prefix)",
    .ident = views_ident,
    .ident_sep = "_",
    .item = views_item,
    .end = out_end_newline,
};

const char *out_check_view_prefix(const char *v)
{
    /* ([A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z0-9_]* */
    const char *part = v;
    for (const char *p = v;; p++) {
        char c = *p;
        bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (word)
            continue;
        if (c == '.') {
            if (p == part || (*part >= '0' && *part <= '9') || sql_is_reserved(part, (size_t)(p - part)))
                return "a catalog or schema part of view_prefix must be an unreserved identifier "
                       "([A-Za-z_][A-Za-z0-9_]*)";
            part = p + 1;
            continue;
        }
        if (!c)
            return NULL;
        return "view_prefix may only hold letters, digits and _ (after catalog or schema parts ending in '.')";
    }
}
