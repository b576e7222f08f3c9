#!/bin/sh
# Runs each test program given and adds up their "name: N passed, N failed"
# lines into the final "N passed, N failed" line. A program that crashes or
# prints no summary counts as one failure. Each runs with stdin from /dev/null.
#
# LLM_TEST_JOBS programs run at once (default: the number of cores); each
# one's output is printed whole, in the order given, as soon as it and those
# before it are done; before the sum, the five slowest (wall seconds).
# OpenMP's threads sleep when they wait
# (OMP_WAIT_POLICY=passive unless the caller sets it): the tests' models are
# small, and spinning threads on cores shared with other tests (or other
# work) turn each barrier into a wait for the scheduler.
jobs=${LLM_TEST_JOBS:-$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}; export OMP_WAIT_POLICY
dir=$(mktemp -d "${TMPDIR:-/tmp}/llm-run.XXXXXX") || { echo "0 passed, 1 failed"; exit 1; }
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM

passed=0; failed=0
n=$#            # programs given
started=0       # programs started
shown=0         # programs whose output has been printed

nap() { sleep 0.05 2>/dev/null || sleep 1; }

# the number of programs that have finished
done_count() { set -- "$dir"/*.rc; [ -e "$1" ] && echo $# || echo 0; }

# prints program number $1's output and adds its summary to the totals
# (its variables start with s_: the loop below has its own)
show() {
    s_name=$(cat "$dir/$1.name"); s_rc=$(cat "$dir/$1.rc")
    cat "$dir/$1.out"
    s_line=$(grep -E '^[a-z_0-9]+: [0-9]+ passed, [0-9]+ failed$' "$dir/$1.out" | tail -n 1)
    if [ -z "$s_line" ]; then
        echo "FAIL $s_name: exited $s_rc without a summary"; failed=$((failed + 1)); return
    fi
    s_p=$(printf '%s' "$s_line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    s_f=$(printf '%s' "$s_line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    passed=$((passed + s_p)); failed=$((failed + s_f))
    if [ "$s_rc" -ne 0 ] && [ "$s_f" -eq 0 ]; then echo "FAIL $s_name: exit status $s_rc"; failed=$((failed + 1)); fi
}

# prints every finished program's output that is next in order
show_ready() {
    while [ $shown -lt $started ] && [ -e "$dir/$((shown + 1)).rc" ]; do
        shown=$((shown + 1)); show $shown
    done
}

for t in "$@"; do
    while [ $((started - $(done_count))) -ge "$jobs" ]; do show_ready; nap; done
    started=$((started + 1)); k=$started
    printf '%s\n' "$t" > "$dir/$k.name"
    ( s0=$(date +%s); "$t" > "$dir/$k.out" 2>&1 < /dev/null; echo $? > "$dir/$k.tmp"
      echo "$(( $(date +%s) - s0 )) s $t" > "$dir/$k.sec"; mv "$dir/$k.tmp" "$dir/$k.rc" ) &
    show_ready
done
while [ $shown -lt $n ]; do show_ready; [ $shown -lt $n ] && nap; done
wait
echo "slowest: $(cat "$dir"/*.sec | sort -rn | head -n 5 | sed 's|[^ ]*/||' | paste -sd, - | sed 's/,/, /g')"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
