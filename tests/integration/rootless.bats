#!/usr/bin/env bats
# rootless.bats: cove run by an unprivileged user.  setup_file makes two users of the file's own
# (useradd; removed with userdel -r in teardown_file): $RL_USER with subordinate uid and gid
# ranges the test adds (usermod --add-subuids) and removes, and $RL_NOSUB with none.  Each test
# runs cove as that user (setpriv), with XDG_RUNTIME_DIR a 0700 dir of the user's in the test's
# temp dir, on a bundle whose config is the user's own `cove spec --rootless`.  Where it helps,
# runc (rootless as well) runs the same bundle side by side.
#
# The tests that need a delegated cgroup v2 subtree say `requires cgroups_v2` and run in the v2
# guest (make check-v2): there the user is a bare uid (the guest has no useradd), and the test
# chowns a cgroup of its own to it, as systemd's Delegate= does for user@.service.

bats_require_minimum_version 1.5.0

load helpers

# locked CMD...: CMD (useradd, usermod, userdel), again while another run holds the shadow
# files' lock (several suites may make their users at once); bounded
locked() {
  local i
  for ((i = 0; i < 100; i++)); do
    "$@" 2>"$BATS_FILE_TMPDIR/locked.err" && return 0
    grep -q "lock" "$BATS_FILE_TMPDIR/locked.err" || { cat "$BATS_FILE_TMPDIR/locked.err" >&2; return 1; }
    sleep 0.1
  done
  cat "$BATS_FILE_TMPDIR/locked.err" >&2
  return 1
}

# host_devs: the host's device nodes a rootless container binds (or a test names), as stat sees
# them: no test here may change one (a host's /dev/null was once seen 0644 on this machine)
host_devs() {
  local d
  for d in /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/net/tun /dev/kmsg; do
    [ -e "$d" ] && stat -c '%n %F %i %a %u:%g %t:%T' "$d"
  done
}

setup_file() {
  export RL_HOST_DEVS
  RL_HOST_DEVS=$(host_devs)
  [ "$(id -u)" -eq 0 ] || return 0
  export RL_USER="" RL_NOSUB="" RL_SUB_START=$((1000000 + ($$ % 4096) * 65536)) RL_SUB_COUNT=65536
  if command -v useradd >/dev/null; then
    # users an earlier run left when it was killed before its teardown_file (the name carries
    # the pid of the run that made it: one whose run is gone is stale)
    local u
    for u in $(getent passwd | grep -oE '^cove-rln?-[0-9]+' || true); do
      [ -e "/proc/${u##*-}" ] && continue
      pkill -9 -U "$u" 2>/dev/null || true
      locked userdel -r "$u" 2>/dev/null || true
    done
    export RL_USER=cove-rl-$$ RL_NOSUB=cove-rln-$$
    # no automatic ranges (login.defs' SUB_UID_COUNT): the test adds exactly its own
    locked useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -s /bin/sh "$RL_USER"
    locked useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -s /bin/sh "$RL_NOSUB"
    locked usermod --add-subuids "$RL_SUB_START-$((RL_SUB_START + RL_SUB_COUNT - 1))" \
      --add-subgids "$RL_SUB_START-$((RL_SUB_START + RL_SUB_COUNT - 1))" "$RL_USER"
    export RL_UID RL_GID RL_HOME
    RL_UID=$(id -u "$RL_USER")
    RL_GID=$(id -g "$RL_USER")
    RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
  else
    # the v2 guest: a bare uid (no passwd entry), enough for one-id maps
    export RL_UID=$((40000 + $$ % 10000)) RL_GID=$((40000 + $$ % 10000)) RL_HOME=""
  fi
}

