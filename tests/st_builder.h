/* st_builder.h - a small GPT-2 model and a small tokenizer built in memory, for the tests and fuzz harnesses that
   need one without files (tests/test_alloc.c, tests/fuzz/fuzz_generate_text.c, tests/fuzz/fuzz_config.c).
   Everything here uses the C library's malloc, not LLM_MALLOC, so a test's counting allocator does not see it.
   Each builder returns NULL when malloc fails or the header would not fit; the caller frees the result. */
#ifndef LLM_ST_BUILDER_H
#define LLM_ST_BUILDER_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One F32 tensor: shape [d0] when d1 is 0, else [d0, d1]; its values are base + amp * (u - 0.5), u uniform in
   [0, 1) from the image's random sequence. */
typedef struct st_tensor { const char *name; int d0, d1; float base; } st_tensor;

enum { ST_GPT2_TENSORS = 16 };

/* The 16 tensors of a one-layer GPT-2 with n_embd C, n_inner I, T positions and V vocabulary rows, in name
   order (HF's names without the "transformer." prefix; layer norm weights around 1). */
static inline void st_gpt2_one_layer(st_tensor spec[ST_GPT2_TENSORS], int C, int I, int T, int V) {
    const st_tensor s[ST_GPT2_TENSORS] = {
        { "h.0.attn.c_attn.bias", 3 * C, 0, 0 }, { "h.0.attn.c_attn.weight", C, 3 * C, 0 },
        { "h.0.attn.c_proj.bias", C, 0, 0 }, { "h.0.attn.c_proj.weight", C, C, 0 },
        { "h.0.ln_1.bias", C, 0, 0 }, { "h.0.ln_1.weight", C, 0, 1 },
        { "h.0.ln_2.bias", C, 0, 0 }, { "h.0.ln_2.weight", C, 0, 1 },
        { "h.0.mlp.c_fc.bias", I, 0, 0 }, { "h.0.mlp.c_fc.weight", C, I, 0 },
        { "h.0.mlp.c_proj.bias", C, 0, 0 }, { "h.0.mlp.c_proj.weight", I, C, 0 },
        { "ln_f.bias", C, 0, 0 }, { "ln_f.weight", C, 0, 1 },
        { "wpe.weight", T, C, 0 }, { "wte.weight", V, C, 0 },
    };
    memcpy(spec, s, sizeof s);
}

/* A safetensors image of the n tensors, in that order and contiguous, each name with prefix in front;
   __metadata__ holds meta (its members as JSON text, e.g. "\"format\":\"pt\""); the header is padded with
   spaces to a multiple of 8 bytes; values from a linear congruential sequence started at seed. */
static inline unsigned char *st_image_f32(const st_tensor *t, size_t n, const char *prefix, const char *meta,
                                          uint32_t seed, float amp, size_t *size) {
    char hdr[4096];
    size_t hl, off = 0, at, k, i;
    unsigned char *img;
    hl = (size_t)snprintf(hdr, sizeof hdr, "{\"__metadata__\":{%s}", meta);
    for (k = 0; k < n && hl < sizeof hdr; k++) {
        size_t numel = (size_t)t[k].d0 * (size_t)(t[k].d1 ? t[k].d1 : 1);
        if (t[k].d1)
            hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl,
                                   ",\"%s%s\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%zu,%zu]}",
                                   prefix, t[k].name, t[k].d0, t[k].d1, off, off + 4 * numel);
        else
            hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl,
                                   ",\"%s%s\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%zu,%zu]}",
                                   prefix, t[k].name, t[k].d0, off, off + 4 * numel);
        off += 4 * numel;
    }
    if (hl < sizeof hdr) hl += (size_t)snprintf(hdr + hl, sizeof hdr - hl, "}");
    while (hl < sizeof hdr && (8 + hl) % 8) hdr[hl++] = ' ';
    if (hl >= sizeof hdr) return NULL;
    *size = 8 + hl + off;
    img = (unsigned char *)malloc(*size);
    if (!img) return NULL;
    for (i = 0; i < 8; i++) img[i] = (unsigned char)(hl >> (8 * i));
    memcpy(img + 8, hdr, hl);
    at = 8 + hl;
    for (k = 0; k < n; k++) {
        size_t numel = (size_t)t[k].d0 * (size_t)(t[k].d1 ? t[k].d1 : 1);
        for (i = 0; i < numel; i++) {
            float v;
            seed = seed * 1103515245u + 12345u;
            v = t[k].base + amp * ((float)(seed >> 8) / 16777216.0f - 0.5f);
            memcpy(img + at, &v, 4);
            at += 4;
        }
    }
    return img;
}

/* A vocab.json with the 256 byte tokens (GPT-2's byte-to-unicode alphabet, as \u escapes) at ids 0..255, then
   the n tokens of merged (JSON string contents, e.g. "\\u0120t" and "<|endoftext|>") at 256..255+n, no gaps.
   *len gets its length, *V the vocabulary size. */
static inline char *st_byte_vocab(const char *const *merged, size_t n, size_t *len, int *V) {
    size_t cap = 256 * 16 + 2, at = 0, k;
    char *v;
    int b;
    for (k = 0; k < n; k++) cap += strlen(merged[k]) + 24;
    v = (char *)malloc(cap);
    if (!v) return NULL;
    at += (size_t)snprintf(v + at, cap - at, "{");
    for (b = 0; b < 256; b++) {
        unsigned u = (unsigned)b, x, q = 0;
        if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
            for (x = 0; x < (unsigned)b; x++) if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) q++;
            u = 256 + q;
        }
        at += (size_t)snprintf(v + at, cap - at, "%s\"\\u%04x\": %d", b ? ", " : "", u, b);
    }
    for (k = 0; k < n; k++) at += (size_t)snprintf(v + at, cap - at, ", \"%s\": %d", merged[k], 256 + (int)k);
    at += (size_t)snprintf(v + at, cap - at, "}");
    *len = at;
    *V = 256 + (int)n;
    return v;
}
#endif
