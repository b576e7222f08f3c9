/* Classifier heads, hidden states and pooled embeddings against the
   PyTorch reference (tools/reference/make_head_fixtures.py wrote
   tests/data/heads/<name>/reference.safetensors from Hugging Face's
   definitions), on one multi-sequence decode per fixture; and hostile
   configs refused with a status and a message.
   Tolerance: 1e-4 absolute + 1e-4 relative. The reference runs in float64
   on the f32 weights; llm.h computes in f32 (sums of 16 to 64 products on
   these 16-wide models: rounding differences of a few 1e-6). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#define DIR "tests/data/heads/"
#define TOL(a, b) (fabs((double)(a) - (double)(b)) <= 1e-4 + 1e-4 * fabs((double)(b)))

typedef struct ref {
    llm_safetensors st;
    int P, T;
    const float *ids, *len;
} ref;

static const float *ref_get(ref *r, const char *name) {
    const llm_tensor *t = llm_safetensors_find(&r->st, name);
    return t && t->dtype == LLM_DTYPE_F32 ? (const float *)t->data : NULL;
}

static int ref_open(ref *r, const char *name) {
    char path[256];
    const llm_tensor *t;
    snprintf(path, sizeof path, DIR "%s/reference.safetensors", name);
    if (llm_safetensors_open(&r->st, path) != LLM_OK) { printf("cannot read %s\n", path); return 0; }
    t = llm_safetensors_find(&r->st, "ids");
    if (!t || t->ndim != 2) return 0;
    r->P = (int)t->shape[0];
    r->T = (int)t->shape[1];
    r->ids = (const float *)t->data;
    r->len = ref_get(r, "len");
    return r->len != NULL;
}

/* All P prompts as one batch, prompt i in slot i (contiguous rows). */
static size_t make_batch(const ref *r, int32_t *tok, int32_t *seq) {
    size_t n = 0;
    int i, t;
    for (i = 0; i < r->P; i++)
        for (t = 0; t < (int)r->len[i]; t++) { tok[n] = (int32_t)r->ids[i * r->T + t]; seq[n] = i; n++; }
    return n;
}

