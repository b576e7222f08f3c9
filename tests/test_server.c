/* test_server: build/server (examples/server.c) over HTTP on 127.0.0.1, on
   the shipped model (models/shakespeare). Run from the repository root
   after `make`; the server is the one beside this program (build/server,
   or build-san/server under make sanitize). Each server is started on a
   free port (--port 0: the kernel picks it, the server prints it) and is
   killed at the end, on failure too (and with the test if it dies: Linux
   PR_SET_PDEATHSIG); alarm() bounds the whole run.

   Expected values come from elsewhere: build/generate with the same
   settings, PyTorch's greedy ids (tests/data/shakespeare-ref/greedy.txt),
   sequential runs for the concurrent ones, and the official `openai` npm
   client (tests/server/, installed by .ci/run; SKIP without it). */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include <ctype.h>
#include <sys/stat.h>
#include "llm.h"
#include "test.h"
#include "../examples/server_http.h"
#include "server_client.h"

#define MODEL "models/shakespeare"
#define N_CLIENTS 32

static char server_bin[1024], generate_bin[1024];

/* One request (Connection: close) -> the status; the body in *body. */
static int http(int port, const char *method, const char *path, const char *json, const char *extra_head, sb *body) {
    sb req, resp;
    int fd = connect_to(port), st = 0;
    char *p;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    if (body) body->n = 0;
    if (fd < 0) return -1;
    sb_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method, path, extra_head ? extra_head : "");
    if (json) sb_printf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(json));
    sb_puts(&req, "\r\n");
    if (json) sb_puts(&req, json);
    if (send_str(fd, req.p, req.n)) read_all(fd, &resp, 60);
    close(fd);
    if (resp.n > 12 && !memcmp(resp.p, "HTTP/1.1 ", 9)) st = atoi(resp.p + 9);
    p = resp.p ? strstr(resp.p, "\r\n\r\n") : NULL;
    if (body && p) sb_add(body, p + 4, resp.n - (size_t)(p + 4 - resp.p));
    sb_free(&req);
    sb_free(&resp);
    return st;
}

/* Member path in a JSON text: "choices.0.text" style; the value index or 0. */
static size_t jpath(js_doc *d, const char *path) {
    size_t v = 0;
    char key[64];
    while (*path) {
        size_t l = strcspn(path, ".");
        if (l >= sizeof key) return 0;
        memcpy(key, path, l); key[l] = 0;
        if (d->v[v].type == JS_OBJ) v = js_get(d, v, key);
        else if (d->v[v].type == JS_ARR) {
            long k = atol(key);
            size_t c = d->v[v].first;
            while (c && k-- > 0) c = d->v[c].next;
            v = k < 0 ? c : 0;
            if (!c) return 0;
        } else return 0;
        if (!v) return 0;
        path += l + (path[l] == '.');
    }
    return v;
}
/* A string member as a new C string (NULL if absent or not a string). */
static char *jstr(const char *json, const char *path) {
    js_doc d;
    char *out = NULL;
    size_t v;
    memset(&d, 0, sizeof d);
    if (json && js_parse(&d, json, strlen(json)) && (v = jpath(&d, path)) && d.v[v].type == JS_STR) {
        out = (char *)malloc(d.v[v].len + 1);
        if (out) memcpy(out, d.v[v].s, d.v[v].len + 1);
    }
    js_free(&d);
    return out;
}
static double jnum(const char *json, const char *path) {
    js_doc d;
    double x = -1;
    size_t v;
    memset(&d, 0, sizeof d);
    if (json && js_parse(&d, json, strlen(json)) && (v = jpath(&d, path)) && d.v[v].type == JS_NUM) x = d.v[v].num;
    js_free(&d);
    return x;
}

/* build/generate's stdout for these arguments. */
static char *run_generate(const char *args) {
    char cmd[2048];
    FILE *f;
    sb b;
    char tmp[4096];
    size_t k;
    memset(&b, 0, sizeof b);
    snprintf(cmd, sizeof cmd, "%s -m %s -q %s 2>/dev/null", generate_bin, MODEL, args);
    f = popen(cmd, "r");
    if (!f) return NULL;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) sb_add(&b, tmp, k);
    pclose(f);
    sb_add(&b, "", 0);
    return b.p;
}

/* SSE stream: the text of choice 0 concatenated; *done: ended with [DONE];
   *usage: completion_tokens of the usage chunk. */
static char *stream_text(const char *body, int *done, double *usage, int *finish_stop) {
    sb t;
    const char *p = body;
    memset(&t, 0, sizeof t);
    sb_add(&t, "", 0);
    *done = 0; *usage = -1; *finish_stop = 0;
    while (p && (p = strstr(p, "data: ")) != NULL) {
        const char *e = strstr(p, "\n\n");
        char *line, *s;
        size_t l;
        if (!e) break;
        p += 6;
        l = (size_t)(e - p);
        line = (char *)malloc(l + 1);
        memcpy(line, p, l); line[l] = 0;
        if (!strcmp(line, "[DONE]")) *done = 1;
        else if ((s = jstr(line, "choices.0.text")) != NULL) { sb_puts(&t, s); free(s); }
        if ((s = jstr(line, "choices.0.finish_reason")) != NULL) { *finish_stop = !strcmp(s, "stop"); free(s); }
        if (jnum(line, "usage.completion_tokens") >= 0) *usage = jnum(line, "usage.completion_tokens");
        free(line);
        p = e;
    }
    return t.p;
}

static void test_generate_equal(int port) {
    sb b;
    char *want, *got, *expect;
    memset(&b, 0, sizeof b);
    /* sampled: the same seed and settings give build/generate's text */
    want = run_generate("-p 'JULIET:' --seed 7 --temperature 0.8 --top-k 40 --max-new-tokens 40 --ignore-eos");
    CHECK(http(port, "POST", "/v1/completions",
               "{\"model\":\"x\",\"prompt\":\"JULIET:\",\"seed\":7,\"temperature\":0.8,\"top_k\":40,\"max_tokens\":40,"
               "\"ignore_eos\":true,\"unknown_field\":[1,{\"a\":null}]}", NULL, &b) == 200, "completion: %s", b.p);
    got = jstr(b.p, "choices.0.text");
    expect = (char *)malloc(strlen("JULIET:") + (got ? strlen(got) : 0) + 2);
    sprintf(expect, "JULIET:%s\n", got ? got : "");
    CHECK(want && got && !strcmp(expect, want), "seed 7: server '%s', generate '%s'", expect, want ? want : "(none)");
    CHECK(jnum(b.p, "usage.completion_tokens") == 40 && jnum(b.p, "usage.prompt_tokens") == 2 &&
          jnum(b.p, "usage.total_tokens") == 42, "usage: %s", b.p);
    free(want); free(got); free(expect);
    /* default sampling (temperature 1, no top-k) with seed 3 */
    want = run_generate("-p 'ROMEO:' --seed 3 --top-k 0 --max-new-tokens 30 --ignore-eos");
    http(port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"seed\":3,\"max_tokens\":30,\"ignore_eos\":true}", NULL, &b);
    got = jstr(b.p, "choices.0.text");
    expect = (char *)malloc(strlen("ROMEO:") + (got ? strlen(got) : 0) + 2);
    sprintf(expect, "ROMEO:%s\n", got ? got : "");
    CHECK(want && got && !strcmp(expect, want), "seed 3: server '%s', generate '%s'", expect, want ? want : "(none)");
    free(want); free(got); free(expect);
    /* top_p 0 keeps only the best token (HF, OpenAI): temperature 1 gives greedy's text */
    want = run_generate("-p 'ROMEO:' --greedy --max-new-tokens 30 --ignore-eos");
    http(port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"seed\":3,\"top_p\":0,\"max_tokens\":30,"
         "\"ignore_eos\":true}", NULL, &b);
    got = jstr(b.p, "choices.0.text");
    expect = (char *)malloc(strlen("ROMEO:") + (got ? strlen(got) : 0) + 2);
    sprintf(expect, "ROMEO:%s\n", got ? got : "");
    CHECK(want && got && !strcmp(expect, want), "top_p 0: server '%s', greedy '%s'", expect, want ? want : "(none)");
    free(want); free(got); free(expect);
    sb_free(&b);
}

/* greedy from token ids = PyTorch's greedy ids (decoded by /detokenize) */
static void test_greedy_reference(int port) {
    size_t len;
    char *ref = test_read_file("tests/data/shakespeare-ref/greedy.txt", &len), *l2, *l3, *e, *got, *want;
    sb req, b;
    memset(&req, 0, sizeof req);
    memset(&b, 0, sizeof b);
    if (!ref) { CHECK(0, "tests/data/shakespeare-ref/greedy.txt missing"); return; }
    l2 = strchr(ref, '\n') + 1; l3 = strchr(l2, '\n'); *l3++ = 0; e = strchr(l3, '\n'); if (e) *e = 0;
    for (e = l2; *e; e++) if (*e == ' ') *e = ',';
    for (e = l3; *e; e++) if (*e == ' ') *e = ',';
    sb_printf(&req, "{\"prompt\":[%s],\"temperature\":0,\"max_tokens\":32,\"ignore_eos\":true}", l2);
    CHECK(http(port, "POST", "/v1/completions", req.p, NULL, &b) == 200, "greedy: %s", b.p);
    got = jstr(b.p, "choices.0.text");
    req.n = 0;
    sb_puts(&req, "{\"tokens\":[");
    sb_add(&req, l3, strlen(l3));
    sb_puts(&req, "]}");
    CHECK(http(port, "POST", "/detokenize", req.p, NULL, &b) == 200, "detokenize: %s", b.p);
    want = jstr(b.p, "content");
    CHECK(got && want && !strcmp(got, want), "greedy text '%s', PyTorch's '%s'", got ? got : "", want ? want : "");
    /* /tokenize gives the reference prompt ids back */
    CHECK(http(port, "POST", "/tokenize", "{\"content\":\"ROMEO: But soft, what light through yonder window breaks?\"}",
               NULL, &b) == 200, "tokenize");
    req.n = 0;
    sb_printf(&req, "{\"tokens\":[%s]}", l2);
    CHECK(b.p && strstr(req.p, "[") && !strcmp(b.p, req.p), "tokenize: %s, want %s", b.p, req.p);
    free(got); free(want); free(ref);
    sb_free(&req); sb_free(&b);
}

