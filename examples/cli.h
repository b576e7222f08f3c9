/* cli.h - what the programs in examples/ share (not part of llm.h).
   Functions are static inline so that a program need not use them all.

   Each program defines _POSIX_C_SOURCE 200809L, includes llm.h with
   LLM_IMPLEMENTATION, then this file (static functions: one copy each).

   - cli_parse: one flag parser driven by a table of cli_opt rows. Numbers
     are strict (digits only, no spaces, no trailing bytes, in range);
     a bad flag is one line on stderr and exit status 2; --help lists every
     flag with its default.
   - cli_read: a file or stdin as bytes with a length.
   - cli_parse_ids: token id lists ("464,3290 373"), errors with position.
   - cli_out: checked output to stdout or to a file; a file is written to a
     temporary name in its folder and renamed only when every write, the
     flush and the close succeeded (cli_out_finish + cli_out_commit: several
     files renamed only once all of them are complete).
   - cli_quote: user input in messages, with non-printable bytes escaped.
   - cli_json_string, cli_write_npy: a JSON string, a float32 .npy matrix.
   - cli_inputs: -p / -f / --ids inputs as token lists, decoded many at a
     time (llm_session_decode_hidden) by classify and embed.
   - cli_random_seed: 64 bits from /dev/urandom (else the clock + pid).
   - cli_omp_passive: OMP_WAIT_POLICY=PASSIVE unless the user set it.
   - cli_load_model, cli_info: loading with the programs' messages, --info.
   - cli_generation_config: the model's generation_config.json as the
     defaults of generate and the server, each setting with its source. */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* The program's name in messages and --help: the name it was run as
   (argv[0]'s last component, e.g. llm-generate when installed; set by
   cli_parse). */
static const char *cli_prog = "llm";

static inline void cli_error(const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* s[0..n) for a message: printable ASCII as is, other bytes as \xNN, cut
   with "..." to fit out[cap]. Returns out. */
static inline const char *cli_quote(char *out, size_t cap, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int wide = c < 0x20 || c > 0x7e || c == '\\';
        if (k + (wide ? 4 : 1) + 4 > cap) { memcpy(out + k, "...", 4); return out; }
        if (wide) { out[k++] = '\\'; out[k++] = 'x'; out[k++] = hex[c >> 4]; out[k++] = hex[c & 15]; }
        else out[k++] = (char)c;
    }
    out[k] = 0;
    return out;
}

/* ---- strict numbers ------------------------------------------------------ */

/* Digits only, 0 .. 2^64-1. */
static inline int cli_parse_uint64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9') return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (*p) return 0;
    *out = v;
    return 1;
}

/* Decimal integer: an optional '-', then digits only. 1 if in [lo, hi]. */
static inline int cli_parse_int64(const char *s, long long lo, long long hi, long long *out) {
    int neg = *s == '-';
    uint64_t v;
    long long x;
    if (!cli_parse_uint64(s + neg, &v) || v > (uint64_t)LLONG_MAX + (uint64_t)neg) return 0;
    x = !neg ? (long long)v : v == (uint64_t)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    if (x < lo || x > hi) return 0;
    *out = x;
    return 1;
}

/* A finite decimal number (no leading space, nothing after it) in [lo, hi]. */
static inline int cli_parse_double(const char *s, double lo, double hi, double *out) {
    char *end;
    double v;
    if (!strchr("0123456789.-+", *s) || !*s) return 0;
    v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}

/* ---- the flag parser -------------------------------------------------------- */

typedef enum { CLI_BOOL, CLI_STR, CLI_INT, CLI_SIZE, CLI_FLOAT, CLI_U64, CLI_LIST } cli_type;

/* Repeatable string flag: v has room for max entries and a NULL. */
typedef struct cli_list { const char **v; int n, max; } cli_list;

/* One row of a program's flag table; the table ends with a row whose name
   is NULL. dst: int (CLI_BOOL: set to 1; CLI_INT), const char * (CLI_STR),
   size_t, float, uint64_t or cli_list. --help prints help and, unless help
   mentions "default", the value dst holds before parsing. */
typedef struct cli_opt {
    const char *alias;       /* "-m", or NULL */
    const char *name;        /* "--model" */
    const char *arg;         /* "DIR" (NULL for CLI_BOOL) */
    cli_type type;
    void *dst;
    double lo, hi;           /* numbers: the accepted range */
    int *given;              /* set to 1 when the flag appears, or NULL */
    const char *help;
} cli_opt;

#define CLI_HELP_MODEL "checkpoint folder (model.safetensors, config.json, tokenizer files); required"
#define CLI_HELP_THREADS "threads (default: all cores)"
#define CLI_HELP_INFO "print the loaded config, dtypes, tokenizer and memory, then exit"

/* Each line of usage starts (after spaces) with the program's own name,
   prog; --help shows cli_prog, the name it was run as, there. */
static inline void cli_usage(FILE *f, const char *prog, const char *usage, const cli_opt *o, const char *notes) {
    size_t pl = strlen(prog);
    const char *l = usage;
    fputs("usage: ", f);
    while (*l) {
        size_t sp = strspn(l, " "), n = strcspn(l, "\n");
        int named = !strncmp(l + sp, prog, pl) && (l[sp + pl] == ' ' || l[sp + pl] == '\n' || !l[sp + pl]);
        if (named) fprintf(f, "%.*s%s%.*s\n", (int)sp, l, cli_prog, (int)(n - sp - pl), l + sp + pl);
        else fprintf(f, "%.*s\n", (int)n, l);
        l += n + (l[n] == '\n');
    }
    for (; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "    ",
                 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-30s %s", left, o->help);
        if (!strstr(o->help, "default")) {
            if (o->type == CLI_INT) fprintf(f, " (default %d)", *(const int *)o->dst);
            else if (o->type == CLI_SIZE) fprintf(f, " (default %zu)", *(const size_t *)o->dst);
            else if (o->type == CLI_FLOAT) fprintf(f, " (default %g)", (double)*(const float *)o->dst);
            else if (o->type == CLI_U64) fprintf(f, " (default %llu)", (unsigned long long)*(const uint64_t *)o->dst);
            else if (o->type == CLI_STR && *(const char *const *)o->dst)
                fprintf(f, " (default '%s')", *(const char *const *)o->dst);
        }
        fputc('\n', f);
    }
    fprintf(f, "  %-30s this help\n", "-h, --help");
    if (notes) fputs(notes, f);
}

