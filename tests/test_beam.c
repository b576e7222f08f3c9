/* Beam search and no_repeat_ngram_size against tests/data/beam-ref/cases.txt,
   written by tools/reference/beam_reference.py: an independent float64 beam search
   over tools/reference/gpt2_reference.py with Hugging Face's semantics (see the
   README there). Every case runs twice: in the caller's session (n_seq_max
   = num_beams) and in a one-slot session, where llm_generate makes its own.

   Ids must be equal. Scores: llm.h's logits are float32 and within 1e-4 of
   the float64 reference (test_model); log-probs are computed from them in
   double. A score is a sum of at most 24 log-probs divided by L^lp. The
   generator rejected every case with a decisive margin below 1e-4 (the
   smallest kept is 1.03e-4), so the search takes the same path and the
   scores differ only by the logits' rounding: SCORE_TOL (relative to
   max(1, |score| * L^lp), i.e. to the unnormalised sum) is 2e-5, five times
   below the smallest margin, so an error that could flip a selection is
   caught, and above the largest difference seen (printed by the test). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#define SCORE_TOL 2e-5
#define MAX_IDS 64
#define MAX_BEAMS 8

typedef struct {
    char name[64], model[128];
    int32_t prompt[MAX_IDS];
    int n_prompt, num_beams, early, nret, max_new, ngram, eos;
    double lp, min_gap;
    int n_beams_read;
    double score[MAX_BEAMS];
    int32_t ids[MAX_BEAMS][MAX_IDS];
    int n_ids[MAX_BEAMS];
} beam_case;

static double worst_score_diff;   /* relative, over all cases */

static int parse_ids(const char *s, int32_t *out, int max) {
    int n = 0;
    while (*s && *s != ' ' && *s != '\n') {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || n >= max) return -1;
        out[n++] = (int32_t)v;
        s = end;
        if (*s == ',') s++;
    }
    return n;
}

/* the value of key=... in line, or NULL */
static const char *field(const char *line, const char *key) {
    size_t k = strlen(key);
    const char *p = line;
    while ((p = strstr(p, key)) != NULL) {
        if ((p == line || p[-1] == ' ') && p[k] == '=') return p + k + 1;
        p += k;
    }
    return NULL;
}

static int parse_case_line(const char *line, beam_case *c) {
    const char *v;
    memset(c, 0, sizeof *c);
    if (sscanf(line, "case %63s", c->name) != 1) return 0;
    if (!(v = field(line, "model")) || sscanf(v, "%127s", c->model) != 1) return 0;
    if (!(v = field(line, "prompt")) || (c->n_prompt = parse_ids(v, c->prompt, MAX_IDS)) <= 0) return 0;
    if (!(v = field(line, "num_beams"))) return 0;
    c->num_beams = atoi(v);
    if (!(v = field(line, "length_penalty"))) return 0;
    c->lp = strtod(v, NULL);
    if (!(v = field(line, "early_stopping"))) return 0;
    c->early = !strncmp(v, "true", 4) ? LLM_EARLY_STOPPING_TRUE : !strncmp(v, "never", 5) ? LLM_EARLY_STOPPING_NEVER
             : !strncmp(v, "false", 5) ? LLM_EARLY_STOPPING_FALSE : -1;
    if (!(v = field(line, "num_return_sequences"))) return 0;
    c->nret = atoi(v);
    if (!(v = field(line, "max_new_tokens"))) return 0;
    c->max_new = atoi(v);
    if (!(v = field(line, "no_repeat_ngram_size"))) return 0;
    c->ngram = atoi(v);
    if (!(v = field(line, "eos"))) return 0;
    c->eos = atoi(v);
    if (!(v = field(line, "min_gap"))) return 0;
    c->min_gap = strtod(v, NULL);
    return c->early >= 0 && c->num_beams >= 1 && c->num_beams <= MAX_BEAMS && c->nret >= 1;
}

