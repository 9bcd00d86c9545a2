#!/bin/sh
# setup.sh - install what building (and, with --test, testing) needs on
# Debian 12. Run as root. Safe to run again: installed packages are skipped.
set -eu
cd "$(dirname "$0")/.."

need=""
# python3-dev and python3-venv: for `pip install ./python` (the Python package)
for p in build-essential pkg-config libyaml-dev libpcre2-dev libutf8proc-dev libjansson-dev python3-dev python3-venv; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ "${1:-}" = "--test" ]; then
    for p in clang valgrind ca-certificates; do
        dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
    done
    command -v node >/dev/null 2>&1 || need="$need nodejs"
    command -v npm >/dev/null 2>&1 || need="$need npm"
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
fi
