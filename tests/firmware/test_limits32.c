/* Size arithmetic on a 32-bit target (run by make test-firmware in QEMU,
   Cortex-M7): sizes that fit a 64-bit size_t but not a 32-bit one must be
   refused with a status, never wrap into a small allocation; and the calls
   that need an allocator refuse with a status in this LLM_NO_MALLOC build.
   Links with examples/firmware/startup.S and the mps2-an500 linker script;
   prints through semihosting and exits with the result. */
#define LLM_IMPLEMENTATION
#define LLM_NO_STDIO
#define LLM_NO_MALLOC
#define LLM_NO_OPENMP
#define LLM_NO_SIMD
#include "llm.h"

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
static void put(const char *s) { semihost(0x04u, s); }                  /* SYS_WRITE0 */
static void put_u(size_t v) {
    char b[24];
    int k = 23;
    b[23] = 0;
    do { b[--k] = (char)('0' + v % 10); v /= 10; } while (v);
    put(b + k);
}
static void finish(int ok) {                                          /* SYS_EXIT */
    semihost(0x18u, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
    for (;;) {}
}
void fw_fault(void);
void fw_fault(void) { put("FAIL fault\n"); finish(0); }
void fw_systick(void);
void fw_systick(void) {}

static int passed, failed;
static void check(int ok, const char *what, llm_status r) {
    put(ok ? "ok   " : "FAIL "); put(what); put(": "); put(llm_status_string(r)); put("\n");
    if (ok) passed++; else failed++;
}

extern unsigned char __arena_start[], __arena_end[];
static llm_model model;
static llm_session sess;
static llm_safetensors st;

/* A safetensors image: 8-byte length, then the header (no data). */
static unsigned char image[256];
static size_t make_image(const char *header) {
    size_t n = strlen(header), i;
    for (i = 0; i < 8; i++) image[i] = (unsigned char)(i == 0 ? n & 0xFF : i == 1 ? (n >> 8) & 0xFF : 0);
    memcpy(image + 8, header, n);
    return 8 + n;
}

void fw_main(void);
void fw_main(void) {
    static llm__layer one_layer[1];
    llm_config c;
    llm_arena a;
    size_t n = 1, len;
    llm_status r;

    check(sizeof(size_t) == 4, "size_t is 32 bits", LLM_OK);
    /* 257 * 983055 * 17 = 2^32 - 1 floats for each of K and V */
    memset(&c, 0, sizeof c);
    c.n_layer = 257; c.n_ctx = 983055; c.n_embd = 17; c.n_head = 17; c.n_inner = 68; c.n_vocab = 1;
    r = llm_session_heap_size(&c, NULL, &n, NULL);
    check(r == LLM_ERR_LIMIT && n == 0, "session size of a 2^32-float KV cache", r);
    /* the same config as a model's (what llm_session_init_arena sees) */
    model.config = c;
    model._layers = one_layer;
    llm_arena_init(&a, __arena_start, (size_t)(__arena_end - __arena_start));
    r = llm_session_init_arena(&sess, &model, NULL, &a);
    check(r == LLM_ERR_LIMIT && a.kept == 0 && a.temp == 0, "session init of a 2^32-float KV cache", r);
    /* one past: a 2^32-byte session with a small KV cache */
    c.n_layer = 1; c.n_ctx = 1 << 20; c.n_embd = 1024; c.n_head = 16; c.n_inner = 4096;
    r = llm_session_heap_size(&c, NULL, &n, NULL);
    check(r == LLM_ERR_LIMIT && n == 0, "session size of 2^30 floats of KV cache", r);
    /* safetensors: element counts and byte sizes past 2^32 */
    len = make_image("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,0]}}");
    r = llm_safetensors_open_memory_arena(&st, image, len, &a);
    check(r != LLM_OK && a.kept == 0 && a.temp == 0, "tensor of 2^32 elements", r);
    len = make_image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,0]}}");
    r = llm_safetensors_open_memory_arena(&st, image, len, &a);
    check(r != LLM_OK && a.kept == 0 && a.temp == 0, "tensor of 2^32 bytes", r);
    len = make_image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4294967292,4294967296]}}");
    r = llm_safetensors_open_memory_arena(&st, image, len, &a);
    check(r != LLM_OK && a.kept == 0 && a.temp == 0, "data offset past 2^32", r);
    /* the sampler's size for the largest vocabulary still fits */
    r = llm_sampler_heap_size(16777216, &n, NULL);
    check(r == LLM_OK && n > 16777216u * 4u, "sampler size for a 2^24 vocabulary", r);

    /* the calls that need an allocator whatever the arena refuse with a status */
    {
        static llm_tokenizer t;
        static llm_generation g;
        static const int32_t prompt[1] = { 0 };
        r = llm_tokenizer_load_wordpiece_memory(&t, "[UNK]\n", 6, NULL, 0);
        check(r == LLM_ERR_UNSUPPORTED, "WordPiece vocabulary without malloc", r);
        r = llm_tokenizer_load_json_memory(&t, "{}", 2);
        check(r == LLM_ERR_UNSUPPORTED, "tokenizer.json without malloc", r);
        r = llm_generate(&sess, prompt, 1, NULL, &g);
        check(r == LLM_ERR_UNSUPPORTED && g.n_seqs == 0, "llm_generate without malloc", r);
        r = llm_generate_text(&sess, "a", NULL, &g);
        check(r == LLM_ERR_UNSUPPORTED && g.n_seqs == 0, "llm_generate_text without malloc", r);
    }

    put("limits32: "); put_u((size_t)passed); put(" passed, "); put_u((size_t)failed); put(" failed\n");
    finish(failed == 0);
}
