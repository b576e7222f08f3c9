/* Logits of llm.h against the independent PyTorch reference
   (tools/reference/make_fixtures.py wrote tests/data/<name>/reference.safetensors). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include <stdlib.h>

#define MAXP 3
/* 8-bit checkpoints (tools/reference/q8_reference.py): the reference quantizes the
   activations by the same rule, so the logits agree to f32 rounding except
   where that rounding moves an activation across a rounding boundary of its
   8-bit quantization (q changes by 1: the output by about d_x * d_w * 127,
   a few 1e-4 on these models). 2e-3 absolute holds that with margin while
   the 8-bit effect itself (float vs 8-bit logits) is 0.1 on these fixtures. */
#define Q8_TOL 2e-3

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
        if (m.wtype == LLM_DTYPE_I8) tol = Q8_TOL;
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

/* Several sequences in one session: each row's logits equal the reference
   of its own prompt, whatever else is in the batch (other lengths and
   positions, prefill mixed with single steps, passes cut by max_batch);
   forks and reorders share blocks and diverge correctly (copy on write);
   a bad batch changes nothing. */
typedef struct { int32_t tok[64], seq[64], pos[64]; int8_t keep[64]; int ref[64]; llm_batch b; } rows;
static void rows_add(rows *w, const reference *ref, int slot, int prompt, int at) {
    size_t r = w->b.n++;
    w->tok[r] = ref->ids[prompt][at]; w->seq[r] = slot; w->pos[r] = at; w->keep[r] = 0; w->ref[r] = prompt;
    w->b.token = w->tok; w->b.seq = w->seq; w->b.pos = w->pos;
}
/* decode, then every kept row against its reference; returns rows checked */
static int rows_run(llm_session *s, rows *w, const reference *ref, int V, double tol, const char *what) {
    size_t r;
    int checked = 0, ok = 1;
    llm_status st = llm_session_decode(s, &w->b);
    CHECK(st == LLM_OK, "%s: decode: %s", what, llm_session_error(s));
    for (r = 0; r < w->b.n && st == LLM_OK; r++) {
        const float *lg = llm_session_logits_row(s, r);
        if (!lg || w->ref[r] < 0) continue;
        checked++;
        if (maxdiff(lg, ref->logits[w->ref[r]] + (size_t)w->pos[r] * V, (size_t)V) > tol) ok = 0;
    }
    CHECK(ok, "%s: a row's logits differ from its sequence's reference", what);
    memset(&w->b, 0, sizeof w->b);
    return checked;
}

