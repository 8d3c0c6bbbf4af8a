#!/usr/bin/env bats
# NOTIFY_SOCKET relay (runc's notify_socket.go): the container gets its own socket at
# /run/notify/notify.sock, and the cove process systemd watches forwards what it sends to the
# host's socket.  systemd's socket is played here by `cove-test-helper notify-listen`, which
# prints each datagram with its sender's pid (the tests under systemd itself are in
# systemd_services.bats).  Every wait is on a fifo the test controls, never a sleep.

load helpers

setup() {
  requires root
  setup_bundle
  SOCK=$TEST_TMP/host-notify.sock
  mkdir "$TEST_TMP/sync"
  mkfifo "$TEST_TMP/sync/go"
  add_mount "{destination: \"/sync\", type: \"bind\", source: \"$TEST_TMP/sync\", options: [\"bind\"]}"
  LISTENER=
}

teardown() {
  [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
  # a container blocked on the fifo: let it go so teardown's delete is quick
  [ ! -p "$TEST_TMP/sync/go" ] || timeout 1 sh -c "echo go >'$TEST_TMP/sync/go'" 2>/dev/null || true
  teardown_bundle
}

# listen SOCKET N: the stand-in for systemd, in the background; returns once it is bound.
listen() {
  "$COVE_TEST_HELPER" notify-listen "$1" "$2" >"$TEST_TMP/listen.out" 2>&1 &
  LISTENER=$!
  LISTEN_N=$2
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q '^listening$' "$TEST_TMP/listen.out" && return 0
    sleep 0.02
  done
  cat "$TEST_TMP/listen.out" >&2
  return 1
}

# The messages the listener got, once it has all N it was started for (bounded: 30 s).
heard() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$(grep -vc '^listening$' "$TEST_TMP/listen.out")" -ge "$LISTEN_N" ] && break
    sleep 0.05
  done
  grep -v '^listening$' "$TEST_TMP/listen.out"
}

@test "notify: foreground run relays the container's messages; READY=1 names cove as main pid" {
  listen "$SOCK" 3
  set_cmd 'cove-test-helper notify STATUS=starting && read x </sync/go && cove-test-helper notify READY=1 && cove-test-helper notify "STATUS=serving" && echo "env=$NOTIFY_SOCKET" && grep " /run/notify " /proc/self/mountinfo'
  NOTIFY_SOCKET=$SOCK "$COVE" --root "$COVE_ROOT" run -b "$BUNDLE" n1 >"$TEST_TMP/run.out" 2>&1 &
  local covepid=$!
  wait_for_state n1 running
  echo go >"$TEST_TMP/sync/go"
  wait "$covepid"
  run heard
  assert_success
  assert_line --index 0 "pid=$covepid STATUS=starting"
  # with NotifyAccess=main the change of main pid must come from the sender of READY=1: one
  # datagram; cove stays the main process (it exits with the container's status)
  assert_line --index 1 "pid=$covepid READY=1|MAINPID=$covepid"
  assert_line --index 2 "pid=$covepid STATUS=serving"
  run cat "$TEST_TMP/run.out"
  assert_line "env=/run/notify/notify.sock"
  # the socket's directory, bound read-only
  assert_line --regexp " /run/notify ro,nosuid,nodev,noexec"
}

@test "notify: run --detach returns only after READY=1, forwarded with MAINPID of the init" {
  listen "$SOCK" 1
  set_cmd 'read x </sync/go && cove-test-helper notify READY=1 && exec cove-test-helper sleep-forever'
  NOTIFY_SOCKET=$SOCK "$COVE" --root "$COVE_ROOT" run -d -b "$BUNDLE" n1 </dev/null >"$TEST_TMP/run.out" 2>&1 3>&- &
  local covepid=$! pid
  wait_for_state n1 running
  pid=$(cove state n1 | jq .pid)
  # the process is running but has not said READY=1: cove must still be waiting, and have sent
  # nothing
  kill -0 "$covepid"
  [ "$(grep -vc '^listening$' "$TEST_TMP/listen.out")" -eq 0 ]
  echo go >"$TEST_TMP/sync/go"
  wait "$covepid"
  run heard
  assert_output "pid=$covepid READY=1|MAINPID=$pid"
  [ "$(cove state n1 | jq -r .status)" = running ]
  # the host confirmed READY=1 (the barrier after it was answered) before cove exited
  run cat "$TEST_TMP/run.out"
  refute_output --partial "did not confirm READY=1"
}

