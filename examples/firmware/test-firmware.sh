#!/bin/sh
# make test-firmware: run the firmware in QEMU (Cortex-M7 on mps2-an500,
# Cortex-M4 on mps2-an386) and check that its text and token ids equal
# those of the same application built for this machine (host_firmware).
# -icount shift=0: one instruction = 1 ns of virtual time, so the tick
# counts the firmware prints are instruction counts / 40 (25 MHz SysTick),
# the same from run to run but for a few ticks.
# It also checks that the host's text equals what build/generate (llm.h's
# ordinary build: malloc, stdio, SIMD, OpenMP) prints for the same prompt,
# greedily, with the same number of new tokens.
# Usage: test-firmware.sh BUILD_DIR MODEL_DIR [GENERATE PROMPT NEW_TOKENS]
set -u
B=${1:-build/firmware}
M=${2:-models/shakespeare}
GEN=${3:-build/generate}
PROMPT=${4:-ROMEO:}
NEW=${5:-32}
QEMU=${QEMU_ARM:-qemu-system-arm}
T=${FW_TIMEOUT:-120}
pass=0
fail=0

# The lines to compare: from "text:" up to and including "ids:".
tokens() { sed -n '/^text: /,/^ids:/p' "$1"; }

"$B/host_firmware" "$M" > "$B/host.out" 2>&1
if [ $? -ne 0 ] || ! grep -q '^ids:' "$B/host.out"; then
    echo "FAIL host_firmware:"; cat "$B/host.out"; exit 1
fi
tokens "$B/host.out" > "$B/host.tokens"

# The text alone (without "text: " and the ids line), against build/generate.
sed '$d' "$B/host.tokens" | sed '1s/^text: //' > "$B/host.text"
"$GEN" -m "$M" -p "$PROMPT" --max-new-tokens "$NEW" --temperature 0 > "$B/generate.text" 2> "$B/generate.err"
if [ $? -ne 0 ]; then
    echo "FAIL $GEN:"; cat "$B/generate.err"; fail=$((fail + 1))
elif ! cmp -s "$B/host.text" "$B/generate.text"; then
    echo "FAIL host_firmware's text differs from $GEN -p \"$PROMPT\" --max-new-tokens $NEW --temperature 0"
    diff "$B/host.text" "$B/generate.text"; fail=$((fail + 1))
else
    echo "ok   host_firmware (LLM_NO_STDIO/NO_MALLOC/NO_SIMD/NO_OPENMP, arena) prints the text $GEN prints"
    pass=$((pass + 1))
fi

for spec in "firmware.elf mps2-an500" "firmware-m4.elf mps2-an386"; do
    set -- $spec
    elf=$1 machine=$2 out="$B/${1%.elf}.out"
    start=$(date +%s)
    timeout "$T" "$QEMU" -M "$machine" -nographic -semihosting -icount shift=0 -kernel "$B/$elf" > "$out" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    tokens "$out" > "$out.tokens"
    if [ $rc -ne 0 ] || ! grep -q '^firmware: ok' "$out"; then
        echo "FAIL $elf on $machine: exit status $rc after ${secs}s (timeout ${T}s)"; tail -n 20 "$out"; fail=$((fail + 1))
    elif ! cmp -s "$B/host.tokens" "$out.tokens"; then
        echo "FAIL $elf on $machine: tokens differ from host_firmware"; diff "$B/host.tokens" "$out.tokens"; fail=$((fail + 1))
    else
        echo "ok   $elf on $machine: $(grep '^ids:' "$out" | wc -w | awk '{print $1 - 1}') ids equal to the host build's (${secs}s in QEMU)"
        grep -E '^(arena total|ticks|tokens/s|stack):' "$out" | sed 's/^/     /'
        pass=$((pass + 1))
    fi
done
# Size arithmetic on a 32-bit target (tests/firmware/test_limits32.c).
timeout "$T" "$QEMU" -M mps2-an500 -nographic -semihosting -kernel "$B/limits32.elf" > "$B/limits32.out" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^limits32: [0-9]* passed, 0 failed' "$B/limits32.out"; then
    echo "FAIL limits32.elf on mps2-an500: exit status $rc"; cat "$B/limits32.out"; fail=$((fail + 1))
else
    echo "ok   limits32.elf on mps2-an500: $(grep '^limits32:' "$B/limits32.out" | sed 's/^limits32: //') (32-bit size checks)"
    pass=$((pass + 1))
fi

echo "test-firmware: $pass passed, $fail failed"
[ $fail -eq 0 ]
