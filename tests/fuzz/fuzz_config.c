/* Fuzz target: config.json, through llm_model_load_memory with a fixed,
   valid tiny safetensors image (built here in memory: n_layer 1, n_embd 8,
   n_positions 4, vocab 8, n_inner 32, F32, "transformer." names) and the
   fuzzed bytes as the config text. When the load succeeds the config must
   match the image, and a session evaluates a few tokens and generates two
   (finite logits: the weights are small and eps is in (0, 1)). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include <math.h>

#define TL 1
#define TC 8
#define TT 4
#define TV 8
#define TI 32

static unsigned char *img;
static size_t img_size;
static void free_image(void) { free(img); img = NULL; }

static void build_image(void) {
    static const struct { const char *name; int d0, d1; float base; } spec[] = {
        { "transformer.h.0.attn.c_attn.bias", 3 * TC, 0, 0 }, { "transformer.h.0.attn.c_attn.weight", TC, 3 * TC, 0 },
        { "transformer.h.0.attn.c_proj.bias", TC, 0, 0 }, { "transformer.h.0.attn.c_proj.weight", TC, TC, 0 },
        { "transformer.h.0.ln_1.bias", TC, 0, 0 }, { "transformer.h.0.ln_1.weight", TC, 0, 1 },
        { "transformer.h.0.ln_2.bias", TC, 0, 0 }, { "transformer.h.0.ln_2.weight", TC, 0, 1 },
        { "transformer.h.0.mlp.c_fc.bias", TI, 0, 0 }, { "transformer.h.0.mlp.c_fc.weight", TC, TI, 0 },
        { "transformer.h.0.mlp.c_proj.bias", TC, 0, 0 }, { "transformer.h.0.mlp.c_proj.weight", TI, TC, 0 },
        { "transformer.ln_f.bias", TC, 0, 0 }, { "transformer.ln_f.weight", TC, 0, 1 },
        { "transformer.wpe.weight", TT, TC, 0 }, { "transformer.wte.weight", TV, TC, 0 },
    };
    char header[4096];
    size_t hl = 0, off = 0, k, i, total = 0, hpad;
    uint32_t rng = 12345;
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (k = 0; k < sizeof spec / sizeof spec[0]; k++) {
        size_t n = (size_t)spec[k].d0 * (size_t)(spec[k].d1 ? spec[k].d1 : 1);
        if (spec[k].d1)
            hl += (size_t)snprintf(header + hl, sizeof header - hl, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%d,%d],\"data_offsets\":[%zu,%zu]}",
                                   spec[k].name, spec[k].d0, spec[k].d1, off, off + 4 * n);
        else
            hl += (size_t)snprintf(header + hl, sizeof header - hl, ",\"%s\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%zu,%zu]}",
                                   spec[k].name, spec[k].d0, off, off + 4 * n);
        off += 4 * n;
    }
    hl += (size_t)snprintf(header + hl, sizeof header - hl, "}");
    FUZZ_CHECK(hl < sizeof header, "header buffer");
    hpad = (8 - (8 + hl) % 8) % 8;
    img_size = 8 + hl + hpad + off;
    img = (unsigned char *)malloc(img_size);
    FUZZ_CHECK(img != NULL, "malloc");
    for (i = 0; i < 8; i++) img[i] = (unsigned char)((hl + hpad) >> (8 * i));
    memcpy(img + 8, header, hl);
    memset(img + 8 + hl, ' ', hpad);
    total = 8 + hl + hpad;
    for (k = 0; k < sizeof spec / sizeof spec[0]; k++) {
        size_t n = (size_t)spec[k].d0 * (size_t)(spec[k].d1 ? spec[k].d1 : 1);
        for (i = 0; i < n; i++) {
            float v;
            rng = rng * 1103515245u + 12345u;
            v = spec[k].base + 0.3f * ((float)(rng >> 8) / 16777216.0f - 0.5f);
            memcpy(img + total, &v, 4);
            total += 4;
        }
    }
    FUZZ_CHECK(total == img_size, "image size");
    atexit(free_image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_model m;
    llm_session s;
    llm_status r;
    if (!img) {
        build_image();
        static const char ok[] = "{\"n_layer\":1,\"n_head\":2,\"n_embd\":8,\"n_positions\":4,\"vocab_size\":8}";
        r = llm_model_load_memory(&m, img, img_size, ok, sizeof ok - 1);   /* the image must load */
        FUZZ_CHECK(r == LLM_OK, "tiny image: %s", llm_model_error(&m));
        llm_model_free(&m);
    }
    r = llm_model_load_memory(&m, img, img_size, (const char *)data, size);
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(llm_model_error(&m));
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_UNSUPPORTED || r == LLM_ERR_SHAPE ||
                   r == LLM_ERR_OUT_OF_MEMORY, "unexpected %s: %s", llm_status_string(r), llm_model_error(&m));
        llm_model_free(&m);
        llm_model_free(&m);
        return 0;
    }
    FUZZ_CHECK(m.config.n_layer == TL && m.config.n_embd == TC && m.config.n_ctx == TT && m.config.n_vocab == TV &&
               m.config.n_inner == TI, "config does not match the image: %d %d %d %d %d", m.config.n_layer,
               m.config.n_embd, m.config.n_ctx, m.config.n_vocab, m.config.n_inner);
    FUZZ_CHECK(m.config.n_head >= 1 && TC % m.config.n_head == 0, "n_head %d", m.config.n_head);
    FUZZ_CHECK(m.config.ln_eps > 0 && m.config.ln_eps < 1, "eps %g", (double)m.config.ln_eps);
    FUZZ_CHECK(m.config.eos_id >= -1, "eos %d", m.config.eos_id);
    r = llm_session_init(&s, &m, NULL);
    FUZZ_CHECK(r == LLM_OK, "session: %s", llm_session_error(&s));
    {
        int32_t ids[3] = { 0, TV - 1, 3 };
        const float *lg;
        int i;
        llm_generate_options go;
        llm_generation g;
        r = llm_session_eval(&s, ids, 3, NULL);
        FUZZ_CHECK(r == LLM_OK, "eval: %s", llm_session_error(&s));
        lg = llm_session_logits(&s);
        FUZZ_CHECK(lg != NULL, "logits");
        for (i = 0; i < TV; i++) FUZZ_CHECK(isfinite(lg[i]), "logit %d = %g", i, (double)lg[i]);
        llm_session_reset(&s);
        memset(&go, 0, sizeof go);
        go.max_new_tokens = 2;
        r = llm_generate(&s, ids, 2, &go, &g);
        FUZZ_CHECK(r == LLM_OK && g.n_seqs == 1 && g.seqs[0].n_ids >= 3 && g.seqs[0].n_ids <= 4, "generate: %s", llm_session_error(&s));
        llm_generation_free(&g);
    }
    llm_session_free(&s);
    llm_model_free(&m);
    llm_model_free(&m);
    return 0;
}
