/* bench_server: build/server under three loads, with issue targets.

   Run with `make bench-server`, or from the repository root:
       build/bench_server [--dir D] [--tokens N] [--runs R] [--threads N] [--clients 1,4,8]

   Uses the GPT-2 124M-shaped F16 checkpoint of make bench (D, default
   build/bench-results/f16; written by build/bench_native --write-only when
   absent: seeded random weights, no tokenizer, so prompts are token ids and
   streams carry logprobs 0 to get a chunk per token). Each server is
   build/server on a free 127.0.0.1 port with --parallel 8 --quiet and
   --threads N (default 2). Every time is the median of R runs (default 3).

   (a) prefix: 8 clients at once, each a 500-token system prompt (the same
       for all) then an 8-token question of its own, streaming N tokens
       (default 32, greedy, ignore_eos), after one request with the system
       prompt has run (it warms the cache). Time to first token (median of
       the 8) and tokens/s (all tokens over first send to last end), with the
       prefix cache on and with --no-prefix-cache. Target: on <= 0.25x off.
   (b) stall: 2 streams run; a 900-token prompt (max_tokens 1) arrives; the
       longest gap between two chunks of a stream while it is read, against
       that prompt's time alone on the idle server, with --prefill-rows 128
       (the default) and with unlimited rows (one chunk). Target: chunked
       stall <= 0.4x the prompt alone.
   (c) throughput: C clients (1, 4, 8) at once, a 16-token prompt of their
       own for N greedy tokens; tokens/s = the answers' completion_tokens
       over first send to last answer. Target: 8 clients >= 4x one.

   Prints the date, the commit (git rev-parse) and the load average first:
   on a shared machine the figures move with the load. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "examples/server_http.h"
#include "tests/server_client.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENTS 64
#define MAX_EV 4096

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n ? v[n / 2] : 0;
}

/* One client connection: its request's send time, the arrival time of each
   SSE "data: " chunk, when the answer ended (the server closed), and what
   came back. */
typedef struct client {
    int fd;
    sb resp;
    double t_send, t_done;
    double ev[MAX_EV];
    int n_ev;
} client;

/* A completion request for ids[0..n) with the extra JSON members. */
static void client_send(client *c, int port, const int *ids, int n, const char *extra) {
    sb body, req;
    int k;
    memset(&body, 0, sizeof body);
    memset(&req, 0, sizeof req);
    memset(&c->resp, 0, sizeof c->resp);
    c->n_ev = 0;
    c->t_done = 0;
    sb_puts(&body, "{\"prompt\":[");
    for (k = 0; k < n; k++) sb_printf(&body, "%s%d", k ? "," : "", ids[k]);
    sb_printf(&body, "],\"temperature\":0,\"ignore_eos\":true%s}", extra);
    sb_printf(&req, "POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
              body.n);
    sb_add(&req, body.p, body.n);   /* (sb_printf stops at 512 bytes) */
    c->t_send = now_s();
    c->fd = connect_to(port);
    if (c->fd >= 0 && !send_str(c->fd, req.p, req.n)) { close(c->fd); c->fd = -1; }
    if (c->fd < 0) c->t_done = now_s();
    sb_free(&body);
    sb_free(&req);
}

/* Waits up to ms for news on the open clients; reads it, timestamping new
   chunks. Returns the number still open. */
