#!/bin/sh
# bench_ggml: llm.h side by side with ggml's examples/gpt-2 (the tensor
# library under llama.cpp's CPU backend: the same Q8_0 and F16 kernels) on
# the GPT-2 124M shape of make bench (seeded random weights): llm.h's 8-bit
# checkpoint against ggml q8_0, and F16 against F16. docs/speed.md, "Side
# by side with ggml", says how to fetch and build ggml; nothing here needs the
# network.
#
#     GGML_DIR=/tmp/ggml-build sh tools/bench/bench_ggml.sh      (or make bench-ggml)
#
# GGML_DIR: ggml's cmake build folder, with bin/gpt-2-backend and
# bin/gpt-2-quantize (skipped with a message when unset or absent).
# ROUNDS (default 7), THREADS (default 2), VOCAB (GPT-2's encoder.json,
# default ../shared/data/gpt2-tokenizer/encoder.json), BUILD (default build).
# Both programs run with OMP_WAIT_POLICY=PASSIVE (both use OpenMP), as make
# bench runs llm.h; OURS_WAIT / GGML_WAIT: PASSIVE, ACTIVE or default
# (unset: libgomp's spin-then-sleep, what ggml and llama.cpp get unless set).
#
# 1. build/bench_native --write-only: the F16 checkpoint and the 8-bit one
#    (build/quantize of the F16 one); tools/convert/to_ggml_gpt2.py converts the F16
#    one to ggml's format (BUILD/ggml/124m-f16.bin) and ggml's gpt-2-quantize
#    makes q8_0 of that (BUILD/ggml/124m-q8_0.bin); the same two with only
#    the first 256 vocabulary rows (--vocab-rows 256: -v256.bin, for the
#    "head cut" prompt below). All kept and reused.
# 2. Check: greedy text from both programs on the F16 checkpoint and on
#    models/shakespeare (converted to BUILD/ggml/shakespeare-f16.bin), same
#    prompt ids (ggml's own tokenizer gives them), MATCH or DIFFER.
# 3. ROUNDS rounds, each: llm.h 8-bit, ggml q8_0, llm.h F16, ggml F16, and
#    the load average (uptime). llm.h: one `build/bench_native --child DIR
#    THREADS 1 512 0`, make bench's own protocol and figures after a warm-up
#    run: prompt 128 tokens from an empty cache (tok/s), generation of 128
#    greedy tokens after a 16-token prompt (tok/s). ggml: gpt-2-backend's
#    "predict time" (time in its eval calls, sampling excluded), three runs:
#    a 128-token prompt as one batch with -n 1 (only the prompt is
#    evaluated: prompt tok/s = 128 / that), and a 16-token prompt with -n 1
#    and with -n 129 (128 one-token evals more): generation tok/s = 128 /
#    the difference. Each ggml run is a fresh process, so its prompt figure
#    is its first eval (no warm-up). ggml's gpt-2 computes the LM head for
#    every prompt position (llm.h's bench and llama.cpp only for the last):
#    1.44 to 1.46x the prompt FLOPs of llm.h on this shape. So a fourth run
#    times the 128-token prompt on the -v256 model (128 byte tokens), whose
#    LM head is 256 rows instead of 50257, next to nothing: ggml's prompt
#    without that extra work ("head cut").
# 4. Medians, the ratio of the medians (llm.h / ggml) and the median of the
#    per-round ratios.
B=${BUILD:-build}
ROUNDS=${ROUNDS:-7}
THREADS=${THREADS:-2}
VOCAB=${VOCAB:-../shared/data/gpt2-tokenizer/encoder.json}
OURS_WAIT=${OURS_WAIT:-PASSIVE}
GGML_WAIT=${GGML_WAIT:-PASSIVE}
PY=${PYTHON:-/usr/bin/python3}
GG=${GGML_DIR:-}/bin/gpt-2-backend
GQ=${GGML_DIR:-}/bin/gpt-2-quantize
if [ -z "${GGML_DIR:-}" ] || [ ! -x "$GG" ] || [ ! -x "$GQ" ]; then
    echo "bench_ggml: skipped: set GGML_DIR to a ggml build with bin/gpt-2-backend and bin/gpt-2-quantize" \
        "(docs/speed.md, \"Side by side with ggml\")"
    exit 0
fi
for p in bench_native quantize generate; do
    [ -x "$B/$p" ] || {
        echo "bench_ggml: skipped: $B/$p not built (make $B/bench_native $B/quantize $B/generate)"; exit 0
    }
