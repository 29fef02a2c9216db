#!/usr/bin/env bash
# test-expects.sh — every shipped expectation holds: each scenario with
# `expect` lines (scenarios/*.scn and scenarios/ci/*.scn) passes over its
# declared seeds (`seeds = LIST`: one batch, judged on the mean), or, when
# it declares none, at every seed of SEEDS, one run each (judged per run,
# as a user running it meets it).
#
# Usage: test-expects.sh PATH/TO/pastrysim SCENARIOS_DIR [SEEDS]
#   SEEDS  the seeds of single-seed scenarios (default 1..20, issue 12's
#          bar: about 3 CPU minutes).  The `slow` suite runs 1..5 to stay
#          cheap under ASan; run the full check on demand:
#            scenarios/tests/test-expects.sh build/sim/pastrysim scenarios
# Scenarios that need ../shared/data are skipped when it is absent.
set -u
sim=$(readlink -f "$1")
dir=$(readlink -f "$2")
seeds=${3:-1..20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lo=${seeds%..*} hi=${seeds#*..}
case "$lo$hi" in *[!0-9]*|'') echo "Bail out! SEEDS must be A..B, not '$seeds'"; exit 2 ;; esac
n=0
fails=0
for scn in "$dir"/*.scn "$dir"/ci/*.scn; do
  grep -q '^[[:space:]]*expect[[:space:]]' "$scn" || continue
  name=${scn#"$dir"/}
  out=$work/${name//\//-}
  if grep -q 'shared/data' "$scn" && [ ! -d "$dir/../../shared/data" ]; then
    n=$((n + 1)); echo "ok $n - $name # SKIP ../shared/data is absent"
    continue
  fi
  if grep -q '^[[:space:]]*seeds[[:space:]]*=' "$scn"; then
    n=$((n + 1))
    "$sim" run "$scn" --out "$out" --no-lookups-csv >"$work/out" 2>"$work/err"
    st=$?
    if [ $st -eq 0 ]; then
      echo "ok $n - $name: over its declared seeds"
      grep '^  expect' "$work/out" | sed 's/^ */# /'
    else
      echo "not ok $n - $name: over its declared seeds: exit $st"
      sed 's/^/# /' "$work/err"; fails=$((fails + 1))
    fi
    continue
  fi
  for ((s = lo; s <= hi; s++)); do
    n=$((n + 1))
    rm -rf "$out"
    "$sim" run "$scn" --seed "$s" --out "$out" --quiet --no-lookups-csv >/dev/null 2>"$work/err"
    st=$?
    if [ $st -eq 0 ]; then
      echo "ok $n - $name --seed $s"
    else
      echo "not ok $n - $name --seed $s: exit $st"
      sed 's/^/# /' "$work/err"; fails=$((fails + 1))
    fi
  done
done
echo "1..$n"
exit $((fails > 0))
