#!/usr/bin/env bats
# systemd_user.bats: a rootless `cove --systemd-cgroup` under systemd as PID 1 (the systemd VM
# lane, `make check-systemd`; skipped elsewhere): cove asks the user's own manager
# (user@UID.service, over $XDG_RUNTIME_DIR/systemd/private) for the container's scope, as runc
# does rootless.  setup_file makes a user of its own (useradd), lingers it (`loginctl
# enable-linger`: logind starts user@UID.service and /run/user/UID) and waits for its manager to
# run; teardown_file stops it, drops the linger and removes the user.  Each test runs cove as
# that user from inside its manager's tree (`systemd-run --user --pipe --wait`, as a login
# session's services run) on a bundle of the user's own `cove spec --rootless`.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
  [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] || return 0
  export SU_USER=cove-sdu-$$ SU_OTHER=cove-sdo-$$
  useradd -m -s /bin/sh "$SU_USER"
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
