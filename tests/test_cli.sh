#!/bin/sh
# Drives the command-line programs (build/generate, build/score, build/chat,
# build/minimal) on the shipped model, models/shakespeare, against the
# PyTorch reference data in tests/data/shakespeare-ref. Run from the
# repository root after `make`. Prints "test_cli: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
R=tests/data/shakespeare-ref
TMP=${TMPDIR:-/tmp}/test_cli.$$
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_cli.sh: $1"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
# expect_fail NAME WANT_STATUS PATTERN CMD...: exit status WANT_STATUS and
# exactly one line on stderr that matches PATTERN
expect_fail() {
    name=$1; want=$2; pat=$3; shift 3
    "$@" >"$TMP.out" 2>"$TMP.err" </dev/null; rc=$?
    lines=$(wc -l <"$TMP.err" | tr -d ' ')
    if [ "$rc" -ne "$want" ]; then bad "$name: exit status $rc, expected $want ($(head -c 200 "$TMP.err"))"
    elif [ "$lines" -ne 1 ]; then bad "$name: $lines lines on stderr, expected one: $(head -c 300 "$TMP.err")"
    elif ! grep -q -- "$pat" "$TMP.err"; then bad "$name: stderr '$(cat "$TMP.err")' lacks '$pat'"
    else ok; fi
}
trap 'rm -rf "$TMP".*' EXIT

for p in generate score chat minimal tokenize; do
    if [ ! -x "$B/$p" ]; then echo "FAIL test_cli.sh: $B/$p not built (make)"; echo "test_cli: 0 passed, 1 failed"; exit 1; fi
done

# ---- score: perplexity on the validation text = train.py's validation loss
# (4.453457 nats/token, tests/data/shakespeare-ref/val_loss.txt), within 1%
want=$(grep -v '^#' $R/val_loss.txt | head -n 1)
line=$("$B/score" -m $M --ids-file $R/val.ids --window 256 --summary 2>/dev/null)
got=$(printf '%s\n' "$line" | sed -n 's/.*mean_logprob \(-\{0,1\}[0-9.]*\).*/\1/p')
if [ -n "$got" ] && awk -v g="$got" -v w="$want" 'BEGIN { d = -g - w; if (d < 0) d = -d; exit !(d <= 0.01 * w) }'; then ok
else bad "score: mean_logprob '$got' is not within 1% of -$want ($line)"; fi
echo "  score: validation mean_logprob $got (train.py: -$want)"

