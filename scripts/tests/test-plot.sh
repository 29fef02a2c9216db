#!/usr/bin/env bash
# test-plot.sh — tests for scripts/plot, in TAP.
#
# Usage: scripts/tests/test-plot.sh [SCRIPTS_DIR]
#
# Builds a results directory of small generated CSVs in every format
# scripts/plot reads (hops, latency and RDP CDFs, summary, a churn
# timeline with empty intervals, a multi-seed sweep), renders it, and
# checks each PNG (magic bytes) and SVG.  Then the failure paths: an empty
# directory exits 2 with "no results found"; a missing column, a
# non-numeric value and an all-NaN sweep exit non-zero with a message that
# names the file and the problem and leave no plot behind; without gnuplot
# the script exits 1 and says how to install it.  Skips (exit 0) when
# gnuplot is not installed.
set -uo pipefail

scripts=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
plot=$scripts/plot

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "1..0 # SKIP gnuplot not installed (apt-get install gnuplot-nox)"
  exit 0
fi
if [ ! -x "$plot" ]; then
  echo "Bail out! $plot is missing or not executable"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-plot.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failures=0
# ok COND-STATUS NAME: one TAP line.
ok() {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failures=$((failures + 1))
  fi
}
# diag FILE: show a file as TAP diagnostics.
diag() { sed 's/^/# /' "$1"; }

# run DIR...: run scripts/plot, keeping stdout, stderr and the exit code.
run() {
  "$plot" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# --- inputs ------------------------------------------------------------

# meta SCENARIO: the '#' lines every pastrysim CSV starts with.
meta() {
  cat <<EOF
# pastrysim 0.1.0
# scenario: $1.scn
# seed: 7
# time unit: simulated seconds (t_s) and milliseconds (*_ms)
# network: net=euclidean side=1000 ms_per_unit=0.1 access_us=0 loss=0
# name = $1
# seed = 7
# b = 4
# leaf_size = 16
# let nodes = 1000
EOF
}

good=$tmp/good
mkdir -p "$good"
{
  meta testscn
  echo "hops,count,fraction"
  echo "1,40,0.040000"
  echo "2,430,0.430000"
  echo "3,520,0.520000"
  echo "4,10,0.010000"
} >"$good/hops.csv"
{
  meta testscn
  echo "latency_ms,cdf"
  awk 'BEGIN { for (i = 1; i <= 50; i++) printf "%.4f,%.6f\n", i * 4.0, 1 - (1 - i / 50) ^ 2 }'
} >"$good/latency_cdf.csv"
{
  meta testscn
  echo "rdp,cdf"
  awk 'BEGIN { for (i = 0; i <= 40; i++) printf "%.4f,%.6f\n", 1 + i * 0.1, 0.05 + 0.95 * (1 - (1 - i / 40) ^ 3) }'
} >"$good/rdp_cdf.csv"
{
  meta testscn
  cat <<EOF
metric,value
nodes,1000.000000
lookups,1000.000000
ok_ratio,1.000000
mean_hops,2.500000
max_hops,4.000000
latency_p50_ms,70.500000
latency_p90_ms,120.000000
latency_p99_ms,180.250000
mean_rdp,1.450000
rdp_p50,1.240000
rdp_p90,2.090000
route_distance_ratio,nan
# wall-clock rows (vary between identical runs):
wall_s,0.144
EOF
} >"$good/summary.csv"
{
  meta testscn
  echo "t_s,live,joins,leaves,failures,lookups,ok,wrong,failed,mean_hops,latency_p50_ms,latency_p99_ms,maint_msgs_per_node_s,maint_bytes_per_node_s"
  # Ten minutes: a join phase without lookups, then churn; one interval
  # in the middle also has no lookups.
  awk 'BEGIN {
    live = 0
    for (t = 30; t <= 600; t += 30) {
      j = t <= 120 ? 250 : 3; l = t <= 120 ? 0 : 2; f = t <= 120 ? 0 : 1
      live += j - l - f
      lk = (t <= 120 || t == 330) ? 0 : 200
      if (lk == 0)
        printf "%d,%d,%d,%d,%d,0,0,0,0,nan,nan,nan,0.9,150.0\n", t, live, j, l, f
      else
        printf "%d,%d,%d,%d,%d,%d,%d,1,%d,2.5,70.0,%.1f,0.9,120.5\n", t, live, j, l, f, lk, lk - 1 - t % 4, t % 4, 150 + t % 50
    }
  }'
} >"$good/timeline.csv"
{
  meta testsweep
  echo "nodes,seed,mean_hops,ok_ratio,latency_p50_ms"
  for nn in 100 1000 10000; do
    for s in 1 2 3; do
      awk -v n="$nn" -v s="$s" 'BEGIN { printf "%d,%d,%.4f,1.0,70.0\n", n, s, log(n) / log(16) - 0.02 * s }'
    done
  done
  echo "100000,1,nan,0.0,nan"
} >"$good/sweep.csv"

