/* llm.h - v0.1.0 - GPT-2-style decoder inference in one C99 header.
   MIT licence (see the end of this file). No dependencies but the C library.

   USAGE
   -----
   In exactly one C or C++ file, define LLM_IMPLEMENTATION before including:

       #define LLM_IMPLEMENTATION
       #include "llm.h"

   Every other file includes "llm.h" without the define. Then:

       llm_model model;
       llm_session sess;
       if (llm_model_load(&model, "models/gpt2", NULL) != LLM_OK) {
           fprintf(stderr, "%s\n", llm_model_error(&model));
           llm_model_free(&model);            // always safe after load
           return 1;
       }
       llm_session_init(&sess, &model, NULL); // KV cache + scratch, sized once
       int32_t ids[2] = {464, 3290};          // "The dog"
       llm_session_eval(&sess, ids, 2, NULL); // batched prefill
       const float *logits = llm_session_logits(&sess); // [vocab]
       ...
       llm_session_free(&sess);
       llm_model_free(&model);

   OBJECTS
   -------
   Objects are plain structs owned by the caller (stack, static or heap).
   Their fields are private except where documented. Each object keeps the
   message of its own last failure: llm_model_error(), llm_session_error(),
   llm_tokenizer_error(), llm_safetensors_error(). There is no global state.
   The *_free() functions are safe to call on an object whose init/load
   failed, and twice in a row.

   - llm_safetensors: a parsed .safetensors file (mmap'd, read, or a
     caller-owned buffer that is used in place with no copy).
   - llm_model: weights + config (+ tokenizer when the folder has one).
     Read-only once loaded: any number of sessions and threads may share it.
   - llm_session: one sequence's state (KV cache and scratch buffers), sized
     once at creation. One thread at a time per session.
   - llm_tokenizer: GPT-2 byte-level BPE.

   CHECKPOINTS
   -----------
   llm_model_load() takes a .safetensors file or a folder holding
   model.safetensors (+ config.json, + tokenizer files), exactly as Hugging
   Face publishes GPT2LMHeadModel checkpoints. Tensor names may carry the
   "transformer." prefix or not. With config.json: n_layer, n_head, n_embd,
   n_positions (or n_ctx), vocab_size, layer_norm_epsilon, n_inner and
   activation_function (gelu_new / gelu_pytorch_tanh / gelu_fast, the tanh
   form) are read and cross-checked against the tensors. Without config.json
   the shapes come from the tensors, n_head from the safetensors
   __metadata__ entry "n_head" if present, otherwise n_embd / 64 (the usual
   64-wide heads), and layer_norm_epsilon is 1e-5.

   Weights stored as F32, F16 or BF16 are used as stored: the big matrices
   stay in the file mapping (no copy; converted to f32 on the fly inside the
   matrix kernels), while the small vectors (biases, layer norms) and the
   position embeddings of 16-bit files are converted to f32 once at load,
   which costs 4 * (n_positions*n_embd + ~13*n_layer*n_embd) bytes.
   A tensor whose data is not aligned to its element size is copied.

   CONFIGURATION (define before including, in the implementation file)
   -------------
   LLM_MALLOC(sz) / LLM_FREE(p)  allocator (define both or neither)
   LLM_ASSERT(x)                 internal invariant checks (default: assert)
   LLM_STATIC                    make every function static (private copy)
   LLM_API                       linkage of the public functions
   LLM_NO_STDIO                  no <stdio.h>: no loading by path (the
                                 *_memory functions remain)
   LLM_NO_MMAP                   read files into memory instead of mmap
   LLM_NO_OPENMP                 ignore OpenMP even when compiling with it
   LLM_MAX_THREADS               cap on session threads (default 256)

   LIMITS (inputs past these are rejected with LLM_ERR_LIMIT or _FORMAT)
   ------
   safetensors header  <= 100,000,000 bytes (the format's own rule)
   tensors in a file   <= LLM_MAX_TENSORS (65536), dims <= 8
   JSON nesting depth  <= LLM_JSON_MAX_DEPTH (64); no recursion anywhere.
   model sizes         n_layer <= 1024, n_embd <= 65536, n_positions <=
                       1048576, vocab_size <= 16777216

   THREADS
   -------
   When compiled with OpenMP (-fopenmp) the kernels split their work over
   llm_session_options.n_threads threads. Each output element is computed by
   one thread in a fixed order, so results do not depend on the thread count.
*/
#ifndef LLM_H
#define LLM_H

#include <stddef.h>
#include <stdint.h>

#define LLM_VERSION_MAJOR 0
#define LLM_VERSION_MINOR 1
#define LLM_VERSION_PATCH 0
#define LLM_VERSION_STRING "0.1.0"

#ifndef LLM_API
#ifdef LLM_STATIC
#define LLM_API static
#else
#define LLM_API extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==========================================================================
   PUBLIC API
   ========================================================================== */

typedef enum llm_status {
    LLM_OK = 0,
    LLM_ERR_INVALID_ARG,     /* NULL pointer, zero length, bad option value */
    LLM_ERR_OUT_OF_MEMORY,   /* an allocation failed */
    LLM_ERR_IO,              /* a file could not be opened or read */
    LLM_ERR_FORMAT,          /* malformed input (safetensors, JSON, vocab) */
    LLM_ERR_UNSUPPORTED,     /* well-formed but not implemented (dtype...) */
    LLM_ERR_SHAPE,           /* a tensor is missing or has the wrong shape */
    LLM_ERR_LIMIT,           /* input exceeds a documented limit */
    LLM_ERR_CONTEXT_FULL,    /* a position past the context length */
    LLM_ERR_TOKEN_RANGE,     /* a token id outside [0, vocab) */
    LLM_ERR_BUFFER_TOO_SMALL /* the output buffer is too small */
} llm_status;

#define LLM_ERROR_SIZE 256   /* bytes of each object's message buffer */
#define LLM_MAX_DIMS 8

/* Short constant name of a status, e.g. "LLM_ERR_FORMAT". */
LLM_API const char *llm_status_string(llm_status s);

/* ---- safetensors ------------------------------------------------------- */

typedef enum llm_dtype {
    LLM_DTYPE_F32 = 0, LLM_DTYPE_F16, LLM_DTYPE_BF16,
    /* known to the format; readable as raw bytes, not used by the model */
    LLM_DTYPE_F64, LLM_DTYPE_I64, LLM_DTYPE_I32, LLM_DTYPE_I16, LLM_DTYPE_I8,
    LLM_DTYPE_U64, LLM_DTYPE_U32, LLM_DTYPE_U16, LLM_DTYPE_U8,
    LLM_DTYPE_BOOL, LLM_DTYPE_F8_E4M3, LLM_DTYPE_F8_E5M2,
    LLM_DTYPE_COUNT
} llm_dtype;

typedef struct llm_tensor {
    const char *name;                /* NUL-terminated, decoded */
    llm_dtype dtype;
    int ndim;
    size_t shape[LLM_MAX_DIMS];
    size_t numel;                    /* product of shape */
    size_t nbytes;
    const void *data;                /* points into the file image */
} llm_tensor;

typedef struct llm_safetensors {
    const unsigned char *image;      /* whole file image */
    size_t image_size;
    llm_tensor *tensors;             /* sorted by data offset */
    size_t n_tensors;
    const char **meta;               /* __metadata__: key0, val0, key1, ... */
    size_t n_meta;
    void *_block;                    /* one allocation: tensors, meta, names */
    void *_owned;                    /* file read into memory, or NULL */
    void *_map;                      /* mmap base, or NULL */
    size_t _map_size;
    char error[LLM_ERROR_SIZE];
} llm_safetensors;

/* Parse a caller-owned image; it must outlive the object. No copy. */
LLM_API llm_status llm_safetensors_open_memory(llm_safetensors *st, const void *data, size_t size);
/* Open a file (mmap where available, else read into memory). */
LLM_API llm_status llm_safetensors_open(llm_safetensors *st, const char *path);
LLM_API void llm_safetensors_close(llm_safetensors *st);
/* Tensor by exact name, or NULL. */
LLM_API const llm_tensor *llm_safetensors_find(const llm_safetensors *st, const char *name);
/* __metadata__ value by key, or NULL. */
LLM_API const char *llm_safetensors_metadata(const llm_safetensors *st, const char *key);
LLM_API const char *llm_safetensors_error(const llm_safetensors *st);
LLM_API const char *llm_dtype_name(llm_dtype t);
LLM_API size_t llm_dtype_size(llm_dtype t);

/* ---- tokenizer (GPT-2 byte-level BPE) ---------------------------------- */

#define LLM_TOKENIZE_SPECIAL 1u  /* encode: added tokens such as
                                    "<|endoftext|>" in the text become their
                                    ids (default: plain text, like tiktoken's
                                    encode_ordinary) */

typedef struct llm_tokenizer {
    void *_impl;                     /* private */
    char error[LLM_ERROR_SIZE];
} llm_tokenizer;

/* A folder (tokenizer.json, or vocab.json + merges.txt, or encoder.json +
   vocab.bpe) or a tokenizer.json file. */
LLM_API llm_status llm_tokenizer_load(llm_tokenizer *t, const char *path);
LLM_API llm_status llm_tokenizer_load_files(llm_tokenizer *t, const char *vocab_json_path, const char *merges_path);
LLM_API llm_status llm_tokenizer_load_memory(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                             const char *merges, size_t merges_len);
LLM_API llm_status llm_tokenizer_load_json_memory(llm_tokenizer *t, const char *tokenizer_json, size_t len);
LLM_API void llm_tokenizer_free(llm_tokenizer *t);
LLM_API const char *llm_tokenizer_error(const llm_tokenizer *t);
LLM_API size_t llm_tokenizer_vocab_size(const llm_tokenizer *t);
/* The end-of-text id from the files ("<|endoftext|>"), or -1. */
LLM_API int32_t llm_tokenizer_eot(const llm_tokenizer *t);
/* Text -> ids. Writes at most cap ids; *n_ids gets the full count (also
   when LLM_ERR_BUFFER_TOO_SMALL is returned). Thread-safe on a shared
   tokenizer. Invalid UTF-8: each invalid byte is a character of its own. */
LLM_API llm_status llm_tokenizer_encode(const llm_tokenizer *t, const char *text, size_t len, unsigned flags,
                                        int32_t *ids, size_t cap, size_t *n_ids);
/* Ids -> exact bytes (not NUL-terminated); *n_bytes gets the full size. */
LLM_API llm_status llm_tokenizer_decode(const llm_tokenizer *t, const int32_t *ids, size_t n,
                                        char *out, size_t cap, size_t *n_bytes);
/* The bytes of one token, or NULL for an id out of range. */
LLM_API const char *llm_tokenizer_token(const llm_tokenizer *t, int32_t id, size_t *len);

/* Streaming decoder: hands out only complete UTF-8 characters. */
typedef struct llm_decoder {
    unsigned char pending[8];
    unsigned n_pending;
} llm_decoder;
LLM_API void llm_decoder_init(llm_decoder *d);
/* Appends token id's text; *n gets the bytes written to out (cap >= 4 +
   the longest token is always enough). */
