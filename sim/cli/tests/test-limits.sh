#!/usr/bin/env bash
# test-limits.sh — inputs that would exhaust the machine are refused before
# the run (--max-events, --max-memory), tiny rates do not overflow, latency
# and scenario loaders reject binary garbage by its first bytes, and seeds
# cover 0 .. 2^64-1.  Every refusal: exit 2, `file:line:col: message` (or
# the option named), no results directory, no *.tmp-* left.
# Usage: test-limits.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# Runs pastrysim with a time limit, so that a runaway (the bug these tests
# guard against) fails the test instead of hanging it.
run () { timeout 60 "$sim" "$@" >out.txt 2>err.txt; echo $? > status.txt; }
status () { cat status.txt; }
says () { # the first line of stderr starts with $1 and contains $2
  local first; first=$(head -n 1 err.txt)
  case "$first" in "$1"*"$2"*) return 0 ;; esac
  echo "# stderr: $first (wanted '$1...$2...')"; return 1
}
nothing_written () { [ ! -e res ] && ! ls -d res.tmp-* >/dev/null 2>&1; }

# 1. Refused before the run: table of (name, scenario text, extra options,
#    expected position prefix, expected words).  The scenario is t.scn.
refusals=(
  "probe_period = 1us|probe_period = 1us\nat 0s join 50 over 10s\nat 1min fail 5\nat 2min lookup 100 over 10s\nend\n||t.scn:1:16: |probes"
  "heartbeat_period = 1us|heartbeat_period = 1us\nat 0s join 50 over 10s\nat 1min fail 5\nend\n||t.scn:1:20: |heartbeats"
  "churn session exp(1us)|at 0s join 50 over 10s\nat 1min churn for 10min session exp(1us)\nend\n||t.scn:2:1: |churn sessions"
  "lookup 1G at once|at 0s build 100\nat 1s lookup 1G\nend\n||t.scn:2:1: |lookups"
  "per-node rate 1e12/s counts against the lookup limit|at 0s build 10\nat 1s lookup rate 1e12/s per node for 1s\nend\n||t.scn:2:19: |lookups"
  "per-node every 1us counts against the lookup limit|at 0s build 10\nat 1s lookup every fixed(1us) per node for 2d\nend\n||t.scn:2:20: |lookups"
  "per-node rate 1e9/s: too many events|at 0s build 10\nat 1s lookup rate 1e9/s per node for 10s\nend\n||t.scn:2:1: |lookups"
  "at 3650d: timeline rows|at 0s build 100\nat 3650d lookup 10\nend\n||t.scn:2:1: |timeline rows"
  "at 5124095576h build|at 5124095576h build 10\nend\n||t.scn:1:1: |timeline rows"
  "timeline_interval = 1us|timeline_interval = 1us\nat 0s build 10\nat 1h lookup 10\nend\n||t.scn:1:21: |timeline rows"
  "--set heartbeat_period=1us is blamed on --set|at 0s join 50 over 10s\nat 1min fail 5\nend\n|--set heartbeat_period=1us|--set:1:1: |heartbeats"
  "--max-events below the estimate|at 0s build 10\nat 1s lookup 10\nend\n|--max-events 10|t.scn:2:1: |--max-events"
  "--max-memory names the line asking for the nodes|at 0s build 10\nat 1s join 3000 over 1min\nat 2min lookup 10\nend\n|--max-memory 1M|t.scn:2:1: |3010 nodes"
)
for row in "${refusals[@]}"; do
  IFS='|' read -r name text opts pos words <<< "$row"
  printf "$text" > t.scn
  # shellcheck disable=SC2086 # opts is a word list
  run run t.scn --out res --quiet $opts
  check "$name: exit 2" test "$(status)" -eq 2
  check "$name: message at $pos" says "$pos" "$words"
  check "$name: nothing written" nothing_written
done

# 2. Legal small values stay legal for small runs; --max-events raises the
#    limit; bad --max-events values name the option.
printf 'probe_period = 1ms\nheartbeat_period = 1ms\nat 0s build 20\nat 1s fail 2\nat 2s lookup 20 over 1s\nend\n' > small.scn
run run small.scn --out res-small --quiet
check "1 ms periods on 20 nodes for 3 s run" test "$(status)" -eq 0
printf 'at 0s build 100\nat 3650d lookup 10\nend\n' > long.scn
run run long.scn --out res --quiet --max-events 1
check "--max-events 1 refuses" test "$(status)" -eq 2
printf 'at 0s build 10\nat 1s lookup 10\nend\n' > tiny.scn
run run tiny.scn --out res-tiny --quiet --max-events 1000000
check "--max-events above the estimate runs" test "$(status)" -eq 0
for bad in 12x -5 '' 1e9 18446744073709551616; do
  run run tiny.scn --out res --quiet --max-events "$bad"
  check "--max-events '$bad' exits 2" test "$(status)" -eq 2
  check "--max-events '$bad' is named" grep -q -- '--max-events' err.txt
  check "--max-events '$bad' writes nothing" nothing_written
done

# 3. Tiny rates: the gap to the first lookup is beyond any run (it once
#    overflowed a cast and made thousands of lookups at t = 1 s).
for rate in 1e-17 1e-20 1e-300; do
  for per in "" " per node"; do
    printf "at 0s build 10\nat 0s lookup rate $rate/s$per for 1s\nend\n" > r.scn
    run run r.scn --out res-r --quiet
    check "rate $rate/s$per: exit 0" test "$(status)" -eq 0
    check "rate $rate/s$per: no lookup" grep -qx 'lookups,0' res-r/summary.csv
    rm -rf res-r
  done
done

