/* generate: text generation from the command line.

     generate -m MODEL_DIR -p "The quick brown fox" --max-length 50 -n 5 \
              --top-k 40 --temperature 0.8 --seed 42

   One sequence streams its text as it is produced; several (-n N, or beam
   search with --num-beams B) are printed whole, one after the other, once
   all are done (they advance together, one batch per step); --json prints
   one JSON object per sequence instead. Timings go to stderr. Run with
   --help for every flag and its default. The prompt is bytes with a length
   (from -p, -f FILE or stdin; NUL bytes included), encoded with the model's
   tokenizer, or token ids (--ids). Flags are parsed by examples/cli.h,
   shared by every program. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

#define MAX_STOPS 16

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    const char *prompt;
    size_t prompt_len;
    int n_seqs, quiet, stream;  /* stream: one sequence's text as it comes (else printed at the end) */
    int started;           /* the last sequence whose header and prompt are out, or -1 */
    size_t n_tokens;       /* sampled so far */
    double t_start, t_first, t_last;
    cli_out out;
} stream_state;

/* Header (with -n > 1) and prompt of every sequence up to seq. */
static int start_seq(stream_state *st, int seq) {
    while (st->started < seq) {
        st->started++;
        if (st->n_seqs > 1) cli_printf(&st->out, "%s=== sequence %d ===\n", st->started ? "\n" : "", st->started + 1);
        cli_write(&st->out, st->prompt, st->prompt_len);
    }
    return cli_flush(&st->out);
}
/* The callbacks stop generating once stdout fails. */
static int on_text(void *user, int seq, const char *text, size_t len) {
    stream_state *st = (stream_state *)user;
    if (!st->stream) return 0;
    start_seq(st, seq);
    cli_write(&st->out, text, len);
    return !cli_flush(&st->out);
}
static int on_token(void *user, int seq, int32_t id) {
    stream_state *st = (stream_state *)user;
    (void)id;
    st->t_last = now();
    if (!st->n_tokens) st->t_first = st->t_last;
    st->n_tokens++;
    return st->stream ? !start_seq(st, seq) : 0;
}

static const char *stop_name(llm_stop_reason r) {
    static const char *const names[] = { "none", "eos", "stop_string", "length", "context_full", "callback",
                                         "error" };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "none";
}

/* One finished sequence: a JSON line (--json), else its text (with a
   header when there are several; the prompt as given, then the text).
   has_score: beam search. */
static void print_seq(stream_state *st, int json, int index, const int32_t *ids, size_t n_ids, size_t n_prompt,
                      const char *text, size_t text_len, llm_stop_reason stop, int has_score, double score) {
    size_t k;
    if (json) {
        cli_printf(&st->out, "{\"index\":%d,\"ids\":[", index);
        for (k = 0; k < n_ids; k++) cli_printf(&st->out, "%s%d", k ? "," : "", (int)ids[k]);
        cli_printf(&st->out, "],\"text\":");
        cli_json_string(&st->out, text ? text : "", text ? text_len : 0);
        cli_printf(&st->out, ",\"n_prompt\":%zu,\"stop\":\"%s\"", n_prompt, stop_name(stop));
        if (has_score && isfinite(score)) cli_printf(&st->out, ",\"score\":%.17g", score);
        cli_printf(&st->out, "}\n");
        return;
    }
    if (st->n_seqs > 1 && has_score)
        cli_printf(&st->out, "%s=== beam %d, score %.6f ===\n", index ? "\n" : "", index + 1, score);
    else if (st->n_seqs > 1) cli_printf(&st->out, "%s=== sequence %d ===\n", index ? "\n" : "", index + 1);
    cli_write(&st->out, st->prompt, st->prompt_len);
    if (text) cli_write(&st->out, text, text_len);
}

