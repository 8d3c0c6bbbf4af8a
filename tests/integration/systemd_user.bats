#!/usr/bin/env bats
# systemd_user.bats: a rootless `cove --systemd-cgroup` under systemd as PID 1 (the systemd VM
# lane, `make check-systemd`; skipped elsewhere): cove asks the user's own manager
# (user@UID.service, over $XDG_RUNTIME_DIR/systemd/private) for the container's scope, as runc
# does rootless.  setup_file makes a user of its own (useradd), lingers it (`loginctl
# enable-linger`: logind starts user@UID.service and /run/user/UID) and waits for its manager to
# run; teardown_file stops it, drops the linger and removes the user.  Each test runs cove as
# that user from inside its manager's tree (`systemd-run --user --pipe --wait`, as a login
# session's services run) on a bundle of the user's own `cove spec --rootless`.  The podman tests
# run the user's rootless podman (podman's default on a systemd host, cgroup_manager = "systemd")
# with cove as its runtime, on a store of the test's own.

bats_require_minimum_version 1.5.0

load helpers
load ../engines/podman

setup_file() {
  [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] || return 0
  export SU_USER=cove-sdu-$$ SU_OTHER=cove-sdo-$$
  # no subordinate ids: the guest has no newuidmap (uidmap), without which podman refuses a user
  # who has some ("command required for rootless mode with multiple IDs"); with none it maps the
  # user alone, as `cove spec --rootless` does
  useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$SU_USER"
  useradd -m -s /bin/sh "$SU_OTHER"
  export SU_UID SU_GID SU_HOME SU_XDG SU_MGR
  SU_UID=$(id -u "$SU_USER")
  SU_GID=$(id -g "$SU_USER")
  SU_HOME=$(getent passwd "$SU_USER" | cut -d: -f6)
  SU_XDG=/run/user/$SU_UID
  SU_MGR=/sys/fs/cgroup/user.slice/user-$SU_UID.slice/user@$SU_UID.service
  timeout 60 loginctl enable-linger "$SU_USER"
  # logind starts the manager for the linger; `systemctl start` joins that job and returns once
  # the manager reported ready (its private socket is made before that)
  timeout 120 systemctl start "user@$SU_UID.service"
}

teardown_file() {
  [ -n "${SU_USER:-}" ] || return 0
  loginctl disable-linger "$SU_USER" 2>/dev/null || true
  systemctl stop "user@$SU_UID.service" "user-runtime-dir@$SU_UID.service" 2>/dev/null || true
  userdel -r "$SU_USER" 2>/dev/null || true
  userdel -r "$SU_OTHER" 2>/dev/null || true
  # rootless podman's container locks (shared memory, per user)
  rm -f "/dev/shm/libpod_rootless_lock_$SU_UID"
}

setup() {
  requires root systemd
  build_rootfs_cache
  TEST_TMP=$(mktemp -d /tmp/cove-sdu.XXXXXX)
  chmod 755 "$TEST_TMP"
  BUNDLE=$TEST_TMP/bundle
  SU_ROOT=$SU_XDG/cove
  mkdir -p "$BUNDLE"
  chown "$SU_UID:$SU_GID" "$BUNDLE"
  cp -al "$ROOTFS_CACHE" "$BUNDLE/rootfs" 2>/dev/null || cp -a "$ROOTFS_CACHE" "$BUNDLE/rootfs"
  as_su "$COVE" spec --rootless -b "$BUNDLE"
  # no cgroup namespace: the container's /proc/self/cgroup shows the host's path of its cgroup
  update_config '.process.terminal = false | .process.args = ["/bin/cove-test-helper", "sleep-forever"]
    | .linux.namespaces -= [{type: "cgroup"}]'
  ID=c$BATS_TEST_NUMBER
  UNIT=cove-$ID.scope
  CG=$SU_MGR/user.slice/$UNIT
}

teardown() {
  local id
  if [ -n "${USER_PODMAN+x}" ]; then podman_teardown; fi
  if [ -n "${SU_ROOT:-}" ] && [ -d "$SU_ROOT" ]; then
    for id in $(su_cove list -q 2>/dev/null); do su_cove delete -f "$id" >/dev/null 2>&1 || true; done
  fi
  if [ -n "${UNIT:-}" ]; then
    su_systemctl stop "$UNIT" >/dev/null 2>&1 || true
    su_systemctl reset-failed "$UNIT" >/dev/null 2>&1 || true
  fi
  if [ -n "${TEST_TMP:-}" ]; then rm -rf "$TEST_TMP"; fi
}

