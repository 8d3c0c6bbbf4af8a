#!/usr/bin/env bats
# The lifecycle: create -> start -> running -> stopped, state JSON, kill, delete, list, exit codes
# and signals of `run`, the pid file.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

@test "run: exit status of the container process is cove's" {
  update_config '.process.args = ["sh", "-c", "exit 7"]'
  run cove run --bundle "$BUNDLE" t1
  assert_failure 7
  # run in the foreground removes the container afterwards, as runc does
  run cove list -q
  assert_output ""
}

@test "run: a container killed by signal N exits 128+N" {
  # pid 1 of a pid namespace cannot be killed from inside: kill it from the host
  update_config '.process.args = ["sleep", "100"]'
  "$COVE" --root "$COVE_ROOT" run --bundle "$BUNDLE" t1 &
  local runpid=$!
  wait_for_state t1 running
  cove kill t1 KILL
  wait $runpid || status=$?
  [ "$status" -eq 137 ]
}

@test "run: /bin/true exits 0 and prints nothing" {
  update_config '.process.args = ["/bin/true"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output ""
}

@test "run: forwards signals to the container init" {
  update_config '.process.args = ["sh", "-c", "trap \"echo got-usr1; exit 3\" USR1; echo ready; while true; do sleep 0.05; done"]'
  "$COVE" --root "$COVE_ROOT" run --bundle "$BUNDLE" t1 >"$TEST_TMP/out" 2>&1 &
  local runpid=$!
  for _ in $(seq 200); do grep -q ready "$TEST_TMP/out" && break; sleep 0.02; done
  kill -USR1 $runpid
  wait $runpid || status=$?
  [ "$status" -eq 3 ]
  grep -q got-usr1 "$TEST_TMP/out"
}

@test "run --detach returns at once; the container keeps running" {
  update_config '.process.args = ["sleep", "100"]'
  # the container keeps our stdout: do not capture it (bats' `run` would wait for its end)
  SECONDS=0
  cove run -d --bundle "$BUNDLE" t1 >/dev/null
  [ "$SECONDS" -lt 10 ]
  run cove state t1
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
}

@test "state machine: created -> running -> stopped" {
  update_config '.process.args = ["sh", "-c", "read x < /dev/null; sleep 100"]'
  # the init keeps create's stdout until it exits: do not capture it
  cove create --bundle "$BUNDLE" t1 >/dev/null
  run cove state t1
  assert_success
  [ "$(jq -r .status <<<"$output")" = created ]
  [ "$(jq -r .id <<<"$output")" = t1 ]
  [ "$(jq -r .ociVersion <<<"$output")" = 1.3.0 ]
  [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
  local pid
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" -gt 1 ]
  # the init is alive and waits, as a child of nobody we know
  [ -d /proc/"$pid" ]

  run cove start t1
  assert_success
  wait_for_state t1 running

  run cove kill t1 KILL
  assert_success
  wait_for_state t1 stopped
  run cove state t1
  [ "$(jq -r .pid <<<"$output")" = null ]

  run cove delete t1
  assert_success
  run cove state t1
  assert_failure
  assert_output "cove: state t1: container \`t1\` does not exist"
}

@test "start of a running container is an error; so is a second start" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  cove start t1
  run cove start t1
  assert_failure 1
  assert_output "cove: start t1: the container is running, not created"
}

@test "start of a stopped container is an error" {
  update_config '.process.args = ["true"]'
  cove create --bundle "$BUNDLE" t1
  cove start t1
  wait_for_state t1 stopped
  run cove start t1
  assert_failure 1
  assert_output "cove: start t1: the container is stopped, not created"
}

@test "status is derived from the process: an init killed behind cove's back reads stopped" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  kill -9 "$pid"
  wait_for_state t1 stopped
}

@test "kill: by name, by SIG name and by number; default TERM" {
  update_config '.process.args = ["sh", "-c", "trap \"exit 0\" TERM; while true; do sleep 0.05; done"]'
  cove run -d --bundle "$BUNDLE" t1
  run cove kill t1
  assert_success
  wait_for_state t1 stopped
  cove delete t1

  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t2
  run cove kill t2 SIGKILL
  assert_success
  wait_for_state t2 stopped
  cove delete t2

  cove run -d --bundle "$BUNDLE" t3
  run cove kill t3 9
  assert_success
  wait_for_state t3 stopped
}

