# tests/lib.sh: helpers for the shell test files (sourced). Each check counts
# one pass or one failure; pd_summary prints "NAME: N passed, N failed".
# PD is the binary under test; PD_WRAP (optional) runs it under valgrind.
set -u
pd_pass=0
pd_failed=0
TMP=${TMP:-tests/tmp/$$}
mkdir -p "$TMP"
DATA=../shared/data
# the UBSan builds run slower than the release build whose time limits the
# tests state: bounded() gives them that much more CPU (the suite's safe
# build, ReleaseSafe, about 1.5x; a Debug one, -O0, about 4x), and tests
# that scale inputs may make them smaller for a Debug one (pd_debug).
# pd_second (PD_SECOND=1, tests/run.sh --quick's release pass): a second
# plain pass over the same tests, where the checks of the build system and
# the recipes, which do not depend on the binary, are not run again
pd_debug=0 pd_cpu_factor=1 pd_second=${PD_SECOND:-0}
case "$PD" in
*/zig-out/debug/*) pd_debug=1 pd_cpu_factor=4 ;;
*/zig-out/safe/*) pd_cpu_factor=2 ;;
esac
have_data() { [ -d "$DATA" ]; }

ok() { pd_pass=$((pd_pass + 1)); [ -n "${PD_QUIET:-}" ] || echo "ok   $1"; }
bad() { pd_failed=$((pd_failed + 1)); echo "FAIL $1: $2" >&2; }
skip() { echo "skip $1: $2"; }

# run ARGS...: runs the binary, leaving $out (stdout file), $err (stderr file)
# and $rc.
run() {
  out=$TMP/out err=$TMP/err
  ${PD_WRAP:-} "$PD" "$@" >"$out" 2>"$err"
  rc=$?
}

# expect_rc NAME CODE ARGS...
expect_rc() {
  local name=$1 code=$2
  shift 2
  run "$@"
  if [ "$rc" = "$code" ]; then ok "$name"; else bad "$name" "exit $rc, expected $code; stderr: $(head -c 300 "$err")"; fi
}

# expect_error NAME PATTERN ARGS...: exit 2 and exactly one stderr line
# matching PATTERN (grep -E), and nothing on stdout.
expect_error() {
  local name=$1 pat=$2
  shift 2
  run "$@"
  local lines
  lines=$(wc -l <"$err")
  if [ "$rc" != 2 ]; then
    bad "$name" "exit $rc, expected 2; stderr: $(head -c 300 "$err")"
  elif [ "$lines" != 1 ]; then
    bad "$name" "expected one line on stderr, got $lines: $(head -c 400 "$err")"
  elif ! grep -qE -- "$pat" "$err"; then
    bad "$name" "stderr \"$(cat "$err")\" does not match /$pat/"
  elif [ -s "$out" ]; then
    bad "$name" "wrote to stdout on error"
  else
    ok "$name"
  fi
}

# bounded MEGABYTES SECONDS NAME CODE ARGS...: expect_rc within an address
# space (ulimit -v) and SECONDS of CPU time (ulimit -t: the machine may be
# shared, so the wall clock only catches a hang, at 5x); neither under
# valgrind, which needs more of both. CODE may be "0|2".
bounded() {
  local mb=$1 secs=$2
  shift 2
  local name=$1 code=$2
  if [ -n "${PD_WRAP:-}" ]; then
    shift 2
    run "$@"
  else
    shift 2
    out=$TMP/out err=$TMP/err
    (ulimit -v $((mb * 1024)); ulimit -t $((secs * pd_cpu_factor)); exec timeout $((secs * pd_cpu_factor * 5)) "$PD" "$@") >"$out" 2>"$err"
    rc=$?
  fi
  case "|$code|" in
  *"|$rc|"*) ok "$name" ;;
  *) bad "$name" "exit $rc, expected $code (124: a hang; 134: abort; 137/152: over ${secs}s of CPU); stderr: $(head -c 300 "$err")" ;;
  esac
}
one_line() { # one_line NAME PATTERN: stderr is one line matching PATTERN
  if [ "$(wc -l <"$err")" = 1 ] && grep -qE -- "$2" "$err"; then ok "$1"; else bad "$1" "stderr: $(head -c 400 "$err")"; fi
}

# same NAME FILE1 FILE2
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff "$2" "$3" | head -5 | cut -c1-200)"; fi
}

check() { # check NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then ok "$name"; else bad "$name" "condition failed: $*"; fi
}

pd_summary() {
  echo "$1: $pd_pass passed, $pd_failed failed"
  rm -rf "$TMP"
  [ "$pd_failed" = 0 ]
}

# gopprof ARGS...: `go tool pprof ARGS...`, with its output kept in
# $PD_GOPPROF_CACHE so that the release, debug and valgrind passes ask Go
# once (each call takes a second or more). tests/run.sh empties it when it
# starts (a source directory named by -source_path is not part of the key);
# tests/e2e.sh alone uses one of its own. The key is the arguments, with
# every argument that names a file replaced by a hash of its content (test
# files live under a $TMP that differs per run); only a run that exits 0 is
# kept.
gopprof() {
  local a key c=${PD_GOPPROF_CACHE:?set by tests/e2e.sh}
  key=$(for a in "$@"; do
    if [ -f "$a" ]; then printf 'file:'; sha256sum <"$a" | cut -c1-64; else printf 'arg:%s\n' "$a"; fi
  done | sha256sum | cut -c1-40)
  if [ ! -f "$c/$key.out" ]; then
    mkdir -p "$c"
    go tool pprof "$@" >"$c/$key.out.$$" 2>"$c/$key.err.$$" || {
      local rc=$?
      cat "$c/$key.out.$$"
      cat "$c/$key.err.$$" >&2
      rm -f "$c/$key.out.$$" "$c/$key.err.$$"
      return $rc
    }
    mv -f "$c/$key.err.$$" "$c/$key.err"
    mv -f "$c/$key.out.$$" "$c/$key.out"
  fi
  cat "$c/$key.err" >&2
  cat "$c/$key.out"
}
