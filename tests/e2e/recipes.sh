# recipes.sh: docs/ci.md's recipes run as written. Every fenced block of
# docs/ci.md is byte for byte a file of docs/ci/ (or the gate grammar that
# profdiff prints). In a git repository whose two commits hold a stand-in
# load test: the GitHub workflows run step by step (tests/recipes.py: run:
# steps in bash, the action through scripts/action.sh, artifacts stood in
# for), the GitLab job's script as GitLab's runner runs it, the Jenkinsfile
# compiled by Groovy and run with the steps it uses (tests/jenkins.groovy);
# apt-get, curl (the release download, the GitLab notes API) and gh are
# stand-ins (tests/standin/). docs/collect.md's Pyroscope and Parca loops run
# with stand-ins that accept what profilecli 2.2.1 and Parca 0.28.0 accept.
# A hostile title or branch name must stay data. Shell, YAML and Groovy, not
# the binary: once per suite, in the first plain pass.
if [ -n "${PD_WRAP:-}" ]; then
  skip "recipes" "not under valgrind"
elif [ "$pd_second" = 1 ]; then
  skip "recipes" "once per suite, in the first plain pass"
elif ! python3 -c 'import yaml' 2>/dev/null; then
  skip "recipes" "python3-yaml is missing (tests/deps.sh)"
else
  R=$(realpath -m "$TMP/recipes")
  repo=$(pwd)
  rm -rf "$R"
  mkdir -p "$R/bin"
  cp tests/standin/gh tests/standin/curl tests/standin/apt-get tests/standin/profilecli "$R/bin/"
  ln -s "$PD" "$R/bin/profdiff"
  # tally < LINES: recipes.py's check lines counted as ok/bad
  tally() {
    local k n w
    while IFS=$'\t' read -r k n w; do
      case "$k" in ok) ok "$n" ;; bad) bad "$n" "$w" ;; esac
    done
  }
  snaps=$(realpath samples/leak/snapshots)
  mapfile -t all < <(ls "$snaps"/heap-*.pb.gz)

  # 1. every block of docs/ci.md is a file of docs/ci/, or the grammar
  run report --fail-on bogus -o "$R/none" "${all[0]}" "${all[1]}"
  tail -n +2 "$err" | sed '1s/^gate grammar: //' >"$R/grammar"
  tally < <(python3 tests/recipes.py blocks docs/ci.md docs/ci "$R/grammar")

  # a project with two commits: the base's load test writes heap 0, the
  # pull request's the last heap of the series; --ref REF writes REF's
  w=$R/project
  mkdir -p "$w/scripts"
  cat >"$w/scripts/loadtest.sh" <<'LOAD'
#!/bin/sh
# a stand-in load test: this commit's heap profile, or --ref REF's
[ "$1" = --heap-profile ] && [ -n "$2" ] || { echo "loadtest: usage" >&2; exit 3; }
if [ "${3:-}" = --ref ]; then
  [ -n "${4:-}" ] || { echo "loadtest: --ref is empty" >&2; exit 3; }
  git show "$4:profile.pb.gz" >"$2"
else
  cp profile.pb.gz "$2"
