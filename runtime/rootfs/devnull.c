/* devnull.c: the init's stdio that is the host's /dev/null is reopened on the container's own
 * /dev/null once the container's root is in place (runc's reOpenDevNull; crun does the same): the
 * container then holds no fd of the host's /dev, and CRIU can checkpoint it (it cannot find the
 * host's devtmpfs among the container's mounts: "Can't lookup mount=N for fd=0 path=/dev/null").
 * The node is checked to be the null device first, as for masked paths (CVE-2025-31133). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/rootfs/internal.h"

int rootfs_reopen_dev_null(struct cove_error *err)
{
  _cleanup_close_ int null = -1;
  struct stat st;

  for (int fd = 0; fd < 3; fd++) {
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
      continue;
    if (null < 0) {
      null = open("/dev/null", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (null < 0)
        return cove_error_set(err, errno, "open the container's /dev/null");
      if (fstat(null, &st) < 0)
        return cove_error_set(err, errno, "stat the container's /dev/null");
      if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return cove_error_set(err, EPERM, "the container's /dev/null is not the null device (char 1:3)");
    }
    if (dup3(null, fd, 0) < 0)
      return cove_error_set(err, errno, "put the container's /dev/null on fd %d", fd);
  }
  return 0;
}
