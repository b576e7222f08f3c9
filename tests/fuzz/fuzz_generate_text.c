/* Fuzz target: llm_generate_text end to end: prompt text, stop strings and
   sampling options from the input, on a small model built in memory with a
   small tokenizer (the 256 byte tokens, a few merges, <|endoftext|>; built
   in memory too) attached, as llm_model_load does for a folder with
   tokenizer files. Input: 4 option bytes, then the prompt up to the first
   NUL byte, then up to 4 NUL-separated stop strings.
   The model's vocabulary is FUZZ_PAD_VOCAB ids larger than the
   tokenizer's (default 7), as in checkpoints whose embedding matrix is
   padded (e.g. 50304 rows for GPT-2's 50257 tokens): llm_model_load accepts
   such a model with its tokenizer, so generation must cope with sampled
   ids that are not tokens.
   Checks: the status; each sequence's ids in range and starting with the
   prompt's encoding; its text is the decoding of the generated ids (less
   the end-of-text token when that stopped it) and what on_text streamed;
   the stop reason agrees with the ids, the text and the limits. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "../st_builder.h"

#ifndef FUZZ_PAD_VOCAB
#define FUZZ_PAD_VOCAB 7
#endif
#define N_CTX 48

static llm_model model;
static unsigned char *image;
static int ready;

static const char merges[] = "#version: 0.2\nh e\nl l\nhe ll\nhell o\n\xc4\xa0 t\n\xc4\xa0t he\nc a\nca t\n\xc4\xa0 \xc4\xa0\n";
static const char *const merged[] = { "he", "ll", "hell", "hello", "\\u0120t", "\\u0120the", "ca", "cat",
                                      "\\u0120\\u0120", "<|endoftext|>" };

/* GPT-2 image: n_layer 1, n_embd 8, n_head 2 (metadata), N_CTX positions, V rows */
static unsigned char *make_image(int V, size_t *size) {
    st_tensor spec[ST_GPT2_TENSORS];
    unsigned char *img;
    st_gpt2_one_layer(spec, 8, 16, N_CTX, V);
    img = st_image_f32(spec, ST_GPT2_TENSORS, "", "\"n_head\":\"2\"", 4242, 1.0f, size);
    FUZZ_CHECK(img != NULL, "image");
    return img;
}

static void teardown(void) { llm_model_free(&model); free(image); image = NULL; }

static void setup(void) {
    size_t vl, size;
    int V;
    char *vocab = st_byte_vocab(merged, sizeof merged / sizeof merged[0], &vl, &V);
    llm_status r;
    FUZZ_CHECK(vocab != NULL, "vocab");
    image = make_image(V + FUZZ_PAD_VOCAB, &size);
    r = llm_model_load_memory(&model, image, size, NULL, 0);
    FUZZ_CHECK(r == LLM_OK, "model: %s", llm_model_error(&model));
    r = llm_tokenizer_load_memory(&model.tokenizer, vocab, vl, merges, sizeof merges - 1);
    FUZZ_CHECK(r == LLM_OK && llm_tokenizer_vocab_size(&model.tokenizer) == (size_t)V, "tokenizer: %s", llm_tokenizer_error(&model.tokenizer));
    model.has_tokenizer = 1;
    free(vocab);
    atexit(teardown);
    ready = 1;
}

typedef struct { char *buf[4]; size_t len[4], cap[4]; } streamed;

