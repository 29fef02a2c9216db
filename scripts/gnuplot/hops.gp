# hops.gp — histogram of the number of overlay hops per lookup.
#
# Input: infile = hops.csv with columns hops,count,fraction after '#'
# metadata lines.  Set by scripts/plot (with the terminal and output):
#   scenario, tail   title parts ("demo", "N = 1,000, b = 4, l = 16, seed 1")
#   b, nodes         Pastry digit bits and network size; 0 if unknown, then
#                    the log_{2^b} N marker is left out
#   meanhops         mean hops from summary.csv; < 0 to compute it from the
#                    histogram instead
# Bars are percentages of lookups, each labelled with its value; the
# dashed line marks log_{2^b} N, the hop count Pastry's analysis expects.
# Both are key entries rather than floating labels, so nothing collides
# when the mean sits on the marker.

set datafile separator ','
set datafile commentschars '#'
set datafile columnheaders

grp(n) = n < 1000 ? sprintf('%d', n) : grp(int(n / 1000)) . sprintf(',%03d', int(n) % 1000)

stats infile using (column('hops')) name 'H' nooutput
stats infile using (column('hops') * column('count')) name 'W' nooutput
stats infile using (column('count')) name 'C' nooutput
stats infile using (100 * column('fraction')) name 'F' nooutput
if (meanhops < 0) { meanhops = W_sum / C_sum }
expected = (b > 0 && nodes > 1) ? log(nodes) / log(2**b) : -1

set title sprintf('%s: hops per lookup%s', scenario, tail eq '' ? '' : ' (' . tail . ')') noenhanced
set xlabel 'Overlay hops per lookup'
set ylabel 'Lookups (%)'
set grid ytics lt 1 lw 1 lc rgb '#dddddd'
set border 3 lw 1.5
set tics nomirror out
set xtics 1
xlo = H_min - 0.6
xhi = H_max + 0.6
if (expected > 0 && expected > xhi - 0.3) { xhi = expected + 0.6 }
if (expected > 0 && expected < xlo + 0.3) { xlo = expected - 0.6 }
set xrange [xlo:xhi]
# Headroom above the tallest bar for value labels and the key.
ymax = F_max * 1.32
set yrange [0:ymax]
set style fill solid 0.85 border rgb '#1f3f66'
set boxwidth 0.7
set key top left Left reverse box opaque samplen 4 spacing 1.4 width 1

# The expected-hops marker as a two-point series so it gets a key entry
# (the first line is a header: 'set datafile columnheaders' is on).
marker = ''
if (expected > 0) {
  set print $marker
  print 'x,y'
  print sprintf('%.6g,0', expected)
  print sprintf('%.6g,%.6g', expected, ymax)
  unset print
  marker = sprintf(", $marker using 1:2 with lines dt 2 lw 3 lc rgb '#c0392b' title 'log_{%d} N = %.2f'", 2**b, expected)
}

# Order: bars, then the marker, then the value labels on opaque boxes so
# the marker never strikes through a label.
set style textbox opaque noborder margins 1, 1
plot infile using (column('hops')):(100 * column('fraction')) with boxes lc rgb '#4f81bd' \
       title sprintf('%s lookups, mean %.2f hops', grp(C_sum), meanhops) @marker, \
     infile using (column('hops')):(100 * column('fraction')):(sprintf(100 * column('fraction') >= 0.1 ? '%.1f%%' : '%.2g%%', 100 * column('fraction'))) \
       with labels boxed offset 0, 0.8 notitle
