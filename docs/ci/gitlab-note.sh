#!/usr/bin/env bash
# gitlab-note.sh [--id ID] REPORT_DIR: posts REPORT_DIR/report.md as the merge
# request's note, or updates the note posted before: the one carrying the
# hidden marker <!-- profdiff:ID --> (ID: --id, default the report
# directory's name), so each job keeps one note however often it runs and
# other jobs' notes are left alone. Installed as
# /usr/share/profdiff/gitlab-note.sh; docs/ci.md has the job that calls it,
# tests/e2e/recipes.sh runs both with a stand-in curl.
#
# Environment: GitLab's CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID
# (set in merge-request pipelines), CI_JOB_URL; PROFDIFF_GITLAB_TOKEN, a
# project access token with the api scope (CI_JOB_TOKEN cannot write notes),
# kept in a masked CI/CD variable.
# Exit status: 0 when the note is written, and also when it cannot be (no
# token, not a merge request, the API refused: a warning says why), so that
# the job's status stays the gate's; 2 for a bad argument or a missing report.
set -uo pipefail

die() {
  echo "gitlab-note.sh: $1" >&2
  exit 2
}
warn() {
  echo "gitlab-note.sh: warning: $1" >&2
  exit 0
}

id=
if [ "${1:-}" = --id ]; then
  id=${2:-}
  shift 2 || die "--id needs a value"
fi
[ $# = 1 ] || die "usage: gitlab-note.sh [--id ID] REPORT_DIR"
dir=$1
[ -f "$dir/report.md" ] || die "$dir holds no report.md"
[ -n "$id" ] || id=$(basename "$(realpath -m "$dir")")
case "$id" in '' | *[!A-Za-z0-9._-]*) die "the id \"$id\" must be letters, digits, '.', '_' or '-' (it goes into an HTML comment)" ;; esac
marker="<!-- profdiff:$id -->"

[ -n "${CI_MERGE_REQUEST_IID:-}" ] || warn "not a merge-request pipeline (CI_MERGE_REQUEST_IID is empty): no note"
[ -n "${PROFDIFF_GITLAB_TOKEN:-}" ] || warn "PROFDIFF_GITLAB_TOKEN is not set (a project access token with the api scope, in a masked CI/CD variable): no note"
{ [ -n "${CI_API_V4_URL:-}" ] && [ -n "${CI_PROJECT_ID:-}" ]; } || warn "CI_API_V4_URL or CI_PROJECT_ID is not set: no note"
case "$CI_MERGE_REQUEST_IID$CI_PROJECT_ID" in *[!0-9]*) die "CI_MERGE_REQUEST_IID and CI_PROJECT_ID must be numbers" ;; esac
notes=$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the token goes to curl in a file, never on its command line (ps, set -x)
(umask 077 && printf 'PRIVATE-TOKEN: %s\n' "$PROFDIFF_GITLAB_TOKEN" >"$work/auth")
api() { # api METHOD URL [BODY-FILE]: the reply in $work/reply.json
  local body=()
  [ $# -gt 2 ] && body=(--header 'Content-Type: application/json' --data-binary "@$3")
  curl -fsS --max-time 60 --request "$1" --header "@$work/auth" "${body[@]}" -o "$work/reply.json" -- "$2" 2>"$work/curl.err"
}

# the body is report.md with our marker as its last line (where profdiff
# report --comment-id writes it; another id's marker goes)
grep -Ev '^<!-- profdiff:[A-Za-z0-9._-]+ -->$' "$dir/report.md" >"$work/body.md"
printf '%s\n' "$marker" >>"$work/body.md"
# GitLab refuses a note over 1,000,000 characters: link to the artifacts
if [ "$(wc -m <"$work/body.md")" -gt 1000000 ]; then
  printf 'The heap report is over the 1,000,000 characters of a note: it is in [the job'"'"'s artifacts](%s/artifacts/browse).\n%s\n' \
    "${CI_JOB_URL:-}" "$marker" >"$work/body.md"
fi
jq -n --rawfile body "$work/body.md" '{body: $body}' >"$work/body.json"

# our note: the first (oldest) non-system note with the marker, on any page
: >"$work/notes.json"
page=1
while :; do
  api GET "$notes?sort=asc&order_by=created_at&per_page=100&page=$page" ||
    warn "could not list the merge request's notes ($(head -c 300 "$work/curl.err")): no note"
  jq -e 'type == "array"' "$work/reply.json" >/dev/null 2>&1 || warn "the notes listing is not a JSON array: no note"
  cat "$work/reply.json" >>"$work/notes.json"
  [ "$(jq length "$work/reply.json")" -lt 100 ] && break
  page=$((page + 1))
  [ $page -le 100 ] || break
done
# (the marker as a line of its own: a reply that quotes our note holds
# "> <!-- ... -->", and is somebody else's words)
nid=$(jq -rs --arg m "$marker" 'add // [] | map(select(.system != true and ((.body // "") | gsub("\r"; "") | split("\n") | any(.[]; . == $m)))) | .[0].id // empty' "$work/notes.json")

if [ -n "$nid" ]; then
  api PUT "$notes/$nid" "$work/body.json" || warn "could not update note $nid ($(head -c 300 "$work/curl.err"))"
  echo "gitlab-note.sh: updated note $nid of merge request !$CI_MERGE_REQUEST_IID"
else
  api POST "$notes" "$work/body.json" || warn "could not create the note ($(head -c 300 "$work/curl.err"))"
  echo "gitlab-note.sh: created note $(jq -r '.id // empty' "$work/reply.json") of merge request !$CI_MERGE_REQUEST_IID"
fi
