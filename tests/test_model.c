/* Logits of llm.h against the independent PyTorch reference
   (tools/make_fixtures.py wrote tests/data/<name>/reference.safetensors). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include <stdlib.h>

#define MAXP 3

typedef struct {
    int n;                 /* prompts */
    int T[MAXP];
    int32_t *ids[MAXP];
    const float *logits[MAXP]; /* [T, V] */
    llm_safetensors st;
} reference;

static int load_reference(reference *r, const char *dir, int V) {
    char path[512], name[32];
    int k;
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/reference.safetensors", dir);
    if (llm_safetensors_open(&r->st, path) != LLM_OK) { printf("cannot read %s: %s\n", path, llm_safetensors_error(&r->st)); return 0; }
    for (k = 0; k < MAXP; k++) {
        const llm_tensor *ti, *tl;
        int t;
        snprintf(name, sizeof name, "ids_%d", k); ti = llm_safetensors_find(&r->st, name);
        snprintf(name, sizeof name, "logits_%d", k); tl = llm_safetensors_find(&r->st, name);
        if (!ti || !tl) break;
        if (ti->dtype != LLM_DTYPE_F32 || tl->dtype != LLM_DTYPE_F32 || tl->ndim != 2 || tl->shape[0] != ti->numel || (int)tl->shape[1] != V) return 0;
        r->T[k] = (int)ti->numel;
        r->ids[k] = (int32_t *)malloc(ti->numel * sizeof(int32_t));
        for (t = 0; t < r->T[k]; t++) r->ids[k][t] = (int32_t)((const float *)ti->data)[t];
        r->logits[k] = (const float *)tl->data;
        r->n++;
    }
    return r->n > 0;
}
static void free_reference(reference *r) {
    int k;
    for (k = 0; k < r->n; k++) free(r->ids[k]);
    llm_safetensors_close(&r->st);
}

/* max |a - b| over n */
static double maxdiff(const float *a, const float *b, size_t n) {
    double m = 0; size_t i;
    for (i = 0; i < n; i++) { double d = fabs((double)a[i] - (double)b[i]); if (d > m || d != d) m = d != d ? 1e30 : d; }
    return m;
}
static double maxabs(const float *a, size_t n) {
    double m = 0; size_t i;
    for (i = 0; i < n; i++) if (fabs(a[i]) > m) m = fabs(a[i]);
    return m;
}

