#!/usr/bin/env bash
# test-seed-route.sh — `pastrysim seed-route FILE` as a user meets it: exit
# 0 on the shared vectors (skipped when they are absent), 2 with
# FILE:LINE:COL on a broken file, 1 on a file with one altered expectation.
# Usage: test-seed-route.sh PATH/TO/pastrysim [VECTORS]
# VECTORS defaults to $PASTRY_SEED_VECTORS, else
# $PASTRYSIM_SHARED_DATA/seed-route/vectors.jsonl.
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
vectors=${2:-${PASTRY_SEED_VECTORS:-${PASTRYSIM_SHARED_DATA:-/nonexistent}/seed-route/vectors.jsonl}}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A README-example line written here, so the exit-1 and exit-2 checks run
# even without the shared data.
id () { printf "0$1%.0s" {1..16}; }  # 0N repeated: 0101…01
good_line () { # addr order for route("03", 5)
  printf '{"id":0,"self":"6d796964313131316d79696432323232","peers":[["%s",1],["%s",2]],' "$(id 1)" "$(id 2)"
  printf '"updates":[[["%s",3]]],"leaf_len":3,"leaf_first":["%s","%s","%s"],' "$(id 3)" "$(id 1)" "$(id 3)" "$(id 2)"
  printf '"queries":[{"key":"03","n":5,"expect":["%s","%s","%s"],"expect_addr":[%s]}]}\n' "$(id 3)" "$(id 2)" "$(id 1)" "$1"
}

# 1. A small file of our own: exit 0 and the count.
good_line 3,2,1 > good.jsonl
check "own file exits 0" status_is 0 "$sim" seed-route good.jsonl
check "own file prints the count" grep -qx 'seed-route: 1 queries, 1 matched' out.txt

# 2. One altered expectation: exit 1, the count and the mismatch's place.
{ good_line 3,2,1; good_line 3,1,2; } > altered.jsonl
check "altered expectation exits 1" status_is 1 "$sim" seed-route altered.jsonl
check "altered expectation is counted" grep -qx 'seed-route: 2 queries, 1 matched' out.txt
check "altered expectation names file:line:col" grep -q '^altered.jsonl:2:[0-9]*: route("03", 5)' err.txt

# 3. Broken files: exit 2 with FILE:LINE:COL, no count.
{ good_line 3,2,1; printf '{"self": "00",\n'; } > broken.jsonl
check "broken JSON exits 2" status_is 2 "$sim" seed-route broken.jsonl
check "broken JSON names file:line:col" grep -q '^broken.jsonl:2:15: ' err.txt
check "broken JSON prints no count" test ! -s out.txt
good_line 3,2,1 | sed 's/"self":"6d/"self":"xd/' > badhex.jsonl
check "bad hex exits 2" status_is 2 "$sim" seed-route badhex.jsonl
check "bad hex names file:line:col" grep -q '^badhex.jsonl:1:17: ' err.txt
good_line 3,2,1 | sed 's/"leaf_len":3,//' > missing.jsonl
check "missing member exits 2" status_is 2 "$sim" seed-route missing.jsonl
check "missing member names file:line:col" grep -q '^missing.jsonl:1:1: missing member "leaf_len"' err.txt
check "missing file exits 2" status_is 2 "$sim" seed-route nosuch.jsonl
check "no FILE exits 2" status_is 2 "$sim" seed-route
check "unknown option exits 2" status_is 2 "$sim" seed-route --frobnicate good.jsonl

# 4. The shared vectors, and one altered expectation among them.
if [ -r "$vectors" ]; then
  check "shared vectors exit 0" status_is 0 "$sim" seed-route "$vectors"
  check "shared vectors all matched" grep -Eq '^seed-route: ([1-9][0-9]*) queries, \1 matched$' out.txt
  sed -n 's/^/# /p' out.txt
  # Swap the first two values of the first expect_addr with two or more.
  sed -E '0,/"expect_addr":\[([0-9]+),([0-9]+)/s//"expect_addr":[\2,\1/' "$vectors" > shared-altered.jsonl
  check "shared vectors with one altered expectation exit 1" status_is 1 "$sim" seed-route shared-altered.jsonl
  check "exactly one query mismatched" bash -c "grep -Eq '^seed-route: ([0-9]+) queries, ' out.txt && awk '{ exit !(\$2 == \$4 + 1) }' out.txt"
else
  skip "shared vectors exit 0" "no vectors at $vectors"
  skip "shared vectors all matched" "no vectors"
  skip "shared vectors with one altered expectation exit 1" "no vectors"
  skip "exactly one query mismatched" "no vectors"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
