/* Fuzz target: tokenizer.json (llm_tokenizer_load_json_memory). A
   byte-level BPE tokenizer that loads must encode and decode back exactly
   a fixed text and the input itself (both flag settings), and its
   end-of-text token and token table must be consistent; a WordPiece one
   must keep fuzz_check_wordpiece's contracts. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char text[] = "Hello world, it's the cat's hat!\n  \xe4\xb8\xad\xe6\x96\x87 <|endoftext|><pad> 123 \xff\xc3";
    llm_tokenizer t;
    llm_status r = llm_tokenizer_load_json_memory(&t, (const char *)data, size);
    size_t V, i, len;
    if (!fuzz_tokenizer_loaded(&t, r)) return 0;
    V = llm_tokenizer_vocab_size(&t);
    if (LLM__CAST(const llm__tok_impl *, t._impl)->wp) {     /* WordPiece (private field: a harness may look) */
        FUZZ_CHECK(V >= 1 && V <= 16777216u, "vocab size %zu", V);
        fuzz_check_wordpiece(&t, text, sizeof text - 1, 0);
        fuzz_check_wordpiece(&t, (const char *)data, size, LLM_TOKENIZE_SPECIAL);
        fuzz_check_wordpiece(&t, (const char *)data, size, 0);
        llm_tokenizer_free(&t);
        return 0;
    }
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
