/* sync.h: the stages of container creation and exec, and every message between them, in one
 * place (as runc's nsexec.c names its stages).
 *
 * Stages (their names appear in every error about the channel):
 *   PARENT  the `cove create` / `cove run` / `cove exec` process.
 *   STAGE1  only when a namespace is joined by path: a short-lived child that setns()es into
 *           the given namespaces (user first), unshares the new ones (asking PARENT to write the
 *           id maps), then forks INIT with CLONE_PARENT and exits.
 *   INIT    the container's init: set up, wait for `start`, exec the user's process.
 *   EXEC    `cove exec`'s child: join the init's namespaces, exec the process.
 *
 * The conversations, in order (-> from the child's parent to the child, <- back; [GO] only
 * when the parent has work for the child between the clone and its setup: id maps, a network,
 * oom_score_adj, a cgroup the clone and the child's own v1 placement did not cover):
 *   create:  [STAGE1: -> GO, <- USERMAP_REQ, -> USERMAP_ACK, <- INIT_PID]
 *            INIT: [-> GO], with a user namespace any number of (<- MOUNT_SOURCE, -> MOUNT_SOURCE_FD)
 *            and (<- MOUNT_IDMAP, -> MOUNT_IDMAP_DONE) as its mounts need them, <- HOOKS,
 *            -> HOOKS_DONE, <- CONSOLE, <- SECCOMP_FD (a notify filter is loaded before READY),
 *            -> SECCOMP_ACK, <- READY, then -> CREATED (create: the channel closes, `start`
 *            releases the init through the exec fifo) or -> START (run),
 *            <- EXECVE, then HANGUP when the execve closed the channel (close-on-exec).
 *   exec:    EXEC: [-> GO], <- CONSOLE, <- EXECVE, HANGUP; a notify filter's <- SECCOMP_FD,
 *            -> SECCOMP_ACK come before EXECVE (filter loaded before the uid change) or after it
 *            (filter loaded last).
 * Either side may send ERROR instead of its next message; it ends the conversation.
 *
 * Messages travel on a SOCK_SEQPACKET socketpair, one message per packet: a fixed header, then an
 * optional payload (text for errors and names), and for SYNC_CONSOLE / SYNC_SECCOMP_FD /
 * SYNC_MOUNT_SOURCE_FD / SYNC_MOUNT_IDMAP one fd (SCM_RIGHTS).  Control flow depends only on the
 * type: the text is for people.  Every read is bounded by a timeout, and an unexpected message is
 * an error naming both ends. */
#ifndef COVE_RUNTIME_SYNC_H
#define COVE_RUNTIME_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum sync_type {
  SYNC_NONE = 0,
  SYNC_GO,            /* PARENT -> STAGE1/INIT/EXEC: maps written, cgroup entered, network made */
  SYNC_USERMAP_REQ,   /* STAGE1 -> PARENT: unshared a user ns, write the maps of my pid */
  SYNC_USERMAP_ACK,   /* PARENT -> STAGE1 */
  SYNC_INIT_PID,      /* STAGE1 -> PARENT: value = pid of INIT in PARENT's pid ns */
  SYNC_HOOKS,         /* INIT -> PARENT: namespaces ready; run createRuntime/createContainer */
  SYNC_HOOKS_DONE,    /* PARENT -> INIT */
  SYNC_CONSOLE,       /* INIT/EXEC -> PARENT: the pty master (fd), payload = slave name */
  SYNC_READY,         /* INIT -> PARENT: set up, waiting for start */
  SYNC_CREATED,       /* PARENT -> INIT: state written (value = the init's pid); wait on the fifo */
  SYNC_START,         /* PARENT -> INIT (run): value = the init's pid; go on and exec */
  SYNC_SECCOMP_FD,    /* INIT/EXEC -> PARENT: the seccomp listener (fd) */
  SYNC_SECCOMP_ACK,   /* PARENT -> INIT/EXEC: the listener has it */
  SYNC_EXECVE,        /* INIT (run)/EXEC -> PARENT: the next step is the execve (an error may follow) */
  SYNC_MOUNT_SOURCE,  /* INIT -> PARENT (user ns): value = index of a bind mount whose source the
                         mapped root cannot open; open it in my mount namespace */
  SYNC_MOUNT_SOURCE_FD, /* PARENT -> INIT: the source (fd, O_PATH) */
  SYNC_MOUNT_IDMAP,   /* INIT -> PARENT (user ns): value = mount index, fd = my detached clone of
                         its source: idmap it */
  SYNC_MOUNT_IDMAP_DONE, /* PARENT -> INIT */
  SYNC_ERROR,         /* either way: payload = the message, value = errno */
  SYNC_HANGUP,        /* never sent: what sync_recv reports when the peer closed its end */
  SYNC_TYPES
};

const char *sync_type_name(enum sync_type t);

/* The names of the stages, as errors print them. */
#define SYNC_STAGE1 "stage1"
#define SYNC_INIT "the container init"
#define SYNC_EXEC "the exec process"

#define SYNC_PAYLOAD_MAX 4096

struct sync_msg {
  uint32_t type;
  int32_t value;
  uint32_t len; /* payload bytes that follow */
  int32_t errnum;
  char payload[SYNC_PAYLOAD_MAX];
};

/* One end of a channel: its fd and the names of both ends for errors. */
struct sync_chan {
  int fd;
  const char *self;
  const char *peer;
};

static inline struct sync_chan sync_chan(int fd, const char *self, const char *peer)
{
  return (struct sync_chan){.fd = fd, .self = self, .peer = peer};
}

/* Send a message (fd >= 0 attaches it).  Returns 0 or -1 with err set. */
int sync_send(const struct sync_chan *c, enum sync_type type, int32_t value, const char *payload, int fd,
              struct cove_error *err);
/* Send err as SYNC_ERROR (best effort). */
void sync_send_error(const struct sync_chan *c, const struct cove_error *e);
/* Receive one message within timeout_ms (-1: no bound, for waits bounded elsewhere).  *fd gets an
 * attached fd or -1 (may be NULL).  The peer closing its end is not an error here: m->type is
 * SYNC_HANGUP.  A SYNC_ERROR becomes err (its text and errno).  A timeout, a malformed packet
 * or an unknown type is an error naming both ends. */
int sync_recv(const struct sync_chan *c, struct sync_msg *m, int *fd, int timeout_ms, struct cove_error *err);
/* Receive and require type `want` (a SYNC_HANGUP when another was wanted is an error). */
int sync_expect(const struct sync_chan *c, enum sync_type want, struct sync_msg *m, int *fd, int timeout_ms,
                struct cove_error *err);
/* The error for message m arriving where `expected` (a list of type names, for people) was
 * awaited: names both ends; closes an attached *fd.  Returns -1. */
int sync_unexpected(const struct sync_chan *c, const struct sync_msg *m, int *fd, const char *expected,
                    struct cove_error *err);

#endif
