# llm.h - build, test and benchmark. See README.md.
#   make            build every program into build/
#   make test       build and run the test suite (ends with "N passed, N failed")
#   make CC=clang test
#   make OMP=0 test build without OpenMP
CC      ?= cc
OMP     ?= 1
OPT     ?= -O2
WARN    := -std=c99 -Wall -Wextra -Wpedantic -Werror
CFLAGS  ?= $(OPT) -g
LDLIBS  := -lm
ifeq ($(OMP),1)
  OMPFLAGS := -fopenmp
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) $(OMPFLAGS) $(EXTRA_CFLAGS) -I. -Itests
BUILD   := build

EXAMPLES := $(patsubst examples/%.c,$(BUILD)/%,$(wildcard examples/*.c))
TESTS    := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/test_*.c))
TOOLS    := $(patsubst tools/%.c,$(BUILD)/%,$(wildcard tools/*.c))

.PHONY: all test clean bench check-header
all: $(EXAMPLES) $(TESTS) $(TOOLS)

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/%: examples/%.c llm.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)
$(BUILD)/%: tests/%.c llm.h tests/test.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)
$(BUILD)/%: tools/%.c llm.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)

# The header alone: C99 with gcc/clang flags given, and as C++.
check-header: | $(BUILD)
	printf '#define LLM_IMPLEMENTATION\n#include "llm.h"\nint main(void){return 0;}\n' > $(BUILD)/header_check.c
	$(CC) $(WARN) -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CC) $(WARN) -DLLM_NO_STDIO -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o
	$(CXX) -x c++ -Wall -Wextra -Wpedantic -Werror -I. -c $(BUILD)/header_check.c -o $(BUILD)/header_check.o

test: all check-header
	@sh tests/run.sh $(TESTS)

clean:
	rm -rf $(BUILD)
