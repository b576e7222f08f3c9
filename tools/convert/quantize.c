/* quantize: an F32/F16/BF16 GPT-2 checkpoint folder -> an 8-bit one.

       build/quantize [--f32-scales] [--keep-embeddings] IN_DIR OUT_DIR

   Writes OUT_DIR/model.safetensors, OUT_DIR/config.json (the input's, with
   a "quantization_config" added) and copies the tokenizer files. The
   format (README.md, "8-bit weights"):
   - the four matrices of every layer (attn.c_attn, attn.c_proj, mlp.c_fc,
     mlp.c_proj) and wte (and lm_head.weight when the checkpoint has its
     own) become `NAME` I8 of shape [out, in] (Conv1D's [in, out]
     transposed, so that each output's inputs are contiguous; wte and
     lm_head are [vocab, n_embd] already) plus `NAME_scale` (the name with
     "_scale" appended: "h.0.mlp.c_fc.weight_scale") of shape
     [out, ceil(in / 32)], F16 (or F32 with --f32-scales): one scale per
     block of 32 inputs of an output;
   - per block: d = max|w| / 127 rounded to the scale's type, then
     q = round(w / d) (to nearest, ties to even, in double), clamped to
     [-127, 127]; q = 0 where d is 0. The weight read back is q * d.
   - 1-D tensors (biases, layer norms) are written as F32; every other
     tensor (wpe, buffers) is copied as stored.
   --keep-embeddings leaves wte (and lm_head) as stored.
   Prints a progress line and a summary: sizes, and per class of tensor
   the max and RMS error of q * d against the input weights. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>

#define BLOCK 32
#define NCLASS 7
static const char *const class_names[NCLASS] = { "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", "wte", "lm_head", "other" };

typedef struct { size_t n; double max_err, sum_err2, sum_w2; } stats;

/* What becomes of one input tensor. */
typedef struct {
    const llm_tensor *t;
    int cls;          /* class index; NCLASS - 1 for copied tensors */
    int quant;        /* 1: I8 + scales */
    int transpose;    /* 1: stored [in, out], written [out, in] */
    size_t rows, cols;  /* output shape [rows, cols] of the I8 tensor */
    llm_dtype out_type; /* of a copied tensor */
} plan;

