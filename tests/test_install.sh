#!/bin/sh
# make install into a temporary DESTDIR (the header, every program, each
# calling itself by its installed name, llm.pc, the CMake package), a program
# built against the installed header with pkg-config's flags, one built with
# find_package(llm) (SKIP without cmake), and
# README's CMake snippet ("Use it in your project") building
# examples/minimal.c (SKIP when cmake is not installed). Both programs must
# print what build/minimal prints. Run from the repository root after make.
# Prints "test_install: N passed, N failed".
B=${BUILD:-build}
TMP=${TMPDIR:-/tmp}/test_install.$$
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL test_install.sh: $1"; }
check() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP"
want=$("$B/minimal" models/shakespeare "ROMEO:" 2>&1)

${MAKE:-make} -s install DESTDIR="$TMP/root" PREFIX=/opt/llm >"$TMP/install.log" 2>&1
check "make install exit status" "$?" "0"
if cmp -s llm.h "$TMP/root/opt/llm/include/llm.h"; then ok; else bad "include/llm.h is not llm.h"; fi
progs="llm-generate llm-score llm-chat llm-tokenize llm-quantize llm-classify llm-embed"
if [ -x "$B/server" ]; then progs="$progs llm-server"; fi
for p in $progs; do
    if [ -x "$TMP/root/opt/llm/bin/$p" ]; then ok; else bad "bin/$p not installed"; fi
done
# an installed program calls itself by its installed name
bin="$TMP/root/opt/llm/bin"
for p in llm-generate llm-score llm-chat llm-tokenize llm-classify llm-embed llm-server; do
    [ -x "$bin/$p" ] || continue
    check "$p --help: usage line" "$("$bin/$p" --help 2>&1 | head -n 1 | cut -d' ' -f1-2)" "usage: $p"
    msg=$("$bin/$p" --bogus 2>&1 </dev/null | head -n 1 | cut -d' ' -f1-3)
    check "$p --bogus: message" "$msg" "$p: unknown option"
done
check "llm-generate: load error" "$("$bin/llm-generate" -m "$TMP/nowhere" -p x 2>&1 | cut -d' ' -f1)" "llm-generate:"
pc="$TMP/root/opt/llm/lib/pkgconfig/llm.pc"
ver=$(sed -n 's/^#define LLM_VERSION_STRING "\(.*\)"$/\1/p' llm.h)
check "llm.pc prefix" "$(sed -n 's/^prefix=//p' "$pc")" "/opt/llm"
check "llm.pc version" "$(sed -n 's/^Version: //p' "$pc")" "$ver"
check "installed llm-tokenize runs" "$(printf 'ROMEO:' | "$TMP/root/opt/llm/bin/llm-tokenize" -m models/shakespeare | wc -w | tr -d ' ')" \
      "$(printf 'ROMEO:' | "$B/tokenize" -m models/shakespeare | wc -w | tr -d ' ')"

# a program compiled with pkg-config's flags against the installed header
if command -v pkg-config >/dev/null 2>&1; then
    flags=$(PKG_CONFIG_LIBDIR="$TMP/root/opt/llm/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$TMP/root" \
            pkg-config --cflags --libs llm | sed 's/ *$//')
    check "pkg-config --cflags --libs llm" "$flags" "-I$TMP/root/opt/llm/include -lm"
    mkdir -p "$TMP/app" && cp examples/minimal.c "$TMP/app/"
    # shellcheck disable=SC2086
    if ${CC:-cc} -O1 "$TMP/app/minimal.c" $flags -o "$TMP/app/minimal" 2>"$TMP/cc.log"; then
        check "pkg-config build: output" "$("$TMP/app/minimal" models/shakespeare "ROMEO:" 2>&1)" "$want"
    else bad "pkg-config build failed: $(head -c 300 "$TMP/cc.log")"; fi
else
    echo "SKIP test_install.sh: pkg-config not installed"
fi

# README's CMake snippet, as it stands, building examples/minimal.c
if command -v cmake >/dev/null 2>&1; then
    mkdir -p "$TMP/cm"
    {
        echo "cmake_minimum_required(VERSION 3.13)"
        echo "project(llm_user C)"
        echo "set(LLM_DIR $(pwd))"
        sed -n '/^```cmake$/,/^```$/p' README.md | sed '1d;$d'
        echo "add_executable(minimal \${LLM_DIR}/examples/minimal.c)"
        echo "target_link_libraries(minimal PRIVATE llm)"
    } >"$TMP/cm/CMakeLists.txt"
    if grep -q 'add_library(llm INTERFACE)' "$TMP/cm/CMakeLists.txt" &&
       cmake -S "$TMP/cm" -B "$TMP/cm/build" -DCMAKE_C_COMPILER="${CC:-cc}" >"$TMP/cmake.log" 2>&1 &&
       cmake --build "$TMP/cm/build" >>"$TMP/cmake.log" 2>&1; then
        check "cmake build: output" "$("$TMP/cm/build/minimal" models/shakespeare "ROMEO:" 2>&1)" "$want"
        if grep -q 'OpenMP' "$TMP/cm/CMakeLists.txt"; then ok; else bad "the CMake snippet does not use OpenMP"; fi
    else bad "cmake build of README's snippet failed: $(tail -c 400 "$TMP/cmake.log")"; fi
else
    echo "SKIP test_install.sh: cmake not installed (the CMake snippet is not built)"
fi

# find_package(llm) against the installed CMake package: llm::llm builds examples/minimal.c
if command -v cmake >/dev/null 2>&1; then
    mkdir -p "$TMP/fp" && cp examples/minimal.c "$TMP/fp/"
    cfg="$TMP/root/opt/llm/lib/cmake/llm"
    if [ -f "$cfg/llmConfig.cmake" ] && [ -f "$cfg/llmConfigVersion.cmake" ]; then ok
    else bad "lib/cmake/llm/llmConfig.cmake or llmConfigVersion.cmake not installed"; fi
    {
        echo "cmake_minimum_required(VERSION 3.13)"
        echo "project(llm_find C)"
        echo "find_package(llm $ver REQUIRED)"
        echo "find_package(llm 99 QUIET)"
        echo "if(llm_FOUND)"
        echo "  message(FATAL_ERROR \"find_package(llm 99) accepted version \${llm_VERSION}\")"
        echo "endif()"
        echo "find_package(llm REQUIRED)"
        echo "add_executable(minimal minimal.c)"
        echo "target_link_libraries(minimal PRIVATE llm::llm)"
    } >"$TMP/fp/CMakeLists.txt"
    if cmake -S "$TMP/fp" -B "$TMP/fp/build" -DCMAKE_PREFIX_PATH="$TMP/root/opt/llm" \
             -DCMAKE_C_COMPILER="${CC:-cc}" >"$TMP/fp.log" 2>&1 &&
       cmake --build "$TMP/fp/build" >>"$TMP/fp.log" 2>&1; then
        check "find_package(llm) build: output" "$("$TMP/fp/build/minimal" models/shakespeare "ROMEO:" 2>&1)" "$want"
        if grep -q "opt/llm/include" "$TMP/fp/build/CMakeFiles/minimal.dir/flags.make"; then ok
        else bad "find_package(llm): the installed include folder is not used"; fi
    else bad "find_package(llm) build failed: $(tail -c 400 "$TMP/fp.log")"; fi
else
    echo "SKIP test_install.sh: cmake not installed (find_package(llm) is not built)"
fi

echo "test_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
