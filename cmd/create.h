/* create.h: what `create` and `run` share (create.c): their options and flag table. */
#ifndef COVE_CMD_CREATE_H
#define COVE_CMD_CREATE_H

#include "cmd/cmd.h"
#include "runtime/runtime.h"

struct create_args {
  struct cove_create_opts o;
  long long preserve;
  bool no_subreaper;
};

#define CREATE_FLAG(name, sh, kind, field, arg, help) CMD_FLAG(name, sh, kind, struct create_args, field, arg, help)
/* runc 1.2's create flags, in its order */
#define CREATE_FLAGS                                                                                         \
  CREATE_FLAG("bundle", 'b', FLAG_STRING, o.bundle, "DIR", "the bundle directory (default: the current one)"), \
  CREATE_FLAG("console-socket", 0, FLAG_STRING, o.console_socket, "SOCKET",                                  \
              "send the pty master to this unix socket"),                                                    \
  CREATE_FLAG("pidfd-socket", 0, FLAG_STRING, o.pidfd_socket, "SOCKET",                                      \
              "send a pidfd of the container's init to this unix socket"),                                   \
  CREATE_FLAG("pid-file", 0, FLAG_STRING, o.pid_file, "FILE", "write the init's pid to FILE"),               \
  CREATE_FLAG("no-pivot", 0, FLAG_BOOL, o.no_pivot, NULL, "use MS_MOVE + chroot instead of pivot_root"),     \
  CREATE_FLAG("no-new-keyring", 0, FLAG_BOOL, o.no_new_keyring, NULL, "keep the caller's session keyring"), \
  CREATE_FLAG("preserve-fds", 0, FLAG_INT, preserve, "N", "pass fds 3..3+N-1 to the container")

/* Parse, create (run: and start), exit code. */
int cmd_create_or_run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv, bool run);

#endif
