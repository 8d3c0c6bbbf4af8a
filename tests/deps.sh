#!/usr/bin/env bash
# Installs the Debian packages cove's build and tests need; quiet and fast when all are there.
set -euo pipefail

pkgs=(
  build-essential pkg-config clang libclang-rt-14-dev
  libseccomp-dev libcap-dev libyajl-dev libmnl-dev libcmocka-dev
  bats bats-assert bats-support busybox-static jq iproute2 util-linux procps
  golang-github-containers-common runc podman containerd catatonit
  go-md2man man-db python3 zsh fish
  qemu-system-x86 debootstrap e2fsprogs
  crun hyperfine
  libsystemd-dev
  python3 python3-grpcio python3-grpc-tools
)

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
