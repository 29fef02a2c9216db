#!/usr/bin/env bash
# test-live.sh — `pastrysim live`: the scenario's nodes on UDP sockets of
# 127.0.0.1, in one process.  64 nodes join; 2,000 lookups all reach the
# live node numerically closest to their key; 8 nodes fail; after repair
# 2,000 more lookups all reach the true root.  Meanwhile garbage datagrams
# sent at the nodes' ports are dropped and counted (bad_datagrams) and the
# lookups go on.  Bad input is refused (exit 2, nothing written); SIGINT
# ends a run with nothing written (130).  Four processes of 16 nodes
# joined through --bootstrap route 4 x 500 lookups to the true root.  Every process is bounded by
# `timeout` and stopped by the test.
# Usage: test-live.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
cd "$work" || exit 1
cat > live.scn <<'SCN'
seed = 3
network = euclidean
heartbeat_period = 500ms
heartbeat_timeout = 1500ms
probe_timeout = 300ms
probe_period = 5s
lookup_timeout = 5s
at 0s   join 64 over 3s
at 8s   lookup 2000 over 4s keys random
at 14s  fail 8
at 24s  lookup 2000 over 4s keys random
end
SCN
# Ports base .. base + 63; a base taken by another program makes the run
# fail to open a socket (exit 1): one retry with another base.
run_live () {
  local base=$((20000 + RANDOM % 40000))
  timeout 120 "$sim" live live.scn --time-scale 0.5 --port-base "$base" \
    --out r --quiet 2>err.txt &
  local pid=$!
  pids+=("$pid")
  sleep 5 # joins done (1.5 s), first lookups under way (4..6 s)
  local sent=0
  for i in $(seq 0 199); do
    printf 'garbage %d' "$i" > "/dev/udp/127.0.0.1/$((base + i % 64))" && sent=$((sent + 1))
  done 2>/dev/null
  echo "$sent" > sent.txt
  wait "$pid"
}
run_live; st=$?
if [ "$st" -eq 1 ] && grep -q "cannot open" err.txt; then run_live; st=$?; fi
check "live run exits 0" test "$st" -eq 0
[ "$st" -eq 0 ] || sed 's/^/#   /' err.txt | head
metric () { awk -F, -v m="$1" '$1 == m { print $2 }' r/summary.csv; }
check "results: the CSV files of run" bash -c 'for f in lookups.csv hops.csv summary.csv messages.csv latency_cdf.csv timeline.csv scenario.scn; do [ -s r/$f ] || exit 1; done'
check "metadata: a '# live:' line" grep -q '^# live: .*64 nodes' r/summary.csv
rows () { grep -v '^#' r/lookups.csv | awk -F, -v lo="$1" -v hi="$2" 'NR > 1 && $1 >= lo && $1 < hi' ; }
# Scenario seconds (wall-clock seconds / time scale 0.5): phase 1 at
# 8..12 s, the failures at 14 s, phase 2 at 24..28 s.
check "2,000 lookups before the failures" test "$(rows 0 14 | wc -l)" -eq 2000
check "... all delivered at the true root" test "$(rows 0 14 | grep -vc ',ok$')" -eq 0
check "2,000 lookups after repair" test "$(rows 14 100 | wc -l)" -eq 2000
check "... all delivered at the true root" test "$(rows 14 100 | grep -vc ',ok$')" -eq 0
check "summary: phase ok ratios 1" bash -c "[ '$(metric phase1_ok_ratio)' = 1 ] && [ '$(metric phase2_ok_ratio)' = 1 ]"
check "8 failures, 56 nodes live at the end" bash -c "[ '$(metric failures)' = 8 ] && [ '$(metric live_nodes_end)' = 56.000 ]"
sent=$(cat sent.txt 2>/dev/null || echo 0)
bad=$(metric bad_datagrams)
echo "# garbage sent $sent, bad_datagrams $bad"
check "garbage datagrams counted in bad_datagrams" bash -c "[ $sent -ge 150 ] && awk -v b='$bad' -v s=$sent 'BEGIN { exit !(b >= s - 10 && b <= s) }'"

