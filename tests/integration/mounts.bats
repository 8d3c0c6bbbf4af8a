#!/usr/bin/env bats
# Mounts: every default mount of the spec, each mount option seen in /proc/self/mountinfo from
# inside, bind mounts and their flags, recursive attributes, tmpcopyup, data options, overlay
# mounts (also as the root), root.readonly, --no-pivot, and the cgroup view.

load helpers

setup() {
  setup_bundle
  SRC=$TEST_TMP/src
  mkdir -p "$SRC/sub"
  echo hello >"$SRC/file"
}

teardown() {
  teardown_bundle
}

@test "default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs ro, cgroup ro" {
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line / | grep -E ' / ro[, ]'
  mount_line /proc | grep -E ' - proc proc '
  mount_line /dev | grep -E ' /dev rw,nosuid - tmpfs .*mode=755'
  mount_line /dev/pts | grep -E 'rw,nosuid,noexec.* - devpts .*mode=620.*ptmxmode=666'
  mount_line /dev/shm | grep -E 'rw,nosuid,nodev,noexec.* - tmpfs shm .*size=65536k'
  mount_line /dev/mqueue | grep -E 'rw,nosuid,nodev,noexec.* - mqueue '
  mount_line /sys | grep -E ' /sys ro,nosuid,nodev,noexec.* - sysfs '
  mount_line /sys/fs/cgroup | grep -E ' ro,nosuid,nodev,noexec,relatime'
}

@test "bind mount with ro,nosuid,nodev,noexec: flags in mountinfo, writes refused" {
  add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"bind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\"]}"
  set_cmd 'cat /proc/self/mountinfo; cat /data/file; touch /data/new && echo WROTE'
  run cove run --bundle "$BUNDLE" m1
  mount_line /data | grep -E ' /data ro,nosuid,nodev,noexec'
  assert_line hello
  refute_line WROTE
  [ ! -e "$SRC/new" ]
}

@test "bind mount rw: writes reach the source" {
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"rbind\",\"rw\"]}"
  set_cmd 'echo from-inside > /data/new'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  [ "$(cat "$SRC/new")" = from-inside ]
}

@test "per-mount flags: noatime, nodiratime, nosymfollow, strictatime, relatime" {
  add_mount '{"destination": "/m1", "type": "tmpfs", "source": "tmpfs", "options": ["noatime","nodiratime","nosymfollow"]}'
  add_mount '{"destination": "/m2", "type": "tmpfs", "source": "tmpfs", "options": ["strictatime","noexec"]}'
  add_mount '{"destination": "/m3", "type": "tmpfs", "source": "tmpfs", "options": ["relatime","ro","dev","suid","exec"]}'
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /m1 | grep -E ' /m1 rw,noatime,nodiratime,nosymfollow '
  mount_line /m2 | grep -E ' /m2 rw,noexec - '
  mount_line /m3 | grep -E ' /m3 ro,relatime - '
}

@test "superblock flags: sync, dirsync, lazytime, and data options pass through" {
  add_mount '{"destination": "/m1", "type": "tmpfs", "source": "tmpfs", "options": ["sync","dirsync","lazytime","size=1m","mode=700","nr_inodes=100"]}'
  set_cmd 'cat /proc/self/mountinfo; stat -c %a /m1'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /m1 | grep -E ' - tmpfs tmpfs rw,sync,dirsync,lazytime,size=1024k,nr_inodes=100,mode=700'
  assert_line 700
}

@test "remount: a later entry remounts an earlier mount read-only" {
  add_mount '{"destination": "/m1", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  add_mount '{"destination": "/m1", "type": "tmpfs", "source": "tmpfs", "options": ["remount","ro","size=2m"]}'
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /m1 | grep -E ' /m1 ro[, ].*size=2048k'
}

@test "rbind with rro: every submount read-only; bind with ro: only the top" {
  mkdir -p "$TEST_TMP/sub-src"
  mount -t tmpfs -o size=1m tmpfs "$SRC/sub"
  add_mount "{\"destination\": \"/r\", \"source\": \"$SRC\", \"options\": [\"rbind\",\"rro\"]}"
  add_mount "{\"destination\": \"/t\", \"source\": \"$SRC\", \"options\": [\"rbind\",\"ro\"]}"
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  umount "$SRC/sub"
  assert_success
  mount_line /r | grep -E ' /r ro'
  mount_line /r/sub | grep -E ' /r/sub ro'
  mount_line /t | grep -E ' /t ro'
  mount_line /t/sub | grep -E ' /t/sub rw'
}

