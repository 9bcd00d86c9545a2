#!/bin/sh
# coverage.sh [BUILD] - line coverage of src/ after a test run of a build
# compiled with --coverage (what `make coverage` does: BUILD=build-cov).
# Prints one line per source file and the total, "coverage: src/ N.N% of
# lines (X of Y)". Uses gcov, which comes with gcc (with clang's
# --coverage data: GCOV="llvm-cov gcov").
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build-cov}
GCOV=${GCOV:-gcov}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for f in $(find src -name '*.c' | LC_ALL=C sort); do
    # (no .gcda: gcov marks every executable line as not run)
    # the annotated source of f itself (gcov also writes the headers)
    # (run from the root: the objects name their sources relative to it)
    $GCOV -t -o "$BUILD/$(dirname "$f")" "$f" 2>/dev/null |
        awk -v f="$f" '
            /^ *-: *0:Source:/ { on = (substr($0, index($0, "Source:") + 7) ~ ("(^|/)" f "$")) ; next }
            !on { next }
            { split($0, p, ":"); c = p[1]; gsub(/ /, "", c) }
            c == "-" { next }
            c ~ /^(#####|=====)$/ { n++; next }
            c ~ /^[0-9]+\*?$/ { hit++; n++ }
            END { printf "%s %d %d\n", f, hit, n }' >>"$T/files"
done
awk '{ hit += $2; n += $3; printf "  %-28s %5.1f%% of %d lines\n", $1, $3 ? 100 * $2 / $3 : 0, $3 }
     END { printf "coverage: src/ %.1f%% of lines (%d of %d)\n", n ? 100 * hit / n : 0, hit, n }' "$T/files"
