/* Every public function with NULL in each pointer argument, and every
   *_free on a zeroed, never-initialised object (twice): no crash, a status
   (LLM_ERR_INVALID_ARG where there is one) and a readable message. Run
   under ASan + UBSan by make sanitize. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

static int bad(llm_status r) { return r == LLM_ERR_INVALID_ARG; }

static void test_null_arguments(void) {
    llm_model m;
    llm_session s;
    llm_tokenizer t;
    llm_sampler smp;
    llm_safetensors st;
    llm_generation g;
    llm_decoder d;
    llm_sampler_options so;
    llm_generate_options go;
    int32_t ids[4] = { 1, 2, 3, 4 }, id;
    size_t n, peak, kept;
    char buf[64] = { 0 };
    float lg[4] = { 0, 1, 2, 3 };
    memset(&so, 0, sizeof so);
    memset(&go, 0, sizeof go);
    /* objects */
    CHECK(bad(llm_arena_init(NULL, buf, sizeof buf)), "arena_init(NULL)");
    CHECK(bad(llm_safetensors_open_memory(NULL, buf, 8)), "st_open_memory(NULL st)");
    CHECK(llm_safetensors_open_memory(&st, NULL, 8) != LLM_OK, "st_open_memory(NULL data)");
    llm_safetensors_close(&st);
    CHECK(llm_safetensors_open_memory_arena(&st, buf, 8, NULL) != LLM_OK, "st_open_memory_arena(NULL arena)");
    llm_safetensors_close(&st);
    CHECK(bad(llm_safetensors_open(NULL, "x")), "st_open(NULL st)");
    CHECK(bad(llm_safetensors_open(&st, NULL)), "st_open(NULL path)");
    llm_safetensors_close(&st);
    CHECK(llm_safetensors_find(NULL, "x") == NULL, "st_find(NULL)");
    memset(&st, 0, sizeof st);
    CHECK(llm_safetensors_find(&st, NULL) == NULL, "st_find(NULL name)");
    CHECK(llm_safetensors_metadata(NULL, "x") == NULL && llm_safetensors_metadata(&st, NULL) == NULL,
          "st_metadata(NULL)");
    CHECK(llm_safetensors_error(NULL) != NULL, "st_error(NULL)");
    /* model */
    CHECK(bad(llm_model_load(NULL, "x", NULL)), "model_load(NULL)");
    CHECK(bad(llm_model_load(&m, NULL, NULL)), "model_load(NULL path)");
    llm_model_free(&m);
    CHECK(bad(llm_model_load_memory(NULL, buf, 8, NULL, 0)), "model_load_memory(NULL)");
    CHECK(llm_model_load_memory(&m, NULL, 8, NULL, 0) != LLM_OK, "model_load_memory(NULL data)");
    llm_model_free(&m);
    CHECK(llm_model_load_memory_arena(&m, buf, 8, NULL, 0, NULL) != LLM_OK, "model_load_memory_arena(NULL arena)");
    llm_model_free(&m);
    CHECK(llm_model_heap_size(NULL, 8, NULL, 0, &peak, &kept) != LLM_OK, "model_heap_size(NULL data)");
    CHECK(llm_model_heap_size(buf, 8, NULL, 0, NULL, NULL) != LLM_OK, "model_heap_size(NULL peak)");
    CHECK(llm_model_error(NULL) != NULL, "model_error(NULL)");
    /* session */
    CHECK(bad(llm_session_init(NULL, NULL, NULL)), "session_init(NULL)");
    CHECK(bad(llm_session_init(&s, NULL, NULL)), "session_init(NULL model)");
    llm_session_free(&s);
    CHECK(llm_session_init_arena(&s, NULL, NULL, NULL) != LLM_OK, "session_init_arena(NULL)");
    llm_session_free(&s);
    CHECK(bad(llm_session_heap_size(NULL, NULL, &n, NULL)), "session_heap_size(NULL config)");
    CHECK(llm_session_eval(NULL, ids, 1, NULL) != LLM_OK, "session_eval(NULL)");
    memset(&s, 0, sizeof s);
    CHECK(bad(llm_session_eval(&s, ids, 1, NULL)), "session_eval(zeroed session)");
    CHECK(llm_session_logits(NULL) == NULL && llm_session_logits(&s) == NULL, "session_logits");
    CHECK(bad(llm_session_copy(NULL, &s)) && bad(llm_session_copy(&s, NULL)), "session_copy(NULL)");
    llm_session_reset(NULL);
    CHECK(llm_session_error(NULL) != NULL, "session_error(NULL)");
    /* tokenizer */
    CHECK(bad(llm_tokenizer_load(NULL, "x")), "tokenizer_load(NULL)");
    CHECK(bad(llm_tokenizer_load(&t, NULL)), "tokenizer_load(NULL path)");
    llm_tokenizer_free(&t);
    CHECK(bad(llm_tokenizer_load_files(&t, NULL, "x")), "tokenizer_load_files(NULL)");
    llm_tokenizer_free(&t);
    CHECK(llm_tokenizer_load_memory(&t, NULL, 4, NULL, 4) != LLM_OK, "tokenizer_load_memory(NULL)");
    llm_tokenizer_free(&t);
    CHECK(bad(llm_tokenizer_load_memory(NULL, "{}", 2, "", 0)), "tokenizer_load_memory(NULL t)");
    CHECK(llm_tokenizer_load_memory_arena(&t, "{}", 2, "", 0, NULL) != LLM_OK, "tokenizer_load_memory_arena(NULL a)");
    llm_tokenizer_free(&t);
    CHECK(llm_tokenizer_heap_size(NULL, 4, NULL, 4, &peak, &kept) != LLM_OK, "tokenizer_heap_size(NULL)");
    CHECK(llm_tokenizer_load_json_memory(&t, NULL, 4) != LLM_OK, "tokenizer_load_json_memory(NULL)");
    llm_tokenizer_free(&t);
    CHECK(llm_tokenizer_vocab_size(NULL) == 0 && llm_tokenizer_eot(NULL) == -1, "tokenizer_vocab_size/eot(NULL)");
    memset(&t, 0, sizeof t);
    CHECK(llm_tokenizer_vocab_size(&t) == 0 && llm_tokenizer_eot(&t) == -1, "tokenizer_vocab_size/eot(zeroed)");
    CHECK(llm_tokenizer_token(NULL, 0, &n) == NULL && llm_tokenizer_token(&t, 0, NULL) == NULL,
          "tokenizer_token(NULL)");
    CHECK(llm_tokenizer_encode(NULL, "a", 1, 0, ids, 4, &n) != LLM_OK, "encode(NULL)");
    CHECK(llm_tokenizer_encode(&t, "a", 1, 0, ids, 4, &n) != LLM_OK, "encode(zeroed)");
    CHECK(llm_tokenizer_decode(NULL, ids, 1, buf, sizeof buf, &n) != LLM_OK, "decode(NULL)");
    CHECK(llm_tokenizer_decode(&t, ids, 1, buf, sizeof buf, &n) != LLM_OK, "decode(zeroed)");
    CHECK(llm_tokenizer_error(NULL) != NULL, "tokenizer_error(NULL)");
    llm_decoder_init(NULL);
    llm_decoder_init(&d);
    CHECK(llm_decoder_push(NULL, &t, 0, buf, sizeof buf, &n) != LLM_OK, "decoder_push(NULL)");
    CHECK(llm_decoder_push(&d, NULL, 0, buf, sizeof buf, &n) != LLM_OK, "decoder_push(NULL tokenizer)");
    CHECK(llm_decoder_push(&d, &t, 0, NULL, sizeof buf, &n) != LLM_OK, "decoder_push(NULL out)");
    CHECK(llm_decoder_flush(NULL, buf, sizeof buf) == 0 && llm_decoder_flush(&d, NULL, 8) == 0, "decoder_flush(NULL)");
    /* sampler, rng */
    CHECK(bad(llm_sampler_init(NULL, &so, 4)), "sampler_init(NULL)");
    CHECK(llm_sampler_init(&smp, NULL, 4) == LLM_OK, "sampler_init(NULL options) is the defaults");
    CHECK(bad(llm_sampler_sample(&smp, lg, NULL, 2, &id)), "sampler_sample(NULL history, n 2)");
    CHECK(bad(llm_sampler_sample(&smp, lg, NULL, 0, NULL)), "sampler_sample(NULL id)");
    CHECK(bad(llm_sampler_sample(NULL, lg, NULL, 0, &id)), "sampler_sample(NULL)");
    llm_sampler_free(&smp);
    CHECK(bad(llm_sampler_init_arena(&smp, &so, 4, NULL)), "sampler_init_arena(NULL arena)");
    llm_sampler_free(&smp);
    CHECK(llm_sampler_error(NULL) != NULL, "sampler_error(NULL)");
    llm_rng_seed(NULL, 1);
    CHECK(llm_rng_next(NULL) == 0 && llm_rng_float(NULL) == 0.0f, "rng(NULL)");
    /* generation */
    CHECK(bad(llm_generate(NULL, ids, 1, &go, &g)), "generate(NULL)");
    memset(&s, 0, sizeof s);
    CHECK(bad(llm_generate(&s, ids, 1, &go, NULL)), "generate(NULL out)");
    CHECK(bad(llm_generate(&s, ids, 1, &go, &g)), "generate(zeroed session)");
    llm_generation_free(&g);
    CHECK(bad(llm_generate_text(NULL, "a", &go, &g)), "generate_text(NULL)");
    CHECK(bad(llm_generate_text(&s, NULL, &go, &g)), "generate_text(NULL prompt)");
    CHECK(bad(llm_generate_text(&s, "a", &go, NULL)), "generate_text(NULL out)");
    llm_generation_free(&g);
    llm_generation_free(NULL);
    CHECK(!strncmp(llm_status_string((llm_status)-1), "LLM_", 4), "status_string(-1)");
}

