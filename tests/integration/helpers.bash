# helpers.bash: shared helpers for cove's bats suites (runc's idiom).  Load with
#   load helpers
# Every suite's setup calls setup_bundle (or its own), every teardown calls teardown_bundle, which
# removes every container, cgroup, mount and temp dir the test made, even when the test failed.
#
# Shared file: add helpers by appending a new function; do not rewrite others'.

bats_load_library bats-support
bats_load_library bats-assert
# `run -N` and `run !` (a `! cmd` line that is not a test's last is ignored by bash: use these)
bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
COVE=${COVE:-$REPO/cove}
# The static test helper binary placed at /bin/cove-test-helper in test rootfs bundles.
COVE_TEST_HELPER=${COVE_TEST_HELPER:-$REPO/build/cove-test-helper}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# A busybox rootfs is built once per bats run and copied (hard-linked) per test.
ROOTFS_CACHE=${ROOTFS_CACHE:-${BATS_RUN_TMPDIR:-/tmp}/cove-rootfs-cache}

# Run cove with the test's own state root.
cove() {
  "$COVE" --root "$COVE_ROOT" "$@"
}

# Build the shared busybox rootfs (idempotent).
build_rootfs_cache() {
  [ -x "$ROOTFS_CACHE/bin/busybox" ] && return 0
  local tmp
  tmp=$(mktemp -d "${ROOTFS_CACHE}.XXXXXX")
  mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,tmp,root,home,run,var,usr/bin,usr/sbin}
  cp "$BUSYBOX" "$tmp/bin/busybox"
  local applet
  for applet in $("$BUSYBOX" --list); do
    [ -e "$tmp/bin/$applet" ] || ln -s busybox "$tmp/bin/$applet"
  done
  if [ -x "$COVE_TEST_HELPER" ]; then
    cp "$COVE_TEST_HELPER" "$tmp/bin/cove-test-helper"
  fi
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
  chmod 1777 "$tmp/tmp"
  # mktemp -d made it 0700: a non-root container user (or a mapped root) must reach /
  chmod 755 "$tmp"
  # another bats process may have won the race: keep the first
  mv -T "$tmp" "$ROOTFS_CACHE" 2>/dev/null || rm -rf "$tmp"
}

