/* A GPT-2 checkpoint with a BERT WordPiece vocabulary (tests/data/wordpiece-gpt2,
   made by tools/reference/make_wordpiece_model.py): the folder loads with its
   vocab.txt tokenizer, the prompt encodes to the JS oracle's ids, the logits
   and the greedy continuations (ending at [SEP]) match the float64 PyTorch
   reference. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#define DIR "tests/data/wordpiece-gpt2"

/* Reference tensor name as ints (stored as F32), or NULL; *n its length. */
static int32_t *ref_ids(const llm_safetensors *st, const char *name, size_t *n) {
    const llm_tensor *t = llm_safetensors_find(st, name);
    int32_t *o;
    size_t i;
    *n = 0;
    if (!t || t->dtype != LLM_DTYPE_F32) return NULL;
    o = (int32_t *)malloc((t->numel + 1) * sizeof(int32_t));
    for (i = 0; i < t->numel; i++) { float f; memcpy(&f, (const char *)t->data + 4 * i, 4); o[i] = (int32_t)f; }
    *n = t->numel;
    return o;
}

/* Greedy generation from prompt: the generated ids equal want[0..nw), the
   last being [SEP], and the stop reason is EOS. */
static void check_greedy(llm_session *s, const int32_t *prompt, size_t np, const int32_t *want, size_t nw,
                         const char *what) {
    llm_generate_options go;
    llm_generation g;
    llm_status r;
    memset(&go, 0, sizeof go);
    go.max_new_tokens = 40;
    llm_session_reset(s);
    r = llm_generate(s, prompt, np, &go, &g);
    CHECK(r == LLM_OK && g.n_seqs == 1, "%s: generate %s: %s", what, llm_status_string(r), llm_session_error(s));
    if (r == LLM_OK && g.n_seqs == 1) {
        const llm_sequence *q = &g.seqs[0];
        size_t n = q->n_ids - q->n_prompt;
        CHECK(n == nw && !memcmp(q->ids + q->n_prompt, want, nw * sizeof(int32_t)),
              "%s: %zu ids generated, the reference has %zu", what, n, nw);
        CHECK(q->stop == LLM_STOP_EOS, "%s: stop reason %d, expected EOS ([SEP])", what, (int)q->stop);
    }
    llm_generation_free(&g);
}

int main(void) {
    static const char prompt[] = "\xe8\xbf\x99\xe6\x98\xaf\xe5\xbe\x88\xe4\xb9\x85\xe4\xb9\x8b\xe5\x89\x8d"
                                 "\xe7\x9a\x84\xe4\xba\x8b\xe6\x83\x85\xe4\xba\x86";     /* 这是很久之前的事情了 */
    llm_model m;
    llm_session s;
    llm_safetensors ref;
    llm_status r;
    int32_t *ids, *g0, *ge, got[64];
    size_t n, n0, ne, ng = 0, V, t, i;
    const llm_tensor *lt;
    float *all;
    double worst = 0;
    r = llm_model_load(&m, DIR, NULL);
    CHECK(r == LLM_OK, "load %s: %s", DIR, llm_model_error(&m));
    if (r != LLM_OK) return test_summary("test_wordpiece");
    r = llm_safetensors_open(&ref, DIR "/reference.safetensors");
    CHECK(r == LLM_OK, "reference: %s", llm_safetensors_error(&ref));
    if (r != LLM_OK) { llm_model_free(&m); return test_summary("test_wordpiece"); }
    V = (size_t)m.config.n_vocab;
    CHECK(m.has_tokenizer && llm_tokenizer_vocab_size(&m.tokenizer) == V, "tokenizer from vocab.txt");
    CHECK(m.config.eos_id == -1, "config.json has no eos_token_id (%d)", m.config.eos_id);
    CHECK(llm_tokenizer_bos(&m.tokenizer) == 2 && llm_tokenizer_eot(&m.tokenizer) == 3, "[CLS] 2, [SEP] 3: %d %d",
          (int)llm_tokenizer_bos(&m.tokenizer), (int)llm_tokenizer_eot(&m.tokenizer));
    ids = ref_ids(&ref, "ids_0", &n);
    g0 = ref_ids(&ref, "greedy_0", &n0);
    ge = ref_ids(&ref, "greedy_empty", &ne);
    lt = llm_safetensors_find(&ref, "logits_0");
    CHECK(ids && g0 && ge && lt && n > 1 && lt->numel == n * V, "reference tensors");
    if (!ids || !g0 || !ge || !lt || lt->numel != n * V) return test_summary("test_wordpiece");
    /* the prompt: [CLS] + the oracle's ids */
    r = llm_tokenizer_encode(&m.tokenizer, prompt, sizeof prompt - 1, 0, got, 64, &ng);
    CHECK(r == LLM_OK && ng == n - 1 && !memcmp(got, ids + 1, ng * sizeof(int32_t)), "prompt ids (%zu)", ng);
    CHECK(ids[0] == llm_tokenizer_bos(&m.tokenizer), "reference prompt starts from [CLS]");
    /* logits at every position */
    r = llm_session_init(&s, &m, NULL);
    CHECK(r == LLM_OK, "session: %s", llm_session_error(&s));
    all = (float *)malloc(n * V * sizeof(float));
    r = llm_session_eval(&s, ids, n, all);
    CHECK(r == LLM_OK, "eval: %s", llm_session_error(&s));
    for (t = 0; t < n * V; t++) {
        float f;
        double d;
        memcpy(&f, (const char *)lt->data + 4 * t, 4);
        d = fabs((double)f - all[t]);
        if (d > worst) worst = d;
    }
    CHECK(worst <= 1e-4, "logits differ from the reference by %g", worst);
    printf("wordpiece-gpt2: %zu positions x %zu logits, max |diff| %.3g; greedy %zu and %zu ids\n", n, V, worst, n0, ne);
    check_greedy(&s, ids, n, g0, n0, "prompt");
    check_greedy(&s, ids, 1, ge, ne, "[CLS] alone");
    for (i = 0; i < ne; i++) if (ge[i] == 3) break;
    CHECK(i + 1 == ne, "the empty-prompt reference ends at its first [SEP]");
    free(all); free(ids); free(g0); free(ge);
    llm_session_free(&s);
    llm_safetensors_close(&ref);
    llm_model_free(&m);
    return test_summary("test_wordpiece");
}
