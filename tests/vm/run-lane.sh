#!/usr/bin/env bash
# run-lane.sh LANE [BUILD]: boots one VM guest under QEMU (software emulation: KVM here cannot run
# a stock kernel) and runs a batch of bats tests in it with BUILD's cove and test helper; prints
# their TAP on stdout and exits with the guest's status.
#   v2       busybox initramfs guest, pure cgroup2 at /sys/fs/cgroup: every integration test whose
#            body says `requires cgroups_v2`, plus tests/vm/smoke.bats
#   systemd  Debian bookworm guest with systemd as PID 1: every test that says `requires systemd`
#   systemd-v1  the same guest booted with systemd.unified_cgroup_hierarchy=0 (cgroup v1): every
#            test that says `requires systemd_v1` (the systemd cgroup driver's v1 half)
#   criu     the v2 guest with CRIU and podman (its own initramfs): every test that says
#            `requires criu` (checkpoint/restore: CRIU 3.17 fails `criu check` on newer host kernels)
# A guest that does not boot or report is a failure ("not ok" + the console's tail), never a skip.
# Environment: COVE_VM_CACHE (images), VM_TIMEOUT (seconds for the whole boot and run),
# VM_KEEP=1 keeps the per-run control dir (console log, TAP) for debugging.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

lane=${1:?usage: $0 v2|systemd|systemd-v1|criu [BUILD]}
build=${2:-build}
case $build in /*) ;; *) build=$REPO_DIR/$build ;; esac

case $lane in
v2)
  timeout_s=${VM_TIMEOUT:-780}
  feature=cgroups_v2
  extra_files=(tests/vm/smoke.bats)
  ;;
systemd)
  timeout_s=${VM_TIMEOUT:-720}
  feature=systemd
  extra_files=()
  ;;
systemd-v1)
  timeout_s=${VM_TIMEOUT:-300}
  feature=systemd_v1
  extra_files=()
  ;;
criu)
  timeout_s=${VM_TIMEOUT:-600}
  feature=criu
  extra_files=()
  ;;
*) vm_die "unknown lane $lane (v2, systemd, systemd-v1 or criu)" ;;
esac

# A failure of the lane itself, reported as TAP so the summary counts it.
lane_fail() {
  echo "not ok 1 vm lane $lane: $*"
  exit 1
}

command -v qemu-system-x86_64 >/dev/null || lane_fail "qemu-system-x86_64 is not installed (make deps)"
[ -x "$build/cove" ] || lane_fail "no cove in $build (build it first)"

# The tests to run: every @test whose body says `requires ... FEATURE` (all of a file's tests when
# its setup or setup_file says it), as an exact-name filter.
names=$(
  for f in "$REPO_DIR"/tests/integration/*.bats; do
    [ -e "$f" ] || continue
    awk -v feat="$feature" '
      function title(s) { sub(/^@test +"/, "", s); sub(/" *\{ *$/, "", s); return s }
      /^@test / { n++; names[n] = title($0); cur = n; insetup = 0; next }
      /^(function +)?setup(_file)? *\( *\)/ { insetup = 1; cur = 0; next }
      /^}/ { cur = 0; insetup = 0; next }
      $0 ~ "^[[:space:]]*requires([[:space:]]+[a-z0-9_.]+)*[[:space:]]+" feat "([[:space:]]|;|$)" {
        if (insetup) all = 1; else if (cur) want[cur] = 1 }
      END { for (i = 1; i <= n; i++) if (all || want[i]) print FILENAME "\t" names[i] }' "$f"
  done
)
if [ ${#extra_files[@]} -gt 0 ]; then
  names+=$'\n'$(cd "$REPO_DIR" && awk '/^@test / { name = $0; sub(/^@test +"/, "", name); sub(/" *\{ *$/, "", name); print FILENAME "\t" name }' "${extra_files[@]}")
fi
names=$(sed '/^$/d' <<<"$names")
# VM_TESTS="FILE.bats ...": run just these (paths relative to the repo), every test in them
if [ -n "${VM_TESTS:-}" ]; then
  names=$(cd "$REPO_DIR" && awk '/^@test / { n = $0; sub(/^@test +"/, "", n); sub(/" *\{ *$/, "", n); print FILENAME "\t" n }' $VM_TESTS)
fi
[ -n "$names" ] || lane_fail "no test needs $feature"
files=$(cut -f1 <<<"$names" | sed "s|^$REPO_DIR/||" | sort -u | tr '\n' ' ')
# exact-match regex: escape the ERE metacharacters of each name
filter="^($(cut -f2 <<<"$names" | sed -E 's/[][\.|$()*+?{}^]/\\&/g' | paste -sd'|'))\$"

ctl=$(mktemp -d /tmp/cove-vm-"$lane".XXXXXX)
qpid=
cleanup() {
  if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
  fi
  if [ -n "${VM_KEEP:-}" ]; then echo "# vm lane $lane: kept $ctl" >&2; else rm -rf "$ctl"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $lane in v2) image=initramfs ;; systemd-v1) image=systemd ;; *) image=$lane ;; esac
VM_IMAGE_ENV=$ctl/images.env "$VM_DIR/build-image.sh" "$image" >&2 ||
  lane_fail "building the $lane image failed"
# shellcheck source=/dev/null
. "$ctl/images.env"

cat >"$ctl/job.env" <<EOF
LANE=$lane
BATS_FILES='$files'
BATS_FILTER='${filter//\'/\'\\\'\'}'
BATS_TIMEOUT=$((timeout_s > 240 ? timeout_s - 120 : timeout_s / 2))
EOF

# systemd-v1 boots the systemd image as the systemd lane does (its own cgroup setting below)
cmdline="console=ttyS0 panic=-1 loglevel=4 mitigations=off random.trust_cpu=on cove.lane=${lane%-v1}"
# the criu lane holds podman's store and checkpoint images on the guest's tmpfs root too
qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m "$([ "$lane" = criu ] && echo 2G || echo 1G)" -nographic -nic none -no-reboot
  -kernel "$KERNEL" -initrd "$INITRD"
  -virtfs "local,path=$REPO_DIR,mount_tag=src,security_model=none,readonly=on"
  -virtfs "local,path=$build,mount_tag=build,security_model=none,readonly=on"
  -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none")
case $lane in
criu)
  cmdline+=" cgroup_no_v1=all"
  ;;
v2)
  # pure v2, a few huge pages for the hugetlb tests, and a scratch disk for io.max / io.weight
  cmdline+=" cgroup_no_v1=all hugepages=16"
  truncate -s 256M "$ctl/disk.img"
  qemu+=(-drive "file=$ctl/disk.img,if=virtio,format=raw,cache=unsafe")
  ;;
systemd | systemd-v1)
  [ -s "$SYSTEMD_IMG" ] || lane_fail "no systemd image ($SYSTEMD_IMG)"
  if [ "$lane" = systemd-v1 ]; then
    cmdline+=" systemd.unified_cgroup_hierarchy=0 systemd.show_status=0"
  else
    cmdline+=" systemd.unified_cgroup_hierarchy=1 systemd.show_status=0"
  fi
  qemu+=(-drive "file=$SYSTEMD_IMG,if=virtio,format=raw,snapshot=on")
  ;;
esac
qemu+=(-append "$cmdline")

start=$(date +%s.%N)
"${qemu[@]}" </dev/null >"$ctl/console.log" 2>&1 &
qpid=$!

# Wait for QEMU to end (the guest powers off when done), bounded by the timeout; a guest that has
# reported but hangs in power-off gets 30 s.
deadline=$((SECONDS + timeout_s))
booted=
reported=
while kill -0 "$qpid" 2>/dev/null; do
  if [ -z "$booted" ] && [ -e "$ctl/started" ]; then
    booted=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  fi
  if [ -z "$reported" ] && [ -s "$ctl/status" ]; then
    reported=$SECONDS
    deadline=$((SECONDS + 30 < deadline ? SECONDS + 30 : deadline))
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "# vm lane $lane: QEMU still running after its time; stopping it" >&2
    kill "$qpid" 2>/dev/null || true
    break
  fi
  sleep 0.2
done
wait "$qpid" 2>/dev/null || true
qpid=
wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

status=
if [ -s "$ctl/status" ]; then
  status=$(cat "$ctl/status")
else
  status=$(grep -aoE 'COVE-VM-STATUS=[0-9]+' "$ctl/console.log" | tail -n1 | cut -d= -f2 || true)
fi
[ -e "$ctl/tap" ] && cat "$ctl/tap"
guest_up=$(cat "$ctl/started" 2>/dev/null || echo '?')
echo "# vm lane $lane: runner started ${booted:-?} s after launch (guest uptime $guest_up s), wall ${wall} s, status ${status:-none}"
if [ -z "$status" ] || [ ! -s "$ctl/tap" ] || ! grep -qE '^(not )?ok ' "$ctl/tap"; then
  echo "# vm lane $lane: the guest did not report; console tail:"
  tail -n 40 "$ctl/console.log" | tr -d '\r' | sed 's/^/#   /'
  lane_fail "the guest did not boot or report (status ${status:-none})"
fi
if [ "$status" -ne 0 ]; then
  echo "# vm lane $lane: console tail:"
  tail -n 15 "$ctl/console.log" | tr -d '\r' | sed 's/^/#   /'
fi
exit "$status"