LLM_API llm_status llm_decoder_push(llm_decoder *d, const llm_tokenizer *t, int32_t id,
                                    char *out, size_t cap, size_t *n);
/* Writes out whatever is pending (possibly an incomplete sequence). */
LLM_API size_t llm_decoder_flush(llm_decoder *d, char *out, size_t cap);

/* ---- model -------------------------------------------------------------- */

typedef struct llm_config {
    int n_layer;
    int n_head;
    int n_embd;
    int n_inner;        /* MLP width, 4 * n_embd unless config says */
    int n_ctx;          /* n_positions */
    int n_vocab;
    float ln_eps;
} llm_config;

typedef struct llm_model_options {
    int no_mmap;        /* 1: read the file into memory instead of mmap */
    int no_tokenizer;   /* 1: don't look for tokenizer files */
} llm_model_options;

typedef struct llm__mat { const void *w; llm_dtype type; } llm__mat;
typedef struct llm__layer {
    llm__mat qkv_w, attn_proj_w, fc_w, mlp_proj_w;         /* [in, out] */
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    const float *qkv_b, *attn_proj_b, *fc_b, *mlp_proj_b;
} llm__layer;

typedef struct llm_model {
    llm_config config;
    llm_dtype wtype;              /* dtype of the big matrices */
    llm_tokenizer tokenizer;      /* valid when has_tokenizer */
    int has_tokenizer;
    /* private */
    llm_safetensors _st;
    llm__layer *_layers;
    llm__mat _wte;                /* [vocab, n_embd] */
    llm__mat _lm_head;            /* [vocab, n_embd] (== _wte if tied) */
    const float *_wpe;            /* [n_ctx, n_embd] */
    const float *_lnf_w, *_lnf_b;
    void *_owned;                 /* converted / realigned tensors */
    char error[LLM_ERROR_SIZE];
} llm_model;

/* path: a .safetensors file or a checkpoint folder. opt may be NULL. */
LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt);
/* From memory: safetensors image (used in place, must outlive the model)
   and optional config.json text (NULL: infer from the tensors). */
LLM_API llm_status llm_model_load_memory(llm_model *m, const void *safetensors, size_t size,
                                         const char *config_json, size_t config_len);
LLM_API void llm_model_free(llm_model *m);
LLM_API const char *llm_model_error(const llm_model *m);

/* ---- session ------------------------------------------------------------ */

typedef struct llm_session_options {
    int n_ctx;          /* KV cache length; 0 = the model's n_positions */
    int n_threads;      /* 0 = OpenMP's default; ignored without OpenMP */
    int max_batch;      /* tokens per batched step; 0 = 64 */
} llm_session_options;

typedef struct llm_session {
    const llm_model *model;
    int n_ctx, n_threads, max_batch;
    size_t pos;                   /* tokens in the KV cache */
    /* private */
    float *_mem;                  /* one allocation for all of the below */
    float *_k, *_v;               /* [n_layer, n_ctx, n_embd] */
    float *_x, *_ln, *_qkv, *_att, *_fc;  /* [max_batch, ...] */
    float *_scores;               /* [n_head, n_ctx] */
    float *_logits;               /* [n_vocab] */
    char error[LLM_ERROR_SIZE];
} llm_session;

LLM_API llm_status llm_session_init(llm_session *s, const llm_model *m, const llm_session_options *opt);
LLM_API void llm_session_free(llm_session *s);
/* Forget the sequence (pos = 0); buffers are kept. */
LLM_API void llm_session_reset(llm_session *s);
/* Append n tokens at positions pos..pos+n-1, in batches of max_batch.
   logits_all: NULL, or [n, n_vocab] floats for every position. Afterwards
   llm_session_logits() holds the last position's logits. On error the
   session is unchanged (pos as before). */
LLM_API llm_status llm_session_eval(llm_session *s, const int32_t *ids, size_t n, float *logits_all);
/* [n_vocab] logits after the last evaluated token (NULL before any). */
LLM_API const float *llm_session_logits(const llm_session *s);
/* dst (initialised on the same model, n_ctx >= src->pos) takes src's
   sequence: KV cache rows and logits. */
LLM_API llm_status llm_session_copy(llm_session *dst, const llm_session *src);
LLM_API const char *llm_session_error(const llm_session *s);

#ifdef __cplusplus
}
#endif
#endif /* LLM_H */

/* ==========================================================================
   IMPLEMENTATION
   ========================================================================== */
#ifdef LLM_IMPLEMENTATION
#ifndef LLM_IMPLEMENTATION_DONE
#define LLM_IMPLEMENTATION_DONE

/* ---- config --------------------------------------------------------------- */

#include <string.h>
#include <math.h>

#if defined(LLM_MALLOC) != defined(LLM_FREE)
#error "llm.h: define both LLM_MALLOC and LLM_FREE, or neither"
#endif
#ifndef LLM_MALLOC
#include <stdlib.h>
#define LLM_MALLOC(sz) malloc(sz)
#define LLM_FREE(p) free(p)
#endif
#ifndef LLM_ASSERT
#include <assert.h>
#define LLM_ASSERT(x) assert(x)
#endif

#ifndef LLM_NO_STDIO
#include <stdio.h>
#if !defined(LLM_NO_MMAP) && (defined(__unix__) || defined(__APPLE__))
#define LLM__HAVE_MMAP 1
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#endif
#endif

#if defined(_OPENMP) && !defined(LLM_NO_OPENMP)
#define LLM__OMP 1
#include <omp.h>
#define LLM__PRAGMA(x) _Pragma(#x)
#define LLM__PARALLEL_FOR(nt) LLM__PRAGMA(omp parallel for schedule(static) num_threads(nt))
#else
#define LLM__PARALLEL_FOR(nt)
#endif

#ifndef LLM_MAX_THREADS
#define LLM_MAX_THREADS 256
#endif
#define LLM_ST_MAX_HEADER 100000000u
#define LLM_MAX_TENSORS 65536u
#define LLM_JSON_MAX_DEPTH 64
#define LLM__MAX_LAYER 1024
#define LLM__MAX_EMBD 65536
#define LLM__MAX_CTX 1048576
#define LLM__MAX_VOCAB 16777216

#ifdef __cplusplus
#define LLM__CAST(T, x) static_cast<T>(x)
#else
#define LLM__CAST(T, x) ((T)(x))
#endif

/* ---- utilities ------------------------------------------------------------ */

LLM_API const char *llm_status_string(llm_status s) {
    switch (s) {
    case LLM_OK: return "LLM_OK";
    case LLM_ERR_INVALID_ARG: return "LLM_ERR_INVALID_ARG";
    case LLM_ERR_OUT_OF_MEMORY: return "LLM_ERR_OUT_OF_MEMORY";
    case LLM_ERR_IO: return "LLM_ERR_IO";
    case LLM_ERR_FORMAT: return "LLM_ERR_FORMAT";
    case LLM_ERR_UNSUPPORTED: return "LLM_ERR_UNSUPPORTED";
    case LLM_ERR_SHAPE: return "LLM_ERR_SHAPE";
    case LLM_ERR_LIMIT: return "LLM_ERR_LIMIT";
    case LLM_ERR_CONTEXT_FULL: return "LLM_ERR_CONTEXT_FULL";
    case LLM_ERR_TOKEN_RANGE: return "LLM_ERR_TOKEN_RANGE";
    case LLM_ERR_BUFFER_TOO_SMALL: return "LLM_ERR_BUFFER_TOO_SMALL";
    }
    return "LLM_ERR_UNKNOWN";
}

/* Checked size arithmetic: return 0 on overflow (and leave *r unchanged). */
static int llm__mul(size_t a, size_t b, size_t *r) {
    if (a != 0 && b > (size_t)-1 / a) return 0;
    *r = a * b;
    return 1;
}
static int llm__add(size_t a, size_t b, size_t *r) {
    if (b > (size_t)-1 - a) return 0;
    *r = a + b;
    return 1;
}

static void *llm__alloc(size_t n) { return n ? LLM_MALLOC(n) : NULL; }
static void llm__free(void *p) { if (p) LLM_FREE(p); }

/* A tiny formatter for error messages (no stdio needed):
   %s %.*s %d %u %zu %c %%. Always NUL-terminates. */
typedef struct { char *p; size_t n, cap; } llm__buf;
static void llm__putc(llm__buf *b, char c) { if (b->n + 1 < b->cap) b->p[b->n++] = c; }
static void llm__puts(llm__buf *b, const char *s, size_t n) { size_t i; for (i = 0; i < n && s[i]; i++) llm__putc(b, s[i]); }
static void llm__putu(llm__buf *b, unsigned long long v, int neg) {
    char tmp[24]; int k = 0;
    if (neg) llm__putc(b, '-');
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k) llm__putc(b, tmp[--k]);
}

#include <stdarg.h>
static void llm__vfmt(char *out, size_t cap, const char *fmt, va_list ap) {
    llm__buf b;
    b.p = out; b.n = 0; b.cap = cap;
    if (!cap) return;
    for (; *fmt; fmt++) {
        if (*fmt != '%') { llm__putc(&b, *fmt); continue; }
        fmt++;
        if (*fmt == 's') { const char *s = va_arg(ap, const char *); llm__puts(&b, s ? s : "(null)", (size_t)-1); }
        else if (*fmt == '.' && fmt[1] == '*' && fmt[2] == 's') {
            int n = va_arg(ap, int); const char *s = va_arg(ap, const char *);
            llm__puts(&b, s, n < 0 ? 0 : (size_t)n); fmt += 2;
        }
        else if (*fmt == 'd') { int v = va_arg(ap, int); llm__putu(&b, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0); }
        else if (*fmt == 'u') llm__putu(&b, va_arg(ap, unsigned), 0);
        else if (*fmt == 'z' && fmt[1] == 'u') { llm__putu(&b, va_arg(ap, size_t), 0); fmt++; }
        else if (*fmt == 'c') llm__putc(&b, (char)va_arg(ap, int));
        else if (*fmt == '%') llm__putc(&b, '%');
        else if (!*fmt) break;
    }
    b.p[b.n] = 0;
}

/* Record an error in an object's buffer and return its status. */
static llm_status llm__err(char *buf, llm_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    llm__vfmt(buf, LLM_ERROR_SIZE, fmt, ap);
    va_end(ap);
    return st;
}

/* snprintf-like, with llm__vfmt's conversions. */
static void llm__fmt(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    llm__vfmt(out, cap, fmt, ap);
    va_end(ap);
}
static const char *llm__msg(const char *buf) { return buf[0] ? buf : "no error"; }

/* IEEE half / bfloat16 -> float, bit-exact. */
static float llm__bits_to_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static float llm__f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) return llm__bits_to_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        float v = (float)man * (1.0f / 16777216.0f); /* man * 2^-24 */
        return sign ? -v : v;
    }
    return llm__bits_to_f32(sign | ((exp + 112u) << 23) | (man << 13));
}
static float llm__bf16_to_f32(uint16_t h) { return llm__bits_to_f32((uint32_t)h << 16); }

