#!/usr/bin/env bats
# The systemd cgroup driver on cgroup v1 (`make check-systemd-v1`: the systemd guest booted with
# systemd.unified_cgroup_hierarchy=0; skipped elsewhere): the scope is in every hierarchy (those
# systemd manages, and those cove adds: cpuset, freezer, ...), the v1 properties (runc's names:
# MemoryLimit, CPUShares, TasksMax, CPUQuota*, DevicePolicy/DeviceAllow) and the v1 files hold the
# limits, daemon-reload keeps them, update and delete go through systemd.

load helpers
load systemd_kill

setup() {
  requires root systemd_v1
  setup_bundle
  sd_unit_setup
}

teardown() {
  teardown_bundle
  sd_unit_teardown
}

# v1f CONTROLLER FILE: the file in the unit's directory of that hierarchy.
v1f() {
  cat "/sys/fs/cgroup/$1/system.slice/$UNIT/$2"
}

@test "systemd driver (v1): the scope in every hierarchy, v1 properties and files, kept by daemon-reload" {
  update_config '.linux.resources = {
    devices: [{allow: false, access: "rwm"}, {allow: true, type: "c", major: 10, minor: 237, access: "rw"}],
    memory: {limit: 67108864}, cpu: {shares: 2048, quota: 50000, period: 100000, cpus: "0"},
    pids: {limit: 77}}'
  sdrun c1
  local pid c
  pid=$(cove state c1 | jq .pid)
  [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]
  echo "# cgroup mode: $(cgroup_mode)" >&3
  [ "$(prop ActiveState)" = active ]
  [ "$(prop Delegate)" = yes ]
  # systemd's hierarchies and the ones cove made the unit's path in
  for c in name=systemd memory pids devices cpuset freezer; do
    grep -Eq "^[0-9]+:([^:]*,)?$c(,[^:]*)?:/system.slice/$UNIT\$" "/proc/$pid/cgroup" || {
      echo "$c: $(cat "/proc/$pid/cgroup")" >&2
      return 1
    }
  done
  check_all() {
    [ "$(prop MemoryLimit)" = 67108864 ]
    [ "$(prop CPUShares)" = 2048 ]
    [ "$(prop CPUQuotaPerSecUSec)" = 500ms ]
    [ "$(prop TasksMax)" = 77 ]
    [ "$(prop DevicePolicy)" = strict ]
    prop DeviceAllow | grep -q "/dev/char/10:237 rw"
    [ "$(v1f memory memory.limit_in_bytes)" = 67108864 ]
    [ "$(v1f cpu,cpuacct cpu.shares)" = 2048 ]
    [ "$(v1f cpu,cpuacct cpu.cfs_quota_us)" = 50000 ]
    [ "$(v1f cpu,cpuacct cpu.cfs_period_us)" = 100000 ]
    [ "$(v1f pids pids.max)" = 77 ]
    [ "$(v1f cpuset cpuset.cpus)" = 0 ]
    v1f devices devices.list | grep -qx "c 10:237 rw"
    v1f devices devices.list | grep -qx "c 1:3 rwm"
  }
  check_all
  # systemd rewrites its hierarchies on reload: from the properties, the container's values
  systemctl daemon-reload
  check_all
}

@test "systemd driver (v1): update sets the properties and files; delete stops the unit and removes cove's dirs" {
  update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
  sdrun c1
  sdcove update --memory 134217728 --pids-limit 99 c1
  [ "$(prop MemoryLimit)" = 134217728 ]
  [ "$(prop TasksMax)" = 99 ]
  [ "$(v1f memory memory.limit_in_bytes)" = 134217728 ]
  [ "$(v1f pids pids.max)" = 99 ]
  systemctl daemon-reload
  [ "$(v1f memory memory.limit_in_bytes)" = 134217728 ]
  # pause: the cgroup2 freezer of a hybrid host's unified hierarchy, else the v1 freezer (a
  # hierarchy systemd leaves to cove)
  cove pause c1
  if [ "$(cgroup_mode)" = hybrid ]; then
    [ "$(cat "/sys/fs/cgroup/unified/system.slice/$UNIT/cgroup.freeze")" = 1 ]
  else
    [ "$(v1f freezer freezer.state)" = FROZEN ]
  fi
  [ "$(cove state c1 | jq -r .status)" = paused ]
  cove resume c1
  sdcove delete -f c1
  run systemctl is-active "$UNIT"
  refute_output active
  local c
  for c in memory pids devices cpuset freezer; do
    [ ! -e "/sys/fs/cgroup/$c/system.slice/$UNIT" ]
  done
}

@test "systemd driver (v1): run -d killed at any moment: delete -f leaves no unit, no directory of systemd's or cove's" {
  killed_create_leaves_nothing "$COVE_ROOT/ID/cove.json" "/sys/fs/cgroup/memory/system.slice/UNIT" \
    "/sys/fs/cgroup/cpuset/system.slice/UNIT" "/sys/fs/cgroup/freezer/system.slice/UNIT" 0 100 200 400 800
}