fi
LOAD
  chmod +x "$w/scripts/loadtest.sh"
  g() { git -C "$w" -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
  cp "${all[0]}" "$w/profile.pb.gz"
  g init && g add -A && g commit -m base
  base=$(git -C "$w" rev-parse HEAD)
  g update-ref refs/remotes/origin/main "$base"
  cp "${all[${#all[@]}-1]}" "$w/profile.pb.gz"
  g commit -am head
  head=$(git -C "$w" rev-parse HEAD)
  # what profdiff itself says of the two, for the recipes' gates
  run report -o "$R/expected" --fail-on 'total>10%' --fail-on 'function>20MB' --base "${all[0]}" "${all[${#all[@]}-1]}"
  want=$rc
  check "the project's two heaps give a verdict (exit 0 or 1)" test "$want" -le 1
  hostile='$(touch PWNED) `touch PWNED2`'

  # github WORKFLOW EVENT-JSON CASE [DIR]: runs the workflow in DIR (default
  # the project at head), leaves $R/CASE/{log,gh.log} and $conclusion
  github() {
    local c=$R/$3
    mkdir -p "$c"
    printf '%s\n' "$2" >"$c/event.json"
    printf '[]\n' >"$c/comments.json"
    : >"$c/gh.log"
    g checkout -q "$head"
    (cd "${4:-$w}" && env -i PATH="$R/bin:/usr/bin:/bin" HOME="$R" PD_REPO="$repo" PROFDIFF="$PD" \
      GH_LOG="$c/gh.log" GH_DIR="$c" python3 "$repo/tests/recipes.py" github "$repo/docs/ci/$1" "$c/event.json" "$R/gh-work" \
      </dev/null >"$c/log" 2>&1)
    tally <"$c/log"
    conclusion=$(sed -n 's/^conclusion\t//p' "$c/log")
  }
  verdict() { [ "$want" = 0 ] && echo success || echo failure; }

  # 2. GitHub: the pull request job comments with its marker and has the
  # gate's conclusion; a hostile title stays data
  pr="{\"pull_request\": {\"number\": 7, \"title\": $(jq -Rn --arg t "$hostile" '$t'), \"base\": {\"sha\": \"$base\"}, \"head\": {\"sha\": \"$head\"}}}"
  github github-workflow.yml "$pr" gh-pr
  check "github-workflow.yml: the job's conclusion is the gate's" test "$conclusion" = "$(verdict)"
  check "github-workflow.yml: the action's status is profdiff's" grep -qx "action-status	$want" "$R/gh-pr/log"
  check "github-workflow.yml: comments on pull request 7" grep -qx "api --method POST repos/o/r/issues/7/comments --input .*" "$R/gh-pr/gh.log"
  jq -e '.body | contains("<!-- profdiff:heap -->")' "$R/gh-pr/body.POST.json" >/dev/null 2>&1 &&
    ok "github-workflow.yml: the comment carries <!-- profdiff:heap -->" || bad "github-workflow.yml marker" "$(head -c 200 "$R/gh-pr/body.POST.json")"
  check "github-workflow.yml: the report artifact" test -s "$R/gh-work/artifacts/heap-report/report.md"
  check "github-workflow.yml: the hostile title ran nothing" test -z "$(find "$R" -name 'PWNED*')"
  grep -qF -- '$(touch PWNED)' "$R/gh-work/artifacts/heap-report/report.md" && ok "github-workflow.yml: the title is the report's" ||
    bad "github-workflow.yml title" "not in report.md"
  check "github-workflow.yml: base and head were measured at their commits" \
    cmp -s "${all[0]}" "$R/gh-work/runner-temp/before.pb.gz"

  # 3. the fork split: the pull_request half comments nothing and uploads
  # the report and the number; the workflow_run half posts it
  rm -rf "$R/gh-work"
  github github-fork-report.yml "${pr/'"number": 7'/'"number": 8'}" fork-report
  check "github-fork-report.yml: the gate's conclusion" test "$conclusion" = "$(verdict)"
  check "github-fork-report.yml: the action's status is profdiff's" grep -qx "action-status	$want" "$R/fork-report/log"
  check "github-fork-report.yml: no gh call (a fork's token is read-only)" test ! -s "$R/fork-report/gh.log"
  check "github-fork-report.yml: the number's artifact" test "$(cat "$R/gh-work/artifacts/pr/number" 2>/dev/null)" = 8
  check "github-fork-report.yml: the report's artifact" test -s "$R/gh-work/artifacts/heap-report/report.md"
  named=$(python3 -c 'import sys, yaml; a = yaml.safe_load(open(sys.argv[1])); b = yaml.safe_load(open(sys.argv[2]))
print(b[True]["workflow_run"]["workflows"] == [a["name"]] and "pull-requests" not in a["permissions"])' \
    docs/ci/github-fork-report.yml docs/ci/github-fork-comment.yml)
  check "github-fork-comment.yml runs after github-fork-report.yml, which cannot write" test "$named" = True
  mkdir -p "$R/empty"
  run_event='{"workflow_run": {"id": 4242, "event": "pull_request"}}'
  github github-fork-comment.yml "$run_event" fork-comment "$R/empty"
  check "github-fork-comment.yml: success" test "$conclusion" = success
  check "github-fork-comment.yml: comments on pull request 8" grep -qx "api --method POST repos/o/r/issues/8/comments --input .*" "$R/fork-comment/gh.log"
  jq -e '.body | contains("<!-- profdiff:heap -->")' "$R/fork-comment/body.POST.json" >/dev/null 2>&1 &&
    ok "github-fork-comment.yml: the comment carries the marker" || bad "github-fork-comment.yml marker" "$(head -c 200 "$R/fork-comment/body.POST.json")"
  printf '8; touch PWNED3\n' >"$R/gh-work/artifacts/pr/number"
  rm -rf "$R/empty" && mkdir -p "$R/empty"
  github github-fork-comment.yml "$run_event" fork-hostile "$R/empty"
  check "github-fork-comment.yml: a number that is not digits fails, no comment" test "$conclusion" = failure -a ! -s "$R/fork-hostile/gh.log"
  github github-fork-comment.yml '{"workflow_run": {"id": 4242, "event": "push"}}' fork-push "$R/empty"
  check "github-fork-comment.yml: a push's run is skipped" test "$conclusion" = skipped

  # 4. GitLab: the job's script as the runner runs it, in the project at
  # head, with the merge request's variables; the package and the note
  # script at this checkout's paths
  python3 tests/recipes.py gitlab docs/ci/gitlab-ci.yml heap-regression "$R/gitlab.sh" >"$R/gitlab.checks"
  tally <"$R/gitlab.checks"
  junit=$(sed -n 's/^junit\t//p' "$R/gitlab.checks")
  sed -i -e "s|/usr/share/profdiff/gitlab-note.sh|$repo/docs/ci/gitlab-note.sh|g" -e "s|/tmp/profdiff.deb|$R/profdiff.deb|g" "$R/gitlab.sh"
  # gitlab CASE [VAR=VALUE...]: leaves $rc, $R/CASE/{out,curl.log,apt.log}
  gitlab() {
    local c=$R/$1
    shift
    mkdir -p "$c"
    : >"$c/curl.log"
    : >"$c/apt.log"
    rm -rf "$w/heap-report" "$R/profdiff.deb"
    g checkout -q "$head"
    (cd "$w" && env -i PATH="$R/bin:/usr/bin:/bin" HOME="$R" CURL_LOG="$c/curl.log" CURL_DIR="$c" APT_LOG="$c/apt.log" \
      CURL_TOKEN=glpat-stand-in PROFDIFF_GITLAB_TOKEN=glpat-stand-in CI_PIPELINE_SOURCE=merge_request_event \
      CI_API_V4_URL=https://gitlab.example.com/api/v4 CI_PROJECT_ID=12 CI_MERGE_REQUEST_IID=34 \
      CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" CI_MERGE_REQUEST_TITLE="$hostile" CI_JOB_URL=https://gitlab.example.com/o/r/-/jobs/5 \
      "$@" bash "$R/gitlab.sh" </dev/null >"$c/out" 2>&1)
    rc=$?
    cp -r "$w/heap-report" "$c/" 2>/dev/null
  }
  notes=https://gitlab.example.com/api/v4/projects/12/merge_requests/34/notes
  # the first note: a full first page of other notes, another job's marker on page 2
  mkdir -p "$R/gl-first"
  jq -n '[range(1; 101) | {id: ., body: "note \(.)", system: false}]' >"$R/gl-first/notes.1.json"
  printf '[{"id": 201, "body": "<!-- profdiff:heap-cpu -->\\nthe CPU job", "system": false}]\n' >"$R/gl-first/notes.2.json"
  gitlab gl-first
  check "gitlab-ci.yml: the job's status is the gate's" test "$rc" = "$want"
  check "gitlab-ci.yml: downloads the release" grep -qx "GET https://github.com/YOUR-ORG/profdiff/releases/download/v0.1.0/profdiff_0.1.0-1_amd64.deb auth no" "$R/gl-first/curl.log"
  check "gitlab-ci.yml: installs the package it downloaded" grep -qx -- "install -y -qq $R/profdiff.deb" "$R/gl-first/apt.log"
  check "gitlab-ci.yml: reads both pages of notes" test "$(grep -c "^GET $notes?.*page=[12] auth ok\$" "$R/gl-first/curl.log")" = 2
  check "gitlab-ci.yml: creates a note (POST)" grep -qx "POST $notes auth ok" "$R/gl-first/curl.log"
  check "gitlab-ci.yml: no note updated" test "$(grep -c '^PUT' "$R/gl-first/curl.log")" = 0
  jq -e '.body | endswith("\n<!-- profdiff:heap -->\n") and (split("profdiff:") | length) == 2' "$R/gl-first/body.POST.json" >/dev/null 2>&1 &&
    ok "gitlab-ci.yml: the note carries <!-- profdiff:heap -->" || bad "gitlab note marker" "$(head -c 200 "$R/gl-first/body.POST.json")"
  check "gitlab-ci.yml: the token is never on curl's command line" test "$(grep -c glpat "$R/gl-first/curl.log.argv")" = 0
  if [ -n "$junit" ] && [ -s "$R/gl-first/$junit" ] && xmllint --noout "$R/gl-first/$junit" 2>/dev/null &&
    [ "$(grep -c '<testcase' "$R/gl-first/$junit")" = 2 ]; then
    ok "gitlab-ci.yml: $junit, well-formed, a test case per gate"
  else
    bad "gitlab-ci.yml junit" "${junit:-no reports:junit}: $(head -c 200 "$R/gl-first/$junit" 2>&1)"
  fi
  grep -qF -- '$(touch PWNED)' "$R/gl-first/heap-report/report.md" && [ -z "$(find "$R" "$w" -name 'PWNED*')" ] &&
    ok "gitlab-ci.yml: the merge request's title is data" || bad "gitlab-ci.yml title" "ran or missing"
  # the update: our note (the first non-system one with the marker) is PUT
  mkdir -p "$R/gl-update"
  printf '[{"id": 301, "body": "<!-- profdiff:heap --> added the marker", "system": true},
    {"id": 299, "body": "> <!-- profdiff:heap -->\\n> old report\\n\\nwhy?", "system": false},
    {"id": 302, "body": "<!-- profdiff:heap-cpu -->", "system": false},
    {"id": 303, "body": "<!-- profdiff:heap -->\\nold report", "system": false}]\n' >"$R/gl-update/notes.1.json"
  gitlab gl-update
  check "gitlab-ci.yml: updates its own note (PUT notes/303)" grep -qx "PUT $notes/303 auth ok" "$R/gl-update/curl.log"
  check "gitlab-ci.yml: no new note" test "$(grep -c '^POST' "$R/gl-update/curl.log")" = 0
  # no token, or a token that cannot write: a warning, the gate's status
  gitlab gl-notoken PROFDIFF_GITLAB_TOKEN=
  check "gitlab-ci.yml without a token: the gate's status" test "$rc" = "$want"
  check "gitlab-ci.yml without a token: a warning, no API call" grep -q "warning: PROFDIFF_GITLAB_TOKEN is not set" "$R/gl-notoken/out"
  check "gitlab-ci.yml without a token: no API call" test "$(grep -c /notes "$R/gl-notoken/curl.log")" = 0
  gitlab gl-403 CURL_FAIL_WRITE=1
  check "gitlab-ci.yml, a token without api scope: the gate's status" test "$rc" = "$want"
  check "gitlab-ci.yml, a token without api scope: a warning" grep -q "warning: could not create the note.*403" "$R/gl-403/out"
  # the note script's own errors
  note=docs/ci/gitlab-note.sh
  env -i PATH="$R/bin:/usr/bin:/bin" bash $note "$R/none" >"$R/note.out" 2>&1
  check "gitlab-note.sh: a directory without report.md is exit 2" test $? = 2
  env -i PATH="$R/bin:/usr/bin:/bin" bash $note --id 'x -->' "$R/gl-first/heap-report" >"$R/note.out" 2>&1
  check "gitlab-note.sh: a bad --id is exit 2" test $? = 2
  env -i PATH="$R/bin:/usr/bin:/bin" CURL_LOG="$R/note.curl" bash $note "$R/gl-first/heap-report" >"$R/note.out" 2>&1
  [ $? = 0 ] && grep -q "not a merge-request pipeline" "$R/note.out" && [ ! -e "$R/note.curl" ] &&
    ok "gitlab-note.sh outside a merge request: exit 0, says so, no call" || bad "gitlab-note.sh outside a merge request" "$(cat "$R/note.out")"

  # 5. Jenkins: the Jenkinsfile compiled by Groovy and run with the steps it
  # uses (tests/jenkins.groovy), on a change request with a hostile title
  if ! command -v groovy >/dev/null || ! command -v java >/dev/null; then
    skip "Jenkinsfile" "groovy is missing (tests/deps.sh)"
  else
    jh=${JAVA_HOME:-/usr/lib/jvm/default-java}
    [ -x "$jh/bin/java" ] || jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    sed "s|/tmp/profdiff.deb|$R/profdiff.deb|g" docs/ci/Jenkinsfile >"$R/Jenkinsfile"
    # and the same with a base that does not exist: profdiff's exit 2
    sed "s|--base before.pb.gz|--base missing.pb.gz|" "$R/Jenkinsfile" >"$R/Jenkinsfile.error"
    rm -rf "$w/heap-report" "$R/profdiff.deb"
    g checkout -q "$head"
    (cd "$w" && env -i PATH="$R/bin:/usr/bin:/bin" HOME="$R" JAVA_HOME="$jh" CURL_LOG="$R/j.curl" APT_LOG="$R/j.apt" \
      CHANGE_TARGET=main CHANGE_TITLE="$hostile" BRANCH_NAME=PR-7 groovy "$repo/tests/jenkins.groovy" \
      "$R/Jenkinsfile" "$R/jenkins.log" "$R/Jenkinsfile.error" "$R/jenkins2.log" </dev/null >"$R/jenkins.all" 2>&1)
    awk -v a="$R/jenkins.out" -v b="$R/jenkins2.out" '/^pipeline\t/ { n++ } { print > (n <= 1 ? a : b) }' "$R/jenkins.all"
    tally <"$R/jenkins.out"
    result=$(sed -n 's/^result\t//p' "$R/jenkins.out")
    [ "$want" = 0 ] && jwant=SUCCESS || jwant=UNSTABLE
    check "Jenkinsfile: the build is $jwant, as the gates say (junit)" test "$result" = "$jwant"
    check "Jenkinsfile: junit reads heap-report/junit.xml" grep -q "^junit	heap-report/junit.xml	" "$R/jenkins.out"
    check "Jenkinsfile: the report is archived" grep -qx "archive	heap-report/\*\*" "$R/jenkins.out"
    check "Jenkinsfile: installs the package it downloaded" grep -qx -- "install -y -qq $R/profdiff.deb" "$R/j.apt"
    check "Jenkinsfile: the base was measured at origin/main" cmp -s "${all[0]}" "$w/before.pb.gz"
    [ -s "$w/heap-report/junit.xml" ] && xmllint --noout "$w/heap-report/junit.xml" 2>/dev/null &&
      [ "$(grep -c '<failure' "$w/heap-report/junit.xml")" = "$(grep -c '<failure' "$R/expected/junit.xml")" ] &&
      ok "Jenkinsfile: heap-report/junit.xml holds the gates' verdicts" || bad "Jenkinsfile junit" "$(tail -3 "$R/jenkins.log")"
    grep -qF -- '$(touch PWNED)' "$w/heap-report/report.md" && [ -z "$(find "$R" "$w" -name 'PWNED*')" ] &&
      ok "Jenkinsfile: the change's title is data" || bad "Jenkinsfile title" "ran or missing"
    check "Jenkinsfile: profdiff's exit 2 fails the build" grep -qx "result	FAILURE" "$R/jenkins2.out"
    check "Jenkinsfile: ... after post's steps" grep -q "^archive" "$R/jenkins2.out"
  fi

  # 6. docs/collect.md: an hour's merged profile per file, named by its UTC
  # start, from Pyroscope's profilecli and from Parca's API
  for k in profilecli api/profiles/query; do
    c=$R/collect-${k%%/*}
    mkdir -p "$c"
    tally < <(python3 tests/recipes.py block docs/collect.md "$k" "$c/loop.sh")
    (cd "$c" && env -i PATH="$R/bin:/usr/bin:/bin" PROFILECLI_PPROF="${all[3]}" CURL_PPROF="${all[3]}" \
      CURL_LOG="$c/curl.log" CURL_DIR="$c" bash -e loop.sh </dev/null >"$c/out" 2>&1)
    n=$(ls "$c"/heap-2026-12-02T0[0-5]:00:00Z.pb.gz 2>/dev/null | wc -l)
    if [ "$n" = 6 ] && cmp -s "${all[3]}" "$c/heap-2026-12-02T05:00:00Z.pb.gz"; then
      ok "collect.md, $k: six hourly profiles, named by their UTC start"
    else
      bad "collect.md, $k" "$n files; $(head -c 300 "$c/out")"
    fi
  done
fi
