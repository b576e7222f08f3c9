/* Tests of llm.h's GPT-2 byte-level BPE tokenizer.

   - every case of oracle.tsv (tiktoken gpt2), ordinary and special-token
     mode, each also decoded back; decode.tsv (also through the streaming
     decoder); vocab_bytes.tsv for every id;
   - an independent reference written here (OpenAI's encoder.py merge loop
     and a literal backtracking form of the pre-tokenizer regex) against the
     library on 3000 random strings full of edge cases, on a 200 KB text, on
     10,000-letter words and megabyte runs of spaces and newlines;
   - invalid UTF-8 (the rule: each invalid byte is a character of its own,
     in the [^\s\p{L}\p{N}] class) and round trips of random bytes;
   - all three file formats, from folders, files and memory, with the same
     results; a small hand-made vocabulary (tests/data/tokenizer/);
   - load errors (malformed JSON, duplicates, unknown merge tokens, limits),
     NULL arguments, out-of-range ids, short buffers;
   - every allocation failing in turn (no leaks, LLM_ERR_OUT_OF_MEMORY);
   - with OpenMP, encoding from 4 threads at once.

   Data: tests/data/gpt2-tokenizer/ (encoder.json, vocab.bpe),
   tests/data/tokenizer-oracle/ (oracle.tsv, decode.tsv, vocab_bytes.tsv) and
   tests/data/tokenizer/ (small hand-made vocabularies). Each file is looked
   up in $LLM_SHARED_DATA (if set), then tests/data, then ../shared/data;
   tests whose data is missing are SKIPped with a message.

   Run from the repository root:
       cc -std=c99 -O2 -I. tests/test_tokenizer.c -o build/test_tokenizer -lm
       ./build/test_tokenizer
*/
#include <stdlib.h>

/* A counting allocator that can be told to fail: checks that every
   allocation failure is reported and leaks nothing. */
static long tt_fail_in = -1;       /* allocations left before one fails; -1: never */
static long tt_live = 0;           /* blocks allocated and not yet freed */
static void tt_count(long d) {   /* test_threads allocates from several threads */
#ifdef _OPENMP
#pragma omp atomic
#endif
    tt_live += d;
}
static void *tt_malloc(size_t n) {
    void *p;
    if (tt_fail_in == 0) return NULL;
    if (tt_fail_in > 0) tt_fail_in--;   /* only set while single-threaded */
    p = malloc(n);
    if (p) tt_count(1);
    return p;
}
static void tt_free(void *p) { if (p) { tt_count(-1); free(p); } }
#define LLM_MALLOC(sz) tt_malloc(sz)
#define LLM_FREE(p) tt_free(p)

#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

/* ---- data files ----------------------------------------------------------- */

typedef struct { unsigned char *p; size_t n; } buf_t;

static int read_all(const char *path, buf_t *b) {
    b->p = (unsigned char *)test_read_file(path, &b->n);
    return b->p != NULL;
}

/* Full path of data file sub/name in the first place that has it, or NULL. */
static const char *data_path(const char *sub, const char *name) {
    static char out[4096];
    const char *roots[4];
    int k, nr = 0;
    if (getenv("LLM_SHARED_DATA")) roots[nr++] = getenv("LLM_SHARED_DATA");
    roots[nr++] = "tests/data";
    roots[nr++] = "../shared/data";
    for (k = 0; k < nr; k++) {
        FILE *f;
        snprintf(out, sizeof out, "%s/%s/%s", roots[k], sub, name);
        if ((f = fopen(out, "rb")) != NULL) { fclose(f); return out; }
    }
    return NULL;
}

/* Folder sub (holding name) in the first root that has it. */
static const char *data_dir(const char *sub, const char *name) {
    static char dir[4096];
    const char *p = data_path(sub, name);
    size_t n;
    if (!p) return NULL;
    n = strlen(p) - strlen(name) - 1;
    memcpy(dir, p, n);
    dir[n] = 0;
    return dir;
}

static int read_data(const char *sub, const char *name, buf_t *b) {
    const char *p = data_path(sub, name);
    b->p = NULL; b->n = 0;
    return p && read_all(p, b);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* hex text s[0..n) -> bytes (malloc'd, NUL-terminated); *len = byte count */
static unsigned char *unhex(const char *s, size_t n, size_t *len) {
    unsigned char *o = (unsigned char *)malloc(n / 2 + 1);
    size_t i;
    for (i = 0; i + 1 < n; i += 2) o[i / 2] = (unsigned char)(hexval(s[i]) * 16 + hexval(s[i + 1]));
    o[n / 2] = 0;
    *len = n / 2;
    return o;
}

/* space-separated ids s[0..n) -> array (malloc'd); *cnt = count */
static int32_t *parse_ids(const char *s, size_t n, size_t *cnt) {
    int32_t *o = (int32_t *)malloc((n / 2 + 1) * sizeof(int32_t));
    size_t i = 0, k = 0;
    while (i < n) {
        long v = 0;
        while (i < n && s[i] == ' ') i++;
        if (i >= n) break;
        while (i < n && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
        o[k++] = (int32_t)v;
        while (i < n && s[i] != ' ') i++;
    }
    *cnt = k;
    return o;
}

/* Split a line into tab-separated fields (up to max); returns the count. */
static int fields(const char *line, size_t n, const char **f, size_t *fl, int max) {
    int k = 0;
    size_t i = 0, st = 0;
    for (; i <= n && k < max; i++) {
        if (i == n || line[i] == '\t') { f[k] = line + st; fl[k] = i - st; k++; st = i + 1; }
    }
    return k;
}

static int same_ids(const int32_t *a, size_t na, const int32_t *b, size_t nb) {
    return na == nb && (na == 0 || !memcmp(a, b, na * sizeof(int32_t)));
}

/* Encode into a malloc'd array. */
static int32_t *enc(const llm_tokenizer *t, const void *text, size_t len, unsigned flags, size_t *n, llm_status *st) {
    size_t cap = len + 16, got = 0;
    int32_t *ids = (int32_t *)malloc(cap * sizeof(int32_t));
    llm_status r = llm_tokenizer_encode(t, (const char *)text, len, flags, ids, cap, &got);
    *n = got;
    if (st) *st = r;
    return ids;
}

/* decode(ids) == text? */
static int round_trips(const llm_tokenizer *t, const int32_t *ids, size_t n, const void *text, size_t len) {
    size_t nb = 0;
    char *out = (char *)malloc(len + 1);
    llm_status r = llm_tokenizer_decode(t, ids, n, out, len + 1, &nb);
    int ok = r == LLM_OK && nb == len && !memcmp(out, text, len);
    free(out);
    return ok;
}

/* Valid UTF-8 (shortest form, no surrogates)? */
static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t need, k;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c < 0xE0) need = 2;
        else if (c >= 0xE0 && c < 0xF0) need = 3;
        else if (c >= 0xF0 && c < 0xF5) need = 4;
        else return 0;
        if (i + need > n) return 0;
        for (k = 1; k < need; k++) if ((s[i + k] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)) return 0;
        i += need;
    }
    return 1;
}

/* ---- an independent reference: OpenAI's encoder.py, literally -------------
   Merge ranks by (left bytes, right bytes) from vocab.bpe, token ids by bytes
   from vocab_bytes.tsv; bpe() repeatedly finds the lowest-ranked pair and
   merges all its occurrences left to right. Slow but obviously right. */

typedef struct { unsigned char *b; size_t n; int32_t v; size_t split; } ref_ent;
typedef struct {
    ref_ent *merges; size_t n_merges;  /* bytes = left+right, split = left length, v = rank */
    ref_ent *vocab; size_t n_vocab;    /* bytes -> id */
    int ok;
} ref_t;

static int ref_cmp(const ref_ent *a, const ref_ent *b) {
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->b, b->b, m);
    if (c) return c;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    return a->split < b->split ? -1 : a->split > b->split ? 1 : 0;
}
static int ref_qcmp(const void *a, const void *b) { return ref_cmp((const ref_ent *)a, (const ref_ent *)b); }

static unsigned ref_u2b[0x144];

static void ref_init_u2b(void) {
    unsigned b, n = 0;
    for (b = 0; b < 256; b++) {
        int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        ref_u2b[printable ? b : 256 + n++] = b;
    }
}

/* GPT-2 byte-level string (UTF-8) -> bytes; returns length */
static size_t ref_unbyte(const char *s, size_t n, unsigned char *out) {
    size_t i = 0, k = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i], cp;
        if (c < 0x80) { cp = c; i++; }
        else { cp = ((c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F); i += 2; }
        out[k++] = (unsigned char)ref_u2b[cp];
    }
    return k;
}

static void ref_load(ref_t *R) {
    buf_t mb, vb;
    size_t i, cap;
    memset(R, 0, sizeof *R);
    ref_init_u2b();
    if (!read_data("gpt2-tokenizer", "vocab.bpe", &mb)) return;
    if (!read_data("tokenizer-oracle", "vocab_bytes.tsv", &vb)) { free(mb.p); return; }
    cap = 0;
    for (i = 0; i < mb.n; i++) cap += mb.p[i] == '\n';
    R->merges = (ref_ent *)calloc(cap + 1, sizeof(ref_ent));
    for (i = 0; i < mb.n;) {
        size_t e = i, sp;
        while (e < mb.n && mb.p[e] != '\n') e++;
        if (e > i && !(e - i >= 8 && !memcmp(mb.p + i, "#version", 8))) {
            unsigned char tmp[512];
            ref_ent *m = &R->merges[R->n_merges];
            size_t a;
            for (sp = i; mb.p[sp] != ' '; sp++) {}
            a = ref_unbyte((const char *)mb.p + i, sp - i, tmp);
            m->n = a + ref_unbyte((const char *)mb.p + sp + 1, e - sp - 1, tmp + a);
            m->split = a;
            m->b = (unsigned char *)malloc(m->n);
            memcpy(m->b, tmp, m->n);
            m->v = (int32_t)R->n_merges++;
        }
        i = e + 1;
    }
    qsort(R->merges, R->n_merges, sizeof(ref_ent), ref_qcmp);
    cap = 0;
    for (i = 0; i < vb.n; i++) cap += vb.p[i] == '\n';
    R->vocab = (ref_ent *)calloc(cap + 1, sizeof(ref_ent));
    for (i = 0; i < vb.n;) {
        size_t e = i, tab;
        while (e < vb.n && vb.p[e] != '\n') e++;
        for (tab = i; tab < e && vb.p[tab] != '\t'; tab++) {}
        if (tab < e) {
            ref_ent *v = &R->vocab[R->n_vocab];
            v->v = atoi((const char *)vb.p + i);
            if (v->v != 50256) {     /* <|endoftext|>: special, never made by BPE */
                v->b = unhex((const char *)vb.p + tab + 1, e - tab - 1, &v->n);
                R->n_vocab++;
            }
        }
        i = e + 1;
    }
    qsort(R->vocab, R->n_vocab, sizeof(ref_ent), ref_qcmp);
    free(mb.p); free(vb.p);
    R->ok = R->n_merges == 50000 && R->n_vocab == 50256;
}

