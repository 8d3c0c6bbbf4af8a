#!/usr/bin/env bats
# cove run by systemd (the systemd VM lane, `make check-systemd`; skipped elsewhere): a
# Type=notify service is ready exactly when the containerized process says READY=1 (run in the
# foreground, run -d, create + start), a socket-activated service gets its listening socket as
# fd 3, and podman with cgroup_manager = "systemd" drives cove (the system container is in
# systemd_system.bats).  Waits are on fifos the test controls or on states
# polled with a bound, never a blind sleep.

load helpers

setup() {
  requires root systemd
  setup_bundle
  UNIT=covetest-$$-${BATS_TEST_NUMBER}
  UNITS=()
  mkdir "$TEST_TMP/sync"
  mkfifo "$TEST_TMP/sync/go"
  add_mount "{destination: \"/sync\", type: \"bind\", source: \"$TEST_TMP/sync\", options: [\"bind\"]}"
}

teardown() {
  local u
  # a container blocked on the fifo: let it go
  [ ! -p "$TEST_TMP/sync/go" ] || timeout 1 sh -c "echo go >'$TEST_TMP/sync/go'" 2>/dev/null || true
  for u in "${UNITS[@]}"; do
    systemctl stop "$u" >/dev/null 2>&1 || true
    systemctl reset-failed "$u" >/dev/null 2>&1 || true
  done
  [ -z "${ENG_TMP:-}" ] || engines_teardown
  teardown_bundle
}

# svc NAME SYSTEMD-RUN-ARGS...: a transient service (no unit file, no daemon-reload), stopped by
# teardown.
svc() {
  local name=$1
  shift
  UNITS+=("$name.service")
  systemd-run --quiet --unit "$name" --no-block "$@"
}

# The journal of a unit, for a failure's message.
unit_log() {
  systemctl status --no-pager "$1" >&2 || true
  journalctl --no-pager -u "$1" | tail -n 25 >&2
}

# wait_unit UNIT STATE: poll the unit's ActiveState (bounded: 60 s).
wait_unit() {
  local st deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    st=$(systemctl show -P ActiveState "$1")
    [ "$st" = "$2" ] && return 0
    sleep 0.1
  done
  echo "unit $1: $st, wanted $2" >&2
  unit_log "$1"
  return 1
}

# unit_is UNIT STATE: the unit's ActiveState now.
unit_is() {
  local st
  st=$(systemctl show -P ActiveState "$1")
  [ "$st" = "$2" ] && return 0
  echo "unit $1: $st ($(systemctl show -P SubState "$1")), wanted $2" >&2
  unit_log "$1"
  return 1
}

# wait_ctr ID STATE UNIT: poll the container's status (bounded: 60 s); the unit's journal if not.
wait_ctr() {
  local st deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    st=$(cove state "$1" 2>/dev/null | jq -r .status) || st=
    [ "$st" = "$2" ] && return 0
    sleep 0.1
  done
  echo "container $1: ${st:-none}, wanted $2" >&2
  unit_log "$3"
  return 1
}

# The container says READY=1 once the test writes to the fifo, then serves until SIGTERM.
NOTIFY_CMD='trap "exit 0" TERM; read x </sync/go; cove-test-helper notify READY=1; while :; do sleep 1 & wait $!; done'

@test "systemd: a Type=notify unit around cove run is active only once the container says READY=1" {
  set_cmd "$NOTIFY_CMD"
  svc "$UNIT" -p Type=notify -p TimeoutStartSec=90 -p TimeoutStopSec=20 "$COVE" --root "$COVE_ROOT" run -b "$BUNDLE" n1
  wait_ctr n1 running "$UNIT.service"
  # the container runs, but has not said READY=1: systemd must still wait for it
  unit_is "$UNIT.service" activating
  echo go >"$TEST_TMP/sync/go"
  wait_unit "$UNIT.service" active
  # cove in the foreground stays the main process: it exits with the container's status
  local main
  main=$(systemctl show -P MainPID "$UNIT.service")
  [ "$(tr '\0' ' ' <"/proc/$main/cmdline")" = "$COVE --root $COVE_ROOT run -b $BUNDLE n1 " ]
  systemctl stop "$UNIT.service"
  run systemctl is-failed "$UNIT.service"
  refute_output failed
  run cove state n1
  assert_failure
}

