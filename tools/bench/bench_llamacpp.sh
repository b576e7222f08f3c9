#!/bin/sh
# bench_llamacpp: llm.h side by side with llama.cpp itself (llama-bench) on
# the GPT-2 124M shape of make bench (seeded random weights): F32, F16 and
# BF16 against the same weights in GGUF, and llm.h's 8-bit checkpoint
# against llama.cpp's Q8_0. docs/speed.md, "Side by side with llama.cpp", says
# how to build llama.cpp; nothing here needs the network, and nothing from
# llama.cpp is in this repository (its programs and its gguf-py package are
# used from its build and source folders).
#
#     LLAMA_DIR=/tmp/llama-build sh tools/bench/bench_llamacpp.sh   (or make bench-llamacpp)
#
# LLAMA_DIR: llama.cpp's cmake build folder, with bin/llama-bench,
# bin/llama-quantize, bin/llama-simple and bin/llama-tokenize (skipped with
# a message when unset or absent). LLAMA_SRC: its source folder, for
# gguf-py (default: the source folder recorded in LLAMA_DIR/CMakeCache.txt).
# ROUNDS (default 7), THREADS (default 2), VOCAB (GPT-2's encoder.json,
# default ../shared/data/gpt2-tokenizer/encoder.json, with vocab.bpe beside
# it), BUILD (default build), BENCH_LOCK (a file: each round runs holding
# flock(1) on it, so that other benchmarks using the same lock never overlap
# a round). Both programs run with OMP_WAIT_POLICY=PASSIVE (llama.cpp's CPU
# backend is built with OpenMP by default, and then its own threadpool's
# polling is not used); OURS_WAIT / LLAMA_WAIT: PASSIVE, ACTIVE or default
# (OMP_WAIT_POLICY unset).
#
# 1. build/bench_native --write-only (the F32, F16, BF16 and 8-bit
#    checkpoints); tools/convert/to_gguf_gpt2.py converts F32, F16 and BF16 to GGUF
#    (BUILD/llamacpp/124m-{f32,f16,bf16}.gguf) and llama-quantize makes
#    Q8_0 of the F16 one (124m-q8_0.gguf); models/shakespeare too (F16).
#    Kept and reused while newer than their sources.
# 2. Check: greedy text from llama-simple and build/generate, the same
#    prompt ids (llama-tokenize gives them), MATCH or DIFFER, on the 124M
#    checkpoints and on models/shakespeare.
# 3. ROUNDS rounds, each: for F32, F16, BF16 and 8-bit / Q8_0, llm.h then
#    llama.cpp, fresh processes, and the load average (uptime). llm.h: one
#    `build/bench_native --child DIR THREADS 1 512 0`, make bench's protocol
#    after a warm-up run: prompt 128 tokens from an empty cache (tok/s),
#    generation of 128 greedy tokens after a 16-token prompt (tok/s).
#    llama.cpp: one `llama-bench -t THREADS -p 128 -n 128 -r 1 -o jsonl`
#    (its own warm-up, then one run of each: pp128, a 128-token prompt as
#    one batch, LM head for the last position only; tg128, 128 single-token
#    decodes from an empty cache).
# 4. Medians, the ratio of the medians (llm.h / llama.cpp) and the median
#    of the per-round ratios.
B=${BUILD:-build}
ROUNDS=${ROUNDS:-7}
THREADS=${THREADS:-2}
VOCAB=${VOCAB:-../shared/data/gpt2-tokenizer/encoder.json}
OURS_WAIT=${OURS_WAIT:-PASSIVE}
LLAMA_WAIT=${LLAMA_WAIT:-PASSIVE}
PY=${PYTHON:-/usr/bin/python3}
L=${LLAMA_DIR:-}/bin
for p in llama-bench llama-quantize llama-simple llama-tokenize; do
    if [ -z "${LLAMA_DIR:-}" ] || [ ! -x "$L/$p" ]; then
        echo "bench_llamacpp: skipped: set LLAMA_DIR to a llama.cpp build with bin/llama-bench, llama-quantize," \
            "llama-simple and llama-tokenize (docs/speed.md, \"Side by side with llama.cpp\")"
        exit 0
    fi
