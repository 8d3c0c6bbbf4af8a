#!/usr/bin/env bats
# Hooks: all six kinds, each with the state JSON on stdin, in order; args and env; timeouts;
# a failing hook fails create (and leaves nothing), a failing poststop only warns.

load helpers

setup() {
  setup_bundle
  mkdir -p "$TEST_TMP/hooks"
  LOG=$TEST_TMP/hooks/log

}

teardown() {
  teardown_bundle
}

# hook KIND LOGPATH: a hook that appends "KIND <status> <id> <pid?>" from its stdin to LOGPATH
hook() {
  jq -n --arg k "$1" --arg log "$2" '{path: "/bin/sh", args: ["sh", "-c", "s=$(cat); echo \"\($k) $(echo \"$s\" | sed -n \"s/.*\\\"status\\\":\\\"\\([a-z]*\\)\\\".*/\\1/p\") $(echo \"$s\" | sed -n \"s/.*\\\"id\\\":\\\"\\([a-z0-9]*\\)\\\".*/\\1/p\") $X\" >> \($log)"], env: ["X=env-ok"]}'
}

@test "every hook kind runs once, in order, with the state on stdin" {
  local host_log=$LOG
  jq --arg d "$TEST_TMP/hooks" \
     --argjson pre "$(hook prestart "$host_log")" --argjson cr "$(hook createRuntime "$host_log")" \
     --argjson cc "$(hook createContainer "$host_log")" --argjson sc "$(hook startContainer /hooklog/log)" \
     --argjson ps "$(hook poststart "$host_log")" --argjson pst "$(hook poststop "$host_log")" \
     '.hooks = {prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], startContainer: [$sc], poststart: [$ps], poststop: [$pst]}
      | .mounts += [{destination: "/hooklog", type: "bind", source: $d, options: ["rbind"]}]
      | .process.args = ["sleep", "100"]' "$BUNDLE/config.json" >"$TEST_TMP/c.json"
  mv "$TEST_TMP/c.json" "$BUNDLE/config.json"

  cove create --bundle "$BUNDLE" hk
  run cat "$LOG"
  assert_line --index 0 "prestart creating hk env-ok"
  assert_line --index 1 "createRuntime creating hk env-ok"
  assert_line --index 2 "createContainer creating hk env-ok"
  [ "${#lines[@]}" -eq 3 ]

  cove start hk
  wait_for_state hk running
  run cat "$LOG"
  assert_line --index 3 "startContainer running hk env-ok"
  assert_line --index 4 "poststart running hk env-ok"

  cove delete -f hk
  run cat "$LOG"
  assert_line --index 5 "poststop stopped hk env-ok"
  [ "${#lines[@]}" -eq 6 ]
}

@test "createContainer runs in the container's namespaces, createRuntime in the runtime's" {
  jq --arg log "$LOG" '.hooks = {
      createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "readlink /proc/self/ns/uts >> \($log)"]}],
      createContainer: [{path: "/bin/sh", args: ["sh", "-c", "readlink /proc/self/ns/uts >> \($log)"]}]}
    | .process.args = ["true"]' "$BUNDLE/config.json" >"$TEST_TMP/c.json"
  mv "$TEST_TMP/c.json" "$BUNDLE/config.json"
  cove run --bundle "$BUNDLE" t1
  run cat "$LOG"
  [ "${lines[0]}" = "$(readlink /proc/self/ns/uts)" ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/uts)" ]
}

