#!/usr/bin/env bash
# test-cli.sh — the pastrysim command line as a user meets it: exit
# statuses, error positions, atomic results directories, byte-identical
# reruns.  Usage: test-cli.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
scripts=$(cd "$(dirname "$0")/../../../scripts" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat > small.scn <<'SCN'
let nodes = 60
at 0s join $nodes over 2s
at 1min lookup 300 over 5s
expect ok_ratio >= 0.99
end
SCN

# 1. A bad scenario: exit 2, file:line:col, and no results directory.
printf 'b = 4\nat 0s jion 10\nend\n' > bad.scn
check "bad scenario exits 2" status_is 2 "$sim" run bad.scn --out res-bad
check "bad scenario names file:line:col" grep -q '^bad.scn:2:7: ' err.txt
check "bad scenario leaves no directory" test ! -e res-bad
check "no temporary directory left" bash -c '! ls -d res-bad.tmp-* 2>/dev/null'

# 2. A bad latency matrix: exit 2 with the matrix file's position.
printf '0 10\n10 x\n' > m.txt
printf 'network = matrix\nmatrix_file = "m.txt"\nat 0s build 5\nend\n' > mat.scn
check "bad matrix exits 2" status_is 2 "$sim" run mat.scn --out res-mat
check "bad matrix names file:line:col" grep -q 'm.txt:2:4: ' err.txt
check "bad matrix leaves no directory" test ! -e res-mat

# 2b. An expectation naming no metric: exit 2 before the run, with its
#     position, and no results directory.
printf 'at 0s build 20\nat 1s lookup 10 over 1s\nexpect mean_hopz < 3\nend\n' > typo.scn
check "expect with an unknown metric exits 2" status_is 2 "$sim" run typo.scn --out res-typo
check "... names file:line:col and the metric" grep -q "^typo.scn:3:1: expect: unknown metric 'mean_hopz'" err.txt
check "... before the run" test ! -e res-typo
check "... in a batch too" status_is 2 "$sim" run typo.scn --seeds 1..2 --out res-typo
check "... nothing written" test ! -e res-typo
printf 'at 0s build 20\nat 1s lookup 10 over 1s\nat 2s lookup 10 over 1s\nexpect phase2_mean_hops < 9\nexpect max_hops >= 0\nend\n' > phase.scn
check "numbered metrics (phaseK_, table_rowR_) are known" status_is 0 "$sim" run phase.scn --out res-phase --quiet
check "pastrysim metrics lists every metric" status_is 0 "$sim" metrics
check "... with units and meanings" grep -q '^  ok_ratio  *ratio  *fraction delivered' out.txt
check "... every summary row is listed" bash -c '
  for m in $(grep -v "^#" res-phase/summary.csv | tail -n +2 | cut -d, -f1 | sed -E "s/^phase[0-9]+_/phase#_/; s/^table_row[0-9]+_/table_row#_/"); do
    grep -q "^  $m " out.txt || { echo "# $m not listed"; exit 1; }
  done'
check "pastrysim params lists every parameter" status_is 0 "$sim" params
check "... grouped: language, network, pastry, each naming its file" bash -c '
  grep "^[a-z]*: .*(defined in [a-z/-]*\.c)$" out.txt | cut -d: -f1 | tr "\n" " " | grep -qx "language network pastry "'
check "... every parameter of a resolved scenario is listed once" bash -c '
  names=$(grep -v "^seeds* =" res-phase/scenario.scn | grep "^[a-z_]* = " | cut -d" " -f1)
  [ "$(echo "$names" | wc -l)" -ge 30 ] || { echo "# too few parameters in scenario.scn"; exit 1; }
  for p in $names; do
    [ "$(grep -c "^$p " out.txt)" -eq 1 ] || { echo "# $p listed $(grep -c "^$p " out.txt) times"; exit 1; }
  done'

# 3. Bad options and overrides.
check "unknown --set exits 2" status_is 2 "$sim" run small.scn --set nodez=5 --out res-x
check "unknown --set is named" grep -q "nodez" err.txt
check "unknown option exits 2" status_is 2 "$sim" run small.scn --frobnicate
check "missing scenario exits 2" status_is 2 "$sim" run
check "unreadable scenario exits 2" status_is 2 "$sim" run nosuch.scn
check "unknown command exits 2" status_is 2 "$sim" frobnicate
check "--version" status_is 0 "$sim" --version
check "--version prints the name" grep -q '^pastrysim ' out.txt

# 4. A good run writes every file, atomically named.
check "good run exits 0" status_is 0 "$sim" run small.scn --out res-a --quiet
for f in lookups.csv hops.csv summary.csv messages.csv latency_cdf.csv rdp_cdf.csv timeline.csv scenario.scn; do
  check "writes $f" test -s "res-a/$f"
done
check "lookups.csv header" grep -q '^t_s,src,key,hops,latency_ms,direct_ms,rdp,outcome$' res-a/lookups.csv
check "300 lookup rows" test "$(grep -vc '^#' res-a/lookups.csv)" -eq 301
check "summary has mean_hops" grep -q '^mean_hops,' res-a/summary.csv
check "writes memory.csv" test -s res-a/memory.csv
check "memory.csv header" grep -q '^t_s,wall_s,rss_mb,peak_rss_mb,heap_mb$' res-a/memory.csv
check "memory.csv: a row per timeline row, same times" \
  diff <(grep -v '^#' res-a/memory.csv | cut -d, -f1) \
       <(grep -v '^#' res-a/timeline.csv | cut -d, -f1)
check "memory.csv: resident memory above 0, peak at least now" \
  awk -F, '!/^#/ && NR > 1 && $1 != "t_s" { if (!($3 > 0 && $4 >= $3)) bad = 1; n++ } END { exit bad || n == 0 }' res-a/memory.csv

# 5. Same scenario and seed, other directory and working directory, other
#    thread count: byte-identical files but for the `# threads:` line
#    (summary.csv up to its wall-clock rows).
mkdir sub && cp small.scn sub/
(cd sub && "$sim" run small.scn --out ../res-b --quiet --threads 7)
for f in lookups.csv hops.csv messages.csv latency_cdf.csv rdp_cdf.csv timeline.csv scenario.scn; do
  check "rerun: identical $f" bash -c "diff <(grep -v '^# threads: ' res-a/$f) <(grep -v '^# threads: ' res-b/$f)"
done
check "rerun: identical summary.csv" bash -c "diff <(grep -v '^# threads: ' res-a/summary.csv | sed '/^# wall-clock rows/,\$d') <(grep -v '^# threads: ' res-b/summary.csv | sed '/^# wall-clock rows/,\$d')"
"$sim" run small.scn --out res-c --seed 99 --quiet
check "other seed: different lookups" bash -c '! cmp -s res-a/lookups.csv res-c/lookups.csv'

# 6. The resolved scenario reproduces the run.
"$sim" run res-a/scenario.scn --out res-d --quiet
check "scenario.scn reproduces lookups" bash -c "diff <(grep -v '^# scenario:' res-a/lookups.csv) <(grep -v '^# scenario:' res-d/lookups.csv)"

# 7. Expectations: a failed one exits 3 and names the measured value.
check "failed expectation exits 3" status_is 3 "$sim" run small.scn --out res-e --set expect.ok_ratio=1.5
check "failed expectation reported" grep -q 'expectation failed: ok_ratio' err.txt
check "results still written on failed expectation" test -s res-e/summary.csv

# 8. Rerunning into a previous result replaces it (what else may be
#    replaced: test-publish.sh).
"$sim" run small.scn --out res-r --seed 5 --quiet
check "rerun into a previous result" status_is 0 "$sim" run small.scn --out res-r --quiet
check "previous result replaced" grep -q '^# seed: 1$' res-r/summary.csv

# 9. --seeds: one child run per seed, an aggregate over them.
check "--seeds 1..3 exits 0" status_is 0 "$sim" run small.scn --seeds 1..3 --out res-s --quiet
for s in 1 2 3; do
  check "--seeds writes seed-$s" test -s "res-s/seed-$s/summary.csv"
done
for f in summary.csv aggregate.csv hops.csv scenario.scn; do
  check "--seeds writes $f" test -s "res-s/$f"
done
check "aggregate header" grep -q '^metric,mean,stddev,ci95_low,ci95_high,n$' res-s/summary.csv
check "aggregate: mean_hops over n=3" grep -q '^mean_hops,[0-9.]*,[0-9.e-]*,[0-9.e-]*,[0-9.e-]*,3$' res-s/summary.csv
check "aggregate.csv is summary.csv" cmp -s res-s/summary.csv res-s/aggregate.csv
check "aggregate names its seeds" grep -q '^# seeds: 1\.\.3$' res-s/summary.csv
check "a constant metric has sd 0 and n=3" grep -q '^lookups,300,0,300,300,3$' res-s/summary.csv
pooled=$(awk -F, '!/^#/ && $1 != "hops" { s += $2 } END { print s }' res-s/hops.csv)
seeds_sum=$(cat res-s/seed-*/hops.csv | awk -F, '!/^#/ && $1 != "hops" { s += $2 } END { print s }')
check "hops.csv pools the seeds' counts" test "$pooled" = "$seeds_sum" -a "$pooled" -eq 900
check "no batch temporary directory left" bash -c '! ls -d res-s.tmp-* 2>/dev/null'
"$sim" run small.scn --seed 2 --out res-seq2 --quiet --threads 5
for f in lookups.csv hops.csv messages.csv latency_cdf.csv rdp_cdf.csv timeline.csv scenario.scn; do
  check "seed-2/$f byte-identical to run --seed 2 (but the threads line)" bash -c "diff <(grep -v '^# threads: ' res-seq2/$f) <(grep -v '^# threads: ' res-s/seed-2/$f)"
done
check "seed-2 summary identical to run --seed 2" bash -c "diff <(grep -v '^# threads: ' res-seq2/summary.csv | sed '/^# wall-clock rows/,\$d') <(grep -v '^# threads: ' res-s/seed-2/summary.csv | sed '/^# wall-clock rows/,\$d')"
check "--jobs 1 gives the same results" status_is 0 "$sim" run small.scn --seeds 1..3 --jobs 1 --out res-s1 --quiet
check "aggregate does not depend on completion order" bash -c "diff <(sed '/^# wall-clock rows/,\$d' res-s/summary.csv) <(sed '/^# wall-clock rows/,\$d' res-s1/summary.csv)"
cp -r res-s res-sc && rm res-sc/summary.csv res-sc/aggregate.csv res-sc/hops.csv res-sc/scenario.scn
check "collect rebuilds a seeds directory" status_is 0 "$sim" collect res-sc
for f in summary.csv aggregate.csv hops.csv scenario.scn; do
  check "collect: identical $f" cmp -s res-s/$f res-sc/$f
done
check "--seeds list form" status_is 0 "$sim" run small.scn --seeds 7,3 --out res-s73 --quiet
check "--seeds list: seed-3 and seed-7" test -d res-s73/seed-3 -a -d res-s73/seed-7
check "failed expectation in a batch exits 3" status_is 3 "$sim" run small.scn --seeds 1..2 --set expect.ok_ratio=1.5 --out res-se
check "... judged once, on the mean over seeds" grep -q '^small.scn:[0-9]*:[0-9]*: expectation failed: ok_ratio .*(mean .*, 95% CI .*, n 2)$' err.txt
check "... not per run" bash -c "! grep -q 'seed-[12]: .*expectation failed' err.txt"
check "... results still written" test -s res-se/aggregate.csv

# 10. --sweep: one directory per point, sweep.csv with one row per run.
check "--sweep exits 0" status_is 0 "$sim" run small.scn --sweep nodes=20,40 --sweep b=2,4 --out res-w --quiet
for d in 'nodes=20,b=2' 'nodes=20,b=4' 'nodes=40,b=2' 'nodes=40,b=4'; do
  check "--sweep writes $d" test -s "res-w/$d/summary.csv"
done
check "sweep.csv names the swept parameters" grep -q '^# swept: nodes,b$' res-w/sweep.csv
check "sweep.csv columns: parameters, seed, metrics" bash -c "grep -v '^#' res-w/sweep.csv | head -1 | grep -q '^nodes,b,seed,nodes_metric,.*,mean_hops,.*,wall_s,'"
check "sweep.csv has 4 rows" test "$(grep -v '^#' res-w/sweep.csv | tail -n +2 | wc -l)" -eq 4
check "sweep.csv rows in point order" bash -c "grep -v '^#' res-w/sweep.csv | tail -n +2 | cut -d, -f1,2 | tr '\n' ' ' | grep -q '^20,2 20,4 40,2 40,4 \$'"
"$sim" run small.scn --set nodes=40 --set b=2 --out res-p --quiet
check "a sweep point is byte-identical to run --set" cmp -s res-p/lookups.csv 'res-w/nodes=40,b=2/lookups.csv'
check "--sweep with --seeds exits 0" status_is 0 "$sim" run small.scn --sweep nodes=20,40 --seeds 1..2 --out res-ws --quiet
check "sweep x seeds: 4 rows" test "$(grep -v '^#' res-ws/sweep.csv | tail -n +2 | wc -l)" -eq 4
check "sweep x seeds: points aggregate their seeds" grep -q '^mean_hops,.*,2$' 'res-ws/nodes=40/summary.csv'
check "sweep-list: one line per run" test "$("$sim" sweep-list small.scn --sweep nodes=20,40 --seeds 1..2 | wc -l)" -eq 4
check "sweep-list: subdirectory and options" bash -c "'$sim' sweep-list small.scn --sweep nodes=20,40 --seeds 1..2 | sed -n 4p | grep -q \$'^nodes=40/seed-2\t--set nodes=40 --seed 2\$'"
check "--task runs one run" status_is 0 "$sim" run small.scn --sweep nodes=20,40 --seeds 1..2 --out res-t --task 3 --quiet
check "--task: byte-identical to the batch's run" cmp -s res-t/nodes=40/seed-2/lookups.csv res-ws/nodes=40/seed-2/lookups.csv
check "--task out of range exits 2" status_is 2 "$sim" run small.scn --seeds 1..2 --out res-t --task 2

# 11. compare.
check "compare a directory with itself exits 0" status_is 0 "$sim" compare res-s res-s --worse-if 'mean_hops>'
check "compare prints the table header" grep -q '^metric  *A  *B  *diff  *p-value  *significant' out.txt
check "compare: identical means, p = 1" grep -q '^mean_hops  *[0-9.]*  *[0-9.]*  *0  *1 no ' out.txt
"$sim" run small.scn --seeds 1..3 --set b=1 --out res-b1 --quiet
check "compare b=4 vs b=1 --worse-if mean_hops> exits 4" status_is 4 "$sim" compare res-s res-b1 --worse-if 'mean_hops>'
check "... mean_hops significant over seeds" grep -q '^mean_hops .* yes  *welch(seeds 3/3)' out.txt
check "... names the worse metric" grep -q 'significantly worse than A: mean_hops' err.txt
check "compare b=1 vs b=4 (B better) exits 0" status_is 0 "$sim" compare res-b1 res-s --worse-if 'mean_hops>'
check "compare --csv" status_is 4 "$sim" compare res-s res-b1 --worse-if 'mean_hops>,ok_ratio<' --csv
check "... CSV header" grep -q '^metric,A,B,diff,p_value,significant,test$' out.txt
check "... hop distribution by chi-square" grep -q '^hop_distribution,.*,yes,chi2(dof=' out.txt
"$sim" run small.scn --set b=1 --out res-a1 --quiet
check "compare single runs: mean_hops over lookups" status_is 4 "$sim" compare res-a res-a1 --worse-if 'mean_hops>'
check "... welch over lookups" grep -q '^mean_hops .* yes  *welch(lookups 300/300)' out.txt
check "... other metrics: n/a (single run)" grep -q '^latency_p50_ms .* n/a (single run)' out.txt
check "compare: unknown --worse-if metric exits 2" status_is 2 "$sim" compare res-s res-b1 --worse-if 'mean_hopz>'
check "... and names it" grep -q "unknown metric 'mean_hopz'" err.txt
check "compare: unknown --worse-if metric exits 2 before reading runs" status_is 2 "$sim" compare no-such-a no-such-b --worse-if 'ok_ration<'
check "... and names it" grep -q "unknown metric 'ok_ration'" err.txt
# compare --paired: per-seed differences over matched seeds, on summaries
# made by hand (A: 1, 2, 3; B: 1.1, 2.2, 3.3): differences 0.1, 0.2, 0.3,
# mean 0.2, t = 3.464 with 2 dof, p = 0.0742, half width 4.303 x 0.0577.
for side in pa pb; do
  for k in 1 2 3; do
    mkdir -p "$side/seed-$k"
    v=$k; [ "$side" = pb ] && v=$(awk -v k=$k 'BEGIN { print k * 1.1 }')
    printf '# pastrysim 0\n# seed: %s\nmetric,value\nmean_hops,%s\n' "$k" "$v" > "$side/seed-$k/summary.csv"
    printf 'hops,count,fraction\n1,1,1\n' > "$side/seed-$k/hops.csv"
  done
done
check "compare --paired exits 0" status_is 0 "$sim" compare pa pb --paired --metrics mean_hops --csv
check "... paired p-value" grep -q '^mean_hops,2,2.2,0.2,0.0741[0-9]*,no,paired(seeds 3, +/-0.248; welch +/-' out.txt
check "... Welch without --paired" bash -c '"$0" compare pa pb --metrics mean_hops --csv | grep -q "^mean_hops,2,2.2,0.2,0.8[0-9]*,no,welch(seeds 3/3)$"' "$sim"
rm -rf pb/seed-3
check "... only the seeds both ran" bash -c '"$0" compare pa pb --paired --metrics mean_hops --csv | grep -q "paired(seeds 2,"' "$sim"
check "compare: --worse-if without direction exits 2" status_is 2 "$sim" compare res-s res-b1 --worse-if mean_hops
check "compare: missing directory exits 2" status_is 2 "$sim" compare res-s no-such-dir
check "compare: a sweep directory exits 2" status_is 2 "$sim" compare res-s res-w
check "compare: bad --alpha exits 2" status_is 2 "$sim" compare res-s res-s --alpha 1.5

# 12. Bad --seeds / --sweep: exit 2, a message naming the option, and no
#     directory.  Table: name | arguments | expected message.
while IFS='|' read -r name args msg; do
  # shellcheck disable=SC2086  # args is a word list
  check "bad input: $name exits 2" status_is 2 "$sim" run small.scn $args --out res-bad2
  check "bad input: $name message" grep -qF -- "$msg" err.txt
  check "bad input: $name creates nothing" bash -c '! ls -d res-bad2* 2>/dev/null'
done <<'TABLE'
empty range|--seeds 5..1|pastrysim: --seeds: '5..1' is an empty range
not a seed|--seeds x|pastrysim: --seeds: 'x' is not a seed
negative seed|--seeds -1..3|pastrysim: --seeds: '-1..3' is not a range
duplicate seed|--seeds 1..3,2|pastrysim: --seeds: seed 2 is listed twice
with --seed|--seeds 1..2 --seed 4|pastrysim: --seeds: cannot be combined with --seed
no values|--sweep nodes=|pastrysim: --sweep: 'nodes=': no values
no name|--sweep =1,2|pastrysim: --sweep: '=1,2': missing parameter name
empty value|--sweep nodes=1,,2|pastrysim: --sweep: 'nodes=1,,2': empty value
unknown parameter|--sweep nodez=10,20|pastrysim: --sweep nodez=10: unknown parameter 'nodez'
bad value|--sweep b=2,9|pastrysim: --sweep b=9: 'b' must be between 1 and 8
duplicate name|--sweep b=2 --sweep b=4|pastrysim: --sweep: 'b' is swept twice
sweep and --set|--sweep b=2,4 --set b=3|pastrysim: --sweep: 'b' is also given with --set
sweep seed|--sweep seed=1,2|pastrysim: --sweep: sweep seeds with --seeds
jobs 0|--seeds 1..2 --jobs 0|pastrysim: --jobs: must be at least 1
TABLE

# 13. Interrupting a batch: exit 130, children gone, nothing left behind.
printf 'let nodes = 20000\nat 0s build $nodes\nat 1min lookup 2M over 1h\nend\n' > slow.scn
"$sim" run slow.scn --seeds 1..4 --jobs 2 --out res-int --quiet --no-lookups-csv 2>int-err.txt &
bpid=$!
for _ in $(seq 100); do
  ls -d res-int.tmp-*/seed-*.tmp-* >/dev/null 2>&1 && break
  sleep 0.1
done
check "interrupt: the runs had started" bash -c 'ls -d res-int.tmp-*/seed-* >/dev/null 2>&1'
kill -INT "$bpid"
wait "$bpid"
check "interrupt: exit 130" test $? -eq 130
check "interrupt: says so" grep -q 'interrupted; no results written' int-err.txt
check "interrupt: no results directory" test ! -e res-int
check "interrupt: no temporary directory" bash -c '! ls -d res-int.tmp-* 2>/dev/null'
check "interrupt: no child left" bash -c '! pgrep -f "res-int[.]tmp-" >/dev/null'

# 14. Many machines: the Slurm array emulated task by task, and GNU
#     parallel when it is installed.
check "slurm-sweep.sbatch is valid bash" bash -n "$scripts/slurm-sweep.sbatch"
for t in 0 1; do
  check "slurm: array task $t" status_is 0 env PASTRYSIM="$sim" SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_TASK_COUNT=2 SLURM_SUBMIT_DIR="$PWD" \
    bash "$scripts/slurm-sweep.sbatch" small.scn res-slurm --sweep nodes=20,40 --seeds 1..2
done
check "slurm: collect job" status_is 0 env PASTRYSIM="$sim" PASTRYSIM_SLURM_COLLECT=1 \
  bash "$scripts/slurm-sweep.sbatch" small.scn res-slurm --sweep nodes=20,40 --seeds 1..2
check "slurm: same layout and runs as the batch" bash -c "cd res-ws && for f in \$(find . -name lookups.csv -o -name scenario.scn -o -name hops.csv | sort); do cmp -s \$f ../res-slurm/\$f || exit 1; done"
check "slurm: sweep.csv like the batch's (up to wall-clock columns)" \
  bash -c "diff <(grep -v '^#' res-ws/sweep.csv | cut -d, -f1-40) <(grep -v '^#' res-slurm/sweep.csv | cut -d, -f1-40)"
if command -v parallel >/dev/null 2>&1; then
  check "sweep-parallel exits 0" status_is 0 "$scripts/sweep-parallel" --pastrysim "$sim" small.scn res-par --sweep nodes=20,40 --seeds 1..2
  check "sweep-parallel: same runs as the batch" bash -c "cd res-ws && for f in \$(find . -name lookups.csv -o -name scenario.scn | sort); do cmp -s \$f ../res-par/\$f || exit 1; done"
  check "sweep-parallel: sweep.csv" test -s res-par/sweep.csv
  check "sweep-parallel: bad input exits 2, creates nothing" status_is 2 "$scripts/sweep-parallel" --pastrysim "$sim" small.scn res-par2 --sweep nodez=1
  check "sweep-parallel: ... no directory" test ! -e res-par2
else
  n=$((n + 1)); echo "ok $n - sweep-parallel # SKIP GNU parallel not installed"
fi

# Absurd but valid requests: refused before allocating, exit 2, nothing
# written.
printf 'at 0s build 4000000000\nend\n' > huge.scn
check "absurd node count exits 2" status_is 2 "$sim" run huge.scn --out res-huge
check "absurd node count is explained" grep -q 'needs about .* GB for 4000000000 nodes' err.txt
check "absurd node count leaves no directory" test ! -e res-huge
check "--max-memory below the estimate exits 2" status_is 2 "$sim" run small.scn --out res-mm --max-memory 1M
check "--max-memory garbage exits 2" status_is 2 "$sim" run small.scn --out res-mm --max-memory 12x
check "--max-memory leaves no directory" test ! -e res-mm

echo "1..$n"
[ "$fails" -eq 0 ]
