# list.sh: `profdiff list` against `go tool pprof -list`, run live (Go is a
# dependency of the suite: tests/deps.sh), on the samples with their sources
# and on real profiles from ../shared/data with the Go sources installed here.

# pprof prints " Error: could not find file ..." where a source is absent
# and profdiff lists the lines with values without code: compare without
# both (the code-less lines are checked against pprof -top -lines below).
list_norm() { grep -Ev '^ Error: |^ *[^ ]+ +[^ ]+ +[0-9]+:$' "$1"; }

leak=samples/leak/snapshots
last=$(ls $leak/*.pb.gz | tail -1)
first=$(ls $leak/*.pb.gz | head -1)
if ! command -v go >/dev/null; then
  skip "list = pprof -list" "go is not installed"
elif [ -n "${PD_WRAP:-}" ]; then
  run list --source-path samples/leak 'main\.' "$last"
  [ "$rc" = 0 ] && ok "list under valgrind" || bad "list under valgrind" "exit $rc: $(head -c 300 "$err")"
else
  for re in 'main\.' 'main\.(cacheResponse|warmIndex)' 'runtime\.main$'; do
    run list --source-path samples/leak "$re" "$last"
    gopprof -list "$re" -source_path samples/leak "$last" >"$TMP/want" 2>/dev/null
    same "list $re = pprof -list (leak sample, with its source)" "$TMP/want" "$out"
  done
  cyc=$(ls samples/cycle/snapshots/*.pb.gz | sed -n 5p)
  run list --source-path samples/cycle --sample-index alloc_space 'main\.' "$cyc"
  gopprof -list 'main\.' -sample_index alloc_space -source_path samples/cycle "$cyc" >"$TMP/want" 2>/dev/null
  same "list alloc_space = pprof -list (cycle sample)" "$TMP/want" "$out"
  # filters: pprof's percentages stay of the whole profile
  run list --source-path samples/leak --focus cacheResponse 'main\.main' "$last"
  gopprof -list 'main\.main' -focus cacheResponse -source_path samples/leak "$last" >"$TMP/want" 2>/dev/null
  same "list --focus = pprof -list -focus" "$TMP/want" "$out"
  run list --source-path samples/leak --focus cacheResponse --relative-percentages 'main\.main' "$last"
  gopprof -list 'main\.main' -focus cacheResponse -relative_percentages -source_path samples/leak "$last" >"$TMP/want" 2>/dev/null
  same "list --relative-percentages = pprof -list -relative_percentages" "$TMP/want" "$out"
  if have_data; then
    G=$(go env GOROOT)/src
    # a large real Go heap profile whose files are relative to GOROOT/src
    run list --source-path "$G" 'sync|runtime|http' "$DATA/pprof/go-heap-large-1.pb.gz"
    gopprof -list 'sync|runtime|http' -source_path "$G" "$DATA/pprof/go-heap-large-1.pb.gz" >"$TMP/want" 2>/dev/null
    list_norm "$TMP/want" >"$TMP/want2"; list_norm "$out" >"$TMP/got2"
    same "list = pprof -list -source_path (go-heap-large-1, real)" "$TMP/want2" "$TMP/got2"
    check "list found Go's sources for go-heap-large-1" grep -q 'func (p \*Pool) Get' "$out"
    # absolute paths of another machine, cut by --trim-path
    run list --source-path "$G" --trim-path /usr/local/go/src 'net/http|runtime' "$DATA/pprof/pyroscope-heap.pb"
    gopprof -list 'net/http|runtime' -source_path "$G" -trim_path /usr/local/go/src "$DATA/pprof/pyroscope-heap.pb" >"$TMP/want" 2>/dev/null
    list_norm "$TMP/want" >"$TMP/want2"; list_norm "$out" >"$TMP/got2"
    same "list = pprof -list -trim_path (pyroscope-heap, real)" "$TMP/want2" "$TMP/got2"
    # every real profile: the routines, their totals, the lines where pprof has code
    for f in "$DATA"/pprof/*; do
      case $f in *invalid_utf8* | *dotnet*) continue ;; esac
      run list . "$f"
      gopprof -list . "$f" >"$TMP/want" 2>/dev/null
      list_norm "$TMP/want" >"$TMP/want2"; list_norm "$out" >"$TMP/got2"
      same "list . = pprof -list . ($(basename "$f"))" "$TMP/want2" "$TMP/got2"
    done
    # without sources, the lines with values are pprof's line-granularity nodes
    f=$DATA/pprof/pyroscope-og-pyspy-1.pb.gz
    run list 'work|function' "$f"
    check "list without sources warns where it looked" grep -q 'source file not found' "$err"
    awk '/^ROUTINE/ {split($0, a, " "); fn = a[3]; file = a[5]; next} /^ *[^ ]+ +[^ ]+ +[0-9]+:$/ {sub(":", "", $3); print fn, file ":" $3, $1, $2}' "$out" | sort >"$TMP/got"
    gopprof -top -lines -nodefraction 0 "$f" 2>/dev/null | sed -n '/flat%/,$p' | sed 1d |
      awk '$6 ~ /work|function/ {print $6, $7, ($1 == "0" ? "." : $1), $4}' | sort >"$TMP/want"
    same "list lines without code = pprof -top -lines" "$TMP/want" "$TMP/got"
  fi
fi

# a series: the first and last snapshot and the change, per line
run list --source-path samples/leak 'cacheResponse' $leak/*.pb.gz
check "list series: exit 0" [ "$rc" = 0 ]
check "list series: total line" grep -q '^Total: .* in the first snapshot, 142.42MB in the last (+.*), 30 snapshots$' "$out"
check "list series: line 40 grows" grep -qE '^ +[0-9.]+MB +[0-9.]+MB +93.95MB +93.95MB +\+[0-9.]+MB +\+[0-9.]+MB +40:	buf := make' "$out"
# the first and last columns are the single-snapshot listings
run list --source-path samples/leak 'cacheResponse' "$first"
grep -E '^ +[^ ]+ +[^ ]+ +[0-9]+:' "$out" | awk '$1 != "." || $2 != "." {print $1, $2, $3}' >"$TMP/f1"
run list --source-path samples/leak 'cacheResponse' $leak/*.pb.gz
grep -E '^ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[0-9]+:' "$out" | awk '$1 != "." || $2 != "." {print $1, $2, $7}' >"$TMP/f2"
same "list series: first columns = list of the first snapshot" "$TMP/f1" "$TMP/f2"

# errors and hostile input
expect_error "list: no match" 'no matches found for regexp: nosuchfunction' list nosuchfunction "$last"
expect_error "list: bad regexp" 'list regular expression .* is invalid' list '(' "$last"
expect_rc "list: needs a file" 2 list 'main'
run list --source-path /nonexistent --trim-path /work/main/samples/leak 'cacheResponse' "$last"
check "list: missing sources, lines without code" grep -qE '^ +93.95MB +93.95MB +40:$' "$out"
check "list: missing sources, one warning" [ "$(grep -c 'source file not found' "$err")" = 1 ]
printf 'a;b 3\n' >"$TMP/plain.folded"
run list . "$TMP/plain.folded"
check "list folded input: no source information" grep -q '^No source information for b$' "$out"

# report.md and report.html: the leading suspects' fastest-growing lines,
# with their code, from the same machinery (pprof -list's per-line flat)
run report -o "$TMP/lines" --source-path samples/leak $leak/*.pb.gz
check "report.md: where the suspects grow" grep -q '^### Where the suspects grow$' "$TMP/lines/report.md"
check "report.md: the leak's line with its code" grep -qF '| `main.go:40` | 2.54MB | 93.95MB | +91.41MB | `buf := make([]byte, n)` |' "$TMP/lines/report.md"
check "report.html: the same table rendered" grep -qF '<code>buf := make([]byte, n)</code>' "$TMP/lines/report.html"
if command -v go >/dev/null && [ -z "${PD_WRAP:-}" ]; then
  for f in "$first" "$last"; do
    gopprof -list 'main\.cacheResponse' -source_path samples/leak "$f" 2>/dev/null |
      awk '$3 == "40:" {print $1}' >>"$TMP/want_lines"
  done
  sed -n 's/^| `main.go:40` | \([^ ]*\) | \([^ ]*\) | .*/\1\n\2/p' "$TMP/lines/report.md" >"$TMP/got_lines"
  same "report's line figures = pprof -list's flat of line 40, first and last" "$TMP/want_lines" "$TMP/got_lines"
fi
# sources not found: the lines and figures, no code; a cycle's suspect
run report -o "$TMP/lines2" --source-path "$TMP/nowhere/leak" $leak/*.pb.gz
check "report without sources: lines kept, code not found" grep -qF '| `main.go:40` | 2.54MB | 93.95MB | +91.41MB | (source not found) |' "$TMP/lines2/report.md"
run report -o "$TMP/lines3" --output-format md --source-path samples/cycle samples/cycle/snapshots/*.pb.gz
check "report: the cycle's leak line" grep -qF '`audit = append(audit, make([]byte, 8<<10))`' "$TMP/lines3/report.md"
# a file granularity report has no function to list: no section
run report -o "$TMP/lines4" --output-format md --granularity file $leak/*.pb.gz
check "report --granularity file: no lines section" sh -c '! grep -q "Where the suspects grow" "$1"' _ "$TMP/lines4/report.md"
