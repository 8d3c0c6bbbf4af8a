#!/usr/bin/env bats
# User namespaces: maps written by the parent, seen in /proc/self/uid_map and gid_map; the init
# is root inside and an unprivileged id outside; file ownership through the map; joined by path.

load helpers

setup() {
  setup_bundle
  # the mapped root (host uid 100000) must be able to reach the rootfs
  chmod 755 "$TEST_TMP" "$BUNDLE" "$BUNDLE/rootfs"
  # cgroup v1 cannot be mounted from a user namespace; sysfs needs the netns too (it is new)
  update_config '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

teardown() {
  teardown_bundle
}

@test "uid_map and gid_map inside are the configured ones" {
  update_config '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  [ "$(echo "${lines[0]}" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
  [ "$(echo "${lines[1]}" | tr -s ' ' | sed 's/^ //')" = "0 200000 65536" ]
}

@test "the init is root inside and the mapped id outside" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  [ "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" = 100000 ]
  [ "$(awk '/^Gid:/ {print $2}' /proc/"$pid"/status)" = 200000 ]
  [ "$(stat -L -c %i /proc/"$pid"/ns/user)" != "$(stat -L -c %i /proc/self/ns/user)" ]
}

@test "the process has its user and a full set of capabilities in its namespace" {
  update_config '.process.args = ["cove-test-helper", "ids"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --partial "uid=0 gid=0"
}

@test "file ownership goes through the map" {
  chown 100000:200000 "$BUNDLE/rootfs/tmp"
  update_config '.root.readonly = false | .process.args = ["sh", "-c", "stat -c %u:%g /tmp /bin/busybox; touch /tmp/made"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 0:0
  # unmapped host root shows as the overflow id
  assert_line --index 1 65534:65534
  [ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made")" = 100000:200000 ]
}

@test "a process user maps through too" {
  update_config '.process.user = {uid: 1000, gid: 1000} | .process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  [ "$(awk '/^Uid:/ {print $2}' /proc/"$pid"/status)" = 101000 ]
}

@test "mappings without a user namespace are refused" {
  update_config '.linux.namespaces |= map(select(.type != "user"))'
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --partial "uidMappings"
}

@test "joining the user namespace (and others) of another container by path" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" first
  local pid
  pid=$(cove state first | jq -r .pid)
  update_config ".linux.cgroupsPath += \"-2\" | del(.linux.uidMappings, .linux.gidMappings)
    | .linux.namespaces = [{type: \"user\", path: \"/proc/$pid/ns/user\"}, {type: \"network\", path: \"/proc/$pid/ns/net\"},
        {type: \"mount\"}, {type: \"pid\"}, {type: \"ipc\"}, {type: \"uts\"}]
    | .process.args = [\"sh\", \"-c\", \"cove-test-helper ns; cat /proc/self/uid_map\"]"
  run cove run --bundle "$BUNDLE" second
  assert_success
  [ "$(awk '$1 == "user" {print $2}' <<<"$output")" = "$(stat -L -c %i /proc/"$pid"/ns/user)" ]
  [ "$(awk '$1 == "net" {print $2}' <<<"$output")" = "$(stat -L -c %i /proc/"$pid"/ns/net)" ]
  [ "$(awk '$1 == "pid" {print $2}' <<<"$output")" != "$(stat -L -c %i /proc/"$pid"/ns/pid)" ]
  assert_output --regexp "0 +100000 +65536"
}

@test "a new user namespace combined with a joined network namespace" {
  unshare --net=/run/cove-test-netns-$$ true 2>/dev/null || { mkdir -p /run; touch /run/cove-test-netns-$$; unshare --net=/run/cove-test-netns-$$ true; }
  update_config ".linux.namespaces |= map(select(.type != \"network\")) + [{type: \"network\", path: \"/run/cove-test-netns-$$\"}]
    | .mounts |= map(select(.destination != \"/sys\"))
    | .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map\"]"
  run cove run --bundle "$BUNDLE" t1
  umount /run/cove-test-netns-$$ 2>/dev/null; rm -f /run/cove-test-netns-$$
  assert_success
  assert_output --regexp "0 +100000 +65536"
}

@test "exec joins the container's user namespace first" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1 >/dev/null
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run cove exec t1 sh -c 'cove-test-helper ns; cat /proc/self/uid_map; cove-test-helper ids'
  assert_success
  [ "$(awk '$1 == "user" {print $2}' <<<"$output")" = "$(stat -L -c %i /proc/"$pid"/ns/user)" ]
  assert_output --regexp "0 +100000 +65536"
  assert_output --partial "uid=0 gid=0"
}

@test "mount sources are opened by the host: a source only the host's root can reach still mounts" {
  local priv=$TEST_TMP/private
  mkdir -p "$priv/data"
  echo only-root-reaches-me >"$priv/data/f"
  echo a-file >"$priv/file"
  chmod 0700 "$priv"
  update_config "
    .mounts += [{destination: \"/home\", source: \"$priv/data\", options: [\"rbind\", \"ro\"]},
                {destination: \"/etc/group\", source: \"$priv/file\", options: [\"bind\", \"ro\"]}]"
  # (targets the image already has: the mapped root may not create any in this rootfs)
  update_config '.process.args = ["sh", "-c", "cat /home/f /etc/group; grep -E \" /(home|etc/group) \" /proc/self/mountinfo"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line only-root-reaches-me
  assert_line a-file
  assert_output --regexp ' /home ro,'
  assert_output --regexp ' /etc/group ro,'
}

@test "a bind of a read-only mount: implied rw where the kernel allows it, kept ro where the user namespace locks it" {
  local ro=$TEST_TMP/romnt
  mkdir -p "$ro"
  chmod 0777 "$ro"
  mount --bind "$ro" "$ro"
  mount -o remount,bind,ro "$ro"
  update_config "
    .mounts += [{destination: \"/home\", source: \"$ro\", options: [\"bind\", \"nosuid\"]}]"
  update_config '.process.args = ["sh", "-c", "grep \" /home \" /proc/self/mountinfo"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --regexp ' /home ro,nosuid'
  # asked for explicitly, rw that cannot be had is an error, not a silent ro
  update_config '.mounts |= map(if .destination == "/home" then .options = ["bind", "rw"] else . end)'
  run cove run --bundle "$BUNDLE" t1
  umount "$ro"
  assert_failure
  assert_output --regexp 'mount [^ ]+ on /home: .*read-only.*locked'
}

@test "--no-pivot with a user namespace is refused: the host's mounts are locked to the namespace" {
  update_config '.process.args = ["true"]'
  run cove run --no-pivot --bundle "$BUNDLE" t1
  assert_failure
  assert_output --regexp "--no-pivot: the host mount on /[^ ]* cannot be detached from the container's mount namespace \(a user namespace locks it\): use pivot_root"
  run cove list -q
  assert_output ''
}

@test "a source neither the mapped root nor the host's root can open fails create with the reason" {
  # inside the rootfs, so only its turn can tell (an earlier mount might have made it)
  local priv=$BUNDLE/rootfs/private
  mkdir -p "$priv"
  chmod 0700 "$priv"
  update_config ".mounts += [{destination: \"/home\", source: \"$priv/missing\", options: [\"rbind\"]}]"
  update_config '.process.args = ["true"]'
  run cove run --bundle "$BUNDLE" t1
  assert_failure
  assert_output "cove: run t1: mount $priv/missing on /home: source $priv/missing (opened as the host's root): No such file or directory"
  run cove list -q
  assert_output ''
}
