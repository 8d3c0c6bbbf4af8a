/* resolve.c: safe path resolution inside the container's rootfs, and creation of missing mount
 * targets without leaving it.
 *
 * Every path a config names inside the rootfs (mount destinations, device nodes, masked paths,
 * the cwd) is attacker controlled: the image may hold symlinks to "/", "../../..", or
 * "/proc/self/root/...".  Following them on the host is how CVE-2015-1328-style and
 * CVE-2021-30465 (runc symlink-exchange mount race) escapes worked.  So nothing here ever walks
 * a path with the host's root: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) does it in the
 * kernel, and for kernels without openat2 (< 5.6) a by-hand walker does the same: one component
 * at a time with O_NOFOLLOW, symlinks read and spliced in, absolute ones and ".." clamped to the
 * root, magic links never followed (we read their text, which points nowhere useful).  ".." pops
 * a stack of the fds we walked through rather than opening "..", so a directory renamed out of
 * the root mid-walk cannot take us with it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

#define RESOLVE_MAX_SYMLINKS 40
#define RESOLVE_MAX_DEPTH 256
#define RESOLVE_EAGAIN_RETRIES 32

/* The by-hand walker.  Returns an fd or -1 with errno set. */
static int resolve_by_hand(int root_fd, const char *path, int flags)
{
  int stack[RESOLVE_MAX_DEPTH];
  size_t depth = 0; /* stack[0..depth-1] are owned fds below the root; the top is the cwd */
  int symlinks = 0;
  int ret = -1;
  _cleanup_free_ char *todo = xstrdup(path);
  char *p = todo;
  const bool want_path = flags & O_PATH;
  const bool nofollow = flags & O_NOFOLLOW;

#define CUR (depth ? stack[depth - 1] : root_fd)
  for (;;) {
    while (*p == '/')
      p++;
    if (!*p) {
      /* the path ended on a directory we hold (or the root) */
      ret = want_path ? fcntl(CUR, F_DUPFD_CLOEXEC, 3) : openat(CUR, ".", flags | O_CLOEXEC, 0);
      goto out;
    }
    char *end = strchrnul(p, '/');
    char *rest = end;
    while (*rest == '/')
      rest++;
    const bool last = *rest == '\0';
    size_t clen = (size_t) (end - p);
    char comp[NAME_MAX + 1];
    if (clen > NAME_MAX) {
      errno = ENAMETOOLONG;
      goto out;
    }
    memcpy(comp, p, clen);
    comp[clen] = '\0';
    p = rest;

    if (strcmp(comp, ".") == 0)
      continue;
    if (strcmp(comp, "..") == 0) {
      if (depth)
        close(stack[--depth]);
      continue;
    }

    int fd;
    if (last && !want_path)
      fd = openat(CUR, comp, flags | O_NOFOLLOW | O_CLOEXEC, 0644);
    else
      fd = openat(CUR, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ELOOP || !last)
        goto out;
      /* O_NOFOLLOW refused a symlink as the last component: handled below */
    } else {
      struct stat st;
      if (fstat(fd, &st) < 0) {
        close(fd);
        goto out;
      }
      if (S_ISLNK(st.st_mode)) {
        close(fd);
      } else if (last) {
        ret = fd;
        goto out;
      } else if (!S_ISDIR(st.st_mode)) {
        close(fd);
        errno = ENOTDIR;
        goto out;
      } else {
        if (depth == RESOLVE_MAX_DEPTH) {
          close(fd);
          errno = ENAMETOOLONG;
          goto out;
        }
        stack[depth++] = fd;
        continue;
      }
    }

    /* a symlink: the caller's O_NOFOLLOW applies to the last component only */
    if (last && nofollow) {
      if (want_path)
        ret = openat(CUR, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      else
        errno = ELOOP;
      goto out;
    }
    if (++symlinks > RESOLVE_MAX_SYMLINKS) {
      errno = ELOOP;
      goto out;
    }
    char target[PATH_MAX];
    ssize_t n = readlinkat(CUR, comp, target, sizeof(target) - 1);
    if (n < 0)
      goto out;
    target[n] = '\0';
    if (target[0] == '/')
      while (depth)
        close(stack[--depth]); /* absolute: restart at the container's root, not the host's */
    char *next = xasprintf("%s/%s", target, p);
    free(todo);
    todo = next;
    p = todo;
  }
#undef CUR
out:;
  int saved = errno;
  while (depth)
    close(stack[--depth]);
  errno = saved;
  return ret;
}

static const char *resolve_errmsg(int e)
{
  switch (e) {
  case ELOOP:
    return "too many symlinks, or a symlink where none is allowed";
  case EXDEV:
    return "it escapes the rootfs";
  default:
    return NULL;
  }
}

/* openat2 in the kernel; the by-hand walker where it is missing (before 5.6, or a profile that
 * hides it: the unit tests do that through the syscall ops table) */
