#!/bin/sh
# Replays the seed corpora (tests/fuzz/corpus/<target>/) and the saved
# crashes (tests/fuzz/regressions/<target>/) through the fuzz harnesses built
# with tests/fuzz/standalone_main.c (`make fuzz-replay` builds them into
# build/fuzz-replay/ under ASan + UBSan and runs this).
#
#   sh tests/fuzz/replay.sh [BINDIR [TARGET...]]
#
# BINDIR defaults to $FUZZ_REPLAY_DIR or build/fuzz-replay; the targets to
# every fuzz_<target> in it. Run from the repository root (the tokenizer
# harnesses read tests/data/gpt2-tokenizer). Each input that runs clean
# counts as passed; a harness that dies (sanitizer report, failed check)
# counts as one failure and its remaining inputs are not run. Ends with
# "fuzz_replay: N passed, N failed", like the test programs, so that
# tests/run.sh can add it up. $FUZZ_REPLAY_WRAPPER, if set, is put in front
# of each harness (`make valgrind`: valgrind with its flags).
dir=${1:-${FUZZ_REPLAY_DIR:-build/fuzz-replay}}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
    for b in "$dir"/fuzz_*; do [ -x "$b" ] && set -- "$@" "${b##*/fuzz_}"; done
fi
if [ $# -eq 0 ]; then echo "fuzz_replay: no harnesses in $dir (make fuzz-replay builds them)"; echo "fuzz_replay: 0 passed, 1 failed"; exit 1; fi
passed=0; failed=0
for t in "$@"; do
    set --
    [ -d "tests/fuzz/corpus/$t" ] && set -- "$@" "tests/fuzz/corpus/$t"
    [ -d "tests/fuzz/regressions/$t" ] && set -- "$@" "tests/fuzz/regressions/$t"
    if [ $# -eq 0 ]; then echo "fuzz_replay $t: no inputs"; continue; fi
    out=$(ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} $FUZZ_REPLAY_WRAPPER "$dir/fuzz_$t" "$@" 2>&1); rc=$?
    n=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9][0-9]*\) inputs ok$/\1/p' | awk '{s += $1} END {print s + 0}')
    passed=$((passed + n))
    if [ "$rc" -ne 0 ]; then
        printf '%s\n' "$out"
        echo "FAIL fuzz_replay $t: exit status $rc"
        failed=$((failed + 1))
    else
        echo "fuzz_replay $t: $n inputs ok"
    fi
done
echo "fuzz_replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
