/* masked.c: linux.maskedPaths and linux.readonlyPaths, done after pivot_root (and after the
 * init's sysctl writes).  Files are covered by the container's /dev/null, checked first to be the
 * real char 1:3 node (CVE-2025-31133: runc bound whatever the container had put at /dev/null,
 * e.g. a symlink to /proc/sys/kernel/core_pattern, making the mask a write primitive);
 * directories by a read-only empty tmpfs.  Read-only paths are recursive read-only bind mounts
 * of themselves.  Paths missing in the rootfs are skipped, as the spec asks.
 * The tmpfs is made once: the first masked directory gets the fsmount itself (move_mount), the
 * others a clone of that now attached mount.  Older kernels (6.1; 6.18 allows it) refuse to
 * clone a detached mount: open_tree(OPEN_TREE_CLONE) of an fsmount fd is EINVAL there, as the
 * source is not in the caller's mount namespace.  Cloning the attached mount works everywhere
 * and costs no more system calls than cloning the detached one did. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

static int open_dev_null(int root_fd, struct cove_error *err)
{
  int fd = rootfs_resolve(root_fd, "/dev/null", O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0) {
    close(fd);
    return cove_error_set(err, errno, "stat /dev/null");
  }
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
    close(fd);
    return cove_error_set(err, EPERM, "/dev/null is not the null device (char 1:3)");
  }
  return fd;
}

static int open_empty_ro_tmpfs(const char *label, struct cove_error *err)
{
  _cleanup_close_ int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return sys_fail(err, errno, SYS_F_FSOPEN, "fsopen tmpfs");
  /* linux.mountLabel, as runc labels its masking tmpfs (fsconfig takes the context unquoted) */
  if (label && *label && sys_fsconfig(fs, FSCONFIG_SET_STRING, "context", label, 0) < 0)
    return cove_error_set(err, errno, "tmpfs: context `%s`", label);
  if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
      sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
      sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sys_fail(err, errno, SYS_F_FSCONFIG, "create tmpfs");
  int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC,
                    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0)
    return sys_fail(err, errno, SYS_F_FSMOUNT, "fsmount tmpfs");
  return mnt;
}

static int clone_onto(int src, int target, struct cove_error *err)
{
  _cleanup_close_ int tree = sys_open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return sys_fail(err, errno, SYS_F_OPEN_TREE, "clone mount");
  return rootfs_move_mount(tree, target, err);
}

int rootfs_mask_paths(const struct oci_config *config, int root_fd, struct cove_error *err)
{
  const struct oci_linux *l = config->linux_;
  if (!l || !l->masked_paths_len)
    return 0;
  _cleanup_close_ int devnull = -1;
  _cleanup_close_ int tmpfs = -1;
  bool tmpfs_attached = false;
  for (size_t i = 0; i < l->masked_paths_len; i++) {
    const char *p = l->masked_paths[i];
    struct cove_error e = COVE_ERROR_INIT;
    _cleanup_close_ int target = rootfs_resolve(root_fd, p, O_PATH, &e);
    if (target < 0) {
      if (e.errnum == ENOENT) {
        cove_error_release(&e);
        continue;
      }
      *err = e;
      return cove_error_wrap(err, "mask %s", p);
    }
    struct stat st;
    if (fstat(target, &st) < 0)
      return cove_error_set(err, errno, "mask %s: stat", p);
    int r;
    if (S_ISDIR(st.st_mode)) {
      if (tmpfs < 0 && (tmpfs = open_empty_ro_tmpfs(l->mount_label, err)) < 0)
        return cove_error_wrap(err, "mask %s", p);
      /* after the move, tmpfs names the attached mount: the next directories clone it */
      r = tmpfs_attached ? clone_onto(tmpfs, target, err) : rootfs_move_mount(tmpfs, target, err);
      tmpfs_attached = true;
    } else {
      if (devnull < 0 && (devnull = open_dev_null(root_fd, err)) < 0)
        return cove_error_wrap(err, "mask %s", p);
      r = clone_onto(devnull, target, err);
    }
    if (r < 0)
      return cove_error_wrap(err, "mask %s", p);
  }
  return 0;
}

int rootfs_readonly_paths(const struct oci_config *config, int root_fd, struct cove_error *err)
{
  const struct oci_linux *l = config->linux_;
  for (size_t i = 0; l && i < l->readonly_paths_len; i++) {
    const char *p = l->readonly_paths[i];
    struct cove_error e = COVE_ERROR_INIT;
    _cleanup_close_ int target = rootfs_resolve(root_fd, p, O_PATH, &e);
    if (target < 0) {
      if (e.errnum == ENOENT) {
        cove_error_release(&e);
        continue;
      }
      *err = e;
      return cove_error_wrap(err, "make %s read-only", p);
    }
    if (rootfs_bind(NULL, target, target, true, MOUNT_ATTR_RDONLY, 0, err) < 0)
      return cove_error_wrap(err, "make %s read-only", p);
  }
  return 0;
}
