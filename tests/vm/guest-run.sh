#!/usr/bin/env bash
# guest-run.sh: the VM lanes' runner inside the guest (both lanes; bash, root).
#
# Reads the job the host wrote to /mnt/ctl/job.env (LANE, BATS_FILES, BATS_FILTER, BATS_TIMEOUT),
# copies the test tree and the freshly built cove and test helper from the read-only shares onto
# the guest's own filesystem (so bundles, overlay layers and chmods never touch 9p), runs bats, and
# writes the TAP to /mnt/ctl/tap and the exit status to /mnt/ctl/status.  The status is also
# printed on the console as "COVE-VM-STATUS=N", the host's fallback.
set -euo pipefail

ctl=/mnt/ctl
status=1
report() {
  echo "$status" >"$ctl/status.tmp" && mv "$ctl/status.tmp" "$ctl/status" || true
  sync
  echo "COVE-VM-STATUS=$status" >/dev/console
}
trap report EXIT

awk '{print $1}' /proc/uptime >"$ctl/started"
# shellcheck source=/dev/null
. "$ctl/job.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/libexec/cove-busybox
export HOME=/root TMPDIR=/tmp LANG=C.UTF-8
# one hung test must not eat the lane's time
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

work=/var/tmp/cove-vm
rm -rf "$work"
mkdir -p "$work/build"
cp -a /mnt/src/tests "$work/tests"
cp /mnt/build/cove "$work/cove"
[ ! -e /mnt/build/cove-test-helper ] || cp /mnt/build/cove-test-helper "$work/build/cove-test-helper"
[ ! -e /mnt/build/nosys ] || cp /mnt/build/nosys "$work/build/nosys"
export COVE=$work/cove COVE_TEST_HELPER=$work/build/cove-test-helper
if ldd "$COVE" | grep -q 'not found'; then
  echo "# cove's libraries are missing in the $LANE guest:" >"$ctl/tap"
  ldd "$COVE" | grep 'not found' | sed 's/^/# /' >>"$ctl/tap"
  echo "not ok 1 vm lane $LANE: cove cannot run in the guest" >>"$ctl/tap"
  exit 1
fi

{
  echo "# vm lane $LANE: kernel $(uname -r), PID 1 $(cat /proc/1/comm), /sys/fs/cgroup is $(stat -fc %T /sys/fs/cgroup)"
  echo "# controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
} >"$ctl/tap"

# BATS_FILES: paths relative to the repo; BATS_FILTER: a regex of test names, or empty for all.
cd "$work"
files=()
for f in $BATS_FILES; do files+=("$work/$f"); done
args=(--tap --timing)
[ -z "${BATS_FILTER:-}" ] || args+=(--filter "$BATS_FILTER")
rc=0
timeout -k 10 "$BATS_TIMEOUT" bats "${args[@]}" "${files[@]}" >>"$ctl/tap" 2>&1 || rc=$?
[ "$rc" -ne 124 ] || echo "not ok 999 vm lane $LANE: bats timed out after $BATS_TIMEOUT s" >>"$ctl/tap"
status=$rc
