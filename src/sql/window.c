/* window.c - the time window of scheduled queries (window.h). */
#include "window.h"

#include <string.h>
#include <strings.h>

#include "../util/limits.h"
#include "athena.h"
#include "quote.h"

/* ------------------------------------------------------------ parsing */

const char *sql_window_parse_length(const char *text, long long *seconds)
{
    static const struct {
        char unit;
        long long seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    size_t n = strspn(text, "0123456789");
    if (!n || n > 12 || !text[n] || text[n + 1])
        return "expected a length such as 15m: a count and one of the units s, m, h, d, w";
    long long count = 0;
    for (size_t i = 0; i < n; i++)
        count = count * 10 + (text[i] - '0');
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (text[n] != units[u].unit)
            continue;
        if (!count)
            return "the length must be greater than zero";
        if (count > SIGMA_MAX_TIMESPAN / units[u].seconds)
            return "the length must be at most 100 years";
        *seconds = count * units[u].seconds;
        return NULL;
    }
    return "expected a length such as 15m: a count and one of the units s, m, h, d, w";
}

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar
 * (March-based years make February the last month, so leap days fall at
 * the end of a year). */
static long long days_from_date(long long y, int m, int d)
{
    if (m <= 2)
        y--;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long year_of_era = y - era * 400;
    int month_from_march = m > 2 ? m - 3 : m + 9;
    long long day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
    long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* The inverse of days_from_date. */
static void date_from_days(long long days, long long *y, int *m, int *d)
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long day_of_era = days - era * 146097;
    long long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    long long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int month_from_march = (int)((5 * day_of_year + 2) / 153);
    *d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *m = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    *y = year_of_era + era * 400 + (*m <= 2);
}

static bool leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* n digits at *p as a number; advances *p. -1 if they are not digits. */
static long long digits(const char **p, int n)
{
    long long v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return -1;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    return v;
}

const char *sql_window_parse_instant(const char *text, long long *ms)
{
    static const char *const shape =
        "expected an ISO-8601 time such as 2024-05-01T10:15:00Z (YYYY-MM-DD, then optionally THH:MM[:SS[.fff]] "
        "and a zone Z or +HH:MM)";
    const char *p = text;
    long long y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return shape;
    long long mo = digits(&p, 2);
    if (mo < 0 || *p++ != '-')
        return shape;
    long long d = digits(&p, 2);
    if (d < 0)
        return shape;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900)
        return "the year must be 1900 or later";
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
        return "no such date";
    long long hh = 0, mi = 0, ss = 0, frac = 0, offset = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        hh = digits(&p, 2);
        if (hh < 0 || *p++ != ':')
            return shape;
        mi = digits(&p, 2);
        if (mi < 0)
            return shape;
        if (*p == ':') {
            p++;
            ss = digits(&p, 2);
            if (ss < 0)
                return shape;
            if (*p == '.' || *p == ',') {
                p++;
                int nd = 0;
                while (*p >= '0' && *p <= '9') {
                    if (nd < 3)
                        frac = frac * 10 + (*p - '0');
                    nd++;
                    p++;
                }
                if (!nd || nd > 9)
                    return shape;
                for (; nd < 3; nd++)
                    frac *= 10;
            }
        }
        if (hh > 23 || mi > 59 || ss > 59)
            return "no such time of day";
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            long long oh = digits(&p, 2), om = 0;
            if (oh < 0)
                return shape;
            if (*p == ':')
                p++;
            if (*p) {
                om = digits(&p, 2);
                if (om < 0)
                    return shape;
            }
            if (oh > 23 || om > 59)
                return "no such time zone offset";
            offset = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p)
        return shape;
    long long secs = days_from_date(y, (int)mo, (int)d) * 86400 + hh * 3600 + mi * 60 + ss - offset;
    *ms = secs * 1000 + frac;
    return NULL;
}

