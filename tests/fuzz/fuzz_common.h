/* Shared by the fuzz harnesses in tests/fuzz/. Each harness is one C file
   that includes llm.h with LLM_IMPLEMENTATION (so its static functions are
   reachable) and this header, and defines LLVMFuzzerTestOneInput. Build it
   with libFuzzer (clang -fsanitize=fuzzer,...) or with
   tests/fuzz/standalone_main.c (any compiler, AFL++). See tests/fuzz/fuzz.mk. */
#ifndef LLM_FUZZ_COMMON_H
#define LLM_FUZZ_COMMON_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the harness checks: failing it aborts, so that libFuzzer (or
   AFL++) records the input as a crash. */
#define FUZZ_CHECK(cond, ...) do { \
    if (!(cond)) { \
        fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); fprintf(stderr, "\n"); abort(); \
    } \
} while (0)

/* Status values every API call may return; anything else is a bug. */
static inline int fuzz_status_ok(llm_status r) { return (unsigned)r <= (unsigned)LLM_ERR_NUMERIC; }

/* Error messages are NUL-terminated and fit their buffer. */
static inline void fuzz_check_msg(const char *msg) {
    FUZZ_CHECK(msg != NULL, "NULL message");
    FUZZ_CHECK(memchr(msg, 0, LLM_ERROR_SIZE) != NULL, "message not terminated");
}

/* FNV-1a of the input, to pick options deterministically. */
static inline uint64_t fuzz_hash(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Whole file into a malloc'd buffer (NUL-terminated), or NULL. */
static inline unsigned char *fuzz_read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    long len;
    unsigned char *b;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    b = (unsigned char *)malloc((size_t)len + 1);
    if (!b || fread(b, 1, (size_t)len, f) != (size_t)len) { fclose(f); free(b); return NULL; }
    fclose(f);
    b[len] = 0;
    *n = (size_t)len;
    return b;
}

/* The GPT-2 tokenizer from tests/data/gpt2-tokenizer (run from the
   repository root), $LLM_FUZZ_DATA/gpt2-tokenizer or ../shared/data. Loaded
   once per process; aborts if it cannot be found, so that a misconfigured
   run does not silently fuzz nothing. */
static llm_tokenizer fuzz_gpt2_tok;
static int fuzz_gpt2_loaded;
static void fuzz_gpt2_free(void) { llm_tokenizer_free(&fuzz_gpt2_tok); }  /* at exit: nothing left for leak checkers */
static inline const llm_tokenizer *fuzz_gpt2(void) {
    if (!fuzz_gpt2_loaded) {
        const char *roots[3];
        char dir[4096];
        int k, nr = 0;
        llm_status r = LLM_ERR_IO;
        if (getenv("LLM_FUZZ_DATA")) roots[nr++] = getenv("LLM_FUZZ_DATA");
        roots[nr++] = "tests/data";
        roots[nr++] = "../shared/data";
        for (k = 0; k < nr && r != LLM_OK; k++) {
            snprintf(dir, sizeof dir, "%s/gpt2-tokenizer", roots[k]);
            r = llm_tokenizer_load(&fuzz_gpt2_tok, dir);
        }
        if (r != LLM_OK) {
            fprintf(stderr, "fuzz: cannot load the GPT-2 tokenizer (tests/data/gpt2-tokenizer; run from the repository root or set LLM_FUZZ_DATA): %s\n",
                    llm_tokenizer_error(&fuzz_gpt2_tok));
            abort();
        }
        fuzz_gpt2_loaded = 1;
        atexit(fuzz_gpt2_free);
    }
    return &fuzz_gpt2_tok;
}

/* Whether decode(encode(text)) == text with tokenizer t and flags; aborts
   with a message if not. Also checks the counting call and the
   buffer-too-small contract. */