static inline int cli_bad_value(const cli_opt *o, const char *v) {
    char q[64];
    const char *flag = o->name;
    cli_quote(q, sizeof q, v, strlen(v));
    if (o->type == CLI_INT || o->type == CLI_SIZE)
        cli_error("%s: expected an integer in [%.0f, %.0f], got '%s'", flag, o->lo, o->hi, q);
    else if (o->type == CLI_FLOAT) cli_error("%s: expected a number in [%g, %g], got '%s'", flag, o->lo, o->hi, q);
    else if (o->type == CLI_U64) cli_error("%s: expected an integer in [0, 18446744073709551615], got '%s'", flag, q);
    else if (o->type == CLI_LIST)
        cli_error("%s: at most %d, each non-empty (got '%s')", flag, ((cli_list *)o->dst)->max, q);
    else cli_error("%s: bad value '%s'", flag, q);
    return 2;
}

/* Set one flag from its value; 0 or an exit status (2). */
static inline int cli_set(const cli_opt *o, const char *v) {
    long long iv;
    double dv;
    switch (o->type) {
    case CLI_BOOL: *(int *)o->dst = 1; break;
    case CLI_STR: *(const char **)o->dst = v; break;
    case CLI_INT:
        if (!cli_parse_int64(v, (long long)o->lo, (long long)o->hi, &iv)) return cli_bad_value(o, v);
        *(int *)o->dst = (int)iv;
        break;
    case CLI_SIZE:
        if (!cli_parse_int64(v, (long long)o->lo, (long long)o->hi, &iv)) return cli_bad_value(o, v);
        *(size_t *)o->dst = (size_t)iv;
        break;
    case CLI_FLOAT:
        if (!cli_parse_double(v, o->lo, o->hi, &dv)) return cli_bad_value(o, v);
        *(float *)o->dst = (float)dv;
        break;
    case CLI_U64:
        if (!cli_parse_uint64(v, (uint64_t *)o->dst)) return cli_bad_value(o, v);
        break;
    case CLI_LIST: {
        cli_list *l = (cli_list *)o->dst;
        if (l->n >= l->max || !*v) return cli_bad_value(o, v);
        l->v[l->n++] = v;
        l->v[l->n] = NULL;
        break;
    }
    }
    if (o->given) *o->given = 1;
    return 0;
}

#define CLI_CONTINUE (-1)

/* Edit distance of a and b (insert, delete, replace, swap of neighbours),
   or max + 1 when it is above max. For flags: short strings only. */
static inline int cli_edit_distance(const char *a, const char *b, int max) {
    int d[3][40], la = (int)strlen(a), lb = (int)strlen(b), i, j;
    if (la >= 40 || lb >= 40 || abs(la - lb) > max) return max + 1;
    for (i = 0; i <= la; i++) {
        int *r = d[i % 3], *p = d[(i + 2) % 3], *pp = d[(i + 1) % 3];
        for (j = 0; j <= lb; j++) {
            int v = i == 0 ? j : j == 0 ? i : p[j - 1] + (a[i - 1] != b[j - 1]);
            if (i && j && p[j] + 1 < v) v = p[j] + 1;
            if (i && j && r[j - 1] + 1 < v) v = r[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v) v = pp[j - 2] + 1;
            r[j] = v;
        }
    }
    return d[la % 3][lb] > max ? max + 1 : d[la % 3][lb];
}

/* The flag of opts nearest to a (edit distance at most 2), or NULL. */
static inline const char *cli_nearest_flag(const char *a, const cli_opt *opts) {
    const char *best = NULL;
    int bd = 3;
    for (; opts->name; opts++) {
        int dist = cli_edit_distance(a, opts->name, 2);
        if (dist < bd) { bd = dist; best = opts->name; }
    }
    if (cli_edit_distance(a, "--help", 2) < bd) best = "--help";
    return best;
}

/* Parse argv against opts. Returns CLI_CONTINUE, or the exit status the
   program should return: 0 after --help, 2 after a bad flag (one line on
   stderr). */
static inline int cli_parse(const char *prog, const char *usage, const cli_opt *opts, const char *notes,
                     int argc, char **argv) {
    int i;
    const char *base = argc > 0 && argv[0] && *argv[0] ? strrchr(argv[0], '/') : NULL;
    cli_prog = argc > 0 && argv[0] && *argv[0] ? (base && base[1] ? base + 1 : argv[0]) : prog;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const cli_opt *o;
        char q[64];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cli_usage(stdout, prog, usage, opts, notes);
            if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
            cli_error("cannot write stdout: %s", strerror(errno ? errno : EIO));
            return 1;
        }
        for (o = opts; o->name; o++)
            if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias))) break;
        if (!o->name) {
            cli_quote(q, sizeof q, a, strlen(a));
            if (a[0] == '-' && cli_nearest_flag(a, opts))
                cli_error("unknown option '%s' (did you mean %s?)", q, cli_nearest_flag(a, opts));
            else if (a[0] == '-') cli_error("unknown option '%s' (see --help)", q);
            else cli_error("unexpected argument '%s' (see --help)", q);
            return 2;
        }
        if (o->type == CLI_BOOL) { cli_set(o, NULL); continue; }
        if (i + 1 >= argc) { cli_error("%s needs a value (see --help)", a); return 2; }
        if (cli_set(o, argv[++i])) return 2;
    }
    return CLI_CONTINUE;
}

/* ---- input ---------------------------------------------------------------- */

/* All of path ("-": stdin) as bytes, NUL added after them (not counted in
   *n). NULL after a message (a folder: "Is a directory"). */
