#!/bin/sh
# run.sh - the output formats checked by the tools of their ecosystems:
#
#   check.py   json, jsonl, cloudformation (cfn-lint), terraform (python-hcl2
#              and the resource's arguments), names, -o DIR/, --force, atomic
#              writes, parts, options, finalizers, ATT&CK ids; in the
#              environment of tests/deploy/venv.sh (build/python/deploy)
#   views.mjs  the views format executed in DuckDB
#
#     BUILD=build sh tests/deploy/run.sh
#
# Each prints "deploy-...: N passed, M failed" (tests/run.sh adds them up).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PY=$ROOT/build/python/deploy/bin/python
rc=0
if [ ! -x "$PY" ]; then
    echo "deploy-formats: $PY missing: run sh tools/setup.sh --test (or sh tests/deploy/venv.sh)"
    echo "deploy-formats: 0 passed, 1 failed"
    rc=1
else
    T=$(mktemp -d "${TMPDIR:-/tmp}/sigma-deploy.XXXXXX") || exit 2
    "$PY" "$ROOT/tests/deploy/check.py" "$BUILD/sigma" "$T" || rc=1
    rm -rf "$T"
fi
if [ ! -d "$ROOT/tests/semantic/node_modules/@duckdb/node-api" ]; then
    echo "deploy-views: dependencies missing: run (cd tests/semantic && npm ci)"
    echo "deploy-views: 0 passed, 1 failed"
    rc=1
else
    BUILD=$BUILD node "$ROOT/tests/deploy/views.mjs" || rc=1
fi
exit $rc
