#!/usr/bin/env bash
# demo.sh: `make demo`: build a busybox bundle in a temp dir, `cove run` a container that prints
# its hostname, that it is pid 1, and how its namespaces differ from the host's; then clean up.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
COVE=${COVE:-$here/cove}
BUSYBOX=${BUSYBOX:-/bin/busybox}

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: cove needs root to create namespaces and cgroups (try: sudo make demo)" >&2
  exit 1
fi
[ -x "$COVE" ] || { echo "demo: $COVE not built" >&2; exit 1; }
[ -x "$BUSYBOX" ] || { echo "demo: busybox not found at $BUSYBOX (apt-get install busybox-static)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/cove-demo.XXXXXX)
root=$tmp/state
id=cove-demo-$$
cleanup() {
  "$COVE" --root "$root" delete -f "$id" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# a busybox rootfs: one static binary and its applet links
mkdir -p "$tmp/bundle/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$tmp/bundle/rootfs/bin/busybox"
for applet in sh echo hostname readlink cat; do
  ln -s busybox "$tmp/bundle/rootfs/bin/$applet"
done
chmod 755 "$tmp" "$tmp/bundle"

# the host's namespaces, passed in so the container can compare
host_ns=""
for ns in cgroup ipc mnt net pid uts; do
  host_ns="$host_ns $ns=$(readlink /proc/self/ns/$ns)"
done

cat >"$tmp/bundle/config.json" <<JSON
{
  "ociVersion": "1.3.0",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": ["sh", "-c", "echo \"hostname: \$(hostname)\"; echo \"pid: \$\$\"; for kv in \$HOST_NS; do ns=\${kv%%=*}; mine=\$(readlink /proc/self/ns/\$ns); if [ \"\$mine\" != \"\${kv#*=}\" ]; then echo \"\$ns namespace: \$mine (host: \${kv#*=})\"; else echo \"\$ns namespace: shared with the host\"; fi; done"],
    "env": ["PATH=/bin", "HOST_NS=$host_ns"],
    "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "cove-demo",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}
  ],
  "linux": {
    "cgroupsPath": "/cove-demo-$$",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/kcore", "/proc/keys"],
    "readonlyPaths": ["/proc/sys"]
  }
}
JSON

echo "\$ cove run $id   (bundle: $tmp/bundle)"
"$COVE" --root "$root" run --bundle "$tmp/bundle" "$id"
echo "demo: the container exited 0 and was removed"
