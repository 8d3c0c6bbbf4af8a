/* seccomp.h: the OCI seccomp section compiled to BPF with libseccomp, cached by content hash,
 * and installed as the last step before execve.
 *
 * Dependencies: runtime/ calls this module (compile in the parent, install in the init and exec's
 * child); it calls oci/ (the model of the section) and common/.  Inside: install.c over
 * compile.c (libseccomp), key.c (the cache key) and cache.c, which use sha256.c; notify.c (the
 * listener hand-off) beside them. */
#ifndef COVE_SECCOMP_SECCOMP_H
#define COVE_SECCOMP_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci/oci.h"

struct sock_filter;

struct cove_seccomp_prog {
  struct sock_filter *filter; /* heap */
  size_t len;                 /* number of instructions */
  unsigned int flags;         /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
  bool notify;                /* the filter uses SCMP_ACT_NOTIFY: a listener fd comes back */
};

/* Compile (or take from the cache under cache_dir, which may be NULL) in the parent, before the
 * container's init is cloned.  Errors name the entry (".linux.seccomp.syscalls[3].action"). */
int cove_seccomp_prepare(const struct oci_seccomp *sc, const char *cache_dir, struct cove_seccomp_prog *out,
                         struct cove_error *err);

/* Load prog in the calling process: the very last step before execve.  With prog->notify,
 * *notify_fd receives the listener fd (else -1).  Does no allocation. */
int cove_seccomp_install(const struct cove_seccomp_prog *prog, int *notify_fd, struct cove_error *err);

/* Send the notify fd to the listener at listener_path with the container state and metadata,
 * as runtime-spec's "seccomp notify" describes. */
int cove_seccomp_send_listener(const char *listener_path, int notify_fd, const char *state_json,
                               struct cove_error *err);

void cove_seccomp_prog_release(struct cove_seccomp_prog *prog);

/* ---- additions (additive to the contract above) ---- */

/* How long the listener may take to accept the connection and read the state (bounded, so that
 * an agent that stops answering fails the container instead of hanging it). */
#define COVE_SECCOMP_LISTENER_TIMEOUT_S 10

/* The full form of cove_seccomp_send_listener(): the "container process state" sent is
 *   {"ociVersion":..., "fds":["seccompFd"], "pid":pid, "metadata":metadata, "state":<state_json>}
 * with notify_fd in SCM_RIGHTS; metadata (linux.seccomp.listenerMetadata) may be NULL.
 * cove_seccomp_send_listener() is this with the pid read from state_json and no metadata. */
int cove_seccomp_send_listener_full(const char *listener_path, int notify_fd, int pid, const char *metadata,
                                    const char *state_json, struct cove_error *err);

/* Whether this kernel accepts the seccomp(2) filter flag named as in the spec
 * ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"...): for `cove features`' supportedFlags. */
bool cove_seccomp_flag_supported(const char *oci_name);

/* The compiled-filter cache directory under a state root ("<root>/.cove/seccomp-cache"), heap. */
char *cove_seccomp_cache_dir(const char *state_root);

#endif
