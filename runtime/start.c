/* start.c: `start`: release a created container's init through its exec fifo, then run the
 * poststart hooks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/internal.h"

/* Wait until the init has executed the container's process (or died trying): its end of
 * exec.done closes on execve, and a fifo read returns EOF once no writer is left. */
static int wait_exec(struct cove_container *c, int fd, struct cove_error *err)
{
  char buf[64];
  bool failed = false;

  if (fd < 0)
    return 0;
  if (fcntl(fd, F_SETFL, 0) < 0)
    return cove_error_set(err, errno, "wait for the container process");
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0)
      break;
    if (n > 0)
      failed = true; /* the init writes here only when it dies before its execve */
    else if (errno != EINTR)
      return cove_error_set(err, errno, "wait for the container process");
  }
  unlinkat(c->dir_fd, COVE_EXEC_DONE, 0);
  if (failed)
    return cove_error_set(err, 0, "the container process failed before it could run (its error is on the container's stderr)");
  return 0;
}

int cove_start(const char *root, const char *id, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  _cleanup_close_ int fd = -1, done = -1;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  if (c->status != COVE_STATUS_CREATED)
    return cove_error_set(err, 0, "start %s: the container is %s, not created", id, cove_status_name(c->status));
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
  if (write(fd, "0", 1) != 1)
    return cove_error_set(err, errno, "start %s: release the init", id);
  unlinkat(c->dir_fd, COVE_EXEC_FIFO, 0);
  if (wait_exec(c, done, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  c->status = COVE_STATUS_RUNNING;
  if (cove_container_config(c, &cfg, err) < 0)
    return cove_error_wrap(err, "start %s", id);
  if (hooks_any(cfg, OCI_HOOK_POSTSTART)) {
    _cleanup_free_ char *state = cove_container_state_json(c, err);
    if (!state || hooks_run(cfg, OCI_HOOK_POSTSTART, state, 0, err) < 0) {
      cove_warn("start %s: %s", id, cove_error_msg(err));
      cove_error_release(err);
    }
  }
  return 0;
}
