#!/usr/bin/env bats
# cove ps: the container's processes from its cgroup, as a pid array or filtered ps(1) output.

load helpers

setup() {
  requires root
  setup_bundle
  set_cmd '/bin/cove-test-helper sleep-forever & /bin/cove-test-helper sleep-forever & wait'
  start_bg c1
  # the two children are forked right after the start
  for _ in $(seq 50); do [ "$(wc -l <"$(cg_path pids 2>/dev/null || cg_path)/cgroup.procs")" -ge 3 ] && break; sleep 0.05; done
}

teardown() {
  teardown_bundle
}

host_pids() {
  local d
  if [ "$(cgroup_mode)" = unified ]; then d=$(cg_path); else d=$(cg_path pids); fi
  sort -n "$d/cgroup.procs"
}

@test "ps --format json lists exactly the container's pids" {
  run cove ps --format json c1
  assert_success
  [ "$(jq -r '.[]' <<<"$output" | sort -n)" = "$(host_pids)" ]
  [ "$(jq length <<<"$output")" -eq 3 ]
  jq -e --argjson p "$(cove state c1 | jq .pid)" 'index($p) != null' <<<"$output"
}

@test "ps (table) keeps ps's header and one line per container process" {
  run cove ps c1
  assert_success
  assert_line --index 0 --regexp 'PID'
  [ "${#lines[@]}" -eq 4 ]
  local pid
  for pid in $(host_pids); do
    assert_line --regexp "^[^ ]+ +$pid "
  done
}

@test "ps passes its arguments to ps(1)" {
  run cove ps c1 -o pid,comm
  assert_success
  assert_line --index 0 --regexp '^ *PID +COMMAND'
  [ "${#lines[@]}" -eq 4 ]
  assert_line --regexp "^ *[0-9]+ +(cove-test-helpe|sh)"
}

@test "ps of a container that does not exist fails naming it" {
  run cove ps --format json nosuch
  assert_failure
  assert_output --partial "nosuch"
}

@test "ps --format json takes no ps arguments" {
  run cove ps --format json c1 -ef
  assert_failure 2
}

@test "ps of a stopped container lists no processes (runc prints the header, exit 0)" {
  cove kill c1 KILL
  wait_for_state c1 stopped
  run cove ps --format json c1
  assert_success
  assert_output "[]"
}