static inline char *cli_read(const char *path, size_t *n) {
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    size_t cap = 65536, len = 0, got;
    char *buf = NULL, q[128];
    int err = 0;
    cli_quote(q, sizeof q, path, strlen(path));
    if (!f) { cli_error("cannot open '%s': %s", q, strerror(errno)); return NULL; }
    buf = (char *)malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            char *nb = cap <= ((size_t)-1) / 2 ? (char *)realloc(buf, cap * 2) : NULL;
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
        errno = 0;
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) { err = ferror(f) ? (errno ? errno : EIO) : 0; break; }
    }
    if (!is_stdin) fclose(f);
    if (!buf) { cli_error("out of memory reading '%s' (%zu bytes so far)", q, len); return NULL; }
    if (err) { free(buf); cli_error("cannot read '%s': %s", is_stdin ? "stdin" : q, strerror(err)); return NULL; }
    buf[len] = 0;
    *n = len;
    return buf;
}

/* One line of f (its '\n' kept, NUL bytes too) into *buf, grown as needed;
   *len its length. 1: a line, 0: end of input, -1: error (message printed). */
static inline int cli_read_line(FILE *f, char **buf, size_t *cap, size_t *len) {
    int c;
    *len = 0;
    while ((c = getc(f)) != EOF) {
        if (*len + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *nb = nc > *cap ? (char *)realloc(*buf, nc) : NULL;
            if (!nb) { cli_error("out of memory reading a line of %zu bytes", *len); return -1; }
            *buf = nb; *cap = nc;
        }
        (*buf)[(*len)++] = (char)c;
        if (c == '\n') break;
    }
    if (ferror(f)) { cli_error("cannot read stdin: %s", strerror(errno)); return -1; }
    if (*len) (*buf)[*len] = 0;
    return *len > 0;
}

/* Token ids separated by whitespace or commas ("464, 3290 373"); a comma
   must stand between two ids. Each id < n_vocab. 1 on success (*ids
   malloc'd, possibly NULL when *n_ids is 0), else 0 with a message naming
   the entry, its line and column, in err. */
static inline int cli_parse_ids(const char *s, size_t n, size_t n_vocab, int32_t **ids, size_t *n_ids,
                         char *err, size_t errcap) {
    size_t i = 0, k = 0, cap = 0, line = 1, line_start = 0;
    int32_t *v = NULL;
    int comma = 0, have = 0;   /* a comma since the last id; an id seen */
    *ids = NULL; *n_ids = 0;
    while (i < n) {
        char c = s[i];
        size_t st = i;
        long long id;
        char num[24], q[64];
        if (c == '\n') { line++; line_start = i + 1; i++; continue; }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') { i++; continue; }
        if (c == ',') {
            if (comma || !have) {
                snprintf(err, errcap, "empty entry before the comma at line %zu, column %zu", line, i - line_start + 1);
                free(v); return 0;
            }
            comma = 1; i++; continue;
        }
        while (i < n && !strchr(" \t\r\n\v\f,", s[i] ? s[i] : 'x')) i++;
        if (i - st < sizeof num) { memcpy(num, s + st, i - st); num[i - st] = 0; } else num[0] = 'x', num[1] = 0;
        if (memchr(s + st, 0, i - st) || !cli_parse_int64(num, 0, 0x7fffffff, &id) || (size_t)id >= n_vocab) {
            snprintf(err, errcap, "entry %zu ('%s') at line %zu, column %zu is not a token id (0..%zu)", k + 1,
                     cli_quote(q, sizeof q, s + st, i - st), line, st - line_start + 1, n_vocab - 1);
            free(v); return 0;
        }
        if (k == cap) {
            int32_t *nv = (int32_t *)realloc(v, (cap = cap ? cap * 2 : 256) * sizeof *v);
            if (!nv) { snprintf(err, errcap, "out of memory (%zu ids)", k); free(v); return 0; }
            v = nv;
        }
        v[k++] = (int32_t)id;
        comma = 0; have = 1;
    }
    if (comma) { snprintf(err, errcap, "the list ends with a comma (line %zu)", line); free(v); return 0; }
    *ids = v; *n_ids = k;
    return 1;
}

/* ---- checked output --------------------------------------------------------- */

typedef struct cli_out {
    FILE *f;
    char path[4096];         /* "stdout" or the file's name */
    char tmp[4096];          /* the temporary name, or "" (stdout, a device) */
    int err;                 /* errno of the first failure, 0 while all is well */
    int is_stdout;
} cli_out;

/* path NULL or "-": stdout. A regular file (or a new one) is written as
   path.XXXXXX beside it; a device or FIFO directly. 1, or 0 after a message. */
static inline int cli_out_open(cli_out *o, const char *path) {
    struct stat sb;
    memset(o, 0, sizeof *o);
#ifdef SIGXFSZ
    signal(SIGXFSZ, SIG_IGN);  /* past a file-size limit: an error (EFBIG), not death */
#endif
    if (!path || !strcmp(path, "-")) { o->f = stdout; o->is_stdout = 1; strcpy(o->path, "stdout"); return 1; }
    if (strlen(path) + 8 > sizeof o->tmp) { cli_error("output path too long"); return 0; }
    strcpy(o->path, path);
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        o->f = fopen(path, "wb");
    } else {
        mode_t mask = umask(0);
        int fd;
        umask(mask);
        strcpy(o->tmp, path);  /* the length is checked above */
        strcat(o->tmp, ".XXXXXX");
        fd = mkstemp(o->tmp);
        if (fd >= 0) {
            fchmod(fd, 0666 & ~mask);
            if (!(o->f = fdopen(fd, "wb"))) { close(fd); unlink(o->tmp); }
        }
        if (!o->f) o->tmp[0] = 0;
    }
    if (!o->f) {
        char q[128];
        cli_error("cannot create '%s': %s", cli_quote(q, sizeof q, path, strlen(path)), strerror(errno));
    }
    return o->f != NULL;
}

static inline int cli_write(cli_out *o, const void *p, size_t n) {
    if (o->err) return 0;
    if (n && fwrite(p, 1, n, o->f) != n) o->err = errno ? errno : EIO;
    return !o->err;
}
static inline int cli_printf(cli_out *o, const char *fmt, ...) {
    va_list ap;
    if (o->err) return 0;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0) o->err = errno ? errno : EIO;
    va_end(ap);
    return !o->err;
}
/* For streaming: the bytes so far reach the reader. */
static inline int cli_flush(cli_out *o) {
    if (!o->err && fflush(o->f) != 0) o->err = errno ? errno : EIO;
    return !o->err;
}

