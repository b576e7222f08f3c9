#!/bin/sh
# examples/stream.c, two prompts side by side on llm_generator: each text
# must equal build/generate's for the same prompt, sampler settings and
# seed (42 for the first prompt, 43 for the second), and every step's
# events go to stderr. Prints "test_stream: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_stream.sh: $1"; }
for p in stream generate; do
    if [ ! -x "$B/$p" ]; then
        echo "FAIL test_stream.sh: $B/$p not built (make)"; echo "test_stream: 0 passed, 1 failed"; exit 1
    fi
done
gen() { "$B/generate" -m $M -p "$1" --temperature 0.8 --top-k 40 --seed $2 --max-new-tokens $3 --threads 1 -q \
        2>/dev/null; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
for n in 1 25 80; do
    { gen "ROMEO:" 42 $n; gen "KING HENRY:" 43 $n; } > "$T/want"
    "$B/stream" $M "ROMEO:" "KING HENRY:" $n > "$T/got" 2>/dev/null; rc=$?
    if [ "$rc" -ne 0 ]; then bad "stream $n: exit status $rc"
    elif ! cmp -s "$T/got" "$T/want"; then
        bad "stream $n differs from generate: '$(cat "$T/got")' vs '$(cat "$T/want")'"
    else ok; fi
done
# the events: both sequences, each ending with its stop reason
err=$("$B/stream" $M "ROMEO:" "KING HENRY:" 5 2>&1 >/dev/null)
case "$err" in *"[0] id"*"[1] id"*) ok ;; *) bad "events: '$err'" ;; esac
n0=$(printf '%s\n' "$err" | grep -c 'stop: ')
if [ "$n0" -eq 2 ]; then ok; else bad "$n0 events with a stop reason, not 2: '$err'"; fi
"$B/stream" /nonexistent-llm-h >/dev/null 2>&1; rc=$?
if [ "$rc" -eq 1 ]; then ok; else bad "missing model: exit status $rc"; fi
echo "test_stream: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
