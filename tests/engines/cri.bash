# cri.bash: drive cove the way Kubernetes does: a private containerd with its CRI plugin, cove
# as the runc v2 shim's binary for the runtime handler "cove" (a RuntimeClass's handler), and
# tests/engines/cri_client.py speaking CRI over containerd's socket as the kubelet would.
# Root, state, sockets, CNI dirs, logs and the shims' runtime roots are all under $CRI_TMP; pods
# use the host network (NamespaceMode NODE), so no CNI plugin runs and nothing leaves the host's
# own namespaces (or, for a pod network, a test-made dummy link moved into the pod's namespace).  The images (busybox, and a pause image whose only file is the test helper)
# are built from the test rootfs and imported: no registry.  cri_teardown stops all of it even
# when the test failed.

CRI_RUNTIME=${ENGINE_RUNTIME:-$COVE}
CRI_PYTHON=${CRI_PYTHON:-/usr/bin/python3}
CRI_IMAGE=localhost/cove-busybox:latest
CRI_PAUSE=localhost/cove-pause:latest
CRI_NS=k8s.io # the CRI plugin's containerd namespace
# CRI_SYSTEMD_CGROUP=true before cri_setup: the handler's SystemdCgroup option (the shim then
# passes --systemd-cgroup, and pods' cgroup parents are slices)
# CRI_CNI_DEVICE=NAME before cri_setup: a pod network: a veth pair NAME/NAMEp is made on the host
# (no dummy driver in every kernel) and the only CNI network is host-device moving NAME into the
# pod's namespace as eth0, 192.0.2.10/24 (TEST-NET-1; no address on the host end, nothing sent).  A loopback-only network does not do: containerd 1.6 fails
# RunPodSandbox with "failed to find network info" when the result has no eth0 address.

cri_setup() {
  build_rootfs_cache
  CRI_TMP=$(mktemp -d /tmp/cove-cri.XXXXXX)
  TEST_CGROUP_PARENT=/cove-cri-$$-${BATS_TEST_NUMBER:-0}
  # a slice for systemd cgroup paths ("-" would nest it: cove-cri.slice/cove-cri-1.slice)
  [ "${CRI_SYSTEMD_CGROUP:-false}" = false ] || TEST_CGROUP_PARENT=/covecri$$x${BATS_TEST_NUMBER:-0}.slice
  # the shims make /run/containerd/{fifo,s}: remove them afterwards only if we made them
  CRI_MADE_RUN=0
  [ -e /run/containerd ] || CRI_MADE_RUN=1
  mkdir -p "$CRI_TMP"/{cni/conf,logs,stubs}
  # "cove" is the handler under test; the default handler is runc with a root of its own, so a
  # pod that landed on the wrong handler shows up in the wrong root
  cat >"$CRI_TMP/config.toml" <<CONF
version = 2
root = "$CRI_TMP/root"
state = "$CRI_TMP/state"
[grpc]
  address = "$CRI_TMP/containerd.sock"
[ttrpc]
  address = "$CRI_TMP/containerd.sock.ttrpc"
[debug]
  address = "$CRI_TMP/debug.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CRI_PAUSE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # pod network namespaces under the state dir, not /var/run/netns
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  # containerd gives the pause container oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE,
  # which root lacks on some hosts (this one): clamp to containerd's own score instead
  restrict_oom_score_adj = true
  # Debian's CNI plugins; networks only from the test's own conf dir (none unless a test
  # writes one)
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CRI_TMP/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$CRI_TMP/runc-default"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cove]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cove.options]
        BinaryName = "$CRI_RUNTIME"
        Root = "$CRI_TMP/cove-root"
        SystemdCgroup = ${CRI_SYSTEMD_CGROUP:-false}
CONF
  if [ -n "${CRI_CNI_DEVICE:-}" ]; then
    ip link add "$CRI_CNI_DEVICE" type veth peer name "${CRI_CNI_DEVICE}p"
    jq -n --arg dev "$CRI_CNI_DEVICE" '{cniVersion: "0.4.0", name: "cove-test", plugins: [
      {type: "host-device", device: $dev, ipam: {type: "static", addresses: [{address: "192.0.2.10/24"}]}}]}' \
      >"$CRI_TMP/cni/conf/10-cove-test.conflist"
  fi
  containerd --config "$CRI_TMP/config.toml" >"$CRI_TMP/containerd.log" 2>&1 3>&- &
  CRI_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    ctr -a "$CRI_TMP/containerd.sock" version >/dev/null 2>&1 && break
    sleep 0.05
  done
  "$CRI_PYTHON" "$BATS_TEST_DIRNAME/../engines/cri_client.py" stubs "$(command -v containerd)" "$CRI_TMP/stubs"

  # the pause image: the static test helper as /pause, sleeping until killed
  mkdir -p "$CRI_TMP/pause"/{dev,proc,sys,etc}
  cp "$COVE_TEST_HELPER" "$CRI_TMP/pause/pause"
  "$BATS_TEST_DIRNAME/../engines/mkimage.sh" "$CRI_TMP/pause" "$CRI_TMP/pause.tar" "$CRI_PAUSE" '["/pause", "sleep-forever"]'
  "$BATS_TEST_DIRNAME/../engines/mkimage.sh" "$ROOTFS_CACHE" "$CRI_TMP/image.tar" "$CRI_IMAGE"
  cri_ctr image import "$CRI_TMP/pause.tar" >/dev/null
  cri_ctr image import "$CRI_TMP/image.tar" >/dev/null
}

