#!/bin/sh
# Drives the command-line programs (build/generate, build/score, build/chat,
# build/minimal, build/tokenize) on the shipped model, models/shakespeare, against the
# PyTorch reference data in tests/data/shakespeare-ref. Run from the
# repository root after `make`. Prints "test_cli: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
R=tests/data/shakespeare-ref
TMP=${TMPDIR:-/tmp}/test_cli.$$
NAME=test_cli.sh
. tests/cli_lib.sh
trap 'rm -rf "$TMP".*' EXIT

for p in generate score chat minimal tokenize quantize; do
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

# ---- quantize: the 8-bit model's perplexity on the validation text's first
# 8192 tokens (32 windows: the portable build's scalar 8-bit products are
# slow) within 1% of the shipped F16 model's; it generates; an 8-bit folder
# is not quantized again
if "$B/quantize" $M "$TMP.q8" >"$TMP.qout" 2>/dev/null && grep -q "^mlp.c_fc" "$TMP.qout"; then ok
else bad "quantize $M: $(head -c 300 "$TMP.qout")"; fi
tr -s ' \n' '\n\n' < $R/val.ids | head -n 8192 > "$TMP.val"
line16=$("$B/score" -m $M --ids-file "$TMP.val" --window 256 --summary 2>/dev/null)
got16=$(printf '%s\n' "$line16" | sed -n 's/.*mean_logprob \(-\{0,1\}[0-9.]*\).*/\1/p')
line8=$("$B/score" -m "$TMP.q8" --ids-file "$TMP.val" --window 256 --summary 2>/dev/null)
got8=$(printf '%s\n' "$line8" | sed -n 's/.*mean_logprob \(-\{0,1\}[0-9.]*\).*/\1/p')
if [ -n "$got8" ] && [ -n "$got16" ] &&
   awk -v a="$got8" -v b="$got16" 'BEGIN { r = exp(b - a); exit !(r >= 0.99 && r <= 1.01) }'; then ok
else bad "8-bit perplexity: mean_logprob '$got8' vs F16 '$got16' ($line8 / $line16)"; fi
echo "  quantize: 8-bit mean_logprob $got8 on 8192 validation tokens (F16: $got16)"
g8=$("$B/generate" -m "$TMP.q8" -p ROMEO: --greedy --max-new-tokens 8 2>/dev/null | head -n 1)
check "generate on the 8-bit model" "$g8" "ROMEO:"
expect_fail "quantize an 8-bit folder" 1 "already 8-bit" "$B/quantize" "$TMP.q8" "$TMP.q8b"

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
# a stop string ends the text where its first occurrence begins; --keep-stop: where it ends
P="ROMEO: But soft, what light through yonder window breaks?"
out=$("$B/generate" -m $M -p "$P" --greedy --max-new-tokens 32 --stop "Romeo" -q 2>/dev/null)
kept=$("$B/generate" -m $M -p "$P" --greedy --max-new-tokens 32 --stop "Romeo" --keep-stop -q 2>/dev/null)
case "$out" in *Romeo*) bad "stop string: the text holds 'Romeo': $out" ;; *) ok ;; esac
check "--keep-stop: the text through the stop string" "$kept" "${out}Romeo"
# a BERT-vocabulary model: an empty prompt starts from [CLS], greedy stops at [SEP] (the float64 reference
# of tools/reference/make_wordpiece_model.py: greedy_empty is token 353 "\303\251" six times, then [SEP])
out=$("$B/generate" -m tests/data/wordpiece-gpt2 --greedy --max-new-tokens 20 -q 2>/dev/null </dev/null)
check "generate, WordPiece model, empty prompt" "$out" "$(printf '\303\251 \303\251 \303\251 \303\251 \303\251 \303\251')"
# --help documents every flag the parser knows
"$B/generate" --help >"$TMP.help" 2>&1
check "generate --help exit status" "$?" "0"
for f in -m -p --max-new-tokens --max-length --num-return-sequences --temperature --top-k --top-p --min-p \
         --repetition-penalty --greedy --seed --stop --keep-stop --ignore-eos --special --threads --quiet --help; do
    if grep -q -- "$f" "$TMP.help"; then ok; else bad "generate --help does not document $f"; fi
