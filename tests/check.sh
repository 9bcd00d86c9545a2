#!/bin/sh
# check.sh - `sigma check`: exact output for tests/check/*.yml and the exit
# codes of -e/-E/-i/-I/-x, with the option forms `sigma convert` accepts
# (--exclude=NAME, --). Prints "check: N passed, M failed".
#
#     UPDATE=1 sh tests/check.sh     rewrite tests/check/expected.txt (review
#                                    with git diff); reports "updated", no test
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 2
SCHEMA_ARGS="-O schema=tests/schema/cloudtrail_logs.json -O table=default.cloudtrail_logs tests/schema/rules"
if [ "${UPDATE:-}" = 1 ]; then
    "$SIGMA" check tests/check >tests/check/expected.txt
    echo "check: updated tests/check/expected.txt (sigma check exited $?)"
    # shellcheck disable=SC2086
    "$SIGMA" check $SCHEMA_ARGS >tests/schema/rules.expected
    echo "check: updated tests/schema/rules.expected (sigma check exited $?)"
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
# fields against a table schema: every unknown field and impossible value of
# the rules (also of a correlation), at its position
# shellcheck disable=SC2086
t schema 1 $SCHEMA_ARGS
if diff -u tests/schema/rules.expected "$T/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL schema: output differs"; fi
# the one table of the schema files is the table when none is named; the DDL
# of the same table gives the same findings
same schema-one-table -O schema=tests/schema/cloudtrail_logs.json tests/schema/rules
same schema-ddl -O schema=tests/schema/cloudtrail_logs.ddl tests/schema/rules
# unknown fields as warnings; the struct compared as a whole stays an error
t schema-warn 1 -O schema=tests/schema/cloudtrail_logs.json -O unknown_fields=warn tests/schema/rules
grep -q '^3 files checked: 1 error, 4 warnings$' "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL schema-warn: counts"; cat "$T/out"; }
# the built-in schema of cloudtrail_logs, named by -O table alone
t schema-builtin 1 -O table=cloudtrail_logs tests/schema/rules
grep -q '^3 files checked: 5 errors, 0 warnings$' "$T/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL schema-builtin: counts"; cat "$T/out"; }
# a pipeline names the table (Security Lake: OCSF columns, raw names unknown)
t schema-pipeline 1 -p athena_security_lake_table_name -O aws_table_region=eu-west-2 tests/schema/rules/clean.yml
grep -c "error: unknown field" "$T/out" | grep -qx 4 && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL schema-pipeline: 4 unknown fields"; cat "$T/out"; }
# no table, no schema check
t schema-no-table 0 tests/schema/rules
t schema-bad-file 2 -O schema=tests/schema/bad tests/schema/rules
t schema-bad-option 2 -O unknown_fields=maybe tests/schema/rules
summary check
