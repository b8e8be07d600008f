# bench_synth.sh: the benchmark's generator (bench/synth) still runs and
# writes profiles profdiff reads, so bench/run cannot rot. Tiny sizes, no
# timing: the benchmark itself is bench/run, outside the tests.
SYNTH=$(dirname "$PD")/profdiff-synth
[ -x "$SYNTH" ] || SYNTH=zig-out/bin/profdiff-synth
if [ ! -x "$SYNTH" ]; then
  skip "bench synth" "no profdiff-synth next to $PD (zig build installs it)"
else
  B=$TMP/synth
  mkdir -p "$B"
  small="--samples 1000 --functions 300 --depth 24"
  # shellcheck disable=SC2086
  if "$SYNTH" $small -o "$B/a.pb.gz" && "$SYNTH" $small -o "$B/b.pb.gz"; then
    ok "synth writes a profile"
    same "synth is deterministic" "$B/a.pb.gz" "$B/b.pb.gz"
    check "synth writes gzip" test "$(head -c 2 "$B/a.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b
    expect_rc "top reads a synth profile" 0 top "$B/a.pb.gz"
    grep -q "^Type: inuse_space" "$out" && ok "synth profile: inuse_space is the default type" || bad "synth default type" "$(head -3 "$out")"
    # the folded rendering of the same stacks has the same total
    # shellcheck disable=SC2086
    "$SYNTH" $small --folded -o "$B/a.folded"
    expect_rc "top --format json on synth pprof" 0 top --format json "$B/a.pb.gz"
    t1=$(jq .total "$out")
    expect_rc "top --format json on synth folded" 0 top --format json "$B/a.folded"
    t2=$(jq .total "$out")
    check "synth pprof and folded totals agree ($t1)" test "$t1" = "$t2"
    # shellcheck disable=SC2086
    "$SYNTH" $small --series 4 "$B/series"
    expect_rc "report on a synth series" 0 report -o "$B/report" --output-format md,json "$B"/series/heap-00*.pb.gz
    jq -e '[.functions[] | select(.trend == "growing") | .name] | any(test("leaky/(cache|session|metrics)"))' "$B/report/report.json" >/dev/null \
      && ok "synth series: a planted leak grows" || bad "synth series leak" "$(jq -c '[.functions[] | select(.trend == "growing") | .name]' "$B/report/report.json" | head -c 300)"
    # report.json: per-snapshot values for at most 100 functions by default,
    # the leak's among them; every function's with --json-detail full
    jq -e '.detail == "default" and .functions_with_values <= 100 and ([.functions[] | select(has("flat"))] | length) == .functions_with_values
           and (.functions | length) > 100 and ([.functions[] | select(.name | test("leaky/cache"))] | all(has("flat")))' \
      "$B/report/report.json" >/dev/null && ok "synth series: report.json has values for the functions that matter" ||
      bad "synth json detail" "$(jq -c '{detail, functions_with_values, n: (.functions | length)}' "$B/report/report.json")"
    expect_rc "report --json-detail full" 0 report -o "$B/full" --output-format json --json-detail full "$B"/series/heap-00*.pb.gz
    jq -e '.detail == "full" and ([.functions[] | select(has("flat") | not)] | length) == 0 and .functions_with_values == (.functions | length)' \
      "$B/full/report.json" >/dev/null && ok "--json-detail full: every function has its values" || bad "--json-detail full" "$(jq -c '{detail, functions_with_values}' "$B/full/report.json")"
    expect_rc "--json-detail: a bad level is an error" 2 report -o "$B/bad" --json-detail everything "$B"/series/heap-00*.pb.gz
    grep -q "json-detail must be default, summary or full" "$err" && ok "--json-detail names the levels" || bad "--json-detail error" "$(head -c 200 "$err")"
    "$SYNTH" --wide 2000 -o "$B/wide.pb.gz" && expect_rc "top reads synth --wide" 0 top "$B/wide.pb.gz"
    "$SYNTH" --deep 2000 -o "$B/deep.pb.gz" && expect_rc "top reads synth --deep" 0 top "$B/deep.pb.gz"
  else
    bad "synth writes a profile" "profdiff-synth $small failed"
  fi
fi