/* Does a generated position complete an n-gram seen before it? */
static int repeats_ngram(const int32_t *ids, size_t n_ids, size_t n_prompt, size_t n) {
    size_t j, i;
    if (!n) return 0;
    for (j = n_prompt > n - 1 ? n_prompt : n - 1; j < n_ids; j++)       /* the n-gram ending at j */
        for (i = n - 1; i < j; i++)                                      /* an earlier one ending at i */
            if (!memcmp(ids + i + 1 - n, ids + j + 1 - n, n * sizeof(int32_t))) return 1;
    return 0;
}

typedef struct { int calls[MAX_BEAMS]; size_t len[MAX_BEAMS]; int tokens; } beam_cb;
static int cb_text(void *user, int seq, const char *text, size_t len) {
    beam_cb *b = (beam_cb *)user;
    (void)text;
    if (seq >= 0 && seq < MAX_BEAMS) { b->calls[seq]++; b->len[seq] += len; }
    return 0;
}
static int cb_token(void *user, int seq, int32_t id) { (void)seq; (void)id; ((beam_cb *)user)->tokens++; return 0; }

static void run_case(const beam_case *c, llm_model *m, int in_place) {
    llm_session s;
    llm_session_options so;
    llm_generate_options o;
    llm_generation g;
    llm_status r;
    const char *how = in_place ? "in place" : "own session";
    int i, k, ok = 1;
    memset(&so, 0, sizeof so);
    so.n_seq_max = in_place ? c->num_beams : 1;
    if (llm_session_init(&s, m, &so) != LLM_OK) { CHECK(0, "%s: session: %s", c->name, llm_session_error(&s)); return; }
    memset(&o, 0, sizeof o);
    o.max_new_tokens = c->max_new;
    o.num_beams = c->num_beams;
    o.has_length_penalty = 1;
    o.length_penalty = (float)c->lp;
    o.early_stopping = (llm_early_stopping)c->early;
    o.num_return_sequences = c->nret;
    o.no_repeat_ngram_size = c->ngram;
    o.ignore_eos = c->eos < 0;
    r = llm_generate(&s, c->prompt, (size_t)c->n_prompt, &o, &g);
    CHECK(r == LLM_OK, "%s (%s): %s", c->name, how, llm_session_error(&s));
    CHECK(g.n_seqs == c->n_beams_read, "%s (%s): %d sequences, want %d", c->name, how, g.n_seqs, c->n_beams_read);
    for (i = 0; r == LLM_OK && i < g.n_seqs && i < c->n_beams_read; i++) {
        const llm_sequence *q = &g.seqs[i];
        int same = q->n_ids == (size_t)c->n_ids[i] && q->n_prompt == (size_t)c->n_prompt;
        for (k = 0; same && k < c->n_ids[i]; k++) same = q->ids[k] == c->ids[i][k];
        if (!same) {
            ok = 0;
            printf("  %s (%s) beam %d:", c->name, how, i);
            for (k = 0; k < (int)q->n_ids; k++) printf("%s%d", k ? "," : " ", (int)q->ids[k]);
            printf("\n");
        }
        CHECK(same, "%s (%s): beam %d ids differ from the reference", c->name, how, i);
        if (c->num_beams > 1) {
            double L = (double)(q->n_ids - q->n_prompt), scale = fabs(c->score[i]) * pow(L, c->lp);
            double d = fabs(q->score - c->score[i]) / (scale > 1 ? scale : 1);
            if (d > worst_score_diff) worst_score_diff = d;
            CHECK(d <= SCORE_TOL, "%s (%s): beam %d score %.9g, want %.9g (relative %g)", c->name, how, i, q->score,
                  c->score[i], d);
            if (i) CHECK(q->score <= g.seqs[i - 1].score, "%s: beams not best first", c->name);
        } else CHECK(q->score == 0, "%s: greedy has score 0", c->name);
        CHECK((q->stop == LLM_STOP_EOS) == (c->eos >= 0 && q->ids[q->n_ids - 1] == c->eos) &&
              (q->stop == LLM_STOP_EOS || q->stop == LLM_STOP_LENGTH),
              "%s (%s): beam %d stop reason %d", c->name, how, i, (int)q->stop);
        if (c->ngram) CHECK(!repeats_ngram(q->ids, q->n_ids, q->n_prompt, (size_t)c->ngram),
                            "%s: beam %d repeats a %d-gram", c->name, i, c->ngram);
    }
    if (r == LLM_OK && c->num_beams == 1)   /* one sequence: every token but the last stays */
        CHECK(g.n_seqs == 1 && s.pos == g.seqs[0].n_ids - 1, "%s: greedy session pos %zu", c->name, s.pos);
    if (r == LLM_OK && c->num_beams > 1) {
        /* the session holds the prompt again, and its logits */
        llm_session ref;
        memset(&so, 0, sizeof so);
        CHECK(s.pos == (size_t)c->n_prompt, "%s (%s): session pos %zu after generating", c->name, how, s.pos);
        for (i = 1; i < s.n_seq_max; i++) CHECK(llm_session_seq_len(&s, i) == 0, "%s: slot %d not emptied", c->name, i);
        if (llm_session_init(&ref, m, &so) == LLM_OK &&
            llm_session_eval(&ref, c->prompt, (size_t)c->n_prompt, NULL) == LLM_OK) {
            const float *a = llm_session_logits(&s), *b = llm_session_logits(&ref);
            CHECK(a && b && !memcmp(a, b, (size_t)m->config.n_vocab * sizeof(float)), "%s: prompt logits kept",
                  c->name);
        }
        llm_session_free(&ref);
    }
    (void)ok;
    llm_generation_free(&g);
    llm_session_free(&s);
}