static void test_fixture(const char *name, int n_threads) {
    char dir[256];
    llm_model m;
    llm_session s, s2;
    llm_session_options so;
    reference ref;
    int V, k, t;
    double tol = 0, worst_all = 0, worst_step = 0;
    llm_status st;
    snprintf(dir, sizeof dir, "tests/data/%s", name);
    st = llm_model_load(&m, dir, NULL);
    CHECK(st == LLM_OK, "%s: load: %s", name, llm_model_error(&m));
    if (st != LLM_OK) return;
    V = m.config.n_vocab;
    if (!load_reference(&ref, dir, V)) { CHECK(0, "%s: reference unreadable", name); llm_model_free(&m); return; }
    memset(&so, 0, sizeof so);
    so.n_threads = n_threads;
    so.max_batch = 5; /* forces several batches for the long prompt */
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "%s: session: %s", name, llm_session_error(&s));
    for (k = 0; k < ref.n; k++) {
        int T = ref.T[k];
        float *all = (float *)malloc((size_t)T * V * sizeof(float));
        /* F32: 1e-4 absolute; 16-bit weights: the reference uses the same
           rounded weights, so the same bound relative to the logit scale */
        tol = 1e-4 * (m.wtype == LLM_DTYPE_F32 ? 1.0 : (maxabs(ref.logits[k], (size_t)T * V) > 1 ? maxabs(ref.logits[k], (size_t)T * V) : 1.0));
        /* whole prompt, batched */
        llm_session_reset(&s);
        st = llm_session_eval(&s, ref.ids[k], (size_t)T, all);
        CHECK(st == LLM_OK, "%s: eval: %s", name, llm_session_error(&s));
        {
            double d = maxdiff(all, ref.logits[k], (size_t)T * V);
            if (d > worst_all) worst_all = d;
            CHECK(d <= tol, "%s prompt %d (T=%d): batched logits differ by %g (tol %g)", name, k, T, d, tol);
            CHECK(maxdiff(llm_session_logits(&s), ref.logits[k] + (size_t)(T - 1) * V, (size_t)V) == 0 ||
                  maxdiff(llm_session_logits(&s), all + (size_t)(T - 1) * V, (size_t)V) == 0,
                  "%s: llm_session_logits is not the last row", name);
        }
        /* token by token through the KV cache (reset and reuse) */
        llm_session_reset(&s);
        for (t = 0; t < T; t++) {
            double d;
            st = llm_session_eval(&s, &ref.ids[k][t], 1, NULL);
            if (st != LLM_OK) { CHECK(0, "%s: step %d: %s", name, t, llm_session_error(&s)); break; }
            d = maxdiff(llm_session_logits(&s), ref.logits[k] + (size_t)t * V, (size_t)V);
            if (d > worst_step) worst_step = d;
            if (d > tol) { CHECK(0, "%s prompt %d step %d: logits differ by %g", name, k, t, d); break; }
        }
        if (t == T) CHECK(1, "ok");
        CHECK(s.pos == (size_t)T, "%s: pos %zu after %d tokens", name, s.pos, T);
        /* KV-cache decoding equals full recomputation (same code, other path) */
        if (T > 1)
            CHECK(maxdiff(llm_session_logits(&s), all + (size_t)(T - 1) * V, (size_t)V) <= 1e-5,
                  "%s: incremental and batched last logits differ by %g", name, maxdiff(llm_session_logits(&s), all + (size_t)(T - 1) * V, (size_t)V));
        free(all);
    }
    /* two sessions on one model, interleaved, don't disturb each other;
       a copied session continues like the original */
    if (ref.n >= 3) {
        int Ta = ref.T[1], Tb = ref.T[2], ok = 1;
        CHECK(llm_session_init(&s2, &m, &so) == LLM_OK, "%s: second session", name);
        llm_session_reset(&s);
        for (t = 0; t < Ta || t < Tb; t++) {
            if (t < Ta) { llm_session_eval(&s, &ref.ids[1][t], 1, NULL); if (maxdiff(llm_session_logits(&s), ref.logits[1] + (size_t)t * V, (size_t)V) > tol) ok = 0; }
            if (t < Tb) { llm_session_eval(&s2, &ref.ids[2][t], 1, NULL); if (maxdiff(llm_session_logits(&s2), ref.logits[2] + (size_t)t * V, (size_t)V) > tol) ok = 0; }
        }
        CHECK(ok, "%s: interleaved sessions disturbed each other", name);
        /* fork: s2 takes the first 3 tokens of prompt 2 from s, then goes on */
        llm_session_reset(&s);
        llm_session_eval(&s, ref.ids[2], 3, NULL);
        llm_session_reset(&s2);
        CHECK(llm_session_copy(&s2, &s) == LLM_OK && s2.pos == 3, "%s: copy", name);
        CHECK(llm_session_eval(&s2, ref.ids[2] + 3, (size_t)(Tb - 3), NULL) == LLM_OK, "%s: eval after copy", name);
        CHECK(maxdiff(llm_session_logits(&s2), ref.logits[2] + (size_t)(Tb - 1) * V, (size_t)V) <= tol, "%s: copied session diverges", name);
        /* the context is full now: one more token is an error, pos kept */
        CHECK(llm_session_eval(&s2, ref.ids[2], 1, NULL) == LLM_ERR_CONTEXT_FULL && s2.pos == (size_t)Tb, "%s: past the context", name);
        llm_session_free(&s2);
    }
    printf("  %-13s threads=%d  max|diff| batched %.3g, step %.3g\n", name, n_threads, worst_all, worst_step);
    llm_session_free(&s);
    free_reference(&ref);
    llm_model_free(&m);
}

/* Results don't depend on the thread count or the batch size. */
static void test_threads_identical(void) {
    llm_model m;
    llm_session a, b;
    llm_session_options oa, ob;
    int32_t ids[24];
    float *la, *lb;
    int i, V;
    if (llm_model_load(&m, "tests/data/h3-f16", NULL) != LLM_OK) { CHECK(0, "load h3-f16"); return; }
    V = m.config.n_vocab;
    for (i = 0; i < 24; i++) ids[i] = (i * 7 + 3) % V;
    memset(&oa, 0, sizeof oa); memset(&ob, 0, sizeof ob);
    oa.n_threads = 1; oa.max_batch = 24;
    ob.n_threads = 2; ob.max_batch = 24;
    la = (float *)malloc(24 * (size_t)V * sizeof(float));
    lb = (float *)malloc(24 * (size_t)V * sizeof(float));
    llm_session_init(&a, &m, &oa);
    llm_session_init(&b, &m, &ob);
    llm_session_eval(&a, ids, 24, la);
    llm_session_eval(&b, ids, 24, lb);
    CHECK(memcmp(la, lb, 24 * (size_t)V * sizeof(float)) == 0, "1 vs 2 threads: logits not identical");
    llm_session_free(&a); llm_session_free(&b);
    free(la); free(lb);
    llm_model_free(&m);
}