static int pump(client *cs, int n, int ms) {
    struct pollfd pf[MAX_CLIENTS];
    int idx[MAX_CLIENTS], m = 0, i, k, open_n = 0;
    for (i = 0; i < n; i++)
        if (cs[i].fd >= 0) { pf[m].fd = cs[i].fd; pf[m].events = POLLIN; pf[m].revents = 0; idx[m++] = i; }
    if (!m) return 0;
    if (poll(pf, (nfds_t)m, ms) > 0) {
        double t = now_s();
        for (k = 0; k < m; k++) {
            client *c = &cs[idx[k]];
            char tmp[16384];
            ssize_t got;
            size_t from;
            if (!pf[k].revents) continue;
            got = recv(c->fd, tmp, sizeof tmp, 0);
            if (got <= 0) { close(c->fd); c->fd = -1; c->t_done = t; continue; }
            /* chunks whose "data: " starts in the new bytes (or straddles them) */
            from = c->resp.n >= 5 ? c->resp.n - 5 : 0;
            sb_add(&c->resp, tmp, (size_t)got);
            while (from + 6 <= c->resp.n) {
                const char *p = c->resp.p + from;
                if (!memcmp(p, "data: ", 6) && (from == 0 || c->resp.p[from - 1] == '\n') && c->n_ev < MAX_EV)
                    c->ev[c->n_ev++] = t;
                from++;
            }
        }
    }
    for (i = 0; i < n; i++) open_n += cs[i].fd >= 0;
    return open_n;
}
static void wait_all(client *cs, int n) {
    double t0 = now_s();
    while (pump(cs, n, 1000) > 0 && now_s() - t0 < 900) {}
}
static void close_all(client *cs, int n) {
    int i;
    for (i = 0; i < n; i++) {
        if (cs[i].fd >= 0) close(cs[i].fd);
        cs[i].fd = -1;
        sb_free(&cs[i].resp);
    }
}
static long completion_tokens(const client *c) {
    const char *u = c->resp.p ? strstr(c->resp.p, "\"completion_tokens\":") : NULL;
    if (!u) fprintf(stderr, "bench_server: no usage in: %.200s\n", c->resp.p ? c->resp.p : "(nothing)");
    return u ? atol(u + 20) : 0;
}

static int start(srv_proc *s, const char *dir, const char *threads, const char *extra1, const char *extra2) {
    const char *flags[12];
    int nf = 0;
    flags[nf++] = "--parallel"; flags[nf++] = "8"; flags[nf++] = "--quiet";
    flags[nf++] = "--threads"; flags[nf++] = threads;
    if (extra1) flags[nf++] = extra1;
    if (extra2) flags[nf++] = extra2;
    flags[nf] = NULL;
    memset(s, 0, sizeof *s);
    if (!start_server(s, "build/server", dir, flags)) return 0;
    {
        client w;   /* warm-up: pages in the weights */
        int ids[4] = { 11, 12, 13, 14 };
        client_send(&w, s->port, ids, 4, ",\"max_tokens\":4");
        wait_all(&w, 1);
        close_all(&w, 1);
    }
    return 1;
}

/* (a) 8 clients sharing a 500-token system prompt: *ttft the median time to
   first token, returns tokens/s. run r: new questions each run. */
static double prefix_case(int port, int n_tokens, int run, double *ttft) {
    enum { SYS = 500, Q = 8, C = 8 };
    static client cs[C];
    int ids[SYS + Q], i, k;
    char extra[96];
    double t[C], t0, t1 = 0;
    for (k = 0; k < SYS; k++) ids[k] = 1000 + (k * 37) % 40000;
    snprintf(extra, sizeof extra, ",\"max_tokens\":%d,\"stream\":true,\"logprobs\":0", n_tokens);
    for (k = 0; k < Q; k++) ids[SYS + k] = 45000 + run * 100 + k;   /* the warm-up's own question */
    client_send(&cs[0], port, ids, SYS + Q, extra);
    wait_all(cs, 1);
    close_all(cs, 1);
    t0 = now_s();
    for (i = 0; i < C; i++) {
        for (k = 0; k < Q; k++) ids[SYS + k] = 41000 + run * 100 + i * 11 + k;
        client_send(&cs[i], port, ids, SYS + Q, extra);
    }
    wait_all(cs, C);
    for (i = 0; i < C; i++) {
        t[i] = cs[i].n_ev ? cs[i].ev[0] - cs[i].t_send : 1e9;
        if (cs[i].t_done > t1) t1 = cs[i].t_done;
    }
    close_all(cs, C);
    *ttft = median(t, C);
    return (double)C * n_tokens / (t1 - t0);
}

/* (b) 2 streams, then a 900-token prompt: returns the longest gap between
   two chunks of a stream while the prompt was read; *alone: that prompt's
   time on the idle server (measured first). run r: new prompts. */
