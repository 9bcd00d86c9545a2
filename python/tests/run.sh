#!/bin/sh
# run.sh - the tests of the Python package (python/), run once by tests/all.sh:
#
#     sh python/tests/run.sh
#
# Builds a wheel of python/ from the working tree (the C library compiled from src/), installs
# it into both test environments of venvs.sh and runs pytest in each: pySigma 2.x
# (build/python/pysigma2: every test but the sigma-cli ones) and pySigma 1.x with sigma-cli
# (build/python/pysigma1: every test but the typing check, whose mypy is in the other one, and
# the README's install, which needs no pySigma and is run once). The last line sums both runs:
# "python: N passed, M failed"; exit status 1 if anything failed.

cd "$(dirname "$0")/../.." || exit 2
V=build/python
for env in pysigma1 pysigma2; do
    if [ ! -x "$V/$env/bin/python" ]; then
        echo "python: test environment $V/$env missing: run sh tools/setup.sh --test"
        echo "python: 0 passed, 1 failed"
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigma-python.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

rm -rf "$V/wheel"
if ! "$V/pysigma2/bin/python" -m pip wheel -q --no-deps --no-build-isolation --disable-pip-version-check \
    -w "$V/wheel" ./python; then
    echo "python: building the wheel failed"
    echo "python: 0 passed, 1 failed"
    exit 1
fi
for env in pysigma1 pysigma2; do
    "$V/$env/bin/python" -m pip install -q --no-deps --force-reinstall --disable-pip-version-check \
        "$V"/wheel/libsigma-*.whl || { echo "python: installing into $env failed"; echo "python: 0 passed, 1 failed"; exit 1; }
done

pass=0
fail=0
# suite ENV PYTEST-ARGS...: runs pytest in ENV and adds up its summary line.
suite() {
    env=$1
    shift
    echo "==> pytest ($env)"
    { "$V/$env/bin/python" -m pytest -p no:cacheprovider -q "$@" 2>&1
      echo $? >"$tmp/rc"; } | tee "$tmp/out"
    rc=$(cat "$tmp/rc")
    last=$(grep -E '(passed|failed|errors?|no tests ran).* in [0-9.]+s' "$tmp/out" | tail -n 1)
    p=$(echo "$last" | sed -nE 's/(^|.* )([0-9]+) passed.*/\2/p')
    f=$(echo "$last" | sed -nE 's/(^|.* )([0-9]+) failed.*/\2/p')
    e=$(echo "$last" | sed -nE 's/(^|.* )([0-9]+) errors?.*/\2/p')
    p=${p:-0} f=${f:-0} e=${e:-0}
    f=$((f + e))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "python ($env): pytest exited with status $rc"
        f=1
    fi
    pass=$((pass + p))
    fail=$((fail + f))
}
suite pysigma2 python/tests --ignore=python/tests/test_sigma_cli.py
suite pysigma1 python/tests --ignore=python/tests/test_readme.py -k "not test_package_type_checks"

echo "python: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
