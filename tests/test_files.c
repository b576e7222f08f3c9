/* Files that are not regular files (issue 13): a FIFO, a directory or a
   device where llm.h expects model.safetensors, config.json, tokenizer.json,
   vocab.json or merges.txt must give a clear error at once: never block in
   open (FIFO), never try a 2^63-byte allocation (directory). An alarm ends
   the program if anything blocks, so the suite cannot hang. Also:
   config.json's eos_token_id outside the vocabulary is refused. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

static char root[64];

static void on_alarm(int sig) {
    static const char msg[] = "FAIL test_files: blocked for 20 s (a FIFO was opened for reading)\n"
                              "test_files: 0 passed, 1 failed\n";
    (void)sig;
    if (write(1, msg, sizeof msg - 1) < 0) _exit(1);
    _exit(1);
}

/* root/dir, created; link_model 1: with model.safetensors a link to the
   tiny model's, 2: and its config.json (abs: the repository's path) */
static const char *mkfolder(const char *dir, int link_model, const char *abs) {
    static char p[512];
    char q[600], t[1100];
    snprintf(p, sizeof p, "%s/%s", root, dir);
    mkdir(p, 0700);
    if (link_model) {
        snprintf(q, sizeof q, "%s/model.safetensors", p);
        snprintf(t, sizeof t, "%s/tests/data/tiny-f32/model.safetensors", abs);
        if (symlink(t, q) != 0) CHECK(0, "symlink %s", q);
    }
    if (link_model == 2) {
        snprintf(q, sizeof q, "%s/config.json", p);
        snprintf(t, sizeof t, "%s/tests/data/tiny-f32/config.json", abs);
        if (symlink(t, q) != 0) CHECK(0, "symlink %s", q);
    }
    return p;
}
static void path(char *out, size_t cap, const char *dir, const char *name) { snprintf(out, cap, "%s/%s/%s", root, dir, name); }

static int has(const char *msg, const char *a, const char *b) { return strstr(msg, a) && (!b || strstr(msg, b)); }

/* Loading root/dir (a model path, or a file path when file) must fail with
   LLM_ERR_IO, a message holding a (and b), and no allocation attempt. */
static void model_fails(const char *dir, int no_mmap, const char *a, const char *b) {
    char q[600];
    llm_model m;
    llm_model_options mo;
    llm_status r;
    memset(&mo, 0, sizeof mo);
    mo.no_mmap = no_mmap;
    snprintf(q, sizeof q, "%s/%s", root, dir);
    r = llm_model_load(&m, q, &mo);
    CHECK(r == LLM_ERR_IO && has(llm_model_error(&m), a, b) && !strstr(llm_model_error(&m), "memory"),
          "model '%s' (no_mmap %d): %s: %s", dir, no_mmap, llm_status_string(r), llm_model_error(&m));
    llm_model_free(&m);
}
/* The same for llm_tokenizer_load(path), or load_files(path, merges) */
static void tokenizer_fails(const char *path, const char *merges, const char *a) {
    llm_tokenizer t;
    llm_status r = merges ? llm_tokenizer_load_files(&t, path, merges) : llm_tokenizer_load(&t, path);
    CHECK(r == LLM_ERR_IO && has(llm_tokenizer_error(&t), a, NULL), "tokenizer '%s': %s: %s", path,
          llm_status_string(r), llm_tokenizer_error(&t));
    llm_tokenizer_free(&t);
}

static void test_special_files(void) {
    char abs[512], p[512], q[512];
    llm_safetensors st;
    llm_status r;
    if (!getcwd(abs, sizeof abs)) { CHECK(0, "getcwd"); return; }
    /* model.safetensors a FIFO (with mmap and without), a directory */
    mkfolder("fifo-model", 0, abs);
    path(p, sizeof p, "fifo-model", "model.safetensors");
    CHECK(mkfifo(p, 0600) == 0, "mkfifo");
    model_fails("fifo-model", 0, "not a regular file", "model.safetensors");
    model_fails("fifo-model", 1, "not a regular file", "model.safetensors");
    model_fails("fifo-model/model.safetensors", 0, "not a regular file", NULL); /* as the path itself */
    r = llm_safetensors_open(&st, p);
    CHECK(r == LLM_ERR_IO && has(llm_safetensors_error(&st), "not a regular file", NULL), "FIFO safetensors_open: %s",
          llm_safetensors_error(&st));
    llm_safetensors_close(&st);
    mkfolder("dir-model", 0, abs);
    path(p, sizeof p, "dir-model", "model.safetensors");
    mkdir(p, 0700);
    model_fails("dir-model", 0, "is a directory", NULL);
    /* a folder without model.safetensors */
    mkfolder("empty", 0, abs);
    model_fails("empty", 0, "no model.safetensors", NULL);
    /* config.json a FIFO, then a directory */
    mkfolder("fifo-config", 1, abs);
    path(p, sizeof p, "fifo-config", "config.json");
    CHECK(mkfifo(p, 0600) == 0, "mkfifo");
    model_fails("fifo-config", 0, "not a regular file", "config.json");
    mkfolder("dir-config", 1, abs);
    path(p, sizeof p, "dir-config", "config.json");
    mkdir(p, 0700);
    model_fails("dir-config", 0, "is a directory", "config.json");
    /* tokenizer.json a FIFO, then a directory: in a model folder and alone */
    mkfolder("fifo-tok", 2, abs);
    path(p, sizeof p, "fifo-tok", "tokenizer.json");
    CHECK(mkfifo(p, 0600) == 0, "mkfifo");
    model_fails("fifo-tok", 0, "not a regular file", "tokenizer.json");
    tokenizer_fails(p, NULL, "not a regular file");
    snprintf(q, sizeof q, "%s/fifo-tok", root);
    tokenizer_fails(q, NULL, "not a regular file");
    mkfolder("dir-tok", 2, abs);
    path(p, sizeof p, "dir-tok", "tokenizer.json");
    mkdir(p, 0700);
    model_fails("dir-tok", 0, "is a directory", "tokenizer.json");
    snprintf(q, sizeof q, "%s/dir-tok", root);
    tokenizer_fails(q, NULL, "is a directory");
    /* vocab.json a FIFO, merges.txt a directory */
    mkfolder("vm", 0, abs);
    path(p, sizeof p, "vm", "vocab.json");
    CHECK(mkfifo(p, 0600) == 0, "mkfifo");
    path(q, sizeof q, "vm", "merges.txt");
    mkdir(q, 0700);
    tokenizer_fails(p, "tests/data/tokenizer/small-hf/merges.txt", "not a regular file");
    tokenizer_fails("tests/data/tokenizer/small-hf/vocab.json", q, "is a directory");
    /* a character device */
    r = llm_safetensors_open(&st, "/dev/null");
    CHECK(r == LLM_ERR_IO && has(llm_safetensors_error(&st), "not a regular file", NULL), "/dev/null: %s",
          llm_safetensors_error(&st));
    llm_safetensors_close(&st);
}

