#!/usr/bin/env bash
# bench/seccomp.sh: the cost of a large seccomp profile on `run` of /bin/true.
#
# The profile is podman's (/usr/share/containers/seccomp.json, read at run time and flattened to
# OCI form with jq for this arch and runc's default capabilities).  Measured, N runs each, in one
# go on this machine:
#   cove  no seccomp          baseline
#   cove  profile, cold cache  the compiled-filter cache removed before every run (libseccomp
#                              compiles the profile each time)
#   cove  profile, warm cache  the normal case: the BPF comes from <root>/.cove/seccomp-cache
#   runc  profile              runc compiles it on every run (it has no cache)
#   crun  profile              when crun accepts the host (crun 1.8.1 refuses a hybrid cgroup
#                              host: the failure is recorded, not hidden)
# Prints mean and median wall-clock ms per run and the ratios.  The variants run round-robin.
#
# On the 2-core dev VM (kernel 6.18, libseccomp 2.5.4, hybrid cgroups, other work running), N=30:
#   cove no seccomp 26.5 ms, cove cold cache 64.8 ms, cove warm cache 26.3 ms,
#   runc no seccomp 43.6 ms, runc profile 70.0 ms, crun 1.8.1: refuses the hybrid host.
#   The cache removes the whole compile (~35 ms of libseccomp work for this profile).
#
#   bench/seccomp.sh [N]          (root; COVE=path/to/cove, default ./cove or build/cove)
set -euo pipefail

N=${1:-50}
REPO=$(cd "$(dirname "$0")/.." && pwd)
COVE=${COVE:-$( [ -x "$REPO/cove" ] && echo "$REPO/cove" || echo "$REPO/build/cove")}
RUNC=${RUNC:-/usr/sbin/runc}
CRUN=${CRUN:-$(command -v crun || true)}
BUSYBOX=${BUSYBOX:-/bin/busybox}
PROFILE=/usr/share/containers/seccomp.json

[ "$(id -u)" -eq 0 ] || { echo "bench/seccomp.sh: needs root" >&2; exit 1; }
[ -r "$PROFILE" ] || { echo "bench/seccomp.sh: needs $PROFILE (golang-github-containers-common)" >&2; exit 1; }
[ -x "$COVE" ] || { echo "bench/seccomp.sh: no cove binary at $COVE" >&2; exit 1; }

