/* The prefix cache of the session's KV block pool (llm_session_options.
   prefix_cache): a prompt that starts with cached blocks gives bit for bit
   the logits of evaluating it cold in a session without the cache
   (llm_session_eval of the whole prompt in an empty session), reuses the
   number of positions the hit rule says, and stays right under eviction,
   rewrites and copy on write. The reference of every comparison is a
   session without the cache. Model: models/shakespeare (n_ctx 256). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#define MODEL "models/shakespeare"

static llm_model m;
static int V;

/* a prompt: ids[i] from a seed, distinct for distinct seeds */
static void prompt(int32_t *ids, size_t n, int seed) {
    size_t i;
    for (i = 0; i < n; i++) ids[i] = (int32_t)(((size_t)seed * 977 + i * 131 + 7) % (size_t)V);
}

/* logits of ids[n - 1] evaluated cold (no cache, one call), into out */
static void cold(const int32_t *ids, size_t n, float *out) {
    llm_session s;
    if (llm_session_init(&s, &m, NULL) != LLM_OK || llm_session_eval(&s, ids, n, NULL) != LLM_OK) {
        memset(out, 0, (size_t)V * sizeof(float));
    } else memcpy(out, llm_session_logits(&s), (size_t)V * sizeof(float));
    llm_session_free(&s);
}

/* prefill_cached of ids into slot seq: *n_cached as expected, logits bit-identical to cold */
static void check_prefill(llm_session *s, int seq, const int32_t *ids, size_t n, size_t want_cached, const char *what) {
    float *ref = (float *)malloc((size_t)V * sizeof(float));
    size_t k = 999;
    llm_status r = llm_session_seq_prefill_cached(s, seq, ids, n, &k);
    const float *lg = llm_session_logits(s);
    cold(ids, n, ref);
    CHECK(r == LLM_OK, "%s: %s", what, llm_session_error(s));
    CHECK(k == want_cached, "%s: %zu tokens reused, expected %zu", what, k, want_cached);
    CHECK(llm_session_seq_len(s, seq) == n, "%s: slot length %zu", what, llm_session_seq_len(s, seq));
    CHECK(lg && !memcmp(lg, ref, (size_t)V * sizeof(float)), "%s: logits differ from the cold evaluation", what);
    free(ref);
}

static llm_status init(llm_session *s, int n_ctx, int n_seq_max, int cache) {
    llm_session_options o;
    memset(&o, 0, sizeof o);
    o.n_ctx = n_ctx; o.n_seq_max = n_seq_max; o.prefix_cache = cache;
    return llm_session_init(s, &m, &o);
}

/* same prompt, prompts sharing 1, 2 or 3 blocks, shorter than a block,
   equal to the cached length, and the size-class rule */
