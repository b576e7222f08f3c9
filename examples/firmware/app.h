/* The firmware's application (app.c) and what a platform gives it.
   app.c is plain C99 on llm.h built with LLM_NO_STDIO, LLM_NO_MALLOC,
   LLM_NO_OPENMP and LLM_NO_SIMD; startup.S and mps2.c run it on a Cortex-M
   (QEMU mps2-an500 / mps2-an386, output through semihosting) and host.c on the build machine,
   so that the two runs can be compared token for token. */
#ifndef APP_H
#define APP_H
#include <stddef.h>
#include <stdint.h>

typedef struct app_blobs {
    const unsigned char *model; size_t model_len;   /* model.safetensors */
    const char *config; size_t config_len;          /* config.json */
    const char *vocab; size_t vocab_len;            /* vocab.json */
    const char *merges; size_t merges_len;          /* merges.txt */
} app_blobs;

/* Provided by the platform. */
void plat_write(const char *s, size_t n);
uint64_t plat_ticks(void);          /* a monotonic counter ... */
uint32_t plat_tick_hz(void);        /* ... of this many ticks a second */
const char *plat_name(void);

/* Loads the model, tokenizer, session and sampler into arena[0..arena_len),
   generates greedily and prints a report. Returns 0 on success. */
int app_run(const app_blobs *b, void *arena, size_t arena_len);
#endif
