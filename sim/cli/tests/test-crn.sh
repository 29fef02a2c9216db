#!/usr/bin/env bash
# test-crn.sh — common random numbers (sim/pastry/sim-world.c, "Random
# streams"): runs that differ only in a protocol parameter see the same
# world.  A churn scenario with message loss, whose churn and lookups start
# while the first joins are still running, is run as is and with
# probe_period, heartbeat_period and repair changed; each variant must
# have the same lookups (t_s,src,key of lookups.csv, as a sorted set:
# rows are written as lookups end) and the same joins, leaves and
# failures in every timeline row up to the end of the schedule (510 s; the
# run then goes on until its last lookup and join end, a time that is the
# protocol's), while its maintenance traffic differs (the parameter took
# effect).  The former shared streams fail both comparisons.
# Usage: test-crn.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat > crn.scn <<'SCN'
loss = 1%
heartbeat_period = 10s
heartbeat_timeout = 25s
probe_period = 2min
let nodes = 100
at 0s   join $nodes over 1min
at 30s  churn for 8min session exp(3min) down exp(2min) population 120
at 30s  lookup every exp(5s) per node for 8min keys random
end
SCN

run () { # NAME [--set ...]
  local name=$1; shift
  "$sim" run crn.scn --seed 3 --quiet --out "$name" "$@" >/dev/null 2>"$name.err"
}
lookups () { grep -v '^#' "$1/lookups.csv" | cut -d, -f1-3 | sort; }
schedule () { grep -v '^#' "$1/timeline.csv" | awk -F, '$1 <= 510' | cut -d, -f1,3-5; }
maint () { grep '^maint_msgs_per_node_s,' "$1/summary.csv"; }

check "base run" run base
check "base has lookups" test "$(lookups base | wc -l)" -gt 1000
check "base has churn" test "$(schedule base | awk -F, '$4 > 0' | wc -l)" -gt 5

for variant in probe_period=30s heartbeat_period=20s repair=leafset; do
  check "$variant run" run "$variant" --set "$variant"
  check "$variant changes maintenance" test "$(maint base)" != "$(maint "$variant")"
  check "$variant: same t_s,src,key in lookups.csv" \
    cmp -s <(lookups base) <(lookups "$variant")
  check "$variant: same joins, leaves, failures per timeline row" \
    cmp -s <(schedule base) <(schedule "$variant")
done

echo "1..$n"
exit $((fails > 0))
