/* run.c: `run` = create + start in one process.  In the foreground it forwards signals, proxies
 * the terminal, exits with the init's status and removes the container afterwards, as `runc run`
 * does (with --keep it stays, stopped, until `delete`); --detach returns once the process runs. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/internal.h"
#include "runtime/sync.h"

/* The seccomp listener fd, when the filter notifies. */
static int hand_over_seccomp(struct create_ctx *x, struct cove_error *err)
{
  struct sync_msg m;
  int fd = -1, r;
  _cleanup_free_ char *state = NULL;

  if (!x->has_seccomp || !x->seccomp.notify)
    return 0;
  if (sync_expect(x->sync_parent, SYNC_SECCOMP_FD, &m, &fd, SYNC_TIMEOUT_MS, "container init", err) < 0)
    return -1;
  state = create_state_json(x, "creating", err);
  r = state ? seccomp_hand_to_listener(x->config, fd, x->pid, state, err) : -1;
  close(fd);
  if (r < 0)
    return -1;
  return sync_send(x->sync_parent, SYNC_SECCOMP_ACK, 0, NULL, -1, err);
}

int cove_run(const struct cove_create_opts *o, int *exit_code, struct cove_error *err)
{
  _cleanup_(create_ctx_freep) struct create_ctx *x = NULL;
  sigset_t all, old;
  int r;

  *exit_code = 1;
  /* signals that arrive while the container starts are forwarded once it runs */
  sigfillset(&all);
  if (!o->detach)
    sigprocmask(SIG_BLOCK, &all, &old);
  if (container_create(o, true, &x, err) < 0)
    return cove_error_wrap(err, "run %s", o->id);
  if (sync_send(x->sync_parent, SYNC_START, x->pid, NULL, -1, err) < 0 || hand_over_seccomp(x, err) < 0) {
    container_destroy_created(x);
    return cove_error_wrap(err, "run %s", o->id);
  }
  /* poststart runs after the process is executed (runtime-spec): the init's end of the sync
   * socket is close-on-exec, so EOF here means its execve happened (or it died) */
  for (;;) {
    char b[64];
    ssize_t n = recv(x->sync_parent, b, sizeof(b), 0);
    if (n == 0 || (n < 0 && errno != EINTR))
      break;
  }
  close(x->sync_parent);
  x->sync_parent = -1;
  /* others (kill, state, delete) may act on the container from now on */
  close(x->lock_fd);
  x->lock_fd = -1;
  if (hooks_any(x->config, OCI_HOOK_POSTSTART)) {
    _cleanup_free_ char *state = create_state_json(x, "running", err);
    if (!state || hooks_run(x->config, OCI_HOOK_POSTSTART, state, 0, err) < 0) {
      cove_warn("run %s: %s", o->id, cove_error_msg(err));
      cove_error_release(err);
    }
  }
  if (o->detach) {
    *exit_code = 0;
    return 0;
  }
  r = signals_wait_forward(x->pid, x->pidfd, x->console_master, exit_code, err);
  if (!o->keep) {
    struct cove_error e = COVE_ERROR_INIT;
    if (cove_delete(o->root, o->id, true, &e) < 0 && e.errnum != ENOENT)
      cove_warn("%s", cove_error_msg(&e));
    cove_error_release(&e);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (r < 0)
    return cove_error_wrap(err, "run %s", o->id);
  return 0;
}