static void test_stream(int port) {
    sb b;
    char *plain, *streamed;
    int done, stop;
    double usage;
    const char *q = "{\"prompt\":\"KING HENRY:\",\"seed\":11,\"max_tokens\":60,\"temperature\":0.9%s}";
    char req[256];
    memset(&b, 0, sizeof b);
    snprintf(req, sizeof req, q, "");
    http(port, "POST", "/v1/completions", req, NULL, &b);
    plain = jstr(b.p, "choices.0.text");
    snprintf(req, sizeof req, q, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    CHECK(http(port, "POST", "/v1/completions", req, NULL, &b) == 200, "stream status");
    streamed = stream_text(b.p, &done, &usage, &stop);
    CHECK(plain && streamed && !strcmp(plain, streamed), "streamed '%s', plain '%s'", streamed, plain ? plain : "");
    CHECK(done, "the stream does not end with data: [DONE]");
    CHECK(usage > 0, "no usage chunk in the stream");
    free(streamed);
    /* with a stop string: the text ends before it, streamed the same */
    snprintf(req, sizeof req, q, ",\"stop\":[\"the\",\"\\n\\n\"]");
    http(port, "POST", "/v1/completions", req, NULL, &b);
    {
        char *st = jstr(b.p, "choices.0.text"), *fr = jstr(b.p, "choices.0.finish_reason");
        char *cut1 = plain ? strstr(plain, "the") : NULL, *cut2 = plain ? strstr(plain, "\n\n") : NULL, *cut;
        cut = cut1 && (!cut2 || cut1 < cut2) ? cut1 : cut2;
        CHECK(st && cut && strlen(st) == (size_t)(cut - plain) && !strncmp(st, plain, strlen(st)) && fr && !strcmp(fr, "stop"),
              "stop: '%s' (%s) from '%s'", st ? st : "", fr ? fr : "", plain ? plain : "");
        snprintf(req, sizeof req, q, ",\"stop\":[\"the\",\"\\n\\n\"],\"stream\":true");
        http(port, "POST", "/v1/completions", req, NULL, &b);
        streamed = stream_text(b.p, &done, &usage, &stop);
        CHECK(st && streamed && !strcmp(st, streamed) && stop && done, "stop, streamed: '%s' vs '%s'", streamed, st ? st : "");
        free(st); free(fr); free(streamed);
    }
    /* n = 2: choice 1 is the request with seed + 1 */
    http(port, "POST", "/v1/completions", "{\"prompt\":\"KING HENRY:\",\"seed\":12,\"max_tokens\":20}", NULL, &b);
    {
        char *one = jstr(b.p, "choices.0.text"), *two;
        http(port, "POST", "/v1/completions", "{\"prompt\":\"KING HENRY:\",\"seed\":11,\"max_tokens\":20,\"n\":2}", NULL, &b);
        two = jstr(b.p, "choices.1.text");
        CHECK(one && two && !strcmp(one, two), "n=2: choice 1 '%s', seed 12 alone '%s'", two ? two : "", one ? one : "");
        free(one); free(two);
    }
    /* logprobs: one token and 2 alternatives per generated token */
    CHECK(http(port, "POST", "/v1/completions", "{\"prompt\":\"KING\",\"max_tokens\":3,\"logprobs\":2,\"temperature\":0}", NULL,
               &b) == 200 && jnum(b.p, "choices.0.logprobs.token_logprobs.2") <= 0 &&
          jnum(b.p, "choices.0.logprobs.text_offset.0") == 0 && jnum(b.p, "choices.0.logprobs.token_logprobs.3") == -1,
          "logprobs: %s", b.p);
    free(plain);
    sb_free(&b);
}

/* 32 clients at once get what each got alone. */
static void test_concurrent(int port) {
    static const char *prompts[] = { "ROMEO:", "JULIET:", "KING HENRY:", "First Citizen:", "MENENIUS:", "O", "The", "What" };
    char *alone[N_CLIENTS], req[N_CLIENTS][256];
    int fd[N_CLIENTS], i, ok = 0;
    sb resp[N_CLIENTS], b;
    double t0;
    memset(&b, 0, sizeof b);
    for (i = 0; i < N_CLIENTS; i++) {
        snprintf(req[i], sizeof req[i], "{\"prompt\":\"%s\",\"seed\":%d,\"max_tokens\":%d,\"temperature\":0.8%s}",
                 prompts[i % 8], 100 + i, 8 + (i * 7) % 40, i % 3 == 0 ? ",\"stream\":true" : "");
        http(port, "POST", "/v1/completions", req[i], NULL, &b);
        if (i % 3 == 0) { int d, s; double u; alone[i] = stream_text(b.p, &d, &u, &s); }
        else alone[i] = jstr(b.p, "choices.0.text");
    }
    for (i = 0; i < N_CLIENTS; i++) {
        sb r;
        memset(&r, 0, sizeof r);
        memset(&resp[i], 0, sizeof resp[i]);
        sb_printf(&r, "POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                  strlen(req[i]), req[i]);
        fd[i] = connect_to(port);
        if (fd[i] >= 0 && !send_str(fd[i], r.p, r.n)) { close(fd[i]); fd[i] = -1; }
        sb_free(&r);
    }
    /* read every answer as it comes */
    t0 = now_s();
    for (;;) {
        struct pollfd pf[N_CLIENTS];
        int n = 0, k;
        for (i = 0; i < N_CLIENTS; i++) if (fd[i] >= 0) { pf[n].fd = fd[i]; pf[n].events = POLLIN; pf[n].revents = 0; n++; }
        if (!n || now_s() - t0 > 120) break;
        if (poll(pf, (nfds_t)n, 500) <= 0) continue;
        for (k = 0; k < n; k++) {
            char tmp[4096];
            ssize_t got;
            if (!pf[k].revents) continue;
            for (i = 0; i < N_CLIENTS && fd[i] != pf[k].fd; i++) {}
            got = recv(fd[i], tmp, sizeof tmp, 0);
            if (got > 0) sb_add(&resp[i], tmp, (size_t)got);
            else { close(fd[i]); fd[i] = -1; }
        }
    }
    for (i = 0; i < N_CLIENTS; i++) {
        char *body = resp[i].p ? strstr(resp[i].p, "\r\n\r\n") : NULL, *text;
        if (fd[i] >= 0) close(fd[i]);
        if (body && i % 3 == 0) { int d, s; double u; text = stream_text(body + 4, &d, &u, &s); if (!d) { free(text); text = NULL; } }
        else text = body ? jstr(body + 4, "choices.0.text") : NULL;
        if (alone[i] && text && !strcmp(alone[i], text)) ok++;
        else printf("FAIL test_server: client %d: '%s', alone '%s'\n", i, text ? text : "(none)", alone[i] ? alone[i] : "(none)");
        free(text); free(alone[i]);
        sb_free(&resp[i]);
    }
    CHECK(ok == N_CLIENTS, "%d of %d concurrent clients got their answer", ok, N_CLIENTS);
    /* and they were decoded together: one forward pass for all 8 slots */
    http(port, "GET", "/health", NULL, NULL, &b);
    CHECK(jnum(b.p, "most_slots_in_one_step") == 8, "most slots in one step: %s", b.p);
    sb_free(&b);
}

/* Raw bytes (then our end half-closed, unless stall) -> the status of the
   answer (0: none, the connection dropped). */
static int raw_send(int port, const char *bytes, size_t n, int stall) {
    sb resp;
    int fd = connect_to(port), st = 0;
    memset(&resp, 0, sizeof resp);
    if (fd < 0) return -1;
    if (send_str(fd, bytes, n)) { if (!stall) shutdown(fd, SHUT_WR); read_all(fd, &resp, 30); }
    close(fd);
    if (resp.n > 12 && !memcmp(resp.p, "HTTP/1.1 ", 9)) st = atoi(resp.p + 9);
    sb_free(&resp);
    return st;
}
static int raw(int port, const char *bytes, size_t n) { return raw_send(port, bytes, n, 0); }

static void test_bad_requests(int port) {
    static const struct { const char *req; int want; } cases[] = {
        { "GARBAGE\r\n\r\n", 400 },
        { "\x01\x02\x03\xff\xfe binary\r\n\r\n", 400 },
        { "GET /health HTTP/9.9\r\n\r\n", 505 },
        { "GET  HTTP/1.1\r\n\r\n", 400 },
        { "GET /health HTTP/1.1\r\nNo colon here\r\n\r\n", 400 },
        { "GET /health HTTP/1.1\r\n folded: x\r\n\r\n", 400 },
        { "POST /v1/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400 },
        { "POST /v1/completions HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400 },
        { "POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400 },
        { "POST /v1/completions HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413 },
        { "POST /v1/completions HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413 },
        { "GET /nowhere HTTP/1.1\r\n\r\n", 404 },
        { "DELETE /v1/completions HTTP/1.1\r\n\r\n", 405 },
    };
    static const struct { const char *body; int want; } bodies[] = {
        { "{\"prompt\":\"ROMEO:\"", 400 },
        { "[1,2,3]", 400 },
        { "{\"prompt\":\"a\\ud800\"}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"temperature\":\"hot\"}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"max_tokens\":1.5}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"max_tokens\":100000}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"n\":1000}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"stream\":1}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"stop\":[1]}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"logprobs\":9}", 400 },
        { "{\"prompt\":[1,2,99999]}", 400 },
        { "{\"prompt\":{}}", 400 },
        { "{\"max_tokens\":3}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"echo\":true}", 400 },
        { "{\"prompt\":\"ROMEO:\",\"seed\":-1}", 400 },
    };
    size_t i;
    sb b, big;
    int st;
    memset(&b, 0, sizeof b);
    memset(&big, 0, sizeof big);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st = raw(port, cases[i].req, strlen(cases[i].req));
        CHECK(st == cases[i].want, "raw request %zu: status %d, want %d", i, st, cases[i].want);
    }
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char *msg;
        st = http(port, "POST", "/v1/completions", bodies[i].body, NULL, &b);
        msg = jstr(b.p, "error.message");
        CHECK(st == bodies[i].want && msg && *msg, "body %s: status %d, want %d (%s)", bodies[i].body, st, bodies[i].want, b.p);
        free(msg);
    }
    /* a head past 16 KiB, a prompt past the context */
    sb_puts(&big, "GET /health HTTP/1.1\r\nX-Big: ");
    for (i = 0; i < 20000; i++) sb_add(&big, "a", 1);
    sb_puts(&big, "\r\n\r\n");
    st = raw(port, big.p, big.n);
    CHECK(st == 431, "20 KB header: %d", st);
    big.n = 0;
    sb_puts(&big, "{\"prompt\":\"");
    for (i = 0; i < 300; i++) sb_puts(&big, "word ");
    sb_puts(&big, "\"}");
    st = http(port, "POST", "/v1/completions", big.p, NULL, &b);
    CHECK(st == 400 && b.p && strstr(b.p, "context"), "prompt past the context: %d %s", st, b.p);
    /* keep-alive: two requests on one connection, then the server still answers */
    {
        static const char two[] = "GET /health HTTP/1.1\r\n\r\nGET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n";
        int fd = connect_to(port);
        b.n = 0;
        if (fd >= 0 && send_str(fd, two, sizeof two - 1)) read_all(fd, &b, 30);
        if (fd >= 0) close(fd);
        CHECK(b.p && strstr(b.p, "\"status\":\"ok\"") && strstr(b.p, "\"object\":\"list\"") && strstr(b.p, "shakespeare"),
              "pipelined keep-alive requests: %s", b.p);
    }
    st = http(port, "GET", "/health", NULL, NULL, &b);
    CHECK(st == 200 && b.p && strstr(b.p, "\"status\":\"ok\""), "health after the bad requests: %d", st);
    sb_free(&b);
    sb_free(&big);
}

/* --parallel 1 --queue 0 --timeout 1 --api-key: keys, 503, timeouts, a
   client that leaves mid-stream, and a graceful shutdown. */
static void test_limits(void) {
    static const char *const flags[] = { "--parallel", "1", "--queue", "0", "--timeout", "1", "--api-key", "s3cret", NULL };
    static const char *const long_req = "{\"prompt\":\"ROMEO:\",\"max_tokens\":250,\"ignore_eos\":true,\"stream\":true}";
    srv_proc s;
    sb b, r;
    int st, fd, i;
    double t0;
    memset(&s, 0, sizeof s);
    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    if (!start_server(&s, server_bin, MODEL, flags)) { CHECK(0, "server with --api-key did not start"); return; }
    CHECK(http(s.port, "GET", "/v1/models", NULL, NULL, &b) == 401, "no key: not 401");
    CHECK(http(s.port, "GET", "/v1/models", NULL, "Authorization: Bearer s3creT\r\n", &b) == 401, "wrong key: not 401");
    CHECK(http(s.port, "GET", "/v1/models", NULL, "Authorization: Bearer s3cret\r\n", &b) == 200, "right key: not 200");
    CHECK(http(s.port, "GET", "/health", NULL, NULL, &b) == 200, "/health needs no key");
    CHECK(http(s.port, "GET", "/", NULL, NULL, &b) == 200, "the web page needs no key");
    /* a stalled client: 408 after the 1 s timeout */
    t0 = now_s();
    st = raw_send(s.port, "POST /v1/completions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{", 55, 1);
    CHECK(st == 408 && now_s() - t0 < 10, "stalled body: status %d after %.1f s", st, now_s() - t0);
    /* the only slot busy with a stream: another request gets 503 */
    fd = connect_to(s.port);
    sb_printf(&r, "POST /v1/completions HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nContent-Length: %zu\r\n\r\n%s",
              strlen(long_req), long_req);
    b.n = 0;
    if (fd >= 0 && send_str(fd, r.p, r.n)) {
        t0 = now_s();
        while (!(b.p && strstr(b.p, "data: ")) && now_s() - t0 < 30) {
            char tmp[512];
            ssize_t k = recv(fd, tmp, sizeof tmp, 0);
            if (k <= 0) break;
            sb_add(&b, tmp, (size_t)k);
        }
    }
    CHECK(b.p && strstr(b.p, "data: "), "no first chunk of the stream");
    st = http(s.port, "POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}", "Authorization: Bearer s3cret\r\n", &r);
    CHECK(st == 503, "busy server (queue 0): status %d", st);
    /* leave mid-stream: the slot is freed (cancelled), a new request runs */
    if (fd >= 0) close(fd);
    t0 = now_s();
    for (i = 0; now_s() - t0 < 30; i++) {
        http(s.port, "GET", "/health", NULL, NULL, &b);
        if (b.p && strstr(b.p, "\"slots_idle\":1") && strstr(b.p, "\"cancelled\":1")) break;
        nap_ms(20);
    }
    CHECK(b.p && strstr(b.p, "\"slots_idle\":1") && strstr(b.p, "\"cancelled\":1"), "after the client left: %s", b.p);
    st = http(s.port, "POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}", "Authorization: Bearer s3cret\r\n", &b);
    CHECK(st == 200, "after the cancelled stream: %d %s", st, b.p);
    /* SIGTERM during a stream: it finishes, then the server exits 0 */
    fd = connect_to(s.port);
    r.n = 0;
    sb_printf(&r, "POST /v1/completions HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nContent-Length: %zu\r\n\r\n%s",
              strlen(long_req), long_req);
    b.n = 0;
    if (fd >= 0 && send_str(fd, r.p, r.n)) {
        char tmp[512];
        ssize_t k = recv(fd, tmp, sizeof tmp, 0);
        if (k > 0) sb_add(&b, tmp, (size_t)k);
        kill(s.pid, SIGTERM);
        read_all(fd, &b, 30);
        close(fd);
    }
    CHECK(b.p && strstr(b.p, "data: [DONE]"), "the stream did not finish after SIGTERM");
    st = stop_server(&s, SIGTERM);
    CHECK(st == 0, "exit status %d after SIGTERM", st);
    sb_free(&b);
    sb_free(&r);
}

/* The events of an SSE body ("data: X\n\n" each), X as new C strings; the count. */
static int sse_events(const char *body, char **ev, int max) {
    int n = 0;
    const char *p = body;
    while (p && n < max && !strncmp(p, "data: ", 6)) {
        const char *e = strstr(p, "\n\n");
        if (!e) break;
        ev[n] = (char *)malloc((size_t)(e - p) - 5);
        memcpy(ev[n], p + 6, (size_t)(e - p) - 6);
        ev[n][e - p - 6] = 0;
        n++;
        p = e + 2;
    }
    if (p && *p && n < max) ev[n++] = strdup("(trailing bytes)");
    return n;
}
/* A member's JSON type in an event: 'n' null, 's' string, 'o' other, 0 absent. */
static int jtype(const char *json, const char *path) {
    js_doc d;
    size_t v;
    int t = 0;
    memset(&d, 0, sizeof d);
    if (json && js_parse(&d, json, strlen(json)) && (v = jpath(&d, path)))
        t = d.v[v].type == JS_NULL ? 'n' : d.v[v].type == JS_STR ? 's' : 'o';
    js_free(&d);
    return t;
}

/* OpenAI's completions stream: text chunks with finish_reason null, then a
   chunk with empty text and the finish_reason, then (include_usage) a chunk
   with no choices and the usage, then [DONE]. */
static void test_stream_events(int port) {
    static const char *const reqs[] = {
        "{\"prompt\":\"ROMEO:\",\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true,\"stream\":true}",
        ("{\"prompt\":\"ROMEO:\",\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true,\"stream\":true,"
         "\"stream_options\":{\"include_usage\":true}}"),
        "{\"prompt\":\"ROMEO:\",\"max_tokens\":40,\"temperature\":0,\"stop\":\",\",\"stream\":true}",
    };
    sb b;
    int k;
    memset(&b, 0, sizeof b);
    for (k = 0; k < 3; k++) {
        char *ev[128], *want = NULL, *fr;
        sb text;
        int n, i, usage = k == 1, n_text, ok = 1;
        memset(&text, 0, sizeof text);
        sb_add(&text, "", 0);
        CHECK(http(port, "POST", "/v1/completions", reqs[k], NULL, &b) == 200, "stream %d status", k);
        n = sse_events(b.p, ev, 128);
        n_text = n - 2 - usage;
        CHECK(n >= 3 + usage && !strcmp(ev[n - 1], "[DONE]"), "stream %d: %d events, last '%s'", k, n,
              n ? ev[n - 1] : "");
        for (i = 0; i < n_text && ok; i++) {
            char *t = jstr(ev[i], "choices.0.text");
            ok = t && *t && jtype(ev[i], "choices.0.finish_reason") == 'n' && jtype(ev[i], "choices.1") == 0 &&
                 jtype(ev[i], "usage") == (usage ? 'n' : 0);
            CHECK(ok, "stream %d: event %d of %d is not a text chunk with finish_reason null: %s", k, i, n, ev[i]);
            if (t) sb_puts(&text, t);
            free(t);
        }
        if (n_text >= 0 && n >= 3 + usage) {
            char *t = jstr(ev[n_text], "choices.0.text");
            fr = jstr(ev[n_text], "choices.0.finish_reason");
            CHECK(t && !*t && fr && !strcmp(fr, k == 2 ? "stop" : "length") &&
                  jtype(ev[n_text], "usage") == (usage ? 'n' : 0),
                  "stream %d: the finishing chunk is %s", k, ev[n_text]);
            free(t); free(fr);
            if (usage)
                CHECK(jtype(ev[n - 2], "choices") == 'o' && jtype(ev[n - 2], "choices.0") == 0 &&
                      jnum(ev[n - 2], "usage.completion_tokens") == 6 && jnum(ev[n - 2], "usage.prompt_tokens") == 2,
                      "stream %d: the usage chunk is %s", k, ev[n - 2]);
        }
        for (i = 0; i < n; i++)
            CHECK(usage || !strstr(ev[i], "\"usage\""), "stream %d: usage without include_usage", k);
        /* the streamed text is the plain answer's */
        {
            char plain[512];
            const char *br = strstr(reqs[k], ",\"stream\"");
            snprintf(plain, sizeof plain, "%.*s}", (int)(br - reqs[k]), reqs[k]);
            http(port, "POST", "/v1/completions", plain, NULL, &b);
            want = jstr(b.p, "choices.0.text");
            CHECK(want && !strcmp(want, text.p), "stream %d: text '%s', plain '%s'", k, text.p, want ? want : "");
            free(want);
        }
        for (i = 0; i < n; i++) free(ev[i]);
        sb_free(&text);
    }
    CHECK(http(port, "POST", "/v1/completions", "{\"prompt\":\"x\",\"stream\":true,\"stream_options\":3}", NULL,
               &b) == 400, "stream_options 3: %s", b.p);
    sb_free(&b);
}

/* ---- /v1/chat/completions ------------------------------------------------------
   The expected answers come from /v1/completions with the conversation
   written out by hand in the template's text (docs/server.md): the plain
   template for models/shakespeare (it has no chat template files). */

#define CHAT_MSGS "\"messages\":[{\"role\":\"system\",\"content\":\"Speak.\"}," \
                  "{\"role\":\"user\",\"content\":\"Good morrow\"}]"
#define CHAT_TEXT "System: Speak.\\nUser: Good morrow\\nAssistant:"

/* A chat request whose reply must be want. */
static void chat_equals(int port, const char *json, const char *want, const char *what) {
    sb b;
    char *got;
    memset(&b, 0, sizeof b);
    CHECK(http(port, "POST", "/v1/chat/completions", json, NULL, &b) == 200, "%s: %s", what, b.p);
    got = jstr(b.p, "choices.0.message.content");
    CHECK(want && got && !strcmp(want, got), "%s: '%s', expected '%s'", what, got ? got : "", want ? want : "");
    free(got);
    sb_free(&b);
}

static void test_chat(int port) {
    static const char *const bad[][2] = {
        { "{}", "messages" },
        { "{\"messages\":[]}", "messages" },
        { "{\"messages\":\"hi\"}", "messages" },
        { "{\"messages\":[{\"content\":\"hi\"}]}", "role" },
        { "{\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "tool calling" },
        { "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "wizard" },
        { "{\"messages\":[{\"role\":\"user\",\"content\":7}]}", "content" },
        { "{\"messages\":[{\"role\":\"user\"}]}", "messages[0].content" },
        { "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"system\",\"content\":null}]}",
          "messages[1].content" },
        { "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}",
          "content[0]" },
        { "{\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"1\"}]}]}", "tool_calls" },
        { "{" CHAT_MSGS ",\"tools\":[{\"type\":\"function\"}]}", "'tools' is not supported" },
        { "{" CHAT_MSGS ",\"tool_choice\":\"auto\"}", "tool_choice" },
        { "{" CHAT_MSGS ",\"response_format\":{\"type\":\"json_object\"}}", "response_format" },
        { "{" CHAT_MSGS ",\"top_logprobs\":2}", "logprobs: true" },
        { "{" CHAT_MSGS ",\"logprobs\":true,\"top_logprobs\":9}", "top_logprobs" },
        { "{" CHAT_MSGS ",\"max_tokens\":4,\"max_completion_tokens\":4}", "not both" },
        { "{" CHAT_MSGS ",\"max_completion_tokens\":0}", "max_completion_tokens" },
        { "{" CHAT_MSGS ",\"logit_bias\":{\"5\":1}}", "logit_bias" },
        { "{" CHAT_MSGS ",\"presence_penalty\":1}", "presence_penalty" },
        { "{" CHAT_MSGS ",\"temperature\":-1}", "temperature" },
        { "{" CHAT_MSGS ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "at most 4" },
    };
    sb b, req;
    char *want, *got, *fr, *fr_want, *want_fr, *ev[256];
    double pt;
    int i, n;
    memset(&b, 0, sizeof b);
    memset(&req, 0, sizeof req);
    /* plain: the same text, finish_reason and prompt tokens as the hand-written prompt */
    CHECK(http(port, "POST", "/v1/completions", "{\"prompt\":\"" CHAT_TEXT "\",\"stop\":\"\\nUser:\",\"max_tokens\":40,"
               "\"temperature\":0}", NULL, &b) == 200, "completion of the written-out chat: %s", b.p);
    want = jstr(b.p, "choices.0.text");
    fr_want = jstr(b.p, "choices.0.finish_reason");
    pt = jnum(b.p, "usage.prompt_tokens");
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":40,\"temperature\":0}", NULL, &b) ==
          200, "chat: %s", b.p);
    got = jstr(b.p, "choices.0.message.content");
    fr = jstr(b.p, "choices.0.finish_reason");
    CHECK(want && got && !strcmp(want, got) && *want, "chat '%s', completion '%s'", got ? got : "", want ? want : "");
    CHECK(fr && fr_want && !strcmp(fr, fr_want), "chat finish_reason %s, completion's %s", fr ? fr : "",
          fr_want ? fr_want : "");
    CHECK(pt > 5 && jnum(b.p, "usage.prompt_tokens") == pt &&
          jnum(b.p, "usage.prompt_tokens_details.cached_tokens") >= 0, "chat usage: %s (completion's prompt_tokens %g)",
          b.p, pt);
    free(got); free(fr);
    got = jstr(b.p, "object");
    CHECK(got && !strcmp(got, "chat.completion"), "object %s", got ? got : "");
    free(got);
    got = jstr(b.p, "choices.0.message.role");
    CHECK(got && !strcmp(got, "assistant"), "role %s", got ? got : "");
    free(got);
    got = jstr(b.p, "id");
    CHECK(got && !strncmp(got, "chatcmpl-", 9), "id %s", got ? got : "");
    free(got);
    CHECK(jtype(b.p, "choices.0.logprobs") == 'n', "logprobs null unless asked: %s", b.p);
    /* content as text parts, and the assistant's turn with content null */
    chat_equals(port, "{\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Spe\"},{\"type\":"
                "\"text\",\"text\":\"ak.\"}]},{\"role\":\"user\",\"content\":\"Good morrow\"}],\"max_tokens\":40,"
                "\"temperature\":0}", want, "text parts");
    CHECK(http(port, "POST", "/v1/completions", "{\"prompt\":\"User: Hi\\nAssistant: \\nUser: Go on\\nAssistant:\","
               "\"stop\":\"\\nUser:\",\"max_tokens\":12,\"temperature\":0}", NULL, &b) == 200, "completion 2");
    free(want);
    want = jstr(b.p, "choices.0.text");
    chat_equals(port, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":null},"
                "{\"role\":\"user\",\"content\":\"Go on\"}],\"max_completion_tokens\":12,\"temperature\":0}", want,
                "3 turns, the assistant's content null");
    free(want);
    free(fr_want);
    /* streamed: a role chunk, content deltas, a finish chunk, the usage chunk, [DONE]; the same text */
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":40,\"temperature\":0}", NULL, &b) ==
          200, "chat again");
    want = jstr(b.p, "choices.0.message.content");
    want_fr = jstr(b.p, "choices.0.finish_reason");
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":40,\"temperature\":0,"
               "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", NULL, &b) == 200, "chat stream");
    n = sse_events(b.p, ev, 256);
    CHECK(n >= 5 && !strcmp(ev[n - 1], "[DONE]"), "chat stream: %d events", n);
    if (n >= 5) {
        sb text;
        memset(&text, 0, sizeof text);
        sb_add(&text, "", 0);
        got = jstr(ev[0], "choices.0.delta.role");
        CHECK(got && !strcmp(got, "assistant") && jtype(ev[0], "choices.0.finish_reason") == 'n', "first chunk %s",
              ev[0]);
        free(got);
        got = jstr(ev[0], "object");
        CHECK(got && !strcmp(got, "chat.completion.chunk") && jtype(ev[0], "usage") == 'n', "chunk object: %s", ev[0]);
        free(got);
        for (i = 1; i < n - 3; i++) {
            got = jstr(ev[i], "choices.0.delta.content");
            CHECK(got && jtype(ev[i], "choices.0.finish_reason") == 'n' && jtype(ev[i], "choices.0.delta.role") == 0,
                  "content chunk %d: %s", i, ev[i]);
            if (got) sb_puts(&text, got);
            free(got);
        }
        got = jstr(ev[n - 3], "choices.0.finish_reason");
        CHECK(got && want_fr && !strcmp(got, want_fr) && jtype(ev[n - 3], "choices.0.delta") == 'o' &&
              jtype(ev[n - 3], "choices.0.delta.content") == 0, "finish chunk: %s", ev[n - 3]);
        free(got);
        CHECK(jtype(ev[n - 2], "choices.0") == 0 && jnum(ev[n - 2], "usage.prompt_tokens") == pt &&
              jnum(ev[n - 2], "usage.completion_tokens") >= 1, "usage chunk: %s", ev[n - 2]);
        CHECK(want && !strcmp(want, text.p), "streamed '%s', whole '%s'", text.p, want ? want : "");
        sb_free(&text);
    }
    for (i = 0; i < n; i++) free(ev[i]);
    free(want);
    free(want_fr);
    /* logprobs in the chat shape */
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":3,\"temperature\":0,"
               "\"logprobs\":true,\"top_logprobs\":2}", NULL, &b) == 200, "chat logprobs: %s", b.p);
    got = jstr(b.p, "choices.0.logprobs.content.0.token");
    CHECK(got && jtype(b.p, "choices.0.logprobs.content.2.logprob") == 'o' &&
          jtype(b.p, "choices.0.logprobs.content.0.bytes.0") == 'o' &&
          jtype(b.p, "choices.0.logprobs.content.0.top_logprobs.1.token") == 's' &&
          jtype(b.p, "choices.0.logprobs.content.0.top_logprobs.2") == 0 &&
          jnum(b.p, "choices.0.logprobs.content.0.logprob") ==
              jnum(b.p, "choices.0.logprobs.content.0.top_logprobs.0.logprob"),
          "chat logprobs (greedy: the token is the best one): %s", b.p);
    free(got);
    /* a long conversation twice: the second reuses cached blocks */
    sb_puts(&req, "{\"messages\":[");
    for (i = 0; i < 6; i++)
        sb_printf(&req, "%s{\"role\":\"%s\",\"content\":\"What news from France, my lord? Speak, speak.\"}",
                  i ? "," : "", i % 2 ? "assistant" : "user");
    sb_puts(&req, "],\"max_tokens\":4,\"temperature\":0}");
    CHECK(http(port, "POST", "/v1/chat/completions", req.p, NULL, &b) == 200, "long chat: %s", b.p);
    CHECK(http(port, "POST", "/v1/chat/completions", req.p, NULL, &b) == 200 &&
          jnum(b.p, "usage.prompt_tokens_details.cached_tokens") > 0, "long chat again: cached_tokens in %s", b.p);
    /* null is absent: max_tokens null beside max_completion_tokens (and the other way) */
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":null,\"max_completion_tokens\":3}",
               NULL, &b) == 200 && jnum(b.p, "usage.completion_tokens") <= 3, "max_tokens null: %s", b.p);
    CHECK(http(port, "POST", "/v1/chat/completions", "{" CHAT_MSGS ",\"max_tokens\":3,\"max_completion_tokens\":null}",
               NULL, &b) == 200 && jnum(b.p, "usage.completion_tokens") <= 3, "max_completion_tokens null: %s", b.p);
    /* refused: each a 400 whose message says why */
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        int st = http(port, "POST", "/v1/chat/completions", bad[i][0], NULL, &b);
        got = jstr(b.p, "error.message");
        CHECK(st == 400 && got && strstr(got, bad[i][1]), "%s: %d %s", bad[i][0], st, b.p);
        free(got);
    }
    req.n = 0;
    sb_puts(&req, "{\"messages\":[{\"role\":\"user\",\"content\":\"");
    for (i = 0; i < 300; i++) sb_puts(&req, "word ");
    sb_puts(&req, "\"}]}");
    CHECK(http(port, "POST", "/v1/chat/completions", req.p, NULL, &b) == 400 && strstr(b.p, "the context holds"),
          "a conversation past the context: %s", b.p);
    CHECK(http(port, "GET", "/v1/chat/completions", NULL, NULL, &b) == 405, "GET chat: %s", b.p);
    CHECK(http(port, "GET", "/v1/models", NULL, NULL, &b) == 200 && (got = jstr(b.p, "data.0.meta.chat_template")) &&
          !strcmp(got, "plain"), "/v1/models names the template: %s", b.p);
    free(got);
    sb_free(&b);
    sb_free(&req);
}

