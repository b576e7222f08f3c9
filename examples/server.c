/* server: an OpenAI-compatible HTTP server for llm.h models.

     server -m MODEL_DIR [--host 127.0.0.1] [--port 8080] [--parallel N]
            [--ctx N] [--threads N] [--api-key KEY] [--queue N] [--timeout S]
            [--chat-template NAME]

   Endpoints: POST /v1/completions, POST /v1/chat/completions (the
   messages rendered by llm.h's chat templates), POST /v1/embeddings,
   POST /classify (classifier checkpoints), GET /v1/models, GET /health,
   POST /tokenize, POST /detokenize, GET / (a web page) (see docs/server.md).

   Threads: the main thread accepts connections; each connection has a
   thread that reads its requests (examples/server_http.h parses them) and
   writes the answers; one scheduler thread owns the model's session and
   the --parallel slots: one llm_session with n_seq_max = --parallel, slot
   i being its sequence i. Each scheduler step is one llm_session_decode
   of a batch that advances every active request by one token (a new
   request's prompt rows join the same batch, continuous batching), then
   samples each request's next token with that request's own sampler,
   so a request's tokens depend only on its own prompt and seed. Requests
   that find every slot busy wait in a bounded queue (--queue); past it the
   answer is 503. One mutex guards the queue, the slots' shared fields and
   each request's text; the forward pass itself runs outside it.
   Embeddings and classification requests are hidden-state jobs the
   scheduler decodes between two generator steps in the slots the
   generator is not using (pool_step).

   POSIX only (sockets, pthreads, poll). */
#define _POSIX_C_SOURCE 200809L
#define LLM_IMPLEMENTATION
#include "llm.h"
#include "cli.h"
#include "server_http.h"
#include "server_page.h"   /* server_page[]: examples/server_page.html (make writes it with tools/bin2c.c) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <netdb.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define MAX_STOPS 4            /* as OpenAI */
#define MAX_STOP_LEN 256
#define MAX_LOGPROBS 5         /* as OpenAI */
#define MAX_HEAD (16 * 1024)
#define DEFAULT_MAX_BODY (1024 * 1024)

/* ---- requests -------------------------------------------------------------- */

struct request;

/* One sequence of a request (n > 1 gives several): a sequence of the
   server's generator. The scheduler writes it under mu. */
typedef struct choice {
    struct request *req;
    int index;
    int seq;                   /* its generator handle while it runs, else -1 */
    int32_t *ids;              /* [max_tokens] generated ids */
    size_t n_gen;
    sb text;                   /* generated text (the library's stop-string rule) */
    size_t safe;               /* text[0..safe) may be sent */
    const char *finish;        /* "stop", "length", NULL while running */
    size_t n_pub;              /* generated tokens the connection may read (mu) */
    float *lp;                 /* [max_tokens] log-probability of each generated token */
    int32_t *top_id;           /* [max_tokens, n_top] */
    float *top_lp;
    size_t *offset;            /* [max_tokens] text offset of each token */
    /* connection thread only */
    size_t sent, lp_sent;
    int finish_sent, role_sent;   /* role_sent: a chat stream's first delta is out */
    int seen;                  /* its first event came (scheduler) */
} choice;

typedef struct request {
    int32_t *prompt;
    size_t n_prompt, n_cached; /* n_cached: prompt tokens reused from the prefix cache */
    int max_tokens, n, n_top, stream, ignore_eos;   /* n_top: logprobs, -1 = none */
    int include_usage;         /* stream_options.include_usage: a usage chunk ends the stream */
    llm_sampler_options so;
    int no_repeat_ngram_size;
    char stops[MAX_STOPS][MAX_STOP_LEN + 1];
    const char *stop_list[MAX_STOPS + 2];   /* the stops, then a chat template's stop string, then NULL */
    int n_stops;
    int chat;                  /* a /v1/chat/completions request (its answer's shape) */
    choice *choices;
    int n_running;             /* choices running or waiting */
    int n_forks;               /* choices 1..n-1 waiting for choice 0's prompt (start) */
    struct request *fork_next; /* the scheduler's list of requests to fork */
    int passed;                /* later requests started before it while it waited (admit) */
    int cancelled, done;       /* shared (mu) */
    int status;                /* != 0: failed with this HTTP status */
    char error[256];
    double t_queued;           /* when it was queued (seconds, now_s) */
    int first_seen;            /* its first token is counted in the time-to-first-token histogram */
    unsigned long long id;
    pthread_cond_t cv;         /* signalled on new text and when done */
    struct request *next;      /* queue */
} request;

/* ---- the server -------------------------------------------------------------- */

/* The /metrics counters (mu). */
#define N_ENDPOINTS 11
#define N_TTFT 12
static const char *const endpoints[N_ENDPOINTS] = { "/v1/completions", "/tokenize", "/detokenize", "/health",
                                                    "/v1/models", "/metrics", "/v1/embeddings", "/classify",
                                                    "/", "/v1/chat/completions", "other" };
static const int statuses[] = { 200, 400, 401, 404, 405, 408, 413, 414, 417, 431, 500, 503, 505, 0 };
#define N_STATUSES ((int)(sizeof statuses / sizeof statuses[0]))
static const double ttft_le[N_TTFT] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };
typedef struct metrics {
    unsigned long long requests[N_ENDPOINTS][N_STATUSES];
    unsigned long long prompt_tokens, cached_tokens, generated_tokens;
    double prefill_s, decode_s;
    unsigned long long ttft_bucket[N_TTFT], ttft_count;   /* not cumulative: /metrics sums them */
    double ttft_sum;
} metrics;

typedef struct server {
    llm_model model;
    const llm_tokenizer *tok;  /* NULL: the model has no tokenizer files */
    int32_t eos;
    int chat_template;         /* an llm_chat_template; -1: chat is not served (chat_note says why) */
    char chat_note[LLM_ERROR_SIZE + 64];
    char name[128];
    int parallel, queue_max, n_ctx, threads, max_conns, prefill_rows, quiet;
    double timeout;
    size_t max_body;
    const char *api_key;
    llm_generate_options def;  /* request defaults: the server's, else generation_config.json's */
    llm_session sess;          /* n_seq_max = parallel, prefix cache on */
    llm_generator gen;         /* one sequence per choice */
    choice **by_seq;           /* [parallel]: the choice each generator sequence runs, or NULL */
    int busy;                  /* sequences running */
    int forks;                 /* sequences promised to choices waiting to fork (start) */
    int prefix_cache;          /* the session's prefix cache is on */
    request *to_fork;          /* requests whose choice 0 has read the prompt this step */
    int slots_free;            /* slots not promised to a queued or active choice */
    request *q_head, *q_tail;
    int q_len;
    int stopping;
    int n_conns;
    unsigned long long n_requests, n_cancelled, next_id;
    int most_in_step;          /* the most sequences one step has advanced */
    struct pool_job *p_head, *p_tail;   /* queued /v1/embeddings and /classify requests */
    int p_len;
    int32_t *p_tok, *p_seq;    /* [n_ctx]: one decode of their inputs (scheduler) */
    float *p_hidden;           /* [n_ctx, n_embd] */
    metrics m;
    pthread_mutex_t mu;
    pthread_cond_t work;       /* scheduler: a request arrived, or stopping */
    pthread_cond_t conns_cv;   /* a connection ended */
} server;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void request_free(request *r) {
    int i;
    if (!r) return;
    for (i = 0; r->choices && i < r->n; i++) {
        choice *c = &r->choices[i];
        free(c->ids); free(c->lp); free(c->top_id); free(c->top_lp); free(c->offset);
        sb_free(&c->text);
    }
    free(r->choices);
    free(r->prompt);
    pthread_cond_destroy(&r->cv);
    free(r);
}

/* ==========================================================================
   Scheduler
   ========================================================================== */

/* ---- hidden-state jobs: /v1/embeddings and /classify -------------------------
   A job's inputs go through llm_session_decode_hidden on the scheduler
   thread, between generator steps, in the session slots the generator is
   not using: one decode per scheduler step of as many inputs as there are
   free slots and at most n_ctx rows in all (input i of a decode in a free
   slot, cleared before and after). Embeddings pool each input's rows
   (llm_pool_rows); classification reads the row llm_batch_cls_row picks
   through llm_session_head. */
typedef struct pool_job {
    int32_t *tok;              /* every input's tokens, one after another */
    size_t *off, *len, count;  /* input i: tok[off[i] .. off[i] + len[i]) */
    size_t n_tokens;
    int classify;              /* 1: head logits [count, num_labels]; 0: embeddings [count, n_embd] */
    llm_pool pool;
    int normalize;
    float *out;
    size_t next;               /* inputs done (scheduler) */
    int cancelled, done, status;   /* shared (mu) */
    char error[256];
    pthread_cond_t cv;         /* signalled when done */
    struct pool_job *next_job; /* queue */
} pool_job;

