#!/bin/sh
# The map at the top of llm.h (CONTENTS) matches the file: each documentation
# chapter and code section it lists is there, in the listed order, and every
# section banner of the file is listed.
cd "$(dirname "$0")/.." || exit 1
H=llm.h
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL tests/test_map.sh: $*"; }

map=$(awk '/^   CONTENTS$/ {on = 1; next} /^   Each part is defined/ {on = 0} on' $H)
[ -n "$map" ] && ok || bad "no CONTENTS block at the top of $H"

# left column: documentation chapters "N. NAME"; right column: code sections
docs=$(printf '%s\n' "$map" | cut -c1-37 | sed -n 's/^ *\([0-9][0-9]*\)\. \(.*[^ ]\) *$/\1. \2/p')
code=$(printf '%s\n' "$map" | awk '{ s = substr($0, 38); sub(/^ +/, "", s); sub(/ +$/, "", s); if (s != "") print s }' |
       grep -v '^Code')

# the chapters, in order, as headings of the top comment
last=0
printf '%s\n' "$docs" | while IFS= read -r d; do
    n=$(grep -n -m1 "^   $d\( (\|\$\)" $H | cut -d: -f1)
    if [ -z "$n" ]; then echo "FAIL tests/test_map.sh: chapter '$d' has no heading"; echo x
    elif [ "$n" -le "$last" ]; then echo "FAIL tests/test_map.sh: chapter '$d' out of order"; echo x; fi
    last=${n:-$last}
done > /tmp/llm-map-$$.docs
nd=$(printf '%s\n' "$docs" | grep -c .)
nbad=$(grep -c '^x$' /tmp/llm-map-$$.docs); grep FAIL /tmp/llm-map-$$.docs
pass=$((pass + nd - nbad)); fail=$((fail + nbad))

# the code sections: "NN. TITLE" is a banner title (the line after a /* ==== line),
# "---- title" a public API subsection; both in file order
banners=$(awk 'prev ~ /^\/\* =+$/ { t = $0; sub(/^   /, "", t); print NR ": " t } { prev = $0 }' $H)
last=0
printf '%s\n' "$code" | while IFS= read -r c; do
    case "$c" in
    ----*) n=$(grep -n "^/\* $c" $H | head -1 | cut -d: -f1) ;;
    *)     t=${c#*. }
           n=$(printf '%s\n' "$banners" | awk -v t="$t" 'index(substr($0, index($0, ": ") + 2), t) == 1 {
               print substr($0, 1, index($0, ":") - 1); exit }')
           [ -z "$n" ] && n=$(grep -n -m1 "^$t\$" $H | cut -d: -f1) ;;
    esac
    if [ -z "$n" ]; then echo "FAIL tests/test_map.sh: section '$c' not found"; echo x
    elif [ "$n" -le "$last" ]; then echo "FAIL tests/test_map.sh: section '$c' out of order"; echo x; fi
    last=${n:-$last}
done > /tmp/llm-map-$$.code
nc=$(printf '%s\n' "$code" | grep -c .)
nbad=$(grep -c '^x$' /tmp/llm-map-$$.code); grep FAIL /tmp/llm-map-$$.code
pass=$((pass + nc - nbad)); fail=$((fail + nbad))
rm -f /tmp/llm-map-$$.docs /tmp/llm-map-$$.code

# every banner of the file is in the map
printf '%s\n' "$banners" | while IFS= read -r b; do
    t=${b#*: }
    t=$(printf '%s' "$t" | sed 's/ *$//')
    printf '%s\n' "$code" | awk -v t="$t" '{ s = $0; sub(/^[0-9]+\. /, "", s); if (index(t, s) == 1) f = 1 } END { exit !f }' \
        || echo "FAIL tests/test_map.sh: banner '$t' is not in the map"
done > /tmp/llm-map-$$.ban
nb=$(printf '%s\n' "$banners" | grep -c .)
nbad=$(grep -c FAIL /tmp/llm-map-$$.ban); cat /tmp/llm-map-$$.ban; rm -f /tmp/llm-map-$$.ban
pass=$((pass + nb - nbad)); fail=$((fail + nbad))

# every subsection of the public API and of the implementation's prelude is in the map
subs=$(awk '/^   JSON \(/ {exit} /^\/\* ---- / {t = substr($0, 9); sub(/ \(.*/, "", t); sub(/ *-*( \*\/)?$/, "", t); print t}' $H)
printf '%s\n' "$subs" | while IFS= read -r t; do
    printf '%s\n' "$code" | grep -qxF -- "---- $t" || echo "FAIL tests/test_map.sh: subsection '$t' is not in the map"
done > /tmp/llm-map-$$.sub
ns=$(printf '%s\n' "$subs" | grep -c .)
nbad=$(grep -c FAIL /tmp/llm-map-$$.sub); cat /tmp/llm-map-$$.sub; rm -f /tmp/llm-map-$$.sub
pass=$((pass + ns - nbad)); fail=$((fail + nbad))

echo "test_map: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
