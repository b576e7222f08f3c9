/* quantize: an F32/F16/BF16 GPT-2 checkpoint folder -> an 8-bit one.

       build/quantize [--f32-scales] [--keep-embeddings] [--force] IN_DIR OUT_DIR

   Writes OUT_DIR/model.safetensors, OUT_DIR/config.json (the input's, with
   a "quantization_config" added) and copies the tokenizer files and
   generation_config.json. The format (docs/checkpoints.md, "8-bit weights"):
   - the four matrices of every layer (attn.c_attn, attn.c_proj, mlp.c_fc,
     mlp.c_proj) and wte (and lm_head.weight when the checkpoint has its
     own) become `NAME` I8 of shape [out, in] (Conv1D's [in, out]
     transposed, so that each output's inputs are contiguous; wte and
     lm_head are [vocab, n_embd] already) plus `NAME_scale` (the name with
     "_scale" appended: "h.0.mlp.c_fc.weight_scale") of shape
     [out, ceil(in / 32)], F16 (or F32 with --f32-scales): one scale per
     block of 32 inputs of an output;
   - per block: d = max|w| / 127 rounded to the scale's type, then
     q = round(w / d) (to nearest, ties to even, in double), clamped to
     [-127, 127]; q = 0 where d is 0. The weight read back is q * d.
   - 1-D tensors (biases, layer norms) are written as F32; every other
     tensor (wpe, buffers) is copied as stored.
   --keep-embeddings leaves wte (and lm_head) as stored.

   Refused (exit status 1, one line on stderr, nothing written): OUT_DIR
   that is IN_DIR (compared as files: a link, "DIR/." or another spelling
   of the same folder), a file of OUT_DIR that is one of IN_DIR's (a link),
   an OUT_DIR that already holds a file of a checkpoint (CKPT_NAMES: what
   the loader reads or quantize writes) unless --force, and a weight that
   is not finite (the tensor and the element are named). Every output file
   is written to a temporary name in OUT_DIR; all are renamed into place
   only when all are complete, so a failed run leaves OUT_DIR as it was
   (--force: its checkpoint files that quantize does not write are then
   removed; links and other non-regular files among them at the start).
   Prints a progress line on a terminal and a summary on stdout: sizes,
   and per class of tensor the max and RMS error of q * d against the
   input weights. Bad usage: exit status 2. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "examples/cli.h"

#include <sys/types.h>

#define BLOCK 32
#define NCLASS 7
static const char *const class_names[NCLASS] = { "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj", "wte", "lm_head", "other" };

typedef struct { size_t n; double max_err, sum_err2, sum_w2; } stats;

/* What becomes of one input tensor. */
typedef struct {
    const llm_tensor *t;
    int cls;          /* class index; NCLASS - 1 for copied tensors */
    int quant;        /* 1: I8 + scales */
    int transpose;    /* 1: stored [in, out], written [out, in] */
    size_t rows, cols;  /* output shape [rows, cols] of the I8 tensor */
    llm_dtype out_type; /* of a copied tensor */
} plan;

