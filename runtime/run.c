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
#include "common/trace.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/notify.h"
#include "runtime/sync.h"

/* After SYNC_START: the init runs the startContainer hooks and its last steps; it reports
 * EXECVE, then the channel hangs up at the execve (close-on-exec), or it reports an error. */
static int wait_execve(struct create_ctx *x, struct cove_error *err)
{
  struct sync_chan ch = sync_chan(x->sync_parent, "cove run", SYNC_INIT);
  bool at_execve = false;

  static const enum oci_hook_kind kinds[] = {OCI_HOOK_START_CONTAINER};
  int bound = hooks_wait_bound_ms(x->config, kinds, 1);

  for (;;) {
    struct sync_msg m;
    /* startContainer hooks may run as long as their own timeouts allow */
    if (sync_recv(&ch, &m, NULL, bound, err) < 0)
      return -1;
    if (m.type == SYNC_EXECVE && !at_execve)
      at_execve = true;
    else if (m.type == SYNC_HANGUP && at_execve)
      return 0;
    else
      return sync_unexpected(&ch, &m, NULL, "execve", err);
  }
}

int cove_run(const struct cove_create_opts *o, int *exit_code, struct cove_error *err)
{
  _cleanup_(create_ctx_freep) struct create_ctx *x = NULL;
  _cleanup_(notify_relay_freep) struct notify_relay *relay = NULL;
  sigset_t all, old;
  int r;

  *exit_code = 1;
  /* signals that arrive while the container starts are forwarded once it runs */
  sigfillset(&all);
  if (!o->detach)
    sigprocmask(SIG_BLOCK, &all, &old);
  if (container_create(o, true, &x, err) < 0)
    return cove_error_wrap(err, "run %s", o->id);
  x->hooks_started = true; /* released: undoing it from here runs poststop (runtime-spec) */
  {
    struct sync_chan ch = sync_chan(x->sync_parent, "cove run", SYNC_INIT);
    cove_trace("start");
    /* the notify socket is bound before the process starts, so its first sd_notify finds it */
    if (notify_relay_open(x->dir_fd, &relay, err) < 0 || sync_send(&ch, SYNC_START, x->pid, NULL, -1, err) < 0) {
      container_destroy_created(x);
      return cove_error_wrap(err, "run %s", o->id);
    }
    /* others (kill, state, delete) may act on the container from now on: what follows waits on
     * the container's own process (startContainer hooks, its execve) */
    state_unlock(&x->lock_fd);
    /* poststart runs after the container's process is executed (runtime-spec); an init that
     * fails before (a startContainer hook) is destroyed, as `start` does */
    if (wait_execve(x, err) < 0) {
      struct cove_error le = COVE_ERROR_INIT;
      x->lock_fd = state_lock(x->dir_fd, COVE_LOCK_EXCLUSIVE, &le);
      if (x->lock_fd < 0) {
        x->lock_fd = -1;
        cove_error_release(&le);
      }
      container_destroy_created(x);
      return cove_error_wrap(err, "run %s", o->id);
    }
  }
  cove_trace("init execed");
  close(x->sync_parent);
  x->sync_parent = -1;
  if (hooks_any(x->config, OCI_HOOK_POSTSTART)) {
    _cleanup_free_ char *state = create_state_json(x, "running", err);
    _cleanup_free_ char *who = xasprintf("run %s", o->id);
    if (!state || hooks_run(x->config, OCI_HOOK_POSTSTART, state, 0, who, err) < 0) {
      cove_warn("%s: %s", who, cove_error_msg(err));
      cove_error_release(err);
    }
  }
  if (o->detach) {
    /* systemd watches this process until the service is ready, then the init */
    if (relay && notify_relay_until_ready(relay, x->pidfd, x->pid, err) < 0) {
      cove_warn("run %s: %s", o->id, cove_error_msg(err));
      cove_error_release(err);
    }
    *exit_code = 0;
    return 0;
  }
  r = signals_wait_forward_notify(x->pid, x->pidfd, x->console_master, relay, exit_code, err);
  cove_trace("container exited");
  if (!o->keep) {
    struct cove_error e = COVE_ERROR_INIT;
    if (cove_delete(o->root, o->id, true, &e) < 0 && e.errnum != ENOENT)
      cove_warn("%s", cove_error_msg(&e));
    cove_error_release(&e);
    cove_trace("deleted");
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (r < 0)
    return cove_error_wrap(err, "run %s", o->id);
  return 0;
}
