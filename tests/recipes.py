"""tests/recipes.py: runs docs/ci.md's recipes as their CI systems would, for
tests/e2e/recipes.sh. Each subcommand prints check lines, "ok<TAB>NAME" or
"bad<TAB>NAME<TAB>WHY", which recipes.sh counts.

  blocks DOC DIR GRAMMAR  every fenced block of DOC is byte for byte a file of
                          DIR, or the gate grammar profdiff prints (GRAMMAR)
  github WORKFLOW EVENT WORK   runs a GitHub workflow's job in the current
                          directory: run: steps in bash with their env:, the
                          profdiff action as action.yml runs scripts/action.sh,
                          checkout, upload- and download-artifact stood in for
                          (artifacts in WORK/artifacts); expressions are
                          evaluated from EVENT (JSON) and a runner context,
                          an unknown one is a failure
  gitlab FILE JOB OUT     writes JOB's script as GitLab's runner runs it (one
                          bash, set -eo pipefail, the job's variables) to OUT
  block DOC WORD OUT      writes DOC's first fenced block that holds WORD to OUT

Only the subset of each system that the recipes use is understood, and
anything outside it is reported as a failure, so a recipe cannot drift into
what the test does not run. Needs python3-yaml (tests/deps.sh).
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import yaml


def ok(name):
    print("ok\t" + name, flush=True)


def bad(name, why):
    print("bad\t%s\t%s" % (name, " ".join(str(why).split())[:400]), flush=True)


# --- docs/ci.md's fenced blocks ------------------------------------------

def blocks(doc, folder, grammar):
    text = open(doc, encoding="utf-8").read()
    found = re.findall(r"^```[a-z]*\n(.*?)^```$", text, re.S | re.M)
    files = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            files[name] = open(path, encoding="utf-8").read()
    gram = open(grammar, encoding="utf-8").read()
    used = set()
    for i, b in enumerate(found, 1):
        first = b.split("\n", 1)[0][:50]
        match = [n for n, t in files.items() if t == b]
        if match:
            used.update(match)
            ok("docs/ci.md block %d is docs/ci/%s byte for byte" % (i, match[0]))
        elif b == gram:
            ok("docs/ci.md block %d is the gate grammar profdiff prints" % i)
        else:
            near = [n for n, t in files.items() if t.split("\n", 1)[0] == b.split("\n", 1)[0]]
            bad("docs/ci.md block %d (%s)" % (i, first),
                "differs from docs/ci/%s" % near[0] if near else "is neither a docs/ci/ file nor the gate grammar")
    if not found:
        bad("docs/ci.md blocks", "none found")


def block(doc, word, out):
    text = open(doc, encoding="utf-8").read()
    for b in re.findall(r"^```[a-z]*\n(.*?)^```$", text, re.S | re.M):
        if word in b:
            open(out, "w").write(b)
            ok("%s: a block with %s" % (os.path.basename(doc), word))
            return
    bad("%s: a block with %s" % (os.path.basename(doc), word), "none")


# --- GitHub Actions --------------------------------------------------------

class Unknown(Exception):
    pass


def lookup(ctx, path):
    v = ctx
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            raise Unknown(path)
        v = v[part]
    return v


def evaluate(expr, ctx):
    """The expressions the recipes use: a context path, 'A || B', 'A == "s"',
    always()."""
    expr = expr.strip()
    if expr == "always()":
        return True
    m = re.fullmatch(r"(.+?)\s*==\s*'([^']*)'", expr)
    if m:
        return str(evaluate(m.group(1), ctx)) == m.group(2)
    if "||" in expr:
        for part in expr.split("||"):
            v = evaluate(part, ctx)
            if v not in ("", None, False):
                return v
        return ""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", expr):
        return lookup(ctx, expr)
    raise Unknown(expr)


def interpolate(value, ctx):
    """A with: or env: value as the runner hands it over: a string (YAML's
    false is "false"), its ${{ }} replaced."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return str(value)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), ctx)), value)


def condition(cond, ctx, failed):
    if cond is None:
        return not failed
    cond = str(cond)
    m = re.fullmatch(r"\s*\$\{\{(.*)\}\}\s*", cond)
    if m:
        cond = m.group(1)
    if "always()" in cond:
        return True
    return not failed and bool(evaluate(cond, ctx))


def outputs_of(path):
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                out[k] = v
    return out


