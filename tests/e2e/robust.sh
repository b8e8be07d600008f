# robust.sh: hostile shapes and patterns of issue 14, each generated here
# (profdiff-test --write-adversarial for the pprof ones): stacks sharing a
# 300,000-frame prefix (no recursion follows the input), regular
# expressions that crash, hang or blow up a backtracking engine, from the
# command line (an error, exit 2) and from the profile itself (a warning:
# the pattern is ignored). Each must finish in seconds, under `ulimit -v`
# outside valgrind.
R=$TMP/robust
mkdir -p "$R"
PDTEST=${PD_TEST:-$(dirname "$PD")/profdiff-test}
rdiv=1
[ -n "${PD_WRAP:-}" ] && rdiv=50

# ---- no recursion whose depth follows the input -------------------------------------
n=$((300000 / rdiv))
awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "f;"; print "a 1"; for (i = 0; i < n; i++) printf "f;"; print "b 2" }' >"$R/shared.folded"
bounded 1000 20 "folded: top of two stacks sharing a $n-frame prefix" 0 top "$R/shared.folded"
bounded 1000 20 "folded: fold of two stacks sharing a $n-frame prefix" 0 fold "$R/shared.folded"
same "folded shared prefix: fold gives both stacks back" "$R/shared.folded" "$out"
if [ ! -x "$PDTEST" ]; then
  skip "pprof robustness" "no $PDTEST (zig build tests)"
