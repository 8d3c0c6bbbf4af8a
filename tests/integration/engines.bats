#!/usr/bin/env bats
# engines.bats: cove driven by the engines that drive runc: podman (through conmon) and containerd
# (its runc shim, with cove as the binary): the commands, flags, exit codes and JSON they rely on.
# Each test has its own podman store or containerd, runtime state root and cgroup parent
# (tests/engines/podman.bash, tests/engines/containerd.bash), removed in teardown even on failure.
# Against runc for comparison: ENGINE_RUNTIME=/usr/sbin/runc bats tests/integration/engines.bats

bats_require_minimum_version 1.5.0

load helpers
load ../engines/podman
load ../engines/containerd

# tests named "containerd: ..." run on a containerd of their own, the others on podman
setup() {
  if [[ $BATS_TEST_DESCRIPTION == containerd:* ]]; then
    requires root containerd
    ctrd_setup
  else
    requires root podman
    engines_setup
  fi
}

teardown() {
  ctrd_teardown
  engines_teardown
}

@test "podman run --rm: stdout, stderr and the exit status of the container" {
  run pod run --rm "$ENGINE_IMAGE" sh -c 'echo out; echo err >&2; exit 7'
  assert_equal "$status" 7
  assert_line out
  assert_line err

  run pod run --rm "$ENGINE_IMAGE" true
  assert_success
  assert_output ""
  # --rm left nothing in the runtime's state root
  run engine_runtime list -q
  assert_success
  assert_output ""
}

@test "podman run: a container killed by a signal exits 128+N, in the foreground too" {
  pod run --name fg "$ENGINE_IMAGE" sleep 1000 >"$ENG_TMP/fg.out" 2>&1 &
  local fg=$!
  pod_wait_status fg running
  run pod kill -s KILL fg
  assert_success
  local rc=0
  wait "$fg" || rc=$?
  assert_equal "$rc" 137
  run pod inspect -f '{{.State.ExitCode}} {{.State.Status}}' fg
  assert_output "137 exited"
}

@test "podman run -d, ps, logs, stop, rm" {
  run pod run -d --name web "$ENGINE_IMAGE" sh -c 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
  assert_success
  local id=$output
  pod_wait_status web running
  run pod ps --format '{{.Names}} {{.Status}}'
  assert_output --regexp '^web Up '
  run pod inspect -f '{{.State.Status}}' web
  assert_output running
  # the runtime's own state agrees with podman's
  run engine_runtime state "$id"
  assert_success
  assert_equal "$(jq -r .status <<<"$output")" running
  assert_equal "$(jq -r .pid <<<"$output")" "$(pod inspect -f '{{.State.Pid}}' web)"

  run pod logs web
  assert_output started
  local memcg
  memcg=$(dirname "$(host_cgroup_file web memory cgroup.procs)")
  [ -d "$memcg" ]
  # SIGTERM reaches the trap: a clean stop, not a SIGKILL after the timeout
  run pod stop -t 10 web
  assert_success
  run pod inspect -f '{{.State.ExitCode}} {{.State.Status}}' web
  assert_output "0 exited"
  run pod logs web
  assert_line bye

  run pod rm web
  assert_success
  run pod ps -a -q
  assert_output ""
  run engine_runtime list -q
  assert_output ""
  # the runtime's delete removed the container's cgroup
  [ ! -d "$memcg" ]
}

@test "podman exec: output, exit status, --user, --env, -t" {
  pod run -d --name box "$ENGINE_IMAGE" sleep 1000
  pod_wait_status box running

  run pod exec box sh -c 'echo fromexec; exit 5'
  assert_equal "$status" 5
  assert_output fromexec

  run pod exec --user 65534:65534 -e X=y box sh -c 'echo "$X $(id -u) $(id -g)"'
  assert_success
  assert_output "y 65534 65534"

  run pod exec -t box sh -c '[ -t 0 ] && [ -t 1 ] && echo tty'
  assert_success
  assert_output --partial tty

  # the exec'd process is in the container's pid namespace: pid 1 is the container's sleep
  run pod exec box cat /proc/1/cmdline
  assert_output --partial sleep
}

@test "podman run -t: the process gets a terminal" {
  run pod run --rm -t "$ENGINE_IMAGE" sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty $TERM"' </dev/null
  assert_success
  assert_output --partial "tty xterm"
}