@test "notify: create + start: start relays until READY=1 with MAINPID of the init" {
  listen "$SOCK" 1
  set_cmd 'read x </sync/go && cove-test-helper notify READY=1 && exec cove-test-helper sleep-forever'
  # create makes the directory and the mount; start binds the socket and relays
  NOTIFY_SOCKET=$SOCK "$COVE" --root "$COVE_ROOT" create -b "$BUNDLE" n1 </dev/null >/dev/null 2>&1 3>&-
  [ -d "$COVE_ROOT/n1/notify" ]
  [ ! -e "$COVE_ROOT/n1/notify/notify.sock" ]
  NOTIFY_SOCKET=$SOCK "$COVE" --root "$COVE_ROOT" start n1 &
  local startpid=$! pid
  wait_for_state n1 running
  pid=$(cove state n1 | jq .pid)
  kill -0 "$startpid"
  # start does not hold the container's lock while it waits: other commands go on
  run cove state n1
  assert_success
  echo go >"$TEST_TMP/sync/go"
  wait "$startpid"
  run heard
  assert_output "pid=$startpid READY=1|MAINPID=$pid"
}

@test "notify: start with NOTIFY_SOCKET of a container created without it says so, and starts" {
  set_cmd 'exec cove-test-helper sleep-forever'
  env -u NOTIFY_SOCKET "$COVE" --root "$COVE_ROOT" create -b "$BUNDLE" n1 </dev/null >/dev/null 2>&1 3>&-
  run env NOTIFY_SOCKET="$SOCK" "$COVE" --root "$COVE_ROOT" start n1
  assert_success
  assert_output --partial "the container was created without it: nothing to relay (with ExecStartPre=cove create, set NotifyAccess=all)"
  [ "$(cove state n1 | jq -r .status)" = running ]
}

@test "notify: an abstract NOTIFY_SOCKET (@name) is relayed to" {
  listen "@cove-notify-test-$$" 1
  set_cmd 'cove-test-helper notify READY=1 && exec cove-test-helper sleep-forever'
  NOTIFY_SOCKET=@cove-notify-test-$$ "$COVE" --root "$COVE_ROOT" run -d -b "$BUNDLE" n1 </dev/null >/dev/null 2>&1 3>&- &
  local covepid=$!
  wait "$covepid"
  run heard
  assert_output "pid=$covepid READY=1|MAINPID=$(cove state n1 | jq .pid)"
}

@test "notify: the container's MAINPID is dropped and its barrier answered" {
  listen "$SOCK" 1
  set_cmd 'cove-test-helper notify "MAINPID=1
READY=1" && cove-test-helper notify-barrier && exec cove-test-helper sleep-forever'
  NOTIFY_SOCKET=$SOCK "$COVE" --root "$COVE_ROOT" run -b "$BUNDLE" n1 >"$TEST_TMP/run.out" 2>&1 &
  local covepid=$!
  run heard
  assert_output "pid=$covepid READY=1|MAINPID=$covepid"
  # the barrier's fd was closed by cove (the container would wait 10 s and say so otherwise)
  local i
  for ((i = 0; i < 200; i++)); do
    grep -q "barrier" "$TEST_TMP/run.out" && break
    sleep 0.05
  done
  run cat "$TEST_TMP/run.out"
  assert_output "barrier ok"
  cove kill n1 KILL
  wait "$covepid" || true
}

@test "notify: without NOTIFY_SOCKET the container gets no socket, mount or variable" {
  set_cmd 'echo "env=${NOTIFY_SOCKET:-none}"; grep -c " /run/notify " /proc/self/mountinfo; true'
  run env -u NOTIFY_SOCKET "$COVE" --root "$COVE_ROOT" run --keep -b "$BUNDLE" n1
  assert_success
  assert_line "env=none"
  assert_line 0
  [ ! -e "$COVE_ROOT/n1/notify" ]
}
