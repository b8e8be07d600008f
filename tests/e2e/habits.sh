# habits.sh: pprof's and FlameGraph's spellings, and pprof's filter figures
# ("Active filters:", totals of the whole profile, "matched no samples"),
# compared live with go tool pprof where it prints the same thing.
hf=samples/leak/snapshots/heap-029-2026-11-22T19:07:53Z.pb.gz
# single-dash spellings and aliases as pprof's
run top -sample_index=alloc_space -nodecount 3 "$hf"
check "top -sample_index=alloc_space" grep -q '^Type: alloc_space$' "$out"
run top -alloc_objects -nodecount=2 "$hf"
check "top -alloc_objects" grep -q '^Type: alloc_objects$' "$out"
run top -inuse_space -lines -nodecount 2 "$hf"
check "top -lines: line granularity" grep -q 'main.go:40$' "$out"
run top --sample_index inuse_objects "$hf"
check "--sample_index (underscore)" grep -q '^Type: inuse_objects$' "$out"
run top --nodecont 3 "$hf"
check "did you mean an option" grep -q 'unknown option --nodecont; did you mean --nodecount?' "$err"
run topp "$hf"
check "did you mean a command" grep -q 'unknown command "topp"; did you mean top?' "$err"
run top --colors mem "$hf"
check "--colors outside flame points at --palette" grep -q -- '--palette' "$err"
run flame --colors mem "$hf"
check "flame --colors mem (flamegraph.pl's spelling)" [ "$rc" = 0 ]
expect_error "flame --colors java: not a palette profdiff draws" 'palette' flame --colors java "$hf"
# folded names are kept as recorded (one rule with pprof's inputs)
printf '<module>;<listcomp> 3\nstd::vector<int>::push(int) 2\n 4\n' >"$TMP/names.folded"
run fold "$TMP/names.folded"
check "fold keeps <listcomp>" grep -q '^<module>;<listcomp> 3$' "$out"
check "fold keeps a recorded C++ name" grep -qF 'std::vector<int>::push(int) 2' "$out"
check "fold warns of the sample with no frames" grep -q 'samples with no frames' "$err"
if command -v go >/dev/null && [ -z "${PD_WRAP:-}" ]; then
  for fl in "-focus cacheResponse" "-hide main.main" "-show main" "-ignore cacheResponse" \
    "-hide main\.main -relative_percentages" "-focus cacheResponse -relative_percentages" "-lines -nodecount 5"; do
    # shellcheck disable=SC2086
    run top $fl "$hf"
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top $fl "$hf" 2>/dev/null | grep -v '^File\|^Time' >"$TMP/want"
    same "top $fl = pprof -top $fl" "$TMP/want" "$TMP/got"
  done
  # percentages under tag filters: of the whole profile, as pprof's (or of
  # what is left, -relative_percentages), the whole table with its header
  for fl in "-tagfocus version=v2" "-tagignore environment=staging" "-tagfocus version=v2 -relative_percentages" \
    "-tagfocus production -focus main"; do
    # shellcheck disable=SC2086
    run top $fl samples/labels/cpu.pb.gz
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top $fl samples/labels/cpu.pb.gz 2>/dev/null | grep -v '^File\|^Time' >"$TMP/want"
    same "top $fl = pprof -top $fl (labels/cpu)" "$TMP/want" "$TMP/got"
  done
  for fl in "-tagfocus bytes=1MB:" "-tagignore bytes=:1kB -relative_percentages"; do
    # shellcheck disable=SC2086
    run top $fl samples/labels/heap.pb.gz
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top $fl samples/labels/heap.pb.gz 2>/dev/null | grep -v '^File\|^Time' >"$TMP/want"
    same "top $fl = pprof -top $fl (labels/heap)" "$TMP/want" "$TMP/got"
  done
  # top --diff-base = pprof -top -diff_base: a leak, a cycle, a labelled CPU
  # series under filters, two runtimes' real profiles, a base whose default
  # sample type is the pair's
  C=samples/cycle/snapshots L=samples/labels/series D=../shared/data/pprof
  for fl in "$C/heap-000-2026-11-22T19:09:35Z.pb.gz $C/heap-049-2026-11-22T19:12:02Z.pb.gz" \
    "$hf samples/leak/snapshots/heap-010-2026-11-22T19:07:12Z.pb.gz" \
    "$C/heap-000-2026-11-22T19:09:35Z.pb.gz -cum -nodecount 3 -lines $C/heap-049-2026-11-22T19:12:02Z.pb.gz" \
    "$L/cpu-00-2026-12-02T07-54-56Z.pb.gz -tagfocus version=v2 -hide main -relative_percentages $L/cpu-07-2026-12-02T07-55-16Z.pb.gz" \
    "$D/pyroscope-profile_python.pb $D/pyroscope-og-pyspy-1.pb.gz" "$D/pyroscope-heap.pb $D/pyroscope-og-heap.pb.gz"; do
    # shellcheck disable=SC2086
    set -- $fl
    [ -f "$1" ] || continue
    # shellcheck disable=SC2086
    run top -diff_base $fl
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top -diff_base $fl 2>/dev/null | grep -v '^File\|^Time\|^Build ID' >"$TMP/want"
    same "top -diff_base $(basename "$1") ... ${fl##*/} = pprof" "$TMP/want" "$TMP/got"
    # -base: the base's samples negated and merged into FILE's (a stack in
    # both counts |FILE - BASE| once in the total), inline marks included
    # shellcheck disable=SC2086
    run top -base $fl
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top -base $fl 2>/dev/null | grep -v '^File\|^Time\|^Build ID' >"$TMP/want"
    same "top -base $(basename "$1") ... ${fl##*/} = pprof" "$TMP/want" "$TMP/got"
  done
  for fl in "$hf -focus cacheResponse samples/leak/snapshots/heap-010-2026-11-22T19:07:12Z.pb.gz" \
    "samples/labels/heap.pb.gz -tagfocus bytes=1MB: samples/labels/heap.pb.gz" \
    "$D/pyroscope-heap_delta.pb -nodecount 20 $D/pyroscope-heap.pb"; do
    # shellcheck disable=SC2086
    set -- $fl
    [ -f "$1" ] || continue
    # shellcheck disable=SC2086
    run top --base $fl
    grep -v '^File\|^Time' "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -top -base $fl 2>/dev/null | grep -v '^File\|^Time\|^Build ID' >"$TMP/want"
    same "top --base $(basename "$1") ... ${fl##*/} = pprof" "$TMP/want" "$TMP/got"
  done
  # fold, list and flame take -base too: fold's stacks are pprof -traces'
  # summed per stack, list's lines pprof -list's (with the merged total)
  for fl in "samples/leak/snapshots/heap-010-2026-11-22T19:07:12Z.pb.gz $hf" "$D/pyroscope-og-heap.pb.gz $D/pyroscope-heap.pb"; do
    # shellcheck disable=SC2086
    set -- $fl
    [ -f "$1" ] || continue
    # shellcheck disable=SC2086
    run fold -base $fl
    LC_ALL=C sort "$out" >"$TMP/got"
    # shellcheck disable=SC2086
    gopprof -traces -unit=B -base $fl 2>/dev/null | awk -f tests/expected/pprof/traces2folded.awk | LC_ALL=C sort >"$TMP/want"
    same "fold -base $(basename "$1") $(basename "$2") = pprof -traces -base" "$TMP/want" "$TMP/got"
  done
  C=samples/cycle/snapshots
  for fl in "cacheResponse -base samples/leak/snapshots/heap-010-2026-11-22T19:07:12Z.pb.gz $hf" \
    "main -base $C/heap-000-2026-11-22T19:09:35Z.pb.gz $C/heap-049-2026-11-22T19:12:02Z.pb.gz"; do
    # shellcheck disable=SC2086
    run list $fl
    # shellcheck disable=SC2086
    gopprof -list $fl 2>/dev/null >"$TMP/want"
    same "list ${fl%% *} -base = pprof -list -base" "$TMP/want" "$out"
  done
  # "(inline)" and "(partial-inline)" as pprof marks them (real Go heap
  # profiles have locations of several lines), under the cuts that rebuild
  # its graph
  for fl in "" "-nodecount 12" "-hide runtime" "-lines -nodecount 30" "-files" "-addresses -nodecount 40"; do
    for f in $D/pyroscope-heap.pb $D/pyroscope-og-heap.pb.gz; do
      [ -f "$f" ] || continue
      # shellcheck disable=SC2086
      run top $fl "$f"
      grep -v '^File\|^Time' "$out" >"$TMP/got"
      # shellcheck disable=SC2086
      gopprof -top $fl "$f" 2>/dev/null | grep -v '^File\|^Time\|^Build ID' >"$TMP/want"
      same "top $fl = pprof -top $fl, inline marks: $(basename "$f")" "$TMP/want" "$TMP/got"
    done
  done
  # pprof's five granularities, on a Go profile that records functions'
  # start lines (-files: one row per function of a file, by start line) and
  # on one with unnamed files and frames without symbols
  for f in ../shared/data/pprof/go-heap-large-1.pb.gz ../shared/data/pprof/malformed-no-addr-no-line.pb.gz "$hf"; do
    [ -f "$f" ] || continue
    for g in functions files lines filefunctions addresses; do
      [ "$g" = lines ] && [ "$f" != "$hf" ] && continue # (profdiff names unsymbolized frames by mapping offset)
      run top "-$g" "$f"
      sed -n '/flat%/,$p' "$out" >"$TMP/got"
      gopprof -top "-$g" "$f" 2>/dev/null | sed -n '/flat%/,$p' >"$TMP/want"
      same "top -$g = pprof -top -$g: $(basename "$f")" "$TMP/want" "$TMP/got"
    done
  done
  f=../shared/data/pprof/go-heap-large-1.pb.gz
  if [ -f "$f" ]; then
    run top --granularity file --nodefraction 0 --format json "$f"
    check "--granularity file: a file's functions apart, named by the file alone (JSON)" \
      jq -e '[.functions[].name | select(test("\u0000"))] == [] and ([.functions[].name] | length) > ([.functions[].name] | unique | length)' "$out"
    run fold --granularity file "$f"
    check "--granularity file: folded frames named by the file alone" sh -c '[ "$(tr -cd "\\000" <"$1" | wc -c)" = 0 ]' _ "$out"
  fi
  f=../shared/data/pprof/malformed-no-addr-no-line.pb.gz
  if [ -f "$f" ]; then
    run top --granularity line --nodefraction 0 "$f"
    # (frames without symbols: pprof prints addresses, profdiff mapping offsets)
    sed -n '/flat%/,$p' "$out" | grep -v '\[UNKNOWN\]' >"$TMP/got"
    gopprof -top -lines -nodefraction 0 "$f" 2>/dev/null | sed -n '/flat%/,$p' | grep -v '\[UNKNOWN\]' >"$TMP/want"
    same "line granularity keeps :LINE without a file = pprof -top -lines" "$TMP/want" "$TMP/got"
  fi
