/* bench_ttft: time to the first token of a fresh process, split into its
   parts, on the GPT-2 124M-shaped checkpoints that tools/bench/bench.c
   writes (seeded random weights) with the GPT-2 tokenizer.

   Run with `make bench-ttft` (BENCH_TTFT_ARGS), or from the repository root:
       build/bench_native --write-only
       build/bench_ttft [--runs N] [--tokens T] [--formats f16,q8] [--threads N] [--dir D] [--tok DIR]

   Each run starts a new process (fork and exec of this program), which
   loads the model folder (weights, config.json, tokenizer), makes a session
   (n_ctx 1024), encodes a prompt of T tokens (default 20), evaluates it and
   picks the first token (argmax); then, warm, it evaluates the same prompt
   again three times: the median of those is the prompt's compute time.
   Three settings alternate run by run, so that a drift of a shared machine
   hits them alike: "lazy" (the defaults: pages are mapped and touched as
   the first forward pass reads them), "weights" (llm_model_options.prefault,
   as every program in examples/ loads) and "weights+scratch" (also
   llm_session_options.prefault, as chat and server make their session).
   Reported per setting and format, medians over N runs (default 7):
     exec      from fork to main() in the new process
     load      llm_model_load (map, config, tokenizer; with prefault also
               reading every page of the weights)
     session   llm_session_init
     first     llm_session_eval of the prompt + the argmax: the time to the
               first token once the model is loaded (what build/generate
               prints as "time to first token")
     compute   the same eval, warm
     total     from fork to the first token
   and the medians of the per-run ratios first / compute and total / compute,
   and of the page faults (minor and major, getrusage) in the load, the
   session's init and the first pass: counts that the machine's load does
   not move.
   The header has the date, commit and load average (before and after): on a
   shared machine compare ratios from the same run only. The model folder
   is build/bench-ttft/FORMAT: links to --dir's FORMAT checkpoint (default
   build/bench-results) and to the tokenizer files of --tok (default
   ../shared/data/gpt2-tokenizer). */
#define _XOPEN_SOURCE 700
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <errno.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include "bench_util.h"

#ifndef BENCH_COMMIT
#define BENCH_COMMIT "unknown"
#endif

#define MAXR 64
#define MAXF 4
#define NT 6          /* times a child reports: main, loaded, session, encoded, first, compute */
#define NS 3          /* settings: lazy, weights prefaulted, weights and scratch prefaulted */
#define NF 3          /* page fault counts it reports: load, session, first */

static const char text[] =
    "The quick brown fox jumps over the lazy dog, and then it runs into the forest where it meets an old friend "
    "who has been waiting there since the early morning. They talk about the weather, the river and the hills, "
    "and about the long winter that is coming. ";

/* Minor + major page faults of this process so far. */
static long faults(void) {
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_minflt + u.ru_majflt : 0;
}

/* The new process: prints NT times (seconds on the monotonic clock, which
   every process shares) and NF page fault counts on one line. */
static int child(const char *dir, int prefault, int T, int nt) {
    double t[NT], c[3];
    long f[NF + 1];
    llm_model m;
    llm_session s;
    llm_model_options mo;
    llm_session_options so;
    int32_t *ids;
    size_t n = 0, cap = (size_t)T + sizeof text, i, best;
    const float *lg;
    int k;
    t[0] = now();
    f[0] = faults();
    memset(&mo, 0, sizeof mo);
    memset(&so, 0, sizeof so);
    mo.prefault = prefault > 0;
    so.prefault = prefault > 1;
    so.n_threads = nt;
    if (llm_model_load(&m, dir, &mo) != LLM_OK || !m.has_tokenizer) {
        fprintf(stderr, "bench_ttft: %s: %s\n", dir, m.has_tokenizer ? llm_model_error(&m) : "no tokenizer");
        return 1;
    }
    t[1] = now();
    f[1] = faults();
    if (llm_session_init(&s, &m, &so) != LLM_OK) {
        fprintf(stderr, "bench_ttft: %s\n", llm_session_error(&s));
        return 1;
    }
    t[2] = now();
    f[2] = faults();
    ids = (int32_t *)malloc(cap * sizeof *ids);
    if (!ids) return 1;
    while (n < (size_t)T) {   /* the text again until there are T tokens */
        size_t got = 0;
        if (llm_tokenizer_encode(&m.tokenizer, text, strlen(text), 0, ids + n, cap - n, &got) != LLM_OK) return 1;
        n += got;
    }
    n = (size_t)T;
    t[3] = now();
    f[3] = faults();
    if (llm_session_eval(&s, ids, n, NULL) != LLM_OK) {
        fprintf(stderr, "bench_ttft: %s\n", llm_session_error(&s));
        return 1;
    }
    lg = llm_session_logits(&s);
    for (i = 1, best = 0; i < (size_t)m.config.n_vocab; i++) if (lg[i] > lg[best]) best = i;
    t[4] = now();
    f[3] = faults() - f[3];
    for (k = 0; k < 3; k++) {
        double t0;
        llm_session_reset(&s);
        t0 = now();
        if (llm_session_eval(&s, ids, n, NULL) != LLM_OK) return 1;
        lg = llm_session_logits(&s);
        for (i = 1, best = 0; i < (size_t)m.config.n_vocab; i++) if (lg[i] > lg[best]) best = i;
        c[k] = now() - t0;
    }
    t[5] = median(c, 3);
    printf("%.9f %.9f %.9f %.9f %.9f %.9f %ld %ld %ld %zu\n", t[0], t[1], t[2], t[3], t[4], t[5], f[1] - f[0],
           f[2] - f[1], f[3], best);
    free(ids);
    llm_session_free(&s);
    llm_model_free(&m);
    return 0;
}

