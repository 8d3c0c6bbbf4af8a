#!/usr/bin/env bats
# `make demo`'s script: a busybox container that prints its hostname, that it is pid 1, and
# namespaces differing from the host's; it cleans up after itself.

load helpers

@test "tests/demo.sh runs a container and cleans up" {
  requires root
  local before
  before=$(ls -d /tmp/cove-demo.* 2>/dev/null | wc -l)
  run env COVE="$COVE" "$REPO/tests/demo.sh"
  assert_success
  assert_line "hostname: cove-demo"
  assert_line "pid: 1"
  local ns
  for ns in cgroup ipc mnt net pid uts; do
    assert_line --regexp "^$ns namespace: $ns:\[[0-9]+\] \(host: $ns:\[[0-9]+\]\)$"
  done
  [ "$(ls -d /tmp/cove-demo.* 2>/dev/null | wc -l)" -eq "$before" ]
  ! ls -d /sys/fs/cgroup/*/cove-demo-* 2>/dev/null
}
