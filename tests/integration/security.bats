#!/usr/bin/env bats
# Security on the exec path (DESIGN.md): the /proc/self/exe attack (CVE-2019-5736) cannot
# reach the cove binary, the cwd is inside the rootfs, nothing of cove's leaks in.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

# A second container that shares the pid namespace of container $1, as root with every
# capability (CAP_SYS_PTRACE included: the worst case), running $2...
attacker_config() {
  local pid=$1
  shift
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
  jq --argjson args "$args" --arg p "$pid" '
    .linux.cgroupsPath += "-attacker" | del(.hostname)
    | .linux.namespaces = [{type: "mount"}, {type: "pid", path: "/proc/\($p)/ns/pid"}]
    | .mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup" and .destination != "/dev/mqueue"))
    | .process.noNewPrivileges = false
    | .process.args = $args
    | .process.capabilities = {bounding: $all, effective: $all, permitted: $all}' \
    --argjson all '["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_SETUID","CAP_SETGID","CAP_SYS_PTRACE","CAP_SYS_ADMIN","CAP_KILL"]' \
    "$BUNDLE/config.json" >"$TEST_TMP/attacker.json"
  mkdir -p "$TEST_TMP/attacker"
  cp "$TEST_TMP/attacker.json" "$TEST_TMP/attacker/config.json"
  ln -sfn "$BUNDLE/rootfs" "$TEST_TMP/attacker/rootfs"
}

@test "the waiting init runs from a sealed memfd: /proc/1/exe cannot rewrite the cove binary" {
  local before after pid
  before=$(sha256sum "$COVE" | cut -d' ' -f1)
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" victim
  pid=$(cove state victim | jq -r .pid)
  # from the host: the init's exe is the memfd copy, not the binary on disk
  run readlink /proc/"$pid"/exe
  assert_output --partial memfd:cove
  attacker_config "$pid" cove-test-helper exe-attack 1
  run cove run --bundle "$TEST_TMP/attacker" attacker
  assert_success
  assert_output --partial "exe: /memfd:cove"
  refute_output --partial WROTE
  assert_output --partial blocked
  after=$(sha256sum "$COVE" | cut -d' ' -f1)
  [ "$before" = "$after" ]
}

@test "the sealed copy is really sealed: seen from inside it is a sealed memfd, and writes fail with EPERM" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" victim
  local pid
  pid=$(cove state victim | jq -r .pid)
  # from inside the container's pid namespace, /proc/1/exe is a memfd with every write seal
  attacker_config "$pid" cove-test-helper seals /proc/1/exe
  run cove run --bundle "$TEST_TMP/attacker" attacker
  assert_success
  assert_output "seals: write shrink grow seal"
  # A write to a running executable fails with ETXTBSY whether it is sealed or not; the seal is
  # what stops it once the init has moved on.  Hold the copy (as an attacker in the container
  # would), let the init exec its process, then reopen the copy for writing and write.
  exec 8</proc/"$pid"/exe
  cove start victim
  wait_for_state victim running
  # nothing executes the copy any more: only the seal can stop a write now
  run readlink /proc/"$pid"/exe
  refute_output --partial memfd
  run bash -c 'printf X 1<>/proc/self/fd/8' 8<&8
  exec 8<&-
  assert_failure
  assert_output --partial "Operation not permitted"
  refute_output --partial "Text file busy"
}

@test "the cwd is inside the rootfs and / is the rootfs" {
  update_config '.process.cwd = "/tmp" | .process.args = ["sh", "-c", "readlink /proc/self/cwd; readlink /proc/self/root; cd ../../../..; pwd; ls / | grep -c . ; [ -x /bin/cove-test-helper ] && echo in-rootfs"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 /tmp
  assert_line --index 1 /
  assert_line --index 2 /
  assert_line in-rootfs
}

@test "a symlinked cwd cannot lead out of the rootfs" {
  update_config '.root.readonly = false'
  ln -s /../../../../etc "$BUNDLE/rootfs/escape"
  update_config '.process.cwd = "/escape" | .process.args = ["sh", "-c", "pwd -P; ls"]'
  run cove run --bundle "$BUNDLE" t1
  # resolves to the rootfs's own /etc, never the host's
  refute_output --partial shadow
  refute_output --partial os-release
}

@test "no fd of cove reaches the container, even with many open" {
  update_config '.process.args = ["cove-test-helper", "fds"]'
  run bash -c "for f in 3 4 5 6 7 8 9; do eval \"exec \$f</dev/null\"; done; $COVE --root $COVE_ROOT run --bundle $BUNDLE t1"
  assert_success
  assert_output $'0\n1\n2'
}
