#!/usr/bin/env bats
# The command-line frame: global flags, version, help, usage errors and exit codes.

load helpers

setup() {
  COVE_ROOT=$(mktemp -d /tmp/cove-cli.XXXXXX)
}

teardown() {
  rm -rf "$COVE_ROOT"
}

@test "--version names cove, the spec and libseccomp" {
  run "$COVE" --version
  assert_success
  assert_line --regexp '^cove version [0-9]+\.[0-9]+\.[0-9]+'
  assert_line 'spec: 1.3.0'
  assert_line --regexp '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "--help lists every OCI command" {
  run "$COVE" --help
  assert_success
  for verb in create start run state kill delete list ps exec pause resume events update spec features; do
    assert_line --regexp "^  $verb "
  done
}

@test "no command is a usage error (exit 2)" {
  run "$COVE"
  assert_failure 2
}

@test "an unknown command is a usage error naming it" {
  run "$COVE" frobnicate
  assert_failure 2
  assert_line --index 0 "cove: unknown command \`frobnicate\`"
}

@test "an unknown global flag is a usage error" {
  run "$COVE" --frob list
  assert_failure 2
  assert_output --partial "unknown flag"
}

@test "a bad --log-format is a usage error naming the value" {
  run "$COVE" --log-format xml list
  assert_failure 2
  assert_output --partial "expected text or json, got \`xml\`"
}

@test "COMMAND --help describes the command and exits 0" {
  for verb in create start run state kill delete list ps exec pause resume events update spec features; do
    run "$COVE" "$verb" --help
    assert_success
    assert_line --index 0 --regexp "^usage: cove $verb"
  done
}
