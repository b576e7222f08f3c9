/* Every kernel of llm.h against a naive loop, in one binary: the matrix
   product for each weight format and layout (the SIMD build's packed GEMM,
   streaming GEMV and LM-head dot products, or the scalar build's tiles),
   the embedding row gather, layer norm and attention, on awkward shapes:
   outputs not a multiple of the tile, inputs not a multiple of the block,
   batch 1, MR - 1, MR + 1, and every batch of 1..9 rows (a batched row
   must equal the row alone, bit for bit, where llm.h says so). The references are plain loops in double over
   weights decoded here (not by llm.h), so a kernel that reads the wrong
   element, drops a tail or mis-tiles fails. Also checks that the results
   are bit-identical for 1, 2 and 3 threads. make test runs this binary as
   built for this CPU, for AVX2 (where the CPU has AVX-512) and scalar
   (LLM_NO_SIMD). Also the format table and the scratch layouts. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#ifdef LLM__MR
#define T_MR LLM__MR
#define T_NR LLM__NR
#define T_KC LLM__KC
#else
#define T_MR 32   /* the scalar product's tile: 32 rows x 64 columns */
#define T_NR 64
#define T_KC 256
#endif
#ifdef LLM__QR
#define T_QR LLM__QR  /* the 8-bit kernels' lanes: outputs (one row) or rows (GEMM) */
#else
#define T_QR 4
#endif

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd32(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)(rng >> 16); }
static float rndf(void) { return (float)((rnd32() & 0xffffff) / 16777216.0 * 2.0 - 1.0); } /* [-1, 1) */

/* independent decoders */
static double dec_f16(uint16_t h) {
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e ? ldexp(1.0 + m / 1024.0, e - 15) : ldexp(m / 1024.0, -14);
    return (h & 0x8000) ? -v : v;
}
static double dec_bf16(uint16_t h) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }

/* A random matrix of n elements in format t: raw bytes + decoded doubles. */
static void *make_weights(llm_dtype t, size_t n, double *dec) {
    size_t i;
    void *w = malloc(n * 4 + 64);
    for (i = 0; i < n; i++) {
        float f = rndf();
        if (t == LLM_DTYPE_F32) { ((float *)w)[i] = f; dec[i] = f; }
        else if (t == LLM_DTYPE_F16) {  /* normal halves of magnitude 2^-6 .. 2 */
            uint16_t h = (uint16_t)(((rnd32() & 1) << 15) | ((9 + rnd32() % 7) << 10) | (rnd32() & 1023));
            ((uint16_t *)w)[i] = h; dec[i] = dec_f16(h);
        } else {
            uint32_t b; memcpy(&b, &f, 4);
            ((uint16_t *)w)[i] = (uint16_t)(b >> 16); dec[i] = dec_bf16((uint16_t)(b >> 16));
        }
    }
    return w;
}

/* x rounded to the nearest bfloat16, ties to even (finite x whose rounding stays finite) */
static double round_bf16(float x) {
    uint32_t b;
    memcpy(&b, &x, 4);
    b = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
    memcpy(&x, &b, 4);
    return x;
}

/* Whether llm.h's product for this format, layout and batch rounds the activations to bf16 (BF16 weights
   [in, out] through vdpbf16ps in the packed GEMM, B > LLM__GEMV_ROWS), and then the bound relative to sum |x w|
   against the exact sum: 2^-8 (a bf16 rounding) plus the f32 bound. */
#ifdef LLM__BF16DOT
#define T_BF16DOT(t, layout, B) ((t) == LLM_DTYPE_BF16 && (layout) == LLM__IN_OUT && (B) > LLM__GEMV_ROWS)
#else
#define T_BF16DOT(t, layout, B) 0
#endif
#define T_BF16_TOL (1.0 / 256 + 2e-6)

static double gelu_ref(double v) { return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))); }

static float *scratch_for(int IC, int OC, int B, int nt) {
    llm_config c;
    size_t n;
    memset(&c, 0, sizeof c);
    c.n_embd = IC > OC ? IC : OC; c.n_inner = c.n_embd; c.n_head = 1;
    n = llm__scratch_floats(&c, nt, B, 1);
    return (float *)malloc((n + 64) * sizeof(float));
}

