/* bench: llm.h speed on a GPT-2 124M-shaped model, against this machine's
   own limits and (when installed) PyTorch.

   Run it with `make bench` (built with -O2 -march=native, so the SIMD
   kernels are in), or by hand from the repository root:
       cc -std=c99 -O2 -march=native -fopenmp -I. tools/bench/bench.c -o build/bench_native -lm
       build/bench_native [--threads N] [--runs R] [--dir D] [--max-batch B] [--no-torch] [--no-scaling] [--quick]
                          [--write-only] [--beams-only]
   (--max-batch: llm_session_options.max_batch, default 512 here so that a
   512-token prompt is one batch, like llama.cpp's default ubatch; 0 takes
   the library's default)

   1. Writes three checkpoints with the shape of GPT-2 124M (12 layers, 12
      heads, 768 wide, 1024 positions, vocab 50257) and seeded random
      weights to D (default build/bench-results): F32, F16 and BF16 safetensors plus
      config.json, and an 8-bit one (D/q8: build/quantize applied to the
      F16 one; skipped when build/quantize is absent). Nothing is downloaded. Files already there with the right
      size and seed are reused. --write-only: only this step (make
      bench-server uses the F32 one).
   2. Measures the machine with N threads (default: all online CPUs):
      memory read bandwidth (sum of a buffer 1.25x the F32 weights, 1 or 4
      streams per thread, with and without software prefetch) and the fp32 fused
      multiply-add peak (independent FMAs in registers); before and after
      the llm.h runs, keeping the best run of all as the limit.
   3. For each checkpoint, in a fresh process (so that peak RSS is its own):
      load time; prompt throughput for 128 and 512 tokens (one
      llm_session_eval from an empty cache, last position's logits);
      generation throughput for 128 tokens after a 16-token prompt (greedy:
      argmax, then evaluate that token); peak RSS. Each figure is the median
      of R runs (default 5) after one warm-up run.
   4. If /usr/bin/python3 can import torch, runs tools/bench/bench_torch.py: a plain
      PyTorch GPT-2 (KV cache, F32, the same F32 weights) with the same
      threads and the same protocol, OMP_WAIT_POLICY=PASSIVE. The llm.h
      runs inherit the environment (set OMP_WAIT_POLICY=PASSIVE on a
      machine shared with other jobs: spinning threads that share a core
      with another process can make each parallel step wait a timeslice).
   5. Scaling (skip with --no-scaling): with the F32 124M checkpoint, a
      24-token prompt chunk and 16 generated tokens at positions 16, 256
      and 1000 (cost against context length); then gpt2-medium-shaped
      checkpoints (24 layers, 16 heads, 1024 wide; F32 and F16, written to
      D/medium-f32 and D/medium-f16) through the same protocol as step 3.
   5b. Beam search (--beams-only: step 1 and this alone): llm_generate of 64
      new tokens after a 16-token prompt on the F16 checkpoint, greedy and
      with 4 beams, wall time per call and the ratio.
   6. Prints the table, each figure as a fraction of its bound and the
      ratios llm.h / PyTorch, and writes D/results.md and D/results.json.

   Bounds: prompt, (matrix + attention + one LM-head row FLOPs) / FMA peak;
   generation, (weight bytes read per token + KV cache) / read bandwidth. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include "bench_util.h"
#include <errno.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

/* The shapes benchmarked: GPT-2 124M (the main table) and gpt2-medium
   (scaling with model size). S: the one this process works on. */
typedef struct { const char *name; int nl, nh, nc, ni, np, nv; } shape;
static const shape shapes[2] = { { "124M", 12, 12, 768, 3072, 1024, 50257 }, { "medium", 24, 16, 1024, 4096, 1024, 50257 } };
static const shape *S = &shapes[0];
#define NL (S->nl)
#define NH (S->nh)
#define NC (S->nc)
#define NI (S->ni)
#define NP (S->np)
#define NV (S->nv)
#define MAX_TENSORS (16 * 24 + 8)
#define SEED 20240601u


/* ---- checkpoint writer ---------------------------------------------------- */

typedef struct { char name[48]; size_t d0, d1; int ndim; int kind; } tdesc; /* kind: 0 matrix, 1 ln weight, 2 bias */

static size_t list_tensors(tdesc *t) {
    size_t n = 0;
    int l;
#define ADD(nm, a, b, nd, k) do { snprintf(t[n].name, sizeof t[n].name, "%s", nm); t[n].d0 = a; t[n].d1 = b; t[n].ndim = nd; t[n].kind = k; n++; } while (0)
    ADD("wte.weight", NV, NC, 2, 0);
    ADD("wpe.weight", NP, NC, 2, 0);
    for (l = 0; l < NL; l++) {
        char p[48];
#define L(s, a, b, nd, k) do { snprintf(p, sizeof p, "h.%d.%s", l, s); ADD(p, a, b, nd, k); } while (0)
        L("ln_1.weight", NC, 0, 1, 1); L("ln_1.bias", NC, 0, 1, 2);
        L("attn.c_attn.weight", NC, 3 * NC, 2, 0); L("attn.c_attn.bias", 3 * NC, 0, 1, 2);
        L("attn.c_proj.weight", NC, NC, 2, 0); L("attn.c_proj.bias", NC, 0, 1, 2);
        L("ln_2.weight", NC, 0, 1, 1); L("ln_2.bias", NC, 0, 1, 2);
        L("mlp.c_fc.weight", NC, NI, 2, 0); L("mlp.c_fc.bias", NI, 0, 1, 2);
        L("mlp.c_proj.weight", NI, NC, 2, 0); L("mlp.c_proj.bias", NC, 0, 1, 2);
#undef L
    }
    ADD("ln_f.weight", NC, 0, 1, 1); ADD("ln_f.bias", NC, 0, 1, 2);
#undef ADD
    return n;
}

static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* uniform with standard deviation sd */
static float rng_val(uint64_t *s, float sd) {
    return ((float)(rng_next(s) >> 40) * (1.0f / 16777216.0f) - 0.5f) * 3.4641016f * sd;
}

/* dtype: 0 F32, 1 F16, 2 BF16 */
static const char *const dt_names[3] = { "F32", "F16", "BF16" };
static const char *const dt_dirs[3] = { "f32", "f16", "bf16" };

static size_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* fclose(f): 1 if every write to f and the close succeeded. */
static int close_checked(FILE *f) {
    int e = ferror(f);
    return fclose(f) == 0 && !e;
}

/* Writes dir/model.safetensors (+ config.json, + seed stamp). Returns the
   file size, or 0. */
