/* Fuzz target: the HTTP request parser and the JSON reader/writer of
   examples/server.c (examples/server_http.h). Checks, for every input:
   - http_parse never reads past the buffer (ASan), and its answer is
     consistent: HTTP_OK gives a head that ends in a blank line within the
     input and the size limit, a body length within the limit, a path that
     starts with '/'; an error status comes with a message; and parsing
     any prefix of an accepted head says "incomplete" or the same error
     class, never accepts;
   - js_parse on the body (or the whole input): every string it returns is
     well-formed UTF-8 of the length it says, and writing each string with
     sb_json_str and reading that back gives the same bytes. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "examples/server_http.h"

#define FUZZ_MAX_HEAD 4096
#define FUZZ_MAX_BODY 8192

static void check_json(const char *p, size_t n) {
    js_doc d, d2;
    size_t i;
    if (!js_parse(&d, p, n)) {
        FUZZ_CHECK(d.error != NULL, "js_parse failed without a message");
        js_free(&d);
        return;
    }
    FUZZ_CHECK(d.n >= 1 && d.n <= n, "%zu values from %zu bytes", d.n, n);
    for (i = 0; i < d.n; i++) {
        const js_val *v = &d.v[i];
        size_t q = 0;
        sb b;
        if (v->type != JS_STR) continue;
        FUZZ_CHECK(v->s[v->len] == 0, "string %zu not terminated", i);
        while (q < v->len) {
            size_t l = llm_utf8_len(v->s + q, v->len - q);
            FUZZ_CHECK(l, "string %zu: invalid UTF-8 at %zu", i, q);
            q += l;
        }
        memset(&b, 0, sizeof b);
        sb_json_str(&b, v->s, v->len);
        FUZZ_CHECK(!b.oom, "out of memory");
        FUZZ_CHECK(js_parse(&d2, b.p, b.n) && d2.v[0].type == JS_STR, "written string does not parse: %s", b.p);
        FUZZ_CHECK(d2.v[0].len == v->len && !memcmp(d2.v[0].s, v->s, v->len), "string %zu changed on a round trip", i);
        js_free(&d2);
        sb_free(&b);
    }
    js_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data;
    http_request r;
    int st = http_parse(p, size, FUZZ_MAX_HEAD, FUZZ_MAX_BODY, &r);
    FUZZ_CHECK(st == HTTP_INCOMPLETE || st == HTTP_OK || (st >= 400 && st <= 505), "status %d", st);
    if (st >= 400) FUZZ_CHECK(r.error && *r.error, "status %d without a message", st);
    if (st == HTTP_INCOMPLETE) FUZZ_CHECK(size < FUZZ_MAX_HEAD, "incomplete at %zu bytes", size);
    if (st == HTTP_OK) {
        size_t k;
        FUZZ_CHECK(r.head_len >= 4 && r.head_len <= size && r.head_len <= FUZZ_MAX_HEAD, "head %zu of %zu", r.head_len, size);
        FUZZ_CHECK(!memcmp(p + r.head_len - 4, "\r\n\r\n", 4), "head does not end in a blank line");
        FUZZ_CHECK(r.content_length <= FUZZ_MAX_BODY, "body %zu", r.content_length);
        FUZZ_CHECK(r.path[0] == '/' && r.method[0], "path '%s', method '%s'", r.path, r.method);
        FUZZ_CHECK(!r.auth || (r.auth >= p && r.auth + r.auth_len <= p + r.head_len), "Authorization outside the head");
        /* no prefix of an accepted head is accepted */
        for (k = 0; k < r.head_len; k += 1 + r.head_len / 64) {
            http_request r2;
            int s2 = http_parse(p, k, FUZZ_MAX_HEAD, FUZZ_MAX_BODY, &r2);
            FUZZ_CHECK(s2 != HTTP_OK, "prefix %zu of an accepted head accepted", k);
        }
        check_json(p + r.head_len, size - r.head_len < r.content_length ? size - r.head_len : r.content_length);
    } else {
        check_json(p, size);
    }
    return 0;
}
