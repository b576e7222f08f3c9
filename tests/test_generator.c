/* The step-by-step generator (llm_generator_*) on the shipped model
   (models/shakespeare): it equals llm_generate; its tokens do not depend
   on the prefill chunk size, on when a sequence joins or on what runs
   beside it; cancel frees the slot; log-probabilities against a log-softmax
   computed here in double; stop strings held back while streaming; error
   paths. Run from the repository root. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#define MODEL "models/shakespeare"
#define MAXT 512

/* One sequence's run: its ids (prompt + generated), its streamed text. */
typedef struct {
    int32_t ids[MAXT];
    size_t n_ids;
    char text[8192];
    size_t text_len;
    llm_stop_reason stop;
    int done, held;     /* held: a step handed out less text than its token decoded to */
} run;

static llm_model m;

static size_t encode(const char *text, int32_t *ids) {
    size_t n = 0;
    if (llm_tokenizer_encode(&m.tokenizer, text, strlen(text), 0, ids, MAXT, &n) != LLM_OK) return 0;
    return n;
}

static void run_start(run *r, const int32_t *prompt, size_t n) {
    memset(r, 0, sizeof *r);
    memcpy(r->ids, prompt, n * sizeof(int32_t));
    r->n_ids = n;
}

/* Records an event into r. */
static void record_to(run *r, const llm_generator_event *e) {
    if (e->id >= 0 && r->n_ids < MAXT) r->ids[r->n_ids++] = e->id;
    if (r->text_len + e->text_len < sizeof r->text) {
        memcpy(r->text + r->text_len, e->text, e->text_len);
        r->text_len += e->text_len;
    }
    if (e->stop != LLM_STOP_NONE) { r->stop = e->stop; r->done = 1; }
}
/* Records an event into runs[e->seq]. */
static void record(run *runs, const llm_generator_event *e) { record_to(&runs[e->seq], e); }

/* Steps g until nothing runs; every event goes to runs (by slot). */
static int drain(llm_generator *g, run *runs) {
    int steps = 0;
    while (g->n_live && steps < 10000) {
        const llm_generator_event *ev;
        int ne, k;
        if (llm_generator_step(g, &ev, &ne) != LLM_OK) { CHECK(0, "step: %s", llm_generator_error(g)); return 0; }
        for (k = 0; k < ne; k++) record(runs, &ev[k]);
        steps++;
    }
    return 1;
}

/* One sequence alone: a session of one slot, a generator of one. */
static void solo(const int32_t *prompt, size_t n, const llm_seq_options *o, int prefill, run *r) {
    llm_session s;
    llm_generator g;
    llm_generator_options go;
    int seq = -1;
    run_start(r, prompt, n);
    memset(&go, 0, sizeof go);
    go.max_prefill_rows = prefill;
    go.max_top_logprobs = 8;
    if (llm_session_init(&s, &m, NULL) != LLM_OK) { CHECK(0, "session"); return; }
    CHECK(llm_generator_init(&g, &s, &go) == LLM_OK, "generator: %s", g.error);
    CHECK(llm_generator_add(&g, prompt, n, o, &seq) == LLM_OK && seq == 0, "add: %s", g.error);
    drain(&g, r);
    llm_generator_free(&g);
    llm_session_free(&s);
}

static int same_run(const run *a, const run *b) {
    return a->n_ids == b->n_ids && !memcmp(a->ids, b->ids, a->n_ids * sizeof(int32_t)) && a->stop == b->stop &&
           a->text_len == b->text_len && !memcmp(a->text, b->text, a->text_len);
}

static llm_seq_options sampled(uint64_t seed, int max_new) {
    llm_seq_options o;
    memset(&o, 0, sizeof o);
    o.sampler.temperature = 0.9f; o.sampler.top_k = 40; o.sampler.repetition_penalty = 1.1f; o.sampler.seed = seed;
    o.max_new_tokens = max_new;
    o.no_repeat_ngram_size = 3;
    return o;
}

