/* members.c: a container's processes when it has no cgroup (a rootless container on a host
 * that delegates none): the processes of its init's pid namespace and of the namespaces nested
 * in it.  A container sharing the caller's pid namespace has no such boundary: that is an
 * error naming why, never a guess. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

struct ns_id {
  dev_t dev;
  ino_t ino;
};

static int ns_of(const char *pid, struct ns_id *id)
{
  char path[64];
  struct stat st;
  snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid);
  if (stat(path, &st) < 0)
    return -1;
  id->dev = st.st_dev;
  id->ino = st.st_ino;
  return 0;
}

static bool same_ns(const struct ns_id *a, const struct ns_id *b)
{
  return a->dev == b->dev && a->ino == b->ino;
}

/* Whether pid's namespace is `target` or nested below it (walking its parents, bounded by the
 * kernel's 32 levels). */
static bool in_ns(const char *pid, const struct ns_id *target, const struct ns_id *ours)
{
  struct ns_id id;
  char path[64];
  int fd;

  if (ns_of(pid, &id) < 0 || same_ns(&id, ours))
    return false;
  if (same_ns(&id, target))
    return true;
  snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  for (int level = 0; fd >= 0 && level < 32; level++) {
    struct stat st;
    int parent = ioctl(fd, NS_GET_PARENT);
    close(fd);
    fd = parent;
    if (fd < 0 || fstat(fd, &st) < 0)
      break;
    if (st.st_dev == target->dev && st.st_ino == target->ino) {
      close(fd);
      return true;
    }
  }
  if (fd >= 0)
    close(fd);
  return false;
}

int container_pidns_pids(const struct cove_container *c, pid_t **pids, size_t *n, struct cove_error *err)
{
  char init[24];
  struct ns_id target, ours;
  _cleanup_free_ pid_t *v = NULL;
  size_t len = 0, cap = 0;
  DIR *d;

  *pids = NULL;
  *n = 0;
  if (c->pid <= 0 || !state_pid_alive(c->pid, c->start_time))
    return 0;
  snprintf(init, sizeof(init), "%d", (int) c->pid);
  if (ns_of(init, &target) < 0)
    return errno == ENOENT ? 0 : cove_error_set(err, errno, "container `%s`: read /proc/%s/ns/pid", c->id, init);
  if (ns_of("self", &ours) < 0)
    return cove_error_set(err, errno, "read /proc/self/ns/pid");
  if (same_ns(&target, &ours))
    return cove_error_set(err, 0,
                          "container `%s` has no cgroup (rootless, no delegated cgroup) and shares the host's pid "
                          "namespace: its processes cannot be told from others",
                          c->id);
  d = opendir("/proc");
  if (!d)
    return cove_error_set(err, errno, "read /proc");
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9' || !in_ns(e->d_name, &target, &ours))
      continue;
    if (len == cap) {
      cap = cap ? cap * 2 : 64;
      v = xrealloc(v, cap * sizeof(*v));
    }
    v[len++] = (pid_t) atoi(e->d_name);
  }
  closedir(d);
  *pids = steal_ptr(v);
  *n = len;
  return 0;
}

int container_pidns_signal(const struct cove_container *c, int sig, struct cove_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  struct ns_id target, ours;
  char init[24];
  size_t n = 0;

  if (container_pidns_pids(c, &pids, &n, err) < 0)
    return -1;
  snprintf(init, sizeof(init), "%d", (int) c->pid);
  if (n == 0 || ns_of(init, &target) < 0 || ns_of("self", &ours) < 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char p[24];
    struct pollfd pf;
    int fd = sys_pidfd_open(pids[i]);
    if (fd < 0)
      continue; /* gone */
    /* checked with the pidfd held: if the pid was reused before the open, the process it now
     * names is checked, and one that exits after the check is no longer signalled */
    snprintf(p, sizeof(p), "%d", (int) pids[i]);
    pf = (struct pollfd){.fd = fd, .events = POLLIN};
    if (in_ns(p, &target, &ours) && poll(&pf, 1, 0) == 0 && sys_pidfd_send_signal(fd, sig) < 0 && errno != ESRCH) {
      int e = errno;
      close(fd);
      return cove_error_set(err, e, "send signal %d to %d", sig, (int) pids[i]);
    }
    close(fd);
  }
  return 0;
}