/* After an error elsewhere: no file is left behind (stdout: nothing). */
static inline void cli_out_discard(cli_out *o) {
    if (o->f && !o->is_stdout) fclose(o->f);
    if (o->tmp[0]) unlink(o->tmp);
    o->f = NULL; o->tmp[0] = 0;
}

static inline void cli_out_report(const cli_out *o) {
    char q[128];
    if (o->is_stdout) cli_error("cannot write stdout: %s", strerror(o->err));
    else cli_error("cannot write '%s': %s", cli_quote(q, sizeof q, o->path, strlen(o->path)), strerror(o->err));
}

/* Flush and close (stdout: flush), keeping the temporary file for
   cli_out_commit (or cli_out_discard): for several files that replace their
   old versions only once all of them are complete. 1, or 0 after one
   message, with the temporary file removed. */
static inline int cli_out_finish(cli_out *o) {
    errno = 0;
    if (!o->f) return 0;
    cli_flush(o);
    if (!o->err && ferror(o->f)) o->err = EIO;
    if (!o->is_stdout) {
        if (fclose(o->f) != 0 && !o->err) o->err = errno ? errno : EIO;
        o->f = NULL;
        if (o->err && o->tmp[0]) unlink(o->tmp);
        if (o->err) o->tmp[0] = 0;
    }
    if (o->err) cli_out_report(o);
    return !o->err;
}

/* After cli_out_finish: the temporary file renamed into place. 1, or 0
   after one message, with the temporary file removed. */
static inline int cli_out_commit(cli_out *o) {
    if (o->tmp[0] && rename(o->tmp, o->path) != 0) {
        o->err = errno;
        unlink(o->tmp);
        cli_out_report(o);
    }
    o->tmp[0] = 0;
    return !o->err;
}

/* Flush and close (stdout: flush); rename the temporary file into place.
   1, or 0 after one message, with the temporary file removed. */
static inline int cli_out_close(cli_out *o) {
    return cli_out_finish(o) && cli_out_commit(o);
}

/* s[0..n) as a JSON string (llm_json_escape: always valid JSON, a byte
   that is not part of a valid UTF-8 character as U+FFFD). */
static inline void cli_json_string(cli_out *o, const char *s, size_t n) {
    char buf[256];
    cli_write(o, "\"", 1);
    while (n) {
        size_t k, used = llm_json_escape(s, n, buf, sizeof buf, &k);
        cli_write(o, buf, k);
        s += used;
        n -= used;
    }
    cli_write(o, "\"", 1);
}

/* The .npy header for float32 [rows, cols], then the data. */
static inline int cli_write_npy(cli_out *o, const float *data, size_t rows, size_t cols) {
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
    size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64;
    unsigned short hl = (unsigned short)((size_t)n + pad + 1);
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
    pre[8] = (unsigned char)(hl & 0xff); pre[9] = (unsigned char)(hl >> 8);
    cli_write(o, pre, 10);
    cli_write(o, hdr, (size_t)n);
    cli_printf(o, "%*s\n", (int)pad, "");
    return cli_write(o, data, sizeof(float) * rows * cols); /* little-endian hosts */
}

/* ---- many inputs through one decode (classify, embed) ---------------------- */

/* The inputs of a program: token id lists, and the buffers of one decode
   of batch of them (rows: the most rows of one decode). */
typedef struct cli_inputs {
    int32_t **ids;
    size_t *n, count, longest, batch, rows;
    int32_t *tok, *seq;       /* [rows] */
    float *hidden;            /* [rows, n_embd] */
} cli_inputs;

static inline void cli_inputs_free(cli_inputs *in) {
    size_t i;
    for (i = 0; i < in->count; i++) free(in->ids[i]);
    free(in->ids); free(in->n); free(in->tok); free(in->seq); free(in->hidden);
    memset(in, 0, sizeof *in);
}

/* Append one input: ids (taken over), n tokens. 0 after a message. */
static inline int cli_inputs_add(cli_inputs *in, int32_t *ids, size_t n, size_t where, int n_ctx) {
    int32_t **v;
    size_t *nv;
    if (n < 1) { free(ids); cli_error("input %zu has no tokens", where); return 0; }
    if (n > (size_t)n_ctx) {
        free(ids);
        cli_error("input %zu has %zu tokens, more than the model's context of %d", where, n, n_ctx);
        return 0;
    }
    v = (int32_t **)realloc(in->ids, (in->count + 1) * sizeof *v);
    if (v) in->ids = v;
    nv = v ? (size_t *)realloc(in->n, (in->count + 1) * sizeof *nv) : NULL;
    if (nv) in->n = nv;
    if (!v || !nv) { free(ids); cli_error("out of memory"); return 0; }
    in->ids[in->count] = ids;
    in->n[in->count++] = n;
    if (n > in->longest) in->longest = n;
    return 1;
}

/* Text as an input (the model's tokenizer). */
static inline int cli_inputs_text(cli_inputs *in, const llm_model *m, const char *s, size_t len, size_t where) {
    int32_t *ids = (int32_t *)malloc((len + 1) * sizeof *ids);
    size_t n = 0;
    if (!ids) { cli_error("out of memory"); return 0; }
    if (llm_tokenizer_encode(&m->tokenizer, s, len, 0, ids, len + 1, &n) != LLM_OK) {
        cli_error("input %zu: %s", where, llm_tokenizer_error(&m->tokenizer));
        free(ids);
        return 0;
    }
    return cli_inputs_add(in, ids, n, where, m->config.n_ctx);
}

/* -p TEXT (one input), -f FILE (one text per line; empty lines skipped;
   '-': stdin) or --ids LIST (one input). 0 after a message. */