# A default config.json as runc's `spec` writes it (busybox sh, default mounts, masked and
# readonly paths, runc's default capabilities), with the cgroup under the test's own parent.
write_default_config() {
  local out=$1
  jq -n --arg cg "$TEST_CGROUP_PARENT/$(basename "$BUNDLE")" '
  def caps: ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"];
  {
    ociVersion: "1.3.0",
    process: {
      terminal: false,
      user: {uid: 0, gid: 0},
      args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: {bounding: caps, effective: caps, permitted: caps},
      rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
      noNewPrivileges: true
    },
    root: {path: "rootfs", readonly: true},
    hostname: "cove",
    mounts: [
      {destination: "/proc", type: "proc", source: "proc"},
      {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid","strictatime","mode=755","size=65536k"]},
      {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
      {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid","noexec","nodev","mode=1777","size=65536k"]},
      {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid","noexec","nodev"]},
      {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid","noexec","nodev","ro"]},
      {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid","noexec","nodev","relatime","ro"]}
    ],
    linux: {
      cgroupsPath: $cg,
      resources: {devices: [{allow: false, access: "rwm"}]},
      namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "cgroup"}],
      maskedPaths: ["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats",
        "/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"],
      readonlyPaths: ["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]
    }
  }' >"$out"
}

# setup_bundle: $BUNDLE (bundle dir with rootfs/ and config.json), $COVE_ROOT (state root),
# $TEST_CGROUP_PARENT (a cgroup parent of the test's own, relative to each hierarchy's root).
setup_bundle() {
  build_rootfs_cache
  TEST_TMP=$(mktemp -d /tmp/cove-test.XXXXXX)
  BUNDLE=$TEST_TMP/bundle
  COVE_ROOT=$TEST_TMP/state
  TEST_CGROUP_PARENT=/cove-test-$$-${BATS_TEST_NUMBER:-0}
  mkdir -p "$BUNDLE" "$COVE_ROOT"
  chmod 0700 "$COVE_ROOT"
  cp -al "$ROOTFS_CACHE" "$BUNDLE/rootfs" 2>/dev/null || cp -a "$ROOTFS_CACHE" "$BUNDLE/rootfs"
  write_default_config "$BUNDLE/config.json"
}

# Edit config.json with a jq expression: update_config '.process.args = ["/bin/true"]'
update_config() {
  local cfg=${2:-$BUNDLE/config.json}
  jq "$1" "$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
}

# Remove every container under $COVE_ROOT, the test's cgroup parent in every hierarchy, and the
# temp dir.  Safe to call when setup failed half-way.
teardown_bundle() {
  local id
  if [ -n "${COVE_ROOT:-}" ] && [ -d "$COVE_ROOT" ]; then
    for id in $("$COVE" --root "$COVE_ROOT" list -q 2>/dev/null); do
      "$COVE" --root "$COVE_ROOT" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  remove_test_cgroups
  if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP" ]; then
    # a failed test may have left mounts below the temp dir
    grep -o " $TEST_TMP[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$TEST_TMP"
  fi
}

# Remove $TEST_CGROUP_PARENT (depth first) from every mounted hierarchy; kills what is left in it.
remove_test_cgroups() {
  [ -n "${TEST_CGROUP_PARENT:-}" ] || return 0
  local h dir
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    dir=$h$TEST_CGROUP_PARENT
    [ -d "$dir" ] || continue
    # a test may leave it frozen (a v1-frozen process dies of SIGKILL only once thawed): thaw
    # top-down first, a v1 child cannot thaw under a frozen parent
    find "$dir" -type d 2>/dev/null | while read -r d; do
      if [ -f "$d/freezer.state" ]; then { echo THAWED >"$d/freezer.state"; } 2>/dev/null || true; fi
      if [ -f "$d/cgroup.freeze" ]; then { echo 0 >"$d/cgroup.freeze"; } 2>/dev/null || true; fi
    done
    find "$dir" -depth -type d 2>/dev/null | while read -r d; do
      if [ -f "$d/cgroup.procs" ]; then
        while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$d/cgroup.procs"
      fi
      rmdir "$d" 2>/dev/null || { sleep 0.05; rmdir "$d" 2>/dev/null || true; }
    done
  done
}

# requires FEATURE...: skip the test with the reason when the host lacks it.
#   root, cgroups_v2 (a pure cgroup2 host), cgroups_v1, cgroups_hybrid, kernel X.Y, runc, crun,
#   systemd (systemd is PID 1: the systemd VM lane, `make check-systemd`), systemd_v1 (the same on
#   cgroup v1: `make check-systemd-v1`)
#   apparmor (AppArmor enabled, apparmor_parser installed), no_apparmor, no_selinux (the LSM is off)
#   criu (CRIU works on this kernel: `criu check` passes; the criu VM lane, `make check-criu`)
requires() {
  local f
  for f in "$@"; do
    case $f in
    root) [ "$(id -u)" -eq 0 ] || skip "needs root" ;;
    cgroups_v2)
      [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || skip "needs a pure cgroup v2 host (this one is $(cgroup_mode))" ;;
    cgroups_v1) [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] || skip "needs cgroup v1 controllers" ;;
    cgroups_hybrid) [ "$(cgroup_mode)" = hybrid ] || skip "needs a hybrid cgroup host" ;;
    runc) command -v runc >/dev/null || skip "needs runc" ;;
    crun) command -v crun >/dev/null || skip "needs crun" ;;
    podman) command -v podman >/dev/null || skip "needs podman (apt-get install podman)" ;;
    containerd) command -v containerd >/dev/null && command -v ctr >/dev/null && command -v containerd-shim-runc-v2 >/dev/null ||
      skip "needs containerd, ctr and containerd-shim-runc-v2 (apt-get install containerd)" ;;
    systemd) [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] || skip "needs systemd as PID 1" ;;
    apparmor)
      # the systemd VM lane's image carries AppArmor: missing there, it is a failure, not a skip
      if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || ! command -v apparmor_parser >/dev/null; then
        if grep -q 'cove\.lane=' /proc/cmdline 2>/dev/null; then
          echo "requires apparmor: the VM lane's guest lacks AppArmor or apparmor_parser" >&2
          return 1
        fi
        skip "needs AppArmor enabled and apparmor_parser"
      fi ;;
    no_apparmor) [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "needs a host without AppArmor" ;;
    no_selinux) [ "$(stat -fc %T /sys/fs/selinux 2>/dev/null)" != selinux ] || skip "needs a host without SELinux" ;;
    criu)
      # the criu VM lane's guest is where CRIU works: there a failing criu check is a failure
      if ! command -v criu >/dev/null || ! criu check >/dev/null 2>&1; then
        if grep -q 'cove\.lane=criu' /proc/cmdline 2>/dev/null; then
          echo "requires criu: criu check fails in the criu lane's guest: $(criu check 2>&1 | grep -m1 Error)" >&2
          return 1
        fi
        command -v criu >/dev/null || skip "needs criu (apt-get install criu)"
        skip "needs a kernel CRIU supports ($(criu check 2>&1 | grep -m1 'Error'); make check-criu runs these in a guest)"
      fi ;;
    systemd_v1) [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && [ "$(cgroup_mode)" != unified ] ||
      skip "needs systemd as PID 1 on cgroup v1 (make check-systemd-v1)" ;;
    kernel)
      ;;
    [0-9]*.[0-9]*)
      local have want=$f
      have=$(uname -r | cut -d. -f1-2)
      [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" = "$want" ] || skip "needs kernel $want" ;;
    *) echo "requires: unknown feature $f" >&2; return 1 ;;
    esac
  done
}

