#!/usr/bin/env bash
# run-true.sh: wall time of `run` of /bin/true, cove against runc (and crun when it works on this
# host), median of N runs (default 20) on the same busybox bundle.  Also the cost of cove's
# sealed-memfd re-exec (CVE-2019-5736 protection), measured by turning it off for comparison.
#   bench/run-true.sh [N]          COVE=path/to/cove  RUNC=/usr/sbin/runc  CRUN=crun
set -euo pipefail

N=${1:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
COVE=${COVE:-$here/cove}
RUNC=${RUNC:-$(command -v runc || true)}
CRUN=${CRUN:-$(command -v crun || true)}
BUSYBOX=${BUSYBOX:-/bin/busybox}

tmp=$(mktemp -d /tmp/cove-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bundle/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$tmp/bundle/rootfs/bin/busybox"
ln -s busybox "$tmp/bundle/rootfs/bin/true"
ln -s busybox "$tmp/bundle/rootfs/bin/sh"
chmod 755 "$tmp" "$tmp/bundle" "$tmp/bundle/rootfs"
cat >"$tmp/bundle/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/true"], "env": ["PATH=/bin"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "noNewPrivileges": true},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "bench",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "cgroupsPath": "/cove-bench",
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"]
  }
}
JSON

# median_ms CMD...: run CMD N times (after one warm-up), print the median wall time in ms
median_ms() {
  local i t0 t1 times=()
  "$@" >/dev/null 2>&1 || return 1
  for ((i = 0; i < N; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || return 1
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f\n", m / 1000}'
}

cd "$tmp/bundle"
cove_ms=$(median_ms "$COVE" --root "$tmp/cove-state" run bench)
cove_unsealed_ms=$(COVE_UNSAFE_NO_SEALED_EXE=1 median_ms "$COVE" --root "$tmp/cove-state" run bench)
printf 'cove run /bin/true:            %8s ms (median of %d)\n' "$cove_ms" "$N"
printf '  of which the sealed memfd:   %8s ms (same run without it: %s ms)\n' \
  "$(awk -v a="$cove_ms" -v b="$cove_unsealed_ms" 'BEGIN {printf "%.2f", a - b}')" "$cove_unsealed_ms"
if [ -n "$RUNC" ]; then
  runc_ms=$(median_ms "$RUNC" --root "$tmp/runc-state" run bench) || runc_ms=
  if [ -n "$runc_ms" ]; then
    printf 'runc run /bin/true:            %8s ms\n' "$runc_ms"
    printf 'ratio runc/cove:               %8s x\n' "$(awk -v a="$runc_ms" -v b="$cove_ms" 'BEGIN {printf "%.2f", a / b}')"
  else
    echo "runc: failed on this host"
  fi
fi
if [ -n "$CRUN" ]; then
  crun_ms=$(median_ms "$CRUN" --root "$tmp/crun-state" run bench) || crun_ms=
  if [ -n "$crun_ms" ]; then
    printf 'crun run /bin/true:            %8s ms\n' "$crun_ms"
  else
    echo "crun: refuses this host (crun 1.8.1 does not support hybrid cgroups)"
  fi
fi
for h in /sys/fs/cgroup/*/cove-bench; do [ -d "$h" ] && rmdir "$h" 2>/dev/null || true; done
