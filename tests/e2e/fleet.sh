# fleet.sh: the fleet recipe of docs/fleet.md. A small fleet (3 days x 3
# hosts x 2 dumps, made from the leak sample's snapshots scaled per host) goes
# through docs/fleet/local.sh (map and reduce with xargs -P), and each day's
# result must equal one single-process merge of all that day's dumps; then
# the Kubernetes Jobs and the Argo DAG of docs/fleet/*.yaml are parsed and
# their commands run, pod by pod, against a stand-in for S3, and must give
# the same files.
F=$PWD/$TMP/fleet
mkdir -p "$F/bin"
if [ -n "${PD_WRAP:-}" ]; then
  skip "fleet" "under valgrind (merge's memory is checked by merge.sh)"
else
  leak=(samples/leak/snapshots/*.pb.gz)
  for d in 0 1 2; do
    day=2026-11-2$((d + 2))
    for h in 0 1 2; do
      mkdir -p "$F/in/$day/host-$h"
      for k in 0 1; do
        "$PD" merge -o "$F/in/$day/host-$h/heap-$k.pb.gz" --scale "1.$h" "${leak[$((d * 9 + k * 3 + h))]}"
      done
    done
  done
  PROFDIFF=$PD JOBS=2 NO_PARALLEL=1 sh docs/fleet/local.sh "$F/in" "$F/work" "$F/report" >"$F/local.out" 2>&1
  check "fleet: local.sh with xargs -P runs" [ $? = 0 ] && [ -s "$F/report/report.json" ]
  check "fleet: one map output per host and day" [ "$(ls "$F"/work/map/*/*.pb.gz | wc -l)" = 9 ]
  for day in 2026-11-22 2026-11-23 2026-11-24; do
    "$PD" merge -o "$F/single-$day.pb.gz" "$F/in/$day"/*/*.pb.gz
    for i in 0 1 2 3; do
      "$PD" fold --sample-index $i "$F/single-$day.pb.gz" | LC_ALL=C sort >"$F/a"
      "$PD" fold --sample-index $i "$F/work/days/$day.pb.gz" | LC_ALL=C sort >"$F/b"
      cmp -s "$F/a" "$F/b" || break
    done
    same "fleet: map/reduce of $day = one merge of its dumps (sample type $i)" "$F/a" "$F/b"
  done
  mkdir -p "$F/single"
  for day in 2026-11-22 2026-11-23 2026-11-24; do cp "$F/single-$day.pb.gz" "$F/single/$day.pb.gz"; done
  "$PD" report -o "$F/report-single" "$F"/single/*.pb.gz >/dev/null 2>&1
  jq -S 'del(.generated, .inputs, .snapshots[]?.path, .snapshots[]?.file)' "$F/report-single/report.json" >"$F/a" 2>/dev/null
  jq -S 'del(.generated, .inputs, .snapshots[]?.path, .snapshots[]?.file)' "$F/report/report.json" >"$F/b" 2>/dev/null
  same "fleet: the report over the days = the report over single merges" "$F/a" "$F/b"

  # a stand-in for the AWS CLI: s3://BUCKET/KEY is the file $FAKE_S3/BUCKET/KEY
  cat >"$F/bin/aws" <<'STUB'
#!/bin/sh
set -eu
loc() { case $1 in s3://*) echo "$FAKE_S3/${1#s3://}" ;; *) echo "$1" ;; esac; }
[ "$1" = s3 ] || exit 2
case $2 in
cp) d=$(loc "$4"); mkdir -p "$(dirname "$d")"; cp "$(loc "$3")" "$d" ;;
sync) s=$(loc "$3") d=$(loc "$4"); mkdir -p "$d"; [ -d "$s" ] && cp -R "$s"/. "$d"/ ;;
ls) [ "$3" = --recursive ] || exit 2; u=${4#s3://}; b=${u%%/*}
    (cd "$FAKE_S3/$b" && find "${u#*/}" -type f) | sed 's/^/2026-11-25 00:00:00 100 /' ;;
*) exit 2 ;;
esac
STUB
  chmod +x "$F/bin/aws"
  # the YAML's commands, with the image's /opt/profdiff/fleet read as docs/fleet
  if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$F" <<'PY'
import sys, yaml, os
out = sys.argv[1]
jobs = list(yaml.safe_load_all(open("docs/fleet/k8s-indexed-job.yaml")))
assert [j["kind"] for j in jobs] == ["Job"] * 4, "four Jobs"
by = {j["metadata"]["name"]: j for j in jobs}
assert by["fleet-map"]["spec"]["completionMode"] == "Indexed"
assert by["fleet-reduce"]["spec"]["completionMode"] == "Indexed"
def cmd(job):
    c = by[job]["spec"]["template"]["spec"]["containers"][0]["command"]
    return c
