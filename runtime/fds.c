/* fds.c: the fd sweep of every process that enters a container (the init, stage1, exec's child,
 * hooks run in the container's namespaces).  CVE-2024-21626: a host directory fd left open in
 * such a process (the state dir, a cgroup dir, a directory the caller of cove left open) is a
 * way out through /proc/self/fd/N, as a cwd, or through /proc/PID/fd of a process that joins
 * the container.  Marking fds close-on-exec is not enough: they stay reachable until the
 * execve.  So these fds are closed, at once, as the first thing such a process does.
 *
 * close_range(2) (5.9) does it in one call per gap between the fds kept; where it is missing,
 * or denied by a seccomp filter cove itself runs under (older Docker/podman profiles), the open
 * fds are listed from /proc/self/fd, and where that fails too every number up to the fd limit
 * is closed one by one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/internal.h"

/* The most fds the brute-force fallback walks: the kernel's default fs.nr_open. */
#define FDS_BRUTE_MAX (1u << 20)

static int list_proc_fds(unsigned first, int **out, size_t *n)
{
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  size_t cap = 64;
  int self;

  *n = 0;
  if (!d)
    return -1;
  self = dirfd(d);
  *out = xcalloc(cap, sizeof(int));
  while ((e = readdir(d))) {
    char *end;
    long v = strtol(e->d_name, &end, 10);
    if (*end || end == e->d_name || v < (long) first || v == self)
      continue;
    if (*n == cap) {
      cap *= 2;
      *out = xrealloc(*out, cap * sizeof(int));
    }
    (*out)[(*n)++] = (int) v;
  }
  closedir(d);
  return 0;
}

static const struct fds_ops default_ops = {
  .list = list_proc_fds,
};

const struct fds_ops *fds_default_ops(void)
{
  return &default_ops;
}

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static bool kept(const int *keep, size_t n, int fd)
{
  return bsearch(&fd, keep, n, sizeof(int), cmp_int) != NULL;
}

/* Close [lo, hi] with close_range; false when the kernel or a filter refused the call. */
static bool close_gap(unsigned lo, unsigned hi)
{
  if (lo > hi)
    return true;
  return sys_close_range(lo, hi, 0) == 0;
}

int fds_close_except_ops(const struct fds_ops *ops, unsigned first, const int *keep_in, size_t nkeep,
                         struct cove_error *err)
{
  _cleanup_free_ int *keep = xcalloc(nkeep + 1, sizeof(int));
  size_t n = 0;
  unsigned lo = first;
  bool ok = true;

  for (size_t i = 0; i < nkeep; i++)
    if (keep_in[i] >= (int) first)
      keep[n++] = keep_in[i];
  qsort(keep, n, sizeof(int), cmp_int);
  for (size_t i = 0; i < n && ok; i++) {
    if ((unsigned) keep[i] > lo)
      ok = close_gap(lo, (unsigned) keep[i] - 1);
    lo = (unsigned) keep[i] + 1;
  }
  if (ok && close_gap(lo, ~0U))
    return 0;
  /* close_range is missing (< 5.9) or was refused: close what /proc lists, the fds we keep aside */
  {
    _cleanup_free_ int *open_fds = NULL;
    size_t nopen = 0;
    if (ops->list(first, &open_fds, &nopen) == 0) {
      for (size_t i = 0; i < nopen; i++)
        if (!kept(keep, n, open_fds[i]) && close(open_fds[i]) < 0 && errno != EBADF)
          return cove_error_set(err, errno, "close fd %d", open_fds[i]);
      return 0;
    }
  }
  /* no /proc either (or a /proc that is not ours): every number up to the fd limit */
  {
    struct rlimit rl;
    unsigned max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
      max = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FDS_BRUTE_MAX ? FDS_BRUTE_MAX : (unsigned) rl.rlim_max;
    for (unsigned fd = first; fd < max; fd++)
      if (!kept(keep, n, (int) fd))
        close((int) fd);
  }
  return 0;
}

int fds_close_except(const int *keep, size_t nkeep, struct cove_error *err)
{
  return fds_close_except_ops(&default_ops, 3, keep, nkeep, err);
}

int fds_reserve(int count, struct cove_error *err)
{
  int log_fd = cove_log_fd();

  /* the caller's stdio and the fds it asked to pass on: an fd number the caller left closed would
   * otherwise be taken by the next file cove opens, and that file would reach the container */
  if (log_fd >= 0 && log_fd < count && cove_log_move_fd(count, err) < 0)
    return -1;
  for (int fd = 0; fd < count; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
      continue;
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0)
      return cove_error_set(err, errno, "open /dev/null for fd %d", fd);
    if (nul != fd) {
      /* open takes the lowest free number, which is fd; be exact anyway */
      int r = dup2(nul, fd);
      close(nul);
      if (r < 0)
        return cove_error_set(err, errno, "reserve fd %d", fd);
    }
  }
  return 0;
}
