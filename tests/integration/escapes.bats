#!/usr/bin/env bats
# Escape attempts: hostile symlinks in the image aimed at the host (absolute, ../../.., through
# /proc/self/root) for mount destinations, device paths, masked paths, the cwd, tmpcopyup, the
# overlay upper layer, /proc itself and /dev/null.  Every one must stay inside the rootfs, and the
# host must be unchanged: no bait path created, no host file written, no host mount added.

load helpers

setup() {
  setup_bundle
  update_config '.root.readonly = false'
  BAIT=/tmp/cove-escape-bait-$$-$BATS_TEST_NUMBER
  HOSTFILE=/tmp/cove-escape-hostfile-$$-$BATS_TEST_NUMBER
  echo host-original >"$HOSTFILE"
  HOST_MOUNTS=$(our_host_mounts)
  SRC=$TEST_TMP/src
  mkdir -p "$SRC"
  echo from-src >"$SRC/marker"
}

teardown() {
  teardown_bundle
  rm -rf "$BAIT" "$HOSTFILE"
}

# The host's mounts on the paths this test plays with (other suites may mount elsewhere meanwhile).
our_host_mounts() {
  awk -v a="$BAIT" -v b="$HOSTFILE" -v c="$TEST_TMP" 'index($5, a) == 1 || index($5, b) == 1 || index($5, c) == 1 || $5 == "/" || $5 == "/tmp" { print $5 }' /proc/self/mountinfo | sort
}

# The host is as it was: the bait does not exist, the host file is untouched, no new mount.
host_unchanged() {
  [ ! -e "$BAIT" ] || { echo "escape: $BAIT was created on the host" >&2; return 1; }
  [ "$(cat "$HOSTFILE")" = host-original ] || { echo "escape: $HOSTFILE was written" >&2; return 1; }
  [ "$(our_host_mounts)" = "$HOST_MOUNTS" ] || { echo "escape: host mount table changed" >&2; return 1; }
}

@test "escape 1: mount destination through a symlink to /" {
  ln -s / "$BUNDLE/rootfs/evil"
  add_mount "{\"destination\": \"/evil$BAIT\", \"source\": \"$SRC\", \"options\": [\"bind\"]}"
  set_cmd "cat $BAIT/marker"
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output from-src
  host_unchanged
  [ -d "$BUNDLE/rootfs$BAIT" ]
}

@test "escape 2: mount destination through ../../../.." {
  ln -s ../../../../../../../../.. "$BUNDLE/rootfs/up"
  add_mount "{\"destination\": \"/up$BAIT\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
  set_cmd "grep -c \" $BAIT \" /proc/self/mountinfo"
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output 1
  host_unchanged
}

@test "escape 3: mount destination through /proc/self/root (a magic link)" {
  ln -s /proc/self/root "$BUNDLE/rootfs/magic"
  add_mount "{\"destination\": \"/magic$BAIT\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
  set_cmd "grep -c \" $BAIT \" /proc/self/mountinfo"
  run cove run --bundle "$BUNDLE" e1
  # refused (magic links are never followed) or confined to the rootfs: never the host
  if [ "$status" -ne 0 ]; then
    assert_output --partial "on /magic$BAIT"
  else
    assert_output 1
  fi
  host_unchanged
}

@test "escape 4: device node path through a symlink to ../.." {
  ln -s ../../../../../../.. "$BUNDLE/rootfs/devup"
  update_config ".linux.devices = [{\"path\": \"/devup$BAIT/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3, \"fileMode\": 438}]"
  set_cmd "stat -c %t:%T $BAIT/null"
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output 1:3
  host_unchanged
  [ -c "$BUNDLE/rootfs$BAIT/null" ]
}

@test "escape 5: masked path through a symlink masks the rootfs's file, not the host's" {
  mkdir -p "$BUNDLE/rootfs$(dirname "$HOSTFILE")"
  echo image-copy >"$BUNDLE/rootfs$HOSTFILE"
  ln -s "$HOSTFILE" "$BUNDLE/rootfs/masklink"
  mkdir -p "$BAIT" "$BUNDLE/rootfs$BAIT"
  echo x >"$BUNDLE/rootfs$BAIT/inside"
  ln -s "$BAIT" "$BUNDLE/rootfs/maskdir"
  update_config '.linux.maskedPaths += ["/masklink", "/maskdir"]'
  set_cmd "wc -c < $HOSTFILE; ls -A $BAIT | wc -l"
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output $'0\n0'
  rmdir "$BAIT"
  host_unchanged
  [ "$(cat "$BUNDLE/rootfs$HOSTFILE")" = image-copy ]
}

