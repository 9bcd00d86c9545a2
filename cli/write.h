/* write.h - the command's output (-o), written so that a failed run never
 * leaves a partial file or a partial set of files. Every function prints
 * its own errors on stderr ("path: error: ..."). */
#ifndef SIGMA_CLI_WRITE_H
#define SIGMA_CLI_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sigma.h"

/* Exit statuses of the command. */
#define EXIT_RULES 1
#define EXIT_USAGE 2

/* True when -o PATH names a directory output: PATH ends with '/' or is an
 * existing directory. */
bool output_is_dir(const char *path);

/* A whole output written as it is produced: to standard output (path NULL
 * or "-"), to a device or pipe directly, or to a file through a temporary
 * file beside it that stream_commit renames into place. */
typedef struct stream_out {
    const char *path; /* NULL: standard output */
    FILE *f;
    char *tmp; /* the temporary file, or NULL */
} stream_out;

/* False after printing the error. */
bool stream_open(stream_out *o, const char *path);
/* A sigma_write_fn: ctx is the stream_out. */
int stream_write(void *ctx, const char *text, size_t len);
/* Flushes and closes (renaming the temporary file into place); false after
 * printing the error, with the temporary file removed. */
bool stream_commit(stream_out *o);
/* Closes and removes the temporary file: nothing is written. */
void stream_abort(stream_out *o);

/* One text, through a stream_out. False after printing the error. */
bool write_text(const char *path, const char *text, size_t len);

/* Several texts (the parts of one output) as PATH-1, PATH-2, ... with the
 * number before PATH's extension ("stack.yml" -> "stack-1.yml"): every part
 * is written to a temporary file first, and only when all are written are
 * they renamed into place. False after printing the error. */
bool write_parts(const char *path, const sigma_output_file *files, size_t n);

/* The files of a per-rule output into the directory dir. A directory that
 * does not exist is built beside it under a temporary name and renamed into
 * place in one step (its parent must exist). In an existing directory, a
 * file that is already there is an error (EXIT_USAGE, before anything is
 * written) unless force is set; the files are written into a temporary
 * folder inside dir and moved into place only when all of them are
 * written. Returns 0, EXIT_USAGE or EXIT_RULES (an I/O error: nothing was
 * moved into place, or what was moved and new is removed again). */
int write_dir(const char *dir, const sigma_output_file *files, size_t n, bool force);

#endif
