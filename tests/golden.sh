#!/bin/sh
# golden.sh - exact-output tests of `sigma convert -t athena`.
#
#     BUILD=build sh tests/golden.sh [NAME...]   compare (run from anywhere)
#     UPDATE=1 sh tests/golden.sh [NAME...]      rewrite the expectation files (reports
#                                                "updated N cases", no test)
#
# NAME limits the run to those cases. After UPDATE, review the changes with
# git diff: an expectation is what the CONTRACT demands, not what the
# compiler happens to print.
#
# Each case is tests/golden/NAME.yml. Its expectations:
#   NAME.sql   exact stdout (absent: stdout must be empty)
#   NAME.err   exact stderr (absent: stderr must be empty)
# The exit status must be non-zero exactly when NAME.err holds an
# "error:" (any case) line, unless the arguments include -s
# (--skip-unsupported), which makes rule errors exit 0. Extra CLI arguments go on the first line of the .yml:
#   # args: -O keyword_fields=raw_data -O cidr=native
# (split on blanks, no quoting). The command runs from the repository
# root, so paths in diagnostics read tests/golden/NAME.yml.
#
# Two more runs of a case, each a check of its own, when their expectation
# files exist (create an empty one, then UPDATE=1, to add a run):
#   NAME.strict.sql, NAME.strict.err   the same conversion with --strict
#   NAME.check                         `sigma check NAME.yml` (its whole
#                                      output; non-zero exit exactly when it
#                                      holds an "error:" line)
#
# When $BUILD/examples/convert exists (the library example), every case
# whose arguments it understands (-O and -p) and whose expected stderr holds
# only diagnostics about the rule file (lines starting with its path, not
# the CLI's own usage errors) is converted again through it and checked
# against the same expectations, counted as "golden-api".
#
# Ends with "golden: N passed, M failed"; exit status 1 if any failed.

BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

sigma=$BUILD/sigma
api=$BUILD/examples/convert
dir=tests/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if [ ! -x "$sigma" ]; then
    echo "golden: $sigma not found (build first)"
    echo "golden: 0 passed, 1 failed"
    exit 1
fi

pass=0 fail=0 apass=0 afail=0 acount=0 updated=0

# args_of FILE: the "# args:" header of a case, or nothing.
args_of() {
    IFS= read -r first <"$1" || first=
    case $first in
    '# args:'*) printf '%s\n' "${first#\# args:}" ;;
    esac
}

# api_ok ARGS...: true when the example program understands every argument.
api_ok() {
    while [ $# -gt 0 ]; do
        case $1 in
        -O | -p) [ $# -ge 2 ] || return 1; shift 2 ;;
        *) return 1 ;;
        esac
    done
    return 0
}

# check LABEL BASE OUT ERR RC SKIP: compare one run with the expectations
# BASE.sql and BASE.err.
check() {
    label=$1 cbase=$2 out=$3 err=$4 rc=$5 skip=$6 ok=1
    exp_out=/dev/null exp_err=/dev/null want_fail=0
    [ -f "$cbase.sql" ] && exp_out=$cbase.sql
    if [ -f "$cbase.err" ]; then
        exp_err=$cbase.err
        grep -qi 'error:' "$cbase.err" && [ "$skip" = 0 ] && want_fail=1
    fi
    if ! cmp -s "$exp_out" "$out"; then
        echo "--- $label: stdout differs from ${exp_out#"$PWD"/}"
        diff -u "$exp_out" "$out" | sed '1,2d'
        ok=0
    fi
    if ! cmp -s "$exp_err" "$err"; then
        echo "--- $label: stderr differs from ${exp_err#"$PWD"/}"
        diff -u "$exp_err" "$err" | sed '1,2d'
        ok=0
    fi
    if [ "$want_fail" = 1 ] && [ "$rc" -eq 0 ]; then
        echo "--- $label: exit status 0, expected non-zero"
        ok=0
    elif [ "$want_fail" = 0 ] && [ "$rc" -ne 0 ]; then
        echo "--- $label: exit status $rc, expected 0"
        ok=0
    fi
    if [ "$rc" -gt 128 ]; then
        echo "--- $label: killed by signal $((rc - 128))"
        ok=0
    fi
    [ $ok = 1 ]
}

