#!/bin/sh
# schema.sh - one table, two schema formats, the same SQL: rules converted
# against the CloudTrail table given as AWS Glue JSON (aws glue get-table,
# tests/schema/cloudtrail_logs.json) and as Athena DDL (SHOW CREATE TABLE,
# tests/schema/cloudtrail_logs.ddl) must give byte-identical output (queries,
# errors, warnings): the tests/aws rules, the schema rules, the schema golden
# cases and, beside the shared corpus, SigmaHQ's AWS rules; with and without
# unknown_fields=warn, and a correlation on the table's ISO-8601 eventtime.
# One check per comparison. Prints "schema: N passed, M failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"
cd "$ROOT" || exit 2

# same NAME ARGS...: -f json output (and stderr) with each schema file
same() { # the SQL must show the resolution (eventName is the column eventname)
    name=$1
    shift
    for f in json ddl; do
        "$SIGMA" convert -t athena -f json -s -O schema=tests/schema/cloudtrail_logs.$f \
            -O table=default.cloudtrail_logs "$@" >"$T/$f.out" 2>"$T/$f.err"
        echo "exit $?" >>"$T/$f.err"
    done
    if cmp -s "$T/json.out" "$T/ddl.out" && cmp -s "$T/json.err" "$T/ddl.err" && [ -s "$T/json.out" ] &&
        grep -q 'LOWER(eventname)' "$T/json.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: Glue JSON and DDL give different output"
        diff "$T/json.out" "$T/ddl.out" | head -5
        diff "$T/json.err" "$T/ddl.err" | head -5
    fi
}

same aws-rules tests/aws/rules
same aws-rules-warn -O unknown_fields=warn tests/aws/rules
same schema-rules tests/schema/rules
same correlation -O time_field=eventTime -O unknown_fields=warn tests/schema/rules/correlation.yml
same schema_unknown_warn -O unknown_fields=warn tests/golden/schema_unknown_warn.yml
same schema_option tests/golden/schema_option.yml
C=${SHARED:-$ROOT/../shared}/corpus/sigmahq/rules/cloud/aws
if [ -d "$C" ]; then
    same sigmahq-aws "$C"
    same sigmahq-aws-warn -O unknown_fields=warn "$C"
fi
summary schema
