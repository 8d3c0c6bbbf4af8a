#!/usr/bin/env bats
# Idmapped mounts: a bind mount's uidMappings/gidMappings (idmap / ridmap options), verified by the
# ownership seen inside; without and with a container user namespace.

load helpers

setup() {
  setup_bundle
  # tmpfs supports idmapped mounts from 6.3 on (ext4, xfs, btrfs long before)
  [ "$(stat -fc %T "$TEST_TMP")" != tmpfs ] || requires 6.3
  SRC=$TEST_TMP/idsrc
  mkdir -p "$SRC/sub"
  touch "$SRC/f0" "$SRC/f1000" "$SRC/sub/g0"
  chown 1000:1000 "$SRC/f1000"
  chmod 0777 "$SRC"
}

teardown() {
  teardown_bundle
}

@test "idmapped bind: on-disk owners are shown through the mapping" {
  add_mount "{\"destination\": \"/idm\", \"source\": \"$SRC\", \"options\": [\"bind\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 1}]}"
  set_cmd 'stat -c "%n %u %g" /idm/f0 /idm/f1000; grep " /idm " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" i1
  assert_success
  assert_line '/idm/f0 1000 2000'
  assert_line '/idm/f1000 65534 65534'
  assert_output --regexp ' /idm rw,[^ ]*idmapped'
  # the source itself is unchanged
  [ "$(stat -c %u "$SRC/f0")" = 0 ]
}

@test "ridmap: submounts are idmapped too; idmap alone maps the top mount" {
  mount -t tmpfs -o size=1m tmpfs "$SRC/sub"
  touch "$SRC/sub/g0"
  add_mount "{\"destination\": \"/r\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"ridmap\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 3000, \"size\": 10}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 3000, \"size\": 10}]}"
  set_cmd 'stat -c "%n %u" /r/f0 /r/sub/g0; grep -E " /r(/sub)? " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" i1
  umount "$SRC/sub"
  assert_success
  assert_line '/r/f0 3000'
  assert_line '/r/sub/g0 3000'
  assert_output --regexp ' /r/sub rw,[^ ]*idmapped'
}

@test "idmapped mounts are validated: bind only, both mappings" {
  add_mount '{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
  run cove run --bundle "$BUNDLE" i1
  assert_failure
  assert_output --partial 'idmapped mounts must be bind mounts'
  update_config '.mounts |= map(select(.destination != "/x"))'
  add_mount "{\"destination\": \"/y\", \"source\": \"$SRC\", \"options\": [\"bind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}"
  run cove run --bundle "$BUNDLE" i1
  assert_failure
  assert_output --regexp 'needs both uidMappings and gidMappings|must be given together'
}

@test "user namespace: an idmapped bind makes the host's root-owned files the container root's" {
  update_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  private_rootfs
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 0755 "$TEST_TMP" "$BUNDLE"
  add_mount "{\"destination\": \"/idm\", \"source\": \"$SRC\", \"options\": [\"bind\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}"
  update_config '.root.readonly = false'
  set_cmd 'stat -c "%n %u %g" /idm/f0 /idm/f1000; echo x > /idm/new && stat -c "%n %u" /idm/new'
  run cove run --bundle "$BUNDLE" i1
  assert_success
  assert_line '/idm/f0 0 0'
  assert_line '/idm/f1000 1000 1000'
  assert_line '/idm/new 0'
  # written as the container's root: on disk, the host's root
  [ "$(stat -c %u "$SRC/new")" = 0 ]
}

@test "in order with idmap: an idmapped bind of a source an earlier mount made, in a user namespace" {
  update_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))
    | .root.readonly = false'
  private_rootfs
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 0755 "$TEST_TMP" "$BUNDLE"
  add_mount "{\"destination\": \"/a\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}"
  add_mount "{\"destination\": \"/idm\", \"source\": \"$BUNDLE/rootfs/a/sub\", \"options\": [\"bind\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}"
  set_cmd 'stat -c "%n %u %g" /idm/g0 /a/sub/g0; grep " /idm " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" i1
  assert_success
  # host root's file: the container's root through the idmap, unmapped without it
  assert_line '/idm/g0 0 0'
  assert_line '/a/sub/g0 65534 65534'
  assert_output --regexp ' /idm rw,[^ ]*idmapped'
}

@test "in order with idmap: without a user namespace too" {
  add_mount "{\"destination\": \"/a\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}"
  add_mount "{\"destination\": \"/idm\", \"source\": \"$BUNDLE/rootfs/a/sub\", \"options\": [\"bind\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],
    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 1}]}"
  set_cmd 'stat -c "%n %u %g" /idm/g0'
  run cove run --bundle "$BUNDLE" i1
  assert_success
  assert_line '/idm/g0 1000 2000'
}
