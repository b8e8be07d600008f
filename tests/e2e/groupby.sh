# groupby.sh: report --group-by KEY on samples/labels/versions, CPU profiles
# whose work runs under pprof.Do labels: version v1 does the same work in
# every profile, v2's handler one unit more each time. One section per value.
G=$TMP/groupby
V=samples/labels/versions
mkdir -p "$G"
run report -o "$G/r" --group-by version $V/*.pb.gz
check "--group-by: the report is written" test "$rc" = 0 -a -s "$G/r/report.json"
check "--group-by: one group per value, by name" test "$(jq -c '[.groups.key, [.groups.values[].value]]' "$G/r/report.json")" = '["version",["v1","v2"]]'
check "--group-by: v1 has no suspect" test "$(jq '.groups.values[0].suspects | length' "$G/r/report.json")" = 0
check "--group-by: v1's total is within the noise" test "$(jq '.groups.values[0].total.significant' "$G/r/report.json")" = false
check "--group-by: v2 grows beyond the noise" test "$(jq '.groups.values[1].total.significant and .groups.values[1].total.delta > 0' "$G/r/report.json")" = true
# (six snapshots are too few for a trend verdict: the change is what is judged)
check "--group-by: v2 has a function that grew beyond the noise" test "$(jq '[.groups.values[1].functions[] | select(.significant and .delta > 0)] | length' "$G/r/report.json")" -ge 1
check "--group-by: v1 has none" test "$(jq '[.groups.values[0].functions[] | select(.significant and .delta > 0)] | length' "$G/r/report.json")" = 0
check "--group-by: report.md has a section per value" sh -c "grep -q '^### By version' '$G/r/report.md' && grep -q '^#### \`version\` = \`v1\`' '$G/r/report.md' && grep -q '^#### \`version\` = \`v2\`' '$G/r/report.md'"
check "--group-by: report.html too" grep -q 'By version' "$G/r/report.html"
# a group's totals are the samples with that label: v1 + v2 is all but the
# few samples outside pprof.Do (the runtime's own)
all=$(jq '.total.last // .snapshots[-1].total' "$G/r/report.json")
sum=$(jq '[.groups.values[].total.last] | add' "$G/r/report.json")
check "--group-by: the groups add up to nearly the whole ($sum of $all)" awk -v s="$sum" -v a="$all" 'BEGIN {exit !(s <= a && s >= 0.95 * a)}'
run report -o "$G/n" --group-by nosuchkey $V/cpu-00-*.pb.gz $V/cpu-01-*.pb.gz
check "--group-by a key no sample has: a warning, no groups" sh -c "test $rc = 0 && grep -q 'no sample carries that label' '$err' && ! jq -e .groups '$G/n/report.json' >/dev/null"