static uint16_t llm__rd16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint64_t llm__rd64(const unsigned char *p) {
    uint64_t v = 0; int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Whole-file access (the only place llm.h touches files). */
#ifndef LLM_NO_STDIO
static llm_status llm__read_file(const char *path, unsigned char **data, size_t *size, char *err) {
    FILE *f = fopen(path, "rb");
    long end;
    size_t n;
    unsigned char *buf;
    *data = NULL; *size = 0;
    if (!f) return llm__err(err, LLM_ERR_IO, "cannot open '%s'", path);
    if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return llm__err(err, LLM_ERR_IO, "cannot size '%s'", path);
    }
    n = (size_t)end;
    buf = LLM__CAST(unsigned char *, llm__alloc(n + 1));
    if (!buf) { fclose(f); return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory reading '%s' (%zu bytes)", path, n); }
    if (fread(buf, 1, n, f) != n) {
        fclose(f); llm__free(buf);
        return llm__err(err, LLM_ERR_IO, "cannot read '%s'", path);
    }
    fclose(f);
    buf[n] = 0;
    *data = buf; *size = n;
    return LLM_OK;
}
static int llm__file_exists(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}
/* dir + "/" + name into out; 0 if it doesn't fit. */
static int llm__join(char *out, size_t cap, const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    if (a + b + 2 > cap) return 0;
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, name, b + 1);
    return 1;
}
#endif

/* ==========================================================================
   JSON (strict RFC 8259, iterative, for safetensors headers, config.json,
   vocab.json and tokenizer.json)
   ==========================================================================
   The parser produces a flat array of tokens in document order. An object
   token is followed by key, value, key, value...; every token records the
   index just past its whole subtree (`end`), so skipping a value is O(1). */

enum { LLM__J_OBJ = 1, LLM__J_ARR, LLM__J_STR, LLM__J_NUM, LLM__J_TRUE, LLM__J_FALSE, LLM__J_NULL };

typedef struct llm__jtok {
    int type;
    int escaped;      /* string has backslash escapes */
    size_t start;     /* byte offset (strings: after the opening quote) */
    size_t len;       /* byte length (strings: without quotes) */
    size_t n;         /* object: number of keys; array: number of items */
    size_t end;       /* index of the first token after this subtree */
} llm__jtok;

typedef struct llm__json {
    const char *s;
    llm__jtok *t;
    size_t n;
} llm__json;

static int llm__hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Scan a string starting after the quote; returns the index of the closing
   quote or (size_t)-1. Sets *esc if it holds escapes. */
static size_t llm__json_scan_str(const char *s, size_t n, size_t i, int *esc) {
    *esc = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') return i;
        if (c < 0x20) return (size_t)-1;
        if (c == '\\') {
            *esc = 1;
            if (i + 1 >= n) return (size_t)-1;
            c = (unsigned char)s[i + 1];
            if (c == 'u') {
                int k;
                if (i + 6 > n) return (size_t)-1;
                for (k = 2; k < 6; k++) if (llm__hexval((unsigned char)s[i + k]) < 0) return (size_t)-1;
                i += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", c) || c == 0) return (size_t)-1;
            i += 2;
            continue;
        }
        i++;
    }
    return (size_t)-1;
}

static size_t llm__json_scan_num(const char *s, size_t n, size_t i) {
    size_t st;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return (size_t)-1;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') { while (i < n && s[i] >= '0' && s[i] <= '9') i++; }
    else return (size_t)-1;
    if (i < n && s[i] == '.') {
        st = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return (size_t)-1;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return (size_t)-1;
    }
    return i;
}

/* One pass; with toks == NULL it only counts. Returns the token count, or
   (size_t)-1 with a message in err. */
static size_t llm__json_pass(const char *s, size_t n, llm__jtok *toks, char *err, llm_status *status) {
    enum { E_VALUE, E_KEY_OR_CLOSE, E_KEY, E_COLON, E_COMMA_OR_CLOSE, E_VALUE_OR_CLOSE, E_DONE };
    size_t stack[LLM_JSON_MAX_DEPTH];
    size_t i = 0, nt = 0, j;
    int depth = 0, e = E_VALUE, esc;
    for (;;) {
        unsigned char c;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (i >= n) {
            if (e == E_DONE) return nt;
            *status = llm__err(err, LLM_ERR_FORMAT, "JSON: unexpected end of input");
            return (size_t)-1;
        }
        c = (unsigned char)s[i];
        if (e == E_DONE) { *status = llm__err(err, LLM_ERR_FORMAT, "JSON: trailing characters at byte %zu", i); return (size_t)-1; }
        if (e == E_COLON) {
            if (c != ':') goto bad;
            i++; e = E_VALUE; continue;
        }
        if ((e == E_KEY_OR_CLOSE && c == '}') || (e == E_VALUE_OR_CLOSE && c == ']') ||
            (e == E_COMMA_OR_CLOSE && (c == '}' || c == ']'))) {
            size_t open = stack[depth - 1];
            int is_obj = toks ? toks[open].type == LLM__J_OBJ : s[open] == '{';
            if (is_obj != (c == '}')) goto bad;
            if (toks) toks[open].end = nt;
            depth--; i++;
            e = depth ? E_COMMA_OR_CLOSE : E_DONE;
            continue;
        }
        if (e == E_COMMA_OR_CLOSE) {
            if (c != ',') goto bad;
            i++;
            e = (toks ? toks[stack[depth - 1]].type == LLM__J_OBJ : s[stack[depth - 1]] == '{') ? E_KEY : E_VALUE;
            continue;
        }
        if (e == E_KEY_OR_CLOSE || e == E_KEY) {
            if (c != '"') goto bad;
            j = llm__json_scan_str(s, n, i + 1, &esc);
            if (j == (size_t)-1) goto badstr;
            if (toks) {
                llm__jtok *t = &toks[nt];
                t->type = LLM__J_STR; t->escaped = esc; t->start = i + 1; t->len = j - i - 1; t->n = 0; t->end = nt + 1;
                toks[stack[depth - 1]].n++;
            }
            nt++; i = j + 1; e = E_COLON;
            continue;
        }
        /* a value */
        if (toks) {
            llm__jtok *t = &toks[nt];
            t->escaped = 0; t->start = i; t->n = 0; t->end = nt + 1; t->len = 0;
            if (depth && toks[stack[depth - 1]].type == LLM__J_ARR) toks[stack[depth - 1]].n++;
        }
        if (c == '{' || c == '[') {
            if (depth >= LLM_JSON_MAX_DEPTH) { *status = llm__err(err, LLM_ERR_LIMIT, "JSON: nesting deeper than %d", LLM_JSON_MAX_DEPTH); return (size_t)-1; }
            /* in counting mode the stack holds byte offsets of the brackets */
            stack[depth++] = toks ? nt : i;
            if (toks) toks[nt].type = c == '{' ? LLM__J_OBJ : LLM__J_ARR;
            nt++; i++;
            e = c == '{' ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE;
            continue;
        }
        if (c == '"') {
            j = llm__json_scan_str(s, n, i + 1, &esc);
            if (j == (size_t)-1) goto badstr;
            if (toks) { toks[nt].type = LLM__J_STR; toks[nt].escaped = esc; toks[nt].start = i + 1; toks[nt].len = j - i - 1; }
            j++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            j = llm__json_scan_num(s, n, i);
            if (j == (size_t)-1) goto bad;
            if (toks) { toks[nt].type = LLM__J_NUM; toks[nt].len = j - i; }
        } else if (n - i >= 4 && !memcmp(s + i, "true", 4)) {
            j = i + 4; if (toks) toks[nt].type = LLM__J_TRUE;
        } else if (n - i >= 5 && !memcmp(s + i, "false", 5)) {
            j = i + 5; if (toks) toks[nt].type = LLM__J_FALSE;
        } else if (n - i >= 4 && !memcmp(s + i, "null", 4)) {
            j = i + 4; if (toks) toks[nt].type = LLM__J_NULL;
        } else goto bad;
        nt++; i = j;
        e = depth ? E_COMMA_OR_CLOSE : E_DONE;
        continue;
    bad:
        *status = llm__err(err, LLM_ERR_FORMAT, "JSON: unexpected character at byte %zu", i);
        return (size_t)-1;
    badstr:
        *status = llm__err(err, LLM_ERR_FORMAT, "JSON: invalid string at byte %zu", i);
        return (size_t)-1;
    }
}

/* Parse s[0..n) into j. On failure err holds the message. */
static llm_status llm__json_parse(llm__json *j, const char *s, size_t n, char *err) {
    size_t count, bytes;
    llm_status st = LLM_ERR_FORMAT;
    j->s = s; j->t = NULL; j->n = 0;
    count = llm__json_pass(s, n, NULL, err, &st);
    if (count == (size_t)-1) return st;
    if (!llm__mul(count, sizeof(llm__jtok), &bytes))
        return llm__err(err, LLM_ERR_LIMIT, "JSON: too many values");
    j->t = LLM__CAST(llm__jtok *, llm__alloc(bytes));
    if (!j->t) return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "JSON: out of memory (%zu values)", count);
    if (llm__json_pass(s, n, j->t, err, &st) != count) { /* cannot differ; defensive */
        llm__free(j->t); j->t = NULL;
        return LLM_ERR_FORMAT;
    }
    j->n = count;
    return LLM_OK;
}
static void llm__json_free(llm__json *j) { llm__free(j->t); j->t = NULL; j->n = 0; }

static void llm__utf8_put(unsigned char *o, size_t *k, uint32_t cp) {
    if (cp < 0x80) o[(*k)++] = (unsigned char)cp;
    else if (cp < 0x800) { o[(*k)++] = (unsigned char)(0xc0 | (cp >> 6)); o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f)); }
    else if (cp < 0x10000) { o[(*k)++] = (unsigned char)(0xe0 | (cp >> 12)); o[(*k)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f)); }
    else { o[(*k)++] = (unsigned char)(0xf0 | (cp >> 18)); o[(*k)++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)); o[(*k)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f)); }
}

/* Decode string token t into out (which needs t->len + 1 bytes: decoding
   never grows a string). Writes the length to *len and NUL-terminates.
   Returns 0 for a lone surrogate escape. */
static int llm__json_str(const llm__json *j, size_t ti, char *out, size_t *len) {
    const llm__jtok *t = &j->t[ti];
    const char *s = j->s + t->start;
    unsigned char *o = (unsigned char *)out;
    size_t i = 0, k = 0;
    if (!t->escaped) { memcpy(out, s, t->len); out[t->len] = 0; *len = t->len; return 1; }
    while (i < t->len) {
        if (s[i] != '\\') { o[k++] = (unsigned char)s[i++]; continue; }
        switch (s[i + 1]) {
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            uint32_t cp = 0; int q;
            for (q = 2; q < 6; q++) cp = cp * 16 + (uint32_t)llm__hexval((unsigned char)s[i + q]);
            if (cp >= 0xd800 && cp < 0xdc00) {
                uint32_t lo = 0;
                if (i + 12 > t->len || s[i + 6] != '\\' || s[i + 7] != 'u') return 0;
                for (q = 8; q < 12; q++) lo = lo * 16 + (uint32_t)llm__hexval((unsigned char)s[i + q]);
                if (lo < 0xdc00 || lo >= 0xe000) return 0;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else if (cp >= 0xdc00 && cp < 0xe000) return 0;
            llm__utf8_put(o, &k, cp);
            i += 6;
            continue;
        }
        default: o[k++] = (unsigned char)s[i + 1]; break; /* " \ / */
        }
        i += 2;
    }
    out[k] = 0;
    *len = k;
    return 1;
}

