/* cgroupfs.c: `cgroup`/`cgroup2` mounts.  The container sees its own cgroups only:
 *  - cgroup2 host: with a cgroup namespace a fresh cgroup2 mount (rooted at the namespace's
 *    root); without one, a bind of the container's own cgroup directory.
 *  - v1 / hybrid host: a tmpfs at the destination holding, per hierarchy listed in
 *    /proc/self/cgroup, a fresh v1 mount (cgroup namespace) or a bind of the container's own
 *    directory of that hierarchy, plus `unified` for the cgroup2 part of a hybrid host and the
 *    cpu -> cpu,cpuacct style links, as runc shows them.
 * The host kind is told by statfs, not by parsing mountinfo. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/internal.h"

#define HOST_CGROUP "/sys/fs/cgroup"

static long fs_type(const char *path)
{
  struct statfs sf;
  return statfs(path, &sf) == 0 ? (long) sf.f_type : -1;
}

/* A fresh hierarchy and a clone of its sub directory onto dir_fd: for an init whose cgroup
 * namespace was made before it moved into its cgroup (its /proc/self/cgroup then shows a path
 * below the namespace's root), so that it still sees only its own cgroup.  Older kernels (6.1;
 * 6.18 allows it) refuse to clone from a detached mount (EINVAL: not in our mount namespace), so
 * the hierarchy is attached on dir_fd first, the clone taken from it, and it is detached again
 * before the clone goes on dir_fd.  This path is rare (a cgroup namespace made early). */
static int fresh_subtree(int dir_fd, const char *fstype, const char *ctrls, const char *sub,
                         unsigned long flags, struct cove_error *err)
{
  _cleanup_close_ int fs = sys_fsopen(fstype, FSOPEN_CLOEXEC);
  if (fs < 0)
    return sys_fail(err, errno, SYS_F_FSOPEN, "fsopen %s", fstype);
  _cleanup_free_ char *copy = xstrdup(ctrls ? ctrls : "");
  char *save = NULL;
  for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    int r = strncmp(c, "name=", 5) == 0 ? sys_fsconfig(fs, FSCONFIG_SET_STRING, "name", c + 5, 0)
                                         : sys_fsconfig(fs, FSCONFIG_SET_FLAG, c, NULL, 0);
    if (r < 0)
      return sys_fail(err, errno, SYS_F_FSCONFIG, "%s option %s", fstype, c);
  }
  if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return sys_fail(err, errno, SYS_F_FSCONFIG, "create %s %s", fstype, ctrls ? ctrls : "");
  uint64_t atime_clr = 0;
  _cleanup_close_ int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, (unsigned) mount_flags_to_attr(flags, &atime_clr));
  if (mnt < 0)
    return sys_fail(err, errno, SYS_F_FSMOUNT, "fsmount %s", fstype);
  while (*sub == '/')
    sub++;
  if (rootfs_move_mount(mnt, dir_fd, err) < 0)
    return -1;
  _cleanup_close_ int tree = sys_open_tree(mnt, sub, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  int clone_errno = errno;
  char p[64];
  if (umount2(rootfs_fd_path(mnt, p, sizeof(p)), MNT_DETACH) < 0)
    return cove_error_set(err, errno, "detach %s", fstype);
  if (tree < 0)
    return sys_fail(err, clone_errno, SYS_F_OPEN_TREE, "clone %s/%s", fstype, sub);
  return rootfs_move_mount(tree, dir_fd, err);
}

/* One hierarchy into dir_fd: a fresh mount in a cgroup namespace, else a bind of our own dir. */
static int mount_hierarchy(const struct rootfs_ctx *ctx, int dir_fd, const char *fstype,
                           const char *data, const char *host_dir, const char *cg_path,
                           unsigned long flags, struct cove_error *err)
{
  char p[64];
  /* a path with ".." is outside the namespace's root: nothing better than its root to show */
  if (ctx->new_cgroupns && strcmp(cg_path, "/") != 0 && !strstr(cg_path, "/.."))
    return fresh_subtree(dir_fd, fstype, data, cg_path, flags, err);
  if (ctx->new_cgroupns) {
    if (mount("cgroup", rootfs_fd_path(dir_fd, p, sizeof(p)), fstype, flags, data) == 0)
      return 0;
    if (errno != EPERM && errno != EBUSY)
      return cove_error_set(err, errno, "mount %s %s", fstype, data ? data : "");
  }
  _cleanup_free_ char *src = xasprintf("%s%s", host_dir, cg_path);
  uint64_t atime_clr = 0;
  uint64_t attr = mount_flags_to_attr(flags, &atime_clr);
  return rootfs_bind(src, -1, dir_fd, true, attr, atime_clr, err);
}

