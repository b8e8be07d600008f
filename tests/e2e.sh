#!/usr/bin/env bash
# tests/e2e.sh PROFDIFF [PATTERN]: end-to-end tests of the binary, one file
# per command or concern in tests/e2e/, run from the repository root.
# Prints "e2e: N passed, N failed" and exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 2
PD=$(realpath "${1:?usage: tests/e2e.sh PROFDIFF [PATTERN]}")
export PD
# the pattern is kept in a variable: a test file may `set --` (merge.sh does)
pd_pattern=${2:-}
. tests/lib.sh
for t in tests/e2e/*.sh; do
  case "$t" in *"$pd_pattern"*) ;; *) continue ;; esac
  . "$t"
done
pd_summary e2e
