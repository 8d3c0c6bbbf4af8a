#!/usr/bin/env bats
# checkpoint.bats: `cove checkpoint` / `cove restore` with CRIU (issue 15).
#
# CRIU 3.17 (Debian's) fails `criu check` on this host's kernel, so the tests that need CRIU to
# work say `requires criu` and run in the criu VM lane (make check-criu: a 6.1 guest with CRIU
# and podman).  The others run everywhere: the command line, and the errors when CRIU is
# missing or cannot work here.
#
# The container in these tests is a stepper: a shell counts in its own memory and writes the
# count to /tmp/count each time the test drops /tmp/go into its rootfs (the shell removes it), so
# after a restore the next step shows whether the count went on from the checkpoint (N+1) or
# started afresh (1).  Network rules: the TCP test uses a bridge it creates (10.89.<n>.0/24).

bats_require_minimum_version 1.5.0

load helpers
load ../engines/podman

setup() {
  setup_bundle
  COVE_ROOT2=$TEST_TMP/state2
  IMG=$TEST_TMP/img
  update_config '.root.readonly = false'
  cat >"$BUNDLE/rootfs/stepper.sh" <<'EOF'
i=0
while :; do
  if [ -e /tmp/go ]; then
    i=$((i + 1))
    echo "count $i"
    echo $i >/tmp/count.new
    mv /tmp/count.new /tmp/count
    rm -f /tmp/go
  fi
  sleep 0.05
done
EOF
  update_config '.process.args = ["/bin/sh", "/stepper.sh"]'
}

teardown() {
  local id
  if [ -n "${TCP_FD:-}" ]; then exec {TCP_FD}>&-; fi
  if [ -n "${PIN:-}" ]; then umount "$PIN" 2>/dev/null || true; fi
  if [ -d "${COVE_ROOT2:-}" ]; then
    for id in $("$COVE" --root "$COVE_ROOT2" list -q 2>/dev/null); do
      "$COVE" --root "$COVE_ROOT2" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  engines_teardown
  teardown_bundle
  [ -z "${CR_BRIDGE:-}" ] || ip link del "$CR_BRIDGE" 2>/dev/null || true
  [ -z "${CR_NETNS:-}" ] || ip netns del "$CR_NETNS" 2>/dev/null || true
}

# run_bg ID [ROOT]: run the bundle's container detached, its stdio on /dev/null.
run_bg() {
  "$COVE" --root "${2:-$COVE_ROOT}" run -d -b "$BUNDLE" "$1" </dev/null >/dev/null 2>&1
}

# step [ROOTFS]: one step of the stepper; prints the count it wrote.
step() {
  local rootfs=${1:-$BUNDLE/rootfs} i
  touch "$rootfs/tmp/go"
  for ((i = 0; i < 600; i++)); do
    [ -e "$rootfs/tmp/go" ] || break
    sleep 0.05
  done
  [ ! -e "$rootfs/tmp/go" ] || { echo "the stepper did not step" >&2; return 1; }
  cat "$rootfs/tmp/count"
}

# The first Error line of `criu check`, as cove quotes CRIU: "message (file:line)".
criu_check_error() {
  criu check 2>&1 | sed -n 's/^.*Error (\([^)]*\)): \(.*\)$/\2 (\1)/p' | head -n1
}

# cr CMD...: run a checkpoint or restore; when it fails, show CRIU's log around its errors (as
# runc's logCriuErrors does), so a failure in the guest says why.
cr() {
  run "$@"
  if [ "$status" -ne 0 ]; then
    local log
    log=$(sed -n 's/.*; log: //p' <<<"$output")
    [ -f "$log" ] && grep -n -B6 'Error' "$log" | tail -n 80 >&2
  fi
  return 0
}

# bundle2 NAME: a second bundle sharing the rootfs, with a cgroup of its own; prints its path.
bundle2() {
  local dir=$TEST_TMP/$1
  mkdir -p "$dir"
  jq --arg root "$BUNDLE/rootfs" --arg cg "$TEST_CGROUP_PARENT/$1" '.root.path = $root | .linux.cgroupsPath = $cg' \
    "$BUNDLE/config.json" >"$dir/config.json"
  echo "$dir"
}

# make_bridge: a bridge of the test's own with $CR_SUB.1/24 on it (removed in teardown).
make_bridge() {
  CR_SUB=10.89.$((BATS_TEST_NUMBER % 250))
  CR_BRIDGE=cvcr$$
  CR_BRIDGE=${CR_BRIDGE:0:15}
  ip link add "$CR_BRIDGE" type bridge
  ip addr add "$CR_SUB.1/24" dev "$CR_BRIDGE"
  ip link set "$CR_BRIDGE" up
}

