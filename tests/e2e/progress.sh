# progress.sh: report's progress line on standard error (cli/progress.c):
# off in a file or pipe unless --progress (then one line per step), on a
# terminal redrawn in place and erased before the summary line; never on
# standard output; --no-progress turns it off on a terminal too.
G=$TMP/progress
mkdir -p "$G"
pg_in=(samples/leak/snapshots/heap-00*.pb.gz)
expect_rc "report --progress into a file" 0 report --progress -o "$G/r1" "${pg_in[@]}"
printf '%s\n' 'profdiff: reading 10 files' 'profdiff: analysing' 'profdiff: writing report.md' \
  'profdiff: writing report.html and its graphs' 'profdiff: writing the graphs and sparklines' \
  'profdiff: writing report.json' >"$G/want"
head -6 "$err" >"$G/got"
same "--progress into a file: one line per step" "$G/want" "$G/got"
check "--progress into a file: then the summary line" sh -c 'sed -n 7p "$1" | grep -q "^profdiff: 10 snapshots" && test "$(wc -l <"$1")" = 7' _ "$err"
check "--progress: nothing on standard output" test ! -s "$out"
check "--progress into a file: no terminal codes" sh -c '! grep -q "$(printf "\033")" "$1"' _ "$err"
expect_rc "report into a file, by default" 0 report -o "$G/r2" "${pg_in[@]}"
check "by default no progress off a terminal: the summary line alone" test "$(wc -l <"$err")" = 1
if [ -n "${PD_WRAP:-}" ] || ! command -v script >/dev/null; then
  skip "progress on a terminal" "needs script(1), not under valgrind"
else
  # script(1) gives the run a terminal; the line is redrawn in place
  script -qec "$PD report --progress -o $G/r3 ${pg_in[*]} 2>&1" /dev/null >"$G/tty" 2>&1
  check "--progress on a terminal: the files read, redrawn in place" grep -q "$(printf '\r\033\\[K')profdiff: read 10 of 10 files" "$G/tty"
  check "--progress on a terminal: erased before the summary line" \
    grep -q "$(printf 'writing report.json\r\033\\[K')profdiff: 10 snapshots" "$G/tty"
  script -qec "$PD report --no-progress -o $G/r4 ${pg_in[*]} 2>&1" /dev/null >"$G/tty2" 2>&1
  check "--no-progress on a terminal: no progress line" sh -c '! grep -q "analysing" "$1" && grep -q "10 snapshots" "$1"' _ "$G/tty2"
fi
