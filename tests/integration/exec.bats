#!/usr/bin/env bats
# exec: a new process in a running container: exit status, env/cwd/user/caps as configured, the
# same namespaces as the init, in its cgroup, a tty through a console socket, --detach with
# --pid-file, errors for stopped and paused containers, 50 execs with no leaked processes, and
# no way back to the host through cove.

load helpers

setup() {
  setup_bundle
  update_config '.process.args = ["sleep", "1000"] | .process.env += ["FROM_CONFIG=yes", "OVER=config"]'
  cove run -d --bundle "$BUNDLE" ct
  INIT=$(cove state ct | jq -r .pid)
}

teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  [ -n "${BG:-}" ] && kill -9 "$BG" 2>/dev/null
  teardown_bundle
}

@test "exit status of the exec'd process is cove's" {
  run cove exec ct sh -c 'exit 42'
  assert_failure 42
  run cove exec ct true
  assert_success
}

@test "a process killed by a signal exits 128+N" {
  run cove exec ct sh -c 'kill -9 $$'
  assert_failure 137
}

@test "the same namespaces as the init" {
  run cove exec ct cove-test-helper ns
  assert_success
  local ns
  for ns in cgroup ipc mnt net pid uts; do
    [ "$(awk -v n="$ns" '$1 == n {print $2}' <<<"$output")" = "$(stat -L -c %i /proc/"$INIT"/ns/"$ns")" ] || { echo "$ns differs" >&2; return 1; }
  done
}

@test "in the container's cgroup" {
  run cove exec ct sh -c 'cat /proc/self/cgroup'
  assert_success
  cove exec -d --pid-file "$TEST_TMP/pid" ct sleep 100 >/dev/null 2>&1
  grep -qx "$(cat "$TEST_TMP/pid")" /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
  grep -qx "$(cat "$TEST_TMP/pid")" /sys/fs/cgroup/memory"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
}

@test "env: the container's, merged under --env" {
  run cove exec -e OVER=cli -e NEW=1 ct sh -c 'echo $FROM_CONFIG $OVER $NEW'
  assert_success
  assert_output "yes cli 1"
}

@test "cwd, user, additional gids" {
  run cove exec --cwd /tmp -u 1000:1001 -g 5 -g 6 ct sh -c 'pwd; cove-test-helper ids'
  assert_success
  assert_line --index 0 /tmp
  assert_line --index 1 "uid=1000 gid=1001 groups=5,6 umask=0022"
}

@test "capabilities and no_new_privs of the container's process, --cap adds" {
  run cove exec ct cove-test-helper caps
  assert_success
  assert_line "CapBnd:	0000000020000420"
  assert_line "NoNewPrivs:	1"
  run cove exec --cap CAP_SYS_ADMIN ct cove-test-helper caps
  assert_success
  assert_line "CapBnd:	0000000020200420"
}

@test "rlimits of the container apply" {
  run cove exec ct cove-test-helper rlimit NOFILE
  assert_success
  assert_output "1024 1024"
}

@test "--process FILE" {
  jq -n '{args: ["sh", "-c", "echo $A $FROM_CONFIG; pwd"], env: ["A=from-file"], cwd: "/dev", user: {uid: 0, gid: 0}}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_success
  assert_line --index 0 "from-file yes"
  assert_line --index 1 /dev
}

@test "--detach with --pid-file" {
  cove exec -d --pid-file "$TEST_TMP/pid" ct sleep 100 >/dev/null 2>&1
  local pid
  pid=$(cat "$TEST_TMP/pid")
  [ -d /proc/"$pid" ]
  [ "$(stat -L -c %i /proc/"$pid"/ns/pid)" = "$(stat -L -c %i /proc/"$INIT"/ns/pid)" ]
}

@test "--tty through a console socket" {
  SOCK=$TEST_TMP/console.sock
  "$COVE_TEST_HELPER" recvtty "$SOCK" >"$TEST_TMP/tty.out" 2>/dev/null &
  RECV_PID=$!
  for _ in $(seq 200); do [ -e "$SOCK.ready" ] && break; sleep 0.01; done
  cove exec -t -d --console-socket "$SOCK" ct sh -c 'tty; echo on-tty' >/dev/null 2>&1
  wait "$RECV_PID"
  RECV_PID=
  grep -q on-tty "$TEST_TMP/tty.out"
  grep -Eq '^/dev/pts/[0-9]+' "$TEST_TMP/tty.out"
}

@test "-t in the foreground proxies the terminal" {
  command -v script >/dev/null || skip "needs script(1)"
  run script -qec "$COVE --root $COVE_ROOT exec -t ct sh -c 'tty; exit 4'" /dev/null
  assert_failure 4
  assert_output --regexp '/dev/pts/[0-9]+'
}

@test "exec into a stopped container fails clearly" {
  cove kill ct KILL
  wait_for_state ct stopped
  run cove exec ct true
  assert_failure 255
  assert_output "cove: exec ct: the container is stopped: cannot exec in it"
}

@test "exec into a container that does not exist" {
  run cove exec ghost true
  assert_failure 255
  assert_output "cove: exec ghost: container \`ghost\` does not exist"
}

