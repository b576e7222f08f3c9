/* Allocation failure: every LLM_MALLOC call that can fail is made to fail.

   LLM_MALLOC / LLM_FREE are a counting allocator here. For each operation
   below and every N = 0, 1, 2, ... the N-th allocation of the operation
   fails (mode "once": only that one; mode "from": that one and every later
   one), until N is past the operation's last allocation. Each time the
   operation must return LLM_ERR_OUT_OF_MEMORY (or LLM_OK when no
   allocation failed), must not crash, and once the matching free calls are
   made the number of live allocations must be back where it was (no leak).
   Operations:
     a. llm_model_load: tests/data/tiny-f32 (mmap and read), h3-f16 (F16:
        small vectors converted at load), lmhead-f32 (untied head)
     b. llm_session_init + llm_session_eval + llm_session_copy
     c. llm_tokenizer_load: tests/data/gpt2-tokenizer (once mode only: 20
        loads of 1.5 MB), the three small fixtures in tests/data/tokenizer/,
        and llm_tokenizer_encode of a text with a long piece (heap BPE) and
        of a 9 KB text (whose cache allocation is optional: when it fails
        the result must be LLM_OK with the same ids)
     d. llm_generate, 2 sequences, on tiny-f32
     e. llm_generate_text, 2 sequences with a stop string, on a small model
        built in memory with a small tokenizer (built in memory, no id gaps)
        attached
   (llm.h may also allocate inside stdio (fopen); those are not LLM_MALLOC.) */
#include <stdlib.h>

static long fa_calls;              /* LLM_MALLOC calls since the sweep step began */
static long fa_fail_at = -1;       /* the call that fails; -1: none */
static int fa_from;                /* 1: every call from fa_fail_at on fails */
static int fa_failed;              /* a call was made to fail */
static long fa_live;               /* blocks allocated and not yet freed */

static void *fa_malloc(size_t n) {
    long k = fa_calls++;
    void *p;
    if (fa_fail_at >= 0 && (k == fa_fail_at || (fa_from && k > fa_fail_at))) { fa_failed = 1; return NULL; }
    p = malloc(n);
    if (p) fa_live++;
    return p;
}
static void fa_free(void *p) {
    if (p) { fa_live--; free(p); }
}
#define LLM_MALLOC(sz) fa_malloc(sz)
#define LLM_FREE(p) fa_free(p)
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#include "st_builder.h"

#include <stdio.h>
#include <string.h>

/* One operation under test: run() returns its status, undo() makes the
   matching free calls (also after a failure). */
typedef struct op {
    const char *name;
    llm_status (*run)(struct op *);
    void (*undo)(struct op *);
    const char *path;
    llm_model *model;
    llm_session *sess;
    llm_tokenizer *tok;
    llm_model m;
    llm_session s, s2;
    llm_tokenizer t;
    llm_generation g;
    llm_model_options mo;
    /* for operations with an optional allocation (one whose failure is
       not an error): checks the result of a run that returned LLM_OK
       although an allocation failed */
    int (*verify)(struct op *);
} op;

/* Sweep N over the operation's allocations; returns how many it makes. */
static long sweep(op *o, int from) {
    long n, total = -1;
    for (n = 0; n < 100000; n++) {
        long live0 = fa_live;
        llm_status r;
        int failed;
        fa_calls = 0; fa_fail_at = n; fa_from = from; fa_failed = 0;
        r = o->run(o);
        failed = fa_failed;
        fa_fail_at = -1;
        if (failed && r == LLM_OK && o->verify)
            CHECK(o->verify(o), "%s: allocation %ld %s failed (optional): the result differs", o->name, n,
                  from ? "(and all after)" : "(alone)");
        else if (failed)
            CHECK(r == LLM_ERR_OUT_OF_MEMORY, "%s: allocation %ld %s failed, but the status is %s", o->name, n,
                  from ? "(and all after)" : "(alone)", llm_status_string(r));
        else
            CHECK(r == LLM_OK, "%s: no allocation failed, but the status is %s", o->name, llm_status_string(r));
        o->undo(o);
        CHECK(fa_live == live0, "%s: allocation %ld %s failed: %ld blocks leaked", o->name, n,
              from ? "(and all after)" : "(alone)", fa_live - live0);
        if (fa_live != live0) fa_live = live0;      /* report each leak once */
        if (!failed) { total = fa_calls; break; }
    }
    CHECK(total >= 1, "%s: the sweep did not finish", o->name);
    return total;
}

static void sweep_both(op *o, int both) {
    long a = sweep(o, 0), b = both ? sweep(o, 1) : a;
    CHECK(a == b, "%s: %ld allocations, then %ld", o->name, a, b);
    printf("  %-44s %3ld allocations, each made to fail%s\n", o->name, a, both ? " (alone, and with all later ones)" : " (alone)");
}

/* ---- a. model loading ------------------------------------------------------ */

static llm_status run_load(op *o) { return llm_model_load(&o->m, o->path, &o->mo); }
static void undo_load(op *o) { llm_model_free(&o->m); }

/* ---- b. session ------------------------------------------------------------- */