static double stall_case(int port, int run, double *alone) {
    enum { LONG = 900 };
    static client cs[3];
    int ids[LONG], k, i;
    double t_sent, t_answer, gap = 0, t0;
    for (k = 0; k < LONG; k++) ids[k] = 2000 + (k * 53 + run * 7919 + 1) % 40000;
    client_send(&cs[2], port, ids, LONG, ",\"max_tokens\":1");
    wait_all(&cs[2], 1);
    *alone = cs[2].t_done - cs[2].t_send;
    close_all(&cs[2], 1);
    for (k = 0; k < LONG; k++) ids[k] = 2000 + (k * 53 + run * 7919 + 2) % 40000;  /* not cached */
    for (i = 0; i < 2; i++) {
        int p[16];
        for (k = 0; k < 16; k++) p[k] = 3000 + run * 50 + i * 17 + k;
        client_send(&cs[i], port, p, 16, ",\"max_tokens\":400,\"stream\":true,\"logprobs\":0");
    }
    for (t0 = now_s(); (cs[0].n_ev < 5 || cs[1].n_ev < 5) && now_s() - t0 < 120;) pump(cs, 2, 100);
    client_send(&cs[2], port, ids, LONG, ",\"max_tokens\":1");
    t_sent = cs[2].t_send;
    while (cs[2].fd >= 0 && now_s() - t0 < 300) pump(cs, 3, 100);
    t_answer = cs[2].t_done;
    for (t0 = now_s(); now_s() - t0 < 0.5 && cs[0].fd >= 0;) pump(cs, 2, 50);   /* the chunk after it */
    for (i = 0; i < 2; i++)
        for (k = 1; k < cs[i].n_ev; k++)
            if (cs[i].ev[k] > t_sent && cs[i].ev[k - 1] < t_answer && cs[i].ev[k] - cs[i].ev[k - 1] > gap)
                gap = cs[i].ev[k] - cs[i].ev[k - 1];
    close_all(cs, 3);   /* the streams are cancelled */
    nap_ms(200);
    return gap;
}

/* (c) C clients at once; returns tokens/s. */
static double clients_case(int port, int c, int n_tokens, long *tokens) {
    static client cs[MAX_CLIENTS];
    int ids[16], i, k;
    char extra[64];
    double t0 = now_s(), t1 = t0;
    snprintf(extra, sizeof extra, ",\"max_tokens\":%d", n_tokens);
    for (i = 0; i < c; i++) {
        for (k = 0; k < 16; k++) ids[k] = 1000 + 97 * i + 13 * k;
        client_send(&cs[i], port, ids, 16, extra);
    }
    wait_all(cs, c);
    *tokens = 0;
    for (i = 0; i < c; i++) {
        *tokens += completion_tokens(&cs[i]);
        if (cs[i].t_done > t1) t1 = cs[i].t_done;
    }
    close_all(cs, c);
    return *tokens / (t1 - t0);
}

static const char *met(int ok) { return ok ? "met" : "not met"; }