static inline int cli_inputs_read(cli_inputs *in, const llm_model *m, const char *text, const char *file,
                                  const char *ids_arg) {
    memset(in, 0, sizeof *in);
    if (ids_arg) {
        int32_t *ids;
        size_t n;
        char err[256];
        if (!cli_parse_ids(ids_arg, strlen(ids_arg), (size_t)m->config.n_vocab, &ids, &n, err, sizeof err)) {
            cli_error("--ids: %s", err);
            return 0;
        }
        return cli_inputs_add(in, ids, n, 1, m->config.n_ctx);
    }
    if (text) return cli_inputs_text(in, m, text, strlen(text), 1);
    {
        size_t n, i = 0, line = 0;
        char *all = cli_read(file, &n);
        if (!all) return 0;
        while (i < n) {
            size_t e = i, l;
            while (e < n && all[e] != '\n') e++;
            l = e - i;
            if (l && all[i + l - 1] == '\r') l--;
            line++;
            if (l && !cli_inputs_text(in, m, all + i, l, line)) { free(all); return 0; }
            i = e + 1;
        }
        free(all);
        if (!in->count) { cli_error("%s: no text", file); return 0; }
    }
    return 1;
}

/* Session s (options so) for the inputs: batch slots (at most the inputs),
   as long as the longest input; the buffers of a decode. 0 after a message. */
static inline int cli_inputs_session(cli_inputs *in, const llm_model *m, llm_session_options *so, llm_session *s,
                                     int batch) {
    size_t first, i, C = (size_t)m->config.n_embd;
    in->batch = (size_t)batch < in->count ? (size_t)batch : in->count;
    so->n_seq_max = (int)in->batch;
    so->n_ctx = (int)in->longest;
    if (llm_session_init(s, m, so) != LLM_OK) { cli_error("%s", llm_session_error(s)); return 0; }
    for (first = 0; first < in->count; first += in->batch) {
        size_t r = 0;
        for (i = first; i < in->count && i < first + in->batch; i++) r += in->n[i];
        if (r > in->rows) in->rows = r;
    }
    in->tok = (int32_t *)malloc(in->rows * sizeof *in->tok);
    in->seq = (int32_t *)malloc(in->rows * sizeof *in->seq);
    in->hidden = (float *)malloc(in->rows * C * sizeof *in->hidden);
    if (!in->tok || !in->seq || !in->hidden) { cli_error("out of memory"); return 0; }
    return 1;
}

/* The next batch from input first: inputs [first, first + k) as one batch
   b (input first + j in slot j, its rows together) through one
   llm_session_decode_hidden into in->hidden. k, or 0 after a message. */
static inline size_t cli_inputs_decode(llm_session *s, cli_inputs *in, size_t first, llm_batch *b) {
    size_t j, t, n = 0, k = in->count - first < in->batch ? in->count - first : in->batch;
    for (j = 0; j < k; j++)
        for (t = 0; t < in->n[first + j]; t++) { in->tok[n] = in->ids[first + j][t]; in->seq[n++] = (int32_t)j; }
    memset(b, 0, sizeof *b);
    b->n = n; b->token = in->tok; b->seq = in->seq;
    llm_session_reset(s);
    if (llm_session_decode_hidden(s, b, in->hidden) != LLM_OK) { cli_error("%s", llm_session_error(s)); return 0; }
    return k;
}

/* ---- generation_config.json ---------------------------------------------------- */

/* Which generation settings the user gave (flags, a request's fields):
   given[CLI_GIVEN_*] nonzero. */
#define CLI_GIVEN_TEMPERATURE 0
#define CLI_GIVEN_TOP_K 1
#define CLI_GIVEN_TOP_P 2
#define CLI_GIVEN_PENALTY 3
#define CLI_GIVEN_MAX_NEW 4
#define CLI_GIVEN_MAX_LEN 5
#define CLI_GIVEN_GREEDY 6
#define CLI_GIVEN_MIN_P 7
#define CLI_GIVEN_BEAMS 8
#define CLI_GIVEN_LP 9
#define CLI_GIVEN_ES 10
#define CLI_GIVEN_NGRAM 11
#define CLI_N_GIVEN 12
#define CLI_MAX_SETTINGS 16

/* One generation setting, its value and where it came from (--info, the
   server's start). */
typedef struct { const char *name; char value[48]; const char *from; } cli_setting;

static inline void cli_put_setting(cli_setting *st, const char *name, const char *from, const char *fmt, ...) {
    va_list ap;
    st->name = name;
    st->from = from;
    va_start(ap, fmt);
    vsnprintf(st->value, sizeof st->value, fmt, ap);
    va_end(ap);
}

/* The defaults from the model's generation_config.json (when use_file and
   the model has one) where given[] says the user gave no value: the
   sampler (do_sample false: greedy), max_new_tokens / max_length,
   repetition_penalty, no_repeat_ngram_size, length_penalty,
   early_stopping, num_beams; fields absent from the file keep go's values
   (the program's defaults, named dflt in sets[]). sets[CLI_MAX_SETTINGS]
   gets each setting and where it came from, NULL-name terminated. Notes on
   stderr unless quiet: eos_token_id lists other than the model's one
   end-of-text id (generation stops at that one only); num_beams the program
   does not use. beams: the program does beam search (generate): then
   num_beams > 1 (given or from the file) is deterministic: the sampler is
   set to greedy; sampling flags with --num-beams are refused (2 and a
   message); the file's num_beams gives way to --temperature or --greedy.
   Without beams the file's num_beams is noted and not used. 1 otherwise. */
