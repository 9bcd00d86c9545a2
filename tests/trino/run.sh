#!/bin/sh
# run.sh - the compiler's SQL on a real Trino (the engine behind Athena v3):
#
#     sh tests/trino/run.sh [-v] [CASE-NAME-SUBSTRING...]
#
# after `sh tools/setup.sh --test` (which resolves Trino from Maven Central,
# tests/trino/pom.xml) and `make`. Compiles the small in-process server
# (EmbeddedTrino.java) with Java 25 into $BUILD/trino/, then runs run.mjs,
# which starts Trino on 127.0.0.1, runs every check on it and stops it. Its
# last line is "trino: N passed, M failed"; exit status 1 if anything failed.
# Trino missing (no Java 25, nothing resolved) is a failure, never a skip.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
export BUILD
JAVA_HOME=${TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
cd "$ROOT" || exit 2

fail() {
    echo "trino: $1"
    echo "trino: 0 passed, 1 failed"
    exit 1
}
[ -x "$JAVA_HOME/bin/javac" ] || fail "no Java 25 at $JAVA_HOME (Trino 483 needs it; set TRINO_JAVA_HOME)"
[ -f tests/trino/target/classpath.txt ] || fail "Trino is not resolved: run sh tools/setup.sh --test"
[ -x "$BUILD/sigma" ] || fail "$BUILD/sigma not built: run make"
[ -d tests/semantic/node_modules/yaml ] || fail "tests/semantic dependencies missing: run sh tools/setup.sh --test"

classes="$BUILD/trino/classes"
src=tests/trino/EmbeddedTrino.java
if [ ! -f "$classes/EmbeddedTrino.class" ] || [ "$src" -nt "$classes/EmbeddedTrino.class" ] ||
    [ tests/trino/target/classpath.txt -nt "$classes/EmbeddedTrino.class" ]; then
    mkdir -p "$classes"
    "$JAVA_HOME/bin/javac" -nowarn -encoding UTF-8 -cp "$(cat tests/trino/target/classpath.txt)" -d "$classes" "$src" ||
        fail "cannot compile $src"
fi
helper="$BUILD/trino/pcre_match"
if [ ! -x "$helper" ] || [ tests/trino/pcre_match.c -nt "$helper" ]; then
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -O1 -Wall -Wextra -Werror -o "$helper" tests/trino/pcre_match.c \
        $(pkg-config --cflags --libs libpcre2-8) || fail "cannot build $helper"
fi
exec node tests/trino/run.mjs "$@"
