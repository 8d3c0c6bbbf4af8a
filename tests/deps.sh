#!/usr/bin/env bash
# Installs the Debian packages cove's build and tests need; quiet and fast when all are there.
#   tests/deps.sh --check   install nothing: check that every tool in `tools` below is there and
#                           comes from the package it names, and print, for each one missing,
#                           the package to install; exit 1 if any is (tests/integration/deps.bats)
set -euo pipefail

pkgs=(
  build-essential binutils pkg-config clang libclang-rt-14-dev
  libseccomp-dev libcap-dev libyajl-dev libmnl-dev libcmocka-dev libsystemd-dev
  bats bats-assert bats-support busybox-static jq iproute2 util-linux procps
  golang-github-containers-common runc podman containerd catatonit
  go-md2man man-db python3 zsh fish
  qemu-system-x86 debootstrap e2fsprogs
  crun hyperfine
  libsystemd-dev
  python3 python3-grpcio python3-grpc-tools
  strace psmisc systemd containernetworking-plugins
  criu libprotobuf-c-dev protobuf-c-compiler iptables
  uidmap
)

# What the build, the tests (bats files, tests/engines, tests/vm's host side) and bench/ run,
# and the package of pkgs above that provides it, itself or as one of its dependencies
# (`dpkg -S` of the file; essential and required packages need not be in pkgs: every Debian
# system has them).  A tool is a command on PATH, an absolute path, pc:MODULE (pkg-config) or
# py:MODULE (a module of Debian's /usr/bin/python3).  Add a line when a test starts using a tool.
tools=(
  # build
  "gcc build-essential" "make build-essential" "pkg-config pkg-config"
  "pc:libseccomp libseccomp-dev" "pc:libcap libcap-dev" "pc:yajl libyajl-dev" "pc:libmnl libmnl-dev"
  "pc:cmocka libcmocka-dev" "/usr/include/systemd/sd-journal.h libsystemd-dev"
  "clang clang"
  # tests/check-layers.sh (the call graph from the objects) and seccomp.bats (a build's id)
  "nm binutils" "readelf binutils" "tsort coreutils"
  # checkpoint/restore: CRIU's RPC messages are generated from the criu package's rpc.proto
  "pc:libprotobuf-c libprotobuf-c-dev" "protoc-c protobuf-c-compiler" "/usr/include/criu/rpc.proto criu"
  "criu criu" "crit criu"
  # bats suites and their helpers
  "bats bats" "/usr/lib/bats/bats-support/load.bash bats-support" "/usr/lib/bats/bats-assert/load.bash bats-assert"
  "/bin/busybox busybox-static" "jq jq" "ip iproute2" "unshare util-linux" "nsenter util-linux"
  "mount mount" "pgrep procps" "ps procps" "sysctl procps" "script bsdutils" "chrt util-linux"
  "timeout coreutils" "sha256sum coreutils" "tar tar"
  # engines.bats (podman, containerd), spec.bats (runc), cri.bats (containerd's CRI plugin, the
  # CRI client), logging.bats (a private systemd-journald)
  "podman podman" "conmon podman" "/usr/libexec/podman/catatonit catatonit"
  "/usr/share/containers/seccomp.json golang-github-containers-common"
  "runc runc" "containerd containerd" "ctr containerd" "containerd-shim-runc-v2 containerd"
  "/usr/bin/python3 python3" "py:grpc python3-grpcio" "py:grpc_tools python3-grpc-tools"
  "py:google.protobuf python3-grpcio" "/usr/lib/cni/host-device containernetworking-plugins"
  "/usr/lib/cni/static containernetworking-plugins"
  "/lib/systemd/systemd-journald systemd" "journalctl systemd"
  # rootless.bats: a multi-id user namespace map of an unprivileged user (setuid helpers)
  "newuidmap uidmap" "newgidmap uidmap"
  # install.bats: the man pages and shell completions
  "go-md2man go-md2man" "man man-db" "zsh zsh" "fish fish"
  # the VM lanes (tests/vm): QEMU, the image builder; the initramfs takes VM_HOST_PKGS' files
  # from the host (checked below)
  "qemu-system-x86_64 qemu-system-x86" "debootstrap debootstrap" "mkfs.ext4 e2fsprogs" "flock util-linux"
  "dpkg-deb dpkg"
  # bench/
  "crun crun" "hyperfine hyperfine"
)

