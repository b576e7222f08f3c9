/* The embedded configuration (examples/firmware, docs/embedded.md): llm.h
   built with LLM_NO_STDIO and LLM_NO_OPENMP, the shipped
   model and tokenizer loaded from memory buffers into llm_arena buffers.
   Checks that the sizes llm.h predicts (llm_*_heap_size) are exactly what
   the loads use, that a buffer one block too small fails cleanly and leaves
   the arena as it was, that the arena path never calls the allocator, and
   that greedy generation through it gives the same ids as llm_generate.
   (The LLM_NO_MALLOC build itself runs in make check-embedded, through the
   firmware application built for the host.) */
#include <stddef.h>
static int emb_forbid, emb_calls;     /* LLM_MALLOC calls while forbidden */
static void *emb_malloc(size_t n);
static void emb_free(void *p);
#define LLM_MALLOC(n) emb_malloc(n)
#define LLM_FREE(p) emb_free(p)
#define LLM_NO_STDIO
#define LLM_NO_OPENMP
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include <stdlib.h>

static void *emb_malloc(size_t n) {
    if (emb_forbid) { emb_calls++; return NULL; }
    return malloc(n);
}
static void emb_free(void *p) { free(p); }

#define MODEL "models/shakespeare"
#define N_NEW 24

static char *st, *cfg, *voc, *mrg;
static size_t st_n, cfg_n, voc_n, mrg_n;

/* The load of kind k (0 model, 1 tokenizer) into arena a. */
static llm_status load(int k, llm_model *m, llm_tokenizer *t, llm_arena *a) {
    return k == 0 ? llm_model_load_memory_arena(m, st, st_n, cfg, cfg_n, a)
                  : llm_tokenizer_load_memory_arena(t, voc, voc_n, mrg, mrg_n, a);
}
static void unload(int k, llm_model *m, llm_tokenizer *t) { if (k == 0) llm_model_free(m); else llm_tokenizer_free(t); }
static const char *errmsg(int k, llm_model *m, llm_tokenizer *t) { return k == 0 ? llm_model_error(m) : llm_tokenizer_error(t); }

/* Exact prediction, and clean failures in smaller buffers. */
static void check_exact(int k, size_t peak, size_t kept) {
    static const char *name[2] = { "model", "tokenizer" };
    size_t sizes[5], i;
    unsigned char *buf = (unsigned char *)malloc(peak + LLM_ARENA_ALIGN);
    llm_model m;
    llm_tokenizer t;
    llm_arena a;
    llm_status r;
    if (!buf) { CHECK(0, "out of memory"); return; }
    /* exactly peak bytes, from an aligned start */
    llm_arena_init(&a, buf + ((size_t)(-(uintptr_t)buf) & (LLM_ARENA_ALIGN - 1)), peak);
    CHECK(a.size == peak, "%s: arena of %zu bytes has %zu usable", name[k], peak, a.size);
    emb_forbid = 1; emb_calls = 0;
    r = load(k, &m, &t, &a);
    emb_forbid = 0;
    CHECK(r == LLM_OK, "%s: load into exactly the predicted %zu bytes: %s (%s)", name[k], peak, llm_status_string(r), errmsg(k, &m, &t));
    CHECK(emb_calls == 0, "%s: the arena load called LLM_MALLOC %d times", name[k], emb_calls);
    CHECK(a.peak == peak && a.kept == kept && a.temp == 0, "%s: peak %zu kept %zu temp %zu, predicted peak %zu kept %zu",
          name[k], a.peak, a.kept, a.temp, peak, kept);
    unload(k, &m, &t);
    CHECK(a.kept == 0 && a.temp == 0, "%s: freeing left %zu + %zu bytes in the arena", name[k], a.kept, a.temp);
    /* smaller: every size from peak - 1 down to peak - 64, and a few more */
    sizes[0] = peak - LLM_ARENA_ALIGN; sizes[1] = peak / 2; sizes[2] = kept - 1; sizes[3] = LLM_ARENA_ALIGN; sizes[4] = 0;
    for (i = 0; i < 5 + 64; i++) {
        size_t n = i < 5 ? sizes[i] : peak - (i - 4);
        llm_arena_init(&a, buf + ((size_t)(-(uintptr_t)buf) & (LLM_ARENA_ALIGN - 1)), n);
        emb_forbid = 1;
        r = load(k, &m, &t, &a);
        emb_forbid = 0;
        CHECK(r == LLM_ERR_OUT_OF_MEMORY, "%s: %zu bytes (need %zu) gave %s", name[k], n, peak, llm_status_string(r));
        CHECK(strstr(errmsg(k, &m, &t), "out of memory") != NULL, "%s: %zu bytes: message \"%s\"", name[k], n, errmsg(k, &m, &t));
        CHECK(a.kept == 0 && a.temp == 0, "%s: the failed load left %zu + %zu bytes in the arena", name[k], a.kept, a.temp);
        unload(k, &m, &t);                           /* safe after a failed load */
    }
    free(buf);
}

