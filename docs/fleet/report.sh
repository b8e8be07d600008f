#!/bin/sh
# report.sh DAYS REPORT [OPTION...]: the fleet's report over the days,
# DAYS/*.pb.gz (one merged profile per day, ordered by their times), into the
# directory REPORT; options go to profdiff report (--fail-on, --title...).
set -eu
days=${1:?usage: report.sh DAYS REPORT [OPTION...]}
report=${2:?usage: report.sh DAYS REPORT [OPTION...]}
shift 2
exec "${PROFDIFF:-profdiff}" report -o "$report" "$@" "$days"/*.pb.gz