static void ref_free(ref_t *R) {
    size_t i;
    for (i = 0; i < R->n_merges; i++) free(R->merges[i].b);
    for (i = 0; i < R->n_vocab; i++) free(R->vocab[i].b);
    free(R->merges); free(R->vocab);
}

static int32_t ref_rank(const ref_t *R, const unsigned char *a, size_t an, size_t bn) {
    ref_ent key, *hit;
    key.b = (unsigned char *)a; key.n = an + bn; key.split = an;
    hit = (ref_ent *)bsearch(&key, R->merges, R->n_merges, sizeof(ref_ent), ref_qcmp);
    return hit ? hit->v : -1;
}

/* encoder.py's bpe() on one piece; appends ids to out (returns new count) */
static size_t ref_bpe(const ref_t *R, const unsigned char *p, size_t n, int32_t *out, size_t k) {
    size_t *st = (size_t *)malloc((n + 1) * sizeof(size_t)), m = n, i, w;   /* symbol starts; symbol i = [st[i], st[i+1]) */
    for (i = 0; i <= n; i++) st[i] = i;
    while (m > 1) {
        int32_t best = -1;
        size_t bl = 0, br = 0, bi = 0, fa;
        for (i = 0; i + 1 < m; i++) {
            int32_t r = ref_rank(R, p + st[i], st[i + 1] - st[i], st[i + 2] - st[i + 1]);
            if (r >= 0 && (best < 0 || r < best)) { best = r; bi = i; }
        }
        if (best < 0) break;
        bl = st[bi + 1] - st[bi];
        br = st[bi + 2] - st[bi + 1];
        fa = st[bi];                        /* st[] is rewritten below */
        /* merge every occurrence of (first, second), scanning left to right */
        for (i = 0, w = 0; i < m;) {
            st[w] = st[i];
            if (i + 1 < m && st[i + 1] - st[i] == bl && st[i + 2] - st[i + 1] == br &&
                !memcmp(p + st[i], p + fa, bl) && !memcmp(p + st[i + 1], p + fa + bl, br)) {
                i += 2;
            } else i += 1;
            w++;
        }
        st[w] = n;
        m = w;
    }
    for (i = 0; i < m; i++) {
        ref_ent key, *hit;
        key.b = (unsigned char *)p + st[i]; key.n = st[i + 1] - st[i]; key.split = 0;
        hit = (ref_ent *)bsearch(&key, R->vocab, R->n_vocab, sizeof(ref_ent), ref_qcmp);
        out[k++] = hit ? hit->v : -1;
    }
    free(st);
    return k;
}

/* ---- a literal reference pre-tokenizer for the fuzz alphabet --------------
   The regex's alternatives tried in order at each position, with
   backtracking for \s+(?!\S), over characters classified by hand. */

enum { RL, RN, RS, RO };
/* class and length of the character at s (n bytes left) */
static int ref_class(const unsigned char *s, size_t n, size_t *len) {
    unsigned c = s[0];
    if (c < 0x80) {
        *len = 1;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return RL;
        if (c >= '0' && c <= '9') return RN;
        if (c == ' ' || (c >= 9 && c <= 13)) return RS;
        return RO;
    }
    /* the multi-byte characters of the fuzz alphabet */
    if (n >= 2 && c == 0xC3 && (s[1] == 0xA9 || s[1] == 0x80)) { *len = 2; return RL; } /* é, À ("\xc3" "\x80") */
    if (n >= 2 && c == 0xC2 && (s[1] == 0xA0 || s[1] == 0x85)) { *len = 2; return RS; } /* NBSP, NEL */
    if (n >= 2 && c == 0xD9 && s[1] == 0xA3) { *len = 2; return RN; }               /* ٣ Nd */
    if (n >= 2 && c == 0xC2 && s[1] == 0xB2) { *len = 2; return RN; }               /* ² No */
    if (n >= 2 && c == 0xCC && s[1] == 0x81) { *len = 2; return RO; }               /* U+0301 Mn */
    if (n >= 3 && c == 0xE2 && s[1] == 0x80 && s[2] == 0x83) { *len = 3; return RS; } /* EM SPACE */
    if (n >= 3 && c == 0xE3 && s[1] == 0x80 && s[2] == 0x80) { *len = 3; return RS; } /* IDEOGRAPHIC SPACE */
    if (n >= 3 && c == 0xEF && s[1] == 0xBB && s[2] == 0xBF) { *len = 3; return RO; } /* BOM: not space */
    if (n >= 3 && c == 0xE4 && s[1] == 0xB8 && s[2] == 0xAD) { *len = 3; return RL; } /* 中 */
    if (n >= 3 && c == 0xE2 && s[1] == 0x85 && s[2] == 0xA2) { *len = 3; return RN; } /* Ⅲ Nl */
    if (n >= 4 && c == 0xF0 && s[1] == 0x9F && s[2] == 0x98 && s[3] == 0x80) { *len = 4; return RO; } /* 😀 */
    *len = 1;                                                                       /* invalid byte */
    return RO;
}

