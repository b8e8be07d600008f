# report.sh: `profdiff report` end to end: outputs, errors, atomicity.
R=$TMP/report
mkdir -p "$R"
expect_rc "report without -o" 2 report a b
grep -q "needs an output directory" "$err" && ok "report without -o says so" || bad "report without -o says so" "$(cat "$err")"
expect_rc "report with one file" 2 report -o "$R/x" a
if have_data; then
  h1=$DATA/pprof/pyroscope-heap.pb h2=$DATA/pprof/pyroscope-og-heap.pb.gz
  printf 'garbage' >"$R/garbage.pb"
  expect_rc "report on a pair" 0 report -o "$R/pair" --sample-index inuse_space "$h1" "$h2"
  j=$R/pair/report.json
  check "report.json written" test -s "$j"
  jq -e '.order.rule == "time_nanos" and (.snapshots | length) == 2 and .sample_type == "inuse_space"' "$j" >/dev/null \
    && ok "report.json order and snapshots" || bad "report.json order and snapshots" "$(jq -c .order "$j")"
  # delta = last - first for every function, shares add up to ~100 for flat
  jq -e '[.functions[] | (.delta - (.last - .first)) | fabs] | max < 1e-6' "$j" >/dev/null \
    && ok "delta is last - first" || bad "delta is last - first" ""
  jq -e '([.functions[] | .share_last] | add) > 99.99 and ([.functions[] | .share_last] | add) < 100.01' "$j" >/dev/null \
    && ok "flat shares add up to 100%" || bad "flat shares add up to 100%" "$(jq '[.functions[] | .share_last] | add' "$j")"
  jq -e '.total.first == 1602645059' "$j" >/dev/null && ok "report total = pprof total" || bad "report total" "$(jq .total.first "$j")"
  expect_rc "report all formats" 0 report -o "$R/all" --sample-index inuse_space "$h1" "$h2"
  for f in report.json report.md report.html; do check "writes $f" test -s "$R/all/$f"; done
  check "no junit.xml without gates" test ! -e "$R/all/junit.xml"
  LC_ALL=C.UTF-8 grep -qP '[\x{80}-\x{9f}]' "$R/all/report.md" && bad "report.md has no C1 controls" "found" || ok "report.md has no C1 controls"
  iconv -f UTF-8 -t UTF-8 "$R/all/report.md" >/dev/null && ok "report.md is UTF-8" || bad "report.md is UTF-8" ""
  expect_rc "--output-format md" 0 report -o "$R/md" --output-format md --sample-index inuse_space "$h1" "$h2"
  check "--output-format md writes only report.md" test "$(ls "$R/md")" = report.md
  expect_error "--output-format bad" 'unknown format "pdf"' report -o "$R/md2" --output-format md,pdf "$h1" "$h2"
  # the same inputs give the same bytes, whatever the thread timing
  expect_rc "report again, one thread" 0 report -o "$R/pair1" --threads 1 --sample-index inuse_space "$h1" "$h2"
  same "report.json is deterministic" "$j" "$R/pair1/report.json"
  # --base: compares the last with the base
  expect_rc "report --base" 0 report -o "$R/base" --sample-index inuse_space --base "$h1" "$h2"
  jq -e '.base.path != null and .total.first == .base.total' "$R/base/report.json" >/dev/null \
    && ok "--base is the first of the deltas" || bad "--base" "$(jq -c .base "$R/base/report.json")"
  # different sample types are refused with both files named
  expect_error "sample types differ" "differs from .* choose one present in all with --sample-index" \
    report -o "$R/bad" "$h2" "$DATA/pprof/pprof-large.cpu.pb.gz"
  check "a failed report does not create DIR" test ! -e "$R/bad"
  expect_rc "nested DIR, failing" 2 report -o "$R/n1/n2/n3" "$h1" "$R/garbage.pb"
  check "a failed report removes the parents it made" test ! -e "$R/n1"
  expect_rc "nested DIR" 0 report -o "$R/n1/n2/n3" --output-format json --sample-index inuse_space "$h1" "$h2"
  check "nested DIR is created" test -s "$R/n1/n2/n3/report.json"
  # a bad input: DIR is left exactly as it was
  mkdir -p "$R/keep" && echo mine >"$R/keep/notes.txt" && cp "$j" "$R/keep/report.json"
  expect_error "bad input in a series" "garbage.pb: " report -o "$R/keep" "$h1" "$R/garbage.pb"
  same "failed run leaves report.json as it was" "$j" "$R/keep/report.json"
  check "failed run leaves other files alone" test "$(cat "$R/keep/notes.txt")" = mine
  check "failed run leaves no temp files" test "$(ls -A "$R/keep" | wc -l)" = 2
  # --keep-going skips it and says so
  expect_rc "--keep-going" 0 report -o "$R/kg" --keep-going --sample-index inuse_space "$h1" "$R/garbage.pb" "$h2"
  jq -e '(.snapshots | length) == 2 and ([.warnings[] | select(test("garbage.pb: skipped"))] | length) == 1' "$R/kg/report.json" >/dev/null \
    && ok "--keep-going lists the skipped file" || bad "--keep-going" "$(jq -c .warnings "$R/kg/report.json")"
fi
# gates: exit 0 when all pass, 1 when any fails, 2 for a malformed one
expect_rc "malformed gate" 2 report -o "$R/g0" --fail-on 'heap>>5' a.pb b.pb
grep -q 'unknown metric' "$err" && grep -q 'gate grammar: METRIC OP VALUE' "$err" && ok "malformed gate shows the grammar" || bad "malformed gate shows the grammar" "$(head -3 "$err")"
expect_rc "share gate with %" 2 report -o "$R/g0" --fail-on 'share>10%' a.pb b.pb
grep -q 'share is in points' "$err" && ok "share gate explains points" || bad "share gate explains points" "$(head -1 "$err")"
if have_data; then
  expect_rc "gates that pass" 0 report -o "$R/g1" --fail-on 'total>10%' --fail-on 'function>5GB' --sample-index inuse_space "$h1" "$h2"
  grep -q "gates: 0 of 2 failed" "$err" && ok "summary line says gates passed" || bad "summary line" "$(cat "$err")"
  expect_rc "a gate that fails" 1 report -o "$R/g2" --fail-on 'function>5MB' --fail-on 'share>10' --sample-index inuse_space "$h1" "$h2"
  grep -q "gates: 2 of 2 failed (function>5MB, share>10)" "$err" && ok "summary line names failed gates" || bad "summary names failed gates" "$(cat "$err")"
  jq -e '[.gates[] | select(.failed)] | length == 2' "$R/g2/report.json" >/dev/null && ok "report.json names failed gates" || bad "report.json gates" ""
  xmllint --xpath 'count(//testcase/failure)' "$R/g2/junit.xml" 2>/dev/null | grep -qx 2 && ok "junit.xml has a failure per failed gate" || bad "junit failures" "$(cat "$R/g2/junit.xml" | head -5)"
  grep -q '^### .* FAIL' "$R/g2/report.md" && grep -q '2 of 2 gates failed' "$R/g2/report.md" && ok "report.md verdict names failed gates" || bad "report.md gates" ""
  expect_rc "a time gate on a heap profile" 2 report -o "$R/g3" --fail-on 'function>5ms' --sample-index inuse_space "$h1" "$h2"
  grep -q 'threshold is a time but the profiles measure bytes' "$err" && ok "unit mismatch explained" || bad "unit mismatch" "$(cat "$err")"
fi
