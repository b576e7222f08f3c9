/* tests/test_generation_config.c - generation_config.json: what
   llm_generation_config_parse reads (each field, its present flag), what
   it refuses (each field with a wrong type or range), and what
   llm_model_load does with the file (parsed onto the model, never applied;
   a broken file fails the load; no_generation_config skips it). */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#if defined(__unix__) || defined(__APPLE__)
#include <sys/stat.h>
#include <sys/types.h>
#endif

static void expect_bad(const char *text, llm_status want, const char *needle) {
    llm_generation_config g;
    char err[LLM_ERROR_SIZE];
    llm_status r = llm_generation_config_parse(&g, text, strlen(text), err);
    CHECK(r == want, "'%s': got %s, want %s (%s)", text, llm_status_string(r), llm_status_string(want), err);
    CHECK(strstr(err, needle) != NULL, "'%s': message '%s' lacks '%s'", text, err, needle);
    CHECK(!g.present.do_sample && !g.present.top_k && !g.present.eos_ids && !g.n_eos, "'%s': not zeroed", text);
}

int main(void) {
    llm_generation_config g;
    llm_model m;
    llm_model_options o;
    llm_status r;
    char err[LLM_ERROR_SIZE];
    static const char full[] =
        "{\"do_sample\": true, \"temperature\": 0.7, \"top_k\": 5, \"top_p\": 0.9, "
        "\"repetition_penalty\": 1.1, \"max_length\": 6, \"max_new_tokens\": 4, \"num_beams\": 2, "
        "\"eos_token_id\": [3, 4], \"pad_token_id\": 0, \"bos_token_id\": 7, "
        "\"no_repeat_ngram_size\": 3, \"transformers_version\": \"4.27.0\"}";

    r = llm_generation_config_parse(&g, full, sizeof full - 1, err);
    CHECK(r == LLM_OK, "full: %s", err);
    CHECK(g.do_sample == 1 && g.temperature == 0.7f && g.top_k == 5 && g.top_p == 0.9f &&
              g.repetition_penalty == 1.1f && g.max_length == 6 && g.max_new_tokens == 4 && g.num_beams == 2 &&
              g.n_eos == 2 && g.eos_ids[0] == 3 && g.eos_ids[1] == 4 && g.pad_id == 0 && g.bos_id == 7,
          "full: values");
    CHECK(g.present.do_sample && g.present.temperature && g.present.top_k && g.present.top_p &&
          g.present.repetition_penalty && g.present.max_length && g.present.max_new_tokens && g.present.num_beams &&
          g.present.eos_ids && g.present.pad_id && g.present.bos_id, "full: present flags");
    r = llm_generation_config_parse(&g, "{}", 2, NULL);
    CHECK(r == LLM_OK && !g.present.do_sample && !g.present.temperature && !g.present.eos_ids && !g.present.pad_id &&
          !g.present.num_beams, "empty object: nothing present");
    {
        static const char nulls[] = "{\"eos_token_id\": 9, \"do_sample\": null, \"max_new_tokens\": null}";
        r = llm_generation_config_parse(&g, nulls, sizeof nulls - 1, NULL);
    }
    CHECK(r == LLM_OK && g.n_eos == 1 && g.eos_ids[0] == 9 && !g.present.do_sample && !g.present.max_new_tokens,
          "one eos id, nulls absent: %s", llm_status_string(r));
    {
        static const char zeros[] = "{\"eos_token_id\": [], \"top_k\": 0, \"temperature\": 0}";
        r = llm_generation_config_parse(&g, zeros, sizeof zeros - 1, NULL);
    }
    CHECK(r == LLM_OK && !g.present.eos_ids && g.present.top_k && g.top_k == 0 && g.present.temperature,
          "empty eos list, zeros: %s", llm_status_string(r));

    CHECK(llm_generation_config_parse(&g, full, sizeof full - 1, err) == LLM_OK && g.present.no_repeat_ngram_size &&
          g.no_repeat_ngram_size == 3 && !g.present.length_penalty && !g.present.early_stopping, "full: no_repeat");
    {
        static const char beams[] = "{\"num_beams\": 4, \"length_penalty\": -0.5, \"early_stopping\": \"never\"}";
        r = llm_generation_config_parse(&g, beams, sizeof beams - 1, err);
        CHECK(r == LLM_OK && g.num_beams == 4 && g.present.length_penalty && g.length_penalty == -0.5f &&
              g.present.early_stopping && g.early_stopping == 2 && !g.present.no_repeat_ngram_size, "beams: %s", err);
        r = llm_generation_config_parse(&g, "{\"early_stopping\": true, \"no_repeat_ngram_size\": 0}", 51, err);
        CHECK(r == LLM_OK && g.early_stopping == 1 && g.present.no_repeat_ngram_size && !g.no_repeat_ngram_size,
              "early_stopping true: %s", err);
        r = llm_generation_config_parse(&g, "{\"early_stopping\": false}", 25, err);
        CHECK(r == LLM_OK && g.early_stopping == 0 && g.present.early_stopping, "early_stopping false: %s", err);
    }
    expect_bad("{\"early_stopping\": \"always\"}", LLM_ERR_FORMAT, "early_stopping");
    expect_bad("{\"early_stopping\": 1}", LLM_ERR_FORMAT, "early_stopping");
    expect_bad("{\"length_penalty\": \"1\"}", LLM_ERR_FORMAT, "length_penalty");
    expect_bad("{\"length_penalty\": 1e400}", LLM_ERR_FORMAT, "length_penalty");
    expect_bad("{\"no_repeat_ngram_size\": -2}", LLM_ERR_FORMAT, "no_repeat_ngram_size");
    expect_bad("", LLM_ERR_FORMAT, "generation_config.json");
    expect_bad("[]", LLM_ERR_FORMAT, "not a JSON object");
    expect_bad("{\"do_sample\": 1}", LLM_ERR_FORMAT, "do_sample");
    expect_bad("{\"do_sample\": \"true\"}", LLM_ERR_FORMAT, "do_sample");
    expect_bad("{\"top_k\": -1}", LLM_ERR_FORMAT, "top_k");
    expect_bad("{\"top_k\": 2.5}", LLM_ERR_FORMAT, "top_k");
    expect_bad("{\"top_k\": 1073741825}", LLM_ERR_FORMAT, "top_k");
    expect_bad("{\"max_length\": 0}", LLM_ERR_FORMAT, "max_length");
    expect_bad("{\"max_new_tokens\": \"5\"}", LLM_ERR_FORMAT, "max_new_tokens");
    expect_bad("{\"num_beams\": 0}", LLM_ERR_FORMAT, "num_beams");
    expect_bad("{\"temperature\": -0.5}", LLM_ERR_FORMAT, "temperature");
    expect_bad("{\"temperature\": 1e400}", LLM_ERR_FORMAT, "temperature");
    expect_bad("{\"top_p\": 1.5}", LLM_ERR_FORMAT, "top_p");
    expect_bad("{\"top_p\": true}", LLM_ERR_FORMAT, "top_p");
    expect_bad("{\"repetition_penalty\": 0}", LLM_ERR_FORMAT, "repetition_penalty");
    expect_bad("{\"eos_token_id\": -1}", LLM_ERR_FORMAT, "eos_token_id");
    expect_bad("{\"eos_token_id\": [1, \"2\"]}", LLM_ERR_FORMAT, "eos_token_id");
    expect_bad("{\"eos_token_id\": [[1]]}", LLM_ERR_FORMAT, "eos_token_id");
    expect_bad("{\"eos_token_id\": 16777216}", LLM_ERR_FORMAT, "eos_token_id");
    expect_bad("{\"eos_token_id\": [1,2,3,4,5,6,7,8,9]}", LLM_ERR_LIMIT, "eos_token_id");
    expect_bad("{\"pad_token_id\": 1.0}", LLM_ERR_FORMAT, "pad_token_id");
    expect_bad("{\"bos_token_id\": {}}", LLM_ERR_FORMAT, "bos_token_id");
    expect_bad("{\"top_k\": 5", LLM_ERR_FORMAT, "generation_config.json");
    CHECK(llm_generation_config_parse(NULL, "{}", 2, err) == LLM_ERR_INVALID_ARG, "NULL config");
    CHECK(llm_generation_config_parse(&g, NULL, 0, err) == LLM_ERR_INVALID_ARG, "NULL text");

    /* from a folder: parsed onto the model, not applied to anything */
    r = llm_model_load(&m, "tests/data/act-gelu", NULL);
    CHECK(r == LLM_OK && m.has_generation_config && m.generation.present.do_sample && m.generation.do_sample &&
          m.generation.top_k == 5 && m.generation.max_length == 6 && m.generation.n_eos == 1 &&
          m.generation.eos_ids[0] == 31 && m.generation.pad_id == 0 && m.generation.present.pad_id &&
          !m.generation.present.num_beams, "act-gelu generation_config.json: %s", llm_model_error(&m));
    llm_model_free(&m);
    CHECK(!m.has_generation_config, "freed model still has a generation config");
    r = llm_model_load(&m, "tests/data/act-relu", NULL);
    CHECK(r == LLM_OK && m.has_generation_config && m.generation.num_beams == 4 && m.generation.n_eos == 2 &&
          m.generation.eos_ids[1] == 30 && !m.generation.present.do_sample, "act-relu: %s", llm_model_error(&m));
    llm_model_free(&m);
    memset(&o, 0, sizeof o);
    o.no_generation_config = 1;
    r = llm_model_load(&m, "tests/data/act-gelu", &o);
    CHECK(r == LLM_OK && !m.has_generation_config && !m.generation.present.do_sample, "no_generation_config");
    llm_model_free(&m);
    r = llm_model_load(&m, "tests/data/tiny-f32", NULL);
    CHECK(r == LLM_OK && !m.has_generation_config, "no file: none");
    llm_model_free(&m);
    {   /* a broken file fails the load, with the file named (a copy of
           act-relu in build/genconfig-test/ with a bad generation_config.json) */
        static const char *const files[2] = { "model.safetensors", "config.json" };
        char from[256], to[256], *b;
        size_t n;
        int k, ok = 1;
        FILE *f;
#if defined(__unix__) || defined(__APPLE__)
        mkdir("build/genconfig-test", 0777);
#endif
        for (k = 0; k < 2; k++) {
            snprintf(from, sizeof from, "tests/data/act-relu/%s", files[k]);
            snprintf(to, sizeof to, "build/genconfig-test/%s", files[k]);
            b = test_read_file(from, &n);
            if (!b || !(f = fopen(to, "wb")) || fwrite(b, 1, n, f) != n || fclose(f) != 0) ok = 0;
            free(b);
        }
        if (ok && (f = fopen("build/genconfig-test/generation_config.json", "wb"))) {
            fputs("{\"top_p\": 2}", f);
            fclose(f);
            r = llm_model_load(&m, "build/genconfig-test", NULL);
            CHECK(r == LLM_ERR_FORMAT && strstr(llm_model_error(&m), "top_p") &&
                      strstr(llm_model_error(&m), "generation_config"),
                  "broken generation_config.json: %s (%s)", llm_status_string(r), llm_model_error(&m));
            CHECK(m._layers == NULL, "not released after a broken generation_config.json");
            llm_model_free(&m);
            r = llm_model_load(&m, "build/genconfig-test", &o);
            CHECK(r == LLM_OK, "skipped with no_generation_config: %s", llm_model_error(&m));
            llm_model_free(&m);
        } else SKIP("cannot write into build/genconfig-test");
    }
    return test_summary("test_generation_config");
}
