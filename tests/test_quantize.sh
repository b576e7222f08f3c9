#!/bin/sh
# build/quantize never harms its input or a checkpoint in its output folder:
# the same folder under other names (DIR/., a link, relative and absolute)
# and an output file that is an input file are refused with the input left
# byte-identical; an output folder that holds a checkpoint is refused
# unless --force; a NaN or infinite weight is refused, naming the tensor
# and element; a failed write (a file-size limit) leaves no file behind and
# the old output as it was. Also: --help on stdout with exit status 0, bad
# usage exit status 2, the reason in "cannot open", no progress lines when
# stderr is not a terminal. Run from the repository root after
# `make build/quantize build/generate`. Prints "test_quantize: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
TMP=${TMPDIR:-/tmp}/test_quantize.$$
NAME=test_quantize.sh
. tests/cli_lib.sh
trap 'rm -rf "$TMP".*' EXIT

for p in quantize generate; do
    if [ ! -x "$B/$p" ]; then
        echo "FAIL $NAME: $B/$p not built (make)"; echo "test_quantize: 0 passed, 1 failed"; exit 1
    fi
done
Q=$(cd "$B" && pwd)/quantize
mkdir "$TMP.d" || exit 1
D=$(cd "$TMP.d" && pwd)   # absolute
cp -r $M "$D/in"
cp $M/model.safetensors "$D/orig.safetensors"

# unchanged WHAT: the input's model.safetensors is byte-identical to the copy
unchanged() {
    if cmp -s "$D/in/model.safetensors" "$D/orig.safetensors"; then ok
    else bad "$1: the input's model.safetensors changed"; cp "$D/orig.safetensors" "$D/in/model.safetensors"; fi
}
# no_temp WHAT DIR: DIR holds no temporary file (NAME.XXXXXX)
no_temp() {
    left=$(ls -A "$2" 2>/dev/null | grep -E '\.[A-Za-z0-9]{6}$')
    if [ -z "$left" ]; then ok; else bad "$1: temporary files left in $2: $left"; fi
}
# run_ok WHAT CMD...: exit status 0, nothing on stderr
run_ok() {
    what=$1; shift
    "$@" >"$TMP.out" 2>"$TMP.err" </dev/null; rc=$?
    if [ "$rc" -ne 0 ]; then bad "$what: exit status $rc ($(head -c 300 "$TMP.err"))"
    elif [ -s "$TMP.err" ]; then bad "$what: stderr not empty: $(head -c 300 "$TMP.err" | od -c | head -n 3)"
    else ok; fi
}

# ---- 1. the input folder as the output, under other names
expect_fail "quantize DIR DIR" 1 "same folder" "$Q" "$D/in" "$D/in"
unchanged "quantize DIR DIR"
expect_fail "quantize DIR DIR/." 1 "same folder" "$Q" "$D/in" "$D/in/."
unchanged "quantize DIR DIR/."
ln -s "$D/in" "$D/link"
expect_fail "quantize DIR LINK" 1 "same folder" "$Q" "$D/in" "$D/link"
unchanged "quantize DIR LINK"
expect_fail "quantize relative absolute" 1 "same folder" sh -c 'cd "$1" && exec "$2" in "$1/in"' sh "$D" "$Q"
unchanged "quantize relative absolute"
expect_fail "quantize absolute relative" 1 "same folder" sh -c 'cd "$1/in" && exec "$2" "$1/in" ../in' sh "$D" "$Q"
unchanged "quantize absolute relative"
check "the input folder holds what it held" "$(ls -A "$D/in" | tr '\n' ' ')" "$(ls -A $M | tr '\n' ' ')"
# an output file that is an input file: a hard link (refused even before
# the used-folder check), a symbolic link with --force
mkdir "$D/hard" && ln "$D/in/model.safetensors" "$D/hard/model.safetensors"
expect_fail "output model.safetensors hard-linked to the input's" 1 "the same file" "$Q" "$D/in" "$D/hard"
unchanged "output model.safetensors hard-linked to the input's"
mkdir "$D/sym" && ln -s "$D/in/model.safetensors" "$D/sym/model.safetensors"
expect_fail "output model.safetensors a link to the input's, --force" 1 "the same file" \
    "$Q" --force "$D/in" "$D/sym"