# as_su CMD...: CMD as the test's user, with the environment a login gives it
as_su() {
  setpriv --reuid="$SU_UID" --regid="$SU_GID" --init-groups \
    env -i HOME="$SU_HOME" USER="$SU_USER" LOGNAME="$SU_USER" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    XDG_RUNTIME_DIR="$SU_XDG" "$@"
}

# su_cove ARGS...: cove as the user, run by the user's manager (a service of its own below
# user@UID.service, as a session's programs run), stdout and stderr through, its exit status back
su_cove() {
  as_su systemd-run --user --quiet --pipe --wait --collect -p StandardInput=null \
    "$COVE" --root "$SU_ROOT" --systemd-cgroup "$@"
}

su_systemctl() {
  as_su systemctl --user "$@"
}

# su_run_d ID: `run -d` as the user; its output in $TEST_TMP/ID.out, and in $output (the
# detached init keeps the stdio it was given: never a pipe a command substitution waits on)
su_run_d() {
  local rc=0
  su_cove run -d -b "$BUNDLE" "$1" </dev/null >"$TEST_TMP/$1.out" 2>&1 3>&- || rc=$?
  output=$(cat "$TEST_TMP/$1.out")
  return "$rc"
}

prop() {
  su_systemctl show -P "$1" "$UNIT"
}

# ---- rootless podman, with its systemd cgroup manager ----

# su_podman ARGS...: rootless podman (user_podman_setup: the test's store, cove as its runtime)
# as the user, in a scope of the user's manager (`systemd-run --user --scope`, as a desktop
# session's programs run; the manager asks PID 1 to move the caller out of root's cgroup): podman
# finds the manager's session bus ($XDG_RUNTIME_DIR/bus, dbus-user-session) and keeps
# cgroup_manager = "systemd".  Not a service as su_cove's: podman run as a service ($INVOCATION_ID
# set) leaves conmon in the service's cgroup, so the service's end would stop the container.
su_podman() {
  as_su systemd-run --user --scope --quiet "${USER_PODMAN[@]}" "$@"
}

# podman_teardown: the test's pods and containers removed by podman, then what podman leaves in
# the user's manager: the containers' and conmons' scopes, the pods' slices, its pause process's
# scope
podman_teardown() {
  local units=('libpod-*.scope' 'user-libpod_pod_*.slice' 'podman-pause-*.scope')
  su_podman pod rm -f -a -t 0 >/dev/null 2>&1 || true
  su_podman rm -f -a -t 0 >/dev/null 2>&1 || true
  if [ -n "${PODMAN_FG:-}" ]; then kill "$PODMAN_FG" 2>/dev/null || true; fi
  su_systemctl stop "${units[@]}" >/dev/null 2>&1 || true
  su_systemctl reset-failed "${units[@]}" >/dev/null 2>&1 || true
}

# wait_file FILE PID: a bounded wait (60 s: podman is slow under emulation) for FILE to be
# non-empty while PID runs
wait_file() {
  local i
  for ((i = 0; i < 1200; i++)); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  [ -s "$1" ] || { echo "no $1 (pid $2 $(kill -0 "$2" 2>/dev/null && echo runs || echo ended))" >&2; return 1; }
}

