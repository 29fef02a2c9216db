# handling-churn.gp — the churn study (scripts/handling-churn): four
# panels against median session time (log scale): mean lookup latency,
# failed ratio, wrong ratio, maintenance bytes per node per second; one
# colour per strategy, one line style per link profile (solid, dashed,
# dotted, in the order given).
#
# Input: infile = handling-churn.dat, 3 · nprof blocks in the order
# profile × (mspastry, reactive, periodic); columns: profile strategy
# median_min, then mean and 95 % half-interval of latency_ms, failed,
# wrong, maint bytes, queue p99.  Set by the caller: infile, outfile,
# nprof, links (the profiles, for the title).

set encoding utf8
set terminal pngcairo size 1400,1000 font ',11'
set output outfile
unset datafile columnheaders
set multiplot layout 2,2 title sprintf("Maintenance strategies under churn; mean and 95%% CI over seeds\nline styles solid, dashed, dotted: %s", links) noenhanced
set logscale x
set xrange [0.8:150]
set xtics (1, 5, 15, 60, 120)
set xlabel 'Median session time (min, log scale)'
set grid lc rgb '#dddddd'
set key top right
array colour[3] = ['#1f3f66', '#c0392b', '#27ae60']
array name[3] = ['mspastry', 'reactive', 'periodic']
dash(k) = int(k / 3) + 1   # solid, dashed, dotted by profile
do for [p = 1:4] {
  col = 4 + 2 * (p - 1)
  if (p == 1) { set ylabel 'Mean lookup latency (ms, log scale)'; set logscale y; set yrange [*:*] }
  if (p == 2) { unset logscale y; set ylabel 'Failed lookups (ratio)'; set yrange [0:*] }
  if (p == 3) { set ylabel 'Wrong deliveries (ratio)'; set yrange [0:*] }
  if (p == 4) { set ylabel 'Maintenance bytes per node per s'; set yrange [0:*] }
  plot for [k = 0:3 * nprof - 1] infile index k using 3:col:(column(col + 1)) \
         with yerrorlines lw 2 dt dash(k) pt (k < 3 ? 7 : 6) \
         lc rgb colour[k % 3 + 1] title (k < 3 ? name[k + 1] : '')
}
unset multiplot
