/* idmap.c: idmapped bind mounts.  The user namespace a mount is mapped through:  A mount's
 * uidMappings/gidMappings (same format as the container's) are written to a throwaway child's
 * fresh user namespace; we keep an fd on it for mount_setattr(MOUNT_ATTR_IDMAP) and the child
 * exits.  The host's /proc is used (before pivot_root in the init; the parent's own), so the
 * child reports its pid as that procfs sees it (the init may be pid 1 of a new pid namespace).
 * Without a container user namespace the init idmaps its clones itself; with one, only the host
 * side can (the kernel wants CAP_SYS_ADMIN over the source filesystem's user namespace): the
 * init clones the source at its turn and the parent idmaps the detached clone (parent.c), as
 * runc's host-side mount thread does. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
  char *out = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", out, m[i].container_id, m[i].host_id, m[i].size);
    free(out);
    out = next;
  }
  return out;
}

static int write_map(const char *pid, const char *file, const char *map, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("/proc/%s/%s", pid, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all(fd, map, strlen(map)) < 0)
    return cove_error_set(err, errno, "write %s", file);
  return 0;
}

int rootfs_idmap_userns(const struct oci_mount *m, struct cove_error *err)
{
  if (!m->uid_mappings_len || !m->gid_mappings_len)
    return cove_error_set(err, EINVAL, "an idmapped mount needs both uidMappings and gidMappings");
  _cleanup_free_ char *uid_map = format_map(m->uid_mappings, m->uid_mappings_len);
  _cleanup_free_ char *gid_map = format_map(m->gid_mappings, m->gid_mappings_len);
  int up[2], down[2];
  if (pipe2(up, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "pipe");
  if (pipe2(down, O_CLOEXEC) < 0) {
    close(up[0]);
    close(up[1]);
    return cove_error_set(err, errno, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(up[0]);
    close(up[1]);
    close(down[0]);
    close(down[1]);
    return cove_error_set(err, e, "fork");
  }
  if (pid == 0) {
    char self[32] = "";
    close(up[0]);
    close(down[1]);
    if (unshare(CLONE_NEWUSER) == 0) {
      ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
      if (n > 0)
        self[n] = '\0';
      else
        self[0] = '\0';
    }
    (void) !write(up[1], self, strlen(self) + 1);
    char c;
    (void) !read(down[0], &c, 1); /* EOF when the parent is done */
    _exit(0);
  }
  close(up[1]);
  close(down[0]);
  char hostpid[32] = "";
  ssize_t n = read(up[0], hostpid, sizeof(hostpid) - 1);
  close(up[0]);
  int ret = -1;
  if (n <= 1 || hostpid[0] == '\0') {
    cove_error_set(err, n < 0 ? errno : EPERM, "create a user namespace for the idmapped mount");
  } else {
    hostpid[n] = '\0';
    _cleanup_free_ char *nspath = xasprintf("/proc/%s/ns/user", hostpid);
    if (write_map(hostpid, "uid_map", uid_map, err) == 0 &&
        write_map(hostpid, "gid_map", gid_map, err) == 0) {
      ret = open(nspath, O_RDONLY | O_CLOEXEC);
      if (ret < 0)
        cove_error_set(err, errno, "open %s", nspath);
    }
  }
  close(down[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return ret;
}

bool rootfs_mount_is_idmapped(const struct oci_mount *m, const struct mount_opts *o)
{
  return o->idmap || m->uid_mappings_len || m->gid_mappings_len;
}

int rootfs_idmap_apply(int tree, const struct oci_mount *m, const struct mount_opts *o,
                       const char *src, struct cove_error *err)
{
  _cleanup_close_ int ns = rootfs_idmap_userns(m, err);
  if (ns < 0)
    return -1;
  struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) ns};
  unsigned at = AT_EMPTY_PATH | ((o->recursive_idmap || o->recursive) ? AT_RECURSIVE : 0);
  if (sys_mount_setattr(tree, "", at, &a, sizeof(a)) < 0) {
    int e = errno;
    struct statfs sf;
    char name[40];
    /* the usual EINVAL: the source's filesystem has not opted in to idmapped mounts on this
     * kernel (ext4/xfs from 5.12, btrfs 5.15, overlay 5.19, tmpfs only from 6.3) */
    if (e == EINVAL && fstatfs(tree, &sf) == 0)
      return cove_error_set(err, e, "idmap %s: this kernel does not support idmapped mounts of %s%s",
                            src, rootfs_fs_name(sf.f_type, name, sizeof(name)),
                            (at & AT_RECURSIVE) ? " (or of a submount's filesystem)" : "");
    return sys_fail(err, e, SYS_F_MOUNT_SETATTR, "idmap %s", src);
  }
  return 0;
}
