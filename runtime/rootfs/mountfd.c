/* mountfd.c: the mount primitives every filesystem file builds on, all on fds: attaching a
 * detached mount (move_mount), cloning a path or fd into a bind mount with its attributes set
 * while still detached (open_tree + mount_setattr), changing the attributes of a mount, and the
 * /proc/self/fd/N name of an fd for the calls that only take paths.  Kernels before 5.12 have no
 * mount_setattr (and 5.12, 5.13 no MOUNT_ATTR_NOSYMFOLLOW): a bind remount does what reaches one
 * mount there (attributes of the top mount, propagation of the tree); attributes asked for every
 * mount of a tree are refused with one line naming mount_setattr, never set on the top one
 * alone.  It calls nothing else of the module,
 * so mounts.c, cgroupfs.c, devices.c, masked.c and overlay.c stand on it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000 /* the kernel's statfs flag (5.10); glibc 2.36 does not name it */
#endif

const char *rootfs_fd_path(int fd, char *buf, size_t len)
{
  int n = snprintf(buf, len, "/proc/self/fd/%d", fd);
  if (n < 0 || (size_t) n >= len)
    abort();
  return buf;
}

int rootfs_move_mount(int mnt_fd, int target_fd, struct cove_error *err)
{
  if (sys_move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return sys_fail(err, errno, SYS_F_MOVE_MOUNT, "attach mount");
  return 0;
}

/* The flags a bind remount must keep: it replaces every per-mount flag, where mount_setattr
 * changes only those named (a read-only source must not turn writable because nosuid was asked
 * for), and in a user namespace the kernel locks nosuid/nodev/noexec and the atime mode the host
 * set: a remount that drops them fails with EPERM. */
unsigned long rootfs_remount_flags(int fd)
{
  struct statvfs sv;
  unsigned long f = 0;
  if (fstatvfs(fd, &sv) < 0)
    return 0;
  if (sv.f_flag & ST_RDONLY)
    f |= MS_RDONLY;
  if (sv.f_flag & ST_NOSYMFOLLOW)
    f |= MS_NOSYMFOLLOW;
  if (sv.f_flag & ST_NOSUID)
    f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV)
    f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC)
    f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME)
    f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME)
    f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME)
    f |= MS_RELATIME;
  return f;
}

static unsigned long attr_to_flags(uint64_t a)
{
  unsigned long f = 0;
  if (a & MOUNT_ATTR_RDONLY)
    f |= MS_RDONLY;
  if (a & MOUNT_ATTR_NOSUID)
    f |= MS_NOSUID;
  if (a & MOUNT_ATTR_NODEV)
    f |= MS_NODEV;
  if (a & MOUNT_ATTR_NOEXEC)
    f |= MS_NOEXEC;
  if (a & MOUNT_ATTR_NODIRATIME)
    f |= MS_NODIRATIME;
  if ((a & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME)
    f |= MS_NOATIME;
  if ((a & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME)
    f |= MS_STRICTATIME;
  if (a & MOUNT_ATTR_NOSYMFOLLOW)
    f |= MS_NOSYMFOLLOW;
  return f;
}

/* Whether a bind remount can stand in for a failed mount_setattr: the call is missing (before
 * 5.12), or the kernel has it but not MOUNT_ATTR_NOSYMFOLLOW (5.12 and 5.13 answer EINVAL),
 * which a remount sets as MS_NOSYMFOLLOW (5.10). */
static bool remount_can_do(int e, uint64_t set, uint64_t clr)
{
  return e == ENOSYS || (e == EINVAL && ((set | clr) & MOUNT_ATTR_NOSYMFOLLOW));
}

/* Set attributes on the mount mnt_fd is the root of (attached or not).  Kernels before 5.12 have
 * no mount_setattr: there, a bind remount of the attached mount sets the attributes of that one
 * mount, and mount(2) the propagation of the tree; attributes for every mount of the tree
 * (recursive with set or clr: rro, rnosuid...) cannot be had and are refused. */
int rootfs_set_attr(int mnt_fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
                    struct cove_error *err)
{
  if (!set && !clr && !propagation)
    return 0;
  struct mount_attr a = {.attr_set = set, .attr_clr = clr, .propagation = propagation};
  if (sys_mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) == 0)
    return 0;
  int e = errno;
  if (!remount_can_do(e, set, clr))
    return cove_error_set(err, e, "set mount attributes");
  if (recursive && (set || clr)) {
    if (e == EINVAL)
      return cove_error_set(err, e, "set recursive mount attributes: nosymfollow on every mount needs Linux 5.14");
    return sys_fail(err, e, SYS_F_MOUNT_SETATTR, "set recursive mount attributes");
  }
  char p[64];
  rootfs_fd_path(mnt_fd, p, sizeof(p));
  if (set || clr) {
    unsigned long keep = rootfs_remount_flags(mnt_fd) & ~attr_to_flags(clr);
    if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | keep | attr_to_flags(set), NULL) < 0)
      return cove_error_set(err, errno, "remount");
  }
  if (propagation && mount(NULL, p, NULL, propagation | (recursive ? MS_REC : 0), NULL) < 0)
    return cove_error_set(err, errno, "set propagation");
  return 0;
}

int rootfs_bind(const char *src, int src_fd, int target_fd, bool recursive, uint64_t attr_set,
                uint64_t attr_clr, struct cove_error *err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree =
      src_fd >= 0 ? sys_open_tree(src_fd, "", flags | AT_EMPTY_PATH) : sys_open_tree(AT_FDCWD, src, flags);
  if (tree < 0)
    return sys_fail(err, errno, SYS_F_OPEN_TREE, "clone %s", src ? src : "mount");
  /* attributes go on while the clone is detached: it is never visible writable */
  bool later = false;
  if (attr_set || attr_clr) {
    struct mount_attr a = {.attr_set = attr_set, .attr_clr = attr_clr};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0) {
      if (!remount_can_do(errno, attr_set, attr_clr))
        return cove_error_set(err, errno, "set mount attributes");
      later = true;
    }
  }
  if (rootfs_move_mount(tree, target_fd, err) < 0)
    return -1;
  /* before 5.12: the top mount only, as runc does on every kernel (readonlyPaths, the v1
   * hierarchies); what must hold for every mount of a tree goes through rootfs_set_attr */
  return later ? rootfs_set_attr(tree, false, attr_set, attr_clr, 0, err) : 0;
}