WORK=$(mktemp -d /tmp/cove-bench-seccomp.XXXXXX)
cleanup() {
  local r
  for r in "$WORK"/root-*; do
    [ -d "$r" ] || continue
    "$COVE" --root "$r" list -q 2>/dev/null | xargs -r -n1 "$COVE" --root "$r" delete -f >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- bundles ----
mkdir -p "$WORK/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$WORK/rootfs/bin/busybox"
ln -s busybox "$WORK/rootfs/bin/true"
ln -s busybox "$WORK/rootfs/bin/sh"

caps='["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]'
arch=$(uname -m)
case $arch in
x86_64) goarch=amd64 scmp=SCMP_ARCH_X86_64 ;;
aarch64) goarch=arm64 scmp=SCMP_ARCH_AARCH64 ;;
*) goarch=$arch scmp=SCMP_ARCH_$(echo "$arch" | tr a-z A-Z) ;;
esac
jq --argjson caps "$caps" --arg goarch "$goarch" --arg scmp "$scmp" '
  def has_cap($c): $caps | index($c) != null;
  {
    defaultAction, defaultErrnoRet,
    architectures: ([.archMap[] | select(.architecture == $scmp) | [.architecture] + .subArchitectures] | first // [$scmp]),
    syscalls: [.syscalls[]
      | select(((.includes.caps // []) | all(has_cap(.)))
               and ((.includes.arches // []) | length == 0 or any(. == $goarch))
               and ((.excludes.caps // []) | any(has_cap(.)) | not)
               and ((.excludes.arches // []) | any(. == $goarch) | not))
      | {names, action}
        + (if .errnoRet != null then {errnoRet} else {} end)
        + (if (.args // []) | length > 0 then {args: [.args[] | {index, value, valueTwo, op}]} else {} end)]
  }' "$PROFILE" >"$WORK/profile.json"

make_bundle() { # DIR WITH_SECCOMP(0/1)
  local dir=$1
  mkdir -p "$dir"
  jq -n --arg rootfs "$WORK/rootfs" --argjson caps "$caps" --slurpfile prof "$WORK/profile.json" --argjson sc "$2" --arg cg "cove-bench-sc-$$" '
  {
    ociVersion: "1.0.2",
    process: {terminal: false, user: {uid: 0, gid: 0}, args: ["/bin/true"], cwd: "/",
      env: ["PATH=/bin"], capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
      noNewPrivileges: true},
    root: {path: $rootfs, readonly: true},
    hostname: "bench",
    mounts: [{destination: "/proc", type: "proc", source: "proc"},
      {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]}],
    linux: ({namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}]}
      + (if $sc == 1 then {seccomp: $prof[0]} else {} end))
  }' >"$dir/config.json"
}
make_bundle "$WORK/b-plain" 0
make_bundle "$WORK/b-seccomp" 1

now_ns() { date +%s%N; }

# Variants run round-robin (one run of each per round), so load from anything else on the machine
# spreads over all of them instead of skewing whichever ran at the wrong moment.
NAMES=() RTS=() ROOTS=() BUNDLES=() COLDS=()
variant() { # NAME RUNTIME ROOT BUNDLE [cold]
  local out
  mkdir -p "$3"
  chmod 0700 "$3"
  # one warm-up run (page cache; the seccomp cache unless cold), which also tells if it works
  if ! out=$("$2" --root "$3" run --bundle "$4" "bench-w-$$" 2>&1 </dev/null); then
    printf '%-30s failed: %s\n' "$1" "$(echo "$out" | tail -n1)"
    "$2" --root "$3" delete -f "bench-w-$$" >/dev/null 2>&1 || true
    return 0
  fi
  "$2" --root "$3" delete -f "bench-w-$$" >/dev/null 2>&1 || true
  NAMES+=("$1") RTS+=("$2") ROOTS+=("$3") BUNDLES+=("$4") COLDS+=("${5:-}")
}

echo "# bench/seccomp.sh: run of /bin/true, podman profile ($(jq '[.syscalls[].names[]] | length' "$WORK/profile.json") syscall names, $(jq '.syscalls | length' "$WORK/profile.json") rules), N=$N, $(uname -r), $(nproc) cpus"
echo "# cove: $("$COVE" --version | head -n1)   runc: $("$RUNC" --version | head -n1)   crun: $([ -n "$CRUN" ] && "$CRUN" --version | head -n1 || echo none)"
variant "cove  no seccomp" "$COVE" "$WORK/root-cove-plain" "$WORK/b-plain"
variant "cove  profile, cold cache" "$COVE" "$WORK/root-cove-cold" "$WORK/b-seccomp" cold
variant "cove  profile, warm cache" "$COVE" "$WORK/root-cove-warm" "$WORK/b-seccomp"
variant "runc  no seccomp" "$RUNC" "$WORK/root-runc-plain" "$WORK/b-plain"
variant "runc  profile" "$RUNC" "$WORK/root-runc" "$WORK/b-seccomp"
if [ -n "$CRUN" ]; then
  variant "crun  profile" "$CRUN" "$WORK/root-crun" "$WORK/b-seccomp"
fi

declare -A TIMES MEAN
for ((i = 0; i < N; i++)); do
  for v in "${!NAMES[@]}"; do
    [ -z "${COLDS[$v]}" ] || rm -rf "${ROOTS[$v]}/.cove/seccomp-cache"
    t0=$(now_ns)
    "${RTS[$v]}" --root "${ROOTS[$v]}" run --bundle "${BUNDLES[$v]}" "bench-$i-$$" >/dev/null 2>&1 </dev/null
    t1=$(now_ns)
    TIMES[$v]+="$(((t1 - t0) / 1000)) "
    "${RTS[$v]}" --root "${ROOTS[$v]}" delete -f "bench-$i-$$" >/dev/null 2>&1 || true
  done
done
for v in "${!NAMES[@]}"; do
  stats=$(printf '%s\n' ${TIMES[$v]} | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%.2f %.2f", s/NR/1000, a[int((NR+1)/2)]/1000}')
  MEAN[${NAMES[$v]}]=${stats%% *}
  printf '%-30s mean %8s ms   median %8s ms   (n=%d)\n' "${NAMES[$v]}" "${stats%% *}" "${stats##* }" "$N"
done

ratio() { # A B
  if [ -n "${MEAN[$1]:-}" ] && [ -n "${MEAN[$2]:-}" ]; then
    awk -v a="${MEAN[$1]}" -v b="${MEAN[$2]}" -v n1="$1" -v n2="$2" 'BEGIN {printf "%-30s / %-30s = %.2f\n", n1, n2, a/b}'
  fi
}
echo "# ratios (mean)"
ratio "cove  profile, warm cache" "runc  profile"
ratio "cove  profile, cold cache" "runc  profile"
ratio "cove  profile, warm cache" "cove  profile, cold cache"
ratio "cove  profile, warm cache" "cove  no seccomp"
ratio "runc  profile" "runc  no seccomp"