/* One product: w [IC,OC] (layout LLM__IN_OUT) or [OC,IC] (LLM__OUT_IN). */
static void check_matmul(llm_dtype t, llm__layout layout, int B, int IC, int OC, int flags, int use_bias) {
    size_t nw = (size_t)IC * OC, i;
    double *dec = (double *)malloc(nw * sizeof(double));
    void *wd = make_weights(t, nw, dec);
    float *in = (float *)malloc((size_t)B * IC * sizeof(float)), *bias = (float *)malloc((size_t)OC * sizeof(float));
    float *out0 = (float *)malloc((size_t)B * OC * sizeof(float)), *out[3];
    double worst = 0, worst_r = 0;
    int b, o, k, nt, same = 1, dot = T_BF16DOT(t, layout, B);
    llm__mat w;
    w.w = wd; w.type = t; w.layout = layout;
    for (i = 0; i < (size_t)B * IC; i++) in[i] = rndf();
    for (i = 0; i < (size_t)OC; i++) bias[i] = rndf();
    for (i = 0; i < (size_t)B * OC; i++) out0[i] = rndf();
    for (nt = 1; nt <= 3; nt++) {
        float *scratch = scratch_for(IC, OC, B, nt);
        out[nt - 1] = (float *)malloc((size_t)B * OC * sizeof(float));
        memcpy(out[nt - 1], out0, (size_t)B * OC * sizeof(float));
        llm__matmul(out[nt - 1], in, &w, use_bias ? bias : NULL, B, IC, OC, flags, nt, scratch);
        free(scratch);
    }
    for (b = 0; b < B; b++)
        for (o = 0; o < OC; o++) {
            /* s: the exact sum; sr: over the activations rounded to bf16 (the BF16 dot products' sum) */
            double s = use_bias ? bias[o] : 0.0, sr = s, mag = fabs(s), ref, err;
            for (k = 0; k < IC; k++) {
                double wv = layout == LLM__IN_OUT ? dec[(size_t)k * OC + o] : dec[(size_t)o * IC + k];
                s += in[(size_t)b * IC + k] * wv;
                sr += round_bf16(in[(size_t)b * IC + k]) * wv;
                mag += fabs(in[(size_t)b * IC + k] * wv);
            }
            ref = flags & LLM__MM_ACT ? gelu_ref(s) : flags & LLM__MM_ADD ? out0[(size_t)b * OC + o] + s : s;
            if (flags & LLM__MM_ADD) mag += fabs(out0[(size_t)b * OC + o]);
            err = fabs(out[0][(size_t)b * OC + o] - ref) / (mag + 1e-3);
            if (err > worst) worst = err;
            ref = flags & LLM__MM_ACT ? gelu_ref(sr) : flags & LLM__MM_ADD ? out0[(size_t)b * OC + o] + sr : sr;
            err = fabs(out[0][(size_t)b * OC + o] - ref) / (mag + 1e-3);
            if (err > worst_r) worst_r = err;
        }
    for (nt = 1; nt < 3; nt++)
        if (memcmp(out[0], out[nt], (size_t)B * OC * sizeof(float))) same = 0;
    CHECK(worst < (dot ? T_BF16_TOL : 2e-6), "matmul %s layout %d B=%d IC=%d OC=%d flags=%d bias=%d: error %.3g of "
          "sum |x w|", llm_dtype_name(t), (int)layout, B, IC, OC, flags, use_bias, worst);
    if (dot)
        CHECK(worst_r < 2e-6, "matmul %s layout %d B=%d IC=%d OC=%d flags=%d bias=%d: error %.3g of sum |x w| against "
              "the activations rounded to bf16", llm_dtype_name(t), (int)layout, B, IC, OC, flags, use_bias, worst_r);
    CHECK(same, "matmul %s layout %d B=%d IC=%d OC=%d flags=%d: results differ between 1, 2 and 3 threads",
          llm_dtype_name(t), (int)layout, B, IC, OC, flags);
    for (nt = 0; nt < 3; nt++) free(out[nt]);
    free(dec); free(wd); free(in); free(bias); free(out0);
}

/* Non-finite inputs reach the outputs (the BF16 GEMM's rounding to bf16 keeps NaN and Inf): in a batch of B rows,
   row 1 holds a NaN at input k1 and row 2 an Inf at input k2 (an odd input, the second of a pair for vdpbf16ps,
   and the last); each output of row 1 is NaN, of row 2 infinite, of the other rows finite. */
static void check_nonfinite(llm_dtype t, llm__layout layout, int B, int IC, int OC, int k1, int k2) {
    size_t nw = (size_t)IC * OC, i;
    double *dec = (double *)malloc(nw * sizeof(double));
    void *wd = make_weights(t, nw, dec);
    float *in = (float *)malloc((size_t)B * IC * sizeof(float)), *out = (float *)malloc((size_t)B * OC * sizeof(float));
    float *scratch = scratch_for(IC, OC, B, 2);
    int b, o, ok = 1;
    llm__mat w;
    w.w = wd; w.type = t; w.layout = layout;
    for (i = 0; i < (size_t)B * IC; i++) in[i] = rndf();
    in[(size_t)IC + (size_t)k1] = (float)NAN;
    in[2 * (size_t)IC + (size_t)k2] = (float)INFINITY;
    llm__matmul(out, in, &w, NULL, B, IC, OC, 0, 2, scratch);
    for (b = 0; b < B; b++)
        for (o = 0; o < OC; o++) {
            float v = out[(size_t)b * OC + o];
            if (b == 1 ? !(v != v) : b == 2 ? !(v - v != v - v && v == v) : !(v - v == 0.0f)) ok = 0;
        }
    CHECK(ok, "matmul %s layout %d B=%d IC=%d OC=%d: NaN at input %d and Inf at %d do not reach (only) their rows",
          llm_dtype_name(t), (int)layout, B, IC, OC, k1, k2);
    free(dec); free(wd); free(in); free(out); free(scratch);
}