unchanged "output model.safetensors a link to the input's, --force"

# ---- 2. an output folder that holds checkpoint files
run_ok "quantize into a new folder" "$Q" "$D/in" "$D/fresh"
check "files written" "$(ls -A "$D/fresh" | tr '\n' ' ')" "config.json merges.txt model.safetensors vocab.json "
# a WordPiece checkpoint keeps its tokenizer (vocab.txt, tokenizer_config.json)
run_ok "quantize a WordPiece checkpoint" "$Q" tests/data/wordpiece-gpt2 "$D/wp"
if cmp -s "$D/wp/vocab.txt" tests/data/wordpiece-gpt2/vocab.txt &&
   cmp -s "$D/wp/tokenizer_config.json" tests/data/wordpiece-gpt2/tokenizer_config.json; then ok
else bad "quantize a WordPiece checkpoint: vocab.txt or tokenizer_config.json not copied"; fi
for f in tokenizer.json generation_config.json config.json model.safetensors model.safetensors.index.json vocab.txt; do
    mkdir "$D/used.$f" && printf '{"max_new_tokens": 3}\n' >"$D/used.$f/$f"
    expect_fail "output folder holding $f" 1 "holds $f" "$Q" "$D/in" "$D/used.$f"
    check "output folder holding $f: left as it was" "$(ls -A "$D/used.$f" | tr '\n' ' ')" "$f "
done
# --force: the old tokenizer.json and generation_config.json are removed,
# the other files replaced; the result is what a new folder gets
mkdir "$D/old"
printf '{"max_new_tokens": 3}\n' >"$D/old/generation_config.json"
printf '{}\n' >"$D/old/tokenizer.json"
printf 'old\n' >"$D/old/model.safetensors"
printf 'keep\n' >"$D/old/notes.txt"
run_ok "quantize --force into a used folder" "$Q" --force "$D/in" "$D/old"
check "--force: files" "$(ls -A "$D/old" | tr '\n' ' ')" \
    "config.json merges.txt model.safetensors notes.txt vocab.json "
if cmp -s "$D/old/model.safetensors" "$D/fresh/model.safetensors" && cmp -s "$D/old/config.json" "$D/fresh/config.json"
then ok; else bad "--force: the output differs from a new folder's"; fi
g=$("$B/generate" -m "$D/old" -p ROMEO: --greedy --max-new-tokens 8 2>/dev/null | head -n 1)
check "generate on the --force output" "$g" "ROMEO:"
# a link among them with --force is removed, its target left alone
mkdir "$D/lnk" && printf 'target\n' >"$D/target" && ln -s "$D/target" "$D/lnk/tokenizer.json"
run_ok "quantize --force, tokenizer.json a link" "$Q" --force "$D/in" "$D/lnk"
if [ ! -e "$D/lnk/tokenizer.json" ] && [ "$(cat "$D/target")" = target ]; then ok
else bad "--force: the linked tokenizer.json stayed, or its target changed"; fi