/* One run: a new process; out: NT times relative to the fork (t[5]: the compute time), then NF fault counts.
   0 on failure. */
static int run_child(const char *self, const char *dir, int prefault, int T, int nt, double *out) {
    char a_pf[8], a_t[16], a_nt[16], line[512];
    char *args[9];
    int fd[2], st = 0, ok, k;
    double t0, t[NT + NF];
    size_t got = 0;
    ssize_t r;
    pid_t pid;
    snprintf(a_pf, sizeof a_pf, "%d", prefault);
    snprintf(a_t, sizeof a_t, "%d", T);
    snprintf(a_nt, sizeof a_nt, "%d", nt);
    args[0] = (char *)self; args[1] = (char *)"--child"; args[2] = (char *)dir; args[3] = a_pf; args[4] = a_t;
    args[5] = a_nt; args[6] = NULL;
    if (pipe(fd) != 0) return 0;
    fflush(stdout);
    t0 = now();
    pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], 1) < 0) _exit(127);
        execv(self, args);
        _exit(127);
    }
    close(fd[1]);
    while (got + 1 < sizeof line && (r = read(fd[0], line + got, sizeof line - 1 - got)) != 0) {
        if (r < 0) { if (errno == EINTR) continue; break; }
        got += (size_t)r;
    }
    line[got] = 0;
    close(fd[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
         sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7],
                &t[8]) == NT + NF;
    if (!ok) { fprintf(stderr, "bench_ttft: the run on %s failed\n", dir); return 0; }
    for (k = 0; k < NT - 1; k++) out[k] = t[k] - t0;
    for (k = NT - 1; k < NT + NF; k++) out[k] = t[k];
    return 1;
}

/* build/bench-ttft/FMT: links to dir/FMT's checkpoint and the tokenizer files of tok. */
static int make_folder(const char *dir, const char *fmt, const char *tok, char *out, size_t cap) {
    static const char *const files[] = { "encoder.json", "vocab.bpe", "vocab.json", "merges.txt", "tokenizer.json" };
    char src[PATH_MAX], dst[PATH_MAX + 64], real[PATH_MAX];
    size_t k;
    int any = 0;
    snprintf(out, cap, "build/bench-ttft/%.16s", fmt);
    if ((mkdir("build/bench-ttft", 0777) != 0 && errno != EEXIST) || (mkdir(out, 0777) != 0 && errno != EEXIST)) {
        perror(out);
        return 0;
    }
    for (k = 0; k < 2 + sizeof files / sizeof files[0]; k++) {
        const char *name = k == 0 ? "model.safetensors" : k == 1 ? "config.json" : files[k - 2];
        if (k < 2) snprintf(src, sizeof src, "%.2000s/%.16s/%.40s", dir, fmt, name);
        else snprintf(src, sizeof src, "%.2000s/%.40s", tok, name);
        snprintf(dst, sizeof dst, "%.2000s/%.40s", out, name);
        unlink(dst);
        if (!realpath(src, real)) {
            if (k < 2) { fprintf(stderr, "bench_ttft: no %s (run build/bench_native --write-only)\n", src); return 0; }
            continue;
        }
        if (symlink(real, dst) != 0) { perror(dst); return 0; }
        any += k >= 2;
    }
    if (!any) fprintf(stderr, "bench_ttft: no tokenizer files in %s\n", tok);
    return any > 0;
}

