#!/usr/bin/env bats
# File descriptors: the container process sees only 0-2, plus --preserve-fds and LISTEN_FDS.

load helpers

setup() {
  setup_bundle
  update_config '.process.args = ["cove-test-helper", "fds"]'
}

teardown() {
  teardown_bundle
}

@test "only fds 0, 1 and 2 reach the container, whatever cove had open" {
  # fds 3-9 open in cove's environment must not leak in
  run bash -c "exec 5</etc/hostname 7>$TEST_TMP/x 9</dev/null; $COVE --root $COVE_ROOT run --bundle $BUNDLE t1"
  assert_success
  assert_output $'0\n1\n2'
}

@test "--preserve-fds N passes fds 3..3+N-1 through" {
  run bash -c "exec 3</etc/hostname 4</etc/hostname 5</etc/hostname; $COVE --root $COVE_ROOT run --preserve-fds 2 --bundle $BUNDLE t1"
  assert_success
  assert_output $'0\n1\n2\n3\n4'
}

@test "a preserved fd is usable inside" {
  echo from-host >"$TEST_TMP/data"
  update_config '.process.args = ["sh", "-c", "cat <&3"]'
  run bash -c "exec 3<$TEST_TMP/data; $COVE --root $COVE_ROOT run --preserve-fds 1 --bundle $BUNDLE t1"
  assert_success
  assert_output from-host
}

@test "LISTEN_FDS: the fds pass and the process gets LISTEN_FDS and LISTEN_PID=1" {
  update_config '.process.args = ["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd | sort -n | tr \"\\n\" \" \""]'
  run bash -c "exec 3</etc/hostname 4</etc/hostname; LISTEN_FDS=2 LISTEN_PID=\$\$ $COVE --root $COVE_ROOT run --bundle $BUNDLE t1"
  assert_success
  assert_line --index 0 "2 1"
  assert_line --index 1 --regexp '^0 1 2 3 4 '
}

@test "LISTEN_FDS meant for another process (LISTEN_PID not cove's) pass nothing, as sd_listen_fds" {
  update_config '.process.args = ["sh", "-c", "echo ${LISTEN_FDS:-none} ${LISTEN_PID:-none}; ls /proc/self/fd | sort -n | tr \"\\n\" \" \""]'
  # inherited from an activated parent: fds 3 and 4 are not cove's to hand over
  run bash -c "exec 3</etc/hostname 4</etc/hostname; LISTEN_FDS=2 LISTEN_PID=1 $COVE --root $COVE_ROOT run --bundle $BUNDLE t1"
  assert_success
  assert_line --index 0 "none none"
  assert_line --index 1 --regexp '^0 1 2 [0-9]+ $'
  run bash -c "exec 3</etc/hostname; LISTEN_FDS=1 $COVE --root $COVE_ROOT run --bundle $BUNDLE t2"
  assert_line --index 0 "none none"
}

@test "create + start: the init's sync socket, exec fifo and lock are gone after exec" {
  cove create --bundle "$BUNDLE" t1 >"$TEST_TMP/out" 2>&1
  cove start t1
  wait_for_state t1 stopped
  run cat "$TEST_TMP/out"
  assert_output $'0\n1\n2'
}
