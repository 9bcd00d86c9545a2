/* internal.h - helpers shared by the schema loaders (not part of schema.h). */
#ifndef SIGMA_SCHEMA_INTERNAL_H
#define SIGMA_SCHEMA_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"
#include "../util/base.h"

/* 1-based line and column of byte offset off in text[0..len): columns count
 * characters (UTF-8 continuation bytes do not advance). */
void text_linecol(const char *text, size_t len, size_t off, unsigned *line, unsigned *col);

/* "name:line:col: message" into err, the position being byte offset off of
 * text and the message (cut at 399 bytes) written by fmt from ap. */
void schema_verrf(char *err, size_t errlen, const char *name, const char *text, size_t len, size_t off,
                  const char *fmt, va_list ap) SIGMA_PRINTF(7, 0);

/* ASCII case-insensitive equality of a[0..an) and b[0..bn). */
bool name_eq(const char *a, size_t an, const char *b, size_t bn);

/* The first name (in order) equal, case-insensitively, to an earlier one:
 * its index, with the earlier one's in *earlier; n if all are distinct.
 * O(n log n). */
size_t names_first_dup(const char *const *names, size_t n, size_t *earlier);

/* The first member (in order) whose name equals, case-insensitively, an
 * earlier member's: its index; n if all are distinct. */
size_t members_first_dup(arena *a, const smember *m, size_t n);

/* A struct type over members[0..n) (the array is kept, not copied). */
const stype *stype_struct(arena *a, const smember *members, size_t n);

/* A name for messages: at most 60 bytes of s, then "...". */
const char *shown(arena *a, const char *s);

/* A UTF-8 byte-order mark at the start of text: its length (3) or 0. */
size_t bom_len(const char *text, size_t len);

/* Checks a schema file's size against SIGMA_MAX_FILE_SIZE ("name: file too
 * large ..." into err and false when over it) and moves *text and *len past
 * a UTF-8 byte-order mark. */
bool schema_text_start(const char *name, const char **text, size_t *len, char *err, size_t errlen);

/* A table from the arena: database db (NULL: none), its comment (NULL:
 * none), its row a struct over columns[0..n) (kept, not copied) of which
 * the last npartition are partition keys; read from file (line and column
 * left 0). */
stable *table_new(arena *a, const char *db, const char *name, const char *comment, const smember *columns, size_t n,
                  size_t npartition, const char *file);

/* Appends t to (*v, *n), an array only ever grown by this function
 * (capacity: 4, then powers of two). */
void table_push(arena *a, stable ***v, size_t *n, stable *t);

#endif