/* Floor division of epoch milliseconds into days and the rest. */
static void split_ms(long long ms, long long *days, long long *rest)
{
    *days = ms / 86400000;
    *rest = ms % 86400000;
    if (*rest < 0) {
        *rest += 86400000;
        (*days)--;
    }
}

/* date: "YYYY-MM-DD"; with time: + sep + "HH:MM:SS" and ".mmm" when not 0 */
static void put_time(sbuf *b, long long ms, bool time, char sep)
{
    long long days, rest, y;
    int m, d;
    split_ms(ms, &days, &rest);
    date_from_days(days, &y, &m, &d);
    sb_printf(b, "%04lld-%02d-%02d", y, m, d);
    if (!time)
        return;
    long long s = rest / 1000;
    sb_printf(b, "%c%02lld:%02lld:%02lld", sep, s / 3600, s / 60 % 60, s % 60);
    if (rest % 1000)
        sb_printf(b, ".%03lld", rest % 1000);
}

void sql_window_put_utc(sbuf *b, long long ms)
{
    put_time(b, ms, true, ' ');
}

bool sql_window_set(const sql_options *o)
{
    return o->window.kind != SQL_WIN_NONE;
}

/* ------------------------------------------------------------ schema facts */

/* The schema of a query's table, or NULL. */
static const stable *table_schema(const sql_ctx *c, const char *table)
{
    const stable *t = NULL;
    if (!table || !c->opt->schemas)
        return NULL;
    return schema_set_find(c->opt->schemas, table, &t) == SCHEMA_FOUND ? t : NULL;
}

static bool has_column(const stable *t, const char *name)
{
    return t && stype_member(t->row, name, strlen(name));
}

bool sql_col_time_kind(const sql_col *col, sql_time_kind *out)
{
    *out = SQL_TIME_TIMESTAMP;
    switch (col->many ? SQL_T_COMPLEX : col->type) {
    case SQL_T_UNKNOWN: /* no schema: the field is used as a timestamp */
    case SQL_T_TIMESTAMP:
        return true;
    case SQL_T_INTEGER:
        *out = SQL_TIME_MILLIS;
        return true;
    case SQL_T_TEXT:
        *out = SQL_TIME_ISO;
        return true;
    case SQL_T_DATE:
        *out = SQL_TIME_DATE;
        return true;
    default:
        return false;
    }
}

/* The time field of the query's table (c->table) resolved by the column
 * slot, and the kind of time its type holds. */
static bool time_col(sql_ctx *c, const char *field, spos pos, sql_col *col, sql_time_kind *out)
{
    *out = SQL_TIME_TIMESTAMP;
    if (!sql_column(c, c->d, field, SQL_USE_VALUE, pos, col))
        return false;
    if (sql_col_time_kind(col, out))
        return true;
    return sql_fail(c, pos,
                    "time field '%s' of table %s is %s: a time window needs a timestamp, an epoch-milliseconds "
                    "integer, ISO-8601 text or a date",
                    field, c->table ? c->table : "<TABLE>",
                    col->many ? "inside an array" : athena_type_name(c->a, col));
}

const char *sql_window_field(sql_ctx *c, const char *table, bool *known)
{
    const stable *t = table_schema(c, table);
    const char *f = has_column(t, "time_dt") ? "time_dt" : has_column(t, "eventtime") ? "eventtime" : c->opt->time_field;
    if (known)
        *known = has_column(t, f);
    return f;
}

/* The partition columns of a table that hold the date of its rows. */
typedef enum { PART_NONE, PART_SLASHED, PART_YMD, PART_EVENTDAY } part_layout;

static bool string_partition(const stable *t, const char *name)
{
    size_t first = t->row->nmembers - t->npartition;
    for (size_t i = first; i < t->row->nmembers; i++) {
        const smember *m = &t->row->members[i];
        if (strcasecmp(m->name, name) == 0)
            return stype_is_text(m->type);
    }
    return false;
}

