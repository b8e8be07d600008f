# limits.sh: hostile sizes and shapes, generated at test time: gzip bombs,
# a million one-frame stacks, stacks 100,000 frames deep (distinct frames
# and one frame recursing), 1 MB names, a string table of two million
# strings, Go text profiles with 100,000-frame stacks, gperftools profiles
# with 100,000 mappings or self-referencing memory map variables. Each must
# complete with the right figures; without valgrind each also runs under
# `ulimit -v`, so memory stays bounded. These are correctness checks, not
# timings: a quadratic reader shows up as a run that does not finish.
# The valgrind pass uses shapes 50 times smaller (PD_WRAP is set).
L=$TMP/limits
mkdir -p "$L"
PDTEST=${PD_TEST:-$(dirname "$PD")/profdiff-test}
div=1
[ -n "${PD_WRAP:-}" ] && div=50

# limited MEGABYTES NAME CODE ARGS...: expect_rc with at most MEGABYTES of
# address space (when not under valgrind, which needs more of its own)
limited() {
  local mb=$1
  shift
  if [ -n "${PD_WRAP:-}" ]; then
    expect_rc "$@"
  else
    (
      ulimit -v $((mb * 1024))
      expect_rc "$@"
      echo "$pd_pass $pd_failed" >"$L/counts"
    )
    read -r pd_pass pd_failed <"$L/counts"
    out=$TMP/out err=$TMP/err # as run() leaves them
  fi
}
# first_total: the total from a top table's "Showing ... of N total" line
first_total() { grep -oE 'of [0-9.]+[a-zA-Z]* total' "$out" | head -1 | awk '{print $2}'; }

# ---- gzip bombs ----------------------------------------------------------------
# gzip members of 8 MB of zeros (8 kB each) concatenated: pd_gunzip reads
# every member, so N copies inflate to N*8 MB. Zeros are not protobuf: the
# pprof reader, fed as the stream inflates, says so at the first byte
# without inflating the rest.
head -c 8M /dev/zero | gzip -9 >"$L/z8.gz"
for i in 1 2 3 4; do cat "$L/z8.gz"; done >"$L/bomb32.gz"
limited 150 "gzip bomb of zeros is refused" 2 top --max-input-size 16MB "$L/bomb32.gz"
grep -q "bomb32.gz: corrupt protobuf: invalid field number 0 at byte 0" "$err" \
  && ok "gzip bomb of zeros: refused at its first byte" || bad "gzip bomb of zeros: message" "$(head -c 300 "$err")"
# a bomb that is valid protobuf all the way (an unknown field, 16, repeated:
# the reader skips it) must meet the limit: 12 MB from 12 kB per member
printf '\x80\x01\x00' >"$L/field16"
for i in $(seq 22); do cat "$L/field16" "$L/field16" >"$L/f2" && mv "$L/f2" "$L/field16"; done
gzip -9 <"$L/field16" >"$L/p12.gz"
for i in 1 2; do cat "$L/p12.gz"; done >"$L/bomb25.gz"
# (under valgrind a lower limit: what is checked is the same, sooner)
lim=16777216
[ -n "${PD_WRAP:-}" ] && lim=2097152
limited 150 "gzip bomb over --max-input-size is refused" 2 top --max-input-size $lim "$L/bomb25.gz"
grep -q "bomb25.gz: decompresses to more than $lim bytes, over the input limit" "$err" \
  && ok "gzip bomb: message names the limit" || bad "gzip bomb: message" "$(head -c 300 "$err")"
if [ -z "${PD_WRAP:-}" ]; then
  # 23 members: 289 MB from 280 kB, over the 256 MiB default, read through
  # a window of a fraction of a megabyte
  for i in $(seq 23); do cat "$L/p12.gz"; done >"$L/bomb289.gz"
  limited 60 "gzip bomb over the default limit is refused in bounded memory" 2 top "$L/bomb289.gz"
  grep -q "decompresses to more than 268435456 bytes" "$err" \
    && ok "default limit is 256 MiB" || bad "default limit is 256 MiB" "$(head -c 300 "$err")"
  rm -f "$L/bomb289.gz"
