# tests/fuzz/fuzz.mk - fuzzing, sanitizer and valgrind runs of llm.h.
# Included by the main Makefile (`include tests/fuzz/fuzz.mk`, after CC,
# WARN, BUILD, TESTS, LDLIBS and OMPFLAGS are set). Run from the repository
# root: tests and harnesses find their data by relative paths.
#
#   make fuzz [FUZZ_SECONDS=60]  each libFuzzer target for FUZZ_SECONDS (clang)
#   make fuzz-json ...           one target (fuzz-<name>); make -j2 fuzz runs two at once
#   make fuzz-replay             harnesses + tests/fuzz/standalone_main.c under
#                                ASan + UBSan ($(CC), or gcc if $(CC) cannot):
#                                every seed and saved crash (fast: for make test)
#   make sanitize                every test program under ASan + UBSan (build-san/)
#   make valgrind                every test program under valgrind memcheck, then
#                                the harnesses (no sanitizers) on every seed and
#                                saved crash under valgrind (uninitialised reads)
#   make tsan                    the server, test_server, test_generator and
#                                test_prefix_cache under TSan (build-tsan/, no OpenMP)
#
# Targets: tests/fuzz/fuzz_<name>.c; seeds: tests/fuzz/corpus/<name>/ (made
# by tests/fuzz/make_seeds.py); crashes kept as tests/fuzz/regressions/<name>/.
# libFuzzer's growing corpus and any crash files go to $(BUILD)/fuzz/.

FUZZ_DIR     := tests/fuzz
FUZZ_TARGETS := $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   ?= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_NICE    ?= nice -n 10
FUZZ_OPTIONS ?= -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
FUZZ_OUT     := $(BUILD)/fuzz
FUZZ_DEPS    := llm.h $(FUZZ_DIR)/fuzz_common.h
# per target: the largest input, and a dictionary
FUZZ_MAXLEN_model         := 65536
FUZZ_MAXLEN_safetensors   := 16384
FUZZ_MAXLEN_vocab         := 16384
FUZZ_MAXLEN_wordpiece     := 16384
FUZZ_MAXLEN_tokenizer_json := 16384
FUZZ_MAXLEN_encode        := 20000
FUZZ_MAXLEN_generate_args := 1024
FUZZ_MAXLEN_generate_text := 1024
FUZZ_DICT_json            := $(FUZZ_DIR)/json.dict
FUZZ_DICT_safetensors     := $(FUZZ_DIR)/json.dict
FUZZ_DICT_config          := $(FUZZ_DIR)/json.dict
FUZZ_DICT_index           := $(FUZZ_DIR)/json.dict
FUZZ_DICT_generation_config := $(FUZZ_DIR)/json.dict
FUZZ_DICT_chat            := $(FUZZ_DIR)/json.dict
FUZZ_DICT_model           := $(FUZZ_DIR)/json.dict
FUZZ_DICT_vocab           := $(FUZZ_DIR)/json.dict
FUZZ_DICT_wordpiece       := $(FUZZ_DIR)/json.dict
FUZZ_DICT_tokenizer_json  := $(FUZZ_DIR)/json.dict
FUZZ_DICT_encode          := $(FUZZ_DIR)/text.dict
FUZZ_DICT_generate_text   := $(FUZZ_DIR)/text.dict
FUZZ_DICT_http            := $(FUZZ_DIR)/http.dict
FUZZ_MAXLEN_http          := 8192
# per target extra compiler flags, e.g. FUZZ_CFLAGS_generate_text=-DFUZZ_PAD_VOCAB=0

SAN_FLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=all -g -O1
# gcc's -Wmaybe-uninitialized depends on the optimisation level and the
# sanitizer instrumentation (false positives at -O1 that -O2 does not
# give): a warning, not an error, in these builds (where the compiler has it)
# (probed once, when first needed: $(eval) caches the answer)
SAN_WARN      = $(eval SAN_WARN := $(WARN) $(shell echo 'int x;' | $(CC) -Werror -Wno-error=maybe-uninitialized -x c -c -o /dev/null - 2>/dev/null && echo -Wno-error=maybe-uninitialized))$(SAN_WARN)
# fuzz-replay's compiler: $(CC) if it can link ASan + UBSan programs (clang
# needs libclang-rt-*-dev), else gcc
REPLAY_CC     = $(eval REPLAY_CC := $(shell echo 'int main(void){return 0;}' | $(CC) -fsanitize=address,undefined -x c - -o /dev/null 2>/dev/null && echo $(CC) || echo gcc))$(REPLAY_CC)
SAN_BUILD    := build-san
SAN_TESTS    := $(patsubst $(BUILD)/%,$(SAN_BUILD)/%,$(TESTS))
REPLAY_OUT   := $(BUILD)/fuzz-replay
PLAIN_OUT    := $(BUILD)/fuzz-plain
VALGRIND     ?= valgrind
VALGRIND_FLAGS ?= --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 --suppressions=$(FUZZ_DIR)/valgrind.supp
SAN_ENV      := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

