#!/usr/bin/env bats
# cove under systemd as PID 1 (run by `make check-systemd` in the systemd VM guest; skipped
# elsewhere): a container started from inside a Delegate=yes service gets its cgroup inside the
# service's delegated subtree, and limits apply there.  The container init's cgroup is read from
# outside the container, in /proc/<pid>/cgroup.

load helpers

setup() {
  requires root systemd
  setup_bundle
  UNIT=cove-deleg-$$-${BATS_TEST_NUMBER}
  SVC_CG=/system.slice/$UNIT.service
  # these tests are about cgroup delegation: keep the rest of the container minimal
  update_config '.process.args = ["sleep", "1000"] | del(.linux.maskedPaths) | del(.linux.readonlyPaths)'
}

teardown() {
  if [ -n "${UNIT:-}" ]; then
    # the container's init (PID 1 of its namespace) ignores SIGTERM: kill, then stop
    systemctl kill --signal=SIGKILL "$UNIT.service" >/dev/null 2>&1 || true
    systemctl stop "$UNIT.service" >/dev/null 2>&1 || true
    systemctl reset-failed "$UNIT.service" >/dev/null 2>&1 || true
  fi
  teardown_bundle
}

# Start `cove run ctr` as the main process of a transient Delegate=yes service and wait until the
# container runs; sets CTR_PID.  With "leaf", the service's process is first moved into a child
# cgroup of the service, "supervisor" (the layout systemd asks delegated services to keep: no
# processes in a cgroup whose controllers are delegated further), and only then execs cove.
run_in_delegated_service() {
  local layout=${1:-direct} main
  local -a cmd=("$COVE" --root "$COVE_ROOT" run --bundle "$BUNDLE" ctr)
  if [ "$layout" = leaf ]; then
    # the shell waits (bounded) for the go file the test creates once it has moved the shell
    cmd=(/bin/sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done; shift; exec "$@"'
      sh "$TEST_TMP/go" "${cmd[@]}")
  fi
  run systemd-run --unit "$UNIT" --property Delegate=yes --property Type=exec \
    --property TimeoutStopSec=10s "${cmd[@]}"
  assert_success
  if [ "$layout" = leaf ]; then
    main=$(systemctl show -P MainPID "$UNIT.service")
    mkdir "/sys/fs/cgroup$SVC_CG/supervisor"
    echo "$main" >"/sys/fs/cgroup$SVC_CG/supervisor/cgroup.procs"
    touch "$TEST_TMP/go"
  fi
  # bounded, and given up at once when the service (cove run) has ended
  local deadline=$((SECONDS + 60)) st=
  while [ "$SECONDS" -lt "$deadline" ]; do
    st=$(cove state ctr 2>/dev/null | jq -r .status) || st=
    [ "$st" = running ] && break
    systemctl is-active -q "$UNIT.service" || break
    sleep 0.1
  done
  if [ "$st" != running ]; then
    echo "container ctr: status ${st:-none}, wanted running; the service's journal:" >&2
    journalctl --no-pager -u "$UNIT.service" | tail -n 20 >&2
    return 1
  fi
  CTR_PID=$(cove state ctr | jq -r .pid)
  [ "$CTR_PID" -gt 0 ]
}

@test "systemd: PID 1 is systemd on a unified cgroup hierarchy" {
  [ "$(cat /proc/1/comm)" = systemd ]
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
  run systemctl is-system-running
  assert_output --regexp '^(running|degraded|starting)$'
}

@test "systemd: a container run from a Delegate=yes service lands in the service's subtree" {
  update_config ".linux.cgroupsPath = \"$SVC_CG/ctr\""
  run_in_delegated_service
  run cat "/proc/$CTR_PID/cgroup"
  assert_success
  assert_output "0::$SVC_CG/ctr"
  # systemd still counts the container as part of the service
  run systemctl show -P ControlGroup "$UNIT.service"
  assert_output "$SVC_CG"
  grep -qx "$CTR_PID" "/sys/fs/cgroup$SVC_CG/ctr/cgroup.procs"
}

@test "systemd: stopping the Delegate=yes service kills the container in its subtree" {
  update_config ".linux.cgroupsPath = \"$SVC_CG/ctr\""
  run_in_delegated_service
  run systemctl stop "$UNIT.service"
  assert_success
  # systemd stops a unit by its cgroup, so the container init is dead when stop returns (at most
  # a zombie not yet reaped by its parent)
  [ ! -e "/proc/$CTR_PID" ] || grep -q '^State:[[:space:]]*Z' "/proc/$CTR_PID/status"
}

@test "systemd: a memory limit applies to a container in a delegated service's subtree" {
  update_config ".linux.cgroupsPath = \"$SVC_CG/ctr\" | .linux.resources.memory = {limit: 33554432}"
  run_in_delegated_service leaf
  run cat "/proc/$CTR_PID/cgroup"
  assert_output "0::$SVC_CG/ctr"
  run cat "/sys/fs/cgroup$SVC_CG/ctr/memory.max"
  assert_output 33554432
  # the service's own process stayed in its leaf, beside the container's cgroup
  run cat "/sys/fs/cgroup$SVC_CG/supervisor/cgroup.procs"
  assert_success
  refute_output ""
}