/* Servers with --chat-template: dialogpt renders each turn followed by the
   end-of-text id (the ids written out through /tokenize); bad names and
   chatml on a vocabulary without its tokens stop the start; a classifier
   answers chat with 400. */
static void test_chat_servers(void) {
    static const char *const dialogpt[] = { "--chat-template", "DialoGPT", "--quiet", NULL };
    char cmd[1200], out[1024];
    srv_proc s;
    sb b, req;
    FILE *f;
    size_t n;
    int st, k;
    memset(&s, 0, sizeof s);
    memset(&b, 0, sizeof b);
    memset(&req, 0, sizeof req);
    if (!start_server(&s, server_bin, MODEL, dialogpt)) { CHECK(0, "server --chat-template DialoGPT did not start"); }
    else {
        char *want, *got;
        CHECK(http(s.port, "POST", "/tokenize", "{\"content\":\"Good morrow\"}", NULL, &b) == 200, "/tokenize: %s",
              b.p);
        /* {"tokens":[a,b,...]} -> a prompt of those ids and the end-of-text id 4095 (config.json's eos_token_id) */
        sb_puts(&req, "{\"prompt\":");
        if (b.p && strchr(b.p, '[') && strchr(b.p, ']'))
            sb_printf(&req, "%.*s,4095]", (int)(strchr(b.p, ']') - strchr(b.p, '[')), strchr(b.p, '['));
        sb_puts(&req, ",\"max_tokens\":20,\"temperature\":0}");
        CHECK(http(s.port, "POST", "/v1/completions", req.p, NULL, &b) == 200, "ids prompt: %s (%s)", b.p, req.p);
        want = jstr(b.p, "choices.0.text");
        CHECK(http(s.port, "POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                   "\"Good morrow\"}],\"max_tokens\":20,\"temperature\":0}", NULL, &b) == 200, "dialogpt chat: %s",
              b.p);
        got = jstr(b.p, "choices.0.message.content");
        CHECK(want && got && !strcmp(want, got), "dialogpt chat '%s', ids '%s'", got ? got : "", want ? want : "");
        free(want); free(got);
        CHECK(http(s.port, "GET", "/v1/models", NULL, NULL, &b) == 200 && strstr(b.p, "\"chat_template\":\"dialogpt\""),
              "/v1/models: %s", b.p);
        CHECK(stop_server(&s, SIGTERM) == 0, "dialogpt server exit status");
    }
    for (k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "%s -m %s --port 0 --chat-template %s 2>&1", server_bin, MODEL,
                 k ? "chatml" : "llama2");
        f = popen(cmd, "r");
        n = f ? fread(out, 1, sizeof out - 1, f) : 0;
        out[n] = 0;
        st = f ? pclose(f) : -1;
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2 && strstr(out, "--chat-template") &&
              strstr(out, k ? "<|im_start|>" : "plain, dialogpt or chatml"), "--chat-template %s: %d %s",
              k ? "chatml" : "llama2", st, out);
    }
    if (!start_server(&s, server_bin, "tests/data/heads/seqcls-1", NULL)) CHECK(0, "classifier server did not start");
    else {
        char *msg;
        st = http(s.port, "POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                  NULL, &b);
        msg = jstr(b.p, "error.message");
        CHECK(st == 400 && msg && strstr(msg, "GPT2ForSequenceClassification"), "chat on a classifier: %d %s", st, b.p);
        free(msg);
        CHECK(http(s.port, "GET", "/v1/models", NULL, NULL, &b) == 200 && strstr(b.p, "\"chat_template\":null"),
              "/v1/models on a classifier: %s", b.p);
        stop_server(&s, SIGTERM);
    }
    sb_free(&b);
    sb_free(&req);
}

