#!/bin/sh
# The repository as a clone gives it: every tracked file that starts with
# "#!" is executable in git (mode 100755), and every command in README.md and
# docs/*.md that runs a repository script directly (a line of a ```sh block
# that starts with tools/..., tests/... or examples/...) names a tracked,
# executable file, so that it runs as written. SKIP outside a git checkout.
# Run from the repository root. Prints "test_repo: N passed, N failed".
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_repo.sh: $1"; }
if ! command -v git >/dev/null 2>&1 || ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "SKIP test_repo.sh: not a git checkout"
    echo "test_repo: 0 passed, 0 failed"
    exit 0
fi
TMP=${TMPDIR:-/tmp}/test_repo.$$
trap 'rm -f "$TMP"' EXIT

# modes in git: "MODE HASH STAGE<TAB>PATH" for every tracked file
git ls-files -s >"$TMP"
n=0
while IFS= read -r line; do
    mode=${line%% *}
    path=${line#*	}
    [ "$mode" = 120000 ] && continue         # a symbolic link
    [ -f "$path" ] || continue                # deleted in the work tree
    [ "$(head -c 2 "$path")" = "#!" ] || continue
    n=$((n + 1))
    if [ "$mode" = 100755 ]; then ok
    else bad "$path starts with #! but is mode $mode in git (git update-index --chmod=+x '$path')"; fi
done <"$TMP"
[ "$n" -gt 0 ] && ok || bad "no tracked file starts with #! (git ls-files -s gave $(wc -l <"$TMP" | tr -d ' ') lines)"

# commands in the documentation that run a repository script as a program
for doc in README.md docs/*.md; do
    [ -f "$doc" ] || continue
    awk '/^```/ { inblock = !inblock && ($0 == "```sh"); next } inblock { print $1 }' "$doc" |
        grep -E '^(tools|tests|examples)/' | sort -u | while IFS= read -r cmd; do
        mode=$(git ls-files -s -- "$cmd" | cut -d' ' -f1)
        if [ "$mode" = 100755 ]; then echo ok
        else echo "bad $doc runs '$cmd', which is ${mode:-not tracked} in git, not an executable (100755)"; fi
    done
done >"$TMP"
while IFS= read -r line; do
    case "$line" in ok) ok ;; "bad "*) bad "${line#bad }" ;; esac
done <"$TMP"
# README's quick start runs the download script directly: it must be among the commands checked
if awk '/^```sh/,/^```$/' README.md | grep -q '^tools/.*download_gpt2.sh gpt2'; then ok
else bad "README.md has no \`tools/.../download_gpt2.sh gpt2\` command in a sh block"; fi

echo "test_repo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
