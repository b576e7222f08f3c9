/* Fuzz target: model.safetensors.index.json, through llm__index_parse (the
   parser that llm_model_load runs on a sharded checkpoint's index). When
   it succeeds: every entry's shard is one of the distinct files, each file
   name is a plain .safetensors name, and looking each tensor up finds
   itself. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm__shard_index x;
    char err[LLM_ERROR_SIZE];
    size_t k;
    llm_status r;
    err[0] = 0;
    r = llm__index_parse(&x, (const char *)data, size, err);
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(err);
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY, "%s: %s",
                   llm_status_string(r), err);
        FUZZ_CHECK(x.block == NULL && x.n == 0, "not released");
        return 0;
    }
    FUZZ_CHECK(x.n >= 1 && x.n_files >= 1 && x.n_files <= LLM__MAX_SHARDS && x.n_files <= x.n, "counts %zu %zu", x.n,
               x.n_files);
    for (k = 0; k < x.n_files; k++)
        FUZZ_CHECK(llm__shard_name_ok(x.file[k], strlen(x.file[k])), "file '%s'", x.file[k]);
    for (k = 0; k < x.n; k++) {
        FUZZ_CHECK(x.shard[k] < x.n_files, "entry %zu shard %u", k, (unsigned)x.shard[k]);
        FUZZ_CHECK(x.tensor[k][0] != 0 && llm__index_find(&x, x.tensor[k]) == k, "entry %zu '%s' not found", k,
                   x.tensor[k]);
    }
    llm__index_free(&x);
    return 0;
}
