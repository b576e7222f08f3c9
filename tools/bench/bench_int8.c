/* bench_int8: the 8-bit product's speed against this machine's int8 peak.

       make build/bench_int8 && build/bench_int8 [--threads N] [--runs R] [--rows B] [--model DIR]

   1. The peak: per thread a loop of vpdpbusd (AVX-512 VNNI, zmm: 64 u8 x s8
      products summed into 16 int32 lanes) on 12 and on 6 independent
      accumulators in registers, the best of R runs; the same with the
      256-bit form (AVX-VNNI or AVX-512 VL, ymm: 32 products) where the build
      has it. Printed as instructions per ns per thread and int8
      multiply-adds per second for N threads.
   2. The clock: a chain of dependent 1-cycle integer adds (GNU asm, x86-64),
      so that instructions per ns become instructions per cycle.
   3. llm.h's 8-bit product (llm__matmul: quantizing the activations, then
      the product) for B rows (default 512, a 512-token prompt) on the four
      matrix shapes of GPT-2 124M (qkv 768 -> 2304, attention projection 768
      -> 768, MLP 768 -> 3072 and 3072 -> 768) with N threads: the median
      of R runs per shape, as G multiply-adds per second and as the fraction
      of the zmm peak, and the fastest run's fraction (on a shared machine the
      figure least disturbed by other jobs); "all" weighs the shapes as one
      layer does. Then the same per second of CPU time (the process's, all
      threads) against one thread's peak per second of CPU time: time spent
      waiting for a core that another job holds does not count, so this is
      the kernel's figure on a machine shared with other jobs (a waiting
      thread that spins does count: run with OMP_WAIT_POLICY=PASSIVE).
   4. With --model DIR (an 8-bit checkpoint, e.g. make bench's
      build/bench-results/q8): a B-token prompt on it, tokens per second and
      per CPU-second, as the fraction of the peak that its matrix products
      would take (attention and the rest are counted as time, not work).
   The build needs -march=native (the Makefile's default) for steps 1 and 3
   to use the SIMD paths; the step-1 figures are skipped where the build has
   no VNNI. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_util.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX512VNNI__) || defined(__AVXVNNI__)
#include <immintrin.h>
#endif

#define ITERS 250000L

/* hides v's value from the compiler, so that the loops below are not folded
   into a multiplication */
#if defined(__GNUC__)
#define LLM_OPAQUE(v) __asm__ volatile("" : "+v"(v))
#else
#define LLM_OPAQUE(v) (void)0
#endif

/* xorshift-style generator for the operands (splitmix64) */
static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* the 1-minute load average (-1 where /proc/loadavg is absent) */
static double load_avg(void) {
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) { if (fscanf(f, "%lf", &l) != 1) l = -1; fclose(f); }
    return l;
}

/* One thread's loop: ITERS x 12 vpdpbusd on 12 independent
   accumulators; returns a sum of the results (so that the loop is kept). */
