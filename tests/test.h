/* Minimal test harness shared by tests/test_*.c.
   Each check prints a line only when it fails; main() ends with
   test_summary(), which prints "<name>: N passed, N failed" and returns the
   exit status. tests/run.sh adds the counts of all programs up. */
#ifndef LLM_TEST_H
#define LLM_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int test_passed_, test_failed_;

#define CHECK(cond, ...) do { \
    if (cond) test_passed_++; \
    else { test_failed_++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

/* A test that could not run (missing optional data): reported, not counted. */
#define SKIP(...) do { printf("SKIP: "); printf(__VA_ARGS__); printf("\n"); } while (0)

/* The whole file, malloc'd with a NUL after it (*len excludes it), or NULL. */
static inline char *test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;
    *len = 0;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; *len = (size_t)n; }
    return buf;
}

static int test_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}
#endif