# ---- 3. a weight that is not finite: refused, naming the tensor and the element
# patch FILE TENSOR ELEMENT BYTE0 BYTE1 (octal): F16 element ELEMENT of TENSOR set
patch() {
    n=$(od -An -tu1 -N8 "$1" | awk '{ v = 0; for (i = 8; i >= 1; i--) v = v * 256 + $i; print v }')
    start=$(dd if="$1" bs=1 skip=8 count="$n" 2>/dev/null |
            sed -n "s/.*\"$2\":{[^}]*\"data_offsets\":\[\([0-9]*\),.*/\1/p")
    [ -n "$start" ] || { echo "patch: no tensor $2 in $1"; return 1; }
    printf "\\$4\\$5" | dd of="$1" bs=1 seek=$((8 + n + start + 2 * $3)) conv=notrunc 2>/dev/null
}
cp -r "$D/in" "$D/nan" && patch "$D/nan/model.safetensors" h.0.mlp.c_fc.weight 5 000 176   # 0x7e00: NaN
expect_fail "a NaN weight" 1 "tensor h.0.mlp.c_fc.weight: element 5 .*is NaN" "$Q" "$D/nan" "$D/nan.out"
if [ ! -e "$D/nan.out" ]; then ok; else bad "a NaN weight: the output folder was created"; fi
cp -r "$D/in" "$D/inf" && patch "$D/inf/model.safetensors" wte.weight 1000 000 174   # 0x7c00: +inf
expect_fail "an infinite weight" 1 "tensor wte.weight: element 1000 .*is +inf" "$Q" "$D/inf" "$D/inf.out"
cp -r "$D/in" "$D/ninf" && patch "$D/ninf/model.safetensors" h.1.ln_2.bias 7 000 374   # 0xfc00: -inf
expect_fail "an infinite bias" 1 "tensor h.1.ln_2.bias: element 7 is -inf" "$Q" "$D/ninf" "$D/ninf.out"

# ---- 10. --help, bad usage, the reason in messages, progress only on a terminal
"$Q" --help >"$TMP.out" 2>"$TMP.err"; rc=$?
check "--help exit status" "$rc" "0"
if [ ! -s "$TMP.err" ] && grep -q '^usage: quantize' "$TMP.out" && grep -q -- '--force' "$TMP.out"; then ok
else bad "--help: usage (with --force) not on stdout, or stderr not empty"; fi
expect_fail "no arguments" 2 "IN_DIR and OUT_DIR" "$Q"
expect_fail "an unknown flag" 2 "unknown option '--bogus'" "$Q" --bogus "$D/in" "$D/x"
expect_fail "three folders" 2 "unexpected argument" "$Q" "$D/in" "$D/x" "$D/y"
expect_fail "a missing input" 1 "cannot open '$D/missing/model.safetensors': No such file or directory" \
    "$Q" "$D/missing" "$D/x"
if [ ! -e "$D/x" ]; then ok; else bad "a missing input: the output folder was created"; fi
# the run of section 2 printed nothing on stderr (run_ok): no progress lines in a file

# ---- a failed write (a file-size limit): no file left, an old output as it was
mkdir "$D/empty"
expect_fail "a failed write" 1 "cannot write '$D/empty/model.safetensors': File too large" \
    sh -c 'ulimit -f 64 && exec "$@"' sh "$Q" "$D/in" "$D/empty"
check "a failed write: the folder stays empty" "$(ls -A "$D/empty")" ""
expect_fail "a failed write, new folder" 1 "File too large" \
    sh -c 'ulimit -f 64 && exec "$@"' sh "$Q" "$D/in" "$D/new"
if [ ! -e "$D/new" ]; then ok; else bad "a failed write: the folder it created is left: $(ls -A "$D/new")"; fi
cp -r "$D/fresh" "$D/good"
printf '{}\n' >"$D/good/tokenizer.json"
expect_fail "a failed write with --force" 1 "File too large" \
    sh -c 'ulimit -f 64 && exec "$@"' sh "$Q" --force "$D/in" "$D/good"
if cmp -s "$D/good/model.safetensors" "$D/fresh/model.safetensors" &&
   cmp -s "$D/good/config.json" "$D/fresh/config.json" && [ -e "$D/good/tokenizer.json" ]; then ok
else bad "a failed write with --force: the old output changed"; fi
no_temp "a failed write with --force" "$D/good"
for d in fresh old lnk; do no_temp "quantize into $d" "$D/$d"; done

echo "test_quantize: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