# ---- generate: greedy text equals PyTorch's greedy ids, decoded
prompt=$(sed -n 1p $R/greedy.txt)
sed -n 3p $R/greedy.txt | "$B/tokenize" -m $M --decode >"$TMP.want"
"$B/generate" -m $M -p "$prompt" --greedy --max-new-tokens 32 --ignore-eos -q >"$TMP.got" 2>"$TMP.err"
check "generate --greedy exit status" "$?" "0"
# stdout: the prompt, the continuation, one newline at the end
printf '%s' "$prompt" >"$TMP.expect"; cat "$TMP.want" >>"$TMP.expect"; printf '\n' >>"$TMP.expect"
if cmp -s "$TMP.got" "$TMP.expect"; then ok; else bad "generate --greedy: output differs from PyTorch's greedy text"; fi
# the prompt from stdin gives the same
printf '%s' "$prompt" | "$B/generate" -m $M -p - --greedy --max-new-tokens 32 --ignore-eos -q >"$TMP.got2" 2>/dev/null
if cmp -s "$TMP.got2" "$TMP.expect"; then ok; else bad "generate -p -: differs from -p TEXT"; fi
# timings on stderr (not with -q)
"$B/generate" -m $M -p "ROMEO:" --greedy --max-new-tokens 8 >/dev/null 2>"$TMP.err"
if grep -q "time to first token" "$TMP.err" && grep -q "tok/s" "$TMP.err"; then ok; else bad "generate: no speed report on stderr"; fi
# the same seed gives the same text, whatever the thread count
a=$("$B/generate" -m $M -p "JULIET:" --seed 42 --top-k 40 --temperature 0.8 --max-new-tokens 40 --threads 1 -q 2>/dev/null)
b=$("$B/generate" -m $M -p "JULIET:" --seed 42 --top-k 40 --temperature 0.8 --max-new-tokens 40 --threads 2 -q 2>/dev/null)
c=$("$B/generate" -m $M -p "JULIET:" --seed 43 --top-k 40 --temperature 0.8 --max-new-tokens 40 --threads 2 -q 2>/dev/null)
check "same seed, 1 and 2 threads" "$a" "$b"
if [ "$a" != "$c" ]; then ok; else bad "seeds 42 and 43 gave the same text"; fi
# -n 3: three sequences, --max-length counts the prompt
"$B/generate" -m $M -p "ROMEO:" -n 3 --seed 1 --max-length 10 --ignore-eos >/dev/null 2>"$TMP.err"
if grep -q "generated: 24 tokens in 3 sequence(s)" "$TMP.err"; then ok; else bad "generate -n 3 --max-length 10 (prompt 2 tokens): $(tail -n 1 "$TMP.err")"; fi
# a stop string ends the text at its first occurrence
out=$("$B/generate" -m $M -p "ROMEO: But soft, what light through yonder window breaks?" --greedy --max-new-tokens 32 --stop "Romeo" -q 2>/dev/null)
case "$out" in *"Romeo's"*) bad "stop string: text goes on past 'Romeo': $out" ;; *Romeo) ok ;; *) bad "stop string: '$out'" ;; esac
# --help documents every flag the parser knows
"$B/generate" --help >"$TMP.help" 2>&1
check "generate --help exit status" "$?" "0"
for f in -m -p --max-new-tokens --max-length --num-return-sequences --temperature --top-k --top-p --min-p \
         --repetition-penalty --greedy --seed --stop --ignore-eos --special --threads --quiet --help; do
    if grep -q -- "$f" "$TMP.help"; then ok; else bad "generate --help does not document $f"; fi
done

# ---- generate: one-line errors, non-zero status
expect_fail "missing folder" 1 "cannot load" "$B/generate" -m "$TMP.nowhere" -p hi
mkdir -p "$TMP.notok" && cp $M/model.safetensors $M/config.json "$TMP.notok/"
expect_fail "no tokenizer files" 1 "no tokenizer files" "$B/generate" -m "$TMP.notok" -p hi
long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "word "; }')
expect_fail "prompt past the context" 1 "context" "$B/generate" -m $M -p "$long"
expect_fail "no -m" 2 "-m MODEL_DIR" "$B/generate" -p hi
expect_fail "bad --top-k" 2 "--top-k" "$B/generate" -m $M --top-k -3
expect_fail "bad --temperature" 2 "--temperature" "$B/generate" -m $M --temperature abc
expect_fail "bad --top-p" 2 "--top-p" "$B/generate" -m $M --top-p 1.5
expect_fail "unknown flag" 2 "unknown option" "$B/generate" -m $M --bogus 1
expect_fail "missing value" 2 "needs a value" "$B/generate" -m $M --seed

# ---- chat: stdin lines in, one reply each; a small context drops old turns
printf 'Good morrow.\nWhat news?\nFarewell, my lord.\n' | "$B/chat" -m $M --max-reply 12 --ctx 40 >"$TMP.chat" 2>"$TMP.err"
check "chat exit status" "$?" "0"
if [ -s "$TMP.chat" ]; then ok; else bad "chat: no replies"; fi
printf 'Good morrow.\n' | "$B/chat" -m $M --max-reply 12 >"$TMP.chat1" 2>/dev/null
printf 'Good morrow.\n' | "$B/chat" -m $M --max-reply 12 >"$TMP.chat2" 2>/dev/null
if [ -s "$TMP.chat1" ] && cmp -s "$TMP.chat1" "$TMP.chat2"; then ok; else bad "chat: greedy replies differ between runs"; fi

# ---- minimal: the README's program
out=$("$B/minimal" $M "ROMEO:" 2>&1)
check "minimal exit status" "$?" "0"
case "$out" in "ROMEO:"?*) ok ;; *) bad "minimal: '$out'" ;; esac

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
