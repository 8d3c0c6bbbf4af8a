/* start.c: `cove start`. */
#include "cmd/cmd.h"

int cmd_start(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("start"), argc, argv);
}