static part_layout partitions(const stable *t)
{
    if (!t || !t->npartition)
        return PART_NONE;
    if (string_partition(t, "timestamp"))
        return PART_SLASHED;
    if (string_partition(t, "year") && string_partition(t, "month") && string_partition(t, "day"))
        return PART_YMD;
    if (string_partition(t, "eventday"))
        return PART_EVENTDAY;
    return PART_NONE;
}

/* ------------------------------------------------------------ predicates */

/* An interval of whole seconds in its largest exact unit. */
static void put_interval(sbuf *b, long long s)
{
    if (s % 86400 == 0)
        sb_printf(b, "INTERVAL '%lld' DAY", s / 86400);
    else if (s % 3600 == 0)
        sb_printf(b, "INTERVAL '%lld' HOUR", s / 3600);
    else if (s % 60 == 0)
        sb_printf(b, "INTERVAL '%lld' MINUTE", s / 60);
    else
        sb_printf(b, "INTERVAL '%lld' SECOND", s);
}

/* A computed end of the window (relative or parameter) as an instant:
 * current_timestamp - INTERVAL ..., ?, ? - INTERVAL ... */
static void put_instant(sbuf *b, const sql_window *w, bool upper, long long extend)
{
    if (w->kind == SQL_WIN_RELATIVE) {
        sb_puts(b, "current_timestamp - ");
        put_interval(b, w->length + extend);
        return;
    }
    sb_putc(b, '?');
    if (!upper && extend) {
        sb_puts(b, " - ");
        put_interval(b, extend);
    }
}

/* One bound of the window compared with a time of kind k. */
static void put_bound(sbuf *b, const sql_window *w, bool upper, long long extend, sql_time_kind k)
{
    if (w->kind == SQL_WIN_ABSOLUTE) {
        long long ms = upper ? w->until : w->since - extend * 1000;
        switch (k) {
        case SQL_TIME_TIMESTAMP:
            sb_puts(b, "TIMESTAMP '");
            put_time(b, ms, true, ' ');
            sb_putc(b, '\'');
            break;
        case SQL_TIME_MILLIS:
            sb_printf(b, "%lld", ms);
            break;
        case SQL_TIME_ISO:
            sb_puts(b, "from_iso8601_timestamp('");
            put_time(b, ms, true, 'T');
            sb_puts(b, "Z')");
            break;
        case SQL_TIME_DATE:
            sb_puts(b, "DATE '");
            put_time(b, ms, false, 0);
            sb_putc(b, '\'');
            break;
        }
        return;
    }
    switch (k) {
    case SQL_TIME_TIMESTAMP:
    case SQL_TIME_ISO:
        put_instant(b, w, upper, extend);
        break;
    case SQL_TIME_MILLIS:
        /* the smallest whole millisecond not before the instant: for an
         * integer column, t >= ceiling(x) <=> t >= x, and t < ceiling(x)
         * <=> t < x */
        sb_puts(b, "CAST(ceiling(to_unixtime(");
        put_instant(b, w, upper, extend);
        sb_puts(b, ") * 1000) AS BIGINT)");
        break;
    case SQL_TIME_DATE:
        sb_puts(b, "CAST((");
        put_instant(b, w, upper, extend);
        sb_puts(b, ") AT TIME ZONE 'UTC' AS DATE)");
        break;
    }
}

/* The ends a window has: a relative one only its start, a fixed one those
 * of since and until it was given. */
static bool has_start(const sql_window *w)
{
    return w->kind != SQL_WIN_ABSOLUTE || w->has_since;
}

static bool has_end(const sql_window *w)
{
    return w->kind == SQL_WIN_PARAMS || (w->kind == SQL_WIN_ABSOLUTE && w->has_until);
}

/* lhs >= start [AND lhs < end] (a date's end is inclusive: the window's
 * last day). */
static void put_bounds(sbuf *b, const sql_window *w, sql_time_kind k, const char *lhs, long long extend)
{
    bool lower = has_start(w), upper = has_end(w);
    if (lower) {
        sb_printf(b, "%s >= ", lhs);
        put_bound(b, w, false, extend, k);
    }
    if (upper) {
        sb_printf(b, "%s%s %s ", lower ? " AND " : "", lhs, k == SQL_TIME_DATE ? "<=" : "<");
        put_bound(b, w, true, 0, k);
    }
}