static inline void fuzz_check_roundtrip(const llm_tokenizer *t, const char *text, size_t len, unsigned flags) {
    size_t n = 0, n2 = 0, nb = 0, cap = len + 1;
    int32_t *ids = (int32_t *)malloc(cap * sizeof(int32_t));
    char *out;
    llm_status r;
    size_t i, V = llm_tokenizer_vocab_size(t);
    FUZZ_CHECK(ids != NULL, "malloc");
    r = llm_tokenizer_encode(t, text, len, flags, ids, cap, &n);
    if (r == LLM_ERR_OUT_OF_MEMORY) { free(ids); return; }
    FUZZ_CHECK(r == LLM_OK, "encode: %s", llm_status_string(r));
    FUZZ_CHECK(n <= len, "%zu ids for %zu bytes", n, len);
    FUZZ_CHECK((n == 0) == (len == 0), "%zu ids for %zu bytes", n, len);
    for (i = 0; i < n; i++) FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < V, "id %d out of range", (int)ids[i]);
    /* counting only */
    r = llm_tokenizer_encode(t, text, len, flags, NULL, 0, &n2);
    FUZZ_CHECK(r == LLM_OK && n2 == n, "count: %s, %zu vs %zu", llm_status_string(r), n2, n);
    /* too small: the full count, the first ids unchanged */
    if (n > 1) {
        int32_t *few = (int32_t *)malloc((n - 1) * sizeof(int32_t));
        FUZZ_CHECK(few != NULL, "malloc");
        r = llm_tokenizer_encode(t, text, len, flags, few, n - 1, &n2);
        FUZZ_CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && n2 == n, "small buffer: %s, %zu vs %zu", llm_status_string(r), n2, n);
        FUZZ_CHECK(!memcmp(few, ids, (n - 1) * sizeof(int32_t)), "small buffer: different ids");
        free(few);
    }
    r = llm_tokenizer_decode(t, ids, n, NULL, 0, &nb);
    FUZZ_CHECK(r == LLM_OK, "decode (count): %s", llm_status_string(r));
    out = (char *)malloc(nb + 1);
    FUZZ_CHECK(out != NULL, "malloc");
    r = llm_tokenizer_decode(t, ids, n, out, nb + 1, &nb);
    FUZZ_CHECK(r == LLM_OK, "decode: %s", llm_status_string(r));
    if (nb != len || memcmp(out, text, len)) {
        size_t at = 0;
        while (at < len && at < nb && out[at] == text[at]) at++;
        FUZZ_CHECK(0, "decode(encode(x)) != x: %zu bytes in, %zu out, first difference at byte %zu, flags %u", len, nb, at, flags);
    }
    free(out);
    free(ids);
}
/* After a tokenizer load with status r: a known status with a message; a
   failure leaves nothing behind (then t is freed). Nonzero if it loaded. */
static inline int fuzz_tokenizer_loaded(llm_tokenizer *t, llm_status r) {
    FUZZ_CHECK(fuzz_status_ok(r), "status %d", (int)r);
    fuzz_check_msg(llm_tokenizer_error(t));
    if (r == LLM_OK) return 1;
    FUZZ_CHECK(r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_UNSUPPORTED || r == LLM_ERR_OUT_OF_MEMORY,
               "unexpected %s: %s", llm_status_string(r), llm_tokenizer_error(t));
    FUZZ_CHECK(t->_impl == NULL, "tokenizer left after a failure");
    llm_tokenizer_free(t);
    return 0;
}

/* WordPiece tokenizers (lossy: no round trip): ids in range, the counting
   and too-small contracts, decode's size == what it writes, and the
   streaming decoder takes every id. */
static inline void fuzz_check_wordpiece(const llm_tokenizer *t, const char *text, size_t len, unsigned flags) {
    size_t n = 0, n2 = 0, nb = 0, nb2 = 0, cap = len + 1, i, V = llm_tokenizer_vocab_size(t);
    int32_t *ids = (int32_t *)malloc(cap * sizeof(int32_t));
    char *out, piece[LLM_DECODER_BUFFER];
    llm_decoder d;
    llm_status r;
    FUZZ_CHECK(ids != NULL, "malloc");
    r = llm_tokenizer_encode(t, text, len, flags, ids, cap, &n);
    FUZZ_CHECK(r == LLM_OK, "encode: %s", llm_status_string(r));
    FUZZ_CHECK(n <= len, "%zu ids for %zu bytes", n, len);
    for (i = 0; i < n; i++) FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < V, "id %d out of range", (int)ids[i]);
    r = llm_tokenizer_encode(t, text, len, flags, NULL, 0, &n2);
    FUZZ_CHECK(r == LLM_OK && n2 == n, "count: %s, %zu vs %zu", llm_status_string(r), n2, n);
    if (n > 1) {
        r = llm_tokenizer_encode(t, text, len, flags, ids, n - 1, &n2);
        FUZZ_CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && n2 == n, "small buffer: %s", llm_status_string(r));
        r = llm_tokenizer_encode(t, text, len, flags, ids, cap, &n);
    }
    r = llm_tokenizer_decode(t, ids, n, NULL, 0, &nb);
    FUZZ_CHECK(r == LLM_OK, "decode (count): %s", llm_status_string(r));
    out = (char *)malloc(nb + 1);
    FUZZ_CHECK(out != NULL, "malloc");
    r = llm_tokenizer_decode(t, ids, n, out, nb + 1, &nb2);
    FUZZ_CHECK(r == LLM_OK && nb2 == nb, "decode: %s, %zu vs %zu bytes", llm_status_string(r), nb2, nb);
    llm_decoder_init(&d);
    for (i = 0; i < n; i++) {
        r = llm_decoder_push(&d, t, ids[i], piece, sizeof piece, &n2);
        FUZZ_CHECK(r == LLM_OK && n2 <= sizeof piece, "decoder push: %s", llm_status_string(r));
    }
    free(out);
    free(ids);
}
/* The arena path (llm_*_heap_size, *_arena loads) agrees with the malloc
   path on input that loads with status r_malloc: the prediction has the
   same status; a buffer of exactly the predicted bytes loads with the same
   status and uses exactly them; 16 bytes fewer fail with OUT_OF_MEMORY; and
   every outcome leaves the arena empty once the object is freed. kind 0:
   a model from a .safetensors image (no config), 1: vocab.json + merges. */
