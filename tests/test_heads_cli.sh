#!/bin/sh
# build/classify and build/embed (and chat's refusal) on the classifier fixtures of tests/data/heads
# (tools/reference/make_head_fixtures.py). Numbers are compared with awk to
# 1e-4 absolute + 1e-4 relative (tests/test_heads.c's tolerance). Run from the
# repository root after `make`. Prints "test_heads_cli: N passed, N failed".
B=${BUILD:-build}
D=tests/data/heads
TMP=${TMPDIR:-/tmp}/test_heads_cli.$$
NAME=test_heads_cli.sh
. tests/cli_lib.sh
trap 'rm -rf "$TMP".*' EXIT
if [ ! -x "$B/classify" ] || [ ! -x "$B/embed" ] || [ ! -x "$B/chat" ]; then
    echo "FAIL test_heads_cli.sh: $B/classify, $B/embed or $B/chat not built"; echo "test_heads_cli: 0 passed, 1 failed"; exit 1
fi

# close "A B C" "X Y Z": "ok" when the two lists of numbers agree within the tolerance
close() {
    awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); m = split(b, y, " ");
        if (n != m || n == 0) { print n " numbers, expected " m; exit }
        for (i = 1; i <= n; i++) { d = x[i] - y[i]; if (d < 0) d = -d; t = y[i] < 0 ? -y[i] : y[i];
            if (d > 1e-4 + 1e-4 * t) { print "number " i ": " x[i] ", expected " y[i]; exit } }
        print "ok" }'
}
# the numbers of JSON member KEY (a flat list) on line LINE of FILE
member() { sed -n "${3}p" "$1" | sed 's/.*"'"$2"'": \[\([^]]*\)\].*/\1/' | tr -d ','; }

# "I love programming." on the 2-label classifier: label and probabilities equal the reference
"$B/classify" -m $D/seqcls-2 -p "I love programming." --json >"$TMP.out" 2>"$TMP.err"
check "classify --json status" "$?" "0"
love=$(cat $D/seqcls-2/love.txt)
check "classify --json logits and probs" "$(close "$(member "$TMP.out" logits 1) $(member "$TMP.out" probs 1)" \
    "$love")" "ok"
expect_lines "classify --json" "$TMP.out" '"label": "NEGATIVE", "label_id": 0'
# the same text as ids (the small-hf tokenizer leaves its bytes unmerged), and the plain output
"$B/classify" -m $D/seqcls-2 --ids "73 32 108 111 118 101 32 112 114 111 103 114 97 109 109 105 110 103 46" \
    --top 2 >"$TMP.out" 2>"$TMP.err"
p0=$(echo "$love" | cut -d' ' -f3); p1=$(echo "$love" | cut -d' ' -f4)
check "classify --top 2 labels" "$(cut -f1,3 "$TMP.out")" "$(printf 'NEGATIVE\tPOSITIVE')"
check "classify --top 2 probs" "$(close "$(cut -f2,4 "$TMP.out" | tr '\t' ' ')" "$p0 $p1")" "ok"

# many inputs, batched 2 at a time: the same lines as one at a time
printf 'hello the cat\n\nI love programming.\r\nat\n' >"$TMP.txt"
"$B/classify" -m $D/seqcls-2 -f "$TMP.txt" --json --batch 2 >"$TMP.a" 2>"$TMP.err"
check "classify -f lines" "$(wc -l <"$TMP.a" | tr -d ' ')" "3"
check "classify -f third input" "$(close "$(member "$TMP.a" probs 2)" "$p0 $p1")" "ok"
for i in 1 2 3; do
    line=$(grep -v '^$' "$TMP.txt" | sed -n "${i}p" | tr -d '\r')
    "$B/classify" -m $D/seqcls-2 -p "$line" --json 2>/dev/null | sed "s/\"input\": 0/\"input\": $((i - 1))/"
done >"$TMP.b"
check "classify -f --batch 2 equals one at a time" "$(close "$(member "$TMP.a" logits 1) $(member "$TMP.a" logits 2) \
$(member "$TMP.a" logits 3)" "$(member "$TMP.b" logits 1) $(member "$TMP.b" logits 2) $(member "$TMP.b" logits 3)")" "ok"

# regression: scores, not probs; multi-label
"$B/classify" -m $D/seqcls-1 --ids 3,4 --json >"$TMP.out" 2>&1
expect_lines "classify regression" "$TMP.out" '"label": "LABEL_0"' '"scores": ['
"$B/classify" -m $D/seqcls-5-pad --ids 3,4,0 --json >"$TMP.out" 2>&1
expect_lines "classify multi-label" "$TMP.out" '"label": "topic' '"probs": ['

# token classification: a label per token
"$B/classify" -m $D/tokcls-3 -p "hello the cat" --tokens >"$TMP.out" 2>&1
check "classify --tokens lines" "$(grep -c . "$TMP.out")" "5"
check "classify --tokens labels" "$(cut -f2 "$TMP.out" | grep -c -E '^(O|B-X|I-X)$')" "5"
"$B/classify" -m $D/tokcls-3 --ids 3,4 --json >"$TMP.out" 2>&1
expect_lines "classify token --json" "$TMP.out" '"tokens": [{"id": 3' '"label_id": '

# refused, with one message
expect_fail "classify on an LM" 1 "language model" "$B/classify" -m tests/data/tiny-f32 --ids 1,2
expect_fail "classify --tokens on a sequence classifier" 1 "sequence classifier" \
    "$B/classify" -m $D/seqcls-2 --ids 1 --tokens
expect_fail "chat on a classifier" 1 "GPT2ForSequenceClassification" "$B/chat" -m $D/seqcls-2
expect_fail "classify two inputs" 2 "exactly one" "$B/classify" -m $D/seqcls-2 --ids 1 -p x
expect_fail "classify too long" 1 "more than the model's context" "$B/classify" -m $D/seqcls-2 \
    -p "this text is longer than thirty-two bytes, the context"
expect_fail "classify bad id" 1 "--ids" "$B/classify" -m $D/seqcls-2 --ids 301

# embed: JSON lines (test_heads.c compares the pooled vectors with the reference) and .npy
"$B/embed" -m $D/seqcls-2 --ids "73 32 108 111 118 101 32 112 114 111 103 114 97 109 109 105 110 103 46" \
    >"$TMP.out" 2>"$TMP.err"
check "embed status" "$?" "0"
expect_lines "embed" "$TMP.out" '{"input": 0, "tokens": 19, "embedding": ['
check "embed length" "$(member "$TMP.out" embedding 1 | wc -w | tr -d ' ')" "16"
"$B/embed" -m $D/seqcls-2 -p "I love programming." --normalize --pool last >"$TMP.a" 2>&1
check "embed --normalize unit norm" "$(member "$TMP.a" embedding 1 | \
    awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i * $i; print (s > 0.9999 && s < 1.0001) ? "ok" : s }')" "ok"
"$B/embed" -m $D/seqcls-2 -f "$TMP.txt" --npy "$TMP.npy" >"$TMP.out" 2>&1
check "embed --npy size" "$(wc -c <"$TMP.npy" | tr -d ' ')" "$((128 + 3 * 16 * 4))"
check "embed --npy prints nothing" "$(wc -c <"$TMP.out" | tr -d ' ')" "0"
expect_fail "embed --pool" 2 "--pool" "$B/embed" -m $D/seqcls-2 --ids 1 --pool max

echo "test_heads_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
