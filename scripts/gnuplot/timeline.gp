# timeline.gp — a churn run over simulated time: five stacked panels that
# share the time axis.
#
#   1. live nodes
#   2. ok ratio of the lookups finished in each interval, in percent
#   3. wrong and failed ratios, in percent (their own panel: on the ok
#      ratio's scale they would sit on the zero line; a second y axis in
#      one panel was tried and read as a mirror image of the ok line)
#   4. lookup latency p50 and p99 per interval
#   5. maintenance traffic, bytes per live node per second
#
# Input: infile = timeline.csv with columns t_s,live,joins,leaves,failures,
# lookups,ok,wrong,failed,mean_hops,latency_p50_ms,latency_p99_ms,
# maint_msgs_per_node_s,maint_bytes_per_node_s.  Set by scripts/plot:
#   scenario, tail   title parts
#   tscale, tunit    divide t_s by tscale to get the axis unit tunit
#                    (1 's', 60 'min' or 3600 'h')
#   npts             number of intervals (points are drawn when few)
#   nlook            number of intervals with lookups; 0 leaves panels
#                    2-4 empty but for a 'no lookups' note
#   tmax             last t_s: every panel spans [0, tmax] so the panels
#                    line up even where one has no data at the ends
# Intervals with no lookups give undefined ratios and latencies (NaN),
# which gnuplot leaves out, breaking the line there.  Keys sit right of
# the panels so they never cover data.

set datafile separator ','
set datafile commentschars '#'
set datafile columnheaders

t(x) = x / tscale
pct(a) = column('lookups') > 0 ? 100.0 * column(a) / column('lookups') : NaN
style = npts <= 60 ? 'linespoints' : 'lines'

# A 1-2-5 tic step giving about four tics up to ymax.
nice(x) = 10.0**floor(log10(x)) * (x / 10.0**floor(log10(x)) <= 1 ? 1 : x / 10.0**floor(log10(x)) <= 2 ? 2 : x / 10.0**floor(log10(x)) <= 5 ? 5 : 10)
step(ymax) = ymax > 0 ? nice(ymax / 4.0) : 1

# One line style per series; 'pt'/'ps' only matter with linespoints.
set style line 1 lw 2.5 pt 7 ps 0.7 lc rgb '#1f3f66'
set style line 2 lw 2.5 pt 7 ps 0.7 lc rgb '#27ae60'
set style line 3 lw 2 pt 5 ps 0.7 lc rgb '#e67e22'
set style line 4 lw 2 pt 9 ps 0.9 lc rgb '#c0392b'
set style line 5 lw 2.5 pt 5 ps 0.7 lc rgb '#c0392b'
set style line 6 lw 2.5 pt 7 ps 0.7 lc rgb '#2a7ab0'
set style line 7 lw 2.5 pt 7 ps 0.7 lc rgb '#8e44ad'

# Data ranges, for tic steps.  Undefined values (NaN) are skipped; the
# lookup statistics are only taken when some interval has lookups (stats
# on no valid points is an error).
stats infile using (column('live')) name 'LIVE' nooutput
stats infile using (column('maint_bytes_per_node_s')) name 'BW' nooutput
OK_records = 0
BAD_records = 0
LAT_records = 0
if (nlook > 0) {
  stats infile using (pct('ok')) name 'OK' nooutput
  stats infile using (pct('wrong') > pct('failed') ? pct('wrong') : pct('failed')) name 'BAD' nooutput
  stats infile using (column('latency_p99_ms')) name 'LAT' nooutput
}
# Panels without data keep their axes and say why they are empty.
nodata = "set label 9 'no lookups completed' at graph 0.5, 0.5 center tc rgb '#777777'"

set multiplot title sprintf('%s: churn timeline%s', scenario, tail eq '' ? '' : ' (' . tail . ')') noenhanced

npanel = 5
left = 0.14
right = 0.82
top = 0.94
bottom = 0.07
gap = 0.018
h = (top - bottom - (npanel - 1) * gap) / npanel
ptop(i) = top - (i - 1) * (h + gap)
panel(i) = sprintf('set tmargin at screen %g; set bmargin at screen %g; set key at screen %g, %g left top', ptop(i), ptop(i) - h, right + 0.01, ptop(i))

set lmargin at screen left
set rmargin at screen right
set border 3 lw 1.5
set tics nomirror out
set grid xtics ytics lt 1 lw 1 lc rgb '#dddddd'
set xrange [0:(tmax > 0 ? tmax : 1) / tscale]
set key Left reverse samplen 3 spacing 1.2 font ',13'
set ylabel offset -1, 0
set format x ''
set xlabel ''

# 1. Live nodes.
cmd = panel(1)
@cmd
set ylabel "Live nodes"
set yrange [0:*]
set ytics step(LIVE_max)
plot infile using (t(column('t_s'))):(column('live')) with @style ls 1 notitle

# 2. Ok ratio; the axis reaches down to the worst interval.
cmd = panel(2)
@cmd
set ylabel "Lookups OK (%)"
lo = (OK_records > 0 ? OK_min : 0)
lo = OK_records == 0 ? 0 : lo > 99.9 ? 99 : lo - 0.1 * (100 - lo)
set yrange [lo:100.05 + 0.02 * (100 - lo)]
# Tics from the first step multiple above lo up to 100, never beyond.
okstep = step(100 - lo)
set ytics ceil(lo / okstep) * okstep, okstep, 100 format '%g'
if (OK_records > 0) {
  plot infile using (t(column('t_s'))):(pct('ok')) with @style ls 2 notitle
} else {
  @nodata
  plot NaN notitle
}

# 3. Wrong and failed ratios.
cmd = panel(3)
@cmd
set ylabel "Wrong / failed\n(% of lookups)"
bad = (BAD_records > 0 && BAD_max > 0 ? BAD_max : 1)
set yrange [0:bad * 1.1]
set ytics step(bad) format '%g'
if (BAD_records > 0) {
  plot infile using (t(column('t_s'))):(pct('wrong')) with @style ls 3 title 'wrong', \
       ''     using (t(column('t_s'))):(pct('failed')) with @style ls 4 title 'failed'
} else {
  plot NaN notitle
}

# 4. Latency percentiles.
cmd = panel(4)
@cmd
set ylabel "Lookup latency\n(ms)"
set yrange [0:*]
set ytics step(LAT_records > 0 ? LAT_max : 100) format '%g'
if (LAT_records > 0) {
  plot infile using (t(column('t_s'))):(column('latency_p99_ms')) with @style ls 5 title 'p99', \
       ''     using (t(column('t_s'))):(column('latency_p50_ms')) with @style ls 6 title 'p50'
} else {
  set yrange [0:100]
  plot NaN notitle
}
unset label 9

# 5. Maintenance traffic; the only panel with x tic labels.
cmd = panel(5)
@cmd
set ylabel "Maintenance\n(bytes/node/s)"
set yrange [0:*]
set ytics step(BW_records > 0 ? BW_max : 1)
set format x '%g'
set xlabel sprintf('Simulated time (%s)', tunit)
plot infile using (t(column('t_s'))):(column('maint_bytes_per_node_s')) with @style ls 7 notitle

unset multiplot
