#!/usr/bin/env bats
# cri.bats: cove under Kubernetes' runtime interface: containerd's CRI plugin with cove as the
# runc v2 shim's BinaryName for the handler "cove" (what a RuntimeClass with `handler: cove`
# selects), driven over the CRI socket by tests/engines/cri_client.py as the kubelet would:
# a pod sandbox (the pause container) and a container in it, ExecSync, stop and remove.
# Everything is private to the test (tests/engines/cri.bash).
# Against runc for comparison: ENGINE_RUNTIME=/usr/sbin/runc bats tests/integration/cri.bats

bats_require_minimum_version 1.5.0

load helpers
load ../engines/cri

setup() {
  requires root
  [[ $BATS_TEST_DESCRIPTION != *SystemdCgroup* ]] || CRI_SYSTEMD_CGROUP=true
  [[ $BATS_TEST_DESCRIPTION != *"pod network"* ]] || CRI_CNI_DEVICE=cvcri$$
  cri_setup
}

teardown() {
  cri_teardown
}

# pod_config NAME: a host-network pod (NamespaceMode NODE: no CNI) under the test's cgroup parent
# (a slice name with SystemdCgroup, as the kubelet's systemd driver passes it)
pod_config() {
  local cg=$TEST_CGROUP_PARENT
  [ "${CRI_SYSTEMD_CGROUP:-false}" = false ] || cg=${cg#/}
  jq -n --arg name "$1" --arg logs "$CRI_TMP/logs" --arg cg "$cg" '{
    metadata: {name: $name, uid: "uid-\($name)", namespace: "cove-test", attempt: 0},
    log_directory: $logs,
    linux: {cgroup_parent: $cg,
            security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}}}
  }' >"$CRI_TMP/$1.json"
}

# ctr_config NAME COMMAND: a busybox container running `sh -c COMMAND`, 64 MiB of memory, with
# the pod's namespace modes (as the kubelet passes them: the pid mode is the container's own)
ctr_config() {
  jq -n --arg name "$1" --arg cmd "$2" --arg image "$CRI_IMAGE" '{
    metadata: {name: $name, attempt: 0},
    image: {image: $image},
    command: ["sh", "-c", $cmd],
    log_path: "\($name).log",
    linux: {resources: {memory_limit_in_bytes: 67108864},
            security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}}}
  }' >"$CRI_TMP/$1.json"
}

# host path of the container's cgroup for CONTROLLER (v1 hierarchy) or the v2 one
cri_cg() {
  if [ "$(cgroup_mode)" = unified ]; then
    echo "/sys/fs/cgroup$TEST_CGROUP_PARENT/$2"
  else
    echo "/sys/fs/cgroup/$1$TEST_CGROUP_PARENT/$2"
  fi
}

