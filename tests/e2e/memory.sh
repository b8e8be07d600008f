# memory.sh: the memory policy and input-proportional structures (issue 14),
# each input generated here (profdiff-test --write-memory, awk, yes): a
# string table of 100 million empty strings stays within a small multiple
# of its 200 MB inflated size; stacks over PD_MAX_STACK_DEPTH (a 100 MB
# folded line of 50 million frames, a 2-million-frame pprof sample, a
# million frames from inlined lines) are one line and exit 2 at once; out of
# memory is one line naming the file and exit 2, never abort's 134. Under
# valgrind the string table is 100 times smaller and the folded line is left
# out (seconds of valgrind each).
M=$TMP/memory
mkdir -p "$M"
PDTEST=${PD_TEST:-$(dirname "$PD")/profdiff-test}
mdiv=1
[ -n "${PD_WRAP:-}" ] && mdiv=100
[ "$pd_debug" = 1 ] && mdiv=10 # (the -O0 build checks behaviour, not size)
if [ ! -x "$PDTEST" ]; then
  skip "memory policy" "no $PDTEST (zig build tests)"
else
  "$PDTEST" --write-memory "$M" $mdiv || bad "write memory profiles" "profdiff-test failed"
  nstr=$((100000000 / mdiv))
  # 200 MB inflated: 2.8 GB before the string table was 4 bytes a string
  bounded 2048 20 "top of $nstr empty strings under 2 GB" 0 top "$M/strings.pb.gz"
  grep -q ' f0$' "$out" && ok "empty strings: the profile is read whole" || bad "empty strings: top" "$(head -c 300 "$out")"
  bounded 2048 20 "report of $nstr empty strings under 2 GB" 0 report -o "$M/strings-report" "$M/strings.pb.gz" "$M/strings.pb.gz"
  # merge's protobuf-c took 5 GB: the string table is split off before it unpacks
  bounded 2048 20 "merge of $nstr empty strings under 2 GB" 0 merge -o "$M/merged.pb.gz" "$M/strings.pb.gz"
  expect_rc "top of the merged profile" 0 top "$M/merged.pb.gz"
  grep -q ' f0$' "$out" && ok "merge of empty strings: the sample kept" || bad "merge of empty strings" "$(head -c 300 "$out")"
  if [ "$mdiv" = 1 ]; then
    # out of memory: one line, exit 2 (abort() was 134), the staged report removed
    bounded 300 20 "top of $nstr empty strings under 300 MB: out of memory" 2 top "$M/strings.pb.gz"
    one_line "out of memory: one line naming the file" "^profdiff: .*strings\.pb\.gz: out of memory \(300 MB limit\) while reading it$"
    bounded 300 20 "report under 300 MB: out of memory" 2 report -o "$M/oom-report" "$M/strings.pb.gz" "$M/strings.pb.gz"
    one_line "report out of memory: one line" "strings\.pb\.gz: out of memory \(300 MB limit\) while reading it$"
    [ ! -e "$M/oom-report" ] && [ -z "$(ls -A "$M" | grep -v -e '\.pb\.gz$' -e '^strings-report$' -e '^merged')" ] \
      && ok "report out of memory: nothing staged is left" || bad "report out of memory: leftovers" "$(ls -A "$M")"
  fi
  for f in deep inline; do
    for cmd in top fold; do
      bounded 2048 20 "$cmd of a $f stack over the depth limit: exit 2" 2 $cmd "$M/$f.pb.gz"
      one_line "$cmd $f: one line, the limit" "$f\.pb\.gz: a sample's stack is deeper than 1000000 frames, the limit \(docs/inputs\.md\)$"
    done
  done
  bounded 2048 20 "flame of a deep stack: exit 2" 2 flame -o "$M/deep.svg" "$M/deep.pb.gz"
  [ ! -e "$M/deep.svg" ] && ok "flame of a deep stack: no file" || bad "flame deep" "deep.svg written"
  bounded 2048 20 "report with a deep stack: exit 2" 2 report -o "$M/deep-report" "$M/deep.pb.gz" "$M/strings.pb.gz"
  one_line "report deep: one line" "deep\.pb\.gz: a sample's stack is deeper than 1000000 frames"
fi
if [ -z "${PD_WRAP:-}" ]; then
  # one 100 MB folded line of 50 million frames: took 1.3 GB to top, more than 2 GB to fold
  { yes 'a' | head -n 50000000 | tr '\n' ';'; echo 'b 1'; } >"$M/deep.folded"
  for cmd in top fold; do
    bounded 2048 20 "$cmd of a 50,000,000-frame folded line: exit 2" 2 $cmd "$M/deep.folded"
    one_line "$cmd deep folded: one line with the line number" "deep\.folded:1: the stack is deeper than 1000000 frames, the limit \(docs/inputs\.md\)$"
  done
  bounded 2048 20 "flame of a 50,000,000-frame folded line: exit 2" 2 flame -o "$M/deep-folded.svg" "$M/deep.folded"
  # at the limit: a million frames are read (fold gives them back)
  { yes 'a' | head -n 999999 | tr '\n' ';'; echo 'b 1'; } >"$M/limit.folded"
  bounded 2048 20 "fold of a 1,000,000-frame line (the limit): exit 0" 0 fold "$M/limit.folded"
  same "fold at the limit gives the line back" "$M/limit.folded" "$out"
fi
rm -rf "$M"
