# cli.sh: help, version, usage errors.
expect_rc "version" 0 --version
grep -q "^profdiff [0-9]" "$out" && ok "version prints a version" || bad "version prints a version" "$(cat "$out")"
expect_rc "main help" 0 --help
grep -q "commands:" "$out" && ok "main help lists commands" || bad "main help lists commands" "no commands"
cmds=$(sed -n '/^commands:/,/^$/p' "$out" | awk 'NF>1 && $1!="commands:" {print $1}')
# under valgrind two commands stand for all (one usage writer; the pages and
# options of every command are checked by the plain pass)
[ -n "${PD_WRAP:-}" ] && cmds="report fold"
for cmd in $cmds; do
  expect_rc "$cmd --help" 0 "$cmd" --help
  grep -q "^usage: profdiff $cmd" "$out" && ok "$cmd --help has usage" || bad "$cmd --help has usage" "$(head -2 "$out")"
  # every command has its page in docs/ and its place in the man page
  check "docs/$cmd.md exists" test -s "docs/$cmd.md"
  grep -q "^\.B profdiff $cmd" docs/profdiff.1 && ok "man page shows $cmd" || bad "man page shows $cmd" ""
  # and every option of its --help is in its page
  for o in $(grep -oE '^  (-., )?--[a-z-]+' "$out" | grep -oE -- '--[a-z-]+' | grep -v -- '--help'); do
    grep -q -- "$o" "docs/$cmd.md" || grep -q -- "$o" docs/filters.md docs/top.md || bad "docs/$cmd.md documents $o" "missing"
  done
done
if command -v man >/dev/null; then
  w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/profdiff.1 2>&1 >/dev/null)
  [ -z "$w" ] && ok "man page renders without warnings" || bad "man page warnings" "$(echo "$w" | head -3)"
fi
expect_rc "no arguments" 2
expect_rc "unknown command" 2 frobnicate
grep -q 'unknown command "frobnicate"' "$err" && ok "unknown command named" || bad "unknown command named" "$(head -2 "$err")"
expect_rc "unknown option" 2 top --frobnicate x
grep -q "unknown option --frobnicate" "$err" && ok "unknown option named" || bad "unknown option named" "$(cat "$err")"
expect_rc "top without a file" 2 top
if have_data; then
  expect_rc "-o alias" 0 top -o "$TMP/o1.txt" "$DATA/pprof/pyroscope-og-heap.pb.gz"
  expect_rc "-oFILE alias" 0 top -o"$TMP/o2.txt" "$DATA/pprof/pyroscope-og-heap.pb.gz"
  same "-o and -oFILE write the same" "$TMP/o1.txt" "$TMP/o2.txt"
fi