@test "kill: a bad signal is a usage error" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  run cove kill t1 SIGFOO
  assert_failure 2
  assert_output --partial "invalid signal \`SIGFOO\`"
}

@test "kill of a stopped container is an error" {
  update_config '.process.args = ["true"]'
  cove create --bundle "$BUNDLE" t1
  cove start t1
  wait_for_state t1 stopped
  run cove kill t1 KILL
  assert_failure
  assert_output "cove: kill t1: the container is not running"
}

@test "kill --all signals every process of the container" {
  update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & echo started; wait"]'
  update_config '.namespaces = [] | .linux.namespaces = [{type: "mount"}, {type: "uts"}, {type: "ipc"}]'
  cove run -d --bundle "$BUNDLE" t1
  local procs
  procs=$(find /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT" -name cgroup.procs | xargs cat 2>/dev/null || true)
  for _ in $(seq 100); do
    procs=$(cat /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/cgroup.procs 2>/dev/null | wc -l)
    [ "$procs" -ge 3 ] && break
    sleep 0.02
  done
  [ "$procs" -ge 3 ]
  run cove kill --all t1 KILL
  assert_success
  wait_for_state t1 stopped
  for _ in $(seq 100); do
    procs=$(cat /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/cgroup.procs 2>/dev/null | wc -l)
    [ "$procs" -eq 0 ] && break
    sleep 0.02
  done
  [ "$procs" -eq 0 ]
}

@test "delete refuses a running container; --force kills and removes it" {
  update_config '.process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run cove delete t1
  assert_failure 1
  assert_output "cove: delete t1: the container is running: stop it first or use --force"
  run cove delete --force t1
  assert_success
  [ ! -d /proc/"$pid" ] || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
  [ ! -e "$COVE_ROOT/t1" ]
  [ ! -d /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle ]
  [ ! -d /sys/fs/cgroup/memory"$TEST_CGROUP_PARENT"/bundle ]
}

@test "delete of a created container kills the waiting init" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run cove delete t1
  assert_success
  [ ! -e "$COVE_ROOT/t1" ]
  [ ! -d /proc/"$pid" ] || [ "$(awk '{print $3}' /proc/"$pid"/stat)" = Z ]
}

@test "the container gets its own cgroup, created before the init runs" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  grep -qx "$pid" /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
  grep -qx "$pid" /sys/fs/cgroup/memory"$TEST_CGROUP_PARENT"/bundle/cgroup.procs
}

@test "list: table, json and quiet" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" a1
  update_config '.linux.cgroupsPath += "-2"'
  cove run -d --bundle "$BUNDLE" a2
  run cove list -q
  assert_success
  assert_line a1
  assert_line a2
  run cove list --format json
  assert_success
  [ "$(jq -r '.[] | select(.id == "a1") | .status' <<<"$output")" = created ]
  [ "$(jq -r '.[] | select(.id == "a2") | .status' <<<"$output")" = running ]
  run cove list
  assert_success
  assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
  assert_line --regexp '^a2 +[0-9]+ +running '
  run cove list --format yaml
  assert_failure 2
}

@test "list of an empty or missing root prints only the header" {
  rm -rf "$COVE_ROOT"
  run cove list -q
  assert_success
  assert_output ""
}

@test "--pid-file gets the init's pid" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" --pid-file "$TEST_TMP/pid" t1
  [ "$(cat "$TEST_TMP/pid")" = "$(cove state t1 | jq -r .pid)" ]
  # relative to the caller's directory
  update_config '.linux.cgroupsPath += "-2"'
  (cd "$TEST_TMP" && cove run -d --bundle "$BUNDLE" --pid-file rel.pid t2)
  [ "$(cat "$TEST_TMP/rel.pid")" = "$(cove state t2 | jq -r .pid)" ]
}

@test "the state root and container dirs are 0700; the state is written atomically" {
  rm -rf "$COVE_ROOT"
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" t1
  [ "$(stat -c %a "$COVE_ROOT")" = 700 ]
  [ "$(stat -c %a "$COVE_ROOT/t1")" = 700 ]
  [ -z "$(find "$COVE_ROOT/t1" -name '*.tmp')" ]
}

