# tap.sh — the TAP helpers every command-line test script sources:
#   check NAME COMMAND...       ok / not ok NAME by COMMAND's status
#   skip NAME REASON            ok NAME # SKIP REASON
#   status_is WANT COMMAND...   runs COMMAND (stdout to out.txt, stderr to
#                               err.txt in the current directory) and
#                               succeeds when it exits WANT, else shows
#                               the status and the start of stderr
# The script ends with: echo "1..$n"; exit $((fails > 0))
n=0
fails=0

check () {
  n=$((n + 1))
  local name=$1; shift
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fails=$((fails + 1)); fi
}

skip () {
  n=$((n + 1))
  echo "ok $n - $1 # SKIP $2"
}

status_is () {
  local want=$1; shift
  "$@" >out.txt 2>err.txt
  local got=$?
  [ "$got" -eq "$want" ] || { echo "# exit $got, wanted $want; stderr:"; sed 's/^/#   /' err.txt | head -20; return 1; }
}
