/* delete.c: `cove delete`. */
#include "cmd/cmd.h"

int cmd_delete(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("delete"), argc, argv);
}
