#!/usr/bin/env bats
# lsm: security labels (process.apparmorProfile, process.selinuxLabel, linux.mountLabel, exec
# --apparmor / --process-label) are applied or refused, never parsed and dropped.
#  - On a host without the LSM (this build host has none), runc fails on each of them; cove
#    refuses each one before anything is made, with a line naming the field.  The runc tests run
#    the same bundle through runc, side by side.
#  - The systemd VM lane (`make check-systemd`: Debian's 6.1 kernel, AppArmor enabled, the
#    apparmor package in the image) loads profiles with apparmor_parser and checks, from inside
#    and outside the container, that a profile really confines the container's processes for
#    run, create/start and exec, and that a profile the kernel does not know fails `create`.

load helpers

setup() {
  setup_bundle
  PROFILES=()
}

teardown() {
  local p id
  for p in "${PROFILES[@]}"; do apparmor_parser -R "$p" >/dev/null 2>&1 || true; done
  if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP/runc" ]; then
    for id in $(runc --root "$TEST_TMP/runc" list -q 2>/dev/null); do
      runc --root "$TEST_TMP/runc" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  teardown_bundle
}

# `cove create` with its output in $output: an init that wrongly starts must not keep `run`'s
# pipe open (the test then fails on its assertions instead of hanging).
create_() {
  local rc=0
  cove create --bundle "$BUNDLE" "$1" </dev/null >"$TEST_TMP/create.out" 2>&1 3>&- || rc=$?
  cat "$TEST_TMP/create.out"
  return "$rc"
}

runc_() {
  runc --root "$TEST_TMP/runc" "$@" </dev/null
}

# Nothing of container $1 exists: no list entry, no state dir, no cgroup in any hierarchy.
assert_nothing_left() {
  local h
  run cove list -q
  assert_success
  refute_output --partial "$1"
  [ ! -e "$COVE_ROOT/$1" ] || { echo "state dir of $1 is left" >&2; return 1; }
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -d "$h$TEST_CGROUP_PARENT/$(basename "$BUNDLE")" ] || { echo "cgroup left in $h" >&2; return 1; }
  done
}

# load_profile NAME DENIED: load AppArmor profile NAME, which allows everything but reading the
# file DENIED (a path as the container sees it).
load_profile() {
  local f=$TEST_TMP/$1.apparmor
  cat >"$f" <<EOF
profile $1 flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  deny $2 r,
}
EOF
  PROFILES+=("$f")
  apparmor_parser -r -K "$f"
}

secrets() {
  echo "secret a" >"$BUNDLE/rootfs/cove-secret-a"
  echo "secret b" >"$BUNDLE/rootfs/cove-secret-b"
}

# ---- hosts without the LSM: refused, as runc fails ----

@test "lsm: without AppArmor, process.apparmorProfile is refused before anything is made" {
  requires root no_apparmor
  update_config '.process.apparmorProfile = "cove-test-profile" | .process.args = ["true"]'
  run create_ ct
  assert_failure
  assert_output --partial '.process.apparmorProfile `cove-test-profile`: AppArmor is not enabled on this host'
  assert_nothing_left ct
  run cove run --bundle "$BUNDLE" ct
  assert_failure
  assert_output --partial 'AppArmor is not enabled on this host'
  assert_nothing_left ct
}

@test "lsm: without SELinux, process.selinuxLabel is refused before anything is made" {
  requires root no_selinux
  update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2" | .process.args = ["true"]'
  run create_ ct
  assert_failure
  assert_output --partial '.process.selinuxLabel `system_u:system_r:container_t:s0:c1,c2`: SELinux is not enabled on this host'
  assert_nothing_left ct
}

@test "lsm: without SELinux, linux.mountLabel is refused before anything is made" {
  requires root no_selinux
  update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2" | .process.args = ["true"]'
  run create_ ct
  assert_failure
  assert_output --partial '.linux.mountLabel `system_u:object_r:container_file_t:s0:c1,c2`: SELinux is not enabled on this host'
  assert_nothing_left ct
}

