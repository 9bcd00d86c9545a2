/* problem.c - problems of a rule against its table's schema.
 *
 * An unknown field or a value the column can never hold stops the rule
 * (sql_fail), unless it is a warning (-O unknown_fields=warn) or the
 * context collects every problem (sigma check): then it becomes a note and
 * the rendering goes on. Notes end up as the rule's warnings, or as the
 * diagnostics of `sigma check`. */
#include <stdarg.h>
#include <string.h>

#include "sql.h"

static void add_note(sql_ctx *c, spos pos, const char *msg, bool error)
{
    for (size_t i = 0; i < c->nnotes; i++)
        if (c->notes[i].pos.line == pos.line && c->notes[i].pos.col == pos.col &&
            strcmp(c->notes[i].message, msg) == 0)
            return;
    c->notes = arena_grow(c->a, c->notes, sizeof *c->notes, c->nnotes, c->nnotes + 1);
    c->notes[c->nnotes++] = (sql_note){pos, msg, error};
}

bool sql_problem(sql_ctx *c, spos pos, bool warning, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = arena_vprintf(c->a, fmt, ap);
    va_end(ap);
    if (!warning && !c->collect)
        return sql_fail(c, pos, "%s", msg);
    add_note(c, pos, msg, !warning);
    return true;
}

void sql_take_notes(sql_ctx *c, const sql_ctx *sub)
{
    for (size_t i = 0; i < sub->nnotes; i++)
        add_note(c, sub->notes[i].pos, sub->notes[i].message, sub->notes[i].error);
}