@test "podman run --user and --env" {
  run pod run --rm --user 65534:65534 --env FOO=bar "$ENGINE_IMAGE" sh -c 'echo "$FOO $(id -u) $(id -g)"'
  assert_success
  assert_output "bar 65534 65534"
}

@test "podman run --memory --pids-limit: limits seen in the container's cgroups from the host" {
  pod run -d --name lim --memory 64m --pids-limit 50 "$ENGINE_IMAGE" sleep 1000
  pod_wait_status lim running
  local mem pids
  if [ "$(cgroup_mode)" = unified ]; then
    mem=$(host_cgroup_file lim memory memory.max)
  else
    mem=$(host_cgroup_file lim memory memory.limit_in_bytes)
  fi
  pids=$(host_cgroup_file lim pids pids.max)
  # the cgroup is under the parent podman was given
  [[ $mem == *"$TEST_CGROUP_PARENT/"* ]]
  run cat "$mem"
  assert_output 67108864
  run cat "$pids"
  assert_output 50

  run pod stats --no-stream --format '{{.MemUsage}}|{{.PIDs}}' lim
  assert_success
  assert_output --partial '/ 67.11MB|1'
}

@test "podman pause and unpause freeze and thaw the container's cgroup" {
  # a busy loop: its cpu time moves while it runs and stops while it is frozen
  pod run -d --name frz "$ENGINE_IMAGE" sh -c 'while :; do :; done'
  pod_wait_status frz running
  local pid t1 t2
  pid=$(pod inspect -f '{{.State.Pid}}' frz)
  run pod pause frz
  assert_success
  run pod inspect -f '{{.State.Status}}' frz
  assert_output paused
  run is_frozen frz
  assert_success
  t1=$(cut -d' ' -f14 "/proc/$pid/stat")
  sleep 0.3
  t2=$(cut -d' ' -f14 "/proc/$pid/stat")
  assert_equal "$t2" "$t1"

  run pod unpause frz
  assert_success
  run pod inspect -f '{{.State.Status}}' frz
  assert_output running
  run is_frozen frz
  assert_failure
  sleep 0.3
  t2=$(cut -d' ' -f14 "/proc/$pid/stat")
  [ "$t2" -gt "$t1" ]
}

@test "podman top and inspect" {
  pod run -d --name tp "$ENGINE_IMAGE" sleep 1000
  pod_wait_status tp running
  run pod top tp pid args
  assert_success
  assert_line --regexp '^1 +sleep 1000 *$'

  run pod inspect tp
  assert_success
  assert_equal "$(jq -r '.[0].OCIRuntime' <<<"$output")" "$ENG_RUNTIME_WRAPPER"
  assert_equal "$(jq -r '.[0].State.Running' <<<"$output")" true
  local pid
  pid=$(jq -r '.[0].State.Pid' <<<"$output")
  # the pid podman reports is the container's init, seen from the host
  run cat "/proc/$pid/cmdline"
  assert_output --partial sleep
}

@test "podman run -i: stdin reaches the container" {
  run pod run --rm -i "$ENGINE_IMAGE" sh -c 'read x; echo "got $x"' <<<hello
  assert_success
  assert_output "got hello"
}

@test "podman run --read-only, -v ro bind, --tmpfs, --hostname, --cap-add" {
  mkdir "$ENG_TMP/vol"
  echo v >"$ENG_TMP/vol/a"
  run pod run --rm --read-only -v "$ENG_TMP/vol:/vol:ro" --tmpfs /scratch --hostname hh --cap-add SYS_ADMIN \
    "$ENGINE_IMAGE" sh -c 'hostname; cat /vol/a; touch /x /vol/b 2>/dev/null || echo ro; touch /scratch/s && echo scratch-rw
      grep CapEff /proc/self/status'
  assert_success
  assert_line hh
  assert_line v
  assert_line ro
  assert_line scratch-rw
  [ ! -e "$ENG_TMP/vol/b" ]
  # CAP_SYS_ADMIN is bit 21
  local eff
  eff=$(awk '/^CapEff:/ {print $2}' <<<"$output")
  (( (0x$eff >> 21) & 1 ))
}