teardown_file() {
  [ "$(id -u)" -eq 0 ] || return 0
  if [ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1; then
    locked usermod --del-subuids "$RL_SUB_START-$((RL_SUB_START + RL_SUB_COUNT - 1))" \
      --del-subgids "$RL_SUB_START-$((RL_SUB_START + RL_SUB_COUNT - 1))" "$RL_USER" 2>/dev/null || true
    pkill -9 -U "$RL_UID" 2>/dev/null || true
    locked userdel -r "$RL_USER" 2>/dev/null || true
  fi
  if [ -n "${RL_NOSUB:-}" ] && id "$RL_NOSUB" >/dev/null 2>&1; then
    pkill -9 -U "$(id -u "$RL_NOSUB")" 2>/dev/null || true
    locked userdel -r "$RL_NOSUB" 2>/dev/null || true
  fi
}

setup() {
  requires root
  build_rootfs_cache
  TEST_TMP=$(mktemp -d /tmp/cove-rootless.XXXXXX)
  chmod 755 "$TEST_TMP"
  RL_XDG=$TEST_TMP/run
  BUNDLE=$TEST_TMP/bundle
  COVE_ROOT=$RL_XDG/cove
  mkdir -p "$RL_XDG" "$BUNDLE"
  chmod 0700 "$RL_XDG"
  chown "$RL_UID:$RL_GID" "$RL_XDG" "$BUNDLE"
  # root's files, readable by all: the container's root (the user) reads them
  cp -al "$ROOTFS_CACHE" "$BUNDLE/rootfs" 2>/dev/null || cp -a "$ROOTFS_CACHE" "$BUNDLE/rootfs"
  as_user "$COVE" spec --rootless -b "$BUNDLE"
  update_config '.process.terminal = false | .process.args = ["true"]'
}

teardown() {
  local id
  if [ -n "${RL_XDG:-}" ] && [ -d "$RL_XDG/cove" ]; then
    for id in $(rl_cove list -q 2>/dev/null); do rl_cove delete -f "$id" >/dev/null 2>&1 || true; done
  fi
  if [ -n "${RL_XDG:-}" ] && [ -d "$RL_XDG/runc" ]; then
    for id in $(as_user runc --root "$RL_XDG/runc" list -q 2>/dev/null); do
      as_user runc --root "$RL_XDG/runc" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  # what the user left running (podman's pause process), not the file's users themselves
  [ -n "${RL_UID:-}" ] && pkill -9 -U "$RL_UID" 2>/dev/null || true
  remove_test_cgroups
  if [ -n "${RL_DELEG:-}" ] && [ -d "$RL_DELEG" ]; then
    find "$RL_DELEG" -depth -type d | while read -r d; do
      while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$d/cgroup.procs"
      rmdir "$d" 2>/dev/null || { sleep 0.05; rmdir "$d" 2>/dev/null || true; }
    done
  fi
  [ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
  # last, once all is cleaned up: the host's device nodes are as setup_file found them
  local now
  now=$(host_devs)
  if [ "$now" != "$RL_HOST_DEVS" ]; then
    echo "the host's device nodes changed: was" >&2
    echo "$RL_HOST_DEVS" >&2
    echo "now" >&2
    echo "$now" >&2
    return 1
  fi
}

# as_user CMD...: CMD as the test's user, with only the environment a login would give it
as_user() {
  local groups=--clear-groups
  [ -n "${RL_USER:-}" ] && groups=--init-groups
  setpriv --reuid="$RL_UID" --regid="$RL_GID" "$groups" \
    env -i HOME="${RL_HOME:-/}" USER="${RL_USER:-$RL_UID}" LOGNAME="${RL_USER:-$RL_UID}" \
    PATH="${RL_PATH:-/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin}" XDG_RUNTIME_DIR="$RL_XDG" "$@"
}

# rl_cove ARGS...: the user's cove, with its default state root
rl_cove() {
  as_user /usr/bin/timeout -s KILL 60 "$COVE" "$@"
}

rl_runc() {
  as_user /usr/bin/timeout -s KILL 60 runc --root "$RL_XDG/runc" "$@"
}

requires_user() {
  [ -n "${RL_USER:-}" ] || skip "needs useradd (a named user with subordinate ranges)"
}

# wait_rl_state ID STATUS: as wait_for_state, through the user's cove
wait_rl_state() {
  wait_state_via rl_cove "$@"
}

# rl_start ID: run the bundle detached as the user and wait until it runs
rl_start() {
  rl_cove run -d -b "$BUNDLE" "$1" </dev/null >"$TEST_TMP/$1.out" 2>&1 3>&-
  wait_rl_state "$1" running
}

# wait_lines FILE N: until the detached container has written N lines to FILE (bounded)
wait_lines() {
  local i
  for ((i = 0; i < 200; i++)); do
    [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.02
  done
  echo "$1: fewer than $2 lines:" >&2
  cat "$1" >&2
  return 1
}

# field_of PID FIELD: a field of /proc/PID/status seen from the host ("Uid" gives the real uid)
status_field() {
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

# gone PID: the process has exited (a zombie its new parent has not reaped yet counts)
gone() {
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] || [ ! -e "/proc/$1" ]
}

# ---- state root, detection ----

@test "rootless: the state root is \$XDG_RUNTIME_DIR/cove, 0700 and the user's, with the seccomp cache in it" {
  update_config '.process.args = ["sleep", "1000"]'
  rl_start c1
  # sticky, as runc's: the session's cleaner leaves it alone
  [ "$(stat -c '%a %u' "$RL_XDG/cove")" = "1700 $RL_UID" ]
  [ "$(stat -c %u "$RL_XDG/cove/c1")" = "$RL_UID" ]
  # the default spec has a seccomp profile: its compiled filter is cached in the user's root
  [ -n "$(find "$RL_XDG/cove/.cove" -type f -user "$RL_UID")" ]
  [ -z "$(find "$RL_XDG/cove/.cove" ! -user "$RL_UID")" ]
  # without XDG_RUNTIME_DIR, /run/cove (as runc's /run/runc), refused in one line
  run setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i PATH=/usr/bin:/bin "$COVE" run -b "$BUNDLE" c2
  assert_failure
  assert_line --partial "cove: run c2: create state root \`/run/cove\`"
  assert_output --partial "Permission denied"
}

@test "rootless: run as the user: root in the container, the user on the host, a one-id map written directly" {
  update_config '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; exec sleep 1000"]'
  rl_start c1
  local pid
  pid=$(rl_cove state c1 | jq -r .pid)
  [ "$(status_field "$pid" Uid)" = "$RL_UID" ]
  [ "$(status_field "$pid" Gid)" = "$RL_GID" ]
  [ "$(stat -L -c %i /proc/"$pid"/ns/user)" != "$(stat -L -c %i /proc/self/ns/user)" ]
  wait_lines "$TEST_TMP/c1.out" 3
  run cat "$TEST_TMP/c1.out"
  assert_line --index 0 --regexp "^ +0 +$RL_UID +1$"
  assert_line --index 1 --regexp "^ +0 +$RL_GID +1$"
  assert_line --index 2 0
  # setgroups is denied: the kernel's condition for a gid_map its user wrote
  [ "$(cat /proc/"$pid"/setgroups)" = deny ]
}

@test "rootless: --rootless auto is rootless for the user and for root of a user namespace; false is not" {
  # the user cannot create a cgroup on this host: auto goes on without one, false fails on it
  if [ "$(cgroup_mode)" = unified ] && as_user test -w "/sys/fs/cgroup$(dirname "$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup)")"; then
    skip "the user's cgroup parent is writable here"
  fi
  run rl_cove --rootless auto run -b "$BUNDLE" c1
  assert_success
  run rl_cove --rootless false run -b "$BUNDLE" c2
  assert_failure
  assert_output --partial "create cgroup"
  assert_output --partial "Permission denied"
  run rl_cove list -q
  assert_output ""
  # root of a user namespace the user made (unshare -r): auto is rootless there too; the map
  # of a config written in there is of its own root
  mkdir "$TEST_TMP/inner"
  chown "$RL_UID:$RL_GID" "$TEST_TMP/inner"
  run as_user unshare -r sh -c "id -u; cd '$TEST_TMP/inner' && '$COVE' spec --rootless &&
    sed -i 's|\"path\": \"rootfs\"|\"path\": \"$BUNDLE/rootfs\"|; s|\"terminal\": true|\"terminal\": false|; s|\"sh\"|\"true\"|' config.json &&
    '$COVE' run c3 && echo ran; '$COVE' --rootless false run c4"
  assert_line --index 0 0
  assert_line ran
  assert_output --partial "create cgroup"
  # and --rootless takes nothing else
  run rl_cove --rootless maybe list
  assert_failure 2
  assert_output --partial "expected true, false or auto"
}

@test "rootless: --rootless true makes a cgroup root may not create no error (a read-only cgroupfs), as runc" {
  # a mount namespace of the test's own where every cgroup mount is read-only (EROFS)
  mkdir -p "$TEST_TMP/rootroot"
  update_config '.process.args = ["sh", "-c", "echo ran"]'
  run unshare -m --propagation private sh -c '
    for m in $(awk '"'"'$2 ~ "^/sys/fs/cgroup" {print $2}'"'"' /proc/self/mounts); do mount -o remount,bind,ro "$m"; done
    "$1" --root "$2" --rootless true run -b "$3" c1
    "$1" --root "$2" run -b "$3" c2' sh "$COVE" "$TEST_TMP/rootroot" "$BUNDLE"
  assert_line --index 0 ran
  assert_line --index 1 --partial "cove: run c2: cgroup: create cgroup"
  assert_output --partial "Read-only file system"
  run "$COVE" --root "$TEST_TMP/rootroot" list -q
  assert_output ""
  if command -v runc >/dev/null; then
    run unshare -m --propagation private sh -c '
      for m in $(awk '"'"'$2 ~ "^/sys/fs/cgroup" {print $2}'"'"' /proc/self/mounts); do mount -o remount,bind,ro "$m"; done
      runc --root "$1" --rootless true run -b "$2" r1; runc --root "$1" run -b "$2" r2' sh "$TEST_TMP/runcroot" "$BUNDLE"
    assert_line --index 0 ran
    assert_output --partial "read-only file system"
  fi
  # root with a cgroupfs it may write: the device rules are applied as ever (rootless only
  # goes on without them when they are refused)
  requires cgroups_v1
  TEST_CGROUP_PARENT=/cove-test-$$-${BATS_TEST_NUMBER:-0}
  update_config ".linux.cgroupsPath = \"$TEST_CGROUP_PARENT/c3\" | .process.args = [\"sleep\", \"1000\"]"
  "$COVE" --root "$TEST_TMP/rootroot" --rootless true run -d -b "$BUNDLE" c3 </dev/null
  run cat "/sys/fs/cgroup/devices$TEST_CGROUP_PARENT/c3/devices.list"
  assert_success
  assert_line "c 1:3 rwm"
  refute_line "a *:* rwm"
  "$COVE" --root "$TEST_TMP/rootroot" delete -f c3
}

# ---- the lifecycle ----

@test "rootless: spec --rootless round-trip: cove's and runc's rootless configs run under cove and under runc" {
  requires_user
  requires runc
  mkdir "$TEST_TMP/runc-bundle"
  cp -al "$ROOTFS_CACHE" "$TEST_TMP/runc-bundle/rootfs" 2>/dev/null || cp -a "$ROOTFS_CACHE" "$TEST_TMP/runc-bundle/rootfs"
  chown "$RL_UID:$RL_GID" "$TEST_TMP/runc-bundle"
  as_user runc spec --rootless -b "$TEST_TMP/runc-bundle"
  rm "$BUNDLE/config.json"
  as_user "$COVE" spec --rootless -b "$BUNDLE"
  local b rt n=0 out
  for b in "$BUNDLE" "$TEST_TMP/runc-bundle"; do
    # the configs as written but for the command (busybox's interactive sh waits for a terminal
    # to answer its cursor query): terminal true, script(1) gives the pty
    jq '.process.args = ["sh", "-c", "echo uid=$(id -u) map=$(tr -s \" \" </proc/self/uid_map) tty=$(tty)"]' \
      "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    for rt in "$COVE" "runc --root $RL_XDG/runc"; do
      n=$((n + 1))
      out=$(as_user timeout -s KILL 30 script -qec "$rt run -b $b r$n" /dev/null </dev/null | tr -d '\r' | sed 's/\^@//g')
      echo "$rt $b: $out"
      # (script's pty echoes the EOF of its stdin as ^@, for both: dropped above)
      grep -q "uid=0 map= 0 $RL_UID 1 tty=/dev/pts/0$" <<<"$out"
    done
  done
  run rl_cove list -q
  assert_output ""
}

@test "rootless: exec with a tty, and without one" {
  command -v script >/dev/null || skip "needs script(1) for a terminal (bsdutils)"
  update_config '.process.args = ["sleep", "1000"]'
  rl_start c1
  local out
  out=$(as_user timeout -s KILL 30 script -qec "$COVE exec -t c1 sh -c 'tty; id -u; test -t 0 && echo isatty'" /dev/null </dev/null | tr -d '\r' | sed 's/\^@//g')
  run echo "$out"
  # (script's pty echoes the EOF of its stdin as ^@ at some point: dropped above)
  assert_line --regexp '^/dev/pts/[0-9]+$'
  assert_line 0
  assert_line isatty
  run rl_cove exec c1 sh -c 'test -t 0 || echo notty; cat /proc/self/uid_map | tr -s " "'
  assert_success
  assert_line notty
  assert_line " 0 $RL_UID 1"
}

@test "rootless: kill, kill --all and delete -f, without a cgroup: the container's pid namespace" {
  update_config '.process.args = ["sh", "-c", "trap \"exit 3\" TERM; while :; do sleep 0.1; done"]'
  rl_start c1
  rl_cove kill c1 TERM
  wait_rl_state c1 stopped
  rl_cove delete c1
  [ ! -e "$RL_XDG/cove/c1" ]

  update_config '.process.args = ["sh", "-c", "sleep 1000 & sleep 1000 & exec sleep 1000"]'
  rl_start c2
  local pids
  # ps: every process of the namespace; they are the user's on the host
  for _ in $(seq 100); do [ "$(rl_cove ps --format json c2 | jq length)" -ge 3 ] && break; sleep 0.05; done
  pids=$(rl_cove ps --format json c2 | jq -r '.[]')
  [ "$(wc -w <<<"$pids")" -eq 3 ]
  for p in $pids; do [ "$(status_field "$p" Uid)" = "$RL_UID" ]; done
  rl_cove kill --all c2 KILL
  wait_rl_state c2 stopped
  for p in $pids; do gone "$p"; done
  rl_cove delete c2

  rl_start c3
  local init
  init=$(rl_cove state c3 | jq -r .pid)
  rl_cove delete -f c3
  gone "$init"
  run rl_cove list -q
  assert_output ""
}

@test "rootless: ps, state and list" {
  update_config '.process.args = ["sh", "-c", "sleep 1000 & exec sleep 1001"]'
  rl_start c1
  run rl_cove state c1
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  local pid
  pid=$(jq -r .pid <<<"$output")
  [ "$(status_field "$pid" Uid)" = "$RL_UID" ]
  run rl_cove list
  assert_success
  # (a uid without a passwd entry, as in the v2 guest, shows as #UID)
  assert_line --regexp "^c1 +$pid +running +$BUNDLE +[^ ]+ +${RL_USER:-#$RL_UID}$"
  for _ in $(seq 100); do [ "$(rl_cove ps --format json c1 | jq length)" -ge 2 ] && break; sleep 0.05; done
  run rl_cove ps c1
  assert_success
  assert_line --index 0 --regexp 'PID'
  assert_output --partial "sleep 1001"
  assert_output --partial "sleep 1000"
  refute_output --partial "bats"
}

@test "rootless: pause without a delegated cgroup is one line naming why" {
  requires cgroups_v1
  update_config '.process.args = ["sleep", "1000"]'
  rl_start c1
  run rl_cove pause c1
  assert_failure
  assert_output --partial "has no cgroup"
  [ "${#lines[@]}" -eq 1 ]
  [ "$(rl_cove state c1 | jq -r .status)" = running ]
}

# ---- user namespace maps ----

# multi_map: root is the user, 1..65536 the user's subordinate ids (podman's layout)
multi_map() {
  update_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}, {containerID: 1, hostID: $RL_SUB_START, size: $RL_SUB_COUNT}]
    | .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}, {containerID: 1, hostID: $RL_SUB_START, size: $RL_SUB_COUNT}]"
}