static size_t write_model(const char *dir, int dt) {
    static tdesc t[MAX_TENSORS];
    size_t n = list_tensors(t), i, off = 0, es = dt ? 2 : 4, hlen, total;
    char path[600], stamp[600], *hdr;
    FILE *f;
    uint64_t rs = SEED;
    float *buf;
    size_t cap = 1 << 20;
    snprintf(path, sizeof path, "%.500s/model.safetensors", dir);
    snprintf(stamp, sizeof stamp, "%.500s/seed", dir);
    /* header */
    hdr = (char *)malloc(64 * 1024);
    if (!hdr) return 0;
    hlen = (size_t)sprintf(hdr, "{\"__metadata__\":{\"format\":\"pt\",\"generator\":\"tools/bench/bench.c seed %u\"}",
                           SEED);
    for (i = 0; i < n; i++) {
        size_t nb = t[i].d0 * (t[i].ndim == 2 ? t[i].d1 : 1) * es;
        if (t[i].ndim == 2)
            hlen += (size_t)sprintf(hdr + hlen, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%zu,%zu],\"data_offsets\":[%zu,%zu]}", t[i].name, dt_names[dt], t[i].d0, t[i].d1, off, off + nb);
        else
            hlen += (size_t)sprintf(hdr + hlen, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", t[i].name, dt_names[dt], t[i].d0, off, off + nb);
        off += nb;
    }
    hdr[hlen++] = '}';
    while ((8 + hlen) % 64) hdr[hlen++] = ' '; /* data starts 64-byte aligned */
    total = 8 + hlen + off;
    /* reuse a complete file from an earlier run */
    {
        FILE *s = fopen(stamp, "r");
        unsigned got = 0;
        if (s) {
            if (fscanf(s, "%u", &got) != 1) got = 0;
            fclose(s);
        }
        if (got == SEED && file_size(path) == total) { free(hdr); return total; }
    }
    remove(stamp);
    f = fopen(path, "wb");
    buf = (float *)malloc(cap * 4);
    if (!f || !buf) { if (f) fclose(f); free(buf); free(hdr); return 0; }
    {
        unsigned char len8[8];
        int k;
        for (k = 0; k < 8; k++) len8[k] = (unsigned char)(hlen >> (8 * k));
        fwrite(len8, 1, 8, f);
        fwrite(hdr, 1, hlen, f);
    }
    for (i = 0; i < n; i++) {
        size_t cnt = t[i].d0 * (t[i].ndim == 2 ? t[i].d1 : 1), done = 0;
        /* GPT-2 init scale: 0.02 (wpe 0.01), layer norms 1 +- 0.1, biases 0.02 */
        float sd = t[i].kind == 0 ? (strcmp(t[i].name, "wpe.weight") ? 0.02f : 0.01f) : t[i].kind == 1 ? 0.1f : 0.02f;
        while (done < cnt) {
            size_t m = cnt - done < cap ? cnt - done : cap, j;
            for (j = 0; j < m; j++) buf[j] = (t[i].kind == 1 ? 1.0f : 0.0f) + rng_val(&rs, sd);
            if (dt == 0) fwrite(buf, 4, m, f);
            else {
                uint16_t *h = (uint16_t *)(void *)buf; /* in place: h[j] is written after buf[j] is read */
                for (j = 0; j < m; j++) h[j] = dt == 1 ? llm_f32_to_f16(buf[j]) : llm_f32_to_bf16(buf[j]);
                fwrite(h, 2, m, f);
            }
            done += m;
        }
    }
    free(buf);
    free(hdr);
    if (fclose(f) != 0 || file_size(path) != total) return 0;
    snprintf(path, sizeof path, "%.500s/config.json", dir);
    f = fopen(path, "w");
    if (!f) return 0;
    fprintf(f, "{\"model_type\": \"gpt2\", \"n_layer\": %d, \"n_head\": %d, \"n_embd\": %d, \"n_positions\": %d, \"n_ctx\": %d,\n"
               " \"vocab_size\": %d, \"layer_norm_epsilon\": 1e-05, \"activation_function\": \"gelu_new\", \"torch_dtype\": \"%s\"}\n",
            NL, NH, NC, NP, NP, NV, dt == 0 ? "float32" : dt == 1 ? "float16" : "bfloat16");
    if (!close_checked(f)) return 0;
    f = fopen(stamp, "w");
    if (!f) return 0;
    fprintf(f, "%u\n", SEED);
    if (!close_checked(f)) { remove(stamp); return 0; }  /* the stamp marks a complete checkpoint */
    return total;
}

/* ---- machine limits --------------------------------------------------------- */

static volatile uint32_t bench_sink; /* keeps the measured loops alive */

/* One read of words[0..n) by nt threads, each summing its share as ns
   sequential streams, with or without software prefetch. GB/s (1e9).
   Integer adds: any bit pattern (a weight file too) costs the same. */
static double read_pass(const uint32_t *buf, size_t n, int nt, int ns, int pf) {
    double t0 = now();
    uint32_t total = 0;
    int th;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+:total)
#endif
    for (th = 0; th < nt; th++) {
        size_t per = n / (size_t)nt / 64 * 64, a = per * (size_t)th, b = th == nt - 1 ? n : a + per;
        size_t len = (b - a) / (size_t)ns / 64 * 64, i, st;
        uint32_t t = 0;
        /* stream st reads [a + st*len, a + (st+1)*len); the remainder after */
#if defined(__AVX512F__)
        __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
        uint32_t tmp[16];
        int j;
        for (i = 0; i < len; i += 64)
            for (st = 0; st < (size_t)ns; st++) {
                const uint32_t *q = buf + a + st * len + i;
                if (pf && i + 2048 + 64 <= len) {
                    const char *c = (const char *)(q + 2048);
                    _mm_prefetch(c, _MM_HINT_T0); _mm_prefetch(c + 64, _MM_HINT_T0); _mm_prefetch(c + 128, _MM_HINT_T0); _mm_prefetch(c + 192, _MM_HINT_T0);
                }
                s0 = _mm512_add_epi32(s0, _mm512_loadu_si512((const void *)q)); s1 = _mm512_add_epi32(s1, _mm512_loadu_si512((const void *)(q + 16)));
                s2 = _mm512_add_epi32(s2, _mm512_loadu_si512((const void *)(q + 32))); s3 = _mm512_add_epi32(s3, _mm512_loadu_si512((const void *)(q + 48)));
            }
        _mm512_storeu_si512((void *)tmp, _mm512_add_epi32(_mm512_add_epi32(s0, s1), _mm512_add_epi32(s2, s3)));
        for (j = 0; j < 16; j++) t += tmp[j];
#elif defined(__AVX2__)
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        uint32_t tmp[8];
        int j;
        for (i = 0; i < len; i += 64)
            for (st = 0; st < (size_t)ns; st++) {
                const uint32_t *q = buf + a + st * len + i;
                int h;
                if (pf && i + 2048 + 64 <= len) {
                    const char *c = (const char *)(q + 2048);
                    _mm_prefetch(c, _MM_HINT_T0); _mm_prefetch(c + 64, _MM_HINT_T0); _mm_prefetch(c + 128, _MM_HINT_T0); _mm_prefetch(c + 192, _MM_HINT_T0);
                }
                for (h = 0; h < 64; h += 32) {
                    s0 = _mm256_add_epi32(s0, _mm256_loadu_si256((const __m256i *)(const void *)(q + h)));
                    s1 = _mm256_add_epi32(s1, _mm256_loadu_si256((const __m256i *)(const void *)(q + h + 8)));
                    s2 = _mm256_add_epi32(s2, _mm256_loadu_si256((const __m256i *)(const void *)(q + h + 16)));
                    s3 = _mm256_add_epi32(s3, _mm256_loadu_si256((const __m256i *)(const void *)(q + h + 24)));
                }
            }
        _mm256_storeu_si256((__m256i *)(void *)tmp, _mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)));
        for (j = 0; j < 8; j++) t += tmp[j];