@test "systemd: Type=notify with run -d: ready at READY=1, then the init is the main pid" {
  set_cmd "$NOTIFY_CMD"
  svc "$UNIT" -p Type=notify -p TimeoutStartSec=90 -p "ExecStopPost=$COVE --root $COVE_ROOT delete -f d1" \
    "$COVE" --root "$COVE_ROOT" run -d -b "$BUNDLE" d1
  wait_ctr d1 running "$UNIT.service"
  unit_is "$UNIT.service" activating
  echo go >"$TEST_TMP/sync/go"
  wait_unit "$UNIT.service" active
  # cove has exited: systemd watches the container's init
  [ "$(systemctl show -P MainPID "$UNIT.service")" = "$(cove state d1 | jq .pid)" ]
  systemctl stop "$UNIT.service"
  run cove state d1
  assert_failure
}

@test "systemd: Type=notify with create + start: ready at READY=1, then the init is the main pid" {
  set_cmd "$NOTIFY_CMD"
  # systemd gives NOTIFY_SOCKET to ExecStartPre= too only with NotifyAccess=all: create needs it
  # to give the container its socket
  svc "$UNIT" -p Type=notify -p NotifyAccess=all -p TimeoutStartSec=90 \
    -p "ExecStartPre=$COVE --root $COVE_ROOT create -b $BUNDLE s1" \
    -p "ExecStopPost=$COVE --root $COVE_ROOT delete -f s1" "$COVE" --root "$COVE_ROOT" start s1
  wait_ctr s1 running "$UNIT.service"
  unit_is "$UNIT.service" activating
  echo go >"$TEST_TMP/sync/go"
  wait_unit "$UNIT.service" active
  [ "$(systemctl show -P MainPID "$UNIT.service")" = "$(cove state s1 | jq .pid)" ]
  systemctl stop "$UNIT.service"
  run cove state s1
  assert_failure
}

@test "systemd: a socket-activated service in a container accepts on fd 3" {
  update_config '.process.args = ["/bin/cove-test-helper", "accept"]'
  UNITS+=("$UNIT.socket" "$UNIT.service")
  systemd-run --quiet --unit "$UNIT" --socket-property "ListenStream=/run/$UNIT.sock" \
    -p "ExecStopPost=$COVE --root $COVE_ROOT delete -f sa1" "$COVE" --root "$COVE_ROOT" run -b "$BUNDLE" sa1
  [ "$(systemctl show -P ActiveState "$UNIT.socket")" = active ]
  [ "$(systemctl show -P ActiveState "$UNIT.service")" = inactive ]
  # the first connection starts the service, which gets the socket as fd 3 (LISTEN_PID is the
  # container's init: pid 1 of its namespace)
  run timeout 60 "$COVE_TEST_HELPER" connect "/run/$UNIT.sock"
  assert_success
  assert_output "activated LISTEN_FDS=1 LISTEN_PID=1 pid=1"
  [ "$(systemctl show -P ActiveState "$UNIT.service")" = active ]
  run timeout 20 "$COVE_TEST_HELPER" connect "/run/$UNIT.sock"
  assert_output "activated LISTEN_FDS=1 LISTEN_PID=1 pid=1"
  systemctl stop "$UNIT.socket" "$UNIT.service"
}

@test "systemd: podman with cgroup_manager = \"systemd\" runs, execs, stops and limits memory through cove" {
  requires podman
  load ../engines/podman
  engines_setup systemd
  spod() {
    CONTAINERS_CONF=$ENG_TMP/containers.conf timeout "$ENGINE_TIMEOUT" podman \
      --root "$ENG_TMP/store" --runroot "$ENG_TMP/runroot" --tmpdir "$ENG_TMP/tmpdir" \
      --network-config-dir "$ENG_TMP/networks" --runtime "$ENG_RUNTIME_WRAPPER" "$@"
  }
  run spod run --rm "$ENGINE_IMAGE" echo hello
  assert_success
  assert_output hello
  local cid scope
  cid=$(spod run -d --memory 64m "$ENGINE_IMAGE" /bin/cove-test-helper sleep-forever)
  scope=libpod-$cid.scope
  UNITS+=("$scope")
  # podman asked cove for the systemd driver: the container is a unit of machine.slice
  [ "$(systemctl show -P ActiveState "$scope")" = active ]
  [ "$(systemctl show -P MemoryMax "$scope")" = 67108864 ]
  [ "$(cat "/sys/fs/cgroup/machine.slice/$scope/memory.max")" = 67108864 ]
  run spod exec "$cid" sh -c 'echo in $(cat /proc/self/cgroup)'
  assert_success
  assert_output "in 0::/"
  run spod stop -t 5 "$cid"
  assert_success
  run spod inspect -f '{{.State.Status}}' "$cid"
  assert_output exited
  spod rm "$cid"
  run systemctl is-active "$scope"
  refute_output active
  engines_teardown
}
