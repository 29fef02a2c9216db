#!/usr/bin/env bash
# test-shipped.sh — every shipped scenario (scenarios/*.scn and
# scenarios/ci/*.scn) runs to the end at seed 1 and accounts for every
# lookup it started: lookups_started == lookups_ended in summary.csv, and
# lookups.csv has one row per lookup started.  Scenarios that need
# ../shared/data are skipped when it is absent.
# Usage: test-shipped.sh PATH/TO/pastrysim SCENARIOS_DIR
set -u
sim=$(readlink -f "$1")
dir=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fails=0
for scn in "$dir"/*.scn "$dir"/ci/*.scn; do
  name=${scn#"$dir"/}
  out=$work/${name//\//-}
  n=$((n + 1))
  if grep -q 'shared/data' "$scn" && [ ! -d "$dir/../../shared/data" ]; then
    echo "ok $n - $name # SKIP ../shared/data is absent"
    continue
  fi
  "$sim" run "$scn" --seed 1 --out "$out" --quiet >/dev/null 2>"$work/err"
  st=$?
  if [ "$st" -ne 0 ] && [ "$st" -ne 3 ]; then
    echo "not ok $n - $name: exit $st"; sed 's/^/# /' "$work/err"
    fails=$((fails + 1)); continue
  fi
  started=$(awk -F, '$1 == "lookups_started" { print $2 }' "$out/summary.csv")
  ended=$(awk -F, '$1 == "lookups_ended" { print $2 }' "$out/summary.csv")
  rows=$(grep -vc -e '^#' -e '^t_s,' "$out/lookups.csv")
  if [ -n "$started" ] && [ "$started" = "$ended" ] && [ "$rows" = "$started" ]; then
    echo "ok $n - $name: $started lookups started, ended and in lookups.csv"
  else
    echo "not ok $n - $name: started '$started', ended '$ended', lookups.csv rows $rows"
    fails=$((fails + 1))
  fi
done
echo "1..$n"
exit $((fails > 0))
