#!/bin/sh
# Drives build/tokenize (examples/tokenize.c). Run from the repository root
# after building it:  sh tests/test_tokenize.sh [path/to/tokenize]
# Prints "test_tokenize: N passed, N failed"; exit status 1 on any failure.
TOK=${1:-build/tokenize}
V=tests/data/gpt2-tokenizer
SMALL=tests/data/tokenizer/small-json/tokenizer.json
TMP=${TMPDIR:-/tmp}/test_tokenize.$$
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_tokenize.sh: $1"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
trap 'rm -f "$TMP".*' EXIT

if [ ! -x "$TOK" ]; then echo "SKIP: $TOK not built"; echo "test_tokenize: 0 passed, 0 failed"; exit 0; fi

check "encode" "$(printf 'Hello world' | "$TOK" -m $V)" "15496 995"
check "count" "$(printf 'Hello world' | "$TOK" -m $V --count)" "2"
check "empty input" "$(printf '' | "$TOK" -m $V)" ""
check "empty count" "$(printf '' | "$TOK" -m $V --count)" "0"
check "plain <|endoftext|>" "$(printf 'a<|endoftext|>b' | "$TOK" -m $V)" "64 27 91 437 1659 5239 91 29 65"
check "--special" "$(printf 'a<|endoftext|>b' | "$TOK" -m $V --special)" "64 50256 65"
check "--special --count" "$(printf 'a<|endoftext|>b' | "$TOK" -m $V --special --count)" "3"
check "trailing spaces" "$(printf 'a  \n\n' | "$TOK" -m $V)" "64 220 220 628"
check "tokenizer.json file" "$(printf '<|pad|> the' | "$TOK" -m $SMALL --special)" "301 258"
check "folder (vocab.json)" "$(printf 'hello the' | "$TOK" -m tests/data/tokenizer/small-hf)" "257 262 111 258"

# decode writes the exact bytes (no newline added)
printf '15496 995' | "$TOK" -m $V --decode > "$TMP.out"
check "decode" "$(od -An -c "$TMP.out" | tr -s ' ')" "$(printf 'Hello world' | od -An -c | tr -s ' ')"
printf ' 8582\n\t47249  222\n' | "$TOK" -m $V --decode > "$TMP.out"
check "decode partial UTF-8 ids" "$(od -An -tx1 "$TMP.out" | tr -d ' \n')" "f09ff09f9880"

# binary round trip: the vocabulary file itself and bytes 0..255
cat $V/vocab.bpe > "$TMP.in"
i=0; while [ $i -lt 256 ]; do printf "\\$(printf %03o $i)" >> "$TMP.in"; i=$((i + 1)); done
"$TOK" -m $V < "$TMP.in" > "$TMP.ids" && "$TOK" -m $V --decode < "$TMP.ids" > "$TMP.out"
if cmp -s "$TMP.in" "$TMP.out"; then ok; else bad "binary round trip"; fi
"$TOK" -m $V --special < "$TMP.in" | "$TOK" -m $V --decode > "$TMP.out"
if cmp -s "$TMP.in" "$TMP.out"; then ok; else bad "binary round trip (--special)"; fi

# errors: one line on stderr, non-zero exit
expect_error() {
    desc=$1; shift
    if "$@" > "$TMP.o" 2> "$TMP.e"; then bad "$desc: exit status 0"; return; fi
    if [ "$(wc -l < "$TMP.e")" -eq 1 ] && [ ! -s "$TMP.o" ]; then ok; else bad "$desc: want exactly one line on stderr"; fi
}
expect_error "id out of range" sh -c "echo '1 50257' | '$TOK' -m $V --decode"
expect_error "negative id" sh -c "echo '-1' | '$TOK' -m $V --decode"
expect_error "not a number" sh -c "echo '12 abc' | '$TOK' -m $V --decode"
expect_error "missing vocabulary" sh -c "echo hi | '$TOK' -m /nonexistent/folder"
expect_error "no -m" sh -c "echo hi | '$TOK'"
expect_error "unknown option" sh -c "echo hi | '$TOK' -m $V --bogus"
if "$TOK" --help | grep -q "usage: tokenize"; then ok; else bad "--help"; fi

echo "test_tokenize: $pass passed, $fail failed"
[ $fail -eq 0 ]