else
  "$PDTEST" --write-robust "$R" $rdiv || bad "write robustness profiles" "profdiff-test failed"
  bounded 1000 20 "pprof: fold of two stacks sharing a $n-frame prefix" 0 fold "$R/shared.pb"
  [ "$(awk '{ print $2 }' "$out" | tr '\n' ' ')" = "1 2 " ] && [ "$(head -1 "$out" | tr ';' '\n' | wc -l)" = $((n + 1)) ] \
    && ok "pprof shared prefix: both stacks whole" || bad "pprof shared prefix" "$(cut -c1-80 "$out")"
  bounded 1000 20 "pprof: flame of two stacks sharing a $n-frame prefix" 0 flame -o "$R/shared.svg" "$R/shared.pb"
  # (the report is large, 300 MB of flame graphs: 50,000 frames is as good a test)
  awk -v n=$((n / 6)) 'BEGIN { for (i = 0; i < n; i++) printf "f;"; print "a 1"; for (i = 0; i < n; i++) printf "f;"; print "b 2" }' >"$R/shared-50k.folded"
  bounded 1000 30 "report of two stacks sharing a $((n / 6))-frame prefix" 0 report -o "$R/shared-report" "$R/shared-50k.folded" "$R/shared.pb"

  # ---- a profile's own patterns: a warning, and the pattern is ignored ---------------
  long=$((100000 / rdiv))
  for f in nest exponential repeat classes backtrack; do
    bounded 500 20 "drop_frames $f: exit 0" 0 fold "$R/re-$f.pb"
    one_line "drop_frames $f: one warning, ignored" "warning: .*re-$f\.pb: drop_frames regular expression .* (is invalid|needs more than).*; it is ignored$"
    [ "$(head -c 7 "$out")" = "main;aa" ] && [ "$(awk '{ print $2 }' "$out" | tr '\n' ' ')" = "3 2 " ] \
      && ok "drop_frames $f: nothing dropped" || bad "drop_frames $f: nothing dropped" "$(cut -c1-60 "$out")"
  done
  bounded 500 20 "keep_frames that backtracks: exit 0" 0 fold "$R/re-keep-backtrack.pb"
  one_line "keep_frames that backtracks: one warning" "keep_frames regular expression .* needs more than .*; it is ignored$"
  [ "$(cat "$out")" = "$(printf 'main 3\nmain;f 2')" ] && ok "keep_frames ignored, drop_frames applied" || bad "keep_frames ignored" "$(cut -c1-60 "$out")"
  expect_rc "a good drop_frames on a long name" 0 fold "$R/re-good.pb"
  [ "$(cat "$out")" = "$(printf 'main 3\nmain;f 2')" ] && [ ! -s "$err" ] && ok "drop_frames a+! prunes the long name" || bad "drop_frames a+!" "$(cut -c1-60 "$out") $(head -c 200 "$err")"
  # the same warning reaches report's stderr and its report
  bounded 1000 30 "report with a hostile drop_frames" 0 report -o "$R/re-report" "$R/re-nest.pb" "$R/re-good.pb"
  grep -q 'drop_frames regular expression .* is invalid: parentheses are too deeply nested' "$err" \
    && ok "report: the warning on stderr" || bad "report: the warning on stderr" "$(head -c 300 "$err")"
  jq -e '[.. | strings | select(test("drop_frames regular expression"))] | length > 0' "$R/re-report/report.json" >/dev/null \
    && ok "report: the warning in report.json" || bad "report: the warning in report.json" "not found"
  # the command line: a pattern that exceeds a limit on the profile's name is an error
  bounded 500 20 "--focus that backtracks on a long name: exit 2" 2 top --focus '(a|a)*[bc]' "$R/re-good.pb"
  one_line "--focus that backtracks: one line naming the file" "re-good\.pb: --focus regular expression \"\(a\|a\)\*\[bc\]\" needs more than"
  bounded 500 20 "--focus ([a-z]{1,100}){1,100} on a long name" 0 top --focus '([a-z]{1,100}){1,100}' "$R/re-good.pb"
  rm -f "$R"/*.pb
fi

# ---- command-line patterns: one line, exit 2, at once ---------------------------------
printf 'main;a 1\nmain;b 2\n' >"$R/small.folded"
nest=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "("; for (i = 0; i < 20000; i++) printf ")" }')
for opt in focus ignore hide show; do
  bounded 200 5 "--$opt ( is refused" 2 top --$opt '(' "$R/small.folded"
  one_line "--$opt (: one line" "^profdiff: --$opt regular expression \"\(\" is invalid: missing closing parenthesis"
done
bounded 200 5 "--focus of 20,000 nested parentheses is refused" 2 top --focus "$nest" "$R/small.folded"
one_line "--focus nested: one line" "regular expression .* is invalid: parentheses are too deeply nested"
bounded 200 5 "--ignore '(a*)*{200}' is refused" 2 top --ignore '(a*)*{200}' "$R/small.folded"
bounded 200 5 "--hide 'a{1000}{1000}{1000}' is refused" 2 top --hide 'a{1000}{1000}{1000}' "$R/small.folded"
bounded 200 5 "--show of a 70,000-byte pattern is refused" 2 top --show "$(head -c 70000 /dev/zero | tr '\0' a)" "$R/small.folded"
one_line "--show long: says the limit" "is 70000 bytes long, over the limit of 65536"
bounded 200 5 "--focus '((a{1,100}){1,100}){1,100}' is refused (too large compiled)" 2 top --focus '((a{1,100}){1,100}){1,100}' "$R/small.folded"
one_line "--focus too large: one line" "is invalid: regular expression is too large"
# pprof's semantics kept: unanchored search, RE2's \d \w \s, | alternation
printf 'main;pkg.F1 1\nmain;pkg.g_2 2\nmain;x y 4\n' >"$R/re.folded"
expect_rc "--focus 'F\\d' (unanchored, RE2 \\d)" 0 fold --focus 'F\d' "$R/re.folded"
[ "$(cat "$out")" = "main;pkg.F1 1" ] && ok "--focus F\\d keeps one stack" || bad "--focus F\\d" "$(cat "$out")"
expect_rc "--hide '^main\$|\\s'" 0 fold --hide '^main$|\s' "$R/re.folded"
[ "$(cat "$out" | tr '\n' ' ')" = "pkg.F1 1 pkg.g_2 2 " ] && ok "--hide ^main\$|\\s" || bad "--hide ^main\$|\\s" "$(cat "$out")"
expect_rc "--show '\\w_\\d'" 0 fold --show '\w_\d' "$R/re.folded"
[ "$(cat "$out")" = "pkg.g_2 2" ] && ok "--show \\w_\\d" || bad "--show \\w_\\d" "$(cat "$out")"
# ---- only regular files are read ---------------------------------------------------------
mkfifo "$R/fifo"
for cmd in top memstat; do
  bounded 200 5 "$cmd on a FIFO nobody writes to: refused at once" 2 $cmd "$R/fifo"
  one_line "$cmd on a FIFO: one line" "fifo: not a regular file"
done
bounded 200 5 "report on a FIFO: refused at once" 2 report -o "$R/fifo-out" "$R/fifo" "$R/small.folded"
bounded 200 5 "/dev/zero is refused at once" 2 top /dev/zero
one_line "/dev/zero: one line" "/dev/zero: not a regular file"
rm -rf "$R"
