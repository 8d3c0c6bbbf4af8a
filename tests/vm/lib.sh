# shellcheck shell=bash disable=SC2034
# lib.sh: settings shared by the VM lane's host-side scripts (sourced, not run).
#
# The images live outside the source tree, in $COVE_VM_CACHE (default /var/cache/cove-vm), and
# are keyed by the kernel package version and the package lists below: change a list and the next
# `make vm-image` builds a new image next to the old one, then prunes the old one.

COVE_VM_CACHE=${COVE_VM_CACHE:-/var/cache/cove-vm}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)

# Kernel modules the guests load (dependencies are resolved with busybox depmod).
VM_MODULES=(
  crc32c_generic virtio_pci virtio_blk 9p 9pnet_virtio ext4 overlay fuse loop zram
  veth bridge macvlan ipvlan dummy tun nf_tables nft_chain_nat nft_masq nf_nat
)

# Host packages whose files (and the libraries of their binaries) go into the initramfs lane:
# the shells and tools the bats suites use, and the libraries cove links against.
VM_HOST_PKGS=(
  bash dash libc-bin coreutils grep sed mawk findutils diffutils util-linux mount procps psmisc
  iproute2 jq bats bats-assert bats-support tar gzip strace
  libseccomp2 libcap2 libyajl2 libmnl0 libprotobuf-c1 libsystemd0
)

# The criu lane (`make check-criu`): the v2 guest plus CRIU, the iptables its network lock runs,
# podman (container checkpoint/restore with cove as the runtime), and the modules of CRIU's
# socket dumps (sock_diag), of that lock, and of its conntrack dump (ctnetlink: a host loads it on
# demand, the guest has no modprobe helper).
VM_CRIU_PKGS=(criu iptables podman conmon golang-github-containers-common)
VM_CRIU_MODULES=(unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag nft_compat xt_mark nf_conntrack_netlink)

# The systemd lane: Debian bookworm minbase plus these (apparmor: apparmor_parser, for the
# AppArmor tests of lsm.bats; Debian's kernel has AppArmor on by default; libpam-systemd and
# dbus-user-session: a lingering user's user@UID.service and its session bus, for the rootless
# --systemd-cgroup tests of systemd_user.bats).
VM_DEBOOTSTRAP_SUITE=bookworm
VM_DEBOOTSTRAP_PKGS=(
  systemd systemd-sysv dbus udev kmod iproute2 jq bats bats-assert bats-support busybox-static
  procps psmisc libseccomp2 libcap2 libyajl2 libmnl0 libprotobuf-c1 apparmor
  bpftool podman netavark libpam-systemd dbus-user-session
)

vm_log() { echo "vm: $*" >&2; }
vm_die() {
  echo "vm: error: $*" >&2
  exit 1
}

# The Debian mirror of the configured apt sources (deb822 or one-line format).
vm_mirror() {
  local m
  m=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')
  echo "${m:-http://deb.debian.org/debian}"
}

# The kernel package linux-image-amd64 depends on (linux-image-6.1.0-N-amd64).
vm_kernel_pkg() {
  local p
  p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [ -z "$p" ]; then
    vm_log "apt lists lack linux-image-amd64: running apt-get update"
    apt-get update -qq >/dev/null
    p=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  fi
  [ -n "$p" ] || vm_die "cannot resolve the kernel package of linux-image-amd64"
  echo "$p"
}

vm_pkg_version() {
  apt-cache show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ {print $2; exit}'
}