fi
rm -f "$L/field16"

# ---- folded stacks -------------------------------------------------------------
n=$((1000000 / div))
awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "f%d %d\n", i, i % 7 + 1 }' >"$L/wide.folded"
want=$(awk -v n=$n 'BEGIN { s = 0; for (i = 0; i < n; i++) s += i % 7 + 1; print s }')
limited 1000 "folded: $n distinct one-frame stacks" 0 top --nodecount 3 "$L/wide.folded"
[ "$(first_total)" = "$want" ] && ok "folded wide: total $want" || bad "folded wide: total" "$(first_total) != $want"

n=$((100000 / div))
awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "%sf%d", (i ? ";" : ""), i; print " 5" }' >"$L/deep.folded"
limited 400 "folded: one stack $n frames deep" 0 fold "$L/deep.folded"
same "folded deep: fold gives the stack back" "$L/deep.folded" "$out"
awk -v n=$n 'BEGIN { for (i = 0; i < n; i++) printf "%sf", (i ? ";" : ""); print " 5" }' >"$L/recurse.folded"
limited 400 "folded: one frame recursing $n times" 0 top "$L/recurse.folded"
grep -qE '^ +5 +100% +100% +5 +100%  f$' "$out" && ok "folded recursion: cum counts the frame once" || bad "folded recursion" "$(tail -1 "$out")"

awk 'BEGIN { s = "long."; while (length(s) < 1048576) s = s s; print "main;" s " 3"; print "main 2" }' >"$L/long.folded"
limited 200 "folded: a 1 MB frame name" 0 fold "$L/long.folded"
[ "$(awk '{ print length($0) }' "$out" | sort -n | tail -1)" -gt 1048576 ] && ok "folded long name kept whole" || bad "folded long name" "$(wc -c <"$out")"

# ---- pprof ---------------------------------------------------------------------
if [ ! -x "$PDTEST" ]; then
  skip "pprof limits" "no $PDTEST (zig build tests)"
