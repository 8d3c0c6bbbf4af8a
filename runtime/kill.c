/* kill.c: `kill`: signal the init through a pidfd checked against the stored start time (a
 * reused pid is never signalled), or with --all every process of the container's cgroup. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "runtime/internal.h"

int container_pidfd(const struct cove_container *c)
{
  int fd;
  if (c->pid <= 0) {
    errno = ESRCH;
    return -1;
  }
  fd = sys_pidfd_open(c->pid);
  if (fd < 0)
    return -1;
  /* checked after opening: the pidfd now pins the process we verified */
  if (!state_pid_alive(c->pid, c->start_time)) {
    close(fd);
    errno = ESRCH;
    return -1;
  }
  return fd;
}

int cove_kill(const char *root, const char *id, int sig, bool all, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_close_ int pfd = -1;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return cove_error_wrap(err, "kill %s", id);
  if (all) {
    if (!c->cgroup) {
      if (container_pidns_signal(c, sig, err) < 0)
        return cove_error_wrap(err, "kill %s", id);
      return 0;
    }
    if (cgroup_kill_all(c->cgroup, sig, err) < 0)
      return cove_error_wrap(err, "kill %s", id);
    return 0;
  }
  if (c->status == COVE_STATUS_STOPPED)
    return cove_error_set(err, 0, "kill %s: the container is not running", id);
  pfd = container_pidfd(c);
  if (pfd < 0 && errno == ESRCH)
    return cove_error_set(err, 0, "kill %s: the container is not running", id);
  /* without pidfds cove does not signal the init: its pid may have been reused */
  if (pfd < 0)
    return sys_fail(err, errno, SYS_F_PIDFD_OPEN, "kill %s: open the init's pidfd", id);
  if (sys_pidfd_send_signal(pfd, sig) < 0)
    return sys_fail(err, errno, SYS_F_PIDFD_SEND_SIGNAL, "kill %s", id);
  /* a task the v1 freezer holds dies only once thawed (runc thaws for SIGKILL alike); the
   * signal is pending, so no process of the container runs its own code again */
  if (sig == SIGKILL && c->status == COVE_STATUS_PAUSED && c->cgroup) {
    struct cove_error e = COVE_ERROR_INIT;
    if (cgroup_freeze(c->cgroup, false, &e) < 0) {
      cove_warn("kill %s: thaw the paused container: %s", id, cove_error_msg(&e));
      cove_error_release(&e);
    }
  }
  return 0;
}
