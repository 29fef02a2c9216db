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
# Every action of the language but build, at half speed (--time-scale
# 0.5): churn with per-node lookups, rejoin all, Zipf keys, a percentage,
# a range and named nodes failing or leaving, a churn trace, sequential
# joins; then 200 lookups after repair all reach the true root.  The
# schedule is run's: lookups within 10 % of run's count (they differ only
# where the schedule depends on when joins complete).
cat > acts.scn <<'SCN'
seed = 2
network = euclidean
heartbeat_period = 500ms
heartbeat_timeout = 1500ms
probe_timeout = 300ms
probe_period = 5s
lookup_timeout = 5s
at 0s    join 24 over 2s
at 3s    churn for 8s session exp(4s) down exp(2s)
at 3s    lookup rate 2/s per node for 8s keys random
at 12s   rejoin all
at 12s   lookup rate 50/s for 2s keys zipf(0.9, 100)
at 15s   fail 10%
at 15s   leave range 2
at 15s   fail nodes 0, 1
at 17s   churn trace tr.txt id new
at 17s   join 3 sequential
at 25s   lookup 200 over 1s keys node
end
SCN
printf '0 0 2\n1 0.5 -\n0 2.5 inf\n' > tr.txt
# (Started here, in the background, beside the next runs: the runs are
# light and mostly wait on timers.)
timeout 90 "$sim" live acts.scn --time-scale 0.5 --out acts --quiet 2>acts.err &
acts_pid=$!
pids+=("$acts_pid")

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

wait "$acts_pid"
check "all actions: live run exits 0" test $? -eq 0
timeout 60 "$sim" run acts.scn --out acts-run --quiet 2>/dev/null
xm () { awk -F, -v m="$1" '$1 == m { print $2 }' "$2/summary.csv"; }
tl () { grep -v '^#' "$1/timeline.csv" | awk -F, -v c="$2" 'NR > 1 { s += $c } END { print s + 0 }'; }
echo "# live vs run: lookups $(xm lookups acts) / $(xm lookups acts-run), joins $(tl acts 3) / $(tl acts-run 3), leaves $(tl acts 4) / $(tl acts-run 4), failures $(tl acts 5) / $(tl acts-run 5), live at the end $(xm live_nodes_end acts) / $(xm nodes acts-run)"
check "... lookups within 10 % of run's count" awk -v a="$(xm lookups acts)" -v b="$(xm lookups acts-run)" 'BEGIN { exit !(b > 0 && (a - b) / b < 0.1 && (b - a) / b < 0.1) }'
check "... churn, rejoins, the trace and sequential joins joined nodes" awk -v j="$(tl acts 3)" 'BEGIN { exit !(j >= 24 + 10 + 3 + 2) }'
check "... 2 nodes left (leave range 2)" test "$(tl acts 4)" -eq 2
check "... churn and fail crashed nodes" awk -v f="$(tl acts 5)" 'BEGIN { exit !(f >= 10) }'
check "... the last 200 lookups all at the true root" test "$(grep -v '^#' acts/lookups.csv | awk -F, 'NR > 1 && $1 >= 25' | grep -c ',ok$')" -eq 200

