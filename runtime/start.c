/* start.c: `start`: release a created container's init through its exec fifo, then run the
 * poststart hooks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/notify.h"

/* Wait until the init has executed the container's process (or died trying): its end of
 * exec.done closes on execve, and a fifo read returns EOF once no writer is left.  Before its
 * death the init writes why (internal.h); *hook_failed tells a failing startContainer hook. */
static int wait_exec(int dir_fd, int fd, bool *hook_failed, struct cove_error *err)
{
  char buf[4096];
  size_t used = 0;

  *hook_failed = false;
  if (fd < 0)
    return 0;
  if (fcntl(fd, F_SETFL, 0) < 0)
    return cove_error_set(err, errno, "wait for the container process");
  for (;;) {
    char scratch[256];
    bool room = used < sizeof(buf) - 1;
    ssize_t n = room ? read(fd, buf + used, sizeof(buf) - 1 - used) : read(fd, scratch, sizeof(scratch));
    if (n == 0)
      break;
    if (n < 0 && errno != EINTR)
      return cove_error_set(err, errno, "wait for the container process");
    if (n > 0 && room)
      used += (size_t) n;
  }
  unlinkat(dir_fd, COVE_EXEC_DONE, 0);
  if (!used)
    return 0;
  buf[used] = '\0';
  *hook_failed = buf[0] == EXEC_DONE_HOOK_FAILED;
  if (used > 1)
    return cove_error_set(err, 0, "%s", buf + 1);
  return cove_error_set(err, 0, "the container process failed before it could run (its error is on the container's stderr)");
}

/* runtime-spec: a failing startContainer hook stops the container and destroys it, with the
 * poststop hooks.  Under the lock again: the wait was without it. */
static void destroy_after_hook(const char *root, const char *id)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  struct cove_error e = COVE_ERROR_INIT;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, &e) < 0 || container_remove(c, &e) < 0)
    cove_warn("start %s: destroy the container: %s", id, cove_error_msg(&e));
  cove_error_release(&e);
}

/* NOTIFY_SOCKET: relay the container's messages until it says READY=1 (then systemd watches the
 * init); the lock is released already: the wait is on the container's own process. */
static int relay_until_ready(struct cove_container *c, struct notify_relay *relay, struct cove_error *err)
{
  _cleanup_close_ int pidfd = sys_pidfd_open(c->pid);
  unsigned long long t = 0;

  if (pidfd < 0 || proc_start_time(c->pid, &t, NULL) < 0 || t != c->start_time)
    return 0; /* the init is gone already: nothing will say READY */
  return notify_relay_until_ready(relay, pidfd, c->pid, err);
}

int cove_start(const char *root, const char *id, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  _cleanup_(notify_relay_freep) struct notify_relay *relay = NULL;
  _cleanup_close_ int fd = -1, done = -1;
  bool hook_failed;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  if (c->status != COVE_STATUS_CREATED)
    return cove_error_set(err, 0, "start %s: the container is %s, not created", id, cove_status_name(c->status));
  if (cove_container_config(c, &cfg, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  /* O_NONBLOCK: with the init gone there is no reader and open fails (ENXIO) instead of hanging */
  fd = openat(c->dir_fd, COVE_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO)
      return cove_error_set(err, 0, "start %s: the container init has exited", id);
    return cove_error_set(err, errno, "start %s: open the exec fifo", id);
  }
  /* open the exec-done fifo before releasing the init: a byte it writes there as it dies would
   * be lost with the last open end if we came later, and a failed start would read as success */
  done = openat(c->dir_fd, COVE_EXEC_DONE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (done < 0 && errno != ENOENT)
    return cove_error_set(err, errno, "start %s: open the exec-done fifo", id);
  /* bound before the process is released, so its first sd_notify finds the socket */
  if (notify_relay_open(c->dir_fd, &relay, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  if (write(fd, "0", 1) != 1)
    return cove_error_set(err, errno, "start %s: release the init", id);
  unlinkat(c->dir_fd, COVE_EXEC_FIFO, 0);
  /* released: the container reads `running` from now on.  The wait for its execve (startContainer
   * hooks first) is on the container's own process, so not under the lock: a hook or a process
   * that hangs must not block kill, delete or pause */
  state_unlock(&c->lock_fd);
  if (wait_exec(c->dir_fd, done, &hook_failed, err) < 0) {
    if (hook_failed)
      destroy_after_hook(root, id);
    return cove_error_wrap(err, "start %s", id);
  }
  c->status = COVE_STATUS_RUNNING;
  if (hooks_any(cfg, OCI_HOOK_POSTSTART)) {
    _cleanup_free_ char *state = cove_container_state_json(c, err);
    _cleanup_free_ char *who = xasprintf("start %s", id);
    if (!state || hooks_run(cfg, OCI_HOOK_POSTSTART, state, 0, who, err) < 0) {
      cove_warn("%s: %s", who, cove_error_msg(err));
      cove_error_release(err);
    }
  }
  if (relay && relay_until_ready(c, relay, err) < 0) {
    cove_warn("start %s: %s", id, cove_error_msg(err));
    cove_error_release(err);
  }
  return 0;
}
