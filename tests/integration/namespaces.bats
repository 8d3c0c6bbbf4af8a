#!/usr/bin/env bats
# Namespaces: each of the eight new (its inode differs from the host's) or joined by path (the
# same inode as the one joined), hostname/domainname, lo up in a new network namespace, time
# namespace offsets.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

host_ns() {
  stat -L -c %i /proc/self/ns/"$1"
}

@test "every asked namespace is new: inodes differ from the host's" {
  update_config '.linux.namespaces += [{type: "time"}] | .process.args = ["cove-test-helper", "ns"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  local ns
  for ns in cgroup ipc mnt net pid uts time; do
    local inside
    inside=$(awk -v n="$ns" '$1 == n {print $2}' <<<"$output")
    [ -n "$inside" ]
    [ "$inside" != "$(host_ns "$ns")" ] || { echo "$ns is the host's" >&2; return 1; }
  done
  # no user namespace asked: the host's
  [ "$(awk '$1 == "user" {print $2}' <<<"$output")" = "$(host_ns user)" ]
}

@test "a namespace not asked for is the host's" {
  update_config 'del(.hostname) | .linux.namespaces = [{type: "mount"}] | .process.args = ["cove-test-helper", "ns"]'
  update_config '.mounts |= map(select(.destination != "/sys" and .destination != "/sys/fs/cgroup" and .destination != "/dev/mqueue"))'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  local ns
  for ns in ipc net pid uts; do
    [ "$(awk -v n="$ns" '$1 == n {print $2}' <<<"$output")" = "$(host_ns "$ns")" ]
  done
}

@test "the init is pid 1 of a new pid namespace" {
  update_config '.process.args = ["sh", "-c", "echo $$"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output 1
}

@test "hostname and domainname" {
  update_config '.hostname = "box" | .domainname = "example.org" | .process.args = ["sh", "-c", "hostname; cat /proc/sys/kernel/domainname"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 box
  assert_line --index 1 example.org
  [ "$(hostname)" != box ]
}

@test "hostname without a uts namespace is refused" {
  update_config '.linux.namespaces |= map(select(.type != "uts"))'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --regexp "^cove: create t1: config.json: .hostname: .*uts namespace$"
}

@test "a new network namespace has lo up and nothing else" {
  update_config '.process.args = ["sh", "-c", "cat /sys/class/net/lo/operstate; ls /sys/class/net"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 unknown
  refute_line eth0
  # IFF_UP | IFF_LOOPBACK | IFF_RUNNING
  update_config '.process.args = ["cat", "/sys/class/net/lo/flags"]'
  run cove run --bundle "$BUNDLE" t2
  assert_success
  [ $((output & 1)) -eq 1 ]
}

@test "namespaces joined by path: the same inodes as the first container's" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" first
  local pid
  pid=$(cove state first | jq -r .pid)
  jq --arg p "$pid" '.process.args = ["cove-test-helper", "ns"]
    | .linux.namespaces = [{type: "mount"}, {type: "cgroup"},
        {type: "network", path: "/proc/\($p)/ns/net"}, {type: "ipc", path: "/proc/\($p)/ns/ipc"},
        {type: "uts", path: "/proc/\($p)/ns/uts"}, {type: "pid", path: "/proc/\($p)/ns/pid"}]
    | del(.hostname) | .linux.cgroupsPath += "-2"' "$BUNDLE/config.json" >"$TEST_TMP/c.json"
  mv "$TEST_TMP/c.json" "$BUNDLE/config.json"
  run cove run --bundle "$BUNDLE" second
  assert_success
  local ns
  for ns in net ipc uts pid; do
    [ "$(awk -v n="$ns" '$1 == n {print $2}' <<<"$output")" = "$(stat -L -c %i /proc/"$pid"/ns/"$ns")" ]
  done
  [ "$(awk '$1 == "mnt" {print $2}' <<<"$output")" != "$(stat -L -c %i /proc/"$pid"/ns/mnt)" ]
}

@test "joined pid namespace: the process is not pid 1 and sees the first init" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" first
  local pid
  pid=$(cove state first | jq -r .pid)
  update_config '.linux.cgroupsPath += "-2"'
  update_config ".linux.namespaces |= map(if .type == \"pid\" then {type: \"pid\", path: \"/proc/$pid/ns/pid\"} else . end) | .process.args = [\"sh\", \"-c\", \"echo \$\$; cat /proc/1/cmdline | tr '\\\\0' ' '\"]"
  run cove run --bundle "$BUNDLE" second
  assert_success
  [ "${lines[0]}" -gt 1 ]
  assert_line --index 1 --partial "sleep 100"
}

