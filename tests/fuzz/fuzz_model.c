/* Fuzz target: the model loader end to end. The input is a whole
   .safetensors file: llm_model_load_memory (no config.json: shapes from the
   tensors, n_head from __metadata__ or n_embd / 64), and when that succeeds
   the arena path must agree
   (fuzz_check_arena), and a session evaluates a few tokens (batched and one by one), copies its
   state to a second session and generates a few tokens with sampling
   options picked from the input's hash. Loaded weights may be NaN or Inf;
   only memory safety and the API contract are checked, not the values. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_model m;
    llm_session s, s2;
    llm_session_options so;
    llm_status r;
    const llm_config *c;
    uint64_t h;
    int32_t ids[6];
    size_t n, i;

    r = llm_model_load_memory(&m, data, size, NULL, 0);
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_arena(0, r, data, size, NULL, 0);
    fuzz_check_msg(llm_model_error(&m));
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_UNSUPPORTED || r == LLM_ERR_SHAPE ||
                   r == LLM_ERR_OUT_OF_MEMORY, "unexpected %s: %s", llm_status_string(r), llm_model_error(&m));
        llm_model_free(&m);
        llm_model_free(&m);
        return 0;
    }
    c = &m.config;
    FUZZ_CHECK(c->n_layer >= 1 && c->n_embd >= 1 && c->n_head >= 1 && c->n_embd % c->n_head == 0 && c->n_ctx >= 1 &&
               c->n_vocab >= 1 && c->n_inner >= 1, "config %d %d %d %d %d %d", c->n_layer, c->n_embd, c->n_head,
               c->n_ctx, c->n_vocab, c->n_inner);
    FUZZ_CHECK(m.wtype == LLM_DTYPE_F32 || m.wtype == LLM_DTYPE_F16 || m.wtype == LLM_DTYPE_BF16 ||
               m.wtype == LLM_DTYPE_I8, "wtype");
    h = fuzz_hash(data, size);

    memset(&so, 0, sizeof so);
    so.n_ctx = c->n_ctx < 8 ? c->n_ctx : 8;
    so.max_batch = (int)(h % 4);                     /* 0 = default */
    so.n_threads = 1;
    r = llm_session_init(&s, &m, &so);
    if (r == LLM_ERR_OUT_OF_MEMORY || r == LLM_ERR_LIMIT) { llm_model_free(&m); return 0; }
    FUZZ_CHECK(r == LLM_OK, "session: %s", llm_session_error(&s));
    n = (size_t)so.n_ctx < 6 ? (size_t)so.n_ctx : 6;
    for (i = 0; i < n; i++) ids[i] = (int32_t)((h >> (8 * i)) % (uint64_t)c->n_vocab);
    ids[0] = c->n_vocab - 1;
    r = llm_session_eval(&s, ids, n, NULL);
    FUZZ_CHECK(r == LLM_OK && s.pos == n, "eval: %s", llm_session_error(&s));
    FUZZ_CHECK(llm_session_logits(&s) != NULL, "logits");
    /* the context is full, or not: one more token must be refused or taken */
    r = llm_session_eval(&s, ids, 1, NULL);
    FUZZ_CHECK((r == LLM_ERR_CONTEXT_FULL) == (n == (size_t)so.n_ctx), "past the context: %s", llm_status_string(r));
    {   /* out-of-range ids are refused, the session unchanged */
        size_t pos = s.pos;
        int32_t bad[2] = { 0, c->n_vocab };
        r = llm_session_eval(&s, bad, 2, NULL);
        FUZZ_CHECK(r == LLM_ERR_TOKEN_RANGE && s.pos == pos, "bad id: %s", llm_status_string(r));
    }
    /* one by one, with every position's logits */
    llm_session_reset(&s);
    {
        float *all = (float *)malloc((size_t)c->n_vocab * sizeof(float));
        FUZZ_CHECK(all != NULL, "malloc");
        for (i = 0; i < n; i++) {
            r = llm_session_eval(&s, &ids[i], 1, all);
            FUZZ_CHECK(r == LLM_OK, "eval %zu: %s", i, llm_session_error(&s));
        }
        free(all);
    }
    r = llm_session_init(&s2, &m, &so);
    FUZZ_CHECK(r == LLM_OK, "session 2: %s", llm_session_error(&s2));
    r = llm_session_copy(&s2, &s);
    FUZZ_CHECK(r == LLM_OK && s2.pos == s.pos, "copy: %s", llm_session_error(&s2));
    llm_session_free(&s2);
    {   /* a batch over several slots made from the hash: taken whole, or
           refused with nothing changed */
        llm_session_options sm = so;
        llm_batch b;
        int32_t tok[12], seq[12], pos[12];
        int8_t keep[12];
        size_t len[3], k;
        sm.n_seq_max = 3;
        r = llm_session_init(&s2, &m, &sm);
        FUZZ_CHECK(r == LLM_OK || r == LLM_ERR_OUT_OF_MEMORY || r == LLM_ERR_LIMIT, "session 3: %s", llm_session_error(&s2));
        for (k = 0; r == LLM_OK && k < 4; k++) {
            uint64_t g = fuzz_hash(data, size) + k * 0x9e3779b97f4a7c15ull;
            int q;
            memset(&b, 0, sizeof b);
            b.n = 1 + (size_t)(g % 12); g /= 12;
            for (i = 0; i < b.n; i++, g = g * 6364136223846793005ull + 1442695040888963407ull) {
                tok[i] = (int32_t)((g >> 33) % (uint64_t)c->n_vocab);
                seq[i] = (int32_t)((g >> 20) % 4) - ((g >> 40) % 8 == 0);   /* mostly in [0, 3), a few out */
                pos[i] = (int32_t)((g >> 44) % 10);
                keep[i] = (int8_t)((g >> 50) & 1);
            }
            b.token = tok;
            b.seq = (g & 1) ? seq : NULL;
            b.pos = (g & 2) ? pos : NULL;
            b.logits = (g & 4) ? keep : NULL;
            for (q = 0; q < 3; q++) len[q] = llm_session_seq_len(&s2, q);
            r = llm_session_decode(&s2, &b);
            if (r != LLM_OK) {
                for (q = 0; q < 3; q++) FUZZ_CHECK(llm_session_seq_len(&s2, q) == len[q], "a refused batch changed slot %d", q);
                r = LLM_OK;
            }
            FUZZ_CHECK(llm_session_seq_copy(&s2, (int)(g % 3), (int)((g >> 8) % 3)) == LLM_OK, "seq_copy");
        }
        llm_session_free(&s2);
    }
    /* generation with options from the hash */
    llm_session_reset(&s);
    {
        llm_generate_options go;
        llm_generation g;
        int k;
        memset(&go, 0, sizeof go);
        go.max_new_tokens = 1 + (int)((h >> 8) % 3);
        go.num_return_sequences = 1 + (int)((h >> 12) % 2);
        go.sampler.seed = h;
        if ((h >> 16) & 1) go.sampler.temperature = 0.7f;
        if ((h >> 17) & 1) go.sampler.top_k = 1 + (int)((h >> 20) % 3);
        if ((h >> 18) & 1) go.sampler.top_p = 0.8f;
        if ((h >> 19) & 1) go.sampler.min_p = 0.1f;
        if ((h >> 24) & 1) go.sampler.repetition_penalty = 1.3f;
        go.ignore_eos = (int)((h >> 25) & 1);
        r = llm_generate(&s, ids, 1, &go, &g);
        FUZZ_CHECK(r == LLM_OK, "generate: %s", llm_session_error(&s));
        FUZZ_CHECK(g.n_seqs == go.num_return_sequences, "%d sequences", g.n_seqs);
        for (k = 0; k < g.n_seqs; k++) {
            const llm_sequence *q = &g.seqs[k];
            FUZZ_CHECK(q->n_prompt == 1 && q->n_ids >= 2 && q->n_ids <= 1 + (size_t)go.max_new_tokens, "sequence %d: %zu ids", k, q->n_ids);
            for (i = 0; i < q->n_ids; i++) FUZZ_CHECK(q->ids[i] >= 0 && q->ids[i] < c->n_vocab, "id %d", (int)q->ids[i]);
            FUZZ_CHECK(q->stop != LLM_STOP_NONE, "stop reason");
        }
        llm_generation_free(&g);
        llm_generation_free(&g);
    }
    llm_session_free(&s);
    llm_session_free(&s);
    llm_model_free(&m);
    llm_model_free(&m);
    return 0;
}
