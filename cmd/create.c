/* create.c: `cove create`: set up a container whose init waits for `start`; the part of `run`
 * it shares. */
#include "cmd/create.h"
#include "common/log.h"

static const struct cmd_flag flags[] = {
  CREATE_FLAGS,
  CMD_FLAGS_END,
};

int cmd_create_or_run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv, bool run)
{
  struct create_args a = {.o = {.root = g->root, .systemd_cgroup = g->systemd_cgroup, .rootless = g->rootless_cgroups,
                                .in_userns = g->in_userns}};
  struct cove_error err = COVE_ERROR_INIT;
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (a.preserve < 0 || a.preserve > 65536)
    return cmd_usage_error(verb, "--preserve-fds: expected a count, got %lld", a.preserve);
  a.o.id = argv[first];
  a.o.preserve_fds = (int) a.preserve;
  if (cove_selfexe_protect(argc, argv, &err) < 0)
    return cmd_fail(&err);
  if (!run) {
    if (cove_create(&a.o, &err) < 0)
      return cmd_fail(&err);
    return 0;
  }
  {
    int code = 1;
    if (cove_run(&a.o, &code, &err) < 0)
      return cmd_fail(&err);
    return code;
  }
}

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  return cmd_create_or_run(g, verb, argc, argv, false);
}

const struct cmd_verb cmd_verb_create = {
  .name = "create",
  .run = run,
  .usage = "[OPTIONS] ID",
  .summary = "create a container from a bundle; its init waits for `start`",
  .flags = flags,
  .args = ARGS_ID,
};
