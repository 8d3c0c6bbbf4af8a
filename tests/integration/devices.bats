#!/usr/bin/env bats
# Devices: the default nodes, linux.devices (c/b/u/p, fileMode, uid, gid), /dev/ptmx, /dev/fd and
# std links, nodes usable and a node the device cgroup denies, and bind-mounted host nodes in a
# user namespace.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

@test "default devices exist with their numbers and mode 0666" {
  set_cmd 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line '/dev/null character special file 1:3 666'
  assert_line '/dev/zero character special file 1:5 666'
  assert_line '/dev/full character special file 1:7 666'
  assert_line '/dev/random character special file 1:8 666'
  assert_line '/dev/urandom character special file 1:9 666'
  assert_line '/dev/tty character special file 5:0 666'
}

@test "device nodes are usable: read urandom and zero, write null, full is full" {
  set_cmd 'head -c1 /dev/urandom | wc -c; head -c3 /dev/zero | od -An -tx1; echo x > /dev/null && echo NULL-OK; echo x > /dev/full || echo FULL-ENOSPC'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line 1
  assert_line ' 00 00 00'
  assert_line NULL-OK
  assert_line FULL-ENOSPC
}

@test "/dev/ptmx, /dev/fd and the std links" {
  set_cmd 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done; ls /dev/pts/ptmx'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line 'ptmx -> pts/ptmx'
  assert_line 'fd -> /proc/self/fd'
  assert_line 'stdin -> /proc/self/fd/0'
  assert_line 'stdout -> /proc/self/fd/1'
  assert_line 'stderr -> /proc/self/fd/2'
  assert_line /dev/pts/ptmx
}

@test "linux.devices: char, block, fifo and u with fileMode, uid, gid" {
  update_config '.linux.devices = [
    {"path": "/dev/mychar", "type": "c", "major": 1, "minor": 5, "fileMode": 432, "uid": 1000, "gid": 1001},
    {"path": "/dev/myblk", "type": "b", "major": 7, "minor": 200, "fileMode": 384},
    {"path": "/dev/sub/dir/myfifo", "type": "p", "fileMode": 420, "uid": 5},
    {"path": "/dev/myu", "type": "u", "major": 1, "minor": 7}]'
  update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 7, "access": "rwm"}]'
  set_cmd 'stat -c "%n %F %t:%T %a %u %g" /dev/mychar /dev/myblk /dev/myu; stat -c "%n %F %a %u" /dev/sub/dir/myfifo; head -c2 /dev/myu | od -An -tx1'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line '/dev/mychar character special file 1:5 660 1000 1001'
  assert_line '/dev/myblk block special file 7:c8 600 0 0'
  assert_line '/dev/myu character special file 1:7 666 0 0'
  assert_line '/dev/sub/dir/myfifo fifo 644 5'
  assert_line ' 00 00'
}

@test "a device node the device cgroup does not allow cannot be opened" {
  # /dev/kmsg (1:11) opens write-only for root with no capability: bound from the host, the
  # default rules (runc's, which allow tun) deny it
  add_mount '{"destination": "/dev/kmsg-denied", "source": "/dev/kmsg", "options": ["bind"]}'
  set_cmd '{ true >/dev/kmsg-denied && echo OPENED; } 2>&1; ls -l /dev/kmsg-denied'
  run cove run --bundle "$BUNDLE" d1
  refute_line OPENED
  assert_output --partial 'Operation not permitted'
  assert_output --regexp 'crw-r--r-- .* 1, +11 .*/dev/kmsg-denied'
}

@test "a device path through a symlink is created inside the rootfs" {
  ln -s /tmp/cove-devices-escape-$$ "$BUNDLE/rootfs/devlink"
  update_config '.linux.devices = [{"path": "/devlink/null2", "type": "c", "major": 1, "minor": 3}]'
  set_cmd 'stat -c "%t:%T" /devlink/null2'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_output 1:3
  [ ! -e /tmp/cove-devices-escape-$$ ]
  [ -c "$BUNDLE/rootfs/tmp/cove-devices-escape-$$/null2" ]
}

@test "an image file in the way of a device node is replaced" {
  update_config '.mounts |= map(select(.destination != "/dev"))'
  update_config '.mounts |= map(select(.destination | startswith("/dev/") | not))'
  echo not-a-device >"$BUNDLE/rootfs/dev/null"
  ln -s /etc/passwd "$BUNDLE/rootfs/dev/zero"
  update_config '.root.readonly = false'
  set_cmd 'stat -c "%n %t:%T" /dev/null /dev/zero'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line '/dev/null 1:3'
  assert_line '/dev/zero 1:5'
}

@test "user namespace: the default devices are bind mounts of the host's nodes" {
  update_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  private_rootfs
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 0755 "$TEST_TMP" "$BUNDLE"
  set_cmd 'stat -c "%n %t:%T" /dev/null /dev/urandom; grep -E " /dev/(null|urandom) " /proc/self/mountinfo | wc -l; echo x > /dev/null && head -c1 /dev/urandom | wc -c'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_line '/dev/null 1:3'
  assert_line '/dev/urandom 1:9'
  assert_line 2
  assert_line 1
}

