/* Fuzz target: llm.h's internal JSON parser (llm__json_parse) and its
   accessors, checked against an independent reference: a small recursive
   RFC 8259 validator/decoder written here, which must agree on accept or
   reject (and on the depth limit), on the token count, on the decoded bytes
   of every string and on the value of every number. */
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "fuzz_common.h"
#include <math.h>

/* ---- reference ----------------------------------------------------------- */

enum { REF_OK = 0, REF_FORMAT, REF_LIMIT };

typedef struct {
    const unsigned char *s;
    size_t n, i, count;
    int err;
} ref_t;

static void ref_ws(ref_t *r) {
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r')) r->i++;
}

/* length of a well-formed UTF-8 character at p (RFC 3629), or 0 */
static size_t ref_utf8(const unsigned char *p, size_t n, uint32_t *cp) {
    uint32_t c;
    size_t len, k;
    if (p[0] < 0x80) { *cp = p[0]; return 1; }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) { len = 2; c = p[0] & 0x1fu; }
    else if (p[0] >= 0xe0 && p[0] <= 0xef) { len = 3; c = p[0] & 0x0fu; }
    else if (p[0] >= 0xf0 && p[0] <= 0xf4) { len = 4; c = p[0] & 0x07u; }
    else return 0;
    if (n < len) return 0;
    for (k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (p[k] & 0x3fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return len;
}

static int ref_hex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Validate a string body starting after the quote; r->i ends after the
   closing quote. */
static int ref_string(ref_t *r) {
    while (r->i < r->n) {
        unsigned char c = r->s[r->i];
        uint32_t cp;
        if (c == '"') { r->i++; return 1; }
        if (c < 0x20) return 0;
        if (c == '\\') {
            if (r->i + 1 >= r->n) return 0;
            c = r->s[r->i + 1];
            if (c == 'u') {
                int k;
                if (r->i + 6 > r->n) return 0;
                for (k = 2; k < 6; k++) if (ref_hex(r->s[r->i + k]) < 0) return 0;
                r->i += 6;
                continue;
            }
            if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't') return 0;
            r->i += 2;
            continue;
        }
        {
            size_t l = ref_utf8(r->s + r->i, r->n - r->i, &cp);
            if (!l) return 0;
            r->i += l;
        }
    }
    return 0;
}

static int ref_number(ref_t *r) {
    size_t i = r->i, st;
    if (i < r->n && r->s[i] == '-') i++;
    if (i >= r->n) return 0;
    if (r->s[i] == '0') i++;
    else if (r->s[i] >= '1' && r->s[i] <= '9') while (i < r->n && r->s[i] >= '0' && r->s[i] <= '9') i++;
    else return 0;
    if (i < r->n && r->s[i] == '.') {
        st = ++i;
        while (i < r->n && r->s[i] >= '0' && r->s[i] <= '9') i++;
        if (i == st) return 0;
    }
    if (i < r->n && (r->s[i] == 'e' || r->s[i] == 'E')) {
        i++;
        if (i < r->n && (r->s[i] == '+' || r->s[i] == '-')) i++;
        st = i;
        while (i < r->n && r->s[i] >= '0' && r->s[i] <= '9') i++;
        if (i == st) return 0;
    }
    r->i = i;
    return 1;
}

static int ref_value(ref_t *r, int depth);

static int ref_lit(ref_t *r, const char *w) {
    size_t l = strlen(w);
    if (r->n - r->i < l || memcmp(r->s + r->i, w, l)) return 0;
    r->i += l;
    return 1;
}

static int ref_value(ref_t *r, int depth) {
    unsigned char c;
    ref_ws(r);
    if (r->i >= r->n) { r->err = REF_FORMAT; return 0; }
    c = r->s[r->i];
    r->count++;
    if (c == '{' || c == '[') {
        int obj = c == '{';
        if (depth >= LLM_JSON_MAX_DEPTH) { r->err = REF_LIMIT; return 0; }
        r->i++;
        ref_ws(r);
        if (r->i < r->n && r->s[r->i] == (obj ? '}' : ']')) { r->i++; return 1; }
        for (;;) {
            if (obj) {
                ref_ws(r);
                if (r->i >= r->n || r->s[r->i] != '"') { r->err = REF_FORMAT; return 0; }
                r->i++;
                if (!ref_string(r)) { r->err = REF_FORMAT; return 0; }
                r->count++;
                ref_ws(r);
                if (r->i >= r->n || r->s[r->i] != ':') { r->err = REF_FORMAT; return 0; }
                r->i++;
            }
            if (!ref_value(r, depth + 1)) return 0;
            ref_ws(r);
            if (r->i >= r->n) { r->err = REF_FORMAT; return 0; }
            if (r->s[r->i] == ',') { r->i++; continue; }
            if (r->s[r->i] == (obj ? '}' : ']')) { r->i++; return 1; }
            r->err = REF_FORMAT;
            return 0;
        }
    }
    if (c == '"') { r->i++; if (ref_string(r)) return 1; r->err = REF_FORMAT; return 0; }
    if (c == '-' || (c >= '0' && c <= '9')) { if (ref_number(r)) return 1; r->err = REF_FORMAT; return 0; }
    if (ref_lit(r, "true") || ref_lit(r, "false") || ref_lit(r, "null")) return 1;
    r->err = REF_FORMAT;
    return 0;
}

