#!/usr/bin/env bash
# make check's driver: unit tests, integration tests, then the VM lanes, all as TAP; ends with one line
# "N passed, M failed, K skipped" over every suite, and exits non-zero if anything failed.
set -u
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
"$here/run-unit.sh" "$@" 2>&1 | tee -a "$log" || status=1
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
"$here/check-layers.sh" "$build" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
"$here/run-integration.sh" 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# The QEMU guest lanes (tests/vm/): the cgroup-v2 tests in a pure v2 guest, the systemd tests with
# systemd as PID 1, the systemd cgroup driver's v1 tests in that guest booted on cgroup v1,
# checkpoint/restore in a v2 guest with CRIU (the criu lane); all with this build's cove.  A guest
# that cannot boot counts as a failure, and so does a missing qemu-system-x86_64 (run-lane.sh
# says so): never a silent "not run".
for lane in v2 systemd systemd-v1 criu; do
  "$here/vm/run-lane.sh" "$lane" "$build" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

skipped=$(grep -cE '^ok [0-9]+.*# (skip|SKIP)' "$log")
okall=$(grep -cE '^ok [0-9]+' "$log")
failed=$(grep -cE '^not ok [0-9]+' "$log")
passed=$((okall - skipped))
[ "$failed" -eq 0 ] || status=1
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
