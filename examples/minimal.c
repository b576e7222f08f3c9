/* minimal: load a checkpoint folder, encode a prompt, generate greedily. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "models/shakespeare";
    const char *prompt = argc > 2 ? argv[2] : "ROMEO:";
    llm_model model;
    llm_session sess;
    llm_generation out;
    llm_generate_options opt = {0};       /* zero = greedy, no limits */
    int ok;
    opt.max_new_tokens = 40;

    if (dir[0] == '-') {                  /* -h, --help, or an option it doesn't have */
        int help = !strcmp(dir, "-h") || !strcmp(dir, "--help");
        fputs("usage: minimal [MODEL_DIR [PROMPT]]\n", help ? stdout : stderr);
        return help ? 0 : 2;
    }
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
    /* a full disk or a closed pipe is an error too */
    ok = printf("%s%s\n", prompt, out.seqs[0].text) >= 0 && fflush(stdout) == 0;
    if (!ok) fprintf(stderr, "minimal: cannot write stdout\n");
    llm_generation_free(&out);
    llm_session_free(&sess);
    llm_model_free(&model);
    return ok ? 0 : 1;
}
