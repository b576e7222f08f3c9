/* Fuzz target: generation_config.json, through llm_generation_config_parse.
   On success every present field is in its documented range and absent
   ones are zero; on failure the whole struct is zero. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_generation_config g;
    char err[LLM_ERROR_SIZE];
    int i;
    llm_status r = llm_generation_config_parse(&g, (const char *)data, size, err);
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(err);
    if (r != LLM_OK) {
        static const llm_generation_config zero;
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY, "%s: %s",
                   llm_status_string(r), err);
        FUZZ_CHECK(!memcmp(&g, &zero, sizeof g), "not zeroed after %s", llm_status_string(r));
        return 0;
    }
    FUZZ_CHECK(g.present.do_sample || !g.do_sample, "do_sample");
    FUZZ_CHECK(g.present.temperature ? g.temperature >= 0 && g.temperature <= 1e6f : g.temperature == 0,
               "temperature %g", (double)g.temperature);
    FUZZ_CHECK(g.present.top_p ? g.top_p >= 0 && g.top_p <= 1 : g.top_p == 0, "top_p %g", (double)g.top_p);
    FUZZ_CHECK(g.present.repetition_penalty ? g.repetition_penalty > 0 : g.repetition_penalty == 0, "penalty");
    FUZZ_CHECK(g.top_k >= 0 && g.top_k <= (1 << 30) && (g.present.top_k || !g.top_k), "top_k %d", g.top_k);
    FUZZ_CHECK(g.present.max_length ? g.max_length >= 1 : !g.max_length, "max_length %d", g.max_length);
    FUZZ_CHECK(g.present.max_new_tokens ? g.max_new_tokens >= 1 : !g.max_new_tokens, "max_new_tokens");
    FUZZ_CHECK(g.present.num_beams ? g.num_beams >= 1 : !g.num_beams, "num_beams %d", g.num_beams);
    FUZZ_CHECK(g.n_eos >= 0 && g.n_eos <= LLM_GEN_MAX_EOS && g.present.eos_ids == (g.n_eos > 0), "n_eos %d", g.n_eos);
    for (i = 0; i < g.n_eos; i++) FUZZ_CHECK(g.eos_ids[i] >= 0 && g.eos_ids[i] < 16777216, "eos %d", (int)g.eos_ids[i]);
    FUZZ_CHECK(g.pad_id >= 0 && g.bos_id >= 0 && (g.present.pad_id || !g.pad_id) && (g.present.bos_id || !g.bos_id),
               "ids");
    return 0;
}
