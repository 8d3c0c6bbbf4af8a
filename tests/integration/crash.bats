#!/usr/bin/env bats
# crash.bats: `cove run -d` and `cove create` killed with SIGKILL at any moment leave nothing that
# `delete -f` cannot remove (DESIGN: record before you make; every helper dies with its cove).
# Each kill is followed by `delete -f` and a check from the host: no cgroup directory in any
# hierarchy, no process of the container (or of cove on its behalf), no state dir, and with a
# networking annotation no veth, bridge or address lease.

load helpers

setup() {
  requires root
  setup_bundle
  # every process of an attempt carries MARK in its command line (cove's own through the id)
  MARK=k9m$$x${BATS_TEST_NUMBER}
  update_config ".process.args = [\"/bin/sh\", \"-c\", \"while :; do sleep 1; done # $MARK\"]"
  NET_BR=cvk${$: -6}${BATS_TEST_NUMBER}
}

teardown() {
  local p
  for p in $(marked_pids); do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "${PIN:-}" ]; then umount "$PIN" 2>/dev/null || true; fi
  teardown_bundle
  ip link del "$NET_BR" 2>/dev/null || true
}

# Pids (other than ours) whose command line holds MARK: the container, its init before the
# exec, stage1, hooks.
# (read with bash builtins only: a grep of ours would match itself, and its pid be reused)
marked_pids() {
  local f p args
  for f in /proc/[0-9]*/cmdline; do
    p=${f#/proc/}
    p=${p%/cmdline}
    [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
    mapfile -d '' args 2>/dev/null <"$f" || continue
    [[ "${args[*]}" == *"$MARK"* ]] && echo "$p"
  done
  return 0
}

# delete_f ID: `delete -f` (which must succeed), noting first the host veth the container's
# network record names (netns records it before making it).
delete_f() {
  VETH=$(awk '$1 == "veth" {print $2}' "$COVE_ROOT/$1/network" 2>/dev/null || true)
  run cove delete -f "$1"
  assert_success
}

# assert_nothing_left ID: what delete -f must have removed, seen from the host.
assert_nothing_left() {
  local id=$1 h left="" i p
  [ ! -e "$COVE_ROOT/$id" ] || left+=" state-dir($(ls -A "$COVE_ROOT/$id" | tr '\n' ' '))"
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ -d "$h$TEST_CGROUP_PARENT/bundle" ] && left+=" cgroup:$h$TEST_CGROUP_PARENT/bundle"
  done
  # a killed process may still be on its way out (zombie reaped by init): bounded wait
  for ((i = 0; i < 100; i++)); do
    p=$(marked_pids)
    [ -z "$p" ] && break
    sleep 0.02
  done
  [ -z "$p" ] || left+=" processes:$(for x in $p; do tr '\0' ' ' </proc/$x/cmdline; echo -n '; '; done)"
  if [ -n "${VETH:-}" ] && ip link show "$VETH" >/dev/null 2>&1; then left+=" veth:$VETH"; fi
  ip link show "$NET_BR" >/dev/null 2>&1 && left+=" bridge:$NET_BR"
  grep -q " $COVE_ROOT/" /proc/self/mountinfo && left+=" mounts"
  if [ -d "$COVE_ROOT/net" ]; then
    grep -rqs "$id" "$COVE_ROOT/net" && left+=" lease"
  fi
  if [ -n "$left" ]; then
    echo "after delete -f of $id:$left" >&2
    return 1
  fi
}

# kill_at_delays VERB: VERB (run -d | create) killed after 0..N ms, then delete -f.
kill_at_delays() {
  local verb=$1 ms id pid
  for ms in 0 1 2 3 4 5 6 7 8 9 10 12 14 16 18 20 25 30 40; do
    id=$MARK-$ms
    "$COVE" --root "$COVE_ROOT" $verb --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf %03d "$ms")"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # never "creating" for ever: the creator is gone, so the container reads stopped or running
    if [ -d "$COVE_ROOT/$id" ]; then
      run cove state "$id"
      [ "$status" -ne 0 ] || [ "$(jq -r .status <<<"$output")" != creating ] || {
        echo "$id reads creating after its creator was killed" >&2
        return 1
      }
      run cove list -q
      assert_line "$id"
    fi
    delete_f "$id"
    assert_nothing_left "$id"
  done
}

