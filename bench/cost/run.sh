#!/bin/sh
# bench/cost/run.sh - what a scheduled detection run costs on Athena
# (bench/cost/README.md); `make bench` runs it.
#
#   BUILD=build RULES=../shared/corpus/sigmahq/rules/cloud/aws sh bench/cost/run.sh
#
# Generates the dataset once into $BUILD/bench/cost/data (again when gen.mjs
# or its parameters change), converts the CloudTrail rules with the Security
# Lake pipeline in four ways and prints the bytes each would scan, their
# price and the ratios. The last line is
# "cost: unbounded/ours = X, windowed/ours = Y". Needs $BUILD/sigma and the
# pinned DuckDB of tests/semantic (sh tools/setup.sh --test).
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
[ -x "$BUILD/sigma" ] || { echo "cost: $BUILD/sigma is missing: run make" >&2; exit 2; }
[ -d tests/semantic/node_modules/@duckdb/node-api ] || { echo "cost: DuckDB is missing: run sh tools/setup.sh --test" >&2; exit 2; }
exec node bench/cost/cost.mjs ${RULES:+--rules "$RULES"}
