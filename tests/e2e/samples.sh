# samples.sh: report on the bundled real series (samples/), the verdicts a
# profiling expert would sign, and deltas equal to go tool pprof -diff_base.
S=$TMP/samples
mkdir -p "$S"
leak=(samples/leak/snapshots/*.pb.gz)
expect_rc "report on samples/leak" 0 report -o "$S/leak" "${leak[@]}"
j=$S/leak/report.json
fn() { jq -r --arg n "$1" ".functions[] | select(.name == \$n) | .$2" "$j"; }
check "leak: 30 snapshots ordered by their own times" test "$(jq -r '"\(.snapshots | length) \(.order.rule)"' "$j")" = "30 time_nanos"
check "leak: cacheResponse is the first suspect" test "$(jq -r '.suspects[0]' "$j")" = main.cacheResponse
check "leak: cacheResponse is growing" test "$(fn main.cacheResponse trend)" = growing
check "leak: warmIndex is a plateau" test "$(fn main.warmIndex trend)" = plateau
check "leak: handleRequest (transient garbage) is stable" test "$(fn main.handleRequest trend)" = stable
check "leak: only one suspect" test "$(jq '.suspects | length' "$j")" = 1
# one process's snapshots: the verdicts read which sampled objects came
# and went from the cumulative allocations (docs/analysis.md, section 4);
# snapshots of two programs in one series, or a pair, do not
check "leak: persistence from the allocations" test "$(jq -r '.noise.allocations' "$j")" = true
cyc=(samples/cycle/snapshots/*.pb.gz)
expect_rc "report on two programs' snapshots" 0 report -o "$S/mixed" --output-format json "${leak[@]:0:5}" "${cyc[@]:0:5}"
check "mixed: allocations of different processes are not used" test "$(jq -r '.noise.allocations' "$S/mixed/report.json")" = false
expect_rc "report on a pair of samples/leak" 0 report -o "$S/leakpair" --output-format json "${leak[0]}" "${leak[29]}"
check "pair: no allocations read" test "$(jq -r '.noise.allocations' "$S/leakpair/report.json")" = false
# allocations that no process could have (they fall; fewer than in use;
# int64's largest) are not read, and change nothing else: Go's text format
mkdir -p "$S/alloc-bad"
for k in 0 1 2 3; do
  n=$(((k + 1) * 8)) b=$(((k + 1) * 32768))
  case $k in 2) an=4 ab=16384 ;; 3) an=9223372036854775807 ab=9223372036854775807 ;; *) an=$n ab=$b ;; esac
  printf 'heap profile: %d: %d [%s: %s] @ heap/524288\n%d: %d [%s: %s] @ 0x401000\n#\t0x400fff\tmain.hold+0x0\t/src/main.go:%d\n\n' \
    "$n" "$b" "$an" "$ab" "$n" "$b" "$an" "$ab" $((10 + k)) >"$S/alloc-bad/heap-00$k-2026-12-03T10:0$k:00Z.txt"
done
expect_rc "report on impossible allocations" 0 report -o "$S/alloc-bad/out" --output-format json,md "$S"/alloc-bad/heap-*.txt
check "impossible allocations are not read" test "$(jq -r '.noise.allocations' "$S/alloc-bad/out/report.json")" = false
check "... and the verdict stands on the in-use values" test "$(jq -r '.functions[] | select(.name == "main.hold") | .trend' "$S/alloc-bad/out/report.json")" = growing
# the growth graph colours by the verdict's rate: the leak's tooltip gives the
# rate of its reason, the plateau's none
rate=$(fn main.cacheResponse reason | grep -o '^grows [^ ]*' | cut -d' ' -f2)
grep -q "<title>main.cacheResponse ([^)]*, $rate, self $rate)</title>" "$S/leak/growth.svg" &&
  ok "leak: growth graph tooltip gives the verdict's rate ($rate)" || bad "growth graph rate" "$rate"
grep -q "<title>main.warmIndex ([^)]*, 0/h, self 0/h)</title>" "$S/leak/growth.svg" &&
  ok "leak: growth graph does not colour the plateau" || bad "growth graph plateau" "$(grep -o '<title>main.warmIndex[^<]*' "$S/leak/growth.svg")"
fn main.warmIndex reason | grep -q "value unchanged" && ok "leak: warmIndex reason says value unchanged" || bad "warmIndex reason" "$(fn main.warmIndex reason)"
# deltas first -> last equal go tool pprof -diff_base (recorded by
# tests/expected/samples/regen.sh)
for series in leak cycle; do
  files=(samples/$series/snapshots/*.pb.gz)
  expect_rc "report $series first/last pair" 0 report -o "$S/$series-pair" --output-format json "${files[0]}" "${files[${#files[@]}-1]}"
  sed -n '/flat  flat%/,$p' "tests/expected/samples/$series.diff" | tail -n +2 |
    awk '{f=$1; c=$4; sub(/B$/,"",f); sub(/B$/,"",c); n=$0; sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+  /,"",n); print n "\t" f "\t" c}' | sort >"$TMP/want"
  jq -r '.functions[] | select(.delta != 0 or .delta_cum != 0) | "\(.name)\t\(.delta)\t\(.delta_cum)"' "$S/$series-pair/report.json" | sort >"$TMP/got"
  same "$series: deltas = go tool pprof -diff_base" "$TMP/want" "$TMP/got"
done
# the reference case: cleared every "hour"; the session cache grows for the
# first sixth of each cycle, the audit log for all of it
cyc=(samples/cycle/snapshots/*.pb.gz)
expect_rc "report on samples/cycle" 0 report -o "$S/cycle" "${cyc[@]}"
j=$S/cycle/report.json
check "cycle: two resets found (three segments)" test "$(jq '[.snapshots[].segment] | max' "$j")" = 2
check "cycle: judged on the last segment" test "$(jq '.window.first' "$j")" = "$(jq '[.snapshots | to_entries[] | select(.value.segment == 2)][0].key' "$j")"
check "cycle: audit log is growing" test "$(fn main.appendAuditLog trend)" = growing
check "cycle: session cache is a plateau, not shrinking" test "$(fn main.fillSessionCache trend)" = plateau
check "cycle: audit log grows in every segment" test "$(jq -r '.functions[] | select(.name == "main.appendAuditLog") | [.segments[].trend] | unique | join(",")' "$j")" = growing
r=$(fn main.fillSessionCache reason)
echo "$r" | grep -q "value unchanged" && echo "$r" | grep -q "share of the total went down" && ok "cycle: session cache: value unchanged, share down" || bad "cycle: session reason" "$r"
drop=$(jq '.functions[] | select(.name == "main.fillSessionCache") | .plateau.share_from - .plateau.share_to' "$j")
awk -v d="$drop" 'BEGIN{exit !(d >= 10)}' && ok "cycle: session share falls by tens of points ($drop)" || bad "cycle: session share drop" "$drop"
grep -q "value unchanged" "$S/cycle/report.md" && ok "cycle: report.md says value unchanged" || bad "cycle: report.md" ""
# heap versus page cache inside a report: memory.stat files among the inputs
for scen in pagecache:page_cache heapgrow:heap; do
  d=${scen%%:*} want=${scen##*:}
  expect_rc "report with memory.stat: $d" 0 report -o "$S/mem-$d" samples/memstat/$d/heap.* samples/memstat/$d/memory.*
  check "report: $d attributed to $want" test "$(jq -r '.memory.attribution' "$S/mem-$d/report.json")" = "$want"
  check "report: $d memory.stat files are not snapshots" test "$(jq '.snapshots | length' "$S/mem-$d/report.json")" = 26
  grep -q "$(jq -r '.memory.explanation' "$S/mem-$d/report.json" | cut -c1-40)" "$S/mem-$d/report.md" && ok "report.md explains $d" || bad "report.md explains $d" ""
done