#if defined(__AVX512VNNI__)
static int dp_z12(int seed) {
    __m512i a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, x = _mm512_set1_epi8(3), y = _mm512_set1_epi8((char)seed);
    long i;
    a0 = _mm512_set1_epi32(seed), a1 = _mm512_set1_epi32(1), a2 = _mm512_set1_epi32(2), a3 = _mm512_set1_epi32(3);
    a4 = _mm512_set1_epi32(4), a5 = _mm512_set1_epi32(5), a6 = _mm512_set1_epi32(6), a7 = _mm512_set1_epi32(7);
    a8 = _mm512_set1_epi32(8), a9 = _mm512_set1_epi32(9), a10 = _mm512_set1_epi32(10), a11 = _mm512_set1_epi32(11);
    for (i = 0; i < ITERS; i++) {
        LLM_OPAQUE(x);
        a0 = _mm512_dpbusd_epi32(a0, x, y); a1 = _mm512_dpbusd_epi32(a1, x, y); a2 = _mm512_dpbusd_epi32(a2, x, y);
        a3 = _mm512_dpbusd_epi32(a3, x, y); a4 = _mm512_dpbusd_epi32(a4, x, y); a5 = _mm512_dpbusd_epi32(a5, x, y);
        a6 = _mm512_dpbusd_epi32(a6, x, y); a7 = _mm512_dpbusd_epi32(a7, x, y); a8 = _mm512_dpbusd_epi32(a8, x, y);
        a9 = _mm512_dpbusd_epi32(a9, x, y); a10 = _mm512_dpbusd_epi32(a10, x, y); a11 = _mm512_dpbusd_epi32(a11, x, y);
    }
    a0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
                          _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7)));
    a0 = _mm512_add_epi32(a0, _mm512_add_epi32(_mm512_add_epi32(a8, a9), _mm512_add_epi32(a10, a11)));
    return _mm512_reduce_add_epi32(a0);
}
/* the same with 6 accumulators (latency-bound where 6 < latency x rate) */
static int dp_z6(int seed) {
    __m512i a0, a1, a2, a3, a4, a5, x = _mm512_set1_epi8(3), y = _mm512_set1_epi8((char)seed);
    long i;
    a0 = _mm512_set1_epi32(seed), a1 = _mm512_set1_epi32(1), a2 = _mm512_set1_epi32(2), a3 = _mm512_set1_epi32(3);
    a4 = _mm512_set1_epi32(4), a5 = _mm512_set1_epi32(5);
    for (i = 0; i < 2 * ITERS; i++) {
        LLM_OPAQUE(x);
        a0 = _mm512_dpbusd_epi32(a0, x, y); a1 = _mm512_dpbusd_epi32(a1, x, y); a2 = _mm512_dpbusd_epi32(a2, x, y);
        a3 = _mm512_dpbusd_epi32(a3, x, y); a4 = _mm512_dpbusd_epi32(a4, x, y); a5 = _mm512_dpbusd_epi32(a5, x, y);
    }
    a0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)), _mm512_add_epi32(a4, a5));
    return _mm512_reduce_add_epi32(a0);
}
#endif
#if defined(__AVXVNNI__) || (defined(__AVX512VNNI__) && defined(__AVX512VL__))
static __m256i dp_y1(__m256i a, __m256i x, __m256i y) {
#if defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(a, x, y);
#else
    return _mm256_dpbusd_epi32(a, x, y);
#endif
}
static int dp_y12(int seed) {
    __m256i a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, x = _mm256_set1_epi8(3), y = _mm256_set1_epi8((char)seed);
    int32_t t[8];
    long i;
    a0 = _mm256_set1_epi32(seed), a1 = _mm256_set1_epi32(1), a2 = _mm256_set1_epi32(2), a3 = _mm256_set1_epi32(3);
    a4 = _mm256_set1_epi32(4), a5 = _mm256_set1_epi32(5), a6 = _mm256_set1_epi32(6), a7 = _mm256_set1_epi32(7);
    a8 = _mm256_set1_epi32(8), a9 = _mm256_set1_epi32(9), a10 = _mm256_set1_epi32(10), a11 = _mm256_set1_epi32(11);
    for (i = 0; i < ITERS; i++) {
        LLM_OPAQUE(x);
        a0 = dp_y1(a0, x, y); a1 = dp_y1(a1, x, y); a2 = dp_y1(a2, x, y); a3 = dp_y1(a3, x, y);
        a4 = dp_y1(a4, x, y); a5 = dp_y1(a5, x, y); a6 = dp_y1(a6, x, y); a7 = dp_y1(a7, x, y);
        a8 = dp_y1(a8, x, y); a9 = dp_y1(a9, x, y); a10 = dp_y1(a10, x, y); a11 = dp_y1(a11, x, y);
    }
    a0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),
                          _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7)));
    a0 = _mm256_add_epi32(a0, _mm256_add_epi32(_mm256_add_epi32(a8, a9), _mm256_add_epi32(a10, a11)));
    _mm256_storeu_si256((__m256i *)(void *)t, a0);
    return t[0];
}
#endif

/* seconds of CPU time used by this process (all threads) */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* vpdpbusd instructions per ns, summed over nt threads (cpu 0: of wall
   time), or per ns of CPU time (cpu 1: one thread's rate while it runs):
   v 0 zmm x 12 accumulators, 1 zmm x 6, 2 ymm x 12. 0 if not built. */
static double dp_pass(int nt, int v, int cpu) {
    double t0 = now(), c0 = cpu_now(), n = 0;
    int th;
    (void)v;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+:n)
#endif
    for (th = 0; th < nt; th++) {
        int s = 0;
#if defined(__AVX512VNNI__)
        if (v == 0) s = dp_z12(th + 1), n += (double)ITERS * 12;
        if (v == 1) s = dp_z6(th + 1), n += (double)ITERS * 12;
#endif
#if defined(__AVXVNNI__) || (defined(__AVX512VNNI__) && defined(__AVX512VL__))
        if (v == 2) s = dp_y12(th + 1), n += (double)ITERS * 12;
#endif
        if (s == 1) n += 1e-9;
    }
    return n / ((cpu ? cpu_now() - c0 : now() - t0) * 1e9);
}

/* Dependent 1-cycle adds per ns on one thread: the core clock in GHz (0 if
   not built). */
