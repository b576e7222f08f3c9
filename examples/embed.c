/* embed: one vector per input, pooled from the model's final hidden
   states (after ln_f), on any GPT-2 checkpoint (any head).

     embed -m DIR -p "some text"                   a JSON line
     embed -m DIR -f texts.txt --pool last         one text per line
     embed -m DIR -f texts.txt --npy out.npy       float32 [inputs, n_embd]

   Inputs go through the model --batch at a time, each in its own slot of
   one multi-sequence decode (llm_session_decode_hidden); llm_pool_rows
   pools each one's rows. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

static const char usage[] = "embed -m DIR (-p TEXT | -f FILE | --ids LIST) [--pool mean|last] [--normalize] "
                            "[--npy FILE]";
static const char notes[] =
    "Prints one JSON object per input: {\"input\": i, \"tokens\": n, \"embedding\": [...]}, or with --npy writes\n"
    "float32 [inputs, n_embd] to FILE. --pool mean (the default) averages the input's positions; last takes\n"
    "its last position. Vectors are not normalised unless --normalize (unit L2 norm).\n";

int main(int argc, char **argv) {
    const char *model_path = NULL, *ids_arg = NULL, *file = NULL, *text = NULL, *pool_name = "mean", *npy = NULL;
    int normalize = 0, batch = 16, rc = 1;
    llm_pool pool;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    cli_inputs in;
    cli_out out, no;
    float *vecs = NULL;
    size_t first, k, i, C;

    memset(&so, 0, sizeof so);
    memset(&sess, 0, sizeof sess);
    memset(&in, 0, sizeof in);
    memset(&no, 0, sizeof no);
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &model_path, 0, 0, NULL, CLI_HELP_MODEL },
            { "-p", "--prompt", "TEXT", CLI_STR, &text, 0, 0, NULL, "one text; required: one input" },
            { "-f", "--file", "FILE", CLI_STR, &file, 0, 0, NULL,
              "one text per line ('-': stdin; empty lines skipped); required: one input" },
            { NULL, "--ids", "LIST", CLI_STR, &ids_arg, 0, 0, NULL,
              "token ids, separated by commas or spaces; required: one input" },
            { NULL, "--pool", "mean|last", CLI_STR, &pool_name, 0, 0, NULL, "how positions are pooled" },
            { NULL, "--normalize", NULL, CLI_BOOL, &normalize, 0, 0, NULL, "scale each vector to unit L2 norm" },
            { NULL, "--npy", "FILE", CLI_STR, &npy, 0, 0, NULL,
              "write float32 [inputs, n_embd] there instead of JSON lines (default: JSON lines)" },
            { NULL, "--batch", "N", CLI_INT, &batch, 1, 4096, NULL, "inputs per decode" },
            { NULL, "--threads", "N", CLI_INT, &so.n_threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        int r;
        cli_omp_passive(argv);
        if ((r = cli_parse("embed", usage, opts, notes, argc, argv)) != CLI_CONTINUE) return r;
    }
    if (!model_path) { cli_error("-m DIR is required (see --help)"); return 2; }
    if ((!!ids_arg + !!file + !!text) != 1) { cli_error("give exactly one of -p, -f, --ids (see --help)"); return 2; }
    if (!strcmp(pool_name, "mean")) pool = LLM_POOL_MEAN;
    else if (!strcmp(pool_name, "last")) pool = LLM_POOL_LAST;
    else { cli_error("--pool: expected mean or last"); return 2; }
    if (!cli_load_model(&model, model_path, !ids_arg, 1, 0)) return 1;
    if (!cli_inputs_read(&in, &model, text, file, ids_arg)) goto done;
    if (!cli_inputs_session(&in, &model, &so, &sess, batch)) goto done;
    C = (size_t)model.config.n_embd;
    vecs = (float *)malloc(in.count * C * sizeof *vecs);
    if (!vecs) { cli_error("out of memory"); goto done; }
    for (first = 0; first < in.count; first += k) {
        size_t j;
        llm_batch b;
        if (!(k = cli_inputs_decode(&sess, &in, first, &b))) goto done;
        for (j = 0; j < k; j++) llm_pool_rows(in.hidden, C, &b, (int)j, pool, normalize, vecs + (first + j) * C);
    }
    if (!cli_out_open(&out, NULL)) goto done;
    if (npy) {
        if (!cli_out_open(&no, npy)) goto done;
        cli_write_npy(&no, vecs, in.count, C);
        if (!cli_out_close(&no)) goto done;
    } else
        for (i = 0; i < in.count && !out.err; i++) {
            size_t k;
            cli_printf(&out, "{\"input\": %zu, \"tokens\": %zu, \"embedding\": [", i, in.n[i]);
            for (k = 0; k < C; k++) cli_printf(&out, "%s%.9g", k ? ", " : "", (double)vecs[i * C + k]);
            cli_printf(&out, "]}\n");
        }
    rc = cli_out_close(&out) ? 0 : 1;
done:
    cli_out_discard(&no);
    free(vecs);
    cli_inputs_free(&in);
    llm_session_free(&sess);
    llm_model_free(&model);
    return rc;
}
