#!/bin/sh
# snapshot.sh OUTDIR - the whole output of the compiler on the shared corpus,
# for before/after comparisons of a change that must not alter behaviour:
#
#     sh tests/corpus/snapshot.sh /tmp/before    # on the old commit
#     sh tests/corpus/snapshot.sh /tmp/after     # on the new one
#     diff -r /tmp/before /tmp/after
#
# For each SigmaHQ folder (rules, rules-emerging-threats, rules-threat-hunting,
# deprecated) it writes `-f json` output (stdout and stderr) with
# -O keyword_fields=raw_data, once without a pipeline and once with each
# pipeline of tests/golden/pipelines/*.yml that loads (with the options
# these pipelines read). Needs ../shared and a built $BUILD/sigma.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
SHARED=${SHARED:-$ROOT/../shared}
SIGMA="$ROOT/$BUILD/sigma"
OUT=${1:?usage: snapshot.sh OUTDIR}
C="$SHARED/corpus/sigmahq"
[ -d "$C" ] || { echo "snapshot: no shared corpus at $C" >&2; exit 2; }
mkdir -p "$OUT"
opts="-O keyword_fields=raw_data -O region=eu-west-2 -O aws_table_region=eu-west-2"
for d in rules rules-emerging-threats rules-threat-hunting deprecated; do
    # shellcheck disable=SC2086
    "$SIGMA" convert -t athena -f json -s $opts "$C/$d" >"$OUT/$d.json" 2>"$OUT/$d.err"
    echo "exit $?" >>"$OUT/$d.err"
    for p in "$ROOT"/tests/golden/pipelines/*.yml; do
        name=$(basename "$p" .yml)
        # shellcheck disable=SC2086
        "$SIGMA" convert -t athena -f json -s -p "$p" $opts "$C/$d" >"$OUT/$d.$name.json" 2>"$OUT/$d.$name.err"
        echo "exit $?" >>"$OUT/$d.$name.err"
    done
    # shellcheck disable=SC2086
    "$SIGMA" convert -t athena -f json -s -p athena_security_lake_table_name $opts "$C/$d" \
        >"$OUT/$d.security_lake_table_name.json" 2>"$OUT/$d.security_lake_table_name.err"
    echo "exit $?" >>"$OUT/$d.security_lake_table_name.err"
done
# messages mention the output paths of the corpus: make them relative
sed -i "s|$C/||g" "$OUT"/*.err "$OUT"/*.json 2>/dev/null
echo "snapshot: $(ls "$OUT" | wc -l) files in $OUT"
