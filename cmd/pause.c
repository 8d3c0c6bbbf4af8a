/* pause.c: `cove pause ID`. */
#include "cmd/cmd.h"
#include "runtime/runtime.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  return cmd_run_on_id(g, verb, argc, argv, cove_pause);
}

const struct cmd_verb cmd_verb_pause = {
  .name = "pause",
  .run = run,
  .usage = "ID",
  .summary = "freeze every process of a container",
  .flags = flags,
  .args = ARGS_ID,
};
