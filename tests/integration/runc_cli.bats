#!/usr/bin/env bats
# runc's command line as engines and scripts call it: flags after the id, runc's update flags,
# kill 0, ps of a stopped container, list order and what --root holds, run --keep,
# --pidfd-socket, exit codes, help.  Each behaviour was compared with runc 1.1.5 (and runc 1.2's
# source for --pidfd-socket, --cpu-burst and --cpu-idle).

load helpers

setup() {
  requires root
  setup_bundle
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
}

teardown() {
  [ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
  teardown_bundle
}

cg_read() {
  if [ "$(cgroup_mode)" = unified ]; then cat "$(cg_path)/$2"; else cat "$(cg_path "$1")/$3"; fi
}

@test "flags after the container id are accepted, as runc's urfave/cli reorders them" {
  start_bg c1
  cove update c1 --memory 64m --pids-limit 9
  [ "$(cg_read memory memory.max memory.limit_in_bytes)" = 67108864 ]
  [ "$(cg_read pids pids.max pids.max)" = 9 ]
  run cove events c1 --stats
  assert_success
  [ "$(jq -r .type <<<"$output")" = stats ]
  run cove kill c1 0 --all
  assert_success
  # "--" ends the flags: what follows is an argument even if it looks like one
  run cove kill -- c1 --all
  assert_failure 2
  assert_output --partial "invalid signal \`--all\`"
  cove delete c1 --force
  run cove state c1
  assert_failure
}

@test "exec and ps end their flags at the container id: the command keeps its own" {
  start_bg c1
  run cove exec c1 sh -c 'echo "$0 $1"' --tty -e
  assert_success
  assert_output "--tty -e"
  run cove ps c1 -o pid,args
  assert_success
  assert_line --index 0 --regexp '^ *PID +COMMAND'
  assert_output --partial "cove-test-helper sleep-forever"
}

@test "update --cpu-share, --cpu-burst, --cpu-idle (runc's spellings) reach the cgroup" {
  start_bg c1
  cove update c1 --cpu-share 512 --cpu-quota 20000 --cpu-period 100000
  if [ "$(cgroup_mode)" = unified ]; then
    [ "$(cat "$(cg_path)/cpu.weight")" = 20 ]
  else
    check_cgroup_value cpu cpu.shares 512
  fi
  local burst=cpu.cfs_burst_us idle=cpu.idle
  [ "$(cgroup_mode)" = unified ] && burst=cpu.max.burst
  if [ -f "$(cg_path cpu)/$burst" ]; then
    cove update --cpu-burst 5000 c1
    [ "$(cg_read cpu cpu.max.burst cpu.cfs_burst_us)" = 5000 ]
  fi
  # the old spelling still works; a bad value names the flag
  cove update --cpu-shares 256 c1
  [ "$(cgroup_mode)" = unified ] || check_cgroup_value cpu cpu.shares 256
  # (an idle cgroup takes no shares: last)
  if [ -f "$(cg_path cpu)/$idle" ]; then
    cove update c1 --cpu-idle 1
    [ "$(cg_read cpu cpu.idle cpu.idle)" = 1 ]
  fi
  run cove update c1 --cpu-burst lots
  assert_failure 2
  assert_output --partial "--cpu-burst: expected a non-negative integer, got \`lots\`"
}

@test "update records the new limits in the container's stored config; other fields are kept" {
  update_config '.linux.resources.memory = {limit: 134217728, reservation: 8388608}'
  start_bg c1
  cove update c1 --memory 64m --pids-limit 21
  local cfg=$COVE_ROOT/c1/config.json
  [ "$(jq .linux.resources.memory.limit "$cfg")" = 67108864 ]
  [ "$(jq .linux.resources.memory.reservation "$cfg")" = 8388608 ]
  [ "$(jq .linux.resources.pids.limit "$cfg")" = 21 ]
  [ "$(jq -c .process.args "$cfg")" = '["/bin/cove-test-helper","sleep-forever"]' ]
  [ "$(jq -c .linux.resources.devices "$cfg")" = '[{"allow":false,"access":"rwm"}]' ]
  # a later update lays its values over the recorded ones; devices are never changed by update
  echo '{"cpu": {"shares": 300}, "devices": [{"allow": true, "access": "rwm"}]}' >"$TEST_TMP/res.json"
  cove update --resources "$TEST_TMP/res.json" c1
  [ "$(jq .linux.resources.cpu.shares "$cfg")" = 300 ]
  [ "$(jq .linux.resources.memory.limit "$cfg")" = 67108864 ]
  [ "$(jq .linux.resources.pids.limit "$cfg")" = 21 ]
  [ "$(jq -c .linux.resources.devices "$cfg")" = '[{"allow":false,"access":"rwm"}]' ]
  # and exec, which reads the stored config, still works with the rewritten one
  run cove exec c1 true
  assert_success
}

@test "kill ID 0 is a liveness probe: 0 while the init runs, 1 once it is gone" {
  start_bg c1
  run cove kill c1 0
  assert_success
  cove kill c1 KILL
  wait_for_state c1 stopped
  run cove kill c1 0
  assert_failure 1
  assert_output --partial "not running"
}

@test "ps of a stopped container prints the header and exits 0 (json: [])" {
  update_config '.process.args = ["/bin/true"]'
  cove run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1 3>&-
  wait_for_state c1 stopped
  run cove ps c1
  assert_success
  assert_line --index 0 --regexp '^UID +PID +PPID'
  [ "${#lines[@]}" -eq 1 ]
  run cove ps --format json c1
  assert_success
  assert_output "[]"
}

@test "list sorts by id in every format" {
  update_config '.process.args = ["/bin/true"]'
  local id
  for id in mid zeta alpha beta; do
    update_config ".linux.cgroupsPath = \"$TEST_CGROUP_PARENT/$id\""
    cove create -b "$BUNDLE" "$id"
  done
  run cove list -q
  assert_success
  assert_output "$(printf 'alpha\nbeta\nmid\nzeta')"
  run cove list --format json
  [ "$(jq -r '.[].id' <<<"$output" | tr '\n' ' ')" = "alpha beta mid zeta " ]
  run cove list
  [ "$(awk 'NR > 1 {print $1}' <<<"$output" | tr '\n' ' ')" = "alpha beta mid zeta " ]
}

@test "cove's own data under --root is never a container: ids such as seccomp-cache and net are free" {
  # a seccomp profile fills the compiled-filter cache under the root
  update_config '.process.args = ["/bin/true"] | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["getppid"], action: "SCMP_ACT_ERRNO"}]}'
  cove run -b "$BUNDLE" first </dev/null
  local id
  for id in seccomp-cache net; do
    update_config ".linux.cgroupsPath = \"$TEST_CGROUP_PARENT/$id\""
    cove create -b "$BUNDLE" "$id"
  done
  run cove list -q
  assert_output "$(printf 'net\nseccomp-cache')"
  # everything under the root that is not a dot-entry is a container list shows
  [ "$(ls "$COVE_ROOT" | tr '\n' ' ')" = "net seccomp-cache " ]
  [ -d "$COVE_ROOT/.cove/seccomp-cache" ]
  cove delete seccomp-cache
  cove delete net
  [ "$(ls "$COVE_ROOT")" = "" ]
  # the cache outlives the containers and still serves the next one
  [ -n "$(ls "$COVE_ROOT/.cove/seccomp-cache")" ]
}

@test "run --keep keeps the stopped container and its cgroup until delete" {
  update_config '.process.args = ["/bin/cove-test-helper", "exit", "3"]'
  run cove run --keep -b "$BUNDLE" c1 </dev/null
  assert_failure 3
  run cove state c1
  assert_success
  [ "$(jq -r .status <<<"$output")" = stopped ]
  local cg
  cg=$(cg_path pids)
  [ -d "$cg" ]
  cove delete c1
  [ ! -d "$cg" ]
  run cove state c1
  assert_failure
  # without --keep the container is gone when run returns
  run cove run -b "$BUNDLE" c2 </dev/null
  assert_failure 3
  run cove state c2
  assert_failure
}

# pidfd_listen SOCK: a receiver that takes one pidfd (runc 1.2's protocol: SCM_RIGHTS, the
# payload the kind of process) and prints "PAYLOAD PID" (the pid from the fd's fdinfo); once the
# test says so (recv_kill), it SIGKILLs the process through the pidfd, which only a real pidfd of
# that process can do.
pidfd_listen() {
  rm -f "$1" "$1.ready" "$1.go"
  RECV_SOCK=$1
  python3 - "$1" >"$TEST_TMP/pidfd.out" 2>&1 <<'EOF' &
import os, signal, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 4096, 4)
assert len(fds) == 1, fds
pid = [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fds[0]) if l.startswith("Pid:")][0]
print(msg.decode(), pid, flush=True)
for _ in range(3000):
    if os.path.exists(sys.argv[1] + ".go"):
        break
    time.sleep(0.01)