done

# ---- generate: one-line errors, non-zero status
expect_fail "missing folder" 1 "model folder '$TMP.nowhere' does not exist$" "$B/generate" -m "$TMP.nowhere" -p hi
mkdir -p "$TMP.notok" && cp $M/model.safetensors $M/config.json "$TMP.notok/"
expect_fail "no tokenizer files" 1 "no tokenizer files (.*vocab.json.*tokenizer.json.*vocab.txt)" \
    "$B/generate" -m "$TMP.notok" -p hi
long=$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "word "; }')
expect_fail "prompt past the context" 1 "context" "$B/generate" -m $M -p "$long"
expect_fail "no -m" 2 "-m MODEL_DIR" "$B/generate" -p hi
expect_fail "bad --top-k" 2 "--top-k" "$B/generate" -m $M --top-k -3
expect_fail "bad --temperature" 2 "--temperature" "$B/generate" -m $M --temperature abc
expect_fail "bad --top-p" 2 "--top-p" "$B/generate" -m $M --top-p 1.5
expect_fail "unknown flag" 2 "unknown option" "$B/generate" -m $M --bogus 1
expect_fail "missing value" 2 "needs a value" "$B/generate" -m $M --seed

# ---- issue 13: output errors are errors (stdout on /dev/full, --logits on
# /dev/full or past a file-size limit): exit 1, one line, no file left
expect_fail "generate > /dev/full" 1 "cannot write stdout" sh -c "'$B/generate' -m $M -p ROMEO: --greedy --max-new-tokens 8 -q >/dev/full"
expect_fail "score > /dev/full" 1 "cannot write stdout" sh -c "'$B/score' -m $M --ids 1,2,3 >/dev/full"
expect_fail "generate --help > /dev/full" 1 "cannot write stdout" sh -c "'$B/generate' --help >/dev/full"
expect_fail "score --logits /dev/full" 1 "cannot write '/dev/full'" "$B/score" -m $M --ids 1,2,3 --summary --logits /dev/full
mkdir -p "$TMP.npy"
(ulimit -f 64; "$B/score" -m $M --ids 1,2,3,4,5,6,7,8,9,10,11,12 --summary --logits "$TMP.npy/out.npy" >/dev/null 2>"$TMP.err")
check "score --logits past ulimit -f: exit status" "$?" "1"
check "score --logits past ulimit -f: files left" "$(ls "$TMP.npy" | wc -l | tr -d ' ')" "0"
"$B/score" -m $M --ids 1,2,3 --summary --logits "$TMP.npy/ok.npy" >/dev/null 2>&1
check "score --logits: file size (128-byte header + 3 x 4096 floats)" "$(wc -c <"$TMP.npy/ok.npy" | tr -d ' ')" "49280"
check "score --logits: no temporary file left" "$(ls "$TMP.npy" | wc -l | tr -d ' ')" "1"

# ---- the prompt is bytes with a length: a NUL byte is encoded, not an end
printf 'ROMEO\0JULIET' | "$B/generate" -m $M -p - --greedy --max-new-tokens 8 -q >"$TMP.nul" 2>/dev/null
"$B/generate" -m $M -p ROMEO --greedy --max-new-tokens 8 -q >"$TMP.nonul" 2>/dev/null
check "NUL in the prompt: the prompt is printed whole" "$(head -c 12 "$TMP.nul" | od -An -c | tr -s ' ')" \
      "$(printf 'ROMEO\0JULIET' | od -An -c | tr -s ' ')"
