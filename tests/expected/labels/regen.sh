#!/usr/bin/env bash
# Regenerates the `go tool pprof` figures tests/e2e/labels.sh compares
# profdiff's tag filters and `top --tags` with. For each line of `cases`
# (NAME|FILE|UNIT|OPTIONS):
#   NAME.tags  go tool pprof -tags OPTIONS FILE
#   NAME.top   go tool pprof -top -nodefraction=0 -nodecount=400 -unit=UNIT OPTIONS FILE,
#              its rows only, as "flat cum name" (the percentages are of pprof's
#              total before any filter: see docs/labels.md)
# Run from anywhere; review the diff before committing (never edit by hand).
# Needs Go (Debian: golang-go).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/expected/labels
go version > "$out/GO_VERSION"
grep -v '^#' "$out/cases" | while IFS="|" read -r name file unit opts; do
  [ -n "$name" ] || continue
  if [ ! -f "$file" ]; then echo "regen: $file absent; $name skipped" >&2; continue; fi
  # shellcheck disable=SC2086
  go tool pprof -tags $opts "$file" > "$out/$name.tags" 2>/dev/null
  [ "$unit" = - ] && { rm -f "$out/$name.top"; continue; }
  # shellcheck disable=SC2086
  go tool pprof -top -nodefraction=0 -nodecount=400 -unit="$unit" $opts "$file" 2>/dev/null |
    sed -n '/^      flat  flat%/,$p' | sed '1d' |
    awk '{name = $6; for (i = 7; i <= NF; i++) name = name " " $i; print $1, $4, name}' > "$out/$name.top"
done
