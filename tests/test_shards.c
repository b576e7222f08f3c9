/* tests/test_shards.c - sharded checkpoints (model.safetensors.index.json +
   shards): the good one in tests/data/sharded-f32 loads by folder and by
   index file with the logits of the reference, and every broken index or
   shard set is refused with its own status and a message naming the
   tensor or file. The broken cases are written into build/shards-test/
   (copies of sharded-f32's shards, an index per case). */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#if defined(__unix__) || defined(__APPLE__)
#include <sys/stat.h>
#include <sys/types.h>
#endif

#define SRC "tests/data/sharded-f32"
#define DIR "build/shards-test"
#define NSH 3

static char *names[256];   /* tensor names of the good checkpoint */
static int shard_of[256];  /* its shard (0..NSH-1) */
static int n_names;

static const char *shard_file(int k) {
    static char buf[4][64];
    static int turn;
    char *b = buf[turn++ & 3];
    snprintf(b, 64, "model-%05d-of-%05d.safetensors", k + 1, NSH);
    return b;
}

static int write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    return ok;
}

static int copy_file(const char *from, const char *to) {
    size_t n;
    char *b = test_read_file(from, &n);
    int ok = b && write_file(to, b, n);
    free(b);
    return ok;
}

/* Writes DIR/<name> as an index of the good names, with entry `skip`
   left out (-1: none), entry `move` mapped to shard `to`, and `extra`
   (a raw JSON member, or NULL) added. */
static void write_index(const char *name, int skip, int move, const char *to, const char *extra) {
    char path[256], *text = (char *)malloc(65536);
    size_t n = 0;
    int i;
    n += (size_t)snprintf(text + n, 65536 - n, "{\"metadata\": {\"total_size\": 1}, \"weight_map\": {");
    for (i = 0; i < n_names; i++) {
        if (i == skip) continue;
        n += (size_t)snprintf(text + n, 65536 - n, "%s\"%s\": \"%s\"", n > 50 && text[n - 1] != '{' ? ", " : "",
                              names[i], i == move ? to : shard_file(shard_of[i]));
    }
    if (extra) n += (size_t)snprintf(text + n, 65536 - n, ", %s", extra);
    n += (size_t)snprintf(text + n, 65536 - n, "}}");
    snprintf(path, sizeof path, DIR "/%s", name);
    CHECK(write_file(path, text, n), "write %s", path);
    free(text);
}

static void expect(const char *index, llm_status want, const char *n1, const char *n2) {
    char path[256];
    llm_model m;
    llm_status r;
    snprintf(path, sizeof path, DIR "/%s", index);
    r = llm_model_load(&m, path, NULL);
    CHECK(r == want, "%s: got %s, want %s (%s)", index, llm_status_string(r), llm_status_string(want),
          llm_model_error(&m));
    if (n1)
        CHECK(strstr(llm_model_error(&m), n1) != NULL, "%s: message '%s' lacks '%s'", index, llm_model_error(&m), n1);
    if (n2)
        CHECK(strstr(llm_model_error(&m), n2) != NULL, "%s: message '%s' lacks '%s'", index, llm_model_error(&m), n2);
    if (r != LLM_OK) CHECK(m._shards == NULL && m._n_shards == 0 && m._layers == NULL, "%s: not released", index);
    llm_model_free(&m);
    llm_model_free(&m);
}

static void expect_text(const char *name, const char *text, llm_status want, const char *needle) {
    char path[256];
    snprintf(path, sizeof path, DIR "/%s", name);
    CHECK(write_file(path, text, strlen(text)), "write %s", path);
    expect(name, want, needle, NULL);
}

static int setup(void) {
    int k;
    size_t i;
#if defined(__unix__) || defined(__APPLE__)
    mkdir(DIR, 0777);
#endif
    if (!copy_file(SRC "/config.json", DIR "/config.json")) { SKIP("cannot write into %s", DIR); return 0; }
    for (k = 0; k < NSH; k++) {
        char from[256], to[256];
        llm_safetensors st;
        snprintf(from, sizeof from, SRC "/%s", shard_file(k));
        snprintf(to, sizeof to, DIR "/%s", shard_file(k));
        if (!copy_file(from, to)) { SKIP("cannot write %s (no folder %s?)", to, DIR); return 0; }
        if (llm_safetensors_open(&st, from) != LLM_OK) { CHECK(0, "open %s", from); return 0; }
        for (i = 0; i < st.n_tensors && n_names < 256; i++) {
            size_t len = strlen(st.tensors[i].name) + 1;
            names[n_names] = (char *)malloc(len);
            memcpy(names[n_names], st.tensors[i].name, len);
            shard_of[n_names++] = k;
        }
        llm_safetensors_close(&st);
    }
    return 1;
}

