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

# The runs are interleaved (cove, cove without the memfd, runc, crun in each round) so that the
# load of a shared machine weighs on all of them alike; one warm-up round first.
now_us() { echo $(($(date +%s%N) / 1000)); }
median() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f\n", m / 1000}'; }

cd "$tmp/bundle"
have_runc=false have_crun=false
[ -n "$RUNC" ] && "$RUNC" --root "$tmp/runc-state" run bench >/dev/null 2>&1 && have_runc=true
[ -n "$CRUN" ] && "$CRUN" --root "$tmp/crun-state" run bench >/dev/null 2>&1 && have_crun=true
"$COVE" --root "$tmp/cove-state" run bench >/dev/null
: >"$tmp/cove" ; : >"$tmp/unsealed" ; : >"$tmp/runc" ; : >"$tmp/crun"
for ((i = 0; i < N; i++)); do
  t0=$(now_us); "$COVE" --root "$tmp/cove-state" run bench >/dev/null; t1=$(now_us)
  echo $((t1 - t0)) >>"$tmp/cove"
  t0=$(now_us); COVE_UNSAFE_NO_SEALED_EXE=1 "$COVE" --root "$tmp/cove-state" run bench >/dev/null; t1=$(now_us)
  echo $((t1 - t0)) >>"$tmp/unsealed"
  if $have_runc; then
    t0=$(now_us); "$RUNC" --root "$tmp/runc-state" run bench >/dev/null 2>&1; t1=$(now_us)
    echo $((t1 - t0)) >>"$tmp/runc"
  fi
  if $have_crun; then
    t0=$(now_us); "$CRUN" --root "$tmp/crun-state" run bench >/dev/null 2>&1; t1=$(now_us)
    echo $((t1 - t0)) >>"$tmp/crun"
  fi
done
cove_ms=$(median <"$tmp/cove")
unsealed_ms=$(median <"$tmp/unsealed")
printf 'cove run /bin/true:            %8s ms (median of %d)\n' "$cove_ms" "$N"
printf '  without the sealed memfd:    %8s ms (the memfd re-exec costs %s ms)\n' "$unsealed_ms" \
  "$(awk -v a="$cove_ms" -v b="$unsealed_ms" 'BEGIN {printf "%.2f", a - b}')"
if $have_runc; then
  runc_ms=$(median <"$tmp/runc")
  printf 'runc run /bin/true:            %8s ms   runc/cove = %.2fx\n' "$runc_ms" "$(awk -v a="$runc_ms" -v b="$cove_ms" 'BEGIN {print a / b}')"
else
  echo "runc: not installed or fails on this host"
fi
if $have_crun; then
  crun_ms=$(median <"$tmp/crun")
  printf 'crun run /bin/true:            %8s ms   crun/cove = %.2fx\n' "$crun_ms" "$(awk -v a="$crun_ms" -v b="$cove_ms" 'BEGIN {print a / b}')"
else
  echo "crun: not installed, or refuses this host (crun 1.8.1 does not support hybrid cgroups)"
fi
cd /
for h in /sys/fs/cgroup/*/cove-bench; do [ -d "$h" ] && rmdir "$h" 2>/dev/null || true; done
