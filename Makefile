# llm.h - build, test and benchmark. See README.md.
#   make                 build every program into build/
#   make run             generate Shakespeare from the shipped model (PROMPT="...")
#   make test            build and run the test suite (ends with "N passed, N failed"); make and
#                        make test build on all cores unless -j is given (-j1: one job)
#   make CC=clang test
#   make OMP=0 test      build without OpenMP
#   make NATIVE=0 test   portable build (no -march=native: the scalar kernels)
#   make bench           speed on GPT-2 124M- and medium-shaped models (tools/bench/bench.c)
#   make bench-batch     several sequences at once vs one (tools/bench/bench_batch.c; also run by make bench)
#   make bench-tokenizer tokenizer speed on ../shared/data/text/bench.txt
#   make bench-server    build/server: prefix cache, a long prompt's stall, 1/4/8 clients
#   make bench-ttft      time to the first token of a fresh process: load, session, first pass, compute
#   make sanitize        the test programs under ASan + UBSan
#   make tsan            the server, test_server, test_generator, test_prefix_cache under TSan (OMP off)
#   make valgrind        the test programs under valgrind memcheck
#   make fuzz            every fuzz target for FUZZ_SECONDS (clang + libFuzzer)
#   make bench-wait      generate's speed on busy and idle cores per OpenMP wait policy
#   make bench-ggml      8-bit and F16 speed beside ggml's examples/gpt-2 (GGML_DIR=ggml's build folder)
#   make bench-llamacpp  F32/F16/BF16/8-bit speed beside llama.cpp's llama-bench (LLAMA_DIR=its build folder)
#   make install         llm.h, the programs (llm-generate, ...), llm.pc and the CMake package (PREFIX, DESTDIR)
#   make uninstall
#   make firmware        the Cortex-M7/M4 firmware (examples/firmware, arm-none-eabi-gcc)
#   make test-firmware   run it in QEMU and compare its tokens with the host's
CC      ?= cc
CXX     ?= c++
OMP     ?= 1
NATIVE  ?= 1
OPT     ?= -O2
WARN    := -std=c99 -Wall -Wextra -Wpedantic -Werror
CFLAGS  ?= $(OPT) -g
LDLIBS  := -lm
ifeq ($(OMP),1)
  OMPFLAGS := -fopenmp
endif
ifeq ($(NATIVE),1)
  ARCHFLAGS := -march=native
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) $(ARCHFLAGS) $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests
BUILD   := build

# make, make all and make test build on every core unless -j is given, on the command line or in
# the environment's MAKEFLAGS (GNU make 4.3 does not show the command line's -j while it reads this
# file, but a -j there overrides this one). Only the top-level make: a sub-make shares its jobserver.
NPROC := $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
ifeq ($(MAKELEVEL),0)
  ifeq ($(filter-out all test check-header,$(MAKECMDGOALS)),)
    ifeq ($(findstring j,$(shell printf '%s' "$$MAKEFLAGS")),)
      MAKEFLAGS += -j$(NPROC)
    endif
  endif
  ifneq ($(filter test,$(MAKECMDGOALS)),)
    $(info make test: builds every program and test on all $(NPROC) cores unless -j says otherwise, then)
    $(info runs the suite: about 4 minutes on an idle 2-core machine. The last line is N passed, N failed.)
  endif
