/* Fuzz target: the command-line parsing of examples/generate.c. The real
   file is compiled here (not a copy of its parser) with a few names
   redirected by macros: main() becomes generate_main(), llm_model_load() a
   stub that fails (so nothing is loaded or generated once the flags are
   parsed), stdin a fixed in-memory prompt (for -p -), stdout/stderr
   /dev/null, and malloc/realloc/free are tracked so that the prompt read
   from stdin, which generate.c does not free on its early error returns,
   is released here. The input is split at NUL bytes into argv[1..]. Exit
   status must be 0 (--help), 1 (the stub's load error) or 2 (bad flags). */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include <errno.h>
#include <time.h>

static FILE *fuzz_in, *fuzz_null;
static void *fuzz_live[16];

static void *fuzz_malloc(size_t n) {
    void *p = malloc(n);
    int k;
    for (k = 0; p && k < 16; k++) if (!fuzz_live[k]) { fuzz_live[k] = p; break; }
    return p;
}
static void *fuzz_realloc(void *old, size_t n) {
    void *p = realloc(old, n);
    int k;
    for (k = 0; p && k < 16; k++) if (fuzz_live[k] == old) { fuzz_live[k] = p; break; }
    return p;
}
static void fuzz_free(void *p) {
    int k;
    for (k = 0; p && k < 16; k++) if (fuzz_live[k] == p) fuzz_live[k] = NULL;
    free(p);
}
static llm_status fuzz_model_load(llm_model *m, const char *path, const llm_model_options *opt) {
    (void)opt;
    memset(m, 0, sizeof *m);
    FUZZ_CHECK(path != NULL, "NULL model path");
    (void)strlen(path);
    return llm__err(m->error, LLM_ERR_IO, "fuzz stub: no model is loaded");
}

#define llm_model_load fuzz_model_load
#define malloc(n) fuzz_malloc(n)
#define realloc(p, n) fuzz_realloc(p, n)
#define free(p) fuzz_free(p)
#undef stdin
#undef stdout
#undef stderr
#define stdin fuzz_in
#define stdout fuzz_null
#define stderr fuzz_null
#define main generate_main
#include "examples/generate.c"
#undef main
#undef stdin
#undef stdout
#undef stderr
#undef malloc
#undef realloc
#undef free
#undef llm_model_load

#define MAX_ARGS 64

static void close_streams(void) { fclose(fuzz_in); fclose(fuzz_null); fuzz_in = fuzz_null = NULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char prompt[] = "a prompt read from stdin\n";
    char *argv[MAX_ARGS + 2];
    int argc = 1, rc, k;
    size_t i = 0;
    if (!fuzz_null) {
        fuzz_null = fopen("/dev/null", "w");
        fuzz_in = fmemopen(prompt, sizeof prompt - 1, "r");
        FUZZ_CHECK(fuzz_null && fuzz_in, "cannot open /dev/null or the stdin stream");
        atexit(close_streams);
    }
    rewind(fuzz_in);
    argv[0] = (char *)malloc(9);
    FUZZ_CHECK(argv[0] != NULL, "malloc");
    memcpy(argv[0], "generate", 9);
    while (i < size && argc <= MAX_ARGS) {       /* each argument its own exact allocation */
        const uint8_t *z = (const uint8_t *)memchr(data + i, 0, size - i);
        size_t e = z ? (size_t)(z - data) : size;
        argv[argc] = (char *)malloc(e - i + 1);
        FUZZ_CHECK(argv[argc] != NULL, "malloc");
        memcpy(argv[argc], data + i, e - i);
        argv[argc][e - i] = 0;
        argc++;
        i = e + 1;
    }
    argv[argc] = NULL;
    rc = generate_main(argc, argv);
    FUZZ_CHECK(rc == 0 || rc == 1 || rc == 2, "exit status %d", rc);
    for (k = 0; k < 16; k++) if (fuzz_live[k]) { free(fuzz_live[k]); fuzz_live[k] = NULL; }
    for (k = 0; k < argc; k++) free(argv[k]);
    return 0;
}
