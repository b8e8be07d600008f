#!/usr/bin/env bash
# Regenerates the `go tool pprof` figures the tests compare profdiff with.
# For every profile in ../shared/data/pprof and every sample type I:
#   NAME.I.type   the type and the base unit U used below
#   NAME.I.top    go tool pprof -top -nodefraction=0 -nodecount=250 -sample_index=I -unit=U
#   NAME.I.fold   sha256, line count and sum of the folded stacks made from
#                 go tool pprof -traces -sample_index=I -unit=U (traces2folded.awk),
#                 sorted with LC_ALL=C; the stacks themselves run to megabytes
# U is the type's base unit (B, ns) so values are exact. Run from anywhere;
# review the diff before committing (never edit these files by hand).
# Needs Go (Debian: golang-go). To see a folded mismatch in full:
#   go tool pprof -traces -sample_index=I -unit=U FILE | awk -f traces2folded.awk | LC_ALL=C sort
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/expected/pprof
data=../shared/data/pprof
[ -d "$data" ] || { echo "regen: $data is absent" >&2; exit 1; }
go version > "$out/GO_VERSION"
for f in "$data"/*; do
  name=$(basename "$f")
  # the sample types line of -raw, e.g. "alloc_objects/count alloc_space/bytes"
  types=$(go tool pprof -raw "$f" 2>/dev/null | sed -n '/^Samples:/{n;p;q}') || true
  if [ -z "$types" ]; then
    echo "regen: go tool pprof cannot read $name; skipped" >&2
    continue
  fi
  i=0
  for t in $types; do
    unit=${t#*/}
    unit=${unit%\[dflt\]}
    case "$unit" in
      bytes) u=B ;;
      nanoseconds) u=ns ;;
      microseconds) u=us ;;
      milliseconds) u=ms ;;
      seconds) u=s ;;
      *) u=minimum ;;
    esac
    go tool pprof -top -nodefraction=0 -nodecount=250 -sample_index=$i -unit=$u "$f" \
      > "$out/$name.$i.top" 2>/dev/null
    echo "${t%\[dflt\]} $u" > "$out/$name.$i.type"
    go tool pprof -traces -sample_index=$i -unit=$u "$f" 2>/dev/null \
      | awk -f "$out/traces2folded.awk" | LC_ALL=C sort > "$out/.fold.tmp"
    printf '%s %s %s\n' "$(sha256sum < "$out/.fold.tmp" | cut -d' ' -f1)" \
      "$(wc -l < "$out/.fold.tmp")" "$(awk '{s += $NF} END {printf "%.0f", s}' "$out/.fold.tmp")" \
      > "$out/$name.$i.fold"
    rm -f "$out/.fold.tmp"
    i=$((i + 1))
  done
done
echo "regen: $(ls $out/*.top | wc -l) files"
