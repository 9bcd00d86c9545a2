#!/bin/sh
# man.sh - every option that `--help` lists is documented in docs/sigma.1, and
# the version in the man page is the built one. Prints "man: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIGMA="$ROOT/${BUILD:-build}/sigma"
MAN="$ROOT/docs/sigma.1"
pass=0 fail=0
for cmd in convert check; do
    for opt in $("$SIGMA" $cmd --help | grep -o '^ *-[-a-zA-Z, ]*' | tr ',' '\n' | grep -o -- '--*[a-zA-Z][-a-zA-Z]*'); do
        pat=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        if grep -q -- "$pat" "$MAN"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL: sigma $cmd option $opt is not in docs/sigma.1"
        fi
    done
done
ver=$("$SIGMA" --version | awk '{print $2}')
if grep -q "\"sigma $ver\"" "$MAN"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: man page version is not $ver"; fi
echo "man: $pass passed, $fail failed"
[ $fail -eq 0 ]