static float dec(const llm_tensor *t, size_t i) {
    const unsigned char *p = (const unsigned char *)t->data;
    float f;
    switch (t->dtype) {
    case LLM_DTYPE_F32: memcpy(&f, p + 4 * i, 4); return f;
    case LLM_DTYPE_F16: return llm_f16_to_f32((uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
    case LLM_DTYPE_BF16: return llm_bf16_to_f32((uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
    default: return 0.0f;
    }
}

static int class_of(const char *name) {
    static const char *const suffix[6] = { "attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight",
                                           "wte.weight", "lm_head.weight" };
    size_t n = strlen(name), k;
    int c;
    for (c = 0; c < 6; c++) {
        k = strlen(suffix[c]);
        if (n >= k && !strcmp(name + n - k, suffix[c]) && (n == k || name[n - k - 1] == '.')) return c;
    }
    return NCLASS - 1;
}

/* one entry of the header: "name":{"dtype":..,"shape":[..],"data_offsets":[a,b]} */
static void header_entry(FILE *h, int *first, const char *name, const char *dtype, int ndim, const size_t *shape, size_t *off, size_t bytes) {
    int d;
    fprintf(h, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", *first ? "" : ",", name, dtype);
    for (d = 0; d < ndim; d++) fprintf(h, "%s%zu", d ? "," : "", shape[d]);
    fprintf(h, "],\"data_offsets\":[%zu,%zu]}", *off, *off + bytes);
    *off += bytes;
    *first = 0;
}


/* The files of a checkpoint folder: what llm.h's loader reads and what
   quantize writes. From IN_DIR quantize reads model.safetensors and
   config.json and copies the ones from COPIED on that are there. */
static const char *const ckpt_names[] = { "model.safetensors", "config.json", "model.safetensors.index.json",
                                          "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
                                          "special_tokens_map.json", "generation_config.json", "vocab.txt",
                                          "encoder.json", "vocab.bpe" };
#define NNAMES ((int)(sizeof ckpt_names / sizeof ckpt_names[0]))
#define COPIED 3

static int join(char *out, size_t cap, const char *dir, const char *name) {
    if ((size_t)snprintf(out, cap, "%s/%s", dir, name) < cap) return 1;
    cli_error("path too long: '%.64s...'", dir);
    return 0;
}

static int same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* OUT_DIR (an existing folder) against IN_DIR: different folders, no file
   of one in the other, and no checkpoint file in OUT_DIR, or with force:
   the links and other non-regular ones removed, the regular ones marked in
   stale[] (replaced or removed once the new files are complete). 1, or 0
   after a message. */
static int check_folders(const char *in_dir, const char *out_dir, int force, int *stale) {
    struct stat si, so, a[NNAMES], b[NNAMES];
    int have_a[NNAMES], have_b[NNAMES], i, j;
    char pi[4096], po[4096];
    if (stat(in_dir, &si) != 0) { cli_error("cannot open '%s': %s", in_dir, strerror(errno)); return 0; }
    if (stat(out_dir, &so) != 0) { cli_error("cannot open '%s': %s", out_dir, strerror(errno)); return 0; }
    if (!S_ISDIR(so.st_mode)) { cli_error("'%s' is not a folder", out_dir); return 0; }
    if (same_file(&si, &so)) {
        cli_error("'%s' and '%s' are the same folder: write the 8-bit checkpoint to another folder", in_dir, out_dir);
        return 0;
    }
    for (i = 0; i < NNAMES; i++) {
        if (!join(pi, sizeof pi, in_dir, ckpt_names[i]) || !join(po, sizeof po, out_dir, ckpt_names[i])) return 0;
        have_a[i] = stat(pi, &a[i]) == 0;
        have_b[i] = stat(po, &b[i]) == 0;
    }
    for (i = 0; i < NNAMES; i++)
        for (j = 0; j < NNAMES; j++)
            if (have_b[i] && have_a[j] && same_file(&b[i], &a[j])) {
                join(po, sizeof po, out_dir, ckpt_names[i]);
                join(pi, sizeof pi, in_dir, ckpt_names[j]);
                cli_error("'%s' is the input's '%s' (the same file): quantize never writes over its input", po, pi);
                return 0;
            }
    for (i = 0; i < NNAMES; i++) {
        struct stat sb;
        stale[i] = 0;
        join(po, sizeof po, out_dir, ckpt_names[i]);
        if (lstat(po, &sb) != 0) continue;
        if (!force) {
            cli_error("'%s' already holds %s (the loader would mix it with the 8-bit checkpoint): "
                      "use an empty folder, or --force to replace the checkpoint there", out_dir, ckpt_names[i]);
            return 0;
        }
        if (S_ISREG(sb.st_mode)) stale[i] = 1;
        else if (unlink(po) != 0) { cli_error("cannot remove '%s': %s", po, strerror(errno)); return 0; }
    }
    return 1;
}

/* 1 if every element of t is finite (or t is not F32/F16/BF16), else 0
   after a message naming the element. */
static int check_finite(const llm_tensor *t) {
    size_t i;
    char where[96] = "";
    float v;
    if (t->dtype != LLM_DTYPE_F32 && t->dtype != LLM_DTYPE_F16 && t->dtype != LLM_DTYPE_BF16) return 1;
    for (i = 0; i < t->numel; i++)
        if (!isfinite(dec(t, i))) break;
    if (i == t->numel) return 1;
    v = dec(t, i);
    if (t->ndim == 2)
        snprintf(where, sizeof where, " ([%zu, %zu] of shape [%zu, %zu])", i / t->shape[1], i % t->shape[1],
                 t->shape[0], t->shape[1]);
    cli_error("tensor %s: element %zu%s is %s: quantize needs finite weights", t->name, i, where,
              v != v ? "NaN" : v > 0 ? "+inf" : "-inf");
    return 0;
}

/* model.safetensors into o: the header, then the data in its order. Adds
   the errors to cs, *bytes: the file's size. 1, or 0 after a message (a
   write error: cli_out_finish reports it). */
static int write_model(cli_out *o, const plan *pl, size_t nt, int f32_scales, int tty, stats *cs, size_t *bytes) {
    char name[4096];
    size_t k;
    int pass;
    /* header: F32 tensors first, then F16/BF16 (scales, wpe), then I8, so
       that every tensor is aligned to its element size with no gaps */
    {
        char *hdr = NULL;
        size_t hlen = 0, off = 0, padded;
        int first = 1, group, b;
        FILE *h = open_memstream(&hdr, &hlen);
        const char *sname = f32_scales ? "F32" : "F16";
        size_t ssz = f32_scales ? 4 : 2;
        unsigned char n8[8];
        if (!h) { cli_error("out of memory"); return 0; }
        fprintf(h, "{\"__metadata__\":{\"format\":\"pt\",\"quantizer\":\"llm.h quantize: I8, one scale per 32 inputs\"}");
        first = 0;
        for (group = 0; group < 3; group++)
            for (k = 0; k < nt; k++) {
                const plan *p = &pl[k];
                size_t es = p->quant ? 0 : llm_dtype_size(p->out_type);
                if (p->quant) {
                    size_t sshape[2];
                    sshape[0] = p->rows; sshape[1] = (p->cols + BLOCK - 1) / BLOCK;
                    if (group == (f32_scales ? 0 : 1)) {
                        snprintf(name, sizeof name, "%s_scale", p->t->name);
                        header_entry(h, &first, name, sname, 2, sshape, &off, sshape[0] * sshape[1] * ssz);
                    }
                    if (group == 2) {
                        size_t shape[2];
                        shape[0] = p->rows; shape[1] = p->cols;
                        header_entry(h, &first, p->t->name, "I8", 2, shape, &off, p->rows * p->cols);
                    }
                } else if ((group == 0 && es == 4) || (group == 1 && es == 2) || (group == 2 && es != 4 && es != 2))
                    header_entry(h, &first, p->t->name, llm_dtype_name(p->out_type), p->t->ndim, p->t->shape, &off,
                                 p->t->numel * es);
            }
        fprintf(h, "}");
        if (fclose(h) != 0 || !hdr) { free(hdr); cli_error("out of memory"); return 0; }
        padded = (hlen + 7) / 8 * 8;
        for (b = 0; b < 8; b++) n8[b] = (unsigned char)((uint64_t)padded >> (8 * b));
        cli_write(o, n8, 8);
        cli_write(o, hdr, hlen);
        cli_write(o, "        ", padded - hlen);
        free(hdr);
        *bytes = 8 + padded + off;
    }
    /* data, in the header's order */
    for (pass = 0; pass < 3 && !o->err; pass++)
        for (k = 0; k < nt && !o->err; k++) {
            const plan *p = &pl[k];
            const llm_tensor *t = p->t;
            size_t es = p->quant ? 0 : llm_dtype_size(p->out_type), r, c, nb;
            if (!p->quant) {
                if (!((pass == 0 && es == 4) || (pass == 1 && es == 2) || (pass == 2 && es != 4 && es != 2))) continue;
                if (p->out_type == t->dtype) cli_write(o, t->data, t->nbytes);
                else for (r = 0; r < t->numel; r++) { float f = dec(t, r); cli_write(o, &f, 4); }
                continue;
            }
            if (pass != (f32_scales ? 0 : 1) && pass != 2) continue;
            nb = (p->cols + BLOCK - 1) / BLOCK;
            if (pass == 2 && tty) { fprintf(stderr, "\rquantize: %zu/%zu %-48s", k + 1, nt, t->name); fflush(stderr); }
            for (r = 0; r < p->rows; r++) {
                signed char q[BLOCK];
                for (c = 0; c < nb; c++) {
                    size_t c0 = c * BLOCK, n = p->cols - c0 < BLOCK ? p->cols - c0 : BLOCK, e;
                    float amax = 0.0f, d;
                    for (e = 0; e < n; e++) {
                        size_t idx = p->transpose ? (c0 + e) * p->rows + r : r * p->cols + c0 + e;
                        float v = fabsf(dec(t, idx));
                        if (v > amax) amax = v;
                    }
                    d = amax / 127.0f;
                    if (!f32_scales) {
                        uint16_t hbits = llm_f32_to_f16(d);
                        if ((hbits & 0x7c00u) == 0x7c00u) {
                            if (tty) fputc('\n', stderr);
                            cli_error("%s: a scale overflows F16; use --f32-scales", t->name);
                            return 0;
                        }
                        d = llm_f16_to_f32(hbits);
                        if (pass == 1) cli_write(o, &hbits, 2);
                    } else if (pass == 0) cli_write(o, &d, 4);
                    if (pass != 2) continue;
                    for (e = 0; e < n; e++) {
                        size_t idx = p->transpose ? (c0 + e) * p->rows + r : r * p->cols + c0 + e;
                        float w = dec(t, idx), back;
                        double qd = d > 0 ? nearbyint((double)w / (double)d) : 0.0, err;
                        stats *s = &cs[p->cls];
                        if (qd > 127) qd = 127;
                        if (qd < -127) qd = -127;
                        q[e] = (signed char)qd;
                        back = (float)q[e] * d;
                        err = fabs((double)back - (double)w);
                        s->n++;
                        if (err > s->max_err) s->max_err = err;
                        s->sum_err2 += err * err;
                        s->sum_w2 += (double)w * (double)w;
                    }
                    cli_write(o, q, n);
                }
            }
        }
    if (tty) fputc('\n', stderr);
    return 1;
}

/* The input's config.json (cfg[0..len)) with a "quantization_config" added, into o. 1, or 0 after a message. */
static int write_config(cli_out *o, const char *path, const char *cfg, size_t len, int keep_emb) {
    size_t end = len;
    if (strstr(cfg, "\"quantization_config\"")) { cli_error("%s already has a quantization_config", path); return 0; }
    while (end > 0 && cfg[end - 1] != '}') end--;
    if (!end) { cli_error("%s is not a JSON object", path); return 0; }
    end--;
    while (end > 0 && cfg[end - 1] && strchr(" \n\r\t", cfg[end - 1])) end--;
    cli_write(o, cfg, end);
    cli_printf(o, ",\n  \"quantization_config\": {\n    \"quant_method\": \"compressed-tensors\",\n"
                  "    \"format\": \"int-quantized\",\n    \"quantization_status\": \"compressed\",\n"
                  "    \"config_groups\": {\n      \"group_0\": {\n        \"targets\": [\"Conv1D\"%s],\n"
                  "        \"weights\": {\"num_bits\": 8, \"type\": \"int\", \"symmetric\": true, \"strategy\": \"group\", "
                  "\"group_size\": 32, \"dynamic\": false},\n"
                  "        \"input_activations\": {\"num_bits\": 8, \"type\": \"int\", \"symmetric\": true, "
                  "\"strategy\": \"group\", \"group_size\": 32, \"dynamic\": true}\n      }\n    },\n"
                  "    \"ignore\": [%s]\n  }\n}\n",
               keep_emb ? "" : ", \"Embedding\"", keep_emb ? "\"wte\", \"lm_head\"" : "");
    return 1;
}

/* Every output file: written to a temporary name by write_outputs, then all
   renamed into place by commit_outputs (or removed by discard_outputs). */
typedef struct {
    cli_out o[NNAMES];
    int open[NNAMES];
} outputs;

static void discard_outputs(outputs *w) {
    int i;
    for (i = 0; i < NNAMES; i++)
        if (w->open[i]) { cli_out_discard(&w->o[i]); w->open[i] = 0; }
}

/* The stale files of OUT_DIR that quantize does not write removed, then
   every temporary file renamed into place. 1, or 0 after a message. */
static int commit_outputs(outputs *w, const char *out_dir, const int *stale) {
    char po[4096];
    int i;
    for (i = 0; i < NNAMES; i++)
        if (stale[i] && !w->open[i] && join(po, sizeof po, out_dir, ckpt_names[i]) && unlink(po) != 0 &&
            errno != ENOENT) {
            cli_error("cannot remove '%s': %s", po, strerror(errno));
            return 0;
        }
    for (i = 0; i < NNAMES; i++)
        if (w->open[i]) {
            w->open[i] = 0;
            if (!cli_out_commit(&w->o[i])) return 0;
        }
    return 1;
}

/* Every output file to its temporary name, closed. 1, or 0 after a message. */
static int write_outputs(outputs *w, const char *in_dir, const char *out_dir, const plan *pl, size_t nt, int f32_scales,
                         int keep_emb, stats *cs, size_t *out_bytes) {
    char pi[4096], po[4096];
    int i, ok;
    for (i = 0; i < NNAMES; i++) {
        struct stat sb;
        char *data = NULL;
        size_t len = 0;
        if (i == 2) continue;  /* model.safetensors.index.json: a sharded input's, not the output's */
        if (!join(pi, sizeof pi, in_dir, ckpt_names[i]) || !join(po, sizeof po, out_dir, ckpt_names[i])) return 0;
        if (i > 0) {
            if (stat(pi, &sb) != 0 && errno == ENOENT) continue;
            if (!(data = cli_read(pi, &len))) return 0;
        }
        if (!cli_out_open(&w->o[i], po)) { free(data); return 0; }
        w->open[i] = 1;
        if (i == 0) ok = write_model(&w->o[i], pl, nt, f32_scales, isatty(STDERR_FILENO), cs, out_bytes);
        else if (i == 1) ok = write_config(&w->o[i], pi, data, len, keep_emb);
        else ok = cli_write(&w->o[i], data, len);
        free(data);
        if (!ok && w->o[i].err) ok = 1;  /* a write error: reported by cli_out_finish */
        if (!ok || !cli_out_finish(&w->o[i])) return 0;
    }
    return 1;
}

/* What becomes of each tensor of st (pl[st->n_tensors]): 1, or 0 after a
   message (an 8-bit input, a weight that is not finite, a matrix that is
   not 2-D F32/F16/BF16). */
static int plan_tensors(const llm_safetensors *st, plan *pl, const char *in_dir, int keep_emb) {
    size_t k;
    for (k = 0; k < st->n_tensors; k++) {
        const llm_tensor *t = &st->tensors[k];
        plan *p = &pl[k];
        p->t = t;
        p->cls = class_of(t->name);
        if (t->dtype == LLM_DTYPE_I8 || strstr(t->name, "_scale")) {
            cli_error("'%s' is already 8-bit (tensor %s): quantize reads F32, F16 or BF16 checkpoints", in_dir,
                      t->name);
            return 0;
        }
        if (!check_finite(t)) return 0;
        if (p->cls < 6 && (p->cls < 4 || !keep_emb)) {
            if (t->ndim != 2 || (t->dtype != LLM_DTYPE_F32 && t->dtype != LLM_DTYPE_F16 && t->dtype != LLM_DTYPE_BF16)) {
                cli_error("tensor %s: expected a 2-D F32, F16 or BF16 matrix, got %s with %d dims", t->name,
                          llm_dtype_name(t->dtype), t->ndim);
                return 0;
            }
            p->quant = 1;
            p->transpose = p->cls < 4;
            p->rows = p->transpose ? t->shape[1] : t->shape[0];
            p->cols = p->transpose ? t->shape[0] : t->shape[1];
        } else {
            p->cls = NCLASS - 1;
            p->out_type = t->ndim == 1 && (t->dtype == LLM_DTYPE_F16 || t->dtype == LLM_DTYPE_BF16) ? LLM_DTYPE_F32 : t->dtype;
        }
    }
    return 1;
}

static const char usage[] = "quantize [options] IN_DIR OUT_DIR";
static const char notes[] =
    "Writes an 8-bit copy of the checkpoint in IN_DIR to OUT_DIR (created if absent): model.safetensors,\n"
    "config.json with a quantization_config, and the tokenizer files and generation_config.json.\n"
    "Refuses OUT_DIR when it is IN_DIR (a link or another spelling too), when it already holds checkpoint\n"
    "files (model.safetensors, model.safetensors.index.json, config.json, generation_config.json, tokenizer\n"
    "files: unless --force) and a checkpoint with a weight that is not finite. The files are written to\n"
    "temporary names and renamed into place only when all are complete. Exit status: 0 done, 1 refused or\n"
    "failed, 2 bad usage.\n";

int main(int argc, char **argv) {
    const char *in_dir = NULL, *out_dir = NULL;
    int f32_scales = 0, keep_emb = 0, force = 0, i, made = 0, nflags = 1, rc = 1, stale[NNAMES];
    char path[4096];
    char **flags;
    llm_safetensors st;
    plan *pl;
    stats cs[NCLASS];
    size_t nt, in_bytes, out_bytes = 0;
    outputs *w;
    const cli_opt opts[] = {
        { NULL, "--f32-scales", NULL, CLI_BOOL, &f32_scales, 0, 0, NULL, "F32 scales (default: F16)" },
        { NULL, "--keep-embeddings", NULL, CLI_BOOL, &keep_emb, 0, 0, NULL, "leave wte (and lm_head) as stored" },
        { NULL, "--force", NULL, CLI_BOOL, &force, 0, 0, NULL,
          "replace a checkpoint already in OUT_DIR (all of its files)" },
        { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
    };
    /* the flags (all without a value) to cli_parse, the rest are IN_DIR and OUT_DIR */
    flags = (char **)calloc((size_t)argc + 1, sizeof *flags);
    if (!flags) { fprintf(stderr, "quantize: out of memory\n"); return 1; }
    flags[0] = argv[0];
    for (i = 1; i < argc; i++) {
        if (argv[i][0] == '-') flags[nflags++] = argv[i];
        else if (!in_dir) in_dir = argv[i];
        else if (!out_dir) out_dir = argv[i];
        else flags[nflags++] = argv[i];  /* a third: cli_parse names it */
    }
    i = cli_parse("quantize", usage, opts, notes, nflags, flags);
    free(flags);
    if (i != CLI_CONTINUE) return i;
    if (!in_dir || !out_dir) { cli_error("IN_DIR and OUT_DIR are required (see --help)"); return 2; }

    if (!join(path, sizeof path, in_dir, "model.safetensors")) return 1;
    if (llm_safetensors_open(&st, path) != LLM_OK) { cli_error("%s", llm_safetensors_error(&st)); return 1; }
    in_bytes = st.image_size;
    nt = st.n_tensors;
    pl = (plan *)calloc(nt ? nt : 1, sizeof *pl);
    w = (outputs *)calloc(1, sizeof *w);
    memset(cs, 0, sizeof cs);
    if (!pl || !w) cli_error("out of memory");
    else if (plan_tensors(&st, pl, in_dir, keep_emb)) {
        if (mkdir(out_dir, 0777) == 0) made = 1;
        if (!made && errno != EEXIST) cli_error("cannot create '%s': %s", out_dir, strerror(errno));
        else if (check_folders(in_dir, out_dir, force, stale) &&
                 write_outputs(w, in_dir, out_dir, pl, nt, f32_scales, keep_emb, cs, &out_bytes) &&
                 commit_outputs(w, out_dir, stale)) rc = 0;
        else {
            discard_outputs(w);
            if (made) rmdir(out_dir);
        }
    }
    if (rc == 0) {
        printf("quantize: %s (%zu bytes) -> %s/model.safetensors (%zu bytes, %.3f of the input)\n", in_dir, in_bytes,
               out_dir, out_bytes, (double)out_bytes / (double)in_bytes);
        printf("%-12s %12s %12s %12s %12s\n", "class", "weights", "max |err|", "RMS err", "RMS err/RMS w");
        for (i = 0; i < NCLASS - 1; i++)
            if (cs[i].n)
                printf("%-12s %12zu %12.4g %12.4g %12.4g\n", class_names[i], cs[i].n, cs[i].max_err,
                       sqrt(cs[i].sum_err2 / (double)cs[i].n),
                       cs[i].sum_w2 > 0 ? sqrt(cs[i].sum_err2 / cs[i].sum_w2) : 0.0);
    }
    llm_safetensors_close(&st);
    free(pl);
    free(w);
    return rc;
}
