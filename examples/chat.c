/* chat: a conversation with a model, one turn per line of stdin.

     chat -m models/DialoGPT-small
     printf 'Hello\nHow are you?\n' | chat -m MODEL     (a reply a turn)
     chat -m MODEL --chat-template plain --system "You are terse."

   The conversation is written in the model's chat template (llm.h's
   llm_chat_render; --chat-template NAME overrides the model's, see
   docs/programs.md): dialogpt (each turn, the user's line and the reply
   alike, followed by the end-of-text token, as DialoGPT was trained) for
   DialoGPT checkpoints, chatml where the vocabulary has <|im_start|> and
   <|im_end|>, else plain ("User: ...", "Assistant:"). The reply ends at the
   end-of-text token or the template's stop string; its leading white space
   is not printed nor kept.

   Each turn is a sequence of llm_generator over a session with the prefix
   cache on: its prompt is the whole conversation, rendered again, of which
   the blocks cached by the turns before are reused and only the rest is
   evaluated; when the context cannot hold the conversation and a reply,
   the oldest turns are dropped (a --system message stays).
   A line (of any length) is one turn; a line too long for the context is
   refused and the conversation kept. Flags are parsed by examples/cli.h,
   like generate's; --help lists them with their defaults. Exit status 1
   if any line was refused or failed, 2 for bad flags. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

/* The conversation: messages whose contents it owns. */
typedef struct {
    llm_chat_message *m;
    size_t n, cap;
    size_t first;        /* the oldest message still sent (after the system message, if any) */
    int has_system;      /* m[0] is the --system message */
} history;

static int push_msg(history *h, const char *role, const char *text, size_t len) {
    char *c = (char *)malloc(len + 1);
    if (!c) return 0;
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 16;
        llm_chat_message *nm = (llm_chat_message *)realloc(h->m, nc * sizeof *nm);
        if (!nm) { free(c); return 0; }
        h->m = nm; h->cap = nc;
    }
    memcpy(c, text, len);
    c[len] = 0;
    h->m[h->n].role = role;
    h->m[h->n].content = c;
    h->m[h->n].content_len = len;
    h->n++;
    return 1;
}

static void pop_msg(history *h) { free((char *)h->m[--h->n].content); }

/* The messages sent: the system message, then m[first..n). */
static size_t sent_msgs(const history *h, llm_chat_message *out) {
    size_t k = 0, i;
    if (h->has_system) out[k++] = h->m[0];
    for (i = h->first; i < h->n; i++) out[k++] = h->m[i];
    return k;
}

static const char usage[] = "chat -m MODEL [options] (one turn per line of stdin)";

/* Renders h's sent messages and the assistant's prompt into *ids (grown);
   drops the oldest turns until they fit n_ctx with room for max_reply
   tokens. 1: ok; 0: even the last message alone does not fit (*n says how
   many tokens it needs); -1: an error (printed). */
static int render(const llm_model *model, int tmpl, int32_t eos, history *h, llm_chat_message *scratch,
                  int32_t **ids, size_t *cap, size_t *n, size_t n_ctx, size_t max_reply) {
    char err[LLM_ERROR_SIZE];
    for (;;) {
        size_t k = sent_msgs(h, scratch);
        llm_status st = llm_chat_render(&model->tokenizer, tmpl, eos, scratch, k, 1, *ids, *cap, n, err);
        if (st == LLM_ERR_BUFFER_TOO_SMALL) {
            int32_t *ni = (int32_t *)realloc(*ids, *n * sizeof **ids);
            if (!ni) { cli_error("out of memory for %zu tokens", *n); return -1; }
            *ids = ni; *cap = *n;
            continue;
        }
        if (st != LLM_OK) { cli_error("%s", err); return -1; }
        if (*n + max_reply <= n_ctx) return 1;
        if (h->first + 1 >= h->n) return 0;
        h->first += h->first + 2 < h->n ? 2 : 1;   /* a user line and its reply */
    }
}

