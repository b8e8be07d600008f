#!/usr/bin/env bash
# scripts/action.sh: the shell half of the GitHub Action (action.yml): runs
# `profdiff report`, creates or updates the pull request comment that carries
# its own hidden marker, and exits with the gate's status. action.yml hands
# it every input through the environment, never through the script text, so
# a title or a file name is data, not shell. tests/e2e/action.sh runs it with
# a stand-in `gh`.
#
# Environment (action.yml's inputs):
#   INPUT_FILES         profiles in time order, one path or glob per line
#   INPUT_BASE, INPUT_HEAD   instead of INPUT_FILES: compare HEAD (one path or
#                       glob per line) with the baseline BASE
#   INPUT_FAIL_ON       gates, one per line (--fail-on)
#   INPUT_TITLE         the report's title
#   INPUT_SAMPLE_INDEX  --sample-index
#   INPUT_OPTIONS       more profdiff report options, one argument per line
#   INPUT_LINK_BASE     where the report directory will be published: report.md
#                       links its graphs and sparklines there (--link-base)
#   INPUT_REPORT_NAME   the report directory and the artifact's name (default profdiff-report)
#   INPUT_REPORT_DIR    post this existing report directory's report.md and
#                       run nothing (the commenting half of a workflow_run split)
#   INPUT_COMMENT       true (default) or false: comment on the pull request
#   INPUT_COMMENT_ID    the comment's identity: its hidden marker is
#                       <!-- profdiff:ID --> (default: the report name)
#   INPUT_PR_NUMBER     the pull request (action.yml: the event's)
#   PROFDIFF            the profdiff binary (default: profdiff on PATH)
#   GITHUB_REPOSITORY, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_SERVER_URL,
#   GITHUB_RUN_ID       set by the runner; GH_TOKEN for gh
# Outputs ($GITHUB_OUTPUT): status (0 passed, 1 a gate failed, 2 an error),
# report-dir, comment-id, comment-url.
# Exit status: profdiff's (0, 1 or 2); 2 also for missing or bad inputs.
set -uo pipefail

