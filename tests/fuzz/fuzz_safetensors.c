/* Fuzz target: llm_safetensors_open_memory (header size, JSON header,
   dtype/shape/offset checks, layout: sorted, contiguous, no holes, no
   overlap, fully indexed). On success every invariant the API documents is
   checked and every tensor's bytes are touched (ASan sees reads outside the
   exactly sized input). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm_safetensors st;
    llm_status r = llm_safetensors_open_memory(&st, data, size);
    size_t i, at, hlen;
    volatile unsigned char sink = 0;
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(llm_safetensors_error(&st));
    if (r != LLM_OK) {
        FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY, "unexpected status %s", llm_status_string(r));
        FUZZ_CHECK(st.n_tensors == 0 && st.tensors == NULL && st._block == NULL, "state left after a failure");
        llm_safetensors_close(&st);
        llm_safetensors_close(&st);
        return 0;
    }
    FUZZ_CHECK(size >= 8 && st.image == data && st.image_size == size, "image");
    hlen = (size_t)llm__rd64(data);
    FUZZ_CHECK(hlen <= size - 8, "header length");
    at = 8 + hlen;
    for (i = 0; i < st.n_tensors; i++) {
        const llm_tensor *t = &st.tensors[i];
        size_t numel = 1, k;
        const unsigned char *p = (const unsigned char *)t->data;
        FUZZ_CHECK(t->name != NULL, "tensor %zu name", i);
        FUZZ_CHECK((unsigned)t->dtype < LLM_DTYPE_COUNT, "tensor %zu dtype", i);
        FUZZ_CHECK(t->ndim >= 0 && t->ndim <= LLM_MAX_DIMS, "tensor %zu ndim %d", i, t->ndim);
        for (k = 0; k < (size_t)t->ndim; k++) numel *= t->shape[k];
        FUZZ_CHECK(numel == t->numel, "tensor %zu numel", i);
        FUZZ_CHECK(t->nbytes == t->numel * llm_dtype_size(t->dtype), "tensor %zu nbytes", i);
        /* sorted by offset, contiguous, within the image */
        FUZZ_CHECK(p == data + at, "tensor %zu is not right after the previous one", i);
        FUZZ_CHECK(t->nbytes <= size - at, "tensor %zu past the end", i);
        if (t->nbytes) sink ^= p[0] ^ p[t->nbytes - 1];
        at += t->nbytes;
        /* names are unique: find() gives this very tensor */
        FUZZ_CHECK(llm_safetensors_find(&st, t->name) == t, "find(%s)", t->name);
    }
    FUZZ_CHECK(at == size, "data is not fully indexed (%zu of %zu)", at, size);
    for (i = 0; i < st.n_meta; i++) {
        const char *k = st.meta[2 * i], *v = st.meta[2 * i + 1], *got;
        FUZZ_CHECK(k && v, "metadata %zu", i);
        got = llm_safetensors_metadata(&st, k);
        FUZZ_CHECK(got != NULL, "metadata(%s)", k);
        (void)strlen(got);
    }
    FUZZ_CHECK(llm_safetensors_find(&st, "\xff not a tensor") == NULL, "find of an impossible name");
    (void)sink;
    llm_safetensors_close(&st);
    FUZZ_CHECK(st.n_tensors == 0 && st.tensors == NULL, "close");
    llm_safetensors_close(&st);
    return 0;
}
