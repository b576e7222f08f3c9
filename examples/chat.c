/* chat: a conversation with a DialoGPT-style checkpoint (GPT-2 architecture,
   turns separated by <|endoftext|>). DialoGPT's format for every model:
   each turn, the user's line and the model's reply alike, is followed by
   the end-of-text token (config.json's eos_token_id, else the tokenizer's),
   and the reply is generated after it, up to the next end-of-text.

     chat -m models/DialoGPT-small
     printf 'Hello\nHow are you?\n' | chat -m MODEL     (one reply per line)

   Each turn is a sequence of llm_generator over a session with the prefix
   cache on: its prompt is the whole conversation, of which the blocks
   cached by the turns before are reused and only the rest is evaluated;
   when the context fills up, the oldest turns are dropped and the rest is
   evaluated again.
   A line (of any length) is one turn; a line too long for the context is
   refused and the conversation kept. Flags are parsed by examples/cli.h,
   like generate's; --help lists them with their defaults. Exit status 1
   if any line was refused or failed, 2 for bad flags. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

typedef struct {
    int32_t *ids;        /* the whole conversation, each turn ending in eot */
    size_t n, cap;
    size_t *turn_start;  /* index in ids where each turn starts; the history
                            never exceeds the context, so at most n_ctx turns */
    int n_turns;
} history;

static int push_ids(history *h, const int32_t *ids, size_t n) {
    if (h->n + n > h->cap) {
        size_t nc = (h->n + n) * 2;
        int32_t *ni = (int32_t *)realloc(h->ids, nc * sizeof *ni);
        if (!ni) return 0;
        h->ids = ni; h->cap = nc;
    }
    memcpy(h->ids + h->n, ids, n * sizeof *ids);
    h->n += n;
    return 1;
}

/* Drop the oldest turns until `need` more tokens fit in n_ctx. */
static void drop_oldest(history *h, size_t need, size_t n_ctx) {
    int k = 0;
    while (k < h->n_turns - 1 && h->n - h->turn_start[k] + need > n_ctx) k++;
    if (k == 0 && h->n + need <= n_ctx) return;
    if (h->n - h->turn_start[k] + need > n_ctx) k = h->n_turns; /* even the last turn doesn't fit */
    {
        size_t from = k < h->n_turns ? h->turn_start[k] : h->n;
        int i;
        memmove(h->ids, h->ids + from, (h->n - from) * sizeof *h->ids);
        h->n -= from;
        for (i = k; i < h->n_turns; i++) h->turn_start[i - k] = h->turn_start[i] - from;
        h->n_turns -= k;
    }
}

static const char usage[] = "chat -m MODEL [options] (one turn per line of stdin)";

