/* score: log-probability of every token of a sequence, and its perplexity.

     score -m MODEL --ids 464,3290,373          ids, comma/space separated
     score -m MODEL --ids-file ids.txt          whitespace-separated ids
     score -m MODEL --text "The dog was"        text (needs tokenizer files)
     score -m MODEL --text-file F
   options:
     --logits out.npy   write every position's logits, float32 [T, vocab]
     --window W         context window (default: the model's n_positions)
     --threads N        threads (default: all)
     --summary          print only the summary line

   Sequences longer than the window are scored in consecutive windows of W
   inputs; window k sees tokens [kW, kW+W) only, and predicts the tokens
   after them (the usual held-out evaluation of GPT-style training). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static void usage(FILE *f) {
    fprintf(f, "usage: score -m MODEL (--ids LIST | --ids-file F | --text STR | --text-file F)\n"
               "             [--logits OUT.npy] [--window W] [--threads N] [--summary]\n");
}

static char *read_all(const char *path, size_t *n) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    char *buf = NULL;
    size_t cap = 0, len = 0, got;
    if (!f) return NULL;
    do {
        if (len + 65536 > cap) {
            char *nb = (char *)realloc(buf, cap = (cap + 65536) * 2);
            if (!nb) { free(buf); if (f != stdin) fclose(f); return NULL; }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    if (f != stdin) fclose(f);
    buf[len] = 0;
    *n = len;
    return buf;
}

/* "1,2 3" -> ids; returns count or -1 on a bad entry */
static long parse_ids(const char *s, int32_t **out) {
    long n = 0, cap = 0;
    int32_t *ids = NULL;
    while (*s) {
        char *end;
        long v;
        while (*s == ',' || *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
        if (!*s) break;
        v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 0x7fffffff) { free(ids); return -1; }
        if (n == cap) { int32_t *ni = (int32_t *)realloc(ids, (size_t)(cap = cap ? cap * 2 : 256) * sizeof *ids); if (!ni) { free(ids); return -1; } ids = ni; }
        ids[n++] = (int32_t)v;
        s = end;
    }
    *out = ids;
    return n;
}

