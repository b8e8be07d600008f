#!/usr/bin/env bash
# nightly.sh [--keep N] SOURCE DIR: a dated heap report per night, compared
# with last week; run by cron or a systemd timer (docs/ci.md, "Nightly").
#
#   SOURCE    a service's pprof endpoint base URL (http://host:6060; the heap
#             profile is fetched from SOURCE/debug/pprof/heap), or a directory
#             holding ready-made heap-*.pb.gz dumps (tests, air-gapped setups:
#             the newest by name is taken)
#   DIR       where dumps and reports live:
#               DIR/dumps/heap-YYYY-MM-DDTHH:MM:SSZ.pb.gz   one per night
#               DIR/YYYY-MM-DD/                             tonight's report (last 8 nights)
#               DIR/YYYY-MM-DD/vs-last-week/                tonight against 7 nights ago
#   --keep N  keep the dumps and reports of the last N nights (default 60);
#             older ones are deleted once tonight's report is written. The
#             comparison with last week needs N >= 8.
#
# Environment: PROFDIFF, the profdiff binary (default: profdiff on PATH; cron's
# PATH is /usr/bin:/bin, where the Debian package puts it: after
# `zig build install --prefix /usr/local` set PROFDIFF=/usr/local/bin/profdiff);
# NOW, the time to act as (YYYY-MM-DDTHH:MM:SSZ; default: now);
# GATES, space-separated --fail-on gates (default: "slope>10MB/h").
# Exit status: profdiff's (0 fine, 1 a gate failed, 2 an error).
set -euo pipefail
usage="usage: nightly.sh [--keep N] SOURCE DIR"
keep=60
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; keep=$2; shift 2 ;;
    --keep=*) keep=${1#--keep=}; shift ;;
    --) shift; break ;;
    -*) echo "nightly.sh: unknown option $1; $usage" >&2; exit 2 ;;
    *) break ;;
  esac
done
case "$keep" in '' | *[!0-9]* | 0) echo "nightly.sh: --keep takes a number of nights, at least 1, not \"$keep\"" >&2; exit 2 ;; esac
[ $# = 2 ] || { echo "$usage" >&2; exit 2; }
source=$1
dir=$2
if [ -n "${PROFDIFF:-}" ]; then
  profdiff=$PROFDIFF
elif ! profdiff=$(command -v profdiff); then
  echo "nightly.sh: profdiff is not on PATH ($PATH; cron's is /usr/bin:/bin): install the package, or set PROFDIFF=/absolute/path/to/profdiff" >&2
  exit 2
fi
[ -x "$profdiff" ] || { echo "nightly.sh: PROFDIFF=$profdiff is not an executable" >&2; exit 2; }
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
  # the cache keeps each dump's reduced form (an entry of a 30,000-function
  # program is about 0.8 MB), so a night reads only its new dump; 256 MiB
  # holds some 300 such entries, several times the dumps kept (--keep)
  "$profdiff" report -o "$dir/$day" --cache "$dir/cache" --cache-max-size 256MiB --title "Heap, nightly, $day" \
    --sample-index inuse_space "${gates[@]}" "${week[@]}" || status=$?
  [ "$status" -le 1 ] || exit "$status"
fi

# 3. tonight against the same night a week ago, when there is one
ago=$(date -u -d "$day - 7 days" +%Y-%m-%d)
old=$(ls "$dir"/dumps/heap-"$ago"T*.pb.gz 2>/dev/null | tail -1 || true)
if [ -n "$old" ]; then
  "$profdiff" report -o "$dir/$day/vs-last-week" --title "Heap, $day against $ago" \
    --sample-index inuse_space --output-format json,md,html,svg --base "$old" "$dump"
fi

# 4. keep the last $keep nights: dumps and dated report directories of older
# nights go (only names this script writes are touched)
mapfile -t nights < <(ls "$dir"/dumps/heap-*.pb.gz | sed 's|.*/heap-\([0-9-]*\)T.*|\1|' | sort -u)
if [ "${#nights[@]}" -gt "$keep" ]; then
  first_kept=${nights[${#nights[@]} - keep]}
  for f in "$dir"/dumps/heap-*.pb.gz "$dir"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
    [ -e "$f" ] || continue
    d=${f##*/}
    d=${d#heap-}
    d=${d:0:10}
    [[ "$d" < "$first_kept" ]] && rm -rf -- "$f"
  done
fi
exit "$status"
