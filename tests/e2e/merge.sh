# merge.sh: `profdiff merge` against go tool pprof's own merge
# (`go tool pprof -proto A B`): the two merged profiles print the same
# `go tool pprof -raw` (every sample, value, label, location, function and
# mapping, and the header), which is stronger than equal -top figures; plus
# associativity, --scale, the other commands reading the output, bad input.
M=$TMP/merge
mkdir -p "$M"
leak=(samples/leak/snapshots/*.pb.gz)
cycle=(samples/cycle/snapshots/*.pb.gz)

# Each case of tests/expected/merge/cases merged by profdiff must print the
# -raw of go tool pprof's merge of the same files (its sha256 recorded by
# tests/expected/merge/regen.sh); cases on ../shared/data skip without it.
if [ -n "${PD_WRAP:-}" ]; then
  skip "merge against go tool pprof" "under valgrind (figures are checked by the plain run)"
  run merge -o "$M/ours.pb.gz" "${leak[@]:0:3}"
  check "merge runs clean under valgrind" [ "$rc" = 0 ]
elif ! command -v go >/dev/null; then
  skip "merge against go tool pprof" "no go"
else
  while read -r name files; do
    case $name in slow:*) [ -n "${PD_SLOW:-}" ] || { skip "merge = pprof: ${name#slow:}" "slow; PD_SLOW=1 checks it"; continue; } ;; esac
    name=${name#slow:}
    case $files in *'$DATA'*) have_data || { skip "merge = pprof: $name" "no ../shared/data"; continue; } ;; esac
    eval "inputs=($files)" # (no `set --`: e2e.sh's own arguments)
    run merge -o "$M/ours.pb.gz" "${inputs[@]}"
    if [ "$rc" != 0 ]; then bad "merge = pprof -proto: $name" "exit $rc: $(head -c 300 "$err")"; continue; fi
    got=$(gopprof -raw "$M/ours.pb.gz" 2>/dev/null | sha256sum | cut -d' ' -f1)
    want=$(cat "tests/expected/merge/$name.raw.sha256")
    [ "$got" = "$want" ] && ok "merge = pprof -proto (same -raw): $name" ||
      bad "merge = pprof -proto (same -raw): $name" "see tests/expected/merge/regen.sh to diff go tool pprof -raw of both"
  done < <(grep -v '^#' tests/expected/merge/cases)
fi

# associativity, --scale, the other commands reading the output, bad input.
M=$TMP/merge
mkdir -p "$M"
leak=(samples/leak/snapshots/*.pb.gz)
cycle=(samples/cycle/snapshots/*.pb.gz)

# merge_vs_pprof NAME FILE...: ours and pprof's merge, compared by -raw
merge_vs_pprof() {
  local name=$1
  shift
  run merge -o "$M/ours.pb.gz" "$@"
  if [ "$rc" != 0 ]; then bad "merge = pprof: $name" "exit $rc: $(head -c 300 "$err")"; return; fi
  gopprof -proto "$@" >"$M/pprof.pb.gz" 2>/dev/null || { bad "merge = pprof: $name" "go tool pprof -proto failed"; return; }
  gopprof -raw "$M/ours.pb.gz" >"$M/ours.raw" 2>/dev/null
  gopprof -raw "$M/pprof.pb.gz" >"$M/pprof.raw" 2>/dev/null
  same "merge = pprof -proto (-raw): $name" "$M/pprof.raw" "$M/ours.raw"
}

if [ -n "${PD_WRAP:-}" ]; then
  skip "merge against go tool pprof" "under valgrind (figures are checked by the plain run)"
elif ! command -v go >/dev/null; then
  skip "merge against go tool pprof" "no go"
else
  merge_vs_pprof "leak, two snapshots" "${leak[0]}" "${leak[9]}"
  merge_vs_pprof "leak, 30 snapshots" "${leak[@]}"
  merge_vs_pprof "cycle, 50 snapshots" "${cycle[@]}"
  # and the -top table of one sample type, as the issue asks, through profdiff's reader too
  gopprof -top -nodefraction=0 -sample_index=inuse_space "$M/pprof.pb.gz" 2>/dev/null |
    sed -n '/^      flat  flat%/,$p' >"$M/want"
  run top --nodefraction 0 --nodecount 100000 --sample-index inuse_space --unit MB "$M/ours.pb.gz"
  sed -n '/^      flat  flat%/,$p' "$out" >"$M/got"
  # pprof picks its unit per table: compare where it printed MB
  if grep -q 'MB ' "$M/want"; then same "top of the merge = pprof -top of pprof's merge" "$M/want" "$M/got"; fi
  if have_data; then
    for f in "$DATA"/pprof/*; do
      case $f in *dotnet*) continue ;; esac # go tool pprof refuses its id 0
      merge_vs_pprof "$(basename "$f") twice" "$f" "$f"
    done
    merge_vs_pprof "pyroscope heap + heap_delta" "$DATA/pprof/pyroscope-heap.pb" "$DATA/pprof/pyroscope-heap_delta.pb"
  fi
fi

# associativity: merging merges gives the merge of all (byte for byte here,
# since the inputs are met in the same order)
run merge -o "$M/ab.pb.gz" "${leak[@]:0:10}"
run merge -o "$M/cd.pb.gz" "${leak[@]:10:20}"
run merge -o "$M/abcd.pb.gz" "$M/ab.pb.gz" "$M/cd.pb.gz"
run merge -o "$M/all.pb.gz" "${leak[@]}"
for i in 0 1 2 3; do
  run fold --sample-index $i "$M/abcd.pb.gz"; LC_ALL=C sort "$out" >"$M/f1"
  run fold --sample-index $i "$M/all.pb.gz"; LC_ALL=C sort "$out" >"$M/f2"
  same "merge of merges = merge of all: sample type $i" "$M/f2" "$M/f1"
done
# --scale 1/N of N copies is the original
run merge -o "$M/x3.pb.gz" --scale 0.3333333333333333 "${leak[5]}" "${leak[5]}" "${leak[5]}"
run top --format json --nodefraction 0 "$M/x3.pb.gz"; jq -c '.functions' "$out" >"$M/j1"
run top --format json --nodefraction 0 "${leak[5]}"; jq -c '.functions' "$out" >"$M/j2"
same "--scale 1/3 of three copies = the profile" "$M/j2" "$M/j1"
# every command reads the output
run top "$M/all.pb.gz"
check "top reads a merged profile" [ "$rc" = 0 ]
run report -o "$M/rep" "$M/ab.pb.gz" "$M/cd.pb.gz"
check "report reads merged profiles" [ "$rc" = 0 ] && [ -s "$M/rep/report.json" ]
run merge -o - "${leak[0]}"
check "-o - writes gzip to standard output" [ "$rc" = 0 ] && [ "$(head -c2 "$out" | od -An -tx1 | tr -d ' ')" = 1f8b ]

# bad input: one line, exit 2, and OUT untouched (written atomically)
echo keep >"$M/out.pb.gz"
printf 'main;a 1\n' >"$M/folded.txt"
expect_error "merge refuses folded stacks" "folded.txt: merge reads pprof protobuf profiles only, and this is folded" merge -o "$M/out.pb.gz" "${leak[0]}" "$M/folded.txt"
check "a failed merge leaves OUT as it was" cmp -s "$M/out.pb.gz" <(echo keep)
expect_error "merge: no -o" "merge needs -o" merge "${leak[0]}"
expect_error "merge: no inputs" "at least one profile" merge -o "$M/out.pb.gz"
expect_error "merge: bad --scale" "scale" merge -o "$M/out.pb.gz" --scale nan "${leak[0]}"
expect_error "merge: missing file" "no-such.pb.gz: cannot open" merge -o "$M/out.pb.gz" "$M/no-such.pb.gz"
head -c $(($(wc -c <"${leak[0]}") / 2)) "${leak[0]}" >"$M/trunc.pb.gz"
expect_error "merge: truncated gzip" "trunc.pb.gz: truncated gzip" merge -o "$M/out.pb.gz" "$M/trunc.pb.gz"
printf '\x0a\x04\x08\x05\x10\x06\x32\x00' >"$M/badstr.pb"
expect_error "merge: string index out of range" "badstr.pb: sample_type #0 refers to string index 5 out of range" merge -o "$M/out.pb.gz" "$M/badstr.pb"
printf '\x0a\x04\x08\x01\x10\x02\x12\x04\x08\x07\x10\x01\x32\x00\x32\x01a\x32\x01b' >"$M/badloc.pb"
expect_error "merge: unknown location id" "badloc.pb: sample #0 refers to unknown location id 7" merge -o "$M/out.pb.gz" "$M/badloc.pb"
printf '\x0a\x04\x08\x01\x10\x02\x12\x04\x10\x01\x10\x02\x32\x00\x32\x01a\x32\x01b' >"$M/badvals.pb"
expect_error "merge: value count mismatch" "badvals.pb: sample #0 has 2 values but the profile has 1 sample types" merge -o "$M/out.pb.gz" "$M/badvals.pb"
printf '\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x01a\x32\x01b' >"$M/other.pb"
expect_error "merge: different sample types" "other.pb: sample types \(a/b\) differ from those of" merge -o "$M/out.pb.gz" "${leak[0]}" "$M/other.pb"
check "OUT still as it was" cmp -s "$M/out.pb.gz" <(echo keep)
