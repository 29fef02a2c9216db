#!/usr/bin/env bash
# test-threads.sh — `run --threads N`: results do not depend on N (every
# CSV byte-identical but its `# threads:` line and the wall-clock rows;
# memory.csv, wall-clock class, has the same simulated times),
# the line says N, bad values are refused (exit 2, the option named,
# nothing written), and batches pass the option to every child.
# Usage: test-threads.sh PATH/TO/pastrysim
set -u
sim=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
n=0

check () { # name, condition (a command)
  n=$((n + 1))
  local name=$1; shift
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fails=$((fails + 1)); fi
}

run () { timeout 120 "$sim" "$@" >out.txt 2>err.txt; echo $? > status.txt; }
status () { cat status.txt; }
nothing_written () { [ ! -e res ] && ! ls -d res.tmp-* >/dev/null 2>&1; }
# A CSV without the lines allowed to differ between thread counts.
stripped () { grep -v '^# threads: ' "$1" | sed '/^# wall-clock rows/,$d'; }
# Files a and b are identical but for those lines (and are not empty).
same_but_threads () {
  [ -s "$1" ] && [ -s "$2" ] && diff <(stripped "$1") <(stripped "$2") >/dev/null
}
# The lines of a and b that differ are only the threads line and the
# wall-clock rows.
only_threads_differ () {
  ! diff "$1" "$2" | grep '^[<>]' | grep -v '^[<>] # threads: ' \
    | grep -v -E '^[<>] (build_wall_s|wall_s|events_per_s|peak_rss_mb),' \
    | grep -q .
}

# A build large enough for many blocks of work per thread, sampled slots,
# the shadow overlay, table grading, then failures with maintenance (the
# protocol stream the build draws from goes on being used).
cat > t.scn <<'EOF'
build_sample = 8
ideal_compare = on
ideal_sample = 4
quality_sample = 200
at 0s build 5000
at 1s lookup 2000 over 20s keys random
at 30s fail 20
at 3min lookup 1000 over 20s keys random
end
EOF

# 1. Same results on 1 and 3 threads.
run run t.scn --out res-1 --quiet --threads 1
check "--threads 1 runs" test "$(status)" -eq 0
run run t.scn --out res-3 --quiet --threads 3
check "--threads 3 runs" test "$(status)" -eq 0
check "--threads 1: the metadata says 1" grep -qx '# threads: 1' res-1/summary.csv
check "--threads 3: the metadata says 3" grep -qx '# threads: 3' res-3/summary.csv
files=$(cd res-1 && ls)
check "the same files" test "$files" = "$(cd res-3 && ls)"
for f in $files; do
  case "$f" in
    memory.csv)
      # Wall-clock class as a whole (results/README.md): only the
      # simulated times of its rows are the same.
      check "$f: the same simulated times" \
        diff <(grep -v '^#' "res-1/$f" | cut -d, -f1) \
             <(grep -v '^#' "res-3/$f" | cut -d, -f1) ;;
    *.csv)
      check "$f: identical but the threads line" \
        same_but_threads "res-1/$f" "res-3/$f"
      check "$f: only the threads line and wall-clock rows differ" \
        only_threads_differ "res-1/$f" "res-3/$f" ;;
    *) check "$f: identical" cmp -s "res-1/$f" "res-3/$f" ;;
  esac
done
check "the build did work (lookups succeeded)" grep -q '^ok_ratio,1' res-1/summary.csv
# The default is the online CPU count.
run run t.scn --out res-d --quiet
check "default: online CPUs" grep -qx "# threads: $(getconf _NPROCESSORS_ONLN)" res-d/summary.csv

# 2. Bad values: exit 2, the option named, nothing written; in batches too.
for bad in 0 -1 abc 1025 '' 3x ' 3' 2.5 99999999999999999999; do
  rm -rf res
  run run t.scn --out res --quiet --threads "$bad"
  check "--threads '$bad': exit 2" test "$(status)" -eq 2
  check "--threads '$bad': message names the option" grep -q -- '--threads' err.txt
  check "--threads '$bad': nothing written" nothing_written
done
run run t.scn --out res --quiet --seeds 1..2 --threads 0
check "batch --threads 0: exit 2" test "$(status)" -eq 2
check "batch --threads 0: nothing written" nothing_written

# 3. Batches pass the option on: every child says so in its metadata, and
#    its results are those of a direct run.
run run t.scn --out res-b --quiet --seeds 1..2 --jobs 2 --threads 3
check "batch runs" test "$(status)" -eq 0
check "batch: seed-1 ran on 3 threads" grep -qx '# threads: 3' res-b/seed-1/summary.csv
check "batch: seed-2 ran on 3 threads" grep -qx '# threads: 3' res-b/seed-2/lookups.csv
check "batch: seed-1 is the direct run" \
  same_but_threads res-1/lookups.csv res-b/seed-1/lookups.csv
run run t.scn --out res-t --quiet --seeds 1..2 --task 1 --threads 3
check "--task runs" test "$(status)" -eq 0
check "--task: the run says 3 threads" grep -qx '# threads: 3' res-t/seed-2/summary.csv

echo "1..$n"
[ "$fails" -eq 0 ]