/* Does string token ti equal the C string lit (no escapes in lit)? */
static int llm__json_eq(const llm__json *j, size_t ti, const char *lit) {
    const llm__jtok *t = &j->t[ti];
    size_t n = strlen(lit);
    return t->type == LLM__J_STR && !t->escaped && t->len == n && !memcmp(j->s + t->start, lit, n);
}

/* Value token of key in object token obj, or (size_t)-1. */
static size_t llm__json_get(const llm__json *j, size_t obj, const char *key) {
    size_t c = obj + 1, k;
    if (j->t[obj].type != LLM__J_OBJ) return (size_t)-1;
    for (k = 0; k < j->t[obj].n; k++) {
        if (llm__json_eq(j, c, key)) return c + 1;
        c = j->t[c + 1].end;
    }
    return (size_t)-1;
}

/* Non-negative integer value (no fraction or exponent) that fits in *v. */
static int llm__json_uint(const llm__json *j, size_t ti, uint64_t *v) {
    const llm__jtok *t = &j->t[ti];
    const char *s = j->s + t->start;
    uint64_t r = 0;
    size_t i;
    if (t->type != LLM__J_NUM) return 0;
    for (i = 0; i < t->len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') return 0;
        d = (unsigned)(s[i] - '0');
        if (r > (UINT64_MAX - d) / 10) return 0;
        r = r * 10 + d;
    }
    *v = r;
    return 1;
}

/* Any number as double (correctly rounded for short decimals such as
   1e-05; enough for configuration values). */
static int llm__json_double(const llm__json *j, size_t ti, double *v) {
    const llm__jtok *t = &j->t[ti];
    const char *s = j->s + t->start;
    size_t i = 0;
    int neg = 0, ex = 0, eneg = 0, digits = 0, e10 = 0;
    double m = 0;
    if (t->type != LLM__J_NUM) return 0;
    if (s[i] == '-') { neg = 1; i++; }
    for (; i < t->len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (digits < 18) { m = m * 10 + (s[i] - '0'); if (m > 0) digits++; } else e10++;
    }
    if (i < t->len && s[i] == '.') {
        for (i++; i < t->len && s[i] >= '0' && s[i] <= '9'; i++)
            if (digits < 18) { m = m * 10 + (s[i] - '0'); e10--; if (m > 0) digits++; }
    }
    if (i < t->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (s[i] == '-') { eneg = 1; i++; } else if (s[i] == '+') i++;
        for (; i < t->len; i++) if (ex < 100000) ex = ex * 10 + (s[i] - '0');
    }
    e10 += eneg ? -ex : ex;
    if (m == 0) { *v = neg ? -0.0 : 0.0; return 1; }
    if (e10 > 400) m = HUGE_VAL;
    else if (e10 < -400) m = 0;
    else if (e10 < 0) m = m / pow(10.0, -e10);
    else m = m * pow(10.0, e10);
    *v = neg ? -m : m;
    return 1;
}

/* ==========================================================================
   SAFETENSORS
   ========================================================================== */

static const char *const llm__dtype_names[LLM_DTYPE_COUNT] = {
    "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8",
    "U64", "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2"
};
static const unsigned char llm__dtype_sizes[LLM_DTYPE_COUNT] = { 4, 2, 2, 8, 8, 4, 2, 1, 8, 4, 2, 1, 1, 1, 1 };

LLM_API const char *llm_dtype_name(llm_dtype t) { return (unsigned)t < LLM_DTYPE_COUNT ? llm__dtype_names[t] : "?"; }
LLM_API size_t llm_dtype_size(llm_dtype t) { return (unsigned)t < LLM_DTYPE_COUNT ? llm__dtype_sizes[t] : 0; }

LLM_API const char *llm_safetensors_error(const llm_safetensors *st) { return st ? llm__msg(st->error) : "NULL safetensors"; }

static void llm__st_release(llm_safetensors *st) {
    llm__free(st->_block);
    llm__free(st->_owned);
#ifdef LLM__HAVE_MMAP
    if (st->_map) munmap(st->_map, st->_map_size);
#endif
    st->_block = st->_owned = st->_map = NULL;
    st->tensors = NULL; st->meta = NULL;
    st->n_tensors = st->n_meta = 0;
    st->image = NULL; st->image_size = 0;
}

LLM_API void llm_safetensors_close(llm_safetensors *st) {
    if (!st) return;
    llm__st_release(st);
}

/* Sort tensors by data offset (heap sort: no recursion, O(n log n)). */
static void llm__st_sort(llm_tensor *t, size_t *off, size_t n) {
    size_t start, end;
    for (start = n / 2; start-- > 0;) {
        size_t r = start;
        for (;;) {
            size_t c = 2 * r + 1;
            llm_tensor tt; size_t to;
            if (c >= n) break;
            if (c + 1 < n && off[c + 1] > off[c]) c++;
            if (off[r] >= off[c]) break;
            tt = t[r]; t[r] = t[c]; t[c] = tt; to = off[r]; off[r] = off[c]; off[c] = to;
            r = c;
        }
    }
    for (end = n; end-- > 1;) {
        size_t r = 0;
        llm_tensor tt = t[0]; size_t to = off[0];
        t[0] = t[end]; t[end] = tt; off[0] = off[end]; off[end] = to;
        for (;;) {
            size_t c = 2 * r + 1;
            if (c >= end) break;
            if (c + 1 < end && off[c + 1] > off[c]) c++;
            if (off[r] >= off[c]) break;
            tt = t[r]; t[r] = t[c]; t[c] = tt; to = off[r]; off[r] = off[c]; off[c] = to;
            r = c;
        }
    }
}

/* Parse one tensor entry (value token v) into *out; name already set. */
static llm_status llm__st_entry(llm_safetensors *st, const llm__json *j, size_t v, llm_tensor *out,
                                size_t *begin, size_t data_size) {
    size_t dt = llm__json_get(j, v, "dtype"), sh = llm__json_get(j, v, "shape");
    size_t of = llm__json_get(j, v, "data_offsets"), k, c, nbytes;
    uint64_t b64, e64;
    const char *nm = out->name;
    int d;
    if (j->t[v].type != LLM__J_OBJ) return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': entry is not an object", nm);
    if (dt == (size_t)-1 || j->t[dt].type != LLM__J_STR) return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': missing dtype", nm);
    if (sh == (size_t)-1 || j->t[sh].type != LLM__J_ARR) return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': missing shape", nm);
    if (of == (size_t)-1 || j->t[of].type != LLM__J_ARR || j->t[of].n != 2)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': data_offsets must be [begin, end]", nm);
    for (d = 0; d < LLM_DTYPE_COUNT; d++) if (llm__json_eq(j, dt, llm__dtype_names[d])) break;
    if (d == LLM_DTYPE_COUNT)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': unknown dtype \"%.*s\"", nm,
                        (int)(j->t[dt].len > 16 ? 16 : j->t[dt].len), j->s + j->t[dt].start);
    out->dtype = (llm_dtype)d;
    if (j->t[sh].n > LLM_MAX_DIMS) return llm__err(st->error, LLM_ERR_LIMIT, "tensor '%s': more than %d dimensions", nm, LLM_MAX_DIMS);
    out->ndim = (int)j->t[sh].n;
    out->numel = 1;
    for (k = 0, c = sh + 1; k < j->t[sh].n; k++, c++) {
        uint64_t dim;
        if (!llm__json_uint(j, c, &dim) || dim > (uint64_t)(size_t)-1)
            return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': shape entries must be non-negative integers", nm);
        out->shape[k] = (size_t)dim;
        if (!llm__mul(out->numel, (size_t)dim, &out->numel))
            return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': shape product overflows", nm);
    }
    if (!llm__mul(out->numel, llm__dtype_sizes[d], &nbytes))
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': byte size overflows", nm);
    if (!llm__json_uint(j, of + 1, &b64) || !llm__json_uint(j, of + 2, &e64) || b64 > e64)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': bad data_offsets", nm);
    if (e64 > data_size) return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': data_offsets past the end of the file", nm);
    if ((size_t)(e64 - b64) != nbytes)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': %zu bytes in the file but shape x dtype needs %zu",
                        nm, (size_t)(e64 - b64), nbytes);
    out->nbytes = nbytes;
    *begin = (size_t)b64;
    return LLM_OK;
}

