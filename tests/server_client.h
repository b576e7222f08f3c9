/* server_client.h - starting build/server and talking to it over
   127.0.0.1, shared by tests/test_server.c and tools/bench/bench_server.c.
   POSIX; include after defining _POSIX_C_SOURCE 200809L and after
   examples/server_http.h (for sb). */
#ifndef SERVER_CLIENT_H
#define SERVER_CLIENT_H
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef struct srv_proc { pid_t pid; int port; int out; } srv_proc;
static srv_proc *running[4];   /* killed by the alarm handler */

HTTP_FN double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

HTTP_FN void nap_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* The alarm: kill every running server, fail. */
HTTP_FN void on_alarm(int sig) {
    int i;
    (void)sig;
    for (i = 0; i < 4; i++) if (running[i] && running[i]->pid > 0) kill(running[i]->pid, SIGKILL);
    (void)!write(1, "FAIL test_server: took longer than its time limit\ntest_server: 0 passed, 1 failed\n", 83);
    _exit(1);
}

/* Starts bin -m model --port 0 with extra flags (NULL-terminated); 0 on
   failure. The child dies with this process (Linux). */
HTTP_FN int start_server(srv_proc *s, const char *bin, const char *model, const char *const *extra) {
    const char *argv[32];
    int p[2], n = 0, i;
    char line[512];
    size_t len = 0;
    double t0 = now_s();
    argv[n++] = bin; argv[n++] = "-m"; argv[n++] = model; argv[n++] = "--port"; argv[n++] = "0";
    for (i = 0; extra && extra[i] && n < 30; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    if (pipe(p) != 0) return 0;
    s->pid = fork();
    if (s->pid < 0) return 0;
    if (s->pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        dup2(p[1], 1);
        close(p[0]); close(p[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    s->out = p[0];
    for (i = 0; i < 4; i++) if (!running[i]) { running[i] = s; break; }
    /* the first line says where it listens */
    while (len < sizeof line - 1 && now_s() - t0 < 60) {
        struct pollfd pf;
        ssize_t k;
        char *at;
        pf.fd = s->out; pf.events = POLLIN; pf.revents = 0;
        if (poll(&pf, 1, 1000) <= 0) continue;
        k = read(s->out, line + len, sizeof line - 1 - len);
        if (k <= 0) break;
        len += (size_t)k;
        line[len] = 0;
        if (strchr(line, '\n') && (at = strstr(line, "127.0.0.1:")) != NULL) { s->port = atoi(at + 10); return s->port > 0; }
    }
    printf("FAIL test_server: the server did not start: %s\n", line);
    return 0;
}

/* SIGTERM (or SIGKILL), then its exit status (-1: killed by a signal). */
HTTP_FN int stop_server(srv_proc *s, int sig) {
    int st = 0, i;
    double t0 = now_s();
    if (s->pid <= 0) return -1;
    kill(s->pid, sig);
    while (waitpid(s->pid, &st, WNOHANG) == 0) {
        if (now_s() - t0 > 20) { kill(s->pid, SIGKILL); waitpid(s->pid, &st, 0); break; }
        nap_ms(10);
    }
    for (i = 0; i < 4; i++) if (running[i] == s) running[i] = NULL;
    close(s->out);
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

HTTP_FN int connect_to(int port) {
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    return fd;
}
HTTP_FN int send_str(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0) return 0;
        p += k; n -= (size_t)k;
    }
    return 1;
}
/* Reads until the peer closes (or timeout seconds); appends to b. */
HTTP_FN void read_all(int fd, sb *b, double timeout) {
    double t0 = now_s();
    char tmp[4096];
    for (;;) {
        struct pollfd pf;
        ssize_t k;
        pf.fd = fd; pf.events = POLLIN; pf.revents = 0;
        if (now_s() - t0 > timeout) break;
        if (poll(&pf, 1, 200) <= 0) continue;
        k = recv(fd, tmp, sizeof tmp, 0);
        if (k <= 0) break;
        sb_add(b, tmp, (size_t)k);
    }
}

#endif