@test "escape 6: cwd through a symlink out of the rootfs" {
  ln -s "$BAIT" "$BUNDLE/rootfs/cwdlink"
  update_config '.process.cwd = "/cwdlink/sub"'
  set_cmd 'pwd; touch created-here'
  run cove run --bundle "$BUNDLE" e1
  # created inside the rootfs (as runc does), or refused: never on the host
  if [ "$status" -eq 0 ]; then
    [ -e "$BUNDLE/rootfs$BAIT/sub/created-here" ]
  else
    assert_output --partial 'cwd'
  fi
  host_unchanged
}

@test "escape 7: cwd of ../../.. stays at the container's /" {
  update_config '.process.cwd = "/../../../.."'
  set_cmd 'pwd; ls /bin/busybox'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_line /
  assert_line /bin/busybox
  host_unchanged
}

@test "escape 8: tmpcopyup copies symlinks as links and never reads the host through them" {
  mkdir -p "$BUNDLE/rootfs/opt/tc"
  ln -s "$HOSTFILE" "$BUNDLE/rootfs/opt/tc/hostlink"
  ln -s / "$BUNDLE/rootfs/opt/tc/rootlink"
  ln -s "$BAIT" "$BUNDLE/rootfs/tclink"
  add_mount '{"destination": "/opt/tc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
  add_mount '{"destination": "/tclink", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}'
  set_cmd 'readlink /opt/tc/hostlink; readlink /opt/tc/rootlink; cat /opt/tc/hostlink 2>&1; echo pwned > /opt/tc/hostlink; grep -c " /tclink\| '"$BAIT"' " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_line "$HOSTFILE"
  assert_line /
  refute_line host-original
  host_unchanged
}

@test "escape 9: overlay rootfs: writes through an image symlink land in the upper layer" {
  ln -s "$HOSTFILE" "$BUNDLE/rootfs/etc/evil"
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs"'
  set_cmd 'echo pwned > /etc/evil; cat /etc/evil; mkdir -p /up/x && echo y > /up/x/f'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output pwned
  host_unchanged
  [ -L "$BUNDLE/rootfs/etc/evil" ]
  [ ! -e "$BUNDLE/rootfs$HOSTFILE" ]
  [ ! -e "$BUNDLE/rootfs/up" ]
}

@test "escape 10: /proc as a symlink in the image is refused (CVE-2019-19921)" {
  rmdir "$BUNDLE/rootfs/proc"
  ln -s "$BAIT" "$BUNDLE/rootfs/proc"
  set_cmd 'echo ran'
  run cove run --bundle "$BUNDLE" e1
  assert_failure
  assert_output --partial 'mount proc on /proc: resolve /proc in rootfs: it is a symlink'
  host_unchanged
}

@test "escape 11: /dev/null as a symlink to a host file is replaced by the real node" {
  update_config '.mounts |= map(select(.destination | startswith("/dev") | not))'
  ln -s "$HOSTFILE" "$BUNDLE/rootfs/dev/null"
  set_cmd 'stat -c "%F %t:%T" /dev/null; echo pwned > /dev/null; wc -c < /proc/keys'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_line 'character special file 1:3'
  assert_line 0
  host_unchanged
}

@test "escape 12: a file bind mount onto an image symlink to a host file" {
  ln -sf "$HOSTFILE" "$BUNDLE/rootfs/etc/hosts"
  add_mount "{\"destination\": \"/etc/hosts\", \"source\": \"$SRC/marker\", \"options\": [\"bind\"]}"
  set_cmd 'cat /etc/hosts; echo pwned > /etc/hosts'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output from-src
  host_unchanged
  [ -f "$BUNDLE/rootfs$HOSTFILE" ]
}

# ---- /proc must be procfs, /sys must be sysfs (CVE-2019-19921, CVE-2023-27561) ----

# try_mount JSON: run a container whose config has the mount JSON added last; $status/$output.
try_mount() {
  cp "$BUNDLE/config.json" "$TEST_TMP/config.base"
  add_mount "$1"
  run cove run --bundle "$BUNDLE" e1
  cp "$TEST_TMP/config.base" "$BUNDLE/config.json"
}

