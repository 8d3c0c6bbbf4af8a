/* create.c: `cove create`. */
#include "cmd/cmd.h"

int cmd_create(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("create");
}
