/* pause.c: `cove pause ID`. */
#include "cmd/cmd.h"
#include "runtime/runtime.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  int first, r = cmd_parse_flags(verb, NULL, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (cove_pause(g->root, argv[first], &err) < 0)
    return cmd_fail(&err);
  return 0;
}

const struct cmd_verb cmd_verb_pause = {
  .name = "pause",
  .run = run,
  .usage = "ID",
  .summary = "freeze every process of a container",
  .flags = flags,
  .args = ARGS_ID,
};