/* A day of the window in a partition's format: a literal for a fixed
 * window, else date_format() of the instant in UTC. */
static void put_day(sbuf *b, const sql_window *w, bool upper, long long extend, part_layout p)
{
    if (w->kind == SQL_WIN_ABSOLUTE) {
        sbuf t = SBUF_INIT;
        put_time(&t, upper ? w->until : w->since - extend * 1000, false, 0);
        const char *s = sb_cstr(&t);
        if (p == PART_EVENTDAY)
            sb_printf(b, "'%.4s%.2s%.2s'", s, s + 5, s + 8);
        else
            sb_printf(b, "'%.4s/%.2s/%.2s'", s, s + 5, s + 8);
        sb_free(&t);
        return;
    }
    bool bare = w->kind == SQL_WIN_PARAMS && (upper || !extend); /* a lone ? */
    sb_puts(b, bare ? "date_format(" : "date_format((");
    put_instant(b, w, upper, extend);
    sb_printf(b, "%s AT TIME ZONE 'UTC', '%s')", bare ? "" : ")", p == PART_EVENTDAY ? "%Y%m%d" : "%Y/%m/%d");
}

/* The partition value compared with days: "timestamp", eventday or
 * concat(year, '/', month, '/', day). */
static bool put_part_value(sql_ctx *c, sbuf *b, part_layout p, spos pos)
{
    switch (p) {
    case PART_SLASHED:
        return sql_put_value(c, c->d, b, "timestamp", pos);
    case PART_EVENTDAY:
        return sql_put_value(c, c->d, b, "eventday", pos);
    case PART_YMD:
        sb_puts(b, "concat(");
        if (!sql_put_value(c, c->d, b, "year", pos))
            return false;
        sb_puts(b, ", '/', ");
        if (!sql_put_value(c, c->d, b, "month", pos))
            return false;
        sb_puts(b, ", '/', ");
        if (!sql_put_value(c, c->d, b, "day", pos))
            return false;
        sb_putc(b, ')');
        return true;
    case PART_NONE:
        break;
    }
    return true;
}

static bool put_partitions(sql_ctx *c, sbuf *b, const stable *t, long long extend, spos pos)
{
    part_layout p = partitions(t);
    if (p == PART_NONE)
        return true;
    const sql_window *w = &c->opt->window;
    sbuf v = SBUF_INIT;
    if (!put_part_value(c, &v, p, pos)) {
        sb_free(&v);
        return false;
    }
    if (has_start(w)) {
        sb_printf(b, " AND %s >= ", sb_cstr(&v));
        put_day(b, w, false, extend, p);
    }
    if (has_end(w)) {
        sb_printf(b, " AND %s <= ", sb_cstr(&v));
        put_day(b, w, true, 0, p);
    }
    sb_free(&v);
    return true;
}

bool sql_window_scan(sql_ctx *c, sbuf *b, const char *table, long long extend, spos pos)
{
    if (!sql_window_set(c->opt))
        return true;
    const char *keep = c->table;
    c->table = table;
    const char *field = sql_window_field(c, table, NULL);
    sql_time_kind k;
    sql_col col;
    bool ok = time_col(c, field, pos, &col, &k);
    if (ok) {
        const char *lhs = k == SQL_TIME_ISO ? arena_printf(c->a, "TRY(from_iso8601_timestamp(%s))", col.expr) : col.expr;
        put_bounds(b, &c->opt->window, k, lhs, extend);
        ok = put_partitions(c, b, table_schema(c, table), extend, pos);
    }
    c->table = keep;
    return ok;
}

void sql_window_value(sbuf *b, const sql_options *o, sql_time_kind k, const char *expr)
{
    if (sql_window_set(o))
        put_bounds(b, &o->window, k, expr, 0);
}
