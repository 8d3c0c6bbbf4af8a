#!/usr/bin/env bats
# cove on an older kernel, or under a seccomp profile that hides newer calls: cove runs under
# tests/kernel/nosys, which makes the named system calls fail (ENOSYS unless -e EPERM) for it and
# everything it starts.  Each feature either falls back (the container is what it would be) or
# fails with one line naming the call, and leaves nothing behind (docs/kernel.md).  The unit
# tests of the same fallbacks: tests/unit/test_kernel.c.

load helpers

setup_file() {
  export NOSYS
  NOSYS=$(nosys_path)
}

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

# nosys_cove [-e EPERM] CALLS ARGS...: cove with CALLS failing.
nosys_cove() {
  local e=()
  if [ "$1" = -e ]; then
    e=(-e "$2")
    shift 2
  fi
  local calls=$1
  shift
  "$NOSYS" "${e[@]}" "$calls" "$COVE" --root "$COVE_ROOT" "$@"
}

# nosys_start CALLS ID: `run --detach` under nosys, waited for until running.
nosys_start() {
  nosys_cove "$1" run -d -b "$BUNDLE" "$2" </dev/null >"$TEST_TMP/$2.out" 2>&1 3>&-
  wait_for_state "$2" running
}

# nothing of container ID is left: no state, no cgroup directory
assert_nothing_left() {
  run cove list -q
  assert_success
  assert_output ''
  local h
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -d "$h$TEST_CGROUP_PARENT/$(basename "$BUNDLE")" ] || fail "left behind: $h$TEST_CGROUP_PARENT/$(basename "$BUNDLE")"
  done
}

@test "the wrapper makes the calls fail as asked" {
  run "$NOSYS" --check clone3,close_range,mount_setattr,pidfd_open
  assert_success
  assert_output $'clone3: Function not implemented\nclose_range: Function not implemented\nmount_setattr: Function not implemented\npidfd_open: Function not implemented'
  run "$NOSYS" -e EPERM --check close_range
  assert_success
  assert_output 'close_range: Operation not permitted'
}

# The init (seen from the host) and a process exec'd into the container (seen from inside its
# cgroup namespace) are in the container's cgroup, in every hierarchy.
check_clone3_fallback() {
  update_config '.process.args = ["cove-test-helper", "sleep-forever"]'
  nosys_start clone3 t1
  local pid rel=$TEST_CGROUP_PARENT/$(basename "$BUNDLE")
  pid=$(cove state t1 | jq -r .pid)
  run cat "/proc/$pid/cgroup"
  assert_success
  # every hierarchy cove manages holds it: on v2 the one line, on hybrid/v1 each controller line
  if [ "$(cgroup_mode)" = unified ]; then
    assert_output "0::$rel"
  else
    assert_line --regexp "^[0-9]+:([^:]*,)?memory(,[^:]*)?:$rel\$"
    assert_line --regexp "^[0-9]+:([^:]*,)?pids(,[^:]*)?:$rel\$"
    assert_line "0::$rel"
  fi
  run nosys_cove clone3 exec t1 cat /proc/self/cgroup
  assert_success
  # at the root of the container's cgroup namespace, in every hierarchy
  refute_line --regexp ':/.+$'
  assert_line '0::/'
}

@test "clone3 missing: run and exec clone with clone(2), and every process is in the container's cgroup" {
  check_clone3_fallback
}

@test "clone3 missing on a v2 host: without CLONE_INTO_CGROUP the init and exec's process are moved into the leaf" {
  requires cgroups_v2
  check_clone3_fallback
}

@test "close_range missing (ENOSYS) or denied (EPERM): only fds 0, 1 and 2 reach the container" {
  update_config '.process.args = ["cove-test-helper", "fds"]'
  local e
  for e in ENOSYS EPERM; do
    run bash -c "exec 5</etc/hostname 7>$TEST_TMP/x 9</dev/null; $NOSYS -e $e close_range $COVE --root $COVE_ROOT run --bundle $BUNDLE t-$e"
    assert_success
    assert_output $'0\n1\n2'
  done
}

