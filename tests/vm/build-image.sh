#!/usr/bin/env bash
# build-image.sh [initramfs|systemd|criu|all]: builds (or finds cached) the VM lanes' boot images
# in $COVE_VM_CACHE, from Debian packages only, and writes their paths (KERNEL=, INITRD=,
# SYSTEMD_IMG=) to $VM_IMAGE_ENV or $COVE_VM_CACHE/current.  `criu` builds the criu lane's own
# initramfs (the v2 one plus VM_CRIU_PKGS and VM_CRIU_MODULES), kept beside the v2 one.
#
#  - kernel: linux-image-6.1.0-N-amd64 (what linux-image-amd64 depends on), apt-get download +
#    dpkg -x; only vmlinuz is kept, modules go into the initramfs.
#  - initramfs (both lanes boot through it): static busybox, the modules of VM_MODULES with a
#    modules.dep from `busybox depmod`, the host's tools of VM_HOST_PKGS with their libraries, and
#    tests/vm/init.  Stage 1 of /init loads the modules and either copies the initramfs into a
#    tmpfs (v2 lane: pivot_root cannot leave an initramfs root) or mounts the systemd image, then
#    switch_roots.
#  - systemd image: debootstrap --variant=minbase of bookworm plus VM_DEBOOTSTRAP_PKGS, written
#    into a sparse ext4 file with mkfs.ext4 -d; the lanes boot it with snapshot=on.
# Each image's file name carries a hash of its inputs, so a change of kernel, package list or of
# these scripts builds a new image; older ones are removed afterwards.  Needs root.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

what=${1:-all}
case $what in initramfs | systemd | criu | all) ;; *) vm_die "usage: $0 [initramfs|systemd|criu|all]" ;; esac
[ "$(id -u)" -eq 0 ] || vm_die "building the VM images needs root (dpkg -x ownership, debootstrap)"

mkdir -p "$COVE_VM_CACHE/debs"
# One builder at a time (two lanes started in parallel share the cache).
exec 9>"$COVE_VM_CACHE/.lock"
flock 9

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

