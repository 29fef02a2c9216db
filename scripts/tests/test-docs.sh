#!/usr/bin/env bash
# test-docs.sh — the commands the front page shows still work: every line
# of README.md's ```sh blocks (but the two set-up commands, which CI runs
# itself) runs, in order, from a scratch directory that sees the build,
# the scenarios and the scripts as the repository does, and exits 0.
# Usage: test-docs.sh SOURCE_ROOT BUILD_DIR
set -u
root=$(readlink -f "$1")
build=$(readlink -f "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
ln -s "$build" build
ln -s "$root/scenarios" scenarios
ln -s "$root/scripts" scripts
mkdir results
n=0
fails=0
while IFS= read -r line; do
  cmd=${line%%#*}                     # the comment after the command
  cmd=$(printf '%s' "$cmd" | sed 's/[[:space:]]*$//')
  case "$cmd" in
    ''|scripts/setup*) continue ;;
  esac
  n=$((n + 1))
  if bash -c "$cmd" >out.txt 2>err.txt; then
    echo "ok $n - $cmd"
  else
    echo "not ok $n - $cmd (exit $?)"; sed 's/^/#   /' err.txt | tail -5
    fails=$((fails + 1))
  fi
done < <(awk '/^```sh/ { f = 1; next } /^```/ { f = 0 } f' "$root/README.md")
echo "1..$n"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]