/* Loading paths and options give the same model. */
static void test_load_paths(void) {
    llm_model a, b;
    llm_model_options o;
    llm_status st;
    memset(&o, 0, sizeof o);
    o.no_mmap = 1;
    st = llm_model_load(&a, "tests/data/tiny-f32/model.safetensors", NULL);
    CHECK(st == LLM_OK, "load by file: %s", llm_model_error(&a));
    st = llm_model_load(&b, "tests/data/tiny-f32", &o);
    CHECK(st == LLM_OK, "load without mmap: %s", llm_model_error(&b));
    CHECK(a.config.n_layer == 2 && a.config.n_head == 4 && a.config.n_embd == 32 && a.config.n_ctx == 32 && a.config.n_vocab == 97,
          "tiny-f32 config %d %d %d %d %d", a.config.n_layer, a.config.n_head, a.config.n_embd, a.config.n_ctx, a.config.n_vocab);
    CHECK(b._st._owned != NULL && b._st._map == NULL, "no_mmap did not read into memory");
    llm_model_free(&a); llm_model_free(&b);
    llm_model_free(&b); /* twice is safe */

    st = llm_model_load(&a, "tests/data/bad-activation", NULL);
    CHECK(st == LLM_ERR_UNSUPPORTED && strstr(llm_model_error(&a), "relu"), "relu config: %s (%s)", llm_status_string(st), llm_model_error(&a));
    llm_model_free(&a);
    st = llm_model_load(&a, "tests/data/does-not-exist", NULL);
    CHECK(st == LLM_ERR_IO, "missing folder: %s", llm_status_string(st));
    llm_model_free(&a);
    st = llm_model_load(&a, "tests/data/meta-f32", NULL);
    CHECK(st == LLM_OK && a.config.n_head == 5, "n_head from __metadata__: %d", a.config.n_head);
    llm_model_free(&a);
    st = llm_model_load(&a, "tests/data/noconfig-f32", NULL);
    CHECK(st == LLM_OK && a.config.n_head == 2 && a.config.n_layer == 1, "n_head from 64-wide heads: %d", a.config.n_head);
    llm_model_free(&a);
    st = llm_model_load(&a, "tests/data/ninner-f32", NULL);
    CHECK(st == LLM_OK && a.config.n_inner == 48, "n_inner: %d", a.config.n_inner);
    llm_model_free(&a);
    st = llm_model_load(&a, "tests/data/h5-bf16", NULL);
    CHECK(st == LLM_OK && a.config.ln_eps == 1e-6f && a.wtype == LLM_DTYPE_BF16, "h5-bf16 eps %g", (double)a.config.ln_eps);
    llm_model_free(&a);
}

/* Real GPT-2 (tools/download_gpt2.sh gpt2): greedy "The dog" as in Hugging
   Face's own test. Skipped without the download. */
static void test_real_gpt2(void) {
    static const int32_t want[20] = { 464, 3290, 373, 1043, 287, 257, 2214, 1474, 262, 16246, 286, 2688, 290, 2688, 27262, 13, 198, 198, 464, 3290 };
    const char *dir = getenv("LLM_GPT2_DIR") ? getenv("LLM_GPT2_DIR") : "models/gpt2";
    char path[512];
    FILE *f;
    llm_model m;
    llm_session s;
    int32_t seq[20] = { 464, 3290 };
    int n = 2, ok = 1, i;
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!(f = fopen(path, "rb"))) { SKIP("real GPT-2 greedy test: %s not found (tools/download_gpt2.sh gpt2)", path); return; }
    fclose(f);
    if (llm_model_load(&m, dir, NULL) != LLM_OK) { CHECK(0, "gpt2 load: %s", llm_model_error(&m)); return; }
    llm_session_init(&s, &m, NULL);
    llm_session_eval(&s, seq, 2, NULL);
    while (n < 20) {
        const float *lg = llm_session_logits(&s);
        int best = 0, v;
        for (v = 1; v < m.config.n_vocab; v++) if (lg[v] > lg[best]) best = v;
        seq[n++] = best;
        if (n < 20) llm_session_eval(&s, &seq[n - 1], 1, NULL);
    }
    for (i = 0; i < 20; i++) if (seq[i] != want[i]) ok = 0;
    CHECK(ok, "gpt2 greedy 'The dog' differs from Hugging Face's expected ids");
    llm_session_free(&s);
    llm_model_free(&m);
}

int main(void) {
    static const char *fixtures[] = { "tiny-f32", "h3-f16", "h5-bf16", "lmhead-f32", "noconfig-f32", "meta-f32", "ninner-f32" };
    size_t i;
    for (i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        test_fixture(fixtures[i], 1);
        test_fixture(fixtures[i], 2);
    }
    test_threads_identical();
    test_load_paths();
    test_real_gpt2();
    return test_summary("test_model");
}
