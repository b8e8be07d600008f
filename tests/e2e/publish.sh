# publish.sh: a report directory is published whole (util/publish.c): two
# runs into one DIR at once leave one run's complete report; files an
# earlier run wrote and this one does not are gone; a symlink placed inside
# DIR is never followed; a directory of the user's own files is not
# replaced; SIGTERM and kill -9 leave nothing that the next run keeps.
O=$TMP/publish
mkdir -p "$O"
S=samples/leak/snapshots
a=$S/heap-000-2026-11-22T19:06:51Z.pb.gz
b=$S/heap-002-2026-11-22T19:06:56Z.txt
c=$S/heap-004-2026-11-22T19:07:00Z.pb.gz

# stale files: a three-snapshot run with a gate, then a pair without one
# (--link-base: report.md links its sparklines, which are then written)
expect_rc "three snapshots with a gate" 1 report -o "$O/r" --fail-on 'total>10%' --link-base https://ci.example.org/r "$a" "$b" "$c"
check "first run wrote junit.xml, growth.svg, timeline.svg, sparklines" \
  test -f "$O/r/junit.xml" -a -f "$O/r/growth.svg" -a -f "$O/r/timeline.svg" -a -d "$O/r/sparklines"
expect_rc "a pair, no gate, no svg" 0 report -o "$O/r" --output-format json,md "$a" "$c"
left=$(cd "$O/r" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$left" = "./report.json ./report.md " ] && ok "stale junit.xml, graphs and sparklines gone" || bad "stale files" "$left"
check "nothing beside DIR but DIR" test "$(cd "$O" && ls -A | tr '\n' ' ')" = "r "

# a pre-placed symlink inside DIR is not followed
mkdir -p "$O/elsewhere"
ln -s "$O/elsewhere" "$O/r/sparklines"
expect_rc "report over a sparklines symlink" 0 report -o "$O/r" --link-base https://ci.example.org/r "$a" "$b" "$c"
check "symlink target untouched" test -z "$(ls -A "$O/elsewhere")"
check "DIR/sparklines is a real directory now" test -d "$O/r/sparklines" -a ! -L "$O/r/sparklines"

# DIR holding the user's own files is refused, and kept
mkdir -p "$O/mine" && echo keep >"$O/mine/notes.txt"
expect_error "DIR with the user's files" 'notes.txt, which profdiff did not write' report -o "$O/mine" "$a" "$c"
check "user's file kept" test "$(cat "$O/mine/notes.txt")" = keep
expect_error "DIR is a file" 'exists and is not a directory' report -o "$O/mine/notes.txt" "$a" "$c"

# leftovers of a killed run: a staging directory beside DIR and old
# temporary files inside it are removed by the next run
mkdir -p "$O/r2" "$O/.r2.staging-AbC123/sparklines"
touch "$O/r2/.report.json.tmp-XyZ987" "$O/.r2.staging-AbC123/report.md" "$O/.r2.staging-AbC123/sparklines/f00000.svg"
expect_rc "report after a killed run" 0 report -o "$O/r2" --output-format json "$a" "$c"
check "killed run's staging dir removed" test ! -e "$O/.r2.staging-AbC123"
check "killed run's temporary file removed" test ! -e "$O/r2/.report.json.tmp-XyZ987"

if [ -n "${PD_WRAP:-}" ]; then
  skip "concurrent reports, signals" "timing tests do not run under valgrind"
else
  # SIGTERM while writing: no staging left, DIR as it was
  cp -r "$O/r2" "$O/r2.before"
  "$PD" report -o "$O/r2" --threads 1 "$a" "$b" "$c" "$a" "$b" "$c" "$a" "$b" "$c" 2>/dev/null &
  pid=$!
  sleep 0.05
  kill -TERM $pid 2>/dev/null
  wait $pid
  rc=$?
  if [ "$rc" = 0 ]; then
    skip "SIGTERM cleanup" "the run finished before the signal"
  else
    check "SIGTERM: exit by the signal" test "$rc" = 143
    check "SIGTERM: no staging directory left" test -z "$(cd "$O" && ls -A | grep '^\.r2\.staging-')"
    # a signal that lands after the swap finds the new report already whole
    if diff -r "$O/r2" "$O/r2.before" >/dev/null; then
      ok "SIGTERM: DIR as it was"
    elif jq -e '(.snapshots | length) == 9' "$O/r2/report.json" >/dev/null 2>&1 && [ -s "$O/r2/report.md" ]; then
      ok "SIGTERM after the swap: DIR holds the new run's whole report"
    else
      bad "SIGTERM: DIR changed" "$(diff -r "$O/r2" "$O/r2.before" 2>&1 | head -5)"
    fi
  fi
  # kill -9: whatever is left, the next run removes
  "$PD" report -o "$O/r2" --threads 1 "$a" "$b" "$c" "$a" "$b" "$c" 2>/dev/null &
  pid=$!
  sleep 0.05
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  expect_rc "report after kill -9" 0 report -o "$O/r2" --output-format json "$a" "$c"
  check "kill -9 leftovers removed" test -z "$(cd "$O" && ls -A | grep '^\.r2\.staging-')"

  # 50 trials of two concurrent reports into one DIR: one run's complete
  # report each time (run A writes json+md of a pair, run B json+html of
  # three snapshots: the file set and report.json's snapshot count must agree)
  mixed=0
  for i in $(seq 50); do
    "$PD" report -o "$O/c" --output-format json,md "$a" "$c" 2>/dev/null &
    p1=$!
    "$PD" report -o "$O/c" --output-format json,html "$a" "$b" "$c" 2>/dev/null &
    p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    files=$(cd "$O/c" && ls -A | tr '\n' ' ')
    n=$(jq '.snapshots | length' "$O/c/report.json" 2>/dev/null)
    if [ "$r1$r2" != 00 ]; then mixed=$((mixed + 1)); echo "trial $i: exit $r1 $r2" >&2
    elif [ "$files" = "report.json report.md " ] && [ "$n" = 2 ]; then :
    elif [ "$files" = "report.html report.json " ] && [ "$n" = 3 ]; then :
    else mixed=$((mixed + 1)); echo "trial $i: $files ($n snapshots)" >&2
    fi
  done
  check "50 concurrent pairs of runs: one complete report each time" test "$mixed" = 0
  check "concurrent runs leave nothing beside DIR" test -z "$(cd "$O" && ls -A | grep '^\.c\.')"
fi
