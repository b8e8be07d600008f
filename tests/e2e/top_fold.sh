# top_fold.sh: behaviour of top and fold beyond pprof parity.
if have_data; then
  f=$DATA/pprof/pyroscope-og-heap.pb.gz
  expect_rc "top default" 0 top "$f"
  head -3 "$out" | grep -q "^Type: inuse_space" && ok "default sample type is default_sample_type or last" || bad "default type" "$(head -3 "$out")"
  expect_rc "top --cum" 0 top --cum --nodecount 5 "$f"
  sed -n '/flat  flat%/,$p' "$out" | awk 'NR>1 {print $4}' >"$TMP/cums"
  check "top --cum sorted by cum" test "$(sed 's/MB//' "$TMP/cums" | sort -gr | tr '\n' ' ')" = "$(sed 's/MB//' "$TMP/cums" | tr '\n' ' ')"
  expect_rc "top --nodecount" 0 top --nodecount 3 "$f"
  check "top --nodecount 3 shows 3 rows" test "$(sed -n '/flat  flat%/,$p' "$out" | tail -n +2 | wc -l)" = 3
  expect_rc "top --output" 0 top --output "$TMP/top.txt" "$f"
  check "top --output writes the file" test -s "$TMP/top.txt"
  expect_rc "top json" 0 top --format json "$f"
  jq -e '.sample_type == "inuse_space" and .unit == "bytes" and .total == 1602645059 and (.functions | length) > 10' "$out" >/dev/null && ok "top json shape" || bad "top json shape" "$(head -c 300 "$out")"
  expect_rc "fold" 0 fold "$f"
  check "fold lines are stack SPACE number" test "$(grep -cvE '^[^ ].* -?[0-9.]+$' "$out")" = 0
  awk '{s+=$NF} END {printf "%.0f\n", s}' "$out" >"$TMP/sum"
  check "fold sums to the total" test "$(cat "$TMP/sum")" = 1602645059
  # filters: --focus keeps only samples through a frame, --hide removes frames
  expect_rc "top --focus" 0 top --focus 'tree\.Deserialize' --relative-percentages --format json "$f"
  jq -e '[.functions[] | select(.name | test("tree.Deserialize$"))][0].cum == .total' "$out" >/dev/null \
    && ok "--focus --relative-percentages: the focused function's cum is the total" || bad "--focus" "$(head -c 300 "$out")"
  # without it the total is the whole profile's, as pprof's
  expect_rc "top --focus" 0 top --focus 'tree\.Deserialize' --format json "$f"
  jq -e '.total == 1602645059' "$out" >/dev/null \
    && ok "--focus: percentages of the whole profile (pprof's total)" || bad "--focus total" "$(head -c 300 "$out")"
  expect_rc "top --hide" 0 top --hide 'tree\.newNode' --nodefraction 0 "$f"
  grep -q "tree.newNode" "$out" && bad "--hide removes frames" "still there" || ok "--hide removes frames"
  expect_rc "top --granularity file" 0 top --granularity file --nodecount 3 "$f"
  grep -qE '\.go$' "$out" && ok "--granularity file names files" || bad "--granularity file" "$(tail -3 "$out")"
  expect_rc "dotnet profile with unset ids reads with a warning" 0 top --sample-index cpu "$DATA/pprof/pyroscope-og-dotnet-pprof-3.pb.gz"
  grep -q "warning: .*no function has an id (go tool pprof rejects this file)" "$err" && ok "dotnet warning" || bad "dotnet warning" "$(cat "$err")"
fi

# A folded file over 8 MB is parsed by two threads (folded.c): the result is
# the one a plain aggregation gives, and malformed lines in either half are
# reported with their own line numbers, in order. Skipped under valgrind (a
# 10 MB parse there takes minutes; the halves' merge is covered below the
# threshold by every other folded test, which takes the one-thread path).
SYNTH=$(dirname "$PD")/profdiff-synth
[ -x "$SYNTH" ] || SYNTH=zig-out/bin/profdiff-synth
if [ -n "${PD_WRAP:-}" ]; then
  skip "large folded file, two threads" "under valgrind"
elif [ ! -x "$SYNTH" ]; then
  skip "large folded file, two threads" "no profdiff-synth"
else
  big=$TMP/big.folded
  "$SYNTH" --folded --samples 50000 -o "$big"
  check "the large folded file is over the two-thread threshold" test "$(stat -c %s "$big")" -gt $((8 << 20))
  expect_rc "fold of a large folded file" 0 fold "$big"
  LC_ALL=C awk '{c = $NF; $NF = ""; sub(/ $/, ""); s[$0] += c} END {for (k in s) printf "%s %d\n", k, s[k]}' "$big" |
    LC_ALL=C sort >"$TMP/big.expected"
  LC_ALL=C sort "$out" | cmp -s - "$TMP/big.expected" && ok "two-thread parse: same stacks and sums as awk" ||
    bad "two-thread parse" "fold output differs from awk's aggregation"
  n=$(wc -l <"$big")
  # a bad line near the start and one near the end (in the second half)
  awk -v n="$n" 'NR == 3 {print "no count here"} NR == n - 2 {print "main;broken x12"} {print}' "$big" >"$TMP/bad.folded"
  expect_rc "large folded file with two bad lines" 0 top "$TMP/bad.folded"
  w1=$(grep -o 'line [0-9][0-9]*' "$err" | sed -n 1p) w2=$(grep -o 'line [0-9][0-9]*' "$err" | sed -n 2p)
  check "bad lines named in order with their numbers ($w1, $w2)" test "$w1 $w2" = "line 3 line $((n - 1))"
  awk -v n="$n" 'NR == n - 2 {print "main;broken x12"} {print}' "$big" >"$TMP/bad2.folded"
  expect_rc "--strict: a bad line in the second half" 2 top --strict "$TMP/bad2.folded"
  grep -q "bad2.folded:$((n - 2)): count \"x12\" is not a number" "$err" && ok "--strict names the second half's line" ||
    bad "--strict second half" "$(cat "$err")"
fi