static void test_matmul(void) {
    static const llm_dtype types[3] = { LLM_DTYPE_F32, LLM_DTYPE_F16, LLM_DTYPE_BF16 };
    /* batch sizes around the register block, inputs around the packing
       block (and below the matrix-vector slabs' 32), outputs around the
       panel and the vector width */
    const int Bs[] = { 1, 2, T_MR - 1, T_MR + 1, 2 * T_MR + 3 };
    const int ICs[] = { 1, 31, T_KC + 5, 2 * T_KC + 1 };
    const int OCs[] = { 1, 7, 17, T_NR + 1, 2 * T_NR - 1 };
    int ti, bi, ii, oi;
    for (ti = 0; ti < 3; ti++)
        for (bi = 0; bi < (int)(sizeof Bs / sizeof Bs[0]); bi++)
            for (ii = 0; ii < (int)(sizeof ICs / sizeof ICs[0]); ii++)
                for (oi = 0; oi < (int)(sizeof OCs / sizeof OCs[0]); oi++) {
                    int B = Bs[bi] < 1 ? 1 : Bs[bi], IC = ICs[ii], OC = OCs[oi], v = (bi + ii + oi) % 3;
                    check_matmul(types[ti], LLM__IN_OUT, B, IC, OC, v == 0 ? 0 : v == 1 ? LLM__MM_ADD : LLM__MM_ACTIVATE(LLM_ACT_GELU_TANH), v != 1);
                    check_matmul(types[ti], LLM__OUT_IN, B, IC, OC, 0, 0);
                }
    for (ti = 0; ti < 3; ti++) {
        check_nonfinite(types[ti], LLM__IN_OUT, 2 * T_MR + 3, 37, T_NR + 1, 5, 36);
        check_nonfinite(types[ti], LLM__IN_OUT, 3, 37, T_NR + 1, 36, 5);
        check_nonfinite(types[ti], LLM__OUT_IN, 2 * T_MR + 3, 37, 9, 5, 36);
    }
    /* a wide GEMV (several passes of columns) and a GPT-2-like square */
    check_matmul(LLM_DTYPE_F16, LLM__IN_OUT, 1, 40, 8192 + 100, 0, 1);
    check_matmul(LLM_DTYPE_BF16, LLM__IN_OUT, 9, 768, 768, LLM__MM_ADD, 1);
}

/* A batch of B rows against each row alone (B = 1): bit-identical where
   llm.h promises it (the [in, out] product up to LLM__GEMV_ROWS rows,
   which is the streaming matrix-vector kernel, and in the scalar build for
   any B; the [out, in] product for any B), so that sequences decoded
   together equal each decoded alone; for 1, 2 and 3 threads. */
#ifdef LLM__VW
#define T_EXACT_ROWS LLM__GEMV_ROWS
#else
#define T_EXACT_ROWS 1000000
#endif
static void check_rows_exact(llm_dtype t, llm__layout layout, int B, int IC, int OC, int flags) {
    size_t nw = (size_t)IC * OC, i;
    double *dec = (double *)malloc(nw * sizeof(double));
    void *wd = make_weights(t, nw, dec);
    float *in = (float *)malloc((size_t)B * IC * sizeof(float)), *bias = (float *)malloc((size_t)OC * sizeof(float));
    float *out0 = (float *)malloc((size_t)B * OC * sizeof(float)),
          *outb = (float *)malloc((size_t)B * OC * sizeof(float)),
          *outs = (float *)malloc((size_t)B * OC * sizeof(float)), *bp = layout == LLM__IN_OUT ? bias : NULL;
    int b, nt, same = 1;
    llm__mat w;
    w.w = wd; w.type = t; w.layout = layout;
    if (layout == LLM__OUT_IN) flags = 0;
    for (i = 0; i < (size_t)B * IC; i++) in[i] = rndf();
    for (i = 0; i < (size_t)OC; i++) bias[i] = rndf();
    for (i = 0; i < (size_t)B * OC; i++) out0[i] = rndf();
    for (nt = 1; nt <= 3; nt++) {
        float *scratch = scratch_for(IC, OC, B, nt);
        memcpy(outb, out0, (size_t)B * OC * sizeof(float));
        memcpy(outs, out0, (size_t)B * OC * sizeof(float));
        llm__matmul(outb, in, &w, bp, B, IC, OC, flags, nt, scratch);
        for (b = 0; b < B; b++)
            llm__matmul(outs + (size_t)b * OC, in + (size_t)b * IC, &w, bp, 1, IC, OC, flags, nt, scratch);
        if (memcmp(outb, outs, (size_t)B * OC * sizeof(float))) same = 0;
        free(scratch);
    }
    CHECK(same, "matmul %s layout %d B=%d IC=%d OC=%d flags=%d: a batched row differs from the row alone",
          llm_dtype_name(t), (int)layout, B, IC, OC, flags);
    free(dec); free(wd); free(in); free(bias); free(out0); free(outb); free(outs);
}

