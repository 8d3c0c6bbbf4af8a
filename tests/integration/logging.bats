#!/usr/bin/env bats
# Logging, as crun's --log: a file (text, or the JSON lines of --log-format json that engines
# read), syslog:IDENTIFIER (syslog(3), caught here on a /dev/log socket of the test's own) and
# journald:IDENTIFIER (sd-journal, caught by a systemd-journald the test runs in a private mount
# namespace).  Each case runs a container whose create warns (memory.kernel is ignored), a
# createRuntime hook whose output is a debug record, and a command that fails.

bats_require_minimum_version 1.5.0

load helpers

setup() {
  requires root
  setup_bundle
  # a warning from create, and a debug record (the hook's output) with --debug
  update_config '.process.args = ["true"]
    | .linux.resources.memory = {kernel: 33554432}
    | .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo hook-said-hi"]}]'
  LOG_ID=cove-test-$$-$BATS_TEST_NUMBER
}

teardown() {
  teardown_bundle
}

# in_log_ns SCRIPT: run the bash SCRIPT in a private mount (and network) namespace whose /dev is a
# tmpfs holding the host's null, zero, full, random, urandom and tty nodes and devpts, so the test
# can put a socket of its own at /dev/log.  Every mount goes away with the namespace.
in_log_ns() {
  mkdir -p "$TEST_TMP/hostdev"
  T=$TEST_TMP COVE=$COVE COVE_ROOT=$COVE_ROOT BUNDLE=$BUNDLE LOG_ID=$LOG_ID HELPER=$COVE_TEST_HELPER \
    timeout 120 unshare -m -n --propagation private bash -uc '
    set -e
    mount --rbind /dev "$T/hostdev"
    mount -t tmpfs -o mode=755 tmpfs /dev
    for n in null zero full random urandom tty; do
      touch "/dev/$n"
      mount --bind "$T/hostdev/$n" "/dev/$n"
    done
    mkdir /dev/pts /dev/shm
    mount --rbind "$T/hostdev/pts" /dev/pts
    ln -s pts/ptmx /dev/ptmx
    ln -s /proc/self/fd /dev/fd
    set +e
    '"$1"
}

# syslog_run COVE-ARGS...: run cove with COVE-ARGS in in_log_ns with a datagram sink bound at
# /dev/log; prints cove's stderr, then "rc=N", then "--- syslog", then one datagram a line.
syslog_run() {
  printf '%q ' "$@" >"$TEST_TMP/args"
  in_log_ns '
    rm -f "$T/sinkctl"
    mkfifo "$T/sinkctl"
    "$HELPER" dgram-sink /dev/log <"$T/sinkctl" >"$T/syslog.out" &
    sink=$!
    exec 5>"$T/sinkctl"
    for i in $(seq 200); do [ -S /dev/log ] && break; sleep 0.01; done
    rc=0
    eval "\"\$COVE\" --root \"\$COVE_ROOT\" $(cat "$T/args")" 2>&1 >/dev/null || rc=$?
    exec 5>&-
    wait "$sink"
    echo "rc=$rc"
    echo "--- syslog"
    cat "$T/syslog.out"'
}

@test "logging: --log FILE --log-format json writes JSON lines: the warning, the error; stderr has the error only" {
  run --separate-stderr "$COVE" --root "$COVE_ROOT" --log "$TEST_TMP/log.json" --log-format json run -b "$BUNDLE" j1
  assert_success
  assert_equal "$stderr" ""
  run --separate-stderr "$COVE" --root "$COVE_ROOT" --log "file:$TEST_TMP/log.json" --log-format json state nosuch
  assert_failure 1
  assert_equal "$stderr" "cove: state nosuch: container \`nosuch\` does not exist"
  run jq -r '"\(.level)|\(.msg)|\(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]+Z$"))"' "$TEST_TMP/log.json"
  assert_success
  assert_line --regexp '^warning\|linux\.resources\.memory\.kernel is ignored: .*\|true$'
  assert_line "error|state nosuch: container \`nosuch\` does not exist|true"
  # without --debug, no debug record
  refute_output --partial hook-said-hi
}