@test "escape 13: a host directory or a tmpfs on /proc is refused, a bind of procfs is not (CVE-2023-27561)" {
  mkdir -p "$SRC/fakeproc/sys/kernel"
  echo fake >"$SRC/fakeproc/sys/kernel/core_pattern"
  set_cmd 'stat -f -c %T /proc; echo ran'
  try_mount "{\"destination\": \"/proc\", \"source\": \"$SRC/fakeproc\", \"options\": [\"rbind\"]}"
  assert_failure
  refute_line ran
  assert_output --regexp 'mount [^ ]+ on /proc: only procfs may be mounted on /proc, not a bind of (ext4|tmpfs|xfs|btrfs)$'
  try_mount '{"destination": "/proc", "type": "tmpfs", "source": "tmpfs"}'
  assert_failure
  refute_line ran
  assert_output 'cove: run e1: mount tmpfs on /proc: only procfs may be mounted on /proc, not tmpfs'
  # the host's procfs bound on /proc is procfs (runc accepts it too)
  try_mount '{"destination": "/proc", "source": "/proc", "options": ["rbind"]}'
  assert_success
  assert_output $'proc\nran'
  host_unchanged
}

@test "escape 14: /proc reached through an image symlink, .. or /proc/self is refused" {
  ln -s /proc "$BUNDLE/rootfs/myproc"
  ln -s ../proc/sys "$BUNDLE/rootfs/etc/pp"
  set_cmd 'echo ran'
  try_mount "{\"destination\": \"/myproc\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}"
  assert_failure
  refute_line ran
  assert_output --regexp 'mount [^ ]+ on /myproc: only procfs may be mounted on /proc'
  try_mount "{\"destination\": \"/etc/pp/kernel/core_pattern\", \"source\": \"$SRC/marker\", \"options\": [\"bind\"]}"
  assert_failure
  refute_line ran
  assert_output --regexp 'mount [^ ]+ on /etc/pp/kernel/core_pattern: /proc/sys/kernel/core_pattern is inside /proc'
  try_mount '{"destination": "/proc/self/attr", "type": "tmpfs", "source": "tmpfs"}'
  assert_failure
  refute_line ran
  assert_output --regexp 'mount tmpfs on /proc/self/attr: /proc/(self|[0-9]+)/attr is inside /proc'
  try_mount "{\"destination\": \"/tmp/../proc/sys/kernel/core_pattern\", \"source\": \"$SRC/marker\", \"options\": [\"bind\"]}"
  assert_failure
  refute_line ran
  assert_output --partial 'is inside /proc'
  host_unchanged
}

@test "escape 15: under /proc only a bind of a regular file onto the entries lxcfs replaces" {
  local e
  for e in cpuinfo meminfo stat uptime diskstats swaps loadavg slabinfo; do
    add_mount "{\"destination\": \"/proc/$e\", \"source\": \"$SRC/marker\", \"options\": [\"bind\", \"ro\"]}"
  done
  set_cmd 'cat /proc/cpuinfo /proc/meminfo /proc/stat /proc/uptime /proc/diskstats /proc/swaps /proc/loadavg /proc/slabinfo | uniq -c'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output --regexp '^ +8 from-src$'
  update_config '.mounts |= map(select(.destination | startswith("/proc/") | not))'
  set_cmd 'echo ran'
  # a directory, or any other filesystem, on one of them
  mkdir -p "$SRC/dir"
  try_mount "{\"destination\": \"/proc/meminfo\", \"source\": \"$SRC/dir\", \"options\": [\"bind\"]}"
  assert_failure
  assert_output --regexp 'mount [^ ]+ on /proc/meminfo: only a bind of a regular file may be mounted on /proc/meminfo'
  try_mount '{"destination": "/proc/uptime", "type": "proc", "source": "proc"}'
  assert_failure
  assert_output --partial 'mount proc on /proc/uptime: only a bind of a regular file may be mounted on /proc/uptime'
  host_unchanged
}