# cri_ctr ARGS...: ctr on the test's containerd, in the CRI plugin's namespace, bounded.
cri_ctr() {
  timeout "${ENGINE_TIMEOUT:-60}" ctr -a "$CRI_TMP/containerd.sock" -n "$CRI_NS" "$@"
}

# crictl ARGS...: the test's CRI client on the test's containerd (tests/engines/cri_client.py).
crictl() {
  timeout "${ENGINE_TIMEOUT:-90}" "$CRI_PYTHON" "$BATS_TEST_DIRNAME/../engines/cri_client.py" \
    -s "$CRI_TMP/containerd.sock" -d "$CRI_TMP/stubs" "$@"
}

# cri_runtime ARGS...: cove on the state root the shim gives it for the handler "cove"
# (Options.Root plus the namespace, as for runc).
cri_runtime() {
  "$CRI_RUNTIME" --root "$CRI_TMP/cove-root/$CRI_NS" "$@"
}

cri_teardown() {
  [ -n "${CRI_TMP:-}" ] && [ -d "$CRI_TMP" ] || return 0
  local p c root pids
  if [ -n "${CRI_PID:-}" ] && [ -d "$CRI_TMP/stubs" ]; then
    for c in $(ENGINE_TIMEOUT=20 crictl ps 2>/dev/null); do
      ENGINE_TIMEOUT=20 crictl stop "$c" 0 >/dev/null 2>&1 || true
      ENGINE_TIMEOUT=20 crictl rm "$c" >/dev/null 2>&1 || true
    done
    for p in $(ENGINE_TIMEOUT=20 crictl pods 2>/dev/null); do
      ENGINE_TIMEOUT=20 crictl stopp "$p" >/dev/null 2>&1 || true
      ENGINE_TIMEOUT=20 crictl rmp "$p" >/dev/null 2>&1 || true
    done
  fi
  if [ -n "${CRI_PID:-}" ]; then
    kill "$CRI_PID" 2>/dev/null || true
    wait "$CRI_PID" 2>/dev/null || true
  fi
  # a shim left behind (named by our containerd's socket) is ours to end
  pids=$(pgrep -f -- "-address $CRI_TMP/containerd.sock" || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  for root in "$CRI_TMP/cove-root/$CRI_NS" "$CRI_TMP/runc-default/$CRI_NS"; do
    [ -d "$root" ] || continue
    for c in $("$CRI_RUNTIME" --root "$root" list -q 2>/dev/null); do
      "$CRI_RUNTIME" --root "$root" delete -f "$c" >/dev/null 2>&1 || true
    done
  done
  grep -o " $CRI_TMP[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  remove_test_cgroups
  # either end takes the pair with it, wherever the other end is
  [ -z "${CRI_CNI_DEVICE:-}" ] || ip link del "${CRI_CNI_DEVICE}p" 2>/dev/null || ip link del "$CRI_CNI_DEVICE" 2>/dev/null || true
  if [ "${CRI_MADE_RUN:-0}" = 1 ]; then
    rmdir /run/containerd/fifo /run/containerd/runc /run/containerd/s /run/containerd 2>/dev/null || true
  fi
  rm -rf "$CRI_TMP"
}
