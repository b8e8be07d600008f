#!/usr/bin/env bash
# tests/e2e.sh PROFDIFF [PATTERN]: end-to-end tests of the binary, one file
# per command or concern in tests/e2e/, run from the repository root.
# Prints "e2e: N passed, N failed" and exits non-zero on any failure.
cd "$(dirname "$0")/.." || exit 2
PD=$(realpath "${1:?usage: tests/e2e.sh PROFDIFF [PATTERN]}")
export PD
. tests/lib.sh
for t in tests/e2e/*.sh; do
  case "$t" in *"${2:-}"*) ;; *) continue ;; esac
  . "$t"
done
pd_summary e2e
