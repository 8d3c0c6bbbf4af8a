#!/bin/sh
# build.sh BUILD: links fs-driver from the filesystem, common and oci objects
# of BUILD (make BUILD=... builds them), so it works while other modules are mid-change.
set -e
B=${1:-build/fs}
cd "$(dirname "$0")/../.."
objs=""
for f in common/*.c oci/*.c runtime/rootfs/mount_opts.c runtime/rootfs/resolve.c runtime/rootfs/mounts.c runtime/rootfs/mountfd.c runtime/rootfs/parent.c \
  runtime/rootfs/devices.c runtime/rootfs/pivot.c runtime/rootfs/procfs.c runtime/rootfs/masked.c runtime/rootfs/idmap.c \
  runtime/rootfs/cgroupfs.c runtime/rootfs/overlay.c runtime/rootfs/rootfs.c runtime/rootfs/label.c; do
  o=$B/${f%.c}.o
  make -s BUILD="$B" "$o" >/dev/null
  objs="$objs $o"
done
mkdir -p "$B/tests"
gcc -std=gnu17 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I. -o "$B/tests/fs-driver" \
  tests/fs-driver/fs-driver.c $objs $(pkg-config --libs yajl libseccomp libcap libmnl 2>/dev/null)
