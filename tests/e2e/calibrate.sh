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
    slice() { # NAME ARGS...: generate, report, score
      local d=$C/$1
      shift
      "$C/calib" gen -out "$d" "$@" >/dev/null && "$PD" report -o "$d/report" --output-format json,md "$d"/heap-*.pb.gz >/dev/null 2>&1 &&
        "$C/calib" check "$d" >>"$C/outcomes.jsonl"
    }
    : >"$C/outcomes.jsonl"
    all=1
    for s in "churn-s1 -scenario churn -seed 1" "churn-x1 -scenario churn -seed 1 -exact" \
      "churn-s2 -scenario churn -seed 2" "leak-s1 -scenario leak -rate 0.01 -seed 1" \
      "leak-x1 -scenario leak -rate 0.005 -seed 1 -exact" "late-s1 -scenario late -rate 0.02 -seed 1" \
      "plateau-s1 -scenario plateau -seed 1" "drain-s1 -scenario drain -seed 1" "cycle-s1 -scenario cycle -seed 1"; do
      slice $s || { all=0; bad "calibration series $s" "could not be generated, reported or scored"; }
    done
    [ $all = 1 ] && ok "calibration slice: 9 series generated, reported and scored"
    j=$C/churn-s1/report/report.json
    check "calibration: snapshots ordered by their own (simulated) times" \
      test "$(jq -r '"\(.order.rule) \(.snapshots | length)"' "$j")" = "time_nanos 40"
    jq -e '.snapshots[-1].t_hours > 0.64 and .snapshots[-1].t_hours < 0.66' "$j" >/dev/null &&
      ok "calibration: 40 snapshots a minute apart span 39 minutes" || bad "calibration times" "$(jq '.snapshots[-1].t_hours' "$j")"
    jq -e '.expect["main.leakSessions"].bytes_per_snapshot > 0 and (.churn | length) == 6' "$C/leak-s1/truth.json" >/dev/null &&
      ok "calibration: truth.json names the leak and its rate" || bad "truth.json" "$(head -c 300 "$C/leak-s1/truth.json")"
    check "calibration: the cycle's two hourly clears are recorded" test "$(jq -c .resets "$C/cycle-s1/truth.json")" = "[20,40]"
    "$C/calib" table "$C/outcomes.jsonl" >"$C/table.md" && grep -q '^| churn sampled | 2 |' "$C/table.md" &&
      ok "calibration: the confusion table" || bad "calibration table" "$(head -c 400 "$C/table.md")"
  else
    bad "samples/calib builds" "go build failed"
  fi
fi