static void check_api(void) {
    llm_arena a;
    unsigned char buf[64];
    llm_model m;
    llm_tokenizer t;
    llm_session s;
    llm_sampler smp;
    CHECK(llm_arena_init(NULL, buf, 64) == LLM_ERR_INVALID_ARG, "NULL arena accepted");
    CHECK(llm_arena_init(&a, NULL, 8) == LLM_ERR_INVALID_ARG, "NULL buffer with a size accepted");
    CHECK(llm_arena_init(&a, NULL, 0) == LLM_OK && a.base == NULL && a.size == (size_t)-1, "measuring arena");
    CHECK(llm_arena_init(&a, buf + 1, 40) == LLM_OK && ((uintptr_t)a.base & (LLM_ARENA_ALIGN - 1)) == 0 &&
          a.size <= 39 && a.size % LLM_ARENA_ALIGN == 0 && a.base + a.size <= buf + 41, "unaligned buffer: base %p size %zu", (void *)a.base, a.size);
    CHECK(llm_arena_init(&a, buf + 1, 3) == LLM_OK && a.size == 0, "tiny buffer: size %zu", a.size);
    CHECK(llm_model_load_memory_arena(&m, st, st_n, cfg, cfg_n, NULL) == LLM_ERR_INVALID_ARG && strstr(llm_model_error(&m), "arena"), "model: NULL arena");
    llm_model_free(&m);
    CHECK(llm_tokenizer_load_memory_arena(&t, voc, voc_n, mrg, mrg_n, NULL) == LLM_ERR_INVALID_ARG && strstr(llm_tokenizer_error(&t), "arena"), "tokenizer: NULL arena");
    llm_tokenizer_free(&t);
    CHECK(llm_session_init_arena(&s, NULL, NULL, NULL) == LLM_ERR_INVALID_ARG, "session: NULL arena");
    CHECK(llm_sampler_init_arena(&smp, NULL, 10, NULL) == LLM_ERR_INVALID_ARG, "sampler: NULL arena");
    {
        size_t peak = 1, kept = 1;
        CHECK(llm_sampler_heap_size(0, &peak, &kept) == LLM_ERR_INVALID_ARG && peak == 0 && kept == 0,
              "sampler size for n_vocab 0");
        CHECK(llm_sampler_heap_size(10, NULL, &kept) == LLM_ERR_INVALID_ARG && kept == 0, "sampler size, NULL peak");
    }
    {   /* stdio is compiled out */
        CHECK(llm_model_load(&m, MODEL, NULL) == LLM_ERR_UNSUPPORTED, "llm_model_load with LLM_NO_STDIO");
        llm_model_free(&m);
    }
}