# cgroup2 path of pid, seen from the host.
cgroup_of() {
  sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# assert_c1_gone: no container c1 is left: no record, no state dir, no mount below the test's
# dir (the criu-root bind among them), no cgroup in any hierarchy.
assert_c1_gone() {
  local h
  run cove list -q
  assert_output ""
  [ ! -e "$COVE_ROOT/c1" ]
  run -1 grep "$TEST_TMP" /proc/self/mountinfo
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -e "$h$TEST_CGROUP_PARENT/bundle" ]
  done
}

# ---- everywhere: the command line and CRIU's failures ----

@test "checkpoint --help and restore --help: runc's flags, exit 0 (podman's probe)" {
  run "$COVE" checkpoint --help
  assert_success
  for f in image-path work-path parent-path leave-running tcp-established ext-unix-sk shell-job lazy-pages \
    status-fd page-server file-locks pre-dump manage-cgroups-mode empty-ns auto-dedup; do
    assert_output --partial -- "--$f"
  done
  run "$COVE" restore --help
  assert_success
  for f in console-socket image-path work-path tcp-established ext-unix-sk shell-job file-locks \
    manage-cgroups-mode bundle detach pid-file no-subreaper no-pivot empty-ns auto-dedup lazy-pages \
    lsm-profile lsm-mount-context; do
    assert_output --partial -- "--$f"
  done
}

@test "checkpoint and restore: bad flags and arguments are usage errors" {
  run "$COVE" checkpoint
  assert_failure 2
  assert_output --partial "expected 1 argument, got 0"
  run "$COVE" checkpoint --bogus c1
  assert_failure 2
  assert_output --partial "unknown flag"
  run "$COVE" checkpoint --status-fd 3 c1
  assert_failure 2
  assert_output --partial "--status-fd needs --lazy-pages"
  run "$COVE" checkpoint --pre-dump --leave-running c1
  assert_failure 2
  run "$COVE" restore a b
  assert_failure 2
  assert_output --partial "expected 1 argument, got 2"
}

@test "checkpoint: a missing or not running container is refused, nothing is written" {
  requires root
  run cove checkpoint --image-path "$IMG" nosuch
  assert_failure 1
  assert_output "cove: checkpoint nosuch: container \`nosuch\` does not exist"
  cove create -b "$BUNDLE" c1 </dev/null >/dev/null 2>&1
  run cove checkpoint --image-path "$IMG" c1
  assert_failure 1
  assert_output "cove: checkpoint c1: the container is created: only a running or paused container can be checkpointed"
  [ ! -e "$IMG" ]
}

@test "checkpoint: bad option values name the option; the container keeps running" {
  requires root
  run_bg c1
  run cove checkpoint --image-path "$IMG" --manage-cgroups-mode bogus c1
  assert_failure 1
  assert_output "cove: checkpoint c1: --manage-cgroups-mode: expected soft, full, strict or ignore, got \`bogus\`"
  run cove checkpoint --image-path "$IMG" --empty-ns ipc c1
  assert_failure 1
  assert_output "cove: checkpoint c1: --empty-ns: namespace \`ipc\` is not supported (only network)"
  run cove checkpoint --image-path "$IMG" --parent-path /abs c1
  assert_failure 1
  assert_output --partial "--parent-path \`/abs\`: must be relative to --image-path"
  run cove state c1
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
}

@test "checkpoint and restore: a missing criu is one line naming it, the container keeps running" {
  requires root
  run_bg c1
  run cove --criu /nonexistent/criu checkpoint --image-path "$IMG" c1
  assert_failure 1
  assert_output "cove: checkpoint c1: criu dump: \`/nonexistent/criu\` not found (install criu, or give its path with --criu)"
  [ "$(cove state c1 | jq -r .status)" = running ]
  cove delete -f c1
  # restore: nothing of the new container is left behind
  mkdir -p "$IMG"
  : >"$IMG/inventory.img"
  echo '["/dev/null","/dev/null","/dev/null"]' >"$IMG/descriptors.json"
  run "$COVE" --root "$COVE_ROOT2" --criu /nonexistent/criu restore -d -b "$BUNDLE" --image-path "$IMG" c2
  assert_failure 1
  assert_output "cove: restore c2: criu restore: \`/nonexistent/criu\` not found (install criu, or give its path with --criu)"
  run "$COVE" --root "$COVE_ROOT2" list -q
  assert_output ""
  [ ! -e "$COVE_ROOT2/c2" ]
}