static void test_hits(int n_seq_max) {
    llm_session s;
    int32_t P[80], Q[80];
    llm_prefix_cache_stats st;
    char what[96];
    int j, q = n_seq_max - 1;
    if (init(&s, 0, n_seq_max, 1) != LLM_OK) { CHECK(0, "init"); return; }
    prompt(P, 80, 1);
    check_prefill(&s, q, P, 60, 0, "cold prefill");
    check_prefill(&s, q, P, 60, 48, "same prompt again");       /* 3 whole blocks, 12 rows evaluated */
    for (j = 1; j <= 3; j++) {
        memcpy(Q, P, sizeof P);
        prompt(Q + 16 * j, 80 - 16 * (size_t)j, 100 + j);        /* differs from position 16 j on */
        snprintf(what, sizeof what, "sharing %d blocks (n_seq_max %d)", j, n_seq_max);
        check_prefill(&s, q, Q, 16 * (size_t)j + 20, 16 * (size_t)j, what);
        check_prefill(&s, q, P, 60, 48, "the first prompt after it");
    }
    check_prefill(&s, q, P, 10, 0, "shorter than a block");
    check_prefill(&s, q, P, 16, 0, "one block: its last token is evaluated");
    check_prefill(&s, q, P, 48, 32, "equal to the cached length: the last block evaluated");
    check_prefill(&s, q, P, 49, 32, "one past the cached length: 1 row alone would change size class");
    /* 50 tokens: 3 blocks cached, but 2 rows alone would be a pass of
       another size class than llm_session_eval's [0, 50): 2 blocks reused */
    check_prefill(&s, q, P, 50, 32, "size-class rule");
    check_prefill(&s, q, P, 57, 48, "9 rows evaluated");
    /* attach alone: 3 blocks, then the rest by decode */
    {
        size_t k = 0;
        llm_batch b;
        int32_t seqs[12];
        float *ref = (float *)malloc((size_t)V * sizeof(float));
        for (j = 0; j < 12; j++) seqs[j] = q;
        CHECK(llm_session_seq_attach_cached(&s, q, P, 60, &k) == LLM_OK && k == 48 && llm_session_seq_len(&s, q) == 48,
              "attach: %zu", k);
        memset(&b, 0, sizeof b);
        b.n = 12; b.token = P + 48; b.seq = seqs;
        CHECK(llm_session_decode(&s, &b) == LLM_OK, "decode after attach: %s", llm_session_error(&s));
        cold(P, 60, ref);
        CHECK(llm_session_logits(&s) && !memcmp(llm_session_logits(&s), ref, (size_t)V * sizeof(float)),
              "attach + decode: logits differ");
        free(ref);
    }
    CHECK(llm_session_prefix_cache_stats(&s, &st) == LLM_OK, "stats");
    CHECK(st.lookups == 15 && st.hits == 12 &&
          st.tokens_reused == 48 + 16 + 48 + 32 + 48 + 48 + 48 + 32 + 32 + 32 + 48 + 48 && st.evictions == 0 &&
          st.blocks_cached > 0 && st.blocks_total == (size_t)n_seq_max * 16,
          "stats: %llu lookups, %llu hits, %llu reused, %llu evictions, %zu / %zu blocks",
          (unsigned long long)st.lookups, (unsigned long long)st.hits, (unsigned long long)st.tokens_reused,
          (unsigned long long)st.evictions, st.blocks_cached, st.blocks_total);
    llm_session_prefix_cache_clear(&s);                      /* slot q's blocks are in use: kept */
    check_prefill(&s, q, P, 60, 48, "llm_session_prefix_cache_clear keeps blocks in use");
    CHECK(llm_session_seq_clear(&s, q) == LLM_OK, "clear slot");
    llm_session_prefix_cache_clear(&s);
    check_prefill(&s, q, P, 60, 0, "after llm_session_prefix_cache_clear");
    llm_session_free(&s);
}

/* a pool of 8 blocks (2 slots of n_ctx 64), prompts of 3 blocks each with
   distinct first blocks: more prefixes than fit; the least recently used go */
static void test_eviction(void) {
    llm_session s;
    llm_prefix_cache_stats st;
    int32_t P[8][48];
    char what[64];
    int i;
    if (init(&s, 64, 2, 1) != LLM_OK) { CHECK(0, "init"); return; }
    for (i = 0; i < 8; i++) prompt(P[i], 48, 10 + i);
    for (i = 0; i < 6; i++) {
        snprintf(what, sizeof what, "prefix %d, first time", i);
        check_prefill(&s, 0, P[i], 44, 0, what);
        llm_session_seq_clear(&s, 0);
    }
    CHECK(llm_session_prefix_cache_stats(&s, &st) == LLM_OK && st.evictions > 0 && st.blocks_cached <= 8,
          "evictions %llu, %zu blocks cached", (unsigned long long)st.evictions, st.blocks_cached);
    check_prefill(&s, 0, P[5], 44, 32, "the newest prefix still hits");
    check_prefill(&s, 0, P[0], 44, 0, "the oldest prefix was evicted");
    /* slot 1 holds a prefix while slot 0 churns through the others: held blocks are never evicted */
    check_prefill(&s, 1, P[6], 44, 0, "slot 1 holds prefix 6");
    for (i = 0; i < 5; i++) {
        snprintf(what, sizeof what, "slot 0 churns: prefix %d", i);
        check_prefill(&s, 0, P[i], 48, i == 0 ? 32 : 0, what);   /* 0: the blocks the line above cached */
    }
    check_prefill(&s, 0, P[6], 44, 32, "prefix 6, held by slot 1, hits");
    llm_session_free(&s);
}