static int ref_parse(const unsigned char *s, size_t n, size_t *count) {
    ref_t r;
    r.s = s; r.n = n; r.i = 0; r.count = 0; r.err = REF_OK;
    if (!ref_value(&r, 0)) return r.err;
    ref_ws(&r);
    if (r.i != n) return REF_FORMAT;
    *count = r.count;
    return REF_OK;
}

/* Decode string body s[0..n) (escapes already validated); returns 0 for a
   lone surrogate escape. */
static int ref_decode(const unsigned char *s, size_t n, unsigned char *out, size_t *len) {
    size_t i = 0, k = 0;
    while (i < n) {
        uint32_t cp;
        if (s[i] != '\\') { out[k++] = s[i++]; continue; }
        switch (s[i + 1]) {
        case 'b': cp = 8; break;
        case 'f': cp = 12; break;
        case 'n': cp = 10; break;
        case 'r': cp = 13; break;
        case 't': cp = 9; break;
        case 'u': {
            int q;
            cp = 0;
            for (q = 2; q < 6; q++) cp = cp * 16 + (uint32_t)ref_hex(s[i + q]);
            i += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff) return 0;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo = 0;
                if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u') return 0;
                for (q = 2; q < 6; q++) lo = lo * 16 + (uint32_t)ref_hex(s[i + q]);
                if (lo < 0xdc00 || lo > 0xdfff) return 0;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
            goto put;
        }
        default: cp = s[i + 1]; break;
        }
        i += 2;
    put:
        if (cp < 0x80) out[k++] = (unsigned char)cp;
        else if (cp < 0x800) { out[k++] = (unsigned char)(0xc0 | (cp >> 6)); out[k++] = (unsigned char)(0x80 | (cp & 0x3f)); }
        else if (cp < 0x10000) { out[k++] = (unsigned char)(0xe0 | (cp >> 12)); out[k++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); out[k++] = (unsigned char)(0x80 | (cp & 0x3f)); }
        else { out[k++] = (unsigned char)(0xf0 | (cp >> 18)); out[k++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f)); out[k++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f)); out[k++] = (unsigned char)(0x80 | (cp & 0x3f)); }
    }
    *len = k;
    return 1;
}

/* ---- checks on llm.h's tokens --------------------------------------------- */

