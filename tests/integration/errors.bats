#!/usr/bin/env bats
# Bad inputs: each fails with its one-line message and leaves nothing behind (no state dir, no
# cgroup, no process).

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

# Nothing of container $1 is left: no state, no cgroup in any hierarchy.
assert_nothing_left() {
  [ ! -e "$COVE_ROOT/$1" ]
  run cove list -q
  assert_output ""
  local h
  for h in /sys/fs/cgroup/*/; do
    [ ! -d "$h${TEST_CGROUP_PARENT#/}/bundle" ] || { echo "left: $h${TEST_CGROUP_PARENT#/}/bundle" >&2; return 1; }
  done
}

@test "missing bundle" {
  run cove create --bundle "$TEST_TMP/nope" t1
  assert_failure 1
  assert_output "cove: create t1: bundle \`$TEST_TMP/nope\`: No such file or directory"
  assert_nothing_left t1
}

@test "bundle without config.json" {
  rm "$BUNDLE/config.json"
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --regexp "^cove: create t1: bundle \`$BUNDLE\`: open \`.*config.json\`: No such file or directory$"
  assert_nothing_left t1
}

@test "invalid config.json names the problem" {
  echo '{' >"$BUNDLE/config.json"
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "cove: create t1: config.json: invalid JSON"
  assert_nothing_left t1
}

@test "missing rootfs" {
  update_config '.root.path = "nope"'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: rootfs \`$BUNDLE/nope\`: No such file or directory"
  assert_nothing_left t1
}

@test "bad ids" {
  local id
  for id in 'a/b' '..' '.hidden' 'sp ace' "$(printf 'x%.0s' $(seq 1025))"; do
    run cove create --bundle "$BUNDLE" "$id"
    assert_failure 1
    assert_output --partial "invalid container id"
  done
  [ -z "$(ls -A "$COVE_ROOT")" ]
}

@test "a 1024-character id is fine" {
  local id
  id=$(printf 'x%.0s' $(seq 1024))
  update_config '.process.args = ["true"]'
  run cove run --bundle "$BUNDLE" "$id"
  assert_success
}

@test "duplicate id" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: container \`t1\` already exists"
  # the first one is untouched
  [ "$(cove state t1 | jq -r .status)" = created ]
}

@test "args[0] not found: create fails with the reason and leaves nothing" {
  update_config '.process.args = ["no-such-binary"]'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: exec \`no-such-binary\`: executable file not found in \$PATH"
  assert_nothing_left t1
  run cove run --bundle "$BUNDLE" t2
  assert_failure 1
  assert_output "cove: run t2: exec \`no-such-binary\`: executable file not found in \$PATH"
  assert_nothing_left t2
}

@test "args[0] given by path but missing" {
  update_config '.process.args = ["/bin/nope"]'
  run cove run --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: run t1: exec \`/bin/nope\`: No such file or directory"
  assert_nothing_left t1
}

@test "bad cwd" {
  update_config '.process.args = ["true"] | .process.cwd = "/bin/busybox/x"'
  run cove run --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: run t1: cwd \`/bin/busybox/x\`: Not a directory"
  assert_nothing_left t1
}

@test "no process" {
  update_config 'del(.process)'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: config.json: .process: required to create a container"
  assert_nothing_left t1
}

@test "terminal without a console socket when detaching" {
  update_config '.process.terminal = true'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "process.terminal needs --console-socket"
  assert_nothing_left t1
}

@test "a console socket nobody listens on" {
  update_config '.process.terminal = true'
  run cove create --bundle "$BUNDLE" --console-socket "$TEST_TMP/none.sock" t1
  assert_failure 1
  assert_output --partial "console socket \`$TEST_TMP/none.sock\`: No such file or directory"
  assert_nothing_left t1
}

@test "a non-namespaced sysctl is refused before anything is made" {
  update_config '.linux.sysctl = {"vm.swappiness": "10"}'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: config.json: .linux.sysctl: \`vm.swappiness\` is not namespaced: it would change the host"
  assert_nothing_left t1
}

@test "joining a namespace path that does not exist" {
  update_config '.linux.namespaces |= map(select(.type != "network")) + [{type: "network", path: "/proc/no/ns/net"}]'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: join network namespace \`/proc/no/ns/net\`: No such file or directory"
  assert_nothing_left t1
}

@test "commands on a container that does not exist" {
  local verb
  for verb in start state delete; do
    run cove "$verb" ghost
    assert_failure 1
    assert_output "cove: $verb ghost: container \`ghost\` does not exist"
  done
  run cove kill ghost KILL
  assert_failure 1
  assert_output "cove: kill ghost: container \`ghost\` does not exist"
}

@test "delete --force of a container that does not exist succeeds silently, as runc's" {
  run cove delete --force ghost
  assert_success
  assert_output ""
  run cove delete -f 'bad/id'
  assert_failure 1
  assert_output --partial "invalid container id"
}

@test "usage errors exit 2" {
  run cove create
  assert_failure 2
  run cove start a b
  assert_failure 2
  run cove create --preserve-fds x t1
  assert_failure 2
}
