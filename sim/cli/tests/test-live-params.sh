#!/usr/bin/env bash
# test-live-params.sh — `pastrysim live` and the parameters of the churn
# studies (issue 17).  maintenance_strategy is core's: live runs honour
# it — 8 nodes with maintenance on for about 3 s send periodic leaf-set
# requests under `periodic` (one per node per heartbeat_period), which
# `mspastry` sends only around joins while nothing fails.  access_up and access_down are
# simulated links, not emulated live: a scenario or --set that limits one
# is refused at its FILE:LINE:COL (exit 2, nothing written); `off` is
# accepted.  About 8 s.
# Usage: test-live-params.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat > links.scn <<'SCN'
seed = 3
access_down = 64kbit
at 0s join 4
end
SCN
check "access_down in the file: exit 2" status_is 2 "$sim" live links.scn --out r1 --quiet
check "... at its file:line:col" grep -q '^links.scn:2:15: live: access links (access_down)' err.txt
check "... nothing written" test ! -e r1
check "access_up by --set: exit 2" status_is 2 "$sim" live links.scn --set access_down=off --set access_up=1Mbit --out r2 --quiet
check "... at its --set position" grep -q '^--set:2:1: live: access links (access_up)' err.txt
check "... nothing written" test ! -e r2

cat > strat.scn <<'SCN'
seed = 3
maintenance = on
network = constant
constant_latency = 5ms
heartbeat_period = 200ms
heartbeat_timeout = 1s
probe_timeout = 150ms
probe_period = 5s
access_up = off
at 0s join 8 over 500ms
at 3s lookup 10 keys random
end
SCN
# Ports base .. base + 7; a base taken by another program: one retry.
run_strategy () { # strategy out
  local i st
  for i in 1 2; do
    timeout 60 "$sim" live strat.scn --set maintenance_strategy="$1" \
      --port-base $((20000 + RANDOM % 40000)) --out "$2" --quiet 2>err.txt
    st=$?
    [ "$st" -eq 1 ] && grep -q "cannot open" err.txt || break
  done
  return "$st"
}
count () { awk -F, -v t="$2" '$1 == t { print $2 }' "$1/messages.csv"; }
check "periodic: live run exits 0" run_strategy periodic per
check "mspastry: live run exits 0" run_strategy mspastry msp
p=$(count per leafset_request) m=$(count msp leafset_request)
echo "# leafset_request: periodic ${p:-?}, mspastry ${m:-?}"
# Periodic: about 8 x 3 s / 200 ms = 120 on top of what a join asks.
check "periodic sends leaf-set requests every heartbeat_period" test "${p:-0}" -ge $((${m:-1000} + 60))
echo "1..$n"
exit $((fails > 0))