# 4. Binary garbage: a 4 GB sparse file of NUL bytes is rejected by its
#    first bytes, as a latency matrix, coordinates file, churn trace or
#    scenario, with bounded memory and at once.
truncate -s 4G big.bin
maxrss () { # KB of the last run, or 0 without GNU time
  if [ -x /usr/bin/time ]; then
    timeout 60 /usr/bin/time -f '%M' -o rss.txt "$sim" "$@" >out.txt 2>err.txt
    echo $? > status.txt
  else
    run "$@"; echo 0 > rss.txt
  fi
}
printf 'network = matrix\nmatrix_file = "big.bin"\nat 0s build 5\nend\n' > bm.scn
printf 'network = coords\ncoords_file = "big.bin"\nat 0s build 5\nend\n' > bc.scn
printf 'at 0s churn trace "big.bin"\nend\n' > bt.scn
for f in bm.scn bc.scn bt.scn big.bin; do
  maxrss run "$f" --out res --quiet
  check "$f over 4 GB of NULs: exit 2" test "$(status)" -eq 2
  check "$f: message at big.bin:1:1 or the trace line" grep -q 'big.bin:1:1: ' err.txt
  check "$f: max RSS under 100 MB ($(tail -n 1 rss.txt) KB)" test "$(tail -n 1 rss.txt)" -lt 102400
  check "$f: nothing written" nothing_written
done
check "matrix: the NUL byte is named" grep -q 'NUL byte' <(maxrss run bm.scn --out res --quiet; cat err.txt)
# A NUL byte after good lines: its own line and column.
printf '0 10\n10 \0\n' > nul.txt
printf 'network = matrix\nmatrix_file = "nul.txt"\nat 0s build 2\nend\n' > nm.scn
run run nm.scn --out res --quiet
check "matrix NUL on line 2: exit 2" test "$(status)" -eq 2
check "matrix NUL on line 2: position" grep -q 'nul.txt:2:4: NUL byte' err.txt
# A line longer than the loader's cap, with no NUL byte: rejected at its
# start without reading the rest.
head -c 3000000 /dev/zero | tr '\0' '1' > long.txt
printf 'network = matrix\nmatrix_file = "long.txt"\nat 0s build 2\nend\n' > lm.scn
run run lm.scn --out res --quiet
check "matrix line over the cap: exit 2" test "$(status)" -eq 2
check "matrix line over the cap: message" grep -q 'long.txt:1:1: line longer than' err.txt

# 5. Seeds: 0 .. 2^64-1 everywhere (--seed, --seeds, `seed =`,
#    sweep-list); 2^64 refused.
printf 'at 0s build 10\nat 1s lookup 5\nend\n' > s.scn
for s in 0 9223372036854775807 9223372036854775808 18446744073709551615; do
  run run s.scn --out res-s --quiet --seed "$s"
  check "--seed $s: exit 0" test "$(status)" -eq 0
  check "--seed $s: recorded" grep -qx "# seed: $s" res-s/summary.csv
  rm -rf res-s
  printf "seed = $s\nat 0s build 10\nat 1s lookup 5\nend\n" > s2.scn
  run run s2.scn --out res-s --quiet
  check "seed = $s: exit 0" test "$(status)" -eq 0
  check "seed = $s: recorded" grep -qx "# seed: $s" res-s/summary.csv
  rm -rf res-s
  run sweep-list s.scn --seeds "$s"
  check "sweep-list --seeds $s" grep -qx "seed-$s	--seed $s" out.txt
  run sweep-list s.scn --sweep b=2,4 --seed "$s"
  check "sweep-list --seed $s" grep -qx "b=2	--set b=2 --seed $s" out.txt
done
run run s.scn --out res-b --quiet --seeds 18446744073709551614..18446744073709551615 --jobs 1
check "--seeds up to 2^64-1: exit 0" test "$(status)" -eq 0
check "--seeds up to 2^64-1: both runs" test -s res-b/seed-18446744073709551615/summary.csv -a -s res-b/seed-18446744073709551614/summary.csv
for s in 18446744073709551616 -1 1e3 ' 7'; do
  run run s.scn --out res --quiet --seed "$s"
  check "--seed '$s': exit 2" test "$(status)" -eq 2
  check "--seed '$s': named" grep -q -- "--seed: '$s'" err.txt
  check "--seed '$s': nothing written" nothing_written
  run sweep-list s.scn --seeds 1 --seed "$s"
  check "sweep-list --seed '$s': exit 2" test "$(status)" -eq 2
done
run run s.scn --out res --quiet --seeds 18446744073709551616
check "--seeds 2^64: exit 2" test "$(status)" -eq 2
check "--seeds 2^64: nothing written" nothing_written
printf 'seed = 18446744073709551616\nat 0s build 10\nend\n' > s3.scn
run run s3.scn --out res --quiet
check "seed = 2^64: exit 2" test "$(status)" -eq 2
check "seed = 2^64: position" grep -q '^s3.scn:1:8: ' err.txt

# The limits apply to every run of a batch, and to --task runs.
printf 'at 0s build 10\nat 1s lookup 10\nend\n' > b.scn
run run b.scn --seeds 1..2 --max-events 10 --out res-blim --quiet
check "batch: --max-events reaches every run (exit 2)" test "$(status)" -eq 2
check "batch: ... nothing written" bash -c '! ls -d res-blim* 2>/dev/null'
run run b.scn --seeds 1..2 --max-events 10 --task 0 --out res-tlim --quiet
check "--task: --max-events applies (exit 2)" test "$(status)" -eq 2
check "--task: ... nothing written" test ! -e res-tlim/seed-1

echo "1..$n"
[ "$fails" -eq 0 ]