/* llm_generate (greedy; 3 sampled sequences) equals the generator. */
static void test_vs_generate(void) {
    llm_session s, s4;
    llm_session_options so;
    llm_generate_options o;
    llm_generation gen;
    llm_generator g;
    int32_t prompt[MAXT];
    size_t n = encode("KING HENRY:\nWhat news", prompt);
    run runs[4];
    int k, seq;
    CHECK(n > 3, "encode");
    memset(&so, 0, sizeof so);
    so.n_seq_max = 4;
    CHECK(llm_session_init(&s, &m, NULL) == LLM_OK && llm_session_init(&s4, &m, &so) == LLM_OK, "sessions");
    /* greedy */
    memset(&o, 0, sizeof o);
    o.max_new_tokens = 40; o.ignore_eos = 1;
    CHECK(llm_generate(&s, prompt, n, &o, &gen) == LLM_OK && gen.n_seqs == 1, "generate: %s", s.error);
    {
        llm_seq_options q;
        memset(&q, 0, sizeof q);
        q.max_new_tokens = 40; q.ignore_eos = 1;
        solo(prompt, n, &q, 0, &runs[0]);
        CHECK(gen.n_seqs == 1 && runs[0].n_ids == gen.seqs[0].n_ids &&
              !memcmp(runs[0].ids, gen.seqs[0].ids, gen.seqs[0].n_ids * sizeof(int32_t)) &&
              runs[0].text_len == gen.seqs[0].text_len && !memcmp(runs[0].text, gen.seqs[0].text, runs[0].text_len) &&
              runs[0].stop == gen.seqs[0].stop, "greedy: generator differs from llm_generate");
    }
    llm_generation_free(&gen);
    /* 3 sampled sequences: seeds 11, 12, 13 */
    llm_session_reset(&s);
    o.num_return_sequences = 3; o.sampler = sampled(11, 0).sampler; o.no_repeat_ngram_size = 3; o.max_new_tokens = 50;
    CHECK(llm_generate(&s, prompt, n, &o, &gen) == LLM_OK && gen.n_seqs == 3, "generate 3: %s", s.error);
    CHECK(llm_generator_init(&g, &s4, NULL) == LLM_OK && g.max_seqs == 4, "generator over 4 slots");
    for (k = 0; k < 3; k++) {
        llm_seq_options q = sampled(11 + (uint64_t)k, 50);
        q.ignore_eos = 1;
        run_start(&runs[k], prompt, n);
        CHECK(llm_generator_add(&g, prompt, n, &q, &seq) == LLM_OK && seq == k, "add %d: %s", k, g.error);
    }
    drain(&g, runs);
    for (k = 0; k < 3 && gen.n_seqs == 3; k++)
        CHECK(runs[k].n_ids == gen.seqs[k].n_ids && !memcmp(runs[k].ids, gen.seqs[k].ids, runs[k].n_ids * 4) &&
              runs[k].text_len == gen.seqs[k].text_len && !memcmp(runs[k].text, gen.seqs[k].text, runs[k].text_len),
              "sequence %d: generator differs from llm_generate", k);
    llm_generation_free(&gen);
    llm_generator_free(&g);
    llm_session_free(&s);
    llm_session_free(&s4);
}

/* Prefill chunks of 1, 7 and unlimited rows; sequences joining at
   different steps: each equals its solo run. */
static void test_chunks_and_joins(void) {
    static const int chunk[3] = { 1, 7, 0 };
    const char *texts[3] = { "KING HENRY:\nWhat news from France, my lord? Speak", "ROMEO:\nBut soft",
                             "First Citizen:" };
    int32_t prompt[3][MAXT];
    size_t n[3];
    llm_seq_options o[3];
    run alone[3], runs[4];
    llm_session s;
    llm_session_options so;
    int c, k, seq;
    for (k = 0; k < 3; k++) {
        n[k] = encode(texts[k], prompt[k]);
        o[k] = sampled(100 + (uint64_t)k, 30);
        o[k].ignore_eos = 1;
    }
    o[1].sampler.temperature = 0.0f;   /* one greedy */
    for (k = 0; k < 3; k++) solo(prompt[k], n[k], &o[k], 0, &alone[k]);
    for (k = 0; k < 3; k++) {
        run r;
        for (c = 0; c < 2; c++) {
            solo(prompt[k], n[k], &o[k], chunk[c], &r);
            CHECK(same_run(&r, &alone[k]), "sequence %d alone, chunks of %d rows: differs from one chunk", k, chunk[c]);
        }
    }
    memset(&so, 0, sizeof so);
    so.n_seq_max = 3;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "session of 3");
    for (c = 0; c < 3; c++) {
        /* sequence 0 first, 1 after 3 steps, 2 after 9 */
        llm_generator g;
        llm_generator_options go;
        int step = 0;
        memset(&go, 0, sizeof go);
        go.max_prefill_rows = chunk[c];
        CHECK(llm_generator_init(&g, &s, &go) == LLM_OK, "generator");
        for (k = 0; k < 3; k++) run_start(&runs[k], prompt[k], n[k]);
        CHECK(llm_generator_add(&g, prompt[0], n[0], &o[0], &seq) == LLM_OK && seq == 0, "add 0");
        while (g.n_live && step < 1000) {
            const llm_generator_event *ev;
            int ne, e;
            if (step == 3) CHECK(llm_generator_add(&g, prompt[1], n[1], &o[1], &seq) == LLM_OK && seq == 1, "add 1");
            if (step == 9) CHECK(llm_generator_add(&g, prompt[2], n[2], &o[2], &seq) == LLM_OK && seq == 2, "add 2");
            CHECK(llm_generator_step(&g, &ev, &ne) == LLM_OK, "step");
            for (e = 0; e < ne; e++) record(runs, &ev[e]);
            step++;
        }
        for (k = 0; k < 3; k++)
            CHECK(same_run(&runs[k], &alone[k]), "chunks of %d: sequence %d joining later differs from its solo run "
                  "(%zu / %zu ids)", chunk[c], k, runs[k].n_ids, alone[k].n_ids);
        llm_generator_free(&g);
    }
    llm_session_free(&s);
}

