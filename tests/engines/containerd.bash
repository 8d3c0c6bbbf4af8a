# containerd.bash: drive cove through containerd's runc shim (io.containerd.runc.v2 with the
# runtime binary swapped for cove, as `ctr run --runc-binary` or the runc options' BinaryName do).
# Each test runs its own containerd (root, state and sockets under a temp dir, CRI plugin off)
# and a namespace of its own; ctrd_teardown stops all of it even when the test failed.

CTRD_RUNTIME=${ENGINE_RUNTIME:-$COVE}
CTRD_IMAGE=localhost/cove-busybox:latest

ctrd_setup() {
  build_rootfs_cache
  CTRD_TMP=$(mktemp -d /tmp/cove-containerd.XXXXXX)
  CTRD_NS=cove-test-$$-${BATS_TEST_NUMBER:-0}
  TEST_CGROUP_PARENT=/cove-containerd-$$-${BATS_TEST_NUMBER:-0}
  # the shim makes /run/containerd/{fifo,runc,s}: remove them afterwards only if we made them
  CTRD_MADE_RUN=0
  [ -e /run/containerd ] || CTRD_MADE_RUN=1
  cat >"$CTRD_TMP/config.toml" <<CONF
version = 2
root = "$CTRD_TMP/root"
state = "$CTRD_TMP/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_TMP/containerd.sock"
[ttrpc]
  address = "$CTRD_TMP/containerd.sock.ttrpc"
[debug]
  address = "$CTRD_TMP/debug.sock"
CONF
  containerd --config "$CTRD_TMP/config.toml" >"$CTRD_TMP/containerd.log" 2>&1 3>&- &
  CTRD_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    ctr -a "$CTRD_TMP/containerd.sock" version >/dev/null 2>&1 && break
    sleep 0.05
  done
  "$BATS_TEST_DIRNAME/../engines/mkimage.sh" "$ROOTFS_CACHE" "$CTRD_TMP/image.tar" "$CTRD_IMAGE"
  ctrc image import "$CTRD_TMP/image.tar" >/dev/null
}

# ctrc ARGS...: ctr on the test's containerd and namespace, bounded.
ctrc() {
  timeout "${ENGINE_TIMEOUT:-60}" ctr -a "$CTRD_TMP/containerd.sock" -n "$CTRD_NS" "$@"
}

# ctrd_run ID [ctr run options...] -- ARGS...: `ctr run` of the test image with cove as the shim's
# runtime binary and the container's cgroup under the test's parent.
ctrd_run() {
  local id=$1 opts=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  shift
  ctrc run --runc-binary "$CTRD_RUNTIME" --cgroup "$TEST_CGROUP_PARENT/$id" "${opts[@]}" "$CTRD_IMAGE" "$id" "$@"
}

# the shim's runtime state root for our namespace (runc's default layout: /run/containerd/runc/NS)
ctrd_runtime() {
  "$CTRD_RUNTIME" --root "/run/containerd/runc/$CTRD_NS" "$@"
}

ctrd_teardown() {
  [ -n "${CTRD_TMP:-}" ] && [ -d "$CTRD_TMP" ] || return 0
  local t c
  if [ -n "${CTRD_PID:-}" ]; then
    for t in $(ctrc task ls -q 2>/dev/null); do
      ENGINE_TIMEOUT=20 ctrc task kill -s KILL "$t" >/dev/null 2>&1 || true
      ENGINE_TIMEOUT=20 ctrc task delete -f "$t" >/dev/null 2>&1 || true
    done
    for c in $(ctrc container ls -q 2>/dev/null); do
      ENGINE_TIMEOUT=20 ctrc container delete "$c" >/dev/null 2>&1 || true
    done
    kill "$CTRD_PID" 2>/dev/null || true
    wait "$CTRD_PID" 2>/dev/null || true
  fi
  # a shim left behind (named by our containerd's socket) is ours to end
  local pids
  pids=$(pgrep -f -- "-address $CTRD_TMP/containerd.sock" || true)
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  if [ -d "/run/containerd/runc/$CTRD_NS" ]; then
    for c in $(ctrd_runtime list -q 2>/dev/null); do
      ctrd_runtime delete -f "$c" >/dev/null 2>&1 || true
    done
    rm -rf "/run/containerd/runc/$CTRD_NS"
  fi
  grep -o " $CTRD_TMP[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  remove_test_cgroups
  if [ "${CTRD_MADE_RUN:-0}" = 1 ]; then
    rmdir /run/containerd/fifo /run/containerd/runc /run/containerd/s /run/containerd 2>/dev/null || true
  fi
  rm -rf "$CTRD_TMP"
}