@test "recursive attributes: rnosuid, rnodev, rnoexec, rnoatime, rnodiratime, rnosymfollow" {
  mount -t tmpfs -o size=1m tmpfs "$SRC/sub"
  add_mount "{\"destination\": \"/r\", \"source\": \"$SRC\", \"options\": [\"rbind\",\"rnosuid\",\"rnodev\",\"rnoexec\",\"rnoatime\",\"rnodiratime\",\"rnosymfollow\"]}"
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  umount "$SRC/sub"
  assert_success
  mount_line /r | grep -E ' /r rw,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow '
  mount_line /r/sub | grep -E ' /r/sub rw,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow '
}

@test "bind of a file: the target file is created, the content is the source's" {
  add_mount "{\"destination\": \"/etc/deep/er/file.conf\", \"source\": \"$SRC/file\", \"options\": [\"bind\",\"ro\"]}"
  set_cmd 'cat /etc/deep/er/file.conf; test -f /etc/deep/er/file.conf && echo IS-FILE'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_line hello
  assert_line IS-FILE
}

@test "a relative bind source is relative to the bundle" {
  mkdir -p "$BUNDLE/rel"
  echo relative >"$BUNDLE/rel/f"
  add_mount '{"destination": "/rel", "source": "rel", "options": ["bind"]}'
  set_cmd 'cat /rel/f'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_output relative
}

@test "tmpcopyup: the tmpfs starts with the image's files, writes stay in the container" {
  mkdir -p "$BUNDLE/rootfs/opt/app/dir"
  echo image >"$BUNDLE/rootfs/opt/app/dir/f"
  chmod 0750 "$BUNDLE/rootfs/opt/app"
  ln -s dir/f "$BUNDLE/rootfs/opt/app/link"
  add_mount '{"destination": "/opt/app", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup","size=1m"]}'
  update_config '.root.readonly = false'
  set_cmd 'cat /proc/self/mountinfo; cat /opt/app/dir/f; readlink /opt/app/link; stat -c %a /opt/app; echo changed > /opt/app/dir/f; cat /opt/app/dir/f'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /opt/app | grep -E ' - tmpfs '
  assert_line image
  assert_line dir/f
  assert_line 750
  assert_line changed
  [ "$(cat "$BUNDLE/rootfs/opt/app/dir/f")" = image ]
}

@test "missing destinations are created inside the rootfs, nested" {
  add_mount '{"destination": "/a/b/c", "type": "tmpfs", "source": "tmpfs"}'
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /a/b/c | grep -E ' - tmpfs '
  [ -d "$BUNDLE/rootfs/a/b/c" ]
}

@test "an overlay mount works as any other mount" {
  mkdir -p "$TEST_TMP"/ov/{lower,upper,work}
  echo lower >"$TEST_TMP/ov/lower/f"
  add_mount "{\"destination\": \"/ov\", \"type\": \"overlay\", \"source\": \"overlay\", \"options\": [\"lowerdir=$TEST_TMP/ov/lower\",\"upperdir=$TEST_TMP/ov/upper\",\"workdir=$TEST_TMP/ov/work\"]}"
  set_cmd 'cat /ov/f; echo new > /ov/g; cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_line lower
  mount_line /ov | grep -E ' - overlay overlay '
  [ "$(cat "$TEST_TMP/ov/upper/g")" = new ]
  [ ! -e "$TEST_TMP/ov/lower/g" ]
}

@test "an overlay mount on / is the container's root" {
  mkdir -p "$TEST_TMP"/ov/{upper,work}
  update_config ".mounts = [{\"destination\": \"/\", \"type\": \"overlay\", \"source\": \"overlay\", \"options\": [\"lowerdir=$BUNDLE/rootfs\",\"upperdir=$TEST_TMP/ov/upper\",\"workdir=$TEST_TMP/ov/work\"]}] + .mounts"
  update_config '.root.readonly = false'
  set_cmd 'echo written > /written; cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line / | grep -E ' - overlay overlay '
  [ "$(cat "$TEST_TMP/ov/upper/written")" = written ]
  [ ! -e "$BUNDLE/rootfs/written" ]
}