/* cancel frees the slot at once; a new sequence takes it and equals its
   solo run; a full generator says so and stays usable. */
static void test_cancel(void) {
    llm_session s;
    llm_session_options so;
    llm_generator g;
    int32_t p0[MAXT], p1[MAXT], p2[MAXT];
    size_t n0 = encode("KING HENRY:", p0), n1 = encode("QUEEN:", p1), n2 = encode("GLOUCESTER:\nNow is", p2);
    llm_seq_options o0 = sampled(1, 40), o1 = sampled(2, 20), o2 = sampled(3, 25);
    run runs[2], alone1, alone2;
    int seq, step, k;
    llm_status r;
    solo(p1, n1, &o1, 0, &alone1);
    solo(p2, n2, &o2, 0, &alone2);
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "session");
    CHECK(llm_generator_init(&g, &s, NULL) == LLM_OK, "generator");
    run_start(&runs[0], p0, n0);
    run_start(&runs[1], p1, n1);
    CHECK(llm_generator_add(&g, p0, n0, &o0, &seq) == LLM_OK && seq == 0, "add 0");
    CHECK(llm_generator_add(&g, p1, n1, &o1, &seq) == LLM_OK && seq == 1, "add 1");
    r = llm_generator_add(&g, p2, n2, &o2, &seq);
    CHECK(r == LLM_ERR_LIMIT && seq == -1 && llm_generator_error(&g)[0] && g.n_live == 2, "a third: %d '%s'", (int)r,
          llm_generator_error(&g));
    for (step = 0; step < 5; step++) {
        const llm_generator_event *ev;
        int ne;
        CHECK(llm_generator_step(&g, &ev, &ne) == LLM_OK && ne == 2, "step %d: %d events", step, ne);
        for (k = 0; k < ne; k++) record(runs, &ev[k]);
    }
    CHECK(llm_session_seq_len(&s, 0) > 0, "slot 0 in use");
    CHECK(llm_generator_cancel(&g, 0) == LLM_OK && g.n_live == 1 && llm_session_seq_len(&s, 0) == 0,
          "cancel: slot 0 cleared (%zu positions)", llm_session_seq_len(&s, 0));
    CHECK(llm_generator_cancel(&g, 0) == LLM_ERR_INVALID_ARG && llm_generator_error(&g)[0], "cancel twice");
    CHECK(llm_generator_cancel(&g, 7) == LLM_ERR_INVALID_ARG, "cancel a slot out of range");
    run_start(&runs[0], p2, n2);
    CHECK(llm_generator_add(&g, p2, n2, &o2, &seq) == LLM_OK && seq == 0, "the freed slot is taken: %d", seq);
    drain(&g, runs);
    CHECK(same_run(&runs[0], &alone2), "the sequence in the freed slot differs from its solo run");
    CHECK(same_run(&runs[1], &alone1), "the sequence beside the cancelled one differs from its solo run");
    llm_generator_free(&g);
    llm_session_free(&s);
}

/* logprobs and top_logprobs against a log-softmax computed here in double
   from logits evaluated token by token in a session of its own. */