/* every *_free / close on a zeroed object that was never initialised, twice */
static void test_free_zeroed(void) {
    llm_model m;
    llm_session s;
    llm_tokenizer t;
    llm_sampler smp;
    llm_safetensors st;
    llm_generation g;
    int k;
    for (k = 0; k < 2; k++) {
        if (k == 0) { memset(&m, 0, sizeof m); memset(&s, 0, sizeof s); memset(&t, 0, sizeof t);
                      memset(&smp, 0, sizeof smp); memset(&st, 0, sizeof st); memset(&g, 0, sizeof g); }
        llm_model_free(&m);
        llm_session_free(&s);
        llm_tokenizer_free(&t);
        llm_sampler_free(&smp);
        llm_safetensors_close(&st);
        llm_generation_free(&g);
    }
    CHECK(1, "frees of zeroed objects returned");
    /* and the accessors on them */
    CHECK(llm_session_logits(&s) == NULL && llm_tokenizer_vocab_size(&t) == 0 && llm_safetensors_find(&st, "x") == NULL,
          "zeroed objects read as empty");
    CHECK(!strcmp(llm_model_error(&m), "no error") && !strcmp(llm_session_error(&s), "no error"), "zeroed messages");
}

int main(void) {
    test_null_arguments();
    test_free_zeroed();
    return test_summary("test_null");
}
