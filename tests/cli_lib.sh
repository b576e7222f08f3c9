# Shared by the shell tests (sourced, not run): counters and checks. Set
# NAME (the script's name for FAIL lines) and TMP (a prefix for temporary
# files) first.
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $NAME: $1"; }
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
# expect_lines WHAT FILE STRING...: FILE holds each STRING (as a fixed
# string), one check each
expect_lines() {
    what=$1; file=$2; shift 2
    for want in "$@"; do
        if grep -q -F -- "$want" "$file"; then ok; else bad "$what lacks '$want'"; fi
    done
}
# with_generation_config DIR JSON: DIR is a copy of the model $M with JSON as
# its generation_config.json
with_generation_config() {
    mkdir -p "$1" && cp "$M"/* "$1/" && printf '%s\n' "$2" >"$1/generation_config.json"
}