int main(void) {
    llm_model a, b;
    llm_model_options o;
    llm_status r;
    int i, first_of_2 = -1;
    char big[64 * 300];
    size_t n;

    /* the good checkpoint: folder, index file, without mmap */
    r = llm_model_load(&a, SRC, NULL);
    CHECK(r == LLM_OK && a._n_shards == NSH && a.config.n_layer == 3, "sharded folder: %s", llm_model_error(&a));
    memset(&o, 0, sizeof o);
    o.no_mmap = 1;
    r = llm_model_load(&b, SRC "/model.safetensors.index.json", &o);
    CHECK(r == LLM_OK && b._n_shards == NSH && b._shards[0]._owned != NULL, "index file, no mmap: %s",
          llm_model_error(&b));
    if (r == LLM_OK && a._n_shards == NSH) {
        llm_session s1, s2;
        int32_t ids[4] = { 1, 5, 9, 2 };
        llm_session_init(&s1, &a, NULL);
        llm_session_init(&s2, &b, NULL);
        llm_session_eval(&s1, ids, 4, NULL);
        llm_session_eval(&s2, ids, 4, NULL);
        CHECK(!memcmp(llm_session_logits(&s1), llm_session_logits(&s2), (size_t)a.config.n_vocab * sizeof(float)),
              "mapped and read shards give other logits");
        llm_session_free(&s1);
        llm_session_free(&s2);
    }
    llm_model_free(&a);
    llm_model_free(&b);

    /* an index whose shards are not there */
    r = llm_model_load(&a, "tests/data/sharded-missing", NULL);
    CHECK(r == LLM_ERR_IO && strstr(llm_model_error(&a), "-of-00002.safetensors") &&
              strstr(llm_model_error(&a), "missing"),
          "missing shard: %s (%s)", llm_status_string(r), llm_model_error(&a));
    llm_model_free(&a);

    if (!setup()) return test_summary("test_shards");
    for (i = 0; i < n_names; i++) if (shard_of[i] == 1 && first_of_2 < 0) first_of_2 = i;

    write_index("good.index.json", -1, -1, NULL, NULL);
    expect("good.index.json", LLM_OK, NULL, NULL);
    /* a tensor that a shard holds but the index does not list */
    write_index("unlisted.index.json", 0, -1, NULL, NULL);
    expect("unlisted.index.json", LLM_ERR_FORMAT, names[0], "is not in model.safetensors.index.json");
    /* a tensor the index maps to a shard that does not hold it */
    write_index("absent.index.json", -1, -1, NULL,
                "\"transformer.h.9.ln_1.weight\": \"model-00002-of-00003.safetensors\"");
    expect("absent.index.json", LLM_ERR_FORMAT, "transformer.h.9.ln_1.weight", "does not hold it");
    /* a tensor mapped to another shard than the one holding it */
    write_index("moved.index.json", -1, 0, shard_file(2), NULL);
    expect("moved.index.json", LLM_ERR_FORMAT, names[0], "but the index maps it to");
    /* a tensor in two shards: a fourth file, a copy of the second, holding
       the tensor the index maps there */
    CHECK(copy_file(DIR "/model-00002-of-00003.safetensors", DIR "/model-00004-of-00003.safetensors"), "copy");
    write_index("twice.index.json", -1, first_of_2, "model-00004-of-00003.safetensors", NULL);
    expect("twice.index.json", LLM_ERR_FORMAT, "in two shards", "'model-00004-of-00003.safetensors'");
    /* a shard that is not a valid safetensors file */
    CHECK(write_file(DIR "/model-00009-of-00009.safetensors", "\x10\0\0\0\0\0\0\0{}", 10), "write");
    write_index("corrupt.index.json", -1, 0, "model-00009-of-00009.safetensors", NULL);
    expect("corrupt.index.json", LLM_ERR_FORMAT, "shard 'model-00009-of-00009.safetensors'", NULL);
    /* a shard that is missing, named by the index */
    write_index("gone.index.json", -1, 0, "model-00005-of-00009.safetensors", NULL);
    expect("gone.index.json", LLM_ERR_IO, "model-00005-of-00009.safetensors", "missing");
    /* the same tensor twice in the weight_map */
    write_index("dup.index.json", -1, -1, NULL, "\"transformer.wte.weight\": \"model-00003-of-00003.safetensors\"");
    expect("dup.index.json", LLM_ERR_FORMAT, "transformer.wte.weight", "twice");

    /* bad index files */
    expect_text("empty.index.json", "", LLM_ERR_FORMAT, "model.safetensors.index.json");
    expect_text("array.index.json", "[]", LLM_ERR_FORMAT, "weight_map");
    expect_text("nomap.index.json", "{\"metadata\": {}}", LLM_ERR_FORMAT, "weight_map");
    expect_text("mapnull.index.json", "{\"weight_map\": null}", LLM_ERR_FORMAT, "weight_map");
    expect_text("mapempty.index.json", "{\"weight_map\": {}}", LLM_ERR_FORMAT, "empty");
    expect_text("truncated.index.json", "{\"weight_map\": {\"a\": \"model-00001-of-00003.safetensors\"", LLM_ERR_FORMAT,
                NULL);
    expect_text("number.index.json", "{\"weight_map\": {\"a\": 1}}", LLM_ERR_FORMAT, "file name");
    expect_text("dotdot.index.json", "{\"weight_map\": {\"a\": \"../sharded-f32/model-00001-of-00003.safetensors\"}}",
                LLM_ERR_FORMAT, "same folder");
    expect_text("abs.index.json", "{\"weight_map\": {\"a\": \"/etc/passwd.safetensors\"}}", LLM_ERR_FORMAT,
                "same folder");
    expect_text("hidden.index.json", "{\"weight_map\": {\"a\": \".x.safetensors\"}}", LLM_ERR_FORMAT, "same folder");
    expect_text("bin.index.json", "{\"weight_map\": {\"a\": \"pytorch_model.bin\"}}", LLM_ERR_FORMAT, "same folder");
    expect_text("nul.index.json", "{\"weight_map\": {\"a\": \"x\\u0000y.safetensors\"}}", LLM_ERR_FORMAT,
                "same folder");
    expect_text("nulname.index.json", "{\"weight_map\": {\"a\\u0000\": \"model-00001-of-00003.safetensors\"}}",
                LLM_ERR_FORMAT, "tensor name");
    expect_text("noname.index.json", "{\"weight_map\": {\"\": \"model-00001-of-00003.safetensors\"}}", LLM_ERR_FORMAT,
                "tensor name");
    /* more shards than the limit */
    n = (size_t)snprintf(big, sizeof big, "{\"weight_map\": {");
    for (i = 0; i <= LLM__MAX_SHARDS; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"t%d\": \"s%d.safetensors\"", i ? "," : "", i, i);
    snprintf(big + n, sizeof big - n, "}}");
    expect_text("many.index.json", big, LLM_ERR_LIMIT, "shards");

    /* the parser alone on hostile text: status, message, no crash */
    {
        static const char *const texts[] = {"{\"weight_map\": {\"a\": \"b.safetensors\", \"a\": \"b.safetensors\"}}",
                                            "{\"weight_map\": {\"a\": \"b.safetensors\"}}", "{\"weight_map\": 3}",
                                            "null"};
        static const llm_status want[] = { LLM_ERR_FORMAT, LLM_OK, LLM_ERR_FORMAT, LLM_ERR_FORMAT };
        size_t k;
        for (k = 0; k < sizeof texts / sizeof *texts; k++) {
            llm__shard_index x;
            char err[LLM_ERROR_SIZE];
            err[0] = 0;
            r = llm__index_parse(&x, texts[k], strlen(texts[k]), err);
            CHECK(r == want[k], "index text %zu: %s (%s)", k, llm_status_string(r), err);
            if (r == LLM_OK)
                CHECK(x.n == 1 && x.n_files == 1 && llm__index_find(&x, "a") == 0 &&
                          llm__index_find(&x, "b") == (size_t)-1,
                      "index text %zu: parsed wrong", k);
            llm__index_free(&x);
        }
    }
    for (i = 0; i < n_names; i++) free(names[i]);
    return test_summary("test_shards");
}
