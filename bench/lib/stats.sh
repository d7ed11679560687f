# Sourced by the benchmarks: the one implementation of their statistics.

# stats: "<median> <p90> <min> <max> <count>" of the numbers on stdin, one a line. The median of
# an even count is the mean of the middle two; p90 is the nearest rank (with 5 runs: the slowest).
# No numbers: "n/a n/a n/a n/a 0".
stats() {
  sort -n | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "n/a n/a n/a n/a 0"; exit }
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    k = int(0.9 * NR); if (k < 0.9 * NR) k++
    print m, a[k], a[1], a[NR], NR }'
}

# stats_summary [DIVISOR UNIT DECIMALS]: "median X UNIT, min X UNIT, max X UNIT (N runs)" of the
# numbers on stdin (milliseconds by default; e.g. `stats_summary 1000 s 1` for seconds).
stats_summary() {
  stats | awk -v d="${1:-1}" -v u="${2:-ms}" -v p="${3:-0}" '
    $5 == 0 { print "n/a"; exit }
    { f = "%." p "f " u; printf "median " f ", min " f ", max " f " (%d runs)\n", $1 / d, $3 / d, $4 / d, $5 }'
}

# median_p90: "median p90" (whole numbers) of the numbers on stdin.
median_p90() { stats | awk '$5 == 0 { print "n/a n/a"; exit } { printf "%.0f %.0f\n", $1, $2 }'; }
