#!/usr/bin/env bats
# The systemd cgroup driver (`--systemd-cgroup`) under systemd as PID 1 (the systemd VM lane,
# `make check-systemd`; skipped elsewhere): the container's cgroup is a transient scope systemd
# creates, every resource systemd has a property for is that property (read back with
# `systemctl show`) and the file systemd wrote, the rest is in the files, `daemon-reload` keeps
# it all, update and delete go through systemd, and the cgroup verbs work on the unit's cgroup.
# The v1/hybrid property names are covered by tests/unit/test_cgroups_systemd.c only: this
# guest boots pure cgroup v2.  blockIO.weightDevice is left out here: this kernel takes per-device
# io.weight only with io.cost enabled for the device (EOPNOTSUPP otherwise, whichever driver);
# its IODeviceWeight property is in the unit tests.

load helpers
load systemd_kill

setup() {
  requires root systemd
  setup_bundle
  sd_unit_setup
  CG=/sys/fs/cgroup/system.slice/$UNIT
}

teardown() {
  teardown_bundle
  sd_unit_teardown
}

@test "systemd driver: the container's cgroup is a transient Delegate=yes scope holding the init" {
  sdrun c1
  local pid
  pid=$(cove state c1 | jq .pid)
  [ "$(prop ActiveState)" = active ]
  [ "$(prop Delegate)" = yes ]
  [ "$(prop Transient)" = yes ]
  [ "$(prop Slice)" = system.slice ]
  [ "$(prop ControlGroup)" = "/system.slice/$UNIT" ]
  [ "$(prop Description)" = "cove container c1" ]
  run cat "/proc/$pid/cgroup"
  assert_output "0::/system.slice/$UNIT"
  grep -qx "$pid" "$CG/cgroup.procs"
  # the state records the unit for the later commands
  jq -r .cgroup "$COVE_ROOT/c1/cove.json" | grep -qx "systemd $UNIT"
}

