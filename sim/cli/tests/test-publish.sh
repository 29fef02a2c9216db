#!/usr/bin/env bash
# test-publish.sh — where results may go (sim-publish.c): a run, a batch or
# a collect only ever replaces a previous pastrysim result; everything else
# at the --out path is refused before the run (exit 2, the path and the
# reason named) and left as it was.  Also: every interruption and every
# write failure leaves no temporary directory and nothing that looks
# complete.  Usage: test-publish.sh PATH/TO/pastrysim
set -u
. "$(dirname "$0")/tap.sh"
sim=$(readlink -f "$1")
work=$(mktemp -d)
mounted=
cleanup () {
  [ "$BASHPID" = "$$" ] || return 0   # only the test's own shell
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
cd "$work" || exit 1

# No staging or set-aside directory anywhere under the work directory.
no_leftovers () { [ -z "$(find "$work" -name '*.tmp-*' -o -name '*.old-*' | grep -v '/home/')" ]; }
same () { cmp -s "$1" "$2"; }

cat > small.scn <<'SCN'
let nodes = 40
at 0s join $nodes over 2s
at 1min lookup 100 over 5s
end
SCN
echo "my notes" > notes.ref

# 1. The scenario's own directory, with the user's files in it.
mkdir exp && cp small.scn exp/my.scn && cp notes.ref exp/notes.txt
check "scenario's directory refused" status_is 2 "$sim" run exp/my.scn --out exp
check "...the message names the path and the input" grep -q -- '--out exp: holds exp/my.scn, an input' err.txt
check "...the scenario is still there" same small.scn exp/my.scn
check "...the notes are still there" same notes.ref exp/notes.txt
check "...no leftovers" no_leftovers
# The same directory as a sibling of the scenario, without the scenario.
mkdir exp2 && cp notes.ref exp2/notes.txt
check "directory with other files refused" status_is 2 "$sim" run small.scn --out exp2
check "...names the foreign file" grep -q "holds 'notes.txt', which pastrysim did not write" err.txt
check "...notes intact" same notes.ref exp2/notes.txt

# 2. Things that are not directories.
cp notes.ref notes.txt
check "regular file refused" status_is 2 "$sim" run small.scn --out notes.txt
check "...says what it is" grep -q -- '--out notes.txt: exists and is a regular file' err.txt
check "...file intact" same notes.ref notes.txt
check "...no notes.txt.old-*" no_leftovers
cp small.scn s.scn
check "the scenario itself refused" status_is 2 "$sim" run s.scn --out s.scn
check "...scenario intact" same small.scn s.scn
mkfifo fifo
check "FIFO refused" status_is 2 "$sim" run small.scn --out fifo
check "...still a FIFO" test -p fifo
if mknod chardev c 1 3 2>/dev/null; then
  check "character device refused" status_is 2 "$sim" run small.scn --out chardev
  check "...says so" grep -q 'is a character device' err.txt
  check "...still a device" test -c chardev
else
  skip "character device refused" "mknod not permitted"
fi
check "/dev/null refused" status_is 2 "$sim" run small.scn --out /dev/null
check "...still a device" test -c /dev/null
mkdir -p a && cp notes.ref a/file
check "a parent that is a file refused" status_is 2 "$sim" run small.scn --out a/file/res
check "...says it cannot be created" grep -q 'cannot be created: a/file is a regular file' err.txt

# 3. Symbolic links: never replaced, never written through.
mkdir target && cp notes.ref target/notes.txt
ln -s target link
check "link to a directory refused" status_is 2 "$sim" run small.scn --out link
check "...says it is a link" grep -q 'is a symbolic link' err.txt
check "...target's files intact" same notes.ref target/notes.txt
check "...link intact" test -L link
"$sim" run small.scn --out prev --quiet
ln -s prev prevlink
check "link to a previous result refused" status_is 2 "$sim" run small.scn --out prevlink
check "...the result is intact" test -s prev/summary.csv
check "link with a trailing slash refused" status_is 2 "$sim" run small.scn --out link/

# 4. Places that are never results.
check "empty path refused" status_is 2 "$sim" run small.scn --out ''
check "...says it is empty" grep -q -- '--out: the path is empty' err.txt
check "...no .tmp- directory" no_leftovers
check "'.' refused" status_is 2 "$sim" run small.scn --out .
check "...as the working directory" grep -q 'is the working directory or one of its parents' err.txt
check "'..' refused" status_is 2 "$sim" run small.scn --out ..
check "'/' refused" status_is 2 "$sim" run small.scn --out /
mkdir -p home/me
check "\$HOME refused even when empty" status_is 2 env HOME="$work/home/me" "$sim" run small.scn --out "$work/home/me"
check "...as the home directory" grep -q 'is your home directory' err.txt
check "a parent of \$HOME refused" status_is 2 env HOME="$work/home/me" "$sim" run small.scn --out "$work/home"
check "...nothing written into it" test -z "$(ls home/me)"

# 5. What may be replaced: a previous result, with or without plots; an
#    empty directory; nothing at all (parents created).
"$sim" run small.scn --out res --seed 7 --quiet
touch res/hops.png res/hops.svg res/timeline.png
check "previous result with plots replaced" status_is 0 "$sim" run small.scn --out res --quiet
check "...with the new run" grep -q '^# seed: 1$' res/summary.csv
check "...old plots gone" test ! -e res/hops.png
mkdir empty
check "empty directory used" status_is 0 "$sim" run small.scn --out empty --quiet
check "new nested directory created" status_is 0 "$sim" run small.scn --out new/deep/res --quiet
check "...with results" test -s new/deep/res/summary.csv
check "results dir with a foreign summary.csv refused" bash -c '
  mkdir fake && echo "metric,value" > fake/summary.csv &&
  ! "$0" run small.scn --out fake --quiet 2>err2.txt &&
  grep -q "fake/summary.csv was not written by pastrysim" err2.txt' "$sim"
cp notes.ref res/notes.txt
check "previous result plus a user's file refused" status_is 2 "$sim" run small.scn --out res
check "...the user's file intact" same notes.ref res/notes.txt
rm res/notes.txt

# 6. A failed run creates nothing, not even the parents.
printf '0 10\n10 x\n' > m.txt
printf 'network = matrix\nmatrix_file = "m.txt"\nat 0s build 5\nend\n' > mat.scn
check "bad latency file exits 2" status_is 2 "$sim" run mat.scn --out p1/p2/res
check "...no parents left" test ! -e p1
check "...no leftovers" no_leftovers

# 7. Batches obey the same rule, and replace previous batches.
mkdir bexp && cp notes.ref bexp/notes.txt
check "batch into a foreign directory refused" status_is 2 "$sim" run small.scn --seeds 1..2 --out bexp
check "...notes intact" same notes.ref bexp/notes.txt
check "...no leftovers" no_leftovers
check "batch" status_is 0 "$sim" run small.scn --seeds 1..2 --out bres --quiet
check "batch over a previous batch" status_is 0 "$sim" run small.scn --seeds 3..4 --out bres --quiet
check "...holds the new seeds only" bash -c 'test -d bres/seed-3 && test ! -e bres/seed-1'
check "sweep" status_is 0 "$sim" run small.scn --sweep b=2,4 --seeds 1..2 --out sres --quiet
check "sweep over a previous sweep" status_is 0 "$sim" run small.scn --sweep b=2,4 --seeds 1..2 --out sres --quiet
check "a single run over a previous batch" status_is 0 "$sim" run small.scn --out bres --quiet
cp -r sres sres2 && cp notes.ref 'sres2/b=2/notes.txt'
check "a user's file deep in a sweep refused" status_is 2 "$sim" run small.scn --out sres2
check "...names it" grep -q "holds 'notes.txt'" err.txt

# 8. collect replaces only files pastrysim wrote, all or nothing.
"$sim" run small.scn --seeds 1..3 --out cres --quiet
cp cres/summary.csv summary.ref
cp notes.ref cres/aggregate.csv
check "collect over a foreign aggregate.csv refused" status_is 2 "$sim" collect cres
check "...names it" grep -q 'cres/aggregate.csv exists and was not written by pastrysim' err.txt
check "...nothing replaced" same summary.ref cres/summary.csv
check "...the foreign file intact" same notes.ref cres/aggregate.csv
rm cres/aggregate.csv cres/summary.csv
check "collect with a 1 KB file-size limit fails (exit 1)" status_is 1 bash -c 'ulimit -f 1; exec "$0" collect cres' "$sim"
check "...says why" grep -q 'cannot write' err.txt
check "...writes no summary.csv" test ! -e cres/summary.csv
check "...and no temporary file" bash -c '! ls cres | grep -q tmp-'
check "collect again without the limit" status_is 0 "$sim" collect cres
check "...same summary as the batch's" same summary.ref cres/summary.csv

# 9. Write failures during a run: nothing half-written, no temporary dir.
check "run with a 4 KB file-size limit fails (exit 1)" status_is 1 bash -c 'ulimit -f 4; exec "$0" run small.scn --out fres --quiet' "$sim"
check "...no results" test ! -e fres
check "...no leftovers" no_leftovers
"$sim" run small.scn --out pres --seed 3 --quiet
cp pres/summary.csv pres.ref
check "failed rerun keeps the previous results" status_is 1 bash -c 'ulimit -f 4; exec "$0" run small.scn --out pres --quiet' "$sim"
check "...unchanged" same pres.ref pres/summary.csv
check "a closed stdout is not fatal" bash -c '"$0" run small.scn --out pipe-res | true; [ "${PIPESTATUS[0]}" -eq 0 ] && test -s pipe-res/summary.csv' "$sim"
mkdir -p ro-src ro
if mount --bind ro-src ro 2>/dev/null && mount -o remount,ro,bind ro 2>/dev/null; then
  mounted=$work/ro
  check "read-only parent: exit 1" status_is 1 "$sim" run small.scn --out ro/res --quiet
  check "...names the directory" grep -q 'cannot create a directory beside ro/res' err.txt
  umount ro && mounted=
else
  umount ro 2>/dev/null
  skip "read-only parent: exit 1" "cannot bind-mount here"
fi

# 10. Signals at any moment: exit 130, a message, no temporary directory.
#     A FIFO as the latency file holds the run inside the loader.
awk 'BEGIN { for (i = 0; i < 5; i++) { for (j = 0; j < 5; j++) printf "%d ", (i == j ? 0 : 10 + i + j); print "" } }' > m5.txt
mkfifo mfifo
printf 'network = matrix\nmatrix_file = "mfifo"\nat 0s build 5\nat 1s lookup 10 over 1s\nend\n' > fifo.scn
for sig in INT TERM HUP; do
  "$sim" run fifo.scn --out sig-res --quiet >out.txt 2>err.txt &
  pid=$!
  for _ in $(seq 50); do ls -d sig-res.tmp-* >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 0.2
  kill -"$sig" "$pid"
  # Unblock a loader that restarted its read.
  (cat m5.txt > mfifo) 2>/dev/null & feeder=$!
  wait "$pid"; st=$?
  kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null
  check "SIG$sig while loading: exit 130" test "$st" -eq 130
  check "SIG$sig while loading: says so" grep -q 'interrupted; no results written' err.txt
  check "SIG$sig while loading: no temporary directory" bash -c '! ls -d sig-res* 2>/dev/null'
done

# 11. The target changes during the run: nothing replaced, results kept.
#     The staging directory appears after the check; the run is then
#     stopped (SIGSTOP) while a file is put into the previous result.
printf 'let nodes = 2000\nat 0s join $nodes over 20s\nat 1min lookup 400000 over 50s\nend\n' > long.scn
"$sim" run small.scn --out race --quiet
"$sim" run long.scn --out race --quiet --no-lookups-csv >out.txt 2>err.txt &
pid=$!
for _ in $(seq 1000); do ls -d race.tmp-* >/dev/null 2>&1 && break; sleep 0.005; done
kill -STOP "$pid"
cp notes.ref race/notes.txt
kill -CONT "$pid"
wait "$pid"; st=$?
check "target changed during the run: exit 2" test "$st" -eq 2
check "...the user's file intact" same notes.ref race/notes.txt
check "...the previous result intact" test -s race/lookups.csv
check "...says where the results are" grep -q 'the results were kept in race.tmp-' err.txt
check "...and they are complete" bash -c 'test -s race.tmp-*/summary.csv'

echo "1..$n"
exit $((fails > 0))