@test "systemd user manager: rootless --systemd-cgroup runs the container in a scope of user@UID.service, limits applied, and delete stops it" {
  update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 32}}'
  su_run_d "$ID"
  # runc's default for a user: user.slice:cove:ID, the unit cove-ID.scope of the user's manager
  [ "$(prop ActiveState)" = active ]
  [ "$(prop Delegate)" = yes ]
  [ "$(prop Slice)" = user.slice ]
  [ "$(prop ControlGroup)" = "${CG#/sys/fs/cgroup}" ]
  [ "$(prop MemoryMax)" = 67108864 ]
  [ "$(prop TasksMax)" = 32 ]
  # inside: the container's own processes are in the scope
  run su_cove exec "$ID" cat /proc/self/cgroup
  assert_success
  assert_output "0::${CG#/sys/fs/cgroup}"
  # outside: the files, and the init in cgroup.procs
  [ "$(cat "$CG/memory.max")" = 67108864 ]
  [ "$(cat "$CG/pids.max")" = 32 ]
  pid=$(su_cove state "$ID" | jq .pid)
  grep -qx "$pid" "$CG/cgroup.procs"
  # the cgroup verbs work on the unit's cgroup
  run su_cove ps "$ID"
  assert_success
  assert_output --partial "$pid"
  run su_cove pause "$ID"
  assert_success
  grep -qx "frozen 1" "$CG/cgroup.events"
  run su_cove resume "$ID"
  assert_success
  grep -qx "frozen 0" "$CG/cgroup.events"
  run su_cove update --memory 134217728 --pids-limit 64 "$ID"
  assert_success
  [ "$(cat "$CG/memory.max")" = 134217728 ]
  [ "$(cat "$CG/pids.max")" = 64 ]
  [ "$(prop MemoryMax)" = 134217728 ]
  [ "$(prop TasksMax)" = 64 ]
  run su_cove kill "$ID" KILL
  assert_success
  run su_cove delete "$ID"
  assert_success
  [ "$(prop LoadState)" = not-found ]
  [ ! -e "$CG" ]
  run su_cove list -q
  assert_output ""
}

@test "systemd user manager: a limit on a controller not delegated to user@UID.service is one line naming it, nothing left" {
  # the guest's user@.service delegates what its Delegate= names: cpuset is not among them
  grep -qw cpuset /sys/fs/cgroup/cgroup.controllers
  run ! grep -qw cpuset "$SU_MGR/cgroup.controllers"
  update_config '.linux.resources = {cpu: {cpus: "0"}}'
  if su_run_d "$ID"; then
    echo "run -d with cpu.cpus succeeded" >&2
    return 1
  fi
  assert_output "cove: run $ID: rootless: linux.resources.cpu.cpus needs the cpuset controller, which is not delegated to the systemd user manager ($SU_MGR/cgroup.controllers has: $(cat "$SU_MGR/cgroup.controllers")): its Delegate= (user@.service) must name it"
  [ "$(prop LoadState)" = not-found ]
  [ ! -e "$CG" ]
  run su_cove list -q
  assert_output ""
  # the same config without the limit runs
  update_config 'del(.linux.resources.cpu)'
  su_run_d "$ID"
  [ "$(prop ActiveState)" = active ]
}

@test "systemd user manager: a create killed once the scope exists leaves what delete -f removes: no unit, no directory" {
  run as_su "$COVE_TEST_HELPER" kill-at "$CG" "$COVE" --root "$SU_ROOT" --systemd-cgroup run -d -b "$BUNDLE" "$ID"
  [ "${lines[-1]}" = killed ]
  run su_cove delete -f "$ID"
  assert_success
  [ ! -e "$SU_ROOT/$ID" ]
  [ "$(prop LoadState)" = not-found ]
  [ ! -e "$CG" ]
}

@test "systemd user manager: a user without one (no linger, no session) gets one line naming XDG_RUNTIME_DIR and loginctl enable-linger" {
  local uid gid xdg
  uid=$(id -u "$SU_OTHER")
  gid=$(id -g "$SU_OTHER")
  xdg=$TEST_TMP/run-$uid
  mkdir -m 0700 "$xdg"
  chown "$uid:$gid" "$xdg"
  update_config ".linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}]
    | .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}]"
  chown "$uid:$gid" "$BUNDLE" "$BUNDLE/config.json"
  run setpriv --reuid="$uid" --regid="$gid" --init-groups env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$xdg" \
    "$COVE" --systemd-cgroup run -d -b "$BUNDLE" "$ID"
  assert_failure
  assert_output "cove: run $ID: cgroup: --systemd-cgroup: rootless: no systemd user manager to ask for the container's scope: no $xdg/systemd/private and no session bus (DBUS_SESSION_BUS_ADDRESS unset, no $xdg/bus) (XDG_RUNTIME_DIR=$xdg): the user's manager, user@$uid.service, runs during a login session or with \`loginctl enable-linger\`"
  [ ! -e "$xdg/cove/$ID" ]
}

# su_podman_image: the user's podman of the test's own (systemd cgroup manager, in
# $TEST_TMP/podman) with the test image imported as localhost/cove-sdu
su_podman_image() {
  PODMAN_DIR=$TEST_TMP/podman
  user_podman_setup "$PODMAN_DIR" "$SU_UID" "$SU_GID" systemd
  run su_podman import "$PODMAN_DIR/image.tar" localhost/cove-sdu
  assert_success
}