@test "escape 16: /sys must be sysfs: a tmpfs or a host directory on /sys is refused" {
  set_cmd 'echo ran'
  update_config '.mounts |= map(select(.destination | startswith("/sys") | not))'
  try_mount '{"destination": "/sys", "type": "tmpfs", "source": "tmpfs"}'
  assert_failure
  refute_line ran
  assert_output 'cove: run e1: mount tmpfs on /sys: only sysfs may be mounted on /sys, not tmpfs'
  try_mount "{\"destination\": \"/sys\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}"
  assert_failure
  refute_line ran
  assert_output --regexp 'mount [^ ]+ on /sys: only sysfs may be mounted on /sys, not a bind of (ext4|tmpfs|xfs|btrfs)$'
  # the host's sysfs bound there is sysfs (rootless configs do this)
  try_mount '{"destination": "/sys", "source": "/sys", "options": ["rbind", "ro"]}'
  assert_success
  assert_output ran
  host_unchanged
}

@test "escape 17: the probe: a nested user namespace can mount procfs and sysfs where they are fully visible, not over masked paths" {
  mkdir -p "$BUNDLE/rootfs/tmp/p"
  cp "$BUNDLE/config.json" "$TEST_TMP/config.base"
  update_config '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
  set_cmd 'cove-test-helper userns-mount proc /tmp/p; cove-test-helper userns-mount sysfs /tmp/p ro'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output $'mounted proc\nmounted sysfs'
  cp "$TEST_TMP/config.base" "$BUNDLE/config.json"
  set_cmd 'cove-test-helper userns-mount proc /tmp/p; cove-test-helper userns-mount sysfs /tmp/p ro; echo done'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output $'mount proc: Operation not permitted\nmount sysfs: Operation not permitted\ndone'
}

start_no_pivot() {
  mkdir -p "$BUNDLE/rootfs/tmp/p"
  update_config '.process.args = ["cove-test-helper", "sleep-forever"]'
  "$COVE" --root "$COVE_ROOT" run -d --no-pivot --bundle "$BUNDLE" np </dev/null >"$TEST_TMP/np.out" 2>&1 3>&-
  wait_for_state np running
}

@test "escape 18: --no-pivot: a nested user namespace cannot mount procfs or sysfs" {
  start_no_pivot
  # the host's /proc and /sys are fully visible: if they stayed in the namespace under the
  # chroot, the kernel would allow these
  run cove exec np cove-test-helper userns-mount proc /tmp/p
  assert_failure 1
  assert_output 'mount proc: Operation not permitted'
  run cove exec np cove-test-helper userns-mount sysfs /tmp/p
  assert_failure 1
  assert_output 'mount sysfs: Operation not permitted'
  host_unchanged
}

@test "escape 19: --no-pivot: no host mount stays in the container's mount namespace below its root" {
  # listmount/statmount see mounts a chroot hides (mountinfo skips them)
  requires 6.8
  start_no_pivot
  # below the container's root only what holds the rootfs itself: the host's mounts on the
  # rootfs's path, and what the host itself has below its root
  local pid want
  pid=$(cove state np | jq -r .pid)
  want=$( ("$COVE_TEST_HELPER" hidden-mounts $$
    awk -v root="$BUNDLE/rootfs" 'index(root "/", ($5 == "/" ? "" : $5) "/") == 1 {
      for (i = 7; i < NF; i++) if ($i == "-") { print $(i + 1); break } }' /proc/self/mountinfo) | sort)
  run "$COVE_TEST_HELPER" hidden-mounts "$pid"
  assert_success
  [ "$(sort <<<"$output")" = "$want" ] || { echo "hidden below the root: $output; the rootfs's own: $want"; false; }
  host_unchanged
}

@test "escape 20: a bind source inside the rootfs is resolved inside it: an image symlink cannot hand over a host file" {
  mkdir -p "$BUNDLE/rootfs$(dirname "$HOSTFILE")"
  echo in-image >"$BUNDLE/rootfs$HOSTFILE"
  ln -s "$HOSTFILE" "$BUNDLE/rootfs/etc/link"
  ln -s ../../../../../../../../.. "$BUNDLE/rootfs/etc/up"
  add_mount "{\"destination\": \"/x\", \"source\": \"$BUNDLE/rootfs/etc/link\", \"options\": [\"bind\"]}"
  add_mount "{\"destination\": \"/y\", \"source\": \"$BUNDLE/rootfs/etc/up$HOSTFILE\", \"options\": [\"bind\"]}"
  set_cmd 'cat /x /y'
  run cove run --bundle "$BUNDLE" e1
  assert_success
  assert_output $'in-image\nin-image'
  host_unchanged
}