static inline int cli_generation_config(const llm_model *m, int use_file, const int *given, int beams,
                                        const char *dflt, llm_generate_options *go, cli_setting *sets, int quiet) {
    static const char gc[] = "generation_config.json", flag[] = "flag";
    const llm_generation_config *g = &m->generation;
    int has = use_file && m->has_generation_config, k;
    int sample_flag = given[CLI_GIVEN_TEMPERATURE] || given[CLI_GIVEN_GREEDY];
    const char *from_t = dflt, *from_b;
    int32_t eos = m->config.eos_id >= 0 ? m->config.eos_id : llm_tokenizer_eot(&m->tokenizer);
    if (sample_flag) from_t = flag;
    else if (has && g->present.do_sample && !g->do_sample) {
        go->sampler.temperature = 0;
        from_t = "generation_config.json (do_sample false: greedy)";
    } else if (has && g->present.temperature) {
        go->sampler.temperature = g->temperature;
        from_t = gc;
    }
    if (!given[CLI_GIVEN_TOP_K] && has && g->present.top_k) go->sampler.top_k = g->top_k;
    if (!given[CLI_GIVEN_TOP_P] && has && g->present.top_p) go->sampler.top_p = g->top_p;
    if (!given[CLI_GIVEN_PENALTY] && has && g->present.repetition_penalty)
        go->sampler.repetition_penalty = g->repetition_penalty;
    if (!given[CLI_GIVEN_MAX_NEW] && !given[CLI_GIVEN_MAX_LEN] && has &&
        (g->present.max_new_tokens || g->present.max_length)) {
        go->max_new_tokens = g->present.max_new_tokens ? g->max_new_tokens : 0;
        go->max_length = g->present.max_new_tokens ? 0 : g->max_length;
    }
    if (!given[CLI_GIVEN_LP] && has && g->present.length_penalty) {
        go->length_penalty = g->length_penalty;
        go->has_length_penalty = 1;
    }
    if (!given[CLI_GIVEN_ES] && has && g->present.early_stopping)
        go->early_stopping = (llm_early_stopping)g->early_stopping;
    if (!given[CLI_GIVEN_NGRAM] && has && g->present.no_repeat_ngram_size)
        go->no_repeat_ngram_size = g->no_repeat_ngram_size;
    from_b = given[CLI_GIVEN_BEAMS] ? flag : dflt;
    if (!given[CLI_GIVEN_BEAMS] && has && g->present.num_beams && g->num_beams > 1) {
        if (!beams) {
            if (!quiet)
                cli_error("note: generation_config.json's num_beams %d is not used (%s does no beam search)",
                          g->num_beams, cli_prog);
        } else if (sample_flag) {
            if (!quiet)
                cli_error("note: generation_config.json's num_beams %d is not used (--temperature or --greedy given)",
                          g->num_beams);
        } else {
            go->num_beams = g->num_beams;
            from_b = gc;
            if (!quiet && g->present.do_sample && g->do_sample)
                cli_error("note: generation_config.json asks for beam sampling (num_beams %d, do_sample true), "
                          "which %s does not do: deterministic beam search", g->num_beams, cli_prog);
        }
    }
    if (go->num_beams > 1) {
        if (given[CLI_GIVEN_BEAMS] && ((given[CLI_GIVEN_TEMPERATURE] && go->sampler.temperature > 0) ||
                                       given[CLI_GIVEN_TOP_K] || given[CLI_GIVEN_TOP_P] || given[CLI_GIVEN_MIN_P] ||
                                       given[CLI_GIVEN_PENALTY])) {
            cli_error("--num-beams is deterministic beam search: --temperature, --top-k, --top-p, --min-p and "
                      "--repetition-penalty cannot be used with it (beam sampling is not implemented)");
            return 2;
        }
        if (!quiet && go->sampler.repetition_penalty != 1.0f && go->sampler.repetition_penalty != 0.0f)
            cli_error("note: repetition_penalty %g is not used with beam search",
                      (double)go->sampler.repetition_penalty);
        go->sampler.temperature = 0;
        go->sampler.top_k = 0;
        go->sampler.top_p = 1.0f;
        go->sampler.min_p = 0;
        go->sampler.repetition_penalty = 1.0f;
        from_t = "beam search: deterministic";
    }
    k = 0;
    cli_put_setting(&sets[k++], "temperature", from_t, "%g%s", (double)go->sampler.temperature,
                    go->sampler.temperature > 0 ? "" : " (greedy)");
#define CLI_FROM(flagged, in_file) ((flagged) ? flag : has && (in_file) ? gc : dflt)
    if (go->num_beams > 1) {   /* set to their no-op values above */
        cli_put_setting(&sets[k++], "top_k", "beam search", "not used");
        cli_put_setting(&sets[k++], "top_p", "beam search", "not used");
        cli_put_setting(&sets[k++], "repetition_penalty", "beam search", "not used");
    } else {
        cli_put_setting(&sets[k++], "top_k", CLI_FROM(given[CLI_GIVEN_TOP_K], g->present.top_k), "%d",
                        go->sampler.top_k);
        cli_put_setting(&sets[k++], "top_p", CLI_FROM(given[CLI_GIVEN_TOP_P], g->present.top_p), "%g",
                        (double)go->sampler.top_p);
        cli_put_setting(&sets[k++], "repetition_penalty",
                        CLI_FROM(given[CLI_GIVEN_PENALTY], g->present.repetition_penalty), "%g",
                        go->sampler.repetition_penalty == 0.0f ? 1.0 : (double)go->sampler.repetition_penalty);
    }
    cli_put_setting(&sets[k++], "max_new_tokens / max_length",
                    CLI_FROM(given[CLI_GIVEN_MAX_NEW] || given[CLI_GIVEN_MAX_LEN],
                             g->present.max_new_tokens || g->present.max_length),
                    "%d / %d", go->max_new_tokens, go->max_length);
    cli_put_setting(&sets[k++], "eos_token_id", m->config.eos_id >= 0 ? "config.json" : "the tokenizer's end-of-text",
                    "%d", (int)eos);
    if (has && g->present.pad_id)
        cli_put_setting(&sets[k++], "pad_token_id", gc, "%d (not used: no padding)", (int)g->pad_id);
    else cli_put_setting(&sets[k++], "pad_token_id", dflt, "none");
    if (beams) {
        cli_put_setting(&sets[k++], "num_beams", from_b, "%d", go->num_beams > 1 ? go->num_beams : 1);
        cli_put_setting(&sets[k++], "length_penalty", CLI_FROM(given[CLI_GIVEN_LP], g->present.length_penalty), "%g",
                        go->has_length_penalty ? (double)go->length_penalty : 1.0);
        cli_put_setting(&sets[k++], "early_stopping", CLI_FROM(given[CLI_GIVEN_ES], g->present.early_stopping), "%s",
                        go->early_stopping == LLM_EARLY_STOPPING_TRUE ? "true"
                        : go->early_stopping == LLM_EARLY_STOPPING_NEVER ? "never" : "false");
    }
    cli_put_setting(&sets[k++], "no_repeat_ngram_size",
                    CLI_FROM(given[CLI_GIVEN_NGRAM], g->present.no_repeat_ngram_size), "%d", go->no_repeat_ngram_size);
#undef CLI_FROM
    sets[k].name = NULL;
    if (has && g->n_eos && !quiet) {   /* generation stops at the model's one end-of-text id */
        int i, other = 0;
        for (i = 0; i < g->n_eos; i++) if (g->eos_ids[i] != eos) other = 1;
        if (other)
            cli_error("note: generation_config.json lists eos_token_id%s other than %d; generation stops at %d only",
                      g->n_eos > 1 ? "s" : "", (int)eos, (int)eos);
    }
    return 1;
}