# assert_podman_gone UNIT CGROUP: after podman's rm, no unit, no cgroup directory, no cove record
assert_podman_gone() {
  assert_equal "$(su_systemctl show -P LoadState "$1")" not-found
  [ ! -e "$2" ]
  run as_su "$COVE" --root "$SU_ROOT" list -q
  assert_success
  assert_output ""
}

@test "systemd user manager: rootless podman with cgroup_manager = systemd drives cove: the container is user.slice/libpod-ID.scope of user@UID.service with podman's memory, pids and cpu limits, its exit status comes back" {
  requires podman
  su_podman_image
  # podman kept its systemd manager (without a session bus it falls back to cgroupfs)
  run su_podman info -f '{{.Host.CgroupManager}}'
  assert_success
  assert_output systemd
  mkdir -m 0755 "$TEST_TMP/sync"
  chown "$SU_UID:$SU_GID" "$TEST_TMP/sync"
  # the host's cgroup namespace: the container's /proc/self/cgroup is the host's path; it waits
  # for the test to have looked from outside, then exits 7.  podman's user namespace maps root
  # to the user alone (no subordinate ids)
  su_podman run --name fg --cgroupns host --memory 64m --pids-limit 32 --cpus 0.5 -v "$TEST_TMP/sync:/sync" localhost/cove-sdu \
    sh -c 'tr -s " " </proc/self/uid_map >/sync/uid_map; cat /proc/self/cgroup >/sync/cg.tmp && mv /sync/cg.tmp /sync/cgroup
      while [ ! -e /sync/go ]; do sleep 0.05; done; exit 7' \
    </dev/null >"$TEST_TMP/fg.out" 2>&1 3>&- &
  PODMAN_FG=$!
  wait_file "$TEST_TMP/sync/cgroup" "$PODMAN_FG" || { cat "$TEST_TMP/fg.out" >&2; return 1; }
  local id unit cg
  id=$(su_podman inspect -f '{{.Id}}' fg)
  unit=libpod-$id.scope
  cg=$SU_MGR/user.slice/$unit
  # runc's rule for podman's user.slice:libpod:ID: the scope libpod-ID.scope in the user
  # manager's user.slice, delegated, with podman's limits as its properties and in its files
  assert_equal "$(cat "$TEST_TMP/sync/cgroup")" "0::${cg#/sys/fs/cgroup}"
  assert_equal "$(cat "$TEST_TMP/sync/uid_map")" " 0 $SU_UID 1"
  assert_equal "$(su_systemctl show -P ActiveState "$unit")" active
  assert_equal "$(su_systemctl show -P Delegate "$unit")" yes
  assert_equal "$(su_systemctl show -P ControlGroup "$unit")" "${cg#/sys/fs/cgroup}"
  assert_equal "$(su_systemctl show -P MemoryMax "$unit")" 67108864
  assert_equal "$(su_systemctl show -P TasksMax "$unit")" 32
  assert_equal "$(su_systemctl show -P CPUQuotaPerSecUSec "$unit")" 500ms
  assert_equal "$(cat "$cg/memory.max")" 67108864
  assert_equal "$(cat "$cg/pids.max")" 32
  assert_equal "$(cat "$cg/cpu.max")" "50000 100000"
  # podman's swap is memory + swap (docker's rule: twice the memory): 64m of swap beside it
  assert_equal "$(su_systemctl show -P MemorySwapMax "$unit")" 67108864
  assert_equal "$(cat "$cg/memory.swap.max")" 67108864
  touch "$TEST_TMP/sync/go"
  local rc=0
  wait "$PODMAN_FG" || rc=$?
  PODMAN_FG=
  cat "$TEST_TMP/fg.out" >&2
  assert_equal "$rc" 7
  run su_podman inspect -f '{{.State.ExitCode}}' fg
  assert_output 7
  run su_podman rm fg
  assert_success
  assert_podman_gone "$unit" "$cg"
}

