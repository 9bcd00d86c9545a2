/* ddl.c - Athena/Hive DDL (SHOW CREATE TABLE) -> tables.
 *
 *   file    := stmt? (';' stmt?)*
 *   stmt    := CREATE [EXTERNAL] TABLE [IF NOT EXISTS] name '(' column (',' column)* ')' clause*
 *   name    := ident ['.' ident]
 *   column  := ident type [COMMENT string]
 *   clause  := COMMENT string | PARTITIONED BY '(' part (',' part)* ')' | LOCATION string
 *            | TBLPROPERTIES props | WITH SERDEPROPERTIES props
 *            | ROW FORMAT ... | STORED AS|BY ... | CLUSTERED BY ... | SORTED BY ... | SKEWED BY ...
 *   part    := ident type [COMMENT string]    (Hive: a partition column)
 *            | ident | ident '(' ... ')'       (Iceberg: an existing column or a transform; ignored)
 *   props   := '(' string '=' string (',' string '=' string)* ')'
 *
 * Keywords are case-insensitive; an ident is a word ([A-Za-z_][A-Za-z0-9_]*)
 * or back-quoted (`` ` `` doubled inside); strings are '...' or "..." with
 * backslash escapes; comments are -- to the end of the line and / * ... * /.
 * Types are read by stype_parse straight from the text (so `struct<a:
 * string>` may span lines). The clauses that carry nothing a schema needs
 * (ROW FORMAT, STORED, CLUSTERED, SORTED, SKEWED) are read as balanced
 * tokens up to the next clause keyword. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "schema.h"

typedef enum { K_EOF, K_WORD, K_QIDENT, K_STRING, K_NUMBER, K_PUNCT } tkind;

typedef struct tok {
    tkind kind;
    size_t off;       /* where it starts */
    const char *text; /* word, number: as written; qident, string: decoded (NUL-terminated) */
    size_t len;
    char c;           /* K_PUNCT */
} tok;

typedef struct dctx {
    arena *a;
    const char *name;
    const char *s; /* after a byte-order mark */
    size_t n, i;
    tok t;         /* the current token */
    char *err;
    size_t errlen;
    bool failed;
} dctx;

static bool dfail(dctx *d, size_t off, const char *fmt, ...)
{
    if (d->failed)
        return false;
    va_list ap;
    va_start(ap, fmt);
    schema_verrf(d->err, d->errlen, d->name, d->s, d->n, off, fmt, ap);
    va_end(ap);
    d->failed = true;
    return false;
}

/* ------------------------------------------------------------------ lexer */

/* Skips white space and comments; false on an unterminated comment. */
static bool skip_space(dctx *d)
{
    for (;;) {
        while (d->i < d->n && isspace((unsigned char)d->s[d->i]))
            d->i++;
        if (d->i + 1 < d->n && d->s[d->i] == '-' && d->s[d->i + 1] == '-') {
            while (d->i < d->n && d->s[d->i] != '\n')
                d->i++;
            continue;
        }
        if (d->i + 1 < d->n && d->s[d->i] == '/' && d->s[d->i + 1] == '*') {
            size_t start = d->i;
            d->i += 2;
            while (d->i + 1 < d->n && !(d->s[d->i] == '*' && d->s[d->i + 1] == '/'))
                d->i++;
            if (d->i + 1 >= d->n) {
                d->i = d->n;
                return dfail(d, start, "unterminated comment");
            }
            d->i += 2;
            continue;
        }
        return true;
    }
}

/* A quoted token at d->i: back-quoted ident (q = '`', ` doubled) or a
 * string (q = ' or ", backslash escapes). */
