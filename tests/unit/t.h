/* t.h - minimal unit-test harness: CHECK macros and a closing
 * "N passed, M failed" line. Include once per test program. */
#ifndef SIGMA_T_H
#define SIGMA_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            t_pass++;                                                            \
        } else {                                                                 \
            t_fail++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *g_ = (got), *w_ = (want);                                    \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                   \
            t_pass++;                                                            \
        } else {                                                                 \
            t_fail++;                                                            \
            fprintf(stderr, "%s:%d: got  \"%s\"\n%*swant \"%s\"\n", __FILE__, __LINE__, \
                    g_ ? g_ : "(null)", (int)strlen(__FILE__) + 8, "", w_ ? w_ : "(null)"); \
        }                                                                        \
    } while (0)

/* A table of cases, an input and the string wanted for it: CHECK_CASES(f,
 * cases) is CHECK_STR(f(input), want) for each (one check per case). */
typedef struct t_case {
    const char *in, *want;
} t_case;

#define CHECK_CASES(f, cases)                                                    \
    for (size_t t_i = 0; t_i < sizeof(cases) / sizeof *(cases); t_i++)           \
    CHECK_STR(f((cases)[t_i].in), (cases)[t_i].want)

static int t_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
    return t_fail ? 1 : 0;
}

#endif
