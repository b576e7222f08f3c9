/* llm.h - v0.1.0 - GPT-2-style decoder inference in one C99 header.
   MIT licence (see the end of this file). No dependencies but the C library.

   CONTENTS
   --------
   Documentation (this comment)        Code (search for the banner text)
      1. USAGE                          12. PUBLIC API
      2. OBJECTS                           ---- text and number helpers
      3. CHECKPOINTS                       ---- memory arena
      4. FILES                             ---- safetensors
      5. CONFIGURATION                     ---- tokenizer
      6. MEMORY                            ---- private types
      7. LIMITS                            ---- model
      8. NON-FINITE VALUES                 ---- session
      9. THREADS                           ---- several sequences in one session
     10. SESSIONS                          ---- prefix cache
     11. GENERATION                        ---- hidden states, embeddings, classifier heads
                                           ---- sampling
                                           ---- generation
                                           ---- step-by-step generation
                                           ---- chat templates
                                        13. IMPLEMENTATION
                                           ---- config
                                           ---- utilities
                                           ---- arena
                                        14. JSON
                                        15. SAFETENSORS
                                        16. TOKENIZER
                                        17. MODEL
                                        18. MATH KERNELS
                                        19. SESSION
                                        20. SAMPLING
                                        21. GENERATION
                                        22. APPENDIX: generated Unicode tables
                                        23. MIT License
   Each part is defined before its callers: a section calls only the ones
   above it. tests/README.md names the test file of each feature.

   1. USAGE
   --------
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

   2. OBJECTS
   ----------
   Objects are plain structs owned by the caller (stack, static or heap).
   Their fields are private except where documented. Each object keeps the
   message of its own last failure: llm_model_error(), llm_session_error(),
   llm_tokenizer_error(), llm_safetensors_error(). There is no global state.
   The *_free() functions (and llm_safetensors_close) are safe to call on
   an object whose init/load failed, twice in a row, and on a zeroed object
   that was never initialised (memset to 0), so one cleanup path can free
   everything. Every function accepts NULL for its object (a status, an
   empty result or nothing; llm_*_error(NULL) returns a message).

   - llm_safetensors: a parsed .safetensors file (mmap'd, read, or a
     caller-owned buffer that is used in place with no copy).
   - llm_model: weights + config (+ tokenizer when the folder has one).
     Read-only once loaded: any number of sessions and threads may share it.
   - llm_session: the state of up to n_seq_max sequences (KV cache and
     scratch buffers), sized once at creation; several sequences are
     evaluated together in batches (llm_session_decode). One thread at a
     time per session.
   - llm_tokenizer: GPT-2 byte-level BPE, or BERT WordPiece (vocab.txt,
     for the GPT-2 models with a BERT vocabulary); see TOKENIZER.

   3. CHECKPOINTS
   --------------
   llm_model_load() takes a .safetensors file or a folder holding
   model.safetensors (+ config.json, + tokenizer files), exactly as Hugging
   Face publishes GPT2LMHeadModel checkpoints, or a sharded checkpoint: a
   folder (or the index file itself) with model.safetensors.index.json,
   whose "weight_map" names each tensor's shard, and the shards beside it
   (model-00001-of-0000N.safetensors ...). Each shard is mapped separately
   and checked like a single file; then every tensor must be in the shard
   the index names and nowhere else, and every tensor of a shard must be
   in the index (LLM_ERR_FORMAT naming the tensor and the files; a missing
   shard is LLM_ERR_IO). At most 256 shards; shard names must be plain
   .safetensors file names in the same folder. The memory and arena
   loaders take one image: load a sharded checkpoint by path, or merge its
   shards into one file first. Tensor names may carry the "transformer."
   prefix or not. With config.json: n_layer, n_head, n_embd, n_positions
   (or n_ctx), vocab_size, layer_norm_epsilon, n_inner (null: 4 * n_embd),
   bos_token_id / eos_token_id (each in [0, vocab_size), else
   LLM_ERR_FORMAT), activation_function (every pointwise
   function of Hugging Face's ACT2FN, see llm_activation),
   scale_attn_weights, scale_attn_by_inverse_layer_idx,
   reorder_and_upcast_attn (accepted; it only changes PyTorch's precision)
   and tie_word_embeddings (false: lm_head.weight is the head; true, the
   default: wte is, as in Hugging Face) are read and cross-checked against
   the tensors; add_cross_attention true, a model_type other than gpt2 and
   an activation with learned parameters (prelu, xielu) are refused with
   LLM_ERR_UNSUPPORTED. Without config.json the shapes come from the
   tensors, n_head from the safetensors __metadata__ entry "n_head" if
   present, otherwise n_embd / 64 (the usual 64-wide heads),
   layer_norm_epsilon is 1e-5, the activation gelu_new, and the head is
   lm_head.weight when the file has one. config.json's architectures picks
   the head: GPT2LMHeadModel (also GPT2Model, none, or no config.json),
   GPT2ForSequenceClassification (score.weight) or GPT2ForTokenClassification
   (classifier.weight and .bias), with num_labels, id2label, label2id,
   problem_type and pad_token_id (see llm_head, llm_session_head); any other
   is LLM_ERR_UNSUPPORTED. A generation_config.json in the
   folder is parsed into model.generation (llm_generation_config: each field
   with a present flag) and never applied by llm.h: the caller chooses
   what to take (examples/generate.c takes it as its defaults); a broken
   one fails the load (llm_model_options.no_generation_config skips it).
   tokenizer_config.json (unless no_tokenizer) and config.json choose the
   model's chat template (model.chat_template; see GENERATION).

   Weights stored as F32, F16 or BF16 are used as stored: the matrices and
   the position embeddings stay in the file mapping or the caller's buffer
   (no copy; converted to f32 on the fly as they are read), while the small
   vectors (biases, layer norms) of 16-bit files are converted to f32 once
   at load, which costs 4 * (13*n_layer + 2) * n_embd bytes (with the
   default n_inner). A tensor whose data is not aligned to its element size
   is copied. Built for a CPU with AVX512_BF16 (e.g. -march=native on one),
   a BF16 layer matrix's products with more than 8 rows (prompts) round
   their input rows to bf16 for the BF16 dot-product instruction: each
   output within 2^-8 of sum |x w| of the f32 product, and the logits of
   tests/data/h5-bf16 move by 0.3% of their scale (llama.cpp's BF16
   products round their inputs the same way); -DLLM_BF16_DOT=0 keeps f32
   inputs (see MATH KERNELS, "BF16 DOT PRODUCTS").

   8-bit weights (written by tools/convert/quantize.c; docs/checkpoints.md): a
   matrix NAME (the four of each layer, wte, lm_head) may be stored as I8
   of shape [out, in] (the layers' Conv1D [in, out] transposed; wte and
   lm_head as they are) with NAME_scale, F32/F16/BF16 of shape
   [out, ceil(in / 32)]: element (o, i) is q * scale[o][i / 32]. Each
   product with it quantizes its input rows per block of 32 the same way
   (see "8-bit product" in the implementation) and sums int8 products
   exactly in int32. wpe and the small vectors stay F32/F16/BF16. A
   config.json "quantization_config" must be compressed-tensors
   int-quantized, 8-bit symmetric int weights, strategy group, group_size
   32 (what quantize writes), else LLM_ERR_UNSUPPORTED; an I8 tensor
   without its scales, or scales of the wrong shape or type, is
   LLM_ERR_SHAPE / LLM_ERR_UNSUPPORTED.

   4. FILES
   --------
   Every file llm.h opens must be a regular file: a directory, FIFO, device
   or socket in its place (model.safetensors, config.json, tokenizer.json,
   vocab.json, merges.txt, ...) is refused with LLM_ERR_IO and a message
   ("'x' is a directory", "'x' is not a regular file") before anything is
   read; the open never blocks. A model.safetensors is mapped into memory
   (mmap, read-only, MAP_PRIVATE) where the platform has it: the file must
   not change while the model is loaded. Truncating or rewriting it under a
   loaded model gives the process SIGBUS (or changed weights) on the next
   read of the mapping, which no library can catch. Where files may change,
   read them into memory instead: llm_model_options.no_mmap = 1 for one
   load, LLM_NO_MMAP for the whole build (the file's size in RAM, and a
   slower load), or llm_model_load_memory on your own copy.
   A mapping's pages are mapped as they are first read, which by default is
   during the first forward pass: its page faults are part of the first
   token's time. llm_model_options.prefault = 1 reads one byte of every page
   at load instead, on OpenMP's threads while one of them builds the
   tokenizer (the load takes longer, the first token less; resident memory
   is what the first token would have made it), and
   llm_session_options.prefault does the same for a session's scratch (not
   its KV cache, whose pages are touched as positions fill; it also touches
   the scratch rows that a short prompt would never use). The programs in
   examples/ load with prefault, chat and server also make their session
   with it; docs/speed.md, "First token", has the figures.

   5. CONFIGURATION (define before including, in the implementation file)
   ----------------------------------------------------------------------
   LLM_MALLOC(sz) / LLM_FREE(p)  allocator (define both or neither)
   LLM_ASSERT(x)                 internal invariant checks, never input
                                 checks (default: assert; nothing with
                                 LLM_NO_STDIO or LLM_NO_MALLOC)
   LLM_STATIC                    make every function static (private copy)
   LLM_API                       linkage of the public functions
   LLM_NO_STDIO                  no <stdio.h>, no files, no mmap: no
                                 loading by path (those functions return
                                 LLM_ERR_UNSUPPORTED; the *_memory ones
                                 remain)
   LLM_NO_MALLOC                 no allocator at all (and no <stdlib.h>,
                                 no <stdio.h>): objects live in llm_arena
                                 buffers, see MEMORY; the functions
                                 without _arena (loading by path too)
                                 return LLM_ERR_UNSUPPORTED
   LLM_NO_MMAP                   read files into memory instead of mmap
   LLM_NO_OPENMP                 ignore OpenMP even when compiling with it
   LLM_NO_SIMD                   portable scalar kernels even where the
                                 compiler targets AVX2/AVX-512 (the SIMD
                                 kernels are compiled in only when the
                                 flags enable them, e.g. -march=native)
   LLM_BF16_DOT=0                f32 inputs for BF16 prompts even where
                                 the compiler targets AVX512_BF16 (the
                                 default, 1, rounds them to bf16 for the
                                 faster BF16 dot product; CHECKPOINTS)
   LLM_MAX_THREADS               cap on session threads (default 256)
   LLM_NO_IMPLEMENTATION         cancels LLM_IMPLEMENTATION in this file:
                                 a program written as one file (the
                                 examples) links the implementation
                                 compiled once elsewhere (the Makefile's
                                 build/llm.o, with the same flags)

   With LLM_NO_STDIO and LLM_NO_MALLOC (<assert.h> goes too, unless the
   caller defines LLM_ASSERT) the implementation includes only
   <stddef.h>, <stdint.h>, <string.h>, <math.h> and the freestanding
   <stdarg.h> (for its own small formatter of error messages); it needs
   memcpy, memset, memcmp, memchr, memmove, strlen, strcmp, strchr, expf,
   tanhf, erff, sqrtf, fabsf and pow (fmaf in SIMD builds and for 8-bit models), plus what the compiler
   emits calls to (e.g. bcmp with clang; libgcc's double-precision helpers
   on an FPU without doubles, used only to parse config.json).
   examples/firmware runs it bare-metal on a Cortex-M7 and a Cortex-M4 in
   QEMU (make firmware, make test-firmware).

   6. MEMORY (embedded use: one buffer, sizes known beforehand)
   ------------------------------------------------------------
   Every object can take its memory from an llm_arena, a caller buffer
   that llm.h never grows: llm_model_load_memory_arena,
   llm_tokenizer_load_memory_arena, llm_session_init_arena,
   llm_sampler_init_arena (and llm_safetensors_open_memory_arena). The
   objects' memory is stacked from the bottom of the buffer; loaders'
   temporary memory (parsed JSON, the tokenizer's build tables) from the
   top, and it is all given back before the load returns. Freeing an
   object gives its bytes back once everything placed after it is freed
   too; a failed load leaves kept and temp as they were (peak keeps its
   high-water mark). The weights and the input buffers are never copied
   into the arena (only the small vectors above, and misaligned tensors);
   the tokenizer's buffers may be dropped after loading, the safetensors
   image must stay. An arena is not thread-safe: load and free from one
   thread (sessions in it may then run on any). tokenizer.json has no
   arena loader (use vocab.json + merges.txt).

   Each object's llm_*_heap_size takes what its arena loader or init
   takes and gives the exact bytes: *peak, needed while it is created, and
   *kept (may be NULL), held afterwards. The counts, for a buffer aligned
   to LLM_ARENA_ALIGN, hold for the build that asks (pointer width, SIMD
   kernels and the thread count all change them; a 32-bit target needs
   less than a 64-bit host):
     llm_session_heap_size(&config, &opt, &peak, &kept)   computed, no
       allocation (peak == kept; set opt.n_threads: 0 means OpenMP's
       default, which the environment changes)
     llm_sampler_heap_size(n_vocab, &peak, &kept)         computed
     llm_generator_heap_size(session, &opt, &peak, &kept): measured (as
       below; peak == kept)
     llm_model_heap_size(...), llm_tokenizer_heap_size(...): measured by
       loading into a measuring arena (llm_arena_init(&a, NULL, 0)), which
       needs LLM_MALLOC; an LLM_NO_MALLOC build loads once into a large
       buffer and reads arena.peak / arena.kept instead. The model's count
       also depends on the image's alignment (a misaligned tensor is
       copied): measure with the image aligned as it will be (16 bytes is
       enough for F32, F16 and BF16 tensors).
   Loading a model, then its tokenizer, then a session and a sampler into
   one arena needs max(model.peak, model.kept + tok.peak, model.kept +
   tok.kept + session.peak + sampler.peak) bytes: each object needs its
   peak on top of what those before it keep. arena.peak reports what was
   used.
   Without malloc, llm_generate and llm_generate_text are unavailable (use
   llm_session_eval and llm_sampler_sample), and llm_tokenizer_encode
   returns LLM_ERR_OUT_OF_MEMORY for a text with a pre-token (a run of
   letters, digits, spaces or punctuation) of more than 64 bytes that is
   not one token, which needs per-call scratch. With malloc, encode uses
   it for that scratch and for texts of 8192 bytes or more (a cache),
   whichever way the tokenizer was loaded.

   7. LIMITS (inputs past these are rejected with LLM_ERR_LIMIT or _FORMAT)
   ------------------------------------------------------------------------
   safetensors header  <= 100,000,000 bytes (the format's own rule)
   tensors in a file   <= LLM_MAX_TENSORS (65536), dims <= 8; as many
                       entries in a shard index, <= 256 shards
   JSON nesting depth  <= LLM_JSON_MAX_DEPTH (64); no recursion anywhere.
   JSON values         <= LLM_JSON_MAX_VALUES (4,194,304) per document
                       (32 bytes of parser memory each); strings must be
                       well-formed UTF-8.
   model sizes         n_layer <= 1024, n_embd <= 65536, n_positions <=
                       1048576, vocab_size <= 16777216

   8. NON-FINITE VALUES
   --------------------
   Weights are used as stored: loading does not scan them for NaN or Inf
   (that would read every byte of a file of gigabytes), and llm_session_eval
   returns whatever the arithmetic gives, NaN included (check the logits
   yourself if you read them). llm_sampler_sample and so llm_generate
   refuse NaN logits with LLM_ERR_NUMERIC and a message; a model whose
   weights hold NaN or Inf therefore fails at its first generated token
   instead of printing token 0 forever. The sampler's own arithmetic never
   makes a NaN from finite or infinite logits (see llm_sampler_options),
   and layer norm stays exact for a row whose variance passes the float
   range (activations of 1e19 and up). Activations or attention scores
   that overflow to Inf turn into NaN on the way to the logits, and so into
   LLM_ERR_NUMERIC from the sampler.

   9. THREADS
   ----------
   When compiled with OpenMP (-fopenmp) the kernels split their work over
   llm_session_options.n_threads threads. Each output element is computed by
   one thread in a fixed order, so results do not depend on the thread count.

   10. SESSIONS
   ------------
   A session (llm_session) holds the state of up to n_seq_max sequences,
   called slots 0..n_seq_max-1, each with positions 0..n_ctx-1, and the
   scratch of the forward pass; all of it is sized once, at init, in one
   block (llm__session_layout; llm_session_heap_size gives its bytes).
   - The KV cache is a pool of blocks of kv_block positions (16; one block
     of n_ctx when n_seq_max is 1). Each slot has a table of the blocks
     holding its positions; a block counts the slots using it.
   - Copy on write: llm_session_seq_copy and llm_session_seq_reorder make
     slots share blocks without copying; a write into a shared block first
     gives the writer its own copy of that block's rows.
   - Batches (llm_batch, like llama.cpp's llama_batch) are lists of rows
     (token, slot, position): a prompt's prefill, one new token for each of
     several slots, or a mix. All rows go through each weight matrix
     together, and each row attends causally to its own slot only.
   - Logits are kept for at most n_seq_max rows of a decode (by default the
     last row of each slot); llm_session_logits_row reads them.
   - Prefix cache (llm_session_options.prefix_cache, off by default): full
     blocks stay in the pool, keyed by their tokens from position 0, after
     their slots let them go; a new prompt that starts with them shares
     them and evaluates only the rest (least recently used ones are evicted
     first when the pool needs room).
   llm_session_eval is the one-sequence shortcut (slot 0). The public API
   section "several sequences in one session" has the rules of a batch and
   the memory per slot; the SESSION section of the implementation has the
   block pool and the forward pass.

   11. GENERATION
   --------------
   Sampling (llm_sampler) turns one row of logits into a token: repetition
   penalty, temperature, top-k, top-p, min-p, then one seeded draw, in
   Hugging Face's order; temperature 0 is greedy. llm_generate drives a
   session and samplers: it evaluates the prompt once, forks it into a
   slot per sequence (num_return_sequences, sharing the prompt's blocks),
   then each step draws a token for every live sequence (in parallel, one
   sampler per thread) and evaluates them all in one llm_session_decode;
   stop strings, end-of-text, length and context limits end sequences.
   Beam search (num_beams > 1) is a mode of the same loop with Hugging
   Face's scoring, reordering the slots each step. Text comes out through
   a streaming decoder as complete UTF-8 pieces (on_text); a stop string
   ends the text before it.
   llm_generator is the same loop one step at a time, for programs that
   serve several requests: sequences are added between steps (each with
   its own options and seed), prompts are evaluated in chunks beside the
   running sequences, and each step reports a token, its log-probability
   and a text piece per sequence. llm_generate's greedy and sampling modes
   are a loop over it; the server and chat drive it directly.
   Chat templates turn a conversation (llm_chat_message: role and content)
   into the ids a model continues: llm_chat_render writes it in one of
   three templates (llm_chat_template: plain, dialogpt, chatml; the public
   API section "chat templates" has each one's text) followed by the start
   of the assistant's reply, and llm_chat_template_stops gives the stop
   string that ends the reply besides end-of-text. llm_model_load picks a
   model's template (model.chat_template, with the reason in
   model.chat_template_note) by llm_chat_template_detect's rule:
   1. tokenizer_config.json's chat_template (a string, or the "default"
      entry of a list of {name, template}) when it has a recognised shape,
      compared with white space and Jinja's "-" trim marks left out and
      message['content'] read as message.content: DialoGPT's
      "{% for message in messages %}{{ message.content }}{{ eos_token }}
      {% endfor %}" is dialogpt; one with <|im_start|> and <|im_end|>, no
      other <|...|> token and no tools is chatml when the vocabulary has
      both tokens. Any other chat_template is not run and not guessed at:
      plain, and the note says so;
   2. without a chat_template, chatml when the vocabulary has <|im_start|>
      and <|im_end|> (one token each);
   3. dialogpt when config.json's _name_or_path contains "DialoGPT" (any
      case) or it has task_specific_params.conversational (as Microsoft's
      DialoGPT checkpoints do);
   4. else plain.
   A tokenizer_config.json that is not a JSON object, or whose
   chat_template is neither a string nor such a list, fails the load
   (LLM_ERR_FORMAT); chat_template.jinja files are not read. The message
   contents are always encoded as plain text: special-token names in them
   stay text.
   Classifier checkpoints (GPT2ForSequenceClassification,
   GPT2ForTokenClassification) do not generate: their outputs come from
   llm_session_decode_hidden and llm_session_head (see CHECKPOINTS).
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
    LLM_ERR_INVALID_ARG,     /* NULL pointer, missing input, bad option value */
    LLM_ERR_OUT_OF_MEMORY,   /* an allocation failed */
    LLM_ERR_IO,              /* a file could not be opened or read */
    LLM_ERR_FORMAT,          /* malformed input (safetensors, JSON, vocab) */
    LLM_ERR_UNSUPPORTED,     /* well-formed but not implemented (dtype...) */
    LLM_ERR_SHAPE,           /* a tensor is missing or has the wrong shape */
    LLM_ERR_LIMIT,           /* input exceeds a documented limit */
    LLM_ERR_CONTEXT_FULL,    /* a position past the context length */
    LLM_ERR_TOKEN_RANGE,     /* a token id outside [0, vocab) */
    LLM_ERR_BUFFER_TOO_SMALL,/* the output buffer is too small */
    LLM_ERR_NUMERIC          /* non-finite values (NaN/Inf logits) */
} llm_status;

#define LLM_ERROR_SIZE 256   /* bytes of each object's message buffer */
#define LLM_MAX_DIMS 8

/* Short constant name of a status, e.g. "LLM_ERR_FORMAT". */
LLM_API const char *llm_status_string(llm_status s);

/* ---- text and number helpers -------------------------------------------- */

/* Bytes of the well-formed UTF-8 character (RFC 3629: shortest form, no
   surrogates, at most U+10FFFF) at s[0..n), or 0 when s does not start
   with one (n == 0, a continuation byte, a cut or invalid sequence). */
LLM_API size_t llm_utf8_len(const char *s, size_t n);

/* s[0..n) as the inside of a JSON string (no quotes): '"' and '\\' as
   \" and \\, control characters (U+0000-U+001F, U+007F) as \n, \r, \t or
   \u00XX, well-formed UTF-8 as it is, and each byte that is not part of a
   well-formed character (e.g. a token that ends inside one) as \ufffd, so
   that the result is always valid JSON. Writes the escaped form of the
   longest run of whole characters at the start of s that fits out[cap]
   (no NUL), *n_out its length, and returns how many bytes of s it used:
   call again with the rest until all of s is used (a cap of 6 or more
   always takes at least one character). NULL s, out or n_out: 0. */
LLM_API size_t llm_json_escape(const char *s, size_t n, char *out, size_t cap, size_t *n_out);

/* IEEE half (binary16) and bfloat16 bits <-> float. To float: exact.
   From float: rounded to nearest, ties to even (a value that rounds past
   the largest finite one: infinity); NaN stays NaN (quiet, sign kept). */
LLM_API float llm_f16_to_f32(uint16_t h);
LLM_API uint16_t llm_f32_to_f16(float f);
LLM_API float llm_bf16_to_f32(uint16_t h);
LLM_API uint16_t llm_f32_to_bf16(float f);

/* ---- memory arena (see MEMORY at the top) ------------------------------- */

#define LLM_ARENA_ALIGN 16

typedef struct llm_arena {
    unsigned char *base;          /* start of the usable buffer; NULL: measuring */
    size_t size;                  /* usable bytes (measuring: SIZE_MAX) */
    size_t kept;                  /* bytes in use at the bottom (objects' memory) */
    size_t temp;                  /* bytes in use at the top (loaders' scratch) */
    size_t peak;                  /* the most of kept + temp so far */
    void *_last[2];               /* private: last block of each end */
} llm_arena;

/* An arena over buf[0..size), which must outlive every object placed in it.
   A buf not aligned to LLM_ARENA_ALIGN loses its first bytes to alignment,
   and the usable size is rounded down to a multiple of LLM_ARENA_ALIGN.
   buf NULL and size 0: a measuring arena, which takes its blocks from
   LLM_MALLOC and counts the bytes a buffer would need (not available with
   LLM_NO_MALLOC). */
LLM_API llm_status llm_arena_init(llm_arena *a, void *buf, size_t size);

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
    llm_arena *_arena;               /* where _block lives, or NULL: malloc */
    char error[LLM_ERROR_SIZE];
} llm_safetensors;

/* Parse a caller-owned image; it must outlive the object. No copy. */
LLM_API llm_status llm_safetensors_open_memory(llm_safetensors *st, const void *data, size_t size);
/* The same with the object's memory (the tensor table) taken from arena a. */
LLM_API llm_status llm_safetensors_open_memory_arena(llm_safetensors *st, const void *data, size_t size, llm_arena *a);
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

/* ---- tokenizer (GPT-2 byte-level BPE, or BERT WordPiece) ----------------- */

#define LLM_TOKENIZE_SPECIAL 1u  /* encode: added tokens such as
                                    "<|endoftext|>" in the text become their
                                    ids (default: plain text, like tiktoken's
                                    encode_ordinary) */

typedef struct llm_tokenizer {
    void *_impl;                     /* private */
    char error[LLM_ERROR_SIZE];
} llm_tokenizer;

/* A folder (tokenizer.json, or vocab.json + merges.txt, or encoder.json +
   vocab.bpe, or vocab.txt [+ tokenizer_config.json], in that order) or a
   tokenizer.json file. */
LLM_API llm_status llm_tokenizer_load(llm_tokenizer *t, const char *path);
LLM_API llm_status llm_tokenizer_load_files(llm_tokenizer *t, const char *vocab_json_path, const char *merges_path);
LLM_API llm_status llm_tokenizer_load_memory(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                             const char *merges, size_t merges_len);
/* The same with every allocation in arena a (which must outlive the
   tokenizer); the buffers need not outlive it. */
LLM_API llm_status llm_tokenizer_load_memory_arena(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                                   const char *merges, size_t merges_len, llm_arena *a);
/* Exact arena bytes for llm_tokenizer_load_memory_arena on these inputs
   (as llm_model_heap_size: *peak while loading, *kept afterwards). */
LLM_API llm_status llm_tokenizer_heap_size(const char *vocab_json, size_t vocab_len, const char *merges,
                                           size_t merges_len, size_t *peak, size_t *kept);
LLM_API llm_status llm_tokenizer_load_json_memory(llm_tokenizer *t, const char *tokenizer_json, size_t len);
/* A BERT WordPiece vocabulary: vocab.txt text and the optional
   tokenizer_config.json text (NULL: BertTokenizer's defaults). */
LLM_API llm_status llm_tokenizer_load_wordpiece_memory(llm_tokenizer *t, const char *vocab_txt, size_t vocab_len,
                                                       const char *config_json, size_t config_len);
LLM_API void llm_tokenizer_free(llm_tokenizer *t);
LLM_API const char *llm_tokenizer_error(const llm_tokenizer *t);
LLM_API size_t llm_tokenizer_vocab_size(const llm_tokenizer *t);
/* The end-of-text id from the files ("<|endoftext|>"; WordPiece: the sep
   token, "[SEP]" unless tokenizer_config.json names another), or -1. */
LLM_API int32_t llm_tokenizer_eot(const llm_tokenizer *t);
/* The id a text starts from when it has no prompt, where the vocabulary
   has one apart from the end-of-text id: WordPiece's cls token ("[CLS]");
   -1 for byte-level BPE (GPT-2 starts from "<|endoftext|>"). */
LLM_API int32_t llm_tokenizer_bos(const llm_tokenizer *t);
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

/* The longest token a vocabulary may hold, in bytes (loading fails beyond
   it); a decoder buffer of LLM_DECODER_BUFFER bytes always fits one push. */
#ifndef LLM_TOKENIZER_MAX_TOKEN_BYTES
#define LLM_TOKENIZER_MAX_TOKEN_BYTES 1024
#endif
#define LLM_DECODER_BUFFER (LLM_TOKENIZER_MAX_TOKEN_BYTES + 4)

/* Streaming decoder: hands out only complete UTF-8 characters. */
typedef struct llm_decoder {
    unsigned char pending[8];
    unsigned n_pending;
    int _started;                    /* private: a token was pushed (WordPiece spacing) */
} llm_decoder;
LLM_API void llm_decoder_init(llm_decoder *d);
/* Appends token id's text; *n gets the bytes written to out (cap >=
   LLM_DECODER_BUFFER is always enough). */
LLM_API llm_status llm_decoder_push(llm_decoder *d, const llm_tokenizer *t, int32_t id,
                                    char *out, size_t cap, size_t *n);
/* Writes out whatever is pending (possibly an incomplete sequence). */
LLM_API size_t llm_decoder_flush(llm_decoder *d, char *out, size_t cap);

/* ---- private types (members of the public structs below; not API) ------ */

/* A weight matrix: data, format (the dtype it is stored in) and layout. */
typedef enum llm__layout {
    LLM__IN_OUT = 1,    /* [in, out]: GPT-2's Conv1D */
    LLM__OUT_IN         /* [out, in]: a row per output (LM head, embeddings) */
} llm__layout;
/* I8 matrices (always LLM__OUT_IN) have one scale per block of LLM__QB
   inputs of each output: scale[out][ceil(in / LLM__QB)], of type stype. */
typedef struct llm__mat {
    const void *w;
    llm_dtype type;
    llm__layout layout;
    const void *scale;
    llm_dtype stype;
} llm__mat;
#define LLM__QB 32
typedef struct llm__layer {
    llm__mat qkv_w, attn_proj_w, fc_w, mlp_proj_w;         /* LLM__IN_OUT */
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    const float *qkv_b, *attn_proj_b, *fc_b, *mlp_proj_b;
} llm__layer;

/* Private: where each part of a session's memory lies (byte offsets into
   one block), computed once by llm__session_plan and used by
   llm_session_init, llm_session_heap_size and the forward pass. */
typedef struct llm__session_layout {
    size_t kv_block;       /* positions per KV block (n_ctx when n_seq_max is 1 without a prefix cache, else 16) */
    size_t n_blocks;       /* blocks per sequence: n_ctx / kv_block rounded up */
    size_t pool;           /* positions in the pool: n_seq_max * n_blocks * kv_block */
    size_t k, v;           /* [n_layer, pool, n_embd] floats */
    size_t x, ln, att;     /* [max_batch, n_embd] floats each */
    size_t qkv;            /* [max_batch, 3 n_embd] */
    size_t fc;             /* [max_batch, n_inner] */
    size_t scores;         /* [n_head, n_ctx] */
    size_t logits;         /* [n_seq_max, n_vocab]: the rows a decode keeps */
    size_t pack;           /* kernels' scratch (packed weights, attention blocks) */
    size_t len, p0, p1;    /* size_t [n_seq_max]: length; a decode's first and end position */
    size_t len_tmp;        /* size_t [n_seq_max]: reorder's copy of len */
    size_t kept;           /* size_t [n_seq_max]: the rows whose logits are kept */
    size_t rpos;           /* size_t [max_batch]: position of each row of a forward pass */
    size_t rseq;           /* int32 [max_batch]: slot of each row of a forward pass */
    size_t table, table_tmp; /* int32 [n_seq_max, n_blocks]: block of each (sequence, block index), -1: none */
    size_t refs;           /* int32 [n_seq_max * n_blocks]: sequences using each block */
    /* prefix cache (0 bytes when off), per block of the pool: */
    size_t ptok;           /* int32 [pool]: token id of each KV row, -1: unknown */
    size_t phash;          /* uint64: hash of the tokens from position 0 to the block's end */
    size_t pstamp;         /* uint64: when its last user let it go (least recently used: smallest) */
    size_t pparent;        /* int32: the block before it in the prefix, -1: none (it starts at position 0) */
    size_t pstate;         /* unsigned char: LLM__PC_CACHED, LLM__PC_PARENT bits */
    size_t total;          /* bytes */
} llm__session_layout;

/* ---- model -------------------------------------------------------------- */

/* The MLP's activation (config.json activation_function; the names in
   brackets are Hugging Face's ACT2FN keys that give it). */
typedef enum llm_activation {
    LLM_ACT_GELU_TANH = 0, /* x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) [gelu_new, gelu_pytorch_tanh,
                              gelu_fast, gelu_accurate, gelu_python_tanh]; the default */
    LLM_ACT_GELU,          /* x/2 (1 + erf(x / sqrt 2)) [gelu, gelu_python] */
    LLM_ACT_GELU_10,       /* gelu clipped to [-10, 10] [gelu_10] */
    LLM_ACT_QUICK_GELU,    /* x sigmoid(1.702 x) [quick_gelu] */
    LLM_ACT_SILU,          /* x sigmoid(x) [silu, swish] */
    LLM_ACT_MISH,          /* x tanh(ln(1 + e^x)) [mish] */
    LLM_ACT_RELU,          /* max(x, 0) [relu] */
    LLM_ACT_RELU2,         /* max(x, 0)^2 [relu2] */
    LLM_ACT_RELU6,         /* min(max(x, 0), 6) [relu6] */
    LLM_ACT_LEAKY_RELU,    /* x < 0 ? 0.01 x : x [leaky_relu] */
    LLM_ACT_SIGMOID,       /* 1 / (1 + e^-x) [sigmoid] */
    LLM_ACT_TANH,          /* tanh(x) [tanh] */
    LLM_ACT_LAPLACE,       /* (1 + erf((x - 0.707107) / (0.282095 sqrt 2))) / 2 [laplace] */
    LLM_ACT_LINEAR,        /* x [linear] */
    LLM_ACT_COUNT
} llm_activation;

typedef struct llm_config {
    int n_layer;
    int n_head;
    int n_embd;
    int n_inner;        /* MLP width, 4 * n_embd unless config says */
    int n_ctx;          /* n_positions */
    int n_vocab;
    float ln_eps;
    int eos_id;         /* config.json eos_token_id, or -1 */
    int bos_id;         /* config.json bos_token_id, or -1 */
    llm_activation activation;
    int scale_attn_weights;              /* 1 (default): scores / sqrt(head width); 0: unscaled */
    int scale_attn_by_inverse_layer_idx; /* 1: layer l's scores also / (l + 1); default 0 */
    int reorder_and_upcast_attn;         /* as in config.json; no effect here (all attention is f32) */
    int tie_word_embeddings;             /* 1: the LM head is wte (default); 0: lm_head.weight */
    /* The head (config.json's architectures; see docs/api.md "Heads"). */
    int head;                            /* an llm_head */
    int num_labels;                      /* classifiers: outputs per row (>= 1); LM: 0 */
    int problem_type;                    /* classifiers: an llm_problem (HF's rule when unset); LM: 0 */
    int pad_id;                          /* config.json pad_token_id, or -1 */
} llm_config;

/* What the last stage of the forward pass computes. */
typedef enum llm_head {
    LLM_HEAD_LM = 0,        /* GPT2LMHeadModel: next-token logits over the vocabulary (the default) */
    LLM_HEAD_SEQ_CLS,       /* GPT2ForSequenceClassification: score.weight [num_labels, n_embd], no bias,
                               on one row of each sequence (llm_batch_cls_row) */
    LLM_HEAD_TOKEN_CLS      /* GPT2ForTokenClassification: classifier.weight [num_labels, n_embd] and
                               classifier.bias [num_labels], on every row */
} llm_head;
/* How a classifier's outputs are read (config.json's problem_type). */
typedef enum llm_problem {
    LLM_PROBLEM_NONE = 0,   /* LM head */
    LLM_PROBLEM_SINGLE_LABEL, /* "single_label_classification": softmax over the labels */
    LLM_PROBLEM_MULTI_LABEL,  /* "multi_label_classification": a sigmoid per label */
    LLM_PROBLEM_REGRESSION    /* "regression": the raw values */
} llm_problem;
/* The architectures name of a head ("GPT2LMHeadModel", ...). */
LLM_API const char *llm_head_name(int head);
/* problem_type's name ("single_label_classification", ...; "" for NONE). */
LLM_API const char *llm_problem_name(int problem);

/* The activation's canonical config.json name, e.g. "gelu_new". */
LLM_API const char *llm_activation_name(llm_activation a);

typedef struct llm_model_options {
    int no_mmap;        /* 1: read the file into memory instead of mmap
                           (then the file may change after the load) */
    int no_tokenizer;   /* 1: don't look for tokenizer files */
    int no_generation_config; /* 1: don't read generation_config.json */
    int prefault;       /* 1: read one byte of every page of the mapped file at load (on OpenMP's default
                           threads, while one of them builds the tokenizer), so that the first forward pass
                           takes no page faults on the weights: a longer load, a faster first token (see
                           "first token" in docs/speed.md). 0 (default): pages are mapped as they are read */
} llm_model_options;

/* generation_config.json: Hugging Face's generation defaults for a model,
   as parsed (llm.h never applies them itself: the caller decides, as the
   programs in examples/ do). A field is meaningful when its present flag
   is 1; a key that is absent or null leaves it 0. Other keys are ignored. */
#define LLM_GEN_MAX_EOS 8
typedef struct llm_generation_config {
    int do_sample;            /* 1: sample; 0: greedy */
    float temperature;        /* >= 0 */
    int top_k;                /* >= 0 */
    float top_p;              /* in [0, 1] */
    float repetition_penalty; /* > 0 */
    int max_length;           /* prompt + new tokens, >= 1 */
    int max_new_tokens;       /* >= 1 */
    int num_beams;            /* >= 1 */
    int32_t eos_ids[LLM_GEN_MAX_EOS]; /* eos_token_id: one id or a list of up to 8 */
    int n_eos;
    int32_t pad_id, bos_id;   /* pad_token_id, bos_token_id */
    float length_penalty;     /* finite, in [-1e6, 1e6] */
    int early_stopping;       /* false 0, true 1, "never" 2 (llm_early_stopping's values) */
    int no_repeat_ngram_size; /* >= 0 */
    struct {
        int do_sample, temperature, top_k, top_p, repetition_penalty, max_length, max_new_tokens, num_beams,
            eos_ids, pad_id, bos_id, length_penalty, early_stopping, no_repeat_ngram_size;
    } present;
} llm_generation_config;

/* Parse generation_config.json text into *g (zeroed first). err: NULL or
   LLM_ERROR_SIZE bytes for the message. LLM_ERR_FORMAT for a value of the
   wrong type or range, LLM_ERR_LIMIT for more than 8 eos ids. */
LLM_API llm_status llm_generation_config_parse(llm_generation_config *g, const char *json, size_t len, char *err);

typedef struct llm_model {
    llm_config config;
    llm_dtype wtype;              /* dtype of the layers' matrices (I8: 8-bit) */
    llm_tokenizer tokenizer;      /* valid when has_tokenizer */
    int has_tokenizer;
    llm_generation_config generation; /* valid when has_generation_config */
    int has_generation_config;        /* the folder had generation_config.json */
    int chat_template;                /* an llm_chat_template: llm_model_load picks it (llm_chat_template_detect);
                                         the memory loaders leave LLM_CHAT_PLAIN */
    char chat_template_note[LLM_ERROR_SIZE]; /* why that template (llm_model_load; else "") */
    /* private */
    llm_safetensors _st;          /* the weights file */
    llm_safetensors *_shards;     /* a sharded checkpoint: its files (then _st is unused) */
    int _n_shards;
    llm__layer *_layers;
    llm__mat _wte;                /* [vocab, n_embd] */
    llm__mat _lm_head;            /* [vocab, n_embd] (== _wte if tied) */
    llm__mat _wpe;                /* [n_ctx, n_embd] */
    const float *_lnf_w, *_lnf_b;
    llm__mat _cls;                /* classifiers: score.weight / classifier.weight [num_labels, n_embd] */
    const float *_cls_b;          /* classifier.bias [num_labels], or NULL */
    char *_labels;                /* classifiers: num_labels NUL-terminated names (id2label, else LABEL_i) */
    size_t *_label_at;            /* [num_labels] offsets into _labels (same block) */
    void *_owned;                 /* converted / realigned tensors */
    llm_arena *_arena;            /* where the above live, or NULL: malloc */
    char error[LLM_ERROR_SIZE];
} llm_model;

/* path: a .safetensors file or a checkpoint folder. opt may be NULL. */
LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt);
/* From memory: safetensors image (used in place, must outlive the model)
   and optional config.json text (NULL: infer from the tensors). */
LLM_API llm_status llm_model_load_memory(llm_model *m, const void *safetensors, size_t size,
                                         const char *config_json, size_t config_len);
/* The same with every allocation in arena a (which must outlive the
   model). Out of arena space: LLM_ERR_OUT_OF_MEMORY, and the arena is as
   before the call. */
LLM_API llm_status llm_model_load_memory_arena(llm_model *m, const void *safetensors, size_t size,
                                               const char *config_json, size_t config_len, llm_arena *a);
/* Exact arena bytes for llm_model_load_memory_arena on these inputs:
   *peak free bytes it needs while loading, *kept (may be NULL) what the
   model holds afterwards. Measured by a load into a measuring arena (so
   it uses LLM_MALLOC; LLM_ERR_UNSUPPORTED with LLM_NO_MALLOC). */
LLM_API llm_status llm_model_heap_size(const void *safetensors, size_t size, const char *config_json,
                                       size_t config_len, size_t *peak, size_t *kept);
LLM_API void llm_model_free(llm_model *m);
LLM_API const char *llm_model_error(const llm_model *m);
/* A classifier's label id (id2label, else Hugging Face's default
   "LABEL_<id>"); NULL for an id outside [0, num_labels) or an LM. */
LLM_API const char *llm_model_label(const llm_model *m, int id);
/* The id of label name (label2id's lookup, on the id2label names), or -1. */
LLM_API int llm_model_label_id(const llm_model *m, const char *name);

/* ---- session ------------------------------------------------------------ */

typedef struct llm_session_options {
    int n_ctx;          /* KV cache length of each sequence; 0 = the model's n_positions */
    int n_threads;      /* 0 = OpenMP's default; ignored without OpenMP */
    int max_batch;      /* rows per forward pass; 0 = 64 */
    int n_seq_max;      /* sequences (KV slots) held at once, in [0, 4096]; 0 = 1 */
    int prefix_cache;   /* nonzero: keep full KV blocks for reuse by later prompts (see "prefix cache"
                           below); 0 = off: no cache, no memory for it */
    int prefault;       /* nonzero: write the scratch (activations, scores, logits, the kernels' scratch:
                           everything but the KV cache) once at init, so that the first forward pass takes
                           no page faults on it; the KV cache is touched as positions are filled either way.
                           0 (default): each page is touched when first used */
} llm_session_options;

typedef struct llm_session {
    const llm_model *model;
    int n_ctx, n_threads, max_batch, n_seq_max;
    size_t pos;                   /* tokens in sequence 0's KV cache */
    /* private */
    llm__session_layout _lay;
    float *_mem;                  /* one allocation for all of the below */
    float *_k, *_v;               /* [n_layer, pool, n_embd] */
    float *_x, *_ln, *_qkv, *_att, *_fc;  /* [max_batch, ...] */
    float *_scores;               /* [n_head, n_ctx] */
    float *_logits;               /* [n_seq_max, n_vocab] */
    float *_pack;                 /* kernels' scratch */
    size_t *_len, *_p0, *_p1, *_len_tmp, *_kept, *_rpos;
    int32_t *_table, *_table_tmp, *_refs, *_rseq;
    int32_t *_ptok, *_pparent;    /* prefix cache (NULL when off) */
    uint64_t *_phash, *_pstamp;
    unsigned char *_pstate;
    uint64_t _pclock, _plookups, _phits, _preused, _pevictions;
    size_t _n_kept;               /* rows of the last decode with logits */
    llm_arena *_arena;            /* where _mem lives, or NULL: malloc */
    char error[LLM_ERROR_SIZE];
} llm_session;

LLM_API llm_status llm_session_init(llm_session *s, const llm_model *m, const llm_session_options *opt);
/* The same with the session's memory (one block) in arena a. */
LLM_API llm_status llm_session_init_arena(llm_session *s, const llm_model *m, const llm_session_options *opt,
                                          llm_arena *a);
/* Exact arena bytes llm_session_init_arena needs for a model of config c
   (e.g. model.config) and these options, computed (no allocation, no model
   needed): *peak, and *kept (may be NULL), both the size of the session's
   one block. */
LLM_API llm_status llm_session_heap_size(const llm_config *c, const llm_session_options *opt, size_t *peak,
                                         size_t *kept);
LLM_API void llm_session_free(llm_session *s);
/* Forget every sequence (pos = 0, no logits); buffers are kept. */
LLM_API void llm_session_reset(llm_session *s);
/* Sequence 0: append n tokens at positions pos..pos+n-1, in batches of
   max_batch. logits_all: NULL, or [n, n_vocab] floats for every position.
   Afterwards llm_session_logits() holds the last position's logits. On
   error the session is unchanged (pos as before). */
LLM_API llm_status llm_session_eval(llm_session *s, const int32_t *ids, size_t n, float *logits_all);
/* [n_vocab] logits of the last row with logits of the last eval or
   decode (NULL before any, after a reset, or if that row kept none). */
LLM_API const float *llm_session_logits(const llm_session *s);
/* dst (initialised on the same model, n_ctx >= src->pos) takes src's
   sequence 0 (KV cache rows, copied) into its sequence 0, and its logits. */
LLM_API llm_status llm_session_copy(llm_session *dst, const llm_session *src);
LLM_API const char *llm_session_error(const llm_session *s);

/* ---- several sequences in one session (batched decoding) ----------------
   A session made with n_seq_max = N holds N sequences ("slots" 0..N-1),
   each with its own positions 0..n_ctx-1. A batch is a list of rows, each
   a (token, slot, position) triple, like llama.cpp's llama_batch: a
   prompt's prefill, one new token for each of several slots, or a mix.
   All rows go through each weight matrix together (the weights are read
   once per max_batch rows, whatever the number of slots), and each row
   attends causally to its own slot only: positions 0..pos of that slot,
   rows of the same batch included.
   Rules: the rows of one slot come in increasing position order, one
   apart (they need not be adjacent in the batch); the first of them is at
   most the slot's length (pos < length rewrites the slot from there: its
   later positions are dropped). At most n_seq_max rows keep logits.
   Any error (checked before anything is done) leaves the session as it was.
   Memory: the KV cache is a pool of blocks of 16 positions (one block of
   n_ctx with n_seq_max 1 and no prefix cache). Slots point at
   blocks; llm_session_seq_copy and _reorder share blocks (no copying) and
   a write into a shared block copies only that block (copy on write). Per
   slot: 2 * n_layer * n_ctx' * n_embd * 4 bytes of KV cache (n_ctx' =
   n_ctx rounded up to 16; GPT-2 124M at n_ctx 1024: 75,497,472 bytes) plus
   n_vocab * 4 bytes of logits (201,028) and 12 * n_ctx' / 16 + 40 bytes of
   bookkeeping; the scratch is shared. */
typedef struct llm_batch {
    size_t n;               /* rows */
    const int32_t *token;   /* [n] */
    const int32_t *seq;     /* [n] slot in [0, n_seq_max); NULL: all 0 */
    const int32_t *pos;     /* [n] position; NULL: next position of the row's slot */
    const int8_t *logits;   /* [n] nonzero: keep this row's logits; NULL: the last row of each slot */
} llm_batch;
LLM_API llm_status llm_session_decode(llm_session *s, const llm_batch *b);
/* [n_vocab] logits of row `row` of the last decode; NULL if not kept. */
LLM_API const float *llm_session_logits_row(const llm_session *s, size_t row);
/* Positions held by slot seq (0 for a slot out of range). */
LLM_API size_t llm_session_seq_len(const llm_session *s, int seq);
/* Slot dst becomes a copy of slot src (sharing its blocks: no copying, no
   re-evaluation). */
LLM_API llm_status llm_session_seq_copy(llm_session *s, int dst, int src);
/* Slot seq becomes empty. */
LLM_API llm_status llm_session_seq_clear(llm_session *s, int seq);
/* For i < n, slot i takes what slot src[i] held before the call (beam
   search: src[i] may repeat; slots >= n are unchanged). Blocks are shared,
   not copied. */
LLM_API llm_status llm_session_seq_reorder(llm_session *s, const int32_t *src, int n);

/* ---- prefix cache (llm_session_options.prefix_cache nonzero) -------------
   A full block of 16 positions written by a decode (a prompt's or a
   generated token's rows) is kept in the pool, keyed by all the tokens
   from position 0 to its end, while any slot uses it and after: when its
   slots are cleared, truncated, reset or overwritten it stays there,
   unused, until a new block needs its room (then the least recently let go
   is evicted first; blocks at the end of a prefix go before the blocks
   they follow). A lookup compares the tokens themselves, never a hash
   alone. Hit rule: whole blocks only, and never the last token of a
   prompt, which is always evaluated so that its logits exist: a prompt of
   n tokens reuses at most the blocks that end at or before position n - 1.
   A slot that continues after a hit writes into copies (copy on write):
   cached blocks are never changed while they are cached.
   Memory is fixed at init: no extra KV memory (the cache lives in the
   pool's unused blocks; a slot's own blocks always have room), and
   bookkeeping of 85 bytes per block of 16 positions (a 4-byte token id per
   position, 21 bytes per block), i.e. 85 * n_ctx' / 16 bytes per slot plus
   alignment (GPT-2 124M at n_ctx 1024: 5,440) in the session's one
   allocation (arena builds included; llm_session_heap_size counts it).
   With the cache on, a session of n_seq_max 1 also uses blocks of 16
   positions. Off (the default, zero-initialised options): no memory for
   it, and the session behaves as one that has no cache.
   Exactness: a KV row's values depend only on the tokens up to it and on
   the size class of the pass that computed it (1, 2..8 or more rows; see
   the kernels' "Determinism and agreement"). llm_session_seq_prefill_cached
   evaluates what it does not reuse in the passes llm_session_eval of the
   whole prompt uses (max_batch rows from position 0; max_batch a multiple
   of 16), and reuses fewer blocks where needed to keep every row in its
   size class (a 50-token prompt whose first 48 are cached reuses 32). So
   a hit on blocks written by a prompt's evaluation (llm_session_eval, a
   prefill_cached, a decode of a whole prompt) gives bit for bit the logits
   llm_session_eval of the whole prompt gives in an empty slot; blocks
   written token by token (generated text) hold the values of one-row
   passes, which differ from a prefill's by rounding (~1e-7 relative),
   as token-by-token decoding and prefill differ. */

/* Slot seq becomes empty, then takes the longest run of cached blocks that
   ids[0..n) starts with, whole blocks ending at or before position n - 1
   (shared, nothing evaluated); *n_cached (may be NULL) gets its length, a
   multiple of 16 (0 with the cache off or on a miss). Evaluate ids[*n_cached
   ..n) next, at positions *n_cached.. of the slot (llm_session_decode). On
   error the slot is unchanged. */
LLM_API llm_status llm_session_seq_attach_cached(llm_session *s, int seq, const int32_t *ids, size_t n,
                                                 size_t *n_cached);
/* Slot seq becomes ids[0..n): cached blocks reused as above (*n_cached may
   be NULL), the rest evaluated (see Exactness above). Afterwards
   llm_session_logits() holds the logits of ids[n - 1]. n <= n_ctx. On
   error the slot is unchanged. */
LLM_API llm_status llm_session_seq_prefill_cached(llm_session *s, int seq, const int32_t *ids, size_t n,
                                                  size_t *n_cached);
typedef struct llm_prefix_cache_stats {
    uint64_t lookups;       /* attach / prefill_cached calls with the cache on */
    uint64_t hits;          /* of those, calls that reused at least one block */
    uint64_t tokens_reused; /* positions reused, summed over all calls */
    uint64_t evictions;     /* cached blocks given to new contents */
    size_t blocks_cached;   /* blocks held for reuse now (in use by a slot or not) */
    size_t blocks_total;    /* blocks in the pool: n_seq_max * n_ctx' / 16 */
} llm_prefix_cache_stats;
/* The session's counters since init (all 0 with the cache off). */
LLM_API llm_status llm_session_prefix_cache_stats(const llm_session *s, llm_prefix_cache_stats *st);
/* Drops every cached block that no slot uses (the counters stay). */
LLM_API void llm_session_prefix_cache_clear(llm_session *s);
/* ---- hidden states, embeddings, classifier heads ---------------------------
   Any head: llm_session_decode_hidden runs a batch as llm_session_decode
   does (same rules, same KV cache) but writes the final hidden state of
   every row (after ln_f) to hidden[b->n, n_embd] and keeps no logits.
   Classifiers have no next-token logits: llm_session_decode / _eval (and
   so llm_generate) with rows that keep logits are LLM_ERR_UNSUPPORTED on
   them; asking an LM for classes (llm_session_head) is too. */
LLM_API llm_status llm_session_decode_hidden(llm_session *s, const llm_batch *b, float *hidden);
/* The classifier head on n hidden rows (as from llm_session_decode_hidden):
   out[n, num_labels] logits (score.weight, or classifier.weight + .bias). */
LLM_API llm_status llm_session_head(llm_session *s, const float *hidden, size_t n, float *out);
/* The batch row GPT2ForSequenceClassification reads for slot seq (rows of
   b in that slot, in order): with pad_token_id set, the last row whose
   token is not pad_token_id (only pads: the first row), as Hugging Face
   finds the last non-padding token; without, the last row. -1 if the slot
   has no rows in b or an argument is NULL. */
LLM_API long llm_batch_cls_row(const llm_model *m, const llm_batch *b, int seq);
/* A classifier's outputs from its logits[num_labels] (out may be logits):
   SINGLE_LABEL softmax, MULTI_LABEL sigmoid of each, REGRESSION a copy. */
LLM_API llm_status llm_head_probs(const llm_model *m, const float *logits, float *out);
typedef enum llm_pool {
    LLM_POOL_MEAN = 0,      /* the mean of the rows (the default) */
    LLM_POOL_LAST           /* the last row */
} llm_pool;
/* A pooled embedding of slot seq's rows of batch b from hidden[b->n, n]
   (llm_session_decode_hidden's): out[n] is their mean or the last one;
   normalize 1 scales it to unit L2 norm (a zero vector stays zero), 0
   leaves it as is (the default). LLM_ERR_INVALID_ARG if the slot has no
   rows in b. */
LLM_API llm_status llm_pool_rows(const float *hidden, size_t n, const llm_batch *b, int seq, llm_pool pool,
                                 int normalize, float *out);

/* ---- sampling ------------------------------------------------------------ */

/* A small seeded generator (splitmix64) owned by the caller. With r NULL:
   seed does nothing, next and float return 0. */
typedef struct llm_rng { uint64_t state; } llm_rng;
LLM_API void llm_rng_seed(llm_rng *r, uint64_t seed);
LLM_API uint64_t llm_rng_next(llm_rng *r);
LLM_API float llm_rng_float(llm_rng *r);          /* uniform in [0, 1) */

/* Zero means "off" for every field; temperature 0 means greedy (argmax,
   lowest id on ties). Applied in Hugging Face's order: repetition penalty,
   temperature, top-k, top-p, min-p, then one draw from what is left.
   Exact in the limits: values whose arithmetic passes the float range (a
   temperature of 1e-39, a repetition penalty of 1e-39 or 1e6) give the
   answer of the definitions, so a tiny temperature draws the argmax like
   greedy (exact ties of the best logit are then drawn uniformly, where
   greedy takes the lowest id). Logits: a +inf logit is chosen at any
   setting (the lowest id of several); -inf ones are never drawn; a NaN
   logit, or every logit -inf, is LLM_ERR_NUMERIC (nothing is drawn). */
typedef struct llm_sampler_options {
    float temperature;        /* 0: greedy; otherwise logits / temperature;
                                 in [0, 1e6] */
    int top_k;                /* keep the k best (and ties with the k-th) */
    float top_p;              /* nucleus: smallest set with mass >= top_p,
                                 in [0, 1]; 0 and 1 are off. Unlike HF,
                                 where top_p 0 keeps only the best token
                                 (here: top_k 1, or greedy), 0 is off so
                                 that zeroed options sample plainly; any
                                 top_p > 0 keeps at least the best token */
    float min_p;              /* drop p < min_p * p_max; in [0, 1] */
    float repetition_penalty; /* HF: for every token already in the
                                 sequence, positive logits / p, negative
                                 * p; in [0, 1e6], 0 and 1 are off */
    uint64_t seed;
} llm_sampler_options;

typedef struct llm_sampler {
    llm_sampler_options opt;
    llm_rng rng;
    size_t n_vocab;
    void *_buf;               /* scratch: [n_vocab] floats + candidates */
    llm_arena *_arena;        /* where _buf lives, or NULL: malloc */
    char error[LLM_ERROR_SIZE];
} llm_sampler;

LLM_API llm_status llm_sampler_init(llm_sampler *s, const llm_sampler_options *opt, size_t n_vocab);
/* The same with the sampler's memory in arena a. */
LLM_API llm_status llm_sampler_init_arena(llm_sampler *s, const llm_sampler_options *opt, size_t n_vocab,
                                          llm_arena *a);
/* Exact arena bytes of llm_sampler_init_arena, computed: *peak, and *kept
   (may be NULL), both the size of the sampler's one block;
   LLM_ERR_INVALID_ARG for an n_vocab it rejects. */
LLM_API llm_status llm_sampler_heap_size(size_t n_vocab, size_t *peak, size_t *kept);
LLM_API void llm_sampler_free(llm_sampler *s);
/* Pick a token from logits[n_vocab] (not modified). history: the tokens
   the repetition penalty looks at (may be NULL if n_history is 0); ids
   outside [0, n_vocab) in it are ignored. LLM_ERR_NUMERIC (and *id not
   written) when a logit is NaN or every logit is -inf. */
LLM_API llm_status llm_sampler_sample(llm_sampler *s, const float *logits, const int32_t *history,
                                      size_t n_history, int32_t *id);
LLM_API const char *llm_sampler_error(const llm_sampler *s);

/* ---- generation ------------------------------------------------------------ */

typedef enum llm_stop_reason {
    LLM_STOP_NONE = 0,
    LLM_STOP_EOS,            /* the end-of-text token was sampled */
    LLM_STOP_STRING,         /* a stop string appeared (see STOP STRINGS below) */
    LLM_STOP_LENGTH,         /* max_new_tokens or max_length reached */
    LLM_STOP_CONTEXT_FULL,   /* the session's context is full */
    LLM_STOP_CALLBACK,       /* on_text or on_token returned nonzero */
    LLM_STOP_ERROR           /* llm_generator_step: the draw failed (its status and message are the step's) */
} llm_stop_reason;

/* STOP STRINGS (llm_generate's stop_strings, llm_seq_options.stop_strings):
   a sequence stops when its text contains one of them, and the text ends
   where the first occurrence (the one that starts earliest) begins: the
   stop string and anything decoded after it are not part of the text
   (OpenAI's rule; keep_stop_strings 1: the text ends after the stop
   string instead). The ids stay as generated: the last one is the token
   that completed the stop string. Streamed text (on_text, generator
   events) holds back the bytes that could still become a stop string and
   hands them out once they cannot (or when the sequence ends otherwise),
   so the pieces concatenate to exactly the final text and never contain
   a stop string (with keep_stop_strings: never anything after one).
   Empty stop strings are ignored. */

/* Receives complete UTF-8 pieces of sequence seq as they are produced.
   Return nonzero to stop that sequence. */
typedef int (*llm_text_callback)(void *user, int seq, const char *text, size_t len);

/* Beam search's stopping rule (Hugging Face's early_stopping). With B
   beams, a "finished" set of B hypotheses (the best ones that ended on
   end-of-text or at the length limit) is kept next to the B running beams. */
typedef enum llm_early_stopping {
    LLM_EARLY_STOPPING_FALSE = 0, /* HF False (the default): stop once the best running beam, scored with
                                     the current length, cannot beat the worst finished hypothesis */
    LLM_EARLY_STOPPING_TRUE,      /* HF True: stop as soon as B hypotheses are finished */
    LLM_EARLY_STOPPING_NEVER      /* HF "never": as FALSE, but with length_penalty > 0 the running beam is
                                     scored with the longest length it could reach (max new tokens) */
} llm_early_stopping;

typedef struct llm_generate_options {
    llm_sampler_options sampler;
    int max_new_tokens;       /* 0: no limit of its own */
    int max_length;           /* tokens in the context, prompt included (HF);
                                 0: none. Both 0: until EOS or context full */
    int num_return_sequences; /* 0 = 1; the prompt is evaluated once,
                                 forked into a slot per sequence (no
                                 copying), then every step samples one token
                                 for each live sequence and evaluates them
                                 all in one batch (llm_session_decode);
                                 sequences that stop drop out. Sequence i
                                 samples with seed sampler.seed + i, so it
                                 equals a run of its own with that seed.
                                 Greedy (temperature 0) gives n copies of
                                 the same sequence (Hugging Face refuses
                                 num_return_sequences > 1 there) */
    const char *const *stop_strings; /* NULL-terminated list, or NULL (see STOP STRINGS) */
    int ignore_eos;           /* 1: don't stop at the end-of-text token */
    unsigned encode_flags;    /* for text prompts, e.g. LLM_TOKENIZE_SPECIAL */
    llm_text_callback on_text;
    /* Called with every sampled id (end-of-text too), before it is
       evaluated; return nonzero to stop that sequence. */
    int (*on_token)(void *user, int seq, int32_t id);
    void *user;
    /* Beam search (Hugging Face's generate(num_beams=B, do_sample=False),
       the semantics of transformers v4.50+: see docs/api.md "Beam search").
       num_beams 0 or 1: no beam search. B > 1: the B beams live in slots
       0..B-1 (of s if it has n_seq_max >= B, else of a session of B slots
       allocated for the call, as for num_return_sequences), are reordered
       each step with llm_session_seq_reorder (blocks shared, copy on
       write) and advance together, one llm_session_decode per step. Each
       step scores every (beam, token) by the beam's sum of log-softmax
       log-probabilities (computed in double) plus the token's, and keeps
       HF's 2B best. A hypothesis that ends (end-of-text, unless ignore_eos,
       or the length limit) scores sum_logprobs / L ** length_penalty, L =
       tokens generated counting the end-of-text token. The result is the
       num_return_sequences (<= B) best hypotheses, best first, each with
       its score in llm_sequence.score. Deterministic: the sampler must be
       greedy (temperature 0; top_k, top_p, min_p are then unused) and
       repetition_penalty off (0 or 1): HF's beam sampling and penalties
       with beams are not implemented (LLM_ERR_INVALID_ARG). Needs
       2 B <= n_vocab, no stop_strings; on_token is not called; on_text is
       called once per returned sequence, after the search, with its whole
       text (beams cannot stream: any beam may still be dropped). The
       length limit is max_new_tokens / max_length, else the context (with
       neither, the search runs to the end of the context: HF's default is
       max_length 20). */
    int num_beams;            /* in [0, 4096]; 0 = 1 */
    float length_penalty;     /* used when has_length_penalty is 1, finite;
                                 else 1.0 (HF's default), so that zeroed
                                 options mean HF's defaults */
    int has_length_penalty;
    llm_early_stopping early_stopping;
    /* HF's no_repeat_ngram_size, for greedy, sampling and beams: a token
       that would complete an n-gram already in the sequence (prompt +
       generated, as in llm_sequence.ids) is never chosen (its logit is
       -inf; beams: its log-prob, not renormalised). 0: off. */
    int no_repeat_ngram_size;
    int keep_stop_strings;    /* 1: the text keeps the stop string (see STOP STRINGS) */
} llm_generate_options;

typedef struct llm_sequence {
    int32_t *ids;             /* prompt + generated ids */
    size_t n_ids, n_prompt;
    char *text;               /* generated text, NUL-terminated (without
                                 the end-of-text token); NULL if the model
                                 has no tokenizer */
    size_t text_len;
    llm_stop_reason stop;
    double score;             /* beam search: HF's sequences_scores (sum of
                                 log-probs / L ** length_penalty); else 0 */
} llm_sequence;

typedef struct llm_generation {
    llm_sequence *seqs;
    int n_seqs;
} llm_generation;

/* Appends the prompt to what the session already holds (a fresh or reset
   session: just the prompt) and generates. With one sequence the session
   then holds the prompt and every generated token but the last, which has
   not been evaluated (feed it back first to continue). With several, the
   sequences run in slots 0..n-1 of s when it has n_seq_max >= n (slots
   1..n-1 are used and left empty), else in a session of n slots that
   llm_generate allocates for the call (n_ctx only as long as they can
   get); either way s's slot 0 then holds the prompt. Each step draws the
   live sequences' tokens in parallel on the session's threads (a sampler
   per thread, 21 * n_vocab bytes each: 1 MB for GPT-2; the tokens do not
   depend on the thread count), then calls the callbacks on the calling
   thread, in sequence order. Every option (the sampler's too) and the
   prompt are checked, and all memory is allocated, before the prompt is
   evaluated; a call that fails leaves the session as it was (pos and
   llm_session_logits()), also when it fails during generation. Errors
   leave their message in llm_session_error(s): LLM_ERR_INVALID_ARG (an
   option), _CONTEXT_FULL (prompt past the context), _TOKEN_RANGE,
   _OUT_OF_MEMORY, _NUMERIC (NaN logits: see NON-FINITE VALUES). Free out
   with llm_generation_free(), also after an error (it may hold the
   sequences generated before the error). */
LLM_API llm_status llm_generate(llm_session *s, const int32_t *prompt, size_t n_prompt,
                                const llm_generate_options *opt, llm_generation *out);
/* The same with a text prompt, encoded with the model's tokenizer. */
LLM_API llm_status llm_generate_text(llm_session *s, const char *prompt, const llm_generate_options *opt,
                                     llm_generation *out);
LLM_API void llm_generation_free(llm_generation *g);

/* ---- step-by-step generation (llm_generator) ------------------------------
   A generator runs many sequences over one session, a token per step, and
   lets the caller add a prompt or cancel a sequence between any two steps
   (a server's loop; llm_generate is such a loop). Sequence handles are
   the session's slots 0..max_seqs-1: a handle is valid from llm_generator_add
   until its last event (stop != LLM_STOP_NONE) or llm_generator_cancel,
   then the slot is free for the next add (its KV rows stay in the session
   until a new sequence overwrites them; cancel clears them at once).
   Each llm_generator_step makes one llm_session_decode of: the token each
   running sequence drew in the previous step, then prompt rows of the
   sequences still reading their prompt, oldest add first, at most
   max_prefill_rows of them per step (so a long prompt arriving does not
   stall the running sequences). Then every sequence whose logits are ready
   (the last prompt row's, or its last token's) draws its next token, all of
   them in parallel on the session's threads (a lane of 21 * n_vocab bytes
   per thread), and each gets an event. A sequence's draws use only its own
   logits, ids (prompt + generated, for repetition_penalty and
   no_repeat_ngram_size) and RNG (seeded with sampler.seed at add), so its
   tokens do not depend on what runs beside it, when it joined or the
   prefill chunk size, up to the rounding of the forward pass, which is
   the same for a row in passes of up to 8 rows but differs in bigger
   passes and in a prompt's multi-row attention (~1e-7 relative; see
   MATH KERNELS): tokens can then differ only where two choices are that close.
   Memory: everything is allocated by llm_generator_init (per sequence
   (n_ctx + 1) ids, the held-back text, the top_logprobs entries; per
   thread a lane; the batch), nothing after; llm_generator_init_arena
   places it in an arena (llm_generator_heap_size: its bytes). Errors: every call returns a
   status with llm_generator_error(g) saying why; a call that fails
   changes nothing (llm_generator_step: see there). */
typedef struct llm_seq_options {
    llm_sampler_options sampler; /* checked as llm_sampler_init does; seed seeds this sequence's RNG */
    int max_new_tokens;          /* 0: until end-of-text, a stop string or the context's end */
    const char *const *stop_strings; /* NULL-terminated, or NULL; each at most the generator's
                                        max_stop_len bytes; they must stay valid until the sequence ends */
    int keep_stop_strings;       /* 1: the text keeps the stop string */
    int ignore_eos;              /* 1: don't stop at the end-of-text token */
    int no_repeat_ngram_size;    /* as in llm_generate_options */
    int logprobs;                /* 1: events carry the token's log-probability */
    int top_logprobs;            /* and this many alternatives, in [0, max_top_logprobs] */
    void *user;                  /* handed back in this sequence's events */
} llm_seq_options;

typedef struct llm_generator_options {
    int max_seqs;          /* sequences at once: slots 0..max_seqs-1 of the session; 0: its n_seq_max */
    int max_prefill_rows;  /* prompt rows per step, all sequences together; 0: n_ctx (a whole prompt) */
    int max_top_logprobs;  /* the most top_logprobs a sequence may ask; 0: none */
    int max_stop_len;      /* bytes of the longest stop string a sequence may give; 0: 64 */
} llm_generator_options;

/* A token and its log-probability: log-softmax of the model's logits
   (before the sampler's penalties, temperature and filters), in double,
   stored as float; -inf for a -inf logit. */
typedef struct llm_token_logprob {
    int32_t id;
    float logprob;
} llm_token_logprob;

typedef struct llm_generator_event {
    int seq;                       /* the handle llm_generator_add gave */
    void *user;                    /* its options' user */
    int32_t id;                    /* the token drawn; -1 with LLM_STOP_ERROR */
    float logprob;                 /* with logprobs: id's log-probability; else 0 */
    const llm_token_logprob *top;  /* n_top best tokens, best first (higher logit, then lower id) */
    int n_top;
    const char *text;              /* the text this step hands out (complete UTF-8, held back near a
                                      stop string; the end-of-text token has none); not NUL-terminated */
    size_t text_len;
    llm_stop_reason stop;          /* LLM_STOP_NONE: the sequence goes on; else this is its last event */
    size_t n_cached;               /* prompt tokens reused from the session's prefix cache (0 with it off) */
} llm_generator_event;

typedef struct llm_generator {
    llm_session *session;
    int max_seqs, max_prefill_rows, max_top_logprobs, max_stop_len;
    int n_live;                    /* sequences added and not yet ended */
    /* private */
    struct llm__gseq *_seq;        /* [max_seqs] */
    struct llm__lane *_lane;       /* [_n_lanes] */
    int _n_lanes;
    llm_generator_event *_ev;      /* [max_seqs] */
    int32_t *_btok, *_bseq, *_bpos; /* the batch: [max_seqs + max_prefill_rows] each */
    int8_t *_blog;
    uint64_t _added;               /* adds so far: the prefill order */
    int32_t _eos;                  /* the end-of-text id, -1: none */
    llm_arena *_arena;             /* where its memory lives, or NULL: malloc */
    char error[LLM_ERROR_SIZE];
} llm_generator;

/* A generator over s (initialised; s must outlive it). LLM_ERR_INVALID_ARG
   for max_seqs > s's n_seq_max or a negative option, _OUT_OF_MEMORY,
   _UNSUPPORTED with LLM_NO_MALLOC. */
LLM_API llm_status llm_generator_init(llm_generator *g, llm_session *s, const llm_generator_options *opt);
/* The same with the generator's memory in arena a (also with LLM_NO_MALLOC). */
LLM_API llm_status llm_generator_init_arena(llm_generator *g, llm_session *s, const llm_generator_options *opt,
                                            llm_arena *a);
/* The arena bytes llm_generator_init_arena needs over session s with
   these options (*peak) and holds afterwards (*kept, may be NULL; the
   same). Measured by an init into a measuring arena (so it uses
   LLM_MALLOC; LLM_ERR_UNSUPPORTED with LLM_NO_MALLOC). */
LLM_API llm_status llm_generator_heap_size(llm_session *s, const llm_generator_options *opt, size_t *peak,
                                           size_t *kept);
/* Starts a sequence of prompt[0..n) (1 <= n <= n_ctx ids in [0, n_vocab))
   with options o (NULL: greedy, no limit) in a free slot, *seq its handle.
   With the session's prefix cache on, the slot takes the cached blocks the
   prompt starts with (llm_session_seq_attach_cached; events' n_cached) and
   only the rest is evaluated. Nothing runs until the next step. LLM_ERR_INVALID_ARG (an option),
   _TOKEN_RANGE, _CONTEXT_FULL (n > n_ctx), _LIMIT (every slot is busy). */
LLM_API llm_status llm_generator_add(llm_generator *g, const int32_t *prompt, size_t n, const llm_seq_options *o,
                                     int *seq);
/* One step (see above): *events gets an array of *n_events events (valid
   until the next call on g), in slot order; 0 events when nothing ran. A
   failed draw (LLM_ERR_NUMERIC: NaN logits) ends that sequence with
   LLM_STOP_ERROR and makes the step return its status and message (the
   lowest such slot's), the other sequences' events as usual. A failed
   decode (only an allocator's or the model's fault) returns its error
   with no events and nothing changed. */
LLM_API llm_status llm_generator_step(llm_generator *g, const llm_generator_event **events, int *n_events);
/* Ends sequence seq at once, without an event; its slot is cleared and free. */
LLM_API llm_status llm_generator_cancel(llm_generator *g, int seq);
LLM_API void llm_generator_free(llm_generator *g);
LLM_API const char *llm_generator_error(const llm_generator *g);

/* ---- chat templates ---------------------------------------------------------
   How a conversation (messages with a role and a content) becomes the
   token ids a model continues with its reply, and where the reply ends.
   See GENERATION for the rule that picks a model's template. */
typedef enum llm_chat_template {
    LLM_CHAT_PLAIN = 0,  /* "plain": "System: ", "User: " or "Assistant: " + content + "\n" per message, then
                            "Assistant:"; the reply ends at end-of-text or the stop string "\nUser:" */
    LLM_CHAT_DIALOGPT,   /* "dialogpt": each message's content followed by the end-of-text token (the role is not
                            written), then nothing; the reply ends at end-of-text */
    LLM_CHAT_CHATML      /* "chatml": "<|im_start|>" role "\n" content "<|im_end|>" "\n" per message, then
                            "<|im_start|>assistant\n"; <|im_start|> and <|im_end|> are the vocabulary's tokens of
                            those names; the reply ends at the stop string "<|im_end|>" or end-of-text */
} llm_chat_template;
#define LLM_CHAT_TEMPLATE_COUNT 3

typedef struct llm_chat_message {
    const char *role;     /* "system" (or "developer", written as system), "user" or "assistant" */
    const char *content;  /* content_len bytes of text (need not be NUL-terminated); encoded as plain text, so
                             "<|im_end|>" in it is text, never the special token */
    size_t content_len;
} llm_chat_message;

/* The template's name ("plain", "dialogpt", "chatml"), or "?". */
LLM_API const char *llm_chat_template_name(int tmpl);
/* The template of a name (as llm_chat_template_name writes it, any case), or -1. */
LLM_API int llm_chat_template_from_name(const char *name);
/* The stop strings that end a reply in template tmpl, besides the
   end-of-text token: a NULL-terminated constant list (empty for dialogpt;
   NULL for an unknown tmpl), usable as llm_seq_options.stop_strings. */
LLM_API const char *const *llm_chat_template_stops(int tmpl);
/* Picks the template for a model (the rule: GENERATION, "chat templates")
   from tokenizer t (NULL: none), tokenizer_config.json's text and
   config.json's text (each NULL: absent). *tmpl gets the template; note
   (NULL or LLM_ERROR_SIZE bytes) gets one sentence saying why, or on
   failure the error. LLM_ERR_FORMAT when a text it reads is not a JSON
   object or chat_template is neither a string nor a list of {name, template};
   _INVALID_ARG for NULL tmpl; _OUT_OF_MEMORY. llm_model_load calls it. */
LLM_API llm_status llm_chat_template_detect(const llm_tokenizer *t, const char *tokenizer_config, size_t tc_len,
                                            const char *config_json, size_t config_len, int *tmpl, char *note);
/* Messages msgs[0..n) in template tmpl -> ids[0..*n_ids) (with
   add_prompt nonzero, followed by the start of the assistant's reply),
   ready for llm_generator_add. eos_id: the end-of-text id (needed by
   dialogpt: in [0, t's vocabulary size)). Writes at most cap ids; *n_ids gets the full count (also
   with LLM_ERR_BUFFER_TOO_SMALL). err: NULL or LLM_ERROR_SIZE bytes for
   the message. LLM_ERR_INVALID_ARG for an unknown role or template, a NULL
   argument or dialogpt without a valid end-of-text id; _UNSUPPORTED for chatml
   on a vocabulary without <|im_start|> / <|im_end|>; _LIMIT for text past
   SIZE_MAX / 2 bytes; _OUT_OF_MEMORY (it allocates one buffer of the
   rendered text); the tokenizer's errors. */
LLM_API llm_status llm_chat_render(const llm_tokenizer *t, int tmpl, int32_t eos_id, const llm_chat_message *msgs,
                                   size_t n, int add_prompt, int32_t *ids, size_t cap, size_t *n_ids, char *err);

#ifdef __cplusplus
}
#endif
#endif /* LLM_H */

/* ==========================================================================
   IMPLEMENTATION
   ========================================================================== */
#if defined(LLM_IMPLEMENTATION) && !defined(LLM_NO_IMPLEMENTATION)
#ifndef LLM_IMPLEMENTATION_DONE
#define LLM_IMPLEMENTATION_DONE

/* ---- config --------------------------------------------------------------- */

#include <string.h>
#include <math.h>

#if defined(LLM_MALLOC) != defined(LLM_FREE)
#error "llm.h: define both LLM_MALLOC and LLM_FREE, or neither"
#endif
#if defined(LLM_NO_MALLOC) && defined(LLM_MALLOC)
#error "llm.h: LLM_NO_MALLOC and LLM_MALLOC exclude each other"
#endif
#if !defined(LLM_MALLOC) && !defined(LLM_NO_MALLOC)
#include <stdlib.h>
#define LLM_MALLOC(sz) malloc(sz)
#define LLM_FREE(p) free(p)
#endif
#ifndef LLM_ASSERT
#if defined(LLM_NO_STDIO) || defined(LLM_NO_MALLOC)
#define LLM_ASSERT(x) ((void)0)
#else
#include <assert.h>
#define LLM_ASSERT(x) assert(x)
#endif
#endif

/* Loading by path needs files and an allocator. */
#if !defined(LLM_NO_STDIO) && !defined(LLM_NO_MALLOC)
#define LLM__FILES 1
#endif

#ifdef LLM__FILES
#include <stdio.h>
#include <limits.h>
#include <errno.h>
#if defined(__unix__) || defined(__APPLE__)
#define LLM__POSIX 1
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#if !defined(LLM_NO_MMAP)
#define LLM__HAVE_MMAP 1
#include <sys/mman.h>
#endif
#endif
#endif

#if defined(_OPENMP) && !defined(LLM_NO_OPENMP)
#define LLM__OMP 1
#include <omp.h>
#define LLM__PRAGMA(x) _Pragma(#x)
/* work: multiply-adds in the loop; small loops stay on one thread, where
   waking the others would cost more than it saves */
#define LLM__PARALLEL_FOR(nt, work) \
    LLM__PRAGMA(omp parallel for schedule(static) num_threads(nt) if((nt) > 1 && (work) >= 131072.0))
#else
#define LLM__PARALLEL_FOR(nt, work)
#endif

#ifndef LLM_MAX_THREADS
#define LLM_MAX_THREADS 256
#endif
#define LLM_ST_MAX_HEADER 100000000u
#define LLM_MAX_TENSORS 65536u
#define LLM_JSON_MAX_DEPTH 64
#define LLM_JSON_MAX_VALUES 4194304u
#define LLM__MAX_LAYER 1024
#define LLM__MAX_EMBD 65536
#define LLM__MAX_CTX 1048576
#define LLM__MAX_VOCAB 16777216
#define LLM__MAX_LABELS 65536
#define LLM__FLT_MAX 3.40282347e38f  /* the largest finite float */

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
    case LLM_ERR_NUMERIC: return "LLM_ERR_NUMERIC";
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

#ifdef LLM_NO_MALLOC
static void *llm__alloc(size_t n) { (void)n; return NULL; }
static void llm__free(void *p) { (void)p; }
#else
static void *llm__alloc(size_t n) { return n ? LLM_MALLOC(n) : NULL; }
static void llm__free(void *p) { if (p) LLM_FREE(p); }
#endif

/* A tiny formatter for error messages (no stdio needed):
   %s %.*s %d %u %zu %c %%. Always NUL-terminates. */
typedef struct { char *p; size_t n, cap; } llm__buf;
static void llm__putc(llm__buf *b, char c) { if (b->n + 1 < b->cap) b->p[b->n++] = c; }
static void llm__puts(llm__buf *b, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n && s[i]; i++) llm__putc(b, s[i]);
}
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
        else if (*fmt == 'd') {
            int v = va_arg(ap, int);
            llm__putu(&b, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
        }
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

/* ---- arena ------------------------------------------------------------------
   Objects' memory is stacked from the bottom, loaders' scratch from the top.
   Every block starts with a header; freeing marks it, and each end gives
   back its trailing freed blocks, so memory freed in any order is reused
   once everything above it is freed too. A measuring arena does the same
   bookkeeping on blocks from LLM_MALLOC, so its peak is what a buffer needs. */
typedef struct llm__ablk {
    struct llm__ablk *prev;       /* the block below on the same end */
    size_t before;                /* that end's bytes in use before this block */
    size_t flags;                 /* 1: top end (scratch), 2: freed */
} llm__ablk;
#define LLM__AMASK ((size_t)LLM_ARENA_ALIGN - 1)
#define LLM__AHDR ((sizeof(llm__ablk) + LLM__AMASK) & ~LLM__AMASK)

LLM_API llm_status llm_arena_init(llm_arena *a, void *buf, size_t size) {
    size_t pad;
    if (!a) return LLM_ERR_INVALID_ARG;
    memset(a, 0, sizeof *a);
    if (!buf) {
        if (size) return LLM_ERR_INVALID_ARG;
#ifdef LLM_NO_MALLOC
        return LLM_ERR_UNSUPPORTED;
#else
        a->size = (size_t)-1;
        return LLM_OK;
#endif
    }
    pad = (size_t)(-(uintptr_t)buf) & LLM__AMASK;
    if (pad > size) pad = size;
    a->base = (unsigned char *)buf + pad;
    a->size = (size - pad) & ~LLM__AMASK;
    return LLM_OK;
}

/* n bytes from the bottom (temp 0) or the top (temp 1) end, or NULL. */
static void *llm__arena_alloc(llm_arena *a, size_t n, int temp) {
    size_t need, used;
    unsigned char *p;
    llm__ablk *h;
    if (!llm__add(n, LLM__AMASK + LLM__AHDR, &need)) return NULL;
    need &= ~LLM__AMASK;
    if (!llm__add(a->kept + a->temp, need, &used) || used > a->size) return NULL;
    if (a->base) p = temp ? a->base + (a->size - a->temp - need) : a->base + a->kept;
    else {
#ifdef LLM_NO_MALLOC
        return NULL;
#else
        p = LLM__CAST(unsigned char *, LLM_MALLOC(need));
        if (!p) return NULL;
#endif
    }
    h = (llm__ablk *)(void *)p;
    h->prev = LLM__CAST(llm__ablk *, a->_last[temp]);
    h->before = temp ? a->temp : a->kept;
    h->flags = (size_t)temp;
    a->_last[temp] = h;
    if (temp) a->temp += need; else a->kept += need;
    if (used > a->peak) a->peak = used;
    return p + LLM__AHDR;
}

static void llm__arena_free(llm_arena *a, void *p) {
    llm__ablk *h;
    int e;
    if (!p) return;
    h = (llm__ablk *)(void *)((unsigned char *)p - LLM__AHDR);
    LLM_ASSERT(h->flags <= 1);                      /* a live block of this arena */
    h->flags |= 2;
    e = (int)(h->flags & 1);
    while (a->_last[e] && (LLM__CAST(llm__ablk *, a->_last[e])->flags & 2)) {
        llm__ablk *b = LLM__CAST(llm__ablk *, a->_last[e]);
        a->_last[e] = b->prev;
        if (e) a->temp = b->before; else a->kept = b->before;
#ifndef LLM_NO_MALLOC
        if (!a->base) LLM_FREE(b);
#endif
    }
}

/* Object memory (kept) and loader scratch (temp): from the arena a, or
   from LLM_MALLOC when a is NULL. */
static void *llm__aalloc(llm_arena *a, size_t n) { return a ? llm__arena_alloc(a, n, 0) : llm__alloc(n); }
static void *llm__atemp(llm_arena *a, size_t n) { return a ? llm__arena_alloc(a, n, 1) : llm__alloc(n); }
static void llm__afree(llm_arena *a, void *p) { if (a) llm__arena_free(a, p); else llm__free(p); }

/* For a call that needs LLM_MALLOC whatever the arena: LLM_ERR_UNSUPPORTED
   with "built with LLM_NO_MALLOC: <what>" in err in a build without it,
   else LLM_OK. */
static llm_status llm__need_malloc(char *err, const char *what) {
#ifdef LLM_NO_MALLOC
    return llm__err(err, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: %s", what);
#else
    (void)err; (void)what;
    return LLM_OK;
#endif
}

/* The llm_*_heap_size functions all give *peak, the arena bytes that
   creating the object needs, and *kept (kept may be NULL), the bytes it
   holds afterwards; both are 0 after a failure, and a NULL peak is
   LLM_ERR_INVALID_ARG. llm__heap_begin zeroes them; llm__heap_block gives
   the sizes of an object that takes one block of n bytes and keeps it
   (session, sampler); llm__measure_begin / _end put a measuring arena
   around one load (model, tokenizer; LLM_ERR_UNSUPPORTED without malloc). */
static llm_status llm__heap_begin(size_t *peak, size_t *kept) {
    if (peak) *peak = 0;
    if (kept) *kept = 0;
    return peak ? LLM_OK : LLM_ERR_INVALID_ARG;
}
static llm_status llm__heap_block(size_t n, size_t *peak, size_t *kept) {
    size_t b;
    if (!llm__add(n, LLM__AMASK + LLM__AHDR, &b)) return LLM_ERR_LIMIT;
    *peak = b & ~LLM__AMASK;
    if (kept) *kept = *peak;
    return LLM_OK;
}
static llm_status llm__measure_begin(llm_arena *a, size_t *peak, size_t *kept) {
    llm_status r = llm__heap_begin(peak, kept);
    return r == LLM_OK ? llm_arena_init(a, NULL, 0) : r;
}
static void llm__measure_end(const llm_arena *a, llm_status r, size_t *peak, size_t *kept) {
    if (r != LLM_OK) return;
    *peak = a->peak;
    if (kept) *kept = a->kept;
}

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

LLM_API float llm_f16_to_f32(uint16_t h) { return llm__f16_to_f32(h); }
LLM_API float llm_bf16_to_f32(uint16_t h) { return llm__bf16_to_f32(h); }

/* float -> half: round to nearest, ties to even (a carry from the
   mantissa into the exponent is right, up to infinity). */
LLM_API uint16_t llm_f32_to_f16(float f) {
    uint32_t x, sign, mant;
    int e;
    memcpy(&x, &f, 4);
    sign = (x >> 16) & 0x8000u;
    mant = x & 0x7fffffu;
    e = (int)((x >> 23) & 0xffu) - 127 + 15;
    if (((x >> 23) & 0xffu) == 0xffu) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0)); /* inf, NaN */
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {   /* a subnormal half, or 0 */
        uint32_t m = mant | 0x800000u, shift = (uint32_t)(14 - e), r, rest, half;
        if (e < -10) return (uint16_t)sign;
        r = m >> shift;
        rest = m & ((1u << shift) - 1);
        half = 1u << (shift - 1);
        if (rest > half || (rest == half && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
    {
        uint32_t r = ((uint32_t)e << 10) | (mant >> 13), rest = mant & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
}

LLM_API uint16_t llm_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);   /* NaN, quiet */
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);                 /* to nearest, ties to even */
}

static uint16_t llm__rd16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint64_t llm__rd64(const unsigned char *p) {
    uint64_t v = 0; int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Whole-file access (the only place llm.h touches files). */
#ifdef LLM__FILES
/* What path is, without opening it (a FIFO would block): 0 missing, 1 a
   regular file, 2 a directory, 3 something else (FIFO, device, socket).
   Without POSIX: 1 if it opens for reading, else 0. */
static int llm__path_kind(const char *path) {
#ifdef LLM__POSIX
    struct stat sb;
    if (stat(path, &sb) != 0) return 0;
    return S_ISREG(sb.st_mode) ? 1 : S_ISDIR(sb.st_mode) ? 2 : 3;
#else
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
#endif
}
static int llm__file_exists(const char *path) { return llm__path_kind(path) != 0; }

#ifdef LLM__POSIX
/* Open path for reading only if it is a regular file: the open does not
   block (O_NONBLOCK, for a FIFO), and fstat on the open file decides. */
static llm_status llm__open_regular(const char *path, int *fd, size_t *size, char *err) {
    struct stat sb;
    *fd = open(path, O_RDONLY | O_NONBLOCK);
    if (*fd < 0) return llm__err(err, LLM_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int dir = S_ISDIR(sb.st_mode);
        close(*fd); *fd = -1;
        if (dir) return llm__err(err, LLM_ERR_IO, "'%s' is a directory", path);
        return llm__err(err, LLM_ERR_IO, "'%s' is not a regular file (a FIFO, device or socket?)", path);
    }
    if (sb.st_size < 0 || (unsigned long long)sb.st_size >= (unsigned long long)((size_t)-1)) {
        close(*fd); *fd = -1;
        return llm__err(err, LLM_ERR_LIMIT, "'%s' is too large for this platform's address space", path);
    }
    *size = (size_t)sb.st_size;
    return LLM_OK;
}
#endif

/* The whole regular file at path, malloc'd with a NUL after it. */
static llm_status llm__read_file(const char *path, unsigned char **data, size_t *size, char *err) {
    size_t n, got = 0;
    unsigned char *buf;
#ifdef LLM__POSIX
    int fd;
    llm_status r;
    *data = NULL; *size = 0;
    r = llm__open_regular(path, &fd, &n, err);
    if (r != LLM_OK) return r;
    buf = LLM__CAST(unsigned char *, llm__alloc(n + 1));
    if (!buf) {
        close(fd);
        return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory reading '%s' (%zu bytes)", path, n);
    }
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
#else
    FILE *f = fopen(path, "rb");
    long end;
    *data = NULL; *size = 0;
    if (!f) return llm__err(err, LLM_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 || end == LONG_MAX || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return llm__err(err, LLM_ERR_IO, "cannot size '%s' (not a regular file?)", path);
    }
    n = (size_t)end;
    buf = LLM__CAST(unsigned char *, llm__alloc(n + 1));
    if (!buf) {
        fclose(f);
        return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory reading '%s' (%zu bytes)", path, n);
    }
    got = fread(buf, 1, n, f);
    fclose(f);
#endif
    if (got != n) {
        llm__free(buf);
        return llm__err(err, LLM_ERR_IO, "cannot read '%s' (did it change while read?)", path);
    }
    buf[n] = 0;
    *data = buf; *size = n;
    return LLM_OK;
}
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
    unsigned char type;
    unsigned char escaped; /* string has backslash escapes */
    uint32_t n;       /* object: number of keys; array: number of items */
    uint32_t end;     /* index of the first token after this subtree */
    size_t start;     /* byte offset (strings: after the opening quote) */
    size_t len;       /* byte length (strings: without quotes) */
} llm__jtok;

typedef struct llm__json {
    const char *s;
    llm__jtok *t;
    size_t n;
    llm_arena *a;     /* t's arena (scratch end), or NULL: malloc */
} llm__json;

/* The one UTF-8 validator (the JSON reader, the tokenizers, llm_utf8_len,
   llm_json_escape): length of the well-formed character at s[0..n)
   (RFC 3629: shortest form, no surrogates, at most U+10FFFF) and its code
   point in *cp, or 0 (n == 0 too). */
static size_t llm__utf8_dec(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c;
    if (n == 0) return 0;
    c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)) return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)) return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
              (s[3] & 0x3Fu);
        return 4;
    }
    return 0;
}

LLM_API size_t llm_utf8_len(const char *s, size_t n) {
    uint32_t cp;
    return s ? llm__utf8_dec((const unsigned char *)s, n, &cp) : 0;
}

LLM_API size_t llm_json_escape(const char *s, size_t n, char *out, size_t cap, size_t *n_out) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, k = 0;
    if (n_out) *n_out = 0;
    if (!s || !out || !n_out) return 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        uint32_t cp;
        size_t len = llm__utf8_dec((const unsigned char *)s + i, n - i, &cp), m = len;
        char e[6];
        const char *src = s + i;
        if (!len) { src = "\\ufffd"; m = 6; len = 1; }   /* not part of a well-formed character */
        else if (c == '"' || c == '\\') { e[0] = '\\'; e[1] = (char)c; src = e; m = 2; }
        else if (c == '\n') { src = "\\n"; m = 2; }
        else if (c == '\r') { src = "\\r"; m = 2; }
        else if (c == '\t') { src = "\\t"; m = 2; }
        else if (c < 0x20 || c == 0x7f) {
            memcpy(e, "\\u00", 4);
            e[4] = hex[c >> 4]; e[5] = hex[c & 15];
            src = e; m = 6;
        }
        if (m > cap - k) break;
        memcpy(out + k, src, m);
        k += m;
        i += len;
    }
    *n_out = k;
    return i;
}

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
        if (c >= 0x80) { /* well-formed UTF-8 only (RFC 3629) */
            uint32_t cp;
            size_t k = llm__utf8_dec((const unsigned char *)s + i, n - i, &cp);
            if (!k) return (size_t)-1;
            i += k;
            continue;
        }
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
        if (nt >= LLM_JSON_MAX_VALUES) {
            *status = llm__err(err, LLM_ERR_LIMIT, "JSON: more than %u values", (unsigned)LLM_JSON_MAX_VALUES);
            return (size_t)-1;
        }
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (i >= n) {
            if (e == E_DONE) return nt;
            *status = llm__err(err, LLM_ERR_FORMAT, "JSON: unexpected end of input");
            return (size_t)-1;
        }
        c = (unsigned char)s[i];
        if (e == E_DONE) {
            *status = llm__err(err, LLM_ERR_FORMAT, "JSON: trailing characters at byte %zu", i);
            return (size_t)-1;
        }
        if (e == E_COLON) {
            if (c != ':') goto bad;
            i++; e = E_VALUE; continue;
        }
        if ((e == E_KEY_OR_CLOSE && c == '}') || (e == E_VALUE_OR_CLOSE && c == ']') ||
            (e == E_COMMA_OR_CLOSE && (c == '}' || c == ']'))) {
            size_t open = stack[depth - 1];
            int is_obj = toks ? toks[open].type == LLM__J_OBJ : s[open] == '{';
            if (is_obj != (c == '}')) goto bad;
            if (toks) toks[open].end = (uint32_t)nt;
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
                t->type = LLM__J_STR;
                t->escaped = (unsigned char)esc;
                t->start = i + 1;
                t->len = j - i - 1;
                t->n = 0;
                t->end = (uint32_t)nt + 1;
                toks[stack[depth - 1]].n++;
            }
            nt++; i = j + 1; e = E_COLON;
            continue;
        }
        /* a value */
        if (toks) {
            llm__jtok *t = &toks[nt];
            t->escaped = 0; t->start = i; t->n = 0; t->end = (uint32_t)nt + 1; t->len = 0;
            if (depth && toks[stack[depth - 1]].type == LLM__J_ARR) toks[stack[depth - 1]].n++;
        }
        if (c == '{' || c == '[') {
            if (depth >= LLM_JSON_MAX_DEPTH) {
                *status = llm__err(err, LLM_ERR_LIMIT, "JSON: nesting deeper than %d", LLM_JSON_MAX_DEPTH);
                return (size_t)-1;
            }
            /* in counting mode the stack holds byte offsets of the brackets */
            stack[depth++] = toks ? nt : i;
            if (toks) toks[nt].type = (unsigned char)(c == '{' ? LLM__J_OBJ : LLM__J_ARR);
            nt++; i++;
            e = c == '{' ? E_KEY_OR_CLOSE : E_VALUE_OR_CLOSE;
            continue;
        }
        if (c == '"') {
            j = llm__json_scan_str(s, n, i + 1, &esc);
            if (j == (size_t)-1) goto badstr;
            if (toks) {
                toks[nt].type = LLM__J_STR;
                toks[nt].escaped = (unsigned char)esc;
                toks[nt].start = i + 1;
                toks[nt].len = j - i - 1;
            }
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
static llm_status llm__json_parse_in(llm__json *j, const char *s, size_t n, llm_arena *a, char *err) {
    size_t count, bytes;
    llm_status st = LLM_ERR_FORMAT;
    j->s = s; j->t = NULL; j->n = 0; j->a = a;
    count = llm__json_pass(s, n, NULL, err, &st);
    if (count == (size_t)-1) return st;
    if (!llm__mul(count, sizeof(llm__jtok), &bytes))
        return llm__err(err, LLM_ERR_LIMIT, "JSON: too many values");
    j->t = LLM__CAST(llm__jtok *, llm__atemp(a, bytes));
    if (!j->t) return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "JSON: out of memory (%zu values)", count);
    if (llm__json_pass(s, n, j->t, err, &st) != count) { /* cannot differ; defensive */
        llm__afree(a, j->t); j->t = NULL;
        return LLM_ERR_FORMAT;
    }
    j->n = count;
    return LLM_OK;
}
static llm_status llm__json_parse(llm__json *j, const char *s, size_t n, char *err) {
    return llm__json_parse_in(j, s, n, NULL, err);
}
static void llm__json_free(llm__json *j) { llm__afree(j->a, j->t); j->t = NULL; j->n = 0; }

static void llm__utf8_put(unsigned char *o, size_t *k, uint32_t cp) {
    if (cp < 0x80) o[(*k)++] = (unsigned char)cp;
    else if (cp < 0x800) {
        o[(*k)++] = (unsigned char)(0xc0 | (cp >> 6));
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f));
    }
    else if (cp < 0x10000) {
        o[(*k)++] = (unsigned char)(0xe0 | (cp >> 12));
        o[(*k)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f));
    }
    else {
        o[(*k)++] = (unsigned char)(0xf0 | (cp >> 18));
        o[(*k)++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        o[(*k)++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[(*k)++] = (unsigned char)(0x80 | (cp & 0x3f));
    }
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
    if (t->type != LLM__J_STR) return 0;
    if (t->escaped) { /* compare the decoded form of short strings */
        char buf[128];
        size_t len;
        return t->len < sizeof buf && llm__json_str(j, ti, buf, &len) && len == n && !memcmp(buf, lit, n);
    }
    return t->len == n && !memcmp(j->s + t->start, lit, n);
}

/* Value token of key in object token obj, or (size_t)-1. A repeated key:
   the last one wins, as in Python's json. */
static size_t llm__json_get(const llm__json *j, size_t obj, const char *key) {
    size_t c = obj + 1, k, found = (size_t)-1;
    if (j->t[obj].type != LLM__J_OBJ) return (size_t)-1;
    for (k = 0; k < j->t[obj].n; k++) {
        if (llm__json_eq(j, c, key)) found = c + 1;
        c = j->t[c + 1].end;
    }
    return found;
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

LLM_API const char *llm_safetensors_error(const llm_safetensors *st) {
    return st ? llm__msg(st->error) : "NULL safetensors";
}

static void llm__st_release(llm_safetensors *st) {
    llm__afree(st->_arena, st->_block);
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

/* Sort tensors by (data offset, size) so that empty tensors come before a
   tensor at the same offset (heap sort: no recursion, O(n log n)). */
#define LLM__ST_LESS(a, b) (off[a] < off[b] || (off[a] == off[b] && t[a].nbytes < t[b].nbytes))
static void llm__st_sort(llm_tensor *t, size_t *off, size_t n) {
    size_t start, end;
    for (start = n / 2; start-- > 0;) {
        size_t r = start;
        for (;;) {
            size_t c = 2 * r + 1;
            llm_tensor tt; size_t to;
            if (c >= n) break;
            if (c + 1 < n && LLM__ST_LESS(c, c + 1)) c++;
            if (!LLM__ST_LESS(r, c)) break;
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
            if (c + 1 < end && LLM__ST_LESS(c, c + 1)) c++;
            if (!LLM__ST_LESS(r, c)) break;
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
    if (j->t[v].type != LLM__J_OBJ)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': entry is not an object", nm);
    if (dt == (size_t)-1 || j->t[dt].type != LLM__J_STR)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': missing dtype", nm);
    if (sh == (size_t)-1 || j->t[sh].type != LLM__J_ARR)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': missing shape", nm);
    if (of == (size_t)-1 || j->t[of].type != LLM__J_ARR || j->t[of].n != 2)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': data_offsets must be [begin, end]", nm);
    for (d = 0; d < LLM_DTYPE_COUNT; d++) if (llm__json_eq(j, dt, llm__dtype_names[d])) break;
    if (d == LLM_DTYPE_COUNT)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': unknown dtype \"%.*s\"", nm,
                        (int)(j->t[dt].len > 16 ? 16 : j->t[dt].len), j->s + j->t[dt].start);
    out->dtype = (llm_dtype)d;
    if (j->t[sh].n > LLM_MAX_DIMS)
        return llm__err(st->error, LLM_ERR_LIMIT, "tensor '%s': more than %d dimensions", nm, LLM_MAX_DIMS);
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
    if (e64 > data_size)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': data_offsets past the end of the file: "
                        "the file looks incomplete (download it again)", nm);
    if ((size_t)(e64 - b64) != nbytes)
        return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s': %zu bytes in the file but shape x dtype needs %zu",
                        nm, (size_t)(e64 - b64), nbytes);
    out->nbytes = nbytes;
    *begin = (size_t)b64;
    return LLM_OK;
}

/* Tensor names are unique (hash table: linear time on hostile headers). */
static llm_status llm__st_unique(llm_safetensors *st) {
    size_t cap = 16, i;
    uint32_t *tab;
    while (cap < 2 * st->n_tensors) cap *= 2;
    tab = LLM__CAST(uint32_t *, llm__atemp(st->_arena, cap * sizeof(uint32_t)));
    if (!tab) return llm__err(st->error, LLM_ERR_OUT_OF_MEMORY, "out of memory checking tensor names");
    memset(tab, 0xff, cap * sizeof(uint32_t));
    for (i = 0; i < st->n_tensors; i++) {
        const unsigned char *p = (const unsigned char *)st->tensors[i].name;
        uint32_t h = 2166136261u;
        size_t k;
        while (*p) h = (h ^ *p++) * 16777619u;
        for (k = h & (cap - 1); tab[k] != 0xffffffffu; k = (k + 1) & (cap - 1))
            if (!strcmp(st->tensors[tab[k]].name, st->tensors[i].name)) {
                llm__afree(st->_arena, tab);
                return llm__err(st->error, LLM_ERR_FORMAT, "tensor '%s' appears twice", st->tensors[i].name);
            }
        tab[k] = (uint32_t)i;
    }
    llm__afree(st->_arena, tab);
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
    if (size < 8)
        return llm__err(st->error, LLM_ERR_FORMAT, "file too short for a safetensors header (%zu bytes): "
                        "the file looks incomplete (download it again)", size);
    h64 = llm__rd64(img);
    if (h64 > LLM_ST_MAX_HEADER)
        return llm__err(st->error, LLM_ERR_FORMAT, "not a safetensors file (its first 8 bytes, the header size, "
                        "say %llu, over the format's limit of 100,000,000)", (unsigned long long)h64);
    if (h64 > size - 8)
        return llm__err(st->error, LLM_ERR_FORMAT, "header size %zu runs past the end of the file (%zu bytes): "
                        "the file looks incomplete (download it again)", (size_t)h64, size);
    hlen = (size_t)h64;
    data_size = size - 8 - hlen;
    r = llm__json_parse_in(&j, (const char *)img + 8, hlen, st->_arena, st->error);
    if (r != LLM_OK) return r;
    if (j.t[0].type != LLM__J_OBJ) {
        llm__json_free(&j);
        return llm__err(st->error, LLM_ERR_FORMAT, "header is not a JSON object");
    }
    /* count tensors, metadata entries and name bytes */
    for (k = 0, c = 1; k < j.t[0].n; k++, c = j.t[c + 1].end) {
        if (llm__json_eq(&j, c, "__metadata__")) {
            size_t v = c + 1, q, cc;
            if (j.t[v].type != LLM__J_OBJ) {
                llm__json_free(&j);
                return llm__err(st->error, LLM_ERR_FORMAT, "__metadata__ is not an object");
            }
            for (q = 0, cc = v + 1; q < j.t[v].n; q++, cc = j.t[cc + 1].end) {
                if (j.t[cc + 1].type != LLM__J_STR) {
                    llm__json_free(&j);
                    return llm__err(st->error, LLM_ERR_FORMAT, "__metadata__ values must be strings");
                }
                names += j.t[cc].len + j.t[cc + 1].len + 2;
                nm++;
            }
        } else {
            nt++;
            names += j.t[c].len + 1;
        }
    }
    if (nt > LLM_MAX_TENSORS) {
        llm__json_free(&j);
        return llm__err(st->error, LLM_ERR_LIMIT, "%zu tensors (limit %u)", nt, LLM_MAX_TENSORS);
    }
    /* one block: tensors, offsets, meta pointers, names (sizes are bounded
       by the header size, so these sums cannot overflow) */
    bytes = nt * sizeof(llm_tensor) + nt * sizeof(size_t) + 2 * nm * sizeof(char *) + names;
    st->_block = llm__aalloc(st->_arena, bytes ? bytes : 1);
    if (!st->_block) {
        llm__json_free(&j);
        return llm__err(st->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu tensors", nt);
    }
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
            r = llm__st_entry(st, &j, c + 1, t, &offs[st->n_tensors], data_size);
            if (r != LLM_OK) { llm__json_free(&j); return r; }
            st->n_tensors++;
        }
    }
    llm__json_free(&j);
    r = llm__st_unique(st);
    if (r != LLM_OK) return r;
    /* contiguous, non-overlapping, no holes, fully indexed */
    llm__st_sort(st->tensors, offs, nt);
    {
        size_t at = 0;
        for (i = 0; i < nt; i++) {
            if (offs[i] != at)
                return llm__err(st->error, LLM_ERR_FORMAT,
                                offs[i] > at ? "tensor '%s' leaves a hole before it in the data"
                                             : "tensor '%s' overlaps the one before it", st->tensors[i].name);
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

static llm_status llm__st_open_memory(llm_safetensors *st, const void *data, size_t size, llm_arena *a) {
    llm_status r;
    if (!st) return LLM_ERR_INVALID_ARG;
    llm__st_zero(st);
    st->_arena = a;
#ifdef LLM_NO_MALLOC
    if (!a)
        return llm__err(st->error, LLM_ERR_UNSUPPORTED,
                        "built with LLM_NO_MALLOC: use llm_safetensors_open_memory_arena");
#endif
    if (!data) return llm__err(st->error, LLM_ERR_INVALID_ARG, "NULL data");
    st->image = (const unsigned char *)data;
    st->image_size = size;
    r = llm__st_parse(st);
    if (r != LLM_OK) llm__st_release(st);
    return r;
}
LLM_API llm_status llm_safetensors_open_memory(llm_safetensors *st, const void *data, size_t size) {
    return llm__st_open_memory(st, data, size, NULL);
}
LLM_API llm_status llm_safetensors_open_memory_arena(llm_safetensors *st, const void *data, size_t size, llm_arena *a) {
    if (!a) {
        if (st) llm__st_zero(st);
        return st ? llm__err(st->error, LLM_ERR_INVALID_ARG, "NULL arena") : LLM_ERR_INVALID_ARG;
    }
    return llm__st_open_memory(st, data, size, a);
}

#ifdef LLM__FILES
static llm_status llm__st_open(llm_safetensors *st, const char *path, int no_mmap) {
    llm_status r;
    if (!st) return LLM_ERR_INVALID_ARG;
    llm__st_zero(st);
    if (!path) return llm__err(st->error, LLM_ERR_INVALID_ARG, "NULL path");
#ifdef LLM__HAVE_MMAP
    if (!no_mmap) {
        int fd;
        r = llm__open_regular(path, &fd, &st->image_size, st->error);
        if (r != LLM_OK) return r;
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
    return llm__err(st->error, LLM_ERR_UNSUPPORTED,
                    "built with LLM_NO_STDIO or LLM_NO_MALLOC: use llm_safetensors_open_memory(_arena)");
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
   TOKENIZER (GPT-2 byte-level BPE)
   ==========================================================================
   Formats. The vocabulary comes as
     - vocab.json + merges.txt (Hugging Face) or encoder.json + vocab.bpe
       (OpenAI; the same content): a JSON object {"token": id, ...} and the
       merges, one "left right" pair a line in rank order, after an optional
       "#version" line;
     - tokenizer.json (Hugging Face fast tokenizer): model.type "BPE" with
       model.vocab and model.merges (["a b", ...] or [["a", "b"], ...]),
       a ByteLevel pre-tokenizer (use_regex, no add_prefix_space), no
       normalizer, plus its added_tokens. model.ignore_merges is honoured.
   Token strings use GPT-2's byte-to-unicode alphabet ("Ġ" is the space
   byte). A string that is not made of that alphabet (and every added token
   that is not also in model.vocab) stands for its own UTF-8 bytes; merges
   see model.vocab only. Every one of the 256 byte tokens must be
   in the vocabulary. Ids may have gaps (llm_tokenizer_vocab_size() is the
   largest id + 1; a gap is not a token). The end-of-text id is the id of
   "<|endoftext|>" in the files, if any.

   Special tokens (LLM_TOKENIZE_SPECIAL): with tokenizer.json, the
   added_tokens; with the other two formats, the tokens that no merge makes
   and that are not one of the 256 byte tokens (for GPT-2: "<|endoftext|>"
   alone). The text is split at the leftmost-longest occurrence of any of
   them, exactly as written (no lstrip/rstrip/normalisation), and the parts
   between are encoded as ordinary text, each on its own (as tiktoken does).

   Encoding follows GPT-2 exactly: the pre-tokenizer regex
       's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
   run as a hand-written state machine with Unicode classes from the UCD
   (L = Lu Ll Lt Lm Lo, N = Nd Nl No, \s = White_Space), then byte-level BPE
   on each piece: the adjacent pair of lowest merge rank is merged first, the
   leftmost one on ties (the same order as OpenAI's encoder.py, Hugging Face
   tokenizers and tiktoken for any merge list in which a merge only uses
   tokens made by earlier merges, as trained lists do).
   Invalid UTF-8 never fails: each byte that does not start a valid, complete,
   shortest-form sequence for a scalar value (no surrogates, <= U+10FFFF) is a
   character of its own in none of the L, N or White_Space classes, so it is
   part of a [^\s\p{L}\p{N}]+ run. Encoding works on the bytes, so
   decode(encode(x)) == x for every byte string x.

   Speed: pieces that are one whole token (most words) are found by one hash
   probe (only tokens that BPE really turns their own bytes into are in that
   table, so the shortcut never changes a result); the others go through BPE
   with arrays for pieces of up to 64 bytes and a heap of pair candidates for
   longer ones (O(n log n): a 10,000-letter word takes about 2 ms, a megabyte
   of spaces about 20 ms, a megabyte of digits about a second). Texts of 8 KB
   or more also get a per-call cache (up to 512 KB) of recent multi-token
   pieces. Short texts allocate nothing; pieces over 64 bytes use per-call
   scratch of about 36 bytes per byte of the longest piece.
   The tokenizer is read-only after loading: any number of threads may
   encode and decode with it at once. For that reason encode and decode
   (which take a const tokenizer) report only a status, never a message in
   t->error: print llm_status_string(status).

   Limits (LLM_ERR_LIMIT beyond them):
     ids                < 16,777,216 (LLM__MAX_VOCAB)
     merges             <= 16,777,216
     one token          <= LLM_TOKENIZER_MAX_TOKEN_BYTES (1024) bytes, so a
                           streaming decoder buffer of LLM_DECODER_BUFFER
                           (1028) bytes always fits
     vocabulary text    < 4 GiB in all
     one pre-token      < 4 GiB (e.g. a single run of letters or spaces)

   Behaviour of NULL buffers: encode with ids == NULL and cap == 0 counts
   (LLM_OK); decode with out == NULL and cap == 0 returns the size (LLM_OK).

   WordPiece (BERT vocabularies). The same object, a second kind: vocab.txt
   (one token a line, id = line number; a trailing "\r" is dropped) with an
   optional tokenizer_config.json (do_lower_case, strip_accents,
   tokenize_chinese_chars, never_split, clean_up_tokenization_spaces, the
   unk/sep/pad/cls/mask token names), or a tokenizer.json whose model is
   WordPiece (BertNormalizer or none, BertPreTokenizer, WordPiece decoder
   or none). encode/decode/token/eot dispatch on the kind. Encoding is HF's
   BertTokenizer: clean text (drop NUL, U+FFFD, general category C* but
   \t \n \r; White_Space -> space), each CJK ideograph a word, lowercase
   (simple mappings + U+0130), accents stripped (canonical decomposition
   less Mn; Hangul into jamo), split at whitespace and around punctuation
   (P* and ASCII 33-47 58-64 91-96 123-126), then greedy longest-match
   WordPiece with "##" continuations; no match, or more than
   max_input_chars_per_word (100, at most 256) characters: one [UNK].
   Invalid UTF-8 bytes are U+FFFD. Special tokens (LLM_TOKENIZE_SPECIAL):
   the five named ones present in vocab.txt, or tokenizer.json's
   added_tokens. Decoding: a space before each token but the first, "##"
   pieces joined, HF's clean_up_tokenization per token (decoder cleanup)
   and on the whole text (clean_up_tokenization_spaces, default true); the
   streaming decoder does the per-token part only. eot is the sep token
   ([SEP]), llm_tokenizer_bos the cls token ([CLS]). Needs malloc (no arena
   loader). Unicode data: the BERT tables in the APPENDIX (tools/gen_unicode.py).
   docs/tokenizers.md lists where it departs from HF (final sigma, mark order).
*/

#if LLM_TOKENIZER_MAX_TOKEN_BYTES > 65535
#error "llm.h: LLM_TOKENIZER_MAX_TOKEN_BYTES must be at most 65535"
#endif
#define LLM__TOK_MAX_MERGES 16777216u
#define LLM__TOK_MAX_PIECE 0xFFFFFFF0u     /* bytes in one pre-token */
#define LLM__TOK_NONE 0xFFFFFFFFu          /* no rank, no symbol, no string */
#define LLM__TOK_SMALL 64                  /* pieces up to this use the array BPE */
#define LLM__TOK_C_L 0
#define LLM__TOK_C_N 1
#define LLM__TOK_C_WS 2
#define LLM__TOK_C_O 3

/* The generated Unicode tables live in the APPENDIX at the end of the file
   (tools/gen_unicode.py writes them); the tokenizer reads them through this.
   LLM__TOK_UCLS_LIMIT is defined again there, identically. */
#define LLM__TOK_UCLS_LIMIT 0x40000U  /* code points at or above are class 3 */
typedef struct llm__ucd {
    const unsigned char *byte_cls;             /* [256] class of each byte (4: >= 0x80) */
    const unsigned char *tok_ucls_rle;         /* GPT-2 classes below LLM__TOK_UCLS_LIMIT */
    size_t tok_ucls_rle_size;
    const unsigned char *wp_cls_rle;           /* BERT classes of every code point */
    size_t wp_cls_rle_size, wp_cls_runs;
    const int32_t (*wp_lower)[4];              /* lowercase runs {first, count, stride, delta} */
    size_t wp_lower_runs;
    const unsigned char *wp_strip_rle;         /* canonical decompositions less Mn */
    size_t wp_strip_size, wp_strip_n;
} llm__ucd;
static llm__ucd llm__ucd_tables(void);

typedef struct llm__tok_merge {
    uint64_t key;                 /* left id << 32 | right id; all ones: empty */
    uint32_t rank;
    int32_t id;                   /* the merged token */
} llm__tok_merge;

typedef struct llm__tok_word {
    uint64_t pre;                 /* first 8 bytes, zero padded */
    uint32_t len;
    int32_t id;                   /* -1: empty slot */
} llm__tok_word;

typedef struct llm__tok_impl {
    size_t n_vocab;               /* largest id + 1 */
    size_t n_merges, max_len, max_word;
    uint32_t *off, *len;          /* bytes of each id in pool; len NONE: gap */
    unsigned char *pool;          /* followed by 8 zero bytes */
    llm__tok_merge *merge;        /* (left, right) -> (rank, merged id) */
    int merge_shift;
    size_t merge_mask;
    llm__tok_word *word;          /* bytes -> id, for pieces that BPE turns */
    int word_shift;               /* into exactly that one token */
    size_t word_mask;
    int32_t *special;             /* by first byte, then longest first */
    size_t n_special;
    size_t special_at[257];       /* special[special_at[b] .. special_at[b+1]) */
    int32_t byte_tok[256];
    int32_t eot;
    struct llm__tok_wp *wp;       /* WordPiece (BERT vocabulary), or NULL: byte-level BPE */
    llm_arena *a;                 /* where all of this lives, or NULL: malloc */
    unsigned char ucls[LLM__TOK_UCLS_LIMIT / 4]; /* 2-bit class per code point */
} llm__tok_impl;

/* ---- small helpers -------------------------------------------------------- */

static int llm__tok_le(void) {
    const uint32_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/* The first min(n, 8) bytes of p as a native-order word, zero padded.
   avail: bytes readable at p (>= n). */
static uint64_t llm__tok_pre(const unsigned char *p, size_t n, size_t avail) {
    uint64_t w = 0;
    if (avail >= 8) {
        memcpy(&w, p, 8);
        if (n < 8) {
            if (llm__tok_le()) w &= ((uint64_t)1 << (8 * n)) - 1;
            else w &= ~(~(uint64_t)0 >> (8 * n));
        }
    } else {
        unsigned char b[8];
        size_t k;
        memset(b, 0, sizeof b);
        for (k = 0; k < n && k < 8; k++) b[k] = p[k];
        memcpy(&w, b, 8);
    }
    return w;
}

static uint64_t llm__tok_whash(uint64_t pre, const unsigned char *p, size_t n, size_t avail) {
    uint64_t h = (pre ^ (uint64_t)n) * 0x9E3779B97F4A7C15ull;
    size_t k;
    for (k = 8; k < n; k += 8) {
        h ^= h >> 29;
        h = (h ^ llm__tok_pre(p + k, n - k, avail - k)) * 0xBF58476D1CE4E5B9ull;
    }
    return h ^ (h >> 31);
}

/* Class of the non-ASCII character at s (n >= 1 bytes); *len gets its size. */
static int llm__tok_ucls(const llm__tok_impl *T, const unsigned char *s, size_t n, size_t *len) {
    uint32_t cp = 0;
    size_t l = llm__utf8_dec(s, n, &cp);
    if (!l) { *len = 1; return LLM__TOK_C_O; }
    *len = l;
    if (cp >= LLM__TOK_UCLS_LIMIT) return LLM__TOK_C_O;
    return (T->ucls[cp >> 2] >> ((cp & 3) * 2)) & 3;
}

/* GPT-2's byte-to-unicode map: printable bytes stand for themselves, the
   other 68 bytes map to U+0100.. in byte order. */
static uint32_t llm__tok_b2u(unsigned b) {
    unsigned k = 0, x;
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) return b;
    for (x = 0; x < b; x++)
        if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) k++;
    return 256 + k;
}

static size_t llm__tok_pow2(size_t n) { /* smallest power of two >= 2n, >= 16 */
    size_t p = 16;
    while (p < n * 2) p *= 2;
    return p;
}
static int llm__tok_log2(size_t p) { int k = 0; while (((size_t)1 << k) < p) k++; return k; }

/* ---- BPE ------------------------------------------------------------------ */

static uint32_t llm__tok_pair(const llm__tok_impl *T, uint32_t a, uint32_t b, uint32_t *mid) {
    uint64_t key = ((uint64_t)a << 32) | b;
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> T->merge_shift);
    for (;;) {
        const llm__tok_merge *m = &T->merge[i];
        if (m->key == key) { *mid = (uint32_t)m->id; return m->rank; }
        if (m->key == ~(uint64_t)0) return LLM__TOK_NONE;
        i = (i + 1) & T->merge_mask;
    }
}

/* Per-call cache of recent multi-token pieces (big texts only). */
#define LLM__TOK_CACHE_BYTES 48
#define LLM__TOK_CACHE_IDS 16
#define LLM__TOK_CACHE_SLOTS 4096          /* at most; 128 bytes each */
#define LLM__TOK_CACHE_MIN_TEXT 8192       /* no cache for shorter texts */
typedef struct llm__tok_cent {
    uint64_t h;
    uint32_t len, n;              /* len 0: empty */
    uint32_t ids[LLM__TOK_CACHE_IDS];
    unsigned char b[LLM__TOK_CACHE_BYTES];
} llm__tok_cent;

typedef struct llm__tok_out {
    int32_t *ids;
    size_t cap, n;
    uint32_t *scr;                /* heap-path scratch (per call) */
    size_t scr_cap;               /* in uint32 */
    llm__tok_cent *cache;         /* NULL: none */
    size_t cache_mask;
    llm_arena *a;                 /* scr's arena (loading), or NULL: malloc */
} llm__tok_out;

static void llm__tok_put(llm__tok_out *o, int32_t id) {
    if (o->n < o->cap) o->ids[o->n] = id;
    o->n++;
}

/* Pieces of 2..LLM__TOK_SMALL bytes: arrays, the lowest pair found by a
   scan. Writes the ids to out (n entries) and returns their count. */
static size_t llm__tok_bpe_small(const llm__tok_impl *T, const unsigned char *p, size_t n, uint32_t *out) {
    uint32_t sym[LLM__TOK_SMALL], mid[LLM__TOK_SMALL], rk[LLM__TOK_SMALL];
    size_t m = n, i, k;
    for (i = 0; i < n; i++) sym[i] = (uint32_t)T->byte_tok[p[i]];
    for (i = 0; i + 1 < m; i++) rk[i] = llm__tok_pair(T, sym[i], sym[i + 1], &mid[i]);
    while (m > 1) {
        uint32_t best = LLM__TOK_NONE;
        k = 0;
        for (i = 0; i + 1 < m; i++) if (rk[i] < best) { best = rk[i]; k = i; }
        if (best == LLM__TOK_NONE) break;
        sym[k] = mid[k];
        for (i = k + 1; i + 1 < m; i++) sym[i] = sym[i + 1];
        for (i = k + 1; i + 2 < m; i++) { rk[i] = rk[i + 1]; mid[i] = mid[i + 1]; }
        m--;
        if (k + 1 < m) rk[k] = llm__tok_pair(T, sym[k], sym[k + 1], &mid[k]);
        if (k > 0) rk[k - 1] = llm__tok_pair(T, sym[k - 1], sym[k], &mid[k - 1]);
    }
    memcpy(out, sym, m * sizeof(uint32_t));
    return m;
}

/* Long pieces: a linked list of symbols and a 4-ary min-heap of pair
   candidates, each a 64-bit key (rank << 32 | position), so ties go to the
   leftmost pair. Entries go stale instead of being removed: one is live
   while rk[position] still equals its rank (a position's pair never returns
   to an earlier pair, since its tokens only grow). When the heap fills up
   the stale entries are dropped. O(n log n) time, 36 bytes per byte. */
typedef struct llm__tok_heap {
    uint64_t *v;
    size_t n, cap;
} llm__tok_heap;

static void llm__tok_hdown(llm__tok_heap *h, size_t s) {
    uint64_t x = h->v[s];
    for (;;) {
        size_t c = 4 * s + 1, m, e, k;
        if (c >= h->n) break;
        m = c;
        e = c + 4 < h->n ? c + 4 : h->n;
        for (k = c + 1; k < e; k++) if (h->v[k] < h->v[m]) m = k;
        if (h->v[m] >= x) break;
        h->v[s] = h->v[m];
        s = m;
    }
    h->v[s] = x;
}
static void llm__tok_hheapify(llm__tok_heap *h) {
    size_t i;
    if (h->n < 2) return;
    for (i = (h->n - 2) / 4 + 1; i-- > 0;) llm__tok_hdown(h, i);
}
static void llm__tok_hpush(llm__tok_heap *h, const uint32_t *rk, uint32_t rank, uint32_t pos) {
    uint64_t x = ((uint64_t)rank << 32) | pos;
    size_t s;
    if (h->n == h->cap) {                             /* drop the stale entries */
        size_t i, w = 0;
        for (i = 0; i < h->n; i++)
            if (rk[(uint32_t)h->v[i]] == (uint32_t)(h->v[i] >> 32)) h->v[w++] = h->v[i];
        h->n = w;
        llm__tok_hheapify(h);
    }
    s = h->n++;
    while (s > 0 && h->v[(s - 1) / 4] > x) { h->v[s] = h->v[(s - 1) / 4]; s = (s - 1) / 4; }
    h->v[s] = x;
}

static llm_status llm__tok_bpe_heap(const llm__tok_impl *T, const unsigned char *p, size_t n, llm__tok_out *o) {
    uint32_t *id, *nx, *pv, *md, *rk, a, b, c, q, r;
    size_t need, bytes, i;
    llm__tok_heap h;
    if (n > LLM__TOK_MAX_PIECE) return LLM_ERR_LIMIT;
    /* 5 uint32 per byte, then the heap: 2n + 8 uint64 */
    if (!llm__mul(n, 9, &need) || !llm__add(need, 16, &need) || !llm__mul(need, sizeof(uint32_t), &bytes))
        return LLM_ERR_LIMIT;
    if (need > o->scr_cap) {
        llm__afree(o->a, o->scr);
        o->scr_cap = 0;
        o->scr = LLM__CAST(uint32_t *, llm__atemp(o->a, bytes));
        if (!o->scr) return LLM_ERR_OUT_OF_MEMORY;
        o->scr_cap = need;
    }
    id = o->scr; nx = id + n; pv = nx + n; md = pv + n; rk = md + n;
    h.v = LLM__CAST(uint64_t *, (void *)(rk + n + (n & 1)));   /* 8-byte aligned: scr is from malloc or the arena */
    h.n = 0;
    h.cap = 2 * n + 6;
    for (i = 0; i < n; i++) {
        id[i] = (uint32_t)T->byte_tok[p[i]];
        nx[i] = i + 1 < n ? (uint32_t)(i + 1) : LLM__TOK_NONE;
        pv[i] = i > 0 ? (uint32_t)(i - 1) : LLM__TOK_NONE;
    }
    rk[n - 1] = LLM__TOK_NONE;
    for (i = 0; i + 1 < n; i++) {
        rk[i] = llm__tok_pair(T, id[i], id[i + 1], &md[i]);
        if (rk[i] != LLM__TOK_NONE) h.v[h.n++] = ((uint64_t)rk[i] << 32) | i;
    }
    llm__tok_hheapify(&h);
    while (h.n) {
        uint64_t top = h.v[0];
        h.v[0] = h.v[--h.n];
        if (h.n) llm__tok_hdown(&h, 0);
        a = (uint32_t)top;
        if (rk[a] != (uint32_t)(top >> 32)) continue;  /* stale */
        b = nx[a];
        c = nx[b];
        id[a] = md[a];
        nx[a] = c;
        if (c != LLM__TOK_NONE) pv[c] = a;
        rk[b] = LLM__TOK_NONE;                         /* b is gone */
        rk[a] = LLM__TOK_NONE;
        if (c != LLM__TOK_NONE && (r = llm__tok_pair(T, id[a], id[c], &md[a])) != LLM__TOK_NONE) {
            rk[a] = r;
            llm__tok_hpush(&h, rk, r, a);
        }
        q = pv[a];
        if (q != LLM__TOK_NONE) {
            rk[q] = llm__tok_pair(T, id[q], id[a], &md[q]);
            if (rk[q] != LLM__TOK_NONE) llm__tok_hpush(&h, rk, rk[q], q);
        }
    }
    for (a = 0; a != LLM__TOK_NONE; a = nx[a]) llm__tok_put(o, (int32_t)id[a]);
    return LLM_OK;
}

/* A piece that is not one whole token: the per-call cache, then BPE.
   h: its hash (computed when the cache is on). */
static llm_status llm__tok_piece_bpe(const llm__tok_impl *T, const unsigned char *p, size_t len, uint64_t h,
                                     llm__tok_out *o) {
    uint32_t tmp[LLM__TOK_SMALL];
    llm__tok_cent *c = NULL;
    size_t k, m;
    if (len > LLM__TOK_SMALL) return llm__tok_bpe_heap(T, p, len, o);
    if (o->cache && len <= LLM__TOK_CACHE_BYTES) {
        c = &o->cache[h & o->cache_mask];
        if (c->h == h && c->len == len && !memcmp(c->b, p, len)) {
            for (k = 0; k < c->n; k++) llm__tok_put(o, (int32_t)c->ids[k]);
            return LLM_OK;
        }
    }
    m = llm__tok_bpe_small(T, p, len, tmp);
    for (k = 0; k < m; k++) llm__tok_put(o, (int32_t)tmp[k]);
    if (c && m <= LLM__TOK_CACHE_IDS) {
        c->h = h;
        c->len = (uint32_t)len;
        c->n = (uint32_t)m;
        memcpy(c->ids, tmp, m * sizeof(uint32_t));
        memcpy(c->b, p, len);
    }
    return LLM_OK;
}

/* Id of the whole token p[0..len) (pre and h from llm__tok_pre and
   llm__tok_whash), or -1. */
static int32_t llm__tok_word_find(const llm__tok_impl *T, const unsigned char *p, size_t len, uint64_t pre,
                                  uint64_t h) {
    size_t i = (size_t)(h >> T->word_shift);
    for (;;) {
        const llm__tok_word *w = &T->word[i];
        if (w->id < 0) return -1;
        if (w->pre == pre && w->len == len && (len <= 8 || !memcmp(T->pool + T->off[w->id] + 8, p + 8, len - 8)))
            return w->id;
        i = (i + 1) & T->word_mask;
    }
}

/* One pre-token s[st..e) of a text of n bytes. */
static llm_status llm__tok_piece(const llm__tok_impl *T, const unsigned char *s, size_t st, size_t e, size_t n,
                                 llm__tok_out *o) {
    const unsigned char *p = s + st;
    size_t len = e - st;
    uint64_t h = 0;
    if (len == 1) { llm__tok_put(o, T->byte_tok[p[0]]); return LLM_OK; }
    if (len <= T->max_word || (o->cache && len <= LLM__TOK_CACHE_BYTES)) {
        uint64_t pre = llm__tok_pre(p, len, n - st);
        h = llm__tok_whash(pre, p, len, n - st);
        if (len <= T->max_word) {                     /* one whole token? */
            int32_t id = llm__tok_word_find(T, p, len, pre, h);
            if (id >= 0) { llm__tok_put(o, id); return LLM_OK; }
        }
    }
    return llm__tok_piece_bpe(T, p, len, h, o);
}

/* The pre-tokenizer: GPT-2's regex as a state machine (see the top). */
#define LLM__TOK_C_HI 4                            /* llm__ucd.byte_cls: byte >= 0x80 */
static llm_status llm__tok_encode_text(const llm__tok_impl *T, const unsigned char *s, size_t n, llm__tok_out *o) {
    const unsigned char *A = llm__ucd_tables().byte_cls;
    size_t i = 0;
    while (i < n) {
        size_t st = i, l = 1, last;
        unsigned c = s[i];
        int k;
        llm_status r;
        k = A[c];
        if (k == LLM__TOK_C_HI) k = llm__tok_ucls(T, s + i, n - i, &l);
        if (c == '\'' && i + 1 < n) {                 /* 's 't 're 've 'm 'll 'd */
            unsigned d = s[i + 1];
            if (d == 's' || d == 't' || d == 'm' || d == 'd') { i += 2; goto emit; }
            if (i + 2 < n && ((d == 'r' && s[i + 2] == 'e') || (d == 'v' && s[i + 2] == 'e') ||
                              (d == 'l' && s[i + 2] == 'l'))) { i += 3; goto emit; }
        } else if (c == ' ' && i + 1 < n) {           /* ' ?' before a non-space run */
            size_t l2 = 1;
            int k2 = A[s[i + 1]];
            if (k2 == LLM__TOK_C_HI) k2 = llm__tok_ucls(T, s + i + 1, n - i - 1, &l2);
            if (k2 != LLM__TOK_C_WS) { k = k2; i += 1 + l2; goto run; }
        }
        if (k == LLM__TOK_C_WS) {                     /* \s+(?!\S) | \s+ */
            last = i;
            i += l;
            while (i < n) {
                int kk = A[s[i]];
                l = 1;
                if (kk == LLM__TOK_C_HI) kk = llm__tok_ucls(T, s + i, n - i, &l);
                if (kk != LLM__TOK_C_WS) break;
                last = i;
                i += l;
            }
            if (i < n && last > st) i = last;         /* leave the last one to the next piece */
            goto emit;
        }
        i += l;
    run:                                              /* \p{L}+ | \p{N}+ | [^\s\p{L}\p{N}]+ */
        while (i < n) {
            c = s[i];
            if (c < 0x80) { if (A[c] != k) break; i++; }
            else { if (llm__tok_ucls(T, s + i, n - i, &l) != k) break; i += l; }
        }
    emit:
        r = llm__tok_piece(T, s, st, i, n, o);
        if (r != LLM_OK) return r;
    }
    return LLM_OK;
}

/* ---- WordPiece (BERT vocabularies) ---------------------------------------- */

#define LLM__WP_MAX_CHARS 256        /* largest max_input_chars_per_word accepted */
#define LLM__WP_PREFIX 16            /* longest ## prefix (model and decoder) */
#define LLM__WP_NAME 128             /* longest special-token name in tokenizer_config.json */
#define LLM__WP_OTHER 0              /* classes of llm__ucd.wp_cls_rle */
#define LLM__WP_WS 1
#define LLM__WP_CTRL 2
#define LLM__WP_PUNCT 3
#define LLM__WP_MN 4
#define LLM__WP_CTRLWS 5

typedef struct llm__tok_wp {
    int clean, chinese, lower, strip;  /* BertNormalizer: clean_text, handle_chinese_chars, ... */
    int cleanup_tokens;                /* decoder "cleanup": clean_up_tokenization per token */
    int cleanup_text;                  /* clean_up_tokenization_spaces: on the decoded text */
    int32_t unk, cls;                  /* [UNK] (always), [CLS] or -1 */
    size_t max_chars;                  /* max_input_chars_per_word */
    unsigned char prefix[LLM__WP_PREFIX], dprefix[LLM__WP_PREFIX];  /* "##": model, decoder */
    size_t prefix_len, dprefix_len;
    unsigned char ascii[128];          /* class of each ASCII code point */
    uint32_t *runs;                    /* start << 3 | class, ascending from U+0000 */
    size_t n_runs;
    uint32_t *strip_cp, *strip_val;    /* NFD less Mn: code point -> (offset << 2 | count) */
    uint32_t *strip_out;               /* into strip_out */
    size_t n_strip;
    unsigned char *never;              /* never_split: per entry 2-byte length, bytes */
    int32_t *never_id;                 /* each entry's id (or unk) */
    size_t n_never, never_max;         /* entries, longest entry in bytes */
} llm__tok_wp;

static void llm__wp_free(llm_arena *a, llm__tok_wp *W) {
    if (!W) return;
    llm__afree(a, W->runs); llm__afree(a, W->strip_cp); llm__afree(a, W->strip_val); llm__afree(a, W->strip_out);
    llm__afree(a, W->never); llm__afree(a, W->never_id);
    llm__afree(a, W);
}

/* One word being built: its normalized UTF-8 and where each character starts. */
typedef struct llm__wp_word {
    unsigned char b[LLM__WP_PREFIX + 4 * LLM__WP_MAX_CHARS + 16];  /* b[LLM__WP_PREFIX..]: the word */
    uint16_t at[LLM__WP_MAX_CHARS + 1];
    size_t n_chars;
    int too_long;                      /* more than max_chars characters */
} llm__wp_word;

static unsigned llm__wp_class(const llm__tok_wp *W, uint32_t cp) {
    size_t lo = 0, hi = W->n_runs;
    if (cp < 128) return W->ascii[cp];
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((W->runs[mid] >> 3) <= cp) lo = mid; else hi = mid;
    }
    return W->runs[lo] & 7;
}

/* HF's CJK ranges (BasicTokenizer._is_chinese_char): the CJK Unified
   Ideographs blocks and the compatibility ideographs. */
static int llm__wp_cjk(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* Lowercase of cp into out (1 or 2 code points). */
static size_t llm__wp_tolower(uint32_t cp, uint32_t *out) {
    const llm__ucd u = llm__ucd_tables();
    size_t lo = 0, hi = u.wp_lower_runs;
    out[0] = cp;
    if (cp < 128) { if (cp >= 'A' && cp <= 'Z') out[0] = cp + 32; return 1; }
    if (cp == 0x130) { out[0] = 0x69; out[1] = 0x307; return 2; }  /* SpecialCasing.txt */
    while (lo < hi) {                                  /* first run starting after cp */
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)u.wp_lower[mid][0] <= cp) lo = mid + 1; else hi = mid;
    }
    if (lo) {
        const int32_t *r = u.wp_lower[lo - 1];
        uint32_t d = cp - (uint32_t)r[0];
        if (d % (uint32_t)r[2] == 0 && d / (uint32_t)r[2] < (uint32_t)r[1]) out[0] = (uint32_t)((int32_t)cp + r[3]);
    }
    return 1;
}

/* NFD of cp with its Mn marks removed, into out (0 to 3 code points). */
static size_t llm__wp_strip(const llm__tok_wp *W, uint32_t cp, uint32_t *out) {
    size_t lo = 0, hi = W->n_strip, k;
    if (cp < 0xC0) { out[0] = cp; return 1; }
    if (cp >= 0xAC00 && cp <= 0xD7A3) {                /* Hangul syllable: L V (T) */
        uint32_t si = cp - 0xAC00, t = si % 28;
        out[0] = 0x1100 + si / 588;
        out[1] = 0x1161 + (si % 588) / 28;
        if (!t) return 2;
        out[2] = 0x11A7 + t;
        return 3;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W->strip_cp[mid] < cp) lo = mid + 1; else hi = mid;
    }
    if (lo < W->n_strip && W->strip_cp[lo] == cp) {
        uint32_t v = W->strip_val[lo];
        for (k = 0; k < (v & 3); k++) out[k] = W->strip_out[(v >> 2) + k];
        return v & 3;
    }
    if (llm__wp_class(W, cp) == LLM__WP_MN) return 0;
    out[0] = cp;
    return 1;
}

/* What the normalizer makes of one (already cleaned) code point: lowercase,
   then NFD less Mn, as configured. out: room for 6. */
static size_t llm__wp_norm(const llm__tok_wp *W, uint32_t cp, uint32_t *out) {
    uint32_t low[2];
    size_t nl = 1, k, n = 0;
    low[0] = cp;
    if (W->lower) nl = llm__wp_tolower(cp, low);
    if (!W->strip) { for (k = 0; k < nl; k++) out[k] = low[k]; return nl; }
    for (k = 0; k < nl; k++) n += llm__wp_strip(W, low[k], out + n);
    return n;
}

/* The code point at s (n >= 1 bytes) and its length; an invalid byte is one
   U+FFFD. */
static uint32_t llm__wp_next(const unsigned char *s, size_t n, size_t *len) {
    uint32_t cp = s[0];
    *len = 1;
    if (cp < 0x80) return cp;
    *len = llm__utf8_dec(s, n, &cp);
    if (!*len) { *len = 1; return 0xFFFD; }
    return cp;
}

static void llm__wp_append(const llm__tok_wp *W, llm__wp_word *w, uint32_t cp) {
    size_t k = w->at[w->n_chars];
    (void)W;
    if (w->too_long) return;
    if (w->n_chars == W->max_chars) { w->too_long = 1; return; }
    llm__utf8_put(w->b + LLM__WP_PREFIX, &k, cp);
    w->at[++w->n_chars] = (uint16_t)k;
}

/* Greedy longest-match WordPiece on the word, then empty it. */
static void llm__wp_emit(const llm__tok_impl *T, llm__wp_word *w, llm__tok_out *o) {
    const llm__tok_wp *W = T->wp;
    unsigned char *word = w->b + LLM__WP_PREFIX;
    size_t start = 0, n0 = o->n, avail_end = sizeof w->b;
    if (w->too_long) { llm__tok_put(o, W->unk); goto done; }
    while (start < w->n_chars) {
        size_t end = w->n_chars;
        int32_t id = -1;
        for (; end > start; end--) {
            size_t len = (size_t)(w->at[end] - w->at[start]);
            unsigned char *key = word + w->at[start];
            uint64_t pre;
            if (start > 0) {                           /* prefix + piece, just before it */
                key -= W->prefix_len;
                memcpy(key, W->prefix, W->prefix_len);
                len += W->prefix_len;
            }
            if (len > T->max_word) continue;
            pre = llm__tok_pre(key, len, avail_end - (size_t)(key - w->b));
            id = llm__tok_word_find(T, key, len, pre, llm__tok_whash(pre, key, len, avail_end - (size_t)(key - w->b)));
            if (id >= 0) break;
        }
        if (id < 0) { o->n = n0; llm__tok_put(o, W->unk); goto done; }
        llm__tok_put(o, id);
        start = end;
    }
done:
    w->n_chars = 0;
    w->too_long = 0;
}

/* never_split (vocab.txt path): the id of the entry equal to the
   whitespace-delimited chunk at s (after clean_text), or -1; *end gets
   where the chunk ends. */
static int32_t llm__wp_never(const llm__tok_wp *W, const unsigned char *s, size_t n, size_t *end) {
    unsigned char buf[LLM_TOKENIZER_MAX_TOKEN_BYTES + 8];
    size_t i = 0, m = 0, k, l;
    const unsigned char *e;
    while (i < n) {
        uint32_t cp = llm__wp_next(s + i, n - i, &l);
        unsigned c = llm__wp_class(W, cp);
        if (W->clean && (cp == 0 || cp == 0xFFFD || c == LLM__WP_CTRL || c == LLM__WP_CTRLWS)) { i += l; continue; }
        if (c == LLM__WP_WS || c == LLM__WP_CTRLWS || (W->chinese && llm__wp_cjk(cp))) break;
        llm__utf8_put(buf, &m, cp);
        if (m > W->never_max) return -1;
        i += l;
    }
    for (k = 0, e = W->never; k < W->n_never; k++) {
        size_t el = (size_t)e[0] | ((size_t)e[1] << 8);
        if (el == m && !memcmp(e + 2, buf, m)) { *end = i; return W->never_id[k]; }
        e += 2 + el;
    }
    return -1;
}

/* BERT's basic tokenizer (clean text, CJK characters apart, whitespace and
   punctuation split, lowercase and accents as configured), then WordPiece
   on each word. */
static llm_status llm__wp_encode_text(const llm__tok_impl *T, const unsigned char *s, size_t n, llm__tok_out *o) {
    const llm__tok_wp *W = T->wp;
    llm__wp_word w;
    size_t i = 0, l, k, m;
    int chunk_start = 1;
    uint32_t out[6];
    memset(&w, 0, sizeof w);
    while (i < n) {
        uint32_t cp = llm__wp_next(s + i, n - i, &l);
        unsigned c = llm__wp_class(W, cp);
        if (W->clean && (cp == 0 || cp == 0xFFFD || c == LLM__WP_CTRL || c == LLM__WP_CTRLWS)) { i += l; continue; }
        if (c == LLM__WP_WS || c == LLM__WP_CTRLWS) {  /* whitespace ends a word */
            llm__wp_emit(T, &w, o);
            chunk_start = 1;
            i += l;
            continue;
        }
        if (W->chinese && llm__wp_cjk(cp)) {          /* a word of its own */
            llm__wp_emit(T, &w, o);
            m = llm__wp_norm(W, cp, out);
            for (k = 0; k < m; k++) llm__wp_append(W, &w, out[k]);
            llm__wp_emit(T, &w, o);
            chunk_start = 1;
            i += l;
            continue;
        }
        if (chunk_start && W->n_never) {
            size_t e = 0;
            int32_t id = llm__wp_never(W, s + i, n - i, &e);
            if (id >= 0) { llm__tok_put(o, id); i += e; chunk_start = 0; continue; }
        }
        chunk_start = 0;
        m = llm__wp_norm(W, cp, out);
        for (k = 0; k < m; k++) {
            unsigned c2 = llm__wp_class(W, out[k]);
            if (c2 == LLM__WP_WS || c2 == LLM__WP_CTRLWS) { llm__wp_emit(T, &w, o); continue; }
            if (c2 == LLM__WP_PUNCT) {                 /* a word of its own */
                llm__wp_emit(T, &w, o);
                llm__wp_append(W, &w, out[k]);
                llm__wp_emit(T, &w, o);
                continue;
            }
            llm__wp_append(W, &w, out[k]);
        }
        i += l;
    }
    llm__wp_emit(T, &w, o);
    return LLM_OK;
}

/* HF's clean_up_tokenization on b[0..n) in place (every pattern replaced
   left to right, one pattern after the other); returns the new length. */
static size_t llm__wp_cleanup(unsigned char *b, size_t n) {
    static const char *const pat[10] = { " .", " ?", " !", " ,", " ' ", " n't", " 'm", " 's", " 've", " 're" };
    size_t p, i, o;
    for (p = 0; p < 10; p++) {
        size_t pl = strlen(pat[p]), rl = p == 4 ? 1 : pl - 1;   /* " ' " -> "'", else drop the space */
        for (i = 0, o = 0; i < n;) {
            if (i + pl <= n && !memcmp(b + i, pat[p], pl)) { memmove(b + o, pat[p] + 1, rl); o += rl; i += pl; }
            else b[o++] = b[i++];
        }
        n = o;
    }
    return n;
}

/* The text of token id at position `first` (1: the first of the text) as
   the WordPiece decoder gives it: "##" removed, else a space before it
   (not before the first), then the per-token clean-up. out: room for
   len + 1 bytes. */
static size_t llm__wp_piece(const llm__tok_impl *T, int32_t id, int first, unsigned char *out) {
    const llm__tok_wp *W = T->wp;
    const unsigned char *p = T->pool + T->off[id];
    size_t len = T->len[id], n = 0;
    if (!first) {
        if (W->dprefix_len && len >= W->dprefix_len && !memcmp(p, W->dprefix, W->dprefix_len)) {
            p += W->dprefix_len;
            len -= W->dprefix_len;
        } else out[n++] = ' ';
    }
    memcpy(out + n, p, len);
    n += len;
    return W->cleanup_tokens ? llm__wp_cleanup(out, n) : n;
}

static llm_status llm__wp_decode(const llm__tok_impl *T, const int32_t *ids, size_t n, char *out, size_t cap,
                                 size_t *n_bytes) {
    size_t i, total = 0, at = 0;
    unsigned char *b;
    for (i = 0; i < n; i++) {
        if (ids[i] < 0 || (size_t)ids[i] >= T->n_vocab || T->len[ids[i]] == LLM__TOK_NONE) return LLM_ERR_TOKEN_RANGE;
        if (!llm__add(total, T->len[ids[i]] + 1, &total)) return LLM_ERR_LIMIT;
    }
    b = LLM__CAST(unsigned char *, llm__alloc(total + 1));
    if (!b) return LLM_ERR_OUT_OF_MEMORY;
    for (i = 0; i < n; i++) at += llm__wp_piece(T, ids[i], i == 0, b + at);
    if (T->wp->cleanup_text) at = llm__wp_cleanup(b, at);
    if (n_bytes) *n_bytes = at;
    if (cap) memcpy(out, b, at < cap ? at : cap);
    llm__free(b);
    return at > cap && out ? LLM_ERR_BUFFER_TOO_SMALL : LLM_OK;
}

/* One part of a text (between special tokens), by the tokenizer's kind. */
static llm_status llm__tok_encode_part(const llm__tok_impl *T, const unsigned char *s, size_t n, llm__tok_out *o) {
    return T->wp ? llm__wp_encode_text(T, s, n, o) : llm__tok_encode_text(T, s, n, o);
}

/* ---- public: encode / decode ---------------------------------------------- */

LLM_API const char *llm_tokenizer_error(const llm_tokenizer *t) { return t ? llm__msg(t->error) : "NULL tokenizer"; }

LLM_API size_t llm_tokenizer_vocab_size(const llm_tokenizer *t) {
    return t && t->_impl ? LLM__CAST(const llm__tok_impl *, t->_impl)->n_vocab : 0;
}

LLM_API int32_t llm_tokenizer_eot(const llm_tokenizer *t) {
    return t && t->_impl ? LLM__CAST(const llm__tok_impl *, t->_impl)->eot : -1;
}

LLM_API int32_t llm_tokenizer_bos(const llm_tokenizer *t) {
    const llm__tok_impl *T = t ? LLM__CAST(const llm__tok_impl *, t->_impl) : NULL;
    return T && T->wp ? T->wp->cls : -1;
}

LLM_API const char *llm_tokenizer_token(const llm_tokenizer *t, int32_t id, size_t *len) {
    const llm__tok_impl *T;
    if (len) *len = 0;
    if (!t || !t->_impl) return NULL;
    T = LLM__CAST(const llm__tok_impl *, t->_impl);
    if (id < 0 || (size_t)id >= T->n_vocab || T->len[id] == LLM__TOK_NONE) return NULL;
    if (len) *len = T->len[id];
    return (const char *)T->pool + T->off[id];
}

LLM_API llm_status llm_tokenizer_encode(const llm_tokenizer *t, const char *text, size_t len, unsigned flags,
                                        int32_t *ids, size_t cap, size_t *n_ids) {
    const llm__tok_impl *T;
    const unsigned char *s = (const unsigned char *)text;
    llm__tok_out o;
    llm_status r = LLM_OK;
    if (n_ids) *n_ids = 0;
    if (!t || !t->_impl || (!text && len) || (!ids && cap) || (flags & ~LLM_TOKENIZE_SPECIAL))
        return LLM_ERR_INVALID_ARG;
    T = LLM__CAST(const llm__tok_impl *, t->_impl);
    o.ids = ids; o.cap = cap; o.n = 0; o.scr = NULL; o.scr_cap = 0; o.cache = NULL; o.a = NULL;
    o.cache_mask = 0;
    if (len >= LLM__TOK_CACHE_MIN_TEXT && !T->wp) {   /* optional: no cache if this fails */
        size_t slots = 256, q;
        while (slots < LLM__TOK_CACHE_SLOTS && slots * 64 < len) slots *= 2;
        o.cache = LLM__CAST(llm__tok_cent *, llm__alloc(slots * sizeof(llm__tok_cent)));
        if (o.cache) { for (q = 0; q < slots; q++) { o.cache[q].len = 0; o.cache[q].h = 0; } o.cache_mask = slots - 1; }
    }
    if (len && (flags & LLM_TOKENIZE_SPECIAL) && T->n_special) {
        size_t i = 0, seg = 0;
        while (i < len && r == LLM_OK) {
            size_t a = T->special_at[s[i]], b = T->special_at[s[i] + 1], q;
            int32_t hit = -1;
            for (q = a; q < b; q++) {
                int32_t sid = T->special[q];
                size_t sl = T->len[sid];
                if (sl <= len - i && !memcmp(T->pool + T->off[sid], s + i, sl)) { hit = sid; break; }
            }
            if (hit < 0) { i++; continue; }
            r = llm__tok_encode_part(T, s + seg, i - seg, &o);
            llm__tok_put(&o, hit);
            i += T->len[hit];
            seg = i;
        }
        if (r == LLM_OK) r = llm__tok_encode_part(T, s + seg, len - seg, &o);
    } else if (len) {
        r = llm__tok_encode_part(T, s, len, &o);
    }
    llm__free(o.scr);
    llm__free(o.cache);
    if (n_ids) *n_ids = o.n;
    if (r == LLM_OK && o.n > cap && ids) r = LLM_ERR_BUFFER_TOO_SMALL;
    return r;
}

LLM_API llm_status llm_tokenizer_decode(const llm_tokenizer *t, const int32_t *ids, size_t n,
                                        char *out, size_t cap, size_t *n_bytes) {
    const llm__tok_impl *T;
    size_t i, total = 0, at = 0;
    if (n_bytes) *n_bytes = 0;
    if (!t || !t->_impl || (!ids && n) || (!out && cap)) return LLM_ERR_INVALID_ARG;
    T = LLM__CAST(const llm__tok_impl *, t->_impl);
    if (T->wp) return llm__wp_decode(T, ids, n, out, cap, n_bytes);
    for (i = 0; i < n; i++) {
        if (ids[i] < 0 || (size_t)ids[i] >= T->n_vocab || T->len[ids[i]] == LLM__TOK_NONE) return LLM_ERR_TOKEN_RANGE;
        if (!llm__add(total, T->len[ids[i]], &total)) return LLM_ERR_LIMIT;
    }
    if (n_bytes) *n_bytes = total;
    for (i = 0; i < n && at < cap; i++) {
        size_t l = T->len[ids[i]];
        if (l > cap - at) l = cap - at;
        memcpy(out + at, T->pool + T->off[ids[i]], l);
        at += l;
    }
    return total > cap && out ? LLM_ERR_BUFFER_TOO_SMALL : LLM_OK;
}

/* ---- streaming decoder ---------------------------------------------------- */

LLM_API void llm_decoder_init(llm_decoder *d) {
    if (d) { memset(d->pending, 0, sizeof d->pending); d->n_pending = 0; d->_started = 0; }
}

/* How many trailing bytes of b[0..m) are a proper prefix of a valid UTF-8
   sequence that more bytes could complete (0..3). */
static size_t llm__tok_hold(const unsigned char *b, size_t m) {
    size_t k;
    for (k = 1; k <= 3 && k <= m; k++) {
        unsigned c = b[m - k], need;
        size_t q;
        if ((c & 0xC0) == 0x80) continue;             /* continuation: look further back */
        need = c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xF0 && c < 0xF5 ? 4 : 0;
        if (need <= k) return 0;                      /* ASCII, invalid lead, or complete */
        if (k >= 2) {
            unsigned d = b[m - k + 1];
            if ((c == 0xE0 && d < 0xA0) || (c == 0xED && d >= 0xA0) ||
                (c == 0xF0 && d < 0x90) || (c == 0xF4 && d >= 0x90)) return 0;
        }
        for (q = m - k + 1; q < m; q++) if ((b[q] & 0xC0) != 0x80) return 0;
        return k;
    }
    return 0;
}

LLM_API llm_status llm_decoder_push(llm_decoder *d, const llm_tokenizer *t, int32_t id,
                                    char *out, size_t cap, size_t *n) {
    const llm__tok_impl *T;
    const unsigned char *tok;
    unsigned char tail[8] = { 0 };
    size_t tl, np, total, hold, emit, k;
    if (n) *n = 0;
    if (!d || !t || !t->_impl || (!out && cap) || d->n_pending > 3) return LLM_ERR_INVALID_ARG;
    T = LLM__CAST(const llm__tok_impl *, t->_impl);
    if (id < 0 || (size_t)id >= T->n_vocab || T->len[id] == LLM__TOK_NONE) return LLM_ERR_TOKEN_RANGE;
    if (T->wp) {                                      /* whole characters; a space or "##" apart */
        unsigned char piece[LLM_TOKENIZER_MAX_TOKEN_BYTES + 1];
        size_t m = llm__wp_piece(T, id, !d->_started, piece);
        if (n) *n = m;
        if (m > cap) return LLM_ERR_BUFFER_TOO_SMALL;
        memcpy(out, piece, m);
        d->_started = 1;
        return LLM_OK;
    }
    tok = T->pool + T->off[id];
    tl = T->len[id];
    np = d->n_pending;
    total = np + tl;
    /* the last (up to 3) bytes of pending + token */
    for (k = 0; k < 3 && k < total; k++) {
        size_t at = total - 1 - k;
        tail[2 - k] = at < np ? d->pending[at] : tok[at - np];
    }
    k = total < 3 ? total : 3;
    hold = llm__tok_hold(tail + 3 - k, k);
    emit = total - hold;
    if (n) *n = emit;
    if (emit > cap) return LLM_ERR_BUFFER_TOO_SMALL;
    /* write pending then token, up to emit bytes; keep the held tail */
    {
        size_t a = np < emit ? np : emit;
        unsigned char keep[8];
        memcpy(keep, tail + 3 - hold, hold);
        if (a) memcpy(out, d->pending, a);
        if (emit > a) memcpy(out + a, tok, emit - a);
        memcpy(d->pending, keep, hold);
        d->n_pending = (unsigned)hold;
    }
    return LLM_OK;
}

LLM_API size_t llm_decoder_flush(llm_decoder *d, char *out, size_t cap) {
    size_t k;
    if (!d || !out) return 0;
    k = d->n_pending < cap ? d->n_pending : cap;
    if (k > sizeof d->pending) k = sizeof d->pending;
    memcpy(out, d->pending, k);
    memmove(d->pending, d->pending + k, sizeof d->pending - k);
    d->n_pending -= (unsigned)k;
    return k;
}

/* ---- loading -------------------------------------------------------------- */

typedef struct llm__tok_b {
    char *err;
    llm_arena *a;                 /* NULL: malloc */
    llm__tok_impl *T;
    size_t n_vocab;
    uint32_t *soff, *slen;        /* string of each id in spool; slen NONE: gap */
    unsigned char *flag;          /* per id: LLM__TOK_F_* */
    char *spool;
    size_t spool_n, spool_cap, max_slen;
    int32_t *sh;                  /* string -> id, open addressing */
    size_t sh_mask;
    char *cat;                    /* merge concatenation buffer */
    int specials_from_added;
    int ignore_merges;
} llm__tok_b;

static uint64_t llm__tok_shash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 32);
}

/* Id of string s, or -1. */
static int32_t llm__tok_sfind(const llm__tok_b *b, const char *s, size_t n) {
    size_t i = (size_t)llm__tok_shash(s, n) & b->sh_mask;
    for (;;) {
        int32_t id = b->sh[i];
        if (id < 0) return -1;
        if (b->slen[id] == n && !memcmp(b->spool + b->soff[id], s, n)) return id;
        i = (i + 1) & b->sh_mask;
    }
}

/* Show at most 48 bytes of a token in a message. */
static int llm__tok_showlen(size_t n) { return n > 48 ? 48 : (int)n; }

static void llm__tok_b_free(llm__tok_b *b) {
    llm__afree(b->a, b->soff); llm__afree(b->a, b->slen); llm__afree(b->a, b->flag);
    llm__afree(b->a, b->spool); llm__afree(b->a, b->sh); llm__afree(b->a, b->cat);
    b->soff = b->slen = NULL; b->flag = NULL; b->spool = NULL; b->sh = NULL; b->cat = NULL;
}

static void llm__tok_impl_free(llm__tok_impl *T) {
    llm_arena *a;
    if (!T) return;
    a = T->a;
    llm__afree(a, T->off); llm__afree(a, T->len); llm__afree(a, T->pool);
    llm__afree(a, T->merge); llm__afree(a, T->word); llm__afree(a, T->special);
    llm__wp_free(a, T->wp);
    llm__afree(a, T);
}

/* Builder flags per id (llm__tok_b.flag). */
enum {
    LLM__TOK_F_ADDED = 1,      /* an added token */
    LLM__TOK_F_MERGED = 2,     /* a merge makes it */
    LLM__TOK_F_RAW = 4,        /* its bytes are its own UTF-8 (not the byte alphabet) */
    LLM__TOK_F_BYTE = 8,       /* one of the 256 byte tokens */
    LLM__TOK_F_IN_VOCAB = 16   /* with ADDED: the added token is also in the model's vocab */
};
/* An added token that is not in the model's vocab. */
#define LLM__TOK_ADDED_ONLY(f) (((f) & (LLM__TOK_F_ADDED | LLM__TOK_F_IN_VOCAB)) == LLM__TOK_F_ADDED)

/* Add the string of len bytes at spool + spool_n with id; added: 1 for
   an added token. */
static llm_status llm__tok_b_put(llm__tok_b *b, size_t len, uint32_t id, int added) {
    char *dst = b->spool + b->spool_n;
    size_t i;
    int32_t other;
    if (len >= LLM__TOK_NONE) return llm__err(b->err, LLM_ERR_LIMIT, "token %u is too long", (unsigned)id);
    other = llm__tok_sfind(b, dst, len);
    if (b->slen[id] != LLM__TOK_NONE) {
        if (added && other == (int32_t)id) {   /* an added token already in the vocab */
            b->flag[id] |= LLM__TOK_F_ADDED | LLM__TOK_F_IN_VOCAB;
            return LLM_OK;
        }
        return llm__err(b->err, LLM_ERR_FORMAT, "id %u is used twice (\"%.*s\" and \"%.*s\")", (unsigned)id,
                        llm__tok_showlen(b->slen[id]), b->spool + b->soff[id], llm__tok_showlen(len), dst);
    }
    if (other >= 0)
        return llm__err(b->err, LLM_ERR_FORMAT, "token \"%.*s\" appears twice in the vocabulary (ids %u and %u)",
                        llm__tok_showlen(len), dst, (unsigned)other, (unsigned)id);
    b->soff[id] = (uint32_t)b->spool_n;
    b->slen[id] = (uint32_t)len;
    b->flag[id] = (unsigned char)(added ? LLM__TOK_F_ADDED : 0);
    b->spool_n += len;
    if (len > b->max_slen) b->max_slen = len;
    i = (size_t)llm__tok_shash(dst, len) & b->sh_mask;
    while (b->sh[i] >= 0) i = (i + 1) & b->sh_mask;
    b->sh[i] = (int32_t)id;
    return LLM_OK;
}

/* Add string (decoded from JSON string token si) with id; added: 1 for an added token. */
static llm_status llm__tok_b_add(llm__tok_b *b, const llm__json *j, size_t si, uint32_t id, int added) {
    size_t len;
    if (!llm__json_str(j, si, b->spool + b->spool_n, &len))
        return llm__err(b->err, LLM_ERR_FORMAT, "token %u: invalid \\u escape", (unsigned)id);
    return llm__tok_b_put(b, len, id, added);
}

/* The strings: vocab object (token -> id) and optional added_tokens array. */
static llm_status llm__tok_b_strings(llm__tok_b *b, const llm__json *j, size_t vocab, size_t added) {
    size_t k, c, count, cap = 1, tabn, bytes;
    uint64_t maxid = 0, v;
    int any = 0;
    llm_status r;
    if (j->t[vocab].type != LLM__J_OBJ) return llm__err(b->err, LLM_ERR_FORMAT, "the vocabulary is not a JSON object");
    count = j->t[vocab].n;
    for (k = 0, c = vocab + 1; k < j->t[vocab].n; k++, c = j->t[c + 1].end) {
        if (!llm__json_uint(j, c + 1, &v))
            return llm__err(b->err, LLM_ERR_FORMAT, "token \"%.*s\": the id is not a non-negative integer",
                            llm__tok_showlen(j->t[c].len), j->s + j->t[c].start);
        if (v >= LLM__MAX_VOCAB)
            return llm__err(b->err, LLM_ERR_LIMIT, "token \"%.*s\": id %zu is not below the limit of %u ids",
                            llm__tok_showlen(j->t[c].len), j->s + j->t[c].start, (size_t)v, (unsigned)LLM__MAX_VOCAB);
        if (v > maxid) maxid = v;
        any = 1;
        cap += j->t[c].len + 1;
    }
    if (added != (size_t)-1) {
        if (j->t[added].type != LLM__J_ARR) return llm__err(b->err, LLM_ERR_FORMAT, "added_tokens is not an array");
        for (k = 0, c = added + 1; k < j->t[added].n; k++, c = j->t[c].end) {
            size_t ci = llm__json_get(j, c, "content"), ii = llm__json_get(j, c, "id");
            if (ci == (size_t)-1 || ii == (size_t)-1 || j->t[ci].type != LLM__J_STR)
                return llm__err(b->err, LLM_ERR_FORMAT, "added_tokens[%zu] needs \"id\" and \"content\"", k);
            if (!llm__json_uint(j, ii, &v) || v >= LLM__MAX_VOCAB)
                return llm__err(b->err, LLM_ERR_FORMAT, "added_tokens[%zu]: the id must be an integer below %u", k,
                                (unsigned)LLM__MAX_VOCAB);
            if (v > maxid) maxid = v;
            any = 1;
            cap += j->t[ci].len + 1;
            count++;
        }
    }
    if (!any) return llm__err(b->err, LLM_ERR_FORMAT, "the vocabulary is empty");
    if (cap >= LLM__TOK_NONE - 16) return llm__err(b->err, LLM_ERR_LIMIT, "the vocabulary holds over 4 GiB of text");
    b->n_vocab = (size_t)maxid + 1;
    tabn = llm__tok_pow2(count);
    b->sh_mask = tabn - 1;
    b->spool_cap = cap;
    b->soff = LLM__CAST(uint32_t *, llm__atemp(b->a, b->n_vocab * sizeof(uint32_t)));
    b->slen = LLM__CAST(uint32_t *, llm__atemp(b->a, b->n_vocab * sizeof(uint32_t)));
    b->flag = LLM__CAST(unsigned char *, llm__atemp(b->a, b->n_vocab));
    b->spool = LLM__CAST(char *, llm__atemp(b->a, cap));
    b->sh = llm__mul(tabn, sizeof(int32_t), &bytes) ? LLM__CAST(int32_t *, llm__atemp(b->a, bytes)) : NULL;
    if (!b->soff || !b->slen || !b->flag || !b->spool || !b->sh)
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for a vocabulary of %zu tokens", count);
    memset(b->slen, 0xFF, b->n_vocab * sizeof(uint32_t));
    memset(b->flag, 0, b->n_vocab);
    memset(b->sh, 0xFF, tabn * sizeof(int32_t));
    for (k = 0, c = vocab + 1; k < j->t[vocab].n; k++, c = j->t[c + 1].end) {
        llm__json_uint(j, c + 1, &v);
        r = llm__tok_b_add(b, j, c, (uint32_t)v, 0);
        if (r != LLM_OK) return r;
    }
    if (added != (size_t)-1) {
        for (k = 0, c = added + 1; k < j->t[added].n; k++, c = j->t[c].end) {
            llm__json_uint(j, llm__json_get(j, c, "id"), &v);
            r = llm__tok_b_add(b, j, llm__json_get(j, c, "content"), (uint32_t)v, 1);
            if (r != LLM_OK) return r;
        }
    }
    return LLM_OK;
}

static llm_status llm__tok_b_merges_alloc(llm__tok_b *b, size_t count) {
    size_t tabn, bytes, i;
    llm__tok_impl *T = b->T;
    if (count > LLM__TOK_MAX_MERGES)
        return llm__err(b->err, LLM_ERR_LIMIT, "%zu merges (limit %u)", count, LLM__TOK_MAX_MERGES);
    tabn = llm__tok_pow2(count);
    if (!llm__mul(tabn, sizeof(llm__tok_merge), &bytes) ||
        !(T->merge = LLM__CAST(llm__tok_merge *, llm__aalloc(b->a, bytes))))
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu merges", count);
    for (i = 0; i < tabn; i++) { T->merge[i].key = ~(uint64_t)0; T->merge[i].rank = 0; T->merge[i].id = -1; }
    T->merge_mask = tabn - 1;
    T->merge_shift = 64 - llm__tok_log2(tabn);
    b->cat = LLM__CAST(char *, llm__atemp(b->a, 2 * b->max_slen + 1));
    if (!b->cat) return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    return LLM_OK;
}

/* One merge "a b" (line/index `where`). */
static llm_status llm__tok_b_merge(llm__tok_b *b, const char *a, size_t al, const char *c, size_t cl, size_t where) {
    llm__tok_impl *T = b->T;
    int32_t ia, ic, im;
    uint64_t key;
    size_t i;
    ia = llm__tok_sfind(b, a, al);
    if (ia >= 0 && LLM__TOK_ADDED_ONLY(b->flag[ia])) ia = -1;  /* merges see the model's vocab only */
    if (ia < 0)
        return llm__err(b->err, LLM_ERR_FORMAT, "merge %zu: \"%.*s\" is not in the vocabulary", where,
                        llm__tok_showlen(al), a);
    ic = llm__tok_sfind(b, c, cl);
    if (ic >= 0 && LLM__TOK_ADDED_ONLY(b->flag[ic])) ic = -1;
    if (ic < 0)
        return llm__err(b->err, LLM_ERR_FORMAT, "merge %zu: \"%.*s\" is not in the vocabulary", where,
                        llm__tok_showlen(cl), c);
    memcpy(b->cat, a, al);
    memcpy(b->cat + al, c, cl);
    im = llm__tok_sfind(b, b->cat, al + cl);
    if (im >= 0 && LLM__TOK_ADDED_ONLY(b->flag[im])) im = -1;
    if (im < 0) return llm__err(b->err, LLM_ERR_FORMAT,
                                "merge %zu: \"%.*s\" (the merged token) is not in the vocabulary",
                                where, llm__tok_showlen(al + cl), b->cat);
    key = ((uint64_t)(uint32_t)ia << 32) | (uint32_t)ic;
    i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> T->merge_shift);
    while (T->merge[i].key != ~(uint64_t)0 && T->merge[i].key != key) i = (i + 1) & T->merge_mask;
    /* a repeated pair takes its last rank, as encoder.py and HF tokenizers do */
    T->merge[i].key = key;
    T->merge[i].rank = (uint32_t)T->n_merges++;
    T->merge[i].id = im;
    b->flag[im] |= LLM__TOK_F_MERGED;
    return LLM_OK;
}

/* merges.txt / vocab.bpe text. */
static llm_status llm__tok_b_merges_text(llm__tok_b *b, const char *s, size_t n) {
    size_t i, count = 1, line = 0;
    llm_status r;
    for (i = 0; i < n; i++) count += s[i] == '\n';
    r = llm__tok_b_merges_alloc(b, count);
    if (r != LLM_OK) return r;
    i = 0;
    while (i < n) {
        size_t e = i, sp, q;
        const char *p = s + i;
        while (e < n && s[e] != '\n') e++;
        line++;
        q = e - i;
        i = e + 1;
        if (q && p[q - 1] == '\r') q--;
        if (q == 0 || (q >= 8 && !memcmp(p, "#version", 8))) continue;
        for (sp = 0; sp < q && p[sp] != ' '; sp++) {}
        if (sp == 0 || sp + 1 >= q || memchr(p + sp + 1, ' ', q - sp - 1))
            return llm__err(b->err, LLM_ERR_FORMAT,
                            "merges line %zu: expected two tokens separated by one space", line);
        r = llm__tok_b_merge(b, p, sp, p + sp + 1, q - sp - 1, line);
        if (r != LLM_OK) return r;
    }
    return LLM_OK;
}

/* tokenizer.json model.merges: ["a b", ...] or [["a", "b"], ...]. */
static llm_status llm__tok_b_merges_json(llm__tok_b *b, const llm__json *j, size_t arr) {
    size_t k, c, len, len2, sp;
    char *buf = NULL, *buf2;
    llm_status r = LLM_OK;
    size_t maxl = 0;
    if (j->t[arr].type != LLM__J_ARR) return llm__err(b->err, LLM_ERR_FORMAT, "model.merges is not an array");
    r = llm__tok_b_merges_alloc(b, j->t[arr].n);
    if (r != LLM_OK) return r;
    for (k = 0, c = arr + 1; k < j->t[arr].n; k++, c = j->t[c].end) {
        if (j->t[c].type == LLM__J_STR) { if (j->t[c].len > maxl) maxl = j->t[c].len; }
        else if (j->t[c].type == LLM__J_ARR && j->t[c].n == 2 && j->t[c + 1].type == LLM__J_STR &&
                 j->t[c + 2].type == LLM__J_STR) {
            if (j->t[c + 1].len + j->t[c + 2].len + 1 > maxl) maxl = j->t[c + 1].len + j->t[c + 2].len + 1;
        } else return llm__err(b->err, LLM_ERR_FORMAT, "model.merges[%zu] is not \"a b\" or [\"a\", \"b\"]", k);
    }
    buf = LLM__CAST(char *, llm__atemp(b->a, maxl + 2));
    if (!buf) return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    for (k = 0, c = arr + 1; k < j->t[arr].n && r == LLM_OK; k++, c = j->t[c].end) {
        if (j->t[c].type == LLM__J_STR) {
            if (!llm__json_str(j, c, buf, &len)) {
                r = llm__err(b->err, LLM_ERR_FORMAT, "model.merges[%zu]: invalid \\u escape", k);
                break;
            }
            for (sp = 0; sp < len && buf[sp] != ' '; sp++) {}
            if (sp == 0 || sp + 1 >= len || memchr(buf + sp + 1, ' ', len - sp - 1)) {
                r = llm__err(b->err, LLM_ERR_FORMAT,
                             "model.merges[%zu]: expected two tokens separated by one space", k);
                break;
            }
            r = llm__tok_b_merge(b, buf, sp, buf + sp + 1, len - sp - 1, k + 1);
        } else {
            buf2 = buf + j->t[c + 1].len + 1;
            if (!llm__json_str(j, c + 1, buf, &len) || !llm__json_str(j, c + 2, buf2, &len2)) {
                r = llm__err(b->err, LLM_ERR_FORMAT, "model.merges[%zu]: invalid \\u escape", k);
                break;
            }
            r = llm__tok_b_merge(b, buf, len, buf2, len2, k + 1);
        }
    }
    llm__afree(b->a, buf);
    return r;
}

/* Heap sort of 64-bit keys (no recursion). */
static void llm__tok_sort64(uint64_t *a, size_t n) {
    size_t start, end, r, c;
    uint64_t t;
    for (start = n / 2; start-- > 0;) {
        for (r = start; (c = 2 * r + 1) < n; r = c) {
            if (c + 1 < n && a[c + 1] > a[c]) c++;
            if (a[r] >= a[c]) break;
            t = a[r]; a[r] = a[c]; a[c] = t;
        }
    }
    for (end = n; end-- > 1;) {
        t = a[0]; a[0] = a[end]; a[end] = t;
        for (r = 0; (c = 2 * r + 1) < end; r = c) {
            if (c + 1 < end && a[c + 1] > a[c]) c++;
            if (a[r] >= a[c]) break;
            t = a[r]; a[r] = a[c]; a[c] = t;
        }
    }
}

/* The special tokens (added tokens, or for vocab.json + merges the tokens
   no merge makes that are not byte tokens), sorted by first byte then
   longest first, and T->special_at. */
/* Id is a special token: an added token (specials_from_added: tokenizer.json,
   WordPiece), else (vocab.json + merges.txt) a token that no merge makes and
   that is not a byte token. */
static int llm__tok_b_special(const llm__tok_b *b, size_t id) {
    unsigned f = b->flag[id];
    if (b->slen[id] == LLM__TOK_NONE || b->T->len[id] == 0) return 0;
    return b->specials_from_added ? (f & LLM__TOK_F_ADDED) != 0 : !(f & (LLM__TOK_F_MERGED | LLM__TOK_F_BYTE));
}

static llm_status llm__tok_b_specials(llm__tok_b *b) {
    llm__tok_impl *T = b->T;
    size_t id, i, k, n_spec = 0;
    uint64_t *keys = NULL;
    for (id = 0; id < b->n_vocab; id++) n_spec += (size_t)llm__tok_b_special(b, id);
    if (n_spec) {
        keys = LLM__CAST(uint64_t *, llm__atemp(b->a, n_spec * sizeof(uint64_t)));
        T->special = LLM__CAST(int32_t *, llm__aalloc(b->a, n_spec * sizeof(int32_t)));
        if (!keys || !T->special) {
            llm__afree(b->a, keys);
            return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
        }
        for (id = 0, k = 0; id < b->n_vocab; id++)
            if (llm__tok_b_special(b, id))
                keys[k++] = ((uint64_t)T->pool[T->off[id]] << 48) |
                            ((uint64_t)(0xFFFFu - T->len[id]) << 32) | (uint64_t)id;
        llm__tok_sort64(keys, n_spec);
        for (k = 0; k < n_spec; k++) T->special[k] = (int32_t)(keys[k] & 0xFFFFFFFFu);
        llm__afree(b->a, keys);
    }
    T->n_special = n_spec;
    for (i = 0, k = 0; i <= 256; i++) {
        while (k < n_spec && T->pool[T->off[T->special[k]]] < i) k++;
        T->special_at[i] = k;
    }
    return LLM_OK;
}

/* The whole-token table (T->word), with room for n tokens. */
static llm_status llm__tok_word_alloc(llm__tok_b *b, size_t n) {
    llm__tok_impl *T = b->T;
    size_t tabn = llm__tok_pow2(n), bytes, i;
    if (!llm__mul(tabn, sizeof(llm__tok_word), &bytes) ||
        !(T->word = LLM__CAST(llm__tok_word *, llm__aalloc(b->a, bytes))))
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < tabn; i++) { T->word[i].pre = 0; T->word[i].len = 0; T->word[i].id = -1; }
    T->word_mask = tabn - 1;
    T->word_shift = 64 - llm__tok_log2(tabn);
    T->max_word = 0;
    return LLM_OK;
}

/* Put token id (its bytes in T->pool, avail bytes readable there) in the
   whole-token table; an id with the same bytes as an earlier one is left out. */
static void llm__tok_word_insert(llm__tok_impl *T, size_t id, size_t avail) {
    const unsigned char *p = T->pool + T->off[id];
    size_t l = T->len[id], i;
    uint64_t pre = llm__tok_pre(p, l, avail);
    i = (size_t)(llm__tok_whash(pre, p, l, avail) >> T->word_shift);
    while (T->word[i].id >= 0 &&
           !(T->word[i].pre == pre && T->word[i].len == l && !memcmp(T->pool + T->off[T->word[i].id], p, l)))
        i = (i + 1) & T->word_mask;
    if (T->word[i].id >= 0) return;                   /* same bytes as an earlier id */
    T->word[i].pre = pre;
    T->word[i].len = (uint32_t)l;
    T->word[i].id = (int32_t)id;
    if (l > T->max_word) T->max_word = l;
}

/* Everything after the strings and merges: token bytes, byte tokens,
   special tokens, the whole-token table, the Unicode classes. */
static llm_status llm__tok_b_finish(llm__tok_b *b) {
    llm__tok_impl *T = b->T;
    size_t id, i, nb, n_words = 0;
    int16_t u2b[0x144];
    llm__tok_out o;
    int32_t res[2];
    llm_status r = LLM_OK;

    /* 1. bytes of every token */
    for (i = 0; i < 0x144; i++) u2b[i] = -1;
    for (i = 0; i < 256; i++) u2b[llm__tok_b2u((unsigned)i)] = (int16_t)i;
    T->n_vocab = b->n_vocab;
    T->off = LLM__CAST(uint32_t *, llm__aalloc(b->a, b->n_vocab * sizeof(uint32_t)));
    T->len = LLM__CAST(uint32_t *, llm__aalloc(b->a, b->n_vocab * sizeof(uint32_t)));
    T->pool = LLM__CAST(unsigned char *, llm__aalloc(b->a, b->spool_n + 8));
    if (!T->off || !T->len || !T->pool)
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for the vocabulary");
    nb = 0;
    for (id = 0; id < b->n_vocab; id++) {
        const unsigned char *s = (const unsigned char *)b->spool + b->soff[id];
        size_t sl = b->slen[id], start = nb;
        int raw = 0;
        T->off[id] = 0;
        T->len[id] = LLM__TOK_NONE;
        if (sl == LLM__TOK_NONE) continue;
        if (LLM__TOK_ADDED_ONLY(b->flag[id])) raw = 1;  /* outside the model's vocab: its own UTF-8 */
        for (i = 0; i < sl && !raw;) {
            uint32_t cp = s[i];
            size_t l = 1;
            if (cp >= 0x80) { l = llm__utf8_dec(s + i, sl - i, &cp); if (!l) break; }
            if (cp >= 0x144 || u2b[cp] < 0) break;
            T->pool[nb++] = (unsigned char)u2b[cp];
            i += l;
        }
        if (raw || i < sl) {                          /* not the byte alphabet: its own UTF-8 */
            nb = start;
            memcpy(T->pool + nb, s, sl);
            nb += sl;
            b->flag[id] |= LLM__TOK_F_RAW;
        }
        if (nb - start > LLM_TOKENIZER_MAX_TOKEN_BYTES)
            return llm__err(b->err, LLM_ERR_LIMIT, "token %u is %zu bytes long (limit %u)", (unsigned)id, nb - start,
                            (unsigned)LLM_TOKENIZER_MAX_TOKEN_BYTES);
        T->off[id] = (uint32_t)start;
        T->len[id] = (uint32_t)(nb - start);
        if (nb - start > T->max_len) T->max_len = nb - start;
    }
    memset(T->pool + nb, 0, 8);

    /* 2. the 256 byte tokens */
    for (i = 0; i < 256; i++) {
        unsigned char u[4];
        size_t ul = 0;
        int32_t bid;
        llm__utf8_put(u, &ul, llm__tok_b2u((unsigned)i));
        bid = llm__tok_sfind(b, (const char *)u, ul);
        if (bid < 0 || (b->flag[bid] & LLM__TOK_F_RAW)) {
            const char *hx = "0123456789abcdef";
            return llm__err(b->err, LLM_ERR_FORMAT, "the vocabulary has no token for byte 0x%c%c (\"%.*s\")",
                            hx[i >> 4], hx[i & 15], (int)ul, (const char *)u);
        }
        T->byte_tok[i] = bid;
        b->flag[bid] |= LLM__TOK_F_BYTE;
    }

    /* 3. special tokens */
    r = llm__tok_b_specials(b);
    if (r != LLM_OK) return r;

    /* 4. whole tokens: bytes -> id where BPE gives exactly that one token */
    for (id = 0; id < b->n_vocab; id++)
        if (T->len[id] != LLM__TOK_NONE && T->len[id] >= 2 && !LLM__TOK_ADDED_ONLY(b->flag[id]) &&
            !(b->flag[id] & LLM__TOK_F_RAW))
            n_words++;
    r = llm__tok_word_alloc(b, n_words);
    if (r != LLM_OK) return r;
    o.scr = NULL; o.scr_cap = 0; o.cache = NULL; o.cache_mask = 0; o.a = b->a;
    for (id = 0; id < b->n_vocab && r == LLM_OK; id++) {
        const unsigned char *p = T->pool + T->off[id];
        size_t l = T->len[id], avail = nb + 8 - T->off[id];
        if (l == LLM__TOK_NONE || l < 2 || LLM__TOK_ADDED_ONLY(b->flag[id]) || (b->flag[id] & LLM__TOK_F_RAW)) continue;
        if (!b->ignore_merges) {
            if (!(b->flag[id] & LLM__TOK_F_MERGED)) continue;  /* no merge makes it */
            o.ids = res; o.cap = 2; o.n = 0;
            if (l <= LLM__TOK_SMALL) {
                uint32_t tmp[LLM__TOK_SMALL];
                o.n = llm__tok_bpe_small(T, p, l, tmp);
                res[0] = (int32_t)tmp[0];
            } else r = llm__tok_bpe_heap(T, p, l, &o);
            if (r != LLM_OK || o.n != 1 || res[0] != (int32_t)id) continue;
        }
        llm__tok_word_insert(T, id, avail);
    }
    llm__afree(b->a, o.scr);
    if (r != LLM_OK) return llm__err(b->err, r, "out of memory");

    /* 5. end of text, Unicode classes */
    T->eot = llm__tok_sfind(b, "<|endoftext|>", 13);
    memset(T->ucls, 0, sizeof T->ucls);
    {
        const llm__ucd u = llm__ucd_tables();
        uint32_t cp = 0;
        for (i = 0; i < u.tok_ucls_rle_size;) {
            uint32_t v = 0, run;
            int sh = 0;
            unsigned cl;
            do { v |= (uint32_t)(u.tok_ucls_rle[i] & 0x7F) << sh; sh += 7; } while (u.tok_ucls_rle[i++] & 0x80);
            cl = v & 3;
            for (run = (v >> 2) + 1; run-- > 0 && cp < LLM__TOK_UCLS_LIMIT; cp++)
                T->ucls[cp >> 2] |= (unsigned char)(cl << ((cp & 3) * 2));
        }
    }
    return LLM_OK;
}

static llm_status llm__tok_b_begin(llm_tokenizer *t, llm__tok_b *b, llm_arena *a) {
    memset(b, 0, sizeof *b);
    b->err = t->error;
    b->a = a;
    b->T = LLM__CAST(llm__tok_impl *, llm__aalloc(a, sizeof(llm__tok_impl)));
    if (!b->T) return llm__err(t->error, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(b->T, 0, sizeof *b->T);
    b->T->a = a;
    b->T->off = b->T->len = NULL; b->T->pool = NULL; b->T->merge = NULL; b->T->word = NULL; b->T->special = NULL;
    b->T->eot = -1;
    b->T->wp = NULL;
    return LLM_OK;
}

static llm_status llm__tok_b_end(llm_tokenizer *t, llm__tok_b *b, llm_status r) {
    llm__tok_b_free(b);
    if (r == LLM_OK) { t->_impl = b->T; t->error[0] = 0; }
    else llm__tok_impl_free(b->T);
    b->T = NULL;
    return r;
}

/* Prefix the current message with what (e.g. "vocab.json: "). */
static llm_status llm__tok_prefix(char *err, llm_status r, const char *what) {
    char tmp[LLM_ERROR_SIZE];
    memcpy(tmp, err, LLM_ERROR_SIZE);
    tmp[LLM_ERROR_SIZE - 1] = 0;
    return llm__err(err, r, "%s: %s", what, tmp);
}

static void llm__tok_zero(llm_tokenizer *t) { t->_impl = NULL; t->error[0] = 0; }

LLM_API void llm_tokenizer_free(llm_tokenizer *t) {
    if (!t) return;
    llm__tok_impl_free(LLM__CAST(llm__tok_impl *, t->_impl));
    t->_impl = NULL;
}

static llm_status llm__tok_load_memory(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                       const char *merges, size_t merges_len, llm_arena *a) {
    llm__tok_b b;
    llm__json j;
    llm_status r;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
#ifdef LLM_NO_MALLOC
    if (!a)
        return llm__err(t->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: use llm_tokenizer_load_memory_arena");
#endif
    if (!vocab_json || !merges) return llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL vocabulary or merges");
    r = llm__json_parse_in(&j, vocab_json, vocab_len, a, t->error);
    if (r != LLM_OK) return llm__tok_prefix(t->error, r, "vocab.json");
    r = llm__tok_b_begin(t, &b, a);
    if (r != LLM_OK) { llm__json_free(&j); return r; }
    r = llm__tok_b_strings(&b, &j, 0, (size_t)-1);
    llm__json_free(&j);
    if (r != LLM_OK) r = llm__tok_prefix(t->error, r, "vocab.json");
    else if ((r = llm__tok_b_merges_text(&b, merges, merges_len)) != LLM_OK) r = llm__tok_prefix(t->error, r, "merges");
    else r = llm__tok_b_finish(&b);
    return llm__tok_b_end(t, &b, r);
}
LLM_API llm_status llm_tokenizer_load_memory(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                             const char *merges, size_t merges_len) {
    return llm__tok_load_memory(t, vocab_json, vocab_len, merges, merges_len, NULL);
}
LLM_API llm_status llm_tokenizer_load_memory_arena(llm_tokenizer *t, const char *vocab_json, size_t vocab_len,
                                                   const char *merges, size_t merges_len, llm_arena *a) {
    if (!a) {
        if (t) llm__tok_zero(t);
        return t ? llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL arena") : LLM_ERR_INVALID_ARG;
    }
    return llm__tok_load_memory(t, vocab_json, vocab_len, merges, merges_len, a);
}
LLM_API llm_status llm_tokenizer_heap_size(const char *vocab_json, size_t vocab_len, const char *merges,
                                           size_t merges_len,
                                           size_t *peak, size_t *kept) {
    llm_arena a;
    llm_tokenizer t;
    llm_status r = llm__measure_begin(&a, peak, kept);
    if (r != LLM_OK) return r;
    r = llm__tok_load_memory(&t, vocab_json, vocab_len, merges, merges_len, &a);
    llm__measure_end(&a, r, peak, kept);
    llm_tokenizer_free(&t);
    return r;
}

/* ---- loading: WordPiece ---------------------------------------------------- */

/* The special-token names of a BERT vocabulary: unk, sep, pad, cls, mask. */
typedef struct llm__wp_names { char s[5][LLM__WP_NAME]; size_t len[5]; } llm__wp_names;

static llm_status llm__wp_begin(llm__tok_b *b, llm__wp_names *nm) {
    static const char *const def[5] = { "[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]" };
    llm__tok_wp *W = LLM__CAST(llm__tok_wp *, llm__aalloc(b->a, sizeof(llm__tok_wp)));
    int k;
    if (!W) return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(W, 0, sizeof *W);
    W->runs = W->strip_cp = W->strip_val = W->strip_out = NULL;
    W->never = NULL;
    W->never_id = NULL;
    W->clean = W->chinese = W->lower = W->strip = 1;
    W->cleanup_tokens = W->cleanup_text = 1;
    W->unk = W->cls = -1;
    W->max_chars = 100;
    memcpy(W->prefix, "##", 2); W->prefix_len = 2;
    memcpy(W->dprefix, "##", 2); W->dprefix_len = 2;
    b->T->wp = W;
    for (k = 0; k < 5; k++) { nm->len[k] = strlen(def[k]); memcpy(nm->s[k], def[k], nm->len[k]); }
    return LLM_OK;
}


static uint32_t llm__wp_varint(const unsigned char *d, size_t *i) {
    uint32_t v = 0;
    int sh = 0;
    do { v |= (uint32_t)(d[*i] & 0x7F) << sh; sh += 7; } while (d[(*i)++] & 0x80);
    return v;
}

/* Expand the generated tables (class runs, NFD less Mn). */
static llm_status llm__wp_tables(llm__tok_b *b) {
    llm__tok_wp *W = b->T->wp;
    const llm__ucd u = llm__ucd_tables();
    size_t i, k, nout = 0;
    uint32_t cp = 0, prev = 0;
    W->runs = LLM__CAST(uint32_t *, llm__aalloc(b->a, u.wp_cls_runs * sizeof(uint32_t)));
    W->strip_cp = LLM__CAST(uint32_t *, llm__aalloc(b->a, u.wp_strip_n * sizeof(uint32_t)));
    W->strip_val = LLM__CAST(uint32_t *, llm__aalloc(b->a, u.wp_strip_n * sizeof(uint32_t)));
    W->strip_out = LLM__CAST(uint32_t *, llm__aalloc(b->a, 3 * u.wp_strip_n * sizeof(uint32_t)));
    if (!W->runs || !W->strip_cp || !W->strip_val || !W->strip_out)
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for the Unicode tables");
    for (i = 0, k = 0; i < u.wp_cls_rle_size && k < u.wp_cls_runs; k++) {
        uint32_t v = llm__wp_varint(u.wp_cls_rle, &i);
        W->runs[k] = cp << 3 | (v & 7);
        cp += (v >> 3) + 1;
    }
    W->n_runs = k;
    for (k = 0, i = 0; k < 128; k++) {                 /* ASCII from the runs */
        while (i + 1 < W->n_runs && (W->runs[i + 1] >> 3) <= k) i++;
        W->ascii[k] = (unsigned char)(W->runs[i] & 7);
    }
    cp = 0;
    for (i = 0, k = 0; i < u.wp_strip_size && k < u.wp_strip_n; k++) {
        uint32_t n, q;
        cp += llm__wp_varint(u.wp_strip_rle, &i);
        n = llm__wp_varint(u.wp_strip_rle, &i);
        W->strip_cp[k] = cp;
        W->strip_val[k] = (uint32_t)nout << 2 | n;
        for (q = 0; q < n && q < 3; q++) {
            uint32_t z = llm__wp_varint(u.wp_strip_rle, &i);
            prev = (z & 1) ? prev - ((z + 1) >> 1) : prev + (z >> 1);
            W->strip_out[nout++] = prev;
        }
    }
    W->n_strip = k;
    return LLM_OK;
}

/* vocab.txt: one token a line, the id is the line number from 0 (HF's
   load_vocab: the text of each line less its "\n"; a "\r" before it goes
   too). */
static llm_status llm__wp_lines(llm__tok_b *b, const char *s, size_t n) {
    size_t i, count = 0, tabn, bytes, line;
    for (i = 0; i < n; i++) count += s[i] == '\n';
    if (n && s[n - 1] != '\n') count++;
    if (!count) return llm__err(b->err, LLM_ERR_FORMAT, "the vocabulary is empty");
    if (count > LLM__MAX_VOCAB)
        return llm__err(b->err, LLM_ERR_LIMIT, "%zu lines (limit %u tokens)", count, (unsigned)LLM__MAX_VOCAB);
    if (n >= LLM__TOK_NONE - 16) return llm__err(b->err, LLM_ERR_LIMIT, "the vocabulary holds over 4 GiB of text");
    b->n_vocab = count;
    tabn = llm__tok_pow2(count);
    b->sh_mask = tabn - 1;
    b->spool_cap = n + 1;
    b->soff = LLM__CAST(uint32_t *, llm__atemp(b->a, count * sizeof(uint32_t)));
    b->slen = LLM__CAST(uint32_t *, llm__atemp(b->a, count * sizeof(uint32_t)));
    b->flag = LLM__CAST(unsigned char *, llm__atemp(b->a, count));
    b->spool = LLM__CAST(char *, llm__atemp(b->a, n + 1));
    b->sh = llm__mul(tabn, sizeof(int32_t), &bytes) ? LLM__CAST(int32_t *, llm__atemp(b->a, bytes)) : NULL;
    if (!b->soff || !b->slen || !b->flag || !b->spool || !b->sh)
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for a vocabulary of %zu tokens", count);
    memset(b->slen, 0xFF, count * sizeof(uint32_t));
    memset(b->flag, 0, count);
    memset(b->sh, 0xFF, tabn * sizeof(int32_t));
    for (i = 0, line = 0; line < count; line++) {
        size_t e = i, q, l;
        llm_status r;
        while (e < n && s[e] != '\n') e++;
        q = e - i;
        if (q && s[i + q - 1] == '\r') q--;
        if (q > LLM_TOKENIZER_MAX_TOKEN_BYTES)
            return llm__err(b->err, LLM_ERR_LIMIT, "line %zu is %zu bytes long (limit %u)", line + 1, q,
                            (unsigned)LLM_TOKENIZER_MAX_TOKEN_BYTES);
        for (l = 0; l < q;) {
            uint32_t cp;
            size_t u = llm__utf8_dec((const unsigned char *)s + i + l, q - l, &cp);
            if (!u) return llm__err(b->err, LLM_ERR_FORMAT, "line %zu is not valid UTF-8", line + 1);
            l += u;
        }
        memcpy(b->spool + b->spool_n, s + i, q);
        r = llm__tok_b_put(b, q, (uint32_t)line, 0);
        if (r != LLM_OK) return llm__tok_prefix(b->err, r, "vocab.txt");
        i = e + 1;
    }
    return LLM_OK;
}

/* The token bytes, special tokens, the lookup table, [UNK], [CLS], [SEP]. */
static llm_status llm__wp_finish(llm__tok_b *b, const llm__wp_names *nm) {
    llm__tok_impl *T = b->T;
    llm__tok_wp *W = T->wp;
    size_t id, nb = 0, n_words = 0;
    int32_t sid;
    llm_status r;
    T->n_vocab = b->n_vocab;
    T->off = LLM__CAST(uint32_t *, llm__aalloc(b->a, b->n_vocab * sizeof(uint32_t)));
    T->len = LLM__CAST(uint32_t *, llm__aalloc(b->a, b->n_vocab * sizeof(uint32_t)));
    T->pool = LLM__CAST(unsigned char *, llm__aalloc(b->a, b->spool_n + 8));
    if (!T->off || !T->len || !T->pool)
        return llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory for the vocabulary");
    for (id = 0; id < b->n_vocab; id++) {
        size_t sl = b->slen[id];
        T->off[id] = (uint32_t)nb;
        T->len[id] = LLM__TOK_NONE;
        if (sl == LLM__TOK_NONE) continue;
        if (sl > LLM_TOKENIZER_MAX_TOKEN_BYTES)
            return llm__err(b->err, LLM_ERR_LIMIT, "token %u is %zu bytes long (limit %u)", (unsigned)id, sl,
                            (unsigned)LLM_TOKENIZER_MAX_TOKEN_BYTES);
        memcpy(T->pool + nb, b->spool + b->soff[id], sl);
        T->len[id] = (uint32_t)sl;
        nb += sl;
        if (sl > T->max_len) T->max_len = sl;
        if (sl && !LLM__TOK_ADDED_ONLY(b->flag[id])) n_words++;
    }
    memset(T->pool + nb, 0, 8);
    b->specials_from_added = 1;
    r = llm__tok_b_specials(b);
    if (r == LLM_OK) r = llm__tok_word_alloc(b, n_words);
    if (r != LLM_OK) return r;
    for (id = 0; id < b->n_vocab; id++)
        if (T->len[id] != LLM__TOK_NONE && T->len[id] && !LLM__TOK_ADDED_ONLY(b->flag[id]))
            llm__tok_word_insert(T, id, nb + 8 - T->off[id]);
    sid = llm__tok_sfind(b, nm->s[0], nm->len[0]);
    if (sid < 0 || LLM__TOK_ADDED_ONLY(b->flag[sid]))
        return llm__err(b->err, LLM_ERR_FORMAT, "the unknown token \"%.*s\" is not in the vocabulary",
                        llm__tok_showlen(nm->len[0]), nm->s[0]);
    W->unk = sid;
    T->eot = llm__tok_sfind(b, nm->s[1], nm->len[1]);
    W->cls = llm__tok_sfind(b, nm->s[3], nm->len[3]);
    return llm__wp_tables(b);
}

/* A tokenizer_config.json value that is a token name: "..." or {"content": "..."}. */
static llm_status llm__wp_name(llm__tok_b *b, const llm__json *j, size_t v, const char *key, char *out, size_t *len) {
    if (j->t[v].type == LLM__J_OBJ) v = llm__json_get(j, v, "content");
    if (v == (size_t)-1 || j->t[v].type != LLM__J_STR)
        return llm__err(b->err, LLM_ERR_FORMAT, "%s is not a string or {\"content\": string}", key);
    if (j->t[v].len >= LLM__WP_NAME) return llm__err(b->err, LLM_ERR_LIMIT, "%s is too long", key);
    if (!llm__json_str(j, v, out, len)) return llm__err(b->err, LLM_ERR_FORMAT, "%s: invalid \\u escape", key);
    return LLM_OK;
}

/* A boolean (or null: keep *out) setting. */
static llm_status llm__wp_bool(llm__tok_b *b, const llm__json *j, size_t obj, const char *key, int *out) {
    size_t v = llm__json_get(j, obj, key);
    if (v == (size_t)-1 || j->t[v].type == LLM__J_NULL) return LLM_OK;
    if (j->t[v].type != LLM__J_TRUE && j->t[v].type != LLM__J_FALSE)
        return llm__err(b->err, LLM_ERR_FORMAT, "%s is not true, false or null", key);
    *out = j->t[v].type == LLM__J_TRUE;
    return LLM_OK;
}

/* tokenizer_config.json (BertTokenizer's settings). */
static llm_status llm__wp_config(llm__tok_b *b, const char *text, size_t len, llm__wp_names *nm) {
    static const char *const keys[5] = { "unk_token", "sep_token", "pad_token", "cls_token", "mask_token" };
    llm__tok_wp *W = b->T->wp;
    llm__json j;
    llm_status r;
    size_t v, k, c, total = 0;
    int basic = 1, strip = -1;
    r = llm__json_parse_in(&j, text, len, b->a, b->err);
    if (r != LLM_OK) return r;
    if (j.t[0].type != LLM__J_OBJ) { r = llm__err(b->err, LLM_ERR_FORMAT, "not a JSON object"); goto done; }
    if ((r = llm__wp_bool(b, &j, 0, "do_lower_case", &W->lower)) != LLM_OK) goto done;
    if ((r = llm__wp_bool(b, &j, 0, "strip_accents", &strip)) != LLM_OK) goto done;
    if ((r = llm__wp_bool(b, &j, 0, "tokenize_chinese_chars", &W->chinese)) != LLM_OK) goto done;
    if ((r = llm__wp_bool(b, &j, 0, "clean_up_tokenization_spaces", &W->cleanup_text)) != LLM_OK) goto done;
    if ((r = llm__wp_bool(b, &j, 0, "do_basic_tokenize", &basic)) != LLM_OK) goto done;
    if (!basic) { r = llm__err(b->err, LLM_ERR_UNSUPPORTED, "do_basic_tokenize false is not supported"); goto done; }
    W->strip = strip < 0 ? W->lower : strip;           /* null: as do_lower_case */
    for (k = 0; k < 5; k++) {
        v = llm__json_get(&j, 0, keys[k]);
        if (v != (size_t)-1 && j.t[v].type != LLM__J_NULL &&
            (r = llm__wp_name(b, &j, v, keys[k], nm->s[k], &nm->len[k])) != LLM_OK) goto done;
    }
    v = llm__json_get(&j, 0, "never_split");
    if (v != (size_t)-1 && j.t[v].type != LLM__J_NULL) {
        unsigned char *e;
        if (j.t[v].type != LLM__J_ARR) {
            r = llm__err(b->err, LLM_ERR_FORMAT, "never_split is not an array");
            goto done;
        }
        for (k = 0, c = v + 1; k < j.t[v].n; k++, c = j.t[c].end) {
            if (j.t[c].type != LLM__J_STR) {
                r = llm__err(b->err, LLM_ERR_FORMAT, "never_split[%zu] is not a string", k);
                goto done;
            }
            if (j.t[c].len > LLM_TOKENIZER_MAX_TOKEN_BYTES) {
                r = llm__err(b->err, LLM_ERR_LIMIT, "never_split[%zu] is too long", k);
                goto done;
            }
            total += 2 + j.t[c].len;
        }
        W->never = LLM__CAST(unsigned char *, llm__aalloc(b->a, total + 1));
        W->never_id = LLM__CAST(int32_t *, llm__aalloc(b->a, (j.t[v].n + 1) * sizeof(int32_t)));
        if (!W->never || !W->never_id) { r = llm__err(b->err, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto done; }
        for (k = 0, c = v + 1, e = W->never; k < j.t[v].n; k++, c = j.t[c].end) {
            size_t el;
            if (!llm__json_str(&j, c, (char *)e + 2, &el)) {
                r = llm__err(b->err, LLM_ERR_FORMAT, "never_split[%zu]: invalid \\u escape", k);
                goto done;
            }
            if (!el) continue;                          /* "" never equals a chunk */
            e[0] = (unsigned char)(el & 0xFF);
            e[1] = (unsigned char)(el >> 8);
            e += 2 + el;
            if (el > W->never_max) W->never_max = el;
            W->n_never++;
        }
    }
done:
    llm__json_free(&j);
    return r;
}

/* never_split entries -> ids (the entry's own id, else [UNK]). */
static void llm__wp_never_ids(llm__tok_b *b) {
    llm__tok_wp *W = b->T->wp;
    unsigned char *e = W->never;
    size_t k;
    for (k = 0; k < W->n_never; k++) {
        size_t el = (size_t)e[0] | ((size_t)e[1] << 8);
        int32_t id = llm__tok_sfind(b, (const char *)e + 2, el);
        W->never_id[k] = id >= 0 && !LLM__TOK_ADDED_ONLY(b->flag[id]) ? id : W->unk;
        e += 2 + el;
    }
}

LLM_API llm_status llm_tokenizer_load_wordpiece_memory(llm_tokenizer *t, const char *vocab_txt, size_t vocab_len,
                                                       const char *config_json, size_t config_len) {
    llm__tok_b b;
    llm__wp_names nm;
    llm_status r;
    size_t k;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    if ((r = llm__need_malloc(t->error, "WordPiece vocabularies need malloc")) != LLM_OK) return r;
    if (!vocab_txt) return llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL vocab.txt text");
    r = llm__tok_b_begin(t, &b, NULL);
    if (r != LLM_OK) return r;
    r = llm__wp_begin(&b, &nm);
    if (r == LLM_OK && config_json && (r = llm__wp_config(&b, config_json, config_len, &nm)) != LLM_OK)
        r = llm__tok_prefix(t->error, r, "tokenizer_config.json");
    if (r == LLM_OK) r = llm__wp_lines(&b, vocab_txt, vocab_len);
    if (r == LLM_OK) {
        for (k = 0; k < 5; k++) {                      /* the named special tokens in the vocabulary */
            int32_t id = llm__tok_sfind(&b, nm.s[k], nm.len[k]);
            if (id >= 0) b.flag[id] |= LLM__TOK_F_ADDED | LLM__TOK_F_IN_VOCAB;
        }
        r = llm__wp_finish(&b, &nm);
        if (r != LLM_OK) r = llm__tok_prefix(t->error, r, "vocab.txt");
    }
    if (r == LLM_OK) llm__wp_never_ids(&b);
    return llm__tok_b_end(t, &b, r);
}

/* tokenizer.json whose model is WordPiece (BertNormalizer or none,
   BertPreTokenizer, WordPiece decoder or none). */
static llm_status llm__wp_json(llm__tok_b *b, const llm__json *j, size_t model, size_t added) {
    llm__tok_wp *W;
    llm__wp_names nm;
    size_t norm = llm__json_get(j, 0, "normalizer"), pre = llm__json_get(j, 0, "pre_tokenizer");
    size_t dec = llm__json_get(j, 0, "decoder"), vocab = llm__json_get(j, model, "vocab"), x;
    llm_status r = llm__wp_begin(b, &nm);
    int strip = -1;
    uint64_t u;
    if (r != LLM_OK) return r;
    W = b->T->wp;
    if (vocab == (size_t)-1) return llm__err(b->err, LLM_ERR_FORMAT, "no model.vocab");
    if (norm == (size_t)-1 || j->t[norm].type == LLM__J_NULL) W->clean = W->chinese = W->lower = W->strip = 0;
    else {
        x = llm__json_get(j, norm, "type");
        if (x == (size_t)-1 || !llm__json_eq(j, x, "BertNormalizer"))
            return llm__err(b->err, LLM_ERR_UNSUPPORTED, "a WordPiece model needs the BertNormalizer (or none)");
        if ((r = llm__wp_bool(b, j, norm, "clean_text", &W->clean)) != LLM_OK ||
            (r = llm__wp_bool(b, j, norm, "handle_chinese_chars", &W->chinese)) != LLM_OK ||
            (r = llm__wp_bool(b, j, norm, "lowercase", &W->lower)) != LLM_OK ||
            (r = llm__wp_bool(b, j, norm, "strip_accents", &strip)) != LLM_OK) return r;
        W->strip = strip < 0 ? W->lower : strip;
    }
    x = pre != (size_t)-1 ? llm__json_get(j, pre, "type") : (size_t)-1;
    if (x == (size_t)-1 || !llm__json_eq(j, x, "BertPreTokenizer"))
        return llm__err(b->err, LLM_ERR_UNSUPPORTED, "a WordPiece model needs the BertPreTokenizer");
    x = llm__json_get(j, model, "unk_token");
    if (x != (size_t)-1 && (r = llm__wp_name(b, j, x, "model.unk_token", nm.s[0], &nm.len[0])) != LLM_OK) return r;
    x = llm__json_get(j, model, "max_input_chars_per_word");
    if (x != (size_t)-1) {
        if (!llm__json_uint(j, x, &u))
            return llm__err(b->err, LLM_ERR_FORMAT, "max_input_chars_per_word is not a count");
        if (u > LLM__WP_MAX_CHARS)
            return llm__err(b->err, LLM_ERR_LIMIT, "max_input_chars_per_word %zu (limit %u)", (size_t)u,
                            LLM__WP_MAX_CHARS);
        W->max_chars = (size_t)u;
    }
    x = llm__json_get(j, model, "continuing_subword_prefix");
    if (x != (size_t)-1) {
        if (j->t[x].type != LLM__J_STR || j->t[x].len >= LLM__WP_PREFIX ||
            !llm__json_str(j, x, (char *)W->prefix, &W->prefix_len))
            return llm__err(b->err, LLM_ERR_UNSUPPORTED, "continuing_subword_prefix must be a string of under %d bytes",
                            LLM__WP_PREFIX);
    }
    if (dec != (size_t)-1 && j->t[dec].type != LLM__J_NULL) {
        x = llm__json_get(j, dec, "type");
        if (x == (size_t)-1 || !llm__json_eq(j, x, "WordPiece"))
            return llm__err(b->err, LLM_ERR_UNSUPPORTED, "a WordPiece model needs the WordPiece decoder");
        if ((r = llm__wp_bool(b, j, dec, "cleanup", &W->cleanup_tokens)) != LLM_OK) return r;
        x = llm__json_get(j, dec, "prefix");
        if (x != (size_t)-1 && (j->t[x].type != LLM__J_STR || j->t[x].len >= LLM__WP_PREFIX ||
                                !llm__json_str(j, x, (char *)W->dprefix, &W->dprefix_len)))
            return llm__err(b->err, LLM_ERR_UNSUPPORTED, "the decoder prefix must be a string of under %d bytes",
                            LLM__WP_PREFIX);
    } else {
        W->cleanup_tokens = 0;
        W->dprefix_len = 0;
    }
    r = llm__tok_b_strings(b, j, vocab, added);
    if (r == LLM_OK) r = llm__wp_finish(b, &nm);
    return r;
}

LLM_API llm_status llm_tokenizer_load_json_memory(llm_tokenizer *t, const char *tokenizer_json, size_t len) {
    llm__tok_b b;
    llm__json j;
    llm_status r;
    size_t model, vocab, merges, added, pre, norm, x;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    if (!tokenizer_json) return llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL tokenizer.json text");
    if ((r = llm__need_malloc(t->error, "use llm_tokenizer_load_memory_arena")) != LLM_OK) return r;
    r = llm__json_parse(&j, tokenizer_json, len, t->error);
    if (r != LLM_OK) return llm__tok_prefix(t->error, r, "tokenizer.json");
    r = llm__tok_b_begin(t, &b, NULL);
    if (r != LLM_OK) { llm__json_free(&j); return r; }
    model = llm__json_get(&j, 0, "model");
    vocab = model != (size_t)-1 ? llm__json_get(&j, model, "vocab") : (size_t)-1;
    merges = model != (size_t)-1 ? llm__json_get(&j, model, "merges") : (size_t)-1;
    added = llm__json_get(&j, 0, "added_tokens");
    pre = llm__json_get(&j, 0, "pre_tokenizer");
    norm = llm__json_get(&j, 0, "normalizer");
    if (added != (size_t)-1 && j.t[added].type == LLM__J_NULL) added = (size_t)-1;
    x = model != (size_t)-1 && j.t[model].type == LLM__J_OBJ ? llm__json_get(&j, model, "type") : (size_t)-1;
    if (j.t[0].type == LLM__J_OBJ && x != (size_t)-1 && llm__json_eq(&j, x, "WordPiece")) {
        r = llm__wp_json(&b, &j, model, added);
        if (r != LLM_OK) r = llm__tok_prefix(t->error, r, "tokenizer.json");
        goto done;
    }
    if (j.t[0].type != LLM__J_OBJ || model == (size_t)-1 || j.t[model].type != LLM__J_OBJ || vocab == (size_t)-1 ||
        merges == (size_t)-1) {
        r = llm__err(t->error, LLM_ERR_FORMAT, "tokenizer.json: no model.vocab and model.merges");
        goto done;
    }
    x = llm__json_get(&j, model, "type");
    if (x != (size_t)-1 && !llm__json_eq(&j, x, "BPE")) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: model type \"%.*s\" (only BPE and WordPiece)",
                     llm__tok_showlen(j.t[x].len), j.s + j.t[x].start);
        goto done;
    }
    x = pre != (size_t)-1 ? llm__json_get(&j, pre, "type") : (size_t)-1;
    if (x == (size_t)-1 || !llm__json_eq(&j, x, "ByteLevel")) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED,
                     "tokenizer.json: the pre_tokenizer must be ByteLevel (GPT-2 style)");
        goto done;
    }
    x = llm__json_get(&j, pre, "add_prefix_space");
    if (x != (size_t)-1 && j.t[x].type == LLM__J_TRUE) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: ByteLevel add_prefix_space is not supported");
        goto done;
    }
    x = llm__json_get(&j, pre, "use_regex");
    if (x != (size_t)-1 && j.t[x].type == LLM__J_FALSE) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: ByteLevel without use_regex is not supported");
        goto done;
    }
    if (norm != (size_t)-1 && j.t[norm].type != LLM__J_NULL) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: normalizers are not supported");
        goto done;
    }
    x = llm__json_get(&j, model, "continuing_subword_prefix");
    if (x != (size_t)-1 && j.t[x].type == LLM__J_STR && j.t[x].len) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: continuing_subword_prefix is not supported");
        goto done;
    }
    x = llm__json_get(&j, model, "end_of_word_suffix");
    if (x != (size_t)-1 && j.t[x].type == LLM__J_STR && j.t[x].len) {
        r = llm__err(t->error, LLM_ERR_UNSUPPORTED, "tokenizer.json: end_of_word_suffix is not supported");
        goto done;
    }
    x = llm__json_get(&j, model, "ignore_merges");
    b.ignore_merges = x != (size_t)-1 && j.t[x].type == LLM__J_TRUE;
    b.specials_from_added = 1;
    r = llm__tok_b_strings(&b, &j, vocab, added);
    if (r == LLM_OK) r = llm__tok_b_merges_json(&b, &j, merges);
    if (r != LLM_OK) r = llm__tok_prefix(t->error, r, "tokenizer.json");
    else r = llm__tok_b_finish(&b);
done:
    llm__json_free(&j);
    return llm__tok_b_end(t, &b, r);
}

#ifdef LLM__FILES
LLM_API llm_status llm_tokenizer_load_files(llm_tokenizer *t, const char *vocab_json_path, const char *merges_path) {
    unsigned char *v = NULL, *m = NULL;
    size_t vn = 0, mn = 0; /* set by llm__read_file on every path */
    llm_status r;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    if (!vocab_json_path || !merges_path) return llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL path");
    r = llm__read_file(vocab_json_path, &v, &vn, t->error);
    if (r == LLM_OK) r = llm__read_file(merges_path, &m, &mn, t->error);
    if (r == LLM_OK) r = llm_tokenizer_load_memory(t, (const char *)v, vn, (const char *)m, mn);
    llm__free(v);
    llm__free(m);
    return r;
}

static llm_status llm__tok_load_json_file(llm_tokenizer *t, const char *path) {
    unsigned char *v = NULL;
    size_t vn;
    llm_status r = llm__read_file(path, &v, &vn, t->error);
    if (r == LLM_OK) r = llm_tokenizer_load_json_memory(t, (const char *)v, vn);
    llm__free(v);
    return r;
}

/* vocab.txt and tokenizer_config.json (if the file exists). */
static llm_status llm__tok_load_wordpiece_files(llm_tokenizer *t, const char *vocab, const char *config) {
    unsigned char *v = NULL, *c = NULL;
    size_t vn, cn = 0;
    llm_status r = llm__read_file(vocab, &v, &vn, t->error);
    if (r == LLM_OK && llm__file_exists(config)) r = llm__read_file(config, &c, &cn, t->error);
    if (r == LLM_OK) r = llm_tokenizer_load_wordpiece_memory(t, (const char *)v, vn, (const char *)c, cn);
    llm__free(v);
    llm__free(c);
    return r;
}

/* Which format dir holds: 1 tokenizer.json, 2 vocab.json + merges.txt,
   3 encoder.json + vocab.bpe, 4 vocab.txt (b: tokenizer_config.json, which
   may be absent), 0 none (or the path does not fit). */
static int llm__tok_folder_format(const char *dir, char *a, char *b, size_t cap) {
    if (llm__join(a, cap, dir, "tokenizer.json") && llm__file_exists(a)) return 1;
    if (llm__join(a, cap, dir, "vocab.json") && llm__join(b, cap, dir, "merges.txt") &&
        llm__file_exists(a) && llm__file_exists(b)) return 2;
    if (llm__join(a, cap, dir, "encoder.json") && llm__join(b, cap, dir, "vocab.bpe") &&
        llm__file_exists(a) && llm__file_exists(b)) return 3;
    if (llm__join(a, cap, dir, "vocab.txt") && llm__join(b, cap, dir, "tokenizer_config.json") && llm__file_exists(a))
        return 4;
    return 0;
}

/* Nonzero if dir holds tokenizer files in any of the three formats. */
static int llm__tok_folder_has_files(const char *dir) {
    char a[4096], b[4096];
    return dir && llm__tok_folder_format(dir, a, b, sizeof a) != 0;
}

LLM_API llm_status llm_tokenizer_load(llm_tokenizer *t, const char *path) {
    char a[4096], b[4096];
    int f;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    if (!path) return llm__err(t->error, LLM_ERR_INVALID_ARG, "NULL path");
    f = llm__tok_folder_format(path, a, b, sizeof a);
    if (f == 1) return llm__tok_load_json_file(t, a);
    if (f == 4) return llm__tok_load_wordpiece_files(t, a, b);
    if (f >= 2) return llm_tokenizer_load_files(t, a, b);
    if (strlen(path) + 3 > sizeof a) return llm__err(t->error, LLM_ERR_LIMIT, "path too long: '%.*s...'", 64, path);
    /* a tokenizer.json file (reading it refuses a FIFO or device) */
    f = llm__path_kind(path);
    if (f == 1 || f == 3) return llm__tok_load_json_file(t, path);
    return llm__err(t->error, LLM_ERR_IO, "no tokenizer in '%s' (need tokenizer.json, vocab.json + merges.txt, "
                    "encoder.json + vocab.bpe, or vocab.txt)", path);
}
#else
LLM_API llm_status llm_tokenizer_load_files(llm_tokenizer *t, const char *vocab_json_path, const char *merges_path) {
    (void)vocab_json_path; (void)merges_path;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    return llm__err(t->error, LLM_ERR_UNSUPPORTED,
                    "built with LLM_NO_STDIO or LLM_NO_MALLOC: use llm_tokenizer_load_memory(_arena)");
}
LLM_API llm_status llm_tokenizer_load(llm_tokenizer *t, const char *path) {
    (void)path;
    if (!t) return LLM_ERR_INVALID_ARG;
    llm__tok_zero(t);
    return llm__err(t->error, LLM_ERR_UNSUPPORTED,
                    "built with LLM_NO_STDIO or LLM_NO_MALLOC: use llm_tokenizer_load_memory(_arena)");
}
#endif

/* Chat templates (the public API's "chat templates"), here because they
   need only the tokenizer and the JSON reader. Rendering writes the text between special tokens into one scratch buffer
   and encodes each such piece on its own, as Hugging Face's tokenizers do
   with a rendered template (special tokens split the text). */

static const char *const llm__chat_names[LLM_CHAT_TEMPLATE_COUNT] = { "plain", "dialogpt", "chatml" };
static const char *const llm__chat_stop_plain[] = { "\nUser:", NULL };
static const char *const llm__chat_stop_none[] = { NULL };
static const char *const llm__chat_stop_chatml[] = { "<|im_end|>", NULL };

LLM_API const char *llm_chat_template_name(int tmpl) {
    return tmpl >= 0 && tmpl < LLM_CHAT_TEMPLATE_COUNT ? llm__chat_names[tmpl] : "?";
}

static int llm__ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        int x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

LLM_API int llm_chat_template_from_name(const char *name) {
    int i;
    for (i = 0; name && i < LLM_CHAT_TEMPLATE_COUNT; i++)
        if (llm__ieq(name, llm__chat_names[i])) return i;
    return -1;
}

LLM_API const char *const *llm_chat_template_stops(int tmpl) {
    return tmpl == LLM_CHAT_PLAIN ? llm__chat_stop_plain : tmpl == LLM_CHAT_DIALOGPT ? llm__chat_stop_none
         : tmpl == LLM_CHAT_CHATML ? llm__chat_stop_chatml : NULL;
}

/* The id of a special token written as name (one token of exactly those
   bytes in the vocabulary), or -1. */
static int32_t llm__chat_special(const llm_tokenizer *t, const char *name) {
    int32_t id[2];
    size_t n = 0, len = 0, nl = strlen(name);
    const char *tok;
    if (!t || llm_tokenizer_encode(t, name, nl, LLM_TOKENIZE_SPECIAL, id, 2, &n) != LLM_OK || n != 1) return -1;
    tok = llm_tokenizer_token(t, id[0], &len);
    return tok && len == nl && !memcmp(tok, name, nl) ? id[0] : -1;
}

/* Does [s, s+n) contain the C string w? */
static int llm__has(const char *s, size_t n, const char *w) {
    size_t k, l = strlen(w);
    for (k = 0; k + l <= n; k++)
        if (!memcmp(s + k, w, l)) return 1;
    return 0;
}

/* A Jinja template's shape: whitespace and the trim markers ("{%-", "-%}",
   "{{-", "-}}") dropped, message['content'] / message["content"] written
   message.content; then DialoGPT's is exactly
   {%formessageinmessages%}{{message.content}}{{eos_token}}{%endfor%}, and
   a ChatML one has <|im_start|> and <|im_end|> and no other <|...|> token
   and no tools. Returns a template or -1 (not recognised). s is the
   decoded template, rewritten in place. */
static int llm__chat_shape(char *s, size_t n) {
    static const char dialogpt[] = "{%formessageinmessages%}{{message.content}}{{eos_token}}{%endfor%}";
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        if (c == '-' && k >= 2 && s[k - 2] == '{' && (s[k - 1] == '%' || s[k - 1] == '{')) continue; /* {%- {{- */
        if (c == '-' && i + 2 < n && (s[i + 1] == '%' || s[i + 1] == '}') && s[i + 2] == '}') continue; /* -%} -}} */
        s[k++] = c;
    }
    n = k;
    for (i = k = 0; i < n; i++) {   /* message['content'] -> message.content */
        if (i + 11 <= n && (!memcmp(s + i, "['content']", 11) || !memcmp(s + i, "[\"content\"]", 11))) {
            memcpy(s + k, ".content", 8);
            k += 8;
            i += 10;
            continue;
        }
        s[k++] = s[i];
    }
    n = k;
    if (n == sizeof dialogpt - 1 && !memcmp(s, dialogpt, n)) return LLM_CHAT_DIALOGPT;
    if (llm__has(s, n, "<|im_start|>") && llm__has(s, n, "<|im_end|>") && !llm__has(s, n, "tools")) {
        for (i = 0; i + 1 < n; i++)
            if (s[i] == '<' && s[i + 1] == '|' && !(i + 12 <= n && !memcmp(s + i, "<|im_start|>", 12)) &&
                !(i + 10 <= n && !memcmp(s + i, "<|im_end|>", 10)))
                return -1;
        return LLM_CHAT_CHATML;
    }
    return -1;
}

/* Case-insensitive: does string token ti of j contain w? */
static int llm__json_has_i(const llm__json *j, size_t ti, const char *w) {
    const char *s = j->s + j->t[ti].start;
    size_t n = j->t[ti].len, l = strlen(w), k, q;
    for (k = 0; k + l <= n; k++) {
        for (q = 0; q < l; q++) {
            char c = s[k + q];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != w[q]) break;
        }
        if (q == l) return 1;
    }
    return 0;
}

/* The chat_template of tokenizer_config.json j: its token (a string, or
   the "default" entry of a list of {name, template}), 0 when absent,
   (size_t)-1 when malformed (err set). */
static size_t llm__chat_tc_template(const llm__json *j, char *err) {
    size_t v = llm__json_get(j, 0, "chat_template"), e, k;
    if (v == (size_t)-1 || j->t[v].type == LLM__J_NULL) return 0;
    if (j->t[v].type == LLM__J_STR) return v;
    if (j->t[v].type != LLM__J_ARR) {
        llm__err(err, LLM_ERR_FORMAT, "tokenizer_config.json: chat_template is neither a string nor a list");
        return (size_t)-1;
    }
    for (e = v + 1, k = 0; k < j->t[v].n; k++, e = j->t[e].end) {
        size_t nm = llm__json_get(j, e, "name"), tp = llm__json_get(j, e, "template");
        if (nm == (size_t)-1 || tp == (size_t)-1 || j->t[nm].type != LLM__J_STR || j->t[tp].type != LLM__J_STR) {
            llm__err(err, LLM_ERR_FORMAT, "tokenizer_config.json: chat_template[%zu] is not "
                     "{\"name\", \"template\"}", k);
            return (size_t)-1;
        }
        if (llm__json_eq(j, nm, "default")) return tp;
    }
    return (size_t)-2;   /* a list without "default" */
}

/* Parses text (file's) into j, which must be a JSON object; else msg says why. */
static llm_status llm__chat_json(llm__json *j, const char *text, size_t len, const char *file, char *msg) {
    char e[LLM_ERROR_SIZE];
    llm_status r = llm__json_parse(j, text, len, e);
    if (r == LLM_OK && j->t[0].type != LLM__J_OBJ) r = llm__err(e, LLM_ERR_FORMAT, "not a JSON object");
    if (r == LLM_OK) return r;
    llm__json_free(j);
    return llm__err(msg, r, "%s: %s", file, e);
}

LLM_API llm_status llm_chat_template_detect(const llm_tokenizer *t, const char *tokenizer_config, size_t tc_len,
                                            const char *config_json, size_t config_len, int *tmpl, char *note) {
    char msg[LLM_ERROR_SIZE];
    llm__json j;
    llm_status r = LLM_OK;
    int chatml_vocab = llm__chat_special(t, "<|im_start|>") >= 0 && llm__chat_special(t, "<|im_end|>") >= 0;
    int found = -1;   /* the template chosen so far */
    msg[0] = 0;
    if (!tmpl) { r = llm__err(msg, LLM_ERR_INVALID_ARG, "NULL tmpl"); goto out; }
    *tmpl = LLM_CHAT_PLAIN;
    if (tokenizer_config) {
        size_t v;
        r = llm__chat_json(&j, tokenizer_config, tc_len, "tokenizer_config.json", msg);
        if (r != LLM_OK) goto out;
        v = llm__chat_tc_template(&j, msg);
        if (v == (size_t)-1) { llm__json_free(&j); r = LLM_ERR_FORMAT; goto out; }
        if (v == (size_t)-2) {
            llm__fmt(msg, sizeof msg, "tokenizer_config.json's chat_template list has no \"default\" entry: "
                     "it is not guessed at, the plain template is used");
            found = LLM_CHAT_PLAIN;
        } else if (v) {
            char *text = LLM__CAST(char *, llm__alloc(j.t[v].len + 1));
            size_t len = 0;
            int shape = -1;
            if (!text) { llm__json_free(&j); r = llm__err(msg, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto out; }
            if (llm__json_str(&j, v, text, &len)) shape = llm__chat_shape(text, len);
            llm__free(text);
            found = LLM_CHAT_PLAIN;
            if (shape == LLM_CHAT_DIALOGPT) {
                found = shape;
                llm__fmt(msg, sizeof msg, "tokenizer_config.json's chat_template is DialoGPT's "
                         "(each message followed by eos_token)");
            } else if (shape == LLM_CHAT_CHATML && chatml_vocab) {
                found = shape;
                llm__fmt(msg, sizeof msg, "tokenizer_config.json's chat_template is ChatML");
            } else if (shape == LLM_CHAT_CHATML)
                llm__fmt(msg, sizeof msg, "tokenizer_config.json's chat_template is ChatML but the vocabulary has "
                         "no <|im_start|> and <|im_end|> tokens: the plain template is used");
            else
                llm__fmt(msg, sizeof msg, "tokenizer_config.json's chat_template is not one llm.h recognises "
                         "(DialoGPT's, ChatML): it is not guessed at, the plain template is used");
        }
        llm__json_free(&j);
    }
    if (found < 0 && chatml_vocab) {
        found = LLM_CHAT_CHATML;
        llm__fmt(msg, sizeof msg, "the vocabulary has <|im_start|> and <|im_end|>");
    }
    if (found < 0 && config_json) {
        size_t v, w;
        r = llm__chat_json(&j, config_json, config_len, "config.json", msg);
        if (r != LLM_OK) goto out;
        v = llm__json_get(&j, 0, "_name_or_path");
        w = llm__json_get(&j, 0, "task_specific_params");
        if (w != (size_t)-1) w = llm__json_get(&j, w, "conversational");
        if (v != (size_t)-1 && j.t[v].type == LLM__J_STR && llm__json_has_i(&j, v, "dialogpt")) {
            found = LLM_CHAT_DIALOGPT;
            llm__fmt(msg, sizeof msg, "config.json's _name_or_path names DialoGPT");
        } else if (w != (size_t)-1 && j.t[w].type == LLM__J_OBJ) {
            found = LLM_CHAT_DIALOGPT;
            llm__fmt(msg, sizeof msg, "config.json has task_specific_params.conversational, as DialoGPT's");
        }
        llm__json_free(&j);
    }
    if (found < 0) {
        found = LLM_CHAT_PLAIN;
        llm__fmt(msg, sizeof msg, "no chat template in the model's files: the plain template is used");
    }
    *tmpl = found;
out:
    if (note) memcpy(note, msg, LLM_ERROR_SIZE);
    return r;
}

/* Encodes text piece p[0..n) at ids + *k (counting past cap). */
static llm_status llm__chat_put(const llm_tokenizer *t, const char *p, size_t n, int32_t *ids, size_t cap,
                                size_t *k) {
    size_t got = 0;
    llm_status r;
    if (!n) return LLM_OK;
    r = llm_tokenizer_encode(t, p, n, 0, *k < cap ? ids + *k : NULL, *k < cap ? cap - *k : 0, &got);
    if (r != LLM_OK && r != LLM_ERR_BUFFER_TOO_SMALL) return r;
    *k += got;
    return LLM_OK;
}
static void llm__chat_id(int32_t id, int32_t *ids, size_t cap, size_t *k) {
    if (*k < cap) ids[*k] = id;
    (*k)++;
}

LLM_API llm_status llm_chat_render(const llm_tokenizer *t, int tmpl, int32_t eos_id, const llm_chat_message *msgs,
                                   size_t n, int add_prompt, int32_t *ids, size_t cap, size_t *n_ids, char *err) {
    static const char *const plain_role[3] = { "System: ", "User: ", "Assistant: " };
    char msg[LLM_ERROR_SIZE];
    size_t i, total = 32, k = 0, at = 0;
    int32_t im_start = -1, im_end = -1;
    char *buf = NULL;
    llm_status r = LLM_OK;
    msg[0] = 0;
    if (n_ids) *n_ids = 0;
    if (!t || !n_ids || (n && !msgs) || (cap && !ids)) {
        r = llm__err(msg, LLM_ERR_INVALID_ARG, "NULL argument");
        goto out;
    }
    if (tmpl < 0 || tmpl >= LLM_CHAT_TEMPLATE_COUNT) {
        r = llm__err(msg, LLM_ERR_INVALID_ARG, "unknown chat template %d", tmpl);
        goto out;
    }
    if (tmpl == LLM_CHAT_DIALOGPT && (eos_id < 0 || (size_t)eos_id >= llm_tokenizer_vocab_size(t))) {
        r = llm__err(msg, LLM_ERR_INVALID_ARG, eos_id < 0 ? "the dialogpt template needs an end-of-text token"
                     : "the end-of-text id %d is outside the tokenizer's vocabulary", (int)eos_id);
        goto out;
    }
    if (tmpl == LLM_CHAT_CHATML) {
        im_start = llm__chat_special(t, "<|im_start|>");
        im_end = llm__chat_special(t, "<|im_end|>");
        if (im_start < 0 || im_end < 0) {
            r = llm__err(msg, LLM_ERR_UNSUPPORTED, "the chatml template needs <|im_start|> and <|im_end|> tokens in "
                         "the vocabulary");
            goto out;
        }
    }
    for (i = 0; i < n; i++) {
        const char *ro = msgs[i].role;
        if (!ro || (!msgs[i].content && msgs[i].content_len)) {
            r = llm__err(msg, LLM_ERR_INVALID_ARG, "message %zu: NULL role or content", i);
            goto out;
        }
        if (strcmp(ro, "system") && strcmp(ro, "developer") && strcmp(ro, "user") && strcmp(ro, "assistant")) {
            r = llm__err(msg, LLM_ERR_INVALID_ARG, "message %zu: the role is not system, developer, user or assistant",
                         i);
            goto out;
        }
        if (msgs[i].content_len > ((size_t)-1) / 2 - total ||   /* total stays at most SIZE_MAX / 2 */
            ((size_t)-1) / 2 - total - msgs[i].content_len < 32) {
            r = llm__err(msg, LLM_ERR_LIMIT, "the messages are too long");
            goto out;
        }
        total += msgs[i].content_len + 32;
    }
    buf = LLM__CAST(char *, llm__alloc(total));
    if (!buf) { r = llm__err(msg, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu bytes of text", total); goto out; }
    for (i = 0; i < n; i++) {
        const char *ro = msgs[i].role;
        int role = ro[0] == 'u' ? 1 : ro[0] == 'a' ? 2 : 0;   /* system, user, assistant */
        const char *name = role == 0 ? "system" : role == 1 ? "user" : "assistant";
        size_t cl = msgs[i].content_len, nl;
        if (tmpl == LLM_CHAT_PLAIN) {   /* one text, encoded at the end */
            nl = strlen(plain_role[role]);
            memcpy(buf + at, plain_role[role], nl);
            if (cl) memcpy(buf + at + nl, msgs[i].content, cl);
            buf[at + nl + cl] = '\n';
            at += nl + cl + 1;
        } else if (tmpl == LLM_CHAT_DIALOGPT) {
            r = llm__chat_put(t, msgs[i].content, cl, ids, cap, &k);
            if (r != LLM_OK) goto tok;
            llm__chat_id(eos_id, ids, cap, &k);
        } else {
            nl = strlen(name);
            llm__chat_id(im_start, ids, cap, &k);
            memcpy(buf, name, nl);
            buf[nl] = '\n';
            if (cl) memcpy(buf + nl + 1, msgs[i].content, cl);
            r = llm__chat_put(t, buf, nl + 1 + cl, ids, cap, &k);
            if (r != LLM_OK) goto tok;
            llm__chat_id(im_end, ids, cap, &k);
            r = llm__chat_put(t, "\n", 1, ids, cap, &k);
            if (r != LLM_OK) goto tok;
        }
    }
    if (tmpl == LLM_CHAT_PLAIN) {
        if (add_prompt) { memcpy(buf + at, "Assistant:", 10); at += 10; }
        r = llm__chat_put(t, buf, at, ids, cap, &k);
        if (r != LLM_OK) goto tok;
    } else if (tmpl == LLM_CHAT_CHATML && add_prompt) {
        llm__chat_id(im_start, ids, cap, &k);
        r = llm__chat_put(t, "assistant\n", 10, ids, cap, &k);
        if (r != LLM_OK) goto tok;
    }
    *n_ids = k;
    if (k > cap) r = llm__err(msg, LLM_ERR_BUFFER_TOO_SMALL, "the conversation is %zu tokens; the buffer holds %zu",
                              k, cap);
    goto out;
tok:
    llm__err(msg, r, "encoding the messages: %s", llm_status_string(r));
out:
    llm__free(buf);
    if (err) memcpy(err, msg, LLM_ERROR_SIZE);
    return r;
}

/* ==========================================================================
   MODEL (config, tensor binding)
   ========================================================================== */

LLM_API const char *llm_model_error(const llm_model *m) { return m ? llm__msg(m->error) : "NULL model"; }

/* A tensor of the model's file or of any of its shards, or NULL. */
static const llm_tensor *llm__model_find(const llm_model *m, const char *name) {
    const llm_tensor *t = NULL;
    int i;
    if (!m->_n_shards) return llm_safetensors_find(&m->_st, name);
    for (i = 0; i < m->_n_shards && !t; i++) t = llm_safetensors_find(&m->_shards[i], name);
    return t;
}

/* Hugging Face's ACT2FN names of the pointwise activations, and what they
   compute (prelu and xielu have learned parameters: not implemented). */
static const struct { const char *name; llm_activation act; } llm__act_names[] = {
    { "gelu_new", LLM_ACT_GELU_TANH }, { "gelu_pytorch_tanh", LLM_ACT_GELU_TANH },
    { "gelu_fast", LLM_ACT_GELU_TANH }, { "gelu_accurate", LLM_ACT_GELU_TANH },
    { "gelu_python_tanh", LLM_ACT_GELU_TANH }, { "gelu", LLM_ACT_GELU }, { "gelu_python", LLM_ACT_GELU },
    { "gelu_10", LLM_ACT_GELU_10 }, { "quick_gelu", LLM_ACT_QUICK_GELU }, { "silu", LLM_ACT_SILU },
    { "swish", LLM_ACT_SILU }, { "mish", LLM_ACT_MISH }, { "relu", LLM_ACT_RELU }, { "relu2", LLM_ACT_RELU2 },
    { "relu6", LLM_ACT_RELU6 }, { "leaky_relu", LLM_ACT_LEAKY_RELU }, { "sigmoid", LLM_ACT_SIGMOID },
    { "tanh", LLM_ACT_TANH }, { "laplace", LLM_ACT_LAPLACE }, { "linear", LLM_ACT_LINEAR }
};
#define LLM__N_ACT_NAMES (sizeof llm__act_names / sizeof llm__act_names[0])

LLM_API const char *llm_activation_name(llm_activation a) {
    size_t i;
    for (i = 0; i < LLM__N_ACT_NAMES; i++) if (llm__act_names[i].act == a) return llm__act_names[i].name;
    return "?";
}

/* The activation named by string token v, or -1. */
static int llm__activation_find(const llm__json *j, size_t v) {
    size_t i;
    for (i = 0; i < LLM__N_ACT_NAMES; i++)
        if (llm__json_eq(j, v, llm__act_names[i].name)) return (int)llm__act_names[i].act;
    return -1;
}

/* obj's member key, or (size_t)-1 (also when obj is (size_t)-1) */
static size_t llm__json_path(const llm__json *j, size_t obj, const char *key) {
    return obj == (size_t)-1 ? obj : llm__json_get(j, obj, key);
}
/* obj's member key is the string lit (lit != NULL) or the integer n */
static int llm__json_key_is(const llm__json *j, size_t obj, const char *key, const char *lit, uint64_t n) {
    size_t v = llm__json_path(j, obj, key);
    uint64_t u;
    if (v == (size_t)-1) return 0;
    return lit ? llm__json_eq(j, v, lit) : llm__json_uint(j, v, &u) && u == n;
}

/* ---- config files: a table of keys ----------------------------------------

   config.json and generation_config.json are each read by one table of
   llm__key rows (the programs' flags in examples/cli.h have the same
   shape): a key, the kind of value, where it goes (a byte offset into the
   struct), the accepted range, the present flag it sets, and the message
   for a wrong value. llm__keys_read checks the rows in table order and
   reports the first wrong one. */

typedef enum llm__key_kind {
    LLM__KEY_INT,       /* an integer in [lo, hi] -> int */
    LLM__KEY_I32,       /* an integer in [lo, hi] -> int32_t */
    LLM__KEY_FLOAT,     /* a number in [lo, hi] whose float is in [lo, hi] too -> float */
    LLM__KEY_BOOL,      /* true or false -> int 1 or 0 */
    LLM__KEY_FN         /* read by the row's function */
} llm__key_kind;

enum {
    LLM__KEY_REQUIRED = 1,    /* absent: "missing" */
    LLM__KEY_NULL = 2,        /* null counts as absent (else it is a wrong value) */
    LLM__KEY_LIMIT = 4,       /* above hi: LLM_ERR_LIMIT, "is over llm.h's limit of hi" (or the row's over) */
    LLM__KEY_OPEN_LO = 8,     /* lo itself is out of range */
    LLM__KEY_OPEN_HI = 16,    /* hi itself is out of range */
    LLM__KEY_FALSE_ONLY = 32  /* a bool llm.h accepts only at false: true is LLM_ERR_UNSUPPORTED */
};

#define LLM__NO_FIELD ((size_t)-1)

typedef struct llm__key {
    const char *key;
    const char *alt;          /* the name read when key is absent, or NULL */
    llm__key_kind kind;
    int flags;
    size_t dst;               /* offsetof the value, or LLM__NO_FIELD */
    size_t given;             /* offsetof the int present flag set to 1, or LLM__NO_FIELD */
    double lo, hi;
    const char *must;         /* a wrong value: "\"key\" must be <must>" */
    const char *over;         /* LLM__KEY_LIMIT's message instead of the standard one, or NULL */
    /* LLM__KEY_FN: reads value token v into obj; file prefixes its messages */
    llm_status (*read)(const llm__json *j, size_t v, void *obj, const char *file, char *err);
} llm__key;

static llm_status llm__key_wrong(const llm__key *k, const char *file, char *err) {
    return llm__err(err, LLM_ERR_FORMAT, "%s: \"%s\" must be %s", file, k->key, k->must);
}

/* One row's value token v into obj. */
static llm_status llm__key_read(const llm__key *k, const llm__json *j, size_t v, void *obj, const char *file,
                                char *err) {
    char *dst = (char *)obj + (k->dst == LLM__NO_FIELD ? 0 : k->dst);
    uint64_t u;
    double d;
    switch (k->kind) {
    case LLM__KEY_INT:
    case LLM__KEY_I32:
        if (!llm__json_uint(j, v, &u) || u < (uint64_t)k->lo) return llm__key_wrong(k, file, err);
        if (u > (uint64_t)k->hi && !(k->flags & LLM__KEY_LIMIT)) return llm__key_wrong(k, file, err);
        if (u > (uint64_t)k->hi && k->over) return llm__err(err, LLM_ERR_LIMIT, "%s: \"%s\" %s", file, k->key, k->over);
        if (u > (uint64_t)k->hi)
            return llm__err(err, LLM_ERR_LIMIT, "%s: \"%s\" is over llm.h's limit of %d", file, k->key, (int)k->hi);
        if (k->kind == LLM__KEY_INT) *(int *)dst = (int)u;
        else *(int32_t *)dst = (int32_t)u;
        return LLM_OK;
    case LLM__KEY_FLOAT:
        if (!llm__json_double(j, v, &d) || !(d >= k->lo && d <= k->hi) || !((float)d >= (float)k->lo) ||
            ((k->flags & LLM__KEY_OPEN_LO) && d == k->lo) || ((k->flags & LLM__KEY_OPEN_HI) && d == k->hi))
            return llm__key_wrong(k, file, err);
        *(float *)dst = (float)d;
        return LLM_OK;
    case LLM__KEY_BOOL:
        if (j->t[v].type != LLM__J_TRUE && j->t[v].type != LLM__J_FALSE) return llm__key_wrong(k, file, err);
        if ((k->flags & LLM__KEY_FALSE_ONLY) && j->t[v].type == LLM__J_TRUE)
            return llm__err(err, LLM_ERR_UNSUPPORTED, "%s: \"%s\" = true is not implemented", file, k->key);
        if (k->dst != LLM__NO_FIELD) *(int *)dst = j->t[v].type == LLM__J_TRUE;
        return LLM_OK;
    case LLM__KEY_FN: return k->read(j, v, obj, file, err);
    }
    return LLM_ERR_INVALID_ARG;
}

/* Parse text as file (a JSON object) and read every row of keys[n] into obj. */
static llm_status llm__keys_read(const char *text, size_t len, llm_arena *a, const char *file, const llm__key *keys,
                                 size_t n, void *obj, char *err) {
    llm__json j;
    size_t i;
    llm_status r = llm__json_parse_in(&j, text, len, a, err);
    if (r != LLM_OK) {
        char tmp[LLM_ERROR_SIZE];
        memcpy(tmp, err, LLM_ERROR_SIZE);
        return llm__err(err, r, "%s: %s", file, tmp);
    }
    if (j.t[0].type != LLM__J_OBJ) r = llm__err(err, LLM_ERR_FORMAT, "%s is not a JSON object", file);
    for (i = 0; i < n && r == LLM_OK; i++) {
        const llm__key *k = &keys[i];
        size_t v = llm__json_get(&j, 0, k->key);
        if (v == (size_t)-1 && k->alt) v = llm__json_get(&j, 0, k->alt);
        if (v == (size_t)-1 && (k->flags & LLM__KEY_REQUIRED))
            r = llm__err(err, LLM_ERR_FORMAT, "%s: missing \"%s\"", file, k->key);
        else if (v == (size_t)-1 || ((k->flags & LLM__KEY_NULL) && j.t[v].type == LLM__J_NULL)) continue;
        else r = llm__key_read(k, &j, v, obj, file, err);
        if (r == LLM_OK && k->given != LLM__NO_FIELD) *(int *)((char *)obj + k->given) = 1;
    }
    llm__json_free(&j);
    return r;
}

/* config.json's activation_function: one of llm__act_names. */
static llm_status llm__cfg_activation(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    int a = llm__activation_find(j, v);
    if (a < 0)
        return llm__err(err, LLM_ERR_UNSUPPORTED,
                        "%s: activation_function %s%.*s%s is not implemented (llm.h has "
                        "the pointwise ones of Hugging Face's ACT2FN: gelu, gelu_new, relu, silu, ...)", file,
                        j->t[v].type == LLM__J_STR ? "\"" : "", (int)(j->t[v].len > 40 ? 40 : j->t[v].len),
                        j->s + j->t[v].start, j->t[v].type == LLM__J_STR ? "\"" : "");
    ((llm_config *)obj)->activation = (llm_activation)a;
    return LLM_OK;
}

/* config.json's model_type: "gpt2". */
static llm_status llm__cfg_model_type(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    (void)obj;
    if (llm__json_eq(j, v, "gpt2")) return LLM_OK;
    return llm__err(err, LLM_ERR_UNSUPPORTED, "%s: model_type \"%.*s\" is not GPT-2", file,
                    (int)(j->t[v].len > 40 ? 40 : j->t[v].len), j->s + j->t[v].start);
}

/* config.json's quantization_config: the one 8-bit scheme llm.h implements
   (docs/checkpoints.md "8-bit weights"). */
static llm_status llm__cfg_quant(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    size_t wq = llm__json_path(j, llm__json_path(j, llm__json_path(j, v, "config_groups"), "group_0"), "weights");
    size_t sym = llm__json_path(j, wq, "symmetric");
    (void)obj;
    if (llm__json_key_is(j, v, "quant_method", "compressed-tensors", 0) &&
        llm__json_key_is(j, v, "format", "int-quantized", 0) && llm__json_key_is(j, wq, "num_bits", NULL, 8) &&
        llm__json_key_is(j, wq, "type", "int", 0) &&
        llm__json_key_is(j, wq, "strategy", "group", 0) && llm__json_key_is(j, wq, "group_size", NULL, LLM__QB) &&
        sym != (size_t)-1 && j->t[sym].type == LLM__J_TRUE)
        return LLM_OK;
    return llm__err(err, LLM_ERR_UNSUPPORTED, "%s: this quantization_config is not implemented (llm.h reads "
                    "compressed-tensors int-quantized, 8-bit symmetric int weights, strategy group, group_size 32)",
                    file);
}

/* The heads config.json's architectures can name (llm_head's order). */
static const char *const llm__head_names[] = {
    "GPT2LMHeadModel", "GPT2ForSequenceClassification", "GPT2ForTokenClassification"
};
static const char *const llm__problem_names[] = {
    "", "single_label_classification", "multi_label_classification", "regression"
};
LLM_API const char *llm_head_name(int head) { return head >= 0 && head <= 2 ? llm__head_names[head] : "?"; }
LLM_API const char *llm_problem_name(int problem) {
    return problem >= 0 && problem <= 3 ? llm__problem_names[problem] : "?";
}

/* The index of string token v in names[n], or -1. */
static int llm__json_pick(const llm__json *j, size_t v, const char *const *names, int n) {
    int i;
    for (i = 0; i < n; i++) if (llm__json_eq(j, v, names[i])) return i;
    return -1;
}

/* config.json's architectures: a list of one head name (GPT2Model, the
   bare transformer, reads as the LM head); an empty list: the LM head. */
static llm_status llm__cfg_architectures(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    size_t c = v + 1, i;
    int h = LLM_HEAD_LM;
    if (j->t[v].type != LLM__J_ARR) return llm__err(err, LLM_ERR_FORMAT, "%s: \"architectures\" must be a list", file);
    for (i = 0; i < j->t[v].n; i++, c = j->t[c].end) {
        int k = llm__json_pick(j, c, llm__head_names, 3);
        if (k < 0 && llm__json_eq(j, c, "GPT2Model")) k = LLM_HEAD_LM;
        if (k < 0 || (i > 0 && k != h))
            return llm__err(err, LLM_ERR_UNSUPPORTED, "%s: architectures %s%.*s%s is not implemented (llm.h runs "
                            "GPT2LMHeadModel, GPT2ForSequenceClassification, GPT2ForTokenClassification)", file,
                            j->t[c].type == LLM__J_STR ? "\"" : "", (int)(j->t[c].len > 40 ? 40 : j->t[c].len),
                            j->s + j->t[c].start, j->t[c].type == LLM__J_STR ? "\"" : "");
        h = k;
    }
    ((llm_config *)obj)->head = h;
    return LLM_OK;
}

/* config.json's problem_type: one of llm__problem_names. */
static llm_status llm__cfg_problem(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    int k = llm__json_pick(j, v, llm__problem_names + 1, 3);
    if (k < 0)
        return llm__err(err, LLM_ERR_FORMAT, "%s: \"problem_type\" must be \"single_label_classification\", "
                        "\"multi_label_classification\", \"regression\" or null", file);
    ((llm_config *)obj)->problem_type = k + 1;
    return LLM_OK;
}

#define LLM__CFG(f) offsetof(llm_config, f)
/* config.json: the shapes (required), then what llm.h implements; the
   boolean switches that would change GPT-2's maths are accepted only at
   their defaults. Fields the file lacks keep their values. */
static const llm__key llm__config_keys[] = {
    { "n_layer", NULL, LLM__KEY_INT, LLM__KEY_REQUIRED | LLM__KEY_LIMIT, LLM__CFG(n_layer), LLM__NO_FIELD,
      1, LLM__MAX_LAYER, "a positive integer", NULL, NULL },
    { "n_head", NULL, LLM__KEY_INT, LLM__KEY_REQUIRED | LLM__KEY_LIMIT, LLM__CFG(n_head), LLM__NO_FIELD,
      1, 65536, "a positive integer", NULL, NULL },
    { "n_embd", NULL, LLM__KEY_INT, LLM__KEY_REQUIRED | LLM__KEY_LIMIT, LLM__CFG(n_embd), LLM__NO_FIELD,
      1, LLM__MAX_EMBD, "a positive integer", NULL, NULL },
    { "n_positions", "n_ctx", LLM__KEY_INT, LLM__KEY_REQUIRED | LLM__KEY_LIMIT, LLM__CFG(n_ctx), LLM__NO_FIELD,
      1, LLM__MAX_CTX, "a positive integer", NULL, NULL },
    { "vocab_size", NULL, LLM__KEY_INT, LLM__KEY_REQUIRED | LLM__KEY_LIMIT, LLM__CFG(n_vocab), LLM__NO_FIELD,
      1, LLM__MAX_VOCAB, "a positive integer", NULL, NULL },
    { "n_inner", NULL, LLM__KEY_INT, LLM__KEY_NULL | LLM__KEY_LIMIT, LLM__CFG(n_inner), LLM__NO_FIELD,
      1, 4.0 * LLM__MAX_EMBD, "a positive integer or null", "is too large", NULL },
    /* as a float it must stay a normal, positive number below 1 */
    { "layer_norm_epsilon", NULL, LLM__KEY_FLOAT, LLM__KEY_OPEN_HI, LLM__CFG(ln_eps), LLM__NO_FIELD,
      1.17549435e-38, 1, "in [1.2e-38, 1)", NULL, NULL },
    { "eos_token_id", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__CFG(eos_id), LLM__NO_FIELD,
      0, LLM__MAX_VOCAB - 1, "a token id or null", NULL, NULL },
    { "bos_token_id", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__CFG(bos_id), LLM__NO_FIELD,
      0, LLM__MAX_VOCAB - 1, "a token id or null", NULL, NULL },
    { "activation_function", NULL, LLM__KEY_FN, 0, LLM__NO_FIELD, LLM__NO_FIELD, 0, 0, NULL, NULL,
      llm__cfg_activation },
    { "model_type", NULL, LLM__KEY_FN, 0, LLM__NO_FIELD, LLM__NO_FIELD, 0, 0, NULL, NULL, llm__cfg_model_type },
    { "quantization_config", NULL, LLM__KEY_FN, LLM__KEY_NULL, LLM__NO_FIELD, LLM__NO_FIELD, 0, 0, NULL, NULL,
      llm__cfg_quant },
    { "scale_attn_weights", NULL, LLM__KEY_BOOL, 0, LLM__CFG(scale_attn_weights), LLM__NO_FIELD,
      0, 1, "true or false", NULL, NULL },
    { "scale_attn_by_inverse_layer_idx", NULL, LLM__KEY_BOOL, 0, LLM__CFG(scale_attn_by_inverse_layer_idx),
      LLM__NO_FIELD, 0, 1, "true or false", NULL, NULL },
    { "reorder_and_upcast_attn", NULL, LLM__KEY_BOOL, 0, LLM__CFG(reorder_and_upcast_attn), LLM__NO_FIELD,
      0, 1, "true or false", NULL, NULL },
    { "tie_word_embeddings", NULL, LLM__KEY_BOOL, 0, LLM__CFG(tie_word_embeddings), LLM__NO_FIELD,
      0, 1, "true or false", NULL, NULL },
    { "add_cross_attention", NULL, LLM__KEY_BOOL, LLM__KEY_FALSE_ONLY, LLM__NO_FIELD, LLM__NO_FIELD,
      0, 1, "true or false", NULL, NULL },
    { "architectures", NULL, LLM__KEY_FN, LLM__KEY_NULL, LLM__NO_FIELD, LLM__NO_FIELD, 0, 0, NULL, NULL,
      llm__cfg_architectures },
    { "num_labels", NULL, LLM__KEY_INT, LLM__KEY_NULL | LLM__KEY_LIMIT, LLM__CFG(num_labels), LLM__NO_FIELD,
      1, LLM__MAX_LABELS, "a positive integer", NULL, NULL },
    { "problem_type", NULL, LLM__KEY_FN, LLM__KEY_NULL, LLM__NO_FIELD, LLM__NO_FIELD, 0, 0, NULL, NULL,
      llm__cfg_problem },
    { "pad_token_id", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__CFG(pad_id), LLM__NO_FIELD,
      0, LLM__MAX_VOCAB - 1, "a token id or null", NULL, NULL }
};
#undef LLM__CFG

/* Read config.json into c (fields it lacks keep their values). */
static llm_status llm__config_parse(llm_config *c, const char *text, size_t len, llm_arena *a, char *err) {
    return llm__keys_read(text, len, a, "config.json", llm__config_keys,
                          sizeof llm__config_keys / sizeof llm__config_keys[0], c, err);
}

/* generation_config.json's eos_token_id: an id or a list of up to
   LLM_GEN_MAX_EOS (present when the list is not empty). */
static llm_status llm__gen_eos(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    llm_generation_config *g = (llm_generation_config *)obj;
    size_t n = j->t[v].type == LLM__J_ARR ? j->t[v].n : 1, c = j->t[v].type == LLM__J_ARR ? v + 1 : v, i;
    if (n > LLM_GEN_MAX_EOS)
        return llm__err(err, LLM_ERR_LIMIT, "%s: more than %d eos_token_id values", file, LLM_GEN_MAX_EOS);
    for (i = 0; i < n; i++, c = j->t[c].end) {
        uint64_t u;
        if (!llm__json_uint(j, c, &u) || u >= (uint64_t)LLM__MAX_VOCAB)
            return llm__err(err, LLM_ERR_FORMAT, "%s: \"eos_token_id\" must be a token id or a list of them", file);
        g->eos_ids[i] = (int32_t)u;
    }
    g->n_eos = (int)n;
    g->present.eos_ids = n > 0;
    return LLM_OK;
}

/* generation_config.json's early_stopping: false 0, true 1, "never" 2. */
static llm_status llm__gen_early_stopping(const llm__json *j, size_t v, void *obj, const char *file, char *err) {
    int t = j->t[v].type;
    if (t != LLM__J_TRUE && t != LLM__J_FALSE && !llm__json_eq(j, v, "never"))
        return llm__err(err, LLM_ERR_FORMAT, "%s: \"early_stopping\" must be true, false or \"never\"", file);
    ((llm_generation_config *)obj)->early_stopping = t == LLM__J_TRUE ? 1 : t == LLM__J_FALSE ? 0 : 2;
    return LLM_OK;
}

#define LLM__GEN(f) offsetof(llm_generation_config, f), offsetof(llm_generation_config, present.f)
/* generation_config.json (see llm_generation_config): a key that is absent
   or null leaves its field and present flag 0. */
static const llm__key llm__generation_keys[] = {
    { "do_sample", NULL, LLM__KEY_BOOL, LLM__KEY_NULL, LLM__GEN(do_sample),
      0, 1, "true or false", NULL, NULL },
    { "top_k", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__GEN(top_k),
      0, 1 << 30, "an integer in [0, 2^30]", NULL, NULL },
    { "max_length", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__GEN(max_length),
      1, 1 << 30, "an integer in [1, 2^30]", NULL, NULL },
    { "max_new_tokens", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__GEN(max_new_tokens),
      1, 1 << 30, "an integer in [1, 2^30]", NULL, NULL },
    { "num_beams", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__GEN(num_beams),
      1, 1 << 30, "an integer in [1, 2^30]", NULL, NULL },
    { "temperature", NULL, LLM__KEY_FLOAT, LLM__KEY_NULL, LLM__GEN(temperature),
      0, 1e6, "a number in [0, 1e6]", NULL, NULL },
    { "top_p", NULL, LLM__KEY_FLOAT, LLM__KEY_NULL, LLM__GEN(top_p),
      0, 1, "a number in [0, 1]", NULL, NULL },
    { "repetition_penalty", NULL, LLM__KEY_FLOAT, LLM__KEY_NULL | LLM__KEY_OPEN_LO, LLM__GEN(repetition_penalty),
      0, 1e6, "a number in (0, 1e6]", NULL, NULL },
    { "eos_token_id", NULL, LLM__KEY_FN, LLM__KEY_NULL, LLM__NO_FIELD, LLM__NO_FIELD,
      0, 0, NULL, NULL, llm__gen_eos },
    { "pad_token_id", NULL, LLM__KEY_I32, LLM__KEY_NULL, LLM__GEN(pad_id),
      0, LLM__MAX_VOCAB - 1, "a token id or null", NULL, NULL },
    { "bos_token_id", NULL, LLM__KEY_I32, LLM__KEY_NULL, LLM__GEN(bos_id),
      0, LLM__MAX_VOCAB - 1, "a token id or null", NULL, NULL },
    /* beam search (any sign: Hugging Face) */
    { "length_penalty", NULL, LLM__KEY_FLOAT, LLM__KEY_NULL, LLM__GEN(length_penalty),
      -1e6, 1e6, "a number in [-1e6, 1e6]", NULL, NULL },
    { "early_stopping", NULL, LLM__KEY_FN, LLM__KEY_NULL, LLM__GEN(early_stopping),
      0, 0, NULL, NULL, llm__gen_early_stopping },
    { "no_repeat_ngram_size", NULL, LLM__KEY_INT, LLM__KEY_NULL, LLM__GEN(no_repeat_ngram_size),
      0, 1 << 30, "an integer in [0, 2^30]", NULL, NULL }
};
#undef LLM__GEN

LLM_API llm_status llm_generation_config_parse(llm_generation_config *g, const char *text, size_t len, char *err) {
    char own[LLM_ERROR_SIZE];
    llm_status r;
    if (!err) err = own;
    err[0] = 0;
    if (!g) return llm__err(err, LLM_ERR_INVALID_ARG, "NULL generation config");
    memset(g, 0, sizeof *g);
    if (!text) return llm__err(err, LLM_ERR_INVALID_ARG, "NULL text");
    r = llm__keys_read(text, len, NULL, "generation_config.json", llm__generation_keys,
                       sizeof llm__generation_keys / sizeof llm__generation_keys[0], g, err);
    if (r != LLM_OK) memset(g, 0, sizeof *g);
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
    t = llm__model_find(b->m, full);
    return t;
}

static llm_status llm__bind_check(llm__bind *b, const char *name, const llm_tensor *t, size_t d0, size_t d1, int ndim) {
    int ok;
    if (!t) return llm__err(b->m->error, LLM_ERR_SHAPE, "missing tensor '%s%s'", b->prefix, name);
    if (t->dtype != LLM_DTYPE_F32 && t->dtype != LLM_DTYPE_F16 && t->dtype != LLM_DTYPE_BF16)
        return llm__err(b->m->error, LLM_ERR_UNSUPPORTED,
                        "tensor '%s' has unsupported dtype %s (llm.h reads F32, F16, BF16)", t->name,
                        llm_dtype_name(t->dtype));
    ok = t->ndim == ndim && t->shape[0] == d0 && (ndim == 1 || t->shape[1] == d1);
    if (!ok) {
        if (ndim == 1)
            return llm__err(b->m->error, LLM_ERR_SHAPE,
                            "tensor '%s' has shape [%zu%s] but the model needs [%zu]", t->name,
                            t->ndim ? t->shape[0] : 0, t->ndim > 1 ? ", ..." : "", d0);
        return llm__err(b->m->error, LLM_ERR_SHAPE,
                        "tensor '%s' has shape [%zu, %zu%s] but the model needs [%zu, %zu]", t->name,
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
        switch (t->dtype) {  /* the formats llm__bind_check accepts; src may be misaligned */
        case LLM_DTYPE_F32: memcpy(dst, src, t->numel * 4); break;
        case LLM_DTYPE_F16: for (i = 0; i < t->numel; i++) dst[i] = llm__f16_to_f32(llm__rd16(src + 2 * i)); break;
        case LLM_DTYPE_BF16: for (i = 0; i < t->numel; i++) dst[i] = llm__bf16_to_f32(llm__rd16(src + 2 * i)); break;
        default: LLM_ASSERT(0 && "llm__bind_f32: format"); return llm__err(b->m->error, LLM_ERR_UNSUPPORTED, "format");
        }
        *out = dst;
        b->cur += (t->numel * 4 + 63) & ~(size_t)63;
    }
    return LLM_OK;
}

/* Used in place when aligned to its element size, else copied. */
static const void *llm__bind_place(llm__bind *b, const llm_tensor *t) {
    const void *p;
    if (((uintptr_t)t->data & (llm_dtype_size(t->dtype) - 1)) == 0) return t->data;
    if (!b->fill) { b->need += (t->nbytes + 63) & ~(size_t)63; return t->data; }
    memcpy(b->cur, t->data, t->nbytes);
    p = b->cur;
    b->cur += (t->nbytes + 63) & ~(size_t)63;
    return p;
}

/* An 8-bit matrix NAME: I8 [out, in] and NAME_scale [out, ceil(in / 32)]
   (F32, F16 or BF16), both used in place. */
static llm_status llm__bind_q8(llm__bind *b, const char *name, const llm_tensor *t, size_t out_n, size_t in_n,
                               llm__mat *out) {
    char sn[128];
    const llm_tensor *s;
    size_t nb = (in_n + LLM__QB - 1) / LLM__QB, n = strlen(name);
    if (t->ndim != 2 || t->shape[0] != out_n || t->shape[1] != in_n)
        return llm__err(b->m->error, LLM_ERR_SHAPE,
                        "8-bit tensor '%s' has shape [%zu, %zu%s] but the model needs [%zu, %zu] ([out, in])",
                        t->name, t->ndim ? t->shape[0] : 0, t->ndim > 1 ? t->shape[1] : 0, t->ndim > 2 ? ", ..." : "",
                        out_n, in_n);
    if (n + 7 > sizeof sn) return llm__err(b->m->error, LLM_ERR_SHAPE, "tensor name too long");
    memcpy(sn, name, n);
    memcpy(sn + n, "_scale", 7);
    s = llm__bind_find(b, sn);
    if (!s)
        return llm__err(b->m->error, LLM_ERR_SHAPE, "tensor '%s' is I8 but its scales '%s%s' are missing", t->name,
                        b->prefix, sn);
    if (s->dtype != LLM_DTYPE_F32 && s->dtype != LLM_DTYPE_F16 && s->dtype != LLM_DTYPE_BF16)
        return llm__err(b->m->error, LLM_ERR_UNSUPPORTED, "scales '%s' are %s (llm.h reads F32, F16, BF16 scales)",
                        s->name, llm_dtype_name(s->dtype));
    if (s->ndim != 2 || s->shape[0] != out_n || s->shape[1] != nb)
        return llm__err(b->m->error, LLM_ERR_SHAPE,
                        "scales '%s' have shape [%zu, %zu%s] but %s [%zu, %zu] needs [%zu, %zu] (one per %d inputs)",
                        s->name, s->ndim ? s->shape[0] : 0, s->ndim > 1 ? s->shape[1] : 0, s->ndim > 2 ? ", ..." : "",
                        t->name, out_n, in_n,
                        out_n, nb, LLM__QB);
    out->type = LLM_DTYPE_I8;
    out->layout = LLM__OUT_IN;
    out->w = t->data;
    out->stype = s->dtype;
    out->scale = llm__bind_place(b, s);
    return LLM_OK;
}

/* A big matrix: used as stored; copied only if misaligned. layout: how
   the float checkpoint stores it; an I8 one is [out, in] whatever that. */
static llm_status llm__bind_mat(llm__bind *b, const char *name, size_t d0, size_t d1, llm__layout layout,
                                llm__mat *out) {
    const llm_tensor *t = llm__bind_find(b, name);
    llm_status r;
    size_t es;
    if (t && t->dtype == LLM_DTYPE_I8) {
        if (out == &b->m->_wpe)
            return llm__err(b->m->error, LLM_ERR_UNSUPPORTED,
                            "tensor '%s' is I8: llm.h reads wpe as F32, F16 or BF16", t->name);
        return layout == LLM__IN_OUT ? llm__bind_q8(b, name, t, d1, d0, out) : llm__bind_q8(b, name, t, d0, d1, out);
    }
    r = llm__bind_check(b, name, t, d0, d1, 2);
    if (r != LLM_OK) return r;
    out->scale = NULL;
    es = llm_dtype_size(t->dtype);
    out->type = t->dtype;
    out->layout = layout;
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
    LLM__TRY(llm__bind_mat(b, "wte.weight", V, C, LLM__OUT_IN, &m->_wte));
    LLM__TRY(llm__bind_mat(b, "wpe.weight", (size_t)c->n_ctx, C, LLM__OUT_IN, &m->_wpe));
    LLM__TRY(llm__bind_f32(b, "ln_f.weight", C, 0, 1, &m->_lnf_w));
    LLM__TRY(llm__bind_f32(b, "ln_f.bias", C, 0, 1, &m->_lnf_b));
    if (c->head != LLM_HEAD_LM) {   /* a classifier: score or classifier (never prefixed), no LM head */
        const char *saved = b->prefix;
        size_t N = (size_t)c->num_labels;
        b->prefix = "";
        if (c->head == LLM_HEAD_SEQ_CLS) r = llm__bind_mat(b, "score.weight", N, C, LLM__OUT_IN, &m->_cls);
        else if ((r = llm__bind_mat(b, "classifier.weight", N, C, LLM__OUT_IN, &m->_cls)) == LLM_OK)
            r = llm__bind_f32(b, "classifier.bias", N, 0, 1, &m->_cls_b);
        b->prefix = saved;
        if (r != LLM_OK) return r;
    } else {   /* the LM head: wte when tied (a stored lm_head.weight must still
           have its shape), else lm_head.weight (never prefixed) */
        const char *saved = b->prefix;
        b->prefix = "";
        if (!c->tie_word_embeddings) r = llm__bind_mat(b, "lm_head.weight", V, C, LLM__OUT_IN, &m->_lm_head);
        else if (llm__model_find(m, "lm_head.weight"))
            r = llm__bind_check(b, "lm_head.weight", llm__model_find(m, "lm_head.weight"), V, C, 2);
        b->prefix = saved;
        if (r != LLM_OK) return r;
        if (c->tie_word_embeddings) m->_lm_head = m->_wte;
    }
    for (l = 0; l < c->n_layer; l++) {
        llm__layer *L = &m->_layers[l];
#define LLM__NAME(s) (llm__fmt(nm, sizeof nm, "h.%d.%s", l, s), nm)
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_1.weight"), C, 0, 1, &L->ln1_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_1.bias"), C, 0, 1, &L->ln1_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("attn.c_attn.weight"), C, 3 * C, LLM__IN_OUT, &L->qkv_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("attn.c_attn.bias"), 3 * C, 0, 1, &L->qkv_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("attn.c_proj.weight"), C, C, LLM__IN_OUT, &L->attn_proj_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("attn.c_proj.bias"), C, 0, 1, &L->attn_proj_b));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_2.weight"), C, 0, 1, &L->ln2_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("ln_2.bias"), C, 0, 1, &L->ln2_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("mlp.c_fc.weight"), C, I, LLM__IN_OUT, &L->fc_w));
        LLM__TRY(llm__bind_f32(b, LLM__NAME("mlp.c_fc.bias"), I, 0, 1, &L->fc_b));
        LLM__TRY(llm__bind_mat(b, LLM__NAME("mlp.c_proj.weight"), I, C, LLM__IN_OUT, &L->mlp_proj_w));
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
    b.prefix = llm__model_find(m, "transformer.wte.weight") ? "transformer." : "";
    wte = llm__bind_find(&b, "wte.weight");
    wpe = llm__bind_find(&b, "wpe.weight");
    if (!wte || wte->ndim != 2)
        return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor 'wte.weight' (or 'transformer.wte.weight') "
                        "of 2 dimensions: is this a GPT-2 checkpoint?");
    if (!wpe || wpe->ndim != 2)
        return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor '%swpe.weight' of 2 dimensions", b.prefix);
    while (n_layer <= LLM__MAX_LAYER) {
        llm__fmt(nm, sizeof nm, "h.%d.ln_1.weight", n_layer);
        if (!llm__bind_find(&b, nm)) break;
        n_layer++;
    }
    llm__fmt(nm, sizeof nm, "h.0.mlp.c_fc.weight");
    fc = llm__bind_find(&b, nm);
    if (!have_config) {
        const char *hs = llm_safetensors_metadata(m->_n_shards ? &m->_shards[0] : &m->_st, "n_head");
        if (wte->shape[1] > LLM__MAX_EMBD || wte->shape[0] > LLM__MAX_VOCAB || wpe->shape[0] > LLM__MAX_CTX ||
            n_layer > LLM__MAX_LAYER)
            return llm__err(m->error, LLM_ERR_LIMIT, "model shape is over llm.h's limits");
        if (!wte->shape[0] || !wte->shape[1] || !wpe->shape[0] || (fc && fc->ndim == 2 && !fc->shape[1]))
            return llm__err(m->error, LLM_ERR_SHAPE, "a model dimension is 0 (wte [%zu, %zu], wpe [%zu, ...])",
                            wte->shape[0], wte->shape[1], wpe->shape[0]);
        c->n_embd = (int)wte->shape[1];
        c->n_vocab = (int)wte->shape[0];
        c->n_ctx = (int)wpe->shape[0];
        c->n_layer = n_layer;
        {   /* c_fc is [C, n_inner], or [n_inner, C] when 8-bit */
            size_t ni = fc && fc->ndim == 2 ? fc->shape[fc->dtype == LLM_DTYPE_I8 ? 0 : 1] : 0;
            c->n_inner = ni && ni <= 4u * LLM__MAX_EMBD ? (int)ni : 4 * c->n_embd;
        }
        if (hs) {
            long v = 0;
            const char *p = hs;
            while (*p >= '0' && *p <= '9' && v < 1000000) v = v * 10 + (*p++ - '0');
            if (*p || p == hs || v <= 0 || v > 65536)
                return llm__err(m->error, LLM_ERR_FORMAT, "__metadata__ n_head \"%s\" is not a positive integer", hs);
            c->n_head = (int)v;
        } else {
            if (c->n_embd % 64)
                return llm__err(m->error, LLM_ERR_FORMAT, "no config.json and no __metadata__ n_head: n_embd %d "
                                "is not a multiple of 64, so n_head cannot be inferred", c->n_embd);
            c->n_head = c->n_embd / 64;
        }
    } else {
        if (c->n_inner == 0) c->n_inner = 4 * c->n_embd;
        if (n_layer != c->n_layer) {
            llm__fmt(nm, sizeof nm, "h.%d.ln_1.weight", n_layer);
            if (n_layer < c->n_layer)
                return llm__err(m->error, LLM_ERR_SHAPE, "missing tensor '%s%s' (config.json says n_layer %d)",
                                b.prefix, nm, c->n_layer);
            return llm__err(m->error, LLM_ERR_SHAPE, "the file has %d layers but config.json says n_layer %d", n_layer,
                            c->n_layer);
        }
    }
    if (c->n_layer < 1)
        return llm__err(m->error, LLM_ERR_SHAPE, "no layers (missing tensor '%sh.0.ln_1.weight')", b.prefix);
    if (c->n_embd % c->n_head)
        return llm__err(m->error, LLM_ERR_FORMAT, "n_embd %d is not divisible by n_head %d", c->n_embd, c->n_head);
    return LLM_OK;
}

/* A classifier's labels from config.json (second read of the text, with
   the model's arena): id2label (an object "0".."n-1" -> name, each id once,
   n == num_labels), label2id (checked: n names -> ids in range), HF's
   defaults (num_labels 2, LABEL_i names, problem_type from num_labels). */
static llm_status llm__labels_read(llm_model *m, const char *text, size_t len) {
    llm_config *c = &m->config;
    llm__json j;
    size_t id2 = (size_t)-1, l2i = (size_t)-1, n, i, k, bytes, names = 0;
    llm_status r = LLM_OK;
    j.t = NULL;
    j.a = m->_arena;
    if (text) {
        r = llm__json_parse_in(&j, text, len, m->_arena, m->error);
        if (r != LLM_OK) return r; /* llm__config_parse read the same text */
        id2 = llm__json_get(&j, 0, "id2label");
        l2i = llm__json_get(&j, 0, "label2id");
        if (id2 != (size_t)-1 && j.t[id2].type == LLM__J_NULL) id2 = (size_t)-1;
        if (l2i != (size_t)-1 && j.t[l2i].type == LLM__J_NULL) l2i = (size_t)-1;
    }
    if (id2 != (size_t)-1 && j.t[id2].type != LLM__J_OBJ) {
        r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: \"id2label\" must be an object");
        goto done;
    }
    if (id2 != (size_t)-1 && !c->num_labels) c->num_labels = (int)j.t[id2].n;
    if (!c->num_labels) c->num_labels = id2 != (size_t)-1 ? 0 : 2;
    if (c->num_labels < 1 || c->num_labels > LLM__MAX_LABELS) {
        r = llm__err(m->error, c->num_labels < 1 ? LLM_ERR_FORMAT : LLM_ERR_LIMIT,
                     "config.json: %d labels (llm.h reads 1 to %d)", c->num_labels, LLM__MAX_LABELS);
        goto done;
    }
    n = (size_t)c->num_labels;
    if (id2 != (size_t)-1 && j.t[id2].n != n) {
        r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: id2label has %u labels but num_labels is %d",
                     (unsigned)j.t[id2].n, c->num_labels);
        goto done;
    }
    if (l2i != (size_t)-1) {
        if (j.t[l2i].type != LLM__J_OBJ || j.t[l2i].n != n) {
            r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: label2id must be an object of num_labels = %d names",
                         c->num_labels);
            goto done;
        }
        for (i = 0, k = l2i + 1; i < n; i++, k = j.t[k + 1].end) {
            uint64_t u;
            if (!llm__json_uint(&j, k + 1, &u) || u >= n) {
                r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: label2id's ids must be in [0, %d)", c->num_labels);
                goto done;
            }
        }
    }
    /* names' bytes: id2label's strings, else "LABEL_<id>" (at most 12 bytes) */
    if (id2 != (size_t)-1)
        for (i = 0, k = id2 + 1; i < n; i++, k = j.t[k + 1].end) {
            if (j.t[k + 1].type != LLM__J_STR) {
                r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: id2label's names must be strings");
                goto done;
            }
            names += j.t[k + 1].len + 1;
        }
    else names = n * 13;
    if (!llm__mul(n, sizeof(size_t), &bytes) || !llm__add(bytes, names, &bytes)) {
        r = llm__err(m->error, LLM_ERR_LIMIT, "config.json: labels too large");
        goto done;
    }
    m->_label_at = LLM__CAST(size_t *, llm__aalloc(m->_arena, bytes));
    if (!m->_label_at) { r = llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for the labels"); goto done; }
    m->_labels = (char *)(m->_label_at + n);
    for (i = 0; i < n; i++) m->_label_at[i] = (size_t)-1;
    if (id2 == (size_t)-1)
        for (i = 0; i < n; i++) {
            m->_label_at[i] = i * 13;
            llm__fmt(m->_labels + i * 13, 13, "LABEL_%d", (int)i);
        }
    else {
        size_t at = 0;
        for (i = 0, k = id2 + 1; i < n; i++, k = j.t[k + 1].end) {
            char key[12];
            size_t kl = 0, d;
            uint64_t u = 0;
            int ok = j.t[k].len > 0 && j.t[k].len < sizeof key && llm__json_str(&j, k, key, &kl) && kl > 0 &&
                     (kl == 1 || key[0] != '0');
            for (d = 0; ok && d < kl; d++) {
                ok = key[d] >= '0' && key[d] <= '9';
                u = u * 10 + (uint64_t)(key[d] - '0');
            }
            if (!ok || u >= n || m->_label_at[u] != (size_t)-1) {
                r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: id2label's keys must be the ids \"0\" to \"%d\", "
                             "each once", c->num_labels - 1);
                goto done;
            }
            m->_label_at[u] = at;
            if (!llm__json_str(&j, k + 1, m->_labels + at, &kl)) {
                r = llm__err(m->error, LLM_ERR_FORMAT, "config.json: an id2label name is not valid text");
                goto done;
            }
            at += kl + 1;
        }
    }
    if (!c->problem_type) c->problem_type = n == 1 ? LLM_PROBLEM_REGRESSION : LLM_PROBLEM_SINGLE_LABEL;
done:
    if (j.t) llm__json_free(&j);
    return r;
}

LLM_API const char *llm_model_label(const llm_model *m, int id) {
    if (!m || !m->_labels || id < 0 || id >= m->config.num_labels) return NULL;
    return m->_labels + m->_label_at[id];
}

LLM_API int llm_model_label_id(const llm_model *m, const char *name) {
    int i;
    if (!m || !m->_labels || !name) return -1;
    for (i = 0; i < m->config.num_labels; i++) if (!strcmp(m->_labels + m->_label_at[i], name)) return i;
    return -1;
}

/* Everything after the safetensors image is open: config, binding. */
static llm_status llm__model_finish(llm_model *m, const char *config_json, size_t config_len) {
    llm_config *c = &m->config;
    llm__bind b;
    llm_status r;
    size_t bytes;
    memset(c, 0, sizeof *c);
    c->ln_eps = 1e-5f;
    c->eos_id = -1;
    c->bos_id = -1;
    c->scale_attn_weights = 1;
    c->tie_word_embeddings = -1; /* not said: decided by the tensors below */
    c->pad_id = -1;
    if (config_json) {
        r = llm__config_parse(c, config_json, config_len, m->_arena, m->error);
        if (r != LLM_OK) return r;
    }
    r = llm__infer_config(m, config_json != NULL);
    if (r != LLM_OK) return r;
    if (c->tie_word_embeddings < 0) /* config.json's default is tied; without one, the tensors say */
        c->tie_word_embeddings = config_json || !llm__model_find(m, "lm_head.weight");
    else if (!c->tie_word_embeddings && c->head == LLM_HEAD_LM && !llm__model_find(m, "lm_head.weight"))
        return llm__err(m->error, LLM_ERR_SHAPE,
                        "config.json says tie_word_embeddings false but there is no tensor 'lm_head.weight'");
    if (c->eos_id >= c->n_vocab)
        return llm__err(m->error, LLM_ERR_FORMAT, "config.json: eos_token_id %d is outside the vocabulary [0, %d)",
                        c->eos_id, c->n_vocab);
    if (c->bos_id >= c->n_vocab)
        return llm__err(m->error, LLM_ERR_FORMAT, "config.json: bos_token_id %d is outside the vocabulary [0, %d)",
                        c->bos_id, c->n_vocab);
    if (c->head != LLM_HEAD_LM) {
        if (c->pad_id >= c->n_vocab)
            return llm__err(m->error, LLM_ERR_FORMAT, "config.json: pad_token_id %d is outside the vocabulary [0, %d)",
                            c->pad_id, c->n_vocab);
        r = llm__labels_read(m, config_json, config_len);
        if (r != LLM_OK) return r;
    } else c->num_labels = c->problem_type = 0;
    if (!llm__mul((size_t)c->n_layer, sizeof(llm__layer), &bytes))
        return llm__err(m->error, LLM_ERR_LIMIT, "too many layers");
    m->_layers = LLM__CAST(llm__layer *, llm__aalloc(m->_arena, bytes));
    if (!m->_layers) return llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(&b, 0, sizeof b);
    b.m = m;
    b.prefix = llm__model_find(m, "transformer.wte.weight") ? "transformer." : "";
    r = llm__bind_all(&b);
    if (r != LLM_OK) return r;
    if (b.need) {
        m->_owned = llm__aalloc(m->_arena, b.need);
        if (!m->_owned)
            return llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory converting weights (%zu bytes)", b.need);
        b.fill = 1;
        b.cur = (unsigned char *)m->_owned;
        r = llm__bind_all(&b);
        if (r != LLM_OK) return r;
    }
    m->wtype = m->_layers[0].qkv_w.type;
    return LLM_OK;
}

static void llm__model_zero(llm_model *m) { memset(m, 0, sizeof *m); }

LLM_API void llm_model_free(llm_model *m) {
    if (!m) return;
    llm_safetensors_close(&m->_st);
    while (m->_n_shards > 0) llm_safetensors_close(&m->_shards[--m->_n_shards]);
    llm__free(m->_shards);
    m->_shards = NULL;
    llm__afree(m->_arena, m->_layers);
    llm__afree(m->_arena, m->_owned);
    llm__afree(m->_arena, m->_label_at);
    m->_label_at = NULL; m->_labels = NULL;
    llm_tokenizer_free(&m->tokenizer);
    m->_layers = NULL; m->_owned = NULL; m->has_tokenizer = 0; m->has_generation_config = 0;
}

static llm_status llm__model_load_memory(llm_model *m, const void *data, size_t size, const char *config_json,
                                         size_t config_len, llm_arena *a) {
    llm_status r;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    m->_arena = a;
#ifdef LLM_NO_MALLOC
    if (!a) return llm__err(m->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: use llm_model_load_memory_arena");
#endif
    if (!data) return llm__err(m->error, LLM_ERR_INVALID_ARG, "NULL safetensors data");
    r = llm__st_open_memory(&m->_st, data, size, a);
    if (r != LLM_OK) { memcpy(m->error, m->_st.error, LLM_ERROR_SIZE); return r; }
    r = llm__model_finish(m, config_json, config_len);
    if (r != LLM_OK) llm_model_free(m);
    return r;
}
LLM_API llm_status llm_model_load_memory(llm_model *m, const void *data, size_t size, const char *config_json,
                                         size_t config_len) {
    return llm__model_load_memory(m, data, size, config_json, config_len, NULL);
}
LLM_API llm_status llm_model_load_memory_arena(llm_model *m, const void *data, size_t size, const char *config_json,
                                               size_t config_len, llm_arena *a) {
    if (!a) {
        if (m) llm__model_zero(m);
        return m ? llm__err(m->error, LLM_ERR_INVALID_ARG, "NULL arena") : LLM_ERR_INVALID_ARG;
    }
    return llm__model_load_memory(m, data, size, config_json, config_len, a);
}

LLM_API llm_status llm_model_heap_size(const void *data, size_t size, const char *config_json, size_t config_len,
                                       size_t *peak, size_t *kept) {
    llm_arena a;
    llm_model m;
    llm_status r = llm__measure_begin(&a, peak, kept);
    if (r != LLM_OK) return r;
    r = llm__model_load_memory(&m, data, size, config_json, config_len, &a);
    llm__measure_end(&a, r, peak, kept);
    llm_model_free(&m);
    return r;
}

#ifdef LLM__FILES
/* Nonzero if path is a folder (stat; without POSIX: "path/." opens only for a folder). */
static int llm__is_folder(const char *path) {
#ifdef LLM__POSIX
    return llm__path_kind(path) == 2;
#else
    char dot[4096];
    return llm__join(dot, sizeof dot, path, ".") && llm__file_exists(dot);
#endif
}

/* ---- sharded checkpoints ----------------------------------------------------
   model.safetensors.index.json: {"metadata": {...}, "weight_map": {tensor
   name: shard file name, ...}}. The parsed index: every tensor name with the
   number of its shard, the distinct shard files in order of first mention,
   and a hash table over the names. "metadata" is not read. */
#define LLM__MAX_SHARDS 256

typedef struct llm__shard_index {
    void *block;                /* one allocation for all of the below */
    const char **tensor;        /* [n] tensor names (decoded) */
    uint32_t *shard;            /* [n] index into file[] */
    const char **file;          /* [n_files] shard file names */
    uint32_t *tab;              /* [cap] entry numbers, 0xffffffff = empty */
    size_t n, n_files, cap;
} llm__shard_index;

static void llm__index_free(llm__shard_index *x) { llm__free(x->block); memset(x, 0, sizeof *x); }

static uint32_t llm__name_hash(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Entry of tensor name, or (size_t)-1. */
static size_t llm__index_find(const llm__shard_index *x, const char *name) {
    size_t k;
    for (k = llm__name_hash(name) & (x->cap - 1); x->tab[k] != 0xffffffffu; k = (k + 1) & (x->cap - 1))
        if (!strcmp(x->tensor[x->tab[k]], name)) return x->tab[k];
    return (size_t)-1;
}

/* A shard file name must be a plain file name in the index's folder. */
static int llm__shard_name_ok(const char *f, size_t len) {
    return len >= 13 && len <= 255 && strlen(f) == len && !strchr(f, '/') && !strchr(f, '\\') && f[0] != '.' &&
           !strcmp(f + len - 12, ".safetensors");
}

static llm_status llm__index_parse(llm__shard_index *x, const char *text, size_t len, char *err) {
    llm__json j;
    size_t wm, c, k, bytes, names = 0, i;
    char *np;
    llm_status r;
    memset(x, 0, sizeof *x);
    r = llm__json_parse(&j, text, len, err);
    if (r != LLM_OK) {
        char tmp[LLM_ERROR_SIZE];
        memcpy(tmp, err, LLM_ERROR_SIZE);
        return llm__err(err, r, "model.safetensors.index.json: %s", tmp);
    }
    if (j.t[0].type != LLM__J_OBJ || (wm = llm__json_get(&j, 0, "weight_map")) == (size_t)-1 ||
        j.t[wm].type != LLM__J_OBJ) {
        r = llm__err(err, LLM_ERR_FORMAT, "model.safetensors.index.json: no \"weight_map\" object");
        goto done;
    }
    x->n = j.t[wm].n;
    if (x->n == 0) {
        r = llm__err(err, LLM_ERR_FORMAT, "model.safetensors.index.json: \"weight_map\" is empty");
        goto done;
    }
    if (x->n > LLM_MAX_TENSORS) {
        r = llm__err(err, LLM_ERR_LIMIT, "model.safetensors.index.json: %zu tensors (limit %u)", x->n, LLM_MAX_TENSORS);
        goto done;
    }
    for (k = 0, c = wm + 1; k < x->n; k++, c = j.t[c + 1].end) {
        if (j.t[c + 1].type != LLM__J_STR) {
            r = llm__err(err, LLM_ERR_FORMAT, "model.safetensors.index.json: a weight_map value is not a file name");
            goto done;
        }
        names += j.t[c].len + j.t[c + 1].len + 2;
    }
    for (x->cap = 16; x->cap < 2 * x->n; x->cap *= 2) {}
    /* sizes are bounded by the text's length and LLM_MAX_TENSORS: no overflow */
    bytes = x->n * (sizeof(char *) + sizeof(uint32_t)) + LLM__MAX_SHARDS * sizeof(char *) + x->cap * sizeof(uint32_t) +
        names;
    x->block = llm__alloc(bytes);
    if (!x->block) { r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory for the shard index"); goto done; }
    x->tensor = (const char **)x->block;
    x->file = x->tensor + x->n;
    x->shard = (uint32_t *)(void *)(x->file + LLM__MAX_SHARDS);
    x->tab = x->shard + x->n;
    np = (char *)(void *)(x->tab + x->cap);
    memset(x->tab, 0xff, x->cap * sizeof(uint32_t));
    for (k = 0, c = wm + 1; k < x->n; k++, c = j.t[c + 1].end) {
        size_t tl, fl, slot;
        const char *f;
        if (!llm__json_str(&j, c, np, &tl) || tl == 0 || strlen(np) != tl) {
            r = llm__err(err, LLM_ERR_FORMAT, "model.safetensors.index.json: a tensor name is empty or badly escaped");
            goto done;
        }
        x->tensor[k] = np; np += tl + 1;
        if (!llm__json_str(&j, c + 1, np, &fl) || !llm__shard_name_ok(np, fl)) {
            r = llm__err(err, LLM_ERR_FORMAT,
                         "model.safetensors.index.json: tensor '%s': \"%.*s\" is not a .safetensors file "
                         "name in the same folder",
                         x->tensor[k], (int)(j.t[c + 1].len > 48 ? 48 : j.t[c + 1].len), j.s + j.t[c + 1].start);
            goto done;
        }
        f = np; np += fl + 1;
        for (i = 0; i < x->n_files && strcmp(x->file[i], f); i++) {}
        if (i == x->n_files) {
            if (x->n_files == LLM__MAX_SHARDS) {
                r = llm__err(err, LLM_ERR_LIMIT, "model.safetensors.index.json: more than %d shards", LLM__MAX_SHARDS);
                goto done;
            }
            x->file[x->n_files++] = f;
        }
        x->shard[k] = (uint32_t)i;
        for (slot = llm__name_hash(x->tensor[k]) & (x->cap - 1); x->tab[slot] != 0xffffffffu;
             slot = (slot + 1) & (x->cap - 1))
            if (!strcmp(x->tensor[x->tab[slot]], x->tensor[k])) {
                r = llm__err(err, LLM_ERR_FORMAT, "model.safetensors.index.json lists tensor '%s' twice", x->tensor[k]);
                goto done;
            }
        x->tab[slot] = (uint32_t)k;
    }
    r = LLM_OK;
done:
    llm__json_free(&j);
    if (r != LLM_OK) llm__index_free(x);
    return r;
}

/* Opens every shard of the index (folder dir) into m->_shards and checks
   that each holds exactly the tensors the index maps to it. */
static llm_status llm__open_shards(llm_model *m, const char *dir, const llm__shard_index *x, int no_mmap) {
    char path[4096];
    size_t i, k, found = 0;
    m->_shards = LLM__CAST(llm_safetensors *, llm__alloc(x->n_files * sizeof(llm_safetensors)));
    if (!m->_shards) return llm__err(m->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu shards", x->n_files);
    memset(m->_shards, 0, x->n_files * sizeof(llm_safetensors));
    m->_n_shards = (int)x->n_files;
    for (i = 0; i < x->n_files; i++) {
        llm_status r;
        if (!llm__join(path, sizeof path, dir, x->file[i]))
            return llm__err(m->error, LLM_ERR_INVALID_ARG, "shard path too long");
        if (!llm__file_exists(path))
            return llm__err(m->error, LLM_ERR_IO, "shard '%s' (in model.safetensors.index.json) is missing from '%s'",
                            x->file[i], dir);
        r = llm__st_open(&m->_shards[i], path, no_mmap);
        if (r != LLM_OK) return llm__err(m->error, r, "shard '%s': %s", x->file[i], m->_shards[i].error);
    }
    for (i = 0; i < x->n_files; i++) {
        const llm_safetensors *st = &m->_shards[i];
        for (k = 0; k < st->n_tensors; k++) {
            const char *name = st->tensors[k].name;
            size_t e = llm__index_find(x, name);
            if (e == (size_t)-1)
                return llm__err(m->error, LLM_ERR_FORMAT,
                                "tensor '%s' in shard '%s' is not in model.safetensors.index.json", name, x->file[i]);
            if (x->shard[e] != i) {
                if (llm_safetensors_find(&m->_shards[x->shard[e]], name))
                    return llm__err(m->error, LLM_ERR_FORMAT, "tensor '%s' is in two shards, '%s' and '%s'", name,
                                    x->file[x->shard[e]], x->file[i]);
                return llm__err(m->error, LLM_ERR_FORMAT, "tensor '%s' is in shard '%s' but the index maps it to '%s'",
                                name, x->file[i], x->file[x->shard[e]]);
            }
            found++;
        }
    }
    if (found != x->n) /* some entry's shard does not hold its tensor: name the first */
        for (k = 0; k < x->n; k++)
            if (!llm_safetensors_find(&m->_shards[x->shard[k]], x->tensor[k]))
                return llm__err(m->error, LLM_ERR_FORMAT,
                                "model.safetensors.index.json maps tensor '%s' to shard '%s', which does not hold it",
                                x->tensor[k], x->file[x->shard[k]]);
    return LLM_OK;
}

/* The weights of folder dir from its index file idx. */
static llm_status llm__load_sharded(llm_model *m, const char *dir, const char *idx, int no_mmap) {
    unsigned char *text;
    size_t len;
    llm__shard_index x;
    llm_status r = llm__read_file(idx, &text, &len, m->error);
    if (r != LLM_OK) return r;
    r = llm__index_parse(&x, (const char *)text, len, m->error);
    llm__free(text);
    if (r != LLM_OK) return r;
    r = llm__open_shards(m, dir, &x, no_mmap);
    llm__index_free(&x);
    return r;
}

/* The chat template of a folder's model (llm_chat_template_detect on its
   tokenizer, tokenizer_config.json unless no_tokenizer, and config.json). */
static llm_status llm__model_chat_template(llm_model *m, const char *dir, const char *cfg, size_t cfg_len,
                                           int no_tokenizer) {
    char path[4096];
    unsigned char *tc = NULL;
    size_t tc_len = 0;
    llm_status r;
    if (!no_tokenizer && llm__join(path, sizeof path, dir, "tokenizer_config.json") && llm__file_exists(path)) {
        r = llm__read_file(path, &tc, &tc_len, m->error);
        if (r != LLM_OK) return r;
    }
    r = llm_chat_template_detect(m->has_tokenizer ? &m->tokenizer : NULL, (const char *)tc, tc_len, cfg, cfg_len,
                                 &m->chat_template, m->chat_template_note);
    llm__free(tc);
    if (r != LLM_OK) {
        memcpy(m->error, m->chat_template_note, LLM_ERROR_SIZE);
        m->chat_template_note[0] = 0;
    }
    return r;
}

static int llm__ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* Read one byte of every page of m's file mappings, in chunks of 1 MiB from index c on, each chunk once:
   the chunks are numbered across the files in order. */
#define LLM__PREFAULT_CHUNK ((size_t)1 << 20)
static size_t llm__prefault_chunks(const llm_model *m) {
    const llm_safetensors *f = m->_shards ? m->_shards : &m->_st;
    int i, nf = m->_shards ? m->_n_shards : 1;
    size_t n = 0;
    for (i = 0; i < nf; i++)
        if (f[i]._map) n += (f[i]._map_size + LLM__PREFAULT_CHUNK - 1) / LLM__PREFAULT_CHUNK;
    return n;
}
static void llm__prefault_chunk(const llm_model *m, size_t c, size_t page) {
    const llm_safetensors *f = m->_shards ? m->_shards : &m->_st;
    int i, nf = m->_shards ? m->_n_shards : 1;
    for (i = 0; i < nf; i++) {
        size_t n = f[i]._map ? (f[i]._map_size + LLM__PREFAULT_CHUNK - 1) / LLM__PREFAULT_CHUNK : 0, o, e;
        if (c >= n) { c -= n; continue; }
        o = c * LLM__PREFAULT_CHUNK;
        e = f[i]._map_size - o < LLM__PREFAULT_CHUNK ? f[i]._map_size : o + LLM__PREFAULT_CHUNK;
        for (; o < e; o += page) (void)((const volatile unsigned char *)f[i]._map)[o];
        return;
    }
}

/* The tokenizer of folder dir (NULL: none) into m->tokenizer; with prefault, every page of the mapped
   weights is read meanwhile: with OpenMP one thread builds the tokenizer while the others read the pages,
   and joins them when done. */
static llm_status llm__model_tok_prefault(llm_model *m, const char *dir, int prefault) {
    size_t page = 4096, n = prefault ? llm__prefault_chunks(m) : 0;
    llm_status r = LLM_OK;
    long c, nc = (long)n;
#ifdef LLM__POSIX
    long ps = sysconf(_SC_PAGESIZE);
    if (ps > 0) page = (size_t)ps;
#endif
#ifdef LLM__OMP
    if (nc > 1 && omp_get_max_threads() > 1) {
        #pragma omp parallel
        {
            #pragma omp single nowait
            if (dir) r = llm_tokenizer_load(&m->tokenizer, dir);
            #pragma omp for schedule(dynamic, 1)
            for (c = 0; c < nc; c++) llm__prefault_chunk(m, (size_t)c, page);
        }
        return r;
    }
#endif
    if (dir) r = llm_tokenizer_load(&m->tokenizer, dir);
    for (c = 0; c < nc; c++) llm__prefault_chunk(m, (size_t)c, page);
    return r;
}

LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt) {
    char dir[4096], file[4096], cfg_path[4096];
    llm_model_options o;
    unsigned char *cfg = NULL;
    size_t cfg_len = 0, n;
    int sharded = 0;
    llm_status r;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    if (!path || !*path) return llm__err(m->error, LLM_ERR_INVALID_ARG, "empty model path");
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    n = strlen(path);
    if (n + 40 > sizeof dir) return llm__err(m->error, LLM_ERR_INVALID_ARG, "model path too long");
    /* a folder holding model.safetensors or model.safetensors.index.json
       (and its shards), or one of those files (its folder is used for
       config.json, the shards and the tokenizer files) */
    if (llm__join(file, sizeof file, path, "model.safetensors") && llm__file_exists(file)) {
        memcpy(dir, path, n + 1);
    } else if (llm__join(file, sizeof file, path, "model.safetensors.index.json") && llm__file_exists(file)) {
        memcpy(dir, path, n + 1);
        sharded = 1;
    } else {
        const char *slash = strrchr(path, '/');
        memcpy(file, path, n + 1);
        if (slash) {
            memcpy(dir, path, (size_t)(slash - path));
            dir[slash - path] = 0;
            if (!dir[0]) { dir[0] = '/'; dir[1] = 0; }
        }
        else { dir[0] = '.'; dir[1] = 0; }
        if (llm__is_folder(path))
            return llm__err(m->error, LLM_ERR_IO, "no model.safetensors or model.safetensors.index.json in '%s'", path);
        if (!llm__file_exists(file))
            return llm__err(m->error, LLM_ERR_IO,
                            "'%s' is neither a .safetensors file nor a folder with model.safetensors "
                            "or model.safetensors.index.json",
                            path);
        sharded = llm__ends_with(file, ".index.json");
    }
    if (sharded) {
        r = llm__load_sharded(m, dir, file, o.no_mmap);
        if (r != LLM_OK) { llm_model_free(m); return r; }
    } else {
        r = llm__st_open(&m->_st, file, o.no_mmap);
        if (r != LLM_OK) { memcpy(m->error, m->_st.error, LLM_ERROR_SIZE); return r; }
    }
    if (llm__join(cfg_path, sizeof cfg_path, dir, "config.json") && llm__file_exists(cfg_path)) {
        r = llm__read_file(cfg_path, &cfg, &cfg_len, m->error);
        if (r != LLM_OK) { llm_model_free(m); return r; }
    }
    r = llm__model_finish(m, (const char *)cfg, cfg_len);
    if (r == LLM_OK && !o.no_generation_config && llm__join(cfg_path, sizeof cfg_path, dir, "generation_config.json") &&
        llm__file_exists(cfg_path)) {
        unsigned char *gc;
        size_t gc_len;
        r = llm__read_file(cfg_path, &gc, &gc_len, m->error);
        if (r == LLM_OK) {
            r = llm_generation_config_parse(&m->generation, (const char *)gc, gc_len, m->error);
            llm__free(gc);
        }
        m->has_generation_config = r == LLM_OK;
    }
    if (r == LLM_OK && !o.no_tokenizer && llm__tok_folder_has_files(dir)) {
        r = llm__model_tok_prefault(m, dir, o.prefault);
        if (r != LLM_OK) llm__err(m->error, r, "tokenizer in '%s': %s", dir, llm_tokenizer_error(&m->tokenizer));
        else if (llm_tokenizer_vocab_size(&m->tokenizer) > (size_t)m->config.n_vocab)
            r = llm__err(m->error, LLM_ERR_SHAPE, "the tokenizer has %zu tokens but the model only %d",
                         llm_tokenizer_vocab_size(&m->tokenizer), m->config.n_vocab);
        else m->has_tokenizer = 1;
    } else if (r == LLM_OK) llm__model_tok_prefault(m, NULL, o.prefault);
    if (r == LLM_OK) r = llm__model_chat_template(m, dir, (const char *)cfg, cfg_len, o.no_tokenizer);
    llm__free(cfg);
    if (r != LLM_OK) llm_model_free(m);
    return r;
}
#else
LLM_API llm_status llm_model_load(llm_model *m, const char *path, const llm_model_options *opt) {
    (void)path; (void)opt;
    if (!m) return LLM_ERR_INVALID_ARG;
    llm__model_zero(m);
    return llm__err(m->error, LLM_ERR_UNSUPPORTED,
                    "built with LLM_NO_STDIO or LLM_NO_MALLOC: use llm_model_load_memory(_arena)");
}
#endif

/* ==========================================================================
   MATH KERNELS
   ==========================================================================
   Shapes in comments: B = batch rows, C = n_embd, IC/OC = in/out features.
   Matrices of the model are stored [in, out] (GPT-2's Conv1D, layout
   LLM__IN_OUT), except the LM head which is [vocab, C] (LLM__OUT_IN).
   Weights are read where they lie (the file mapping); 16-bit matrices are
   converted to f32 as they are read and all arithmetic is f32. Every
   product goes through llm__matmul(), which picks the kernel from the
   matrix's format and layout (see "weight formats" below); each kernel's
   scalar version sits next to its SIMD one, and tests/test_kernels.c
   checks them all against a naive loop.

   SIMD. Compile-time only: with AVX-512F (16 lanes), or AVX2 + FMA (8
   lanes; F16 weights also want F16C), enabled by the compiler flags (e.g.
   -march=native) the kernels use intrinsics; LLM_NO_SIMD, or any other
   target, gives the portable scalar code. A plain -O2 x86-64 build is the
   scalar build. With AVX-512 BF16 too (and LLM_BF16_DOT not 0), BF16
   weights take their own GEMM kernel (vdpbf16ps, "BF16 DOT PRODUCTS");
   each format's GEMM pieces (activations, panel, kernel) are in its row
   of the format table.

   [in, out] products, B > LLM__GEMV_ROWS (8): the threads share out the
   output columns in panels of LLM__NR; for each block of LLM__KC inputs a
   thread copies the panel's weights, converted to f32, into its slice of
   the session's scratch (prefetching the next block meanwhile) and runs an
   LLM__MR x LLM__NR register-blocked kernel over every row of the batch.
   B <= LLM__GEMV_ROWS (generation, one token per sequence): a streaming
   matrix-vector product, weights read once, in place, each thread going
   down its own contiguous slabs of rows, each weight vector multiplied
   into all B rows. LM head: dot products, 4 vocabulary rows at a time
   (converted to f32 once per block when B > 1), rows split between the
   threads. Attention, B > 1: per head, keys packed
   transposed and values in panels, then S = QK^T and Y = PV with the same
   kernel; B = 1: dot products. Scratch: llm__scratch_floats(), allocated
   with the session; the kernels allocate nothing.

   Determinism and agreement. Every output element is computed with the
   same operations in the same order whatever the thread count: an
   [in, out] product is bias, then one fused multiply-add per input in
   order 0..IC-1 (fmaf in the scalar tails, so lanes and tails agree), then
   the residual add or GELU; for B <= LLM__GEMV_ROWS the inputs are summed
   in LLM__SLABS fixed slabs, then bias + slab 0 + slab 1 + ..., so a row's
   outputs are bit-identical for every such B (a batch of sequences, one
   token each, decodes exactly as each sequence alone; the scalar build's
   tiles are per row, so the same holds there for any B); an LM-head logit
   is an LLM__VW-lane dot product summed in a fixed tree (the same for any B);
   attention scores are summed in one order for B = 1 and another for
   B > 1. So token-by-token decoding and batched prefill differ by rounding
   only (~1e-7 relative; the tests allow 1e-5).
   The SIMD build differs from the scalar one by rounding (fused
   multiply-adds, summation order, the polynomial exp of softmax and the
   activations: relative error < 3e-7 against expf; the exact GELU's erf
   from an erfc fit): a few 1e-6 on the test logits, as the scalar build,
   where the tests allow 1e-4. The one exception is the BF16 GEMM built
   with vdpbf16ps, whose inputs are rounded to bf16: within 2^-8 of
   sum |x w| per output (LLM_BF16_DOT=0 or a build without AVX512_BF16
   gives the f32 bound above). Every activation, scalar (expf, tanhf,
   erff) and SIMD, is within 3e-7 * max(1, |x|) (relu2: * max(1, x^2)) of
   its value in double precision (tests/test_model.c, x in [-30, 30]). */

#if !defined(LLM_NO_SIMD) && defined(__AVX512F__)
#define LLM__VW 16
#define LLM__MR 8    /* rows x columns of the register-blocked kernel */
#define LLM__NR 48
#elif !defined(LLM_NO_SIMD) && defined(__AVX2__) && defined(__FMA__)
#define LLM__VW 8
#define LLM__MR 6
#define LLM__NR 16
#endif
/* BF16 weights through AVX512_BF16's dot-product instruction (see BF16 DOT PRODUCTS below): on by default
   where the compiler targets it, as BF16 prompts are then about 1.7x as fast, for a rounding of the inputs that
   llama.cpp's BF16 products make too; -DLLM_BF16_DOT=0 keeps the f32 products for BF16 as for F16. */
#ifndef LLM_BF16_DOT
#define LLM_BF16_DOT 1
#endif
#if LLM_BF16_DOT && defined(LLM__VW) && LLM__VW == 16 && defined(__AVX512BF16__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__)
#define LLM__BF16DOT 1
#endif
/* Inputs packed at a time: a KC x NR block of f32 weights stays in L1
   while every row of the batch goes past it. */
#define LLM__KC 128
#define LLM__SLABS 4   /* matrix-vector products: partial sums over 4 slabs of inputs */
/* [in, out] products of at most this many rows take the streaming
   matrix-vector kernel, more the packed GEMM (measured: docs/speed.md) */
#ifndef LLM__GEMV_ROWS
#define LLM__GEMV_ROWS 8
#endif

#ifdef LLM__OMP
#define LLM__TID omp_get_thread_num()
#else
#define LLM__TID 0
#endif

#define LLM__MM_ADD 1   /* out += result (residual) */
#define LLM__MM_ACT 2   /* out = act(result), the activation in flags >> 4 */
#define LLM__MM_ACTIVATE(a) (LLM__MM_ACT | ((int)(a) << 4))

/* The MLP's activation a (an llm_activation) of one value, as Hugging Face
   writes each (mish: tanh(ln(1 + e^x)) = n / (n + 2), n = e^x (e^x + 2), with
   x > 20 giving x as PyTorch's softplus does). */
static float llm__act1(float x, int a) {
    float e, n;
    switch (a) {
    case LLM_ACT_GELU_TANH: return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case LLM_ACT_GELU: return 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
    case LLM_ACT_GELU_10:
        e = 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
        return e < -10.0f ? -10.0f : e > 10.0f ? 10.0f : e;
    case LLM_ACT_QUICK_GELU: return x / (1.0f + expf(-1.702f * x));
    case LLM_ACT_SILU: return x / (1.0f + expf(-x));
    case LLM_ACT_MISH:
        if (x > 20.0f) return x;
        e = expf(x); n = e * (e + 2.0f);
        return x * n / (n + 2.0f);
    case LLM_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case LLM_ACT_RELU2: return x > 0.0f ? x * x : 0.0f;
    case LLM_ACT_RELU6: return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case LLM_ACT_LEAKY_RELU: return x < 0.0f ? 0.01f * x : x;
    case LLM_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case LLM_ACT_TANH: return tanhf(x);
    case LLM_ACT_LAPLACE: return 0.5f * (1.0f + erff((x - 0.707107f) * (1.0f / (0.282095f * 1.4142135623730951f))));
    default: return x; /* LLM_ACT_LINEAR */
    }
}

/* p rounded up to a multiple of 64 bytes (the kernel scratch's alignment) */
static float *llm__align64(float *p) { return (float *)(void *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

/* A thread's share of the kernel scratch: offsets in floats from its start rounded up to 64 bytes
   (llm__align64). The [in, out] GEMM's pieces, attention's (B > 1) and the LM head's use the same floats, at
   different times:
     lm    LM head: a block of 4 rows of weights converted to f32, [4][C]
     pk    GEMM: one block of packed weights, [LLM__KC][LLM__NR]
     cb    GEMM: the panel's sums for every row, [max_batch rounded up to LLM__MR][LLM__NR]
     kt    attention: one head's keys transposed, [ldp / LLM__NR][hd][LLM__NR]
     vp    attention: its values in panels, [hd / LLM__NR rounded up][n_ctx][LLM__NR]
     p     attention: LLM__MR rows of probabilities, [LLM__MR][ldp]
     tile  attention: one LLM__MR x LLM__NR block of the matrix kernel
   ldp: n_ctx rounded up to LLM__NR (P's row stride). Every piece starts on 64 bytes (LLM__NR is a multiple of 16).
   per_thread: the floats of one share, alignment slack included; (size_t)-1 if it overflows; 0 in the scalar
   build, whose kernels take no scratch. llm__scratch_floats() sizes with it, and each kernel carves with it. */
typedef struct llm__scratch_layout { size_t lm, pk, cb, kt, vp, p, tile, ldp, per_thread; } llm__scratch_layout;

static llm__scratch_layout llm__scratch_layout_of(int C, int hd, int max_batch, int n_ctx) {
    llm__scratch_layout L;
    memset(&L, 0, sizeof L);
#ifdef LLM__VW
    {
        size_t nr = LLM__NR, nvp = ((size_t)hd + nr - 1) / nr, a, b, end;
        size_t rows = ((size_t)max_batch + LLM__MR - 1) / LLM__MR * LLM__MR;
        L.ldp = ((size_t)n_ctx + nr - 1) / nr * nr;
        L.pk = 0;
        L.cb = (size_t)LLM__KC * nr;
        L.kt = 0;
        if (!llm__mul(L.ldp, (size_t)hd, &a) || !llm__mul(nvp * nr, (size_t)n_ctx, &b) || !llm__add(a, b, &L.p) ||
            !llm__add(L.p, (size_t)LLM__MR * L.ldp, &L.tile) || !llm__add(L.tile, (size_t)LLM__MR * nr, &end)) {
            L.per_thread = (size_t)-1;
            return L;
        }
        L.vp = a;
        L.lm = 0;
        if (L.cb + rows * nr > end) end = L.cb + rows * nr;
        if (4 * (size_t)C > end) end = 4 * (size_t)C;
        if (!llm__add(end, 16, &L.per_thread)) L.per_thread = (size_t)-1;
    }
#else
    (void)C; (void)hd; (void)max_batch; (void)n_ctx;
#endif
    return L;
}

#ifdef LLM__VW
/* ---- SIMD building blocks ------------------------------------------------ */
/* GCC 12's AVX-512 intrinsics pass a deliberately self-initialised
   _mm512_undefined_*() value as the unused merge source, which its C++
   front end reports as maybe-uninitialized wherever they are inlined (GCC
   bug 105593, fixed in GCC 13). The pragma covers the lines of that header
   only: llm.h's own code keeps the warning. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#if LLM__VW == 16
typedef __m512 llm__vf;
#define llm__vld(p) _mm512_loadu_ps(p)
#define llm__vlda(p) _mm512_load_ps(p)
#define llm__vst(p, v) _mm512_storeu_ps(p, v)
#define llm__vsta(p, v) _mm512_store_ps(p, v)
#define llm__vfma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define llm__vset(x) _mm512_set1_ps(x)
#define llm__vzero() _mm512_setzero_ps()
#define llm__vadd(a, b) _mm512_add_ps(a, b)
#define llm__vsub(a, b) _mm512_sub_ps(a, b)
#define llm__vmul(a, b) _mm512_mul_ps(a, b)
#define llm__vdiv(a, b) _mm512_div_ps(a, b)
#define llm__vmax(a, b) _mm512_max_ps(a, b)
#define llm__vmin(a, b) _mm512_min_ps(a, b)
#define llm__vround(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define llm__vpow2(n) \
    _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23))
#define llm__vsum(v) _mm512_reduce_add_ps(v)
#define llm__vld_f16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define llm__vld_bf16(p) \
    _mm512_castsi512_ps(_mm512_slli_epi32( \
        _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))), 16))
#else
typedef __m256 llm__vf;
#define llm__vld(p) _mm256_loadu_ps(p)
#define llm__vlda(p) _mm256_load_ps(p)
#define llm__vst(p, v) _mm256_storeu_ps(p, v)
#define llm__vsta(p, v) _mm256_store_ps(p, v)
#define llm__vfma(a, b, c) _mm256_fmadd_ps(a, b, c)
#define llm__vset(x) _mm256_set1_ps(x)
#define llm__vzero() _mm256_setzero_ps()
#define llm__vadd(a, b) _mm256_add_ps(a, b)
#define llm__vsub(a, b) _mm256_sub_ps(a, b)
#define llm__vmul(a, b) _mm256_mul_ps(a, b)
#define llm__vdiv(a, b) _mm256_div_ps(a, b)
#define llm__vmax(a, b) _mm256_max_ps(a, b)
#define llm__vmin(a, b) _mm256_min_ps(a, b)
#define llm__vround(a) _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define llm__vpow2(n) \
    _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23))
static float llm__vsum(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_movehdup_ps(a));
    return _mm_cvtss_f32(a);
}
#ifdef __F16C__
#define llm__vld_f16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#else
static __m256 llm__vld_f16(const uint16_t *p) {
    float t[8];
    int i;
    for (i = 0; i < 8; i++) t[i] = llm__f16_to_f32(p[i]);
    return _mm256_loadu_ps(t);
}
#endif
#define llm__vld_bf16(p) \
    _mm256_castsi256_ps(_mm256_slli_epi32( \
        _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))), 16))
#endif
#define llm__vld_f32(p) llm__vld(p)
#define llm__sld_f32(p) (*(p))
#define llm__sld_f16(p) llm__f16_to_f32(*(p))
#define llm__sld_bf16(p) llm__bf16_to_f32(*(p))

/* e^x: n = round(x / ln2), r = x - n ln2 (two-part ln2), degree-6 Taylor
   polynomial on |r| <= ln2/2 (truncation < 1.2e-7 relative), times 2^n.
   x is clamped to [-87, 88] (no overflow; e^-87 stands for anything
   smaller, which softmax and GELU cannot tell apart); NaN stays NaN. */
static llm__vf llm__vexp(llm__vf x) {
    llm__vf n, r, p;
    x = llm__vmin(llm__vset(88.0f), llm__vmax(llm__vset(-87.0f), x));
    n = llm__vround(llm__vmul(x, llm__vset(1.4426950408889634f)));
    r = llm__vfma(n, llm__vset(-0.693145751953125f), x);
    r = llm__vfma(n, llm__vset(-1.4286068203094172e-6f), r);
    p = llm__vset(1.0f / 720.0f);
    p = llm__vfma(p, r, llm__vset(1.0f / 120.0f));
    p = llm__vfma(p, r, llm__vset(1.0f / 24.0f));
    p = llm__vfma(p, r, llm__vset(1.0f / 6.0f));
    p = llm__vfma(p, r, llm__vset(0.5f));
    p = llm__vfma(p, r, llm__vset(1.0f));
    p = llm__vfma(p, r, llm__vset(1.0f));
    return llm__vmul(p, llm__vpow2(n));
}

/* gelu(v) = v / (1 + e^(-2u)), u = sqrt(2/pi) (v + 0.044715 v^3): the tanh
   form without its cancellation. */
static llm__vf llm__vgelu(llm__vf v) {
    llm__vf m2u = llm__vmul(v, llm__vfma(llm__vmul(v, v), llm__vset(-2.0f * 0.7978845608028654f * 0.044715f),
                                         llm__vset(-2.0f * 0.7978845608028654f)));
    return llm__vdiv(v, llm__vadd(llm__vset(1.0f), llm__vexp(m2u)));
}

/* |x| and |x| with the sign of s. */
#if LLM__VW == 16
static llm__vf llm__vabs(llm__vf x) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff)));
}
static llm__vf llm__vcopysign(llm__vf x, llm__vf s) {
    const __m512i m = _mm512_set1_epi32(0x7fffffff);
    return _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(x), m), _mm512_andnot_si512(m, _mm512_castps_si512(s))));
}
#else
static llm__vf llm__vabs(llm__vf x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static llm__vf llm__vcopysign(llm__vf x, llm__vf s) {
    return _mm256_or_ps(llm__vabs(x), _mm256_and_ps(_mm256_set1_ps(-0.0f), s));
}
#endif

/* (1 + erf(z)) / 2 = 1/2 + sign(z) (1/2 - erfc(|z|) / 2), with
   erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2), the degree-9 Chebyshev
   fit whose relative error is below 1.2e-7 for every z >= 0 (Press et
   al., Numerical Recipes, erfcc). */
static llm__vf llm__vphi(llm__vf z) {
    llm__vf a = llm__vabs(z), t = llm__vdiv(llm__vset(1.0f), llm__vfma(a, llm__vset(0.5f), llm__vset(1.0f)));
    llm__vf p = llm__vset(0.17087277f), h;
    p = llm__vfma(p, t, llm__vset(-0.82215223f));
    p = llm__vfma(p, t, llm__vset(1.48851587f));
    p = llm__vfma(p, t, llm__vset(-1.13520398f));
    p = llm__vfma(p, t, llm__vset(0.27886807f));
    p = llm__vfma(p, t, llm__vset(-0.18628806f));
    p = llm__vfma(p, t, llm__vset(0.09678418f));
    p = llm__vfma(p, t, llm__vset(0.37409196f));
    p = llm__vfma(p, t, llm__vset(1.00002368f));
    p = llm__vfma(p, t, llm__vset(-1.26551223f));
    h = llm__vmul(llm__vmul(llm__vset(0.5f), t), llm__vexp(llm__vsub(p, llm__vmul(a, a)))); /* erfc(|z|) / 2 */
    return llm__vadd(llm__vset(0.5f), llm__vcopysign(llm__vsub(llm__vset(0.5f), h), z));
}

/* x / (1 + e^(-k x)): sigmoid (x = 1), silu (k = 1), quick_gelu (k = 1.702) */
static llm__vf llm__vsig(llm__vf x, llm__vf num, float k) {
    return llm__vdiv(num, llm__vadd(llm__vset(1.0f), llm__vexp(llm__vmul(x, llm__vset(-k)))));
}

/* llm__act1 on LLM__VW lanes: the same formulas, with the polynomial exp
   and erf above (tanh(x) = 1 - 2 / (1 + e^2x)). Against llm__act1 (expf,
   tanhf, erff): within 2e-7 * max(1, |x|) for every activation (measured
   on a grid over [-30, 30] by tests/test_model.c). */
static llm__vf llm__vact(llm__vf x, int a) {
    const llm__vf zero = llm__vzero();
    llm__vf e, n;
    switch (a) {
    case LLM_ACT_GELU_TANH: return llm__vgelu(x);
    case LLM_ACT_GELU: return llm__vmul(x, llm__vphi(llm__vmul(x, llm__vset(0.7071067811865476f))));
    case LLM_ACT_GELU_10:
        e = llm__vmul(x, llm__vphi(llm__vmul(x, llm__vset(0.7071067811865476f))));
        return llm__vmin(llm__vset(10.0f), llm__vmax(llm__vset(-10.0f), e));
    case LLM_ACT_QUICK_GELU: return llm__vsig(x, x, 1.702f);
    case LLM_ACT_SILU: return llm__vsig(x, x, 1.0f);
    case LLM_ACT_MISH:
        e = llm__vexp(llm__vmin(x, llm__vset(20.0f)));
        n = llm__vmul(e, llm__vadd(e, llm__vset(2.0f)));
        return llm__vdiv(llm__vmul(x, n), llm__vadd(n, llm__vset(2.0f))); /* x > 20: n / (n + 2) rounds to 1 */
    case LLM_ACT_RELU: return llm__vmax(x, zero);
    case LLM_ACT_RELU2: e = llm__vmax(x, zero); return llm__vmul(e, e);
    case LLM_ACT_RELU6: return llm__vmin(llm__vmax(x, zero), llm__vset(6.0f));
    case LLM_ACT_LEAKY_RELU: return llm__vfma(llm__vmin(x, zero), llm__vset(0.01f), llm__vmax(x, zero));
    case LLM_ACT_SIGMOID: return llm__vsig(x, llm__vset(1.0f), 1.0f);
    case LLM_ACT_TANH:
        return llm__vsub(llm__vset(1.0f),
                         llm__vdiv(llm__vset(2.0f), llm__vadd(llm__vset(1.0f), llm__vexp(llm__vadd(x, x)))));
    case LLM_ACT_LAPLACE:
        return llm__vphi(
            llm__vmul(llm__vsub(x, llm__vset(0.707107f)), llm__vset(1.0f / (0.282095f * 1.4142135623730951f))));
    default: return x; /* LLM_ACT_LINEAR */
    }
}

/* dst[0..n) = acc (flags 0), += acc (LLM__MM_ADD) or act(acc). Columns
   are handled identically whatever the caller, given dst's column is at
   the same offset modulo LLM__VW (callers start at multiples of it). */
static void llm__finish(float *dst, const float *acc, int n, int flags) {
    int j = 0;
    if (flags & LLM__MM_ACT) {
        for (; j + LLM__VW <= n; j += LLM__VW) llm__vst(dst + j, llm__vact(llm__vld(acc + j), flags >> 4));
        for (; j < n; j++) dst[j] = llm__act1(acc[j], flags >> 4);
    } else if (flags & LLM__MM_ADD) {
        for (; j + LLM__VW <= n; j += LLM__VW) llm__vst(dst + j, llm__vadd(llm__vld(dst + j), llm__vld(acc + j)));
        for (; j < n; j++) dst[j] += acc[j];
    } else memcpy(dst, acc, (size_t)n * sizeof(float));
}

#endif /* LLM__VW */

/* ---- weight formats --------------------------------------------------------
   A matrix (llm__mat) is its data, its format (the dtype it is stored in)
   and its layout: LLM__IN_OUT, element (k, o) at w[k * OC + o] (GPT-2's
   Conv1D, [in, out]), or LLM__OUT_IN, at w[o * IC + k] (one row per output:
   the LM head and the embeddings). Each format is one row of one table,
   llm__fmt_table, indexed by the format (as ggml's type traits): how the
   activations are converted for its products (from_float: I8 quantizes
   them per block; the float formats read them as f32), its product for
   each layout, and how an embedding row is read; the float formats' rows
   also hold the building blocks their products share (row, pack,
   gemv_slab, dot4: one generic body each, llm__*_fmt, inlined with the
   format a constant and instantiated per format). llm__matmul() is the
   place that picks a product from the table (and llm__mat_row() an
   embedding row); a format without a row is an LLM_ASSERT. */

typedef struct llm__fmt_traits llm__fmt_traits;
/* out[B,OC] = x . w + bias, then stored, added or passed through the activation per flags (llm__matmul); x: the
   activations in[B,IC] as f.from_float left them (f32 where it is NULL) */
typedef void llm__mm_fn(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *w, const float *bias,
                        int B, int IC, int OC, int flags, int nt, float *scratch);
struct llm__fmt_traits {
    llm_dtype type;   /* the row's format: llm__fmt_table[type] */
    /* in[B,IC] converted into scratch for this format's products; returns where they are (NULL: in, as f32) */
    const void *(*from_float)(float *scratch, const float *in, int B, int IC, int nt);
    llm__mm_fn *mm_in_out, *mm_out_in;   /* the product for each layout; NULL: never stored so */
    /* dst[0..n) = row r of a matrix stored [rows, n] (an embedding row) as f32 */
    void (*get_row)(float *dst, const llm__mat *w, size_t r, size_t n);
    /* the float products' building blocks (NULL in the other rows): */
    void (*row)(float *dst, const void *w, size_t off, size_t n);   /* llm__row_fmt */
#ifdef LLM__VW
    void (*pack)(float *pk, const void *w, size_t off, int kn, int OC);  /* llm__pack_fmt */
    void (*gemv_slab)(float *acc, size_t as, const float *x, size_t xs, const void *w, size_t c, int k0, int k1, int OC,
                      int n, int B);   /* llm__gemv_slab_fmt */
    /* s[4 * b + j] = row b of x . row r[j] of w, b < nb <= LLM__DOT_ROWS (llm__dot4_fmt) */
    void (*dot4)(float *s, const float *x, size_t xs, int nb, const void *w, const size_t r[4], int IC);
    /* the packed GEMM's pieces (llm__gemm), in every float row: gemm_in, the activations in[B,IC] as the kernel
       reads them, into dst (NULL: in as it is, f32; returns where, row b at + b * *xs bytes); panel, a block of
       weights packed for the kernel (llm__pack); kernel, the LLM__MR x LLM__NR tile (llm__kernel_f32) */
    const void *(*gemm_in)(void *dst, const float *in, int B, int IC, int nt, size_t *xs);
    void (*panel)(void *pk, const llm__fmt_traits *f, const void *w, int k0, int kn, int OC, int o0, int no);
    void (*kernel)(float *c, const void *const *a, int k0, const void *p, int K, const char *pf, size_t pfs, int npf);
#endif
};

#if defined(__GNUC__) || defined(__clang__)
#define LLM__INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define LLM__INLINE __forceinline
#else
#define LLM__INLINE inline
#endif

/* element i of a matrix of format t, as f32 */
static LLM__INLINE float llm__wget(llm_dtype t, const void *w, size_t i) {
    switch (t) {
    case LLM_DTYPE_F32: return ((const float *)w)[i];
    case LLM_DTYPE_F16: return llm__f16_to_f32(((const uint16_t *)w)[i]);
    case LLM_DTYPE_BF16: return llm__bf16_to_f32(((const uint16_t *)w)[i]);
    default: LLM_ASSERT(0 && "llm__wget: not a float format"); return 0.0f;
    }
}

#ifdef LLM__VW
/* LLM__VW elements from w[i] as f32 */
static LLM__INLINE llm__vf llm__vwget(llm_dtype t, const void *w, size_t i) {
    switch (t) {
    case LLM_DTYPE_F32: return llm__vld((const float *)w + i);
    case LLM_DTYPE_F16: return llm__vld_f16((const uint16_t *)w + i);
    case LLM_DTYPE_BF16: return llm__vld_bf16((const uint16_t *)w + i);
    default: LLM_ASSERT(0 && "llm__vwget: not a float format"); return llm__vzero();
    }
}

#endif

/* dst[0..n) = w[off..off+n) as f32 (exact: the SIMD and scalar conversions agree) */
static LLM__INLINE void llm__row_fmt(llm_dtype t, float *dst, const void *w, size_t off, size_t n) {
    size_t i = 0;
    if (t == LLM_DTYPE_F32) { memcpy(dst, (const float *)w + off, n * sizeof(float)); return; }
#ifdef LLM__VW
    for (; i + LLM__VW <= n; i += LLM__VW) llm__vst(dst + i, llm__vwget(t, w, off + i));
#endif
    for (; i < n; i++) dst[i] = llm__wget(t, w, off + i);
}

#ifdef LLM__VW
/* pk[k][0..NR) = w[off + k * OC ..][0..NR) as f32 for k < kn (a full panel) */
static LLM__INLINE void llm__pack_fmt(llm_dtype t, float *pk, const void *w, size_t off, int kn, int OC) {
    int k, j;
    for (k = 0; k < kn; k++, off += (size_t)OC, pk += LLM__NR)
        for (j = 0; j < LLM__NR; j += LLM__VW) llm__vsta(pk + j, llm__vwget(t, w, off + (size_t)j));
}

/* the cache lines at q in 8 consecutive rows of rs bytes, into L1 */
static LLM__INLINE void llm__prefetch8(const char *q, size_t rs) {
    int i;
    for (i = 0; i < 8; i++) _mm_prefetch(q + (size_t)i * rs, _MM_HINT_T0);
}

/* For each row b < B: acc_b[0..n) += sum_{k0 <= k < k1} x_b[k] * w[k][c..c+n)
   (acc_b = acc + b * as, x_b = x + b * xs), one fused multiply-add per k
   in order, so a row's sums are the same whatever B; 8 rows of w at a
   time, prefetching the next 8, each vector of w loaded (and converted)
   once for all B rows (the matrix-vector product's inner loop, see
   llm__gemv). With 16 lanes, 2 vectors of columns at a time (16 of w in
   registers), else 1. */
static LLM__INLINE void llm__gemv_slab_fmt(llm_dtype t, float *acc, size_t as, const float *x, size_t xs, const void *w,
                                           size_t c, int k0, int k1, int OC, int n, int B) {
    const size_t es = llm_dtype_size(t), rs = (size_t)OC * es, oc = (size_t)OC;
    int nvec = n / LLM__VW * LLM__VW, k = k0, jj, b;
    for (; k + 8 <= k1; k += 8) {
        const size_t r0 = (size_t)k * oc + c, r1 = r0 + oc, r2 = r1 + oc, r3 = r2 + oc;
        const size_t r4 = r3 + oc, r5 = r4 + oc, r6 = r5 + oc, r7 = r6 + oc;
        const char *pf = k + 16 <= k1 ? (const char *)w + (r7 + oc) * es : NULL;
        jj = 0;
#if LLM__VW == 16
        for (; jj + 2 * LLM__VW <= nvec; jj += 2 * LLM__VW) {
            const size_t j0 = (size_t)jj, j1 = j0 + LLM__VW;
            llm__vf w00, w01, w10, w11, w20, w21, w30, w31, w40, w41, w50, w51, w60, w61, w70, w71;
            if (pf) {
                llm__prefetch8(pf + j0 * es, rs);
                if (es == 4) llm__prefetch8(pf + j0 * es + 64, rs);  /* 32 f32 are two cache lines */
            }
            w00 = llm__vwget(t, w, r0 + j0); w01 = llm__vwget(t, w, r0 + j1); w10 = llm__vwget(t, w, r1 + j0);
            w11 = llm__vwget(t, w, r1 + j1);
            w20 = llm__vwget(t, w, r2 + j0); w21 = llm__vwget(t, w, r2 + j1); w30 = llm__vwget(t, w, r3 + j0);
            w31 = llm__vwget(t, w, r3 + j1);
            w40 = llm__vwget(t, w, r4 + j0); w41 = llm__vwget(t, w, r4 + j1); w50 = llm__vwget(t, w, r5 + j0);
            w51 = llm__vwget(t, w, r5 + j1);
            w60 = llm__vwget(t, w, r6 + j0); w61 = llm__vwget(t, w, r6 + j1); w70 = llm__vwget(t, w, r7 + j0);
            w71 = llm__vwget(t, w, r7 + j1);
            for (b = 0; b < B; b++) {
                const float *xb = x + (size_t)b * xs + k;
                float *ab = acc + (size_t)b * as + jj;
                llm__vf u, a = llm__vld(ab), d = llm__vld(ab + LLM__VW);
                u = llm__vset(xb[0]); a = llm__vfma(u, w00, a); d = llm__vfma(u, w01, d);
                u = llm__vset(xb[1]); a = llm__vfma(u, w10, a); d = llm__vfma(u, w11, d);
                u = llm__vset(xb[2]); a = llm__vfma(u, w20, a); d = llm__vfma(u, w21, d);
                u = llm__vset(xb[3]); a = llm__vfma(u, w30, a); d = llm__vfma(u, w31, d);
                u = llm__vset(xb[4]); a = llm__vfma(u, w40, a); d = llm__vfma(u, w41, d);
                u = llm__vset(xb[5]); a = llm__vfma(u, w50, a); d = llm__vfma(u, w51, d);
                u = llm__vset(xb[6]); a = llm__vfma(u, w60, a); d = llm__vfma(u, w61, d);
                u = llm__vset(xb[7]); a = llm__vfma(u, w70, a); d = llm__vfma(u, w71, d);
                llm__vst(ab, a); llm__vst(ab + LLM__VW, d);
            }
        }
#endif
        for (; jj < nvec; jj += LLM__VW) {
            const size_t j0 = (size_t)jj;
            llm__vf w0, w1, w2, w3, w4, w5, w6, w7;
            if (pf && LLM__VW == 8 && jj % 16 == 0) {
                llm__prefetch8(pf + j0 * es, rs);
            }
            w0 = llm__vwget(t, w, r0 + j0); w1 = llm__vwget(t, w, r1 + j0); w2 = llm__vwget(t, w, r2 + j0);
            w3 = llm__vwget(t, w, r3 + j0);
            w4 = llm__vwget(t, w, r4 + j0); w5 = llm__vwget(t, w, r5 + j0); w6 = llm__vwget(t, w, r6 + j0);
            w7 = llm__vwget(t, w, r7 + j0);
            for (b = 0; b < B; b++) {
                const float *xb = x + (size_t)b * xs + k;
                float *ab = acc + (size_t)b * as + jj;
                llm__vf a = llm__vld(ab);
                a = llm__vfma(llm__vset(xb[0]), w0, a); a = llm__vfma(llm__vset(xb[1]), w1, a);
                a = llm__vfma(llm__vset(xb[2]), w2, a); a = llm__vfma(llm__vset(xb[3]), w3, a);
                a = llm__vfma(llm__vset(xb[4]), w4, a); a = llm__vfma(llm__vset(xb[5]), w5, a);
                a = llm__vfma(llm__vset(xb[6]), w6, a); a = llm__vfma(llm__vset(xb[7]), w7, a);
                llm__vst(ab, a);
            }
        }
        for (; jj < n; jj++) {
            const size_t j0 = (size_t)jj;
            const float v0 = llm__wget(t, w, r0 + j0), v1 = llm__wget(t, w, r1 + j0), v2 = llm__wget(t, w, r2 + j0);
            const float v3 = llm__wget(t, w, r3 + j0), v4 = llm__wget(t, w, r4 + j0), v5 = llm__wget(t, w, r5 + j0);
            const float v6 = llm__wget(t, w, r6 + j0), v7 = llm__wget(t, w, r7 + j0);
            for (b = 0; b < B; b++) {
                const float *xb = x + (size_t)b * xs + k;
                float *ab = acc + (size_t)b * as + jj, a = *ab;
                a = fmaf(xb[0], v0, a); a = fmaf(xb[1], v1, a); a = fmaf(xb[2], v2, a); a = fmaf(xb[3], v3, a);
                a = fmaf(xb[4], v4, a); a = fmaf(xb[5], v5, a); a = fmaf(xb[6], v6, a); *ab = fmaf(xb[7], v7, a);
            }
        }
    }
    for (; k < k1; k++) {
        const size_t r0 = (size_t)k * oc + c;
        for (jj = 0; jj < nvec; jj += LLM__VW) {
            const llm__vf w0 = llm__vwget(t, w, r0 + (size_t)jj);
            for (b = 0; b < B; b++) {
                float *ab = acc + (size_t)b * as + jj;
                llm__vst(ab, llm__vfma(llm__vset(x[(size_t)b * xs + (size_t)k]), w0, llm__vld(ab)));
            }
        }
        for (; jj < n; jj++) {
            const float v0 = llm__wget(t, w, r0 + (size_t)jj);
            for (b = 0; b < B; b++) {
                float *ab = acc + (size_t)b * as + jj;
                *ab = fmaf(x[(size_t)b * xs + (size_t)k], v0, *ab);
            }
        }
    }
}

/* Rows of x one call of dot4 takes: its 4 * LLM__DOT_ROWS sums, 4 weight
   vectors and one of x fit the 32 registers of AVX-512 (16 of AVX2). */
#define LLM__DOT_ROWS (LLM__VW == 16 ? 4 : 2)

/* s[4 * b + j] = x_b . w[r[j]..r[j]+IC) for b < NB (x_b = x + b * xs, NB a
   constant <= LLM__DOT_ROWS) and j < 4: each sum over LLM__VW lanes, summed
   in llm__vsum's tree, then the tail, so a sum is the same for any NB (the
   [out, in] product's inner loop). Each weight vector is read once for
   the NB rows. */
static LLM__INLINE void llm__fma4(llm__vf a[4], llm__vf xv, const llm__vf w[4]) {
    a[0] = llm__vfma(xv, w[0], a[0]); a[1] = llm__vfma(xv, w[1], a[1]);
    a[2] = llm__vfma(xv, w[2], a[2]); a[3] = llm__vfma(xv, w[3], a[3]);
}
static LLM__INLINE void llm__dot4_fmt(llm_dtype t, int NB, float *s, const float *x, size_t xs, const void *w,
                                      const size_t r[4], int IC) {
    int k = 0, nk = IC / LLM__VW * LLM__VW, b, j;
    llm__vf a[LLM__DOT_ROWS][4], wv[4];
    for (b = 0; b < LLM__DOT_ROWS; b++) for (j = 0; j < 4; j++) a[b][j] = llm__vzero();
    for (; k < nk; k += LLM__VW) {   /* the rows written out: the sums stay in registers */
        const size_t kk = (size_t)k;
        wv[0] = llm__vwget(t, w, r[0] + kk); wv[1] = llm__vwget(t, w, r[1] + kk);
        wv[2] = llm__vwget(t, w, r[2] + kk); wv[3] = llm__vwget(t, w, r[3] + kk);
        llm__fma4(a[0], llm__vld(x + kk), wv);
        if (NB > 1) llm__fma4(a[1], llm__vld(x + xs + kk), wv);
#if LLM__DOT_ROWS == 4
        if (NB > 2) llm__fma4(a[2], llm__vld(x + 2 * xs + kk), wv);
        if (NB > 3) llm__fma4(a[3], llm__vld(x + 3 * xs + kk), wv);
#endif
    }
    for (b = 0; b < NB; b++) for (j = 0; j < 4; j++) s[4 * b + j] = llm__vsum(a[b][j]);
    for (; k < IC; k++)
        for (j = 0; j < 4; j++) {
            const float v = llm__wget(t, w, r[j] + (size_t)k);
            for (b = 0; b < NB; b++) s[4 * b + j] = fmaf(x[(size_t)b * xs + (size_t)k], v, s[4 * b + j]);
        }
}

#endif /* LLM__VW */

/* The float formats' rows of the table, one instance of each body per format. */
static void llm__row_f32(float *d, const void *w, size_t off, size_t n) { llm__row_fmt(LLM_DTYPE_F32, d, w, off, n); }
static void llm__row_f16(float *d, const void *w, size_t off, size_t n) { llm__row_fmt(LLM_DTYPE_F16, d, w, off, n); }
static void llm__row_bf16(float *d, const void *w, size_t off, size_t n) { llm__row_fmt(LLM_DTYPE_BF16, d, w, off, n); }
#ifdef LLM__VW
static void llm__pack_f32(float *pk, const void *w, size_t off, int kn, int OC) {
    llm__pack_fmt(LLM_DTYPE_F32, pk, w, off, kn, OC);
}
static void llm__pack_f16(float *pk, const void *w, size_t off, int kn, int OC) {
    llm__pack_fmt(LLM_DTYPE_F16, pk, w, off, kn, OC);
}
static void llm__pack_bf16(float *pk, const void *w, size_t off, int kn, int OC) {
    llm__pack_fmt(LLM_DTYPE_BF16, pk, w, off, kn, OC);
}
static void llm__gemv_slab_f32(float *acc, size_t as, const float *x, size_t xs, const void *w, size_t c,
                              int k0, int k1, int OC, int n, int B) {   /* B = 1 (generation): its own instance */
    if (B == 1) llm__gemv_slab_fmt(LLM_DTYPE_F32, acc, as, x, xs, w, c, k0, k1, OC, n, 1);
    else llm__gemv_slab_fmt(LLM_DTYPE_F32, acc, as, x, xs, w, c, k0, k1, OC, n, B);
}
static void llm__gemv_slab_f16(float *acc, size_t as, const float *x, size_t xs, const void *w, size_t c,
                              int k0, int k1, int OC, int n, int B) {   /* B = 1 (generation): its own instance */
    if (B == 1) llm__gemv_slab_fmt(LLM_DTYPE_F16, acc, as, x, xs, w, c, k0, k1, OC, n, 1);
    else llm__gemv_slab_fmt(LLM_DTYPE_F16, acc, as, x, xs, w, c, k0, k1, OC, n, B);
}
static void llm__gemv_slab_bf16(float *acc, size_t as, const float *x, size_t xs, const void *w, size_t c,
                              int k0, int k1, int OC, int n, int B) {   /* B = 1 (generation): its own instance */
    if (B == 1) llm__gemv_slab_fmt(LLM_DTYPE_BF16, acc, as, x, xs, w, c, k0, k1, OC, n, 1);
    else llm__gemv_slab_fmt(LLM_DTYPE_BF16, acc, as, x, xs, w, c, k0, k1, OC, n, B);
}
/* nb <= LLM__DOT_ROWS rows of x: one instance of the body per count */
static LLM__INLINE void llm__dot4_n(llm_dtype t, float *s, const float *x, size_t xs, int nb, const void *w,
                                    const size_t r[4], int IC) {
    switch (nb) {
    case 1: llm__dot4_fmt(t, 1, s, x, xs, w, r, IC); break;
#if LLM__DOT_ROWS == 4
    case 2: llm__dot4_fmt(t, 2, s, x, xs, w, r, IC); break;
    case 3: llm__dot4_fmt(t, 3, s, x, xs, w, r, IC); break;
#endif
    default: llm__dot4_fmt(t, LLM__DOT_ROWS, s, x, xs, w, r, IC); break;
    }
}
static void llm__dot4_f32(float *s, const float *x, size_t xs, int nb, const void *w, const size_t r[4], int IC) {
    llm__dot4_n(LLM_DTYPE_F32, s, x, xs, nb, w, r, IC);
}
static void llm__dot4_f16(float *s, const float *x, size_t xs, int nb, const void *w, const size_t r[4], int IC) {
    llm__dot4_n(LLM_DTYPE_F16, s, x, xs, nb, w, r, IC);
}
static void llm__dot4_bf16(float *s, const float *x, size_t xs, int nb, const void *w, const size_t r[4], int IC) {
    llm__dot4_n(LLM_DTYPE_BF16, s, x, xs, nb, w, r, IC);
}
#endif

/* ---- 8-bit product: I8 weights x activations quantized per block ---------
   The activations are quantized like the weights, per row and per block of
   LLM__QB inputs: amax = max |x| over the block; d = amax / 127 and
   id = 127 / amax (f32 divisions; d = id = 0 when amax is 0); q =
   x * id (an f32 product) rounded to the nearest integer, ties to even
   (|q| <= 127). A row or block holding a NaN or an infinity gets q = 0 and
   d = NaN, so its outputs are NaN, as in f32. An output is then
   acc = 0; acc = fmaf((float)isum_j, dx_j * dw_j, acc) for the blocks
   j = 0, 1, ... in order, isum_j the exact int32 sum of the block's
   products; then + bias, then stored, added or passed through the
   activation (llm__q8_finish). Every kernel below computes exactly this,
   so a product is bit-identical whatever the kernel, the batch size or
   the thread count (the activation is the build's: llm__vact in SIMD
   builds, llm__act1 in the scalar one).

   Kernels (the weights are used as stored, [out, in], mmap'd or in
   flash; only the AVX-512 GEMM repacks them, a panel at a time, into
   per-thread scratch):
   - LLM__Q8 3 (AVX-512 BW + VNNI, zmm): the activations are stored as
     q + 128 (u8) for vpdpbusd (u8 x s8); the block sum is
     sum (q + 128) w - 128 sum w, both exact int32.
   - LLM__Q8 1 (AVX2, ymm, vpmaddubsw or AVX-VNNI's vpdpbusd): |w| (u8,
     128 for -128) times q with the sign of w (|q| <= 127, so no
     overflow: 2 * 128 * 127 < 32768).
   - none: the scalar loop.
   One row (GEMV): a tile of LLM__QR outputs streams its rows once; each
   output's block sums are reduced across lanes so that a vector holds
   one block's sums for LLM__QR outputs, and the float steps run across
   outputs. Several rows (GEMM), AVX-512: a thread takes a panel of
   LLM__Q8P (32) outputs and repacks its weights so that one load gives
   16 outputs' 4 consecutive weights ([block][k / 4][output][4], with
   the block sums -128 sum w and the scales as f32 beside them); the
   activations stay in rows. The kernel holds 6 rows x 32 outputs of
   int32 sums in 12 registers (vpdpbusd has a latency of about 4 cycles
   and 2 issue ports, so it needs 8 or more independent sums), loads each
   weight vector once for 6 rows and broadcasts each row's 4 activations
   once for 32 outputs: 8 loads per 12 vpdpbusd. After each block the 12
   sums go through the float step into 12 f32 accumulators (the outputs
   in lanes, so the results are stored as rows). AVX2: the activations
   are packed with a lane per row (LLM__QR rows a tile, 4 inputs a lane:
   [tile][block][k / 4][row][4]); each 4-byte group of a weight row is
   broadcast against LLM__QR rows, 4 outputs at a time, so each weight is
   loaded once per LLM__QR rows and the float steps run across rows.

   In file order: the scratch layout; quantizing (llm__q8_block, then
   llm__q8_quant and llm__q8_from_float, the table's activation step); the
   output step (llm__q8_finish); the SIMD kernels (the integer dot products,
   the GEMV's step, the tile setup, llm__q8_gemv, then the GEMM: AVX-512's
   llm__q8_pack, llm__q8_kernel, llm__q8_gemm or AVX2's llm__q8_kernel,
   llm__q8_gemm) or the scalar one (llm__q8_dots); llm__mm_q8, the table's
   product, which picks one; llm__q8_get_row, the table's embedding row. */

#if defined(LLM__VW) && LLM__VW == 16 && defined(__AVX512BW__) && defined(__AVX512VNNI__)
#define LLM__Q8 3
#define LLM__QR 16   /* lanes: outputs (GEMV) or rows (GEMM) */
#define LLM__Q8X 0x80 /* stored activation = q ^ LLM__Q8X */
#elif defined(LLM__VW)
#define LLM__Q8 1
#define LLM__QR 8
#define LLM__Q8X 0
#else
#define LLM__Q8X 0
#endif
#if defined(LLM__Q8) && LLM__Q8 == 3
#define LLM__Q8P 32  /* GEMM: outputs per panel (a thread's unit): two vectors */
#define LLM__Q8R 6   /* GEMM: rows per kernel call */
#else
#define LLM__Q8P 16  /* GEMM: outputs per panel (a thread's unit) */
#endif
#define LLM__Q8GEMV 3 /* up to this many rows: one GEMV per row */

/* Blocks per row as stored for the one-row kernels (even: the zmm GEMV
   reads two at a time). */
static int llm__q8_nb2(int IC) { return ((IC + LLM__QB - 1) / LLM__QB + 1) & ~1; }

/* Rows of quantized activations kept for B rows: the SIMD kernels pack
   them in tiles of LLM__QR (at most 16) rows; the scalar loop needs B. */
static size_t llm__q8_nrows(int B) {
#ifdef LLM__Q8
    return ((size_t)B + 15) / 16 * 16;
#else
    return (size_t)B;
#endif
}

/* The 8-bit product's scratch for B rows of IC inputs and nt threads: offsets in floats from the scratch's start
   rounded up to 64 bytes (llm__align64):
     dx   the activations' block scales, [rows][nb2] (rows: llm__q8_nrows(B), nb2: llm__q8_nb2(IC))
     xq   the quantized activations, rows x nb2 x LLM__QB bytes (laid out as llm__q8_quant writes them)
     thr  the threads' parts (SIMD), thread t's at thr + t * thr_size: a panel's weight scales as f32,
          [LLM__Q8P][nb], then (GEMM) its weights' block sums, [LLM__Q8P][nb] int32
   Every piece starts on 64 bytes. size: the floats to allocate, alignment slack included (sizes within the
   model limits cannot overflow). llm__scratch_floats() sizes with it; llm__q8_from_float and llm__mm_q8 carve
   with it. */
typedef struct llm__q8_layout { size_t dx, xq, thr, thr_size, size; } llm__q8_layout;

static llm__q8_layout llm__q8_layout_of(int B, int IC, int nt) {
    llm__q8_layout L;
    size_t nb2 = (size_t)llm__q8_nb2(IC), rows = llm__q8_nrows(B);
    L.dx = 0;
    L.xq = (rows * nb2 + 15) / 16 * 16;
    L.thr = L.xq + rows * nb2 * LLM__QB / sizeof(float);   /* nb2 is even: a multiple of 16 floats */
#if defined(LLM__Q8) && LLM__Q8 == 3
    L.thr_size = ((LLM__Q8P * LLM__QB / sizeof(float) + 2 * LLM__Q8P + 1) * nb2 + 15) / 16 * 16;   /* a GEMM panel */
#elif defined(LLM__Q8)
    L.thr_size = 2 * LLM__Q8P * nb2;
#else
    L.thr_size = 0;
#endif
    L.size = L.thr + (size_t)nt * L.thr_size + 16;
    return L;
}

#if !defined(LLM__Q8) || LLM__Q8 != 3
/* round to nearest, ties to even, for |v| <= 127.5 (exact: no FP mode) */
static int llm__round_even(float v) {
    int q = (int)v;                    /* towards zero */
    float f = v - (float)q;            /* exact */
    if (f > 0.5f || (f == 0.5f && (q & 1))) q++;
    else if (f < -0.5f || (f == -0.5f && (q & 1))) q--;
    return q;
}
#endif

/* One block x[0..n), n <= LLM__QB: q[0..QB) ^ LLM__Q8X (q zero past n),
   returns d. */
static float llm__q8_block(signed char *q, const float *x, int n) {
    float amax = 0.0f, id;
#if LLM__Q8 == 3
    {
        const __mmask16 m0 = (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1),
                        m1 = (__mmask16)(n >= 32 ? 0xffff : n <= 16 ? 0 : (1u << (n - 16)) - 1);
        const __m512 a = _mm512_maskz_loadu_ps(m0, x), b = _mm512_maskz_loadu_ps(m1, x + 16),
                     big = _mm512_set1_ps(3.40282347e38f);
        const __m512 aa = _mm512_abs_ps(a), ab = _mm512_abs_ps(b);
        __m512 vid;
        const __m128i x80 = _mm_set1_epi8((char)0x80);
        if (_mm512_cmp_ps_mask(aa, big, _CMP_NLE_UQ) | _mm512_cmp_ps_mask(ab, big, _CMP_NLE_UQ)) {
            memset(q, LLM__Q8X, LLM__QB);
            return (float)NAN;
        }
        amax = _mm512_reduce_max_ps(_mm512_max_ps(aa, ab));
        if (amax == 0.0f) { memset(q, LLM__Q8X, LLM__QB); return 0.0f; }
        id = 127.0f / amax;
        vid = _mm512_set1_ps(id);
        _mm_storeu_si128((__m128i *)(void *)q, _mm_xor_si128(x80, _mm512_cvtepi32_epi8(
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(a, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))));
        _mm_storeu_si128((__m128i *)(void *)(q + 16), _mm_xor_si128(x80, _mm512_cvtepi32_epi8(
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(b, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))));
        return amax / 127.0f;
    }
#else
    int i, bad = 0;
#if LLM__Q8 == 1
    if (n == LLM__QB) {
        const __m256 sg = _mm256_set1_ps(-0.0f), big = _mm256_set1_ps(3.40282347e38f);
        __m256 v[4], mx = _mm256_setzero_ps(), vid;
        __m256i r[4], p;
        __m128 h;
        int bm = 0;
        for (i = 0; i < 4; i++) {
            __m256 a;
            v[i] = _mm256_loadu_ps(x + 8 * i);
            a = _mm256_andnot_ps(sg, v[i]);
            bm |= _mm256_movemask_ps(_mm256_cmp_ps(a, big, _CMP_NLE_UQ));
            mx = _mm256_max_ps(mx, a);
        }
        if (bm) { memset(q, 0, LLM__QB); return (float)NAN; }
        h = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        amax = _mm_cvtss_f32(h);
        if (amax == 0.0f) { memset(q, 0, LLM__QB); return 0.0f; }
        id = 127.0f / amax;
        vid = _mm256_set1_ps(id);
        for (i = 0; i < 4; i++)
            r[i] = _mm256_cvttps_epi32(_mm256_round_ps(_mm256_mul_ps(v[i], vid),
                                                       _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        p = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
        p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(void *)q, p);
        return amax / 127.0f;
    }
#endif
    for (i = 0; i < n; i++) {
        float v = fabsf(x[i]);
        if (!(v <= 3.40282347e38f)) bad = 1;
        else if (v > amax) amax = v;
    }
    memset(q, 0, LLM__QB);
    if (bad) return (float)NAN;
    if (amax == 0.0f) return 0.0f;
    id = 127.0f / amax;
    for (i = 0; i < n; i++) q[i] = (signed char)llm__round_even(x[i] * id);
    return amax / 127.0f;
#endif
}

#if LLM__Q8 == 3
/* The per-lane maxima of |x| over 4 blocks (a load mask each), arranged
   for llm__q8_blocks16: lane 4 l + i holds block i's maximum over its
   elements 4 l .. 4 l + 3 and 16 + 4 l .. 16 + 4 l + 3; *bad |= the lanes
   holding a NaN or an infinity. */
static LLM__INLINE __m512 llm__q8_amax4(const float *x, const __mmask16 *m, __mmask16 *bad) {
    const __m512 big = _mm512_set1_ps(3.40282347e38f);
    __m512 v[4], t0, t1;
    int i;
    for (i = 0; i < 4; i++) {
        const __m512 a = _mm512_abs_ps(_mm512_maskz_loadu_ps(m[i], x + 32 * i)),
                     b = _mm512_abs_ps(_mm512_maskz_loadu_ps(m[i], x + 32 * i + 16));
        *bad |= (__mmask16)(_mm512_cmp_ps_mask(a, big, _CMP_NLE_UQ) | _mm512_cmp_ps_mask(b, big, _CMP_NLE_UQ));
        v[i] = _mm512_max_ps(a, b);
    }
    t0 = _mm512_max_ps(_mm512_unpacklo_ps(v[0], v[1]), _mm512_unpackhi_ps(v[0], v[1]));
    t1 = _mm512_max_ps(_mm512_unpacklo_ps(v[2], v[3]), _mm512_unpackhi_ps(v[2], v[3]));
    return _mm512_max_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))),
                         _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1))));
}
static LLM__INLINE __m512 llm__q8_max4(__m512 a, __m512 b) {
    return _mm512_max_ps(_mm512_shuffle_f32x4(a, b, 0x88), _mm512_shuffle_f32x4(a, b, 0xdd));
}

/* n <= 16 whole blocks of a row at x, quantized as llm__q8_block does one
   (q ^ LLM__Q8X to xq, 32 bytes a block; d to dx), with the 16 maxima and
   divisions done across lanes. Returns 0, writing nothing, when a block
   holds a NaN or an infinity (then llm__q8_block does them one by one). */
static int llm__q8_blocks16(unsigned char *xq, float *dx, const float *x, int n) {
    const __m128i x80 = _mm_set1_epi8((char)0x80);
    __mmask16 m[16], bad = 0, live = (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1);
    __m512 a, id;
    float ids[16];
    int i;
    for (i = 0; i < 16; i++) m[i] = (__mmask16)(i < n ? 0xffff : 0);
    a = llm__q8_max4(llm__q8_max4(llm__q8_amax4(x, m, &bad), llm__q8_amax4(x + 128, m + 4, &bad)),
                     llm__q8_max4(llm__q8_amax4(x + 256, m + 8, &bad), llm__q8_amax4(x + 384, m + 12, &bad)));
    if (bad) return 0;
    id = _mm512_maskz_div_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_GT_OQ), _mm512_set1_ps(127.0f), a);
    _mm512_mask_storeu_ps(dx, live, _mm512_div_ps(a, _mm512_set1_ps(127.0f)));
    _mm512_storeu_ps(ids, id);
    for (i = 0; i < n; i++) {
        const __m512 v = _mm512_set1_ps(ids[i]);
        _mm_storeu_si128((__m128i *)(void *)(xq + 32 * i), _mm_xor_si128(x80, _mm512_cvtepi32_epi8(
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + 32 * i), v),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))));
        _mm_storeu_si128((__m128i *)(void *)(xq + 32 * i + 16), _mm_xor_si128(x80, _mm512_cvtepi32_epi8(
            _mm512_cvt_roundps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + 32 * i + 16), v),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))));
    }
    return 1;
}
#endif

/* Quantize in[B][IC]. packed = 0: row b at xq + b * nb2 * QB, dx + b * nb2;
   packed = 1 (AVX2's GEMM): the layout above, B rounded up to LLM__QR
   (zero rows). Each stored byte is q ^ LLM__Q8X. */
static void llm__q8_quant(unsigned char *xq, float *dx, const float *in, int B, int IC, int packed, int nt) {
    int nb = (IC + LLM__QB - 1) / LLM__QB, nb2 = llm__q8_nb2(IC), b, nr = B;
#ifdef LLM__Q8
    if (packed) nr = (B + LLM__QR - 1) / LLM__QR * LLM__QR;
#else
    (void)packed;
#endif
    (void)nt;
    LLM__PARALLEL_FOR(nt, 8.0 * nr * IC)
    for (b = 0; b < nr; b++) {
        signed char q[LLM__QB];
        int j, i;
        (void)i;
        for (j = 0; j < (packed ? nb : nb2); j++) {
            int n = IC - j * LLM__QB < LLM__QB ? IC - j * LLM__QB : LLM__QB;
            float d = 0.0f;
#if LLM__Q8 == 3
            if (b < B && j % 16 == 0 && j < IC / LLM__QB) {   /* 16 whole blocks at once */
                const int n16 = IC / LLM__QB - j < 16 ? IC / LLM__QB - j : 16;
                const size_t at = (size_t)b * (size_t)nb2 + (size_t)j;
                if (llm__q8_blocks16(xq + at * LLM__QB, dx + at, in + (size_t)b * (size_t)IC + (size_t)j * LLM__QB,
                                     n16)) {
                    j += n16 - 1;
                    continue;
                }
            }
#endif
            if (b < B && j < nb) d = llm__q8_block(q, in + (size_t)b * (size_t)IC + (size_t)j * LLM__QB, n);
            else memset(q, LLM__Q8X, LLM__QB);
#ifdef LLM__Q8
            if (packed) {
                unsigned char *p = xq + ((size_t)(b / LLM__QR) * (size_t)nb + (size_t)j) * LLM__QB * LLM__QR +
                                   (size_t)(b % LLM__QR) * 4;
                for (i = 0; i < LLM__QB / 4; i++) memcpy(p + (size_t)i * 4 * LLM__QR, q + 4 * i, 4);
                dx[((size_t)(b / LLM__QR) * (size_t)nb + (size_t)j) * LLM__QR + (size_t)(b % LLM__QR)] = d;
                continue;
            }
#endif
            memcpy(xq + ((size_t)b * (size_t)nb2 + (size_t)j) * LLM__QB, q, LLM__QB);
            dx[(size_t)b * (size_t)nb2 + (size_t)j] = d;
        }
    }
}

/* The table's activation step for I8: in[B][IC] quantized into scratch (llm__q8_layout_of(B, IC, nt)),
   packed for the GEMM when it will run (SIMD, B > LLM__Q8GEMV); returns the layout's start, where
   llm__mm_q8 reads them. */
static const void *llm__q8_from_float(float *scratch, const float *in, int B, int IC, int nt) {
    const llm__q8_layout L = llm__q8_layout_of(B, IC, nt);
    float *base = llm__align64(scratch);
#if defined(LLM__Q8) && LLM__Q8 == 1
    const int packed = B > LLM__Q8GEMV;
#else
    const int packed = 0;
#endif
    llm__q8_quant((unsigned char *)(void *)(base + L.xq), base + L.dx, in, B, IC, packed, nt);
    return base;
}

/* dst[0..n) = v (flags 0), += v (LLM__MM_ADD) or act(v): lane by lane, the
   same for any n and offset (a short tail goes through a padded vector). */
static void llm__q8_finish(float *dst, const float *v, int n, int flags) {
    int i;
    if (flags & LLM__MM_ACT) {
#ifdef LLM__VW
        for (i = 0; i < n; i += LLM__VW) {
            float t[LLM__VW];
            int k, m = n - i < LLM__VW ? n - i : LLM__VW;
            if (m == LLM__VW) { llm__vst(dst + i, llm__vact(llm__vld(v + i), flags >> 4)); continue; }
            for (k = 0; k < LLM__VW; k++) t[k] = k < m ? v[i + k] : 0.0f;
            llm__vst(t, llm__vact(llm__vld(t), flags >> 4));
            memcpy(dst + i, t, (size_t)m * sizeof(float));
        }
#else
        for (i = 0; i < n; i++) dst[i] = llm__act1(v[i], flags >> 4);
#endif
    } else if (flags & LLM__MM_ADD) {
        for (i = 0; i < n; i++) dst[i] += v[i];
    } else memcpy(dst, v, (size_t)n * sizeof(float));
}

#ifdef LLM__Q8
static int32_t llm__ld32(const void *p) { int32_t v; memcpy(&v, p, 4); return v; }
#if LLM__Q8 == 3
typedef __m512i llm__qi;
typedef __m512 llm__qf;
#define llm__qf_zero() _mm512_setzero_ps()
#define llm__qf_ld(p) _mm512_loadu_ps(p)
#define llm__qf_st(p, v) _mm512_storeu_ps(p, v)
#define llm__qf_set(x) _mm512_set1_ps(x)
#define llm__qf_fma(a, b, c) _mm512_fmadd_ps(a, b, c)
#define llm__qf_mul(a, b) _mm512_mul_ps(a, b)
#define llm__qf_cvt(a) _mm512_cvtepi32_ps(a)
#define llm__qi_set(x) _mm512_set1_epi32(x)
#define llm__qi_ld(p) _mm512_loadu_si512((const void *)(p))
/* acc + per lane sum of its 4 bytes of x (u8) times the 4 bytes at w (s8) */
static LLM__INLINE __m512i llm__qi_dp(__m512i acc, __m512i x, const signed char *w) {
    return _mm512_dpbusd_epi32(acc, x, _mm512_set1_epi32(llm__ld32(w)));
}
#else
typedef __m256i llm__qi;
typedef __m256 llm__qf;
#define llm__qf_zero() _mm256_setzero_ps()
#define llm__qf_ld(p) _mm256_loadu_ps(p)
#define llm__qf_st(p, v) _mm256_storeu_ps(p, v)
#define llm__qf_set(x) _mm256_set1_ps(x)
#define llm__qf_fma(a, b, c) _mm256_fmadd_ps(a, b, c)
#define llm__qf_mul(a, b) _mm256_mul_ps(a, b)
#define llm__qf_cvt(a) _mm256_cvtepi32_ps(a)
#define llm__qi_set(x) _mm256_set1_epi32(x)
#define llm__qi_ld(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
/* acc + per 4-byte lane sum of x (s8, |x| <= 127) times w (s8): |w| x
   sign(w) x, u8 x s8 pairs that cannot saturate */
static LLM__INLINE __m256i llm__qi_dot(__m256i acc, __m256i x, __m256i w) {
    const __m256i aw = _mm256_abs_epi8(w), sx = _mm256_sign_epi8(x, w);
#if defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(acc, aw, sx);
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(acc, aw, sx);
#else
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sx), _mm256_set1_epi16(1)));
#endif
}
static LLM__INLINE __m256i llm__qi_dp(__m256i acc, __m256i x, const signed char *w) {
    return llm__qi_dot(acc, x, _mm256_set1_epi32(llm__ld32(w)));
}
#endif

/* One step of the GEMV: the exact block sums of LLM__QR outputs (p[o]:
   where output o's step starts) for the step's blocks: zmm: 2 blocks
   (64 bytes, mask m for the last), lo = block j and hi = block j + 1 for
   outputs 0..15 in lane order; ymm: 1 block, in lo. */
#if LLM__Q8 == 3
static LLM__INLINE __m512i llm__q8_v(const signed char *p, __mmask64 m, __m512i x) {
    const __m512i w = _mm512_maskz_loadu_epi8(m, p), z = _mm512_setzero_si512();
    return _mm512_sub_epi32(_mm512_dpbusd_epi32(z, x, w), _mm512_dpbusd_epi32(z, _mm512_set1_epi8((char)0x80), w));
}
static LLM__INLINE __m512i llm__q8_r1(__m512i a, __m512i b) {
    return _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
}
static LLM__INLINE __m512i llm__q8_r2(__m512i a, __m512i b) {
    return _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
}
static LLM__INLINE __m512i llm__q8_r3(__m512i a, __m512i b) {
    return _mm512_add_epi32(_mm512_shuffle_i32x4(a, b, 0x88), _mm512_shuffle_i32x4(a, b, 0xdd));
}
static LLM__INLINE void llm__q8_step(__m512i *lo, __m512i *hi, const signed char *const *wr, size_t k, __mmask64 m,
                                     __m512i x) {
    const signed char *p[16];
    int o;
    for (o = 0; o < 16; o++) p[o] = wr[o] + k;
    {
    __m512i t0 = llm__q8_r1(llm__q8_v(p[0], m, x), llm__q8_v(p[1], m, x)), t1 = llm__q8_r1(llm__q8_v(p[2], m, x),
                                                                                           llm__q8_v(p[3], m, x));
    __m512i t2 = llm__q8_r1(llm__q8_v(p[4], m, x), llm__q8_v(p[5], m, x)), t3 = llm__q8_r1(llm__q8_v(p[6], m, x),
                                                                                           llm__q8_v(p[7], m, x));
    __m512i t4 = llm__q8_r1(llm__q8_v(p[8], m, x), llm__q8_v(p[9], m, x)), t5 = llm__q8_r1(llm__q8_v(p[10], m, x),
                                                                                           llm__q8_v(p[11], m, x));
    __m512i t6 = llm__q8_r1(llm__q8_v(p[12], m, x), llm__q8_v(p[13], m, x)), t7 = llm__q8_r1(llm__q8_v(p[14], m, x),
                                                                                             llm__q8_v(p[15], m, x));
    __m512i w0 = llm__q8_r3(llm__q8_r2(t0, t1), llm__q8_r2(t2, t3)), w1 = llm__q8_r3(llm__q8_r2(t4, t5),
                                                                                     llm__q8_r2(t6, t7));
    *lo = _mm512_shuffle_i32x4(w0, w1, 0x88);
    *hi = _mm512_shuffle_i32x4(w0, w1, 0xdd);
    }
}
#else
static LLM__INLINE __m256i llm__q8_v(const signed char *p, __m256i x) {
    return llm__qi_dot(_mm256_setzero_si256(), x, _mm256_loadu_si256((const __m256i *)(const void *)p));
}
static LLM__INLINE __m256i llm__q8_r1(__m256i a, __m256i b) {
    return _mm256_add_epi32(_mm256_unpacklo_epi32(a, b), _mm256_unpackhi_epi32(a, b));
}
static LLM__INLINE __m256i llm__q8_r2(__m256i a, __m256i b) {
    return _mm256_add_epi32(_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b));
}
static LLM__INLINE void llm__q8_step(__m256i *lo, const signed char *const *p, __m256i x) {
    __m256i u0 = llm__q8_r2(llm__q8_r1(llm__q8_v(p[0], x), llm__q8_v(p[1], x)),
                            llm__q8_r1(llm__q8_v(p[2], x), llm__q8_v(p[3], x)));
    __m256i u1 = llm__q8_r2(llm__q8_r1(llm__q8_v(p[4], x), llm__q8_v(p[5], x)),
                            llm__q8_r1(llm__q8_v(p[6], x), llm__q8_v(p[7], x)));
    *lo = _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}
#endif

/* dst[0..n) = the scales w->scale[off..off+n) as f32 (F16C where there,
   exact as llm__wget) */
static void llm__q8_scales(float *dst, const llm__mat *w, size_t off, size_t n) {
    size_t i = 0;
    if (w->stype == LLM_DTYPE_F32) { memcpy(dst, (const float *)w->scale + off, n * sizeof(float)); return; }
    if (w->stype == LLM_DTYPE_F16) {
#ifdef __F16C__
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)
                                                                      ((const uint16_t *)w->scale + off + i))));
#endif
    } else
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(
                _mm_loadu_si128((const __m128i *)(const void *)((const uint16_t *)w->scale + off + i))), 16)));
    for (; i < n; i++) dst[i] = llm__wget(w->stype, w->scale, off + i);
}

/* Tile setup shared by the kernels: row pointers of outputs o0.. (past OC:
   the last row, results unused) and zero-padded copies of the rows' last
   block when IC is not a multiple of QB (so no read passes a row's end). */
static void llm__q8_rows(const signed char **wr, signed char (*wt)[LLM__QB], const llm__mat *w, int IC, int OC,
                         int o0, int n) {
    int o, nf = IC / LLM__QB, r = IC - nf * LLM__QB;
    for (o = 0; o < n; o++) {
        wr[o] = (const signed char *)w->w + (size_t)(o0 + o < OC ? o0 + o : OC - 1) * (size_t)IC;
        memset(wt[o], 0, LLM__QB);
        if (r) memcpy(wt[o], wr[o] + (size_t)nf * LLM__QB, (size_t)r);
    }
}

/* out[OC] for one quantized row (xq, dx: layout packed = 0). Tiles of
   LLM__QR outputs split over the threads; thread t's part of the scratch
   at thr + t * ts (llm__q8_layout). */
static void llm__q8_gemv(float *out, const unsigned char *xq, const float *dx, const llm__mat *w, const float *bias,
                         int IC, int OC, int flags, int nt, float *thr, size_t ts) {
    int nb = (IC + LLM__QB - 1) / LLM__QB, ntile = (OC + LLM__QR - 1) / LLM__QR, t;
    size_t next = (size_t)LLM__QR * (size_t)IC;
    (void)nt;
    LLM__PARALLEL_FOR(nt, (double)IC * OC)
    for (t = 0; t < ntile; t++) {
        float *dwf = thr + (size_t)LLM__TID * ts, res[LLM__QR];
        const signed char *wr[LLM__QR];
        signed char wt[LLM__QR][LLM__QB];
        int o0 = t * LLM__QR, no = OC - o0 < LLM__QR ? OC - o0 : LLM__QR, o, j;
        llm__qf acc = llm__qf_zero();
        llm__q8_rows(wr, wt, w, IC, OC, o0, LLM__QR);
        /* the tile's scales as f32 (contiguous: output o's at dwf[o * nb]),
           read across outputs by a gather */
        /* the next tile's scales: (QR x nb) x 2 or 4 bytes, fetched over its nb steps */
        const char *sp = (const char *)w->scale + (size_t)(o0 + LLM__QR) * (size_t)nb * llm_dtype_size(w->stype);
        llm__q8_scales(dwf, w, (size_t)o0 * (size_t)nb, (size_t)(no < LLM__QR ? no : LLM__QR) * (size_t)nb);
        for (o = no; o < LLM__QR; o++)
            memcpy(dwf + (size_t)o * nb, dwf + (size_t)(no - 1) * nb, (size_t)nb * sizeof(float));
#if LLM__Q8 == 3
        const __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                               _mm512_set1_epi32(nb));
        (void)wt;
        for (j = 0; j < nb; j += 2) {
            int k = j * LLM__QB, nv = IC - k < 64 ? IC - k : 64;
            const __mmask64 m = nv == 64 ? ~(__mmask64)0 : (((__mmask64)1 << nv) - 1);
            __m512i lo, hi;
            /* the next tile */
            for (o = 0; o < LLM__QR; o++) _mm_prefetch((const char *)(wr[o] + next + (size_t)k), _MM_HINT_T0);
            _mm_prefetch(sp + (size_t)j * 32, _MM_HINT_T0);
            llm__q8_step(&lo, &hi, wr, (size_t)k, m, _mm512_loadu_si512((const void *)(xq + k)));
            acc = llm__qf_fma(llm__qf_cvt(lo),
                              llm__qf_mul(llm__qf_set(dx[j]), _mm512_i32gather_ps(idx, dwf + j, 4)), acc);
            if (j + 1 < nb)
                acc = llm__qf_fma(llm__qf_cvt(hi),
                                  llm__qf_mul(llm__qf_set(dx[j + 1]), _mm512_i32gather_ps(idx, dwf + j + 1, 4)), acc);
        }
#else
        const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(nb));
        for (j = 0; j < nb; j++) {
            int full = (j + 1) * LLM__QB <= IC;
            const signed char *p[LLM__QR];
            __m256i lo;
            for (o = 0; o < LLM__QR; o++) {
                p[o] = full ? wr[o] + (size_t)j * LLM__QB : wt[o];
                _mm_prefetch((const char *)(wr[o] + next + (size_t)j * LLM__QB), _MM_HINT_T0);
            }
            _mm_prefetch(sp + (size_t)j * 64, _MM_HINT_T0);
            llm__q8_step(&lo, p, llm__qi_ld(xq + (size_t)j * LLM__QB));
            acc = llm__qf_fma(llm__qf_cvt(lo),
                              llm__qf_mul(llm__qf_set(dx[j]), _mm256_i32gather_ps(dwf + j, idx, 4)), acc);
        }
#endif
        llm__qf_st(res, acc);
        if (bias) for (o = 0; o < no; o++) res[o] += bias[o0 + o];
        llm__q8_finish(out + o0, res, no, flags);
    }
}

#if LLM__Q8 == 3
/* A GEMM panel: the LLM__Q8P (32) outputs o0.. repacked so that a vector
   load gives 16 outputs' 4 consecutive weights: pw[j][k / 4][o][4] for
   the blocks j < nb (zero past IC and for outputs past OC); negc[j][o] =
   -128 x the sum of output o's weights in block j (exact int32); dw[j][o]
   = its scale as f32; tmp: nb floats. */
static void llm__q8_pack(signed char *pw, int32_t *negc, float *dw, float *tmp, const llm__mat *w, int IC, int OC,
                         int o0) {
    const int nb = (IC + LLM__QB - 1) / LLM__QB, nf = IC / LLM__QB;
    const __m512i x80 = _mm512_set1_epi8((char)0x80);
    const signed char *w0 = (const signed char *)w->w + (size_t)o0 * (size_t)IC;
    int o, j, k, g;
    for (o = 0; o < LLM__Q8P; o++) {
        const int live = o0 + o < OC;
        if (live) llm__q8_scales(tmp, w, (size_t)(o0 + o) * (size_t)nb, (size_t)nb);
        for (j = 0; j < nb; j++) dw[(size_t)j * LLM__Q8P + (size_t)o] = live ? tmp[j] : 0.0f;
    }
    for (g = 0; g < LLM__Q8P; g += 16)
        for (j = 0; j < nb; j++) {
            signed char *pj = pw + (size_t)j * LLM__QB * LLM__Q8P + (size_t)g * 4;
            __m512i a = _mm512_setzero_si512();
            if (j < nf && o0 + g + 16 <= OC) {   /* 16 whole rows: a 16 x 8 transpose of 4-byte groups */
                const signed char *src = w0 + (size_t)g * (size_t)IC + (size_t)j * LLM__QB;
                const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), hi = _mm512_setr_epi64(2, 3, 10, 11, 6,
                                                                                                        7, 14, 15);
                __m512i z[8], u[8], e[8];
                for (k = 0; k < 8; k++)   /* [row k | row k + 8], 8 groups each */
                    z[k] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(const void *)
                        (src + (size_t)k * (size_t)IC))), _mm256_loadu_si256((const __m256i *)(const void *)
                        (src + (size_t)(k + 8) * (size_t)IC)), 1);
                for (k = 0; k < 8; k += 2) {
                    u[k] = _mm512_unpacklo_epi32(z[k], z[k + 1]);
                    u[k + 1] = _mm512_unpackhi_epi32(z[k], z[k + 1]);
                }
                for (k = 0; k < 8; k += 4) {   /* e[k + i]: rows k..k+3 (and +8), group i (128-bit lanes 0, 2)
                                                  and 4 + i (lanes 1, 3) */
                    e[k] = _mm512_unpacklo_epi64(u[k], u[k + 2]);
                    e[k + 1] = _mm512_unpackhi_epi64(u[k], u[k + 2]);
                    e[k + 2] = _mm512_unpacklo_epi64(u[k + 1], u[k + 3]);
                    e[k + 3] = _mm512_unpackhi_epi64(u[k + 1], u[k + 3]);
                }
                for (k = 0; k < 4; k++) {
                    _mm512_storeu_si512((void *)(pj + (size_t)k * 4 * LLM__Q8P), _mm512_permutex2var_epi64(e[k], lo,
                                                                                                             e[4 + k]));
                    _mm512_storeu_si512((void *)(pj + (size_t)(k + 4) * 4 * LLM__Q8P),
                                        _mm512_permutex2var_epi64(e[k], hi, e[4 + k]));
                }
            } else   /* the last block or rows past OC: zero past IC and OC */
                for (o = g; o < g + 16; o++)
                    for (k = 0; k < LLM__QB; k += 4) {
                        const signed char *wr = w0 + (size_t)o * (size_t)IC;
                        int32_t v = 0;
                        int at = j * LLM__QB + k;
                        if (o0 + o < OC && at < IC) memcpy(&v, wr + at, (size_t)(IC - at < 4 ? IC - at : 4));
                        memcpy(pj + (size_t)k * LLM__Q8P + (size_t)(o - g) * 4, &v, 4);
                    }
            for (k = 0; k < LLM__QB / 4; k++)
                a = _mm512_dpbusd_epi32(a, x80, _mm512_loadu_si512((const void *)(pj + (size_t)k * 4 * LLM__Q8P)));
            _mm512_storeu_si512((void *)(negc + (size_t)j * LLM__Q8P + (size_t)g),
                                _mm512_sub_epi32(_mm512_setzero_si512(), a));
        }
}

/* One row of the kernel, one step: a0, a1 (outputs 0..15, 16..31) += the
   row's 4 activations at x (u8) times w0, w1 (the panel's weights). */
static LLM__INLINE void llm__q8_dp2(__m512i *a0, __m512i *a1, const unsigned char *x, __m512i w0, __m512i w1) {
    const __m512i b = _mm512_set1_epi32(llm__ld32(x));
    *a0 = _mm512_dpbusd_epi32(*a0, b, w0);
    *a1 = _mm512_dpbusd_epi32(*a1, b, w1);
}
/* One row of the kernel, a block's float step: f += (f32)a x (dx x dw). */
static LLM__INLINE void llm__q8_fs2(__m512 *f0, __m512 *f1, __m512i a0, __m512i a1, float dx, __m512 d0, __m512 d1) {
    const __m512 s = _mm512_set1_ps(dx);
    *f0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a0), _mm512_mul_ps(s, d0), *f0);
    *f1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a1), _mm512_mul_ps(s, d1), *f1);
}

/* c[r][0..32) = the products of the panel (pw, negc, dw: llm__q8_pack) with
   the LLM__Q8R (6) activation rows at x[r] (scales dx[r]), block by block:
   12 int32 sums (6 rows x 2 vectors of 16 outputs) in registers, each
   block's weights loaded once for the 6 rows and each row's 4 activations
   broadcast once for the 32 outputs. */
static void llm__q8_kernel(float *c, const unsigned char *const *x, const float *const *dx, const signed char *pw,
                           const int32_t *negc, const float *dw, int nb) {
    __m512 f00 = _mm512_setzero_ps(), f01 = f00, f10 = f00, f11 = f00, f20 = f00, f21 = f00, f30 = f00, f31 = f00;
    __m512 f40 = f00, f41 = f00, f50 = f00, f51 = f00;
    const unsigned char *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4], *x5 = x[5];
    int j, k;
    for (j = 0; j < nb; j++, pw += LLM__QB * LLM__Q8P) {
        const __m512i n0 = _mm512_loadu_si512((const void *)(negc + (size_t)j * LLM__Q8P)),
                      n1 = _mm512_loadu_si512((const void *)(negc + (size_t)j * LLM__Q8P + 16));
        const __m512 d0 = _mm512_loadu_ps(dw + (size_t)j * LLM__Q8P),
                     d1 = _mm512_loadu_ps(dw + (size_t)j * LLM__Q8P + 16);
        __m512i a00 = n0, a01 = n1, a10 = n0, a11 = n1, a20 = n0, a21 = n1, a30 = n0, a31 = n1;
        __m512i a40 = n0, a41 = n1, a50 = n0, a51 = n1;
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#pragma GCC unroll 8
#endif
        for (k = 0; k < LLM__QB; k += 4) {
            const __m512i w0 = _mm512_loadu_si512((const void *)(pw + (size_t)k * LLM__Q8P)),
                          w1 = _mm512_loadu_si512((const void *)(pw + (size_t)k * LLM__Q8P + 64));
            const size_t i = (size_t)j * LLM__QB + (size_t)k;
            llm__q8_dp2(&a00, &a01, x0 + i, w0, w1);
            llm__q8_dp2(&a10, &a11, x1 + i, w0, w1);
            llm__q8_dp2(&a20, &a21, x2 + i, w0, w1);
            llm__q8_dp2(&a30, &a31, x3 + i, w0, w1);
            llm__q8_dp2(&a40, &a41, x4 + i, w0, w1);
            llm__q8_dp2(&a50, &a51, x5 + i, w0, w1);
        }
        llm__q8_fs2(&f00, &f01, a00, a01, dx[0][j], d0, d1);
        llm__q8_fs2(&f10, &f11, a10, a11, dx[1][j], d0, d1);
        llm__q8_fs2(&f20, &f21, a20, a21, dx[2][j], d0, d1);
        llm__q8_fs2(&f30, &f31, a30, a31, dx[3][j], d0, d1);
        llm__q8_fs2(&f40, &f41, a40, a41, dx[4][j], d0, d1);
        llm__q8_fs2(&f50, &f51, a50, a51, dx[5][j], d0, d1);
    }
    _mm512_storeu_ps(c, f00); _mm512_storeu_ps(c + 16, f01); _mm512_storeu_ps(c + 32, f10);
    _mm512_storeu_ps(c + 48, f11); _mm512_storeu_ps(c + 64, f20); _mm512_storeu_ps(c + 80, f21);
    _mm512_storeu_ps(c + 96, f30); _mm512_storeu_ps(c + 112, f31); _mm512_storeu_ps(c + 128, f40);
    _mm512_storeu_ps(c + 144, f41); _mm512_storeu_ps(c + 160, f50); _mm512_storeu_ps(c + 176, f51);
}

/* out[B,OC] for B rows quantized as for the GEMV (layout packed = 0):
   panels of LLM__Q8P outputs split over the threads; per panel the
   weights repacked (llm__q8_pack, in the thread's part of the scratch,
   thr + t * ts), then the rows LLM__Q8R at a time (a last, short group
   repeats row B - 1 and drops it). */
static void llm__q8_gemm(float *out, const unsigned char *xq, const float *dx, const llm__mat *w, const float *bias,
                         int B, int IC, int OC, int flags, int nt, float *thr, size_t ts) {
    const int nb = (IC + LLM__QB - 1) / LLM__QB, nb2 = llm__q8_nb2(IC), npan = (OC + LLM__Q8P - 1) / LLM__Q8P;
    int p;
    (void)nt;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (p = 0; p < npan; p++) {
        float *base = thr + (size_t)LLM__TID * ts, c[LLM__Q8R * LLM__Q8P];
        signed char *pw = (signed char *)(void *)base;
        int32_t *negc = (int32_t *)(void *)(base + (size_t)nb2 * (LLM__Q8P * LLM__QB / sizeof(float)));
        float *dw = (float *)(void *)(negc + (size_t)nb2 * LLM__Q8P), *tmp = dw + (size_t)nb2 * LLM__Q8P;
        const int o0 = p * LLM__Q8P, no = OC - o0 < LLM__Q8P ? OC - o0 : LLM__Q8P;
        int b, r, o;
        llm__q8_pack(pw, negc, dw, tmp, w, IC, OC, o0);
        for (b = 0; b < B; b += LLM__Q8R) {
            const unsigned char *xr[LLM__Q8R];
            const float *dr[LLM__Q8R];
            for (r = 0; r < LLM__Q8R; r++) {
                const size_t row = (size_t)(b + r < B ? b + r : B - 1);
                xr[r] = xq + row * (size_t)nb2 * LLM__QB;
                dr[r] = dx + row * (size_t)nb2;
            }
            llm__q8_kernel(c, xr, dr, pw, negc, dw, nb);
            for (r = 0; r < LLM__Q8R && b + r < B; r++) {
                float *row = c + (size_t)r * LLM__Q8P, *dst = out + (size_t)(b + r) * (size_t)OC + (size_t)o0;
                if (no == LLM__Q8P) {   /* llm__q8_finish's steps on two vectors */
                    __m512 v0 = _mm512_loadu_ps(row), v1 = _mm512_loadu_ps(row + 16);
                    if (bias) {
                        v0 = _mm512_add_ps(v0, _mm512_loadu_ps(bias + o0));
                        v1 = _mm512_add_ps(v1, _mm512_loadu_ps(bias + o0 + 16));
                    }
                    if (flags & LLM__MM_ACT) {
                        v0 = llm__vact(v0, flags >> 4);
                        v1 = llm__vact(v1, flags >> 4);
                    } else if (flags & LLM__MM_ADD) {
                        v0 = _mm512_add_ps(_mm512_loadu_ps(dst), v0);
                        v1 = _mm512_add_ps(_mm512_loadu_ps(dst + 16), v1);
                    }
                    _mm512_storeu_ps(dst, v0);
                    _mm512_storeu_ps(dst + 16, v1);
                    continue;
                }
                if (bias) for (o = 0; o < no; o++) row[o] += bias[o0 + o];
                llm__q8_finish(dst, row, no, flags);
            }
        }
    }
}
#else
/* c[o][0..QR) = the products of 4 outputs (wr: rows, wt: last-block
   copies, negc / dwf: per output nb values) with the QR rows of one
   packed tile (xp, dxp), each accumulated block by block in order. */
static void llm__q8_kernel(float *c, const unsigned char *xp, const float *dxp, const signed char *const *wr,
                           signed char (*wt)[LLM__QB], const int32_t *negc, const float *dwf, int nb, int nfull) {
    llm__qf f0 = llm__qf_zero(), f1 = f0, f2 = f0, f3 = f0, dv;
    int j, k;
    for (j = 0; j < nb; j++, xp += LLM__QB * LLM__QR) {
        const int full = j < nfull;
        const signed char *w0 = full ? wr[0] + (size_t)j * LLM__QB : wt[0],
                          *w1 = full ? wr[1] + (size_t)j * LLM__QB : wt[1];
        const signed char *w2 = full ? wr[2] + (size_t)j * LLM__QB : wt[2],
                          *w3 = full ? wr[3] + (size_t)j * LLM__QB : wt[3];
        llm__qi i0 = llm__qi_set(negc[j]), i1 = llm__qi_set(negc[nb + j]), i2 = llm__qi_set(negc[2 * nb + j]),
                i3 = llm__qi_set(negc[3 * nb + j]);
        /* unrolled: else gcc copies the four sums between registers at every
           step (about 10% of an 8-bit prompt's time) */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#pragma GCC unroll 8
#endif
        for (k = 0; k < LLM__QB / 4; k++) {
            const llm__qi x = llm__qi_ld(xp + (size_t)k * 4 * LLM__QR);
            i0 = llm__qi_dp(i0, x, w0 + 4 * k);
            i1 = llm__qi_dp(i1, x, w1 + 4 * k);
            i2 = llm__qi_dp(i2, x, w2 + 4 * k);
            i3 = llm__qi_dp(i3, x, w3 + 4 * k);
        }
        dv = llm__qf_ld(dxp + (size_t)j * LLM__QR);
        f0 = llm__qf_fma(llm__qf_cvt(i0), llm__qf_mul(dv, llm__qf_set(dwf[j])), f0);
        f1 = llm__qf_fma(llm__qf_cvt(i1), llm__qf_mul(dv, llm__qf_set(dwf[nb + j])), f1);
        f2 = llm__qf_fma(llm__qf_cvt(i2), llm__qf_mul(dv, llm__qf_set(dwf[2 * nb + j])), f2);
        f3 = llm__qf_fma(llm__qf_cvt(i3), llm__qf_mul(dv, llm__qf_set(dwf[3 * nb + j])), f3);
    }
    llm__qf_st(c, f0); llm__qf_st(c + LLM__QR, f1); llm__qf_st(c + 2 * LLM__QR, f2); llm__qf_st(c + 3 * LLM__QR, f3);
}

/* out[B,OC] for B packed rows: panels of LLM__Q8P outputs split over the
   threads; per panel the scales as f32 and (zmm) -128 x the block sums
   of the weights (in the thread's part of the scratch, thr + t * ts),
   then every tile of rows. */
static void llm__q8_gemm(float *out, const unsigned char *xq, const float *dx, const llm__mat *w, const float *bias,
                         int B, int IC, int OC, int flags, int nt, float *thr, size_t ts) {
    int nb = (IC + LLM__QB - 1) / LLM__QB, npan = (OC + LLM__Q8P - 1) / LLM__Q8P, ntr = (B + LLM__QR - 1) / LLM__QR, p;
    (void)nt;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (p = 0; p < npan; p++) {
        float *dwf = thr + (size_t)LLM__TID * ts, c[LLM__Q8P * LLM__QR], row[LLM__Q8P];
        int32_t *negc = (int32_t *)(void *)(dwf + (size_t)LLM__Q8P * (size_t)nb);
        const signed char *wr[LLM__Q8P];
        signed char wt[LLM__Q8P][LLM__QB];
        int o0 = p * LLM__Q8P, no = OC - o0 < LLM__Q8P ? OC - o0 : LLM__Q8P, o, tr, g, l;
        llm__q8_rows(wr, wt, w, IC, OC, o0, LLM__Q8P);
        for (o = 0; o < LLM__Q8P; o++)
            llm__q8_scales(dwf + (size_t)o * nb, w, (size_t)(o0 + o < OC ? o0 + o : OC - 1) * (size_t)nb, (size_t)nb);
        memset(negc, 0, (size_t)LLM__Q8P * (size_t)nb * sizeof(int32_t));
        for (tr = 0; tr < ntr; tr++) {
            const unsigned char *xp = xq + (size_t)tr * (size_t)nb * LLM__QB * LLM__QR;
            const float *dxp = dx + (size_t)tr * (size_t)nb * LLM__QR;
            int nr = B - tr * LLM__QR < LLM__QR ? B - tr * LLM__QR : LLM__QR;
            for (g = 0; g < no; g += 4)
                llm__q8_kernel(c + (size_t)g * LLM__QR, xp, dxp, wr + g, wt + g, negc + (size_t)g * nb,
                               dwf + (size_t)g * nb, nb, IC / LLM__QB);
            for (l = 0; l < nr; l++) {
                for (o = 0; o < no; o++) row[o] = bias ? c[o * LLM__QR + l] + bias[o0 + o] : c[o * LLM__QR + l];
                llm__q8_finish(out + (size_t)(tr * LLM__QR + l) * (size_t)OC + (size_t)o0, row, no, flags);
            }
        }
    }
}
#endif /* LLM__Q8 == 3 */
#else
/* The scalar build's product: one dot product per output and row, outputs
   in blocks of 4 split over the threads (xq, dx: layout packed = 0). */
static void llm__q8_dots(float *out, const unsigned char *xq, const float *dx, const llm__mat *w, const float *bias,
                         int B, int IC, int OC, int flags, int nt) {
    int nb = (IC + LLM__QB - 1) / LLM__QB, nb2 = llm__q8_nb2(IC), nblk = (OC + 3) / 4, blk;
    (void)nt;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (blk = 0; blk < nblk; blk++) {
        int o0 = blk * 4, no = OC - o0 < 4 ? OC - o0 : 4, b, o, j, i;
        for (b = 0; b < B; b++)
            for (o = o0; o < o0 + no; o++) {
                const signed char *wr = (const signed char *)w->w + (size_t)o * (size_t)IC;
                const signed char *xr = (const signed char *)xq + (size_t)b * (size_t)nb2 * LLM__QB;
                float acc = 0.0f, v;
                for (j = 0; j < nb; j++) {
                    int n = IC - j * LLM__QB < LLM__QB ? IC - j * LLM__QB : LLM__QB;
                    int32_t isum = 0;
                    for (i = 0; i < n; i++) isum += (int32_t)wr[j * LLM__QB + i] * (int32_t)xr[j * LLM__QB + i];
                    acc = fmaf((float)isum, dx[(size_t)b * (size_t)nb2 + (size_t)j] *
                               llm__wget(w->stype, w->scale, (size_t)o * (size_t)nb + (size_t)j), acc);
                }
                v = bias ? acc + bias[o] : acc;
                llm__q8_finish(out + (size_t)b * (size_t)OC + (size_t)o, &v, 1, flags);
            }
    }
}
#endif /* LLM__Q8 */

/* The table's product for I8 (stored [out, in]): out[B,OC] = x . w + bias,
   x the activations as llm__q8_from_float quantized them (for the same B,
   IC and nt, so in the same layout): the GEMV per row (B <= LLM__Q8GEMV)
   or the GEMM; the scalar build: llm__q8_dots. */
static void llm__mm_q8(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *w, const float *bias,
                       int B, int IC, int OC, int flags, int nt, float *scratch) {
    const llm__q8_layout L = llm__q8_layout_of(B, IC, nt);
    const float *dx = (const float *)x + L.dx;
    const unsigned char *xq = (const unsigned char *)(const void *)((const float *)x + L.xq);
#ifdef LLM__Q8
    float *thr = llm__align64(scratch) + L.thr;
    size_t nb2 = (size_t)llm__q8_nb2(IC);
    int b;
    (void)f;
    if (B <= LLM__Q8GEMV) {
        for (b = 0; b < B; b++)
            llm__q8_gemv(out + (size_t)b * (size_t)OC, xq + (size_t)b * nb2 * LLM__QB, dx + (size_t)b * nb2, w, bias,
                         IC, OC, flags, nt, thr, L.thr_size);
        return;
    }
    llm__q8_gemm(out, xq, dx, w, bias, B, IC, OC, flags, nt, thr, L.thr_size);
#else
    (void)f; (void)scratch;
    llm__q8_dots(out, xq, dx, w, bias, B, IC, OC, flags, nt);
#endif
}

/* The table's embedding row for I8: dst[i] = q[i] * d, d the scale of i's block. */
static void llm__q8_get_row(float *dst, const llm__mat *w, size_t r, size_t n) {
    size_t nb = (n + LLM__QB - 1) / LLM__QB, i;
    const signed char *q = (const signed char *)w->w + r * n;
    for (i = 0; i < n; i++) dst[i] = (float)q[i] * llm__wget(w->stype, w->scale, r * nb + i / LLM__QB);
}

/* ---- [in, out] product, B > 1: packed panels (SIMD) ---------------------- */
#ifdef LLM__VW

/* pk[k][0..NR) = w[k0+k][o0..o0+no) as f32 for k < kn, zero-padded to NR (the table's panel for
   llm__kernel_f32). */
static void llm__pack(void *pkv, const llm__fmt_traits *f, const void *w, int k0, int kn, int OC, int o0, int no) {
    float *pk = (float *)pkv;
    int k, j;
    size_t off = (size_t)k0 * (size_t)OC + (size_t)o0;
    if (no == LLM__NR) { f->pack(pk, w, off, kn, OC); return; }
    for (k = 0; k < kn; k++, pk += LLM__NR, off += (size_t)OC) {
        f->row(pk, w, off, (size_t)no);
        for (j = no; j < LLM__NR; j++) pk[j] = 0.0f;
    }
}

/* c[r][0..NR) += sum_k a_r[k] * p[k][0..NR) for the MR rows a[0..MR), one
   fused multiply-add per k in order. c: MR rows of NR floats.
   pf: rows of the stored matrix (stride pfs bytes) to fetch into L2 while
   computing, one per k for the first npf values of k. */
#define LLM__PF(q) _mm_prefetch((q), _MM_HINT_T1); _mm_prefetch((q) + 64, _MM_HINT_T1); \
    _mm_prefetch((q) + 128, _MM_HINT_T1); _mm_prefetch((q) + LLM__NR * 4 - 1, _MM_HINT_T1)
#if LLM__VW == 16
/* the tile below: LLM__MR = 8 rows of LLM__NR = 3 vectors */
#if LLM__MR != 8 || LLM__NR != 3 * LLM__VW
#error "llm__kernel (AVX-512) is written for LLM__MR 8 and LLM__NR 3 * LLM__VW"
#endif
#define LLM__K(r) x = _mm512_set1_ps(a##r[k]); \
    c##r##0 = _mm512_fmadd_ps(x, w0, c##r##0); c##r##1 = _mm512_fmadd_ps(x, w1, c##r##1); \
    c##r##2 = _mm512_fmadd_ps(x, w2, c##r##2);
#define LLM__KL(r) __m512 c##r##0 = _mm512_load_ps(c + r * LLM__NR), \
    c##r##1 = _mm512_load_ps(c + r * LLM__NR + LLM__VW), c##r##2 = _mm512_load_ps(c + r * LLM__NR + 2 * LLM__VW);
#define LLM__KS(r) _mm512_store_ps(c + r * LLM__NR, c##r##0); _mm512_store_ps(c + r * LLM__NR + LLM__VW, c##r##1); \
    _mm512_store_ps(c + r * LLM__NR + 2 * LLM__VW, c##r##2);
static void llm__kernel(float *c, const float *const *a, const float *p, int K, const char *pf, size_t pfs, int npf) {
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5], *a6 = a[6], *a7 = a[7];
    LLM__KL(0) LLM__KL(1) LLM__KL(2) LLM__KL(3) LLM__KL(4) LLM__KL(5) LLM__KL(6) LLM__KL(7)
    int k;
    for (k = 0; k < K; k++, p += LLM__NR) {
        const __m512 w0 = _mm512_load_ps(p), w1 = _mm512_load_ps(p + LLM__VW), w2 = _mm512_load_ps(p + 2 * LLM__VW);
        __m512 x;
        if (k < npf) { LLM__PF(pf); pf += pfs; }
        LLM__K(0) LLM__K(1) LLM__K(2) LLM__K(3) LLM__K(4) LLM__K(5) LLM__K(6) LLM__K(7)
    }
    LLM__KS(0) LLM__KS(1) LLM__KS(2) LLM__KS(3) LLM__KS(4) LLM__KS(5) LLM__KS(6) LLM__KS(7)
}
#ifdef LLM__BF16DOT
/* The same tile for BF16 (vdpbf16ps): c[r][0..NR) += sum_k a_r[k] * w[k][0..NR) with a_r the bf16 rows of
   llm__bf16_rows from element k0 and p the pairs of llm__panel_bf16 (K inputs, (K + 1) / 2 pairs): per pair
   and lane, sum + the odd product + the even one (each product exact in f32). pf: as llm__kernel, two rows
   of the stored matrix per pair. */
#define LLM__KB(r) memcpy(&xp, a##r + 4 * kp, 4); x = (__m512bh)_mm512_set1_epi32(xp); \
    c##r##0 = _mm512_dpbf16_ps(c##r##0, x, w0); c##r##1 = _mm512_dpbf16_ps(c##r##1, x, w1); \
    c##r##2 = _mm512_dpbf16_ps(c##r##2, x, w2);
static void llm__kernel_bf16(float *c, const void *const *a, int k0, const void *pv, int K, const char *pf,
                             size_t pfs, int npf) {
    const char *a0 = (const char *)a[0] + 2 * (size_t)k0, *a1 = (const char *)a[1] + 2 * (size_t)k0,
               *a2 = (const char *)a[2] + 2 * (size_t)k0, *a3 = (const char *)a[3] + 2 * (size_t)k0,
               *a4 = (const char *)a[4] + 2 * (size_t)k0, *a5 = (const char *)a[5] + 2 * (size_t)k0,
               *a6 = (const char *)a[6] + 2 * (size_t)k0, *a7 = (const char *)a[7] + 2 * (size_t)k0;
    const __m512i *p = (const __m512i *)pv;
    LLM__KL(0) LLM__KL(1) LLM__KL(2) LLM__KL(3) LLM__KL(4) LLM__KL(5) LLM__KL(6) LLM__KL(7)
    int kp, nk = (K + 1) / 2;
    for (kp = 0; kp < nk; kp++, p += 3) {
        const __m512bh w0 = (__m512bh)_mm512_load_si512(p), w1 = (__m512bh)_mm512_load_si512(p + 1),
                       w2 = (__m512bh)_mm512_load_si512(p + 2);
        __m512bh x;
        int xp;
        if (2 * kp < npf) {   /* a row of the panel is 2 * LLM__NR bytes: 2 lines at most */
            _mm_prefetch(pf, _MM_HINT_T1); _mm_prefetch(pf + 2 * LLM__NR - 1, _MM_HINT_T1);
            pf += pfs;
            if (2 * kp + 1 < npf) {
                _mm_prefetch(pf, _MM_HINT_T1); _mm_prefetch(pf + 2 * LLM__NR - 1, _MM_HINT_T1);
                pf += pfs;
            }
        }
        LLM__KB(0) LLM__KB(1) LLM__KB(2) LLM__KB(3) LLM__KB(4) LLM__KB(5) LLM__KB(6) LLM__KB(7)
    }
    LLM__KS(0) LLM__KS(1) LLM__KS(2) LLM__KS(3) LLM__KS(4) LLM__KS(5) LLM__KS(6) LLM__KS(7)
}
#undef LLM__KB
#endif
#else
/* the tile below: LLM__MR = 6 rows of LLM__NR = 2 vectors */
#if LLM__MR != 6 || LLM__NR != 2 * LLM__VW
#error "llm__kernel (AVX2) is written for LLM__MR 6 and LLM__NR 2 * LLM__VW"
#endif
#define LLM__K(r) x = _mm256_set1_ps(a##r[k]); \
    c##r##0 = _mm256_fmadd_ps(x, w0, c##r##0); c##r##1 = _mm256_fmadd_ps(x, w1, c##r##1);
#define LLM__KL(r) __m256 c##r##0 = _mm256_load_ps(c + r * LLM__NR), \
    c##r##1 = _mm256_load_ps(c + r * LLM__NR + LLM__VW);
#define LLM__KS(r) _mm256_store_ps(c + r * LLM__NR, c##r##0); _mm256_store_ps(c + r * LLM__NR + LLM__VW, c##r##1);
static void llm__kernel(float *c, const float *const *a, const float *p, int K, const char *pf, size_t pfs, int npf) {
    const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
    LLM__KL(0) LLM__KL(1) LLM__KL(2) LLM__KL(3) LLM__KL(4) LLM__KL(5)
    int k;
    for (k = 0; k < K; k++, p += LLM__NR) {
        const __m256 w0 = _mm256_load_ps(p), w1 = _mm256_load_ps(p + LLM__VW);
        __m256 x;
        if (k < npf) { LLM__PF(pf); pf += pfs; }
        LLM__K(0) LLM__K(1) LLM__K(2) LLM__K(3) LLM__K(4) LLM__K(5)
    }
    LLM__KS(0) LLM__KS(1) LLM__KS(2) LLM__KS(3) LLM__KS(4) LLM__KS(5)
}
#endif
#undef LLM__K
#undef LLM__KL
#undef LLM__KS
#undef LLM__PF

/* llm__kernel as the table's kernel for the f32 panels of llm__pack: the rows a[r] (f32) from element k0. */
static void llm__kernel_f32(float *c, const void *const *a, int k0, const void *p, int K, const char *pf, size_t pfs,
                            int npf) {
    const float *rows[LLM__MR];
    int r;
    for (r = 0; r < LLM__MR; r++) rows[r] = (const float *)a[r] + k0;
    llm__kernel(c, rows, (const float *)p, K, pf, pfs, npf);
}

#ifdef LLM__BF16DOT
/* ---- BF16 DOT PRODUCTS: the BF16 row's GEMM pieces ------------------------
   vdpbf16ps multiplies bf16 by bf16: the activations are rounded to bf16
   (to nearest, ties to even; vcvtneps2bf16), once per product, and each
   32-bit lane holds a pair of inputs (k, k + 1), the even one in the low
   half, for activations and weights alike. The rounding is the only loss
   (the products of two bf16 are exact in f32; the instruction flushes
   subnormal inputs and results to zero): an output differs from the f32
   product by at most 2^-8 (about 3.9e-3) of sum |x w| plus the f32
   summation's rounding (tests/test_kernels.c checks 2^-8 + 2e-6 against
   the exact sum and 2e-6 against the sum over the rounded activations).
   Through a model the logits move by more than in f32: 0.3% of their
   scale on tests/data/h5-bf16 (tests/test_model.c allows 1%). Only the
   GEMM (prompts, B > LLM__GEMV_ROWS) takes this path: generation's
   matrix-vector product is bound by reading the weights, and the LM head
   keeps f32 inputs. */

/* Row stride of the bf16 activations: IC rounded up to even (the pad is 0). */
static size_t llm__bf16_stride(int IC) { return ((size_t)IC + 1) & ~(size_t)1; }

/* The BF16 row's gemm_in: in[B][IC] rounded to bf16 into dst, row b at b * llm__bf16_stride(IC). */
static const void *llm__bf16_rows(void *dst, const float *in, int B, int IC, int nt, size_t *xs) {
    const size_t st = llm__bf16_stride(IC);
    int b;
    (void)nt;
    *xs = st * 2;
    LLM__PARALLEL_FOR(nt, 16.0 * B * IC)
    for (b = 0; b < B; b++) {
        const float *x = in + (size_t)b * (size_t)IC;
        uint16_t *d = (uint16_t *)dst + (size_t)b * st;
        int i;
        for (i = 0; i < IC; i += 16) {
            const __mmask16 m = (__mmask16)(IC - i >= 16 ? 0xffff : (1u << (IC - i)) - 1);
            _mm256_mask_storeu_epi16(d + i, m, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + i)));
        }
        if (IC & 1) d[IC] = 0;
    }
    return dst;
}

/* The BF16 row's panel: pk[kp][0..NR) = the pairs (w[k0 + 2kp][o], w[k0 + 2kp + 1][o]) for the columns
   o = o0..o0+no, 32 bits each, the second 0 past kn and both past no. */
static void llm__panel_bf16(void *pkv, const llm__fmt_traits *f, const void *wv, int k0, int kn, int OC, int o0,
                            int no) {
    uint32_t *pk = (uint32_t *)pkv;
    const uint16_t *w = (const uint16_t *)wv + (size_t)k0 * (size_t)OC + (size_t)o0;
    int k, j;
    (void)f;
    for (k = 0; k < kn; k += 2, pk += LLM__NR) {
        const uint16_t *r0 = w + (size_t)k * (size_t)OC, *r1 = r0 + (size_t)OC;
        if (no == LLM__NR && k + 1 < kn) {
            for (j = 0; j < LLM__NR; j += 16) {
                const __m512i e = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(r0 + j)));
                const __m512i o = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(r1 + j)));
                _mm512_store_si512(pk + j, _mm512_or_si512(e, _mm512_slli_epi32(o, 16)));
            }
        } else
            for (j = 0; j < LLM__NR; j++)
                pk[j] = j >= no ? 0u : (uint32_t)r0[j] | (k + 1 < kn ? (uint32_t)r1[j] << 16 : 0u);
    }
}
#endif

/* Each thread takes whole panels of NR columns. Per panel: C (all rows x
   NR, in the thread's scratch) starts as the bias; for each block of KC
   inputs, pack it, then run the kernel over all rows; finally C goes to
   out. The order of the additions is the plain k = 0..IC-1 one. */
static void llm__gemm(float *out, const float *in, const llm__fmt_traits *f, const void *w, const float *bias,
                      int B, int IC, int OC, int flags, int nt, float *scratch) {
    int np = (OC + LLM__NR - 1) / LLM__NR, Bp = (B + LLM__MR - 1) / LLM__MR * LLM__MR, p;
    const llm__scratch_layout L = llm__scratch_layout_of(0, 0, B, 0);
    size_t es = llm_dtype_size(f->type), xs = (size_t)IC * sizeof(float);
    const char *x = (const char *)in;   /* the rows as the kernel reads them (gemm_in: after the threads' shares) */
    if (f->gemm_in) x = (const char *)f->gemm_in(llm__align64(scratch + (size_t)nt * L.per_thread), in, B, IC, nt, &xs);
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (p = 0; p < np; p++) {
        const void *rows[LLM__MR];
        float *base = llm__align64(scratch + (size_t)LLM__TID * L.per_thread), *pk = base + L.pk, *cb = base + L.cb;
        int o0 = p * LLM__NR, no = OC - o0 < LLM__NR ? OC - o0 : LLM__NR, kn0 = IC < LLM__KC ? IC : LLM__KC, k0, b0, r;
        for (r = 0; r < Bp; r++) {
            if (bias) memcpy(cb + (size_t)r * LLM__NR, bias + o0, (size_t)no * sizeof(float));
            else memset(cb + (size_t)r * LLM__NR, 0, (size_t)no * sizeof(float));
            memset(cb + (size_t)r * LLM__NR + no, 0, (size_t)(LLM__NR - no) * sizeof(float));
        }
        for (k0 = 0; k0 < IC; k0 += LLM__KC) {
            int kn = IC - k0 < LLM__KC ? IC - k0 : LLM__KC;
            /* the next block to pack: fetched a few rows per row block */
            int nblk = Bp / LLM__MR,
                kx = k0 + kn < IC ? (IC - k0 - kn < LLM__KC ? IC - k0 - kn : LLM__KC) : p + 1 < np ? kn0 : 0;
            int per = (kx + nblk - 1) / nblk, done = 0;
            size_t pf0 = k0 + kn < IC ? ((size_t)(k0 + kn) * (size_t)OC + (size_t)o0) * es
                                      : (size_t)(o0 + LLM__NR) * es;
            f->panel(pk, f, w, k0, kn, OC, o0, no);
            for (b0 = 0; b0 < B; b0 += LLM__MR) {
                int nb = B - b0 < LLM__MR ? B - b0 : LLM__MR, npf = kx - done < per ? kx - done : per;
                for (r = 0; r < LLM__MR; r++) rows[r] = x + (size_t)(b0 + (r < nb ? r : nb - 1)) * xs;
                f->kernel(cb + (size_t)b0 * LLM__NR, rows, k0, pk, kn,
                            npf > 0 ? (const char *)w + pf0 + (size_t)done * (size_t)OC * es : NULL,
                            (size_t)OC * es, npf);
                if (npf > 0) done += npf;
            }
        }
        for (r = 0; r < B; r++)
            llm__finish(out + (size_t)r * (size_t)OC + (size_t)o0, cb + (size_t)r * LLM__NR, no, flags);
    }
}

/* ---- [in, out] product, small B: streaming matrix-vector (SIMD) ---------- */

/* The inputs (rows of w) are cut into LLM__SLABS fixed slabs; a work item is
   one slab over a range of columns, and with 2 threads a thread's items
   are half of the matrix, contiguous: it goes down 8 consecutive rows at a
   time (prefetching the next 8), so the reads stay within a small window
   that moves sequentially. Each weight vector read is multiplied into all
   B rows of the batch (B <= LLM__GEMV_ROWS), so the matrix is read once
   per call whatever B. Each row's slab partial sums go to scratch (part:
   B * LLM__SLABS * OC floats + 16); out = bias + p0 + p1 + ..., in that
   order, whatever the thread count. A row's outputs are therefore
   bit-identical for every B <= LLM__GEMV_ROWS: a batch of sequences
   decodes exactly as each sequence alone. */
#define LLM__GCOLS 8192  /* floats of partial sums per pass (all rows): they stay in L1 */

static void llm__gemv(float *out, const float *x, const llm__fmt_traits *f, const void *w, const float *bias,
                      int B, int IC, int OC, int flags, int nt, float *part) {
    int ns = IC >= 8 * LLM__SLABS ? LLM__SLABS : 1, g = ns, r = nt, nc, nitem, nv = OC / LLM__VW, it, j, b;
    int step = LLM__GCOLS / B / (2 * LLM__VW) * (2 * LLM__VW);
    size_t as = (size_t)ns * (size_t)OC;
    while (r) { int t = g % r; g = r; r = t; }  /* gcd(ns, nt): items a multiple of nt */
    nc = nt / g;
    nitem = ns * nc;
    part = llm__align64(part);
    if (step < 2 * LLM__VW) step = 2 * LLM__VW;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (it = 0; it < nitem; it++) {
        int sl = it / nc, cc = it % nc, c, rb;
        int k0 = (int)((long long)IC * sl / ns), k1 = (int)((long long)IC * (sl + 1) / ns);
        int c0 = LLM__VW * (int)((long long)nv * cc / nc),
            c1 = cc == nc - 1 ? OC : LLM__VW * (int)((long long)nv * (cc + 1) / nc);
        for (c = c0; c < c1; c += step) {
            float *acc = part + (size_t)sl * (size_t)OC + (size_t)c;
            int n = c1 - c < step ? c1 - c : step;
            for (rb = 0; rb < B; rb++) memset(acc + (size_t)rb * as, 0, (size_t)n * sizeof(float));
            f->gemv_slab(acc, as, x, (size_t)IC, w, (size_t)c, k0, k1, OC, n, B);
        }
    }
    /* out = bias + p0 + p1 + ... (the same order for every column and row),
       then stored, added or passed through the activation */
    for (b = 0; b < B; b++) {
        float *pb = part + (size_t)b * as;
        for (j = 0; j + LLM__VW <= OC; j += LLM__VW) {
            llm__vf a = bias ? llm__vld(bias + j) : llm__vzero();
            for (it = 0; it < ns; it++) a = llm__vadd(a, llm__vld(pb + (size_t)it * (size_t)OC + (size_t)j));
            llm__vst(pb + j, a);
        }
        for (; j < OC; j++) {
            float a = bias ? bias[j] : 0.0f;
            for (it = 0; it < ns; it++) a += pb[(size_t)it * (size_t)OC + (size_t)j];
            pb[j] = a;
        }
        llm__finish(out + (size_t)b * (size_t)OC, pb, OC, flags);
    }
}

/* The float formats' [in, out] product (the table's mm_in_out): B <=
   LLM__GEMV_ROWS rows: the streaming matrix-vector product (memory-bound:
   about the cost of one row up to this B, bit-identical per row); more:
   the packed GEMM (compute-bound, register-blocked). */
static void llm__mm_in_out(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *w, const float *bias,
                           int B, int IC, int OC, int flags, int nt, float *scratch) {
    if (B <= LLM__GEMV_ROWS) llm__gemv(out, (const float *)x, f, w->w, bias, B, IC, OC, flags, nt, scratch);
    else llm__gemm(out, (const float *)x, f, w->w, bias, B, IC, OC, flags, nt, scratch);
}
#else
/* ---- [in, out] product (scalar) -------------------------------------------
   The table's mm_in_out for the float formats. Tiles of 32 rows of in x 64
   columns of w; each row of w converted to f32 once per tile; the common
   full-width tile has a fixed trip count, which compilers vectorise. */
static void llm__mm_in_out(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *m, const float *bias,
                           int B, int IC, int OC, int flags, int nt, float *scratch) {
    const float *in = (const float *)x;
    const void *w = m->w;
    int nblk = (OC + 63) / 64, blk;
    (void)nt; (void)scratch;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (blk = 0; blk < nblk; blk++) {
        float acc[32][64], wrow[64];
        int o0 = blk * 64, no = OC - o0 < 64 ? OC - o0 : 64, b0;
        for (b0 = 0; b0 < B; b0 += 32) {
            int nb = B - b0 < 32 ? B - b0 : 32, b, i, o;
            for (b = 0; b < nb; b++)
                for (o = 0; o < no; o++) acc[b][o] = bias ? bias[o0 + o] : 0.0f;
            for (i = 0; i < IC; i++) {
                const float *x = in + (size_t)b0 * (size_t)IC + (size_t)i;
                f->row(wrow, w, (size_t)i * (size_t)OC + (size_t)o0, (size_t)no);
                if (no == 64) {
                    for (b = 0; b < nb; b++) {
                        float xv = x[(size_t)b * (size_t)IC];
                        for (o = 0; o < 64; o++) acc[b][o] += xv * wrow[o];
                    }
                } else {
                    for (b = 0; b < nb; b++) {
                        float xv = x[(size_t)b * (size_t)IC];
                        for (o = 0; o < no; o++) acc[b][o] += xv * wrow[o];
                    }
                }
            }
            for (b = 0; b < nb; b++) {
                float *dst = out + (size_t)(b0 + b) * (size_t)OC + (size_t)o0;
                if (flags & LLM__MM_ACT) for (o = 0; o < no; o++) dst[o] = llm__act1(acc[b][o], flags >> 4);
                else if (flags & LLM__MM_ADD) for (o = 0; o < no; o++) dst[o] += acc[b][o];
                else memcpy(dst, acc[b], (size_t)no * sizeof(float));
            }
        }
    }
}
#endif

/* ---- [out, in] product (the LM head: rows of w are tokens) ----------------
   The float formats' mm_out_in: out[B,OC] = in[B,IC] @ w[OC,IC]^T, no bias
   and no flags. Blocks of 4 rows of w; each logit is one dot product, the
   same for any B. */
#ifdef LLM__VW
/* Each block of 4 rows of w is multiplied with LLM__DOT_ROWS rows of in at
   a time (each weight vector read once for them). B > LLM__DOT_ROWS rows and
   16-bit weights: the block is first converted to f32 (into the thread's
   share of the scratch, llm__scratch_layout's lm), once rather than once
   per group; the conversion is exact, so the logits are those of the
   in-place product, for any B. */
static void llm__mm_out_in(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *m, const float *bias,
                           int B, int IC, int OC, int flags, int nt, float *scratch) {
    const float *in = (const float *)x;
    const void *w = m->w;
    int nblk = (OC + 3) / 4, blk, conv = B > LLM__DOT_ROWS && f->type != LLM_DTYPE_F32;
    const llm__scratch_layout L = llm__scratch_layout_of(IC, 0, 0, 0);
    LLM_ASSERT(!bias && !flags);
    (void)bias; (void)flags; (void)nt;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (blk = 0; blk < nblk; blk++) {
        int o0 = blk * 4, no = OC - o0 < 4 ? OC - o0 : 4, b, j;
        size_t r[4];
        void (*dot4)(float *, const float *, size_t, int, const void *, const size_t *, int) = f->dot4;
        const void *wd = w;
        for (j = 0; j < 4; j++) r[j] = (size_t)(j < no ? o0 + j : o0) * (size_t)IC;
        if (conv) {
            float *cv = llm__align64(scratch + (size_t)LLM__TID * L.per_thread) + L.lm;
            for (j = 0; j < 4; j++) {
                f->row(cv + (size_t)j * (size_t)IC, w, r[j], (size_t)IC);
                r[j] = (size_t)j * (size_t)IC;
            }
            dot4 = llm__dot4_f32; wd = cv;
        }
        for (b = 0; b < B; b += LLM__DOT_ROWS) {
            float s[4 * LLM__DOT_ROWS];
            int nb = B - b < LLM__DOT_ROWS ? B - b : LLM__DOT_ROWS, i;
            dot4(s, in + (size_t)b * (size_t)IC, (size_t)IC, nb, wd, r, IC);
            for (i = 0; i < nb; i++)
                for (j = 0; j < no; j++) out[(size_t)(b + i) * (size_t)OC + (size_t)o0 + (size_t)j] = s[4 * i + j];
        }
    }
}
#else
/* Scalar: rows of w converted to f32 a chunk of 256 at a time (once per
   block, not once per row of in); each dot product in 8 lanes summed
   pairwise, chunk by chunk, the same for any B. */
static void llm__mm_out_in(const llm__fmt_traits *f, float *out, const void *x, const llm__mat *m, const float *bias,
                           int B, int IC, int OC, int flags, int nt, float *scratch) {
    const float *in = (const float *)x;
    const void *w = m->w;
    int nblk = (OC + 3) / 4, blk;
    LLM_ASSERT(!bias && !flags);
    (void)bias; (void)flags; (void)nt; (void)scratch;
    LLM__PARALLEL_FOR(nt, (double)B * IC * OC)
    for (blk = 0; blk < nblk; blk++) {
        float rows[4][256];
        int o0 = blk * 4, no = OC - o0 < 4 ? OC - o0 : 4, b, j, i0, i, l;
        for (b = 0; b < B; b++)
            for (j = 0; j < no; j++) out[(size_t)b * (size_t)OC + (size_t)o0 + (size_t)j] = 0.0f;
        for (i0 = 0; i0 < IC; i0 += 256) {
            int n = IC - i0 < 256 ? IC - i0 : 256, n8 = n / 8 * 8;
            for (j = 0; j < no; j++) f->row(rows[j], w, (size_t)(o0 + j) * (size_t)IC + (size_t)i0, (size_t)n);
            for (b = 0; b < B; b++) {
                const float *xr = in + (size_t)b * (size_t)IC + (size_t)i0;
                for (j = 0; j < no; j++) {
                    float a[8] = { 0, 0, 0, 0, 0, 0, 0, 0 }, t;
                    for (i = 0; i < n8; i += 8)
                        for (l = 0; l < 8; l++) a[l] += xr[i + l] * rows[j][i + l];
                    for (; i < n; i++) a[i & 7] += xr[i] * rows[j][i];
                    t = ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
                    out[(size_t)b * (size_t)OC + (size_t)o0 + (size_t)j] += t;
                }
            }
        }
    }
}
#endif

/* ---- the format table and the matrix product ---------------------------- */

/* The float formats' embedding rows (the table's get_row). */
static void llm__get_row_f32(float *d, const llm__mat *w, size_t r, size_t n) { llm__row_f32(d, w->w, r * n, n); }
static void llm__get_row_f16(float *d, const llm__mat *w, size_t r, size_t n) { llm__row_f16(d, w->w, r * n, n); }
static void llm__get_row_bf16(float *d, const llm__mat *w, size_t r, size_t n) { llm__row_bf16(d, w->w, r * n, n); }

/* the SIMD-only entries of a row (pack, gemv_slab, dot4; the GEMM's gemm_in, panel, kernel: LLM__GEMM_F32 for
   f32 activations and panels, LLM__GEMM_BF16 for BF16's dot products where built) */
#ifdef LLM__VW
#define LLM__FMT_SIMD(pack, gemv_slab, dot4, gemm) , pack, gemv_slab, dot4, gemm
#define LLM__GEMM_F32 NULL, llm__pack, llm__kernel_f32
#define LLM__GEMM_NONE NULL, NULL, NULL
#ifdef LLM__BF16DOT
#define LLM__GEMM_BF16 llm__bf16_rows, llm__panel_bf16, llm__kernel_bf16
#else
#define LLM__GEMM_BF16 LLM__GEMM_F32
#endif
#else
#define LLM__FMT_SIMD(pack, gemv_slab, dot4, gemm)
#endif

/* One row per format, row t for format t (llm_dtype's order, up to I8);
   the formats that are not weight formats have empty rows. */
static const llm__fmt_traits llm__fmt_table[LLM_DTYPE_I8 + 1] = {
    /* type, from_float, mm_in_out, mm_out_in, get_row, row LLM__FMT_SIMD(pack, gemv_slab, dot4, gemm) */
    { LLM_DTYPE_F32, NULL, llm__mm_in_out, llm__mm_out_in, llm__get_row_f32, llm__row_f32
      LLM__FMT_SIMD(llm__pack_f32, llm__gemv_slab_f32, llm__dot4_f32, LLM__GEMM_F32) },
    { LLM_DTYPE_F16, NULL, llm__mm_in_out, llm__mm_out_in, llm__get_row_f16, llm__row_f16
      LLM__FMT_SIMD(llm__pack_f16, llm__gemv_slab_f16, llm__dot4_f16, LLM__GEMM_F32) },
    { LLM_DTYPE_BF16, NULL, llm__mm_in_out, llm__mm_out_in, llm__get_row_bf16, llm__row_bf16
      LLM__FMT_SIMD(llm__pack_bf16, llm__gemv_slab_bf16, llm__dot4_bf16, LLM__GEMM_BF16) },
    { LLM_DTYPE_F64, NULL, NULL, NULL, NULL, NULL LLM__FMT_SIMD(NULL, NULL, NULL, LLM__GEMM_NONE) },
    { LLM_DTYPE_I64, NULL, NULL, NULL, NULL, NULL LLM__FMT_SIMD(NULL, NULL, NULL, LLM__GEMM_NONE) },
    { LLM_DTYPE_I32, NULL, NULL, NULL, NULL, NULL LLM__FMT_SIMD(NULL, NULL, NULL, LLM__GEMM_NONE) },
    { LLM_DTYPE_I16, NULL, NULL, NULL, NULL, NULL LLM__FMT_SIMD(NULL, NULL, NULL, LLM__GEMM_NONE) },
    /* I8 ([out, in] only): the activations quantized per block, then the 8-bit product */
    { LLM_DTYPE_I8, llm__q8_from_float, NULL, llm__mm_q8, llm__q8_get_row, NULL
      LLM__FMT_SIMD(NULL, NULL, NULL, LLM__GEMM_NONE) },
};
#undef LLM__FMT_SIMD
#undef LLM__GEMM_F32
#undef LLM__GEMM_BF16
#undef LLM__GEMM_NONE

/* The row of weight format t; NULL (and an assertion) for any other format. */
static const llm__fmt_traits *llm__fmt_of(llm_dtype t) {
    const llm__fmt_traits *f = (unsigned)t <= LLM_DTYPE_I8 ? &llm__fmt_table[t] : NULL;
    LLM_ASSERT(f && f->type == t && f->get_row && "not a weight format");
    return f && f->get_row ? f : NULL;
}

/* out[B,OC] = in[B,IC] @ w + bias[OC], w [IC, OC] or [OC, IC] per its
   layout, then per flags: stored, added to out (LLM__MM_ADD) or passed
   through the activation (LLM__MM_ACT). The [out, in] float products take
   no bias and no flags (the LM head). scratch: llm__scratch_floats()
   floats. The one place that picks a product: the activations converted
   by the format's from_float (if it has one), then the format's product
   for the matrix's layout (ggml's from_float, then vec_dot). */
static void llm__matmul(float *out, const float *in, const llm__mat *w, const float *bias,
                        int B, int IC, int OC, int flags, int nt, float *scratch) {
    const llm__fmt_traits *f = llm__fmt_of(w->type);
    llm__mm_fn *mm = NULL;
    const void *x = in;
    if (f && w->layout == LLM__IN_OUT) mm = f->mm_in_out;
    else if (f && w->layout == LLM__OUT_IN) mm = f->mm_out_in;
    LLM_ASSERT(mm && "llm__matmul: no product for this format and layout");
    if (!mm) return;
    if (f->from_float) x = f->from_float(scratch, in, B, IC, nt);
    mm(f, out, x, w, bias, B, IC, OC, flags, nt, scratch);
}

/* dst[0..n) = row r of a matrix stored [rows, n] (an embedding row) as f32:
   the format's get_row. */
static void llm__mat_row(float *dst, const llm__mat *w, size_t r, size_t n) {
    const llm__fmt_traits *f = llm__fmt_of(w->type);
    if (f) f->get_row(dst, w, r, n);
}

/* Floats of kernel scratch for nt threads (the session allocates this):
   the largest of the threads' shares (llm__scratch_layout), the 8-bit
   product's (llm__q8_layout) and the matrix-vector product's partial
   sums. (size_t)-1 if it overflows. */
static size_t llm__scratch_floats(const llm_config *c, int nt, int max_batch, int n_ctx) {
    const llm__scratch_layout L = llm__scratch_layout_of(c->n_embd, c->n_embd / c->n_head, max_batch, n_ctx);
    size_t all, q8;
    if (L.per_thread == (size_t)-1 || !llm__mul(L.per_thread, (size_t)nt, &all)) return (size_t)-1;
    q8 = llm__q8_layout_of(max_batch, c->n_inner > c->n_embd ? c->n_inner : c->n_embd, nt).size;
    if (q8 > all) all = q8;
#ifdef LLM__VW
    {   /* matrix-vector partial sums: LLM__SLABS rows of the widest output per row, up to LLM__GEMV_ROWS rows */
        size_t oc = (size_t)(c->n_inner > 3 * c->n_embd ? c->n_inner : 3 * c->n_embd), g;
        size_t rows = (size_t)(max_batch < LLM__GEMV_ROWS ? (max_batch < 1 ? 1 : max_batch) : LLM__GEMV_ROWS);
        if (!llm__mul(oc, LLM__SLABS * rows, &g) || !llm__add(g, 16, &g)) return (size_t)-1;
        if (g > all) all = g;
    }
#endif
#ifdef LLM__BF16DOT
    {   /* the GEMM's bf16 activations (llm__bf16_rows), after the threads' shares */
        size_t g, xb;
        if (!llm__mul(L.per_thread, (size_t)nt, &g) ||
            !llm__mul(llm__bf16_stride(c->n_inner > c->n_embd ? c->n_inner : c->n_embd), (size_t)max_batch, &xb) ||
            !llm__add(g, xb / 2 + 32, &g))
            return (size_t)-1;
        if (g > all) all = g;
    }
#endif
    return all;
}

/* out[B,C] = layernorm(in[B,C]) * w + b; rows split over nt threads. */
/* One row whose mean or variance passed the float range (|x| around 1e19
   and up): layer norm does not change when x is scaled (eps aside, which
   is nothing next to such a variance), so both come from x * 2^-100,
   exactly scaled, where they fit. */
static void llm__layernorm_huge(float *y, const float *x, const float *w, const float *b, int C, float eps) {
    const float sc = 7.88860905e-31f; /* 2^-100 */
    float mean = 0.0f, var = 0.0f, rstd;
    int i;
    for (i = 0; i < C; i++) mean += x[i] * sc;
    mean /= (float)C;
    for (i = 0; i < C; i++) { float d = x[i] * sc - mean; var += d * d; }
    var /= (float)C;
    rstd = 1.0f / sqrtf(var + eps * sc * sc);
    for (i = 0; i < C; i++) y[i] = (x[i] * sc - mean) * rstd * w[i] + b[i];
}

static void llm__layernorm(float *out, const float *in, const float *w, const float *b, int B, int C,
                           float eps, int nt) {
    int r;
    (void)nt;
    LLM__PARALLEL_FOR(nt, 16.0 * B * C)
    for (r = 0; r < B; r++) {
        int i;
        const float *x = in + (size_t)r * (size_t)C;
        float *y = out + (size_t)r * (size_t)C;
        float mean = 0.0f, var = 0.0f, rstd;
        i = 0;
#ifdef LLM__VW
        {
            llm__vf s = llm__vzero(), m, q = llm__vzero(), rs;
            for (; i + LLM__VW <= C; i += LLM__VW) s = llm__vadd(s, llm__vld(x + i));
            mean = llm__vsum(s);
            for (; i < C; i++) mean += x[i];
            mean /= (float)C;
            m = llm__vset(mean);
            for (i = 0; i + LLM__VW <= C; i += LLM__VW) {
                llm__vf d = llm__vsub(llm__vld(x + i), m);
                q = llm__vfma(d, d, q);
            }
            var = llm__vsum(q);
            for (; i < C; i++) { float d = x[i] - mean; var += d * d; }
            var /= (float)C;
            rstd = 1.0f / sqrtf(var + eps);
            rs = llm__vset(rstd);
            for (i = 0; i + LLM__VW <= C; i += LLM__VW)
                llm__vst(y + i,
                         llm__vfma(llm__vmul(llm__vsub(llm__vld(x + i), m), rs), llm__vld(w + i), llm__vld(b + i)));
        }
#else
        for (; i < C; i++) mean += x[i];
        mean /= (float)C;
        for (i = 0; i < C; i++) { float d = x[i] - mean; var += d * d; }
        var /= (float)C;
        rstd = 1.0f / sqrtf(var + eps);
        i = 0;
#endif
        for (; i < C; i++) y[i] = (x[i] - mean) * rstd * w[i] + b[i];
        if (!(var <= LLM__FLT_MAX) || !(mean <= LLM__FLT_MAX && mean >= -LLM__FLT_MAX))
            llm__layernorm_huge(y, x, w, b, C, eps);
    }
}

/* KV cache row of position t of a sequence whose blocks of bs positions
   are tab[0], tab[1], ... (rows of one layer's pool). */
static size_t llm__kv_row(const int32_t *tab, size_t bs, size_t t) { return (size_t)tab[t / bs] * bs + t % bs; }

#ifdef LLM__VW

/* sc[0..T) = softmax(sc): exp(sc - max) / sum, the sum in a fixed order
   (lanes, then the tail). */
static void llm__softmax(float *sc, size_t T) {
    size_t t = 0;
    float mx = -HUGE_VALF, sum, inv;
    llm__vf m = llm__vset(-HUGE_VALF), a = llm__vzero(), vi;
    for (; t + LLM__VW <= T; t += LLM__VW) m = llm__vmax(m, llm__vld(sc + t));
    {
        float lanes[LLM__VW];
        int i;
        llm__vst(lanes, m);
        for (i = 0; i < LLM__VW; i++) if (lanes[i] > mx) mx = lanes[i];
    }
    for (; t < T; t++) if (sc[t] > mx) mx = sc[t];
    m = llm__vset(mx);
    for (t = 0; t + LLM__VW <= T; t += LLM__VW) {
        llm__vf e = llm__vexp(llm__vsub(llm__vld(sc + t), m));
        llm__vst(sc + t, e);
        a = llm__vadd(a, e);
    }
    sum = llm__vsum(a);
    for (; t < T; t++) { sc[t] = expf(sc[t] - mx); sum += sc[t]; }
    inv = 1.0f / sum;
    vi = llm__vset(inv);
    for (t = 0; t + LLM__VW <= T; t += LLM__VW) llm__vst(sc + t, llm__vmul(llm__vld(sc + t), vi));
    for (; t < T; t++) sc[t] *= inv;
}

/* One head for B >= 2 rows, with the matrix kernel: the head's keys are
   packed transposed (kt[panel][d][NR]) and its values in panels
   (vp[panel][t][NR]); then, per block of MR rows, S = Q K^T (one fused
   multiply-add per d in order), softmax, Y = P V (one per key in order).
   ws: every thread's scratch; this thread's share is carved with
   llm__scratch_layout. */
static void llm__attn_rows(float *out, const float *qkv, const float *kc, const float *vc, const int32_t *tab,
                           size_t bs, float *ws, int B, int C, int hd, int h, size_t p0, size_t n_ctx, float scale) {
    const llm__scratch_layout L = llm__scratch_layout_of(0, hd, 0, (int)n_ctx);   /* this thread's share of ws */
    float *base = llm__align64(ws + (size_t)LLM__TID * L.per_thread);
    float *kt = base + L.kt, *vp = base + L.vp, *P = base + L.p, *tile = base + L.tile;
    size_t T = p0 + (size_t)B, npk = (T + LLM__NR - 1) / LLM__NR, ldp = L.ldp, t;
    int nvp = (hd + LLM__NR - 1) / LLM__NR, d, jv, b0, r;
    const llm__vf vs = llm__vset(scale);
    memset(kt + (npk - 1) * (size_t)hd * LLM__NR, 0, (size_t)hd * LLM__NR * sizeof(float));
    for (t = 0; t < T; t++) {
        size_t row = llm__kv_row(tab, bs, t);
        const float *k = kc + row * (size_t)C + (size_t)h * (size_t)hd,
                    *v = vc + row * (size_t)C + (size_t)h * (size_t)hd;
        float *dst = kt + t / LLM__NR * (size_t)hd * LLM__NR + t % LLM__NR;
        for (d = 0; d < hd; d++) dst[(size_t)d * LLM__NR] = k[d];
        for (jv = 0; jv < nvp; jv++) {
            float *vd = vp + ((size_t)jv * T + t) * LLM__NR;
            int n = hd - jv * LLM__NR < LLM__NR ? hd - jv * LLM__NR : LLM__NR;
            memcpy(vd, v + jv * LLM__NR, (size_t)n * sizeof(float));
            if (n < LLM__NR) memset(vd + n, 0, (size_t)(LLM__NR - n) * sizeof(float));
        }
    }
    for (b0 = 0; b0 < B; b0 += LLM__MR) {
        int nb = B - b0 < LLM__MR ? B - b0 : LLM__MR;
        size_t Tb = p0 + (size_t)b0 + (size_t)nb, nbp = (Tb + LLM__NR - 1) / LLM__NR, j;
        const float *rows[LLM__MR];
        for (r = 0; r < LLM__MR; r++)
            rows[r] = qkv + (size_t)(b0 + (r < nb ? r : nb - 1)) * 3 * (size_t)C + (size_t)h * (size_t)hd;
        for (j = 0; j < nbp; j++) {
            memset(tile, 0, LLM__MR * LLM__NR * sizeof(float));
            llm__kernel(tile, rows, kt + j * (size_t)hd * LLM__NR, hd, NULL, 0, 0);
            for (r = 0; r < LLM__MR; r++)
                for (d = 0; d < LLM__NR; d += LLM__VW)
                    llm__vsta(P + (size_t)r * ldp + j * LLM__NR + (size_t)d,
                              llm__vmul(llm__vlda(tile + r * LLM__NR + d), vs));
        }
        for (r = 0; r < nb; r++) {
            float *pr = P + (size_t)r * ldp;
            size_t Tr = p0 + (size_t)b0 + (size_t)r + 1;
            llm__softmax(pr, Tr);
            memset(pr + Tr, 0, (Tb - Tr) * sizeof(float));
        }
        for (r = 0; r < LLM__MR; r++) rows[r] = P + (size_t)(r < nb ? r : nb - 1) * ldp;
        for (jv = 0; jv < nvp; jv++) {
            int n = hd - jv * LLM__NR < LLM__NR ? hd - jv * LLM__NR : LLM__NR;
            memset(tile, 0, LLM__MR * LLM__NR * sizeof(float));
            llm__kernel(tile, rows, vp + (size_t)jv * T * LLM__NR, (int)Tb, NULL, 0, 0);
            for (r = 0; r < nb; r++)
                memcpy(out + (size_t)(b0 + r) * (size_t)C + (size_t)h * (size_t)hd + (size_t)jv * LLM__NR,
                       tile + r * LLM__NR, (size_t)n * sizeof(float));
        }
    }
}
#endif

/* Causal self-attention for rows at positions p0..p0+B-1 of one sequence
   in one layer. qkv[B,3C] (q|k|v), kc/vc: the layer's pool of cached rows
   ([pool, C], already holding the sequence's rows up to p0+B-1), whose
   blocks of bs positions are tab[0], tab[1], ...; out[B,C], scores[H,
   n_ctx] scratch (B = 1), ws: the kernels' scratch (B > 1, SIMD). scale:
   what the scores q.k are multiplied by. One thread per head. */
static void llm__attention(float *out, const float *qkv, const float *kc, const float *vc,
                           const int32_t *tab, size_t bs,
                           float *scores, int B, int C, int H, size_t p0, size_t n_ctx, float scale, int nt,
                           float *ws) {
    int hd = C / H, h;
    size_t bstride = bs * (size_t)C;  /* floats from one block to the next */
    (void)nt; (void)ws;
    LLM__PARALLEL_FOR(nt, 2.0 * B * (double)(p0 + (size_t)B) * C)
    for (h = 0; h < H; h++) {
        float *sc = scores + (size_t)h * n_ctx;
        const float *kh = kc + (size_t)h * (size_t)hd, *vh = vc + (size_t)h * (size_t)hd;
        int b, i;
        size_t j;
#ifdef LLM__VW
        if (B > 1) {
            llm__attn_rows(out, qkv, kc, vc, tab, bs, ws, B, C, hd, h, p0, n_ctx, scale);
            continue;
        }
#endif
        for (b = 0; b < B; b++) {
            const float *q = qkv + (size_t)b * 3 * (size_t)C + (size_t)h * (size_t)hd;
            float *y = out + (size_t)b * (size_t)C + (size_t)h * (size_t)hd;
            size_t T = p0 + (size_t)b + 1, t, e;
#ifdef LLM__VW
            int nh = hd / LLM__VW * LLM__VW;
            for (j = 0, t = 0; t < T; j++) {
                const float *k = kh + (size_t)tab[j] * bstride;
                for (e = t + bs < T ? t + bs : T; t < e; t++, k += C) {
                    llm__vf a = llm__vzero();
                    float s;
                    for (i = 0; i < nh; i += LLM__VW) a = llm__vfma(llm__vld(q + i), llm__vld(k + i), a);
                    s = llm__vsum(a);
                    for (; i < hd; i++) s = fmaf(q[i], k[i], s);
                    sc[t] = s * scale;
                }
            }
            llm__softmax(sc, T);
            for (i = 0; i + 4 * LLM__VW <= hd; i += 4 * LLM__VW) {
                llm__vf y0 = llm__vzero(), y1 = llm__vzero(), y2 = llm__vzero(), y3 = llm__vzero();
                for (j = 0, t = 0; t < T; j++) {
                    const float *v = vh + (size_t)tab[j] * bstride + i;
                    for (e = t + bs < T ? t + bs : T; t < e; t++, v += C) {
                        const llm__vf p = llm__vset(sc[t]);
                        y0 = llm__vfma(p, llm__vld(v), y0);
                        y1 = llm__vfma(p, llm__vld(v + LLM__VW), y1);
                        y2 = llm__vfma(p, llm__vld(v + 2 * LLM__VW), y2);
                        y3 = llm__vfma(p, llm__vld(v + 3 * LLM__VW), y3);
                    }
                }
                llm__vst(y + i, y0);
                llm__vst(y + i + LLM__VW, y1);
                llm__vst(y + i + 2 * LLM__VW, y2);
                llm__vst(y + i + 3 * LLM__VW, y3);
            }
            for (; i + LLM__VW <= hd; i += LLM__VW) {
                llm__vf y0 = llm__vzero();
                for (t = 0; t < T; t++)
                    y0 = llm__vfma(llm__vset(sc[t]), llm__vld(vh + llm__kv_row(tab, bs, t) * (size_t)C + i), y0);
                llm__vst(y + i, y0);
            }
            for (; i < hd; i++) {
                float acc = 0.0f;
                for (t = 0; t < T; t++) acc = fmaf(sc[t], vh[llm__kv_row(tab, bs, t) * (size_t)C + (size_t)i], acc);
                y[i] = acc;
            }
#else
            float mx = -HUGE_VALF, sum = 0.0f, inv;
            for (j = 0, t = 0; t < T; j++) {
                const float *k = kh + (size_t)tab[j] * bstride;
                for (e = t + bs < T ? t + bs : T; t < e; t++, k += C) {
                    float s = 0.0f;
                    for (i = 0; i < hd; i++) s += q[i] * k[i];
                    s *= scale;
                    sc[t] = s;
                    if (s > mx) mx = s;
                }
            }
            for (t = 0; t < T; t++) { sc[t] = expf(sc[t] - mx); sum += sc[t]; }
            inv = 1.0f / sum;
            for (i = 0; i < hd; i++) y[i] = 0.0f;
            for (j = 0, t = 0; t < T; j++) {
                const float *v = vh + (size_t)tab[j] * bstride;
                for (e = t + bs < T ? t + bs : T; t < e; t++, v += C) {
                    float p = sc[t] * inv;
                    for (i = 0; i < hd; i++) y[i] += p * v[i];
                }
            }
#endif
        }
    }
}

/* x[B,C] = wte[tok] + wpe[pos], row by row (pe: C floats of scratch) */
static void llm__embed(float *x, float *pe, const llm_model *m, const int32_t *tok, const size_t *pos, int B) {
    size_t C = (size_t)m->config.n_embd, i;
    int b;
    for (b = 0; b < B; b++) {
        float *row = x + (size_t)b * C;
        llm__mat_row(row, &m->_wte, (size_t)tok[b], C);
        llm__mat_row(pe, &m->_wpe, pos[b], C);
        for (i = 0; i < C; i++) row[i] += pe[i];
    }
}

/* ==========================================================================
   SESSION (KV cache, forward pass)
   ==========================================================================
   The KV cache of every layer is a pool of blocks of kv_block positions,
   shared by the session's slots: slot q's positions j*kv_block.. lie in
   block table[q][j] (-1: none yet). A block's refs counts the slots that
   use it; a write into a block used by other slots first gives the writer
   a copy of the rows before the write (copy on write). The pool has
   n_blocks blocks per slot, so a free block always exists when one is
   needed: the blocks in use are at most the table entries in use.
   Prefix cache: a full block whose rows' tokens are known is "cached"
   (findable by a lookup) once the block before it in its slot is cached
   (or it is a slot's first): pparent names that block and phash hashes all
   the tokens from position 0 to its end. A lookup walks a prompt's blocks
   from the first, each found block's pparent being the block found before
   it and its tokens equal to the prompt's, so a hit checks every token of
   the prefix. A write into a cached block goes to a copy (as into a
   shared one) while a block is free. A block whose contents change leaves
   the cache, and so do the blocks cached after it (found through
   LLM__PC_PARENT), so no pparent ever names a block whose rows changed
   since. Unused cached blocks (refs 0) are the free blocks of last resort:
   llm__block_new takes a never-cached one first, else the least recently
   let go. */

#define LLM__PC_CACHED 1 /* findable by a lookup */
#define LLM__PC_PARENT 2 /* some block was cached with this one as its pparent */

LLM_API const char *llm_session_error(const llm_session *s) { return s ? llm__msg(s->error) : "NULL session"; }

/* Place a region of n bytes at *at aligned to al: *off gets its offset. */
static int llm__place(size_t *at, size_t n, size_t al, size_t *off) {
    size_t o;
    if (!llm__add(*at, al - 1, &o)) return 0;
    o &= ~(al - 1);
    if (!llm__add(o, n, at)) return 0;
    *off = o;
    return 1;
}

/* Checks the options and lays the session out (s->n_ctx, max_batch,
   n_threads, n_seq_max, s->_lay; every size checked). */
static llm_status llm__session_plan(llm_session *s, const llm_config *c, const llm_session_options *opt) {
    llm_session_options o;
    llm__session_layout *L = &s->_lay;
    size_t C, kv, ns, mb, at = 0, n, nt, sz = sizeof(size_t), acts;
    memset(&o, 0, sizeof o);
    memset(L, 0, sizeof *L);
    if (opt) o = *opt;
    if (o.n_ctx < 0 || o.n_ctx > c->n_ctx)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_ctx %d is outside [0, %d] (0 = the model's)",
                        o.n_ctx, c->n_ctx);
    if (o.n_threads < 0 || o.n_threads > LLM_MAX_THREADS)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_threads %d is outside [0, %d]", o.n_threads, LLM_MAX_THREADS);
    if (o.max_batch < 0 || o.max_batch > 65536)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "max_batch %d is outside [0, 65536]", o.max_batch);
    if (o.n_seq_max < 0 || o.n_seq_max > 4096)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_seq_max %d is outside [0, 4096]", o.n_seq_max);
    s->n_ctx = o.n_ctx ? o.n_ctx : c->n_ctx;
    s->max_batch = o.max_batch ? o.max_batch : 64;
    if (s->max_batch > s->n_ctx) s->max_batch = s->n_ctx;
    s->n_seq_max = o.n_seq_max ? o.n_seq_max : 1;
#ifdef LLM__OMP
    s->n_threads = o.n_threads ? o.n_threads : omp_get_max_threads();
#else
    s->n_threads = 1;
#endif
    C = (size_t)c->n_embd;
    ns = (size_t)s->n_seq_max;
    mb = (size_t)s->max_batch;
    L->kv_block = ns == 1 && !o.prefix_cache ? (size_t)s->n_ctx : 16;
    L->n_blocks = ((size_t)s->n_ctx + L->kv_block - 1) / L->kv_block;
    if (!llm__mul(ns * L->n_blocks, L->kv_block, &L->pool)) goto too_big;
    if (!llm__mul((size_t)c->n_layer, L->pool, &kv) || !llm__mul(kv, C * sizeof(float), &kv)) goto too_big;
    /* activations: x, ln, att [mb, C], qkv [mb, 3C], fc [mb, n_inner] */
    if (!llm__mul(C, 6, &acts) || !llm__add(acts, (size_t)c->n_inner, &acts) ||
        !llm__mul(acts, mb * sizeof(float), &acts)) goto too_big;
    if ((nt = llm__scratch_floats(c, s->n_threads, s->max_batch, s->n_ctx)) == (size_t)-1) goto too_big;
    if (!llm__place(&at, kv, 64, &L->k) || !llm__place(&at, kv, 64, &L->v) || !llm__place(&at, acts, 64, &L->x))
        goto too_big;
    L->ln = L->x + mb * C * sizeof(float);
    L->att = L->ln + mb * C * sizeof(float);
    L->qkv = L->att + mb * C * sizeof(float);
    L->fc = L->qkv + mb * 3 * C * sizeof(float);
    if (!llm__mul((size_t)c->n_head, (size_t)s->n_ctx * sizeof(float), &n) || !llm__place(&at, n, 64, &L->scores))
        goto too_big;
    if (!llm__mul(ns, (size_t)c->n_vocab * sizeof(float), &n) || !llm__place(&at, n, 64, &L->logits)) goto too_big;
    if (!llm__mul(nt, sizeof(float), &n) || !llm__place(&at, n, 64, &L->pack)) goto too_big;
    /* bookkeeping: per slot, per row of a pass, per block */
    if (!llm__place(&at, ns * sz, 64, &L->len) || !llm__place(&at, ns * sz, sz, &L->p0) ||
        !llm__place(&at, ns * sz, sz, &L->p1) ||
        !llm__place(&at, ns * sz, sz, &L->len_tmp) || !llm__place(&at, ns * sz, sz, &L->kept) ||
        !llm__place(&at, mb * sz, sz, &L->rpos) || !llm__place(&at, mb * 4, 4, &L->rseq)) goto too_big;
    if (!llm__mul(ns * L->n_blocks, 4, &n) || !llm__place(&at, n, 4, &L->table) ||
        !llm__place(&at, n, 4, &L->table_tmp) || !llm__place(&at, n, 4, &L->refs)) goto too_big;
    if (o.prefix_cache) { /* offsets > 0: nonzero L->ptok means the cache is on */
        size_t nb = ns * L->n_blocks;
        if (!llm__mul(L->pool, 4, &n) || !llm__place(&at, n, 4, &L->ptok) || !llm__mul(nb, 8, &n) ||
            !llm__place(&at, n, 8, &L->phash) || !llm__place(&at, n, 8, &L->pstamp) ||
            !llm__place(&at, nb * 4, 4, &L->pparent) || !llm__place(&at, nb, 1, &L->pstate)) goto too_big;
    }
    if (!llm__place(&at, 0, 64, &L->total)) goto too_big;
    return LLM_OK;
too_big:
    return llm__err(s->error, LLM_ERR_LIMIT, "session size overflows size_t");
}

static int32_t *llm__seq_table(const llm_session *s, int q) { return s->_table + (size_t)q * s->_lay.n_blocks; }

/* Slot q gives back its blocks from block index j on, the last first (so
   a prefix's later blocks are the less recently let go). */
static void llm__seq_release(llm_session *s, int q, size_t j) {
    int32_t *t = llm__seq_table(s, q);
    size_t e = j;
    while (e < s->_lay.n_blocks && t[e] >= 0) e++;
    while (e-- > j) {
        if (--s->_refs[t[e]] == 0 && s->_pstamp) s->_pstamp[t[e]] = ++s->_pclock;
        t[e] = -1;
    }
}

/* Block b's contents are about to change: it leaves the prefix cache, and
   so do the blocks cached after it. */
static void llm__block_forget(llm_session *s, int32_t b) {
    size_t i, n = (size_t)s->n_seq_max * s->_lay.n_blocks;
    if (s->_pstate[b] & LLM__PC_PARENT)
        for (i = 0; i < n; i++)
            if (s->_pparent[i] == b) { s->_pstate[i] &= (unsigned char)~LLM__PC_CACHED; s->_pparent[i] = -1; }
    s->_pstate[b] = 0;
}

/* A block no slot uses, now used once (-1: none; one always exists when
   the slot asking has no block there or shares it, see above): with the
   prefix cache, a never-cached one, else the least recently let go of the
   cached ones (evicted). */
static int32_t llm__block_new(llm_session *s) {
    size_t i, n = (size_t)s->n_seq_max * s->_lay.n_blocks, lru = n;
    if (!s->_pstate) {
        for (i = 0; i < n && s->_refs[i]; i++) {}
    } else {
        for (i = 0; i < n; i++) {
            if (s->_refs[i]) continue;
            if (!(s->_pstate[i] & LLM__PC_CACHED)) break;
            if (lru == n || s->_pstamp[i] < s->_pstamp[lru]) lru = i;
        }
        if (i == n && lru < n) { i = lru; s->_pevictions++; }
    }
    if (i == n) return -1;
    if (s->_pstate) {
        size_t r, bs = s->_lay.kv_block;
        llm__block_forget(s, (int32_t)i);
        for (r = 0; r < bs; r++) s->_ptok[i * bs + r] = -1;
    }
    s->_refs[i] = 1;
    return (int32_t)i;
}

/* Block dst takes the first `rows` rows of block src, in every layer (and
   their tokens). */
static void llm__block_copy(llm_session *s, int32_t dst, int32_t src, size_t rows) {
    const llm__session_layout *L = &s->_lay;
    size_t C = (size_t)s->model->config.n_embd, l, lay = L->pool * C, bl = L->kv_block * C;
    if (s->_ptok)
        memcpy(s->_ptok + (size_t)dst * L->kv_block, s->_ptok + (size_t)src * L->kv_block, rows * sizeof(int32_t));
    for (l = 0; l < (size_t)s->model->config.n_layer; l++) {
        memcpy(s->_k + l * lay + (size_t)dst * bl, s->_k + l * lay + (size_t)src * bl, rows * C * sizeof(float));
        memcpy(s->_v + l * lay + (size_t)dst * bl, s->_v + l * lay + (size_t)src * bl, rows * C * sizeof(float));
    }
}

/* Positions [p0, p1) of slot q are about to be written (p0 <= its length):
   the positions from p1 on are dropped, and the blocks to write are the
   slot's own (copied if shared, keeping the rows before p0). A cached
   block the slot alone uses is copied too, so that it stays cached, unless
   no block is free (every slot's every block in use): then it leaves the
   cache and is written in place. */
static void llm__seq_prepare(llm_session *s, int q, size_t p0, size_t p1) {
    size_t bs = s->_lay.kv_block, j;
    int32_t *t = llm__seq_table(s, q);
    llm__seq_release(s, q, (p1 + bs - 1) / bs);
    for (j = p0 / bs; j * bs < p1; j++) {
        int32_t nb;
        if (t[j] < 0 || s->_refs[t[j]] > 1) {
            nb = llm__block_new(s);
            LLM_ASSERT(nb >= 0);
        } else if (s->_pstate && (s->_pstate[t[j]] & LLM__PC_CACHED)) nb = llm__block_new(s); /* -1: pool full */
        else nb = -1;
        if (nb < 0) { /* the slot's own block, written in place */
            if (s->_pstate && s->_pstate[t[j]]) llm__block_forget(s, t[j]);
            continue;
        }
        if (t[j] >= 0) {
            if (p0 > j * bs) llm__block_copy(s, nb, t[j], p0 - j * bs);
            if (--s->_refs[t[j]] == 0 && s->_pstamp) s->_pstamp[t[j]] = ++s->_pclock;
        }
        t[j] = nb;
    }
    s->_len[q] = p1;
}

/* The prefix cache's hash: FNV-1a over 32-bit token ids, continued from h
   (LLM__PC_SEED at position 0). */
#define LLM__PC_SEED 14695981039346656037ULL
static uint64_t llm__pc_hash(uint64_t h, const int32_t *tok, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (uint64_t)(uint32_t)tok[i]) * 1099511628211ULL;
    return h;
}

/* Slot q's full blocks from the one holding position p0 on join the
   prefix cache, each once the block before it is cached and its tokens
   are known. */
static void llm__prefix_register(llm_session *s, int q, size_t p0) {
    size_t bs = s->_lay.kv_block, j, k, end = s->_len[q] / bs;
    const int32_t *t = llm__seq_table(s, q);
    for (j = p0 / bs; j < end; j++) {
        int32_t b = t[j], par = j ? t[j - 1] : -1;
        const int32_t *tok = s->_ptok + (size_t)b * bs;
        if (par >= 0 && !(s->_pstate[par] & LLM__PC_CACHED)) return;
        if (s->_pstate[b] & LLM__PC_CACHED) continue;
        for (k = 0; k < bs && tok[k] >= 0; k++) {}
        if (k < bs) return;
        s->_phash[b] = llm__pc_hash(par >= 0 ? s->_phash[par] : LLM__PC_SEED, tok, bs);
        s->_pparent[b] = par;
        s->_pstate[b] |= LLM__PC_CACHED;
        if (par >= 0) s->_pstate[par] |= LLM__PC_PARENT;
    }
}

/* Slot q (empty) takes the cached blocks that ids starts with, at most nb
   of them; returns how many. */
static size_t llm__prefix_match(llm_session *s, int q, const int32_t *ids, size_t nb) {
    size_t bs = s->_lay.kv_block, n = (size_t)s->n_seq_max * s->_lay.n_blocks, j, i;
    int32_t *t = llm__seq_table(s, q), prev = -1;
    uint64_t h = LLM__PC_SEED;
    for (j = 0; j < nb; j++) {
        const int32_t *w = ids + j * bs;
        h = llm__pc_hash(h, w, bs);
        for (i = 0; i < n; i++)
            if ((s->_pstate[i] & LLM__PC_CACHED) && s->_phash[i] == h && s->_pparent[i] == prev &&
                !memcmp(s->_ptok + i * bs, w, bs * sizeof(int32_t))) break;
        if (i == n) break;
        t[j] = prev = (int32_t)i;
        s->_refs[i]++;
    }
    s->_len[q] = j * bs;
    s->_plookups++;
    s->_phits += j > 0;
    s->_preused += j * bs;
    return j;
}

static llm_status llm__session_init(llm_session *s, const llm_model *m, const llm_session_options *opt, llm_arena *a) {
    const llm__session_layout *L;
    unsigned char *p;
    llm_status r;
    size_t i;
    if (!s) return LLM_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    s->_arena = a;
#ifdef LLM_NO_MALLOC
    if (!a) return llm__err(s->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: use llm_session_init_arena");
#endif
    if (!m || !m->_layers) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL or unloaded model");
    r = llm__session_plan(s, &m->config, opt);
    if (r != LLM_OK) return r;
    L = &s->_lay;
    s->model = m;
    s->_mem = LLM__CAST(float *, llm__aalloc(a, L->total));
    if (!s->_mem)
        return llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for the session (%zu bytes)", L->total);
    p = (unsigned char *)s->_mem;
    s->_k = (float *)(void *)(p + L->k);
    s->_v = (float *)(void *)(p + L->v);
    s->_x = (float *)(void *)(p + L->x);
    s->_ln = (float *)(void *)(p + L->ln);
    s->_att = (float *)(void *)(p + L->att);
    s->_qkv = (float *)(void *)(p + L->qkv);
    s->_fc = (float *)(void *)(p + L->fc);
    s->_scores = (float *)(void *)(p + L->scores);
    s->_logits = (float *)(void *)(p + L->logits);
    s->_pack = (float *)(void *)(p + L->pack);
    s->_len = (size_t *)(void *)(p + L->len);
    s->_p0 = (size_t *)(void *)(p + L->p0);
    s->_p1 = (size_t *)(void *)(p + L->p1);
    s->_len_tmp = (size_t *)(void *)(p + L->len_tmp);
    s->_kept = (size_t *)(void *)(p + L->kept);
    s->_rpos = (size_t *)(void *)(p + L->rpos);
    s->_rseq = (int32_t *)(void *)(p + L->rseq);
    s->_table = (int32_t *)(void *)(p + L->table);
    s->_table_tmp = (int32_t *)(void *)(p + L->table_tmp);
    s->_refs = (int32_t *)(void *)(p + L->refs);
    if (L->ptok) {
        s->_ptok = (int32_t *)(void *)(p + L->ptok);
        s->_phash = (uint64_t *)(void *)(p + L->phash);
        s->_pstamp = (uint64_t *)(void *)(p + L->pstamp);
        s->_pparent = (int32_t *)(void *)(p + L->pparent);
        s->_pstate = p + L->pstate;
        for (i = 0; i < L->pool; i++) s->_ptok[i] = -1;
        for (i = 0; i < (size_t)s->n_seq_max * L->n_blocks; i++) {
            s->_phash[i] = 0; s->_pstamp[i] = 0; s->_pparent[i] = -1; s->_pstate[i] = 0;
        }
    }
    if (opt && opt->prefault) memset(p + L->x, 0, L->len - L->x);  /* the scratch: x up to the bookkeeping */
    for (i = 0; i < (size_t)s->n_seq_max; i++) s->_len[i] = 0;
    for (i = 0; i < (size_t)s->n_seq_max * L->n_blocks; i++) { s->_table[i] = -1; s->_refs[i] = 0; }
    s->_n_kept = 0;
    s->pos = 0;
    return LLM_OK;
}
LLM_API llm_status llm_session_init(llm_session *s, const llm_model *m, const llm_session_options *opt) {
    return llm__session_init(s, m, opt, NULL);
}
LLM_API llm_status llm_session_init_arena(llm_session *s, const llm_model *m, const llm_session_options *opt,
                                          llm_arena *a) {
    if (!a) {
        if (s) memset(s, 0, sizeof *s);
        return s ? llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL arena") : LLM_ERR_INVALID_ARG;
    }
    return llm__session_init(s, m, opt, a);
}
LLM_API llm_status llm_session_heap_size(const llm_config *c, const llm_session_options *opt, size_t *peak,
                                         size_t *kept) {
    llm_session tmp;
    llm_status r = llm__heap_begin(peak, kept);
    /* the shapes a model load accepts (a loaded model's config passes) */
    if (r != LLM_OK || !c || c->n_layer < 1 || c->n_layer > LLM__MAX_LAYER || c->n_embd < 1 ||
        c->n_embd > LLM__MAX_EMBD || c->n_head < 1 || c->n_embd % c->n_head != 0 || c->n_inner < 1 ||
        c->n_inner > 4 * LLM__MAX_EMBD ||
        c->n_ctx < 1 || c->n_ctx > LLM__MAX_CTX || c->n_vocab < 1 || c->n_vocab > LLM__MAX_VOCAB)
        return LLM_ERR_INVALID_ARG;
    memset(&tmp, 0, sizeof tmp);
    r = llm__session_plan(&tmp, c, opt);
    return r == LLM_OK ? llm__heap_block(tmp._lay.total, peak, kept) : r;
}

LLM_API void llm_session_free(llm_session *s) {
    if (!s) return;
    llm__afree(s->_arena, s->_mem);
    s->_mem = NULL;
    s->model = NULL;
    s->pos = 0;
    s->_n_kept = 0;
}

LLM_API void llm_session_reset(llm_session *s) {
    int q;
    if (!s || !s->_mem) return;
    for (q = 0; q < s->n_seq_max; q++) { llm__seq_release(s, q, 0); s->_len[q] = 0; }
    s->_n_kept = 0;
    s->pos = 0;
}

LLM_API const float *llm_session_logits(const llm_session *s) {
    return s && s->_mem && s->_n_kept ? s->_logits + (s->_n_kept - 1) * (size_t)s->model->config.n_vocab : NULL;
}

/* Layer l's attention scale: 1 / sqrt(head width) unless scale_attn_weights
   is false, and / (l + 1) with scale_attn_by_inverse_layer_idx (as Hugging
   Face divides the scores by each in turn). */
static float llm__attn_scale(const llm_config *c, int l) {
    float scale = c->scale_attn_weights ? 1.0f / sqrtf((float)(c->n_embd / c->n_head)) : 1.0f;
    return c->scale_attn_by_inverse_layer_idx ? scale / (float)(l + 1) : scale;
}

LLM_API const float *llm_session_logits_row(const llm_session *s, size_t row) {
    size_t lo = 0, hi;
    if (!s || !s->_mem) return NULL;
    hi = s->_n_kept;
    while (lo < hi) {   /* kept rows are in increasing order */
        size_t mid = lo + (hi - lo) / 2;
        if (s->_kept[mid] < row) lo = mid + 1; else hi = mid;
    }
    return lo < s->_n_kept && s->_kept[lo] == row ? s->_logits + lo * (size_t)s->model->config.n_vocab : NULL;
}

/* One pass over B <= max_batch rows: tokens tok, slots s->_rseq, positions
   s->_rpos (their blocks prepared). The logits of the nk rows krow[] (in
   increasing order, relative to this pass) go to dst[nk, n_vocab]; with
   krow NULL and nk 0, the final hidden states of all B rows go to
   dst[B, n_embd] instead. */
static void llm__forward(llm_session *s, const int32_t *tok, int B, const size_t *krow, size_t nk, float *dst) {
    const llm_model *m = s->model;
    const llm_config *c = &m->config;
    const llm__session_layout *L = &s->_lay;
    const int32_t *rs = s->_rseq;
    const size_t *rp = s->_rpos;
    int C = c->n_embd, l, nt = s->n_threads, b, e;
    size_t lay = L->pool * (size_t)C, i;
    LLM_ASSERT(B >= 1 && B <= s->max_batch);
    llm__embed(s->_x, s->_ln, m, tok, rp, B);
    for (l = 0; l < c->n_layer; l++) {
        const llm__layer *Ly = &m->_layers[l];
        float *kc = s->_k + (size_t)l * lay, *vc = s->_v + (size_t)l * lay;
        llm__layernorm(s->_ln, s->_x, Ly->ln1_w, Ly->ln1_b, B, C, c->ln_eps, nt);
        llm__matmul(s->_qkv, s->_ln, &Ly->qkv_w, Ly->qkv_b, B, C, 3 * C, 0, nt, s->_pack);
        for (b = 0; b < B; b++) {
            const float *row = s->_qkv + (size_t)b * 3 * (size_t)C;
            size_t at = llm__kv_row(llm__seq_table(s, rs[b]), L->kv_block, rp[b]) * (size_t)C;
            memcpy(kc + at, row + C, (size_t)C * sizeof(float));
            memcpy(vc + at, row + 2 * C, (size_t)C * sizeof(float));
        }
        /* attention per run of rows of one slot at consecutive positions */
        for (b = 0; b < B; b = e) {
            for (e = b + 1; e < B && rs[e] == rs[b] && rp[e] == rp[e - 1] + 1; e++) {}
            llm__attention(s->_att + (size_t)b * (size_t)C, s->_qkv + (size_t)b * 3 * (size_t)C, kc, vc,
                           llm__seq_table(s, rs[b]),
                           L->kv_block, s->_scores, e - b, C, c->n_head, rp[b], (size_t)s->n_ctx,
                           llm__attn_scale(c, l), nt, s->_pack);
        }
        llm__matmul(s->_x, s->_att, &Ly->attn_proj_w, Ly->attn_proj_b, B, C, C, LLM__MM_ADD, nt, s->_pack);
        llm__layernorm(s->_ln, s->_x, Ly->ln2_w, Ly->ln2_b, B, C, c->ln_eps, nt);
        llm__matmul(s->_fc, s->_ln, &Ly->fc_w, Ly->fc_b, B, C, c->n_inner, LLM__MM_ACTIVATE(c->activation), nt,
                    s->_pack);
        llm__matmul(s->_x, s->_fc, &Ly->mlp_proj_w, Ly->mlp_proj_b, B, c->n_inner, C, LLM__MM_ADD, nt, s->_pack);
    }
    if (!nk && !krow && dst) llm__layernorm(dst, s->_x, m->_lnf_w, m->_lnf_b, B, C, c->ln_eps, nt);
    if (!nk) return;
    if (nk == (size_t)B) llm__layernorm(s->_ln, s->_x, m->_lnf_w, m->_lnf_b, B, C, c->ln_eps, nt);
    else
        for (i = 0; i < nk; i++)
            llm__layernorm(s->_ln + i * (size_t)C, s->_x + krow[i] * (size_t)C, m->_lnf_w, m->_lnf_b, 1, C,
                           c->ln_eps, nt);
    llm__matmul(dst, s->_ln, &m->_lm_head, NULL, (int)nk, C, c->n_vocab, 0, nt, s->_pack);
}

/* Check a batch (nothing changes on error), prepare the slots' blocks,
   then run it in passes of max_batch rows. all: NULL, or [n, n_vocab]
   for every row's logits (then the last row's are kept as well); with
   hidden 1, [n, n_embd] for every row's final hidden state (no logits).
   q0: the slot of every row when b->seq is NULL. */
static llm_status llm__decode(llm_session *s, const llm_batch *b, float *all, int q0, int hidden) {
    size_t n, i, V, nk = 0, done, k;
    int ns, q;
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    if (!b || !b->n || !b->token) return llm__err(s->error, LLM_ERR_INVALID_ARG, "no tokens to evaluate");
    n = b->n;
    ns = s->n_seq_max;
    V = (size_t)s->model->config.n_vocab;
    for (i = 0; i < n; i++)
        if (b->token[i] < 0 || (size_t)b->token[i] >= V)
            return llm__err(s->error, LLM_ERR_TOKEN_RANGE, "token id %d at row %zu is outside [0, %zu)",
                            (int)b->token[i], i, V);
    for (q = 0; q < ns; q++) { s->_p0[q] = (size_t)-1; s->_p1[q] = s->_len[q]; }
    for (i = 0; i < n; i++) {
        size_t p;
        q = b->seq ? b->seq[i] : q0;
        if (q < 0 || q >= ns)
            return llm__err(s->error, LLM_ERR_INVALID_ARG, "row %zu: slot %d is outside [0, %d)", i, q, ns);
        if (b->pos && b->pos[i] < 0)
            return llm__err(s->error, LLM_ERR_INVALID_ARG, "row %zu: negative position %d", i, (int)b->pos[i]);
        p = b->pos ? (size_t)b->pos[i] : s->_p1[q];
        if (s->_p0[q] == (size_t)-1) {
            if (p > s->_len[q])
                return llm__err(s->error, LLM_ERR_INVALID_ARG, "row %zu: position %zu is past slot %d's length %zu", i,
                                p, q, s->_len[q]);
            s->_p0[q] = p;
        } else if (p != s->_p1[q])
            return llm__err(s->error, LLM_ERR_INVALID_ARG,
                            "row %zu: position %zu of slot %d should be %zu (one after its previous row)",
                            i, p, q, s->_p1[q]);
        if (p >= (size_t)s->n_ctx)
            return llm__err(s->error, LLM_ERR_CONTEXT_FULL,
                            "row %zu: position %zu of slot %d would pass the context length %d", i, p, q, s->n_ctx);
        s->_p1[q] = p + 1;
        if (b->logits && b->logits[i]) nk++;
    }
    if (!b->logits) for (q = 0; q < ns; q++) nk += s->_p0[q] != (size_t)-1;
    if (hidden) nk = 0;
    if (!all && nk > (size_t)ns)
        return llm__err(s->error, LLM_ERR_LIMIT,
                        "%zu rows keep logits; the session keeps at most n_seq_max = %d", nk, ns);
    if ((all && !hidden) || nk) {
        const llm_config *mc = &s->model->config;
        if (mc->head != LLM_HEAD_LM)
            return llm__err(s->error, LLM_ERR_UNSUPPORTED, "the model is %s: it has no next-token logits "
                            "(llm_session_decode_hidden and llm_session_head give its %d outputs)",
                            llm_head_name(mc->head), mc->num_labels);
    }
    /* from here on nothing fails */
    for (q = 0; q < ns; q++) if (s->_p0[q] != (size_t)-1) llm__seq_prepare(s, q, s->_p0[q], s->_p1[q]);
    if (s->_ptok) { /* the rows' tokens, then the blocks they fill join the prefix cache */
        for (q = 0; q < ns; q++) s->_len_tmp[q] = s->_p0[q];
        for (i = 0; i < n; i++) {
            q = b->seq ? b->seq[i] : q0;
            s->_ptok[llm__kv_row(llm__seq_table(s, q), s->_lay.kv_block, s->_len_tmp[q]++)] = b->token[i];
        }
        for (q = 0; q < ns; q++) if (s->_p0[q] != (size_t)-1) llm__prefix_register(s, q, s->_p0[q]);
    }
    /* the kept rows, in increasing order (the last row of each slot: found
       from the end, marking slots in _len_tmp) */
    s->_n_kept = 0;
    if (all || hidden) nk = 0;
    else if (b->logits) { for (i = 0; i < n; i++) if (b->logits[i]) s->_kept[s->_n_kept++] = i; }
    else {
        for (q = 0; q < ns; q++) s->_len_tmp[q] = 0;
        for (i = n; i-- > 0;) {
            q = b->seq ? b->seq[i] : q0;
            if (!s->_len_tmp[q]) { s->_len_tmp[q] = 1; s->_kept[s->_n_kept++] = i; }
        }
        for (i = 0; i < s->_n_kept / 2; i++) {
            k = s->_kept[i];
            s->_kept[i] = s->_kept[s->_n_kept - 1 - i];
            s->_kept[s->_n_kept - 1 - i] = k;
        }
    }
    /* passes; _len_tmp is each slot's next position */
    for (q = 0; q < ns; q++) s->_len_tmp[q] = s->_p0[q];
    for (done = 0, k = 0; done < n; done += (size_t)s->max_batch) {
        int B = n - done < (size_t)s->max_batch ? (int)(n - done) : s->max_batch, r;
        size_t k0 = k;
        for (r = 0; r < B; r++) {
            q = b->seq ? b->seq[done + (size_t)r] : q0;
            s->_rseq[r] = q;
            s->_rpos[r] = s->_len_tmp[q]++;
        }
        if (hidden) {
            llm__forward(s, b->token + done, B, NULL, 0, all + done * (size_t)s->model->config.n_embd);
            continue;
        }
        if (all) { llm__forward(s, b->token + done, B, NULL, (size_t)B, all + done * V); continue; }
        while (k < s->_n_kept && s->_kept[k] < done + (size_t)B) { s->_kept[k] -= done; k++; }
        llm__forward(s, b->token + done, B, s->_kept + k0, k - k0, s->_logits + k0 * V);
        for (; k0 < k; k0++) s->_kept[k0] += done;
    }
    if (all && !hidden) {
        memcpy(s->_logits, all + (n - 1) * V, V * sizeof(float));
        s->_kept[0] = n - 1;
        s->_n_kept = 1;
    }
    s->pos = s->_len[0];
    return LLM_OK;
}

LLM_API llm_status llm_session_decode(llm_session *s, const llm_batch *b) { return llm__decode(s, b, NULL, 0, 0); }

LLM_API llm_status llm_session_eval(llm_session *s, const int32_t *ids, size_t n, float *logits_all) {
    llm_batch b;
    memset(&b, 0, sizeof b);
    b.n = n;
    b.token = ids;
    return llm__decode(s, &b, logits_all, 0, 0);
}

LLM_API llm_status llm_session_decode_hidden(llm_session *s, const llm_batch *b, float *hidden) {
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!hidden) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL hidden-state buffer");
    return llm__decode(s, b, hidden, 0, 1);
}

LLM_API llm_status llm_session_head(llm_session *s, const float *hidden, size_t n, float *out) {
    const llm_model *m;
    size_t done, i, N, C;
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    m = s->model;
    if (m->config.head == LLM_HEAD_LM)
        return llm__err(s->error, LLM_ERR_UNSUPPORTED, "the model is GPT2LMHeadModel: it has no classifier head "
                        "(its outputs are next-token logits)");
    if (!hidden || !out || !n) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL buffer or no rows");
    N = (size_t)m->config.num_labels;
    C = (size_t)m->config.n_embd;
    for (done = 0; done < n; done += (size_t)s->max_batch) {
        int B = n - done < (size_t)s->max_batch ? (int)(n - done) : s->max_batch;
        llm__matmul(out + done * N, hidden + done * C, &m->_cls, NULL, B, (int)C, (int)N, 0, s->n_threads, s->_pack);
    }
    if (m->_cls_b)
        for (i = 0; i < n * N; i++) out[i] += m->_cls_b[i % N];
    return LLM_OK;
}

LLM_API long llm_batch_cls_row(const llm_model *m, const llm_batch *b, int seq) {
    size_t i;
    long first = -1, last = -1, last_kept = -1;
    if (!m || !b || !b->token) return -1;
    for (i = 0; i < b->n; i++)
        if ((b->seq ? b->seq[i] : 0) == seq) {
            if (first < 0) first = (long)i;
            last = (long)i;
            if (m->config.pad_id < 0 || b->token[i] != m->config.pad_id) last_kept = (long)i;
        }
    /* HF: the last token that is not pad_token_id; only pads: the first */
    return last_kept >= 0 ? last_kept : first >= 0 && m->config.pad_id >= 0 ? first : last;
}

LLM_API llm_status llm_head_probs(const llm_model *m, const float *logits, float *out) {
    int i, n;
    if (!m || !logits || !out || m->config.head == LLM_HEAD_LM) return LLM_ERR_INVALID_ARG;
    n = m->config.num_labels;
    if (m->config.problem_type == LLM_PROBLEM_SINGLE_LABEL) {
        float mx = logits[0];
        double sum = 0;
        for (i = 1; i < n; i++) if (logits[i] > mx) mx = logits[i];
        for (i = 0; i < n; i++) sum += (double)(out[i] = expf(logits[i] - mx));
        for (i = 0; i < n; i++) out[i] = (float)(out[i] / sum);
    } else if (m->config.problem_type == LLM_PROBLEM_MULTI_LABEL) {
        for (i = 0; i < n; i++) out[i] = 1.0f / (1.0f + expf(-logits[i]));
    } else if (out != logits) memcpy(out, logits, (size_t)n * sizeof(float));
    return LLM_OK;
}

LLM_API llm_status llm_pool_rows(const float *hidden, size_t n, const llm_batch *b, int seq, llm_pool pool,
                                 int normalize, float *out) {
    size_t i, j, k = 0;
    double ss = 0;
    if (!hidden || !n || !b || !out) return LLM_ERR_INVALID_ARG;
    for (j = 0; j < n; j++) out[j] = 0;
    for (i = 0; i < b->n; i++) {
        if ((b->seq ? b->seq[i] : 0) != seq) continue;
        k++;
        if (pool == LLM_POOL_LAST) memcpy(out, hidden + i * n, n * sizeof(float));
        else for (j = 0; j < n; j++) out[j] += hidden[i * n + j];
    }
    if (!k) return LLM_ERR_INVALID_ARG;
    if (pool != LLM_POOL_LAST) for (j = 0; j < n; j++) out[j] /= (float)k;
    if (normalize) {
        for (j = 0; j < n; j++) ss += (double)out[j] * out[j];
        if (ss > 0) for (j = 0; j < n; j++) out[j] = (float)(out[j] / sqrt(ss));
    }
    return LLM_OK;
}

/* The checks llm_session_eval makes (it cannot fail after them). */
static llm_status llm__eval_check(llm_session *s, const int32_t *ids, size_t n) {
    size_t i, V;
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    if (s->model->config.head != LLM_HEAD_LM)
        return llm__err(s->error, LLM_ERR_UNSUPPORTED, "the model is %s: it has no next-token logits to generate "
                        "from", llm_head_name(s->model->config.head));
    if (!ids || n == 0) return llm__err(s->error, LLM_ERR_INVALID_ARG, "no tokens to evaluate");
    V = (size_t)s->model->config.n_vocab;
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= V)
            return llm__err(s->error, LLM_ERR_TOKEN_RANGE, "token id %d at index %zu is outside [0, %zu)",
                            (int)ids[i], i, V);
    if (n > (size_t)s->n_ctx - s->_len[0])
        return llm__err(s->error, LLM_ERR_CONTEXT_FULL, "%zu tokens at position %zu would pass the context length %d",
                        n, s->_len[0], s->n_ctx);
    return LLM_OK;
}

/* Slot q keeps its first n positions (n <= its length). */
static void llm__seq_truncate(llm_session *s, int q, size_t n) {
    llm__seq_release(s, q, (n + s->_lay.kv_block - 1) / s->_lay.kv_block);
    s->_len[q] = n;
    s->pos = s->_len[0];
}

/* s initialised and q a slot of it, else an error in s->error */
static llm_status llm__seq_check(llm_session *s, int q) {
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    if (q < 0 || q >= s->n_seq_max)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "slot %d is outside [0, %d)", q, s->n_seq_max);
    return LLM_OK;
}

LLM_API size_t llm_session_seq_len(const llm_session *s, int seq) {
    return s && s->_mem && seq >= 0 && seq < s->n_seq_max ? s->_len[seq] : 0;
}

LLM_API llm_status llm_session_seq_copy(llm_session *s, int dst, int src) {
    llm_status r = llm__seq_check(s, dst);
    const int32_t *ts;
    int32_t *td;
    size_t j;
    if (r != LLM_OK || (r = llm__seq_check(s, src)) != LLM_OK) return r;
    if (dst == src) return LLM_OK;
    llm__seq_release(s, dst, 0);
    ts = llm__seq_table(s, src);
    td = llm__seq_table(s, dst);
    for (j = 0; j < s->_lay.n_blocks && ts[j] >= 0; j++) { td[j] = ts[j]; s->_refs[ts[j]]++; }
    s->_len[dst] = s->_len[src];
    s->pos = s->_len[0];
    return LLM_OK;
}

LLM_API llm_status llm_session_seq_clear(llm_session *s, int seq) {
    llm_status r = llm__seq_check(s, seq);
    if (r != LLM_OK) return r;
    llm__seq_release(s, seq, 0);
    s->_len[seq] = 0;
    s->pos = s->_len[0];
    return LLM_OK;
}

LLM_API llm_status llm_session_seq_reorder(llm_session *s, const int32_t *src, int n) {
    llm_status r = llm__seq_check(s, 0);
    size_t nb, j, all;
    int i;
    if (r != LLM_OK) return r;
    if (n < 0 || n > s->n_seq_max || (n && !src))
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "reorder of %d slots (at most %d)", n, s->n_seq_max);
    for (i = 0; i < n; i++)
        if (src[i] < 0 || src[i] >= s->n_seq_max)
            return llm__err(s->error, LLM_ERR_INVALID_ARG, "reorder: src[%d] = %d is outside [0, %d)", i, (int)src[i],
                            s->n_seq_max);
    nb = s->_lay.n_blocks;
    all = (size_t)s->n_seq_max * nb;
    memcpy(s->_table_tmp, s->_table, all * sizeof(int32_t));
    memcpy(s->_len_tmp, s->_len, (size_t)s->n_seq_max * sizeof(size_t));
    /* take the new references before giving back the old ones */
    for (i = 0; i < n; i++)
        for (j = 0; j < nb && s->_table_tmp[(size_t)src[i] * nb + j] >= 0; j++)
            s->_refs[s->_table_tmp[(size_t)src[i] * nb + j]]++;
    for (i = 0; i < n; i++) llm__seq_release(s, i, 0);
    for (i = 0; i < n; i++) {
        memcpy(s->_table + (size_t)i * nb, s->_table_tmp + (size_t)src[i] * nb, nb * sizeof(int32_t));
        s->_len[i] = s->_len_tmp[src[i]];
    }
    s->pos = s->_len[0];
    return LLM_OK;
}

LLM_API llm_status llm_session_copy(llm_session *dst, const llm_session *src) {
    const llm_config *c;
    size_t l, t, C, rows;
    if (!dst || !src) return LLM_ERR_INVALID_ARG;
    if (!src->_mem || !dst->_mem || dst->model != src->model)
        return llm__err(dst->error, LLM_ERR_INVALID_ARG, "sessions must be initialised on the same model");
    if (src->_len[0] > (size_t)dst->n_ctx)
        return llm__err(dst->error, LLM_ERR_CONTEXT_FULL, "source holds %zu tokens; destination n_ctx is %d",
                        src->_len[0], dst->n_ctx);
    if (dst == src) return LLM_OK;
    c = &src->model->config;
    C = (size_t)c->n_embd;
    rows = src->_len[0];
    llm__seq_release(dst, 0, 0);
    llm__seq_prepare(dst, 0, 0, rows);
    for (l = 0; l < (size_t)c->n_layer; l++) {
        const float *sk = src->_k + l * src->_lay.pool * C, *sv = src->_v + l * src->_lay.pool * C;
        float *dk = dst->_k + l * dst->_lay.pool * C, *dv = dst->_v + l * dst->_lay.pool * C;
        for (t = 0; t < rows; t++) {
            size_t a = llm__kv_row(llm__seq_table(dst, 0), dst->_lay.kv_block, t) * C;
            size_t b = llm__kv_row(llm__seq_table(src, 0), src->_lay.kv_block, t) * C;
            memcpy(dk + a, sk + b, C * sizeof(float));
            memcpy(dv + a, sv + b, C * sizeof(float));
        }
    }
    if (dst->_ptok && src->_ptok) { /* tokens known: dst's blocks join its prefix cache */
        for (t = 0; t < rows; t++)
            dst->_ptok[llm__kv_row(llm__seq_table(dst, 0), dst->_lay.kv_block, t)] =
                src->_ptok[llm__kv_row(llm__seq_table(src, 0), src->_lay.kv_block, t)];
        llm__prefix_register(dst, 0, 0);
    }
    dst->_n_kept = 0;
    if (llm_session_logits(src)) {
        memcpy(dst->_logits, llm_session_logits(src), (size_t)c->n_vocab * sizeof(float));
        dst->_kept[0] = 0;
        dst->_n_kept = 1;
    }
    dst->pos = rows;
    return LLM_OK;
}

/* The checks of attach and prefill_cached: slot, tokens, length. */
static llm_status llm__prefix_check(llm_session *s, int q, const int32_t *ids, size_t n) {
    llm_status r = llm__seq_check(s, q);
    size_t i, V;
    if (r != LLM_OK) return r;
    if (!ids || n == 0) return llm__err(s->error, LLM_ERR_INVALID_ARG, "no tokens to evaluate");
    V = (size_t)s->model->config.n_vocab;
    for (i = 0; i < n; i++)
        if (ids[i] < 0 || (size_t)ids[i] >= V)
            return llm__err(s->error, LLM_ERR_TOKEN_RANGE, "token id %d at index %zu is outside [0, %zu)",
                            (int)ids[i], i, V);
    if (n > (size_t)s->n_ctx)
        return llm__err(s->error, LLM_ERR_CONTEXT_FULL, "%zu tokens would pass the context length %d", n, s->n_ctx);
    return LLM_OK;
}

LLM_API llm_status llm_session_seq_attach_cached(llm_session *s, int seq, const int32_t *ids, size_t n,
                                                 size_t *n_cached) {
    llm_status r = llm__prefix_check(s, seq, ids, n);
    size_t k = 0;
    if (n_cached) *n_cached = 0;
    if (r != LLM_OK) return r;
    llm__seq_release(s, seq, 0);
    s->_len[seq] = 0;
    if (s->_ptok) k = llm__prefix_match(s, seq, ids, (n - 1) / s->_lay.kv_block) * s->_lay.kv_block;
    s->pos = s->_len[0];
    if (n_cached) *n_cached = k;
    return LLM_OK;
}

LLM_API llm_status llm_session_seq_prefill_cached(llm_session *s, int seq, const int32_t *ids, size_t n,
                                                  size_t *n_cached) {
    llm_status r = llm__prefix_check(s, seq, ids, n);
    size_t k = 0, mb, m, e;
    llm_batch b;
    if (n_cached) *n_cached = 0;
    if (r != LLM_OK) return r;
    /* from here on nothing fails: the decodes below have checked tokens, fit
       in n_ctx and keep one row's logits */
    llm__seq_release(s, seq, 0);
    s->_len[seq] = 0;
    mb = (size_t)s->max_batch;
    if (s->_ptok) {
        m = llm__prefix_match(s, seq, ids, (n - 1) / s->_lay.kv_block) * s->_lay.kv_block;
        /* the first pass [k, e) must be in the size class of llm_session_eval's
           pass holding it, [k - k % mb, e): of more than LLM__GEMV_ROWS rows, or the same pass */
        for (k = m; k && k % mb; k -= s->_lay.kv_block) {
            e = k - k % mb + mb < n ? k - k % mb + mb : n;
            if (e - k > LLM__GEMV_ROWS) break;
        }
        if (k < m) {
            s->_preused -= m - k;
            if (!k) s->_phits--;
            llm__seq_truncate(s, seq, k);
        }
    }
    memset(&b, 0, sizeof b);
    e = k % mb && k - k % mb + mb < n ? k - k % mb + mb : n;
    b.n = e - k; b.token = ids + k;
    llm__decode(s, &b, NULL, seq, 0);  /* up to llm_session_eval's next pass, */
    if (e < n) {                    /* then its passes */
        b.n = n - e; b.token = ids + e;
        llm__decode(s, &b, NULL, seq, 0);
    }
    if (n_cached) *n_cached = k;
    return LLM_OK;
}

LLM_API llm_status llm_session_prefix_cache_stats(const llm_session *s, llm_prefix_cache_stats *st) {
    size_t i, n;
    if (st) memset(st, 0, sizeof *st);
    if (!s || !st || !s->_mem) return LLM_ERR_INVALID_ARG;
    if (!s->_pstate) return LLM_OK;
    n = (size_t)s->n_seq_max * s->_lay.n_blocks;
    st->lookups = s->_plookups;
    st->hits = s->_phits;
    st->tokens_reused = s->_preused;
    st->evictions = s->_pevictions;
    for (i = 0; i < n; i++) st->blocks_cached += (s->_pstate[i] & LLM__PC_CACHED) != 0;
    st->blocks_total = n;
    return LLM_OK;
}

/* Unused blocks stop being findable; their LLM__PC_PARENT bits stay, so
   the blocks cached after them leave the cache when they are rewritten. */
LLM_API void llm_session_prefix_cache_clear(llm_session *s) {
    size_t i, n;
    if (!s || !s->_mem || !s->_pstate) return;
    n = (size_t)s->n_seq_max * s->_lay.n_blocks;
    for (i = 0; i < n; i++)
        if (!s->_refs[i]) s->_pstate[i] &= (unsigned char)~LLM__PC_CACHED;
}

/* ==========================================================================
   SAMPLING
   ========================================================================== */

LLM_API void llm_rng_seed(llm_rng *r, uint64_t seed) { if (r) r->state = seed; }
LLM_API uint64_t llm_rng_next(llm_rng *r) {
    uint64_t z;
    if (!r) return 0;
    z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
LLM_API float llm_rng_float(llm_rng *r) { return r ? (float)(llm_rng_next(r) >> 40) * (1.0f / 16777216.0f) : 0.0f; }

typedef struct llm__cand { float v; int32_t id; } llm__cand;

/* a before b: larger value first, then lower id */
static int llm__cand_before(const llm__cand *a, const llm__cand *b) {
    return a->v > b->v || (a->v == b->v && a->id < b->id);
}

/* Heap of n candidates where the root is the one that comes LAST. */
static void llm__cand_sift(llm__cand *h, size_t n, size_t r) {
    for (;;) {
        size_t c = 2 * r + 1;
        llm__cand t;
        if (c >= n) return;
        if (c + 1 < n && llm__cand_before(&h[c], &h[c + 1])) c++;
        if (!llm__cand_before(&h[r], &h[c])) return;
        t = h[r]; h[r] = h[c]; h[c] = t;
        r = c;
    }
}
/* Sort best-first (heap sort, no recursion). */
static void llm__cand_sort(llm__cand *c, size_t n) {
    size_t i;
    for (i = n / 2; i-- > 0;) llm__cand_sift(c, n, i);
    for (i = n; i-- > 1;) { llm__cand t = c[0]; c[0] = c[i]; c[i] = t; llm__cand_sift(c, i, 0); }
}

LLM_API const char *llm_sampler_error(const llm_sampler *s) { return s ? llm__msg(s->error) : "NULL sampler"; }

/* The sampler options' ranges (llm_sampler_init, llm_generate, llm_generator_add). */
static llm_status llm__sampler_check(const llm_sampler_options *o, char *err) {
    if (!(o->temperature >= 0.0f) || o->temperature > 1e6f)
        return llm__err(err, LLM_ERR_INVALID_ARG, "temperature must be in [0, 1e6]");
    if (o->top_k < 0) return llm__err(err, LLM_ERR_INVALID_ARG, "top_k must be >= 0");
    if (!(o->top_p >= 0.0f) || o->top_p > 1.0f) return llm__err(err, LLM_ERR_INVALID_ARG, "top_p must be in [0, 1]");
    if (!(o->min_p >= 0.0f) || o->min_p > 1.0f) return llm__err(err, LLM_ERR_INVALID_ARG, "min_p must be in [0, 1]");
    if (!(o->repetition_penalty >= 0.0f) || o->repetition_penalty > 1e6f)
        return llm__err(err, LLM_ERR_INVALID_ARG, "repetition_penalty must be in [0, 1e6]");
    return LLM_OK;
}

static llm_status llm__sampler_init(llm_sampler *s, const llm_sampler_options *opt, size_t n_vocab, llm_arena *a) {
    size_t bytes;
    llm_status r;
    if (!s) return LLM_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    s->_arena = a;
#ifdef LLM_NO_MALLOC
    if (!a) return llm__err(s->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: use llm_sampler_init_arena");
#endif
    if (opt) s->opt = *opt;
    if (n_vocab == 0 || n_vocab > LLM__MAX_VOCAB)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "n_vocab %zu is outside [1, %d]", n_vocab, LLM__MAX_VOCAB);
    r = llm__sampler_check(&s->opt, s->error);
    if (r != LLM_OK) return r;
    s->n_vocab = n_vocab;
    bytes = n_vocab * (sizeof(float) + sizeof(llm__cand));
    s->_buf = llm__aalloc(a, bytes);
    if (!s->_buf) return llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for the sampler");
    llm_rng_seed(&s->rng, s->opt.seed);
    return LLM_OK;
}
LLM_API llm_status llm_sampler_init(llm_sampler *s, const llm_sampler_options *opt, size_t n_vocab) {
    return llm__sampler_init(s, opt, n_vocab, NULL);
}
LLM_API llm_status llm_sampler_init_arena(llm_sampler *s, const llm_sampler_options *opt, size_t n_vocab,
                                          llm_arena *a) {
    if (!a) {
        if (s) memset(s, 0, sizeof *s);
        return s ? llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL arena") : LLM_ERR_INVALID_ARG;
    }
    return llm__sampler_init(s, opt, n_vocab, a);
}
LLM_API llm_status llm_sampler_heap_size(size_t n_vocab, size_t *peak, size_t *kept) {
    llm_status r = llm__heap_begin(peak, kept);
    if (r == LLM_OK && (n_vocab == 0 || n_vocab > LLM__MAX_VOCAB)) r = LLM_ERR_INVALID_ARG;
    return r == LLM_OK ? llm__heap_block(n_vocab * (sizeof(float) + sizeof(llm__cand)), peak, kept) : r;
}

LLM_API void llm_sampler_free(llm_sampler *s) {
    if (!s) return;
    llm__afree(s->_arena, s->_buf);
    s->_buf = NULL;
}

/* Keep the k best (plus ties with the k-th) at the front of c, sorted. */
static size_t llm__top_k(llm__cand *c, size_t n, size_t k) {
    size_t i, m;
    float kth;
    /* heap of the k best so far, root = the worst of them */
    for (i = k / 2; i-- > 0;) llm__cand_sift(c, k, i);
    for (i = k; i < n; i++)
        if (llm__cand_before(&c[i], &c[0])) { llm__cand t = c[0]; c[0] = c[i]; c[i] = t; llm__cand_sift(c, k, 0); }
    kth = c[0].v;
    for (m = k, i = k; i < n; i++) /* ties with the k-th value stay (HF) */
        if (c[i].v == kth) { llm__cand t = c[m]; c[m] = c[i]; c[i] = t; m++; }
    llm__cand_sort(c, m);
    return m;
}

/* Logit l with repetition penalty p (HF: positive / p, negative * p); scaled:
   times g = p for p < 1, 1 / p for p > 1 (see llm__penalise). */
static float llm__penalised(float l, float p, int scaled) {
    if (!scaled) return l > 0 ? l / p : l * p;
    if (p < 1.0f) return l > 0 ? l : l * p * p;
    return l > 0 ? l / p / p : l;
}

/* w[n] = logits with the repetition penalty p applied to the tokens in
   history, each from its original logit (so repeats apply once). A p far
   from 1 can overflow a finite logit to +-inf; then every value is scaled
   by g (p < 1: p, p > 1: 1 / p), which keeps them all finite. Returns
   whether it scaled: differences of w then go back to the logits' scale
   (llm__unscale) before the temperature divides them. */
static int llm__penalise(float *w, const float *logits, size_t n, const int32_t *history, size_t n_history, float p) {
    size_t i;
    int scaled;
    memcpy(w, logits, n * sizeof(float));
    if (p == 0.0f || p == 1.0f) return 0;
    for (scaled = 0; scaled < 2; scaled++) {
        int over = 0;
        if (scaled) for (i = 0; i < n; i++) w[i] = p < 1.0f ? logits[i] * p : logits[i] / p;
        for (i = 0; i < n_history; i++) {
            int32_t t = history[i];
            if (t < 0 || (size_t)t >= n) continue;
            w[t] = llm__penalised(logits[t], p, scaled);
            if ((w[t] > LLM__FLT_MAX || w[t] < -LLM__FLT_MAX) && logits[t] <= LLM__FLT_MAX &&
                logits[t] >= -LLM__FLT_MAX) over = 1;
        }
        if (!over) return scaled;
    }
    return 1; /* not reached: the scaled values are finite */
}
/* A difference of (possibly scaled) values at the logits' scale; -inf when
   that is past the float range, which is what it is next to the others. */
static float llm__unscale(float d, float p, int scaled) { return !scaled ? d : p < 1.0f ? d / p : d * p; }

LLM_API llm_status llm_sampler_sample(llm_sampler *s, const float *logits, const int32_t *history, size_t n_history,
                                      int32_t *id) {
    const llm_sampler_options *o;
    float *w, mx, sum, u;
    llm__cand *c;
    size_t n, i, m, pick;
    int scaled, finite = 0;
    if (!s) return LLM_ERR_INVALID_ARG;
    if (!s->_buf) return llm__err(s->error, LLM_ERR_INVALID_ARG, "sampler is not initialised");
    if (!logits || !id || (n_history && !history)) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL argument");
    o = &s->opt;
    n = s->n_vocab;
    w = (float *)s->_buf;
    c = (llm__cand *)(void *)(w + n);
    /* 0. NaN has no order: refused. A +inf logit has all the probability
       at any temperature (the lowest such id, like greedy's ties); -inf has
       none, and if every logit is -inf no token can be drawn. */
    for (pick = n, i = 0; i < n; i++) {
        if (logits[i] != logits[i]) return llm__err(s->error, LLM_ERR_NUMERIC, "logit %zu is NaN", i);
        if (logits[i] > LLM__FLT_MAX && pick == n) pick = i;
        if (logits[i] >= -LLM__FLT_MAX) finite = 1;
    }
    if (pick < n) { *id = (int32_t)pick; return LLM_OK; }
    if (!finite) return llm__err(s->error, LLM_ERR_NUMERIC, "every logit is -inf");
    /* 1. repetition penalty (w is finite where the logits are) */
    scaled = llm__penalise(w, logits, n, history, n_history, o->repetition_penalty);
    /* greedy */
    if (o->temperature == 0.0f) {
        size_t best = 0;
        for (i = 1; i < n; i++) if (w[i] > w[best]) best = i;
        *id = (int32_t)best;
        return LLM_OK;
    }
    for (i = 0; i < n; i++) { c[i].v = w[i]; c[i].id = (int32_t)i; }
    m = n;
    /* 2. top-k (sorted result), else sort when top-p / min-p need order.
       Dividing by the temperature keeps the order, so these are the
       candidates of HF's top-k after the temperature. */
    if (o->top_k > 0 && (size_t)o->top_k < n) m = llm__top_k(c, n, (size_t)o->top_k);
    else if ((o->top_p > 0.0f && o->top_p < 1.0f) || o->min_p > 0.0f) llm__cand_sort(c, n);
    /* 3. temperature: weights exp((w_i - w_max) / T), unnormalised, kept in
       w. Subtracting first keeps every exponent in [-inf, 0] (never
       inf - inf), so a tiny T leaves only the best: greedy, its limit. */
    mx = c[0].v;
    for (i = 1; i < m; i++) if (c[i].v > mx) mx = c[i].v;
    sum = 0.0f;
    for (i = 0; i < m; i++) {
        w[i] = expf(llm__unscale(c[i].v - mx, o->repetition_penalty, scaled) / o->temperature);
        sum += w[i];
    }
    /* 4. top-p: drop the tail whose mass (from the smallest up) is
       <= 1 - top_p, always keeping the best */
    if (o->top_p > 0.0f && o->top_p < 1.0f) {
        float cut = (1.0f - o->top_p) * sum, tail = 0.0f;
        size_t keep = m;
        while (keep > 1 && tail + w[keep - 1] <= cut) { tail += w[keep - 1]; keep--; }
        for (i = keep; i < m; i++) sum -= w[i];
        m = keep;
    }
    /* 5. min-p: relative to the best candidate (w[0] = 1 after sorting) */
    if (o->min_p > 0.0f) {
        float lim = o->min_p * w[0];
        size_t keep = 1;
        while (keep < m && w[keep] >= lim) keep++;
        for (i = keep; i < m; i++) sum -= w[i];
        m = keep;
    }
    /* draw (sum >= 1: the best weighs 1). Should rounding leave u >= 0 at
       the end, the last candidate with a weight is taken, never one with
       none. */
    u = llm_rng_float(&s->rng) * sum;
    for (pick = 0, i = 0; i < m; i++) {
        if (!(w[i] > 0.0f)) continue;
        pick = i;
        u -= w[i];
        if (u < 0.0f) break;
    }
    *id = c[pick].id;
    return LLM_OK;
}

/* ==========================================================================
   GENERATION
   ========================================================================== */

LLM_API void llm_generation_free(llm_generation *g) {
    int i;
    if (!g) return;
    for (i = 0; g->seqs && i < g->n_seqs; i++) { llm__free(g->seqs[i].ids); llm__free(g->seqs[i].text); }
    llm__free(g->seqs);
    g->seqs = NULL;
    g->n_seqs = 0;
}

/* Append bytes to a sequence's text, growing its buffer by doubling. */
static int llm__text_append(llm_sequence *q, size_t *cap, const char *p, size_t n) {
    if (q->text_len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        char *nb;
        while (nc < q->text_len + n + 1) { if (nc > ((size_t)-1) / 2) return 0; nc *= 2; }
        nb = LLM__CAST(char *, llm__alloc(nc));
        if (!nb) return 0;
        if (q->text) memcpy(nb, q->text, q->text_len);
        llm__free(q->text);
        q->text = nb;
        *cap = nc;
    }
    memcpy(q->text + q->text_len, p, n);
    q->text_len += n;
    q->text[q->text_len] = 0;
    return 1;
}

/* One thread's scratch for choosing tokens: its sampler (each sequence's
   options and RNG are swapped in) and the no_repeat buffers. The
   sequences of a generator's step are sampled in parallel, one lane per
   thread; a token depends only on its sequence's logits, ids, options and
   RNG, so it is the same whichever lane draws it. */
typedef struct llm__lane {
    llm_sampler smp;
    float *lg;                /* [V]: logits with the no_repeat bans */
    unsigned char *ban;       /* [V]: all 0 between calls of llm__ngram_bans */
    int32_t *banned;          /* [V]: the ids marked in ban */
    size_t failed;            /* the lowest sequence whose draw failed this step, or (size_t)-1 */
    char msg[LLM_ERROR_SIZE]; /* its message */
} llm__lane;

/* What every step of a beam search shares. */
typedef struct llm__gctx {
    const llm_generate_options *o;
    const llm_tokenizer *tok;
    size_t max_new, V;
    int32_t eos;              /* -1: none (ignore_eos) */
    int ctx_bound;            /* max_new is the context's room, not an option's limit */
    llm__lane *lane;          /* [n_lanes]; beam search uses lane 0 */
    int n_lanes;
} llm__gctx;

/* no_repeat_ngram_size n (HF's NoRepeatNGramLogitsProcessor): marks in
   L->ban, and lists in L->banned, every token t < V such that the last
   n - 1 ids of s[0..T) followed by t already occur as an n-gram of s.
   Returns how many (the caller clears their marks). */
static size_t llm__ngram_bans(llm__lane *L, size_t V, const int32_t *s, size_t T, size_t n) {
    size_t i, k = 0;
    if (!n || T + 1 < n) return 0;
    for (i = 0; i + n <= T; i++) {
        int32_t t = s[i + n - 1];
        if (n > 1 && memcmp(s + i, s + T - (n - 1), (n - 1) * sizeof(int32_t))) continue;
        if (t >= 0 && (size_t)t < V && !L->ban[t]) { L->ban[t] = 1; L->banned[k++] = t; }
    }
    return k;
}
static void llm__ngram_clear(llm__lane *L, size_t k) { while (k) L->ban[L->banned[--k]] = 0; }

/* ---- beam search ----------------------------------------------------------
   HF's vectorised _beam_search (transformers v4.50+); tools/beam_reference.py
   is the independent reference, tests/data/beam-ref/README.md the rules. */

#define LLM__BEAM_DEAD (-1.0e9)  /* HF's score for placeholders: the B - 1 copies of the prompt, empty slots */

/* A candidate (beam, token) with its sum of log-probs; "before" is better:
   higher score, then lower beam, then lower token (a stable order). */
typedef struct llm__bcand { double s; int32_t beam, tok; } llm__bcand;
static int llm__bcand_before(const llm__bcand *a, const llm__bcand *b) {
    return a->s > b->s || (a->s == b->s && (a->beam < b->beam || (a->beam == b->beam && a->tok < b->tok)));
}
/* Heap whose root is the candidate that comes last. */
static void llm__bcand_sift(llm__bcand *h, size_t n, size_t r) {
    for (;;) {
        size_t c = 2 * r + 1;
        llm__bcand t;
        if (c >= n) return;
        if (c + 1 < n && llm__bcand_before(&h[c], &h[c + 1])) c++;
        if (!llm__bcand_before(&h[r], &h[c])) return;
        t = h[r]; h[r] = h[c]; h[c] = t;
        r = c;
    }
}

/* B running beams and B finished slots, ids rows of cap (prompt + generated). */
typedef struct llm__beams {
    size_t B, K, cap, P, t;          /* beams, candidates kept (2B), row length, prompt, tokens generated */
    double lp;                       /* length_penalty */
    int32_t *ids, *ids2;             /* [B * cap]: running beams (all P + t long); the next ones */
    int32_t *fids, *fids2;           /* [B * cap]: finished hypotheses, best first; the next ones */
    double *score, *score2;          /* [B]: running sums of log-probs (HF: -1e9 added when stopped) */
    double *fscore, *fscore2;        /* [B]: finished scores; empty slots -1e9 */
    size_t *flen, *flen2;            /* [B]: finished ids lengths; 0: empty slot */
    int32_t *parent, *next;          /* [B]: the slot each next beam comes from, its new token */
    llm__bcand *c;                   /* [K] */
    unsigned char *hit;              /* [K] */
    int fired, done;                 /* the early-stop heuristic fired (sticky); the search is over */
    int32_t *mem_ids;                /* the allocations (the pairs above are swapped each step) */
    double *mem_score;
    size_t *mem_flen;
} llm__beams;

static void llm__beams_free(llm__beams *z) {
    llm__free(z->mem_ids); llm__free(z->mem_score); llm__free(z->mem_flen); llm__free(z->parent); llm__free(z->c);
    memset(z, 0, sizeof *z);
}
static int llm__beams_init(llm__beams *z, size_t B, size_t cap, size_t P, double lp) {
    size_t i;
    memset(z, 0, sizeof *z);
    z->B = B; z->K = 2 * B; z->cap = cap; z->P = P; z->lp = lp;
    z->ids = LLM__CAST(int32_t *, llm__alloc(4 * B * cap * sizeof(int32_t)));
    z->score = LLM__CAST(double *, llm__alloc(4 * B * sizeof(double)));
    z->flen = LLM__CAST(size_t *, llm__alloc(2 * B * sizeof(size_t)));
    z->parent = LLM__CAST(int32_t *, llm__alloc(2 * B * sizeof(int32_t)));
    z->c = LLM__CAST(llm__bcand *, llm__alloc(z->K * (sizeof(llm__bcand) + 1)));
    z->mem_ids = z->ids; z->mem_score = z->score; z->mem_flen = z->flen;
    if (!z->ids || !z->score || !z->flen || !z->parent || !z->c) { llm__beams_free(z); return 0; }
    z->ids2 = z->ids + B * cap; z->fids = z->ids2 + B * cap; z->fids2 = z->fids + B * cap;
    z->score2 = z->score + B; z->fscore = z->score2 + B; z->fscore2 = z->fscore + B;
    z->flen2 = z->flen + B;
    z->next = z->parent + B;
    z->hit = (unsigned char *)(void *)(z->c + z->K);
    for (i = 0; i < B; i++) {
        z->score[i] = i ? LLM__BEAM_DEAD : 0.0;   /* one live beam: the prompt */
        z->fscore[i] = LLM__BEAM_DEAD;
        z->flen[i] = 0;
    }
    return 1;
}
static int llm__beams_full(const llm__beams *z) {
    size_t i;
    for (i = 0; i < z->B; i++) if (!z->flen[i]) return 0;
    return 1;
}

/* One step of the search from logits lg(b) of each running beam b (lg0
   for all at the first step, else row b of w's last decode). Leaves in
   z->parent / z->next the next beams (to reorder the slots by and to
   evaluate), or z->done. */
static llm_status llm__beam_step(llm__beams *z, llm__gctx *x, const float *lg0, const llm_session *w, char *err) {
    const size_t B = z->B, K = z->K, V = x->V, len = z->P + z->t, ngram = (size_t)x->o->no_repeat_ngram_size;
    const llm_early_stopping es = x->o->early_stopping;
    llm__lane *L = &x->lane[0];
    size_t b, i, j, n = 0, a, h, nh, all_hit = 1;
    int32_t *tmp32;
    double *tmpd;
    size_t *tmpz;
    /* 1. the K best candidates over every (beam, token) */
    for (b = 0; b < B; b++) {
        const float *lg = lg0 ? lg0 : llm_session_logits_row(w, b);
        double mx = -HUGE_VAL, sum = 0.0, lse;
        size_t nb;
        if (!lg) return llm__err(err, LLM_ERR_INVALID_ARG, "beam %zu has no logits", b);
        for (i = 0; i < V; i++) {
            if (lg[i] != lg[i] || lg[i] > LLM__FLT_MAX)
                return llm__err(err, LLM_ERR_NUMERIC, "beam search: logit %zu of beam %zu is %s", i, b,
                                lg[i] != lg[i] ? "NaN" : "+inf");
            if (lg[i] > mx) mx = lg[i];
        }
        if (mx == -HUGE_VAL) return llm__err(err, LLM_ERR_NUMERIC, "beam search: every logit of beam %zu is -inf", b);
        for (i = 0; i < V; i++) sum += exp((double)lg[i] - mx);
        lse = mx + log(sum);               /* log_softmax = logit - lse (HF: before the bans) */
        nb = llm__ngram_bans(L, V, z->ids + b * z->cap, len, ngram);
        for (i = 0; i < V; i++) {
            llm__bcand c;
            c.s = L->ban[i] ? -HUGE_VAL : z->score[b] + ((double)lg[i] - lse);
            c.beam = (int32_t)b; c.tok = (int32_t)i;
            if (n < K) {
                z->c[n++] = c;
                if (n == K) for (j = K / 2; j-- > 0;) llm__bcand_sift(z->c, K, j);
            } else if (llm__bcand_before(&c, &z->c[0])) { z->c[0] = c; llm__bcand_sift(z->c, K, 0); }
        }
        llm__ngram_clear(L, nb);
    }
    for (i = K; i-- > 1;) { llm__bcand t = z->c[0]; z->c[0] = z->c[i]; z->c[i] = t; llm__bcand_sift(z->c, i, 0); }
    /* 2. which candidates stop: end-of-text, or the length limit */
    for (i = 0; i < K; i++) {
        z->hit[i] = z->c[i].tok == x->eos || z->t + 1 >= x->max_new;
        if (!z->hit[i]) all_hit = 0;
    }
    /* 3. finished hypotheses: the stopped ones among the first B, merged
       (stably: old ones first on ties) into the B best */
    if (!z->fired && !(es == LLM_EARLY_STOPPING_TRUE && llm__beams_full(z))) {
        double den = pow((double)(z->t + 1), z->lp);
        size_t o = 0, any = 0;
        for (i = 0; i < B; i++) any |= z->hit[i];
        if (any) {
            a = 0;
            while (o < B && !z->hit[o]) o++;
            for (j = 0; j < B; j++) {
                double so = o < B ? z->c[o].s / den : -HUGE_VAL;
                if (a < B && !(so > z->fscore[a])) {
                    memcpy(z->fids2 + j * z->cap, z->fids + a * z->cap, z->flen[a] * sizeof(int32_t));
                    z->fscore2[j] = z->fscore[a]; z->flen2[j] = z->flen[a];
                    a++;
                } else {
                    const llm__bcand *c = &z->c[o];
                    memcpy(z->fids2 + j * z->cap, z->ids + (size_t)c->beam * z->cap, len * sizeof(int32_t));
                    z->fids2[j * z->cap + len] = c->tok;
                    z->fscore2[j] = so; z->flen2[j] = len + 1;
                    for (o++; o < B && !z->hit[o]; o++) {}
                }
            }
            tmp32 = z->fids; z->fids = z->fids2; z->fids2 = tmp32;
            tmpd = z->fscore; z->fscore = z->fscore2; z->fscore2 = tmpd;
            tmpz = z->flen; z->flen = z->flen2; z->flen2 = tmpz;
        }
    }
    /* 4. the next running beams: the best B by score, -1e9 added to the
       stopped ones (HF), stably: a merge of the two sorted lists */
    for (a = 0, h = 0, j = 0; j < B; j++) {
        double sa, sh;
        while (a < K && z->hit[a]) a++;
        while (h < K && !z->hit[h]) h++;
        sa = a < K ? z->c[a].s : -HUGE_VAL;
        sh = h < K ? z->c[h].s + LLM__BEAM_DEAD : -HUGE_VAL;
        nh = h < K && (a >= K || sh > sa || (sh == sa && h < a));
        i = nh ? h++ : a++;
        z->parent[j] = z->c[i].beam;
        z->next[j] = z->c[i].tok;
        z->score2[j] = nh ? sh : sa;
        memcpy(z->ids2 + j * z->cap, z->ids + (size_t)z->c[i].beam * z->cap, len * sizeof(int32_t));
        z->ids2[j * z->cap + len] = z->c[i].tok;
    }
    tmp32 = z->ids; z->ids = z->ids2; z->ids2 = tmp32;
    tmpd = z->score; z->score = z->score2; z->score2 = tmpd;
    z->t++;
    /* 5. HF's early-stop heuristic (sticky), then the stopping rule */
    if (!z->fired && llm__beams_full(z)) {
        size_t L = es == LLM_EARLY_STOPPING_NEVER && z->lp > 0.0 ? x->max_new : z->t;
        if (!(z->score[0] / pow((double)L, z->lp) > z->fscore[B - 1])) z->fired = 1;
    }
    z->done = z->fired || (es == LLM_EARLY_STOPPING_TRUE && llm__beams_full(z)) || all_hit;
    return LLM_OK;
}

/* The best returned hypotheses into out->seqs (n of them asked; fewer
   when fewer slots were ever filled), with their text. */
static llm_status llm__beam_output(const llm__beams *z, llm__gctx *x, llm_generation *out, char *err) {
    size_t i, k, n = (size_t)out->n_seqs;
    for (i = 0; i < n; i++) {
        llm_sequence *q = &out->seqs[i];
        llm_decoder dec;
        char piece[LLM_DECODER_BUFFER];
        size_t cap = 0, np, end;
        if (!z->flen[i]) break;
        memcpy(q->ids, z->fids + i * z->cap, z->flen[i] * sizeof(int32_t));
        q->n_ids = z->flen[i];
        q->score = z->fscore[i];
        q->stop = q->ids[q->n_ids - 1] == x->eos ? LLM_STOP_EOS
                : x->ctx_bound ? LLM_STOP_CONTEXT_FULL : LLM_STOP_LENGTH;
        if (!x->tok) continue;
        end = q->n_ids - (q->stop == LLM_STOP_EOS);
        llm_decoder_init(&dec);
        for (k = q->n_prompt; k <= end; k++) {
            llm_status r = LLM_OK;
            np = 0;
            if (k < end) r = llm_decoder_push(&dec, x->tok, q->ids[k], piece, sizeof piece, &np);
            else np = llm_decoder_flush(&dec, piece, sizeof piece);
            if (r == LLM_ERR_TOKEN_RANGE) { np = 0; r = LLM_OK; }
            if (r != LLM_OK) return llm__err(err, r, "decoding token %d: %s", (int)q->ids[k], llm_status_string(r));
            if (np && !llm__text_append(q, &cap, piece, np))
                return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
        }
        if (q->text_len && x->o->on_text) x->o->on_text(x->o->user, (int)i, q->text, q->text_len);
    }
    /* the slots never filled (possible only with banned tokens among the
       last candidates) are not returned */
    for (k = i; k < n; k++) { llm__free(out->seqs[k].ids); llm__free(out->seqs[k].text); }
    out->n_seqs = (int)i;
    return LLM_OK;
}

static void llm__lanes_free(llm__lane *lane, int n, llm_arena *a) {
    int t;
    for (t = 0; lane && t < n; t++) { llm_sampler_free(&lane[t].smp); llm__afree(a, lane[t].lg); }
    llm__afree(a, lane);
}
/* *lane: n lanes (at most n_threads), each a sampler with options so and
   its no_repeat buffers for V tokens; *n_lanes their number. Memory from
   arena a, or malloc when a is NULL. */
static llm_status llm__lanes_init(llm__lane **lane, int *n_lanes, const llm_sampler_options *so, size_t V, int n,
                                  int n_threads, llm_arena *a, char *err) {
    llm_status r;
    llm__lane *ls;
    int t;
    if (n > n_threads) n = n_threads;
    if (n < 1) n = 1;
    *lane = NULL;
    *n_lanes = 0;
    ls = LLM__CAST(llm__lane *, llm__aalloc(a, (size_t)n * sizeof(llm__lane)));
    if (!ls) return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(ls, 0, (size_t)n * sizeof(llm__lane));
    for (t = 0; t < n; t++) {
        llm__lane *L = &ls[t];
        r = llm__sampler_init(&L->smp, so, V, a);
        if (r != LLM_OK) { llm__err(err, r, "%s", L->smp.error); llm__lanes_free(ls, n, a); return r; }
        L->lg = LLM__CAST(float *, llm__aalloc(a, V * (sizeof(float) + sizeof(int32_t) + 1)));
        if (!L->lg) { llm__lanes_free(ls, n, a); return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory"); }
        L->banned = (int32_t *)(void *)(L->lg + V);
        L->ban = (unsigned char *)(void *)(L->banned + V);
        memset(L->ban, 0, V);
    }
    *lane = ls;
    *n_lanes = n;
    return LLM_OK;
}

/* ---- the generator -------------------------------------------------------- */

enum { LLM__GS_FREE = 0, LLM__GS_PREFILL, LLM__GS_RUN };

/* One slot of a generator. */
typedef struct llm__gseq {
    int state;                /* LLM__GS_* */
    llm_seq_options o;
    llm_decoder dec;
    llm_rng rng;
    int32_t *ids;             /* [n_ctx + 1]: the prompt, then the generated ids */
    size_t n_ids, n_prompt;
    size_t fed;               /* prompt rows decoded */
    size_t cached;            /* of them, reused from the session's prefix cache */
    size_t take;              /* prompt rows in this step's batch */
    size_t base;              /* the slot's positions before the prompt (llm_generate's earlier tokens) */
    size_t gen, max_new;      /* tokens generated; the limit */
    uint64_t order;           /* when it was added: prompts are read oldest first */
    int feed;                 /* its last id is to be evaluated by the next step */
    size_t row;               /* its row with logits in this step's batch, or (size_t)-1 */
    const float *lg;          /* the logits it draws from this step, or NULL */
    int32_t pick;             /* the draw: the token, its status, its log-probability */
    llm_status st;
    float lp;
    llm__cand *cand;          /* [max_top_logprobs]: the selection's heap */
    llm_token_logprob *top;   /* [max_top_logprobs] */
    char *hold, *out;         /* [_text_cap] each: text held back; text handed out this step */
    size_t n_hold, n_out;
} llm__gseq;

LLM_API const char *llm_generator_error(const llm_generator *g) { return g ? llm__msg(g->error) : "NULL generator"; }

LLM_API void llm_generator_free(llm_generator *g) {
    if (!g) return;
    llm__lanes_free(g->_lane, g->_n_lanes, g->_arena);
    if (g->_seq) llm__afree(g->_arena, g->_seq[0].ids);   /* one block for every slot's buffers */
    llm__afree(g->_arena, g->_btok);
    llm__afree(g->_arena, g->_ev);
    llm__afree(g->_arena, g->_seq);
    g->_seq = NULL; g->_lane = NULL; g->_ev = NULL; g->_btok = NULL;
    g->_n_lanes = 0; g->n_live = 0; g->max_seqs = 0;
    g->session = NULL;
}

static llm_status llm__generator_init(llm_generator *g, llm_session *s, const llm_generator_options *opt,
                                      llm_arena *a) {
    llm_generator_options o;
    size_t V, per, tcap, rows, bytes, i;
    char *mem = NULL;
    llm_status r;
    if (!g) return LLM_ERR_INVALID_ARG;
    memset(g, 0, sizeof *g);
    g->_arena = a;
#ifdef LLM_NO_MALLOC
    if (!a) return llm__err(g->error, LLM_ERR_UNSUPPORTED, "built with LLM_NO_MALLOC: use llm_generator_init_arena");
#endif
    if (!s || !s->_mem || !s->model) return llm__err(g->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    V = (size_t)s->model->config.n_vocab;
    if (o.max_seqs < 0 || o.max_seqs > s->n_seq_max)
        return llm__err(g->error, LLM_ERR_INVALID_ARG, "max_seqs %d is outside [0, the session's n_seq_max %d]",
                        o.max_seqs, s->n_seq_max);
    if (o.max_prefill_rows < 0 || o.max_top_logprobs < 0 || (size_t)o.max_top_logprobs > V ||
        o.max_stop_len < 0 || o.max_stop_len > (1 << 20))
        return llm__err(g->error, LLM_ERR_INVALID_ARG, "max_prefill_rows must be >= 0, max_top_logprobs in [0, "
                        "n_vocab], max_stop_len in [0, 1048576]");
    g->session = s;
    g->max_seqs = o.max_seqs ? o.max_seqs : s->n_seq_max;
    g->max_prefill_rows = o.max_prefill_rows && o.max_prefill_rows < s->n_ctx ? o.max_prefill_rows : s->n_ctx;
    g->max_top_logprobs = o.max_top_logprobs;
    g->max_stop_len = o.max_stop_len ? o.max_stop_len : 64;
    g->_eos = s->model->config.eos_id >= 0 ? s->model->config.eos_id
            : (s->model->has_tokenizer ? llm_tokenizer_eot(&s->model->tokenizer) : -1);
    /* a slot's held-back text and its handed-out text: a stop string's
       prefix, a token's piece and the decoder's flush */
    tcap = (size_t)g->max_stop_len + 2 * LLM_DECODER_BUFFER;
    /* every slot: ids, the heap and the top entries, the two texts */
    per = ((size_t)s->n_ctx + 1) * sizeof(int32_t) + (size_t)g->max_top_logprobs * (sizeof(llm__cand) +
          sizeof(llm_token_logprob)) + 2 * tcap;
    per = (per + 7) & ~(size_t)7;
    rows = (size_t)g->max_seqs + (size_t)g->max_prefill_rows;
    g->_seq = LLM__CAST(llm__gseq *, llm__aalloc(a, (size_t)g->max_seqs * sizeof(llm__gseq)));
    if (g->_seq) g->_ev = LLM__CAST(llm_generator_event *,
                                    llm__aalloc(a, (size_t)g->max_seqs * sizeof(llm_generator_event)));
    if (g->_ev) g->_btok = LLM__CAST(int32_t *, llm__aalloc(a, rows * (3 * sizeof(int32_t) + 1)));
    if (!g->_btok || !llm__mul(per, (size_t)g->max_seqs, &bytes) ||
        !(mem = LLM__CAST(char *, llm__aalloc(a, bytes)))) {
        if (g->_seq) g->_seq[0].ids = NULL;
        llm_generator_free(g);
        return llm__err(g->error, LLM_ERR_OUT_OF_MEMORY, "out of memory for a generator of %d sequences",
                        o.max_seqs ? o.max_seqs : s->n_seq_max);
    }
    memset(g->_seq, 0, (size_t)g->max_seqs * sizeof(llm__gseq));
    for (i = 0; i < (size_t)g->max_seqs; i++) {
        llm__gseq *q = &g->_seq[i];
        char *p = mem + i * per;
        q->ids = (int32_t *)(void *)p;
        p += ((size_t)s->n_ctx + 1) * sizeof(int32_t);
        q->cand = (llm__cand *)(void *)p;
        p += (size_t)g->max_top_logprobs * sizeof(llm__cand);
        q->top = (llm_token_logprob *)(void *)p;
        p += (size_t)g->max_top_logprobs * sizeof(llm_token_logprob);
        q->hold = p;
        q->out = p + tcap;
    }
    g->_bseq = g->_btok + rows;
    g->_bpos = g->_bseq + rows;
    g->_blog = (int8_t *)(void *)(g->_bpos + rows);
    r = llm__lanes_init(&g->_lane, &g->_n_lanes, NULL, V, g->max_seqs, s->n_threads, a, g->error);
    if (r != LLM_OK) { llm_generator_free(g); return r; }
    return LLM_OK;
}
LLM_API llm_status llm_generator_init(llm_generator *g, llm_session *s, const llm_generator_options *opt) {
    return llm__generator_init(g, s, opt, NULL);
}
LLM_API llm_status llm_generator_init_arena(llm_generator *g, llm_session *s, const llm_generator_options *opt,
                                            llm_arena *a) {
    if (!a) {
        if (!g) return LLM_ERR_INVALID_ARG;
        memset(g, 0, sizeof *g);
        return llm__err(g->error, LLM_ERR_INVALID_ARG, "NULL arena");
    }
    return llm__generator_init(g, s, opt, a);
}
LLM_API llm_status llm_generator_heap_size(llm_session *s, const llm_generator_options *opt, size_t *peak,
                                           size_t *kept) {
    llm_arena a;
    llm_generator g;
    llm_status r;
#ifdef LLM_NO_MALLOC
    (void)s; (void)opt; (void)a; (void)g;
    r = llm__heap_begin(peak, kept);
    return r == LLM_OK ? LLM_ERR_UNSUPPORTED : r;
#else
    r = llm__measure_begin(&a, peak, kept);
    if (r != LLM_OK) return r;
    r = llm__generator_init(&g, s, opt, &a);
    llm__measure_end(&a, r, peak, kept);
    llm_generator_free(&g);
    return r;
#endif
}

/* The checks of llm_generator_add on options o. */
static llm_status llm__seq_options_check(llm_generator *g, const llm_seq_options *o) {
    size_t k, sl;
    if (o->max_new_tokens < 0 || o->no_repeat_ngram_size < 0 || (o->logprobs != 0 && o->logprobs != 1) ||
        o->top_logprobs < 0 || o->top_logprobs > g->max_top_logprobs || (o->top_logprobs && !o->logprobs))
        return llm__err(g->error, LLM_ERR_INVALID_ARG, "max_new_tokens and no_repeat_ngram_size must "
                        "be >= 0, logprobs 0 or 1, top_logprobs in [0, max_top_logprobs %d] (with logprobs)",
                        g->max_top_logprobs);
    for (k = 0; o->stop_strings && o->stop_strings[k]; k++) {
        if (!g->session->model->has_tokenizer)
            return llm__err(g->error, LLM_ERR_INVALID_ARG, "stop strings need a tokenizer");
        if ((sl = strlen(o->stop_strings[k])) > (size_t)g->max_stop_len)
            return llm__err(g->error, LLM_ERR_INVALID_ARG, "stop string %zu has %zu bytes; the "
                            "generator's max_stop_len is %d", k, sl, g->max_stop_len);
    }
    return llm__sampler_check(&o->sampler, g->error);
}

/* Slot i starts: prompt ids, options o, max_new tokens at most. */
static void llm__gen_start(llm_generator *g, int i, const int32_t *prompt, size_t n, const llm_seq_options *o,
                           size_t max_new) {
    llm__gseq *q = &g->_seq[i];
    q->o = *o;
    llm_decoder_init(&q->dec);
    llm_rng_seed(&q->rng, o->sampler.seed);
    memcpy(q->ids, prompt, n * sizeof(int32_t));
    q->n_ids = q->n_prompt = n;
    q->fed = q->take = q->base = q->gen = q->cached = 0;
    q->max_new = max_new;
    q->order = g->_added++;
    q->feed = 0;
    q->lg = NULL;
    q->n_hold = q->n_out = 0;
    q->state = LLM__GS_PREFILL;
    g->n_live++;
}

LLM_API llm_status llm_generator_add(llm_generator *g, const int32_t *prompt, size_t n, const llm_seq_options *o,
                                     int *seq) {
    llm_seq_options z;
    llm_status r;
    size_t i, V;
    int slot;
    if (seq) *seq = -1;
    if (!g) return LLM_ERR_INVALID_ARG;
    if (!g->session || !g->_seq) return llm__err(g->error, LLM_ERR_INVALID_ARG, "generator is not initialised");
    if (!seq) return llm__err(g->error, LLM_ERR_INVALID_ARG, "NULL seq");
    if (!prompt || !n) return llm__err(g->error, LLM_ERR_INVALID_ARG, "empty prompt");
    memset(&z, 0, sizeof z);
    if (!o) o = &z;
    r = llm__seq_options_check(g, o);
    if (r != LLM_OK) return r;
    V = (size_t)g->session->model->config.n_vocab;
    for (i = 0; i < n; i++)
        if (prompt[i] < 0 || (size_t)prompt[i] >= V)
            return llm__err(g->error, LLM_ERR_TOKEN_RANGE, "token id %d at index %zu is outside [0, %zu)",
                            (int)prompt[i], i, V);
    if (n > (size_t)g->session->n_ctx)
        return llm__err(g->error, LLM_ERR_CONTEXT_FULL, "a prompt of %zu tokens passes the context length %d", n,
                        g->session->n_ctx);
    for (slot = 0; slot < g->max_seqs && g->_seq[slot].state != LLM__GS_FREE; slot++) {}
    if (slot == g->max_seqs)
        return llm__err(g->error, LLM_ERR_LIMIT, "all %d sequences of the generator are running", g->max_seqs);
    llm__gen_start(g, slot, prompt, n, o, o->max_new_tokens ? (size_t)o->max_new_tokens : (size_t)-1);
    if (g->session->_ptok) {   /* slot and ids checked: cannot fail */
        llm_session_seq_attach_cached(g->session, slot, prompt, n, &g->_seq[slot].cached);
        g->_seq[slot].fed = g->_seq[slot].cached;
    }
    *seq = slot;
    return LLM_OK;
}

/* llm_generate's sequences: slot i already holds the prompt (after what it
   held before), with logits lg (the caller's, valid through the first
   step); options checked, max_new >= 1. */
static void llm__gen_adopt(llm_generator *g, int i, const int32_t *prompt, size_t n, const llm_seq_options *o,
                           size_t max_new, const float *lg) {
    llm__gseq *q = &g->_seq[i];
    llm__gen_start(g, i, prompt, n, o, max_new);
    q->fed = n;
    q->base = llm_session_seq_len(g->session, i) - n;
    q->lg = lg;
    q->state = LLM__GS_RUN;
}

/* Appends p[0..n) to q's held text and hands out (at q->out + q->n_out)
   what can no longer become a stop string (everything with all). Returns
   whether a stop string occurs: the text then ends at it (after it with
   keep_stop_strings) and the rest is dropped. */
static int llm__gen_text(llm__gseq *q, const char *p, size_t n, int all) {
    const char *const *ss = q->o.stop_strings;
    size_t i, k, cut, from = (size_t)-1;
    int hit = 0;
    memcpy(q->hold + q->n_hold, p, n);
    q->n_hold += n;
    cut = q->n_hold;
    for (i = 0; i < q->n_hold && !hit; i++)
        for (k = 0; ss && ss[k]; k++) {
            size_t sl = strlen(ss[k]), m = sl < q->n_hold - i ? sl : q->n_hold - i;
            if (!sl || memcmp(q->hold + i, ss[k], m)) continue;
            if (m == sl) { hit = 1; cut = q->o.keep_stop_strings ? i + sl : i; break; }
            if (from == (size_t)-1) from = i;   /* a prefix of a stop string: it may still become one */
        }
    if (!hit && !all && from != (size_t)-1) cut = from;
    memcpy(q->out + q->n_out, q->hold, cut);
    q->n_out += cut;
    q->n_hold = hit ? 0 : q->n_hold - cut;
    memmove(q->hold, q->hold + cut, q->n_hold);
    return hit;
}

/* Slot i ends: what it held back and its decoder's rest are handed out. */
static void llm__gen_end(llm_generator *g, int i) {
    llm__gseq *q = &g->_seq[i];
    char piece[LLM_DECODER_BUFFER];
    size_t np = llm_decoder_flush(&q->dec, piece, sizeof piece);
    llm__gen_text(q, piece, np, 1);
    q->state = LLM__GS_FREE;
    q->feed = 0;
    q->lg = NULL;
    g->n_live--;
}

LLM_API llm_status llm_generator_cancel(llm_generator *g, int seq) {
    if (!g) return LLM_ERR_INVALID_ARG;
    if (!g->session || !g->_seq) return llm__err(g->error, LLM_ERR_INVALID_ARG, "generator is not initialised");
    if (seq < 0 || seq >= g->max_seqs || g->_seq[seq].state == LLM__GS_FREE)
        return llm__err(g->error, LLM_ERR_INVALID_ARG, "sequence %d is not running", seq);
    g->_seq[seq].state = LLM__GS_FREE;
    g->_seq[seq].feed = 0;
    g->_seq[seq].lg = NULL;
    g->n_live--;
    return llm_session_seq_clear(g->session, seq);   /* a slot in range: cannot fail */
}

/* q's log-probabilities from its logits lg[V] (log-softmax in double): of
   its pick, and its top_logprobs best tokens by a heap of that many. */
static void llm__gen_logprobs(llm__gseq *q, const float *lg, size_t V) {
    double mx = -HUGE_VAL, sum = 0.0, lse;
    size_t i, j, n = 0, N = (size_t)q->o.top_logprobs, n_inf = 0;
    for (i = 0; i < V; i++) if (lg[i] > mx) mx = lg[i];
    if (mx > LLM__FLT_MAX) for (i = 0; i < V; i++) n_inf += lg[i] > LLM__FLT_MAX;
    else for (i = 0; i < V; i++) sum += exp((double)lg[i] - mx);
    lse = n_inf ? 0.0 : mx + log(sum);
    for (i = 0; i < V && N; i++) {   /* a heap of the N best so far, its root the worst of them */
        llm__cand c;
        c.v = lg[i]; c.id = (int32_t)i;
        if (n < N) {
            q->cand[n++] = c;
            if (n == N) for (j = N / 2; j-- > 0;) llm__cand_sift(q->cand, N, j);
        } else if (llm__cand_before(&c, &q->cand[0])) { q->cand[0] = c; llm__cand_sift(q->cand, N, 0); }
    }
    llm__cand_sort(q->cand, N);
    for (i = 0; i <= N; i++) {   /* the top entries, then (i == N) the pick */
        const float l = i < N ? q->cand[i].v : lg[q->pick];
        const float lp = !n_inf ? (float)((double)l - lse)
                       : l > LLM__FLT_MAX ? (float)-log((double)n_inf) : -HUGE_VALF;
        if (i < N) { q->top[i].id = q->cand[i].id; q->top[i].logprob = lp; }
        else q->lp = lp;
    }
}

/* The draw of slot i on lane L (any thread; the draws of a step run in
   parallel): its next token into q->pick, or a failure into q->st. */
static void llm__gen_pick(llm__lane *L, size_t V, size_t i, llm__gseq *q) {
    const float *lg = q->lg;
    size_t nb, j;
    if (q->o.no_repeat_ngram_size > 0 &&
        (nb = llm__ngram_bans(L, V, q->ids, q->n_ids, (size_t)q->o.no_repeat_ngram_size))) {
        memcpy(L->lg, lg, V * sizeof(float));
        for (j = 0; j < nb; j++) L->lg[L->banned[j]] = -HUGE_VALF;
        llm__ngram_clear(L, nb);
        lg = L->lg;
    }
    L->smp.opt = q->o.sampler;
    L->smp.rng = q->rng;
    q->st = llm_sampler_sample(&L->smp, lg, q->ids, q->n_ids, &q->pick);
    q->rng = L->smp.rng;
    if (q->st != LLM_OK && i < L->failed) { L->failed = i; memcpy(L->msg, L->smp.error, sizeof L->msg); }
    if (q->st == LLM_OK && q->o.logprobs) llm__gen_logprobs(q, q->lg, V);
}

/* Slot i after its draw, in slot order on the calling thread: its event
   (text, stop reason). Returns a failure's status (the event ends it). */
static llm_status llm__gen_event(llm_generator *g, int i, llm_generator_event *e, char *err) {
    llm__gseq *q = &g->_seq[i];
    const llm_tokenizer *tok = g->session->model->has_tokenizer ? &g->session->model->tokenizer : NULL;
    llm_status r = q->st;
    int t;
    memset(e, 0, sizeof *e);
    e->seq = i;
    e->user = q->o.user;
    e->id = -1;
    e->n_cached = q->cached;
    q->n_out = 0;
    q->lg = NULL;
    if (r != LLM_OK) {        /* the lowest failing slot: its lane has its message */
        for (t = 0; t < g->_n_lanes; t++) if (g->_lane[t].failed == (size_t)i) break;
        llm__err(err, r, "sequence %d, position %zu: %s", i, q->n_ids, t < g->_n_lanes ? g->_lane[t].msg : "");
        e->stop = LLM_STOP_ERROR;
    } else {
        e->id = q->pick;
        q->ids[q->n_ids++] = q->pick;
        q->gen++;
        if (q->o.logprobs) { e->logprob = q->lp; e->top = q->top; e->n_top = q->o.top_logprobs; }
        if (q->pick == g->_eos && !q->o.ignore_eos) e->stop = LLM_STOP_EOS;
        else if (tok) {
            char piece[LLM_DECODER_BUFFER];
            size_t np = 0;
            r = llm_decoder_push(&q->dec, tok, q->pick, piece, sizeof piece, &np);
            /* an id the model has but the tokenizer doesn't (a padded vocabulary) has no text */
            if (r == LLM_ERR_TOKEN_RANGE) { np = 0; r = LLM_OK; }
            if (r != LLM_OK) {
                llm__err(err, r, "decoding token %d: %s", (int)q->pick, llm_status_string(r));
                e->stop = LLM_STOP_ERROR;
            } else if (np && llm__gen_text(q, piece, np, 0)) e->stop = LLM_STOP_STRING;
        }
        if (e->stop == LLM_STOP_NONE && q->gen >= q->max_new) e->stop = LLM_STOP_LENGTH;
        if (e->stop == LLM_STOP_NONE && q->base + q->n_ids - 1 >= (size_t)g->session->n_ctx)
            e->stop = LLM_STOP_CONTEXT_FULL;
    }
    if (e->stop != LLM_STOP_NONE) {
        if (e->stop == LLM_STOP_STRING) { q->state = LLM__GS_FREE; g->n_live--; }
        else llm__gen_end(g, i);
    } else q->feed = 1;
    e->text = q->out;
    e->text_len = q->n_out;
    return r;
}

LLM_API llm_status llm_generator_step(llm_generator *g, const llm_generator_event **events, int *n_events) {
    llm_session *s;
    llm_batch b;
    llm_status r, first = LLM_OK;
    size_t n = 0, budget, V;
    int i, nl = 0, k;
    if (events) *events = NULL;
    if (n_events) *n_events = 0;
    if (!g) return LLM_ERR_INVALID_ARG;
    if (!g->session || !g->_seq) return llm__err(g->error, LLM_ERR_INVALID_ARG, "generator is not initialised");
    if (!events || !n_events) return llm__err(g->error, LLM_ERR_INVALID_ARG, "NULL events or n_events");
    s = g->session;
    V = (size_t)s->model->config.n_vocab;
    *events = g->_ev;
    /* 1. the batch: the running sequences' last tokens, then prompt rows */
    for (i = 0; i < g->max_seqs; i++) {
        llm__gseq *q = &g->_seq[i];
        q->row = (size_t)-1;
        q->take = 0;
        if (q->state != LLM__GS_RUN || !q->feed) continue;
        g->_btok[n] = q->ids[q->n_ids - 1];
        g->_bseq[n] = i;
        g->_bpos[n] = (int32_t)(q->base + q->n_ids - 1);
        g->_blog[n] = 1;
        q->row = n++;
    }
    for (budget = (size_t)g->max_prefill_rows; budget;) {
        llm__gseq *q = NULL;
        size_t j;
        for (i = 0; i < g->max_seqs; i++) {   /* the oldest prompt not yet in the batch */
            llm__gseq *c = &g->_seq[i];
            if (c->state == LLM__GS_PREFILL && !c->take && (!q || c->order < q->order)) q = c;
        }
        if (!q) break;
        q->take = q->n_prompt - q->fed < budget ? q->n_prompt - q->fed : budget;
        budget -= q->take;
        for (j = 0; j < q->take; j++, n++) {
            g->_btok[n] = q->ids[q->fed + j];
            g->_bseq[n] = (int32_t)(q - g->_seq);
            g->_bpos[n] = (int32_t)(q->base + q->fed + j);
            g->_blog[n] = q->fed + j + 1 == q->n_prompt;
            if (g->_blog[n]) q->row = n;
        }
    }
    if (n) {
        memset(&b, 0, sizeof b);
        b.n = n; b.token = g->_btok; b.seq = g->_bseq; b.pos = g->_bpos; b.logits = g->_blog;
        r = llm_session_decode(s, &b);
        if (r != LLM_OK) return llm__err(g->error, r, "%s", s->error);
    }
    /* 2. every sequence with logits draws, in parallel */
    for (i = 0; i < g->max_seqs; i++) {
        llm__gseq *q = &g->_seq[i];
        if (q->state == LLM__GS_FREE) continue;
        q->fed += q->take;
        q->feed = 0;
        if (q->row != (size_t)-1) { q->lg = llm_session_logits_row(s, q->row); q->state = LLM__GS_RUN; }
        if (q->lg) g->_bseq[nl++] = i;   /* the batch's slots are used: the list of those drawing */
    }
    for (k = 0; k < g->_n_lanes; k++) g->_lane[k].failed = (size_t)-1;
    LLM__PARALLEL_FOR(g->_n_lanes, nl > 1 ? 8.0 * nl * (double)V : 0.0)
    for (k = 0; k < nl; k++)
        llm__gen_pick(&g->_lane[LLM__TID], V, (size_t)g->_bseq[k], &g->_seq[g->_bseq[k]]);
    /* 3. their events, in slot order */
    for (k = 0; k < nl; k++) {   /* the lowest failing slot's message is the step's */
        char later[LLM_ERROR_SIZE];
        r = llm__gen_event(g, g->_bseq[k], &g->_ev[k], first == LLM_OK ? g->error : later);
        if (r != LLM_OK && first == LLM_OK) first = r;
    }
    *n_events = nl;
    return first;
}

/* Beam search: slots 0..B-1 of w hold the prompt (logits lg0). Each step
   advances the search, reorders the slots to the chosen beams and
   evaluates their new tokens in one batch. */
static llm_status llm__generate_beams(llm_session *w, llm__gctx *x, size_t B, const float *lg0, llm_generation *out,
                                      char *err) {
    int32_t *btok = LLM__CAST(int32_t *, llm__alloc(B * 2 * sizeof(int32_t)));
    llm_status r = LLM_OK;
    size_t i, cap;
    int first = 1;
    llm__beams z;
    llm_batch b;
    memset(&z, 0, sizeof z);
    if (!btok) { r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto done; }
    for (i = 0; i < (size_t)out->n_seqs; i++) {
        llm_sequence *q = &out->seqs[i];
        cap = 0;
        q->stop = x->max_new == 0 ? (x->ctx_bound ? LLM_STOP_CONTEXT_FULL : LLM_STOP_LENGTH) : LLM_STOP_NONE;
        if (x->tok && !llm__text_append(q, &cap, "", 0)) {
            r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
            goto done;
        }
    }
    if (x->max_new == 0) goto done;
    if (!llm__beams_init(&z, B, out->seqs[0].n_prompt + x->max_new, out->seqs[0].n_prompt,
                         x->o->has_length_penalty ? (double)x->o->length_penalty : 1.0)) {
        r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory for %zu beams", B);
        goto done;
    }
    for (i = 0; i < B; i++) memcpy(z.ids + i * z.cap, out->seqs[0].ids, z.P * sizeof(int32_t));
    memset(&b, 0, sizeof b);
    b.token = btok;
    b.seq = btok + B;
    for (;;) {
        r = llm__beam_step(&z, x, first ? lg0 : NULL, w, err);
        if (r != LLM_OK) goto done;
        if (z.done) break;
        first = 0;
        r = llm_session_seq_reorder(w, z.parent, (int)z.B);
        if (r != LLM_OK) { llm__err(err, r, "%s", w->error); goto done; }
        for (i = 0; i < z.B; i++) { btok[i] = z.next[i]; btok[B + i] = (int32_t)i; }
        b.n = z.B;
        r = llm_session_decode(w, &b);
        if (r != LLM_OK) { llm__err(err, r, "%s", w->error); goto done; }
    }
    r = llm__beam_output(&z, x, out, err);
done:
    llm__beams_free(&z);
    llm__free(btok);
    return r;
}

/* Greedy and sampling: slots 0..n-1 of g's session hold the prompt (logits
   lg0), sequence i draws with seed sampler.seed + i. A loop over the
   generator that calls the callbacks and collects ids and text. */
static llm_status llm__generate_samples(llm_generator *g, const llm_generate_options *o, size_t n, size_t max_new,
                                        const float *lg0, llm_generation *out, char *err) {
    const int has_text = g->session->model->has_tokenizer;
    size_t *cap = LLM__CAST(size_t *, llm__alloc(n * sizeof(size_t)));
    llm_seq_options so;
    llm_status r = LLM_OK;
    size_t i;
    if (!cap) return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    memset(&so, 0, sizeof so);
    so.sampler = o->sampler;
    so.stop_strings = o->stop_strings;
    so.keep_stop_strings = o->keep_stop_strings;
    so.ignore_eos = o->ignore_eos;
    so.no_repeat_ngram_size = o->no_repeat_ngram_size;
    for (i = 0; i < n; i++) {
        llm_sequence *q = &out->seqs[i];
        cap[i] = 0;
        q->stop = max_new ? LLM_STOP_NONE : LLM_STOP_LENGTH;
        if (has_text && !llm__text_append(q, &cap[i], "", 0)) {
            llm__free(cap);
            return llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
        }
        so.sampler.seed = o->sampler.seed + (uint64_t)i;
        if (max_new) llm__gen_adopt(g, (int)i, q->ids, q->n_prompt, &so, max_new, lg0);
    }
    while (g->n_live && r == LLM_OK) {
        const llm_generator_event *ev;
        int ne, k;
        r = llm_generator_step(g, &ev, &ne);
        if (r != LLM_OK) llm__err(err, r, "%s", g->error);
        for (k = 0; k < ne; k++) {
            const llm_generator_event *e = &ev[k];
            llm_sequence *q = &out->seqs[e->seq];
            llm__gseq *gq = &g->_seq[e->seq];
            int cb;
            if (e->stop == LLM_STOP_ERROR) continue;
            q->ids[q->n_ids++] = e->id;
            cb = o->on_token && o->on_token(o->user, e->seq, e->id);
            if (e->text_len && !llm__text_append(q, &cap[e->seq], e->text, e->text_len)) {
                r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
                break;
            }
            if (e->text_len && o->on_text && o->on_text(o->user, e->seq, e->text, e->text_len)) cb = 1;
            q->stop = e->stop;
            if (!cb || q->stop == LLM_STOP_EOS || q->stop == LLM_STOP_STRING) continue;
            if (q->stop == LLM_STOP_NONE) {   /* it ends here: what it held back is its text's end */
                gq->n_out = 0;
                llm__gen_end(g, e->seq);
                if (gq->n_out && !llm__text_append(q, &cap[e->seq], gq->out, gq->n_out)) {
                    r = llm__err(err, LLM_ERR_OUT_OF_MEMORY, "out of memory");
                    break;
                }
                if (gq->n_out && o->on_text) o->on_text(o->user, e->seq, gq->out, gq->n_out);
            }
            q->stop = LLM_STOP_CALLBACK;
        }
    }
    llm__free(cap);
    return r;
}

/* The options llm_generate checks for beam search and no_repeat (V: n_vocab). */
static llm_status llm__check_beam_options(const llm_generate_options *o, size_t V, char *err) {
    const llm_sampler_options *so = &o->sampler;
    if (o->num_beams < 0 || o->num_beams > 4096)
        return llm__err(err, LLM_ERR_INVALID_ARG, "num_beams must be in [0, 4096]");
    if (o->no_repeat_ngram_size < 0) return llm__err(err, LLM_ERR_INVALID_ARG, "no_repeat_ngram_size must be >= 0");
    if ((unsigned)o->early_stopping > (unsigned)LLM_EARLY_STOPPING_NEVER)     /* a negative value too */
        return llm__err(err, LLM_ERR_INVALID_ARG, "early_stopping must be LLM_EARLY_STOPPING_FALSE, _TRUE or _NEVER");
    if (o->has_length_penalty && !(o->length_penalty >= -LLM__FLT_MAX && o->length_penalty <= LLM__FLT_MAX))
        return llm__err(err, LLM_ERR_INVALID_ARG, "length_penalty must be finite");
    if (o->num_beams <= 1) return LLM_OK;
    if (o->num_return_sequences > o->num_beams)
        return llm__err(err, LLM_ERR_INVALID_ARG, "num_return_sequences %d > num_beams %d: beam search returns at most "
                        "num_beams hypotheses", o->num_return_sequences, o->num_beams);
    if (so->temperature != 0.0f)
        return llm__err(err, LLM_ERR_INVALID_ARG, "num_beams %d is deterministic beam search: temperature must be 0 "
                        "(beam sampling is not implemented)", o->num_beams);
    if (so->repetition_penalty != 0.0f && so->repetition_penalty != 1.0f)
        return llm__err(err, LLM_ERR_INVALID_ARG,
                        "repetition_penalty is not implemented with num_beams > 1 (use 0 or 1)");
    if ((size_t)o->num_beams > V / 2)
        return llm__err(err, LLM_ERR_INVALID_ARG, "num_beams %d needs 2 * num_beams <= n_vocab (%zu)", o->num_beams, V);
    if (o->stop_strings && o->stop_strings[0])
        return llm__err(err, LLM_ERR_INVALID_ARG, "stop_strings are not supported with num_beams > 1");
    return LLM_OK;
}

LLM_API llm_status llm_generate(llm_session *s, const int32_t *prompt, size_t n_prompt,
                                const llm_generate_options *opt, llm_generation *out) {
    llm_generate_options o;
    llm_session own;
    llm_session *w = s;           /* where the sequences live: s, or own when s has too few slots */
    llm_status r;
    size_t max_new, n_seq, n_slots, i, cap, pos0, V, room;
    float *saved = NULL;          /* the logits before the call, to restore on an error */
    float *lg0 = NULL;            /* the prompt's logits */
    int had_logits = 0;
    const llm_model *m;
    llm__gctx x;
    llm_generator gen;            /* greedy and sampling run on it; beam search on its own loop */
    llm_generator_options go;
    if (out) { out->seqs = NULL; out->n_seqs = 0; }
    if (!s) return LLM_ERR_INVALID_ARG;
    r = llm__need_malloc(s->error, "llm_generate needs an allocator (use llm_session_eval and llm_sampler_sample)");
    if (r != LLM_OK) return r;
    /* every check and allocation comes before the prompt is evaluated: a
       call that fails there changes nothing */
    if (!out) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL output");
    if (!s->_mem || !s->model) return llm__err(s->error, LLM_ERR_INVALID_ARG, "session is not initialised");
    if (!prompt || !n_prompt) return llm__err(s->error, LLM_ERR_INVALID_ARG, "empty prompt");
    memset(&o, 0, sizeof o);
    if (opt) o = *opt;
    if (o.max_new_tokens < 0 || o.max_length < 0 || o.num_return_sequences < 0 || o.num_return_sequences > 4096)
        return llm__err(s->error, LLM_ERR_INVALID_ARG,
                        "max_new_tokens, max_length must be >= 0, num_return_sequences in [0, 4096]");
    m = s->model;
    V = (size_t)m->config.n_vocab;
    r = llm__check_beam_options(&o, V, s->error);
    if (r != LLM_OK) return r;
    if (o.stop_strings && !m->has_tokenizer)
        return llm__err(s->error, LLM_ERR_INVALID_ARG, "stop strings need a tokenizer");
    r = llm__sampler_check(&o.sampler, s->error);
    if (r != LLM_OK) return r;
    r = llm__eval_check(s, prompt, n_prompt);
    if (r != LLM_OK) return r;
    memset(&x, 0, sizeof x);
    memset(&gen, 0, sizeof gen);
    n_seq = o.num_return_sequences ? (size_t)o.num_return_sequences : 1;
    n_slots = o.num_beams > 1 ? (size_t)o.num_beams : n_seq;
    x.o = &o;
    x.tok = m->has_tokenizer ? &m->tokenizer : NULL;
    x.V = V;
    x.eos = m->config.eos_id >= 0 ? m->config.eos_id : (m->has_tokenizer ? llm_tokenizer_eot(&m->tokenizer) : -1);
    if (o.ignore_eos) x.eos = -1;
    pos0 = s->pos;
    /* how many new tokens (the context can stop it earlier; beam search
       takes the context's end as its length limit: the last step's tokens
       are never evaluated, so one more than the free positions) */
    max_new = (size_t)-1;
    if (o.max_new_tokens > 0) max_new = (size_t)o.max_new_tokens;
    if (o.max_length > 0) {
        room = (size_t)o.max_length > pos0 + n_prompt ? (size_t)o.max_length - (pos0 + n_prompt) : 0;
        if (room < max_new) max_new = room;
    }
    room = (size_t)s->n_ctx - (pos0 + n_prompt) + 1;
    if (o.num_beams > 1 && room < max_new) { max_new = room; x.ctx_bound = 1; }
    x.max_new = max_new;
    memset(&own, 0, sizeof own);
    if (n_slots > (size_t)s->n_seq_max) {
        /* a session of n_slots slots, only as long as the sequences can get */
        llm_session_options so;
        size_t end = pos0 + n_prompt + (max_new < (size_t)s->n_ctx ? max_new : (size_t)s->n_ctx);
        memset(&so, 0, sizeof so);
        so.n_ctx = end < (size_t)s->n_ctx ? (int)end : s->n_ctx;
        so.max_batch = s->max_batch < so.n_ctx ? s->max_batch : so.n_ctx;
        so.n_seq_max = (int)n_slots;
#ifdef LLM__OMP
        so.n_threads = s->n_threads;
#endif
        r = llm_session_init(&own, m, &so);
        if (r != LLM_OK) { llm__err(s->error, r, "%s", own.error); goto done; }
        w = &own;
    }
    if (o.num_beams > 1) r = llm__lanes_init(&x.lane, &x.n_lanes, &o.sampler, V, 1, s->n_threads, NULL, s->error);
    else {
        memset(&go, 0, sizeof go);
        go.max_seqs = (int)n_seq;
        for (i = 0; o.stop_strings && o.stop_strings[i]; i++)
            if (strlen(o.stop_strings[i]) > (size_t)go.max_stop_len) go.max_stop_len = (int)strlen(o.stop_strings[i]);
        r = llm_generator_init(&gen, w, &go);
        if (r != LLM_OK) llm__err(s->error, r, "%s", gen.error);
    }
    if (r != LLM_OK) goto done;
    saved = LLM__CAST(float *, llm__alloc(2 * V * sizeof(float)));
    if (!saved) { r = llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto done; }
    lg0 = saved + V;
    had_logits = llm_session_logits(s) != NULL;
    if (had_logits) memcpy(saved, llm_session_logits(s), V * sizeof(float));
    out->seqs = LLM__CAST(llm_sequence *, llm__alloc(n_seq * sizeof(llm_sequence)));
    if (!out->seqs) { r = llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto done; }
    memset(out->seqs, 0, n_seq * sizeof(llm_sequence));
    out->n_seqs = (int)n_seq;
    /* ids: the prompt, then at most one token per free position + 1 (the
       last sampled token needs no evaluation) */
    cap = (size_t)s->n_ctx - (pos0 + n_prompt) + 1;
    cap = n_prompt + (max_new < cap ? max_new : cap);
    for (i = 0; i < n_seq; i++) {
        llm_sequence *q = &out->seqs[i];
        q->ids = LLM__CAST(int32_t *, llm__alloc(cap * sizeof(int32_t)));
        if (!q->ids) { r = llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory"); goto done; }
        memcpy(q->ids, prompt, n_prompt * sizeof(int32_t));
        q->n_ids = q->n_prompt = n_prompt;
    }
    r = llm_session_eval(s, prompt, n_prompt, NULL); /* checked above: cannot fail */
    if (r != LLM_OK) goto done;
    memcpy(lg0, llm_session_logits(s), V * sizeof(float));
    if (w != s) llm_session_copy(w, s);  /* slot 0, checked: same model, n_ctx large enough */
    for (i = 1; i < n_slots; i++) llm_session_seq_copy(w, (int)i, 0);
    if (o.num_beams > 1) r = llm__generate_beams(w, &x, n_slots, lg0, out, s->error);
    else r = llm__generate_samples(&gen, &o, n_seq, max_new, lg0, out, s->error);
    if (r == LLM_OK && n_slots > 1 && w == s) {
        /* s holds the prompt again, with its logits; the other slots are empty */
        llm__seq_truncate(s, 0, pos0 + n_prompt);
        for (i = 1; i < n_slots; i++) llm_session_seq_clear(s, (int)i);
        memcpy(s->_logits, lg0, V * sizeof(float));
        s->_kept[0] = 0; s->_n_kept = 1;
    }
done:
    if (r != LLM_OK) { /* the session as it was (slots 1..n-1 it lent are empty) */
        llm__seq_truncate(s, 0, pos0);
        for (i = 1; w == s && i < n_slots; i++) llm_session_seq_clear(s, (int)i);
        s->_n_kept = 0;
        if (had_logits) { memcpy(s->_logits, saved, V * sizeof(float)); s->_kept[0] = 0; s->_n_kept = 1; }
    }
    llm__free(saved);
    llm__lanes_free(x.lane, x.n_lanes, NULL);
    llm_generator_free(&gen);
    llm_session_free(&own);
    return r;
}

LLM_API llm_status llm_generate_text(llm_session *s, const char *prompt, const llm_generate_options *opt,
                                     llm_generation *out) {
    const llm_model *m;
    int32_t *ids;
    size_t n = 0, len;
    llm_status r;
    if (out) { out->seqs = NULL; out->n_seqs = 0; }
    if (!s) return LLM_ERR_INVALID_ARG;
    r = llm__need_malloc(s->error, "llm_generate_text needs an allocator "
                         "(use llm_tokenizer_encode, llm_session_eval and llm_sampler_sample)");
    if (r != LLM_OK) return r;
    if (!s->model || !prompt) return llm__err(s->error, LLM_ERR_INVALID_ARG, "NULL model or prompt");
    m = s->model;
    if (!m->has_tokenizer) return llm__err(s->error, LLM_ERR_INVALID_ARG, "the model has no tokenizer");
    len = strlen(prompt);
    ids = LLM__CAST(int32_t *, llm__alloc((len + 1) * sizeof(int32_t)));
    if (!ids) return llm__err(s->error, LLM_ERR_OUT_OF_MEMORY, "out of memory");
    r = llm_tokenizer_encode(&m->tokenizer, prompt, len, opt ? opt->encode_flags : 0, ids, len + 1, &n);
    if (r != LLM_OK) llm__err(s->error, r, "encoding the prompt: %s", llm_status_string(r));
    else r = llm_generate(s, ids, n, opt, out);
    llm__free(ids);
    return r;
}

/* ==========================================================================
   APPENDIX: generated Unicode tables
   ==========================================================================
   Read by the TOKENIZER through llm__ucd_tables(). Regenerate with
   tools/gen_unicode.py (it rewrites the text between the markers). */

/* @@UNICODE-TABLES-BEGIN@@ generated by tools/gen_unicode.py from the Unicode
   Character Database 15.0.0 (UnicodeData.txt, PropList.txt); do not edit.
   Classes: 0 = L (Lu Ll Lt Lm Lo: 136104 code points), 1 = N (Nd Nl No: 1831),
   2 = White_Space (25), 3 = anything else. 1562 runs below U+40000, 1821 bytes.
   Each run is a LEB128 varint of ((length - 1) << 2 | class). */
#define LLM__TOK_UCD_VERSION "15.0.0"
#define LLM__TOK_UCLS_LIMIT 0x40000U  /* code points at or above are class 3 */
#define LLM__TOK_UCLS_RLE_SIZE 1821
/* class of each byte: ASCII as above, 4 = a byte >= 0x80 (decode UTF-8) */
static const unsigned char llm__tok_byte_cls[256] = {
    3,3,3,3,3,3,3,3,3,2,2,2,2,2,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,
    2,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,1,1,1,1,1,1,1,1,1,1,3,3,3,3,3,3,
    3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3,3,3,3,3,
    3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3,3,3,3,3,
    4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
    4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
    4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
    4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
};
static const unsigned char llm__tok_ucls_rle[LLM__TOK_UCLS_RLE_SIZE] = {
    35, 18, 71, 2, 59, 37, 27, 100, 23, 100, 39, 2, 103, 2, 35, 0, 27, 5, 3, 0, 11, 1, 0, 3, 9, 3,
    88, 3, 120, 3, 164, 14, 15, 44, 55, 16, 27, 0, 3, 0, 131, 4, 16, 3, 4, 7, 12, 3, 0, 23, 0, 3, 8,
    3, 0, 3, 76, 3, 200, 2, 3, 168, 4, 31, 148, 5, 3, 148, 1, 7, 0, 23, 160, 1, 155, 2, 104, 15, 12,
    179, 1, 168, 1, 83, 37, 15, 4, 3, 136, 3, 3, 0, 59, 4, 27, 4, 37, 8, 7, 0, 63, 0, 3, 116, 115,
    224, 2, 43, 0, 55, 37, 128, 1, 35, 4, 15, 0, 19, 84, 15, 0, 35, 0, 11, 0, 91, 96, 27, 40, 19,
    92, 3, 20, 67, 164, 1, 231, 1, 212, 1, 11, 0, 71, 0, 27, 36, 15, 37, 3, 60, 15, 28, 7, 4, 7, 84,
    3, 24, 3, 0, 11, 12, 11, 0, 63, 0, 51, 4, 3, 8, 15, 37, 4, 7, 21, 7, 0, 31, 20, 15, 4, 7, 84, 3,
    24, 3, 4, 3, 4, 3, 4, 123, 12, 3, 0, 27, 37, 7, 8, 63, 32, 3, 8, 3, 84, 3, 24, 3, 4, 3, 16, 11,
    0, 71, 0, 59, 4, 15, 37, 35, 0, 43, 28, 7, 4, 7, 84, 3, 24, 3, 4, 3, 16, 11, 0, 119, 4, 3, 8,
    15, 37, 3, 0, 21, 43, 0, 3, 20, 11, 8, 3, 12, 11, 4, 3, 0, 3, 4, 11, 4, 11, 8, 11, 44, 87, 0,
    83, 49, 71, 28, 3, 8, 3, 88, 3, 60, 11, 0, 103, 8, 7, 0, 7, 4, 15, 37, 31, 25, 3, 0, 15, 28, 3,
    8, 3, 88, 3, 36, 3, 16, 11, 0, 123, 4, 3, 4, 15, 37, 3, 4, 67, 32, 3, 8, 3, 160, 1, 7, 0, 63, 0,
    19, 8, 3, 25, 8, 15, 73, 3, 20, 19, 68, 11, 92, 3, 32, 3, 0, 7, 24, 123, 37, 67, 188, 1, 3, 4,
    47, 24, 35, 37, 155, 1, 4, 3, 0, 3, 16, 3, 92, 3, 0, 3, 36, 3, 4, 35, 0, 7, 16, 3, 0, 35, 37, 7,
    12, 127, 0, 123, 77, 47, 28, 3, 140, 1, 107, 16, 203, 3, 168, 1, 79, 0, 37, 23, 20, 15, 12, 11,
    0, 11, 4, 27, 8, 15, 48, 47, 0, 3, 37, 23, 148, 1, 3, 0, 19, 0, 7, 168, 1, 3, 176, 10, 3, 12, 7,
    24, 3, 0, 3, 12, 7, 160, 1, 3, 12, 7, 128, 1, 3, 12, 7, 24, 3, 0, 3, 12, 7, 56, 3, 224, 1, 3,
    12, 7, 136, 2, 55, 77, 11, 60, 63, 212, 2, 7, 20, 11, 172, 19, 7, 64, 2, 100, 19, 168, 2, 11, 9,
    28, 27, 68, 51, 72, 55, 68, 55, 48, 3, 8, 59, 204, 1, 139, 1, 0, 15, 0, 11, 37, 23, 37, 87, 37,
    23, 224, 2, 27, 16, 7, 132, 1, 3, 0, 19, 148, 2, 39, 120, 155, 1, 37, 116, 7, 16, 43, 172, 1,
    15, 100, 23, 41, 147, 1, 88, 35, 208, 1, 171, 1, 37, 23, 37, 51, 0, 243, 2, 184, 1, 67, 28, 11,
    37, 163, 1, 116, 51, 4, 37, 172, 1, 103, 140, 1, 111, 37, 11, 8, 37, 140, 1, 7, 32, 27, 168, 1,
    7, 8, 163, 1, 12, 3, 20, 3, 4, 11, 0, 19, 252, 5, 255, 1, 212, 8, 7, 20, 7, 148, 1, 7, 20, 7,
    28, 3, 0, 3, 0, 3, 0, 3, 120, 7, 208, 1, 3, 24, 3, 0, 11, 8, 3, 24, 11, 12, 7, 20, 15, 48, 19,
    8, 3, 24, 11, 42, 115, 6, 19, 2, 187, 1, 2, 63, 1, 0, 7, 21, 19, 0, 37, 23, 48, 147, 3, 0, 15,
    0, 7, 36, 3, 0, 11, 16, 23, 0, 3, 0, 3, 0, 3, 12, 3, 40, 7, 12, 19, 16, 15, 0, 3, 201, 1, 4, 17,
    215, 22, 237, 1, 183, 2, 85, 215, 19, 117, 175, 35, 144, 7, 23, 12, 11, 4, 35, 1, 7, 148, 1, 3,
    0, 19, 0, 7, 220, 1, 27, 0, 63, 88, 35, 24, 3, 24, 3, 24, 3, 24, 3, 24, 3, 24, 3, 24, 3, 24,
    191, 2, 0, 191, 14, 2, 15, 4, 1, 99, 33, 27, 16, 7, 9, 4, 15, 212, 2, 23, 8, 3, 228, 2, 3, 12,
    19, 168, 1, 3, 244, 2, 11, 13, 39, 124, 191, 1, 60, 127, 37, 119, 29, 3, 57, 127, 37, 155, 1,
    57, 255, 9, 252, 205, 1, 255, 1, 176, 180, 5, 139, 2, 180, 1, 7, 176, 8, 11, 60, 37, 4, 79, 184,
    1, 63, 120, 7, 148, 2, 37, 155, 1, 32, 7, 152, 3, 7, 252, 1, 19, 4, 3, 0, 3, 16, 95, 60, 3, 8,
    3, 12, 3, 88, 51, 21, 39, 204, 1, 55, 196, 1, 111, 37, 95, 20, 11, 0, 3, 4, 3, 37, 108, 39, 88,
    99, 112, 27, 184, 1, 111, 0, 37, 23, 16, 3, 36, 37, 16, 3, 160, 1, 91, 8, 3, 28, 15, 37, 23, 88,
    11, 0, 11, 196, 1, 3, 0, 11, 4, 7, 16, 7, 0, 3, 0, 95, 8, 7, 40, 27, 8, 47, 20, 7, 20, 7, 20,
    35, 24, 3, 24, 3, 168, 1, 3, 52, 23, 200, 3, 51, 37, 23, 140, 221, 2, 47, 88, 15, 192, 1, 143,
    136, 2, 180, 11, 7, 164, 3, 151, 1, 24, 47, 16, 19, 0, 3, 36, 3, 48, 3, 16, 3, 0, 3, 4, 3, 4, 3,
    172, 3, 131, 1, 168, 11, 71, 252, 1, 7, 212, 1, 159, 1, 44, 207, 3, 16, 3, 152, 4, 75, 37, 27,
    100, 23, 100, 43, 224, 2, 11, 20, 7, 20, 7, 20, 7, 8, 139, 1, 44, 3, 100, 3, 72, 3, 4, 3, 56, 7,
    52, 135, 1, 232, 3, 47, 177, 1, 47, 225, 1, 67, 5, 207, 7, 112, 11, 192, 1, 63, 105, 15, 124,
    13, 35, 76, 1, 28, 1, 19, 148, 1, 39, 116, 7, 140, 1, 15, 28, 3, 17, 167, 1, 244, 4, 7, 37, 23,
    140, 1, 15, 140, 1, 15, 156, 1, 31, 204, 1, 47, 40, 3, 56, 3, 24, 3, 4, 3, 40, 3, 56, 3, 24, 3,
    4, 139, 2, 216, 9, 35, 84, 39, 28, 95, 20, 3, 164, 1, 3, 32, 147, 2, 20, 7, 0, 3, 172, 1, 3, 4,
    11, 0, 7, 88, 7, 29, 88, 7, 25, 120, 31, 33, 191, 1, 72, 3, 4, 19, 17, 84, 21, 15, 100, 151, 2,
    220, 1, 15, 5, 4, 61, 7, 181, 1, 0, 59, 12, 3, 8, 3, 112, 39, 33, 91, 112, 5, 3, 112, 9, 127,
    28, 3, 108, 23, 17, 63, 212, 1, 39, 84, 7, 29, 72, 19, 29, 68, 91, 25, 191, 2, 160, 2, 219, 1,
    200, 1, 51, 200, 1, 27, 21, 140, 1, 47, 37, 151, 9, 121, 3, 164, 1, 23, 4, 183, 2, 112, 37, 0,
    31, 84, 43, 13, 107, 68, 183, 1, 80, 25, 79, 88, 47, 208, 1, 103, 117, 3, 4, 7, 0, 51, 176, 1,
    127, 96, 27, 37, 35, 140, 1, 59, 37, 15, 0, 7, 0, 31, 136, 1, 11, 0, 47, 188, 1, 55, 12, 43, 37,
    0, 3, 0, 15, 77, 43, 68, 3, 96, 75, 4, 251, 1, 24, 3, 0, 3, 12, 3, 56, 3, 36, 27, 184, 1, 67,
    37, 43, 28, 7, 4, 7, 84, 3, 24, 3, 4, 3, 16, 11, 0, 71, 0, 47, 16, 247, 4, 208, 1, 71, 12, 19,
    37, 19, 8, 119, 188, 1, 79, 4, 3, 0, 31, 37, 151, 5, 184, 1, 163, 1, 12, 143, 1, 188, 1, 79, 0,
    43, 37, 151, 1, 168, 1, 51, 0, 27, 37, 215, 1, 104, 83, 45, 15, 24, 227, 5, 172, 1, 207, 3, 252,
    1, 73, 47, 28, 7, 0, 7, 28, 3, 4, 3, 92, 59, 0, 3, 0, 55, 37, 151, 2, 28, 7, 152, 1, 63, 0, 3,
    0, 111, 0, 39, 156, 1, 27, 0, 83, 0, 43, 180, 1, 75, 0, 71, 160, 2, 155, 8, 32, 3, 144, 1, 67,
    0, 59, 113, 19, 116, 191, 3, 24, 3, 4, 3, 148, 1, 83, 0, 35, 37, 23, 20, 3, 4, 3, 124, 55, 0,
    27, 37, 215, 9, 72, 59, 0, 3, 48, 3, 132, 1, 111, 37, 215, 2, 0, 59, 81, 171, 1, 228, 28, 151,
    3, 185, 3, 67, 140, 6, 175, 82, 128, 3, 59, 188, 33, 67, 20, 227, 125, 152, 18, 227, 141, 2,
    224, 17, 27, 120, 3, 37, 23, 184, 2, 3, 37, 23, 116, 71, 188, 1, 63, 12, 47, 37, 3, 25, 3, 80,
    19, 72, 191, 21, 252, 1, 89, 163, 3, 168, 2, 19, 0, 135, 2, 48, 255, 1, 4, 3, 0, 111, 220, 191,
    1, 31, 212, 38, 167, 1, 32, 155, 151, 2, 12, 3, 24, 3, 4, 3, 136, 9, 59, 0, 115, 8, 7, 0, 55,
    12, 31, 172, 12, 143, 72, 168, 3, 19, 48, 11, 32, 27, 36, 151, 177, 1, 77, 47, 77, 175, 3, 97,
    155, 4, 208, 2, 3, 152, 2, 3, 4, 7, 0, 7, 4, 7, 12, 3, 44, 3, 0, 3, 24, 3, 128, 2, 3, 12, 7, 28,
    3, 24, 3, 108, 3, 12, 3, 16, 3, 0, 11, 24, 3, 204, 10, 7, 96, 3, 96, 3, 120, 3, 96, 3, 120, 3,
    96, 3, 120, 3, 96, 3, 120, 3, 96, 3, 28, 7, 197, 1, 255, 55, 120, 23, 20, 147, 8, 244, 1, 199,
    4, 176, 1, 39, 24, 7, 37, 15, 0, 131, 10, 116, 71, 172, 1, 15, 37, 215, 14, 108, 15, 37, 151,
    23, 24, 3, 12, 3, 4, 3, 56, 3, 144, 6, 7, 33, 191, 1, 140, 2, 27, 0, 15, 37, 219, 24, 233, 1, 3,
    9, 3, 13, 175, 2, 177, 1, 3, 57, 135, 6, 12, 3, 104, 3, 4, 3, 0, 7, 0, 3, 36, 3, 12, 3, 0, 3, 0,
    23, 0, 15, 0, 3, 0, 3, 0, 3, 8, 3, 4, 3, 0, 7, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 4, 3, 0, 7, 12, 3,
    24, 3, 12, 3, 12, 3, 0, 3, 36, 3, 64, 19, 8, 3, 16, 3, 64, 143, 18, 49, 139, 87, 37, 151, 32,
    252, 182, 10, 127, 228, 129, 1, 23, 244, 6, 7, 132, 180, 1, 55, 192, 233, 1, 251, 96, 244, 16,
    135, 47, 168, 154, 1, 19, 252, 130, 1, 191, 226, 13,
};
/* @@UNICODE-TABLES-END@@ */

/* @@BERT-TABLES-BEGIN@@ generated by tools/gen_unicode.py from the Unicode
   Character Database 15.0.0 (UnicodeData.txt, PropList.txt, SpecialCasing.txt); do not edit.
   llm__wp_cls_rle: 2170 runs covering U+0000..U+10FFFF, each a LEB128 varint of
   ((length - 1) << 3 | class), class 0 other, 1 whitespace (\t \n \r, White_Space outside C*),
   2 control (general category C*: Cc Cf Cs Co Cn, not \t \n \r), 3 punctuation (P* or ASCII
   33-47 58-64 91-96 123-126), 4 Mn, 5 control that is also White_Space (U+000B U+000C U+0085).
   llm__wp_lower: the simple lowercase mappings (1432 code points) as runs {first, count, stride,
   delta}; SpecialCasing.txt adds one unconditional mapping, U+0130 -> U+0069 U+0307 (in the code).
   llm__wp_strip_rle: 2061 code points whose NFD is not themselves (Hangul syllables are computed),
   with their full canonical decomposition less its Mn marks (0 to 2 code points): per entry
   varint(code point - previous), varint(count), then each output as a zigzag varint of the
   difference to the previous output. */
#define LLM__WP_CLS_RLE_SIZE 2602
#define LLM__WP_CLS_RUNS 2170
#define LLM__WP_LOWER_RUNS 181
#define LLM__WP_STRIP_SIZE 7398
#define LLM__WP_STRIP_N 2061
static const unsigned char llm__wp_cls_rle[LLM__WP_CLS_RLE_SIZE] = {
    66, 9, 13, 1, 138, 1, 1, 115, 72, 51, 200, 1, 43, 200, 1, 27, 42, 5, 202, 1, 1, 3, 32, 3, 16, 3,
    0, 2, 56, 11, 16, 3, 16, 3, 248, 35, 252, 6, 56, 10, 24, 3, 0, 26, 16, 3, 16, 2, 0, 2, 152, 1,
    2, 248, 13, 36, 184, 10, 2, 168, 2, 10, 0, 43, 192, 2, 11, 10, 16, 2, 228, 2, 3, 4, 3, 12, 3,
    12, 3, 4, 58, 208, 1, 26, 24, 11, 130, 1, 16, 11, 0, 11, 8, 84, 3, 2, 19, 208, 2, 164, 1, 72,
    27, 8, 4, 144, 6, 3, 0, 52, 2, 0, 44, 8, 12, 0, 28, 136, 1, 107, 10, 0, 4, 232, 1, 212, 1, 10,
    192, 5, 84, 0, 106, 208, 2, 68, 16, 19, 0, 10, 4, 184, 1, 28, 0, 68, 0, 20, 0, 36, 10, 115, 2,
    192, 1, 20, 10, 3, 2, 80, 34, 240, 1, 66, 60, 200, 2, 188, 1, 2, 252, 1, 176, 3, 4, 0, 4, 24,
    60, 24, 4, 16, 52, 72, 12, 11, 72, 3, 120, 4, 8, 2, 56, 10, 8, 10, 168, 1, 2, 48, 2, 0, 18, 24,
    10, 4, 24, 28, 10, 8, 10, 8, 4, 0, 58, 0, 26, 8, 2, 16, 12, 10, 176, 1, 3, 4, 10, 12, 0, 2, 40,
    26, 8, 10, 168, 1, 2, 48, 2, 8, 2, 8, 2, 8, 10, 4, 2, 16, 12, 26, 12, 10, 20, 18, 4, 50, 24, 2,
    0, 50, 72, 12, 16, 4, 3, 74, 12, 0, 2, 64, 2, 16, 2, 168, 1, 2, 48, 2, 8, 2, 32, 10, 4, 24, 36,
    2, 12, 0, 2, 8, 4, 10, 0, 114, 8, 12, 10, 72, 3, 0, 50, 0, 44, 2, 4, 8, 2, 56, 10, 8, 10, 168,
    1, 2, 48, 2, 8, 2, 32, 10, 4, 8, 4, 0, 28, 10, 8, 10, 8, 4, 50, 12, 0, 26, 8, 2, 16, 12, 10,
    136, 1, 74, 4, 0, 2, 40, 18, 16, 2, 24, 18, 8, 2, 0, 2, 8, 18, 8, 18, 16, 18, 88, 26, 8, 4, 8,
    18, 16, 2, 16, 4, 10, 0, 42, 0, 106, 160, 1, 34, 4, 16, 4, 56, 2, 16, 2, 176, 1, 2, 120, 10, 4,
    0, 20, 24, 2, 20, 2, 28, 50, 12, 2, 16, 10, 0, 10, 8, 12, 10, 72, 50, 3, 64, 4, 8, 3, 56, 2, 16,
    2, 176, 1, 2, 72, 2, 32, 10, 4, 8, 4, 32, 2, 4, 8, 2, 8, 12, 50, 8, 42, 8, 2, 8, 12, 10, 72, 2,
    16, 90, 12, 80, 2, 16, 2, 192, 2, 12, 24, 28, 2, 16, 2, 16, 4, 8, 26, 104, 12, 10, 200, 1, 2, 4,
    8, 2, 136, 1, 18, 184, 1, 2, 64, 2, 0, 10, 48, 18, 4, 26, 16, 20, 2, 4, 2, 56, 42, 72, 10, 8, 3,
    90, 248, 2, 4, 8, 52, 26, 56, 60, 3, 72, 11, 162, 2, 8, 2, 0, 2, 32, 2, 184, 1, 2, 0, 2, 72, 4,
    8, 68, 0, 10, 32, 2, 0, 2, 52, 2, 72, 10, 24, 250, 1, 24, 115, 0, 3, 16, 12, 208, 1, 4, 0, 4, 0,
    4, 27, 72, 2, 152, 2, 26, 108, 0, 36, 3, 12, 32, 84, 2, 156, 2, 2, 56, 4, 40, 2, 8, 35, 24, 11,
    162, 2, 224, 2, 28, 0, 44, 0, 12, 8, 12, 80, 43, 56, 12, 24, 20, 120, 28, 96, 4, 8, 12, 40, 4,
    112, 4, 184, 2, 2, 0, 34, 0, 10, 208, 2, 3, 224, 20, 2, 24, 10, 48, 2, 0, 2, 24, 10, 192, 2, 2,
    24, 10, 128, 2, 2, 24, 10, 48, 2, 0, 2, 24, 10, 112, 2, 192, 3, 2, 24, 10, 144, 4, 10, 20, 67,
    152, 1, 18, 200, 1, 42, 168, 5, 10, 40, 10, 3, 224, 38, 3, 128, 1, 1, 200, 1, 11, 18, 208, 4,
    19, 80, 50, 136, 1, 20, 0, 66, 144, 1, 12, 0, 11, 66, 136, 1, 12, 90, 96, 2, 16, 2, 12, 90, 152,
    3, 12, 0, 52, 56, 4, 8, 84, 19, 0, 19, 8, 4, 10, 72, 42, 72, 42, 83, 20, 2, 4, 72, 42, 192, 5,
    50, 32, 12, 136, 2, 4, 0, 34, 168, 4, 74, 240, 1, 2, 20, 24, 12, 16, 26, 8, 4, 40, 20, 26, 0,
    18, 11, 184, 2, 10, 32, 82, 216, 2, 26, 200, 1, 42, 80, 18, 192, 3, 12, 8, 4, 10, 11, 168, 3, 4,
    0, 52, 2, 4, 0, 4, 8, 60, 40, 76, 10, 4, 72, 42, 72, 42, 51, 0, 43, 10, 108, 0, 124, 130, 3, 28,
    248, 2, 4, 0, 36, 0, 4, 32, 4, 72, 18, 72, 51, 72, 68, 64, 11, 2, 12, 248, 1, 28, 8, 12, 0, 20,
    184, 3, 4, 0, 12, 16, 4, 0, 20, 8, 58, 27, 216, 2, 60, 8, 12, 18, 35, 72, 18, 128, 3, 11, 64,
    50, 208, 2, 10, 16, 59, 58, 20, 3, 100, 0, 52, 24, 4, 40, 4, 16, 12, 0, 34, 248, 11, 252, 3,
    168, 17, 10, 40, 10, 168, 2, 10, 40, 10, 56, 2, 0, 2, 0, 2, 0, 2, 240, 1, 10, 160, 3, 2, 112, 2,
    104, 10, 40, 2, 144, 1, 10, 16, 2, 64, 2, 81, 34, 187, 1, 9, 34, 1, 155, 1, 0, 99, 0, 91, 1,
    122, 8, 10, 64, 11, 104, 11, 2, 96, 18, 128, 2, 114, 100, 24, 4, 16, 92, 114, 216, 8, 26, 184,
    23, 27, 224, 1, 11, 216, 15, 194, 1, 80, 162, 1, 184, 48, 107, 240, 4, 11, 240, 1, 75, 144, 25,
    171, 1, 240, 3, 27, 248, 1, 11, 168, 23, 10, 248, 1, 2, 184, 21, 20, 8, 34, 27, 0, 11, 168, 2,
    2, 0, 34, 0, 10, 184, 3, 50, 0, 3, 106, 4, 176, 1, 66, 48, 2, 48, 2, 48, 2, 48, 2, 48, 2, 48, 2,
    48, 2, 48, 2, 252, 1, 243, 2, 0, 251, 1, 8, 91, 138, 2, 200, 1, 2, 192, 5, 90, 168, 13, 202, 1,
    88, 26, 1, 19, 24, 75, 8, 91, 72, 28, 8, 3, 88, 3, 8, 2, 168, 5, 10, 12, 32, 3, 200, 5, 3, 24,
    34, 208, 2, 2, 232, 5, 2, 152, 5, 90, 240, 2, 2, 224, 166, 14, 18, 176, 3, 66, 232, 2, 11, 224,
    16, 19, 216, 1, 154, 1, 240, 2, 4, 16, 3, 76, 3, 240, 1, 12, 248, 4, 12, 43, 58, 208, 12, 34, 8,
    2, 0, 2, 32, 186, 1, 120, 4, 16, 4, 24, 4, 192, 1, 12, 32, 4, 18, 72, 42, 152, 3, 27, 58, 152,
    4, 12, 58, 11, 72, 42, 140, 1, 40, 19, 0, 3, 8, 4, 168, 2, 60, 11, 176, 1, 84, 8, 82, 3, 224, 1,
    18, 20, 248, 2, 4, 8, 28, 8, 12, 16, 99, 2, 80, 26, 11, 32, 4, 192, 1, 2, 192, 2, 44, 8, 12, 8,
    12, 66, 16, 4, 56, 4, 0, 10, 72, 10, 27, 216, 1, 4, 144, 3, 4, 0, 20, 8, 12, 32, 12, 0, 4, 0,
    186, 1, 16, 11, 88, 12, 8, 11, 24, 4, 74, 40, 10, 40, 10, 40, 66, 48, 2, 48, 2, 216, 3, 26, 160,
    7, 4, 8, 4, 8, 3, 0, 4, 10, 72, 42, 152, 186, 5, 90, 176, 1, 26, 128, 3, 154, 144, 4, 232, 22,
    10, 200, 6, 170, 2, 48, 90, 32, 34, 0, 4, 184, 1, 2, 32, 2, 0, 2, 8, 2, 8, 2, 224, 7, 122, 208,
    22, 11, 248, 4, 10, 168, 3, 50, 0, 250, 1, 120, 124, 75, 42, 124, 147, 2, 2, 107, 0, 3, 16, 2,
    3, 0, 11, 26, 32, 2, 176, 8, 26, 19, 0, 43, 0, 27, 72, 11, 16, 11, 200, 1, 19, 0, 3, 208, 1, 3,
    0, 3, 0, 51, 192, 5, 18, 40, 10, 40, 10, 40, 10, 16, 18, 48, 2, 48, 98, 8, 10, 88, 2, 200, 1, 2,
    144, 1, 2, 8, 2, 112, 10, 104, 138, 2, 208, 7, 34, 19, 26, 224, 2, 18, 184, 5, 2, 96, 18, 0,
    242, 2, 224, 2, 4, 138, 8, 224, 1, 18, 128, 3, 114, 4, 208, 1, 26, 152, 2, 66, 232, 1, 34, 168,
    2, 36, 34, 232, 1, 2, 3, 152, 2, 26, 56, 3, 32, 202, 2, 232, 9, 10, 72, 42, 152, 2, 26, 152, 2,
    26, 184, 2, 58, 152, 3, 82, 3, 80, 2, 112, 2, 48, 2, 8, 2, 80, 2, 112, 2, 48, 2, 8, 146, 4, 176,
    19, 66, 168, 1, 74, 56, 186, 1, 40, 2, 200, 2, 2, 64, 162, 4, 40, 10, 0, 2, 216, 2, 2, 8, 18, 0,
    10, 176, 1, 2, 3, 176, 4, 58, 64, 250, 2, 144, 1, 2, 8, 34, 128, 2, 18, 3, 200, 1, 34, 3, 250,
    3, 184, 3, 26, 152, 1, 10, 240, 2, 20, 2, 12, 34, 28, 24, 2, 16, 2, 224, 1, 10, 20, 26, 4, 64,
    50, 67, 50, 240, 1, 3, 248, 1, 250, 1, 160, 2, 12, 26, 32, 51, 66, 168, 3, 18, 51, 168, 1, 10,
    208, 1, 34, 200, 1, 50, 27, 90, 48, 250, 4, 192, 4, 178, 3, 144, 3, 98, 144, 3, 50, 200, 2, 28,
    58, 72, 170, 18, 240, 1, 2, 200, 2, 2, 12, 3, 10, 8, 210, 4, 20, 184, 2, 58, 168, 1, 84, 24, 35,
    170, 1, 136, 1, 28, 27, 170, 2, 216, 1, 154, 1, 176, 1, 66, 0, 4, 168, 3, 116, 51, 26, 232, 1,
    4, 8, 12, 0, 66, 20, 128, 3, 28, 8, 12, 11, 2, 27, 4, 98, 192, 1, 50, 72, 42, 20, 152, 2, 36, 0,
    60, 2, 72, 27, 24, 58, 144, 2, 4, 11, 0, 66, 12, 152, 3, 68, 40, 27, 28, 3, 0, 4, 80, 3, 0, 19,
    2, 152, 1, 82, 136, 1, 2, 216, 1, 20, 8, 4, 0, 12, 43, 4, 8, 4, 234, 3, 48, 2, 0, 2, 24, 2, 112,
    2, 72, 3, 42, 240, 2, 4, 16, 60, 34, 72, 42, 12, 8, 2, 56, 10, 8, 10, 168, 1, 2, 48, 2, 8, 2,
    32, 2, 12, 16, 4, 24, 10, 8, 10, 16, 10, 0, 42, 0, 34, 48, 10, 52, 18, 36, 210, 8, 184, 3, 60,
    8, 20, 0, 4, 24, 35, 72, 11, 2, 3, 4, 16, 234, 1, 144, 3, 44, 0, 4, 24, 12, 0, 12, 8, 3, 0, 58,
    72, 170, 10, 136, 3, 28, 10, 24, 12, 0, 12, 179, 1, 24, 12, 138, 2, 144, 3, 60, 8, 4, 0, 12, 19,
    0, 82, 72, 42, 99, 146, 1, 208, 2, 4, 0, 4, 8, 44, 0, 4, 0, 3, 42, 72, 170, 3, 208, 1, 10, 20,
    8, 28, 0, 36, 26, 88, 19, 56, 194, 11, 240, 2, 68, 0, 12, 3, 154, 6, 144, 5, 90, 56, 10, 0, 10,
    56, 2, 8, 2, 232, 1, 2, 8, 10, 12, 0, 4, 24, 4, 19, 66, 72, 170, 4, 56, 10, 200, 2, 28, 10, 12,
    24, 4, 0, 3, 8, 210, 1, 0, 76, 184, 2, 44, 8, 28, 59, 4, 58, 0, 44, 8, 20, 232, 2, 100, 0, 12,
    19, 0, 35, 98, 192, 4, 50, 75, 170, 15, 64, 2, 168, 2, 52, 2, 44, 0, 4, 0, 35, 74, 224, 1, 18,
    11, 232, 1, 10, 172, 1, 2, 0, 52, 0, 12, 0, 12, 194, 4, 48, 2, 8, 2, 168, 2, 44, 18, 4, 2, 12,
    2, 52, 0, 4, 58, 72, 42, 40, 2, 8, 2, 160, 2, 2, 12, 2, 8, 4, 0, 4, 0, 50, 72, 170, 19, 144, 1,
    12, 8, 11, 50, 12, 112, 2, 152, 2, 36, 18, 8, 4, 0, 4, 99, 72, 170, 5, 0, 114, 136, 3, 98, 3,
    200, 57, 170, 6, 240, 6, 2, 35, 82, 152, 12, 218, 164, 1, 128, 6, 11, 98, 248, 66, 122, 4, 40,
    116, 202, 250, 1, 176, 36, 194, 155, 4, 192, 35, 50, 240, 1, 2, 72, 26, 11, 240, 4, 2, 72, 42,
    232, 1, 10, 36, 3, 74, 248, 2, 52, 35, 56, 3, 0, 74, 72, 2, 48, 2, 160, 1, 34, 144, 1, 250, 42,
    176, 5, 27, 162, 6, 208, 4, 26, 4, 184, 3, 50, 28, 96, 250, 3, 8, 3, 0, 4, 82, 8, 106, 184, 255,
    2, 58, 168, 77, 202, 2, 64, 178, 174, 4, 24, 2, 48, 2, 8, 2, 144, 18, 114, 0, 226, 1, 16, 10, 0,
    106, 24, 58, 216, 24, 154, 144, 1, 208, 6, 34, 96, 18, 64, 50, 72, 10, 0, 12, 3, 250, 165, 2,
    236, 2, 10, 180, 1, 66, 152, 7, 218, 3, 168, 15, 74, 176, 2, 10, 232, 3, 20, 64, 58, 60, 8, 52,
    232, 1, 28, 224, 3, 162, 1, 136, 4, 20, 0, 202, 7, 152, 1, 90, 152, 1, 90, 176, 5, 66, 192, 1,
    178, 8, 160, 5, 2, 176, 4, 2, 8, 10, 0, 10, 8, 10, 24, 2, 88, 2, 0, 2, 48, 2, 128, 4, 2, 24, 10,
    56, 2, 48, 2, 216, 1, 2, 24, 2, 32, 2, 0, 18, 48, 2, 152, 21, 10, 152, 18, 10, 136, 35, 180, 3,
    24, 140, 3, 56, 4, 104, 4, 8, 35, 114, 36, 2, 116, 250, 68, 240, 1, 42, 40, 162, 13, 52, 2, 132,
    1, 10, 52, 2, 12, 2, 36, 34, 232, 3, 130, 2, 4, 250, 6, 224, 2, 18, 52, 48, 10, 72, 26, 8, 250,
    19, 232, 1, 4, 130, 1, 216, 2, 28, 72, 34, 0, 250, 28, 216, 1, 28, 72, 170, 46, 48, 2, 24, 2, 8,
    2, 112, 2, 160, 12, 10, 64, 52, 194, 2, 152, 4, 52, 0, 26, 72, 26, 11, 130, 49, 152, 4, 218, 4,
    224, 3, 138, 12, 24, 2, 208, 1, 2, 8, 2, 0, 10, 0, 2, 72, 2, 24, 2, 0, 2, 0, 42, 0, 26, 0, 2, 0,
    2, 0, 2, 16, 2, 8, 2, 0, 10, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 8, 2, 0, 10, 24, 2, 48, 2, 24, 2, 24,
    2, 0, 2, 72, 2, 128, 1, 34, 16, 2, 32, 2, 128, 1, 154, 3, 8, 234, 16, 216, 2, 26, 152, 6, 90,
    112, 10, 112, 2, 112, 2, 160, 2, 74, 232, 10, 186, 3, 224, 1, 98, 216, 2, 26, 64, 50, 8, 106,
    40, 202, 9, 184, 61, 26, 128, 1, 18, 96, 18, 176, 7, 26, 240, 5, 42, 88, 26, 0, 114, 88, 26,
    184, 3, 58, 72, 42, 184, 2, 58, 232, 1, 10, 8, 234, 4, 152, 21, 90, 104, 10, 96, 18, 64, 50,
    232, 2, 2, 48, 58, 104, 26, 64, 50, 64, 50, 144, 9, 2, 176, 3, 162, 2, 72, 170, 64, 248, 237,
    20, 250, 1, 200, 131, 2, 42, 232, 13, 10, 136, 232, 2, 106, 128, 211, 3, 242, 193, 1, 232, 33,
    138, 94, 208, 180, 2, 34, 248, 133, 2, 250, 212, 219, 2, 252, 14, 250, 224, 95,
};
static const int32_t llm__wp_lower[LLM__WP_LOWER_RUNS][4] = {
    {0x41,26,1,32}, {0xC0,23,1,32}, {0xD8,7,1,32}, {0x100,24,2,1}, {0x132,3,2,1}, {0x139,8,2,1},
    {0x14A,23,2,1}, {0x178,1,1,-121}, {0x179,3,2,1}, {0x181,1,1,210}, {0x182,2,2,1},
    {0x186,1,1,206}, {0x187,1,1,1}, {0x189,2,1,205}, {0x18B,1,1,1}, {0x18E,1,1,79}, {0x18F,1,1,202},
    {0x190,1,1,203}, {0x191,1,1,1}, {0x193,1,1,205}, {0x194,1,1,207}, {0x196,1,1,211},
    {0x197,1,1,209}, {0x198,1,1,1}, {0x19C,1,1,211}, {0x19D,1,1,213}, {0x19F,1,1,214},
    {0x1A0,3,2,1}, {0x1A6,1,1,218}, {0x1A7,1,1,1}, {0x1A9,1,1,218}, {0x1AC,1,1,1}, {0x1AE,1,1,218},
    {0x1AF,1,1,1}, {0x1B1,2,1,217}, {0x1B3,2,2,1}, {0x1B7,1,1,219}, {0x1B8,1,1,1}, {0x1BC,1,1,1},
    {0x1C4,1,1,2}, {0x1C5,1,1,1}, {0x1C7,1,1,2}, {0x1C8,1,1,1}, {0x1CA,1,1,2}, {0x1CB,9,2,1},
    {0x1DE,9,2,1}, {0x1F1,1,1,2}, {0x1F2,2,2,1}, {0x1F6,1,1,-97}, {0x1F7,1,1,-56}, {0x1F8,20,2,1},
    {0x220,1,1,-130}, {0x222,9,2,1}, {0x23A,1,1,10795}, {0x23B,1,1,1}, {0x23D,1,1,-163},
    {0x23E,1,1,10792}, {0x241,1,1,1}, {0x243,1,1,-195}, {0x244,1,1,69}, {0x245,1,1,71},
    {0x246,5,2,1}, {0x370,2,2,1}, {0x376,1,1,1}, {0x37F,1,1,116}, {0x386,1,1,38}, {0x388,3,1,37},
    {0x38C,1,1,64}, {0x38E,2,1,63}, {0x391,17,1,32}, {0x3A3,9,1,32}, {0x3CF,1,1,8}, {0x3D8,12,2,1},
    {0x3F4,1,1,-60}, {0x3F7,1,1,1}, {0x3F9,1,1,-7}, {0x3FA,1,1,1}, {0x3FD,3,1,-130},
    {0x400,16,1,80}, {0x410,32,1,32}, {0x460,17,2,1}, {0x48A,27,2,1}, {0x4C0,1,1,15}, {0x4C1,7,2,1},
    {0x4D0,48,2,1}, {0x531,38,1,48}, {0x10A0,38,1,7264}, {0x10C7,1,1,7264}, {0x10CD,1,1,7264},
    {0x13A0,80,1,38864}, {0x13F0,6,1,8}, {0x1C90,43,1,-3008}, {0x1CBD,3,1,-3008}, {0x1E00,75,2,1},
    {0x1E9E,1,1,-7615}, {0x1EA0,48,2,1}, {0x1F08,8,1,-8}, {0x1F18,6,1,-8}, {0x1F28,8,1,-8},
    {0x1F38,8,1,-8}, {0x1F48,6,1,-8}, {0x1F59,4,2,-8}, {0x1F68,8,1,-8}, {0x1F88,8,1,-8},
    {0x1F98,8,1,-8}, {0x1FA8,8,1,-8}, {0x1FB8,2,1,-8}, {0x1FBA,2,1,-74}, {0x1FBC,1,1,-9},
    {0x1FC8,4,1,-86}, {0x1FCC,1,1,-9}, {0x1FD8,2,1,-8}, {0x1FDA,2,1,-100}, {0x1FE8,2,1,-8},
    {0x1FEA,2,1,-112}, {0x1FEC,1,1,-7}, {0x1FF8,2,1,-128}, {0x1FFA,2,1,-126}, {0x1FFC,1,1,-9},
    {0x2126,1,1,-7517}, {0x212A,1,1,-8383}, {0x212B,1,1,-8262}, {0x2132,1,1,28}, {0x2160,16,1,16},
    {0x2183,1,1,1}, {0x24B6,26,1,26}, {0x2C00,48,1,48}, {0x2C60,1,1,1}, {0x2C62,1,1,-10743},
    {0x2C63,1,1,-3814}, {0x2C64,1,1,-10727}, {0x2C67,3,2,1}, {0x2C6D,1,1,-10780},
    {0x2C6E,1,1,-10749}, {0x2C6F,1,1,-10783}, {0x2C70,1,1,-10782}, {0x2C72,1,1,1}, {0x2C75,1,1,1},
    {0x2C7E,2,1,-10815}, {0x2C80,50,2,1}, {0x2CEB,2,2,1}, {0x2CF2,1,1,1}, {0xA640,23,2,1},
    {0xA680,14,2,1}, {0xA722,7,2,1}, {0xA732,31,2,1}, {0xA779,2,2,1}, {0xA77D,1,1,-35332},
    {0xA77E,5,2,1}, {0xA78B,1,1,1}, {0xA78D,1,1,-42280}, {0xA790,2,2,1}, {0xA796,10,2,1},
    {0xA7AA,1,1,-42308}, {0xA7AB,1,1,-42319}, {0xA7AC,1,1,-42315}, {0xA7AD,1,1,-42305},
    {0xA7AE,1,1,-42308}, {0xA7B0,1,1,-42258}, {0xA7B1,1,1,-42282}, {0xA7B2,1,1,-42261},
    {0xA7B3,1,1,928}, {0xA7B4,8,2,1}, {0xA7C4,1,1,-48}, {0xA7C5,1,1,-42307}, {0xA7C6,1,1,-35384},
    {0xA7C7,2,2,1}, {0xA7D0,1,1,1}, {0xA7D6,2,2,1}, {0xA7F5,1,1,1}, {0xFF21,26,1,32},
    {0x10400,40,1,40}, {0x104B0,36,1,40}, {0x10570,11,1,39}, {0x1057C,15,1,39}, {0x1058C,7,1,39},
    {0x10594,2,1,39}, {0x10C80,51,1,64}, {0x118A0,32,1,32}, {0x16E40,32,1,32}, {0x1E900,34,1,34},
};
static const unsigned char llm__wp_strip_rle[LLM__WP_STRIP_SIZE] = {
    192, 1, 1, 130, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 2, 1, 4, 1, 1, 4, 1, 1, 0, 1, 1,
    0, 1, 1, 0, 1, 1, 8, 1, 1, 0, 1, 1, 0, 1, 1, 0, 2, 1, 10, 1, 1, 2, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1,
    1, 0, 3, 1, 12, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 8, 3, 1, 16, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1,
    0, 1, 1, 0, 2, 1, 4, 1, 1, 4, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 8, 1, 1, 0, 1, 1, 0, 1, 1, 0, 2,
    1, 10, 1, 1, 2, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 12, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1,
    8, 2, 1, 0, 1, 1, 111, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 59, 1, 1, 64, 1,
    1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 3, 1, 61, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 59, 1, 1,
    64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 3, 1, 61, 1,
    1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 4, 1, 2, 1, 1, 64,
    1, 1, 61, 1, 1, 64, 2, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 5, 1, 59, 1, 1,
    64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 4, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1,
    1, 64, 3, 1, 57, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 3, 1,
    61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 63, 1, 1, 64, 1, 1, 59, 1, 1, 64, 1, 1, 59, 1, 1, 64, 1, 1, 63, 1, 1, 2, 1, 1, 64, 1, 1, 63,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 34, 1, 85, 1, 1, 64, 14, 1, 51, 1, 1, 64, 29, 1, 103, 1, 1, 64, 1,
    1, 47, 1, 1, 64, 1, 1, 51, 1, 1, 64, 1, 1, 51, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 2, 1, 103, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 202, 1,
    1, 1, 64, 3, 1, 189, 2, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 144, 5, 1, 1, 182, 3, 1, 1, 207, 8, 4, 1, 69, 1, 1, 64, 3, 1, 49, 1, 1, 64, 1, 1, 89, 1, 1,
    64, 1, 1, 202, 1, 1, 1, 64, 1, 1, 27, 1, 1, 64, 1, 1, 237, 2, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 55, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 51, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 57, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 57, 1, 1, 64, 1, 1, 63, 1, 1,
    64, 1, 1, 67, 1, 1, 64, 1, 1, 61, 1, 1, 64, 3, 1, 87, 1, 1, 64, 7, 1, 77, 1, 1, 64, 1, 1, 55, 1,
    1, 64, 1, 1, 43, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 43,
    1, 1, 64, 141, 2, 0, 1, 0, 2, 0, 1, 0, 48, 1, 128, 9, 10, 1, 251, 9, 7, 1, 218, 1, 1, 1, 210,
    11, 1, 1, 179, 11, 1, 1, 188, 11, 1, 1, 4, 1, 1, 4, 2, 1, 12, 2, 1, 12, 1, 1, 8, 1, 1, 32, 26,
    1, 63, 1, 1, 24, 1, 1, 24, 1, 1, 8, 1, 1, 4, 1, 1, 4, 1, 1, 24, 26, 1, 23, 1, 1, 24, 1, 1, 11,
    1, 1, 12, 1, 1, 8, 5, 1, 18, 1, 1, 0, 44, 1, 134, 1, 1, 1, 0, 2, 1, 3, 4, 1, 25, 5, 1, 40, 1, 1,
    3, 1, 1, 22, 11, 1, 21, 32, 1, 64, 23, 1, 5, 1, 1, 0, 2, 1, 3, 4, 1, 70, 5, 1, 55, 1, 1, 3, 1,
    1, 22, 24, 1, 98, 1, 1, 2, 74, 1, 189, 1, 1, 1, 64, 14, 1, 75, 1, 1, 64, 1, 1, 63, 1, 1, 64, 3,
    1, 53, 1, 1, 64, 3, 1, 198, 2, 1, 1, 2, 1, 1, 133, 3, 1, 1, 64, 1, 1, 61, 1, 1, 64, 3, 1, 61, 1,
    1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 51, 1, 1, 64, 3, 1, 212, 2, 1, 1, 2, 1, 1, 247, 2, 1, 1, 64, 1,
    1, 83, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 55, 1, 1, 64, 3, 1, 55, 1, 1, 64,
    169, 2, 1, 184, 7, 1, 1, 0, 1, 1, 66, 1, 1, 65, 1, 1, 70, 154, 1, 1, 150, 2, 2, 1, 39, 17, 1,
    34, 214, 4, 1, 172, 9, 8, 1, 16, 3, 1, 6, 36, 1, 59, 1, 1, 2, 1, 1, 2, 1, 1, 10, 1, 1, 10, 1, 1,
    2, 1, 1, 18, 1, 1, 8, 108, 2, 176, 2, 17, 1, 2, 18, 32, 16, 1, 107, 1, 1, 2, 2, 1, 26, 84, 1,
    134, 2, 3, 1, 12, 35, 1, 67, 1, 1, 2, 1, 1, 10, 3, 1, 30, 234, 1, 1, 184, 4, 3, 2, 0, 17, 1, 2,
    18, 32, 16, 1, 107, 1, 1, 2, 55, 2, 224, 1, 138, 1, 54, 2, 33, 15, 1, 2, 18, 17, 1, 2, 16, 34,
    124, 0, 120, 1, 252, 3, 7, 1, 0, 1, 1, 2, 2, 1, 39, 1, 2, 0, 38, 127, 2, 226, 1, 15, 1, 2, 18,
    17, 1, 2, 16, 34, 142, 1, 1, 132, 2, 2, 2, 0, 19, 1, 2, 20, 19, 1, 2, 20, 12, 229, 2, 1, 198, 5,
    10, 1, 20, 5, 1, 10, 5, 1, 10, 5, 1, 10, 13, 1, 53, 10, 0, 2, 0, 1, 0, 2, 0, 9, 0, 18, 0, 10, 0,
    5, 0, 5, 0, 5, 0, 13, 0, 109, 1, 202, 3, 224, 21, 2, 192, 43, 96, 2, 2, 91, 92, 2, 2, 87, 88, 2,
    2, 83, 84, 2, 2, 79, 80, 4, 2, 71, 72, 41, 1, 0, 2, 1, 0, 3, 2, 18, 17, 1, 2, 20, 19, 2, 1, 0,
    189, 5, 1, 231, 107, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1,
    61, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1,
    64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1,
    1, 64, 1, 1, 59, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1,
    63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 59, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1,
    64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1,
    1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1,
    61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1,
    1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 61, 1, 1, 64,
    1, 1, 61, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 35, 1, 1, 24, 1, 1, 6, 1, 1,
    4, 2, 1, 140, 4, 5, 1, 251, 4, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1,
    64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1,
    1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 63,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1,
    63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 51, 1, 1, 64, 1,
    1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64,
    1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1,
    64, 1, 1, 63, 1, 1, 64, 1, 1, 51, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1,
    1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 55, 1, 1, 64, 1, 1, 63,
    1, 1, 64, 1, 1, 63, 1, 1, 64, 1, 1, 63, 1, 1, 64, 7, 1, 240, 12, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 72, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 63, 1, 1, 0, 1, 1, 0, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 68, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 68, 1, 1, 0, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 76, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 63, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 76, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 0, 2, 1, 63, 2, 1, 0, 2, 1, 0, 2, 1, 0, 1, 1, 72, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 16, 1, 1, 0, 1, 1, 8, 1, 1, 0, 1, 1, 4, 1, 1, 0, 1, 1, 4, 1, 1, 0, 1, 1, 12, 1,
    1, 0, 1, 1, 12, 1, 1, 0, 1, 1, 8, 1, 1, 0, 3, 1, 47, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1,
    0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1,
    1, 76, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1,
    0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 100, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1,
    0, 1, 1, 16, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0,
    1, 1, 0, 1, 1, 0, 2, 1, 80, 3, 1, 161, 12, 1, 1, 158, 12, 1, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 1,
    1, 67, 1, 1, 0, 1, 1, 4, 1, 1, 0, 1, 1, 0, 1, 1, 208, 112, 1, 1, 0, 1, 1, 0, 1, 1, 139, 112, 1,
    1, 0, 1, 1, 0, 1, 1, 0, 3, 1, 0, 1, 1, 0, 1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 2, 1, 202, 113,
    1, 1, 0, 1, 1, 0, 1, 1, 241, 112, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 7, 1, 1, 0, 1, 1, 8, 1, 1, 0,
    1, 1, 63, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 7, 1, 1, 241, 11, 1, 1, 0, 1, 1, 143, 1, 3, 1, 210,
    13, 1, 1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 0, 1, 1, 83, 1, 1, 0, 1, 1, 20, 1, 1, 0, 1, 1, 0, 1, 1,
    233, 11, 3, 1, 156, 125, 1, 1, 2, 165, 2, 1, 179, 113, 4, 1, 187, 13, 1, 1, 19, 111, 1, 158,
    133, 1, 1, 1, 4, 19, 1, 4, 31, 1, 120, 1, 1, 8, 1, 1, 3, 53, 1, 98, 5, 1, 10, 3, 1, 6, 24, 1,
    48, 2, 1, 4, 27, 1, 46, 3, 1, 14, 3, 1, 4, 2, 1, 6, 23, 1, 149, 136, 1, 2, 1, 200, 136, 1, 11,
    1, 39, 1, 1, 161, 136, 1, 1, 1, 4, 1, 1, 204, 136, 1, 1, 1, 2, 3, 1, 26, 1, 1, 2, 3, 1, 6, 1, 1,
    2, 7, 1, 6, 1, 1, 2, 3, 1, 14, 1, 1, 2, 3, 1, 6, 1, 1, 2, 35, 1, 54, 1, 1, 12, 1, 1, 2, 1, 1, 4,
    49, 1, 93, 1, 1, 2, 1, 1, 40, 1, 1, 2, 7, 1, 64, 1, 1, 2, 1, 1, 2, 1, 1, 2, 60, 1, 166, 53, 1,
    1, 2, 178, 15, 1, 215, 20, 240, 10, 1, 220, 21, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2,
    1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 3, 1, 6, 2, 1, 4, 2, 1, 4, 7, 1, 14, 1, 1, 0,
    2, 1, 6, 1, 1, 0, 2, 1, 6, 1, 1, 0, 2, 1, 6, 1, 1, 0, 2, 1, 6, 1, 1, 0, 23, 1, 105, 10, 1, 174,
    1, 14, 1, 28, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4, 2, 1, 4,
    2, 1, 4, 2, 1, 4, 3, 1, 6, 2, 1, 4, 2, 1, 4, 7, 1, 14, 1, 1, 0, 2, 1, 6, 1, 1, 0, 2, 1, 6, 1, 1,
    0, 2, 1, 6, 1, 1, 0, 2, 1, 6, 1, 1, 0, 23, 1, 105, 3, 1, 146, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 4,
    1, 22, 130, 144, 3, 1, 150, 237, 2, 1, 1, 167, 149, 1, 1, 1, 172, 159, 1, 1, 1, 131, 8, 1, 1,
    237, 119, 1, 1, 189, 130, 1, 1, 1, 230, 22, 1, 1, 238, 174, 2, 1, 1, 0, 1, 1, 149, 153, 2, 1, 1,
    128, 226, 1, 1, 1, 147, 241, 1, 1, 1, 130, 15, 1, 1, 220, 34, 1, 1, 230, 81, 1, 1, 184, 36, 1,
    1, 244, 26, 1, 1, 246, 5, 1, 1, 252, 4, 1, 1, 174, 30, 1, 1, 153, 154, 1, 1, 1, 178, 12, 1, 1,
    252, 14, 1, 1, 138, 12, 1, 1, 190, 65, 1, 1, 218, 52, 1, 1, 142, 34, 1, 1, 221, 173, 2, 1, 1,
    230, 19, 1, 1, 158, 94, 1, 1, 174, 28, 1, 1, 164, 80, 1, 1, 226, 95, 1, 1, 155, 131, 2, 1, 1,
    182, 74, 1, 1, 196, 87, 1, 1, 174, 14, 1, 1, 181, 154, 1, 1, 1, 158, 124, 1, 1, 142, 25, 1, 1,
    169, 165, 1, 1, 1, 154, 33, 1, 1, 166, 25, 1, 1, 164, 22, 1, 1, 164, 119, 1, 1, 143, 133, 2, 1,
    1, 226, 8, 1, 1, 206, 4, 1, 1, 204, 71, 1, 1, 158, 24, 1, 1, 250, 28, 1, 1, 174, 19, 1, 1, 180,
    36, 1, 1, 138, 24, 1, 1, 172, 1, 1, 1, 166, 30, 1, 1, 134, 37, 1, 1, 250, 16, 1, 1, 150, 10, 1,
    1, 219, 149, 1, 1, 1, 230, 3, 1, 1, 194, 16, 1, 1, 210, 24, 1, 1, 246, 60, 1, 1, 246, 45, 1, 1,
    209, 78, 1, 1, 237, 199, 1, 1, 1, 202, 24, 1, 1, 184, 117, 1, 1, 188, 16, 1, 1, 183, 56, 1, 1,
    208, 25, 1, 1, 240, 79, 1, 1, 234, 40, 1, 1, 189, 248, 1, 1, 1, 148, 14, 1, 1, 226, 54, 1, 1,
    142, 15, 1, 1, 234, 4, 1, 1, 192, 56, 1, 1, 144, 4, 1, 1, 168, 96, 1, 1, 241, 141, 2, 1, 1, 242,
    182, 1, 1, 1, 221, 186, 1, 1, 1, 31, 1, 1, 160, 161, 1, 1, 1, 196, 14, 1, 1, 230, 24, 1, 1, 136,
    74, 1, 1, 233, 43, 1, 1, 225, 162, 1, 1, 1, 230, 28, 1, 1, 248, 131, 1, 1, 1, 137, 243, 1, 1, 1,
    220, 54, 1, 1, 214, 16, 1, 1, 234, 77, 1, 1, 210, 7, 1, 1, 177, 137, 1, 1, 1, 200, 151, 1, 1, 1,
    247, 164, 1, 1, 1, 212, 63, 1, 1, 183, 70, 1, 1, 254, 122, 1, 1, 167, 29, 1, 1, 212, 94, 1, 1,
    189, 165, 1, 1, 1, 182, 18, 1, 1, 198, 122, 1, 1, 144, 53, 1, 1, 194, 25, 1, 1, 223, 123, 1, 1,
    236, 143, 1, 1, 1, 207, 140, 1, 1, 1, 147, 38, 1, 1, 206, 127, 1, 1, 137, 125, 1, 1, 138, 71, 1,
    1, 237, 154, 1, 1, 1, 246, 10, 1, 1, 192, 1, 1, 1, 240, 90, 1, 1, 204, 81, 1, 1, 144, 22, 1, 1,
    198, 33, 1, 1, 250, 27, 1, 1, 179, 251, 1, 1, 1, 154, 5, 1, 1, 226, 20, 1, 1, 242, 21, 1, 1,
    178, 27, 1, 1, 242, 40, 1, 1, 216, 36, 1, 1, 134, 114, 1, 1, 250, 18, 1, 1, 218, 16, 1, 1, 110,
    1, 1, 229, 176, 2, 1, 1, 214, 80, 1, 1, 226, 18, 1, 1, 214, 143, 1, 1, 1, 219, 195, 1, 1, 1,
    184, 12, 1, 1, 224, 1, 1, 1, 180, 10, 1, 1, 146, 42, 1, 1, 204, 8, 1, 1, 128, 13, 1, 1, 130, 21,
    1, 1, 212, 16, 1, 1, 246, 9, 1, 1, 238, 58, 1, 1, 239, 40, 1, 1, 234, 44, 1, 1, 206, 12, 1, 1,
    229, 132, 2, 1, 1, 152, 2, 1, 1, 180, 8, 1, 1, 150, 112, 1, 1, 244, 95, 1, 1, 208, 7, 1, 1, 193,
    175, 1, 1, 1, 216, 4, 1, 1, 140, 14, 1, 1, 230, 32, 1, 1, 160, 66, 1, 1, 145, 35, 1, 1, 161,
    146, 1, 1, 1, 170, 32, 1, 1, 220, 19, 1, 1, 166, 7, 1, 1, 196, 9, 1, 1, 172, 78, 1, 1, 238, 2,
    1, 1, 226, 44, 1, 1, 216, 2, 1, 1, 220, 71, 1, 1, 132, 19, 1, 1, 164, 1, 1, 1, 160, 3, 1, 1,
    153, 162, 2, 1, 1, 198, 168, 1, 1, 1, 140, 96, 1, 1, 136, 20, 1, 1, 173, 215, 1, 1, 1, 181, 73,
    1, 1, 168, 9, 1, 1, 168, 44, 1, 1, 162, 1, 1, 1, 180, 37, 1, 1, 210, 17, 1, 1, 152, 31, 1, 1,
    232, 17, 1, 1, 244, 58, 1, 1, 128, 46, 1, 1, 162, 60, 1, 1, 137, 228, 1, 1, 1, 204, 190, 1, 1,
    1, 201, 142, 2, 1, 1, 228, 83, 1, 1, 240, 1, 1, 1, 156, 21, 1, 1, 182, 5, 1, 1, 218, 21, 1, 1,
    160, 5, 1, 1, 164, 12, 1, 1, 202, 18, 1, 1, 156, 109, 1, 1, 225, 155, 2, 1, 1, 130, 67, 1, 1,
    148, 209, 1, 1, 1, 153, 153, 2, 1, 1, 220, 51, 1, 1, 162, 67, 1, 1, 128, 133, 1, 1, 1, 189, 190,
    1, 1, 1, 242, 6, 1, 1, 166, 27, 1, 1, 224, 45, 1, 1, 254, 139, 1, 1, 1, 185, 145, 2, 1, 1, 204,
    7, 1, 1, 172, 33, 1, 1, 220, 38, 1, 1, 246, 4, 1, 1, 180, 5, 1, 1, 250, 16, 1, 1, 194, 28, 1, 1,
    184, 7, 1, 1, 174, 38, 1, 1, 172, 37, 1, 1, 36, 1, 1, 214, 35, 1, 1, 172, 20, 1, 1, 197, 142, 2,
    1, 1, 246, 109, 1, 1, 185, 106, 1, 1, 230, 118, 1, 1, 144, 11, 1, 1, 196, 69, 1, 1, 210, 66, 1,
    1, 232, 22, 1, 1, 144, 9, 1, 1, 143, 220, 1, 1, 1, 232, 24, 1, 1, 186, 80, 1, 1, 185, 28, 1, 1,
    170, 1, 1, 1, 228, 5, 1, 1, 163, 39, 1, 1, 205, 8, 1, 1, 254, 106, 1, 1, 175, 242, 1, 1, 1, 236,
    209, 1, 1, 1, 247, 195, 1, 1, 1, 101, 1, 1, 190, 50, 1, 1, 218, 16, 1, 1, 134, 104, 1, 1, 161,
    133, 1, 1, 1, 178, 70, 1, 1, 211, 25, 1, 1, 142, 162, 1, 1, 1, 221, 27, 1, 1, 130, 56, 1, 1,
    131, 51, 1, 1, 239, 170, 1, 1, 1, 165, 54, 1, 1, 128, 18, 3, 1, 180, 10, 2, 1, 180, 56, 3, 1,
    171, 82, 1, 1, 152, 133, 1, 1, 1, 192, 14, 1, 1, 228, 9, 1, 1, 68, 1, 1, 14, 1, 1, 84, 1, 1,
    142, 119, 1, 1, 175, 106, 1, 1, 254, 11, 2, 1, 170, 25, 2, 1, 204, 19, 3, 1, 128, 21, 1, 1, 138,
    3, 4, 1, 228, 31, 1, 1, 26, 1, 1, 88, 1, 1, 152, 18, 1, 1, 171, 51, 1, 1, 178, 23, 1, 1, 145,
    156, 2, 1, 1, 242, 4, 1, 1, 204, 1, 1, 1, 248, 5, 1, 1, 54, 1, 1, 218, 1, 1, 1, 152, 9, 1, 1,
    210, 1, 1, 1, 196, 1, 1, 1, 176, 7, 1, 1, 208, 1, 1, 1, 248, 14, 1, 1, 20, 1, 1, 204, 16, 1, 1,
    168, 3, 1, 1, 76, 1, 1, 200, 1, 1, 1, 186, 13, 1, 1, 166, 2, 1, 1, 222, 2, 1, 1, 232, 7, 1, 1,
    228, 19, 1, 1, 198, 2, 1, 1, 144, 4, 1, 1, 152, 9, 1, 1, 250, 2, 1, 1, 238, 7, 1, 1, 222, 17, 1,
    1, 218, 2, 1, 1, 22, 1, 1, 1, 1, 1, 16, 1, 1, 12, 1, 1, 14, 1, 1, 96, 1, 1, 2, 1, 1, 228, 2, 1,
    1, 130, 1, 1, 1, 254, 4, 1, 1, 232, 8, 1, 1, 42, 1, 1, 112, 1, 1, 226, 4, 1, 1, 166, 2, 1, 1,
    208, 7, 1, 1, 152, 2, 1, 1, 0, 1, 1, 188, 7, 1, 1, 242, 18, 1, 1, 140, 2, 1, 1, 214, 5, 1, 1,
    112, 1, 1, 180, 6, 1, 1, 106, 1, 1, 220, 10, 1, 1, 132, 2, 1, 1, 214, 26, 1, 1, 184, 4, 1, 1,
    120, 1, 1, 139, 223, 1, 1, 1, 242, 137, 15, 1, 1, 171, 131, 14, 3, 1, 227, 207, 1, 1, 1, 158,
    14, 1, 1, 153, 1, 1, 1, 207, 7, 1, 1, 138, 7, 1, 1, 118, 1, 1, 142, 5, 1, 1, 102, 1, 1, 198, 10,
    1, 1, 143, 1, 1, 1, 136, 1, 1, 1, 146, 1, 1, 1, 240, 9, 1, 1, 178, 1, 1, 1, 162, 2, 1, 1, 32, 1,
    1, 156, 4, 1, 1, 140, 3, 1, 1, 212, 14, 1, 1, 14, 1, 1, 160, 2, 1, 1, 136, 1, 1, 1, 214, 4, 1,
    1, 236, 1, 1, 1, 139, 1, 1, 1, 140, 2, 1, 1, 91, 1, 1, 164, 2, 1, 1, 132, 1, 1, 1, 160, 6, 1, 1,
    176, 1, 1, 1, 108, 1, 1, 136, 4, 1, 1, 188, 4, 1, 1, 198, 2, 1, 1, 8, 1, 1, 118, 1, 1, 198, 16,
    1, 1, 130, 1, 1, 1, 142, 6, 1, 1, 180, 6, 1, 1, 31, 1, 1, 174, 1, 1, 1, 248, 3, 1, 1, 160, 5, 1,
    1, 242, 24, 1, 1, 227, 21, 1, 1, 244, 1, 1, 1, 246, 1, 1, 1, 142, 5, 1, 1, 170, 2, 1, 1, 106, 1,
    1, 196, 3, 1, 1, 4, 1, 1, 214, 2, 1, 1, 34, 1, 1, 50, 1, 1, 172, 1, 1, 1, 19, 1, 1, 152, 6, 1,
    1, 202, 7, 1, 1, 158, 4, 1, 1, 246, 2, 1, 1, 192, 3, 1, 1, 178, 2, 1, 1, 148, 5, 1, 1, 142, 3,
    1, 1, 154, 13, 1, 1, 186, 2, 1, 1, 148, 14, 1, 1, 144, 7, 1, 1, 138, 1, 1, 1, 32, 1, 1, 210, 4,
    1, 1, 114, 1, 1, 89, 1, 1, 108, 1, 1, 5, 1, 1, 33, 1, 1, 152, 1, 1, 1, 162, 1, 1, 1, 252, 5, 1,
    1, 224, 8, 1, 1, 244, 4, 1, 1, 206, 4, 1, 1, 186, 3, 1, 1, 140, 16, 1, 1, 206, 1, 1, 1, 230, 1,
    1, 1, 138, 2, 1, 1, 72, 1, 1, 24, 1, 1, 96, 1, 1, 174, 11, 1, 1, 148, 18, 1, 1, 220, 162, 12, 1,
    1, 11, 1, 1, 162, 46, 1, 1, 239, 224, 15, 1, 1, 246, 17, 1, 1, 66, 1, 1, 160, 200, 16, 1, 1,
    142, 42, 1, 1, 134, 136, 1, 1, 1, 159, 254, 14, 1, 1, 150, 1, 68, 1, 233, 230, 4, 2, 1, 50, 11,
    1, 17, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 49, 1, 1, 0, 1, 1, 0, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1,
    2, 1, 1, 2, 1, 1, 2, 2, 1, 4, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 2, 1, 4, 2, 1, 4, 1, 1, 2, 2,
    1, 4, 1, 1, 2, 2, 1, 4, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 41, 1, 1, 7, 1, 1, 20, 1, 1,
    18, 204, 42, 1, 234, 170, 8, 2, 1, 4, 15, 1, 20, 131, 1, 0, 1, 0, 156, 4, 2, 196, 10, 17, 1, 2,
    18, 32, 239, 2, 1, 196, 5, 1, 2, 0, 17, 2, 2, 18, 8, 252, 1, 2, 246, 3, 17, 1, 2, 20, 19, 253,
    6, 2, 140, 14, 9, 166, 240, 2, 2, 206, 224, 5, 28, 1, 2, 25, 26, 1, 3, 25, 26, 18, 1, 3, 43, 26,
    20, 1, 3, 45, 26, 22, 1, 3, 47, 26, 24, 1, 3, 49, 26, 26, 87, 2, 142, 1, 167, 1, 1, 2, 170, 1,
    169, 1, 1, 3, 168, 1, 167, 1, 18, 1, 3, 152, 1, 169, 1, 18, 1, 3, 150, 1, 167, 1, 20, 1, 3, 150,
    1, 169, 1, 20, 192, 204, 4, 1, 227, 140, 12, 1, 1, 9, 1, 1, 18, 1, 1, 194, 203, 13, 1, 1, 131,
    199, 13, 1, 1, 156, 1, 1, 1, 26, 1, 1, 142, 1, 1, 1, 240, 1, 1, 1, 62, 1, 1, 156, 1, 1, 1, 47,
    1, 1, 225, 112, 1, 1, 184, 198, 14, 1, 1, 217, 211, 13, 1, 1, 14, 1, 1, 32, 1, 1, 38, 1, 1, 202,
    206, 13, 1, 1, 197, 193, 14, 1, 1, 220, 114, 1, 1, 76, 1, 1, 252, 206, 13, 1, 1, 231, 206, 13,
    1, 1, 26, 1, 1, 175, 11, 1, 1, 192, 11, 1, 1, 18, 1, 1, 212, 128, 18, 1, 1, 211, 255, 17, 1, 1,
    28, 1, 1, 199, 116, 1, 1, 184, 117, 1, 1, 22, 1, 1, 88, 1, 1, 10, 1, 1, 195, 117, 1, 1, 228,
    118, 1, 1, 4, 1, 1, 54, 1, 1, 44, 1, 1, 22, 1, 1, 2, 1, 1, 34, 1, 1, 100, 1, 1, 16, 1, 1, 18, 1,
    1, 50, 1, 1, 20, 1, 1, 4, 1, 1, 0, 1, 1, 0, 1, 1, 218, 218, 13, 1, 1, 247, 230, 12, 1, 1, 203,
    114, 1, 1, 42, 1, 1, 136, 222, 13, 1, 1, 239, 221, 13, 1, 1, 12, 1, 1, 42, 1, 1, 176, 2, 1, 1,
    203, 1, 1, 1, 32, 1, 1, 64, 1, 1, 116, 1, 1, 168, 1, 1, 1, 52, 1, 1, 134, 1, 1, 1, 32, 1, 1, 66,
    1, 1, 0, 1, 1, 42, 1, 1, 36, 1, 1, 16, 1, 1, 30, 1, 1, 168, 5, 1, 1, 159, 4, 1, 1, 162, 4, 1, 1,
    139, 3, 1, 1, 70, 1, 1, 217, 17, 1, 1, 206, 27, 1, 1, 191, 4, 1, 1, 76, 1, 1, 50, 1, 1, 131, 2,
    1, 1, 206, 2, 1, 1, 1, 1, 1, 246, 1, 1, 1, 240, 240, 13, 1, 1, 227, 239, 13, 1, 1, 10, 1, 1, 30,
    1, 1, 40, 1, 1, 16, 1, 1, 128, 1, 1, 1, 140, 245, 13, 1, 1, 132, 1, 1, 1, 251, 243, 13, 1, 1,
    94, 1, 1, 24, 1, 1, 157, 1, 1, 1, 156, 2, 1, 1, 239, 141, 1, 1, 1, 28, 1, 1, 152, 144, 1, 1, 1,
    108, 1, 1, 0, 1, 1, 148, 250, 13, 1, 1, 137, 248, 13, 1, 1, 42, 1, 1, 30, 1, 1, 24, 1, 1, 202,
    252, 13, 1, 1, 177, 252, 13, 1, 1, 14, 1, 1, 154, 13, 1, 1, 225, 12, 1, 1, 193, 146, 1, 1, 1,
    190, 147, 1, 1, 1, 28, 1, 1, 164, 1, 1, 1, 101, 1, 1, 174, 133, 14, 1, 1, 193, 130, 14, 1, 1,
    198, 130, 14, 1, 1, 239, 129, 14, 1, 1, 5, 1, 1, 34, 1, 1, 202, 1, 1, 1, 2, 1, 1, 229, 150, 1,
    1, 1, 156, 151, 1, 1, 1, 86, 1, 1, 42, 1, 1, 88, 1, 1, 141, 152, 1, 1, 1, 194, 164, 15, 1, 1,
    141, 164, 15, 1, 1, 232, 152, 1, 1, 1, 6, 1, 1, 6, 1, 1, 40, 1, 1, 144, 147, 18, 1, 1, 167, 146,
    18, 1, 1, 230, 144, 14, 1, 1, 0, 1, 1, 223, 132, 13, 1, 1, 189, 139, 1, 1, 1, 0, 1, 1, 181, 153,
    1, 1, 1, 226, 231, 15, 1, 1, 196, 188, 1, 1, 1, 239, 137, 16, 1, 1, 18, 1, 1, 143, 154, 1, 1, 1,
    238, 154, 1, 1, 1, 102, 1, 1, 20, 1, 1, 68, 1, 1, 144, 2, 1, 1, 141, 157, 1, 1, 1, 59, 1, 1,
    240, 157, 1, 1, 1, 128, 153, 14, 1, 1, 153, 152, 14, 1, 1, 130, 2, 1, 1, 8, 1, 1, 4, 1, 1, 3, 1,
    1, 92, 1, 1, 40, 1, 1, 72, 1, 1, 27, 1, 1, 22, 1, 1, 94, 1, 1, 40, 1, 1, 8, 1, 1, 52, 1, 1, 22,
    1, 1, 132, 1, 1, 1, 168, 1, 1, 1, 70, 1, 1, 248, 1, 1, 1, 248, 158, 14, 1, 1, 157, 159, 14, 1,
    1, 129, 1, 1, 1, 216, 1, 1, 1, 54, 1, 1, 194, 1, 1, 1, 154, 160, 14, 1, 1, 157, 159, 14, 1, 1,
    185, 1, 1, 1, 55, 1, 1, 245, 165, 1, 1, 1, 246, 168, 1, 1, 1, 42, 1, 1, 62, 1, 1, 75, 1, 1, 149,
    168, 1, 1, 1, 198, 171, 1, 1, 1, 58, 1, 1, 188, 170, 14, 1, 1, 205, 168, 14, 1, 1, 170, 4, 1, 1,
    221, 2, 1, 1, 223, 172, 1, 1, 1, 240, 173, 1, 1, 1, 145, 174, 1, 1, 1, 71, 1, 1, 220, 90, 1, 1,
    6, 1, 1, 214, 85, 1, 1, 199, 1, 1, 1, 162, 104, 1, 1, 167, 243, 1, 1, 1, 252, 140, 1, 1, 1, 8,
    1, 1, 12, 1, 1, 122, 1, 1, 21, 1, 1, 224, 177, 14, 1, 1, 243, 225, 15, 1, 1, 226, 178, 1, 1, 1,
    233, 1, 1, 1, 154, 3, 1, 1, 102, 1, 1, 208, 175, 14, 1, 1, 189, 175, 14, 1, 1, 221, 1, 1, 1,
    234, 3, 1, 1, 237, 181, 1, 1, 1, 202, 182, 1, 1, 1, 194, 1, 1, 1, 142, 1, 1, 1, 252, 2, 1, 1,
    246, 175, 14, 1, 1, 143, 175, 14, 1, 1, 133, 187, 1, 1, 1, 146, 188, 1, 1, 1, 140, 182, 14, 1,
    1, 165, 181, 14, 1, 1, 139, 188, 1, 1, 1, 200, 188, 1, 1, 1, 90, 1, 1, 54, 1, 1, 2, 1, 1, 164,
    187, 14, 1, 1, 131, 118, 1, 1, 222, 119, 1, 1, 215, 186, 14, 1, 1, 220, 193, 14, 1, 1, 249, 191,
    14, 1, 1, 28, 1, 1, 203, 1, 1, 1, 222, 2, 1, 1, 80, 1, 1, 114, 1, 1, 107, 1, 1, 80, 1, 1, 30, 1,
    1, 26, 1, 1, 178, 190, 14, 1, 1, 211, 191, 14, 1, 1, 246, 3, 1, 1, 126, 1, 1, 245, 196, 1, 1, 1,
    176, 198, 1, 1, 1, 7, 1, 1, 148, 192, 14, 1, 1, 175, 195, 14, 1, 1, 234, 5, 1, 1, 224, 191, 14,
    1, 1, 96, 1, 1, 143, 191, 14, 1, 1, 230, 1, 1, 1, 53, 1, 1, 5, 1, 1, 137, 202, 1, 1, 1, 232,
    202, 1, 1, 1, 102, 1, 1, 11, 1, 1, 108, 1, 1, 240, 209, 12, 1, 1, 191, 207, 12, 1, 1, 188, 196,
    14, 1, 1, 141, 195, 14, 1, 1, 158, 200, 14, 1, 1, 133, 198, 14, 1, 1, 26, 1, 1, 54, 1, 1, 240,
    206, 14, 1, 1, 143, 206, 14, 1, 1, 42, 1, 1, 192, 210, 14, 1, 1, 190, 3, 1, 1, 179, 210, 14, 1,
    1, 34, 1, 1, 189, 211, 1, 1, 1, 242, 211, 1, 1, 1, 217, 211, 1, 1, 1, 0, 1, 1, 158, 214, 1, 1,
    1, 42, 1, 1, 42, 1, 1, 40, 1, 1, 138, 1, 1, 1, 221, 214, 1, 1, 1, 146, 216, 1, 1, 1, 164, 220,
    14, 1, 1, 239, 219, 14, 1, 1, 168, 221, 14, 1, 1, 195, 220, 14, 1, 1, 222, 176, 13, 1, 1, 157,
    174, 13, 1, 1, 162, 230, 14, 1, 1, 46, 1, 1, 152, 2, 1, 1, 143, 193, 16, 1, 1, 24, 1, 1, 216,
    219, 1, 1, 1, 254, 231, 14, 1, 1, 1, 1, 1, 78, 1, 1, 52, 1, 1, 169, 232, 14, 1, 1, 2, 1, 1, 0,
    1, 1, 86, 1, 1, 161, 220, 1, 1, 1, 164, 221, 1, 1, 1, 137, 221, 1, 1, 1, 160, 1, 1, 1, 142, 206,
    16, 1, 1, 157, 239, 14, 1, 1, 124, 1, 1, 128, 1, 1, 1, 209, 223, 1, 1, 1, 134, 213, 16, 1, 1,
    159, 243, 14, 1, 1, 136, 245, 14, 1, 1, 86, 1, 1, 235, 244, 14, 1, 1, 184, 1, 1, 1, 247, 226, 1,
    1, 1, 162, 228, 1, 1, 1, 20, 1, 1, 10, 1, 1, 218, 252, 14, 1, 1, 214, 4, 1, 1, 0, 1, 1, 241,
    254, 14, 1, 1, 215, 227, 1, 1, 1, 210, 230, 16, 1, 1, 201, 255, 14, 1, 1, 6, 1, 1, 195, 230, 1,
    1, 1, 178, 233, 16, 1, 1, 219, 254, 14, 1, 1, 227, 232, 1, 1, 1, 144, 233, 1, 1, 1, 9, 1, 1, 58,
    1, 1, 140, 138, 15, 1, 1, 197, 136, 15, 1, 1, 195, 233, 1, 1, 1, 140, 235, 1, 1, 1, 118, 1, 1,
    134, 1, 1, 1, 161, 236, 1, 1, 1, 232, 251, 16, 1, 1, 62, 1, 1, 219, 251, 16, 1, 1, 128, 254, 16,
    1, 1, 189, 141, 15, 1, 1, 136, 143, 15, 1, 1, 209, 142, 15, 1, 1, 202, 1, 1, 1, 22, 1, 1, 170,
    147, 15, 1, 1, 146, 1, 1, 1, 133, 147, 15, 1, 1, 144, 149, 15, 1, 1, 239, 148, 15, 1, 1, 222,
    203, 13, 1, 1, 147, 190, 15, 1, 1, 186, 243, 1, 1, 1, 162, 1, 1, 1, 239, 243, 1, 1, 1, 230, 244,
    1, 1, 1, 145, 154, 1, 1, 1, 228, 179, 16, 1, 1, 28, 1, 1, 195, 208, 1, 1, 1, 18, 1, 1, 181, 198,
    13, 1, 1, 6, 1, 1, 180, 54, 1, 1, 229, 172, 2, 1, 1, 204, 248, 1, 1, 1, 11, 1, 1, 36, 1, 1, 211,
    191, 1, 1, 1, 252, 191, 1, 1, 1, 4, 1, 1, 20, 1, 1, 82, 1, 1, 172, 161, 15, 1, 1, 173, 161, 15,
    1, 1, 112, 1, 1, 140, 1, 1, 1, 148, 1, 1, 1, 147, 2, 1, 1, 180, 2, 1, 1, 84, 1, 1, 224, 1, 1, 1,
    135, 4, 1, 1, 238, 1, 1, 1, 4, 1, 1, 32, 1, 1, 180, 161, 15, 1, 1, 234, 4, 1, 1, 171, 2, 1, 1,
    211, 158, 17, 1, 1, 140, 255, 1, 1, 1, 4, 1, 1, 70, 1, 1, 232, 186, 15, 1, 1, 203, 185, 15, 1,
    1, 144, 167, 15, 1, 1, 157, 167, 17, 1, 1, 8, 1, 1, 160, 169, 17, 1, 1, 194, 4, 1, 1, 205, 173,
    17, 1, 1, 202, 131, 2, 1, 1, 24, 1, 1, 22, 1, 1, 4, 1, 1, 128, 1, 1, 1, 65, 1, 1, 140, 2, 1, 1,
    87, 1, 1, 174, 2, 1, 1, 161, 1, 1, 1, 134, 1, 1, 1, 54, 1, 1, 221, 134, 2, 1, 1, 148, 136, 2, 1,
    1, 64, 1, 1, 143, 136, 2, 1, 1, 206, 137, 2, 1, 1, 6, 1, 1, 136, 184, 15, 1, 1, 159, 182, 15, 1,
    1, 14, 1, 1, 209, 138, 2, 1, 1, 138, 139, 2, 1, 1, 253, 208, 2, 1, 1, 230, 143, 18, 1, 1, 240,
    2, 1, 1, 207, 202, 17, 1, 1, 18, 1, 1, 178, 143, 2, 1, 1, 154, 1, 1, 1, 186, 2, 1, 1, 150, 3, 1,
    1, 166, 193, 15, 1, 1, 249, 191, 15, 1, 1, 44, 1, 1, 180, 1, 1, 1, 184, 1, 1, 1, 240, 198, 15,
    1, 1, 213, 220, 3, 1, 1, 241, 232, 11, 1, 1, 29, 1, 1, 104, 1, 1, 220, 235, 11, 1, 1, 147, 232,
    11, 1, 1, 200, 1, 1, 1, 180, 218, 15, 1, 1, 54, 1, 1, 177, 213, 15, 1, 1, 186, 1, 1, 1, 64, 1,
    1, 186, 216, 15, 1, 1, 165, 216, 15, 1, 1, 186, 4, 1, 1, 190, 2, 1, 1, 2, 1, 1, 183, 1, 1, 1,
    250, 5, 1, 1, 56, 1, 1, 202, 223, 15, 1, 1, 221, 217, 15, 1, 1, 235, 175, 2, 1, 1, 196, 176, 2,
    1, 1, 128, 223, 15, 1, 1, 161, 142, 18, 1, 1, 186, 179, 2, 1, 1, 161, 228, 1, 1, 1, 226, 229, 1,
    1, 1, 196, 232, 15, 1, 1, 170, 3, 1, 1, 215, 158, 18, 1, 1, 16, 1, 1, 212, 181, 2, 1, 1, 212,
    240, 15, 1, 1, 175, 165, 18, 1, 1, 200, 167, 18, 1, 1, 149, 242, 15, 1, 1, 0, 1, 1, 60, 1, 1,
    154, 246, 15, 1, 1, 167, 243, 15, 1, 1, 221, 182, 2, 1, 1, 236, 183, 2, 1, 1, 252, 1, 1, 1, 54,
    1, 1, 120, 1, 1, 223, 184, 2, 1, 1, 196, 189, 18, 1, 1, 187, 128, 16, 1, 1, 220, 4, 1, 1, 250,
    2, 1, 1, 221, 192, 2, 1, 1, 62, 1, 1, 244, 193, 2, 1, 1, 206, 141, 16, 1, 1, 171, 207, 18, 1, 1,
    154, 208, 18, 1, 1, 146, 4, 1, 1, 134, 2, 1, 1, 171, 143, 16, 1, 1, 201, 197, 2, 1, 1, 198, 198,
    2, 1, 1, 10, 1, 1, 14, 1, 1, 20, 1, 1, 14, 1, 1, 74, 1, 1, 138, 155, 16,
};
/* @@BERT-TABLES-END@@ */

static llm__ucd llm__ucd_tables(void) {
    llm__ucd u;
    u.byte_cls = llm__tok_byte_cls;
    u.tok_ucls_rle = llm__tok_ucls_rle;
    u.tok_ucls_rle_size = LLM__TOK_UCLS_RLE_SIZE;
    u.wp_cls_rle = llm__wp_cls_rle;
    u.wp_cls_rle_size = LLM__WP_CLS_RLE_SIZE;
    u.wp_cls_runs = LLM__WP_CLS_RUNS;
    u.wp_lower = llm__wp_lower;
    u.wp_lower_runs = LLM__WP_LOWER_RUNS;
    u.wp_strip_rle = llm__wp_strip_rle;
    u.wp_strip_size = LLM__WP_STRIP_SIZE;
    u.wp_strip_n = LLM__WP_STRIP_N;
    return u;
}

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