if cmp -s "$TMP.nul" "$TMP.nonul"; then bad "NUL in the prompt: same text as -p ROMEO"; else ok; fi
# -f FILE and --model/--prompt: the same text as -m/-p
printf '%s' "$prompt" >"$TMP.prompt"
"$B/generate" --model $M -f "$TMP.prompt" --greedy --max-new-tokens 32 --ignore-eos -q >"$TMP.got3" 2>/dev/null
if cmp -s "$TMP.got3" "$TMP.expect"; then ok; else bad "generate --model -f FILE: differs from -m -p TEXT"; fi
"$B/generate" --model $M --prompt "$prompt" --greedy --max-new-tokens 32 --ignore-eos -q >"$TMP.got3" 2>/dev/null
if cmp -s "$TMP.got3" "$TMP.expect"; then ok; else bad "generate --prompt: differs from -p TEXT"; fi
# --top-p 0 keeps only the best token, as in HF: sampling at temperature 1 then gives greedy's text
# (it was "off" before issue 13 item 18, which sampled freely); chat takes it the same way
"$B/generate" -m $M -p "$prompt" --top-p 0 --temperature 1 --seed 7 --max-new-tokens 32 --ignore-eos -q \
    >"$TMP.got3" 2>/dev/null
if cmp -s "$TMP.got3" "$TMP.expect"; then ok; else bad "generate --top-p 0: differs from greedy"; fi
expect_fail "-p and -f" 2 "use one" "$B/generate" -m $M -p hi -f "$TMP.prompt"
expect_fail "-f DIR" 1 "directory" "$B/generate" -m $M -f "$TMP.npy"

# ---- --max-length at or below the prompt: the prompt, a warning, no timings
"$B/generate" -m $M -p "ROMEO: O" --max-length 2 >"$TMP.out" 2>"$TMP.err"
check "--max-length 2 (prompt 3 tokens): exit status" "$?" "0"
check "--max-length 2: stdout is the prompt" "$(cat "$TMP.out")" "ROMEO: O"
if grep -q "nothing was generated" "$TMP.err" && ! grep -q -- "-[0-9]" "$TMP.err"; then ok
else bad "--max-length 2: stderr '$(cat "$TMP.err")'"; fi
# a sequence whose first token is end-of-text keeps its header and prompt
# (a copy of the model whose eos_token_id is the newline the greedy text starts with)
mkdir -p "$TMP.eos" && cp $M/* "$TMP.eos/"
nl=$(printf '\n' | "$B/tokenize" -m $M)
sed "s/\"eos_token_id\": 4095/\"eos_token_id\": $nl/" $M/config.json >"$TMP.eos/config.json"
"$B/generate" -m "$TMP.eos" -p "ROMEO:" --greedy -n 2 --max-new-tokens 4 >"$TMP.out" 2>"$TMP.err"
check "end-of-text first: stdout" "$(cat "$TMP.out")" "$(printf '=== sequence 1 ===\nROMEO:\n=== sequence 2 ===\nROMEO:')"
if grep -q "stop: end of text" "$TMP.err"; then ok; else bad "end-of-text first: the stop was not end of text"; fi

# ---- seeds: three runs in the same second get three different seeds
s1=$("$B/generate" -m $M -p a --max-new-tokens 1 2>&1 >/dev/null | sed -n 's/.*seed \([0-9]*\).*/\1/p')
s2=$("$B/generate" -m $M -p a --max-new-tokens 1 2>&1 >/dev/null | sed -n 's/.*seed \([0-9]*\).*/\1/p')
s3=$("$B/generate" -m $M -p a --max-new-tokens 1 2>&1 >/dev/null | sed -n 's/.*seed \([0-9]*\).*/\1/p')
if [ -n "$s1" ] && [ "$s1" != "$s2" ] && [ "$s2" != "$s3" ] && [ "$s1" != "$s3" ]; then ok
else bad "default seeds '$s1' '$s2' '$s3' are not all different"; fi
# the printed seed reproduces the text
a=$("$B/generate" -m $M -p a --max-new-tokens 12 2>"$TMP.err"); s=$(sed -n 's/.*seed \([0-9]*\).*/\1/p' "$TMP.err")
check "the printed seed reproduces the text" "$("$B/generate" -m $M -p a --max-new-tokens 12 --seed "$s" 2>/dev/null)" "$a"
if "$B/generate" -m $M -p a --greedy --max-new-tokens 2 2>&1 >/dev/null | grep -q seed; then bad "--greedy prints a seed"; else ok; fi

