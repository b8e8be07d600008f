# labels.sh: sample labels, pprof's tag filters and `top --tags`, against
# go tool pprof's figures recorded in tests/expected/labels (regen.sh there):
# Go heap profiles' numeric "bytes" label, a CPU profile's pprof.Do labels
# (samples/labels), legacy text heap profiles' block sizes, and the real
# profiles of ../shared/data that carry labels.
exp=tests/expected/labels
# pprof's single-dash spellings as profdiff's long options
S_lbl_opts() {
  local o r=()
  for o in "$@"; do
    o=${o#-}
    case "$o" in sample_index=*) o=sample-index=${o#sample_index=} ;; esac
    r+=("--$o")
  done
  [ ${#r[@]} = 0 ] || printf '%s\n' "${r[@]}"
}
while IFS='|' read -r name file unit opts; do
  [ -n "$name" ] || continue
  [ -f "$file" ] || { echo "skip labels $name: no $file"; continue; }
  # under valgrind (memory errors, not figures: the plain run checks those)
  # a string and a numeric filter on the small samples are enough
  if [ -n "${PD_WRAP:-}" ]; then
    case "$name" in cpu-focus-v2 | heap-1KB-1MB | leak-text-64kb) ;; *) continue ;; esac
  fi
  # shellcheck disable=SC2086
  mapfile -t args < <(S_lbl_opts $opts)
  run top --tags "${args[@]}" "$file"
  same "top --tags = pprof -tags: $name" "$exp/$name.tags" "$out"
  [ "$unit" = - ] && continue # frames pprof names by their mapping: tags only
  run top --nodefraction 0 --nodecount 400 --unit "$unit" "${args[@]}" "$file"
  sed -n '/^      flat  flat%/,$p' "$out" | sed '1d' |
    awk '{name = $6; for (i = 7; i <= NF; i++) name = name " " $i; print $1, $4, name}' >"$TMP/got"
  same "top with tag filters = pprof -top: $name" "$exp/$name.top" "$TMP/got"
done < <(grep -v '^#' "$exp/cases")

L=$TMP/labels
mkdir -p "$L"
# A hand-made profile: one sample type, two samples without locations, with
# a string label (key "k", value holding an escape sequence) and a numeric
# label (key "size", 2048 "bytes"); strings: "" samples count k VALUE size bytes
S_lbl_pb() { # S_lbl_pb FILE LABELSTR_INDEX
  printf '\x0a\x04\x08\x01\x10\x02' >"$1"
  printf '\x12\x08\x10\x05\x1a\x04\x08\x03\x10'"$2" >>"$1"
  printf '\x12\x0b\x10\x07\x1a\x07\x08\x05\x18\x80\x10\x20\x06' >>"$1"
  printf '\x32\x00\x32\x07samples\x32\x05count\x32\x01k\x32\x08a\x1b[31mb\x07\x32\x04size\x32\x05bytes' >>"$1"
}
S_lbl_pb "$L/hostile.pb" '\x04'
run top --tags "$L/hostile.pb"
check "top --tags: a label's control characters never reach the terminal" sh -c "! grep -q \$(printf '\\033') '$out' && ! grep -q \$(printf '\\007') '$out'"
check "top --tags: a numeric label in its own unit" grep -q ' 7.0 (  100%): 2kB$' "$out"
check "top --tags: the string label's printable part" grep -q 'a.\[31mb' "$out"
run top --tags --tagfocus 'size=2kB' "$L/hostile.pb"
check "--tagfocus size=2kB keeps the numeric label's sample" grep -q 'Total 7.0$' "$out"
check "--tagfocus says it read a range" grep -q "interpreted '2kB' as a range" "$err"
run top --tags --tagfocus 'size=2048' "$L/hostile.pb"
check "--tagfocus size=2048 matches no byte label (as pprof: a bare number has no unit)" grep -q 'TagFocus expression matched no samples' "$err"
run top --tags --tagignore 'k=^a' "$L/hostile.pb"
check "--tagignore k=^a drops the string label's sample" sh -c "! grep -q '^ *k:' '$out' && grep -q 'Total 7.0' '$out'"
S_lbl_pb "$L/badstr.pb" '\x09'
expect_error "a label's string index out of range" "badstr.pb: a sample label refers to string index 9 out of range" top --tags "$L/badstr.pb"
expect_error "the same without --tags: labels kept for --tagfocus" "badstr.pb: a sample label" top --tagfocus=x "$L/badstr.pb"
run top "$L/badstr.pb"
check "without a tag option labels are not read (as before)" test "$rc" = 0
expect_error "a bad --tagfocus expression" "--tagfocus regular expression .* is invalid" top --tagfocus 'k=(' "$L/hostile.pb"
expect_error "a --tagfocus number past 64 bits" "--tagfocus: the number in" top --tagfocus 'bytes=99999999999999999999kB:' "$L/hostile.pb"
run fold --tagfocus 'environment=production' samples/labels/cpu.pb.gz
check "fold --tagfocus: only the production stacks" sh -c "awk '{s += \$NF} END {exit !(s > 0)}' '$out'"
run flame --tagfocus 'version=v2' -o "$L/v2.svg" samples/labels/cpu.pb.gz
check "flame --tagfocus writes its graph" test -s "$L/v2.svg"
