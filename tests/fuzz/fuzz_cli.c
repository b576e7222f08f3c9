/* Fuzz target: the parsers of examples/cli.h that the programs use on
   user input: cli_parse_ids (token id lists, as score --ids and tokenize
   --decode read them) on the input as it is, and the strict number parsers
   on it as one NUL-terminated string. Checked: every id accepted is below
   the vocabulary size; a failed parse has a NUL-terminated message without
   raw control bytes; an integer accepted prints back as the same digits. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "examples/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const size_t vocab = 50257;
    char err[256], *s, back[32];
    int32_t *ids;
    size_t n, i;
    long long v;
    uint64_t u;
    double d;
    if (cli_parse_ids((const char *)data, size, vocab, &ids, &n, err, sizeof err)) {
        for (i = 0; i < n; i++) FUZZ_CHECK(ids[i] >= 0 && (size_t)ids[i] < vocab, "id %d out of range", (int)ids[i]);
    } else {
        FUZZ_CHECK(memchr(err, 0, sizeof err) != NULL, "message not terminated");
        for (i = 0; err[i]; i++) FUZZ_CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] < 0x7f, "raw byte");
    }
    free(ids);
    s = (char *)malloc(size + 1);
    FUZZ_CHECK(s != NULL, "malloc");
    memcpy(s, data, size);
    s[size] = 0;
    if (cli_parse_int64(s, -1000, 1 << 30, &v)) {
        FUZZ_CHECK(v >= -1000 && v <= 1 << 30, "out of range: %lld", v);
        snprintf(back, sizeof back, "%lld", v);
        FUZZ_CHECK(!strcmp(back, s) || (s[0] == '-' && !strcmp(back, "0")) || s[s[0] == '-'] == '0',
                   "'%s' read as %lld", s, v);
    }
    if (cli_parse_uint64(s, &u)) FUZZ_CHECK(s[0] >= '0' && s[0] <= '9', "'%s' accepted", s);
    if (cli_parse_double(s, 0, 1e6, &d)) FUZZ_CHECK(d >= 0 && d <= 1e6, "%g out of range", d);
    free(s);
    return 0;
}
