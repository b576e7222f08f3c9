/* bench_server: build/server's throughput with concurrent clients.

   Run with `make bench-server`, or from the repository root:
       build/bench_server [--dir D] [--tokens N] [--runs R] [--threads N] [--clients 1,4,8]

   Uses the GPT-2 124M-shaped F32 checkpoint of make bench (D, default
   build/bench-results/f32; written by build/bench_native --write-only when
   absent: seeded random weights, no tokenizer). Starts build/server on a
   free 127.0.0.1 port with --parallel 8, sends one warm-up request, then for
   each client count C: C connections send at once a request of a 16-token
   prompt (token ids, different per client) for N new tokens (default 32,
   greedy, ignore_eos); the time is from the first send to the last
   answer, the tokens are the sum of the answers' usage.completion_tokens.
   Prints the median of R runs (default 3) of tokens/s and its ratio to one
   client. */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "examples/server_http.h"
#include "tests/server_client.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLIENTS 64

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* C clients at once; returns the seconds, *tokens the sum generated. */
static double run_clients(int port, int c, int n_tokens, long *tokens) {
    int fd[MAX_CLIENTS], i, open_n = 0;
    sb resp[MAX_CLIENTS];
    double t0 = now_s();
    *tokens = 0;
    for (i = 0; i < c; i++) {
        sb body, req;
        int k;
        memset(&body, 0, sizeof body);
        memset(&req, 0, sizeof req);
        memset(&resp[i], 0, sizeof resp[i]);
        sb_puts(&body, "{\"prompt\":[");
        for (k = 0; k < 16; k++) sb_printf(&body, "%s%d", k ? "," : "", 1000 + 97 * i + 13 * k);
        sb_printf(&body, "],\"max_tokens\":%d,\"temperature\":0,\"ignore_eos\":true}", n_tokens);
        sb_printf(&req, "POST /v1/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                  body.n, body.p);
        fd[i] = connect_to(port);
        if (fd[i] >= 0 && !send_str(fd[i], req.p, req.n)) { close(fd[i]); fd[i] = -1; }
        open_n += fd[i] >= 0;
        sb_free(&body);
        sb_free(&req);
    }
    while (open_n > 0 && now_s() - t0 < 600) {
        struct pollfd pf[MAX_CLIENTS];
        int n = 0, k;
        for (i = 0; i < c; i++) if (fd[i] >= 0) { pf[n].fd = fd[i]; pf[n].events = POLLIN; pf[n].revents = 0; n++; }
        if (poll(pf, (nfds_t)n, 1000) <= 0) continue;
        for (k = 0; k < n; k++) {
            char tmp[4096];
            ssize_t got;
            if (!pf[k].revents) continue;
            for (i = 0; i < c && fd[i] != pf[k].fd; i++) {}
            got = recv(fd[i], tmp, sizeof tmp, 0);
            if (got > 0) sb_add(&resp[i], tmp, (size_t)got);
            else { close(fd[i]); fd[i] = -1; open_n--; }
        }
    }
    t0 = now_s() - t0;
    for (i = 0; i < c; i++) {
        const char *u = resp[i].p ? strstr(resp[i].p, "\"completion_tokens\":") : NULL;
        if (u) *tokens += atol(u + 20);
        else fprintf(stderr, "bench_server: client %d got no usage: %.200s\n", i, resp[i].p ? resp[i].p : "(nothing)");
        if (fd[i] >= 0) close(fd[i]);
        sb_free(&resp[i]);
    }
    return t0;
}

int main(int argc, char **argv) {
    const char *dir = "build/bench-results/f32";
    const char *threads = NULL;
    char path[1024], clients_arg[128] = "1,4,8";
    int n_tokens = 32, runs = 3, i, n_c = 0, counts[16];
    double base = 0;
    srv_proc s;
    const char *flags[8];
    int nf = 0;
    char *tok;
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
    if (n_tokens < 1 || runs < 1) { fprintf(stderr, "bench_server: bad --tokens or --runs\n"); return 2; }
    for (tok = strtok(clients_arg, ","); tok && n_c < 16; tok = strtok(NULL, ",")) {
        counts[n_c] = atoi(tok);
        if (counts[n_c] < 1 || counts[n_c] > MAX_CLIENTS) { fprintf(stderr, "bench_server: clients in [1, 64]\n"); return 2; }
        n_c++;
    }
    snprintf(path, sizeof path, "%.900s/model.safetensors", dir);
    if (access(path, R_OK) != 0) {
        if (strcmp(dir, "build/bench-results/f32") != 0) { fprintf(stderr, "bench_server: no %s\n", path); return 1; }
        printf("writing the 124M-shaped checkpoints (build/bench_native --write-only)\n");
        fflush(stdout);
        if (system("build/bench_native --write-only --dir build/bench-results") != 0) return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    flags[nf++] = "--parallel"; flags[nf++] = "8";
    if (threads) { flags[nf++] = "--threads"; flags[nf++] = threads; }
    flags[nf] = NULL;
    memset(&s, 0, sizeof s);
    if (!start_server(&s, "build/server", dir, flags)) return 1;
    {
        long t;
        run_clients(s.port, 1, 4, &t);   /* warm-up: pages in the weights */
    }
    printf("build/server, %s (GPT-2 124M shape, F32), --parallel 8%s%s: 16-token prompts, %d new tokens each (greedy);\n"
           "median of %d runs; tokens/s = all clients' generated tokens / time from the first send to the last answer\n",
           dir, threads ? " --threads " : "", threads ? threads : "", n_tokens, runs);
    printf("clients | tokens | seconds | tokens/s | vs 1 client\n");
    for (i = 0; i < n_c; i++) {
        double tps[32], secs[32];
        long tokens = 0;
        int r;
        for (r = 0; r < runs && r < 32; r++) {
            secs[r] = run_clients(s.port, counts[i], n_tokens, &tokens);
            tps[r] = tokens / secs[r];
        }
        qsort(tps, (size_t)r, sizeof tps[0], cmp_double);
        qsort(secs, (size_t)r, sizeof secs[0], cmp_double);
        if (counts[i] == 1) base = tps[r / 2];
        printf("%7d | %6ld | %7.2f | %8.1f | ", counts[i], tokens, secs[r / 2], tps[r / 2]);
        if (base > 0) printf("%.2fx\n", tps[r / 2] / base); else printf("-\n");
        fflush(stdout);
    }
    stop_server(&s, SIGTERM);
    return 0;
}
