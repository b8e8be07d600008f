#!/usr/bin/env bash
# Regenerates go tool pprof's figures for the bundled sample series, which
# tests/e2e/samples.sh compares with profdiff report's deltas:
#   SERIES.diff   go tool pprof -top -nodefraction=0 -unit=B -sample_index=inuse_space
#                 -diff_base=FIRST LAST   (per function: delta flat, delta cum)
# Run from anywhere; review the diff before committing. Needs Go (golang-go).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/expected/samples
go version >"$out/GO_VERSION"
for series in leak cycle; do
  files=(samples/$series/snapshots/*.pb.gz)
  go tool pprof -top -nodefraction=0 -unit=B -sample_index=inuse_space \
    -diff_base="${files[0]}" "${files[${#files[@]}-1]}" 2>/dev/null >"$out/$series.diff"
done
echo "regen: $(ls "$out"/*.diff | wc -l) files"
