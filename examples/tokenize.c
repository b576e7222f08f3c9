/* tokenize: GPT-2 byte-level BPE from the command line (llm.h).

       tokenize -m MODEL_DIR_OR_VOCAB [--special] [--count] < text
       tokenize -m MODEL_DIR_OR_VOCAB --decode < ids

   -m takes a folder holding tokenizer.json, vocab.json + merges.txt or
   encoder.json + vocab.bpe (a checkpoint folder works), or a tokenizer.json
   file. Encoding reads all of stdin as bytes and prints the ids separated by
   spaces and a newline; --count prints only their number; --special turns
   "<|endoftext|>" (and any other special/added token) in the text into its
   id instead of encoding it as plain text. --decode reads ids separated by
   whitespace or commas (as score's --ids) and writes exactly their bytes.
   Errors: one line on stderr, exit 1 (2 for usage errors). Flags, input
   and output go through examples/cli.h. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"

static const char usage[] = "tokenize -m MODEL_DIR_OR_VOCAB [--special] [--count] < text\n"
                            "       tokenize -m MODEL_DIR_OR_VOCAB --decode < ids";

static int do_encode(const llm_tokenizer *t, unsigned flags, int count_only, cli_out *o) {
    size_t n, n_ids = 0, i;
    char *text = cli_read("-", &n);
    int32_t *ids;
    llm_status r;
    if (!text) return 1;
    /* a token is at least one byte, so n + 1 ids always suffice */
    ids = (int32_t *)malloc((n + 1) * sizeof(int32_t));
    if (!ids) { free(text); cli_error("out of memory"); return 1; }
    r = llm_tokenizer_encode(t, text, n, flags, ids, n + 1, &n_ids);
    free(text);
    if (r != LLM_OK) { free(ids); cli_error("encode failed: %s", llm_tokenizer_error(t)); return 1; }
    if (count_only) cli_printf(o, "%zu\n", n_ids);
    else {
        for (i = 0; i < n_ids && !o->err; i++) cli_printf(o, i ? " %ld" : "%ld", (long)ids[i]);
        cli_printf(o, "\n");
    }
    free(ids);
    return 0;
}

static int do_decode(const llm_tokenizer *t, cli_out *o) {
    size_t n, i, k = 0, nb = 0;
    char *text = cli_read("-", &n), *out, err[256];
    int32_t *ids;
    llm_status r;
    if (!text) return 1;
    if (!cli_parse_ids(text, n, llm_tokenizer_vocab_size(t), &ids, &k, err, sizeof err)) {
        free(text);
        cli_error("stdin: %s", err);
        return 1;
    }
    free(text);
    r = llm_tokenizer_decode(t, ids, k, NULL, 0, &nb);
    if (r != LLM_OK) {
        for (i = 0; i < k && llm_tokenizer_token(t, ids[i], NULL); i++) {}
        if (i < k) cli_error("id %ld is not a token of this vocabulary", (long)ids[i]);
        else cli_error("decode failed: %s", llm_status_string(r));
        free(ids);
        return 1;
    }
    out = (char *)malloc(nb ? nb : 1);
    if (!out) { free(ids); cli_error("out of memory"); return 1; }
    r = llm_tokenizer_decode(t, ids, k, out, nb, &nb);
    free(ids);
    if (r != LLM_OK) { free(out); cli_error("decode failed: %s", llm_status_string(r)); return 1; }
    cli_write(o, out, nb);
    free(out);
    return 0;
}

int main(int argc, char **argv) {
    const char *model = NULL;
    int decode = 0, count = 0, special = 0, rc;
    llm_tokenizer t;
    cli_out o;
    {
        const cli_opt opts[] = {
            { "-m", "--model", "PATH", CLI_STR, &model, 0, 0, NULL,
              "tokenizer folder (a checkpoint folder works) or a tokenizer.json file; required" },
            { NULL, "--special", NULL, CLI_BOOL, &special, 0, 0, NULL,
              "<|endoftext|> and other added tokens in the text become their ids (default: plain text)" },
            { NULL, "--count", NULL, CLI_BOOL, &count, 0, 0, NULL, "print only the number of tokens" },
            { NULL, "--decode", NULL, CLI_BOOL, &decode, 0, 0, NULL,
              "read ids (separated by whitespace or commas), write their exact bytes" },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        if ((rc = cli_parse("tokenize", usage, opts, NULL, argc, argv)) != CLI_CONTINUE) return rc;
    }
    if (!model) { cli_error("missing -m MODEL_DIR_OR_VOCAB (see --help)"); return 2; }
    if (decode && (count || special)) { cli_error("--decode takes no --count or --special"); return 2; }
    if (cli_path_missing(model, "tokenizer folder")) return 1;
    if (llm_tokenizer_load(&t, model) != LLM_OK) {
        cli_error("%s", llm_tokenizer_error(&t));
        llm_tokenizer_free(&t);
        return 1;
    }
    if (!cli_out_open(&o, NULL)) { llm_tokenizer_free(&t); return 1; }
    rc = decode ? do_decode(&t, &o) : do_encode(&t, special ? LLM_TOKENIZE_SPECIAL : 0u, count, &o);
    if (!cli_out_close(&o)) rc = 1;
    llm_tokenizer_free(&t);
    return rc;
}