/* Endpoints not served: the 404 says what is. */
static void test_not_served(int port) {
    static const char *const paths[] = { "/v1/chat", "/v2/x" };
    sb b;
    int i;
    memset(&b, 0, sizeof b);
    for (i = 0; i < 2; i++) {
        int st = http(port, "POST", paths[i], "{}", NULL, &b);
        char *msg = jstr(b.p, "error.message");
        CHECK(st == 404 && msg && strstr(msg, "POST /v1/completions") && strstr(msg, "GET / (the web page)"),
              "%s: %d %s", paths[i], st, b.p);
        free(msg);
    }
    sb_free(&b);
}

/* GET /: examples/server_page.html byte for byte, as UTF-8 HTML, with a
   Content-Security-Policy that loads nothing from elsewhere; the page names no
   address (http:// or https://), loads nothing but data: URLs, and puts no text
   into itself as HTML. Counted in /metrics as "/"; POST / is 405.
   tests/test_page.sh drives the page in a browser. */
static void test_web_page(int port) {
    static const char *const banned[] = { "http://", "https://", "innerhtml", "outerhtml", "insertadjacenthtml",
                                          "document.write", "eval(", "new function", "@import", "url(" };
    static const char *const attrs[] = { "src=", "href=", "action=", "srcset=", "poster=", "data=" };
    static const char get[] = "GET /?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    sb b, r;
    size_t n = 0, i, k;
    char *want = test_read_file("examples/server_page.html", &n), *low, *head_end, *at;
    int st, fd;
    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    CHECK(want && n, "cannot read examples/server_page.html");
    st = http(port, "GET", "/", NULL, NULL, &b);
    CHECK(st == 200, "GET /: %d", st);
    CHECK(want && b.n == n && !memcmp(b.p, want, n), "GET / is not examples/server_page.html (%zu bytes, %zu)", b.n, n);
    low = (char *)malloc(b.n + 1);
    if (low) {
        for (i = 0; i < b.n; i++) low[i] = (char)tolower((unsigned char)b.p[i]);
        low[b.n] = 0;
        for (k = 0; k < sizeof banned / sizeof banned[0]; k++)
            CHECK(!strstr(low, banned[k]), "the page has '%s'", banned[k]);
        for (k = 0; k < sizeof attrs / sizeof attrs[0]; k++)
            for (at = strstr(low, attrs[k]); at; at = strstr(at + 1, attrs[k]))
                CHECK(!strncmp(at + strlen(attrs[k]), "\"data:", 6), "the page loads %.40s", at);
        free(low);
    }
    /* the head, of a GET with a query */
    fd = connect_to(port);
    if (fd >= 0 && send_str(fd, get, sizeof get - 1)) read_all(fd, &r, 30);
    if (fd >= 0) close(fd);
    sb_add(&r, "", 1);
    head_end = strstr(r.p, "\r\n\r\n");
    if (head_end) *head_end = 0;
    CHECK(!strncmp(r.p, "HTTP/1.1 200 ", 13), "GET /?x=1: %.40s", r.p);
    CHECK(strstr(r.p, "\r\nContent-Type: text/html; charset=utf-8\r\n") != NULL, "Content-Type: %s", r.p);
    CHECK(strstr(r.p, "\r\nContent-Security-Policy: default-src 'none'; ") && strstr(r.p, "connect-src 'self'") &&
          !strstr(r.p, "http"), "Content-Security-Policy: %s", r.p);
    CHECK(http(port, "POST", "/", "{}", NULL, NULL) == 405, "POST / is not 405");
    CHECK(http(port, "GET", "/metrics", NULL, NULL, &b) == 200 && b.p &&
          strstr(b.p, "llmh_requests_total{endpoint=\"/\",status=\"200\"} 2\n") &&
          strstr(b.p, "llmh_requests_total{endpoint=\"/\",status=\"405\"} 1\n"), "/metrics: %s", b.p);
    free(want);
    sb_free(&b);
    sb_free(&r);
}

/* A second server on a port in use: exit 1, and the message names --port. */
static void test_busy_port(int port) {
    char cmd[1200], out[1024];
    FILE *f;
    size_t n;
    int st;
    snprintf(cmd, sizeof cmd, "%s -m %s --port %d 2>&1 >/dev/null", server_bin, MODEL, port);
    f = popen(cmd, "r");
    n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = 0;
    st = f ? pclose(f) : -1;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(out, "in use") && strstr(out, "--port"),
          "server on a busy port: status %d, '%s'", st, out);
}

/* SIGTERM with a keep-alive client holding half of its next request head
   (--timeout 60): that client gets 503 (or a close) at once, the running
   stream finishes, and the server exits within about 2 s of it. */
static void test_shutdown_partial(void) {
    static const char *const flags[] = { "--parallel", "2", "--timeout", "60", NULL };
    static const char *const long_req =
        "{\"prompt\":\"ROMEO:\",\"max_tokens\":200,\"ignore_eos\":true,\"stream\":true}";
    srv_proc s;
    sb b, r, p;
    int fd, ka, st = 0, exited = 0;
    double t0, t_done = 0, t_exit = 0, t_partial = 0;
    memset(&s, 0, sizeof s);
    memset(&b, 0, sizeof b); memset(&r, 0, sizeof r); memset(&p, 0, sizeof p);
    if (!start_server(&s, server_bin, MODEL, flags)) { CHECK(0, "server for the shutdown test did not start"); return; }
    /* a keep-alive client: one whole request, then half of the next head */
    ka = connect_to(s.port);
    if (ka >= 0 && send_str(ka, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 33)) {
        char tmp[1024];
        ssize_t k;
        while (!(p.p && memchr(p.p, '}', p.n)) && (k = recv(ka, tmp, sizeof tmp, 0)) > 0) sb_add(&p, tmp, (size_t)k);
        CHECK(p.n > 12 && !memcmp(p.p, "HTTP/1.1 200", 12), "keep-alive: first answer %s", p.p);
        p.n = 0;
        send_str(ka, "GET /health HTTP/1.1\r\nHo", 24);
    }
    fd = connect_to(s.port);
    sb_printf(&r, "POST /v1/completions HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s", strlen(long_req), long_req);
    if (fd >= 0 && send_str(fd, r.p, r.n)) {
        char tmp[512];
        ssize_t k = recv(fd, tmp, sizeof tmp, 0);
        if (k > 0) sb_add(&b, tmp, (size_t)k);
    }
    kill(s.pid, SIGTERM);
    t0 = now_s();
    for (;;) {
        struct pollfd pf[2];
        char tmp[4096];
        ssize_t k;
        int w;
        if (!exited && (w = waitpid(s.pid, &st, WNOHANG)) == s.pid) { exited = 1; t_exit = now_s(); }
        if (exited && fd < 0 && ka < 0) break;
        if (now_s() - t0 > 50) break;
        pf[0].fd = fd; pf[0].events = POLLIN; pf[0].revents = 0;
        pf[1].fd = ka; pf[1].events = POLLIN; pf[1].revents = 0;
        if (poll(pf, 2, 20) <= 0) continue;
        if (fd >= 0 && pf[0].revents) {
            k = recv(fd, tmp, sizeof tmp, 0);
            if (k > 0) sb_add(&b, tmp, (size_t)k); else { close(fd); fd = -1; t_done = now_s(); }
        }
        if (ka >= 0 && pf[1].revents) {
            k = recv(ka, tmp, sizeof tmp, 0);
            if (k > 0) sb_add(&p, tmp, (size_t)k); else { close(ka); ka = -1; t_partial = now_s(); }
        }
    }
    if (fd >= 0) close(fd);
    if (ka >= 0) close(ka);
    CHECK(b.p && strstr(b.p, "data: [DONE]"), "the running stream did not finish after SIGTERM");
    CHECK(t_partial > 0 && t_partial - t0 < 2 && (!p.n || !strncmp(p.p, "HTTP/1.1 503", 12)),
          "the half-sent request: %s after %.1f s", p.n ? p.p : "(nothing)", t_partial > 0 ? t_partial - t0 : -1.0);
    CHECK(exited && t_done > 0 && t_exit - t_done < 2, "exit %.1f s after the stream ended (%.1f s after SIGTERM)",
          exited ? t_exit - t_done : -1.0, exited ? t_exit - t0 : -1.0);
    if (!exited) stop_server(&s, SIGKILL);
    else {
        int i;
        for (i = 0; i < 4; i++) if (running[i] == &s) running[i] = NULL;
        close(s.out);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status after SIGTERM: %d", st);
    }
    sb_free(&b); sb_free(&r); sb_free(&p);
}

