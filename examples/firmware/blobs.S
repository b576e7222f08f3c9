/* The model files, linked in as they are (.incbin; the assembler finds them
   through -I, see firmware.mk). The weights go to .weights, which the
   linker script places in the region that stands in for memory-mapped
   external flash, or, built with -DFW_WEIGHTS_IN_FLASH (the 8-bit model,
   which fits), into the code memory (FLASH) with the read-only data; the
   small text files go with the other read-only data. */
#ifdef FW_WEIGHTS_IN_FLASH
    .section .rodata.fw_weights, "a"
#else
    .section .weights, "a"
#endif
    .balign 64
    .global fw_model, fw_model_end
fw_model:
    .incbin "model.safetensors"
fw_model_end:

    .section .rodata.fw_blobs, "a"
    .global fw_config, fw_config_end, fw_vocab, fw_vocab_end, fw_merges, fw_merges_end
fw_config:
    .incbin "config.json"
fw_config_end:
fw_vocab:
    .incbin "vocab.json"
fw_vocab_end:
fw_merges:
    .incbin "merges.txt"
fw_merges_end:
    .balign 4