def github(workflow, event_file, work):
    wf = yaml.safe_load(open(workflow, encoding="utf-8"))
    event = json.load(open(event_file, encoding="utf-8"))
    name = os.path.basename(workflow)
    arts = os.path.join(work, "artifacts")
    temp = os.path.join(work, "runner-temp")
    os.makedirs(arts, exist_ok=True)
    os.makedirs(temp, exist_ok=True)
    ctx = {"github": {"event": event, "token": "stand-in-token", "repository": "o/r",
                      "event_name": event.get("_event_name", "")},
           "runner": {"temp": temp}, "steps": {}}
    jobs = wf.get("jobs", {})
    if len(jobs) != 1:
        bad(name, "one job expected, found %d" % len(jobs))
        return
    job = list(jobs.values())[0]
    try:
        if "if" in job and not condition(job["if"], ctx, False):
            ok("%s: the job's if: skips this event" % name)
            print("conclusion\tskipped")
            return
    except Unknown as e:
        bad(name, "unknown expression %s" % e)
        return
    failed = False
    base_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", work), "RUNNER_TEMP": temp,
                "GITHUB_REPOSITORY": "o/r", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "42",
                "GITHUB_STEP_SUMMARY": os.path.join(work, "summary.md")}
    for k in ("PROFDIFF", "GH_LOG", "GH_DIR", "LANG", "LC_ALL"):
        if k in os.environ:
            base_env[k] = os.environ[k]
    for i, step in enumerate(job.get("steps", []), 1):
        label = "%s step %d (%s)" % (name, i, step.get("name") or step.get("uses") or "run")
        try:
            if not condition(step.get("if"), ctx, failed):
                continue
            env = dict(base_env)
            env.update({k: str(interpolate(v, ctx)) for k, v in (step.get("env") or {}).items()})
            with_ = {k: str(interpolate(v, ctx)) for k, v in (step.get("with") or {}).items()}
        except Unknown as e:
            bad(label, "unknown expression %s" % e)
            failed = True
            continue
        out_file = os.path.join(work, "output.%d" % i)
        open(out_file, "w").close()
        env["GITHUB_OUTPUT"] = out_file
        uses = step.get("uses", "")
        rc = 0
        if "run" in step:
            if "${{" in step["run"]:
                bad(label, "run: holds ${{ }}: an expression in a script is script injection")
            script = os.path.join(work, "step.%d.sh" % i)
            open(script, "w").write(step["run"])
            # the runner's default shell on Linux: bash -e {0}
            shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") == "bash" else ["bash", "-e"]
            rc = subprocess.call(shell + [script], env=env)
        elif uses.startswith("actions/checkout@"):
            pass  # the workspace is the checkout
        elif uses.startswith("actions/upload-artifact@"):
            src = with_["path"].rstrip("/")
            if os.path.exists(src):
                shutil.copytree(src, os.path.join(arts, with_["name"]), dirs_exist_ok=True)
            else:
                rc = 1
        elif uses.startswith("actions/download-artifact@"):
            want = str(lookup(ctx, "github.event.workflow_run.id"))
            if with_.get("run-id") != want or not with_.get("github-token"):
                bad(label, "run-id must be the workflow_run's (%s) and github-token set" % want)
            src = os.path.join(arts, with_["name"])
            if os.path.isdir(src):
                shutil.copytree(src, with_.get("path", "."), dirs_exist_ok=True)
            else:
                rc = 1
        elif re.fullmatch(r"[A-Za-z0-9-]+/profdiff@[A-Za-z0-9-]+", uses):
            rc = action(label, with_, env, ctx, arts)
        else:
            bad(label, "uses %s: not a step this test can run" % uses)
            rc = 1
        ctx["steps"][step.get("id") or "_%d" % i] = {"outputs": outputs_of(out_file)}
        if rc != 0:
            failed = True
            print("failed\t%s\t%d" % (label, rc), flush=True)
    print("conclusion\t" + ("failure" if failed else "success"), flush=True)


def action(label, with_, env, ctx, arts):
    """The profdiff action as action.yml runs it: its inputs as INPUT_*, the
    script, the report uploaded, the step failing with the gate's status."""
    meta = yaml.safe_load(open("%s/action.yml" % os.environ["PD_REPO"], encoding="utf-8"))
    for k in with_:
        if k not in meta["inputs"]:
            bad(label, "with: %s is not an input of action.yml" % k)
    e = dict(env)
    for k, spec in meta["inputs"].items():
        v = with_.get(k, spec.get("default", ""))
        if isinstance(v, str) and "${{" in v:
            v = ""
        e["INPUT_" + k.upper().replace("-", "_")] = str(v)
    if not e["INPUT_PR_NUMBER"]:
        e["INPUT_PR_NUMBER"] = str(ctx["github"]["event"].get("pull_request", {}).get("number", ""))
    e["GH_TOKEN"] = "stand-in-token"
    if e["INPUT_REPORT_DIR"] or e["INPUT_PACKAGE"]:
        e.pop("PROFDIFF", None)
    subprocess.call(["bash", "%s/scripts/action.sh" % os.environ["PD_REPO"]], env=e)
    out = outputs_of(e["GITHUB_OUTPUT"])
    if not e["INPUT_REPORT_DIR"] and out.get("report-dir"):
        shutil.copytree(out["report-dir"], os.path.join(arts, e["INPUT_REPORT_NAME"]), dirs_exist_ok=True)
    print("action-status\t%s" % out.get("status", ""), flush=True)
    return int(out.get("status") or 2)


# --- GitLab CI -------------------------------------------------------------

def gitlab(file, job_name, out):
    d = yaml.safe_load(open(file, encoding="utf-8"))
    job = d.get(job_name)
    if not isinstance(job, dict):
        bad("gitlab-ci.yml", "no job %s" % job_name)
        return
    rules = job.get("rules") or []
    if any('$CI_PIPELINE_SOURCE == "merge_request_event"' in str(r.get("if", "")) for r in rules):
        ok("gitlab-ci.yml: rules: merge-request pipelines only")
    else:
        bad("gitlab-ci.yml rules", "no if: $CI_PIPELINE_SOURCE == \"merge_request_event\"")
    art = job.get("artifacts") or {}
    junit = ((art.get("reports") or {}).get("junit"))
    if art.get("when") == "always" and junit:
        ok("gitlab-ci.yml: artifacts:reports:junit, when: always")
        print("junit\t%s" % junit)
    else:
        bad("gitlab-ci.yml artifacts", "artifacts:reports:junit with when: always expected")
    lines = ["set -eo pipefail"]
    for k, v in (job.get("variables") or {}).items():
        lines.append("export %s=%s" % (k, shlex.quote(str(v))))
    for cmd in job.get("script") or []:
        if not isinstance(cmd, str):
            bad("gitlab-ci.yml script", "a script line is not a string: %r" % (cmd,))
            continue
        lines.append(cmd)
    open(out, "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"blocks": blocks, "block": block, "github": github, "gitlab": gitlab}[cmd](*args)