#else
        uint32_t v[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
        int j;
        (void)pf;
        for (i = 0; i < len; i += 8)
            for (st = 0; st < (size_t)ns; st++)
                for (j = 0; j < 8; j++) v[j] += buf[a + st * len + i + (size_t)j];
        for (j = 0; j < 8; j++) t += v[j];
#endif
        for (i = a + (size_t)ns * len; i < b; i++) t += buf[i];
        total += t;
    }
    bench_sink = total;
    return (double)n * 4 / (now() - t0) / 1e9;
}

/* The best of `passes` reads, taking the four ways (1 or 4 streams per
   thread, prefetch or not) in turn: a limit, not a typical figure. */
static double read_bw(const uint32_t *buf, size_t n, int nt, int passes) {
    double best = 0, r;
    int k;
    for (k = 0; k < passes; k++)
        if ((r = read_pass(buf, n, nt, k % 4 < 2 ? 1 : 4, k % 2)) > best) best = r;
    return best;
}

/* Read bandwidth on a fresh buffer of `bytes` (distinct contents). */
static double measure_bandwidth(size_t bytes, int nt, int runs) {
    size_t n = bytes / 4 / 4096 * 4096;
    uint32_t *buf = (uint32_t *)malloc(n * 4);
    double r;
    int k;
    if (!buf) return 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (k = 0; k < 64; k++) { size_t i, a = n / 64 * (size_t)k; for (i = 0; i < n / 64; i++) buf[a + i] = (uint32_t)((a + i) * 2654435761u); }
    read_pass(buf, n, nt, 1, 0);
    r = read_bw(buf, n, nt, 4 * runs);
    free(buf);
    return r;
}

/* One run of nt threads doing independent fp32 fused multiply-adds in
   registers (~10 ms). GFLOP/s. */
static double fma_pass(int nt) {
    long iters = 2000000;
    double t0 = now(), lanes = 0;
    int th;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(+:lanes)
#endif
    for (th = 0; th < nt; th++) {
        long i;
#if defined(__AVX512F__)
#define FMAV __m512
#define FMASET(x) _mm512_set1_ps(x)
#define FMAOP(a, b, c) _mm512_fmadd_ps(a, b, c)
#define FMASUM(a) _mm512_reduce_add_ps(a)
#define FMAW 16
#elif defined(__AVX2__) && defined(__FMA__)
#define FMAV __m256
#define FMASET(x) _mm256_set1_ps(x)
#define FMAOP(a, b, c) _mm256_fmadd_ps(a, b, c)
#define FMASUM(a) (_mm256_cvtss_f32(a))
#define FMAW 8
#endif
#ifdef FMAW
        FMAV x = FMASET(0.999999f), y = FMASET(1e-6f);
        FMAV a0 = FMASET(0.f), a1 = FMASET(1.f), a2 = FMASET(2.f), a3 = FMASET(3.f), a4 = FMASET(4.f), a5 = FMASET(5.f);
        FMAV a6 = FMASET(6.f), a7 = FMASET(7.f), a8 = FMASET(8.f), a9 = FMASET(9.f), a10 = FMASET(10.f), a11 = FMASET(11.f);
        for (i = 0; i < iters; i++) {
            a0 = FMAOP(a0, x, y); a1 = FMAOP(a1, x, y); a2 = FMAOP(a2, x, y); a3 = FMAOP(a3, x, y);
            a4 = FMAOP(a4, x, y); a5 = FMAOP(a5, x, y); a6 = FMAOP(a6, x, y); a7 = FMAOP(a7, x, y);
            a8 = FMAOP(a8, x, y); a9 = FMAOP(a9, x, y); a10 = FMAOP(a10, x, y); a11 = FMAOP(a11, x, y);
        }
        lanes += (double)iters * 12 * FMAW + 1e-30 * (double)(FMASUM(a0) + FMASUM(a1) + FMASUM(a2) + FMASUM(a3) + FMASUM(a4) + FMASUM(a5)
                                                            + FMASUM(a6) + FMASUM(a7) + FMASUM(a8) + FMASUM(a9) + FMASUM(a10) + FMASUM(a11));
#else
        float a[32];
        int j;
        for (j = 0; j < 32; j++) a[j] = (float)j;
        for (i = 0; i < iters / 4; i++)
            for (j = 0; j < 32; j++) a[j] = a[j] * 0.999999f + 1e-6f;
        lanes += (double)(iters / 4) * 32;
        for (j = 0; j < 32; j++) lanes += 1e-30 * a[j];
#endif
    }
    bench_sink = (uint32_t)lanes;
    return 2.0 * lanes / (now() - t0) / 1e9;
}

static double measure_fma(int nt, int runs) {
    double best = 0, r;
    int k;
    for (k = 0; k < 2 * runs; k++) if ((r = fma_pass(nt)) > best) best = r;
    return best;
}

/* FLOPs of a T-token prompt: the matrices, attention (QK and PV), one
   LM-head row. Bytes read per generated token: every matrix and the LM
   head once, plus the KV cache at the mean position (16 + 64). */
static double prompt_flops(int T) {
    double mat = 2.0 * NL * ((double)3 * NC * NC + (double)NC * NC + 2.0 * NC * NI), att_per_key = 2.0 * 2 * NL * NC;
    return T * mat + att_per_key * (double)T * (T + 1) / 2 + 2.0 * NV * NC;
}
static double gen_bytes(double es) {
    double w_elems = NL * ((double)3 * NC * NC + (double)NC * NC + 2.0 * NC * NI) + (double)NV * NC;
    return w_elems * es + 2.0 * NL * 80 * NC * 4;
}

/* ---- one checkpoint, in a child process ------------------------------------ */

static int argmax(const float *x, int n) {
    int i, b = 0;
    for (i = 1; i < n; i++) if (x[i] > x[b]) b = i;
    return b;
}

/* Each timed run is preceded by a measurement of its limit (FMA peak for
   prompts; for generation, the read bandwidth of the checkpoint's own bytes
   through a second mapping, opened after peak RSS was recorded), so that
   a fraction of the bound compares figures taken seconds apart. */
/* The children's set-up: the model at dir, and session options of nt
   threads and max_batch rows. Nonzero (reported) if the model fails to load. */
static int child_setup(llm_model *m, const char *dir, llm_session_options *so, int nt, int max_batch) {
    if (llm_model_load(m, dir, NULL) != LLM_OK) { fprintf(stderr, "bench: %s: %s\n", dir, llm_model_error(m)); return 1; }
    memset(so, 0, sizeof *so);
    so->n_threads = nt;
    so->max_batch = max_batch;
    return 0;
}