done
[ -r "$VOCAB" ] || { echo "bench_ggml: skipped: no GPT-2 vocabulary at $VOCAB (set VOCAB)"; exit 0; }
"$PY" -c 'import numpy' 2>/dev/null || { echo "bench_ggml: skipped: $PY cannot import numpy"; exit 0; }

D=$B/bench-results
mkdir -p "$B/ggml" || exit 1
"$B/bench_native" --write-only >"$B/ggml/write.log" 2>&1 || { cat "$B/ggml/write.log"; exit 1; }
[ -r "$D/q8/model.safetensors" ] || { echo "bench_ggml: $D/q8 missing (build/quantize)"; exit 1; }
W=$B/ggml
conv() { # src out [args]
    src=$1; out=$2; shift 2
    if [ ! -s "$out" ] || [ "$src/model.safetensors" -nt "$out" ]; then
        "$PY" tools/convert/to_ggml_gpt2.py "$@" "$src" "$out" || exit 1
    fi
}
conv "$D/f16" "$W/124m-f16.bin" --vocab "$VOCAB"
conv "$D/f16" "$W/124m-f16-v256.bin" --vocab "$VOCAB" --vocab-rows 256
conv models/shakespeare "$W/shakespeare-f16.bin"
for v in "" -v256; do
    if [ ! -s "$W/124m-q8_0$v.bin" ] || [ "$W/124m-f16$v.bin" -nt "$W/124m-q8_0$v.bin" ]; then
        "$GQ" "$W/124m-f16$v.bin" "$W/124m-q8_0$v.bin" q8_0 >"$W/quantize.log" 2>&1 ||
            { cat "$W/quantize.log"; exit 1; }
    fi
done
# generate needs tokenizer files beside the weights: a folder of links
T=$W/124m-f16-tok
mkdir -p "$T" || exit 1
for f in model.safetensors config.json; do [ -e "$T/$f" ] || ln -s "../../bench-results/f16/$f" "$T/$f" || exit 1; done
[ -e "$T/vocab.json" ] || cp "$VOCAB" "$T/vocab.json" || exit 1
[ -e "$T/merges.txt" ] || cp "$(dirname "$VOCAB")/vocab.bpe" "$T/merges.txt" || exit 1

wait_env() { # policy -> env arguments: "default" leaves OMP_WAIT_POLICY unset (libgomp spins a while, then sleeps)
    if [ "$1" = default ]; then echo "-u OMP_WAIT_POLICY"; else echo "OMP_WAIT_POLICY=$1"; fi
}
ggml() { # model threads batch n_predict prompt -> stdout of gpt-2-backend
    env $(wait_env "$GGML_WAIT") "$GG" -m "$1" -t "$2" -b "$3" -n "$4" -p "$5" -c 1024 --top_k 1 -s 1 \
        --ignore-eos 2>/dev/null
}
predict_ms() { sed -n 's/^main: *predict time = *\([0-9.]*\) ms.*/\1/p'; }

# 2. greedy text, same prompt ids
. tools/bench/side_by_side.sh
check() { # label ggml_model our_dir prompt n
    ggml "$2" "$THREADS" 8 "$5" "$4" >"$W/check.out"
    ids=$(sed -n 's/.*first 8 tokens: //p' "$W/check.out" | tr -s ' ' ',' | sed 's/,$//')
    n=$(sed -n 's/.*number of tokens in prompt = \([0-9]*\),.*/\1/p' "$W/check.out")
    if [ -z "$n" ] || [ "$n" -gt 8 ]; then echo "  $1: ggml's run failed or its prompt is over 8 tokens"; return; fi
    # the text ggml printed: between the prompt line (and a blank line) and its timings
    printf '%s' "$(sed -n '/^main: number of tokens/,/^main: *load time/p' "$W/check.out" | sed '1,2d;$d')" \
        >"$W/check.ggml"
    check_ours "$1" "$3" "$ids" "$5" "$W/check.ggml"
}
echo "check: greedy text from ggml's gpt-2 and build/generate, the same prompt ids:"
check "124M F16 (random weights)" "$W/124m-f16.bin" "$T" "The quick brown fox" 32
check "shakespeare F16, \"ROMEO:\"" "$W/shakespeare-f16.bin" models/shakespeare "ROMEO:" 100
check "shakespeare F16, \"First Citizen:\"" "$W/shakespeare-f16.bin" models/shakespeare "First Citizen:" 100

