/* chat: a conversation with a DialoGPT-style checkpoint (GPT-2 architecture,
   turns separated by <|endoftext|>).

     chat -m models/DialoGPT-small
     printf 'Hello\nHow are you?\n' | chat -m MODEL     (one reply per line)

   The conversation stays in the KV cache across turns; when the context
   fills up, the oldest turns are dropped and the rest is evaluated again.
   Options: --max-reply N (default 64), --temperature T (default 0: greedy),
   --top-k K, --top-p P, --repetition-penalty R, --seed S, --threads N,
   --ctx N (context length to use; default: the model's). */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int print_piece(void *user, int seq, const char *text, size_t len) {
    (void)user; (void)seq;
    fwrite(text, 1, len, stdout);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    const char *dir = NULL;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_generate_options go;
    history h;
    char line[8192];
    int i, interactive, max_reply = 64;
    int32_t eot;
    size_t in_cache = 0; /* tokens of h already in the KV cache */

    memset(&so, 0, sizeof so);
    memset(&go, 0, sizeof go);
    memset(&h, 0, sizeof h);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: chat -m MODEL [--max-reply N] [--temperature T] [--top-k K] [--top-p P]\n"
                   "            [--repetition-penalty R] [--seed S] [--threads N] [--ctx N]\n");
            return 0;
        }
        if (!v) { fprintf(stderr, "chat: %s needs a value\n", a); return 2; }
        i++;
        if (!strcmp(a, "-m")) dir = v;
        else if (!strcmp(a, "--max-reply")) max_reply = atoi(v);
        else if (!strcmp(a, "--temperature")) go.sampler.temperature = (float)atof(v);
        else if (!strcmp(a, "--top-k")) go.sampler.top_k = atoi(v);
        else if (!strcmp(a, "--top-p")) go.sampler.top_p = (float)atof(v);
        else if (!strcmp(a, "--repetition-penalty")) go.sampler.repetition_penalty = (float)atof(v);
        else if (!strcmp(a, "--seed")) go.sampler.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--threads")) so.n_threads = atoi(v);
        else if (!strcmp(a, "--ctx")) so.n_ctx = atoi(v);
        else { fprintf(stderr, "chat: unknown option '%s'\n", a); return 2; }
    }
    if (!dir) { fprintf(stderr, "chat: -m MODEL is required\n"); return 2; }
    if (max_reply < 1) { fprintf(stderr, "chat: --max-reply must be positive\n"); return 2; }
    if (llm_model_load(&model, dir, NULL) != LLM_OK) { fprintf(stderr, "chat: %s\n", llm_model_error(&model)); return 1; }
    if (!model.has_tokenizer) { fprintf(stderr, "chat: '%s' has no tokenizer files\n", dir); return 1; }
    eot = model.config.eos_id >= 0 ? model.config.eos_id : llm_tokenizer_eot(&model.tokenizer);
    if (eot < 0) { fprintf(stderr, "chat: the model has no end-of-text token\n"); return 1; }
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { fprintf(stderr, "chat: %s\n", llm_session_error(&sess)); return 1; }
    if ((size_t)max_reply >= (size_t)sess.n_ctx) max_reply = sess.n_ctx / 2;
    h.turn_start = (size_t *)malloc(((size_t)sess.n_ctx + 2) * sizeof *h.turn_start);
    if (!h.turn_start) { fprintf(stderr, "chat: out of memory\n"); return 1; }
    go.max_new_tokens = max_reply;
    go.on_text = print_piece;
    interactive = isatty(STDIN_FILENO);

    for (;;) {
        int32_t ids[8192];
        size_t n = 0, len;
        llm_generation g;
        llm_status r;
        if (interactive) { printf("> "); fflush(stdout); }
        if (!fgets(line, sizeof line, stdin)) break;
        len = strcspn(line, "\r\n");
        line[len] = 0;
        if (!len) continue;
        if (llm_tokenizer_encode(&model.tokenizer, line, len, 0, ids, sizeof ids / sizeof *ids - 1, &n) != LLM_OK) {
            fprintf(stderr, "chat: %s\n", llm_tokenizer_error(&model.tokenizer));
            continue;
        }
        ids[n++] = eot;
        /* room for this turn and the reply; else forget the oldest turns */
        if (h.n + n + (size_t)max_reply > (size_t)sess.n_ctx) {
            drop_oldest(&h, n + (size_t)max_reply, (size_t)sess.n_ctx);
            llm_session_reset(&sess);
            in_cache = 0;
            if (n + (size_t)max_reply > (size_t)sess.n_ctx) { fprintf(stderr, "chat: that line is too long for the context\n"); continue; }
        }
        h.turn_start[h.n_turns++] = h.n;
        if (!push_ids(&h, ids, n)) { fprintf(stderr, "chat: out of memory\n"); break; }
        /* evaluate what the cache lacks (after a drop: the kept turns), then reply */
        r = llm_generate(&sess, h.ids + in_cache, h.n - in_cache, &go, &g);
        if (r != LLM_OK) { fprintf(stderr, "chat: %s\n", llm_session_error(&sess)); llm_generation_free(&g); break; }
        printf("\n");
        fflush(stdout);
        {
            llm_sequence *q = &g.seqs[0];
            size_t reply = q->n_ids - q->n_prompt;
            h.turn_start[h.n_turns++] = h.n;
            if (!push_ids(&h, q->ids + q->n_prompt, reply)) { fprintf(stderr, "chat: out of memory\n"); break; }
            if (q->stop != LLM_STOP_EOS && !push_ids(&h, &eot, 1)) break;  /* turns end in eot */
            in_cache = sess.pos; /* all but the reply's last token */
        }
        llm_generation_free(&g);
    }
    free(h.ids);
    free(h.turn_start);
    llm_session_free(&sess);
    llm_model_free(&model);
    return 0;
}