static void test_logprobs(void) {
    llm_session s, ref;
    llm_generator g;
    llm_generator_options go;
    llm_seq_options o = sampled(9, 25);
    int32_t prompt[MAXT];
    size_t n = encode("KING HENRY:", prompt), V = (size_t)m.config.n_vocab, i;
    int seq, checked = 0, bad = 0, badtop = 0;
    double *lp = (double *)malloc(V * sizeof(double));
    const int N = 5;
    memset(&go, 0, sizeof go);
    go.max_top_logprobs = 8;
    CHECK(lp && llm_session_init(&s, &m, NULL) == LLM_OK && llm_session_init(&ref, &m, NULL) == LLM_OK, "sessions");
    CHECK(llm_generator_init(&g, &s, &go) == LLM_OK, "generator");
    o.logprobs = 1; o.top_logprobs = N;
    CHECK(llm_generator_add(&g, prompt, n, &o, &seq) == LLM_OK, "add");
    CHECK(llm_session_eval(&ref, prompt, n, NULL) == LLM_OK, "eval the prompt");
    while (g.n_live && lp) {
        const llm_generator_event *ev;
        const float *lg = llm_session_logits(&ref);
        double mx = -HUGE_VAL, sum = 0.0;
        int ne, k;
        if (llm_generator_step(&g, &ev, &ne) != LLM_OK || ne != 1) { CHECK(0, "step"); break; }
        for (i = 0; i < V; i++) if (lg[i] > mx) mx = lg[i];
        for (i = 0; i < V; i++) sum += exp((double)lg[i] - mx);
        for (i = 0; i < V; i++) lp[i] = (double)lg[i] - mx - log(sum);
        if (fabs(ev[0].logprob - lp[ev[0].id]) > 1e-4) bad++;
        if (ev[0].n_top != N) badtop++;
        for (k = 0; k < ev[0].n_top; k++) {
            const llm_token_logprob *t = &ev[0].top[k];
            size_t better = 0;
            if (fabs(t->logprob - lp[t->id]) > 1e-4) badtop++;
            if (k && (t->logprob > ev[0].top[k - 1].logprob ||
                      (t->logprob == ev[0].top[k - 1].logprob && t->id < ev[0].top[k - 1].id))) badtop++;
            /* the k-th best: exactly k tokens are better (a margin for rounding) */
            for (i = 0; i < V; i++) better += lp[i] > lp[t->id] + 1e-5;
            if (better > (size_t)k) badtop++;
        }
        checked++;
        if (ev[0].stop == LLM_STOP_NONE && llm_session_eval(&ref, &ev[0].id, 1, NULL) != LLM_OK) break;
    }
    CHECK(checked == 25, "%d steps checked", checked);
    CHECK(!bad, "%d tokens' log-probabilities differ from the log-softmax", bad);
    CHECK(!badtop, "%d top_logprobs entries wrong", badtop);
    free(lp);
    llm_generator_free(&g);
    llm_session_free(&s);
    llm_session_free(&ref);
}

static int holds_stop(const char *t, size_t n) {
    size_t j;
    for (j = 0; j < n; j++)
        if ((j + 2 <= n && !memcmp(t + j, "\n\n", 2)) || (j + 4 <= n && !memcmp(t + j, "Lord", 4))) return 1;
    return 0;
}

/* Stop strings: the streamed pieces concatenate to the ids' text up to
   the first stop string (through it with keep_stop_strings), no piece
   holds one, and a trailing "\n" is held back while it may begin "\n\n". */
static void test_stop_strings(void) {
    static const char *stops[] = { "\n\n", "Lord", NULL };
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    int32_t prompt[MAXT];
    size_t n = encode("KING HENRY:", prompt);
    run runs[4];
    int k, seq, keep, n_string = 0, n_held = 0;
    memset(&so, 0, sizeof so);
    so.n_seq_max = 4;
    memset(&go, 0, sizeof go);
    go.max_stop_len = 4;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK && llm_generator_init(&g, &s, &go) == LLM_OK, "init");
    for (keep = 0; keep < 2; keep++) {
        for (k = 0; k < 4; k++) {
            llm_seq_options o = sampled(40 + (uint64_t)k, 200);
            o.stop_strings = stops; o.keep_stop_strings = keep; o.ignore_eos = 1;
            run_start(&runs[k], prompt, n);
            CHECK(llm_generator_add(&g, prompt, n, &o, &seq) == LLM_OK && seq == k, "add %d: %s", k, g.error);
        }
        while (g.n_live) {
            const llm_generator_event *ev;
            int ne, e;
            if (llm_generator_step(&g, &ev, &ne) != LLM_OK) { CHECK(0, "step"); break; }
            for (e = 0; e < ne; e++) {
                run *r = &runs[ev[e].seq];
                char dec[8192];
                size_t nb = 0;
                record(runs, &ev[e]);
                CHECK(keep || !holds_stop(ev[e].text, ev[e].text_len), "a piece holds a stop string");
                /* the text so far against the decoded ids */
                if (llm_tokenizer_decode(&m.tokenizer, r->ids + n, r->n_ids - n, dec, sizeof dec, &nb) != LLM_OK)
                    continue;
                if (ev[e].stop == LLM_STOP_NONE) {
                    CHECK(r->text_len <= nb && !memcmp(r->text, dec, r->text_len), "streamed text is not a prefix");
                    if (r->text_len < nb) n_held++;
                }
            }
        }
        for (k = 0; k < 4; k++) {
            run *r = &runs[k];
            char dec[8192];
            size_t nb = 0, end, j;
            const char *cut = NULL;
            CHECK(llm_tokenizer_decode(&m.tokenizer, r->ids + n, r->n_ids - n, dec, sizeof dec - 1, &nb) == LLM_OK,
                  "decode");
            dec[nb] = 0;
            for (j = 0; j < nb && !cut; j++)   /* the earliest occurrence of either */
                if (!strncmp(dec + j, "\n\n", 2) || !strncmp(dec + j, "Lord", 4)) cut = dec + j;
            if (r->stop == LLM_STOP_STRING) {
                n_string++;
                CHECK(cut != NULL, "sequence %d: stopped on a stop string it does not hold", k);
                end = cut ? (size_t)(cut - dec) + (keep ? (*cut == 'L' ? 4 : 2) : 0) : 0;
            } else {
                CHECK(cut == NULL, "sequence %d holds a stop string but did not stop (%d)", k, (int)r->stop);
                end = nb;
            }
            CHECK(r->text_len == end && !memcmp(r->text, dec, end), "keep %d, sequence %d: streamed text (%zu bytes) "
                  "is not the ids' text up to the stop string (%zu)", keep, k, r->text_len, end);
        }
    }
    CHECK(n_string >= 4, "%d sequences stopped on a stop string", n_string);
    CHECK(n_held > 0, "no text was ever held back");
    llm_generator_free(&g);
    llm_session_free(&s);
}