if [ $# -gt 0 ]; then
    cases=
    for n in "$@"; do
        n=$(basename "$n" .yml)
        [ -f "$dir/$n.yml" ] || { echo "golden: no case $dir/$n.yml"; exit 2; }
        cases="$cases $dir/$n.yml"
    done
else
    cases=$(ls "$dir"/*.yml 2>/dev/null | LC_ALL=C sort)
fi
if [ -z "$cases" ]; then
    echo "golden: no cases in $dir"
    echo "golden: 0 passed, 1 failed"
    exit 1
fi

set -f # arguments from headers are split, never globbed
for yml in $cases; do
    name=$(basename "$yml" .yml)
    base=$dir/$name
    args=$(args_of "$yml")
    # shellcheck disable=SC2086
    set -- $args
    skip=0
    for a in "$@"; do
        case $a in -s | --skip-unsupported) skip=1 ;; esac
    done
    "$sigma" convert -t athena "$@" "$yml" >"$tmp/out" 2>"$tmp/err"
    rc=$?

    if [ -n "$UPDATE" ]; then
        if [ -s "$tmp/out" ]; then cp "$tmp/out" "$base.sql"; else rm -f "$base.sql"; fi
        if [ -s "$tmp/err" ]; then cp "$tmp/err" "$base.err"; else rm -f "$base.err"; fi
        echo "updated $name (exit $rc)"
        updated=$((updated + 1))
    elif check "$name" "$base" "$tmp/out" "$tmp/err" "$rc" "$skip"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name"
        fail=$((fail + 1))
    fi

    if [ -f "$base.strict.sql" ] || [ -f "$base.strict.err" ]; then
        "$sigma" convert -t athena --strict "$@" "$yml" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ -n "$UPDATE" ]; then
            if [ -s "$tmp/out" ]; then cp "$tmp/out" "$base.strict.sql"; else rm -f "$base.strict.sql"; fi
            cp "$tmp/err" "$base.strict.err" # kept even if empty: it asks for this run
            echo "updated $name --strict (exit $rc)"
        elif check "$name --strict" "$base.strict" "$tmp/out" "$tmp/err" "$rc" "$skip"; then
            pass=$((pass + 1))
        else
            echo "FAIL $name --strict"
            fail=$((fail + 1))
        fi
    fi

    if [ -f "$base.check" ]; then
        "$sigma" check "$yml" >"$tmp/out" 2>&1
        rc=$?
        if [ -n "$UPDATE" ]; then
            cp "$tmp/out" "$base.check"
            echo "updated $name check (exit $rc)"
        else
            ok=1
            if ! cmp -s "$base.check" "$tmp/out"; then
                echo "--- $name check: output differs from $base.check"
                diff -u "$base.check" "$tmp/out" | sed '1,2d'
                ok=0
            fi
            want=0
            grep -q ': error: ' "$base.check" && want=1
            if [ "$rc" -ne "$want" ]; then
                echo "--- $name check: exit status $rc, expected $want"
                ok=0
            fi
            if [ $ok = 1 ]; then pass=$((pass + 1)); else echo "FAIL $name check"; fail=$((fail + 1)); fi
        fi
    fi

    [ -n "$UPDATE" ] && continue

    if [ -x "$api" ] && api_ok "$@" &&
        { [ ! -f "$base.err" ] || ! grep -qv "^$yml:" "$base.err"; }; then
        acount=$((acount + 1))
        "$api" "$@" "$yml" >"$tmp/aout" 2>"$tmp/aerr"
        rc=$?
        if check "$name (examples/convert)" "$base" "$tmp/aout" "$tmp/aerr" "$rc" 0; then
            apass=$((apass + 1))
        else
            echo "FAIL $name (examples/convert)"
            afail=$((afail + 1))
        fi
    fi
done
set +f

if [ -n "$UPDATE" ]; then
    # nothing was compared: no "passed" line
    echo "golden: updated $updated cases (review with git diff)"
    exit 0
fi
if [ -x "$api" ]; then
    echo "golden-api: $apass passed, $afail failed"
else
    echo "golden-api: skipped ($api not built)"
fi
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $afail -eq 0 ]
