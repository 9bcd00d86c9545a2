#!/bin/sh
# library.sh - the shared library is sealed and versioned: libsigma.so exports
# exactly the functions include/sigma.h declares SIGMA_API (all named
# sigma_*), its soname carries the major version, and the generated
# sigma_version.h matches VERSION. Prints "library: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
SO=$BUILD/libsigma.so
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -f "$SO" ]; then
    echo "library: $SO not found (build first)"
    echo "library: 0 passed, 1 failed"
    exit 1
fi
# declared: every "SIGMA_API type name(" of the header
sed -n 's/^SIGMA_API[^(]*[ *]\([a-z_0-9]*\)(.*/\1/p' include/sigma.h | sort >"$T/declared"
nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRVWi]$/ { print $3 }' | sort >"$T/exported"
n=$(wc -l <"$T/declared")
[ "$n" -ge 20 ] && ok || bad "only $n SIGMA_API functions found in include/sigma.h"
if cmp -s "$T/declared" "$T/exported"; then ok; else
    bad "exported symbols differ from the SIGMA_API declarations (< declared, > exported):"
    diff "$T/declared" "$T/exported" | grep '^[<>]'
fi
grep -v '^sigma_' "$T/exported" >"$T/other" && { bad "symbols without the sigma_ prefix:"; cat "$T/other"; } || ok

version=$(cat VERSION)
major=${version%%.*}
soname=$(objdump -p "$SO" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libsigma.so.$major" ] && ok || bad "soname '$soname', want libsigma.so.$major"

H=$BUILD/include/sigma_version.h
grep -q "^#define SIGMA_VERSION_STRING \"$version\"$" "$H" && ok || bad "$H: SIGMA_VERSION_STRING is not $version"
# a program can test the API level at compile time
cat >"$T/v.c" <<'C'
#include <sigma.h>
#include <stdio.h>
#if SIGMA_VERSION_NUMBER < 0x000100
#error "version number"
#endif
int main(void) { printf("%d.%d.%d %s\n", SIGMA_VERSION_MAJOR, SIGMA_VERSION_MINOR, SIGMA_VERSION_PATCH, SIGMA_VERSION_STRING); return 0; }
C
if cc -std=c11 -Wall -Werror -Iinclude -I"$BUILD/include" -o "$T/v" "$T/v.c" 2>"$T/err"; then
    [ "$("$T/v")" = "$version $version" ] && ok || bad "version macros: $("$T/v")"
else
    bad "version program does not build"
    cat "$T/err"
fi
echo "library: $pass passed, $fail failed"
[ $fail -eq 0 ]
