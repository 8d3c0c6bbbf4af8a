#!/usr/bin/env bats
# deps.bats: every tool the build, the tests, the VM lanes and bench/ use is installed, from the
# package tests/deps.sh names for it (its `tools` table, checked against its package list): a
# missing tool fails here, naming the package, instead of skipping tests further on.  Runs first
# (tests/run-integration.sh).

load helpers

setup() {
  DEPS_TMP=$(mktemp -d /tmp/cove-deps.XXXXXX)
}

teardown() {
  rm -rf "$DEPS_TMP"
}

@test "deps: every tool the tests, lanes and bench use is installed (tests/deps.sh --check)" {
  run "$REPO/tests/deps.sh" --check
  assert_success
  assert_line --regexp '^deps: all [0-9]+ tools and [0-9]+ VM host packages are there$'
}

@test "deps: a missing tool fails the check, naming the package to install" {
  # a PATH with every command but podman
  mkdir "$DEPS_TMP/bin"
  local d f
  for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    for f in "$d"/*; do
      [ "${f##*/}" = podman ] || [ -e "$DEPS_TMP/bin/${f##*/}" ] || ln -s "$f" "$DEPS_TMP/bin/${f##*/}"
    done
  done
  run env PATH="$DEPS_TMP/bin" "$REPO/tests/deps.sh" --check
  assert_failure 1
  assert_output "deps: missing podman: apt-get install podman (make deps installs it)"
}

@test "deps: a tool whose package is not in deps.sh's list fails the check (catatonit, issue 18)" {
  # deps.sh as it was before catatonit was added: podman run --init failed on a fresh machine
  mkdir -p "$DEPS_TMP/tests/vm"
  cp "$REPO/tests/vm/lib.sh" "$DEPS_TMP/tests/vm/"
  sed -E 's/ catatonit$//; s/ catatonit / /' "$REPO/tests/deps.sh" >"$DEPS_TMP/tests/deps.sh"
  chmod +x "$DEPS_TMP/tests/deps.sh"
  run "$DEPS_TMP/tests/deps.sh" --check
  assert_failure 1
  assert_output "deps: catatonit (for /usr/libexec/podman/catatonit) is not in tests/deps.sh's package list"
}