static void loadavg(char *buf, size_t cap) {
    FILE *f = fopen("/proc/loadavg", "r");
    snprintf(buf, cap, "n/a");
    if (f) {
        if (fgets(buf, (int)cap, f)) {
            char *sp = buf;
            int k;
            for (k = 0; k < 3 && sp; k++) sp = strchr(sp + 1, ' ');
            if (sp) *sp = 0;
        }
        fclose(f);
    }
}

int main(int argc, char **argv) {
    const char *dir = "build/bench-results", *tok = "../shared/data/gpt2-tokenizer", *fmts = "f16";
    const char *setting[NS] = { "lazy", "weights", "weights+scratch" };
    int runs = 7, T = 20, nt = 0, i, f, k, p, nf = 0;
    char fmt[MAXF][16], folder[MAXF][PATH_MAX + 32], self[PATH_MAX], la0[64], la1[64], date[64];
    static double tm[MAXF][NS][NT + NF][MAXR], r1[MAXF][NS][MAXR], r2[MAXF][NS][MAXR];
    time_t now_t = time(NULL);
    if (argc == 6 && !strcmp(argv[1], "--child")) return child(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tokens") && i + 1 < argc) T = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--formats") && i + 1 < argc) fmts = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--tok") && i + 1 < argc) tok = argv[++i];
        else {
            fprintf(stderr, "usage: bench_ttft [--runs N] [--tokens T] [--formats f16,q8,...] [--threads N] "
                            "[--dir D] [--tok DIR]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > MAXR || T < 1 || T > 1000 || nt < 0 || nt > 256) {
        fprintf(stderr, "bench_ttft: bad --runs (1..%d), --tokens (1..1000) or --threads\n", MAXR);
        return 2;
    }
    while (*fmts && nf < MAXF) {
        size_t l = strcspn(fmts, ",");
        if (l == 0 || l >= sizeof fmt[0]) { fprintf(stderr, "bench_ttft: bad --formats\n"); return 2; }
        memcpy(fmt[nf], fmts, l);
        fmt[nf][l] = 0;
        if (!make_folder(dir, fmt[nf], tok, folder[nf], sizeof folder[nf])) return 1;
        nf++;
        fmts += l + (fmts[l] == ',');
    }
    if (!realpath(argv[0], self)) { perror(argv[0]); return 1; }
    if (!getenv("OMP_WAIT_POLICY")) setenv("OMP_WAIT_POLICY", "PASSIVE", 1);   /* as the programs */
    if (nt) { char b[16]; snprintf(b, sizeof b, "%d", nt); setenv("OMP_NUM_THREADS", b, 1); }
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now_t));
    loadavg(la0, sizeof la0);
    printf("llm.h bench_ttft: %s, commit %s, load average %s; a new process per run, %d-token prompt, "
           "%d runs per setting (alternating), threads %s, OMP_WAIT_POLICY %s\n",
           date, BENCH_COMMIT, la0, T, runs, getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "default",
           getenv("OMP_WAIT_POLICY"));
    for (f = 0; f < nf; f++)
        for (k = -1; k < runs; k++)    /* one warm-up round: the page cache */
            for (p = 0; p < NS; p++) {
                double t[NT + NF];
                if (!run_child(self, folder[f], p, T, nt, t)) return 1;
                if (k < 0) continue;
                tm[f][p][0][k] = t[0];
                tm[f][p][1][k] = t[1] - t[0];
                tm[f][p][2][k] = t[2] - t[1];
                tm[f][p][3][k] = t[4] - t[3];
                tm[f][p][4][k] = t[5];
                tm[f][p][5][k] = t[4];
                for (i = 0; i < NF; i++) tm[f][p][NT + i][k] = t[NT + i];
                r1[f][p][k] = (t[4] - t[3]) / t[5];
                r2[f][p][k] = t[4] / t[5];
            }
    loadavg(la1, sizeof la1);
    printf("\n| weights | setting | exec (ms) | load (ms) | session (ms) | first (ms) | compute (ms) | total (ms) "
           "| first / compute | total / compute | page faults: load, session, first |\n"
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (f = 0; f < nf; f++)
        for (p = 0; p < NS; p++) {
            printf("| %s | %s |", fmt[f], setting[p]);
            for (k = 0; k < NT; k++) printf(" %.1f |", median(tm[f][p][k], runs) * 1e3);
            printf(" %.2f | %.2f | %.0f, %.0f, %.0f |\n", median(r1[f][p], runs), median(r2[f][p], runs),
                   median(tm[f][p][NT], runs), median(tm[f][p][NT + 1], runs), median(tm[f][p][NT + 2], runs));
        }
    printf("\nload average after: %s\n", la1);
    return 0;
}
