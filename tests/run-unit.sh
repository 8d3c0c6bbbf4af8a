#!/usr/bin/env bash
# Runs cmocka unit test binaries with TAP output; prints TAP on stdout.
set -u
export CMOCKA_MESSAGE_OUTPUT=TAP
rc=0
for t in "$@"; do
  echo "# unit: ${t##*/}"
  "$t" || rc=1
done
exit $rc