/* B = 1..9 (both sides of the matrix-vector / GEMM threshold) against the
   naive loop on awkward shapes: inputs not a multiple of the vector width
   or of the 8-row step (and below the 32 that makes slabs), outputs not a
   multiple of the 2-vector column step, the vector width or the panel;
   then batched rows == rows alone. */
static void test_batched_rows(void) {
    static const llm_dtype types[3] = { LLM_DTYPE_F32, LLM_DTYPE_F16, LLM_DTYPE_BF16 };
    const int ICs[] = { 5, 37, 203 };
    const int OCs[] = { 3, 35, 2 * T_NR + 5, 261 };
    int ti, B, ii, oi;
    for (ti = 0; ti < 3; ti++)
        for (B = 1; B <= 9; B++)
            for (ii = 0; ii < (int)(sizeof ICs / sizeof ICs[0]); ii++)
                for (oi = 0; oi < (int)(sizeof OCs / sizeof OCs[0]); oi++) {
                    int IC = ICs[ii], OC = OCs[oi], v = (B + ii + oi) % 3;
                    int flags = v == 0 ? 0 : v == 1 ? LLM__MM_ADD : LLM__MM_ACTIVATE(LLM_ACT_GELU_TANH);
                    check_matmul(types[ti], LLM__IN_OUT, B, IC, OC, flags, v != 1);
                    if (B <= T_EXACT_ROWS) check_rows_exact(types[ti], LLM__IN_OUT, B, IC, OC, flags);
                    if (ii == 2) {
                        check_matmul(types[ti], LLM__OUT_IN, B, IC, OC, 0, 0);
                        check_rows_exact(types[ti], LLM__OUT_IN, B, IC, OC, 0);
                    }
                }
    /* a GPT-2-sized product at the threshold: 768 inputs, 2304 outputs
       (several column passes per row when B > 1) */
    check_matmul(LLM_DTYPE_F16, LLM__IN_OUT, T_EXACT_ROWS < 9 ? T_EXACT_ROWS : 8, 768, 2304, 0, 1);
    check_rows_exact(LLM_DTYPE_F16, LLM__IN_OUT, T_EXACT_ROWS < 9 ? T_EXACT_ROWS : 8, 768, 2304, 0);
}

/* The 8-bit product against the documented rule, written out here: I8
   weights [OC][IC] (all of [-128, 127]) with F16 or F32 scales per 32
   inputs; activations quantized per row and block (amax, id = 127 / amax,
   q = x * id rounded to nearest, ties to even: rint in the default mode).
   Checked three ways: against the block sums in double (tolerance), bit
   for bit against the rule's float steps done here (acc = fmaf(isum,
   dx * dw, acc) block by block, + bias; so the scalar, AVX2 and AVX-512
   builds all give these same bits), and each row of a batched product
   against the one-row product of that row; for 1, 2 and 3 threads. */
