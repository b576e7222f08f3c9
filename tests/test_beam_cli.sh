#!/bin/sh
# build/generate's beam search, --json, --ids and --no-repeat-ngram-size on
# the shipped model (models/shakespeare). JSON lines are parsed with node
# when it is installed, else checked for their shape with grep. Run from
# the repository root after `make`. Prints "test_beam_cli: N passed, N failed".
B=${BUILD:-build}
M=models/shakespeare
TMP=${TMPDIR:-/tmp}/test_beam_cli.$$
NAME=test_beam_cli.sh
. tests/cli_lib.sh
trap 'rm -rf "$TMP".*' EXIT
if [ ! -x "$B/generate" ]; then
    echo "FAIL test_beam_cli.sh: $B/generate not built"; echo "test_beam_cli: 0 passed, 1 failed"; exit 1
fi
NODE=${NODE-$(command -v node || command -v nodejs)}   # NODE= forces the shape-only check

# json_check FILE N BEAMS: N lines of valid JSON with index 0..N-1, ids (ints), text (string), n_prompt,
# stop (a known reason); with BEAMS=1 a score on each, best first; prints "ok" or the problem
json_check() {
    if [ -n "$NODE" ]; then
        "$NODE" -e '
const fs = require("fs");
const [file, n, beams] = [process.argv[1], +process.argv[2], process.argv[3] === "1"];
const lines = fs.readFileSync(file, "utf8").split("\n");
if (lines.pop() !== "") { console.log("no final newline"); process.exit(0); }
if (lines.length !== n) { console.log(lines.length + " lines"); process.exit(0); }
const stops = ["eos", "stop_string", "length", "context_full", "callback"];
let prev = Infinity;
for (let i = 0; i < n; i++) {
    let o;
    try { o = JSON.parse(lines[i]); } catch (e) { console.log("line " + i + ": " + e.message); process.exit(0); }
    const keys = Object.keys(o).join(",");
    const want = "index,ids,text,n_prompt,stop" + (beams ? ",score" : "");
    if (keys !== want) { console.log("line " + i + " keys " + keys); process.exit(0); }
    if (o.index !== i || !Array.isArray(o.ids) || !o.ids.every(Number.isInteger) || typeof o.text !== "string" ||
        !Number.isInteger(o.n_prompt) || o.n_prompt < 1 || o.n_prompt > o.ids.length || !stops.includes(o.stop)) {
        console.log("line " + i + " fields: " + lines[i].slice(0, 200)); process.exit(0);
    }
    if (beams && !(typeof o.score === "number" && o.score <= prev)) {
        console.log("scores not best first"); process.exit(0);
    }
    if (beams) prev = o.score;
}
console.log("ok");' "$1" "$2" "$3"
    else
        n=$(wc -l <"$1" | tr -d ' ')
        pat='^{"index":[0-9]*,"ids":\[[0-9,]*\],"text":".*","n_prompt":[0-9]*,"stop":"[a-z_]*"'
        [ "$3" = 1 ] && pat="$pat"',"score":-*[0-9.e+-]*}$' || pat="$pat"'}$'
        good=$(grep -c -- "$pat" "$1")
        if [ "$n" = "$2" ] && [ "$good" = "$2" ]; then echo ok; else echo "$n lines, $good well formed"; fi
    fi
}
# field FILE LINE NAME: a field of line LINE (0-based) of a JSON-lines file, as JSON (node only)
field() { "$NODE" -e 'const l = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
  const v = JSON.parse(l[+process.argv[2]])[process.argv[3]];
  console.log(typeof v === "string" ? v : JSON.stringify(v));' \
  "$1" "$2" "$3"; }

# ---- the issue's command: five sampled sequences as five JSON lines
"$B/generate" -m $M -p "The quick brown fox" --max-length 50 -n 5 --temperature 0.8 --seed 1 --json \
    >"$TMP.s5" 2>"$TMP.err"
check "sampling -n 5 --json: exit status" "$?" "0"
check "sampling -n 5 --json: five JSON lines" "$(json_check "$TMP.s5" 5 0)" "ok"
# ---- five beams with scores, best first
"$B/generate" -m $M -p "The quick brown fox" --max-length 50 --num-beams 5 -n 5 --json -q >"$TMP.b5" 2>"$TMP.err"
check "--num-beams 5 -n 5 --json: exit status" "$?" "0"
check "--num-beams 5 -n 5 --json: five beams with scores" "$(json_check "$TMP.b5" 5 1)" "ok"
"$B/generate" -m $M -p "The quick brown fox" --max-length 50 --num-beams 5 -n 1 --json -q >"$TMP.b1" 2>/dev/null
check "--num-beams 5 -n 1 --json: one line" "$(json_check "$TMP.b1" 1 1)" "ok"
check "-n 1 is the best of -n 5" "$(head -n 1 "$TMP.b1")" "$(head -n 1 "$TMP.b5")"
# plain output: a header with the score for each beam, the prompt and the text
"$B/generate" -m $M -p "ROMEO:" --max-new-tokens 8 --num-beams 3 -n 3 -q >"$TMP.out" 2>/dev/null
check "beams as text: three headers" "$(grep -c '^=== beam [123], score -[0-9.]* ===$' "$TMP.out")" "3"
check "beams as text: the prompt each time" "$(grep -c '^ROMEO:' "$TMP.out")" "3"
# the same seed, the same JSON; greedy and beams are deterministic
"$B/generate" -m $M -p "The quick brown fox" --max-length 50 -n 5 --temperature 0.8 --seed 1 --json -q \
    >"$TMP.s5b" 2>/dev/null
if cmp -s "$TMP.s5" "$TMP.s5b"; then ok; else bad "sampling --json: a second run with seed 1 differs"; fi

if [ -n "$NODE" ]; then
    # every sequence has the 50 ids of --max-length (or ends on end-of-text), the prompt first
    for i in 0 1 2 3 4; do
        n=$(field "$TMP.s5" $i ids | tr ',' '\n' | wc -l | tr -d ' ')
        stop=$(field "$TMP.s5" $i stop)
        if [ "$n" = 50 ] || [ "$stop" = eos ]; then ok; else bad "sequence $i: $n ids, stop $stop"; fi
    done
    prompt_ids=$(field "$TMP.s5" 0 ids | "$NODE" -e 'const a = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const l = require("fs").readFileSync(process.argv[1], "utf8").split("\n");
      console.log(a.slice(0, JSON.parse(l[0]).n_prompt).join(","));' "$TMP.s5")
    # ---- --ids: the same ids as -p give the same output (JSON and text, sampling and beams)
    "$B/generate" -m $M --ids "$prompt_ids" --max-length 50 -n 5 --temperature 0.8 --seed 1 --json -q \
        >"$TMP.i5" 2>/dev/null
    if cmp -s "$TMP.s5" "$TMP.i5"; then ok; else bad "--ids $prompt_ids differs from -p (sampling --json)"; fi
    "$B/generate" -m $M --ids "$(echo "$prompt_ids" | tr ',' ' ')" --max-length 50 --num-beams 5 -n 5 --json -q \
        >"$TMP.ib5" 2>/dev/null
    if cmp -s "$TMP.b5" "$TMP.ib5"; then ok; else bad "--ids (space separated) differs from -p (beams --json)"; fi
    a=$("$B/generate" -m $M -p "The quick brown fox" --greedy --max-new-tokens 20 -q 2>/dev/null)
    b=$("$B/generate" -m $M --ids "$prompt_ids" --greedy --max-new-tokens 20 -q 2>/dev/null)
    check "--ids streams the same text as -p" "$b" "$a"
    # ---- --json text is what streaming prints after the prompt
    "$B/generate" -m $M -p "ROMEO:" --greedy --max-new-tokens 30 -q >"$TMP.plain" 2>/dev/null
    "$B/generate" -m $M -p "ROMEO:" --greedy --max-new-tokens 30 -q --json >"$TMP.j1" 2>/dev/null
    check "--json text = streamed text" "$(printf 'ROMEO:%s' "$(field "$TMP.j1" 0 text)")" "$(cat "$TMP.plain")"
    # ---- invalid UTF-8 in the generated text (byte tokens at a flat temperature) still gives valid JSON
    "$B/generate" -m $M -p "ROMEO:" --temperature 5 --top-k 0 --seed 3 --max-new-tokens 200 --ignore-eos -q \
        >"$TMP.raw" 2>/dev/null
    "$B/generate" -m $M -p "ROMEO:" --temperature 5 --top-k 0 --seed 3 --max-new-tokens 200 --ignore-eos -q --json \
        >"$TMP.rawj" 2>/dev/null
    check "invalid UTF-8: the text output has some" "$("$NODE" -e 'try { new TextDecoder("utf-8", { fatal: true })
      .decode(require("fs").readFileSync(process.argv[1])); console.log("valid"); }
      catch (e) { console.log("invalid"); }' \
      "$TMP.raw")" "invalid"
    check "invalid UTF-8: --json parses" "$(json_check "$TMP.rawj" 1 0)" "ok"
    check "invalid UTF-8: as U+FFFD" "$(field "$TMP.rawj" 0 text | grep -c "$(printf '\357\277\275')")" "1"
    # ---- --no-repeat-ngram-size 2: no bigram of prompt + generated ids repeats (greedy, sampling, beams)
    for args in "--greedy" "--temperature 0.9 --seed 5 -n 3" "--num-beams 3 -n 3"; do
        # shellcheck disable=SC2086
        "$B/generate" -m $M -p "ROMEO:" --max-new-tokens 60 --ignore-eos --no-repeat-ngram-size 2 $args --json -q \
            >"$TMP.ng" 2>/dev/null
        r=$("$NODE" -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
          const a = JSON.parse(l).ids, seen = new Set();
          for (let i = 1; i < a.length; i++) { const k = a[i - 1] + "," + a[i];
            if (seen.has(k)) { console.log("repeat " + k); process.exit(0); } seen.add(k); } }
          console.log("none");' "$TMP.ng")
        check "--no-repeat-ngram-size 2 $args" "$r" "none"
    done
else
    echo "  (no node: the JSON lines are checked for their shape only)"
fi

# ---- generation_config.json: num_beams, length_penalty, early_stopping, no_repeat_ngram_size as defaults
with_generation_config "$TMP.gc" \
    '{"num_beams": 3, "length_penalty": 0.5, "early_stopping": "never", "no_repeat_ngram_size": 3}'
"$B/generate" -m "$TMP.gc" --info >"$TMP.info" 2>&1
expect_lines "--info (beam generation_config)" "$TMP.info" "num_beams 3 (generation_config.json)" \
    "length_penalty 0.5 (generation_config.json)" "early_stopping never (generation_config.json)" \
    "no_repeat_ngram_size 3 (generation_config.json)" "temperature 0 (greedy) (beam search: deterministic)" \
    "top_k not used (beam search)" "top_p not used (beam search)" "repetition_penalty not used (beam search)"
"$B/generate" -m "$TMP.gc" --num-beams 2 --length-penalty 2 --early-stopping true --no-repeat-ngram-size 0 --info \
    >"$TMP.info" 2>&1
expect_lines "--info with beam flags" "$TMP.info" "num_beams 2 (flag)" "length_penalty 2 (flag)" \
    "early_stopping true (flag)" "no_repeat_ngram_size 0 (flag)"
check "generation_config beams = the flags" \
      "$("$B/generate" -m "$TMP.gc" -p "ROMEO:" --max-new-tokens 10 -n 2 --json -q 2>&1)" \
      "$("$B/generate" -m $M -p "ROMEO:" --max-new-tokens 10 -n 2 --num-beams 3 --length-penalty 0.5 \
         --early-stopping never --no-repeat-ngram-size 3 --json -q 2>&1)"

# ---- errors: one line, exit status 2 for bad flags; write errors exit 1
expect_fail "-n above --num-beams" 2 "more than --num-beams 3" "$B/generate" -m $M -p hi --num-beams 3 -n 4
expect_fail "--num-beams with --temperature" 2 "deterministic beam search" \
    "$B/generate" -m $M -p hi --num-beams 3 --temperature 0.8
expect_fail "--num-beams with --top-k" 2 "deterministic beam search" "$B/generate" -m $M -p hi --num-beams 3 --top-k 5
expect_fail "--num-beams with --stop" 2 "--stop cannot be used with beam search" \
    "$B/generate" -m $M -p hi --num-beams 3 --stop x
expect_fail "--num-beams 0" 2 "--num-beams: expected an integer in \[1, 4096\]" "$B/generate" -m $M -p hi --num-beams 0
expect_fail "--early-stopping maybe" 2 "expected true, false or never" "$B/generate" -m $M -p hi --early-stopping maybe
expect_fail "--length-penalty nan" 2 "--length-penalty: expected a number" \
    "$B/generate" -m $M -p hi --length-penalty nan
expect_fail "--no-repeat-ngram-size -1" 2 "--no-repeat-ngram-size" "$B/generate" -m $M -p hi --no-repeat-ngram-size -1
expect_fail "--ids and -p" 2 "each give the prompt" "$B/generate" -m $M -p hi --ids 1,2
expect_fail "--ids 1,,2" 2 "--ids: empty entry before the comma" "$B/generate" -m $M --ids 1,,2
expect_fail "--ids out of range" 2 "--ids: entry 2 ('4096')" "$B/generate" -m $M --ids "1 4096"
expect_fail "--ids empty" 2 "--ids: no token ids" "$B/generate" -m $M --ids " "
expect_fail "--json > /dev/full" 1 "cannot write stdout" \
    sh -c "'$B/generate' -m $M -p hi --max-new-tokens 4 --json -q >/dev/full"
expect_fail "beams > /dev/full" 1 "cannot write stdout" \
    sh -c "'$B/generate' -m $M -p hi --max-new-tokens 4 --num-beams 2 -q >/dev/full"
# --max-length at the prompt: the prompt comes back as JSON too
"$B/generate" -m $M -p "ROMEO:" --max-length 2 -n 2 --json >"$TMP.out" 2>/dev/null
check "--max-length at the prompt --json" "$(json_check "$TMP.out" 2 0)" "ok"

echo "test_beam_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
