# podman.bash: drive cove through podman from bats, with nothing global touched.
# Loaded by tests/integration/engines.bats after helpers.bash.  Each test gets its own podman
# store, runroot, tmpdir, containers.conf, cove state root and cgroup parent, all under one temp
# dir, and engines_teardown removes every one of them even when the test failed.
#
# ENGINE_RUNTIME selects the OCI runtime podman runs (default: $COVE), so the same tests can be
# run against runc for comparison:  ENGINE_RUNTIME=/usr/sbin/runc bats tests/integration/engines.bats

ENGINE_RUNTIME=${ENGINE_RUNTIME:-$COVE}
ENGINE_IMAGE=localhost/cove-busybox
# every podman call is bounded: a hung runtime fails the test instead of the run
ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}

# podman_conf FILE MANAGER ULIMIT...: the containers.conf of the tests' podman: the cgroup
# manager (cgroupfs or systemd), the default ulimits given, no network namespace (no netavark or
# slirp4netns), and logs and events in files (no journald).
podman_conf() {
  local file=$1 manager=$2 limits
  shift 2
  limits=$(printf '"%s", ' "$@")
  cat >"$file" <<CONF
[containers]
default_ulimits = [${limits%, }]
netns = "none"
log_driver = "k8s-file"
[engine]
cgroup_manager = "$manager"
events_logger = "file"
CONF
}

# user_podman_setup DIR UID GID MANAGER: a rootless podman of a test's own for the user UID:GID in
# DIR (made, the user's): DIR/containers.conf (cgroup manager MANAGER), a store, runroot and tmpdir
# (vfs: no fuse-overlayfs needed) and DIR/image.tar, the rootfs cache for `podman import`.
# USER_PODMAN is the command line, for the caller to run as the user (it sets CONTAINERS_CONF
# itself, so it also works where the caller's environment is not passed on, as systemd-run's).
user_podman_setup() {
  local dir=$1
  build_rootfs_cache
  mkdir -p "$dir"
  podman_conf "$dir/containers.conf" "$4" nofile=1024:1024
  tar -C "$ROOTFS_CACHE" -c . >"$dir/image.tar"
  chmod 644 "$dir/containers.conf" "$dir/image.tar"
  chown "$2:$3" "$dir"
  USER_PODMAN=(env CONTAINERS_CONF="$dir/containers.conf" /usr/bin/timeout -s KILL 90 podman
    --root "$dir/store" --runroot "$dir/runroot" --tmpdir "$dir/tmp" --storage-driver vfs --runtime "$COVE")
}

# engines_setup [MANAGER]: $ENG_TMP, $ENG_STATE (the runtime's --root), $TEST_CGROUP_PARENT, and
# an imported busybox image (the shared rootfs cache: busybox-static, applet links, the test
# helper); podman's cgroup manager is MANAGER (default cgroupfs).
engines_setup() {
  build_rootfs_cache
  ENG_TMP=$(mktemp -d /tmp/cove-engines.XXXXXX)
  ENG_STATE=$ENG_TMP/runtime-state
  TEST_CGROUP_PARENT=/cove-engines-$$-${BATS_TEST_NUMBER:-0}
  mkdir -p "$ENG_TMP"/{store,runroot,tmpdir,networks} "$ENG_STATE"
  chmod 0700 "$ENG_STATE"
  # The host's hard limits are below podman's defaults (nofile 1048576) and the test root lacks
  # CAP_SYS_RESOURCE, so runc and cove alike fail setrlimit: ask for limits the host allows.
  podman_conf "$ENG_TMP/containers.conf" "${1:-cgroupfs}" nofile=1024:1024 nproc=4096:4096
  # podman passes --runtime-flag to create/start/exec but not to the `delete` its exit command
  # (`podman container cleanup`) runs, so a state root given that way leaks containers: a
  # two-line wrapper gives every call the test's own root instead of the global /run/cove.
  ENG_RUNTIME_WRAPPER=$ENG_TMP/runtime
  printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$ENGINE_RUNTIME" "$ENG_STATE" >"$ENG_RUNTIME_WRAPPER"
  chmod 0755 "$ENG_RUNTIME_WRAPPER"
  tar -C "$ROOTFS_CACHE" -c . | pod import - "$ENGINE_IMAGE" >/dev/null 2>&1
}