done
SRC=${LLAMA_SRC:-$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$LLAMA_DIR/CMakeCache.txt" 2>/dev/null)}
[ -r "$SRC/gguf-py/gguf/__init__.py" ] || {
    echo "bench_llamacpp: skipped: no gguf-py in llama.cpp's source folder '$SRC' (set LLAMA_SRC)"; exit 0
}
for p in bench_native quantize generate; do
    [ -x "$B/$p" ] || {
        echo "bench_llamacpp: skipped: $B/$p not built (make $B/bench_native $B/quantize $B/generate)"; exit 0
    }
done
MERGES=$(dirname "$VOCAB")/vocab.bpe
[ -r "$VOCAB" ] && [ -r "$MERGES" ] || {
    echo "bench_llamacpp: skipped: no GPT-2 vocabulary at $VOCAB (and vocab.bpe beside it; set VOCAB)"; exit 0
}
PYTHONPATH=$SRC/gguf-py${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH
"$PY" -c 'import numpy' 2>/dev/null || { echo "bench_llamacpp: skipped: $PY cannot import numpy"; exit 0; }

D=$B/bench-results
W=$B/llamacpp
mkdir -p "$W" || exit 1
"$B/bench_native" --write-only >"$W/write.log" 2>&1 || { cat "$W/write.log"; exit 1; }
[ -r "$D/q8/model.safetensors" ] || { echo "bench_llamacpp: $D/q8 missing (build/quantize)"; exit 1; }
conv() { # src out ftype [args]
    src=$1; out=$2; ft=$3; shift 3
    if [ ! -s "$out" ] || [ "$src/model.safetensors" -nt "$out" ] || [ tools/convert/to_gguf_gpt2.py -nt "$out" ]; then
        "$PY" tools/convert/to_gguf_gpt2.py --ftype "$ft" "$@" "$src" "$out" || exit 1
    fi
}
for t in f32 f16 bf16; do conv "$D/$t" "$W/124m-$t.gguf" "$t" --vocab "$VOCAB" --merges "$MERGES"; done
conv models/shakespeare "$W/shakespeare-f16.gguf" f16
if [ ! -s "$W/124m-q8_0.gguf" ] || [ "$W/124m-f16.gguf" -nt "$W/124m-q8_0.gguf" ]; then
    "$L/llama-quantize" "$W/124m-f16.gguf" "$W/124m-q8_0.gguf" Q8_0 >"$W/quantize.log" 2>&1 ||
        { cat "$W/quantize.log"; exit 1; }
fi
# generate needs tokenizer files beside the weights: folders of links
for t in f32 f16 bf16 q8; do
    T=$W/124m-$t-tok
    mkdir -p "$T" || exit 1
    for f in model.safetensors config.json; do
        [ -e "$T/$f" ] || ln -s "../../bench-results/$t/$f" "$T/$f" || exit 1
    done
    [ -e "$T/vocab.json" ] || cp "$VOCAB" "$T/vocab.json" || exit 1
    [ -e "$T/merges.txt" ] || cp "$MERGES" "$T/merges.txt" || exit 1
done

wait_env() { # policy -> env arguments: "default" leaves OMP_WAIT_POLICY unset
    if [ "$1" = default ]; then echo "-u OMP_WAIT_POLICY"; else echo "OMP_WAIT_POLICY=$1"; fi
}

# 2. greedy text, same prompt ids
. tools/bench/side_by_side.sh
check() { # label gguf our_dir prompt n
    ids=$("$L/llama-tokenize" -m "$2" -p "$4" --ids --log-disable 2>/dev/null | tr -d '[] ')
    env $(wait_env "$LLAMA_WAIT") "$L/llama-simple" -m "$2" -n "$5" "$4" >"$W/check.out" 2>"$W/check.err"
    # llama-simple prints the prompt, the generated text and a newline; build/generate the first two
    case $(cat "$W/check.out") in
        "$4"*) printf '%s' "$(cat "$W/check.out")" >"$W/check.llama" ;;
        *) echo "  $1: llama-simple failed or did not echo the prompt ($(tail -1 "$W/check.err"))"; return ;;
    esac
    check_ours "$1" "$3" "$ids" "$5" "$W/check.llama"
}
echo "check: greedy text from llama.cpp's llama-simple and build/generate, the same prompt ids:"
check "124M F32 (random weights)" "$W/124m-f32.gguf" "$W/124m-f32-tok" "The quick brown fox" 32
check "124M F16 (random weights)" "$W/124m-f16.gguf" "$W/124m-f16-tok" "The quick brown fox" 32
check "124M BF16 (random weights)" "$W/124m-bf16.gguf" "$W/124m-bf16-tok" "The quick brown fox" 32
check "124M 8-bit / Q8_0 (not expected)" "$W/124m-q8_0.gguf" "$W/124m-q8-tok" "The quick brown fox" 32
check "shakespeare F16, \"ROMEO:\"" "$W/shakespeare-f16.gguf" models/shakespeare "ROMEO:" 100
check "shakespeare F16, \"First Citizen:\"" "$W/shakespeare-f16.gguf" models/shakespeare "First Citizen:" 100