static void pool_job_free(pool_job *j) {
    if (!j) return;
    free(j->tok); free(j->off); free(j->len); free(j->out);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* Unlinks the first queued job, done (mu held). */
static void pool_job_finish(server *srv) {
    pool_job *j = srv->p_head;
    srv->p_head = j->next_job;
    if (!srv->p_head) srv->p_tail = NULL;
    srv->p_len--;
    j->done = 1;
    pthread_cond_broadcast(&j->cv);
}

/* One decode of the first queued job's next inputs in the free slots (mu
   held; released during the decode). */
static void pool_step(server *srv) {
    const llm_model *m = &srv->model;
    size_t C = (size_t)m->config.n_embd, N = (size_t)m->config.num_labels, k = 0, rows = 0, q, t;
    int slot[256], n_free = 0, i;
    pool_job *j;
    llm_batch b;
    llm_status st = LLM_OK;
    double t0;
    while ((j = srv->p_head) && j->cancelled) pool_job_finish(srv);
    if (!j) return;
    for (i = 0; i < srv->parallel && n_free < 256; i++) if (!srv->by_seq[i]) slot[n_free++] = i;
    while (k < (size_t)n_free && j->next + k < j->count && (!k || rows + j->len[j->next + k] <= (size_t)srv->n_ctx)) {
        size_t in = j->next + k;
        for (t = 0; t < j->len[in]; t++) {
            srv->p_tok[rows + t] = j->tok[j->off[in] + t];
            srv->p_seq[rows + t] = slot[k];
        }
        rows += j->len[in];
        k++;
    }
    if (!k) return;
    memset(&b, 0, sizeof b);
    b.n = rows; b.token = srv->p_tok; b.seq = srv->p_seq;
    pthread_mutex_unlock(&srv->mu);
    t0 = now_s();
    for (q = 0; q < k; q++) llm_session_seq_clear(&srv->sess, slot[q]);
    st = llm_session_decode_hidden(&srv->sess, &b, srv->p_hidden);
    if (st == LLM_OK && j->classify) {
        /* input q's row to row q (its row is at or after q, and after every earlier input's) */
        for (q = 0; q < k; q++) {
            long r = llm_batch_cls_row(m, &b, slot[q]);
            if ((size_t)r != q) memcpy(srv->p_hidden + q * C, srv->p_hidden + (size_t)r * C, C * sizeof(float));
        }
        st = llm_session_head(&srv->sess, srv->p_hidden, k, j->out + j->next * N);
    }
    for (q = 0; st == LLM_OK && !j->classify && q < k; q++)
        st = llm_pool_rows(srv->p_hidden, C, &b, slot[q], j->pool, j->normalize, j->out + (j->next + q) * C);
    for (q = 0; q < k; q++) llm_session_seq_clear(&srv->sess, slot[q]);
    pthread_mutex_lock(&srv->mu);
    srv->m.prefill_s += now_s() - t0;
    j->next += k;
    if (st != LLM_OK) {
        j->status = 500;
        snprintf(j->error, sizeof j->error, "%s", llm_session_error(&srv->sess));
    }
    if (st != LLM_OK || j->next == j->count) pool_job_finish(srv);
}

/* Ends choice c (mu held); the request is done when its last choice is. */
static void choice_finish(server *srv, choice *c, const char *why) {
    request *r = c->req;
    c->finish = why;
    c->safe = c->text.n;
    if (c->seq >= 0 && srv->by_seq[c->seq] == c) { srv->by_seq[c->seq] = NULL; srv->slots_free++; srv->busy--; }
    c->seq = -1;
    if (--r->n_running == 0) { r->done = 1; srv->n_cancelled += r->cancelled != 0; }
    pthread_cond_broadcast(&r->cv);
}

/* Unlinks queued request r (after prev, or the head) (mu held). */
static void unqueue(server *srv, request *prev, request *r) {
    if (prev) prev->next = r->next; else srv->q_head = r->next;
    if (srv->q_tail == r) srv->q_tail = prev;
    r->next = NULL;
    srv->q_len--;
}

/* Starts choice i of r as a generator sequence: choice i samples with
   seed + i, as llm_generate (mu held; a sequence is free). */
static void start_choice(server *srv, request *r, int i) {
    choice *c = &r->choices[i];
    llm_seq_options o;
    memset(&o, 0, sizeof o);
    o.sampler = r->so;
    o.sampler.seed = r->so.seed + (uint64_t)i;
    o.max_new_tokens = r->max_tokens;
    o.stop_strings = r->stop_list[0] ? r->stop_list : NULL;
    o.ignore_eos = r->ignore_eos;
    o.no_repeat_ngram_size = r->no_repeat_ngram_size;
    o.logprobs = r->n_top >= 0;
    o.top_logprobs = r->n_top > 0 ? r->n_top : 0;
    o.user = c;
    if (llm_generator_add(&srv->gen, r->prompt, r->n_prompt, &o, &c->seq) != LLM_OK) {
        r->status = 400;
        snprintf(r->error, sizeof r->error, "%s", llm_generator_error(&srv->gen));
        c->seq = -1;
        srv->slots_free++;
        choice_finish(srv, c, "error");
        return;
    }
    srv->by_seq[c->seq] = c;
    srv->busy++;
}

/* Starts r's choices (mu held; r->n sequences are free). With n > 1 and the
   prefix cache on, only choice 0 reads a prompt of more than one KV block
   (16 positions); the others start once it has (fork_choices), sharing its
   blocks: each evaluates only the prompt's last partial block. */
static void start(server *srv, request *r) {
    int i, n = r->n;
    if (n > 1 && srv->prefix_cache && r->n_prompt > 16) {
        start_choice(srv, r, 0);
        if (r->choices[0].seq >= 0) {
            r->n_forks = n - 1;
            srv->forks += n - 1;
            return;
        }
    }
    for (i = r->choices[0].finish ? 1 : 0; i < n; i++) start_choice(srv, r, i);
}

/* Starts r's waiting choices, or, when r failed or was cancelled, ends
   them with why (mu held). */
static void fork_choices(server *srv, request *r, const char *why) {
    int i, k = r->n_forks;
    srv->forks -= k;
    r->n_forks = 0;
    for (i = r->n - k; i < r->n; i++) {
        if (!r->cancelled && !r->status && !why) start_choice(srv, r, i);
        else {
            srv->slots_free++;
            choice_finish(srv, &r->choices[i], why ? why : r->cancelled ? "cancelled" : "error");
        }
    }
}

/* Moves queued requests into free sequences (mu held). The rule: requests
   start in arrival order, and a request that fits in the free sequences
   starts before an earlier one that needs more (n > 1), but the oldest such
   waiting request is passed at most --parallel times: after that nothing
   starts before it. So a large request neither blocks small ones nor waits
   for ever. */
static void admit(server *srv) {
    request *r = srv->q_head, *prev = NULL, *blocked = NULL;
    int free_seqs = srv->parallel - srv->busy - srv->forks;
    while (r) {
        request *next = r->next;
        if (r->cancelled || srv->stopping) {
            unqueue(srv, prev, r);
            srv->slots_free += r->n;
            if (!r->cancelled) { r->status = 503; snprintf(r->error, sizeof r->error, "the server is shutting down"); }
            else srv->n_cancelled++;
            r->n_running = 0;
            r->done = 1;
            pthread_cond_broadcast(&r->cv);
        } else if (r->n <= free_seqs && (!blocked || blocked->passed < srv->parallel)) {
            unqueue(srv, prev, r);
            if (blocked) blocked->passed++;
            free_seqs -= r->n;
            start(srv, r);
        } else {
            if (!blocked) blocked = r;
            prev = r;
        }
        r = next;
    }
}

/* Event e of choice c (mu held). */
static void choice_event(server *srv, choice *c, const llm_generator_event *e, double t) {
    request *r = c->req;
    const char *why = e->stop == LLM_STOP_EOS || e->stop == LLM_STOP_STRING ? "stop"
                    : e->stop == LLM_STOP_LENGTH || e->stop == LLM_STOP_CONTEXT_FULL ? "length" : "error";
    size_t g = c->n_gen;
    if (!c->seen) {   /* the prompt reused from the cache, by each choice */
        c->seen = 1;
        srv->m.cached_tokens += e->n_cached;
        if (c->index == 0 && r->n_forks) { r->fork_next = srv->to_fork; srv->to_fork = r; }
    }
    if (!r->first_seen) {
        double d = t - r->t_queued;
        int k;
        r->first_seen = 1;
        r->n_cached = e->n_cached;
        for (k = 0; k < N_TTFT && d > ttft_le[k]; k++) {}
        if (k < N_TTFT) srv->m.ttft_bucket[k]++;
        srv->m.ttft_count++;
        srv->m.ttft_sum += d;
    }
    if (e->id >= 0) {
        c->ids[g] = e->id;
        if (r->n_top >= 0) {
            int k;
            c->lp[g] = e->logprob;
            c->offset[g] = c->text.n;
            for (k = 0; k < r->n_top && k < e->n_top; k++) {
                c->top_id[g * (size_t)r->n_top + (size_t)k] = e->top[k].id;
                c->top_lp[g * (size_t)r->n_top + (size_t)k] = e->top[k].logprob;
            }
        }
        c->n_gen++;
        srv->m.generated_tokens++;
    }
    sb_add(&c->text, e->text, e->text_len);
    if (c->text.oom && !r->status) { r->status = 500; snprintf(r->error, sizeof r->error, "out of memory"); }
    c->safe = c->text.n;
    c->n_pub = c->n_gen;
    if (e->stop == LLM_STOP_ERROR && !r->status) {
        r->status = 500;
        snprintf(r->error, sizeof r->error, "%s", llm_generator_error(&srv->gen));
    }
    if (e->stop != LLM_STOP_NONE) {
        srv->by_seq[e->seq] = NULL;   /* the generator has freed it */
        srv->slots_free++;
        srv->busy--;
        c->seq = -1;
        choice_finish(srv, c, why);
    } else pthread_cond_broadcast(&r->cv);
}

/* The scheduler: admits requests, steps the generator, hands out events. */
static void *scheduler_main(void *arg) {
    server *srv = (server *)arg;
    int i;
    pthread_mutex_lock(&srv->mu);
    for (;;) {
        const llm_generator_event *ev = NULL;
        int n_ev = 0, prefill = 0;
        llm_status st;
        double t0, t1;
        for (i = 0; i < srv->parallel; i++) {
            choice *c = srv->by_seq[i];
            if (c && c->req->cancelled) {
                llm_generator_cancel(&srv->gen, i);
                if (c->req->n_forks) fork_choices(srv, c->req, "cancelled");
                choice_finish(srv, c, "cancelled");
            }
        }
        pool_step(srv);
        admit(srv);
        if (!srv->busy) {
            if (srv->p_head) continue;
            if (srv->stopping && !srv->q_head) break;
            pthread_cond_wait(&srv->work, &srv->mu);
            continue;
        }
        if (srv->busy > srv->most_in_step) srv->most_in_step = srv->busy;
        for (i = 0; i < srv->parallel; i++) prefill |= srv->by_seq[i] && !srv->by_seq[i]->req->first_seen;
        pthread_mutex_unlock(&srv->mu);
        t0 = now_s();
        st = llm_generator_step(&srv->gen, &ev, &n_ev);
        t1 = now_s();
        pthread_mutex_lock(&srv->mu);
        if (prefill) srv->m.prefill_s += t1 - t0; else srv->m.decode_s += t1 - t0;
        if (st != LLM_OK && !n_ev) {   /* the decode failed: every sequence ends */
            for (i = 0; i < srv->parallel; i++) {
                choice *c = srv->by_seq[i];
                if (!c) continue;
                llm_generator_cancel(&srv->gen, i);
                c->req->status = 500;
                snprintf(c->req->error, sizeof c->req->error, "%s", llm_generator_error(&srv->gen));
                if (c->req->n_forks) fork_choices(srv, c->req, "error");
                choice_finish(srv, c, "error");
            }
            continue;
        }
        for (i = 0; i < n_ev; i++) choice_event(srv, (choice *)ev[i].user, &ev[i], t1);
        while (srv->to_fork) {   /* after the events: the adds reuse the slots that ended */
            request *r = srv->to_fork;
            srv->to_fork = r->fork_next;
            r->fork_next = NULL;
            fork_choices(srv, r, NULL);
        }
    }
    pthread_mutex_unlock(&srv->mu);
    return NULL;
}

/* ==========================================================================
   HTTP: connections
   ========================================================================== */

typedef struct conn {
    server *srv;
    int fd;
    char *buf;                 /* received bytes */
    size_t n, cap;
    int closed;                /* the peer is gone (reading or writing failed) */
    int status;                /* the last reply's HTTP status */
    size_t lg_prompt, lg_cached, lg_gen;   /* its tokens, for the request log */
} conn;

static int send_all(conn *c, const char *p, size_t n) {
    while (n && !c->closed) {
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { c->closed = 1; return 0; }
        p += k;
        n -= (size_t)k;
    }
    return !c->closed;
}

static const char *status_text(int st) {
    switch (st) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static void respond(conn *c, int st, const char *type, const char *body, size_t len, int keep) {
    char head[512];
    int k;
    c->status = st;
    k = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: %s\r\n%s\r\n",
                     st, status_text(st), type, len, keep ? "keep-alive" : "close",
                     st == 401 ? "WWW-Authenticate: Bearer\r\n" : "");
    if (send_all(c, head, (size_t)k)) send_all(c, body, len);
}
static void respond_json(conn *c, int st, const sb *b, int keep) {
    if (b->oom) { respond(c, 500, "text/plain", "out of memory\n", 14, 0); return; }
    respond(c, st, "application/json", b->p ? b->p : "", b->n, keep);
}
/* An OpenAI-style error body. */
static void error_json(sb *b, int st, const char *msg, const char *param) {
    const char *type = st == 401 ? "authentication_error" : st == 404 ? "not_found_error" :
                       st >= 500 ? (st == 503 ? "server_busy" : "server_error") : "invalid_request_error";
    sb_puts(b, "{\"error\":{\"message\":");
    sb_json_str(b, msg, strlen(msg));
    sb_printf(b, ",\"type\":\"%s\",\"param\":", type);
    if (param) sb_json_str(b, param, strlen(param)); else sb_puts(b, "null");
    sb_printf(b, ",\"code\":%d}}", st);
}
static void respond_error(conn *c, int st, const char *msg, const char *param, int keep) {
    sb b;
    memset(&b, 0, sizeof b);
    error_json(&b, st, msg, param);
    respond_json(c, st, &b, keep);
    sb_free(&b);
}

/* Has the peer closed its end? (Pipelined bytes are left in the socket.) */
static int peer_gone(conn *c) {
    struct pollfd p;
    char x;
    ssize_t k;
    if (c->closed) return 1;
    p.fd = c->fd; p.events = POLLIN; p.revents = 0;
    if (poll(&p, 1, 0) <= 0) return 0;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) return c->closed = 1;
    k = recv(c->fd, &x, 1, MSG_PEEK | MSG_DONTWAIT);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return c->closed = 1;
    return 0;
}

static int is_stopping(server *srv) {
    int s;
    pthread_mutex_lock(&srv->mu);
    s = srv->stopping;
    pthread_mutex_unlock(&srv->mu);
    return s;
}

/* Reads until c->n >= want or the deadline; 1 ok, 0 timeout/closed/stop.
   Once the server is stopping, a request not yet received whole is not
   waited for: bytes already in the socket are read, then *stopped is set. */
static int read_more(conn *c, size_t want, double deadline, int *timed_out, int *stopped) {
    server *srv = c->srv;
    while (c->n < want) {
        struct pollfd p;
        double left = deadline - now_s();
        int stop = is_stopping(srv);
        ssize_t k;
        if (left <= 0) { *timed_out = 1; return 0; }
        if (want > c->cap) {
            size_t nc = c->cap ? c->cap : 4096;
            char *nb;
            while (nc < want) nc *= 2;
            nb = (char *)realloc(c->buf, nc);
            if (!nb) return 0;
            c->buf = nb;
            c->cap = nc;
        }
        p.fd = c->fd; p.events = POLLIN; p.revents = 0;
        k = poll(&p, 1, stop ? 0 : left > 0.25 ? 250 : (int)(left * 1000) + 1);
        if (k < 0 && errno != EINTR) return 0;
        if (k == 0 && stop) { *stopped = 1; return 0; }
        if (k <= 0) continue;
        k = recv(c->fd, c->buf + c->n, c->cap - c->n, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) { c->closed = 1; return 0; }
        c->n += (size_t)k;
    }
    return 1;
}

/* ==========================================================================
   Endpoints
   ========================================================================== */