@test "systemd driver: every resource is the unit's property and the cgroup file, and daemon-reload keeps them" {
  local vda
  vda=$(stat -Lc '%t:%T' /dev/vda | { IFS=: read -r a b; echo "$((16#$a)):$((16#$b))"; })
  update_config ".linux.resources = {
    devices: [{allow: false, access: \"rwm\"}, {allow: true, type: \"c\", major: 10, minor: 237, access: \"rw\"}],
    memory: {limit: 67108864, reservation: 33554432, swap: 100663296},
    cpu: {shares: 2048, quota: 12345, period: 100000, cpus: \"0-1\", mems: \"0\", burst: 1000},
    pids: {limit: 77},
    blockIO: {weight: 500,
      throttleReadBpsDevice: [{major: ${vda%:*}, minor: ${vda#*:}, rate: 1048576}],
      throttleWriteBpsDevice: [{major: ${vda%:*}, minor: ${vda#*:}, rate: 2097152}],
      throttleReadIOPSDevice: [{major: ${vda%:*}, minor: ${vda#*:}, rate: 100}],
      throttleWriteIOPSDevice: [{major: ${vda%:*}, minor: ${vda#*:}, rate: 200}]},
    unified: {\"memory.high\": \"50331648\", \"memory.oom.group\": \"1\"}
  }"
  # two host devices in the container: /dev/loop-control allowed by the rule above, the disk not
  add_mount '{destination: "/dev/loop-control", type: "bind", source: "/dev/loop-control", options: ["bind"]}'
  add_mount '{destination: "/dev/vda", type: "bind", source: "/dev/vda", options: ["bind"]}'
  sdrun c1
  check_all() {
    # systemd's view of the unit
    [ "$(prop MemoryMax)" = 67108864 ]
    [ "$(prop MemoryLow)" = 33554432 ]
    [ "$(prop MemorySwapMax)" = 33554432 ]
    [ "$(prop MemoryHigh)" = 50331648 ]
    [ "$(prop CPUWeight)" = 174 ]
    # 12345/100000 of a CPU, rounded up to whole percent by runc's rule
    [ "$(prop CPUQuotaPerSecUSec)" = 130ms ]
    [ "$(prop CPUQuotaPeriodUSec)" = 100ms ]
    [ "$(prop AllowedCPUs)" = 0-1 ]
    [ "$(prop AllowedMemoryNodes)" = 0 ]
    [ "$(prop TasksMax)" = 77 ]
    [ "$(prop IOWeight)" = 4950 ]
    [ "$(prop IOReadBandwidthMax)" = "/dev/block/$vda 1048576" ]
    [ "$(prop IOWriteBandwidthMax)" = "/dev/block/$vda 2097152" ]
    [ "$(prop IOReadIOPSMax)" = "/dev/block/$vda 100" ]
    [ "$(prop IOWriteIOPSMax)" = "/dev/block/$vda 200" ]
    [ "$(prop DevicePolicy)" = strict ]
    run prop DeviceAllow
    assert_output --partial "/dev/char/10:237 rw"
    assert_output --partial "/dev/char/1:3 rwm"
    assert_output --partial "char-136 rwm"
    # the files, as the kernel reads them
    [ "$(cat "$CG/memory.max")" = 67108864 ]
    [ "$(cat "$CG/memory.low")" = 33554432 ]
    [ "$(cat "$CG/memory.swap.max")" = 33554432 ]
    [ "$(cat "$CG/memory.high")" = 50331648 ]
    [ "$(cat "$CG/cpu.weight")" = 174 ]
    [ "$(cat "$CG/cpu.max")" = "$1 100000" ]
    [ "$(cat "$CG/cpuset.cpus")" = 0-1 ]
    [ "$(cat "$CG/cpuset.mems")" = 0 ]
    [ "$(cat "$CG/pids.max")" = 77 ]
    grep -qx "$vda rbps=1048576 wbps=2097152 riops=100 wiops=200" "$CG/io.max"
    # what systemd has no property for: in the file only, and systemd leaves it be
    [ "$(cat "$CG/cpu.max.burst")" = 1000 ]
  }
  # cove writes the quota asked for, after systemd wrote its whole-percent one
  check_all 12345
  # a unified key without a property is written too; systemd 252 has no scope property for
  # memory.oom.group and writes its own 0 on a reload (runc's driver shares the limit)
  [ "$(cat "$CG/memory.oom.group")" = 1 ]
  # systemd re-applies its properties on reload: they must be the container's, not defaults
  systemctl daemon-reload
  check_all 13000
  # systemd's device program and cove's are both attached; each must allow an access
  run bpftool cgroup show "$CG"
  assert_output --partial sd_devices
  assert_output --partial cove_devices
  run cove exec c1 sh -c 'exec 3<>/dev/loop-control && echo opened'
  assert_output opened
  run cove exec c1 sh -c 'exec 3</dev/vda'
  assert_failure
  assert_output --partial "Operation not permitted"
}

@test "systemd driver: update sets the unit's properties and the files" {
  update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}, cpu: {quota: 50000, period: 100000}}'
  sdrun c1
  [ "$(prop MemoryMax)" = 67108864 ]
  sdcove update --memory 134217728 --pids-limit 99 --cpu-period 200000 c1
  [ "$(prop MemoryMax)" = 134217728 ]
  [ "$(prop TasksMax)" = 99 ]
  # a period alone keeps the quota in force: 50000 per 200000 is 25 %
  [ "$(prop CPUQuotaPeriodUSec)" = 200ms ]
  [ "$(prop CPUQuotaPerSecUSec)" = 250ms ]
  [ "$(cat "$CG/memory.max")" = 134217728 ]
  [ "$(cat "$CG/pids.max")" = 99 ]
  [ "$(cat "$CG/cpu.max")" = "50000 200000" ]
  systemctl daemon-reload
  [ "$(cat "$CG/memory.max")" = 134217728 ]
  [ "$(cat "$CG/pids.max")" = 99 ]
}

@test "systemd driver: delete stops the unit and its cgroup goes" {
  sdrun c1
  [ "$(prop ActiveState)" = active ]
  sdcove delete -f c1
  run systemctl is-active "$UNIT"
  refute_output active
  [ ! -d "$CG" ]
  # created, never started: the unit holds the waiting init; delete stops it too
  sdcove create -b "$BUNDLE" c2 </dev/null >/dev/null 2>&1 3>&-
  [ "$(prop ActiveState)" = active ]
  sdcove delete c2
  run systemctl is-active "$UNIT"
  refute_output active
}

@test "systemd driver: pause, resume, ps, events, kill --all and exec --cgroup work on the unit's cgroup" {
  update_config '.process.args = ["sh", "-c", "sleep 1000 & exec /bin/cove-test-helper sleep-forever"]'
  sdrun c1
  local pid
  pid=$(cove state c1 | jq .pid)
  cove pause c1
  [ "$(cat "$CG/cgroup.freeze")" = 1 ]
  [ "$(cove state c1 | jq -r .status)" = paused ]
  cove resume c1
  [ "$(cat "$CG/cgroup.freeze")" = 0 ]
  run cove ps --format json c1
  assert_success
  [ "$(jq length <<<"$output")" -eq 2 ]
  jq -e "index($pid)" <<<"$output" >/dev/null
  run cove events --stats c1
  assert_success
  [ "$(jq .data.pids.current <<<"$output")" -eq 2 ]
  [ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
  # exec into a sub-cgroup of the delegated scope
  mkdir "$CG/sub"
  cove exec -d --cgroup sub --pid-file "$TEST_TMP/epid" c1 sleep 999
  grep -qx "$(cat "$TEST_TMP/epid")" "$CG/sub/cgroup.procs"
  # every process of the unit, the sub-cgroup's included
  cove kill --all c1 KILL
  local i
  for ((i = 0; i < 100; i++)); do
    [ -z "$(cat "$CG/cgroup.procs" "$CG/sub/cgroup.procs" 2>/dev/null)" ] && break
    sleep 0.05
  done
  [ -z "$(cat "$CG/cgroup.procs" "$CG/sub/cgroup.procs" 2>/dev/null)" ]
}

@test "systemd driver: a unit of that name already running is refused, naming it" {
  sdrun c1
  run sdcove run -d -b "$BUNDLE" c2
  assert_failure
  assert_output --partial "start systemd unit $UNIT: a unit of that name exists (another container's?)"
  run cove state c2
  assert_failure
}

@test "systemd driver: run -d killed at any moment: delete -f leaves no unit, cgroup or state" {
  killed_create_leaves_nothing "$COVE_ROOT/ID/cove.json" "/sys/fs/cgroup/system.slice/UNIT" \
    0 50 100 150 175 200 225 250 275 300 350 400 500 800
}
