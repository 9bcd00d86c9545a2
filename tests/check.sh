#!/bin/sh
# check.sh - `sigma check`: exact output for tests/check/*.yml and the exit
# codes of -e/-E/-i/-I/-x. Prints "check: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
SIGMA="$ROOT/${BUILD:-build}/sigma"
pass=0 fail=0
t() { # t NAME EXPECTED-EXIT ARGS...
    name=$1 want=$2
    shift 2
    "$SIGMA" check "$@" >/tmp/sigma-check.$$ 2>&1
    rc=$?
    if [ $rc -eq "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: exit $rc, want $want"; cat /tmp/sigma-check.$$; fi
}
if [ "${UPDATE:-}" = 1 ]; then "$SIGMA" check tests/check >tests/check/expected.txt; fi
"$SIGMA" check tests/check >/tmp/sigma-check-out.$$ 2>&1
if diff -u tests/check/expected.txt /tmp/sigma-check-out.$$; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL output differs"; fi
t fail-on-error 1 tests/check
t pass-on-error 0 -E tests/check
t clean 0 tests/check/clean.yml
t clean-fail-on-issues 0 -i tests/check/clean.yml
t issues 1 -E -i tests/check/validators.yml
t exclude 0 -E -i -x identifier_uniqueness -x all_of_them_condition -x all_without_contains \
    -x base64offset_without_contains -x wildcards_instead_of_modifiers -x number_as_string -x windash_with_all \
    tests/check/validators.yml
t unknown-validator 2 -x nope tests/check
t missing-input 2
rm -f /tmp/sigma-check.$$ /tmp/sigma-check-out.$$
echo "check: $pass passed, $fail failed"
[ $fail -eq 0 ]
