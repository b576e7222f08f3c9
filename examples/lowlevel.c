/* lowlevel: the token loop by hand, with llm_session_eval and
   llm_sampler_sample (what llm_generate does for you): sampling with a
   repetition penalty over the history, stopping at end-of-text, at the
   context's end or after a token budget, and streaming whole UTF-8
   characters with llm_decoder.
     build/lowlevel [model-folder] [prompt] [max-new-tokens] */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "models/shakespeare";
    const char *prompt = argc > 2 ? argv[2] : "ROMEO:";
    long max_new = 60;
    llm_model model;
    llm_session sess;
    llm_sampler sampler;
    llm_sampler_options so = {0};
    llm_decoder dec;
    int32_t *ids = NULL, eot;
    size_t n = 0, cap, prompt_len, np;
    char piece[LLM_DECODER_BUFFER];
    const char *why = "max-new-tokens";
    int status = 1;
    long k;

    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: lowlevel [MODEL_DIR (models/shakespeare)] [PROMPT (ROMEO:)] [MAX_NEW_TOKENS (60)]\n"
               "samples at temperature 0.8, top-k 40, repetition penalty 1.3, seed 42\n");
        return 0;
    }
    /* zeroed objects: every *_free below is safe whatever failed */
    memset(&model, 0, sizeof model); memset(&sess, 0, sizeof sess); memset(&sampler, 0, sizeof sampler);
    if (argc > 3) {
        char *end;
        max_new = strtol(argv[3], &end, 10);
        if (end == argv[3] || *end || max_new < 0 || max_new > 1000000) {
            fprintf(stderr, "max-new-tokens '%s' is not a number in [0, 1000000]\n", argv[3]);
            return 2;
        }
    }
    if (llm_model_load(&model, dir, NULL) != LLM_OK) { fprintf(stderr, "%s\n", llm_model_error(&model)); goto done; }
    if (!model.has_tokenizer) { fprintf(stderr, "%s: no tokenizer files\n", dir); goto done; }
    if (llm_session_init(&sess, &model, NULL) != LLM_OK) goto session_error;
    so.temperature = 0.8f; so.top_k = 40; so.repetition_penalty = 1.3f; so.seed = 42;
    if (llm_sampler_init(&sampler, &so, (size_t)model.config.n_vocab) != LLM_OK) {
        fprintf(stderr, "%s\n", llm_sampler_error(&sampler));
        goto done;
    }
    /* the history: prompt + generated ids, at most a full context */
    cap = (size_t)sess.n_ctx + 1;
    ids = malloc(cap * sizeof *ids);
    if (!ids) { fprintf(stderr, "out of memory\n"); goto done; }
    if (llm_tokenizer_encode(&model.tokenizer, prompt, strlen(prompt), 0, ids, cap, &n) != LLM_OK || n == 0 ||
        n > (size_t)sess.n_ctx) {
        fprintf(stderr, "the prompt must be 1 to %d tokens\n", sess.n_ctx);
        goto done;
    }
    prompt_len = n;
    eot = model.config.eos_id >= 0 ? model.config.eos_id : llm_tokenizer_eot(&model.tokenizer);
    if (llm_session_eval(&sess, ids, n, NULL) != LLM_OK) goto session_error;
    fputs(prompt, stdout);
    llm_decoder_init(&dec);
    for (k = 0; k < max_new; k++) {
        int32_t id;
        llm_status r = llm_sampler_sample(&sampler, llm_session_logits(&sess), ids, n, &id);
        if (r != LLM_OK) { fprintf(stderr, "\n%s\n", llm_sampler_error(&sampler)); goto done; }
        if (id == eot) { why = "end-of-text"; break; }
        ids[n++] = id;
        if (llm_decoder_push(&dec, &model.tokenizer, id, piece, sizeof piece, &np) == LLM_OK)
            fwrite(piece, 1, np, stdout);
        if (sess.pos == (size_t)sess.n_ctx) { why = "context full"; break; }
        if (llm_session_eval(&sess, &id, 1, NULL) != LLM_OK) goto session_error;
    }
    np = llm_decoder_flush(&dec, piece, sizeof piece);
    fwrite(piece, 1, np, stdout);
    printf("\n");
    fprintf(stderr, "[%zu prompt + %zu new tokens; stopped: %s]\n", prompt_len, n - prompt_len, why);
    status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
    goto done;
session_error:
    fprintf(stderr, "%s\n", llm_session_error(&sess));
done:
    free(ids);
    llm_sampler_free(&sampler);
    llm_session_free(&sess);
    llm_model_free(&model);
    return status;
}
