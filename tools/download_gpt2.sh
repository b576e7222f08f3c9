#!/bin/sh
# Download a GPT-2 family checkpoint from Hugging Face into models/NAME/.
#   tools/download_gpt2.sh gpt2            (also: gpt2-medium, gpt2-large,
#       gpt2-xl, distilgpt2, microsoft/DialoGPT-small, or any repo id of a
#       GPT2LMHeadModel with a model.safetensors)
# Needs curl and a machine with internet access. Files: config.json,
# vocab.json, merges.txt, model.safetensors, each fetched to FILE.part and
# renamed when complete; an interrupted run resumes where it stopped (curl
# -C -). Checks: merges.txt's sha256 (the whole family shares it); the
# safetensors header (its length fits the file, the file ends where the
# last tensor ends); for the models it knows, n_layer and n_embd in the
# header's tensor names and shapes, and gpt2's exact size. A failed download
# says which file and why (no network, an HTTP error, or an interrupted
# transfer to resume); a models/NAME/ that it created and left empty is removed.
# $CURL overrides the curl command (tests/test_download.sh uses a fake one).
set -u
CURL=${CURL:-curl}
name=${1:-}
if [ -z "$name" ]; then
    echo "usage: $0 NAME   (gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2, microsoft/DialoGPT-small)" >&2
    exit 2
fi
# Hugging Face's current repo ids, and each known model's n_layer and n_embd
case "$name" in
    gpt2)        repo=openai-community/gpt2;        layers=12; embd=768 ;;
    gpt2-medium) repo=openai-community/gpt2-medium; layers=24; embd=1024 ;;
    gpt2-large)  repo=openai-community/gpt2-large;  layers=36; embd=1280 ;;
    gpt2-xl)     repo=openai-community/gpt2-xl;     layers=48; embd=1600 ;;
    distilgpt2|distilbert/distilgpt2) repo=distilbert/distilgpt2; layers=6; embd=768 ;;
    microsoft/DialoGPT-small|DialoGPT-small) repo=microsoft/DialoGPT-small; layers=12; embd=768 ;;
    */*)         repo=$name; layers=; embd= ;;
    *) echo "$0: unknown model '$name' (give a Hugging Face repo id, e.g. openai-community/gpt2)" >&2; exit 2 ;;
esac
out="models/$(basename "$name")"
created=0
[ -d "$out" ] || { mkdir -p "$out" || exit 1; created=1; }
base="https://huggingface.co/$repo/resolve/main"
for f in config.json vocab.json merges.txt model.safetensors; do
    if [ -s "$out/$f" ]; then echo "have $out/$f"; continue; fi
    echo "fetching $base/$f"
    $CURL -fL --retry 3 -C - -o "$out/$f.part" "$base/$f" || {
        rc=$?
        case $rc in
            5|6) why="no network: huggingface.co (or the proxy) could not be resolved (curl exit status $rc)"
                 why="$why; check the connection, then run again" ;;
            7) why="no network: could not connect to huggingface.co (curl exit status 7)"
               why="$why; check the connection (or a firewall or proxy), then run again" ;;
            22) why="the server answered with an HTTP error (curl exit status 22)"
                why="$why: is '$repo' a Hugging Face repo id with a $f?" ;;
            *) why="curl exit status $rc; run again"
               [ -s "$out/$f.part" ] && why="$why to resume" ;;
        esac
        echo "$0: could not download $base/$f: $why" >&2
        [ -s "$out/$f.part" ] || rm -f "$out/$f.part"
        [ "$created" -eq 1 ] && rmdir "$out" 2>/dev/null
        exit 1
    }
    mv "$out/$f.part" "$out/$f"
done

fail=0
bad() { echo "BAD: $*" >&2; fail=1; }
got=$(sha256sum "$out/merges.txt" | cut -d' ' -f1)
if [ "$got" = 1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5 ]; then echo "ok: merges.txt sha256"
else bad "$out/merges.txt sha256 $got is not GPT-2's merges"; fi
st="$out/model.safetensors"
size=$(wc -c <"$st" | tr -d ' ')
hlen=$(od -An -t u8 -N 8 "$st" | tr -d ' ')
if [ -z "$hlen" ] || [ "$hlen" -gt 100000000 ] || [ $((hlen + 8)) -gt "$size" ]; then
    bad "$st: header length '$hlen' does not fit the file ($size bytes): not a complete safetensors file"
else
    header=$(dd if="$st" bs=1 skip=8 count="$hlen" 2>/dev/null)
    # the data ends where the last tensor ends
    end=$(printf '%s' "$header" | grep -o '"data_offsets":\[[0-9]*,[0-9]*\]' | sed 's/.*,\([0-9]*\)\]/\1/' | sort -n | tail -n 1)
    if [ $((8 + hlen + ${end:-0})) -eq "$size" ]; then echo "ok: $size bytes = 8 + header $hlen + tensor data $end"
    else bad "$st is $size bytes; its header says $((8 + hlen + ${end:-0})) (truncated or damaged: delete it and run again)"; fi
    if [ -n "$layers" ]; then
        last=$((layers - 1))
        if printf '%s' "$header" | grep -q "\"\\(transformer\\.\\)\\{0,1\\}h\\.$last\\.ln_1\\.weight\"" &&
           ! printf '%s' "$header" | grep -q "\"\\(transformer\\.\\)\\{0,1\\}h\\.$layers\\.ln_1\\.weight\""; then
            echo "ok: $layers layers"
        else bad "$st does not have the $layers layers of $name"; fi
        if printf '%s' "$header" | grep -q "wte\\.weight\":{[^}]*\"shape\":\\[50257,$embd\\]"; then echo "ok: wte [50257, $embd]"
        else bad "$st: wte is not [50257, $embd] as in $name"; fi
    fi
    if [ "$name" = gpt2 ] && [ "$size" != 548105171 ]; then bad "gpt2's model.safetensors is 548105171 bytes, this one $size"; fi
fi
if [ "$fail" -ne 0 ]; then echo "$out: checks failed" >&2; exit 1; fi
echo "$out: ready. Try: build/score -m $out --ids 464,3290"
