/* generate: text generation from the command line.

     generate -m MODEL_DIR -p "The quick brown fox" --max-length 50 -n 5 \
              --top-k 40 --temperature 0.8 --seed 42

   Streams the text as it is produced; timings go to stderr. Run with
   --help for every flag and its default. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>

#define MAX_STOPS 16

static void usage(FILE *f) {
    fprintf(f,
        "usage: generate -m MODEL_DIR [options]\n"
        "  -m DIR                   checkpoint folder (model.safetensors, config.json,\n"
        "                           vocab.json + merges.txt or tokenizer.json); required\n"
        "  -p TEXT                  prompt; '-' reads it from stdin (default: empty, which\n"
        "                           starts from <|endoftext|>)\n"
        "  --max-new-tokens N       tokens to generate (default 64 if --max-length unset)\n"
        "  --max-length N           prompt + new tokens, as in Hugging Face (default unset)\n"
        "  -n, --num-return-sequences N   sequences from one prompt (default 1)\n"
        "  --temperature T          0 = greedy (default 1.0)\n"
        "  --top-k K                0 = off (default 50)\n"
        "  --top-p P                1 = off (default 1.0)\n"
        "  --min-p P                0 = off (default 0)\n"
        "  --repetition-penalty R   1 = off (default 1.0)\n"
        "  --greedy                 same as --temperature 0\n"
        "  --seed S                 sampling seed (default: from the clock, printed)\n"
        "  --stop STR               stop when STR appears (repeatable, up to %d)\n"
        "  --ignore-eos             don't stop at <|endoftext|>\n"
        "  --special                '<|endoftext|>' in the prompt is the special token\n"
        "  --threads N              threads (default: all cores)\n"
        "  -q, --quiet              no timings on stderr\n"
        "  -h, --help               this help\n", MAX_STOPS);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bad_value(const char *flag, const char *v, const char *want) {
    fprintf(stderr, "generate: %s: expected %s, got '%s'\n", flag, want, v);
    return 2;
}
static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}
static int parse_float(const char *s, double lo, double hi, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}

typedef struct {
    const char *prompt;
    int n_seqs, quiet;
    int started;           /* sequence whose text is being printed, or -1 */
    size_t n_tokens;       /* sampled so far */
    double t_start, t_first, t_last;
} stream_state;

static int on_text(void *user, int seq, const char *text, size_t len) {
    stream_state *st = (stream_state *)user;
    if (seq != st->started) {
        if (st->n_seqs > 1) printf("%s=== sequence %d ===\n", seq ? "\n" : "", seq + 1);
        fputs(st->prompt, stdout);
        st->started = seq;
    }
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return 0;
}
static int on_token(void *user, int seq, int32_t id) {
    stream_state *st = (stream_state *)user;
    (void)seq; (void)id;
    st->t_last = now();
    if (!st->n_tokens) st->t_first = st->t_last;
    st->n_tokens++;
    return 0;
}

