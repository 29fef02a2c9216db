#!/usr/bin/env bash
# test-layers.sh — the layers' boundaries hold: sim/meson.build checks at
# configure time that each layer's include directories offer only the
# layers below it; this checks that no source sidesteps that with a path
# ("../net/sim-net.h" resolves against the including file's folder).
# Usage: test-layers.sh SOURCE_ROOT
set -u
root=$1
n=0
fails=0
for dir in core sim; do
  n=$((n + 1))
  bad=$(grep -rn --include='*.c' --include='*.h' -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$root/$dir" || true)
  if [ -z "$bad" ]; then
    echo "ok $n - $dir/: no include by path"
  else
    echo "not ok $n - $dir/: includes by path cross the layers' boundaries"
    printf '%s\n' "$bad" | sed "s|$root/||; s/^/#   /"
    fails=$((fails + 1))
  fi
done
# A layer's private header is its own: core's *-private.h are not for sim/.
n=$((n + 1))
bad=$(grep -rn --include='*.c' --include='*.h' -E '#[[:space:]]*include[[:space:]]*"pastry-[a-z-]*-private\.h"' "$root/sim" || true)
if [ -z "$bad" ]; then
  echo "ok $n - sim/: no core-private header"
else
  echo "not ok $n - sim/ includes core's private headers"
  printf '%s\n' "$bad" | sed "s|$root/||; s/^/#   /"
  fails=$((fails + 1))
fi
echo "1..$n"
exit $((fails > 0))
