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

@test "HOME comes from the container's /etc/passwd when process.env has none, / without an entry (runc)" {
  local uid want
  # the rootfs's passwd: root -> /root, nobody (65534) -> /nonexistent; 4242 has no entry
  for uid in 0:/root 65534:/nonexistent 4242:/; do
    want=${uid#*:}
    update_config ".process.user = {uid: ${uid%%:*}, gid: 0} | .process.args = [\"sh\", \"-c\", \"env | grep ^HOME=\"]"
    run cove run --bundle "$BUNDLE" "h${uid%%:*}"
    assert_success
    assert_output "HOME=$want"
  done
  # an empty HOME is no HOME; a HOME that is given stays
  update_config '.process.user = {uid: 0, gid: 0} | .process.env += ["HOME="]'
  run cove run --bundle "$BUNDLE" h-empty
  assert_success
  assert_output "HOME=/root"
  update_config '.process.env = (.process.env | map(select(startswith("HOME=") | not))) + ["HOME=/given"]'
  run cove run --bundle "$BUNDLE" h-given
  assert_success
  assert_output "HOME=/given"
}

@test "HOME from /etc/passwd never follows the image out of its root, and a fifo there does not hang" {
  private_rootfs
  update_config '.root.readonly = false | .process.args = ["sh", "-c", "env | grep ^HOME="]'
  rm "$BUNDLE/rootfs/etc/passwd"
  # a symlink to the host's passwd (absolute: resolved in the rootfs, where it does not exist)
  ln -s /proc/1/root/etc/passwd "$BUNDLE/rootfs/etc/passwd"
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output "HOME=/"
  rm "$BUNDLE/rootfs/etc/passwd"
  mkfifo "$BUNDLE/rootfs/etc/passwd"
  run timeout 20 "$COVE" --root "$COVE_ROOT" run --bundle "$BUNDLE" t2
  assert_success
  assert_output "HOME=/"
}

@test "process.user without gid runs with gid 0 (runc's reading)" {
  update_config '.process.user = {uid: 1000} | .process.args = ["cove-test-helper", "ids"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --partial "uid=1000 gid=0 "
}

@test "an unknown capability name is a warning naming it and is skipped, not a config error" {
  update_config '.process.capabilities.bounding += ["NOT_A_CAP"] | .process.capabilities.effective += ["CAP_BOGUS"]
    | .process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --partial "NOT_A_CAP"
  assert_output --partial "CAP_BOGUS"
  # the known ones still apply: CAP_AUDIT_WRITE=29 CAP_KILL=5 CAP_NET_BIND_SERVICE=10
  assert_line "CapBnd:	$(capmask 5 10 29)"
}

@test "an ambient capability that cannot be raised is a warning naming it" {
  update_config '.process.capabilities.ambient = ["CAP_KILL"] | del(.process.capabilities.inheritable)
    | .process.args = ["cove-test-helper", "caps"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output --partial "capability CAP_KILL (ambient set) cannot be raised: it is not in the inheritable set"
  assert_line "CapAmb:	0000000000000000"
}

@test "linux.memoryPolicy is applied with set_mempolicy before the execve" {
  [ -d /sys/devices/system/node/node0 ] || skip "needs NUMA support in the kernel (node0)"
  # mode numbers of <linux/mempolicy.h>: BIND 2, INTERLEAVE 3; MPOL_F_STATIC_NODES is 1<<15
  update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"} | .process.args = ["cove-test-helper", "mempolicy"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output "mode=2 nodes=1"
  update_config '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
  run cove run --bundle "$BUNDLE" t2
  assert_success
  assert_output "mode=$((3 | 1 << 15)) nodes=1"
  # a node the host does not have: the kernel's refusal, named
  update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "1000"}'
  run cove run --bundle "$BUNDLE" t3
  assert_failure
  assert_output --partial "memoryPolicy: set_mempolicy MPOL_BIND nodes 1000"
}

@test "personality flags are applied, an unknown one is refused" {
  update_config '.linux.personality = {domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"]} | .process.args = ["cat", "/proc/self/personality"]'
  run cove run --bundle "$BUNDLE" t1
  assert_success
  assert_output 00040000
  update_config '.linux.personality.flags = ["NO_SUCH_FLAG"]'
  run cove run --bundle "$BUNDLE" t2
  assert_failure
  assert_output --partial ".linux.personality.flags[0]"
  assert_output --partial NO_SUCH_FLAG
}
