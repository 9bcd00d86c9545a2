#!/bin/sh
# setup.sh - install what building (and, with --test, testing) needs on
# Debian 12. Run as root. Safe to run again: installed packages are skipped.
#
# --test also resolves the Trino the tests run (tests/trino/pom.xml, from
# Maven Central, into ~/.m2) and writes its class path to
# tests/trino/target/classpath.txt, so that the tests themselves run offline.
# Trino 483 needs Java 25: TRINO_JAVA_HOME, default
# /usr/lib/jvm/temurin-25-jdk-amd64 (the machines' second JDK).
set -eu
cd "$(dirname "$0")/.."

need=""
# python3-dev and python3-venv: for `pip install ./python` (the Python package)
for p in build-essential pkg-config libyaml-dev libpcre2-dev libutf8proc-dev libjansson-dev libonig-dev python3-dev python3-venv; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ "${1:-}" = "--test" ]; then
    for p in clang valgrind ca-certificates; do
        dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
    done
    command -v node >/dev/null 2>&1 || need="$need nodejs"
    command -v npm >/dev/null 2>&1 || need="$need npm"
    command -v mvn >/dev/null 2>&1 || need="$need maven"
fi
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
if [ "${1:-}" = "--test" ] && [ ! -d tests/semantic/node_modules/@duckdb ]; then
    (cd tests/semantic && npm ci --no-audit --no-fund)
fi
# the Python package's test environments (pinned pySigma, sigma-cli, pytest, mypy)
if [ "${1:-}" = "--test" ]; then
    sh python/tests/venvs.sh
    jh=${TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    if [ ! -x "$jh/bin/javac" ]; then
        echo "setup.sh: no Java 25 JDK at $jh: the Trino tests need one (set TRINO_JAVA_HOME)" >&2
        exit 1
    fi
    cp=tests/trino/target/classpath.txt
    if [ ! -s "$cp" ] || [ tests/trino/pom.xml -nt "$cp" ] || ! tr ':' '\n' <"$cp" | while read -r j; do
        [ -f "$j" ] || exit 1
    done; then
        mvn -q -B -f tests/trino/pom.xml dependency:build-classpath \
            -Dmdep.outputFile=target/classpath.txt >/dev/null
    fi
fi
