/* bench_batch: the cost of generating several sequences at once
   (llm_generate with num_return_sequences n: one prefill, then one
   batched decode per step) against one sequence, on the GPT-2 124M-shaped
   checkpoints that tools/bench/bench.c writes (seeded random weights).

   Run by `make bench` after bench_native (which writes the checkpoints),
   or alone with `make bench-batch`, or by hand from the repository root:
       build/bench_native --write-only
       build/bench_batch [--threads N] [--runs R] [--dir D] [--tokens T] [--rows] [--rows-only]

   For F32 and F16, with N threads (default: all online CPUs): a session
   with n_seq_max 8, then R rounds (default 7), each timing llm_generate
   for n = 1, 2, 5 and 8 sequences in turn
   (interleaved, so that a drift of the shared machine hits every n alike):
   an 8-token prompt, T new tokens per sequence (default 64; temperature
   0.8, seed 1, ignore_eos, so every sequence runs T steps), wall time of
   the whole call. Reported per n: the median wall time, tokens/s (n * T /
   that time) and the median over the rounds of the wall time / the wall
   time of n = 1 in the same round, and the same ratio of the process's CPU
   time (user + system, getrusage): the work, which other jobs on a shared
   machine move far less than the wall time (with OMP_WAIT_POLICY=PASSIVE;
   a spinning wait counts as work). One warm-up round first.
   --rows: also the forward pass alone, llm_session_decode of one token in
   each of B = 1..16 slots at position 8 (the matrix kernels' batch sizes),
   median of R, as the time relative to B = 1 (--rows-only: that alone). */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"
#include <unistd.h>
#include <sys/resource.h>

#define NSEQ 4
#define PROMPT 8
#define MAXR 64
#define MAXB 16
static const int seqs[NSEQ] = { 1, 2, 5, 8 };


