# examples/firmware: llm.h bare-metal on a Cortex-M, run in QEMU. Included
# from the Makefile; needs Debian's gcc-arm-none-eabi, libnewlib-arm-none-eabi
# (string.h, math.h, libm) and qemu-system-arm. make test does not use them.
#   make firmware        the Cortex-M7 firmware (mps2-an500) and the Cortex-M4
#                        one (mps2-an386), with their sizes: the shipped F16
#                        model with its weights in XIP (firmware.elf,
#                        firmware-m4.elf), and the 8-bit model (build/quantize
#                        of it, written to $(BUILD)/firmware/shakespeare-q8)
#                        with its weights in the 4 MiB code memory (FLASH:
#                        firmware-q8.elf, firmware-q8-m4.elf)
#   make test-firmware   run all four in QEMU and compare their tokens with the
#                        same application built for this machine and their
#                        ids with llm.h's ordinary build (host_ids.c); run
#                        tests/firmware/test_limits32.c (32-bit sizes) in QEMU
#   FW_APP_FLAGS="-DAPP_NEW_TOKENS=16 -DAPP_N_CTX=64"   other settings
FW_PREFIX   ?= arm-none-eabi-
FW_CC       ?= $(FW_PREFIX)gcc
FW_SIZE     ?= $(FW_PREFIX)size
QEMU_ARM    ?= qemu-system-arm
FW_MODEL    ?= models/shakespeare
FW_TIMEOUT  ?= 120
FW_APP_FLAGS ?=
FW_DIR      := examples/firmware
FW_BUILD    := $(BUILD)/firmware
FW_M7       := -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard
FW_M4       := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
FW_CFLAGS   := $(WARN) -O2 -g -ffunction-sections -fdata-sections $(FW_APP_FLAGS) -I. -I$(FW_DIR)
FW_SRC      := $(FW_DIR)/app.c $(FW_DIR)/mps2.c $(FW_DIR)/startup.S $(FW_DIR)/blobs.S
FW_DEPS     := $(FW_SRC) $(FW_DIR)/app.h $(FW_DIR)/mps2-sections.ld llm.h \
               $(addprefix $(FW_MODEL)/,model.safetensors config.json vocab.json merges.txt)
# -Wa,-I: where blobs.S finds the model files; -L: where the linker
# scripts find mps2-sections.ld
FW_LINK0    := -nostartfiles -L$(FW_DIR) -Wl,--gc-sections -Wl,--print-memory-usage
FW_LINK     := -Wa,-I$(FW_MODEL) $(FW_LINK0)
# The 8-bit model: quantized here from FW_MODEL; its weights go to FLASH.
FW_Q8       := $(FW_BUILD)/shakespeare-q8
FW_Q8_DEPS  := $(filter-out $(FW_MODEL)/%,$(FW_DEPS)) $(FW_Q8)/model.safetensors
FW_Q8_LINK  := -DFW_WEIGHTS_IN_FLASH -Wa,-I$(FW_Q8) $(FW_LINK0)

.PHONY: firmware test-firmware
FW_ELFS     := $(addprefix $(FW_BUILD)/,firmware.elf firmware-m4.elf firmware-q8.elf firmware-q8-m4.elf)
firmware: $(FW_ELFS)
	$(FW_SIZE) $^

$(FW_BUILD):
	@mkdir -p $(FW_BUILD)

$(FW_BUILD)/firmware.elf: $(FW_DEPS) $(FW_DIR)/mps2-an500.ld | $(FW_BUILD)
	$(FW_CC) $(FW_CFLAGS) $(FW_M7) $(FW_LINK) -T $(FW_DIR)/mps2-an500.ld -Wl,-Map=$(FW_BUILD)/firmware.map $(FW_SRC) -lm -o $@

$(FW_BUILD)/firmware-m4.elf: $(FW_DEPS) $(FW_DIR)/mps2-an386.ld | $(FW_BUILD)
	$(FW_CC) $(FW_CFLAGS) $(FW_M4) -DFW_CPU_NAME='"Cortex-M4 (QEMU mps2-an386)"' $(FW_LINK) -T $(FW_DIR)/mps2-an386.ld -Wl,-Map=$(FW_BUILD)/firmware-m4.map $(FW_SRC) -lm -o $@

FW_MODEL_FILES := $(addprefix $(FW_MODEL)/,model.safetensors config.json vocab.json merges.txt)
$(FW_Q8)/model.safetensors: $(BUILD)/quantize $(FW_MODEL_FILES)
	@mkdir -p $(FW_BUILD)
	$(BUILD)/quantize --force $(FW_MODEL) $(FW_Q8) > $(FW_BUILD)/quantize.out 2>&1 \
	    || { cat $(FW_BUILD)/quantize.out; exit 1; }
	@grep '^quantize: .*->' $(FW_BUILD)/quantize.out

$(FW_BUILD)/firmware-q8.elf: $(FW_Q8_DEPS) $(FW_DIR)/mps2-an500.ld | $(FW_BUILD)
	$(FW_CC) $(FW_CFLAGS) $(FW_M7) $(FW_Q8_LINK) -T $(FW_DIR)/mps2-an500.ld -Wl,-Map=$(FW_BUILD)/firmware-q8.map $(FW_SRC) -lm -o $@