/* Bad options, too many sequences, a prompt past the context: a status, a
   message, nothing changed, the generator still usable. */
static void test_errors(void) {
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    llm_seq_options o;
    static const char *long_stop[] = { "0123456789", NULL };
    int32_t prompt[MAXT], big[300], bad_id[2];
    size_t n = encode("KING HENRY:", prompt), i;
    run r, alone;
    int seq, k;
    llm_status st;
    const llm_generator_event *ev;
    int ne;
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "session");
    memset(&go, 0, sizeof go);
    go.max_seqs = 3;
    st = llm_generator_init(&g, &s, &go);
    CHECK(st == LLM_ERR_INVALID_ARG && llm_generator_error(&g)[0], "max_seqs 3 > n_seq_max 2: %d", (int)st);
    go.max_seqs = 0; go.max_prefill_rows = -1;
    CHECK(llm_generator_init(&g, &s, &go) == LLM_ERR_INVALID_ARG, "max_prefill_rows -1");
    go.max_prefill_rows = 0; go.max_top_logprobs = 2; go.max_stop_len = 8;
    CHECK(llm_generator_init(&g, &s, &go) == LLM_OK && g.max_seqs == 2, "init");
    CHECK(llm_generator_step(&g, &ev, &ne) == LLM_OK && ne == 0, "a step with nothing to do");
    for (k = 0; k < 7; k++) {
        const char *what[7] = { "temperature -1", "max_new_tokens -1", "top_logprobs 3 > 2",
                                "top_logprobs without logprobs",
                                "a stop string of 10 bytes > 8", "no_repeat -1", "logprobs 2" };
        memset(&o, 0, sizeof o);
        if (k == 0) o.sampler.temperature = -1.0f;
        if (k == 1) o.max_new_tokens = -1;
        if (k == 2) { o.logprobs = 1; o.top_logprobs = 3; }
        if (k == 3) o.top_logprobs = 1;
        if (k == 4) o.stop_strings = long_stop;
        if (k == 5) o.no_repeat_ngram_size = -1;
        if (k == 6) o.logprobs = 2;
        g.error[0] = 0;
        st = llm_generator_add(&g, prompt, n, &o, &seq);
        CHECK(st == LLM_ERR_INVALID_ARG && seq == -1 && llm_generator_error(&g)[0] && g.n_live == 0, "%s: %d '%s'",
              what[k], (int)st, llm_generator_error(&g));
    }
    for (i = 0; i < 300; i++) big[i] = prompt[i % n];
    st = llm_generator_add(&g, big, (size_t)s.n_ctx + 1, NULL, &seq);
    CHECK(st == LLM_ERR_CONTEXT_FULL && llm_generator_error(&g)[0] && g.n_live == 0, "a prompt past the context: %d",
          (int)st);
    bad_id[0] = prompt[0]; bad_id[1] = m.config.n_vocab;
    CHECK(llm_generator_add(&g, bad_id, 2, NULL, &seq) == LLM_ERR_TOKEN_RANGE && g.n_live == 0, "a token out of range");
    CHECK(llm_generator_add(&g, NULL, 0, NULL, &seq) == LLM_ERR_INVALID_ARG, "an empty prompt");
    CHECK(llm_generator_step(&g, NULL, &ne) == LLM_ERR_INVALID_ARG, "NULL events");
    /* still usable: a sequence equals its solo run; a prompt of n_ctx
       tokens stops on the full context after one token */
    memset(&o, 0, sizeof o);
    o.max_new_tokens = 20; o.sampler = sampled(5, 0).sampler;
    solo(prompt, n, &o, 0, &alone);
    run_start(&r, prompt, n);
    CHECK(llm_generator_add(&g, prompt, n, &o, &seq) == LLM_OK && seq == 0, "add after the errors");
    drain(&g, &r);
    CHECK(same_run(&r, &alone), "after the errors: differs from the solo run");
    {
        run rr[2];
        run_start(&rr[0], big, (size_t)s.n_ctx);
        CHECK(llm_generator_add(&g, big, (size_t)s.n_ctx, NULL, &seq) == LLM_OK && seq == 0, "a prompt of n_ctx");
        drain(&g, rr);
        CHECK(rr[0].stop == LLM_STOP_CONTEXT_FULL && rr[0].n_ids == (size_t)s.n_ctx + 1,
              "n_ctx prompt: stop %d, %zu ids", (int)rr[0].stop, rr[0].n_ids);
    }
    llm_generator_free(&g);
    llm_generator_free(&g);   /* twice is harmless */
    CHECK(llm_generator_add(&g, prompt, n, NULL, &seq) == LLM_ERR_INVALID_ARG, "add after free");
    CHECK(llm_generator_init(NULL, &s, NULL) == LLM_ERR_INVALID_ARG, "NULL generator");
    CHECK(llm_generator_init(&g, NULL, NULL) == LLM_ERR_INVALID_ARG && llm_generator_error(&g)[0], "NULL session");
    llm_session_free(&s);
}

