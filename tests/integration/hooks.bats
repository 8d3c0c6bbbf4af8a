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

@test "a hook that does not read stdin does not block cove" {
  update_config '.hooks = {createRuntime: [{path: "/bin/true"}]} | .process.args = ["true"] | .annotations = {big: ("x" * 200000)}'
  run cove run --bundle "$BUNDLE" t1
  assert_success
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

@test "a failing startContainer hook fails start" {
  update_config '.hooks = {startContainer: [{path: "/bin/false"}]} | .process.args = ["sleep", "100"]'
  # the init's own message goes to the container's stderr (here: create's)
  "$COVE" --root "$COVE_ROOT" create --bundle "$BUNDLE" t1 2>"$TEST_TMP/init.err"
  run cove start t1
  assert_failure 1
  assert_output --partial "cove: start t1: the container process failed before it could run"
  run cat "$TEST_TMP/init.err"
  assert_output --partial "startContainer hook \`/bin/false\`: exited with status 1"
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