static void check_q8(llm_dtype st, int B, int IC, int OC, int flags, int use_bias) {
    int nb = (IC + 31) / 32, b, o, k, j, nt, same = 1, exact = 1, rows = 1;
    signed char *w = (signed char *)malloc((size_t)OC * IC), *qx = (signed char *)malloc((size_t)B * IC);
    void *sc = malloc((size_t)OC * nb * 4);
    double *dw = (double *)malloc((size_t)OC * nb * sizeof(double)), *dxr = (double *)malloc((size_t)B * nb * sizeof(double)), worst = 0;
    float *in = (float *)malloc((size_t)B * IC * 4), *bias = (float *)malloc((size_t)OC * 4), *out0 = (float *)malloc((size_t)B * OC * 4);
    float *out[3], *one = (float *)malloc((size_t)OC * 4);
    llm__mat m;
    size_t i;
    for (i = 0; i < (size_t)OC * IC; i++) w[i] = (signed char)((int)(rnd32() % 256) - 128);
    for (i = 0; i < (size_t)OC * nb; i++) {
        if (st == LLM_DTYPE_F16) { uint16_t h = (uint16_t)(((5 + rnd32() % 6) << 10) | (rnd32() & 1023)); ((uint16_t *)sc)[i] = h; dw[i] = dec_f16(h); }
        else { float f = (rndf() + 1.5f) * 1e-3f; ((float *)sc)[i] = f; dw[i] = f; }
    }
    for (i = 0; i < (size_t)B * IC; i++) in[i] = rndf() * (i % 7 == 0 ? 4.0f : 1.0f);
    if (B > 1) for (i = 0; i < (size_t)IC && i < 32; i++) in[(size_t)IC + i] = 0.0f;  /* an all-zero block */
    for (i = 0; i < (size_t)OC; i++) bias[i] = rndf();
    for (i = 0; i < (size_t)B * OC; i++) out0[i] = rndf();
    for (b = 0; b < B; b++)
        for (j = 0; j < nb; j++) {
            float amax = 0, id;
            int n = IC - 32 * j < 32 ? IC - 32 * j : 32;
            for (k = 0; k < n; k++) if (fabsf(in[(size_t)b * IC + 32 * j + k]) > amax) amax = fabsf(in[(size_t)b * IC + 32 * j + k]);
            dxr[(size_t)b * nb + j] = amax / 127.0f;
            id = amax > 0 ? 127.0f / amax : 0.0f;
            for (k = 0; k < n; k++) { float v = in[(size_t)b * IC + 32 * j + k] * id; qx[(size_t)b * IC + 32 * j + k] = (signed char)rintf(v); }
        }
    m.w = w; m.type = LLM_DTYPE_I8; m.layout = LLM__OUT_IN; m.scale = sc; m.stype = st;
    for (nt = 1; nt <= 3; nt++) {
        float *scratch = scratch_for(IC, OC, B, nt);
        out[nt - 1] = (float *)malloc((size_t)B * OC * 4);
        memcpy(out[nt - 1], out0, (size_t)B * OC * 4);
        llm__matmul(out[nt - 1], in, &m, use_bias ? bias : NULL, B, IC, OC, flags, nt, scratch);
        if (nt == 2)   /* each row alone */
            for (b = 0; b < B; b++) {
                memcpy(one, out0 + (size_t)b * OC, (size_t)OC * 4);
                llm__matmul(one, in + (size_t)b * IC, &m, use_bias ? bias : NULL, 1, IC, OC, flags, nt, scratch);
                if (memcmp(one, out[1] + (size_t)b * OC, (size_t)OC * 4)) rows = 0;
            }
        free(scratch);
    }
    for (b = 0; b < B; b++)
        for (o = 0; o < OC; o++) {
            double s = use_bias ? bias[o] : 0, mag = fabs(s) + 1e-3, ref;
            float acc = 0.0f;
            for (j = 0; j < nb; j++) {
                long isum = 0;
                int n = IC - 32 * j < 32 ? IC - 32 * j : 32;
                for (k = 0; k < n; k++) isum += (long)w[(size_t)o * IC + 32 * j + k] * qx[(size_t)b * IC + 32 * j + k];
                s += (double)isum * dxr[(size_t)b * nb + j] * dw[(size_t)o * nb + j];
                mag += fabs((double)isum * dxr[(size_t)b * nb + j] * dw[(size_t)o * nb + j]);
                acc = fmaf((float)isum, (float)dxr[(size_t)b * nb + j] * (float)dw[(size_t)o * nb + j], acc);
            }
            if (use_bias) acc += bias[o];
            if (flags & LLM__MM_ADD) acc = out0[(size_t)b * OC + o] + acc;
            if (!(flags & LLM__MM_ACT) && memcmp(&acc, &out[0][(size_t)b * OC + o], 4)) exact = 0;
            ref = flags & LLM__MM_ACT ? gelu_ref(s) : flags & LLM__MM_ADD ? out0[(size_t)b * OC + o] + s : s;
            if (flags & LLM__MM_ADD) mag += fabs(out0[(size_t)b * OC + o]);
            if (fabs(out[0][(size_t)b * OC + o] - ref) / mag > worst) worst = fabs(out[0][(size_t)b * OC + o] - ref) / mag;
        }
    for (nt = 1; nt < 3; nt++) if (memcmp(out[0], out[nt], (size_t)B * OC * 4)) same = 0;
    CHECK(worst < 2e-6, "q8 scales %s B=%d IC=%d OC=%d flags=%d: error %.3g", llm_dtype_name(st), B, IC, OC, flags, worst);
    CHECK(exact, "q8 scales %s B=%d IC=%d OC=%d flags=%d: not bit-identical to the rule's float steps", llm_dtype_name(st), B, IC, OC, flags);
    CHECK(same, "q8 B=%d IC=%d OC=%d: results differ between 1, 2 and 3 threads", B, IC, OC);
    CHECK(rows, "q8 B=%d IC=%d OC=%d flags=%d: a row of the batched product differs from its one-row product", B, IC, OC, flags);
    for (nt = 0; nt < 3; nt++) free(out[nt]);
    free(w); free(qx); free(sc); free(dw); free(dxr); free(in); free(bias); free(out0); free(one);
}