static void test_multi_seq(const char *name, int n_threads) {
    char dir[256];
    llm_model m;
    llm_session s;
    llm_session_options so;
    reference ref;
    rows w;
    int V, q, r, n, T[3];
    size_t len[4];
    double tol;
    snprintf(dir, sizeof dir, "tests/data/%s", name);
    if (llm_model_load(&m, dir, NULL) != LLM_OK) { CHECK(0, "%s: load", name); return; }
    V = m.config.n_vocab;
    if (!load_reference(&ref, dir, V) || ref.n < 3) { CHECK(0, "%s: reference", name); llm_model_free(&m); return; }
    for (q = 0; q < 3; q++) T[q] = ref.T[q];
    tol = 1e-4 * (m.wtype == LLM_DTYPE_F32 ? 1.0 : (maxabs(ref.logits[2], (size_t)T[2] * V) > 1 ? maxabs(ref.logits[2], (size_t)T[2] * V) : 1.0));
    memset(&so, 0, sizeof so);
    memset(&w, 0, sizeof w);
    so.n_threads = n_threads; so.max_batch = 5; so.n_seq_max = 4;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK && s.n_seq_max == 4, "%s: session: %s", name, llm_session_error(&s));
    /* 1. slot 2 runs prompt 2's first 6 tokens and slot 1 prompt 1's first
       3, interleaved in one batch of 9 rows (passes of 5), 4 rows kept */
    for (r = 0; r < 9; r++) {
        static const int order[9] = { 2, 1, 2, 2, 1, 2, 1, 2, 2 };
        int at = 0, k;
        for (k = 0; k < r; k++) at += order[k] == order[r];
        rows_add(&w, &ref, order[r], order[r], at);
        w.keep[r] = (int8_t)(r == 0 || r == 4 || r == 6 || r == 8);
    }
    w.b.logits = w.keep;
    w.b.pos = NULL;            /* next positions */
    CHECK(rows_run(&s, &w, &ref, V, tol, name) == 4, "%s: 4 rows keep logits", name);
    CHECK(llm_session_logits_row(&s, 1) == NULL && llm_session_logits_row(&s, 9) == NULL, "%s: rows without logits", name);
    CHECK(llm_session_seq_len(&s, 2) == 6 && llm_session_seq_len(&s, 1) == 3 && llm_session_seq_len(&s, 0) == 0 && s.pos == 0,
          "%s: lengths %zu %zu %zu", name, llm_session_seq_len(&s, 0), llm_session_seq_len(&s, 1), llm_session_seq_len(&s, 2));
    /* 2. one token per unfinished slot per step: slot 0 from position 0,
       slot 1 from 3, slot 2 from 6, all in one batch */
    for (n = 0;; n++) {
        int pos0[3] = { 0, 3, 6 };
        for (q = 0; q < 3; q++) if (pos0[q] + n < T[q]) rows_add(&w, &ref, q, q, pos0[q] + n);
        if (!w.b.n) break;
        if (n % 2) w.b.pos = NULL;
        rows_run(&s, &w, &ref, V, tol, name);
    }
    CHECK(llm_session_seq_len(&s, 0) == (size_t)T[0] && llm_session_seq_len(&s, 2) == (size_t)T[2] && s.pos == (size_t)T[0], "%s: after the steps", name);
    /* 3. fork: slot 2 holds prompt 2's first 5; slots 3, 0 and 1 share
       them. Slot 3 rewrites positions 2..5 with other tokens (prompt 1's),
       and slot 1 writes another token at position 5 in the same batch as
       slots 2 and 0 go on with prompt 2: none of it may reach them */
    llm_session_reset(&s);
    for (r = 0; r < 5; r++) rows_add(&w, &ref, 2, 2, r);
    rows_run(&s, &w, &ref, V, tol, name);
    CHECK(llm_session_seq_copy(&s, 3, 2) == LLM_OK && llm_session_seq_copy(&s, 0, 2) == LLM_OK && llm_session_seq_copy(&s, 1, 2) == LLM_OK &&
          llm_session_seq_len(&s, 3) == 5 && s.pos == 5, "%s: seq_copy", name);
    for (r = 2; r < 6; r++) { rows_add(&w, &ref, 3, 1, r - 2); w.pos[w.b.n - 1] = r; w.ref[w.b.n - 1] = -1; }
    w.b.logits = w.keep;       /* none kept */
    rows_run(&s, &w, &ref, V, tol, name);
    CHECK(llm_session_logits(&s) == NULL && llm_session_seq_len(&s, 3) == 6, "%s: no row kept", name);
    for (r = 5; r < 8; r++) rows_add(&w, &ref, 2, 2, r);
    rows_add(&w, &ref, 0, 2, 5);
    rows_add(&w, &ref, 1, 1, 0); w.pos[w.b.n - 1] = 5; w.ref[w.b.n - 1] = -1;
    CHECK(rows_run(&s, &w, &ref, V, tol, name) == 2, "%s: forks", name);
    /* 4. reorder (beams): slots 0, 1 take old slot 2 (length 8); slots 2, 3
       take old slot 0 (length 6); then each goes on with prompt 2 */
    {
        const int32_t src[4] = { 2, 2, 0, 0 };
        CHECK(llm_session_seq_reorder(&s, src, 4) == LLM_OK, "%s: reorder", name);
        CHECK(llm_session_seq_len(&s, 0) == 8 && llm_session_seq_len(&s, 1) == 8 && llm_session_seq_len(&s, 2) == 6 &&
              llm_session_seq_len(&s, 3) == 6 && s.pos == 8, "%s: lengths after reorder", name);
        for (r = 0; r < 3; r++) { rows_add(&w, &ref, 2, 2, 6 + r); rows_add(&w, &ref, 3, 2, 6 + r); }
        rows_add(&w, &ref, 1, 2, 8); rows_add(&w, &ref, 0, 2, 8);
        CHECK(rows_run(&s, &w, &ref, V, tol, name) == 4, "%s: after reorder", name);
    }
    /* 5. rewriting: slot 3 from position 4 again (drops 4..8) */
    rows_add(&w, &ref, 3, 2, 4); rows_add(&w, &ref, 3, 2, 5);
    CHECK(rows_run(&s, &w, &ref, V, tol, name) == 1 && llm_session_seq_len(&s, 3) == 6, "%s: rewrite", name);
    /* 6. bad batches change nothing */
    for (q = 0; q < 4; q++) len[q] = llm_session_seq_len(&s, q);
    {
        const float *before = llm_session_logits(&s);
        float keep0 = before ? before[0] : 0;
        int bad;
        llm_status st;
        for (bad = 0; bad < 7; bad++) {
            rows_add(&w, &ref, 0, 2, 9); rows_add(&w, &ref, 1, 2, 9); rows_add(&w, &ref, 2, 2, 9);
            if (bad == 0) w.seq[1] = 4;                         /* slot out of range */
            if (bad == 1) w.pos[1] = 11;                        /* past the slot's length */
            if (bad == 2) { rows_add(&w, &ref, 0, 2, 9); }     /* same position twice */
            if (bad == 3) { rows_add(&w, &ref, 3, 2, 6); rows_add(&w, &ref, 3, 2, 7); w.b.logits = w.keep; memset(w.keep, 1, 5); }
            if (bad == 4) w.tok[2] = V;                         /* token out of range */
            if (bad == 5) w.pos[0] = -1;
            if (bad == 6) { w.b.n = 0; }
            st = llm_session_decode(&s, &w.b);
            CHECK(st != LLM_OK && strlen(llm_session_error(&s)) > 0, "%s: bad batch %d accepted", name, bad);
            for (q = 0; q < 4; q++) CHECK(llm_session_seq_len(&s, q) == len[q], "%s: bad batch %d changed slot %d", name, bad, q);
            CHECK(llm_session_logits(&s) == before && (!before || before[0] == keep0), "%s: bad batch %d changed the logits", name, bad);
            memset(&w.b, 0, sizeof w.b);
        }
        CHECK(llm_session_seq_copy(&s, 4, 0) == LLM_ERR_INVALID_ARG && llm_session_seq_clear(&s, -1) == LLM_ERR_INVALID_ARG, "%s: bad slots", name);
        {
            const int32_t bad_src[2] = { 0, 7 };
            CHECK(llm_session_seq_reorder(&s, bad_src, 2) == LLM_ERR_INVALID_ARG && llm_session_seq_len(&s, 1) == len[1], "%s: bad reorder", name);
        }
    }
    /* the full context of one slot */
    CHECK(llm_session_seq_clear(&s, 1) == LLM_OK && llm_session_seq_len(&s, 1) == 0, "%s: clear", name);
    for (r = 0; r < T[2]; r++) rows_add(&w, &ref, 1, 2, r);
    rows_run(&s, &w, &ref, V, tol, name);
    rows_add(&w, &ref, 1, 2, 0); w.pos[0] = T[2];
    CHECK(llm_session_decode(&s, &w.b) == LLM_ERR_CONTEXT_FULL && llm_session_seq_len(&s, 1) == (size_t)T[2], "%s: past the context", name);
    memset(&w.b, 0, sizeof w.b);
    /* eval is slot 0 */
    llm_session_reset(&s);
    CHECK(llm_session_eval(&s, ref.ids[2], (size_t)T[2], NULL) == LLM_OK && s.pos == (size_t)T[2] && llm_session_seq_len(&s, 1) == 0 &&
          maxdiff(llm_session_logits(&s), ref.logits[2] + (size_t)(T[2] - 1) * V, (size_t)V) <= tol, "%s: eval in a 4-slot session", name);
    llm_session_free(&s);
    free_reference(&ref);
    llm_model_free(&m);
}

