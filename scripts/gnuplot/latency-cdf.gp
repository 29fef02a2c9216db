# latency-cdf.gp — CDF of end-to-end lookup latency.
#
# Input: infile = latency_cdf.csv with columns latency_ms,cdf after '#'
# metadata lines.  Set by scripts/plot (with the terminal and output):
#   scenario, tail   title parts
#   p50, p99         latency percentiles (ms) from summary.csv; < 0 when
#                    unknown, then that marker is left out
# Each percentile is a point on the curve with dashed guides to both axes
# and its value in the key.

set datafile separator ','
set datafile commentschars '#'
set datafile columnheaders

stats infile using (column('latency_ms')) name 'L' nooutput

set title sprintf('%s: lookup latency%s', scenario, tail eq '' ? '' : ' (' . tail . ')') noenhanced
set xlabel 'Lookup latency (ms)'
set ylabel 'Fraction of lookups'
set grid xtics ytics lt 1 lw 1 lc rgb '#dddddd'
set border 3 lw 1.5
set tics nomirror out
set xrange [0:*]
set yrange [0:1.02]
set ytics 0.1
set format y '%.1f'
set key bottom right Left reverse box opaque samplen 4 spacing 1.4 width 1

# Percentile markers: a point on the curve plus dashed guides.
guides = ''
do for [i = 1:2] {
  p = (i == 1 ? p50 : p99)
  q = (i == 1 ? 0.50 : 0.99)
  if (p >= 0) {
    set arrow (10 * i) from p, 0 to p, q nohead dt 2 lw 1.5 lc rgb '#777777' back
    set arrow (10 * i + 1) from 0, q to p, q nohead dt 2 lw 1.5 lc rgb '#777777' back
    guides = guides . sprintf(", '+' using (%.6g):(%.2f) every ::0::0 with points pt %d ps 2 lw 2 lc rgb '%s' title 'p%d = %.1f ms'", \
      p, q, (i == 1 ? 7 : 5), (i == 1 ? '#2a7ab0' : '#c0392b'), (i == 1 ? 50 : 99), p)
  }
}

plot infile using (column('latency_ms')):(column('cdf')) with steps lw 2.5 lc rgb '#1f3f66' \
       title 'Lookup latency CDF' @guides