fi
run top --focus nosuchfunction "$hf"
check "--focus matching nothing warns as pprof" grep -q 'Focus expression matched no samples' "$err"
# --diff-base without go: a profile against itself is all zeros of its own
# total; a base that cannot be read, or --tags with it, is one error line
run top --diff-base "$hf" "$hf"
check "top --diff-base FILE FILE: nothing left, of FILE's total" grep -q '^Showing nodes accounting for 0, 0% of 142.42MB total$' "$out"
check "top --diff-base FILE FILE: no row with a value" sh -c '! sed -n "/flat%/,\$p" "$1" | sed 1d | grep -q "[1-9]"' _ "$out"
run top --diff-base samples/leak/snapshots/heap-000-2026-11-22T19:06:51Z.pb.gz --format json "$hf"
check "top --diff-base --format json: the growth, base's total" jq -e '.total < 142.42*1048576 and (.functions[0].flat > 0)' "$out"
expect_error "top --diff-base a missing file" 'nosuch' top --diff-base "$TMP/nosuch" "$hf"
expect_error "top --diff-base with --tags" 'diff-base' top --tags --diff-base "$hf" "$hf"
# --base without go: a profile less itself is nothing, of nothing (every
# sample cancels its twin); one base at a time
run top --base "$hf" "$hf"
check "top --base FILE FILE: nothing of nothing" grep -q '^Showing nodes accounting for 0, 0% of 0 total$' "$out"
run top --base samples/leak/snapshots/heap-000-2026-11-22T19:06:51Z.pb.gz "$hf"
check "top --base: the growth, of what is left" grep -q '^Showing nodes accounting for 136.75MB, 100% of 136.75MB total$' "$out"
expect_error "top --base with --diff-base" 'do not go together' top --base "$hf" --diff-base "$hf" "$hf"
# flame --base BASE FILE is the differential graph of --diff BASE FILE (pprof
# draws a profile less its base as a diff); fold --base FILE FILE is empty
b0=samples/leak/snapshots/heap-000-2026-11-22T19:06:51Z.pb.gz
run flame --base "$b0" -o "$TMP/base.svg" "$hf"
run flame --diff -o "$TMP/diff.svg" "$b0" "$hf"
check "flame --base BASE FILE = flame --diff BASE FILE" cmp -s "$TMP/base.svg" "$TMP/diff.svg"
expect_error "flame --base with two profiles" 'one profile' flame --base "$b0" "$b0" "$hf"
run fold --base "$hf" "$hf"
check "fold --base FILE FILE: no stack left" sh -c '[ "$1" = 0 ] && [ ! -s "$2" ]' _ "$rc" "$out"
run list --base "$b0" cacheResponse "$hf"
check "list --base: the growth per line" grep -q '^ *[0-9.]*MB *[0-9.]*MB *40:' "$out"
expect_error "list --base with two profiles" 'one profile' list --base "$b0" main "$b0" "$hf"
expect_error "top --base a missing file" 'nosuch' top --base "$TMP/nosuch" "$hf"
f=$DATA/pprof/pyroscope-og-heap.pb.gz
if [ -f "$f" ]; then
  run top "$f"
  check "top marks inlined functions (inline) and (partial-inline)" sh -c 'grep -q " (inline)$" "$1" && grep -q " (partial-inline)$" "$1"' _ "$out"
  run top --format json "$f"
  check "top --format json: names without marks" sh -c '! grep -q "inline)" "$1"' _ "$out"
  run fold "$f"
  check "fold: names without marks" sh -c '! grep -q "inline)" "$1"' _ "$out"
fi
expect_error "top --diff-base: a base without FILE's sample type" 'unknown sample type' top --diff-base samples/labels/cpu.pb.gz "$hf"
