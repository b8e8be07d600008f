# calibrate.sh: a small slice of the calibration harness (bench/calibrate,
# docs/analysis.md): real Go heap series with known truth, a few seeds, and
# the sentence checker over them and over the bundled samples/. The full
# table (20 seeds each) is a documented command, not a suite test.
C=$(cd "$TMP" && pwd)/calibrate
if [ -n "${PD_WRAP:-}" ]; then
  skip "calibration slice" "not under valgrind (the series are the same; the memory checks run elsewhere)"
elif ! command -v go >/dev/null; then
  skip "calibration slice" "needs Go (golang-go)"
else
  mkdir -p "$C"
  if (cd samples/calib && nice go build -o "$C/calib" .); then
    ok "samples/calib builds"
    # one series per scenario, written and reported like bench/calibrate does
    declare -A gen_args
    slice() { # NAME ARGS...: generate, report, score
      local d=$C/$1
      gen_args[$1]="${*:2}"
      shift
      "$C/calib" gen -out "$d" "$@" >/dev/null && "$PD" report -o "$d/report" --output-format json,md "$d"/heap-*.pb.gz >/dev/null 2>&1 &&
        "$C/calib" check "$d" >>"$C/outcomes.jsonl"
    }
    : >"$C/outcomes.jsonl"
    all=1
    for s in "churn-s1 -scenario churn -seed 1" "churn-x1 -scenario churn -seed 1 -exact" \
      "churn-s2 -scenario churn -seed 2" "slowchurn-s1 -scenario slowchurn -seed 1" \
      "leakin-s1 -scenario leakin -rate 0.02 -seed 1" "leakin05-s1 -scenario leakin -rate 0.005 -seed 1" \
      "leak-s1 -scenario leak -rate 0.01 -seed 1" \
      "leak-x1 -scenario leak -rate 0.005 -seed 1 -exact" "late-s1 -scenario late -rate 0.05 -seed 1" \
      "late-x1 -scenario late -rate 0.01 -seed 1 -exact" \
      "plateau-s1 -scenario plateau -seed 1" "drain-s1 -scenario drain -seed 1" "cycle-s1 -scenario cycle -seed 1" \
      "slowchurn12-s1 -scenario slowchurn -seed 1 -snapshots 12" "churn12-s2 -scenario churn -seed 2 -snapshots 12"; do
      slice $s || { all=0; bad "calibration series $s" "could not be generated, reported or scored"; }
    done
    [ $all = 1 ] && ok "calibration slice: 15 series generated, reported and scored"
    j=$C/churn-s1/report/report.json
    check "calibration: snapshots ordered by their own (simulated) times" \
      test "$(jq -r '"\(.order.rule) \(.snapshots | length)"' "$j")" = "time_nanos 40"
    jq -e '.snapshots[-1].t_hours > 0.64 and .snapshots[-1].t_hours < 0.66' "$j" >/dev/null &&
      ok "calibration: 40 snapshots a minute apart span 39 minutes" || bad "calibration times" "$(jq '.snapshots[-1].t_hours' "$j")"
    jq -e '.expect["main.leakSessions"].bytes_per_snapshot > 0 and (.churn | length) == 6' "$C/leak-s1/truth.json" >/dev/null &&
      ok "calibration: truth.json names the leak and its rate" || bad "truth.json" "$(head -c 300 "$C/leak-s1/truth.json")"
    check "calibration: the cycle's two hourly clears are recorded" test "$(jq -c .resets "$C/cycle-s1/truth.json")" = "[20,40]"
    "$C/calib" table "$C/outcomes.jsonl" >"$C/table.md" && grep -q '^| churn sampled | 3 |' "$C/table.md" &&
      ok "calibration: the confusion table" || bad "calibration table" "$(head -c 400 "$C/table.md")"
    # the verdicts (docs/analysis.md, section 10: the full table); exact
    # series are the same on every run, sampled ones only in distribution,
    # so their checks keep wide margins
    o() { jq -c --arg d "$C/$1" 'select(.dir == $d)' "$C/outcomes.jsonl"; }
    # SERIES JQ-FILTER WHAT: the series' outcome passes the filter. A
    # sampled series is one draw of Go's sampler (a target that holds in 19
    # runs of 20 fails one run in 20), so a sampled one that fails is drawn
    # once more with the same seed and passes if that draw does: the suite
    # stays a check, the rates are the full table's (docs/analysis.md, 10)
    want() {
      if o "$1" | jq -e "$2" >/dev/null; then
        ok "calibration: $3"
      elif [[ $1 == *-s* ]] && slice "$1-again" ${gen_args[$1]} && o "$1-again" | jq -e "$2" >/dev/null; then
        ok "calibration: $3 (on a second draw of the sampler)"
      else
        bad "calibration: $3" "$(o "$1")"
      fi
    }
    check "calibration: no sentence contradicts its numbers" test "$(jq -s '[.[].contradictions[]] | length' "$C/outcomes.jsonl")" = 0
    jq -s -r '.[].contradictions[]' "$C/outcomes.jsonl" | head -3
    want churn-x1 '.suspects == 0 and .churn_not_stable == 0' "exact churn, no suspect, every churn function stable"
    check "calibration: sampled churn, at most one run of two with a suspect" \
      test "$( (o churn-s1; o churn-s2) | jq -s '[.[] | select(.false_suspect)] | length')" -le 1
    want slowchurn-s1 '(.false_suspect | not) and .churn_not_stable <= 1' "sampled churn of long-lived objects (it wanders): no suspect"
    # twelve snapshots: two or three steps of churn often do not fall while
    # objects are replaced; the allocations say so (docs/analysis.md,
    # sections 4 and 10: 3-10% of churn functions not stable without them)
    check "calibration: a short series reads persistence from the allocations" \
      test "$(jq -r '.noise.allocations' "$C/slowchurn12-s1/report/report.json")" = true
    want slowchurn12-s1 '(.false_suspect | not) and .churn_not_stable <= 1' "12 snapshots of churn of long-lived objects: no suspect"
    want churn12-s2 '(.false_suspect | not) and .churn_not_stable <= 1' "12 snapshots of churn: no suspect"
    want leakin-s1 '.correct and .target_first and (.false_suspect | not)' "a 2% leak allocated by a function that also churns: the first suspect, growing"
    # at 0.5% the function's own churn hides the leak in its whole values
    # (11 of 20 sampled runs found it); its never-freed part does not
    # (docs/analysis.md, section 7 and 10)
    want leakin05-s1 '.correct and .target_first and (.false_suspect | not)' "a 0.5% leak allocated by a function that also churns: the first suspect, growing"
    check "calibration: a verdict decided on the never-freed part says so, with that part's figures" \
      test "$(jq -s '[.[].functions[] | select(.current.decided_on == "never-freed") | select((.reason | test("its records that never freed a sampled object gained [+]")) and .current.part_change > .current.part_threshold and .current.change > .current.threshold | not)] | length' "$C"/*/report/report.json)" = 0
    # the never-freed part goes through report --cache (its entries keep it)
    "$PD" report -o "$C/leakin05-json" --output-format json "$C/leakin05-s1"/heap-*.pb.gz >/dev/null 2>&1
    for r in 1 2; do "$PD" report --cache "$C/cache" -o "$C/leakin05-cached-$r" --output-format json "$C/leakin05-s1"/heap-*.pb.gz >/dev/null 2>&1; done
    check "calibration: report --cache, written then read, gives the same report.json (never-freed part included)" \
      sh -c "cmp -s '$C/leakin05-cached-1/report.json' '$C/leakin05-json/report.json' && cmp -s '$C/leakin05-cached-2/report.json' '$C/leakin05-json/report.json'"
    want leak-s1 '.correct and .target_first and .got == "growing"' "a 1% leak in sampled churn is the first suspect, growing"
    want leak-x1 '.correct and .target_first and (.false_suspect | not)' "a 0.5% leak in exact churn is the only suspect"
    # the targets of docs/analysis.md section 10 on this slice: churn
    # functions not stable at most 5% (here at most one of 18), a late leak
    # a suspect with its onset within two snapshots and (exact) its current
    # rate within 25%; a sampled rate is known to about 1/sqrt(55 sampled
    # objects) at 5%, so it is held to 50% here and to 25% in the full table
    check "calibration: churn functions not stable, at most one of 18" \
      test "$( (o churn-s1; o churn-s2; o churn-x1) | jq -s 'map(.churn_not_stable) | add')" -le 1
    want late-x1 '.target_suspect and .got == "growing" and (.onset_err | fabs) <= 2 and (.rate_err | fabs) <= 0.25' "an exact late leak of 1%: suspect, onset within two snapshots, current rate within 25%"
    want late-s1 '.target_suspect and .got == "growing" and (.onset_err | fabs) <= 2 and (.rate_err | fabs) <= 0.5' "a sampled late leak of 5%: suspect, onset within two snapshots"
    for x in leak-s1 leak-x1 late-s1 late-x1; do want $x '.got != "plateau"' "a monotone leak is not a plateau ($x)"; done
    jq -e '.functions[] | select(.name == "main.leakSessions") | .reason | test("since snapshot")' "$C/late-s1/report/report.json" >/dev/null &&
      ok "calibration: the late leak's reason says since when" || bad "late leak reason" ""
    want plateau-s1 '.got == "plateau"' "warm cache is a plateau"
    want drain-s1 '.got == "shrinking"' "drained pool is shrinking"
    want cycle-s1 '.resets_ok and .correct' "hourly clears are segments; audit log growing, session cache plateau"
    # the same checker over the bundled real series and a pair of them
    for x in leak cycle; do
      f=(samples/$x/snapshots/*.pb.gz)
      "$PD" report -o "$C/samples-$x" --output-format json,md "${f[@]}" >/dev/null 2>&1
      "$PD" report -o "$C/samples-$x-pair" --output-format json,md "${f[0]}" "${f[${#f[@]}-1]}" >/dev/null 2>&1
    done
    if "$C/calib" words "$C"/samples-*/report.json >"$C/words.txt"; then
      ok "samples/: no sentence contradicts its numbers (series and pairs)"
    else
      bad "samples/ sentences" "$(head -3 "$C/words.txt")"
    fi
    for w in /h Mann-Kendall steadily Theil-Sen; do
      grep -q -- "$w" <(jq -r '.functions[].reason' "$C/samples-leak-pair/report.json") && bad "pair words" "a pair's reason says $w" || ok "a pair's reasons say no $w"
    done
    jq -e '[.functions[] | select(.trend == "growing") | .reason | test("^grew beyond the sampling noise \\([+]")] | all' "$C/samples-leak-pair/report.json" >/dev/null &&
      ok "a pair's growth: grew beyond the sampling noise (+X, ±Y)" || bad "pair growth words" "$(jq -r '.suspect_reasons[0]' "$C/samples-leak-pair/report.json")"
    grep -q "steadily" "$C/samples-leak-pair/report.md" && bad "pair report.md" "says steadily" || ok "a pair's report.md does not say steadily"
  else
    bad "samples/calib builds" "go build failed"
  fi
fi