static double clock_pass(void) {
#if defined(__GNUC__) && defined(__x86_64__)
    unsigned long x = 0, y = 1;
    long i;
    double t0 = cpu_now();
    for (i = 0; i < ITERS * 4; i++)
        __asm__ volatile("add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
                         "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0" : "+r"(x) : "r"(y));
    return (double)ITERS * 32 / ((cpu_now() - t0) * 1e9);
#else
    return 0;
#endif
}

static double best_of(int runs, int nt, int v, int cpu) {
    double b = 0, r;
    int k;
    for (k = 0; k < 20 * runs; k++) if ((r = dp_pass(nt, v, cpu)) > b) b = r;
    return b;
}

/* A B-token prompt on the checkpoint at dir (one llm_session_eval from an
   empty cache, B rows a batch), R runs after a warm-up: tokens per second
   (median and best) and per CPU-second, each as the fraction of the peak
   (pk: nt threads, pk1: one thread per CPU-second) that the prompt's
   matrix products (the layers' four, B rows each) alone would take. */
static int prompt(const char *dir, int nt, int runs, int B, double pk, double pk1) {
    llm_model m;
    llm_session s;
    llm_session_options so;
    int32_t *ids = (int32_t *)malloc((size_t)B * sizeof(int32_t));
    double *t = (double *)malloc((size_t)runs * 2 * sizeof(double)), macs, med, cpu;
    uint64_t rs = 7;
    int i, k;
    if (!ids || !t) return 1;
    if (llm_model_load(&m, dir, NULL) != LLM_OK) { fprintf(stderr, "bench_int8: %s: %s\n", dir, llm_model_error(&m)); return 1; }
    memset(&so, 0, sizeof so);
    so.n_threads = nt;
    so.max_batch = B;
    if (llm_session_init(&s, &m, &so) != LLM_OK) { fprintf(stderr, "bench_int8: %s\n", llm_session_error(&s)); return 1; }
    for (i = 0; i < B; i++) ids[i] = (int32_t)(rng_next(&rs) % (uint64_t)m.config.n_vocab);
    macs = (double)m.config.n_layer * m.config.n_embd * (4.0 * m.config.n_embd + 2.0 * m.config.n_inner);
    for (k = -1; k < runs; k++) {
        double t0 = now(), c0 = cpu_now();
        llm_session_reset(&s);
        llm_session_eval(&s, ids, (size_t)B, NULL);
        if (k >= 0) t[k] = now() - t0, t[runs + k] = cpu_now() - c0;
    }
    cpu = median(t + runs, runs);
    med = median(t, runs);
    printf("prompt %d tokens (%s, %s): median %.1f tok/s (%.3f of peak), best %.1f tok/s (%.3f); %.1f tok per CPU-second "
           "(%.3f of one thread's peak)\n", B, dir, llm_dtype_name(m.wtype), B / med, pk > 0 ? B / med * macs * 1e-9 / pk : 0, B / t[0],
           pk > 0 ? B / t[0] * macs * 1e-9 / pk : 0, B / cpu, pk1 > 0 ? B / cpu * macs * 1e-9 / pk1 : 0);
    llm_session_free(&s);
    llm_model_free(&m);
    free(ids); free(t);
    return 0;
}

