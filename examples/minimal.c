/* minimal: load a checkpoint folder, encode a prompt, generate greedily. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "models/shakespeare";
    const char *prompt = argc > 2 ? argv[2] : "ROMEO:";
    llm_model model;
    llm_session sess;
    llm_generation out;
    llm_generate_options opt = {0};       /* zero = greedy, no limits */
    opt.max_new_tokens = 40;

    if (llm_model_load(&model, dir, NULL) != LLM_OK) {
        fprintf(stderr, "%s\n", llm_model_error(&model));
        return 1;
    }
    if (llm_session_init(&sess, &model, NULL) != LLM_OK ||
        llm_generate_text(&sess, prompt, &opt, &out) != LLM_OK) {
        fprintf(stderr, "%s\n", llm_session_error(&sess));
        llm_model_free(&model);
        return 1;
    }
    printf("%s%s\n", prompt, out.seqs[0].text);
    llm_generation_free(&out);
    llm_session_free(&sess);
    llm_model_free(&model);
    return 0;
}
