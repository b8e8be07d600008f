# windows.sh: report --base-window/--head-window (each window aggregated,
# compared as a pair), --since/--until, on the reference hourly cycle
# (samples/cycle): within one "hour", after the session cache is filled, a
# hosted compare view of a later window against an earlier one says
# fillSessionCache's value is unchanged and its share down, and the audit
# log (the leak) up.
W=$TMP/windows
C=samples/cycle/snapshots
mkdir -p "$W"
S_win_fs() { # S_win_fs FUNCTION FIELD: a function's figure in $W/r/report.json
  jq -r --arg f "$1" ".functions[] | select(.name == \$f) | .$2" "$W/r/report.json"
}
run report -o "$W/r" --base-window 2026-11-22T19:10:50Z..2026-11-22T19:11:05Z \
  --head-window 2026-11-22T19:11:14Z..2026-11-22T19:11:29Z $C/*.pb.gz
check "windows: the report is written" test "$rc" = 0 -a -s "$W/r/report.md"
check "windows: a pair of aggregates" test "$(jq '.snapshots | length' "$W/r/report.json")" = 2
check "windows: the session cache's value is unchanged" test "$(S_win_fs main.fillSessionCache delta)" = 0
check "windows: the session cache is stable" test "$(S_win_fs main.fillSessionCache trend)" = stable
check "windows: its share is down by points" awk -v s="$(S_win_fs main.fillSessionCache share_shift)" 'BEGIN {exit !(s < -10)}'
check "windows: the audit log grows" test "$(S_win_fs main.appendAuditLog trend)" = growing
check "windows: the audit log is the top suspect" grep -q 'Top suspect: `main.appendAuditLog`' "$W/r/report.md"
check "windows: the words say which windows, how aggregated" grep -q 'Compared the base window 2026-11-22T19:10:50Z..2026-11-22T19:11:05Z (mean of 5 snapshots' "$W/r/report.md"
check "windows: report.json says so too" sh -c "jq -r .compared '$W/r/report.json' | grep -q 'with the head window 2026-11-22T19:11:14Z..2026-11-22T19:11:29Z (mean of 5'"
check "windows: the HTML report too" grep -q 'Compared the base window' "$W/r/report.html"
# (the profiles' own times are a fraction of a second past their file names')
# the mean of a window is its snapshots' mean: the base total against the five files' own
want=$(for f in $C/heap-02[5-9]-*.pb.gz; do "$PD" top --format json "$f" | jq .total; done | awk '{s += $1} END {printf "%.0f", s / NR}')
got=$(jq '.snapshots[0].total' "$W/r/report.json" | awk '{printf "%.0f", $1}')
check "windows: the base aggregate is the mean of its snapshots ($got = $want)" test "$got" = "$want"
if [ -z "${PD_WRAP:-}" ]; then
  run report -o "$W/s" --aggregate sum --base-window 2026-11-22T19:10:50Z..2026-11-22T19:11:05Z \
    --head-window 2026-11-22T19:11:14Z..2026-11-22T19:11:29Z $C/*.pb.gz
  got=$(jq '.snapshots[0].total' "$W/s/report.json" | awk '{printf "%.0f", $1}')
  check "--aggregate sum: five times the mean" awk -v g="$got" -v w="$want" 'BEGIN {d = g - 5 * w; exit !(d < 5 && d > -5)}'
  # offsets from the last snapshot (19:12:02): the same half of the cycle
  run report -o "$W/o" --base-window=-72s..-57s --head-window=-48s..-33s $C/*.pb.gz
  check "windows as offsets: the session cache unchanged, the audit log growing" sh -c \
    "jq -e '[.functions[] | select(.name == \"main.fillSessionCache\" and .delta == 0)] | length == 1' '$W/o/report.json' >/dev/null &&
     jq -e '[.functions[] | select(.name == \"main.appendAuditLog\" and .trend == \"growing\")] | length == 1' '$W/o/report.json' >/dev/null"
  run report -o "$W/c" --since -30s $C/*.pb.gz
  check "--since -30s cuts the series to its last half minute" test "$(jq '.snapshots | length' "$W/c/report.json")" = 11
  check "--since: the words say so" grep -q 'The series is cut to 2026-11-22T19:11:3.Z.. (11 of its 50 snapshots' "$W/c/report.md"
  run report -o "$W/u" --since 2026-11-22T19:10:35Z --until 2026-11-22T19:11:33Z $C/*.pb.gz
  check "--since/--until: one cycle, no reset" test "$(jq '.snapshots | length' "$W/u/report.json")" = 20
fi
expect_error "an empty window" "--head-window -5m..-4m holds no snapshot \(the snapshots run from" \
  report -o "$W/e" --base-window=-25s..-10s --head-window=-5m..-4m $C/heap-04*.pb.gz
expect_error "a window that is not A..B" "--base-window wants A..B" report -o "$W/e" --base-window -60m --head-window -5m..0 $C/heap-04*.pb.gz
expect_error "a bound that is neither a time nor an offset" "is neither an RFC 3339 time" \
  report -o "$W/e" --base-window yesterday..-30m --head-window -5m..0 $C/heap-04*.pb.gz
expect_error "one window alone" "go together" report -o "$W/e" --base-window -60m..-30m $C/heap-04*.pb.gz
expect_error "the head window before the base" "--head-window -60s..-30s must end after --base-window -29s..0" \
  report -o "$W/e" --base-window=-29s..0 --head-window=-60s..-30s $C/*.pb.gz
expect_error "--aggregate without windows" "only applies with --base-window" report -o "$W/e" --aggregate sum $C/heap-04*.pb.gz
expect_error "--aggregate nonsense" "--aggregate must be auto, mean or sum" report -o "$W/e" --aggregate max --base-window -1m..-30s --head-window -29s..0 $C/heap-04*.pb.gz
printf 'a;b 3\n' >"$W/one.folded"
printf 'a;b 5\n' >"$W/two.folded"
expect_error "windows need times" "time windows need a time for every snapshot" report -o "$W/e" --since -1h "$W/one.folded" "$W/two.folded"
check "a failed windowed report leaves no directory" test ! -e "$W/e"