/* A cleared sequence's blocks shared by a second sequence that continues
   and rewrites inside them (copy on write), then a third sequence reuses
   them intact. */
static void test_reuse(void) {
    llm_session s;
    int32_t P[64], Q[64], tok = 5, pos = 20, seq1 = 1, rpos[11];
    int i;
    llm_batch b;
    if (init(&s, 0, 3, 1) != LLM_OK) { CHECK(0, "init"); return; }
    prompt(P, 64, 3);
    check_prefill(&s, 0, P, 60, 0, "sequence 0");
    CHECK(llm_session_seq_clear(&s, 0) == LLM_OK, "clear 0");
    check_prefill(&s, 1, P, 44, 32, "sequence 1 shares 2 cleared blocks");
    memset(&b, 0, sizeof b);                                   /* sequence 1 rewrites position 20 */
    b.n = 1; b.token = &tok; b.seq = &seq1; b.pos = &pos;
    CHECK(llm_session_decode(&s, &b) == LLM_OK && llm_session_seq_len(&s, 1) == 21, "rewrite in sequence 1");
    check_prefill(&s, 2, P, 60, 48, "sequence 2 after sequence 1's rewrite");
    /* sequence 2 continues token by token */
    tok = 9;
    b.seq = &seq1; b.pos = NULL;
    seq1 = 2;
    CHECK(llm_session_decode(&s, &b) == LLM_OK, "sequence 2 continues");
    check_prefill(&s, 0, P, 60, 48, "sequence 0 again");
    /* a slot of its own rewrites positions 5..15 of cached block 0 (11
       rows: the size class of a prefill): a copy is written, so both the
       new prefix and the old one hit */
    llm_session_free(&s);
    if (init(&s, 0, 1, 1) != LLM_OK) { CHECK(0, "init 1"); return; }
    check_prefill(&s, 0, P, 60, 0, "one slot, cold");
    memcpy(Q, P, sizeof Q);
    Q[5] = (P[5] + 1) % V;
    for (i = 0; i < 11; i++) rpos[i] = 5 + i;
    memset(&b, 0, sizeof b);
    b.n = 11; b.token = Q + 5; b.pos = rpos;
    CHECK(llm_session_decode(&s, &b) == LLM_OK && llm_session_seq_len(&s, 0) == 16, "rewrite positions 5..15");
    check_prefill(&s, 0, Q, 60, 16, "Q: its block 0 hits, P's block 1 does not follow it");
    check_prefill(&s, 0, P, 60, 48, "P: intact");
    llm_session_free(&s);
}

/* A full pool (one slot of n_ctx 32: 2 blocks, both cached and in use)
   rewriting position 31: no block is free for a copy, so the cached block
   leaves the cache and is written in place (no crash); the results equal a
   session without the cache doing the same. */