/* length of the regex match at s[i..n) */
static size_t ref_match(const unsigned char *s, size_t n, size_t i) {
    static const char *const con[] = { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" };
    size_t k, l, j, ends[4096], ne;
    int cls_alt[3] = { RL, RN, RO };
    for (k = 0; k < 7; k++) {
        size_t cl = strlen(con[k]);
        if (n - i >= cl && !memcmp(s + i, con[k], cl)) return cl;
    }
    for (k = 0; k < 3; k++) {               /* ' ?X+' : first with the space, then without */
        int pass;
        for (pass = 0; pass < 2; pass++) {
            j = i;
            if (pass == 0) { if (s[j] != ' ') continue; j++; }
            if (j >= n || ref_class(s + j, n - j, &l) != cls_alt[k]) continue;
            while (j < n && ref_class(s + j, n - j, &l) == cls_alt[k]) j += l;
            return j - i;
        }
    }
    /* \s+(?!\S): all the ends of a whitespace run, longest first */
    ne = 0;
    j = i;
    while (j < n && ref_class(s + j, n - j, &l) == RS && ne < 4096) { j += l; ends[ne++] = j; }
    for (k = ne; k-- > 0;) {
        size_t e = ends[k];
        if (e == n || ref_class(s + e, n - e, &l) == RS) return e - i;
    }
    if (ne) return ends[ne - 1] - i;        /* \s+ */
    return 0;                                /* cannot happen: some alternative always matches */
}

static size_t ref_encode(const ref_t *R, const unsigned char *s, size_t n, int32_t *out) {
    size_t i = 0, k = 0;
    while (i < n) {
        size_t m = ref_match(s, n, i);
        if (m == 0) return (size_t)-1;
        k = ref_bpe(R, s + i, m, out, k);
        i += m;
    }
    return k;
}

/* ---- tests ---------------------------------------------------------------- */

static int load_gpt2(llm_tokenizer *t) {
    const char *dir = data_dir("gpt2-tokenizer", "encoder.json");
    llm_status r;
    if (!dir || !data_path("gpt2-tokenizer", "vocab.bpe")) { SKIP("GPT-2 vocabulary not found (tests/data/gpt2-tokenizer)"); return 0; }
    r = llm_tokenizer_load(t, dir);
    CHECK(r == LLM_OK, "load %s: %s: %s", dir, llm_status_string(r), llm_tokenizer_error(t));
    return r == LLM_OK;
}

/* All oracle cases with tokenizer t; returns the number of mismatches. */
static size_t run_oracle(const llm_tokenizer *t, const buf_t *o, int verbose, size_t *n_cases, size_t *n_special) {
    size_t i = 0, bad = 0;
    *n_cases = 0; *n_special = 0;
    while (i < o->n) {
        size_t e = i, fl[5], tn, en, sn, gn;
        const char *f[5];
        unsigned char *text;
        int32_t *exp, *got, *sexp;
        llm_status r;
        while (e < o->n && o->p[e] != '\n') e++;
        if (e == i || fields((const char *)o->p + i, e - i, f, fl, 5) != 5) { i = e + 1; continue; }
        text = unhex(f[2], fl[2], &tn);
        exp = parse_ids(f[3], fl[3], &en);
        got = enc(t, text, tn, 0, &gn, &r);
        if (r != LLM_OK || !same_ids(exp, en, got, gn)) {
            bad++;
            if (verbose) {
                size_t q;
                printf("  oracle case %.*s (%.*s): %zu ids, expected %zu; first difference at ",
                       (int)fl[0], f[0], (int)fl[1], f[1], gn, en);
                for (q = 0; q < en && q < gn && exp[q] == got[q]; q++) {}
                printf("%zu\n", q);
            }
        } else if (!round_trips(t, got, gn, text, tn)) {
            bad++;
            if (verbose) printf("  oracle case %.*s: decode(encode(x)) != x\n", (int)fl[0], f[0]);
        }
        free(got);
        /* special mode: the given ids, or the ordinary ones when the text has no special token */
        if (fl[4] == 1 && f[4][0] == '-') { sexp = exp; sn = en; }
        else { sexp = parse_ids(f[4], fl[4], &sn); (*n_special)++; }
        got = enc(t, text, tn, LLM_TOKENIZE_SPECIAL, &gn, &r);
        if (r != LLM_OK || !same_ids(sexp, sn, got, gn)) {
            bad++;
            if (verbose) printf("  oracle case %.*s: special mode differs\n", (int)fl[0], f[0]);
        } else if (!round_trips(t, got, gn, text, tn)) {
            bad++;
            if (verbose) printf("  oracle case %.*s: special mode does not round-trip\n", (int)fl[0], f[0]);
        }
        free(got);
        if (sexp != exp) free(sexp);
        free(exp); free(text);
        (*n_cases)++;
        i = e + 1;
    }
    return bad;
}

static void test_oracle(const llm_tokenizer *t) {
    buf_t o;
    size_t cases, special, bad;
    if (!read_data("tokenizer-oracle", "oracle.tsv", &o)) { SKIP("oracle.tsv not found"); return; }
    bad = run_oracle(t, &o, 1, &cases, &special);
    CHECK(cases == 330, "oracle.tsv has %zu cases, expected 330", cases);
    CHECK(special == 8, "oracle.tsv has %zu special-mode cases, expected 8", special);
    CHECK(bad == 0, "%zu of %zu oracle cases differ", bad, cases);
    free(o.p);
}

static void test_decode_tsv(const llm_tokenizer *t) {
    buf_t d;
    size_t i = 0, cases = 0;
    if (!read_data("tokenizer-oracle", "decode.tsv", &d)) { SKIP("decode.tsv not found"); return; }
    while (i < d.n) {
        size_t e = i, fl[2], nid, nb, got = 0, k, at;
        const char *f[2];
        int32_t *ids;
        unsigned char *exp;
        char *out;
        llm_decoder dec;
        int chunks_ok = 1, valid;
        llm_status r;
        while (e < d.n && d.p[e] != '\n') e++;
        if (fields((const char *)d.p + i, e - i, f, fl, 2) != 2) { i = e + 1; continue; }
        ids = parse_ids(f[0], fl[0], &nid);
        exp = unhex(f[1], fl[1], &nb);
        out = (char *)malloc(nb + 1);
        r = llm_tokenizer_decode(t, ids, nid, out, nb + 1, &got);
        CHECK(r == LLM_OK && got == nb && !memcmp(out, exp, nb), "decode.tsv line %zu: decode differs", cases + 1);
        /* the streaming decoder gives the same bytes, in complete characters */
        valid = valid_utf8(exp, nb);
        llm_decoder_init(&dec);
        for (k = 0, at = 0; k < nid; k++) {
            char chunk[2048];
            size_t cn = 0;
            r = llm_decoder_push(&dec, t, ids[k], chunk, sizeof chunk, &cn);
            if (r != LLM_OK || at + cn > nb || memcmp(exp + at, chunk, cn)) { chunks_ok = 0; break; }
            if (valid && !valid_utf8((const unsigned char *)chunk, cn)) chunks_ok = 0;
            at += cn;
        }
        if (chunks_ok) {
            char rest[16];
            size_t rn = llm_decoder_flush(&dec, rest, sizeof rest);
            if (at + rn != nb || memcmp(exp + at, rest, rn)) chunks_ok = 0;
            else if (valid && rn) chunks_ok = 0;    /* valid text: nothing may be left */
        }
        CHECK(chunks_ok, "decode.tsv line %zu: streaming decoder differs", cases + 1);
        free(ids); free(exp); free(out);
        cases++;
        i = e + 1;
    }
    CHECK(cases == 22, "decode.tsv has %zu cases, expected 22", cases);
    free(d.p);
}

static void test_vocab_bytes(const llm_tokenizer *t) {
    buf_t v;
    size_t i = 0, n = 0, bad = 0;
    if (!read_data("tokenizer-oracle", "vocab_bytes.tsv", &v)) { SKIP("vocab_bytes.tsv not found"); return; }
    while (i < v.n) {
        size_t e = i, fl[2], bl, tl = 0;
        const char *f[2], *tok;
        unsigned char *b;
        int32_t id;
        while (e < v.n && v.p[e] != '\n') e++;
        if (fields((const char *)v.p + i, e - i, f, fl, 2) == 2) {
            id = (int32_t)atoi(f[0]);
            b = unhex(f[1], fl[1], &bl);
            tok = llm_tokenizer_token(t, id, &tl);
            if (!tok || tl != bl || memcmp(tok, b, bl)) {
                if (bad < 5) printf("  vocab_bytes: id %d differs\n", (int)id);
                bad++;
            }
            free(b);
            n++;
        }
        i = e + 1;
    }
    CHECK(n == 50257 && bad == 0, "vocab_bytes.tsv: %zu ids, %zu differ", n, bad);
    CHECK(llm_tokenizer_token(t, 50257, NULL) == NULL && llm_tokenizer_token(t, -1, NULL) == NULL, "token() out of range");
    free(v.p);
}

static void test_basic(const llm_tokenizer *t) {
    static const int32_t hello[] = { 15496, 995 };
    size_t n, tl;
    int32_t *ids;
    llm_status r;
    const char *tok;
    CHECK(llm_tokenizer_vocab_size(t) == 50257, "vocab size %zu", llm_tokenizer_vocab_size(t));
    CHECK(llm_tokenizer_eot(t) == 50256, "eot %d", (int)llm_tokenizer_eot(t));
    ids = enc(t, "Hello world", 11, 0, &n, &r);
    CHECK(r == LLM_OK && same_ids(ids, n, hello, 2), "Hello world");
    free(ids);
    tok = llm_tokenizer_token(t, 50256, &tl);
    CHECK(tok && tl == 13 && !memcmp(tok, "<|endoftext|>", 13), "token 50256 is <|endoftext|>");
    /* empty text, NULL text with zero length */
    r = llm_tokenizer_encode(t, "", 0, 0, NULL, 0, &n);
    CHECK(r == LLM_OK && n == 0, "empty text");
    r = llm_tokenizer_encode(t, NULL, 0, LLM_TOKENIZE_SPECIAL, NULL, 0, &n);
    CHECK(r == LLM_OK && n == 0, "NULL text, zero length");
    /* count only */
    r = llm_tokenizer_encode(t, "Hello world", 11, 0, NULL, 0, &n);
    CHECK(r == LLM_OK && n == 2, "count-only encode: %s %zu", llm_status_string(r), n);
    /* buffer too small: full count, the first ids written */
    {
        int32_t one[1] = { -7 };
        r = llm_tokenizer_encode(t, "Hello world", 11, 0, one, 1, &n);
        CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && n == 2 && one[0] == 15496, "encode into a short buffer");
    }
    {
        char out[4];
        size_t nb = 0;
        r = llm_tokenizer_decode(t, hello, 2, out, sizeof out, &nb);
        CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && nb == 11 && !memcmp(out, "Hell", 4), "decode into a short buffer");
        r = llm_tokenizer_decode(t, hello, 2, NULL, 0, &nb);
        CHECK(r == LLM_OK && nb == 11, "decode size query");
        r = llm_tokenizer_decode(t, hello, 0, out, sizeof out, &nb);
        CHECK(r == LLM_OK && nb == 0, "decode nothing");
    }
}

static void test_errors_gpt2(const llm_tokenizer *t) {
    int32_t bad1[] = { 15496, 50257 }, bad2[] = { -1 }, bad3[] = { 0x7fffffff }, ok[] = { 15496 };
    char out[64];
    size_t n = 99;
    llm_decoder d;
    llm_tokenizer empty;
    CHECK(llm_tokenizer_decode(t, bad1, 2, out, sizeof out, &n) == LLM_ERR_TOKEN_RANGE, "decode id 50257");
    CHECK(llm_tokenizer_decode(t, bad2, 1, out, sizeof out, &n) == LLM_ERR_TOKEN_RANGE, "decode id -1");
    CHECK(llm_tokenizer_decode(t, bad3, 1, out, sizeof out, &n) == LLM_ERR_TOKEN_RANGE, "decode id 2^31-1");
    llm_decoder_init(&d);
    CHECK(llm_decoder_push(&d, t, 50257, out, sizeof out, &n) == LLM_ERR_TOKEN_RANGE, "decoder push 50257");
    CHECK(llm_decoder_push(&d, t, -5, out, sizeof out, &n) == LLM_ERR_TOKEN_RANGE, "decoder push -5");
    /* NULL arguments */
    CHECK(llm_tokenizer_encode(NULL, "a", 1, 0, NULL, 0, &n) == LLM_ERR_INVALID_ARG, "encode NULL tokenizer");
    CHECK(llm_tokenizer_encode(t, NULL, 3, 0, NULL, 0, &n) == LLM_ERR_INVALID_ARG, "encode NULL text");
    CHECK(llm_tokenizer_encode(t, "a", 1, 0, NULL, 5, &n) == LLM_ERR_INVALID_ARG, "encode NULL ids with cap");
    CHECK(llm_tokenizer_encode(t, "a", 1, 0x80, NULL, 0, &n) == LLM_ERR_INVALID_ARG, "encode unknown flag");
    CHECK(llm_tokenizer_decode(NULL, ok, 1, out, sizeof out, &n) == LLM_ERR_INVALID_ARG, "decode NULL tokenizer");
    CHECK(llm_tokenizer_decode(t, NULL, 1, out, sizeof out, &n) == LLM_ERR_INVALID_ARG, "decode NULL ids");
    CHECK(llm_tokenizer_decode(t, ok, 1, NULL, 5, &n) == LLM_ERR_INVALID_ARG, "decode NULL out with cap");
    CHECK(llm_decoder_push(NULL, t, 1, out, sizeof out, &n) == LLM_ERR_INVALID_ARG, "decoder push NULL decoder");
    CHECK(llm_decoder_push(&d, NULL, 1, out, sizeof out, &n) == LLM_ERR_INVALID_ARG, "decoder push NULL tokenizer");
    CHECK(llm_decoder_flush(NULL, out, sizeof out) == 0, "decoder flush NULL");
    CHECK(llm_tokenizer_load(NULL, "x") == LLM_ERR_INVALID_ARG, "load NULL tokenizer");
    CHECK(llm_tokenizer_load_memory(NULL, "{}", 2, "", 0) == LLM_ERR_INVALID_ARG, "load_memory NULL tokenizer");
    CHECK(llm_tokenizer_load_json_memory(NULL, "{}", 2) == LLM_ERR_INVALID_ARG, "load_json_memory NULL tokenizer");
    CHECK(llm_tokenizer_load(&empty, NULL) == LLM_ERR_INVALID_ARG, "load NULL path");
    llm_tokenizer_free(&empty);
    CHECK(llm_tokenizer_load_files(&empty, NULL, "x") == LLM_ERR_INVALID_ARG, "load_files NULL path");
    llm_tokenizer_free(&empty);
    CHECK(llm_tokenizer_load_memory(&empty, NULL, 0, "", 0) == LLM_ERR_INVALID_ARG, "load_memory NULL vocab");
    llm_tokenizer_free(&empty);
    CHECK(llm_tokenizer_load_json_memory(&empty, NULL, 0) == LLM_ERR_INVALID_ARG, "load_json_memory NULL");
    llm_tokenizer_free(&empty);
    llm_tokenizer_free(NULL);
    /* a failed / unloaded tokenizer */
    CHECK(llm_tokenizer_vocab_size(&empty) == 0 && llm_tokenizer_eot(&empty) == -1, "unloaded: vocab 0, eot -1");
    CHECK(llm_tokenizer_encode(&empty, "a", 1, 0, NULL, 0, &n) == LLM_ERR_INVALID_ARG, "encode on an unloaded tokenizer");
    CHECK(llm_tokenizer_token(&empty, 0, &n) == NULL, "token() on an unloaded tokenizer");
    CHECK(strlen(llm_tokenizer_error(&empty)) > 0 && strlen(llm_tokenizer_error(NULL)) > 0, "error strings");
    CHECK(llm_tokenizer_load(&empty, "/nonexistent/dir") == LLM_ERR_IO, "load a missing folder: %s", llm_tokenizer_error(&empty));
    llm_tokenizer_free(&empty);
    llm_tokenizer_free(&empty);
    CHECK(llm_tokenizer_load_files(&empty, "/nonexistent/vocab.json", "/nonexistent/merges.txt") == LLM_ERR_IO, "load missing files");
    llm_tokenizer_free(&empty);
}

