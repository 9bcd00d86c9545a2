# lib.sh - the start and the end the shell tests share (tests/*.sh,
# examples/*.sh), sourced once ROOT is the repository:
#
#     ROOT=$(cd "$(dirname "$0")/.." && pwd)
#     . "$ROOT/tests/lib.sh"
#
# It sets -u and
#   SIGMA          the built command, $ROOT/${BUILD:-build}/sigma
#   T              a new temporary directory, removed when the script exits
#   pass, fail     the counts of checks, from 0
#   summary LABEL  prints "LABEL: N passed, M failed" and returns 1 when a
#                  check failed (a script's last command)
# shellcheck shell=sh
set -u
SIGMA="$ROOT/${BUILD:-build}/sigma"
T=$(mktemp -d "${TMPDIR:-/tmp}/sigma-test.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

summary() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
