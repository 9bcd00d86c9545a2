/* pcre_match.c - what PCRE2 (Sigma's regex dialect) answers, for the regex
 * proofs of tests/trino (regex.mjs): whether a pattern finds a match in a
 * subject, as the expectations of tests/trino/regex.yml claim.
 *
 * Reads lines "FLAGS HEXPATTERN HEXSUBJECT" (FLAGS: letters of i, m, s, or
 * "-"; the texts as hexadecimal UTF-8 bytes) and prints one line per input:
 * "1" (a match), "0" (none) or "E message" (PCRE2 refuses the pattern). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *h, char *out)
{
    size_t n = 0;
    for (; h[0] && h[1] && h[0] != ' ' && h[0] != '\n'; h += 2) {
        unsigned v;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (char)v;
    }
    return n;
}

int main(void)
{
    static char line[1 << 16], pat[1 << 15], subj[1 << 15];
    while (fgets(line, sizeof line, stdin)) {
        char *f = strtok(line, " \n"), *hp = strtok(NULL, " \n"), *hs = strtok(NULL, " \n");
        if (!f || !hp)
            continue;
        size_t np = strcmp(hp, "-") ? unhex(hp, pat) : 0;
        size_t ns = hs && strcmp(hs, "-") ? unhex(hs, subj) : 0;
        uint32_t opts = PCRE2_UTF;
        if (strchr(f, 'i'))
            opts |= PCRE2_CASELESS;
        if (strchr(f, 'm'))
            opts |= PCRE2_MULTILINE;
        if (strchr(f, 's'))
            opts |= PCRE2_DOTALL;
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, np, opts, &err, &off, NULL);
        if (!re) {
            PCRE2_UCHAR m[200];
            pcre2_get_error_message(err, m, sizeof m);
            printf("E %s\n", (char *)m);
            continue;
        }
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        int rc = pcre2_match(re, (PCRE2_SPTR)subj, ns, 0, 0, md, NULL);
        printf("%d\n", rc >= 0 ? 1 : 0);
        pcre2_match_data_free(md);
        pcre2_code_free(re);
    }
    return 0;
}