/* Invalid UTF-8: every invalid byte is a character of its own, in the
   [^\s\p{L}\p{N}] class; expected ids come from the reference BPE over the
   pieces this rule gives (written out by hand). */
static void test_invalid_utf8(const llm_tokenizer *t, const ref_t *R) {
    static const struct { const char *text; const char *pieces[6]; } cases[] = {
        { "a\xff" "b", { "a", "\xff", "b" } },
        { "abc\xc3", { "abc", "\xc3" } },                        /* truncated 2-byte sequence */
        { "\xe2\x80" "a", { "\xe2\x80", "a" } },                 /* truncated 3-byte sequence */
        { "\xc0\x80", { "\xc0\x80" } },                          /* overlong NUL */
        { "x\xed\xa0\x80y", { "x", "\xed\xa0\x80", "y" } },      /* surrogate U+D800 */
        { "\xf4\x90\x80\x80!", { "\xf4\x90\x80\x80!" } },        /* above U+10FFFF, then punctuation */
        { " \xff" "dog", { " \xff", "dog" } },                   /* ' ?' takes the invalid byte's run */
        { "1\x80" "2", { "1", "\x80", "2" } },                   /* stray continuation byte */
        { "\xf0\x9f\x98 hi", { "\xf0\x9f\x98", " hi" } },        /* truncated emoji */
        { "it\xe9s", { "it", "\xe9", "s" } },                    /* Latin-1 e-acute: not UTF-8 */
        { "\xfe\xff\xfe\xff", { "\xfe\xff\xfe\xff" } },
        { "\xc3\xa9t\xc3" "\xa9", { "\xc3\xa9t\xc3\xa9" } },     /* valid e-acute: letters */
    };
    size_t c;
    if (!R->ok) { SKIP("invalid UTF-8 tests need vocab.bpe and vocab_bytes.tsv"); return; }
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int32_t exp[64], *got;
        size_t ne = 0, ng, k, len = strlen(cases[c].text);
        llm_status r;
        for (k = 0; k < 6 && cases[c].pieces[k]; k++)
            ne = ref_bpe(R, (const unsigned char *)cases[c].pieces[k], strlen(cases[c].pieces[k]), exp, ne);
        got = enc(t, cases[c].text, len, 0, &ng, &r);
        CHECK(r == LLM_OK && same_ids(exp, ne, got, ng), "invalid UTF-8 case %zu: wrong ids", c);
        CHECK(round_trips(t, got, ng, cases[c].text, len), "invalid UTF-8 case %zu: no round trip", c);
        free(got);
    }
    /* random bytes: never fails, always round-trips */
    {
        unsigned s = 12345;
        size_t trial, bad = 0;
        unsigned char buf[300];
        for (trial = 0; trial < 2000; trial++) {
            size_t len = trial % 300, i, ng;
            int32_t *got;
            llm_status r;
            for (i = 0; i < len; i++) {
                s = s * 1103515245u + 12345u;
                buf[i] = (unsigned char)(s >> 16);
                if (trial & 1) buf[i] = (unsigned char)" a\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'9\n\xff"[(s >> 8) % 17];
            }
            got = enc(t, buf, len, trial & 2 ? LLM_TOKENIZE_SPECIAL : 0, &ng, &r);
            if (r != LLM_OK || !round_trips(t, got, ng, buf, len)) bad++;
            free(got);
        }
        CHECK(bad == 0, "%zu of 2000 random byte strings fail to round-trip", bad);
    }
}

/* Random strings over an alphabet full of edge cases against the literal
   reference pre-tokenizer + encoder.py. */
static void test_fuzz_reference(const llm_tokenizer *t, const ref_t *R) {
    static const char *const alpha[] = {
        " ", " ", " ", "  ", "\n", "\t", "\r\n", "a", "b", "Z", "x", "the", "ing", "1", "42", "'", "'s", "'t", "'re",
        "'ve", "'m", "'ll", "'d", "'S", "!", "?", ".", ",", "-", "(", "\"", "\xc3\xa9", "\xc2\xa0", "\xc2\x85",
        "\xd9\xa3", "\xc2\xb2", "\xcc\x81", "\xe2\x80\x83", "\xe3\x80\x80", "\xef\xbb\xbf", "\xe4\xb8\xad",
        "\xe2\x85\xa2", "\xf0\x9f\x98\x80", "\xff", "\x80", "\xc3"
    };
    unsigned s = 777;
    size_t trial, bad = 0, na = sizeof alpha / sizeof alpha[0];
    if (!R->ok) { SKIP("reference fuzz needs vocab.bpe and vocab_bytes.tsv"); return; }
    for (trial = 0; trial < 3000; trial++) {
        unsigned char buf[512];
        int32_t exp[600], *got;
        size_t len = 0, parts, k, ne, ng;
        llm_status r;
        s = s * 1103515245u + 12345u;
        parts = (s >> 16) % 24;
        for (k = 0; k < parts; k++) {
            const char *a;
            s = s * 1103515245u + 12345u;
            a = alpha[(s >> 16) % na];
            memcpy(buf + len, a, strlen(a));
            len += strlen(a);
        }
        ne = ref_encode(R, buf, len, exp);
        got = enc(t, buf, len, 0, &ng, &r);
        if (r != LLM_OK || !same_ids(exp, ne, got, ng)) {
            if (bad < 3) {
                size_t q;
                printf("  fuzz: text ");
                for (q = 0; q < len; q++) printf("%02x", buf[q]);
                printf(" differs\n");
            }
            bad++;
        }
        free(got);
    }
    CHECK(bad == 0, "%zu of 3000 fuzz strings differ from the reference", bad);
    /* the same kind of text, 200 KB in one call (big texts use a per-call
       cache of recent pieces) */
    {
        size_t cap = 200000, len = 0, ne, ng;
        unsigned char *big = (unsigned char *)malloc(cap + 64);
        int32_t *exp, *got;
        llm_status r;
        while (len < cap) {
            const char *a;
            s = s * 1103515245u + 12345u;
            a = alpha[(s >> 16) % na];
            memcpy(big + len, a, strlen(a));
            len += strlen(a);
        }
        exp = (int32_t *)malloc((len + 1) * sizeof(int32_t));
        ne = ref_encode(R, big, len, exp);
        got = enc(t, big, len, 0, &ng, &r);
        CHECK(r == LLM_OK && same_ids(exp, ne, got, ng), "200 KB fuzz text differs from the reference");
        free(got); free(exp); free(big);
    }
}

/* Long inputs: exact answers from the reference (whose merge loop runs once
   per distinct merge, so it is fast on repetitive words). */
static void test_long(const llm_tokenizer *t, const ref_t *R) {
    static const char *const units[] = { "a", "ab", "hello", "Z", "x9" };
    size_t u, n, ng, i;
    unsigned char *text;
    int32_t *exp, *got;
    llm_status r;
    if (!R->ok) { SKIP("long-input tests need vocab.bpe and vocab_bytes.tsv"); return; }
    for (u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u]), ne;
        n = 10000;
        text = (unsigned char *)malloc(n + 1);
        text[0] = ' ';
        for (i = 1; i < n; i++) text[i] = (unsigned char)units[u][(i - 1) % ul];
        exp = (int32_t *)malloc((n + 1) * sizeof(int32_t));
        /* " aaaa..." is one piece for letters (' ?\p{L}+'); "x9x9..." alternates classes */
        ne = ref_encode(R, text, n, exp);
        got = enc(t, text, n, 0, &ng, &r);
        CHECK(r == LLM_OK && same_ids(exp, ne, got, ng), "10,000-byte word of \"%s\": %zu ids, expected %zu", units[u], ng, ne);
        free(got);
        /* without the leading space */
        ne = ref_encode(R, text + 1, n - 1, exp);
        got = enc(t, text + 1, n - 1, 0, &ng, &r);
        CHECK(r == LLM_OK && same_ids(exp, ne, got, ng), "word of \"%s\" without space", units[u]);
        free(got); free(exp); free(text);
    }
    /* 1 MB of spaces: GPT-2 has no merge of two spaces (checked on vocab.bpe
       by the reference), so every space is token 220; with x before and y
       after, the last space goes with y (\s+(?!\S)). */
    {
        size_t N = 1u << 20, ok = 1;
        int32_t sp[2], xy[4];
        CHECK(ref_rank(R, (const unsigned char *)"  ", 1, 1) < 0, "vocab.bpe merges two spaces?");
        ref_bpe(R, (const unsigned char *)" ", 1, sp, 0);
        text = (unsigned char *)malloc(N + 2);
        memset(text, ' ', N + 2);
        got = enc(t, text, N, 0, &ng, &r);
        for (i = 0; i < ng && ok; i++) ok = got[i] == sp[0];
        CHECK(r == LLM_OK && ng == N && ok, "1 MB of spaces: %zu ids", ng);
        free(got);
        text[0] = 'x'; text[N + 1] = 'y';
        ref_bpe(R, (const unsigned char *)"x", 1, xy, 0);
        ref_bpe(R, (const unsigned char *)" y", 2, xy, 1);
        got = enc(t, text, N + 2, 0, &ng, &r);
        ok = r == LLM_OK && ng == N + 1 && got[0] == xy[0] && got[N] == xy[1];
        for (i = 1; i < N && ok; i++) ok = got[i] == sp[0];
        CHECK(ok, "x + 1 MB of spaces + y: %zu ids", ng);
        free(got);
        /* 1 MB of newlines: merges do apply ("\n\n"), compare with the reference */
        memset(text, '\n', N);
        exp = (int32_t *)malloc((N + 1) * sizeof(int32_t));
        i = ref_bpe(R, text, N, exp, 0);
        got = enc(t, text, N, 0, &ng, &r);
        CHECK(r == LLM_OK && same_ids(exp, i, got, ng), "1 MB of newlines: %zu ids, expected %zu", ng, i);
        free(got); free(exp); free(text);
    }
}

