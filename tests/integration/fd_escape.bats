#!/usr/bin/env bats
# The CVE-2024-21626 class: a host fd reachable through the working directory.  The init and
# every exec'd process hold no host fd (other than stdio and the preserved ones) once they are in
# the container's namespaces, and the cwd is resolved inside the rootfs, never through a magic
# link such as /proc/self/fd/N, and checked to be under the container's root after the chdir.
# Each test is the attack from the advisory (or a variant of it), run against cove.

load helpers

setup() {
  setup_bundle
  STALL_PID=
}

teardown() {
  if [ -n "${STALL_PID:-}" ]; then
    kill "$STALL_PID" 2>/dev/null || true
    wait "$STALL_PID" 2>/dev/null || true
  fi
  teardown_bundle
}

# The host's /tmp holds this test's temp dir; the container's /tmp (the rootfs's) does not.
HOST_MARK() { basename "$TEST_TMP"; }

# Every fd >= 3 of process $1 except those named in $2 (a regex of allowed link targets): one
# "N -> TARGET" a line, with "DIR" appended for a directory.
foreign_fds() {
  local pid=$1 allowed=$2 fd target
  for fd in /proc/"$pid"/fd/*; do
    fd=${fd##*/}
    [ "$fd" -ge 3 ] || continue
    target=$(readlink /proc/"$pid"/fd/"$fd") || continue
    if [ -d /proc/"$pid"/fd/"$fd" ]; then
      echo "$fd -> $target DIR"
    elif ! [[ $target =~ $allowed ]]; then
      echo "$fd -> $target"
    fi
  done
}