@test "podman's default seccomp profile is applied; seccomp=unconfined drops it" {
  run pod run --rm "$ENGINE_IMAGE" grep Seccomp: /proc/self/status
  assert_success
  assert_output --regexp 'Seccomp:[[:space:]]+2'
  run pod run --rm --security-opt seccomp=unconfined "$ENGINE_IMAGE" grep Seccomp: /proc/self/status
  assert_success
  assert_output --regexp 'Seccomp:[[:space:]]+0'
}

@test "podman run --init: podman's init is the container's pid 1" {
  run pod run --rm --init "$ENGINE_IMAGE" sh -c 'tr "\0" " " </proc/1/cmdline'
  assert_success
  assert_output --regexp '^/run/podman-init -- sh'
}

@test "podman update changes the memory limit of a running container (cove update --resources)" {
  pod run -d --name up --memory 64m "$ENGINE_IMAGE" sleep 1000
  pod_wait_status up running
  local mem
  if [ "$(cgroup_mode)" = unified ]; then
    mem=$(host_cgroup_file up memory memory.max)
  else
    mem=$(host_cgroup_file up memory memory.limit_in_bytes)
  fi
  run cat "$mem"
  assert_output 67108864
  run pod update --memory 128m up
  assert_success
  run cat "$mem"
  assert_output 134217728
}

@test "podman restart: the container runs again with a new init" {
  pod run -d --name rs "$ENGINE_IMAGE" sleep 1000
  pod_wait_status rs running
  local pid1 pid2
  pid1=$(pod inspect -f '{{.State.Pid}}' rs)
  run pod restart -t 0 rs
  assert_success
  pod_wait_status rs running
  pid2=$(pod inspect -f '{{.State.Pid}}' rs)
  [ "$pid2" -gt 0 ] && [ "$pid2" != "$pid1" ]
  run cat "/proc/$pid2/cmdline"
  assert_output --partial sleep
}

@test "podman run: a missing command exits 127, a non-executable one 126, with the reason" {
  run -127 pod run --rm "$ENGINE_IMAGE" /nonexistent
  assert_output --partial /nonexistent
  assert_output --partial "not found"
  run -126 pod run --rm "$ENGINE_IMAGE" /etc/passwd
  assert_output --partial "permission denied"
}

@test "containers.conf [engine.runtimes]: podman picks the runtime by name and reads its JSON log" {
  cat >>"$ENG_TMP/containers.conf" <<CONF
runtime = "cove"
runtime_supports_json = ["crun", "runc", "cove"]
[engine.runtimes]
cove = ["$ENG_RUNTIME_WRAPPER"]
CONF
  local podman_cmd=(env CONTAINERS_CONF="$ENG_TMP/containers.conf" timeout "$ENGINE_TIMEOUT" podman
    --root "$ENG_TMP/store" --runroot "$ENG_TMP/runroot" --tmpdir "$ENG_TMP/tmpdir"
    --network-config-dir "$ENG_TMP/networks")
  run "${podman_cmd[@]}" info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
  assert_success
  assert_output "cove $ENG_RUNTIME_WRAPPER"
  run "${podman_cmd[@]}" run --rm --cgroup-parent "$TEST_CGROUP_PARENT" "$ENGINE_IMAGE" echo by-name
  assert_success
  assert_output by-name
  # with runtime_supports_json podman passes --log-format=json --log FILE to create and reports
  # the runtime's error from that file (from stderr it would prefix the runtime's path)
  run -127 "${podman_cmd[@]}" run --rm --cgroup-parent "$TEST_CGROUP_PARENT" "$ENGINE_IMAGE" /nonexistent
  assert_output --partial /nonexistent
  refute_output --partial "Error: $ENG_RUNTIME_WRAPPER:"
}

@test "containerd: ctr run with cove as the runc shim's binary: output and exit status" {
  run ctrd_run c1 --rm -- sh -c 'echo hello from ctr; echo err >&2; exit 4'
  assert_equal "$status" 4
  assert_line "hello from ctr"
  assert_line err
  run ctrd_run c2 --rm -- true
  assert_success
  run ctrc container ls -q
  assert_output ""
}

