/* pivot.c: making the prepared rootfs the container's "/": pivot_root(".", ".") and a lazy
 * unmount of the old root (so no host path stays reachable from the container, and nothing of
 * the host's tree is pinned), or for --no-pivot hosts (initramfs, where pivot_root is refused)
 * MS_MOVE onto "/" and chroot. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

static int do_pivot(int root_fd, struct cove_error *err)
{
  /* the old root, to reach it after the pivot: "." would name the new root's mount, which the
   * old one only covers (path lookup of "." does not cross onto the mount stacked on it) */
  int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old_root < 0)
    return cove_error_set(err, errno, "open the old root");
  int r = -1;
  if (fchdir(root_fd) < 0) {
    cove_error_set(err, errno, "chdir to the rootfs");
  } else if (sys_pivot_root(".", ".") < 0) {
    /* new root and old root on the same directory: the old one ends up stacked on "." */
    cove_error_set(err, errno, "pivot_root");
  } else if (fchdir(old_root) < 0) {
    cove_error_set(err, errno, "chdir to the old root");
  } else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) {
    /* the unmount below must not propagate to the host's mounts */
    cove_error_set(err, errno, "make the old root a slave");
  } else if (umount2(".", MNT_DETACH) < 0) {
    cove_error_set(err, errno, "unmount the old root");
  } else if (chdir("/") < 0) {
    cove_error_set(err, errno, "chdir to /");
  } else {
    r = 0;
  }
  close(old_root);
  return r;
}

static int do_move_chroot(const struct rootfs_ctx *ctx, int root_fd, struct cove_error *err)
{
  if (fchdir(root_fd) < 0)
    return cove_error_set(err, errno, "chdir to the rootfs");
  if (mount(ctx->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return cove_error_set(err, errno, "move the rootfs onto /");
  if (chroot(".") < 0)
    return cove_error_set(err, errno, "chroot");
  if (chdir("/") < 0)
    return cove_error_set(err, errno, "chdir to /");
  return 0;
}

int rootfs_pivot(const struct rootfs_ctx *ctx, int root_fd, struct cove_error *err)
{
  return ctx->no_pivot ? do_move_chroot(ctx, root_fd, err) : do_pivot(root_fd, err);
}