static llm_status run_session(op *o) {
    int32_t ids[5] = { 1, 2, 3, 4, 5 };
    llm_session_options so;
    llm_status r;
    memset(&so, 0, sizeof so);
    so.max_batch = 2;
    r = llm_session_init(&o->s, o->model, &so);
    if (r != LLM_OK) return r;
    r = llm_session_eval(&o->s, ids, 5, NULL);
    if (r != LLM_OK) return r;
    r = llm_session_init(&o->s2, o->model, NULL);
    if (r != LLM_OK) return r;
    return llm_session_copy(&o->s2, &o->s);
}
static void undo_session(op *o) { llm_session_free(&o->s); llm_session_free(&o->s2); }

/* ---- c. tokenizer ------------------------------------------------------------ */

static llm_status run_tok(op *o) { return llm_tokenizer_load(&o->t, o->path); }
static void undo_tok(op *o) { llm_tokenizer_free(&o->t); }

static char long_text[16384];
static int32_t enc_ids[16384], ref_ids[16384];
static size_t enc_n, ref_n;
static llm_status run_encode(op *o) {
    enc_n = 0;
    return llm_tokenizer_encode(o->tok, long_text, strlen(long_text), LLM_TOKENIZE_SPECIAL, enc_ids, 16384, &enc_n);
}
static int verify_encode(op *o) {
    (void)o;
    return enc_n == ref_n && !memcmp(enc_ids, ref_ids, ref_n * sizeof(int32_t));
}
static void undo_nothing(op *o) { (void)o; }

/* ---- d, e. generation ---------------------------------------------------------- */

static llm_status run_generate(op *o) {
    int32_t prompt[3] = { 5, 6, 7 };
    llm_generate_options go;
    memset(&go, 0, sizeof go);
    go.num_return_sequences = 2;
    go.max_new_tokens = 6;
    go.sampler.temperature = 1.0f;
    go.sampler.top_k = 5;
    go.sampler.seed = 7;
    llm_session_reset(o->sess);
    return llm_generate(o->sess, prompt, 3, &go, &o->g);
}
static llm_status run_generate_text(op *o) {
    static const char *const stops[] = { "zz", NULL };
    llm_generate_options go;
    memset(&go, 0, sizeof go);
    go.num_return_sequences = 2;
    go.max_new_tokens = 300;                      /* past 256 bytes of text: the text buffer grows */
    go.sampler.temperature = 1.0f;
    go.sampler.seed = 11;
    go.stop_strings = stops;
    go.ignore_eos = 1;
    llm_session_reset(o->sess);
    return llm_generate_text(o->sess, "hello the cat", &go, &o->g);
}
static void undo_generate(op *o) { llm_generation_free(&o->g); }

/* A GPT-2 safetensors image with random weights (n_layer 1, n_embd 8, n_positions 320, vocab V) and a vocab.json
   with the 256 byte tokens, the tokens of small_merges and <|endoftext|> (tests/st_builder.h). */
static unsigned char *tiny_image(int V, size_t *size) {
    st_tensor spec[ST_GPT2_TENSORS];
    st_gpt2_one_layer(spec, 8, 32, 320, V);
    return st_image_f32(spec, ST_GPT2_TENSORS, "", "\"format\":\"pt\",\"n_head\":\"2\"", 99, 0.5f, size);
}
static const char small_merges[] = "#version: 0.2\nh e\nl l\nhe ll\nhell o\n\xc4\xa0 t\n\xc4\xa0t he\nc a\nca t\n";
static char *small_vocab(size_t *len, int *V) {
    static const char *const merged[] = { "he", "ll", "hell", "hello", "\\u0120t", "\\u0120the", "ca", "cat",
                                          "<|endoftext|>" };
    return st_byte_vocab(merged, sizeof merged / sizeof merged[0], len, V);
}