@test "systemd user manager: rootless podman with cgroup_manager = systemd: run -d, exec in the scope, pause, unpause, update, restart, stop, rm; then no unit, no cgroup, no cove state" {
  requires podman
  su_podman_image
  run su_podman run -d --name bg localhost/cove-sdu sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  assert_success
  local id unit cg pid
  id=$(su_podman inspect -f '{{.Id}}' bg)
  unit=libpod-$id.scope
  cg=$SU_MGR/user.slice/$unit
  assert_equal "$(su_systemctl show -P ActiveState "$unit")" active
  # cove's own record, in the user's runtime dir: podman gives the runtime no --root, only
  # XDG_RUNTIME_DIR, and runs it as root of its user namespace
  run as_su "$COVE" --root "$SU_ROOT" state "$id"
  assert_success
  assert_equal "$(jq -r .status <<<"$output")" running
  pid=$(jq .pid <<<"$output")
  grep -qx "$pid" "$cg/cgroup.procs"
  # exec joins the scope: the container's cgroup namespace is rooted there (cgroup v2's default
  # for podman), so a process in any other cgroup would see a path other than /
  run su_podman exec bg sh -c 'echo in-$(id -u) $(cat /proc/self/cgroup)'
  assert_success
  assert_output "in-0 0::/"
  # podman runs pause, unpause and update without --systemd-cgroup: cove's record names the unit
  run su_podman pause bg
  assert_success
  grep -qx "frozen 1" "$cg/cgroup.events"
  run su_podman unpause bg
  assert_success
  grep -qx "frozen 0" "$cg/cgroup.events"
  run su_podman update --memory 128m bg
  assert_success
  assert_equal "$(cat "$cg/memory.max")" 134217728
  assert_equal "$(su_systemctl show -P MemoryMax "$unit")" 134217728
  # inside, the cgroup namespace's root is the scope: its cgroup2 mount shows the new limit
  run su_podman exec bg cat /sys/fs/cgroup/memory.max
  assert_success
  assert_output 134217728
  # restart: stop, cleanup (cove delete stops the unit), then a new create of the same ID gets a
  # unit of the same name
  run su_podman restart -t 10 bg
  assert_success
  assert_equal "$(su_systemctl show -P ActiveState "$unit")" active
  run as_su "$COVE" --root "$SU_ROOT" state "$id"
  assert_success
  assert_equal "$(jq -r .status <<<"$output")" running
  [ "$(jq .pid <<<"$output")" != "$pid" ]
  grep -qx "$(jq .pid <<<"$output")" "$cg/cgroup.procs"
  run su_podman stop -t 10 bg
  assert_success
  run su_podman inspect -f '{{.State.ExitCode}}' bg
  assert_output 0
  run su_podman rm bg
  assert_success
  assert_podman_gone "$unit" "$cg"
}

@test "systemd user manager: rootless podman with cgroup_manager = systemd: a pod's container is a scope in the pod's slice of user@UID.service; pod rm leaves no unit, no cgroup, no cove state" {
  requires podman
  su_podman_image
  # the infra container from the test's image (podman builds its own from catatonit, which the
  # guest lacks); without one podman gives the pod no cgroup of its own
  run su_podman pod create --name p1 --infra-image localhost/cove-sdu \
    --infra-command '/bin/cove-test-helper sleep-forever'
  assert_success
  local pod ctr slice unit cg
  pod=$(su_podman pod inspect -f '{{.Id}}' p1)
  slice=user-libpod_pod_$pod.slice
  run su_podman run -d --pod p1 --name c1 --memory 64m localhost/cove-sdu /bin/cove-test-helper sleep-forever
  assert_success
  ctr=$(su_podman inspect -f '{{.Id}}' c1)
  # podman's cgroupsPath for it is user-libpod_pod_POD.slice:libpod:ID: the scope is in that slice
  unit=libpod-$ctr.scope
  cg=$SU_MGR/user.slice/$slice/$unit
  assert_equal "$(su_systemctl show -P ActiveState "$unit")" active
  assert_equal "$(su_systemctl show -P Slice "$unit")" "$slice"
  assert_equal "$(su_systemctl show -P ControlGroup "$unit")" "${cg#/sys/fs/cgroup}"
  assert_equal "$(cat "$cg/memory.max")" 67108864
  grep -qx "$(as_su "$COVE" --root "$SU_ROOT" state "$ctr" | jq .pid)" "$cg/cgroup.procs"
  run su_podman pod rm -f -t 0 p1
  assert_success
  assert_podman_gone "$unit" "$cg"
}