static int write_npy(const char *path, const float *data, size_t rows, size_t cols) {
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
    size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64;
    unsigned short hl = (unsigned short)((size_t)n + pad + 1);
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
    FILE *f = fopen(path, "wb");
    size_t i;
    if (!f) return 0;
    pre[8] = (unsigned char)(hl & 0xff); pre[9] = (unsigned char)(hl >> 8);
    fwrite(pre, 1, 10, f);
    fwrite(hdr, 1, (size_t)n, f);
    for (i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    fwrite(data, sizeof(float), rows * cols, f); /* little-endian hosts */
    return fclose(f) == 0;
}

int main(int argc, char **argv) {
    const char *model_path = NULL, *ids_arg = NULL, *ids_file = NULL, *text = NULL, *text_file = NULL, *npy = NULL;
    int window = 0, threads = 0, summary = 0, i;
    llm_model model;
    llm_session sess;
    llm_session_options so;
    int32_t *ids = NULL;
    long T = 0;
    size_t V, t, predicted = 0;
    float *logits;
    double total_lp = 0;
    char *file_text = NULL;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!strcmp(a, "--summary")) { summary = 1; continue; }
        if (!v) { fprintf(stderr, "score: %s needs a value\n", a); return 2; }
        if (!strcmp(a, "-m")) model_path = v;
        else if (!strcmp(a, "--ids")) ids_arg = v;
        else if (!strcmp(a, "--ids-file")) ids_file = v;
        else if (!strcmp(a, "--text")) text = v;
        else if (!strcmp(a, "--text-file")) text_file = v;
        else if (!strcmp(a, "--logits")) npy = v;
        else if (!strcmp(a, "--window")) { window = atoi(v); if (window <= 0) { fprintf(stderr, "score: --window must be positive\n"); return 2; } }
        else if (!strcmp(a, "--threads")) { threads = atoi(v); if (threads <= 0) { fprintf(stderr, "score: --threads must be positive\n"); return 2; } }
        else { fprintf(stderr, "score: unknown option %s\n", a); usage(stderr); return 2; }
        i++;
    }
    if (!model_path || (!!ids_arg + !!ids_file + !!text + !!text_file) != 1) { usage(stderr); return 2; }
    if (llm_model_load(&model, model_path, NULL) != LLM_OK) {
        fprintf(stderr, "score: %s\n", llm_model_error(&model));
        return 1;
    }
    V = (size_t)model.config.n_vocab;
    if (ids_arg || ids_file) {
        size_t n;
        if (ids_file && !(file_text = read_all(ids_file, &n))) { fprintf(stderr, "score: cannot read %s\n", ids_file); return 1; }
        T = parse_ids(ids_arg ? ids_arg : file_text, &ids);
        if (T < 0) { fprintf(stderr, "score: bad token id list\n"); return 1; }
    } else {
        size_t n, cap, got;
        const char *src = text;
        llm_status st;
        if (!model.has_tokenizer) { fprintf(stderr, "score: %s has no tokenizer files (vocab.json + merges.txt or tokenizer.json)\n", model_path); return 1; }
        if (text_file) { if (!(file_text = read_all(text_file, &n))) { fprintf(stderr, "score: cannot read %s\n", text_file); return 1; } src = file_text; }
        else n = strlen(text);
        cap = n + 16;
        ids = (int32_t *)malloc(cap * sizeof *ids);
        if (!ids) { fprintf(stderr, "score: out of memory\n"); return 1; }
        st = llm_tokenizer_encode(&model.tokenizer, src, n, 0, ids, cap, &got);
        if (st != LLM_OK) { fprintf(stderr, "score: %s\n", llm_tokenizer_error(&model.tokenizer)); return 1; }
        T = (long)got;
    }
    if (T < 1) { fprintf(stderr, "score: no tokens\n"); return 1; }
    for (t = 0; t < (size_t)T; t++)
        if ((size_t)ids[t] >= V) { fprintf(stderr, "score: token id %d is outside the vocabulary (%zu)\n", (int)ids[t], V); return 1; }
    if (!window || window > model.config.n_ctx) window = model.config.n_ctx;
    memset(&so, 0, sizeof so);
    so.n_ctx = window;
    so.n_threads = threads;
    if (llm_session_init(&sess, &model, &so) != LLM_OK) { fprintf(stderr, "score: %s\n", llm_session_error(&sess)); return 1; }
    logits = (float *)malloc((size_t)window * V * sizeof(float));
    if (!logits) { fprintf(stderr, "score: out of memory\n"); return 1; }
    {
        float *all = npy ? (float *)malloc((size_t)T * V * sizeof(float)) : NULL;
        size_t w0;
        if (npy && !all) { fprintf(stderr, "score: out of memory for --logits (%zu x %zu)\n", (size_t)T, V); return 1; }
        if (!summary) printf("# position\tid\tlogprob\n");
        for (w0 = 0; w0 < (size_t)T; w0 += (size_t)window) {
            size_t n = (size_t)T - w0 < (size_t)window ? (size_t)T - w0 : (size_t)window;
            llm_session_reset(&sess);
            if (llm_session_eval(&sess, ids + w0, n, logits) != LLM_OK) { fprintf(stderr, "score: %s\n", llm_session_error(&sess)); return 1; }
            if (all) memcpy(all + w0 * V, logits, n * V * sizeof(float));
            for (t = 0; t < n && w0 + t + 1 < (size_t)T; t++) {
                const float *row = logits + t * V;
                double mx = row[0], sum = 0, lp;
                size_t v;
                for (v = 1; v < V; v++) if (row[v] > mx) mx = row[v];
                for (v = 0; v < V; v++) sum += exp((double)row[v] - mx);
                lp = (double)row[ids[w0 + t + 1]] - mx - log(sum);
                total_lp += lp;
                predicted++;
                if (!summary) printf("%zu\t%d\t%.6f\n", w0 + t + 1, (int)ids[w0 + t + 1], lp);
            }
        }
        if (all) {
            if (!write_npy(npy, all, (size_t)T, V)) { fprintf(stderr, "score: cannot write %s\n", npy); return 1; }
            free(all);
        }
    }
    if (predicted)
        printf("tokens %ld  predicted %zu  mean_logprob %.6f  perplexity %.4f\n", T, predicted, total_lp / (double)predicted, exp(-total_lp / (double)predicted));
    else
        printf("tokens %ld  predicted 0  (a single token has no prediction)\n", T);
    free(logits); free(ids); free(file_text);
    llm_session_free(&sess);
    llm_model_free(&model);
    return 0;
}