int main(void) {
    size_t mp = 0, mk = 0, tp = 0, tk = 0, sp, sk, smp_need, smp_kept, total, used, i, n_prompt = 0, n;
    llm_session_options so;
    llm_sampler_options sopt;
    llm_model m, m2;
    llm_tokenizer t, t2;
    llm_session s, s2;
    llm_sampler smp;
    llm_arena a;
    llm_generation g;
    llm_generate_options go;
    unsigned char *buf;
    int32_t ids[256];
    llm_status r;
    int ctx;

    st = test_read_file(MODEL "/model.safetensors", &st_n);
    cfg = test_read_file(MODEL "/config.json", &cfg_n);
    voc = test_read_file(MODEL "/vocab.json", &voc_n);
    mrg = test_read_file(MODEL "/merges.txt", &mrg_n);
    if (!st || !cfg || !voc || !mrg) { SKIP("%s is missing", MODEL); return test_summary("test_embedded"); }
    check_api();

    /* predictions */
    r = llm_model_heap_size(st, st_n, cfg, cfg_n, &mp, &mk);
    CHECK(r == LLM_OK && mp >= mk && mk > 0, "llm_model_heap_size: %s %zu %zu", llm_status_string(r), mp, mk);
    r = llm_tokenizer_heap_size(voc, voc_n, mrg, mrg_n, &tp, &tk);
    CHECK(r == LLM_OK && tp > tk && tk > 0, "llm_tokenizer_heap_size: %s %zu %zu", llm_status_string(r), tp, tk);
    CHECK(llm_model_heap_size(st, 16, cfg, cfg_n, &sp, NULL) == LLM_ERR_FORMAT && sp == 0, "heap size of a broken model");
    CHECK(llm_model_heap_size(st, st_n, cfg, cfg_n, NULL, NULL) == LLM_ERR_INVALID_ARG, "heap size with NULL peak");
    printf("test_embedded: model %zu bytes kept (%zu at peak), tokenizer %zu kept (%zu at peak)\n", mk, mp, tk, tp);
    check_exact(0, mp, mk);
    check_exact(1, tp, tk);

    /* the session and sampler: predicted without allocating, for several contexts */
    r = llm_model_load_memory(&m2, st, st_n, cfg, cfg_n);
    CHECK(r == LLM_OK, "model (malloc): %s", llm_model_error(&m2));
    if (r != LLM_OK) return test_summary("test_embedded");
    memset(&so, 0, sizeof so);
    for (ctx = 1; ctx <= 256; ctx = ctx < 8 ? ctx + 1 : ctx * 2) {
        so.n_ctx = ctx;
        so.max_batch = ctx % 3 ? 8 : 0;
        so.prefix_cache = ctx % 2;       /* with and without the prefix cache's bookkeeping */
        so.n_seq_max = ctx % 4 == 1 ? 2 : 0;
        r = llm_session_heap_size(&m2.config, &so, &sp, &sk);
        CHECK(r == LLM_OK && sk == sp, "session size, n_ctx %d: %s", ctx, llm_status_string(r));
        buf = (unsigned char *)malloc(sp + 2 * LLM_ARENA_ALIGN);
        llm_arena_init(&a, buf + LLM_ARENA_ALIGN - ((uintptr_t)buf & (LLM_ARENA_ALIGN - 1)), sp);
        emb_forbid = 1; emb_calls = 0;
        r = llm_session_init_arena(&s, &m2, &so, &a);
        CHECK(r == LLM_OK && a.peak == sp && a.kept == sp && emb_calls == 0, "session n_ctx %d in %zu bytes: %s, peak %zu", ctx, sp, llm_session_error(&s), a.peak);
        llm_session_free(&s);
        llm_arena_init(&a, a.base, sp - 1);
        r = llm_session_init_arena(&s, &m2, &so, &a);
        CHECK(r == LLM_ERR_OUT_OF_MEMORY && a.kept == 0 && strstr(llm_session_error(&s), "out of memory"), "session n_ctx %d in %zu - 1 bytes: %s", ctx, sp, llm_status_string(r));
        llm_session_free(&s);
        emb_forbid = 0;
        free(buf);
    }
    so.n_ctx = 300; so.prefix_cache = 0; so.n_seq_max = 0;
    CHECK(llm_session_heap_size(&m2.config, &so, &sp, &sk) == LLM_ERR_INVALID_ARG && sp == 0 && sk == 0,
          "session size past the model's context");
    CHECK(llm_session_heap_size(NULL, NULL, &sp, NULL) == LLM_ERR_INVALID_ARG, "session size of NULL config");
    CHECK(llm_session_heap_size(&m2.config, NULL, NULL, &sk) == LLM_ERR_INVALID_ARG && sk == 0,
          "session size, NULL peak");
    r = llm_sampler_heap_size((size_t)m2.config.n_vocab, &smp_need, &smp_kept);
    CHECK(r == LLM_OK && smp_kept == smp_need && smp_need > 0, "sampler size: %s", llm_status_string(r));

    /* everything in one arena, sized beforehand: model, tokenizer, session
       (n_ctx 64, batches of 8), sampler */
    so.n_ctx = 64; so.max_batch = 8;
    llm_session_heap_size(&m2.config, &so, &sp, NULL);
    total = mk + tk + sp + smp_need;
    if (mp > total) total = mp;
    if (mk + tp > total) total = mk + tp;
    buf = (unsigned char *)malloc(total + LLM_ARENA_ALIGN);
    llm_arena_init(&a, buf + ((size_t)(-(uintptr_t)buf) & (LLM_ARENA_ALIGN - 1)), total);
    memset(&sopt, 0, sizeof sopt);
    emb_forbid = 1; emb_calls = 0;
    r = llm_model_load_memory_arena(&m, st, st_n, cfg, cfg_n, &a);
    CHECK(r == LLM_OK, "model: %s", llm_model_error(&m));
    r = llm_tokenizer_load_memory_arena(&t, voc, voc_n, mrg, mrg_n, &a);
    CHECK(r == LLM_OK, "tokenizer: %s", llm_tokenizer_error(&t));
    r = llm_session_init_arena(&s, &m, &so, &a);
    CHECK(r == LLM_OK, "session: %s", llm_session_error(&s));
    r = llm_sampler_init_arena(&smp, &sopt, (size_t)m.config.n_vocab, &a);
    CHECK(r == LLM_OK, "sampler: %s", llm_sampler_error(&smp));
    CHECK(a.peak == total && a.kept == mk + tk + sp + smp_need && a.temp == 0,
          "one arena: peak %zu (predicted %zu), kept %zu", a.peak, total, a.kept);
    printf("test_embedded: model + tokenizer + session (n_ctx 64) + sampler: %zu bytes\n", total);
    /* greedy generation through the arena objects */
    r = llm_tokenizer_encode(&t, "ROMEO:", 6, 0, ids, 256, &n_prompt);
    CHECK(r == LLM_OK && n_prompt > 0, "encode: %s", llm_status_string(r));
    r = llm_session_eval(&s, ids, n_prompt, NULL);
    CHECK(r == LLM_OK, "prefill: %s", llm_session_error(&s));
    n = n_prompt;
    for (i = 0; r == LLM_OK && i < N_NEW; i++) {
        int32_t id;
        r = llm_sampler_sample(&smp, llm_session_logits(&s), ids, n, &id);
        ids[n++] = id;
        if (r == LLM_OK && i + 1 < N_NEW) r = llm_session_eval(&s, &id, 1, NULL);
    }
    CHECK(r == LLM_OK, "generation: %s", llm_status_string(r));
    CHECK(emb_calls == 0, "the arena objects called LLM_MALLOC %d times (encode included)", emb_calls);
    emb_forbid = 0;
    used = a.kept;
    llm_sampler_free(&smp);
    llm_session_free(&s);
    llm_tokenizer_free(&t);
    llm_model_free(&m);
    CHECK(a.kept == 0 && a.temp == 0, "freeing everything left %zu + %zu of %zu bytes", a.kept, a.temp, used);
    free(buf);

    /* the same with the ordinary (malloc) objects and llm_generate */
    r = llm_tokenizer_load_memory(&t2, voc, voc_n, mrg, mrg_n);
    CHECK(r == LLM_OK, "tokenizer (malloc): %s", llm_tokenizer_error(&t2));
    r = llm_session_init(&s2, &m2, &so);
    CHECK(r == LLM_OK, "session (malloc): %s", llm_session_error(&s2));
    memset(&go, 0, sizeof go);
    go.max_new_tokens = N_NEW;
    go.ignore_eos = 1;
    r = llm_generate(&s2, ids, n_prompt, &go, &g);
    CHECK(r == LLM_OK && g.n_seqs == 1, "llm_generate: %s", llm_session_error(&s2));
    if (r == LLM_OK) {
        CHECK(g.seqs[0].n_ids == n, "llm_generate gave %zu ids, the arena path %zu", g.seqs[0].n_ids, n);
        for (i = 0; i < n && i < g.seqs[0].n_ids; i++)
            if (g.seqs[0].ids[i] != ids[i]) break;
        CHECK(i == n, "ids differ at %zu: %d (llm_generate) vs %d (arena)", i, (int)g.seqs[0].ids[i], (int)ids[i]);
    }
    llm_generation_free(&g);
    llm_session_free(&s2);
    llm_tokenizer_free(&t2);
    llm_model_free(&m2);
    free(st); free(cfg); free(voc); free(mrg);
    return test_summary("test_embedded");
}