# --check: one line per problem, "deps: ..." naming the package; exit 1 if any
check() {
  local here bad=0 t tool pkg path owner
  here=$(cd "$(dirname "$0")" && pwd)
  local -A listed=() pulled=()
  for p in "${pkgs[@]}"; do listed[$p]=1; done
  # depends PKG...: the packages they depend on, one a line
  depends() {
    dpkg-query -W -f='${Depends}, ${Pre-Depends}, ' "$@" 2>/dev/null | tr ',|' '\n' | sed -E 's/^ *//; s/[ :(].*//'
  }
  for p in $(depends "${pkgs[@]}" | sort -u); do pulled[$p]=1; done
  # owner_of PATH: the package that ships PATH, or the first link on the way from it that a
  # package ships (/usr/bin/cc -> /etc/alternatives/cc -> ...); merged /usr: dpkg knows
  # /usr/sbin/ip as /sbin/ip
  owner_of() {
    local p=$1 next i o
    for ((i = 0; i < 8; i++)); do
      o=$(dpkg-query -S "$p" 2>/dev/null || dpkg-query -S "${p#/usr}" 2>/dev/null ||
        dpkg-query -S "/usr$p" 2>/dev/null) && { echo "${o%%:*}"; return; }
      next=$(readlink "$p") || return 0
      case $next in /*) p=$next ;; *) p=$(dirname "$p")/$next ;; esac
    done
  }
  # a package counts as in the list when it is, or when every Debian system has it
  in_list() {
    [ -n "${listed[$1]:-}" ] ||
      dpkg-query -W -f='${Essential} ${Priority}' "$1" 2>/dev/null | grep -qE '^yes|required'
  }
  for t in "${tools[@]}"; do
    tool=${t% *} pkg=${t##* }
    if ! in_list "$pkg"; then
      echo "deps: $pkg (for $tool) is not in tests/deps.sh's package list"
      bad=1
    fi
    path=
    case $tool in
    pc:*) path=$(pkg-config --path "${tool#pc:}" 2>/dev/null) || path= ;;
    py:*) path=$(/usr/bin/python3 -c "import ${tool#py:} as m; print(m.__file__)" 2>/dev/null) || path= ;;
    /*) [ -e "$tool" ] && path=$tool ;;
    *) path=$(command -v "$tool" 2>/dev/null) || path= ;;
    esac
    if [ -z "$path" ]; then
      echo "deps: missing $tool: apt-get install $pkg (make deps installs it)"
      bad=1
      continue
    fi
    # the file comes from the package named (or from one it depends on): the table stays true
    owner=$(owner_of "$path")
    if [ -z "$owner" ]; then
      echo "deps: $tool ($path) is in no Debian package; the tests expect it from $pkg"
      bad=1
    elif [ "$owner" != "$pkg" ] && ! depends "$pkg" | grep -qx "$owner"; then
      echo "deps: $tool ($path) comes from $owner, which is not $pkg nor one of its dependencies"
      bad=1
    fi
  done
  # the v2 lane's initramfs copies these host packages' files; a missing one is left out of it
  # (tests/vm/build-image.sh) and the guest's tests then fail far from the cause
  # shellcheck source=vm/lib.sh
  . "$here/vm/lib.sh"
  # (the criu lane's initramfs takes VM_CRIU_PKGS' too)
  for p in "${VM_HOST_PKGS[@]}" "${VM_CRIU_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' ok installed'; then
      echo "deps: missing package $p (the VM lanes' initramfs takes its files from the host): apt-get install $p"
      bad=1
    elif ! in_list "$p" && [ -z "${pulled[$p]:-}" ]; then
      echo "deps: $p (tests/vm/lib.sh VM_HOST_PKGS or VM_CRIU_PKGS) is neither in tests/deps.sh's package list nor pulled in by one"
      bad=1
    fi
  done
  [ "$bad" -eq 0 ] &&
    echo "deps: all ${#tools[@]} tools and $((${#VM_HOST_PKGS[@]} + ${#VM_CRIU_PKGS[@]})) VM host packages are there"
  return "$bad"
}
if [ "${1:-}" = --check ]; then
  check
  exit
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: need root to install packages: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