static const char usage[] = "generate -m MODEL_DIR [-p TEXT | -f FILE | --ids LIST] [options]";
static const char notes[] =
    "The prompt's bytes are encoded as they are (NUL bytes too). --max-length at or below the\n"
    "prompt's length prints the prompt and generates nothing (with a warning). OMP_WAIT_POLICY\n"
    "is PASSIVE unless set (see docs/speed.md). The model's generation_config.json, when there is one, gives\n"
    "the defaults for the sampling flags and the length (do_sample false: greedy unless --temperature\n"
    "or --greedy); --info shows each setting and where it came from.\n"
    "One sequence streams as it is generated; several (-n, --num-beams) are printed whole at the end.\n"
    "--num-beams B > 1 is Hugging Face's deterministic beam search (no sampling flags with it); -n N <= B\n"
    "returns the N best beams, best first, with their scores. --json: one JSON object per line per\n"
    "sequence: index, ids (prompt + generated), text (generated only; bytes of invalid UTF-8 as U+FFFD),\n"
    "n_prompt, stop (eos, stop_string, length, context_full, callback) and, for beams, score.\n";

int main(int argc, char **argv) {
    const char *model_dir = NULL, *prompt_arg = NULL, *prompt_file = NULL, *stops[MAX_STOPS + 1];
    char *file_prompt = NULL;
    int i, seed_given = 0, greedy = 0, ignore_eos = 0, keep_stop = 0, special = 0, info = 0, rc = 1;
    int n_seq = 1, max_new = 0, max_len = 0, given[CLI_N_GIVEN] = { 0 };
    cli_setting sets[CLI_MAX_SETTINGS];
    const char *ids_arg = NULL, *early_arg = NULL;
    int json = 0, no_gc = 0;
    cli_list stop_list;
    llm_generate_options go;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_generation gen;
    stream_state st;
    llm_status r;
    int32_t *ids = NULL;
    size_t n_ids = 0;

    memset(&go, 0, sizeof go);
    memset(&st, 0, sizeof st);
    memset(&so, 0, sizeof so);
    memset(&gen, 0, sizeof gen);
    memset(&sess, 0, sizeof sess);
    go.sampler.temperature = 1.0f;
    go.sampler.top_k = 50;
    go.sampler.top_p = 1.0f;
    go.sampler.repetition_penalty = 1.0f;
    stop_list.v = stops; stop_list.n = 0; stop_list.max = MAX_STOPS;
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &model_dir, 0, 0, NULL, CLI_HELP_MODEL },
            { "-p", "--prompt", "TEXT", CLI_STR, &prompt_arg, 0, 0, NULL,
              "prompt; '-' reads it from stdin (default: stdin when it is not a terminal, else empty: from "
              "<|endoftext|>, or [CLS] with vocab.txt)" },
            { "-f", "--prompt-file", "FILE", CLI_STR, &prompt_file, 0, 0, NULL,
              "the prompt is FILE's bytes (default: none)" },
            { NULL, "--max-new-tokens", "N", CLI_INT, &max_new, 1, 1 << 30, &given[CLI_GIVEN_MAX_NEW],
              "tokens to generate (default 64 if --max-length is unset)" },
            { NULL, "--max-length", "N", CLI_INT, &max_len, 1, 1 << 30, &given[CLI_GIVEN_MAX_LEN],
              "prompt + new tokens, as in Hugging Face (default: unset)" },
            { NULL, "--ids", "LIST", CLI_STR, &ids_arg, 0, 0, NULL,
              "the prompt as token ids, comma or space separated (default: none; instead of -p / -f)" },
            { "-n", "--num-return-sequences", "N", CLI_INT, &n_seq, 1, 4096, NULL,
              "sequences from one prompt (beams: the N best, N <= --num-beams)" },
            { NULL, "--num-beams", "B", CLI_INT, &go.num_beams, 1, 4096, &given[CLI_GIVEN_BEAMS],
              "beam search with B beams (default 1: none)" },
            { NULL, "--length-penalty", "F", CLI_FLOAT, &go.length_penalty, -1e6, 1e6, &given[CLI_GIVEN_LP],
              "beams: score = sum of log-probs / length^F (default 1)" },
            { NULL, "--early-stopping", "WHEN", CLI_STR, &early_arg, 0, 0, &given[CLI_GIVEN_ES],
              "beams: true, false or never, as Hugging Face's early_stopping (default false)" },
            { NULL, "--no-repeat-ngram-size", "N", CLI_INT, &go.no_repeat_ngram_size, 0, 1 << 30,
              &given[CLI_GIVEN_NGRAM],
              "never repeat an N-gram of the sequence (default 0: off)" },
            { NULL, "--json", NULL, CLI_BOOL, &json, 0, 0, NULL, "one JSON object per sequence per line on stdout" },
            { NULL, "--temperature", "T", CLI_FLOAT, &go.sampler.temperature, 0, 1e6, &given[CLI_GIVEN_TEMPERATURE],
              "0 = greedy" },
            { NULL, "--top-k", "K", CLI_INT, &go.sampler.top_k, 0, 1 << 30, &given[CLI_GIVEN_TOP_K], "0 = off" },
            { NULL, "--top-p", "P", CLI_FLOAT, &go.sampler.top_p, 0, 1, &given[CLI_GIVEN_TOP_P],
              "1 = off, 0 = only the best token (as in HF)" },
            { NULL, "--min-p", "P", CLI_FLOAT, &go.sampler.min_p, 0, 1, &given[CLI_GIVEN_MIN_P], "0 = off" },
            { NULL, "--repetition-penalty", "R", CLI_FLOAT, &go.sampler.repetition_penalty, 1e-6, 1e6,
              &given[CLI_GIVEN_PENALTY],
              "1 = off" },
            { NULL, "--greedy", NULL, CLI_BOOL, &greedy, 0, 0, &given[CLI_GIVEN_GREEDY], "same as --temperature 0" },
            { NULL, "--seed", "S", CLI_U64, &go.sampler.seed, 0, 0, &seed_given,
              "sampling seed (default: 64 random bits from /dev/urandom, printed)" },
            { NULL, "--stop", "STR", CLI_LIST, &stop_list, 0, 0, NULL,
              "stop when STR appears; the text ends before it (repeatable, up to 16; default: none)" },
            { NULL, "--keep-stop", NULL, CLI_BOOL, &keep_stop, 0, 0, NULL, "the text keeps the stop string" },
            { NULL, "--ignore-eos", NULL, CLI_BOOL, &ignore_eos, 0, 0, NULL,
              "don't stop at <|endoftext|> ([SEP] with vocab.txt)" },
            { NULL, "--special", NULL, CLI_BOOL, &special, 0, 0, NULL,
              "'<|endoftext|>' in the prompt is the special token" },
            { NULL, "--ctx", "N", CLI_INT, &so.n_ctx, 1, 1 << 30, NULL,
              "context length: prompt + new tokens at most N (default: the model's)" },
            { NULL, "--threads", "N", CLI_INT, &so.n_threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, "--no-generation-config", NULL, CLI_BOOL, &no_gc, 0, 0, NULL,
              "ignore the model's generation_config.json (generate's own defaults)" },
            { NULL, "--info", NULL, CLI_BOOL, &info, 0, 0, NULL, CLI_HELP_INFO },
            { "-q", "--quiet", NULL, CLI_BOOL, &st.quiet, 0, 0, NULL, "no timings or notes on stderr" },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        cli_omp_passive(argv);
        if ((i = cli_parse("generate", usage, opts, notes, argc, argv)) != CLI_CONTINUE) return i;
    }
    if (!model_dir) { cli_error("-m MODEL_DIR is required (see --help)"); return 2; }
    if ((prompt_arg != NULL) + (prompt_file != NULL) + (ids_arg != NULL) > 1) {
        cli_error("-p, -f and --ids each give the prompt: use one");
        return 2;
    }
    if (early_arg) {
        if (!strcmp(early_arg, "true")) go.early_stopping = LLM_EARLY_STOPPING_TRUE;
        else if (!strcmp(early_arg, "false")) go.early_stopping = LLM_EARLY_STOPPING_FALSE;
        else if (!strcmp(early_arg, "never")) go.early_stopping = LLM_EARLY_STOPPING_NEVER;
        else {
            char q[64];
            cli_error("--early-stopping: expected true, false or never, got '%s'",
                      cli_quote(q, sizeof q, early_arg, strlen(early_arg)));
            return 2;
        }
    }
    if (given[CLI_GIVEN_LP]) go.has_length_penalty = 1;
    if (greedy) go.sampler.temperature = 0;
    go.ignore_eos = ignore_eos;
    go.keep_stop_strings = keep_stop;
    if (special) go.encode_flags |= LLM_TOKENIZE_SPECIAL;
    if (stop_list.n) go.stop_strings = stops;
    go.max_new_tokens = max_new;
    go.max_length = max_len;
    if (!max_new && !max_len) go.max_new_tokens = 64; /* unless generation_config.json says (below) */
    go.num_return_sequences = n_seq;

    /* the prompt: bytes with a length */
    if (prompt_arg && strcmp(prompt_arg, "-")) { st.prompt = prompt_arg; st.prompt_len = strlen(prompt_arg); }
    else if (prompt_arg || prompt_file || (!ids_arg && !info && !isatty(STDIN_FILENO))) {
        if (!(file_prompt = cli_read(prompt_file ? prompt_file : "-", &st.prompt_len))) return 1;
        st.prompt = file_prompt;
    } else st.prompt = "";

    st.n_seqs = n_seq;
    st.started = -1;
    if (!cli_load_model(&model, model_dir, 1, st.quiet, 0)) { free(file_prompt); return 1; }
    if (so.n_ctx && !cli_check_ctx("--ctx", so.n_ctx, &model)) { rc = 2; goto done; }
    i = cli_generation_config(&model, !no_gc, given, 1, "generate's default", &go, sets, st.quiet || info);
    if (i != 1 && !info) { rc = i; goto done; }
    cli_top_p_zero(&go.sampler);
    if (go.num_beams > 1 && n_seq > go.num_beams) {
        cli_error("-n %d is more than --num-beams %d: beam search returns at most num_beams sequences", n_seq,
                  go.num_beams);
        rc = 2;
        goto done;
    }
    if (go.num_beams > 1 && stop_list.n) { cli_error("--stop cannot be used with beam search"); rc = 2; goto done; }
    st.stream = n_seq == 1 && go.num_beams <= 1 && !json;
    if (!cli_out_open(&st.out, NULL)) goto done;
    if (info) {
        int k;
        rc = cli_info(&st.out, model_dir, &model, &so) ? 0 : 1;
        cli_printf(&st.out, "generation settings (flags, else generation_config.json, else generate's defaults):\n");
        for (k = 0; sets[k].name; k++) cli_printf(&st.out, "  %s %s (%s)\n", sets[k].name, sets[k].value, sets[k].from);
        if (!cli_out_close(&st.out)) rc = 1;
        goto done;
    }
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { cli_error("%s", llm_session_error(&sess)); goto done; }

    /* encode (a token is at least one byte: len + 1 ids suffice); an empty
       prompt starts from the end-of-text token (a BERT vocabulary: [CLS], as
       those models' examples do) */
    ids = (int32_t *)malloc((st.prompt_len + 1) * sizeof *ids);
    if (!ids) { cli_error("out of memory for a prompt of %zu bytes", st.prompt_len); goto done; }
    if (ids_arg) {
        char err[256];
        free(ids);
        ids = NULL;
        if (!cli_parse_ids(ids_arg, strlen(ids_arg), (size_t)model.config.n_vocab, &ids, &n_ids, err, sizeof err)) {
            cli_error("--ids: %s", err);
            rc = 2;
            goto done;
        }
        if (!n_ids) { cli_error("--ids: no token ids"); rc = 2; goto done; }
        /* the prompt's text, printed before the generated text */
        free(file_prompt);
        file_prompt = NULL;
        llm_tokenizer_decode(&model.tokenizer, ids, n_ids, NULL, 0, &st.prompt_len); /* the size */
        if (!(file_prompt = (char *)malloc(st.prompt_len + 1)) ||
            llm_tokenizer_decode(&model.tokenizer, ids, n_ids, file_prompt, st.prompt_len + 1,
                                 &st.prompt_len) != LLM_OK) {
            cli_error("cannot decode the --ids prompt: %s", llm_tokenizer_error(&model.tokenizer));
            goto done;
        }
        st.prompt = file_prompt;
    } else if (!st.prompt_len) {
        ids[0] = model.config.eos_id >= 0 ? model.config.eos_id : llm_tokenizer_eot(&model.tokenizer);
        if (llm_tokenizer_bos(&model.tokenizer) >= 0) ids[0] = llm_tokenizer_bos(&model.tokenizer);
        if (ids[0] < 0) { cli_error("empty prompt and the model has no end-of-text token"); goto done; }
        n_ids = 1;
    } else if (llm_tokenizer_encode(&model.tokenizer, st.prompt, st.prompt_len, go.encode_flags, ids,
                                    st.prompt_len + 1, &n_ids) != LLM_OK) {
        cli_error("cannot encode the prompt: %s", llm_tokenizer_error(&model.tokenizer));
        goto done;
    }
    if (go.max_length && (size_t)go.max_length <= n_ids) {
        /* as Hugging Face: the prompt comes back, with a warning */
        for (i = 0; i < n_seq; i++)
            print_seq(&st, json, i, ids, n_ids, n_ids, "", 0, LLM_STOP_LENGTH, go.num_beams > 1, 0.0);
        if (!json) cli_printf(&st.out, "\n");
        if (!cli_out_close(&st.out)) goto done;
        if (!st.quiet)
            cli_error("max_length %d (%s) is not above the prompt's %zu tokens: nothing was generated "
                      "(use --max-new-tokens)",
                      go.max_length, max_len ? "--max-length" : "generation_config.json", n_ids);
        rc = 0;
        goto done;
    }
    if (!seed_given) go.sampler.seed = cli_random_seed();
    go.on_text = on_text;
    go.on_token = on_token;
    go.user = &st;
    st.t_start = now();
    r = llm_generate(&sess, ids, n_ids, &go, &gen);
    if (r != LLM_OK) {
        cli_flush(&st.out);
        if (st.started >= 0) fputc('\n', stdout);
        cli_error("%s", llm_session_error(&sess));
        goto done;
    }
    st.t_last = now();
    if (st.stream) start_seq(&st, gen.n_seqs - 1);
    else
        for (i = 0; i < gen.n_seqs; i++) {
            const llm_sequence *q = &gen.seqs[i];
            print_seq(&st, json, i, q->ids, q->n_ids, q->n_prompt, q->text, q->text_len, q->stop, go.num_beams > 1,
                      q->score);
        }
    if (!json) cli_printf(&st.out, "\n");
    if (!cli_out_close(&st.out)) goto done;
    if (!st.quiet && go.num_beams > 1) {
        size_t n_new = 0;
        for (i = 0; i < gen.n_seqs; i++) n_new += gen.seqs[i].n_ids - gen.seqs[i].n_prompt;
        fprintf(stderr, "\nprompt: %zu tokens; beam search, %d beams: %.1f ms; returned %d sequence(s), "
                "%zu new tokens; best score %.6f, stop: %s\n", n_ids, go.num_beams, (st.t_last - st.t_start) * 1e3,
                gen.n_seqs, n_new, gen.n_seqs ? gen.seqs[0].score : 0.0,
                gen.n_seqs ? stop_name(gen.seqs[0].stop) : "-");
    } else if (!st.quiet) {
        static const char *reasons[] = { "none", "end of text", "stop string", "length", "context full", "callback",
                                         "error" };
        double ttft = st.t_first - st.t_start, gen_s = st.t_last - st.t_first;
        if (st.n_tokens)
            fprintf(stderr, "\nprompt: %zu tokens; time to first token %.1f ms (%.1f tok/s incl. first sample)\n",
                    n_ids, ttft * 1e3, ttft > 0 ? n_ids / ttft : 0.0);
        else fprintf(stderr, "\nprompt: %zu tokens; no token was generated\n", n_ids);
        fprintf(stderr, "generated: %zu tokens in %d sequence(s); %.1f tok/s after the first", st.n_tokens, gen.n_seqs,
                st.n_tokens > 1 && gen_s > 0 ? (st.n_tokens - 1) / gen_s : 0.0);
        fprintf(stderr, "; stop: %s", gen.n_seqs ? reasons[gen.seqs[gen.n_seqs - 1].stop] : "-");
        if (go.sampler.temperature > 0) fprintf(stderr, "; seed %llu", (unsigned long long)go.sampler.seed);
        fprintf(stderr, "\n");
    }
    rc = 0;
done:
    llm_generation_free(&gen);
    llm_session_free(&sess);
    llm_model_free(&model);
    free(ids);
    free(file_prompt);
    return rc;
}