# pod ARGS...: podman on the test's own store with $ENGINE_RUNTIME; run/create get the test's
# cgroup parent so the host check and the teardown know where the container's cgroups are.
pod() {
  local sub=$1
  shift
  local extra=()
  case $sub in
  run | create) extra=(--cgroup-parent "$TEST_CGROUP_PARENT") ;;
  esac
  CONTAINERS_CONF=$ENG_TMP/containers.conf timeout "$ENGINE_TIMEOUT" podman \
    --root "$ENG_TMP/store" --runroot "$ENG_TMP/runroot" --tmpdir "$ENG_TMP/tmpdir" \
    --network-config-dir "$ENG_TMP/networks" \
    --runtime "$ENG_RUNTIME_WRAPPER" \
    "$sub" "${extra[@]}" "$@"
}

# The runtime's own view of a container: `cove --root $ENG_STATE state ID`.
engine_runtime() {
  "$ENGINE_RUNTIME" --root "$ENG_STATE" "$@"
}

# pod_wait_status NAME STATUS: poll podman's status of NAME (bounded, no blind sleep).
pod_wait_status() {
  local name=$1 want=$2 i st=
  for ((i = 0; i < 250; i++)); do
    st=$(pod inspect -f '{{.State.Status}}' "$name" 2>/dev/null) || true
    [ "$st" = "$want" ] && return 0
    sleep 0.04
  done
  echo "container $name: status '$st', wanted '$want'" >&2
  return 1
}

# host_cgroup_file NAME CONTROLLER FILE: path, seen from the host, of FILE in the cgroup of
# container NAME's init for CONTROLLER (the v1 hierarchy; the unified one on a cgroup2 host).
host_cgroup_file() {
  local name=$1 ctrl=$2 file=$3 pid rel
  pid=$(pod inspect -f '{{.State.Pid}}' "$name") || return 1
  [ "$pid" -gt 0 ] || return 1
  if [ "$(cgroup_mode)" = unified ]; then
    rel=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup$rel/$file"
  else
    rel=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
    echo "/sys/fs/cgroup/$ctrl$rel/$file"
  fi
}

# is_frozen NAME: the container's cgroup is frozen, seen from the host: by the v1 freezer or by
# the cgroup2 freezer, whichever the runtime used (on a hybrid host runc uses v1, cove cgroup2).
is_frozen() {
  local pid rel v1
  pid=$(pod inspect -f '{{.State.Pid}}' "$1") || return 1
  rel=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  if [ "$(cgroup_mode)" = unified ]; then
    grep -qx 'frozen 1' "/sys/fs/cgroup$rel/cgroup.events"
    return
  fi
  v1=$(host_cgroup_file "$1" freezer freezer.state)
  [ "$(cat "$v1")" = FROZEN ] && return 0
  [ "$(cgroup_mode)" = hybrid ] && grep -qx 'frozen 1' "/sys/fs/cgroup/unified$rel/cgroup.events"
}

# engines_teardown: remove every container, the store (unmounting what podman mounted under the
# temp dir), the test's cgroup parent and the temp dir.  Safe after a half-done setup.
engines_teardown() {
  [ -n "${ENG_TMP:-}" ] && [ -d "$ENG_TMP" ] || return 0
  ENGINE_TIMEOUT=30 pod rm -a -f -t 0 >/dev/null 2>&1 || true
  # conmon runs `podman container cleanup` after a container exits, asynchronously: let those
  # (named by this test's store path) finish, so none recreates the store after the rm -rf
  local i pids
  for ((i = 0; i < 100; i++)); do
    pids=$(pgrep -f -- "$ENG_TMP/store" | grep -vx "$$" || true)
    [ -z "$pids" ] && break
    sleep 0.05
  done
  [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
  ENGINE_TIMEOUT=30 pod system reset -f >/dev/null 2>&1 || true
  # what podman or the runtime left: containers in the runtime's state root, then mounts
  local id
  for id in $("$ENGINE_RUNTIME" --root "$ENG_STATE" list -q 2>/dev/null); do
    "$ENGINE_RUNTIME" --root "$ENG_STATE" delete -f "$id" >/dev/null 2>&1 || true
  done
  grep -o " $ENG_TMP[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  remove_test_cgroups
  rm -rf "$ENG_TMP"
}
