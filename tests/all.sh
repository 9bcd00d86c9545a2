#!/bin/sh
# all.sh - the full test run (the README's test command, and CI's):
#
#     sh tests/all.sh
#
# builds (make -j2), runs every test (make check, BUILD=build), then the same
# tests under AddressSanitizer + UndefinedBehaviorSanitizer (make asan,
# BUILD=build-asan), then the Python package's tests once (python/tests/run.sh),
# then tests/trino/run.sh, which runs the SQL on a real Trino, once (not again
# under the sanitizers: the SQL is the same), and ends with one line summing all
# runs: "N passed, M failed". A failed build stops the run. Every run happens
# even if an earlier one has failures, so the total is complete. Exit status 1
# if anything failed.

cd "$(dirname "$0")/.." || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigma-all.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if ! make -j2; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

total_pass=0
total_fail=0

# run LABEL COMMAND...: run COMMAND, add up its final "N passed, M failed"
# line (which may start with the label: "python: N passed, M failed").
run() {
    label=$1
    shift
    echo "==> $*"
    { "$@" 2>&1; echo $? >"$tmp/rc"; } | tee "$tmp/out"
    rc=$(cat "$tmp/rc")
    line=$(grep -E "^($label: )?[0-9]+ passed, [0-9]+ failed\$" "$tmp/out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$label: no summary line ($* exited with status $rc)"
        total_fail=$((total_fail + 1))
        return
    fi
    line=${line#*: }
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$label: $* exited with status $rc"
        f=1
    fi
    echo "$label: $p passed, $f failed"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

run check make check
run asan make asan
run python sh python/tests/run.sh

# The SQL on a real Trino, once: the sanitizer build emits the same SQL.
run trino sh tests/trino/run.sh

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
