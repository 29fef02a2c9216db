# hops-vs-n.gp — mean overlay hops per lookup against network size N, on
# a log N axis, with Pastry's log_{2^b} N estimate and the simulation
# results of Rowstron & Druschel, "Pastry" (Middleware 2001), Fig. 4.
#
# Input: infile = sweep.csv aggregated by scripts/plot into whitespace-
# separated rows "N mean min max runs", sorted by N, one data block per
# combination of the other swept parameters (blocks are separated by two
# blank lines, so block i is 'index i-1').  Set by scripts/plot:
#   scenario, tail   title parts
#   ngroups          number of blocks
#   gb[i]            b of block i (0 if unknown: no log curve for it)
#   glabel[i]        '' or the block's parameters, e.g. 'b = 2'
#   maxseeds         most runs behind one point; > 1 adds min-max bars
# Points are the mean over seeds, bars the min and max, and a thin line
# joins the means.

set encoding utf8
unset datafile columnheaders

# Rowstron & Druschel 2001, Fig. 4: b = 4, l = 16, M = 32.
$paper << EOD
1000 2.49
5000 2.96
10000 3.23
20000 3.50
50000 3.75
100000 3.98
EOD

stats infile using 1 name 'NX' nooutput
stats infile using 4 name 'HY' nooutput
stats $paper using 1 name 'PX' nooutput
xlo = (NX_min < PX_min ? NX_min : PX_min) / 1.6
xhi = (NX_max > PX_max ? NX_max : PX_max) * 1.6
ymax = HY_max > 4 ? HY_max : 4

same_b = 1
do for [i = 2:ngroups] { if (gb[i] != gb[1]) { same_b = 0 } }

seeds = maxseeds > 1 ? sprintf('mean and min–max of %d seeds', maxseeds) : ''
set title sprintf('%s: mean hops per lookup vs. N%s', scenario, tail eq '' ? '' : ' (' . tail . ')') noenhanced
set xlabel 'Number of nodes N (log scale)'
set ylabel 'Mean overlay hops per lookup'
set logscale x
set xrange [xlo:xhi]
set format x '10^{%L}'
set mxtics 10
set grid xtics ytics mxtics lt 1 lw 1 lc rgb '#dddddd', lt 1 lw 1 lc rgb '#f2f2f2'
set border 3 lw 1.5
set tics nomirror out
set samples 200

# One series: the key fits top left, above the rising curve.  Several:
# it goes right of the plot, where it cannot cover data, with short
# entries (one per series, one for all the log curves) under a title.
if (ngroups == 1) {
  set key top left Left reverse box opaque samplen 3.5 spacing 1.35 width 1
  set yrange [0:ymax * 1.3]
  what = 'simulated' . (seeds eq '' ? '' : ', ' . seeds)
  paper = 'Rowstron \& Druschel 2001, Fig. 4 (b = 4, l = 16)'
} else {
  set key outside right top vertical Left reverse box samplen 3 spacing 1.3
  set key title (maxseeds > 1 ? sprintf("simulated:\nmean, min–max\nof %d seeds", maxseeds) : 'simulated') left
  set yrange [0:ymax * 1.08]
  what = 'simulated'
  paper = 'Pastry (2001), Fig. 4'
}

array colour[6] = ['#1f3f66', '#27ae60', '#8e44ad', '#e67e22', '#16a085', '#7f8c8d']
c(i) = colour[(i - 1) % 6 + 1]
f(x, bb) = log(x) / log(2**bb)
series(i) = glabel[i] eq '' ? what : glabel[i]

# The log curves: one per distinct b, in its series' colour.  Their key
# entry is a single dashed sample: coloured when there is one b, grey
# ('log_{2^b} N') when there are several.
has_curve(i) = gb[i] > 0 && (i == 1 || !same_b)
curve = same_b ? sprintf('log_{%d} N', 2**gb[1]) : 'log_{2^{b}} N'
key_colour = same_b ? c(1) : '#555555'

plot for [i = 1:ngroups] infile index (i - 1) using 1:2:3:4 \
       with yerrorbars pt 7 ps 1.6 lw 2 lc rgb c(i) title series(i), \
     for [i = 1:ngroups] infile index (i - 1) using 1:2 \
       with lines lw 1 lc rgb c(i) notitle, \
     for [i = 1:ngroups] (has_curve(i) ? f(x, gb[i]) : NaN) \
       with lines dt 2 lw 2 lc rgb c(i) notitle, \
     NaN with lines dt 2 lw 2 lc rgb key_colour title (gb[1] > 0 ? curve : ''), \
     $paper using 1:2 with points pt 4 ps 2 lw 2 lc rgb '#c0392b' title paper