kpkg=$(vm_kernel_pkg)
krel=${kpkg#linux-image-}
kver=$(vm_pkg_version "$kpkg")
bbver=$(vm_pkg_version busybox-static)

# Fetch a package's .deb into the cache once (file name: apt-get download's, NAME_VERSION_ARCH).
fetch_deb() {
  local pkg=$1 ver=$2 f
  local -a found
  found=("$COVE_VM_CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb)
  f=${found[0]}
  if [ ! -e "$f" ]; then
    vm_log "downloading $pkg $ver"
    (cd "$COVE_VM_CACHE/debs" && apt-get download -q "$pkg=$ver" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    found=("$COVE_VM_CACHE/debs/${pkg}_${ver//:/%3a}_"*.deb)
    f=${found[0]}
    [ -e "$f" ] || vm_die "apt-get download $pkg=$ver failed"
  fi
  echo "$f"
}

# Copy a host file into the staging root at its canonical (merged-/usr) path; symlinks stay links.
stage_file() {
  local src=$1 root=$2 dir
  dir=$(readlink -f "$(dirname "$src")")
  mkdir -p "$root$dir"
  cp -a "$src" "$root$dir/" 2>/dev/null || cp -aL "$src" "$root$dir/"
}

# Copy the shared libraries an ELF file needs (ldd) into the staging root, under the names the
# dynamic loader looks for.
stage_libs() {
  local elf=$1 root=$2 lib dir
  { ldd "$elf" 2>/dev/null || true; } | { grep -oE '(=> )?/[^ ]+ \(0x' || true; } | sed -E 's/^=> //; s/ \(0x$//' |
    while read -r lib; do
      dir=$(readlink -f "$(dirname "$lib")")
      [ -e "$root$dir/${lib##*/}" ] && continue
      mkdir -p "$root$dir"
      cp -L "$lib" "$root$dir/${lib##*/}"
    done
}

is_elf() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# ---- kernel ----------------------------------------------------------------------------------
kernel=$COVE_VM_CACHE/vmlinuz-$krel
kdeb=$(fetch_deb "$kpkg" "$kver")
if [ ! -s "$kernel" ]; then
  tmp=$(mktemp -d /tmp/cove-vm-build.XXXXXX)
  dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$tmp" "./boot/vmlinuz-$krel"
  mv "$tmp/boot/vmlinuz-$krel" "$kernel.tmp" && mv "$kernel.tmp" "$kernel"
  rm -rf "$tmp"
  tmp=
fi

# ---- initramfs -------------------------------------------------------------------------------
want_pkgs=("${VM_HOST_PKGS[@]}")
modules=("${VM_MODULES[@]}")
variant=
if [ "$what" = criu ]; then
  want_pkgs+=("${VM_CRIU_PKGS[@]}")
  modules+=("${VM_CRIU_MODULES[@]}")
  variant=criu-
fi
host_pkgs=()
for p in "${want_pkgs[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qE ' ok installed$'; then
    host_pkgs+=("$p")
  else
    vm_log "warning: host package $p is not installed; the initramfs lane goes without it"
  fi
done

build_initramfs() {
  local t0=$SECONDS k root bb m f d
  tmp=$(mktemp -d /tmp/cove-vm-build.XXXXXX)
  k=$tmp/kernel root=$tmp/root
  vm_log "building the initramfs ($krel, key $irkey)"

  mkdir -p "$root"/usr/{bin,sbin,lib,lib64,libexec/cove-busybox} "$root"/{proc,sys,dev,tmp,run,root,newroot,mnt/src,mnt/build,mnt/ctl,etc/cove-vm,var/tmp}
  for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
  chmod 1777 "$root/tmp" "$root/var/tmp"

  # static busybox, its applets in a directory of their own, last on the guest's PATH
  bb=$(fetch_deb busybox-static "$bbver")
  dpkg-deb --fsys-tarfile "$bb" | tar -x -O ./bin/busybox >"$root/usr/bin/busybox"
  chmod 0755 "$root/usr/bin/busybox"
  for a in $("$root/usr/bin/busybox" --list); do
    ln -s /usr/bin/busybox "$root/usr/libexec/cove-busybox/$a"
  done

  # modules: the closure of VM_MODULES over the full package's modules.dep
  mkdir -p "$k"
  dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$k" "./lib/modules/$krel"
  "$root/usr/bin/busybox" depmod -b "$k" "$krel"
  local -A deps=() byname=() need=()
  local line path todo
  while read -r line; do
    path=${line%%:*}
    deps[$path]=${line#*:}
    m=${path##*/}
    m=${m%.ko}
    byname[${m//-/_}]=$path
  done <"$k/lib/modules/$krel/modules.dep"
  todo=()
  for m in "${modules[@]}"; do
    [ -n "${byname[${m//-/_}]:-}" ] || vm_die "module $m is not in $kpkg (built in? drop it from VM_MODULES)"
    todo+=("${byname[${m//-/_}]}")
  done
  while [ ${#todo[@]} -gt 0 ]; do
    path=${todo[0]}
    todo=("${todo[@]:1}")
    [ -n "${need[$path]:-}" ] && continue
    need[$path]=1
    for f in ${deps[$path]}; do todo+=("$f"); done
  done
  for f in "${!need[@]}"; do
    mkdir -p "$root/usr/lib/modules/$krel/$(dirname "$f")"
    cp "$k/lib/modules/$krel/$f" "$root/usr/lib/modules/$krel/$f"
  done
  cp "$k/lib/modules/$krel"/modules.{builtin,order} "$root/usr/lib/modules/$krel/"
  "$root/usr/bin/busybox" depmod -b "$root" "$krel"
  printf '%s\n' "${modules[@]}" >"$root/etc/cove-vm/modules"

  # the host's tools, whole packages less their docs, and every library their binaries need
  dpkg -L "${host_pkgs[@]}" | grep -vE '^/usr/share/(doc|man|info|locale|lintian|bash-completion|bug)(/|$)' |
    sort -u | while read -r f; do
      [ -L "$f" ] || [ -f "$f" ] || continue
      stage_file "$f" "$root"
    done
  find "$root/usr" -type f -perm -u+x -o -type f -name '*.so*' | while read -r f; do
    if is_elf "$f"; then stage_libs "$f" "$root"; fi
  done
  ln -sf dash "$root/usr/bin/sh"
  # the alternatives links of iptables (not in dpkg -L): CRIU's network lock runs iptables-restore
  if [ -e "$root/usr/sbin/xtables-nft-multi" ]; then
    for f in iptables iptables-restore iptables-save ip6tables ip6tables-restore ip6tables-save; do
      [ -e "$root/usr/sbin/$f" ] || ln -s xtables-nft-multi "$root/usr/sbin/$f"
    done
  fi

  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo cove-v2 >"$root/etc/hostname"
  ln -s /proc/self/mounts "$root/etc/mtab"
  # busybox init (it reaps the orphans of `cove run -d` as a real init would): stage 2 mounts the
  # API filesystems, then the lane runs once and powers the guest off
  cat >"$root/etc/inittab" <<'EOF'
::sysinit:/init stage2
::once:/init run
EOF
  install -m 0755 "$VM_DIR/init" "$root/init"

  (cd "$root" && find . | "$root/usr/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$tmp"
  tmp=
  vm_log "initramfs $(du -h "$initrd" | cut -f1) in $((SECONDS - t0)) s: $initrd"
}

# ---- systemd image ---------------------------------------------------------------------------
mirror=$(vm_mirror)

build_systemd() {
  local t0=$SECONDS r
  tmp=$(mktemp -d /tmp/cove-vm-build.XXXXXX)
  r=$tmp/root
  vm_log "debootstrapping $VM_DEBOOTSTRAP_SUITE from $mirror (key $sdkey)"
  local incl
  incl=$(IFS=,; echo "${VM_DEBOOTSTRAP_PKGS[*]}")
  if ! debootstrap --variant=minbase --include="$incl" "$VM_DEBOOTSTRAP_SUITE" "$r" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
    tail -n 30 "$tmp/debootstrap.log" >&2
    [ -f "$r/debootstrap/debootstrap.log" ] && tail -n 30 "$r/debootstrap/debootstrap.log" >&2
    vm_die "debootstrap failed"
  fi

  echo cove-systemd >"$r/etc/hostname"
  : >"$r/etc/fstab"
  tr -d '-' </proc/sys/kernel/random/uuid >"$r/etc/machine-id"
  mkdir -p "$r/mnt/src" "$r/mnt/build" "$r/mnt/ctl"
  # the lane's runner comes from the shared source tree, so this stub is all the image carries
  cat >"$r/usr/local/sbin/cove-vm-boot" <<'EOF'
#!/bin/bash
# Runs the cove VM lane's guest runner from the 9p share mounted by the initramfs, then powers the
# guest off at once (the results are on the share; the unit's Success/FailureAction are the backup).
if [ -r /mnt/src/tests/vm/guest-run.sh ]; then
  /bin/bash /mnt/src/tests/vm/guest-run.sh
else
  echo "cove-vm-boot: no /mnt/src/tests/vm/guest-run.sh" >&2
  echo 1 >/mnt/ctl/status
  echo "COVE-VM-STATUS=1" >/dev/console
fi
sync
systemctl poweroff --force --force
EOF
  chmod 0755 "$r/usr/local/sbin/cove-vm-boot"
  cat >"$r/etc/systemd/system/cove-vm-test.service" <<'EOF'
[Unit]
Description=cove VM test lane
After=basic.target

[Service]
TimeoutStopSec=10s
# Type=oneshot would keep the boot "starting" until it ends: exec, then power off at once when
# it ends (the results are on the 9p share already; poweroff-force waits on the guest's processes)
Type=exec
ExecStart=/usr/local/sbin/cove-vm-boot
StandardOutput=journal+console
StandardError=journal+console
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate

[Install]
WantedBy=multi-user.target
EOF
  mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
  ln -s ../cove-vm-test.service "$r/etc/systemd/system/multi-user.target.wants/cove-vm-test.service"
  # nothing on the console but the lane; no timers, no login prompts; no boot-time load of the
  # distribution's AppArmor profiles (the tests load their own with apparmor_parser)
  for u in getty@.service serial-getty@.service getty.target systemd-timesyncd.service \
    apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer apparmor.service; do
    ln -sf /dev/null "$r/etc/systemd/system/$u"
  done
  rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r/debootstrap"

  local size
  size=$(($(du -sm "$r" | cut -f1) + 768))
  mkfs.ext4 -q -F -L cove-root -d "$r" "$sdimg.tmp" "${size}M"
  mv "$sdimg.tmp" "$sdimg"
  rm -rf "$tmp"
  tmp=
  vm_log "systemd image ${size} MB (sparse, $(du -h "$sdimg" | cut -f1) used) in $((SECONDS - t0)) s: $sdimg"
}

# The keys: what goes into each image, including the code that builds it.
irkey=$( {
  echo "$kpkg=$kver busybox-static=$bbver ${modules[*]}"
  dpkg-query -W -f='${Package}=${Version}\n' "${host_pkgs[@]}"
  declare -f build_initramfs stage_file stage_libs is_elf
  cat "$VM_DIR/init"
} | sha256sum | cut -c1-12)
initrd=$COVE_VM_CACHE/initramfs-$variant$krel-$irkey.cpio.gz
sdkey=$( {
  echo "$VM_DEBOOTSTRAP_SUITE ${VM_DEBOOTSTRAP_PKGS[*]}"
  declare -f build_systemd
} | sha256sum | cut -c1-12)
sdimg=$COVE_VM_CACHE/systemd-$VM_DEBOOTSTRAP_SUITE-$sdkey.ext4

# the systemd lane boots through the initramfs too
[ -s "$initrd" ] || build_initramfs
case $what in systemd | all) [ -s "$sdimg" ] || build_systemd ;; esac

# prune images of other keys (kept: the ones just built or found; each initramfs variant prunes
# only its own kind)
for f in "$COVE_VM_CACHE"/vmlinuz-* "$COVE_VM_CACHE"/initramfs-*.cpio.gz "$COVE_VM_CACHE"/systemd-*.ext4; do
  [ -e "$f" ] || continue
  case $f in
  "$kernel" | "$initrd" | "$sdimg") ;;
  */systemd-*) [ "$what" = initramfs ] || [ "$what" = criu ] || rm -f "$f" ;;
  */initramfs-criu-*) [ "$what" != criu ] || rm -f "$f" ;;
  */initramfs-*) [ "$what" = criu ] || rm -f "$f" ;;
  *) rm -f "$f" ;;
  esac
done
# debs: only the current kernel's and busybox's
for f in "$COVE_VM_CACHE"/debs/*.deb; do
  case $f in "$kdeb" | */busybox-static_*"${bbver//:/%3a}"_*) ;; *) rm -f "$f" ;; esac
done

# where the images are: $VM_IMAGE_ENV (run-lane.sh's own copy, so a concurrent build for another
# tree cannot change it under a lane) or $COVE_VM_CACHE/current
out=${VM_IMAGE_ENV:-$COVE_VM_CACHE/current}
{
  echo "KREL=$krel"
  echo "KERNEL=$kernel"
  echo "INITRD=$initrd"
  echo "SYSTEMD_IMG=$sdimg"
} >"$out.tmp"
mv "$out.tmp" "$out"
[ "$what" != all ] || vm_log "ready in $COVE_VM_CACHE ($(du -sh "$COVE_VM_CACHE" | cut -f1)): ${kernel##*/}, ${initrd##*/}, ${sdimg##*/}"
