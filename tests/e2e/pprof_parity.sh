# pprof_parity.sh: `profdiff top` and `profdiff fold` against go tool pprof's
# figures recorded in tests/expected/pprof (see regen.sh there).
exp=tests/expected/pprof
if ! have_data; then
  skip "pprof parity" "../shared/data is absent"
else
  # under valgrind (memory errors, not figures: the plain runs check those)
  # each file is read for its first sample type only
  [ -n "${PD_WRAP:-}" ] && skip "pprof parity, sample types after the first" "under valgrind"
  [ -n "${PD_WRAP:-}" ] && skip "pprof parity, fold of three files in four" "under valgrind (the same reader as top's; the tree and the writer run for every fourth)"
  nth=0
  for tf in "$exp"/*.type; do
    b=$(basename "$tf" .type)
    name=${b%.*} i=${b##*.}
    [ -n "${PD_WRAP:-}" ] && [ "$i" != 0 ] && continue
    u=$(cut -d' ' -f2 "$tf")
    f=$DATA/pprof/$name
    [ -f "$f" ] || { skip "$b" "no $f"; continue; }
    # top: pprof's table rows, with its "(inline)" marks
    sed -n '/^      flat  flat%/,$p' "$exp/$b.top" >"$TMP/want"
    run top --nodefraction 0 --nodecount 250 --sample-index "$i" --unit "$u" "$f"
    sed -n '/^      flat  flat%/,$p' "$out" >"$TMP/got"
    if [ "$name" = pyroscope-og-invalid_utf8.pb.gz ]; then
      # pprof prints the raw bytes; profdiff prints valid UTF-8: compare numbers
      # (and its name holds a newline, so only the first rows line up)
      head -3 "$TMP/want" | cut -c1-44 >"$TMP/want2" && mv "$TMP/want2" "$TMP/want"
      head -3 "$TMP/got" | cut -c1-44 >"$TMP/got2" && mv "$TMP/got2" "$TMP/got"
      iconv -f UTF-8 -t UTF-8 "$out" >/dev/null && ok "invalid UTF-8 name printed as valid UTF-8" || bad "invalid UTF-8 name printed as valid UTF-8" "iconv rejects it"
      check "invalid UTF-8 name keeps its printable part" grep -q 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' "$out"
    fi
    same "top = pprof -top: $b" "$TMP/want" "$TMP/got"
    # the same figures through --format json (not under valgrind: the
    # same reading and figures as the table, another writer)
    [ -z "${PD_WRAP:-}" ] && run top --nodefraction 0 --nodecount 250 --sample-index "$i" --format json "$f"
    if [ -z "${PD_WRAP:-}" ] && [ "$name" != pyroscope-og-invalid_utf8.pb.gz ]; then
      jq -r '.functions[] | "\(.flat) \(.cum)"' "$out" >"$TMP/got"
      sed '1d' "$TMP/want" | awk -v u="$u" '{f=$1; c=$4; if (u!="minimum") {sub(u"$","",f); sub(u"$","",c)} print f, c}' >"$TMP/want2"
      same "top json = pprof -top: $b" "$TMP/want2" "$TMP/got"
    fi
    # fold: the folded stacks of pprof -traces, by hash
    [ "$name" = pyroscope-og-invalid_utf8.pb.gz ] && continue
    nth=$((nth + 1))
    [ -n "${PD_WRAP:-}" ] && [ $((nth % 4)) != 1 ] && continue
    run fold --sample-index "$i" "$f"
    LC_ALL=C sort "$out" >"$TMP/sorted"
    got="$(sha256sum <"$TMP/sorted" | cut -d' ' -f1) $(wc -l <"$TMP/sorted") $(awk '{s += $NF} END {printf "%.0f", s}' "$TMP/sorted")"
    want=$(cat "$exp/$b.fold")
    [ "$got" = "$want" ] && ok "fold = pprof -traces: $b" || bad "fold = pprof -traces: $b" "got $got, want $want"
  done
fi