static int run_child(const char *dir, int nt, int runs, int max_batch) {
    llm_model m;
    llm_session s;
    llm_session_options so;
    llm_safetensors st;
    int32_t ids[1024];
    double *v = (double *)malloc(sizeof(double) * (size_t)runs * 9), load, res[9];
    double *lim = v + runs, *fr = v + 2 * runs;
    int k, i, q;
    uint64_t rs = 7;
    long rss_kb;
    char path[1100];
    struct rusage ru;
    for (i = 0; i < 1024; i++) ids[i] = (int32_t)(rng_next(&rs) % NV);
    /* load: one warm-up, then runs */
    for (k = -1; k < runs; k++) {
        double t0 = now();
        if (llm_model_load(&m, dir, NULL) != LLM_OK) { fprintf(stderr, "bench: %s: %s\n", dir, llm_model_error(&m)); return 1; }
        if (k >= 0) v[k] = now() - t0;
        llm_model_free(&m);
    }
    load = median(v, runs);
    if (child_setup(&m, dir, &so, nt, max_batch)) return 1;
    if (llm_session_init(&s, &m, &so) != LLM_OK) { fprintf(stderr, "bench: %s\n", llm_session_error(&s)); return 1; }
    /* prompts: 128 then 512 tokens; res[0..5] = tok/s, peak, fraction */
    for (q = 0; q < 2; q++) {
        int T = q ? 512 : 128;
        for (k = -1; k < runs; k++) {
            double pk = fma_pass(nt), t0, r;
            llm_session_reset(&s);
            t0 = now();
            llm_session_eval(&s, ids, (size_t)T, NULL);
            r = T / (now() - t0);
            if (k < 0) continue;
            v[k] = r; lim[k] = pk; fr[k] = r / (T / (prompt_flops(T) / (pk * 1e9)));
        }
        res[3 * q] = median(v, runs); res[3 * q + 1] = median(lim, runs); res[3 * q + 2] = median(fr, runs);
    }
    /* generation: warm-up, RSS, then runs each after a bandwidth reading */
    llm_session_reset(&s);
    llm_session_eval(&s, ids, 16, NULL);
    for (i = 0; i < 128; i++) { int32_t id = argmax(llm_session_logits(&s), NV); llm_session_eval(&s, &id, 1, NULL); }
    getrusage(RUSAGE_SELF, &ru);
    rss_kb = (long)ru.ru_maxrss;
    snprintf(path, sizeof path, "%.1000s/model.safetensors", dir);
    if (llm_safetensors_open(&st, path) != LLM_OK) { fprintf(stderr, "bench: %s\n", llm_safetensors_error(&st)); return 1; }
    read_pass((const uint32_t *)(const void *)st.image, st.image_size / 4, nt, 1, 0);
    for (k = 0; k < runs; k++) {
        double bw = read_bw((const uint32_t *)(const void *)st.image, st.image_size / 4, nt, 4), t0;
        llm_session_reset(&s);
        llm_session_eval(&s, ids, 16, NULL);
        t0 = now();
        for (i = 0; i < 128; i++) { int32_t id = argmax(llm_session_logits(&s), NV); llm_session_eval(&s, &id, 1, NULL); }
        v[k] = 128 / (now() - t0); lim[k] = bw; fr[k] = v[k] * gen_bytes(m.wtype == LLM_DTYPE_F32 ? 4 : m.wtype == LLM_DTYPE_I8 ? 1 + 2.0 / 32 : 2) / (bw * 1e9);
    }
    res[6] = median(v, runs); res[7] = median(lim, runs); res[8] = median(fr, runs);
    llm_safetensors_close(&st);
    printf("RESULT load_ms=%.3f p128=%.2f peak128=%.2f frac128=%.4f p512=%.2f peak512=%.2f frac512=%.4f gen=%.3f bw=%.3f fracgen=%.4f "
           "rss_kb=%ld max_batch=%d threads=%d\n",
           load * 1e3, res[0], res[1], res[2], res[3], res[4], res[5], res[6], res[7], res[8], rss_kb, s.max_batch, s.n_threads);
    llm_session_free(&s);
    llm_model_free(&m);
    free(v);
    return 0;
}

/* Scaling with context length (F32 124M): at positions P = 16, 256 and
   1000, the throughput of a 24-token prompt chunk evaluated with P tokens
   already in the cache, and of 16 generated tokens after P. The cache is
   filled once per P (untimed) and copied into the timed session before
   each run. */
static const int ctx_pos[3] = { 16, 256, 1000 };
static int run_child_context(const char *dir, int nt, int runs, int max_batch) {
    llm_model m;
    llm_session s, s0;
    llm_session_options so;
    int32_t ids[1024];
    double *v = (double *)malloc(sizeof(double) * (size_t)runs), pr[3], gr[3];
    int k, i, q;
    uint64_t rs = 11;
    for (i = 0; i < 1024; i++) ids[i] = (int32_t)(rng_next(&rs) % NV);
    if (!v) { fprintf(stderr, "bench: out of memory\n"); return 1; }
    if (child_setup(&m, dir, &so, nt, max_batch)) return 1;
    if (llm_session_init(&s, &m, &so) != LLM_OK || llm_session_init(&s0, &m, &so) != LLM_OK) { fprintf(stderr, "bench: session\n"); return 1; }
    for (q = 0; q < 3; q++) {
        int P = ctx_pos[q];
        llm_session_reset(&s0);
        llm_session_eval(&s0, ids, (size_t)P, NULL);
        for (k = -1; k < runs; k++) {                 /* prompt chunk */
            double t0;
            llm_session_copy(&s, &s0);
            t0 = now();
            llm_session_eval(&s, ids + P, 24, NULL);
            if (k >= 0) v[k] = 24 / (now() - t0);
        }
        pr[q] = median(v, runs);
        for (k = -1; k < runs; k++) {                 /* generation */
            double t0;
            llm_session_copy(&s, &s0);
            t0 = now();
            for (i = 0; i < 16; i++) { int32_t id = argmax(llm_session_logits(&s), NV); llm_session_eval(&s, &id, 1, NULL); }
            if (k >= 0) v[k] = 16 / (now() - t0);
        }
        gr[q] = median(v, runs);
    }
    printf("RESULT p16=%.2f g16=%.3f p256=%.2f g256=%.3f p1000=%.2f g1000=%.3f\n", pr[0], gr[0], pr[1], gr[1], pr[2], gr[2]);
    llm_session_free(&s);
    llm_session_free(&s0);
    llm_model_free(&m);
    free(v);
    return 0;
}

/* Beam search against greedy (make bench's beam row): llm_generate of 64
   new tokens after a 16-token prompt, greedy (one slot) and 4 beams (a
   session of 4 slots, the beams reordered each step), ignore_eos so that
   both run the 64 steps; wall time per call, median of runs after one
   warm-up each. */