/* The streaming decoder on characters split across tokens. */
static void test_stream(const llm_tokenizer *t) {
    static const char text[] = "Hi \xf0\x9f\x98\x80\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 "
                               "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\xa6\x99\xf0\x9f\xa7\xa0!";
    size_t n, k, at = 0, cn, split = 0;
    int32_t *ids;
    llm_status r;
    llm_decoder d;
    char out[2048], small[2];
    int ok = 1;
    ids = enc(t, text, sizeof text - 1, 0, &n, &r);
    llm_decoder_init(&d);
    for (k = 0; k < n; k++) {
        size_t tl;
        const char *tok = llm_tokenizer_token(t, ids[k], &tl);
        if (!valid_utf8((const unsigned char *)tok, tl)) split++;
        r = llm_decoder_push(&d, t, ids[k], out + at, sizeof out - at, &cn);
        if (r != LLM_OK || !valid_utf8((const unsigned char *)out + at, cn)) ok = 0;
        at += cn;
    }
    CHECK(split >= 2, "the test text should have tokens that split characters (%zu)", split);
    CHECK(ok && at == sizeof text - 1 && !memcmp(out, text, at), "streaming decode of emoji text");
    CHECK(llm_decoder_flush(&d, out, sizeof out) == 0, "nothing left to flush");
    free(ids);
    /* 8582 = f0 9f, 47249 = f0 9f 98, 222 = 80: pieces of U+1F600 */
    llm_decoder_init(&d);
    r = llm_decoder_push(&d, t, 8582, out, sizeof out, &cn);
    CHECK(r == LLM_OK && cn == 0 && d.n_pending == 2, "f0 9f is held back");
    r = llm_decoder_push(&d, t, 8582, out, sizeof out, &cn);   /* f0 9f f0 9f: first pair can't complete */
    CHECK(r == LLM_OK && cn == 2 && !memcmp(out, "\xf0\x9f", 2) && d.n_pending == 2, "an incomplete sequence is given up when a new one starts");
    cn = llm_decoder_flush(&d, out, sizeof out);
    CHECK(cn == 2 && !memcmp(out, "\xf0\x9f", 2) && d.n_pending == 0, "flush hands out the partial sequence");
    llm_decoder_init(&d);
    r = llm_decoder_push(&d, t, 47249, out, sizeof out, &cn);
    CHECK(r == LLM_OK && cn == 0, "f0 9f 98 held");
    /* a one-byte buffer is too small for the 4-byte character: state unchanged */
    r = llm_decoder_push(&d, t, 222, small, 1, &cn);
    CHECK(r == LLM_ERR_BUFFER_TOO_SMALL && cn == 4 && d.n_pending == 3, "decoder: short buffer");
    r = llm_decoder_push(&d, t, 222, out, sizeof out, &cn);
    CHECK(r == LLM_OK && cn == 4 && !memcmp(out, "\xf0\x9f\x98\x80", 4), "f0 9f 98 + 80 completes U+1F600");
    /* an invalid byte is not held */
    r = llm_decoder_push(&d, t, 187, out, sizeof out, &cn);    /* ff */
    CHECK(r == LLM_OK && cn == 1 && (unsigned char)out[0] == 0xff, "invalid byte passes through");
    /* held bytes then ASCII: all written */
    r = llm_decoder_push(&d, t, 8582, out, sizeof out, &cn);
    r = llm_decoder_push(&d, t, 64, out, sizeof out, &cn);     /* 'a' */
    CHECK(r == LLM_OK && cn == 3 && !memcmp(out, "\xf0\x9f" "a", 3), "held bytes + ASCII");
    /* flush into a short buffer keeps the rest */
    llm_decoder_init(&d);
    llm_decoder_push(&d, t, 47249, out, sizeof out, &cn);
    cn = llm_decoder_flush(&d, small, 1);
    CHECK(cn == 1 && (unsigned char)small[0] == 0xf0 && d.n_pending == 2, "partial flush");
    cn = llm_decoder_flush(&d, out, sizeof out);
    CHECK(cn == 2 && !memcmp(out, "\x9f\x98", 2), "rest of the flush");
    /* overlong / surrogate prefixes are not held (they can never complete) */
    {
        size_t ne;
        int32_t *x = enc(t, "\xed\xa0", 2, 0, &ne, &r);
        llm_decoder_init(&d);
        for (k = 0, at = 0; k < ne; k++) { llm_decoder_push(&d, t, x[k], out + at, sizeof out - at, &cn); at += cn; }
        CHECK(at == 2 && d.n_pending == 0, "ed a0 (surrogate prefix) is not held");
        free(x);
    }
}

static void test_formats_gpt2(const llm_tokenizer *ref) {
    buf_t enc_json, bpe, o;
    llm_tokenizer t;
    llm_status r;
    size_t cases, special, bad;
    const char *pe = data_path("gpt2-tokenizer", "encoder.json");
    char pe_copy[4096], pb_copy[4096];
    if (!pe || !read_data("gpt2-tokenizer", "encoder.json", &enc_json)) { SKIP("encoder.json not found"); return; }
    snprintf(pe_copy, sizeof pe_copy, "%s", pe);
    snprintf(pb_copy, sizeof pb_copy, "%s", data_path("gpt2-tokenizer", "vocab.bpe"));
    if (!read_data("gpt2-tokenizer", "vocab.bpe", &bpe)) { free(enc_json.p); SKIP("vocab.bpe not found"); return; }
    if (!read_data("tokenizer-oracle", "oracle.tsv", &o)) { free(enc_json.p); free(bpe.p); SKIP("oracle.tsv not found"); return; }
    (void)ref;

    /* explicit files */
    r = llm_tokenizer_load_files(&t, pe_copy, pb_copy);
    CHECK(r == LLM_OK, "load_files: %s", llm_tokenizer_error(&t));
    if (r == LLM_OK) {
        bad = run_oracle(&t, &o, 0, &cases, &special);
        CHECK(bad == 0, "load_files: %zu oracle cases differ", bad);
    }
    llm_tokenizer_free(&t);

    /* memory */
    r = llm_tokenizer_load_memory(&t, (const char *)enc_json.p, enc_json.n, (const char *)bpe.p, bpe.n);
    CHECK(r == LLM_OK, "load_memory: %s", llm_tokenizer_error(&t));
    if (r == LLM_OK) {
        bad = run_oracle(&t, &o, 0, &cases, &special);
        CHECK(bad == 0 && llm_tokenizer_eot(&t) == 50256, "load_memory: %zu oracle cases differ", bad);
    }
    llm_tokenizer_free(&t);

    /* the same vocabulary as a tokenizer.json built here, with merges as
       [["a", "b"], ...] (the newer form); the small fixture uses "a b" */
    {
        size_t cap = enc_json.n + bpe.n * 3 + 4096, n = 0, i;
        char *js = (char *)malloc(cap);
        static const char head[] =
            "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null,\n"
            " \"added_tokens\": [{\"id\": 50256, \"content\": \"<|endoftext|>\", \"single_word\": false, "
            "\"lstrip\": false, \"rstrip\": false, \"normalized\": true, \"special\": true}],\n"
            " \"normalizer\": null,\n"
            " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},\n"
            " \"post_processor\": null, \"decoder\": {\"type\": \"ByteLevel\"},\n"
            " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": \"\",\n"
            "  \"end_of_word_suffix\": \"\", \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n"
            "  \"vocab\": ";
        memcpy(js, head, sizeof head - 1); n = sizeof head - 1;
        memcpy(js + n, enc_json.p, enc_json.n); n += enc_json.n;
        memcpy(js + n, ",\n  \"merges\": [", 15); n += 15;
        for (i = 0; i < bpe.n;) {
            size_t e = i, k;
            while (e < bpe.n && bpe.p[e] != '\n') e++;
            if (e > i && !(e - i >= 8 && !memcmp(bpe.p + i, "#version", 8))) {
                js[n++] = '['; js[n++] = '"';
                for (k = i; k < e; k++) {
                    unsigned char c = bpe.p[k];
                    if (c == ' ') { memcpy(js + n, "\", \"", 4); n += 4; continue; }
                    if (c == '"' || c == '\\') js[n++] = '\\';
                    js[n++] = (char)c;
                }
                js[n++] = '"'; js[n++] = ']'; js[n++] = ',';
            }
            i = e + 1;
        }
        n--;                                          /* last comma */
        memcpy(js + n, "]}}\n", 4); n += 4;
        r = llm_tokenizer_load_json_memory(&t, js, n);
        CHECK(r == LLM_OK, "tokenizer.json (memory): %s", llm_tokenizer_error(&t));
        if (r == LLM_OK) {
            bad = run_oracle(&t, &o, 1, &cases, &special);
            CHECK(bad == 0 && llm_tokenizer_vocab_size(&t) == 50257 && llm_tokenizer_eot(&t) == 50256,
                  "tokenizer.json: %zu oracle cases differ", bad);
        }
        llm_tokenizer_free(&t);
        /* ignore_merges: true gives the same answers for GPT-2 */
        {
            char *p = strstr(js, "\"ignore_merges\": false");
            memcpy(p, "\"ignore_merges\": true ", 22);
            r = llm_tokenizer_load_json_memory(&t, js, n);
            CHECK(r == LLM_OK, "tokenizer.json ignore_merges: %s", llm_tokenizer_error(&t));
            if (r == LLM_OK) {
                bad = run_oracle(&t, &o, 0, &cases, &special);
                CHECK(bad == 0, "tokenizer.json ignore_merges: %zu oracle cases differ", bad);
            }
            llm_tokenizer_free(&t);
            memcpy(p, "\"ignore_merges\": false", 22);
        }
        /* unsupported variants */
        {
            char *p = strstr(js, "\"normalizer\": null");
            memcpy(p, "\"normalizer\": {}  ", 18);
            r = llm_tokenizer_load_json_memory(&t, js, n);
            CHECK(r == LLM_ERR_UNSUPPORTED, "tokenizer.json with a normalizer: %s", llm_status_string(r));
            llm_tokenizer_free(&t);
            memcpy(p, "\"normalizer\": null", 18);
            p = strstr(js, "\"add_prefix_space\": false");
            memcpy(p, "\"add_prefix_space\": true ", 25);
            r = llm_tokenizer_load_json_memory(&t, js, n);
            CHECK(r == LLM_ERR_UNSUPPORTED, "tokenizer.json with add_prefix_space: %s", llm_status_string(r));
            llm_tokenizer_free(&t);
            memcpy(p, "\"add_prefix_space\": false", 25);
            p = strstr(js, "\"type\": \"BPE\"");
            memcpy(p, "\"type\": \"BPX\"", 13);
            r = llm_tokenizer_load_json_memory(&t, js, n);
            CHECK(r == LLM_ERR_UNSUPPORTED, "tokenizer.json with model type BPX: %s", llm_status_string(r));
            llm_tokenizer_free(&t);
            memcpy(p, "\"type\": \"BPE\"", 13);
            /* truncated */
            r = llm_tokenizer_load_json_memory(&t, js, n / 2);
            CHECK(r == LLM_ERR_FORMAT, "truncated tokenizer.json: %s", llm_status_string(r));
            llm_tokenizer_free(&t);
        }
        free(js);
    }
    free(enc_json.p); free(bpe.p); free(o.p);
}

/* The small hand-made vocabulary (tools/reference/make_tokenizer_fixtures.py): bytes
   at ids 0..255 in byte order, merges 256 Ġt, 257 he, 258 Ġthe, 259 at,
   260 cat, 261 Ġcat, 262 ll, 263 ell, 264 hell, 265 hello; gap 266..299;
   300 <|endoftext|>; tokenizer.json adds 301 <|pad|>. */
