/* run.c: `cove run`. */
#include "cmd/cmd.h"

int cmd_run(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("run"), argc, argv);
}
