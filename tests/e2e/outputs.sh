# outputs.sh: output safety on the bundled samples (no ../shared/data
# needed). The same inputs give byte-identical outputs from run to run and
# whatever the thread count; a report that fails on one bad input leaves
# its directory exactly as it was (same files, same bytes, same times) with
# no temporary files; a failed --output leaves the old file.
O=$TMP/outputs
mkdir -p "$O"
S=samples/leak/snapshots
M=samples/memstat/heapgrow
ins=("$S/heap-000-2026-11-22T19:06:51Z.pb.gz" "$S/heap-002-2026-11-22T19:06:56Z.txt" "$S/heap-004-2026-11-22T19:07:00Z.pb.gz")
mem=$(ls "$M"/memory.stat.* 2>/dev/null | head -3)
# listing DIR: every file with its size, modification time and checksum
listing() { (cd "$1" && find . -printf '%p %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort); }

expect_rc "report (gate trips: exit 1)" 1 report -o "$O/r1" --fail-on 'total>10%' --sample-index inuse_space "${ins[@]}" $mem
expect_rc "report again, one thread" 1 report -o "$O/r2" --threads 1 --fail-on 'total>10%' --sample-index inuse_space "${ins[@]}" $mem
check "report writes json, md, html and junit" test -s "$O/r1/report.json" -a -s "$O/r1/report.md" -a -s "$O/r1/report.html" -a -s "$O/r1/junit.xml"
diff -r "$O/r1" "$O/r2" >"$O/diff" && ok "report: same inputs, byte-identical directory" || bad "report is deterministic" "$(head -5 "$O/diff" | cut -c1-200)"
for cmd in top fold; do
  for f in "${ins[0]}" "${ins[1]}"; do
    expect_rc "$cmd --output" 0 $cmd --output "$O/$cmd.1" "$f"
    expect_rc "$cmd --output again" 0 $cmd --output "$O/$cmd.2" "$f"
    same "$cmd $(basename "$f"): byte-identical twice" "$O/$cmd.1" "$O/$cmd.2"
  done
done
# a bad input among good ones: exit 2, DIR untouched to the byte and the second
printf '\x0a\x7f\x08\x01' >"$O/bad.pb"
echo mine >"$O/r1/notes.txt"
listing "$O/r1" >"$O/before"
sleep 0.01
expect_rc "report with one bad input" 2 report -o "$O/r1" --fail-on 'total>10%' --sample-index inuse_space "${ins[0]}" "$O/bad.pb" "${ins[2]}"
[ "$(wc -l <"$err")" = 1 ] && grep -q 'bad.pb: corrupt protobuf' "$err" && ok "bad input: one line naming it" || bad "bad input: one line" "$(head -c 300 "$err")"
listing "$O/r1" >"$O/after"
same "bad input: report DIR exactly as it was" "$O/before" "$O/after"
# a failure after some inputs were read (a gate that cannot apply) is no different
listing "$O/r1" >"$O/before"
expect_rc "report with a gate that cannot apply" 2 report -o "$O/r1" --fail-on 'slope>1ms/h' --sample-index inuse_space "${ins[@]}"
listing "$O/r1" >"$O/after"
same "failed gate: report DIR exactly as it was" "$O/before" "$O/after"
# the output of top is replaced whole or not at all
cp "$O/top.1" "$O/top.keep"
expect_rc "top --output with a bad input" 2 top --output "$O/top.1" "$O/bad.pb"
same "failed top leaves --output as it was" "$O/top.keep" "$O/top.1"
ls -A "$O" "$O/r1" | grep -q 'tmp-' && bad "no temporary files left" "$(ls -A "$O" "$O/r1" | grep tmp-)" || ok "no temporary files left"
rm -rf "$O"