static bool lex_quoted(dctx *d, char q)
{
    size_t start = d->i++;
    sbuf b = SBUF_INIT;
    for (;;) {
        if (d->i >= d->n) {
            sb_free(&b);
            return dfail(d, start, q == '`' ? "unterminated `-quoted name" : "unterminated string");
        }
        char c = d->s[d->i++];
        if (c == q) {
            if (q == '`' && d->i < d->n && d->s[d->i] == '`') {
                sb_putc(&b, '`');
                d->i++;
                continue;
            }
            break;
        }
        if (c == '\\' && q != '`' && d->i < d->n) {
            c = d->s[d->i++];
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        if (c == 0) {
            sb_free(&b);
            return dfail(d, d->i - 1, "NUL byte in %s", q == '`' ? "a name" : "a string");
        }
        sb_putc(&b, c);
    }
    if (q == '`' && !b.len) {
        sb_free(&b);
        return dfail(d, start, "empty `-quoted name");
    }
    d->t = (tok){.kind = q == '`' ? K_QIDENT : K_STRING, .off = start, .len = b.len};
    d->t.text = arena_strndup(d->a, b.p ? b.p : "", b.len);
    sb_free(&b);
    return true;
}

/* Reads the next token into d->t. */
static bool next(dctx *d)
{
    if (!skip_space(d))
        return false;
    size_t start = d->i;
    if (d->i >= d->n) {
        d->t = (tok){.kind = K_EOF, .off = start};
        return true;
    }
    unsigned char c = (unsigned char)d->s[d->i];
    if (isalpha(c) || c == '_') {
        while (d->i < d->n && (isalnum((unsigned char)d->s[d->i]) || d->s[d->i] == '_'))
            d->i++;
        d->t = (tok){.kind = K_WORD, .off = start, .text = d->s + start, .len = d->i - start};
        return true;
    }
    if (isdigit(c)) {
        while (d->i < d->n && isdigit((unsigned char)d->s[d->i]))
            d->i++;
        d->t = (tok){.kind = K_NUMBER, .off = start, .text = d->s + start, .len = d->i - start};
        return true;
    }
    if (c == '`' || c == '\'' || c == '"')
        return lex_quoted(d, (char)c);
    if (strchr("(),;.=<>:", c) && c) {
        d->i++;
        d->t = (tok){.kind = K_PUNCT, .off = start, .c = (char)c};
        return true;
    }
    if (c >= 0x21 && c < 0x7f)
        return dfail(d, start, "unexpected character '%c'", c);
    return dfail(d, start, "unexpected byte 0x%02X", c);
}

static bool is_word(const dctx *d, const char *w)
{
    return d->t.kind == K_WORD && name_eq(d->t.text, d->t.len, w, strlen(w));
}

static bool is_punct(const dctx *d, char c)
{
    return d->t.kind == K_PUNCT && d->t.c == c;
}

/* The current token for messages. */
static const char *tok_shown(dctx *d)
{
    switch (d->t.kind) {
    case K_EOF: return "the end of the file";
    case K_PUNCT: return arena_printf(d->a, "'%c'", d->t.c);
    case K_STRING: return "a string";
    case K_QIDENT: return arena_printf(d->a, "`%s`", shown(d->a, d->t.text));
    default: return arena_printf(d->a, "'%s'", shown(d->a, arena_strndup(d->a, d->t.text, d->t.len)));
    }
}

/* The current token must be keyword w; moves past it. */
static bool expect_word(dctx *d, const char *w, const char *where)
{
    if (!is_word(d, w))
        return dfail(d, d->t.off, "expected %s%s, found %s", w, where, tok_shown(d));
    return next(d);
}

static bool expect_punct(dctx *d, char c, const char *where)
{
    if (!is_punct(d, c))
        return dfail(d, d->t.off, "expected '%c'%s, found %s", c, where, tok_shown(d));
    return next(d);
}

/* An identifier (word or back-quoted): its text, and moves past it. */
static const char *ident(dctx *d, const char *what)
{
    if (d->t.kind == K_WORD) {
        const char *s = arena_strndup(d->a, d->t.text, d->t.len);
        return next(d) ? s : NULL;
    }
    if (d->t.kind == K_QIDENT) {
        const char *s = d->t.text;
        return next(d) ? s : NULL;
    }
    dfail(d, d->t.off, "expected %s, found %s", what, tok_shown(d));
    return NULL;
}

static const char *string(dctx *d, const char *after)
{
    if (d->t.kind != K_STRING) {
        dfail(d, d->t.off, "expected a string after %s, found %s", after, tok_shown(d));
        return NULL;
    }
    const char *s = d->t.text;
    return next(d) ? s : NULL;
}

/* A type starting at the next non-space character; the token after it is
 * read into d->t. */
static const stype *type(dctx *d, const char *column)
{
    /* d->t is the token after the name, already lexed: restart at it */
    d->i = d->t.off;
    size_t end;
    const char *msg;
    const stype *t = stype_parse(d->a, d->s + d->i, d->n - d->i, &end, &msg);
    if (!t) {
        dfail(d, d->i + end, "column '%s': %s", shown(d->a, column), msg);
        return NULL;
    }
    d->i += end;
    return next(d) ? t : NULL;
}

/* --------------------------------------------------------------- columns */

typedef struct dcols {
    smember *m;
    size_t *pos; /* offset of each column's name */
    size_t n, cap;
} dcols;

static void col_push(dctx *d, dcols *c, const char *name, const stype *t, size_t pos)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 32;
        c->m = arena_grow(d->a, c->m, sizeof *c->m, c->cap, nc);
        c->pos = arena_grow(d->a, c->pos, sizeof *c->pos, c->cap, nc);
        c->cap = nc;
    }
    c->m[c->n] = (smember){name, t};
    c->pos[c->n++] = pos;
}