static void test_q8(void) {
    /* rows around the one-row limit, the row tile (AVX2) and the 6-row
       group (AVX-512), inputs around the block (and the zmm GEMV's two
       blocks), outputs around the 4-output kernel, the GEMV tile and the
       16- and 32-output panels */
    const int Bs[] = { 1, 2, 3, 4, 12, T_QR - 1, T_QR, T_QR + 1, 2 * T_QR + 3 };
    const int ICs[] = { 1, 31, 32, 33, 63, 64, 65, 100, 768 };
    const int OCs[] = { 1, 3, 5, 8, 15, 16, 17, 32, 33 };
    int bi, ii, oi;
    for (bi = 0; bi < 9; bi++)
        for (ii = 0; ii < 9; ii++)
            for (oi = 0; oi < 9; oi++) {
                int v = (bi + ii + oi) % 3;
                check_q8((bi + oi) % 2 ? LLM_DTYPE_F32 : LLM_DTYPE_F16, Bs[bi] < 1 ? 1 : Bs[bi], ICs[ii], OCs[oi],
                         v == 0 ? 0 : v == 1 ? LLM__MM_ADD : LLM__MM_ACTIVATE(LLM_ACT_GELU_TANH), v != 1);
            }
    check_q8(LLM_DTYPE_F16, 9, 768, 768, LLM__MM_ADD, 1);
    check_q8(LLM_DTYPE_F32, 40, 3072, 50, 0, 1);
    {   /* a NaN or an infinity in a row's input makes that row's outputs NaN (its block's d is NaN) and
           leaves the other rows as their one-row products */
        enum { QB_ = 8, QI = 768, QO = 40 };
        signed char *w = (signed char *)malloc((size_t)QO * QI);
        float *sc = (float *)malloc((size_t)QO * (QI / 32) * 4), *in = (float *)malloc((size_t)QB_ * QI * 4);
        float *out = (float *)malloc((size_t)QB_ * QO * 4), one[QO];
        float *scratch = scratch_for(QI, QO, QB_, 2);
        llm__mat m;
        int i, b, nan_ok = 1, rest_ok = 1;
        for (i = 0; i < QO * QI; i++) w[i] = (signed char)((int)(rnd32() % 255) - 127);
        for (i = 0; i < QO * (QI / 32); i++) sc[i] = 1e-3f;
        for (i = 0; i < QB_ * QI; i++) in[i] = rndf();
        in[2 * QI + 100] = NAN;
        in[5 * QI + 700] = INFINITY;
        m.w = w; m.type = LLM_DTYPE_I8; m.layout = LLM__OUT_IN; m.scale = sc; m.stype = LLM_DTYPE_F32;
        llm__matmul(out, in, &m, NULL, QB_, QI, QO, 0, 2, scratch);
        for (b = 0; b < QB_; b++) {
            llm__matmul(one, in + (size_t)b * QI, &m, NULL, 1, QI, QO, 0, 2, scratch);
            for (i = 0; i < QO; i++) {
                if (b == 2 || b == 5) { if (!isnan(out[b * QO + i]) || !isnan(one[i])) nan_ok = 0; }
                else if (memcmp(&out[b * QO + i], &one[i], 4) || isnan(one[i])) rest_ok = 0;
            }
        }
        CHECK(nan_ok, "q8: a row holding a NaN or an infinity does not give NaN outputs");
        CHECK(rest_ok, "q8: the rows beside a NaN row differ from their one-row products");
        free(w); free(sc); free(in); free(out); free(scratch);
    }
    {   /* an embedding row of an I8 matrix is q * d */
        signed char q[2 * 40];
        float sc[4] = { 0.5f, 0.25f, 2.0f, 4.0f }, dst[40];
        llm__mat m;
        int i, ok = 1;
        for (i = 0; i < 80; i++) q[i] = (signed char)(i - 40);
        m.w = q; m.type = LLM_DTYPE_I8; m.layout = LLM__OUT_IN; m.scale = sc; m.stype = LLM_DTYPE_F32;
        llm__mat_row(dst, &m, 1, 40);
        for (i = 0; i < 40; i++) if (dst[i] != (float)(i) * (i < 32 ? 2.0f : 4.0f)) ok = 0;
        CHECK(ok, "I8 embedding row is not q * scale");
    }
}

static void test_rows(void) {
    static const llm_dtype types[3] = { LLM_DTYPE_F32, LLM_DTYPE_F16, LLM_DTYPE_BF16 };
    int ti;
    for (ti = 0; ti < 3; ti++) {
        size_t rows = 5, n = 37, r, i;
        double *dec = (double *)malloc(rows * n * sizeof(double));
        void *wd = make_weights(types[ti], rows * n, dec);
        float dst[37];
        llm__mat w;
        int ok = 1;
        w.w = wd; w.type = types[ti]; w.layout = LLM__OUT_IN;
        for (r = 0; r < rows; r++) {
            llm__mat_row(dst, &w, r, n);
            for (i = 0; i < n; i++) if ((double)dst[i] != dec[r * n + i]) ok = 0;
        }
        CHECK(ok, "embedding rows of %s are not the stored values", llm_dtype_name(types[ti]));
        free(dec); free(wd);
    }
}