/* ---- seed, threads ------------------------------------------------------------ */

/* top_p 0 as Hugging Face (and OpenAI's API) define it: only the best token
   stays in the draw. llm_sampler_options reads 0 as off (so that zeroed
   options sample plainly), so the programs say it with top_k 1 (ties for
   the best stay in, as top_k keeps them). Call after every source of options. */
static inline void cli_top_p_zero(llm_sampler_options *o) {
    if (o->top_p == 0.0f) { o->top_k = 1; o->top_p = 1.0f; }
}

/* 64 random bits: /dev/urandom, else the clock (ns) and the process id. */
static inline uint64_t cli_random_seed(void) {
    uint64_t s = 0;
    struct timespec ts;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        size_t got = fread(&s, 1, sizeof s, f);
        fclose(f);
        if (got == sizeof s) return s;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    s = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 40);
    s = (s ^ (s >> 30)) * 0xbf58476d1ce4e5b9ull;   /* splitmix64's finaliser */
    s = (s ^ (s >> 27)) * 0x94d049bb133111ebull;
    return s ^ (s >> 31);
}

/* OpenMP threads that spin while waiting make a program 10-20x slower when
   another job shares the cores. Unless the user chose (OMP_WAIT_POLICY,
   GOMP_SPINCOUNT or KMP_BLOCKTIME set), set OMP_WAIT_POLICY=PASSIVE. GNU
   libgomp reads its environment before main, so on Linux the program
   starts itself again (execv of /proc/self/exe, same argv) to apply it;
   LLVM's libomp reads it at the first parallel region. Call first in main. */
static inline void cli_omp_passive(char **argv) {
#ifdef _OPENMP
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || getenv("KMP_BLOCKTIME")) return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
#ifdef __linux__
    execv("/proc/self/exe", argv);   /* returns only on failure: go on as we are */
#endif
#endif
    (void)argv;
}

/* ---- models ----------------------------------------------------------------- */

/* The safetensors file and folder llm_model_load uses for path. */
static inline void cli_model_paths(const char *path, char *file, char *dir, size_t cap) {
    struct stat sb;
    snprintf(file, cap, "%s/model.safetensors", path);
    if (stat(file, &sb) == 0) { snprintf(dir, cap, "%s", path); return; }
    snprintf(file, cap, "%s/model.safetensors.index.json", path);
    if (stat(file, &sb) == 0) { snprintf(dir, cap, "%s", path); return; }
    snprintf(file, cap, "%s", path);
    snprintf(dir, cap, "%s", path);
    if (strrchr(dir, '/')) { char *sl = strrchr(dir, '/'); if (sl == dir) sl[1] = 0; else *sl = 0; }
    else strcpy(dir, ".");
}