signal.pidfd_send_signal(fds[0], signal.SIGKILL)
print("killed", flush=True)
EOF
  RECV_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do [ -e "$1.ready" ] && return 0; sleep 0.02; done
  return 1
}

# The receiver's "PAYLOAD PID" line (bounded wait).
recv_line() {
  local i
  for ((i = 0; i < 500; i++)); do
    [ -s "$TEST_TMP/pidfd.out" ] && { head -n1 "$TEST_TMP/pidfd.out"; return 0; }
    sleep 0.02
  done
  return 1
}

recv_kill() {
  touch "$RECV_SOCK.go"
  wait "$RECV_PID"
  RECV_PID=
  grep -q '^killed$' "$TEST_TMP/pidfd.out"
}

@test "create, run and exec --pidfd-socket send a pidfd of the process (runc 1.2)" {
  pidfd_listen "$TEST_TMP/p.sock"
  cove create --pidfd-socket "$TEST_TMP/p.sock" -b "$BUNDLE" c1
  run recv_line
  assert_output "standard $(cove state c1 | jq .pid)"
  recv_kill
  wait_for_state c1 stopped
  cove delete c1

  pidfd_listen "$TEST_TMP/p.sock"
  cove run -d --pidfd-socket "$TEST_TMP/p.sock" -b "$BUNDLE" c2 </dev/null >/dev/null 2>&1 3>&-
  run recv_line
  assert_output "standard $(cove state c2 | jq .pid)"
  [ "$(cove state c2 | jq -r .status)" = running ]
  recv_kill
  wait_for_state c2 stopped
  cove delete c2

  start_bg c3
  pidfd_listen "$TEST_TMP/p.sock"
  cove exec -d --pidfd-socket "$TEST_TMP/p.sock" --pid-file "$TEST_TMP/e.pid" c3 /bin/cove-test-helper sleep-forever
  local epid
  epid=$(cat "$TEST_TMP/e.pid")
  run recv_line
  assert_output "setns $epid"
  [[ " $(cove ps --format json c3 | jq -r '.[]' | tr '\n' ' ') " == *" $epid "* ]]
  recv_kill
  # the exec'd process is gone from the container, the init is not
  local i
  for ((i = 0; i < 200; i++)); do
    [[ " $(cove ps --format json c3 | jq -r '.[]' | tr '\n' ' ') " == *" $epid "* ]] || break
    sleep 0.02
  done
  [[ " $(cove ps --format json c3 | jq -r '.[]' | tr '\n' ' ') " != *" $epid "* ]]
  [ "$(cove state c3 | jq -r .status)" = running ]
}

