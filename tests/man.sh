#!/bin/sh
# man.sh - every option that `--help` lists is accepted by the command and
# documented in docs/sigma.1 (and there are at least as many as the command
# is known to have, so an empty or truncated help text fails); every list of
# `sigma list` is in the man page; the version in the man page is the built
# one. Prints "man: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIGMA="$ROOT/${BUILD:-build}/sigma"
MAN="$ROOT/docs/sigma.1"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
# man_has TEXT: TEXT (with '-' written '\-' as in roff) is in the man page
man_has() {
    pat=$(printf '%s' "$1" | sed 's/-/\\\\-/g')
    grep -q -- "$pat" "$MAN"
}
for spec in convert:25 check:14; do
    cmd=${spec%:*} min=${spec#*:}
    n=0
    for opt in $("$SIGMA" $cmd --help | grep -o '^ *-[-a-zA-Z, ]*' | tr ',' '\n' | grep -o -- '--*[a-zA-Z][-a-zA-Z]*'); do
        n=$((n + 1))
        man_has "$opt" && ok || bad "sigma $cmd option $opt is not in docs/sigma.1"
        "$SIGMA" $cmd "$opt" </dev/null 2>&1 | grep -q "No such option" && bad "sigma $cmd --help lists $opt, the command refuses it" || ok
    done
    [ $n -ge "$min" ] && ok || bad "sigma $cmd --help lists $n options, expected at least $min"
done
lists=$("$SIGMA" list --help | tr '|' '\n' | sed 's/.*list //; s/^ *//' | grep .)
[ "$(printf '%s\n' "$lists" | wc -l)" -ge 9 ] && ok || bad "sigma list --help names fewer than 9 lists"
for l in $lists; do
    "$SIGMA" list "$l" >/dev/null 2>&1 && ok || bad "sigma list $l fails"
    man_has "$l" && ok || bad "sigma list $l is not in docs/sigma.1"
done
ver=$("$SIGMA" --version | awk '{print $2}')
grep -q "\"sigma $ver\"" "$MAN" && ok || bad "man page version is not $ver"
echo "man: $pass passed, $fail failed"
[ $fail -eq 0 ]