cgroup_mode() {
  if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo unified
  elif [ -d /sys/fs/cgroup/unified ] && [ "$(stat -fc %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
    echo hybrid
  else
    echo legacy
  fi
}

# Wait (bounded, polling the state, never a blind sleep) until container $1 has status $2.
wait_for_state() {
  wait_state_via cove "$@"
}

# wait_state_via CMD ID STATUS: the same, asking `CMD state ID` (e.g. a user's cove)
wait_state_via() {
  local cmd=$1 id=$2 want=$3 i status
  for ((i = 0; i < 200; i++)); do
    status=$("$cmd" state "$id" 2>/dev/null | jq -r .status)
    [ "$status" = "$want" ] && return 0
    sleep 0.02
  done
  echo "container $id: status $status, wanted $want" >&2
  return 1
}

# check_cgroup_value CONTROLLER FILE EXPECTED: read FILE of the test container's cgroup from the
# host (v1 controller hierarchy, or the unified one on v2).
check_cgroup_value() {
  local ctrl=$1 file=$2 want=$3 path
  if [ "$(cgroup_mode)" = unified ]; then
    path=/sys/fs/cgroup$TEST_CGROUP_PARENT/$(basename "$BUNDLE")/$file
  else
    path=/sys/fs/cgroup/$ctrl$TEST_CGROUP_PARENT/$(basename "$BUNDLE")/$file
  fi
  run cat "$path"
  assert_success
  assert_output "$want"
}

# ---- filesystem suites (mounts, devices, masked, escapes, overlay, propagation, idmap) ----
# set_cmd 'SHELL COMMAND': the container runs it with /bin/sh -c.
set_cmd() {
  update_config ".process.args = [\"/bin/sh\", \"-c\", $(jq -Rn --arg c "$1" '$c')]"
}
# add_mount JSON: append a mount object to .mounts.
add_mount() {
  update_config ".mounts += [$1]"
}
# mount_line DEST: the /proc/self/mountinfo line of the mount on DEST from $output (last one).
mount_line() {
  grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ $1 " <<<"$output" | tail -n1
}

# ---- cgroup suites (cgroups, cgroups_v2, ps, pause, events, update) ----
# cg_path [CONTROLLER]: host directory of the test container's cgroup: the v1 hierarchy of
# CONTROLLER, or with no argument the v2 leaf (/sys/fs/cgroup on v2, .../unified on hybrid).
cg_path() {
  local rel=$TEST_CGROUP_PARENT/$(basename "$BUNDLE")
  if [ -z "${1:-}" ]; then
    if [ "$(cgroup_mode)" = unified ]; then echo "/sys/fs/cgroup$rel"; else echo "/sys/fs/cgroup/unified$rel"; fi
  elif [ "$(cgroup_mode)" = unified ]; then
    echo "/sys/fs/cgroup$rel"
  else
    echo "/sys/fs/cgroup/$1$rel"
  fi
}
# init_oom_named: `run` under a memory limit too small for the init's own setup (64 KiB) fails
# in one line that names the OOM killer and the limit's field, and leaves no record or cgroup.
init_oom_named() {
  update_config '.linux.resources.memory = {limit: 65536} | .process.args = ["/bin/cove-test-helper", "ids"]'
  run cove run -b "$BUNDLE" c1
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ]
  assert_output --regexp "^cove: run c1: the container init was killed by the OOM killer: the container's memory limit \(linux\.resources\.memory\.limit\) is too low for its setup: "
  run cove list -q
  assert_output ""
  local h
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -e "$h$TEST_CGROUP_PARENT/bundle" ]
  done
}