/* name type [COMMENT 'x'] */
static bool column(dctx *d, dcols *c)
{
    size_t at = d->t.off;
    const char *name = ident(d, "a column name");
    if (!name)
        return false;
    const stype *t = type(d, name);
    if (!t)
        return false;
    if (is_word(d, "COMMENT")) {
        if (!next(d) || !string(d, "COMMENT"))
            return false;
    }
    col_push(d, c, name, t, at);
    return true;
}

/* Skips a balanced parenthesised group; d->t is '('. */
static bool skip_group(dctx *d)
{
    size_t open = d->t.off;
    int depth = 0;
    do {
        if (d->t.kind == K_EOF)
            return dfail(d, open, "unbalanced '(': no matching ')'");
        if (is_punct(d, '('))
            depth++;
        else if (is_punct(d, ')'))
            depth--;
        if (!next(d))
            return false;
    } while (depth > 0);
    return true;
}

/* PARTITIONED BY ( part, ... ); d->t is the '('. */
static bool partitions(dctx *d, dcols *c, size_t *nparts)
{
    if (!expect_punct(d, '(', " after PARTITIONED BY"))
        return false;
    for (;;) {
        size_t at = d->t.off;
        const char *name = ident(d, "a partition column");
        if (!name)
            return false;
        if (is_punct(d, '(')) { /* an Iceberg transform: day(ts), bucket(16, id) */
            if (!skip_group(d))
                return false;
        } else if (!is_punct(d, ',') && !is_punct(d, ')')) {
            const stype *t = type(d, name);
            if (!t)
                return false;
            if (is_word(d, "COMMENT") && (!next(d) || !string(d, "COMMENT")))
                return false;
            col_push(d, c, name, t, at);
            (*nparts)++;
        }
        if (is_punct(d, ')'))
            return next(d);
        if (!expect_punct(d, ',', " or ')' in PARTITIONED BY"))
            return false;
    }
}

/* ( 'k'='v', ... ) */
static bool props(dctx *d, const char *what)
{
    const char *where = arena_printf(d->a, " after %s", what);
    if (!expect_punct(d, '(', where))
        return false;
    for (;;) {
        if (d->t.kind != K_STRING)
            return dfail(d, d->t.off, "expected 'key'='value' in %s, found %s", what, tok_shown(d));
        if (!next(d) || !expect_punct(d, '=', arena_printf(d->a, " in %s", what)))
            return false;
        if (d->t.kind != K_STRING)
            return dfail(d, d->t.off, "expected 'key'='value' in %s, found %s", what, tok_shown(d));
        if (!next(d))
            return false;
        if (is_punct(d, ')'))
            return next(d);
        if (!expect_punct(d, ',', arena_printf(d->a, " or ')' in %s", what)))
            return false;
    }
}

static const char *const clause_words[] = {"COMMENT", "PARTITIONED", "CLUSTERED", "SORTED", "SKEWED", "ROW",
                                           "STORED", "WITH", "LOCATION", "TBLPROPERTIES", NULL};

static bool at_clause(const dctx *d)
{
    for (size_t k = 0; clause_words[k]; k++)
        if (is_word(d, clause_words[k]))
            return true;
    return false;
}

/* The tokens of a clause we do not interpret, up to the next clause. */
static bool skip_clause(dctx *d, const char *what)
{
    size_t n = 0;
    while (d->t.kind != K_EOF && !is_punct(d, ';') && !at_clause(d)) {
        if (is_punct(d, ')'))
            return dfail(d, d->t.off, "unexpected ')' in %s", what);
        if (is_punct(d, '(') ? !skip_group(d) : !next(d))
            return false;
        n++;
    }
    if (!n)
        return dfail(d, d->t.off, "incomplete %s clause: found %s", what, tok_shown(d));
    return true;
}

