#!/usr/bin/env bats
# cove update: runc's flags and --resources change the live limits; the files show the new values
# and the effect is observed.

load helpers

setup() {
  requires root
  setup_bundle
}

teardown() {
  teardown_bundle
}

# read a v1 controller file of the container (or its v2 equivalent on a unified host)
cg_read() {
  if [ "$(cgroup_mode)" = unified ]; then cat "$(cg_path)/$2"; else cat "$(cg_path "$1")/$3"; fi
}

@test "update --memory, --memory-reservation and --memory-swap change the limits" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"] | .linux.resources.memory = {limit: 33554432}'
  start_bg c1
  cove update --memory 64m --memory-reservation 16m c1
  [ "$(cg_read memory memory.max memory.limit_in_bytes)" = 67108864 ]
  [ "$(cg_read memory memory.low memory.soft_limit_in_bytes)" = 16777216 ]
  if [ "$(cgroup_mode)" = unified ] || [ -f "$(cg_path memory)/memory.memsw.limit_in_bytes" ]; then
    cove update --memory-swap 128m c1
    if [ "$(cgroup_mode)" = unified ]; then
      [ "$(cat "$(cg_path)/memory.swap.max")" = 67108864 ]
    else
      [ "$(cat "$(cg_path memory)/memory.memsw.limit_in_bytes")" = 134217728 ]
    fi
  fi
  cove update --memory -1 c1
  [[ "$(cg_read memory memory.max memory.limit_in_bytes)" =~ ^(max|9223372036854771712)$ ]]
}

@test "update lowering the memory limit makes an allocation that fitted get OOM-killed" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"] | .linux.resources.memory = {limit: 134217728}'
  start_bg c1
  run cove exec c1 /bin/cove-test-helper memhog 48
  assert_success
  cove update --memory 32m --memory-swap 32m c1 2>/dev/null || cove update --memory 32m c1
  run cove exec c1 /bin/cove-test-helper memhog 48
  [ "$status" -eq 137 ]
}

@test "update --cpu-quota, --cpu-period and --cpu-shares change the cpu files" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  cove update --cpu-quota 30000 --cpu-period 200000 --cpu-shares 256 c1
  if [ "$(cgroup_mode)" = unified ]; then
    [ "$(cat "$(cg_path)/cpu.max")" = "30000 200000" ]
    [ "$(cat "$(cg_path)/cpu.weight")" = 20 ]
  else
    check_cgroup_value cpu cpu.cfs_quota_us 30000
    check_cgroup_value cpu cpu.cfs_period_us 200000
    check_cgroup_value cpu cpu.shares 256
  fi
  # the period alone keeps the quota in force
  cove update --cpu-period 100000 c1
  if [ "$(cgroup_mode)" = unified ]; then
    [ "$(cat "$(cg_path)/cpu.max")" = "30000 100000" ]
  else
    check_cgroup_value cpu cpu.cfs_quota_us 30000
    check_cgroup_value cpu cpu.cfs_period_us 100000
  fi
}

# cg_throttled: how many periods the kernel has throttled the container's cgroup in
cg_throttled() {
  local f
  if [ "$(cgroup_mode)" = unified ]; then f=$(cg_path)/cpu.stat; else f=$(cg_path cpu)/cpu.stat; fi
  awk '$1 == "nr_throttled" {print $2}' "$f"
}

@test "update --cpu-quota throttles a busy loop (measured)" {
  update_config '.process.args = ["/bin/cove-test-helper", "spin-forever"]'
  start_bg c1
  cg_cpu_grows 10000000
  # unthrottled, over the same kind of window, the loop takes more than the bound checked below
  # (what a loaded host still gives one busy loop): else the bound would prove nothing
  local cpu wall thr
  read -r cpu wall < <(cg_cpu_window 2)
  echo "# before: $((cpu / 1000000)) ms in $((wall / 1000000)) ms" >&3
  [ "$cpu" -gt $((wall * 10 / 100 + 50 * 1000000)) ]
  [ "$(cg_throttled)" -eq 0 ]
  cove update --cpu-quota 10000 --cpu-period 100000 c1
  # it runs; over a measured window it stays under 10% of a cpu, the periods at the window's
  # ends as slack, and the kernel says it was the quota that held it back
  cg_cpu_grows 10000000
  thr=$(cg_throttled)
  cg_cpu_at_most 10 50 2
  [ "$(cg_throttled)" -gt "$thr" ]
}

@test "update --cpuset-cpus moves the container's processes" {
  [ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  cove update --cpuset-cpus 1 --cpuset-mems 0 c1
  [ "$(cg_read cpuset cpuset.cpus cpuset.cpus)" = 1 ]
  run grep Cpus_allowed_list "/proc/$(cove state c1 | jq .pid)/status"
  assert_output --regexp ':[[:space:]]+1$'
}

@test "update --pids-limit lowered stops forks" {
  set_cmd 'while :; do /bin/cove-test-helper forks 1; sleep 0.1; done'
  start_bg c1
  for _ in $(seq 50); do grep -q "forked 1" "$TEST_TMP/c1.out" && break; sleep 0.1; done
  run grep -c "forked 1" "$TEST_TMP/c1.out"
  [ "$output" -ge 1 ]
  # the shell and the helper fit, the helper's child does not (no pipe: a fork the shell makes
  # itself just as the limit lands would end the loop instead)
  cove update --pids-limit 2 c1
  [[ "$(cg_read pids pids.max pids.max)" = 2 ]]
  : >"$TEST_TMP/c1.out"
  for _ in $(seq 50); do grep -q "forked 0" "$TEST_TMP/c1.out" && break; sleep 0.1; done
  run cat "$TEST_TMP/c1.out"
  assert_output --partial "forked 0"
  refute_output --partial "forked 1"
}

@test "update --resources FILE applies a linux.resources object" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  echo '{"memory": {"limit": 50331648}, "pids": {"limit": 42}}' >"$TEST_TMP/res.json"
  cove update --resources "$TEST_TMP/res.json" c1
  [ "$(cg_read memory memory.max memory.limit_in_bytes)" = 50331648 ]
  [ "$(cg_read pids pids.max pids.max)" = 42 ]
}