@test "checkpoint where criu check fails: one line with CRIU's first error and the log file" {
  requires root
  command -v criu >/dev/null || skip "needs criu"
  if criu check >/dev/null 2>&1; then
    skip "criu check passes on this kernel: the criu lane's tests cover a working CRIU"
  fi
  run_bg c1
  run cove checkpoint --image-path "$IMG" --work-path "$TEST_TMP/work" c1
  assert_failure 1
  assert_output "cove: checkpoint c1: criu dump failed: $(criu_check_error); log: $TEST_TMP/work/dump.log"
  grep -q "Error" "$TEST_TMP/work/dump.log"
  # a failed dump leaves the container as it was
  [ "$(cove state c1 | jq -r .status)" = running ]
  # --pre-dump asks CRIU first whether it can track memory: the same reason
  run cove checkpoint --pre-dump --image-path "$IMG" c1
  assert_failure 1
  assert_output "cove: checkpoint c1: criu feature check: criu check failed: $(criu_check_error)"
}

@test "restore: a bad image dir or a failing CRIU leaves no state, cgroup or mount behind" {
  requires root
  run cove restore -d -b "$BUNDLE" --image-path "$TEST_TMP/none" c1
  assert_failure 1
  assert_output "cove: restore c1: image path \`$TEST_TMP/none\`: No such file or directory"
  mkdir -p "$IMG"
  run cove restore -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_failure 1
  assert_output "cove: restore c1: image path \`$IMG\`: no CRIU images (inventory.img): No such file or directory"
  # images CRIU cannot read: its failure, then everything undone
  : >"$IMG/inventory.img"
  echo '["/dev/null","/dev/null","/dev/null"]' >"$IMG/descriptors.json"
  run cove restore -d -b "$BUNDLE" --image-path "$IMG" --work-path "$TEST_TMP/work" c1
  assert_failure 1
  assert_output --regexp "^cove: restore c1: criu restore failed: .+; log: $TEST_TMP/work/restore.log\$"
  assert_c1_gone
}

@test "restore: an id in use and bad option values are refused before anything is made" {
  requires root
  run_bg c1
  mkdir -p "$IMG"
  : >"$IMG/inventory.img"
  run cove restore -d -b "$BUNDLE" --image-path "$IMG" --manage-cgroups-mode nope c2
  assert_failure 1
  assert_output "cove: restore c2: --manage-cgroups-mode: expected soft, full, strict or ignore, got \`nope\`"
  run cove restore -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_failure 1
  assert_output --partial "container \`c1\` already exists"
  run cove list -q
  assert_output "c1"
  [ "$(cove state c1 | jq -r .status)" = running ]
}

@test "features: what checkpoint can do here (CRIU's version, criu check, pre-dump, lazy pages)" {
  command -v criu >/dev/null || skip "needs criu"
  run "$COVE" features
  assert_success
  jq -r '.annotations | to_entries[] | select(.key | startswith("run.cove.checkpoint")) | "# \(.key): \(.value)"' <<<"$output" >&3
  [ "$(jq -r '.annotations["run.cove.checkpoint.enabled"]' <<<"$output")" = true ]
  [ "$(jq -r '.annotations["run.cove.checkpoint.criu.version"]' <<<"$output")" = "$(criu --version | sed -n 's/^Version: //p')" ]
  if criu check >/dev/null 2>&1; then
    [ "$(jq -r '.annotations["run.cove.checkpoint.criu.check"]' <<<"$output")" = ok ]
  else
    [ "$(jq -r '.annotations["run.cove.checkpoint.criu.check"]' <<<"$output")" = "criu check failed: $(criu_check_error)" ]
    [ "$(jq -r '.annotations["run.cove.checkpoint.pre-dump"]' <<<"$output")" = false ]
  fi
  run "$COVE" --criu /nonexistent/criu features
  assert_success
  [ "$(jq -r '.annotations["run.cove.checkpoint.criu.version"]' <<<"$output")" = \
    "criu version: \`/nonexistent/criu\` not found (install criu, or give its path with --criu)" ]
}

