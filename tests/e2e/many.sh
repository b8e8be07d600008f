# many.sh: `report` on many small inputs (issue 14: 20,000 took 29 s and
# grew quadratically, in each function's trend statistics). 2,000 tiny
# folded profiles, each function a series of 2,000 points (two in every
# snapshot, fifty in one of fifty each): the report is whole. The ratio of
# 20,000 to 2,000 is a documented command, bench/many-inputs (a ratio of
# times is noisy on a shared machine); test_stats.c checks the long-series
# ways give the same bits as the quadratic ones. Under valgrind: 200.
N=$TMP/many
mkdir -p "$N"
nmany=2000
[ -n "${PD_WRAP:-}" ] && nmany=200
awk -v n=$nmany -v d="$N" 'BEGIN {
  for (i = 1; i <= n; i++) { f = sprintf("%s/p%05d.folded", d, i); printf "main;a%d 1\nmain;b 2\n", i % 50 > f; close(f) }
}'
bounded 1000 20 "report on $nmany tiny inputs" 0 report -o "$N/out" "$N"/p*.folded
[ "$(jq '.snapshots | length' "$N/out/report.json" 2>/dev/null)" = $nmany ] && [ "$(jq '.functions | length' "$N/out/report.json")" = 52 ] \
  && ok "report on $nmany inputs: every snapshot and function" || bad "report on $nmany inputs" "$(head -c 300 "$err")"
grep -q "^profdiff: $nmany snapshots, samples 3 -> 3" "$err" && ok "report on $nmany inputs: the summary line" || bad "many inputs summary" "$(tail -c 300 "$err")"
rm -rf "$N"