# events_sees_oom: the bundle's container (its memory limit set by the caller) hogs memory once
# `cove events` watches it; events must report the OOM kill as an "oom" event of c1.  The caller's
# teardown kills $EVENTS_PID.
events_sees_oom() {
  sync_dir
  set_cmd 'while [ ! -e /sync/go ]; do sleep 0.05; done; /bin/cove-test-helper memhog 256; exec /bin/cove-test-helper sleep-forever'
  start_bg c1
  "$COVE" --root "$COVE_ROOT" events --interval 30s c1 >"$TEST_TMP/ev" 3>&- &
  EVENTS_PID=$!
  # events watches for OOMs before its first stats line: only then may the container hog
  wait_line "$TEST_TMP/ev"
  touch "$TEST_TMP/sync/go"
  for _ in $(seq 150); do grep -q '"oom"' "$TEST_TMP/ev" && break; sleep 0.1; done
  run grep '"type":"oom"' "$TEST_TMP/ev"
  assert_success
  [ "$(jq -r .id <<<"${lines[0]}")" = c1 ]
}
# start_bg ID: `cove run --detach` the bundle's container (its output in $TEST_TMP/ID.out) and
# wait until it is running.
start_bg() {
  "$COVE" --root "$COVE_ROOT" run -d -b "$BUNDLE" "$1" </dev/null >"$TEST_TMP/$1.out" 2>&1 3>&-
  wait_for_state "$1" running
}
# cg_cpu_ns: cumulative cpu time of the test container's cgroup, in nanoseconds.
cg_cpu_ns() {
  if [ "$(cgroup_mode)" = unified ]; then
    echo $(($(awk '$1 == "usage_usec" {print $2}' "$(cg_path)/cpu.stat") * 1000))
  else
    cat "$(cg_path cpuacct)/cpuacct.usage"
  fi
}

# Give the test a private copy of its rootfs (setup_bundle hard-links the shared cache): needed
# before changing ownership or modes of the image's files, which would otherwise change the cache
# for every later test of the run.
private_rootfs() {
  rm -rf "$BUNDLE/rootfs"
  cp -a "$ROOTFS_CACHE" "$BUNDLE/rootfs"
}

# ---- cpu time measured over windows the test controls (a loaded machine oversleeps and gives a
# busy loop less than a core: fixed sleeps and fixed percentages flake there) ----
# cg_cpu_window SECONDS: "CPU_NS WALL_NS": the cpu time of the test container's cgroup over a
# window of about SECONDS, and that window's real length.
cg_cpu_window() {
  local a b t0 t1
  t0=$(date +%s%N)
  a=$(cg_cpu_ns)
  sleep "$1"
  b=$(cg_cpu_ns)
  t1=$(date +%s%N)
  echo "$((b - a)) $((t1 - t0))"
}
# cg_cpu_grows NS [SECONDS]: wait until the cgroup has used NS more nanoseconds of cpu (bounded,
# 30 s by default); fails naming what it saw.  Proves the container runs, whatever the load.
cg_cpu_grows() {
  local want=$1 limit=${2:-30} a now t0
  a=$(cg_cpu_ns)
  t0=$(date +%s)
  while :; do
    now=$(cg_cpu_ns)
    [ $((now - a)) -ge "$want" ] && return 0
    if [ $(($(date +%s) - t0)) -ge "$limit" ]; then
      echo "cpu grew by $((now - a)) ns in ${limit} s, wanted $want" >&2
      return 1
    fi
    sleep 0.05
  done
}
# cg_cpu_at_most FRACTION_PERCENT SLACK_MS SECONDS: over a window of about SECONDS, the cgroup
# used at most PERCENT of one cpu of the window's real length, plus SLACK_MS (a quota's periods
# at the window's two ends).
cg_cpu_at_most() {
  local pct=$1 slack_ms=$2 cpu wall
  read -r cpu wall < <(cg_cpu_window "$3")
  echo "# cpu: $((cpu / 1000000)) ms in $((wall / 1000000)) ms of wall time (limit ${pct}% + ${slack_ms} ms)" >&3
  [ "$cpu" -le $((wall * pct / 100 + slack_ms * 1000000)) ]
}

# ---- kernel floor (kernel_floor.bats, fs_fallback.bats) ----
# nosys_path: tests/kernel/nosys, which runs a command with named system calls failing: the one
# make built ($REPO/build/nosys, also in the VM guests), else built now into the file's tmpdir.
nosys_path() {
  if [ -x "$REPO/build/nosys" ] && [ "$REPO/build/nosys" -nt "$REPO/tests/kernel/nosys.c" ]; then
    echo "$REPO/build/nosys"
    return
  fi
  gcc -std=gnu17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o "$BATS_FILE_TMPDIR/nosys" \
    "$REPO/tests/kernel/nosys.c" >&2 || return 1
  echo "$BATS_FILE_TMPDIR/nosys"
}

# sync_dir: $TEST_TMP/sync, bound at /sync in the container, for signals between test and container
sync_dir() {
  mkdir -p "$TEST_TMP/sync"
  add_mount "{\"destination\": \"/sync\", \"type\": \"bind\", \"source\": \"$TEST_TMP/sync\", \"options\": [\"rbind\"]}"
}

# wait_line FILE: a bounded wait for FILE to hold a whole line
wait_line() {
  local i
  for ((i = 0; i < 500; i++)); do
    grep -q . "$1" 2>/dev/null && [ "$(tail -c1 "$1" | od -An -c | tr -d ' ')" = '\n' ] && return 0
    sleep 0.02
  done
  echo "no line in $1" >&2
  return 1
}
