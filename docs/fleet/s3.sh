#!/bin/sh
# s3.sh STEP [ARG]: one step of the fleet pipeline in a cluster, with object
# storage between the steps. Each step copies what it needs from $STORE to a
# scratch directory, runs the local script of the same name (map.sh,
# reduce.sh, report.sh: the commands local.sh runs), and copies its result
# back. The Kubernetes Jobs (k8s-indexed-job.yaml) and the Argo workflow
# (argo-dag.yaml) run these.
#
#   s3.sh tasks          STORE/dumps/DAY/HOST/* -> STORE/work/tasks.txt;
#                        prints the task indexes and the days as JSON lists
#                        ({"tasks":[0,1,...],"days":["2026-11-22",...]}) for Argo
#   s3.sh map INDEX      task INDEX -> STORE/work/map/DAY/HOST.pb.gz
#   s3.sh reduce DAY     STORE/work/map/DAY/* -> STORE/work/days/DAY.pb.gz
#   s3.sh report         STORE/work/days/* -> STORE/report/
#
# STORE is an S3 URL (s3://bucket/prefix); AWS names the client (default:
# aws; any with `s3 cp`, `s3 sync` and `s3 ls --recursive` will do, e.g.
# MinIO's behind the AWS CLI); SCRATCH the local directory (default
# /tmp/fleet); PROFDIFF the binary.
set -eu
step=${1:?usage: s3.sh tasks|map INDEX|reduce DAY|report}
store=${STORE:?STORE must be set (s3://bucket/prefix)}
aws=${AWS:-aws}
scratch=${SCRATCH:-/tmp/fleet}
here=$(dirname "$0")
mkdir -p "$scratch"
cd "$scratch"
case $step in
tasks)
  # keys dumps/DAY/HOST/FILE -> "DAY HOST", as tasks.sh lists directories
  $aws s3 ls --recursive "$store/dumps/" | awk '{print $4}' |
    sed -n 's|^\(.*/\)\{0,1\}dumps/\([^/]*\)/\([^/]*\)/[^/]*$|\2 \3|p' | LC_ALL=C sort -u >tasks.txt
  [ -s tasks.txt ] || { echo "s3.sh: no dumps under $store/dumps/" >&2; exit 2; }
  $aws s3 cp tasks.txt "$store/work/tasks.txt" >&2
  n=$(wc -l <tasks.txt)
  printf '{"tasks":[%s],"days":[%s]}\n' "$(seq -s, 0 $((n - 1)))" \
    "$(cut -d' ' -f1 tasks.txt | uniq | sed 's/.*/"&"/' | paste -sd, -)"
  ;;
map)
  index=${2:?usage: s3.sh map INDEX}
  $aws s3 cp "$store/work/tasks.txt" tasks.txt >&2
  line=$(sed -n "$((index + 1))p" tasks.txt)
  day=${line%% *} host=${line#* }
  $aws s3 sync "$store/dumps/$day/$host/" "in/$day/$host/" >&2
  "$here/map.sh" tasks.txt "$index" in map
  $aws s3 cp "map/$day/$host.pb.gz" "$store/work/map/$day/$host.pb.gz" >&2
  ;;
reduce)
  day=${2:?usage: s3.sh reduce DAY}
  $aws s3 sync "$store/work/map/$day/" "map/$day/" >&2
  "$here/reduce.sh" map "$day" days
  $aws s3 cp "days/$day.pb.gz" "$store/work/days/$day.pb.gz" >&2
  ;;
report)
  $aws s3 sync "$store/work/days/" days/ >&2
  status=0
  "$here/report.sh" days report || status=$?
  [ "$status" -le 1 ] || exit "$status" # 1: a --fail-on gate; the report is still written
  $aws s3 sync report/ "$store/report/" >&2
  exit "$status"
  ;;
*) echo "s3.sh: unknown step $step" >&2; exit 2 ;;
esac
