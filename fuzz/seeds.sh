#!/bin/sh
# seeds.sh TARGET - the seed inputs of a fuzz target, one path a line, from
# the repository root. The rule and YAML targets start from the golden test
# cases and the example rules, the pipeline target from the golden
# pipelines and the built-in pipelines' files: the test data is the one
# source, never copied. Used by
# `make fuzz` and by the replay in tests/run.sh.
cd "$(dirname "$0")/.." || exit 2
case ${1:-} in
rule | yaml) ls tests/golden/*.yml examples/rules/*.yml ;;
pipeline) find tests/golden/pipelines pipelines -type f -name '*.yml' | LC_ALL=C sort ;;
condition) ls fuzz/seeds/condition/* ;;
schema) ls fuzz/seeds/schema/* ;;
*)
    echo "usage: seeds.sh rule|yaml|pipeline|condition|schema" >&2
    exit 2
    ;;
esac
