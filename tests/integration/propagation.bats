#!/usr/bin/env bats
# Mount propagation: rootfsPropagation and the per-mount propagation options, checked by making
# a mount on the host while the container runs and looking for it inside; and that nothing the
# container mounts reaches the host.

load helpers

setup() {
  setup_bundle
  # the test's tree is a shared mount on the host, as / is under systemd
  mount --bind "$TEST_TMP" "$TEST_TMP"
  mount --make-rshared "$TEST_TMP"
  update_config '.root.readonly = false'
  COMM=$TEST_TMP/comm
  SRC=$TEST_TMP/src
  mkdir -p "$COMM" "$SRC/sub" "$BUNDLE/rootfs/mnt/hostmnt"
  add_mount "{\"destination\": \"/comm\", \"source\": \"$COMM\", \"options\": [\"bind\"]}"
}

teardown() {
  teardown_bundle
}

# Start the container (foreground, in the background), wait until it is ready, make host mount
# $1, let the container look for $2 in its mountinfo; prints SEEN or NOT-SEEN from inside.
host_mount_seen() {
  local host_target=$1 inside=$2
  set_cmd "echo ready > /comm/ready; while [ ! -e /comm/go ]; do sleep 0.02; done; if grep -q ' $inside ' /proc/self/mountinfo; then echo SEEN; else echo NOT-SEEN; fi; mkdir -p /inner && mount -t tmpfs tmpfs /inner 2>/dev/null; true"
  update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  cove run --bundle "$BUNDLE" p1 >"$TEST_TMP/out" 2>&1 &
  local pid=$!
  for _ in $(seq 250); do [ -e "$COMM/ready" ] && break; sleep 0.02; done
  [ -e "$COMM/ready" ]
  mount -t tmpfs -o size=1m tmpfs "$host_target"
  touch "$COMM/go"
  wait $pid
  cat "$TEST_TMP/out"
}

@test "default (rprivate): a host mount under the rootfs does not appear inside" {
  run host_mount_seen "$BUNDLE/rootfs/mnt/hostmnt" /mnt/hostmnt
  assert_success
  assert_line NOT-SEEN
}

@test "rootfsPropagation rslave: a host mount under the rootfs appears inside" {
  update_config '.linux.rootfsPropagation = "rslave"'
  run host_mount_seen "$BUNDLE/rootfs/mnt/hostmnt" /mnt/hostmnt
  assert_success
  assert_line SEEN
}

@test "rootfsPropagation rshared: host mounts appear inside, / is shared" {
  update_config '.linux.rootfsPropagation = "rshared"'
  run host_mount_seen "$BUNDLE/rootfs/mnt/hostmnt" /mnt/hostmnt
  assert_success
  assert_line SEEN
  set_cmd 'grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" p2
  assert_success
  assert_output --regexp ' shared:[0-9]+'
}

@test "rootfsPropagation private: host mounts do not appear" {
  update_config '.linux.rootfsPropagation = "private"'
  run host_mount_seen "$BUNDLE/rootfs/mnt/hostmnt" /mnt/hostmnt
  assert_success
  assert_line NOT-SEEN
}

@test "bind mount option rslave: a host mount under the source appears inside" {
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"rslave\"]}"
  run host_mount_seen "$SRC/sub" /data/sub
  assert_success
  assert_line SEEN
}

@test "bind mount option rprivate: a host mount under the source does not appear" {
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"rprivate\"]}"
  run host_mount_seen "$SRC/sub" /data/sub
  assert_success
  assert_line NOT-SEEN
}

@test "per-mount propagation options are shown in mountinfo" {
  add_mount '{"destination": "/s", "type": "tmpfs", "source": "tmpfs", "options": ["shared"]}'
  add_mount '{"destination": "/u", "type": "tmpfs", "source": "tmpfs", "options": ["unbindable"]}'
  add_mount "{\"destination\": \"/sl\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"rslave\"]}"
  set_cmd 'cat /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" p3
  assert_success
  mount_line /s | grep -E ' shared:[0-9]+ '
  mount_line /u | grep -E ' unbindable '
  mount_line /sl | grep -E ' master:[0-9]+ '
}

@test "mounts made by the container never reach the host, even with rshared" {
  update_config '.linux.rootfsPropagation = "rshared"'
  add_mount "{\"destination\": \"/data\", \"source\": \"$SRC\", \"options\": [\"rbind\", \"rshared\"]}"
  local before
  before=$(awk -v t="$TEST_TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort)
  run host_mount_seen "$SRC/sub" /data/sub
  assert_success
  umount "$SRC/sub"
  # other suites may mount elsewhere meanwhile: compare what is under the test's tree
  [ "$(awk -v t="$TEST_TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort)" = "$before" ]
  ! grep -q ' /inner ' /proc/self/mountinfo
}
