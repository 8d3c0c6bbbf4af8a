/* run.c: `cove run`: create and start a container (create.c holds what they share). */
#include "cmd/create.h"

static const struct cmd_flag flags[] = {
  CREATE_FLAGS,
  CREATE_FLAG("detach", 'd', FLAG_BOOL, o.detach, NULL, "return once the container runs"),
  CREATE_FLAG("keep", 0, FLAG_BOOL, o.keep, NULL, "keep the stopped container (and its cgroup) until `delete`"),
  CREATE_FLAG("no-subreaper", 0, FLAG_BOOL, no_subreaper, NULL,
              "accepted as runc's: cove run never makes itself a subreaper"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  return cmd_create_or_run(g, verb, argc, argv, true);
}

const struct cmd_verb cmd_verb_run = {
  .name = "run",
  .run = run,
  .usage = "[OPTIONS] ID",
  .summary = "create and start a container",
  .flags = flags,
  .args = ARGS_ID,
};
