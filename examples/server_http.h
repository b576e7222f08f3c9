/* server_http.h - the parsers of examples/server.c, kept apart so that the
   fuzz target tests/fuzz/fuzz_http.c runs exactly this code:

   - http_parse(): one HTTP/1.1 request head from a buffer (request line,
     headers, Content-Length, Connection, Authorization, Expect), bounded
     in header size, header count and body size; never reads past the
     buffer, never allocates.
   - js_parse(): a strict RFC 8259 JSON reader into a flat array of values
     (depth <= JS_MAX_DEPTH, at most JS_MAX_VALUES values, strings must be
     well-formed UTF-8 and are decoded, lone surrogates rejected).
   - sb: a growable byte buffer with a JSON string writer (invalid UTF-8
     bytes are written as U+FFFD) and a base64 writer.
   - http_inputs_parse(): the 'input' member of POST /v1/embeddings and
     /classify (texts or token ids) from a parsed document.

   Plain C99, no POSIX; every function is static. UTF-8 and JSON strings
   are llm.h's (llm_utf8_len, llm_json_escape): include llm.h with
   LLM_IMPLEMENTATION in one file of the program. */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdarg.h>
#include "llm.h"

/* every function is static; not all of them are used by each includer */
#if defined(__GNUC__) || defined(__clang__)
#define HTTP_FN static __attribute__((unused))
#else
#define HTTP_FN static
#endif

/* ==========================================================================
   HTTP request head
   ========================================================================== */

#define HTTP_MAX_HEADERS 64
#define HTTP_MAX_TARGET 1024

enum { HTTP_INCOMPLETE = 0, HTTP_OK = 1 };   /* else: an HTTP status >= 400 */

typedef struct http_request {
    char method[16];
    char path[HTTP_MAX_TARGET + 1];   /* the target without its query */
    int minor;                        /* HTTP/1.<minor> */
    size_t head_len;                  /* bytes of the head, blank line included */
    size_t content_length;
    int keep_alive;                   /* 1.1 default, or "Connection: keep-alive" */
    int expect_continue;              /* "Expect: 100-continue" */
    const char *auth;                 /* Authorization value (in the buffer), or NULL */
    size_t auth_len;
    const char *error;                /* why it was rejected */
} http_request;

HTTP_FN int http_tchar(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}
HTTP_FN int http_ieq(const char *a, size_t n, const char *b) {
    size_t i;
    if (strlen(b) != n) return 0;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}
HTTP_FN int http_fail(http_request *r, int status, const char *why) { r->error = why; return status; }

/* Does the comma-separated token list v[0..n) hold token t? */
HTTP_FN int http_has_token(const char *v, size_t n, const char *t) {
    size_t i = 0;
    while (i < n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        s = i;
        while (i < n && v[i] != ',') i++;
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e > s && http_ieq(v + s, e - s, t)) return 1;
    }
    return 0;
}

/* One header line name[0..nl): value[0..vl). */
HTTP_FN int http_header(http_request *r, const char *name, size_t nl, const char *val, size_t vl,
                       size_t max_body, int *seen_cl) {
    if (http_ieq(name, nl, "content-length")) {
        size_t i, v = 0;
        if (!vl) return http_fail(r, 400, "empty Content-Length");
        for (i = 0; i < vl; i++) {
            if (val[i] < '0' || val[i] > '9') return http_fail(r, 400, "Content-Length is not a number");
            if (v > (max_body + 9) / 10 + 1) return http_fail(r, 413, "request body too large");
            v = v * 10 + (size_t)(val[i] - '0');
        }
        if (*seen_cl && v != r->content_length) return http_fail(r, 400, "conflicting Content-Length headers");
        if (v > max_body) return http_fail(r, 413, "request body too large");
        r->content_length = v;
        *seen_cl = 1;
    } else if (http_ieq(name, nl, "transfer-encoding")) {
        return http_fail(r, 400, "Transfer-Encoding (chunked request bodies) is not supported; send Content-Length");
    } else if (http_ieq(name, nl, "connection")) {
        if (http_has_token(val, vl, "close")) r->keep_alive = 0;
        else if (http_has_token(val, vl, "keep-alive")) r->keep_alive = 1;
    } else if (http_ieq(name, nl, "authorization")) {
        r->auth = val;
        r->auth_len = vl;
    } else if (http_ieq(name, nl, "expect")) {
        if (!http_ieq(val, vl, "100-continue")) return http_fail(r, 417, "unsupported Expect");
        r->expect_continue = 1;
    }
    return HTTP_OK;
}