# Graceful leaves: 4 of 32 nodes leave (LEAVE to their leaf sets);
# lookups afterwards all reach the true root among the 28 left.
cat > leave.scn <<'SCN'
seed = 9
network = euclidean
heartbeat_period = 500ms
heartbeat_timeout = 1500ms
probe_timeout = 300ms
lookup_timeout = 5s
at 0s   join 32 over 2s
at 4s   leave 4
at 7s   lookup 500 over 2s keys random
end
SCN
timeout 60 "$sim" live leave.scn --out lv --quiet 2>lv.err
check "leaves: run exits 0" test $? -eq 0
lm () { awk -F, -v m="$1" '$1 == m { print $2 }' lv/summary.csv; }
check "leaves: 4 departures, 28 nodes live at the end" bash -c "[ '$(lm failures)' = 4 ] && [ '$(lm live_nodes_end)' = 28.000 ]"
check "leaves: LEAVE messages sent" awk -F, '$1 == "leave" && $2 > 0 { found = 1 } END { exit !found }' lv/messages.csv
check "leaves: 500 lookups all at the true root" bash -c "[ '$(lm lookups)' = 500 ] && [ '$(lm ok_ratio)' = 1 ]"

# Four processes of 16 nodes: the first alone, the others joined through
# its node 0 (--bootstrap); 500 lookups from each, delivered across
# processes.  Each process judges against the nodes it knows; that every
# process knew all 64 (peers_known) makes its judgement the overlay's.
cat > mp.scn <<'SCN'
seed = 5
network = euclidean
maintenance = on
heartbeat_period = 500ms
heartbeat_timeout = 1500ms
probe_timeout = 300ms
probe_period = 5s
lookup_timeout = 5s
at 0s   join 16 over 2s
at 6s   lookup 500 over 3s keys random
end
SCN
multi () {
  local base=$((20000 + RANDOM % 40000)) k p
  local -a mine=()
  timeout 120 "$sim" live mp.scn --seed 1 --port-base "$base" --linger 4 \
    --out m0 --quiet 2>m0.err &
  mine+=($!)
  sleep 2.5
  for k in 1 2 3; do
    timeout 120 "$sim" live mp.scn --seed $((k + 1)) \
      --port-base $((base + 16 * k)) --bootstrap "127.0.0.1:$base" \
      --linger 3 --out "m$k" --quiet 2>"m$k.err" &
    mine+=($!)
  done
  pids+=("${mine[@]}")
  local st=0
  for p in "${mine[@]}"; do wait "$p" || st=1; done
  return $st
}
multi; st=$?
if [ "$st" -ne 0 ] && grep -q "cannot open" m*.err; then rm -rf m0 m1 m2 m3; multi; st=$?; fi
check "4 processes of 16 nodes exit 0" test "$st" -eq 0
for k in 0 1 2 3; do
  mm () { awk -F, -v m="$1" '$1 == m { print $2 }' "m$k/summary.csv"; }
  echo "# process $k: ok_ratio $(mm ok_ratio), peers_known $(mm peers_known), delivered elsewhere $(mm lookups_remote)"
  check "process $k: knows the 64 nodes" test "$(mm peers_known)" = 64.000
  check "process $k: 500 lookups all at the true root" bash -c "[ '$(mm lookups)' = 500 ] && [ '$(mm ok_ratio)' = 1 ]"
  check "process $k: some delivered in other processes" awk -v r="$(mm lookups_remote)" 'BEGIN { exit !(r >= 100) }'
done
check "the 64 ids are distinct" test "$(cat m?/live-nodes.csv | grep -v '^#' | grep -v '^node,' | cut -d, -f2 | sort -u | wc -l)" -eq 64

# Bad input: exit 2, the option or FILE:LINE:COL named, nothing written.
printf 'at 0s build 10\nend\n' > build.scn
check "unsupported action refused at its line" status_is 2 "$sim" live build.scn --out b1
check "... named FILE:LINE:COL" grep -q '^build.scn:1:1: live: ' err.txt
check "... nothing written" test ! -e b1
check "--time-scale 0 refused" status_is 2 "$sim" live live.scn --time-scale 0 --out b2
check "... the option named" grep -q -- '--time-scale' err.txt
check "--bootstrap without a port refused" status_is 2 "$sim" live live.scn --bootstrap 127.0.0.1 --out b4
check "... the option named" grep -q -- '--bootstrap' err.txt
check "--bind not an address refused" status_is 2 "$sim" live live.scn --bind nowhere --out b3
check "... nothing written" test ! -e b3

# SIGINT: exit 130, nothing written.
timeout 60 "$sim" live live.scn --out s --quiet 2>serr.txt &
pid=$!
pids+=("$pid")
sleep 2
kill -INT "$pid"
wait "$pid"; st=$?
check "SIGINT: exit 130" test "$st" -eq 130
check "... nothing written" test ! -e s
echo "1..$n"
exit $((fails > 0))
