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
     sb_json_str and reading that back gives the same bytes;
   - http_inputs_parse (the 'input' of /v1/embeddings and /classify) on the
     'input' member and on the document's first arrays and strings: a
     refusal has a message and no inputs; an acceptance has 1 to
     HTTP_MAX_INPUTS inputs, each a non-empty string of the document or
     non-empty ids in [0, vocab), inside its id buffer, all ids used;
   - sb_base64 of the input's bytes: the length 4 * ceil(n / 3), and it
     decodes back to the bytes. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include "examples/server_http.h"

#define FUZZ_MAX_HEAD 4096
#define FUZZ_MAX_BODY 8192

#define FUZZ_VOCAB 301

static void check_inputs(const js_doc *d, size_t v) {
    http_inputs x;
    size_t i, j, used = 0;
    if (!http_inputs_parse(d, v, FUZZ_VOCAB, &x)) {
        FUZZ_CHECK(x.error && *x.error && !x.in && !x.ids && !x.n, "a refusal without a message, or with inputs");
        return;
    }
    FUZZ_CHECK(x.n >= 1 && x.n <= HTTP_MAX_INPUTS && x.in && x.ids, "%zu inputs", x.n);
    for (i = 0; i < x.n; i++) {
        const http_input *in = &x.in[i];
        if (in->s) {
            FUZZ_CHECK(in->len > 0 && !in->ids && in->s >= d->str && in->s + in->len <= d->str + d->str_n,
                       "input %zu: a text outside the document", i);
            continue;
        }
        FUZZ_CHECK(in->ids == x.ids + used && in->n_ids > 0, "input %zu: ids not next in the buffer", i);
        for (j = 0; j < in->n_ids; j++) FUZZ_CHECK(in->ids[j] >= 0 && in->ids[j] < FUZZ_VOCAB, "input %zu: id", i);
        used += in->n_ids;
    }
    http_inputs_free(&x);
}

static void check_base64(const unsigned char *p, size_t n) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    sb b;
    size_t i, k = 0;
    unsigned long w = 0;
    int bits = 0;
    memset(&b, 0, sizeof b);
    sb_base64(&b, p, n);
    FUZZ_CHECK(!b.oom && b.n == (n + 2) / 3 * 4, "base64 of %zu bytes: %zu characters", n, b.n);
    for (i = 0; i < b.n && b.p[i] != '='; i++) {
        const char *c = strchr(A, b.p[i]);
        FUZZ_CHECK(c && b.p[i], "base64: character %zu", i);
        w = (w << 6 | (unsigned long)(c - A)) & 0xffffff;
        if ((bits += 6) >= 8) {
            bits -= 8;
            FUZZ_CHECK(k < n && (unsigned char)(w >> bits) == p[k], "base64: byte %zu does not decode back", k);
            k++;
        }
    }
    FUZZ_CHECK(k == n && b.n - i == (3 - n % 3) % 3, "base64: %zu of %zu bytes back, %zu pads", k, n, b.n - i);
    sb_free(&b);
}

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
    check_inputs(&d, js_get(&d, 0, "input"));
    for (i = 1; i < d.n && i < 64; i++) if (d.v[i].type == JS_ARR || d.v[i].type == JS_STR) check_inputs(&d, i);
    js_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data;
    http_request r;
    int st = http_parse(p, size, FUZZ_MAX_HEAD, FUZZ_MAX_BODY, &r);
    check_base64(data, size < 512 ? size : 512);
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
