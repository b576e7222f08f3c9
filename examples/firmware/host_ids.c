/* The reference ids for make test-firmware: llm.h's ordinary build for this
   machine (stdio, malloc, SIMD kernels, OpenMP: not the firmware's
   configuration) loads a checkpoint folder, generates greedily with
   llm_generate_text and prints the ids (prompt + generated) in app.c's
   format, "ids: 813 25 ...".
   Usage: host_ids MODEL_DIR PROMPT NEW_TOKENS */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    llm_model model;
    llm_session sess;
    llm_generation out;
    llm_generate_options opt;
    size_t i;
    int ok;
    if (argc != 4 || atoi(argv[3]) < 1) {
        fputs("usage: host_ids MODEL_DIR PROMPT NEW_TOKENS\n", stderr);
        return 2;
    }
    memset(&opt, 0, sizeof opt);          /* temperature 0: greedy */
    opt.max_new_tokens = atoi(argv[3]);
    if (llm_model_load(&model, argv[1], NULL) != LLM_OK) {
        fprintf(stderr, "host_ids: %s\n", llm_model_error(&model));
        return 1;
    }
    if (llm_session_init(&sess, &model, NULL) != LLM_OK || llm_generate_text(&sess, argv[2], &opt, &out) != LLM_OK) {
        fprintf(stderr, "host_ids: %s\n", llm_session_error(&sess));
        llm_model_free(&model);
        return 1;
    }
    ok = fputs("ids:", stdout) >= 0;
    for (i = 0; ok && i < out.seqs[0].n_ids; i++) ok = printf(" %ld", (long)out.seqs[0].ids[i]) >= 0;
    ok = ok && putchar('\n') != EOF && fflush(stdout) == 0;
    if (!ok) fputs("host_ids: cannot write stdout\n", stderr);
    llm_generation_free(&out);
    llm_session_free(&sess);
    llm_model_free(&model);
    return ok ? 0 : 1;
}
