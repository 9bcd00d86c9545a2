#!/bin/sh
# venv.sh - creates the Python environment of the deployment-format tests,
# build/python/deploy, with the exact versions of requirements.txt: cfn-lint
# (AWS CloudFormation's template linter, with the resource schemas) and
# python-hcl2 (an HCL2 parser, for the Terraform output).
#
#     sh tests/deploy/venv.sh        (run by sh tools/setup.sh --test)
#
# Uses python3 from PATH with venv (Debian's python3-venv, installed by
# tools/setup.sh). Safe to run again: an environment whose requirements file
# has not changed is kept.
set -eu
cd "$(dirname "$0")/../.."
dir=build/python/deploy
req=tests/deploy/requirements.txt
if [ -x "$dir/bin/python" ] && cmp -s "$req" "$dir/requirements.txt"; then
    exit 0
fi
rm -rf "$dir"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
cp "$req" "$dir/requirements.txt"