@test "rootless: a multi-id map goes through newuidmap and newgidmap, within the user's subordinate ranges" {
  requires_user
  command -v newuidmap >/dev/null || skip "needs newuidmap (apt-get install uidmap)"
  multi_map
  private_rootfs
  # a file of container uid 5 / gid 7 is host id START+4 / START+6
  touch "$BUNDLE/rootfs/tmp/five"
  chown "$((RL_SUB_START + 4)):$((RL_SUB_START + 6))" "$BUNDLE/rootfs/tmp/five"
  update_config '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {}
    | .process.args = ["sh", "-c", "tr -s \" \" </proc/self/uid_map; tr -s \" \" </proc/self/gid_map; stat -c %u:%g /tmp/five; id -u; exec sleep 1000"]'
  rl_start c1
  wait_lines "$TEST_TMP/c1.out" 6
  run cat "$TEST_TMP/c1.out"
  assert_line --index 0 " 0 $RL_UID 1"
  assert_line --index 1 " 1 $RL_SUB_START $RL_SUB_COUNT"
  assert_line --index 2 " 0 $RL_GID 1"
  assert_line --index 3 " 1 $RL_SUB_START $RL_SUB_COUNT"
  assert_line --index 4 "5:7"
  assert_line --index 5 1000
  local pid
  pid=$(rl_cove state c1 | jq -r .pid)
  # container uid 1000 is host uid START+999
  [ "$(status_field "$pid" Uid)" = "$((RL_SUB_START + 999))" ]
  [ "$(status_field "$pid" Gid)" = "$((RL_SUB_START + 999))" ]
  # the user still controls it: ps, exec, kill --all (the user owns the namespace)
  run rl_cove exec c1 id -u
  assert_output 1000
  rl_cove kill --all c1 KILL
  wait_rl_state c1 stopped
  # runc does the same with the same bundle
  requires runc
  # (-d: runc hands its stdio to the container, so not through `run`'s pipe)
  rl_runc run -d -b "$BUNDLE" r1 </dev/null >"$TEST_TMP/r1.out" 2>&1
  pid=$(rl_runc state r1 | jq -r .pid)
  [ "$(status_field "$pid" Uid)" = "$((RL_SUB_START + 999))" ]
}