int main(int argc, char **argv) {
    static const int shp[4][2] = { { 768, 2304 }, { 768, 768 }, { 768, 3072 }, { 3072, 768 } };
    static const char *names[4] = { "qkv 768x2304", "proj 768x768", "fc 768x3072", "mlp 3072x768" };
    int nt = 1, runs = 5, B = 512, i, k, s;
    const char *model = NULL;
    double z12, z6, y12, zc, tcpu = 0, ghz = 0, peak, tall = 0, tbest = 0, macs_all = 0;
    uint64_t rs = 1;
#ifdef _OPENMP
    nt = omp_get_max_threads();
#endif
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rows") && i + 1 < argc) B = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else { fprintf(stderr, "usage: %s [--threads N] [--runs R] [--rows B] [--model DIR]\n", argv[0]); return 2; }
    }
    if (nt < 1 || runs < 1 || B < 1) { fprintf(stderr, "bench_int8: bad arguments\n"); return 2; }
    for (k = 0; k < 20 * runs; k++) { double g = clock_pass(); if (g > ghz) ghz = g; }
    z12 = best_of(runs, nt, 0, 0);
    z6 = best_of(runs, nt, 1, 0);
    y12 = best_of(runs, nt, 2, 0);
    zc = best_of(runs, 1, 0, 1);
    printf("threads %d, load average %.2f\n", nt, load_avg());
    printf("clock (dependent adds, 1 thread): %.3f GHz\n", ghz);
    printf("vpdpbusd zmm, 12 accumulators: %.3f /ns (%d threads) = %.3f /ns/thread", z12, nt, z12 / nt);
    if (ghz > 0) printf(" = %.2f /cycle/thread", z12 / nt / ghz);
    printf("\nvpdpbusd zmm, 6 accumulators: %.3f /ns (%d threads) = %.3f /ns/thread", z6, nt, z6 / nt);
    if (ghz > 0) printf(" = %.2f /cycle/thread", z6 / nt / ghz);
    printf("\nvpdpbusd ymm, 12 accumulators: %.3f /ns (%d threads) = %.3f /ns/thread", y12, nt, y12 / nt);
    if (ghz > 0) printf(" = %.2f /cycle/thread", y12 / nt / ghz);
    peak = z12 * 64;
    if (peak == 0) peak = y12 * 32;
    printf("vpdpbusd zmm, 12 accumulators, per ns of CPU time: %.3f\n", zc);
    if (zc == 0) zc = y12 / nt / 2;
    printf("\nint8 peak: %.1f G multiply-adds/s (%d threads)%s\n", peak, nt, peak > 0 ? "" : ": no VNNI in this build");
    for (s = 0; s < 4; s++) {
        int IC = shp[s][0], OC = shp[s][1], nb = (IC + LLM__QB - 1) / LLM__QB;
        signed char *w = (signed char *)malloc((size_t)OC * IC);
        uint16_t *sc = (uint16_t *)malloc((size_t)OC * nb * 2);
        float *in = (float *)malloc((size_t)B * IC * 4), *out = (float *)malloc((size_t)B * OC * 4);
        float *bias = (float *)malloc((size_t)OC * 4), *v = (float *)malloc((size_t)runs * 2 * sizeof(double));
        double *t = (double *)(void *)v, med, cpu, macs = (double)B * IC * OC;
        llm_config c;
        float *scratch;
        llm__mat m;
        memset(&c, 0, sizeof c);
        c.n_embd = IC; c.n_inner = IC > OC ? IC : OC; c.n_head = 1;
        scratch = (float *)malloc((llm__scratch_floats(&c, nt, B, 1) + 64) * sizeof(float));
        if (!w || !sc || !in || !out || !bias || !v || !scratch) { fprintf(stderr, "bench_int8: out of memory\n"); return 1; }
        for (i = 0; i < OC * IC; i++) w[i] = (signed char)(rng_next(&rs) % 255 - 127);
        for (i = 0; i < OC * nb; i++) sc[i] = (uint16_t)(0x1800 + rng_next(&rs) % 1024);   /* F16 near 0.002 */
        for (i = 0; i < B * IC; i++) in[i] = (float)((double)(rng_next(&rs) % 2001) / 1000.0 - 1.0);
        for (i = 0; i < OC; i++) bias[i] = 0.01f * (float)(i % 7);
        m.w = w; m.type = LLM_DTYPE_I8; m.layout = LLM__OUT_IN; m.scale = sc; m.stype = LLM_DTYPE_F16;
        for (k = -1; k < runs; k++) {
            double t0 = now(), c0 = cpu_now();
            llm__matmul(out, in, &m, bias, B, IC, OC, 0, nt, scratch);
            if (k >= 0) t[k] = now() - t0, t[runs + k] = cpu_now() - c0;
        }
        cpu = median(t + runs, runs);
        tcpu += cpu;
        med = median(t, runs);   /* sorts t: t[0] is the fastest */
        tall += med; tbest += t[0]; macs_all += macs;
        printf("%-14s B=%d: median %8.3f ms  %7.1f G multiply-adds/s  %.3f of peak; best %.3f of peak\n", names[s], B,
               med * 1e3, macs / med * 1e-9, peak > 0 ? macs / med * 1e-9 / peak : 0,
               peak > 0 ? macs / t[0] * 1e-9 / peak : 0);
        printf("%-14s        per CPU-second: %.3f of one thread's peak\n", "", zc > 0 ? macs / cpu * 1e-9 / (zc * 64) : 0);
        free(w); free(sc); free(in); free(out); free(bias); free(v); free(scratch);
    }
    printf("%-14s B=%d: median %8.3f ms  %7.1f G multiply-adds/s  %.3f of peak; best %.3f of peak\n", "all", B,
           tall * 1e3, macs_all / tall * 1e-9, peak > 0 ? macs_all / tall * 1e-9 / peak : 0,
           peak > 0 ? macs_all / tbest * 1e-9 / peak : 0);
    printf("%-14s        per CPU-second: %.3f of one thread's peak\n", "", zc > 0 ? macs_all / tcpu * 1e-9 / (zc * 64) : 0);
    if (model) return prompt(model, nt, runs, B, peak, zc * 64);
    return 0;
}
