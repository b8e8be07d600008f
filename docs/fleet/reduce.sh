#!/bin/sh
# reduce.sh MAP DAY OUT: the reduce step. The hosts' merges of DAY,
# MAP/DAY/*.pb.gz, merged into OUT/DAY.pb.gz: the fleet's profile of that day
# (merge is associative, so this equals one merge of every dump of the day).
set -eu
map=${1:?usage: reduce.sh MAP DAY OUT}
day=${2:?usage: reduce.sh MAP DAY OUT}
out=${3:?usage: reduce.sh MAP DAY OUT}
mkdir -p "$out"
exec "${PROFDIFF:-profdiff}" merge -o "$out/$day.pb.gz" "$map/$day"/*.pb.gz