static llm_status llm__st_parse(llm_safetensors *st) {
    const unsigned char *img = st->image;
    size_t size = st->image_size, hlen, data_size, k, c, nt = 0, nm = 0, names = 0, bytes, i;
    uint64_t h64;
    llm__json j;
    llm_status r;
    size_t *offs = NULL;
    char *np;
    if (size < 8) return llm__err(st->error, LLM_ERR_FORMAT, "file too short for a safetensors header (%zu bytes)", size);
    h64 = llm__rd64(img);
    if (h64 > LLM_ST_MAX_HEADER) return llm__err(st->error, LLM_ERR_FORMAT, "header size %zu is over the format's 100 MB limit", (size_t)(h64 > 0xffffffffu ? 0xffffffffu : h64));
    if (h64 > size - 8) return llm__err(st->error, LLM_ERR_FORMAT, "header size %zu runs past the end of the file (%zu bytes)", (size_t)h64, size);
    hlen = (size_t)h64;
    data_size = size - 8 - hlen;
    r = llm__json_parse(&j, (const char *)img + 8, hlen, st->error);
    if (r != LLM_OK) return r;
    if (j.t[0].type != LLM__J_OBJ) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_FORMAT, "header is not a JSON object"); }
    /* count tensors, metadata entries and name bytes */
    for (k = 0, c = 1; k < j.t[0].n; k++, c = j.t[c + 1].end) {
        if (llm__json_eq(&j, c, "__metadata__")) {
            size_t v = c + 1, q, cc;
            if (j.t[v].type != LLM__J_OBJ) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_FORMAT, "__metadata__ is not an object"); }
            for (q = 0, cc = v + 1; q < j.t[v].n; q++, cc = j.t[cc + 1].end) {
                if (j.t[cc + 1].type != LLM__J_STR) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_FORMAT, "__metadata__ values must be strings"); }
                names += j.t[cc].len + j.t[cc + 1].len + 2;
                nm++;
            }
        } else {
            nt++;
            names += j.t[c].len + 1;
        }
    }
    if (nt > LLM_MAX_TENSORS) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_LIMIT, "%zu tensors (limit %u)", nt, LLM_MAX_TENSORS); }
    /* one block: tensors, offsets, meta pointers, names (sizes are bounded
       by the header size, so these sums cannot overflow) */
    bytes = nt * sizeof(llm_tensor) + nt * sizeof(size_t) + 2 * nm * sizeof(char *) + names;
    st->_block = llm__alloc(bytes ? bytes : 1);
    if (!st->_block) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu tensors", nt); }
    st->tensors = (llm_tensor *)st->_block;
    offs = (size_t *)(void *)(st->tensors + nt);
    st->meta = (const char **)(void *)(offs + nt);
    np = (char *)(void *)(st->meta + 2 * nm);
    for (k = 0, c = 1; k < j.t[0].n; k++, c = j.t[c + 1].end) {
        size_t len;
        if (llm__json_eq(&j, c, "__metadata__")) {
            size_t v = c + 1, q, cc;
            for (q = 0, cc = v + 1; q < j.t[v].n; q++, cc = j.t[cc + 1].end) {
                if (!llm__json_str(&j, cc, np, &len)) goto badname;
                st->meta[2 * st->n_meta] = np; np += len + 1;
                if (!llm__json_str(&j, cc + 1, np, &len)) goto badname;
                st->meta[2 * st->n_meta + 1] = np; np += len + 1;
                st->n_meta++;
            }
            continue;
        } else {
            llm_tensor *t = &st->tensors[st->n_tensors];
            memset(t, 0, sizeof *t);
            if (!llm__json_str(&j, c, np, &len)) goto badname;
            t->name = np; np += len + 1;
            for (i = 0; i < st->n_tensors; i++) /* duplicates: rare, O(n^2) on names is fine up to 64k? use strcmp */
                if (!strcmp(st->tensors[i].name, t->name)) { llm__json_free(&j); return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s' appears twice", t->name); }
            r = llm__st_entry(st, &j, c + 1, t, &offs[st->n_tensors], data_size);
            if (r != LLM_OK) { llm__json_free(&j); return r; }
            st->n_tensors++;
        }
    }
    llm__json_free(&j);
    /* contiguous, non-overlapping, no holes, fully indexed */
    llm__st_sort(st->tensors, offs, nt);
    {
        size_t at = 0;
        for (i = 0; i < nt; i++) {
            if (offs[i] != at)
                return llm__err(st->error, LLM_ERR_FORMAT, offs[i] > at ? "tensor '%s' leaves a hole before it in the data" : "tensor '%s' overlaps the one before it", st->tensors[i].name);
            at += st->tensors[i].nbytes;
            st->tensors[i].data = img + 8 + hlen + offs[i];
        }
        if (at != data_size)
            return llm__err(st->error, LLM_ERR_FORMAT, "%zu bytes of data after the last tensor", data_size - at);
    }
    return LLM_OK;
badname:
    llm__json_free(&j);
    return llm__err(st->error, LLM_ERR_FORMAT, "header has an invalid \\u escape");
}

static void llm__st_zero(llm_safetensors *st) {
    memset(st, 0, sizeof *st);
}

LLM_API llm_status llm_safetensors_open_memory(llm_safetensors *st, const void *data, size_t size) {
    llm_status r;
    if (!st) return LLM_ERR_INVALID_ARG;
    llm__st_zero(st);
    if (!data) return llm__err(st->error, LLM_ERR_INVALID_ARG, "NULL data");
    st->image = (const unsigned char *)data;
    st->image_size = size;
    r = llm__st_parse(st);
    if (r != LLM_OK) llm__st_release(st);
    return r;
}

#ifndef LLM_NO_STDIO
static llm_status llm__st_open(llm_safetensors *st, const char *path, int no_mmap) {
    llm_status r;
    if (!st) return LLM_ERR_INVALID_ARG;
    llm__st_zero(st);
    if (!path) return llm__err(st->error, LLM_ERR_INVALID_ARG, "NULL path");
#ifdef LLM__HAVE_MMAP
    if (!no_mmap) {
        struct stat sb;
        int fd = open(path, O_RDONLY);
        if (fd < 0) return llm__err(st->error, LLM_ERR_IO, "cannot open '%s'", path);
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) { close(fd); return llm__err(st->error, LLM_ERR_IO, "'%s' is not a regular file", path); }
        st->image_size = (size_t)sb.st_size;
        if (st->image_size > 0) {
            void *p = mmap(NULL, st->image_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p != MAP_FAILED) { st->_map = p; st->_map_size = st->image_size; st->image = (const unsigned char *)p; }
        }
        close(fd);
        if (!st->_map && st->image_size > 0) no_mmap = 1; /* fall back to reading */
        else st->image = st->_map ? st->image : (const unsigned char *)"";
    }