@test "containerd: detached task: memory limit from the host, exec, ps, pause, resume, kill, delete" {
  run ctrd_run d1 -d --memory-limit 67108864 -- sleep 1000
  assert_success
  run ctrc task ls
  assert_line --regexp '^d1 +[0-9]+ +RUNNING'
  local pid mem
  pid=$(ctrc task ls | awk '$1 == "d1" {print $2}')
  run ctrd_runtime state d1
  assert_success
  assert_equal "$(jq -r .pid <<<"$output")" "$pid"
  if [ "$(cgroup_mode)" = unified ]; then
    mem=/sys/fs/cgroup$TEST_CGROUP_PARENT/d1/memory.max
  else
    mem=/sys/fs/cgroup/memory$TEST_CGROUP_PARENT/d1/memory.limit_in_bytes
  fi
  run cat "$mem"
  assert_output 67108864

  run ctrc task exec --exec-id e1 d1 sh -c 'echo in-exec; exit 3'
  assert_equal "$status" 3
  assert_output in-exec
  # the shim's `ps --format json` of the runtime
  run ctrc task ps d1
  assert_success
  assert_line --regexp "^$pid "

  run ctrc task pause d1
  assert_success
  run ctrc task ls
  assert_line --regexp '^d1 +[0-9]+ +PAUSED'
  run ctrc task resume d1
  assert_success
  run ctrc task ls
  assert_line --regexp '^d1 +[0-9]+ +RUNNING'

  run ctrc task kill -s KILL d1
  assert_success
  local i
  for ((i = 0; i < 100; i++)); do
    ctrc task ls | grep -Eq '^d1 +[0-9]+ +STOPPED' && break
    sleep 0.05
  done
  run ctrc task delete d1
  assert_success
  assert_output --partial 137
  run ctrc container delete d1
  assert_success
  # delete removed the container's cgroup and its runtime state
  [ ! -e "$mem" ]
  run ctrd_runtime list -q
  assert_output ""
}

@test "podman run -t: the terminal is /dev/pts/0 of the container's devpts, bound at /dev/console" {
  run pod run --rm -t "$ENGINE_IMAGE" sh -c 'tty; readlink /proc/self/fd/0; stat -c "%a %u:%g %t:%T" /dev/console /dev/pts/0' </dev/null
  assert_success
  assert_line --index 0 $'/dev/pts/0\r'
  assert_line --index 1 $'/dev/pts/0\r'
  # mode 0620, group tty (5), and /dev/console is the same pty (major 0x88)
  assert_line --index 2 $'620 0:5 88:0\r'
  assert_line --index 3 $'620 0:5 88:0\r'
}

@test "podman run --device: the node is in the container and usable (podman's fileMode carries the type bits)" {
  run pod run --rm --device /dev/zero:/dev/cove-zero "$ENGINE_IMAGE" sh -c 'stat -c "%F %t:%T" /dev/cove-zero; head -c 3 /dev/cove-zero | od -An -tx1'
  assert_success
  assert_line --index 0 "character special file 1:5"
  assert_line --index 1 " 00 00 00"
}

@test "podman run --privileged: every capability of the bounding set, no seccomp, /sys writable, the host's devices" {
  local bnd
  bnd=$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)
  run pod run --rm "$ENGINE_IMAGE" sh -c '[ -c /dev/kmsg ] && echo kmsg || echo no-kmsg'
  assert_output no-kmsg
  run pod run --rm --privileged "$ENGINE_IMAGE" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep " /sys " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1; [ -c /dev/kmsg ] && echo kmsg'
  assert_success
  assert_line --regexp "^CapEff:[[:space:]]+$bnd\$"
  assert_line --regexp '^Seccomp:[[:space:]]+0$'
  assert_line rw
  assert_line kmsg
}

@test "podman exec -i and -d: stdin reaches the process; a detached one runs on its own" {
  pod run -d --name box "$ENGINE_IMAGE" sleep 1000
  pod_wait_status box running
  run pod exec -i box sh -c 'read x; echo "got $x"' <<<hello
  assert_success
  assert_output "got hello"
  run pod exec -d box sh -c 'echo detached > /tmp/marker'
  assert_success
  local i
  for ((i = 0; i < 100; i++)); do
    run pod exec box cat /tmp/marker
    [ "$status" -eq 0 ] && break
    sleep 0.1
  done
  assert_output detached
}