# 3. rounds
R=$W/rounds.txt
: >"$R"
ours() { # dir -> "p128 gen" tok/s
    env $(wait_env "$OURS_WAIT") "$B/bench_native" --child "$1" "$THREADS" 1 512 0 |
        sed -n 's/^RESULT .* p128=\([0-9.]*\) .* gen=\([0-9.]*\) .*/\1 \2/p'
}
theirs() { # gguf -> "p128 gen" tok/s
    env $(wait_env "$LLAMA_WAIT") "$L/llama-bench" -m "$1" -t "$THREADS" -p 128 -n 128 -r 1 -o jsonl \
        2>"$W/llama-bench.err" >"$W/llama-bench.out"
    sed -n 's/.*"n_prompt": *\([0-9]*\), *"n_gen": *\([0-9]*\),.*"avg_ts": *\([0-9.e+]*\),.*/\1 \2 \3/p' \
        "$W/llama-bench.out" |
        awk '$1 == 128 && $2 == 0 { p = $3 } $1 == 0 && $2 == 128 { g = $3 }
             END { if (p > 0 && g > 0) printf "%.2f %.3f\n", p, g }'
}
if [ -n "${BENCH_LOCK:-}" ]; then
    command -v flock >/dev/null 2>&1 || { echo "bench_llamacpp: BENCH_LOCK set but no flock(1)"; exit 1; }
    exec 9>>"$BENCH_LOCK" || exit 1
fi
echo "$ROUNDS rounds, $THREADS threads, OMP_WAIT_POLICY llm.h $OURS_WAIT, llama.cpp $LLAMA_WAIT (tok/s;" \
    "llm.h / llama.cpp):"
awk 'BEGIN {
    printf "  %5s  %-8s %6s |", "round", "UTC", "load"
    split("F32,F16,BF16,8-bit/Q8_0", f, ",")
    for (k = 1; k <= 4; k++) printf " %-22s %-20s |", f[k] " p128 (ratio)", f[k] " gen"
    printf "\n"
}'
r=1
while [ $r -le "$ROUNDS" ]; do
    [ -n "${BENCH_LOCK:-}" ] && flock 9
    start=$(date -u +%H:%M:%S)
    load=$(uptime | sed 's/.*load average: *\([0-9.]*\).*/\1/')
    line="$r $load"
    for t in f32 f16 bf16 q8; do
        g=$t; [ "$t" = q8 ] && g=q8_0
        a=$(ours "$D/$t"); b=$(theirs "$W/124m-$g.gguf")
        set -- $a $b
        if [ $# -ne 4 ]; then
            echo "bench_llamacpp: round $r, $t: a run failed (llm.h: '$a', llama.cpp: '$b'; $W/llama-bench.err)"
            exit 1
        fi
        line="$line $1 $3 $2 $4"
    done
    [ -n "${BENCH_LOCK:-}" ] && flock -u 9
    echo "$line" >>"$R"
    echo "$line" | awk -v t="$start" '{
        printf "  %5d  %s %6s |", $1, t, $2
        for (k = 0; k < 4; k++) {
            i = 3 + 4 * k
            printf " %7.1f/%-7.1f (%.2f) %6.1f/%-6.1f (%.2f) |", $i, $(i + 1), $i / $(i + 1), $(i + 2), $(i + 3), \
                $(i + 2) / $(i + 3)
        }
        printf "\n"
    }'
    r=$((r + 1))
done
echo "load average at the end: $(uptime | sed 's/.*load average: *//')"

# 4. medians and ratios
awk "$(cat tools/bench/median.awk)"'
{
    for (i = 1; i <= NF; i++) x[NR, i] = $i
    for (k = 0; k < 8; k++) x[NR, 100 + k] = $(3 + 2 * k) / $(4 + 2 * k)
}
END {
    split("F32 prompt 128,F32 generation,F16 prompt 128,F16 generation,BF16 prompt 128,BF16 generation," \
          "8-bit / Q8_0 prompt 128,8-bit / Q8_0 generation", name, ",")
    printf "medians of %d rounds (load average median %.2f):\n", NR, med(2)
    printf "  %-24s %12s %14s %18s %22s\n", "", "llm.h tok/s", "llama.cpp tok/s", "ratio of medians", \
        "median per-round ratio"
    for (k = 0; k < 8; k++)
        printf "  %-24s %12.2f %14.2f %18.3f %22.3f\n", name[k + 1], med(3 + 2 * k), med(4 + 2 * k), \
            med(3 + 2 * k) / med(4 + 2 * k), med(100 + k)
}' "$R"