@test "rootless: a map outside the user's ranges is refused before anything is made, naming the entry and the ranges" {
  requires_user
  command -v newuidmap >/dev/null || skip "needs newuidmap (apt-get install uidmap)"
  multi_map
  update_config ".linux.uidMappings[1].hostID = $((RL_SUB_START + 10))"
  run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial "linux.uidMappings[1] (host uids $((RL_SUB_START + 10))-$((RL_SUB_START + 10 + RL_SUB_COUNT - 1)))"
  assert_output --partial "not in the ranges /etc/subuid gives user \`$RL_USER\`"
  assert_output --partial "$RL_SUB_START-$((RL_SUB_START + RL_SUB_COUNT - 1))"
  [ "${#lines[@]}" -eq 1 ]
  [ -z "$(ls -A "$RL_XDG/cove" | grep -v '^\.cove$')" ]
  # runc fails too (newuidmap refuses), without naming the entry
  requires runc
  run rl_runc run -b "$BUNDLE" r1
  assert_failure
}

@test "rootless: a user without subordinate ranges is told so, naming /etc/subgid" {
  requires_user
  command -v newuidmap >/dev/null || skip "needs newuidmap (apt-get install uidmap)"
  local uid gid
  uid=$(id -u "$RL_NOSUB")
  gid=$(id -g "$RL_NOSUB")
  chown "$uid:$gid" "$RL_XDG" "$BUNDLE"
  update_config ".linux.uidMappings = [{containerID: 0, hostID: $uid, size: 1}]
    | .linux.gidMappings = [{containerID: 0, hostID: $gid, size: 1}, {containerID: 1, hostID: 100000, size: 10}]"
  RL_UID=$uid RL_GID=$gid RL_USER=$RL_NOSUB run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial "linux.gidMappings[1] (host gids 100000-100009) is not in the ranges /etc/subgid gives user \`$RL_NOSUB\` (uid $uid): none"
  [ "${#lines[@]}" -eq 1 ]
}

