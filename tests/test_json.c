/* tests/test_json.c - llm.h's JSON parser (llm__json_parse and its readers: get, eq, str, uint, double), the
   one every loader uses (safetensors headers, config.json, generation_config.json, tokenizer files, shard indexes):
   token structure, string and number decoding, every kind of invalid document (LLM_ERR_FORMAT with a message),
   and the nesting limit (64 levels; deeper is LLM_ERR_LIMIT). The internal functions are reached by including
   llm.h with LLM_IMPLEMENTATION. Every input is a string here; tests/fuzz/fuzz_json.c checks the parser against
   an independent reference parser on generated inputs. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static int has(const char *msg, const char *needle) { return msg && needle && strstr(msg, needle) != NULL; }
/* A failure left a real message (not empty, not the "no error" default). */
static int real_msg(const char *msg) { return msg && msg[0] && strcmp(msg, "no error") != 0; }

/* open n times, then mid, then close n times: malloc'd, NUL-terminated */
static char *nest(const char *open, const char *mid, const char *close, int n) {
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close), at = 0;
    char *s = (char *)malloc((size_t)n * (lo + lc) + lm + 1);
    int i;
    if (!s) { printf("out of memory\n"); exit(2); }
    for (i = 0; i < n; i++, at += lo) memcpy(s + at, open, lo);
    memcpy(s + at, mid, lm);
    at += lm;
    for (i = 0; i < n; i++, at += lc) memcpy(s + at, close, lc);
    s[at] = 0;
    return s;
}

static llm_status jparse(llm__json *j, const char *s, char *err) {
    err[0] = 0;
    return llm__json_parse(j, s, strlen(s), err);
}