@test "a criu that exits without answering, or never answers, is one bounded error" {
  printf '#!/bin/sh\nexit 3\n' >"$TEST_TMP/criu-exits"
  printf '#!/bin/sh\nexec sleep 1000\n' >"$TEST_TMP/criu-hangs"
  chmod +x "$TEST_TMP/criu-exits" "$TEST_TMP/criu-hangs"
  run "$COVE" --criu "$TEST_TMP/criu-exits" features
  assert_success
  [ "$(jq -r '.annotations["run.cove.checkpoint.criu.version"]' <<<"$output")" = \
    "criu version failed: criu exited with status 3 without an answer" ]
  SECONDS=0
  run "$COVE" --criu "$TEST_TMP/criu-hangs" features
  assert_success
  [ "$(jq -r '.annotations["run.cove.checkpoint.criu.version"]' <<<"$output")" = \
    "criu version: no answer from criu in 30 s" ]
  [ "$SECONDS" -lt 60 ]
  # the criu that hung is gone
  ! pgrep -f "$TEST_TMP/criu-hangs" >/dev/null
}

@test "restore killed while CRIU runs: delete removes its state, cgroup, rootfs bind; criu dies with it" {
  requires root
  printf '#!/bin/sh\nexec sleep 1000\n' >"$TEST_TMP/criu-hangs"
  chmod +x "$TEST_TMP/criu-hangs"
  mkdir -p "$IMG"
  : >"$IMG/inventory.img"
  echo '["/dev/null","/dev/null","/dev/null"]' >"$IMG/descriptors.json"
  "$COVE" --root "$COVE_ROOT" --criu "$TEST_TMP/criu-hangs" restore -d -b "$BUNDLE" --image-path "$IMG" c1 \
    </dev/null >/dev/null 2>&1 &
  local pid=$! i
  # wait (bounded) until criu runs: the rootfs is bound for it and it sits in the container's cgroup
  for ((i = 0; i < 200; i++)); do
    pgrep -f "$TEST_TMP/criu-hangs" >/dev/null && grep -q " $COVE_ROOT/c1/criu-root " /proc/self/mountinfo && break
    sleep 0.05
  done
  grep -q " $COVE_ROOT/c1/criu-root " /proc/self/mountinfo
  kill -9 "$pid"
  wait "$pid" || true
  # the state was recorded before CRIU ran: a stopped container, with its cgroup
  run cove state c1
  assert_success
  [ "$(jq -r .status <<<"$output")" = stopped ]
  run cove delete c1
  assert_success
  assert_c1_gone
  for ((i = 0; i < 100; i++)); do pgrep -f "$TEST_TMP/criu-hangs" >/dev/null || break; sleep 0.05; done
  ! pgrep -f "$TEST_TMP/criu-hangs" >/dev/null
}

@test "the init's stdio on the host's /dev/null is reopened on the container's own /dev/null" {
  requires root
  run_bg c1
  local pid dev fd mnt
  pid=$(cove state c1 | jq -r .pid)
  # the mount id of the container's /dev (its tmpfs), from the container's mount table
  dev=$(awk '$5 == "/dev" {print $1}' "/proc/$pid/mountinfo")
  [ -n "$dev" ]
  for fd in 0 1 2; do
    mnt=$(awk '$1 == "mnt_id:" {print $2}' "/proc/$pid/fdinfo/$fd")
    [ "$mnt" = "$dev" ] || { echo "fd $fd is on mount $mnt, not the container's /dev ($dev)" >&2; return 1; }
  done
  # stdio that is not /dev/null is left alone
  "$COVE" --root "$COVE_ROOT" delete -f c1
  "$COVE" --root "$COVE_ROOT" run -d -b "$BUNDLE" c1 </dev/null >"$TEST_TMP/out" 2>&1
  pid=$(cove state c1 | jq -r .pid)
  [ "$(readlink "/proc/$pid/fd/1")" = "$TEST_TMP/out" ]
}

# ---- with a working CRIU (the criu VM lane) ----

