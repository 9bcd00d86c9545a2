#!/bin/sh
# bench/run.sh - the corpus benchmark; `make bench` runs it (bench/README.md).
#
#   BUILD=build RUNS=5 CORPUS=../shared/corpus/sigmahq/rules sh bench/run.sh
#
# Measures, in one run: (a) the libyaml floor (bench/yaml_floor: the same
# files parsed with libyaml's event API, one thread, nothing else), (b) the
# full conversion of the corpus to /dev/null, (c) one small rule, (d) the
# corpus copied 1x, 4x and 16x into a temporary folder. (a) and (b) alternate
# run by run so that both see the same machine. Prints min and median wall
# time and peak RSS of each, and the ratios the goals are about. Then checks
# that the output is the same with one thread and with the default, between
# two runs, and that the YAML fast path builds the same trees as libyaml.
# Without CORPUS it converts a generated corpus (bench/gen_corpus.sh).
# Exit status 1 if a check fails; the timings are reported, not enforced.
set -eu

BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
CORPUS=${CORPUS:-../shared/corpus/sigmahq/rules}
SIGMA=$BUILD/sigma
MEASURE=$BUILD/bench/measure
FLOOR=$BUILD/bench/yaml_floor
CONVERT="convert -t athena -s -O keyword_fields=raw_data"

for t in "$SIGMA" "$MEASURE" "$FLOOR"; do
    [ -x "$t" ] || { echo "bench: $t is missing: run 'make bench'" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigma-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -d "$CORPUS" ]; then
    echo "bench: no corpus at $CORPUS: generating 3000 synthetic rules"
    sh bench/gen_corpus.sh "$tmp/generated" 3000
    CORPUS=$tmp/generated
fi

# run NAME N COMMAND...: N timed runs, appended to $tmp/t.NAME as "ms rss_kb"
run() {
    run_name=$1 run_n=$2
    shift 2
    while [ "$run_n" -gt 0 ]; do
        "$MEASURE" "$@" 2>>"$tmp/stderr" >>"$tmp/t.$run_name"
        run_n=$((run_n - 1))
    done
}

# stats NAME: "min median max_rss_mb" of the runs in $tmp/t.NAME
stats() {
    sort -n "$tmp/t.$1" | awk '{ t[NR] = $1; if ($2 > r) r = $2 }
        END { printf "%.1f %.1f %.1f\n", t[1], (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), r / 1024 }'
}

files=$(find "$CORPUS" -name '*.yml' -type f | wc -l)
bytes=$(find "$CORPUS" -name '*.yml' -type f -exec cat {} + | wc -c)
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
echo "corpus: $CORPUS ($files files, $bytes bytes); $RUNS runs; $cpus CPUs; SIGMA_THREADS=${SIGMA_THREADS:-default}"

# warm the page cache and the binaries
"$FLOOR" "$CORPUS" >/dev/null
"$SIGMA" $CONVERT "$CORPUS" -o /dev/null 2>/dev/null

# (a) and (b), alternating
i=0
while [ "$i" -lt "$RUNS" ]; do
    run floor 1 "$FLOOR" "$CORPUS"
    run full 1 "$SIGMA" $CONVERT "$CORPUS" -o /dev/null
    i=$((i + 1))
done

# (c) one small rule, process start included
run small $((RUNS * 4)) "$SIGMA" $CONVERT bench/small_rule.yml -o /dev/null

# (d) 1x, 4x, 16x copies: x<K> holds links to the first K copies
mkdir -p "$tmp/copies" "$tmp/x1" "$tmp/x4" "$tmp/x16"
k=1
while [ "$k" -le 16 ]; do
    c=$(printf 'c%02d' "$k")
    cp -R "$CORPUS" "$tmp/copies/$c"
    chmod -R u+w "$tmp/copies/$c"
    [ "$k" -le 1 ] && ln -s "$tmp/copies/$c" "$tmp/x1/$c"
    [ "$k" -le 4 ] && ln -s "$tmp/copies/$c" "$tmp/x4/$c"
    ln -s "$tmp/copies/$c" "$tmp/x16/$c"
    k=$((k + 1))
done
for x in 1 4 16; do
    "$SIGMA" $CONVERT "$tmp/x$x" -o /dev/null 2>/dev/null # page cache
    run "x$x" "$RUNS" "$SIGMA" $CONVERT "$tmp/x$x" -o /dev/null
done

echo
printf '%-34s %10s %10s %14s\n' "" "min ms" "median ms" "peak RSS MB"
row() {
    set -- "$1" $(stats "$2")
    printf '%-34s %10s %10s %14s\n' "$1" "$2" "$3" "$4"
}
row "(a) libyaml floor, 1 thread" floor
row "(b) full convert" full
row "(c) one small rule" small
row "(d) corpus 1x" x1
row "    corpus 4x" x4
row "    corpus 16x" x16

set -- $(stats floor) $(stats full) $(stats small) $(stats x1) $(stats x4) $(stats x16)
awk -v fl="$2" -v fu="$5" -v fr="$6" -v sm="$8" -v x1="${11}" -v x4="${14}" -v x16="${17}" 'BEGIN {
    v = fu / fl
    printf "\n(b)/(a), medians:   %.2f   goal <= 1.0   %s\n", v, v <= 1.0 ? "ok" : "MISSED"
    printf "(c) median:         %.1f ms  goal < 5 ms  %s\n", sm, sm < 5 ? "ok" : "MISSED"
    printf "(b) peak RSS:       %.1f MB  goal < 64 MB %s\n", fr, fr < 64 ? "ok" : "MISSED"
    printf "4x/1x, medians:     %.2f\n", x4 / x1
    v = x16 / x1
    printf "16x/1x, medians:    %.2f   goal <= 17    %s\n", v, v <= 17 ? "ok" : "MISSED"
}'

# checks
echo
status=0
"$SIGMA" $CONVERT -f json "$CORPUS" >"$tmp/out1.json" 2>"$tmp/err1"
"$SIGMA" $CONVERT -f json "$CORPUS" >"$tmp/out2.json" 2>"$tmp/err2"
SIGMA_THREADS=1 "$SIGMA" $CONVERT -f json "$CORPUS" >"$tmp/out3.json" 2>"$tmp/err3"
if cmp -s "$tmp/out1.json" "$tmp/out2.json" && cmp -s "$tmp/err1" "$tmp/err2"; then
    echo "check: two runs give the same output: ok"
else
    echo "check: two runs give the same output: FAILED"
    status=1
fi
if cmp -s "$tmp/out1.json" "$tmp/out3.json" && cmp -s "$tmp/err1" "$tmp/err3"; then
    echo "check: SIGMA_THREADS=1 gives the same output: ok"
else
    echo "check: SIGMA_THREADS=1 gives the same output: FAILED"
    status=1
fi
exit $status