static bool clauses(dctx *d, dcols *c, size_t *nparts, const char **comment)
{
    bool partitioned = false;
    while (d->t.kind != K_EOF && !is_punct(d, ';')) {
        size_t at = d->t.off;
        if (is_word(d, "COMMENT")) {
            if (!next(d) || !(*comment = string(d, "COMMENT")))
                return false;
        } else if (is_word(d, "PARTITIONED")) {
            if (partitioned)
                return dfail(d, at, "PARTITIONED BY given twice");
            partitioned = true;
            if (!next(d) || !expect_word(d, "BY", " after PARTITIONED") || !partitions(d, c, nparts))
                return false;
        } else if (is_word(d, "LOCATION")) {
            if (!next(d) || !string(d, "LOCATION"))
                return false;
        } else if (is_word(d, "TBLPROPERTIES")) {
            if (!next(d) || !props(d, "TBLPROPERTIES"))
                return false;
        } else if (is_word(d, "WITH")) {
            if (!next(d) || !expect_word(d, "SERDEPROPERTIES", " after WITH") || !props(d, "SERDEPROPERTIES"))
                return false;
        } else if (is_word(d, "ROW")) {
            if (!next(d) || !expect_word(d, "FORMAT", " after ROW") || !skip_clause(d, "ROW FORMAT"))
                return false;
        } else if (is_word(d, "STORED")) {
            if (!next(d))
                return false;
            if (!is_word(d, "AS") && !is_word(d, "BY"))
                return dfail(d, d->t.off, "expected AS or BY after STORED, found %s", tok_shown(d));
            if (!next(d) || !skip_clause(d, "STORED"))
                return false;
        } else if (is_word(d, "CLUSTERED") || is_word(d, "SORTED") || is_word(d, "SKEWED")) {
            const char *w = arena_strndup(d->a, d->t.text, d->t.len);
            if (!next(d) || !expect_word(d, "BY", arena_printf(d->a, " after %s", w)) || !skip_clause(d, w))
                return false;
        } else {
            return dfail(d, at,
                         "expected COMMENT, PARTITIONED BY, CLUSTERED BY, ROW FORMAT, STORED AS, WITH "
                         "SERDEPROPERTIES, LOCATION, TBLPROPERTIES or the end of the statement, found %s",
                         tok_shown(d));
        }
    }
    return true;
}

/* ------------------------------------------------------------- statements */

/* CREATE ... ; d->t is CREATE. */
static bool statement(dctx *d, stable **out)
{
    size_t at = d->t.off;
    if (!expect_word(d, "CREATE", " TABLE"))
        return false;
    if (is_word(d, "EXTERNAL") && !next(d))
        return false;
    if (!expect_word(d, "TABLE", " after CREATE"))
        return false;
    if (is_word(d, "IF")) {
        if (!next(d) || !expect_word(d, "NOT", " after IF") || !expect_word(d, "EXISTS", " after IF NOT"))
            return false;
    }
    const char *db = NULL, *name = ident(d, "a table name");
    if (!name)
        return false;
    if (is_punct(d, '.')) {
        db = name;
        if (!next(d) || !(name = ident(d, "a table name after the database")))
            return false;
    }
    if (!is_punct(d, '('))
        return dfail(d, d->t.off, "expected '(' and the column list after the table name, found %s", tok_shown(d));
    if (!next(d))
        return false;
    dcols c = {0};
    for (;;) {
        if (!column(d, &c))
            return false;
        if (is_punct(d, ')'))
            break;
        if (!expect_punct(d, ',', " or ')' after a column"))
            return false;
    }
    if (!next(d))
        return false;
    size_t nparts = 0;
    const char *comment = NULL;
    if (!clauses(d, &c, &nparts, &comment))
        return false;
    size_t dup = members_first_dup(d->a, c.m, c.n);
    if (dup < c.n)
        return dfail(d, c.pos[dup], "column '%s' is defined twice in table '%s'", shown(d->a, c.m[dup].name),
                     shown(d->a, name));
    stable *t = table_new(d->a, db, name, comment, c.m, c.n, nparts, d->name);
    text_linecol(d->s, d->n, at, &t->line, &t->col);
    *out = t;
    return true;
}

bool schema_load_ddl(arena *a, const char *name, const char *text, size_t len, stable ***out, size_t *n,
                     char *err, size_t errlen)
{
    if (!schema_text_start(name, &text, &len, err, errlen))
        return false;
    dctx d = {.a = a, .name = name, .s = text, .n = len, .err = err, .errlen = errlen};
    size_t n0 = *n;
    bool ok = next(&d);
    while (ok && d.t.kind != K_EOF) {
        if (is_punct(&d, ';')) {
            ok = next(&d);
            continue;
        }
        stable *t = NULL;
        ok = statement(&d, &t);
        if (ok) /* the clauses end at ';' or the end of the file */
            table_push(a, out, n, t);
    }
    if (ok && *n == n0)
        ok = dfail(&d, 0, "no CREATE TABLE statement in this file");
    if (!ok)
        *n = n0;
    return ok;
}
