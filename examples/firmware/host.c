/* The firmware application (app.c) on the build machine: the same code and
   settings as in QEMU, with the files read by this program (not by llm.h)
   and the output on stdout. make test-firmware compares the two runs.
   Usage: host_firmware [model_dir] [arena_bytes] */
#include "app.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void plat_write(const char *s, size_t n) { fwrite(s, 1, n, stdout); fflush(stdout); }
uint64_t plat_ticks(void) { return (uint64_t)clock(); }
uint32_t plat_tick_hz(void) { return (uint32_t)CLOCKS_PER_SEC; }
const char *plat_name(void) { return "the host (app.c built for the build machine)"; }

static char *slurp(const char *dir, const char *name, size_t *len) {
    char path[4096];
    FILE *f;
    long n;
    char *buf;
    size_t a = strlen(dir), c = strlen(name);
    if (a + c + 2 > sizeof path) return NULL;
    memcpy(path, dir, a);
    path[a] = '/';
    memcpy(path + a + 1, name, c + 1);
    f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); return NULL; }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; *len = (size_t)n; }
    return buf;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "models/shakespeare";
    size_t arena_len = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : (size_t)8 << 20;
    app_blobs b;
    void *arena;
    int rc;
    memset(&b, 0, sizeof b);
    b.model = (const unsigned char *)slurp(dir, "model.safetensors", &b.model_len);
    b.config = slurp(dir, "config.json", &b.config_len);
    b.vocab = slurp(dir, "vocab.json", &b.vocab_len);
    b.merges = slurp(dir, "merges.txt", &b.merges_len);
    arena = malloc(arena_len);
    if (!b.model || !b.config || !b.vocab || !b.merges || !arena) return 2;
    rc = app_run(&b, arena, arena_len);
    free(arena);
    free((void *)b.model); free((void *)b.config); free((void *)b.vocab); free((void *)b.merges);
    return rc;
}
