#!/usr/bin/env bats
# Concurrency: 20 containers created, started and deleted at once leave no state, mounts,
# cgroups or processes; concurrent start/kill/delete of one id are serialised by its lock.

load helpers

setup() {
  setup_bundle
  update_config '.process.args = ["sleep", "100"]'
}

teardown() {
  teardown_bundle
}

bundle_for() {
  local b=$TEST_TMP/b$1
  mkdir -p "$b"
  ln -s "$BUNDLE/rootfs" "$b/rootfs"
  jq --arg cg "$TEST_CGROUP_PARENT/c$1" '.linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$b/config.json"
}

@test "20 containers created, started and deleted concurrently leave nothing behind" {
  local i pids=()
  for i in $(seq 20); do bundle_for "$i"; done
  for i in $(seq 20); do
    ("$COVE" --root "$COVE_ROOT" create --bundle "$TEST_TMP/b$i" "c$i" && "$COVE" --root "$COVE_ROOT" start "c$i") &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  run cove list -q
  [ "$(wc -l <<<"$output")" -eq 20 ]
  run cove list --format json
  [ "$(jq '[.[] | select(.status == "running")] | length' <<<"$output")" -eq 20 ]
  local inits
  inits=$(jq -r '.[].pid' <<<"$output")

  pids=()
  for i in $(seq 20); do
    "$COVE" --root "$COVE_ROOT" delete -f "c$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done

  run cove list -q
  assert_output ""
  [ -z "$(ls -A "$COVE_ROOT")" ]
  # no process, no cgroup, no mount left
  local p
  for p in $inits; do
    [ ! -d /proc/"$p" ] || [ "$(awk '{print $3}' /proc/"$p"/stat)" = Z ]
  done
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -z "$(find "$h${TEST_CGROUP_PARENT#/}" -mindepth 1 -type d 2>/dev/null)" ] || { echo "cgroup left in $h" >&2; return 1; }
  done
  ! grep -q "$TEST_TMP" /proc/self/mountinfo
}

@test "concurrent kill and delete of one container are serialised" {
  cove run -d --bundle "$BUNDLE" one
  local pids=() i
  for i in 1 2 3 4 5; do
    "$COVE" --root "$COVE_ROOT" kill one KILL 2>/dev/null &
    pids+=($!)
    "$COVE" --root "$COVE_ROOT" delete -f one 2>/dev/null &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  run cove list -q
  assert_output ""
  [ -z "$(ls -A "$COVE_ROOT")" ]
}

@test "concurrent creates of the same id: exactly one wins" {
  local pids=() i ok=0
  for i in 1 2 3 4 5; do
    "$COVE" --root "$COVE_ROOT" create --bundle "$BUNDLE" same >/dev/null 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" && ok=$((ok + 1)); done
  [ "$ok" -eq 1 ]
  [ "$(cove state same | jq -r .status)" = created ]
}
