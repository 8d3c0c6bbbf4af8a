/* create.c: `cove create`: set up a container whose init waits for `start`. */
#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/runtime.h"

int cmd_create_or_run(struct cove_globals *g, int argc, char **argv, bool run);

int cmd_create_or_run(struct cove_globals *g, int argc, char **argv, bool run)
{
  const struct cmd_verb *verb = cmd_find_verb(run ? "run" : "create");
  struct cove_create_opts o = {.root = g->root, .systemd_cgroup = g->systemd_cgroup};
  struct cove_error err = COVE_ERROR_INIT;
  long long preserve = 0;
  bool detach = false, keep = false;
  bool no_subreaper = false;
  const struct cmd_flag flags[] = {
    {"bundle", 'b', FLAG_STRING, &o.bundle, "DIR", "the bundle directory (default: the current one)"},
    {"pid-file", 0, FLAG_STRING, &o.pid_file, "FILE", "write the init's pid to FILE"},
    {"console-socket", 0, FLAG_STRING, &o.console_socket, "SOCKET", "send the pty master to this unix socket"},
    {"preserve-fds", 0, FLAG_INT, &preserve, "N", "pass fds 3..3+N-1 to the container"},
    {"no-pivot", 0, FLAG_BOOL, &o.no_pivot, NULL, "use MS_MOVE + chroot instead of pivot_root"},
    {"no-new-keyring", 0, FLAG_BOOL, &o.no_new_keyring, NULL, "keep the caller's session keyring"},
    /* run only: */
    {"detach", 'd', FLAG_BOOL, &detach, NULL, "return once the container runs"},
    {"keep", 0, FLAG_BOOL, &keep, NULL, "accepted for runc compatibility"},
    {"no-subreaper", 0, FLAG_BOOL, &no_subreaper, NULL, "accepted for runc compatibility"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  struct cmd_flag create_flags[ARRAY_SIZE(flags) - 3];
  int first, r;

  /* create takes every flag up to the run-only ones */
  for (size_t i = 0; i < ARRAY_SIZE(create_flags) - 1; i++)
    create_flags[i] = flags[i];
  create_flags[ARRAY_SIZE(create_flags) - 1] = flags[ARRAY_SIZE(flags) - 1];
  r = cmd_parse_flags(verb, run ? flags : create_flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (preserve < 0 || preserve > 65536)
    return cmd_usage_error(verb, "--preserve-fds: expected a count, got %lld", preserve);
  o.id = argv[first];
  o.preserve_fds = (int) preserve;
  o.detach = detach;
  if (cove_selfexe_protect(argc, argv, &err) < 0)
    goto fail;
  if (!run) {
    if (cove_create(&o, &err) < 0)
      goto fail;
    return 0;
  }
  {
    int code = 1;
    if (cove_run(&o, &code, &err) < 0)
      goto fail;
    return code;
  }
fail:
  r = cove_fail(&err);
  cove_error_release(&err);
  return r;
}

int cmd_create(struct cove_globals *g, int argc, char **argv)
{
  return cmd_create_or_run(g, argc, argv, false);
}