static void test_pool_full(void) {
    llm_session a, b;
    int32_t P[32], tok, pos = 31;
    llm_batch bt;
    llm_prefix_cache_stats st;
    size_t k = 9;
    if (init(&a, 32, 1, 1) != LLM_OK || init(&b, 32, 1, 0) != LLM_OK) { CHECK(0, "init"); return; }
    prompt(P, 32, 6);
    tok = (P[31] + 1) % V;
    CHECK(llm_session_eval(&a, P, 32, NULL) == LLM_OK && llm_session_eval(&b, P, 32, NULL) == LLM_OK, "eval");
    CHECK(llm_session_prefix_cache_stats(&a, &st) == LLM_OK && st.blocks_cached == 2, "2 blocks cached");
    memset(&bt, 0, sizeof bt);
    bt.n = 1; bt.token = &tok; bt.pos = &pos;
    CHECK(llm_session_decode(&a, &bt) == LLM_OK && llm_session_decode(&b, &bt) == LLM_OK, "rewrite position 31");
    CHECK(llm_session_logits(&a) && llm_session_logits(&b) &&
          !memcmp(llm_session_logits(&a), llm_session_logits(&b), (size_t)V * sizeof(float)),
          "pool full: logits differ");
    /* block 1 left the cache, and joined it again with its new last token */
    CHECK(llm_session_prefix_cache_stats(&a, &st) == LLM_OK && st.blocks_cached == 2 && st.evictions == 0,
          "blocks cached: %zu", st.blocks_cached);
    P[31] = tok;
    CHECK(llm_session_seq_attach_cached(&a, 0, P, 32, &k) == LLM_OK && k == 16, "block 0 still hits: %zu", k);
    llm_session_free(&a);
    llm_session_free(&b);
}

/* several sequences attach the same cached prefix and evaluate their own
   tails in one batch */
static void test_shared(void) {
    llm_session s;
    int32_t P[64], Q[3][64], tok[36], seqs[36];
    float *ref = (float *)malloc((size_t)V * sizeof(float));
    llm_batch b;
    llm_prefix_cache_stats st;
    size_t k;
    int q, i;
    if (init(&s, 0, 4, 1) != LLM_OK) { CHECK(0, "init"); free(ref); return; }
    prompt(P, 64, 4);
    check_prefill(&s, 3, P, 50, 0, "the shared prefix");
    CHECK(llm_session_seq_clear(&s, 3) == LLM_OK, "clear");
    for (q = 0; q < 3; q++) {
        memcpy(Q[q], P, sizeof P);
        prompt(Q[q] + 48, 16, 200 + q);
        CHECK(llm_session_seq_attach_cached(&s, q, Q[q], 60, &k) == LLM_OK && k == 48, "attach %d: %zu", q, k);
        for (i = 0; i < 12; i++) { tok[q * 12 + i] = Q[q][48 + i]; seqs[q * 12 + i] = q; }
    }
    memset(&b, 0, sizeof b);
    b.n = 36; b.token = tok; b.seq = seqs;
    CHECK(llm_session_decode(&s, &b) == LLM_OK, "the three tails in one batch: %s", llm_session_error(&s));
    for (q = 0; q < 3; q++) {
        const float *lg = llm_session_logits_row(&s, (size_t)q * 12 + 11);
        cold(Q[q], 60, ref);
        CHECK(lg && !memcmp(lg, ref, (size_t)V * sizeof(float)), "sequence %d: logits differ from cold", q);
    }
    CHECK(llm_session_prefix_cache_stats(&s, &st) == LLM_OK && st.hits == 3 && st.tokens_reused == 144, "stats");
    free(ref);
    llm_session_free(&s);
}

/* off (zero options): nothing reused, nothing counted, same memory as a
   session that never heard of the cache; errors leave the slot as it was */