@test "checkpoint, restore: the count goes on from where it stopped; the restored container is a normal one" {
  requires root criu
  # what CRIU must bring back besides the processes: a bind mount from the host (external), the
  # masked and read-only paths, a device node, the cgroup's limits
  mkdir -p "$TEST_TMP/data"
  update_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$TEST_TMP/data\", \"options\": [\"rbind\"]}]
    | .linux.devices = [{\"path\": \"/dev/cove-null\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]
    | .linux.resources.memory = {\"limit\": 67108864} | .linux.resources.pids = {\"limit\": 64}"
  run_bg c1
  local old_pid old_cg pid
  old_pid=$(cove state c1 | jq -r .pid)
  old_cg=$(cgroup_of "$old_pid")
  [ "$(step)" = 1 ]
  [ "$(step)" = 2 ]
  [ "$(step)" = 3 ]
  cr cove checkpoint --image-path "$IMG" c1
  assert_success
  # the checkpointed container is gone, as after delete
  run cove list -q
  assert_output ""
  [ ! -e "/proc/$old_pid" ] || [ "$(cat "/proc/$old_pid/comm" 2>/dev/null)" != sh ]
  [ ! -e "/sys/fs/cgroup$old_cg" ]
  [ -s "$IMG/inventory.img" ]
  [ "$(jq -r '.[1]' "$IMG/descriptors.json")" = /dev/null ]

  cr cove restore -d -b "$BUNDLE" --image-path "$IMG" --pid-file "$TEST_TMP/pid" c1
  assert_success
  # CRIU's root was bound in criu's own mount namespace: nothing of it on the host
  run -1 grep "criu-root" /proc/self/mountinfo
  [ ! -e "$COVE_ROOT/c1/criu-root" ]
  pid=$(cove state c1 | jq -r .pid)
  [ "$(cove state c1 | jq -r .status)" = running ]
  [ "$(cat "$TEST_TMP/pid")" = "$pid" ]
  # the shell's memory came back: 4, not 1
  [ "$(step)" = 4 ]
  # in its own cgroup (the config's) with its limits, seen from the host; pid 1 of its own pid
  # namespace
  [ "$(cgroup_of "$pid")" = "$old_cg" ]
  [ "$(cat "/sys/fs/cgroup$old_cg/memory.max")" = 67108864 ]
  [ "$(cat "/sys/fs/cgroup$old_cg/pids.max")" = 64 ]
  run cove exec c1 sh -c 'tr "\0" " " </proc/1/cmdline'
  assert_success
  assert_output --partial "/stepper.sh"
  run cove exec c1 cat /tmp/count
  assert_output 4
  run cove ps c1
  assert_output --partial "$pid"
  # the bind mount is the host's directory again, not a copy
  echo from-host >"$TEST_TMP/data/f"
  run cove exec c1 cat /data/f
  assert_output from-host
  # masked and read-only paths, the device node of linux.devices
  run cove exec c1 sh -c 'awk "\$5 == \"/proc/keys\" {print \"masked\", \$6}; \$5 == \"/proc/sys\" {print \"sys\", \$6}" /proc/self/mountinfo; stat -c "%F %t:%T" /dev/cove-null; echo x >/dev/cove-null && echo NODE-OK'
  assert_line --regexp '^masked '
  assert_line --regexp '^sys ro,'
  assert_line "character special file 1:3"
  assert_line NODE-OK
  # kill and delete as any container
  cove kill c1 KILL
  wait_for_state c1 stopped
  cove delete c1
  [ ! -e "/sys/fs/cgroup$old_cg" ]
  run cove list -q
  assert_output ""
}

@test "a network namespace joined by path is external: the restored container is back in it" {
  requires root criu
  local ns=cvcrns$$ pid
  ip netns add "$ns"
  CR_NETNS=$ns
  update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/run/netns/$ns\" else . end)"
  run_bg c1
  [ "$(step)" = 1 ]
  cr cove checkpoint --image-path "$IMG" c1
  assert_success
  cr cove restore -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_success
  [ "$(step)" = 2 ]
  pid=$(cove state c1 | jq -r .pid)
  [ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$ns")" ]
}

@test "checkpoint --leave-running: the container goes on; a restore starts from the checkpoint" {
  requires root criu
  run_bg c1
  local pid
  pid=$(cove state c1 | jq -r .pid)
  [ "$(step)" = 1 ]
  [ "$(step)" = 2 ]
  cr cove checkpoint --leave-running --image-path "$IMG" c1
  assert_success
  [ "$(cove state c1 | jq -r .status)" = running ]
  [ "$(cove state c1 | jq -r .pid)" = "$pid" ]
  [ "$(step)" = 3 ]
  [ "$(step)" = 4 ]
  cove delete -f c1
  # the image holds the shell as it was at the checkpoint: 2, so the next step is 3
  cr cove restore -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_success
  [ "$(step)" = 3 ]
  # a paused container can be checkpointed too, and stays paused
  cove pause c1
  cr cove checkpoint --leave-running --image-path "$TEST_TMP/img2" c1
  assert_success
  [ "$(cove state c1 | jq -r .status)" = paused ]
  cove resume c1
  [ "$(step)" = 4 ]
}

@test "a restore whose cgroup cannot be removed keeps its state, and delete -f removes the rest" {
  requires root criu
  run_bg c1
  [ "$(step)" = 1 ]
  cr cove checkpoint --image-path "$IMG" c1
  assert_success
  # a createRuntime hook (run when CRIU has made the namespaces) pins a sub-cgroup with a mount
  # (rmdir of a mountpoint is EBUSY) and fails: restore must keep the record that names the cgroup
  PIN=$(cg_path)/pin
  update_config ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\",
    \"mkdir $PIN && mount -t tmpfs cove-pin $PIN; exit 3\"]}]}"
  cr cove restore -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_failure
  assert_output --partial "createRuntime hook"
  assert_output --partial "remove cgroup $(cg_path): "
  assert_output --partial "its state is kept: \`delete --force c1\` removes the rest"
  mountpoint -q "$PIN"
  run cove list -q
  assert_output c1
  # while the pin holds, delete -f fails and keeps the record; once it is gone, delete -f
  # removes the cgroup and the record
  run cove delete -f c1
  assert_failure
  [ -d "$COVE_ROOT/c1" ]
  umount "$PIN"
  PIN=
  cove delete -f c1
  assert_c1_gone
}

@test "checkpoint --pre-dump, then --parent-path: the final dump writes only what changed" {
  requires root criu
  run_bg c1
  [ "$(step)" = 1 ]
  cr cove checkpoint --pre-dump --image-path "$TEST_TMP/pre" c1
  assert_success
  [ "$(cove state c1 | jq -r .status)" = running ]
  [ "$(step)" = 2 ]
  cr cove checkpoint --parent-path ../pre --image-path "$TEST_TMP/final" c1
  assert_success
  run cove list -q
  assert_output ""
  # CRIU linked the final images to the pre-dump and left the unchanged pages there
  [ "$(readlink "$TEST_TMP/final/parent")" = ../pre ]
  local pre final
  pre=$(cat "$TEST_TMP"/pre/pages-*.img | wc -c)
  final=$(cat "$TEST_TMP"/final/pages-*.img | wc -c)
  echo "pages: pre-dump $pre bytes, final $final bytes" >&2
  # the pages the process left untouched since the pre-dump are taken from the parent, not
  # written again: its pagemap has PE_PARENT entries (crit, CRIU's image tool).  Not a size
  # comparison: a child the stepper forks at the moment of the final dump is new, all of it
  run bash -c "for f in '$TEST_TMP'/final/pagemap-*.img; do crit decode -i \"\$f\"; done |
    jq -c '.entries[] | select(.in_parent == true or (.flags // \"\" | tostring | test(\"PE_PARENT\")))' | head -n 1"
  assert_success
  [ -n "$output" ]
  cr cove restore -d -b "$BUNDLE" --image-path "$TEST_TMP/final" c1
  assert_success
  [ "$(step)" = 3 ]
}

@test "migration: a TCP connection into the container's own netns survives restore under another --root and id" {
  requires root criu
  local sub reply pid veth1 veth2
  make_bridge
  sub=$CR_SUB
  cat >"$BUNDLE/rootfs/srv.sh" <<'EOF'
n=0
while read -r l; do
  n=$((n + 1))
  echo "$n $l"
done
EOF
  update_config ".annotations = {\"run.cove.net.bridge\": \"$CR_BRIDGE\", \"run.cove.net.address\": \"auto\",
    \"run.cove.net.gateway\": \"$sub.1/24\"} | .process.args = [\"nc\", \"-l\", \"-p\", \"7777\", \"-e\", \"/bin/sh\", \"/srv.sh\"]"
  run_bg c1
  veth1=$(ip -o link show master "$CR_BRIDGE" | awk -F': ' '{print $2}' | sed 's/@.*//')
  [ -n "$veth1" ]
  # the host's end of the connection: this shell (bounded retries until nc listens)
  local i
  for ((i = 0; i < 100; i++)); do
    exec {TCP_FD}<>"/dev/tcp/$sub.2/7777" 2>/dev/null && break
    TCP_FD=
    sleep 0.1
  done
  [ -n "$TCP_FD" ]
  echo a >&"$TCP_FD"
  read -r -t 20 reply <&"$TCP_FD"
  [ "$reply" = "1 a" ]

  # an established connection needs --tcp-established: CRIU's refusal, as one line
  cr cove checkpoint --image-path "$TEST_TMP/img0" c1
  echo "# $output" >&3
  assert_failure 1
  assert_output --regexp "^cove: checkpoint c1: criu dump failed: .*Connected TCP socket, consider using --tcp-established option\\. \\(criu/sk-inet\\.c:[0-9]+\\); log: $TEST_TMP/img0/dump.log\$"
  [ "$(cove state c1 | jq -r .status)" = running ]

  cr cove checkpoint --tcp-established --image-path "$IMG" c1
  assert_success
  [ "$(cat "$IMG/cove-network")" = "$sub.2/24" ]
  run cove list -q
  assert_output ""
  run -1 ip link show "$veth1"
  assert_output --partial "does not exist"

  # another state root, another id: the same address, a new host end on the bridge
  cr "$COVE" --root "$COVE_ROOT2" restore --tcp-established -d -b "$BUNDLE" --image-path "$IMG" c2
  assert_success
  pid=$("$COVE" --root "$COVE_ROOT2" state c2 | jq -r .pid)
  veth2=$(ip -o link show master "$CR_BRIDGE" | awk -F': ' '{print $2}' | sed 's/@.*//')
  [ -n "$veth2" ]
  [ "$veth2" != "$veth1" ]
  nsenter -t "$pid" -n ip -o -4 addr show eth0 | grep -q " $sub.2/24 "
  # the same connection, the server's count went on
  echo b >&"$TCP_FD"
  read -r -t 60 reply <&"$TCP_FD"
  [ "$reply" = "2 b" ]
  # the new root's bridge database holds the address: a new container there gets another one
  update_config ".process.args = [\"sleep\", \"1000\"] | .linux.cgroupsPath = \"$TEST_CGROUP_PARENT/c3\""
  run_bg c3 "$COVE_ROOT2"
  pid=$("$COVE" --root "$COVE_ROOT2" state c3 | jq -r .pid)
  nsenter -t "$pid" -n ip -o -4 addr show eth0 | grep -q " $sub.3/24 "
  run "$COVE" --root "$COVE_ROOT2" delete -f c2
  assert_success
  ! ip link show "$veth2" 2>/dev/null
}

@test "podman: container checkpoint --export, then restore --import under a new name, with cove as the runtime" {
  requires root criu podman
  engines_setup
  local id2 pid
  # the wrapper also notes how podman and conmon call the runtime
  printf '#!/bin/sh\necho "$*" >>%q\nexec %q --root %q "$@"\n' "$ENG_TMP/calls" "$ENGINE_RUNTIME" "$ENG_STATE" \
    >"$ENG_RUNTIME_WRAPPER"
  pod run -d --name c1 "$ENGINE_IMAGE" sh -c "$(cat "$BUNDLE/rootfs/stepper.sh")"
  pod_wait_status c1 running
  # one step in one exec (podman is slow under emulation): bounded by the exec's timeout
  pstep() {
    pod exec "$1" sh -c 'touch /tmp/go; while [ -e /tmp/go ]; do sleep 0.05; done; cat /tmp/count'
  }
  [ "$(pstep c1)" = 1 ]
  run pod container checkpoint --export "$TEST_TMP/c1.tar.gz" c1
  assert_success
  [ -s "$TEST_TMP/c1.tar.gz" ]
  pod_wait_status c1 exited
  run pod container restore --import "$TEST_TMP/c1.tar.gz" --name c2
  assert_success
  pod_wait_status c2 running
  [ "$(pstep c2)" = 2 ]
  # its stdout is conmon's new pipe (descriptors.json's pipe mapped to cove's fd 1)
  run pod logs c2
  assert_output --partial "count 2"
  grep -E '^checkpoint ' "$ENG_TMP/calls" | sed 's/^/# /' >&3
  grep -E '^restore ' "$ENG_TMP/calls" | sed 's/^/# /' >&3
  grep -qE '^restore .*--detach.*--image-path ' "$ENG_TMP/calls"
  # cove's own view of the restored container agrees with podman's
  id2=$(pod inspect -f '{{.Id}}' c2)
  pid=$(pod inspect -f '{{.State.Pid}}' c2)
  run engine_runtime state "$id2"
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r .pid <<<"$output")" = "$pid" ]
  run pod rm -f c2
  assert_success
}

@test "restore --empty-ns network: cove sets the container's networking up afresh, with the same address" {
  requires root criu
  local pid veth1 veth2
  make_bridge
  update_config ".annotations = {\"run.cove.net.bridge\": \"$CR_BRIDGE\", \"run.cove.net.address\": \"auto\",
    \"run.cove.net.gateway\": \"$CR_SUB.1/24\"}"
  run_bg c1
  [ "$(step)" = 1 ]
  veth1=$(ip -o link show master "$CR_BRIDGE" | awk -F': ' '{print $2}' | sed 's/@.*//')
  [ -n "$veth1" ]
  cr cove checkpoint --empty-ns network --image-path "$IMG" c1
  assert_success
  run -1 ip link show "$veth1"
  assert_output --partial "does not exist"
  cr cove restore --empty-ns network -d -b "$BUNDLE" --image-path "$IMG" c1
  assert_success
  [ "$(step)" = 2 ]
  pid=$(cove state c1 | jq -r .pid)
  # lo up, eth0 with the address it had, its host end on the bridge: the host reaches it
  nsenter -t "$pid" -n ip -o link show lo | grep -q "[<,]UP[,>]"
  nsenter -t "$pid" -n ip -o -4 addr show eth0 | grep -q " $CR_SUB.2/24 "
  veth2=$(ip -o link show master "$CR_BRIDGE" | awk -F': ' '{print $2}' | sed 's/@.*//')
  [ -n "$veth2" ]
  ping -c 1 -W 10 "$CR_SUB.2"
  cove delete -f c1
  ! ip link show "$veth2" 2>/dev/null
}

@test "checkpoint --lazy-pages with a page server, restore --lazy-pages from criu lazy-pages" {
  requires root criu
  [ "$("$COVE" features | jq -r '.annotations["run.cove.checkpoint.lazy-pages"]')" = true ] ||
    skip "CRIU has no lazy pages on this kernel (features: run.cove.checkpoint.lazy-pages)"
  local port=$((27000 + BATS_TEST_NUMBER)) b2 cpt lp sfd st
  run_bg c1
  [ "$(step)" = 1 ]
  [ "$(step)" = 2 ]
  mkfifo "$TEST_TMP/status"
  exec {sfd}<>"$TEST_TMP/status"
  cove checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd "$sfd" --image-path "$IMG" \
    --work-path "$TEST_TMP/work" c1 >"$TEST_TMP/cpt.out" 2>&1 &
  cpt=$!
  # CRIU's NUL once its page server is ready (bounded)
  st=$(timeout 60 head -c1 <&"$sfd" | od -An -tx1 | tr -d ' ')
  exec {sfd}>&-
  [ "$st" = 00 ]
  criu lazy-pages --page-server --address 127.0.0.1 --port "$port" -D "$IMG" >"$TEST_TMP/lp.out" 2>&1 &
  lp=$!
  b2=$(bundle2 b2)
  cr "$COVE" --root "$COVE_ROOT2" restore --lazy-pages -d -b "$b2" --image-path "$IMG" c2
  assert_success
  wait "$cpt" || { cat "$TEST_TMP/cpt.out" >&2; false; }
  timeout 60 tail --pid="$lp" -f /dev/null
  [ "$(step)" = 3 ]
  run cove list -q
  assert_output ""
}

@test "checkpoint and restore of a container on a terminal: the restored pty goes to --console-socket" {
  requires root criu
  update_config '.process.terminal = true | .process.args = ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; read l; echo got:$l"]'
  local i
  "$COVE_TEST_HELPER" recvtty "$TEST_TMP/tty1.sock" >"$TEST_TMP/tty1.out" 2>&1 &
  for ((i = 0; i < 200; i++)); do [ -e "$TEST_TMP/tty1.sock.ready" ] && break; sleep 0.01; done
  cove run -d -b "$BUNDLE" --console-socket "$TEST_TMP/tty1.sock" c1
  cr cove checkpoint --image-path "$IMG" c1
  assert_success
  "$COVE_TEST_HELPER" recvtty "$TEST_TMP/tty2.sock" $'hello\n' >"$TEST_TMP/tty2.out" 2>&1 &
  local recv=$!
  for ((i = 0; i < 200; i++)); do [ -e "$TEST_TMP/tty2.sock.ready" ] && break; sleep 0.01; done
  cr cove restore -d -b "$BUNDLE" --console-socket "$TEST_TMP/tty2.sock" --image-path "$IMG" c1
  assert_success
  touch "$BUNDLE/rootfs/tmp/go"
  timeout 60 tail --pid="$recv" -f /dev/null
  grep -q "got:hello" "$TEST_TMP/tty2.out"
}