@test "a failing createRuntime hook fails create with its output and leaves nothing" {
  update_config '.hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "echo boom; exit 3"]}]}'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: createRuntime hook \`/bin/sh\`: exited with status 3: boom"
  [ ! -e "$COVE_ROOT/t1" ]
  [ ! -d /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle ]
}

@test "a failing prestart hook fails run" {
  update_config '.hooks = {prestart: [{path: "/bin/false"}]} | .process.args = ["true"]'
  run cove run --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "prestart hook \`/bin/false\`: exited with status 1"
}

@test "a missing hook binary is named" {
  update_config '.hooks = {createRuntime: [{path: "/no/such/hook"}]}'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: createRuntime hook \`/no/such/hook\`: No such file or directory"
}

@test "a hook that outlives its timeout is killed and fails the operation" {
  update_config '.hooks = {createRuntime: [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]}'
  SECONDS=0
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: createRuntime hook \`/bin/sleep\`: timed out after 1s"
  [ "$SECONDS" -lt 10 ]
  [ ! -e "$COVE_ROOT/t1" ]
}

@test "a failing poststart or poststop hook only warns" {
  update_config '.hooks = {poststart: [{path: "/bin/false"}], poststop: [{path: "/bin/false"}]} | .process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  run cove start t1
  assert_success
  assert_output --partial "warning"
  run cove delete -f t1
  assert_success
  assert_output --partial "poststop hook"
  [ ! -e "$COVE_ROOT/t1" ]
}

# big_state BYTES: config annotations that make the state document larger than BYTES
big_state() {
  update_config ".annotations = {big: (\"x\" * $1)}"
}

@test "a hook that does not read stdin does not block cove, and runs" {
  big_state 2000000
  update_config ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch $TEST_TMP/ran\"]}]} | .process.args = [\"true\"]"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  [ -e "$TEST_TMP/ran" ]
}

@test "a hook gets the whole state on stdin, larger than a pipe, at its own pace" {
  big_state 3000000
  # a slow reader: nothing read for a second, then a little at a time
  update_config ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"sleep 1; dd bs=4096 of=$TEST_TMP/hook-stdin 2>/dev/null\"]}]}
    | .process.args = [\"true\"]"
  cove run --bundle "$BUNDLE" t1
  run jq -r '.id, .status, (.annotations.big | length), .bundle' "$TEST_TMP/hook-stdin"
  assert_success
  assert_line --index 0 t1
  assert_line --index 1 creating
  assert_line --index 2 3000000
  assert_line --index 3 "$(cd "$BUNDLE" && pwd -P)"
}

@test "a hook that never reads a state larger than a pipe fails within a bounded time" {
  big_state 3000000
  update_config '.hooks = {createRuntime: [{path: "/bin/sleep", args: ["sleep", "1000"]}]}'
  SECONDS=0
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --regexp "createRuntime hook \`/bin/sleep\`: read only [0-9]+ of the [0-9]+ bytes of its state on stdin in 60s"
  [ "$SECONDS" -lt 90 ]
  [ ! -e "$COVE_ROOT/t1" ]
}

@test "poststart runs after the container's process is executed (create/start and run)" {
  # the hook reads the init's command line from the host: the container's args, not cove's
  local h
  h=$(jq -n --arg log "$LOG" '{path: "/bin/sh", args: ["sh", "-c", "p=$(sed -n \"s/.*\\\"pid\\\":\\([0-9]*\\).*/\\1/p\"); tr \"\\\\0\" \" \" < /proc/$p/cmdline >> \($log); echo >> \($log)"]}')
  # a slow startContainer hook (it runs in the init, just before the exec) widens the window in
  # which a poststart that does not wait for the exec would see cove instead of the process
  update_config ".hooks = {poststart: [$h], startContainer: [{path: \"/bin/sleep\", args: [\"sleep\", \"0.5\"]}]} | .process.args = [\"sleep\", \"100\"]"
  cove create --bundle "$BUNDLE" hk
  cove start hk
  run cat "$LOG"
  assert_output "sleep 100 "
  cove delete -f hk
  : >"$LOG"
  "$COVE" --root "$COVE_ROOT" run -d --bundle "$BUNDLE" hk2 >/dev/null 2>&1
  run cat "$LOG"
  assert_output "sleep 100 "
}

# log_hook NAME: a hook that appends NAME to the log (a host path)
log_hook() {
  jq -n --arg n "$1" --arg log "$LOG" '{path: "/bin/sh", args: ["sh", "-c", "echo \($n) >> \($log)"]}'
}

# assert_destroyed ID: no state, no cgroup (runtime-spec: "continue the lifecycle at step 12")
assert_destroyed() {
  [ ! -e "$COVE_ROOT/$1" ]
  local h
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -d "$h$TEST_CGROUP_PARENT/bundle" ] || { echo "cgroup left in $h" >&2; return 1; }
  done
}

@test "a failing startContainer hook fails start with its message, destroys the container, runs poststop" {
  update_config ".hooks = {startContainer: [{path: \"/bin/false\"}], poststop: [$(log_hook poststop)]} | .process.args = [\"sleep\", \"100\"]"
  "$COVE" --root "$COVE_ROOT" create --bundle "$BUNDLE" t1 2>"$TEST_TMP/init.err"
  run cove start t1
  assert_failure 1
  assert_output "cove: start t1: startContainer hook \`/bin/false\`: exited with status 1"
  assert_destroyed t1
  run cat "$LOG"
  assert_output poststop
}

@test "a failing startContainer hook fails run, destroys the container, runs poststop" {
  update_config ".hooks = {startContainer: [{path: \"/bin/false\"}], poststop: [$(log_hook poststop)]} | .process.args = [\"sleep\", \"100\"]"
  run cove run -d --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "startContainer hook \`/bin/false\`: exited with status 1"
  assert_destroyed t1
  run cat "$LOG"
  assert_output poststop
}

@test "a failing prestart, createRuntime or createContainer hook: error, container destroyed, poststop runs" {
  local kind
  for kind in prestart createRuntime createContainer; do
    : >"$LOG"
    update_config ".hooks = {$kind: [{path: \"/bin/false\"}, $(log_hook never)], poststop: [$(log_hook poststop)]} | .process.args = [\"true\"]"
    run cove create --bundle "$BUNDLE" t1
    assert_failure 1
    assert_output "cove: create t1: $kind hook \`/bin/false\`: exited with status 1"
    assert_destroyed t1
    # the hooks after the failing one do not run; poststop does
    run cat "$LOG"
    assert_output poststop
  done
}

@test "every poststart and every poststop hook runs even after one fails" {
  update_config ".hooks = {poststart: [{path: \"/bin/false\"}, $(log_hook poststart-2)],
      poststop: [{path: \"/bin/false\"}, $(log_hook poststop-2), {path: \"/no/such/hook\"}, $(log_hook poststop-4)]}
    | .process.args = [\"sleep\", \"100\"]"
  cove create --bundle "$BUNDLE" t1
  run cove start t1
  assert_success
  assert_output --partial "poststart hook \`/bin/false\`: exited with status 1"
  run cove delete -f t1
  assert_success
  assert_output --partial "poststop hook \`/bin/false\`: exited with status 1"
  assert_output --partial "poststop hook \`/no/such/hook\`"
  run cat "$LOG"
  assert_line --index 0 poststart-2
  assert_line --index 1 poststop-2
  assert_line --index 2 poststop-4
  [ "${#lines[@]}" -eq 3 ]
  assert_destroyed t1
}

@test "a bind mount a createContainer hook makes is visible in the container" {
  local rootfs
  rootfs=$(cd "$BUNDLE/rootfs" && pwd -P)
  mkdir -p "$TEST_TMP/src" "$BUNDLE/rootfs/hooked"
  echo from-the-hook >"$TEST_TMP/src/file"
  update_config ".hooks = {createContainer: [{path: \"/bin/mount\", args: [\"mount\", \"--bind\", \"$TEST_TMP/src\", \"$rootfs/hooked\"]}]}
    | .process.args = [\"cat\", \"/hooked/file\"]"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output from-the-hook
  # and only there: the host's mount namespace never saw it
  ! grep -q " $rootfs/hooked " /proc/self/mountinfo
}

@test "a startContainer hook runs in the container, its path resolved in the container's filesystem" {
  mkdir -p "$TEST_TMP/hooks"
  printf '#!/bin/sh\n{ hostname; readlink /proc/self/ns/mnt; cat /etc/only-here; } > /hooklog/start\n' >"$BUNDLE/rootfs/in-rootfs-hook"
  chmod 755 "$BUNDLE/rootfs/in-rootfs-hook"
  echo rootfs-file >"$BUNDLE/rootfs/etc/only-here"
  [ ! -e /in-rootfs-hook ]
  update_config ".hooks = {startContainer: [{path: \"/in-rootfs-hook\"}]}
    | .mounts += [{destination: \"/hooklog\", type: \"bind\", source: \"$TEST_TMP/hooks\", options: [\"rbind\"]}]
    | .process.args = [\"readlink\", \"/proc/self/ns/mnt\"]"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  local ns=$output
  run cat "$TEST_TMP/hooks/start"
  assert_line --index 0 cove
  assert_line --index 1 "$ns"
  assert_line --index 2 rootfs-file
}

@test "createRuntime and createContainer run once the config's mounts exist, before pivot_root" {
  local rootfs
  rootfs=$(cd "$BUNDLE/rootfs" && pwd -P)
  jq --arg log "$LOG" --arg r "$rootfs" '.hooks = {
      createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "echo runtime $(grep -c \" \($r)/hookmnt \" /proc/$(sed -n \"s/.*\\\"pid\\\":\\([0-9]*\\).*/\\1/p\")/mountinfo) >> \($log)"]}],
      createContainer: [{path: "/bin/sh", args: ["sh", "-c", "echo container $(grep -c \" \($r)/hookmnt \" /proc/self/mountinfo) >> \($log)"]}]}
    | .mounts += [{destination: "/hookmnt", type: "tmpfs", source: "tmpfs"}]
    | .process.args = ["true"]' "$BUNDLE/config.json" >"$TEST_TMP/c.json"
  mv "$TEST_TMP/c.json" "$BUNDLE/config.json"
  cove run --bundle "$BUNDLE" t1
  run cat "$LOG"
  # the container's mount namespace has the tmpfs at <rootfs>/hookmnt: mounted, not yet pivoted
  assert_line "runtime 1"
  assert_line "container 1"
}
