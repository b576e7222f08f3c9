/* bench_util.h: the timing helpers tools/bench/bench.c, tools/bench/bench_batch.c and
   tools/bench/bench_ttft.c share (include after <stdlib.h> and <time.h>). */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

/* seconds on the monotonic clock */
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* median of v[0..n), n >= 1; sorts v in place */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