static void test_json(void) {
    char err[LLM_ERROR_SIZE];
    llm__json j;
    llm_status r;

    /* structure, `end`, `n` */
    r = jparse(&j, " {\"a\" : [1, {\"b\": null}], \"c\": \"x\", \"d\": [], \"e\": {}, \"f\": [true, false]}\n", err);
    CHECK(r == LLM_OK, "json: nested document rejected: %s", err);
    if (r == LLM_OK) {
        /* 0 {  1 "a"  2 [  3 1  4 {  5 "b"  6 null  7 "c"  8 "x"  9 "d"  10 []
           11 "e"  12 {}  13 "f"  14 [  15 true  16 false */
        CHECK(j.n == 17, "json: %zu tokens, want 17", j.n);
        CHECK(j.t[0].type == LLM__J_OBJ && j.t[0].n == 5 && j.t[0].end == 17, "json: root obj n=%zu end=%zu", (size_t)j.t[0].n, (size_t)j.t[0].end);
        CHECK(j.t[1].type == LLM__J_STR && j.t[1].end == 2 && j.t[1].len == 1, "json: key token");
        CHECK(j.t[2].type == LLM__J_ARR && j.t[2].n == 2 && j.t[2].end == 7, "json: array n=%zu end=%zu", (size_t)j.t[2].n, (size_t)j.t[2].end);
        CHECK(j.t[3].type == LLM__J_NUM && j.t[3].end == 4 && j.t[3].len == 1, "json: number token");
        CHECK(j.t[4].type == LLM__J_OBJ && j.t[4].n == 1 && j.t[4].end == 7, "json: inner obj n=%zu end=%zu", (size_t)j.t[4].n, (size_t)j.t[4].end);
        CHECK(j.t[6].type == LLM__J_NULL, "json: null");
        CHECK(j.t[10].type == LLM__J_ARR && j.t[10].n == 0 && j.t[10].end == 11, "json: empty array");
        CHECK(j.t[12].type == LLM__J_OBJ && j.t[12].n == 0 && j.t[12].end == 13, "json: empty object");
        CHECK(j.t[14].type == LLM__J_ARR && j.t[14].n == 2 && j.t[14].end == 17, "json: bool array");
        CHECK(j.t[15].type == LLM__J_TRUE && j.t[16].type == LLM__J_FALSE, "json: true/false");
        CHECK(llm__json_get(&j, 0, "c") == 8, "json: get c = %zu", llm__json_get(&j, 0, "c"));
        CHECK(llm__json_get(&j, 0, "f") == 14, "json: get f");
        CHECK(llm__json_get(&j, 0, "zz") == (size_t)-1, "json: get missing key");
        CHECK(llm__json_get(&j, 2, "a") == (size_t)-1, "json: get on an array");
        CHECK(llm__json_get(&j, 4, "b") == 6, "json: get in the inner object");
        CHECK(llm__json_eq(&j, 8, "x") && !llm__json_eq(&j, 8, "xy") && !llm__json_eq(&j, 3, "1"), "json: eq");
        llm__json_free(&j);
    }
    llm__json_free(&j); /* twice: safe */

    /* scalars at the top level */
    r = jparse(&j, "42", err);
    CHECK(r == LLM_OK && j.n == 1 && j.t[0].type == LLM__J_NUM, "json: top-level number");
    llm__json_free(&j);
    r = jparse(&j, "\"s\"", err);
    CHECK(r == LLM_OK && j.n == 1 && j.t[0].type == LLM__J_STR, "json: top-level string");
    llm__json_free(&j);

    /* string decoding */
    {
        const char *doc = "[\"a\\u00e9\\n\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\r\\t\\u00E9z\", \"plain\", \"\\u0041\", \"\\ud800\", \"\\udc00\", \"\\ud800\\u0041\", \"\\ud800x\", \"\\ud800\\n\"]";
        static const unsigned char want[] = { 'a', 0xc3, 0xa9, '\n', 0xf0, 0x9f, 0x98, 0x80, '"', '\\', '/', '\b', '\f', '\r', '\t', 0xc3, 0xa9, 'z' };
        char out[64];
        size_t len = 99;
        int i;
        r = jparse(&j, doc, err);
        CHECK(r == LLM_OK && j.n == 9, "json: string array rejected: %s", err);
        if (r == LLM_OK && j.n == 9) {
            CHECK(j.t[1].escaped && !j.t[2].escaped, "json: escaped flags");
            CHECK(llm__json_str(&j, 1, out, &len) == 1, "json: decode escapes");
            CHECK(len == sizeof want && memcmp(out, want, sizeof want) == 0 && out[len] == 0, "json: decoded bytes (len %zu)", len);
            CHECK(llm__json_str(&j, 2, out, &len) == 1 && len == 5 && !strcmp(out, "plain"), "json: plain string");
            CHECK(llm__json_str(&j, 3, out, &len) == 1 && len == 1 && !strcmp(out, "A"), "json: \\u0041");
            for (i = 4; i <= 8; i++) CHECK(llm__json_str(&j, (size_t)i, out, &len) == 0, "json: lone surrogate in string %d accepted", i);
        }
        llm__json_free(&j);
    }

    /* numbers */
    {
        const char *doc = "[0, 1.5, -1, 1e3, 18446744073709551615, 18446744073709551616, 1e-05, -0.5, 3.25e2, 0.1, "
                          "123456789012345678901, 1E+2, -0, 7, \"7\", 1e400, 1e-400, 99999999999999999999]";
        uint64_t u = 12345;
        double d = 0;
        r = jparse(&j, doc, err);
        CHECK(r == LLM_OK && j.n == 19, "json: number array rejected: %s", err);
        if (r == LLM_OK && j.n == 19) {
            CHECK(llm__json_uint(&j, 1, &u) && u == 0, "json: uint 0");
            u = 12345;
            CHECK(!llm__json_uint(&j, 2, &u) && u == 12345, "json: uint accepted 1.5");
            CHECK(!llm__json_uint(&j, 3, &u), "json: uint accepted -1");
            CHECK(!llm__json_uint(&j, 4, &u), "json: uint accepted 1e3");
            CHECK(llm__json_uint(&j, 5, &u) && u == UINT64_MAX, "json: uint 2^64-1");
            CHECK(!llm__json_uint(&j, 6, &u), "json: uint accepted 2^64 (overflow)");
            CHECK(!llm__json_uint(&j, 13, &u), "json: uint accepted -0");
            CHECK(llm__json_uint(&j, 14, &u) && u == 7, "json: uint 7");
            CHECK(!llm__json_uint(&j, 15, &u), "json: uint accepted a string");
            CHECK(!llm__json_uint(&j, 0, &u), "json: uint accepted an array");
            CHECK(!llm__json_uint(&j, 18, &u), "json: uint accepted 99999999999999999999");
            CHECK(llm__json_double(&j, 7, &d) && fabs(d - 1e-5) <= 1e-12 * 1e-5, "json: 1e-05 -> %.17g", d);
            CHECK(llm__json_double(&j, 7, &d) && (float)d == 1e-5f, "json: 1e-05 as float");
            CHECK(llm__json_double(&j, 8, &d) && d == -0.5, "json: -0.5 -> %.17g", d);
            CHECK(llm__json_double(&j, 9, &d) && d == 325.0, "json: 3.25e2 -> %.17g", d);
            CHECK(llm__json_double(&j, 10, &d) && fabs(d - 0.1) <= 1e-16, "json: 0.1 -> %.17g", d);
            CHECK(llm__json_double(&j, 11, &d) && fabs(d / 1.23456789012345678901e20 - 1) < 1e-15, "json: 21-digit integer -> %.17g", d);
            CHECK(llm__json_double(&j, 12, &d) && d == 100.0, "json: 1E+2 -> %.17g", d);
            CHECK(llm__json_double(&j, 13, &d) && d == 0.0, "json: -0 -> %.17g", d);
            CHECK(llm__json_double(&j, 2, &d) && d == 1.5, "json: 1.5 -> %.17g", d);
            CHECK(llm__json_double(&j, 6, &d) && fabs(d / 18446744073709551616.0 - 1) < 1e-15, "json: 2^64 as double");
            CHECK(llm__json_double(&j, 16, &d) && d > 1e308, "json: 1e400 -> %.17g (want inf)", d);
            CHECK(llm__json_double(&j, 17, &d) && d == 0.0, "json: 1e-400 -> %.17g (want 0)", d);
            CHECK(!llm__json_double(&j, 15, &d), "json: double accepted a string");
        }
        llm__json_free(&j);
    }

    /* invalid documents: FORMAT (or LIMIT for depth) */
    {
        static const char *const bad[] = {
            "", " ", "{", "}", "[", "]", "[}", "{]", "{\"a\":1]", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}",
            "{a:1}", "{'a':1}", "{1:2}", "[01]", "[1.]", "[-]", "[+1]", "[.5]", "[1e]", "[1e+]", "[-01]", "[0x10]",
            "[NaN]", "[Infinity]", "[tru]", "[nul]", "[True]", "[1 2]", "[\"a\" \"b\"]", "{} {}", "{}x", "[1]]",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\", "\"a\nb\"", "\"a\tb\"", "[1]\f", "\xef\xbb\xbf{}",
            "/* c */ {}", "[1,,2]", "[,1]", "{\"a\"::1}", "{,}", "[\"\\U0041\"]"
        };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            r = jparse(&j, bad[i], err);
            CHECK(r == LLM_ERR_FORMAT && j.t == NULL && real_msg(err), "json: bad document %zu accepted or wrong status %s", i, llm_status_string(r));
            llm__json_free(&j);
        }
    }

    /* nesting: 64 levels are fine, 65 are LLM_ERR_LIMIT (in both shapes) */
    {
        char *s = nest("[", "", "]", 64);
        r = jparse(&j, s, err);
        CHECK(r == LLM_OK && j.n == 64 && j.t[0].end == 64 && j.t[62].n == 1 && j.t[63].n == 0,
              "json: depth 64 rejected: %s", err);
        llm__json_free(&j);
        free(s);
        s = nest("[", "", "]", 65);
        r = jparse(&j, s, err);
        CHECK(r == LLM_ERR_LIMIT && has(err, "nesting"), "json: depth 65 gave %s (%s)", llm_status_string(r), err);
        llm__json_free(&j);
        free(s);
        s = nest("{\"k\":", "1", "}", 65);
        r = jparse(&j, s, err);
        CHECK(r == LLM_ERR_LIMIT, "json: object depth 65 gave %s", llm_status_string(r));
        llm__json_free(&j);
        free(s);
        /* unbalanced but deep: LIMIT is found before the end */
        s = nest("[", "", "", 100000);
        r = jparse(&j, s, err);
        CHECK(r == LLM_ERR_LIMIT, "json: 100000 open brackets gave %s", llm_status_string(r));
        llm__json_free(&j);
        free(s);
    }
}

int main(void) {
    test_json();
    return test_summary("test_json");
}
