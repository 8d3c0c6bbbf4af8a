/* start.c: `cove start`. */
#include "cmd/cmd.h"

int cmd_start(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("start");
}