static int jfloats(const char *json, const char *path, double *out, int max);

/* The script's "chat {...}" and "chatstream {...}" lines (chat.completions.create, plain and streamed) against
   the same request over raw HTTP. */
static void openai_chat_check(int port, const char *out) {
    static const char *const keys[] = { "chat ", "chatstream " };
    sb b;
    char *want;
    int k;
    memset(&b, 0, sizeof b);
    http(port, "POST", "/v1/chat/completions", "{\"messages\":[{\"role\":\"system\",\"content\":\"Speak.\"},{\"role\":"
         "\"user\",\"content\":\"Good morrow\"}],\"seed\":5,\"max_tokens\":16,\"temperature\":0.7}", NULL, &b);
    want = jstr(b.p, "choices.0.message.content");
    for (k = 0; k < 2; k++) {
        const char *at = out ? strstr(out, keys[k]) : NULL;
        char line[4096], *t = NULL;
        size_t n;
        while (at && at != out && at[-1] != '\n') at = strstr(at + 1, keys[k]);   /* at a line's start */
        if (at) {
            at += strlen(keys[k]);
            n = strcspn(at, "\n");
            if (n < sizeof line) { memcpy(line, at, n); line[n] = 0; t = jstr(line, "text"); }
        }
        CHECK(want && *want && t && !strcmp(t, want), "openai %s'%s', raw HTTP '%s'", keys[k], t ? t : "",
              want ? want : "");
        free(t);
    }
    free(want);
    sb_free(&b);
}

/* The official openai npm client (tests/server/openai_client.mjs). */
static void test_openai_client(int port) {
    char cmd[512], line[4096];
    FILE *f;
    sb out, b;
    char *want;
    if (access("tests/server/node_modules/openai/package.json", R_OK) != 0 || system("node --version >/dev/null 2>&1") != 0) {
        SKIP("the openai npm package is not installed (cd tests/server && npm ci)");
        return;
    }
    memset(&out, 0, sizeof out);
    memset(&b, 0, sizeof b);
    snprintf(cmd, sizeof cmd, "node tests/server/openai_client.mjs http://127.0.0.1:%d/v1 2>&1", port);
    f = popen(cmd, "r");
    while (f && fgets(line, sizeof line, f)) sb_puts(&out, line);
    CHECK(f && pclose(f) == 0, "openai client failed: %s", out.p);
    openai_chat_check(port, out.p);   /* before the lines below cut out.p into lines */
    http(port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"seed\":5,\"max_tokens\":24,\"temperature\":0.7}", NULL, &b);
    want = jstr(b.p, "choices.0.text");
    {   /* embeddings.create (base64, decoded by the client) = the float answer */
        char *c3 = out.p ? strstr(out.p, "embedding ") : NULL, *e3;
        double got[1024], raw[1024], inputs = -1;
        int n = -1, k, same;
        sb e;
        if (c3 && (e3 = strchr(c3, '\n'))) {
            *e3 = 0;
            n = jfloats(c3 + 10, "v", got, 1024);
            inputs = jnum(c3 + 10, "n");
            *e3 = '\n';
        }
        memset(&e, 0, sizeof e);
        http(port, "POST", "/v1/embeddings", "{\"input\":[\"ROMEO:\",\"JULIET:\"]}", NULL, &e);
        same = n > 0 && jfloats(e.p, "data.1.embedding", raw, 1024) == n && inputs == 2;
        for (k = 0; same && k < n; k++) same &= (float)got[k] == (float)raw[k];
        sb_free(&e);
        CHECK(same, "openai embeddings.create: %d values, not the raw HTTP answer's", n);
    }
    /* the script prints both texts as JSON strings, one per line */
    sb_add(&b, "", 0);
    b.n = 0;
    sb_puts(&b, "{\"completion\":");
    if (want) sb_json_str(&b, want, strlen(want));
    sb_puts(&b, "}");
    {
        char *c1 = out.p ? strstr(out.p, "completion ") : NULL, *c2 = out.p ? strstr(out.p, "stream ") : NULL;
        char *e1, *e2, *t1 = NULL, *t2 = NULL;
        if (c1 && (e1 = strchr(c1, '\n'))) { *e1 = 0; t1 = jstr(c1 + 11, "text"); }
        if (c2 && (e2 = strchr(c2, '\n'))) { *e2 = 0; t2 = jstr(c2 + 7, "text"); }
        CHECK(want && t1 && !strcmp(t1, want), "openai completion '%s', raw HTTP '%s'", t1 ? t1 : "", want ? want : "");
        CHECK(want && t2 && !strcmp(t2, want), "openai stream '%s', raw HTTP '%s'", t2 ? t2 : "", want ? want : "");
        free(t1); free(t2);
    }
    free(want);
    sb_free(&out);
    sb_free(&b);
}

/* ---- /v1/embeddings and /classify ------------------------------------------- */

/* The numbers of the array at path (at most max); their count, -1 if absent. */
static int jfloats(const char *json, const char *path, double *out, int max) {
    js_doc d;
    size_t v, e;
    int n = -1;
    memset(&d, 0, sizeof d);
    if (json && js_parse(&d, json, strlen(json)) && (v = jpath(&d, path)) && d.v[v].type == JS_ARR)
        for (n = 0, e = d.v[v].first; e; e = d.v[e].next) if (d.v[e].type == JS_NUM && n < max) out[n++] = d.v[e].num;
    js_free(&d);
    return n;
}

/* Standard base64 -> bytes (at most max); the count, -1 on a bad character. */
static int unbase64(const char *s, unsigned char *out, int max) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned long w = 0;
    int bits = 0, n = 0;
    for (; *s && *s != '='; s++) {
        const char *c = strchr(A, *s);
        if (!c) return -1;
        w = (w << 6 | (unsigned long)(c - A)) & 0xffffff;
        if ((bits += 6) >= 8) { bits -= 8; if (n < max) out[n++] = (unsigned char)(w >> bits); }
    }
    return n;
}

/* The reference (tools/reference/make_head_fixtures.py) of a fixture. */
typedef struct head_ref { llm_safetensors st; int P, T, C; const float *ids, *len; } head_ref;
static const float *href(head_ref *r, const char *name, int *cols) {
    const llm_tensor *t = llm_safetensors_find(&r->st, name);
    if (!t || t->dtype != LLM_DTYPE_F32) return NULL;
    if (cols) *cols = (int)t->shape[t->ndim - 1];
    return (const float *)t->data;
}
static int href_open(head_ref *r, const char *dir) {
    char path[256];
    snprintf(path, sizeof path, "%s/reference.safetensors", dir);
    if (llm_safetensors_open(&r->st, path) != LLM_OK) return 0;
    r->ids = href(r, "ids", &r->T);
    r->len = href(r, "len", NULL);
    r->P = r->ids ? (int)llm_safetensors_find(&r->st, "ids")->shape[0] : 0;
    return r->ids && r->len;
}
/* The fixture's prompts as an 'input' array of arrays of ids; *tokens their sum. */
static void href_input(const head_ref *r, sb *b, size_t *tokens) {
    int i, t;
    *tokens = 0;
    sb_puts(b, "[");
    for (i = 0; i < r->P; i++) {
        sb_puts(b, i ? ",[" : "[");
        for (t = 0; t < (int)r->len[i]; t++) sb_printf(b, "%s%d", t ? "," : "", (int)r->ids[i * r->T + t]);
        sb_puts(b, "]");
        *tokens += (size_t)r->len[i];
    }
    sb_puts(b, "]");
}
#define HTOL(a, b) (fabs((double)(a) - (double)(b)) <= 1e-4 + 1e-4 * fabs((double)(b)))

/* data.i.<member> of a response against want[i * W ..] for i < P; the number of mismatches. */
static int cmp_rows(const char *json, const char *member, const float *want, int P, int W, const char *what) {
    double got[64];
    char path[64];
    int i, k, bad = 0;
    for (i = 0; i < P; i++) {
        int n;
        snprintf(path, sizeof path, "data.%d.%s", i, member);
        n = jfloats(json, path, got, 64);
        if (n != W) { bad++; printf("  %s %d: %d values, want %d\n", what, i, n, W); continue; }
        for (k = 0; k < W; k++)
            if (!HTOL(got[k], want[i * W + k])) {
                if (bad++ < 5) printf("  %s %d[%d]: %.9g, reference %.9g\n", what, i, k, got[k], (double)want[i * W + k]);
            }
    }
    return bad;
}

/* Embeddings and classification on the classifier fixtures against the
   PyTorch reference (1e-4): every input form, pooling, base64, several
   decodes (--parallel 2), and the requests refused with 400. */