static inline llm_status fuzz_arena_load(int kind, llm_arena *a, const void *p1, size_t n1, const void *p2, size_t n2,
                                         llm_model *m, llm_tokenizer *t) {
    return kind == 0 ? llm_model_load_memory_arena(m, p1, n1, NULL, 0, a)
                     : llm_tokenizer_load_memory_arena(t, (const char *)p1, n1, (const char *)p2, n2, a);
}
static inline void fuzz_arena_free(int kind, llm_model *m, llm_tokenizer *t) {
    if (kind == 0) llm_model_free(m); else llm_tokenizer_free(t);
}
static inline void fuzz_check_arena(int kind, llm_status r_malloc, const void *p1, size_t n1, const void *p2, size_t n2) {
    size_t peak = 0, kept = 0, tries[2], k;
    llm_status r = kind == 0 ? llm_model_heap_size(p1, n1, NULL, 0, &peak, &kept)
                             : llm_tokenizer_heap_size((const char *)p1, n1, (const char *)p2, n2, &peak, &kept);
    unsigned char *buf;
    if (r == LLM_ERR_OUT_OF_MEMORY || r_malloc == LLM_ERR_OUT_OF_MEMORY) return;
    FUZZ_CHECK(r == r_malloc, "heap_size %s, malloc load %s", llm_status_string(r), llm_status_string(r_malloc));
    if (r != LLM_OK) { FUZZ_CHECK(peak == 0 && kept == 0, "sizes of a failed load"); return; }
    FUZZ_CHECK(peak >= kept && peak % LLM_ARENA_ALIGN == 0, "peak %zu kept %zu", peak, kept);
    if (peak > ((size_t)64 << 20)) return;
    buf = (unsigned char *)malloc(peak + LLM_ARENA_ALIGN);
    if (!buf) return;
    tries[0] = peak; tries[1] = peak - (peak >= LLM_ARENA_ALIGN ? LLM_ARENA_ALIGN : peak);
    for (k = 0; k < 2; k++) {
        llm_arena a;
        llm_model m;
        llm_tokenizer t;
        FUZZ_CHECK(llm_arena_init(&a, buf + ((size_t)(-(uintptr_t)buf) & (LLM_ARENA_ALIGN - 1)), tries[k]) == LLM_OK, "arena");
        r = fuzz_arena_load(kind, &a, p1, n1, p2, n2, &m, &t);
        fuzz_check_msg(kind == 0 ? llm_model_error(&m) : llm_tokenizer_error(&t));
        if (k == 0) FUZZ_CHECK(r == LLM_OK && a.peak == peak && a.kept == kept && a.temp == 0,
                               "exact arena: %s, peak %zu/%zu kept %zu/%zu temp %zu", llm_status_string(r), a.peak, peak,
                               a.kept, kept, a.temp);
        else FUZZ_CHECK(r == LLM_ERR_OUT_OF_MEMORY && a.kept == 0 && a.temp == 0, "arena 16 bytes short: %s, %zu + %zu left",
                        llm_status_string(r), a.kept, a.temp);
        fuzz_arena_free(kind, &m, &t);
        FUZZ_CHECK(a.kept == 0 && a.temp == 0, "freed: %zu + %zu left", a.kept, a.temp);
    }
    free(buf);
}

#endif