static int run_child_beams(const char *dir, int nt, int runs, int max_batch) {
    llm_model m;
    llm_session s1, s4;
    llm_session_options so;
    llm_generate_options o;
    llm_generation g;
    int32_t ids[16];
    double *v = (double *)malloc(sizeof(double) * (size_t)runs), t[2];
    int k, i, q, n_new[2] = { 0, 0 };
    uint64_t rs = 13;
    for (i = 0; i < 16; i++) ids[i] = (int32_t)(rng_next(&rs) % NV);
    if (!v) { fprintf(stderr, "bench: out of memory\n"); return 1; }
    if (child_setup(&m, dir, &so, nt, max_batch)) return 1;
    if (llm_session_init(&s1, &m, &so) != LLM_OK) { fprintf(stderr, "bench: session\n"); return 1; }
    so.n_seq_max = 4;
    if (llm_session_init(&s4, &m, &so) != LLM_OK) { fprintf(stderr, "bench: session of 4 slots\n"); return 1; }
    for (q = 0; q < 2; q++) {
        llm_session *s = q ? &s4 : &s1;
        memset(&o, 0, sizeof o);
        o.max_new_tokens = 64;
        o.ignore_eos = 1;
        o.num_beams = q ? 4 : 0;
        for (k = -1; k < runs; k++) {
            double t0;
            llm_session_reset(s);
            t0 = now();
            if (llm_generate(s, ids, 16, &o, &g) != LLM_OK) { fprintf(stderr, "bench: %s\n", llm_session_error(s)); return 1; }
            if (k >= 0) v[k] = now() - t0;
            n_new[q] = g.n_seqs ? (int)(g.seqs[0].n_ids - g.seqs[0].n_prompt) : 0;
            llm_generation_free(&g);
        }
        t[q] = median(v, runs);
    }
    printf("RESULT greedy_s=%.4f beams4_s=%.4f greedy_new=%d beams4_new=%d\n", t[0], t[1], n_new[0], n_new[1]);
    llm_session_free(&s1);
    llm_session_free(&s4);
    llm_model_free(&m);
    free(v);
    return 0;
}

/* Runs argv (argv[0] a path) with stdout to a buffer; env: "K=V" strings
   to set in the child. Returns the exit status, or -1. */
static int run_capture(char *const *argv, const char *const *env, char *out, size_t cap) {
    int fd[2], st = 0;
    pid_t pid;
    size_t n = 0;
    ssize_t got;
    fflush(stdout);
    if (pipe(fd) != 0) return -1;
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int i;
        close(fd[0]);
        dup2(fd[1], 1);
        for (i = 0; env && env[i]; i++) {
            char kv[256], *eq;
            snprintf(kv, sizeof kv, "%s", env[i]);
            eq = strchr(kv, '=');
            if (eq) { *eq = 0; setenv(kv, eq + 1, 1); }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    while ((got = read(fd[0], out + n, cap - 1 - n)) > 0) { n += (size_t)got; if (n + 1 >= cap) break; }
    out[n] = 0;
    close(fd[0]);
    if (waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double field(const char *s, const char *key) {
    const char *p = strstr(s, key);
    return p ? atof(p + strlen(key)) : -1;
}

/* ---- main -------------------------------------------------------------------- */

/* per row: figures, and each figure's limit and fraction of its bound */
typedef struct {
    double load_ms, p128, p512, gen, rss_mb;
    double peak128, peak512, bw, f128, f512, fgen;
    int ok;
} result;

static void parse_result(result *x, const char *out) {
    x->load_ms = field(out, "load_ms="); x->p128 = field(out, "p128="); x->p512 = field(out, "p512=");
    x->gen = field(out, "gen="); x->rss_mb = field(out, "rss_kb=") * 1024 / 1e6;
    x->peak128 = field(out, "peak128="); x->peak512 = field(out, "peak512="); x->bw = field(out, "bw=");
    x->f128 = field(out, "frac128="); x->f512 = field(out, "frac512="); x->fgen = field(out, "fracgen=");
    x->ok = 1;
}

int main(int argc, char **argv) {
    const char *dir = "build/bench-results";
    int nt = (int)sysconf(_SC_NPROCESSORS_ONLN), runs = 5, max_batch = 512, torch = 1, scaling = 1, i, dt;
    char self[1024], path[700], out[8192];
    size_t fsize[3], q8size;
    double bw0, peak0;
    result r[4], med[2], q8;
    size_t msize[2] = { 0, 0 };
    double ctx[6];
    int ctx_ok = 0, write_only = 0, beams_only = 0;
    double beams[2] = { 0, 0 };
    char torch_ver[128] = "";
    const char *wait = getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "default";
    FILE *md, *js;
    if (nt < 1) nt = 1;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--child") && i + 5 < argc) {
            S = &shapes[atoi(argv[i + 5]) ? 1 : 0];
            return run_child(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]), atoi(argv[i + 4]));
        }
        if (!strcmp(argv[i], "--child-beams") && i + 4 < argc)
            return run_child_beams(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]), atoi(argv[i + 4]));
        if (!strcmp(argv[i], "--child-context") && i + 4 < argc)
            return run_child_context(argv[i + 1], atoi(argv[i + 2]), atoi(argv[i + 3]), atoi(argv[i + 4]));
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nt = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--max-batch") && i + 1 < argc) max_batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-torch")) torch = 0;
        else if (!strcmp(argv[i], "--no-scaling")) scaling = 0;
        else if (!strcmp(argv[i], "--quick")) runs = 3;
        else if (!strcmp(argv[i], "--write-only")) write_only = 1;
        else if (!strcmp(argv[i], "--beams-only")) beams_only = 1;
        else { fprintf(stderr, "usage: bench [--threads N] [--runs R] [--dir D] [--max-batch B] [--no-torch] [--no-scaling] [--quick] [--write-only] [--beams-only]\n"); return 2; }
    }
    if (nt < 1 || runs < 1) { fprintf(stderr, "bench: bad --threads or --runs\n"); return 2; }
#ifndef _OPENMP
    nt = 1;