# kill_when VERB ID CHECK: start VERB, wait (bounded) until the shell command CHECK succeeds,
# SIGKILL cove, delete -f, assert nothing is left.
kill_when() {
  local verb=$1 id=$2 check=$3 pid i
  "$COVE" --root "$COVE_ROOT" $verb --bundle "$BUNDLE" "$id" </dev/null >"$TEST_TMP/$id.out" 2>&1 &
  pid=$!
  for ((i = 0; i < 500; i++)); do
    eval "$check" && break
    sleep 0.01
  done
  eval "$check" || { echo "never reached: $check" >&2; cat "$TEST_TMP/$id.out" >&2; kill -9 $pid; return 1; }
  [ -z "${K9_DEBUG:-}" ] || { ps -ef | grep -e "$MARK" -e "$pid" >&3; cat "$TEST_TMP/$id.out" >&3; }
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  run cove list -q
  assert_line "$id"
  run cove state "$id"
  [ "$status" -ne 0 ] || [ "$(jq -r .status <<<"$output")" != creating ]
  delete_f "$id"
  assert_nothing_left "$id"
}

# hook_waiting NAME: a hook that announces itself in $TEST_TMP/NAME and then waits (marked).
hook_waiting() {
  jq -n --arg f "$TEST_TMP/$1" --arg m "$MARK" '{path: "/bin/sh", args: ["sh", "-c", "touch \($f); while :; do sleep 1; done # \($m)"]}'
}

@test "kill -9 of run -d after 0..40 ms: delete -f leaves nothing" {
  kill_at_delays "run -d"
}

@test "kill -9 of create after 0..40 ms: delete -f leaves nothing" {
  kill_at_delays create
}

