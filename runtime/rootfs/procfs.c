/* procfs.c: writes under /proc (sysctls, oom_score_adj, attr/...) through a private procfs
 * instance the container cannot have tampered with, and what config mounts may put on /proc and
 * /sys.  CVE-2019-16884 and CVE-2025-52881 redirected runc's procfs writes with mounts or
 * symlinks placed over /proc files; a fresh fsopen("proc") instance carries no such mounts, and
 * every fd is checked with fstatfs to be procfs.  CVE-2019-19921 and CVE-2023-27561 put a host
 * directory on the container's /proc; the mount rules below refuse that, as runc's
 * checkProcMount does, and check with fstatfs what the mount left there. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
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
  _cleanup_close_ int fs = sys_fsopen("proc", FSOPEN_CLOEXEC);
  int mnt = -1;
  if (fs >= 0 && sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  if (mnt < 0) {
    /* no new procfs allowed (a user namespace after masking, or no fsopen): a private clone of
     * the /proc mount alone, without what is mounted over its files */
    mnt = sys_open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (mnt < 0)
      return sys_fail(err, errno, SYS_F_OPEN_TREE, "open a private procfs");
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

/* The entries lxcfs (and tools like it) replace with a bind of their own file, as runc allows. */
static const char *const lxcfs_entries[] = {
    "proc/cpuinfo", "proc/diskstats", "proc/meminfo", "proc/stat",
    "proc/swaps",   "proc/uptime",    "proc/loadavg", "proc/slabinfo",
    "proc/net/dev", "proc/sys/kernel/ns_last_pid",    "proc/sys/crypto/fips_enabled",
};

static bool under(const char *rel, const char *dir)
{
  size_t n = strlen(dir);
  return strncmp(rel, dir, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

static int source_fs(const struct rootfs_mount_use *u, long *type, struct cove_error *err)
{
  struct statfs sf;
  if (fstatfs(u->src_fd, &sf) < 0)
    return cove_error_set(err, errno, "statfs the source");
  *type = (long) sf.f_type;
  return 0;
}

/* The rules on the in-rootfs path rel (cleaned, no leading '/'). */
static int check_rel(const struct rootfs_mount_use *u, const char *rel, struct cove_error *err)
{
  char name[40];
  long type = 0;
  const bool judge_src = u->bind && u->src_fd >= 0;
  if (strcmp(rel, "proc") == 0 || strcmp(rel, "sys") == 0) {
    const bool proc = rel[0] == 'p';
    const long want = proc ? PROC_SUPER_MAGIC : SYSFS_MAGIC;
    const char *what = proc ? "procfs" : "sysfs";
    if (judge_src) {
      if (source_fs(u, &type, err) < 0)
        return -1;
      if (type != want)
        return cove_error_set(err, 0, "only %s may be mounted on /%s, not a bind of %s", what, rel,
                              rootfs_fs_name(type, name, sizeof(name)));
    } else if (!u->bind && (!u->type || strcmp(u->type, proc ? "proc" : "sysfs") != 0)) {
      return cove_error_set(err, 0, "only %s may be mounted on /%s, not %s", what, rel,
                            u->type ? u->type : "a mount without a type");
    }
    return proc ? ROOTFS_MOUNT_PROC : ROOTFS_MOUNT_SYS;
  }
  if (!under(rel, "proc"))
    return ROOTFS_MOUNT_OTHER;
  for (size_t i = 0; i < sizeof(lxcfs_entries) / sizeof(lxcfs_entries[0]); i++) {
    if (strcmp(rel, lxcfs_entries[i]) != 0)
      continue;
    if (!u->bind || (u->src_fd >= 0 && !S_ISREG(u->src_st->st_mode)))
      return cove_error_set(err, 0, "only a bind of a regular file may be mounted on /%s", rel);
    return ROOTFS_MOUNT_OTHER;
  }
  return cove_error_set(err, 0, "/%s is inside /proc: only procfs on /proc, and a file bound onto "
                                    "an entry lxcfs replaces (cpuinfo, meminfo, stat, ...), may be",
                        rel);
}

/* The path of fd as the kernel names it (/proc/self/fd/N), in buf. */
static int fd_path(int fd, char *buf, size_t len, struct cove_error *err)
{
  char link[64];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, len - 1);
  if (n < 0)
    return cove_error_set(err, errno, "read %s", link);
  if ((size_t) n >= len - 1)
    return cove_error_set(err, ENAMETOOLONG, "read %s", link);
  buf[n] = '\0';
  return 0;
}

int rootfs_check_mount_path(const struct rootfs_mount_use *u, int root_fd, int target_fd,
                            struct cove_error *err)
{
  if (u->remount)
    return ROOTFS_MOUNT_OTHER;
  if (root_fd < 0) {
    _cleanup_free_ char *rel = rootfs_path_normalize(u->dest);
    return check_rel(u, rel, err);
  }
  /* where the destination really is: symlinks in the image followed, as the target was
   * resolved (a /myproc -> /proc link, /proc/self/...) */
  char root[PATH_MAX], target[PATH_MAX];
  if (fd_path(root_fd, root, sizeof(root), err) < 0 || fd_path(target_fd, target, sizeof(target), err) < 0)
    return -1;
  size_t n = strcmp(root, "/") == 0 ? 0 : strlen(root);
  if (strncmp(target, root, n) != 0 || (target[n] != '\0' && target[n] != '/'))
    return cove_error_set(err, EXDEV, "%s resolves to %s, outside the rootfs", u->dest, target);
  const char *rel = target + n;
  while (*rel == '/')
    rel++;
  int kind = check_rel(u, rel, err);
  if (kind < 0 || under(rel, "proc"))
    return kind;
  /* a procfs mounted (or bound) elsewhere in the rootfs: its files are as sensitive */
  struct statfs sf;
  if (fstatfs(target_fd, &sf) < 0)
    return cove_error_set(err, errno, "statfs %s", u->dest);
  if (sf.f_type == PROC_SUPER_MAGIC)
    return cove_error_set(err, 0, "/%s is on a procfs: nothing may be mounted over procfs files", rel);
  return kind;
}

int rootfs_check_mounted(int top_fd, enum rootfs_mount_kind kind, struct cove_error *err)
{
  if (kind == ROOTFS_MOUNT_OTHER)
    return 0;
  const bool proc = kind == ROOTFS_MOUNT_PROC;
  struct statfs sf;
  char name[40];
  if (fstatfs(top_fd, &sf) < 0)
    return cove_error_set(err, errno, "statfs /%s", proc ? "proc" : "sys");
  if (sf.f_type != (proc ? PROC_SUPER_MAGIC : SYSFS_MAGIC))
    return cove_error_set(err, 0, "what is mounted on /%s is %s, not %s", proc ? "proc" : "sys",
                          rootfs_fs_name((long) sf.f_type, name, sizeof(name)), proc ? "procfs" : "sysfs");
  return 0;
}