static void check_number(const llm__json *j, size_t ti, const char *s) {
    const llm__jtok *t = &j->t[ti];
    char buf[64];
    uint64_t u;
    double d;
    int digits_only = 1;
    size_t i;
    for (i = 0; i < t->len; i++) if (s[t->start + i] < '0' || s[t->start + i] > '9') digits_only = 0;
    if (llm__json_uint(j, ti, &u)) {
        FUZZ_CHECK(digits_only, "json_uint accepted a non-integer");
        if (t->len < sizeof buf) {
            memcpy(buf, s + t->start, t->len); buf[t->len] = 0;
            FUZZ_CHECK(strtoull(buf, NULL, 10) == u, "json_uint %llu for %s", (unsigned long long)u, buf);
        }
    } else if (digits_only) {
        /* only overflow may fail: more than 20 digits, or above UINT64_MAX */
        FUZZ_CHECK(t->len >= 20, "json_uint rejected %.*s", (int)t->len, s + t->start);
    }
    FUZZ_CHECK(llm__json_double(j, ti, &d), "json_double rejected a number");
    if (t->len < sizeof buf) {
        double ref;
        memcpy(buf, s + t->start, t->len); buf[t->len] = 0;
        ref = strtod(buf, NULL);
        if (fabs(ref) >= 1e-250 && fabs(ref) <= 1e250)
            FUZZ_CHECK(fabs(d - ref) <= 1e-13 * fabs(ref), "json_double %.17g, strtod %.17g for %s", d, ref, buf);
        if (ref == 0) FUZZ_CHECK(d == 0, "json_double %.17g for zero %s", d, buf);
        FUZZ_CHECK(!(ref > 0 && d < 0) && !(ref < 0 && d > 0), "json_double sign %g vs %g", d, ref);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    llm__json j;
    char err[LLM_ERROR_SIZE];
    size_t ref_count = 0, i;
    int ref = ref_parse(data, size, &ref_count);
    llm_status r;
    unsigned char *a, *b;

    err[0] = 0;
    r = llm__json_parse(&j, (const char *)data, size, err);
    FUZZ_CHECK(r == LLM_OK || r == LLM_ERR_FORMAT || r == LLM_ERR_LIMIT || r == LLM_ERR_OUT_OF_MEMORY, "status %d", (int)r);
    if (r == LLM_ERR_OUT_OF_MEMORY) return 0;
    if (r != LLM_OK) {
        fuzz_check_msg(err);
        FUZZ_CHECK(ref != REF_OK, "llm.h rejects (%s: %s), the reference accepts", llm_status_string(r), err);
        FUZZ_CHECK((ref == REF_LIMIT) == (r == LLM_ERR_LIMIT), "reference %d, llm.h %s: %s", ref, llm_status_string(r), err);
        FUZZ_CHECK(j.t == NULL, "tokens left after a failure");
        return 0;
    }
    FUZZ_CHECK(ref == REF_OK, "llm.h accepts, the reference rejects (%d)", ref);
    FUZZ_CHECK(j.n == ref_count, "%zu tokens, reference %zu", j.n, ref_count);
    FUZZ_CHECK(j.n >= 1 && j.t[0].end == j.n, "root end %u of %zu", (unsigned)j.t[0].end, j.n);

    a = (unsigned char *)malloc(size + 1);
    b = (unsigned char *)malloc(size + 1);
    FUZZ_CHECK(a && b, "malloc");
    for (i = 0; i < j.n; i++) {
        const llm__jtok *t = &j.t[i];
        FUZZ_CHECK(t->end > i && t->end <= j.n, "token %zu end %u", i, (unsigned)t->end);
        FUZZ_CHECK(t->start <= size && t->len <= size - t->start, "token %zu span", i);
        switch (t->type) {
        case LLM__J_OBJ: case LLM__J_ARR: {
            size_t c = i + 1, k;
            FUZZ_CHECK(data[t->start] == (t->type == LLM__J_OBJ ? '{' : '['), "container %zu start", i);
            for (k = 0; k < t->n; k++) {
                FUZZ_CHECK(c < t->end, "child %zu of %zu past the end", k, i);
                if (t->type == LLM__J_OBJ) {
                    FUZZ_CHECK(j.t[c].type == LLM__J_STR && j.t[c].end == c + 1, "key %zu of %zu", k, i);
                    c = j.t[c + 1].end;
                } else c = j.t[c].end;
            }
            FUZZ_CHECK(c == t->end, "container %zu: children end at %zu, end %u", i, c, (unsigned)t->end);
            break;
        }
        case LLM__J_STR: {
            size_t la = 0, lb = 0;
            int oa, ob;
            FUZZ_CHECK(t->end == i + 1 && t->start >= 1 && data[t->start - 1] == '"' && t->start + t->len < size && data[t->start + t->len] == '"',
                       "string %zu bounds", i);
            FUZZ_CHECK(t->escaped == (memchr(data + t->start, '\\', t->len) != NULL), "string %zu escaped flag", i);
            oa = llm__json_str(&j, i, (char *)a, &la);
            ob = ref_decode(data + t->start, t->len, b, &lb);
            FUZZ_CHECK(oa == ob, "string %zu: llm.h %d, reference %d", i, oa, ob);
            if (oa) {
                size_t q = 0;
                FUZZ_CHECK(la == lb && !memcmp(a, b, la), "string %zu decodes differently", i);
                FUZZ_CHECK(la <= t->len && a[la] == 0, "string %zu length", i);
                while (q < la) { uint32_t cp; size_t l = ref_utf8(a + q, la - q, &cp); FUZZ_CHECK(l, "string %zu: invalid UTF-8 out", i); q += l; }
            }
            break;
        }
        case LLM__J_NUM:
            FUZZ_CHECK(t->end == i + 1 && t->len >= 1, "number %zu", i);
            check_number(&j, i, (const char *)data);
            break;
        case LLM__J_TRUE: FUZZ_CHECK(t->end == i + 1 && size - t->start >= 4 && !memcmp(data + t->start, "true", 4), "true %zu", i); break;
        case LLM__J_FALSE: FUZZ_CHECK(t->end == i + 1 && size - t->start >= 5 && !memcmp(data + t->start, "false", 5), "false %zu", i); break;
        case LLM__J_NULL: FUZZ_CHECK(t->end == i + 1 && size - t->start >= 4 && !memcmp(data + t->start, "null", 4), "null %zu", i); break;
        default: FUZZ_CHECK(0, "token %zu has type %d", i, t->type);
        }
    }
    /* llm__json_get / llm__json_eq: look every key of the root object up;
       the last key that decodes to it must be found (llm.h compares escaped
       keys only when their raw text is under 128 bytes) */
    if (j.t[0].type == LLM__J_OBJ) {
        size_t k, c = 1, q;
        for (k = 0; k < j.t[0].n && k < 16; k++, c = j.t[c + 1].end) {
            size_t la = 0, want = (size_t)-1, cc, kk;
            if (!llm__json_str(&j, c, (char *)a, &la) || memchr(a, 0, la)) continue;
            for (kk = 0, cc = 1; kk < j.t[0].n; kk++, cc = j.t[cc + 1].end) {
                size_t lb = 0;
                if (j.t[cc].escaped && j.t[cc].len >= 128) continue;
                if (llm__json_str(&j, cc, (char *)b, &lb) && lb == la && !memcmp(a, b, la)) want = cc + 1;
            }
            q = llm__json_get(&j, 0, (const char *)a);
            FUZZ_CHECK(q == want, "json_get of key %zu: %zu, want %zu", k, q, want);
        }
    }
    free(a);
    free(b);
    llm__json_free(&j);
    FUZZ_CHECK(j.t == NULL && j.n == 0, "json_free");
    return 0;
}