static void check_small(const llm_tokenizer *t, const char *what, int is_json) {
    static const int32_t e1[] = { 116, 257, 261 };          /* "the cat": t he | Ġcat */
    static const int32_t e2[] = { 257, 262, 111, 258 };     /* "hello the": "he" before "ll" */
    static const int32_t e3[] = { 97, 300, 98 };            /* a<|endoftext|>b, special mode */
    static const int32_t e4[] = { 60, 124, 112, 97, 100, 124, 62 };
    static const int32_t e5[] = { 301, 256 };               /* <|pad|> t */
    int32_t *got, gap[1] = { 270 };
    size_t n, nb;
    llm_status r;
    char out[16];
    CHECK(llm_tokenizer_vocab_size(t) == (size_t)(is_json ? 302 : 301), "%s: vocab size %zu", what, llm_tokenizer_vocab_size(t));
    CHECK(llm_tokenizer_eot(t) == 300, "%s: eot %d", what, (int)llm_tokenizer_eot(t));
    got = enc(t, "the cat", 7, 0, &n, &r);
    CHECK(r == LLM_OK && same_ids(got, n, e1, 3), "%s: \"the cat\"", what);
    free(got);
    got = enc(t, "hello the", 9, 0, &n, &r);
    CHECK(r == LLM_OK && same_ids(got, n, e2, 4), "%s: \"hello the\" (merge order)", what);
    free(got);
    got = enc(t, "a<|endoftext|>b", 15, LLM_TOKENIZE_SPECIAL, &n, &r);
    CHECK(r == LLM_OK && same_ids(got, n, e3, 3), "%s: special token", what);
    free(got);
    got = enc(t, "<|pad|>", 7, LLM_TOKENIZE_SPECIAL, &n, &r);
    CHECK(r == LLM_OK && (is_json ? same_ids(got, n, e5, 1) : same_ids(got, n, e4, 7)), "%s: <|pad|>", what);
    free(got);
    got = enc(t, "<|pad|> t", 9, LLM_TOKENIZE_SPECIAL, &n, &r);
    CHECK(r == LLM_OK && (!is_json || same_ids(got, n, e5, 2)), "%s: <|pad|> t", what);
    free(got);
    CHECK(llm_tokenizer_decode(t, gap, 1, out, sizeof out, &nb) == LLM_ERR_TOKEN_RANGE, "%s: a gap id is out of range", what);
    CHECK(llm_tokenizer_token(t, 270, NULL) == NULL, "%s: token() of a gap", what);
    CHECK(llm_tokenizer_decode(t, e2, 4, out, sizeof out, &nb) == LLM_OK && nb == 9 && !memcmp(out, "hello the", 9), "%s: decode", what);
}

static void test_small(void) {
    llm_tokenizer t;
    llm_status r;
    const char *d;
    buf_t v, m, j;
    char path[4096], path2[4096];
    static const char *const subs[3] = { "small-hf", "small-openai", "small-json" };
    static const char *const files[3] = { "vocab.json", "encoder.json", "tokenizer.json" };
    int k;
    for (k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", subs[k], files[k]);
        d = data_dir("tokenizer", path);
        if (!d) { SKIP("tests/data/tokenizer/%s not found", subs[k]); continue; }
        snprintf(path2, sizeof path2, "%s/%s", d, subs[k]);
        r = llm_tokenizer_load(&t, path2);
        CHECK(r == LLM_OK, "load %s: %s", path2, llm_tokenizer_error(&t));
        if (r == LLM_OK) check_small(&t, subs[k], k == 2);
        llm_tokenizer_free(&t);
        llm_tokenizer_free(&t);
    }
    /* tokenizer.json by file name */
    if ((d = data_path("tokenizer", "small-json/tokenizer.json")) != NULL) {
        snprintf(path, sizeof path, "%s", d);
        r = llm_tokenizer_load(&t, path);
        CHECK(r == LLM_OK, "load %s: %s", path, llm_tokenizer_error(&t));
        if (r == LLM_OK) check_small(&t, "tokenizer.json file", 1);
        llm_tokenizer_free(&t);
    }
    /* from memory: the same results */
    if (read_data("tokenizer", "small-hf/vocab.json", &v)) {
        if (read_data("tokenizer", "small-hf/merges.txt", &m)) {
            r = llm_tokenizer_load_memory(&t, (const char *)v.p, v.n, (const char *)m.p, m.n);
            CHECK(r == LLM_OK, "small load_memory: %s", llm_tokenizer_error(&t));
            if (r == LLM_OK) check_small(&t, "small memory", 0);
            llm_tokenizer_free(&t);
            /* CRLF merges and no #version line */
            {
                char crlf[256];
                const char *src = strchr((const char *)m.p, '\n') + 1;
                size_t n = 0;
                for (; *src; src++) { if (*src == '\n') crlf[n++] = '\r'; crlf[n++] = *src; }
                r = llm_tokenizer_load_memory(&t, (const char *)v.p, v.n, crlf, n);
                CHECK(r == LLM_OK, "CRLF merges: %s", llm_tokenizer_error(&t));
                if (r == LLM_OK) check_small(&t, "CRLF merges", 0);
                llm_tokenizer_free(&t);
            }
            free(m.p);
        }
        free(v.p);
    }
    if (read_data("tokenizer", "small-json/tokenizer.json", &j)) {
        r = llm_tokenizer_load_json_memory(&t, (const char *)j.p, j.n);
        CHECK(r == LLM_OK, "small json memory: %s", llm_tokenizer_error(&t));
        if (r == LLM_OK) check_small(&t, "small json memory", 1);
        llm_tokenizer_free(&t);
        free(j.p);
    }
}

/* Load errors on hand-written vocabularies. */
static void test_load_errors(void) {
    char vocab[8192], big[4096];
    size_t n = 0, b, i;
    llm_tokenizer t;
    llm_status r;
    /* a valid base: the 256 byte tokens in byte order */
    n += (size_t)snprintf(vocab + n, sizeof vocab - n, "{");
    for (b = 0; b < 256; b++) {
        unsigned cp = (unsigned)b, k = 0, x;
        if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
            for (x = 0; x < b; x++) if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) k++;
            cp = 256 + k;
        }
        if (cp < 0x80) {
            if (cp == '"' || cp == '\\') n += (size_t)snprintf(vocab + n, sizeof vocab - n, "\"\\%c\": %u, ", (char)cp, (unsigned)b);
            else n += (size_t)snprintf(vocab + n, sizeof vocab - n, "\"%c\": %u, ", (char)cp, (unsigned)b);
        } else n += (size_t)snprintf(vocab + n, sizeof vocab - n, "\"\\u%04x\": %u, ", cp, (unsigned)b);
    }