@test "--pidfd-socket nobody listens on fails create with nothing left behind" {
  run cove create --pidfd-socket "$TEST_TMP/none.sock" -b "$BUNDLE" c1
  assert_failure 1
  assert_output --partial "pidfd socket \`$TEST_TMP/none.sock\`: No such file or directory"
  run cove state c1
  assert_failure
  [ ! -d "$(cg_path pids)" ]
}

@test "exec failures of cove itself exit 255, as runc's: the process's own status passes through" {
  run cove exec nosuch true
  assert_failure 255
  assert_output --partial "container \`nosuch\` does not exist"
  run cove exec --frobnicate nosuch true
  assert_failure 255
  run cove exec nosuch
  assert_failure 255
  start_bg c1
  run cove exec c1 sh -c 'exit 7'
  assert_failure 7
  run cove exec c1 /nonexistent
  assert_failure 255
  cove kill c1 KILL
  wait_for_state c1 stopped
  run cove exec c1 true
  assert_failure 255
}

@test "--help prints one usage block; help COMMAND and COMMAND --help describe every command" {
  run "$COVE" --help
  assert_success
  [ "$(grep -c '^usage:' <<<"$output")" -eq 1 ]
  run "$COVE" help
  assert_success
  [ "$(grep -c '^usage:' <<<"$output")" -eq 1 ]
  local verb
  for verb in $("$COVE" --help | awk '/^commands:/ {on=1; next} /^$/ {on=0} on {print $1}'); do
    run "$COVE" "$verb" --help
    assert_success
    assert_line --index 0 --regexp "^usage: cove $verb"
    [ "$(grep -c '^usage:' <<<"$output")" -eq 1 ]
    run "$COVE" help "$verb"
    assert_success
    assert_line --index 0 --regexp "^usage: cove $verb"
  done
}
