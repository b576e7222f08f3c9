#!/bin/sh
# examples/lowlevel.c, docs/api.md's token loop as a program: its text must
# equal llm_generate's (through build/generate) for the same sampler
# settings and seed, token for token, and it must stop for the right
# reason. Prints "test_lowlevel: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_lowlevel.sh: $1"; }
for p in lowlevel generate; do
    if [ ! -x "$B/$p" ]; then
        echo "FAIL test_lowlevel.sh: $B/$p not built (make)"; echo "test_lowlevel: 0 passed, 1 failed"; exit 1
    fi
done
# the same settings as lowlevel.c: temperature 0.8, top-k 40, repetition penalty 1.3, seed 42
for n in 1 30 120; do
    a=$("$B/generate" -m $M -p "ROMEO:" --temperature 0.8 --top-k 40 --repetition-penalty 1.3 --seed 42 \
        --max-new-tokens $n --threads 1 -q 2>/dev/null)
    b=$(OMP_NUM_THREADS=1 "$B/lowlevel" $M "ROMEO:" $n 2>/dev/null); rc=$?
    if [ "$rc" -ne 0 ]; then bad "lowlevel $n: exit status $rc"
    elif [ -z "$b" ] || [ "$a" != "$b" ]; then bad "lowlevel $n tokens differs from generate: '$b' vs '$a'"
    else ok; fi
done
# the stop reason and the token counts on stderr
err=$("$B/lowlevel" $M "ROMEO:" 5 2>&1 >/dev/null)
case "$err" in *"2 prompt + 5 new tokens; stopped: max-new-tokens"*) ok ;; *) bad "lowlevel stderr: '$err'" ;; esac
# a context's worth of tokens: stops at the context (or end-of-text) before 100000
err=$("$B/lowlevel" $M "ROMEO:" 100000 2>&1 >/dev/null)
case "$err" in *"stopped: context full"*|*"stopped: end-of-text"*) ok ;; *) bad "lowlevel long run: '$err'" ;; esac
# a missing model: a message and exit status 1
"$B/lowlevel" /nonexistent-llm-h "x" 3 >/dev/null 2>&1; rc=$?
if [ "$rc" -eq 1 ]; then ok; else bad "missing model: exit status $rc"; fi
echo "test_lowlevel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