@test "logging: --log syslog:ID sends each record to /dev/log with its priority and the identifier" {
  run syslog_run --log "syslog:$LOG_ID" run -b "$BUNDLE" s1
  assert_success
  assert_line rc=0
  # LOG_USER (8) + LOG_WARNING (4); "IDENT[PID]: message" after the timestamp
  assert_line --regexp "^<12>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} $LOG_ID\[[0-9]+\]: linux\.resources\.memory\.kernel is ignored"
  refute_output --partial hook-said-hi

  run syslog_run --log "syslog:$LOG_ID" --debug state nosuch
  assert_success
  # the error reaches stderr and syslog (LOG_USER + LOG_ERR = 11)
  assert_line "cove: state nosuch: container \`nosuch\` does not exist"
  assert_line rc=1
  assert_line --regexp "^<11>.* $LOG_ID\[[0-9]+\]: state nosuch: container \`nosuch\` does not exist$"

  run syslog_run --log "syslog:$LOG_ID" --debug run -b "$BUNDLE" s2
  assert_line rc=0
  # with --debug the hook's output is a debug record (LOG_USER + LOG_DEBUG = 15)
  assert_line --regexp "^<15>.* $LOG_ID\[[0-9]+\]: createRuntime hook \`/bin/sh\`: hook-said-hi$"
}

@test "logging: --log syslog: with no identifier logs as cove; json format sends the JSON record" {
  run syslog_run --log syslog: --log-format json state nosuch
  assert_line rc=1
  assert_line --regexp '^<11>.* cove\[[0-9]+\]: \{"level":"error","msg":"state nosuch: container `nosuch` does not exist","time":"[^"]+"\}$'
}

@test "logging: --log syslog:ID without a syslog socket fails naming /dev/log, before doing anything" {
  run in_log_ns '"$COVE" --root "$COVE_ROOT" --log "syslog:$LOG_ID" run -b "$BUNDLE" n1 2>&1; echo "rc=$?"'
  assert_line 'cove: log to syslog: /dev/log: No such file or directory'
  assert_line rc=1
  run cove list -q
  assert_output ""
}

@test "logging: --log journald:ID sends records to the journal with SYSLOG_IDENTIFIER and PRIORITY" {
  run in_log_ns '
    mount -t tmpfs tmpfs /run || exit 1
    [ ! -d /var/log/journal ] || mount -t tmpfs tmpfs /var/log/journal || exit 1
    /lib/systemd/systemd-journald >"$T/journald.out" 2>&1 &
    jd=$!
    for i in $(seq 300); do [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/io.systemd.journal ] && break; sleep 0.02; done
    "$COVE" --root "$COVE_ROOT" --log "journald:$LOG_ID" --debug run -b "$BUNDLE" jd1 2>&1 >/dev/null; echo "rc=$?"
    "$COVE" --root "$COVE_ROOT" --log "journald:$LOG_ID" state nosuch 2>&1; echo "rc=$?"
    "$COVE" --root "$COVE_ROOT" --log "journald:$LOG_ID" --log-format json state nosuch2 2>/dev/null
    # every message sent before --sync is in the journal when it returns
    journalctl --sync
    echo "--- journal"
    journalctl -D /run/log/journal --no-pager -o json SYSLOG_IDENTIFIER="$LOG_ID" |
      jq -r "\"\(.PRIORITY)|\(.SYSLOG_IDENTIFIER)|\(._TRANSPORT)|\(.MESSAGE)\""
    kill "$jd"
    wait "$jd" || true'
  assert_success
  assert_line --index 0 rc=0
  assert_line "cove: state nosuch: container \`nosuch\` does not exist"
  assert_line rc=1
  assert_line --regexp "^4\|$LOG_ID\|journal\|linux\.resources\.memory\.kernel is ignored"
  assert_line "7|$LOG_ID|journal|createRuntime hook \`/bin/sh\`: hook-said-hi"
  assert_line "3|$LOG_ID|journal|state nosuch: container \`nosuch\` does not exist"
  # with --log-format json the message is the JSON record
  assert_line --regexp "^3\|$LOG_ID\|journal\|\{\"level\":\"error\",\"msg\":\"state nosuch2: container \`nosuch2\` does not exist\",\"time\":\"[^\"]+\"\}\$"
}

@test "logging: --log journald:ID with no journald listening fails naming its socket, before doing anything" {
  run in_log_ns '
    mount -t tmpfs tmpfs /run || exit 1
    "$COVE" --root "$COVE_ROOT" --log "journald:$LOG_ID" run -b "$BUNDLE" jd2 2>&1; echo "rc=$?"'
  assert_line 'cove: log to journald: /run/systemd/journal/socket: No such file or directory'
  assert_line rc=1
  run cove list -q
  assert_output ""
}

@test "logging: a bad --log value is a usage error naming it" {
  run "$COVE" --log file: list
  assert_failure 2
  assert_output "cove: --log: file: needs a path"
  run "$COVE" --log 'syslog:two words' list
  assert_failure 2
  assert_output --partial "cove: --log: syslog identifier \`two words\`"
  run "$COVE" --log "journald:$(printf 'x%.0s' $(seq 100))" list
  assert_failure 2
  assert_output --partial "cove: --log: journald identifier"
}
