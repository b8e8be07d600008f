#!/usr/bin/env bash
# samples/demo.sh: the main job on the bundled samples, from a fresh clone.
# Installs what is missing (tests/deps.sh), builds profdiff, and writes a full
# report of samples/leak (30 heap snapshots of a leaking Go service) into
# out/demo/, then prints where it is and the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/deps.sh
pd_need_build
"$PD_ZIG" build >/dev/null
out=out/demo
rm -rf "$out"
set +e
zig-out/bin/profdiff report -o "$out" --title "samples/leak: a request cache that is never cleared" \
  --fail-on 'slope>100MB/h' samples/leak/snapshots/*.pb.gz
rc=$?
set -e
[ "$rc" -le 1 ] || exit "$rc"
echo
# the first line (the verdict) and the paragraph that explains it, without
# Markdown's heading, escapes and emphasis
{ head -1 "$out/report.md"; echo; grep -m1 '^\*\*[0-9]* snapshots' "$out/report.md"; } |
  sed 's/^### //; s/\\\(.\)/\1/g; s/\*\*//g; s/`//g' | fold -s -w 100
echo
echo "Report written to $out/:"
ls "$out" | sed 's/^/  /'
echo "Open $out/report.html in a browser (one self-contained file)."
