/* delete.c: `cove delete`. */
#include "cmd/cmd.h"

int cmd_delete(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("delete");
}
