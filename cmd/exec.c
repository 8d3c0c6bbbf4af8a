/* exec.c: `cove exec`: run a new process in a container. */
#include "cmd/cmd.h"
#include "common/log.h"
#include "runtime/runtime.h"

int cmd_exec(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("exec");
  struct cove_exec_opts o = {.root = g->root};
  struct cove_error err = COVE_ERROR_INIT;
  struct cmd_list env = {0}, gids = {0}, caps = {0};
  long long preserve = 0;
  const char *label = NULL, *apparmor = NULL;
  const struct cmd_flag flags[] = {
    {"process", 'p', FLAG_STRING, &o.process_file, "FILE", "the process to run, as a runtime-spec process JSON"},
    {"tty", 't', FLAG_BOOL, &o.tty, NULL, "allocate a pseudo-terminal"},
    {"console-socket", 0, FLAG_STRING, &o.console_socket, "SOCKET", "send the pty master to this unix socket"},
    {"detach", 'd', FLAG_BOOL, &o.detach, NULL, "do not wait for the process"},
    {"pid-file", 0, FLAG_STRING, &o.pid_file, "FILE", "write the process's pid to FILE"},
    {"cwd", 0, FLAG_STRING, &o.cwd, "DIR", "working directory in the container"},
    {"env", 'e', FLAG_LIST, &env, "K=V", "set an environment variable (repeatable)"},
    {"user", 'u', FLAG_STRING, &o.user, "UID[:GID]", "user (and group) to run as"},
    {"additional-gids", 'g', FLAG_LIST, &gids, "GID", "an additional group (repeatable)"},
    {"cap", 'c', FLAG_LIST, &caps, "CAP", "add a capability (repeatable)"},
    {"no-new-privs", 0, FLAG_BOOL, &o.no_new_privs, NULL, "set no_new_privs"},
    {"preserve-fds", 0, FLAG_INT, &preserve, "N", "pass fds 3..3+N-1 to the process"},
    {"process-label", 0, FLAG_STRING, &label, "LABEL", "SELinux label (accepted, not applied)"},
    {"apparmor", 0, FLAG_STRING, &apparmor, "PROFILE", "AppArmor profile (accepted, not applied)"},
    {"cgroup", 0, FLAG_STRING, &o.cgroup_sub, "SUB", "run in this sub-cgroup of the container"},
    {"ignore-paused", 0, FLAG_BOOL, &o.ignore_paused, NULL, "exec even into a paused container"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  int first, code = 1, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, o.process_file ? 1 : 2, o.process_file ? 1 : -1)))
    return r;
  if (preserve < 0 || preserve > 65536)
    return cmd_usage_error(verb, "--preserve-fds: expected a count, got %lld", preserve);
  o.id = argv[first];
  o.args = o.process_file ? NULL : argv + first + 1;
  o.env = env.items;
  o.env_len = env.len;
  o.additional_gids = gids.items;
  o.additional_gids_len = gids.len;
  o.caps = caps.items;
  o.caps_len = caps.len;
  o.preserve_fds = (int) preserve;
  if (cove_selfexe_protect(argc, argv, &err) < 0 || cove_exec(&o, &code, &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  return code;
}