static void test_cases(void) {
    size_t len, n_cases = 0;
    char *text = test_read_file("tests/data/beam-ref/cases.txt", &len), *line, *next;
    beam_case c;
    int in_case = 0;
    double smallest_gap = 1;
    CHECK(text != NULL, "cannot read tests/data/beam-ref/cases.txt");
    if (!text) return;
    for (line = text; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (line[0] == '#' || !line[0]) continue;
        if (!strncmp(line, "case ", 5)) {
            in_case = parse_case_line(line, &c);
            CHECK(in_case, "bad case line: %.60s", line);
        } else if (in_case && !strncmp(line, "beam ", 5)) {
            int i = atoi(line + 5);
            const char *v = field(line, "score"), *ids = field(line, "ids");
            CHECK(i == c.n_beams_read && i < MAX_BEAMS && v && ids, "bad beam line in %s", c.name);
            if (i != c.n_beams_read || i >= MAX_BEAMS || !v || !ids) { in_case = 0; continue; }
            c.score[i] = strtod(v, NULL);
            c.n_ids[i] = parse_ids(ids, c.ids[i], MAX_IDS);
            c.n_beams_read++;
        } else if (in_case && !strcmp(line, "end")) {
            llm_model m;
            if (llm_model_load(&m, c.model, NULL) != LLM_OK)
                CHECK(0, "%s: cannot load %s: %s", c.name, c.model, llm_model_error(&m));
            else {
                CHECK(c.eos < 0 || c.eos == m.config.eos_id, "%s: eos %d is not the model's", c.name, c.eos);
                CHECK(c.n_beams_read == c.nret, "%s: %d beams listed", c.name, c.n_beams_read);
                run_case(&c, &m, 1);
                if (c.num_beams > 1) run_case(&c, &m, 0);
                if (c.min_gap < smallest_gap) smallest_gap = c.min_gap;
                n_cases++;
            }
            llm_model_free(&m);
            in_case = 0;
        }
    }
    free(text);
    CHECK(n_cases == 27, "%zu cases run, want 27", n_cases);
    printf("  %zu reference cases; smallest margin %.3g; largest score difference %.3g (relative, tol %g)\n",
           n_cases, smallest_gap, worst_score_diff, SCORE_TOL);
}

/* no_repeat_ngram_size keeps every output free of repeated n-grams:
   sampling, greedy and beams on the Shakespeare model. */
