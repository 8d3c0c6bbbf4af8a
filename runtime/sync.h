/* sync.h: the stages of container creation and every message between them, in one place (as
 * runc's nsexec.c names its stages).
 *
 * Stages:
 *   PARENT  the `cove create` / `run` / `exec` process.
 *   STAGE1  only when a namespace is joined by path: a short-lived child that setns()es into
 *           the given namespaces (user first), unshares the new ones (asking PARENT to write the
 *           id maps), then forks INIT with CLONE_PARENT and exits.
 *   INIT    the container's init: set up, wait for `start`, exec the user's process.
 *
 * Messages travel on a SOCK_SEQPACKET socketpair, one message per packet: a fixed header, then an
 * optional payload (text for errors and names), and for SYNC_CONSOLE / SYNC_SECCOMP_FD one fd
 * (SCM_RIGHTS).  Every read is bounded by a timeout, and an unexpected message is an error naming
 * both ends. */
#ifndef COVE_RUNTIME_SYNC_H
#define COVE_RUNTIME_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum sync_type {
  SYNC_NONE = 0,
  SYNC_GO,            /* PARENT -> STAGE1/INIT: maps written, cgroup entered, network made */
  SYNC_USERMAP_REQ,   /* STAGE1 -> PARENT: unshared a user ns, write the maps of my pid */
  SYNC_USERMAP_ACK,   /* PARENT -> STAGE1 */
  SYNC_INIT_PID,      /* STAGE1 -> PARENT: value = pid of INIT in PARENT's pid ns */
  SYNC_HOOKS,         /* INIT -> PARENT: namespaces ready; run createRuntime/createContainer */
  SYNC_HOOKS_DONE,    /* PARENT -> INIT */
  SYNC_CONSOLE,       /* INIT -> PARENT: the pty master (fd), payload = slave name */
  SYNC_READY,         /* INIT -> PARENT: set up, waiting for start */
  SYNC_CREATED,       /* PARENT -> INIT: state written; wait on the exec fifo */
  SYNC_START,         /* PARENT -> INIT (run): go on and exec */
  SYNC_SECCOMP_FD,    /* INIT -> PARENT: the seccomp listener (fd) */
  SYNC_SECCOMP_ACK,   /* PARENT -> INIT */
  SYNC_EXEC_PID,      /* exec child -> PARENT: value = pid of the exec'd process */
  SYNC_ERROR,         /* either way: payload = the message */
};

const char *sync_type_name(enum sync_type t);

#define SYNC_PAYLOAD_MAX 4096

struct sync_msg {
  uint32_t type;
  int32_t value;
  uint32_t len; /* payload bytes that follow */
  int32_t errnum;
  char payload[SYNC_PAYLOAD_MAX];
};

/* Send a message (fd >= 0 attaches it).  Returns 0 or -1 with err set. */
int sync_send(int sock, enum sync_type type, int32_t value, const char *payload, int fd, struct cove_error *err);
/* Send err as SYNC_ERROR (best effort). */
void sync_send_error(int sock, const struct cove_error *e);
/* Receive one message within timeout_ms (-1: forever).  *fd gets an attached fd or -1 (may be
 * NULL).  EOF is an error naming `peer`.  A SYNC_ERROR becomes err (its text). */
int sync_recv(int sock, struct sync_msg *m, int *fd, int timeout_ms, const char *peer, struct cove_error *err);
/* Receive and require type `want`. */
int sync_expect(int sock, enum sync_type want, struct sync_msg *m, int *fd, int timeout_ms, const char *peer,
                struct cove_error *err);

#endif
