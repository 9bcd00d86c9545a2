/* value.h - Sigma values after YAML typing and modifiers.
 *
 * A Sigma string is a sequence of parts: literal text, `*`, `?`, and (after
 * the `expand` modifier) %placeholders%. Everything downstream (modifiers,
 * pipelines, SQL rendering) works on this form, never on re-escaped text.
 */
#ifndef SIGMA_VALUE_H
#define SIGMA_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"

typedef enum { SP_TEXT, SP_STAR, SP_QMARK, SP_PH } spart_kind;

typedef struct spart {
    spart_kind kind;
    const char *s; /* SP_TEXT: bytes (may hold NUL); SP_PH: placeholder name */
    size_t n;
} spart;

typedef struct sstr {
    spart *parts;
    size_t n;
} sstr;

typedef enum {
    SV_STR,       /* str; cased */
    SV_NUM,       /* num */
    SV_BOOL,      /* b */
    SV_NULL,
    SV_RE,        /* re, re_len, re_flags */
    SV_CIDR,      /* cidr */
    SV_FIELDREF,  /* ref, ref_starts/ref_ends; cased */
    SV_EXISTS,    /* b */
    SV_CMP,       /* num, cmp */
    SV_TIMEPART,  /* num, tpart */
    SV_EXPANSION, /* items: one value that stands for several (windash, base64offset) */
    SV_QUERY,     /* str: SQL expression of a query_expression placeholder: text
                   * parts and the placeholder `field` for the item's column */
} svkind;

typedef enum { CMP_LT, CMP_LTE, CMP_GT, CMP_GTE } cmp_op;
typedef enum { TP_MINUTE, TP_HOUR, TP_DAY, TP_WEEK, TP_MONTH, TP_YEAR } tpart_kind;

enum { RE_I = 1, RE_M = 2, RE_S = 4 };

/* A number keeps the text SQL prints (Python's str() of the value). */
typedef struct snum {
    bool is_int;
    int64_t i;
    double d;
    const char *text;
} snum;

typedef struct svalue svalue;
struct svalue {
    svkind kind;
    bool cased;
    sstr str;      /* SV_STR, SV_QUERY */
    snum num;
    bool b;
    cmp_op cmp;
    bool cmp_tpart; /* SV_CMP on a timestamp part (tpart): hour|gt */
    tpart_kind tpart;
    const char *re; /* SV_RE: regex text (may hold NUL) */
    size_t re_len;
    unsigned re_flags;
    struct {
        int family; /* 4 or 6 */
        int prefix;
        uint8_t addr[16];
        const char *text; /* as written */
    } cidr;
    const char *ref; /* SV_FIELDREF */
    /* SV_FIELDREF match mode: ref_starts = a wildcard precedes the referenced
     * value (`endswith`, `contains`: field LIKE '%' || ref); ref_ends = a
     * wildcard follows it (`startswith`, `contains`: field LIKE ref || '%').
     * Both false: plain equality. */
    bool ref_starts, ref_ends;
    svalue **items;            /* SV_EXPANSION */
    size_t nitems;
};

/* Parses Sigma string syntax: `*`, `?`, `\*`, `\?`, `\\` escapes; a
 * backslash before anything else is kept with that character. */
sstr sstr_parse(arena *a, const char *s, size_t n);
/* A string of one literal part (no wildcard parsing). */
sstr sstr_plain(arena *a, const char *s, size_t n);
bool sstr_has_wildcard(const sstr *s);
bool sstr_has_placeholder(const sstr *s);
/* Plain text of a wildcard-free string (arena copy, NUL-terminated); *len set
 * (len may be NULL). Wildcards, if any, come out as bare `*`/`?` and
 * placeholders as `%name%`. */
char *sstr_text(arena *a, const sstr *s, size_t *len);
/* Re-renders in Sigma syntax (wildcards as `*`/`?`, literal ones escaped). */
char *sstr_sigma(arena *a, const sstr *s);
/* New string = prefix parts + s + suffix parts. */
sstr sstr_concat(arena *a, const sstr *x, const sstr *y);
bool sstr_starts_star(const sstr *s);
bool sstr_ends_star(const sstr *s);
sstr sstr_star(void); /* the string "*" (static storage) */
/* Merges adjacent text parts; drops empty text parts. The empty string is
 * {NULL, 0} (sstr_parse and sstr_plain of "" return it too). */
sstr sstr_normalize(arena *a, sstr s);

svalue *sv_new(arena *a, svkind k);
svalue *sv_str(arena *a, sstr s);
/* Formats a number as SQL prints it: an integral finite double as all its
 * digits (1.0 -> "1", 1e20 -> "100000000000000000000"), anything else as
 * snum_repr. Result may be static or arena memory. */
const char *snum_format(arena *a, double d);
/* Python's repr() of a float: shortest round-trip digits, scientific when the
 * exponent is < -4 or >= 16 ("1e-05", "1.2345678901234567e+19", "1e+16"),
 * else positional with at least one decimal ("1.5", "100.0"); "inf", "nan". */
const char *snum_repr(arena *a, double d);
/* True if d is finite and has no fractional part. */
bool snum_integral(double d);

/* CIDR expansion into string prefixes (IPv4 at octet boundaries, IPv6 at
 * hex-digit boundaries, as pySigma does). Each pattern is a Sigma string
 * ending in `*` (or an exact address for /32 and /128; `*` alone for /0).
 * Returns false if the expansion would exceed SIGMA_MAX_EXPANSION. */
bool cidr_patterns(arena *a, const svalue *v, sstr **out, size_t *n);

/* Parses `addr[/prefix]` as Python's ipaddress.ip_network(strict=True):
 * IPv4 dotted quad (no leading zeros; prefix as a number, netmask or
 * hostmask), IPv6 in every textual form incl. `::` and an IPv4 tail (no
 * scope id). No prefix means /32 or /128. On success sets out->kind = SV_CIDR
 * and cidr.family/prefix/addr (not cidr.text) and returns 0; returns 1 if
 * malformed, 2 if host bits are set. */
int cidr_parse(const char *s, size_t n, svalue *out);
/* Python's compressed IPv6 text (RFC 5952 style) into out (>= 40 bytes);
 * returns its length. */
size_t ip6_compress(const uint8_t addr[16], char *out);

#endif