# ---- strict numbers, one parser for every program: exit 2, one line
for args in "--threads 4294967297" "--seed ' -5'" "--seed -5" "--seed 18446744073709551616" "--max-new-tokens ''" \
            "--top-k 5x" "--top-k ' 5'" "--temperature nan" "--temperature inf" "--max-length 2147483648" \
            "-n 0" "--threads 0"; do
    eval "expect_fail \"generate $args\" 2 \"expected\" \"\$B/generate\" -m \$M -p hi $args"
done
for args in "--window 4294967297" "--threads 4294967297" "--window 0" "--window 1e3"; do
    eval "expect_fail \"score $args\" 2 \"expected\" \"\$B/score\" -m \$M --ids 1,2 $args"
done
"$B/generate" -m $M -p a --max-new-tokens 1 --seed 18446744073709551615 -q >/dev/null 2>&1
check "generate --seed 2^64-1: exit status" "$?" "0"
expect_fail "binary in a flag is escaped" 2 'unknown option.*\\x01' "$B/generate" -m $M "$(printf -- '--\001\002')"
if grep -q "$(printf '\001')" "$TMP.err"; then bad "a raw control byte was echoed"; else ok; fi

# ---- id lists: empty entries rejected; bad tokens named with their place
expect_fail "score --ids 1,,2" 1 "column 3" "$B/score" -m $M --ids 1,,2
expect_fail "score --ids ,1" 1 "empty entry" "$B/score" -m $M --ids ,1
expect_fail "score --ids 1,2," 1 "ends with a comma" "$B/score" -m $M --ids 1,2,
printf '1 2 3\n4 x5 6\n' >"$TMP.ids"
expect_fail "score --ids-file bad token" 1 "entry 5 ('x5') at line 2, column 3" "$B/score" -m $M --ids-file "$TMP.ids"
expect_fail "score --ids-file out of the vocabulary" 1 "'4096'.*0..4095" "$B/score" -m $M --ids 1,4096
expect_fail "score --ids-file DIR" 1 "Is a directory" "$B/score" -m $M --ids-file "$TMP.npy"
check "score --ids '1, 2 3' = --ids 1,2,3" "$("$B/score" -m $M --ids '1, 2 3' --summary 2>&1)" \
      "$("$B/score" -m $M --ids 1,2,3 --summary 2>&1)"