int rootfs_resolve(int root_fd, const char *path, int flags, struct cove_error *err)
{
  const char *p = path;
  while (*p == '/')
    p++;
  if (!*p)
    p = ".";
  int fd = -1;
  struct open_how how = {
      .flags = (uint64_t) (flags | O_CLOEXEC),
      .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? 0644 : 0,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  for (int i = 0; i < RESOLVE_EAGAIN_RETRIES; i++) {
    fd = sys_openat2(root_fd, p, &how);
    if (fd >= 0 || errno != EAGAIN)
      break;
  }
  if (fd >= 0)
    return fd;
  if (errno != ENOSYS)
    goto fail;
  fd = resolve_by_hand(root_fd, p, flags);
  if (fd >= 0)
    return fd;
fail:;
  int e = errno;
  const char *why = resolve_errmsg(e);
  if (why)
    return cove_error_set(err, e, "resolve %s in rootfs: %s", path, why);
  return cove_error_set(err, e, "resolve %s in rootfs", path);
}

/* One step of rootfs_mkpath: make `clean` exist, creating components as needed.  A dangling
 * symlink on the way is followed (inside the root) and its target created, as runc does for
 * /etc/resolv.conf -> ../run/... in images. */
static int mkpath_step(int root_fd, const char *clean, bool want_dir, mode_t mode, int hops,
                       struct cove_error *err)
{
  struct cove_error e = COVE_ERROR_INIT;
  int fd = rootfs_resolve(root_fd, clean, O_PATH, &e);
  if (fd >= 0)
    return fd;
  if (e.errnum != ENOENT) {
    *err = e;
    return -1;
  }
  cove_error_release(&e);
  if (hops > RESOLVE_MAX_SYMLINKS)
    return cove_error_set(err, ELOOP, "create %s in rootfs: too many symlinks", clean);

  _cleanup_close_ int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return cove_error_set(err, errno, "dup rootfs fd");
  const char *p = clean;
  while (*p) {
    const char *end = strchrnul(p, '/');
    const bool last = *end == '\0';
    _cleanup_free_ char *comp = strndup(p, (size_t) (end - p));
    _cleanup_free_ char *prefix = strndup(clean, (size_t) (end - clean));
    if (!comp || !prefix)
      abort();
    int next = rootfs_resolve(root_fd, prefix, O_PATH, &e);
    if (next < 0 && e.errnum != ENOENT) {
      *err = e;
      return -1;
    }
    cove_error_release(&e);
    if (next < 0) {
      int r;
      if (!last || want_dir) {
        r = mkdirat(cur, comp, last ? mode : 0755);
      } else {
        r = openat(cur, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
        if (r >= 0)
          close(r);
      }
      if (r < 0 && errno != EEXIST)
        return cove_error_set(err, errno, "create %s in rootfs", prefix);
      next = rootfs_resolve(root_fd, prefix, O_PATH, &e);
      if (next < 0 && e.errnum == ENOENT) {
        cove_error_release(&e);
        /* it exists but does not resolve: a dangling symlink; create its target instead */
        char target[PATH_MAX];
        ssize_t n = readlinkat(cur, comp, target, sizeof(target) - 1);
        if (n < 0)
          return cove_error_set(err, errno, "create %s in rootfs: read link", prefix);
        target[n] = '\0';
        _cleanup_free_ char *parent = strndup(clean, (size_t) (p - clean));
        if (!parent)
          abort();
        _cleanup_free_ char *joined =
            target[0] == '/' ? xasprintf("%s/%s", target, end)
                             : xasprintf("%s/%s/%s", parent, target, end);
        _cleanup_free_ char *c2 = rootfs_path_clean(joined);
        return mkpath_step(root_fd, c2, want_dir, mode, hops + 1, err);
      }
      if (next < 0) {
        *err = e;
        return -1;
      }
    }
    if (last)
      return next;
    close(cur);
    cur = next;
    p = end + 1;
  }
  return fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
}

int rootfs_mkpath(int root_fd, const char *path, bool want_dir, mode_t mode, struct cove_error *err)
{
  _cleanup_free_ char *clean = rootfs_path_clean(path);
  return mkpath_step(root_fd, clean, want_dir, mode, 0, err);
}

int rootfs_resolve_parent(int root_fd, const char *path, bool create, char **base,
                          struct cove_error *err)
{
  _cleanup_free_ char *clean = rootfs_path_clean(path);
  _cleanup_free_ char *parent = NULL;
  _cleanup_free_ char *b = NULL;
  rootfs_path_split(clean, &parent, &b);
  if (!*b || strcmp(b, "..") == 0)
    return cove_error_set(err, EINVAL, "%s: not a path to a file in the rootfs", path);
  int fd = create ? rootfs_mkpath(root_fd, parent, true, 0755, err)
                  : rootfs_resolve(root_fd, parent, O_PATH | O_DIRECTORY, err);
  if (fd < 0)
    return -1;
  *base = steal_ptr(b);
  return fd;
}
