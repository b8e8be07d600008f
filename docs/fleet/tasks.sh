#!/bin/sh
# tasks.sh IN: the map step's task list, one "DAY HOST" line per directory
# IN/DAY/HOST (sorted), so that task N is line N+1 wherever the list is read:
# by xargs here, by a Kubernetes Indexed Job's JOB_COMPLETION_INDEX there.
set -eu
in=${1:?usage: tasks.sh IN}
for d in "$in"/*/*/; do
  [ -d "$d" ] || continue
  host=$(basename "$d")
  day=$(basename "$(dirname "$d")")
  printf '%s %s\n' "$day" "$host"
done | LC_ALL=C sort
