/* score: log-probability of every token of a sequence, and its perplexity.

     score -m MODEL --ids 464,3290,373          ids, comma/space separated
     score -m MODEL --ids-file ids.txt          the same from a file ('-': stdin)
     score -m MODEL --text "The dog was"        text (needs tokenizer files)
     score -m MODEL --text-file F

   Sequences longer than the window are scored in consecutive windows of W
   inputs; window k sees tokens [kW, kW+W) only, and predicts the tokens
   after them (the usual held-out evaluation of GPT-style training).
   Non-finite logits (NaN/Inf weights) are an error, not a perplexity. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

static const char usage[] = "score -m MODEL (--ids LIST | --ids-file F | --text STR | --text-file F) [options]";
static const char notes[] =
    "Prints '# position, id, logprob' lines, then 'tokens T  predicted N  mean_logprob L  perplexity P'.\n";

int main(int argc, char **argv) {
    const char *model_path = NULL, *ids_arg = NULL, *ids_file = NULL, *text = NULL, *text_file = NULL, *npy = NULL;
    int window = 0, summary = 0, info = 0, rc = 1;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    int32_t *ids = NULL;
    size_t T = 0, V, t, predicted = 0, n_in = 0, w0;
    float *logits = NULL, *all = NULL;
    double total_lp = 0;
    char *file_text = NULL, err[256];
    cli_out out, lo;

    memset(&so, 0, sizeof so);
    memset(&sess, 0, sizeof sess);
    memset(&lo, 0, sizeof lo);
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &model_path, 0, 0, NULL, CLI_HELP_MODEL },
            { NULL, "--ids", "LIST", CLI_STR, &ids_arg, 0, 0, NULL,
              "token ids, separated by commas or spaces; required: one input" },
            { NULL, "--ids-file", "F", CLI_STR, &ids_file, 0, 0, NULL,
              "the same from a file ('-': stdin); required: one input" },
            { "-p", "--text", "STR", CLI_STR, &text, 0, 0, NULL,
              "text, encoded with the model's tokenizer; required: one input" },
            { "-f", "--text-file", "F", CLI_STR, &text_file, 0, 0, NULL,
              "the same from a file ('-': stdin); required: one input" },
            { NULL, "--logits", "OUT.npy", CLI_STR, &npy, 0, 0, NULL,
              "write every position's logits, float32 [T, vocab] (default: not written)" },
            { NULL, "--window", "W", CLI_INT, &window, 1, 1 << 30, NULL,
              "context window (default: the model's n_positions)" },
            { NULL, "--threads", "N", CLI_INT, &so.n_threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, "--summary", NULL, CLI_BOOL, &summary, 0, 0, NULL, "print only the summary line" },
            { NULL, "--info", NULL, CLI_BOOL, &info, 0, 0, NULL, CLI_HELP_INFO },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        int r;
        cli_omp_passive(argv);
        if ((r = cli_parse("score", usage, opts, notes, argc, argv)) != CLI_CONTINUE) return r;
    }
    if (!model_path) { cli_error("-m MODEL is required (see --help)"); return 2; }
    if (!info && (!!ids_arg + !!ids_file + !!text + !!text_file) != 1) {
        cli_error("give exactly one of --ids, --ids-file, --text, --text-file (see --help)");
        return 2;
    }
    if (!cli_load_model(&model, model_path, text || text_file, summary, 0)) return 1;
    if (window && !cli_check_ctx("--window", window, &model)) { rc = 2; goto done; }
    if (!cli_out_open(&out, NULL)) goto done;
    if (info) { rc = cli_info(&out, model_path, &model, &so) && cli_out_close(&out) ? 0 : 1; goto done; }
    V = (size_t)model.config.n_vocab;
    if (ids_file || text_file) {
        if (!(file_text = cli_read(ids_file ? ids_file : text_file, &n_in))) goto done;
    } else n_in = strlen(ids_arg ? ids_arg : text);
    if (ids_arg || ids_file) {
        if (!cli_parse_ids(ids_arg ? ids_arg : file_text, n_in, V, &ids, &T, err, sizeof err)) {
            cli_error("%s: %s", ids_arg ? "--ids" : ids_file, err);
            goto done;
        }
    } else {
        ids = (int32_t *)malloc((n_in + 1) * sizeof *ids);
        if (!ids) { cli_error("out of memory"); goto done; }
        if (llm_tokenizer_encode(&model.tokenizer, text ? text : file_text, n_in, 0, ids, n_in + 1, &T) != LLM_OK) {
            cli_error("%s", llm_tokenizer_error(&model.tokenizer));
            goto done;
        }
    }
    if (T < 1) { cli_error("no tokens"); goto done; }
    if (!window) window = model.config.n_ctx;
    so.n_ctx = window;
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { cli_error("%s", llm_session_error(&sess)); goto done; }
    logits = (float *)malloc((size_t)window * V * sizeof(float));
    all = npy ? (float *)malloc(T * V * sizeof(float)) : NULL;
    if (!logits || (npy && !all)) {
        cli_error("out of memory for %zu x %zu logits", npy ? T : (size_t)window, V);
        goto done;
    }
    if (!summary) cli_printf(&out, "# position\tid\tlogprob\n");
    for (w0 = 0; w0 < T; w0 += (size_t)window) {
        size_t n = T - w0 < (size_t)window ? T - w0 : (size_t)window;
        llm_session_reset(&sess);
        if (llm_session_eval(&sess, ids + w0, n, logits) != LLM_OK) {
            cli_error("%s", llm_session_error(&sess));
            goto done;
        }
        if (all) memcpy(all + w0 * V, logits, n * V * sizeof(float));
        for (t = 0; t < n && w0 + t + 1 < T; t++) {
            const float *row = logits + t * V;
            double mx = row[0], sum = 0, lp;
            size_t v;
            for (v = 0; v < V; v++) {
                if (!isfinite(row[v])) {
                    cli_error("the logits at position %zu are not finite (%s): the model's weights hold NaN or Inf",
                              w0 + t, isnan(row[v]) ? "NaN" : "Inf");
                    goto done;
                }
                if (row[v] > mx) mx = row[v];
            }
            for (v = 0; v < V; v++) sum += exp((double)row[v] - mx);
            lp = (double)row[ids[w0 + t + 1]] - mx - log(sum);
            total_lp += lp;
            predicted++;
            if (!summary && !cli_printf(&out, "%zu\t%d\t%.6f\n", w0 + t + 1, (int)ids[w0 + t + 1], lp)) break;
        }
        if (out.err) break;
    }
    if (all && !out.err) {
        if (!cli_out_open(&lo, npy)) goto done;
        cli_write_npy(&lo, all, T, V);
        if (!cli_out_close(&lo)) goto done;
    }
    if (predicted)
        cli_printf(&out, "tokens %zu  predicted %zu  mean_logprob %.6f  perplexity %.4f\n", T, predicted,
                   total_lp / (double)predicted, exp(-total_lp / (double)predicted));
    else
        cli_printf(&out, "tokens %zu  predicted 0  (a single token has no prediction)\n", T);
    rc = cli_out_close(&out) ? 0 : 1;
done:
    cli_out_discard(&lo);
    free(logits); free(all); free(ids); free(file_text);
    llm_session_free(&sess);
    llm_model_free(&model);
    return rc;
}