/* A JSON request body: the document, or a 400 already sent. */
static int parse_body(conn *c, const char *body, size_t len, js_doc *d, int keep) {
    if (!js_parse(d, body, len) || d->v[0].type != JS_OBJ) {
        char msg[160];
        snprintf(msg, sizeof msg, "the body is not a JSON object: %s", d->error ? d->error : "not an object");
        respond_error(c, 400, msg, NULL, keep);
        js_free(d);
        return 0;
    }
    return 1;
}

typedef struct fail { int status; char msg[400]; const char *param; } fail;
static int bad(fail *f, int st, const char *param, const char *msg) {
    f->status = st; f->param = param;
    snprintf(f->msg, sizeof f->msg, "%s", msg);
    return 0;
}

/* Optional number member in [lo, hi]; 0 on a wrong type/range (f set). */
static int get_num(const js_doc *d, const char *key, double lo, double hi, int integer, double *out, fail *f) {
    size_t v = js_get(d, 0, key);
    char msg[160];
    if (!v || d->v[v].type == JS_NULL) return 1;
    if (d->v[v].type != JS_NUM || d->v[v].num < lo || d->v[v].num > hi || (integer && !js_is_int(&d->v[v], lo, hi))) {
        snprintf(msg, sizeof msg, "'%s' must be %s in [%g, %g]", key, integer ? "an integer" : "a number", lo, hi);
        return bad(f, 400, key, msg);
    }
    *out = d->v[v].num;
    return 1;
}
static int get_bool(const js_doc *d, const char *key, int *out, fail *f) {
    size_t v = js_get(d, 0, key);
    char msg[96];
    if (!v || d->v[v].type == JS_NULL) return 1;
    if (d->v[v].type != JS_TRUE && d->v[v].type != JS_FALSE) {
        snprintf(msg, sizeof msg, "'%s' must be a boolean", key);
        return bad(f, 400, key, msg);
    }
    *out = d->v[v].type == JS_TRUE;
    return 1;
}

/* Token ids of a JSON array of integers into a new buffer. */
static int get_ids(const server *srv, const js_doc *d, size_t arr, int32_t **ids, size_t *n, const char *param,
                   fail *f) {
    size_t k = 0, e;
    *ids = (int32_t *)malloc((d->v[arr].n + 1) * sizeof(int32_t));
    if (!*ids) return bad(f, 500, NULL, "out of memory");
    for (e = d->v[arr].first; e; e = d->v[e].next) {
        if (!js_is_int(&d->v[e], 0, (double)srv->model.config.n_vocab - 1))
            return bad(f, 400, param, "token ids must be integers in [0, vocab size)");
        (*ids)[k++] = (int32_t)d->v[e].num;
    }
    *n = k;
    return 1;
}

/* Text -> ids with the model's tokenizer. */
static int encode(const server *srv, const char *text, size_t len, int32_t **ids, size_t *n, fail *f) {
    llm_status st;
    if (!srv->tok) return bad(f, 400, "prompt", "this model has no tokenizer: send token ids");
    *ids = (int32_t *)malloc((len + 1) * sizeof(int32_t));
    if (!*ids) return bad(f, 500, NULL, "out of memory");
    st = llm_tokenizer_encode(srv->tok, text, len, 0, *ids, len + 1, n);
    if (st != LLM_OK) return bad(f, 400, "prompt", llm_status_string(st));
    return 1;
}

/* An OpenAI field this server does not implement, present and not null
   (nor an empty object): refused, never ignored. names: NULL-terminated. */
static int refuse_fields(const js_doc *d, const char *const *names, fail *f) {
    for (; *names; names++) {
        size_t v = js_get(d, 0, *names);
        if (v && d->v[v].type != JS_NULL && !(d->v[v].type == JS_OBJ && !d->v[v].n)) {
            char msg[96];
            snprintf(msg, sizeof msg, "'%s' is not supported", *names);
            return bad(f, 400, *names, msg);
        }
    }
    return 1;
}

/* max_tokens when a request gives none: generation_config.json's
   max_new_tokens, else its max_length less the prompt (at least 1), else
   16 (OpenAI's); at most the context. */
static int default_max_tokens(const server *srv, size_t n_prompt) {
    long k = srv->def.max_new_tokens > 0 ? srv->def.max_new_tokens
           : srv->def.max_length > 0 ? (long)srv->def.max_length - (long)n_prompt : 16;
    if (k < 1) k = 1;
    return k > srv->n_ctx ? srv->n_ctx : (int)k;
}

/* The server's request defaults (OpenAI's: temperature 1, top_p 1, no
   top_k, max_tokens 16) with the model's generation_config.json over them
   unless no_file (cli_generation_config: the same rule as generate's),
   reported on stderr unless quiet. */
static void take_defaults(server *srv, int no_file) {
    cli_setting sets[CLI_MAX_SETTINGS];
    int given[CLI_N_GIVEN], k;
    memset(given, 0, sizeof given);
    memset(&srv->def, 0, sizeof srv->def);
    srv->def.sampler.temperature = 1.0f;
    srv->def.sampler.top_p = 1.0f;
    srv->def.sampler.repetition_penalty = 1.0f;
    srv->def.max_new_tokens = 16;
    cli_generation_config(&srv->model, !no_file, given, 0, "server's default", &srv->def, sets, srv->quiet);
    if (srv->quiet) return;
    fprintf(stderr, "%s: request defaults (a request's fields win):", cli_prog);
    for (k = 0; sets[k].name; k++) fprintf(stderr, "%s %s %s (%s)", k ? "," : "", sets[k].name, sets[k].value,
                                           sets[k].from);
    fprintf(stderr, "\n");
}

/* The fields /v1/completions and /v1/chat/completions share (model, the
   sampling fields, n, seed, stream, stop...) into r, whose prompt, n_top
   and max_tokens default are set; then r's choices. */
static int request_options(server *srv, const js_doc *d, request *r, fail *f) {
    double x;
    size_t v, e;
    int i, seed_given = 0;
    v = js_get(d, 0, "model");
    if (v && d->v[v].type != JS_STR && d->v[v].type != JS_NULL) {
        bad(f, 400, "model", "'model' must be a string");
        return 0;
    }
    x = r->max_tokens;
    if (!get_num(d, "max_tokens", 1, srv->n_ctx, 1, &x, f)) return 0;
    r->max_tokens = (int)x;
    x = 1;
    if (!get_num(d, "n", 1, srv->parallel, 1, &x, f)) return 0;
    r->n = (int)x;
    x = srv->def.sampler.temperature;
    if (!get_num(d, "temperature", 0, 100, 0, &x, f)) return 0;
    r->so.temperature = (float)x;
    x = srv->def.sampler.top_p;
    if (!get_num(d, "top_p", 0, 1, 0, &x, f)) return 0;
    r->so.top_p = (float)x;
    x = srv->def.sampler.top_k;
    if (!get_num(d, "top_k", 0, 1 << 30, 1, &x, f)) return 0;
    r->so.top_k = (int)x;
    cli_top_p_zero(&r->so);
    x = 0;
    if (!get_num(d, "min_p", 0, 1, 0, &x, f)) return 0;
    r->so.min_p = (float)x;
    x = srv->def.sampler.repetition_penalty;
    if (!get_num(d, "repetition_penalty", 1e-6, 1e6, 0, &x, f)) return 0;
    r->so.repetition_penalty = x == 1 ? 0.0f : (float)x;
    x = srv->def.no_repeat_ngram_size;
    if (!get_num(d, "no_repeat_ngram_size", 0, 1 << 30, 1, &x, f)) return 0;
    r->no_repeat_ngram_size = (int)x;
    x = -1;
    if (!get_num(d, "seed", 0, 9007199254740991.0, 1, &x, f)) return 0;
    if (x >= 0) { r->so.seed = (uint64_t)x; seed_given = 1; }
    if (!get_bool(d, "stream", &r->stream, f) || !get_bool(d, "ignore_eos", &r->ignore_eos, f)) return 0;
    v = js_get(d, 0, "stream_options");
    if (v && d->v[v].type != JS_NULL) {
        size_t u = d->v[v].type == JS_OBJ ? js_get(d, v, "include_usage") : 0;
        int ut = u ? (int)d->v[u].type : JS_NULL;
        if (d->v[v].type != JS_OBJ || (ut != JS_TRUE && ut != JS_FALSE && ut != JS_NULL)) {
            bad(f, 400, "stream_options", "'stream_options' must be an object with a boolean 'include_usage'");
            return 0;
        }
        r->include_usage = u && d->v[u].type == JS_TRUE;
    }
    /* OpenAI parameters this server does not implement: refused, not ignored */
    x = 0;
    if (!get_num(d, "presence_penalty", 0, 0, 0, &x, f) || !get_num(d, "frequency_penalty", 0, 0, 0, &x, f)) {
        bad(f, 400, f->param, "presence_penalty and frequency_penalty are not supported (use repetition_penalty)");
        return 0;
    }
    /* stop: a string or up to 4 strings */
    v = js_get(d, 0, "stop");
    if (v && d->v[v].type != JS_NULL) {
        size_t first = d->v[v].type == JS_STR ? v : d->v[v].type == JS_ARR ? d->v[v].first : 0;
        if (!first && d->v[v].type != JS_ARR) {
            bad(f, 400, "stop", "'stop' must be a string or an array of strings");
            return 0;
        }
        for (e = first; e; e = d->v[v].type == JS_STR ? 0 : d->v[e].next) {
            if (d->v[e].type != JS_STR || !d->v[e].len || d->v[e].len > MAX_STOP_LEN ||
                memchr(d->v[e].s, 0, d->v[e].len)) {
                bad(f, 400, "stop", "each stop must be a non-empty string of at most 256 bytes");
                return 0;
            }
            if (r->n_stops == MAX_STOPS) { bad(f, 400, "stop", "at most 4 stop sequences"); return 0; }
            memcpy(r->stops[r->n_stops++], d->v[e].s, d->v[e].len + 1);
        }
        if (r->n_stops && !srv->tok) { bad(f, 400, "stop", "stop sequences need a tokenizer"); return 0; }
    }
    if (!seed_given) {
        pthread_mutex_lock(&srv->mu);
        r->so.seed = (uint64_t)time(NULL) * 1000003u + srv->next_id;
        pthread_mutex_unlock(&srv->mu);
    }
    /* the choices: sequence i samples with seed + i, as llm_generate */
    r->choices = (choice *)calloc((size_t)r->n, sizeof(choice));
    if (!r->choices) { bad(f, 500, NULL, "out of memory"); return 0; }
    for (i = 0; i < r->n_stops; i++) r->stop_list[i] = r->stops[i];
    {   /* the sampler options, checked as the generator will */
        llm_sampler smp;
        if (llm_sampler_init(&smp, &r->so, (size_t)srv->model.config.n_vocab) != LLM_OK) {
            bad(f, 400, NULL, llm_sampler_error(&smp));
            return 0;
        }
        llm_sampler_free(&smp);
    }
    r->n_running = r->n;
    for (i = 0; i < r->n; i++) {
        choice *c = &r->choices[i];
        size_t mt = (size_t)r->max_tokens, nt = r->n_top > 0 ? (size_t)r->n_top : 1;
        c->req = r;
        c->index = i;
        c->seq = -1;
        c->ids = (int32_t *)malloc(mt * sizeof(int32_t));
        if (!c->ids) { bad(f, 500, NULL, "out of memory"); return 0; }
        if (r->n_top >= 0) {
            c->lp = (float *)malloc(mt * sizeof(float));
            c->top_id = (int32_t *)malloc(mt * nt * sizeof(int32_t));
            c->top_lp = (float *)malloc(mt * nt * sizeof(float));
            c->offset = (size_t *)malloc(mt * sizeof(size_t));
            if (!c->lp || !c->top_id || !c->top_lp || !c->offset) { bad(f, 500, NULL, "out of memory"); return 0; }
        }
        sb_add(&c->text, "", 0);
    }
    return 1;
}

