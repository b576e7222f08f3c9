/* Fuzz target: llm_tokenizer_decode, llm_tokenizer_token and the streaming
   decoder (llm_decoder_push / llm_decoder_flush) with the real GPT-2
   vocabulary, on any ids, in range or not. The first input byte picks how
   the rest becomes ids: bit 0 clear, little-endian int32 (mostly out of
   range); set, little-endian uint16 mapped to [-8, vocab + 8). Bits 1-3
   pick the output capacities (exact, too small, count only). */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const llm_tokenizer *t = fuzz_gpt2();
    size_t V = llm_tokenizer_vocab_size(t), n, i, total = 0, nb = 7, len;
    int32_t *ids;
    unsigned mode;
    int in_range = 1;
    llm_status r;
    char *out, *ref;
    if (size == 0) return 0;
    mode = data[0];
    data++; size--;
    if (mode & 1u) {
        n = size / 2;
        ids = (int32_t *)malloc((n + 1) * sizeof(int32_t));
        FUZZ_CHECK(ids != NULL, "malloc");
        for (i = 0; i < n; i++) ids[i] = (int32_t)((unsigned)(data[2 * i] | (data[2 * i + 1] << 8)) % (V + 16)) - 8;
    } else {
        n = size / 4;
        ids = (int32_t *)malloc((n + 1) * sizeof(int32_t));
        FUZZ_CHECK(ids != NULL, "malloc");
        for (i = 0; i < n; i++) ids[i] = (int32_t)((uint32_t)data[4 * i] | ((uint32_t)data[4 * i + 1] << 8) |
                                                   ((uint32_t)data[4 * i + 2] << 16) | ((uint32_t)data[4 * i + 3] << 24));
    }
    for (i = 0; i < n; i++) {
        const char *p = llm_tokenizer_token(t, ids[i], &len);
        if (ids[i] < 0 || (size_t)ids[i] >= V) { FUZZ_CHECK(p == NULL && len == 0, "token(%d)", (int)ids[i]); in_range = 0; }
        else { FUZZ_CHECK(p != NULL && len >= 1 && len <= 1024, "token(%d)", (int)ids[i]); total += len; }
    }
    /* count only */
    r = llm_tokenizer_decode(t, ids, n, NULL, 0, &nb);
    if (!in_range) {
        FUZZ_CHECK(r == LLM_ERR_TOKEN_RANGE && nb == 0, "out-of-range id: %s", llm_status_string(r));
    } else {
        FUZZ_CHECK(r == LLM_OK && nb == total, "count: %s %zu vs %zu", llm_status_string(r), nb, total);
    }
    out = (char *)malloc(total + 1);
    ref = (char *)malloc(total + 1);
    FUZZ_CHECK(out && ref, "malloc");
    if (in_range) {
        size_t at = 0, cap;
        for (i = 0; i < n; i++) { const char *p = llm_tokenizer_token(t, ids[i], &len); memcpy(ref + at, p, len); at += len; }
        r = llm_tokenizer_decode(t, ids, n, out, total, &nb);
        FUZZ_CHECK(r == LLM_OK && nb == total && !memcmp(out, ref, total), "decode");
        /* too small: a prefix and the full size */
        cap = total ? (size_t)((mode >> 1) & 7u) % total : 0;
        if (total) {
            char *small = (char *)malloc(cap + 1);
            FUZZ_CHECK(small != NULL, "malloc");
            r = llm_tokenizer_decode(t, ids, n, small, cap, &nb);
            FUZZ_CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && nb == total && !memcmp(small, ref, cap), "small: %s", llm_status_string(r));
            free(small);
        }
    }
    {   /* streaming: same bytes as decode; out-of-range ids refused with the state unchanged */
        llm_decoder d;
        char piece[1100];
        size_t at = 0, np;
        llm_decoder_init(&d);
        for (i = 0; i < n; i++) {
            llm_decoder before = d;
            size_t small = (mode >> 4) & 3u;              /* 0..3 bytes: often too small */
            if (small && small < 4) {
                r = llm_decoder_push(&d, t, ids[i], piece, small, &np);
                if (r == LLM_ERR_BUFFER_TOO_SMALL) {
                    FUZZ_CHECK(np > small && d.n_pending == before.n_pending &&
                               !memcmp(d.pending, before.pending, sizeof d.pending), "too small: state changed");
                } else if (r == LLM_OK) {
                    FUZZ_CHECK(np <= small && at + np <= total, "small push");
                    memcpy(out + at, piece, np);
                    at += np;
                    continue;
                }
            }
            r = llm_decoder_push(&d, t, ids[i], piece, sizeof piece, &np);
            if (ids[i] < 0 || (size_t)ids[i] >= V) {
                FUZZ_CHECK(r == LLM_ERR_TOKEN_RANGE && np == 0 && d.n_pending == before.n_pending, "push of %d: %s", (int)ids[i], llm_status_string(r));
                continue;
            }
            FUZZ_CHECK(r == LLM_OK && d.n_pending <= 3, "push: %s", llm_status_string(r));
            FUZZ_CHECK(np <= sizeof piece, "push size");
            if (in_range) { FUZZ_CHECK(at + np <= total, "push past the text"); memcpy(out + at, piece, np); }
            at += np;
        }
        np = llm_decoder_flush(&d, piece, sizeof piece);
        FUZZ_CHECK(np <= 3 && d.n_pending == 0, "flush");
        if (in_range) {
            FUZZ_CHECK(at + np == total, "streamed %zu of %zu bytes", at + np, total);
            memcpy(out + at, piece, np);
            FUZZ_CHECK(!memcmp(out, ref, total), "streamed bytes differ");
        }
        FUZZ_CHECK(llm_decoder_flush(&d, piece, sizeof piece) == 0, "second flush");
    }
    free(out);
    free(ref);
    free(ids);
    return 0;
}
