#!/usr/bin/env bash
# Regenerates what tests/e2e/merge.sh compares `profdiff merge` with: for
# each line NAME FILE... of ./cases, NAME.raw.sha256 is the sha256 of
# `go tool pprof -raw` of `go tool pprof -proto FILE... > merged`, i.e. of
# every sample, value, label, location, function, mapping and header field
# of pprof's own merge. Run from anywhere; review the diff before committing
# (never edit these files by hand). Needs Go (Debian: golang-go).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/expected/merge
DATA=../shared/data
[ -d "$DATA" ] || { echo "regen: $DATA is absent" >&2; exit 1; }
go version >"$out/GO_VERSION"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$out/cases" | while read -r name files; do
  name=${name#slow:}
  eval "set -- $files"
  go tool pprof -proto "$@" >"$tmp/m.pb.gz" 2>/dev/null
  go tool pprof -raw "$tmp/m.pb.gz" 2>/dev/null | sha256sum | cut -d' ' -f1 >"$out/$name.raw.sha256"
  echo "$name"
done