static char *read_stdin(void) {
    size_t cap = 4096, len = 0, got;
    char *buf = (char *)malloc(cap);
    if (!buf) return NULL;
    while ((got = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += got;
        if (len + 1 == cap) { char *nb = (char *)realloc(buf, cap *= 2); if (!nb) { free(buf); return NULL; } buf = nb; }
    }
    buf[len] = 0;
    return buf;
}

int main(int argc, char **argv) {
    const char *model_dir = NULL, *prompt = "", *stops[MAX_STOPS + 1];
    char *stdin_prompt = NULL;
    int n_stops = 0, threads = 0, i, seed_given = 0;
    long max_new = 0, max_len = 0, n_seq = 1, lv;
    double dv;
    llm_generate_options go;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_generation gen;
    int no_eot = 0;
    stream_state st;
    llm_status r;
    size_t n_prompt_tokens;

    memset(&go, 0, sizeof go);
    memset(&st, 0, sizeof st);
    go.sampler.temperature = 1.0f;
    go.sampler.top_k = 50;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!strcmp(a, "--greedy")) { go.sampler.temperature = 0; continue; }
        if (!strcmp(a, "--ignore-eos")) { go.ignore_eos = 1; continue; }
        if (!strcmp(a, "--special")) { go.encode_flags |= LLM_TOKENIZE_SPECIAL; continue; }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) { st.quiet = 1; continue; }
        if (a[0] != '-') { fprintf(stderr, "generate: unexpected argument '%s' (see --help)\n", a); return 2; }
        if (!v) { fprintf(stderr, "generate: %s needs a value (see --help)\n", a); return 2; }
        i++;
        if (!strcmp(a, "-m")) model_dir = v;
        else if (!strcmp(a, "-p")) prompt = v;
        else if (!strcmp(a, "--max-new-tokens")) { if (!parse_int(v, 1, 1 << 30, &max_new)) return bad_value(a, v, "a positive integer"); }
        else if (!strcmp(a, "--max-length")) { if (!parse_int(v, 1, 1 << 30, &max_len)) return bad_value(a, v, "a positive integer"); }
        else if (!strcmp(a, "-n") || !strcmp(a, "--num-return-sequences")) { if (!parse_int(v, 1, 4096, &n_seq)) return bad_value(a, v, "an integer in [1, 4096]"); }
        else if (!strcmp(a, "--temperature")) { if (!parse_float(v, 0, 1e6, &dv)) return bad_value(a, v, "a number >= 0"); go.sampler.temperature = (float)dv; }
        else if (!strcmp(a, "--top-k")) { if (!parse_int(v, 0, 1 << 30, &lv)) return bad_value(a, v, "an integer >= 0"); go.sampler.top_k = (int)lv; }
        else if (!strcmp(a, "--top-p")) { if (!parse_float(v, 0, 1, &dv)) return bad_value(a, v, "a number in [0, 1]"); go.sampler.top_p = (float)dv; }
        else if (!strcmp(a, "--min-p")) { if (!parse_float(v, 0, 1, &dv)) return bad_value(a, v, "a number in [0, 1]"); go.sampler.min_p = (float)dv; }
        else if (!strcmp(a, "--repetition-penalty")) { if (!parse_float(v, 1e-6, 1e6, &dv)) return bad_value(a, v, "a number > 0"); go.sampler.repetition_penalty = (float)dv; }
        else if (!strcmp(a, "--seed")) {
            char *end; unsigned long long sv; errno = 0; sv = strtoull(v, &end, 10);
            if (errno || end == v || *end || v[0] == '-') return bad_value(a, v, "a non-negative integer");
            go.sampler.seed = sv; seed_given = 1;
        }
        else if (!strcmp(a, "--stop")) { if (n_stops == MAX_STOPS || !*v) return bad_value(a, v, "a non-empty string (at most 16 --stop)"); stops[n_stops++] = v; }
        else if (!strcmp(a, "--threads")) { if (!parse_int(v, 1, 256, &lv)) return bad_value(a, v, "an integer in [1, 256]"); threads = (int)lv; }
        else { fprintf(stderr, "generate: unknown option '%s' (see --help)\n", a); return 2; }
    }
    if (!model_dir) { fprintf(stderr, "generate: -m MODEL_DIR is required (see --help)\n"); return 2; }
    if (!strcmp(prompt, "-")) {
        if (!(stdin_prompt = read_stdin())) { fprintf(stderr, "generate: cannot read the prompt from stdin\n"); return 1; }
        prompt = stdin_prompt;
    }
    if (!seed_given) go.sampler.seed = (unsigned long long)time(NULL);
    stops[n_stops] = NULL;
    if (n_stops) go.stop_strings = stops;
    go.max_new_tokens = (int)max_new;
    go.max_length = (int)max_len;
    if (!max_new && !max_len) go.max_new_tokens = 64;
    go.num_return_sequences = (int)n_seq;

    if (llm_model_load(&model, model_dir, NULL) != LLM_OK) {
        fprintf(stderr, "generate: cannot load '%s': %s\n", model_dir, llm_model_error(&model));
        free(stdin_prompt);
        return 1;
    }
    if (!model.has_tokenizer) {
        fprintf(stderr, "generate: '%s' has no tokenizer files (vocab.json + merges.txt, encoder.json + vocab.bpe, or tokenizer.json)\n", model_dir);
        llm_model_free(&model);
        free(stdin_prompt);
        return 1;
    }
    memset(&so, 0, sizeof so);
    so.n_threads = threads;
    if (llm_session_init(&sess, &model, &so) != LLM_OK) {
        fprintf(stderr, "generate: %s\n", llm_session_error(&sess));
        llm_model_free(&model);
        free(stdin_prompt);
        return 1;
    }
    st.prompt = prompt;
    st.n_seqs = (int)n_seq;
    st.started = -1;
    go.on_text = on_text;
    go.on_token = on_token;
    go.user = &st;
    if (!*prompt) {
        /* unconditional: start from the end-of-text token */
        int32_t eot = model.config.eos_id >= 0 ? model.config.eos_id : llm_tokenizer_eot(&model.tokenizer);
        st.t_start = now();
        if (eot < 0) { r = LLM_ERR_INVALID_ARG; no_eot = 1; gen.seqs = NULL; gen.n_seqs = 0; }
        else r = llm_generate(&sess, &eot, 1, &go, &gen);
    } else {
        st.t_start = now();
        r = llm_generate_text(&sess, prompt, &go, &gen);
    }
    if (r != LLM_OK) {
        if (no_eot) fprintf(stderr, "generate: empty prompt and the model has no end-of-text token\n");
        else fprintf(stderr, "generate: %s\n", llm_session_error(&sess));
        llm_generation_free(&gen);
        llm_session_free(&sess);
        llm_model_free(&model);
        free(stdin_prompt);
        return 1;
    }
    printf("\n");
    n_prompt_tokens = gen.n_seqs ? gen.seqs[0].n_prompt : 0;
    if (!st.quiet) {
        static const char *reasons[] = { "none", "end of text", "stop string", "length", "context full", "callback" };
        double ttft = st.t_first - st.t_start, gen_s = st.t_last - st.t_first;
        fprintf(stderr, "\nprompt: %zu tokens; time to first token %.1f ms (%.1f tok/s incl. first sample)\n",
                n_prompt_tokens, ttft * 1e3, ttft > 0 ? n_prompt_tokens / ttft : 0.0);
        fprintf(stderr, "generated: %zu tokens in %d sequence(s); %.1f tok/s after the first", st.n_tokens, gen.n_seqs,
                st.n_tokens > 1 && gen_s > 0 ? (st.n_tokens - 1) / gen_s : 0.0);
        fprintf(stderr, "; stop: %s; seed %llu\n", gen.n_seqs ? reasons[gen.seqs[gen.n_seqs - 1].stop] : "-", (unsigned long long)go.sampler.seed);
    }
    llm_generation_free(&gen);
    llm_session_free(&sess);
    llm_model_free(&model);
    free(stdin_prompt);
    return 0;
}