else
  "$PDTEST" --write-adversarial "$L" $div || bad "write adversarial profiles" "profdiff-test failed"
  n=$((1000000 / div))
  want=$(awk -v n=$n 'BEGIN { s = 0; for (i = 0; i < n; i++) s += i % 7 + 1; print s }')
  limited 1000 "pprof: $n samples of distinct functions" 0 top --nodecount 3 "$L/wide.pb"
  [ "$(first_total)" = "$want" ] && ok "pprof wide: total $want" || bad "pprof wide: total" "$(first_total) != $want"
  n=$((100000 / div))
  limited 400 "pprof: one stack $n frames deep" 0 fold "$L/deep.pb"
  awk -v n=$n 'BEGIN { for (i = n - 1; i >= 0; i--) printf "f%d%s", i, (i ? ";" : ""); print " 5" }' >"$L/deep.want"
  same "pprof deep: fold gives the stack root first" "$L/deep.want" "$out"
  limited 400 "pprof: one frame recursing $n times" 0 top "$L/recurse.pb"
  grep -qE '^ +5 +100% +100% +5 +100%  f0$' "$out" && ok "pprof recursion: cum counts the frame once" || bad "pprof recursion" "$(tail -1 "$out")"
  limited 200 "pprof: a 1 MB function name" 0 top --format json "$L/longname.pb"
  [ "$(jq '[.functions[].name | length] | max' "$out")" = 1048576 ] && ok "pprof long name kept whole" || bad "pprof long name" "$(jq -c '[.functions[].name | length]' "$out")"
  limited 600 "pprof: a string table of $((2000000 / div)) strings" 0 top "$L/strings.pb"
  [ "$(first_total)" = 9 ] && ok "pprof strings: total 9" || bad "pprof strings: total" "$(first_total)"
  rm -f "$L"/*.pb
fi

# ---- legacy text heap profiles ---------------------------------------------------
n=$((100000 / div))
awk -v n=$n 'BEGIN {
  print "heap profile: 1: 100 [1: 100] @ heap/1"
  printf "1: 100 [1: 100] @"; for (i = 1; i <= n; i++) printf " 0x%x", 4096 + i * 16; print ""
  for (i = 1; i <= n; i++) printf "#\t0x%x\tmain.f%d+0x1\t/tmp/main.go:%d\n", 4096 + i * 16 - 1, i, i
}' >"$L/deep.heap"
limited 400 "Go text heap: one stack $n frames deep with its comment lines" 0 top --sample-index inuse_space "$L/deep.heap"
grep -qE '  main\.f1$' "$out" && [ "$(grep -c '  main\.f' "$out")" = "$n" ] \
  && ok "Go text deep: every frame named from its comment" || bad "Go text deep" "$(grep -c '  main\.f' "$out") rows"
awk -v n=$n 'BEGIN {
  print "heap profile: 1: 100 [1: 100] @ heapprofile"
  for (i = 1; i <= n; i++) printf "1: 100 [1: 100] @ 0x%x\n", 4096 + i * 4096 + 16
  print "MAPPED_LIBRARIES:"
  for (i = 1; i <= n; i++) printf "%x-%x r-xp 00000000 08:01 1 /lib/l%d.so\n", 4096 + i * 4096, 8192 + i * 4096, i
}' >"$L/maps.heap"
limited 400 "gperftools heap: $n mappings" 0 fold --granularity file --sample-index space "$L/maps.heap"
[ "$(grep -cE '^\[l[0-9]+\.so\] 100$' "$out")" = "$n" ] && ok "gperftools maps: each address in its own mapping" \
  || bad "gperftools maps" "$(grep -cE '^\[l[0-9]+\.so\] 100$' "$out") of $n"
# overlapping mappings: the first in file order that holds an address wins
# (--granularity file names a frame without a file by its mapping, and one
# outside every mapping <unknown>, as go tool pprof -files does)
printf '%s\n' 'heap profile: 4: 400 [4: 400] @ heapprofile' '1: 100 [1: 100] @ 0x2010' '1: 100 [1: 100] @ 0x8810' \
  '1: 100 [1: 100] @ 0x9010' '1: 100 [1: 100] @ 0x500' 'MAPPED_LIBRARIES:' \
  'source=/opt/app' '1000-9000 r-xp 00000000 08:01 1 $source/a.so' '2000-3000 r-xp 00000000 08:01 1 /lib/b.so' \
  '8000-a000 r-xp 00000000 08:01 1 /lib/c.so' >"$L/overlap.heap"
expect_rc "gperftools heap: overlapping mappings" 0 fold --granularity file --sample-index space "$L/overlap.heap"
printf '%s\n' '<unknown> 100' '[a.so] 200' '[c.so] 100' >"$L/overlap.want"
same "overlapping mappings: first holder wins, \$source substituted" "$L/overlap.want" "$out"
# a variable defined in terms of itself must not loop or grow without end
printf '%s\n' 'heap profile: 1: 100 [1: 100] @ heapprofile' '1: 100 [1: 100] @ 0x1010' 'MAPPED_LIBRARIES:' \
  'a=$a$a' 'b=x$b' '1000-2000 r-xp 00000000 08:01 1 /lib/$a$b/c.so' >"$L/selfref.heap"
limited 100 "gperftools heap: self-referencing memory map variables" 0 fold --granularity file --sample-index space "$L/selfref.heap"
[ "$(cat "$out")" = "[c.so] 100" ] && ok "self-referencing variables substituted once" || bad "self-referencing variables" "$(cat "$out")"
rm -rf "$L"
