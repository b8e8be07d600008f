# inputs.sh: the text inputs (folded stacks, Go's and gperftools' text heap
# profiles, cgroup memory files) through the binary: figures against
# `go tool pprof` (tests/expected/legacy, see regen.sh there) and hand counts
# (awk), bad input, and `profdiff memstat` on hand-made series.
I=$TMP/inputs
mkdir -p "$I"

# ---- legacy heap profiles: profdiff top = go tool pprof -top -addresses ----------
exp=tests/expected/legacy
if ! have_data; then
  skip "legacy parity" "../shared/data is absent"
else
  for tf in "$exp"/*.type; do
    b=$(basename "$tf" .type)
    name=${b%.*} i=${b##*.}
    f=$DATA/legacy/$name
    # rows as "flat flat% cum cum% 0xADDR" (sum% left out: rows tied on flat
    # are ordered by name, and pprof's names are "0000000000c635c7 [binary]")
    sed -n '/^      flat  flat%/,$p' "$exp/$b.top" | sed 1d |
      awk '{a = $6; sub(/^0+/, "", a); print $1, $2, $4, $5, "0x" a}' | LC_ALL=C sort >"$TMP/want"
    run top --nodefraction 0 --nodecount 500 --sample-index "$i" --unit B "$f"
    sed -n '/^      flat  flat%/,$p' "$out" | sed 1d | awk '{print $1, $2, $4, $5, $6}' | LC_ALL=C sort >"$TMP/got"
    same "top = pprof -top -addresses: $b" "$TMP/want" "$TMP/got"
    check "total = pprof's: $b" test "$(grep '^Showing nodes' "$out")" = "$(grep '^Showing nodes' "$exp/$b.top")"
    check "type = pprof's: $b" test "$(sed -n 's/^Type: //p' "$out")" = "$(cat "$tf")"
  done
  # gzip-compressed text reads the same
  gzip -c "$DATA/legacy/pprof-cppbench.heap.txt" >"$I/cpp.heap.gz"
  run top --format json "$I/cpp.heap.gz"
  check "gzip-compressed gperftools profile" test "$(jq .total "$out")" = 80935293
fi

# ---- folded stacks ------------------------------------------------------------------
if have_data; then
  for f in "$DATA"/folded/*.txt; do
    [ -s "$f" ] || continue
    b=$(basename "$f")
    want=$(awk 'NF>1 && $NF ~ /^[0-9]+(\.[0-9]+)?$/ {s += $NF} END {printf "%.6f", s}' "$f")
    run top --format json "$f"
    got=$(jq -r '.total' "$out" | awk '{printf "%.6f", $1}')
    check "folded total = hand count: $b" test "$got" = "$want"
  done
  # fold gives back the input, identical stacks merged (for files without empty frames)
  for b in inferno-base-flames.txt inferno-fractional-samples-fractional.txt inferno-colors-async-profiler-collapsed-part.txt; do
    f=$DATA/folded/$b
    awk 'NF>1 {c = $NF; $NF = ""; sub(/ +$/, ""); s[$0] += c} END {for (k in s) printf "%s %.6g\n", k, s[k]}' "$f" |
      LC_ALL=C sort >"$TMP/want"
    run fold --demangle full "$f"
    awk '{c = $NF; $NF = ""; sub(/ +$/, ""); printf "%s %.6g\n", $0, c}' "$out" | LC_ALL=C sort >"$TMP/got"
    same "fold round trip: $b" "$TMP/want" "$TMP/got"
  done
  bl=$DATA/folded/inferno-bad-lines-bad-lines.txt
  expect_rc "bad lines are skipped with warnings" 0 top "$bl"
  grep -q "bad-lines.txt: line 3: count \"LINE\" is not a number" "$err" &&
    grep -q "bad-lines.txt: line 6: count \"12V.43\" is not a number" "$err" &&
    test "$(wc -l <"$err")" = 2 && ok "bad-lines warnings name lines 3 and 6" || bad "bad-lines warnings" "$(cat "$err")"
  expect_error "--strict: a bad line is an error" "bad-lines.txt:3: count \"LINE\" is not a number" top --strict "$bl"
  expect_error "empty folded file" "inferno-empty-empty.txt: empty file" top "$DATA/folded/inferno-empty-empty.txt"
fi
printf 'main;a 5\nmain;b\n' >"$I/nocount.folded"
expect_error "folded: no count" "nocount.folded:2: line has no count" top --strict "$I/nocount.folded"
printf 'main;a 5\nmain;b -3\n' >"$I/negative.folded"
expect_error "folded: negative count" "negative.folded:2: count \"-3\" is negative" fold --strict "$I/negative.folded"
printf 'main;a 5\n\nmain;b 7x\n' >"$I/nan.folded"
expect_error "folded: count not a number" "nan.folded:3: count \"7x\" is not a number" top --strict "$I/nan.folded"
expect_rc "folded: bad line skipped without --strict" 0 fold "$I/nan.folded"
check "folded: the good line is kept" test "$(cat "$out")" = "main;a 5"
printf 'main;a x\n' >"$I/allbad.folded"
expect_error "folded: nothing good" "allbad.folded: no line of the file is a folded stack" top "$I/allbad.folded"
printf 'main;a b;c d 1.5\nmain;a b 2.25\n' >"$I/spaces.folded"
expect_rc "folded: spaces in frames, fractions" 0 top --format json "$I/spaces.folded"
jq -e '.total == 3.75 and ([.functions[] | select(.name == "c d")][0].flat == 1.5)' "$out" >/dev/null &&
  ok "folded: frames with spaces and fractional counts" || bad "folded spaces" "$(cat "$out")"

# ---- legacy bad input ---------------------------------------------------------------------
printf 'heap profile: 1: 2 [x\n' >"$I/badheader.txt"
expect_error "legacy: header does not parse" "badheader.txt:1: heap profile header does not parse" top "$I/badheader.txt"
printf 'heap profile: 1: 2 [1: 2] @ heap/2\n1: 2 [1: 2] @ 0x10\nnonsense\n' >"$I/badsample.txt"
expect_error "legacy: bad sample line" "badsample.txt:3: not a heap profile sample" top "$I/badsample.txt"

# ---- cgroup memory files --------------------------------------------------------------------
M=$I/mem
mkdir -p "$M/v1" "$M/v2"
t0=1795370000
# cgroup v1, one snapshot a second for a minute: a log file being written
# (the file cache grows 1 MiB/s), anon memory wobbling, a flat heap
for i in $(seq 0 60); do
  t=$((t0 + i))
  anon=$((20971520 + (i * 7 % 4) * 1048576))
  inact=$((1048576 + i * 838861)) act=$((2097152 + i * 209715))
  printf 'cache %d\nrss %d\nmapped_file 0\nactive_file %d\ninactive_file %d\ntotal_cache %d\ntotal_rss %d\ntotal_active_file %d\ntotal_inactive_file %d\n' \
    $((act + inact)) $anon $act $inact $((act + inact)) $anon $act $inact >"$M/v1/memory.stat.$t"
  echo $((anon + act + inact + 500000)) >"$M/v1/memory.usage_in_bytes.$t"
  # a Go debug=1 heap profile of 4 MiB, written the same second
  printf 'heap profile: 4: 4194304 [8: 8388608] @ heap/1\n4: 4194304 [8: 8388608] @ 0x1001 0x2001\n#\t0x1000\tmain.log+0x1\t/x.go:1\n#\t0x2000\tmain.main+0x1\t/x.go:9\n' \
    >"$M/v1/heap-$t.txt"
done
expect_rc "memstat: page cache series" 0 memstat "$M"/v1/*
grep -q "^Attribution: page_cache" "$out" && ok "memstat: page_cache in words" || bad "memstat page_cache" "$(tail -3 "$out")"
grep -q "file cache grew by 60MB while anon memory stayed flat" "$out" && ok "memstat: the sentence says why" || bad "memstat sentence" "$(tail -1 "$out")"
expect_rc "memstat json" 0 memstat --format json "$M"/v1/*
jq -e '.attribution == "page_cache" and .cgroup_version == "v1" and (.snapshots | length) == 61
       and .heap_profiles_paired == 61 and .snapshots[0].usage_estimated == false
       and .snapshots[0].heap == 4194304 and .lines.file_cache.grows and (.lines.anon.grows | not)
       and .snapshots[0].time_source == "file_name" and (.unpaired | length) == 0' "$out" >/dev/null &&
  ok "memstat json: page_cache with its figures" || bad "memstat json" "$(head -c 400 "$out")"
# cgroup v2 with memory.current: the heap grows 0.5 MiB/s and anon with it
for i in $(seq 0 30); do
  t=$((t0 + i))
  heap=$((4194304 + i * 524288)) anon=$((20971520 + i * 943718))
  printf 'anon %d\nfile 3145728\nkernel 1048576\nactive_file 2097152\ninactive_file 1048576\nshmem 0\n' $anon >"$M/v2/memory.stat-$(date -u -d @$t +%Y-%m-%dT%H-%M-%SZ)"
  echo $((anon + 3145728 + 1048576)) >"$M/v2/memory.current-$(date -u -d @$t +%Y-%m-%dT%H-%M-%SZ)"
  printf 'heap profile: 1: %d [1: %d] @ heap/1\n1: %d [1: %d] @ 0x1001\n#\t0x1000\tmain.leak+0x1\t/x.go:1\n' $heap $heap $heap $heap \
    >"$M/v2/heap.$t.txt"
done
expect_rc "memstat: heap growth series" 0 memstat --format json "$M"/v2/*
jq -e '.attribution == "heap" and .cgroup_version == "v2" and .heap_share > 0.5 and .lines.heap.grows
       and .snapshots[3].usage_file != null' "$out" >/dev/null &&
  ok "memstat json: heap" || bad "memstat heap" "$(head -c 400 "$out")"
expect_rc "memstat text: heap" 0 memstat "$M"/v2/*
grep -q "^Attribution: heap" "$out" && grep -q "the growth is on the profiled heap" "$out" &&
  ok "memstat: heap in words" || bad "memstat heap words" "$(tail -2 "$out")"

# memory files are not profiles, and unknown keys are not memory.stat
expect_error "top on memory.stat" "memory.stat.$t0: a cgroup memory file" top "$M/v1/memory.stat.$t0"
printf 'foo 1\nbar 2\n' >"$I/nokeys.stat"
expect_error "memstat: no known keys" "nokeys.stat:1: no line holds a memory.stat key" memstat "$M/v1/memory.stat.$t0" "$I/nokeys.stat"
expect_rc "memstat --keep-going skips it" 0 memstat --keep-going --format json "$M/v1/memory.stat.$t0" "$M/v1/memory.stat.$((t0 + 1))" "$I/nokeys.stat"
jq -e '(.skipped | length) == 1 and (.skipped[0] | test("nokeys.stat:1: no line holds"))' "$out" >/dev/null &&
  grep -q "warning: .*nokeys.stat" "$err" && ok "memstat --keep-going lists the skipped file" || bad "keep-going" "$(cat "$out" "$err" | head -c 400)"
printf 'cache 1\nrss two\n' >"$I/badline.stat"
expect_error "memstat: bad line" "badline.stat:2: not a \"key value\" line of memory.stat" memstat "$I/badline.stat"
expect_error "memstat: heap profiles only" "no memory.stat, memory.current or memory.usage_in_bytes file" memstat "$M/v1/heap-$t0.txt"
# without a time in the name, the modification time, and the report says so
cp "$M/v1/memory.stat.$t0" "$I/a.stat" && touch -d @$t0 "$I/a.stat"
cp "$M/v1/memory.stat.$((t0 + 30))" "$I/b.stat" && touch -d @$((t0 + 30)) "$I/b.stat"
expect_rc "memstat: times from mtime" 0 memstat --format json "$I/b.stat" "$I/a.stat"
jq -e '.times_from_mtime and .snapshots[0].time_source == "mtime" and (.snapshots[0].memory_stat | endswith("a.stat")) and .span_seconds == 30' "$out" >/dev/null &&
  ok "memstat: mtime order, said in the output" || bad "mtime" "$(head -c 400 "$out")"

# ---- the series recorded on a real cgroup v1 (samples/memstat/README.md) --------------
R=samples/memstat
expect_rc "recorded page cache series" 0 memstat "$R"/pagecache/heap.* "$R"/pagecache/memory.*
grep -q "^Attribution: page_cache" "$out" && grep -q "this is page cache from files being written" "$out" &&
  ok "recorded page cache series: page_cache in words" || bad "recorded pagecache words" "$(tail -2 "$out")"
expect_rc "recorded page cache series, json" 0 memstat --format json "$R"/pagecache/heap.* "$R"/pagecache/memory.*
jq -e '.attribution == "page_cache" and .cgroup_version == "v1" and (.snapshots | length) == 26
       and .heap_profiles_paired == 26 and .lines.file_cache.growth > 240e6 and (.lines.anon.grows | not)
       and .lines.heap.growth == 0 and ([.snapshots[] | select(.usage_estimated)] | length) == 0' "$out" >/dev/null &&
  ok "recorded page cache series: page_cache in JSON" || bad "recorded pagecache json" "$(jq -c '.attribution, .lines' "$out" | head -c 400)"
expect_rc "recorded heap growth series, json" 0 memstat --format json "$R"/heapgrow/heap.* "$R"/heapgrow/memory.*
jq -e '.attribution == "heap" and .lines.heap.growth > 150e6 and .lines.anon.growth > 180e6
       and (.lines.file_cache.grows | not) and .heap_share > 0.8' "$out" >/dev/null &&
  ok "recorded heap growth series: heap in JSON" || bad "recorded heapgrow json" "$(jq -c '.attribution, .lines' "$out" | head -c 400)"
expect_rc "recorded heap growth series" 0 memstat "$R"/heapgrow/heap.* "$R"/heapgrow/memory.*
grep -q "^Attribution: heap" "$out" && grep -q "the growth is on the profiled heap" "$out" &&
  ok "recorded heap growth series: heap in words" || bad "recorded heapgrow words" "$(tail -2 "$out")"
# the folder as it is, with the program's run.log: skipped with --keep-going
expect_rc "recorded folder with --keep-going" 0 memstat --keep-going --format json "$R"/heapgrow/*
jq -e '.attribution == "heap" and (.skipped | length) == 1 and (.skipped[0] | test("run.log:1: not a \"key value\" line"))' "$out" >/dev/null &&
  ok "--keep-going skips run.log and says so" || bad "keep-going run.log" "$(jq -c .skipped "$out")"
