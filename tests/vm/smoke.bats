#!/usr/bin/env bats
# The v2 VM lane's own checks (run first in the guest by run-lane.sh v2): the guest is a pure
# cgroup v2 host whose limits bite, the shares and the build's cove work, and pivot_root can leave
# the root filesystem.  They prove the lane, not cove: cove's tests are in tests/integration/.

load ../integration/helpers

setup() {
  SMOKE_CG=
}

teardown() {
  if [ -n "$SMOKE_CG" ] && [ -d "$SMOKE_CG" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$SMOKE_CG/cgroup.procs"
    rmdir "$SMOKE_CG" 2>/dev/null || true
  fi
  teardown_bundle
}

@test "vm: /sys/fs/cgroup is a pure cgroup2 hierarchy" {
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]
  run grep -E '^[^ ]+ [^ ]+ cgroup ' /proc/mounts
  assert_failure
  [ "$(cgroup_mode)" = unified ]
}

@test "vm: the root cgroup offers and delegates the v2 controllers" {
  for c in cpuset cpu io memory hugetlb pids; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers
    grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control
  done
}

@test "vm: a memory.max limit OOM-kills a process that exceeds it" {
  SMOKE_CG=/sys/fs/cgroup/vm-smoke-$$
  mkdir "$SMOKE_CG"
  echo 16M >"$SMOKE_CG/memory.max"
  echo 0 >"$SMOKE_CG/memory.swap.max" 2>/dev/null || true
  # the shell joins the cgroup, then holds 64 MiB in a variable
  run bash -c 'echo $$ >"$1/cgroup.procs" && x=$(head -c 64M /dev/zero | tr "\0" a) && echo survived' _ "$SMOKE_CG"
  refute_output --partial survived
  [ "$(awk '/^oom_kill / {print $2}' "$SMOKE_CG/memory.events")" -ge 1 ]
}

@test "vm: the source, build and control shares are 9p, the control share writable" {
  grep -q '^src /mnt/src 9p ' /proc/mounts
  [ -f /mnt/src/tests/vm/run-lane.sh ]
  [ -x /mnt/build/cove ]
  touch /mnt/ctl/smoke-probe
  rm /mnt/ctl/smoke-probe
}

@test "vm: the build's cove runs in the guest" {
  run "$COVE" --version
  assert_success
  assert_line --regexp '^cove version '
}

@test "vm: pivot_root can leave the guest's root (it is not the initramfs)" {
  local d
  d=$(mktemp -d)
  run unshare -m sh -c "mount -t tmpfs t '$d' && mkdir '$d/old' && cd '$d' && pivot_root . old && echo pivoted"
  rmdir "$d"
  assert_success
  assert_output pivoted
}

@test "vm: tools the suites use are the real ones (dash, GNU coreutils, iproute2 ip)" {
  [ "$(readlink -f /bin/sh)" = /usr/bin/dash ]
  run stat --version
  assert_line --partial 'GNU coreutils'
  ip link add vm-smoke0 type veth peer name vm-smoke1
  ip link del vm-smoke0
  [ -x "$BUSYBOX" ]
}

@test "vm: the build's cove runs a busybox container in the guest" {
  setup_bundle
  update_config '.process.args = ["sh", "-c", "echo hello from $(hostname)"]'
  run cove run --bundle "$BUNDLE" smoke
  assert_success
  assert_output "hello from cove"
}
