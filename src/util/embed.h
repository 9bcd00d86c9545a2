/* embed.h - files of the repository compiled into the library.
 *
 * `make` runs tools/embed.c over each folder of data files (schemas/,
 * pipelines/) and compiles the result, $(BUILD)/gen/embed_<folder>.c, into
 * the library: one embed_set per folder, named embed_<folder>, its files in
 * sorted name order. Each file's bytes are followed by a NUL that len does not count.
 * Adding a folder: add it to EMBED in the Makefile and declare its set
 * here. */
#ifndef SIGMA_EMBED_H
#define SIGMA_EMBED_H

#include <stddef.h>

typedef struct embed_file {
    const char *name; /* file name without the folder: "cloudtrail_logs.ddl" */
    const char *data; /* len bytes, then a NUL */
    size_t len;
} embed_file;

typedef struct embed_set {
    const embed_file *files;
    size_t n;
} embed_set;

extern const embed_set embed_schemas;   /* schemas/: built-in table schemas */
extern const embed_set embed_pipelines; /* pipelines/: built-in pipelines (YAML) */

/* The file called name in set, or NULL. */
const embed_file *embed_find(const embed_set *set, const char *name);

#endif
