#!/usr/bin/env bash
# samples/memstat/record.sh SCENARIO [COUNT]: runs the memstat program alone in
# a fresh child memory cgroup, so that the memory.stat it captures describes
# that program only, and keeps the series in samples/memstat/SCENARIO/.
# SCENARIO is pagecache or heapgrow; COUNT is the number of one-second
# snapshots after the baseline (default 25). Needs root (it writes to
# /sys/fs/cgroup). Works with cgroup v1 (memory controller) and cgroup v2.
set -euo pipefail
cd "$(dirname "$0")"
scenario=${1:?usage: record.sh pagecache|heapgrow [count]}
count=${2:-25}
logfile=/var/tmp/profdiff-memstat.log

# The log file must be on a disk filesystem so that writes land in the page
# cache (tmpfs pages are shmem, not file cache).
df -T "$(dirname "$logfile")"

# Build first, outside the child cgroup, so the compiler's memory and the
# binary's page cache are not charged to it.
tmp=$(mktemp -d)
bin=$tmp/memstat
go build -o "$bin" .

# Find this shell's memory cgroup: the v1 "memory" hierarchy, else v2.
cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
if [ -n "$cg" ]; then
  parent=/sys/fs/cgroup/memory$cg
else
  cg=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  parent=/sys/fs/cgroup$cg
  # v2: the memory controller must be enabled for the children.
  grep -qw memory "$parent/cgroup.subtree_control" ||
    echo +memory >"$parent/cgroup.subtree_control"
fi
child=$parent/profdiff-memstat-$scenario-$$
mkdir "$child"
echo "cgroup: $child"

rm -rf "$scenario"
mkdir "$scenario"
set +e
# The subshell moves itself into the child cgroup, then becomes the program.
(echo "$BASHPID" >"$child/cgroup.procs" &&
  exec "$bin" -scenario "$scenario" -count "$count" -out "$scenario" -logfile "$logfile") \
  >"$scenario/run.log" 2>&1
rc=$?
set -e
rm -f "$logfile"
rm -rf "$tmp"
rmdir "$child"
cat "$scenario/run.log"
exit $rc