# Across processes, failures: process B (16 nodes, joined through A)
# loses 8 of them and at once 8 new nodes join through B's survivors;
# then A's 600 lookups, with hop_retries = 0, fail wherever a hop times
# out.  A lookup of A that fails in B is reported to A (B's
# failures_reported equals A's lookups_remote_failed) and counted there
# as failed; none is left to A's deadline.  B's JOINs towards the dead
# are acknowledged hop by hop: unacknowledged ones (acks_missed) are
# rerouted and every join completes (16 nodes live at B's end; a join
# that still finds no way may need its timer's restart, lookup_timeout).
cat > fa.scn <<'SCN'
seed = 11
network = euclidean
maintenance = on
heartbeat_period = 1s
heartbeat_timeout = 60s
probe_period = 10min
probe_timeout = 300ms
hop_retries = 0
lookup_timeout = 5s
at 0s   join 16 over 1s
at 6s   lookup 600 over 1s keys random
end
SCN
cat > fb.scn <<'SCN'
seed = 12
network = euclidean
maintenance = on
heartbeat_period = 1s
heartbeat_timeout = 60s
probe_period = 10min
probe_timeout = 300ms
hop_retries = 0
lookup_timeout = 3s
at 0s     join 16 over 1s
at 3s     fail 8
at 3100ms join 8 over 200ms
end
SCN
fails_across () {
  local base=$((20000 + RANDOM % 40000)) p st=0
  local -a mine=()
  timeout 60 "$sim" live fa.scn --port-base "$base" --linger 1 --out fa \
    --quiet 2>fa.err &
  mine+=($!)
  sleep 2
  timeout 60 "$sim" live fb.scn --port-base $((base + 16)) \
    --bootstrap "127.0.0.1:$base" --linger 11 --out fb --quiet 2>fb.err &
  mine+=($!)
  pids+=("${mine[@]}")
  for p in "${mine[@]}"; do wait "$p" || st=1; done
  return $st
}
fails_across; st=$?
if [ "$st" -ne 0 ] && grep -q "cannot open" fa.err fb.err; then rm -rf fa fb; fails_across; st=$?; fi
check "failures across processes: both exit 0" test "$st" -eq 0
am () { awk -F, -v m="$1" '$1 == m { print $2 }' fa/summary.csv; }
bm () { awk -F, -v m="$1" '$1 == m { print $2 }' fb/summary.csv; }
echo "# A: lookups $(am lookups), ok $(am ok_ratio), failed $(am failed_ratio), reported failed by B $(am lookups_remote_failed), expired $(am lookups_expired); B: failures_reported $(bm failures_reported), acks_missed $(bm acks_missed), live at the end $(bm live_nodes_end)"
check "... A's 600 lookups all in lookups.csv" test "$(grep -v '^#' fa/lookups.csv | tail -n +2 | wc -l)" -eq 600
check "... some of A's lookups failed in B, reported" awk -v r="$(bm failures_reported)" 'BEGIN { exit !(r >= 1) }'
check "... A counted every report (B's failures_reported = A's lookups_remote_failed)" test "$(am lookups_remote_failed)" = "$(bm failures_reported)"
check "... counted as failed in A's lookups.csv" awk -v f="$(grep -v '^#' fa/lookups.csv | grep -c ',failed')" -v r="$(am lookups_remote_failed)" 'BEGIN { exit !(f >= r) }'
check "... none left to A's deadline" test "$(am lookups_expired)" = 0.000
check "... B's JOINs: unacknowledged hops seen (acks_missed)" awk -v r="$(bm acks_missed)" 'BEGIN { exit !(r >= 1) }'
check "... every join completed: 16 nodes live at B's end" test "$(bm live_nodes_end)" = 16.000

# IPv6 loopback: 16 nodes on ::1 join; 200 lookups all at the true root.
if grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
  cat > v6.scn <<'SCN'
seed = 4
network = euclidean
at 0s  join 16 over 1s
at 3s  lookup 200 over 1s keys random
end
SCN
  timeout 60 "$sim" live v6.scn --bind ::1 --out v6 --quiet 2>v6.err
  check "IPv6 (--bind ::1): run exits 0" test $? -eq 0
  vm () { awk -F, -v m="$1" '$1 == m { print $2 }' v6/summary.csv; }
  check "... 200 lookups all at the true root" bash -c "[ '$(vm lookups)' = 200 ] && [ '$(vm ok_ratio)' = 1 ]"
  check "... the nodes' addresses are ::1" bash -c "[ \$(grep -c '^[0-9]*,[0-9a-f]*,::1:[0-9]*,1\$' v6/live-nodes.csv) -eq 16 ]"
else
  skip "IPv6 (--bind ::1)" "no IPv6 loopback (::1 not in /proc/net/if_inet6)"
fi

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
printf 'ideal_compare = on\nat 0s join 4\nend\n' > ideal.scn
check "a measurement from global knowledge refused" status_is 2 "$sim" live ideal.scn --out b5
check "... at the line that set it" grep -q '^ideal.scn:1:17: live: ' err.txt
printf 'seeds = 1..3\nat 0s join 4\nend\n' > seeds.scn
check "a batch over seeds refused without --seed" status_is 2 "$sim" live seeds.scn --out b6
check "... --seed named" grep -q -- '--seed' err.txt
check "... nothing written" test ! -e b5 -a ! -e b6

# Expectations are judged as run judges them: one that fails exits 3.
printf 'at 0s join 4\nat 1s lookup 20 keys random\nexpect mean_hops > 5\nend\n' > exp.scn
check "a failed expectation exits 3" status_is 3 "$sim" live exp.scn --out ex
check "... FILE:LINE:COL: expectation failed" grep -q '^exp.scn:3:1: expectation failed: mean_hops > 5' err.txt

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