static inline int cli_exists(const char *dir, const char *name) {
    char p[4200];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Where n_head came from when there is no config.json; NULL if there is one. */
static inline const char *cli_n_head_source(const char *path, char *buf, size_t cap) {
    char file[4096], dir[4096];
    llm_safetensors st;
    int meta;
    cli_model_paths(path, file, dir, sizeof file);
    if (cli_exists(dir, "config.json")) return NULL;
    meta = llm_safetensors_open(&st, file) == LLM_OK && llm_safetensors_metadata(&st, "n_head");
    llm_safetensors_close(&st);
    snprintf(buf, cap, meta ? "from the safetensors __metadata__ (no config.json)"
                            : "guessed as n_embd / 64 (no config.json: a wrong guess gives wrong text)");
    return buf;
}

/* path (a model folder or file, or a tokenizer's; what) does not exist: 1
   after a message. A model id (a name tools/download_gpt2.sh knows, such as
   "gpt2", or "owner/name" with no folder "owner" here) gets the download
   command, or -m models/NAME when that folder exists. */
static inline int cli_path_missing(const char *path, const char *what) {
    struct stat sb;
    char q[256], first[256], alt[300];
    const char *sl = strchr(path, '/'), *base = strrchr(path, '/');
    size_t i, fl = sl ? (size_t)(sl - path) : strlen(path);
    int id = *path && *path != '.' && fl && fl < sizeof first && (!sl || !strchr(sl + 1, '/')) && sl != path;
    if (stat(path, &sb) == 0 || errno != ENOENT) return 0;
    cli_quote(q, sizeof q, path, strlen(path));
    for (i = 0; path[i] && id; i++)
        id = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/", path[i]) != NULL;
    if (id && sl) {
        memcpy(first, path, fl);
        first[fl] = 0;
        id = stat(first, &sb) != 0;
    } else if (id) {   /* one name: the ones tools/download_gpt2.sh knows */
        static const char *const known[] = { "gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2",
                                             "DialoGPT-small", NULL };
        for (i = 0; known[i] && strcmp(path, known[i]); i++) {}
        id = known[i] != NULL;
    }
    base = base ? base + 1 : path;
    snprintf(alt, sizeof alt, "models/%s", base);
    if (id && *base && stat(alt, &sb) == 0 && S_ISDIR(sb.st_mode))
        cli_error("%s '%s' does not exist (did you mean -m %s?)", what, q, alt);
    else if (id && *base)
        cli_error("%s '%s' does not exist; to download it: tools/download_gpt2.sh %s (then -m models/%s)", what, q,
                  q, cli_quote(first, sizeof first, base, strlen(base)));
    else cli_error("%s '%s' does not exist", what, q);
    return 1;
}

/* llm_model_load with the programs' messages: a path that does not exist,
   the error, a missing tokenizer (if need_tokenizer), and the guessed
   n_head (unless quiet). prefault: the weights' pages are read at load, not
   during the first token, for the programs that serve many (chat, server):
   a one-shot program gains nothing from it (docs/speed.md, "First token").
   1, or 0 after a message (the model freed). */
static inline int cli_load_model(llm_model *m, const char *path, int need_tokenizer, int quiet, int prefault) {
    char q[256], src[128];
    llm_model_options mo;
    memset(&mo, 0, sizeof mo);
    mo.prefault = prefault;
    cli_quote(q, sizeof q, path, strlen(path));
    if (cli_path_missing(path, "model folder")) { memset(m, 0, sizeof *m); return 0; }
    if (llm_model_load(m, path, &mo) != LLM_OK) {
        cli_error("cannot load '%s': %s", q, llm_model_error(m));
        llm_model_free(m);
        return 0;
    }
    if (need_tokenizer && !m->has_tokenizer) {
        cli_error("'%s' has no tokenizer files (vocab.json + merges.txt, encoder.json + vocab.bpe, "
                  "tokenizer.json, or vocab.txt)", q);
        llm_model_free(m);
        return 0;
    }
    if (!quiet && cli_n_head_source(path, src, sizeof src))
        cli_error("note: n_head %d %s", m->config.n_head, src);
    return 1;
}

/* A context length asked for (flag: "--ctx", "--window") against the
   model's n_ctx: 1 if it fits, else 0 after a message (the caller exits 2,
   as for any bad flag). */
static inline int cli_check_ctx(const char *flag, long long n, const llm_model *m) {
    if (n <= m->config.n_ctx) return 1;
    cli_error("%s %lld: the model's context (n_ctx) is %d tokens; use at most %d", flag, n, m->config.n_ctx,
              m->config.n_ctx);
    return 0;
}

/* --info: what was loaded, on o. Sections: files, config, weights,
   tokenizer, memory (one line each; add lines here for more). */
static inline int cli_info(cli_out *o, const char *path, const llm_model *m, const llm_session_options *so) {
    const llm_config *c = &m->config;
    char file[4096], dir[4096], src[128];
    const char *nh = cli_n_head_source(path, src, sizeof src);
    llm_safetensors st;
    size_t counts[LLM_DTYPE_COUNT] = {0}, i, sess = 0;
    struct stat sb;
    memset(&st, 0, sizeof st);
    cli_model_paths(path, file, dir, sizeof file);
    if (m->_n_shards) cli_printf(o, "weights: %s, %d shards\n", file, m->_n_shards);
    else cli_printf(o, "weights file: %s (%lld bytes)\n", file, stat(file, &sb) == 0 ? (long long)sb.st_size : -1LL);
    cli_printf(o, "config: %s/config.json%s\n", dir, nh ? " absent: shapes from the tensors" : "");
    cli_printf(o, "  n_layer %d, n_head %d%s%s, n_embd %d, n_inner %d, n_ctx %d, n_vocab %d, layer_norm_epsilon %g,"
               " eos_token_id %d\n", c->n_layer, c->n_head, nh ? " " : "", nh ? nh : "", c->n_embd, c->n_inner,
               c->n_ctx, c->n_vocab, (double)c->ln_eps, c->eos_id);
    cli_printf(o, "  activation_function %s, scale_attn_weights %s, scale_attn_by_inverse_layer_idx %s, "
               "reorder_and_upcast_attn %s, tie_word_embeddings %s, bos_token_id %d\n",
               llm_activation_name(c->activation), c->scale_attn_weights ? "true" : "false",
               c->scale_attn_by_inverse_layer_idx ? "true" : "false", c->reorder_and_upcast_attn ? "true" : "false",
               c->tie_word_embeddings ? "true" : "false", c->bos_id);
    cli_printf(o, "generation_config: %s/generation_config.json%s\n", dir, m->has_generation_config ? "" : " absent");
    if (m->_n_shards || llm_safetensors_open(&st, file) == LLM_OK) {
        const llm_safetensors *sh = m->_n_shards ? m->_shards : &st;
        int k, ns = m->_n_shards ? m->_n_shards : 1;
        for (k = 0; k < ns; k++)
            for (i = 0; i < sh[k].n_tensors; i++) counts[sh[k].tensors[i].dtype]++;
        cli_printf(o, "dtypes: matrices %s; tensors:", llm_dtype_name(m->wtype));
        for (i = 0; i < LLM_DTYPE_COUNT; i++)
            if (counts[i]) cli_printf(o, " %zu %s", counts[i], llm_dtype_name((llm_dtype)i));
        cli_printf(o, "\n");
    }
    llm_safetensors_close(&st);
    if (!m->has_tokenizer) cli_printf(o, "tokenizer: none\n");
    else cli_printf(o, "tokenizer: %s/%s (%zu tokens, end-of-text id %d)\n", dir,
                    cli_exists(dir, "tokenizer.json") ? "tokenizer.json"
                    : cli_exists(dir, "vocab.json") && cli_exists(dir, "merges.txt") ? "vocab.json + merges.txt"
                    : "encoder.json + vocab.bpe", llm_tokenizer_vocab_size(&m->tokenizer),
                    (int)llm_tokenizer_eot(&m->tokenizer));
    if (llm_session_heap_size(c, so, &sess, NULL) == LLM_OK)
        cli_printf(o, "memory: weights mapped from the file; a session (KV cache + scratch, n_ctx %d) "
                   "takes %zu bytes\n",
                   so->n_ctx ? so->n_ctx : c->n_ctx, sess);
#ifdef _OPENMP
    cli_printf(o, "threads: OpenMP, %d (default: all cores); OMP_WAIT_POLICY=%s\n",
               so->n_threads ? so->n_threads : omp_get_max_threads(),
               getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "unset");
#else
    cli_printf(o, "threads: 1 (built without OpenMP)\n");
#endif
    return !o->err;
}

#endif /* CLI_H */