/* The generator in an arena of llm_generator_heap_size bytes runs as the
   malloc'd one; one alignment unit less is LLM_ERR_OUT_OF_MEMORY with the
   arena left empty. */
static void test_arena(void) {
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    llm_arena a;
    llm_seq_options o = sampled(21, 20);
    int32_t prompt[MAXT];
    size_t n = encode("KING HENRY:", prompt), bytes = 0, kept = 0, z = 1;
    unsigned char *buf;
    run r, alone;
    int seq;
    llm_status st;
    solo(prompt, n, &o, 0, &alone);
    memset(&so, 0, sizeof so);
    so.n_seq_max = 3;
    memset(&go, 0, sizeof go);
    go.max_prefill_rows = 5; go.max_top_logprobs = 4;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "session");
    CHECK(llm_generator_heap_size(&s, &go, &bytes, &kept) == LLM_OK && bytes > 0 && kept == bytes,
          "heap size: peak %zu, kept %zu", bytes, kept);
    CHECK(llm_generator_heap_size(&s, &go, &z, NULL) == LLM_OK && z == bytes, "kept may be NULL");
    CHECK(llm_generator_heap_size(&s, &go, NULL, &kept) == LLM_ERR_INVALID_ARG && kept == 0, "NULL peak");
    buf = (unsigned char *)malloc(bytes + LLM_ARENA_ALIGN);
    if (!buf) { CHECK(0, "malloc"); llm_session_free(&s); return; }
    /* aligned, so that the usable size is exactly what is given */
    {
        unsigned char *al = buf + (LLM_ARENA_ALIGN - (size_t)((uintptr_t)buf % LLM_ARENA_ALIGN)) % LLM_ARENA_ALIGN;
        CHECK(llm_arena_init(&a, al, bytes - LLM_ARENA_ALIGN) == LLM_OK, "arena");
        st = llm_generator_init_arena(&g, &s, &go, &a);
        CHECK(st == LLM_ERR_OUT_OF_MEMORY && a.kept == 0 && llm_generator_error(&g)[0], "one unit short: %d, %zu kept",
              (int)st, a.kept);
        CHECK(llm_arena_init(&a, al, bytes) == LLM_OK, "arena");
        CHECK(llm_generator_init_arena(&g, &s, &go, &a) == LLM_OK, "init in the arena: %s", g.error);
    }
    run_start(&r, prompt, n);
    CHECK(llm_generator_add(&g, prompt, n, &o, &seq) == LLM_OK, "add");
    drain(&g, &r);
    CHECK(same_run(&r, &alone), "in the arena: differs from the solo run");
    llm_generator_free(&g);
    CHECK(a.kept == 0, "the arena is empty after free (%zu kept)", a.kept);
    CHECK(llm_generator_init_arena(&g, &s, &go, NULL) == LLM_ERR_INVALID_ARG, "NULL arena");
    free(buf);
    llm_session_free(&s);
}

/* test_prefix_cache's sequences: 0 and 1 greedy, 2 sampled; 20 tokens. */
static llm_seq_options cache_opts(int k) {
    llm_seq_options o = sampled(5, 20);
    if (k < 2) { memset(&o.sampler, 0, sizeof o.sampler); o.no_repeat_ngram_size = 0; }
    o.ignore_eos = 1;
    return o;
}

/* With the session's prefix cache on, a sequence whose prompt shares a long
   prefix with an earlier one (finished, or still running beside it) reuses
   its blocks (events' n_cached > 0, whole blocks, never the last prompt
   token) and draws the tokens it draws alone in a session without the cache. */