int main(void) {
    op o;
    long live0 = fa_live;
    size_t i;

    printf("test_alloc: every allocation made to fail in turn\n");

    /* a. loading */
    {
        static const char *const dirs[3] = { "tests/data/tiny-f32", "tests/data/h3-f16", "tests/data/lmhead-f32" };
        int k;
        for (k = 0; k < 3; k++) {
            char name[96];
            memset(&o, 0, sizeof o);
            o.run = run_load; o.undo = undo_load; o.path = dirs[k];
            if (llm_model_load(&o.m, o.path, NULL) != LLM_OK) { SKIP("%s: %s", o.path, llm_model_error(&o.m)); llm_model_free(&o.m); continue; }
            llm_model_free(&o.m);
            snprintf(name, sizeof name, "llm_model_load %s", o.path);
            o.name = name;
            sweep_both(&o, 1);
            if (k == 0) {
                snprintf(name, sizeof name, "llm_model_load %s no_mmap", o.path);
                o.mo.no_mmap = 1;
                sweep_both(&o, 1);
            }
        }
    }

    /* b, d. session and generation on tiny-f32 */
    {
        llm_model m;
        llm_session s;
        if (llm_model_load(&m, "tests/data/tiny-f32", NULL) != LLM_OK) {
            CHECK(0, "load tiny-f32: %s", llm_model_error(&m));
        } else {
            memset(&o, 0, sizeof o);
            o.name = "llm_session_init + eval + copy (tiny-f32)";
            o.run = run_session; o.undo = undo_session; o.model = &m;
            sweep_both(&o, 1);
            if (llm_session_init(&s, &m, NULL) != LLM_OK) CHECK(0, "session: %s", llm_session_error(&s));
            else {
                memset(&o, 0, sizeof o);
                o.name = "llm_generate, 2 sequences (tiny-f32)";
                o.run = run_generate; o.undo = undo_generate; o.sess = &s;
                sweep_both(&o, 1);
                llm_session_free(&s);
            }
        }
        llm_model_free(&m);
    }

    /* c. tokenizers */
    {
        static const char *const dirs[3] = { "tests/data/tokenizer/small-hf", "tests/data/tokenizer/small-json", "tests/data/tokenizer/small-openai" };
        int k;
        char name[96];
        for (k = 0; k < 3; k++) {
            memset(&o, 0, sizeof o);
            o.run = run_tok; o.undo = undo_tok; o.path = dirs[k];
            if (llm_tokenizer_load(&o.t, o.path) != LLM_OK) { SKIP("%s: %s", o.path, llm_tokenizer_error(&o.t)); continue; }
            llm_tokenizer_free(&o.t);
            snprintf(name, sizeof name, "llm_tokenizer_load %s", o.path);
            o.name = name;
            sweep_both(&o, 1);
        }
        memset(&o, 0, sizeof o);
        o.run = run_tok; o.undo = undo_tok; o.path = "tests/data/gpt2-tokenizer";
        if (llm_tokenizer_load(&o.t, o.path) != LLM_OK) SKIP("%s: %s", o.path, llm_tokenizer_error(&o.t));
        else {
            llm_tokenizer gpt2 = o.t;
            o.name = "llm_tokenizer_load tests/data/gpt2-tokenizer";
            sweep_both(&o, 0);
            /* encode: a 200-letter word and a 300-space run take the heap BPE */
            strcpy(long_text, "Hello <|endoftext|> world ");
            for (i = 0; i < 200; i++) strcat(long_text, i % 7 ? "q" : "z");
            for (i = 0; i < 300; i++) strcat(long_text, " ");
            strcat(long_text, "end");
            memset(&o, 0, sizeof o);
            o.name = "llm_tokenizer_encode (long pieces, GPT-2)";
            o.run = run_encode; o.undo = undo_nothing; o.tok = &gpt2;
            sweep_both(&o, 1);
            /* over 8 KB: encode may also allocate a cache, which is
               optional (the ids must be the same without it) */
            for (i = 0; strlen(long_text) < 9000; i++)
                strcat(long_text, i % 3 ? " the quick brown fox, " : " jumped\n\nover qzxv 12345 caf\xc3\xa9; ");
            fa_fail_at = -1;
            CHECK(llm_tokenizer_encode(&gpt2, long_text, strlen(long_text), LLM_TOKENIZE_SPECIAL, ref_ids, 16384, &ref_n) == LLM_OK,
                  "encode of %zu bytes", strlen(long_text));
            memset(&o, 0, sizeof o);
            o.name = "llm_tokenizer_encode (9 KB, GPT-2)";
            o.run = run_encode; o.undo = undo_nothing; o.tok = &gpt2; o.verify = verify_encode;
            sweep_both(&o, 1);
            llm_tokenizer_free(&gpt2);
        }
    }

    /* e. generation with text: a model built in memory with a small
       tokenizer (no id gaps) attached */
    {
        size_t size, vl = 0;
        int V = 0;
        char *vocab = small_vocab(&vl, &V);
        unsigned char *img = tiny_image(V, &size);
        llm_model m;
        llm_session s;
        llm_status r;
        CHECK(img != NULL && vocab != NULL, "image");
        if (img && vocab && llm_model_load_memory(&m, img, size, NULL, 0) != LLM_OK) CHECK(0, "in-memory model: %s", llm_model_error(&m));
        else if (img && vocab) {
            r = llm_tokenizer_load_memory(&m.tokenizer, vocab, vl, small_merges, strlen(small_merges));
            CHECK(r == LLM_OK && llm_tokenizer_vocab_size(&m.tokenizer) == (size_t)V, "small tokenizer: %s", llm_tokenizer_error(&m.tokenizer));
            if (r == LLM_OK) {
                m.has_tokenizer = 1;
                if (llm_session_init(&s, &m, NULL) != LLM_OK) CHECK(0, "session: %s", llm_session_error(&s));
                else {
                    memset(&o, 0, sizeof o);
                    o.name = "llm_generate_text, 2 sequences (in memory)";
                    o.run = run_generate_text; o.undo = undo_generate; o.sess = &s;
                    sweep_both(&o, 1);
                    llm_session_free(&s);
                }
            }
            llm_model_free(&m);
        }
        free(img);
        free(vocab);
    }

    CHECK(fa_live == live0, "%ld blocks live at the end", fa_live - live0);
    return test_summary("test_alloc");
}
