#!/bin/sh
# venvs.sh - creates the two Python environments the package's tests run in, with the exact
# versions of requirements-pysigma1.txt and requirements-pysigma2.txt:
#
#   build/python/pysigma1   pySigma 1.x + sigma-cli (sigma-cli 3.x requires pySigma < 2)
#   build/python/pysigma2   pySigma 2.x (+ mypy for the typing check); bench/python_speed.py
#
#     sh python/tests/venvs.sh        (run by sh tools/setup.sh --test)
#
# Uses python3 from PATH (3.10 or newer, with venv and the C headers: Debian's python3-venv and
# python3-dev, installed by tools/setup.sh). Safe to run again: an environment whose
# requirements file has not changed is kept.
set -eu
cd "$(dirname "$0")/../.."
for env in pysigma1 pysigma2; do
    dir=build/python/$env
    req=python/tests/requirements-$env.txt
    if [ -x "$dir/bin/python" ] && cmp -s "$req" "$dir/requirements.txt"; then
        continue
    fi
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    cp "$req" "$dir/requirements.txt"
done
