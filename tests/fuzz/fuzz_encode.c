/* Fuzz target: llm_tokenizer_encode with the real GPT-2 vocabulary
   (tests/data/gpt2-tokenizer, loaded once). The first input byte picks the
   flags (bit 0: LLM_TOKENIZE_SPECIAL; bit 1: encode with both settings);
   the rest is the text, any bytes. Checks decode(encode(x)) == x, the
   counting call, the buffer-too-small contract, that plain encoding never
   produces <|endoftext|>, and that the streaming decoder gives the same
   bytes as llm_tokenizer_decode. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

static void check_stream(const llm_tokenizer *t, const int32_t *ids, size_t n, const char *text, size_t len) {
    llm_decoder d;
    char piece[1100];
    size_t at = 0, i, np;
    char *out = (char *)malloc(len + 8);
    FUZZ_CHECK(out != NULL, "malloc");
    llm_decoder_init(&d);
    for (i = 0; i < n; i++) {
        llm_status r = llm_decoder_push(&d, t, ids[i], piece, sizeof piece, &np);
        FUZZ_CHECK(r == LLM_OK && np <= sizeof piece && at + np <= len, "push %zu: %s", i, llm_status_string(r));
        memcpy(out + at, piece, np);
        at += np;
    }
    np = llm_decoder_flush(&d, piece, sizeof piece);
    FUZZ_CHECK(np <= 3 && at + np <= len, "flush %zu", np);
    memcpy(out + at, piece, np);
    at += np;
    FUZZ_CHECK(at == len && !memcmp(out, text, len), "streamed text differs (%zu of %zu bytes)", at, len);
    free(out);
}

static void run(const llm_tokenizer *t, const char *text, size_t len, unsigned flags) {
    int32_t *ids = (int32_t *)malloc((len + 1) * sizeof(int32_t));
    size_t n = 0, i;
    llm_status r;
    FUZZ_CHECK(ids != NULL, "malloc");
    fuzz_check_roundtrip(t, text, len, flags);
    r = llm_tokenizer_encode(t, text, len, flags, ids, len + 1, &n);
    FUZZ_CHECK(r == LLM_OK, "encode: %s", llm_status_string(r));
    if (!(flags & LLM_TOKENIZE_SPECIAL))
        for (i = 0; i < n; i++) FUZZ_CHECK(ids[i] != llm_tokenizer_eot(t), "plain encoding produced <|endoftext|> at %zu", i);
    check_stream(t, ids, n, text, len);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const llm_tokenizer *t = fuzz_gpt2();
    unsigned mode;
    if (size == 0) return 0;
    mode = data[0];
    run(t, (const char *)data + 1, size - 1, mode & 1u);
    if (mode & 2u) run(t, (const char *)data + 1, size - 1, (mode & 1u) ^ 1u);
    {   /* invalid arguments are refused */
        size_t n = 7;
        int32_t one;
        FUZZ_CHECK(llm_tokenizer_encode(t, (const char *)data, size, 4u, &one, 1, &n) == LLM_ERR_INVALID_ARG && n == 0, "bad flags");
        FUZZ_CHECK(llm_tokenizer_encode(t, NULL, 1, 0, &one, 1, &n) == LLM_ERR_INVALID_ARG, "NULL text");
    }
    return 0;
}
