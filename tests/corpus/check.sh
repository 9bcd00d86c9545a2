#!/bin/sh
# check.sh - the shared corpus check, run only when ../shared exists.
#
# Converts the SigmaHQ folders rules, rules-emerging-threats,
# rules-threat-hunting and deprecated, then runs the shared harness:
#   - regress.mjs: every regression test must match (0 not matched, 0 errors),
#     and --all must report 0 execution errors and 0 Trino-lint errors;
#   - trino_syntax.mjs: every query must parse with the Trino grammar.
# Prints "corpus: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
SHARED=${SHARED:-$ROOT/../shared}
SIGMA="$ROOT/$BUILD/sigma"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -d "$SHARED/corpus/sigmahq" ]; then
    echo "corpus: 0 passed, 0 failed (no shared corpus)"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp -r "$SHARED/tools/trino-check" "$TMP/tc"
chmod -R u+w "$TMP/tc"
if ! (cd "$TMP/tc" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    bad "npm ci of the shared harness"
    echo "corpus: $pass passed, $fail failed"
    exit 1
fi
C="$SHARED/corpus/sigmahq"
args=""
for d in rules rules-emerging-threats rules-threat-hunting deprecated; do
    "$SIGMA" convert -t athena -f json -s -O keyword_fields=raw_data "$C/$d" >"$TMP/$d.json" 2>"$TMP/$d.err"
    rc=$?
    [ $rc -eq 0 ] && ok "convert $d (exit 0)" || bad "convert $d exited $rc"
    args="$args $TMP/$d.json $d"
done
# every rule of rules/ converts
n=$(grep -c ': error: ' "$TMP/rules.err")
[ "$n" -eq 0 ] && ok "rules/: no conversion error" || { bad "rules/: $n conversion errors"; head -5 "$TMP/rules.err"; }
# without keyword_fields the keyword rules fail with a clear, skippable error
"$SIGMA" convert -t athena -f json "$C/rules" >/dev/null 2>"$TMP/nokw.err"
rc=$?
k=$(grep -c "keywords' search" "$TMP/nokw.err")
[ $rc -eq 1 ] && [ "$k" -gt 0 ] && ok "without keyword_fields: $k keyword rules fail (exit 1)" ||
    bad "without keyword_fields: exit $rc, $k keyword errors"

# shellcheck disable=SC2086
node "$TMP/tc/regress.mjs" --sigma "$C" --all $args >"$TMP/regress.txt" 2>&1
tail -4 "$TMP/regress.txt"
tot=$(grep '^TOTAL' "$TMP/regress.txt")
case "$tot" in
*"notmatched=0 errors=0 noquery=0"*) ok "regress: $(echo "$tot" | sed 's/.*tests=\([0-9]*\) matched=\([0-9]*\).*/\2 of \1 matched/')" ;;
*) bad "regress: $tot" ;;
esac
allq=$(grep 'all-queries execution' "$TMP/regress.txt")
# RE2 (DuckDB) has no lookaround: a regex that needs one (PCRE's ASCII \b is
# written with lookarounds for Trino's engine) cannot run there; tests/trino
# runs every corpus query on Trino itself.
re2=$(grep -c '^  EXECERR .*harness limit: RE2 (DuckDB) has no lookaround' "$TMP/regress.txt")
nerr=$(echo "$allq" | sed -n 's/.* \([0-9]*\) DuckDB errors.*/\1/p')
case "$allq" in
*" DuckDB errors, 0 with Trino lint errors"*)
    if [ "${nerr:-1}" -eq "$re2" ]; then
        ok "regress --all: 0 execution errors, 0 lint errors ($re2 queries with lookarounds RE2 cannot run)"
    else
        bad "regress --all: $allq"
        grep '^  EXECERR' "$TMP/regress.txt" | grep -v 'has no lookaround' | head -5
    fi ;;
*) bad "regress --all: $allq" ;;
esac
for d in rules rules-emerging-threats rules-threat-hunting deprecated; do
    out=$(node "$TMP/tc/trino_syntax.mjs" "$TMP/$d.json" 2>&1 | grep "queries=" | head -1)
    case "$out" in
    *" fail=0 "*) ok "trino grammar $d: $(echo "$out" | sed 's/.*queries=\([0-9]*\).*/\1 queries/')" ;;
    *) bad "trino grammar $d: $out" ;;
    esac
done
# every difference from the reference output falls under a documented fix
if node "$ROOT/tests/corpus/diffref.mjs" "$SHARED/reference/athena-0.2.0-rules.json" "$TMP/rules.json" >"$TMP/diff.txt" 2>&1; then
    ok "reference differences all explained: $(grep -c '^  *[0-9]' "$TMP/diff.txt") classes"
else
    bad "unexplained differences from the reference"
    tail -20 "$TMP/diff.txt"
fi
echo "corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
