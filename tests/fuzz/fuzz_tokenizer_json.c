/* Fuzz target: tokenizer.json (llm_tokenizer_load_json_memory). A
   tokenizer that loads must encode and decode back exactly a fixed text
   and the input itself (both flag settings), and its end-of-text token and
   token table must be consistent. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char text[] = "Hello world, it's the cat's hat!\n  \xe4\xb8\xad\xe6\x96\x87 <|endoftext|><pad> 123 \xff\xc3";
    llm_tokenizer t;
    llm_status r = llm_tokenizer_load_json_memory(&t, (const char *)data, size);
    size_t V, i, len;
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(llm_tokenizer_error(&t));
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_UNSUPPORTED || r == LLM_ERR_OUT_OF_MEMORY,
                   "unexpected %s: %s", llm_status_string(r), llm_tokenizer_error(&t));
        FUZZ_CHECK(t._impl == NULL, "tokenizer left after a failure");
        llm_tokenizer_free(&t);
        return 0;
    }
    V = llm_tokenizer_vocab_size(&t);
    FUZZ_CHECK(V >= 256 && V <= 16777216u, "vocab size %zu", V);
    FUZZ_CHECK(llm_tokenizer_eot(&t) < (int32_t)V, "eot");
    for (i = 0; i < V && i < 4096; i++) {
        const char *p = llm_tokenizer_token(&t, (int32_t)i, &len);
        if (p) FUZZ_CHECK(len <= 1024, "token %zu is %zu bytes", i, len);
    }
    fuzz_check_roundtrip(&t, text, sizeof text - 1, 0);
    fuzz_check_roundtrip(&t, text, sizeof text - 1, LLM_TOKENIZE_SPECIAL);
    fuzz_check_roundtrip(&t, (const char *)data, size, 0);
    fuzz_check_roundtrip(&t, (const char *)data, size, LLM_TOKENIZE_SPECIAL);
    llm_tokenizer_free(&t);
    llm_tokenizer_free(&t);
    return 0;
}
