#!/bin/sh
# Runs each test program given under valgrind (memcheck) and adds up their
# "name: N passed, N failed" lines like tests/run.sh. A program counts as
# one more failure when valgrind reports any error: invalid accesses,
# uninitialised values, or any leak, "still reachable" included
# (--errors-for-leak-kinds=all; tests/fuzz/valgrind.supp lists the blocks
# that are not llm.h's). `make valgrind` runs it from the repository root.
VALGRIND=${VALGRIND:-valgrind}
VALGRIND_FLAGS=${VALGRIND_FLAGS:-"--leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 --suppressions=tests/fuzz/valgrind.supp"}
# (make valgrind passes both)
passed=0; failed=0
for t in "$@"; do
    out=$($VALGRIND $VALGRIND_FLAGS "$t" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[a-z_0-9]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    errs=$(printf '%s\n' "$out" | grep -E '^==[0-9]+== ERROR SUMMARY: [1-9]')
    if [ -z "$line" ] || [ "$rc" -ne 0 ] || [ -n "$errs" ]; then printf '%s\n' "$out"; else printf '%s\n' "$line"; fi
    if [ -z "$line" ]; then
        echo "FAIL $t: exited $rc without a summary under valgrind"; failed=$((failed + 1)); continue
    fi
    p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -eq 99 ] || [ -n "$errs" ]; then echo "FAIL $t: valgrind reported errors (exit status $rc)"; failed=$((failed + 1))
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then echo "FAIL $t: exit status $rc"; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