@test "process.cwd = /proc/self/fd/N (N=3..10) never gives a host directory" {
  local n
  # a host directory open in cove's caller is the most direct target
  for n in 3 4 5 6 7 8 9 10; do
    update_config ".process.cwd = \"/proc/self/fd/$n\"
      | .process.args = [\"sh\", \"-c\", \"pwd; ls ../../../../tmp ../../../tmp ../../tmp ../tmp 2>/dev/null\"]"
    run bash -c "exec 7</tmp; $COVE --root $COVE_ROOT run --bundle $BUNDLE fd$n 2>&1 7</tmp"
    refute_output --partial "$(HOST_MARK)"
    # refused with the cwd named, as runc does, not run somewhere else
    assert_failure
    assert_output --partial "/proc/self/fd/$n"
  done
}

@test "a cwd that leads out of the root through an image symlink to a magic link is refused" {
  update_config '.root.readonly = false'
  ln -s /proc/self/fd/7 "$BUNDLE/rootfs/hostdir"
  update_config '.process.cwd = "/hostdir/tmp" | .process.args = ["sh", "-c", "pwd; ls"]'
  run bash -c "exec 7</; $COVE --root $COVE_ROOT run --bundle $BUNDLE t1 2>&1"
  refute_output --partial "$(HOST_MARK)"
  assert_failure
  assert_output --partial "/hostdir/tmp"
}

@test "exec --cwd /proc/self/fd/N (N=3..10) never gives a host directory" {
  local n
  update_config '.process.args = ["sleep", "1000"]'
  start_bg ct
  for n in 3 4 5 6 7 8 9 10; do
    run bash -c "exec 7</tmp; $COVE --root $COVE_ROOT exec --cwd /proc/self/fd/$n ct sh -c 'pwd; ls ../../../../tmp ../../../tmp ../../tmp ../tmp 2>/dev/null' 2>&1"
    refute_output --partial "$(HOST_MARK)"
    assert_failure
    assert_output --partial "/proc/self/fd/$n"
  done
}

# created_init_fds ID: create ID with host fds open in the caller and check the waiting init.
created_init_fds() {
  local id=$1 pid
  # fds the caller leaves open (a host directory among them) must not reach the init
  bash -c "exec 5</ 6<$TEST_TMP 8</etc/hostname 9>$TEST_TMP/x; $COVE --root $COVE_ROOT create --bundle $BUNDLE --preserve-fds 1 $id 3</etc/hostname >/dev/null 2>&1"
  pid=$(cove state "$id" | jq -r .pid)
  # the preserved fd 3 is the caller's file, as given
  [ "$(readlink /proc/"$pid"/fd/3)" = /etc/hostname ]
  # everything else past stdio: the exec fifo and the exec-done fifo, nothing else
  run foreign_fds "$pid" "^(/etc/hostname|$COVE_ROOT/$id/exec\\.(fifo|done))$"
  assert_output ""
  # 0-2, the preserved 3, exec.fifo and exec.done
  run bash -c "ls /proc/$pid/fd | grep -c ."
  assert_output 6
  # none points into the cgroup tree or is a directory of the host
  run bash -c "for f in /proc/$pid/fd/*; do readlink \$f; done"
  refute_output --partial /sys/fs/cgroup
  refute_output --regexp "^$COVE_ROOT/?$"
  refute_output --regexp "^$COVE_ROOT/$id/?$"
}

@test "a created init holds no host fd: only stdio, the preserved fds and its exec fifos" {
  update_config '.process.args = ["sleep", "1000"]'
  created_init_fds ct
}

@test "a created init made through stage1 (a namespace joined by path) holds no host fd either" {
  # joining a namespace by path takes the stage1 detour (runtime/sync.h)
  update_config '.process.args = ["sleep", "1000"] | .linux.cgroupsPath += "-s1"
    | .linux.namespaces |= map(select(.type != "ipc")) + [{type: "ipc", path: "/proc/self/ns/ipc"}]'
  created_init_fds ct1
  [ "$(readlink /proc/"$(cove state ct1 | jq -r .pid)"/ns/ipc)" = "$(readlink /proc/$$/ns/ipc)" ]
}

@test "the waiting init's fds cannot be borrowed through /proc/PID/fd by a process joined with exec" {
  update_config '.process.args = ["sleep", "1000"]'
  bash -c "exec 5</ 6<$TEST_TMP; $COVE --root $COVE_ROOT create --bundle $BUNDLE ct >/dev/null 2>&1"
  # the created container's pid namespace: its pid 1 is the waiting init
  run cove exec --cap CAP_SYS_PTRACE --cap CAP_DAC_READ_SEARCH ct sh -c \
    'for f in /proc/1/fd/*; do [ -d "$f" ] && { echo "dir $f"; ls "$f/tmp"; }; done; true'
  refute_output --partial "$(HOST_MARK)"
  refute_output --partial "dir "
}

@test "a process joined with exec holds no host fd while it waits inside the container" {
  local sock=$TEST_TMP/agent.sock i child="" init mnt
  # a seccomp agent that takes the init's notify fd and then stops answering: the exec child
  # waits for the hand-over of its own notify fd, inside the container's namespaces
  "$COVE_TEST_HELPER" stall-listen "$sock" 1 3>&- &
  STALL_PID=$!
  update_config ".process.args = [\"sleep\", \"1000\"] | .linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
      listenerPath: \"$sock\", syscalls: [{names: [\"getppid\"], action: \"SCMP_ACT_NOTIFY\"}]}"
  for ((i = 0; i < 200; i++)); do [ -S "$sock" ] && break; sleep 0.02; done
  start_bg ct
  for ((i = 0; i < 200; i++)); do [ -e "$sock.ready" ] && break; sleep 0.02; done
  [ -e "$sock.ready" ]
  init=$(cove state ct | jq -r .pid)
  mnt=$(readlink /proc/"$init"/ns/mnt)
  bash -c "exec 5</ 6<$TEST_TMP; exec $COVE --root $COVE_ROOT exec ct true" </dev/null >"$TEST_TMP/exec.out" 2>&1 3>&- &
  # the child is in the container's cgroup; once it is in the container's mount namespace it
  # must already be clean
  for ((i = 0; i < 500; i++)); do
    for p in $(cat "$(cg_path pids)/cgroup.procs" 2>/dev/null); do
      [ "$p" != "$init" ] && [ "$(readlink /proc/"$p"/ns/mnt 2>/dev/null)" = "$mnt" ] && child=$p
    done
    [ -n "$child" ] && break
    sleep 0.01
  done
  [ -n "$child" ]
  run foreign_fds "$child" '^socket:\[[0-9]+\]$'
  assert_output ""
  run bash -c "readlink /proc/$child/fd/* | grep -c ."
  # stdio and its sync socket to cove exec
  assert_output 4
}

@test "hooks that run in the container's namespaces take no host fd along (createContainer, startContainer)" {
  mkdir -p "$TEST_TMP/out"
  update_config ".mounts += [{destination: \"/out\", type: \"bind\", source: \"$TEST_TMP/out\", options: [\"rbind\", \"rw\"]}]
    | .hooks.createContainer = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"$COVE_TEST_HELPER fds >$TEST_TMP/out/create.fds\"]}]
    | .hooks.startContainer = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"cove-test-helper fds >/out/start.fds\"]}]
    | .process.args = [\"true\"]"
  run bash -c "exec 5</ 6<$TEST_TMP; $COVE --root $COVE_ROOT run --bundle $BUNDLE t1 2>&1"
  assert_success
  run cat "$TEST_TMP/out/create.fds"
  assert_output $'0\n1\n2'
  run cat "$TEST_TMP/out/start.fds"
  assert_output $'0\n1\n2'
}

@test "a createContainer hook that is a script runs in the container's namespaces, only its own fd added" {
  mkdir -p "$TEST_TMP/out"
  printf '#!/bin/sh\n%s fds >%s/out/create.fds\nreadlink /proc/self/ns/mnt >>%s/out/create.fds\n' \
    "$COVE_TEST_HELPER" "$TEST_TMP" "$TEST_TMP" >"$TEST_TMP/hook.sh"
  chmod +x "$TEST_TMP/hook.sh"
  update_config ".hooks.createContainer = [{path: \"$TEST_TMP/hook.sh\"}] | .process.args = [\"sleep\", \"100\"]"
  cove create --bundle "$BUNDLE" t1
  local init
  init=$(cove state t1 | jq -r .pid)
  # the kernel runs a script from an fd through /dev/fd/N: that one fd (the script, opened
  # read-only by path) is the only one besides stdio; nothing else of cove's or its caller's
  run head -n -1 "$TEST_TMP/out/create.fds"
  assert_line --index 0 0
  assert_line --index 1 1
  assert_line --index 2 2
  [ "${#lines[@]}" -le 4 ]
  run tail -n 1 "$TEST_TMP/out/create.fds"
  assert_output "$(readlink /proc/"$init"/ns/mnt)"
}

@test "--preserve-fds naming fds the caller left closed passes /dev/null there, never an fd of cove's" {
  update_config '.process.args = ["sh", "-c", "for f in 0 1 2 3 4; do readlink /proc/self/fd/$f; done; ls /proc/self/fd/3/ 2>&1 | head -n 3"]'
  # stdin closed too: nothing of cove's may land on 0 either
  run bash -c "exec 0<&- 3<&- 4<&-; $COVE --root $COVE_ROOT run --preserve-fds 2 --bundle $BUNDLE t1 2>&1"
  assert_success
  assert_line --index 0 /dev/null
  assert_line --index 3 /dev/null
  assert_line --index 4 /dev/null
  refute_output --partial "$COVE_ROOT"
  refute_output --partial t1
}

@test "process.args[0] through /proc/self/fd/N never runs a host binary (the advisory's attack 3)" {
  # a static binary only the host has (busybox, named for its echo applet); reached through a
  # host directory fd it would run in the container's namespaces
  mkdir "$TEST_TMP/hostbin"
  cp "$BUSYBOX" "$TEST_TMP/hostbin/echo"
  local n rel=${TEST_TMP#/}/hostbin
  for n in 5 7; do
    update_config ".process.args = [\"/proc/self/fd/$n/$rel/echo\", \"ESCAPED\"]"
    run bash -c "exec 5</ 7</; $COVE --root $COVE_ROOT run --bundle $BUNDLE a$n 2>&1"
    refute_output --partial ESCAPED
    assert_failure
  done
}

@test "exec of a path through /proc/self/fd/N never runs a host binary" {
  mkdir "$TEST_TMP/hostbin"
  cp "$BUSYBOX" "$TEST_TMP/hostbin/echo"
  update_config '.process.args = ["sleep", "1000"]'
  start_bg ct
  local n rel=${TEST_TMP#/}/hostbin
  for n in 3 4 5 6 7 8 9 10; do
    # cove exec's own fds (state dir, cgroup dirs) and the caller's (5, 7: the host's /)
    run bash -c "exec 5</ 7</; $COVE --root $COVE_ROOT exec ct /proc/self/fd/$n/$rel/echo ESCAPED 2>&1"
    refute_output --partial ESCAPED
    assert_failure
  done
}
