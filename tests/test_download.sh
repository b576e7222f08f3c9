#!/bin/sh
# tools/download_gpt2.sh without a network: $CURL is a fake curl that serves
# https://huggingface.co/REPO/resolve/main/FILE from a local folder (and can
# stop part-way, like a dropped connection, or fail as curl does without a
# network). The script is run as README writes it, `tools/download_gpt2.sh
# NAME` (so its executable bit counts), from a scratch folder whose tools/ is
# the repository's. Checks the script's own error messages (no network, an
# HTTP error, an interrupted transfer), that no empty models/NAME/ is left,
# resuming with -C -, the current repo ids, and the size and header checks.
# Run from the repository root. Prints "test_download: N passed, N failed".
ROOT=$(pwd)
TMP=${TMPDIR:-/tmp}/test_download.$$
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_download.sh: $1"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/hf" "$TMP/run"
# the fake curl: -o FILE, -C - (append from FILE's size), the URL last;
# FAKE_CUT=N stops model.safetensors after N bytes with curl's exit status 18;
# FAKE_EXIT=N fails at once with status N (6: host not resolved, 7: no connection)
cat >"$TMP/curl" <<'FAKE'
#!/bin/sh
[ -n "${FAKE_EXIT:-}" ] && exit "$FAKE_EXIT"
out=; resume=0
while [ $# -gt 1 ]; do
    case "$1" in -o) out=$2; shift ;; -C) resume=1; shift ;; esac
    shift
done
echo "$1" >>"$FAKE_LOG"
src="$FAKE_HF/$(printf '%s' "$1" | sed 's|^https://huggingface.co/||; s|/resolve/main/|/|')"
[ -f "$src" ] || exit 22
from=0
[ "$resume" -eq 1 ] && [ -f "$out" ] && from=$(wc -c <"$out" | tr -d ' ')
[ "$from" -eq 0 ] && : >"$out"
if [ -n "${FAKE_CUT:-}" ] && [ "${1##*/}" = model.safetensors ]; then tail -c +$((from + 1)) "$src" | head -c "$FAKE_CUT" >>"$out"; exit 18; fi
tail -c +$((from + 1)) "$src" >>"$out"
FAKE
chmod +x "$TMP/curl"
export FAKE_HF="$TMP/hf" FAKE_LOG="$TMP/log" CURL="$TMP/curl"
ln -s "$ROOT/tools" "$TMP/run/tools"
dl() { (cd "$TMP/run" && tools/download_gpt2.sh "$@" >"$TMP/out" 2>"$TMP/err"); }
# the message's line for a failed download, and whether it says text $2
says() { grep "could not download" "$TMP/err" | grep -q "$1"; }

# a repo: the shipped model's files, with GPT-2's merges (its sha256 is checked)
r="$TMP/hf/test/tiny"
mkdir -p "$r" && cp models/shakespeare/config.json models/shakespeare/vocab.json models/shakespeare/model.safetensors "$r/"
cp tests/data/gpt2-tokenizer/vocab.bpe "$r/merges.txt"

# a download that fails: the script's message, exit 1, no models/NAME/
dl test/nothing-here
check "failed download: exit status" "$?" "1"
if grep -q "could not download https://huggingface.co/test/nothing-here/resolve/main/config.json" "$TMP/err"; then ok
else bad "failed download: message '$(cat "$TMP/err")'"; fi
if [ -e "$TMP/run/models/nothing-here" ]; then bad "failed download: models/nothing-here left behind"; else ok; fi
if says "HTTP error" && ! says "resume"; then ok; else bad "HTTP error: message '$(cat "$TMP/err")'"; fi
check "failed download: one line on stderr" "$(wc -l <"$TMP/err" | tr -d ' ')" "1"

# no network: curl's exit 6 (host not resolved) and 7 (cannot connect) say so, not "resume"
for code in 6 7; do
    FAKE_EXIT=$code dl test/tiny
    check "curl exit $code: exit status" "$?" "1"
    if says "no network" && says "check the connection" && ! says "resume"; then ok
    else bad "curl exit $code: message '$(cat "$TMP/err")'"; fi
    check "curl exit $code: one line on stderr" "$(wc -l <"$TMP/err" | tr -d ' ')" "1"
    if [ -e "$TMP/run/models/tiny" ]; then bad "curl exit $code: models/tiny left behind"; else ok; fi
done

# an interrupted download resumes where it stopped, and the result is whole
FAKE_CUT=100000 dl test/tiny
check "interrupted download: exit status" "$?" "1"
check "interrupted download: .part kept" "$(wc -c <"$TMP/run/models/tiny/model.safetensors.part" | tr -d ' ')" "100000"
if says "run again to resume"; then ok; else bad "interrupted download: message '$(cat "$TMP/err")'"; fi
dl test/tiny
check "resumed download: exit status" "$?" "0"
if cmp -s "$r/model.safetensors" "$TMP/run/models/tiny/model.safetensors"; then ok; else bad "resumed download differs"; fi
if grep -q "ok: .* bytes = 8 + header" "$TMP/out"; then ok; else bad "no size check in '$(cat "$TMP/out")'"; fi

# a truncated file (the server's copy cut short) fails the size check
mkdir -p "$TMP/hf/test/cut" && cp "$r"/* "$TMP/hf/test/cut/"
head -c 5000000 "$r/model.safetensors" >"$TMP/hf/test/cut/model.safetensors"
dl test/cut
check "truncated model: exit status" "$?" "1"
if grep -q "truncated or damaged" "$TMP/err"; then ok; else bad "truncated model: '$(cat "$TMP/err")'"; fi

# known names: Hugging Face's current repo ids, and the layer/shape check
mkdir -p "$TMP/hf/distilbert/distilgpt2" && cp "$r"/* "$TMP/hf/distilbert/distilgpt2/"
: >"$TMP/log"
dl distilgpt2
check "distilgpt2: exit status (the tiny model is 6 x 192, not 6 x 768)" "$?" "1"
check "distilgpt2: repo id" "$(head -n 1 "$TMP/log")" "https://huggingface.co/distilbert/distilgpt2/resolve/main/config.json"
if grep -q "wte is not \[50257, 768\]" "$TMP/err" && ! grep -q "layers" "$TMP/err"; then ok
else bad "distilgpt2: shape checks '$(cat "$TMP/err")'"; fi
: >"$TMP/log"
mkdir -p "$TMP/hf/openai-community/gpt2-medium" && cp "$r"/* "$TMP/hf/openai-community/gpt2-medium/"
dl gpt2-medium
if grep -q "does not have the 24 layers of gpt2-medium" "$TMP/err"; then ok; else bad "gpt2-medium: layer check '$(cat "$TMP/err")'"; fi
check "gpt2-medium: repo id" "$(head -n 1 "$TMP/log")" "https://huggingface.co/openai-community/gpt2-medium/resolve/main/config.json"
dl nonsense
check "a bare unknown name: exit status" "$?" "2"

echo "test_download: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
