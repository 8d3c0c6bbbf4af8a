#!/usr/bin/env bash
# Runs the bats integration suites (TAP on stdout).  Needs root.
set -u
cd "$(dirname "$0")/integration" || exit 1
files=(*.bats)
[ -e "${files[0]}" ] || { echo "# no integration tests"; exit 0; }
exec bats --tap "${files[@]}"