#endif
    if (no_mmap || !st->image) {
        unsigned char *buf;
        size_t n;
        r = llm__read_file(path, &buf, &n, st->error);
        if (r != LLM_OK) return r;
        st->_owned = buf; st->image = buf; st->image_size = n;
    }
    r = llm__st_parse(st);
    if (r != LLM_OK) llm__st_release(st);
    return r;
}
LLM_API llm_status llm_safetensors_open(llm_safetensors *st, const char *path) { return llm__st_open(st, path, 0); }
#else
LLM_API llm_status llm_safetensors_open(llm_safetensors *st, const char *path) {
    (void)path;
    if (!st) return LLM_ERR_INVALID_ARG;
    llm__st_zero(st);
    return llm__err(st->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_STDIO: use llm_safetensors_open_memory");
}
#endif

LLM_API const llm_tensor *llm_safetensors_find(const llm_safetensors *st, const char *name) {
    size_t i;
    if (!st || !name) return NULL;
    for (i = 0; i < st->n_tensors; i++)
        if (!strcmp(st->tensors[i].name, name)) return &st->tensors[i];
    return NULL;
}

LLM_API const char *llm_safetensors_metadata(const llm_safetensors *st, const char *key) {
    size_t i;
    if (!st || !key) return NULL;
    for (i = 0; i < st->n_meta; i++)
        if (!strcmp(st->meta[2 * i], key)) return st->meta[2 * i + 1];
    return NULL;
}

/* ==========================================================================
   MODEL (config, tensor binding)
   ========================================================================== */

#ifndef LLM_NO_STDIO
static int llm__tok_folder_has_files(const char *dir); /* tokenizer section */
#endif

LLM_API const char *llm_model_error(const llm_model *m) { return m ? llm__msg(m->error) : "NULL model"; }

/* Read config.json into c (fields it lacks keep their values). */
static llm_status llm__config_parse(llm_config *c, const char *text, size_t len, char *err) {
    static const char *const int_keys[5] = { "n_layer", "n_head", "n_embd", "n_positions", "vocab_size" };
    int *const int_dst[5] = { &c->n_layer, &c->n_head, &c->n_embd, &c->n_ctx, &c->n_vocab };
    static const int limits[5] = { LLM__MAX_LAYER, 65536, LLM__MAX_EMBD, LLM__MAX_CTX, LLM__MAX_VOCAB };
    llm__json j;
    size_t v;
    int k;
    llm_status r = llm__json_parse(&j, text, len, err);
    if (r != LLM_OK) { char tmp[LLM_ERROR_SIZE]; memcpy(tmp, err, LLM_ERROR_SIZE); return llm__err(err, r, "config.json: %s", tmp); }
    if (j.t[0].type != LLM__J_OBJ) { r = llm__err(err, LLM_ERR_FORMAT, "config.json is not a JSON object"); goto done; }
    for (k = 0; k < 5; k++) {
        uint64_t u;
        v = llm__json_get(&j, 0, int_keys[k]);
        if (v == (size_t)-1 && k == 3) v = llm__json_get(&j, 0, "n_ctx");
        if (v == (size_t)-1) { r = llm__err(err, LLM_ERR_FORMAT, "config.json: missing \"%s\"", int_keys[k]); goto done; }
        if (!llm__json_uint(&j, v, &u) || u == 0) { r = llm__err(err, LLM_ERR_FORMAT, "config.json: \"%s\" must be a positive integer", int_keys[k]); goto done; }
        if (u > (uint64_t)limits[k]) { r = llm__err(err, LLM_ERR_LIMIT, "config.json: \"%s\" is over llm.h's limit of %d", int_keys[k], limits[k]); goto done; }
        *int_dst[k] = (int)u;
    }
    v = llm__json_get(&j, 0, "n_inner");
    if (v != (size_t)-1 && j.t[v].type != LLM__J_NULL) {
        uint64_t u;
        if (!llm__json_uint(&j, v, &u) || u == 0) { r = llm__err(err, LLM_ERR_FORMAT, "config.json: \"n_inner\" must be a positive integer or null"); goto done; }
        if (u > 4 * (uint64_t)LLM__MAX_EMBD) { r = llm__err(err, LLM_ERR_LIMIT, "config.json: \"n_inner\" is too large"); goto done; }
        c->n_inner = (int)u;
    }
    v = llm__json_get(&j, 0, "layer_norm_epsilon");
    if (v != (size_t)-1) {
        double d;
        if (!llm__json_double(&j, v, &d) || !(d > 0 && d < 1)) { r = llm__err(err, LLM_ERR_FORMAT, "config.json: \"layer_norm_epsilon\" must be in (0, 1)"); goto done; }
        c->ln_eps = (float)d;
    }
    v = llm__json_get(&j, 0, "activation_function");
    if (v != (size_t)-1 && !llm__json_eq(&j, v, "gelu_new") && !llm__json_eq(&j, v, "gelu_pytorch_tanh") && !llm__json_eq(&j, v, "gelu_fast")) {
        r = llm__err(err, LLM_ERR_UNSUPPORTED, "config.json: activation_function \"%.*s\" is not implemented (llm.h does GELU, tanh form: gelu_new)",
                     (int)(j.t[v].len > 40 ? 40 : j.t[v].len), j.s + j.t[v].start);
        goto done;
    }
    v = llm__json_get(&j, 0, "model_type");
    if (v != (size_t)-1 && !llm__json_eq(&j, v, "gpt2")) {
        r = llm__err(err, LLM_ERR_UNSUPPORTED, "config.json: model_type \"%.*s\" is not GPT-2", (int)(j.t[v].len > 40 ? 40 : j.t[v].len), j.s + j.t[v].start);
        goto done;
    }
    {   /* boolean switches that change GPT-2's maths: only the defaults */
        static const char *const flags[4] = { "scale_attn_weights", "scale_attn_by_inverse_layer_idx", "add_cross_attention", "tie_word_embeddings" };
        static const int want[4] = { 1, 0, 0, -1 };
        for (k = 0; k < 4; k++) {
            v = llm__json_get(&j, 0, flags[k]);
            if (v == (size_t)-1 || want[k] < 0) continue;
            if ((j.t[v].type == LLM__J_TRUE) != (want[k] == 1) || (j.t[v].type != LLM__J_TRUE && j.t[v].type != LLM__J_FALSE)) {
                r = llm__err(err, LLM_ERR_UNSUPPORTED, "config.json: \"%s\" = %s is not implemented", flags[k], want[k] ? "false" : "true");
                goto done;
            }
        }
    }
    r = LLM_OK;
done:
    llm__json_free(&j);
    return r;
}

/* Tensor binding runs twice: pass 0 only sums the bytes that must be
   converted or realigned (ctx.need), pass 1 fills them in (ctx.cur). */
typedef struct llm__bind {
    llm_model *m;
    const char *prefix;      /* "transformer." or "" */
    int fill;
    size_t need;
    unsigned char *cur;
} llm__bind;

static const llm_tensor *llm__bind_find(llm__bind *b, const char *name) {
    char full[128];
    size_t pl = strlen(b->prefix), nl = strlen(name);
    const llm_tensor *t;
    if (pl + nl + 1 > sizeof full) return NULL;
    memcpy(full, b->prefix, pl);
    memcpy(full + pl, name, nl + 1);
    t = llm_safetensors_find(&b->m->_st, full);
    return t;
}

static llm_status llm__bind_check(llm__bind *b, const char *name, const llm_tensor *t, size_t d0, size_t d1, int ndim) {
    int ok;
    if (!t) return llm__err(b->m->error, LLM_ERR_SHAPE, "missing tensor '%s%s'", b->prefix, name);
    if (t->dtype != LLM_DTYPE_F32 && t->dtype != LLM_DTYPE_F16 && t->dtype != LLM_DTYPE_BF16)
        return llm__err(b->m->error, LLM_ERR_UNSUPPORTED, "tensor '%s' has unsupported dtype %s (llm.h reads F32, F16, BF16)", t->name, llm_dtype_name(t->dtype));
    ok = t->ndim == ndim && t->shape[0] == d0 && (ndim == 1 || t->shape[1] == d1);
    if (!ok) {
        if (ndim == 1)
            return llm__err(b->m->error, LLM_ERR_SHAPE, "tensor '%s' has shape [%zu%s] but the model needs [%zu]", t->name,
                            t->ndim ? t->shape[0] : 0, t->ndim > 1 ? ", ..." : "", d0);
        return llm__err(b->m->error, LLM_ERR_SHAPE, "tensor '%s' has shape [%zu, %zu%s] but the model needs [%zu, %zu]", t->name,
                        t->ndim ? t->shape[0] : 0, t->ndim > 1 ? t->shape[1] : 0, t->ndim > 2 ? ", ..." : "", d0, d1);
    }
    return LLM_OK;
}

/* A small vector (or wpe) as f32: used in place if stored F32 and aligned. */
static llm_status llm__bind_f32(llm__bind *b, const char *name, size_t d0, size_t d1, int ndim, const float **out) {
    const llm_tensor *t = llm__bind_find(b, name);
    llm_status r = llm__bind_check(b, name, t, d0, d1, ndim);
    size_t i;
    if (r != LLM_OK) return r;
    if (t->dtype == LLM_DTYPE_F32 && ((uintptr_t)t->data & 3u) == 0) { *out = (const float *)t->data; return LLM_OK; }
    if (!b->fill) { b->need += (t->numel * 4 + 63) & ~(size_t)63; return LLM_OK; }
    {
        float *dst = (float *)(void *)b->cur;
        const unsigned char *src = (const unsigned char *)t->data;
        for (i = 0; i < t->numel; i++) {
            if (t->dtype == LLM_DTYPE_F32) memcpy(&dst[i], src + 4 * i, 4);
            else if (t->dtype == LLM_DTYPE_F16) dst[i] = llm__f16_to_f32(llm__rd16(src + 2 * i));
            else dst[i] = llm__bf16_to_f32(llm__rd16(src + 2 * i));
        }
        *out = dst;
        b->cur += (t->numel * 4 + 63) & ~(size_t)63;
    }
    return LLM_OK;
}

/* A big matrix: used as stored; copied only if misaligned. */
static llm_status llm__bind_mat(llm__bind *b, const char *name, size_t d0, size_t d1, llm__mat *out) {
    const llm_tensor *t = llm__bind_find(b, name);
    llm_status r = llm__bind_check(b, name, t, d0, d1, 2);
    size_t es;
    if (r != LLM_OK) return r;
    es = llm_dtype_size(t->dtype);
    out->type = t->dtype;
    if (((uintptr_t)t->data & (es - 1)) == 0) { out->w = t->data; return LLM_OK; }
    if (!b->fill) { b->need += (t->nbytes + 63) & ~(size_t)63; return LLM_OK; }
    memcpy(b->cur, t->data, t->nbytes);
    out->w = b->cur;
    b->cur += (t->nbytes + 63) & ~(size_t)63;
    return LLM_OK;
}

static llm_status llm__bind_all(llm__bind *b) {
    llm_model *m = b->m;
    const llm_config *c = &m->config;
    size_t C = (size_t)c->n_embd, I = (size_t)c->n_inner, V = (size_t)c->n_vocab;
    char nm[96];
    int l;
    llm_status r;
#define LLM__TRY(x) do { if ((r = (x)) != LLM_OK) return r; } while (0)
    LLM__TRY(llm__bind_mat(b, "wte.weight", V, C, &m->_wte));
    LLM__TRY(llm__bind_f32(b, "wpe.weight", (size_t)c->n_ctx, C, 2, &m->_wpe));
    LLM__TRY(llm__bind_f32(b, "ln_f.weight", C, 0, 1, &m->_lnf_w));
    LLM__TRY(llm__bind_f32(b, "ln_f.bias", C, 0, 1, &m->_lnf_b));
    if (llm_safetensors_find(&m->_st, "lm_head.weight")) {
        const char *saved = b->prefix;
        b->prefix = "";
        r = llm__bind_mat(b, "lm_head.weight", V, C, &m->_lm_head);
        b->prefix = saved;
        if (r != LLM_OK) return r;
    } else m->_lm_head = m->_wte;
    for (l = 0; l < c->n_layer; l++) {
        llm__layer *L = &m->_layers[l];
#define LLM__NAME(s) (llm__fmt(nm, sizeof nm, "h.%d.%s", l, s), nm)
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_1.weight"), C, 0, 1, &L->ln1_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_1.bias"), C, 0, 1, &L->ln1_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("attn.c_attn.weight"), C, 3 * C, &L->qkv_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("attn.c_attn.bias"), 3 * C, 0, 1, &L->qkv_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("attn.c_proj.weight"), C, C, &L->attn_proj_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("attn.c_proj.bias"), C, 0, 1, &L->attn_proj_b));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_2.weight"), C, 0, 1, &L->ln2_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_2.bias"), C, 0, 1, &L->ln2_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("mlp.c_fc.weight"), C, I, &L->fc_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("mlp.c_fc.bias"), I, 0, 1, &L->fc_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("mlp.c_proj.weight"), I, C, &L->mlp_proj_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("mlp.c_proj.bias"), C, 0, 1, &L->mlp_proj_b));
#undef LLM__NAME
    }
#undef LLM__TRY
    return LLM_OK;
}


/* Shapes from the tensors (no config.json), and a cross-check when there is one. */
static llm_status llm__infer_config(llm_model *m, int have_config) {
    llm_config *c = &m->config;
    const llm_tensor *wte, *wpe, *fc;
    char nm[96];
    int n_layer = 0;
    llm__bind b;
    memset(&b, 0, sizeof b);
    b.m = m;
    b.prefix = llm_safetensors_find(&m->_st, "transformer.wte.weight") ? "transformer." : "";
    wte = llm__bind_find(&b, "wte.weight");
    wpe = llm__bind_find(&b, "wpe.weight");
    if (!wte || wte->ndim != 2) return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor 'wte.weight' (or 'transformer.wte.weight') of 2 dimensions: is this a GPT-2 checkpoint?");
    if (!wpe || wpe->ndim != 2) return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor '%swpe.weight' of 2 dimensions", b.prefix);
    while (n_layer <= LLM__MAX_LAYER) {
        llm__fmt(nm, sizeof nm, "h.%d.ln_1.weight", n_layer);
        if (!llm__bind_find(&b, nm)) break;
        n_layer++;
    }
    llm__fmt(nm, sizeof nm, "h.0.mlp.c_fc.weight");
    fc = llm__bind_find(&b, nm);
    if (!have_config) {
        const char *hs = llm_safetensors_metadata(&m->_st, "n_head");
        if (wte->shape[1] > LLM__MAX_EMBD || wte->shape[0] > LLM__MAX_VOCAB || wpe->shape[0] > LLM__MAX_CTX || n_layer > LLM__MAX_LAYER)
            return llm__err(m->error, LLM_ERR_LIMIT, "model shape is over llm.h's limits");
        c->n_embd = (int)wte->shape[1];
        c->n_vocab = (int)wte->shape[0];
        c->n_ctx = (int)wpe->shape[0];
        c->n_layer = n_layer;
        c->n_inner = fc && fc->ndim == 2 && fc->shape[1] <= 4u * LLM__MAX_EMBD ? (int)fc->shape[1] : 4 * c->n_embd;
        if (hs) {
            long v = 0;
            const char *p = hs;
            while (*p >= '0' && *p <= '9' && v < 1000000) v = v * 10 + (*p++ - '0');
            if (*p || p == hs || v <= 0 || v > 65536) return llm__err(m->error, LLM_ERR_FORMAT, "__metadata__ n_head \"%s\" is not a positive integer", hs);
            c->n_head = (int)v;
        } else {
            if (c->n_embd % 64) return llm__err(m->error, LLM_ERR_FORMAT, "no config.json and no __metadata__ n_head: n_embd %d is not a multiple of 64, so n_head cannot be inferred", c->n_embd);
            c->n_head = c->n_embd / 64;
        }
    } else {
        if (c->n_inner == 0) c->n_inner = 4 * c->n_embd;
        if (n_layer != c->n_layer) {
            llm__fmt(nm, sizeof nm, "h.%d.ln_1.weight", n_layer);
            if (n_layer < c->n_layer) return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor '%s%s' (config.json says n_layer %d)", b.prefix, nm, c->n_layer);
            return llm__err(m->error, LLM_ERR_SHAPE, "the file has %d layers but config.json says n_layer %d", n_layer, c->n_layer);
        }
    }
    if (c->n_layer < 1) return llm__err(m->error, LLM_ERR_SHAPE, "no layers (missing tensor '%sh.0.ln_1.weight')", b.prefix);
    if (c->n_embd % c->n_head) return llm__err(m->error, LLM_ERR_FORMAT, "n_embd %d is not divisible by n_head %d", c->n_embd, c->n_head);
    return LLM_OK;
}

/* Everything after the safetensors image is open: config, binding. */
static llm_status llm__model_finish(llm_model *m, const char *config_json, size_t config_len) {
    llm_config *c = &m->config;
    llm__bind b;
    llm_status r;
    size_t bytes;
    memset(c, 0, sizeof *c);
    c->ln_eps = 1e-5f;
    if (config_json) {
        r = llm__config_parse(c, config_json, config_len, m->error);
        if (r != LLM_OK) return r;
    }
    r = llm__infer_config(m, config_json != NULL);
    if (r != LLM_OK) return r;
    if (!llm__mul((size_t)c->n_layer, sizeof(llm__layer), &bytes)) return llm__err(m->error, LLM_ERR_LIMIT, "too many layers");
    m->_layers = LLM__CAST(llm__layer *, llm__alloc(bytes));
    if (!m->_layers) return llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(&b, 0, sizeof b);
    b.m = m;
    b.prefix = llm_safetensors_find(&m->_st, "transformer.wte.weight") ? "transformer." : "";
    r = llm__bind_all(&b);
    if (r != LLM_OK) return r;
    if (b.need) {
        m->_owned = llm__alloc(b.need);
        if (!m->_owned) return llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory converting weights (%zu bytes)", b.need);
        b.fill = 1;
        b.cur = (unsigned char *)m->_owned;
        r = llm__bind_all(&b);
        if (r != LLM_OK) return r;
    }
    m->wtype = m->_wte.type;
    return LLM_OK;
}