int main(int argc, char **argv) {
    const char *dir = "build/bench-results/f16", *threads = "2";
    char path[1024], clients_arg[128] = "1,4,8", commit[64] = "?", load[64] = "?";
    int n_tokens = 32, runs = 3, i, r, n_c = 0, counts[16];
    double base = 0, top = 0, top_c = 0;
    srv_proc s;
    char *tok;
    FILE *f;
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--dir") && v) dir = argv[++i];
        else if (!strcmp(argv[i], "--tokens") && v) n_tokens = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && v) runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && v) threads = argv[++i];
        else if (!strcmp(argv[i], "--clients") && v) snprintf(clients_arg, sizeof clients_arg, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: bench_server [--dir D] [--tokens N] [--runs R] [--threads N] [--clients 1,4,8]\n");
            return 2;
        }
    }
    if (n_tokens < 1 || n_tokens > 100 || runs < 1 || runs > 32 || atoi(threads) < 1) {
        fprintf(stderr, "bench_server: --tokens in [1, 100], --runs in [1, 32], --threads >= 1\n");
        return 2;
    }
    for (tok = strtok(clients_arg, ","); tok && n_c < 16; tok = strtok(NULL, ",")) {
        counts[n_c] = atoi(tok);
        if (counts[n_c] < 1 || counts[n_c] > MAX_CLIENTS) { fprintf(stderr, "bench_server: clients in [1, 64]\n"); return 2; }
        n_c++;
    }
    snprintf(path, sizeof path, "%.900s/model.safetensors", dir);
    if (access(path, R_OK) != 0) {
        if (strcmp(dir, "build/bench-results/f16") != 0) { fprintf(stderr, "bench_server: no %s\n", path); return 1; }
        printf("writing the 124M-shaped checkpoints (build/bench_native --write-only)\n");
        fflush(stdout);
        if (system("build/bench_native --write-only --dir build/bench-results") != 0) return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((f = popen("git rev-parse --short HEAD 2>/dev/null", "r")) != NULL) {
        if (fgets(commit, sizeof commit, f)) commit[strcspn(commit, "\n")] = 0;
        pclose(f);
    }
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(load, sizeof load, f)) load[strcspn(load, "\n")] = 0;
        fclose(f);
    }
    {
        time_t now = time(NULL);
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
        printf("bench_server: %s, commit %s, load average %s (before the runs)\n", when, commit, load);
    }
    printf("build/server, %s (GPT-2 124M shape), --parallel 8 --threads %s; median of %d run(s)\n\n", dir, threads,
           runs);

    /* (a) */
    {
        double ttft[2][32], tps[2][32], m_ttft[2], m_tps[2];
        for (i = 0; i < 2; i++) {
            if (!start(&s, dir, threads, i ? "--no-prefix-cache" : NULL, NULL)) return 1;
            for (r = 0; r < runs; r++) tps[i][r] = prefix_case(s.port, n_tokens, r, &ttft[i][r]);
            stop_server(&s, SIGTERM);
            m_ttft[i] = median(ttft[i], runs);
            m_tps[i] = median(tps[i], runs);
        }
        printf("(a) 8 clients, a shared 500-token system prompt + an 8-token question each, %d tokens streamed\n",
               n_tokens);
        printf("prefix cache | time to first token (median) | tokens/s\n");
        printf("on           | %8.0f ms | %7.1f\n", m_ttft[0] * 1e3, m_tps[0]);
        printf("off          | %8.0f ms | %7.1f\n", m_ttft[1] * 1e3, m_tps[1]);
        printf("on / off     | %8.2fx   | %7.2fx   target: time to first token <= 0.25x: %s\n\n",
               m_ttft[0] / m_ttft[1], m_tps[0] / m_tps[1], met(m_ttft[0] <= 0.25 * m_ttft[1]));
    }
    /* (b) */
    {
        double gap[2][32], alone[2][32], m_gap[2], m_alone[2];
        static const char *const rows[2] = { "128 (default)", "unlimited" };
        for (i = 0; i < 2; i++) {
            if (!start(&s, dir, threads, "--prefill-rows", i ? "1048576" : "128")) return 1;
            for (r = 0; r < runs; r++) gap[i][r] = stall_case(s.port, r, &alone[i][r]);
            stop_server(&s, SIGTERM);
            m_gap[i] = median(gap[i], runs);
            m_alone[i] = median(alone[i], runs);
        }
        printf("(b) 2 streams running, a 900-token prompt arrives\n");
        printf("--prefill-rows | longest gap in a stream | the prompt alone | gap / alone\n");
        for (i = 0; i < 2; i++)
            printf("%-14s | %8.0f ms | %8.0f ms | %5.2fx\n", rows[i], m_gap[i] * 1e3, m_alone[i] * 1e3,
                   m_gap[i] / m_alone[i]);
        printf("target: stall <= 0.4x the prompt alone (--prefill-rows 128): %s\n\n",
               met(m_gap[0] <= 0.4 * m_alone[0]));
    }
    /* (c) */
    if (!start(&s, dir, threads, NULL, NULL)) return 1;
    printf("(c) C clients at once, a 16-token prompt each, %d greedy tokens each\n", n_tokens);
    printf("clients | tokens | tokens/s | vs 1 client\n");
    for (i = 0; i < n_c; i++) {
        double tps[32];
        long tokens = 0;
        for (r = 0; r < runs; r++) tps[r] = clients_case(s.port, counts[i], n_tokens, &tokens);
        tps[0] = median(tps, runs);
        if (counts[i] == 1) base = tps[0];
        if (counts[i] >= top_c) { top_c = counts[i]; top = tps[0]; }
        printf("%7d | %6ld | %8.1f | ", counts[i], tokens, tps[0]);
        if (base > 0) printf("%.2fx\n", tps[0] / base); else printf("-\n");
        fflush(stdout);
    }
    stop_server(&s, SIGTERM);
    if (base > 0 && top_c == 8)
        printf("target: 8 clients >= 4x one client's tokens/s: %s (%.2fx)\n", met(top >= 4 * base), top / base);
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(load, sizeof load, f)) load[strcspn(load, "\n")] = 0;
        fclose(f);
        printf("load average %s (after the runs)\n", load);
    }
    return 0;
}