@test "cri: RunPodSandbox, CreateContainer, ExecSync, stop and remove, with cove as the handler's runtime" {
  run crictl version
  assert_success
  assert_output --regexp '^containerd [^ ]+ v1$'

  pod_config pod1
  run crictl runp "$CRI_TMP/pod1.json" cove
  assert_success
  local pod=$output
  # the pause container runs under cove, in the root the shim gives cove, not under the default
  # handler's runc
  run cri_runtime state "$pod"
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  local pause_pid
  pause_pid=$(jq -r .pid <<<"$output")
  run tr '\0' ' ' <"/proc/$pause_pid/cmdline"
  assert_output "/pause sleep-forever "
  [ ! -d "$CRI_TMP/runc-default/$CRI_NS" ] || [ -z "$(runc --root "$CRI_TMP/runc-default/$CRI_NS" list -q)" ]
  # host network: the pod shares the host's network namespace
  [ "$(readlink "/proc/$pause_pid/ns/net")" = "$(readlink /proc/self/ns/net)" ]

  ctr_config c1 'echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
  run crictl create "$pod" "$CRI_TMP/c1.json" "$CRI_TMP/pod1.json"
  assert_success
  local c1=$output
  run crictl start "$c1"
  assert_success
  run cri_runtime state "$c1"
  assert_success
  [ "$(jq -r .status <<<"$output")" = running ]
  local c1_pid
  c1_pid=$(jq -r .pid <<<"$output")
  # in the pod's IPC namespace, in a pid namespace of its own, with the limit CRI asked for
  [ "$(readlink "/proc/$c1_pid/ns/ipc")" = "$(readlink "/proc/$pause_pid/ns/ipc")" ]
  [ "$(readlink "/proc/$c1_pid/ns/pid")" != "$(readlink "/proc/$pause_pid/ns/pid")" ]
  run cat "$(cri_cg memory "$c1")/$([ "$(cgroup_mode)" = unified ] && echo memory.max || echo memory.limit_in_bytes)"
  assert_output 67108864
  run cri_runtime list -q
  assert_line "$pod"
  assert_line "$c1"

  # ExecSync: output, stderr and exit status, in the container's pid namespace
  run --separate-stderr crictl exec "$c1" 20 sh -c 'echo out; echo err >&2; readlink /proc/self/ns/pid; exit 3'
  assert_equal "$status" 3
  assert_line --index 0 out
  assert_line --index 1 "$(readlink "/proc/$c1_pid/ns/pid")"
  assert_equal "$stderr" err
  run crictl exec "$c1" 20 cat /proc/1/cmdline
  assert_success
  assert_output --partial 'echo started'

  # the container's stdout reached the pod's log directory through the shim
  run grep -c ' stdout F started$' "$CRI_TMP/logs/c1.log"
  assert_output 1

  # StopContainer: SIGTERM reaches the container, which exits 0
  run crictl stop "$c1" 10
  assert_success
  run crictl inspect "$c1"
  assert_success
  [ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
  [ "$(jq -r '.status.exit_code // 0' <<<"$output")" = 0 ]
  run grep -c ' stdout F bye$' "$CRI_TMP/logs/c1.log"
  assert_output 1
  run crictl rm "$c1"
  assert_success
  run cri_runtime list -q
  refute_line "$c1"
  [ ! -d "$(cri_cg memory "$c1")" ]

  run crictl stopp "$pod"
  assert_success
  run crictl rmp "$pod"
  assert_success
  run crictl pods
  assert_output ""
  run cri_runtime list -q
  assert_output ""
  [ ! -d "$(cri_cg memory "$pod")" ]
}

@test "cri: with SystemdCgroup = true the shim passes --systemd-cgroup: pod and container in SLICE/cri-containerd-ID.scope (refused without systemd as init)" {
  pod_config pod1
  run crictl runp "$CRI_TMP/pod1.json" cove
  if [ "$(cat /proc/1/comm)" != systemd ]; then
    # the units are systemd's to make (issue 14): without it as init cove refuses in one line,
    # as runc does, and writes nothing below the slice
    assert_failure
    assert_output --partial "cgroup: --systemd-cgroup: systemd is not the init of this host"
    run cri_runtime list -q
    assert_output ""
    [ -z "$(ls "$(cri_cg memory "")" 2>/dev/null)" ]
    return
  fi
  assert_success
  local pod=$output
  ctr_config c1 'while :; do sleep 0.1; done'
  run crictl create "$pod" "$CRI_TMP/c1.json" "$CRI_TMP/pod1.json"
  assert_success
  local c1=$output
  run crictl start "$c1"
  assert_success
  local id pid
  for id in "$pod" "$c1"; do
    pid=$(cri_runtime state "$id" | jq -r .pid)
    # containerd's systemd form "SLICE:cri-containerd:ID", mapped as systemd names it
    if [ "$(cgroup_mode)" = unified ]; then
      run grep '^0::' "/proc/$pid/cgroup"
    else
      run grep -E '^[0-9]+:memory:' "/proc/$pid/cgroup"
    fi
    assert_output --regexp ":$TEST_CGROUP_PARENT/cri-containerd-$id\.scope\$"
  done
  run cat "$(cri_cg memory "cri-containerd-$c1.scope")/$([ "$(cgroup_mode)" = unified ] && echo memory.max || echo memory.limit_in_bytes)"
  assert_output 67108864
  run crictl stop "$c1" 0
  assert_success
  run crictl rm "$c1"
  assert_success
  run crictl stopp "$pod"
  assert_success
  run crictl rmp "$pod"
  assert_success
  run cri_runtime list -q
  assert_output ""
  [ ! -d "$(cri_cg memory "cri-containerd-$pod.scope")" ]
}

@test "cri: a pod network (CNI host-device): the pause container's namespace, joined by the container" {
  jq -n --arg logs "$CRI_TMP/logs" --arg cg "$TEST_CGROUP_PARENT" '{
    metadata: {name: "netpod", uid: "uid-netpod", namespace: "cove-test", attempt: 0},
    log_directory: $logs, linux: {cgroup_parent: $cg}}' >"$CRI_TMP/netpod.json"
  run crictl runp "$CRI_TMP/netpod.json" cove
  assert_success
  local pod=$output pause_pid
  pause_pid=$(cri_runtime state "$pod" | jq -r .pid)
  # the pod has a network namespace of its own, which CNI gave the host's link
  [ "$(readlink "/proc/$pause_pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
  run ip link show "$CRI_CNI_DEVICE"
  assert_failure
  run crictl inspectp "$pod"
  assert_success
  [ "$(jq -r .status.network.ip <<<"$output")" = 192.0.2.10 ]

  jq -n --arg image "$CRI_IMAGE" '{metadata: {name: "c1"}, image: {image: $image},
    command: ["sleep", "1000"], log_path: "c1.log"}' >"$CRI_TMP/c1.json"
  run crictl create "$pod" "$CRI_TMP/c1.json" "$CRI_TMP/netpod.json"
  assert_success
  local c1=$output
  run crictl start "$c1"
  assert_success
  local c1_pid
  c1_pid=$(cri_runtime state "$c1" | jq -r .pid)
  # cove joined the namespace by the path containerd gave (/proc/PAUSE/ns/net)
  [ "$(readlink "/proc/$c1_pid/ns/net")" = "$(readlink "/proc/$pause_pid/ns/net")" ]
  run crictl exec "$c1" 20 sh -c 'ip -o link | cut -d: -f2 | cut -d@ -f1 | tr -d " "; ip -o -4 addr show eth0 | awk "{print \$4}"'
  assert_success
  # only lo and the link CNI moved in, with CNI's address
  assert_equal "$(printf '%s\n' "${lines[@]:0:2}" | sort | tr '\n' ' ')" "eth0 lo "
  assert_line --index 2 192.0.2.10/24
  [ "${#lines[@]}" -eq 3 ]

  run crictl stop "$c1" 0
  assert_success
  run crictl rm "$c1"
  assert_success
  run crictl stopp "$pod"
  assert_success
  # CNI DEL gave the link back to the host
  run ip link show "$CRI_CNI_DEVICE"
  assert_success
  run crictl rmp "$pod"
  assert_success
  run cri_runtime list -q
  assert_output ""
}