.PHONY: fuzz fuzz-build fuzz-replay fuzz-replay-build sanitize valgrind

# ---- libFuzzer ----------------------------------------------------------------
$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(FUZZ_OUT)
	$(FUZZ_CC) $(WARN) $(FUZZ_FLAGS) $(FUZZ_CFLAGS_$*) -I. $< -o $@ $(LDLIBS)
$(FUZZ_OUT)/fuzz_generate_args: examples/generate.c examples/cli.h
$(FUZZ_OUT)/fuzz_http: examples/server_http.h
$(FUZZ_OUT)/fuzz_cli: examples/cli.h
$(FUZZ_OUT)/fuzz_chat: tests/byte_vocab.h
$(FUZZ_OUT)/fuzz_generate_text $(FUZZ_OUT)/fuzz_config: tests/st_builder.h

fuzz-build: $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))

# one target: libFuzzer's corpus in $(FUZZ_OUT)/corpus/<name>, seeded from
# the committed corpus and regressions (read only)
fuzz-%: $(FUZZ_OUT)/fuzz_%
	@mkdir -p $(FUZZ_OUT)/corpus/$* $(FUZZ_OUT)/artifacts/$*
	$(FUZZ_NICE) $< -max_total_time=$(FUZZ_SECONDS) $(FUZZ_OPTIONS) -max_len=$(or $(FUZZ_MAXLEN_$*),4096) \
	  $(if $(FUZZ_DICT_$*),-dict=$(FUZZ_DICT_$*)) -artifact_prefix=$(FUZZ_OUT)/artifacts/$*/ \
	  $(FUZZ_OUT)/corpus/$* $(FUZZ_DIR)/corpus/$* $(wildcard $(FUZZ_DIR)/regressions/$*) \
	  2>&1 | tee $(FUZZ_OUT)/$*.log | grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+DONE|stat::|Done |==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|FUZZ_CHECK)'; \
	  st=$$(grep -c -E 'Test unit written|^SUMMARY' $(FUZZ_OUT)/$*.log); [ "$$st" -eq 0 ] || { echo "fuzz-$*: FAILED, see $(FUZZ_OUT)/$*.log"; exit 1; }

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

