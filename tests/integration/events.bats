#!/usr/bin/env bats
# cove events: runc's JSON lines (stats with cpu, memory, pids, blkio, hugetlb, network
# interfaces; oom when the kernel OOM-kills in the container).

load helpers

setup() {
  requires root
  setup_bundle
}

teardown() {
  [ -n "${EVENTS_PID:-}" ] && kill "$EVENTS_PID" 2>/dev/null
  teardown_bundle
}

@test "events --stats prints one stats line with runc's fields and plausible values" {
  update_config '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}'
  set_cmd '/bin/cove-test-helper sleep-forever & /bin/cove-test-helper spin-cpu 200; wait'
  start_bg c1
  # the helper says when it has used 200 ms of cpu; then only sh and the sleeper are left
  for _ in $(seq 600); do grep -q spun "$TEST_TMP/c1.out" && break; sleep 0.05; done
  grep -q spun "$TEST_TMP/c1.out"
  for _ in $(seq 100); do [ "$(cat "$(cg_path pids)/pids.current")" -eq 2 ] && break; sleep 0.05; done
  run cove events --stats c1
  assert_success
  [ "${#lines[@]}" -eq 1 ]
  local j=$output
  [ "$(jq -r .type <<<"$j")" = stats ]
  [ "$(jq -r .id <<<"$j")" = c1 ]
  # cpu: the spin burnt at least 0.2 s
  [ "$(jq '.data.cpu.usage.total' <<<"$j")" -ge 200000000 ]
  jq -e '.data.cpu.usage | has("kernel") and has("user") and has("percpu")' <<<"$j"
  jq -e '.data.cpu.throttling | has("periods") and has("throttled_periods") and has("throttled_time")' <<<"$j"
  # memory: usage below the limit, the limit as configured
  [ "$(jq '.data.memory.usage.limit' <<<"$j")" -eq 67108864 ]
  [ "$(jq '.data.memory.usage.usage' <<<"$j")" -gt 0 ]
  [ "$(jq '.data.memory.usage.usage' <<<"$j")" -lt 67108864 ]
  jq -e '.data.memory | has("swap") and has("cache") and has("kernel") and (.raw | length > 0)' <<<"$j"
  # pids: sh and the sleeper
  [ "$(jq '.data.pids.current' <<<"$j")" -eq 2 ]
  [ "$(jq '.data.pids.limit' <<<"$j")" -eq 50 ]
  jq -e '.data.blkio | has("ioServiceBytesRecursive") and has("ioServicedRecursive")' <<<"$j"
  jq -e '(.data.hugetlb | type == "object") and (.data.network_interfaces | type == "array")' <<<"$j"
}

@test "events --interval streams stats lines until stopped" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  # the lines keep to a schedule from the start: the 5th comes no sooner than 4 intervals after
  # the command began (a machine that stalls events makes lines late, never early), and long
  # before the 5 s default would give it (20 s); the wait for them is the test's own
  local t0 t i n=0
  # the file exists before the loop reads it: the shell that runs events opens it only once forked
  : >"$TEST_TMP/ev"
  t0=$(date +%s%N)
  "$COVE" --root "$COVE_ROOT" events --interval 300ms c1 >"$TEST_TMP/ev" 3>&- &
  EVENTS_PID=$!
  for ((i = 0; i < 1500; i++)); do
    n=$(wc -l <"$TEST_TMP/ev")
    [ "$n" -ge 5 ] && break
    sleep 0.01
  done
  t=$((($(date +%s%N) - t0) / 1000000))
  echo "# $n lines in $t ms" >&3
  [ "$n" -ge 5 ]
  [ "$t" -ge 1200 ]
  [ "$t" -lt 15000 ]
  # it streams until stopped: a signal ends it
  kill "$EVENTS_PID"
  run timeout 10 bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 0.01; done' "$EVENTS_PID"
  assert_success
  wait "$EVENTS_PID" || true
  EVENTS_PID=
  run jq -r .type "$TEST_TMP/ev"
  assert_success
  [ "${#lines[@]}" -ge 5 ]
  [ "$(sort -u <<<"$output")" = stats ]
}

@test "events reports an OOM kill in the container" {
  update_config '.linux.resources.memory = {limit: 33554432}'
  if [ "$(cgroup_mode)" = unified ] || [ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
    update_config '.linux.resources.memory.swap = 33554432'
  fi
  events_sees_oom
}

@test "events ends when the container stops" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  "$COVE" --root "$COVE_ROOT" events --interval 200ms c1 >"$TEST_TMP/ev" 3>&- &
  EVENTS_PID=$!
  wait_line "$TEST_TMP/ev"
  cove kill c1 KILL
  for _ in $(seq 50); do kill -0 "$EVENTS_PID" 2>/dev/null || break; sleep 0.1; done
  run kill -0 "$EVENTS_PID"
  assert_failure
  wait "$EVENTS_PID"
  EVENTS_PID=
}

@test "events reports the container netns interfaces" {
  update_config '.process.args = ["/bin/cove-test-helper", "sleep-forever"]'
  start_bg c1
  local pid
  pid=$(cove state c1 | jq .pid)
  # a veth pair inside the container's network namespace
  nsenter -t "$pid" -n ip link add cvtdummy0 type veth peer name cvtdummy1 2>/dev/null ||
    skip "cannot make a veth pair here"
  nsenter -t "$pid" -n ip link set cvtdummy0 up
  run cove events --stats c1
  assert_success
  jq -e '.data.network_interfaces | map(.name) | index("cvtdummy0") != null' <<<"$output"
  jq -e '.data.network_interfaces[0] | has("rx_bytes") and has("tx_packets") and has("rx_dropped")' <<<"$output"
}

@test "events of a missing container fails; a bad interval is a usage error" {
  run cove events --stats nosuch
  assert_failure
  assert_output --partial nosuch
  run cove events --interval soon nosuch
  assert_failure 2
}
