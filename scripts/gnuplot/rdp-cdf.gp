# rdp-cdf.gp — CDF of the relative delay penalty (stretch) of lookups:
# overlay route latency divided by the direct network latency, so 1 is
# optimal.
#
# Input: infile = rdp_cdf.csv with columns rdp,cdf after '#' metadata
# lines.  Set by scripts/plot (with the terminal and output):
#   scenario, tail   title parts
#   meanrdp          mean RDP from summary.csv (< 0: computed from the CDF)
#   p50, p90         RDP percentiles from summary.csv (< 0: left out)
# RDP has a long thin tail (a few lookups between very close nodes), so
# the x axis is logarithmic from 1: the bulk near 1-3 stays readable and
# the tail is still shown.  When the largest value is far beyond the
# 99.9th percentile the axis stops there and the key names the maximum;
# otherwise the rare extremes would squeeze the rest into a corner.

set datafile separator ','
set datafile commentschars '#'
set datafile columnheaders

stats infile using (column('rdp')) name 'R' nooutput
# Mean from the CDF steps: sum of value * (cdf - previous cdf).
if (meanrdp < 0) {
  prev = 0
  acc = 0
  stats infile using (acc = acc + column('rdp') * (column('cdf') - prev), prev = column('cdf'), 0) name 'M' nooutput
  meanrdp = acc
}

set title sprintf('%s: relative delay penalty%s', scenario, tail eq '' ? '' : ' (' . tail . ')') noenhanced
set xlabel 'Relative delay penalty (overlay latency / direct latency)'
set ylabel 'Fraction of lookups'
set grid xtics mxtics ytics lt 1 lw 1 lc rgb '#dddddd', lt 1 lw 1 lc rgb '#f0f0f0'
set border 3 lw 1.5
set tics nomirror out
set logscale x
# The 99.9th percentile, if the CDF reaches it (stats on no valid points
# is an error, hence the check first).
stats infile using (column('cdf')) name 'CDF' nooutput
cut = 0
if (CDF_max >= 0.999) {
  stats infile using (column('cdf') >= 0.999 ? column('rdp') : NaN) name 'P999' nooutput
  cut = (R_max > 3 * P999_min) ? P999_min * 1.2 : 0
}
xhi = cut > 0 ? cut : R_max * 1.05
if (xhi < 2) { xhi = 2 }
# From 1 (optimal) unless some route beat the direct path (RDP < 1 can
# happen on measured latency matrices that violate the triangle
# inequality); then from just below the smallest value.
xlo = (R_min < 1 && R_min > 0) ? R_min * 0.95 : 1
set xrange [xlo:xhi]
set xtics ('0.5' 0.5, '0.7' 0.7, '1' 1, '1.5' 1.5, '2' 2, '3' 3, '4' 4, '5' 5, '7' 7, '10' 10, '20' 20, '50' 50, '100' 100, '200' 200, '500' 500, '1000' 1000)
set yrange [0:1.02]
set ytics 0.1
set format y '%.1f'
set key bottom right Left reverse box opaque samplen 4 spacing 1.4 width 1

marks = ''
if (meanrdp >= 1) {
  set arrow 1 from meanrdp, graph 0 to meanrdp, graph 1 nohead dt 2 lw 2 lc rgb '#c0392b' front
  marks = marks . sprintf(", NaN with lines dt 2 lw 2 lc rgb '#c0392b' title 'mean RDP = %.2f'", meanrdp)
}
do for [i = 1:2] {
  p = (i == 1 ? p50 : p90)
  q = (i == 1 ? 0.50 : 0.90)
  if (p >= 1) {
    set arrow (10 * i) from p, 0 to p, q nohead dt 3 lw 1.5 lc rgb '#777777' back
    set arrow (10 * i + 1) from xlo, q to p, q nohead dt 3 lw 1.5 lc rgb '#777777' back
    marks = marks . sprintf(", '+' using (%.6g):(%.2f) every ::0::0 with points pt %d ps 2 lw 2 lc rgb '%s' title 'p%d = %.2f'", \
      p, q, (i == 1 ? 7 : 5), (i == 1 ? '#2a7ab0' : '#8e44ad'), (i == 1 ? 50 : 90), p)
  }
}

if (cut > 0) {
  marks = marks . sprintf(", keyentry with points pt -1 title 'axis cut at p99.9; max = %.3g'", R_max)
}

plot infile using (column('rdp')):(column('cdf')) with steps lw 2.5 lc rgb '#1f3f66' \
       title 'RDP CDF' @marks
