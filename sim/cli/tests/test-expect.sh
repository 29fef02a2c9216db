#!/usr/bin/env bash
# test-expect.sh — expectations judged over seeds (issue 12): a scenario's
# `seeds = LIST` makes `run` a batch, --seeds overrides it, --seed is one
# run that does not judge; the batch judges the mean (plain form) or the
# whole confidence interval (`confidence P%`), never a run on its own;
# `collect` (after --task runs, as sweep-parallel and Slurm do) judges with
# the same function; bad lists and levels exit 2 with a position and write
# nothing.  Usage: test-expect.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A metric of an aggregate summary.csv: column 2 mean, 4 ci95_low,
# 5 ci95_high.
agg () { awk -F, -v m="$2" -v c="$3" '$1 == m { print $c }' "$1/summary.csv"; }
# A metric of one run's summary.csv.
one () { awk -F, -v m="$2" '$1 == m { print $2 }' "$1/summary.csv"; }

cat > s.scn <<'SCN'
seeds = 1..4
let nodes = 40
at 0s join $nodes over 2s
at 1min lookup 200 over 5s
expect ok_ratio >= 0.99
expect mean_hops < 5
end
SCN
sed 's/^expect mean_hops < 5$/expect mean_hops < 5 confidence 95%/' s.scn > c.scn

# 1. A scenario with seeds is a batch over them; the report names mean, CI, n.
check "seeds scenario: run exits 0" status_is 0 "$sim" run s.scn --out r1 -j 2
check "... a batch over its seeds" test -s r1/seed-1/summary.csv -a -s r1/seed-4/summary.csv -a ! -e r1/seed-5
check "... with the aggregate" grep -q '^metric,mean,stddev,ci95_low,ci95_high,n$' r1/summary.csv
check "... reports mean, 95% CI and n" grep -Eq '^  expect mean_hops < 5: ok \(mean [0-9.e+-]+, 95% CI [0-9.e+-]+\.\.[0-9.e+-]+, n 4\)$' out.txt
check "seed-2 identical to run --seed 2" bash -c "'$sim' run s.scn --seed 2 --out r1-2 --quiet && diff <(sed '/^# wall-clock rows/,\$d' r1-2/summary.csv) <(sed '/^# wall-clock rows/,\$d' r1/seed-2/summary.csv) >/dev/null && cmp -s r1-2/lookups.csv r1/seed-2/lookups.csv"
check "the batch's scenario.scn keeps the seeds line" grep -q '^seeds = 1..4$' r1/scenario.scn

# 2. --seeds overrides the declared seeds.
check "--seeds overrides seeds: exit 0" status_is 0 "$sim" run s.scn --seeds 7,9 --out r2 --quiet
check "... runs seeds 7 and 9 only" bash -c 'ls -d r2/seed-* | tr "\n" " " | grep -qx "r2/seed-7 r2/seed-9 "'

# 3. The mean is judged, not each run: a threshold between the mean and the
# worst seed passes, although that seed alone would not.
mean=$(agg r1 mean_hops 2)
worst=$(for s in 1 2 3 4; do one r1/seed-$s mean_hops; done | sort -g | tail -1)
mid=$(awk -v a="$mean" -v b="$worst" 'BEGIN { printf "%.10g", (a + b) / 2 }')
echo "# mean_hops: mean $mean, worst seed $worst, threshold $mid"
check "mean below the threshold, one seed above (the case under test)" awk -v a="$mean" -v b="$worst" -v t="$mid" 'BEGIN { exit !(a < t && b > t) }'
check "plain form: judged on the mean, exit 0" status_is 0 "$sim" run s.scn --set expect.mean_hops="$mid" --out r3
check "... and the worst seed alone is over" awk -v b="$worst" -v t="$mid" 'BEGIN { exit !(b >= t) }'
check "--seed alone: one run, not judged, exit 0" status_is 0 "$sim" run s.scn --seed 1 --set expect.mean_hops=0.1 --out r3s
check "... says so" grep -q 'expect mean_hops < 0.1: not judged (.*judged on the mean over seeds 1..4: run without --seed)' out.txt
check "... a single run" test -s r3s/lookups.csv -a ! -e r3s/seed-1

# 4. A failed mean: exit 3, FILE:LINE:COL with mean, CI and n.
check "mean over the threshold: exit 3" status_is 3 "$sim" run s.scn --set expect.mean_hops=0.5 --out r4 --quiet
check "... FILE:LINE:COL: expectation failed: with mean, CI, n" grep -Eq '^s.scn:6:1: expectation failed: mean_hops < 0.5 \(mean [0-9.e+-]+, 95% CI [0-9.e+-]+\.\.[0-9.e+-]+, n 4\)$' err.txt
check "... one message, not one per run" test "$(grep -c 'expectation failed' err.txt)" -eq 1
check "... results written" test -s r4/summary.csv

