/* The firmware application: llm.h with no stdio, no malloc, no OpenMP and
   no SIMD. Everything llm.h allocates comes from one caller buffer (an
   llm_arena); the weights are used where they lie (flash). See app.h. */
#define LLM_IMPLEMENTATION
#define LLM_NO_STDIO
#define LLM_NO_MALLOC
#define LLM_NO_OPENMP
#define LLM_NO_SIMD
#include "llm.h"
#include "app.h"

#ifndef APP_PROMPT
#define APP_PROMPT "ROMEO:"
#endif
#ifndef APP_NEW_TOKENS
#define APP_NEW_TOKENS 32       /* tokens generated after the prompt */
#endif
#ifndef APP_N_CTX
#define APP_N_CTX 128           /* the session's context (KV cache rows) */
#endif
#ifndef APP_MAX_BATCH
#define APP_MAX_BATCH 8         /* prompt tokens per batched step */
#endif

/* ---- output without stdio ---------------------------------------------- */

static void out_s(const char *s) { size_t n = 0; while (s[n]) n++; plat_write(s, n); }
static void out_u(uint64_t v) {
    char b[24];
    int k = 24;
    do { b[--k] = (char)('0' + v % 10); v /= 10; } while (v);
    plat_write(b + k, (size_t)(24 - k));
}
static void out_i(int64_t v) {
    if (v < 0) { out_s("-"); out_u((uint64_t)0 - (uint64_t)v); } else out_u((uint64_t)v);
}
/* v / 10^d with d decimals */
static void out_fixed(uint64_t v, int d) {
    uint64_t p = 1;
    int i;
    for (i = 0; i < d; i++) p *= 10;
    out_u(v / p);
    if (d) {
        char b[20];
        uint64_t f = v % p;
        for (i = d - 1; i >= 0; i--) { b[i] = (char)('0' + f % 10); f /= 10; }
        out_s(".");
        plat_write(b, (size_t)d);
    }
}
static void out_kv(const char *k, uint64_t v, const char *tail) { out_s(k); out_u(v); out_s(tail); }
static int fail(const char *what, llm_status r, const char *msg) {
    out_s("error: "); out_s(what); out_s(": "); out_s(llm_status_string(r));
    out_s(": "); out_s(msg); out_s("\n");
    return 1;
}

/* ---- the run --------------------------------------------------------------- */

static llm_model model;
static llm_tokenizer tok;
static llm_session sess;
static llm_sampler smp;

