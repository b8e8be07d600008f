#!/bin/sh
# map.sh TASKS INDEX IN OUT: the map step. Task INDEX (0-based line of TASKS,
# "DAY HOST") merges that host's dumps of that day, IN/DAY/HOST/*.pb.gz, into
# OUT/DAY/HOST.pb.gz. The same command runs under xargs -P (local.sh), in a
# Kubernetes Indexed Job (INDEX=$JOB_COMPLETION_INDEX) and in an Argo DAG.
# PROFDIFF names the binary (default: profdiff on PATH).
set -eu
tasks=${1:?usage: map.sh TASKS INDEX IN OUT}
index=${2:?usage: map.sh TASKS INDEX IN OUT}
in=${3:?usage: map.sh TASKS INDEX IN OUT}
out=${4:?usage: map.sh TASKS INDEX IN OUT}
line=$(sed -n "$((index + 1))p" "$tasks")
[ -n "$line" ] || { echo "map.sh: no task $index in $tasks" >&2; exit 2; }
day=${line%% *}
host=${line#* }
mkdir -p "$out/$day"
exec "${PROFDIFF:-profdiff}" merge -o "$out/$day/$host.pb.gz" "$in/$day/$host"/*