# --- a full directory renders ------------------------------------------

run "$good"
ok $rc "plot a directory with every input kind exits 0"
[ $rc -eq 0 ] || diag "$tmp/err"

png_magic=$(printf '\211PNG\r\n\032\n' | od -An -tx1 | tr -d ' \n')
for kind in hops latency-cdf rdp-cdf timeline hops-vs-n; do
  f=$good/$kind.png
  [ -s "$f" ]
  ok $? "$kind.png exists and is non-empty"
  [ "$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "$png_magic" ]
  ok $? "$kind.png starts with the PNG signature"
  f=$good/$kind.svg
  [ -s "$f" ] && grep -qs '<svg' "$f" && grep -qs '</svg>' "$f"
  ok $? "$kind.svg exists and is a complete SVG document"
done

# Metadata and summary values reach the figures (titles are plain text
# in the SVG).
grep -qs 'testscn: hops per lookup (N = 1,000, b = 4, l = 16, seed 7)' "$good/hops.svg"
ok $? "hops title names scenario, N, b, l and seed from the metadata"
grep -qs 'p99 = 180.2 ms\|p99 = 180.3 ms' "$good/latency-cdf.svg"
ok $? "latency-cdf marks p99 from summary.csv"
grep -qs 'mean RDP = 1.45' "$good/rdp-cdf.svg"
ok $? "rdp-cdf shows mean_rdp from summary.csv"
grep -qs 'testsweep: mean hops per lookup vs. N (b = 4, l = 16)' "$good/hops-vs-n.svg"
ok $? "hops-vs-n title comes from sweep.csv's own metadata"
grep -qs 'Fig. 4' "$good/hops-vs-n.svg"
ok $? "hops-vs-n includes the paper's Fig. 4 series"
grep -qs 'min–max of 3 seeds' "$good/hops-vs-n.svg"
ok $? "hops-vs-n aggregates three seeds per N"
grep -qs 'skipped 1 row' "$tmp/err"
ok $? "a sweep row without mean_hops is reported, not silently dropped"
[ "$(grep -c '\.png ' "$tmp/out")" -eq 5 ]
ok $? "stdout lists the five rendered plots"

# A directory name with a space and a quote, and a scenario name full of
# gnuplot enhanced-text markup: both must pass through literally.
odd="$tmp/odd dir's"
mkdir -p "$odd"
sed 's/^# name = testscn$/# name = it'"'"'s_a {b} @x \&y/' "$good/hops.csv" >"$odd/hops.csv"
run "$odd"
[ $rc -eq 0 ] && grep -qs "<text>it's_a {b} @x &amp;y: hops per lookup" "$odd/hops.svg"
ok $? "odd directory and scenario names are quoted and shown literally"

# --- failure paths -------------------------------------------------------

mkdir -p "$tmp/empty"
run "$tmp/empty"
[ $rc -eq 2 ] && grep -qs "scripts/plot: $tmp/empty: no results found" "$tmp/err"
ok $? "an empty directory exits 2 with 'no results found'"

run "$tmp/does-not-exist"
[ $rc -eq 2 ]
ok $? "a missing directory exits 2"

run
[ $rc -eq 2 ] && grep -qs usage "$tmp/err"
ok $? "no arguments exits 2 with a usage line"

bad=$tmp/missing-column
mkdir -p "$bad"
{ meta bad; echo "hops,count"; echo "1,10"; echo "2,20"; } >"$bad/hops.csv"
run "$bad"
[ $rc -ne 0 ] && grep -qs 'hops.csv:[0-9]*: missing column "fraction"' "$tmp/err"
ok $? "a missing column fails with file:line and the column name"
[ ! -e "$bad/hops.png" ] && [ ! -e "$bad/hops.svg" ]
ok $? "a missing column leaves no plot behind"

bad=$tmp/garbage
mkdir -p "$bad"
{ meta bad; echo "latency_ms,cdf"; echo "1.0,0.5"; echo "zzz,1.0"; } >"$bad/latency_cdf.csv"
run "$bad"
line=$(($(meta bad | wc -l) + 3))
[ $rc -ne 0 ] && grep -qs "latency_cdf.csv:$line: column \"latency_ms\": not a number: \"zzz\"" "$tmp/err"
ok $? "a non-numeric value fails naming file, line, column and value"
[ ! -e "$bad/latency-cdf.png" ]
ok $? "a non-numeric value leaves no plot behind"

bad=$tmp/ragged
mkdir -p "$bad"
{ meta bad; echo "rdp,cdf"; echo "1.0,0.5,9"; } >"$bad/rdp_cdf.csv"
run "$bad"
[ $rc -ne 0 ] && grep -qs 'rdp_cdf.csv:[0-9]*: expected 2 fields' "$tmp/err"
ok $? "a row with the wrong number of fields fails"

bad=$tmp/no-rows
mkdir -p "$bad"
{ meta bad; echo "hops,count,fraction"; } >"$bad/hops.csv"
run "$bad"
[ $rc -ne 0 ] && grep -qs 'hops.csv: header but no data rows' "$tmp/err"
ok $? "a header without data rows fails"

bad=$tmp/timeline-missing
mkdir -p "$bad"
{ meta bad; echo "t_s,live,lookups"; echo "10,5,0"; } >"$bad/timeline.csv"
run "$bad"
[ $rc -ne 0 ] && grep -qs 'timeline.csv:[0-9]*: missing column "ok"' "$tmp/err"
ok $? "a timeline without outcome columns fails"

bad=$tmp/sweep-nan
mkdir -p "$bad"
{ meta bad; echo "nodes,seed,mean_hops"; echo "100,1,nan"; echo "1000,1,nan"; } >"$bad/sweep.csv"
run "$bad"
[ $rc -ne 0 ] && grep -qs 'sweep.csv: no row has a numeric mean_hops' "$tmp/err"
ok $? "a sweep without any mean_hops fails"

# A good directory after a bad one: both attempted, worst status wins.
run "$tmp/garbage" "$good"
[ $rc -eq 1 ] && grep -qs "$good/hops.png" "$tmp/out"
ok $? "every directory is attempted; a failure still sets exit 1"

# Without gnuplot on PATH: exit 1 and the install hint.  Only dirname is
# offered (the script needs it before looking for gnuplot).
mkdir -p "$tmp/bin"
ln -s "$(command -v dirname)" "$tmp/bin/dirname"
PATH=$tmp/bin "$BASH" "$plot" "$good" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -qs 'apt-get install gnuplot-nox' "$tmp/err"
ok $? "without gnuplot exits 1 and says how to install it"

echo "1..$n"
[ $failures -eq 0 ]