# ---- NaN weights: score and generate stop with a clear error
mkdir -p "$TMP.nan" && cp $M/* "$TMP.nan/"
head -c 65536 /dev/zero | tr '\0' '\377' | dd of="$TMP.nan/model.safetensors" bs=65536 seek=50 conv=notrunc 2>/dev/null
expect_fail "score: NaN weights" 1 "not finite" "$B/score" -m "$TMP.nan" --ids 1,2,3 --summary
if grep -q perplexity "$TMP.out"; then bad "score: NaN weights still print a perplexity"; else ok; fi
# generate and chat: llm_generate's LLM_ERR_NUMERIC, reported as one line, exit 1
expect_fail "generate: NaN weights" 1 "is NaN" "$B/generate" -m "$TMP.nan" -p ROMEO: --max-new-tokens 4
expect_fail "chat: NaN weights" 1 "is NaN" sh -c "printf 'Good morrow.\n' | '$B/chat' -m '$TMP.nan'"

# ---- load errors and --info
expect_fail "-m a folder without model.safetensors" 1 "no model.safetensors or model.safetensors.index.json in 'models'" "$B/generate" -m models -p hi
expect_fail "-m config.json" 1 "not a safetensors file" "$B/generate" -m $M/config.json -p hi
"$B/score" -m tests/data/noconfig-f32 --ids 1,2,3 >/dev/null 2>"$TMP.err"
if grep -q "n_head [0-9]* guessed as n_embd / 64" "$TMP.err"; then ok; else bad "no config.json: the guessed n_head is not on stderr ($(cat "$TMP.err"))"; fi
"$B/score" -m tests/data/noconfig-f32 --ids 1,2,3 --summary >/dev/null 2>"$TMP.err"
check "--summary: no note" "$(cat "$TMP.err")" ""
for p in generate score; do
    "$B/$p" -m $M --info >"$TMP.info" 2>&1
    check "$p --info exit status" "$?" "0"
    for want in "n_layer 6, n_head 6, n_embd 192" "matrices F16" "vocab.json + merges.txt (4096 tokens" "config.json" \
                "takes [0-9]* bytes"; do
        if grep -q -- "$want" "$TMP.info"; then ok; else bad "$p --info lacks '$want'"; fi
    done
done

# ---- generation_config.json: its values are generate's defaults, flags win,
# --info says where each came from; its num_beams gives way to --greedy or --temperature
with_generation_config "$TMP.gc" \
    '{"do_sample": true, "temperature": 0.7, "top_k": 5, "max_new_tokens": 7, "pad_token_id": 0}'
"$B/generate" -m "$TMP.gc" --info >"$TMP.info" 2>&1
expect_lines "generate --info (generation_config)" "$TMP.info" "temperature 0.7 (generation_config.json)" \
    "top_k 5 (generation_config.json)" "top_p 1 (generate's default)" \
    "max_new_tokens / max_length 7 / 0 (generation_config.json)" "pad_token_id 0 (not used" \
    "activation_function gelu_new" "generation_config: $TMP.gc/generation_config.json"
"$B/generate" -m "$TMP.gc" --no-generation-config --info >"$TMP.info" 2>&1
expect_lines "generate --no-generation-config --info" "$TMP.info" "temperature 1 (generate's default)" \
    "top_k 50 (generate's default)" "max_new_tokens / max_length 64 / 0 (generate's default)"
"$B/generate" -m "$TMP.gc" --top-k 3 --max-length 9 --info >"$TMP.info" 2>&1
expect_lines "generate --info with flags" "$TMP.info" "top_k 3 (flag)" "max_new_tokens / max_length 0 / 9 (flag)"
"$B/generate" -m "$TMP.gc" -p "ROMEO:" --seed 1 >/dev/null 2>"$TMP.err"
if grep -q "generated: 7 tokens" "$TMP.err"; then ok; else bad "generation_config max_new_tokens 7: $(cat "$TMP.err")"; fi
printf '{"do_sample": false}\n' >"$TMP.gc/generation_config.json"
check "do_sample false is greedy" "$("$B/generate" -m "$TMP.gc" -p "ROMEO:" --max-new-tokens 12 -q 2>&1)" \
      "$("$B/generate" -m $M -p "ROMEO:" --max-new-tokens 12 --greedy -q 2>&1)"
printf '{"num_beams": 4}\n' >"$TMP.gc/generation_config.json"
"$B/generate" -m "$TMP.gc" -p hi --max-new-tokens 2 >/dev/null 2>"$TMP.err"
check "generation_config num_beams 4: exit status" "$?" "0"
if grep -q "beam search, 4 beams" "$TMP.err"; then ok; else bad "generation_config num_beams 4: $(cat "$TMP.err")"; fi
"$B/generate" -m "$TMP.gc" -p hi --greedy --max-new-tokens 2 >/dev/null 2>"$TMP.err"
check "num_beams 4 with --greedy: exit status" "$?" "0"
if grep -q "num_beams 4 is not used" "$TMP.err"; then ok; else bad "num_beams 4 with --greedy: no note ($(cat "$TMP.err"))"; fi
printf '{"top_p": 7}\n' >"$TMP.gc/generation_config.json"
expect_fail "broken generation_config.json" 1 "generation_config.json.*top_p" "$B/generate" -m "$TMP.gc" -p hi

# ---- --help: every flag that takes a value shows its default
for p in generate score; do
    "$B/$p" --help >"$TMP.help" 2>&1
    check "$p --help exit status" "$?" "0"
    n=$(grep -E '^  (-[a-z], )? *--[a-z-]+ [A-Z]' "$TMP.help" | grep -v -c -e default -e required)
    check "$p --help: value flags without a default" "$n" "0"
done

# ---- chat: stdin lines in, one reply each; a small context drops old turns
printf 'Good morrow.\nWhat news?\nFarewell, my lord.\n' | "$B/chat" -m $M --max-reply 12 --ctx 40 >"$TMP.chat" 2>"$TMP.err"
check "chat exit status" "$?" "0"
if [ -s "$TMP.chat" ]; then ok; else bad "chat: no replies"; fi
printf 'Good morrow.\n' | "$B/chat" -m $M --max-reply 12 >"$TMP.chat1" 2>/dev/null
printf 'Good morrow.\n' | "$B/chat" -m $M --max-reply 12 >"$TMP.chat2" 2>/dev/null
if [ -s "$TMP.chat1" ] && cmp -s "$TMP.chat1" "$TMP.chat2"; then ok; else bad "chat: greedy replies differ between runs"; fi

# ---- chat: the templates (docs/programs.md), each reply against build/generate on the conversation written
# out by hand: plain ("User: LINE\nAssistant:", stop "\nUser:", leading white space dropped) for this model,
# dialogpt (the line's ids then the end-of-text id 4095) with --chat-template
want=$("$B/generate" -m $M -q -p "$(printf 'User: Good morrow.\nAssistant:')" --stop "$(printf '\nUser:')" \
       --max-new-tokens 12 --temperature 0 2>/dev/null)
want=${want#"$(printf 'User: Good morrow.\nAssistant:')"}
while case $want in [[:space:]]*) true ;; *) false ;; esac; do want=${want#?}; done
got=$(printf 'Good morrow.\n' | "$B/chat" -m $M --max-reply 12 2>/dev/null)
check "chat: the plain template's reply" "$got" "$want"
ids=$(printf 'Good morrow.' | "$B/tokenize" -m $M | tr -s ' \n' ',')
want=$("$B/generate" -m $M -q --ids "${ids}4095" --max-new-tokens 12 --temperature 0 2>/dev/null)
want=${want#"Good morrow.<|endoftext|>"}
got=$(printf 'Good morrow.\n' | "$B/chat" -m $M --chat-template DialoGPT --max-reply 12 2>/dev/null)
check "chat: the dialogpt template's reply" "$got" "$want"
expect_fail "chat --chat-template llama" 2 "plain, dialogpt or chatml" "$B/chat" -m $M --chat-template llama
expect_fail "chat --chat-template chatml without its tokens" 2 "<|im_start|>" "$B/chat" -m $M --chat-template chatml

# ---- chat: generate's parsing and checks
expect_fail "chat --temperature abc" 2 "expected a number" "$B/chat" -m $M --temperature abc
expect_fail "chat --top-p 1.5" 2 "--top-p" "$B/chat" -m $M --top-p 1.5
expect_fail "chat --max-reply 99999999999" 2 "expected an integer" "$B/chat" -m $M --max-reply 99999999999
expect_fail "chat unknown flag" 2 "unknown option" "$B/chat" -m $M --bogus
expect_fail "chat > /dev/full" 1 "cannot write stdout" sh -c "printf 'Good morrow.\n' | '$B/chat' -m $M --max-reply 4 >/dev/full"
"$B/chat" --help >"$TMP.help" 2>&1
check "chat --help exit status" "$?" "0"
check "chat --help: value flags without a default" \
      "$(grep -E '^  (-[a-z], )? *--[a-z-]+ [A-Z]' "$TMP.help" | grep -v -c -e default -e required)" "0"
# a line too long for the context is refused whole (one message, exit 1) and
# the conversation around it goes on as if it had not been sent
long=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "word "; print "" }')
printf 'Good morrow.\nWhat news?\n' | "$B/chat" -m $M --max-reply 12 >"$TMP.chat1" 2>/dev/null
printf 'Good morrow.\n%s\nWhat news?\n' "$long" | "$B/chat" -m $M --max-reply 12 >"$TMP.chat2" 2>"$TMP.err"
check "chat: a too-long line: exit status" "$?" "1"
if cmp -s "$TMP.chat1" "$TMP.chat2"; then ok; else bad "chat: the too-long line changed the replies or was split into turns"; fi
check "chat: a too-long line: stderr" "$(grep -c 'does not fit the context' "$TMP.err") $(wc -l <"$TMP.err" | tr -d ' ')" "1 1"

# ---- tokenize: ids with commas like score; no raw bytes in messages
check "tokenize --decode with commas" "$(printf '15496, 995' | "$B/tokenize" -m tests/data/gpt2-tokenizer --decode)" "Hello world"
expect_fail "tokenize --decode 1,,2" 1 "column 3" sh -c "printf '1,,2' | '$B/tokenize' -m tests/data/gpt2-tokenizer --decode"
expect_fail "tokenize --decode binary" 1 '\\x01\\x02' sh -c "printf '12 \001\002' | '$B/tokenize' -m tests/data/gpt2-tokenizer --decode"
if grep -q "$(printf '\001')" "$TMP.err"; then bad "tokenize echoed a raw control byte"; else ok; fi
expect_fail "tokenize > /dev/full" 1 "cannot write stdout" sh -c "printf hi | '$B/tokenize' -m tests/data/gpt2-tokenizer >/dev/full"

# ---- the OpenMP wait policy: PASSIVE unless the user chose
if ! "$B/generate" -m $M --info 2>/dev/null | grep -q 'built without OpenMP'; then
    check "wait policy unset: the program's" \
          "$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u KMP_BLOCKTIME "$B/generate" -m $M --info | grep -o 'OMP_WAIT_POLICY=[A-Za-z]*')" \
          "OMP_WAIT_POLICY=PASSIVE"
    check "wait policy ACTIVE: the user's" \
          "$(OMP_WAIT_POLICY=ACTIVE "$B/generate" -m $M --info | grep -o 'OMP_WAIT_POLICY=[A-Za-z]*')" "OMP_WAIT_POLICY=ACTIVE"
    # GNU libgomp: the policy takes effect (its spin count, shown by OMP_DISPLAY_ENV, is 0)
    spins=$(env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u KMP_BLOCKTIME OMP_DISPLAY_ENV=verbose "$B/generate" --help 2>&1 >/dev/null |
            sed -n "s/.*GOMP_SPINCOUNT = '\([0-9]*\)'.*/\1/p" | tail -n 1)
    if [ -n "$spins" ]; then check "libgomp spin count with the program's default" "$spins" "0"
    else echo "  (not GNU libgomp: its spin count is not checked)"; fi
