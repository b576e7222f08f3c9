/* classify: the label of each input on a classifier checkpoint
   (GPT2ForSequenceClassification, GPT2ForTokenClassification).

     classify -m DIR -p "I love programming."       one text
     classify -m DIR -f texts.txt --json            one text per line, JSON lines
     classify -m DIR --ids 464,3290 --top 3         token ids

   Inputs go through the model --batch at a time, each in its own slot of
   one multi-sequence decode (llm_session_decode_hidden), then the head
   (llm_session_head). A sequence classifier reads the row Hugging Face
   reads (llm_batch_cls_row); a token classifier labels every token. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

static const char usage[] = "classify -m DIR (-p TEXT | -f FILE | --ids LIST) [--json] [--top N] [--tokens]";
static const char notes[] =
    "Prints, per input, the best label and its probability (--top N: the N best), or with --json one object\n"
    "per input: label, label_id, logits and probs (scores for a regression head). A token classifier prints\n"
    "a label per token (a 'token<TAB>label<TAB>prob' line each, a blank line between inputs; --json: a \"tokens\"\n"
    "list). Probabilities: softmax (single-label), a sigmoid per label (multi-label); regression: raw values.\n";

/* The index of the largest of v[n] not yet in taken (taken[i] set). */
static int best_of(const float *v, int n, const char *taken) {
    int i, b = -1;
    for (i = 0; i < n; i++) if (!taken[i] && (b < 0 || v[i] > v[b])) b = i;
    return b;
}

static void print_floats(cli_out *o, const char *key, const float *v, int n) {
    int i;
    cli_printf(o, ", \"%s\": [", key);
    for (i = 0; i < n; i++) cli_printf(o, "%s%.9g", i ? ", " : "", (double)v[i]);
    cli_printf(o, "]");
}

