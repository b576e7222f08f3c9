/* Fuzz target: vocab.json + merges.txt (llm_tokenizer_load_memory). The
   input is split at its first NUL byte: before it the vocab.json text,
   after it the merges text (no NUL: all of it is vocab.json, merges empty).
   A tokenizer that loads must encode and decode back exactly (the 256 byte
   tokens are required, so every byte string has an encoding) a fixed text
   and the input itself, with both flag settings, and its tokens must be
   consistent with llm_tokenizer_token. The arena path must agree with the
   malloc path (fuzz_check_arena). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

static void check_loaded(const llm_tokenizer *t, const uint8_t *data, size_t size) {
    static const char text[] = "Hello world, it's the cat's hat!\n  \xe4\xb8\xad\xe6\x96\x87 <|endoftext|> 123 \xff\xc3";
    size_t V = llm_tokenizer_vocab_size(t), i, len;
    int32_t eot = llm_tokenizer_eot(t);
    FUZZ_CHECK(V >= 256 && V <= 16777216u, "vocab size %zu", V);
    FUZZ_CHECK(eot >= -1 && (eot < 0 || (size_t)eot < V), "eot %d", (int)eot);
    if (eot >= 0) {
        const char *p = llm_tokenizer_token(t, eot, &len);
        FUZZ_CHECK(p && len == 13 && !memcmp(p, "<|endoftext|>", 13), "eot token");
    }
    FUZZ_CHECK(llm_tokenizer_token(t, -1, &len) == NULL && len == 0, "token(-1)");
    FUZZ_CHECK(llm_tokenizer_token(t, (int32_t)V, &len) == NULL, "token(V)");
    for (i = 0; i < V && i < 4096; i++) {
        const char *p = llm_tokenizer_token(t, (int32_t)i, &len);
        if (p) FUZZ_CHECK(len <= 1024, "token %zu is %zu bytes", i, len);
    }
    fuzz_check_roundtrip(t, text, sizeof text - 1, 0);
    fuzz_check_roundtrip(t, text, sizeof text - 1, LLM_TOKENIZE_SPECIAL);
    fuzz_check_roundtrip(t, (const char *)data, size, 0);
    fuzz_check_roundtrip(t, (const char *)data, size, LLM_TOKENIZE_SPECIAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_tokenizer t;
    const uint8_t *nul = (const uint8_t *)memchr(data, 0, size);
    size_t vl = nul ? (size_t)(nul - data) : size;
    const char *merges = nul ? (const char *)nul + 1 : "";
    size_t ml = nul ? size - vl - 1 : 0;
    llm_status r = llm_tokenizer_load_memory(&t, (const char *)data, vl, merges, ml);
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(llm_tokenizer_error(&t));
    fuzz_check_arena(1, r, data, vl, merges, ml);
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY, "unexpected %s: %s",
                   llm_status_string(r), llm_tokenizer_error(&t));
        FUZZ_CHECK(t._impl == NULL, "tokenizer left after a failure");
        llm_tokenizer_free(&t);
        return 0;
    }
    check_loaded(&t, data, size);
    llm_tokenizer_free(&t);
    llm_tokenizer_free(&t);
    return 0;
}
