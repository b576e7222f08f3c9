/* Tokenizer benchmark: llm.h's GPT-2 encoder against npm tiktoken.

   Build and run from the repository root:
       cc -std=c99 -O2 -I. tools/bench/bench_tokenizer.c -o build/bench_tokenizer -lm
       ./build/bench_tokenizer [-m VOCAB_DIR] [-t TEXT] [-i IDS.u16] [-r RUNS] [--no-node]

   Defaults: the vocabulary in tests/data/gpt2-tokenizer (or
   $LLM_SHARED_DATA/gpt2-tokenizer), the text $LLM_SHARED_DATA/text/bench.txt
   (LLM_SHARED_DATA defaults to ../shared/data) and its reference ids
   bench.ids.u16 (tiktoken gpt2 encode_ordinary, uint16 little-endian).

   One warm-up encode, whose ids are compared with the reference (the
   mismatch count must be 0), then RUNS (5) timed encodes on one thread;
   prints the median MB/s (MB = 10^6 bytes) and tokens/s. If node and
   tools/node_modules/tiktoken are present (cd tools && npm install), runs
   tools/bench/bench_tiktoken.mjs on the same file the same way and prints its
   figures and the ratio. Exit status: 0 when the ids match. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    long sz;
    unsigned char *p;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    p = (unsigned char *)malloc((size_t)sz + 1);
    if (!p || fread(p, 1, (size_t)sz, f) != (size_t)sz) { fclose(f); free(p); return NULL; }
    fclose(f);
    *n = (size_t)sz;
    return p;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int exists(const char *p) {
    FILE *f = fopen(p, "rb");
    if (f) fclose(f);
    return f != NULL;
}

int main(int argc, char **argv) {
    const char *shared = getenv("LLM_SHARED_DATA") ? getenv("LLM_SHARED_DATA") : "../shared/data";
    char vocab[4096], text_path[4096], ids_path[4096], probe[4200], cmd[9000];
    const char *vocab_arg = NULL, *text_arg = NULL, *ids_arg = NULL;
    int runs = 5, use_node = 1, i, r;
    llm_tokenizer t;
    unsigned char *text, *ref;
    size_t n_text, n_ref = 0, n_ids = 0, cap, k, mismatch = 0;
    int32_t *ids;
    double t0, secs[64], med, load_s, mbps, tokps;
    llm_status st;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) vocab_arg = argv[++i];
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) text_arg = argv[++i];
        else if (!strcmp(argv[i], "-i") && i + 1 < argc) ids_arg = argv[++i];
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-node")) use_node = 0;
        else {
            fprintf(stderr, "usage: %s [-m VOCAB_DIR] [-t TEXT] [-i IDS.u16] [-r RUNS] [--no-node]\n", argv[0]);
            return 2;
        }
    }
    if (runs < 1 || runs > 64) runs = 5;
    if (vocab_arg) snprintf(vocab, sizeof vocab, "%s", vocab_arg);
    else if (exists("tests/data/gpt2-tokenizer/encoder.json")) snprintf(vocab, sizeof vocab, "tests/data/gpt2-tokenizer");
    else snprintf(vocab, sizeof vocab, "%s/gpt2-tokenizer", shared);
    snprintf(text_path, sizeof text_path, "%s", text_arg ? text_arg : "");
    if (!text_arg) snprintf(text_path, sizeof text_path, "%s/text/bench.txt", shared);
    if (ids_arg) snprintf(ids_path, sizeof ids_path, "%s", ids_arg);
    else if (!text_arg) snprintf(ids_path, sizeof ids_path, "%s/text/bench.ids.u16", shared);
    else ids_path[0] = 0;

    t0 = now();
    st = llm_tokenizer_load(&t, vocab);
    load_s = now() - t0;
    if (st != LLM_OK) { fprintf(stderr, "bench_tokenizer: %s\n", llm_tokenizer_error(&t)); return 1; }
    text = read_all(text_path, &n_text);
    if (!text) {
        fprintf(stderr, "bench_tokenizer: cannot read %s (set LLM_SHARED_DATA or pass -t)\n", text_path);
        llm_tokenizer_free(&t);
        return 1;
    }
    cap = n_text + 16;
    ids = (int32_t *)malloc(cap * sizeof(int32_t));
    if (!ids) { fprintf(stderr, "bench_tokenizer: out of memory\n"); return 1; }
    printf("text: %s (%zu bytes); vocabulary: %s (%zu ids, loaded in %.1f ms)\n", text_path, n_text, vocab,
           llm_tokenizer_vocab_size(&t), load_s * 1e3);

    /* warm-up + check */
    st = llm_tokenizer_encode(&t, (const char *)text, n_text, 0, ids, cap, &n_ids);
    if (st != LLM_OK) { fprintf(stderr, "bench_tokenizer: encode: %s\n", llm_status_string(st)); return 1; }
    ref = ids_path[0] ? read_all(ids_path, &n_ref) : NULL;
    if (ref) {
        size_t nr = n_ref / 2, first = (size_t)-1;
        for (k = 0; k < nr || k < n_ids; k++) {
            int32_t want = k < nr ? (int32_t)(ref[2 * k] | (ref[2 * k + 1] << 8)) : -1;
            int32_t got = k < n_ids ? ids[k] : -1;
            if (want != got) { mismatch++; if (first == (size_t)-1) first = k; }
        }
        printf("ids: %zu, reference %zu (%s): %zu mismatches", n_ids, nr, ids_path, mismatch);
        if (mismatch) printf(" (first at index %zu)", first);
        printf("\n");
        free(ref);
    } else {
        printf("ids: %zu (no reference ids to compare with)\n", n_ids);
    }

    for (i = 0; i < runs; i++) {
        t0 = now();
        llm_tokenizer_encode(&t, (const char *)text, n_text, 0, ids, cap, &n_ids);
        secs[i] = now() - t0;
    }
    qsort(secs, (size_t)runs, sizeof(double), cmp_double);
    med = secs[runs / 2];
    mbps = (double)n_text / 1e6 / med;
    tokps = (double)n_ids / med;
    printf("llm.h:    %8.2f MB/s  %12.0f tokens/s  (median of %d, one thread; best %.2f MB/s)\n", mbps, tokps, runs,
           (double)n_text / 1e6 / secs[0]);

    if (use_node) {
        FILE *p;
        char line[512];
        int got = 0;
        snprintf(probe, sizeof probe, "tools/node_modules/tiktoken/package.json");
        if (!exists(probe)) {
            printf("tiktoken: not installed (cd tools && npm install)\n");
        } else {
            snprintf(cmd, sizeof cmd, "node tools/bench/bench_tiktoken.mjs '%s' %d 2>&1", text_path, runs);
            p = popen(cmd, "r");
            if (!p) printf("tiktoken: cannot run node\n");
            else {
                while (fgets(line, sizeof line, p)) {
                    char ver[64];
                    double tm, tt;
                    unsigned long tn;
                    if (sscanf(line, "tiktoken %63s mbps %lf tokps %lf tokens %lu", ver, &tm, &tt, &tn) == 4) {
                        printf("tiktoken: %8.2f MB/s  %12.0f tokens/s  (npm tiktoken %s, WASM, same file, median of %d; %lu ids)\n",
                               tm, tt, ver, runs, tn);
                        printf("ratio:    %8.2fx\n", mbps / tm);
                        got = 1;
                    } else if (!got) {
                        printf("tiktoken: %s", line);
                    }
                }
                r = pclose(p);
                (void)r;
            }
        }
    }
    {   /* other work on the machine skews both figures (Linux only) */
        FILE *la = fopen("/proc/loadavg", "r");
        char line[128];
        if (la) {
            if (fgets(line, sizeof line, la)) printf("load average: %s", line);
            fclose(la);
        }
    }
    free(ids);
    free(text);
    llm_tokenizer_free(&t);
    return mismatch ? 1 : 0;
}