/* Parses the head at buf[0..len). HTTP_INCOMPLETE: no blank line yet (and
   fewer than max_head bytes); HTTP_OK: *r is filled and the body is the
   next r->content_length bytes; otherwise the status to answer (400, 413,
   414, 417, 431, 501, 505) with r->error. */
HTTP_FN int http_parse(const char *buf, size_t len, size_t max_head, size_t max_body, http_request *r) {
    size_t i, end, ls, n_headers = 0;
    int seen_cl = 0;
    memset(r, 0, sizeof *r);
    /* the head ends at the first CRLF CRLF */
    for (end = 0; end + 3 < len; end++)
        if (buf[end] == '\r' && buf[end + 1] == '\n' && buf[end + 2] == '\r' && buf[end + 3] == '\n') break;
    if (end + 3 >= len) {
        if (len >= max_head) return http_fail(r, 431, "request head too large");
        /* reject garbage early: a request line starts with a method */
        for (i = 0; i < len && buf[i] != ' '; i++)
            if (!http_tchar((unsigned char)buf[i]) || i >= sizeof r->method - 1)
                return http_fail(r, 400, "bad request line");
        return HTTP_INCOMPLETE;
    }
    if (end + 4 > max_head) return http_fail(r, 431, "request head too large");
    r->head_len = end + 4;
    /* request line: METHOD SP TARGET SP HTTP/1.x CRLF */
    for (i = 0; i < end && buf[i] != ' '; i++)
        if (!http_tchar((unsigned char)buf[i]) || i >= sizeof r->method - 1) return http_fail(r, 400, "bad method");
    if (i == 0 || i >= end) return http_fail(r, 400, "bad request line");
    memcpy(r->method, buf, i);
    r->method[i] = 0;
    ls = ++i;
    while (i < end && buf[i] != ' ') {
        unsigned char c = (unsigned char)buf[i];
        if (c <= 0x20 || c >= 0x7f) return http_fail(r, 400, "bad request target");
        i++;
    }
    if (i == ls || buf[ls] != '/') return http_fail(r, 400, "bad request target");
    {
        size_t tl = i - ls, q;
        for (q = 0; q < tl && buf[ls + q] != '?'; q++) {}
        if (q > HTTP_MAX_TARGET) return http_fail(r, 414, "request target too long");
        memcpy(r->path, buf + ls, q);
        r->path[q] = 0;
    }
    if (i >= end || end - i < 9 || memcmp(buf + i, " HTTP/1.", 8) != 0 || buf[i + 9] != '\r' || buf[i + 10] != '\n')
        return (i < end && end - i >= 6 && !memcmp(buf + i, " HTTP/", 6))
                   ? http_fail(r, 505, "HTTP version not supported") : http_fail(r, 400, "bad request line");
    if (buf[i + 8] != '0' && buf[i + 8] != '1') return http_fail(r, 505, "HTTP version not supported");
    r->minor = buf[i + 8] - '0';
    r->keep_alive = r->minor == 1;
    i += 11;   /* past " HTTP/1.x\r\n" */
    /* headers: NAME ":" OWS VALUE OWS CRLF, no obsolete line folding */
    while (i < end + 2) {
        size_t ns = i, ne, vs, ve;
        int st;
        while (i < end && buf[i] != ':') {
            if (!http_tchar((unsigned char)buf[i])) return http_fail(r, 400, "bad header name");
            i++;
        }
        if (i == ns || i >= end) return http_fail(r, 400, "bad header line");
        ne = i++;
        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) i++;
        vs = i;
        while (i < end + 2 && buf[i] != '\r') {
            unsigned char c = (unsigned char)buf[i];
            if ((c < 0x20 && c != '\t') || c == 0x7f) return http_fail(r, 400, "bad header value");
            i++;
        }
        if (buf[i + 1] != '\n') return http_fail(r, 400, "bare CR in a header");
        ve = i;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
        if (++n_headers > HTTP_MAX_HEADERS) return http_fail(r, 431, "too many headers");
        st = http_header(r, buf + ns, ne - ns, buf + vs, ve - vs, max_body, &seen_cl);
        if (st != HTTP_OK) return st;
        i += 2;
    }
    return HTTP_OK;
}

