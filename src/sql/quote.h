/* quote.h - the only place where rule text becomes SQL text.
 * One function for string literals, one for LIKE patterns, one for
 * identifiers; nothing else concatenates rule text into a query. */
#ifndef SIGMA_QUOTE_H
#define SIGMA_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "../rule/value.h"
#include "../util/arena.h"
#include "../util/sbuf.h"
#include "../util/utf8.h"

/* Lower-cases UTF-8 text code point by code point with the simple Unicode
 * mapping, as Trino's lower() does (`ß` stays, `İ` -> `i`). Bytes that are
 * not valid UTF-8 are copied unchanged. Result is NUL-terminated. */
char *sql_lower(arena *a, const char *s, size_t n, size_t *outlen);

/* 'text' with ' doubled. Control characters (< 0x20, 0x7f) are written as
 * chr(N) pieces joined with ||, and then the whole literal is parenthesised:
 * ('a' || chr(0) || 'b'). */
void sql_str(sbuf *b, const char *s, size_t n);

/* A LIKE pattern literal from a Sigma string: `*` -> %, `?` -> _, and a
 * literal %, _ or \ escaped with \. Runs of `*` collapse to one %. Used with
 * ESCAPE '\'. If lower, the text parts are lower-cased first. */
void sql_like(arena *a, sbuf *b, const sstr *s, bool lower);

/* A column reference from a Sigma field name: split on dots not preceded by
 * a backslash, each part bare if it is a plain identifier and not a Trino
 * reserved word, else double-quoted with " doubled. */
void sql_ident(sbuf *b, const char *field, const char *const *element_at, size_t n_element_at);
/* One identifier part (no dot splitting). */
void sql_ident_part(sbuf *b, const char *s, size_t n);

/* The string literal of a JSON path for json_extract / json_extract_scalar:
 * '$.a.b' for plain keys, '$["odd key"]' for any other (a key starting with
 * a digit too), with " and \ escaped by a backslash inside the brackets.
 * Keys are JSON keys: their case is kept. */
void sql_json_path(sbuf *b, const char *const *keys, size_t n);

bool sql_is_reserved(const char *s, size_t n);
/* True if s is a dotted identifier whose parts are [A-Za-z_][A-Za-z0-9_]* or
 * a double-quoted part ("" inside allowed). */
bool sql_valid_table(const char *s);

#endif