# 3. rounds
P128=$(i=0; while [ $i -lt 128 ]; do printf ' hello'; i=$((i + 1)); done)
P16=$(i=0; while [ $i -lt 16 ]; do printf ' hello'; i=$((i + 1)); done)
PB=$(i=0; while [ $i -lt 128 ]; do printf 'a'; i=$((i + 1)); done)  # 128 byte tokens (id 64)
R=$W/rounds.txt
: >"$R"
ours() { # dir -> "p128 gen" tok/s
    env $(wait_env "$OURS_WAIT") "$B/bench_native" --child "$1" "$THREADS" 1 512 0 |
        sed -n 's/^RESULT .* p128=\([0-9.]*\) .* gen=\([0-9.]*\) .*/\1 \2/p'
}
timed() { # model n_prompt n_predict prompt -> predict ms (empty unless the prompt was n_prompt tokens)
    ggml "$1" "$THREADS" "$2" "$3" "$4" >"$W/run.out"
    grep -q "number of tokens in prompt = $2," "$W/run.out" && predict_ms <"$W/run.out"
}
theirs() { # model (without .bin) -> "p128 p128-head-cut gen" tok/s
    a=$(timed "$1.bin" 128 1 "$P128")
    h=$(timed "$1-v256.bin" 128 1 "$PB")
    b=$(timed "$1.bin" 16 1 "$P16")
    c=$(timed "$1.bin" 16 129 "$P16")
    awk -v a="$a" -v h="$h" -v b="$b" -v c="$c" \
        'BEGIN { if (a > 0 && h > 0 && c > b) printf "%.2f %.2f %.3f\n", 128000 / a, 128000 / h, 128000 / (c - b) }'
}
echo "$ROUNDS rounds, $THREADS threads, OMP_WAIT_POLICY llm.h $OURS_WAIT, ggml $GGML_WAIT (tok/s; p128: prompt 128," \
    "cut: ggml's prompt 128 with the LM head cut to 256 rows):"
echo "  round  load | 8-bit p128  q8_0 p128  q8_0 cut  8-bit gen  q8_0 gen |" \
    "F16 p128  ggml p128  ggml cut  F16 gen  ggml gen"
r=1
while [ $r -le "$ROUNDS" ]; do
    load=$(uptime | sed 's/.*load average: *\([0-9.]*\).*/\1/')
    a=$(ours "$D/q8"); b=$(theirs "$W/124m-q8_0")
    c=$(ours "$D/f16"); d=$(theirs "$W/124m-f16")
    set -- $a $b $c $d
    if [ $# -ne 10 ]; then echo "bench_ggml: round $r: a run failed ($a | $b | $c | $d)"; exit 1; fi
    echo "$r $load $1 $3 $4 $2 $5 $6 $8 $9 $7 ${10}" >>"$R"
    printf '  %5d  %4s | %10s  %9s  %8s  %9s  %8s | %8s  %9s  %8s  %7s  %8s\n' \
        "$r" "$load" "$1" "$3" "$4" "$2" "$5" "$6" "$8" "$9" "$7" "${10}"
    r=$((r + 1))
done
echo "load average at the end: $(uptime | sed 's/.*load average: *//')"

# 4. medians and ratios
awk "$(cat tools/bench/median.awk)"'
{
    for (i = 1; i <= NF; i++) x[NR, i] = $i
    x[NR, 13] = $3 / $4; x[NR, 14] = $3 / $5; x[NR, 15] = $6 / $7
    x[NR, 16] = $8 / $9; x[NR, 17] = $8 / $10; x[NR, 18] = $11 / $12
}
function row(label, a, b, r) {
    printf "  %-30s %12.2f %12.2f %18.3f %22.3f\n", label, med(a), med(b), med(a) / med(b), med(r)
}
END {
    printf "medians of %d rounds (load average median %.2f):\n", NR, med(2)
    printf "  %-30s %12s %12s %18s %22s\n", "", "llm.h tok/s", "ggml tok/s", "ratio of medians", \
        "median per-round ratio"
    row("8-bit / q8_0 prompt 128", 3, 4, 13)
    row("8-bit / q8_0 prompt, head cut", 3, 5, 14)
    row("8-bit / q8_0 generation", 6, 7, 15)
    row("F16 prompt 128", 8, 9, 16)
    row("F16 prompt 128, head cut", 8, 10, 17)
    row("F16 generation", 11, 12, 18)
}' "$R"