$(FW_BUILD)/firmware-q8-m4.elf: $(FW_Q8_DEPS) $(FW_DIR)/mps2-an386.ld | $(FW_BUILD)
	$(FW_CC) $(FW_CFLAGS) $(FW_M4) -DFW_CPU_NAME='"Cortex-M4 (QEMU mps2-an386)"' $(FW_Q8_LINK) -T $(FW_DIR)/mps2-an386.ld -Wl,-Map=$(FW_BUILD)/firmware-q8-m4.map $(FW_SRC) -lm -o $@

# tests/firmware/test_limits32.c: size arithmetic on a 32-bit target.
$(FW_BUILD)/limits32.elf: tests/firmware/test_limits32.c $(FW_DIR)/startup.S $(FW_DIR)/mps2-an500.ld $(FW_DIR)/mps2-sections.ld llm.h | $(FW_BUILD)
	$(FW_CC) $(FW_CFLAGS) $(FW_M7) -nostartfiles -L$(FW_DIR) -Wl,--gc-sections -T $(FW_DIR)/mps2-an500.ld tests/firmware/test_limits32.c $(FW_DIR)/startup.S -lm -o $@

# The same application built for this machine: the reference.
$(FW_BUILD)/host_firmware: $(FW_DIR)/app.c $(FW_DIR)/host.c $(FW_DIR)/app.h llm.h | $(FW_BUILD)
	$(CC) $(WARN) -O2 -g $(FW_APP_FLAGS) -I. -I$(FW_DIR) $(FW_DIR)/app.c $(FW_DIR)/host.c -o $@ -lm

# The reference ids: llm.h's ordinary build (SIMD, OpenMP, malloc, stdio).
$(FW_BUILD)/host_ids: $(FW_DIR)/host_ids.c llm.h | $(FW_BUILD)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(LDLIBS)

# APP_PROMPT and APP_NEW_TOKENS as app.c's defaults (override both together).
FW_PROMPT   ?= ROMEO:
FW_NEW      ?= 32
test-firmware: firmware $(FW_BUILD)/host_firmware $(FW_BUILD)/host_ids $(FW_BUILD)/limits32.elf $(BUILD)/generate
	QEMU_ARM="$(QEMU_ARM)" FW_TIMEOUT=$(FW_TIMEOUT) sh $(FW_DIR)/test-firmware.sh $(FW_BUILD) $(FW_MODEL) \
	    $(BUILD)/generate "$(FW_PROMPT)" $(FW_NEW) $(FW_Q8)

# make check-embedded (a part of make test; the host compiler only): llm.h
# in the embedded configuration includes nothing but <stddef.h> <stdint.h>
# <string.h> <math.h> and the freestanding <stdarg.h> (even with OpenMP and
# -march=native flags), compiles as C99 and as C++, and the firmware
# application runs here with LLM_NO_MALLOC (it checks its own arena sizes).
EMB_DEFS := -DLLM_NO_STDIO -DLLM_NO_MALLOC -DLLM_NO_OPENMP -DLLM_NO_SIMD
.PHONY: check-embedded
check-embedded: $(FW_BUILD)/host_firmware | $(BUILD)
	@printf '#define LLM_IMPLEMENTATION\n#include "llm.h"\nint main(void){return 0;}\n' > $(BUILD)/embedded_check.c
	$(CC) $(WARN) $(EMB_DEFS) $(ARCHFLAGS) $(OMPFLAGS) -I. -c $(BUILD)/embedded_check.c -o $(BUILD)/embedded_check.o
	$(CXX) -x c++ -Wall -Wextra -Wpedantic -Werror $(EMB_DEFS) -I. -c $(BUILD)/embedded_check.c -o $(BUILD)/embedded_check.o
	@incs=$$($(CC) $(WARN) $(EMB_DEFS) $(ARCHFLAGS) $(OMPFLAGS) -I. -H -c $(BUILD)/embedded_check.c -o $(BUILD)/embedded_check.o 2>&1 \
	        | sed -n 's/^\.\. //p' | sed 's|.*/||' | sort -u | tr '\n' ' '); \
	echo "check-embedded: llm.h includes $$incs"; \
	for h in $$incs; do case $$h in stddef.h|stdint.h|string.h|math.h|stdarg.h) ;; \
	    *) echo "check-embedded: FAIL: llm.h includes $$h in the embedded configuration"; exit 1;; esac; done
	@$(FW_BUILD)/host_firmware $(FW_MODEL) > $(FW_BUILD)/host-check.out 2>&1 && grep -q '^ids:' $(FW_BUILD)/host-check.out \
	    || { cat $(FW_BUILD)/host-check.out; echo "check-embedded: FAIL: $(FW_BUILD)/host_firmware"; exit 1; }
	@echo "check-embedded: LLM_NO_MALLOC application ok ($(FW_BUILD)/host-check.out)"

test: check-embedded
