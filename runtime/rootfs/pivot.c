/* pivot.c: making the prepared rootfs the container's "/": pivot_root(".", ".") and a lazy
 * unmount of the old root (so no host path stays reachable from the container, and nothing of
 * the host's tree is pinned), or for --no-pivot hosts (initramfs, where pivot_root is refused)
 * MS_MOVE onto "/" and chroot, after detaching every host mount that neither holds the rootfs
 * nor lies in it (see detach_host_mounts). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

#define MOUNTINFO_MAX (64u << 20)
#define DETACH_PASSES 8

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

struct host_mount {
  int id, parent;
  char *point; /* unescaped mount point */
  bool outside; /* neither on the rootfs's path nor in it */
};

/* mountinfo writes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape(char *s)
{
  char *o = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      *o++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 3;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

/* path is dir or below it. */
static bool is_under(const char *path, const char *dir)
{
  size_t n = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* All of fd (mountinfo, from its start: the kernel lists the mounts as they are now). */
static char *read_all(int fd, struct cove_error *err)
{
  size_t len = 0, cap = 1 << 16;
  char *buf = xmalloc(cap + 1);
  if (lseek(fd, 0, SEEK_SET) < 0) {
    free(buf);
    return cove_error_set(err, errno, "rewind mountinfo"), NULL;
  }
  for (;;) {
    if (len == cap) {
      if (cap >= MOUNTINFO_MAX) {
        free(buf);
        return cove_error_set(err, EFBIG, "mountinfo is larger than %u bytes", MOUNTINFO_MAX), NULL;
      }
      cap *= 2;
      buf = xrealloc(buf, cap + 1);
    }
    ssize_t r = read(fd, buf + len, cap - len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      free(buf);
      return cove_error_set(err, errno, "read mountinfo"), NULL;
    }
    if (r == 0)
      break;
    len += (size_t) r;
  }
  buf[len] = '\0';
  return buf;
}

/* The mounts of our namespace; `outside` marks those to detach.  Returns the count or -1. */
static ssize_t read_mounts(int info_fd, const char *root, struct host_mount **out, struct cove_error *err)
{
  _cleanup_free_ char *data = read_all(info_fd, err);
  if (!data)
    return -1;
  size_t n = 0, cap = 0;
  struct host_mount *v = NULL;
  char *save = NULL;
  for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    int id, parent;
    char point[PATH_MAX * 4 + 1];
    if (sscanf(line, "%d %d %*s %*s %16383s", &id, &parent, point) != 3)
      continue;
    unescape(point);
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      v = xrealloc(v, cap * sizeof(*v));
    }
    /* kept: the mounts the rootfs lives on (/, /var...: they hold it) and the container's own */
    v[n] = (struct host_mount){id, parent, xstrdup(point), !is_under(root, point) && !is_under(point, root)};
    n++;
  }
  *out = v;
  return (ssize_t) n;
}

static void free_mounts(struct host_mount *v, ssize_t n)
{
  for (ssize_t i = 0; i < n; i++)
    free(v[i].point);
  free(v);
}

static int by_depth(const void *a, const void *b)
{
  const struct host_mount *x = a, *y = b;
  return (int) (strlen(x->point) - strlen(y->point));
}

/* --no-pivot keeps the host's mounts in our mount namespace, hidden below the chroot.  The
 * kernel lets a user namespace mount a fresh procfs or sysfs only while one is fully visible in
 * the mount namespace (mount_too_revealing): the container's are masked, the host's are not, so a
 * nested user namespace could mount an unmasked procfs.  Detach every mount outside the rootfs
 * first, as runc's msMoveRoot does (one mountinfo read: --no-pivot is not the hot path).  A
 * mount the kernel locks to its parent (copied into a user namespace's mount namespace) cannot
 * be detached: that is refused, never left behind. */
static int detach_host_mounts(int root_fd, struct cove_error *err)
{
  char link[64], root[PATH_MAX];
  ssize_t l = readlink(rootfs_fd_path(root_fd, link, sizeof(link)), root, sizeof(root) - 1);
  if (l < 0)
    return cove_error_set(err, errno, "read the rootfs path");
  root[l] = '\0';
  /* opened once: the host's /proc is among what goes */
  _cleanup_close_ int info = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (info < 0)
    return cove_error_set(err, errno, "open /proc/self/mountinfo");
  struct host_mount *v = NULL;
  ssize_t n = read_mounts(info, root, &v, err);
  if (n < 0)
    return -1;
  qsort(v, (size_t) n, sizeof(*v), by_depth);
  /* shallow first: a mount goes with its parent; one hidden under another shows once that is
   * gone, hence more than one pass */
  for (int pass = 0; pass < DETACH_PASSES; pass++) {
    bool progress = false;
    for (ssize_t i = 0; i < n; i++) {
      if (!v[i].outside)
        continue;
      while (umount2(v[i].point, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        progress = true;
    }
    if (!progress)
      break;
  }
  free_mounts(v, n);
  n = read_mounts(info, root, &v, err);
  if (n < 0)
    return -1;
  int r = 0;
  for (ssize_t i = 0; i < n && r == 0; i++)
    if (v[i].outside)
      r = cove_error_set(err, 0,
                         "--no-pivot: the host mount on %s cannot be detached from the container's "
                         "mount namespace (a user namespace locks it): use pivot_root",
                         v[i].point);
  free_mounts(v, n);
  return r;
}

static int do_move_chroot(const struct rootfs_ctx *ctx, int root_fd, struct cove_error *err)
{
  if (detach_host_mounts(root_fd, err) < 0)
    return -1;
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
