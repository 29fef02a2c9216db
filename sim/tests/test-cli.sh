#!/usr/bin/env bash
# test-cli.sh — the pastrysim command line as a user meets it: exit
# statuses, error positions, atomic results directories, byte-identical
# reruns.  Usage: test-cli.sh PATH/TO/pastrysim
set -u
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
n=0

check () { # name, condition (a command)
  n=$((n + 1))
  local name=$1; shift
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fails=$((fails + 1)); fi
}

status_is () { # want, command...
  local want=$1; shift
  "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" -eq "$want" ] || { echo "# exit $got, wanted $want; stderr:"; sed 's/^/#   /' err.txt; return 1; }
}

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

# 5. Same scenario and seed, other directory and working directory:
#    byte-identical files (summary.csv up to its wall-clock rows).
mkdir sub && cp small.scn sub/
(cd sub && "$sim" run small.scn --out ../res-b --quiet)
for f in lookups.csv hops.csv messages.csv latency_cdf.csv rdp_cdf.csv timeline.csv scenario.scn; do
  check "rerun: identical $f" cmp -s "res-a/$f" "res-b/$f"
done
check "rerun: identical summary.csv" bash -c "diff <(sed '/^# wall-clock rows/,\$d' res-a/summary.csv) <(sed '/^# wall-clock rows/,\$d' res-b/summary.csv)"
"$sim" run small.scn --out res-c --seed 99 --quiet
check "other seed: different lookups" bash -c '! cmp -s res-a/lookups.csv res-c/lookups.csv'

# 6. The resolved scenario reproduces the run.
"$sim" run res-a/scenario.scn --out res-d --quiet
check "scenario.scn reproduces lookups" bash -c "diff <(grep -v '^# scenario:' res-a/lookups.csv) <(grep -v '^# scenario:' res-d/lookups.csv)"

# 7. Expectations: a failed one exits 3 and names the measured value.
check "failed expectation exits 3" status_is 3 "$sim" run small.scn --out res-e --set expect.ok_ratio=1.5
check "failed expectation reported" grep -q 'expectation failed: ok_ratio' err.txt
check "results still written on failed expectation" test -s res-e/summary.csv

# 8. Rerunning into an existing directory replaces it.
touch res-a/stale
check "rerun into existing dir" status_is 0 "$sim" run small.scn --out res-a --quiet
check "old contents replaced" test ! -e res-a/stale

echo "1..$n"
[ "$fails" -eq 0 ]