# A workflow command's value: %, CR and LF escaped, so that a value holds on
# one line and cannot start a command of its own.
S_esc() {
  local s=$1
  s=${s//'%'/%25}
  s=${s//$'\r'/%0D}
  s=${s//$'\n'/%0A}
  printf '%s' "$s"
}
die() { # die MESSAGE: an error annotation, status 2
  echo "::error title=profdiff::$(S_esc "$1")"
  output status 2
  exit 2
}
warn() { echo "::warning title=profdiff::$(S_esc "$1")"; }
output() { # output NAME VALUE: a step output (values here are one line)
  [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "${2//$'\n'/ }" >>"$GITHUB_OUTPUT"
  return 0
}

# lines VAR TEXT: the non-blank lines of TEXT, trimmed, into array VAR
lines() {
  local -n into=$1
  local l
  into=()
  while IFS= read -r l || [ -n "$l" ]; do
    l=${l#"${l%%[![:space:]]*}"}
    l=${l%"${l##*[![:space:]]}"}
    [ -n "$l" ] && into+=("$l")
  done <<<"$2"
}
# expand VAR PATTERN...: each pattern's matches (sorted, as bash globs are);
# a pattern that matches nothing is an error naming it
expand() {
  local -n into=$1
  shift
  local p m
  into=()
  shopt -s nullglob
  for p in "$@"; do
    m=()
    if [ -e "$p" ]; then m=("$p"); else
      # shellcheck disable=SC2206 # the pattern is meant to be globbed
      m=($p)
    fi
    [ ${#m[@]} -gt 0 ] || { shopt -u nullglob; die "no file matches \"$p\""; }
    into+=("${m[@]}")
  done
  shopt -u nullglob
}

name=${INPUT_REPORT_NAME:-profdiff-report}
case "$name" in *[!A-Za-z0-9._-]* | .* ) die "report-name \"$name\" must be letters, digits, '.', '_' or '-' (it names a directory and an artifact)" ;; esac
id=${INPUT_COMMENT_ID:-$name}
case "$id" in *[!A-Za-z0-9._-]*) die "comment-id \"$id\" must be letters, digits, '.', '_' or '-' (it goes into an HTML comment)" ;; esac
marker="<!-- profdiff:$id -->"
comment=${INPUT_COMMENT:-true}
case "$comment" in true | false) ;; *) die "comment must be true or false, not \"$comment\"" ;; esac
pr=${INPUT_PR_NUMBER:-}
case "$pr" in '' | *[!0-9]*) [ -z "$pr" ] || die "pr-number \"$pr\" is not a number"; ;; esac

status=0
if [ -n "${INPUT_REPORT_DIR:-}" ]; then
  # the commenting half of a split: the report was made by another job
  dir=$INPUT_REPORT_DIR
  [ -f "$dir/report.md" ] || die "report-dir \"$dir\" holds no report.md"
else
  lines files "${INPUT_FILES:-}"
  lines base "${INPUT_BASE:-}"
  lines head "${INPUT_HEAD:-}"
  inputs=()
  if [ ${#files[@]} -gt 0 ]; then
    [ ${#base[@]} = 0 ] && [ ${#head[@]} = 0 ] || die "give either files or base and head, not both"
    expand inputs "${files[@]}"
    [ ${#inputs[@]} -ge 2 ] || die "files: a report needs at least two profiles, found ${#inputs[@]} (${inputs[*]})"
    inputs=(-- "${inputs[@]}")
  elif [ ${#base[@]} -gt 0 ] || [ ${#head[@]} -gt 0 ]; then
    [ ${#base[@]} = 1 ] || die "base: one baseline profile, found ${#base[@]} lines"
    [ ${#head[@]} -gt 0 ] || die "head: the profile(s) to compare with base are missing"
    expand b "${base[@]}"
    [ ${#b[@]} = 1 ] || die "base \"${base[0]}\" matches ${#b[@]} files, not one"
    expand h "${head[@]}"
    inputs=(--base "${b[0]}" -- "${h[@]}")
  else
    die "no profiles: set files (two or more) or base and head"
  fi

  if [ -n "${PROFDIFF:-}" ]; then
    profdiff=$PROFDIFF
  else
    profdiff=$(command -v profdiff) || die "profdiff is not installed (PROFDIFF unset, none on PATH)"
  fi
  [ -x "$profdiff" ] || die "PROFDIFF \"$profdiff\" is not an executable"

  dir=$name
  args=(report -o "$dir")
  [ -n "${INPUT_TITLE:-}" ] && args+=(--title "$INPUT_TITLE")
  [ -n "${INPUT_SAMPLE_INDEX:-}" ] && args+=(--sample-index "$INPUT_SAMPLE_INDEX")
  [ -n "${INPUT_LINK_BASE:-}" ] && args+=(--link-base "$INPUT_LINK_BASE")
  lines gates "${INPUT_FAIL_ON:-}"
  for g in ${gates[@]+"${gates[@]}"}; do args+=(--fail-on "$g"); done
  # report.md carries the marker itself (its last line) where profdiff can
  # write it; an older profdiff's report.md gets it prepended below
  # (the help is read whole: `| grep -q` would close the pipe early, and
  # under pipefail profdiff's write error would undo the match)
  help=$("$profdiff" report --help 2>/dev/null)
  case "$help" in *--comment-id*) args+=(--comment-id "$id") ;; esac
  lines opts "${INPUT_OPTIONS:-}"
  args+=(${opts[@]+"${opts[@]}"})

  # profdiff's messages quote file and function names from the inputs: the
  # runner must not read them as workflow commands
  token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  echo "::stop-commands::$token"
  "$profdiff" "${args[@]}" "${inputs[@]}"
  status=$?
  echo "::$token::"
  if [ $status -gt 1 ]; then
    output status "$status"
    die "profdiff report failed (exit $status): see the message above"
  fi
  [ $status = 1 ] && echo "::error title=profdiff::a --fail-on gate failed: see $dir/report.md"
fi
output status "$status"
output report-dir "$dir"
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$dir/report.md" >>"$GITHUB_STEP_SUMMARY"

# The comment: the one on this pull request that carries our marker, else a
# new one; comments of other workflows (other markers) are left alone.
if [ "$comment" = true ]; then
  repo=${GITHUB_REPOSITORY:-}
  if [ -z "$pr" ]; then
    echo "profdiff: not a pull request (no pr-number): no comment"
  elif [ -z "$repo" ]; then
    warn "GITHUB_REPOSITORY is not set: no comment"
  else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # the body is report.md with our marker as its last line: profdiff
    # writes it there (--comment-id); a report made by another job (the
    # report-dir split) may carry that job's marker instead, which goes
    grep -Ev '^<!-- profdiff:[A-Za-z0-9._-]+ -->$' "$dir/report.md" >"$work/body.md"
    printf '%s\n' "$marker" >>"$work/body.md"
    # GitHub refuses a comment over 65,536 characters: link to the artifact
    if [ "$(wc -m <"$work/body.md")" -gt 65536 ]; then
      url="${GITHUB_SERVER_URL:-https://github.com}/$repo/actions/runs/${GITHUB_RUN_ID:-}"
      printf 'The heap report is over the 65,536 characters of a comment: it is in the artifact `%s` of [the run](%s).\n%s\n' \
        "$name" "$url" "$marker" >"$work/body.md"
    fi
    jq -n --rawfile body "$work/body.md" '{body: $body}' >"$work/body.json"
    if ! gh api --paginate "repos/$repo/issues/$pr/comments?per_page=100" >"$work/comments.json" 2>"$work/gh.err"; then
      warn "could not list the pull request's comments ($(head -c 300 "$work/gh.err")): no comment. A pull request from a fork gets a read-only token: see docs/ci.md, Fork pull requests"
    else
      # a line of its own that is the marker, not the marker anywhere: a
      # reviewer's reply that quotes our comment holds "> <!-- ... -->",
      # and editing it (a token with write access can) would wipe their words
      cid=$(jq -rs --arg m "$marker" 'add // [] | map(select((.body // "") | gsub("\r"; "") | split("\n") | any(.[]; . == $m))) | .[0].id // empty' "$work/comments.json")
      verb=create
      [ -n "$cid" ] && verb=update
      if [ -n "$cid" ]; then
        gh api --method PATCH "repos/$repo/issues/comments/$cid" --input "$work/body.json" >"$work/reply.json" 2>"$work/gh.err"
      else
        gh api --method POST "repos/$repo/issues/$pr/comments" --input "$work/body.json" >"$work/reply.json" 2>"$work/gh.err"
      fi
      if [ $? = 0 ]; then
        output comment-id "$(jq -r '.id // empty' "$work/reply.json")"
        output comment-url "$(jq -r '.html_url // empty' "$work/reply.json")"
        echo "profdiff: ${verb}d comment $(jq -r '.html_url // empty' "$work/reply.json")"
      else
        warn "could not $verb the comment ($(head -c 300 "$work/gh.err")). A pull request from a fork gets a read-only token: see docs/ci.md, Fork pull requests"
      fi
    fi
  fi
fi
exit "$status"
