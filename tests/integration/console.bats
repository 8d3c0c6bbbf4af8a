#!/usr/bin/env bats
# Terminals: the pty master over --console-socket (runc's recvtty protocol) with a test
# receiver, the container's stdio on the pty, and the foreground proxy of `run`.

load helpers

setup() {
  setup_bundle
  update_config '.process.terminal = true'
}

teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  teardown_bundle
}

start_receiver() {
  SOCK=$TEST_TMP/console.sock
  "$COVE_TEST_HELPER" recvtty "$SOCK" "${1:-}" >"$TEST_TMP/tty.out" 2>"$TEST_TMP/tty.err" &
  RECV_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do [ -e "$SOCK.ready" ] && return 0; sleep 0.01; done
  return 1
}

@test "create --console-socket hands the pty master to the receiver" {
  update_config '.process.args = ["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; ls -l /dev/console"]'
  start_receiver
  cove create --bundle "$BUNDLE" --console-socket "$SOCK" t1
  cove start t1
  wait "$RECV_PID"
  RECV_PID=
  run cat "$TEST_TMP/tty.out"
  assert_line --index 0 --regexp '^/dev/(pts/[0-9]+|console)'
  assert_line --index 1 --partial all-tty
  grep -q 'recvtty: got /dev/pts/' "$TEST_TMP/tty.err"
}

@test "input through the pty reaches the process" {
  update_config '.process.args = ["sh", "-c", "read line; echo got:$line"]'
  start_receiver $'hello\n'
  cove run -d --bundle "$BUNDLE" --console-socket "$SOCK" t1
  wait "$RECV_PID"
  RECV_PID=
  grep -q 'got:hello' "$TEST_TMP/tty.out"
}

@test "consoleSize sets the window size" {
  update_config '.process.consoleSize = {height: 33, width: 111} | .process.args = ["stty", "size"]'
  start_receiver
  cove run -d --bundle "$BUNDLE" --console-socket "$SOCK" t1
  wait "$RECV_PID"
  RECV_PID=
  grep -q '^33 111' "$TEST_TMP/tty.out"
}

@test "run in the foreground proxies the terminal and restores it" {
  command -v script >/dev/null || skip "needs script(1)"
  update_config '.process.args = ["sh", "-c", "tty; echo exit-me; exit 5"]'
  run script -qec "$COVE --root $COVE_ROOT run --bundle $BUNDLE t1" /dev/null
  assert_failure 5
  assert_output --partial exit-me
  assert_output --regexp '/dev/(pts/[0-9]+|console)'
}

@test "the pty is the container's own devpts: /dev/pts/N with the mount's mode and gid, as runc's" {
  update_config '.process.args = ["sh", "-c", "readlink /proc/self/fd/0; stat -c \"%n %a %g %t\" /dev/console $(readlink /proc/self/fd/0)"]'
  start_receiver
  cove create --bundle "$BUNDLE" --console-socket "$SOCK" t1
  cove start t1
  wait "$RECV_PID"
  RECV_PID=
  run cat "$TEST_TMP/tty.out"
  # the default config mounts devpts with mode=0620,gid=5; pty majors are 136+
  assert_line --index 0 --regexp '^/dev/pts/[0-9]+'
  assert_line --index 1 --regexp '^/dev/console 620 5 8[89a-f]'
  assert_line --index 2 --regexp '^/dev/pts/[0-9]+ 620 5 8[89a-f]'
}

@test "the pty has ONLCR cleared, as runc's: lines end in \\n, not \\r\\n" {
  update_config '.process.args = ["sh", "-c", "stty -a 2>/dev/null | grep -o -- -onlcr; echo line-one; echo line-two"]'
  start_receiver
  cove run -d --bundle "$BUNDLE" --console-socket "$SOCK" t1
  wait "$RECV_PID"
  RECV_PID=
  run cat "$TEST_TMP/tty.out"
  assert_line --index 0 -- -onlcr
  assert_line --index 1 line-one
  [ "$(tr -cd '\r' <"$TEST_TMP/tty.out" | wc -c)" -eq 0 ]
}

@test "an exec'd process's pty has ONLCR cleared too: lines end in \\n, not \\r\\n" {
  update_config '.process.terminal = false | .process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg t1
  start_receiver
  cove exec -d --tty --console-socket "$SOCK" t1 sh -c 'stty -a 2>/dev/null | grep -o -- -onlcr; echo line-one; echo line-two'
  wait "$RECV_PID"
  RECV_PID=
  run cat "$TEST_TMP/tty.out"
  assert_line --index 0 -- -onlcr
  assert_line --index 1 line-one
  assert_line --index 2 line-two
  [ "$(tr -cd '\r' <"$TEST_TMP/tty.out" | wc -c)" -eq 0 ]
}

@test "the pty slave belongs to process.user, for run and exec (the group stays devpts')" {
  update_config '.process.user = {uid: 1000, gid: 1000}
    | .process.args = ["sh", "-c", "stat -c %u:%g $(readlink /proc/self/fd/0); sleep 1000"]'
  start_receiver
  cove run -d --bundle "$BUNDLE" --console-socket "$SOCK" t1
  local i
  for ((i = 0; i < 200; i++)); do grep -q : "$TEST_TMP/tty.out" 2>/dev/null && break; sleep 0.02; done
  run head -n1 "$TEST_TMP/tty.out"
  assert_output "1000:5"
  kill "$RECV_PID" 2>/dev/null || true
  wait "$RECV_PID" 2>/dev/null || true
  rm -f "$SOCK" "$SOCK.ready"
  start_receiver
  cove exec -d --tty --console-socket "$SOCK" --user 1001:1001 t1 sh -c 'stat -c %u:%g $(readlink /proc/self/fd/0)'
  wait "$RECV_PID"
  RECV_PID=
  run cat "$TEST_TMP/tty.out"
  assert_output "1001:5"
}