static void llm__model_zero(llm_model *m) { memset(m, 0, sizeof *m); }

LLM_API void llm_model_free(llm_model *m) {
    if (!m) return;
    llm_safetensors_close(&m->_st);
    llm__free(m->_layers);
    llm__free(m->_owned);
    llm_tokenizer_free(&m->tokenizer);
    m->_layers = NULL; m->_owned = NULL; m->has_tokenizer = 0;
}

LLM_API llm_status llm_model_load_memory(llm_model *m, const void *data, size_t size, const char *config_json, size_t config_len) {
    llm_status r;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    if (!data) return llm__err(m->error, LLM_ERR_INVALID_ARG, "NULL safetensors data");
    r = llm_safetensors_open_memory(&m->_st, data, size);
    if (r != LLM_OK) { memcpy(m->error, m->_st.error, LLM_ERROR_SIZE); return r; }
    r = llm__model_finish(m, config_json, config_len);
    if (r != LLM_OK) llm_model_free(m);
    return r;
}

#ifndef LLM_NO_STDIO
LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt) {
    char dir[4096], file[4096], cfg_path[4096];
    llm_model_options o;
    unsigned char *cfg = NULL;
    size_t cfg_len = 0, n;
    llm_status r;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    if (!path || !*path) return llm__err(m->error, LLM_ERR_INVALID_ARG, "empty model path");
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    n = strlen(path);
    if (n + 32 > sizeof dir) return llm__err(m->error, LLM_ERR_INVALID_ARG, "model path too long");
    /* a folder holding model.safetensors, or a file (its folder is used
       for config.json and the tokenizer files) */
    if (llm__join(file, sizeof file, path, "model.safetensors") && llm__file_exists(file)) {
        memcpy(dir, path, n + 1);
    } else {
        const char *slash = strrchr(path, '/');
        memcpy(file, path, n + 1);
        if (slash) { memcpy(dir, path, (size_t)(slash - path)); dir[slash - path] = 0; if (!dir[0]) { dir[0] = '/'; dir[1] = 0; } }
        else { dir[0] = '.'; dir[1] = 0; }
        if (!llm__file_exists(file)) {
            char idx[4096];
            if (llm__join(idx, sizeof idx, path, "model.safetensors.index.json") && llm__file_exists(idx))
                return llm__err(m->error, LLM_ERR_UNSUPPORTED, "'%s' holds a sharded checkpoint; llm.h reads a single model.safetensors", path);
            return llm__err(m->error, LLM_ERR_IO, "'%s' is neither a .safetensors file nor a folder with model.safetensors", path);
        }
    }
    r = llm__st_open(&m->_st, file, o.no_mmap);
    if (r != LLM_OK) { memcpy(m->error, m->_st.error, LLM_ERROR_SIZE); return r; }
    if (llm__join(cfg_path, sizeof cfg_path, dir, "config.json") && llm__file_exists(cfg_path)) {
        r = llm__read_file(cfg_path, &cfg, &cfg_len, m->error);
        if (r != LLM_OK) { llm_model_free(m); return r; }
    }
    r = llm__model_finish(m, (const char *)cfg, cfg_len);
    llm__free(cfg);
    if (r == LLM_OK && !o.no_tokenizer && llm__tok_folder_has_files(dir)) {
        r = llm_tokenizer_load(&m->tokenizer, dir);
        if (r != LLM_OK) llm__err(m->error, r, "tokenizer in '%s': %s", dir, llm_tokenizer_error(&m->tokenizer));
        else if (llm_tokenizer_vocab_size(&m->tokenizer) > (size_t)m->config.n_vocab)
            r = llm__err(m->error, LLM_ERR_SHAPE, "the tokenizer has %zu tokens but the model only %d", llm_tokenizer_vocab_size(&m->tokenizer), m->config.n_vocab);
        else m->has_tokenizer = 1;
    }
    if (r != LLM_OK) llm_model_free(m);
    return r;
}
#else
LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt) {
    (void)path; (void)opt;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    return llm__err(m->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_STDIO: use llm_model_load_memory");
}
#endif

/* ==========================================================================
   MATH KERNELS
   ==========================================================================
   Shapes in comments: B = batch rows, C = n_embd, IC/OC = in/out features.
   Matrices of the model are stored [in, out] (GPT-2's Conv1D), except the
   LM head which is [vocab, C]. */

/* w[i0..i0+n) of a stored matrix row as f32. */
static void llm__load_row(float *dst, const llm__mat *w, size_t off, size_t n) {
    size_t i;
    if (w->type == LLM_DTYPE_F32) { memcpy(dst, (const float *)w->w + off, n * sizeof(float)); return; }
    if (w->type == LLM_DTYPE_F16) { const uint16_t *s = (const uint16_t *)w->w + off; for (i = 0; i < n; i++) dst[i] = llm__f16_to_f32(s[i]); return; }
    { const uint16_t *s = (const uint16_t *)w->w + off; for (i = 0; i < n; i++) dst[i] = llm__bf16_to_f32(s[i]); }
}

#define LLM__TILE_O 64
#define LLM__TILE_B 8

/* out[B,OC] (+)= in[B,IC] @ w[IC,OC] + bias[OC]; add: accumulate into out. */
static void llm__matmul(float *out, const float *in, const llm__mat *w, const float *bias,
                        int B, int IC, int OC, int add, int nt) {
    int nblk = (OC + LLM__TILE_O - 1) / LLM__TILE_O, blk;
    (void)nt;
    LLM__PARALLEL_FOR(nt)
    for (blk = 0; blk < nblk; blk++) {
        float acc[LLM__TILE_B][LLM__TILE_O], wrow[LLM__TILE_O];
        int o0 = blk * LLM__TILE_O, no = OC - o0 < LLM__TILE_O ? OC - o0 : LLM__TILE_O, b0;
        for (b0 = 0; b0 < B; b0 += LLM__TILE_B) {
            int nb = B - b0 < LLM__TILE_B ? B - b0 : LLM__TILE_B, b, i, o;
            for (b = 0; b < nb; b++)
                for (o = 0; o < no; o++) acc[b][o] = bias ? bias[o0 + o] : 0.0f;
            for (i = 0; i < IC; i++) {
                llm__load_row(wrow, w, (size_t)i * (size_t)OC + (size_t)o0, (size_t)no);
                for (b = 0; b < nb; b++) {
                    float x = in[(size_t)(b0 + b) * (size_t)IC + (size_t)i];
                    for (o = 0; o < no; o++) acc[b][o] += x * wrow[o];
                }
            }
            for (b = 0; b < nb; b++) {
                float *dst = out + (size_t)(b0 + b) * (size_t)OC + (size_t)o0;
                if (add) for (o = 0; o < no; o++) dst[o] += acc[b][o];
                else memcpy(dst, acc[b], (size_t)no * sizeof(float));
            }
        }
    }
}

/* out[B,OC] = in[B,IC] @ w[OC,IC]^T (the LM head: rows of w are tokens). */
static void llm__matmul_t(float *out, size_t out_stride, const float *in, const llm__mat *w, int B, int IC, int OC, int nt) {
    int o;
    (void)nt;
    LLM__PARALLEL_FOR(nt)
    for (o = 0; o < OC; o++) {
        float row[256];
        int b, i0;
        float acc[LLM__TILE_B];
        int b0;
        for (b0 = 0; b0 < B; b0 += LLM__TILE_B) {
            int nb = B - b0 < LLM__TILE_B ? B - b0 : LLM__TILE_B;
            for (b = 0; b < nb; b++) acc[b] = 0.0f;
            for (i0 = 0; i0 < IC; i0 += 256) {
                int n = IC - i0 < 256 ? IC - i0 : 256, i;
                llm__load_row(row, w, (size_t)o * (size_t)IC + (size_t)i0, (size_t)n);
                for (b = 0; b < nb; b++) {
                    const float *x = in + (size_t)(b0 + b) * (size_t)IC + (size_t)i0;
                    float s = 0.0f;
                    for (i = 0; i < n; i++) s += x[i] * row[i];
                    acc[b] += s;
                }
            }
            for (b = 0; b < nb; b++) out[(size_t)(b0 + b) * out_stride + (size_t)o] = acc[b];
        }
    }
}

/* out[B,C] = layernorm(in[B,C]) * w + b */
static void llm__layernorm(float *out, const float *in, const float *w, const float *b, int B, int C, float eps) {
    int r, i;
    for (r = 0; r < B; r++) {
        const float *x = in + (size_t)r * (size_t)C;
        float *y = out + (size_t)r * (size_t)C;
        float mean = 0.0f, var = 0.0f, rstd;
        for (i = 0; i < C; i++) mean += x[i];
        mean /= (float)C;
        for (i = 0; i < C; i++) { float d = x[i] - mean; var += d * d; }
        var /= (float)C;
        rstd = 1.0f / sqrtf(var + eps);
        for (i = 0; i < C; i++) y[i] = (x[i] - mean) * rstd * w[i] + b[i];
    }
}

/* x[n] = gelu(x), tanh form */
static void llm__gelu(float *x, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    }
}

/* Causal self-attention for rows at positions p0..p0+B-1 of one layer.
   qkv[B,3C] (q|k|v), kc/vc[n_ctx,C] caches (already holding rows up to
   p0+B-1), out[B,C], scores[H, n_ctx] scratch. */
static void llm__attention(float *out, const float *qkv, const float *kc, const float *vc, float *scores,
                           int B, int C, int H, size_t p0, size_t n_ctx, int nt) {
    int hd = C / H, h;
    float scale = 1.0f / sqrtf((float)hd);
    (void)nt;
    LLM__PARALLEL_FOR(nt)
    for (h = 0; h < H; h++) {
        float *sc = scores + (size_t)h * n_ctx;
        int b, i;
        for (b = 0; b < B; b++) {
            const float *q = qkv + (size_t)b * 3 * (size_t)C + (size_t)h * (size_t)hd;
            float *y = out + (size_t)b * (size_t)C + (size_t)h * (size_t)hd;
            size_t T = p0 + (size_t)b + 1, t;
            float mx = -HUGE_VALF, sum = 0.0f;
            for (t = 0; t < T; t++) {
                const float *k = kc + t * (size_t)C + (size_t)h * (size_t)hd;
                float s = 0.0f;
                for (i = 0; i < hd; i++) s += q[i] * k[i];
                s *= scale;
                sc[t] = s;
                if (s > mx) mx = s;
            }
            for (t = 0; t < T; t++) { sc[t] = expf(sc[t] - mx); sum += sc[t]; }
            for (i = 0; i < hd; i++) y[i] = 0.0f;
            for (t = 0; t < T; t++) {
                const float *v = vc + t * (size_t)C + (size_t)h * (size_t)hd;
                float p = sc[t] / sum;
                for (i = 0; i < hd; i++) y[i] += p * v[i];
            }
        }
    }
}

