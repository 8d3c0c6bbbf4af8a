/* notify.h: the sd_notify relay (NOTIFY_SOCKET), as runc does it.
 *
 * When cove create/run runs with NOTIFY_SOCKET set (a Type=notify unit), the container gets its
 * own socket: ROOT/ID/notify/notify.sock, its directory bound read-only at /run/notify, and
 * NOTIFY_SOCKET=/run/notify/notify.sock in the process's environment.  The cove process systemd
 * watches reads the container's messages and forwards them to the host's NOTIFY_SOCKET (a path
 * or an abstract "@name", through libsystemd's sd_notify):
 *   - `run` in the foreground: everything, for the container's life (READY=1 with MAINPID of
 *     cove itself, which stays the unit's main process and exits with the container's status);
 *   - `run --detach` and `start` (after `create`): until READY=1, forwarded with MAINPID=<the
 *     container's init>, then cove exits and systemd watches the init.
 * READY is followed by a BARRIER=1 round trip so systemd has read the message before cove exits.
 * MAINPID= and fd-store messages from the container are dropped: its pids and fds mean nothing
 * on the host. */
#ifndef COVE_RUNTIME_NOTIFY_H
#define COVE_RUNTIME_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

struct create_ctx;
struct notify_relay;

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCK "notify.sock"
#define NOTIFY_IN_CONTAINER "/run/notify/notify.sock"

/* Is there a host socket to relay to (NOTIFY_SOCKET set and not empty)? */
bool notify_wanted(void);
/* create/run: make the container's notify directory in its state dir, bind it at /run/notify
 * and set NOTIFY_SOCKET in the process's environment.  Nothing without NOTIFY_SOCKET. */
int notify_prepare(struct create_ctx *x, struct cove_error *err);
/* Bind the container's socket in state dir dir_fd (made by notify_prepare); *out NULL, and 0,
 * when the container has no notify directory or cove no NOTIFY_SOCKET. */
int notify_relay_open(int dir_fd, struct notify_relay **out, struct cove_error *err);
int notify_relay_fd(const struct notify_relay *r);
/* Read what the container sent and forward it; READY=1 goes with MAINPID=mainpid.  Returns 1
 * once READY was forwarded, 0 otherwise, -1 on a read error. */
int notify_relay_handle(struct notify_relay *r, pid_t mainpid, struct cove_error *err);
/* Relay until READY=1 (forwarded with MAINPID=mainpid) or until the process of pidfd exits. */
int notify_relay_until_ready(struct notify_relay *r, int pidfd, pid_t mainpid, struct cove_error *err);
void notify_relay_free(struct notify_relay *r);
static inline void notify_relay_freep(struct notify_relay **r)
{
  if (*r)
    notify_relay_free(*r);
}

#endif