static void test_layernorm(void) {
    const int Cs[] = { 1, 5, 17, 768 + 3 };
    int ci;
    for (ci = 0; ci < 4; ci++) {
        int B = 3, C = Cs[ci], b, i;
        float *x = (float *)malloc((size_t)B * C * 4), *y = (float *)malloc((size_t)B * C * 4);
        float *w = (float *)malloc((size_t)C * 4), *bb = (float *)malloc((size_t)C * 4);
        double worst = 0;
        for (i = 0; i < B * C; i++) x[i] = rndf() * 3 + 0.5f;
        for (i = 0; i < C; i++) { w[i] = rndf(); bb[i] = rndf(); }
        llm__layernorm(y, x, w, bb, B, C, 1e-5f, 2);
        for (b = 0; b < B; b++) {
            double m = 0, v = 0;
            for (i = 0; i < C; i++) m += x[b * C + i];
            m /= C;
            for (i = 0; i < C; i++) v += (x[b * C + i] - m) * (x[b * C + i] - m);
            v /= C;
            for (i = 0; i < C; i++) {
                double ref = (x[b * C + i] - m) / sqrt(v + 1e-5) * w[i] + bb[i], e = fabs(y[b * C + i] - ref);
                if (e > worst) worst = e;
            }
        }
        CHECK(worst < 1e-5, "layernorm C=%d: error %.3g", C, worst);
        free(x); free(y); free(w); free(bb);
    }
}

/* Causal attention of rows p0..p0+B-1 against a naive softmax in double. */
static void check_attention(int B, int H, int hd, int p0) {
    int C = H * hd, n_ctx = p0 + B + 3, T = p0 + B, b, h, i, t, nt;
    float *qkv = (float *)malloc((size_t)B * 3 * C * 4), *kc = (float *)calloc((size_t)n_ctx * C, 4);
    float *vc = (float *)calloc((size_t)n_ctx * C, 4), *out[2], *scores = (float *)malloc((size_t)H * n_ctx * 4);
    double worst = 0;
    llm_config c;
    memset(&c, 0, sizeof c);
    c.n_embd = C; c.n_head = H; c.n_inner = C;
    for (i = 0; i < B * 3 * C; i++) qkv[i] = rndf() * 2;
    for (t = 0; t < T; t++)
        for (i = 0; i < C; i++) {
            kc[(size_t)t * C + i] = t >= p0 ? qkv[(size_t)(t - p0) * 3 * C + C + i] : rndf() * 2;
            vc[(size_t)t * C + i] = t >= p0 ? qkv[(size_t)(t - p0) * 3 * C + 2 * C + i] : rndf();
        }
    for (nt = 1; nt <= 2; nt++) {
        float *ws = (float *)malloc((llm__scratch_floats(&c, nt, B, n_ctx) + 64) * 4);
        out[nt - 1] = (float *)malloc((size_t)B * C * 4);
        int32_t tab[64];   /* blocks of 3 positions, in place (the block loops cross boundaries) */
        for (i = 0; i < 64; i++) tab[i] = i;
        llm__attention(out[nt - 1], qkv, kc, vc, tab, 3, scores, B, C, H, (size_t)p0, (size_t)n_ctx,
                       1.0f / sqrtf((float)hd), nt, ws);
        free(ws);
    }
    for (b = 0; b < B; b++)
        for (h = 0; h < H; h++) {
            double s[256], mx = -1e300, sum = 0;
            int n = p0 + b + 1;
            for (t = 0; t < n; t++) {
                double d = 0;
                for (i = 0; i < hd; i++) d += qkv[(size_t)b * 3 * C + h * hd + i] * kc[(size_t)t * C + h * hd + i];
                s[t] = d / sqrt((double)hd);
                if (s[t] > mx) mx = s[t];
            }
            for (t = 0; t < n; t++) { s[t] = exp(s[t] - mx); sum += s[t]; }
            for (i = 0; i < hd; i++) {
                double y = 0, e;
                for (t = 0; t < n; t++) y += s[t] / sum * vc[(size_t)t * C + h * hd + i];
                e = fabs(out[0][(size_t)b * C + h * hd + i] - y);
                if (e > worst) worst = e;
            }
        }
    CHECK(worst < 1e-5, "attention B=%d H=%d hd=%d p0=%d: error %.3g", B, H, hd, p0, worst);
    CHECK(!memcmp(out[0], out[1], (size_t)B * C * 4), "attention B=%d H=%d hd=%d p0=%d: 1 and 2 threads differ", B, H, hd, p0);
    free(qkv); free(kc); free(vc); free(out[0]); free(out[1]); free(scores);
}

static void test_attention(void) {
    const int Bs[] = { 1, 2, T_MR - 1 > 0 ? T_MR - 1 : 1, T_MR + 1 };
    int bi;
    for (bi = 0; bi < 4; bi++) {
        check_attention(Bs[bi], 2, 8, 0);
        check_attention(Bs[bi], 3, 20, 5);
        check_attention(Bs[bi], 1, T_NR + 3, T_NR - 2);
    }
}

/* The format table: row t is format t; the weight formats (F32, F16, BF16,
   I8) have an embedding row and a product for each layout they are stored
   in (I8: [out, in] only, after its activation step), the others none. */
