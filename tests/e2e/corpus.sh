# corpus.sh: every input in tests/corpus/ (fuzzer findings and hand-made
# hostile files, one directory per reader) gives what its NAME.expected
# says: "ok" (exit 0), or exit 2 with one stderr line ending in the expected
# message and nothing on stdout. Run under valgrind too by tests/run.sh.
C=tests/corpus
corpus_check() { # corpus_check DIR NAME ARGS...: runs profdiff ARGS on DIR/NAME
  local d=$1 f=$2
  shift 2
  local exp
  exp=$(cat "$C/$d/$f.expected")
  run "$@"
  local first
  first=$(head -1 "$err")
  if [ "$exp" = ok ]; then
    if [ "$rc" = 0 ]; then ok "corpus $d/$f"; else bad "corpus $d/$f" "exit $rc, expected 0: $(head -c 300 "$err")"; fi
  elif [ "$rc" != 2 ]; then
    bad "corpus $d/$f" "exit $rc, expected 2; stderr: $(head -c 300 "$err")"
  elif [ "$d" != gate ] && [ "$(wc -l <"$err")" != 1 ]; then
    bad "corpus $d/$f" "expected one line on stderr, got $(wc -l <"$err"): $(head -c 300 "$err")"
  elif [[ "$first" != "profdiff: "*"$exp" ]]; then
    bad "corpus $d/$f" "stderr \"$first\" does not end with \"$exp\""
  elif [ -s "$out" ]; then
    bad "corpus $d/$f" "wrote to stdout on error"
  else
    ok "corpus $d/$f"
  fi
}
n_corpus=0
for d in pprof folded legacy memstat gate; do
  for e in "$C/$d"/*.expected; do
    [ -f "$e" ] || continue
    f=$(basename "$e" .expected)
    n_corpus=$((n_corpus + 1))
    case $d in
    folded) corpus_check "$d" "$f" top --strict "$C/$d/$f" ;;
    memstat) corpus_check "$d" "$f" memstat "$C/$d/$f" ;;
    gate) corpus_check "$d" "$f" report -o "$TMP/gate-out" --fail-on "$(cat "$C/$d/$f")" \
      samples/leak/snapshots/heap-000-2026-11-22T19:06:51Z.pb.gz samples/leak/snapshots/heap-001-2026-11-22T19:06:53Z.pb.gz ;;
    *) corpus_check "$d" "$f" top "$C/$d/$f" ;;
    esac
  done
done
# every input has its expectation, and the other way round
for f in "$C"/*/*; do
  case $f in *.expected | */README.md) continue ;; esac
  [ -f "$f.expected" ] || bad "corpus $f has a .expected" "missing $f.expected"
done
[ "$n_corpus" -ge 40 ] && ok "corpus has $n_corpus inputs" || bad "corpus size" "only $n_corpus inputs"
[ -e "$TMP/gate-out" ] && bad "a bad --fail-on writes no report" "$TMP/gate-out exists" || ok "a bad --fail-on writes no report"
