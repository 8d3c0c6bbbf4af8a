/* procfs.c: writes under /proc (sysctls, oom_score_adj, attr/...) through a private procfs
 * instance the container cannot have tampered with.  CVE-2019-16884 and CVE-2025-52881 redirected
 * runc's procfs writes with mounts or symlinks placed over /proc files; a fresh fsopen("proc")
 * instance carries no such mounts, and every fd is checked with fstatfs to be procfs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

int rootfs_check_procfs(int fd, const char *what, struct cove_error *err)
{
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0)
    return cove_error_set(err, errno, "statfs %s", what);
  if (sf.f_type != PROC_SUPER_MAGIC)
    return cove_error_set(err, EXDEV, "%s is not on procfs (f_type 0x%lx)", what, (unsigned long) sf.f_type);
  return 0;
}

int rootfs_procfs_open(struct cove_error *err)
{
  _cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);
  int mnt = -1;
  if (fs >= 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0) {
    /* no new procfs allowed (a user namespace after masking, or no fsopen): a private clone of
     * the /proc mount alone, without what is mounted over its files */
    mnt = open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (mnt < 0)
      return cove_error_set(err, errno, "open a private procfs");
  }
  if (rootfs_check_procfs(mnt, "private /proc", err) < 0) {
    close(mnt);
    return -1;
  }
  return mnt;
}

int rootfs_procfs_openat(int proc_fd, const char *path, int flags, struct cove_error *err)
{
  struct open_how how = {
      .flags = (uint64_t) (flags | O_CLOEXEC | O_NOFOLLOW),
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd = sys_openat2(proc_fd, path, &how);
  if (fd < 0 && errno == ENOSYS)
    fd = openat(proc_fd, path, flags | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cove_error_set(err, errno, "open /proc/%s", path);
  if (rootfs_check_procfs(fd, path, err) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int rootfs_open_procfs_file(const char *path, int flags, struct cove_error *err)
{
  _cleanup_close_ int proc = rootfs_procfs_open(err);
  if (proc < 0)
    return -1;
  while (*path == '/')
    path++;
  return rootfs_procfs_openat(proc, path, flags, err);
}
