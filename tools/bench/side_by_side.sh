# side_by_side.sh: sourced by tools/bench/bench_ggml.sh and tools/bench/bench_llamacpp.sh.
# check_ours LABEL OUR_DIR IDS N THEIRS: build/generate's greedy text for the
# prompt ids IDS (N new tokens, $THREADS threads) against the text in file
# THEIRS, byte for byte; prints one line. Uses $B (build folder) and $W
# (work folder).
check_ours() {
    printf '%s' "$("$B/generate" -m "$2" --ids "$3" --max-new-tokens "$4" --temperature 0 --threads "$THREADS" -q)" \
        >"$W/check.ours"
    if cmp -s "$5" "$W/check.ours"; then r=MATCH; else r=DIFFER; fi
    printf '  %-34s prompt ids %-22s %3d greedy tokens: %s (%d bytes of text)\n' "$1" "$3" "$4" "$r" \
        "$(wc -c <"$W/check.ours")"
}