#endif
    {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0) self[n] = 0;
        else snprintf(self, sizeof self, "%s", argv[0]);
    }
    mkdir(dir, 0755);
    printf("llm.h bench: GPT-2 124M shape (%d layers, %d heads, %d wide, vocab %d), seeded random weights\n", NL, NH, NC, NV);
    printf("threads %d, median of %d runs after 1 warm-up; OMP_WAIT_POLICY %s; SIMD: %s; OpenMP: %s\n", nt, runs, wait,
#if defined(LLM_NO_SIMD)
           "off (LLM_NO_SIMD)",
#elif defined(__AVX512F__)
           "AVX-512",
#elif defined(__AVX2__) && defined(__FMA__)
           "AVX2+FMA",
#else
           "none (scalar; build with -march=native)",
#endif
#ifdef _OPENMP
           "yes"
#else
           "no"
#endif
    );
    /* 1. checkpoints */
    for (dt = 0; dt < 3; dt++) {
        double t0 = now();
        snprintf(path, sizeof path, "%.500s/%s", dir, dt_dirs[dt]);
        mkdir(path, 0755);
        fsize[dt] = write_model(path, dt);
        if (!fsize[dt]) { fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno)); return 1; }
        printf("checkpoint %s/model.safetensors: %.1f MB (%.1f s)\n", path, (double)fsize[dt] / 1e6, now() - t0);
    }
    {   /* the 8-bit checkpoint: build/quantize on the F16 one */
        char a_in[700], a_out[700], *args[5];
        snprintf(a_in, sizeof a_in, "%.500s/f16", dir);
        snprintf(a_out, sizeof a_out, "%.500s/q8", dir);
        args[0] = (char *)"build/quantize"; args[1] = (char *)"--force"; args[2] = a_in; args[3] = a_out; args[4] = NULL;
        q8size = 0;
        if (access(args[0], X_OK) == 0 && run_capture(args, NULL, out, sizeof out) == 0) {
            snprintf(path, sizeof path, "%.500s/q8/model.safetensors", dir);
            q8size = file_size(path);
            printf("checkpoint %s: %.1f MB (build/quantize of the F16 one)\n", path, (double)q8size / 1e6);
        } else printf("8-bit checkpoint: skipped (build/quantize absent or failed)\n");
    }
    if (write_only) return 0;
    /* beam search: 4 beams against greedy on the F16 checkpoint (--beams-only: just this) */
    {
        char a_dir[700], a_nt[16], a_runs[16], a_mb[16];
        char *args[7];
        snprintf(a_dir, sizeof a_dir, "%.500s/f16", dir);
        snprintf(a_nt, sizeof a_nt, "%d", nt);
        snprintf(a_runs, sizeof a_runs, "%d", runs);
        snprintf(a_mb, sizeof a_mb, "%d", max_batch);
        args[0] = self; args[1] = (char *)"--child-beams"; args[2] = a_dir; args[3] = a_nt; args[4] = a_runs;
        args[5] = a_mb; args[6] = NULL;
        if (run_capture(args, NULL, out, sizeof out) == 0 && strstr(out, "RESULT")) {
            beams[0] = field(out, "greedy_s=");
            beams[1] = field(out, "beams4_s=");
            printf("llm.h F16 beam search, 64 new tokens after 16 (llm_generate, ignore_eos): greedy %.3f s, 4 beams "
                   "%.3f s: x%.2f of greedy (median of %d)\n", beams[0], beams[1], beams[1] / beams[0], runs);
        } else printf("llm.h beam search: failed\n%s", out);
        fflush(stdout);
        if (beams_only) return beams[0] > 0 ? 0 : 1;
    }
    /* 2. machine */
    fflush(stdout);
    bw0 = measure_bandwidth(fsize[0] + fsize[0] / 4, nt, runs);
    peak0 = measure_fma(nt, runs);
    printf("machine (%d threads): fp32 FMA peak %.1f GFLOP/s, memory read %.1f GB/s (%.0f MB buffer); the bounds below are\n"
           "re-measured before every timed run, as these limits drift on a shared host\n", nt, peak0, bw0, (double)(fsize[0] + fsize[0] / 4) / 1e6);
    /* 3. llm.h */
    memset(r, 0, sizeof r);
    memset(med, 0, sizeof med);
    memset(&q8, 0, sizeof q8);
    for (dt = 0; dt < 4; dt++) {
        char a_dir[700], a_nt[16], a_runs[16], a_mb[16];
        char *args[8];
        result *x = dt < 3 ? &r[dt] : &q8;
        const char *nm = dt < 3 ? dt_names[dt] : "8-bit";
        if (dt == 3 && !q8size) break;
        snprintf(a_dir, sizeof a_dir, "%.500s/%s", dir, dt < 3 ? dt_dirs[dt] : "q8");
        snprintf(a_nt, sizeof a_nt, "%d", nt);
        snprintf(a_runs, sizeof a_runs, "%d", runs);
        snprintf(a_mb, sizeof a_mb, "%d", max_batch);
        args[0] = self; args[1] = (char *)"--child"; args[2] = a_dir; args[3] = a_nt; args[4] = a_runs; args[5] = a_mb;
        args[6] = (char *)"0"; args[7] = NULL;
        if (run_capture(args, NULL, out, sizeof out) != 0 || !strstr(out, "RESULT")) { printf("llm.h %s: failed\n%s", nm, out); continue; }
        parse_result(x, out);
        if (dt == 0) max_batch = (int)field(out, "max_batch=");
        printf("llm.h %-4s: load %.1f ms, prompt 128 %.0f tok/s (peak %.0f GFLOP/s), prompt 512 %.0f tok/s (peak %.0f), "
               "generation %.1f tok/s (read %.1f GB/s), peak RSS %.0f MB\n",
               nm, x->load_ms, x->p128, x->peak128, x->p512, x->peak512, x->gen, x->bw, x->rss_mb);
        fflush(stdout);
    }
    /* 4. PyTorch, its limits measured just before and after it */
    if (torch && access("/usr/bin/python3", X_OK) == 0 && access("tools/bench/bench_torch.py", R_OK) == 0) {
        char a_dir[700], a_nt[16], a_runs[16], e_omp[32], e_blas[40], e_mkl[32];
        char *args[10];
        const char *env[6];
        double bwa = measure_bandwidth(fsize[0] + fsize[0] / 4, nt, runs), pka = measure_fma(nt, runs);
        snprintf(a_dir, sizeof a_dir, "%.500s/f32", dir);
        snprintf(a_nt, sizeof a_nt, "%d", nt);
        snprintf(a_runs, sizeof a_runs, "%d", runs);
        snprintf(e_omp, sizeof e_omp, "OMP_NUM_THREADS=%d", nt);
        snprintf(e_blas, sizeof e_blas, "OPENBLAS_NUM_THREADS=%d", nt);
        snprintf(e_mkl, sizeof e_mkl, "MKL_NUM_THREADS=%d", nt);
        env[0] = "OMP_WAIT_POLICY=PASSIVE"; env[1] = e_omp; env[2] = e_blas; env[3] = e_mkl; env[4] = NULL;
        args[0] = (char *)"/usr/bin/python3"; args[1] = (char *)"tools/bench/bench_torch.py";
        args[2] = (char *)"--model"; args[3] = a_dir;
        args[4] = (char *)"--threads"; args[5] = a_nt; args[6] = (char *)"--runs"; args[7] = a_runs; args[8] = NULL;
        printf("PyTorch: running tools/bench/bench_torch.py ...\n");
        fflush(stdout);
        if (run_capture(args, env, out, sizeof out) == 0 && strstr(out, "RESULT")) {
            const char *p = strstr(out, "torch=");
            double bwb = measure_bandwidth(fsize[0] + fsize[0] / 4, nt, runs), pkb = measure_fma(nt, runs);
            result *x = &r[3];
            x->load_ms = field(out, "load_ms="); x->p128 = field(out, "p128="); x->p512 = field(out, "p512=");
            x->gen = field(out, "gen="); x->rss_mb = field(out, "rss_kb=") * 1024 / 1e6; x->ok = 1;
            x->peak128 = x->peak512 = pka > pkb ? pka : pkb;
            x->bw = bwa > bwb ? bwa : bwb;
            x->f128 = x->p128 / (128 / (prompt_flops(128) / (x->peak128 * 1e9)));
            x->f512 = x->p512 / (512 / (prompt_flops(512) / (x->peak512 * 1e9)));
            x->fgen = x->gen * gen_bytes(4) / (x->bw * 1e9);
            if (p) sscanf(p + 6, "%127s", torch_ver);
            printf("PyTorch %s F32: load %.1f ms, prompt 128 %.0f tok/s, prompt 512 %.0f tok/s, generation %.1f tok/s, peak RSS %.0f MB "
                   "(limits around it: %.0f GFLOP/s, %.1f GB/s)\n",
                   torch_ver, x->load_ms, x->p128, x->p512, x->gen, x->rss_mb, x->peak128, x->bw);
        } else printf("PyTorch: skipped (%s)\n",
                      strstr(out, "SKIP") ? strstr(out, "SKIP") : "tools/bench/bench_torch.py failed");
    }
    /* 5. scaling: context length (F32 124M), model size (gpt2-medium shape, F32 and F16) */
    if (scaling) {
        char a_dir[700], a_nt[16], a_runs[16], a_mb[16];
        char *args[8];
        snprintf(a_nt, sizeof a_nt, "%d", nt);
        snprintf(a_runs, sizeof a_runs, "%d", runs);
        snprintf(a_mb, sizeof a_mb, "%d", max_batch);
        snprintf(a_dir, sizeof a_dir, "%.500s/f32", dir);
        args[0] = self; args[1] = (char *)"--child-context"; args[2] = a_dir; args[3] = a_nt; args[4] = a_runs; args[5] = a_mb; args[6] = NULL;
        if (run_capture(args, NULL, out, sizeof out) == 0 && strstr(out, "RESULT")) {
            const char *keys[6] = { "p16=", "g16=", "p256=", "g256=", "p1000=", "g1000=" };
            for (i = 0; i < 6; i++) ctx[i] = field(out, keys[i]);
            ctx_ok = 1;
            printf("llm.h F32 by position: prompt chunk of 24 at 16 / 256 / 1000: %.0f / %.0f / %.0f tok/s; "
                   "generation after 16 / 256 / 1000: %.1f / %.1f / %.1f tok/s\n", ctx[0], ctx[2], ctx[4], ctx[1], ctx[3], ctx[5]);
        } else printf("llm.h context scaling: failed\n%s", out);
        for (dt = 0; dt < 2; dt++) {
            double t0 = now();
            S = &shapes[1];
            snprintf(a_dir, sizeof a_dir, "%.500s/medium-%s", dir, dt_dirs[dt]);
            mkdir(a_dir, 0755);
            msize[dt] = write_model(a_dir, dt);
            S = &shapes[0];
            if (!msize[dt]) { printf("bench: cannot write %s: %s\n", a_dir, strerror(errno)); continue; }
            printf("checkpoint %s/model.safetensors: %.1f MB (%.1f s)\n", a_dir, (double)msize[dt] / 1e6, now() - t0);
            args[0] = self; args[1] = (char *)"--child"; args[2] = a_dir; args[3] = a_nt; args[4] = a_runs; args[5] = a_mb;
            args[6] = (char *)"1"; args[7] = NULL;
            if (run_capture(args, NULL, out, sizeof out) != 0 || !strstr(out, "RESULT")) { printf("llm.h medium %s: failed\n%s", dt_names[dt], out); continue; }
            parse_result(&med[dt], out);
            printf("llm.h medium %-4s: load %.1f ms, prompt 128 %.0f tok/s, prompt 512 %.0f tok/s, generation %.1f tok/s (read %.1f GB/s), "
                   "peak RSS %.0f MB\n", dt_names[dt], med[dt].load_ms, med[dt].p128, med[dt].p512, med[dt].gen, med[dt].bw, med[dt].rss_mb);
            fflush(stdout);
        }
    }
    /* 6. table */
    snprintf(path, sizeof path, "%.500s/results.md", dir);
    md = fopen(path, "w");
    snprintf(path, sizeof path, "%.500s/results.json", dir);
    js = fopen(path, "w");
    {
        FILE *outs[2];
        int o;
        outs[0] = stdout; outs[1] = md;
        for (o = 0; o < 2; o++) {
            FILE *f = outs[o];
            if (!f) continue;
            fprintf(f, "\nGPT-2 124M shape, seeded random weights, %d threads, median of %d runs after a warm-up (`make bench`; OMP_WAIT_POLICY: "
                       "llm.h %s, PyTorch PASSIVE; llm.h max_batch %d). In brackets: the fraction of the bound, from limits measured "
                       "just before each run (prompt: FLOPs / fp32 FMA peak; generation: bytes read per token / read bandwidth of the "
                       "weight file), and for llm.h the ratio to PyTorch F32. Peak RSS: fraction of weight file + full KV cache.\n\n",
                    nt, runs, wait, max_batch);
            fprintf(f, "| engine | weights | load (ms) | prompt 128 (tok/s) | prompt 512 (tok/s) | generation 128 (tok/s) | peak RSS (MB) |\n");
            fprintf(f, "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
            for (i = 0; i < 5; i++) {
                const int dt = i < 3 ? i : i == 3 ? 4 : 3; /* F32, F16, BF16, 8-bit (4), PyTorch (3) */
                const result *x = dt == 4 ? &q8 : &r[dt];
                int g = dt < 3 ? dt : 0;
                double budget = (dt == 4 ? (double)q8size : (double)fsize[g]) / 1e6 + 2.0 * NL * NP * NC * 4 / 1e6;
                char rp128[48] = "", rp512[48] = "", rgen[48] = "";
                if (!x->ok) continue;
                if (dt != 3 && r[3].ok) {
                    snprintf(rp128, sizeof rp128, ", x%.2f", x->p128 / r[3].p128);
                    snprintf(rp512, sizeof rp512, ", x%.2f", x->p512 / r[3].p512);
                    snprintf(rgen, sizeof rgen, ", x%.2f", x->gen / r[3].gen);
                }
                fprintf(f, "| %s | %s | %.1f | %.0f (%.0f%%%s) | %.0f (%.0f%%%s) | %.1f (%.0f%%%s) | %.0f (%.2f) |\n",
                        dt != 3 ? "llm.h" : "PyTorch", dt < 3 ? dt_names[dt] : dt == 4 ? "8-bit" : "F32", x->load_ms,
                        x->p128, 100 * x->f128, rp128, x->p512, 100 * x->f512, rp512, x->gen, 100 * x->fgen, rgen, x->rss_mb, x->rss_mb / budget);
            }
            fprintf(f, "\nLimits (medians over the runs): ");
            for (dt = 0; dt < 4; dt++)
                if (r[dt].ok) fprintf(f, "%s%s %s %.0f GFLOP/s, %.1f GB/s", dt ? "; " : "", dt < 3 ? "llm.h" : "PyTorch", dt < 3 ? dt_names[dt] : "F32",
                                      0.5 * (r[dt].peak128 + r[dt].peak512), r[dt].bw);
            if (q8.ok) fprintf(f, "; llm.h 8-bit %.0f GFLOP/s, %.1f GB/s", 0.5 * (q8.peak128 + q8.peak512), q8.bw);
            fprintf(f, ".\n");
            if (q8.ok && r[1].ok)
                fprintf(f, "\n8-bit / F16 (llm.h, this run): prompt 128 x%.2f, prompt 512 x%.2f, generation x%.2f. The 8-bit prompt "
                           "fraction is of the fp32 FMA peak, as for the float rows (int8 products can pass it); its generation bound "
                           "counts 1 + 2/32 bytes per weight (I8 + F16 scales).\n", q8.p128 / r[1].p128, q8.p512 / r[1].p512, q8.gen / r[1].gen);
            if (ctx_ok) {
                fprintf(f, "\nContext length (llm.h F32, 124M shape): a 24-token prompt chunk evaluated with P tokens already in "
                           "the cache, and 16 tokens generated after P; median of %d runs.\n\n", runs);
                fprintf(f, "| position P | prompt chunk (tok/s) | generation (tok/s) |\n| ---: | ---: | ---: |\n");
                for (i = 0; i < 3; i++)
                    fprintf(f, "| %d | %.0f (%.2f of P=16) | %.1f (%.2f of P=16) |\n", ctx_pos[i], ctx[2 * i], ctx[2 * i] / ctx[0],
                            ctx[2 * i + 1], ctx[2 * i + 1] / ctx[1]);
            }
            if (med[0].ok || med[1].ok) {
                const shape *M = &shapes[1];
                fprintf(f, "\nModel size: gpt2-medium shape (%d layers, %d heads, %d wide; %.0f M parameters), same protocol; "
                           "in brackets the fraction of the bound as above.\n\n", M->nl, M->nh, M->nc,
                        (M->nl * (12.0 * M->nc * M->nc + 13.0 * M->nc) + (double)(M->nv + M->np) * M->nc + 2.0 * M->nc) / 1e6);
                fprintf(f, "| shape | weights | load (ms) | prompt 128 (tok/s) | prompt 512 (tok/s) | generation 128 (tok/s) | peak RSS (MB) |\n");
                fprintf(f, "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
                for (dt = 0; dt < 2; dt++) {
                    const result *x = &r[dt];
                    double budget = (double)fsize[dt] / 1e6 + 2.0 * 12 * 1024 * 768 * 4 / 1e6;
                    if (x->ok) fprintf(f, "| 124M | %s | %.1f | %.0f (%.0f%%) | %.0f (%.0f%%) | %.1f (%.0f%%) | %.0f (%.2f) |\n", dt_names[dt],
                                       x->load_ms, x->p128, 100 * x->f128, x->p512, 100 * x->f512, x->gen, 100 * x->fgen, x->rss_mb, x->rss_mb / budget);
                }
                for (dt = 0; dt < 2; dt++) {
                    const result *x = &med[dt];
                    double budget = (double)msize[dt] / 1e6 + 2.0 * M->nl * M->np * M->nc * 4 / 1e6;
                    if (x->ok) fprintf(f, "| medium | %s | %.1f | %.0f (%.0f%%) | %.0f (%.0f%%) | %.1f (%.0f%%) | %.0f (%.2f) |\n", dt_names[dt],
                                       x->load_ms, x->p128, 100 * x->f128, x->p512, 100 * x->f512, x->gen, 100 * x->fgen, x->rss_mb, x->rss_mb / budget);
                }
            }
            if (beams[0] > 0)
                fprintf(f, "\nBeam search (llm.h F16, 124M shape, llm_generate of 64 new tokens after 16, ignore_eos): "
                           "greedy %.3f s, 4 beams %.3f s, x%.2f of greedy; median of %d runs.\n",
                        beams[0], beams[1], beams[1] / beams[0], runs);
            if (o == 0) fprintf(f, "\n");
        }
    }
    if (js) {
        fprintf(js, "{\n  \"threads\": %d, \"runs\": %d, \"max_batch\": %d, \"omp_wait_policy\": \"%s\",\n"
                    "  \"machine_start\": {\"fma_peak_gflops\": %.2f, \"read_bandwidth_gbs\": %.3f},\n",
                nt, runs, max_batch, wait, peak0, bw0);
        for (dt = 0; dt < 4; dt++) {
            const result *x = &r[dt];
            fprintf(js, "  \"%s%s\": ", dt < 3 ? "llm_" : "torch_", dt < 3 ? dt_dirs[dt] : "f32");
            if (x->ok) fprintf(js, "{\"load_ms\": %.3f, \"p128\": %.2f, \"p512\": %.2f, \"gen\": %.3f, \"rss_mb\": %.1f, \"file_mb\": %.1f,\n"
                                   "      \"peak_gflops_p128\": %.1f, \"peak_gflops_p512\": %.1f, \"read_gbs\": %.2f, "
                                   "\"frac_p128\": %.4f, \"frac_p512\": %.4f, \"frac_gen\": %.4f}%s\n",
                               x->load_ms, x->p128, x->p512, x->gen, x->rss_mb, (double)fsize[dt < 3 ? dt : 0] / 1e6,
                               x->peak128, x->peak512, x->bw, x->f128, x->f512, x->fgen, dt < 3 ? "," : "");
            else fprintf(js, "null%s\n", dt < 3 ? "," : "");
        }
        if (q8.ok) fprintf(js, "  ,\"llm_q8\": {\"load_ms\": %.3f, \"p128\": %.2f, \"p512\": %.2f, \"gen\": %.3f, \"rss_mb\": %.1f, "
                               "\"file_mb\": %.1f, \"frac_p128\": %.4f, \"frac_p512\": %.4f, \"frac_gen\": %.4f}\n",
                           q8.load_ms, q8.p128, q8.p512, q8.gen, q8.rss_mb, (double)q8size / 1e6, q8.f128, q8.f512, q8.fgen);
        if (ctx_ok) fprintf(js, "  ,\"context_f32\": {\"positions\": [16, 256, 1000], \"prompt_chunk24\": [%.2f, %.2f, %.2f], "
                                "\"gen16\": [%.3f, %.3f, %.3f]}\n", ctx[0], ctx[2], ctx[4], ctx[1], ctx[3], ctx[5]);
        for (dt = 0; dt < 2; dt++)
            if (med[dt].ok) fprintf(js, "  ,\"medium_%s\": {\"load_ms\": %.3f, \"p128\": %.2f, \"p512\": %.2f, \"gen\": %.3f, \"rss_mb\": %.1f, "
                                        "\"file_mb\": %.1f, \"frac_p128\": %.4f, \"frac_p512\": %.4f, \"frac_gen\": %.4f}\n",
                                    dt_dirs[dt], med[dt].load_ms, med[dt].p128, med[dt].p512, med[dt].gen, med[dt].rss_mb,
                                    (double)msize[dt] / 1e6, med[dt].f128, med[dt].f512, med[dt].fgen);
        fprintf(js, "}\n");
        fclose(js);
    }
    if (md) fclose(md);
    printf("written: %s/results.md, %s/results.json\n", dir, dir);
    return r[0].ok && r[1].ok && r[2].ok ? 0 : 1;
}
