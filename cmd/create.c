/* create.c: `cove create`. */
#include "cmd/cmd.h"

int cmd_create(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("create"), argc, argv);
}