# ---- replay (any compiler: standalone main instead of libFuzzer) ---------------
$(REPLAY_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/standalone_main.c $(FUZZ_DEPS)
	@mkdir -p $(REPLAY_OUT)
	$(REPLAY_CC) $(SAN_WARN) $(SAN_FLAGS) $(FUZZ_CFLAGS_$*) -I. $< $(FUZZ_DIR)/standalone_main.c -o $@ $(LDLIBS)
$(REPLAY_OUT)/fuzz_generate_args: examples/generate.c examples/cli.h
$(REPLAY_OUT)/fuzz_http: examples/server_http.h
$(REPLAY_OUT)/fuzz_cli: examples/cli.h
$(REPLAY_OUT)/fuzz_chat: tests/byte_vocab.h
$(REPLAY_OUT)/fuzz_generate_text $(REPLAY_OUT)/fuzz_config: tests/st_builder.h

fuzz-replay-build: $(addprefix $(REPLAY_OUT)/fuzz_,$(FUZZ_TARGETS))

fuzz-replay: fuzz-replay-build
	@sh $(FUZZ_DIR)/replay.sh $(REPLAY_OUT) $(FUZZ_TARGETS)

# the same without sanitizers, for valgrind
$(PLAIN_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/standalone_main.c $(FUZZ_DEPS)
	@mkdir -p $(PLAIN_OUT)
	$(CC) $(WARN) -g -O1 $(FUZZ_CFLAGS_$*) -I. $< $(FUZZ_DIR)/standalone_main.c -o $@ $(LDLIBS)
$(PLAIN_OUT)/fuzz_generate_args: examples/generate.c examples/cli.h
$(PLAIN_OUT)/fuzz_http: examples/server_http.h
$(PLAIN_OUT)/fuzz_cli: examples/cli.h
$(PLAIN_OUT)/fuzz_chat: tests/byte_vocab.h
$(PLAIN_OUT)/fuzz_generate_text $(PLAIN_OUT)/fuzz_config: tests/st_builder.h

# ---- the test suite under ASan + UBSan, and under valgrind -------------------
# (the implementation compiled once, as in the default build: SELF_CONTAINED in the Makefile)
SAN_CFLAGS    = $(SAN_WARN) $(SAN_FLAGS) $(ARCHFLAGS) $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests
$(SAN_BUILD)/llm.o: llm.h
	@mkdir -p $(SAN_BUILD)
	printf '#define LLM_IMPLEMENTATION\n#include "llm.h"\n' > $(SAN_BUILD)/llm.c
	$(CC) $(SAN_CFLAGS) -c $(SAN_BUILD)/llm.c -o $@
$(addprefix $(SAN_BUILD)/,$(SELF_CONTAINED)): $(SAN_BUILD)/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(SAN_BUILD)
	$(CC) $(SAN_CFLAGS) $< -o $@ $(LDLIBS)
$(SAN_BUILD)/%: tests/%.c llm.h tests/test.h $(SAN_BUILD)/llm.o
	$(CC) $(SAN_CFLAGS) $(LINK) $< $(SAN_BUILD)/llm.o -o $@ $(LDLIBS)

# the HTTP server too (test_server runs the one beside it)
$(SAN_BUILD)/server: examples/server.c examples/server_http.h examples/cli.h llm.h $(BUILD)/server_page.h \
                    $(SAN_BUILD)/llm.o
	$(CC) $(SAN_CFLAGS) -I$(BUILD) $(LINK) $< $(SAN_BUILD)/llm.o -o $@ $(LDLIBS) -lpthread
$(SAN_BUILD)/test_server: tests/server_client.h examples/server_http.h
$(SAN_BUILD)/test_alloc: tests/st_builder.h
$(SAN_BUILD)/test_chat: tests/byte_vocab.h
SAN_SERVER := $(if $(filter $(BUILD)/server,$(EXAMPLES)),$(SAN_BUILD)/server)

sanitize: $(SAN_TESTS) $(SAN_SERVER)
	@$(SAN_ENV) sh tests/run.sh $(SAN_TESTS)

# ---- the server's threads and the generator under ThreadSanitizer -----------
# make tsan: build/server, test_server, test_generator and test_prefix_cache
# built with -fsanitize=thread into build-tsan/ and run (test_server drives
# the tsan server: its connection threads and scheduler). Without OpenMP:
# libgomp is not built with TSan, so its barriers would be reported as races.
TSAN_BUILD   := build-tsan
TSAN_FLAGS   := -fsanitize=thread -g -O1
TSAN_TESTS   := $(TSAN_BUILD)/test_generator $(TSAN_BUILD)/test_prefix_cache
TSAN_TESTS   += $(if $(filter $(BUILD)/server,$(EXAMPLES)),$(TSAN_BUILD)/test_server)
$(TSAN_BUILD)/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(TSAN_BUILD)
	$(CC) $(SAN_WARN) $(TSAN_FLAGS) $(ARCHFLAGS) $(EXTRA_CFLAGS) -I. -Itests $< -o $@ $(LDLIBS)
$(TSAN_BUILD)/server: examples/server.c examples/server_http.h examples/cli.h llm.h $(BUILD)/server_page.h
	@mkdir -p $(TSAN_BUILD)
	$(CC) $(SAN_WARN) $(TSAN_FLAGS) $(ARCHFLAGS) $(EXTRA_CFLAGS) -I. -I$(BUILD) $< -o $@ $(LDLIBS) -lpthread
$(TSAN_BUILD)/test_server: tests/server_client.h examples/server_http.h $(TSAN_BUILD)/server $(BUILD)/generate
.PHONY: tsan
tsan: $(TSAN_TESTS)
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" sh tests/run.sh $(TSAN_TESTS)

# valgrind cannot run AVX-512 code: the test programs are built again
# without -march=native (portable kernels) into $(VG_BUILD)
VG_BUILD     := $(BUILD)/valgrind
VG_TESTS     := $(patsubst $(BUILD)/%,$(VG_BUILD)/%,$(TESTS))
$(VG_BUILD)/%: tests/%.c llm.h tests/test.h
	@mkdir -p $(VG_BUILD)
	$(CC) $(WARN) $(CFLAGS) $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests $< -o $@ $(LDLIBS)
$(VG_BUILD)/test_alloc: tests/st_builder.h
$(VG_BUILD)/test_chat: tests/byte_vocab.h

valgrind: $(VG_TESTS) $(addprefix $(PLAIN_OUT)/fuzz_,$(FUZZ_TARGETS))
	@VALGRIND="$(VALGRIND)" VALGRIND_FLAGS="$(VALGRIND_FLAGS)" sh $(FUZZ_DIR)/valgrind.sh $(VG_TESTS); a=$$?; \
	FUZZ_REPLAY_WRAPPER="$(VALGRIND) $(VALGRIND_FLAGS)" sh $(FUZZ_DIR)/replay.sh $(PLAIN_OUT) $(FUZZ_TARGETS); b=$$?; \
	[ $$a -eq 0 ] && [ $$b -eq 0 ]