@test "process.terminal: /dev/console is a bind of the container's pty" {
  command -v script >/dev/null || skip "needs script(1) for a controlling tty"
  update_config '.process.terminal = true'
  set_cmd 'stat -c "%F %t" /dev/console; grep -c " /dev/console " /proc/self/mountinfo; echo via-console > /dev/console'
  run script -qec "$COVE --root $COVE_ROOT run --bundle $BUNDLE d1" /dev/null
  assert_success
  # a pty slave: char major 136 (0x88)
  assert_output --partial 'character special file 88'
  assert_output --partial 'via-console'
}

@test "linux.devices: a fileMode with the file-type bits (st_mode, as podman writes it) uses the permission bits" {
  # 8630 = 020666: S_IFCHR | 0666, what podman puts in fileMode for --device /dev/null
  update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 8630}]'
  set_cmd 'stat -c "%F %a %t:%T" /dev/mynull'
  run cove run --bundle "$BUNDLE" dev1
  assert_success
  assert_output "character special file 666 1:3"
}

@test "linux.devices: a node in a directory bound from the host is refused, the host's node left as it was" {
  # a stand-in for a host /dev (never the real one): a null node of root's, 0600
  mkdir "$TEST_TMP/hostdev"
  mknod -m 0600 "$TEST_TMP/hostdev/null" c 1 3
  local before
  before=$(stat -c '%i %a %u:%g %t:%T' "$TEST_TMP/hostdev/null")
  add_mount "{\"destination\": \"/dev/hd\", \"type\": \"bind\", \"source\": \"$TEST_TMP/hostdev\", \"options\": [\"rbind\"]}"
  update_config '.linux.devices = [{"path": "/dev/hd/null", "type": "c", "major": 1, "minor": 3, "fileMode": 420, "uid": 5}]'
  run cove run --bundle "$BUNDLE" d1
  assert_failure
  assert_output --partial "linux.devices[0] (/dev/hd/null): /dev/hd is not the container's own (a bind mount, or a host mount under the rootfs): a node made there would replace the host's"
  [ "${#lines[@]}" -eq 1 ]
  [ "$(stat -c '%i %a %u:%g %t:%T' "$TEST_TMP/hostdev/null")" = "$before" ]
  # nor is a missing directory made in it
  update_config '.linux.devices = [{"path": "/dev/hd/sub/null", "type": "c", "major": 1, "minor": 3}]'
  run cove run --bundle "$BUNDLE" d2
  assert_failure
  assert_output --partial "linux.devices[0] (/dev/hd/sub/null): /dev/hd is not the container's own"
  [ ! -e "$TEST_TMP/hostdev/sub" ]
  # a config mount of the container's own (a tmpfs) takes nodes as /dev does
  update_config '.mounts |= map(select(.destination != "/dev/hd")) | .mounts += [{"destination": "/dev/hd", "type": "tmpfs", "source": "tmpfs"}]
    | .linux.devices = [{"path": "/dev/hd/sub/null", "type": "c", "major": 1, "minor": 3, "fileMode": 420}]'
  set_cmd 'stat -c "%F %a %t:%T" /dev/hd/sub/null'
  run cove run --bundle "$BUNDLE" d3
  assert_success
  assert_output "character special file 644 1:3"
}

@test "default devices: a rootfs whose /dev is a host mount (no /dev in mounts) is refused, its nodes left as they were" {
  # a chroot-style bundle: a stand-in for the host's /dev mounted on rootfs/dev, in a mount
  # namespace of the test's own (nothing to undo on the host)
  update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
  mkdir "$TEST_TMP/hostdev"
  mknod -m 0600 "$TEST_TMP/hostdev/null" c 1 3
  local before
  before=$(stat -c '%i %a %u:%g %t:%T' "$TEST_TMP/hostdev/null")
  run unshare -m --propagation private sh -c 'mount --bind "$1" "$2/rootfs/dev" && "$3" --root "$4" run --bundle "$2" d1' \
    sh "$TEST_TMP/hostdev" "$BUNDLE" "$COVE" "$COVE_ROOT"
  assert_failure
  assert_output --partial "/dev is not the container's own (a bind mount, or a host mount under the rootfs): a node made there would replace the host's"
  [ "${#lines[@]}" -eq 1 ]
  [ "$(stat -c '%i %a %u:%g %t:%T' "$TEST_TMP/hostdev/null")" = "$before" ]
  [ "$(ls "$TEST_TMP/hostdev")" = null ]
}

@test "a devtmpfs on /dev (the kernel's one, the host's nodes) is left as it is: no host node is remade" {
  # where the host is a throwaway guest (the v2 lane): a regression unlinks and remakes the
  # host's own /dev/null, zero, full...
  requires root cgroups_v2
  update_config '.mounts |= map(select(.destination | startswith("/dev") | not))
    | .mounts += [{"destination": "/dev", "type": "devtmpfs", "source": "devtmpfs"}]'
  local before
  before=$(stat -c '%i %a %u:%g %t:%T %Z' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty)
  set_cmd 'stat -c "%F %a %t:%T" /dev/null'
  run cove run --bundle "$BUNDLE" d1
  assert_success
  assert_output "character special file 666 1:3"
  [ "$(stat -c '%i %a %u:%g %t:%T %Z' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty)" = "$before" ]
}