# kill_at_paths VERB PATH_TEMPLATE...: for each template (ID replaced by the attempt's id), VERB
# killed the moment that path exists (cove-test-helper kill-at: microseconds, not a poll of the
# shell), then delete -f and the checks.
kill_at_paths() {
  local verb=$1 t id path n=0
  shift
  for t in "$@"; do
    id=$MARK-p$((n++))
    path=${t//ID/$id}
    run "$COVE_TEST_HELPER" kill-at "$path" "$COVE" --root "$COVE_ROOT" $verb --bundle "$BUNDLE" "$id"
    [ "${lines[-1]}" = killed ] || { echo "$verb $id was not killed at $path: $output" >&2; return 1; }
    run cove list -q
    assert_line "$id"
    run cove state "$id"
    assert_success
    [ "$(jq -r .status <<<"$output")" = stopped ] || { echo "$id at $path: $output" >&2; return 1; }
    delete_f "$id"
    assert_nothing_left "$id"
  done
}

# Every step of create that makes something, in the order create makes them.
STEPS=('$COVE_ROOT/ID' '$COVE_ROOT/ID/lock' '$COVE_ROOT/ID/cove.json' '$COVE_ROOT/ID/config.json'
  '/sys/fs/cgroup/pids$TEST_CGROUP_PARENT/bundle' '/sys/fs/cgroup/memory$TEST_CGROUP_PARENT/bundle'
  '/sys/fs/cgroup/unified$TEST_CGROUP_PARENT/bundle' '/sys/fs/cgroup$TEST_CGROUP_PARENT/bundle/cgroup.procs')

steps() {
  local t
  for t in "${STEPS[@]}"; do
    t=$(eval echo "$t")
    case $t in
    /sys/fs/cgroup/*/*) [ -d "${t%%$TEST_CGROUP_PARENT*}" ] && [ "$(stat -fc %T "${t%%$TEST_CGROUP_PARENT*}")" != tmpfs ] || continue ;;
    esac
    echo "$t"
  done
}

@test "kill -9 of create at each step it makes something: delete -f leaves nothing" {
  readarray -t paths < <(steps)
  [ "${#paths[@]}" -ge 5 ]
  kill_at_paths create "${paths[@]}" "$COVE_ROOT/ID/exec.fifo" "$COVE_ROOT/ID/exec.done"
}

@test "kill -9 of run -d at each step it makes something: delete -f leaves nothing" {
  readarray -t paths < <(steps)
  kill_at_paths "run -d" "${paths[@]}"
}

@test "kill -9 of create while a createRuntime hook runs: the hook dies too" {
  update_config ".hooks = {createRuntime: [$(hook_waiting cr)]}"
  kill_when create "$MARK-c" '[ -e "$TEST_TMP/cr" ]'
}

@test "kill -9 of create while a createContainer hook runs" {
  update_config ".hooks = {createContainer: [$(hook_waiting cc)]}"
  kill_when create "$MARK-d" '[ -e "$TEST_TMP/cc" ]'
}

@test "kill -9 of run -d while a poststart hook runs" {
  update_config ".hooks = {poststart: [$(hook_waiting ps)]}"
  kill_when "run -d" "$MARK-e" '[ -e "$TEST_TMP/ps" ]'
}

@test "kill -9 of run -d with a veth on a bridge: delete -f removes veth, bridge and lease" {
  update_config ".annotations = {\"run.cove.net.bridge\": \"$NET_BR\", \"run.cove.net.address\": \"auto\", \"run.cove.net.gateway\": \"10.241.$((BATS_TEST_NUMBER % 250)).1/24\"}"
  local ms id pid
  for ms in 0 2 4 6 8 10 12 15 20 30 60; do
    id=$MARK-n$ms
    "$COVE" --root "$COVE_ROOT" run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf %03d "$ms")"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    delete_f "$id"
    assert_nothing_left "$id"
  done
}

@test "kill -9 of create with its veth made, while a createRuntime hook runs" {
  update_config ".annotations = {\"run.cove.net.bridge\": \"$NET_BR\", \"run.cove.net.address\": \"auto\", \"run.cove.net.gateway\": \"10.241.$((BATS_TEST_NUMBER % 250)).1/24\"}
    | .hooks = {createRuntime: [$(hook_waiting crn)]}"
  # the network is made before the hooks run: the veth and bridge exist when cove is killed
  kill_when create "$MARK-v" '[ -e "$TEST_TMP/crn" ] && ip link show "$NET_BR" >/dev/null 2>&1'
}

@test "a state dir without its state file reads stopped and delete -f removes it" {
  mkdir -m 0700 "$COVE_ROOT/early"
  : >"$COVE_ROOT/early/lock"
  run cove state early
  assert_success
  [ "$(jq -r .status <<<"$output")" = stopped ]
  run cove list
  assert_line --regexp '^early +0 +stopped'
  cove delete -f early
  [ ! -e "$COVE_ROOT/early" ]
}

@test "a create whose cgroup cannot be removed keeps its state, and delete -f removes the rest" {
  # a createRuntime hook pins a sub-cgroup with a mount (rmdir of a mountpoint is EBUSY) and
  # fails: create must say that its state is kept, and the record must name the cgroup
  PIN=$(cg_path pids)/pin
  update_config ".hooks = {createRuntime: [{path: \"/bin/sh\", args: [\"sh\", \"-c\",
    \"mkdir $PIN && mount -t tmpfs cove-pin $PIN; exit 3\"]}]}"
  local t0=$SECONDS
  run cove create -b "$BUNDLE" "$MARK-p"
  assert_failure
  assert_output --partial "createRuntime hook"
  assert_output --partial "remove cgroup $(cg_path pids): "
  assert_output --partial "its state is kept: \`delete --force $MARK-p\` removes the rest"
  mountpoint -q "$PIN"
  [ -d "$COVE_ROOT/$MARK-p" ]
  run cove list -q
  assert_output "$MARK-p"
  # its processes are gone already; only the pinned cgroup is left
  [ -z "$(marked_pids)" ]
  [ -d "$(cg_path pids)" ]
  # while the pin holds, delete -f fails and keeps the record; once it is gone, delete -f
  # removes the cgroup and the record
  run cove delete -f "$MARK-p"
  assert_failure
  assert_output --partial "remove cgroup $(cg_path pids): "
  [ -d "$COVE_ROOT/$MARK-p" ]
  # each gives up within its bound (3 s of retries per hierarchy), not for ever
  echo "# create and delete -f failed in $((SECONDS - t0)) s" >&3
  [ $((SECONDS - t0)) -lt 15 ]
  umount "$PIN"
  PIN=
  delete_f "$MARK-p"
  assert_nothing_left "$MARK-p"
}

@test "an init killed by a signal before it is ready: create's one line names the signal; nothing left" {
  # a createRuntime hook (the init waits for the parent meanwhile) kills the init, its pid read
  # from the state on the hook's stdin; create's output goes to a file (a surviving init would
  # hold a pipe open)
  update_config '.hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c",
    "pid=$(sed -n \"s/.*\\\"pid\\\": *\\([0-9]*\\).*/\\1/p\"); kill -KILL $pid"]}]}'
  local rc=0
  "$COVE" --root "$COVE_ROOT" create -b "$BUNDLE" "$MARK-t" </dev/null >"$TEST_TMP/create.out" 2>&1 || rc=$?
  run cat "$TEST_TMP/create.out"
  [ "$rc" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  assert_output --regexp "^cove: create $MARK-t: the container init was killed by SIGKILL: "
  assert_nothing_left "$MARK-t"
}
