#!/bin/sh
# The repository as a clone gives it: every tracked file that starts with
# "#!" is executable in git (mode 100755), and every command in README.md and
# docs/*.md that runs a repository script directly (a line of a ```sh block
# that starts with tools/..., tests/... or examples/...) names a tracked,
# executable file, so that it runs as written (SKIP outside a git checkout).
# And `make test` as README writes it: a top-level make without -j builds on
# every core and first says what it does and how long it takes, while a -j on
# the command line or in MAKEFLAGS wins (dry runs, make -n -p). And no line of
# llm.h, examples/*.c or examples/*.h is longer than 120 columns. And the
# Makefile's SELF_CONTAINED names exactly the tests that need llm.h's
# implementation in their own file. And tests/run.sh runs each program once.
# Run from the repository root. Prints "test_repo: N passed, N failed".
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_repo.sh: $1"; }
TMP=${TMPDIR:-/tmp}/test_repo.$$
trap 'rm -f "$TMP"' EXIT
git_checks() {
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
    if [ "$n" -gt 0 ]; then ok; else bad "no tracked file starts with #! (git ls-files -s: $(wc -l <"$TMP") lines)"; fi

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
}
if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then git_checks
else echo "SKIP test_repo.sh: not a git checkout (the checks of modes in git)"; fi

# `make test` as README writes it (no -j): it builds on every core and says first what it does and how
# long it takes; a -j on the command line or in MAKEFLAGS wins. Dry runs (-n) of a top-level make.
if command -v make >/dev/null 2>&1; then
    # a top-level make (not this one's sub-make), with MAKEFLAGS=$TOP_MAKEFLAGS
    topmake() {
        env -u MAKELEVEL -u MFLAGS -u MAKEOVERRIDES MAKEFLAGS="${TOP_MAKEFLAGS:-}" make -n -p "$@" 2>&1
    }
    makejobs() { sed -n 's/^MAKEFLAGS = .* \(-j[0-9]*\).*/\1/p' | head -n 1; }
    check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
    cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    topmake test >"$TMP"
    case "$(head -n 1 "$TMP")" in "make test: builds every program and test on all $cores cores"*) ok ;;
        *) bad "make test's first line: '$(head -n 1 "$TMP")'" ;; esac
    if head -n 2 "$TMP" | grep -q "minutes on an idle 2-core machine"; then ok
    else bad "make test's first lines say nothing of how long it takes"; fi
    check "make test: jobs" "$(makejobs <"$TMP")" "-j$cores"
    check "make -j1 test: jobs" "$(topmake -j1 test | makejobs)" "-j1"
    check "MAKEFLAGS=-j1 make test: jobs" "$(TOP_MAKEFLAGS=-j1 topmake test | makejobs)" "-j1"
    check "make run: jobs" "$(topmake run | makejobs)" ""
else
    echo "SKIP test_repo.sh: make not installed (the make test checks)"
fi

# Lines of llm.h and of examples/*.c, examples/*.h: at most 120 columns (characters: the UTF-8
# continuation bytes, 0x80 to 0xbf, do not count). One check per file; a failure names each long line.
for f in llm.h examples/*.c examples/*.h; do
    [ -f "$f" ] || continue
    long=$(LC_ALL=C awk '{ s = $0; n = length(s) - gsub(/[\200-\277]/, "", s) }
        n > 120 { printf "%s%s:%d (%d columns)", sep, FILENAME, FNR, n; sep = ", " }' "$f")
    if [ -z "$long" ]; then ok
    else bad "lines longer than 120 columns: $long"; fi
done

# the tests that need the implementation in their own file (they reach llm__* or set LLM_ configuration
# macros) are the Makefile's SELF_CONTAINED, and only those: the others link build/llm.o
self=$(sed -n '/^SELF_CONTAINED :=/,/[^\\]$/p' Makefile | sed 's/^SELF_CONTAINED :=//; s/\\//g' | tr -s ' \n' '\n\n' |
       grep . | sort)
need=$(for f in tests/test_*.c; do
           if grep -q 'llm__' "$f" || grep -v '^#define LLM_IMPLEMENTATION$' "$f" | grep -q '^#define LLM_'; then
               basename "$f" .c
           fi
       done | sort)
if [ -n "$self" ] && [ "$self" = "$need" ]; then ok
else bad "Makefile's SELF_CONTAINED is '$(echo $self)'; the tests that reach llm__* or define LLM_ macros: '$(echo $need)'"; fi

# a program outside tests/ that reaches llm__* has a rule of its own (the pattern rules link build/llm.o)
for f in examples/*.c tools/bench/*.c tools/convert/*.c; do
    grep -q 'llm__' "$f" || continue
    name=$(basename "$f" .c)
    if grep -q "^\$(BUILD)/$name: $f" Makefile; then ok
    else bad "$f reaches llm__* but the Makefile has no rule \$(BUILD)/$name: $f (it would link build/llm.o)"; fi
done

# tests/run.sh runs every program given exactly once, in any number of jobs, and adds their counts up
# (a program without a summary line is one failure); many quick programs, so that some end while
# run.sh waits for a free job
R=$(mktemp -d "${TMPDIR:-/tmp}/test_repo_run.XXXXXX")
progs=""; want=""
for n in $(seq 1 30); do
    printf '#!/bin/sh\necho %s >> "%s/log"\necho "p: 1 passed, 0 failed"\n' "$n" "$R" > "$R/p$n"
    chmod +x "$R/p$n"; progs="$progs $R/p$n"; want="$want$n "
done
printf '#!/bin/sh\necho 0 >> "%s/log"\nexit 3\n' "$R" > "$R/crash"; chmod +x "$R/crash"
for j in 1 2 3; do
    rm -f "$R/log"
    # shellcheck disable=SC2086
    last=$(LLM_TEST_JOBS=$j sh tests/run.sh "$R/crash" $progs | tail -n 1)
    ran=$(sort -n "$R/log" | tr '\n' ' ')
    if [ "$last" = "30 passed, 1 failed" ] && [ "$ran" = "0 $want" ]; then ok
    else bad "LLM_TEST_JOBS=$j tests/run.sh: '$last' (want 30 passed, 1 failed), ran: $ran"; fi
done
rm -rf "$R"

echo "test_repo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