/* CPU time of this process so far (user + system), seconds. */
static double cpu_time(void) {
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

/* Wall time of one llm_generate of n sequences of T tokens, its CPU time in *cpu; -1 on error. */
static double time_generate(llm_session *s, const int32_t *prompt, int n, int T, double *cpu) {
    llm_generate_options o;
    llm_generation g;
    double t0, t;
    int i, ok;
    memset(&o, 0, sizeof o);
    o.sampler.temperature = 0.8f;
    o.sampler.seed = 1;
    o.max_new_tokens = T;
    o.num_return_sequences = n;
    o.ignore_eos = 1;
    llm_session_reset(s);
    *cpu = cpu_time();
    t0 = now();
    ok = llm_generate(s, prompt, PROMPT, &o, &g) == LLM_OK && g.n_seqs == n;
    t = now() - t0;
    *cpu = cpu_time() - *cpu;
    for (i = 0; ok && i < n; i++) ok = g.seqs[i].n_ids == (size_t)(PROMPT + T);
    if (!ok) fprintf(stderr, "bench_batch: generate n=%d: %s\n", n, llm_session_error(s));
    llm_generation_free(&g);
    return ok ? t : -1;
}

/* Wall time of one decode of B rows, one token in each of slots 0..B-1
   at position PROMPT (each slot holds the prompt: rewritten from there);
   -1 on error. */
static double time_decode(llm_session *s, const int32_t *prompt, int B) {
    int32_t tok[MAXB], seq[MAXB];
    int32_t pos[MAXB];
    llm_batch b;
    double t0;
    int i;
    for (i = 0; i < B; i++) { tok[i] = prompt[i % PROMPT]; seq[i] = i; pos[i] = PROMPT; }
    memset(&b, 0, sizeof b);
    b.n = (size_t)B; b.token = tok; b.seq = seq; b.pos = pos;
    t0 = now();
    if (llm_session_decode(s, &b) != LLM_OK) {
        fprintf(stderr, "bench_batch: decode B=%d: %s\n", B, llm_session_error(s));
        return -1;
    }
    return now() - t0;
}

int main(int argc, char **argv) {
    const char *dir = "build/bench-results", *names[2] = { "F32", "F16" }, *dirs[2] = { "f32", "f16" };
    int nt = (int)sysconf(_SC_NPROCESSORS_ONLN), runs = 7, T = 64, rows = 0, gen = 1, i, d, k, q;
    double tm[2][NSEQ][MAXR], ratio[2][NSEQ][MAXR], rt[2][MAXB][MAXR], ct[2][NSEQ][MAXR], cratio[2][NSEQ][MAXR];
    int32_t prompt[PROMPT] = { 464, 2068, 7586, 21831, 18045, 625, 262, 16931 };
    FILE *md;
    char path[600];
    if (nt < 1) nt = 1;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--tokens") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rows")) rows = 1;
        else if (!strcmp(argv[i], "--rows-only")) rows = 1, gen = 0;
        else {
            fprintf(stderr, "usage: bench_batch [--threads N] [--runs R] [--dir D] [--tokens T] [--rows]"
                            " [--rows-only]\n");
            return 2;
        }
    }
    if (nt < 1 || runs < 1 || runs > MAXR || T < 1 || T > 900) {
        fprintf(stderr, "bench_batch: bad --threads, --runs or --tokens\n");
        return 2;
    }
    printf("llm.h bench_batch: llm_generate, num_return_sequences 1/2/5/8, %d new tokens each (8-token prompt, "
           "temperature 0.8), %d threads, %d interleaved rounds after a warm-up; OMP_WAIT_POLICY %s\n",
           T, nt, runs, getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "default");
    for (d = 0; d < 2; d++) {
        llm_model m;
        llm_session s;
        llm_session_options so;
        snprintf(path, sizeof path, "%.500s/%s", dir, dirs[d]);
        if (llm_model_load(&m, path, NULL) != LLM_OK) {
            fprintf(stderr, "bench_batch: %s: %s (run build/bench_native --write-only first)\n", path,
                    llm_model_error(&m));
            return 1;
        }
        memset(&so, 0, sizeof so);
        so.n_threads = nt;
        so.n_seq_max = rows ? MAXB : 8;
        so.n_ctx = PROMPT + T;
        if (llm_session_init(&s, &m, &so) != LLM_OK) {
            fprintf(stderr, "bench_batch: %s\n", llm_session_error(&s));
            return 1;
        }
        for (k = gen ? -1 : runs; k < runs; k++)
            for (q = 0; q < NSEQ; q++) {
                double c, t = time_generate(&s, prompt, seqs[q], T, &c);
                if (t < 0) return 1;
                if (k < 0) continue;
                tm[d][q][k] = t;
                ratio[d][q][k] = t / tm[d][0][k];
                ct[d][q][k] = c;
                cratio[d][q][k] = ct[d][0][k] > 0 ? c / ct[d][0][k] : 0;
            }
        if (rows) {
            llm_session_reset(&s);
            if (llm_session_eval(&s, prompt, PROMPT, NULL) != LLM_OK) return 1;
            for (q = 1; q < MAXB; q++) llm_session_seq_copy(&s, q, 0);
            for (k = -1; k < runs; k++)
                for (q = 1; q <= MAXB; q++) {
                    double t = time_decode(&s, prompt, q);
                    if (t < 0) return 1;
                    if (k >= 0) rt[d][q - 1][k] = t;
                }
        }
        llm_session_free(&s);
        llm_model_free(&m);
    }
    snprintf(path, sizeof path, "%.500s/batch.md", dir);
    md = fopen(path, "w");
    for (i = 0; i < 2; i++) {
        FILE *f = i ? md : stdout;
        if (!f) continue;
        fprintf(f, "\n| weights | sequences | wall time (s) | tokens/s | wall time / 1 sequence | CPU time (s) "
                   "| CPU time / 1 sequence |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (d = 0; d < 2 && gen; d++)
            for (q = 0; q < NSEQ; q++) {
                double t = median(tm[d][q], runs);
                fprintf(f, "| %s | %d | %.3f | %.1f | %.2f | %.3f | %.2f |\n", names[d], seqs[q], t, seqs[q] * T / t,
                        median(ratio[d][q], runs), median(ct[d][q], runs), median(cratio[d][q], runs));
            }
        if (rows) {
            fprintf(f, "\nOne decode of B rows (one token in each of B slots), median time / B = 1's:\n\n| B |");
            for (q = 1; q <= MAXB; q++) fprintf(f, " %d |", q);
            fprintf(f, "\n| --- |");
            for (q = 1; q <= MAXB; q++) fprintf(f, " ---: |");
            for (d = 0; d < 2; d++) {
                double t1 = median(rt[d][0], runs);
                fprintf(f, "\n| %s (%.2f ms at B = 1) |", names[d], t1 * 1e3);
                for (q = 1; q <= MAXB; q++) fprintf(f, " %.2f |", median(rt[d][q - 1], runs) / t1);
            }
            fprintf(f, "\n");
        }
    }
    if (md) { fclose(md); printf("written: %s\n", path); }
    return 0;
}