@test "rootless: without newuidmap in PATH a multi-id map is refused naming the helper" {
  requires_user
  multi_map
  RL_PATH=/nonexistent run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial "needs newuidmap (the uidmap package), not found in PATH"
  [ "${#lines[@]}" -eq 1 ]
  # a one-id map needs no helper
  update_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}]
    | .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}]"
  RL_PATH=/nonexistent run rl_cove run -b "$BUNDLE" c1
  assert_success
}

@test "rootless: a newuidmap that refuses is one line with its own reason, and nothing is left" {
  requires_user
  multi_map
  mkdir "$TEST_TMP/fakebin"
  printf '#!/bin/sh\necho "newuidmap: write to uid_map failed: Operation not permitted" >&2\nexit 1\n' >"$TEST_TMP/fakebin/newuidmap"
  cp "$TEST_TMP/fakebin/newuidmap" "$TEST_TMP/fakebin/newgidmap"
  chmod 755 "$TEST_TMP/fakebin" "$TEST_TMP/fakebin"/*
  RL_PATH=$TEST_TMP/fakebin:/usr/bin:/bin run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --regexp "user namespace: $TEST_TMP/fakebin/newuidmap for pid [0-9]+: exit status 1: newuidmap: write to uid_map failed: Operation not permitted$"
  [ "${#lines[@]}" -eq 1 ]
  run rl_cove list -q
  assert_output ""
}

# ---- what an unprivileged user cannot have ----

@test "rootless: bind mounts of the user's own files are read and written through; root's private files stay closed" {
  local own=$TEST_TMP/own
  mkdir "$own"
  echo hello >"$own/file"
  chown -R "$RL_UID:$RL_GID" "$own"
  echo secret >"$TEST_TMP/rootonly"
  chmod 0600 "$TEST_TMP/rootonly"
  # the user's container root cannot make mount points in root's image: the image has them
  private_rootfs
  mkdir "$BUNDLE/rootfs/mnt"
  touch "$BUNDLE/rootfs/secret"
  add_mount "{destination: \"/mnt\", type: \"bind\", source: \"$own\", options: [\"rbind\", \"rw\"]}"
  add_mount "{destination: \"/secret\", type: \"bind\", source: \"$TEST_TMP/rootonly\", options: [\"bind\", \"ro\"]}"
  set_cmd 'cat /mnt/file; echo written >/mnt/new; stat -c %u /mnt/file; cat /secret || echo refused'
  run rl_cove run -b "$BUNDLE" c1
  assert_success
  assert_line --index 0 hello
  assert_line --index 1 0
  assert_line --partial "Permission denied"
  assert_line refused
  [ "$(cat "$own/new")" = written ]
  [ "$(stat -c %u "$own/new")" = "$RL_UID" ]
}

@test "rootless: a run.cove.net.* annotation is refused in one line: bridge networking needs root" {
  update_config '.linux.namespaces += [{type: "network"}] | .annotations = {"run.cove.net.bridge": "coverl0"}'
  run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output "cove: run c1: run.cove.net.* annotations: bridge and veth networking needs root on the host (cove runs as uid $RL_UID)"
  [ -z "$(ls -A "$RL_XDG/cove" 2>/dev/null | grep -v '^\.cove$')" ]
  ! ip link show coverl0 2>/dev/null
}

@test "rootless: a config without a user namespace is refused naming it" {
  update_config '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
  run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial "a rootless container needs a user namespace"
  [ "${#lines[@]}" -eq 1 ]
}

@test "rootless: a mount option naming an id outside the maps is refused naming the mount (runc's rule)" {
  update_config '(.mounts[] | select(.destination == "/dev/pts") | .options) += ["gid=5"]'
  run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial ".mounts[2] (/dev/pts): option \`gid=5\`: gid 5 is not in linux.gidMappings"
  [ "${#lines[@]}" -eq 1 ]
  requires runc
  run rl_runc run -b "$BUNDLE" r1
  assert_failure
  assert_output --partial "gid="
}

@test "rootless: linux.devices are the host's nodes, bind-mounted, with the host's permissions (no mknod in a user namespace)" {
  [ -c /dev/net/tun ] || skip "needs /dev/net/tun on the host"
  update_config '.linux.devices = [{path: "/dev/net/tun", type: "c", major: 10, minor: 200}]'
  set_cmd 'stat -c "%F %t:%T" /dev/net/tun /dev/full; grep -cE " /dev/(net/tun|full) " /proc/self/mountinfo; head -c 4 /dev/full | wc -c; cat /dev/net/tun 2>&1; true'
  run rl_cove run -b "$BUNDLE" c1
  assert_success
  assert_line --index 0 "character special file a:c8"
  assert_line --index 1 "character special file 1:7"
  # both are mounts (binds of the host's nodes)
  assert_line --index 2 2
  assert_line --index 3 4
  # root's 0600 node on the host stays root's
  assert_line --index 4 --partial "Permission denied"
  # a node the device rules keep closed would be open with the host's node: refused, naming it
  update_config '.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]
    | .linux.resources = {devices: [{allow: false, access: "rwm"}]}'
  run rl_cove run -b "$BUNDLE" c3
  assert_failure
  assert_output --partial "linux.devices[0] (/dev/kmsg, c 1:11): linux.resources.devices does not allow it"
  [ "${#lines[@]}" -eq 1 ]
  update_config '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rw"}]'
  run rl_cove run -b "$BUNDLE" c3
  assert_success
  update_config 'del(.linux.resources)'
  # a node the host lacks is named
  update_config '.linux.devices = [{path: "/dev/cove-no-such", type: "c", major: 1, minor: 7}]'
  run rl_cove run -b "$BUNDLE" c2
  assert_failure
  assert_output --partial "host device /dev/cove-no-such: No such file or directory"
  [ "${#lines[@]}" -eq 1 ]
}

@test "rootless: a linux.devices node in a directory bound from the host is refused: the user's file there is left as it was" {
  [ -c /dev/net/tun ] || skip "needs /dev/net/tun on the host"
  local own=$TEST_TMP/ownnet
  mkdir "$own"
  echo keep >"$own/tun"
  chown -R "$RL_UID:$RL_GID" "$own"
  local before
  before=$(stat -c '%i %a %s' "$own/tun")
  add_mount "{destination: \"/dev/net\", type: \"bind\", source: \"$own\", options: [\"rbind\", \"rw\"]}"
  update_config '.linux.devices = [{path: "/dev/net/tun", type: "c", major: 10, minor: 200}]'
  run rl_cove run -b "$BUNDLE" c1
  assert_failure
  assert_output --partial "linux.devices[0] (/dev/net/tun): /dev/net is not the container's own (a bind mount, or a host mount under the rootfs): a node made there would replace the host's"
  [ "${#lines[@]}" -eq 1 ]
  # the file the container's root could have removed (the user's own) is the same file
  [ "$(stat -c '%i %a %s' "$own/tun")" = "$before" ]
  [ "$(cat "$own/tun")" = keep ]
  [ -z "$(ls -A "$RL_XDG/cove" 2>/dev/null | grep -v '^\.cove$')" ]
}

@test "rootless: no cgroup to be had: no limits run, asked-for limits and a cgroupsPath are errors naming them, as runc" {
  if [ "$(cgroup_mode)" = unified ]; then
    as_user test -w "/sys/fs/cgroup$(dirname "$(awk -F: '$1 == 0 {print $3}' /proc/self/cgroup)")" &&
      skip "the user's cgroup parent is writable here (delegated)"
  fi
  run rl_cove run -b "$BUNDLE" c1
  assert_success
  update_config '.linux.resources = {memory: {limit: 67108864}}'
  run rl_cove run -b "$BUNDLE" c2
  assert_failure
  assert_output --partial "rootless: linux.resources.memory needs a cgroup the user may write"
  assert_output --partial "Permission denied"
  [ "${#lines[@]}" -eq 1 ]
  update_config 'del(.linux.resources) | .linux.cgroupsPath = "/cove-rl-test/c3"'
  run rl_cove run -b "$BUNDLE" c3
  assert_failure
  assert_output --partial "rootless: linux.cgroupsPath \`/cove-rl-test/c3\`"
  [ "${#lines[@]}" -eq 1 ]
  run rl_cove list -q
  assert_output ""
  # runc: the same three answers
  requires runc
  update_config 'del(.linux.cgroupsPath)'
  run rl_runc run -b "$BUNDLE" r1
  assert_success
  update_config '.linux.resources = {memory: {limit: 67108864}}'
  run rl_runc run -b "$BUNDLE" r2
  assert_failure
  update_config 'del(.linux.resources) | .linux.cgroupsPath = "/cove-rl-test/r3"'
  run rl_runc run -b "$BUNDLE" r3
  assert_failure
}

@test "rootless: --systemd-cgroup asks the user's systemd manager: on a host where it cannot (cgroup v1 or hybrid, no systemd), one line and nothing made" {
  # (a user manager that runs is systemd_user.bats's, in the systemd guest)
  [ "$(cat /proc/1/comm)" != systemd ] || [ "$(cgroup_mode)" != unified ] || skip "systemd runs here: systemd_user.bats"
  local want id h
  case $(cgroup_mode) in
  hybrid) want="a user's systemd manager is delegated cgroup v2 controllers only, and this host's cgroups are hybrid (v1 controllers): run on a cgroup v2 host, or without --systemd-cgroup" ;;
  legacy) want="a user's systemd manager is delegated cgroup v2 controllers only, and this host's cgroups are cgroup v1: run on a cgroup v2 host, or without --systemd-cgroup" ;;
  unified) want="systemd is not the init of this host (no /run/systemd/system), so it cannot create the container's unit" ;;
  esac
  [[ $want == systemd* ]] || want="rootless: $want"
  # runc's default for a user (user.slice:cove:ID), a path of the user's, limits or none: the same
  for id in c1 c2 c3; do
    case $id in
    c1) update_config 'del(.linux.cgroupsPath)' ;;
    c2) update_config '.linux.cgroupsPath = "user.slice:cove:c2"' ;;
    c3) update_config '.linux.resources = {memory: {limit: 67108864}}' ;;
    esac
    run rl_cove --systemd-cgroup run -b "$BUNDLE" "$id"
    assert_failure
    assert_output "cove: run $id: cgroup: --systemd-cgroup: $want"
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [ ! -e "$h/user.slice/cove-$id.scope" ] && [ ! -e "$h/system.slice/cove-$id.scope" ]
    done
  done
  run rl_cove list -q
  assert_output ""
}

@test "rootless: sysctls of the container's own namespaces apply; one outside them is one line" {
  update_config '.linux.namespaces += [{type: "network"}] | .linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
  set_cmd 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
  run rl_cove run -b "$BUNDLE" c1
  assert_success
  assert_line --index 0 1
  assert_line --index 1 1234
  update_config '.linux.sysctl = {"vm.swappiness": "10"}'
  run rl_cove run -b "$BUNDLE" c2
  assert_failure
  assert_output "cove: run c2: config.json: .linux.sysctl: \`vm.swappiness\` is not namespaced: it would change the host"
}

# ---- engines ----

# rl_podman ARGS...: rootless podman as the test's user, on a store and runroot of the test's
# own (user_podman_setup), with cove as its runtime
rl_podman() {
  as_user "${USER_PODMAN[@]}" "$@"
}

@test "rootless: podman run by the user drives cove: run, exit status, exec, a subordinate-id map, stop, rm" {
  requires_user
  requires podman
  command -v newuidmap >/dev/null || skip "needs newuidmap (apt-get install uidmap)"
  load ../engines/podman
  user_podman_setup "$TEST_TMP/podman" "$RL_UID" "$RL_GID" cgroupfs
  run rl_podman import "$TEST_TMP/podman/image.tar" localhost/cove-rl
  assert_success
  # podman's user namespace maps root to the user and 1.. to its subordinate ids
  run rl_podman run --rm localhost/cove-rl sh -c 'tr -s " " </proc/self/uid_map; id -u; exit 7'
  assert_equal "$status" 7
  assert_line " 0 $RL_UID 1"
  assert_line " 1 $RL_SUB_START $RL_SUB_COUNT"
  assert_line 0
  run rl_podman run -d --name web localhost/cove-rl sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  assert_success
  local id=$output
  # cove's own state, in the user's runtime dir (podman runs it as root of its namespace)
  for _ in $(seq 100); do [ "$(rl_cove state "$id" 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.05; done
  [ "$(rl_cove state "$id" | jq -r .status)" = running ]
  run rl_podman exec web sh -c 'echo in-$(id -u)'
  assert_success
  assert_output in-0
  run rl_podman stop -t 10 web
  assert_success
  run rl_podman inspect -f '{{.State.ExitCode}}' web
  assert_output 0
  run rl_podman rm web
  assert_success
  run rl_cove list -q
  assert_output ""
}

# ---- a delegated cgroup v2 subtree (the v2 guest) ----

# delegate: a cgroup of the test's own given to the user as systemd's Delegate= gives
# user@.service its own (the directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads chowned), with a child `shell` for the user's processes
delegate() {
  RL_DELEG=/sys/fs/cgroup/cove-rl-$$-${BATS_TEST_NUMBER:-0}
  mkdir "$RL_DELEG" "$RL_DELEG/shell"
  local d
  for d in "$RL_DELEG" "$RL_DELEG/shell"; do
    chown "$RL_UID:$RL_GID" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
  done
}

# in_deleg CMD...: CMD as the user, from the delegated subtree's `shell` (root moves the
# process there first, as systemd starts a user's session inside its delegated cgroup)
in_deleg() {
  (echo "$BASHPID" >"$RL_DELEG/shell/cgroup.procs" && as_user "$@")
}

@test "rootless v2: in a delegated subtree the container's cgroup goes below it and memory and pids limits apply" {
  requires cgroups_v2
  delegate
  update_config '.linux.resources = {memory: {limit: 33554432}, pids: {limit: 16}}
    | .process.args = ["sh", "-c", "/bin/cove-test-helper memhog 256; echo \"status $?\"; exec /bin/cove-test-helper sleep-forever"]'
  in_deleg /usr/bin/timeout -s KILL 60 "$COVE" run -d -b "$BUNDLE" c1 </dev/null >"$TEST_TMP/c1.out" 2>&1
  wait_rl_state c1 running
  local cg=$RL_DELEG/cove/c1 pid
  # below the parent of the caller's own cgroup (`shell`): the delegated one, the user's
  [ -d "$cg" ]
  [ "$(stat -c %u "$cg")" = "$RL_UID" ]
  pid=$(rl_cove state c1 | jq -r .pid)
  [ "$(cat "/proc/$pid/cgroup")" = "0::${cg#/sys/fs/cgroup}" ]
  [ "$(cat "$cg/memory.max")" = 33554432 ]
  [ "$(cat "$cg/pids.max")" = 16 ]
  # by effect: past memory.max the kernel OOM-kills the hog
  for _ in $(seq 100); do grep -q status "$TEST_TMP/c1.out" && break; sleep 0.1; done
  run cat "$TEST_TMP/c1.out"
  assert_output --partial "status 137"
  [ "$(awk '$1 == "oom_kill" {print $2}' "$cg/memory.events")" -ge 1 ]
  # and past pids.max forks fail
  update_config '.process.args = ["sh", "-c", "/bin/cove-test-helper forks 30; exec /bin/cove-test-helper sleep-forever"]'
  in_deleg /usr/bin/timeout -s KILL 60 "$COVE" run -d -b "$BUNDLE" c2 </dev/null >"$TEST_TMP/c2.out" 2>&1
  wait_rl_state c2 running
  for _ in $(seq 50); do grep -q forked "$TEST_TMP/c2.out" && break; sleep 0.1; done
  run cat "$TEST_TMP/c2.out"
  assert_line "fork failed: Resource temporarily unavailable"
  [ "$(awk '$1 == "max" {print $2}' "$RL_DELEG/cove/c2/pids.events")" -ge 1 ]
  # delete removes what create made, the user's delegated cgroup stays
  rl_cove delete -f c1
  rl_cove delete -f c2
  [ ! -d "$cg" ]
  [ ! -d "$RL_DELEG/cove/c2" ]
  [ -d "$RL_DELEG/shell" ]
}

@test "rootless v2: pause, resume, ps, exec and kill --all through the delegated cgroup" {
  requires cgroups_v2
  delegate
  update_config '.process.args = ["sleep", "1000"]'
  in_deleg /usr/bin/timeout -s KILL 60 "$COVE" run -d -b "$BUNDLE" c1 </dev/null >"$TEST_TMP/c1.out" 2>&1
  wait_rl_state c1 running
  local cg=$RL_DELEG/cove/c1
  rl_cove pause c1
  [ "$(rl_cove state c1 | jq -r .status)" = paused ]
  grep -qx "frozen 1" "$cg/cgroup.events"
  rl_cove resume c1
  [ "$(rl_cove state c1 | jq -r .status)" = running ]
  grep -qx "frozen 0" "$cg/cgroup.events"
  # exec's process joins the container's cgroup (from the user's delegated tree: the kernel
  # wants the common ancestor writable); ps reads the cgroup
  in_deleg /usr/bin/timeout -s KILL 60 "$COVE" exec -d c1 sleep 1001
  for _ in $(seq 100); do [ "$(wc -l <"$cg/cgroup.procs")" -ge 2 ] && break; sleep 0.05; done
  run rl_cove ps --format json c1
  assert_success
  [ "$(jq length <<<"$output")" -eq 2 ]
  [ "$(jq -r 'sort | join(" ")' <<<"$output")" = "$(sort -n "$cg/cgroup.procs" | paste -sd' ')" ]
  rl_cove kill --all c1 KILL
  wait_rl_state c1 stopped
  [ -z "$(cat "$cg/cgroup.procs")" ]
  rl_cove delete c1
  [ ! -d "$cg" ]
}

@test "rootless v2: without a delegated subtree no limits run without a cgroup; limits are refused naming them" {
  requires cgroups_v2
  # the user's process in a cgroup whose parent is root's (as a session scope under user.slice)
  RL_DELEG=/sys/fs/cgroup/cove-rl-$$-${BATS_TEST_NUMBER:-0}
  mkdir -p "$RL_DELEG/shell"
  update_config '.process.args = ["sh", "-c", "cat /proc/self/cgroup"]'
  run in_deleg /usr/bin/timeout -s KILL 60 "$COVE" run -b "$BUNDLE" c1
  assert_success
  # the caller's cgroup, seen from the container's cgroup namespace rooted there
  assert_output "0::/"
  [ ! -d "$RL_DELEG/cove" ]
  update_config '.linux.resources = {memory: {limit: 33554432}}'
  run in_deleg /usr/bin/timeout -s KILL 60 "$COVE" run -b "$BUNDLE" c2
  assert_failure
  assert_output --partial "rootless: linux.resources.memory needs a cgroup the user may write"
  assert_output --partial "$RL_DELEG/cove"
  assert_output --partial "Permission denied"
  [ "${#lines[@]}" -eq 1 ]
  run rl_cove list -q
  assert_output ""
}