/* Float weights: a decode step of one token in each of 3 slots (at their
   own lengths 3, 5 and 6; slot q holds prompt 2 from its token q) gives exactly, bit for bit, the logits of each
   slot decoded alone, step after step (llm.h's small-batch matrix kernel
   sums each row as a batch of one; attention, layer norm and the LM head
   are per row), so sequences generated together equal each generated
   alone. */
static void test_batched_exact(const char *name, int n_threads) {
    char dir[256];
    llm_model m;
    llm_session sb, s1;
    llm_session_options so;
    reference ref;
    int V, q, step, same = 1;
    const int L[3] = { 3, 5, 6 };
    snprintf(dir, sizeof dir, "tests/data/%s", name);
    if (llm_model_load(&m, dir, NULL) != LLM_OK) { CHECK(0, "%s: load", name); return; }
    V = m.config.n_vocab;
    if (!load_reference(&ref, dir, V) || ref.n < 3 || ref.T[2] < 12) {
        CHECK(0, "%s: reference", name);
        llm_model_free(&m);
        return;
    }
    memset(&so, 0, sizeof so);
    so.n_threads = n_threads; so.n_seq_max = 3;
    CHECK(llm_session_init(&sb, &m, &so) == LLM_OK && llm_session_init(&s1, &m, &so) == LLM_OK, "%s: sessions", name);
    for (q = 0; q < 3; q++) {   /* the same prefill in both sessions */
        int32_t seq[16];
        llm_batch b;
        int i;
        for (i = 0; i < L[q]; i++) seq[i] = q;
        memset(&b, 0, sizeof b);
        b.n = (size_t)L[q]; b.token = ref.ids[2] + q; b.seq = seq;
        CHECK(llm_session_decode(&sb, &b) == LLM_OK && llm_session_decode(&s1, &b) == LLM_OK, "%s: prefill: %s", name,
              llm_session_error(&sb));
    }
    for (step = 0; step < 4; step++) {
        int32_t tok[3], seq[3] = { 0, 1, 2 };
        llm_batch b;
        memset(&b, 0, sizeof b);
        for (q = 0; q < 3; q++) tok[q] = ref.ids[2][q + L[q] + step];
        b.n = 3; b.token = tok; b.seq = seq;
        CHECK(llm_session_decode(&sb, &b) == LLM_OK, "%s: batched step", name);
        for (q = 0; q < 3; q++) {
            const float *lb, *l1;
            b.n = 1; b.token = tok + q; b.seq = seq + q;
            CHECK(llm_session_decode(&s1, &b) == LLM_OK, "%s: step alone", name);
            lb = llm_session_logits_row(&sb, (size_t)q); l1 = llm_session_logits_row(&s1, 0);
            if (!lb || !l1 || memcmp(lb, l1, (size_t)V * sizeof(float))) same = 0;
        }
    }
    CHECK(same, "%s threads=%d: a batched decode step differs from the slots decoded alone", name, n_threads);
    llm_session_free(&sb);
    llm_session_free(&s1);
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
/* Malformed 8-bit files: q8-tiny-f32 with one header string replaced by
   another of the same length (so the data offsets still hold). */
static void q8_variant(const char *file, size_t n, const char *cfg, size_t cn, const char *from, const char *to,
                       llm_status want, const char *what) {
    char *img = (char *)malloc(n), *c2 = (char *)malloc(cn + 1), *hit;
    llm_model m;
    llm_status st;
    memcpy(img, file, n);
    memcpy(c2, cfg, cn + 1);
    hit = strstr(img + 8, from);
    if (!hit) { hit = strstr(c2, from); if (hit) memcpy(hit, to, strlen(to)); }
    else memcpy(hit, to, strlen(to));
    CHECK(hit != NULL && strlen(from) == strlen(to), "q8 variant %s: pattern not found", what);
    st = llm_model_load_memory(&m, img, n, c2, cn);
    CHECK(st == want, "q8 variant %s: status %d (want %d): %s", what, (int)st, (int)want, llm_model_error(&m));
    llm_model_free(&m);
    free(img); free(c2);
}

static void test_q8_malformed(void) {
    size_t n = 0, cn = 0;
    char *file = test_read_file("tests/data/q8-tiny-f32/model.safetensors", &n), *cfg = test_read_file("tests/data/q8-tiny-f32/config.json", &cn);
    llm_model m;
    CHECK(file && cfg, "q8-tiny-f32 files");
    if (!file || !cfg) { free(file); free(cfg); return; }
    CHECK(llm_model_load_memory(&m, file, n, cfg, cn) == LLM_OK && m.wtype == LLM_DTYPE_I8, "q8-tiny-f32 loads: %s", llm_model_error(&m));
    llm_model_free(&m);
    q8_variant(file, n, cfg, cn, "h.0.mlp.c_fc.weight_scale\"", "h.0.mlp.c_fc.weight_scalX\"", LLM_ERR_SHAPE, "I8 without scales");
    q8_variant(file, n, cfg, cn, "\"shape\":[128,1],\"data_offsets\":[16128", "\"shape\":[ 64,2],\"data_offsets\":[16128",
               LLM_ERR_SHAPE, "wrong scale shape");
    q8_variant(file, n, cfg, cn, "\"dtype\":\"F16\",\"shape\":[97,1]", "\"dtype\":\"I8\" ,\"shape\":[97,2]", LLM_ERR_UNSUPPORTED,
               "I8 scales");
    q8_variant(file, n, cfg, cn, "\"shape\":[128,32]", "\"shape\":[32,128]", LLM_ERR_SHAPE, "I8 matrix not [out, in]");
    q8_variant(file, n, cfg, cn, "\"group_size\": 32, \"dynamic\": false", "\"group_size\": 64, \"dynamic\": false",
               LLM_ERR_UNSUPPORTED, "group_size 64 in config");
    q8_variant(file, n, cfg, cn, "\"num_bits\": 8, \"type\": \"int\", \"symmetric\": true, \"strategy\": \"group\", \"group_size\": 32, \"dynamic\": f",
               "\"num_bits\": 4, \"type\": \"int\", \"symmetric\": true, \"strategy\": \"group\", \"group_size\": 32, \"dynamic\": f",
               LLM_ERR_UNSUPPORTED, "num_bits 4 in config");
    free(file); free(cfg);
}

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
    CHECK(st == LLM_ERR_UNSUPPORTED && strstr(llm_model_error(&a), "prelu"), "prelu config: %s (%s)",
          llm_status_string(st), llm_model_error(&a));
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

/* llm_model_options.prefault and llm_session_options.prefault change nothing but when pages are first touched:
   the same config, tokenizer and logits as the defaults, for a file of several 1 MiB chunks with a tokenizer (the
   threads read pages while one builds the tokenizer), a sharded checkpoint and a one-chunk file. */
static void test_prefault(void) {
    static const char *dirs[] = { "models/shakespeare", "tests/data/sharded-f32", "tests/data/tiny-f32" };
    static const char text[] = "To be, or not to be: that is the question.";
    size_t d;
    for (d = 0; d < sizeof dirs / sizeof *dirs; d++) {
        llm_model a, b;
        llm_model_options mo;
        llm_session sa, sb;
        llm_session_options so;
        int32_t ia[64], ib[64] = { 0 }, k;
        size_t na = 0, nb = 0;
        llm_status r;
        memset(&mo, 0, sizeof mo);
        mo.prefault = 1;
        memset(&so, 0, sizeof so);
        so.n_threads = 2;
        r = llm_model_load(&a, dirs[d], NULL);
        CHECK(r == LLM_OK, "%s: %s", dirs[d], llm_model_error(&a));
        r = llm_model_load(&b, dirs[d], &mo);
        CHECK(r == LLM_OK, "%s prefault: %s", dirs[d], llm_model_error(&b));
        if (r != LLM_OK) { llm_model_free(&a); continue; }
        CHECK(!memcmp(&a.config, &b.config, sizeof a.config) && a.has_tokenizer == b.has_tokenizer,
              "%s prefault: another config or tokenizer", dirs[d]);
        if (a.has_tokenizer && b.has_tokenizer) {
            CHECK(llm_tokenizer_encode(&a.tokenizer, text, sizeof text - 1, 0, ia, 64, &na) == LLM_OK &&
                  llm_tokenizer_encode(&b.tokenizer, text, sizeof text - 1, 0, ib, 64, &nb) == LLM_OK &&
                  na == nb && na > 0 && !memcmp(ia, ib, na * sizeof *ia), "%s prefault: another encoding", dirs[d]);
        } else
            for (k = 0; k < 8; k++) ia[k] = ib[k] = (int32_t)(k * 7 % a.config.n_vocab), na = nb = 8;
        if (llm_session_init(&sa, &a, &so) == LLM_OK) {
            so.prefault = 1;
            r = llm_session_init(&sb, &b, &so);
            CHECK(r == LLM_OK, "%s: session prefault: %s", dirs[d], llm_session_error(&sb));
            if (r == LLM_OK) {
                CHECK(llm_session_eval(&sa, ia, na, NULL) == LLM_OK && llm_session_eval(&sb, ib, nb, NULL) == LLM_OK &&
                      !memcmp(llm_session_logits(&sa), llm_session_logits(&sb), (size_t)a.config.n_vocab * sizeof(float)),
                      "%s prefault: other logits", dirs[d]);
                llm_session_free(&sb);
            }
            llm_session_free(&sa);
        } else CHECK(0, "%s: session: %s", dirs[d], llm_session_error(&sa));
        llm_model_free(&a);
        llm_model_free(&b);
    }
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

/* A BF16 checkpoint's prompts in one batch each (max_batch 64: the [in, out] products take the packed GEMM,
   which, where built with AVX512_BF16, rounds the activations to bf16 for vdpbf16ps) against the reference
   logits: within 1e-4 of the logit scale where the activations stay f32, 1e-2 where they are rounded
   (llm.h's KERNELS chapter, BF16 DOT PRODUCTS). */
static void test_bf16_gemm(const char *name, int n_threads) {
    char dir[256];
    llm_model m;
    llm_session s;
    llm_session_options so;
    reference ref;
    int V, k, tested = 0;
    snprintf(dir, sizeof dir, "tests/data/%s", name);
    if (llm_model_load(&m, dir, NULL) != LLM_OK) { CHECK(0, "%s: load", name); return; }
    V = m.config.n_vocab;
    if (!load_reference(&ref, dir, V)) { CHECK(0, "%s: reference", name); llm_model_free(&m); return; }
    memset(&so, 0, sizeof so);
    so.n_threads = n_threads; so.max_batch = 64;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "%s: session: %s", name, llm_session_error(&s));
    for (k = 0; k < ref.n; k++) {
        int T = ref.T[k];
        float *all = (float *)malloc((size_t)T * V * sizeof(float));
        double scale = maxabs(ref.logits[k], (size_t)T * V), d, tol;
#ifdef LLM__BF16DOT
        tol = 1e-2 * (scale > 1 ? scale : 1);
#else
        tol = 1e-4 * (scale > 1 ? scale : 1);
#endif
        if (T > 64) { free(all); continue; }
        tested += T > 8;
        llm_session_reset(&s);
        CHECK(llm_session_eval(&s, ref.ids[k], (size_t)T, all) == LLM_OK, "%s: eval", name);
        d = maxdiff(all, ref.logits[k], (size_t)T * V);
        printf("  %-13s threads=%d  prompt %d (T=%d) in one batch: max|diff| %.3g (tol %.3g)\n", name, n_threads, k,
               T, d, tol);
        CHECK(d <= tol, "%s prompt %d (T=%d) in one batch: logits differ by %g (tol %g)", name, k, T, d, tol);
        free(all);
    }
    CHECK(tested > 0, "%s: no prompt longer than 8 tokens (the GEMM is not reached)", name);
    llm_session_free(&s);
    free_reference(&ref);
    llm_model_free(&m);
}

/* Each activation, scalar (llm__act1) and, in SIMD builds, the vector form
   (llm__vact), against the function computed here in double precision with
   the C library: within 3e-7 * max(1, |x|) (relu2: * max(1, x^2)) on a grid
   over [-30, 30]. */
static double act_ref(double x, int a) {
    double g = 0.5 * x * (1 + erf(x / sqrt(2.0)));
    switch (a) {
    case LLM_ACT_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
    case LLM_ACT_GELU: return g;
    case LLM_ACT_GELU_10: return g < -10 ? -10 : g > 10 ? 10 : g;
    case LLM_ACT_QUICK_GELU: return x / (1 + exp(-1.702 * x));
    case LLM_ACT_SILU: return x / (1 + exp(-x));
    case LLM_ACT_MISH: return x * tanh(x > 20 ? x : log1p(exp(x)));
    case LLM_ACT_RELU: return x > 0 ? x : 0;
    case LLM_ACT_RELU2: return x > 0 ? x * x : 0;
    case LLM_ACT_RELU6: return x > 0 ? (x < 6 ? x : 6) : 0;
    case LLM_ACT_LEAKY_RELU: return x < 0 ? 0.01 * x : x;
    case LLM_ACT_SIGMOID: return 1 / (1 + exp(-x));
    case LLM_ACT_TANH: return tanh(x);
    case LLM_ACT_LAPLACE: return 0.5 * (1 + erf((x - 0.707107) / (0.282095 * sqrt(2.0))));
    default: return x;
    }
}
static void test_activations(void) {
    int a;
    for (a = 0; a < LLM_ACT_COUNT; a++) {
        double worst_s = 0, worst_v = 0;
        int i, k;
        for (i = -30000; i <= 30000; i += 16) {
            float xs[16], ys[16];
            for (k = 0; k < 16; k++) xs[k] = (float)((i + k) * 0.001);
#ifdef LLM__VW
            for (k = 0; k < 16; k += LLM__VW) llm__vst(ys + k, llm__vact(llm__vld(xs + k), a));
#else
            for (k = 0; k < 16; k++) ys[k] = llm__act1(xs[k], a);
#endif
            for (k = 0; k < 16; k++) {
                double x = xs[k], r = act_ref(x, a), sc = a == LLM_ACT_RELU2 ? x * x : fabs(x);
                if (sc < 1) sc = 1;
                if (fabs(llm__act1(xs[k], a) - r) / sc > worst_s) worst_s = fabs(llm__act1(xs[k], a) - r) / sc;
                if (!(fabs(ys[k] - r) / sc <= worst_v)) worst_v = fabs(ys[k] - r) / sc;
            }
        }
        CHECK(worst_s <= 3e-7 && worst_v <= 3e-7, "activation %s: scalar off by %g, vector by %g (x max(1, |x|))",
              llm_activation_name((llm_activation)a), worst_s, worst_v);
    }
}

/* Layer norm of rows whose mean or variance passes the float range: the
   result is the definition's, computed here in double (issue 13: the same
   class of overflow as the sampler's). */
static void test_layernorm_huge(void) {
    enum { C = 8 };
    const float rows[3][C] = { { 1e30f, -1e30f, 3e30f, 0.0f, 2e30f, -2e30f, 5e29f, 1e29f },
                               { 3e38f, 3e38f, 3e38f, -3e38f, 1.0f, 2.0f, 3e38f, 3e38f },
                               { 1.5f, -0.5f, 2.0f, 0.25f, -1.0f, 0.0f, 3.0f, 1.0f } };
    float w[C], b[C], y[C];
    int r, i, ok = 1;
    for (i = 0; i < C; i++) { w[i] = 1.0f + 0.1f * (float)i; b[i] = 0.01f * (float)i; }
    for (r = 0; r < 3; r++) {
        double mean = 0, var = 0;
        for (i = 0; i < C; i++) mean += rows[r][i];
        mean /= C;
        for (i = 0; i < C; i++) var += (rows[r][i] - mean) * (rows[r][i] - mean);
        var /= C;
        llm__layernorm(y, rows[r], w, b, 1, C, 1e-5f, 1);
        for (i = 0; i < C; i++) {
            double want = (rows[r][i] - mean) / sqrt(var + 1e-5) * w[i] + b[i];
            if (!(fabs(y[i] - want) <= 1e-4 * (1 + fabs(want)))) {
                ok = 0;
                printf("  row %d [%d]: %g, want %g\n", r, i, (double)y[i], want);
            }
        }
    }
    CHECK(ok, "layer norm of huge rows");
}

int main(void) {
    /* the first 10 have 16 positions or more, which test_multi_seq's batches
       need; the others (8 positions) get the single-sequence checks */
    static const char *fixtures[] = { "tiny-f32", "h3-f16", "h5-bf16", "lmhead-f32", "noconfig-f32", "meta-f32",
                                      "ninner-f32", "q8-tiny-f32", "q8-h3-f16", "q8-ninner-f32",
                                      "attn-noscale", "attn-layeridx", "sharded-f32", "converted-f16",
                                      "act-gelu", "act-gelu_10", "act-quick_gelu", "act-silu", "act-mish", "act-relu",
                                      "act-relu2", "act-relu6", "act-leaky_relu", "act-sigmoid", "act-tanh",
                                      "act-laplace", "act-linear" };
    size_t i;
    for (i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        test_fixture(fixtures[i], 1);
        test_fixture(fixtures[i], 2);
        if (i < 10) test_multi_seq(fixtures[i], 1 + (int)(i % 2));
        if (i < 7) test_batched_exact(fixtures[i], 1 + (int)(i % 2));   /* the float ones */
    }
    test_bf16_gemm("h5-bf16", 1);
    test_bf16_gemm("h5-bf16", 2);
    test_activations();
    test_threads_identical();
    test_layernorm_huge();
    test_load_paths();
    test_prefault();
    test_q8_malformed();
    test_real_gpt2();
    return test_summary("test_model");
}
