/* exec.c: `cove exec`: run a new process in a container.  Every failure of cove itself exits 255,
 * usage errors included, so an engine never mistakes it for the process's own exit status (runc
 * exits 255 for runtime failures; its usage errors exit 1, which a caller cannot tell from the
 * process's 1). */
#include "cmd/cmd.h"
#include "common/log.h"
#include "runtime/runtime.h"

struct exec_args {
  struct cove_exec_opts o;
  struct cmd_list env, gids, caps;
  long long preserve;
};

#define F(name, sh, kind, field, arg, help) CMD_FLAG(name, sh, kind, struct exec_args, field, arg, help)
static const struct cmd_flag flags[] = {
  F("console-socket", 0, FLAG_STRING, o.console_socket, "SOCKET", "send the pty master to this unix socket"),
  F("pidfd-socket", 0, FLAG_STRING, o.pidfd_socket, "SOCKET", "send a pidfd of the new process to this unix socket"),
  F("cwd", 0, FLAG_STRING, o.cwd, "DIR", "working directory in the container"),
  F("env", 'e', FLAG_LIST, env, "K=V", "set an environment variable (repeatable)"),
  F("tty", 't', FLAG_BOOL, o.tty, NULL, "allocate a pseudo-terminal"),
  F("user", 'u', FLAG_STRING, o.user, "UID[:GID]", "user (and group) to run as"),
  F("additional-gids", 'g', FLAG_LIST, gids, "GID", "an additional group (repeatable)"),
  F("process", 'p', FLAG_STRING, o.process_file, "FILE", "the process to run, as a runtime-spec process JSON"),
  F("detach", 'd', FLAG_BOOL, o.detach, NULL, "do not wait for the process"),
  F("pid-file", 0, FLAG_STRING, o.pid_file, "FILE", "write the process's pid to FILE"),
  F("process-label", 0, FLAG_STRING, o.process_label, "LABEL", "SELinux label of the process"),
  F("apparmor", 0, FLAG_STRING, o.apparmor, "PROFILE", "AppArmor profile of the process"),
  F("no-new-privs", 0, FLAG_BOOL, o.no_new_privs, NULL, "set no_new_privs"),
  F("cap", 'c', FLAG_LIST, caps, "CAP", "add a capability (repeatable)"),
  F("preserve-fds", 0, FLAG_INT, preserve, "N", "pass fds 3..3+N-1 to the process"),
  F("cgroup", 0, FLAG_STRING, o.cgroup_sub, "SUB", "run in this sub-cgroup of the container"),
  F("ignore-paused", 0, FLAG_BOOL, o.ignore_paused, NULL, "exec even into a paused container"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct exec_args a = {.o = {.root = g->root}};
  struct cove_error err = COVE_ERROR_INIT;
  int first, code = 1, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : CMD_EXEC_FAILED;
  if (cmd_expect_args(verb, argc - first, a.o.process_file ? 1 : 2, a.o.process_file ? 1 : -1))
    return CMD_EXEC_FAILED;
  if (a.preserve < 0 || a.preserve > 65536) {
    cmd_usage_error(verb, "--preserve-fds: expected a count, got %lld", a.preserve);
    return CMD_EXEC_FAILED;
  }
  a.o.id = argv[first];
  a.o.args = a.o.process_file ? NULL : argv + first + 1;
  a.o.env = a.env.items;
  a.o.env_len = a.env.len;
  a.o.additional_gids = a.gids.items;
  a.o.additional_gids_len = a.gids.len;
  a.o.caps = a.caps.items;
  a.o.caps_len = a.caps.len;
  a.o.preserve_fds = (int) a.preserve;
  if (cove_selfexe_protect(argc, argv, &err) < 0 || cove_exec(&a.o, &code, &err) < 0) {
    cmd_fail(&err);
    return CMD_EXEC_FAILED;
  }
  return code;
}

const struct cmd_verb cmd_verb_exec = {
  .name = "exec",
  .run = run,
  .usage = "[OPTIONS] ID COMMAND [ARG...] | [OPTIONS] --process FILE ID",
  .summary = "run a new process in a container",
  .flags = flags,
  .args = ARGS_ID_CMD,
  .flags_first = true,
  .failure = CMD_EXEC_FAILED,
};
