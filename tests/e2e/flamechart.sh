# flamechart.sh: `profdiff flame --flamechart`, flamegraph.pl's flame chart:
# stacks in input order, a frame merged only with the same frame of the
# stack just before (same whole prefix), never sorted. The rectangles are
# compared with a layout computed here independently (chart.awk, the flow()
# of flamegraph.pl in awk) and, for a small input, with the geometry
# flamegraph.pl --flamechart drew for it (checked by hand once; the script
# is not part of the repository).
F=$TMP/flamechart
mkdir -p "$F"

# the frames of an SVG drawn by profdiff as "depth x width name", root 0,
# sorted by depth then x (names unescaped)
cat >"$F/geom.awk" <<'EOF'
/^<g><title>/ && /<rect/ {
  t = $0; sub(/^<g><title>/, "", t); sub(/<\/title>.*/, "", t); sub(/ \([^(]*$/, "", t)
  gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t); gsub(/&quot;/, "\"", t); gsub(/&#39;/, "'", t); gsub(/&amp;/, "\\&", t)
  r = $0; sub(/.*<rect/, "", r); sub(/\/>.*/, "", r)
  x = r; sub(/.* x="/, "", x); sub(/".*/, "", x)
  y = r; sub(/.* y="/, "", y); sub(/".*/, "", y)
  w = r; sub(/.* width="/, "", w); sub(/".*/, "", w)
  n++; N[n] = t; X[n] = x; Y[n] = y; W[n] = w; if (y + 0 > maxy) maxy = y + 0
}
END { for (i = 1; i <= n; i++) printf "%d %.2f %.2f %s\n", (maxy - Y[i]) / fh + 0.5, X[i], W[i], N[i] }
EOF
# flamegraph.pl's flow() over folded lines in order: a frame starts when
# its stack first differs from the one before at or below its depth and
# ends when a later stack does; drawn at 10 + start * 1180 / total px
cat >"$F/chart.awk" <<'EOF'
{
  if (!match($0, /[ \t]+[0-9]+(\.[0-9]*)?$/)) next
  c = substr($0, RSTART) + 0; s = substr($0, 1, RSTART - 1)
  m = split(s, f, ";")
  k = 0
  while (k < m && k < pn && f[k + 1] == P[k + 1]) k++
  for (d = pn; d > k; d--) close_frame(d)
  for (d = k + 1; d <= m; d++) { S[d] = time; P[d] = f[d] }
  pn = m; time += c
}
function close_frame(d) { n++; D[n] = d; B[n] = S[d]; E[n] = time; NM[n] = P[d] }
END {
  for (d = pn; d > 0; d--) close_frame(d)
  n++; D[n] = 0; B[n] = 0; E[n] = time; NM[n] = "all"
  for (i = 1; i <= n; i++) {
    if (E[i] <= B[i]) continue
    name = NM[i]; sub(/_\[[kjiw]\]$/, "", name)
    if (name == "") name = "<unknown>" # profdiff's name for an empty frame (flamegraph.pl draws none)
    printf "%d %.2f %.2f %s\n", D[i], 10 + B[i] * 1180 / time, (E[i] - B[i]) * 1180 / time, name
  }
}
EOF
# same GEOM1 GEOM2: the same frames, positions within a hundredth of a px
same_frames() {
  sort -k1,1n -k2,2n "$1" >"$F/a"
  sort -k1,1n -k2,2n "$2" >"$F/b"
  awk 'NR == FNR { a[FNR] = $0; n = FNR; next }
       { split(a[FNR], p, " "); if (p[1] != $1 || p[2] - $2 > 0.011 || $2 - p[2] > 0.011 || p[3] - $3 > 0.011 || $3 - p[3] > 0.011) { print FNR ": " a[FNR] " | " $0; bad++ }
         na = a[FNR]; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", na); nb = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", nb); if (na != nb) { print FNR ": " a[FNR] " | " $0; bad++ } m = FNR }
       END { if (m != n) print "frames: " n " against " m; exit (bad || m != n) }' "$F/a" "$F/b"
}
chart_check() { # chart_check NAME FOLDED [OPTIONS...]: profdiff's chart = chart.awk's
  local name=$1 file=$2
  shift 2
  run flame --flamechart --minwidth 0 "$@" -o "$F/c.svg" "$file"
  if [ "$rc" != 0 ]; then bad "flamechart $name" "exit $rc: $(head -c 300 "$err")"; return; fi
  if ! xmllint --noout "$F/c.svg" 2>"$F/xerr"; then bad "flamechart $name is well-formed" "$(head -2 "$F/xerr")"; return; fi
  awk -v fh=16 -f "$F/geom.awk" "$F/c.svg" >"$F/got"
  awk -f "$F/chart.awk" "$file" >"$F/want"
  if same_frames "$F/want" "$F/got" >"$F/why"; then ok "flamechart $name: $(wc -l <"$F/got") frames where flow() puts them"
  else bad "flamechart $name: frames where flow() puts them" "$(head -5 "$F/why")"; fi
}

# A small chart, by hand: a stack merges with the one just before only
# (a;b;c after a;b;d is a new c), a frame's own time sits where it came
# (main;work 3 after its children's), a line of count 0 still ends what it
# does not share (a;c 0 splits the two a;b), and an interrupted run starts
# again (x;y between two a).
printf 'a;b;c 1\na;b;d 2\na;b;c 3\na 1\nx;y 2\na;b 1\na;c 0\na;b 2\nmain;work;leaf 5\nmain;work;leaf 4\nmain;work 3\nmain;other;leaf 2\n' >"$F/small.folded"
# start and end of every frame in samples (total 26), as flamegraph.pl
# 1.0 --flamechart drew them (its x and width back in samples)
cat >"$F/small.want" <<'EOF'
0 0 26 all
1 0 7 a
1 7 9 x
1 9 12 a
1 12 26 main
2 0 6 b
2 7 9 y
2 9 10 b
2 10 12 b
2 12 24 work
2 24 26 other
3 0 1 c
3 1 3 d
3 3 6 c
3 12 21 leaf
3 24 26 leaf
EOF
run flame --flamechart -o "$F/small.svg" "$F/small.folded"
awk -v fh=16 -f "$F/geom.awk" "$F/small.svg" |
  awk '{ printf "%d %d %d %s\n", $1, ($2 - 10) * 26 / 1180 + 0.5, ($2 + $3 - 10) * 26 / 1180 + 0.5, $4 }' | sort >"$F/small.got"
sort "$F/small.want" >"$F/small.want.s"
same "flamechart: the small chart's rectangles = flamegraph.pl --flamechart's" "$F/small.want.s" "$F/small.got"
chart_check "small input" "$F/small.folded"
check "flamechart: flamegraph.pl's title" grep -q '<text id="title"[^>]*>Flame Chart</text>' "$F/small.svg"
run flame --flamechart --inverted -o "$F/inv.svg" "$F/small.folded"
check "flamechart --inverted: still a Flame Chart, root at the top" sh -c 'grep -q ">Flame Chart</text>" "$1" && grep -q "data-inverted=\"1\"" "$1"' _ "$F/inv.svg"
run flame --flamechart --title 'My chart' -o "$F/t.svg" "$F/small.folded"
check "flamechart --title" grep -q '>My chart</text>' "$F/t.svg"
run flame -o "$F/graph.svg" "$F/small.folded"
check "without --flamechart: a flame graph (sorted, merged)" sh -c 'grep -q ">Flame Graph</text>" "$1" && [ "$(grep -c "<title>a (" "$1")" = 1 ]' _ "$F/graph.svg"
# --reverse: each stack reversed, the order kept (flamegraph.pl's --reverse)
awk '{ c = $NF; sub(/ [^ ]*$/, ""); n = split($0, f, ";"); s = f[n]; for (i = n - 1; i >= 1; i--) s = s ";" f[i]; print s, c }' "$F/small.folded" >"$F/rev.folded"
run flame --flamechart --reverse --minwidth 0 -o "$F/r1.svg" "$F/small.folded"
awk -v fh=16 -f "$F/geom.awk" "$F/r1.svg" >"$F/r1"
run flame --flamechart --minwidth 0 -o "$F/r2.svg" "$F/rev.folded"
awk -v fh=16 -f "$F/geom.awk" "$F/r2.svg" >"$F/r2"
check "flamechart --reverse = the chart of the stacks reversed" same_frames "$F/r2" "$F/r1"
# several inputs are read one after the other, as flamegraph.pl reads its
# files: the chart of A B is the chart of A's lines then B's
head -5 "$F/small.folded" >"$F/part1"
tail -n +6 "$F/small.folded" >"$F/part2"
run flame --flamechart --minwidth 0 -o "$F/two.svg" "$F/part1" "$F/part2"
awk -v fh=16 -f "$F/geom.awk" "$F/two.svg" >"$F/two"
run flame --flamechart --minwidth 0 -o "$F/c.svg" "$F/small.folded"
awk -v fh=16 -f "$F/geom.awk" "$F/c.svg" >"$F/one"
check "flamechart of two inputs = of their lines in turn" same_frames "$F/one" "$F/two"
run flame --flamechart --minwidth 0 -o "$F/stdin.svg" - "$F/part2" <"$F/part1"
awk -v fh=16 -f "$F/geom.awk" "$F/stdin.svg" >"$F/stdin"
check "flamechart reads - (standard input)" same_frames "$F/one" "$F/stdin"

# real folded inputs, as they come (unsorted perf output, async-profiler)
if have_data; then
  for f in "$DATA"/folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-1.txt \
    "$DATA"/folded/inferno-colors-async-profiler-collapsed-part.txt "$DATA"/folded/inferno-fractional-samples-fractional.txt; do
    [ -f "$f" ] || continue
    chart_check "$(basename "$f")" "$f"
  done
  # a pprof profile's samples in the order of the file (go tool pprof
  # -traces prints them so): its chart is that of those stacks, folded in
  # that order
fi
f=samples/cycle/snapshots/heap-049-2026-11-22T19:12:02Z.pb.gz
if command -v go >/dev/null && [ -z "${PD_WRAP:-}" ]; then
    gopprof -traces -unit=B "$f" 2>/dev/null | awk '
      /^-----------\+/ { if (n) flush(); n = 0; next }
      /^ *[a-zA-Z_]+: / && n == 0 { next }
      { line = $0
        if (n == 0) { if (match(line, /^ *[^ ]+   /)) { v = substr(line, 1, RLENGTH); gsub(/ /, "", v); sub(/[A-Za-z]+$/, "", v); name = substr(line, RLENGTH + 1) } else next }
        else { name = line; sub(/^ +/, "", name) }
        sub(/ \((partial-)?inline\)$/, "", name); gsub(/;/, "_", name); frames[n++] = name }
      function flush(   s, i) { s = frames[n - 1]; for (i = n - 2; i >= 0; i--) s = s ";" frames[i]; print s, v }
      END { if (n) flush() }' >"$F/traces.folded"
    run flame --flamechart --minwidth 0 -o "$F/p1.svg" "$f"
    awk -v fh=16 -f "$F/geom.awk" "$F/p1.svg" >"$F/p1"
    run flame --flamechart --minwidth 0 -o "$F/p2.svg" "$F/traces.folded"
    awk -v fh=16 -f "$F/geom.awk" "$F/p2.svg" >"$F/p2"
    check "flamechart of a pprof profile: its samples in file order (= go tool pprof -traces)" same_frames "$F/p2" "$F/p1"
fi
f=samples/leak/snapshots/heap-029-2026-11-22T19:07:53Z.pb.gz
run flame --flamechart -o "$F/leak.svg" "$f"
check "flamechart of a pprof profile is well-formed" xmllint --noout "$F/leak.svg"
run flame --flamechart --focus cacheResponse --static -o "$F/focus.svg" "$f"
check "flamechart --focus: only those samples" sh -c '! grep -q "<title>main.warmIndex" "$1" && grep -q "<title>main.cacheResponse" "$1" && ! grep -q "<script" "$1"' _ "$F/focus.svg"
expect_error "flamechart with --diff" 'flamechart' flame --flamechart --diff "$f" "$f"
expect_error "flamechart of inputs that measure different things" 'cannot add them' flame --flamechart "$f" samples/labels/cpu.pb.gz
expect_error "flamechart of a missing file" 'nosuch' flame --flamechart "$TMP/nosuch"