int main(int argc, char **argv) {
    const char *dir = NULL, *tmpl_name = NULL, *system_msg = NULL;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_seq_options o;
    llm_generator gen;
    llm_sampler check;
    history h;
    cli_out out;
    char *line = NULL, *reply = NULL;
    int32_t *ids = NULL;
    llm_chat_message *scratch = NULL;
    size_t line_cap = 0, ids_cap = 0, reply_cap = 0;
    int i, interactive, max_reply = 64, seed_given = 0, errors = 0, rc = 1, tmpl;
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
            { NULL, "--chat-template", "NAME", CLI_STR, &tmpl_name, 0, 0, NULL,
              "plain, dialogpt or chatml (default: the model's; see docs/programs.md)" },
            { NULL, "--system", "TEXT", CLI_STR, &system_msg, 0, 0, NULL,
              "a system message before the conversation (default: none)" },
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
    tmpl = tmpl_name ? llm_chat_template_from_name(tmpl_name) : 0;
    if (tmpl < 0) { cli_error("--chat-template %s: not a template (plain, dialogpt or chatml)", tmpl_name); return 2; }
    cli_top_p_zero(&o.sampler);
    if (!cli_load_model(&model, dir, 1, 0, 1)) return 1;
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
    if (!tmpl_name) tmpl = model.chat_template;
    {   /* the template renders on this model (chatml needs its tokens, dialogpt an end-of-text token) */
        char err[LLM_ERROR_SIZE];
        size_t n;
        llm_status st = llm_chat_render(&model.tokenizer, tmpl, eot, NULL, 0, 1, NULL, 0, &n, err);
        if (st != LLM_OK && st != LLM_ERR_BUFFER_TOO_SMALL) {
            cli_error("chat template %s: %s", llm_chat_template_name(tmpl), err);
            rc = tmpl_name ? 2 : 1;
            goto done;
        }
    }
    so.prefix_cache = 1;   /* a turn reuses the blocks of the conversation before it */
    so.prefault = 1;       /* the scratch is written at init, not during the first reply */
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { cli_error("%s", llm_session_error(&sess)); goto done; }
    if (llm_generator_init(&gen, &sess, NULL) != LLM_OK) { cli_error("%s", llm_generator_error(&gen)); goto done; }
    if ((size_t)max_reply >= (size_t)sess.n_ctx) max_reply = sess.n_ctx / 2;
    if (!seed_given) o.sampler.seed = cli_random_seed();
    if (o.sampler.temperature > 0) cli_error("seed %llu", (unsigned long long)o.sampler.seed);
    if (!cli_out_open(&out, NULL)) goto done;
    o.max_new_tokens = max_reply;
    o.stop_strings = llm_chat_template_stops(tmpl);
    interactive = isatty(STDIN_FILENO);
    if (interactive)
        cli_error("chat template %s (%s)", llm_chat_template_name(tmpl),
                  tmpl_name ? "--chat-template" : model.chat_template_note);
    if (system_msg && !push_msg(&h, "system", system_msg, strlen(system_msg))) {
        cli_error("out of memory");
        goto done;
    }
    h.has_system = system_msg != NULL;
    h.first = h.n;

    for (;;) {
        size_t n = 0, len, first = h.first, n_reply = 0;
        int got, seq, failed = 0, fit, lead = 1;
        if (interactive) { cli_printf(&out, "> "); cli_flush(&out); }
        if (out.err) break;
        if ((got = cli_read_line(stdin, &line, &line_cap, &len)) <= 0) {
            if (got < 0) errors++;
            else if (interactive) cli_printf(&out, "\n");   /* Ctrl-D: the shell's prompt on a line of its own */
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        if (!len) continue;
        if (!push_msg(&h, "user", line, len)) {
            cli_error("out of memory for a line of %zu bytes", len);
            errors++;
            break;
        }
        free(scratch);
        scratch = (llm_chat_message *)malloc(h.n * sizeof *scratch);
        if (!scratch) { cli_error("out of memory"); errors++; break; }
        fit = render(&model, tmpl, eot, &h, scratch, &ids, &ids_cap, &n, (size_t)sess.n_ctx, (size_t)max_reply);
        if (fit < 0) { errors++; break; }
        if (!fit) {   /* a line that cannot fit is refused before anything is forgotten */
            cli_error("that line makes a prompt of %zu tokens: with a reply of %d it does not fit the context of %d; "
                      "not sent", n, max_reply, sess.n_ctx);
            pop_msg(&h);
            h.first = first;
            errors++;
            continue;
        }
        /* the conversation is the prompt: its cached blocks are reused, the rest evaluated; then the reply */
        if (llm_generator_add(&gen, ids, n, &o, &seq) != LLM_OK) {
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
                const char *t = ev[k].text;
                size_t tl = ev[k].text_len;
                while (lead && tl && (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t')) { t++; tl--; }
                if (!tl) continue;
                lead = 0;
                if (n_reply + tl > reply_cap) {
                    size_t nc = (n_reply + tl) * 2;
                    char *nr = (char *)realloc(reply, nc);
                    if (!nr) { cli_error("out of memory"); failed = 1; break; }
                    reply = nr; reply_cap = nc;
                }
                memcpy(reply + n_reply, t, tl);
                n_reply += tl;
                cli_write(&out, t, tl);
            }
            if (failed) break;
            if (gen.n_live && !cli_flush(&out)) { llm_generator_cancel(&gen, seq); break; }   /* stdout failed */
        }
        if (failed) { errors++; break; }
        cli_printf(&out, "\n");
        cli_flush(&out);
        if (!push_msg(&h, "assistant", reply ? reply : "", n_reply)) { cli_error("out of memory"); errors++; break; }
    }
    rc = cli_out_close(&out) && !errors ? 0 : 1;
done:
    free(line);
    free(ids);
    free(reply);
    free(scratch);
    while (h.n) pop_msg(&h);
    free(h.m);
    llm_generator_free(&gen);
    llm_session_free(&sess);
    llm_model_free(&model);
    return rc;
}
