#!/usr/bin/env bash
# Regenerates the `go tool pprof` figures the tests compare profdiff's legacy
# text readers with. For every profile in ../shared/data/legacy (not the
# *.expected-string.txt files) and every sample type I:
#   NAME.I.type   the type, as pprof names it
#   NAME.I.top    go tool pprof -top -addresses -nodefraction=0 -nodecount=500 -sample_index=I -unit=B
# -addresses because the frames have no symbols: pprof would merge every
# frame of a binary into one "[binary]" row, while profdiff names each frame
# by its address (docs/inputs.md); per address the figures are the same.
# pprof's complaints that it cannot find the binaries to symbolize are
# dropped. Run from anywhere; review the diff before committing (never edit
# these files by hand). Needs Go (Debian: golang-go).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/expected/legacy
data=../shared/data/legacy
[ -d "$data" ] || { echo "regen: $data is absent" >&2; exit 1; }
go version > "$out/GO_VERSION"
for f in "$data"/*.txt; do
  case "$f" in *.expected-string.txt) continue ;; esac
  name=$(basename "$f")
  types=$(go tool pprof -raw "$f" 2>/dev/null | sed -n '/^Samples:/{n;p;q}')
  i=0
  for t in $types; do
    echo "${t%/*}" > "$out/$name.$i.type"
    go tool pprof -top -addresses -nodefraction=0 -nodecount=500 -sample_index=$i -unit=B "$f" \
      2>/dev/null > "$out/$name.$i.top"
    i=$((i + 1))
  done
done
echo "regen: $(ls $out/*.top | wc -l) files"
