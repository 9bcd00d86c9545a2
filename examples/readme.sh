#!/bin/sh
# readme.sh - the README's pipeline examples, run verbatim: the YAML block
# of the "Pipelines" section and both commands, on one CloudTrail rule; the
# command of the "Security Lake" section, whose output must be its SQL block.
# Prints "readme: N passed, M failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"
want="SELECT * FROM amazon_security_lake_table_eu_west_2_cloud_trail_mgmt_2_0 WHERE LOWER(api.operation) = 'consolelogin'"

# the YAML block of the Pipelines section
awk '/^## Pipelines/ { p = 1 } /^## Security Lake/ { p = 0 } p && /^```yaml/ { y = 1; next } y && /^```/ { exit } y { print }' \
    "$ROOT/README.md" >"$T/security_lake.yml"
# the two commands, with the rule folder replaced by a test rule (in the OCSF
# names of the table's built-in schema)
cmds=$(awk '/^## Pipelines/ { p = 1 } /^## Security Lake/ { p = 0 } p && /^build\/sigma convert/ { print }' "$ROOT/README.md")
mkdir -p "$T/rules/cloud/aws"
cat >"$T/rules/cloud/aws/login.yml" <<'RULE'
title: Console login
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        api.operation: ConsoleLogin
    condition: sel
RULE
n=0
echo "$cmds" | while IFS= read -r cmd; do
    n=$((n + 1))
    got=$(cd "$T" && eval "$(echo "$cmd" | sed "s#^build/sigma#$SIGMA#")" 2>&1)
    if [ "$got" = "$want" ]; then echo "ok   readme command $n"; else echo "FAIL readme command $n: $cmd"; echo "  got: $got"; fi
done >"$T/log"
cat "$T/log"
pass=$(grep -c '^ok' "$T/log")
fail=$(grep -c '^FAIL' "$T/log")
[ "$(grep -c . "$T/security_lake.yml")" -gt 5 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no YAML block found"; }
[ "$(echo "$cmds" | grep -c .)" -eq 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: expected 2 commands"; }
# the Security Lake section: its command (from the repository root) prints its SQL block
section() { awk '/^## Security Lake/ { p = 1; next } /^## / { p = 0 } p' "$ROOT/README.md"; }
lake_cmd=$(section | grep '^build/sigma convert')
lake_sql=$(section | awk '/^```sql/ { y = 1; next } y && /^```/ { exit } y { print }')
lake_got=$(cd "$ROOT" && eval "$(echo "$lake_cmd" | sed "s#^build/sigma#$SIGMA#")" 2>&1)
if [ -n "$lake_cmd" ] && [ -n "$lake_sql" ] && [ "$lake_got" = "$lake_sql" ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL readme Security Lake: $lake_cmd"
    echo "  got:  $lake_got"
    echo "  want: $lake_sql"
fi
summary readme