#define TRY(extra, merges, expect, what) do { \
        char v2[8192 + 4096 + 16]; \
        snprintf(v2, sizeof v2, "%s%s}", vocab, extra); \
        r = llm_tokenizer_load_memory(&t, v2, strlen(v2), merges, strlen(merges)); \
        CHECK(r == expect, "%s: got %s (%s)", what, llm_status_string(r), llm_tokenizer_error(&t)); \
        if (r != LLM_OK) CHECK(strlen(llm_tokenizer_error(&t)) > 0, "%s: message", what); \
        llm_tokenizer_free(&t); llm_tokenizer_free(&t); \
    } while (0)
    TRY("\"ab\": 256", "a b\n", LLM_OK, "valid small vocabulary");
    TRY("\"ab\": 256, \"ab\": 257", "a b\n", LLM_ERR_FORMAT, "duplicate token");
    TRY("\"ab\": 256, \"cd\": 256", "a b\n", LLM_ERR_FORMAT, "duplicate id");
    TRY("\"ab\": 256", "a q\n", LLM_ERR_FORMAT, "merge makes a token not in the vocabulary");
    TRY("\"ab\": 256", "a xyz\n", LLM_ERR_FORMAT, "merge names an unknown token");
    TRY("\"ab\": 256", "a  b\n", LLM_ERR_FORMAT, "merge line with two spaces");
    TRY("\"ab\": 256", "ab\n", LLM_ERR_FORMAT, "merge line with one token");
    TRY("\"ab\": -1", "", LLM_ERR_FORMAT, "negative id");
    TRY("\"ab\": 1.5", "", LLM_ERR_FORMAT, "fractional id");
    TRY("\"ab\": \"x\"", "", LLM_ERR_FORMAT, "string id");
    TRY("\"ab\": 16777216", "", LLM_ERR_LIMIT, "id over the limit");
    TRY("\"ab\": 16777215", "a b\n", LLM_OK, "the largest id (a big gap)");
    TRY("\"ab\": 256", "#version: 0.2\n\na b\n\n", LLM_OK, "blank lines in merges");
    TRY("\"ab\": 256,", "", LLM_ERR_FORMAT, "malformed JSON (trailing comma)");
    TRY("\"ab\": 256, \"\\ud800\": 257", "", LLM_ERR_FORMAT, "lone surrogate escape");
    /* a token over the length limit (raw text: not the byte alphabet) */
    memset(big, 0, sizeof big);
    memcpy(big, "\"\\u4e2d", 7);
    for (i = 0; i < 1100; i++) big[7 + i] = 'x';
    memcpy(big + 7 + 1100, "\": 300", 6);
    TRY(big, "", LLM_ERR_LIMIT, "token longer than the limit");
    /* a missing byte token */
    r = llm_tokenizer_load_memory(&t, "{\"a\": 0, \"b\": 1, \"ab\": 2}", 25, "a b\n", 4);
    CHECK(r == LLM_ERR_FORMAT, "missing byte tokens: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
    r = llm_tokenizer_load_memory(&t, "[1, 2]", 6, "", 0);
    CHECK(r == LLM_ERR_FORMAT, "vocab is an array: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
    r = llm_tokenizer_load_memory(&t, "{}", 2, "", 0);
    CHECK(r == LLM_ERR_FORMAT, "empty vocab: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
    r = llm_tokenizer_load_memory(&t, "{\"a\": ", 6, "", 0);
    CHECK(r == LLM_ERR_FORMAT, "malformed JSON: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
    r = llm_tokenizer_load_json_memory(&t, "{\"model\": {}}", 13);
    CHECK(r == LLM_ERR_FORMAT, "tokenizer.json without a vocab: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
    r = llm_tokenizer_load_json_memory(&t, "nope", 4);
    CHECK(r == LLM_ERR_FORMAT, "tokenizer.json not JSON: %s", llm_status_string(r));
    llm_tokenizer_free(&t);
#undef TRY
}

/* Encoding is thread-safe on a shared tokenizer: with OpenMP (-fopenmp),
   encode the oracle texts from several threads at once and compare. */
static void test_threads(const llm_tokenizer *t) {
#ifdef _OPENMP
    buf_t o;
    size_t starts[400], n = 0, i = 0;
    int bad = 0;
    long q;
    if (!read_data("tokenizer-oracle", "oracle.tsv", &o)) { SKIP("oracle.tsv not found"); return; }
    while (i < o.n && n < 400) { size_t e = i; while (e < o.n && o.p[e] != '\n') e++; if (e > i) starts[n++] = i; i = e + 1; }
    #pragma omp parallel for schedule(dynamic) reduction(+:bad) num_threads(4)
    for (q = 0; q < (long)n * 8; q++) {
        const char *line = (const char *)o.p + starts[q % (long)n], *f[5];
        size_t fl[5], tn, en, gn, len = strcspn(line, "\n");
        unsigned char *text;
        int32_t *exp, *got;
        llm_status r;
        fields(line, len, f, fl, 5);
        text = unhex(f[2], fl[2], &tn);
        exp = parse_ids(f[3], fl[3], &en);
        got = enc(t, text, tn, 0, &gn, &r);
        if (r != LLM_OK || !same_ids(exp, en, got, gn)) bad++;
        free(text); free(exp); free(got);
    }
    CHECK(bad == 0, "%d oracle encodes differ when run from 4 threads", bad);
    free(o.p);
#else
    (void)t;
    SKIP("thread test needs OpenMP (-fopenmp)");
#endif
}

/* Every allocation of loading (and of encoding a long piece) made to fail
   in turn: LLM_ERR_OUT_OF_MEMORY, a message, nothing leaked. */
static void oom_loop(const char *what, const buf_t *a, const buf_t *b) {
    llm_tokenizer t;
    long k, base = tt_live;
    int done = 0, bad_status = 0, leaks = 0, nomsg = 0;
    for (k = 0; k < 200 && !done; k++) {
        llm_status r;
        tt_fail_in = k;
        r = b ? llm_tokenizer_load_memory(&t, (const char *)a->p, a->n, (const char *)b->p, b->n)
              : llm_tokenizer_load_json_memory(&t, (const char *)a->p, a->n);
        tt_fail_in = -1;
        if (r == LLM_OK) done = 1;
        else {
            if (r != LLM_ERR_OUT_OF_MEMORY) bad_status++;
            if (!strlen(llm_tokenizer_error(&t))) nomsg++;
        }
        if (r == LLM_OK) {
            /* a 100-letter word takes the heap path, which allocates */
            char word[101];
            size_t n;
            memset(word, 'q', 100);
            word[100] = 0;
            tt_fail_in = 0;
            r = llm_tokenizer_encode(&t, word, 100, 0, NULL, 0, &n);
            tt_fail_in = -1;
            CHECK(r == LLM_ERR_OUT_OF_MEMORY, "%s: encode with a failing allocator: %s", what, llm_status_string(r));
        }
        llm_tokenizer_free(&t);
        if (tt_live != base) leaks++;
    }
    CHECK(done, "%s: load never succeeded under fault injection", what);
    CHECK(!bad_status, "%s: %d failed loads were not LLM_ERR_OUT_OF_MEMORY", what, bad_status);
    CHECK(!nomsg, "%s: %d failed loads without a message", what, nomsg);
    CHECK(!leaks, "%s: %d loads leaked", what, leaks);
    CHECK(k > 5, "%s: only %ld allocations?", what, k);
}

static void test_oom(void) {
    buf_t v, m, j;
    if (read_data("tokenizer", "small-hf/vocab.json", &v) && read_data("tokenizer", "small-hf/merges.txt", &m)) {
        oom_loop("small vocab.json", &v, &m);
        free(v.p); free(m.p);
    } else SKIP("small-hf fixture not found");
    if (read_data("tokenizer", "small-json/tokenizer.json", &j)) {
        oom_loop("small tokenizer.json", &j, NULL);
        free(j.p);
    } else SKIP("small-json fixture not found");
    if (read_data("gpt2-tokenizer", "encoder.json", &v) && read_data("gpt2-tokenizer", "vocab.bpe", &m)) {
        oom_loop("GPT-2", &v, &m);
        free(v.p); free(m.p);
    }
}

/* All of ../shared/data/text/bench.txt (17 MB) against the 7,706,907 ids
   tiktoken's gpt2 encoding gives (bench.ids.u16, uint16 little-endian), and
   back. Skipped when the files are absent (they stay outside the repo). */
static void test_bench_txt(const llm_tokenizer *t) {
    buf_t txt, ref;
    int32_t *ids;
    char *back;
    size_t n = 0, nref, i, bad = 0, first = (size_t)-1, nb = 0;
    llm_status r;
    if (!read_data("text", "bench.txt", &txt)) { SKIP("bench.txt not found (../shared/data/text)"); return; }
    if (!read_data("text", "bench.ids.u16", &ref)) { free(txt.p); SKIP("bench.ids.u16 not found (../shared/data/text)"); return; }
    nref = ref.n / 2;
    ids = (int32_t *)malloc((txt.n + 1) * sizeof(int32_t));
    back = (char *)malloc(txt.n + 1);
    CHECK(ids && back, "malloc");
    if (ids && back) {
        r = llm_tokenizer_encode(t, (const char *)txt.p, txt.n, 0, ids, txt.n + 1, &n);
        CHECK(r == LLM_OK, "bench.txt: encode: %s", llm_status_string(r));
        for (i = 0; i < n && i < nref; i++)
            if (ids[i] != (int32_t)(ref.p[2 * i] | (ref.p[2 * i + 1] << 8))) { bad++; if (first == (size_t)-1) first = i; }
        CHECK(n == nref && nref == 7706907, "bench.txt: %zu ids, reference %zu (expected 7706907)", n, nref);
        CHECK(bad == 0, "bench.txt: %zu ids differ from tiktoken's, the first at index %zu", bad, first);
        r = llm_tokenizer_decode(t, ids, n, back, txt.n + 1, &nb);
        CHECK(r == LLM_OK && nb == txt.n && !memcmp(back, txt.p, nb), "bench.txt: decode(encode(text)) != text");
    }
    free(ids); free(back); free(txt.p); free(ref.p);
}

/* ---- WordPiece (BERT vocabularies) ------------------------------------------ */

static int wp_load(llm_tokenizer *t, const char *config, int from_json) {
    buf_t v, c;
    char name[128];
    llm_status r;
    if (from_json) {
        snprintf(name, sizeof name, "%s.tokenizer.json", config);
        if (!read_data("wordpiece", name, &c)) return 0;
        r = llm_tokenizer_load_json_memory(t, (const char *)c.p, c.n);
        free(c.p);
    } else {
        snprintf(name, sizeof name, "%s.tokenizer_config.json", config);
        if (!read_data("wordpiece", "vocab.txt", &v)) return 0;
        if (!read_data("wordpiece", name, &c)) { free(v.p); return 0; }
        r = llm_tokenizer_load_wordpiece_memory(t, (const char *)v.p, v.n, (const char *)c.p, c.n);
        free(v.p); free(c.p);
    }
    CHECK(r == LLM_OK, "wordpiece %s (%s): %s: %s", config, from_json ? "tokenizer.json" : "vocab.txt",
          llm_status_string(r), llm_tokenizer_error(t));
    return r == LLM_OK;
}

/* The cases of cases.tsv for this configuration; returns the mismatches. */
static size_t wp_cases(const llm_tokenizer *t, const buf_t *o, const char *config, size_t *n_cases) {
    size_t i = 0, bad = 0;
    *n_cases = 0;
    while (i < o->n) {
        size_t e = i, fl[6], tn, en, gn, dn, on = 0;
        const char *f[6];
        unsigned char *text, *dtext;
        int32_t *exp, *got;
        char *out;
        llm_status r;
        unsigned flags;
        while (e < o->n && o->p[e] != '\n') e++;
        if (e == i || fields((const char *)o->p + i, e - i, f, fl, 6) != 6 || fl[1] != strlen(config) ||
            memcmp(f[1], config, fl[1])) { i = e + 1; continue; }
        flags = f[2][0] == '1' ? LLM_TOKENIZE_SPECIAL : 0;
        text = unhex(f[3], fl[3], &tn);
        exp = parse_ids(f[4], fl[4], &en);
        dtext = unhex(f[5], fl[5], &dn);
        got = enc(t, text, tn, flags, &gn, &r);
        out = (char *)malloc(dn + 64);
        if (r != LLM_OK || !same_ids(exp, en, got, gn)) {
            bad++;
            printf("  wordpiece case %.*s flags %u: %zu ids, expected %zu\n", (int)fl[0], f[0], flags, gn, en);
        } else if (llm_tokenizer_decode(t, exp, en, out, dn + 64, &on) != LLM_OK || on != dn || memcmp(out, dtext, dn)) {
            bad++;
            printf("  wordpiece case %.*s: decode gives \"%.*s\", expected \"%.*s\"\n", (int)fl[0], f[0],
                   (int)on, out, (int)dn, (const char *)dtext);
        }
        free(out); free(got); free(exp); free(text); free(dtext);
        (*n_cases)++;
        i = e + 1;
    }
    return bad;
}

static void test_wordpiece_oracle(void) {
    static const char *const configs[6] = { "uncased", "cased", "cased_strip", "uncased_keep_accents", "no_chinese",
                                            "never_split" };
    buf_t o;
    size_t k, total = 0, bad = 0, n, b;
    int js;
    if (!read_data("wordpiece", "cases.tsv", &o)) { SKIP("tests/data/wordpiece/cases.tsv not found"); return; }
    for (k = 0; k < 6; k++) {
        for (js = 0; js < 2; js++) {
            llm_tokenizer t;
            if (js && k == 5) continue;                   /* never_split: vocab.txt only */
            if (!wp_load(&t, configs[k], js)) continue;
            b = wp_cases(&t, &o, configs[k], &n);
            CHECK(b == 0, "wordpiece %s (%s): %zu of %zu cases differ from the oracle", configs[k],
                  js ? "tokenizer.json" : "vocab.txt", b, n);
            CHECK(n > 100, "wordpiece %s: only %zu cases", configs[k], n);
            total += n; bad += b;
            llm_tokenizer_free(&t);
        }
    }
    printf("wordpiece oracle: %zu of %zu cases exact (ids and decoded text)\n", total - bad, total);
    free(o.p);
}

static int32_t wp_id(const llm_tokenizer *t, const char *tok) {
    size_t n = llm_tokenizer_vocab_size(t), i, l;
    for (i = 0; i < n; i++) {
        const char *s = llm_tokenizer_token(t, (int32_t)i, &l);
        if (s && l == strlen(tok) && !memcmp(s, tok, l)) return (int32_t)i;
    }
    return -1;
}

/* encode(a) == the ids of the tokens listed (space-separated in b). */
static void wp_expect(const llm_tokenizer *t, const char *a, const char *b) {
    int32_t want[64];
    size_t nw = 0, gn, i = 0;
    llm_status r;
    int32_t *got;
    while (b[i]) {
        char tok[64];
        size_t k = 0;
        while (b[i] == ' ') i++;
        while (b[i] && b[i] != ' ' && k < 63) tok[k++] = b[i++];
        tok[k] = 0;
        if (k) want[nw++] = wp_id(t, tok);
    }
    got = enc(t, a, strlen(a), 0, &gn, &r);
    CHECK(r == LLM_OK && same_ids(want, nw, got, gn), "wordpiece \"%s\": expected %s (%zu ids, got %zu)", a, b, nw, gn);
    free(got);
}

static void test_wordpiece_rules(void) {
    llm_tokenizer t;
    llm_decoder d;
    char out[LLM_DECODER_BUFFER], all[256];
    size_t n, at = 0, i;
    int32_t ids[8];
    if (!wp_load(&t, "uncased", 0)) { SKIP("tests/data/wordpiece not found"); return; }
    CHECK(llm_tokenizer_vocab_size(&t) == 2542, "vocab size %zu", llm_tokenizer_vocab_size(&t));
    CHECK(llm_tokenizer_eot(&t) == 3, "eot %d, expected [SEP] = 3", (int)llm_tokenizer_eot(&t));
    CHECK(llm_tokenizer_bos(&t) == 2, "bos %d, expected [CLS] = 2", (int)llm_tokenizer_bos(&t));
    /* where llm.h follows HF's Python BertTokenizer and Rust tokenizers and the JS oracle does not: */
    wp_expect(&t, "a\xf0\xa0\x80\x80" "b", "a [UNK] b");          /* U+20000 (CJK Ext. B) is a word of its own */
    wp_expect(&t, "the\xcd\xb8" "the", "the ##t ##h ##e");        /* unassigned U+0378 is dropped (Cn) */
    wp_expect(&t, "\xce\x9f\xce\x94\xce\x9f\xce\xa3", "[UNK]");  /* ΟΔΟΣ -> οδοσ (no final sigma): not in vocab */
    wp_expect(&t, "\xcf\x83", "\xcf\x83");                         /* σ */
    wp_expect(&t, "\xce\xa3", "\xcf\x83");                         /* Σ alone -> σ */
    /* invalid UTF-8 is U+FFFD, which clean_text drops */
    wp_expect(&t, "the\xff" "the", "the ##t ##h ##e");
    wp_expect(&t, "\xc0\x80", "");
    wp_expect(&t, "Hello [MASK]", "hello [ m ##a ##s ##k ]");      /* plain text: no special tokens */
    /* streaming decoder: spaces between tokens, "##" joined, as the WordPiece decoder */
    ids[0] = wp_id(&t, "play"); ids[1] = wp_id(&t, "##ing"); ids[2] = wp_id(&t, "world"); ids[3] = wp_id(&t, ".");
    llm_decoder_init(&d);
    for (i = 0; i < 4; i++) {
        CHECK(llm_decoder_push(&d, &t, ids[i], out, sizeof out, &n) == LLM_OK, "push");
        memcpy(all + at, out, n); at += n;
    }
    CHECK(at == 14 && !memcmp(all, "playing world.", 14), "stream \"%.*s\"", (int)at, all);
    CHECK(llm_tokenizer_decode(&t, ids, 4, all, sizeof all, &n) == LLM_OK && n == 14 && !memcmp(all, "playing world.", 14),
          "decode \"%.*s\"", (int)n, all);
    llm_tokenizer_free(&t);
}

static void wp_bad(const char *vocab, const char *config, llm_status want, const char *what) {
    llm_tokenizer t;
    llm_status r = llm_tokenizer_load_wordpiece_memory(&t, vocab, strlen(vocab), config, config ? strlen(config) : 0);
    CHECK(r == want, "%s: %s (%s), expected %s", what, llm_status_string(r), llm_tokenizer_error(&t), llm_status_string(want));
    CHECK(r == LLM_OK || llm_tokenizer_error(&t)[0], "%s: no message", what);
    llm_tokenizer_free(&t);
}

static void wp_bad_json(const char *json, llm_status want, const char *what) {
    llm_tokenizer t;
    llm_status r = llm_tokenizer_load_json_memory(&t, json, strlen(json));
    CHECK(r == want, "%s: %s (%s), expected %s", what, llm_status_string(r), llm_tokenizer_error(&t), llm_status_string(want));
    llm_tokenizer_free(&t);
}

static void test_wordpiece_errors(void) {
    char *big = (char *)malloc(5000);
    llm_tokenizer t;
    const char *ok = "[UNK]\n[SEP]\na\n##b\n";
    memset(big, 'x', 4999); big[4999] = 0; big[0] = '['; memcpy(big + 1, "UNK]\n", 5);
    wp_bad(ok, NULL, LLM_OK, "small vocabulary");
    wp_bad("[UNK]\r\n[SEP]\r\na", NULL, LLM_OK, "CRLF lines");
    wp_bad("", NULL, LLM_ERR_FORMAT, "empty vocab.txt");
    wp_bad("a\nb\n", NULL, LLM_ERR_FORMAT, "no [UNK]");
    wp_bad("[UNK]\na\na\n", NULL, LLM_ERR_FORMAT, "duplicate token");
    wp_bad("[UNK]\n\n\n", NULL, LLM_ERR_FORMAT, "two empty lines (duplicates)");
    wp_bad("[UNK]\na\xff\n", NULL, LLM_ERR_FORMAT, "invalid UTF-8 line");
    wp_bad(big, NULL, LLM_ERR_LIMIT, "a 4994-byte line");
    wp_bad(ok, "{\"unk_token\": \"<unk>\"}", LLM_ERR_FORMAT, "unk_token not in the vocabulary");
    wp_bad(ok, "{\"unk_token\": {\"content\": \"a\"}}", LLM_OK, "unk_token as an object");
    wp_bad(ok, "{\"do_lower_case\": 1}", LLM_ERR_FORMAT, "do_lower_case not a boolean");
    wp_bad(ok, "{\"never_split\": [1]}", LLM_ERR_FORMAT, "never_split not strings");
    wp_bad(ok, "{\"never_split\": \"a\"}", LLM_ERR_FORMAT, "never_split not an array");
    wp_bad("[UNK]\nthere\nHello\n!\n", "{\"never_split\": [\"Hello!\"], \"do_lower_case\": false}", LLM_OK, "never_split");
    if (llm_tokenizer_load_wordpiece_memory(&t, "[UNK]\nthere\nHello\n!\n", 19, "{\"never_split\": [\"Hello!\"]}", 27) == LLM_OK) {
        wp_expect(&t, "Hello! there", "[UNK] there");            /* a never_split entry not in vocab.txt: [UNK] */
        wp_expect(&t, "x hello!", "[UNK] [UNK] !");                 /* not the entry: lowercased, split */
    }
    llm_tokenizer_free(&t);
    wp_bad(ok, "{\"do_basic_tokenize\": false}", LLM_ERR_UNSUPPORTED, "do_basic_tokenize false");
    wp_bad(ok, "[1]", LLM_ERR_FORMAT, "config not an object");
    wp_bad(ok, "{", LLM_ERR_FORMAT, "config not JSON");
    CHECK(llm_tokenizer_load_wordpiece_memory(&t, NULL, 0, NULL, 0) == LLM_ERR_INVALID_ARG, "NULL vocab");
    llm_tokenizer_free(&t);
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"[UNK]\": 0, \"a\": 1}},"
                "\"normalizer\": {\"type\": \"BertNormalizer\"}, \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}",
                LLM_OK, "tokenizer.json WordPiece");
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", \"vocab\": {\"a\": 1}},"
                "\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}", LLM_ERR_FORMAT, "tokenizer.json without [UNK]");
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}},"
                "\"normalizer\": {\"type\": \"NFC\"}, \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}",
                LLM_ERR_UNSUPPORTED, "tokenizer.json WordPiece with NFC");
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}},"
                "\"pre_tokenizer\": {\"type\": \"Whitespace\"}}", LLM_ERR_UNSUPPORTED, "tokenizer.json WordPiece, Whitespace");
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0}, \"max_input_chars_per_word\": 100000},"
                "\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}", LLM_ERR_LIMIT, "max_input_chars_per_word too big");
    wp_bad_json("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"b\": 0}},"
                "\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}", LLM_ERR_FORMAT, "tokenizer.json id used twice");
    free(big);
}

