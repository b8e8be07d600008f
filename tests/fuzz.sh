#!/usr/bin/env bash
# tests/fuzz.sh SECONDS [TARGET...]: builds the libFuzzer targets in
# tests/fuzz/ with clang (-fsanitize=fuzzer,address,undefined) and runs each
# for SECONDS, one at a time (one process, one worker: the machine is
# shared), under nice. Targets: pprof folded legacy memstat gate report
# (default: all). Seeds come from samples/, ../shared/data (when present), tests/corpus
# and tests/expected; the working corpus grows in tests/tmp/fuzz/corpus/ and
# survives between runs, so longer runs pick up where the last one stopped.
# A crash, leak, timeout or OOM leaves its input in tests/tmp/fuzz/crashes/.
# Prints per target the executions done and the result, then
# "fuzz: N passed, N failed". Exits 0 when all passed (or, with a "skip"
# line, when clang or libFuzzer is missing), 1 on a finding.
#
#   tests/fuzz.sh 600 pprof      # ten minutes on the pprof target
#   FUZZ_ARGS='-dict=...' tests/fuzz.sh 60   # extra libFuzzer flags
#   FUZZ_NICE=5 tests/fuzz.sh 5   # the targets' niceness (default 19; tests/run.sh
#                                 # runs them beside its valgrind pass, where 19
#                                 # would starve them past -timeout)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
secs=${1:?usage: tests/fuzz.sh SECONDS [TARGET...]}
shift
targets=${*:-pprof folded legacy memstat gate report}
W=${FUZZ_WORK:-tests/tmp/fuzz} # FUZZ_WORK: another work directory (gitignored under tests/tmp)
CC=${CC:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "skip fuzz: no $CC (apt-get install clang libclang-rt-dev)"
  echo "fuzz: 0 passed, 0 failed"
  exit 0
fi
mkdir -p "$W/obj" "$W/bin" "$W/crashes"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$W/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$W/probe.c" -o "$W/probe" 2>"$W/probe.log"; then
  echo "skip fuzz: $CC cannot link libFuzzer (apt-get install libclang-rt-dev): $(head -c 200 "$W/probe.log")"
  echo "fuzz: 0 passed, 0 failed"
  exit 0
fi

# ---- build ---------------------------------------------------------------------
# The library is compiled with the sanitizers but without the fuzzer's main
# (fuzzer-no-link), and only what changed is recompiled.
PKGS="libprotobuf-c libxml-2.0 libcmark-gfm zlib libpcre2-8"
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer
  -fno-strict-aliasing -fno-sanitize-recover=all -Isrc -Itests/fuzz $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lcmark-gfm-extensions -lm -lpthread"
SAN="-fsanitize=address,undefined"
objs=()
stale=()
for src in $(find src -name '*.c' ! -path src/cli/main.c | sort) tests/fuzz/templates_stub.c; do
  obj=$W/obj/$(echo "${src%.c}" | tr / _).o
  objs+=("$obj")
  if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find src tests/fuzz -name '*.h' -newer "$obj" | head -1)" ]; then
    stale+=("$src")
  fi