static void test_off_and_errors(void) {
    llm_session s;
    llm_session_options o;
    llm_prefix_cache_stats st;
    int32_t P[300];
    size_t k = 7, a, b;
    int32_t tok;
    prompt(P, 300, 5);
    if (init(&s, 0, 2, 0) != LLM_OK) { CHECK(0, "init"); return; }
    check_prefill(&s, 1, P, 60, 0, "off: cold");
    check_prefill(&s, 1, P, 60, 0, "off: again, nothing reused");
    CHECK(llm_session_seq_attach_cached(&s, 0, P, 60, &k) == LLM_OK && k == 0 && llm_session_seq_len(&s, 0) == 0,
          "off: attach reuses nothing");
    CHECK(llm_session_prefix_cache_stats(&s, &st) == LLM_OK && st.lookups == 0 && st.blocks_total == 0, "off: stats");
    llm_session_free(&s);
    memset(&o, 0, sizeof o);
    o.n_seq_max = 2;
    llm_session_heap_size(&m.config, &o, &a, NULL);
    o.prefix_cache = 1;
    llm_session_heap_size(&m.config, &o, &b, NULL);
    /* 2 slots of 16 blocks: 85 bytes each, give or take alignment (the
       total is rounded up to 64; 8-byte fields after 4-byte ones) */
    CHECK(b + 63 >= a + 32 * 85 && b <= a + 32 * 85 + 74, "on costs %zu bytes more (85 per block)", b - a);
    o.n_seq_max = 1; o.prefix_cache = 0;
    llm_session_heap_size(&m.config, &o, &a, NULL);
    o.prefix_cache = 1;
    llm_session_heap_size(&m.config, &o, &b, NULL);
    /* one slot: blocks of 16 instead of one of 256, so 15 more entries in
       each of the 3 int32 tables */
    CHECK(b + 63 >= a + 16 * 85 + 180 && b <= a + 16 * 85 + 180 + 74, "one slot: on costs %zu bytes more", b - a);

    if (init(&s, 0, 2, 1) != LLM_OK) { CHECK(0, "init"); return; }
    check_prefill(&s, 0, P, 40, 0, "errors: setup");
    tok = P[3];
    P[3] = V;
    CHECK(llm_session_seq_prefill_cached(&s, 0, P, 40, &k) == LLM_ERR_TOKEN_RANGE && k == 0 &&
          llm_session_seq_len(&s, 0) == 40, "bad token: slot unchanged");
    CHECK(llm_session_seq_attach_cached(&s, 0, P, 40, &k) == LLM_ERR_TOKEN_RANGE && llm_session_seq_len(&s, 0) == 40,
          "attach, bad token");
    P[3] = tok;
    CHECK(llm_session_seq_prefill_cached(&s, 2, P, 40, &k) == LLM_ERR_INVALID_ARG, "bad slot");
    CHECK(llm_session_seq_prefill_cached(&s, -1, P, 40, NULL) == LLM_ERR_INVALID_ARG, "negative slot");
    CHECK(llm_session_seq_prefill_cached(&s, 0, NULL, 40, &k) == LLM_ERR_INVALID_ARG, "NULL ids");
    CHECK(llm_session_seq_prefill_cached(&s, 0, P, 0, &k) == LLM_ERR_INVALID_ARG, "no tokens");
    CHECK(llm_session_seq_prefill_cached(&s, 0, P, 257, &k) == LLM_ERR_CONTEXT_FULL &&
          llm_session_seq_len(&s, 0) == 40, "past n_ctx");
    CHECK(llm_session_seq_prefill_cached(NULL, 0, P, 4, &k) == LLM_ERR_INVALID_ARG, "NULL session");
    CHECK(llm_session_prefix_cache_stats(NULL, &st) == LLM_ERR_INVALID_ARG, "stats of NULL");
    CHECK(llm_session_prefix_cache_stats(&s, NULL) == LLM_ERR_INVALID_ARG, "stats into NULL");
    llm_session_prefix_cache_clear(NULL);
    check_prefill(&s, 0, P, 256, 32, "the whole context: 2 blocks reused");
    check_prefill(&s, 0, P, 256, 240, "the whole context again: 15 blocks reused");
    llm_session_free(&s);
}

int main(void) {
    if (llm_model_load(&m, MODEL, NULL) != LLM_OK) {
        SKIP("%s is missing", MODEL);
        return test_summary("test_prefix_cache");
    }
    V = m.config.n_vocab;
    test_hits(1);
    test_hits(3);
    test_eviction();
    test_reuse();
    test_pool_full();
    test_shared();
    test_off_and_errors();
    llm_model_free(&m);
    return test_summary("test_prefix_cache");
}
