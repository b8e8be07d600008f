# cache.sh: `report --cache DIR`. A cached run writes the same report, byte
# for byte, as a run without the cache, whether its entries are cold, warm,
# partly new, corrupt, truncated, stale or for other options; and the cache
# stays within --cache-max-size.
C=$TMP/cache
mkdir -p "$C"
leak=(samples/leak/snapshots/*.pb.gz)
[ -n "${PD_WRAP:-}" ] && leak=("${leak[@]:0:4}") # valgrind: a few are enough
n=${#leak[@]}
run report -o "$C/cold" "${leak[@]}"
run report -o "$C/r1" --cache "$C/dir" "${leak[@]:0:$((n - 1))}"
check "cache: first run fills the cache" grep -q "cache: 0 of $((n - 1)) inputs from" "$err"
run report -o "$C/r2" --cache "$C/dir" "${leak[@]}"
check "cache: a re-run with one new dump reads only that one" grep -q "cache: $((n - 1)) of $n inputs from" "$err"
check "cache: the report of a partly cached run = a run without the cache" diff -r "$C/cold" "$C/r2"
run report -o "$C/r3" --cache "$C/dir" "${leak[@]}"
check "cache: a fully cached run" grep -q "cache: $n of $n inputs" "$err"
check "cache: the report of a fully cached run = a run without the cache" diff -r "$C/cold" "$C/r3"
# every entry damaged: a byte flipped in half of them, the others cut short
i=0
for e in "$C"/dir/*.pdsnap; do
  if [ $((i % 2)) = 0 ]; then
    printf '\x55' | dd of="$e" bs=1 seek=$(($(wc -c <"$e") / 2)) conv=notrunc 2>/dev/null
  else
    head -c $(($(wc -c <"$e") - 9)) "$e" >"$e.t" && mv "$e.t" "$e"
  fi
  i=$((i + 1))
done
run report -o "$C/r4" --cache "$C/dir" "${leak[@]}"
check "cache: corrupt and truncated entries are read again, not trusted" grep -q "cache: 0 of $n inputs" "$err"
check "cache: ... and the report is the same" diff -r "$C/cold" "$C/r4"
# a stale entry: another input's entry under this input's name
entries=("$C"/dir/*.pdsnap) # (no `set --`: e2e.sh's own arguments)
cp "${entries[0]}" "${entries[1]}"
run report -o "$C/r5" --cache "$C/dir" "${leak[@]}"
check "cache: an entry of other content under the name is a miss" grep -q "cache: $((n - 1)) of $n inputs" "$err"
check "cache: ... and the report is the same" diff -r "$C/cold" "$C/r5"
# options that change the reduction are part of the key
run report -o "$C/cold-alloc" --sample-index alloc_space --hide 'runtime\.' "${leak[@]}"
run report -o "$C/r6" --cache "$C/dir" --sample-index alloc_space --hide 'runtime\.' "${leak[@]}"
check "cache: other options, other entries" grep -q "cache: 0 of $n inputs" "$err"
check "cache: ... and the report is that of those options" diff -r "$C/cold-alloc" "$C/r6"
# bounded: the oldest go first
cap=20480
[ -n "${PD_WRAP:-}" ] && cap=2048
run report -o "$C/r7" --cache "$C/dir" --cache-max-size $cap "${leak[@]}"
total=$(cat "$C"/dir/*.pdsnap 2>/dev/null | wc -c)
check "cache: --cache-max-size bounds the directory ($total bytes)" [ "$total" -le "$cap" ]
check "cache: ... and says what it removed" grep -q "old entries removed" "$err"
expect_error "cache: a bad --cache-max-size" "cache-max-size" report -o "$C/r8" --cache "$C/dir" --cache-max-size lots "${leak[@]}"
: >"$C/file"
expect_error "cache: DIR that cannot be a directory" "cache .*cannot create" report -o "$C/r9" --cache "$C/file/sub" "${leak[@]}"
# the content hash is remembered by inode, size and times (*.pdstat): a
# file rewritten in place has new times and is hashed again. Memos are
# only written for files whose times are over 2 s old, hence the sleep.
M=$C/memo
mkdir -p "$M"
cp "${leak[0]}" "$M/a.pb.gz"
cp "${leak[1]}" "$M/b.pb.gz"
sleep 3
run report -o "$C/m1" --cache "$M/dir" "$M/a.pb.gz" "$M/b.pb.gz"
memos=("$M"/dir/*.pdstat)
check "cache: old enough inputs get a memo of their content hash" [ -f "${memos[0]}" ]
run report -o "$C/m2" --cache "$M/dir" "$M/a.pb.gz" "$M/b.pb.gz"
check "cache: a run through the memos is a full hit" grep -q "cache: 2 of 2 inputs" "$err"
cat "${leak[$((n - 1))]}" >"$M/a.pb.gz" # rewritten in place: same inode, new content
run report -o "$C/m-cold" "$M/a.pb.gz" "$M/b.pb.gz"
run report -o "$C/m3" --cache "$M/dir" "$M/a.pb.gz" "$M/b.pb.gz"
check "cache: a file rewritten in place is hashed again" grep -q "cache: 1 of 2 inputs" "$err"
check "cache: ... and the report is of its new content" diff -r "$C/m-cold" "$C/m3"
