/* Fuzz target: chat templates. The input, cut at its first NUL, is a
   tokenizer_config.json text and a config.json text for
   llm_chat_template_detect (with a vocabulary that has the ChatML tokens
   and the GPT-2 one, which has not); then the whole input, cut at the
   bytes 0x1e into up to 8 messages (a message's first byte picks its
   role), is rendered in every template by llm_chat_render. Checks: the
   statuses are the documented ones, the template is one of the three,
   messages are NUL-terminated, every id is in the vocabulary, and the
   count is the same with no buffer, a small one and a big enough one. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "../byte_vocab.h"

static llm_tokenizer fuzz_chat_tok;
static int fuzz_chat_loaded;
static void fuzz_chat_free(void) { llm_tokenizer_free(&fuzz_chat_tok); }

static const llm_tokenizer *chatml_vocab(void) {
    if (!fuzz_chat_loaded) {
        char *j = byte_vocab_json(1);
        if (!j || llm_tokenizer_load_json_memory(&fuzz_chat_tok, j, strlen(j)) != LLM_OK) {
            fprintf(stderr, "fuzz_chat: the byte vocabulary does not load: %s\n", llm_tokenizer_error(&fuzz_chat_tok));
            abort();
        }
        free(j);
        fuzz_chat_loaded = 1;
        atexit(fuzz_chat_free);
    }
    return &fuzz_chat_tok;
}

static void check_render(const llm_tokenizer *t, int tmpl, const llm_chat_message *m, size_t n, int add) {
    int32_t small[4], *ids;
    size_t n0 = 0, n1 = 0, n2 = 0, i, nv = llm_tokenizer_vocab_size(t);
    char err[LLM_ERROR_SIZE];
    /* the end-of-text id; with 3 messages none, with 4 one past the vocabulary */
    int32_t e = n == 3 ? -1 : n == 4 ? (int32_t)nv : t == chatml_vocab() ? 256 : 50256;
    llm_status r0 = llm_chat_render(t, tmpl, e, m, n, add, NULL, 0, &n0, err), r1, r2;
    fuzz_check_msg(err);
    FUZZ_CHECK(r0 == LLM_ERR_BUFFER_TOO_SMALL || r0 == LLM_ERR_INVALID_ARG || r0 == LLM_ERR_UNSUPPORTED ||
               (r0 == LLM_OK && n0 == 0), "count: %s: %s", llm_status_string(r0), err);
    if (r0 != LLM_ERR_BUFFER_TOO_SMALL) return;
    r1 = llm_chat_render(t, tmpl, e, m, n, add, small, 4, &n1, err);
    FUZZ_CHECK(n1 == n0 && (r1 == LLM_OK) == (n0 <= 4), "small buffer: %zu vs %zu, %s", n1, n0, llm_status_string(r1));
    ids = (int32_t *)malloc(n0 * sizeof *ids);
    if (!ids) return;
    r2 = llm_chat_render(t, tmpl, e, m, n, add, ids, n0, &n2, err);
    FUZZ_CHECK(r2 == LLM_OK && n2 == n0, "full buffer: %s, %zu vs %zu: %s", llm_status_string(r2), n2, n0, err);
    for (i = 0; i < n2; i++) FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < nv, "id %d at %zu", (int)ids[i], i);
    for (i = 0; i < n2 && i < 4; i++) FUZZ_CHECK(ids[i] == small[i], "ids differ at %zu", i);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const roles[5] = { "system", "user", "assistant", "developer", "tool" };
    const llm_tokenizer *toks[2];
    const char *s = (const char *)data;
    const uint8_t *nul = (const uint8_t *)memchr(data, 0, size);
    size_t tc_len = nul ? (size_t)(nul - data) : size, k, at, n = 0;
    llm_chat_message m[8];
    char note[LLM_ERROR_SIZE];
    int t, tmpl;
    toks[0] = chatml_vocab();
    toks[1] = fuzz_gpt2();
    for (t = 0; t < 2; t++) {
        llm_status r = llm_chat_template_detect(toks[t], s, tc_len, nul ? s + tc_len + 1 : NULL,
                                                nul ? size - tc_len - 1 : 0, &tmpl, note);
        fuzz_check_msg(note);
        FUZZ_CHECK(r == LLM_OK || r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY,
                   "detect: %s: %s", llm_status_string(r), note);
        FUZZ_CHECK(r != LLM_OK || (tmpl >= 0 && tmpl < LLM_CHAT_TEMPLATE_COUNT && note[0]), "detect: template %d",
                   tmpl);
        FUZZ_CHECK(r != LLM_OK || t == 0 || tmpl != LLM_CHAT_CHATML, "chatml on a vocabulary without its tokens");
    }
    for (at = 0, k = 0; k <= size && n < 8; k++)
        if (k == size || data[k] == 0x1e) {
            m[n].role = roles[k > at ? data[at] % 5 : 1];
            m[n].content = s + at;
            m[n].content_len = k - at;
            n++;
            at = k + 1;
        }
    for (t = 0; t < 2; t++)
        for (tmpl = 0; tmpl <= LLM_CHAT_TEMPLATE_COUNT; tmpl++) check_render(toks[t], tmpl, m, n, (int)(size & 1));
    return 0;
}
