#!/bin/sh
# limits.sh - every limit of src/util/limits.h, hit on purpose: each must be a
# clear error on that rule (exit 1, message with file:line:col), never a hang,
# a crash or an out-of-memory kill. A `timeout` guards against hangs only; the
# speed itself is measured in bench/. Prints "limits: N passed, M failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib.sh"

# expect NAME FILE MESSAGE [ARGS...]: convert FILE, expect exit 1 and MESSAGE on stderr
expect() {
    name=$1 file=$2 msg=$3
    shift 3
    timeout 60 "$SIGMA" convert -t athena "$@" "$file" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q -- "$msg" "$T/err" && grep -q "^$file:[0-9]*:[0-9]*: error: \|^$file: error: " "$T/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc, expected '$msg'; got:"
        head -c 300 "$T/err"
        echo
    fi
}

head_rule() {
    printf 'title: limit\nlogsource: {product: windows}\ndetection:\n'
}

# file size (16 MiB)
{ head_rule; printf '    sel:\n        A: x\n    condition: sel\n'; awk 'BEGIN { for (i = 0; i < 300000; i++) printf "# padding line %060d\n", i }'; } >"$T/big.yml"
expect file-size "$T/big.yml" "file too large"

# YAML node count with alias expansion (billion laughs)
{
    printf 'a: &a [x, x, x, x, x, x, x, x, x, x]\n'
    prev=a
    for n in b c d e f g h i j; do printf '%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' $n $n $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev; prev=$n; done
    head_rule
    printf '    sel:\n        A: *j\n    condition: sel\n'
} >"$T/laughs.yml"
expect yaml-nodes "$T/laughs.yml" "too many YAML nodes"

# YAML nesting depth
{ head_rule; printf '    sel:\n        A: '; awk 'BEGIN { for (i = 0; i < 5000; i++) printf "["; for (i = 0; i < 5000; i++) printf "]"; print "" }'; printf '    condition: sel\n'; } >"$T/deep.yml"
expect yaml-depth "$T/deep.yml" "YAML nesting too deep"

# condition nesting depth
{ head_rule; printf '    sel:\n        A: x\n    condition: '; awk 'BEGIN { for (i = 0; i < 1000; i++) printf "("; printf "sel"; for (i = 0; i < 1000; i++) printf ")"; print "" }'; } >"$T/cdeep.yml"
expect condition-depth "$T/cdeep.yml" "condition nested too deeply"

# condition length
{ head_rule; printf '    sel:\n        A: x\n    condition: sel'; awk 'BEGIN { for (i = 0; i < 20000; i++) printf " or sel"; print "" }'; } >"$T/clong.yml"
expect condition-length "$T/clong.yml" "condition too long"

# windash with many dashes (5^30 combinations are never built)
{ head_rule; printf '    sel:\n        A|windash: "'; awk 'BEGIN { for (i = 0; i < 30; i++) printf " -a"; }'; printf '"\n    condition: sel\n'; } >"$T/windash.yml"
expect windash "$T/windash.yml" "windash expansion too large"

# windash times base64offset
{ head_rule; printf '    sel:\n        A|windash|base64offset|contains: " -a -b -c -d -e"\n    condition: sel\n'; } >"$T/b64off.yml"
expect base64offset "$T/b64off.yml" "expansion of one value too large"

# values of one item
{ head_rule; printf '    sel:\n        A:\n'; awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "            - v%d\n", i }'; printf '    condition: sel\n'; } >"$T/values.yml"
expect values "$T/values.yml" "too many values"

# CIDR networks expanding past the value limit
{ head_rule; printf '    sel:\n        A|cidr:\n'; awk 'BEGIN { for (i = 0; i < 800; i++) printf "            - 10.%d.0.0/17\n", i % 256 }'; printf '    condition: sel\n'; } >"$T/cidr.yml"
expect cidr "$T/cidr.yml" "too many values"

# comparisons in one query
{ head_rule; for s in a b; do printf '    %s:\n        A:\n' $s; awk 'BEGIN { for (i = 0; i < 60000; i++) printf "            - v%d\n", i }'; done; printf '    condition: a and b\n'; } >"$T/leaves.yml"
expect query-size "$T/leaves.yml" "query too large"

# placeholder products from a pipeline (100 x 100 x 100 values)
{ printf 'vars:\n'; for v in a b c; do printf '  %s: [' $v; awk 'BEGIN { for (i = 1; i <= 100; i++) printf "%s%d", (i > 1 ? ", " : ""), i }'; printf ']\n'; done; printf 'transformations:\n  - type: value_placeholders\n'; } >"$T/ph.yml"
{ head_rule; printf "    sel:\n        A|expand: '%%a%%-%%b%%-%%c%%'\n    condition: sel\n"; } >"$T/phr.yml"
expect placeholders "$T/phr.yml" "too many combinations" -p "$T/ph.yml"

# a query over Athena's 262,144-byte limit is still written, with a warning naming the rule
{ head_rule; printf '    sel:\n        A|contains:\n'; awk 'BEGIN { for (i = 0; i < 12000; i++) printf "            - value%d\n", i }'; printf '    condition: sel\n'; } >"$T/athena.yml"
timeout 60 "$SIGMA" convert -t athena "$T/athena.yml" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(wc -c <"$T/out")" -gt 262144 ] && grep -q "warning: query 1 of rule 'limit' is [0-9]* bytes, over Athena's limit" "$T/err"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL athena-limit warning: exit $rc"; head -c 300 "$T/err"
fi

# the run goes on after a limit: a good rule in the same batch still converts
cp "$T/windash.yml" "$T/w1.yml"
{ head_rule; printf '    sel:\n        A: ok\n    condition: sel\n'; } >"$T/w2.yml"
mkdir "$T/batch" && mv "$T/w1.yml" "$T/w2.yml" "$T/batch/"
timeout 60 "$SIGMA" convert -t athena "$T/batch" >"$T/out" 2>"$T/err"
if [ $? -eq 1 ] && grep -q "LOWER(A) = 'ok'" "$T/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL batch: the good rule was not converted"; fi

# directory depth: a symbolic-link loop is walked until the limit, reported,
# and the rules found on the way are still converted (exit 1)
mkdir -p "$T/tree"
{ head_rule; printf '    sel:\n        A: ok\n    condition: sel\n'; } >"$T/tree/good.yml"
ln -s . "$T/tree/loop"
timeout 60 "$SIGMA" convert -t athena "$T/tree" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^$T/tree/loop/.*: error: $(printf '%s' 'Too many levels of symbolic links')" "$T/err" &&
    grep -q "LOWER(A) = 'ok'" "$T/out"; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL directory-loop: exit $rc"
    head -c 300 "$T/err"
fi
# a dangling link named like a rule is an error, not a silently missing rule
ln -s nowhere.yml "$T/tree/gone.yml"
rm "$T/tree/loop"
timeout 60 "$SIGMA" convert -t athena "$T/tree" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^$T/tree/gone.yml: error: No such file or directory" "$T/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1))
    echo "FAIL dangling-link: exit $rc"
    head -c 300 "$T/err"
fi

summary limits
