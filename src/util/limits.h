/* limits.h - every hard limit of the compiler in one place. Hitting one is a
 * clear per-rule (or per-file) error, never a hang or an out-of-memory kill. */
#ifndef SIGMA_LIMITS_H
#define SIGMA_LIMITS_H

#define SIGMA_MAX_FILE_SIZE (16u * 1024 * 1024) /* bytes of one input file */
#define SIGMA_MAX_YAML_NODES 1000000            /* nodes per file, aliases expanded */
#define SIGMA_MAX_YAML_DEPTH 256                /* nesting of YAML collections */
#define SIGMA_MAX_COND_DEPTH 128                /* parentheses / not nesting in a condition */
#define SIGMA_MAX_COND_LEN 65536                /* bytes of one condition string */
#define SIGMA_MAX_EXT_COND_LEN 4096             /* bytes of an extended correlation condition */
#define SIGMA_MAX_EXPANSION 4096                /* values one modifier may expand one value into */
#define SIGMA_MAX_VALUES 100000                 /* values of one detection item, after expansion */
#define SIGMA_MAX_LEAVES 100000                 /* comparisons in one query */
#define SIGMA_MAX_QUERY_SIZE (16u * 1024 * 1024) /* bytes of one generated query */
#define SIGMA_ATHENA_QUERY_LIMIT 262144         /* Athena's own limit: warning only */

#endif
