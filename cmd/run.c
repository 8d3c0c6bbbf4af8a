/* run.c: `cove run`. */
#include "cmd/cmd.h"

int cmd_run(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("run");
}
