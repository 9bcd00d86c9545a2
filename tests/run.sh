#!/bin/sh
# run.sh - every test of the project, in order:
#
#   1. unit tests        every binary in $BUILD/tests/
#   2. golden tests      tests/golden.sh (exact CLI output; also through
#                        $BUILD/examples/convert when it is built)
#   3. semantic tests    tests/semantic/run.mjs (the SQL run in DuckDB), then
#                        tests/semantic/corr.mjs (correlations) if present;
#                        tests/aws/run.mjs (AWS events on the table layouts);
#                        tests/deploy/run.sh (the output formats: cfn-lint,
#                        an HCL parser, views in DuckDB)
#   4. examples          each examples/*.sh, when $BUILD/examples/ has programs
#   5. man, library,     tests/man.sh, tests/library.sh, tests/limits.sh, tests/check.sh,
#      limits, check,    tests/schema.sh, tests/install.sh; saved fuzz inputs replayed through
#      install, fuzz     $BUILD/fuzz/replay_* (one check per target)
#   6. corpus check      tests/corpus/check.sh, only when ../shared/corpus/sigmahq
#                        exists beside the repository
#
#     BUILD=build sh tests/run.sh        (what `make check` runs)
#
# Every part prints lines "NAME: N passed, M failed"; they are summed. A part
# that prints no such line counts as one check, passed if it exits 0. A part
# that exits non-zero (or crashes) without reporting a failure counts as one
# failure. The last line is the total, "N passed, M failed"; the exit status
# is 1 if anything failed.

BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 2
export BUILD

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigma-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

total_pass=0
total_fail=0

# part LABEL COMMAND...: run one part, show its output, add up its counts.
part() {
    label=$1
    shift
    echo "==> $label"
    { "$@" 2>&1; echo $? >"$tmp/rc"; } | tee "$tmp/out"
    rc=$(cat "$tmp/rc")
    counts=$(grep -E '^[A-Za-z][A-Za-z0-9_.-]*: [0-9]+ passed, [0-9]+ failed$' "$tmp/out" |
        sed -E 's/^.*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
    p=0 f=0
    if [ -n "$counts" ]; then
        # shellcheck disable=SC2086
        set -- $counts
        while [ $# -ge 2 ]; do
            p=$((p + $1))
            f=$((f + $2))
            shift 2
        done
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            echo "$label: exited with status $rc"
            f=1
        fi
    elif [ "$rc" -eq 0 ]; then
        p=1
    else
        echo "$label: exited with status $rc"
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

# 1. unit tests
found=0
for t in "$BUILD"/tests/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    found=1
    part "unit $(basename "$t")" "$t"
done
[ $found = 1 ] || echo "==> unit: no test binaries in $BUILD/tests (run make unit)"

# 2. golden tests
part golden sh tests/golden.sh

# 3. semantic tests
# node_ready LABEL: node and the DuckDB harness's packages are there (else
# says which is missing, as LABEL, and returns 1)
node_ready() {
    if ! command -v node >/dev/null 2>&1; then
        echo "$1: node not found"
        return 1
    fi
    if [ ! -d tests/semantic/node_modules/@duckdb/node-api ]; then
        echo "$1: dependencies missing: run (cd tests/semantic && npm ci)"
        return 1
    fi
}
semantic() {
    node_ready semantic || return 1
    rc=0
    node tests/semantic/run.mjs || rc=1
    if [ -f tests/semantic/corr.mjs ]; then
        node tests/semantic/corr.mjs || rc=1
    fi
    return $rc
}
part semantic semantic

aws_layouts() {
    node_ready aws || return 1
    node tests/aws/run.mjs
}
part aws aws_layouts

# the output formats, each read back by its ecosystem's parser (tests/deploy)
part deploy sh tests/deploy/run.sh

# 4. example programs
if ls "$BUILD"/examples/* >/dev/null 2>&1; then
    for s in examples/*.sh; do
        [ -f "$s" ] || continue
        part "example $(basename "$s")" sh "$s"
    done
fi

# 5. the man page documents every option; saved fuzz inputs replay cleanly
part man sh tests/man.sh
# the exported symbols (the coverage build's library also exports the gcov
# runtime: checked in the other builds)
case "$BUILD" in *cov*) ;; *) part library sh tests/library.sh ;; esac
part limits sh tests/limits.sh
part check sh tests/check.sh
part schema sh tests/schema.sh
# make install and a program built against the installed library (the
# sanitizer and coverage builds' libraries need their runtimes: only here)
case "$BUILD" in *asan* | *cov*) ;; *) part install sh tests/install.sh ;; esac
for t in "$BUILD"/fuzz/replay_*; do
    [ -x "$t" ] || continue
    name=${t##*/replay_}
    # shellcheck disable=SC2046
    part "fuzz-replay $name" "$t" "$name" $(sh fuzz/seeds.sh "$name") "fuzz/regress/$name"
done

# 6. corpus check (only beside the shared material)
if [ -d ../shared/corpus/sigmahq ] && [ -f tests/corpus/check.sh ]; then
    part corpus sh tests/corpus/check.sh
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