static void test_prefix_cache(void) {
    static const char *common = "KING HENRY:\nWhat news from France? Speak, my lord, and tell me all: the "
                                "Dauphin and his army, where they lie, how strong they are, and what they mean "
                                "to do against our town of Harfleur, which we besiege.\n";
    static const char *ends[3] = {"EXETER:\nMy liege,", "GLOUCESTER:\nThe", "EXETER:\nMy liege, the"};
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    char text[1024];
    int32_t prompt[3][MAXT];
    size_t n[3], cached[3] = {0, 0, 0};
    run runs[3], alone;
    int k, seq, steps, who[2] = {0, 0};
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2; so.prefix_cache = 1;
    memset(&go, 0, sizeof go);
    go.max_prefill_rows = 7;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "session with the prefix cache: %s", s.error);
    CHECK(llm_generator_init(&g, &s, &go) == LLM_OK, "generator: %s", g.error);
    for (k = 0; k < 3; k++) {
        snprintf(text, sizeof text, "%s%s", common, ends[k]);
        n[k] = encode(text, prompt[k]);
    }
    CHECK(n[0] > 40, "a long prompt: %zu tokens", n[0]);
    /* 0 alone, then 1 and, two steps later, 2 (sampled) beside it */
    for (k = 0, steps = 0; k < 3; k++) {
        llm_seq_options o = cache_opts(k);
        run_start(&runs[k], prompt[k], n[k]);
        CHECK(llm_generator_add(&g, prompt[k], n[k], &o, &seq) == LLM_OK && seq >= 0 && seq < 2, "add %d: %s", k,
              g.error);
        if (seq >= 0 && seq < 2) who[seq] = k;
        while (g.n_live && (k != 1 || steps < 2)) {   /* to the end (k == 1: two steps) */
            const llm_generator_event *ev;
            int ne, j;
            CHECK(llm_generator_step(&g, &ev, &ne) == LLM_OK, "step: %s", g.error);
            for (j = 0; j < ne; j++) {
                cached[who[ev[j].seq]] = ev[j].n_cached;
                record_to(&runs[who[ev[j].seq]], &ev[j]);
            }
            if (k == 1) steps++;
        }
    }
    CHECK(cached[0] == 0, "the first prompt finds nothing cached (%zu)", cached[0]);
    for (k = 1; k < 3; k++)
        CHECK(cached[k] > 0 && cached[k] % 16 == 0 && cached[k] < n[k], "prompt %d: %zu of %zu tokens cached", k,
              cached[k], n[k]);
    for (k = 0; k < 3; k++) {
        llm_seq_options o = cache_opts(k);
        solo(prompt[k], n[k], &o, 7, &alone);
        CHECK(runs[k].done && same_run(&runs[k], &alone), "prompt %d with the cache differs from its solo run", k);
    }
    llm_generator_free(&g);
    llm_session_free(&s);
}

/* Steps g until nothing runs, recording by who[seq] into runs and each
   run's first n_cached into cached[]. */
static void drain_who(llm_generator *g, run *runs, const int *who, size_t *cached) {
    int steps = 0;
    while (g->n_live && steps++ < 10000) {
        const llm_generator_event *ev;
        int ne, j;
        if (llm_generator_step(g, &ev, &ne) != LLM_OK) { CHECK(0, "step: %s", llm_generator_error(g)); return; }
        for (j = 0; j < ne; j++) {
            run *r = &runs[who[ev[j].seq]];
            if (r->n_ids == 0 || !cached[who[ev[j].seq]]) cached[who[ev[j].seq]] = ev[j].n_cached;
            record_to(r, &ev[j]);
        }
    }
}

/* A sequence cancelled while its prompt is read (7 rows a step, 3 steps:
   one full block written): a new sequence with the same prompt reuses that
   block (n_cached 16) and, beside another one, draws what it draws alone. */
static void test_cancel_reuse(void) {
    static const char *texts[2] = {
        "KING HENRY:\nWhat news from France? Speak, my lord, and tell me all: the Dauphin and his army.\nEXETER:\n",
        "GLOUCESTER:\nNow is the winter of our discontent made glorious summer by this sun of York;\n" };
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    int32_t p[2][MAXT];
    size_t n[2], cached[2] = { 0, 0 };
    run runs[2], alone;
    int who[2] = { 0, 1 }, seq, k;
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2; so.prefix_cache = 1;
    memset(&go, 0, sizeof go);
    go.max_prefill_rows = 7;
    for (k = 0; k < 2; k++) n[k] = encode(texts[k], p[k]);
    CHECK(n[0] > 32 && n[1] > 16, "prompts of %zu and %zu tokens", n[0], n[1]);
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK && llm_generator_init(&g, &s, &go) == LLM_OK, "init");
    {
        llm_seq_options o = cache_opts(0);
        CHECK(llm_generator_add(&g, p[0], n[0], &o, &seq) == LLM_OK && seq == 0, "add: %s", g.error);
    }
    for (k = 0; k < 3; k++) {
        const llm_generator_event *ev;
        int ne;
        CHECK(llm_generator_step(&g, &ev, &ne) == LLM_OK && ne == 0, "prefill step %d: %d events", k, ne);
    }
    CHECK(llm_generator_cancel(&g, 0) == LLM_OK && llm_session_seq_len(&s, 0) == 0, "cancelled while reading");
    for (k = 0; k < 2; k++) {   /* the same prompt again (slot 0), another beside it (slot 1) */
        llm_seq_options o = cache_opts(k ? 2 : 0);
        run_start(&runs[k], p[k], n[k]);
        CHECK(llm_generator_add(&g, p[k], n[k], &o, &seq) == LLM_OK && seq == k, "add %d: %s", k, g.error);
    }
    drain_who(&g, runs, who, cached);
    CHECK(cached[0] == 16 && cached[1] == 0, "the cancelled sequence's block reused: %zu, %zu", cached[0], cached[1]);
    for (k = 0; k < 2; k++) {
        llm_seq_options o = cache_opts(k ? 2 : 0);
        solo(p[k], n[k], &o, 7, &alone);
        CHECK(runs[k].done && same_run(&runs[k], &alone), "after a cancel: sequence %d differs from its solo run", k);
    }
    llm_generator_free(&g);
    llm_session_free(&s);
}

