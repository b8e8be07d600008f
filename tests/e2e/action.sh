# action.sh: the GitHub Action's script (scripts/action.sh) run as the
# runner runs it, with a stand-in gh on PATH (tests/standin/gh) that records
# its calls and answers from fixture comment lists; and action.yml's rules
# (it parses, inputs reach shells only through env:). Not under valgrind (the script is
# shell; profdiff's own runs are tested elsewhere).
if [ -n "${PD_WRAP:-}" ]; then
  skip "action" "not under valgrind"
else
  a=$(realpath -m "$TMP/action")
  mkdir -p "$a/bin" "$a/ws"
  cp tests/standin/gh "$a/bin/gh"
  script=$(realpath scripts/action.sh)
  snaps=$(realpath samples/leak/snapshots)
  mapfile -t three < <(ls "$snaps"/heap-*.pb.gz | head -3)
  # act CASE COMMENTS [VAR=VALUE...]: runs the script in a fresh workspace as
  # the runner would, gh answering COMMENTS (JSON) to the listing; leaves
  # $rc, $a/CASE/{stdout,gh.log,output}
  act() {
    local c=$a/$1
    rm -rf "$c"
    mkdir -p "$c/ws"
    printf '%s\n' "$2" >"$c/comments.json"
    shift 2
    : >"$c/gh.log"
    : >"$c/output"
    (cd "$c/ws" && env -i PATH="$a/bin:/usr/bin:/bin" HOME="$c" PROFDIFF="$PD" GH_LOG="$c/gh.log" GH_DIR="$c" \
      GH_TOKEN=stand-in GITHUB_REPOSITORY=o/r GITHUB_OUTPUT="$c/output" GITHUB_STEP_SUMMARY="$c/summary" \
      GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=42 INPUT_COMMENT=true INPUT_REPORT_NAME=heap \
      INPUT_PR_NUMBER=7 "$@" bash "$script" </dev/null >"$c/stdout" 2>&1)
    rc=$?
  }
  # another workflow's comment and a person's, on two pages
  others='[{"id": 101, "body": "<!-- other-bot:coverage -->\nCoverage 80%", "user": {"login": "github-actions[bot]"}},
           {"id": 102, "body": "looks good", "user": {"login": "someone"}}]'

  # 1. the first comment: a POST to the pull request, the marker first
  act first "$(printf '%s\n[]\n' "$others")" INPUT_FILES="$(printf '%s\n' "${three[@]}")" INPUT_TITLE='Heap of #7'
  check "first comment: exit 0" test "$rc" = 0
  check "first comment: lists the comments" grep -qx "api --paginate repos/o/r/issues/7/comments?per_page=100" "$a/first/gh.log"
  check "first comment: POSTs to the pull request" grep -qx "api --method POST repos/o/r/issues/7/comments --input .*" "$a/first/gh.log"
  check "first comment: no PATCH" test "$(grep -c PATCH "$a/first/gh.log")" = 0
  body=$(jq -r .body "$a/first/body.POST.json" 2>/dev/null)
  case "$body" in *"<!-- profdiff:heap -->"*) ok "first comment: carries <!-- profdiff:heap -->" ;; *) bad "first comment marker" "$(printf '%s' "$body" | head -3)" ;; esac
  cmp -s <(printf '%s\n' "$body" | grep -v '^<!-- profdiff:heap -->$') <(grep -v '^<!-- profdiff:heap -->$' "$a/first/ws/heap/report.md") &&
    ok "first comment: the body is report.md" || bad "first comment body" "differs from report.md"
  check "first comment: status output 0" grep -qx "status=0" "$a/first/output"
  check "first comment: report-dir output" grep -qx "report-dir=heap" "$a/first/output"
  check "first comment: comment-url output" grep -qx "comment-url=https://github.com/o/r/pull/7#issuecomment-999" "$a/first/output"
  check "first comment: report.md in the step summary" cmp -s "$a/first/summary" "$a/first/ws/heap/report.md"
  check "first comment: the report's title" grep -q "Heap of #7" "$a/first/ws/heap/report.md"
  # profdiff writes the marker itself (--comment-id), once, as the last line;
  # the first line is the verdict
  check "first comment: profdiff wrote the marker, once, last" test "$(grep -c 'profdiff:heap' "$a/first/ws/heap/report.md")" = 1 -a \
    "$(tail -1 "$a/first/ws/heap/report.md")" = "<!-- profdiff:heap -->"
  check "first comment: the first line is the verdict" grep -q '^### .* \(PASS\|FAIL\|Grew\|Leak suspect\|A function grew\|No growth\)' <(head -1 "$a/first/ws/heap/report.md")
  check "first comment: no links without link-base" test "$(grep -c '](' "$a/first/ws/heap/report.md")" = 0
  # profdiff's output is fenced off from workflow commands
  tok=$(sed -n 's/^::stop-commands::\([0-9a-f]*\)$/\1/p' "$a/first/stdout")
  [ ${#tok} = 32 ] && grep -qx "::$tok::" "$a/first/stdout" && ok "profdiff's messages run between stop-commands" ||
    bad "stop-commands" "$(head -5 "$a/first/stdout")"

  # 2. an update of its own comment, on the second page, beside another
  # workflow's comment (a different marker) that stays untouched
  # (and a reviewer's reply quoting it, which is theirs: never edited)
  own='[{"id": 150, "body": "> <!-- profdiff:heap -->\r\n> old report\r\n\r\nwhy did this grow?", "user": {"login": "reviewer"}},
        {"id": 103, "body": "<!-- profdiff:heap-cpu -->\nanother job of ours", "user": {"login": "github-actions[bot]"}},
        {"id": 222, "body": "<!-- profdiff:heap -->\nold report", "user": {"login": "github-actions[bot]"}}]'
  act update "$(printf '%s\n%s\n' "$others" "$own")" INPUT_FILES="$(printf '%s\n' "${three[@]}")"
  check "update: exit 0" test "$rc" = 0
  check "update: PATCHes comment 222" grep -qx "api --method PATCH repos/o/r/issues/comments/222 --input .*" "$a/update/gh.log"
  check "update: no POST" test "$(grep -c POST "$a/update/gh.log")" = 0
  check "update: no other comment touched" test "$(grep -c -- '--method' "$a/update/gh.log")" = 1
  jq -e '.body | contains("\n<!-- profdiff:heap -->\n")' "$a/update/body.PATCH.json" >/dev/null &&
    ok "update: the new body carries the marker" || bad "update body" "$(head -c 200 "$a/update/body.PATCH.json")"
  # link-base: the comment links into the published report
  act linked '[]' INPUT_FILES="$(printf '%s\n' "${three[@]}")" INPUT_LINK_BASE=https://o.github.io/r/heap/7
  check "link-base: report.md links the graphs there" grep -qF '](https://o.github.io/r/heap/7/diff.svg)' "$a/linked/ws/heap/report.md"
  # comment-id picks another comment: heap-cpu is comment 103
  act cid "$own" INPUT_FILES="$(printf '%s\n' "${three[@]}")" INPUT_COMMENT_ID=heap-cpu
  check "comment-id: PATCHes its own comment 103" grep -qx "api --method PATCH repos/o/r/issues/comments/103 --input .*" "$a/cid/gh.log"

  # 3. a gate failure: exit 1, status 1, the comment is still written
  act gate '[]' INPUT_BASE="${three[0]}" INPUT_HEAD="${three[2]}" INPUT_FAIL_ON="$(printf 'total>1%%\nfunction>100GB\n')"
  check "gate failure: exit 1" test "$rc" = 1
  check "gate failure: status output 1" grep -qx "status=1" "$a/gate/output"
  check "gate failure: an error annotation" grep -q "^::error title=profdiff::a --fail-on gate failed" "$a/gate/stdout"
  check "gate failure: still comments" grep -q "api --method POST" "$a/gate/gh.log"
  check "gate failure: junit.xml for the artifact" grep -q "<failure" "$a/gate/ws/heap/junit.xml"
  check "gate failure: both gates given" test "$(grep -c '<testcase' "$a/gate/ws/heap/junit.xml")" = 2

  # 4. a fork's read-only token: the write fails, the status is the gate's
  act fork '[]' INPUT_FILES="$(printf '%s\n' "${three[@]}")" GH_FAIL_WRITE=1
  check "fork: exit 0 (the gate's)" test "$rc" = 0
  check "fork: a warning naming the fork case" grep -q "^::warning title=profdiff::could not create the comment.*fork" "$a/fork/stdout"

  # 5. missing and bad inputs: exit 2, one error annotation, no gh call
  for c in "no-files|no profiles" "one-file|at least two profiles" "both|either files or base" \
    "no-head|head: the profile" "bad-id|comment-id" "bad-name|report-name" "bad-pr|pr-number" \
    "bad-comment|comment must be" "no-match|no file matches" "no-report|holds no report.md"; do
    k=${c%%|*} want=${c#*|}
    case $k in
      no-files) act $k '[]' ;;
      one-file) act $k '[]' INPUT_FILES="${three[0]}" ;;
      both) act $k '[]' INPUT_FILES="${three[0]}" INPUT_BASE="${three[1]}" INPUT_HEAD="${three[2]}" ;;
      no-head) act $k '[]' INPUT_BASE="${three[1]}" ;;
      bad-id) act $k '[]' INPUT_FILES="${three[0]}" INPUT_COMMENT_ID='x --> <script>' ;;
      bad-name) act $k '[]' INPUT_FILES="${three[0]}" INPUT_REPORT_NAME='../../etc' ;;
      bad-pr) act $k '[]' INPUT_FILES="${three[0]}" INPUT_PR_NUMBER='7; rm -rf /' ;;
      bad-comment) act $k '[]' INPUT_FILES="${three[0]}" INPUT_COMMENT=yes ;;
      no-match) act $k '[]' INPUT_FILES="$(printf '%s\n' "${three[0]}" "$a/nothing-*.pb.gz")" ;;
      no-report) act $k '[]' INPUT_REPORT_DIR="$a/none" ;;
    esac
    if [ "$rc" = 2 ] && grep -q "^::error title=profdiff::.*$want" "$a/$k/stdout" && [ ! -s "$a/$k/gh.log" ] &&
      grep -qx "status=2" "$a/$k/output"; then
      ok "missing or bad input ($k): exit 2, named, no gh call"
    else
      bad "input $k" "exit $rc; $(head -c 300 "$a/$k/stdout"); gh: $(head -2 "$a/$k/gh.log")"
    fi
  done
  # a bad profile: profdiff's exit 2, no comment
  printf 'not a profile' >"$a/junk.pb.gz"
  act junk '[]' INPUT_FILES="$(printf '%s\n' "${three[0]}" "$a/junk.pb.gz")"
  check "a bad profile: exit 2" test "$rc" = 2
  check "a bad profile: no gh call" test ! -s "$a/junk/gh.log"

  # 6. hostile values stay data: a title, a file name and options are never shell
  hostile="$a/ws/\$(touch PWNED) \`touch PWNED2\`;x.pb.gz"
  cp "${three[1]}" "$hostile"
  act hostile '[]' INPUT_FILES="$(printf '%s\n' "${three[0]}" "$hostile")" INPUT_TITLE='$(touch PWNED3) "; touch PWNED4; "' \
    INPUT_OPTIONS="$(printf -- '--max-rows\n5\n')"
  check "hostile values: exit 0" test "$rc" = 0
  check "hostile values: nothing ran" test -z "$(find "$a" -name 'PWNED*')"
  check "hostile values: the title is the report's" grep -qF '$(touch PWNED3)' "$a/hostile/ws/heap/report.md"

  # 7. the commenting half of a workflow_run split: an existing report, no profdiff
  act split '[]' INPUT_REPORT_DIR="$a/first/ws/heap" PROFDIFF=/nonexistent INPUT_PR_NUMBER=8
  check "split: exit 0" test "$rc" = 0
  check "split: POSTs to pull request 8" grep -qx "api --method POST repos/o/r/issues/8/comments --input .*" "$a/split/gh.log"
  # a report made with another id: the comment carries ours alone, last
  act split2 '[]' INPUT_REPORT_DIR="$a/first/ws/heap" PROFDIFF=/nonexistent INPUT_PR_NUMBER=8 INPUT_COMMENT_ID=heap-fork
  jq -e '.body | endswith("\n<!-- profdiff:heap-fork -->\n") and (contains("profdiff:heap -->") | not)' "$a/split2/body.POST.json" >/dev/null &&
    ok "split: another id's marker replaced by ours" || bad "split marker" "$(jq -r .body "$a/split2/body.POST.json" | grep -n 'profdiff:')"
  # not a pull request, or comment off: no gh call
  act push '[]' INPUT_FILES="$(printf '%s\n' "${three[@]}")" INPUT_PR_NUMBER=
  check "no pull request: exit 0, no gh call" test "$rc" = 0 -a ! -s "$a/push/gh.log"
  act off '[]' INPUT_FILES="$(printf '%s\n' "${three[@]}")" INPUT_COMMENT=false
  check "comment false: no gh call" test "$rc" = 0 -a ! -s "$a/off/gh.log"

  # 8. action.yml: it parses, every run: is free of ${{ }}, every input is
  # handed to the script through env:, third-party actions are pinned
  if python3 -c 'import yaml' 2>/dev/null; then
    python3 - action.yml >"$a/yml.out" 2>&1 <<'PY'
import re, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
steps = d["runs"]["steps"]
assert d["runs"]["using"] == "composite", "not composite"
for s in steps:
    if "run" in s:
        assert "${{" not in s["run"], "a run: holds ${{ }}: " + s.get("name", "?")
        assert s.get("shell") == "bash", "a run: without shell: bash"
    if "uses" in s:
        assert re.match(r"^actions/[a-z-]+@(v\d+|[0-9a-f]{40})$", s["uses"]), "unpinned: " + s["uses"]
report = [s for s in steps if s.get("id") == "report"][0]
env = report["env"]
for name in d["inputs"]:
    if name == "token":
        continue
    key = "INPUT_" + name.upper().replace("-", "_")
    assert key in env and "inputs." + name in env[key], "input not in env: " + name
print("ok")
PY
    [ "$(cat "$a/yml.out")" = ok ] && ok "action.yml: parses, no \${{ }} in run:, inputs through env:, actions pinned" ||
      bad "action.yml" "$(tail -3 "$a/yml.out")"
  else
    skip "action.yml" "python3 yaml missing"
  fi
fi
