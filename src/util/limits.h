/* limits.h - every hard limit of the compiler, in one place (in the manner
 * of SQLite's sqliteLimit.h). Hitting one is a clear per-rule (or per-file)
 * error, never a hang, a stack overflow or an out-of-memory kill;
 * tests/limits.sh hits the input limits. Each may be overridden at build
 * time (-DSIGMA_MAX_...=N), within the bound its comment gives. */
#ifndef SIGMA_LIMITS_H
#define SIGMA_LIMITS_H

/* ---- input ------------------------------------------------------------ */

/* Bytes of one input file (rule or pipeline). The largest SigmaHQ rule is
 * under 100 KB; 16 MiB keeps a mistaken input (a log file, a binary) from
 * being read and parsed at all. */
#ifndef SIGMA_MAX_FILE_SIZE
#define SIGMA_MAX_FILE_SIZE (16u * 1024 * 1024)
#endif

/* YAML nodes of one file, counted with aliases expanded: an alias bomb (a
 * few lines that expand to billions of nodes) stops here. */
#ifndef SIGMA_MAX_YAML_NODES
#define SIGMA_MAX_YAML_NODES 1000000
#endif

/* Nesting of YAML collections. Everything that walks YAML or a detection
 * built from it recurses once per level, so this bounds the stack. */
#ifndef SIGMA_MAX_YAML_DEPTH
#define SIGMA_MAX_YAML_DEPTH 256
#endif

/* Directory levels walked below an input folder or a `-p FOLDER`
 * (util/file.c): rule trees are a few levels deep; the bound also stops
 * symbolic-link loops, which are reported. */
#ifndef SIGMA_MAX_DIR_DEPTH
#define SIGMA_MAX_DIR_DEPTH 64
#endif

/* Nesting of array/map/struct in one column type of a table schema: the
 * type parser recurses once per level. Real Glue types nest a few levels. */
#ifndef SIGMA_MAX_TYPE_DEPTH
#define SIGMA_MAX_TYPE_DEPTH 100
#endif

/* ---- conditions ----------------------------------------------------------- */

/* Nested parentheses and `not` in one condition: the parser recurses once
 * per level (and/or chains are loops). */
#ifndef SIGMA_MAX_COND_DEPTH
#define SIGMA_MAX_COND_DEPTH 128
#endif

/* Bytes of one condition string; with the depth limit it bounds parsing
 * time and the tree size. */
#ifndef SIGMA_MAX_COND_LEN
#define SIGMA_MAX_COND_LEN 65536
#endif

/* Nesting of a condition tree after filters and pipelines edited it: each
 * filter and add_condition adds one level above the parsed tree (at most
 * SIGMA_MAX_COND_DEPTH). Walks that recurse over edited trees stop here. */
#ifndef SIGMA_MAX_COND_TREE_DEPTH
#define SIGMA_MAX_COND_TREE_DEPTH 256
#endif

/* Bytes of the extended (string) condition of a temporal correlation. It
 * names the correlated rules, a handful of identifiers; the bound keeps the
 * per-rule window columns it turns into small. */
#ifndef SIGMA_MAX_EXT_COND_LEN
#define SIGMA_MAX_EXT_COND_LEN 4096
#endif

/* Bytes of a number written as text in a correlation condition (`gte:
 * '10'`): more digits than any double has. */
#ifndef SIGMA_MAX_NUMBER_TEXT
#define SIGMA_MAX_NUMBER_TEXT 60
#endif

/* A correlation's timespan, in seconds (100 years of 365.2425 days): a
 * window longer than any log retention is a typo, and the bound keeps
 * count * unit far from overflow. */
#ifndef SIGMA_MAX_TIMESPAN
#define SIGMA_MAX_TIMESPAN (100LL * 31556952)
#endif

/* ---- values ------------------------------------------------------------ */

/* Values one modifier (windash, base64offset, cidr, value_placeholders) may
 * expand one value into: the product of several expansions grows fast. */
#ifndef SIGMA_MAX_EXPANSION
#define SIGMA_MAX_EXPANSION 4096
#endif

/* Values of one detection item, after expansion. */
#ifndef SIGMA_MAX_VALUES
#define SIGMA_MAX_VALUES 100000
#endif

/* ---- pipelines ------------------------------------------------------------- */

/* Nesting of detections the pipeline stage walks and copies: parsed
 * detections nest at most SIGMA_MAX_YAML_DEPTH deep, and each mapping of
 * one field to several adds a level. Deeper parts are left as they are. */
#ifndef SIGMA_MAX_DET_DEPTH
#define SIGMA_MAX_DET_DEPTH 512
#endif

/* Levels of correlations referencing correlations: how deep a chain may be
 * (an error beyond), and how far a logsource condition follows references
 * from a correlation to the rules below it (the bound also stops cycles). */
#ifndef SIGMA_MAX_REF_DEPTH
#define SIGMA_MAX_REF_DEPTH 16
#endif


/* Spaces of the json finalizer's `indent`: Python accepts any, more than
 * this only makes the output wider. */
#ifndef SIGMA_MAX_JSON_INDENT
#define SIGMA_MAX_JSON_INDENT 64
#endif

/* ---- messages --------------------------------------------------------------- */

/* Bytes of a rule's error or warning message; a longer one is cut and ends
 * in "...". Messages quote rule text (values, names), which may be long. */
#ifndef SIGMA_MAX_RULE_MESSAGE
#define SIGMA_MAX_RULE_MESSAGE 512
#endif


/* ---- queries ------------------------------------------------------------ */

/* Comparisons in one query: with SIGMA_MAX_QUERY_SIZE it bounds rendering
 * time and memory for rules whose expansions multiply. */
#ifndef SIGMA_MAX_LEAVES
#define SIGMA_MAX_LEAVES 100000
#endif

/* Bytes of one generated query (16 MiB, far over what Athena accepts). */
#ifndef SIGMA_MAX_QUERY_SIZE
#define SIGMA_MAX_QUERY_SIZE (16u * 1024 * 1024)
#endif

/* Athena's own limit on the text of a query: a longer query is still
 * written, with a warning naming the rule. Not overridable: it is AWS's. */
#define SIGMA_ATHENA_QUERY_LIMIT 262144

#endif