done
build_failed=0
if [ ${#stale[@]} -gt 0 ]; then
  export CC W CFLAGS SAN
  # shellcheck disable=SC2016
  printf '%s\n' "${stale[@]}" | xargs -P "$(nproc)" -I{} sh -c \
    'o="$W/obj/$(echo "{}" | sed "s/\.c\$//" | tr / _).o"; rm -f "$o"; nice -n 19 $CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c "{}" -o "$o"' \
    || build_failed=1
fi
if [ $build_failed = 1 ]; then
  echo "FAIL fuzz build: the sources do not compile with $CC"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

# ---- seeds -----------------------------------------------------------------------
# Only files up to max_len bytes are seeds: libFuzzer cuts longer ones, and a
# cut gzip stream teaches it nothing. Gzip'd profiles are seeded both ways.
seed_files() { # seed_files TARGET: prints candidate seed paths
  local data=../shared/data
  case $1 in
  pprof) ls samples/leak/snapshots/*.pb.gz samples/cycle/snapshots/*.pb.gz samples/memstat/*/*.pb.gz \
    "$data"/pprof/* tests/corpus/pprof/* 2>/dev/null ;;
  folded) ls "$data"/folded/* tests/expected/pprof/*.fold tests/corpus/folded/* 2>/dev/null ;;
  legacy) ls samples/leak/snapshots/*.txt "$data"/legacy/*[^g].txt tests/corpus/legacy/* 2>/dev/null ;;
  memstat) find samples/memstat -type f ! -name '*.pb.gz' ! -name '*.go' ! -name '*.md' ! -name '*.sh' ! -name go.mod 2>/dev/null
    ls tests/corpus/memstat/* 2>/dev/null ;;
  gate) ls tests/corpus/gate/* 2>/dev/null ;;
  esac | grep -v '\.expected$'
}
max_len() { case $1 in pprof | report) echo 131072 ;; folded | legacy | memstat) echo 32768 ;; *) echo 256 ;; esac; }

# report's inputs are two or three profiles in one (tests/fuzz/fuzz_report.c):
# a flags byte, the first input's length in 3 bytes (little-endian), the
# first input, [the second's length and bytes,] the last input.
report_seed() { # report_seed FLAGS OUT FILE FILE [FILE]
  local flags=$1 out=$2 f n
  shift 2
  {
    printf "\\$(printf '%03o' "$flags")"
    while [ $# -gt 1 ]; do
      f=$1
      shift
      n=$(stat -c %s "$f")
      printf "\\$(printf '%03o' $((n & 255)))\\$(printf '%03o' $((n >> 8 & 255)))\\$(printf '%03o' $((n >> 16 & 255)))"
      cat "$f"
    done
    cat "$1"
  } >"$out"
}

report_seeds() { # report_seeds DIR: pairs and triples of real profiles of one kind
  local dir=$1 k=0 a="" b="" c=""
  for set in samples/leak/snapshots/heap-00[0-8]*.pb.gz samples/cycle/snapshots/heap-00[0-4]*.pb.gz \
    samples/leak/snapshots/heap-00[0-3]*.txt; do
    [ -f "$set" ] || continue
    a=$b b=$c c=$set
    [ -n "$a" ] || continue
    k=$((k + 1))
    report_seed $((k * 37 % 256 & ~1)) "$dir/r$k" "$a" "$c"
    report_seed $((k * 53 % 256 | 1)) "$dir/t$k" "$a" "$b" "$c"
  done
  local folded=(tests/expected/pprof/*.fold)
  for ((i = 0; i + 1 < ${#folded[@]} && i < 8; i++)); do
    [ "$(stat -c %s "${folded[i]}")" -lt 60000 ] || continue
    report_seed $((i * 16)) "$dir/f$i" "${folded[i]}" "${folded[i]}"
  done
}

make_seeds() { # make_seeds TARGET DIR
  local t=$1 dir=$2 f n=0 lim
  lim=$(max_len "$t")
  rm -rf "$dir"
  mkdir -p "$dir"
  while read -r f; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
      gzip -dc "$f" 2>/dev/null | head -c "$lim" >"$dir/s$n.raw"
      [ "$(stat -c %s "$f")" -le "$lim" ] && cp "$f" "$dir/s$n"
    else
      head -c "$lim" "$f" >"$dir/s$n"
    fi
  done < <(seed_files "$t")
  if [ "$t" = report ]; then
    report_seeds "$dir"
  fi
  if [ "$t" = gate ]; then
    for e in 'total>10%' 'total>=50MB' 'function>5MB' 'function>20%' 'slope>1MB/h' 'share>10' \
      'total > 1.5GiB' 'function>=100ms' 'slope>3ns/h' 'share>=0.5' 'total>1e3' 'function>7count'; do
      n=$((n + 1))
      printf '%s' "$e" >"$dir/s$n"
    done
  fi
}

# ---- run -------------------------------------------------------------------------
pass=0
fail=0
for t in $targets; do
  src=tests/fuzz/fuzz_$t.c
  if [ ! -f "$src" ]; then
    echo "FAIL fuzz $t: no $src"
    fail=$((fail + 1))
    continue
  fi
  bin=$W/bin/fuzz_$t
  # shellcheck disable=SC2086
  if ! nice -n 19 "$CC" $CFLAGS $SAN -fsanitize=fuzzer "$src" "${objs[@]}" $LIBS -o "$bin"; then
    echo "FAIL fuzz $t: does not build"
    fail=$((fail + 1))
    continue
  fi
  make_seeds "$t" "$W/seed/$t"
  mkdir -p "$W/corpus/$t" "$W/crashes/$t"
  log=$W/$t.log
  before=$(ls "$W/crashes/$t" | wc -l)
  # -rss_limit_mb bounds memory per input (a bomb past --max-input-size is a
  # finding); -timeout makes a hang one too. ASan's leak check is on.
  # shellcheck disable=SC2086
  nice -n "${FUZZ_NICE:-19}" "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$W/crashes/$t/" \
    ${FUZZ_ARGS:-} "$W/corpus/$t" "$W/seed/$t" >"$log" 2>&1
  rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  corpus=$(ls "$W/corpus/$t" | wc -l)
  after=$(ls "$W/crashes/$t" | wc -l)
  if [ $rc = 0 ] && [ "$after" = "$before" ]; then
    echo "ok   fuzz $t: ${execs:-?} execs in ${secs}s, no crash (coverage ${cov:-?}, corpus $corpus)"
    pass=$((pass + 1))
  else
    echo "FAIL fuzz $t: crash after ${execs:-?} execs (exit $rc): $(ls -t "$W/crashes/$t" | head -1)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -3 | sed 's/^/    /'
    fail=$((fail + 1))
  fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail = 0 ]
