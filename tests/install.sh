#!/bin/sh
# install.sh - `make install` into a temporary root, then build the example
# program against the installed header and libraries (static and shared,
# found with pkg-config) and run the installed command. Prints
# "install: N passed, M failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
P=/opt/sigma
make -s install BUILD="${BUILD:-build}" DESTDIR="$D" PREFIX=$P >"$D/log" 2>&1 && ok || { bad "make install"; cat "$D/log"; }
for f in bin/sigma include/sigma.h include/sigma_version.h lib/libsigma.a lib/libsigma.so lib/libsigma.so.0 lib/pkgconfig/sigma.pc share/man/man1/sigma.1; do
    [ -e "$D$P/$f" ] && ok || bad "missing $f"
done
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
rule=examples/rules/net_connection_private_rdp.yml
want=$("${BUILD:-build}/sigma" convert -t athena "$rule")
if cc -o "$D/ex-static" examples/convert.c $(pkg-config --cflags sigma) "$D$P/lib/libsigma.a" $(pkg-config --static --libs-only-l sigma | sed 's/-lsigma//') 2>"$D/err"; then
    [ "$("$D/ex-static" "$rule")" = "$want" ] && ok || bad "static example output"
else
    bad "static example build"; cat "$D/err"
fi
if cc -o "$D/ex-shared" examples/convert.c $(pkg-config --cflags --libs sigma) 2>"$D/err"; then
    [ "$(LD_LIBRARY_PATH="$D$P/lib" "$D/ex-shared" "$rule")" = "$want" ] && ok || bad "shared example output"
else
    bad "shared example build"; cat "$D/err"
fi
[ "$("$D$P/bin/sigma" convert -t athena "$rule")" = "$want" ] && ok || bad "installed command output"
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
