/* resume.c: `cove resume ID`. */
#include "cmd/cmd.h"
#include "runtime/runtime.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  return cmd_run_on_id(g, verb, argc, argv, cove_resume);
}

const struct cmd_verb cmd_verb_resume = {
  .name = "resume",
  .run = run,
  .usage = "ID",
  .summary = "thaw a paused container",
  .flags = flags,
  .args = ARGS_ID,
};