@test "annotations appear in the state" {
  update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example.a": "1", "b": "two"}'
  cove create --bundle "$BUNDLE" t1
  run cove state t1
  [ "$(jq -r '.annotations["org.example.a"]' <<<"$output")" = 1 ]
  [ "$(jq -r '.annotations.b' <<<"$output")" = two ]
}

# with_annotation_making_config BYTES: a `big` annotation that makes config.json exactly BYTES long
with_annotation_making_config() {
  local want=$1 size
  update_config '.annotations.big = ""'
  size=$(stat -c %s "$BUNDLE/config.json")
  update_config ".annotations.big = (\"x\" * $((want - size)))"
  [ "$(stat -c %s "$BUNDLE/config.json")" -eq "$want" ]
}

@test "whatever create accepts reads back: a config at the 16 MiB limit, through state, list and delete" {
  update_config '.process.args = ["sleep", "100"]'
  with_annotation_making_config $((16 * 1024 * 1024))
  local n=$(($(jq -r '.annotations.big | length' "$BUNDLE/config.json")))
  [ "$n" -gt $((16 * 1024 * 1024 - 4096)) ]
  cove run -d --bundle "$BUNDLE" t1 </dev/null >/dev/null 2>&1
  run cove state t1
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  [ "$(jq -r '.annotations.big | length' <<<"$output")" -eq "$n" ]
  run cove list -q
  assert_output t1
  run cove delete -f t1
  assert_success
  [ ! -e "$COVE_ROOT/t1" ]
  local h
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ ! -d "$h$TEST_CGROUP_PARENT/bundle" ] || { echo "cgroup left in $h" >&2; return 1; }
  done
}

@test "a config one byte over the limit is refused at create with one line, nothing made" {
  with_annotation_making_config $((16 * 1024 * 1024 + 1))
  run cove create --bundle "$BUNDLE" t1
  assert_failure 1
  assert_output --regexp "^cove: create t1: bundle \`.*\`: read \`.*config.json\`: larger than 16777216 bytes"
  [ "${#lines[@]}" -eq 1 ]
  [ ! -e "$COVE_ROOT/t1" ]
  [ ! -d /sys/fs/cgroup/pids"$TEST_CGROUP_PARENT" ]
}

@test "bundle defaults to the current directory" {
  update_config '.process.args = ["true"]'
  cd "$BUNDLE"
  run cove run t1
  assert_success
}

@test "a session keyring of the container's own; --no-new-keyring keeps the caller's" {
  update_config '.process.args = ["sleep", "100"]'
  cove create --bundle "$BUNDLE" kr1
  grep -q " _ses.kr1: " /proc/keys
  update_config '.linux.cgroupsPath += "-2"'
  cove create --no-new-keyring --bundle "$BUNDLE" kr2
  ! grep -q " _ses.kr2: " /proc/keys
}

@test "exec joins the container's session keyring; with --no-new-keyring the caller's stays" {
  update_config '.process.args = ["sh", "-c", "cove-test-helper session-keyring; exec sleep 100"]'
  local i id own init
  own=$("$COVE_TEST_HELPER" session-keyring)
  for id in kr1 kr2; do
    local flags=
    [ "$id" = kr2 ] && flags=--no-new-keyring
    "$COVE" --root "$COVE_ROOT" run -d $flags -b "$BUNDLE" "$id" </dev/null >"$TEST_TMP/$id.out" 2>&1 3>&-
    for ((i = 0; i < 500; i++)); do [ -s "$TEST_TMP/$id.out" ] && break; sleep 0.01; done
    init=$(cat "$TEST_TMP/$id.out")
    [ -n "$init" ]
    run cove exec "$id" cove-test-helper session-keyring
    assert_success
    # the init's own keyring (a new one, or the caller's with --no-new-keyring), never another
    assert_output "$init"
    if [ "$id" = kr1 ]; then
      refute_output "$own"
      grep -q "^$init .* _ses.kr1: " /proc/keys
    else
      assert_output "$own"
    fi
    cove delete -f "$id"
  done
}

@test "the container process starts with no signal blocked or ignored by cove" {
  update_config '.process.args = ["sh", "-c", "grep -E \"^Sig(Blk|Ign)\" /proc/self/status"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --regexp "^SigBlk:[[:space:]]+0000000000000000$"
}