/* The /v1/completions body -> a request (not queued yet). */
static request *completion_request(server *srv, const js_doc *d, fail *f) {
    request *r = (request *)calloc(1, sizeof *r);
    double x;
    size_t v;
    int i;
    static const char *const unsupported[] = { "suffix", "logit_bias", NULL };
    if (!r) { bad(f, 500, NULL, "out of memory"); return NULL; }
    pthread_cond_init(&r->cv, NULL);
    r->n = 1; r->n_top = -1;
    /* prompt: a string, token ids, or a list of one of either */
    v = js_get(d, 0, "prompt");
    if (v && d->v[v].type == JS_ARR && d->v[v].n == 1 &&
        (d->v[d->v[v].first].type == JS_STR || d->v[d->v[v].first].type == JS_ARR)) v = d->v[v].first;
    else if (v && d->v[v].type == JS_ARR && d->v[v].n > 1 && d->v[d->v[v].first].type != JS_NUM) {
        bad(f, 400, "prompt", "several prompts in one request are not supported: send one request each");
        goto fail;
    }
    if (!v) { bad(f, 400, "prompt", "'prompt' is required"); goto fail; }
    if (d->v[v].type == JS_STR) { if (!encode(srv, d->v[v].s, d->v[v].len, &r->prompt, &r->n_prompt, f)) goto fail; }
    else if (d->v[v].type == JS_ARR) { if (!get_ids(srv, d, v, &r->prompt, &r->n_prompt, "prompt", f)) goto fail; }
    else { bad(f, 400, "prompt", "'prompt' must be a string or an array of token ids"); goto fail; }
    if (!r->n_prompt) {
        /* empty: start from the end-of-text token, like build/generate */
        if (srv->eos < 0) { bad(f, 400, "prompt", "empty prompt and the model has no end-of-text token"); goto fail; }
        r->prompt[0] = srv->eos;
        r->n_prompt = 1;
    }
    if (r->n_prompt > (size_t)srv->n_ctx) {
        char msg[128];
        snprintf(msg, sizeof msg, "the prompt has %zu tokens; the context holds %d", r->n_prompt, srv->n_ctx);
        bad(f, 400, "prompt", msg);
        goto fail;
    }
    x = -1;
    if (!get_num(d, "logprobs", 0, MAX_LOGPROBS, 1, &x, f)) goto fail;
    r->n_top = (int)x;
    x = 1;
    if (!get_num(d, "best_of", 1, 1, 1, &x, f)) { bad(f, 400, "best_of", "best_of > 1 is not supported"); goto fail; }
    i = 0;
    if (!get_bool(d, "echo", &i, f) || i) { bad(f, 400, "echo", "echo is not supported"); goto fail; }
    r->max_tokens = default_max_tokens(srv, r->n_prompt);
    if (!refuse_fields(d, unsupported, f) || !request_options(srv, d, r, f)) goto fail;
    return r;
fail:
    request_free(r);
    return NULL;
}

/* A token's bytes (the tokenizer's), for logprobs. */
static void token_json(const server *srv, sb *b, int32_t id) {
    size_t len = 0;
    const char *t = srv->tok ? llm_tokenizer_token(srv->tok, id, &len) : NULL;
    if (t) sb_json_str(b, t, len); else sb_puts(b, "\"\"");
}
/* logprobs of tokens [from, to) of c. */
static void logprobs_json(const server *srv, sb *b, const choice *c, size_t from, size_t to) {
    const request *r = c->req;
    size_t g;
    int k;
    if (r->n_top < 0) { sb_puts(b, "null"); return; }
    sb_puts(b, "{\"tokens\":[");
    for (g = from; g < to; g++) { if (g > from) sb_puts(b, ","); token_json(srv, b, c->ids[g]); }
    sb_puts(b, "],\"token_logprobs\":[");
    for (g = from; g < to; g++) sb_printf(b, "%s%.6g", g > from ? "," : "", c->lp[g]);
    sb_puts(b, "],\"top_logprobs\":[");
    for (g = from; g < to; g++) {
        sb_puts(b, g > from ? ",{" : "{");
        for (k = 0; k < r->n_top; k++) {
            if (k) sb_puts(b, ",");
            token_json(srv, b, c->top_id[g * (size_t)r->n_top + (size_t)k]);
            sb_printf(b, ":%.6g", c->top_lp[g * (size_t)r->n_top + (size_t)k]);
        }
        sb_puts(b, "}");
    }
    sb_puts(b, "],\"text_offset\":[");
    for (g = from; g < to; g++) sb_printf(b, "%s%zu", g > from ? "," : "", c->offset[g]);
    sb_puts(b, "]}");
}

static void usage_json(sb *b, const request *r) {
    size_t gen = 0;
    int i;
    for (i = 0; i < r->n; i++) gen += r->choices[i].n_gen;
    sb_printf(b, "\"usage\":{\"prompt_tokens\":%zu,\"completion_tokens\":%zu,\"total_tokens\":%zu,"
              "\"prompt_tokens_details\":{\"cached_tokens\":%zu}}", r->n_prompt, gen, r->n_prompt + gen, r->n_cached);
}

/* Queues r (the scheduler takes it); 0 with f set when the queue is full. */
static int enqueue(server *srv, request *r, fail *f) {
    pthread_mutex_lock(&srv->mu);
    if (srv->stopping) { pthread_mutex_unlock(&srv->mu); return bad(f, 503, NULL, "the server is shutting down"); }
    if (!(srv->slots_free >= r->n && !srv->q_head) && srv->q_len >= srv->queue_max) {
        pthread_mutex_unlock(&srv->mu);
        return bad(f, 503, NULL, "the server is busy: every slot and the queue are full; retry later");
    }
    srv->slots_free -= r->n;
    srv->n_requests++;
    r->id = ++srv->next_id;
    r->t_queued = now_s();
    if (srv->q_tail) srv->q_tail->next = r; else srv->q_head = r;
    srv->q_tail = r;
    srv->q_len++;
    pthread_cond_signal(&srv->work);
    pthread_mutex_unlock(&srv->mu);
    return 1;
}

/* Waits (mu held) up to 200 ms for news of r. */
static void wait_news(request *r, pthread_mutex_t *mu) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200000000L;
    if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&r->cv, mu, &ts);
}

