#!/usr/bin/env bash
# tests/e2e.sh PROFDIFF [PATTERN]: end-to-end tests of the binary, one file
# per command or concern in tests/e2e/, run from the repository root
# (PATTERN: the files whose path holds one of its words, "merge limits").
# Prints "e2e: N passed, N failed" and exits non-zero on any failure.
#
# Each file runs in a shell of its own (lib.sh gives it its own $TMP), and
# PD_JOBS of them at once (default: the number of cores), so that the suite
# keeps within its time on two cores; their output is printed in file order
# once all have ended. The slowest files start first so that the last one to
# finish does not start last.
cd "$(dirname "$0")/.." || exit 2
PD=$(realpath "${1:?usage: tests/e2e.sh PROFDIFF [PATTERN]}")
export PD
pd_pattern=${2:-}
jobs=${PD_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

files=()
for t in tests/e2e/*.sh; do
  # PATTERN: words, a file runs when its path holds any of them
  for w in ${pd_pattern:-/}; do
    case "$t" in *"$w"*) files+=("$t"); break ;; esac
  done
done
if [ ${#files[@]} = 0 ]; then
  echo "e2e: no test file matches \"$pd_pattern\"" >&2
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi

# start order: the known slow files first (measured on two cores), then the
# rest; under valgrind (PD_WRAP) others are slow, as some skip their heavy parts
if [ -n "${PD_WRAP:-}" ]; then
  slow=" corpus pprof_parity inputs flame report merge robust cache cli limits habits outputs "
else
  slow=" limits flame calibrate install pprof_parity hostile_fields robust publish merge recipes fleet action report "
fi
order=()
for t in "${files[@]}"; do
  n=$(basename "$t" .sh)
  case "$slow" in *" $n "*) order+=("$t") ;; esac
done
for t in "${files[@]}"; do
  n=$(basename "$t" .sh)
  case "$slow" in *" $n "*) ;; *) order+=("$t") ;; esac
done

logs=$(mktemp -d "${TMPDIR:-/tmp}/pd-e2e.XXXXXX")
trap 'rm -rf "$logs"' EXIT
export PD_GOPPROF_CACHE=${PD_GOPPROF_CACHE:-$logs/gopprof}
running=0
for t in "${order[@]}"; do
  if [ $running -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  n=$(basename "$t" .sh)
  # shellcheck disable=SC1090
  (
    s=$SECONDS
    PD_E2E_NAME=$n bash -c '. tests/lib.sh; . "$1"; echo; pd_summary "$PD_E2E_NAME"' e2e "$t"
    echo "time $n: $((SECONDS - s)) s"
  ) >"$logs/$n.log" 2>&1 &
  running=$((running + 1))
done
wait

pass=0 fail=0
for t in "${files[@]}"; do
  n=$(basename "$t" .sh)
  cat "$logs/$n.log"
  # (-a: a test may print the hostile bytes it feeds the binary)
  line=$(grep -aoE "^$n: [0-9]+ passed, [0-9]+ failed$" "$logs/$n.log" | tail -1)
  if [ -z "$line" ]; then
    echo "FAIL $t: ended without its summary line (crashed or exited early)"
    fail=$((fail + 1))
    continue
  fi
  p=${line#*: }
  p=${p%% passed*}
  f=${line##*passed, }
  f=${f%% failed}
  pass=$((pass + p))
  fail=$((fail + f))
done
echo "e2e: $pass passed, $fail failed"
[ $fail = 0 ]
