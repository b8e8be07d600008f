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
  expect_rc "top --focus" 0 top --focus 'tree\.Deserialize' --format json "$f"
  jq -e '[.functions[] | select(.name | test("tree.Deserialize$"))][0].cum == .total' "$out" >/dev/null \
    && ok "--focus: the focused function's cum is the total" || bad "--focus" "$(head -c 300 "$out")"
  expect_rc "top --hide" 0 top --hide 'tree\.newNode' --nodefraction 0 "$f"
  grep -q "tree.newNode" "$out" && bad "--hide removes frames" "still there" || ok "--hide removes frames"
  expect_rc "top --granularity file" 0 top --granularity file --nodecount 3 "$f"
  grep -qE '\.go$' "$out" && ok "--granularity file names files" || bad "--granularity file" "$(tail -3 "$out")"
  expect_rc "dotnet profile with unset ids reads with a warning" 0 top --sample-index cpu "$DATA/pprof/pyroscope-og-dotnet-pprof-3.pb.gz"
  grep -q "warning: .*no function has an id (go tool pprof rejects this file)" "$err" && ok "dotnet warning" || bad "dotnet warning" "$(cat "$err")"
fi