@test "time namespace offsets" {
  update_config '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {boottime: {secs: 864000, nanosecs: 0}, monotonic: {secs: 86400, nanosecs: 0}} | .process.args = ["cat", "/proc/uptime"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  local inside host
  inside=${output%%.*}
  host=$(cut -d. -f1 /proc/uptime)
  [ $((inside - host)) -ge 863990 ]
  [ $((inside - host)) -le 864010 ]
}

@test "time offsets without a time namespace are refused" {
  update_config '.linux.timeOffsets = {boottime: {secs: 10, nanosecs: 0}}'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --regexp "timeOffsets: .* without a (new )?time namespace"
}

@test "namespaced sysctls are set inside, and only there" {
  update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1000"} | .process.args = ["sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni"]'
  local host_fwd host_shm
  host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
  host_shm=$(cat /proc/sys/kernel/shmmni)
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 1
  assert_line --index 1 1000
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
  [ "$(cat /proc/sys/kernel/shmmni)" = "$host_shm" ]
}

@test "a net sysctl without a network namespace is refused" {
  update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "\`net.ipv4.ip_forward\` needs a network namespace"
}

@test "a new cgroup namespace is rooted at the container's own cgroup" {
  update_config '.process.args = ["cat", "/proc/self/cgroup"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  # every hierarchy reads "/": the namespace was made once the init was in its cgroup
  [ -z "$(grep -v ':/$' <<<"$output")" ]
  update_config '.linux.namespaces |= map(select(.type != "cgroup")) | .linux.cgroupsPath += "-2"'
  run cove run --bundle "$BUNDLE" t2
  assert_success
  assert_output --partial ":$TEST_CGROUP_PARENT/bundle-2"
}

# no_mount_ns_config: no namespace listed at all, the host's root as the container's (nothing to
# mount: the container shares the runtime's mount namespace)
no_mount_ns_config() {
  update_config "del(.hostname) | .linux.namespaces = [] | .mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = []
    | .root = {path: \"/\", readonly: false} | .process.args = [\"$COVE_TEST_HELPER\", \"ns\"]"
}

@test "no namespace listed: every one is the runtime's, mount included (chroot, no mount made)" {
  no_mount_ns_config
  local before
  before=$(md5sum </proc/self/mountinfo)
  run cove run --bundle "$BUNDLE" t1
  assert_success
  local ns
  for ns in cgroup ipc mnt net pid uts user time; do
    [ "$(awk -v n="$ns" '$1 == n {print $2}' <<<"$output")" = "$(host_ns "$ns")" ] || { echo "$ns differs" >&2; return 1; }
  done
  # nothing was mounted in the host's mount namespace
  [ "$(md5sum </proc/self/mountinfo)" = "$before" ]
}

@test "no mount namespace: the rootfs is entered with chroot" {
  no_mount_ns_config
  update_config '.root.path = "rootfs" | .process.args = ["ls", "/"]'
  echo inside >"$BUNDLE/rootfs/only-in-rootfs"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line only-in-rootfs
}

@test "no mount namespace: mounts, masked paths, a read-only root, --no-pivot are refused by name" {
  update_config '.linux.namespaces |= map(select(.type != "mount"))'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output "cove: create t1: config.json: .mounts: needs a mount namespace (without one it would change the runtime's mounts)"
  update_config '.mounts = []'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "config.json: .linux.maskedPaths: needs a mount namespace"
  update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "config.json: .root.readonly: needs a mount namespace"
  update_config '.root.readonly = false | .linux.resources.devices = []'
  run cove create --no-pivot --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "--no-pivot needs a mount namespace"
  [ ! -e "$COVE_ROOT/t1" ]
}

@test "hostname with a uts namespace joined by path" {
  touch "$TEST_TMP/uts"
  unshare --uts="$TEST_TMP/uts" true
  update_config ".hostname = \"joined\" | .linux.namespaces |= map(if .type == \"uts\" then .path = \"$TEST_TMP/uts\" else . end)
    | .process.args = [\"sh\", \"-c\", \"hostname; readlink /proc/self/ns/uts\"]"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 joined
  assert_line --index 1 "uts:[$(stat -L -c %i "$TEST_TMP/uts")]"
  [ "$(nsenter --uts="$TEST_TMP/uts" hostname)" = joined ]
  [ "$(hostname)" != joined ]
}