@test "root.readonly: / is read-only; false: writable" {
  set_cmd 'touch /x && echo WROTE'
  run cove run --bundle "$BUNDLE" m1
  refute_line WROTE
  assert_output --partial 'Read-only file system'
  update_config '.root.readonly = false'
  run cove run --bundle "$BUNDLE" m2
  assert_success
  assert_line WROTE
}

@test "--no-pivot: MS_MOVE + chroot, same mounts" {
  set_cmd 'cat /proc/self/mountinfo; ls /'
  run cove run --no-pivot --bundle "$BUNDLE" m1
  assert_success
  mount_line /proc | grep -E ' - proc proc '
  assert_line bin
}

@test "cgroup mount: the container sees its own cgroups" {
  set_cmd 'ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/cgroup.procs 2>/dev/null || cat /sys/fs/cgroup/cgroup.procs'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  # pid 1 is the container's init: the mounted cgroup is the container's own
  assert_line 1
  if [ "$(cgroup_mode)" != unified ]; then
    assert_line pids
    assert_line memory
  fi
  if [ "$(cgroup_mode)" = hybrid ]; then
    assert_line unified
  fi
}

@test "cgroup mount without a cgroup namespace: a bind of the container's own dirs" {
  requires cgroups_hybrid
  update_config '.linux.namespaces -= [{"type": "cgroup"}]'
  set_cmd 'cat /proc/self/mountinfo; cat /sys/fs/cgroup/pids/cgroup.procs'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_line 1
  mount_line /sys/fs/cgroup/pids | grep -E " /cove-test-[^ ]* /sys/fs/cgroup/pids ro,"
}

@test "a mount with a bad type fails create with the mount named" {
  add_mount '{"destination": "/x", "type": "nosuchfs", "source": "none"}'
  set_cmd 'true'
  run cove run --bundle "$BUNDLE" m1
  assert_failure
  assert_output --partial 'mount nosuchfs on /x'
  run cove list -q
  assert_output ""
}

@test "any filesystem by name: ramfs with its data options" {
  add_mount '{"destination": "/ram", "type": "ramfs", "source": "ramfs", "options": ["mode=710","nodev"]}'
  set_cmd 'cat /proc/self/mountinfo; stat -c %a /ram'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /ram | grep -E ' /ram rw,nodev[, ].* - ramfs ramfs rw,mode=710'
  assert_line 710
}

@test "an explicit cgroup2 mount shows the container's v2 cgroup" {
  [ "$(cgroup_mode)" = legacy ] && skip "no cgroup2 on this host"
  add_mount '{"destination": "/cg2", "type": "cgroup2", "source": "cgroup2", "options": ["nosuid","nodev","noexec"]}'
  set_cmd 'cat /proc/self/mountinfo; cat /cg2/cgroup.procs'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /cg2 | grep -E ' /cg2 rw,nosuid,nodev,noexec[, ].* - cgroup2 '
  assert_line 1
}

@test "bind,remount: an earlier bind mount made read-only in place" {
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"bind\"]}"
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"bind\",\"remount\",\"ro\",\"nosuid\"]}"
  set_cmd 'cat /proc/self/mountinfo; touch /data/x || echo REFUSED'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  [ "$(grep -cE ' /data ' <<<"$output")" -eq 1 ]
  mount_line /data | grep -E ' /data ro,nosuid'
  assert_line REFUSED
}

@test "/dev mounted ro: pts, shm, mqueue and the device nodes are made first, then /dev is read-only" {
  update_config '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)'
  update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
  set_cmd 'cat /proc/self/mountinfo; stat -c "%n %F %t:%T" /dev/null /dev/fuse; ls /dev/pts/ptmx;
    touch /dev/new && echo WROTE-DEV; echo in-shm > /dev/shm/f && cat /dev/shm/f'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  mount_line /dev | grep -E ' /dev ro,nosuid - tmpfs '
  mount_line /dev/pts | grep -E ' /dev/pts rw,nosuid,noexec.* - devpts '
  mount_line /dev/shm | grep -E ' /dev/shm rw,.* - tmpfs '
  mount_line /dev/mqueue | grep -E ' - mqueue '
  assert_line '/dev/null character special file 1:3'
  assert_line '/dev/fuse character special file a:e5'
  assert_line /dev/pts/ptmx
  refute_line WROTE-DEV
  assert_line in-shm
}