int app_run(const app_blobs *b, void *arena_buf, size_t arena_len) {
    static const int table_ctx[] = { 16, 32, 64, 128, 256 };
    llm_arena arena;
    llm_session_options so;
    llm_sampler_options sampo;
    llm_decoder dec;
    llm_status r;
    int32_t ids[APP_N_CTX + 1];                 /* + the token sampled at a full context */
    size_t n_prompt = 0, n, k, model_kept, model_peak, tok_kept, tok_peak, sess_need, smp_need, before, i;
    char piece[LLM_DECODER_BUFFER];
    uint64_t t0, t1, t_load, t_prefill, t_gen;
    uint32_t hz = plat_tick_hz();
    int n_gen = 0, n_steps = 0;

    out_s("llm.h "); out_s(LLM_VERSION_STRING); out_s(" on "); out_s(plat_name()); out_s("\n");
    if (llm_arena_init(&arena, arena_buf, arena_len) != LLM_OK) { out_s("error: arena\n"); return 1; }
    out_kv("arena: ", arena.size, " bytes\n");

    /* model: weights stay in flash; the arena gets the tensor table, the
       layer table and the small vectors converted to f32 */
    t0 = plat_ticks();
    r = llm_model_load_memory_arena(&model, b->model, b->model_len, b->config, b->config_len, &arena);
    if (r != LLM_OK) return fail("model", r, llm_model_error(&model));
    model_kept = arena.kept; model_peak = arena.peak;
    r = llm_tokenizer_load_memory_arena(&tok, b->vocab, b->vocab_len, b->merges, b->merges_len, &arena);
    if (r != LLM_OK) return fail("tokenizer", r, llm_tokenizer_error(&tok));
    t_load = plat_ticks() - t0;
    tok_kept = arena.kept - model_kept; tok_peak = arena.peak;
    out_kv("model: ", (uint64_t)model.config.n_layer, " layers, ");
    out_kv("n_embd ", (uint64_t)model.config.n_embd, ", ");
    out_kv("vocab ", (uint64_t)model.config.n_vocab, ", ");
    out_kv("weights ", b->model_len, " bytes in place at 0x");
    {
        char h[8];
        uintptr_t p = (uintptr_t)b->model;
        int q;
        for (q = 7; q >= 0; q--) { h[q] = "0123456789abcdef"[p & 15]; p >>= 4; }
        plat_write(h, 8);
    }
    out_s("\n");
    out_kv("arena model: ", model_kept, " bytes kept, ");
    out_kv("", model_peak, " at peak\n");
    out_kv("arena tokenizer: ", tok_kept, " bytes kept, ");
    out_kv("", tok_peak, " at peak (model included)\n");

    /* session and sampler: llm.h says beforehand what they take */
    memset(&so, 0, sizeof so);
    so.n_ctx = APP_N_CTX;
    so.max_batch = APP_MAX_BATCH;
    r = llm_session_heap_size(&model.config, &so, &sess_need, NULL);
    if (r != LLM_OK) return fail("session size", r, "");
    r = llm_sampler_heap_size((size_t)model.config.n_vocab, &smp_need, NULL);
    if (r != LLM_OK) return fail("sampler size", r, "");
    before = arena.kept;
    r = llm_session_init_arena(&sess, &model, &so, &arena);
    if (r != LLM_OK) return fail("session", r, llm_session_error(&sess));
    out_kv("arena session (n_ctx ", (uint64_t)APP_N_CTX, "): ");
    out_kv("predicted ", sess_need, ", ");
    out_kv("used ", arena.kept - before, arena.kept - before == sess_need ? " (equal)\n" : " (DIFFERENT)\n");
    if (arena.kept - before != sess_need) return 1;
    memset(&sampo, 0, sizeof sampo);              /* temperature 0: greedy */
    before = arena.kept;
    r = llm_sampler_init_arena(&smp, &sampo, (size_t)model.config.n_vocab, &arena);
    if (r != LLM_OK) return fail("sampler", r, llm_sampler_error(&smp));
    out_kv("arena sampler: predicted ", smp_need, ", ");
    out_kv("used ", arena.kept - before, arena.kept - before == smp_need ? " (equal)\n" : " (DIFFERENT)\n");
    if (arena.kept - before != smp_need) return 1;
    out_kv("arena total: ", arena.peak, " bytes at peak, ");
    out_kv("", arena.kept, " in use\n");

    /* RAM for other context lengths (same model, tokenizer and sampler) */
    out_s("ram-vs-ctx: n_ctx kv_cache_bytes session_bytes arena_bytes\n");
    for (i = 0; i < sizeof table_ctx / sizeof table_ctx[0]; i++) {
        llm_session_options o2 = so;
        size_t need, total;
        if (table_ctx[i] > model.config.n_ctx) continue;
        o2.n_ctx = table_ctx[i];
        if (llm_session_heap_size(&model.config, &o2, &need, NULL) != LLM_OK) continue;
        total = model_kept + tok_kept + need + smp_need;
        if (tok_peak > total) total = tok_peak;
        out_kv("ram-vs-ctx: ", (uint64_t)table_ctx[i], " ");
        out_kv("", 2u * sizeof(float) * (uint64_t)model.config.n_layer * (uint64_t)table_ctx[i] * (uint64_t)model.config.n_embd, " ");
        out_kv("", need, " ");
        out_kv("", total, "\n");
    }

    /* prompt */
    r = llm_tokenizer_encode(&tok, APP_PROMPT, sizeof APP_PROMPT - 1, 0, ids, APP_N_CTX, &n_prompt);
    if (r != LLM_OK) return fail("encode", r, "");
    out_s("prompt: \"" APP_PROMPT "\" = ");
    out_u(n_prompt); out_s(" tokens\n");

    t0 = plat_ticks();
    r = llm_session_eval(&sess, ids, n_prompt, NULL);
    if (r != LLM_OK) return fail("prefill", r, llm_session_error(&sess));
    t1 = plat_ticks();
    t_prefill = t1 - t0;

    /* greedy decoding: the text as it comes, then the ids */
    out_s("text: " APP_PROMPT);
    llm_decoder_init(&dec);
    n = n_prompt;
    for (;;) {
        int32_t id;
        r = llm_sampler_sample(&smp, llm_session_logits(&sess), ids, n, &id);
        if (r != LLM_OK) return fail("sample", r, llm_sampler_error(&smp));
        ids[n++] = id;
        n_gen++;
        if (id == model.config.eos_id) break;
        if (llm_decoder_push(&dec, &tok, id, piece, sizeof piece, &k) == LLM_OK) plat_write(piece, k);
        if (n_gen >= APP_NEW_TOKENS || n >= (size_t)APP_N_CTX) break;
        r = llm_session_eval(&sess, &id, 1, NULL);
        if (r != LLM_OK) return fail("eval", r, llm_session_error(&sess));
        n_steps++;
    }
    k = llm_decoder_flush(&dec, piece, sizeof piece);
    plat_write(piece, k);
    t_gen = plat_ticks() - t1;
    out_s("\nids:");
    for (i = 0; i < n; i++) { out_s(" "); out_i(ids[i]); }
    out_s("\n");

    /* speed: ticks, and one-token forward passes per second (in
       thousandths); the first new token comes from the prefill's logits */
    out_kv("ticks: ", hz, " Hz, ");
    out_kv("load ", t_load, ", ");
    out_kv("prefill ", t_prefill, " for ");
    out_kv("", (uint64_t)n_prompt, " tokens, ");
    out_kv("generate ", t_gen, " for ");
    out_kv("", (uint64_t)n_gen, " tokens (");
    out_kv("", (uint64_t)n_steps, " forward passes + sampling)\n");
    if (t_gen && n_steps) {
        out_s("tokens/s: ");
        out_fixed((uint64_t)n_steps * hz * 1000u / t_gen, 3);
        out_s("\n");
    }
    llm_sampler_free(&smp);
    llm_session_free(&sess);
    llm_tokenizer_free(&tok);
    llm_model_free(&model);
    out_kv("arena after freeing: ", arena.kept + arena.temp, " bytes in use\n");
    return arena.kept + arena.temp == 0 ? 0 : 1;
}
