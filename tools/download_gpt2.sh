#!/bin/sh
# Download a GPT-2 family checkpoint from Hugging Face into models/NAME/.
#   tools/download_gpt2.sh gpt2            (also: gpt2-medium, gpt2-large,
#       gpt2-xl, distilgpt2, microsoft/DialoGPT-small, or any repo id of a
#       GPT2LMHeadModel with a model.safetensors)
# Needs curl and a machine with internet access. Files: model.safetensors,
# config.json, vocab.json, merges.txt. Where this script knows the expected
# size or sha256 of a file it checks it; it always checks that the
# safetensors header is complete.
set -eu
name=${1:-}
if [ -z "$name" ]; then
    echo "usage: $0 NAME   (gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2, microsoft/DialoGPT-small)" >&2
    exit 2
fi
case "$name" in
    gpt2|gpt2-medium|gpt2-large|gpt2-xl|distilgpt2) repo="openai-community/$name" ;;
    [A-Za-z0-9]*/*) repo="$name" ;;
    *) repo="$name" ;;
esac
out="models/$(basename "$name")"
mkdir -p "$out"
base="https://huggingface.co/$repo/resolve/main"
for f in config.json vocab.json merges.txt model.safetensors; do
    if [ -s "$out/$f" ]; then echo "have $out/$f"; continue; fi
    echo "fetching $base/$f"
    curl -fL --retry 3 -o "$out/$f.part" "$base/$f"
    mv "$out/$f.part" "$out/$f"
done

fail=0
check_size() { # file bytes
    got=$(wc -c < "$1" | tr -d ' ')
    if [ "$got" != "$2" ]; then echo "BAD: $1 is $got bytes, expected $2" >&2; fail=1; else echo "ok: $1 is $2 bytes"; fi
}
check_sha() { # file sha256
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then echo "BAD: $1 sha256 $got, expected $2" >&2; fail=1; else echo "ok: $1 sha256"; fi
}
# GPT-2's byte-level BPE merges, shared by the whole family
check_sha "$out/merges.txt" 1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5
if [ "$name" = gpt2 ]; then
    check_size "$out/model.safetensors" 548105171
fi
# the header: 8-byte little-endian length, then that many bytes of JSON
hlen=$(od -An -t u8 -N 8 "$out/model.safetensors" | tr -d ' ')
size=$(wc -c < "$out/model.safetensors" | tr -d ' ')
if [ "$hlen" -gt 100000000 ] || [ $((hlen + 8)) -gt "$size" ]; then
    echo "BAD: $out/model.safetensors header length $hlen" >&2; fail=1
else
    echo "ok: safetensors header of $hlen bytes"
    if [ "$name" = gpt2 ] && [ "$hlen" != 14283 ]; then echo "BAD: gpt2 header should be 14283 bytes" >&2; fail=1; fi
fi
if [ "$fail" -ne 0 ]; then echo "$out: checks failed" >&2; exit 1; fi
echo "$out: ready. Try: build/score -m $out --ids 464,3290"