@test "/dev mounted ro with a terminal: /dev/console is made before /dev turns read-only" {
  update_config '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)
    | .process.terminal = true | .process.args = ["sh", "-c", "ls -l /dev/console; grep \" /dev \" /proc/self/mountinfo"]'
  local sock=$TEST_TMP/console.sock
  "$COVE_TEST_HELPER" recvtty "$sock" >"$TEST_TMP/tty.out" 2>"$TEST_TMP/tty.err" &
  local recv=$! i
  for ((i = 0; i < 200; i++)); do [ -e "$sock.ready" ] && break; sleep 0.01; done
  run cove run -d --bundle "$BUNDLE" --console-socket "$sock" m1
  if [ "$status" -ne 0 ]; then kill "$recv"; fi
  assert_success
  wait "$recv"
  run cat "$TEST_TMP/tty.out"
  assert_output --regexp '/dev/console'
  assert_output --regexp ' /dev ro,nosuid'
}

@test "mounts are made in order: a bind source that exists only after an earlier mount" {
  mkdir -p "$SRC/sub"
  echo deep >"$SRC/sub/f"
  add_mount "{\"destination\": \"/a\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}"
  # $BUNDLE/rootfs/a/sub is the empty /a of the image on the host: it only holds sub once the
  # first mount is made, in the container's mount namespace
  add_mount "{\"destination\": \"/b\", \"source\": \"$BUNDLE/rootfs/a/sub\", \"options\": [\"rbind\", \"ro\"]}"
  set_cmd 'cat /b/f; grep " /b " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_line deep
  assert_output --regexp ' /b ro,'
  [ ! -e "$BUNDLE/rootfs/a/sub" ]
}

@test "a bind source missing when its turn comes fails create with the source named" {
  add_mount "{\"destination\": \"/b\", \"source\": \"$BUNDLE/rootfs/no/such\", \"options\": [\"rbind\"]}"
  set_cmd 'echo ran'
  run cove run --bundle "$BUNDLE" m1
  assert_failure
  refute_line ran
  assert_output --regexp "mount [^ ]+ on /b: .*$BUNDLE/rootfs/no/such.*: No such file or directory"
  run cove list -q
  assert_output ''
}

@test "implied rw: a bind of a read-only mount with options but without ro is writable (as runc)" {
  local ro=$TEST_TMP/romnt
  mkdir -p "$ro"
  mount --bind "$ro" "$ro"
  mount -o remount,bind,ro "$ro"
  add_mount "{\"destination\": \"/w\", \"source\": \"$ro\", \"options\": [\"bind\", \"nosuid\"]}"
  add_mount "{\"destination\": \"/x\", \"source\": \"$ro\", \"options\": [\"bind\", \"rw\"]}"
  # no per-mount flag at all: the source's flags are kept, as runc does
  add_mount "{\"destination\": \"/k\", \"source\": \"$ro\", \"options\": [\"rbind\"]}"
  set_cmd 'cat /proc/self/mountinfo; touch /w/new && echo WROTE-W; touch /x/new2 && echo WROTE-X; touch /k/new3 && echo WROTE-K; echo end'
  run cove run --bundle "$BUNDLE" m1
  umount "$ro"
  assert_success
  mount_line /w | grep -E ' /w rw,nosuid'
  mount_line /x | grep -E ' /x rw'
  mount_line /k | grep -E ' /k ro'
  assert_line WROTE-W
  assert_line WROTE-X
  refute_line WROTE-K
  [ -e "$ro/new" ]
}

@test "a read-only tmpfs: tmpcopyup and the mounts under it are made first, then it turns read-only" {
  mkdir -p "$BUNDLE/rootfs/opt/keep"
  echo image-file >"$BUNDLE/rootfs/opt/keep/f"
  add_mount '{"destination": "/opt", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "tmpcopyup", "size=1m"]}'
  add_mount "{\"destination\": \"/opt/data\", \"source\": \"$SRC\", \"options\": [\"bind\"]}"
  set_cmd 'cat /opt/keep/f /opt/data/file; grep -E " /opt(/data)? " /proc/self/mountinfo; touch /opt/new && echo WROTE; echo end'
  run cove run --bundle "$BUNDLE" m1
  assert_success
  assert_line image-file
  assert_line hello
  mount_line /opt | grep -E ' /opt ro,.* - tmpfs '
  mount_line /opt/data | grep -E ' /opt/data rw'
  refute_line WROTE
}
