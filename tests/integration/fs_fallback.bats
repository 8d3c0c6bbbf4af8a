#!/usr/bin/env bats
# The filesystem suites again, with openat2(2) failing with ENOSYS (as on kernels before 5.6),
# so every path is resolved by the by-hand walker: cove runs under tests/kernel/nosys openat2, a
# seccomp wrapper its children inherit.  They must pass the same way.

load helpers

setup_file() {
  export FALLBACK_DIR=$BATS_FILE_TMPDIR
  local nosys
  nosys=$(nosys_path) || return 1
  [ "$nosys" = "$FALLBACK_DIR/nosys" ] || cp "$nosys" "$FALLBACK_DIR/nosys"
  printf '#!/bin/sh\nexec %q openat2 %q "$@"\n' "$FALLBACK_DIR/nosys" "$COVE" >"$FALLBACK_DIR/cove"
  chmod +x "$FALLBACK_DIR/cove"
}

# run_suite FILE [FILTER]: the suite under the wrapper, in a clean bats environment.
run_suite() {
  local args=(--tap)
  [ -n "${2:-}" ] && args+=(--filter "$2")
  # a nested bats must not inherit this run's BATS_* state
  local unset=() v
  for v in $(compgen -e | grep -E '^(BATS_|BASH_FUNC_)'); do unset+=(-u "$v"); done
  run env "${unset[@]}" COVE="$FALLBACK_DIR/cove" bats "${args[@]}" "$REPO/tests/integration/$1"
  echo "$output" | grep -E '^(not )?ok ' | sed 's/^/# /' >&3
  assert_success
  refute_line --regexp '^not ok'
}

@test "the wrapper makes openat2 fail with ENOSYS" {
  run "$FALLBACK_DIR/nosys" --check openat2
  assert_success
  assert_output 'openat2: Function not implemented'
}

@test "fallback: mounts.bats" {
  run_suite mounts.bats
}

@test "fallback: devices.bats" {
  run_suite devices.bats
}

@test "fallback: masked.bats" {
  run_suite masked.bats
}

@test "fallback: escapes.bats" {
  run_suite escapes.bats
}

@test "fallback: propagation.bats" {
  run_suite propagation.bats
}

@test "fallback: idmap.bats" {
  run_suite idmap.bats
}

@test "fallback: overlay.bats (without the 100-container run)" {
  run_suite overlay.bats '^overlay'
}

@test "fallback: userns.bats mount tests (sources the parent opens in the init's namespace)" {
  run_suite userns.bats 'mount sources|read-only mount|no-pivot'
}