@test "exec into a paused container fails unless --ignore-paused" {
  run cove pause ct
  assert_success
  run cove exec ct true
  assert_failure 255
  assert_output --partial "paused"
  # --ignore-paused: the process is made in the frozen cgroup and stays frozen there (it cannot
  # print) until the resume, then runs to its end (the count of the unified cgroup's procs, as
  # locks.bats: a process cloned into it frozen stops there before it reaches the v1 ones)
  "$COVE" --root "$COVE_ROOT" exec --ignore-paused ct echo exec-ran >"$TEST_TMP/exec.out" 2>&1 &
  BG=$!
  local i procs=$(cg_path)/cgroup.procs
  [ -f "$procs" ] || procs=$(cg_path pids)/cgroup.procs
  for ((i = 0; i < 500; i++)); do [ "$(wc -l <"$procs")" -ge 2 ] && break; sleep 0.01; done
  [ "$(wc -l <"$procs")" -ge 2 ]
  kill -0 "$BG"
  [ ! -s "$TEST_TMP/exec.out" ]
  run timeout 10 "$COVE" --root "$COVE_ROOT" resume ct
  assert_success
  run timeout 10 bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 0.01; done' "$BG"
  assert_success
  wait "$BG"
  BG=
  run cat "$TEST_TMP/exec.out"
  assert_output exec-ran
  run cove exec ct true
  assert_success
}

@test "args[0] not found is a clear error" {
  run cove exec ct no-such-thing
  assert_failure 255
  assert_output "cove: exec ct: exec \`no-such-thing\`: executable file not found in \$PATH"
}

@test "50 execs in a row leave no process behind" {
  local i
  for i in $(seq 50); do
    cove exec ct true
  done
  run cat /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
  assert_output "$INIT"
  [ -z "$(pgrep -f "cove --root $COVE_ROOT exec")" ]
}

@test "the exec'd process sees only fds 0-2 and cannot rewrite cove through /proc/PID/exe" {
  local before
  before=$(sha256sum "$COVE" | cut -d' ' -f1)
  run bash -c "exec 5</etc/hostname; $COVE --root $COVE_ROOT exec ct cove-test-helper fds"
  assert_success
  assert_output $'0\n1\n2'
  # a cove exec waiting in the container (its tty handshake) is a sealed memfd too
  cove exec -d --pid-file "$TEST_TMP/pid" ct sleep 100 >/dev/null 2>&1
  run cove exec --cap CAP_SYS_PTRACE ct sh -c 'for p in /proc/[0-9]*; do readlink $p/exe; done'
  refute_output --partial "$COVE"
  [ "$(sha256sum "$COVE" | cut -d' ' -f1)" = "$before" ]
}

@test "usage errors exit 255 too: never mistaken for the process's status" {
  run cove exec
  assert_failure 255
  run cove exec ct
  assert_failure 255
}

@test "--cgroup CONTROLLER:SUB puts the process in that sub-cgroup" {
  mkdir /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/sub
  cove exec -d --cgroup pids:sub --pid-file "$TEST_TMP/pid" ct sleep 100 >/dev/null 2>&1
  local pid
  pid=$(cat "$TEST_TMP/pid")
  grep -qx "$pid" /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/sub/cgroup.procs
  grep -qx "$pid" /sys/fs/cgroup/memory"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
  run cove exec --cgroup pids:nope ct true
  assert_failure 255
  assert_output --partial "sub-cgroup"
}

@test "exec: HOME from the container's /etc/passwd, with and without --process and --user (runc)" {
  run cove exec ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/root"
  run cove exec --user 65534 ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/nonexistent"
  run cove exec --user 4242:4242 ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/"
  jq -n '{args: ["sh", "-c", "env | grep ^HOME="], cwd: "/", user: {uid: 65534, gid: 65534}}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_success
  assert_output "HOME=/nonexistent"
  # a HOME given wins
  run cove exec --env HOME=/given ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/given"
  # an empty HOME is no HOME: the passwd entry's takes its place (one HOME, as for run)
  run cove exec --env HOME= ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/root"
  run cove exec --env HOME= --user 65534 ct sh -c 'env | grep ^HOME='
  assert_success
  assert_output "HOME=/nonexistent"
  jq -n '{args: ["sh", "-c", "env | grep ^HOME="], cwd: "/", env: ["HOME="], user: {uid: 65534, gid: 65534}}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_success
  assert_output "HOME=/nonexistent"
}

@test "exec --cap raises the capability in the ambient set too when the config has inheritable ones (runc)" {
  # CAP_NET_RAW = 13, CAP_KILL = 5
  update_config '.linux.cgroupsPath += "-inh" | .process.capabilities.bounding += ["CAP_NET_RAW"]
    | .process.capabilities.inheritable = ["CAP_NET_RAW", "CAP_KILL"]'
  cove run -d --bundle "$BUNDLE" ct2
  run cove exec --user 1000 --cap CAP_NET_RAW ct2 cove-test-helper caps
  assert_success
  assert_line "CapAmb:	$(printf '%016x' $((1 << 13)))"
  # a non-root process keeps what is ambient: the capability is usable
  assert_line "CapEff:	$(printf '%016x' $((1 << 13)))"
  # without inheritable ones in the config: bounding, effective, permitted, not ambient
  run cove exec --user 1000 --cap CAP_NET_RAW ct cove-test-helper caps
  assert_success
  assert_line "CapAmb:	0000000000000000"
  # a --cap that is not inheritable cannot be raised: said, naming it
  run cove exec --user 1000 --cap CAP_SYS_NICE ct2 cove-test-helper caps
  assert_success
  assert_output --partial "capability CAP_SYS_NICE (ambient set) cannot be raised: it is not in the inheritable set"
  # an unknown name is a warning and skipped, as in the config (runc)
  run cove exec --cap CAP_NO_SUCH_THING ct cove-test-helper caps
  assert_success
  assert_output --partial "CAP_NO_SUCH_THING"
  assert_line "CapBnd:	0000000020000420"
}
