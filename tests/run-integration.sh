#!/usr/bin/env bash
# Runs the bats integration suites (TAP on stdout).  Needs root.
set -u
cd "$(dirname "$0")/integration" || exit 1
files=(*.bats)
[ -e "${files[0]}" ] || { echo "# no integration tests"; exit 0; }
# deps.bats first: a missing tool is reported by name before the tests that need it fail or skip
if [ -e deps.bats ]; then
  rest=()
  for f in "${files[@]}"; do [ "$f" = deps.bats ] || rest+=("$f"); done
  files=(deps.bats "${rest[@]}")
fi
# A test that hangs fails on its own instead of stalling the whole run.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
exec bats --tap "${files[@]}"