/* One classification: logits[n] -> probs; JSON members or the top labels. */
static void print_one(cli_out *o, const llm_model *m, const float *logits, float *probs, char *taken, int json,
                      int top) {
    int n = m->config.num_labels, k, b, reg = m->config.problem_type == LLM_PROBLEM_REGRESSION;
    const char *lab;
    llm_head_probs(m, logits, probs);
    memset(taken, 0, (size_t)n);
    b = best_of(probs, n, taken);
    lab = llm_model_label(m, b);
    if (json) {
        cli_printf(o, "\"label\": ");
        cli_json_string(o, lab, strlen(lab));
        cli_printf(o, ", \"label_id\": %d", b);
        print_floats(o, "logits", logits, n);
        print_floats(o, reg ? "scores" : "probs", probs, n);
        return;
    }
    for (k = 0; k < top && k < n; k++) {
        b = best_of(probs, n, taken);
        taken[b] = 1;
        cli_printf(o, "%s%s\t%.6f", k ? "\t" : "", llm_model_label(m, b), (double)probs[b]);
    }
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *ids_arg = NULL, *file = NULL, *text = NULL;
    int json = 0, top = 1, tokens = 0, batch = 16, rc = 1;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    cli_inputs in;
    cli_out out;
    float *logits = NULL, *probs = NULL;
    char *taken = NULL;
    size_t first, k, C, N;

    memset(&so, 0, sizeof so);
    memset(&sess, 0, sizeof sess);
    memset(&in, 0, sizeof in);
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &model_path, 0, 0, NULL, CLI_HELP_MODEL },
            { "-p", "--prompt", "TEXT", CLI_STR, &text, 0, 0, NULL, "one text; required: one input" },
            { "-f", "--file", "FILE", CLI_STR, &file, 0, 0, NULL,
              "one text per line ('-': stdin; empty lines skipped); required: one input" },
            { NULL, "--ids", "LIST", CLI_STR, &ids_arg, 0, 0, NULL,
              "token ids, separated by commas or spaces; required: one input" },
            { NULL, "--json", NULL, CLI_BOOL, &json, 0, 0, NULL, "one JSON object per input" },
            { NULL, "--top", "N", CLI_INT, &top, 1, 1 << 20, NULL, "print the N best labels" },
            { NULL, "--tokens", NULL, CLI_BOOL, &tokens, 0, 0, NULL,
              "a label per token (token classifiers do this anyway; a sequence classifier refuses)" },
            { NULL, "--batch", "N", CLI_INT, &batch, 1, 4096, NULL, "inputs per decode" },
            { NULL, "--threads", "N", CLI_INT, &so.n_threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        int r;
        cli_omp_passive(argv);
        if ((r = cli_parse("classify", usage, opts, notes, argc, argv)) != CLI_CONTINUE) return r;
    }
    if (!model_path) { cli_error("-m DIR is required (see --help)"); return 2; }
    if ((!!ids_arg + !!file + !!text) != 1) { cli_error("give exactly one of -p, -f, --ids (see --help)"); return 2; }
    if (!cli_load_model(&model, model_path, !ids_arg, 1, 0)) return 1;
    if (model.config.head == LLM_HEAD_LM) {
        cli_error("%s is a language model (GPT2LMHeadModel): it has no labels (classify reads "
                  "GPT2ForSequenceClassification and GPT2ForTokenClassification checkpoints)", model_path);
        goto done;
    }
    if (tokens && model.config.head != LLM_HEAD_TOKEN_CLS) {
        cli_error("--tokens: %s is a sequence classifier (one label per input)", model_path);
        goto done;
    }
    if (!cli_inputs_read(&in, &model, text, file, ids_arg)) goto done;
    if (!cli_inputs_session(&in, &model, &so, &sess, batch)) goto done;
    C = (size_t)model.config.n_embd;
    N = (size_t)model.config.num_labels;
    logits = (float *)malloc(in.longest * N * sizeof *logits);
    probs = (float *)malloc(N * sizeof *probs);
    taken = (char *)malloc(N);
    if (!logits || !probs || !taken) { cli_error("out of memory"); goto done; }
    if (!cli_out_open(&out, NULL)) goto done;
    for (first = 0; first < in.count && !out.err; first += k) {
        size_t j, row0 = 0, t;
        llm_batch b;
        float *hidden = in.hidden;
        if (!(k = cli_inputs_decode(&sess, &in, first, &b))) goto done;
        for (j = 0; j < k; row0 += in.n[first + j], j++) {
            size_t n = in.n[first + j];
            if (model.config.head == LLM_HEAD_SEQ_CLS) {
                long row = llm_batch_cls_row(&model, &b, (int)j);
                if (row < 0 || llm_session_head(&sess, hidden + (size_t)row * C, 1, logits) != LLM_OK) {
                    cli_error("%s", llm_session_error(&sess));
                    goto done;
                }
                if (json) cli_printf(&out, "{\"input\": %zu, ", first + j);
                print_one(&out, &model, logits, probs, taken, json, top);
                cli_printf(&out, json ? "}\n" : "\n");
                continue;
            }
            if (llm_session_head(&sess, hidden + row0 * C, n, logits) != LLM_OK) {
                cli_error("%s", llm_session_error(&sess));
                goto done;
            }
            if (json) cli_printf(&out, "{\"input\": %zu, \"tokens\": [", first + j);
            for (t = 0; t < n; t++) {
                int32_t id = in.ids[first + j][t];
                size_t len = 0;
                const char *piece = model.has_tokenizer ? llm_tokenizer_token(&model.tokenizer, id, &len) : NULL;
                char num[16];
                if (!piece) { snprintf(num, sizeof num, "%d", (int)id); piece = num; len = strlen(num); }
                if (json) {
                    cli_printf(&out, "%s{\"id\": %d, \"token\": ", t ? ", " : "", (int)id);
                    cli_json_string(&out, piece, len);
                    cli_printf(&out, ", ");
                } else {
                    char q[256];
                    cli_printf(&out, "%s\t", cli_quote(q, sizeof q, piece, len));
                }
                print_one(&out, &model, logits + t * N, probs, taken, json, top);
                cli_printf(&out, json ? "}" : "\n");
            }
            cli_printf(&out, json ? "]}\n" : "\n");
        }
    }
    rc = cli_out_close(&out) ? 0 : 1;
done:
    free(logits); free(probs); free(taken);
    cli_inputs_free(&in);
    llm_session_free(&sess);
    llm_model_free(&model);
    return rc;
}
