#!/usr/bin/env bash
# tests/run.sh: the whole test suite, from a fresh clone on a Debian machine.
# Installs what is missing (see tests/deps.sh), builds a release and a safe
# (ReleaseSafe: optimised, UBSan traps) binary, then runs:
#   1. the unit tests (safe build)
#   2. the end-to-end tests against the safe binary; the test files run
#      two at a time (tests/e2e.sh, PD_JOBS); beside them, the graphs and
#      report.html in headless Chromium (tests/browser)
#   3. the unit tests (safe) and end-to-end tests (release) again under
#      valgrind (errors or leaks fail; --quick: the release e2e plain)
#   4. beside them, a short fuzzing pass: each libFuzzer target for 5 seconds (tests/fuzz.sh;
#      skipped with a message without clang and libFuzzer)
#   5. a check that the checked-in protobuf-c code matches src/ingest/profile.proto
# and ends with one line: "N passed, N failed".
# Options: --quick skips the valgrind and fuzzing passes.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
. tests/deps.sh
pd_need_test
quick=0
[ "${1:-}" = --quick ] && quick=1

total_pass=0
total_fail=0
tally() { # tally LOGFILE: adds the "N passed, N failed" line of a part
  local line
  line=$(grep -aE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then
    echo "tests: no summary line in $1 (crashed?)" >&2
    total_fail=$((total_fail + 1))
    return
  fi
  local p f
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
  f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}
part() { # part NAME COMMAND...: runs a part, shows failures and its summary
  local name=$1
  shift
  "$@" >"tests/tmp/$name.log" 2>&1
  show "$name" $?
}
part_bg() { # part_bg NAME COMMAND...: starts a part beside the next ones; wait_show NAME later
  local name=$1
  shift
  ( "$@" >"tests/tmp/$name.log" 2>&1; echo $? >"tests/tmp/$name.rc" ) &
  echo $! >"tests/tmp/$name.pid"
}
wait_show() { # wait_show NAME...: waits for those part_bg parts and shows them
  local n
  for n in "$@"; do
    wait "$(cat "tests/tmp/$n.pid")" 2>/dev/null
    show "$n" "$(cat "tests/tmp/$n.rc" 2>/dev/null || echo 1)"
  done
}
show() { # show NAME RC: what part prints of a part's log
  local name=$1 rc=$2 log=tests/tmp/$1.log
  echo "== $name"
  grep -aE '^(FAIL|    |skip)' "$log" | head -40
  grep -aE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1
  tally "$log"
  if [ "$rc" != 0 ] && ! grep -aqE ' [1-9][0-9]* failed' "$log"; then
    echo "$name: exited $rc" >&2
    tail -5 "$log" >&2
    total_fail=$((total_fail + 1))
  fi
}

mkdir -p tests/tmp
# go tool pprof's answers, shared by the three e2e passes (tests/lib.sh gopprof)
export PD_GOPPROF_CACHE=$PWD/tests/tmp/gopprof
rm -rf "$PD_GOPPROF_CACHE"
echo "== build"
# the release build for baseline x86-64, as the safe build: valgrind runs
# the release binary (below) and does not decode every newer instruction.
# The UBSan build is ReleaseSafe, not Debug: zig compiles C with
# -fsanitize=undefined (traps) in both, and the checks are put in before the
# optimiser, which removes only those it proves cannot fire; -O0 made the
# same end-to-end pass three times slower (tests/lib.sh pd_cpu_factor)
"$PD_ZIG" build install tests -Dcpu=baseline 2>&1 | tail -20 && [ -x zig-out/bin/profdiff ] || { echo "0 passed, 1 failed"; exit 1; }
"$PD_ZIG" build install tests -Doptimize=ReleaseSafe -Dcpu=baseline -p zig-out/safe 2>&1 | tail -20

part unit zig-out/safe/bin/profdiff-test
# Chromium waits more than it computes (56 s wall, 33 s of CPU): the
# browser checks run beside the safe end-to-end pass. Not beside the build
# (which fills both cores: it took a minute longer) nor the valgrind passes
# (valgrind runs a program's threads one at a time, and on overloaded cores
# the hand-over slowed threaded runs 3x)
part_bg browser node tests/browser/check.mjs zig-out/bin/profdiff
if [ $quick = 0 ]; then
  # a smoke test of the fuzz targets on the seed corpus and a few seconds of
  # mutations, in its own work directory so that the corpus of a long
  # campaign (tests/tmp/fuzz) does not slow it down; campaigns: docs/fuzzing.md.
  # It runs beside all that follows (its compiles at nice 19, the targets
  # at 10): what the passes leave of the two cores is enough for it
  pd_want_fuzz
  FUZZ_WORK=tests/tmp/fuzz-ci FUZZ_NICE=10 part_bg fuzz bash tests/fuzz.sh 5
fi
# Two end-to-end passes, each binary in one: the UBSan build plain (every
# file, its outputs and exit codes; a trap fails the test it happens in),
# and the release build, the one that ships, under valgrind (below), whose
# files check the same outputs where they are not about timing. A third
# pass, the release build plain, cost a quarter of the suite and found
# nothing the two do not.
part e2e-safe bash tests/e2e.sh zig-out/safe/bin/profdiff
wait_show browser
if [ $quick = 0 ]; then
  VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --read-inline-info=no"
  # the unit tests under valgrind are one process: they run beside the
  # end-to-end files
  # (PD_TEST_SMALL: the statistics' fast-against-quadratic comparisons on
  # short series only; the plain unit run above compares all)
  PD_TEST_SMALL=1 part_bg unit-valgrind $VG zig-out/safe/bin/profdiff-test
  # memcheck finds the same invalid accesses and leaks in optimised code as
  # in -O0 code, at a third of the CPU. --read-inline-info=no: a tenth of
  # memcheck's start-up, paid by each of about a thousand processes (a
  # report names the function that was inlined into, not the inlined one)
  PD_WRAP="$VG" part e2e-valgrind bash tests/e2e.sh zig-out/bin/profdiff
  wait_show unit-valgrind fuzz
else
  PD_SECOND=1 part e2e-release bash tests/e2e.sh zig-out/bin/profdiff
fi

echo "== generated code"
if command -v protoc-c >/dev/null; then
  g=tests/tmp/proto
  mkdir -p $g
  protoc-c --proto_path=src/ingest --c_out=$g src/ingest/profile.proto
  if cmp -s $g/profile.pb-c.c src/ingest/profile.pb-c.c && cmp -s $g/profile.pb-c.h src/ingest/profile.pb-c.h; then
    echo "ok   profile.pb-c.[ch] match profile.proto"
    total_pass=$((total_pass + 1))
  else
    echo "FAIL profile.pb-c.[ch] are stale: protoc-c --proto_path=src/ingest --c_out=src/ingest src/ingest/profile.proto"
    total_fail=$((total_fail + 1))
  fi
fi

echo
echo "$total_pass passed, $total_fail failed ($SECONDS s)"
[ $total_fail = 0 ]
