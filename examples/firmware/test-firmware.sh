#!/bin/sh
# make test-firmware: run the firmware in QEMU (Cortex-M7 on mps2-an500,
# Cortex-M4 on mps2-an386) and check that its text and token ids equal
# those of the same application built for this machine (host_firmware),
# and that its ids equal those of llm.h's ordinary build (host_ids: SIMD,
# OpenMP, malloc, stdio) for the same prompt and number of new tokens.
# Two models: the shipped one (F16, weights in XIP: firmware.elf,
# firmware-m4.elf) and, when Q8_DIR is given, its 8-bit quantization (weights
# in the 4 MiB code memory: firmware-q8.elf, firmware-q8-m4.elf; they must
# say "weights in flash" and hold Q8_DIR's model.safetensors, byte count
# checked).
# -icount shift=0: one instruction = 1 ns of virtual time, so the tick
# counts the firmware prints are instruction counts / 40 (25 MHz SysTick),
# the same from run to run but for a few ticks.
# It also checks that the host's text equals what build/generate (llm.h's
# ordinary build) prints for the same prompt, greedily, with the same number
# of new tokens.
# Usage: test-firmware.sh BUILD_DIR MODEL_DIR [GENERATE PROMPT NEW_TOKENS [Q8_DIR]]
set -u
B=${1:-build/firmware}
M=${2:-models/shakespeare}
GEN=${3:-build/generate}
PROMPT=${4:-ROMEO:}
NEW=${5:-32}
Q8=${6:-}
QEMU=${QEMU_ARM:-qemu-system-arm}
T=${FW_TIMEOUT:-120}
pass=0
fail=0

# The lines to compare: from "text:" up to and including "ids:".
tokens() { sed -n '/^text: /,/^ids:/p' "$1"; }

# check_model TAG MODEL_DIR WHERE ELF_M7 ELF_M4: WHERE is "flash" or "XIP",
# where the firmware must report its weights.
check_model() {
    tag=$1 dir=$2 where=$3 m7=$4 m4=$5
    bytes=$(wc -c < "$dir/model.safetensors" | tr -d ' ')
    "$B/host_firmware" "$dir" > "$B/host$tag.out" 2>&1
    if [ $? -ne 0 ] || ! grep -q '^ids:' "$B/host$tag.out"; then
        echo "FAIL host_firmware $dir:"; cat "$B/host$tag.out"; fail=$((fail + 1)); return
    fi
    tokens "$B/host$tag.out" > "$B/host$tag.tokens"
    "$B/host_ids" "$dir" "$PROMPT" "$NEW" > "$B/host_ids$tag.out" 2>&1
    if [ $? -ne 0 ] || ! grep -q '^ids:' "$B/host_ids$tag.out"; then
        echo "FAIL host_ids $dir:"; cat "$B/host_ids$tag.out"; fail=$((fail + 1)); return
    fi

    # The text alone (without "text: " and the ids line), against build/generate.
    sed '$d' "$B/host$tag.tokens" | sed '1s/^text: //' > "$B/host$tag.text"
    "$GEN" -m "$dir" -p "$PROMPT" --max-new-tokens "$NEW" --temperature 0 \
        > "$B/generate$tag.text" 2> "$B/generate$tag.err"
    if [ $? -ne 0 ]; then
        echo "FAIL $GEN:"; cat "$B/generate$tag.err"; fail=$((fail + 1))
    elif ! cmp -s "$B/host$tag.text" "$B/generate$tag.text"; then
        echo "FAIL host_firmware's text differs from $GEN -m $dir -p \"$PROMPT\" --max-new-tokens $NEW --temperature 0"
        diff "$B/host$tag.text" "$B/generate$tag.text"; fail=$((fail + 1))
    else
        echo "ok   host_firmware (LLM_NO_STDIO/NO_MALLOC/NO_SIMD/NO_OPENMP, arena) prints the text $GEN prints ($dir)"
        pass=$((pass + 1))
    fi

    for spec in "$m7 mps2-an500" "$m4 mps2-an386"; do
        set -- $spec
        elf=$1 machine=$2 out="$B/${1%.elf}.out"
        start=$(date +%s)
        timeout "$T" "$QEMU" -M "$machine" -nographic -semihosting -icount shift=0 -kernel "$B/$elf" > "$out" 2>&1
        rc=$?
        secs=$(( $(date +%s) - start ))
        tokens "$out" > "$out.tokens"
        if [ $rc -ne 0 ] || ! grep -q '^firmware: ok' "$out"; then
            echo "FAIL $elf on $machine: exit status $rc after ${secs}s (timeout ${T}s)"; tail -n 20 "$out"
            fail=$((fail + 1))
        elif ! grep -q "^model: .* weights $bytes bytes in place" "$out"; then
            echo "FAIL $elf on $machine: its weights are not $dir/model.safetensors ($bytes bytes)"
            grep '^model:' "$out"; fail=$((fail + 1))
        elif ! grep -q "^firmware: flash .* weights in $where\$" "$out"; then
            echo "FAIL $elf on $machine: weights not in $where"; grep '^firmware: flash' "$out"; fail=$((fail + 1))
        elif ! cmp -s "$B/host$tag.tokens" "$out.tokens"; then
            echo "FAIL $elf on $machine: tokens differ from host_firmware"; diff "$B/host$tag.tokens" "$out.tokens"
            fail=$((fail + 1))
        elif [ "$(grep '^ids:' "$out")" != "$(cat "$B/host_ids$tag.out")" ]; then
            echo "FAIL $elf on $machine: ids differ from host_ids (llm.h's ordinary build)"
            grep '^ids:' "$out"; cat "$B/host_ids$tag.out"; fail=$((fail + 1))
        else
            nids=$(grep '^ids:' "$out" | wc -w | awk '{print $1 - 1}')
            echo "ok   $elf on $machine: $nids ids equal to the host builds' (${secs}s in QEMU, weights in $where)"
            grep -E '^(firmware: flash |arena total:|ticks:|tokens/s:|stack:)' "$out" | sed 's/^/     /'
            pass=$((pass + 1))
        fi
    done
}

check_model "" "$M" XIP firmware.elf firmware-m4.elf
[ -n "$Q8" ] && check_model -q8 "$Q8" flash firmware-q8.elf firmware-q8-m4.elf

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
