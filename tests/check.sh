#!/bin/sh
# check.sh - `sigma check`: exact output for tests/check/*.yml and the exit
# codes of -e/-E/-i/-I/-x, with the option forms `sigma convert` accepts
# (--exclude=NAME, --). Prints "check: N passed, M failed".
#
#     UPDATE=1 sh tests/check.sh     rewrite tests/check/expected.txt (review
#                                    with git diff); reports "updated", no test
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
SIGMA="$ROOT/${BUILD:-build}/sigma"
T=$(mktemp -d "${TMPDIR:-/tmp}/sigma-check.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
if [ "${UPDATE:-}" = 1 ]; then
    "$SIGMA" check tests/check >tests/check/expected.txt
    echo "check: updated tests/check/expected.txt (sigma check exited $?)"
    exit 0
fi
t() { # t NAME EXPECTED-EXIT ARGS...
    name=$1 want=$2
    shift 2
    "$SIGMA" check "$@" >"$T/out" 2>&1
    rc=$?
    if [ $rc -eq "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: exit $rc, want $want"; cat "$T/out"; fi
}
# same NAME ARGS...: the output equals that of the previous t/same run
same() {
    name=$1
    shift
    cp "$T/out" "$T/prev"
    "$SIGMA" check "$@" >"$T/out" 2>&1
    if cmp -s "$T/prev" "$T/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: output differs"; diff "$T/prev" "$T/out"; fi
}
"$SIGMA" check tests/check >"$T/all" 2>&1
if diff -u tests/check/expected.txt "$T/all"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL output differs"; fi
t fail-on-error 1 tests/check
t pass-on-error 0 -E tests/check
t clean 0 tests/check/clean.yml
t clean-fail-on-issues 0 -i tests/check/clean.yml
t issues 1 -E -i tests/check/validators.yml
t exclude 0 -E -i -x identifier_uniqueness -x all_of_them_condition -x all_without_contains \
    -x base64offset_without_contains -x wildcards_instead_of_modifiers -x number_as_string -x windash_with_all \
    tests/check/validators.yml
# the long forms, with the value after '=' or as the next argument
t exclude-long 0 -E --fail-on-issues --exclude=identifier_uniqueness --exclude all_of_them_condition \
    --exclude=all_without_contains --exclude=base64offset_without_contains \
    --exclude=wildcards_instead_of_modifiers --exclude=number_as_string --exclude=windash_with_all \
    tests/check/validators.yml
t exclude-one 1 -E -i --exclude=number_as_string tests/check/validators.yml
grep -q '\[number_as_string\]' "$T/out" && { fail=$((fail + 1)); echo "FAIL exclude-one: number_as_string still reported"; } || pass=$((pass + 1))
t pattern 0 --file-pattern=clean.yml tests/check
same pattern-short -P clean.yml tests/check
grep -q '^1 file checked: 0 errors, 0 warnings$' "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL pattern: not just clean.yml"; cat "$T/out"; }
t end-of-options 0 -- tests/check/clean.yml
t unknown-validator 2 -x nope tests/check
t unknown-validator-long 2 --exclude=nope tests/check
grep -q "Unknown validator 'nope'" "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL unknown-validator-long: message"; cat "$T/out"; }
t missing-value 2 tests/check --exclude
t no-such-option 2 --exclude-all tests/check
t missing-input 2
t missing-path 2 tests/check/nope.yml
grep -q "^Usage: sigma check " "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL missing-path: usage of another command"; cat "$T/out"; }
echo "check: $pass passed, $fail failed"
[ $fail -eq 0 ]
