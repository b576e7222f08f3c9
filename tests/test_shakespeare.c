/* The shipped Tiny Shakespeare model (models/shakespeare) against PyTorch:
   logits on a held-out passage, the prompt's tokenization and greedy
   generation (tests/data/shakespeare-ref, written by
   tools/reference/make_shakespeare_ref.py with a float64 forward of the same F16
   weights). The perplexity check goes through build/score in
   tests/test_cli.sh. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include <stdlib.h>

#define MODEL "models/shakespeare"
#define REF "tests/data/shakespeare-ref"

static double max_abs_diff(const float *a, const float *b, size_t n) {
    double m = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d != d) return 1e30;
        if (d > m) m = d;
    }
    return m;
}

static size_t argmax(const float *x, size_t n) {
    size_t i, b = 0;
    for (i = 1; i < n; i++) if (x[i] > x[b]) b = i;
    return b;
}

/* Reads up to cap whitespace-separated integers from one line of f. */
static size_t read_ids_line(FILE *f, int32_t *ids, size_t cap) {
    char line[4096], *p, *e;
    size_t n = 0;
    if (!fgets(line, sizeof line, f)) return 0;
    for (p = line; n < cap; p = e) {
        long v = strtol(p, &e, 10);
        if (e == p) break;
        ids[n++] = (int32_t)v;
    }
    return n;
}

static void test_logits(llm_model *m) {
    llm_safetensors ref;
    const llm_tensor *ti, *tl;
    llm_session s;
    llm_session_options so;
    int32_t ids[64];
    float *all;
    size_t V = (size_t)m->config.n_vocab, T, t, same = 0;
    double scale = 1, d, worst_step = 0, tol;
    if (llm_safetensors_open(&ref, REF "/reference.safetensors") != LLM_OK) {
        CHECK(0, "cannot read " REF "/reference.safetensors: %s", llm_safetensors_error(&ref));
        return;
    }
    ti = llm_safetensors_find(&ref, "ids_0");
    tl = llm_safetensors_find(&ref, "logits_0");
    CHECK(ti && tl && ti->numel == 64 && tl->ndim == 2 && tl->shape[0] == 64 && tl->shape[1] == V &&
          ti->dtype == LLM_DTYPE_F32 && tl->dtype == LLM_DTYPE_F32, "reference tensors ids_0 [64], logits_0 [64, %zu]", V);
    if (!ti || !tl || ti->numel != 64 || tl->numel != 64 * V) { llm_safetensors_close(&ref); return; }
    T = 64;
    for (t = 0; t < T; t++) ids[t] = (int32_t)((const float *)ti->data)[t];
    for (t = 0; t < T * V; t++) if (fabs(((const float *)tl->data)[t]) > scale) scale = fabs(((const float *)tl->data)[t]);
    /* the reference used the same F16 weights in float64; llm.h computes in
       float32: 1e-4 of the largest logit, as for the other 16-bit fixtures */
    tol = 1e-4 * scale;
    memset(&so, 0, sizeof so);
    so.n_threads = 2;
    CHECK(llm_session_init(&s, m, &so) == LLM_OK, "session: %s", llm_session_error(&s));
    all = (float *)malloc(T * V * sizeof(float));
    CHECK(all != NULL, "malloc");
    if (!all) { llm_session_free(&s); llm_safetensors_close(&ref); return; }
    CHECK(llm_session_eval(&s, ids, T, all) == LLM_OK, "eval: %s", llm_session_error(&s));
    d = max_abs_diff(all, (const float *)tl->data, T * V);
    CHECK(d <= tol, "held-out passage: logits differ from PyTorch by %g (tol %g)", d, tol);
    for (t = 0; t < T; t++) same += argmax(all + t * V, V) == argmax((const float *)tl->data + t * V, V);
    CHECK(same == T, "argmax agrees at %zu of %zu positions", same, T);
    /* token by token through the KV cache */
    llm_session_reset(&s);
    for (t = 0; t < T; t++) {
        if (llm_session_eval(&s, &ids[t], 1, NULL) != LLM_OK) break;
        d = max_abs_diff(llm_session_logits(&s), (const float *)tl->data + t * V, V);
        if (d > worst_step) worst_step = d;
    }
    CHECK(t == T && worst_step <= tol, "step by step: %zu steps, worst diff %g (tol %g)", t, worst_step, tol);
    printf("  shakespeare logits: max|diff| batched %.3g, step %.3g (largest logit %.3g)\n",
           max_abs_diff(all, (const float *)tl->data, T * V), worst_step, scale);
    free(all);
    llm_session_free(&s);
    llm_safetensors_close(&ref);
}

