/* tokenize: GPT-2 byte-level BPE from the command line (llm.h).

       tokenize -m MODEL_DIR_OR_VOCAB [--special] [--count] < text
       tokenize -m MODEL_DIR_OR_VOCAB --decode < ids

   -m takes a folder holding tokenizer.json, vocab.json + merges.txt or
   encoder.json + vocab.bpe (a checkpoint folder works), or a tokenizer.json
   file. Encoding reads all of stdin as bytes and prints the ids separated by
   spaces and a newline; --count prints only their number; --special turns
   "<|endoftext|>" (and any other special/added token) in the text into its
   id instead of encoding it as plain text. --decode reads whitespace-separated
   ids and writes exactly their bytes. Errors: one line on stderr, exit 1
   (2 for usage errors). */
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

static const char usage[] =
    "usage: tokenize -m MODEL_DIR_OR_VOCAB [--special] [--count] < text\n"
    "       tokenize -m MODEL_DIR_OR_VOCAB --decode < ids\n"
    "\n"
    "  -m PATH     folder with tokenizer.json, vocab.json + merges.txt or\n"
    "              encoder.json + vocab.bpe, or a tokenizer.json file\n"
    "  --special   special tokens such as <|endoftext|> in the text become their ids\n"
    "              (default: plain text, like tiktoken's encode_ordinary)\n"
    "  --count     print only the number of tokens\n"
    "  --decode    read ids (separated by whitespace), write their exact bytes\n"
    "  -h, --help  this text\n";

/* All of stdin; NULL on failure (message printed). */
static char *read_stdin(size_t *n) {
    size_t cap = 1 << 16, len = 0, got;
    char *buf = (char *)malloc(cap), *nb;
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
#endif
    if (!buf) { fprintf(stderr, "tokenize: out of memory\n"); return NULL; }
    for (;;) {
        if (len == cap) {
            if (cap > ((size_t)-1) / 2) { free(buf); fprintf(stderr, "tokenize: input too large\n"); return NULL; }
            cap *= 2;
            nb = (char *)realloc(buf, cap);
            if (!nb) { free(buf); fprintf(stderr, "tokenize: out of memory (%zu bytes of input)\n", len); return NULL; }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, stdin);
        len += got;
        if (got == 0) break;
    }
    if (ferror(stdin)) { free(buf); fprintf(stderr, "tokenize: cannot read stdin\n"); return NULL; }
    *n = len;
    return buf;
}

static int do_encode(const llm_tokenizer *t, unsigned flags, int count_only) {
    size_t n, n_ids = 0, i;
    char *text = read_stdin(&n);
    int32_t *ids;
    llm_status r;
    if (!text) return 1;
    /* a token is at least one byte, so n + 1 ids always suffice */
    ids = (int32_t *)malloc((n + 1) * sizeof(int32_t));
    if (!ids) { free(text); fprintf(stderr, "tokenize: out of memory\n"); return 1; }
    r = llm_tokenizer_encode(t, text, n, flags, ids, n + 1, &n_ids);
    free(text);
    if (r != LLM_OK) { free(ids); fprintf(stderr, "tokenize: encode failed: %s\n", llm_status_string(r)); return 1; }
    if (count_only) printf("%zu\n", n_ids);
    else {
        for (i = 0; i < n_ids; i++) printf(i ? " %ld" : "%ld", (long)ids[i]);
        printf("\n");
    }
    free(ids);
    if (fflush(stdout) != 0 || ferror(stdout)) { fprintf(stderr, "tokenize: cannot write stdout\n"); return 1; }
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static int do_decode(const llm_tokenizer *t) {
    size_t n, i = 0, k = 0, nb = 0;
    char *text = read_stdin(&n), *out;
    int32_t *ids;
    llm_status r;
    if (!text) return 1;
    ids = (int32_t *)malloc((n / 2 + 1) * sizeof(int32_t));
    if (!ids) { free(text); fprintf(stderr, "tokenize: out of memory\n"); return 1; }
    while (i < n) {
        size_t st;
        long long v = 0;
        while (i < n && is_space(text[i])) i++;
        if (i >= n) break;
        st = i;
        while (i < n && !is_space(text[i])) {
            if (text[i] < '0' || text[i] > '9' || v > 100000000000LL) { v = -1; }
            else if (v >= 0) v = v * 10 + (text[i] - '0');
            i++;
        }
        if (v < 0 || (size_t)v >= llm_tokenizer_vocab_size(t)) {
            fprintf(stderr, "tokenize: '%.*s' is not a token id (the vocabulary has ids 0..%zu)\n",
                    (int)(i - st > 40 ? 40 : i - st), text + st, llm_tokenizer_vocab_size(t) - 1);
            free(text); free(ids);
            return 1;
        }
        ids[k++] = (int32_t)v;
    }
    free(text);
    r = llm_tokenizer_decode(t, ids, k, NULL, 0, &nb);
    if (r != LLM_OK) {
        for (i = 0; i < k && llm_tokenizer_token(t, ids[i], NULL); i++) {}
        if (i < k) fprintf(stderr, "tokenize: id %ld is not a token of this vocabulary\n", (long)ids[i]);
        else fprintf(stderr, "tokenize: decode failed: %s\n", llm_status_string(r));
        free(ids);
        return 1;
    }
    out = (char *)malloc(nb ? nb : 1);
    if (!out) { free(ids); fprintf(stderr, "tokenize: out of memory\n"); return 1; }
    r = llm_tokenizer_decode(t, ids, k, out, nb, &nb);
    free(ids);
#ifdef _WIN32
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    if (r != LLM_OK || fwrite(out, 1, nb, stdout) != nb || fflush(stdout) != 0) {
        free(out);
        fprintf(stderr, "tokenize: cannot write stdout\n");
        return 1;
    }
    free(out);
    return 0;
}

int main(int argc, char **argv) {
    const char *model = NULL;
    int decode = 0, count = 0, i, rc;
    unsigned flags = 0;
    llm_tokenizer t;
    llm_status r;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); return 0; }
        else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (i + 1 >= argc) { fprintf(stderr, "tokenize: %s needs a path (see --help)\n", a); return 2; }
            model = argv[++i];
        }
        else if (!strcmp(a, "--decode")) decode = 1;
        else if (!strcmp(a, "--count")) count = 1;
        else if (!strcmp(a, "--special")) flags |= LLM_TOKENIZE_SPECIAL;
        else { fprintf(stderr, "tokenize: unknown argument '%s' (see --help)\n", a); return 2; }
    }
    if (!model) { fprintf(stderr, "tokenize: missing -m MODEL_DIR_OR_VOCAB (see --help)\n"); return 2; }
    if (decode && (count || flags)) { fprintf(stderr, "tokenize: --decode takes no --count or --special\n"); return 2; }
    r = llm_tokenizer_load(&t, model);
    if (r != LLM_OK) {
        fprintf(stderr, "tokenize: %s\n", llm_tokenizer_error(&t));
        llm_tokenizer_free(&t);
        return 1;
    }
    rc = decode ? do_decode(&t) : do_encode(&t, flags, count);
    llm_tokenizer_free(&t);
    return rc;
}
