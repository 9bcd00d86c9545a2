/* window.h - the time window of scheduled queries (window.c).
 *
 * -O window=15m, -O since=/until= (ISO-8601) and -O window=params bound
 * every query to the events of a time window: a predicate on the table's
 * time column, typed as the table's schema types it, and on the partition
 * columns that hold the date, so that Athena reads only the partitions and
 * files of the window. docs/windows.md describes it for users.
 *
 * The window column of a table: `time_dt` when its schema has one (Security
 * Lake v2: the Iceberg tables are partitioned on it), else `eventtime` (the
 * CloudTrail table), else -O time_field (default `time`). Its type chooses
 * the comparison: a timestamp (or no schema) against timestamps, a bigint
 * as epoch milliseconds, text as ISO-8601 (from_iso8601_timestamp), a date
 * against dates. Partition columns of the schema that hold the date are
 * bounded too: `timestamp` (yyyy/MM/dd, partition projection), `year`,
 * `month` and `day` (compared as yyyy/MM/dd), `eventday` (yyyyMMdd).
 *
 * With -O window=params every bound is a `?` parameter; the parameters come
 * in pairs, start then end, in the order of the text. */
#ifndef SIGMA_WINDOW_H
#define SIGMA_WINDOW_H

#include "sql.h"

/* How a column holds time. */
typedef enum {
    SQL_TIME_TIMESTAMP, /* timestamp (UTC), or a column of unknown type */
    SQL_TIME_MILLIS,    /* an integer: epoch milliseconds */
    SQL_TIME_ISO,       /* ISO-8601 text */
    SQL_TIME_DATE,      /* a date */
} sql_time_kind;

/* "15m", "2h", "900s", "1d", "1w": a length in seconds, > 0 and at most
 * 100 years. NULL if valid, else why not. */
const char *sql_window_parse_length(const char *text, long long *seconds);
/* An ISO-8601 instant: YYYY-MM-DD, optionally followed by T (or a space)
 * HH:MM[:SS[.fraction]] and a zone (Z, +HH:MM, +HHMM, +HH; none: UTC), in
 * years 1900..9999. *ms is epoch milliseconds (a finer fraction is cut). NULL
 * if valid, else why not. */
const char *sql_window_parse_instant(const char *text, long long *ms);
/* Epoch milliseconds as "YYYY-MM-DD HH:MM:SS" (".mmm" added when not 0). */
void sql_window_put_utc(sbuf *b, long long ms);

/* Whether the options set a window. */
bool sql_window_set(const sql_options *o);

/* The kind of time a resolved column holds (a column of unknown type: a
 * timestamp); false (*out a timestamp) for a type that holds no time or a
 * value inside an array. */
bool sql_col_time_kind(const sql_col *col, sql_time_kind *out);

/* The window column of `table` (see the top); *known (if not NULL): the
 * table's schema has that column. */
const char *sql_window_field(sql_ctx *c, const char *table, bool *known);

/* The window as a predicate on a scan of `table`, reaching `extend` seconds
 * further back (a correlation's timespans): the window column, then the
 * date partitions. Writes nothing without a window. False with c->err at
 * pos when the column cannot hold time. */
bool sql_window_scan(sql_ctx *c, sbuf *b, const char *table, long long extend, spos pos);

/* The window (not extended) as a predicate on a time value `expr` of kind
 * k: the end of a correlation's alert. Writes nothing without a window. */
void sql_window_value(sbuf *b, const sql_options *o, sql_time_kind k, const char *expr);

#endif
