# nightly.sh: docs/nightly.sh for ten simulated nights as cron runs it: the
# command of docs/ci/nightly.crontab's line by /bin/sh -c, under env -i with
# cron's PATH=/usr/bin:/bin, no terminal (setsid), no standard input, NOW set
# per night; the SOURCE is a directory that gets one more samples/leak dump
# each night. Then the systemd units' ExecStart the same way, and the errors.
# Ten reports: not under valgrind.
if [ -n "${PD_WRAP:-}" ]; then
  skip "nightly" "not under valgrind"
else
  n=$TMP/nightly
  mkdir -p "$n/src" "$n/reports"
  script=$(realpath docs/nightly.sh)
  line=$(grep -v '^#' docs/ci/nightly.crontab | grep -v '^$')
  check "crontab: one line" test "$(printf '%s\n' "$line" | wc -l)" = 1
  # cron gives % a meaning of its own: the line must have none
  case "$line" in *%*) bad "crontab line has no %" "$line" ;; *) ok "crontab line has no %" ;; esac
  sched=$(printf '%s' "$line" | awk '{print $1, $2, $3, $4, $5}')
  check "crontab: at 03:15" test "$sched" = "15 3 * * *"
  cmd=$(printf '%s' "$line" | sed -E 's/^([^ ]+ +){5}//')
  # the line as written, with this checkout's paths for the installed ones
  cmd=${cmd//\/usr\/bin\/profdiff/$PD}
  cmd=${cmd//\/usr\/share\/profdiff\/nightly.sh/$script}
  cmd=${cmd//http:\/\/checkout.internal:6060/$(realpath "$n/src")}
  cmd=${cmd//\/var\/lib\/heap-reports/$(realpath "$n/reports")}
  case "$cmd" in *"$PD"*"$script"*"--keep 60"*) ok "crontab line calls the script with PROFDIFF" ;; *) bad "crontab command" "$cmd" ;; esac
  cmd=${cmd//--keep 60/--keep 9}
  i=0 fails=0
  for f in $(ls samples/leak/snapshots/heap-*.pb.gz | head -10); do
    i=$((i + 1))
    cp "$f" "$n/src/"
    day=$(printf '2026-11-%02d' $((10 + i)))
    env -i PATH=/usr/bin:/bin HOME="$n" SHELL=/bin/sh LOGNAME=nobody NOW="${day}T03:15:00Z" \
      setsid /bin/sh -c "$cmd" </dev/null >"$n/cron.out" 2>&1
    rc=$?
    # 1 is a gate (the leak sample's slope): fine; 2 is an error
    if [ "$rc" -gt 1 ] || [ -s "$n/cron.out" ]; then
      fails=$((fails + 1))
      bad "night $i" "exit $rc; $(head -c 300 "$n/cron.out"; tail -3 "$n/reports/nightly.log")"
    fi
    if [ $i -ge 2 ] && [ ! -s "$n/reports/$day/report.md" ]; then
      fails=$((fails + 1))
      bad "night $i report" "no $n/reports/$day/report.md"
    fi
  done
  [ $fails = 0 ] && ok "ten nights under cron's environment"
  check "night 8 compares with night 1" test -s "$n/reports/2026-11-18/vs-last-week/report.md"
  check "night 10 compares with night 3" test -s "$n/reports/2026-11-20/vs-last-week/report.md"
  check "the first night has no comparison" test ! -e "$n/reports/2026-11-11/vs-last-week"
  check "the log holds profdiff's summaries" grep -q "snapshots, inuse_space" "$n/reports/nightly.log"
  # --keep 9 on night 10: night 1's dump and report are gone, night 2's stay
  check "--keep 9: 9 dumps" test "$(ls "$n/reports/dumps" | wc -l)" = 9
  check "--keep 9: night 1's dump pruned" test -z "$(ls "$n/reports/dumps" | grep 2026-11-11T || true)"
  check "--keep 9: night 2's report kept" test -d "$n/reports/2026-11-12"
  check "--keep 9: night 1's report pruned" test ! -e "$n/reports/2026-11-11"
  check "--keep keeps other files" test -s "$n/reports/nightly.log"
  n10=$(grep -c "Heap, nightly, 2026-11-20" "$n/reports/2026-11-20/report.md")
  check "night 10's report is titled by its date" test "$n10" -ge 1

  # the systemd service's ExecStart, with its Environment, the same way
  exec_start=$(sed -n 's/^ExecStart=//p' docs/ci/profdiff-nightly.service)
  env_line=$(sed -n 's/^Environment=//p' docs/ci/profdiff-nightly.service)
  check "service: PROFDIFF is set" test "$env_line" = "PROFDIFF=/usr/bin/profdiff"
  mkdir -p "$n/sd"
  exec_start=${exec_start//\/usr\/share\/profdiff\/nightly.sh/$script}
  exec_start=${exec_start//http:\/\/checkout.internal:6060/$(realpath "$n/src")}
  exec_start=${exec_start//\/var\/lib\/heap-reports/$(realpath "$n/sd")}
  # systemd splits ExecStart on blanks and runs it without a shell
  read -r -a argv <<<"$exec_start"
  env -i PATH=/usr/bin:/bin PROFDIFF="$PD" NOW=2026-11-30T03:15:00Z setsid "${argv[@]}" </dev/null >"$n/sd.out" 2>&1
  rc=$?
  [ "$rc" -le 1 ] && [ -d "$n/sd/dumps" ] && ok "service ExecStart runs" || bad "service ExecStart" "exit $rc: $(head -c 300 "$n/sd.out")"
  if command -v systemd-analyze >/dev/null; then
    sed "s|/usr/share/profdiff/nightly.sh|$script|" docs/ci/profdiff-nightly.service >"$n/profdiff-nightly.service"
    cp docs/ci/profdiff-nightly.timer "$n/"
    v=$(systemd-analyze verify "$n/profdiff-nightly.service" "$n/profdiff-nightly.timer" 2>&1)
    [ -z "$v" ] && ok "systemd-analyze verify: the units" || bad "systemd-analyze verify" "$v"
    v=$(systemd-analyze calendar '*-*-* 03:15:00' 2>&1 | grep -c "Normalized form: \*-\*-\* 03:15:00")
    check "the timer's OnCalendar is 03:15 daily" test "$v" = 1
  fi

  # errors: cron's PATH has no profdiff and PROFDIFF is unset; bad --keep
  # (only where this machine has no profdiff of its own in /usr/bin)
  if [ ! -e /usr/bin/profdiff ]; then
    env -i PATH=/usr/bin:/bin NOW=2026-12-01T03:15:00Z bash "$script" "$n/src" "$n/e" </dev/null >"$n/e.out" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q "profdiff is not on PATH.*set PROFDIFF" "$n/e.out" &&
      ok "no profdiff under cron: exit 2 naming PROFDIFF" || bad "no profdiff under cron" "exit $rc: $(cat "$n/e.out")"
  fi
  for k in 0 x -3 ""; do
    env -i PATH=/usr/bin:/bin PROFDIFF="$PD" bash "$script" --keep "$k" "$n/src" "$n/e" </dev/null >"$n/e.out" 2>&1
    rc=$?
    [ $rc = 2 ] && grep -q -- "--keep takes a number" "$n/e.out" && ok "--keep '$k' is an error" || bad "--keep '$k'" "exit $rc: $(cat "$n/e.out")"
  done
  env -i PATH=/usr/bin:/bin PROFDIFF="$PD" bash "$script" "$n/src" </dev/null >"$n/e.out" 2>&1
  [ $? = 2 ] && grep -q "^usage: nightly.sh" "$n/e.out" && ok "nightly.sh without DIR: usage" || bad "nightly.sh usage" "$(cat "$n/e.out")"
fi
