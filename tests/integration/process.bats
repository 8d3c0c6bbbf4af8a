#!/usr/bin/env bats
# The init process: args/env/cwd, user/groups/umask, the five capability sets, no_new_privs,
# rlimits, oomScoreAdj, ioPriority, scheduler, personality, execCPUAffinity.

load helpers

setup() {
  setup_bundle
}

teardown() {
  teardown_bundle
}

# hex mask of capability numbers given
capmask() {
  local m=0 c
  for c in "$@"; do m=$((m | (1 << c))); done
  printf '%016x' "$m"
}

@test "args, env and cwd" {
  update_config '.process.args = ["sh", "-c", "echo \"$0|$1|$FOO|$PWD\"", "zero", "one"] | .process.env += ["FOO=bar baz"] | .process.cwd = "/tmp"'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output "zero|one|bar baz|/tmp"
}

@test "a missing cwd is created inside the rootfs" {
  update_config '.root.readonly = false | .process.cwd = "/work/dir" | .process.args = ["pwd"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output /work/dir
  [ -d "$BUNDLE/rootfs/work/dir" ]
}

@test "user, additional gids and umask" {
  update_config '.process.user = {uid: 1000, gid: 1001, additionalGids: [5, 7], umask: 63} | .process.args = ["cove-test-helper", "ids"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output "uid=1000 gid=1001 groups=5,7 umask=0077"
}

@test "default umask is 0022 and root has no supplementary groups" {
  update_config '.process.args = ["cove-test-helper", "ids"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output "uid=0 gid=0 groups= umask=0022"
}

@test "the five capability sets as configured, seen in /proc/self/status" {
  # CAP_CHOWN=0 CAP_KILL=5 CAP_NET_BIND_SERVICE=10 CAP_AUDIT_WRITE=29 CAP_SYS_ADMIN=21
  update_config '.process.noNewPrivileges = false | .process.capabilities = {
      bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"],
      effective: ["CAP_KILL", "CAP_CHOWN"],
      permitted: ["CAP_KILL", "CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
      inheritable: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      ambient: ["CAP_KILL"]} | .process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  # uid 0 gets its bounding set as permitted and effective on execve (no SECBIT_NOROOT, as runc)
  assert_line "CapBnd:	$(capmask 0 5 10 29)"
  assert_line "CapInh:	$(capmask 5 10)"
  assert_line "CapAmb:	$(capmask 5)"
}

@test "a non-root user keeps only its ambient capabilities after exec" {
  update_config '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {
      bounding: ["CAP_KILL", "CAP_NET_BIND_SERVICE"], effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
      permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"],
      ambient: ["CAP_NET_BIND_SERVICE"]} | .process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line "CapEff:	$(capmask 10)"
  assert_line "CapAmb:	$(capmask 10)"
}

@test "no capabilities object: no capabilities" {
  update_config 'del(.process.capabilities) | .process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line "CapEff:	0000000000000000"
  assert_line "CapBnd:	0000000000000000"
}

@test "a capability the kernel lacks is a warning naming it, not an error" {
  update_config '.process.capabilities.bounding += ["CAP_FUTURE_THING"] | .process.args = ["true"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --partial "CAP_FUTURE_THING"
}

@test "noNewPrivileges true and false" {
  update_config '.process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line "NoNewPrivs:	1"
  update_config '.process.noNewPrivileges = false'
  run cove run --bundle "$BUNDLE" t2
  assert_success
  assert_line "NoNewPrivs:	0"
}

@test "rlimits" {
  update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456}, {type: "RLIMIT_CORE", soft: 0, hard: 0}] | .process.args = ["sh", "-c", "cove-test-helper rlimit NOFILE; cove-test-helper rlimit CORE"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_line --index 0 "123 456"
  assert_line --index 1 "0 0"
}

@test "oomScoreAdj" {
  update_config '.process.oomScoreAdj = 321 | .process.args = ["cat", "/proc/self/oom_score_adj"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output 321
}

@test "ioPriority" {
  update_config '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0} | .process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run ionice -p "$pid"
  assert_output idle
}

@test "scheduler" {
  update_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 5} | .process.args = ["sleep", "100"]'
  cove run -d --bundle "$BUNDLE" t1
  local pid
  pid=$(cove state t1 | jq -r .pid)
  run chrt -p "$pid"
  assert_output --partial SCHED_BATCH
  [ "$(ps -o ni= -p "$pid" | tr -d ' ')" = 5 ]
}

@test "personality LINUX32" {
  update_config '.linux.personality = {domain: "LINUX32"} | .process.args = ["uname", "-m"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output i686
}

@test "execCPUAffinity" {
  update_config '.process.execCPUAffinity = {initial: "0-1", final: "0"} | .process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --regexp "Cpus_allowed_list:[[:space:]]+0$"
}

@test "the container's process starts with no signal blocked or ignored" {
  # cove run blocks every signal to forward them; bats runs us with SIGINT/SIGQUIT ignored
  update_config '.process.args = ["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]'
  (trap '' INT QUIT; exec "$COVE" --root "$COVE_ROOT" run --bundle "$BUNDLE" t1) >"$TEST_TMP/out"
  run cat "$TEST_TMP/out"
  assert_line --regexp '^SigBlk:[[:space:]]+0+$'
  assert_line --regexp '^SigIgn:[[:space:]]+0+$'
}