/* Parse "ID:controllers:path"; returns false on a malformed line. */
static bool split_line(char *line, char **ctrls, char **path)
{
  char *a = strchr(line, ':');
  char *b = a ? strchr(a + 1, ':') : NULL;
  if (!b)
    return false;
  *a = *b = '\0';
  *ctrls = a + 1;
  *path = b + 1;
  return true;
}

static int mount_v1(struct rootfs_run *run, int target_fd, const struct oci_mount *m,
                    const struct mount_opts *o, struct cove_error *err)
{
  char p[64];
  unsigned long flags = o->flags & ~(MS_RDONLY | MS_REMOUNT);
  /* the tmpfs takes linux.mountLabel, the hierarchies in it keep their own (runc) */
  _cleanup_free_ char *labelled = NULL;
  if (lsm_mount_data(run->ctx->config, "tmpfs", false, "mode=755", &labelled, err) < 0)
    return -1;
  if (mount("tmpfs", rootfs_fd_path(target_fd, p, sizeof(p)), "tmpfs", flags, labelled ? labelled : "mode=755") < 0)
    return cove_error_set(err, errno, "mount tmpfs");
  _cleanup_close_ int tfd = rootfs_resolve(run->root_fd, m->destination, O_PATH | O_DIRECTORY, err);
  if (tfd < 0)
    return -1;
  _cleanup_free_ char *data = NULL;
  if (read_file("/proc/self/cgroup", 1 << 16, &data, NULL, err) < 0)
    return -1;
  char *save = NULL;
  for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *ctrls, *path;
    if (!split_line(line, &ctrls, &path))
      continue;
    const char *dir, *fstype = "cgroup", *opts = ctrls;
    if (!*ctrls) {
      if (fs_type(HOST_CGROUP "/unified") != CGROUP2_SUPER_MAGIC)
        continue;
      dir = "unified";
      fstype = "cgroup2";
      opts = NULL;
    } else if (strncmp(ctrls, "name=", 5) == 0) {
      dir = ctrls + 5;
    } else {
      dir = ctrls;
    }
    if (strchr(dir, '/') || !strcmp(dir, ".") || !strcmp(dir, ".."))
      continue;
    _cleanup_free_ char *host_dir = xasprintf(HOST_CGROUP "/%s", dir);
    if (access(host_dir, F_OK) < 0)
      continue; /* a hierarchy mounted elsewhere on this host: not ours to show */
    if (mkdirat(tfd, dir, 0755) < 0 && errno != EEXIST)
      return cove_error_set(err, errno, "mkdir %s", dir);
    _cleanup_close_ int dfd = openat(tfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
      return cove_error_set(err, errno, "open %s", dir);
    if (mount_hierarchy(run->ctx, dfd, fstype, opts, host_dir, path, o->flags, err) < 0)
      return cove_error_wrap(err, "cgroup %s", dir);
    /* "cpu,cpuacct" is also reachable as cpu and cpuacct */
    if (strchr(dir, ',')) {
      _cleanup_free_ char *copy = xstrdup(dir);
      char *s2 = NULL;
      for (char *c = strtok_r(copy, ",", &s2); c; c = strtok_r(NULL, ",", &s2))
        if (symlinkat(dir, tfd, c) < 0 && errno != EEXIST)
          return cove_error_set(err, errno, "link %s", c);
    }
  }
  if (o->flags & MS_RDONLY)
    return rootfs_set_attr(tfd, false, MOUNT_ATTR_RDONLY, 0, 0, err);
  return 0;
}

/* Our cgroup2 path from /proc/self/cgroup ("0::/path"), "/" when absent.  Heap string. */
static char *own_cgroup2_path(struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  if (read_file("/proc/self/cgroup", 1 << 16, &data, NULL, err) < 0)
    return NULL;
  char *l = strstr(data, "0::");
  if (!l || (l != data && l[-1] != '\n'))
    return xstrdup("/");
  l += 3;
  l[strcspn(l, "\n")] = '\0';
  return xstrdup(*l ? l : "/");
}

int rootfs_mount_cgroup(struct rootfs_run *run, const struct oci_mount *m, int target_fd,
                        const struct mount_opts *o, struct cove_error *err)
{
  const char *host = NULL;
  if (fs_type(HOST_CGROUP) == CGROUP2_SUPER_MAGIC)
    host = HOST_CGROUP;
  else if (m->type && strcmp(m->type, "cgroup2") == 0 &&
           fs_type(HOST_CGROUP "/unified") == CGROUP2_SUPER_MAGIC)
    host = HOST_CGROUP "/unified"; /* an explicit cgroup2 mount on a hybrid host: its v2 part */
  if (!host)
    return mount_v1(run, target_fd, m, o, err);
  _cleanup_free_ char *path = own_cgroup2_path(err);
  if (!path)
    return -1;
  return mount_hierarchy(run->ctx, target_fd, "cgroup2", NULL, host, path, o->flags, err);
}