static void chunk_head(sb *b, const server *srv, const char *id, long created, int chat) {
    sb_printf(b, "data: {\"id\":\"%s\",\"object\":\"%s\",\"created\":%ld,\"model\":", id,
              chat ? "chat.completion.chunk" : "text_completion", created);
    sb_json_str(b, srv->name, strlen(srv->name));
    sb_puts(b, ",\"choices\":[");
}
/* A token's text and bytes in the chat logprobs shape. */
static void token_bytes_json(const server *srv, sb *b, int32_t id) {
    size_t len = 0, k;
    const char *t = srv->tok ? llm_tokenizer_token(srv->tok, id, &len) : NULL;
    sb_puts(b, "\"token\":");
    token_json(srv, b, id);
    sb_puts(b, ",\"bytes\":[");
    for (k = 0; t && k < len; k++) sb_printf(b, "%s%u", k ? "," : "", (unsigned)(unsigned char)t[k]);
    sb_puts(b, "]");
}
/* logprobs of tokens [from, to) of c in the chat shape: {"content": [...]}. */
static void chat_logprobs_json(const server *srv, sb *b, const choice *c, size_t from, size_t to) {
    const request *r = c->req;
    size_t g;
    int k;
    if (r->n_top < 0) { sb_puts(b, "null"); return; }
    sb_puts(b, "{\"content\":[");
    for (g = from; g < to; g++) {
        sb_puts(b, g > from ? ",{" : "{");
        token_bytes_json(srv, b, c->ids[g]);
        sb_printf(b, ",\"logprob\":%.6g,\"top_logprobs\":[", c->lp[g]);
        for (k = 0; k < r->n_top; k++) {
            sb_puts(b, k ? ",{" : "{");
            token_bytes_json(srv, b, c->top_id[g * (size_t)r->n_top + (size_t)k]);
            sb_printf(b, ",\"logprob\":%.6g}", c->top_lp[g * (size_t)r->n_top + (size_t)k]);
        }
        sb_puts(b, "]}");
    }
    sb_puts(b, "]}");
}
/* One chat chunk of choice c: delta (a JSON object's members, "" for {}) and finish. */
static void chat_delta(sb *b, const server *srv, const char *id, long created, const choice *c, const char *delta,
                       const char *finish) {
    chunk_head(b, srv, id, created, 1);
    sb_printf(b, "{\"index\":%d,\"delta\":{%s},\"logprobs\":null,\"finish_reason\":", c->index, delta);
    if (finish) sb_printf(b, "\"%s\"", finish); else sb_puts(b, "null");
    sb_puts(b, c->req->include_usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
}
/* choice_chunk for a chat stream, as OpenAI's: the first chunk of a choice
   has delta {"role":"assistant","content":""}, then content deltas (with
   their logprobs), and a last chunk with delta {} and the finish_reason. */
static void chat_chunk(sb *b, const server *srv, const char *id, long created, choice *c, size_t upto,
                       const char *finish) {
    const request *r = c->req;
    if (!c->role_sent) {
        chat_delta(b, srv, id, created, c, "\"role\":\"assistant\",\"content\":\"\"", NULL);
        c->role_sent = 1;
    }
    if (upto > c->sent || (r->n_top >= 0 && c->lp_sent != c->n_pub)) {
        chunk_head(b, srv, id, created, 1);
        sb_printf(b, "{\"index\":%d,\"delta\":{\"content\":", c->index);
        sb_json_str(b, c->text.p + c->sent, upto - c->sent);
        sb_puts(b, "},\"logprobs\":");
        chat_logprobs_json(srv, b, c, c->lp_sent, c->n_pub);
        c->lp_sent = c->n_pub;
        sb_puts(b, ",\"finish_reason\":null");
        sb_puts(b, r->include_usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
        c->sent = upto;
    }
    if (finish) chat_delta(b, srv, id, created, c, "", finish);
}
/* One choice of a whole chat answer. */
static void chat_choice_json(sb *b, const server *srv, const choice *c) {
    sb_printf(b, "%s{\"index\":%d,\"message\":{\"role\":\"assistant\",\"content\":", c->index ? "," : "", c->index);
    sb_json_str(b, c->text.p, c->text.n);
    sb_puts(b, "},\"logprobs\":");
    chat_logprobs_json(srv, b, c, 0, c->n_gen);
    sb_printf(b, ",\"finish_reason\":\"%s\"}", c->finish);
}

/* One choice's chunk: text (with the logprobs of the tokens published since
   the last chunk), or, with finish, the empty-text chunk that ends it. */
static void choice_chunk(sb *b, const server *srv, const char *id, long created, choice *c, size_t upto,
                         const char *finish) {
    const request *r = c->req;
    if (r->chat) { chat_chunk(b, srv, id, created, c, upto, finish); return; }
    chunk_head(b, srv, id, created, 0);
    sb_puts(b, "{\"text\":");
    sb_json_str(b, c->text.p + c->sent, upto - c->sent);
    sb_printf(b, ",\"index\":%d,\"logprobs\":", c->index);
    if (r->n_top >= 0) {
        logprobs_json(srv, b, c, c->lp_sent, c->n_pub);
        c->lp_sent = c->n_pub;
    } else sb_puts(b, "null");
    sb_puts(b, ",\"finish_reason\":");
    if (finish) sb_printf(b, "\"%s\"", finish); else sb_puts(b, "null");
    sb_puts(b, r->include_usage ? "}],\"usage\":null}\n\n" : "}]}\n\n");
    c->sent = upto;
}

/* Streams r as Server-Sent Events until it is done or the client leaves:
   as OpenAI's completions stream, text chunks with finish_reason null, then
   per choice a chunk with empty text and its finish_reason, then (with
   stream_options.include_usage) a chunk with no choices and the usage,
   then data: [DONE]. */
static void stream_request(conn *cn, request *r, const char *id, long created) {
    server *srv = cn->srv;
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                               "Connection: close\r\n\r\n";
    sb b;
    int i, all_done = 0;
    memset(&b, 0, sizeof b);
    cn->status = 200;
    send_all(cn, head, sizeof head - 1);
    while (!all_done) {
        int any = 0;
        b.n = 0;
        pthread_mutex_lock(&srv->mu);
        if (cn->closed) r->cancelled = 1;
        if (r->cancelled) { pthread_cond_signal(&srv->work); while (!r->done) wait_news(r, &srv->mu); }
        all_done = r->done;
        for (i = 0; i < r->n && !r->cancelled; i++) {
            choice *c = &r->choices[i];
            size_t upto = c->safe < c->sent ? c->sent : c->safe;
            if (upto > c->sent || (r->n_top >= 0 && c->lp_sent != c->n_pub)) {
                choice_chunk(&b, srv, id, created, c, upto, NULL);
                any = 1;
            }
            if (c->finish && !c->finish_sent && c->sent == c->text.n) {
                choice_chunk(&b, srv, id, created, c, c->sent, c->finish);
                c->finish_sent = 1;
                any = 1;
            }
        }
        if (all_done && !r->cancelled) {
            if (r->status) {
                b.n = 0;
                sb_puts(&b, "data: ");
                error_json(&b, r->status, r->error, NULL);
                sb_puts(&b, "\n\n");
            }
            if (r->include_usage) {
                chunk_head(&b, srv, id, created, r->chat);
                sb_puts(&b, "],");
                usage_json(&b, r);
                sb_puts(&b, "}\n\n");
            }
            sb_puts(&b, "data: [DONE]\n\n");
            any = 1;
        }
        if (!any && !all_done) wait_news(r, &srv->mu);
        pthread_mutex_unlock(&srv->mu);
        if (any && !r->cancelled && !b.oom) send_all(cn, b.p, b.n);
        if (!cn->closed && !all_done && !any) peer_gone(cn);
    }
    sb_free(&b);
}

/* r's tokens into cn's log line and the metrics (r is done). */
static void request_tokens(conn *cn, const request *r) {
    int i;
    cn->lg_prompt = r->n_prompt;
    cn->lg_cached = r->n_cached;
    for (cn->lg_gen = 0, i = 0; i < r->n; i++) cn->lg_gen += r->choices[i].n_gen;
    pthread_mutex_lock(&cn->srv->mu);
    cn->srv->m.prompt_tokens += r->n_prompt;
    pthread_mutex_unlock(&cn->srv->mu);
}

/* Runs request r (NULL: f says why it was refused) to its answer: queued,
   then streamed, or waited for and answered whole (r->chat: in the chat
   shape). Frees r. Returns keep-alive. */
static int serve_request(conn *cn, request *r, fail *f, int keep) {
    server *srv = cn->srv;
    char id[48];
    long created = (long)time(NULL);
    sb b;
    int i;
    if (!r || !enqueue(srv, r, f)) {
        request_free(r);
        respond_error(cn, f->status, f->msg, f->param, keep);
        return keep;
    }
    snprintf(id, sizeof id, "%s-%llu", r->chat ? "chatcmpl" : "cmpl", r->id);
    if (r->stream) {
        stream_request(cn, r, id, created);
        request_tokens(cn, r);
        request_free(r);
        return 0;
    }
    /* wait, watching for the client leaving */
    pthread_mutex_lock(&srv->mu);
    while (!r->done) {
        int gone;
        wait_news(r, &srv->mu);
        if (r->done || r->cancelled) continue;
        pthread_mutex_unlock(&srv->mu);
        gone = peer_gone(cn);
        pthread_mutex_lock(&srv->mu);
        if (gone) { r->cancelled = 1; pthread_cond_signal(&srv->work); }
    }
    pthread_mutex_unlock(&srv->mu);
    request_tokens(cn, r);
    if (r->cancelled) { request_free(r); return 0; }
    if (r->status) {
        respond_error(cn, r->status, r->error, NULL, keep);
        request_free(r);
        return keep;
    }
    memset(&b, 0, sizeof b);
    sb_printf(&b, "{\"id\":\"%s\",\"object\":\"%s\",\"created\":%ld,\"model\":", id,
              r->chat ? "chat.completion" : "text_completion", created);
    sb_json_str(&b, srv->name, strlen(srv->name));
    sb_puts(&b, ",\"choices\":[");
    for (i = 0; i < r->n; i++) {
        choice *c = &r->choices[i];
        if (r->chat) { chat_choice_json(&b, srv, c); continue; }
        sb_puts(&b, i ? ",{\"text\":" : "{\"text\":");
        sb_json_str(&b, c->text.p, c->text.n);
        sb_printf(&b, ",\"index\":%d,\"logprobs\":", i);
        logprobs_json(srv, &b, c, 0, c->n_gen);
        sb_printf(&b, ",\"finish_reason\":\"%s\"}", c->finish);
    }
    sb_puts(&b, "],");
    usage_json(&b, r);
    sb_puts(&b, "}");
    request_free(r);
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

/* ---- /v1/embeddings and /classify -------------------------------------------- */

/* The body of /v1/embeddings (classify 0) or /classify (1) -> a job (not
   queued), its inputs tokenized; *base64: encoding_format "base64". */
static pool_job *pool_request(server *srv, const js_doc *d, int classify, int *base64, fail *f) {
    static const char *const unsupported[] = { "truncate_prompt_tokens", NULL };   /* vLLM's: inputs are whole */
    const llm_config *mc = &srv->model.config;
    pool_job *j = (pool_job *)calloc(1, sizeof *j);
    http_inputs x;
    size_t v, i, n = 0, cap = 0;
    double dims = mc->n_embd;
    memset(&x, 0, sizeof x);
    if (!j) { bad(f, 500, NULL, "out of memory"); return NULL; }
    pthread_cond_init(&j->cv, NULL);
    j->classify = classify;
    v = js_get(d, 0, "model");
    if (v && d->v[v].type != JS_STR && d->v[v].type != JS_NULL) {
        bad(f, 400, "model", "'model' must be a string");
        goto fail;
    }
    if (!classify) {
        v = js_get(d, 0, "encoding_format");
        if (v && d->v[v].type != JS_NULL &&
            (d->v[v].type != JS_STR || (strcmp(d->v[v].s, "float") && strcmp(d->v[v].s, "base64")))) {
            bad(f, 400, "encoding_format", "'encoding_format' must be \"float\" or \"base64\"");
            goto fail;
        }
        *base64 = v && d->v[v].type == JS_STR && !strcmp(d->v[v].s, "base64");
        if (!get_num(d, "dimensions", 1, 1e9, 1, &dims, f)) goto fail;
        if (dims != mc->n_embd) {
            char msg[128];
            snprintf(msg, sizeof msg, "'dimensions' must be the model's width, %d (embeddings are not shortened)",
                     mc->n_embd);
            bad(f, 400, "dimensions", msg);
            goto fail;
        }
        v = js_get(d, 0, "pooling");
        if (v && d->v[v].type != JS_NULL &&
            (d->v[v].type != JS_STR || (strcmp(d->v[v].s, "mean") && strcmp(d->v[v].s, "last")))) {
            bad(f, 400, "pooling", "'pooling' must be \"mean\" or \"last\"");
            goto fail;
        }
        j->pool = v && d->v[v].type == JS_STR && !strcmp(d->v[v].s, "last") ? LLM_POOL_LAST : LLM_POOL_MEAN;
        if (!get_bool(d, "normalize", &j->normalize, f)) goto fail;
    }
    if (!refuse_fields(d, unsupported, f)) goto fail;
    if (!http_inputs_parse(d, js_get(d, 0, "input"), mc->n_vocab, &x)) { bad(f, 400, "input", x.error); goto fail; }
    j->count = x.n;
    j->off = (size_t *)malloc(x.n * sizeof(size_t));
    j->len = (size_t *)malloc(x.n * sizeof(size_t));
    j->out = (float *)malloc(x.n * (size_t)(classify ? mc->num_labels : mc->n_embd) * sizeof(float));
    if (!j->off || !j->len || !j->out) { bad(f, 500, NULL, "out of memory"); goto fail; }
    for (i = 0; i < x.n; i++) {
        int32_t *ids = NULL;
        const int32_t *src = x.in[i].ids;
        size_t k = x.in[i].n_ids;
        if (x.in[i].s) {
            if (!srv->tok) { bad(f, 400, "input", "this model has no tokenizer: send token ids"); goto fail; }
            if (!encode(srv, x.in[i].s, x.in[i].len, &ids, &k, f)) { free(ids); f->param = "input"; goto fail; }
            src = ids;
        }
        if (!k || k > (size_t)srv->n_ctx) {
            char msg[128];
            if (k) snprintf(msg, sizeof msg, "input %zu has %zu tokens; the context holds %d", i, k, srv->n_ctx);
            else snprintf(msg, sizeof msg, "input %zu has no tokens", i);
            free(ids);
            bad(f, 400, "input", msg);
            goto fail;
        }
        if (n + k > cap) {
            size_t nc = cap ? cap : 256;
            int32_t *t;
            while (nc < n + k) nc *= 2;
            t = (int32_t *)realloc(j->tok, nc * sizeof(int32_t));
            if (!t) { free(ids); bad(f, 500, NULL, "out of memory"); goto fail; }
            j->tok = t;
            cap = nc;
        }
        memcpy(j->tok + n, src, k * sizeof(int32_t));
        j->off[i] = n;
        j->len[i] = k;
        n += k;
        free(ids);
    }
    j->n_tokens = n;
    http_inputs_free(&x);
    return j;
fail:
    http_inputs_free(&x);
    pool_job_free(j);
    return NULL;
}

/* Queues job j and waits until it is done; 0 when the client left or the
   queue is full (f set in that case). */
static int pool_run(conn *cn, pool_job *j, fail *f) {
    server *srv = cn->srv;
    pthread_mutex_lock(&srv->mu);
    if (srv->stopping || srv->p_len >= srv->queue_max + srv->parallel) {
        pthread_mutex_unlock(&srv->mu);
        return bad(f, 503, NULL, srv->stopping ? "the server is shutting down" : "the server is busy; retry later");
    }
    srv->n_requests++;
    if (srv->p_tail) srv->p_tail->next_job = j; else srv->p_head = j;
    srv->p_tail = j;
    srv->p_len++;
    pthread_cond_signal(&srv->work);
    while (!j->done) {
        struct timespec ts;
        int gone;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&j->cv, &srv->mu, &ts);
        if (j->done || j->cancelled) continue;
        pthread_mutex_unlock(&srv->mu);
        gone = peer_gone(cn);
        pthread_mutex_lock(&srv->mu);
        if (gone) { j->cancelled = 1; srv->n_cancelled++; pthread_cond_signal(&srv->work); }
    }
    pthread_mutex_unlock(&srv->mu);
    cn->lg_prompt = j->n_tokens;
    return !j->cancelled;
}

/* POST /v1/embeddings (classify 0) and POST /classify (1). Returns keep-alive. */
static int pooled(conn *cn, const char *body, size_t len, int classify, int keep) {
    server *srv = cn->srv;
    const llm_model *m = &srv->model;
    js_doc d;
    fail f;
    pool_job *j;
    int base64 = 0;
    size_t i, k, W = (size_t)(classify ? m->config.num_labels : m->config.n_embd);
    sb b;
    memset(&f, 0, sizeof f);
    if (!parse_body(cn, body, len, &d, keep)) return keep;
    j = pool_request(srv, &d, classify, &base64, &f);
    js_free(&d);
    if (j && !pool_run(cn, j, &f)) {
        pool_job_free(j);
        if (!f.status) return 0;   /* the client left */
        j = NULL;
    }
    for (i = 0; j && !j->status && i < j->count * W; i++)   /* JSON has no NaN or infinity */
        if (!isfinite(j->out[i])) {
            j->status = 500;
            snprintf(j->error, sizeof j->error, "the model's outputs are not finite (NaN or infinity): "
                     "its weights hold non-finite or too large values");
        }
    if (!j || j->status) {
        if (j) bad(&f, j->status, NULL, j->error);
        pool_job_free(j);
        respond_error(cn, f.status, f.msg, f.param, keep);
        return keep;
    }
    memset(&b, 0, sizeof b);
    if (classify) {
        pthread_mutex_lock(&srv->mu);
        sb_printf(&b, "{\"id\":\"classify-%llu\",\"object\":\"list\",\"created\":%ld,\"model\":", ++srv->next_id,
                  (long)time(NULL));
        pthread_mutex_unlock(&srv->mu);
    } else sb_puts(&b, "{\"object\":\"list\",\"model\":");
    sb_json_str(&b, srv->name, strlen(srv->name));
    sb_puts(&b, ",\"data\":[");
    for (i = 0; i < j->count; i++) {
        float *o = j->out + i * W;
        if (i) sb_puts(&b, ",");
        if (classify) {
            const char *label;
            size_t best = 0;
            llm_head_probs(m, o, o);
            for (k = 1; k < W; k++) if (o[k] > o[best]) best = k;
            label = llm_model_label(m, (int)best);
            sb_printf(&b, "{\"index\":%zu,\"label\":", i);
            sb_json_str(&b, label ? label : "", label ? strlen(label) : 0);
            sb_puts(&b, ",\"probs\":[");
        } else sb_printf(&b, "{\"object\":\"embedding\",\"index\":%zu,\"embedding\":%s", i, base64 ? "\"" : "[");
        if (base64) {   /* little-endian float32 */
            for (k = 0; k < W; k++) {
                unsigned char le[4];
                uint32_t u;
                memcpy(&u, &o[k], 4);
                le[0] = (unsigned char)u; le[1] = (unsigned char)(u >> 8);
                le[2] = (unsigned char)(u >> 16); le[3] = (unsigned char)(u >> 24);
                memcpy(&o[k], le, 4);
            }
            sb_base64(&b, (const unsigned char *)o, W * 4);
            sb_puts(&b, "\"}");
            continue;
        }
        for (k = 0; k < W; k++) sb_printf(&b, "%s%.9g", k ? "," : "", (double)o[k]);
        if (classify) sb_printf(&b, "],\"num_classes\":%zu}", W); else sb_puts(&b, "]}");
    }
    sb_printf(&b, "],\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":%zu", j->n_tokens, j->n_tokens);
    sb_puts(&b, classify ? ",\"completion_tokens\":0,\"prompt_tokens_details\":null}}" : "}}");
    pool_job_free(j);
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

/* Endpoints that do not fit the model's head answer 400 (returns 0 then). */
static int head_fits(conn *cn, const char *path, int keep) {
    const llm_config *mc = &cn->srv->model.config;
    int gen = !strcmp(path, "/v1/completions") || !strcmp(path, "/v1/chat/completions");
    int cls = !strcmp(path, "/classify") || !strcmp(path, "/v1/classify");
    char msg[300];
    if (gen && mc->head != LLM_HEAD_LM)
        snprintf(msg, sizeof msg, "the model is %s (%d labels): it has no next-token logits to generate text from; "
                 "it serves %sPOST /v1/embeddings", llm_head_name(mc->head), mc->num_labels,
                 mc->head == LLM_HEAD_SEQ_CLS ? "POST /classify and " : "");
    else if (cls && mc->head == LLM_HEAD_LM)
        snprintf(msg, sizeof msg, "the model is GPT2LMHeadModel (a language model): it has no classifier head; "
                 "/classify serves GPT2ForSequenceClassification checkpoints");
    else if (cls && mc->head != LLM_HEAD_SEQ_CLS)
        snprintf(msg, sizeof msg, "the model is %s: its labels are per token, which /classify does not serve "
                 "(build/classify --tokens prints them)", llm_head_name(mc->head));
    else return 1;
    respond_error(cn, 400, msg, NULL, keep);
    return 0;
}

/* The text of message m's content: a string, null or absent (for an
   assistant only), or an array of {"type": "text", "text": ...} parts,
   joined with nothing between them into *buf (grown); 0 with f set otherwise. */
static int chat_content(const js_doc *d, size_t m, size_t i, int assistant, sb *buf, size_t *at, size_t *len,
                        fail *f) {
    size_t v = js_get(d, m, "content"), e, k = 0;
    char msg[160];
    *at = buf->n;
    *len = 0;
    if ((!v || d->v[v].type == JS_NULL) && assistant) return 1;
    if (!v || d->v[v].type == JS_NULL) {
        snprintf(msg, sizeof msg, "messages[%zu].content is required (null or absent only for an assistant)", i);
        return bad(f, 400, "messages", msg);
    }
    if (d->v[v].type == JS_STR) { sb_add(buf, d->v[v].s, d->v[v].len); *len = d->v[v].len; return 1; }
    if (d->v[v].type != JS_ARR) {
        snprintf(msg, sizeof msg, "messages[%zu].content must be a string or an array of text parts", i);
        return bad(f, 400, "messages", msg);
    }
    for (e = d->v[v].first; e; e = d->v[e].next, k++) {
        size_t ty = d->v[e].type == JS_OBJ ? js_get(d, e, "type") : 0, tx = ty ? js_get(d, e, "text") : 0;
        if (!ty || d->v[ty].type != JS_STR || strcmp(d->v[ty].s, "text") || !tx || d->v[tx].type != JS_STR) {
            snprintf(msg, sizeof msg, "messages[%zu].content[%zu]: only {\"type\": \"text\", \"text\": STRING} parts "
                     "are supported", i, k);
            return bad(f, 400, "messages", msg);
        }
        sb_add(buf, d->v[tx].s, d->v[tx].len);
        *len += d->v[tx].len;
    }
    return 1;
}

/* The messages of a chat body -> msgs[0..*n) (contents in *text). */
static int chat_messages(const js_doc *d, llm_chat_message **msgs, size_t *n, sb *text, fail *f) {
    static const char *const roles[] = { "system", "developer", "user", "assistant" };
    size_t v = js_get(d, 0, "messages"), e, i = 0, *at;
    char msg[200];
    *msgs = NULL;
    *n = 0;
    if (!v || d->v[v].type != JS_ARR || !d->v[v].n)
        return bad(f, 400, "messages", "'messages' must be a non-empty array of {\"role\", \"content\"}");
    *msgs = (llm_chat_message *)calloc(d->v[v].n, sizeof **msgs);
    at = (size_t *)calloc(d->v[v].n, sizeof *at);
    if (!*msgs || !at) { free(at); return bad(f, 500, NULL, "out of memory"); }
    for (e = d->v[v].first; e; e = d->v[e].next, i++) {
        size_t ro = d->v[e].type == JS_OBJ ? js_get(d, e, "role") : 0, tc = ro ? js_get(d, e, "tool_calls") : 0;
        int k;
        if (!ro || d->v[ro].type != JS_STR) {
            snprintf(msg, sizeof msg, "messages[%zu] must be an object with a string 'role'", i);
            free(at);
            return bad(f, 400, "messages", msg);
        }
        for (k = 0; k < 4 && (strcmp(d->v[ro].s, roles[k]) || strlen(roles[k]) != d->v[ro].len); k++) {}
        if (k == 4 || (tc && d->v[tc].type != JS_NULL)) {
            if (tc && d->v[tc].type != JS_NULL)
                snprintf(msg, sizeof msg, "messages[%zu]: tool_calls are not supported (no tool calling)", i);
            else if (!strcmp(d->v[ro].s, "tool") || !strcmp(d->v[ro].s, "function"))
                snprintf(msg, sizeof msg, "messages[%zu]: '%s' messages are not supported (no tool calling)", i,
                         d->v[ro].s);
            else
                snprintf(msg, sizeof msg, "messages[%zu]: the role '%.40s' is not system, developer, user or "
                         "assistant", i, d->v[ro].s);
            free(at);
            return bad(f, 400, "messages", msg);
        }
        (*msgs)[i].role = roles[k];
        if (!chat_content(d, e, i, k == 3, text, &at[i], &(*msgs)[i].content_len, f)) { free(at); return 0; }
    }
    *n = i;
    if (text->oom) { free(at); return bad(f, 500, NULL, "out of memory"); }
    for (i = 0; i < *n; i++) (*msgs)[i].content = text->p ? text->p + at[i] : "";
    free(at);
    return 1;
}

/* The /v1/chat/completions body -> a request (not queued yet): the
   messages rendered by the server's chat template, the sampling fields
   of /v1/completions, the template's stop string added to the stops. */
static request *chat_request(server *srv, const js_doc *d, fail *f) {
    static const char *const unsupported[] = { "logit_bias", "tools", "tool_choice", "functions", "function_call",
                                               "audio", "prediction", "web_search_options", NULL };
    request *r;
    llm_chat_message *msgs = NULL;
    size_t nm = 0, cap = 16, v, k;
    sb text;
    char err[LLM_ERROR_SIZE], msg[LLM_ERROR_SIZE + 64];
    const char *const *ts;
    double x;
    int lp = 0, n_stops;
    if (srv->model.config.head != LLM_HEAD_LM) {
        snprintf(msg, sizeof msg, "this model is %s: it has no next-token logits to chat with",
                 llm_head_name(srv->model.config.head));
        bad(f, 400, NULL, msg);
        return NULL;
    }
    if (!srv->tok) { bad(f, 400, NULL, "this model has no tokenizer files: chat needs one"); return NULL; }
    if (srv->chat_template < 0) { bad(f, 400, NULL, srv->chat_note); return NULL; }
    if (!refuse_fields(d, unsupported, f)) return NULL;
    v = js_get(d, 0, "response_format");
    k = v && d->v[v].type == JS_OBJ ? js_get(d, v, "type") : 0;
    if (v && d->v[v].type != JS_NULL && !(k && d->v[k].type == JS_STR && !strcmp(d->v[k].s, "text"))) {
        bad(f, 400, "response_format", "only response_format {\"type\": \"text\"} is supported");
        return NULL;
    }
    v = js_get(d, 0, "max_tokens");   /* null is absent, as everywhere */
    k = js_get(d, 0, "max_completion_tokens");
    if (v && d->v[v].type != JS_NULL && k && d->v[k].type != JS_NULL) {
        bad(f, 400, "max_completion_tokens", "give max_completion_tokens or max_tokens, not both");
        return NULL;
    }
    r = (request *)calloc(1, sizeof *r);
    memset(&text, 0, sizeof text);
    if (!r) { bad(f, 500, NULL, "out of memory"); return NULL; }
    pthread_cond_init(&r->cv, NULL);
    r->chat = 1; r->n = 1; r->n_top = -1;
    r->so.temperature = 1.0f;
    if (!chat_messages(d, &msgs, &nm, &text, f)) goto fail;
    for (k = 0; k < nm; k++) cap += msgs[k].content_len + 16;
    for (;;) {   /* at most twice: the second time with the exact count */
        llm_status st;
        free(r->prompt);
        r->prompt = (int32_t *)malloc(cap * sizeof(int32_t));
        if (!r->prompt) { bad(f, 500, NULL, "out of memory"); goto fail; }
        st = llm_chat_render(srv->tok, srv->chat_template, srv->eos, msgs, nm, 1, r->prompt, cap, &r->n_prompt, err);
        if (st == LLM_OK) break;
        if (st != LLM_ERR_BUFFER_TOO_SMALL || r->n_prompt <= cap) { bad(f, 400, "messages", err); goto fail; }
        cap = r->n_prompt;
    }
    if (r->n_prompt >= (size_t)srv->n_ctx) {
        snprintf(msg, sizeof msg, "the conversation is %zu tokens; the context holds %d, with room for a reply",
                 r->n_prompt, srv->n_ctx);
        bad(f, 400, "messages", msg);
        goto fail;
    }
    r->max_tokens = srv->n_ctx - (int)r->n_prompt;   /* default: the rest of the context */
    x = r->max_tokens;
    if (!get_num(d, "max_completion_tokens", 1, srv->n_ctx, 1, &x, f)) goto fail;
    r->max_tokens = (int)x;
    if (!get_bool(d, "logprobs", &lp, f)) goto fail;
    x = -1;
    if (!get_num(d, "top_logprobs", 0, MAX_LOGPROBS, 1, &x, f)) goto fail;
    if (x >= 0 && !lp) { bad(f, 400, "top_logprobs", "top_logprobs needs logprobs: true"); goto fail; }
    r->n_top = lp ? (x > 0 ? (int)x : 0) : -1;
    if (!request_options(srv, d, r, f)) goto fail;
    ts = llm_chat_template_stops(srv->chat_template);
    for (n_stops = r->n_stops; ts && *ts && n_stops <= MAX_STOPS; ts++) r->stop_list[n_stops++] = *ts;
    free(msgs);
    sb_free(&text);
    return r;
fail:
    free(msgs);
    sb_free(&text);
    request_free(r);
    return NULL;
}

/* POST /v1/completions, or with chat POST /v1/chat/completions. Returns keep-alive. */
static int completions(conn *cn, const char *body, size_t len, int keep, int chat) {
    js_doc d;
    fail f;
    request *r;
    memset(&f, 0, sizeof f);
    if (!parse_body(cn, body, len, &d, keep)) return keep;
    r = chat ? chat_request(cn->srv, &d, &f) : completion_request(cn->srv, &d, &f);
    js_free(&d);
    return serve_request(cn, r, &f, keep);
}

/* POST /tokenize {"content": "...", "with_pieces": false} -> {"tokens": [...]} */
static int tokenize(conn *cn, const char *body, size_t len, int keep) {
    server *srv = cn->srv;
    js_doc d;
    fail f;
    size_t v, n = 0, i;
    int32_t *ids = NULL;
    int pieces = 0;
    sb b;
    memset(&f, 0, sizeof f);
    if (!parse_body(cn, body, len, &d, keep)) return keep;
    v = js_get(&d, 0, "content");
    if (!v || d.v[v].type != JS_STR) bad(&f, 400, "content", "'content' must be a string");
    else if (get_bool(&d, "with_pieces", &pieces, &f)) encode(srv, d.v[v].s, d.v[v].len, &ids, &n, &f);
    js_free(&d);
    if (f.status) { free(ids); respond_error(cn, f.status, f.msg, f.param, keep); return keep; }
    memset(&b, 0, sizeof b);
    sb_puts(&b, "{\"tokens\":[");
    for (i = 0; i < n; i++) {
        if (i) sb_puts(&b, ",");
        if (pieces) {
            sb_printf(&b, "{\"id\":%d,\"piece\":", (int)ids[i]);
            token_json(srv, &b, ids[i]);
            sb_puts(&b, "}");
        }
        else sb_printf(&b, "%d", (int)ids[i]);
    }
    sb_puts(&b, "]}");
    free(ids);
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

/* POST /detokenize {"tokens": [...]} -> {"content": "..."} */
static int detokenize(conn *cn, const char *body, size_t len, int keep) {
    server *srv = cn->srv;
    js_doc d;
    fail f;
    size_t v, n = 0, nb = 0;
    int32_t *ids = NULL;
    char *text = NULL;
    sb b;
    memset(&f, 0, sizeof f);
    if (!parse_body(cn, body, len, &d, keep)) return keep;
    v = js_get(&d, 0, "tokens");
    if (!srv->tok) bad(&f, 400, NULL, "this model has no tokenizer");
    else if (!v || d.v[v].type != JS_ARR) bad(&f, 400, "tokens", "'tokens' must be an array of token ids");
    else get_ids(srv, &d, v, &ids, &n, "tokens", &f);
    js_free(&d);
    if (!f.status) {
        llm_status st = llm_tokenizer_decode(srv->tok, ids, n, NULL, 0, &nb);
        if (st == LLM_OK || st == LLM_ERR_BUFFER_TOO_SMALL) {
            text = (char *)malloc(nb + 1);
            st = text ? llm_tokenizer_decode(srv->tok, ids, n, text, nb + 1, &nb) : LLM_ERR_OUT_OF_MEMORY;
        }
        if (st != LLM_OK) bad(&f, 400, "tokens", llm_status_string(st));
    }
    free(ids);
    if (f.status) { free(text); respond_error(cn, f.status, f.msg, f.param, keep); return keep; }
    memset(&b, 0, sizeof b);
    sb_puts(&b, "{\"content\":");
    sb_json_str(&b, text, nb);
    sb_puts(&b, "}");
    free(text);
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

static int health(conn *cn, int keep) {
    server *srv = cn->srv;
    sb b;
    int busy;
    memset(&b, 0, sizeof b);
    pthread_mutex_lock(&srv->mu);
    busy = srv->busy;
    sb_printf(&b, "{\"status\":\"ok\",\"slots_idle\":%d,\"slots_processing\":%d,\"queued\":%d,"
              "\"requests\":%llu,\"cancelled\":%llu,\"most_slots_in_one_step\":%d}", srv->parallel - busy, busy,
              srv->q_len, srv->n_requests, srv->n_cancelled, srv->most_in_step);
    pthread_mutex_unlock(&srv->mu);
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

/* /v1/models' "chat_template": the template's name, or null when chat is not served. */
static void chat_template_json(sb *b, const server *srv) {
    sb_puts(b, "\"chat_template\":");
    if (srv->chat_template >= 0) sb_printf(b, "\"%s\"", llm_chat_template_name(srv->chat_template));
    else sb_puts(b, "null");
}

static int models(conn *cn, int keep) {
    server *srv = cn->srv;
    sb b;
    memset(&b, 0, sizeof b);
    sb_puts(&b, "{\"object\":\"list\",\"data\":[{\"id\":");
    sb_json_str(&b, srv->name, strlen(srv->name));
    sb_printf(&b, ",\"object\":\"model\",\"created\":0,\"owned_by\":\"llm.h\",\"meta\":{\"n_ctx\":%d,\"n_vocab\":%d,"
              "\"n_layer\":%d,\"n_embd\":%d,", srv->n_ctx, srv->model.config.n_vocab, srv->model.config.n_layer,
              srv->model.config.n_embd);
    chat_template_json(&b, srv);
    if (srv->model.config.num_labels > 0) {   /* a classifier: its labels by id */
        int i;
        sb_printf(&b, ",\"num_labels\":%d,\"id2label\":{", srv->model.config.num_labels);
        for (i = 0; i < srv->model.config.num_labels; i++) {
            const char *l = llm_model_label(&srv->model, i);
            sb_printf(&b, "%s\"%d\":", i ? "," : "", i);
            sb_json_str(&b, l ? l : "", l ? strlen(l) : 0);
        }
        sb_puts(&b, "}");
    }
    sb_puts(&b, "}}]}");
    respond_json(cn, 200, &b, keep);
    sb_free(&b);
    return keep;
}

/* Constant-time comparison of "Bearer KEY" with the configured key. */
static int authorized(const server *srv, const http_request *h) {
    const char *want = srv->api_key;
    size_t wl, gl, i;
    unsigned diff;
    const char *got;
    if (!want) return 1;
    if (!h->auth || h->auth_len < 7 || !http_ieq(h->auth, 7, "bearer ")) return 0;
    got = h->auth + 7;
    gl = h->auth_len - 7;
    wl = strlen(want);
    diff = (unsigned)(gl != wl);
    for (i = 0; i < wl; i++) diff |= (unsigned char)want[i] ^ (unsigned char)(i < gl ? got[i] : 0);
    return diff == 0;
}

/* One metric family of one unlabelled sample. */
static void metric_line(sb *b, const char *name, const char *type, const char *help, double v) {
    sb_printf(b, "# HELP llmh_%s %s\n# TYPE llmh_%s %s\nllmh_%s %.17g\n", name, help, name, type, name, v);
}

/* GET /metrics: Prometheus' text exposition format 0.0.4. */
static int metrics_page(conn *cn, int keep) {
    server *srv = cn->srv;
    const metrics *m = &srv->m;
    unsigned long long cum = 0;
    sb b;
    int i, k;
    memset(&b, 0, sizeof b);
    pthread_mutex_lock(&srv->mu);
    sb_puts(&b, "# HELP llmh_requests_total HTTP requests answered, by endpoint and status.\n"
                "# TYPE llmh_requests_total counter\n");
    for (i = 0; i < N_ENDPOINTS; i++)
        for (k = 0; k < N_STATUSES; k++)
            if (m->requests[i][k])
                sb_printf(&b, "llmh_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n", endpoints[i],
                          statuses[k], m->requests[i][k]);
    metric_line(&b, "prompt_tokens_total", "counter", "Prompt tokens of finished completion requests.",
                (double)m->prompt_tokens);
    metric_line(&b, "cached_tokens_total", "counter", "Prompt tokens reused from the prefix cache.",
                (double)m->cached_tokens);
    metric_line(&b, "generated_tokens_total", "counter", "Tokens generated.", (double)m->generated_tokens);
    metric_line(&b, "queue_depth", "gauge", "Requests waiting for a sequence.", srv->q_len);
    metric_line(&b, "busy_slots", "gauge", "Sequences generating.", srv->busy);
    metric_line(&b, "prefill_seconds_total", "counter", "Seconds of steps that evaluated prompt rows.",
                m->prefill_s);
    metric_line(&b, "decode_seconds_total", "counter", "Seconds of steps that evaluated only generated tokens.",
                m->decode_s);
    sb_puts(&b, "# HELP llmh_time_to_first_token_seconds From queueing a request to its first token.\n"
                "# TYPE llmh_time_to_first_token_seconds histogram\n");
    for (k = 0; k < N_TTFT; k++) {
        cum += m->ttft_bucket[k];
        sb_printf(&b, "llmh_time_to_first_token_seconds_bucket{le=\"%g\"} %llu\n", ttft_le[k], cum);
    }
    sb_printf(&b, "llmh_time_to_first_token_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "llmh_time_to_first_token_seconds_sum %.6f\nllmh_time_to_first_token_seconds_count %llu\n",
              m->ttft_count, m->ttft_sum, m->ttft_count);
    pthread_mutex_unlock(&srv->mu);
    if (b.oom) respond(cn, 500, "text/plain", "out of memory\n", 14, 0);
    else respond(cn, 200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.n, keep);
    sb_free(&b);
    return keep;
}

/* GET /: the web page (examples/server_page.html), for anyone (it holds nothing; its requests carry the key).
   Its Content-Security-Policy lets it load nothing from elsewhere and send requests only to this server. */
static int web_page(conn *cn, int keep) {
    char head[640];
    int k = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nContent-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; "
                     "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; "
                     "form-action 'none'; frame-ancestors 'none'\r\nX-Content-Type-Options: nosniff\r\n"
                     "Cache-Control: no-cache\r\nConnection: %s\r\n\r\n", sizeof server_page - 1,
                     keep ? "keep-alive" : "close");
    cn->status = 200;
    if (send_all(cn, head, (size_t)k)) send_all(cn, (const char *)server_page, sizeof server_page - 1);
    return keep;
}

/* Routes one request; returns whether the connection stays open. */
static int route_one(conn *cn, const http_request *h, const char *body) {
    int keep = h->keep_alive && !is_stopping(cn->srv);
    int get = !strcmp(h->method, "GET"), post = !strcmp(h->method, "POST");
    const char *p = h->path;
    int known = !strcmp(p, "/health") || !strcmp(p, "/metrics") || !strcmp(p, "/v1/models") ||
                !strcmp(p, "/v1/completions") || !strcmp(p, "/v1/chat/completions") ||
                !strcmp(p, "/v1/embeddings") || !strcmp(p, "/classify") || !strcmp(p, "/v1/classify") ||
                !strcmp(p, "/tokenize") || !strcmp(p, "/detokenize") || !strcmp(p, "/");
    if (!known) {
        const char *msg = "no such endpoint; served: POST /v1/completions, POST /v1/chat/completions, "
                          "POST /v1/embeddings, POST /classify, GET /v1/models, GET /health, GET /metrics, "
                          "POST /tokenize, POST /detokenize, GET / (the web page)";
        respond_error(cn, 404, msg, NULL, keep);
        return keep;
    }
    if (!strcmp(p, "/health") && get) return health(cn, keep);
    if (!strcmp(p, "/metrics") && get) return metrics_page(cn, keep);
    if (!strcmp(p, "/") && get) return web_page(cn, keep);
    if (!authorized(cn->srv, h)) { respond_error(cn, 401, "invalid or missing API key", NULL, keep); return keep; }
    if (!strcmp(p, "/v1/models") && get) return models(cn, keep);
    if (post && !head_fits(cn, p, keep)) return keep;
    if (post && !strcmp(p, "/v1/completions")) return completions(cn, body, h->content_length, keep, 0);
    if (post && !strcmp(p, "/v1/chat/completions")) return completions(cn, body, h->content_length, keep, 1);
    if (post && !strcmp(p, "/v1/embeddings")) return pooled(cn, body, h->content_length, 0, keep);
    if (post && (!strcmp(p, "/classify") || !strcmp(p, "/v1/classify")))
        return pooled(cn, body, h->content_length, 1, keep);
    if (post && !strcmp(p, "/tokenize")) return tokenize(cn, body, h->content_length, keep);
    if (post && !strcmp(p, "/detokenize")) return detokenize(cn, body, h->content_length, keep);
    respond_error(cn, 405, "method not allowed", NULL, keep);
    return keep;
}
/* route_one, counted in /metrics and logged on stderr (unless --quiet): the
   time (UTC), method, path, status, prompt / cached / completion tokens, ms. */
static int route(conn *cn, const http_request *h, const char *body) {
    server *srv = cn->srv;
    double t0 = now_s();
    int keep, e, k;
    cn->status = 0;
    cn->lg_prompt = cn->lg_cached = cn->lg_gen = 0;
    keep = route_one(cn, h, body);
    for (e = 0; e < N_ENDPOINTS - 1 && strcmp(strcmp(h->path, "/v1/classify") ? h->path : "/classify", endpoints[e]);
         e++) {}
    for (k = 0; k < N_STATUSES - 1 && statuses[k] != cn->status; k++) {}
    pthread_mutex_lock(&srv->mu);
    srv->m.requests[e][k]++;
    pthread_mutex_unlock(&srv->mu);
    if (!srv->quiet) {
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s %s %s %d prompt=%zu cached=%zu completion=%zu %.0fms\n", when, h->method,
                e < N_ENDPOINTS - 1 ? endpoints[e] : "other", cn->status, cn->lg_prompt, cn->lg_cached, cn->lg_gen,
                (now_s() - t0) * 1000.0);
    }
    return keep;
}

static void *conn_main(void *arg) {
    conn *cn = (conn *)arg;
    server *srv = cn->srv;
    for (;;) {
        http_request h;
        int st, timed_out = 0, stopped = 0;
        double deadline = now_s() + srv->timeout;
        /* the head (idle connections wait up to --timeout for one) */
        for (;;) {
            st = http_parse(cn->buf, cn->n, MAX_HEAD, srv->max_body, &h);
            if (st != HTTP_INCOMPLETE) break;
            if (!read_more(cn, cn->n + 1, deadline, &timed_out, &stopped)) break;
        }
        if (st == HTTP_INCOMPLETE) {
            if (timed_out && cn->n) respond_error(cn, 408, "request not complete in time", NULL, 0);
            if (stopped && cn->n) respond_error(cn, 503, "the server is shutting down", NULL, 0);
            break;
        }
        if (st != HTTP_OK) { respond_error(cn, st, h.error, NULL, 0); break; }
        if (h.expect_continue && cn->n < h.head_len + h.content_length)
            send_all(cn, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        if (!read_more(cn, h.head_len + h.content_length, deadline, &timed_out, &stopped)) {
            if (timed_out) respond_error(cn, 408, "request body not complete in time", NULL, 0);
            if (stopped) respond_error(cn, 503, "the server is shutting down", NULL, 0);
            break;
        }
        if (!route(cn, &h, cn->buf + h.head_len) || cn->closed) break;
        /* keep what follows (a pipelined request) */
        memmove(cn->buf, cn->buf + h.head_len + h.content_length, cn->n - h.head_len - h.content_length);
        cn->n -= h.head_len + h.content_length;
    }
    close(cn->fd);
    free(cn->buf);
    free(cn);
    pthread_mutex_lock(&srv->mu);
    srv->n_conns--;
    pthread_cond_broadcast(&srv->conns_cv);
    pthread_mutex_unlock(&srv->mu);
    return NULL;
}

/* ==========================================================================
   main
   ========================================================================== */

static int signal_pipe[2] = { -1, -1 };   /* the signal handler's only state */
static void on_signal(int sig) {
    char c = (char)sig;
    ssize_t k = write(signal_pipe[1], &c, 1);
    (void)k;
}

static int listen_on(const char *host, long port, int *fd_out, int *port_out) {
    struct addrinfo hints, *ai = NULL, *a;
    char ps[16];
    int fd = -1, one = 1, rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(ps, sizeof ps, "%ld", port);
    rc = getaddrinfo(host, ps, &hints, &ai);
    if (rc) { cli_error("%s: %s", host, gai_strerror(rc)); return 0; }
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        int e = errno;
        cli_error("cannot listen on %s:%ld: %s%s", host, port, strerror(e),
                  e == EADDRINUSE ? " (another program uses this port: choose another with --port N, "
                                    "or --port 0 for any free port)" : "");
        return 0;
    }
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        *port_out = (int)port;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
            *port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                 : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    *fd_out = fd;
    return 1;
}

/* srv's chat template: name (--chat-template), else the model's; chat is
   not served (-1, chat_note says why) on a classifier, without a
   tokenizer, or when the model's template cannot render. 0 for a bad name
   or a named template that cannot render on this model. */
static int server_chat_template(server *srv, const char *name) {
    char err[LLM_ERROR_SIZE];
    size_t n;
    llm_status st;
    srv->chat_template = name ? llm_chat_template_from_name(name) : srv->model.chat_template;
    if (srv->chat_template < 0) {
        cli_error("--chat-template %s: not a template (plain, dialogpt or chatml)", name);
        return 0;
    }
    snprintf(srv->chat_note, sizeof srv->chat_note, "%s", name ? "chosen by --chat-template" :
             srv->model.chat_template_note);
    if (srv->model.config.head != LLM_HEAD_LM || !srv->tok) {
        snprintf(srv->chat_note, sizeof srv->chat_note, "chat is not served: %s",
                 srv->tok ? "the model has no next-token logits" : "the model has no tokenizer files");
        srv->chat_template = -1;
        return 1;
    }
    st = llm_chat_render(srv->tok, srv->chat_template, srv->eos, NULL, 0, 1, NULL, 0, &n, err);
    if (st != LLM_OK && st != LLM_ERR_BUFFER_TOO_SMALL) {
        if (name) { cli_error("--chat-template %s: %s", name, err); return 0; }
        snprintf(srv->chat_note, sizeof srv->chat_note, "chat is not served: template %s: %s",
                 llm_chat_template_name(srv->chat_template), err);
        srv->chat_template = -1;
    }
    return 1;
}

int main(int argc, char **argv) {
    server srv;
    const char *model_dir = NULL, *host = "127.0.0.1";
    const char *chat_template = NULL;
    int port = 8080, timeout = 30, no_cache = 0, no_gc = 0;
    int lfd = -1, bound_port = 0, rc = 0;
    pthread_t sched;
    llm_session_options so;
    struct sigaction sa;

    memset(&srv, 0, sizeof srv);
    srv.parallel = 4; srv.queue_max = 64; srv.prefill_rows = 128; srv.max_body = DEFAULT_MAX_BODY; srv.max_conns = 256;
    {
        const cli_opt opts[] = {
            { "-m", "--model", "DIR", CLI_STR, &model_dir, 0, 0, NULL, CLI_HELP_MODEL },
            { NULL, "--host", "ADDR", CLI_STR, &host, 0, 0, NULL, "address to listen on" },
            { NULL, "--port", "N", CLI_INT, &port, 0, 65535, NULL, "port; 0: any free port, printed (default 8080)" },
            { NULL, "--parallel", "N", CLI_INT, &srv.parallel, 1, 256, NULL, "requests decoded together" },
            { NULL, "--queue", "N", CLI_INT, &srv.queue_max, 0, 65536, NULL, "requests waiting for a slot before 503" },
            { NULL, "--ctx", "N", CLI_INT, &srv.n_ctx, 1, 1048576, NULL,
              "context length of each request (default: the model's)" },
            { NULL, "--threads", "N", CLI_INT, &srv.threads, 1, 256, NULL, CLI_HELP_THREADS },
            { NULL, "--api-key", "KEY", CLI_STR, &srv.api_key, 0, 0, NULL,
              "require 'Authorization: Bearer KEY' (not for /health; default: none)" },
            { NULL, "--timeout", "S", CLI_INT, &timeout, 1, 86400, NULL,
              "seconds to receive a request, or to send a reply" },
            { NULL, "--max-body", "BYTES", CLI_SIZE, &srv.max_body, 64, 1 << 30, NULL, "largest request body" },
            { NULL, "--max-conns", "N", CLI_INT, &srv.max_conns, 1, 65536, NULL, "open connections (more get 503)" },
            { NULL, "--prefill-rows", "N", CLI_INT, &srv.prefill_rows, 1, 1048576, NULL,
              "prompt rows per step, all requests together (default 128)" },
            { NULL, "--chat-template", "NAME", CLI_STR, &chat_template, 0, 0, NULL,
              "chat template: plain, dialogpt or chatml (default: the model's)" },
            { NULL, "--quiet", NULL, CLI_BOOL, &srv.quiet, 0, 0, NULL, "no request log on stderr" },
            { NULL, "--no-prefix-cache", NULL, CLI_BOOL, &no_cache, 0, 0, NULL,
              "evaluate every prompt whole (no reuse of cached KV blocks)" },
            { NULL, "--no-generation-config", NULL, CLI_BOOL, &no_gc, 0, 0, NULL,
              "ignore the model's generation_config.json (request defaults: OpenAI's)" },
            { NULL, NULL, NULL, CLI_BOOL, NULL, 0, 0, NULL, NULL }
        };
        int r;
        cli_omp_passive(argv);
        r = cli_parse("server", "server -m MODEL_DIR [options]", opts, NULL, argc, argv);
        if (r != CLI_CONTINUE) return r;
    }
    srv.timeout = timeout;
    if (!model_dir) { cli_error("-m MODEL_DIR is required (see --help)"); return 2; }
    if (srv.api_key && !*srv.api_key) { cli_error("--api-key: empty key"); return 2; }
    if (!cli_load_model(&srv.model, model_dir, 0, 1, 1)) return 1;
    if (srv.n_ctx && !cli_check_ctx("--ctx", srv.n_ctx, &srv.model)) { llm_model_free(&srv.model); return 2; }
    srv.tok = srv.model.has_tokenizer ? &srv.model.tokenizer : NULL;
    srv.eos = srv.model.config.eos_id >= 0 ? srv.model.config.eos_id : (srv.tok ? llm_tokenizer_eot(srv.tok) : -1);
    if (!srv.n_ctx) srv.n_ctx = srv.model.config.n_ctx;
    if (!server_chat_template(&srv, chat_template)) { llm_model_free(&srv.model); return 2; }
    take_defaults(&srv, no_gc);
    {
        /* the model's name: the folder's last component */
        size_t l = strlen(model_dir);
        const char *s;
        while (l > 1 && model_dir[l - 1] == '/') l--;
        s = model_dir + l;
        while (s > model_dir && s[-1] != '/') s--;
        snprintf(srv.name, sizeof srv.name, "%.*s", (int)(model_dir + l - s), s);
    }
    srv.by_seq = (choice **)calloc((size_t)srv.parallel, sizeof(choice *));
    if (!srv.by_seq) { cli_error("out of memory"); llm_model_free(&srv.model); return 1; }
    memset(&so, 0, sizeof so);
    so.n_ctx = srv.n_ctx;
    so.n_threads = srv.threads;
    so.n_seq_max = srv.parallel;
    so.max_batch = 256;
    so.prefix_cache = !no_cache;
    so.prefault = 1;   /* the scratch is written at startup, not during the first request */
    srv.prefix_cache = !no_cache;
    if (llm_session_init(&srv.sess, &srv.model, &so) != LLM_OK) {
        cli_error("%s", llm_session_error(&srv.sess));
        rc = 1;
        goto out;
    }
    {
        llm_generator_options go;
        memset(&go, 0, sizeof go);
        go.max_prefill_rows = srv.prefill_rows;
        go.max_top_logprobs = MAX_LOGPROBS;
        go.max_stop_len = MAX_STOP_LEN;
        if (llm_generator_init(&srv.gen, &srv.sess, &go) != LLM_OK) {
            cli_error("%s", llm_generator_error(&srv.gen));
            rc = 1;
            goto out;
        }
    }
    srv.p_tok = (int32_t *)malloc((size_t)srv.n_ctx * 2 * sizeof(int32_t));
    srv.p_seq = srv.p_tok ? srv.p_tok + srv.n_ctx : NULL;
    srv.p_hidden = (float *)malloc((size_t)srv.n_ctx * (size_t)srv.model.config.n_embd * sizeof(float));
    if (!srv.p_tok || !srv.p_hidden) { cli_error("out of memory"); rc = 1; goto out; }
    srv.slots_free = srv.parallel;
    if (!listen_on(host, port, &lfd, &bound_port)) { rc = 1; goto out; }
    if (pipe(signal_pipe) != 0) { cli_error("pipe: %s", strerror(errno)); rc = 1; goto out; }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.work, NULL);
    pthread_cond_init(&srv.conns_cv, NULL);
    if (pthread_create(&sched, NULL, scheduler_main, &srv) != 0) {
        cli_error("cannot start a thread");
        rc = 1;
        goto out;
    }
    printf("%s: %s (%d layers, %d wide, context %d) on http://%s:%d/ with %d slots\n", cli_prog, srv.name,
           srv.model.config.n_layer, srv.model.config.n_embd, srv.n_ctx, host, bound_port, srv.parallel);
    printf("%s: chat template %s: %s\n", cli_prog, srv.chat_template >= 0 ? llm_chat_template_name(srv.chat_template)
           : "none", srv.chat_note);
    fflush(stdout);

    for (;;) {
        struct pollfd p[2];
        int fd;
        p[0].fd = lfd; p[0].events = POLLIN; p[0].revents = 0;
        p[1].fd = signal_pipe[0]; p[1].events = POLLIN; p[1].revents = 0;
        if (poll(p, 2, -1) < 0 && errno != EINTR) break;
        if (p[1].revents) break;
        if (!(p[0].revents & POLLIN)) continue;
        fd = accept(lfd, NULL, NULL);
        if (fd < 0) continue;
        {
            struct timeval tv;
            int one = 1, full;
            conn *cn;
            pthread_t t;
            pthread_attr_t attr;
            tv.tv_sec = (long)srv.timeout; tv.tv_usec = 0;
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            pthread_mutex_lock(&srv.mu);
            full = srv.n_conns >= srv.max_conns;
            if (!full) srv.n_conns++;
            pthread_mutex_unlock(&srv.mu);
            cn = full ? NULL : (conn *)calloc(1, sizeof *cn);
            if (!cn) {
                static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                           "Connection: close\r\n\r\n";
                ssize_t k = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                (void)k;
                close(fd);
                if (!full) { pthread_mutex_lock(&srv.mu); srv.n_conns--; pthread_mutex_unlock(&srv.mu); }
                continue;
            }
            cn->srv = &srv;
            cn->fd = fd;
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            pthread_attr_setstacksize(&attr, 512 * 1024);
            if (pthread_create(&t, &attr, conn_main, cn) != 0) {
                close(fd);
                free(cn);
                pthread_mutex_lock(&srv.mu); srv.n_conns--; pthread_mutex_unlock(&srv.mu);
            }
            pthread_attr_destroy(&attr);
        }
    }
    /* graceful shutdown: no new connections; queued requests get 503, the
       running ones finish; then every connection closes */
    cli_error("shutting down");
    close(lfd);
    lfd = -1;
    pthread_mutex_lock(&srv.mu);
    srv.stopping = 1;
    pthread_cond_signal(&srv.work);
    while (srv.n_conns > 0) pthread_cond_wait(&srv.conns_cv, &srv.mu);
    pthread_mutex_unlock(&srv.mu);
    pthread_join(sched, NULL);
    pthread_cond_destroy(&srv.conns_cv);
    pthread_cond_destroy(&srv.work);
    pthread_mutex_destroy(&srv.mu);
out:
    if (lfd >= 0) close(lfd);
    llm_generator_free(&srv.gen);
    llm_session_free(&srv.sess);
    free(srv.by_seq);
    free(srv.p_tok);
    free(srv.p_hidden);
    llm_model_free(&srv.model);
    return rc;
}