else
    echo "  (built without OpenMP: the wait policy is not checked)"
fi

# ---- a context above the model's (n_ctx 256): every program refuses it as a bad flag
expect_fail "generate --ctx 9999" 2 "--ctx 9999: .*n_ctx) is 256" "$B/generate" -m $M -p hi --ctx 9999
expect_fail "chat --ctx 9999" 2 "--ctx 9999: .*n_ctx) is 256" "$B/chat" -m $M --ctx 9999
expect_fail "score --window 9999" 2 "--window 9999: .*n_ctx) is 256" "$B/score" -m $M --ids 1,2 --window 9999
if [ -x "$B/server" ]; then   # (a server that accepts it runs until timeout stops it)
    to=; if command -v timeout >/dev/null 2>&1; then to="timeout 30"; fi
    expect_fail "server --ctx 9999" 2 "--ctx 9999: .*n_ctx) is 256" $to "$B/server" -m $M --ctx 9999 --port 0
fi
# generate --ctx N: prompt + generated tokens stop at N (--json: the ids, stop context_full)
out=$("$B/generate" -m $M -p ROMEO: --ctx 8 --max-new-tokens 50 --greedy --ignore-eos --json -q 2>&1)
case "$out" in *'"stop":"context_full"'*) ok ;; *) bad "generate --ctx 8: $out" ;; esac
n_ids=$(printf '%s' "$out" | sed 's/.*"ids":\[\([0-9,]*\)\].*/\1/' | tr ',' '\n' | wc -l | tr -d ' ')
check "generate --ctx 8: ids" "$n_ids" "8"
if "$B/generate" --help | grep -q -- "--ctx N"; then ok; else bad "generate --help does not document --ctx"; fi

