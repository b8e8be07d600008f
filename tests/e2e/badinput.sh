# badinput.sh: every kind of bad input gives one line naming the file and the
# problem, exit status 2, nothing on stdout, and no crash (the valgrind pass
# runs these too).
B=$TMP/bad
mkdir -p "$B"
: >"$B/empty.pb"
expect_error "empty file" "empty.pb: empty file" top "$B/empty.pb"
expect_error "missing path" "no-such.pb.gz: cannot open: No such file" top "$B/no-such.pb.gz"
expect_error "directory" "is a directory" top "$B"
head -c 3000 /dev/urandom >"$B/random.bin"
# random bytes are binary, so they are read as protobuf and must fail to decode
printf '\x08\x96\x01\xff\xff\xff' >>"$B/random.bin"
run top "$B/random.bin"
[ "$rc" = 2 ] && [ "$(wc -l <"$err")" = 1 ] && grep -q "random.bin" "$err" && ok "random bytes" || bad "random bytes" "rc=$rc $(cat "$err")"
echo "this is not a profile" >"$B/text.txt"
expect_error "plain text" "text.txt: not a recognised profile format" top "$B/text.txt"
gzip -c </dev/null >"$B/empty.gz"
expect_error "empty gzip" "empty.gz: gzip stream holds no data" top "$B/empty.gz"
if have_data; then
  head -c 20000 "$DATA/pprof/pyroscope-og-heap.pb.gz" >"$B/trunc.pb.gz"
  expect_error "truncated gzip" "trunc.pb.gz: truncated gzip stream" top "$B/trunc.pb.gz"
  cp "$DATA/pprof/pyroscope-og-heap.pb.gz" "$B/corrupt.pb.gz"
  printf '\xde\xad\xbe\xef\xde\xad\xbe\xef' | dd of="$B/corrupt.pb.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
  expect_error "corrupt gzip" "corrupt.pb.gz: (corrupt gzip data|corrupt protobuf)" top "$B/corrupt.pb.gz"
  gzip -dc "$DATA/pprof/pyroscope-og-heap.pb.gz" | head -c 60000 >"$B/trunc.pb"
  expect_error "truncated protobuf" "trunc.pb: corrupt protobuf: .*(claims|truncated|does not decode)" top "$B/trunc.pb"
  expect_error "unknown sample type" 'unknown sample type "bogus"; this profile has: alloc_objects, alloc_space, inuse_objects, inuse_space' top --sample-index bogus "$DATA/pprof/pyroscope-og-heap.pb.gz"
  expect_error "sample index out of range" "sample index 9 is outside the range \[0..3\]" top --sample-index 9 "$DATA/pprof/pyroscope-og-heap.pb.gz"
  expect_error "input over --max-input-size" "over the .*limit" top --max-input-size 1000 "$DATA/pprof/pyroscope-og-heap.pb.gz"
  expect_error "gzip bomb over the limit" "decompresses to more than 50000 bytes" top --max-input-size 50000 "$DATA/pprof/pyroscope-og-heap.pb.gz"
fi
# hand-made protobufs: Profile{sample_type{type:5 unit:6}, string_table:[""]}
printf '\x0a\x04\x08\x05\x10\x06\x32\x00' >"$B/badstr.pb"
expect_error "string index out of range" "badstr.pb: sample_type #0 refers to string index 5 out of range \(table has 1 strings\)" top "$B/badstr.pb"
# a sample pointing at location 7, which does not exist
printf '\x0a\x04\x08\x01\x10\x02\x12\x04\x08\x07\x10\x01\x32\x00\x32\x01a\x32\x01b' >"$B/badloc.pb"
expect_error "unknown location id" "badloc.pb: sample #0 refers to unknown location id 7" top "$B/badloc.pb"
# a sample with two values for one sample type
printf '\x0a\x04\x08\x01\x10\x02\x12\x04\x10\x01\x10\x02\x32\x00\x32\x01a\x32\x01b' >"$B/badvals.pb"
expect_error "value count mismatch" "badvals.pb: sample #0 has 2 values but the profile has 1 sample types" top "$B/badvals.pb"
# two locations with id 1
printf '\x0a\x04\x08\x01\x10\x02\x22\x02\x08\x01\x22\x02\x08\x01\x32\x00\x32\x01a\x32\x01b' >"$B/duploc.pb"
expect_error "duplicate location id" "duploc.pb: duplicate location id 1" top "$B/duploc.pb"
# a line naming function 9, which does not exist
printf '\x0a\x04\x08\x01\x10\x02\x22\x06\x08\x01\x22\x02\x08\x09\x32\x00\x32\x01a\x32\x01b' >"$B/badfn.pb"
expect_error "unknown function id" "badfn.pb: a location line refers to unknown function id 9" top "$B/badfn.pb"
# a length that runs past the end of the buffer
printf '\x0a\x7f\x08\x01' >"$B/badlen.pb"
expect_error "length past the end" "badlen.pb: corrupt protobuf: field 1 \(sample_type\) at byte 0 claims 127 bytes but only 2 remain" top "$B/badlen.pb"
# an absurd length (a varint near 2^63)
printf '\x12\xff\xff\xff\xff\xff\xff\xff\xff\x7f' >"$B/absurd.pb"
expect_error "absurd length" "absurd.pb: corrupt protobuf: field 2 \(sample\) at byte 0 claims" top "$B/absurd.pb"
# the output file is not touched when the input is bad
echo keep >"$B/out.txt"
run top --output "$B/out.txt" "$B/badlen.pb"
[ "$rc" = 2 ] && [ "$(cat "$B/out.txt")" = keep ] && ok "failed run leaves --output alone" || bad "failed run leaves --output alone" "rc=$rc"
ls "$B" | grep -q 'tmp-' && bad "no temp files left" "$(ls "$B")" || ok "no temp files left"
# several bad inputs among good ones, read by four threads: the error names
# the first bad one in argument order, every run (whichever thread met one
# first)
mkdir -p "$B/many"
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do printf 'main;a;b %s\n' "$i" >"$B/many/s$i.folded"; done
printf 'main;a 1\n' >"$B/many/s02.folded"
# s03: a truncated gzip of 16 MB of stacks, found bad only at its end, long
# after the later bad files are
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "main;handler;work%d;alloc%d 1\n", i % 977, i }' | gzip -1 >"$B/many/big.gz"
head -c $(($(stat -c %s "$B/many/big.gz") - 64)) "$B/many/big.gz" >"$B/many/s03.folded.gz"
cp "$B/badlen.pb" "$B/many/s05.pb"
cp "$B/badloc.pb" "$B/many/s09.pb"
printf '\x0a\x7f' >"$B/many/s11.pb"
inputs=("$B/many/s01.folded" "$B/many/s02.folded" "$B/many/s03.folded.gz" "$B/many/s04.folded" "$B/many/s05.pb"
  "$B/many/s06.folded" "$B/many/s07.folded" "$B/many/s08.folded" "$B/many/s09.pb" "$B/many/s10.folded"
  "$B/many/s11.pb" "$B/many/s12.folded")
same=1
for t in 1 2 3 4 5; do
  run report --threads 4 -o "$B/many-out" "${inputs[@]}"
  if [ "$rc" != 2 ] || [ "$(wc -l <"$err")" != 1 ] || ! grep -q "s03.folded.gz: " "$err"; then
    same=0
    bad "several bad inputs: the first in argument order" "run $t: exit $rc: $(head -c 300 "$err")"
    break
  fi
done
[ $same = 1 ] && ok "several bad inputs: the first in argument order, five runs"