static void test_pooled_reference(void) {
    static const char *const flags[] = { "--parallel", "2", "--quiet", NULL };
    static const char *const fx[] = { "tests/data/heads/seqcls-2", "tests/data/heads/seqcls-5-pad",
                                      "tests/data/heads/seqcls-1", "tests/data/heads/tokcls-3" };
    int f;
    for (f = 0; f < 4; f++) {
        srv_proc s;
        head_ref r;
        sb in, req, b, b2;
        size_t tokens;
        int N = 0;
        const float *probs;
        memset(&s, 0, sizeof s);
        memset(&r, 0, sizeof r);
        memset(&in, 0, sizeof in); memset(&req, 0, sizeof req); memset(&b, 0, sizeof b); memset(&b2, 0, sizeof b2);
        if (!href_open(&r, fx[f])) { CHECK(0, "%s: no reference", fx[f]); continue; }
        if (!start_server(&s, server_bin, fx[f], flags)) { CHECK(0, "%s: the server did not start", fx[f]); continue; }
        probs = href(&r, "probs", &N);
        href_input(&r, &in, &tokens);
        /* /classify: the reference's probabilities (sequence classifiers), 400 for token classification */
        sb_printf(&req, "{\"model\":\"m\",\"input\":%s}", in.p);
        if (f < 3) {
            char *label = NULL, path[64];
            const float *lg = href(&r, "logits", NULL);
            int i, k, best_ok = 1;
            CHECK(http(s.port, "POST", "/classify", req.p, NULL, &b) == 200, "%s /classify: %s", fx[f], b.p);
            CHECK(cmp_rows(b.p, "probs", probs, r.P, N, "probs") == 0, "%s: /classify probabilities", fx[f]);
            CHECK(jnum(b.p, "usage.prompt_tokens") == (double)tokens && jnum(b.p, "data.0.num_classes") == N &&
                  (label = jstr(b.p, "object")) && !strcmp(label, "list"), "%s /classify: %.300s", fx[f], b.p);
            free(label);
            for (i = 0; i < r.P; i++) {   /* the label: the best output's */
                int best = 0;
                char want[32];
                for (k = 1; k < N; k++) if (lg[i * N + k] > lg[i * N + best]) best = k;
                snprintf(path, sizeof path, "data.%d.label", i);
                label = jstr(b.p, path);
                if (f == 0) snprintf(want, sizeof want, "%s", best ? "POSITIVE" : "NEGATIVE");
                else if (f == 1) snprintf(want, sizeof want, "topic%d", best);
                else snprintf(want, sizeof want, "LABEL_%d", best);
                best_ok &= label && !strcmp(label, want);
                free(label);
            }
            CHECK(best_ok, "%s /classify labels: %.400s", fx[f], b.p);
            if (f == 0) {   /* /v1/models names every label (the web page's Classify tab shows them) */
                char *l0 = NULL, *l1 = NULL;
                CHECK(http(s.port, "GET", "/v1/models", NULL, NULL, &b2) == 200 &&
                      (l0 = jstr(b2.p, "data.0.meta.id2label.0")) && (l1 = jstr(b2.p, "data.0.meta.id2label.1")) &&
                      !strcmp(l0, "NEGATIVE") && !strcmp(l1, "POSITIVE") && jnum(b2.p, "data.0.meta.num_labels") == 2,
                      "%s /v1/models: %s", fx[f], b2.p);
                free(l0); free(l1);
            }
        } else {
            char *msg = NULL;
            CHECK(http(s.port, "POST", "/classify", req.p, NULL, &b) == 400 && (msg = jstr(b.p, "error.message")) &&
                  strstr(msg, "GPT2ForTokenClassification"), "%s /classify: %s", fx[f], b.p);
            free(msg);
        }
        /* every model refuses to generate */
        CHECK(http(s.port, "POST", "/v1/completions", "{\"prompt\":[1,2]}", NULL, &b) == 400 &&
              strstr(b.p, "no next-token logits"), "%s /v1/completions: %s", fx[f], b.p);
        if (f == 1) {   /* no tokenizer: text is refused, ids are not */
            CHECK(http(s.port, "POST", "/v1/embeddings", "{\"input\":\"abc\"}", NULL, &b) == 400 &&
                  strstr(b.p, "no tokenizer"), "no tokenizer: %s", b.p);
        }
        if (f == 0) {
            const float *mean = href(&r, "mean", &r.C), *last_norm = href(&r, "last_norm", NULL);
            double x[64], y[64];
            unsigned char raw[256];
            float fl[64];
            char *s64;
            int n, k, same = 1;
            /* arrays of ids: the mean of the hidden states (the default: not normalised) */
            req.n = 0;
            sb_printf(&req, "{\"input\":%s,\"model\":\"m\",\"encoding_format\":\"float\"}", in.p);
            CHECK(http(s.port, "POST", "/v1/embeddings", req.p, NULL, &b) == 200, "embeddings: %s", b.p);
            CHECK(mean && cmp_rows(b.p, "embedding", mean, r.P, r.C, "mean") == 0, "embeddings of ids = the mean");
            CHECK(jnum(b.p, "usage.prompt_tokens") == (double)tokens && jnum(b.p, "usage.total_tokens") == (double)tokens
                  && jnum(b.p, "data.4.index") == 4, "embeddings usage: %.300s", b.p);
            /* last and normalised */
            req.n = 0;
            sb_printf(&req, "{\"input\":%s,\"pooling\":\"last\",\"normalize\":true}", in.p);
            CHECK(http(s.port, "POST", "/v1/embeddings", req.p, NULL, &b) == 200 &&
                  cmp_rows(b.p, "embedding", last_norm, r.P, r.C, "last_norm") == 0, "pooling last, normalize");
            /* a string, an array of strings, one array of ids: "I love programming." (its ids are its bytes) */
            CHECK(http(s.port, "POST", "/v1/embeddings", "{\"input\":\"I love programming.\"}", NULL, &b) == 200 &&
                  cmp_rows(b.p, "embedding", mean + (r.P - 1) * r.C, 1, r.C, "string") == 0, "a string: %s", b.p);
            CHECK(http(s.port, "POST", "/v1/embeddings", "{\"input\":[\"ab\",\"I love programming.\",\"ab\"]}", NULL,
                       &b) == 200 && jfloats(b.p, "data.1.embedding", x, 64) == r.C &&
                  jfloats(b.p, "data.0.embedding", y, 64) == r.C, "strings: %s", b.p);
            for (k = 0; k < r.C; k++) same &= HTOL(x[k], mean[(r.P - 1) * r.C + k]);
            CHECK(same, "an array of strings: input 1 is \"I love programming.\"'s mean");
            n = jfloats(b.p, "data.2.embedding", x, 64);
            for (k = 0, same = n == r.C; k < r.C; k++) same &= HTOL(x[k], y[k]);
            CHECK(same, "an array of strings: inputs 0 and 2 (the same text, in two decodes) are equal");
            req.n = 0;
            sb_puts(&req, "{\"input\":[");
            for (k = 0; k < (int)r.len[2]; k++) sb_printf(&req, "%s%d", k ? "," : "", (int)r.ids[2 * r.T + k]);
            sb_puts(&req, "]}");
            CHECK(http(s.port, "POST", "/v1/embeddings", req.p, NULL, &b) == 200 &&
                  cmp_rows(b.p, "embedding", mean + 2 * r.C, 1, r.C, "ids") == 0 && !strstr(b.p, "\"index\":1"),
                  "one array of ids: %s", b.p);
            /* base64: little-endian float32, the float answer's values exactly */
            req.n = 0;
            sb_printf(&req, "{\"input\":%s,\"encoding_format\":\"base64\"}", in.p);
            CHECK(http(s.port, "POST", "/v1/embeddings", req.p, NULL, &b2) == 200, "base64: %s", b2.p);
            req.n = 0;
            sb_printf(&req, "{\"input\":%s}", in.p);
            http(s.port, "POST", "/v1/embeddings", req.p, NULL, &b);
            for (k = 0, same = 1; k < r.P; k++) {
                char path[32];
                int j;
                snprintf(path, sizeof path, "data.%d.embedding", k);
                s64 = jstr(b2.p, path);
                n = s64 ? unbase64(s64, raw, sizeof raw) : -1;
                free(s64);
                same &= n == 4 * r.C && jfloats(b.p, path, x, 64) == r.C;
                for (j = 0; same && j < r.C; j++) {
                    uint32_t u = (uint32_t)raw[4 * j] | (uint32_t)raw[4 * j + 1] << 8 | (uint32_t)raw[4 * j + 2] << 16 |
                                 (uint32_t)raw[4 * j + 3] << 24;
                    memcpy(&fl[j], &u, 4);
                    same &= fl[j] == (float)x[j];
                }
            }
            CHECK(same, "base64 decodes to the float answer: %.200s", b2.p);
            /* refused */
            {
                static const char *const bad_reqs[][2] = {
                    { "{\"input\":\"ab\",\"dimensions\":8}", "dimensions" },
                    { "{\"input\":\"ab\",\"encoding_format\":\"int8\"}", "encoding_format" },
                    { "{\"input\":\"ab\",\"pooling\":\"max\"}", "pooling" },
                    { "{\"input\":\"ab\",\"normalize\":1}", "normalize" },
                    { "{\"input\":\"ab\",\"model\":3}", "model" },
                    { "{}", "input" },
                    { "{\"input\":\"\"}", "input" },
                    { "{\"input\":[]}", "input" },
                    { "{\"input\":[[]]}", "input" },
                    { "{\"input\":[\"ab\",[1]]}", "input" },
                    { "{\"input\":[1,\"ab\"]}", "input" },
                    { "{\"input\":[301]}", "input" },
                    { "{\"input\":[1.5]}", "input" },
                    { "{\"input\":[-1]}", "input" },
                    { "{\"input\":{\"a\":1}}", "input" },
                    { "{\"input\":[[1],[2,3],[]]}", "input" },
                    { "{\"input\":\"0123456789012345678901234567890123\"}", "input" },   /* 34 tokens; context 32 */
                };
                int i;
                for (i = 0; i < (int)(sizeof bad_reqs / sizeof bad_reqs[0]); i++) {
                    char *param;
                    int st = http(s.port, "POST", "/v1/embeddings", bad_reqs[i][0], NULL, &b);
                    param = jstr(b.p, "error.param");
                    CHECK(st == 400 && param && !strcmp(param, bad_reqs[i][1]), "%s: %d %s", bad_reqs[i][0], st, b.p);
                    free(param);
                }
                CHECK(http(s.port, "POST", "/v1/embeddings", "{\"input\":\"ab\",\"dimensions\":16}", NULL, &b) == 200,
                      "dimensions = n_embd: %s", b.p);
                CHECK(http(s.port, "POST", "/v1/classify", "{\"input\":\"ab\"}", NULL, &b) == 200 &&
                      jnum(b.p, "data.0.num_classes") == 2, "/v1/classify: %s", b.p);
                CHECK(http(s.port, "POST", "/classify", "{\"input\":\"0123456789012345678901234567890123\"}", NULL,
                           &b) == 400 && strstr(b.p, "context"), "/classify, a long input: %s", b.p);
            }
        }
        CHECK(stop_server(&s, SIGTERM) == 0, "%s: exit status after SIGTERM", fx[f]);
        llm_safetensors_close(&r.st);
        sb_free(&in); sb_free(&req); sb_free(&b); sb_free(&b2);
    }
}

/* On the language model: embeddings work (the model's width; an input
   batched with others is the input alone, to rounding), /classify is 400. */
static void test_pooled_lm(int port) {
    sb b;
    double one[1024], both[1024];
    int n1, n2, k, same = 1;
    char *msg = NULL;
    memset(&b, 0, sizeof b);
    CHECK(http(port, "POST", "/v1/embeddings", "{\"input\":\"JULIET:\"}", NULL, &b) == 200, "embeddings: %s", b.p);
    n1 = jfloats(b.p, "data.0.embedding", one, 1024);
    CHECK(http(port, "POST", "/v1/embeddings", "{\"input\":[\"ROMEO: But soft\",\"JULIET:\",\"O\"]}", NULL, &b) == 200,
          "embeddings: %s", b.p);
    n2 = jfloats(b.p, "data.1.embedding", both, 1024);
    for (k = 0; k < n1 && k < n2; k++) same &= fabs(one[k] - both[k]) <= 1e-4 + 1e-4 * fabs(one[k]);
    CHECK(n1 > 0 && n1 == n2 && same, "the LM's embedding of JULIET: alone (%d) and batched (%d)", n1, n2);
    CHECK(jfloats(b.p, "data.2.embedding", both, 1024) == n1, "three inputs: %.200s", b.p);
    CHECK(http(port, "POST", "/classify", "{\"input\":\"JULIET:\"}", NULL, &b) == 400 &&
          (msg = jstr(b.p, "error.message")) && strstr(msg, "GPT2LMHeadModel"), "/classify on an LM: %s", b.p);
    free(msg);
    msg = NULL;   /* vLLM's truncate_prompt_tokens is refused, not ignored */
    CHECK(http(port, "POST", "/v1/embeddings", "{\"input\":\"ROMEO: But soft\",\"truncate_prompt_tokens\":2}", NULL,
               &b) == 400 && (msg = jstr(b.p, "error.message")) && strstr(msg, "truncate_prompt_tokens"),
          "truncate_prompt_tokens: %s", b.p);
    free(msg);
    sb_free(&b);
}

/* ---- /metrics, cached_tokens, scheduling ---------------------------------- */

/* A strict reader of Prometheus' text exposition format (0.0.4), as far as
   this server uses it: every line a "# HELP name text", a "# TYPE name
   counter|gauge|histogram" (each once per family, before its samples) or a
   sample "name{label="v",...} value"; a histogram's _bucket lines have
   increasing le ending in +Inf, cumulative counts, the +Inf count equal to
   _count. Returns 0 with why set, else 1; *value gets the sample named want
   (with labels exactly as given, "" for none). */