/* ==========================================================================
   Byte buffer and JSON writer
   ========================================================================== */

typedef struct sb { char *p; size_t n, cap; int oom; } sb;

HTTP_FN int sb_reserve(sb *b, size_t extra) {
    size_t nc;
    char *np;
    if (b->oom) return 0;
    if (extra < b->cap - b->n) return 1;
    if (extra > ((size_t)-1) / 4 - b->n) { b->oom = 1; return 0; }
    nc = b->cap ? b->cap : 256;
    while (nc - b->n <= extra) nc *= 2;
    np = (char *)realloc(b->p, nc);
    if (!np) { b->oom = 1; return 0; }
    b->p = np;
    b->cap = nc;
    return 1;
}
HTTP_FN void sb_add(sb *b, const void *s, size_t n) {
    if (!sb_reserve(b, n)) return;
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
HTTP_FN void sb_puts(sb *b, const char *s) { sb_add(b, s, strlen(s)); }
HTTP_FN void sb_printf(sb *b, const char *fmt, ...) {
    char tmp[512];
    int k;
    va_list ap;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    sb_add(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}
HTTP_FN void sb_free(sb *b) { free(b->p); b->p = NULL; b->n = b->cap = 0; b->oom = 0; }

/* s[0..n) as a JSON string, quotes included (llm_json_escape: a byte that
   is not part of a valid UTF-8 character as U+FFFD). */
HTTP_FN void sb_json_str(sb *b, const char *s, size_t n) {
    sb_add(b, "\"", 1);
    while (n && sb_reserve(b, 256)) {
        size_t k, used = llm_json_escape(s, n, b->p + b->n, 256, &k);
        b->n += k;
        s += used;
        n -= used;
    }
    sb_add(b, "\"", 1);
}

/* ==========================================================================
   JSON reader
   ========================================================================== */

#define JS_MAX_DEPTH 32
#define JS_MAX_VALUES 262144

enum { JS_NULL, JS_FALSE, JS_TRUE, JS_NUM, JS_STR, JS_ARR, JS_OBJ };

typedef struct js_val {
    int type;
    size_t n;             /* children (arrays, objects) */
    size_t next;          /* index of the next sibling, 0 for none */
    size_t first;         /* index of the first child, 0 for none */
    double num;
    const char *s;        /* strings: decoded, NUL-terminated */
    size_t len;
    const char *key;      /* member name, decoded (object members) */
    size_t key_len;
} js_val;

typedef struct js_doc {
    js_val *v;            /* v[0] is the root */
    size_t n, cap;
    char *str;            /* decoded strings */
    size_t str_n;
    const char *src;
    size_t src_n, i;
    const char *error;
} js_doc;

HTTP_FN void js_free(js_doc *d) { free(d->v); free(d->str); memset(d, 0, sizeof *d); }

HTTP_FN int js_err(js_doc *d, const char *why) { if (!d->error) d->error = why; return 0; }
HTTP_FN void js_ws(js_doc *d) {
    while (d->i < d->src_n &&
           (d->src[d->i] == ' ' || d->src[d->i] == '\t' || d->src[d->i] == '\n' || d->src[d->i] == '\r')) d->i++;
}
HTTP_FN size_t js_new(js_doc *d, int type) {
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 64;
        js_val *nv;
        if (nc > JS_MAX_VALUES) nc = JS_MAX_VALUES;
        if (d->n == nc) { js_err(d, "too many JSON values"); return 0; }
        nv = (js_val *)realloc(d->v, nc * sizeof *nv);
        if (!nv) { js_err(d, "out of memory"); return 0; }
        d->v = nv;
        d->cap = nc;
    }
    memset(&d->v[d->n], 0, sizeof d->v[0]);
    d->v[d->n].type = type;
    return d->n++;
}
HTTP_FN int js_hex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
HTTP_FN int js_hex4(js_doc *d, size_t at, uint32_t *cp) {
    int k;
    *cp = 0;
    if (at + 4 > d->src_n) return 0;
    for (k = 0; k < 4; k++) {
        int h = js_hex((unsigned char)d->src[at + (size_t)k]);
        if (h < 0) return 0;
        *cp = *cp * 16 + (uint32_t)h;
    }
    return 1;
}
/* Decodes the string at d->i (the opening quote) into d->str. */
HTTP_FN int js_string(js_doc *d, const char **out, size_t *out_len) {
    char *o = d->str + d->str_n;
    size_t k = 0;
    d->i++;
    while (d->i < d->src_n) {
        unsigned char c = (unsigned char)d->src[d->i];
        if (c == '"') {
            d->i++;
            o[k] = 0;
            *out = o;
            *out_len = k;
            d->str_n += k + 1;
            return 1;
        }
        if (c < 0x20) return js_err(d, "control character in a JSON string");
        if (c == '\\') {
            uint32_t cp;
            if (d->i + 1 >= d->src_n) break;
            c = (unsigned char)d->src[d->i + 1];
            d->i += 2;
            switch (c) {
            case '"': case '\\': case '/': o[k++] = (char)c; continue;
            case 'b': o[k++] = '\b'; continue;
            case 'f': o[k++] = '\f'; continue;
            case 'n': o[k++] = '\n'; continue;
            case 'r': o[k++] = '\r'; continue;
            case 't': o[k++] = '\t'; continue;
            case 'u': break;
            default: return js_err(d, "bad escape in a JSON string");
            }
            if (!js_hex4(d, d->i, &cp)) return js_err(d, "bad \\u escape");
            d->i += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff) return js_err(d, "lone surrogate in a JSON string");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo;
                if (d->i + 2 > d->src_n || d->src[d->i] != '\\' || d->src[d->i + 1] != 'u' ||
                    !js_hex4(d, d->i + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return js_err(d, "lone surrogate in a JSON string");
                d->i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            /* \uXXXX is 6 bytes for at most 3 out, a pair 12 for 4 */
            if (cp < 0x80) o[k++] = (char)cp;
            else if (cp < 0x800) { o[k++] = (char)(0xc0 | (cp >> 6)); o[k++] = (char)(0x80 | (cp & 0x3f)); }
            else if (cp < 0x10000) {
                o[k++] = (char)(0xe0 | (cp >> 12)); o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                o[k++] = (char)(0x80 | (cp & 0x3f));
            } else {
                o[k++] = (char)(0xf0 | (cp >> 18)); o[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
                o[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[k++] = (char)(0x80 | (cp & 0x3f));
            }
            continue;
        }
        {
            size_t l = llm_utf8_len(d->src + d->i, d->src_n - d->i);
            if (!l) return js_err(d, "invalid UTF-8 in a JSON string");
            memcpy(o + k, d->src + d->i, l);
            k += l;
            d->i += l;
        }
    }
    return js_err(d, "unterminated JSON string");
}
HTTP_FN int js_number(js_doc *d, double *out) {
    size_t i = d->i, st;
    char tmp[64];
    const char *s = d->src;
    if (i < d->src_n && s[i] == '-') i++;
    if (i >= d->src_n) return js_err(d, "bad JSON number");
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') while (i < d->src_n && s[i] >= '0' && s[i] <= '9') i++;
    else return js_err(d, "bad JSON number");
    if (i < d->src_n && s[i] == '.') {
        st = ++i;
        while (i < d->src_n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return js_err(d, "bad JSON number");
    }
    if (i < d->src_n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < d->src_n && (s[i] == '+' || s[i] == '-')) i++;
        st = i;
        while (i < d->src_n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == st) return js_err(d, "bad JSON number");
    }
    if (i - d->i >= sizeof tmp) return js_err(d, "JSON number too long");
    memcpy(tmp, s + d->i, i - d->i);
    tmp[i - d->i] = 0;
    *out = strtod(tmp, NULL);
    d->i = i;
    return 1;
}
HTTP_FN int js_lit(js_doc *d, const char *w) {
    size_t l = strlen(w);
    if (d->src_n - d->i < l || memcmp(d->src + d->i, w, l)) return js_err(d, "bad JSON literal");
    d->i += l;
    return 1;
}
HTTP_FN int js_value(js_doc *d, size_t *out, int depth);
HTTP_FN int js_container(js_doc *d, size_t me, int depth) {
    int obj = d->v[me].type == JS_OBJ;
    size_t last = 0;
    d->i++;
    js_ws(d);
    if (d->i < d->src_n && d->src[d->i] == (obj ? '}' : ']')) { d->i++; return 1; }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0, child;
        if (obj) {
            js_ws(d);
            if (d->i >= d->src_n || d->src[d->i] != '"') return js_err(d, "expected a member name");
            if (!js_string(d, &key, &key_len)) return 0;
            js_ws(d);
            if (d->i >= d->src_n || d->src[d->i] != ':') return js_err(d, "expected ':'");
            d->i++;
        }
        if (!js_value(d, &child, depth + 1)) return 0;
        d->v[child].key = key;
        d->v[child].key_len = key_len;
        if (last) d->v[last].next = child; else d->v[me].first = child;
        last = child;
        d->v[me].n++;
        js_ws(d);
        if (d->i >= d->src_n) return js_err(d, "unterminated JSON container");
        if (d->src[d->i] == ',') { d->i++; continue; }
        if (d->src[d->i] == (obj ? '}' : ']')) { d->i++; return 1; }
        return js_err(d, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}
HTTP_FN int js_value(js_doc *d, size_t *out, int depth) {
    unsigned char c;
    size_t me;
    js_ws(d);
    if (d->i >= d->src_n) return js_err(d, "unexpected end of JSON");
    c = (unsigned char)d->src[d->i];
    if (c == '{' || c == '[') {
        if (depth >= JS_MAX_DEPTH) return js_err(d, "JSON nested too deeply");
        me = js_new(d, c == '{' ? JS_OBJ : JS_ARR);
        if (d->error) return 0;
        *out = me;
        return js_container(d, me, depth);
    }
    if (c == '"') {
        const char *s;
        size_t l;
        me = js_new(d, JS_STR);
        if (d->error || !js_string(d, &s, &l)) return 0;
        d->v[me].s = s;
        d->v[me].len = l;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        double x;
        me = js_new(d, JS_NUM);
        if (d->error || !js_number(d, &x)) return 0;
        d->v[me].num = x;
    } else if (c == 't') { me = js_new(d, JS_TRUE); if (d->error || !js_lit(d, "true")) return 0; }
    else if (c == 'f') { me = js_new(d, JS_FALSE); if (d->error || !js_lit(d, "false")) return 0; }
    else if (c == 'n') { me = js_new(d, JS_NULL); if (d->error || !js_lit(d, "null")) return 0; }
    else return js_err(d, "unexpected character in JSON");
    *out = me;
    return 1;
}

/* Parses src[0..n) (need not be NUL-terminated). 1: d->v[0] is the root;
   0: d->error says why (the document is freed either way by js_free). */
HTTP_FN int js_parse(js_doc *d, const char *src, size_t n) {
    size_t root;
    memset(d, 0, sizeof *d);
    d->src = src;
    d->src_n = n;
    /* decoded strings are never longer than their source */
    d->str = (char *)malloc(n + 1);
    if (!d->str) return js_err(d, "out of memory");
    if (!js_value(d, &root, 0)) return 0;
    js_ws(d);
    if (d->i != n) return js_err(d, "trailing characters after JSON");
    return 1;
}

/* Member key of object v (index), or 0 (the root is never a member). */
HTTP_FN size_t js_get(const js_doc *d, size_t obj, const char *key) {
    size_t c, found = 0, kl = strlen(key);
    if (d->v[obj].type != JS_OBJ) return 0;
    for (c = d->v[obj].first; c; c = d->v[c].next)
        if (d->v[c].key_len == kl && !memcmp(d->v[c].key, key, kl)) found = c;   /* the last one wins */
    return found;
}
/* Is v an integer in [lo, hi]? */
HTTP_FN int js_is_int(const js_val *v, double lo, double hi) {
    return v->type == JS_NUM && v->num >= lo && v->num <= hi && v->num == (double)(long long)v->num;
}
/* ---- inputs of /v1/embeddings and /classify -------------------------------- */

#define HTTP_MAX_INPUTS 2048   /* as OpenAI's embeddings */

/* One input: a text (a string of the document) or token ids. */
typedef struct http_input {
    const char *s;        /* the text, or NULL */
    size_t len;           /* its bytes */
    const int32_t *ids;   /* else its token ids (in http_inputs.ids) */
    size_t n_ids;
} http_input;
typedef struct http_inputs {
    http_input *in;
    size_t n;
    int32_t *ids;         /* every id input's ids, one after another */
    const char *error;    /* why http_inputs_parse refused */
} http_inputs;

HTTP_FN void http_inputs_free(http_inputs *x) { free(x->in); free(x->ids); x->in = NULL; x->ids = NULL; x->n = 0; }

/* The value v of d (an 'input' member) as inputs: a string, an array of
   strings, an array of token ids (one input) or an array of arrays of ids;
   strings and id arrays must not be empty, ids are integers in [0, n_vocab),
   at most HTTP_MAX_INPUTS inputs. 1, or 0 with x->error set (x empty). */
HTTP_FN int http_inputs_parse(const js_doc *d, size_t v, long n_vocab, http_inputs *x) {
    size_t e, c, k = 0, m = 0, n_ids = 0;
    int kind;
    memset(x, 0, sizeof *x);
    if (!v || (d->v[v].type != JS_STR && d->v[v].type != JS_ARR)) {
        x->error = "'input' must be a string, an array of strings, an array of token ids or an array of arrays of ids";
        return 0;
    }
    if (d->v[v].type == JS_ARR && !d->v[v].n) { x->error = "'input' is an empty array"; return 0; }
    kind = d->v[v].type == JS_STR ? JS_STR : d->v[d->v[v].first].type;   /* JS_STR, JS_NUM or JS_ARR */
    if (d->v[v].type == JS_ARR && kind != JS_STR && kind != JS_NUM && kind != JS_ARR) {
        x->error = "'input' must hold strings, token ids or arrays of token ids";
        return 0;
    }
    /* check every element, count inputs and ids */
    for (e = d->v[v].type == JS_STR ? v : d->v[v].first; e; e = d->v[v].type == JS_STR ? 0 : d->v[e].next) {
        if (d->v[e].type != kind) { x->error = "'input' mixes strings, token ids and arrays"; return 0; }
        if (kind == JS_STR && !d->v[e].len) { x->error = "an input string is empty"; return 0; }
        if (kind == JS_ARR && !d->v[e].n) { x->error = "an input array of token ids is empty"; return 0; }
        for (c = kind == JS_NUM ? e : kind == JS_ARR ? d->v[e].first : 0; c; c = kind == JS_NUM ? 0 : d->v[c].next) {
            if (!js_is_int(&d->v[c], 0, (double)n_vocab - 1)) {
                x->error = "token ids must be integers in [0, vocab size)";
                return 0;
            }
            n_ids++;
        }
        if (kind != JS_NUM || !m) m++;
    }
    if (m > HTTP_MAX_INPUTS) { x->error = "more than 2048 inputs in one request"; return 0; }
    x->in = (http_input *)calloc(m, sizeof *x->in);
    x->ids = (int32_t *)malloc((n_ids ? n_ids : 1) * sizeof *x->ids);
    if (!x->in || !x->ids) { http_inputs_free(x); x->error = "out of memory"; return 0; }
    x->n = m;
    m = 0;
    for (e = d->v[v].type == JS_STR ? v : d->v[v].first; e; e = d->v[v].type == JS_STR ? 0 : d->v[e].next) {
        http_input *in = &x->in[kind == JS_NUM ? 0 : m++];
        if (kind == JS_STR) { in->s = d->v[e].s; in->len = d->v[e].len; continue; }
        if (!in->ids) in->ids = x->ids + k;
        for (c = kind == JS_NUM ? e : d->v[e].first; c; c = kind == JS_NUM ? 0 : d->v[c].next) {
            x->ids[k++] = (int32_t)d->v[c].num;
            in->n_ids++;
        }
    }
    return 1;
}

/* n bytes as standard base64 (RFC 4648, padded). */
HTTP_FN void sb_base64(sb *b, const unsigned char *p, size_t n) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    char q[4];
    for (i = 0; i + 2 < n; i += 3) {
        unsigned long w = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
        q[0] = A[w >> 18]; q[1] = A[(w >> 12) & 63]; q[2] = A[(w >> 6) & 63]; q[3] = A[w & 63];
        sb_add(b, q, 4);
    }
    if (i < n) {
        unsigned long w = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0);
        q[0] = A[w >> 18]; q[1] = A[(w >> 12) & 63]; q[2] = i + 1 < n ? A[(w >> 6) & 63] : '='; q[3] = '=';
        sb_add(b, q, 4);
    }
}
#endif /* SERVER_HTTP_H */