# 5. confidence: the whole interval must be on the good side.  A threshold
# between the mean and the upper end of the interval: the plain form holds,
# the claim does not.
hi=$(agg r1 mean_hops 5)
strad=$(awk -v a="$mean" -v b="$hi" 'BEGIN { printf "%.10g", (a + b) / 2 }')
above=$(awk -v b="$hi" 'BEGIN { printf "%.10g", b * 1.01 }')
echo "# mean_hops: mean $mean, 95% CI upper end $hi; straddled threshold $strad"
check "plain form with the straddled threshold: exit 0" status_is 0 "$sim" run s.scn --set expect.mean_hops="$strad" --out r5a --quiet
check "confidence with the straddled threshold: exit 3" status_is 3 "$sim" run c.scn --set expect.mean_hops="$strad" --out r5b --quiet
check "... says the interval straddles it" grep -Eq '^c.scn:6:1: expectation failed: mean_hops < [0-9.e+-]+ confidence 95% \(mean .*, 95% CI .*, n 4: the interval straddles the threshold\)$' err.txt
check "confidence above the interval: exit 0" status_is 0 "$sim" run c.scn --set expect.mean_hops="$above" --out r5c
check "... reported with its level" grep -q '^  expect mean_hops < [0-9.e+-]* confidence 95%: ok (mean .*, 95% CI .*, n 4)$' out.txt
sed 's/confidence 95%/confidence 99.9%/' c.scn > c999.scn
check "a wider level makes the same claim fail" status_is 3 "$sim" run c999.scn --set expect.mean_hops="$above" --out r5d --quiet
check "... naming its own interval" grep -q 'confidence 99.9% (mean .*, 99.9% CI ' err.txt

# 6. The parallel path: --task runs (no --seeds: the scenario's), then
# collect judges with the same function, against DIR/scenario.scn.
check "sweep-list lists the declared seeds" bash -c "'$sim' sweep-list s.scn | cut -f1 | tr '\n' ' ' | grep -qx 'seed-1 seed-2 seed-3 seed-4 '"
ok=1
for t in 0 1 2 3; do "$sim" run c.scn --set expect.mean_hops="$strad" --out r6 --task $t --quiet 2>>err6.txt || ok=0; done
check "--task runs do not judge (exit 0 each)" test $ok -eq 1
check "collect judges the mean: exit 3" status_is 3 "$sim" collect r6
check "... at r6/scenario.scn:LINE:COL" grep -Eq '^r6/scenario.scn:[0-9]+:1: expectation failed: mean_hops < [0-9.e+-]+ confidence 95% .*straddles' err.txt
check "... that line is the expectation" bash -c "sed -n \"\$(grep -o '^r6/scenario.scn:[0-9]*' err.txt | cut -d: -f2)p\" r6/scenario.scn | grep -q '^expect mean_hops < .* confidence 95%$'"
check "... and wrote the aggregate" test -s r6/summary.csv
check "collect of a passing batch: exit 0, ok lines" bash -c "'$sim' collect r1 | grep -q '^  expect ok_ratio >= 0.99: ok (mean'"

# 7. Sweeps: each point's seeds are judged, the failure names the point.
low=$(awk -v a="$mean" 'BEGIN { printf "%.10g", a - 0.01 }')
check "sweep x seeds: exit 3 when one point fails" status_is 3 "$sim" run s.scn --sweep nodes=10,40 --set expect.mean_hops="$low" --out r7
check "... names the point" grep -q "^s.scn:6:1: expectation failed at nodes=40: mean_hops < $low (mean" err.txt
check "... the other point holds" grep -q "^  nodes=10: expect mean_hops < $low: ok (mean" out.txt

# 8. Bad input: exit 2, a position (or the option), nothing written.
bad () { # name, expected message regex, scenario text, run options...
  local name=$1 msg=$2 text=$3; shift 3
  printf '%b' "$text" > b.scn
  rm -rf rb
  check "$name: exit 2" status_is 2 "$sim" run b.scn --out rb "$@"
  check "$name: message" grep -Eq "$msg" err.txt
  check "$name: nothing written" bash -c '! ls -d rb rb.tmp-* 2>/dev/null | grep -q .'
}
base='at 0s build 10\nat 1s lookup 10\n'
bad "seeds = 5..1" '^b.scn:1:9: seeds: .5\.\.1. is an empty range' "seeds = 5..1\n${base}end\n"
bad "empty seeds" '^b.scn:1:7: missing seed list' "seeds =\n${base}end\n"
bad "seed beyond 2^64-1" '^b.scn:1:12: seeds: .18446744073709551616. is beyond the largest seed' "seeds = 1, 18446744073709551616\n${base}end\n"
bad "seeds and seed" '^b.scn:2:1: .seed. cannot be set in a file that declares .seeds.' "seeds = 1..3\nseed = 2\n${base}end\n"
bad "confidence 150%" '^b.scn:4:35: the confidence level must be above 0% and below 100%' "seeds = 1..3\n${base}expect ok_ratio >= 0.9 confidence 150%\nend\n"
bad "confidence without seeds" '^b.scn:3:24: .confidence. judges the mean over seeds' "${base}expect ok_ratio >= 0.9 confidence 95%\nend\n"
bad "confidence with one seed" '^pastrysim: --seeds: one seed cannot judge .expect ok_ratio \.\.\. confidence. \(b.scn:4:1\)' "seeds = 1..3\n${base}expect ok_ratio >= 0.9 confidence 95%\nend\n" --seeds 3
bad "--seeds 5..1" '^pastrysim: --seeds: .5\.\.1. is an empty range' "seeds = 1..3\n${base}end\n" --seeds 5..1
bad "--seeds empty" '^pastrysim: --seeds: empty list' "seeds = 1..3\n${base}end\n" --seeds ''
bad "--seeds beyond 2^64-1" '^pastrysim: --seeds: .18446744073709551616. is beyond the largest seed' "${base}end\n" --seeds 18446744073709551616
bad "--set seeds=" '^--set:1:1: the seeds of a batch are chosen with --seeds' "seeds = 1..3\n${base}end\n" --set seeds=1..2
bad "--task out of range" '^pastrysim: --task: 3 is out of range' "seeds = 1..3\n${base}end\n" --task 3
bad "--task without seeds" '^pastrysim: --task: needs --seeds, --sweep or a scenario with' "${base}end\n" --task 0

echo "1..$n"
exit $((fails > 0))
