#!/bin/sh
# make bench-wait: generate's speed when another job keeps every core busy,
# under each OpenMP wait policy (examples/cli.h's cli_omp_passive,
# docs/speed.md "OpenMP wait policy"). Cases:
#   program default  OMP_WAIT_POLICY unset: the programs set PASSIVE
#   spin 300000      GOMP_SPINCOUNT=300000: libgomp's own default when the
#                    policy is unset (the programs leave it alone when
#                    GOMP_SPINCOUNT is set), i.e. the behaviour before
#   ACTIVE           OMP_WAIT_POLICY=ACTIVE
# each RUNS times (median) with the cores busy, then with them idle.
# MODEL (default models/shakespeare, TOKENS 200) or MODEL=124m: the GPT-2
# 124M shape in F16 with seeded random weights (build/bench_native
# --write-only writes it; the Shakespeare tokenizer is copied beside it,
# generate needs one; TOKENS 64).
# Needs build/generate (make) and models/shakespeare.
B=${BUILD:-build}
RUNS=${RUNS:-5}
MODEL=${MODEL:-models/shakespeare}
if [ "$MODEL" = 124m ]; then
    [ -x "$B/bench_native" ] || { echo "bench_wait: $B/bench_native not built (make $B/bench_native)"; exit 1; }
    "$B/bench_native" --write-only >/dev/null || exit 1
    MODEL=$B/bench-results/f16
    cp models/shakespeare/vocab.json models/shakespeare/merges.txt "$MODEL/" || exit 1
    TOKENS=${TOKENS:-64}
fi
TOKENS=${TOKENS:-200}
THREADS=${THREADS:-2}
LOAD=${LOAD:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
[ -x "$B/generate" ] || { echo "bench_wait: $B/generate not built (make)"; exit 1; }

# one run: tok/s after the first token
speed() {
    env "$@" "$B/generate" -m "$MODEL" -p "ROMEO:" --seed 1 --max-new-tokens "$TOKENS" --ignore-eos \
        --threads "$THREADS" 2>&1 >/dev/null | sed -n 's/.*; \([0-9.]*\) tok\/s after the first.*/\1/p'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
bench() { # label env...
    label=$1; shift
    all=""; i=0
    while [ $i -lt "$RUNS" ]; do all="$all $(speed "$@")"; i=$((i + 1)); done
    m=$(printf '%s\n' $all | median)
    printf '  %-16s median %8.1f tok/s  (runs:%s)\n' "$label" "$m" "$all"
    echo "$m" >"$TMP.$label"
}
TMP=${TMPDIR:-/tmp}/bench_wait.$$
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -f "$TMP".*' EXIT INT TERM
for state in busy idle; do
    if [ $state = busy ]; then
        i=0; while [ $i -lt "$LOAD" ]; do sh -c 'while :; do :; done' & pids="$pids $!"; i=$((i + 1)); done
        echo "$MODEL: cores busy ($LOAD spinning shell loops), $THREADS threads, $TOKENS tokens, median of $RUNS runs:"
    else
        for p in $pids; do kill "$p" 2>/dev/null; done; pids=""
        echo "cores idle:"
    fi
    bench default -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u KMP_BLOCKTIME
    bench spin300000 -u OMP_WAIT_POLICY GOMP_SPINCOUNT=300000
    bench active OMP_WAIT_POLICY=ACTIVE
    awk -v d="$(cat "$TMP.default")" -v s="$(cat "$TMP.spin300000")" -v a="$(cat "$TMP.active")" \
        'BEGIN { printf "  ratio default / spin 300000: %.2f; default / ACTIVE: %.2f\n", d / s, d / a }'
done
