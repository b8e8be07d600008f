#!/bin/sh
# local.sh IN WORK REPORT: the whole fleet pipeline on one machine.
#   IN      dumps as IN/DAY/HOST/*.pb.gz
#   WORK    WORK/tasks.txt, WORK/map/DAY/HOST.pb.gz, WORK/days/DAY.pb.gz
#   REPORT  the report directory
# Map and reduce run JOBS at a time (default: the number of cores) with GNU
# parallel when it is installed, else xargs -P. Any step failing fails the run.
set -eu
in=${1:?usage: local.sh IN WORK REPORT}
work=${2:?usage: local.sh IN WORK REPORT}
report=${3:?usage: local.sh IN WORK REPORT}
here=$(dirname "$0")
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$work"
"$here/tasks.sh" "$in" >"$work/tasks.txt"
n=$(wc -l <"$work/tasks.txt")
[ "$n" -gt 0 ] || { echo "local.sh: no IN/DAY/HOST directories in $in" >&2; exit 2; }
if command -v parallel >/dev/null 2>&1 && [ -z "${NO_PARALLEL:-}" ]; then
  seq 0 $((n - 1)) | parallel --halt now,fail=1 -j "$jobs" "$here/map.sh" "$work/tasks.txt" {} "$in" "$work/map"
  cut -d' ' -f1 "$work/tasks.txt" | uniq | parallel --halt now,fail=1 -j "$jobs" "$here/reduce.sh" "$work/map" {} "$work/days"
else
  # xargs exits 123 when a command fails (255 stops it at once)
  seq 0 $((n - 1)) | xargs -P "$jobs" -I{} "$here/map.sh" "$work/tasks.txt" {} "$in" "$work/map"
  cut -d' ' -f1 "$work/tasks.txt" | uniq | xargs -P "$jobs" -I{} "$here/reduce.sh" "$work/map" {} "$work/days"
fi
"$here/report.sh" "$work/days" "$report"