static int on_text(void *user, int seq, const char *text, size_t len) {
    streamed *st = (streamed *)user;
    FUZZ_CHECK(seq >= 0 && seq < 4 && len > 0, "on_text(%d, %zu)", seq, len);
    if (st->len[seq] + len > st->cap[seq]) {
        size_t nc = 2 * (st->len[seq] + len);
        char *nb = (char *)realloc(st->buf[seq], nc);
        FUZZ_CHECK(nb != NULL, "realloc");
        st->buf[seq] = nb; st->cap[seq] = nc;
    }
    memcpy(st->buf[seq] + st->len[seq], text, len);
    st->len[seq] += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_session s;
    llm_generate_options go;
    llm_generation g;
    llm_status r;
    const llm_tokenizer *tok;
    char *prompt, *stop_buf = NULL;
    const char *stops[5];
    int n_stops = 0, k;
    size_t plen, i, n_prompt = 0;
    int32_t *pids;
    streamed st;
    unsigned V;
    if (!ready) setup();
    tok = &model.tokenizer;
    V = (unsigned)model.config.n_vocab;
    if (size < 4) return 0;
    memset(&go, 0, sizeof go);
    go.sampler.temperature = (data[0] & 3) == 0 ? 0.0f : (data[0] & 3) == 1 ? 0.5f : (data[0] & 3) == 2 ? 1.0f : 3.0f;
    go.sampler.top_k = (data[0] >> 2) & 7;
    go.sampler.top_p = (data[0] & 32) ? 0.7f : 0.0f;
    go.sampler.min_p = (data[0] & 64) ? 0.05f : 0.0f;
    go.sampler.repetition_penalty = (data[0] & 128) ? 1.5f : 0.0f;
    go.sampler.seed = data[1];
    go.num_return_sequences = 1 + data[2] % 3;
    go.max_new_tokens = data[3] % 40;                 /* 0: until EOS or the context is full */
    go.max_length = (data[2] & 64) ? 20 : 0;
    go.ignore_eos = (data[2] >> 2) & 1;
    go.encode_flags = (data[2] >> 3) & 1 ? LLM_TOKENIZE_SPECIAL : 0;
    data += 4; size -= 4;
    /* prompt, then stop strings */
    for (plen = 0; plen < size && data[plen]; plen++) {}
    prompt = (char *)malloc(plen + 1);
    FUZZ_CHECK(prompt != NULL, "malloc");
    memcpy(prompt, data, plen);
    prompt[plen] = 0;
    if (plen < size) {
        size_t rest = size - plen - 1, a = 0;
        stop_buf = (char *)malloc(rest + 1);
        FUZZ_CHECK(stop_buf != NULL, "malloc");
        memcpy(stop_buf, data + plen + 1, rest);
        stop_buf[rest] = 0;
        while (a < rest && n_stops < 4) {
            size_t e = a;
            while (e < rest && stop_buf[e]) e++;
            if (e > a) stops[n_stops++] = stop_buf + a;
            a = e + 1;
        }
        stops[n_stops] = NULL;
        if (n_stops) go.stop_strings = stops;
    }
    memset(&st, 0, sizeof st);
    go.on_text = on_text;
    go.user = &st;

    pids = (int32_t *)malloc((plen + 1) * sizeof(int32_t));
    FUZZ_CHECK(pids != NULL, "malloc");
    r = llm_tokenizer_encode(tok, prompt, plen, go.encode_flags, pids, plen + 1, &n_prompt);
    FUZZ_CHECK(r == LLM_OK, "encode: %s", llm_status_string(r));

    r = llm_session_init(&s, &model, NULL);
    FUZZ_CHECK(r == LLM_OK, "session: %s", llm_session_error(&s));
    r = llm_generate_text(&s, prompt, &go, &g);
    fuzz_check_msg(llm_session_error(&s));
    if (n_prompt == 0) FUZZ_CHECK(r == LLM_ERR_INVALID_ARG, "empty prompt: %s", llm_status_string(r));
    else if (n_prompt > N_CTX) FUZZ_CHECK(r == LLM_ERR_CONTEXT_FULL, "%zu prompt tokens: %s", n_prompt, llm_status_string(r));
    else FUZZ_CHECK(r == LLM_OK, "generate (%zu prompt tokens): %s: %s", n_prompt, llm_status_string(r), llm_session_error(&s));
    if (r == LLM_OK) {
        int32_t eos = llm_tokenizer_eot(tok);
        FUZZ_CHECK(g.n_seqs == go.num_return_sequences, "%d sequences", g.n_seqs);
        for (k = 0; k < g.n_seqs; k++) {
            const llm_sequence *q = &g.seqs[k];
            size_t n_gen = q->n_ids - q->n_prompt, n_dec = n_gen, nb = 0, want_max;
            char *dec;
            FUZZ_CHECK(q->n_prompt == n_prompt && !memcmp(q->ids, pids, n_prompt * sizeof(int32_t)), "sequence %d: prompt ids", k);
            for (i = 0; i < q->n_ids; i++) FUZZ_CHECK(q->ids[i] >= 0 && (unsigned)q->ids[i] < V, "id %d", (int)q->ids[i]);
            /* the limit: max_new_tokens, and max_length counting the prompt (HF) */
            want_max = go.max_new_tokens ? (size_t)go.max_new_tokens : (size_t)-1;
            if (go.max_length) {
                size_t room = (size_t)go.max_length > n_prompt ? (size_t)go.max_length - n_prompt : 0;
                if (room < want_max) want_max = room;
            }
            if (want_max == 0) FUZZ_CHECK(n_gen == 0 && q->stop == LLM_STOP_LENGTH, "sequence %d: %zu tokens past max_length", k, n_gen);
            else FUZZ_CHECK(n_gen >= 1 && n_gen <= want_max, "sequence %d: %zu tokens generated, limit %zu", k, n_gen, want_max);
            if (q->stop == LLM_STOP_LENGTH) FUZZ_CHECK(n_gen == want_max, "sequence %d: length stop after %zu of %zu", k, n_gen, want_max);
            FUZZ_CHECK(n_prompt + n_gen <= N_CTX + 1, "sequence %d: %zu ids", k, q->n_ids);
            if (q->stop == LLM_STOP_EOS) { FUZZ_CHECK(!go.ignore_eos && q->ids[q->n_ids - 1] == eos, "EOS stop"); n_dec--; }
            else if (!go.ignore_eos) for (i = n_prompt; i < q->n_ids; i++) FUZZ_CHECK(q->ids[i] != eos, "end of text at %zu without an EOS stop", i);
            FUZZ_CHECK(q->stop == LLM_STOP_EOS || q->stop == LLM_STOP_STRING || q->stop == LLM_STOP_LENGTH || q->stop == LLM_STOP_CONTEXT_FULL,
                       "sequence %d: stop %d", k, (int)q->stop);
            if (q->stop == LLM_STOP_CONTEXT_FULL) FUZZ_CHECK(n_prompt + n_gen == N_CTX + 1, "context-full stop at %zu ids", q->n_ids);
            /* the text: exactly the generated ids' bytes */
            FUZZ_CHECK(q->text != NULL && q->text[q->text_len] == 0, "sequence %d: text", k);
            dec = (char *)malloc(n_dec * LLM_TOKENIZER_MAX_TOKEN_BYTES + 1);   /* n_dec may be 0 */
            FUZZ_CHECK(dec != NULL, "malloc");
            /* ids the model has but the tokenizer lacks (a padded
               vocabulary) have no text: decode the others */
            {
                size_t cnt = 0, tv = llm_tokenizer_vocab_size(tok);
                int32_t *known = (int32_t *)malloc((n_dec + 1) * sizeof(int32_t));
                FUZZ_CHECK(known != NULL, "malloc");
                for (i = 0; i < n_dec; i++) {
                    int32_t id = q->ids[n_prompt + i];
                    if ((size_t)id < tv && llm_tokenizer_token(tok, id, NULL)) known[cnt++] = id;
                }
                r = llm_tokenizer_decode(tok, known, cnt, dec, n_dec * LLM_TOKENIZER_MAX_TOKEN_BYTES + 1, &nb);
                free(known);
            }
            FUZZ_CHECK(r == LLM_OK, "decode: %s", llm_status_string(r));
            FUZZ_CHECK(nb == q->text_len && !memcmp(dec, q->text, nb), "sequence %d: text is not the decoded ids (%zu vs %zu bytes)", k, q->text_len, nb);
            FUZZ_CHECK(st.len[k] == q->text_len && (!nb || !memcmp(st.buf[k], q->text, nb)), "sequence %d: streamed text differs", k);
            if (q->stop == LLM_STOP_STRING) {
                int hit = 0, j;
                for (j = 0; j < n_stops; j++) {
                    size_t sl = strlen(stops[j]);
                    for (i = 0; i + sl <= q->text_len && !hit; i++) hit = !memcmp(q->text + i, stops[j], sl);
                }
                FUZZ_CHECK(hit, "sequence %d: stop-string stop, but no stop string in the text", k);
            }
            free(dec);
        }
    }
    llm_generation_free(&g);
    llm_session_free(&s);
    for (k = 0; k < 4; k++) free(st.buf[k]);
    free(pids);
    free(prompt);
    free(stop_buf);
    return 0;
}
