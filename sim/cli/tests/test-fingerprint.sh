#!/usr/bin/env bash
# test-fingerprint.sh — `run --fingerprint`: the same run gives the same
# fingerprint, a change of behaviour another; it is printed (even with
# --quiet) and noted in summary.csv only, leaves every other byte of the
# results as without it, and reaches the runs of a batch (whose aggregate
# does not claim any one run's fingerprint).
# Usage: test-fingerprint.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
printf 'maintenance = on\nat 0s join 40 over 20s\nat 1min fail 3\nat 2min lookup 300 over 10s\nend\n' > f.scn
fp () { "$sim" run f.scn --quiet --fingerprint "$@" | sed -n 's/^fingerprint: //p'; }
a=$(fp --out r1)
b=$(fp --out r2)
c=$(fp --out r3 --set probe_period=3min)
d=$(fp --out r4 --seed 2)
check "printed with --quiet, 16 hex digits" bash -c "[[ '$a' =~ ^[0-9a-f]{16}$ ]]"
check "same run, same fingerprint" test "$a" = "$b"
check "other parameter, other fingerprint" test "$a" != "$c"
check "other seed, other fingerprint" test "$a" != "$d"
check "noted in summary.csv" grep -q "^# fingerprint: $a\$" r1/summary.csv
"$sim" run f.scn --quiet --out r5
check "summary.csv otherwise as without it" bash -c "diff <(grep -v '^# fingerprint' r1/summary.csv | sed '/^# wall-clock/,\$d') <(sed '/^# wall-clock/,\$d' r5/summary.csv)"
for f in lookups.csv hops.csv timeline.csv messages.csv; do
  check "$f as without it" cmp -s "r1/$f" "r5/$f"
done
"$sim" run f.scn --quiet --fingerprint --seeds 1..2 --out b >/dev/null
check "batch runs carry their fingerprints" bash -c "grep -q '^# fingerprint: $a\$' b/seed-1/summary.csv && grep -q '^# fingerprint: $d\$' b/seed-2/summary.csv"
check "the aggregate claims none" bash -c '! grep -q "^# fingerprint" b/summary.csv'
echo "1..$n"
exit $((fails > 0))