with open(os.path.join(out, "k8s.cmds"), "w") as f:
    for name in ["fleet-plan", "fleet-map", "fleet-reduce", "fleet-report"]:
        c = cmd(name)
        script = c[2] if c[:2] == ["/bin/sh", "-c"] else " ".join(c)
        f.write(name + "\t" + script.replace("\n", "\x1f") + "\n")
wf = yaml.safe_load(open("docs/fleet/argo-dag.yaml"))
assert wf["kind"] == "Workflow"
t = {x["name"]: x for x in wf["spec"]["templates"]}
dag = {x["name"]: x for x in t["fleet"]["dag"]["tasks"]}
assert dag["map"]["depends"] == "plan" and dag["reduce"]["depends"] == "map" and dag["report"]["depends"] == "reduce"
with open(os.path.join(out, "argo.cmds"), "w") as f:
    for name in ["plan", "map", "reduce", "report"]:
        f.write(name + "\t" + t[name]["script"]["source"].replace("\n", "\x1f") + "\n")
PY
    check "fleet: the Kubernetes and Argo YAML parse (python3 yaml) and have the shape fleet.md says" [ $? = 0 ]
  else
    # no yaml module: the commands by grep, the structure unchecked
    grep -q 'completionMode: Indexed' docs/fleet/k8s-indexed-job.yaml
    check "fleet: the Kubernetes YAML has an Indexed Job (no python3 yaml: minimal check)" [ $? = 0 ]
    {
      printf 'fleet-plan\t/opt/profdiff/fleet/s3.sh tasks\n'
      printf 'fleet-map\texec /opt/profdiff/fleet/s3.sh map "$JOB_COMPLETION_INDEX"\n'
    } >"$F/k8s.cmds"
  fi
  # run_pod FILE NAME [VAR=VALUE...]: one pod's command, as the cluster would
  run_pod() {
    local file=$1 name=$2
    shift 2
    local script
    script=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$file" | tr '\037' '\n' |
      sed -e "s|/opt/profdiff/fleet/|$PWD/docs/fleet/|g")
    env "$@" PATH="$F/bin:$PATH" PROFDIFF="$PD" STORE=s3://bucket/fleet sh -c "$script" >>"$F/pods.out" 2>&1
  }
  for engine in k8s argo; do
    [ -f "$F/$engine.cmds" ] || continue
    export FAKE_S3=$F/s3-$engine
    mkdir -p "$FAKE_S3/bucket/fleet/dumps"
    cp -R "$F/in"/. "$FAKE_S3/bucket/fleet/dumps/"
    ok_all=1
    if [ $engine = k8s ]; then
      run_pod "$F/k8s.cmds" fleet-plan SCRATCH="$F/pod-plan-$engine" || ok_all=0
      for i in $(seq 0 8); do
        run_pod "$F/k8s.cmds" fleet-map JOB_COMPLETION_INDEX=$i SCRATCH="$F/pod-map-$engine-$i" || ok_all=0
      done
      for i in 0 1 2; do
        run_pod "$F/k8s.cmds" fleet-reduce JOB_COMPLETION_INDEX=$i SCRATCH="$F/pod-reduce-$engine-$i" || ok_all=0
      done
      run_pod "$F/k8s.cmds" fleet-report SCRATCH="$F/pod-report-$engine" || ok_all=0
    else
      run_pod "$F/argo.cmds" plan SCRATCH="$F/pod-plan-$engine" || ok_all=0
      # the plan's stdout is the workflow's withParam lists
      plan=$(tail -1 "$F/pods.out")
      for i in $(echo "$plan" | jq -r '.tasks[]'); do
        sed "s/{{inputs.parameters.index}}/$i/" "$F/argo.cmds" >"$F/argo.i"
        run_pod "$F/argo.i" map SCRATCH="$F/pod-map-$engine-$i" || ok_all=0
      done
      for day in $(echo "$plan" | jq -r '.days[]'); do
        sed "s/{{inputs.parameters.day}}/$day/" "$F/argo.cmds" >"$F/argo.i"
        run_pod "$F/argo.i" reduce SCRATCH="$F/pod-reduce-$engine-$day" || ok_all=0
      done
      run_pod "$F/argo.cmds" report SCRATCH="$F/pod-report-$engine" || ok_all=0
    fi
    check "fleet: every $engine pod's command succeeds" [ $ok_all = 1 ]
    for day in 2026-11-22 2026-11-23 2026-11-24; do
      cmp -s "$F/work/days/$day.pb.gz" "$FAKE_S3/bucket/fleet/work/days/$day.pb.gz" || ok_all=0
    done
    check "fleet: $engine's day profiles in object storage = local.sh's" [ $ok_all = 1 ]
    check "fleet: $engine's report in object storage" [ -s "$FAKE_S3/bucket/fleet/report/report.json" ]
  done
fi