# ---- what a new user meets
# the prompt from stdin when it is not a terminal and no -p / -f / --ids is given
check "echo TEXT | generate" "$(printf 'ROMEO:' | "$B/generate" -m $M --greedy --max-new-tokens 8 -q 2>&1)" \
      "$("$B/generate" -m $M -p ROMEO: --greedy --max-new-tokens 8 -q 2>&1)"
if "$B/generate" --help | grep -q "stdin when it is not a terminal"; then ok
else bad "generate --help: stdin prompt"; fi
# a model id where no folder of that name exists: the download command
absb=$(cd "$B" && pwd)
mkdir -p "$TMP.cwd"
expect_fail "generate -m gpt2 (absent)" 1 "does not exist; to download it: tools/download_gpt2.sh gpt2" \
    sh -c "cd '$TMP.cwd' && '$absb/generate' -m gpt2 -p hi"
expect_fail "generate -m owner/name (absent)" 1 "tools/download_gpt2.sh openai-community/gpt2 (then -m models/gpt2)" \
    sh -c "cd '$TMP.cwd' && '$absb/generate' -m openai-community/gpt2 -p hi"
# a truncated weights file: it looks incomplete, download it again
mkdir -p "$TMP.trunc" && cp $M/* "$TMP.trunc/"
head -c 3000000 $M/model.safetensors >"$TMP.trunc/model.safetensors"
expect_fail "truncated weights" 1 "looks incomplete (download it again)" "$B/generate" -m "$TMP.trunc" -p hi
head -c 100 $M/model.safetensors >"$TMP.trunc/model.safetensors"
expect_fail "truncated weights header" 1 "looks incomplete (download it again)" "$B/score" -m "$TMP.trunc" --ids 1
# tokenize on a folder that does not exist
expect_fail "tokenize -m missing folder" 1 "tokenizer folder '$TMP.nowhere' does not exist" \
    "$B/tokenize" -m "$TMP.nowhere"
# a flag typo: the nearest flag
expect_fail "generate --tmperature" 2 "unknown option '--tmperature' (did you mean --temperature?)" \
    "$B/generate" -m $M --tmperature 0.5
expect_fail "tokenize --cuont" 2 "(did you mean --count?)" "$B/tokenize" -m $M --cuont
expect_fail "score --hepl" 2 "(did you mean --help?)" "$B/score" --hepl
expect_fail "generate --zzzzzz" 2 "unknown option '--zzzzzz' (see --help)" "$B/generate" -m $M --zzzzzz
# chat on a terminal: Ctrl-D (end of input) ends the prompt's line
if command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
    script -qec "'$B/chat' -m $M" /dev/null </dev/null >"$TMP.tty" 2>&1
    check "chat: Ctrl-D at the prompt ends the line" "$(tail -c 1 "$TMP.tty" | od -An -c | tr -d ' ')" '\n'
else
    echo "  (no util-linux script: chat's Ctrl-D on a terminal is not checked)"
fi

# ---- minimal: --help is not a path; output errors are errors
"$B/minimal" --help >"$TMP.out" 2>&1
check "minimal --help: exit status" "$?" "0"
if grep -q "usage: minimal" "$TMP.out"; then ok; else bad "minimal --help: '$(cat "$TMP.out")'"; fi
expect_fail "minimal > /dev/full" 1 "cannot write stdout" sh -c "'$B/minimal' $M ROMEO: >/dev/full"

# ---- minimal: the README's program
out=$("$B/minimal" $M "ROMEO:" 2>&1)
check "minimal exit status" "$?" "0"
case "$out" in "ROMEO:"?*) ok ;; *) bad "minimal: '$out'" ;; esac

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