@test "lsm: runc fails on the same three configs on this host" {
  requires root runc no_apparmor no_selinux
  local field value
  cp "$BUNDLE/config.json" "$TEST_TMP/base.json"
  for field in process.apparmorProfile process.selinuxLabel linux.mountLabel; do
    case $field in
    process.apparmorProfile) value=cove-test-profile ;;
    process.selinuxLabel) value=system_u:system_r:container_t:s0 ;;
    linux.mountLabel) value=system_u:object_r:container_file_t:s0 ;;
    esac
    cp "$TEST_TMP/base.json" "$BUNDLE/config.json"
    update_config ".$field = \"$value\" | .process.args = [\"true\"]"
    run runc_ run --bundle "$BUNDLE" rc
    echo "runc, $field: $output"
    assert_failure
    run cove run --bundle "$BUNDLE" ct
    echo "cove, $field: $output"
    assert_failure
    assert_output --partial ".$field \`$value\`: "
    assert_nothing_left ct
  done
}

@test "lsm: without the LSM, exec --apparmor and --process-label are refused, as runc refuses them" {
  requires root no_apparmor no_selinux
  update_config '.process.args = ["sleep", "1000"]'
  start_bg ct
  run cove exec --apparmor cove-test-profile ct true
  assert_failure
  assert_output --partial '--apparmor `cove-test-profile`: AppArmor is not enabled on this host'
  run cove exec --process-label system_u:system_r:container_t:s0 ct true
  assert_failure
  assert_output --partial '--process-label `system_u:system_r:container_t:s0`: SELinux is not enabled on this host'
  # a process.json's labels are refused the same way
  jq -n '{args: ["true"], cwd: "/", user: {uid: 0, gid: 0}, apparmorProfile: "cove-test-profile"}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_failure
  assert_output --partial 'apparmorProfile `cove-test-profile`: AppArmor is not enabled on this host'
  jq -n '{args: ["true"], cwd: "/", user: {uid: 0, gid: 0}, selinuxLabel: "system_u:system_r:container_t:s0"}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_failure
  assert_output --partial 'selinuxLabel `system_u:system_r:container_t:s0`: SELinux is not enabled on this host'
  # the container is untouched, and a plain exec still works; an empty flag is no label (runc)
  run cove exec ct true
  assert_success
  run cove exec --apparmor "" --process-label "" ct true
  assert_success
}

@test "lsm: runc exec fails on --apparmor and --process-label on this host too" {
  requires root runc no_apparmor no_selinux
  update_config '.process.args = ["sleep", "1000"]'
  runc_ run -d --bundle "$BUNDLE" rc
  run runc_ exec --apparmor cove-test-profile rc true
  echo "runc: $output"
  assert_failure
  run runc_ exec --process-label system_u:system_r:container_t:s0 rc true
  echo "runc: $output"
  assert_failure
  run runc_ exec rc true
  assert_success
}

@test "lsm: a label with a control character or a quote is refused, on any host" {
  requires root
  update_config '.process.apparmorProfile = "cove\nprofile" | .process.args = ["true"]'
  run create_ ct
  assert_failure
  assert_output --partial '.process.apparmorProfile: has a control character'
  assert_nothing_left ct
  update_config 'del(.process.apparmorProfile) | .linux.mountLabel = "system_u:object_r:x:s0\",rw"'
  run create_ ct
  assert_failure
  assert_output --partial '.linux.mountLabel: has a double quote'
  assert_nothing_left ct
}

@test "lsm: an empty apparmorProfile or selinuxLabel is no label (as runc)" {
  requires root
  update_config '.process.apparmorProfile = "" | .process.selinuxLabel = "" | .linux.mountLabel = "" | .process.args = ["true"]'
  run cove run --bundle "$BUNDLE" ct
  assert_success
}

@test "lsm: features says cove applies AppArmor and SELinux labels, and whether this host has them" {
  local aa=disabled se=disabled
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || aa=enabled
  [ "$(stat -fc %T /sys/fs/selinux 2>/dev/null)" != selinux ] || se=enabled
  run cove features
  assert_success
  run jq -e --arg aa "$aa" --arg se "$se" '.linux.apparmor.enabled == true and .linux.selinux.enabled == true
    and .annotations["run.cove.host.apparmor"] == $aa and .annotations["run.cove.host.selinux"] == $se' <<<"$output"
  assert_success
}

# ---- the systemd VM lane: AppArmor enabled ----

