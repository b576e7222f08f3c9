/* Fuzz target: config.json, through llm_model_load_memory with a fixed,
   valid tiny safetensors image (built in memory by tests/st_builder.h:
   n_layer 1, n_embd 8, n_positions 4, vocab 8, n_inner 32, F32, names
   without a prefix, and the heads score.weight [2, 8], classifier.weight
   [3, 8] + .bias [3]) and the
   fuzzed bytes as the config text. When the load succeeds the config must
   match the image, and a session evaluates a few tokens and generates two
   (finite logits: the weights are small and eps is in (0, 1)); a
   classifier (config.json's architectures) has every label named, refuses
   next-token logits, and its head outputs on the hidden states are finite. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "../st_builder.h"
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
    st_tensor spec[ST_GPT2_TENSORS + 3] = {
        { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 },
        { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 },
        { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 }, { NULL, 0, 0, 0 },
        { NULL, 0, 0, 0 },
        { "score.weight", 2, TC, 0 }, { "classifier.weight", 3, TC, 0 }, { "classifier.bias", 3, 0, 0 }
    };
    st_gpt2_one_layer(spec, TC, TI, TT, TV);
    img = st_image_f32(spec, ST_GPT2_TENSORS + 3, "", "\"format\":\"pt\"", 12345, 0.3f, &img_size);
    FUZZ_CHECK(img != NULL, "image");
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
    if (m.config.head != LLM_HEAD_LM) {
        int32_t ids[3] = { 0, TV - 1, 3 };
        float hidden[3 * TC], out[3 * 3], pr[3];
        llm_batch b;
        int i, N = m.config.num_labels;
        FUZZ_CHECK(N == (m.config.head == LLM_HEAD_SEQ_CLS ? 2 : 3), "num_labels %d", N);
        FUZZ_CHECK(m.config.problem_type >= LLM_PROBLEM_SINGLE_LABEL && m.config.problem_type <= LLM_PROBLEM_REGRESSION,
                   "problem_type %d", m.config.problem_type);
        for (i = 0; i < N; i++) FUZZ_CHECK(llm_model_label(&m, i) != NULL, "label %d", i);
        FUZZ_CHECK(llm_model_label(&m, N) == NULL, "label past num_labels");
        FUZZ_CHECK(llm_session_eval(&s, ids, 3, NULL) == LLM_ERR_UNSUPPORTED, "a classifier's next-token logits");
        memset(&b, 0, sizeof b);
        b.n = 3; b.token = ids;
        r = llm_session_decode_hidden(&s, &b, hidden);
        FUZZ_CHECK(r == LLM_OK, "decode_hidden: %s", llm_session_error(&s));
        FUZZ_CHECK(llm_batch_cls_row(&m, &b, 0) >= 0 && llm_batch_cls_row(&m, &b, 0) < 3, "cls row");
        r = llm_session_head(&s, hidden, 3, out);
        FUZZ_CHECK(r == LLM_OK, "head: %s", llm_session_error(&s));
        FUZZ_CHECK(llm_head_probs(&m, out, pr) == LLM_OK, "probs");
        for (i = 0; i < N; i++) FUZZ_CHECK(isfinite(out[i]) && isfinite(pr[i]), "output %d", i);
        llm_session_free(&s);
        llm_model_free(&m);
        return 0;
    }
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
