/* cidr.c - CIDR networks: parsing as Python's ipaddress.ip_network (strict)
 * and the prefix-pattern expansion pySigma uses for backends without a native
 * CIDR operator. */
#include <stdio.h>
#include <string.h>

#include "../util/ascii.h"
#include "../util/limits.h"
#include "value.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* IPv4Address: four decimal octets, 1-3 digits, no leading zeros, <= 255. */
static bool parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int oct = 0; oct < 4; oct++) {
        if (oct > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t st = i;
        unsigned v = 0;
        while (i < n && is_digit(s[i]) && i - st < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t len = i - st;
        if (len == 0 || (i < n && is_digit(s[i])))
            return false;
        if (len > 1 && s[st] == '0')
            return false;
        if (v > 255)
            return false;
        out[oct] = (uint8_t)v;
    }
    return i == n;
}

/* IPv6Address text (without scope id), following ipaddress._ip_int_from_string. */
static bool parse_v6(const char *s, size_t n, uint8_t out[16])
{
    if (n == 0)
        return false;
    /* split on ':' */
    size_t st[10], en[10];
    size_t np = 0, b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ':') {
            if (np == 10)
                return false;
            st[np] = b;
            en[np] = i;
            np++;
            b = i + 1;
        }
    }
    if (np < 3)
        return false;
    uint16_t hx[10];
    bool v4tail = memchr(s + st[np - 1], '.', en[np - 1] - st[np - 1]) != NULL;
    size_t nh = v4tail ? np + 1 : np; /* number of hextet slots incl. empty ones */
    if (nh > 9)
        return false;
    /* empty parts: index of the '::' skip */
    long skip = -1;
    for (size_t i = 1; i + 1 < nh; i++) {
        bool empty = i < np && (i < np - 1 || !v4tail) && st[i] == en[i];
        if (empty) {
            if (skip >= 0)
                return false;
            skip = (long)i;
        }
    }
    bool first_empty = st[0] == en[0];
    bool last_empty = !v4tail && st[np - 1] == en[np - 1];
    size_t hi, lo, skipped;
    if (skip >= 0) {
        hi = (size_t)skip;
        lo = nh - (size_t)skip - 1;
        if (first_empty && --hi)
            return false;
        if (last_empty && --lo)
            return false;
        if (hi + lo >= 8)
            return false;
        skipped = 8 - (hi + lo);
    } else {
        if (nh != 8 || first_empty || last_empty)
            return false;
        hi = 8;
        lo = 0;
        skipped = 0;
    }
    /* parse hextets in order; with v4tail the last two slots come from it */
    size_t nparts = v4tail ? np - 1 : np;
    for (size_t i = 0; i < nparts; i++) {
        size_t len = en[i] - st[i];
        if (len == 0) {
            hx[i] = 0;
            continue;
        }
        if (len > 4)
            return false;
        unsigned v = 0;
        for (size_t j = st[i]; j < en[i]; j++) {
            int h = ascii_hex_value(s[j]);
            if (h < 0)
                return false;
            v = v * 16 + (unsigned)h;
        }
        hx[i] = (uint16_t)v;
    }
    if (v4tail) {
        uint8_t q[4];
        if (!parse_v4(s + st[np - 1], en[np - 1] - st[np - 1], q))
            return false;
        hx[np - 1] = (uint16_t)(q[0] << 8 | q[1]);
        hx[np] = (uint16_t)(q[2] << 8 | q[3]);
    }
    uint16_t res[8] = {0};
    size_t k = 0;
    for (size_t i = 0; i < hi; i++)
        res[k++] = hx[i];
    k += skipped;
    for (size_t i = nh - lo; i < nh; i++)
        res[k++] = hx[i];
    if (k != 8)
        return false;
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(res[i] >> 8);
        out[2 * i + 1] = (uint8_t)(res[i] & 0xff);
    }
    return true;
}

/* Python's _prefix_from_ip_int: a contiguous netmask -> prefix, else -1. */
static int prefix_from_mask(uint32_t m)
{
    int p = 0;
    while (p < 32 && (m & (0x80000000u >> p)))
        p++;
    for (int i = p; i < 32; i++)
        if (m & (0x80000000u >> i))
            return -1;
    return p;
}