/* A folder with vocab.txt (+ tokenizer_config.json) loads as WordPiece. */
static void test_wordpiece_folder(void) {
    llm_tokenizer t;
    FILE *f;
    llm_status r;
    if (system("mkdir -p build/wp-folder") != 0) { SKIP("mkdir build/wp-folder"); return; }
    f = fopen("build/wp-folder/vocab.txt", "wb");
    if (!f) { SKIP("cannot write build/wp-folder"); return; }
    fputs("[UNK]\n[SEP]\n[CLS]\nhello\n", f);
    fclose(f);
    remove("build/wp-folder/tokenizer_config.json");
    r = llm_tokenizer_load(&t, "build/wp-folder");
    CHECK(r == LLM_OK && llm_tokenizer_vocab_size(&t) == 4 && llm_tokenizer_eot(&t) == 1 && llm_tokenizer_bos(&t) == 2,
          "folder with vocab.txt: %s", llm_tokenizer_error(&t));
    if (r == LLM_OK) wp_expect(&t, "HELLO", "hello");                  /* default do_lower_case true */
    llm_tokenizer_free(&t);
    f = fopen("build/wp-folder/tokenizer_config.json", "wb");
    if (f) { fputs("{\"do_lower_case\": false}", f); fclose(f); }
    r = llm_tokenizer_load(&t, "build/wp-folder");
    CHECK(r == LLM_OK, "folder with tokenizer_config.json: %s", llm_tokenizer_error(&t));
    if (r == LLM_OK) wp_expect(&t, "HELLO", "[UNK]");
    llm_tokenizer_free(&t);
}

int main(void) {
    llm_tokenizer t;
    ref_t R;
    ref_load(&R);
    if (!R.ok) SKIP("reference encoder: vocab.bpe or vocab_bytes.tsv missing");
    test_load_errors();
    test_small();
    test_oom();
    test_wordpiece_oracle();
    test_wordpiece_rules();
    test_wordpiece_errors();
    test_wordpiece_folder();
    if (load_gpt2(&t)) {
        test_basic(&t);
        test_oracle(&t);
        test_decode_tsv(&t);
        test_vocab_bytes(&t);
        test_errors_gpt2(&t);
        test_invalid_utf8(&t, &R);
        test_fuzz_reference(&t, &R);
        test_long(&t, &R);
        test_stream(&t);
        test_threads(&t);
        test_formats_gpt2(&t);
        test_bench_txt(&t);
        llm_tokenizer_free(&t);
        llm_tokenizer_free(&t);
    }
    ref_free(&R);
    CHECK(tt_live == 0, "%ld blocks still allocated by llm.h at the end", tt_live);
    return test_summary("test_tokenizer");
}
