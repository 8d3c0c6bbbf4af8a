#!/usr/bin/env bats
# locks.bats: no command holds a container's lock while it waits on the container's own
# processes (a frozen process never answers, a hook may hang): pause/resume, kill and delete
# stay usable meanwhile, and `start` of a paused container is refused instead of hanging.

load helpers

setup() {
  requires root
  setup_bundle
  update_config '.process.args = ["sleep", "1000"]'
}

teardown() {
  [ -n "${BG:-}" ] && kill -9 "$BG" 2>/dev/null
  teardown_bundle
}

# procs_in_cgroup: the number of processes in the test container's cgroup
procs_in_cgroup() {
  local f
  # the v2 (or hybrid's unified) cgroup first: a process cloned into it while it is frozen stops
  # there at once, before it enters the v1 hierarchies itself
  f=$(cg_path)/cgroup.procs
  [ -f "$f" ] || f=$(cg_path pids)/cgroup.procs
  wc -l <"$f"
}

# wait_procs N: until the container's cgroup holds N processes (bounded)
wait_procs() {
  local i
  for ((i = 0; i < 500; i++)); do
    [ "$(procs_in_cgroup)" -ge "$1" ] && return 0
    sleep 0.01
  done
  echo "cgroup holds $(procs_in_cgroup) processes, wanted $1" >&2
  return 1
}

@test "exec --ignore-paused into a paused container does not block resume" {
  start_bg t1
  cove pause t1
  "$COVE" --root "$COVE_ROOT" exec --ignore-paused t1 echo exec-ran >"$TEST_TMP/exec.out" 2>&1 &
  BG=$!
  # the exec'd process is in the frozen cgroup: it cannot finish before the resume
  wait_procs 2
  SECONDS=0
  run timeout 10 "$COVE" --root "$COVE_ROOT" resume t1
  assert_success
  [ "$SECONDS" -lt 5 ]
  wait "$BG"
  BG=
  run cat "$TEST_TMP/exec.out"
  assert_output exec-ran
}

@test "start of a paused created container is refused, not a hang; after resume it starts" {
  cove create --bundle "$BUNDLE" t1
  cove pause t1
  run cove state t1
  [ "$(jq -r .status <<<"$output")" = paused ]
  run timeout 10 "$COVE" --root "$COVE_ROOT" start t1
  assert_failure 1
  assert_output "cove: start t1: the container is paused, not created"
  cove resume t1
  run cove state t1
  [ "$(jq -r .status <<<"$output")" = created ]
  cove start t1
  wait_for_state t1 running
}

@test "start waits for a hanging startContainer hook without the lock: delete -f works meanwhile" {
  update_config '.hooks = {startContainer: [{path: "/bin/sleep", args: ["sleep", "1000"]}]}'
  cove create --bundle "$BUNDLE" t1
  "$COVE" --root "$COVE_ROOT" start t1 >"$TEST_TMP/start.out" 2>&1 &
  BG=$!
  # the init and its hook
  wait_procs 2
  SECONDS=0
  run timeout 10 "$COVE" --root "$COVE_ROOT" delete -f t1
  assert_success
  [ "$SECONDS" -lt 5 ]
  [ ! -e "$COVE_ROOT/t1" ]
  wait "$BG" || true
  BG=
}

@test "run waits for a hanging startContainer hook without the lock: kill and delete -f work meanwhile" {
  update_config '.hooks = {startContainer: [{path: "/bin/sleep", args: ["sleep", "1000"]}]}'
  "$COVE" --root "$COVE_ROOT" run -d --bundle "$BUNDLE" t1 </dev/null >"$TEST_TMP/run.out" 2>&1 &
  BG=$!
  wait_procs 2
  run timeout 10 "$COVE" --root "$COVE_ROOT" kill t1 KILL
  assert_success
  run timeout 10 "$COVE" --root "$COVE_ROOT" delete -f t1
  assert_success
  [ ! -e "$COVE_ROOT/t1" ]
  wait "$BG" || true
  BG=
}