static float dec(const llm_tensor *t, size_t i) {
    const unsigned char *p = (const unsigned char *)t->data;
    uint32_t b;
    float f;
    switch (t->dtype) {
    case LLM_DTYPE_F32: memcpy(&f, p + 4 * i, 4); return f;
    case LLM_DTYPE_F16: return llm__f16_to_f32((uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
    case LLM_DTYPE_BF16: b = (uint32_t)(p[2 * i] | (p[2 * i + 1] << 8)) << 16; memcpy(&f, &b, 4); return f;
    default: return 0.0f;
    }
}

/* f32 -> f16 bits, round to nearest even (overflow: inf). */
static uint16_t to_f16(float f) {
    uint32_t x, sign, mant;
    int e;
    memcpy(&x, &f, 4);
    sign = (x >> 16) & 0x8000u;
    e = (int)((x >> 23) & 0xff) - 127 + 15;
    mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {  /* subnormal half or zero */
        uint32_t m = mant | 0x800000u, shift = (uint32_t)(14 - e), r, half;
        if (e < -10) return (uint16_t)sign;
        r = m >> shift;
        half = 1u << (shift - 1);
        if ((m & ((1u << shift) - 1)) > half || ((m & ((1u << shift) - 1)) == half && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
    {
        uint32_t r = ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (r & 1))) r++;  /* may carry into the exponent: correct */
        return (uint16_t)(sign | r);
    }
}

static int class_of(const char *name) {
    static const char *const suffix[6] = { "attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight",
                                           "wte.weight", "lm_head.weight" };
    size_t n = strlen(name), k;
    int c;
    for (c = 0; c < 6; c++) {
        k = strlen(suffix[c]);
        if (n >= k && !strcmp(name + n - k, suffix[c]) && (n == k || name[n - k - 1] == '.')) return c;
    }
    return NCLASS - 1;
}

static int copy_file(const char *src, const char *dst) {
    FILE *in = fopen(src, "rb"), *out;
    char buf[65536];
    size_t n;
    if (!in) return 0;  /* absent: nothing to copy */
    out = fopen(dst, "wb");
    if (!out) { fclose(in); return -1; }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) { fclose(in); fclose(out); return -1; }
    fclose(in);
    return fclose(out) == 0 ? 1 : -1;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    long n;
    char *b;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) { fclose(f); return NULL; }
    b = (char *)malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    fclose(f);
    if (b) { b[n] = 0; *len = (size_t)n; }
    return b;
}

static int usage(void) {
    fprintf(stderr, "usage: quantize [--f32-scales] [--keep-embeddings] IN_DIR OUT_DIR\n");
    return 2;
}

/* one entry of the header: "name":{"dtype":..,"shape":[..],"data_offsets":[a,b]} */
static void header_entry(FILE *h, int *first, const char *name, const char *dtype, int ndim, const size_t *shape, size_t *off, size_t bytes) {
    int d;
    fprintf(h, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", *first ? "" : ",", name, dtype);
    for (d = 0; d < ndim; d++) fprintf(h, "%s%zu", d ? "," : "", shape[d]);
    fprintf(h, "],\"data_offsets\":[%zu,%zu]}", *off, *off + bytes);
    *off += bytes;
    *first = 0;
}

int main(int argc, char **argv) {
    const char *in_dir = NULL, *out_dir = NULL;
    int f32_scales = 0, keep_emb = 0, i, pass;
    char path[4096], path2[4096];
    llm_safetensors st;
    plan *pl;
    stats cs[NCLASS];
    size_t nt, k, in_bytes, out_bytes = 0;
    FILE *out;
    static const char *const copy_names[6] = { "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
                                               "special_tokens_map.json", "generation_config.json" };
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--f32-scales")) f32_scales = 1;
        else if (!strcmp(argv[i], "--keep-embeddings")) keep_emb = 1;
        else if (argv[i][0] == '-') return usage();
        else if (!in_dir) in_dir = argv[i];
        else if (!out_dir) out_dir = argv[i];
        else return usage();
    }
    if (!in_dir || !out_dir) return usage();
    snprintf(path, sizeof path, "%s/model.safetensors", in_dir);
    if (llm_safetensors_open(&st, path) != LLM_OK) { fprintf(stderr, "quantize: %s: %s\n", path, llm_safetensors_error(&st)); return 1; }
    in_bytes = st.image_size;
    nt = st.n_tensors;
    pl = (plan *)calloc(nt ? nt : 1, sizeof *pl);
    if (!pl) { fprintf(stderr, "quantize: out of memory\n"); return 1; }
    memset(cs, 0, sizeof cs);
    for (k = 0; k < nt; k++) {
        const llm_tensor *t = &st.tensors[k];
        plan *p = &pl[k];
        p->t = t;
        p->cls = class_of(t->name);
        if (t->dtype == LLM_DTYPE_I8 || strstr(t->name, "_scale")) {
            fprintf(stderr, "quantize: '%s' is already 8-bit (tensor %s): quantize reads F32, F16 or BF16 checkpoints\n", in_dir, t->name);
            return 1;
        }
        if (p->cls < 6 && (p->cls < 4 || !keep_emb)) {
            if (t->ndim != 2 || (t->dtype != LLM_DTYPE_F32 && t->dtype != LLM_DTYPE_F16 && t->dtype != LLM_DTYPE_BF16)) {
                fprintf(stderr, "quantize: tensor %s: expected a 2-D F32, F16 or BF16 matrix, got %s with %d dims\n", t->name, llm_dtype_name(t->dtype), t->ndim);
                return 1;
            }
            p->quant = 1;
            p->transpose = p->cls < 4;
            p->rows = p->transpose ? t->shape[1] : t->shape[0];
            p->cols = p->transpose ? t->shape[0] : t->shape[1];
        } else {
            p->cls = NCLASS - 1;
            p->out_type = t->ndim == 1 && (t->dtype == LLM_DTYPE_F16 || t->dtype == LLM_DTYPE_BF16) ? LLM_DTYPE_F32 : t->dtype;
        }
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) { fprintf(stderr, "quantize: cannot create %s: %s\n", out_dir, strerror(errno)); return 1; }
    snprintf(path, sizeof path, "%s/model.safetensors", out_dir);
    out = fopen(path, "wb");
    if (!out) { fprintf(stderr, "quantize: cannot write %s\n", path); return 1; }
    /* header: F32 tensors first, then F16/BF16 (scales, wpe), then I8, so
       that every tensor is aligned to its element size with no gaps */
    {
        char *hdr = NULL;
        size_t hlen = 0, off = 0, padded;
        int first = 1, group;
        FILE *h = open_memstream(&hdr, &hlen);
        const char *sname = f32_scales ? "F32" : "F16";
        size_t ssz = f32_scales ? 4 : 2;
        if (!h) { fprintf(stderr, "quantize: out of memory\n"); return 1; }
        fprintf(h, "{\"__metadata__\":{\"format\":\"pt\",\"quantizer\":\"llm.h quantize: I8, one scale per 32 inputs\"}");
        first = 0;
        for (group = 0; group < 3; group++)
            for (k = 0; k < nt; k++) {
                const plan *p = &pl[k];
                size_t es = p->quant ? 0 : llm_dtype_size(p->out_type);
                if (p->quant) {
                    size_t sshape[2];
                    sshape[0] = p->rows; sshape[1] = (p->cols + BLOCK - 1) / BLOCK;
                    if (group == (f32_scales ? 0 : 1)) {
                        snprintf(path2, sizeof path2, "%s_scale", p->t->name);
                        header_entry(h, &first, path2, sname, 2, sshape, &off, sshape[0] * sshape[1] * ssz);
                    }
                    if (group == 2) {
                        size_t shape[2];
                        shape[0] = p->rows; shape[1] = p->cols;
                        header_entry(h, &first, p->t->name, "I8", 2, shape, &off, p->rows * p->cols);
                    }
                } else if ((group == 0 && es == 4) || (group == 1 && es == 2) || (group == 2 && es != 4 && es != 2))
                    header_entry(h, &first, p->t->name, llm_dtype_name(p->out_type), p->t->ndim, p->t->shape, &off,
                                 p->t->numel * es);
            }
        fprintf(h, "}");
        fclose(h);
        padded = (hlen + 7) / 8 * 8;
        {
            unsigned char n8[8];
            int b;
            for (b = 0; b < 8; b++) n8[b] = (unsigned char)((uint64_t)padded >> (8 * b));
            fwrite(n8, 1, 8, out);
            fwrite(hdr, 1, hlen, out);
            for (; hlen < padded; hlen++) fputc(' ', out);
        }
        free(hdr);
        out_bytes = 8 + padded + off;
    }
    /* data, in the header's order */
    for (pass = 0; pass < 3; pass++)
        for (k = 0; k < nt; k++) {
            const plan *p = &pl[k];
            const llm_tensor *t = p->t;
            size_t es = p->quant ? 0 : llm_dtype_size(p->out_type), r, c, nb;
            if (!p->quant) {
                if (!((pass == 0 && es == 4) || (pass == 1 && es == 2) || (pass == 2 && es != 4 && es != 2))) continue;
                if (p->out_type == t->dtype) fwrite(t->data, 1, t->nbytes, out);
                else for (r = 0; r < t->numel; r++) { float f = dec(t, r); fwrite(&f, 4, 1, out); }
                continue;
            }
            if (pass != (f32_scales ? 0 : 1) && pass != 2) continue;
            nb = (p->cols + BLOCK - 1) / BLOCK;
            if (pass == 2) { fprintf(stderr, "\rquantize: %zu/%zu %-48s", k + 1, nt, t->name); fflush(stderr); }
            for (r = 0; r < p->rows; r++) {
                signed char q[BLOCK];
                for (c = 0; c < nb; c++) {
                    size_t c0 = c * BLOCK, n = p->cols - c0 < BLOCK ? p->cols - c0 : BLOCK, e;
                    float amax = 0.0f, d;
                    for (e = 0; e < n; e++) {
                        size_t idx = p->transpose ? (c0 + e) * p->rows + r : r * p->cols + c0 + e;
                        float v = fabsf(dec(t, idx));
                        if (v > amax) amax = v;
                    }
                    d = amax / 127.0f;
                    if (!f32_scales) {
                        uint16_t hbits = to_f16(d);
                        if ((hbits & 0x7c00u) == 0x7c00u) { fprintf(stderr, "\nquantize: %s: a scale overflows F16; use --f32-scales\n", t->name); return 1; }
                        d = llm__f16_to_f32(hbits);
                        if (pass == 1) fwrite(&hbits, 2, 1, out);
                    } else if (pass == 0) fwrite(&d, 4, 1, out);
                    if (pass != 2) continue;
                    for (e = 0; e < n; e++) {
                        size_t idx = p->transpose ? (c0 + e) * p->rows + r : r * p->cols + c0 + e;
                        float w = dec(t, idx), back;
                        double qd = d > 0 ? nearbyint((double)w / (double)d) : 0.0, err;
                        stats *s = &cs[p->cls];
                        if (qd > 127) qd = 127;
                        if (qd < -127) qd = -127;
                        q[e] = (signed char)qd;
                        back = (float)q[e] * d;
                        err = fabs((double)back - (double)w);
                        s->n++;
                        if (err > s->max_err) s->max_err = err;
                        s->sum_err2 += err * err;
                        s->sum_w2 += (double)w * (double)w;
                    }
                    fwrite(q, 1, n, out);
                }
            }
        }
    fprintf(stderr, "\n");
    if (fclose(out) != 0) { fprintf(stderr, "quantize: write error on %s\n", path); return 1; }
    /* config.json with quantization_config */
    snprintf(path, sizeof path, "%s/config.json", in_dir);
    {
        size_t len = 0, end;
        char *cfg = read_all(path, &len);
        if (cfg) {
            FILE *f;
            if (strstr(cfg, "\"quantization_config\"")) { fprintf(stderr, "quantize: %s already has a quantization_config\n", path); return 1; }
            end = len;
            while (end > 0 && cfg[end - 1] != '}') end--;
            if (!end) { fprintf(stderr, "quantize: %s is not a JSON object\n", path); return 1; }
            end--;
            while (end > 0 && (cfg[end - 1] == ' ' || cfg[end - 1] == '\n' || cfg[end - 1] == '\r' || cfg[end - 1] == '\t')) end--;
            snprintf(path2, sizeof path2, "%s/config.json", out_dir);
            f = fopen(path2, "wb");
            if (!f) { fprintf(stderr, "quantize: cannot write %s\n", path2); return 1; }
            fwrite(cfg, 1, end, f);
            fprintf(f, ",\n  \"quantization_config\": {\n    \"quant_method\": \"compressed-tensors\",\n"
                       "    \"format\": \"int-quantized\",\n    \"quantization_status\": \"compressed\",\n"
                       "    \"config_groups\": {\n      \"group_0\": {\n        \"targets\": [\"Conv1D\"%s],\n"
                       "        \"weights\": {\"num_bits\": 8, \"type\": \"int\", \"symmetric\": true, \"strategy\": \"group\", "
                       "\"group_size\": 32, \"dynamic\": false},\n"
                       "        \"input_activations\": {\"num_bits\": 8, \"type\": \"int\", \"symmetric\": true, \"strategy\": \"group\", "
                       "\"group_size\": 32, \"dynamic\": true}\n      }\n    },\n    \"ignore\": [%s]\n  }\n}\n",
                    keep_emb ? "" : ", \"Embedding\"", keep_emb ? "\"wte\", \"lm_head\"" : "");
            if (fclose(f) != 0) { fprintf(stderr, "quantize: write error on %s\n", path2); return 1; }
            free(cfg);
        }
    }
    for (i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/%s", in_dir, copy_names[i]);
        snprintf(path2, sizeof path2, "%s/%s", out_dir, copy_names[i]);
        if (copy_file(path, path2) < 0) { fprintf(stderr, "quantize: cannot copy %s\n", path); return 1; }
    }
    printf("quantize: %s (%zu bytes) -> %s/model.safetensors (%zu bytes, %.3f of the input)\n", in_dir, in_bytes, out_dir,
           out_bytes, (double)out_bytes / (double)in_bytes);
    printf("%-12s %12s %12s %12s %12s\n", "class", "weights", "max |err|", "RMS err", "RMS err/RMS w");
    for (i = 0; i < NCLASS - 1; i++)
        if (cs[i].n)
            printf("%-12s %12zu %12.4g %12.4g %12.4g\n", class_names[i], cs[i].n, cs[i].max_err, sqrt(cs[i].sum_err2 / (double)cs[i].n),
                   cs[i].sum_w2 > 0 ? sqrt(cs[i].sum_err2 / cs[i].sum_w2) : 0.0);
    llm_safetensors_close(&st);
    free(pl);
    return 0;
}