static void test_fmt_table(void) {
    int t, n = (int)(sizeof llm__fmt_table / sizeof llm__fmt_table[0]);
    CHECK(n == LLM_DTYPE_I8 + 1, "the format table has %d rows, not one per format up to I8", n);
    for (t = 0; t < n; t++) {
        const llm__fmt_traits *f = &llm__fmt_table[t];
        int weight = t == LLM_DTYPE_F32 || t == LLM_DTYPE_F16 || t == LLM_DTYPE_BF16 || t == LLM_DTYPE_I8;
        CHECK((int)f->type == t, "row %d of the format table is %s", t, llm_dtype_name(f->type));
        CHECK(!!f->get_row == weight && !!f->mm_out_in == weight, "row %s: get_row / mm_out_in",
              llm_dtype_name(f->type));
        CHECK(!!f->mm_in_out == (weight && t != LLM_DTYPE_I8), "row %s: mm_in_out", llm_dtype_name(f->type));
        CHECK(!!f->from_float == (t == LLM_DTYPE_I8), "row %s: from_float", llm_dtype_name(f->type));
        CHECK(!!f->row == (weight && t != LLM_DTYPE_I8), "row %s: row", llm_dtype_name(f->type));
    }
}

/* The scratch layouts: each piece inside the share and after the one
   before it, every piece on 64 bytes, the share big enough for its 64-byte
   alignment; the 8-bit product's likewise. */
static void test_scratch_layout(void) {
    static const int shapes[][3] = { { 64, 1, 1 }, { 64, 9, 17 }, { 48, 33, 1024 }, { 80, 7, 100 }, { 1, 1, 1 } };
    size_t i;
    for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        int hd = shapes[i][0], mb = shapes[i][1], ctx = shapes[i][2];
        llm__scratch_layout L = llm__scratch_layout_of(hd * 3, hd, mb, ctx);
        llm__q8_layout Q = llm__q8_layout_of(mb, hd * 3, 3);
        size_t nq = (size_t)llm__q8_nb2(hd * 3) * llm__q8_nrows(mb);
#ifdef LLM__VW
        size_t nr = LLM__NR, rows = ((size_t)mb + LLM__MR - 1) / LLM__MR * LLM__MR;
        size_t ldp = ((size_t)ctx + nr - 1) / nr * nr, nvp = ((size_t)hd + nr - 1) / nr;
        CHECK(L.ldp == ldp, "ldp %zu for n_ctx %d", L.ldp, ctx);
        CHECK(L.pk == 0 && L.cb >= L.pk + LLM__KC * nr && L.cb + rows * nr + 16 <= L.per_thread,
              "GEMM pieces of the scratch layout (max_batch %d)", mb);
        CHECK(L.kt == 0 && L.vp >= L.kt + ldp * (size_t)hd && L.p >= L.vp + nvp * nr * (size_t)ctx &&
              L.tile >= L.p + LLM__MR * ldp && L.tile + LLM__MR * nr + 16 <= L.per_thread,
              "attention pieces of the scratch layout (hd %d, n_ctx %d)", hd, ctx);
        CHECK(L.lm == 0 && L.lm + 12 * (size_t)hd + 16 <= L.per_thread, "LM head piece of the scratch layout (C %d)",
              hd * 3);
        CHECK(L.cb % 16 == 0 && L.vp % 16 == 0 && L.p % 16 == 0 && L.tile % 16 == 0 && ldp % 16 == 0,
              "scratch layout pieces not on 64 bytes (hd %d)", hd);
#else
        CHECK(L.per_thread == 0, "the scalar kernels take no per-thread scratch");
#endif
        CHECK(Q.dx == 0 && Q.xq >= nq && Q.thr >= Q.xq + nq * LLM__QB / 4 && Q.size >= Q.thr + 3 * Q.thr_size + 16 &&
              Q.xq % 16 == 0 && Q.thr % 16 == 0 && Q.thr_size % 16 == 0,
              "8-bit scratch layout (B %d, IC %d)", mb, hd * 3);
#ifdef LLM__Q8
        CHECK(Q.thr_size >= 2 * LLM__Q8P * (size_t)((hd * 3 + LLM__QB - 1) / LLM__QB),
              "8-bit thread part too small (IC %d)", hd * 3);
#if LLM__Q8 == 3
        /* the AVX-512 GEMM's panel: the weights (nb2 x 32 x 32 bytes), then negc, dw and the scales' row */
        CHECK(Q.thr_size >= (size_t)llm__q8_nb2(hd * 3) * (LLM__Q8P * LLM__QB / 4 + 2 * LLM__Q8P + 1),
              "8-bit thread part too small for the GEMM panel (IC %d)", hd * 3);
#endif
#endif
    }
}

int main(void) {
    test_fmt_table();
    test_scratch_layout();
    test_matmul();
    test_batched_rows();
    test_rows();
    test_q8();
    test_layernorm();
    test_attention();
    return test_summary("test_kernels");
}