/* eos_token_id must name a token of the model */
static void test_eos_range(void) {
    char abs[512], p[512], q[512];
    llm_model m;
    llm_status r;
    FILE *f;
    int k;
    const int ids[3] = { 96, 97, 100000 };
    if (!getcwd(abs, sizeof abs)) { CHECK(0, "getcwd"); return; }
    for (k = 0; k < 3; k++) {
        char dir[32];
        snprintf(dir, sizeof dir, "eos%d", k);
        mkfolder(dir, 1, abs);
        path(p, sizeof p, dir, "config.json");
        f = fopen(p, "w");
        if (!f) { CHECK(0, "write %s", p); return; }
        fprintf(f, "{\"n_layer\": 2, \"n_head\": 4, \"n_embd\": 32, \"n_positions\": 32, \"vocab_size\": 97, "
                   "\"eos_token_id\": %d}\n", ids[k]);
        fclose(f);
        snprintf(q, sizeof q, "%s/%s", root, dir);
        r = llm_model_load(&m, q, NULL);
        if (k == 0) CHECK(r == LLM_OK && m.config.eos_id == 96, "eos 96 (the last id): %s", llm_model_error(&m));
        else CHECK(r == LLM_ERR_FORMAT && has(llm_model_error(&m), "eos_token_id", "outside the vocabulary"),
                   "eos %d: %s: %s", ids[k], llm_status_string(r), llm_model_error(&m));
        llm_model_free(&m);
    }
}

/* A tokenizer that fails to build fails the load with prefault too (its thread's status is the load's): a model of
   several 1 MiB chunks, so that the other threads read pages meanwhile. */
static void test_prefault_tokenizer(void) {
    char abs[512], p[512], t[1100];
    static const char *const names[2] = { "model.safetensors", "config.json" };
    llm_model m;
    llm_model_options mo;
    llm_status r;
    FILE *f;
    int k;
    if (!getcwd(abs, sizeof abs)) { CHECK(0, "getcwd"); return; }
    mkfolder("pf-tok", 0, abs);
    for (k = 0; k < 2; k++) {
        path(p, sizeof p, "pf-tok", names[k]);
        snprintf(t, sizeof t, "%s/models/shakespeare/%s", abs, names[k]);
        if (symlink(t, p) != 0) CHECK(0, "symlink %s", p);
    }
    path(p, sizeof p, "pf-tok", "vocab.json");
    if ((f = fopen(p, "w"))) { fputs("{\"a\": 0", f); fclose(f); }
    path(p, sizeof p, "pf-tok", "merges.txt");
    if ((f = fopen(p, "w"))) { fputs("#version: 0.2\n", f); fclose(f); }
    for (k = 0; k < 2; k++) {
        memset(&mo, 0, sizeof mo);
        mo.prefault = k;
        snprintf(p, sizeof p, "%s/pf-tok", root);
        r = llm_model_load(&m, p, &mo);
        CHECK(r == LLM_ERR_FORMAT && has(llm_model_error(&m), "tokenizer in", "vocab.json"), "prefault %d: %s: %s", k,
              llm_status_string(r), llm_model_error(&m));
        llm_model_free(&m);
    }
}

static void cleanup(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) printf("could not remove %s\n", root);
}

int main(void) {
    snprintf(root, sizeof root, "/tmp/llmh-files-%ld", (long)getpid());
    cleanup();
    if (mkdir(root, 0700) != 0) { CHECK(0, "mkdir %s", root); return test_summary("test_files"); }
    signal(SIGALRM, on_alarm);
    alarm(20);
    test_special_files();
    test_eos_range();
    test_prefault_tokenizer();
    alarm(0);
    cleanup();
    return test_summary("test_files");
}
#else
int main(void) { SKIP("no POSIX FIFOs here"); return test_summary("test_files"); }
#endif
