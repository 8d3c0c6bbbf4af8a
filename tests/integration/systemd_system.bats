#!/usr/bin/env bats
# A system container under systemd as PID 1 (the systemd VM lane, `make check-systemd`; skipped
# elsewhere): the guest's own Debian root, as the image under a tmpfs layer, run with the config
# of `cove spec --system` and the systemd cgroup driver boots systemd to running (or degraded),
# in a cgroup namespace of its own delegated scope, and halts cleanly on SIGRTMIN+3.

load helpers

# a whole OS boots and halts under software emulation: more than the lane's per-test bound
BATS_TEST_TIMEOUT=$(( ${BATS_TEST_TIMEOUT:-0} > 300 ? BATS_TEST_TIMEOUT : 300 ))

setup() {
  requires root systemd
  setup_bundle
}

teardown() {
  "$COVE" --root "$COVE_ROOT" delete -f sys1 >/dev/null 2>&1 || true
  systemctl stop "covetest-sys-$$.scope" >/dev/null 2>&1 || true
  systemctl reset-failed "covetest-sys-$$.scope" >/dev/null 2>&1 || true
  [ -z "${SYS_ROOT:-}" ] || umount -l "$SYS_ROOT" 2>/dev/null || true
  [ -z "${SYS_LAYER:-}" ] || umount -l "$SYS_LAYER" 2>/dev/null || true
  teardown_bundle
}

# wait_ctr ID STATE: poll the container's status (bounded: 60 s).
wait_ctr() {
  local st deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    st=$(cove state "$1" 2>/dev/null | jq -r .status) || st=
    [ "$st" = "$2" ] && return 0
    sleep 0.1
  done
  echo "container $1: ${st:-none}, wanted $2" >&2
  return 1
}

@test "systemd: a system container boots systemd to running and halts on SIGRTMIN+3" {
  # the guest's own Debian root as the image, written to a tmpfs layer above it
  SYS_LAYER=$TEST_TMP/layer
  SYS_ROOT=$TEST_TMP/sysroot
  mkdir -p "$SYS_LAYER" "$SYS_ROOT"
  mount -t tmpfs tmpfs "$SYS_LAYER"
  mkdir -p "$SYS_LAYER/upper/etc/systemd/system" "$SYS_LAYER/work"
  # not the lane's own runner inside the container, nor the image's podman services (podman
  # has no storage there): the OS boots to `running`
  local u
  for u in cove-vm-test.service podman.service podman-restart.service podman-auto-update.service \
    podman-auto-update.timer; do
    ln -s /dev/null "$SYS_LAYER/upper/etc/systemd/system/$u"
  done
  mount -t overlay overlay -o "lowerdir=/,upperdir=$SYS_LAYER/upper,workdir=$SYS_LAYER/work" "$SYS_ROOT"
  rm -f "$BUNDLE/config.json"
  "$COVE" spec --system -b "$BUNDLE"
  update_config ".root.path = \"$SYS_ROOT\" | .linux.cgroupsPath = \"system.slice:covetest:sys-$$\""
  "$COVE" --root "$COVE_ROOT" --systemd-cgroup run -b "$BUNDLE" sys1 </dev/null >"$TEST_TMP/sys.out" 2>&1 &
  local covepid=$! st t0
  t0=$(cut -d. -f1 /proc/uptime)
  wait_ctr sys1 running
  # systemctl needs systemd's socket first (seen from the host through the init's root); then
  # --wait blocks until the boot is done
  local i pid
  pid=$(cove state sys1 | jq .pid)
  for ((i = 0; i < 450; i++)); do
    [ -S "/proc/$pid/root/run/systemd/private" ] && break
    sleep 0.1
  done
  st=
  if [ -S "/proc/$pid/root/run/systemd/private" ]; then
    run timeout 60 "$COVE" --root "$COVE_ROOT" exec sys1 systemctl is-system-running --wait
    st=$output
  fi
  if [ "$st" != running ]; then
    echo "is-system-running: $st; failed units:" >&2
    cove exec sys1 systemctl --failed --no-pager >&2 || true
    cove exec sys1 ps -ef >&2 || true
    grep -E '^(State|Sig)' "/proc/$pid/status" >&2 || true
    echo "the container's output:" >&2
    cat "$TEST_TMP/sys.out" >&2
  fi
  echo "# system container: $st after $(($(cut -d. -f1 /proc/uptime) - t0)) s" >&3
  [[ "$st" =~ ^(running|degraded)$ ]]
  # systemd knows it is in a container, and runs its own cgroup tree in the container's subtree
  run cove exec sys1 sh -c 'tr "\0" "\n" </proc/1/environ | grep ^container='
  assert_output "container=cove"
  run cove exec sys1 systemd-detect-virt --container
  assert_success
  [ -d "/sys/fs/cgroup/system.slice/covetest-sys-$$.scope/init.scope" ]
  run cove exec sys1 findmnt -rno TARGET,FSTYPE,OPTIONS
  assert_line --regexp "^/run tmpfs rw,"
  assert_line --regexp "^/run/lock tmpfs rw,"
  assert_line --regexp "^/sys/fs/cgroup cgroup2 rw,"
  # systemd's stop signal: a clean halt, the container ends with status 0
  t0=$(cut -d. -f1 /proc/uptime)
  cove kill sys1 SIGRTMIN+3
  local deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    # gone (cove run removed it) or stopped
    st=$(cove state sys1 2>/dev/null | jq -r .status)
    [ -z "$st" ] || [ "$st" = stopped ] && break
    sleep 0.1
  done
  [ -z "$st" ] || [ "$st" = stopped ] || { echo "still $st 60 s after SIGRTMIN+3" >&2; return 1; }
  # cove run ends once it has removed the stopped container
  local rc=0
  wait "$covepid" || rc=$?
  echo "# system container: halted in $(($(cut -d. -f1 /proc/uptime) - t0)) s, status $rc" >&3
  [ "$rc" -eq 0 ]
  [ ! -d "/sys/fs/cgroup/system.slice/covetest-sys-$$.scope" ]
}