endif

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))
TESTS    := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/test_*.c))
TOOLS    := $(patsubst %.c,$(BUILD)/%,$(notdir $(wildcard tools/bench/*.c tools/convert/*.c)))
SCRIPTS  := tests/test_tokenize.sh tests/test_cli.sh tests/test_beam_cli.sh tests/test_lowlevel.sh tests/test_stream.sh
SCRIPTS  += tests/test_quantize.sh tests/test_heads_cli.sh
# the repository's own checks: the same with any compiler, OMP or NATIVE setting (EXTRAS below)
REPO_SCRIPTS := tests/test_install.sh tests/test_map.sh tests/test_download.sh tests/test_repo.sh tests/test_page.sh
HAVE_POSIX := $(shell printf '\043include <pthread.h>\n\043include <sys/socket.h>\n\043include <poll.h>\n' | \
                $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
ifneq ($(HAVE_POSIX),1)
  EXAMPLES := $(filter-out $(BUILD)/server,$(EXAMPLES))
  TESTS    := $(filter-out $(BUILD)/test_server,$(TESTS))
  TOOLS    := $(filter-out $(BUILD)/bench_server,$(TOOLS))
  REPO_SCRIPTS := $(filter-out tests/test_page.sh,$(REPO_SCRIPTS))
  $(info make: build/server skipped: no POSIX sockets and threads (pthread.h, sys/socket.h, poll.h) here)
endif

.PHONY: all test clean bench bench-batch bench-tokenizer bench-server bench-wait check-header run install uninstall
.PHONY: bench-ggml bench-llamacpp bench-ttft
all: $(EXAMPLES) $(TESTS) $(TOOLS)

$(BUILD):
	@mkdir -p $(BUILD)

# The implementation is compiled once per build, into $(BUILD)/llm.o: the programs and the tests
# that use only the public API are compiled with -DLLM_NO_IMPLEMENTATION and linked with it
# (each is still one file that defines LLM_IMPLEMENTATION, as a user would write it). The tests
# that reach private parts (llm__*) or set their own LLM_ configuration macros compile all of
# llm.h themselves: SELF_CONTAINED.
SELF_CONTAINED := test_alloc test_embedded test_json test_kernels test_model test_safetensors test_shards \
                  test_tokenizer
LIB := $(BUILD)/llm.o
LINK := -DLLM_NO_IMPLEMENTATION
$(LIB): llm.h | $(BUILD)
	printf '#define LLM_IMPLEMENTATION\n#include "llm.h"\n' > $(BUILD)/llm.c
	$(CC) $(ALL_CFLAGS) -c $(BUILD)/llm.c -o $@

$(addprefix $(BUILD)/,$(SELF_CONTAINED)): $(BUILD)/%: tests/%.c llm.h tests/test.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)
$(BUILD)/%: examples/%.c llm.h examples/cli.h $(LIB) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LINK) $< $(LIB) -o $@ $(LDLIBS)
$(BUILD)/%: tests/%.c llm.h tests/test.h $(LIB) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LINK) $< $(LIB) -o $@ $(LDLIBS)
# bench_int8 times llm.h's private 8-bit product (llm__matmul) alone
$(BUILD)/bench_int8: tools/bench/bench_int8.c tools/bench/bench_util.h llm.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)
$(BUILD)/%: tools/bench/%.c tools/bench/bench_util.h llm.h $(LIB) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LINK) $< $(LIB) -o $@ $(LDLIBS)
$(BUILD)/%: tools/convert/%.c llm.h $(LIB) | $(BUILD)
	$(CC) $(ALL_CFLAGS) $(LINK) $< $(LIB) -o $@ $(LDLIBS)
$(BUILD)/quantize: examples/cli.h

# build/server (examples/server.c): POSIX sockets and threads (HAVE_POSIX
# above; without them it and its test are skipped with a message).
ifeq ($(HAVE_POSIX),1)
$(BUILD)/server: examples/server.c examples/server_http.h examples/cli.h llm.h $(BUILD)/server_page.h $(LIB) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -I$(BUILD) $(LINK) $< $(LIB) -o $@ $(LDLIBS) -lpthread
endif
# the page it serves at GET / (examples/server_page.html), as a C array written by tools/bin2c.c
$(BUILD)/bin2c: tools/bin2c.c | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) $< -o $@
$(BUILD)/server_page.h: examples/server_page.html $(BUILD)/bin2c
	$(BUILD)/bin2c server_page $< $@
$(BUILD)/test_server $(BUILD)/bench_server: tests/server_client.h examples/server_http.h
$(BUILD)/test_alloc: tests/st_builder.h
$(BUILD)/test_chat: tests/byte_vocab.h

# make bench-server: build/server on the 124M-shaped F16 checkpoint of make
# bench (written first if absent), 2 threads: (a) 8 clients sharing a
# 500-token system prompt, prefix cache on vs off; (b) the longest gap in
# running streams when a 900-token prompt arrives vs its prefill alone; (c)
# 1, 4 and 8 clients' tokens/s; each with the issue's target, met or not.
# BENCH_SERVER_ARGS: e.g. --tokens 64 --runs 5 --threads 4
bench-server: $(BUILD)/server $(BUILD)/bench_server $(BUILD)/bench_native
	$(BUILD)/bench_server $(BENCH_SERVER_ARGS)

# The header alone: C99 with gcc/clang flags given, and as C++ (also optimised
# for this CPU, where GCC 12 once warned about the AVX-512 paths).
check-header: | $(BUILD)
	printf '#define LLM_IMPLEMENTATION\n#include "llm.h"\nint main(void){return 0;}\n' > $(BUILD)/header_check.c
	$(CC) $(WARN) -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CC) $(WARN) -DLLM_NO_STDIO -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CC) $(WARN) -DLLM_NO_MALLOC -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CC) $(WARN) -DLLM_NO_SIMD -march=native -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CXX) -x c++ -Wall -Wextra -Wpedantic -Werror -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CXX) -x c++ -O2 -march=native $(OMPFLAGS) -Wall -Wextra -Werror -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CXX) -x c++ -O3 -march=native $(OMPFLAGS) -Wall -Wextra -Werror -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	if command -v clang++ >/dev/null 2>&1; then \
	  clang++ -x c++ -O2 -march=native -Wall -Wextra -Werror -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o; fi
	if command -v clang >/dev/null 2>&1; then \
	  clang $(WARN) -O2 -march=native -Wconditional-uninitialized -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o; fi

# On an x86 CPU with AVX2 whose default build takes the AVX-512 kernels,
# the logits tests run a second time built for AVX2 (so both SIMD paths meet
# the reference); NATIVE=0 tests the portable scalar kernels everywhere.
AVX2_TESTS :=
ifeq ($(NATIVE),1)
  ifneq ($(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && grep -qw avx2 /proc/cpuinfo && echo y),)
    AVX2_TESTS := $(BUILD)/avx2/test_model $(BUILD)/avx2/test_shakespeare $(BUILD)/avx2/test_kernels
    # and where the CPU has AVX-VNNI, the kernel tests on its 256-bit int8
    # dot products (the AVX2 build without AVX-512)
    ifneq ($(shell grep -qw avx_vnni /proc/cpuinfo 2>/dev/null && echo y),)
      AVX2_TESTS += $(BUILD)/avxvnni/test_kernels
    endif
  endif
endif
# The kernel tests also run on the scalar kernels (LLM_NO_SIMD) in every build.
SCALAR_TESTS := $(BUILD)/scalar/test_kernels
$(BUILD)/scalar/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(BUILD)/scalar
	$(CC) $(ALL_CFLAGS) -DLLM_NO_SIMD $< -o $@ $(LDLIBS)
$(BUILD)/avx2/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(BUILD)/avx2
	$(CC) $(WARN) $(CFLAGS) -mavx2 -mfma -mf16c $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests $< -o $@ $(LDLIBS)
$(BUILD)/avxvnni/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(BUILD)/avxvnni
	$(CC) $(WARN) $(CFLAGS) -mavx2 -mfma -mf16c -mavxvnni $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests $< -o $@ $(LDLIBS)

# The test programs, the CLI scripts, the repository's checks and every fuzz seed and saved crash
# replayed under ASan + UBSan. EXTRAS=0 leaves out check-header, the repository's checks
# (REPO_SCRIPTS) and the fuzz replay, which are the same with any compiler, OMP or NATIVE setting
# (.ci/run's clang and portable builds set it after the default build has run them).
EXTRAS ?= 1
ifeq ($(EXTRAS),1)
  TEST_EXTRAS := check-header fuzz-replay-build
  TEST_RUNS := $(REPO_SCRIPTS) tests/fuzz/replay.sh
endif
test: all $(TEST_EXTRAS) $(AVX2_TESTS) $(SCALAR_TESTS)
	@FUZZ_REPLAY_DIR=$(REPLAY_OUT) sh tests/run.sh $(TEST_RUNS) $(TESTS) $(AVX2_TESTS) $(SCALAR_TESTS) $(SCRIPTS)

# make run: the shipped Tiny Shakespeare model (models/shakespeare).
PROMPT ?= ROMEO:
RUN_ARGS ?= --max-new-tokens 200 --temperature 0.8 --top-k 40
run: $(BUILD)/generate
	$(BUILD)/generate -m models/shakespeare -p "$(PROMPT)" $(RUN_ARGS)

# make bench: llm.h on a GPT-2 124M-shaped model against this machine's
# limits and PyTorch (tools/bench/bench.c, tools/bench/bench_torch.py); always built for
# this CPU. BENCH_ARGS: e.g. --threads 2 --runs 7 --no-torch
$(BUILD)/bench_native: tools/bench/bench.c tools/bench/bench_util.h llm.h | $(BUILD)
	$(CC) $(WARN) -O2 -march=native $(OMPFLAGS) $(EXTRA_CFLAGS) -I. $< -o $@ $(LDLIBS)
$(BUILD)/bench_batch: tools/bench/bench_batch.c tools/bench/bench_util.h llm.h | $(BUILD)
	$(CC) $(WARN) -O2 -march=native $(OMPFLAGS) $(EXTRA_CFLAGS) -I. $< -o $@ $(LDLIBS)
bench: $(BUILD)/bench_native $(BUILD)/bench_batch $(BUILD)/quantize
	$(BUILD)/bench_native $(BENCH_ARGS)
	$(BUILD)/bench_batch $(BENCH_BATCH_ARGS)
# make bench-batch: only the several-sequences table (tools/bench/bench_batch.c:
# llm_generate with num_return_sequences 1, 2, 5, 8 on the 124M-shaped F32
# and F16 checkpoints, written first if absent). BENCH_BATCH_ARGS: e.g.
# --threads 2 --runs 7 --rows
bench-batch: $(BUILD)/bench_native $(BUILD)/bench_batch
	$(BUILD)/bench_native --write-only
	$(BUILD)/bench_batch $(BENCH_BATCH_ARGS)
# make bench-ttft: time to the first token of a fresh process, split into load, session, first forward pass and
# warm compute, lazy vs prefault (tools/bench/bench_ttft.c). BENCH_TTFT_ARGS: e.g. --runs 9 --tokens 512 --formats q8
$(BUILD)/bench_ttft: tools/bench/bench_ttft.c tools/bench/bench_util.h llm.h | $(BUILD)
	$(CC) $(WARN) -O2 -march=native $(OMPFLAGS) $(EXTRA_CFLAGS) \
	  -DBENCH_COMMIT='"$(shell git describe --always --dirty 2>/dev/null || echo unknown)"' -I. $< -o $@ $(LDLIBS)
bench-ttft: $(BUILD)/bench_native $(BUILD)/bench_ttft $(BUILD)/quantize
	$(BUILD)/bench_native --write-only
	$(BUILD)/bench_ttft $(BENCH_TTFT_ARGS)
bench-tokenizer: $(BUILD)/bench_tokenizer
	$(BUILD)/bench_tokenizer $(BENCH_TOKENIZER_ARGS)

bench-wait: $(BUILD)/generate $(BUILD)/bench_native
	sh tools/bench/bench_wait.sh
	MODEL=124m sh tools/bench/bench_wait.sh
# make bench-ggml: tools/bench/bench_ggml.sh (docs/speed.md, "Side by side with ggml"); skips without GGML_DIR
bench-ggml: $(BUILD)/bench_native $(BUILD)/quantize $(BUILD)/generate
	sh tools/bench/bench_ggml.sh
# make bench-llamacpp: tools/bench/bench_llamacpp.sh (docs/speed.md, "Side by side with llama.cpp"); skips without LLAMA_DIR
bench-llamacpp: $(BUILD)/bench_native $(BUILD)/quantize $(BUILD)/generate
	sh tools/bench/bench_llamacpp.sh

# make install: the header, the programs (as llm-generate, llm-score,
# llm-chat, llm-tokenize, llm-server, llm-quantize: built as configured,
# -march=native by default), a pkg-config file (lib/pkgconfig/llm.pc) and a
# CMake package (lib/cmake/llm: find_package(llm), target llm::llm), under
# $(DESTDIR)$(PREFIX)
PREFIX  ?= /usr/local
VERSION := $(shell sed -n 's/^\#define LLM_VERSION_STRING "\(.*\)"$$/\1/p' llm.h)
INSTALL_PROGRAMS := generate score chat tokenize quantize classify embed
ifeq ($(HAVE_POSIX),1)
  INSTALL_PROGRAMS += server
endif
INSTALL_CMAKE := $(DESTDIR)$(PREFIX)/lib/cmake/llm
install: $(addprefix $(BUILD)/,$(INSTALL_PROGRAMS))
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(INSTALL_CMAKE)
	install -m 644 llm.h $(DESTDIR)$(PREFIX)/include/llm.h
	for p in $(INSTALL_PROGRAMS); do install -m 755 $(BUILD)/$$p $(DESTDIR)$(PREFIX)/bin/llm-$$p || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/llm.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/llm.pc
	sed -e 's|@VERSION@|$(VERSION)|' tools/llmConfig.cmake.in >$(INSTALL_CMAKE)/llmConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|' tools/llmConfigVersion.cmake.in >$(INSTALL_CMAKE)/llmConfigVersion.cmake
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/llm.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/llm.pc
	rm -f $(INSTALL_CMAKE)/llmConfig.cmake $(INSTALL_CMAKE)/llmConfigVersion.cmake
	-rmdir $(INSTALL_CMAKE) 2>/dev/null
	for p in $(INSTALL_PROGRAMS); do rm -f $(DESTDIR)$(PREFIX)/bin/llm-$$p; done

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(TSAN_BUILD)

include tests/fuzz/fuzz.mk
include examples/firmware/firmware.mk