/* A pool of 8 blocks (2 slots of n_ctx 64) and 4 prompts of 3 to 4 blocks
   each, one after the other with a sequence running beside: cached blocks
   are evicted (the counter grows), and every sequence draws what it draws
   alone in a session without the cache, the first prompt again included. */
static void test_eviction_pressure(void) {
    static const char *texts[4] = {
        "KING HENRY:\nWhat news from France? Speak, my lord, and tell me all: the Dauphin and his army.\n",
        "GLOUCESTER:\nNow is the winter of our discontent made glorious summer by this sun of York.\n",
        "ROMEO:\nBut soft, what light through yonder window breaks? It is the east, and Juliet is the sun.\n",
        "First Citizen:\nBefore we proceed any further, hear me speak. You are all resolved rather to die.\n" };
    llm_session s;
    llm_session_options so;
    llm_generator g;
    llm_generator_options go;
    llm_prefix_cache_stats st;
    int32_t p[5][MAXT];
    size_t n[5], cached[5] = { 0, 0, 0, 0, 0 };
    run runs[5], alone;
    int who[2] = { 0, 0 }, seq, k;
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2; so.prefix_cache = 1; so.n_ctx = 64;
    memset(&go, 0, sizeof go);
    go.max_prefill_rows = 7;
    for (k = 0; k < 4; k++) n[k] = encode(texts[k], p[k]);
    memcpy(p[4], p[0], n[0] * sizeof(int32_t));
    n[4] = n[0];
    CHECK(n[0] > 16 && n[0] + 12 <= 64 && n[3] + 12 <= 64, "prompts of %zu..%zu tokens", n[0], n[3]);
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK && llm_generator_init(&g, &s, &go) == LLM_OK, "init");
    for (k = 0; k < 5; k++) {   /* k + 1 joins once k has drawn a token and a slot is free */
        llm_seq_options o = cache_opts(k % 3);
        o.max_new_tokens = 12;
        run_start(&runs[k], p[k], n[k]);
        CHECK(llm_generator_add(&g, p[k], n[k], &o, &seq) == LLM_OK && seq >= 0 && seq < 2, "add %d: %s", k, g.error);
        if (seq >= 0 && seq < 2) who[seq] = k;
        while (g.n_live && (k == 4 || g.n_live == 2 || runs[k].n_ids == n[k])) {
            const llm_generator_event *ev;
            int ne, j;
            if (llm_generator_step(&g, &ev, &ne) != LLM_OK) { CHECK(0, "step: %s", g.error); break; }
            for (j = 0; j < ne; j++) {
                if (runs[who[ev[j].seq]].n_ids == n[who[ev[j].seq]]) cached[who[ev[j].seq]] = ev[j].n_cached;
                record_to(&runs[who[ev[j].seq]], &ev[j]);
            }
        }
    }
    CHECK(llm_session_prefix_cache_stats(&s, &st) == LLM_OK && st.evictions > 0, "evictions: %llu",
          (unsigned long long)st.evictions);
    for (k = 0; k < 5; k++) {
        llm_seq_options o = cache_opts(k % 3);
        o.max_new_tokens = 12;
        solo(p[k], n[k], &o, 7, &alone);
        CHECK(runs[k].done && same_run(&runs[k], &alone), "under eviction: sequence %d (cached %zu) differs", k,
              cached[k]);
    }
    llm_generator_free(&g);
    llm_session_free(&s);
}

int main(void) {
    if (llm_model_load(&m, MODEL, NULL) != LLM_OK) {
        CHECK(0, "load %s: %s", MODEL, llm_model_error(&m));
        return test_summary("test_generator");
    }
    test_vs_generate();
    test_chunks_and_joins();
    test_cancel();
    test_logprobs();
    test_stop_strings();
    test_errors();
    test_arena();
    test_prefix_cache();
    test_cancel_reuse();
    test_eviction_pressure();
    llm_model_free(&m);
    return test_summary("test_generator");
}