static void test_greedy(llm_model *m) {
    FILE *f = fopen(REF "/greedy.txt", "rb");
    char prompt[1024];
    int32_t want_prompt[256], want[64], got[256];
    size_t np, nw, ng = 0, k, L;
    llm_session s;
    llm_generate_options go;
    llm_generation g;
    llm_status r;
    CHECK(f != NULL, "cannot open " REF "/greedy.txt");
    if (!f) return;
    if (!fgets(prompt, sizeof prompt, f)) prompt[0] = 0;
    L = strlen(prompt);
    while (L && (prompt[L - 1] == '\n' || prompt[L - 1] == '\r')) prompt[--L] = 0;
    np = read_ids_line(f, want_prompt, 256);
    nw = read_ids_line(f, want, 64);
    fclose(f);
    CHECK(L > 0 && np > 0 && nw == 32, "greedy.txt: prompt, %zu prompt ids, %zu ids (want 32)", np, nw);
    /* the tokenizer gives PyTorch's prompt ids */
    r = llm_tokenizer_encode(&m->tokenizer, prompt, L, 0, got, 256, &ng);
    CHECK(r == LLM_OK && ng == np && !memcmp(got, want_prompt, np * sizeof(int32_t)), "prompt ids (%zu vs %zu)", ng, np);
    /* greedy generation from the text */
    CHECK(llm_session_init(&s, m, NULL) == LLM_OK, "session: %s", llm_session_error(&s));
    memset(&go, 0, sizeof go);
    go.max_new_tokens = (int)nw;
    go.sampler.temperature = 0; /* greedy */
    go.ignore_eos = 1;
    r = llm_generate_text(&s, prompt, &go, &g);
    CHECK(r == LLM_OK && g.n_seqs == 1, "generate: %s", llm_session_error(&s));
    if (r == LLM_OK && g.n_seqs == 1) {
        const llm_sequence *q = &g.seqs[0];
        size_t same = 0;
        CHECK(q->n_prompt == np && q->n_ids == np + nw, "%zu prompt + %zu new ids", q->n_prompt, q->n_ids - q->n_prompt);
        for (k = 0; k < nw && np + k < q->n_ids; k++) same += q->ids[np + k] == want[k];
        CHECK(same == nw, "greedy ids equal PyTorch's at %zu of %zu steps", same, nw);
        CHECK(q->stop == LLM_STOP_LENGTH, "stop reason %d", (int)q->stop);
    }
    llm_generation_free(&g);
    llm_session_free(&s);
}

int main(void) {
    llm_model m;
    if (llm_model_load(&m, MODEL, NULL) != LLM_OK) {
        CHECK(0, "load " MODEL ": %s", llm_model_error(&m));
        return test_summary("test_shakespeare");
    }
    CHECK(m.has_tokenizer, MODEL " has a tokenizer");
    CHECK(m.config.n_layer == 6 && m.config.n_head == 6 && m.config.n_embd == 192 && m.config.n_ctx == 256 && m.config.n_vocab == 4096,
          "shape %d/%d/%d/%d/%d", m.config.n_layer, m.config.n_head, m.config.n_embd, m.config.n_ctx, m.config.n_vocab);
    test_logits(&m);
    if (m.has_tokenizer) test_greedy(&m);
    llm_model_free(&m);
    return test_summary("test_shakespeare");
}