static void test_fixture(const char *name, int head, int n_labels, int problem, int max_batch) {
    llm_model m;
    llm_session s;
    llm_session_options so;
    ref r;
    char path[256];
    int32_t tok[256], seq[256];
    float *hidden, out[8 * 16 * 8], pr[8];
    const float *lg, *pb;
    size_t n, C;
    int i, t, k, bad = 0;
    llm_batch b;
    memset(&r, 0, sizeof r);
    snprintf(path, sizeof path, DIR "%s", name);
    if (llm_model_load(&m, path, NULL) != LLM_OK) { CHECK(0, "%s: %s", name, llm_model_error(&m)); return; }
    CHECK(m.config.head == head && m.config.num_labels == n_labels && m.config.problem_type == problem,
          "%s: head %d labels %d problem %d", name, m.config.head, m.config.num_labels, m.config.problem_type);
    if (!ref_open(&r, name)) { CHECK(0, "%s: reference", name); llm_model_free(&m); return; }
    memset(&so, 0, sizeof so);
    so.n_seq_max = r.P;
    so.max_batch = max_batch;
    CHECK(llm_session_init(&s, &m, &so) == LLM_OK, "%s: session", name);
    C = (size_t)m.config.n_embd;
    n = make_batch(&r, tok, seq);
    memset(&b, 0, sizeof b);
    b.n = n; b.token = tok; b.seq = seq;
    /* a classifier has no next-token logits: refused, nothing changes */
    CHECK(llm_session_decode(&s, &b) == LLM_ERR_UNSUPPORTED && strstr(llm_session_error(&s), "no next-token logits"),
          "%s: decode: %s", name, llm_session_error(&s));
    CHECK(llm_session_seq_len(&s, 0) == 0, "%s: refused decode changed slot 0", name);
    CHECK(llm_session_eval(&s, tok, 2, NULL) == LLM_ERR_UNSUPPORTED, "%s: eval", name);
    {
        llm_generate_options go;
        llm_generation g;
        memset(&go, 0, sizeof go);
        memset(&g, 0, sizeof g);
        go.max_new_tokens = 2;
        CHECK(llm_generate(&s, tok, 2, &go, &g) == LLM_ERR_UNSUPPORTED, "%s: generate: %s", name,
              llm_session_error(&s));
        llm_generation_free(&g);
    }
    hidden = (float *)malloc(n * C * sizeof(float));
    CHECK(llm_session_decode_hidden(&s, &b, hidden) == LLM_OK, "%s: decode_hidden: %s", name, llm_session_error(&s));
    CHECK(llm_session_logits(&s) == NULL, "%s: logits after decode_hidden", name);
    lg = ref_get(&r, "logits");
    pb = ref_get(&r, "probs");
    for (i = 0; i < r.P && lg && pb; i++) {
        size_t row0 = 0;
        int L = (int)r.len[i];
        for (k = 0; k < i; k++) row0 += (size_t)r.len[k];
        if (head == LLM_HEAD_SEQ_CLS) {
            long row = llm_batch_cls_row(&m, &b, i);
            CHECK(row >= (long)row0 && row < (long)(row0 + (size_t)L), "%s: prompt %d: row %ld", name, i, row);
            if (row < 0) continue;
            CHECK(llm_session_head(&s, hidden + (size_t)row * C, 1, out) == LLM_OK, "%s: head", name);
            CHECK(llm_head_probs(&m, out, pr) == LLM_OK, "%s: probs", name);
            for (k = 0; k < n_labels; k++) {
                if (!TOL(out[k], lg[i * n_labels + k]) || !TOL(pr[k], pb[i * n_labels + k])) bad++;
                CHECK(TOL(out[k], lg[i * n_labels + k]), "%s: prompt %d label %d: logit %.7g, reference %.7g", name,
                      i, k, out[k], lg[i * n_labels + k]);
                CHECK(TOL(pr[k], pb[i * n_labels + k]), "%s: prompt %d label %d: prob %.7g, reference %.7g", name, i,
                      k, pr[k], pb[i * n_labels + k]);
            }
        } else {
            CHECK(llm_session_head(&s, hidden + row0 * C, (size_t)L, out) == LLM_OK, "%s: head", name);
            for (t = 0; t < L; t++) {
                const float *want = lg + ((size_t)i * r.T + t) * n_labels, *wp = pb + ((size_t)i * r.T + t) * n_labels;
                CHECK(llm_head_probs(&m, out + t * n_labels, pr) == LLM_OK, "%s: probs", name);
                for (k = 0; k < n_labels; k++)
                    CHECK(TOL(out[t * n_labels + k], want[k]) && TOL(pr[k], wp[k]),
                          "%s: prompt %d position %d label %d: %.7g / %.7g, reference %.7g / %.7g", name, i, t, k,
                          out[t * n_labels + k], pr[k], want[k], wp[k]);
            }
        }
    }
    CHECK(lg && pb, "%s: reference logits / probs", name);
    /* hidden states and pooled embeddings (seqcls-2's reference has them) */
    if (ref_get(&r, "hidden")) {
        const float *h = ref_get(&r, "hidden");
        const char *names[4] = { "mean", "last", "mean_norm", "last_norm" };
        float *pool = (float *)malloc(C * sizeof(float));
        int j;
        size_t row = 0;
        for (i = 0; i < r.P; i++)
            for (t = 0; t < (int)r.len[i]; t++, row++)
                for (k = 0; k < (int)C; k++)
                    CHECK(TOL(hidden[row * C + k], h[((size_t)i * r.T + t) * C + k]),
                          "%s: hidden prompt %d position %d [%d]: %.7g, reference %.7g", name, i, t, k,
                          hidden[row * C + k], h[((size_t)i * r.T + t) * C + k]);
        for (j = 0; j < 4; j++) {
            const float *want = ref_get(&r, names[j]);
            for (i = 0; i < r.P && want; i++) {
                CHECK(llm_pool_rows(hidden, C, &b, i, j & 1 ? LLM_POOL_LAST : LLM_POOL_MEAN, j >= 2, pool) == LLM_OK,
                      "%s: pool", name);
                for (k = 0; k < (int)C; k++)
                    CHECK(TOL(pool[k], want[(size_t)i * C + k]), "%s: %s prompt %d [%d]: %.7g, reference %.7g", name,
                          names[j], i, k, pool[k], want[(size_t)i * C + k]);
            }
            CHECK(want != NULL, "%s: reference %s", name, names[j]);
        }
        CHECK(llm_pool_rows(hidden, C, &b, r.P + 3, LLM_POOL_MEAN, 0, pool) == LLM_ERR_INVALID_ARG, "pool: empty slot");
        free(pool);
    }
    (void)bad;
    free(hidden);
    llm_session_free(&s);
    llm_safetensors_close(&r.st);
    llm_model_free(&m);
}

