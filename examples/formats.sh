#!/bin/sh
# formats.sh - the README's "Output formats" examples, run verbatim: the rule
# of the section's YAML block is saved as rules/proc_creation_win_whoami.yml,
# then each `build/sigma convert` command of a sh block runs (with the built
# binary) and its output must equal the block that follows it.
# Prints "readme-formats: N passed, M failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"
# the section, then its blocks: block N into $T/block.N, its language into $T/lang.N
awk '/^## Output formats/ { p = 1; next } /^## / { p = 0 } p' "$ROOT/README.md" >"$T/section"
awk -v dir="$T" '
    /^```/ && !inblock { inblock = 1; n++; lang = substr($0, 4); print lang > (dir "/lang." n); printf "" > (dir "/block." n); next }
    /^```$/ && inblock { inblock = 0; next }
    inblock { print > (dir "/block." n) }
' "$T/section"
mkdir -p "$T/run/rules"
cp "$T/block.1" "$T/run/rules/proc_creation_win_whoami.yml"
[ "$(cat "$T/lang.1")" = yaml ] && grep -q '^title: Whoami Execution$' "$T/block.1" && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL: the section does not start with the rule"; }
n=2 cmds=0
while [ -f "$T/block.$n" ]; do
    if [ "$(cat "$T/lang.$n")" = sh ]; then
        cmds=$((cmds + 1))
        cmd=$(cat "$T/block.$n")
        want=$((n + 1))
        got=$(cd "$T/run" && eval "$(printf '%s\n' "$cmd" | sed "s#^build/sigma#$SIGMA#")" 2>&1)
        if [ -f "$T/block.$want" ] && [ "$got" = "$(cat "$T/block.$want")" ]; then
            pass=$((pass + 1))
            echo "ok   $cmd"
        else
            fail=$((fail + 1))
            echo "FAIL $cmd"
            printf '%s\n' "$got" | head -20
        fi
        n=$((n + 2))
    else
        n=$((n + 1))
    fi
done
[ "$cmds" -eq 7 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: expected 7 commands, found $cmds"; }
summary readme-formats
