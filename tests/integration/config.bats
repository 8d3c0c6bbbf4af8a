#!/usr/bin/env bats
# `cove create` validates config.json before touching the system: a bad config exits 1 with one
# line naming the file, the JSON path and the reason, and leaves nothing behind.  The exhaustive
# list of messages lives in tests/unit/test_oci_bad.c; these check the path through the CLI.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

# create_fails MESSAGE-REGEX: create must fail with exactly one line matching it, and no
# container may be left behind.
create_fails() {
  run cove create --bundle "$BUNDLE" cfgtest
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "expected one line, got: $output"
  assert_output --regexp "^cove: .*config\.json: $1\$"
  run cove list -q
  refute_output --partial cfgtest
}

@test "create reports a wrongly typed memory limit with its JSON path" {
  update_config '.linux.resources.memory = {limit: "1G"}'
  create_fails '\.linux\.resources\.memory\.limit: expected an integer, got "1G"'
}

@test "create reports invalid JSON with line and column" {
  printf '{\n  "ociVersion": "1.3.0",\n  "root": {"path": "rootfs",}\n}\n' >"$BUNDLE/config.json"
  create_fails 'invalid JSON at line 3, column 29: invalid object key \(must be a string\)'
}

@test "create reports a missing ociVersion" {
  update_config 'del(.ociVersion)'
  create_fails '\.ociVersion: missing required field'
}

@test "create reports an unknown namespace type" {
  update_config '.linux.namespaces += [{type: "net"}]'
  create_fails '\.linux\.namespaces\[6\]\.type: expected one of pid, network, mount, ipc, uts, user, cgroup or time, got "net"'
}

@test "create reports a relative cwd" {
  update_config '.process.cwd = "tmp"'
  create_fails '\.process\.cwd: expected an absolute path, got "tmp"'
}

@test "create reports an out-of-range oomScoreAdj" {
  update_config '.process.oomScoreAdj = 5000'
  create_fails '\.process\.oomScoreAdj: expected an integer in -1000\.\.1000, got 5000'
}

@test "create reports an unknown seccomp action" {
  update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_DENY"}'
  create_fails '\.linux\.seccomp\.defaultAction: expected one of .*, got "SCMP_ACT_DENY"'
}

@test "create reports rlimit soft above hard" {
  update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 2048, hard: 1024}]'
  create_fails '\.process\.rlimits\[0\]: soft limit 2048 is greater than hard limit 1024'
}

@test "create reports a user namespace without mappings" {
  update_config '.linux.namespaces += [{type: "user"}]'
  create_fails '\.linux\.uidMappings: required with a new user namespace'
}

@test "create accepts unknown properties and uint64 maximum values" {
  # jq would turn 2^64-1 into a float: put the literal in with sed
  update_config '.vendorExtension = {x: [1, 2]} | .process.rlimits[0].hard = 4242424242'
  sed -i 's/4242424242/18446744073709551615/' "$BUNDLE/config.json"
  grep -q 18446744073709551615 "$BUNDLE/config.json"
  # the config is valid: whatever create does next, it is not a config error
  run cove create --bundle "$BUNDLE" cfgtest
  refute_output --regexp 'config\.json: '
}