/* seqcls-2's weights (score [2, 16], vocab 301) with config text cfg. */
static llm_status load_cfg(llm_model *m, const char *st, size_t st_len, const char *extra) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "{\"model_type\": \"gpt2\", \"n_embd\": 16, \"n_head\": 2, \"n_layer\": 2, "
             "\"n_positions\": 32, \"vocab_size\": 301%s}", extra);
    return llm_model_load_memory(m, st, st_len, cfg, strlen(cfg));
}

static void test_configs(void) {
    size_t len;
    char *st = test_read_file(DIR "seqcls-2/model.safetensors", &len);
    llm_model m;
    static const struct { const char *extra; llm_status want; const char *msg; } bad[] = {
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"num_labels\": 0", LLM_ERR_FORMAT,
          "num_labels" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"num_labels\": 1000000000", LLM_ERR_LIMIT,
          "num_labels" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"num_labels\": 3", LLM_ERR_SHAPE,
          "score.weight" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"num_labels\": 2, "
          "\"id2label\": {\"0\": \"a\", \"1\": \"b\", \"2\": \"c\"}", LLM_ERR_FORMAT, "id2label" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"id2label\": {\"0\": \"a\", \"5\": \"b\"}",
          LLM_ERR_FORMAT, "id2label" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"id2label\": {\"0\": \"a\", \"0\": \"b\"}",
          LLM_ERR_FORMAT, "id2label" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"id2label\": {\"0\": \"a\", \"1\": 7}",
          LLM_ERR_FORMAT, "id2label" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"label2id\": {\"a\": 0, \"b\": 9}",
          LLM_ERR_FORMAT, "label2id" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"problem_type\": \"ranking\"", LLM_ERR_FORMAT,
          "problem_type" },
        { ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"pad_token_id\": 400", LLM_ERR_FORMAT,
          "pad_token_id" },
        { ", \"architectures\": [\"GPT2ForTokenClassification\"]", LLM_ERR_SHAPE, "classifier.weight" },
        { ", \"architectures\": [\"BertForMaskedLM\"]", LLM_ERR_UNSUPPORTED, "BertForMaskedLM" },
        { ", \"architectures\": \"GPT2LMHeadModel\"", LLM_ERR_FORMAT, "architectures" },
        { ", \"architectures\": [\"GPT2LMHeadModel\", \"GPT2ForSequenceClassification\"]", LLM_ERR_UNSUPPORTED,
          "architectures" }
    };
    size_t i;
    if (!st) { CHECK(0, "cannot read seqcls-2"); return; }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        llm_status r = load_cfg(&m, st, len, bad[i].extra);
        CHECK(r == bad[i].want && strstr(llm_model_error(&m), bad[i].msg), "config %zu: status %d (want %d): %s",
              i, (int)r, (int)bad[i].want, llm_model_error(&m));
        if (r == LLM_OK) llm_model_free(&m);
    }
    /* HF's defaults: 2 labels LABEL_0 / LABEL_1, single-label */
    CHECK(load_cfg(&m, st, len, ", \"architectures\": [\"GPT2ForSequenceClassification\"]") == LLM_OK, "defaults: %s",
          llm_model_error(&m));
    CHECK(m.config.num_labels == 2 && m.config.problem_type == LLM_PROBLEM_SINGLE_LABEL && m.config.pad_id == -1 &&
          !strcmp(llm_model_label(&m, 1), "LABEL_1") && llm_model_label(&m, 2) == NULL &&
          llm_model_label_id(&m, "LABEL_0") == 0 && llm_model_label_id(&m, "x") == -1, "defaults");
    llm_model_free(&m);
    /* num_labels from id2label; explicit regression with 2 labels */
    CHECK(load_cfg(&m, st, len, ", \"architectures\": [\"GPT2ForSequenceClassification\"], \"problem_type\": "
                   "\"regression\", \"id2label\": {\"1\": \"hi\", \"0\": \"lo\\u00e9\"}") == LLM_OK, "id2label: %s",
          llm_model_error(&m));
    CHECK(m.config.num_labels == 2 && m.config.problem_type == LLM_PROBLEM_REGRESSION &&
          !strcmp(llm_model_label(&m, 0), "lo\xc3\xa9") && llm_model_label_id(&m, "hi") == 1, "id2label read");
    llm_model_free(&m);
    /* no architectures, or the LM head: as before (wte tied), no labels */
    CHECK(load_cfg(&m, st, len, "") == LLM_OK && m.config.head == LLM_HEAD_LM && m.config.num_labels == 0 &&
          llm_model_label(&m, 0) == NULL, "LM default: %s", llm_model_error(&m));
    {
        llm_session s;
        float h[16], o[4];
        llm_batch b;
        int32_t ids[2] = { 3, 4 };
        memset(&b, 0, sizeof b);
        b.n = 2; b.token = ids;
        CHECK(llm_session_init(&s, &m, NULL) == LLM_OK, "LM session");
        CHECK(llm_session_decode_hidden(&s, &b, NULL) == LLM_ERR_INVALID_ARG, "NULL hidden");
        b.n = 1;
        CHECK(llm_session_decode_hidden(&s, &b, h) == LLM_OK, "LM hidden: %s", llm_session_error(&s));
        CHECK(llm_session_head(&s, h, 1, o) == LLM_ERR_UNSUPPORTED && strstr(llm_session_error(&s), "GPT2LMHeadModel"),
              "LM head: %s", llm_session_error(&s));
        CHECK(llm_head_probs(&m, o, o) == LLM_ERR_INVALID_ARG, "LM probs");
        llm_session_free(&s);
    }
    llm_model_free(&m);
    free(st);
}

int main(void) {
    test_fixture("seqcls-2", LLM_HEAD_SEQ_CLS, 2, LLM_PROBLEM_SINGLE_LABEL, 64);
    test_fixture("seqcls-2", LLM_HEAD_SEQ_CLS, 2, LLM_PROBLEM_SINGLE_LABEL, 5);
    test_fixture("seqcls-5-pad", LLM_HEAD_SEQ_CLS, 5, LLM_PROBLEM_MULTI_LABEL, 64);
    test_fixture("seqcls-5-pad", LLM_HEAD_SEQ_CLS, 5, LLM_PROBLEM_MULTI_LABEL, 3);
    test_fixture("seqcls-1", LLM_HEAD_SEQ_CLS, 1, LLM_PROBLEM_REGRESSION, 64);
    test_fixture("tokcls-3", LLM_HEAD_TOKEN_CLS, 3, LLM_PROBLEM_SINGLE_LABEL, 64);
    test_fixture("tokcls-3", LLM_HEAD_TOKEN_CLS, 3, LLM_PROBLEM_SINGLE_LABEL, 4);
    test_configs();
    return test_summary("test_heads");
}
