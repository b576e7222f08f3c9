/* A main() for the fuzz harnesses without libFuzzer: runs every file named
   on the command line (directories: every regular file in them, not
   recursive) through LLVMFuzzerTestOneInput once. Used by `make fuzz-replay`
   (gcc or clang, -fsanitize=address,undefined) and usable with AFL++:

       afl-clang-fast -I. tests/fuzz/fuzz_json.c tests/fuzz/standalone_main.c -o fuzz_json -lm
       afl-fuzz -i tests/fuzz/corpus/json -o out -- ./fuzz_json @@

   Prints one line per directory or file argument and exits 0, or aborts
   (sanitizer report, assert) on the first input that fails. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* in the sanitizer runtimes (ASan, UBSan); NULL without them */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* The input being run, named when the harness dies on it. */
static const char *current;

static void say_current(void) {
    if (current) {
        const char *a = "standalone: the failing input is ";
        if (write(2, a, strlen(a)) < 0 || write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0) return;
    }
}
static void on_abort(int sig) {
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f) { fprintf(stderr, "standalone: cannot open %s\n", path); return 0; }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fprintf(stderr, "standalone: cannot size %s\n", path);
        return 0;
    }
    /* an exactly sized heap copy, as libFuzzer gives, so that ASan sees
       reads past the end (malloc(0) may return NULL: use 1 byte then) */
    buf = (unsigned char *)malloc(n ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f); free(buf);
        fprintf(stderr, "standalone: cannot read %s\n", path);
        return 0;
    }
    fclose(f);
    current = path;
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    current = NULL;
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    int i, bad = 0;
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(say_current);
    signal(SIGABRT, on_abort);
    signal(SIGSEGV, on_abort);
    signal(SIGFPE, on_abort);
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) { fprintf(stderr, "standalone: no such file %s\n", argv[i]); bad = 1; continue; }
        if (S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            long count = 0;
            char path[4096];
            if (!d) { fprintf(stderr, "standalone: cannot open %s\n", argv[i]); bad = 1; continue; }
            while ((e = readdir(d)) != NULL) {
                struct stat fb;
                if (e->d_name[0] == '.') continue;           /* ., .., .gitkeep */
                if ((size_t)snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name) >= sizeof path) continue;
                if (stat(path, &fb) != 0 || !S_ISREG(fb.st_mode)) continue;
                if (run_file(path)) count++; else bad = 1;
            }
            closedir(d);
            printf("%s: %ld inputs ok\n", argv[i], count);
            fflush(stdout);
        } else if (run_file(argv[i])) {
            printf("%s: ok\n", argv[i]);
        } else bad = 1;
    }
    return bad;
}
