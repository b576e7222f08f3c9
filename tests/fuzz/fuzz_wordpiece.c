/* Fuzz target: a BERT WordPiece vocabulary (llm_tokenizer_load_wordpiece_memory).
   The input is split at its first NUL byte: before it the vocab.txt text,
   after it the tokenizer_config.json text (no NUL: no config). A tokenizer
   that loads must keep fuzz_check_wordpiece's contracts on a fixed text
   and on the input, with both flag settings; its [SEP] / [CLS] ids and
   token table must be consistent. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char text[] = "Hello world, it's the CAF\xc3\x89 na\xc3\xafve!\n \xe4\xb8\xad\xe6\x96\x87 [CLS] [SEP]"
                               "\xf0\x9f\x98\x80 \x01 \xff\xc3 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    llm_tokenizer t;
    const uint8_t *nul = (const uint8_t *)memchr(data, 0, size);
    size_t vl = nul ? (size_t)(nul - data) : size, V, i, len;
    const char *config = nul ? (const char *)nul + 1 : NULL;
    size_t cl = nul ? size - vl - 1 : 0;
    int32_t eot, bos;
    llm_status r = llm_tokenizer_load_wordpiece_memory(&t, (const char *)data, vl, config, cl);
    if (!fuzz_tokenizer_loaded(&t, r)) return 0;
    V = llm_tokenizer_vocab_size(&t);
    eot = llm_tokenizer_eot(&t);
    bos = llm_tokenizer_bos(&t);
    FUZZ_CHECK(V >= 1 && V <= 16777216u, "vocab size %zu", V);
    FUZZ_CHECK(eot >= -1 && eot < (int32_t)V && bos >= -1 && bos < (int32_t)V, "eot %d bos %d", (int)eot, (int)bos);
    for (i = 0; i < V && i < 4096; i++) {
        const char *p = llm_tokenizer_token(&t, (int32_t)i, &len);
        FUZZ_CHECK(p && len <= 1024, "token %zu", i);
    }
    fuzz_check_wordpiece(&t, text, sizeof text - 1, 0);
    fuzz_check_wordpiece(&t, text, sizeof text - 1, LLM_TOKENIZE_SPECIAL);
    fuzz_check_wordpiece(&t, (const char *)data, size, 0);
    fuzz_check_wordpiece(&t, (const char *)data, size, LLM_TOKENIZE_SPECIAL);
    llm_tokenizer_free(&t);
    llm_tokenizer_free(&t);
    return 0;
}
