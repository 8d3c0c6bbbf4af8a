#!/usr/bin/env bats
# cove pause / resume: the cgroup freezer stops and restarts every process; the status follows.

load helpers

setup() {
  requires root
  setup_bundle
  update_config '.process.args = ["/bin/cove-test-helper", "spin-forever"]'
  start_bg c1
}

teardown() {
  teardown_bundle
}

@test "pause stops a busy loop consuming cpu and resume restarts it" {
  local cpu wall
  cg_cpu_grows 20000000
  cove pause c1
  run cove state c1
  assert_success
  [ "$(jq -r .status <<<"$output")" = paused ]
  # pause returns once the kernel reports the cgroup frozen: from then on not a millisecond runs
  read -r cpu wall < <(cg_cpu_window 1)
  echo "# paused: $cpu ns of cpu in $((wall / 1000000)) ms" >&3
  [ "$cpu" -lt 1000000 ]
  cove resume c1
  [ "$(cove state c1 | jq -r .status)" = running ]
  cg_cpu_grows 50000000
}

@test "pause of a paused container and resume of a running one fail" {
  cove pause c1
  run cove pause c1
  assert_failure
  assert_output --partial "already paused"
  cove resume c1
  run cove resume c1
  assert_failure
  assert_output --partial "not paused"
}

@test "pause of a stopped or missing container fails" {
  cove kill c1 KILL
  wait_for_state c1 stopped || true
  run cove pause c1
  assert_failure
  run cove pause nosuch
  assert_failure
  assert_output --partial "nosuch"
}

@test "list shows a paused container as paused" {
  cove pause c1
  run cove list --format json
  assert_success
  [ "$(jq -r '.[] | select(.id == "c1") | .status' <<<"$output")" = paused ]
  cove resume c1
}

@test "delete -f removes a paused container" {
  cove pause c1
  run cove delete -f c1
  assert_success
  run cove state c1
  assert_failure
  [ ! -d "$(cg_path)" ]
}

@test "exec into a paused container fails as runc's does" {
  cove pause c1
  run cove exec c1 /bin/true
  assert_failure
  assert_output --partial "paused"
  cove resume c1
}

@test "kill -9 of a paused container stops it" {
  cove pause c1
  run cove kill c1 KILL
  assert_success
  # a frozen task dies on SIGKILL with the v2 freezer; with the v1 freezer only once thawed,
  # which kill does
  wait_for_state c1 stopped
}

@test "pause shows in the v1 freezer.state too (tools read it), resume thaws it" {
  requires cgroups_v1
  cove pause c1
  [ "$(cat "$(cg_path freezer)/freezer.state")" = FROZEN ]
  if [ "$(cgroup_mode)" = hybrid ] && [ -f "$(cg_path)/cgroup.freeze" ]; then
    [ "$(cat "$(cg_path)/cgroup.freeze")" = 1 ]
  fi
  [ "$(cove state c1 | jq -r .status)" = paused ]
  cove resume c1
  [ "$(cat "$(cg_path freezer)/freezer.state")" = THAWED ]
  [ "$(cove state c1 | jq -r .status)" = running ]
}