int cidr_parse(const char *s, size_t n, svalue *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    const char *pfx = slash ? slash + 1 : NULL;
    size_t plen = slash ? n - alen - 1 : 0;
    if (pfx && memchr(pfx, '/', plen))
        return 1;
    uint8_t addr[16] = {0};
    int family, maxlen;
    if (parse_v4(s, alen, addr)) {
        family = 4;
        maxlen = 32;
    } else if (memchr(s, ':', alen) && parse_v6(s, alen, addr)) {
        family = 6;
        maxlen = 128;
    } else {
        return 1;
    }
    int prefix = maxlen;
    if (pfx) {
        bool digits = plen > 0;
        for (size_t i = 0; i < plen; i++)
            if (!is_digit(pfx[i]))
                digits = false;
        if (digits) {
            long v = 0;
            for (size_t i = 0; i < plen; i++) {
                v = v * 10 + (pfx[i] - '0');
                if (v > maxlen)
                    return 1;
            }
            prefix = (int)v;
        } else {
            uint8_t m[4];
            if (family != 4 || !parse_v4(pfx, plen, m))
                return 1;
            uint32_t mi = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
            prefix = prefix_from_mask(mi);
            if (prefix < 0)
                prefix = prefix_from_mask(~mi); /* hostmask */
            if (prefix < 0)
                return 1;
        }
    }
    for (int bit = prefix; bit < maxlen; bit++)
        if (addr[bit / 8] & (0x80 >> (bit % 8)))
            return 2;
    out->kind = SV_CIDR;
    out->cidr.family = family;
    out->cidr.prefix = prefix;
    memcpy(out->cidr.addr, addr, sizeof addr);
    return 0;
}

size_t ip6_compress(const uint8_t a[16], char *out)
{
    unsigned h[8];
    for (int i = 0; i < 8; i++)
        h[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, bestlen = 0, cur = -1, curlen = 0;
    for (int i = 0; i < 8; i++) {
        if (h[i] == 0) {
            if (cur < 0)
                cur = i;
            curlen++;
            if (curlen > bestlen) {
                best = cur;
                bestlen = curlen;
            }
        } else {
            cur = -1;
            curlen = 0;
        }
    }
    if (bestlen < 2)
        best = -1;
    size_t k = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[k++] = ':';
            out[k++] = ':';
            i += bestlen - 1;
            continue;
        }
        if (k > 0 && out[k - 1] != ':')
            out[k++] = ':';
        k += (size_t)sprintf(out + k, "%x", h[i]);
    }
    out[k] = 0;
    return k;
}

static void set_bit(uint8_t *a, int bit, bool on)
{
    if (on)
        a[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
    else
        a[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
}

static sstr text_star(arena *a, const char *t, size_t n)
{
    sstr r;
    r.n = n ? 2 : 1;
    r.parts = arena_alloc(a, r.n * sizeof *r.parts);
    if (n) {
        r.parts[0].kind = SP_TEXT;
        r.parts[0].s = arena_strndup(a, t, n);
        r.parts[0].n = n;
    }
    r.parts[r.n - 1].kind = SP_STAR;
    return r;
}

bool cidr_patterns(arena *a, const svalue *v, sstr **out, size_t *n)
{
    int p = v->cidr.prefix;
    int maxlen = v->cidr.family == 4 ? 32 : 128;
    int step = v->cidr.family == 4 ? 8 : 4;
    if (p < 0 || p > maxlen)
        return false;
    int q = (p + step - 1) / step * step;
    if (q - p > 12 || (1u << (q - p)) > SIGMA_MAX_EXPANSION)
        return false;
    size_t count = (size_t)1 << (q - p);
    sstr *res = arena_alloc(a, count * sizeof *res);
    for (size_t k = 0; k < count; k++) {
        uint8_t first[16], last[16];
        memcpy(first, v->cidr.addr, 16);
        for (int bit = p; bit < q; bit++)
            set_bit(first, bit, (k >> (q - 1 - bit)) & 1);
        char t1[64], t2[64];
        if (v->cidr.family == 4) {
            if (q == 32) {
                int len = snprintf(t1, sizeof t1, "%u.%u.%u.%u", first[0], first[1], first[2], first[3]);
                res[k] = sstr_plain(a, t1, (size_t)len);
            } else {
                size_t len = 0;
                for (int o = 0; o < q / 8; o++)
                    len += (size_t)sprintf(t1 + len, "%u.", first[o]);
                res[k] = text_star(a, t1, len);
            }
        } else {
            size_t l1 = ip6_compress(first, t1);
            if (q == 128) {
                res[k] = sstr_plain(a, t1, l1);
                continue;
            }
            memcpy(last, first, 16);
            for (int bit = q; bit < 128; bit++)
                set_bit(last, bit, true);
            size_t l2 = ip6_compress(last, t2), c = 0;
            while (c < l1 && c < l2 && t1[c] == t2[c])
                c++;
            res[k] = text_star(a, t1, c);
        }
    }
    *out = res;
    *n = count;
    return true;
}
