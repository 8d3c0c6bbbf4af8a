# systemd_kill.bash: what the suites of the systemd cgroup driver share, systemd_cgroup.bats (v2)
# and systemd_cgroup_v1.bats (v1): the unit of each test, sdcove, sdrun, prop, and the kill -9
# checks.

# sd_unit_setup / sd_unit_teardown: each test's container is the scope covetest-PID-N.scope in
# system.slice ($UNIT), running cove-test-helper sleep-forever; teardown stops it and the kill
# tests' units (by pattern) should a test fail half way.
sd_unit_setup() {
  UNIT=covetest-$$-${BATS_TEST_NUMBER}.scope
  update_config ".linux.cgroupsPath = \"system.slice:covetest:$$-${BATS_TEST_NUMBER}\" | .process.args = [\"/bin/cove-test-helper\", \"sleep-forever\"]"
}

sd_unit_teardown() {
  if [ -n "${UNIT:-}" ]; then
    systemctl stop "$UNIT" >/dev/null 2>&1 || true
    systemctl reset-failed "$UNIT" >/dev/null 2>&1 || true
  fi
  systemctl stop "covetest-$$-${BATS_TEST_NUMBER}-*.scope" >/dev/null 2>&1 || true
  systemctl reset-failed "covetest-$$-${BATS_TEST_NUMBER}-*.scope" >/dev/null 2>&1 || true
}

sdcove() {
  "$COVE" --root "$COVE_ROOT" --systemd-cgroup "$@"
}

# sdrun ID: `run -d` with the systemd driver, then wait for the container to run.
sdrun() {
  sdcove run -d -b "$BUNDLE" "$1" </dev/null >"$TEST_TMP/$1.out" 2>&1 3>&- || {
    cat "$TEST_TMP/$1.out" >&2
    return 1
  }
  wait_for_state "$1" running
}

# prop NAME: the unit's property
prop() {
  systemctl show -P "$1" "$UNIT"
}

# killed_create_leaves_nothing WHEN...: `run -d` SIGKILLed at each WHEN, then `delete -f`: no unit,
# no cgroup directory in any hierarchy, no state (DESIGN: record before you make; the unit is in
# the record before systemd is asked for it).  WHEN is a path (ID and UNIT replaced) killed the
# moment it exists (cove-test-helper kill-at), or a delay in ms.
killed_create_leaves_nothing() {
  local t n=0 id path h u pid
  for t in "$@"; do
    id=k$((n++))
    u=covetest-$$-${BATS_TEST_NUMBER}-$id.scope
    update_config ".linux.cgroupsPath = \"system.slice:covetest:$$-${BATS_TEST_NUMBER}-$id\""
    case $t in
    /*)
      path=${t//ID/$id}
      path=${path//UNIT/$u}
      run "$COVE_TEST_HELPER" kill-at "$path" "$COVE" --root "$COVE_ROOT" --systemd-cgroup run -d -b "$BUNDLE" "$id"
      [ "${lines[-1]}" = killed ] || { echo "run -d $id was not killed at $path: $output" >&2; return 1; }
      ;;
    *)
      path="$t ms"
      sdcove run -d -b "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- &
      pid=$!
      sleep "$((t / 1000)).$(printf %03d $((t % 1000)))"
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      ;;
    esac
    run sdcove delete -f "$id"
    [ "$status" -eq 0 ] || [ ! -e "$COVE_ROOT/$id" ] || { echo "delete -f $id (killed at $path): $output" >&2; return 1; }
    [ ! -e "$COVE_ROOT/$id" ]
    [ "$(systemctl show -P LoadState "$u")" = not-found ] || {
      echo "after delete -f of $id (killed at $path): $u is $(systemctl show -P LoadState,ActiveState "$u" | tr '\n' ' ')" >&2
      return 1
    }
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [ ! -e "$h/system.slice/$u" ] || { echo "after delete -f of $id (killed at $path): $h/system.slice/$u is left" >&2; return 1; }
    done
  done
}
