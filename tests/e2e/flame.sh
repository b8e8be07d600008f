# flame.sh: `profdiff flame` and the graphs of `profdiff report`: well-formed
# SVG for every real input, one frame per distinct stack prefix (counted
# independently from `profdiff fold`), differential colours of known
# growing and shrinking frames, options, errors, hostile names.
F=$TMP/flame
mkdir -p "$F"
leak_first=$(ls samples/leak/snapshots/*.pb.gz | head -1)
leak_last=$(ls samples/leak/snapshots/*.pb.gz | tail -1)

# frames drawn with --minwidth 0 = distinct non-empty stack prefixes + the
# root, counted from the folded stacks of the same file
prefixes() { # prefixes FOLDED: number of distinct stack prefixes
  awk '{ sub(/ [^ ]*$/, ""); n = split($0, f, ";"); p = ""; for (i = 1; i <= n; i++) { p = p ";" f[i]; if (!(p in seen)) { seen[p] = 1; c++ } } } END { print c + 0 }' "$1"
}
frames() { xmllint --xpath 'count(//*[local-name()="g" and @id="frames"]/*[local-name()="g"])' "$1" 2>/dev/null; }
frame_fill() { # frame_fill SVG NAME: the fill of the first frame titled NAME
  grep -o "<title>$2 ([^<]*</title><rect [^>]*fill=\"#[0-9a-f]*\"" "$1" | head -1 | grep -o '#[0-9a-f]*'
}
is_red() { local c=$1; [ $((16#${c:1:2})) -gt $((16#${c:3:2})) ] && [ $((16#${c:1:2})) -gt $((16#${c:5:2})) ]; }
is_blue() { local c=$1; [ $((16#${c:5:2})) -gt $((16#${c:1:2})) ] && [ $((16#${c:5:2})) -gt $((16#${c:3:2})) ]; }

flame_matches_fold() { # flame_matches_fold NAME FILE [OPTIONS...]
  local name=$1 file=$2
  shift 2
  run flame --minwidth 0 "$@" -o "$F/x.svg" "$file"
  if [ "$rc" != 0 ]; then bad "flame $name" "exit $rc: $(head -c 300 "$err")"; return; fi
  if ! xmllint --noout "$F/x.svg" 2>"$F/xerr"; then bad "flame $name is well-formed" "$(head -2 "$F/xerr")"; return; fi
  ${PD_WRAP:-} "$PD" fold "$@" "$file" >"$F/x.folded" 2>/dev/null
  local want got
  want=$(($(prefixes "$F/x.folded") + 1))
  got=$(frames "$F/x.svg")
  if [ "$got" = "$want" ]; then ok "flame $name: $got frames, one per stack prefix"; else bad "flame $name frames" "$got frames, fold has $want prefixes"; fi
}

flame_matches_fold "leak snapshot" "$leak_last"
expect_rc "flame to stdout" 0 flame "$leak_last"
head -c 200 "$out" | grep -q '^<?xml' && ok "flame writes SVG to stdout" || bad "flame to stdout" "$(head -c 100 "$out")"
grep -q '<title>all (142.42MB, 100.00%)</title>' "$out" && ok "root frame holds the profile's total" || bad "root total" "$(grep -o '<title>all ([^<]*' "$out")"
# the total in the root's tooltip is top's total
run top --format json "$leak_last"
total=$(jq .total "$out")
run flame --minwidth 0 "$leak_last"
grep -q "<title>main.cacheResponse (94.61MB, 66.43%)" "$out" && ok "frame tooltip: value and percent" || bad "frame tooltip" "$(grep -o '<title>main.cacheResponse[^<]*' "$out")"
check "a script, once" test "$(grep -c '<script' "$out")" = 1
run flame --static "$leak_last"
check "--static: no script" test "$(grep -c '<script' "$out")" = 0
# the same input gives the same bytes
${PD_WRAP:-} "$PD" flame -o "$F/a.svg" "$leak_last" && ${PD_WRAP:-} "$PD" flame -o "$F/b.svg" "$leak_last"
same "flame is deterministic" "$F/a.svg" "$F/b.svg"
[ -n "$total" ] && ok "top total read ($total)" || bad "top total" ""

# options
expect_rc "--inverted" 0 flame --inverted -o "$F/inv.svg" "$leak_last"
xmllint --noout "$F/inv.svg" && grep -q 'data-inverted="1"' "$F/inv.svg" && ok "--inverted: icicle" || bad "--inverted" ""
expect_rc "--palette mem" 0 flame --palette mem -o "$F/mem.svg" "$leak_last"
frame_fill "$F/mem.svg" main.main | grep -q '^#00' && ok "--palette mem: greens and blues" || bad "--palette mem" "$(frame_fill "$F/mem.svg" main.main)"
expect_rc "--palette package" 0 flame --palette package -o "$F/pkg.svg" "$leak_last"
expect_rc "--palette package, another snapshot" 0 flame --palette package -o "$F/pkg0.svg" "$leak_first"
check "a function has the same colour in every graph" test "$(frame_fill "$F/pkg.svg" main.cacheResponse)" = "$(frame_fill "$F/pkg0.svg" main.cacheResponse)"
expect_rc "--minwidth 1%" 0 flame --minwidth 1% -o "$F/mw.svg" "$leak_last"
grep -q 'narrower than 11.8 px not drawn: 0.35% of the total' "$F/mw.svg" && ok "--minwidth in percent: pruned frames are counted in the subtitle" || bad "--minwidth 1%" "$(grep -o 'id="subtitle"[^<]*' "$F/mw.svg")"
printf 'main;a;x 10\nmain;b;x 5\nmain;b 1\n' >"$F/rev.folded"
expect_rc "--reverse" 0 flame --reverse --minwidth 0 "$F/rev.folded"
grep -q '<title>x (15, 93.75%)' "$out" && ok "--reverse: the leaf function at the root" || bad "--reverse" "$(grep -o '<title>[^<]*' "$out" | head -5 | tr '\n' ' ')"
expect_rc "--title --subtitle --width" 0 flame --title 'T <1>' --subtitle 'S & 2' --width 800 "$F/rev.folded"
grep -q '>T &lt;1&gt;</text>' "$out" && grep -q '>S &amp; 2</text>' "$out" && grep -q 'width="800"' "$out" && ok "title, subtitle and width" || bad "title, subtitle and width" ""

# differential: known growth and reduction
printf 'main;a 100\nmain;b 50\nmain;gone 7\n' >"$F/base.folded"
printf 'main;a 20\nmain;b 50\nmain;c 30\n' >"$F/head.folded"
expect_rc "flame --diff" 0 flame --diff --minwidth 0 -o "$F/d.svg" "$F/base.folded" "$F/head.folded"
xmllint --noout "$F/d.svg" && ok "diff is well-formed" || bad "diff is well-formed" ""
is_blue "$(frame_fill "$F/d.svg" a)" && ok "diff: a shrank, blue" || bad "diff: a blue" "$(frame_fill "$F/d.svg" a)"
is_red "$(frame_fill "$F/d.svg" c)" && ok "diff: c is new, red" || bad "diff: c red" "$(frame_fill "$F/d.svg" c)"
check "diff: b unchanged, grey" test "$(frame_fill "$F/d.svg" b)" = "#dcdcdc"
check "diff: gone is not drawn with the head's widths" test "$(grep -c '<title>gone ' "$F/d.svg")" = 0
grep -q '<title>a (base 100, head 20, -80, -80.00%; self -80; 20.00% of head)' "$F/d.svg" && ok "diff tooltip: base, head, delta, percent" || bad "diff tooltip" "$(grep -o '<title>a ([^<]*' "$F/d.svg")"
expect_rc "flame --diff --negate" 0 flame --diff --negate --minwidth 0 -o "$F/n.svg" "$F/base.folded" "$F/head.folded"
grep -q '<title>gone (base 7, head 0, gone, -7' "$F/n.svg" && ok "--negate shows what disappeared" || bad "--negate" "$(grep -o '<title>gone[^<]*' "$F/n.svg")"
expect_rc "flame --diff --normalize" 0 flame --diff --normalize --minwidth 0 -o "$F/z.svg" "$F/base.folded" "$F/head.folded"
grep -q '<title>b (base 31.85, head 50' "$F/z.svg" && ok "--normalize scales the base to the head's total" || bad "--normalize" "$(grep -o '<title>b ([^<]*' "$F/z.svg")"
expect_rc "leak diff" 0 flame --diff -o "$F/leak.svg" "$leak_first" "$leak_last"
is_red "$(frame_fill "$F/leak.svg" main.cacheResponse)" && ok "leak diff: the leaking function is red" || bad "leak diff red" "$(frame_fill "$F/leak.svg" main.cacheResponse)"
check "leak diff: a pass-through caller is grey" test "$(frame_fill "$F/leak.svg" main.main)" = "#dcdcdc"

# errors
expect_error "--diff needs two" "needs two profiles" flame --diff "$leak_last"
expect_error "--negate without --diff" "only apply with --diff" flame --negate "$leak_last"
expect_error "bad --minwidth" "--minwidth wants" flame --minwidth 5px "$leak_last"
expect_error "bad --palette" "--palette must be" flame --palette rainbow "$leak_last"
expect_error "bad --width" "--width wants" flame --width 5 "$leak_last"
expect_error "missing input" "nope.pb.gz" flame -o "$F/none.svg" "$F/nope.pb.gz"
check "no output file on error" test ! -e "$F/none.svg"
expect_error "diff of different sample types" "nothing to compare" flame --diff "$leak_first" "$F/head.folded"

# real profiles from other runtimes and tools
if have_data; then
  # under valgrind (PD_WRAP) two files stand for all: the memory checks
  # need the code paths, not every profile
  for f in "$DATA"/pprof/*; do
    case "$f" in *dotnet*) continue ;; esac # unset function ids: read with a warning, names ambiguous in fold
    case "${PD_WRAP:+wrap}:$f" in wrap:*pyroscope-heap.pb | wrap:*invalid_utf8* | :*) ;; *) continue ;; esac
    flame_matches_fold "$(basename "$f")" "$f"
  done
  folded="$DATA/folded/inferno-fractional-samples-with-space.txt"
  [ -n "${PD_WRAP:-}" ] || folded="$folded $DATA/folded/inferno-base-flames.txt $DATA/folded/inferno-colors-async-profiler-collapsed-part.txt"
  for f in $folded; do
    flame_matches_fold "$(basename "$f")" "$f"
  done
  a=$DATA/folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-1.txt
  b=${a%-1.txt}-2.txt
  expect_rc "diff of two perf profiles" 0 flame --diff -o "$F/perf.svg" "$a" "$b"
  xmllint --noout "$F/perf.svg" && ok "perf diff is well-formed" || bad "perf diff well-formed" ""
fi

# the graphs of a report: report.md (a pull-request comment) links them
# only under --link-base, where the report directory is published; without
# it, no link (a relative one is broken in a comment) and no sparkline files
expect_rc "report with graphs" 0 report -o "$F/rep0" samples/leak/snapshots/*.pb.gz
check "report.md without --link-base: no links" test "$(grep -c '](' "$F/rep0/report.md")" = 0
check "report.md without --link-base: no sparkline files" test ! -e "$F/rep0/sparklines"
grep -q '`diff.svg`' "$F/rep0/report.md" && ok "report.md without --link-base names the graphs" || bad "report.md names the graphs" ""
base=https://ci.example.org/runs/42/heap-report
expect_rc "report with graphs and --link-base" 0 report -o "$F/rep" --link-base "$base/" samples/leak/snapshots/*.pb.gz
for g in flame-first.svg flame-last.svg diff.svg growth.svg timeline.svg; do
  xmllint --noout "$F/rep/$g" 2>/dev/null && ok "report writes $g, well-formed" || bad "report $g" "missing or not well-formed"
  grep -qF "]($base/$g)" "$F/rep/report.md" && ok "report.md links to $g under --link-base" || bad "report.md links to $g" ""
done
links=$(grep -o "]($base/sparklines/f[0-9]*\.svg)" "$F/rep/report.md" | sort -u | sed "s|^]($base/||; s/)$//")
missing=0
for l in $links; do xmllint --noout "$F/rep/$l" 2>/dev/null || missing=$((missing + 1)); done
[ -n "$links" ] && [ $missing = 0 ] && ok "every sparkline report.md links to exists ($(echo "$links" | wc -l))" || bad "sparklines" "$missing missing"
check "no sparkline nobody links to" test "$(ls "$F/rep/sparklines" | wc -l)" = "$(echo "$links" | wc -l)"
check "report.md links nowhere else" test "$(grep -o '](' "$F/rep/report.md" | wc -l)" = "$(grep -oF "]($base/" "$F/rep/report.md" | wc -l)"
n_obj=$(xmllint --html --xpath 'count(//figure/svg) - count(//object)' "$F/rep/report.html" 2>/dev/null)
check "report.html draws the five graphs inline" test "$n_obj" = 5
n_img=$(xmllint --html --xpath 'count(//img[starts-with(@src,"data:image/svg+xml;base64,")])' "$F/rep/report.html" 2>/dev/null)
check "report.html inlines the sparklines" test "$n_img" = "$(grep -o "]($base/sparklines/f[0-9]*\.svg)" "$F/rep/report.md" | wc -l)"
is_red "$(frame_fill "$F/rep/diff.svg" main.cacheResponse)" && ok "report diff: the leak is red" || bad "report diff" "$(frame_fill "$F/rep/diff.svg" main.cacheResponse)"
is_red "$(frame_fill "$F/rep/growth.svg" main.cacheResponse)" && ok "growth graph: the leak is red" || bad "growth graph" "$(frame_fill "$F/rep/growth.svg" main.cacheResponse)"
check "growth graph: the plateau is paler than the leak" test "$(frame_fill "$F/rep/growth.svg" main.warmIndex)" != "$(frame_fill "$F/rep/growth.svg" main.cacheResponse)"
check "report graphs: one colour per function" test "$(frame_fill "$F/rep/flame-first.svg" main.main)" = "$(frame_fill "$F/rep/flame-last.svg" main.main)"
grep -q 'class="reset"\|>reset<' "$F/rep/timeline.svg" || ok "leak timeline has no reset"
expect_rc "report, json only: no graphs" 0 report -o "$F/rep2" --output-format json "$leak_first" "$leak_last"
check "--output-format json writes no SVG" test "$(ls "$F/rep2")" = report.json
if [ -d samples/cycle/snapshots ]; then
  expect_rc "cycle report" 0 report -o "$F/cyc" samples/cycle/snapshots/*.pb.gz
  grep -q '>reset<' "$F/cyc/timeline.svg" && ok "cycle timeline marks the resets" || bad "cycle timeline resets" ""
fi

# flamegraph.pl's habits: several inputs are one graph of their sum, and -
# is standard input; so `cat A B | flame -` is `flame A B`
mi=../shared/data/folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted
if [ -f "$mi-1.txt" ]; then
  expect_rc "flame A B" 0 flame -o "$F/ab.svg" "$mi-1.txt" "$mi-2.txt"
  cat "$mi-1.txt" "$mi-2.txt" | ${PD_WRAP:-} "$PD" flame -o "$F/cat.svg" - 2>"$TMP/err"
  check "flame - (stdin) reads a pipe" test -s "$F/cat.svg"
  same "flame A B = cat A B | flame - (but the subtitle)" <(grep -v subtitle "$F/ab.svg") <(grep -v subtitle "$F/cat.svg")
  check "flame A B: the total is both files'" grep -q '<title>all (286, 100.00%)</title>' "$F/ab.svg"
  check "flame A B: the subtitle says two inputs" grep -q 'and 1 other input, added' "$F/ab.svg"
fi
expect_error "flame: inputs of two sample types" 'cannot add' flame "$leak_last" ../shared/data/pprof/pprof-large.cpu.pb.gz
# _[k] _[j] _[i] _[w]: stripped from labels and tooltips, coloured by kind
printf 'main;do_syscall_[k];sys_read_[k] 5\nmain;Interp::run_[j] 3\nmain;inl_[i] 2\nmain;wake_[w] 2\nmain;odd_[x] 1\n' >"$TMP/ann.folded"
run flame "$TMP/ann.folded"
check "annotations stripped from labels and tooltips" sh -c '! grep -q "_\[[kjiw]\]" "$1"' _ "$out"
check "a suffix that is not an annotation stays" grep -q '<title>odd_\[x\] (1, ' "$out"
check "_[k]: orange (no blue), as flamegraph.pl's kernel frames" grep -q '<title>sys_read (5, [^<]*</title><rect [^>]*fill="#[c-f][0-9a-f][5-9a-f][0-9a-f]00"' "$out"
check "_[i] and _[w]: aqua" sh -c 'grep -q "<title>inl (2, [^<]*</title><rect [^>]*fill=\"#[3-6][0-9a-f][a-d][0-9a-f][a-d][0-9a-f]\"" "$1" && grep -q "<title>wake (2, [^<]*</title><rect [^>]*fill=\"#[3-6][0-9a-f][a-d][0-9a-f][a-d][0-9a-f]\"" "$1"' _ "$out"
check "_[j]: green" grep -q '<title>Interp::run (3, [^<]*</title><rect [^>]*fill="#[3-6][0-9a-f][c-f][0-9a-f][3-6][0-9a-f]"' "$out"
check "flame: the case-insensitive search toggle (ic)" grep -q '<text id="ignorecase"[^>]*>ic</text>' "$out"
# flamegraph.pl's --countname, --bgcolors, --fonttype, --notes
run flame --countname samples --bgcolors green --fonttype "DejaVu Sans" --notes "run 42 & co" "$TMP/ann.folded"
check "--countname after the tooltip values" grep -q '<title>main (13 samples, 100.00%)</title>' "$out"
check "--bgcolors green: flamegraph.pl's gradient" sh -c 'grep -q "stop-color=\"#eef2ee\"" "$1" && grep -q "stop-color=\"#e0ffe0\"" "$1"' _ "$out"
check "--fonttype" grep -q 'font-family:DejaVu Sans,sans-serif' "$out"
check "--notes: a comment, escaped" grep -q '^<!-- NOTES: run 42 &amp; co -->$' "$out"
check "the graph with them is well-formed XML" xmllint --noout "$out"
expect_error "--fonttype that would reach CSS" 'fonttype' flame --fonttype 'x}body{' "$TMP/ann.folded"
expect_error "--notes that would end the comment" 'notes' flame --notes 'a-->' "$TMP/ann.folded"
expect_error "--bgcolors unknown" 'bgcolors' flame --bgcolors red "$TMP/ann.folded"
# flamegraph.pl's --fontsize (labels, title 5 px larger, characters per frame) and --nametype
run flame --fontsize 20 --nametype 'Func<&>:' "$TMP/ann.folded"
check "--fontsize: the labels' CSS and the script's figure" sh -c 'grep -q "text{font-family:Verdana,sans-serif;font-size:20px" "$1" && grep -q "data-fontsize=\"20\"" "$1"' _ "$out"
check "--nametype: escaped into the root for the details line" grep -q 'data-nametype="Func&lt;&amp;&gt;:"' "$out"
check "the graph with --fontsize and --nametype is well-formed XML" xmllint --noout "$out"
expect_error "--fontsize not whole pixels" 'fontsize' flame --fontsize 12.5 "$TMP/ann.folded"
expect_error "--fontsize out of range" 'fontsize' flame --fontsize 1000 "$TMP/ann.folded"