static void test_no_repeat(void) {
    llm_model m;
    llm_session s;
    llm_generate_options o;
    llm_generation g;
    const int32_t prompt[] = { 813, 25 };
    int n, i, mode;
    if (llm_model_load(&m, "models/shakespeare", NULL) != LLM_OK) { CHECK(0, "load shakespeare"); return; }
    CHECK(llm_session_init(&s, &m, NULL) == LLM_OK, "session");
    for (n = 1; n <= 3; n++)
        for (mode = 0; mode < 3; mode++) {
            int repeats_without = 0;
            int pass;
            for (pass = 0; pass < 2; pass++) {
                memset(&o, 0, sizeof o);
                o.ignore_eos = 1;
                o.max_new_tokens = mode == 2 ? 40 : 120;
                if (mode == 0) { o.sampler.temperature = 0.9f; o.sampler.seed = 7; o.num_return_sequences = 3; }
                if (mode == 2) { o.num_beams = 3; o.num_return_sequences = 3; }
                o.no_repeat_ngram_size = pass ? n : 0;
                llm_session_reset(&s);
                CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_OK, "no_repeat %d mode %d: %s", n, mode,
                      llm_session_error(&s));
                for (i = 0; i < g.n_seqs; i++) {
                    int rep = repeats_ngram(g.seqs[i].ids, g.seqs[i].n_ids, 2, (size_t)n);
                    if (!pass) repeats_without |= rep;
                    else CHECK(!rep, "no_repeat %d (%s): sequence %d repeats an n-gram", n,
                               mode == 0 ? "sampling" : mode == 1 ? "greedy" : "beams", i);
                    if (pass) CHECK(g.seqs[i].n_ids == 2 + (size_t)o.max_new_tokens, "no_repeat %d: full length", n);
                }
                llm_generation_free(&g);
            }
            /* the check could fail: without the option these outputs repeat */
            if (n <= 2) CHECK(repeats_without, "no_repeat %d mode %d: output repeats without the option", n, mode);
        }
    llm_session_free(&s);
    llm_model_free(&m);
}