#define MAX_FAM 32
static int prom_check(const char *text, char *why, size_t wn, const char *want, const char *want_labels,
                      double *value) {
    char fam[MAX_FAM][96], type[MAX_FAM][16];
    int help[MAX_FAM], n_fam = 0, f, line_no = 0;
    double last_le = -HUGE_VAL, last_count = -1, inf_count = -1, count = -1;
    const char *p = text;
    memset(help, 0, sizeof help);
    *value = -1;
    while (*p) {
        const char *e = strchr(p, '\n');
        char line[512], name[96], labels[256], *q;
        size_t len;
        line_no++;
        if (!e) { snprintf(why, wn, "line %d does not end with a newline", line_no); return 0; }
        len = (size_t)(e - p);
        if (len >= sizeof line) { snprintf(why, wn, "line %d too long", line_no); return 0; }
        memcpy(line, p, len); line[len] = 0;
        p = e + 1;
        if (line[0] == '#') {
            int is_help = !strncmp(line, "# HELP ", 7), is_type = !strncmp(line, "# TYPE ", 7), k;
            char *nm = line + 7, *sp;
            if (!is_help && !is_type) { snprintf(why, wn, "line %d: a comment not HELP or TYPE", line_no); return 0; }
            sp = strchr(nm, ' ');
            if (!sp || sp == nm || (size_t)(sp - nm) >= sizeof name || !sp[1]) {
                snprintf(why, wn, "line %d: malformed %.80s", line_no, line); return 0;
            }
            memcpy(name, nm, (size_t)(sp - nm)); name[sp - nm] = 0;
            for (k = 0; name[k]; k++)
                if (!(isalpha((unsigned char)name[k]) || name[k] == '_' || name[k] == ':' ||
                      (k && isdigit((unsigned char)name[k])))) {
                    snprintf(why, wn, "line %d: bad metric name '%s'", line_no, name); return 0;
                }
            for (f = 0; f < n_fam && strcmp(fam[f], name); f++) {}
            if (f == n_fam) {
                if (n_fam == MAX_FAM) { snprintf(why, wn, "too many families"); return 0; }
                snprintf(fam[n_fam], sizeof fam[0], "%s", name); type[n_fam][0] = 0; n_fam++;
            }
            if (is_help) {
                if (help[f]++) { snprintf(why, wn, "line %d: second HELP for %s", line_no, name); return 0; }
            } else {
                if (type[f][0]) { snprintf(why, wn, "line %d: second TYPE for %s", line_no, name); return 0; }
                if (strcmp(sp + 1, "counter") && strcmp(sp + 1, "gauge") && strcmp(sp + 1, "histogram")) {
                    snprintf(why, wn, "line %d: type '%s'", line_no, sp + 1); return 0;
                }
                snprintf(type[f], sizeof type[0], "%s", sp + 1);
            }
            continue;
        }
        /* a sample */
        {
            size_t k = strcspn(line, "{ ");
            char *end, base[96];
            double v;
            const char *suffix = "";
            if (!k || k >= sizeof name) { snprintf(why, wn, "line %d: no name: %.80s", line_no, line); return 0; }
            memcpy(name, line, k); name[k] = 0;
            q = line + k;
            labels[0] = 0;
            if (*q == '{') {
                char *r = q + 1, *close;
                while (*r != '}') {   /* label="value" (no escapes used here) */
                    size_t kl = strspn(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
                    char *vq;
                    if (!kl || r[kl] != '=' || r[kl + 1] != '"' || !(vq = strchr(r + kl + 2, '"'))) {
                        snprintf(why, wn, "line %d: bad labels: %.80s", line_no, line); return 0;
                    }
                    r = vq + 1;
                    if (*r == ',') r++;
                    else if (*r != '}') { snprintf(why, wn, "line %d: bad labels: %.80s", line_no, line); return 0; }
                }
                close = r;
                memcpy(labels, q + 1, (size_t)(close - q - 1)); labels[close - q - 1] = 0;
                q = close + 1;
            }
            if (*q != ' ' || !q[1]) { snprintf(why, wn, "line %d: no value: %.80s", line_no, line); return 0; }
            v = !strcmp(q + 1, "+Inf") ? HUGE_VAL : strtod(q + 1, &end);
            if (strcmp(q + 1, "+Inf") && (*end || end == q + 1)) {
                snprintf(why, wn, "line %d: bad value: %.80s", line_no, line); return 0;
            }
            snprintf(base, sizeof base, "%s", name);
            for (f = 0; f < n_fam && strcmp(fam[f], base); f++) {}
            if (f == n_fam) {   /* a histogram's series */
                static const char *const sfx[] = { "_bucket", "_sum", "_count" };
                int s;
                for (s = 0; s < 3 && f == n_fam; s++) {
                    size_t bl = strlen(name), sl = strlen(sfx[s]);
                    if (bl <= sl || strcmp(name + bl - sl, sfx[s])) continue;
                    memcpy(base, name, bl - sl); base[bl - sl] = 0;
                    for (f = 0; f < n_fam && strcmp(fam[f], base); f++) {}
                    if (f < n_fam && strcmp(type[f], "histogram")) f = n_fam;
                    if (f < n_fam) suffix = sfx[s];
                }
            }
            if (f == n_fam || !type[f][0] || !help[f]) {
                snprintf(why, wn, "line %d: %s used before its HELP and TYPE", line_no, name); return 0;
            }
            if (!strcmp(type[f], "histogram") && !*suffix) {
                snprintf(why, wn, "line %d: histogram sample without _bucket/_sum/_count", line_no); return 0;
            }
            if (!strcmp(suffix, "_bucket")) {
                double le;
                if (strncmp(labels, "le=\"", 4)) { snprintf(why, wn, "line %d: bucket without le", line_no); return 0; }
                le = !strncmp(labels + 4, "+Inf\"", 5) ? HUGE_VAL : strtod(labels + 4, &end);
                if (le <= last_le || v < last_count) {
                    snprintf(why, wn, "line %d: buckets not increasing or not cumulative", line_no); return 0;
                }
                last_le = le; last_count = v;
                if (le == HUGE_VAL) inf_count = v;
            }
            if (!strcmp(suffix, "_count")) count = v;
            if ((!strcmp(type[f], "counter") || !strcmp(type[f], "histogram")) && v < 0) {
                snprintf(why, wn, "line %d: negative counter", line_no); return 0;
            }
            if (!strcmp(name, want) && !strcmp(labels, want_labels)) *value = v;
        }
    }
    if (inf_count < 0 || inf_count != count) {
        snprintf(why, wn, "the histogram's +Inf bucket (%g) is not its _count (%g)", inf_count, count); return 0;
    }
    return 1;
}

/* GET /metrics reads as the text format, with the families documented. */
static void test_metrics(int port) {
    static const char *const fams[] = { "llmh_requests_total", "llmh_prompt_tokens_total", "llmh_cached_tokens_total",
        "llmh_generated_tokens_total", "llmh_queue_depth", "llmh_busy_slots", "llmh_prefill_seconds_total",
        "llmh_decode_seconds_total", "llmh_time_to_first_token_seconds" };
    sb b;
    char why[256], decl[128];
    double v;
    size_t k;
    memset(&b, 0, sizeof b);
    CHECK(http(port, "GET", "/metrics", NULL, NULL, &b) == 200 && b.p, "GET /metrics status");
    if (!b.p) return;
    CHECK(prom_check(b.p, why, sizeof why, "llmh_requests_total", "endpoint=\"/v1/completions\",status=\"200\"", &v),
          "/metrics: %s", why);
    CHECK(v > 0, "completions answered 200: %g", v);
    for (k = 0; k < sizeof fams / sizeof fams[0]; k++) {
        snprintf(decl, sizeof decl, "# TYPE %s ", fams[k]);
        CHECK(strstr(b.p, decl) != NULL, "/metrics lacks %s", fams[k]);
    }
    prom_check(b.p, why, sizeof why, "llmh_cached_tokens_total", "", &v);
    CHECK(v > 0, "cached tokens counted: %g", v);
    prom_check(b.p, why, sizeof why, "llmh_generated_tokens_total", "", &v);
    CHECK(v > 0, "generated tokens counted: %g", v);
    /* the reader refuses what breaks the format */
    CHECK(!prom_check("x_total 1\n", why, sizeof why, "", "", &v), "a sample before its TYPE passes");
    CHECK(!prom_check("# HELP h a\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n"
                      "h_count 1\n", why, sizeof why, "", "", &v), "a falling bucket passes");
    CHECK(!prom_check("# HELP h a\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", why, sizeof why,
                      "", "", &v), "+Inf bucket != _count passes");
    sb_free(&b);
}

/* A long prompt sent twice: the second reuses the first's KV blocks
   (usage.prompt_tokens_details.cached_tokens > 0) and answers the same. */
static void test_cached_tokens(int port) {
    sb b, req;
    char *one, *two;
    int i;
    memset(&b, 0, sizeof b);
    memset(&req, 0, sizeof req);
    sb_puts(&req, "{\"prompt\":\"");
    for (i = 0; i < 8; i++) sb_puts(&req, "KING HENRY:\\nWhat news from France, my lord? ");
    sb_puts(&req, "\",\"max_tokens\":8,\"temperature\":0}");
    CHECK(http(port, "POST", "/v1/completions", req.p, NULL, &b) == 200, "long prompt");
    one = jstr(b.p, "choices.0.text");
    CHECK(jnum(b.p, "usage.prompt_tokens") > 64 && jnum(b.p, "usage.prompt_tokens_details.cached_tokens") >= 0,
          "first: %s", b.p);
    CHECK(http(port, "POST", "/v1/completions", req.p, NULL, &b) == 200, "long prompt again");
    two = jstr(b.p, "choices.0.text");
    CHECK(jnum(b.p, "usage.prompt_tokens_details.cached_tokens") > 0, "repeated: cached_tokens in %s", b.p);
    CHECK(one && two && !strcmp(one, two), "repeated: '%s' vs '%s'", two ? two : "", one ? one : "");
    free(one); free(two);
    sb_free(&b); sb_free(&req);
}

/* llmh_cached_tokens_total from /metrics, or -1. */
static double cached_total(int port) {
    sb b;
    double x = -1;
    const char *p;
    memset(&b, 0, sizeof b);
    if (http(port, "GET", "/metrics", NULL, NULL, &b) == 200 && b.p && (p = strstr(b.p, "\nllmh_cached_tokens_total ")))
        x = atof(p + 26);
    sb_free(&b);
    return x;
}

/* n: 3 on a prompt of several KV blocks: choice 0 reads the prompt, choices
   1 and 2 share its blocks (the prefix cache's counter grows by their whole
   blocks: 2 * 16 * floor((prompt - 1) / 16)), and each choice i still gives
   build/generate -n 3's sequence i. */
static void test_fork(int port) {
    static const char prompt[] = "MENENIUS: What work is, my countrymen, in hand? where go you with bats and clubs? "
                                 "The matter? speak, I pray you.";
    sb b;
    char body[512], args[512], *want, *line;
    double before = cached_total(port), n_prompt;
    int i;
    memset(&b, 0, sizeof b);
    snprintf(body, sizeof body, "{\"prompt\":\"%s\",\"n\":3,\"seed\":21,\"temperature\":0.8,\"max_tokens\":12,"
             "\"ignore_eos\":true}", prompt);
    CHECK(http(port, "POST", "/v1/completions", body, NULL, &b) == 200, "n: 3: %s", b.p);
    n_prompt = jnum(b.p, "usage.prompt_tokens");
    CHECK(n_prompt > 32 && jnum(b.p, "usage.completion_tokens") == 36, "n: 3 usage: %s", b.p);
    CHECK(before >= 0 && cached_total(port) - before == 2 * 16 * floor((n_prompt - 1) / 16),
          "n: 3: choices 1, 2 reuse choice 0's blocks: cached tokens %g -> %g (prompt %g)", before,
          cached_total(port), n_prompt);
    snprintf(args, sizeof args, "-p '%s' -n 3 --json --seed 21 --temperature 0.8 --top-k 0 --max-new-tokens 12 "
             "--ignore-eos", prompt);
    want = run_generate(args);
    for (i = 0, line = want; i < 3; i++) {
        char path[32], *got, *exp;
        char *nl = line ? strchr(line, '\n') : NULL;
        if (nl) *nl = 0;
        snprintf(path, sizeof path, "choices.%d.text", i);
        got = jstr(b.p, path);
        exp = line ? jstr(line, "text") : NULL;
        CHECK(got && exp && !strcmp(got, exp), "n: 3, choice %d: server '%s', generate '%s'", i, got ? got : "",
              exp ? exp : "");
        free(got); free(exp);
        line = nl ? nl + 1 : NULL;
    }
    free(want);
    sb_free(&b);
}

/* Sends a completion request on a new connection; returns the fd. */
static int send_req(int port, const char *json) {
    sb r;
    int fd = connect_to(port);
    memset(&r, 0, sizeof r);
    sb_printf(&r, "POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
              strlen(json));
    sb_puts(&r, json);
    if (fd >= 0 && !send_str(fd, r.p, r.n)) { close(fd); fd = -1; }
    sb_free(&r);
    return fd;
}
/* Waits up to ms milliseconds for news on fd[0] or fd[1] (< 0: not open)
   and reads what came into b[0] / b[1]; a closed one becomes -1. */
static void pump(int *fd, sb *b, int ms) {
    struct pollfd pf[2];
    int k, n = 0;
    for (k = 0; k < 2; k++) if (fd[k] >= 0) { pf[n].fd = fd[k]; pf[n].events = POLLIN; pf[n].revents = 0; n++; }
    if (!n || poll(pf, (nfds_t)n, ms) <= 0) return;
    for (k = 0; k < n; k++) {
        char tmp[4096];
        ssize_t got;
        int i = pf[k].fd == fd[0] ? 0 : 1;
        if (!pf[k].revents) continue;
        got = recv(fd[i], tmp, sizeof tmp, 0);
        if (got > 0) sb_add(&b[i], tmp, (size_t)got);
        else { close(fd[i]); fd[i] = -1; }
    }
}
static int count_str(const sb *b, const char *s) {
    int n = 0;
    const char *p = b->p;
    while (p && (p = strstr(p, s)) != NULL) { n++; p += strlen(s); }
    return n;
}

/* A server of 4 slots and 16 prompt rows per step: a long prompt arriving
   while a stream runs is read in pieces, so the stream's chunks keep coming
   before its answer; an n: 4 request waiting for 4 free slots does not hold
   back the n: 1 requests behind it (they are answered before the stream
   that keeps n: 4 waiting ends). */
static void test_scheduling(void) {
    static const char *const flags[] = { "--parallel", "4", "--prefill-rows", "16", "--quiet", NULL };
    static const char stream_req[] = "{\"prompt\":\"ROMEO:\",\"max_tokens\":250,\"temperature\":0,\"ignore_eos\":true,"
                                     "\"stream\":true}";
    srv_proc s;
    sb b[2], req, big;
    int fd[2], fb, i, before, during;
    double t0;
    memset(&s, 0, sizeof s);
    memset(b, 0, sizeof b); memset(&req, 0, sizeof req); memset(&big, 0, sizeof big);
    if (!start_server(&s, server_bin, MODEL, flags)) { CHECK(0, "server did not start"); return; }
    /* a prompt of ~200 tokens (the model's context is 256) while a stream runs */
    sb_puts(&req, "{\"prompt\":\"");
    for (i = 0; i < 14; i++) sb_puts(&req, "First Citizen: hear me speak. ");
    sb_puts(&req, "\",\"max_tokens\":1}");
    fd[0] = send_req(s.port, stream_req); fd[1] = -1;
    for (t0 = now_s(); fd[0] >= 0 && count_str(&b[0], "data: ") < 2 && now_s() - t0 < 60;) pump(fd, b, 100);
    before = count_str(&b[0], "data: ");
    fd[1] = send_req(s.port, req.p);
    for (t0 = now_s(); fd[1] >= 0 && !b[1].n && now_s() - t0 < 60;) pump(fd, b, 100);
    during = count_str(&b[0], "data: ") - before;
    CHECK(b[1].p && strstr(b[1].p, " 200 "), "the long prompt: %.300s", b[1].p ? b[1].p : "(nothing)");
    CHECK(during >= 5 && !strstr(b[0].p ? b[0].p : "", "[DONE]"),
          "the stream got %d chunks while the long prompt was read", during);
    if (fd[1] >= 0) close(fd[1]);
    /* n: 4 waits for the stream's slot; n: 1 requests pass it */
    fb = send_req(s.port, "{\"prompt\":\"KING\",\"max_tokens\":2,\"n\":4,\"temperature\":0}");
    b[1].n = 0;
    fd[1] = send_req(s.port, "{\"prompt\":\"JULIET:\",\"max_tokens\":2,\"temperature\":0}");
    for (t0 = now_s(); fd[1] >= 0 && now_s() - t0 < 60;) pump(fd, b, 100);
    CHECK(b[1].p && strstr(b[1].p, " 200 ") && !strstr(b[0].p ? b[0].p : "", "[DONE]"),
          "an n: 1 request answered while n: 4 waits and the stream runs");
    /* embeddings run in the slots the generator leaves free, between its steps */
    CHECK(http(s.port, "POST", "/v1/embeddings", "{\"input\":[\"ROMEO:\",\"JULIET:\",\"KING\"]}", NULL, &req) == 200 &&
          strstr(req.p, "\"index\":2"), "embeddings beside the stream and the waiting n: 4: %.200s", req.p);
    for (t0 = now_s(); fd[0] >= 0 && now_s() - t0 < 60;) pump(fd, b, 100);
    CHECK(strstr(b[0].p ? b[0].p : "", "[DONE]") != NULL, "the stream ended");
    fd[0] = fb; fd[1] = -1;
    for (t0 = now_s(); fd[0] >= 0 && now_s() - t0 < 60;) pump(fd, &big, 100);
    CHECK(big.p && strstr(big.p, "\"index\":3"), "n: 4 answered once the slots were free: %.200s", big.p ? big.p : "");
    CHECK(stop_server(&s, SIGTERM) == 0, "exit status after SIGTERM");
    sb_free(&b[0]); sb_free(&b[1]); sb_free(&req); sb_free(&big);
}

/* n: 4 on a long prompt read one row a step beside 4 streams, its client
   gone while choice 0 reads it (the other 3 wait to fork; on a fast
   machine they may have started): every slot comes back, and n: 4 runs
   again once the streams are gone. */
static void test_fork_cancel(void) {
    static const char *const flags[] = { "--parallel", "8", "--prefill-rows", "1", "--threads", "1", "--quiet", NULL };
    srv_proc s;
    sb req, big;
    int fb, i, fs[4];
    double t0;
    memset(&s, 0, sizeof s);
    memset(&req, 0, sizeof req); memset(&big, 0, sizeof big);
    if (!start_server(&s, server_bin, MODEL, flags)) { CHECK(0, "server did not start"); return; }
    for (i = 0; i < 4; i++)
        fs[i] = send_req(s.port, "{\"prompt\":\"ROMEO:\",\"max_tokens\":250,\"ignore_eos\":true,\"stream\":true}");
    sb_puts(&req, "{\"prompt\":\"");
    for (i = 0; i < 22; i++) sb_puts(&req, "Second Citizen: we are accounted poor. ");   /* 241 tokens */
    sb_puts(&req, "\",\"max_tokens\":5,\"n\":4,\"ignore_eos\":true}");
    nap_ms(100);
    fb = send_req(s.port, req.p);
    nap_ms(30);
    if (fb >= 0) close(fb);
    for (t0 = now_s(), i = 0; now_s() - t0 < 30 && !i;) {   /* the streams run or have ended */
        nap_ms(50);
        i = http(s.port, "GET", "/health", NULL, NULL, &big) == 200 && big.p && strstr(big.p, "\"cancelled\":1,");
    }
    CHECK(i, "n: 4 cancelled while choice 0 reads the prompt: the request ends: %.200s", big.p ? big.p : "");
    for (i = 0; i < 4; i++) if (fs[i] >= 0) close(fs[i]);
    for (t0 = now_s(), i = 0; now_s() - t0 < 30 && !i;) {
        nap_ms(50);
        i = http(s.port, "GET", "/health", NULL, NULL, &big) == 200 && big.p &&
            strstr(big.p, "\"slots_idle\":8,") && strstr(big.p, "\"queued\":0");
    }
    CHECK(i, "n: 4 cancelled while choice 0 reads the prompt: every slot comes back: %.200s", big.p ? big.p : "");
    CHECK(http(s.port, "POST", "/v1/completions", req.p, NULL, &big) == 200 && strstr(big.p, "\"index\":3") &&
          jnum(big.p, "usage.completion_tokens") == 20, "n: 4 after the cancel: %.200s", big.p ? big.p : "");
    CHECK(stop_server(&s, SIGTERM) == 0, "exit status after SIGTERM");
    sb_free(&req); sb_free(&big);
}

/* Links files[0..n) of the model folder src (relative to the working
   directory) into the folder dir (made if absent); 1 when all are linked. */
static int link_model(const char *dir, const char *src, const char *const *files, int n) {
    char cwd[1024], from[1400], to[1200];
    int k, ok;
    mkdir(dir, 0777);
    ok = getcwd(cwd, sizeof cwd) != NULL;
    for (k = 0; k < n && ok; k++) {
        snprintf(from, sizeof from, "%s/%s/%s", cwd, src, files[k]);
        snprintf(to, sizeof to, "%s/%s", dir, files[k]);
        unlink(to);
        ok = symlink(from, to) == 0;
    }
    return ok;
}

/* A checkpoint whose outputs are not finite (seqcls-2 with wte all +inf,
   written into build/server-inf-test/): /v1/embeddings and /classify answer
   500 with a JSON error saying so, never a body with "nan" in it. */
static void test_nonfinite(void) {
    static const char *const files[] = { "config.json", "merges.txt", "vocab.json" };
    static const char *const quiet[] = { "--quiet", NULL };
    static const char src[] = "tests/data/heads/seqcls-2", dir[] = "build/server-inf-test";
    static const char *const paths[] = { "/v1/embeddings", "/classify" };
    char from[1400], to[1200];
    unsigned char *st = NULL;
    unsigned long a = 0, e = 0, hl = 0, i;
    long n = 0;
    const char *w;
    srv_proc s;
    sb b;
    FILE *f;
    int k, ok;
    const float inf = (float)HUGE_VAL;
    memset(&b, 0, sizeof b);
    ok = link_model(dir, src, files, 3);
    snprintf(from, sizeof from, "%s/model.safetensors", src);
    if (ok && (f = fopen(from, "rb"))) {
        ok = fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 8 && fseek(f, 0, SEEK_SET) == 0 &&
             (st = (unsigned char *)malloc((size_t)n + 1)) && fread(st, 1, (size_t)n, f) == (size_t)n;
        fclose(f);
    } else ok = 0;
    if (ok) {
        for (k = 7; k >= 0; k--) hl = hl << 8 | st[k];
        st[n] = 0;
        w = hl < (unsigned long)n - 8 ? strstr((const char *)st + 8, "wte.weight\"") : NULL;
        w = w ? strstr(w, "data_offsets") : NULL;
        w = w ? strchr(w, '[') : NULL;
        ok = w && sscanf(w + 1, " %lu , %lu", &a, &e) == 2 && a < e && 8 + hl + e <= (unsigned long)n;
        for (i = a; ok && i + 4 <= e; i += 4) memcpy(st + 8 + hl + i, &inf, 4);
    }
    snprintf(to, sizeof to, "%s/model.safetensors", dir);
    if (!ok || !(f = fopen(to, "wb")) || fwrite(st, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0) {
        free(st);
        SKIP("cannot write %s", to);
        return;
    }
    free(st);
    memset(&s, 0, sizeof s);
    if (!start_server(&s, server_bin, dir, quiet)) { CHECK(0, "server (inf weights) did not start"); return; }
    for (k = 0; k < 2; k++) {
        char *msg = NULL;
        int code = http(s.port, "POST", paths[k], "{\"input\":\"hi\",\"encoding_format\":\"float\"}", NULL, &b);
        CHECK(code == 500 && (msg = jstr(b.p, "error.message")) && strstr(msg, "not finite") && !strstr(b.p, "nan"),
              "%s with inf weights: %d %s", paths[k], code, b.p);
        free(msg);
    }
    CHECK(stop_server(&s, SIGTERM) == 0, "inf-weights server exit status");
    sb_free(&b);
}

/* generation_config.json gives the server's request defaults, as it gives
   generate's; a request's fields win; --no-generation-config ignores it.
   The model is models/shakespeare linked into build/server-gc-test/ with
   {"do_sample": false, "max_new_tokens": 5}: a request without fields is
   greedy for 5 tokens (= build/generate --greedy --max-new-tokens 5). */
static void test_generation_config(void) {
    static const char *const files[] = { "config.json", "merges.txt", "model.safetensors", "vocab.json" };
    static const char *const quiet[] = { "--quiet", NULL };
    static const char *const no_gc[] = { "--quiet", "--no-generation-config", NULL };
    static const char dir[] = "build/server-gc-test";
    char to[1200], *want, *got, expect[1024];
    srv_proc s;
    sb b;
    FILE *f;
    int ok = 1;
    memset(&b, 0, sizeof b);
    ok = link_model(dir, MODEL, files, 4);
    snprintf(to, sizeof to, "%s/generation_config.json", dir);
    if (!ok || !(f = fopen(to, "wb"))) { SKIP("cannot link the model into %s", dir); return; }
    fputs("{\"do_sample\": false, \"max_new_tokens\": 5}\n", f);
    fclose(f);
    memset(&s, 0, sizeof s);
    if (!start_server(&s, server_bin, dir, quiet)) { CHECK(0, "server (generation_config) did not start"); return; }
    want = run_generate("-p 'ROMEO:' --greedy --max-new-tokens 5 --ignore-eos");
    CHECK(http(s.port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"ignore_eos\":true}", NULL, &b) == 200,
          "generation_config: %s", b.p);
    got = jstr(b.p, "choices.0.text");
    snprintf(expect, sizeof expect, "ROMEO:%s\n", got ? got : "");
    CHECK(jnum(b.p, "usage.completion_tokens") == 5, "max_new_tokens 5 from generation_config.json: %s", b.p);
    CHECK(want && got && !strcmp(expect, want), "do_sample false: '%s', greedy '%s'", expect, want ? want : "");
    free(want); free(got);
    /* the request's fields win: max_tokens, temperature with a seed */
    want = run_generate("-p 'ROMEO:' --seed 5 --temperature 0.9 --top-k 0 --max-new-tokens 9 --ignore-eos");
    CHECK(http(s.port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"ignore_eos\":true,\"max_tokens\":9,"
               "\"temperature\":0.9,\"seed\":5}", NULL, &b) == 200, "generation_config, fields: %s", b.p);
    got = jstr(b.p, "choices.0.text");
    snprintf(expect, sizeof expect, "ROMEO:%s\n", got ? got : "");
    CHECK(jnum(b.p, "usage.completion_tokens") == 9, "max_tokens 9 over the file's 5: %s", b.p);
    CHECK(want && got && !strcmp(expect, want), "temperature 0.9 seed 5: '%s', generate '%s'", expect,
          want ? want : "");
    free(want); free(got);
    CHECK(stop_server(&s, SIGTERM) == 0, "exit status after SIGTERM (generation_config)");
    /* --no-generation-config: OpenAI's 16 tokens */
    if (!start_server(&s, server_bin, dir, no_gc)) {
        CHECK(0, "server (--no-generation-config) did not start");
        return;
    }
    CHECK(http(s.port, "POST", "/v1/completions", "{\"prompt\":\"ROMEO:\",\"ignore_eos\":true}", NULL, &b) == 200 &&
          jnum(b.p, "usage.completion_tokens") == 16, "--no-generation-config: 16 tokens: %s", b.p);
    CHECK(stop_server(&s, SIGTERM) == 0, "exit status after SIGTERM (--no-generation-config)");
    sb_free(&b);
}

int main(int argc, char **argv) {
    static const char *const flags[] = { "--parallel", "8", NULL };
    srv_proc s;
    const char *slash = strrchr(argv[0], '/');
    (void)argc;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm(600);
    snprintf(server_bin, sizeof server_bin, "%.*sserver", slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
    if (access(server_bin, X_OK) != 0) snprintf(server_bin, sizeof server_bin, "build/server");
    snprintf(generate_bin, sizeof generate_bin, "build/generate");
    if (access(server_bin, X_OK) != 0 || access(generate_bin, X_OK) != 0) {
        printf("FAIL test_server: %s or %s not built (make)\n", server_bin, generate_bin);
        return test_summary("test_server") + 1;
    }
    memset(&s, 0, sizeof s);
    if (!start_server(&s, server_bin, MODEL, flags)) { CHECK(0, "server did not start"); return test_summary("test_server"); }
    test_generate_equal(s.port);
    test_greedy_reference(s.port);
    test_stream(s.port);
    test_concurrent(s.port);
    test_bad_requests(s.port);
    test_openai_client(s.port);
    test_stream_events(s.port);
    test_chat(s.port);
    test_not_served(s.port);
    test_web_page(s.port);
    test_busy_port(s.port);
    test_cached_tokens(s.port);
    test_fork(s.port);
    test_metrics(s.port);
    test_pooled_lm(s.port);
    CHECK(stop_server(&s, SIGINT) == 0, "exit status after SIGINT");
    test_pooled_reference();
    test_limits();
    test_chat_servers();
    test_shutdown_partial();
    test_scheduling();
    test_fork_cancel();
    test_generation_config();
    test_nonfinite();
    return test_summary("test_server");
}