@test "update --resources - reads stdin, and flags win over the file" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  echo '{"pids": {"limit": 42}, "memory": {"limit": 50331648}}' | cove update --resources - --pids-limit 17 c1
  [ "$(cg_read pids pids.max pids.max)" = 17 ]
  [ "$(cg_read memory memory.max memory.limit_in_bytes)" = 50331648 ]
}

@test "update --blkio-weight changes the weight, or is refused naming it where the host has no weight file" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  # the weight files exist while a proportional-weight scheduler is registered: the container's
  # own cgroup says which of the two outcomes is due
  local f= d c
  if [ "$(cgroup_mode)" = unified ]; then d=$(cg_path); else d=$(cg_path blkio); fi
  for c in io.bfq.weight io.weight blkio.weight blkio.bfq.weight; do
    if [ -z "$f" ] && [ -f "$d/$c" ]; then f=$d/$c; fi
  done
  run cove update --blkio-weight 700 c1
  if [ -z "$f" ]; then
    assert_failure
    assert_output --partial "blockIO.weight"
    return
  fi
  assert_success
  run cat "$f"
  assert_line --regexp '^(default )?(700|6919)$'
}

@test "update --cpu-rt-period changes the realtime period (v1)" {
  requires cgroups_v1
  [ -f /sys/fs/cgroup/cpu/cpu.rt_period_us ] || skip "no CONFIG_RT_GROUP_SCHED"
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  cove update --cpu-rt-period 900000 c1
  check_cgroup_value cpu cpu.rt_period_us 900000
}

@test "update --cpu-rt-runtime changes the realtime runtime within the parent's budget, and names the file past it (v1)" {
  requires cgroups_v1
  [ -f /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no CONFIG_RT_GROUP_SCHED"
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  # a new cgroup has no realtime budget (0): the test's own parent gets some (runc's test does
  # the same), the container's share of it is cove's to set
  echo 20000 >"/sys/fs/cgroup/cpu$TEST_CGROUP_PARENT/cpu.rt_runtime_us"
  cove update --cpu-rt-runtime 10000 c1
  check_cgroup_value cpu cpu.rt_runtime_us 10000
  run cove update --cpu-rt-runtime 30000 c1
  assert_failure
  assert_output "cove: update c1: set cpu.rt_runtime_us to 30000: write $(cg_path cpu)/cpu.rt_runtime_us: Invalid argument"
  check_cgroup_value cpu cpu.rt_runtime_us 10000
}

@test "update --kernel-memory is ignored with one warning, as runc's; --kernel-memory-tcp sets the v1 tcp limit" {
  requires cgroups_v1
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  local kmem=$(cg_path memory)/memory.kmem.limit_in_bytes before
  before=$(cat "$kmem")
  run cove update --kernel-memory 64m c1
  assert_success
  assert_output "cove: warning: linux.resources.memory.kernel is ignored: kernel memory limits are obsolete (Linux 5.4)"
  [ "$(cat "$kmem")" = "$before" ]
  [ "$before" != 67108864 ]
  run cove update --kernel-memory-tcp 32m c1
  assert_success
  assert_output ""
  check_cgroup_value memory memory.kmem.tcp.limit_in_bytes 33554432
}

@test "update --mem-bw-schema fails clearly (no Intel RDT)" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  run cove update --mem-bw-schema "MB:0=70" c1
  assert_failure 1
  assert_output "cove: update c1: --mem-bw-schema: Intel RDT (linux.intelRdt) is not supported by cove"
}

@test "update --l3-cache-schema fails clearly (no Intel RDT)" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  run cove update --l3-cache-schema "L3:0=ff" c1
  assert_failure
  assert_output --partial "Intel RDT"
}

@test "update of a stopped or missing container fails; bad values are usage errors" {
  update_config '.process.args = ["/bin/cove-test-helper", "exit", "0"]'
  cove run -d -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1 3>&-
  wait_for_state c1 stopped
  run cove update --memory 64m c1
  assert_failure
  assert_output --partial stopped
  run cove update --pids-limit 5 nosuch
  assert_failure
  run cove update --memory lots c1
  assert_failure 2
  run cove update --blkio-weight 5 c1
  assert_failure 2
}

@test "update names the resource the host refuses" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  echo '{"memory": {"limit": 65536, "checkBeforeUpdate": true}}' >"$TEST_TMP/res.json"
  set_mem=$(cg_read memory memory.current memory.usage_in_bytes)
  [ "$set_mem" -gt 65536 ] || skip "container uses less than 64 KiB ($set_mem)"
  run cove update --resources "$TEST_TMP/res.json" c1
  assert_failure
  assert_output --partial "below the current usage"
}