/* The options are checked before anything runs; the session is unchanged. */
static void test_errors(void) {
    llm_model m;
    llm_session s;
    llm_generate_options o, base;
    llm_generation g;
    const int32_t prompt[] = { 813, 25 };
    const char *stops[] = { "\n", NULL };
    beam_cb cb;
    int i, k;
    if (llm_model_load(&m, "models/shakespeare", NULL) != LLM_OK) { CHECK(0, "load shakespeare"); return; }
    CHECK(llm_session_init(&s, &m, NULL) == LLM_OK, "session");
    CHECK(llm_session_eval(&s, prompt, 2, NULL) == LLM_OK, "eval");
    memset(&base, 0, sizeof base);
    base.num_beams = 4; base.max_new_tokens = 8;
    for (k = 0; k < 9; k++) {
        const char *want = NULL;
        o = base;
        switch (k) {
        case 0: o.num_return_sequences = 5; want = "num_return_sequences 5 > num_beams 4"; break;
        case 1: o.sampler.temperature = 0.7f; want = "temperature must be 0"; break;
        case 2: o.sampler.repetition_penalty = 1.3f; want = "repetition_penalty"; break;
        case 3: o.num_beams = 4097; want = "num_beams must be in [0, 4096]"; break;
        case 4: o.early_stopping = (llm_early_stopping)3; want = "early_stopping"; break;
        case 5: o.no_repeat_ngram_size = -1; want = "no_repeat_ngram_size"; break;
        case 6: o.has_length_penalty = 1; o.length_penalty = (float)HUGE_VAL; want = "must be finite"; break;
        case 7: o.num_beams = 2049; want = "2 * num_beams <= n_vocab (4096)"; break;
        case 8: o.stop_strings = stops; want = "stop_strings"; break;
        }
        CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_ERR_INVALID_ARG && strstr(llm_session_error(&s), want),
              "error case %d: '%s'", k, llm_session_error(&s));
        CHECK(s.pos == 2 && g.n_seqs == 0, "error case %d: session unchanged", k);
        llm_generation_free(&g);
    }
    /* a zeroed length_penalty with has_length_penalty 0 is HF's 1.0 */
    {
        llm_generation g1;
        int same = 1;
        o = base; o.num_return_sequences = 4;
        llm_session_reset(&s);
        CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_OK, "default length_penalty");
        o.has_length_penalty = 1; o.length_penalty = 1.0f;
        llm_session_reset(&s);
        CHECK(llm_generate(&s, prompt, 2, &o, &g1) == LLM_OK, "length_penalty 1");
        for (i = 0; i < g.n_seqs && i < g1.n_seqs; i++)
            same &= g.seqs[i].n_ids == g1.seqs[i].n_ids && g.seqs[i].score == g1.seqs[i].score &&
                    !memcmp(g.seqs[i].ids, g1.seqs[i].ids, g.seqs[i].n_ids * sizeof(int32_t));
        CHECK(same && g.n_seqs == 4 && g1.n_seqs == 4, "has_length_penalty 0 means 1.0");
        llm_generation_free(&g1);
        llm_generation_free(&g);
    }
    /* callbacks: on_text once per returned beam with its whole text, on_token never */
    memset(&cb, 0, sizeof cb);
    o = base; o.num_return_sequences = 3; o.on_text = cb_text; o.on_token = cb_token; o.user = &cb;
    llm_session_reset(&s);
    CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_OK, "beams with callbacks");
    for (i = 0; i < g.n_seqs; i++)
        CHECK(cb.calls[i] == (g.seqs[i].text_len > 0) && cb.len[i] == g.seqs[i].text_len && g.seqs[i].text,
              "beam %d: on_text %d calls, %zu bytes (text %zu)", i, cb.calls[i], cb.len[i], g.seqs[i].text_len);
    CHECK(cb.tokens == 0, "on_token is not called with beams (%d calls)", cb.tokens);
    llm_generation_free(&g);
    /* max_length at the prompt: the prompt comes back, for every beam */
    o = base; o.max_new_tokens = 0; o.max_length = 2; o.num_return_sequences = 2;
    llm_session_reset(&s);
    CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_OK && g.n_seqs == 2 && g.seqs[1].n_ids == 2 &&
          g.seqs[1].stop == LLM_STOP_LENGTH, "beams with nothing to generate");
    llm_generation_free(&g);
    /* num_beams 1 is greedy (length_penalty, early_stopping unused) */
    {
        llm_generation g1;
        o = base; o.num_beams = 1; o.has_length_penalty = 1; o.length_penalty = 3; o.max_new_tokens = 20;
        o.early_stopping = LLM_EARLY_STOPPING_TRUE;
        llm_session_reset(&s);
        CHECK(llm_generate(&s, prompt, 2, &o, &g) == LLM_OK, "num_beams 1");
        memset(&o, 0, sizeof o); o.max_new_tokens = 20;
        llm_session_reset(&s);
        CHECK(llm_generate(&s, prompt, 2, &o, &g1) == LLM_OK, "greedy");
        CHECK(g.n_seqs == 1 && g1.n_seqs == 1 && g.seqs[0].n_ids == g1.seqs[0].n_ids &&
              !memcmp(g.seqs[0].ids, g1.seqs[0].ids, g.seqs[0].n_ids * sizeof(int32_t)), "num_beams 1 equals greedy");
        llm_generation_free(&g1);
        llm_generation_free(&g);
    }
    /* no max_new_tokens / max_length: the context's end is the limit */
    {
        llm_session small;
        llm_session_options so;
        memset(&so, 0, sizeof so); so.n_ctx = 12; so.n_seq_max = 3;
        CHECK(llm_session_init(&small, &m, &so) == LLM_OK, "small session");
        o = base; o.max_new_tokens = 0; o.num_beams = 3; o.num_return_sequences = 3; o.ignore_eos = 1;
        CHECK(llm_generate(&small, prompt, 2, &o, &g) == LLM_OK, "beams to the context's end: %s",
              llm_session_error(&small));
        for (i = 0; i < g.n_seqs; i++)
            CHECK(g.seqs[i].n_ids == 13 && g.seqs[i].stop == LLM_STOP_CONTEXT_FULL, "beam %d: %zu ids, stop %d", i,
                  g.seqs[i].n_ids, (int)g.seqs[i].stop);
        llm_generation_free(&g);
        llm_session_free(&small);
    }
    llm_session_free(&s);
    llm_model_free(&m);
}

int main(void) {
    test_cases();
    test_no_repeat();
    test_errors();
    return test_summary("test_beam");
}
