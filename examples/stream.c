/* stream: two prompts generated side by side with llm_generator, one token
   of each per step. Every event (sequence, token id, its text piece, stop
   reason) is printed on stderr as it comes; when both are done, each
   sequence's prompt and text go to stdout, first the first prompt's, as
   build/generate prints them (sampling at temperature 0.8, top-k 40, seeds
   42 and 43: `build/generate --seed 42 ...` gives the first text).
     build/stream [MODEL_DIR] [PROMPT1] [PROMPT2] [MAX_NEW_TOKENS] */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXT 65536

int main(int argc, char **argv) {
    static const char *const why[] = { "running", "end-of-text", "stop string", "max-new-tokens", "context full",
                                       "callback", "error" };
    const char *dir = argc > 1 ? argv[1] : "models/shakespeare";
    const char *prompts[2];
    static char text[2][MAX_TEXT];
    size_t n_text[2] = {0, 0};
    int max_new = argc > 4 ? atoi(argv[4]) : 40, k, status = 1;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    llm_generator gen;
    int32_t ids[2][1024];
    memset(&model, 0, sizeof model); memset(&sess, 0, sizeof sess); memset(&gen, 0, sizeof gen);
    prompts[0] = argc > 2 ? argv[2] : "ROMEO:";
    prompts[1] = argc > 3 ? argv[3] : "JULIET:";
    if (max_new < 1) { fprintf(stderr, "max-new-tokens must be at least 1\n"); return 2; }
    if (llm_model_load(&model, dir, NULL) != LLM_OK) { fprintf(stderr, "%s\n", llm_model_error(&model)); goto done; }
    if (!model.has_tokenizer) { fprintf(stderr, "%s: no tokenizer files\n", dir); goto done; }
    memset(&so, 0, sizeof so);
    so.n_seq_max = 2;                        /* two sequences at once */
    so.prefix_cache = 1;                     /* shared prompt blocks are evaluated once */
    if (llm_session_init(&sess, &model, &so) != LLM_OK) {
        fprintf(stderr, "%s\n", llm_session_error(&sess));
        goto done;
    }
    if (llm_generator_init(&gen, &sess, NULL) != LLM_OK) {
        fprintf(stderr, "%s\n", llm_generator_error(&gen));
        goto done;
    }
    for (k = 0; k < 2; k++) {
        llm_seq_options o;
        size_t n = 0;
        int seq;
        if (llm_tokenizer_encode(&model.tokenizer, prompts[k], strlen(prompts[k]), 0, ids[k], 1024, &n) != LLM_OK ||
            !n) {
            fprintf(stderr, "prompt %d: %s\n", k + 1, n ? llm_tokenizer_error(&model.tokenizer) : "empty");
            goto done;
        }
        memset(&o, 0, sizeof o);
        o.sampler.temperature = 0.8f; o.sampler.top_k = 40; o.sampler.seed = 42 + (uint64_t)k;
        o.max_new_tokens = max_new;
        if (llm_generator_add(&gen, ids[k], n, &o, &seq) != LLM_OK) {
            fprintf(stderr, "%s\n", llm_generator_error(&gen));
            goto done;
        }   /* the session's slots are free: seq == k */
    }
    while (gen.n_live) {
        const llm_generator_event *ev;
        int n_ev, i;
        if (llm_generator_step(&gen, &ev, &n_ev) != LLM_OK) {
            fprintf(stderr, "%s\n", llm_generator_error(&gen));
            goto done;
        }
        for (i = 0; i < n_ev; i++) {
            const llm_generator_event *e = &ev[i];
            fprintf(stderr, "[%d] id %5d  \"%.*s\"%s%s\n", e->seq, (int)e->id, (int)e->text_len, e->text,
                    e->stop ? "  stop: " : "", e->stop ? why[e->stop] : "");
            if (n_text[e->seq] + e->text_len <= MAX_TEXT) {
                memcpy(text[e->seq] + n_text[e->seq], e->text, e->text_len);
                n_text[e->seq] += e->text_len;
            }
        }
    }
    for (k = 0; k < 2; k++) printf("%s%.*s\n", prompts[k], (int)n_text[k], text[k]);
    status = 0;
done:
    llm_generator_free(&gen);
    llm_session_free(&sess);
    llm_model_free(&model);
    return status;
}
