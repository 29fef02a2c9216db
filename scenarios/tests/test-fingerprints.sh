#!/usr/bin/env bash
# test-fingerprints.sh — every golden event fingerprint of
# scenarios/tests/fingerprints.txt still holds (scripts/fingerprints).  When
# a change is meant to alter behaviour, run `scripts/fingerprints --update`
# and commit the new fingerprints with it.
# Usage: test-fingerprints.sh PATH/TO/pastrysim SOURCE_ROOT
set -u
sim=$(readlink -f "$1")
root=$2
n=0
fails=0
while IFS= read -r line; do
  case "$line" in
    same*) n=$((n + 1)); echo "ok $n - ${line#same     }" ;;
    CHANGED*|FAILED*) n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $line" ;;
    '  '*) echo "# $line" ;;
  esac
done < <("$root/scripts/fingerprints" --pastrysim "$sim")
echo "1..$n"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]