/* x[B,C] = wte[ids] + wpe[p0..] */
static void llm__embed(float *x, const llm_model *m, const int32_t *ids, int B, size_t p0) {
    size_t C = (size_t)m->config.n_embd, i;
    int b;
    for (b = 0; b < B; b++) {
        float *row = x + (size_t)b * C;
        const float *pe = m->_wpe + (p0 + (size_t)b) * C;
        llm__load_row(row, &m->_wte, (size_t)ids[b] * C, C);
        for (i = 0; i < C; i++) row[i] += pe[i];
    }
}

/* ==========================================================================
   SESSION (KV cache, forward pass)
   ========================================================================== */

LLM_API const char *llm_session_error(const llm_session *s) { return s ? llm__msg(s->error) : "NULL session"; }

LLM_API llm_status llm_session_init(llm_session *s, const llm_model *m, const llm_session_options *opt) {
    llm_session_options o;
    const llm_config *c;
    size_t C, kv, per_b, total = 0, parts[8], i;
    float *p;
    if (!s) return LLM_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    if (!m || !m->_layers) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL or unloaded model");
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    c = &m->config;
    if (o.n_ctx < 0 || o.n_ctx > c->n_ctx) return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_ctx %d is outside [0, %d] (0 = the model's)", o.n_ctx, c->n_ctx);
    if (o.n_threads < 0 || o.n_threads > LLM_MAX_THREADS) return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_threads %d is outside [0, %d]", o.n_threads, LLM_MAX_THREADS);
    if (o.max_batch < 0 || o.max_batch > 65536) return llm__err(s->error, LLM_ERR_INVALID_ARG, "max_batch %d is outside [0, 65536]", o.max_batch);
    s->model = m;
    s->n_ctx = o.n_ctx ? o.n_ctx : c->n_ctx;
    s->max_batch = o.max_batch ? o.max_batch : 64;
    if (s->max_batch > s->n_ctx) s->max_batch = s->n_ctx;
#ifdef LLM__OMP
    s->n_threads = o.n_threads ? o.n_threads : omp_get_max_threads();
#else
    s->n_threads = 1;
#endif
    /* sizes in floats; every product checked */
    C = (size_t)c->n_embd;
    if (!llm__mul((size_t)c->n_layer * (size_t)s->n_ctx, C, &kv)) goto too_big;
    per_b = 3 * C + 3 * C + C + (size_t)c->n_inner; /* x, ln, qkv, att, fc (att shares nothing) */
    parts[0] = kv; parts[1] = kv;
    if (!llm__mul((size_t)s->max_batch, per_b, &parts[2])) goto too_big;
    if (!llm__mul((size_t)c->n_head, (size_t)s->n_ctx, &parts[3])) goto too_big;
    parts[4] = (size_t)c->n_vocab;
    for (i = 0; i < 5; i++) { parts[i] = (parts[i] + 15) & ~(size_t)15; if (!llm__add(total, parts[i], &total)) goto too_big; }
    if (!llm__mul(total, sizeof(float), &total)) goto too_big;
    s->_mem = LLM__CAST(float *, llm__alloc(total));
    if (!s->_mem) return llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for the session (%zu bytes)", total);
    p = s->_mem;
    s->_k = p; p += parts[0];
    s->_v = p; p += parts[1];
    s->_x = p; p += (size_t)s->max_batch * C;
    s->_ln = p; p += (size_t)s->max_batch * C;
    s->_att = p; p += (size_t)s->max_batch * C;
    s->_qkv = p; p += (size_t)s->max_batch * 3 * C;
    s->_fc = p; p += parts[2] - (size_t)s->max_batch * 6 * C;
    s->_scores = p; p += parts[3];
    s->_logits = p;
    s->pos = 0;
    return LLM_OK;
too_big:
    return llm__err(s->error, LLM_ERR_LIMIT, "session size overflows size_t");
}

LLM_API void llm_session_free(llm_session *s) {
    if (!s) return;
    llm__free(s->_mem);
    s->_mem = NULL;
    s->model = NULL;
    s->pos = 0;
}

LLM_API void llm_session_reset(llm_session *s) { if (s) s->pos = 0; }

LLM_API const float *llm_session_logits(const llm_session *s) { return s && s->_mem && s->pos ? s->_logits : NULL; }

/* One batch of B <= max_batch tokens at positions s->pos... */
static void llm__forward(llm_session *s, const int32_t *ids, int B, float *logits_all) {
    const llm_model *m = s->model;
    const llm_config *c = &m->config;
    int C = c->n_embd, l, nt = s->n_threads;
    size_t p0 = s->pos, kvl = (size_t)s->n_ctx * (size_t)C;
    llm__embed(s->_x, m, ids, B, p0);
    for (l = 0; l < c->n_layer; l++) {
        const llm__layer *L = &m->_layers[l];
        float *kc = s->_k + (size_t)l * kvl, *vc = s->_v + (size_t)l * kvl;
        int b;
        llm__layernorm(s->_ln, s->_x, L->ln1_w, L->ln1_b, B, C, c->ln_eps);
        llm__matmul(s->_qkv, s->_ln, &L->qkv_w, L->qkv_b, B, C, 3 * C, 0, nt);
        for (b = 0; b < B; b++) {
            const float *row = s->_qkv + (size_t)b * 3 * (size_t)C;
            memcpy(kc + (p0 + (size_t)b) * (size_t)C, row + C, (size_t)C * sizeof(float));
            memcpy(vc + (p0 + (size_t)b) * (size_t)C, row + 2 * C, (size_t)C * sizeof(float));
        }
        llm__attention(s->_att, s->_qkv, kc, vc, s->_scores, B, C, c->n_head, p0, (size_t)s->n_ctx, nt);
        llm__matmul(s->_x, s->_att, &L->attn_proj_w, L->attn_proj_b, B, C, C, 1, nt);
        llm__layernorm(s->_ln, s->_x, L->ln2_w, L->ln2_b, B, C, c->ln_eps);
        llm__matmul(s->_fc, s->_ln, &L->fc_w, L->fc_b, B, C, c->n_inner, 0, nt);
        llm__gelu(s->_fc, (size_t)B * (size_t)c->n_inner);
        llm__matmul(s->_x, s->_fc, &L->mlp_proj_w, L->mlp_proj_b, B, c->n_inner, C, 1, nt);
    }
    if (logits_all) {
        llm__layernorm(s->_ln, s->_x, m->_lnf_w, m->_lnf_b, B, C, c->ln_eps);
        llm__matmul_t(logits_all, (size_t)c->n_vocab, s->_ln, &m->_lm_head, B, C, c->n_vocab, nt);
        memcpy(s->_logits, logits_all + (size_t)(B - 1) * (size_t)c->n_vocab, (size_t)c->n_vocab * sizeof(float));
    } else {
        const float *last = s->_x + (size_t)(B - 1) * (size_t)C;
        llm__layernorm(s->_ln, last, m->_lnf_w, m->_lnf_b, 1, C, c->ln_eps);
        llm__matmul_t(s->_logits, (size_t)c->n_vocab, s->_ln, &m->_lm_head, 1, C, c->n_vocab, nt);
    }
    s->pos += (size_t)B;
}

LLM_API llm_status llm_session_eval(llm_session *s, const int32_t *ids, size_t n, float *logits_all) {
    size_t i, done = 0, V;
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    if (!ids || n == 0) return llm__err(s->error, LLM_ERR_INVALID_ARG, "no tokens to evaluate");
    V = (size_t)s->model->config.n_vocab;
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= V) return llm__err(s->error, LLM_ERR_TOKEN_RANGE, "token id %d at index %zu is outside [0, %zu)", (int)ids[i], i, V);
    if (n > (size_t)s->n_ctx - s->pos)
        return llm__err(s->error, LLM_ERR_CONTEXT_FULL, "%zu tokens at position %zu would pass the context length %d", n, s->pos, s->n_ctx);
    while (done < n) {
        int B = n - done < (size_t)s->max_batch ? (int)(n - done) : s->max_batch;
        llm__forward(s, ids + done, B, logits_all ? logits_all + done * V : NULL);
        done += (size_t)B;
    }
    return LLM_OK;
}

LLM_API llm_status llm_session_copy(llm_session *dst, const llm_session *src) {
    const llm_config *c;
    size_t l, rows, C, kvl;
    if (!dst || !src) return LLM_ERR_INVALID_ARG;
    if (!src->_mem || !dst->_mem || dst->model != src->model) return llm__err(dst->error, LLM_ERR_INVALID_ARG, "sessions must be initialised on the same model");
    if (src->pos > (size_t)dst->n_ctx) return llm__err(dst->error, LLM_ERR_CONTEXT_FULL, "source holds %zu tokens; destination n_ctx is %d", src->pos, dst->n_ctx);
    c = &src->model->config;
    C = (size_t)c->n_embd;
    rows = src->pos;
    for (l = 0; l < (size_t)c->n_layer; l++) {
        kvl = (size_t)dst->n_ctx * C;
        memcpy(dst->_k + l * kvl, src->_k + l * (size_t)src->n_ctx * C, rows * C * sizeof(float));
        memcpy(dst->_v + l * kvl, src->_v + l * (size_t)src->n_ctx * C, rows * C * sizeof(float));
    }
    memcpy(dst->_logits, src->_logits, (size_t)c->n_vocab * sizeof(float));
    dst->pos = src->pos;
    return LLM_OK;
}

/* ==========================================================================
   TOKENIZER (placeholder until the BPE tokenizer lands)
   ========================================================================== */
#ifndef LLM_NO_STDIO
static int llm__tok_folder_has_files(const char *dir) { (void)dir; return 0; }
#endif
LLM_API llm_status llm_tokenizer_load(llm_tokenizer *t, const char *path) { (void)t; (void)path; return LLM_ERR_UNSUPPORTED; }
LLM_API void llm_tokenizer_free(llm_tokenizer *t) { (void)t; }
LLM_API const char *llm_tokenizer_error(const llm_tokenizer *t) { (void)t; return ""; }
LLM_API size_t llm_tokenizer_vocab_size(const llm_tokenizer *t) { (void)t; return 0; }
LLM_API llm_status llm_tokenizer_encode(const llm_tokenizer *t, const char *text, size_t len, unsigned flags, int32_t *ids, size_t cap, size_t *n_ids) { (void)t; (void)text; (void)len; (void)flags; (void)ids; (void)cap; (void)n_ids; return LLM_ERR_UNSUPPORTED; }

#endif /* LLM_IMPLEMENTATION_DONE */
#endif /* LLM_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
MIT License

Copyright (c) 2026 the llm.h authors

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
*/
