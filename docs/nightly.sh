#!/usr/bin/env bash
# nightly.sh SOURCE DIR: a dated heap report per night, compared with last week.
#
#   SOURCE  a service's pprof endpoint base URL (http://host:6060; the heap
#           profile is fetched from SOURCE/debug/pprof/heap), or a directory
#           holding ready-made heap-*.pb.gz dumps (tests, air-gapped setups)
#   DIR     where dumps and reports live:
#             DIR/dumps/heap-YYYY-MM-DDTHH:MM:SSZ.pb.gz   one per night
#             DIR/YYYY-MM-DD/                             tonight's report (last 8 nights)
#             DIR/YYYY-MM-DD/vs-last-week/                tonight against 7 nights ago
#
# Environment: PROFDIFF (default: profdiff on PATH), NOW (the date to act as,
# YYYY-MM-DDTHH:MM:SSZ; default: now), GATES (default: "slope>10MB/h").
# Exit status: profdiff's (0 fine, 1 a gate failed, 2 an error).
set -euo pipefail
source=${1:?usage: nightly.sh SOURCE DIR}
dir=${2:?usage: nightly.sh SOURCE DIR}
profdiff=${PROFDIFF:-profdiff}
now=${NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
day=${now%%T*}
mkdir -p "$dir/dumps"

# 1. tonight's dump; the time in its name orders the series
dump="$dir/dumps/heap-$now.pb.gz"
if [ -d "$source" ]; then
  latest=$(ls "$source"/heap-*.pb.gz | sort | tail -1)
  cp "$latest" "$dump"
else
  curl -fsS --max-time 120 -o "$dump.tmp" "$source/debug/pprof/heap" && mv "$dump.tmp" "$dump"
fi

# 2. the report of the last eight nights (a week of trend), dated
mapfile -t week < <(ls "$dir"/dumps/heap-*.pb.gz | sort | tail -8)
status=0
if [ "${#week[@]}" -ge 2 ]; then
  gates=()
  for g in ${GATES:-slope>10MB/h}; do gates+=(--fail-on "$g"); done
  "$profdiff" report -o "$dir/$day" --title "Heap, nightly, $day" --sample-index inuse_space \
    "${gates[@]}" "${week[@]}" || status=$?
  [ "$status" -le 1 ] || exit "$status"
fi

# 3. tonight against the same night a week ago, when there is one
ago=$(date -u -d "$day - 7 days" +%Y-%m-%d)
old=$(ls "$dir"/dumps/heap-"$ago"T*.pb.gz 2>/dev/null | tail -1 || true)
if [ -n "$old" ]; then
  "$profdiff" report -o "$dir/$day/vs-last-week" --title "Heap, $day against $ago" \
    --sample-index inuse_space --output-format json,md,html,svg --base "$old" "$dump"
fi
exit "$status"
