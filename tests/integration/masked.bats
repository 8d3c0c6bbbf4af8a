#!/usr/bin/env bats
# maskedPaths and readonlyPaths: files covered by the real /dev/null, directories by an empty
# read-only tmpfs, missing paths skipped; read-only paths unwritable; the /dev/null check.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

@test "masked files read empty: the real /dev/null is bound on them" {
  set_cmd 'wc -c < /proc/keys; wc -c < /proc/timer_list; grep -E " /proc/keys " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_line 0
  refute_line --regexp '^[1-9][0-9]*$'
  assert_output --regexp ' /proc/keys rw,nosuid - tmpfs '
}

@test "masked directories are an empty read-only tmpfs" {
  set_cmd 'ls -A /sys/firmware | wc -l; touch /sys/firmware/x || echo REFUSED; grep -E " /sys/firmware " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_line 0
  assert_line REFUSED
  assert_output --regexp ' /sys/firmware ro,nosuid,nodev,noexec[^ ]* - tmpfs '
}

@test "missing masked and read-only paths are skipped" {
  update_config '.linux.maskedPaths += ["/does/not/exist", "/proc/nope"] | .linux.readonlyPaths += ["/nothing/here"]'
  set_cmd 'echo ran'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_output ran
  [ ! -e "$BUNDLE/rootfs/does" ]
  [ ! -e "$BUNDLE/rootfs/nothing" ]
}

@test "read-only paths are unwritable, the rest of /proc is not" {
  set_cmd 'echo 1 > /proc/sys/kernel/ns_last_pid || echo SYS-REFUSED; echo c > /proc/sysrq-trigger || echo SYSRQ-REFUSED; echo 0 > /proc/self/oom_score_adj && echo OOM-OK; grep -E " /proc/sys " /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_line SYS-REFUSED
  assert_line SYSRQ-REFUSED
  assert_line OOM-OK
  assert_output --regexp ' /proc/sys ro[, ]'
}

@test "read-only paths in a rootfs directory: recursive, submounts too" {
  update_config '.root.readonly = false'
  mkdir -p "$BUNDLE/rootfs/srv/data"
  add_mount '{"destination": "/srv/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  update_config '.linux.readonlyPaths += ["/srv"]'
  set_cmd 'touch /srv/x || echo TOP-REFUSED; touch /srv/data/x || echo SUB-REFUSED; touch /y && echo ROOT-OK'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_line TOP-REFUSED
  assert_line SUB-REFUSED
  assert_line ROOT-OK
}

@test "masking refuses a /dev/null that is not char 1:3" {
  # linux.devices may redefine /dev/null: the mask must not bind whatever is there
  update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]'
  set_cmd 'echo ran'
  run cove run --bundle "$BUNDLE" k1
  assert_failure
  assert_output --partial '/dev/null is not the null device'
  refute_output --partial ran
}

@test "masked paths may be files the image provides, through symlinks inside the rootfs" {
  update_config '.root.readonly = false'
  echo secret >"$BUNDLE/rootfs/etc/secret"
  ln -s /etc/secret "$BUNDLE/rootfs/secret-link"
  update_config '.linux.maskedPaths += ["/secret-link"]'
  set_cmd 'wc -c < /etc/secret'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_output 0
  [ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "sysctls are written through a private procfs, then /proc/sys is read-only" {
  update_config '.linux.sysctl = {"kernel.shm_rmid_forced": "1", "net.ipv4.ip_forward": "1"}'
  set_cmd 'cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_forward; echo 0 > /proc/sys/kernel/shm_rmid_forced || echo RO'
  run cove run --bundle "$BUNDLE" k1
  assert_success
  assert_line --index 0 1
  assert_line --index 1 1
  assert_line RO
  # the host's values are its own
  [ "$(cat /proc/sys/kernel/shm_rmid_forced)" = 0 ]
}
