# median.awk: med(col), the median of column col of x[1..NR, col], for the
# summaries of tools/bench/bench_ggml.sh and tools/bench/bench_llamacpp.sh (prepended to
# their awk programs: awk "$(cat tools/bench/median.awk) ...").
function med(col,   n, i, j, t, v) {
    n = 0
    for (i = 1; i <= NR; i++) v[++n] = x[i, col]
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