int main(int argc, char **argv) {
    const char *dir = NULL;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_seq_options o;
    llm_generator gen;
    llm_sampler check;
    history h;
    cli_out out;
    char *line = NULL;
    int32_t *ids = NULL, *reply = NULL;
    size_t line_cap = 0, ids_cap = 0;
    int i, interactive, max_reply = 64, seed_given = 0, errors = 0, rc = 1;
    int32_t eot;

    memset(&so, 0, sizeof so);
    memset(&o, 0, sizeof o);
    memset(&gen, 0, sizeof gen);
    memset(&h, 0, sizeof h);
    memset(&sess, 0, sizeof sess);
    o.sampler.top_p = 1.0f;
    o.sampler.repetition_penalty = 1.0f;
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &dir, 0, 0, NULL, CLI_HELP_MODEL },
            { NULL, "--max-reply", "N", CLI_INT, &max_reply, 1, 1 << 30, NULL,
              "tokens per reply (default 64; n_ctx / 2 if that is not below the context)" },
            { NULL, "--temperature", "T", CLI_FLOAT, &o.sampler.temperature, 0, 1e6, NULL, "0 = greedy" },
            { NULL, "--top-k", "K", CLI_INT, &o.sampler.top_k, 0, 1 << 30, NULL, "0 = off" },
            { NULL, "--top-p", "P", CLI_FLOAT, &o.sampler.top_p, 0, 1, NULL,
              "1 = off, 0 = only the best token (as in HF)" },
            { NULL, "--min-p", "P", CLI_FLOAT, &o.sampler.min_p, 0, 1, NULL, "0 = off" },
            { NULL, "--repetition-penalty", "R", CLI_FLOAT, &o.sampler.repetition_penalty, 1e-6, 1e6, NULL,
              "1 = off" },
            { NULL, "--seed", "S", CLI_U64, &o.sampler.seed, 0, 0, &seed_given,
              "sampling seed (default: 64 random bits from /dev/urandom, printed when sampling)" },
            { NULL, "--threads", "N", CLI_INT, &so.n_threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, "--ctx", "N", CLI_INT, &so.n_ctx, 1, 1 << 30, NULL,
              "context length to use (default: the model's)" },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        cli_omp_passive(argv);
        if ((i = cli_parse("chat", usage, opts, NULL, argc, argv)) != CLI_CONTINUE) return i;
    }
    if (!dir) { cli_error("-m MODEL is required (see --help)"); return 2; }
    cli_top_p_zero(&o.sampler);
    if (!cli_load_model(&model, dir, 1, 0)) return 1;
    if (model.config.head != LLM_HEAD_LM) {
        cli_error("%s is %s: it has no next-token logits to chat with (see classify)", dir,
                  llm_head_name(model.config.head));
        goto done;
    }
    if (so.n_ctx && !cli_check_ctx("--ctx", so.n_ctx, &model)) { rc = 2; goto done; }
    /* the sampler options are checked before the first line is read */
    if (llm_sampler_init(&check, &o.sampler, (size_t)model.config.n_vocab) != LLM_OK) {
        cli_error("%s", llm_sampler_error(&check));
        llm_sampler_free(&check);
        goto done;
    }
    llm_sampler_free(&check);
    eot = model.config.eos_id >= 0 ? model.config.eos_id : llm_tokenizer_eot(&model.tokenizer);
    if (eot < 0) { cli_error("the model has no end-of-text token"); goto done; }
    so.prefix_cache = 1;   /* a turn reuses the blocks of the conversation before it */
    so.prefault = 1;       /* the scratch is written at init, not during the first reply */
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { cli_error("%s", llm_session_error(&sess)); goto done; }
    if (llm_generator_init(&gen, &sess, NULL) != LLM_OK) { cli_error("%s", llm_generator_error(&gen)); goto done; }
    if ((size_t)max_reply >= (size_t)sess.n_ctx) max_reply = sess.n_ctx / 2;
    h.turn_start = (size_t *)malloc(((size_t)sess.n_ctx + 2) * sizeof *h.turn_start);
    reply = (int32_t *)malloc((size_t)max_reply * sizeof *reply);
    if (!h.turn_start || !reply) { cli_error("out of memory"); goto done; }
    if (!seed_given) o.sampler.seed = cli_random_seed();
    if (o.sampler.temperature > 0) cli_error("seed %llu", (unsigned long long)o.sampler.seed);
    if (!cli_out_open(&out, NULL)) goto done;
    o.max_new_tokens = max_reply;
    interactive = isatty(STDIN_FILENO);

    for (;;) {
        size_t n = 0, len;
        size_t n_reply = 0;
        llm_stop_reason stop = LLM_STOP_NONE;
        int got, seq, failed = 0;
        if (interactive) { cli_printf(&out, "> "); cli_flush(&out); }
        if (out.err) break;
        if ((got = cli_read_line(stdin, &line, &line_cap, &len)) <= 0) {
            if (got < 0) errors++;
            else if (interactive) cli_printf(&out, "\n");   /* Ctrl-D: the shell's prompt on a line of its own */
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (!len) continue;
        if (len + 2 > ids_cap) {
            int32_t *ni = (int32_t *)realloc(ids, (len + 2) * sizeof *ids);
            if (!ni) { cli_error("out of memory for a line of %zu bytes", len); errors++; break; }
            ids = ni; ids_cap = len + 2;
        }
        if (llm_tokenizer_encode(&model.tokenizer, line, len, 0, ids, ids_cap - 1, &n) != LLM_OK) {
            cli_error("%s", llm_tokenizer_error(&model.tokenizer));
            errors++;
            continue;
        }
        ids[n++] = eot;
        /* a line that cannot fit is refused before anything is forgotten */
        if (n + (size_t)max_reply > (size_t)sess.n_ctx) {
            cli_error("that line is %zu tokens: with a reply of %d it does not fit the context of %d; not sent",
                      n, max_reply, sess.n_ctx);
            errors++;
            continue;
        }
        /* room for this turn and the reply; else forget the oldest turns */
        if (h.n + n + (size_t)max_reply > (size_t)sess.n_ctx)
            drop_oldest(&h, n + (size_t)max_reply, (size_t)sess.n_ctx);
        h.turn_start[h.n_turns++] = h.n;
        if (!push_ids(&h, ids, n)) { cli_error("out of memory"); errors++; break; }
        /* the conversation is the prompt: its cached blocks are reused, the rest evaluated; then the reply */
        if (llm_generator_add(&gen, h.ids, h.n, &o, &seq) != LLM_OK) {
            cli_error("%s", llm_generator_error(&gen));
            errors++;
            break;
        }
        while (gen.n_live) {
            const llm_generator_event *ev;
            int n_ev, k;
            if (llm_generator_step(&gen, &ev, &n_ev) != LLM_OK) {
                cli_error("%s", llm_generator_error(&gen));
                failed = 1;
            }
            for (k = 0; k < n_ev; k++) {
                if (ev[k].id >= 0 && n_reply < (size_t)max_reply) reply[n_reply++] = ev[k].id;
                cli_write(&out, ev[k].text, ev[k].text_len);
                stop = ev[k].stop;
            }
            if (failed) break;
            if (gen.n_live && !cli_flush(&out)) { llm_generator_cancel(&gen, seq); break; }   /* stdout failed */
        }
        if (failed) { errors++; break; }
        cli_printf(&out, "\n");
        cli_flush(&out);
        h.turn_start[h.n_turns++] = h.n;
        if (!push_ids(&h, reply, n_reply) || (stop != LLM_STOP_EOS && !push_ids(&h, &eot, 1))) {  /* turns end in eot */
            cli_error("out of memory");
            errors++;
            break;
        }
    }
    rc = cli_out_close(&out) && !errors ? 0 : 1;
done:
    free(line);
    free(ids);
    free(reply);
    free(h.ids);
    free(h.turn_start);
    llm_generator_free(&gen);
    llm_session_free(&sess);
    llm_model_free(&model);
    return rc;
}
