/* file.h - whole files in, directory trees walked: the project's one reader
 * and one walker. Memory is malloc'd (it outlives no arena); out of memory
 * is sigma_oom(). */
#ifndef SIGMA_FILE_H
#define SIGMA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A read buffer, reused from file to file: {0} to start, file_buf_free at
 * the end. After a successful read, p[0..len) is the file and p[len] = 0. */
typedef struct file_buf {
    char *p;
    size_t len, cap;
} file_buf;

void file_buf_free(file_buf *b);

/* Errors beyond errno values, for file_strerror. */
#define FILE_ENOTREG (-1) /* "not a regular file" */
#define FILE_ESHORT (-2)  /* "read error": fewer bytes than the file's size */
#define FILE_ETOOBIG (-3) /* over the size limit; b->len is the file's size */

/* Reads the whole regular file at path into b with one read() (usually).
 * Returns 0, an errno value (open, fstat, read), FILE_ENOTREG, FILE_ESHORT,
 * or FILE_ETOOBIG when the file is over `limit` bytes (nothing is read). */
int file_read(const char *path, size_t limit, file_buf *b);

/* Reads a stream (standard input) to its end into b, with no size limit:
 * the caller checks b->len. Returns 0 or the errno of the failed read. */
int file_read_stream(FILE *f, file_buf *b);

/* Text of an error of file_read/file_read_stream/file_walk. */
const char *file_strerror(int err);

/* A list of malloc'd paths. */
typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

void file_list_push(file_list *l, char *path); /* takes ownership */
void file_list_free(file_list *l);

/* file_walk options. */
#define FILE_WALK_SKIP_HIDDEN 1u /* skip entries whose name starts with '.' */

/* Called for a directory that cannot be opened or is too deep (ELOOP), for
 * an entry matching the pattern that cannot be stat()ed (a dangling link),
 * and for a symbolic-link loop; err is an errno value. The walk goes on with the other entries.
 * NULL: such entries are skipped silently. */
typedef void (*file_walk_error)(void *ctx, const char *path, int err);

/* Appends to out every regular file below dir (symbolic links followed,
 * at most SIGMA_MAX_DIR_DEPTH levels deep) whose name matches the fnmatch
 * pattern, as "dir/sub/name", the appended paths sorted by strcmp. */
void file_walk(const char *dir, const char *pattern, unsigned flags, file_list *out, file_walk_error onerr,
               void *ctx);

#endif