@test "lsm: AppArmor: run confines the container with its profile (denied file, attr/current)" {
  requires root systemd apparmor
  local p=cove-test-$$-run
  load_profile "$p" /cove-secret-a
  secrets
  set_cmd 'cat /proc/self/attr/current; cat /cove-secret-b; cat /cove-secret-a || echo "denied: $?"'
  # without the profile the file is readable: the denial below is the profile's
  run cove run --bundle "$BUNDLE" ct
  assert_success
  assert_line 'unconfined'
  assert_line 'secret a'
  update_config ".process.apparmorProfile = \"$p\""
  run cove run --bundle "$BUNDLE" ct
  assert_success
  assert_line "$p (enforce)"
  assert_line 'secret b'
  refute_line 'secret a'
  assert_line --partial "can't open '/cove-secret-a': Permission denied"
  assert_line 'denied: 1'
  run cove features
  assert_success
  run jq -r '.annotations["run.cove.host.apparmor"]' <<<"$output"
  assert_output enabled
}

@test "lsm: AppArmor: create then start, the init runs under the profile (seen from the host)" {
  requires root systemd apparmor
  local p=cove-test-$$-start pid
  load_profile "$p" /cove-secret-a
  secrets
  update_config ".process.apparmorProfile = \"$p\" | .process.args = [\"sleep\", \"1000\"]"
  cove create --bundle "$BUNDLE" ct </dev/null >/dev/null 2>&1 3>&-
  pid=$(cove state ct | jq -r .pid)
  # before start the init is cove's, unconfined; the profile comes with the execve
  run cat "/proc/$pid/attr/current"
  assert_output unconfined
  cove start ct
  wait_for_state ct running
  run cat "/proc/$pid/attr/current"
  assert_output "$p (enforce)"
  run cove exec ct cat /cove-secret-a
  assert_failure
  assert_output --partial 'Permission denied'
}

@test "lsm: AppArmor: exec runs under the container's profile; --apparmor and --process replace it" {
  requires root systemd apparmor
  local a=cove-test-$$-exec-a b=cove-test-$$-exec-b
  load_profile "$a" /cove-secret-a
  load_profile "$b" /cove-secret-b
  secrets
  update_config ".process.apparmorProfile = \"$a\" | .process.args = [\"sleep\", \"1000\"]"
  start_bg ct
  run cove exec ct sh -c 'cat /proc/self/attr/current; cat /cove-secret-b; cat /cove-secret-a'
  assert_failure
  assert_line "$a (enforce)"
  assert_line 'secret b'
  assert_line --partial "can't open '/cove-secret-a': Permission denied"
  run cove exec --apparmor "$b" ct sh -c 'cat /proc/self/attr/current; cat /cove-secret-a; cat /cove-secret-b'
  assert_failure
  assert_line "$b (enforce)"
  assert_line 'secret a'
  assert_line --partial "can't open '/cove-secret-b': Permission denied"
  jq -n --arg p "$b" '{args: ["cat", "/proc/self/attr/current", "/cove-secret-b"], cwd: "/", user: {uid: 0, gid: 0}, apparmorProfile: $p}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_failure
  assert_line "$b (enforce)"
  assert_line --partial 'Permission denied'
  # a process.json without a profile, or with an empty one, and an empty --apparmor get the
  # container's: nothing empty takes a process out of it
  jq -n '{args: ["cat", "/proc/self/attr/current"], cwd: "/", user: {uid: 0, gid: 0}}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_success
  assert_output "$a (enforce)"
  jq -n '{args: ["cat", "/proc/self/attr/current"], cwd: "/", user: {uid: 0, gid: 0}, apparmorProfile: ""}' >"$TEST_TMP/p.json"
  run cove exec --process "$TEST_TMP/p.json" ct
  assert_success
  assert_output "$a (enforce)"
  run cove exec --apparmor "" ct cat /proc/self/attr/current
  assert_success
  assert_output "$a (enforce)"
  run cove exec --apparmor unconfined ct cat /proc/self/attr/current /cove-secret-a
  assert_success
  assert_line unconfined
  assert_line 'secret a'
}

@test "lsm: AppArmor: a profile that is not loaded fails create, nothing is left" {
  requires root systemd apparmor
  local p=cove-test-$$-never-loaded
  update_config ".process.apparmorProfile = \"$p\" | .process.args = [\"true\"]"
  run create_ ct
  assert_failure
  assert_output --partial "apparmor profile \`$p\`: not loaded"
  assert_nothing_left ct
  update_config '.process.args = ["sleep", "1000"] | del(.process.apparmorProfile)'
  start_bg ct
  run cove exec --apparmor "$p" ct true
  assert_failure
  assert_output --partial "apparmor profile \`$p\`: not loaded"
  run cove exec ct true
  assert_success
}