@test "mount_setattr missing (5.10, 5.11): read-only root, /sys, readonlyPaths and ro binds are read-only" {
  mkdir -p "$TEST_TMP/data"
  add_mount "{destination: \"/data\", type: \"bind\", source: \"$TEST_TMP/data\", options: [\"bind\", \"ro\"]}"
  set_cmd 'for p in /x /sys/x /proc/sys/x /data/x; do touch $p 2>/dev/null && echo "$p writable"; done; echo checked'
  run nosys_cove mount_setattr run -b "$BUNDLE" t1
  assert_success
  assert_output checked
  # and the source of the bind stays writable
  touch "$TEST_TMP/data/from-host"
}

@test "mount_setattr missing: a recursive attribute (rro) is refused with one line naming it, nothing left" {
  mkdir -p "$TEST_TMP/data"
  add_mount "{destination: \"/data\", type: \"bind\", source: \"$TEST_TMP/data\", options: [\"rbind\", \"rro\"]}"
  update_config '.process.args = ["true"]'
  run nosys_cove mount_setattr run -b "$BUNDLE" t1
  assert_failure
  assert_output --regexp '^cove: .*set recursive attributes on .*/data: mount_setattr \(Linux 5\.12\) is not available: Function not implemented$'
  assert_equal "${#lines[@]}" 1
  assert_nothing_left
}

@test "pidfd_open missing: run works, kill names pidfd_open and signals nothing, delete -f removes the container" {
  update_config '.process.args = ["cove-test-helper", "sleep-forever"]'
  nosys_start pidfd_open t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run nosys_cove pidfd_open kill t1 KILL
  assert_failure
  assert_output "cove: kill t1: open the init's pidfd: pidfd_open (Linux 5.3) is not available: Function not implemented"
  wait_for_state t1 running
  run nosys_cove pidfd_open exec t1 true
  assert_failure
  assert_output --partial "pidfd_open (Linux 5.3) is not available"
  run nosys_cove pidfd_open delete -f t1
  assert_success
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "the init $pid survived delete -f"
  assert_nothing_left
}

@test "the mount API missing: run fails with one line naming the call, nothing left" {
  update_config '.process.args = ["true"]'
  run nosys_cove fsopen,fsconfig,fsmount,open_tree,move_mount run -b "$BUNDLE" t1
  assert_failure
  assert_output --regexp '^cove: .*: (fsopen|open_tree|move_mount) \(Linux 5\.2\) is not available: Function not implemented$'
  assert_equal "${#lines[@]}" 1
  assert_nothing_left
}

@test "execveat missing: cove cannot run from its sealed copy and says so before anything is made" {
  update_config '.process.args = ["true"]'
  run nosys_cove execveat run -b "$BUNDLE" t1
  assert_failure
  assert_output "cove: re-exec cove from a sealed memfd: execveat (Linux 3.19) is not available: Function not implemented"
  assert_nothing_left
}

@test "pidfd_send_signal missing: run in the foreground still forwards a signal to the container" {
  mkdir -p "$TEST_TMP/sync"
  add_mount "{destination: \"/sync\", type: \"bind\", source: \"$TEST_TMP/sync\", options: [\"bind\"]}"
  set_cmd 'trap "exit 7" TERM; touch /sync/ready; while :; do sleep 0.1; done'
  # a simple command, not the function: $! is then cove's own pid (nosys execs it)
  "$NOSYS" pidfd_send_signal "$COVE" --root "$COVE_ROOT" run -b "$BUNDLE" t1 </dev/null >"$TEST_TMP/t1.out" 2>&1 3>&- &
  local cove_pid=$! i
  for ((i = 0; i < 500; i++)); do
    [ -e "$TEST_TMP/sync/ready" ] && break
    sleep 0.02
  done
  [ -e "$TEST_TMP/sync/ready" ] || fail "the container never got ready: $(cat "$TEST_TMP/t1.out")"
  # and cove forwards: it has every signal blocked (read through its signalfd)
  for ((i = 0; i < 500; i++)); do
    [ $((0x$(awk '/^SigBlk:/ {print $2}' "/proc/$cove_pid/status") & 0x4000)) -ne 0 ] && break
    sleep 0.02
  done
  kill -TERM "$cove_pid"
  # bounded: a lost signal leaves run waiting for ever
  run timeout 20 tail --pid="$cove_pid" -f /dev/null
  assert_success
  wait "$cove_pid" && status=0 || status=$?
  assert_equal "$status" 7
}
